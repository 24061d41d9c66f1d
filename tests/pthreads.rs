//! guest-libc's POSIX threads: the same program prints the same
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
        ("tcb", offset_of!(Pthread, head.tcb)),
        ("dtv", offset_of!(Pthread, head.dtv)),
        ("self", offset_of!(Pthread, head.self_)),
        ("stack_guard", offset_of!(Pthread, head.stack_guard)),
        ("tid", offset_of!(Pthread, head.tid)),
        ("detached", offset_of!(Pthread, head.detached)),
        ("list", offset_of!(Pthread, head.list)),
        ("stackblock", offset_of!(Pthread, head.stackblock)),
        ("stackblock_size", offset_of!(Pthread, head.stackblock_size)),
        ("guardsize", offset_of!(Pthread, head.guardsize)),
        ("user_stack", offset_of!(Pthread, head.user_stack)),
        ("start_routine", offset_of!(Pthread, head.start_routine)),
        ("arg", offset_of!(Pthread, head.arg)),
        ("result", offset_of!(Pthread, head.result)),
        ("sigmask", offset_of!(Pthread, head.sigmask)),
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

/// Both ways the library starts threads: clone3, and legacy clone after
/// the kernel (booted with `clone3=enosys`) refused clone3.
const CLONE_PATHS: [&[&str]; 2] = [&[], &["--cmdline", "clone3=enosys"]];

/// Runs `name` natively and in the guest on both clone paths and asserts
/// the same stdout and exit status everywhere. Returns the native run and
/// the guest runs (clone3 first), and prints how long each guest run took.
fn same_on_both_clone_paths(name: &str, args: &[&str], env: &[(&str, &str)]) -> (Run, Vec<Run>) {
    let t = std::time::Instant::now();
    let n = native(name, args, env);
    eprintln!("{name}: native run took {:?}", t.elapsed());
    let mut guests = Vec::new();
    for opts in CLONE_PATHS {
        let t = std::time::Instant::now();
        let g = guest_with(opts, name, args, env);
        eprintln!("{name} {opts:?}: guest run took {:?}", t.elapsed());
        assert_eq!(
            g.stdout, n.stdout,
            "{name} {opts:?}: guest stdout differs from native Linux\n--- guest stderr:\n{}",
            g.stderr
        );
        assert_eq!(
            g.code, n.code,
            "{name} {opts:?}: exit status differs (guest stderr: {})",
            g.stderr
        );
        guests.push(g);
    }
    (n, guests)
}

fn assert_lines(out: &str, expected: &[&str]) {
    for line in expected {
        assert!(
            out.lines().any(|l| l == *line),
            "missing line {line:?} in:\n{out}"
        );
    }
}

/// 64 threads x 10,000 mutex-protected increments, and a bounded queue
/// between producers and consumers on two condition variables: exact
/// totals natively and in the guest, on both clone paths.
#[test]
fn mutex_and_cond_stress_totals_are_exact() {
    let (n, _) = same_on_both_clone_paths("pthread-stress", &["64", "10000", "4", "500"], &[]);
    assert_lines(
        &n.stdout,
        &[
            "mutex: 64 threads x 10000 increments: counter 640000 (expected 640000), shadow 640000 640000",
            "cond: 4 producers, 4 consumers: 2000 items consumed (expected 2000), sum exact",
        ],
    );
}

/// The stack cache seen from the program, with its limit set to 1 MiB by
/// the environment: same-size reuse, the 4x rule, the limit (and the
/// stacks beyond it really unmapped), user stacks never cached.
#[test]
fn stack_cache_reuses_within_limits() {
    let env = [("THREADLAB_STACK_CACHE_SIZE", "1048576")];
    let (n, _) = same_on_both_clone_paths("stack-cache", &[], &env);
    assert_lines(
        &n.stdout,
        &[
            "cache limit: 1024 KiB, cached now: 0 KiB",
            "same size reuses the joined thread's stack: yes (cache before: 256 KiB, while it ran: 0 KiB)",
            "a cached stack exactly 4x the wanted size is reused: yes (cache before: 256 KiB, while it ran: 0 KiB)",
            "a cached stack more than 4x the wanted size is not reused: yes (cache before: 256 KiB, while it ran: 256 KiB)",
            "8 threads at once had distinct stacks: yes",
            "after joining them the cache holds 1024 KiB; stacks still mapped: 4, unmapped: 4",
            "every cached stack is mapped and every other one unmapped: yes",
            "a user stack runs the thread on it: yes",
            "a user stack is not added to the cache: yes",
            "a user stack is never given to a later thread: yes",
            "the user stack is still the user's (mapped, writable): yes",
            "highest cache size seen: 1024 KiB; above the limit: 0 time(s)",
        ],
    );
}

/// The checks above can fail: with the cache disabled nothing is reused.
#[test]
fn stack_cache_disabled_reuses_nothing() {
    let r = same_as_native("stack-cache", &[], &[("THREADLAB_STACK_CACHE_SIZE", "0")]);
    assert_lines(
        &r.stdout,
        &[
            "same size reuses the joined thread's stack: no (cache before: 0 KiB, while it ran: 0 KiB)",
            "highest cache size seen: 0 KiB; above the limit: 0 time(s)",
        ],
    );
}

/// A thread running off its stack dies on the guard page: SIGSEGV ends the
/// process (status 139, natively and from vmm) and the fault address the
/// guest kernel reports lies in that thread's guard page. With a fork in
/// between, the parent sees its child killed by signal 11 and goes on
/// creating threads: the kernel kept running.
#[test]
fn stack_overflow_dies_on_the_guard_page() {
    let (n, guests) = same_on_both_clone_paths("stack-overflow", &[], &[]);
    assert_eq!(n.code, 139, "native: {}", n.stderr);
    for g in &guests {
        assert_eq!(g.code, 139, "{}", g.stderr);
        let hex = |s: &str| u64::from_str_radix(s.trim_start_matches("0x"), 16).unwrap();
        let (lo, hi) = g
            .stderr
            .lines()
            .find_map(|l| l.strip_prefix("guard page: "))
            .and_then(|r| r.split_once('-'))
            .map(|(a, b)| (hex(a), hex(b.trim())))
            .unwrap_or_else(|| panic!("no guard page line:\n{}", g.stderr));
        let fault = g
            .stderr
            .split("page fault at address ")
            .nth(1)
            .and_then(|r| r.split([',', ' ']).next())
            .map(hex)
            .unwrap_or_else(|| panic!("no fault address:\n{}", g.stderr));
        assert!(
            (lo..hi).contains(&fault),
            "fault at {fault:#x}, guard page {lo:#x}-{hi:#x}:\n{}",
            g.stderr
        );
    }
    let (n, _) = same_on_both_clone_paths("stack-overflow", &["fork"], &[]);
    assert_eq!(n.code, 0);
    assert_lines(
        &n.stdout,
        &[
            "the child was killed by signal 11",
            "the parent still runs threads afterwards: yes",
        ],
    );
}

/// free() gives memory back: 48 KiB blocks drop their pages (they read
/// back as zero; the guest kernel's free frame count goes up by at least
/// what the program touched inside them; natively mincore finds none
/// resident), a 256 KiB block is unmapped.
#[test]
fn free_gives_memory_back_to_the_kernel() {
    let g = same_as_native("malloc-trim", &[], &[]);
    assert_lines(
        &g.stdout,
        &[
            "allocated and filled 64 blocks of 48 KiB",
            "freed blocks whose pages went back to the kernel (read back as zero): 64 of 64",
            "allocated again: 64 reuse a freed block, 64 usable",
            "a 256 KiB block is mapped while in use: yes, unmapped after free: yes",
        ],
    );
    let before = stats(&g.log, 1)["free_frames"];
    let after = stats(&g.log, 2)["free_frames"];
    // 64 blocks x 10 whole pages after each block's first page.
    assert!(
        after >= before + 640,
        "free frames {before} -> {after}: freed blocks kept their pages\n{}",
        g.log
    );
    let n = native("malloc-trim", &[], &[]);
    assert!(
        n.stderr
            .contains("mincore: 0 of 640 freed pages still resident"),
        "{}",
        n.stderr
    );
}
