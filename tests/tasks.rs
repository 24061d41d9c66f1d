//! Tasks and thread groups (issue 3): the conformance program for clone,
//! clone3, exit, exit_group and wait4 prints the same lines natively and in
//! the guest.

mod common;
use common::*;

#[test]
fn clone_semantics_match_linux() {
    let r = same_as_native("clone-semantics", &[], &[]);
    let cases = r.stdout.lines().count();
    assert!(cases >= 150, "only {cases} cases:\n{}", r.stdout);
    assert!(
        r.stdout
            .contains("thread: CHILD_CLEARTID cleared the tid: yes"),
        "{}",
        r.stdout
    );
}
