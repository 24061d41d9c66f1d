//! Helpers shared by the integration tests: where the built artifacts are,
//! how to run a program in the guest (through the real `vmm` binary) and
//! natively on the host, and how to make broken ELF files.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The `vmm` binary of this build.
pub fn vmm_bin() -> &'static str {
    env!("CARGO_BIN_EXE_vmm")
}

/// A guest program built by vmm/build.rs.
pub fn guest_bin(name: &str) -> PathBuf {
    let p = Path::new(env!("GUEST_BIN_DIR")).join(name);
    assert!(p.exists(), "guest program {} was not built", p.display());
    p
}

/// Every guest run gets a timeout so a hung guest fails the test instead of
/// hanging the suite.
pub const GUARD_TIMEOUT: &str = "60";

/// The guard for the stress programs: tens of seconds of kernel work, which
/// on a host that emulates the guest kernel (PVM) and runs the suite in
/// parallel on two cores can take several times as long. A guard catches a
/// hang; it is not a speed target (those are `vmm bench`'s).
pub const STRESS_TIMEOUT: &str = "600";

/// Result of one run, guest or native.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    /// The guest kernel's log, for runs that asked for it (`--log FILE`:
    /// [`vmm_logged`], [`guest_logged`], [`same_as_native`]); else empty.
    pub log: String,
}

impl Run {
    fn from(out: Output) -> Run {
        use std::os::unix::process::ExitStatusExt;
        let code = match out.status.code() {
            Some(c) => c,
            // Natively a signal death has no exit code; report it the way a
            // shell (and vmm) does.
            None => 128 + out.status.signal().unwrap_or(0),
        };
        Run {
            code,
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            log: String::new(),
        }
    }

    /// vmm never panics, whatever the input: a Rust panic message or
    /// backtrace on stderr is a bug in itself.
    pub fn assert_no_host_panic(&self) {
        assert!(
            !self.stderr.contains("panicked") && !self.stderr.contains("RUST_BACKTRACE"),
            "vmm panicked:\n{}",
            self.stderr
        );
    }
}

fn spawn(mut cmd: Command, stdin: Option<&[u8]>) -> Run {
    cmd.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    })
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn");
    if let Some(data) = stdin {
        let mut pipe = child.stdin.take().unwrap();
        pipe.write_all(data).unwrap();
    }
    Run::from(child.wait_with_output().expect("wait"))
}

/// `vmm <args...>` with the guard timeout inserted after `run`.
pub fn vmm(args: &[&str]) -> Run {
    vmm_with_stdin(args, None)
}

pub fn vmm_with_stdin(args: &[&str], stdin: Option<&[u8]>) -> Run {
    let mut cmd = Command::new(vmm_bin());
    if args.first() == Some(&"run") && !args.contains(&"--timeout") {
        cmd.arg("run")
            .args(["--timeout", GUARD_TIMEOUT])
            .args(&args[1..]);
    } else {
        cmd.args(args);
    }
    let run = spawn(cmd, stdin);
    run.assert_no_host_panic();
    run
}

/// `vmm run <args...>` (`args` without the `run`) with the guest kernel's
/// log written to a file of its own (`--log FILE`) and returned in
/// [`Run::log`]; stderr holds only the program's and vmm's own lines.
pub fn vmm_logged(args: &[&str]) -> Run {
    static RUNS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let file = scratch(&format!("kernel-log-{n}"));
    let file_arg = file.to_string_lossy().into_owned();
    let mut v = vec!["run", "--log", &file_arg];
    v.extend_from_slice(args);
    let mut run = vmm(&v);
    run.log = std::fs::read_to_string(&file).unwrap_or_default();
    let _ = std::fs::remove_file(&file);
    run
}

/// Runs guest program `name` with `args` and environment `env` in the guest.
pub fn guest(name: &str, args: &[&str], env: &[(&str, &str)]) -> Run {
    guest_with(&[], name, args, env)
}

/// Like [`guest`], with extra `vmm run` options (e.g. `--cmdline`) first.
pub fn guest_with(opts: &[&str], name: &str, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut v = vec!["run".to_string()];
    v.extend(guest_args(opts, name, args, env));
    let refs: Vec<&str> = v.iter().map(String::as_str).collect();
    vmm(&refs)
}

/// Like [`guest_with`], with the kernel's log in [`Run::log`].
pub fn guest_logged(opts: &[&str], name: &str, args: &[&str], env: &[(&str, &str)]) -> Run {
    let v = guest_args(opts, name, args, env);
    let refs: Vec<&str> = v.iter().map(String::as_str).collect();
    vmm_logged(&refs)
}

/// `vmm run`'s arguments after `run` for guest program `name`.
fn guest_args(opts: &[&str], name: &str, args: &[&str], env: &[(&str, &str)]) -> Vec<String> {
    let prog = guest_bin(name);
    let mut v: Vec<String> = opts.iter().map(|s| s.to_string()).collect();
    for (k, val) in env {
        v.push("--env".into());
        v.push(format!("{k}={val}"));
    }
    v.push(prog.to_string_lossy().into_owned());
    v.extend(args.iter().map(|s| s.to_string()));
    v
}

/// Runs the same program natively on the host with exactly `env`, in the
/// given order (through `env -i`: `Command::envs` would sort it).
pub fn native(name: &str, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new("env");
    cmd.arg("-i");
    cmd.args(env.iter().map(|(k, v)| format!("{k}={v}")));
    cmd.arg(guest_bin(name)).args(args).env_clear();
    spawn(cmd, None)
}

/// Runs a program natively and in the guest and asserts that both print the
/// same stdout and end with the same status. Returns the guest run.
///
/// The guest run is a `--check-mode verify` run: the host checks the
/// kernel's and libc's invariants after every system call, incrementally
/// (driven by KVM's dirty log) and from scratch, and the two must agree on
/// the findings and on the state they read. So every comparison is also an
/// invariant test and a test that the incremental check finds what the
/// full one finds (a violation or a disagreement ends the run with status
/// 122 and a report, and the comparison fails). The kernel's log is in
/// [`Run::log`] (for [`stats`]).
pub fn same_as_native(name: &str, args: &[&str], env: &[(&str, &str)]) -> Run {
    same_as_native_with(&[], name, args, env)
}

/// [`same_as_native`], with extra `vmm run` options (e.g. a `--timeout`).
pub fn same_as_native_with(opts: &[&str], name: &str, args: &[&str], env: &[(&str, &str)]) -> Run {
    let n = native(name, args, env);
    let mut o = vec!["--check-mode", "verify"];
    o.extend_from_slice(opts);
    let g = guest_logged(&o, name, args, env);
    assert_eq!(
        g.stdout, n.stdout,
        "{name}: guest stdout differs from native Linux\n--- guest stderr:\n{}",
        g.stderr
    );
    assert_eq!(
        g.code, n.code,
        "{name}: exit status differs (guest stderr: {})",
        g.stderr
    );
    g
}

/// The `key=value` pairs of the kernel's statistics snapshot `tag` (the
/// host writes one line per snapshot a program asks for into the kernel's
/// log: [`Run::log`] of a run that asked for it).
pub fn stats(log: &str, tag: u64) -> std::collections::HashMap<String, u64> {
    let prefix = format!("stats {tag}: ");
    let line = log
        .lines()
        .find_map(|l| l.split_once(&prefix).map(|(_, rest)| rest.to_string()))
        .unwrap_or_else(|| panic!("no statistics snapshot {tag} in:\n{log}"));
    line.split_whitespace()
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_string(), v.parse().unwrap()))
        .collect()
}

/// `huge-timeouts`' two arguments: the shortest timeout whose cycle count
/// at the guest's TSC frequency (a vCPU's, as the VMM reads it) just passes
/// 2^64, and a tv_sec whose nanoseconds saturate 64 bits.
pub fn huge_timeouts() -> [String; 2] {
    let kvm = kvm_ioctls::Kvm::new().expect("/dev/kvm");
    let vcpu = kvm.create_vm().unwrap().create_vcpu(0).unwrap();
    let khz = abi::clock::TscClock::new(vmm::vm::tsc_khz(&vcpu), 0, 0).tsc_khz();
    let ns = ((1u128 << 64) * 1_000_000).div_ceil(u128::from(khz));
    let wraps = format!("{}.{:09}", ns / 1_000_000_000, ns % 1_000_000_000);
    [wraps, i64::MAX.to_string()]
}

/// A scratch file for a test's own artifacts.
pub fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("vmm-tests");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(format!("{}-{}", std::process::id(), name))
}

/// Minimal ELF64 header / program header accessors for crafting bad inputs.
pub mod elf {
    pub const PT_LOAD: u32 = 1;

    pub fn u16_at(b: &[u8], off: usize) -> u16 {
        u16::from_le_bytes(b[off..off + 2].try_into().unwrap())
    }
    pub fn u32_at(b: &[u8], off: usize) -> u32 {
        u32::from_le_bytes(b[off..off + 4].try_into().unwrap())
    }
    pub fn u64_at(b: &[u8], off: usize) -> u64 {
        u64::from_le_bytes(b[off..off + 8].try_into().unwrap())
    }
    pub fn put_u16(b: &mut [u8], off: usize, v: u16) {
        b[off..off + 2].copy_from_slice(&v.to_le_bytes());
    }
    pub fn put_u64(b: &mut [u8], off: usize, v: u64) {
        b[off..off + 8].copy_from_slice(&v.to_le_bytes());
    }

    /// File offsets of the program headers of type `PT_LOAD`.
    pub fn load_phdrs(b: &[u8]) -> Vec<usize> {
        let phoff = u64_at(b, 0x20) as usize;
        let phentsize = u16_at(b, 0x36) as usize;
        let phnum = u16_at(b, 0x38) as usize;
        (0..phnum)
            .map(|i| phoff + i * phentsize)
            .filter(|&off| u32_at(b, off) == PT_LOAD)
            .collect()
    }
    // Program header field offsets.
    pub const P_OFFSET: usize = 0x08;
    pub const P_VADDR: usize = 0x10;
    pub const P_PADDR: usize = 0x18;
    pub const P_FILESZ: usize = 0x20;
    pub const P_MEMSZ: usize = 0x28;
}

/// Runs guest-libc's build `ours` and glibc's build `glibc` of one
/// conformance program natively and asserts they print the same lines and
/// end alike: the guest comparisons check the kernel, this the library.
/// Returns guest-libc's run.
pub fn same_as_glibc_natively(ours: &str, glibc: &str) -> Run {
    let o = native(ours, &[], &[]);
    let g = native(glibc, &[], &[]);
    assert_eq!(o.code, g.code, "{}", o.stderr);
    let diff: Vec<String> = o
        .stdout
        .lines()
        .zip(g.stdout.lines())
        .filter(|(a, b)| a != b)
        .map(|(a, b)| format!("guest-libc: {a}\n     glibc: {b}"))
        .collect();
    assert!(diff.is_empty(), "{}", diff.join("\n"));
    assert_eq!(
        o.stdout.lines().count(),
        g.stdout.lines().count(),
        "guest-libc:\n{}\nglibc:\n{}",
        o.stdout,
        g.stdout
    );
    o
}
