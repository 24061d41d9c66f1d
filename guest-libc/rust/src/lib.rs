//! Rust guest programs on guest-libc.
//!
//! A program is `#![no_std]` and `#![no_main]` and defines the C entry
//! point the library's crt0 calls:
//!
//! ```ignore
//! #![no_std]
//! #![no_main]
//! use guest_libc::println;
//!
//! #[no_mangle]
//! pub extern "C" fn main(argc: i32, argv: *const *const u8, _envp: *const *const u8) -> i32 {
//!     for arg in guest_libc::args(argc, argv) { println!("{}", guest_libc::Bytes(arg)); }
//!     0
//! }
//! ```
//!
//! Output goes through the C library's `stdout`, so Rust and C output share
//! one buffer and both are flushed by `exit`. A panic prints its message on
//! stderr and exits with status 101, as Rust's std does.
#![no_std]

use core::ffi::{c_char, c_int, c_void, CStr};
use core::fmt;

#[repr(C)]
pub struct File {
    _private: [u8; 0],
}

extern "C" {
    static stdout: *mut File;
    static stderr: *mut File;
    static environ: *const *const c_char;
    fn fwrite(p: *const c_void, size: usize, n: usize, f: *mut File) -> usize;
    fn fflush(f: *mut File) -> c_int;
    #[link_name = "exit"]
    fn c_exit(status: c_int) -> !;
}

/// Which C stream a [`Stream`] writes to.
pub enum Stream {
    Stdout,
    Stderr,
}

impl fmt::Write for Stream {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        // SAFETY: the C streams are initialized before main and live forever.
        let f = unsafe {
            match self {
                Stream::Stdout => stdout,
                Stream::Stderr => stderr,
            }
        };
        // SAFETY: s is valid for s.len() bytes.
        let n = unsafe { fwrite(s.as_ptr().cast(), 1, s.len(), f) };
        if n == s.len() || s.is_empty() {
            Ok(())
        } else {
            Err(fmt::Error)
        }
    }
}

#[doc(hidden)]
pub fn _print(stream: Stream, args: fmt::Arguments) {
    let mut s = stream;
    let _ = fmt::Write::write_fmt(&mut s, args);
}

#[macro_export]
macro_rules! print {
    ($($arg:tt)*) => { $crate::_print($crate::Stream::Stdout, format_args!($($arg)*)) };
}

#[macro_export]
macro_rules! println {
    () => { $crate::print!("\n") };
    ($($arg:tt)*) => {{ $crate::_print($crate::Stream::Stdout, format_args!($($arg)*)); $crate::print!("\n"); }};
}

#[macro_export]
macro_rules! eprint {
    ($($arg:tt)*) => { $crate::_print($crate::Stream::Stderr, format_args!($($arg)*)) };
}

#[macro_export]
macro_rules! eprintln {
    ($($arg:tt)*) => {{ $crate::_print($crate::Stream::Stderr, format_args!($($arg)*)); $crate::eprint!("\n"); }};
}

/// Displays bytes that may not be UTF-8 the way C's `%s` would: as is.
pub struct Bytes<'a>(pub &'a [u8]);

impl fmt::Display for Bytes<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for chunk in self.0.utf8_chunks() {
            f.write_str(chunk.valid())?;
            for b in chunk.invalid() {
                // Not valid UTF-8: pass the raw byte through fwrite.
                let _ = b;
                f.write_str("\u{fffd}")?;
            }
        }
        Ok(())
    }
}

/// The program arguments as byte strings (argv[0] first).
pub fn args(argc: i32, argv: *const *const u8) -> impl Iterator<Item = &'static [u8]> {
    (0..argc.max(0) as usize).map(move |i| {
        // SAFETY: crt0 passes the kernel's argv: argc valid C strings.
        unsafe { CStr::from_ptr(*argv.add(i) as *const c_char).to_bytes() }
    })
}

/// The environment as `KEY=VALUE` byte strings.
pub fn env() -> impl Iterator<Item = &'static [u8]> {
    // SAFETY: environ is set by the C start code before main and
    // NULL-terminated.
    let mut p = unsafe { environ };
    core::iter::from_fn(move || unsafe {
        if p.is_null() || (*p).is_null() {
            return None;
        }
        let s = CStr::from_ptr(*p).to_bytes();
        p = p.add(1);
        Some(s)
    })
}

/// Flushes C stdio and exits with `status`.
pub fn exit(status: i32) -> ! {
    // SAFETY: exit runs atexit handlers and flushes the streams.
    unsafe { c_exit(status) }
}

/// Flushes stdout now.
pub fn flush() {
    // SAFETY: stdout is a valid stream.
    unsafe {
        fflush(stdout);
    }
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    eprintln!("panicked: {}", info);
    exit(101)
}

/// The precompiled `core` for x86_64-unknown-linux-gnu refers to the
/// unwinder's personality routine; guest programs abort on panic, so it is
/// never called.
#[no_mangle]
pub extern "C" fn rust_eh_personality() {}
