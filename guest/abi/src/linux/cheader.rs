//! guest-libc's C headers for the ABI, generated from the tables here so
//! the C library cannot disagree with the kernel. The files are committed
//! (`scripts/guest-cc` runs without cargo); a host test regenerates them
//! and fails when a committed one differs (`UPDATE_GENERATED=1 cargo test
//! -p abi generated_headers` rewrites them).

use core::fmt::{self, Write};

use super::{clone, errno, signal, syscalls};

/// Writes one header.
pub type Generator = fn(&mut dyn Write) -> fmt::Result;

/// Each generated header: its path under `guest-libc/include` and its writer.
pub const HEADERS: &[(&str, Generator)] = &[
    ("sys/syscall.h", syscall_h),
    ("bits/errno.h", errno_h),
    ("bits/signum.h", signum_h),
    ("bits/clone.h", clone_h),
];

fn preamble(w: &mut dyn Write, guard: &str, what: &str) -> fmt::Result {
    writeln!(w, "/* {what}")?;
    writeln!(
        w,
        "   Generated from guest/abi/src/linux (abi::linux::cheader): do not edit;"
    )?;
    writeln!(
        w,
        "   regenerate with UPDATE_GENERATED=1 cargo test -p abi generated_headers. */"
    )?;
    writeln!(w, "#ifndef {guard}")?;
    writeln!(w, "#define {guard}")
}

/// `__NR_name` and glibc's `SYS_name` for every system call.
pub fn syscall_h(w: &mut dyn Write) -> fmt::Result {
    preamble(w, "_SYS_SYSCALL_H", "Linux x86_64 system call numbers.")?;
    for s in syscalls::all() {
        writeln!(w, "#define __NR_{} {}", s.name, s.nr)?;
    }
    for s in syscalls::all() {
        writeln!(w, "#define SYS_{0} __NR_{0}", s.name)?;
    }
    writeln!(w, "#endif")
}

/// The error numbers a program can see (not the kernel-internal ones).
pub fn errno_h(w: &mut dyn Write) -> fmt::Result {
    preamble(
        w,
        "_BITS_ERRNO_H",
        "Linux error numbers (included by <errno.h>).",
    )?;
    for e in errno::ALL
        .iter()
        .filter(|e| i64::from(e.nr) < errno::ERESTARTSYS)
    {
        writeln!(w, "#define {} {}", e.name, e.nr)?;
    }
    writeln!(w, "#endif")
}

/// The standard signals' numbers.
pub fn signum_h(w: &mut dyn Write) -> fmt::Result {
    preamble(
        w,
        "_BITS_SIGNUM_H",
        "Linux signal numbers (included by <signal.h>).",
    )?;
    for (i, name) in signal::NAMES.iter().enumerate() {
        writeln!(w, "#define {name} {}", i + 1)?;
    }
    writeln!(w, "#endif")
}

/// clone / clone3 flags and `struct clone_args` sizes.
pub fn clone_h(w: &mut dyn Write) -> fmt::Result {
    preamble(
        w,
        "_BITS_CLONE_H",
        "clone(2) / clone3(2) flags (included by <sched.h>).",
    )?;
    let hex = |w: &mut dyn Write, name: &str, v: u64| {
        // Flags above bit 31 need a 64-bit type in C.
        let suffix = if v > u64::from(u32::MAX) { "ULL" } else { "" };
        writeln!(w, "#define {name} {v:#010x}{suffix}")
    };
    hex(w, "CSIGNAL", clone::CSIGNAL)?;
    for &(bit, name) in clone::FLAGS {
        hex(w, name, bit)?;
    }
    for (name, v) in [
        ("CLONE_ARGS_SIZE_VER0", clone::CLONE_ARGS_SIZE_VER0),
        ("CLONE_ARGS_SIZE_VER1", clone::CLONE_ARGS_SIZE_VER1),
        ("CLONE_ARGS_SIZE_VER2", clone::CLONE_ARGS_SIZE_VER2),
    ] {
        writeln!(w, "#define {name} {v}")?;
    }
    writeln!(w, "#endif")
}
