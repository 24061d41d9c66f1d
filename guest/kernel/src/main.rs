//! The threadlab guest kernel: boots from the VMM's long-mode handoff, loads
//! one static Linux program and serves its system calls with Linux's numbers,
//! arguments and errno values.
//!
//! Runs on one CPU with interrupts off in kernel mode; per-CPU state is kept
//! per CPU (GS base) so SMP can follow.
#![no_std]
#![no_main]

extern crate alloc;

mod arch;
mod boot_info;
mod cmdline;
mod errno;
mod exec;
mod fs;
mod hypercall;
mod init;
mod klog;
mod krc;
mod list;
mod mm;
mod panic;
mod profile;
mod random;
mod sched;
mod signal;
mod syscall_clock;
mod syscalls;
mod task;
mod time;
mod timer;

use abi::boot::BootInfo;

/// The host reads this from the ELF symbol table and refuses a kernel built
/// against another `guest/abi`.
#[no_mangle]
#[used]
pub static ABI_LAYOUT_VERSION: u32 = abi::LAYOUT_VERSION;

/// Stack for boot and for the kernel side of the (single) task.
const BOOT_STACK_SIZE: usize = 64 * 1024;
#[repr(C, align(16))]
struct Stack([u8; BOOT_STACK_SIZE]);
#[no_mangle]
static mut BOOT_STACK: Stack = Stack([0; BOOT_STACK_SIZE]);

// Entry from the VMM: 64-bit mode, paging on (boot tables), interrupts off,
// rdi = BootInfo (direct map), rsp undefined. Load our stack, clear rbp so
// backtraces end here, and call into Rust.
core::arch::global_asm!(
    ".section .text.entry, \"ax\"",
    ".global _start",
    "_start:",
    "    lea rsp, [rip + BOOT_STACK + {size}]",
    "    xor ebp, ebp",
    "    call {main}",
    "    ud2",
    size = const BOOT_STACK_SIZE,
    main = sym kernel_main,
);

extern "C" fn kernel_main(info: *const BootInfo) -> ! {
    // SAFETY: the VMM passes the direct-map address of the boot info page;
    // `boot_info::init` validates magic and version before using any field.
    let info = unsafe { boot_info::init(info) };
    arch::init();
    mm::init(info);
    time::init(info);
    random::init(&info.random_seed);
    cmdline::init(info);
    timer::start(info.mem_size);
    init::start_first_program(info)
}
