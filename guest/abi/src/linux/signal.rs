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

/// The only `sigsetsize` the rt_sig* calls, ppoll and pselect6 accept: the
/// kernel's sigset_t, one bit per signal.
pub const SIGSET_SIZE: u64 = NSIG / 8;

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

named! {
    /// `si_code`s any signal may carry (a C `int`): who sent it. Negative
    /// values come from user space, SI_KERNEL from the kernel itself.
    SEND_CODES: i32 = [
        SI_USER = raw::SI_USER as i32, SI_KERNEL = raw::SI_KERNEL as i32, SI_QUEUE, SI_TIMER,
        SI_MESGQ, SI_ASYNCIO, SI_SIGIO, SI_TKILL,
    ]
}

named! {
    /// SIGSEGV's `si_code`s.
    SEGV_CODES: i32 = [SEGV_MAPERR = raw::SEGV_MAPERR as i32, SEGV_ACCERR = raw::SEGV_ACCERR as i32]
}

named! {
    /// SIGBUS's `si_code`s.
    BUS_CODES: i32 = [BUS_ADRALN = raw::BUS_ADRALN as i32, BUS_ADRERR = raw::BUS_ADRERR as i32]
}

named! {
    /// SIGILL's `si_code`s.
    ILL_CODES: i32 = [
        ILL_ILLOPC = raw::ILL_ILLOPC as i32, ILL_ILLOPN = raw::ILL_ILLOPN as i32,
        ILL_PRVOPC = raw::ILL_PRVOPC as i32, ILL_BADSTK = raw::ILL_BADSTK as i32,
    ]
}

named! {
    /// SIGFPE's `si_code`s.
    FPE_CODES: i32 = [
        FPE_INTDIV = raw::FPE_INTDIV as i32, FPE_INTOVF = raw::FPE_INTOVF as i32,
        FPE_FLTDIV = raw::FPE_FLTDIV as i32, FPE_FLTINV = raw::FPE_FLTINV as i32,
    ]
}

named! {
    /// SIGTRAP's `si_code`s.
    TRAP_CODES: i32 = [TRAP_BRKPT = raw::TRAP_BRKPT as i32, TRAP_TRACE = raw::TRAP_TRACE as i32]
}

named! {
    /// sigaltstack's `ss_flags`.
    SS_FLAGS: u64 = [SS_ONSTACK, SS_DISABLE, SS_AUTODISARM]
}

/// The `ss_flags` bits that are flags rather than the mode (SS_AUTODISARM).
pub const SS_FLAG_BITS: u64 = raw::SS_FLAG_BITS as u64;

/// The smallest alternate stack sigaltstack accepts, and the size C
/// libraries suggest.
pub const MINSIGSTKSZ: u64 = raw::MINSIGSTKSZ as u64;
pub const SIGSTKSZ: u64 = raw::SIGSTKSZ as u64;

named! {
    /// `struct sigevent`'s `sigev_notify` (timer_create).
    SIGEV_NOTIFY: u64 = [SIGEV_SIGNAL, SIGEV_NONE, SIGEV_THREAD, SIGEV_THREAD_ID]
}

named! {
    /// setitimer / getitimer's timers.
    ITIMERS: u64 = [ITIMER_REAL, ITIMER_VIRTUAL, ITIMER_PROF]
}

/// `ucontext`'s `uc_flags` the kernel sets on a 64-bit frame: the frame
/// holds the interrupted `ss`, and rt_sigreturn restores it strictly.
pub const UC_FP_XSTATE: u64 = 0x1;
pub const UC_SIGCONTEXT_SS: u64 = 0x2;
pub const UC_STRICT_RESTORE_SS: u64 = 0x4;

/// Bit `n - 1` of a 64-signal set is signal `n`.
pub const fn sigmask(sig: u64) -> u64 {
    1 << (sig - 1)
}

/// The signals nobody can catch, block or ignore.
pub const UNBLOCKABLE: u64 = sigmask(SIGKILL) | sigmask(SIGSTOP);
