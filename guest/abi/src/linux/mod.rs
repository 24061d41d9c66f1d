//! Linux's x86_64 user ABI, the one definition every part of threadlab uses:
//! the kernel dispatches and answers with it, the host's strace decoder and
//! inspector name calls, errors, flags and signals with it, and guest-libc
//! gets it as generated C headers ([`cheader`]).
//!
//! - [`syscalls`]: every system call — number, name, and the number of
//!   arguments strace prints for it undecoded — with an array indexed by
//!   number for the lookup.
//! - [`errno`]: error numbers, names and the C library's messages.
//! - [`signal`]: the 31 standard signals, numbers and names.
//! - [`clone`]: `CLONE_*` flags and `struct clone_args` sizes.
//! - [`futex`]: futex commands and option bits.
//!
//! **Where the numbers come from.** Every number that Linux's UAPI headers
//! define is taken from `linux-raw-sys` (no_std, no dependencies, generated
//! from the kernel's headers for each architecture and kept current), so
//! none is typed here: a wrong number cannot be written, only a wrong name,
//! and the tests check the names against the host's own headers and C
//! library and against strace. What `linux-raw-sys` does not have is ours:
//! names as strings, the C library's messages, strace's argument counts and
//! the kernel-internal `ERESTART*` numbers, which strace shows but no UAPI
//! header defines.
//!
//! The constants are typed as the 64-bit registers they are compared with:
//! `u64` for system call numbers and arguments (flags, commands, signal
//! numbers), `i64` for error numbers (a system call returns `-errno`).

pub mod cheader;
pub mod clone;
pub mod errno;
pub mod futex;
pub mod signal;
pub mod syscalls;

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
