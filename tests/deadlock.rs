//! The deadlock exit: when every guest task is blocked and nothing can wake
//! any of them, the kernel says so and vmm ends the run at once with its
//! own status (121), one line naming the deadlock, and who waits on what —
//! each task's pid, tgid, state and wait (a futex word by address and the
//! program's symbol for it, a vfork child by pid), its signal state and
//! its user backtrace.

mod common;

const DEADLOCK: i32 = 121;

fn deadlocked(args: &[&str]) -> common::Run {
    let prog = common::guest_bin("deadlock");
    let mut a = vec!["run", "--timeout", "30"];
    a.extend_from_slice(args);
    let prog = prog.to_string_lossy().into_owned();
    a.push(&prog);
    common::vmm(&a)
}

/// The block of the report for `pid`: its line and the indented lines
/// after it.
fn task_block(stderr: &str, pid: i32) -> &str {
    let head = format!("\n  pid {pid} (tgid ");
    let at = stderr
        .find(&head)
        .unwrap_or_else(|| panic!("no pid {pid}:\n{stderr}"))
        + 1;
    let rest = &stderr[at..];
    let end = rest[1..].find("\n  pid ").map_or(rest.len(), |e| e + 1);
    rest[..end].trim_start()
}

#[test]
fn two_threads_waiting_for_each_others_mutex() {
    for opts in [&[][..], &["--strace"], &["--check"]] {
        let r = deadlocked(opts);
        assert_eq!(r.code, DEADLOCK, "{opts:?}: {}", r.stderr);
        assert_eq!(r.stdout, "", "{opts:?}");
        let first = r
            .stderr
            .lines()
            .find(|l| l.starts_with("vmm: "))
            .unwrap_or("");
        assert!(
            first.contains("/deadlock deadlocked: every task is blocked and nothing can wake them"),
            "{opts:?}: {}",
            r.stderr
        );
        let main = task_block(&r.stderr, 1);
        assert!(
            main.starts_with("pid 1 (tgid 1): sleeping, waits for futex 0x"),
            "{main}"
        );
        assert!(main.contains(" (mutex_b+0x0)\n"), "{main}");
        assert!(main.contains("signals: pending [], blocked []"), "{main}");
        assert!(main.contains(" main+"), "{main}");
        let thread = task_block(&r.stderr, 2);
        assert!(
            thread.starts_with("pid 2 (tgid 1): sleeping, waits for futex 0x"),
            "{thread}"
        );
        assert!(thread.contains(" (mutex_a+0x0)\n"), "{thread}");
        assert!(thread.contains(" b_then_a+"), "{thread}");
        // Never Rust's Debug output.
        assert!(!r.stderr.contains("Some("), "{}", r.stderr);
    }
}

#[test]
fn a_vfork_parent_and_its_stuck_child() {
    let prog = common::guest_bin("deadlock");
    let r = common::vmm(&["run", "--timeout", "30", prog.to_str().unwrap(), "vfork"]);
    assert_eq!(r.code, DEADLOCK, "{}", r.stderr);
    let parent = task_block(&r.stderr, 1);
    assert!(
        parent.starts_with("pid 1 (tgid 1): sleeping, waits for vfork child pid 2\n"),
        "{parent}"
    );
    let child = task_block(&r.stderr, 2);
    assert!(
        child.starts_with("pid 2 (tgid 2): sleeping, waits for futex 0x"),
        "{child}"
    );
    assert!(child.contains(" (never_woken+0x0)\n"), "{child}");
}
