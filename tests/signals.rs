//! Signals: the conformance program `sigconf` prints the same natively and
//! in the guest, built against guest-libc and against glibc; thread
//! cancellation (delivered by signals) through glibc and musl; and a thread
//! woken by one that then spins in user mode still runs.

mod common;
use common::*;

/// Runs a conformance program both ways and checks that it ran to the end
/// with at least `min_cases` lines (a short native run would make the
/// comparison vacuous).
fn conforms(name: &str, min_cases: usize) -> Run {
    let r = same_as_native(name, &[], &[]);
    assert_eq!(r.code, 0, "{name} failed:\n{}\n{}", r.stdout, r.stderr);
    let cases = r.stdout.lines().count();
    assert!(
        cases >= min_cases,
        "{name}: only {cases} cases:\n{}",
        r.stdout
    );
    r
}

#[test]
fn sigconf_matches_linux() {
    let r = conforms("sigconf", 60);
    assert!(
        r.stdout
            .contains("siginfo-sigqueue: ret=0 handled=1 si_code=SI_QUEUE si_value=4242"),
        "{}",
        r.stdout
    );
}

/// The same cases through glibc's sigaction (its own restorer), sigwait,
/// timers and threads.
#[test]
fn sigconf_glibc_matches_linux() {
    conforms("sigconf-glibc", 60);
}

/// Natively, guest-libc's build of sigconf prints what glibc's does: the
/// guest comparisons above check the kernel, this one the library (glibc
/// being the reference for what the C interfaces do on Linux).
#[test]
fn guest_libc_sigconf_agrees_with_glibc() {
    same_as_glibc_natively("sigconf", "sigconf-glibc");
}

#[test]
fn cancellation_through_glibc_matches_linux() {
    let r = conforms("cancel-glibc", 9);
    assert!(
        r.stdout
            .contains("asynchronous-while-spinning: cancel=0 join=0 result=PTHREAD_CANCELED"),
        "{}",
        r.stdout
    );
}

/// Built only where the host has musl-gcc; CI installs it, so there its
/// absence is a failure rather than a skip.
#[test]
fn cancellation_through_musl_matches_linux() {
    let built = std::path::Path::new(env!("GUEST_BIN_DIR")).join("cancel-musl");
    if !built.exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            "cancel-musl was not built: musl-gcc (musl-tools) is missing"
        );
        eprintln!("cancel-musl not built (no musl-gcc): skipped");
        return;
    }
    conforms("cancel-musl", 9);
}

/// A thread woken through a futex runs although its waker never makes
/// another system call: the kernel must preempt a thread spinning in user
/// mode. (The program gives up after about 20 s and prints "starved".)
#[test]
fn woken_thread_runs_while_waker_spins() {
    let n = native("starve", &[], &[]);
    assert_eq!(n.stdout, "woken thread ran\n", "natively: {}", n.stderr);
    let g = guest_with(&["--timeout", GUARD_TIMEOUT], "starve", &[], &[]);
    assert_eq!(
        g.stdout, "woken thread ran\n",
        "in the guest (status {}): {}",
        g.code, g.stderr
    );
    assert_eq!(g.code, 0, "{}", g.stderr);
}

/// Returns SYSRET cannot do: registers a handler rewrote in its ucontext
/// (rcx and r11 among them), a non-canonical rip (SIGSEGV) and a set trap
/// flag (SIGTRAP after one instruction) come back as on Linux.
#[test]
fn sigreturn_restores_what_the_handler_wrote() {
    let r = same_as_native("sigreturn-regs", &[], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout.lines().count(), 3, "{}", r.stdout);
}
