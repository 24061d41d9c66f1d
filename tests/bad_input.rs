//! Every kind of bad input gets one clear line on stderr and its documented
//! exit code, and never a host panic (checked by the harness on every run).

mod common;
use common::elf::*;
use common::*;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::process::Command;

const VMM_FAILURE: i32 = 125;
const NOT_EXECUTABLE: i32 = 126;
const NOT_FOUND: i32 = 127;

/// One line, prefixed, naming what went wrong.
fn assert_one_line_error(r: &Run, code: i32, needle: &str) {
    assert_eq!(r.code, code, "stderr: {}", r.stderr);
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "expected one line, got:\n{}", r.stderr);
    assert!(lines[0].starts_with("vmm: "), "{}", lines[0]);
    assert!(
        lines[0].to_lowercase().contains(&needle.to_lowercase()),
        "{:?} does not mention {needle:?}",
        lines[0]
    );
}

fn write_exe(name: &str, bytes: &[u8]) -> String {
    let p = scratch(name);
    fs::write(&p, bytes).unwrap();
    fs::set_permissions(&p, fs::Permissions::from_mode(0o755)).unwrap();
    p.to_string_lossy().into_owned()
}

fn hello_bytes() -> Vec<u8> {
    fs::read(guest_bin("hello")).unwrap()
}

#[test]
fn missing_kvm_device() {
    let r = vmm(&[
        "run",
        "--kvm-device",
        "/nonexistent/kvm",
        guest_bin("hello").to_str().unwrap(),
    ]);
    assert_one_line_error(&r, VMM_FAILURE, "kvm");
}

#[test]
fn a_device_that_is_not_kvm() {
    let r = vmm(&[
        "run",
        "--kvm-device",
        "/dev/null",
        guest_bin("hello").to_str().unwrap(),
    ]);
    assert_one_line_error(&r, VMM_FAILURE, "kvm");
}

#[test]
fn missing_program() {
    let r = vmm(&["run", "/nonexistent/program"]);
    assert_one_line_error(&r, NOT_FOUND, "/nonexistent/program");
}

/// A run that fails before the guest starts leaves nothing behind: vmm's
/// output files are created only once PROGRAM, the kernel and KVM have
/// been found and checked.
#[test]
fn failed_runs_create_no_output_files() {
    let files = ["trace", "log", "dump"].map(|n| scratch(&format!("never-{n}")));
    let [trace, log, dump] = files.each_ref().map(|f| f.to_str().unwrap());
    let hello = guest_bin("hello");
    for (first, program, code, says) in [
        (
            None,
            "/nonexistent/program",
            NOT_FOUND,
            "/nonexistent/program",
        ),
        (
            Some(["--kvm-device", "/nonexistent/kvm"]),
            hello.to_str().unwrap(),
            VMM_FAILURE,
            "/nonexistent/kvm",
        ),
    ] {
        for f in &files {
            let _ = std::fs::remove_file(f);
        }
        let mut args = vec!["run"];
        args.extend(first.iter().flatten());
        args.extend([
            "--strace-output",
            trace,
            "--log",
            log,
            "--dump=exit",
            "--dump-output",
            dump,
            program,
        ]);
        let r = vmm(&args);
        assert_one_line_error(&r, code, says);
        for f in &files {
            assert!(!f.exists(), "{args:?}: {} was created", f.display());
        }
    }
}

/// Dumps that cannot be written once the run is over are reported, not
/// dropped in silence; the program's own status stands.
#[test]
fn a_dump_file_that_cannot_be_written_is_reported() {
    let hello = guest_bin("hello");
    let r = vmm(&[
        "run",
        "--dump=exit",
        "--dump-output",
        "/dev/full",
        hello.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("vmm: cannot write the dump file /dev/full: No space left on device"),
        "{}",
        r.stderr
    );
}

/// As a shell: found, but not executable (126).
#[test]
fn program_is_a_directory() {
    let r = vmm(&["run", "/tmp"]);
    assert_one_line_error(&r, NOT_EXECUTABLE, "/tmp: is a directory");
}

/// As execve: a good program without execute permission is not run (126),
/// and the same file runs once it has it.
#[test]
fn program_without_execute_permission() {
    let p = write_exe("no-x", &hello_bytes());
    fs::set_permissions(&p, fs::Permissions::from_mode(0o644)).unwrap();
    assert_one_line_error(&vmm(&["run", &p]), NOT_EXECUTABLE, "Permission denied");
    fs::set_permissions(&p, fs::Permissions::from_mode(0o755)).unwrap();
    let r = vmm(&["run", &p]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn not_an_elf() {
    let p = write_exe("empty", b"");
    assert_one_line_error(&vmm(&["run", &p]), NOT_EXECUTABLE, "not an ELF");
}

/// A `#!` script is named as one, with the command that runs it: its
/// interpreter (a static build of it) with the script.
#[test]
fn a_script_needs_its_interpreter() {
    let p = write_exe("script.sh", b"#!/bin/busybox sh\necho hi\n");
    let r = vmm(&["run", &p]);
    assert_one_line_error(&r, NOT_EXECUTABLE, "is a script for /bin/busybox sh");
    assert!(
        r.stderr.contains(&format!("vmm run /bin/busybox sh {p}")),
        "{}",
        r.stderr
    );
}

/// clap's "required arguments were not provided" names them on lines of
/// their own; the one line vmm prints names them too.
#[test]
fn run_without_a_program_names_what_is_missing() {
    let r = vmm(&["run"]);
    assert_one_line_error(&r, VMM_FAILURE, "<PROGRAM>");
}

/// A negative timeout is a value to refuse, not an unknown flag.
#[test]
fn negative_timeout() {
    let hello = guest_bin("hello");
    for bad in ["-1", "-0.5", "0"] {
        let r = vmm(&["run", "--timeout", bad, hello.to_str().unwrap()]);
        assert_one_line_error(&r, VMM_FAILURE, "positive number of seconds");
        assert!(
            r.stderr.contains(&format!("{bad}: the timeout")),
            "{}",
            r.stderr
        );
    }
}

/// A file vmm is to write that cannot be created: the error names it, and
/// the guest is never started.
#[test]
fn unwritable_output_files_are_named() {
    let hello = guest_bin("hello");
    let hello = hello.to_str().unwrap();
    let bad = "/no/such/dir/x";
    for opts in [
        &["--strace-output", bad][..],
        &["--log", bad],
        &["--dump=exit", "--dump-output", bad],
    ] {
        let mut args = vec!["run"];
        args.extend_from_slice(opts);
        args.push(hello);
        let r = vmm(&args);
        assert_one_line_error(&r, VMM_FAILURE, bad);
        assert!(r.stdout.is_empty(), "{opts:?}: the guest ran: {}", r.stdout);
    }
}

/// `vmm bench`'s result files are checked before it measures anything:
/// a path that cannot be written fails at once (no table on stdout).
#[test]
fn bench_output_files_are_checked_first() {
    let bad = "/no/such/dir/x";
    for opts in [
        &["--json", bad][..],
        &["--svg", bad],
        &["--check-cost", "--json", bad],
    ] {
        let mut args = vec!["bench"];
        args.extend_from_slice(opts);
        let r = vmm(&args);
        assert_one_line_error(&r, VMM_FAILURE, bad);
        assert!(
            r.stdout.is_empty(),
            "{opts:?}: the benchmark ran: {}",
            r.stdout
        );
    }
    // A bad bench option points to bench's help, not run's.
    let r = vmm(&["bench", "--check-cost", "--svg", bad]);
    assert_one_line_error(&r, VMM_FAILURE, "(see vmm bench --help)");
}

#[test]
fn wrong_machine() {
    let mut b = hello_bytes();
    put_u16(&mut b, 0x12, 183); // EM_AARCH64
    let p = write_exe("aarch64", &b);
    assert_one_line_error(&vmm(&["run", &p]), NOT_EXECUTABLE, "x86_64");
}

#[test]
fn thirty_two_bit_elf() {
    let mut b = hello_bytes();
    b[4] = 1; // ELFCLASS32
    let p = write_exe("elf32", &b);
    assert_one_line_error(&vmm(&["run", &p]), NOT_EXECUTABLE, "64-bit");
}

#[test]
fn dynamically_linked_program() {
    let src = scratch("dyn.c");
    fs::write(
        &src,
        "#include <stdio.h>\nint main(void){puts(\"dyn\");return 0;}\n",
    )
    .unwrap();
    let out = scratch("dyn");
    let st = Command::new("gcc")
        .arg("-o")
        .arg(&out)
        .arg(&src)
        .status()
        .unwrap();
    assert!(st.success());
    let r = vmm(&["run", out.to_str().unwrap()]);
    assert_one_line_error(&r, NOT_EXECUTABLE, "only static executables are supported");
}

#[test]
fn truncated_program() {
    let b = hello_bytes();
    // Cut inside the last loadable segment's file data.
    let last = *load_phdrs(&b).last().unwrap();
    let cut = (u64_at(&b, last + P_OFFSET) + u64_at(&b, last + P_FILESZ) / 2) as usize;
    let p = write_exe("truncated", &b[..cut.max(0x40)]);
    assert_one_line_error(&vmm(&["run", &p]), NOT_EXECUTABLE, "truncated");
    // Cut inside the program headers.
    let p = write_exe("truncated-hdr", &b[..0x48]);
    assert_one_line_error(&vmm(&["run", &p]), NOT_EXECUTABLE, "truncated");
}

#[test]
fn overlapping_segments() {
    let mut b = hello_bytes();
    let loads = load_phdrs(&b);
    assert!(loads.len() >= 2);
    let (first, second) = (loads[0], loads[1]);
    let vaddr = u64_at(&b, first + P_VADDR);
    // Make the second segment start inside the first one, same file offset
    // congruence so only the overlap is wrong.
    let off2 = u64_at(&b, second + P_OFFSET);
    let new = (vaddr & !0xfff) + (off2 & 0xfff);
    put_u64(&mut b, second + P_VADDR, new);
    put_u64(&mut b, second + P_PADDR, new);
    let p = write_exe("overlap", &b);
    assert_one_line_error(&vmm(&["run", &p]), NOT_EXECUTABLE, "overlap");
}

#[test]
fn program_too_big_for_guest_memory() {
    let mut b = hello_bytes();
    let last = *load_phdrs(&b).last().unwrap();
    put_u64(&mut b, last + P_MEMSZ, 512 << 20); // a 512 MiB bss
    let p = write_exe("huge-bss", &b);
    let r = vmm(&["run", "--memory", "64M", &p]);
    assert_one_line_error(&r, NOT_EXECUTABLE, "--memory");
}

#[test]
fn bad_memory_option() {
    let hello = guest_bin("hello");
    for bad in ["0", "1K", "lots", "100000G"] {
        let r = vmm(&["run", "--memory", bad, hello.to_str().unwrap()]);
        assert_eq!(r.code, VMM_FAILURE, "--memory {bad}: {}", r.stderr);
        assert!(
            r.stderr.starts_with("vmm: ") || r.stderr.contains("error"),
            "{}",
            r.stderr
        );
    }
}

#[test]
fn bad_kernel_file() {
    let hello = guest_bin("hello");
    let r = vmm(&[
        "run",
        "--kernel",
        "/nonexistent/kernel",
        hello.to_str().unwrap(),
    ]);
    assert_one_line_error(&r, VMM_FAILURE, "/nonexistent/kernel");
    let junk = write_exe("junk-kernel", b"not a kernel at all");
    let r = vmm(&["run", "--kernel", &junk, hello.to_str().unwrap()]);
    assert_one_line_error(&r, VMM_FAILURE, "kernel");
    // A valid ELF that is not our kernel (no layout-version symbol).
    let r = vmm(&[
        "run",
        "--kernel",
        hello.to_str().unwrap(),
        hello.to_str().unwrap(),
    ]);
    assert_one_line_error(&r, VMM_FAILURE, "kernel");
}
