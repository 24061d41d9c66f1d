//! execve and execveat: the conformance program `exec` (the new program's
//! arguments, names, registers and FPU; what survives an exec and what
//! does not; exec from a thread that is not the leader, from vfork and
//! CLONE_VM children; `#!` scripts; the errors, after which the caller
//! carries on) prints the same natively and in the guest, where every
//! system call is checked (`--check-mode verify`), the middle of an exec's
//! de_thread and the address spaces execve builds included.

mod common;
use common::*;

/// Fewer lines than this means a run stopped early.
const MIN_LINES: usize = 70;

/// The cases take some 30 s of an emulated guest kernel on an idle host,
/// most of it the 2 MiB of strings the E2BIG cases make it read.
const TIMEOUT: &[&str] = &["--timeout", STRESS_TIMEOUT];

#[test]
fn exec_matches_linux() {
    let r = same_as_native_with(TIMEOUT, "exec", &[], &[]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let lines = r.stdout.lines().count();
    assert!(lines >= MIN_LINES, "only {lines} lines:\n{}", r.stdout);
    for expected in [
        "basic-state: nonzero-regs=[rsp] rflags=0x202",
        "thread-exec: exited 42 pid=same tid=pid ppid=same reaped=its child",
        "vfork: parent ran on before the child's exit",
        "scripts-6-deep: exec failed: ELOOP",
        "errors: the process carries on, its thread joined",
    ] {
        assert!(
            r.stdout.contains(expected),
            "no {expected:?} in:\n{}",
            r.stdout
        );
    }
}

/// The program execs itself through /proc/self/exe, from its main thread
/// and from another (the VMM puts the program into the guest's file tree
/// at its host path).
#[test]
fn exec_of_itself_matches_linux() {
    let r = same_as_native_with(TIMEOUT, "exec", &["self"], &[]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains("self-child: argc=5 [self-child] [one] [two words] [] env: [X=1] [EMPTY=]"),
        "{}",
        r.stdout
    );
}
