//! What one guest run is asked to do, independent of how it was asked (CLI
//! or library).

use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

use abi::layout::{LARGE_PAGE_SIZE, MAX_GUEST_MEMORY, MIN_GUEST_MEMORY};

use crate::strace::summary::SummaryConfig;
use crate::strace::time::{Precision, Timestamps};

/// Default guest RAM.
pub const DEFAULT_MEMORY: u64 = 256 << 20;
/// Default KVM device.
pub const DEFAULT_KVM_DEVICE: &str = "/dev/kvm";

/// Which kernel image to boot.
#[derive(Clone, Debug, Default)]
pub enum KernelSource {
    /// The kernel embedded in this binary at build time.
    #[default]
    Embedded,
    File(PathBuf),
}

/// Where one of vmm's own streams goes: the trace (`--strace-output`), the
/// kernel log (`--log`), the dumps (`--dump-output`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Output {
    /// vmm's stderr, in order with the program's stderr.
    Stderr,
    /// A file of its own (created or truncated).
    File(PathBuf),
}

impl Output {
    /// `-` is stderr, anything else a file.
    pub fn from_arg(arg: PathBuf) -> Output {
        if arg.as_os_str() == "-" {
            Output::Stderr
        } else {
            Output::File(arg)
        }
    }

    /// Creates (or truncates) the file of a [`Output::File`] (`None` for
    /// stderr); `what` names the stream in the error, which names the path.
    pub fn create(&self, what: &'static str) -> crate::error::Result<Option<std::fs::File>> {
        match self {
            Output::Stderr => Ok(None),
            Output::File(path) => std::fs::File::create(path).map(Some).map_err(|source| {
                crate::error::Error::Output {
                    what,
                    path: path.clone(),
                    source,
                }
            }),
        }
    }
}

/// `--strace` and strace's options with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StraceConfig {
    /// Where the trace and the summary go.
    pub output: Output,
    /// A line per call (`--strace`, `-C`); not with `-c`.
    pub lines: bool,
    /// `-c` / `-C`: the table at the end of the run.
    pub summary: Option<SummaryConfig>,
    /// `-T`: each call's time after its return value.
    pub syscall_times: Option<Precision>,
    /// `-t`, `-tt`, `-ttt`: the time of each call's entry before it.
    pub timestamps: Option<Timestamps>,
}

impl StraceConfig {
    /// The plain trace (`--strace`) to `output`.
    pub fn new(output: Output) -> StraceConfig {
        StraceConfig {
            output,
            lines: true,
            summary: None,
            syscall_times: None,
            timestamps: None,
        }
    }

    /// Whether the trace shows times, which the kernel then measures
    /// (`abi::boot::BOOT_FLAG_SYSCALL_TIMES`).
    pub fn wants_times(&self) -> bool {
        self.summary.is_some() || self.syscall_times.is_some() || self.timestamps.is_some()
    }
}

/// `--dump=exit|error|syscall:N`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DumpWhen {
    /// When the guest stops, however it ends.
    Exit,
    /// When it ends other than by exit status 0.
    Error,
    /// At the stop after the Nth system call of the run (1-based).
    Syscall(u64),
}

impl std::str::FromStr for DumpWhen {
    type Err = String;
    fn from_str(s: &str) -> Result<DumpWhen, String> {
        match s {
            "exit" => Ok(DumpWhen::Exit),
            "error" => Ok(DumpWhen::Error),
            _ => s
                .strip_prefix("syscall:")
                .and_then(|n| n.parse().ok())
                .filter(|&n: &u64| n > 0)
                .map(DumpWhen::Syscall)
                .ok_or_else(|| format!("{s:?}: expected exit, error or syscall:N (N >= 1)")),
        }
    }
}

/// How `--check` finds what changed since the last stop
/// (`inspect::incremental`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum CheckMode {
    /// Re-derive what the bytes it was derived from no longer back: every
    /// logged read is compared with guest memory.
    #[default]
    Incremental,
    /// As incremental, comparing only reads on pages KVM's dirty log (or
    /// the host) says were written.
    DirtyLog,
    /// Read and check everything from scratch at every stop.
    Full,
    /// Dirty-log incremental and full at every stop; any difference
    /// between them (findings or the state read) ends the run as a
    /// violation.
    Verify,
}

impl CheckMode {
    /// The mode as `--check-mode` spells it.
    pub fn name(self) -> String {
        use clap::ValueEnum;
        self.to_possible_value()
            .map_or_else(String::new, |v| v.get_name().to_string())
    }

    /// Whether KVM logs the guest's writes for this mode.
    pub fn uses_dirty_log(self) -> bool {
        matches!(self, CheckMode::DirtyLog | CheckMode::Verify)
    }
}

#[derive(Clone, Debug)]
pub struct RunConfig {
    pub kernel: KernelSource,
    /// Guest RAM in bytes: a multiple of 2 MiB in `[MIN_GUEST_MEMORY, MAX_GUEST_MEMORY]`.
    pub memory: u64,
    /// End the run (exit status 124) after this long.
    pub timeout: Option<Duration>,
    pub program: PathBuf,
    /// `argv[1..]`; `argv[0]` is `program` as given.
    pub args: Vec<OsString>,
    /// Host files for the guest's root file system (`--dir`, `--file`),
    /// applied in this order; PROGRAM is always added after them.
    pub imports: Vec<crate::initfs::Import>,
    /// The program's whole environment (`KEY=VALUE`): the host's environment
    /// is not passed on, so a run is reproducible.
    pub env: Vec<OsString>,
    /// Options for the guest kernel.
    pub cmdline: String,
    /// Measure and report boot phases (costs one extra VM exit).
    pub timings: bool,
    /// Stop after every system call and check the kernel's invariants from
    /// guest memory; the first violation ends the run (status 122).
    pub check: bool,
    /// How `check` re-checks between stops.
    pub check_mode: CheckMode,
    /// When to print the guest's process tree and backtraces (`--dump`).
    pub dump: Option<DumpWhen>,
    /// The dump as JSON instead of text.
    pub dump_json: bool,
    /// Where the dumps go: a file is created before the guest starts (a
    /// path that cannot be written fails the run first) and gets them at
    /// the end; stderr means the caller prints [`crate::run::RunResult::dumps`].
    pub dump_output: Output,
    /// Print every system call in strace's format (`vmm run --strace`),
    /// or count them (`-c`).
    pub strace: Option<StraceConfig>,
    /// Where the guest kernel's log goes (`--log`); `None`: nowhere, only
    /// counted, so a failed run can say that there was something to see.
    pub log: Option<Output>,
    pub kvm_device: PathBuf,
    /// CPUID features the vCPU is not told about (`--hide-cpuid`), to run
    /// the guest kernel's fallbacks on a host that has the features.
    pub hide_cpuid: Vec<crate::arch::cpuid::Feature>,
}

impl RunConfig {
    /// Whether the run uses KVM's dirty log: a check in a mode that reads it.
    pub fn dirty_log(&self) -> bool {
        self.check && self.check_mode.uses_dirty_log()
    }

    pub fn new(program: impl Into<PathBuf>) -> RunConfig {
        RunConfig {
            kernel: KernelSource::Embedded,
            memory: DEFAULT_MEMORY,
            timeout: None,
            program: program.into(),
            args: Vec::new(),
            imports: Vec::new(),
            env: Vec::new(),
            cmdline: String::new(),
            timings: false,
            check: false,
            check_mode: CheckMode::Incremental,
            dump: None,
            dump_json: false,
            dump_output: Output::Stderr,
            strace: None,
            log: None,
            kvm_device: DEFAULT_KVM_DEVICE.into(),
            hide_cpuid: Vec::new(),
        }
    }
}

/// Parses a memory size such as `256M`, `1G`, `1GiB` or `268435456` (bytes)
/// and checks it is usable as guest RAM.
pub fn parse_memory_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (digits, suffix) = t.split_at(split);
    let number: u64 = digits
        .parse()
        .map_err(|_| format!("{text:?} is not a size (use e.g. 256M, 1G)"))?;
    let shift = match suffix.trim().to_ascii_uppercase().as_str() {
        "" | "B" => 0,
        "K" | "KB" | "KIB" => 10,
        "M" | "MB" | "MIB" => 20,
        "G" | "GB" | "GIB" => 30,
        _ => return Err(format!("{text:?}: unknown unit (use K, M or G)")),
    };
    let bytes = number
        .checked_mul(1u64 << shift)
        .ok_or_else(|| format!("{text:?} is too large"))?;
    if !(MIN_GUEST_MEMORY..=MAX_GUEST_MEMORY).contains(&bytes) {
        return Err(format!(
            "{text}: guest memory must be between {} MiB and {} GiB",
            MIN_GUEST_MEMORY >> 20,
            MAX_GUEST_MEMORY >> 30
        ));
    }
    if bytes % LARGE_PAGE_SIZE != 0 {
        return Err(format!("{text}: guest memory must be a multiple of 2 MiB"));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_memory_size("256M"), Ok(256 << 20));
        assert_eq!(parse_memory_size("1G"), Ok(1 << 30));
        assert_eq!(parse_memory_size("1GiB"), Ok(1 << 30));
        assert_eq!(parse_memory_size("16777216"), Ok(16 << 20));
        assert_eq!(parse_memory_size("65536k"), Ok(64 << 20));
        for bad in [
            "",
            "0",
            "1K",
            "lots",
            "100000G",
            "15M",
            "17M",
            "99999999999999999999G",
            "1T",
        ] {
            assert!(parse_memory_size(bad).is_err(), "{bad}");
        }
    }
}
