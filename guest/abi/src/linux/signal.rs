//! Signals: the 31 standard ones (numbers from `linux-raw-sys`, names the
//! identifiers), then the real-time range up to [`NSIG`]; sigaction's
//! special handlers and flags, rt_sigprocmask's `how`, and SIGCHLD's
//! `si_code`s.

use linux_raw_sys::general as raw;

/// `SIGNAME` entries: a `u64` constant per signal and its name in [`NAMES`].
macro_rules! signals {
    ($($name:ident)*) => {
        $(pub const $name: u64 = raw::$name as u64;)*

        /// The names of signals 1, 2, ... in number order.
        pub static NAMES: &[&str] = &[$(stringify!($name),)*];

        const NUMBERS: &[u64] = &[$($name,)*];
    };
}

signals! {
    SIGHUP SIGINT SIGQUIT SIGILL SIGTRAP SIGABRT SIGBUS SIGFPE SIGKILL SIGUSR1
    SIGSEGV SIGUSR2 SIGPIPE SIGALRM SIGTERM SIGSTKFLT SIGCHLD SIGCONT SIGSTOP
    SIGTSTP SIGTTIN SIGTTOU SIGURG SIGXCPU SIGXFSZ SIGVTALRM SIGPROF SIGWINCH
    SIGIO SIGPWR SIGSYS
}

const _: () = {
    let mut i = 0;
    while i < NUMBERS.len() {
        assert!(NUMBERS[i] == i as u64 + 1, "signals out of number order");
        i += 1;
    }
};

/// The first real-time signal (the kernel's; C libraries reserve a few).
pub const SIGRTMIN: u64 = raw::SIGRTMIN as u64;
/// The number of signals: valid numbers are `1..=NSIG`.
pub const NSIG: u64 = raw::_NSIG as u64;

/// `SIGCHLD` for 17; `None` outside the standard signals.
pub fn name(sig: u64) -> Option<&'static str> {
    NAMES
        .get(usize::try_from(sig.checked_sub(1)?).ok()?)
        .copied()
}

/// The special values of `struct sigaction`'s `sa_handler` (a C macro
/// each, so not in `linux-raw-sys`).
pub const SIG_DFL: u64 = 0;
pub const SIG_IGN: u64 = 1;

named! {
    /// rt_sigprocmask's `how`.
    SIGPROCMASK_HOW: u64 = [SIG_BLOCK, SIG_UNBLOCK, SIG_SETMASK]
}

named! {
    /// `struct sigaction`'s flags, in strace's order.
    SA_FLAGS: u64 = [
        SA_RESTORER, SA_ONSTACK, SA_RESTART, SA_NODEFER, SA_RESETHAND,
        SA_NOCLDSTOP, SA_NOCLDWAIT, SA_SIGINFO,
    ]
}

named! {
    /// SIGCHLD's `si_code`s (a C `int` in `siginfo_t`): how the child
    /// changed state.
    CHILD_CODES: i32 = [CLD_EXITED, CLD_KILLED, CLD_DUMPED, CLD_TRAPPED, CLD_STOPPED, CLD_CONTINUED]
}
