//! Linux's x86_64 user ABI, the one definition every part of threadlab uses:
//! the kernel dispatches and answers with it, the host's strace decoder and
//! inspector name calls, errors, flags and signals with it, and guest-libc
//! gets it as generated C headers ([`cheader`]).
//!
//! - [`syscalls`]: every system call — number, name, and the number of
//!   arguments strace prints for it undecoded — with an array indexed by
//!   number for the lookup.
//! - [`errno`]: error numbers, names and the C library's messages.
//! - [`signal`]: the 31 standard signals, numbers and names; sigaction's
//!   flags, sigprocmask's `how`, SIGCHLD's codes.
//! - [`clone`]: `CLONE_*` flags and `struct clone_args` sizes.
//! - [`futex`]: futex commands and option bits.
//! - [`mman`]: mmap's protections and flags, madvise's advice.
//! - [`fs`]: open flags, fcntl commands, the `*at` calls' directory and
//!   flags, lseek's whence, file types, pidfd_open's flags.
//! - [`wait`]: wait4 / waitid options and waitid's id types.
//! - [`time`]: clock ids and clock_nanosleep's flag.
//! - [`resource`]: resource limits.
//! - [`arch_prctl`]: arch_prctl's codes.
//! - [`random`]: getrandom's flags.
//! - [`auxv`]: the auxiliary vector's entry types.
//! - [`ioctl`]: the terminal ioctl requests strace names.
//! - [`uapi`]: the records system calls pass through user memory
//!   (timespec, rlimit, iovec, kernel_sigaction, stat, utsname), laid out
//!   as `linux-raw-sys`'s and derived for zerocopy.
//!
//! Most groups are written with `named!`: one identifier per constant,
//! which gives the constant (its number from `linux-raw-sys`) and a row of
//! a `(number, name)` table, the form strace's decoders and the C header
//! generator take, so a name is never written as a string beside its
//! number.
//!
//! **Where the numbers come from.** The numbers are `linux-raw-sys`'s
//! (no_std, no dependencies, generated from the kernel's UAPI headers for
//! each architecture and kept current), so almost none is typed here: a
//! wrong number cannot be written, only a wrong name, and the tests check
//! the names against the host's own headers and C library and against
//! strace. What `linux-raw-sys` does not have is ours: names as strings,
//! the C library's messages, strace's argument counts, the kernel-internal
//! `ERESTART*` numbers, which strace shows but no UAPI header defines, and
//! the few numbers its bindings lack (x86's `asm/prctl.h`; macros defined
//! as other macros, such as pidfd_open's flags), each checked by a test
//! against the host's headers.
//!
//! The constants are typed as the values they are compared with: `u64`
//! for system call numbers and arguments (flags, commands, signal numbers),
//! `i64` for error numbers (a system call returns `-errno`), and the C type
//! of a field or `int` argument where that is what holds them (`st_mode`'s
//! file types `u32`; `AT_FDCWD` and `si_code`s `i32`).

/// `NAME` or `NAME = value` entries, in a table named `TABLE` of type
/// `ty`: a `pub const NAME: ty` per entry — `linux-raw-sys`'s number
/// (from the module the caller has in scope as `raw`), or `value` for the
/// few it lacks — and `pub static TABLE: &[(u64, &str)]`, each constant
/// (as `u64`) with its name in the order written: the order in which
/// strace prints the names of a flag set.
macro_rules! named {
    ($(#[$doc:meta])* $table:ident: $ty:ty = [$($name:ident $(= $value:expr)?),* $(,)?]) => {
        $(pub const $name: $ty = named!(@value $ty, $name $(, $value)?);)*

        $(#[$doc])*
        pub static $table: &[(u64, &str)] = &[$(($name as u64, stringify!($name)),)*];
    };
    (@value $ty:ty, $name:ident) => {
        raw::$name as $ty
    };
    (@value $ty:ty, $name:ident, $value:expr) => {
        $value
    };
}

pub mod arch_prctl;
pub mod auxv;
pub mod cheader;
pub mod clone;
pub mod errno;
pub mod fs;
pub mod futex;
pub mod ioctl;
pub mod mman;
pub mod poll;
pub mod random;
pub mod resource;
pub mod signal;
pub mod syscalls;
pub mod time;
pub mod uapi;
pub mod wait;

/// The name of `value` in `table` (a `named!` table).
pub fn name_of<'a>(table: &[(u64, &'a str)], value: u64) -> Option<&'a str> {
    table.iter().find(|&&(v, _)| v == value).map(|&(_, n)| n)
}

/// `s` without `prefix` (which it must start with), in a constant: names
/// from identifiers such as `__NR_read`.
const fn strip_prefix(s: &'static str, prefix: &str) -> &'static str {
    let (p, rest) = s.as_bytes().split_at(prefix.len());
    let mut i = 0;
    while i < p.len() {
        assert!(p[i] == prefix.as_bytes()[i], "name without its prefix");
        i += 1;
    }
    match core::str::from_utf8(rest) {
        Ok(name) => name,
        Err(_) => panic!("name is not UTF-8"),
    }
}

#[cfg(test)]
mod tests;
