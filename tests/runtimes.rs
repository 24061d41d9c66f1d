//! Programs with language runtimes the project did not write: a static Go
//! program (its own threads, signal handlers on an alternate stack,
//! preemption signals, and its netpoller on epoll and a pipe) and a static
//! Rust std program on musl (threads, channels, a condition variable, files
//! and directories in /tmp) print what they print natively.

mod common;
use common::*;

/// Built only where the host has Go; CI installs it, so there its absence
/// is a failure rather than a skip.
#[test]
fn go_program_matches_linux() {
    let built = std::path::Path::new(env!("GUEST_BIN_DIR")).join("go-goroutines");
    if !built.exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            "go-goroutines was not built: go (golang-go) is missing"
        );
        eprintln!("go-goroutines not built (no go): skipped");
        return;
    }
    let r = same_as_native("go-goroutines", &[], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.ends_with("done\n"), "{}", r.stdout);
    assert!(
        r.stdout.contains("pipe read: \"through a pipe\""),
        "{}",
        r.stdout
    );
}

/// Built only where the musl target is installed; CI adds it.
#[test]
fn rust_std_program_matches_linux() {
    let built = std::path::Path::new(env!("GUEST_BIN_DIR")).join("std-rs");
    if !built.exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            "std-rs was not built: rustup target add x86_64-unknown-linux-musl"
        );
        eprintln!("std-rs not built (no musl target): skipped");
        return;
    }
    let r = same_as_native("std-rs", &["one", "two"], &[]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stdout.contains("removed: true"), "{}", r.stdout);
    assert!(
        r.stdout.ends_with("args: [\"one\", \"two\"]\n"),
        "{}",
        r.stdout
    );
}
