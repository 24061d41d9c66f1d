//! Files: the conformance program `fileconf` (open and its flags, reads,
//! writes and offsets, dup and fork sharing, directories and getdents,
//! rename/link/unlink/symlink, stat, access, chdir and getcwd, truncate,
//! chmod and utimensat, file and shared mappings, exec and posix_spawn)
//! prints the same natively and in the guest, built against guest-libc and
//! against glibc; `libc-files` checks guest-libc's file API against
//! glibc's natively and runs in the guest.

mod common;
use common::*;

/// Fewer lines than this means a run stopped early.
const MIN_CASES: usize = 250;

/// fileconf forks and execs dozens of times under `--check-mode verify`:
/// the stress guard, not the default one (a guard, not a speed target).
const TIMEOUT: &[&str] = &["--timeout", STRESS_TIMEOUT];

fn conforms(name: &str) -> Run {
    let r = same_as_native_with(TIMEOUT, name, &[], &[]);
    assert_eq!(r.code, 0, "{name} failed:\n{}\n{}", r.stdout, r.stderr);
    let cases = r.stdout.lines().count();
    assert!(
        cases >= MIN_CASES,
        "{name}: only {cases} cases:\n{}",
        r.stdout
    );
    r
}

#[test]
fn fileconf_matches_linux() {
    let r = conforms("fileconf");
    assert!(
        r.stdout.contains("open-creat-excl-exists: -1 EEXIST"),
        "{}",
        r.stdout
    );
}

#[test]
fn fileconf_glibc_matches_linux() {
    conforms("fileconf-glibc");
}

/// Natively, guest-libc's build prints what glibc's does.
#[test]
fn guest_libc_fileconf_agrees_with_glibc() {
    let ours = same_as_glibc_natively("fileconf", "fileconf-glibc");
    assert_eq!(ours.code, 0, "{}\n{}", ours.stdout, ours.stderr);
    assert!(ours.stdout.lines().count() >= MIN_CASES, "{}", ours.stdout);
}

#[test]
fn guest_libc_file_api_agrees_with_glibc() {
    let ours = same_as_glibc_natively("libc-files", "libc-files-glibc");
    assert_eq!(ours.code, 0, "{}\n{}", ours.stdout, ours.stderr);
    assert!(ours.stdout.lines().count() >= 200, "{}", ours.stdout);
}

/// Not yet the same in the guest: fifos and mknod, fcntl record locks,
/// sendfile, posix_spawn's attributes (a call the kernel lacks) and
/// execvp's fallback to /bin/sh (no shell in the guest's tree) differ.
#[test]
#[ignore = "fifos, record locks, sendfile and posix_spawn attributes are not in the kernel yet"]
fn libc_files_matches_linux() {
    let r = same_as_native_with(TIMEOUT, "libc-files", &[], &[]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
}
