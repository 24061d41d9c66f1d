//! Cancellation, semaphores, timed waits, pthread_atfork, the signal
//! interfaces and static TLS (`nptl-cancel`): guest-libc's build prints the
//! same natively and in the guest, and the same source linked statically
//! against the host's glibc prints the same natively and in the guest —
//! glibc's nptl being the reference for what guest-libc does.

mod common;
use common::*;

/// Lines every correct run prints (glibc's behaviour, checked natively).
const EXPECTED: &[&str] = &[
    "nanosleep cancelled: join PTHREAD_CANCELED, handlers: inner outer ",
    "async spinner cancelled: join PTHREAD_CANCELED, handlers: async-handler ",
    "sem_wait cancelled: join PTHREAD_CANCELED, handlers: sem-handler , value still 0",
    "cond_wait cancelled: join PTHREAD_CANCELED, handlers: cond-handler , mutex held in handler: yes",
    "cancel while disabled: nanosleep returned 0, then was-disabled , join PTHREAD_CANCELED, after testcancel: no",
    "pthread_exit: join 7, handlers: popped-run kept-2 kept-1 ",
    "cancel runs handlers then destructors: join PTHREAD_CANCELED, key-thread-handler destructor ",
    "pthread_join cancelled: join PTHREAD_CANCELED, handlers: joiner-handler , target joined later: 0 5",
    "sem_wait interrupted by a handler: -1 EINTR",
    "sem_wait with SA_RESTART handler: 0",
    "timedlock held mutex: ETIMEDOUT",
    "cond_timedwait monotonic: ETIMEDOUT, mutex held after: yes",
    "atfork child: prepare2 prepare1 child1 child2 ",
    "atfork parent: prepare2 prepare1 parent1 parent2 ",
    "tls in main: 1 2 3 4 5 6",
    "tls in a thread: 1 2 3 4 5 6",
    "SIGRTMIN 34, SIGRTMAX 64",
    "nanosleep interrupted: -1 EINTR, time left written, at most 5 s: yes",
];

fn assert_expected(what: &str, out: &str) {
    for line in EXPECTED {
        assert!(
            out.lines().any(|l| l == *line),
            "{what}: missing line {line:?} in:\n{out}"
        );
    }
}

/// The native halves: guest-libc's build and glibc's print the same, and
/// what glibc's nptl does.
#[test]
fn guest_libc_matches_glibc_natively() {
    let ours = native("nptl-cancel", &[], &[]);
    let theirs = native("nptl-cancel-glibc", &[], &[]);
    assert_eq!(theirs.code, 0, "glibc build: {}", theirs.stderr);
    assert_expected("glibc build", &theirs.stdout);
    assert_eq!(
        ours.stdout, theirs.stdout,
        "guest-libc's build differs from glibc's, natively"
    );
    assert_eq!(ours.code, theirs.code);
}

/// guest-libc's build in the guest: what it prints natively.
#[test]
fn cancellation_behaves_like_on_linux() {
    let r = same_as_native("nptl-cancel", &[], &[]);
    assert_expected("guest", &r.stdout);
}

/// glibc's own build in the guest (its nptl, its SIGCANCEL handler, its
/// cancellation bridge): what it prints natively.
#[test]
fn glibc_build_behaves_like_on_linux() {
    let r = same_as_native("nptl-cancel-glibc", &[], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_expected("glibc build in the guest", &r.stdout);
}
