//! Signals: the 31 standard ones (numbers from `linux-raw-sys`, names the
//! identifiers), then the real-time range up to [`NSIG`].

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

/// rt_sigprocmask's `how`.
pub const SIG_BLOCK: u64 = raw::SIG_BLOCK as u64;
pub const SIG_UNBLOCK: u64 = raw::SIG_UNBLOCK as u64;
pub const SIG_SETMASK: u64 = raw::SIG_SETMASK as u64;
