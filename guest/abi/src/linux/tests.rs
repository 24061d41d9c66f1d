//! The tables against independent sources on the host: its kernel headers
//! (numbers and names), its C library (`strerror`), and strace (names and
//! argument counts); and the committed C headers against the generators.

extern crate std;

use std::collections::BTreeMap;
use std::format;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::string::{String, ToString};
use std::vec::Vec;

use super::*;

/// `#define NAME NUMBER` lines of a host header (aliases and expressions
/// skipped): decimal, hex or octal, with an optional `U`/`L` suffix.
fn defines(path: &str) -> BTreeMap<String, u64> {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{path}: {e} (the host's Linux headers, linux-libc-dev)"));
    let mut out = BTreeMap::new();
    for line in text.lines() {
        let mut words = line.split_whitespace();
        let (Some("#define"), Some(name), Some(value)) = (words.next(), words.next(), words.next())
        else {
            continue;
        };
        if words.next().is_some_and(|w| !w.starts_with("/*")) {
            continue;
        }
        let value = value.trim_end_matches(['U', 'L']);
        let parsed = if let Some(hex) = value.strip_prefix("0x") {
            u64::from_str_radix(hex, 16)
        } else if value.len() > 1 && value.starts_with('0') {
            u64::from_str_radix(&value[1..], 8)
        } else {
            value.parse()
        };
        if let Ok(v) = parsed {
            out.insert(name.to_string(), v);
        }
    }
    out
}

#[test]
fn syscalls_match_the_host_headers() {
    let host = defines("/usr/include/x86_64-linux-gnu/asm/unistd_64.h");
    let host: BTreeMap<u64, String> = host
        .iter()
        .filter_map(|(k, &v)| Some((v, k.strip_prefix("__NR_")?.to_string())))
        .collect();
    assert!(
        host.len() > 300,
        "{} system calls in the host header",
        host.len()
    );
    for (&nr, name) in &host {
        assert_eq!(syscalls::name(nr), Some(name.as_str()), "number {nr}");
    }
    // The host's headers may be older than ours, never newer.
    assert!(syscalls::all().count() >= host.len());
    // The table is indexed by number.
    for s in syscalls::all() {
        assert_eq!(syscalls::lookup(u64::from(s.nr)).map(|t| t.nr), Some(s.nr));
    }
    assert_eq!(syscalls::__NR_rseq, 334);
    assert_eq!(syscalls::name(syscalls::__NR_clone3), Some("clone3"));
    assert_eq!(syscalls::lookup(400), None);
    assert_eq!(syscalls::lookup(u64::MAX), None);
    assert_eq!(format!("{}", syscalls::Name(334)), "rseq");
    assert_eq!(format!("{}", syscalls::Name(400)), "syscall_0x190");
}

/// A static program that makes every system call in our table with
/// arguments 0x11..0x55 and a marker in the sixth, which a seccomp filter
/// turns into ENOSYS before the kernel runs it (the first argument too,
/// since the sixth register keeps the marker for the C library's own
/// calls after the probes); strace (`-e raw=all`)
/// prints each with its name and as many arguments as it knows the call
/// has.
const PROBE: &str = r#"
#include <stddef.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <errno.h>
#define MARK 0x5ec0de
static const unsigned short nrs[] = { NRS };
int main(void) {
    struct sock_filter f[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[5])),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, MARK, 0, 3),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x11, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = { sizeof f / sizeof f[0], f };
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog))
        return 1;
    for (size_t i = 0; i < sizeof nrs / sizeof nrs[0]; i++)
        syscall(nrs[i], 0x11, 0x22, 0x33, 0x44, 0x55, MARK);
    return 0;
}
"#;

/// A fresh directory of this test process, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("abi-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn syscall_names_and_argument_counts_match_strace() {
    // uretprobe is not filtered by seccomp (and kills a caller outside a
    // uretprobe trampoline): not probed.
    let probed: Vec<&syscalls::Syscall> = syscalls::all()
        .filter(|s| u64::from(s.nr) != syscalls::__NR_uretprobe)
        .collect();
    let nrs: Vec<String> = probed.iter().map(|s| s.nr.to_string()).collect();
    let dir = Scratch::new("strace-probe");
    let (src, exe, trace) = (
        dir.0.join("probe.c"),
        dir.0.join("probe"),
        dir.0.join("trace"),
    );
    std::fs::write(&src, PROBE.replace("NRS", &nrs.join(", "))).unwrap();
    let cc = std::env::var("CC").unwrap_or_else(|_| "gcc".into());
    let st = Command::new(&cc)
        .args(["-static", "-O1", "-o"])
        .args([&exe, &src])
        .status()
        .unwrap_or_else(|e| panic!("{cc}: {e}"));
    assert!(st.success(), "building the probe");
    let Ok(st) = Command::new("strace")
        .args(["-e", "raw=all", "-qq", "-o"])
        .args([&trace, &exe])
        .status()
    else {
        // As tests/strace.rs: the comparison needs strace, which CI
        // installs (.ci/run), so only a developer's machine may skip it.
        assert!(
            std::env::var_os("CI").is_none(),
            "strace is not installed, and CI's setup (.ci/run) installs it"
        );
        std::eprintln!("strace is not installed: skipped");
        return;
    };
    assert!(st.success(), "the probe under strace");
    let text = std::fs::read_to_string(&trace).unwrap();
    // The probes are the calls after the one that installs the filter.
    let lines: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.starts_with("prctl(0x16"))
        .skip(1)
        .take(probed.len())
        .collect();
    assert_eq!(lines.len(), probed.len(), "{text}");
    let mut named = 0;
    for (s, line) in probed.iter().zip(&lines) {
        let (name, rest) = line.split_once('(').unwrap();
        let args = &rest[..rest.find(')').unwrap()];
        let nargs = if args.is_empty() {
            0
        } else {
            args.split(", ").count()
        };
        if name.starts_with("syscall_") {
            // Newer than this strace.
            assert_eq!(name, format!("syscall_{:#x}", s.nr), "{line}");
            continue;
        }
        assert_eq!(
            (name, nargs),
            (s.name, usize::from(s.nargs)),
            "number {}: {line}",
            s.nr
        );
        named += 1;
    }
    assert!(named > 350, "strace named only {named} calls");
}

#[test]
fn errnos_match_the_host_headers_and_c_library() {
    let mut host = defines("/usr/include/asm-generic/errno-base.h");
    host.extend(defines("/usr/include/asm-generic/errno.h"));
    assert!(host.len() > 100);
    for (name, &nr) in &host {
        let e = errno::lookup(nr).unwrap_or_else(|| panic!("{name} {nr}"));
        assert_eq!(e.name, name, "{nr}");
    }
    for e in cheader::visible_errnos() {
        assert_eq!(host.get(e.name), Some(&u64::from(e.nr)), "{}", e.name);
        // SAFETY: strerror returns a valid NUL-terminated string.
        let c = unsafe { std::ffi::CStr::from_ptr(libc::strerror(i32::from(e.nr))) };
        assert_eq!(e.message, c.to_str().unwrap(), "{}", e.name);
    }
    assert_eq!(errno::ENOSYS, 38);
    assert_eq!(errno::lookup(512).map(|e| e.name), Some("ERESTARTSYS"));
    assert_eq!(errno::lookup(41), None);
    assert!(errno::is_error(-1) && errno::is_error(-4095));
    assert!(!errno::is_error(-4096) && !errno::is_error(0));
}

#[test]
fn signals_clone_and_futex_match_the_host_headers() {
    let host = defines("/usr/include/x86_64-linux-gnu/asm/signal.h");
    for (i, name) in signal::NAMES.iter().enumerate() {
        assert_eq!(host.get(*name), Some(&(i as u64 + 1)), "{name}");
        assert_eq!(signal::name(i as u64 + 1), Some(*name));
    }
    assert_eq!(signal::NAMES.len(), 31);
    assert_eq!(signal::name(0), None);
    assert_eq!(signal::name(32), None);
    assert_eq!(host.get("SIGRTMIN"), Some(&signal::SIGRTMIN));
    // The C library's highest real-time signal is the kernel's last one.
    assert_eq!(libc::SIGRTMAX() as u64, signal::NSIG);

    let host = defines("/usr/include/linux/sched.h");
    for &(bit, name) in clone::FLAGS {
        assert_eq!(host.get(name), Some(&bit), "{name}");
    }
    let host_flags = host
        .keys()
        .filter(|k| k.starts_with("CLONE_") && !k.starts_with("CLONE_ARGS"));
    assert_eq!(host_flags.count(), clone::FLAGS.len());

    let host = defines("/usr/include/linux/futex.h");
    for &(cmd, name) in futex::COMMANDS {
        // An older host header may not have the newest commands.
        if let Some(&v) = host.get(name) {
            assert_eq!(v, cmd, "{name}");
        }
    }
    assert_eq!(futex::command_name(9), Some("FUTEX_WAIT_BITSET"));
    assert_eq!(
        host.get("FUTEX_PRIVATE_FLAG"),
        Some(&futex::FUTEX_PRIVATE_FLAG)
    );
}

/// A program, built with the host's compiler against its Linux UAPI
/// headers (the kernel's own, not the C library's), that prints `NAME
/// value` for each name it is given that the headers define.
fn host_values(headers: &[&str], names: &[&str]) -> BTreeMap<String, i64> {
    let mut src = String::new();
    for h in headers {
        src += &format!("#include <{h}>\n");
    }
    // No C library header: glibc's would redefine some of these names.
    src += "int printf(const char *, ...);\nint main(void) {\n";
    for n in names {
        src += &format!("#ifdef {n}\n    printf(\"{n} %lld\\n\", (long long)({n}));\n#endif\n");
    }
    src += "    return 0;\n}\n";
    let dir = Scratch::new("uapi-probe");
    let (c, exe) = (dir.0.join("probe.c"), dir.0.join("probe"));
    std::fs::write(&c, src).unwrap();
    let cc = std::env::var("CC").unwrap_or_else(|_| "gcc".into());
    let st = Command::new(&cc)
        .args(["-O0", "-w", "-o"])
        .args([&exe, &c])
        .status()
        .unwrap_or_else(|e| panic!("{cc}: {e}"));
    assert!(st.success(), "building the UAPI probe");
    let out = Command::new(&exe).output().unwrap();
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let (n, v) = l.split_once(' ').unwrap();
            (n.to_string(), v.parse().unwrap())
        })
        .collect()
}

#[test]
fn flag_and_constant_tables_match_the_host_headers() {
    // Each table, with the rows the host's headers (Linux 6.1 or later)
    // must all have.
    let tables: &[(&str, &[(u64, &str)])] = &[
        ("PROT", mman::PROT),
        ("MAP_TYPES", mman::MAP_TYPES),
        ("MAP_FLAGS", mman::MAP_FLAGS),
        ("MADVISE", mman::MADVISE),
        ("MADVISE_OTHER", mman::MADVISE_OTHER),
        ("ACCESS_MODES", fs::ACCESS_MODES),
        ("OPEN_FLAGS", fs::OPEN_FLAGS),
        ("FCNTL_COMMANDS", fs::FCNTL_COMMANDS),
        ("FD_FLAGS", fs::FD_FLAGS),
        ("DIRFDS", fs::DIRFDS),
        ("PATH_FLAGS", fs::PATH_FLAGS),
        ("WHENCE", fs::WHENCE),
        ("FILE_TYPES", fs::FILE_TYPES),
        ("WAIT_OPTIONS", wait::WAIT_OPTIONS),
        ("ID_TYPES", wait::ID_TYPES),
        ("SIGPROCMASK_HOW", signal::SIGPROCMASK_HOW),
        ("SA_FLAGS", signal::SA_FLAGS),
        ("CHILD_CODES", signal::CHILD_CODES),
        ("SEND_CODES", signal::SEND_CODES),
        ("SEGV_CODES", signal::SEGV_CODES),
        ("BUS_CODES", signal::BUS_CODES),
        ("ILL_CODES", signal::ILL_CODES),
        ("FPE_CODES", signal::FPE_CODES),
        ("TRAP_CODES", signal::TRAP_CODES),
        ("SS_FLAGS", signal::SS_FLAGS),
        ("SIGEV_NOTIFY", signal::SIGEV_NOTIFY),
        ("ITIMERS", signal::ITIMERS),
        ("CLOCKS", time::CLOCKS),
        ("TIMER_FLAGS", time::TIMER_FLAGS),
        ("RLIMITS", resource::RLIMITS),
        ("RLIM_VALUES", resource::RLIM_VALUES),
        ("ARCH_CODES", arch_prctl::ARCH_CODES),
        ("GRND_FLAGS", random::GRND_FLAGS),
        ("AUXV_TYPES", auxv::AUXV_TYPES),
        ("REQUESTS", ioctl::REQUESTS),
    ];
    // Newer than Linux 6.1's headers: checked when the host has them.
    let newer = [
        "PIDFD_THREAD",
        "AT_RSEQ_FEATURE_SIZE",
        "AT_RSEQ_ALIGN",
        "AT_HWCAP3",
        "AT_HWCAP4",
    ];
    let pidfd = fs::PIDFD_FLAGS;
    let singles: &[(&str, u64)] = &[
        ("PROT_NONE", mman::PROT_NONE),
        ("MAP_TYPE", mman::MAP_TYPE),
        ("O_ACCMODE", fs::O_ACCMODE),
        ("S_IFMT", u64::from(fs::S_IFMT)),
        ("WSTOPPED", wait::WSTOPPED),
        ("SIG_DFL", signal::SIG_DFL),
        ("SIG_IGN", signal::SIG_IGN),
        ("MINSIGSTKSZ", signal::MINSIGSTKSZ),
        ("SIGSTKSZ", signal::SIGSTKSZ),
        ("RLIM_NLIMITS", resource::RLIM_NLIMITS),
        ("RLIM_INFINITY", resource::RLIM_INFINITY),
    ];
    let rows = || {
        tables
            .iter()
            .flat_map(|t| t.1.iter().copied())
            .chain(pidfd.iter().copied())
            .chain(singles.iter().map(|&(n, v)| (v, n)))
    };
    let names: Vec<&str> = rows().map(|r| r.1).collect();
    let host = host_values(
        &[
            "linux/mman.h",
            "linux/fcntl.h",
            "linux/stat.h",
            "linux/fs.h",
            "linux/pidfd.h",
            "linux/wait.h",
            "linux/signal.h",
            "linux/time.h",
            "linux/resource.h",
            "asm/prctl.h",
            "linux/random.h",
            "linux/auxvec.h",
            "asm/ioctls.h",
        ],
        &names,
    );
    let mut checked = 0;
    for (v, name) in rows() {
        match host.get(name) {
            // `as i64`: the C value is printed as a signed long long, so
            // AT_FDCWD is -100 and RLIM_INFINITY -1 on both sides.
            Some(&h) => {
                assert_eq!(h, v as i64, "{name}");
                checked += 1;
            }
            None => assert!(newer.contains(&name), "{name} is not in the host's headers"),
        }
    }
    assert!(checked > 150, "{checked} names");
    // strace's decoders depend on the table orders: spot checks.
    assert_eq!(name_of(mman::MAP_TYPES, 2), Some("MAP_PRIVATE"));
    assert_eq!(name_of(time::CLOCKS, 11), Some("CLOCK_TAI"));
    assert_eq!(name_of(fs::DIRFDS, -100i64 as u64), Some("AT_FDCWD"));
    assert_eq!(name_of(resource::RLIMITS, 7), Some("RLIMIT_NOFILE"));
    assert_eq!(name_of(resource::RLIMITS, 16), None);
    assert_eq!(signal::SA_FLAGS[0].1, "SA_RESTORER");
}

#[test]
fn generated_headers() {
    let libc = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../guest-libc");
    let update = std::env::var_os("UPDATE_GENERATED").is_some();
    for &(path, write) in cheader::HEADERS {
        let mut text = String::new();
        write(&mut text).unwrap();
        let file = libc.join(path);
        if update {
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(&file, &text).unwrap();
            continue;
        }
        let committed = std::fs::read_to_string(&file).unwrap_or_default();
        assert!(
            committed == text,
            "guest-libc/{path} is not what guest/abi generates; regenerate it with \
             `UPDATE_GENERATED=1 cargo test -p abi generated_headers` and commit it"
        );
    }
}
