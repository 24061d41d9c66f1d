//! How a guest run ended, and the `vmm run` exit status for each ending.

use std::time::Duration;

/// Every guest task was blocked with nothing left to wake any of them.
pub const EXIT_DEADLOCK: i32 = 121;
/// `vmm run` exit status when the guest kernel failed.
pub const EXIT_GUEST_FAILURE: i32 = 123;
/// `--check` found a broken kernel invariant.
pub const EXIT_INVARIANT_VIOLATED: i32 = 122;
/// `vmm run` exit status when `--timeout` expired.
pub const EXIT_TIMEOUT: i32 = 124;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The program called exit / exit_group (status already masked to 0..=255).
    Exited { status: i32 },
    /// The program was killed by `signal`; `detail` says where, when a CPU
    /// fault caused it.
    Signaled { signal: i32, detail: String },
    /// The guest kernel could not start the program.
    ExecFailed { errno: i32, message: String },
    /// Every task blocked and nothing can wake them: `message` is the
    /// kernel's, `waits` who waits on what (one block per task).
    Deadlock { message: String, waits: String },
    /// The guest kernel panicked; `report` holds message, registers and the
    /// symbolized backtrace.
    KernelPanic { message: String, report: String },
    /// Triple fault, KVM internal error, unexpected VM exit, bad hypercall.
    GuestFailure { reason: String, dump: String },
    /// `dump`: where the vCPU was when the time ran out.
    Timeout { after: Duration, dump: String },
    /// `--check` (or an inspection hook) found broken kernel state after
    /// `syscall` (a one-line description of the call that just returned).
    InvariantViolated {
        syscall: String,
        violations: Vec<crate::inspect::Violation>,
    },
}

impl Outcome {
    pub fn exit_code(&self) -> i32 {
        match self {
            Outcome::Exited { status } => *status,
            Outcome::Signaled { signal, .. } => 128 + signal,
            Outcome::ExecFailed { .. } => crate::error::EXIT_NOT_EXECUTABLE,
            Outcome::Deadlock { .. } => EXIT_DEADLOCK,
            Outcome::KernelPanic { .. } | Outcome::GuestFailure { .. } => EXIT_GUEST_FAILURE,
            Outcome::Timeout { .. } => EXIT_TIMEOUT,
            Outcome::InvariantViolated { .. } => EXIT_INVARIANT_VIOLATED,
        }
    }

    /// Whether the run ended for a reason of the VMM's or the kernel's
    /// rather than the program's: a timeout, a kernel panic, a guest
    /// failure, a broken invariant.
    pub fn is_vmm_side_failure(&self) -> bool {
        matches!(
            self,
            Outcome::KernelPanic { .. }
                | Outcome::GuestFailure { .. }
                | Outcome::Timeout { .. }
                | Outcome::InvariantViolated { .. }
        )
    }

    /// What `vmm run` prints on stderr (first line prefixed `vmm: `), or
    /// `None` for a normal exit.
    pub fn report(&self, program: &str) -> Option<String> {
        match self {
            Outcome::Exited { .. } => None,
            Outcome::Signaled { signal, detail } => Some(format!(
                "vmm: {program} killed by {} (signal {signal}){}{detail}",
                signal_name(*signal),
                if detail.is_empty() { "" } else { ": " }
            )),
            Outcome::ExecFailed { errno, message } => Some(format!(
                "vmm: the guest kernel could not start {program}: {message} ({})",
                errno_name(*errno)
            )),
            Outcome::Deadlock { message, waits } => Some(format!(
                "vmm: {program} deadlocked: every task is blocked and nothing can wake them{}{}\n{waits}",
                if message.is_empty() { "" } else { ": " },
                message.escape_debug()
            )),
            Outcome::KernelPanic { message, report } => {
                Some(format!("vmm: guest kernel panic: {message}\n{report}"))
            }
            Outcome::GuestFailure { reason, dump } => {
                Some(format!("vmm: guest failure: {reason}\n{dump}"))
            }
            Outcome::Timeout { after, dump } => Some(format!(
                "vmm: timeout: the guest was still running after {:.3} s (--timeout)\n{dump}",
                after.as_secs_f64()
            )),
            Outcome::InvariantViolated {
                syscall,
                violations,
            } => {
                let mut s = format!("vmm: kernel invariant violated after {syscall}");
                for v in violations {
                    s += &format!("\n  {v}");
                }
                Some(s)
            }
        }
    }
}

pub fn signal_name(sig: i32) -> &'static str {
    match u64::try_from(sig) {
        Ok(0) => "signal 0",
        Ok(n) => abi::linux::signal::name(n).unwrap_or("a real-time signal"),
        Err(_) => "a real-time signal",
    }
}

/// Linux errno name for a (positive or negative) errno value.
pub fn errno_name(errno: i32) -> String {
    let e = errno.unsigned_abs();
    match abi::linux::errno::lookup(u64::from(e)) {
        Some(known) => known.name.to_string(),
        None => format!("errno {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes() {
        assert_eq!(Outcome::Exited { status: 7 }.exit_code(), 7);
        assert_eq!(
            Outcome::Signaled {
                signal: 11,
                detail: String::new()
            }
            .exit_code(),
            139
        );
        assert_eq!(
            Outcome::Timeout {
                after: Duration::from_secs(1),
                dump: String::new()
            }
            .exit_code(),
            124
        );
        let d = Outcome::Deadlock {
            message: "2 tasks blocked\n".into(),
            waits: "  pid 1 (tgid 1): sleeping, waits for futex 0x10".into(),
        };
        assert_eq!(d.exit_code(), 121);
        // One line, the kernel's message escaped, then the waits.
        assert_eq!(
            d.report("prog").unwrap(),
            "vmm: prog deadlocked: every task is blocked and nothing can wake them: 2 tasks blocked\\n\n  pid 1 (tgid 1): sleeping, waits for futex 0x10"
        );
        assert_eq!(signal_name(11), "SIGSEGV");
        assert_eq!(signal_name(99), "a real-time signal");
        assert_eq!(errno_name(-12), "ENOMEM");
        assert_eq!(errno_name(-41), "errno 41");
    }
}
