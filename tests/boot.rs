//! Boots real guests on /dev/kvm: programs run, print, get their arguments and
//! environment, and end with the status (or signal) the user expects.

mod common;
use common::*;

#[test]
fn hello_in_c() {
    let r = guest("hello", &[], &[]);
    assert_eq!(r.code, 0, "stderr: {}", r.stderr);
    assert_eq!(r.stdout, native("hello", &[], &[]).stdout);
    assert!(!r.stdout.is_empty());
}

#[test]
fn hello_in_rust_prints_what_c_prints() {
    let r = guest("hello-rs", &[], &[]);
    assert_eq!(r.code, 0, "stderr: {}", r.stderr);
    assert_eq!(r.stdout, guest("hello", &[], &[]).stdout);
}

#[test]
fn static_pie_runs() {
    same_as_native("hello-pie", &[], &[]);
}

/// A static binary linked against the host's glibc: a C library we did not
/// write, with its own startup (IRELATIVE relocations, TLS, stdio).
#[test]
fn static_glibc_hello_runs() {
    let r = guest("hello-glibc", &[], &[]);
    assert_eq!(r.code, 0, "stderr: {}", r.stderr);
    assert_eq!(r.stdout, native("hello", &[], &[]).stdout);
}

#[test]
fn args_and_environment_reach_main() {
    let args = ["one", "two words", "", "--flag", "ünïcödé"];
    let env = [("HOME", "/root"), ("GREETING", "hi there"), ("EMPTY", "")];
    for prog in ["args", "args-rs"] {
        let r = same_as_native(prog, &args, &env);
        for a in args.iter().filter(|a| !a.is_empty()) {
            assert!(
                r.stdout.contains(a),
                "{prog}: {a:?} missing from {}",
                r.stdout
            );
        }
        assert!(
            r.stdout.contains("GREETING=hi there"),
            "{prog}: {}",
            r.stdout
        );
    }
}

#[test]
fn exit_status_propagates() {
    for (arg, want) in [
        ("0", 0),
        ("1", 1),
        ("42", 42),
        ("255", 255),
        ("256", 0),
        ("-1", 255),
    ] {
        let r = guest("exit", &[arg], &[]);
        assert_eq!(r.code, want, "exit {arg}: stderr {}", r.stderr);
        assert_eq!(native("exit", &[arg], &[]).code, want);
    }
}

#[test]
fn user_faults_die_of_sigsegv_with_139() {
    for mode in ["null", "rodata", "protnone", "nx", "stack"] {
        let r = same_as_native("segv", &[mode], &[]);
        assert_eq!(r.code, 139, "segv {mode}: {}", r.stderr);
        assert!(r.stderr.contains("SIGSEGV"), "segv {mode}: {}", r.stderr);
    }
}

#[test]
fn other_cpu_exceptions_map_to_linux_signals() {
    for (mode, sig) in [("ud2", 4), ("div0", 8), ("int3", 5)] {
        let r = same_as_native("fault", &[mode], &[]);
        assert_eq!(r.code, 128 + sig, "fault {mode}: {}", r.stderr);
    }
}

/// `--timeout` values for spin (a line, then an endless loop), shortest
/// first. What the run proves needs the deadline to pass with the program
/// in its loop: from vmm's start it gets there in 25 to 60 ms on two cores
/// at load 3, about a tenth of 0.5 s. The next value runs only when a host
/// too loaded for that left the program short of its loop.
const SPIN_TIMEOUTS: [f64; 2] = [0.5, 4.0];

#[test]
fn timeout_ends_an_infinite_loop() {
    let spin = guest_bin("spin");
    for (i, timeout) in SPIN_TIMEOUTS.into_iter().enumerate() {
        let start = std::time::Instant::now();
        let r = vmm(&[
            "run",
            "--timeout",
            &timeout.to_string(),
            spin.to_str().unwrap(),
        ]);
        let took = start.elapsed();
        assert_eq!(r.code, 124, "stderr: {}", r.stderr);
        assert!(r.stderr.to_lowercase().contains("timeout"), "{}", r.stderr);
        assert!(
            took.as_secs_f64() < timeout + 9.5,
            "a timeout of {timeout} s took {took:?}"
        );
        let rip = r
            .stderr
            .lines()
            .find(|l| l.trim_start().starts_with("rip "))
            .unwrap_or_else(|| panic!("no rip line:\n{}", r.stderr));
        // Still on its way to the loop at the deadline: a loaded host.
        let looping = r.stdout == "spinning\n" && rip.contains(" main+0x");
        if !looping && i + 1 < SPIN_TIMEOUTS.len() {
            continue;
        }
        // The vCPU was in the program: its rip is named with the program's
        // symbols, as in a SIGSEGV report.
        assert!(rip.contains(" main+0x"), "{}", r.stderr);
        // What the program printed before spinning is not lost.
        assert!(!r.stdout.is_empty(), "output before the loop was lost");
        break;
    }
}

#[test]
fn console_input_reaches_the_program_and_ends_in_eof() {
    let data = b"first line\nsecond line\n".repeat(500);
    let r = vmm_with_stdin(&["run", guest_bin("cat").to_str().unwrap()], Some(&data));
    assert_eq!(r.code, 0, "stderr: {}", r.stderr);
    assert_eq!(r.stdout.as_bytes(), &data[..]);
    // No input at all is an immediate EOF, not a hang.
    let r = vmm(&["run", guest_bin("cat").to_str().unwrap()]);
    assert_eq!((r.code, r.stdout.as_str()), (0, ""));
}

#[test]
fn initial_stack_and_auxv_match_linux() {
    same_as_native("auxv", &["a", "b"], &[("X", "1")]);
}

#[test]
fn memory_syscalls_behave_like_linux() {
    same_as_native("mm", &[], &[]);
}

#[test]
fn syscall_argument_errors_match_linux_errno() {
    let r = same_as_native("syscall-errors", &[], &[]);
    assert!(
        r.stdout.lines().count() >= 20,
        "too few cases: {}",
        r.stdout
    );
}

#[test]
fn fpu_and_sse_state_work() {
    same_as_native("fpu", &[], &[]);
}

#[test]
fn clocks_work() {
    same_as_native("time", &[], &[]);
}

#[test]
fn guest_memory_size_is_configurable() {
    for mem in ["16M", "64M", "1G", "4G"] {
        let r = vmm(&["run", "--memory", mem, guest_bin("hello").to_str().unwrap()]);
        assert_eq!(r.code, 0, "--memory {mem}: {}", r.stderr);
    }
}

/// The real kernel's own failure paths: a panic and a kernel-mode page
/// fault (both requested on the kernel command line) reach the host with the
/// message, registers and a backtrace named with the kernel's symbols.
#[test]
fn kernel_panic_reaches_the_host_symbolized() {
    let hello = guest_bin("hello");
    let r = vmm(&["run", "--cmdline", "panic", hello.to_str().unwrap()]);
    assert_eq!(r.code, 123, "stderr: {}", r.stderr);
    assert!(
        r.stderr
            .starts_with("vmm: guest kernel panic: kernel panic requested"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("kernel::cmdline::init"), "{}", r.stderr);
    assert!(r.stderr.contains("kernel::kernel_main"), "{}", r.stderr);
    assert!(r.stdout.is_empty());
}

#[test]
fn kernel_page_fault_is_a_panic_with_registers() {
    let hello = guest_bin("hello");
    let r = vmm(&["run", "--cmdline", "fault", hello.to_str().unwrap()]);
    assert_eq!(r.code, 123, "stderr: {}", r.stderr);
    assert!(
        r.stderr.contains("page fault in kernel mode"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("rip 0x") && r.stderr.contains("kernel::cmdline::kernel_fault"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("cr2 00007f7ffffff000"), "{}", r.stderr);
}

/// The kernel's log is a channel of its own: `--log FILE` gets it, the
/// program's stderr does not.
#[test]
fn unknown_kernel_options_are_logged_not_fatal() {
    let hello = guest_bin("hello");
    let r = vmm_logged(&["--cmdline", "no-such-option", hello.to_str().unwrap()]);
    assert_eq!(r.code, 0, "stderr: {}", r.stderr);
    assert_eq!(r.stderr, "");
    assert_eq!(
        r.log,
        "[guest kernel] ignoring unknown kernel option no-such-option\n"
    );
}

/// Unimplemented system calls are -ENOSYS (checked against Linux by
/// syscall-errors) and named once in the kernel log (`--log -`: on
/// stderr), not once per call: by number, and by Linux's name where the
/// number has one (glibc's start registers rseq); without `--log` nothing
/// of it is shown.
#[test]
fn unimplemented_syscalls_are_logged_once() {
    let r = guest_with(&["--log", "-"], "syscall-errors", &[], &[]);
    assert_eq!(
        r.stderr
            .matches("[guest kernel] unimplemented system call 1000: returning -ENOSYS")
            .count(),
        1,
        "{}",
        r.stderr
    );
    let r = guest_with(&["--log", "-"], "hello-glibc", &[], &[]);
    let rseq = format!(
        "[guest kernel] unimplemented system call {} (rseq): returning -ENOSYS",
        abi::linux::syscalls::__NR_rseq
    );
    assert_eq!(r.stderr.matches(&rseq).count(), 1, "{}", r.stderr);
    let r = guest("syscall-errors", &[], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stderr.contains("[guest kernel]"), "{}", r.stderr);
}

/// A run that fails on the vmm side says that the kernel logged lines
/// nobody saw, and where to see them; with `--log -` they are shown and
/// there is nothing to say.
#[test]
fn a_failed_run_mentions_the_hidden_kernel_log() {
    let hello = guest_bin("hello");
    let hello = hello.to_str().unwrap();
    let r = vmm(&["run", "--cmdline", "no-such-option panic", hello]);
    assert_eq!(r.code, 123, "{}", r.stderr);
    assert!(!r.stderr.contains("[guest kernel]"), "{}", r.stderr);
    assert_eq!(
        r.stderr.lines().last(),
        Some("vmm: the guest kernel logged 1 line; --log - shows it"),
        "{}",
        r.stderr
    );
    let r = vmm(&[
        "run",
        "--log",
        "-",
        "--cmdline",
        "no-such-option panic",
        hello,
    ]);
    assert_eq!(r.code, 123, "{}", r.stderr);
    assert!(
        r.stderr
            .starts_with("[guest kernel] ignoring unknown kernel option no-such-option\n"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("--log - shows"), "{}", r.stderr);
}

/// A name without `/` is looked up in PATH as a shell does: the first
/// executable regular file wins, the reports name the file that ran, a
/// name found only as a non-executable file is 126, one found nowhere 127.
#[test]
fn a_bare_name_is_looked_up_in_path() {
    use std::os::unix::fs::PermissionsExt;
    let (denied, bin) = (scratch("path-denied"), scratch("path-bin"));
    for (dir, mode) in [(&denied, 0o644), (&bin, 0o755)] {
        std::fs::create_dir_all(dir).unwrap();
        let p = dir.join("segv");
        std::fs::copy(guest_bin("segv"), &p).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    let run = |path: &std::ffi::OsStr, name: &str| {
        let out = std::process::Command::new(vmm_bin())
            .args(["run", "--timeout", GUARD_TIMEOUT, name, "null"])
            .env("PATH", path)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let path = std::env::join_paths([&denied, &bin]).unwrap();
    let (code, stderr) = run(&path, "segv");
    assert_eq!(code, Some(139), "{stderr}");
    let ran = bin.join("segv");
    assert!(
        stderr.starts_with(&format!("vmm: {} killed by SIGSEGV", ran.display())),
        "{stderr}"
    );
    let (code, stderr) = run(denied.as_os_str(), "segv");
    assert_eq!(code, Some(126), "{stderr}");
    assert!(
        stderr.contains(&denied.join("segv").display().to_string()),
        "{stderr}"
    );
    let (code, stderr) = run(&path, "no-such-program");
    assert_eq!(code, Some(127), "{stderr}");
    assert_eq!(stderr, "vmm: no-such-program: not found in PATH\n");
    for d in [denied, bin] {
        let _ = std::fs::remove_dir_all(d);
    }
}

/// Initialized data, read-only data and bss (also where it shares a page
/// with the end of .data) read back exactly as on Linux.
#[test]
fn program_image_is_loaded_exactly() {
    let r = same_as_native("image", &[], &[]);
    assert!(r.stdout.contains("bss zero: yes"), "{}", r.stdout);
}

/// Hostile arguments (kernel addresses, non-canonical pointers, huge and
/// wrapping lengths) to the implemented system calls: each fails with the
/// right errno, nothing outside user space is mapped, and the kernel and the
/// program survive. Guest only (see hostile.c).
#[test]
fn hostile_syscall_arguments_do_not_hurt_the_kernel() {
    let r = guest("hostile", &[], &[]);
    assert_eq!(r.code, 0, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("0 wrong results, still working: yes"),
        "{}",
        r.stdout
    );
    assert!(!r.stderr.contains("panic"), "{}", r.stderr);
}

/// The same hostile arguments through the host's decoders: `--strace`
/// follows every pointer argument (pointers whose second word wraps past
/// the top of the address space among them) and prints the address where
/// it cannot read, and the run ends as it does untraced. The test binary's
/// vmm is a debug build, so an unchecked address sum panics here.
#[test]
fn hostile_syscall_arguments_do_not_hurt_the_tracer() {
    let out = scratch("hostile.strace");
    let out_s = out.to_string_lossy().into_owned();
    let r = guest_with(&["--strace-output", &out_s], "hostile", &[], &[]);
    assert_eq!(r.code, 0, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    let trace = std::fs::read_to_string(&out).unwrap();
    for line in [
        "clock_gettime(CLOCK_MONOTONIC, 0xfffffffffffffff8) = -1 EFAULT (Bad address)",
        "nanosleep(0xfffffffffffffff8, NULL) = -1 EFAULT (Bad address)",
        "writev(1, 0xfffffffffffffff8, 1)",
    ] {
        assert!(trace.contains(line), "no {line:?} in\n{trace}");
    }
}
