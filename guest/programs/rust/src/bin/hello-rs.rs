//! The Rust twin of hello.c: prints exactly the same line.
#![no_std]
#![no_main]

use guest_libc::println;

#[no_mangle]
pub extern "C" fn main(_argc: i32, _argv: *const *const u8, _envp: *const *const u8) -> i32 {
    println!("Hello from the guest!");
    0
}
