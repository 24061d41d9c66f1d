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
    assert!(
        r.stdout
            .contains("vfork child exited 9, wrote parent memory: yes"),
        "{}",
        r.stdout
    );
}

/// guest/abi's `Pthread` (what the host will read from guest memory) has
/// exactly the C library's layout: compiled C offsets vs Rust offsets.
#[test]
fn nptl_layout_matches_the_abi() {
    use abi::nptl::{ListHead, Pthread};
    use std::mem::{offset_of, size_of};
    let r = native("nptl-layout", &[], &[]);
    assert_eq!(r.code, 0);
    let c: std::collections::HashMap<&str, usize> = r
        .stdout
        .lines()
        .filter_map(|l| l.split_once(' '))
        .map(|(k, v)| (k, v.parse().unwrap()))
        .collect();
    let rust = [
        ("size", size_of::<Pthread>()),
        ("tcb", offset_of!(Pthread, tcb)),
        ("dtv", offset_of!(Pthread, dtv)),
        ("self", offset_of!(Pthread, self_)),
        ("stack_guard", offset_of!(Pthread, stack_guard)),
        ("tid", offset_of!(Pthread, tid)),
        ("detached", offset_of!(Pthread, detached)),
        ("list", offset_of!(Pthread, list)),
        ("stackblock", offset_of!(Pthread, stackblock)),
        ("stackblock_size", offset_of!(Pthread, stackblock_size)),
        ("guardsize", offset_of!(Pthread, guardsize)),
        ("user_stack", offset_of!(Pthread, user_stack)),
        ("start_routine", offset_of!(Pthread, start_routine)),
        ("arg", offset_of!(Pthread, arg)),
        ("result", offset_of!(Pthread, result)),
        ("sigmask", offset_of!(Pthread, sigmask)),
        ("specific", offset_of!(Pthread, specific)),
        ("specific_seq", offset_of!(Pthread, specific_seq)),
        ("list_head", size_of::<ListHead>()),
    ];
    for (name, offset) in rust {
        assert_eq!(
            c.get(name),
            Some(&offset),
            "{name}: C says {:?}, guest/abi says {offset}",
            c.get(name)
        );
    }
}
