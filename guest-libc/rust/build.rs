//! Builds the C library with scripts/guest-cc (into $GUEST_LIBC_OUT, or
//! OUT_DIR) and links it, with its crt0, into every program using this crate.
use std::env;
use std::path::PathBuf;
use std::process::Command;

fn main() {
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
    let root = manifest.join("../..").canonicalize().unwrap();
    let out_dir = PathBuf::from(env::var("OUT_DIR").unwrap());
    let lib_dir = env::var_os("GUEST_LIBC_OUT")
        .map(PathBuf::from)
        .unwrap_or_else(|| out_dir.join("guest-libc"));
    let status = Command::new(root.join("scripts/guest-cc"))
        .arg("--build-lib")
        .env("GUEST_LIBC_OUT", &lib_dir)
        .stdout(std::process::Stdio::null())
        .status()
        .expect("cannot run scripts/guest-cc");
    assert!(status.success(), "scripts/guest-cc --build-lib failed");
    // crt0 goes in its own archive, linked whole: nothing references _start
    // by name, the linker only uses it as the entry point.
    let crt = out_dir.join("libguestcrt.a");
    let _ = std::fs::remove_file(&crt);
    let status = Command::new("ar")
        .arg("rcs")
        .arg(&crt)
        .arg(lib_dir.join("crt0.o"))
        .status()
        .expect("ar");
    assert!(status.success());
    println!("cargo:rustc-link-search=native={}", out_dir.display());
    println!("cargo:rustc-link-search=native={}", lib_dir.display());
    println!("cargo:rustc-link-lib=static:+whole-archive=guestcrt");
    println!("cargo:rustc-link-lib=static=guestc");
    println!("cargo:rerun-if-env-changed=GUEST_LIBC_OUT");
    for dir in ["guest-libc/src", "guest-libc/include", "scripts/guest-cc"] {
        println!("cargo:rerun-if-changed={}", root.join(dir).display());
    }
}
