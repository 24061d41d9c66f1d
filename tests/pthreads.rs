//! guest-libc's POSIX threads (issue 4): the same program prints the same
//! natively and in the guest — with clone3, and with the kernel answering
//! clone3 with ENOSYS so the library falls back to legacy clone.

mod common;
use common::*;

#[test]
fn pthreads_behave_like_on_linux() {
    let r = same_as_native("pthreads", &[], &[]);
    assert!(
        r.stdout.contains("mutex-protected counter: 16000"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("a thread still ran after main called pthread_exit"),
        "{}",
        r.stdout
    );
}

#[test]
fn pthreads_fall_back_to_clone_without_clone3() {
    let native = native("pthreads", &[], &[]);
    let prog = guest_bin("pthreads");
    let r = vmm(&["run", "--cmdline", "clone3=enosys", prog.to_str().unwrap()]);
    assert_eq!(r.code, 0, "stderr: {}", r.stderr);
    assert_eq!(r.stdout, native.stdout);
    // With clone3 refused, threads can only come to life through the
    // library's fallback to legacy clone.
    assert!(r.stdout.contains("join 3 returned 30"), "{}", r.stdout);
}

#[test]
fn fork_vfork_and_signal_wrappers_behave_like_on_linux() {
    let r = same_as_native("process", &[], &[]);
    assert!(r.stdout.contains("vfork child exited 9, wrote parent memory: yes"), "{}", r.stdout);
}
