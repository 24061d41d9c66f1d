//! Why a run could not start (or could not go on) for reasons on the host
//! side, each with the exit status documented in the README.

use std::path::PathBuf;

/// `vmm run` exit status for a failure of vmm itself.
pub const EXIT_VMM_FAILURE: i32 = 125;
/// `vmm run` exit status when PROGRAM cannot be executed.
pub const EXIT_NOT_EXECUTABLE: i32 = 126;
/// `vmm run` exit status when PROGRAM cannot be found or read.
pub const EXIT_NOT_FOUND: i32 = 127;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The KVM device is missing, not accessible or not KVM.
    #[error("{0}")]
    Kvm(String),
    /// A KVM ioctl failed while setting up or running the VM.
    #[error("KVM: {what}: {source}")]
    KvmIoctl {
        what: &'static str,
        source: kvm_ioctls::Error,
    },
    #[error("cannot read {}: {reason}", path.display())]
    ProgramNotFound { path: PathBuf, reason: String },
    #[error("{}: {reason}", path.display())]
    NotExecutable { path: PathBuf, reason: String },
    #[error("kernel {}: {reason}", source_name)]
    Kernel { source_name: String, reason: String },
    /// Bad option values and similar configuration problems.
    #[error("{0}")]
    Config(String),
    #[error("guest memory: {0}")]
    Memory(String),
    #[error("{0}")]
    Io(String),
    /// `vmm bench` could not run or write its results.
    #[error("bench: {0}")]
    Bench(String),
}

impl Error {
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::ProgramNotFound { .. } => EXIT_NOT_FOUND,
            Error::NotExecutable { .. } => EXIT_NOT_EXECUTABLE,
            _ => EXIT_VMM_FAILURE,
        }
    }

    pub(crate) fn ioctl(what: &'static str) -> impl FnOnce(kvm_ioctls::Error) -> Error {
        move |source| Error::KvmIoctl { what, source }
    }
}

pub type Result<T> = std::result::Result<T, Error>;
