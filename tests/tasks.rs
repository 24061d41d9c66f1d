//! Tasks and thread groups: the conformance program for clone,
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

/// The kernel's own counts (reported to the host, not printed by the
/// program) are back where they were before the bulk work: every frame,
/// page table and task record came back, and the kernel heap grew only by
/// the kernel-stack cache and a few containers' capacity (a per-task leak
/// of 32 bytes over thousands of tasks would exceed the slack).
fn assert_nothing_leaked(log: &str) {
    let before = stats(log, 1);
    let after = stats(log, 2);
    assert_eq!(
        before["free_frames"], after["free_frames"],
        "frames leaked:\n{log}"
    );
    assert_eq!(before["tasks"], after["tasks"], "tasks left behind:\n{log}");
    assert!(
        after["kstack_hits"] > 0,
        "the kernel-stack cache was never used:\n{log}"
    );
    const KSTACK: u64 = 32 * 1024;
    let cache_growth = (after["cached_kstacks"] - before["cached_kstacks"]) * KSTACK;
    let heap_growth = after["heap_used"] - before["heap_used"];
    assert!(
        heap_growth <= cache_growth + 6 * 1024,
        "kernel heap grew by {heap_growth} bytes, the stack cache by {cache_growth}:\n{log}"
    );
}

/// Task churn: 10,000 threads created and joined one
/// after another, then 256 alive at once — same results as Linux, nothing
/// leaked, every kernel invariant holding after every syscall (--check).
#[test]
fn ten_thousand_threads_and_256_at_once() {
    let r = same_as_native_with(
        &["--timeout", STRESS_TIMEOUT],
        "threads-stress",
        &["10000", "256", "0"],
        &[],
    );
    assert!(
        r.stdout
            .contains("sequential threads created and joined: 10000 of 10000"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("threads alive at once: 256 of 256"),
        "{}",
        r.stdout
    );
    assert_nothing_leaked(&r.log);
}

/// 1,000 fork/exit/wait cycles: same results as Linux, nothing leaked.
#[test]
fn a_thousand_forks() {
    let r = same_as_native_with(
        &["--timeout", STRESS_TIMEOUT],
        "threads-stress",
        &["0", "0", "1000"],
        &[],
    );
    assert!(
        r.stdout.contains("fork/exit/wait cycles: 1000 of 1000"),
        "{}",
        r.stdout
    );
    assert_nothing_leaked(&r.log);
}

/// The statistics comparison above can fail: snapshots that differ are
/// told apart (checked on made-up lines).
#[test]
fn stats_parser_reads_snapshots() {
    let text = "[guest kernel] stats 1: free_frames=10 tasks=1\n[guest kernel] stats 2: free_frames=9 tasks=1\n";
    assert_eq!(stats(text, 1)["free_frames"], 10);
    assert_ne!(stats(text, 1)["free_frames"], stats(text, 2)["free_frames"]);
}

/// A thread spinning forever does not stop the main thread from finishing
/// (LAPIC timer preemption), and nanosleep sleeps at least as asked.
#[test]
fn spinning_thread_is_preempted() {
    let r = same_as_native("preempt", &[], &[]);
    assert!(
        r.stdout.contains("main ran alongside the spinner: yes"),
        "{}",
        r.stdout
    );
}

/// kill / tgkill / tkill, masks, SIG_IGN and default actions: the same
/// return values and the same child deaths as on Linux.
#[test]
fn signals_default_actions_match_linux() {
    let r = same_as_native("signals", &[], &[]);
    assert!(
        r.stdout
            .contains("SIGKILL from the parent: killed by signal 9"),
        "{}",
        r.stdout
    );
}

/// futex timeouts (relative, absolute on both clocks, bad timespecs) and
/// wake-ups that beat them, as Linux.
#[test]
fn futex_timeouts_match_linux() {
    let r = same_as_native("futex", &[], &[]);
    assert!(
        r.stdout.contains(
            "WAIT_BITSET monotonic deadline +30 ms: ETIMEDOUT, waited at least 30 ms: yes"
        ),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("waker woke 1"), "{}", r.stdout);
}

/// Timeouts of centuries (as many TSC cycles as 64 bits hold, and a bit
/// more) and a tv_sec whose nanoseconds saturate 64 bits: futex waits stay
/// until woken and sleepers stay asleep, as in Linux. The first timeout is
/// the shortest whose cycle count at the guest's TSC frequency (a vCPU's,
/// as the VMM reads it) just passes 2^64: a conversion or deadline that
/// wraps makes it end at once.
#[test]
fn timeouts_too_long_for_the_tsc_wait_as_linux() {
    let [wraps, saturates] = huge_timeouts();
    let r = same_as_native("huge-timeouts", &[&wraps, &saturates], &[]);
    for t in [&wraps, &saturates] {
        assert!(
            r.stdout.contains(&format!("FUTEX_WAIT {t} s, woken: 0")),
            "{}",
            r.stdout
        );
        assert!(
            r.stdout
                .contains(&format!("TIMER_ABSTIME {t} s: still asleep")),
            "{}",
            r.stdout
        );
    }
    assert_eq!(r.stdout.matches("still asleep").count(), 6, "{}", r.stdout);
}

/// The task-creation benchmark program (what `vmm bench` runs) works on
/// both sides:
/// every operation reports a positive median natively and in the guest.
/// (It measures; it asserts no speed.)
#[test]
fn bench_clone_reports_every_operation() {
    for r in [
        native("bench-clone", &["5"], &[]),
        guest("bench-clone", &["5"], &[]),
    ] {
        assert_eq!(r.code, 0, "{}", r.stderr);
        let medians: Vec<u64> = r
            .stdout
            .lines()
            .filter_map(|l| l.split("median ").nth(1)?.split(' ').next()?.parse().ok())
            .collect();
        // The signal rows are skipped, saying so, where signals are not
        // delivered to handlers.
        let skipped = r
            .stdout
            .lines()
            .filter(|l| l.starts_with("skipped "))
            .count();
        assert_eq!(medians.len() + skipped, 15, "{}", r.stdout);
        assert!(medians.iter().all(|&m| m > 0), "{}", r.stdout);
    }
}

/// clone when the kernel heap is exhausted (a 16 MiB guest has a 2 MiB
/// heap, room for a few dozen task records and kernel stacks): the call
/// fails with ENOMEM, the program carries on, and once its threads are gone
/// clone works again. (Linux may say ENOMEM or EAGAIN at its own limit, at
/// a count of its own, so this runs in the guest only; with the invariants
/// checked at every stop, so the failed clone leaves no half-built task.)
#[test]
fn clone_out_of_kernel_memory_is_enomem() {
    let r = guest_with(
        &["--check-mode", "verify", "--memory", "16M"],
        "clone-nomem",
        &[],
        &[],
    );
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(
        r.stdout,
        "clone failed with: ENOMEM\nthreads created before: some\nall joined; clone works again: yes\n",
        "{}",
        r.stderr
    );
}
