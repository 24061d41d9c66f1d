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

#[test]
fn timeout_ends_an_infinite_loop() {
    let start = std::time::Instant::now();
    let r = vmm(&[
        "run",
        "--timeout",
        "0.5",
        guest_bin("spin").to_str().unwrap(),
    ]);
    let took = start.elapsed();
    assert_eq!(r.code, 124, "stderr: {}", r.stderr);
    assert!(r.stderr.to_lowercase().contains("timeout"), "{}", r.stderr);
    // What the program printed before spinning is not lost.
    assert!(!r.stdout.is_empty(), "output before the loop was lost");
    assert!(took.as_secs_f64() < 10.0, "timeout took {took:?}");
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

#[test]
fn unknown_kernel_options_are_logged_not_fatal() {
    let hello = guest_bin("hello");
    let r = vmm(&[
        "run",
        "--cmdline",
        "no-such-option",
        hello.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "stderr: {}", r.stderr);
    assert!(
        r.stderr
            .contains("[guest kernel] ignoring unknown kernel option no-such-option"),
        "{}",
        r.stderr
    );
}

/// Unimplemented system calls are -ENOSYS (checked against Linux by
/// syscall-errors) and named once in the kernel log, not once per call:
/// by number, and by Linux's name where the number has one (glibc's start
/// registers rseq).
#[test]
fn unimplemented_syscalls_are_logged_once() {
    let r = guest("syscall-errors", &[], &[]);
    assert_eq!(
        r.stderr
            .matches("unimplemented system call 1000: returning -ENOSYS")
            .count(),
        1,
        "{}",
        r.stderr
    );
    let r = guest("hello-glibc", &[], &[]);
    let rseq = format!(
        "unimplemented system call {} (rseq): returning -ENOSYS",
        abi::linux::syscalls::__NR_rseq
    );
    assert_eq!(r.stderr.matches(&rseq).count(), 1, "{}", r.stderr);
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
