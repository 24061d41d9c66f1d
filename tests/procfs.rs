//! /proc and /sys: the program `procfs` (status, stat, statm, cmdline and
//! setproctitle's case, environ, maps, task/ and the thread directories,
//! the signal sets of the process and of each thread, the links, limits,
//! mounts, the system files, a child alive, a zombie and reaped) prints the
//! same natively and in the guest, built against guest-libc and against
//! glibc (whose pthread_getattr_np reads maps, get_nprocs and sysconf /sys,
//! getmntent /proc/mounts). The guest's own values, which
//! differ from a host's, are checked on their own: pid_max, the release,
//! the fixed lines of status, the file systems.

mod common;
use common::*;

const ARGS: &[&str] = &["alpha", "beta gamma"];
const ENV: &[(&str, &str)] = &[("FOO", "bar")];

/// Fewer lines than this means the native run stopped early.
const MIN_CASES: usize = 65;

fn conforms(name: &str) -> Run {
    let r = same_as_native(name, ARGS, ENV);
    assert_eq!(r.code, 0, "{name} failed:\n{}\n{}", r.stdout, r.stderr);
    let cases = r.stdout.lines().count();
    assert!(
        cases >= MIN_CASES,
        "{name}: only {cases} cases:\n{}",
        r.stdout
    );
    assert!(
        !r.stdout.contains("skipped"),
        "{name}: cases skipped:\n{}",
        r.stdout
    );
    // The facts the comparison rests on, as Linux states them.
    for line in [
        "status-format: keyed lines yes, Linux keys in order yes",
        "stat-line: fields 52 pid==getpid yes",
        "stat-layout: start_stack==&argc yes arg_start==argv[0] yes env_start==arg_end yes \
         env_start==environ[0] yes",
        "cmdline: argv matches yes strings 3 argc 3",
        "environ: matches environ yes has FOO=bar yes",
        "maps-special: has [heap] yes has [stack] yes local in [stack] yes stack perms rw-p",
        "maps-program: code yes perms r-xp program path yes data perms rw-p data path yes",
        "maps-anon-shared: found yes perms rw-s name /dev/zero (deleted) yes",
        "threads: status Threads=3 stat num_threads=3",
        "task-dir: lists 3 tids, each a thread yes leader first yes",
        "sigpending: process SigPnd=0000008000000000 ShdPnd=0000000000000200",
        "sigpending: thread1 SigPnd=0000000000000800 ShdPnd=0000000000000200",
        "sigpending: thread2 SigPnd=0000000000000000 ShdPnd=0000000000000200",
        "zombie-status: State=Z (zombie) Threads=1 has VmSize no",
        "reaped: exit 7; open ENOENT openat ESRCH getdents ENOENT read of an earlier open ESRCH",
        "proctitle: area and environ[0] yes",
    ] {
        assert!(
            r.stdout.contains(line),
            "{name}: no `{line}`:\n{}",
            r.stdout
        );
    }
    r
}

#[test]
fn procfs_matches_linux() {
    conforms("procfs");
}

#[test]
fn procfs_glibc_matches_linux() {
    let r = conforms("procfs-glibc");
    for line in [
        "glibc-main-stack: getattr_np 0 top in [stack] yes holds a local yes size<=rlimit yes",
        "glibc-nprocs: get_nprocs is online yes get_nprocs_conf is possible yes",
        "glibc-sysconf: NPROCESSORS_ONLN is online yes NPROCESSORS_CONF is possible yes",
        "glibc-realpath: of /proc/self/exe is the program yes",
        "glibc-getmntent: finds proc on /proc yes",
    ] {
        assert!(r.stdout.contains(line), "no `{line}`:\n{}", r.stdout);
    }
}

/// The text `procfs --cat` printed for `file`.
fn section<'a>(out: &'a str, file: &str) -> &'a str {
    let head = format!("==> {file} <==\n");
    let start = out
        .find(&head)
        .unwrap_or_else(|| panic!("no {file}:\n{out}"))
        + head.len();
    let rest = &out[start..];
    &rest[..rest.find("==> ").unwrap_or(rest.len())]
}

/// What only the guest's kernel says: its pid range, its release, the
/// lines of status a root task of Linux 6.1 without seccomp, speculation
/// control or NUMA prints, its file systems, one CPU.
#[test]
fn guest_procfs_values() {
    let files = [
        "/proc/sys/kernel/pid_max",
        "/proc/sys/kernel/ostype",
        "/proc/sys/kernel/osrelease",
        "/proc/filesystems",
        "/proc/mounts",
        "/sys/devices/system/cpu/online",
        "/proc/self/status",
        "/proc/self/limits",
        "/proc/self/maps",
        "/proc/cpuinfo",
        "/proc/meminfo",
    ];
    let mut args = vec!["--cat"];
    args.extend(files);
    let r = guest("procfs", &args, &[]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let out = &r.stdout;
    assert_eq!(section(out, "/proc/sys/kernel/pid_max"), "4194304\n");
    assert_eq!(section(out, "/proc/sys/kernel/ostype"), "Linux\n");
    assert_eq!(
        section(out, "/proc/sys/kernel/osrelease"),
        "6.1.0-threadlab\n"
    );
    assert_eq!(
        section(out, "/proc/filesystems"),
        "nodev\tsysfs\nnodev\ttmpfs\nnodev\tproc\nnodev\tdevtmpfs\n"
    );
    assert_eq!(
        section(out, "/proc/mounts"),
        "tmpfs / tmpfs rw,relatime 0 0\n\
         devtmpfs /dev devtmpfs rw,relatime 0 0\n\
         tmpfs /dev/shm tmpfs rw,relatime 0 0\n\
         proc /proc proc rw,relatime 0 0\n\
         sysfs /sys sysfs rw,relatime 0 0\n"
    );
    assert_eq!(section(out, "/sys/devices/system/cpu/online"), "0\n");
    let status = section(out, "/proc/self/status");
    for line in [
        "Name:\tprocfs\n",
        "Umask:\t0022\n",
        "State:\tR (running)\n",
        "Tgid:\t1\nNgid:\t0\nPid:\t1\nPPid:\t0\nTracerPid:\t0\n",
        "Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nFDSize:\t64\nGroups:\t \n",
        "NStgid:\t1\nNSpid:\t1\nNSpgid:\t0\nNSsid:\t0\n",
        "VmLck:\t       0 kB\n",
        "HugetlbPages:\t       0 kB\nCoreDumping:\t0\nTHP_enabled:\t0\nThreads:\t1\n",
        "SigPnd:\t0000000000000000\nShdPnd:\t0000000000000000\n",
        "CapInh:\t0000000000000000\nCapPrm:\t000001ffffffffff\nCapEff:\t000001ffffffffff\n\
         CapBnd:\t000001ffffffffff\nCapAmb:\t0000000000000000\n",
        "NoNewPrivs:\t0\nSeccomp:\t0\nSeccomp_filters:\t0\n\
         Speculation_Store_Bypass:\tunknown\nSpeculationIndirectBranch:\tunknown\n",
        "Cpus_allowed:\t1\nCpus_allowed_list:\t0\n",
        "Mems_allowed_list:\t0\nvoluntary_ctxt_switches:\t0\nnonvoluntary_ctxt_switches:\t0\n",
    ] {
        assert!(status.contains(line), "status lacks {line:?}:\n{status}");
    }
    let mems = format!("Mems_allowed:\t{}00000001\n", "00000000,".repeat(31));
    assert!(status.contains(&mems), "{status}");
    let limits = section(out, "/proc/self/limits");
    assert!(
        limits.contains(
            "Max stack size            8388608              unlimited            bytes     \n"
        ),
        "{limits}"
    );
    assert!(
        limits.contains("Max nice priority         unlimited            unlimited            \n"),
        "{limits}"
    );
    let maps = section(out, "/proc/self/maps");
    let stack = maps
        .lines()
        .find(|l| l.ends_with("[stack]"))
        .unwrap_or_else(|| panic!("no [stack]:\n{maps}"));
    assert!(
        stack.contains(" rw-p 00000000 00:00 0 ") && stack.find("[stack]") == Some(73),
        "{stack}"
    );
    assert!(!maps.contains("[vdso]"), "{maps}");
    let cpuinfo = section(out, "/proc/cpuinfo");
    assert!(
        cpuinfo.starts_with("processor\t: 0\nvendor_id\t: ")
            && cpuinfo.contains("\nflags\t\t: fpu ")
            && cpuinfo.ends_with("power management:\n\n")
            && cpuinfo.matches("processor\t:").count() == 1,
        "{cpuinfo}"
    );
    let meminfo = section(out, "/proc/meminfo");
    assert!(
        meminfo.starts_with("MemTotal:       ")
            && meminfo.contains("\nHugepagesize:       2048 kB\n"),
        "{meminfo}"
    );
}
