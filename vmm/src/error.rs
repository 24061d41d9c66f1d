//! Why a run could not start (or could not go on) for reasons on the host
//! side, each with the exit status documented in the README. Variants keep
//! the error they come from as their `source`.

use std::io;
use std::path::PathBuf;

/// `vmm run` exit status for a failure of vmm itself.
pub const EXIT_VMM_FAILURE: i32 = 125;
/// `vmm run` exit status when PROGRAM cannot be executed.
pub const EXIT_NOT_EXECUTABLE: i32 = 126;
/// `vmm run` exit status when PROGRAM cannot be found or read.
pub const EXIT_NOT_FOUND: i32 = 127;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The KVM device cannot be opened; `hint` says what usually fixes it.
    #[error("cannot open {}: {}; {hint}", path.display(), os_message(source))]
    KvmOpen {
        path: PathBuf,
        source: io::Error,
        hint: &'static str,
    },
    /// The device opened, but it does not speak KVM's API.
    #[error("{} is not a usable KVM device (KVM_GET_API_VERSION gave {version}, expected {expected})", path.display())]
    NotKvm {
        path: PathBuf,
        version: i32,
        expected: i32,
    },
    /// `--check-mode` needs KVM's dirty-page log and this KVM has none.
    #[error(
        "--check-mode {mode} needs KVM's dirty-page log, but KVM_GET_DIRTY_LOG failed: {source}"
    )]
    NoDirtyLog {
        mode: String,
        source: kvm_ioctls::Error,
    },
    /// A KVM ioctl failed while setting up or running the VM.
    #[error("KVM: {what}: {source}")]
    KvmIoctl {
        what: &'static str,
        source: kvm_ioctls::Error,
    },
    /// PROGRAM cannot be read (missing, unreadable, a broken link).
    #[error("cannot read {}: {}", path.display(), os_message(source))]
    ProgramNotFound { path: PathBuf, source: io::Error },
    /// A name without `/` that no directory of `PATH` holds.
    #[error("{name}: not found in PATH")]
    NotInPath { name: String },
    #[error("{}: {reason}", path.display())]
    NotExecutable { path: PathBuf, reason: String },
    #[error("kernel {}: {reason}", source_name)]
    Kernel { source_name: String, reason: String },
    /// The `--kernel` file cannot be read.
    #[error("kernel {}: cannot read: {}", path.display(), os_message(source))]
    KernelRead { path: PathBuf, source: io::Error },
    /// linux-loader refused the kernel image.
    #[error("kernel {source_name}: cannot load: {source}")]
    KernelLoad {
        source_name: String,
        source: linux_loader::loader::Error,
    },
    /// Bad option values and similar configuration problems.
    #[error("{0}")]
    Config(String),
    /// An import (`--dir`, `--file`) or PROGRAM cannot go into the initfs
    /// image: a bad path, a conflict, a file of another type.
    #[error("{0}")]
    Initfs(String),
    /// A host file or directory of the initfs image cannot be read.
    #[error("cannot read {}: {}", path.display(), os_message(source))]
    InitfsRead { path: PathBuf, source: io::Error },
    /// The initfs image does not fit in guest memory with everything else.
    #[error(
        "the initfs image ({image_mib} MiB, {files} files) does not fit in the {memory_mib} MiB of guest memory with the kernel and the program (about {needed_mib} MiB needed); raise --memory to {suggested_mib}M or more"
    )]
    InitfsTooBig {
        image_mib: u64,
        files: usize,
        needed_mib: u64,
        memory_mib: u64,
        /// `needed_mib` as a valid `--memory` (a multiple of 2 MiB).
        suggested_mib: u64,
    },
    /// Guest RAM could not be mapped.
    #[error("guest memory: cannot map {} MiB: {source}", size >> 20)]
    MemoryMap {
        size: u64,
        source: vm_memory::mmap::FromRangesError,
    },
    /// Writing the boot state into guest RAM failed.
    #[error("guest memory: cannot write {what}: {source}")]
    Memory {
        what: &'static str,
        source: vm_memory::GuestMemoryError,
    },
    /// A file vmm writes (trace, kernel log, dump) cannot be created.
    #[error("cannot create {what} {}: {}", path.display(), os_message(source))]
    Output {
        what: &'static str,
        path: PathBuf,
        source: io::Error,
    },
    /// `vmm bench` could not run.
    #[error("bench: {0}")]
    Bench(String),
    /// `vmm bench` could not write a file (its program, its results).
    #[error("bench: cannot write {}: {}", path.display(), os_message(source))]
    BenchWrite { path: PathBuf, source: io::Error },
    /// The benchmark program could not be started on the host.
    #[error("bench: cannot run the benchmark natively: {}", os_message(source))]
    BenchNative { source: io::Error },
    /// The results could not be encoded as JSON.
    #[error("bench: cannot encode JSON: {source}")]
    BenchJson { source: serde_json::Error },
}

impl Error {
    pub fn exit_code(&self) -> i32 {
        match self {
            // As a shell: a file that exists but cannot be read is found
            // and not runnable.
            Error::ProgramNotFound { source, .. }
                if source.kind() == io::ErrorKind::PermissionDenied =>
            {
                EXIT_NOT_EXECUTABLE
            }
            Error::ProgramNotFound { .. } | Error::NotInPath { .. } => EXIT_NOT_FOUND,
            Error::NotExecutable { .. } => EXIT_NOT_EXECUTABLE,
            _ => EXIT_VMM_FAILURE,
        }
    }

    pub(crate) fn ioctl(what: &'static str) -> impl FnOnce(kvm_ioctls::Error) -> Error {
        move |source| Error::KvmIoctl { what, source }
    }

    pub(crate) fn memory(what: &'static str) -> impl FnOnce(vm_memory::GuestMemoryError) -> Error {
        move |source| Error::Memory { what, source }
    }
}

/// The OS's message for `e` without Rust's " (os error N)" suffix, as a
/// shell prints it.
pub fn os_message(e: &io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_owned(),
        None => s,
    }
}

pub type Result<T> = std::result::Result<T, Error>;
