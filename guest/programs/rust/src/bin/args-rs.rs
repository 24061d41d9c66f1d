//! The Rust twin of args.c: prints argc, the arguments and the environment
//! in the same format.
#![no_std]
#![no_main]

use guest_libc::{println, Bytes};

#[no_mangle]
pub extern "C" fn main(argc: i32, argv: *const *const u8, _envp: *const *const u8) -> i32 {
    println!("argc={}", argc);
    for (i, arg) in guest_libc::args(argc, argv).enumerate().skip(1) {
        println!("argv[{}]={}", i, Bytes(arg));
    }
    for var in guest_libc::env() {
        println!("env: {}", Bytes(var));
    }
    0
}
