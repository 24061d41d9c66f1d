//! `vmm run --strace` against real `strace -f` of the same binary on the
//! host: the same calls, per thread, with the same decoded flags.
//!
//! Both traces are written with `-o FILE` (`strace -f -o`; `vmm run
//! --strace-output`), where every line starts with the tid. Normalization,
//! the same for both:
//! - strace's split lines (`<unfinished ...>` / `<... name resumed>`) are
//!   joined per tid (vmm prints each call whole at its return);
//! - signal deliveries (`--- SIGCHLD ... ---`, which vmm does not see) and
//!   the host's `execve` (the guest kernel loads the program itself) go;
//! - futex calls go unless they are the program's own (marker value
//!   424242): the C library's lock and join futex calls depend on timing,
//!   as does `sched_yield`;
//! - addresses (`0x...`) become `0xADDR`; tids in arguments and results
//!   (`parent_tid=[N]`, what clone/fork/gettid/set_tid_address/wait4
//!   return, wait4's pid) become `N`;
//! - the space before ` = ` is collapsed (alignment depends on the prefix).
//!
//! Threads run at once natively and one at a time in the guest, so the
//! global order differs: lines are grouped per thread, threads named by
//! creation order (the leader T0, then each tid a clone/clone3/fork in the
//! trace returns, in the order the trace shows the returns), and each
//! thread's sequence must be identical.

mod common;

use std::collections::BTreeMap;
use std::process::Command;

use common::*;

const MARKER: &str = "424242";

/// One trace: thread name -> its calls in order.
type Threads = BTreeMap<String, Vec<String>>;

/// Joins strace's `<unfinished ...>` / `<... resumed>` pairs, per tid.
fn join_split(raw: &str) -> Vec<(i64, String)> {
    let mut pending: BTreeMap<i64, String> = BTreeMap::new();
    let mut out = Vec::new();
    for line in raw.lines() {
        let Some((pid, rest)) = line.trim_start().split_once(' ') else {
            continue;
        };
        let Ok(pid) = pid.parse::<i64>() else {
            panic!("line without a tid prefix: {line:?}");
        };
        let rest = rest.trim_start();
        if let Some(head) = rest.strip_suffix(" <unfinished ...>") {
            pending.insert(pid, head.to_string());
        } else if rest.starts_with("<... ") {
            let tail = rest.split_once(" resumed>").expect("resumed line").1;
            let head = pending.remove(&pid).unwrap_or_default();
            out.push((pid, format!("{head}{tail}")));
        } else {
            out.push((pid, rest.to_string()));
        }
    }
    out
}

fn replace_hex(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'0' && b.get(i + 1) == Some(&b'x') {
            let mut j = i + 2;
            while j < b.len() && b[j].is_ascii_hexdigit() {
                j += 1;
            }
            if j > i + 2 {
                out += "0xADDR";
                i = j;
                continue;
            }
        }
        out.push(b[i] as char);
        i += 1;
    }
    out
}

/// Replaces the decimal number right after `key` with `N`.
fn replace_num_after(s: &str, key: &str) -> String {
    let Some(at) = s.find(key) else {
        return s.to_string();
    };
    let start = at + key.len();
    let end = start
        + s[start..]
            .find(|c: char| !c.is_ascii_digit() && c != '-')
            .unwrap_or(s.len() - start);
    if end == start {
        return s.to_string();
    }
    format!("{}N{}", &s[..start], &s[end..])
}

fn call_name(line: &str) -> &str {
    line.split('(').next().unwrap_or("")
}

/// The normalized calls of a `-o` trace, per thread.
fn normalize(raw: &str) -> Threads {
    let lines = join_split(raw);
    let leader = lines.first().expect("empty trace").0;
    let mut names: BTreeMap<i64, String> = BTreeMap::new();
    names.insert(leader, "T0".into());
    // Names first, from the clone returns in trace order: a child's first
    // calls may be logged before its parent's clone is resumed natively.
    for (_, line) in &lines {
        if matches!(call_name(line), "clone" | "clone3" | "fork" | "vfork") {
            let ret: Option<i64> = line
                .rsplit_once("= ")
                .and_then(|(_, r)| r.trim().parse().ok());
            if let Some(r) = ret.filter(|r| *r > 0) {
                let n = names.len();
                names.entry(r).or_insert_with(|| format!("T{n}"));
            }
        }
    }
    let mut threads = Threads::new();
    for (pid, line) in lines {
        let name = call_name(&line).to_string();
        // Collapse the alignment before the result (the last "= ").
        let line = match line.rfind("= ") {
            Some(p) => format!("{} {}", line[..p].trim_end(), &line[p..]),
            None => line,
        };
        if line.starts_with("---") || name == "execve" || name == "sched_yield" {
            continue;
        }
        if name == "futex" && !line.contains(MARKER) {
            continue;
        }
        let mut l = replace_hex(&line);
        l = replace_num_after(&l, "parent_tid=[");
        l = replace_num_after(&l, "pidfd=[");
        if matches!(
            name.as_str(),
            "clone"
                | "clone3"
                | "fork"
                | "vfork"
                | "gettid"
                | "getpid"
                | "set_tid_address"
                | "wait4"
        ) {
            l = replace_num_after(&l, ") = ");
        }
        if name == "wait4" {
            l = replace_num_after(&l, "wait4(");
        }
        let who = names
            .get(&pid)
            .cloned()
            .unwrap_or_else(|| panic!("tid {pid} appears before a clone returned it"));
        threads.entry(who).or_default().push(l);
    }
    threads
}

/// Differences between two normalized traces, one per thread that differs.
fn differences(native: &Threads, guest: &Threads) -> Vec<String> {
    let mut out = Vec::new();
    let keys: std::collections::BTreeSet<&String> = native.keys().chain(guest.keys()).collect();
    for k in keys {
        let (n, g) = (
            native.get(k).cloned().unwrap_or_default(),
            guest.get(k).cloned().unwrap_or_default(),
        );
        if n != g {
            let first = n
                .iter()
                .zip(&g)
                .position(|(a, b)| a != b)
                .unwrap_or(n.len().min(g.len()));
            out.push(format!(
                "thread {k}: first difference at call {first}\n  native: {:?}\n  guest:  {:?}\n--- native {k}:\n{}\n--- guest {k}:\n{}",
                n.get(first),
                g.get(first),
                n.join("\n"),
                g.join("\n")
            ));
        }
    }
    out
}

fn strace_available() -> bool {
    Command::new("strace")
        .arg("-V")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

fn native_trace(prog: &str, dir: &std::path::Path) -> String {
    let out = dir.join("native.trace");
    let run = Command::new("strace")
        .arg("-f")
        .arg("-o")
        .arg(&out)
        .arg(guest_bin(prog))
        .env_clear()
        .output()
        .expect("run strace");
    assert!(run.status.success(), "native run failed: {run:?}");
    std::fs::read_to_string(out).unwrap()
}

fn guest_trace(prog: &str, dir: &std::path::Path) -> (Run, String) {
    let out = dir.join("guest.trace");
    let out_s = out.to_string_lossy().into_owned();
    let bin = guest_bin(prog);
    let run = vmm(&["run", "--strace-output", &out_s, bin.to_str().unwrap()]);
    let trace = std::fs::read_to_string(out).unwrap();
    (run, trace)
}

fn tempdir(tag: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("vmm-strace-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn threaded_program_matches_real_strace() {
    if !strace_available() {
        eprintln!("strace is not installed: skipped");
        return;
    }
    let dir = tempdir("match");
    let native = native_trace("strace-threads", &dir);
    let (run, guest) = guest_trace("strace-threads", &dir);
    assert_eq!(run.code, 0, "guest run failed: {}", run.stderr);
    // The trace went to the file, not into the program's output.
    let mut out: Vec<&str> = run.stdout.lines().collect();
    out.sort();
    assert_eq!(
        out,
        [
            "child",
            "done",
            "tab\there \"quoted\" back\\slash and a long tail beyond 32 bytes",
            "worker 0",
            "worker 1",
            "worker 2"
        ]
    );
    assert!(!run.stderr.contains("clone3("), "{}", run.stderr);

    let (n, g) = (normalize(&native), normalize(&guest));
    // What the comparison covers: 3 threads + a forked child, and these
    // decoded calls (flags, structures, errors, quoting, exits).
    assert_eq!(n.len(), 5, "native threads: {:?}", n.keys());
    let all: Vec<&String> = g.values().flatten().collect();
    for want in [
        "clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID, child_tid=0xADDR, parent_tid=0xADDR, exit_signal=0, stack=0xADDR, stack_size=0xADDR, tls=0xADDR} => {parent_tid=[N]}, 88) = N",
        "clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0xADDR) = N",
        "mmap(NULL, 8388608, PROT_NONE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_STACK, -1, 0) = 0xADDR",
        "mprotect(0xADDR, 4096, PROT_READ|PROT_WRITE|PROT_EXEC) = 0",
        "futex(0xADDR, FUTEX_WAIT_PRIVATE, 424242, NULL) = -1 EAGAIN (Resource temporarily unavailable)",
        "futex(0xADDR, FUTEX_WAIT_BITSET_PRIVATE, 424242, NULL, FUTEX_BITSET_MATCH_ANY) = -1 EAGAIN (Resource temporarily unavailable)",
        "madvise(0xADDR, 4096, MADV_DONTNEED) = 0",
        "wait4(N, [{WIFEXITED(s) && WEXITSTATUS(s) == 3}], 0, NULL) = N",
        "write(1, \"tab\\there \\\"quoted\\\" back\\\\slash and\"..., 61) = 61",
        "close(-1) = -1 EBADF (Bad file descriptor)",
        "exit(0) = ?",
        "exit_group(0) = ?",
    ] {
        assert!(all.iter().any(|l| *l == want), "guest trace lacks {want}\n{guest}");
    }
    let diff = differences(&n, &g);
    assert!(
        diff.is_empty(),
        "--strace differs from strace -f:\n{}\n=== raw guest trace:\n{guest}",
        diff.join("\n")
    );

    // The comparison can fail: one flag dropped from one decoded line, or
    // one call missing, is found.
    let broken = guest.replacen("CLONE_SYSVSEM|", "", 1);
    assert!(!differences(&n, &normalize(&broken)).is_empty());
    let broken = guest.replacen("MAP_STACK", "MAP_GROWSDOWN", 1);
    assert!(!differences(&n, &normalize(&broken)).is_empty());
    let broken: String = guest
        .lines()
        .filter(|l| !l.contains("MADV_DONTNEED"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert!(!differences(&n, &normalize(&broken)).is_empty());
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn trace_on_stderr_with_pid_prefix() {
    let bin = guest_bin("strace-threads");
    let run = vmm(&["run", "--strace", bin.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stdout.contains("clone3("));
    let lines: Vec<&str> = run.stderr.lines().collect();
    // One task: no prefix; several: `[pid  N] ` as strace -f.
    assert!(
        lines[0].starts_with("arch_prctl(ARCH_SET_FS, 0x"),
        "{}",
        lines[0]
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("[pid     2] write(1, \"worker 0\\n\", 9)   = 9")),
        "{}",
        run.stderr
    );
    assert!(lines
        .iter()
        .any(|l| l.starts_with("[pid     2] exit(0)") && l.ends_with("= ?")));
    assert!(lines.contains(&"[pid     2] +++ exited with 0 +++"));
    // The last task alone again: no prefix.
    assert_eq!(
        lines[lines.len() - 2],
        "exit_group(0)                           = ?"
    );
    assert_eq!(lines[lines.len() - 1], "+++ exited with 0 +++");
}

#[test]
fn a_zombie_is_not_a_traced_task() {
    // The child has exited (a zombie until wait4): the parent's getppid is
    // the only task strace -f would still trace, so no prefix.
    let bin = guest_bin("strace-zombie");
    let run = vmm(&["run", "--strace", bin.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert!(
        lines.contains(&"[pid     2] +++ exited with 3 +++"),
        "{}",
        run.stderr
    );
    assert!(
        lines.iter().any(|l| l.starts_with("getppid()")),
        "{}",
        run.stderr
    );
}

#[test]
fn a_fatal_signal() {
    // `segv` dies of SIGSEGV: strace's last line is `+++ killed by SIGSEGV +++`.
    let bin = guest_bin("segv");
    let dir = tempdir("segv");
    let out = dir.join("t");
    let run = vmm(&[
        "run",
        "--strace-output",
        out.to_str().unwrap(),
        bin.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 128 + 11, "{}", run.stderr);
    let trace = std::fs::read_to_string(&out).unwrap();
    assert!(
        trace.trim_end().ends_with("+++ killed by SIGSEGV +++"),
        "{trace}"
    );
    let _ = std::fs::remove_dir_all(dir);
}
