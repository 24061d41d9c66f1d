//! Pipes: the conformance program `pipeconf` (pipe and pipe2, EOF and
//! EPIPE/SIGPIPE, O_NONBLOCK and the capacity, FIONREAD, fstat, blocking
//! across threads and fork, interrupted calls, poll and ppoll,
//! cancellation) prints the same natively and in the guest, built against
//! guest-libc and against glibc.

mod common;
use common::*;

/// Fewer lines than this means the native run stopped early, and the
/// comparison would prove little.
const MIN_CASES: usize = 70;

/// Runs a conformance program both ways and checks that it ran to the end.
fn conforms(name: &str) -> Run {
    let r = same_as_native(name, &[], &[]);
    assert_eq!(r.code, 0, "{name} failed:\n{}\n{}", r.stdout, r.stderr);
    let cases = r.stdout.lines().count();
    assert!(
        cases >= MIN_CASES,
        "{name}: only {cases} cases:\n{}",
        r.stdout
    );
    assert!(
        !r.stdout.contains("skipped"),
        "{name}: cases skipped:\n{}",
        r.stdout
    );
    r
}

#[test]
fn pipeconf_matches_linux() {
    let r = conforms("pipeconf");
    assert!(
        r.stdout
            .contains("nonblock-capacity: big-write=65536 then-1-byte=EAGAIN"),
        "{}",
        r.stdout
    );
}

/// The same cases through glibc's wrappers (pipe as pipe2, fstat as
/// newfstatat, its cancellation of read, write, poll and ppoll).
#[test]
fn pipeconf_glibc_matches_linux() {
    conforms("pipeconf-glibc");
}

/// Natively, guest-libc's build of pipeconf prints what glibc's does: the
/// guest comparisons above check the kernel, this one the library.
#[test]
fn guest_libc_pipeconf_agrees_with_glibc() {
    let ours = same_as_glibc_natively("pipeconf", "pipeconf-glibc");
    assert_eq!(ours.code, 0, "{}\n{}", ours.stdout, ours.stderr);
    assert!(ours.stdout.lines().count() >= MIN_CASES, "{}", ours.stdout);
}
