//! Builds everything that runs inside the guest, so that `cargo build -p vmm`
//! (and so `cargo test`) works from a clean checkout with nothing else to run:
//!
//! - the guest kernel (`guest/kernel`, target `x86_64-unknown-none`), embedded
//!   into the `vmm` binary as the default kernel (`VMM_EMBEDDED_KERNEL`);
//! - the guest programs: every `guest/programs/c/*.c` through
//!   `scripts/guest-cc` (guest-libc), and the Rust workspace
//!   `guest/programs/rust` (static x86_64 Linux executables);
//! - `hello-glibc`: the C hello linked statically against the host's glibc,
//!   a program we did not write the C library of; likewise every
//!   `guest/programs/glibc/*.c` (glibc-only programs, under their own
//!   names) and the conformance programs `sigconf`, `nptl-cancel`,
//!   `pipeconf`, `fileconf`, `libc-files` and `procfs` (as `<name>-glibc`,
//!   the same cases through glibc's signal, cancellation, pipe/poll, file
//!   and /proc-reading code);
//! - `cancel-musl`: the cancellation program against musl, when the host
//!   has `musl-gcc` (the musl-tools package), a third C library's view;
//! - `busybox`: a copy of the host's /bin/busybox (Debian's busybox-static)
//!   when there is one;
//! - `std-rs`: the Rust std program `guest/programs/rust-std`, static
//!   against musl, when the x86_64-unknown-linux-musl target is installed;
//! - `go-goroutines`: the Go program `guest/programs/go`, static (no cgo),
//!   when the host has `go` (the golang-go package): a runtime with its own
//!   threads, signals and poller.
//!
//! The programs land in `target/<profile>/guest/` (`GUEST_BIN_DIR`), where the
//! README's run command and the integration tests find them.
//!
//! The guest builds are separate cargo invocations with their own target
//! directories under OUT_DIR (no lock shared with this build), and with the
//! outer build's cargo/rustc environment removed so none of its flags (target,
//! rustflags, clippy wrapper) leak into them.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let manifest_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
    let root = manifest_dir.parent().unwrap().to_path_buf();
    let out_dir = PathBuf::from(env::var("OUT_DIR").unwrap());
    // OUT_DIR is target/<profile>/build/vmm-<hash>/out.
    let profile_dir = out_dir.ancestors().nth(3).unwrap().to_path_buf();
    let bin_dir = profile_dir.join("guest");
    fs::create_dir_all(&bin_dir).unwrap();

    for dir in [
        "guest/kernel",
        "guest/abi",
        "guest/programs",
        "guest-libc",
        "scripts/guest-cc",
    ] {
        println!("cargo:rerun-if-changed={}", root.join(dir).display());
    }

    // A prebuilt kernel to embed instead of building guest/kernel (for
    // bisecting VMM changes against a fixed kernel).
    println!("cargo:rerun-if-env-changed=VMM_KERNEL_IMAGE");
    let kernel = match env::var_os("VMM_KERNEL_IMAGE") {
        Some(path) => PathBuf::from(path),
        None => build_kernel(&root, &out_dir),
    };
    println!("cargo:rustc-env=VMM_EMBEDDED_KERNEL={}", kernel.display());

    // Lets a developer iterate on the kernel or the VMM while the programs
    // are broken or being rewritten; tests need them, so CI never sets it.
    println!("cargo:rerun-if-env-changed=VMM_SKIP_GUEST_PROGRAMS");
    if env::var_os("VMM_SKIP_GUEST_PROGRAMS").is_none() {
        build_c_programs(&root, &out_dir, &bin_dir);
        build_glibc_programs(&root, &bin_dir);
        build_rust_programs(&root, &out_dir, &bin_dir);
        build_go_programs(&root, &out_dir, &bin_dir);
        build_rust_std_programs(&root, &out_dir, &bin_dir);
        copy_busybox(&bin_dir);
    }
    println!("cargo:rustc-env=GUEST_BIN_DIR={}", bin_dir.display());

    // `vmm bench` carries its benchmark program, so it needs no other file.
    // Without the programs (VMM_SKIP_GUEST_PROGRAMS) it carries nothing and
    // says so when asked to run.
    let bench = bin_dir.join("bench-clone");
    let bench = if bench.exists() {
        bench
    } else {
        let empty = out_dir.join("no-bench-program");
        fs::write(&empty, b"").unwrap();
        empty
    };
    println!("cargo:rustc-env=VMM_BENCH_PROGRAM={}", bench.display());
}

/// A cargo command for a nested build, without the outer build's environment.
fn nested_cargo(dir: &Path) -> Command {
    let cargo = env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(dir);
    for (key, _) in env::vars_os() {
        let key = key.to_string_lossy().into_owned();
        let outer = (key.starts_with("CARGO_") && key != "CARGO_HOME" && key != "CARGO_MAKEFLAGS")
            || key.starts_with("RUSTC_")
            || key == "RUSTFLAGS"
            || key == "RUSTDOCFLAGS"
            || key == "TARGET"
            || key == "HOST"
            || key == "PROFILE"
            || key == "OPT_LEVEL"
            || key == "DEBUG";
        if outer {
            cmd.env_remove(&key);
        }
    }
    cmd
}

fn run(mut cmd: Command, what: &str) {
    let status = cmd
        .status()
        .unwrap_or_else(|e| panic!("{what}: cannot start {:?}: {e}", cmd.get_program()));
    if !status.success() {
        panic!("{what} failed ({status}); if the x86_64-unknown-none target is missing, run: rustup target add x86_64-unknown-none");
    }
}

fn build_kernel(root: &Path, out_dir: &Path) -> PathBuf {
    let target_dir = out_dir.join("kernel-target");
    let mut cmd = nested_cargo(&root.join("guest/kernel"));
    cmd.args([
        "build",
        "--release",
        "--target",
        "x86_64-unknown-none",
        "--target-dir",
    ])
    .arg(&target_dir);
    run(cmd, "building the guest kernel");
    target_dir.join("x86_64-unknown-none/release/kernel")
}

/// Extra compiler flags a C program asks for on a line `// guest-cc-flags: ...`
/// among its first lines (e.g. `-static-pie`).
fn extra_flags(source: &Path) -> Vec<String> {
    let text = fs::read_to_string(source).unwrap_or_default();
    text.lines()
        .take(10)
        .filter_map(|l| l.trim().strip_prefix("// guest-cc-flags:"))
        .flat_map(|f| f.split_whitespace().map(str::to_owned).collect::<Vec<_>>())
        .collect()
}

fn build_c_programs(root: &Path, out_dir: &Path, bin_dir: &Path) {
    let src_dir = root.join("guest/programs/c");
    let Ok(entries) = fs::read_dir(&src_dir) else {
        return;
    };
    let libc_out = out_dir.join("guest-libc");
    let mut sources: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "c"))
        .collect();
    sources.sort();
    for src in sources {
        let name = src.file_stem().unwrap().to_string_lossy().into_owned();
        let mut cmd = Command::new(root.join("scripts/guest-cc"));
        cmd.env("GUEST_LIBC_OUT", &libc_out)
            .args(["-O2", "-g", "-Wall", "-Werror"])
            .args(extra_flags(&src))
            .arg("-o")
            .arg(bin_dir.join(&name))
            .arg(&src);
        run(cmd, &format!("building guest program {name}"));
    }
    // The same hello against the host's own static glibc.
    let hello = src_dir.join("hello.c");
    if hello.exists() {
        let mut cmd = Command::new(env::var("CC").unwrap_or_else(|_| "gcc".into()));
        cmd.args(["-static", "-O2", "-o"])
            .arg(bin_dir.join("hello-glibc"))
            .arg(&hello);
        run(
            cmd,
            "building hello-glibc (needs the host's static glibc, libc6-dev)",
        );
    }
}

/// `gcc -static -pthread -O2 -Wall -Werror -o <bin_dir>/<name> <src>`: a
/// static glibc executable. The warning flags are those of the guest-libc
/// builds, so a program that builds one way builds the other.
fn build_with_glibc(src: &Path, bin_dir: &Path, name: &str) {
    let mut cmd = Command::new(env::var("CC").unwrap_or_else(|_| "gcc".into()));
    cmd.args(["-static", "-pthread", "-O2", "-Wall", "-Werror", "-o"])
        .arg(bin_dir.join(name))
        .arg(src);
    run(
        cmd,
        &format!("building {name} (needs the host's static glibc, libc6-dev)"),
    );
}

fn build_glibc_programs(root: &Path, bin_dir: &Path) {
    let glibc_dir = root.join("guest/programs/glibc");
    let mut sources: Vec<PathBuf> = fs::read_dir(&glibc_dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "c"))
                .collect()
        })
        .unwrap_or_default();
    sources.sort();
    for src in &sources {
        let name = src.file_stem().unwrap().to_string_lossy().into_owned();
        build_with_glibc(src, bin_dir, &name);
    }
    // Conformance programs written for guest-libc that glibc runs too.
    for name in [
        "sigconf",
        "nptl-cancel",
        "pipeconf",
        "fileconf",
        "libc-files",
        "procfs",
    ] {
        let src = root.join("guest/programs/c").join(format!("{name}.c"));
        if src.exists() {
            build_with_glibc(&src, bin_dir, &format!("{name}-glibc"));
        }
    }
    // musl is optional on a developer's machine (CI installs it, and the
    // test of cancel-musl requires it there): built only where musl-gcc is.
    let cancel = glibc_dir.join("cancel-glibc.c");
    if cancel.exists() && musl_gcc_present() {
        let mut cmd = Command::new("musl-gcc");
        cmd.args(["-static", "-O2", "-Wall", "-Werror", "-o"])
            .arg(bin_dir.join("cancel-musl"))
            .arg(&cancel);
        run(
            cmd,
            "building cancel-musl (musl-gcc, the musl-tools package)",
        );
    } else {
        // No stale binary from an earlier build with musl standing in.
        let _ = fs::remove_file(bin_dir.join("cancel-musl"));
    }
}

fn musl_gcc_present() -> bool {
    Command::new("musl-gcc")
        .arg("--version")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn build_rust_programs(root: &Path, out_dir: &Path, bin_dir: &Path) {
    let dir = root.join("guest/programs/rust");
    if !dir.join("Cargo.toml").exists() {
        return;
    }
    let target_dir = out_dir.join("rust-programs");
    let mut cmd = nested_cargo(&dir);
    cmd.env("GUEST_LIBC_OUT", out_dir.join("guest-libc-rust"))
        .args([
            "build",
            "--release",
            "--target",
            "x86_64-unknown-linux-gnu",
            "--target-dir",
        ])
        .arg(&target_dir);
    run(cmd, "building the Rust guest programs");
    let release = target_dir.join("x86_64-unknown-linux-gnu/release");
    for entry in fs::read_dir(&release).unwrap().flatten() {
        let path = entry.path();
        let is_exe = path.is_file()
            && path.extension().is_none()
            && fs::metadata(&path)
                .map(|m| {
                    use std::os::unix::fs::PermissionsExt;
                    m.permissions().mode() & 0o111 != 0
                })
                .unwrap_or(false);
        if is_exe {
            fs::copy(&path, bin_dir.join(path.file_name().unwrap())).unwrap();
        }
    }
}

/// Debian's busybox-static, when the host has it (CI installs it): copied
/// beside the programs so the tests run the same file natively and in the
/// guest.
fn copy_busybox(bin_dir: &Path) {
    let out = bin_dir.join("busybox");
    match fs::read("/bin/busybox") {
        Ok(bytes) if bytes.starts_with(b"\x7fELF") => {
            fs::write(&out, bytes).unwrap();
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&out, fs::Permissions::from_mode(0o755)).unwrap();
        }
        _ => {
            let _ = fs::remove_file(&out);
        }
    }
}

/// Whether rustc has the standard library for `target`.
fn rust_target_present(target: &str) -> bool {
    Command::new("rustc")
        .args(["--print", "sysroot"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| {
            let sysroot = String::from_utf8_lossy(&o.stdout).trim().to_string();
            Path::new(&sysroot)
                .join("lib/rustlib")
                .join(target)
                .join("lib")
                .is_dir()
        })
        .unwrap_or(false)
}

/// The Rust std program, statically linked against musl: optional as Go
/// is (CI adds the target, and the test requires it there).
fn build_rust_std_programs(root: &Path, out_dir: &Path, bin_dir: &Path) {
    const TARGET: &str = "x86_64-unknown-linux-musl";
    let dir = root.join("guest/programs/rust-std");
    let out = bin_dir.join("std-rs");
    if !dir.join("Cargo.toml").exists() || !rust_target_present(TARGET) {
        let _ = fs::remove_file(&out);
        return;
    }
    let target_dir = out_dir.join("rust-std-programs");
    let mut cmd = nested_cargo(&dir);
    cmd.args(["build", "--release", "--target", TARGET, "--target-dir"])
        .arg(&target_dir);
    run(
        cmd,
        "building the Rust std program (rustup target add x86_64-unknown-linux-musl)",
    );
    fs::copy(target_dir.join(TARGET).join("release/std-rs"), &out).unwrap();
}

fn go_present() -> bool {
    Command::new("go")
        .arg("version")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Optional, as musl: CI installs Go and the test of the program requires
/// it there. The build cache lives under OUT_DIR, so nothing is written
/// outside the target directory.
fn build_go_programs(root: &Path, out_dir: &Path, bin_dir: &Path) {
    let dir = root.join("guest/programs/go");
    let out = bin_dir.join("go-goroutines");
    if !dir.join("go.mod").exists() || !go_present() {
        let _ = fs::remove_file(&out);
        return;
    }
    let mut cmd = Command::new("go");
    cmd.current_dir(&dir)
        .env("CGO_ENABLED", "0")
        .env("GOFLAGS", "-mod=mod")
        .env("GOCACHE", out_dir.join("go-cache"))
        .env("GOPATH", out_dir.join("go-path"))
        .args(["build", "-trimpath", "-o"])
        .arg(&out)
        .arg(".");
    run(cmd, "building the Go program (go, the golang-go package)");
}
