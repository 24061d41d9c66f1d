//! Debian's busybox-static, unmodified: its shell runs pipelines,
//! redirections to files in /tmp, command substitution, loops and
//! subshells, and its tools (ls, cat, wc, sort, uniq, head, find, cut, tr,
//! grep, cp, mv, rm, mkdir, mktemp) each run as a fork and an exec of
//! busybox itself. The same script in a fresh directory prints the same
//! natively and in the guest.

mod common;
use common::*;

const SCRIPT: &str = r#"set -e
d=$(mktemp -d /tmp/bbtest.XXXXXX)
cd "$d"
echo "hello world" > a.txt
printf 'c\nb\na\nb\n' > b.txt
cat a.txt
wc -l b.txt
sort b.txt | uniq -c
sort -r b.txt | head -n 2
seq 5 | wc -l
ls
mkdir -p x/y/z && touch x/y/z/f x/g
find . -type f | sort
for i in $(seq 3); do echo "line $i"; done > loop.txt
grep 2 < loop.txt
echo "$(cat a.txt | tr a-z A-Z)"
cut -d' ' -f2 a.txt
basename "$(pwd)" | cut -c1-7
cp a.txt c.txt && mv c.txt d.txt && ls
test -f d.txt && echo exists
rm -r x && ls
(echo in a subshell; exit 3) || echo "status $?"
echo appended >> a.txt && wc -c < a.txt
cd / && rm -rf "$d" && test ! -e "$d" && echo cleaned
"#;

/// Every tool is a fork and an exec of a 2 MB program, under `--check-mode
/// verify`: the stress guard (a guard, not a speed target).
const TIMEOUT: &[&str] = &["--timeout", STRESS_TIMEOUT];

/// Built into the test programs only where the host has busybox; CI
/// installs it, so there its absence is a failure.
fn busybox_present() -> bool {
    let there = std::path::Path::new(env!("GUEST_BIN_DIR"))
        .join("busybox")
        .exists();
    if !there {
        assert!(
            std::env::var_os("CI").is_none(),
            "busybox was not copied: busybox-static is missing"
        );
        eprintln!("no busybox (busybox-static): skipped");
    }
    there
}

#[test]
fn busybox_shell_script_matches_linux() {
    if !busybox_present() {
        return;
    }
    let r = same_as_native_with(TIMEOUT, "busybox", &["sh", "-c", SCRIPT], &[]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stdout.ends_with("cleaned\n"), "{}", r.stdout);
    assert!(r.stdout.contains("HELLO WORLD"), "{}", r.stdout);
}

#[test]
fn busybox_exit_status_and_missing_command() {
    if !busybox_present() {
        return;
    }
    let r = same_as_native_with(
        TIMEOUT,
        "busybox",
        &[
            "sh",
            "-c",
            "false || echo no; no-such-command; echo $?; exit 4",
        ],
        &[],
    );
    assert_eq!(r.code, 4, "{}", r.stderr);
}
