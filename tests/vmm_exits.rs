//! The VMM on its own, against a stand-in kernel (tests/fixtures/tiny-kernel.S)
//! that does exactly one thing per build: every way a guest can end — clean
//! exit, triple fault, panic report, bad hypercall, port I/O to no device,
//! a hang — gives its documented exit status and a clear report, never a
//! host panic or a hung vmm.

mod common;
use common::*;
use std::mem::offset_of;
use std::path::{Path, PathBuf};
use std::process::Command;

use abi::boot::BootInfo;
use abi::hypercall::{PanicReport, Registers};

const GUEST_FAILURE: i32 = 123;

/// The assembly hard-codes these; keep it honest.
#[test]
fn fixture_constants_match_the_abi() {
    let src = std::fs::read_to_string(fixture("tiny-kernel.S")).unwrap();
    let has = |line: String| assert!(src.contains(&line), "tiny-kernel.S lacks {line:?}");
    has(format!("#define BI_ARGC {}", offset_of!(BootInfo, argc)));
    has(format!("#define BI_FLAGS {}", offset_of!(BootInfo, flags)));
    has(format!("#define BOOT_MAGIC {:#x}", abi::boot::BOOT_MAGIC));
    has(format!(
        "#define PORT_CONSOLE_WRITE {:#x}",
        abi::hypercall::port::CONSOLE_WRITE
    ));
    has(format!(
        "#define PORT_EXIT {:#x}",
        abi::hypercall::port::EXIT
    ));
    has(format!(
        "#define PORT_PANIC {:#x}",
        abi::hypercall::port::PANIC
    ));
    has(format!(
        "#define PORT_USER_START {:#x}",
        abi::hypercall::port::USER_START
    ));
    has(format!(
        "#define PORT_SIGNAL_DELIVERY {:#x}",
        abi::hypercall::port::SIGNAL_DELIVERY
    ));
    has(format!(
        "#define EXIT_KIND_DEADLOCK {}",
        abi::hypercall::EXIT_KIND_DEADLOCK
    ));
    assert_eq!(offset_of!(abi::hypercall::Exit, message), 32);
    assert_eq!(offset_of!(abi::hypercall::Exit, message_len), 40);
    assert!(size_of::<abi::hypercall::SignalDelivery>() <= 176);
    assert_eq!(offset_of!(PanicReport, regs), 24);
    assert_eq!(offset_of!(Registers, rip), 16 * 8);
    assert_eq!(offset_of!(PanicReport, backtrace), 24 + 24 * 8);
    assert_eq!(offset_of!(PanicReport, backtrace_len), 24 + 24 * 8 + 32 * 8);
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures")
        .join(name)
}

/// Builds the stand-in kernel for `mode` (e.g. "EXIT").
fn tiny_kernel(mode: &str) -> String {
    let obj = scratch(&format!("tiny-{mode}.o"));
    let elf = scratch(&format!("tiny-{mode}.elf"));
    let st = Command::new("gcc")
        .arg("-c")
        .arg(format!("-DMODE_{mode}"))
        .arg(format!("-DLAYOUT_VERSION={}", abi::LAYOUT_VERSION))
        .arg(fixture("tiny-kernel.S"))
        .arg("-o")
        .arg(&obj)
        .status()
        .unwrap();
    assert!(st.success());
    let st = Command::new("ld")
        .arg("-T")
        .arg(fixture("tiny-kernel.ld"))
        .args(["-z", "max-page-size=4096", "-o"])
        .arg(&elf)
        .arg(&obj)
        .status()
        .unwrap();
    assert!(st.success());
    elf.to_string_lossy().into_owned()
}

fn run_tiny(mode: &str, extra: &[&str]) -> Run {
    let kernel = tiny_kernel(mode);
    let hello = guest_bin("hello");
    let mut args = vec!["run", "--kernel", &kernel];
    args.extend_from_slice(extra);
    let hello = hello.to_string_lossy().into_owned();
    args.push(&hello);
    vmm(&args)
}

#[test]
fn clean_exit_with_console_output_and_arguments() {
    let kernel = tiny_kernel("EXIT");
    let hello = guest_bin("hello");
    let r = vmm(&[
        "run",
        "--kernel",
        &kernel,
        hello.to_str().unwrap(),
        "a",
        "b",
    ]);
    // The stand-in exits with 40 + argc: argv reached the boot info.
    assert_eq!(r.code, 43, "stderr: {}", r.stderr);
    assert_eq!(r.stdout, "tiny kernel\n");
    assert_eq!(r.stderr, "");
}

#[test]
fn timings_line_has_every_phase() {
    let r = run_tiny("EXIT", &["--timings"]);
    assert_eq!(r.code, 41, "stderr: {}", r.stderr);
    let line = r
        .stderr
        .lines()
        .find(|l| l.starts_with("vmm-timings: "))
        .expect(&r.stderr);
    for key in [
        "setup_us=",
        "boot_us=",
        "program_us=",
        "teardown_us=",
        "total_us=",
        "rss_kib=",
        "guest_rss_kib=",
        "host_rss_kib=",
    ] {
        assert!(line.contains(key), "{key} missing: {line}");
    }
}

fn assert_failure(r: &Run, code: i32, needle: &str) {
    assert_eq!(r.code, code, "stderr: {}", r.stderr);
    let first = r.stderr.lines().next().unwrap_or("");
    assert!(first.starts_with("vmm: "), "{}", r.stderr);
    assert!(
        r.stderr.contains(needle),
        "{needle:?} not in:\n{}",
        r.stderr
    );
}

#[test]
fn triple_fault_is_reported_with_registers() {
    let r = run_tiny("TRIPLE_FAULT", &[]);
    assert_failure(&r, GUEST_FAILURE, "triple fault");
    assert!(r.stderr.contains("rip 0x00007f80001"), "{}", r.stderr);
    assert!(r.stderr.contains("cr3"), "{}", r.stderr);
}

#[test]
fn kernel_panic_is_reported_with_symbolized_backtrace() {
    let r = run_tiny("PANIC", &[]);
    assert_failure(&r, GUEST_FAILURE, "guest kernel panic: tiny panic");
    assert!(r.stderr.contains("#0  0x00007f80001"), "{}", r.stderr);
    assert!(r.stderr.contains("in_backtrace"), "{}", r.stderr);
}

#[test]
fn write_to_an_unknown_port_ends_the_run() {
    assert_failure(
        &run_tiny("BAD_PORT", &[]),
        GUEST_FAILURE,
        "unknown I/O port 0x600",
    );
}

#[test]
fn read_from_a_port_ends_the_run() {
    assert_failure(&run_tiny("PORT_READ", &[]), GUEST_FAILURE, "I/O port 0x60");
}

#[test]
fn hypercall_records_are_bounds_checked() {
    assert_failure(&run_tiny("HUGE_WRITE", &[]), GUEST_FAILURE, "console write");
    assert_failure(&run_tiny("BAD_RECORD", &[]), GUEST_FAILURE, "outside RAM");
}

#[test]
fn timeout_ends_a_spinning_or_halted_kernel() {
    for mode in ["SPIN", "HALT"] {
        let start = std::time::Instant::now();
        let r = run_tiny(mode, &["--timeout", "0.3"]);
        assert_failure(&r, 124, "timeout");
        assert!(start.elapsed().as_secs_f64() < 10.0);
    }
}

/// A deadlock exit ends the run with its own status (121) and one line
/// naming it, the kernel's message escaped; a kernel without task records
/// says there are none to show.
#[test]
fn a_deadlock_has_its_own_status() {
    let r = run_tiny("DEADLOCK", &[]);
    assert_eq!(r.code, vmm::outcome::EXIT_DEADLOCK, "{}", r.stderr);
    assert_eq!(r.code, 121);
    let (path, rest) = r.stderr.split_once(" deadlocked").expect(&r.stderr);
    assert_eq!(path, format!("vmm: {}", guest_bin("hello").display()));
    assert_eq!(
        format!("vmm: hello deadlocked{rest}"),
        "vmm: hello deadlocked: every task is blocked and nothing can wake them: 2 tasks blocked\\n\\u{1b}[0m\n  (the kernel exports no kernel_roots: no task records to show)\n"
    );
}

/// A signal-delivery stop nobody asked for is the kernel's bug.
#[test]
fn an_unasked_signal_delivery_report_ends_the_run() {
    assert_failure(
        &run_tiny("SIGNAL_UNASKED", &[]),
        GUEST_FAILURE,
        "signal-delivery report, but none was asked for",
    );
}
