//! guest-libc's stdio and strerror against glibc's: `printf-float` (every
//! floating-point conversion over values x formats, flags, widths,
//! precisions, rounding modes, and snprintf truncation and return values)
//! and `strerror` (every error number's message, and the unknown ones)
//! must print exactly what the same source prints when linked statically
//! against the host's glibc, natively (and printf-float in the guest).

mod common;

use common::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

/// The test program's source.
fn source(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../guest/programs/c")
        .join(format!("{name}.c"))
}

/// `name.c` linked statically against the host's glibc (as vmm/build.rs
/// builds hello-glibc), once per test run.
fn glibc_build(name: &str) -> PathBuf {
    static BUILT: Mutex<BTreeMap<String, PathBuf>> = Mutex::new(BTreeMap::new());
    // A build that failed (and panicked) elsewhere leaves the map as it
    // was: go on with it, so that each test reports its own failure.
    let mut built = BUILT
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    built
        .entry(name.to_string())
        .or_insert_with(|| {
            let out = scratch(&format!("{name}-glibc"));
            let cc = std::env::var("CC").unwrap_or_else(|_| "gcc".into());
            let status = Command::new(&cc)
                .args(["-O2", "-static", "-o"])
                .arg(&out)
                .arg(source(name))
                .status()
                .unwrap_or_else(|e| panic!("cannot run {cc}: {e}"));
            assert!(
                status.success(),
                "building {name} against glibc failed (needs libc6-dev)"
            );
            out
        })
        .clone()
}

/// Runs a program natively with an empty environment; stdout as bytes.
fn run_bytes(path: &Path) -> (i32, Vec<u8>) {
    let out = Command::new(path)
        .env_clear()
        .stdin(std::process::Stdio::null())
        .output()
        .expect("spawn");
    (out.status.code().unwrap_or(-1), out.stdout)
}

/// Panics with the first differing line (the outputs are ~9000 lines).
fn assert_same_output(what: &str, expected: &[u8], got: &[u8]) {
    if expected == got {
        return;
    }
    let e = String::from_utf8_lossy(expected);
    let g = String::from_utf8_lossy(got);
    let mut differing = e
        .lines()
        .zip(g.lines())
        .enumerate()
        .filter(|(_, (a, b))| a != b);
    let shown: Vec<String> = differing
        .by_ref()
        .take(10)
        .map(|(i, (a, b))| format!("line {}:\n  glibc:      {a}\n  guest-libc: {b}", i + 1))
        .collect();
    panic!(
        "{what}: output differs from glibc ({} vs {} lines, {} more differing lines not shown)\n{}",
        e.lines().count(),
        g.lines().count(),
        differing.count(),
        shown.join("\n")
    );
}

#[test]
fn float_formatting_is_byte_identical_to_glibc() {
    let (gcode, glibc) = run_bytes(&glibc_build("printf-float"));
    assert_eq!(gcode, 0, "printf-float (glibc) failed");
    // Guard against a vacuous comparison: the reference output is what we
    // think it is.
    assert!(
        String::from_utf8_lossy(&glibc).lines().count() > 8000,
        "glibc output is too short"
    );
    assert_has_lines(
        &glibc,
        &[
            "%e v2: 1.000000e+00",
            "%a v63: 0x0.0000000000001p-1022",
            "%f v58: 179769313486231570814527423731704356798070567525844996598917476803157260780028538760589558632766878171540458953514382464234321326889464182768467546703537516986049910576551282076245490090389328944075868508455133942304583236903222948165808559332123348274797826204144723168738177180919299881250404026184124858368.000000",
            "%#g v21: 1.e+06",
            "snprintf %f v0 n=5: r=8 used=5 [3.14]",
            "null: 62 316 1100",
            "L: 1.500000 1 -2.500000e-01 2 1e+10 3 2.625 end",
        ],
    );
    let (code, ours) = run_bytes(&guest_bin("printf-float"));
    assert_eq!(code, 0, "printf-float (guest-libc) failed");
    assert_same_output("printf-float natively", &glibc, &ours);
}

#[test]
fn float_formatting_in_the_guest_matches_native() {
    let r = same_as_native("printf-float", &[], &[]);
    assert_eq!(r.code, 0);
}

#[test]
fn strerror_messages_are_glibc_s() {
    let (gcode, glibc) = run_bytes(&glibc_build("strerror"));
    assert_eq!(gcode, 0, "strerror (glibc) failed");
    assert_has_lines(
        &glibc,
        &[
            "0 Success",
            "38 Function not implemented",
            "133 Memory page has hardware error",
            "134 Unknown error 134",
            "-1 Unknown error -1",
            "512 Unknown error 512",
        ],
    );
    let (code, ours) = run_bytes(&guest_bin("strerror"));
    assert_eq!(code, 0, "strerror (guest-libc) failed");
    assert_same_output("strerror natively", &glibc, &ours);
}

/// The reference (glibc's) output really is what the comparison is about:
/// it holds each of `lines` as a whole line.
fn assert_has_lines(glibc: &[u8], lines: &[&str]) {
    let text = String::from_utf8_lossy(glibc);
    for line in lines {
        assert!(
            text.lines().any(|l| l == *line),
            "glibc output lacks {line:?}"
        );
    }
}
