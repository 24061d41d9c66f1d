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
//!
//! strace's timing options (`-c`, `-C`, `-w`, `-T`, `-t`) are checked on
//! `strace-times`: the `-c` table's layout against strace's, its counts
//! against real `strace -f -c` (without the timing-dependent futex calls)
//! and against the trace lines of the same run (`-C`), and the times
//! through what must hold whatever the load: sums, orders, a sleep's lower
//! bound, timestamps inside the run.

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

/// Whether real strace is here to compare with. A developer's machine may
/// lack it (the comparisons are skipped, saying so); CI installs it
/// (.ci/run), so there a missing strace is a failure, not a skip.
fn strace_available() -> bool {
    let here = Command::new("strace")
        .arg("-V")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    assert!(
        here || std::env::var_os("CI").is_none(),
        "strace is not installed, and CI's setup (.ci/run) installs it"
    );
    here
}

fn native_trace(prog: &str, dir: &std::path::Path) -> String {
    native_trace_args(prog, dir, &[])
}

/// With TZ=UTC: strace dates a timestamp (utimensat's) in its own time
/// zone, `--strace` in UTC.
fn native_trace_args(prog: &str, dir: &std::path::Path, args: &[&str]) -> String {
    let out = dir.join("native.trace");
    let run = Command::new("strace")
        .arg("-f")
        .arg("-o")
        .arg(&out)
        .arg(guest_bin(prog))
        .args(args)
        .env_clear()
        .env("TZ", "UTC")
        .output()
        .expect("run strace");
    assert!(run.status.success(), "native run failed: {run:?}");
    std::fs::read_to_string(out).unwrap()
}

fn guest_trace(prog: &str, dir: &std::path::Path) -> (Run, String) {
    guest_trace_args(prog, dir, &[])
}

fn guest_trace_args(prog: &str, dir: &std::path::Path, args: &[&str]) -> (Run, String) {
    let out = dir.join("guest.trace");
    let out_s = out.to_string_lossy().into_owned();
    let bin = guest_bin(prog);
    let mut argv = vec!["run", "--strace-output", &out_s, bin.to_str().unwrap()];
    argv.extend_from_slice(args);
    let run = vmm(&argv);
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

/// pipe, pipe2, poll, ppoll and the FIONREAD/FIONBIO ioctls
/// (`strace-pipes`): the same lines as real strace, the long arrays cut at
/// the same places.
#[test]
fn pipes_and_poll_match_real_strace() {
    if !strace_available() {
        eprintln!("strace is not installed: skipped");
        return;
    }
    let dir = tempdir("pipes");
    let native = native_trace("strace-pipes", &dir);
    let (run, guest) = guest_trace("strace-pipes", &dir);
    assert_eq!(run.code, 0, "guest run failed: {}", run.stderr);
    let (n, g) = (normalize(&native), normalize(&guest));
    let all: Vec<&String> = g.values().flatten().collect();
    for want in [
        "pipe2([3, 4], O_NONBLOCK|O_CLOEXEC) = 0",
        "pipe2(0xADDR, 0xADDR /* O_??? */) = -1 EINVAL (Invalid argument)",
        "pipe(0xADDR) = -1 EFAULT (Bad address)",
        "poll([{fd=3, events=POLLIN}, {fd=4, events=POLLOUT}], 2, 0) = 1 ([{fd=4, revents=POLLOUT}])",
        "ioctl(3, FIONREAD, [5]) = 0",
        "ioctl(3, FIONBIO, [0]) = 0",
        "poll([{fd=3, events=POLLIN|POLLPRI}, {fd=-1}, {fd=77, events=POLLIN|POLLOUT}], 3, 0) = 1 ([{fd=77, revents=POLLNVAL}])",
        "ppoll([{fd=3, events=POLLIN}, {fd=4, events=POLLOUT}], 2, {tv_sec=0, tv_nsec=0}, [USR1], 8) = 1 ([{fd=4, revents=POLLOUT}], left {tv_sec=0, tv_nsec=0})",
        "ppoll([{fd=3, events=POLLIN}], 1, {tv_sec=0, tv_nsec=0}, NULL, 8) = 0 (Timeout)",
        "ppoll([{fd=3, events=POLLIN}], 1, {tv_sec=0, tv_nsec=0}, 0xADDR, 7) = -1 EINVAL (Invalid argument)",
        "poll([{fd=3, events=POLLIN}, {fd=4, events=POLLOUT}, ... /* 0xADDR */], 3, 0) = -1 EFAULT (Bad address)",
    ] {
        assert!(all.iter().any(|l| *l == want), "guest trace lacks {want}\n{guest}");
    }
    // The cut arrays: `...` in the argument and after the result, and the
    // time left given up for room.
    assert!(all
        .iter()
        .any(|l| l.starts_with("poll([{fd=1000, ") && l.ends_with(", ...])")));
    assert!(all
        .iter()
        .any(|l| l.starts_with("ppoll([{fd=1000, ") && l.ends_with("}], ...)")));
    let diff = differences(&n, &g);
    assert!(
        diff.is_empty(),
        "--strace differs from strace -f:\n{}\n=== raw guest trace:\n{guest}",
        diff.join("\n")
    );
    // The comparison sees one entry more or less after a result.
    let broken = guest.replacen("revents=POLLNVAL}]", "revents=POLLNVAL}, ...]", 1);
    assert!(!differences(&n, &normalize(&broken)).is_empty());
    let _ = std::fs::remove_dir_all(dir);
}

/// select, pselect6 and the epoll calls (`strace-epoll`): the same lines
/// as real strace. The program gives a successful select only ready
/// descriptors and zero timeouts, which the kernel's write-back leaves as
/// they were (the guest's trace reads the sets at exit).
#[test]
fn select_and_epoll_match_real_strace() {
    if !strace_available() {
        eprintln!("strace is not installed: skipped");
        return;
    }
    let dir = tempdir("epoll");
    let native = native_trace("strace-epoll", &dir);
    let (run, guest) = guest_trace("strace-epoll", &dir);
    assert_eq!(run.code, 0, "guest run failed: {}", run.stderr);
    let (n, g) = (normalize(&native), normalize(&guest));
    let all: Vec<&String> = g.values().flatten().collect();
    for want in [
        "select(5, [3], [4], NULL, {tv_sec=0, tv_usec=0}) = 2 (in [3], out [4], left {tv_sec=0, tv_usec=0})",
        "select(0, NULL, NULL, NULL, {tv_sec=0, tv_usec=0}) = 0 (Timeout)",
        "select(5, [3], NULL, [], 0xADDR) = -1 EFAULT (Bad address)",
        "pselect6(5, [3], NULL, NULL, {tv_sec=0, tv_nsec=0}, {sigmask=[USR1], sigsetsize=8}) = 1 (in [3], left {tv_sec=0, tv_nsec=0})",
        "pselect6(5, [3], NULL, NULL, {tv_sec=0, tv_nsec=0}, {sigmask=0xADDR, sigsetsize=7}) = -1 EINVAL (Invalid argument)",
        "epoll_create1(EPOLL_CLOEXEC) = 5",
        "epoll_create(1) = 6",
        "epoll_ctl(5, EPOLL_CTL_ADD, 3, {events=EPOLLIN|EPOLLET, data={u32=7, u64=7}}) = 0",
        "epoll_wait(5, [], 8, 0) = 0",
        "epoll_wait(5, [{events=EPOLLOUT, data={u32=4294967295, u64=18446744073709551615}}], 8, 0) = 1",
        "epoll_pwait(5, [{events=EPOLLOUT, data={u32=9, u64=4294967305}}], 8, 0, [USR1], 8) = 1",
        "epoll_pwait2(5, [{events=EPOLLOUT, data={u32=9, u64=4294967305}}], 8, {tv_sec=0, tv_nsec=0}, [USR1], 8) = 1",
        "epoll_ctl(5, EPOLL_CTL_DEL, 4, 0xADDR) = 0",
        "epoll_pwait(99, 0xADDR, 8, 0, 0xADDR, 8) = -1 EBADF (Bad file descriptor)",
    ] {
        assert!(all.iter().any(|l| *l == want), "guest trace lacks {want}\n{guest}");
    }
    // 40 events ready: cut after 32.
    assert!(all.iter().any(|l| l
        .starts_with("epoll_wait(6, [{events=EPOLLOUT, data={u32=100, u64=100}}, ")
        && l.ends_with("}, ...], 48, 0) = 40")));
    let diff = differences(&n, &g);
    assert!(
        diff.is_empty(),
        "--strace differs from strace -f:\n{}\n=== raw guest trace:\n{guest}",
        diff.join("\n")
    );
    // The comparison sees a set or an event that differs.
    for (from, to) in [
        ("(in [3], out [4]", "(in [3]"),
        ("{u32=7, u64=7}", "{u32=7, u64=8}"),
    ] {
        let broken = guest.replacen(from, to, 1);
        assert!(!differences(&n, &normalize(&broken)).is_empty(), "{from}");
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// What a file system says of itself, left out of a comparison between
/// the host's and the guest's: the fields statx filled (`stx_mask`) and
/// statfs's record.
fn without_fs_facts(t: &Threads) -> Threads {
    let mask = |l: &str| match l.split_once("{stx_mask=") {
        Some((head, tail)) => {
            let rest = tail.split_once(", ").map_or("", |r| r.1);
            format!("{head}{{stx_mask=M, {rest}")
        }
        None => l.to_string(),
    };
    let record = |l: &str| match (l.find("{f_type="), l.rfind("}) = ")) {
        (Some(a), Some(b)) => format!("{}{{...}}{}", &l[..a], &l[b + 1..]),
        _ => l.to_string(),
    };
    t.iter()
        .map(|(k, v)| (k.clone(), v.iter().map(|l| record(&mask(l))).collect()))
        .collect()
}

/// The path and descriptor calls (`strace-files`): open's flags and
/// modes, the `*at` calls, links and renames, the stat records, access
/// modes, utimensat's times, readlink's and getcwd's buffers, iovecs,
/// lseek, getdents64 and close_range, with their usual failures. The same
/// lines as real strace run in a directory of the host's /tmp (the same
/// path in the guest's own /tmp), but for what each file system says of
/// itself, checked in the guest's trace alone.
#[test]
fn file_calls_match_real_strace() {
    if !strace_available() {
        eprintln!("strace is not installed: skipped");
        return;
    }
    let dir = tempdir("files");
    let work = format!("/tmp/vmm-strace-fs-work-{}", std::process::id());
    let _ = std::fs::remove_dir_all(&work);
    let native = native_trace_args("strace-files", &dir, &[&work]);
    let (run, guest) = guest_trace_args("strace-files", &dir, &[&work]);
    assert_eq!(run.code, 0, "guest run failed: {}", run.stderr);
    assert!(
        !std::path::Path::new(&work).exists(),
        "the native run left {work}"
    );
    let g_all = normalize(&guest);
    let all: Vec<&String> = g_all.values().flatten().collect();
    for want in [
        "openat(AT_FDCWD, \"f\", O_WRONLY|O_CREAT|O_TRUNC, 0644) = 3",
        "open(\"f\", O_RDONLY|O_CLOEXEC) = 3",
        "open(\"f\", O_RDWR|O_SYNC) = 4",
        "open(\"f\", O_WRONLY|O_APPEND|O_NONBLOCK|O_DSYNC|O_NOATIME) = 5",
        "open(\"f\", O_WRONLY|O_CREAT|O_EXCL, 04755) = -1 EEXIST (File exists)",
        "openat(AT_FDCWD, \".\", O_RDONLY|O_NOFOLLOW|O_PATH|O_DIRECTORY) = 7",
        "open(\"tab\\there \\\"quoted\\\" back\\\\slash\\n\\1\\0012\", O_RDONLY) = -1 ENOENT (No such file or directory)",
        "mkdirat(AT_FDCWD, \"d2\", 01777) = 0",
        "linkat(AT_FDCWD, \"f\", 6, \"h\", AT_SYMLINK_FOLLOW) = 0",
        "linkat(AT_FDCWD, \"f\", AT_FDCWD, \"h2\", 0xADDR /* AT_??? */) = -1 EINVAL (Invalid argument)",
        "readlinkat(AT_FDCWD, \"s2\", \"g\", 1) = 1",
        "renameat2(AT_FDCWD, \"g4\", AT_FDCWD, \"h\", RENAME_EXCHANGE) = 0",
        "renameat2(AT_FDCWD, \"g4\", AT_FDCWD, \"h\", 0xADDR /* RENAME_?? */) = -1 EINVAL (Invalid argument)",
        "unlinkat(AT_FDCWD, \"d\", AT_REMOVEDIR) = 0",
        "stat(\"/dev/null\", {st_mode=S_IFCHR|0666, st_rdev=makedev(0xADDR, 0xADDR), ...}) = 0",
        "newfstatat(AT_FDCWD, \"s\", {st_mode=S_IFLNK|0777, st_size=1, ...}, AT_SYMLINK_NOFOLLOW) = 0",
        "statx(AT_FDCWD, \"f\", AT_STATX_SYNC_AS_STAT, STATX_BASIC_STATS, {stx_mask=STATX_BASIC_STATS, stx_attributes=0, stx_mode=S_IFREG|0644, stx_size=12, ...}) = 0",
        "statx(6, \"s\", AT_STATX_FORCE_SYNC|AT_SYMLINK_NOFOLLOW, STATX_TYPE|STATX_SIZE, {stx_mask=STATX_BASIC_STATS, stx_attributes=0, stx_mode=S_IFLNK|0777, stx_size=1, ...}) = 0",
        "access(\"f\", R_OK|W_OK) = 0",
        "access(\"f\", 0xADDR /* ?_OK */) = -1 EINVAL (Invalid argument)",
        "faccessat2(AT_FDCWD, \"s\", R_OK, AT_SYMLINK_NOFOLLOW|AT_EACCESS) = 0",
        "truncate(\"f\", 18446744073709551615) = -1 EINVAL (Invalid argument)",
        "chown(\"f\", -1, -1) = 0",
        "utimensat(AT_FDCWD, \"f\", [UTIME_NOW, UTIME_OMIT], 0) = 0",
        "utimensat(AT_FDCWD, \"s\", [{tv_sec=1700000000, tv_nsec=0} /* 2023-11-14T22:13:20+0000 */, {tv_sec=1700000001, tv_nsec=500} /* 2023-11-14T22:13:21.000000500+0000 */], AT_SYMLINK_NOFOLLOW) = 0",
        "pread64(4, \"hello\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\"..., 64, 0) = 64",
        "readv(4, [{iov_base=\"hel\", iov_len=3}, {iov_base=\"lo\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\"..., iov_len=100}], 2) = 103",
        "pwritev(4, [{iov_base=\"hello\", iov_len=5}, {iov_base=\"world, this is a long string bey\"..., iov_len=44}], 2, 3) = 49",
        "lseek(4, -3, SEEK_END) = 100",
        "getdents64(6, 0xADDR /* 7 entries */, 256) = 168",
        "close_range(7, 4294967295, CLOSE_RANGE_CLOEXEC) = 0",
    ] {
        assert!(all.iter().any(|l| *l == want), "guest trace lacks {want}\n{guest}");
    }
    // The working directory and what /proc/self/fd says of a file opened
    // in it: the same path in both.
    let cwd = format!("getcwd(\"{work}\", 256) = {}", work.len() + 1);
    assert!(
        all.iter().any(|l| **l == cwd),
        "guest trace lacks {cwd}\n{guest}"
    );
    let target = format!("{work}/f");
    let shown: String = target.chars().take(32).collect();
    let cut = if target.len() > 32 { "..." } else { "" };
    let link = format!(
        "readlink(\"/proc/self/fd/4\", \"{shown}\"{cut}, 256) = {}",
        target.len()
    );
    assert!(
        all.iter().any(|l| **l == link),
        "guest trace lacks {link}\n{guest}"
    );
    // What the guest's file systems say of themselves.
    let statfs = all
        .iter()
        .find(|l| l.starts_with("statfs(\".\", "))
        .expect("statfs");
    assert!(
        statfs.starts_with("statfs(\".\", {f_type=TMPFS_MAGIC, f_bsize=4096, f_blocks=")
            && statfs.ends_with(
                ", f_fsid={val=[0, 0]}, f_namelen=255, f_frsize=4096, f_flags=ST_VALID|ST_RELATIME}) = 0"
            ),
        "{statfs}"
    );
    let (n, g) = (
        without_fs_facts(&normalize(&native)),
        without_fs_facts(&g_all),
    );
    let diff = differences(&n, &g);
    assert!(
        diff.is_empty(),
        "--strace differs from strace -f:\n{}\n=== raw guest trace:\n{guest}",
        diff.join("\n")
    );
    // The comparison sees a flag, a mode or a count that differs.
    for (from, to) in [
        ("O_RDWR|O_SYNC", "O_RDWR|O_DSYNC"),
        ("01777", "0777"),
        ("/* 7 entries */", "/* 6 entries */"),
        ("AT_SYMLINK_NOFOLLOW|AT_EACCESS", "AT_SYMLINK_NOFOLLOW"),
        ("UTIME_NOW, UTIME_OMIT", "UTIME_OMIT, UTIME_NOW"),
    ] {
        let broken = without_fs_facts(&normalize(&guest.replacen(from, to, 1)));
        assert!(!differences(&n, &broken).is_empty(), "{from}");
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// ppoll after a wait, in the guest alone (natively the times differ from
/// run to run). The kernel writes the time left back into the timeout:
/// `--strace` reads the timespec at exit, so the argument is that time
/// left, and zero after a timeout, where strace, which reads it at entry
/// as well, shows the timeout asked.
#[test]
fn ppoll_after_a_wait() {
    let bin = guest_bin("strace-pipes");
    let run = vmm(&["run", "--strace", bin.to_str().unwrap(), "wait"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert!(
        lines.contains(
            &"ppoll([{fd=3, events=POLLIN}], 1, {tv_sec=0, tv_nsec=0}, [USR1], 8) = 0 (Timeout)"
        ),
        "{}",
        run.stderr
    );
    let ready = lines
        .iter()
        .find(|l| l.ends_with("})") && l.starts_with("ppoll("))
        .unwrap_or_else(|| panic!("no ppoll with time left:\n{}", run.stderr));
    let (call, note) = ready.split_once(" = 1 (").unwrap();
    let left = note
        .strip_prefix("[{fd=3, revents=POLLIN}], left ")
        .and_then(|l| l.strip_suffix(')'))
        .unwrap_or_else(|| panic!("{ready}"));
    assert_eq!(
        call.trim_end(),
        format!("ppoll([{{fd=3, events=POLLIN}}], 1, {left}, [USR1], 8)")
    );
    let ns: u64 = left
        .strip_prefix("{tv_sec=0, tv_nsec=")
        .and_then(|l| l.strip_suffix('}'))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{ready}"));
    assert!(ns > 0 && ns < 1_000_000_000, "{ready}");
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

/// One row of a `-c` table: calls, errors, seconds, percent, usecs/call.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Row {
    percent: f64,
    seconds: f64,
    usecs: u64,
    calls: u64,
    errors: u64,
}

const SUMMARY_HEADER: &str = "% time     seconds  usecs/call     calls    errors syscall";
const SUMMARY_RULE: &str = "------ ----------- ----------- --------- --------- ----------------";

/// A `-c` table (strace's or ours) in `text`, which holds it and nothing
/// after it: its rows in order (name, row) and its total row. Every line is
/// checked against strace's column layout.
fn parse_summary(text: &str) -> (Vec<(String, Row)>, Row) {
    let lines: Vec<&str> = text.lines().collect();
    let start = lines
        .iter()
        .position(|l| *l == SUMMARY_HEADER)
        .unwrap_or_else(|| panic!("no summary header in:\n{text}"));
    let table = &lines[start..];
    assert!(table.len() >= 4, "{text}");
    assert_eq!(table[1], SUMMARY_RULE, "{text}");
    assert_eq!(table[table.len() - 2], SUMMARY_RULE, "{text}");
    let row = |line: &str| -> (String, Row) {
        // `%6.2f %11.6f %11u %9u %9u %s`, the errors blank when 0.
        assert!(line.len() > 51, "short row {line:?}");
        let field = |a: usize, b: usize| line[a..b].trim();
        assert_eq!(&line[6..7], " ", "{line:?}");
        let errors = field(41, 50);
        let r = Row {
            percent: field(0, 6).parse().unwrap_or_else(|_| panic!("{line:?}")),
            seconds: field(7, 18).parse().unwrap_or_else(|_| panic!("{line:?}")),
            usecs: field(19, 30).parse().unwrap_or_else(|_| panic!("{line:?}")),
            calls: field(31, 40).parse().unwrap_or_else(|_| panic!("{line:?}")),
            errors: if errors.is_empty() {
                0
            } else {
                errors.parse().unwrap_or_else(|_| panic!("{line:?}"))
            },
        };
        assert_ne!(errors, "0", "a zero error count is blank: {line:?}");
        assert_eq!(&line[50..51], " ", "{line:?}");
        (line[51..].to_string(), r)
    };
    let rows: Vec<(String, Row)> = table[2..table.len() - 2].iter().map(|l| row(l)).collect();
    let (name, total) = row(table[table.len() - 1]);
    assert_eq!(name, "total");
    (rows, total)
}

/// What must hold in any `-c` table: the total row adds up, the rows are
/// sorted by time (largest first), the per-call and percent columns are
/// derived from the others.
fn check_summary_sums(rows: &[(String, Row)], total: &Row) {
    assert_eq!(total.calls, rows.iter().map(|r| r.1.calls).sum::<u64>());
    assert_eq!(total.errors, rows.iter().map(|r| r.1.errors).sum::<u64>());
    assert_eq!(total.percent, 100.0);
    // Each seconds figure is rounded to the microsecond.
    let sum: f64 = rows.iter().map(|r| r.1.seconds).sum();
    assert!(
        (sum - total.seconds).abs() <= 1e-6 * (rows.len() as f64 + 1.0),
        "rows add up to {sum}, total says {}",
        total.seconds
    );
    if total.seconds > 0.0 {
        let p: f64 = rows.iter().map(|r| r.1.percent).sum();
        assert!((p - 100.0).abs() <= 0.01 * rows.len() as f64, "{p}");
    }
    for w in rows.windows(2) {
        assert!(
            w[0].1.seconds >= w[1].1.seconds,
            "not sorted by time: {w:?}"
        );
    }
    let all = rows.iter().map(|(n, r)| (n.as_str(), r));
    for (name, r) in all.chain([("total", total)]) {
        assert!(r.calls > 0, "{name}");
        assert!(r.errors <= r.calls, "{name}");
        // usecs/call is the exact mean cut to the microsecond; the total
        // shown is rounded to it.
        let per_call = r.seconds * 1e6 / r.calls as f64;
        let slack = 0.5 / r.calls as f64 + 1e-6;
        let lowest = (per_call - slack).floor().max(0.0) as u64;
        let highest = (per_call + slack).floor() as u64;
        assert!((lowest..=highest).contains(&r.usecs), "{name}: {r:?}");
    }
}

/// Calls whose count depends on timing natively or in the guest (lock and
/// join futexes, yields), and the host's execve.
fn timing_dependent(name: &str) -> bool {
    matches!(name, "futex" | "sched_yield" | "execve")
}

/// name -> (calls, errors), without the timing-dependent calls.
fn counts(rows: &[(String, Row)]) -> BTreeMap<String, (u64, u64)> {
    rows.iter()
        .filter(|(n, _)| !timing_dependent(n))
        .map(|(n, r)| (n.clone(), (r.calls, r.errors)))
        .collect()
}

#[test]
fn summary_counts_match_real_strace() {
    if !strace_available() {
        eprintln!("strace is not installed: skipped");
        return;
    }
    let dir = tempdir("summary");
    let (native_out, guest_out) = (dir.join("native"), dir.join("guest"));
    let bin = guest_bin("strace-times");
    let native = Command::new("strace")
        .args(["-f", "-c", "-o"])
        .arg(&native_out)
        .arg(&bin)
        .env_clear()
        .output()
        .expect("run strace");
    assert!(native.status.success(), "native run failed: {native:?}");
    let run = vmm(&[
        "run",
        "-c",
        "--strace-output",
        guest_out.to_str().unwrap(),
        bin.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "worker\ndone\n");
    assert_eq!(run.stderr, "", "the table goes where the trace goes");
    let native = std::fs::read_to_string(&native_out).unwrap();
    let guest = std::fs::read_to_string(&guest_out).unwrap();
    // The same layout as strace's: the table is all there is.
    assert!(guest.starts_with(SUMMARY_HEADER), "{guest}");
    let (n_rows, n_total) = parse_summary(&native);
    let (g_rows, g_total) = parse_summary(&guest);
    check_summary_sums(&g_rows, &g_total);
    check_summary_sums(&n_rows, &n_total);
    let (n, g) = (counts(&n_rows), counts(&g_rows));
    assert_eq!(
        n, g,
        "calls and errors per call differ\n--- native\n{native}\n--- guest\n{guest}"
    );
    // What the comparison covers: failing calls, both threads' calls.
    assert_eq!(g["close"], (4, 4));
    assert_eq!(g["nanosleep"], (2, 0));
    assert_eq!(g["getpid"], (5, 0));
    // exit and exit_group do not return: strace does not count them.
    assert!(
        !g.contains_key("exit") && !g.contains_key("exit_group"),
        "{guest}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// The `name(...) = ...` lines of a trace on stderr, by call name: calls
/// and failed calls (`= -1 ...`). Calls that do not return are left out.
fn trace_counts(trace: &str) -> BTreeMap<String, (u64, u64)> {
    let mut m: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for line in trace.lines() {
        let line = match line.strip_prefix("[pid ") {
            Some(rest) => rest.split_once("] ").expect("pid prefix").1,
            None => line,
        };
        if line.starts_with("+++") || line.ends_with("= ?") || !line.contains(" = ") {
            continue;
        }
        let name = line.split('(').next().unwrap().to_string();
        let e = m.entry(name).or_default();
        e.0 += 1;
        e.1 += u64::from(line.contains(" = -1 "));
    }
    m
}

#[test]
fn summary_agrees_with_the_trace() {
    let bin = guest_bin("strace-times");
    let bin = bin.to_str().unwrap();
    // -C: the trace, then the table of the same calls, timing-dependent
    // ones included.
    let run = vmm(&["run", "-C", bin]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let at = run.stderr.find(SUMMARY_HEADER).expect("no table");
    let (trace, table) = run.stderr.split_at(at);
    assert!(
        trace.trim_end().ends_with("+++ exited with 0 +++"),
        "{trace}"
    );
    let (rows, total) = parse_summary(table);
    check_summary_sums(&rows, &total);
    let table_counts: BTreeMap<String, (u64, u64)> = rows
        .iter()
        .map(|(n, r)| (n.clone(), (r.calls, r.errors)))
        .collect();
    assert_eq!(trace_counts(trace), table_counts, "{}", run.stderr);
    assert!(table_counts.contains_key("futex"), "{table}");

    // -c: only the table, counting what a plain trace shows.
    let counted = vmm(&["run", "-c", bin]);
    assert_eq!(counted.code, 0, "{}", counted.stderr);
    assert!(
        counted.stderr.starts_with(SUMMARY_HEADER),
        "{}",
        counted.stderr
    );
    let (rows, total) = parse_summary(&counted.stderr);
    check_summary_sums(&rows, &total);
    let plain = vmm(&["run", "--strace", bin]);
    assert_eq!(plain.code, 0, "{}", plain.stderr);
    let plain: BTreeMap<String, (u64, u64)> = trace_counts(&plain.stderr)
        .into_iter()
        .filter(|(n, _)| !timing_dependent(n))
        .collect();
    assert_eq!(counts(&rows), plain, "{}", counted.stderr);
}

/// `-T`'s ` <S.UUUUUU>` at the end of a line, in seconds.
fn syscall_time(line: &str) -> Option<f64> {
    let (_, t) = line.rsplit_once(" <")?;
    let t = t.strip_suffix('>')?;
    let (s, us) = t.split_once('.')?;
    assert_eq!(us.len(), 6, "{line:?}");
    assert!(
        s.bytes().chain(us.bytes()).all(|b| b.is_ascii_digit()),
        "{line:?}"
    );
    t.parse().ok()
}

#[test]
fn syscall_times_and_their_summary() {
    let bin = guest_bin("strace-times");
    let run = vmm(&["run", "-C", "-T", bin.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let at = run.stderr.find(SUMMARY_HEADER).expect("no table");
    let (trace, table) = run.stderr.split_at(at);
    let mut wall: BTreeMap<String, f64> = BTreeMap::new();
    let mut sleeps = Vec::new();
    for line in trace.lines().filter(|l| l.contains(" = ")) {
        let bare = line.split_once("] ").map_or(line, |(_, l)| l);
        let name = bare.split('(').next().unwrap().to_string();
        if line.ends_with("= ?") {
            assert!(
                !line.contains(" <"),
                "a call that does not return has no time: {line}"
            );
            continue;
        }
        let t = syscall_time(line).unwrap_or_else(|| panic!("no -T time: {line}"));
        *wall.entry(name.clone()).or_default() += t;
        if name == "nanosleep" {
            sleeps.push((line.to_string(), t));
        }
    }
    // A sleep takes at least what it asked for.
    assert_eq!(sleeps.len(), 2, "{trace}");
    let mut asked = Vec::new();
    for (line, t) in &sleeps {
        let want = if line.contains("tv_nsec=10000000}") {
            0.010
        } else {
            0.020
        };
        assert!(line.contains("tv_nsec=") && *t >= want, "{line}");
        asked.push(want);
    }
    // The table's default is time on the CPU: never more than the call's
    // latency (each -T time is cut to the microsecond, the table's sum
    // rounded), and a sleep's time is mostly off the CPU. A sleep is off
    // the CPU from its switch-out to its deadline, which nanosleep sets
    // just before: only a host stall in that window of a microsecond or so
    // cuts its off-CPU time (a stall anywhere else adds to its latency and
    // its on-CPU time alike). So half of the shorter sleep is what one
    // unstalled sleep alone gives with a wide margin; both would have to
    // be stalled to miss it, and a table of latencies instead of CPU times
    // misses it by orders of magnitude (its difference is the rounding).
    let (rows, total) = parse_summary(table);
    check_summary_sums(&rows, &total);
    for (name, r) in &rows {
        let w = wall[name];
        assert!(
            r.seconds <= w + 1e-6 * (r.calls as f64 + 1.0),
            "{name}: {} on the CPU, {w} latency",
            r.seconds
        );
    }
    let on_cpu = rows
        .iter()
        .find(|(n, _)| n == "nanosleep")
        .unwrap()
        .1
        .seconds;
    let shortest = asked.iter().copied().fold(f64::INFINITY, f64::min);
    assert!(
        wall["nanosleep"] - on_cpu >= shortest / 2.0,
        "nanosleep: {on_cpu} s on the CPU of {} s, sleeps of {asked:?} s asked",
        wall["nanosleep"]
    );

    // -w: the latency, which for the sleeps is at least what they asked.
    let run = vmm(&["run", "-c", "-w", bin.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let (rows, total) = parse_summary(&run.stderr);
    check_summary_sums(&rows, &total);
    let sleep = rows.iter().find(|(n, _)| n == "nanosleep").unwrap().1;
    assert!(sleep.seconds >= 0.030, "{}", run.stderr);
}

/// Seconds since the epoch now, on the host.
fn host_now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}

/// The timestamps of a trace on stderr, per tid, in the order printed;
/// `parse` reads one (the text between the pid prefix and the call).
fn stamps(trace: &str, parse: impl Fn(&str) -> f64) -> BTreeMap<i64, Vec<f64>> {
    let mut m: BTreeMap<i64, Vec<f64>> = BTreeMap::new();
    for line in trace.lines() {
        let (tid, rest) = match line.strip_prefix("[pid ") {
            Some(r) => {
                let (tid, rest) = r.split_once("] ").unwrap();
                (tid.trim().parse().unwrap(), rest)
            }
            None => (1, line),
        };
        let (stamp, _) = rest.split_once(' ').unwrap_or_else(|| panic!("{line:?}"));
        m.entry(tid).or_default().push(parse(stamp));
    }
    m
}

#[test]
fn timestamps_are_the_guests_clock() {
    let bin = guest_bin("strace-times");
    let before = host_now();
    let run = vmm(&["run", "-ttt", bin.to_str().unwrap()]);
    let after = host_now();
    assert_eq!(run.code, 0, "{}", run.stderr);
    let per_tid = stamps(&run.stderr, |s| {
        let (_, us) = s.split_once('.').unwrap_or_else(|| panic!("{s:?}"));
        assert_eq!(us.len(), 6, "{s:?}");
        s.parse().unwrap_or_else(|_| panic!("{s:?}"))
    });
    assert_eq!(per_tid.len(), 2, "{}", run.stderr);
    for (tid, v) in &per_tid {
        // One thread's calls are entered one after another.
        for w in v.windows(2) {
            assert!(w[0] <= w[1], "tid {tid}: {w:?}\n{}", run.stderr);
        }
        // The guest's realtime starts from the host's at boot and runs on
        // the same TSC: every call is inside the run (a second of slack
        // for the microseconds cut and the anchor's pairing).
        for t in v {
            assert!(
                *t >= before - 1.0 && *t <= after + 1.0,
                "{t} outside [{before}, {after}]"
            );
        }
    }

    // -tt: local time of day (TZ of vmm's environment, here UTC).
    let mut cmd = Command::new(vmm_bin());
    cmd.args(["run", "--timeout", GUARD_TIMEOUT, "-tt"])
        .arg(&bin)
        .env("TZ", "UTC");
    let before = host_now();
    let out = cmd.output().unwrap();
    let after = host_now();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let per_tid = stamps(&stderr, |s| {
        let b = s.as_bytes();
        assert!(
            s.len() == 15 && b[2] == b':' && b[5] == b':' && b[8] == b'.',
            "{s:?}"
        );
        let n = |r: std::ops::Range<usize>| s[r].parse::<f64>().unwrap_or_else(|_| panic!("{s:?}"));
        n(0..2) * 3600.0 + n(3..5) * 60.0 + n(6..15)
    });
    assert_eq!(per_tid.len(), 2, "{stderr}");
    let day = |t: f64| t.rem_euclid(86_400.0);
    for (tid, v) in &per_tid {
        for t in v {
            // Seconds of the UTC day, within the run (modulo midnight).
            let since = (t - day(before - 1.0)).rem_euclid(86_400.0);
            assert!(
                since <= after - before + 2.0,
                "tid {tid}: {t} vs {}..{}",
                day(before),
                day(after)
            );
        }
    }
}

#[test]
fn summary_when_the_run_does_not_end_by_exit() {
    // A timeout: the table of the calls seen, before vmm's report. The
    // write is in it if the deadline passed with the program in its loop,
    // after the write: the program gets there in 25 to 60 ms on two cores
    // at load 3, about a tenth of 0.5 s; 4 s runs only when a host too
    // loaded for that left it short of its loop.
    let spin = guest_bin("spin");
    let timeouts = ["0.5", "4"];
    for (i, timeout) in timeouts.iter().enumerate() {
        let run = vmm(&["run", "--timeout", timeout, "-c", spin.to_str().unwrap()]);
        assert_eq!(run.code, 124, "{}", run.stderr);
        let report = run.stderr.find("vmm: timeout").expect("timeout report");
        let looping = run.stdout == "spinning\n"
            && run.stderr[report..]
                .lines()
                .any(|l| l.trim_start().starts_with("rip ") && l.contains(" main+0x"));
        if !looping && i + 1 < timeouts.len() {
            continue;
        }
        let (rows, total) = parse_summary(&run.stderr[..report]);
        check_summary_sums(&rows, &total);
        assert!(
            rows.iter().any(|(n, r)| n == "write" && r.calls == 1),
            "{}",
            run.stderr
        );
        break;
    }
    // A fatal signal: the calls before it, no `+++ killed` line with -c.
    let segv = guest_bin("segv");
    let run = vmm(&["run", "-c", segv.to_str().unwrap()]);
    assert_eq!(run.code, 128 + 11, "{}", run.stderr);
    assert!(!run.stderr.contains("+++"), "{}", run.stderr);
    let report = run.stderr.find("vmm: ").expect("signal report");
    let table = &run.stderr[..report];
    assert!(table.starts_with(SUMMARY_HEADER), "{}", run.stderr);
    let (rows, total) = parse_summary(table);
    check_summary_sums(&rows, &total);
    assert!(rows.iter().any(|(n, _)| n == "arch_prctl"), "{table}");
}

#[test]
fn strace_option_errors() {
    let bin = guest_bin("strace-times");
    let bin = bin.to_str().unwrap();
    for (args, says) in [
        (&["-c", "-C"][..], "cannot be used with"),
        (
            &["-w"][..],
            "-w/--summary-wall-clock must be given with -c/--summary-only or -C/--summary",
        ),
        (
            &["--strace", "-S", "calls"][..],
            "-S/--summary-sort-by must be given with -c/--summary-only or -C/--summary",
        ),
        (&["-t", "--absolute-timestamps"][..], "cannot be used with"),
        (
            &["--absolute-timestamps=sometimes"][..],
            "expected [format:]none|time|unix or [precision:]s|ms|us|ns",
        ),
        (&["-c", "-S", "speed"][..], "expected time, min-time"),
        (&["-T=fortnights"][..], "expected s, ms, us or ns"),
    ] {
        let mut v = vec!["run"];
        v.extend_from_slice(args);
        v.push(bin);
        let run = vmm(&v);
        assert_eq!(run.code, 125, "{args:?}: {}", run.stderr);
        assert_eq!(run.stderr.lines().count(), 1, "{args:?}: {}", run.stderr);
        assert!(
            run.stderr.starts_with("vmm: ") && run.stderr.contains(says),
            "{args:?}: {}",
            run.stderr
        );
        assert_eq!(run.stdout, "", "{args:?}: the program did not run");
    }
    // `-T` takes its precision only after `=`: here `ns` is the program.
    let run = vmm(&["run", "-T", "ns"]);
    assert_eq!(run.code, 127, "{}", run.stderr);
}

#[test]
fn summary_checks_can_fail() {
    let table = format!(
        "{SUMMARY_HEADER}\n{SUMMARY_RULE}\n 60.00    0.000300         100         3         3 close\n 40.00    0.000200         200         1           getpid\n{SUMMARY_RULE}\n100.00    0.000500         125         4         3 total\n"
    );
    let (rows, total) = parse_summary(&table);
    check_summary_sums(&rows, &total);
    let fails = |t: String| {
        std::panic::catch_unwind(|| {
            let (rows, total) = parse_summary(&t);
            check_summary_sums(&rows, &total);
        })
        .is_err()
    };
    for (from, to) in [
        ("         4         3 total", "         5         3 total"),
        ("         4         3 total", "         4         2 total"),
        ("0.000500", "0.000600"),
        ("         1           getpid", "         1         0 getpid"),
        (" 40.00    0.000200", " 40.00    0.000400"),
        ("         125", "         126"),
        (" 60.00 ", " 70.00 "),
    ] {
        assert!(
            fails(table.replacen(from, to, 1)),
            "{from:?} -> {to:?} not caught"
        );
    }
}

/// The lines of a trace from the SIGUSR1 handler's rt_sigaction to the
/// rt_sigreturn that ends the handler, without prefixes, with addresses,
/// the caller's pid and uid normalized and the ` = ` column collapsed.
fn delivery_lines(trace: &str, pid: &str) -> Vec<String> {
    let lines: Vec<String> = trace
        .lines()
        .map(|l| {
            let l = match l.split_once(' ') {
                Some((tid, rest)) if tid.chars().all(|c| c.is_ascii_digit()) => rest.trim_start(),
                _ => l,
            };
            let l = replace_num_after(&replace_hex(l), "si_uid=");
            let l = l
                .replace(&format!("({pid}, {pid}, "), "(PID, PID, ")
                .replace(&format!("si_pid={pid},"), "si_pid=PID,");
            match l.split_once(" = ") {
                Some((call, ret)) => format!("{} = {ret}", call.trim_end()),
                None => l,
            }
        })
        .collect();
    let start = lines
        .iter()
        .position(|l| l.starts_with("rt_sigaction(SIGUSR1, "))
        .unwrap_or_else(|| panic!("no rt_sigaction(SIGUSR1:\n{trace}"));
    let end = lines
        .iter()
        .position(|l| l.starts_with("rt_sigreturn("))
        .unwrap_or_else(|| panic!("no rt_sigreturn:\n{trace}"));
    lines[start..=end].to_vec()
}

/// A handler's signal: strace's `--- SIGUSR1 {...} ---` line where the
/// handler starts and the mask rt_sigreturn restored, as real strace
/// shows the same program natively.
#[test]
fn a_signal_delivered_to_a_handler() {
    let dir = tempdir("deliver");
    let out = dir.join("guest.trace");
    let bin = guest_bin("sig-invariants");
    let run = vmm(&[
        "run",
        "--strace-output",
        out.to_str().unwrap(),
        bin.to_str().unwrap(),
        "deliver",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "handled 1\n");
    let trace = std::fs::read_to_string(&out).unwrap();
    let guest = delivery_lines(&trace, "1");
    assert_eq!(
        guest,
        [
            "rt_sigaction(SIGUSR1, {sa_handler=0xADDR, sa_mask=[], sa_flags=SA_RESTORER|SA_SIGINFO, sa_restorer=0xADDR}, NULL, 8) = 0",
            "getpid() = 1",
            "gettid() = 1",
            "tgkill(PID, PID, SIGUSR1) = 0",
            "--- SIGUSR1 {si_signo=SIGUSR1, si_code=SI_TKILL, si_pid=PID, si_uid=N} ---",
            "rt_sigreturn({mask=[]}) = 0",
        ],
        "{trace}"
    );
    // On stderr, the delivery line takes strace's prefix like the others.
    if strace_available() {
        let native_out = dir.join("native.trace");
        let native = Command::new("strace")
            .arg("-f")
            .arg("-o")
            .arg(&native_out)
            .arg(&bin)
            .arg("deliver")
            .env_clear()
            .output()
            .expect("run strace");
        assert!(native.status.success(), "{native:?}");
        let text = std::fs::read_to_string(&native_out).unwrap();
        let pid = text.split_whitespace().next().unwrap_or("").to_string();
        let mut native = delivery_lines(&text, &pid);
        // Native pids are the host's.
        for l in &mut native {
            if l.starts_with("getpid() = ") || l.starts_with("gettid() = ") {
                *l = format!("{}= 1", &l[..l.find('=').unwrap()]);
            }
        }
        assert_eq!(guest, native, "native:\n{text}");
    }
    let _ = std::fs::remove_dir_all(dir);
}
