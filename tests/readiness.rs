//! epoll and select as glibc's programs use them (`readiness`, built
//! against glibc): level- and edge-triggered epoll, oneshot, hang-ups,
//! their errors, interruption by signals and the signal masks of
//! epoll_pwait and pselect; the same lines natively and in the guest.

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
