//! guest-libc's C headers for the ABI, generated from the tables here so
//! the C library cannot disagree with the kernel: the public headers'
//! numbers (`include/`) and `strerror`'s messages (`src/strerror.h`). The
//! files are committed (`scripts/guest-cc` runs without cargo); a host test
//! regenerates them and fails when a committed one differs
//! (`UPDATE_GENERATED=1 cargo test -p abi generated_headers` rewrites
//! them).

use core::fmt::{self, Write};

use super::{
    arch_prctl, auxv, clone, errno, fs, futex, mman, random, resource, signal, syscalls, time, wait,
};
use crate::stats;

/// Writes one header.
pub type Generator = fn(&mut dyn Write) -> fmt::Result;

/// Each generated header: its path under `guest-libc/` and its writer.
pub const HEADERS: &[(&str, Generator)] = &[
    ("include/sys/syscall.h", syscall_h),
    ("include/threadlab.h", threadlab_h),
    ("include/bits/errno.h", errno_h),
    ("include/bits/signum.h", signum_h),
    ("include/bits/clone.h", clone_h),
    ("include/bits/mman.h", mman_h),
    ("include/bits/fcntl.h", fcntl_h),
    ("include/bits/wait.h", wait_h),
    ("include/bits/time.h", time_h),
    ("include/bits/resource.h", resource_h),
    ("include/bits/random.h", random_h),
    ("include/bits/auxv.h", auxv_h),
    ("include/asm/prctl.h", prctl_h),
    ("include/linux/futex.h", futex_h),
    ("src/strerror.h", strerror_h),
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

/// `#define name 0x...`: flags and masks, zero-padded to `width`
/// characters with the `0x` (0: no padding). A value above 32 bits needs a
/// 64-bit type in C.
fn hex_padded(w: &mut dyn Write, name: &str, v: u64, width: usize) -> fmt::Result {
    let suffix = if v > u64::from(u32::MAX) { "ULL" } else { "" };
    writeln!(w, "#define {name} {v:#0width$x}{suffix}")
}

/// [`hex_padded`] without padding, in the notation tables take.
fn hex(w: &mut dyn Write, name: &str, v: u64) -> fmt::Result {
    hex_padded(w, name, v, 0)
}

/// `#define name N`: numbers that are values, not bits (negative ones come
/// from C `int`s, sign-extended).
fn dec(w: &mut dyn Write, name: &str, v: u64) -> fmt::Result {
    writeln!(w, "#define {name} {}", v as i64)
}

/// Every row of a `named!` table, in the notation `f` gives.
fn table(
    w: &mut dyn Write,
    rows: &[(u64, &str)],
    f: fn(&mut dyn Write, &str, u64) -> fmt::Result,
) -> fmt::Result {
    rows.iter().try_for_each(|&(v, name)| f(w, name, v))
}

/// `#define NAME value` for constants named by their identifiers (the
/// few outside a table).
macro_rules! define {
    ($w:expr, $f:ident, $($module:ident::$name:ident),* $(,)?) => {
        $($f($w, stringify!($name), $module::$name as u64)?;)*
    };
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

/// threadlab's own system call (ENOSYS on Linux) and its special tag.
pub fn threadlab_h(w: &mut dyn Write) -> fmt::Result {
    preamble(
        w,
        "_THREADLAB_H",
        "threadlab's statistics system call (abi::stats).",
    )?;
    define!(
        w,
        hex,
        stats::SYS_THREADLAB_STATS,
        stats::STATS_TAG_BREAK_NR_THREADS
    );
    writeln!(w, "#endif")
}

/// The error numbers a program can see (not the kernel-internal ones).
pub fn errno_h(w: &mut dyn Write) -> fmt::Result {
    preamble(
        w,
        "_BITS_ERRNO_H",
        "Linux error numbers (included by <errno.h>).",
    )?;
    for e in visible_errnos() {
        writeln!(w, "#define {} {}", e.name, e.nr)?;
    }
    writeln!(w, "#endif")
}

/// The error numbers a program can see: below the kernel-internal range
/// that starts at ERESTARTSYS.
pub(crate) fn visible_errnos() -> impl Iterator<Item = &'static errno::Errno> {
    errno::ALL
        .iter()
        .filter(|e| i64::from(e.nr) < errno::ERESTARTSYS)
}

/// The standard signals' numbers, the real-time range, sigaction's flags,
/// sigprocmask's `how` and SIGCHLD's codes.
pub fn signum_h(w: &mut dyn Write) -> fmt::Result {
    preamble(
        w,
        "_BITS_SIGNUM_H",
        "Linux signal numbers and flags (included by <signal.h>).",
    )?;
    for (i, name) in signal::NAMES.iter().enumerate() {
        writeln!(w, "#define {name} {}", i + 1)?;
    }
    // glibc's names for the kernel's real-time range.
    dec(w, "__SIGRTMIN", signal::SIGRTMIN)?;
    dec(w, "__SIGRTMAX", signal::NSIG)?;
    // sa_handler's special values: C's are handler pointers.
    for (name, v) in [("SIG_DFL", signal::SIG_DFL), ("SIG_IGN", signal::SIG_IGN)] {
        writeln!(w, "#define {name} ((void (*)(int)){v})")?;
    }
    table(w, signal::SIGPROCMASK_HOW, dec)?;
    table(w, signal::SA_FLAGS, hex)?;
    table(w, signal::CHILD_CODES, dec)?;
    for codes in [
        signal::SEND_CODES,
        signal::SEGV_CODES,
        signal::BUS_CODES,
        signal::ILL_CODES,
        signal::FPE_CODES,
        signal::TRAP_CODES,
    ] {
        table(w, codes, dec)?;
    }
    table(w, signal::SS_FLAGS, hex)?;
    define!(w, dec, signal::MINSIGSTKSZ, signal::SIGSTKSZ);
    table(w, signal::SIGEV_NOTIFY, dec)?;
    table(w, signal::ITIMERS, dec)?;
    writeln!(w, "#endif")
}

/// clone / clone3 flags and `struct clone_args` sizes.
pub fn clone_h(w: &mut dyn Write) -> fmt::Result {
    preamble(
        w,
        "_BITS_CLONE_H",
        "clone(2) / clone3(2) flags (included by <sched.h>).",
    )?;
    // Eight digits, so the flags line up.
    hex_padded(w, "CSIGNAL", clone::CSIGNAL, 10)?;
    for &(bit, name) in clone::FLAGS {
        hex_padded(w, name, bit, 10)?;
    }
    define!(
        w,
        dec,
        clone::CLONE_ARGS_SIZE_VER0,
        clone::CLONE_ARGS_SIZE_VER1,
        clone::CLONE_ARGS_SIZE_VER2,
    );
    writeln!(w, "#endif")
}

/// mmap's protections, types and flags; madvise's advice.
pub fn mman_h(w: &mut dyn Write) -> fmt::Result {
    preamble(
        w,
        "_BITS_MMAN_H",
        "mmap(2) / madvise(2) constants (included by <sys/mman.h>).",
    )?;
    define!(w, hex, mman::PROT_NONE);
    table(w, mman::PROT, hex)?;
    table(w, mman::MAP_TYPES, hex)?;
    define!(w, hex, mman::MAP_TYPE);
    table(w, mman::MAP_FLAGS, hex)?;
    table(w, mman::MADVISE, dec)?;
    table(w, mman::MADVISE_OTHER, dec)?;
    writeln!(w, "#endif")
}

/// Open flags, fcntl commands, the `*at` calls' constants, lseek's whence
/// and the file types.
pub fn fcntl_h(w: &mut dyn Write) -> fmt::Result {
    preamble(
        w,
        "_BITS_FCNTL_H",
        "File constants (included by <unistd.h> and <sys/stat.h>).",
    )?;
    table(w, fs::ACCESS_MODES, dec)?;
    define!(w, hex, fs::O_ACCMODE);
    table(w, fs::OPEN_FLAGS, hex)?;
    table(w, fs::FCNTL_COMMANDS, dec)?;
    table(w, fs::FD_FLAGS, dec)?;
    table(w, fs::DIRFDS, dec)?;
    table(w, fs::PATH_FLAGS, hex)?;
    table(w, fs::WHENCE, dec)?;
    define!(w, hex, fs::S_IFMT);
    table(w, fs::FILE_TYPES, hex)?;
    writeln!(w, "#endif")
}

/// wait4 / waitid options and id types.
pub fn wait_h(w: &mut dyn Write) -> fmt::Result {
    preamble(
        w,
        "_BITS_WAIT_H",
        "wait4(2) / waitid(2) constants (included by <sys/wait.h>).",
    )?;
    table(w, wait::WAIT_OPTIONS, hex)?;
    define!(w, hex, wait::WSTOPPED);
    table(w, wait::ID_TYPES, dec)?;
    writeln!(w, "#endif")
}

/// Clock ids and clock_nanosleep's flag.
pub fn time_h(w: &mut dyn Write) -> fmt::Result {
    preamble(
        w,
        "_BITS_TIME_H",
        "Clock ids and flags (included by <time.h>).",
    )?;
    table(w, time::CLOCKS, dec)?;
    table(w, time::TIMER_FLAGS, dec)?;
    writeln!(w, "#endif")
}

/// The resources and the unlimited value.
pub fn resource_h(w: &mut dyn Write) -> fmt::Result {
    preamble(w, "_BITS_RESOURCE_H", "Resource limits (prlimit64(2)).")?;
    table(w, resource::RLIMITS, dec)?;
    define!(w, dec, resource::RLIM_NLIMITS);
    define!(w, hex, resource::RLIM_INFINITY);
    writeln!(w, "#endif")
}

/// getrandom's flags.
pub fn random_h(w: &mut dyn Write) -> fmt::Result {
    preamble(
        w,
        "_BITS_RANDOM_H",
        "getrandom(2) flags (included by <sys/random.h>).",
    )?;
    table(w, random::GRND_FLAGS, hex)?;
    writeln!(w, "#endif")
}

/// The auxiliary vector's types.
pub fn auxv_h(w: &mut dyn Write) -> fmt::Result {
    preamble(
        w,
        "_BITS_AUXV_H",
        "Auxiliary vector types (included by <elf.h>).",
    )?;
    table(w, auxv::AUXV_TYPES, dec)?;
    writeln!(w, "#endif")
}

/// arch_prctl's codes, under Linux's header name.
pub fn prctl_h(w: &mut dyn Write) -> fmt::Result {
    preamble(w, "_ASM_X86_PRCTL_H", "arch_prctl(2) codes.")?;
    table(w, arch_prctl::ARCH_CODES, hex)?;
    writeln!(w, "#endif")
}

const _: () = assert!(
    futex::FUTEX_CMD_MASK == !(futex::FUTEX_PRIVATE_FLAG | futex::FUTEX_CLOCK_REALTIME),
    "FUTEX_CMD_MASK is the op without its option bits"
);

/// futex commands and option bits, under Linux's header name.
pub fn futex_h(w: &mut dyn Write) -> fmt::Result {
    preamble(w, "_LINUX_FUTEX_H", "futex(2) commands and option bits.")?;
    table(w, futex::COMMANDS, dec)?;
    define!(
        w,
        hex,
        futex::FUTEX_PRIVATE_FLAG,
        futex::FUTEX_CLOCK_REALTIME,
        futex::FUTEX_BITSET_MATCH_ANY,
    );
    // An `int` in C, as Linux defines it (asserted below).
    writeln!(
        w,
        "#define FUTEX_CMD_MASK ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME)"
    )?;
    writeln!(w, "#endif")
}

/// `strerror`'s messages, indexed by error number (guest-libc's
/// src/string.c; private to the library).
pub fn strerror_h(w: &mut dyn Write) -> fmt::Result {
    preamble(
        w,
        "GUEST_LIBC_STRERROR_H",
        "strerror(3)'s messages, the C library's (abi::linux::errno).",
    )?;
    writeln!(w, "#include <errno.h>")?;
    writeln!(w, "static const char *const __strerror_messages[] = {{")?;
    writeln!(w, "    [0] = {},", CString(errno::SUCCESS_MESSAGE))?;
    for e in visible_errnos() {
        writeln!(w, "    [{}] = {},", e.name, CString(e.message))?;
    }
    writeln!(w, "}};")?;
    writeln!(w, "#endif")
}

/// A message as a C string literal (quotes and backslashes escaped; the
/// messages are printable ASCII, checked here).
struct CString<'a>(&'a str);

impl fmt::Display for CString<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_char('"')?;
        for c in self.0.chars() {
            assert!(c.is_ascii_graphic() || c == ' ', "message with {c:?}");
            if c == '"' || c == '\\' {
                f.write_char('\\')?;
            }
            f.write_char(c)?;
        }
        f.write_char('"')
    }
}
