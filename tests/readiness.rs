//! epoll and select as glibc's programs use them (`readiness`, built
//! against glibc): level- and edge-triggered epoll, oneshot, hang-ups,
//! their errors, interruption by signals and the signal masks of
//! epoll_pwait and pselect; and the wake-ups of a thread already asleep in
//! epoll_wait (`epoll-wakeups`); eventfd (`eventfd`); the same lines
//! natively and in the guest.

mod common;
use common::*;

#[test]
fn epoll_and_select_match_linux() {
    let r = same_as_native("readiness", &[], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let cases = r.stdout.lines().count();
    assert!(cases >= 40, "only {cases} cases:\n{}", r.stdout);
    assert!(
        r.stdout.contains("epoll-level-round-robin: 012012"),
        "{}",
        r.stdout
    );
}

/// A thread asleep in epoll_wait (or in poll on an epoll descriptor) is
/// woken by what another thread does: closing the last descriptor of a
/// watched pipe end, EPOLL_CTL_ADD and MOD, a write to a watched pipe.
/// Each case prints "not woken" where the wake-up was lost.
#[test]
fn epoll_sleepers_are_woken_as_on_linux() {
    let r = same_as_native("epoll-wakeups", &[], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.ends_with("done\n"), "{}", r.stdout);
    assert!(!r.stdout.contains("not woken"), "{}", r.stdout);
    assert!(
        r.stdout.contains("close-write-end-after-del: 1 HUP data=0"),
        "{}",
        r.stdout
    );
}

/// eventfd: the counter, semaphore mode, the limits, poll and epoll
/// readiness, a blocked reader woken by a writer thread, EINTR.
#[test]
fn eventfd_matches_linux() {
    let r = same_as_native("eventfd", &[], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("blocking-read: 8 value=5"),
        "{}",
        r.stdout
    );
    assert_eq!(r.stdout.lines().count(), 17, "{}", r.stdout);
}
