//! Kernel panics and kernel-mode faults: reported to the host with the
//! message, registers when there is an exception frame, and the return
//! addresses of the frame-pointer chain (the host symbolizes them).

use core::fmt::Write;
use core::panic::PanicInfo;

use abi::hypercall::{Registers, PANIC_BACKTRACE_MAX};
use abi::layout::{DIRECT_MAP_BASE, KERNEL_MAP_SIZE, KERNEL_VIRT_BASE};

use crate::klog::FixedBuf;

#[panic_handler]
fn panic(info: &PanicInfo) -> ! {
    let mut msg = FixedBuf::<512>::new();
    let _ = write!(msg, "{}", info.message());
    if let Some(loc) = info.location() {
        let _ = write!(msg, " at {}:{}", loc.file(), loc.line());
    }
    let rbp: u64;
    // SAFETY: reading rbp.
    unsafe { core::arch::asm!("mov {}, rbp", out(reg) rbp, options(nomem, nostack)) };
    report(msg.as_bytes(), None, rbp)
}

/// Sends the panic report; `regs` from an exception frame if there is one.
pub fn report(message: &[u8], regs: Option<Registers>, rbp: u64) -> ! {
    crate::hypercall::panic_report(message, |r| {
        match regs {
            Some(regs) => {
                r.has_regs = 1;
                r.regs = regs;
            }
            None => {
                r.has_regs = 0;
                r.regs.rip = report as *const () as u64;
                r.regs.rbp = rbp;
                r.regs.vector = u64::MAX;
            }
        }
        let mut n = 0;
        let mut fp = rbp;
        // Walk saved (rbp, return address) pairs while they look like kernel
        // stack frames; stop at the first that does not.
        while n < PANIC_BACKTRACE_MAX && mapped(fp) && fp.is_multiple_of(8) {
            // SAFETY: fp is a kernel-half address; kernel stacks are in the
            // kernel image or the direct map, both always mapped. A corrupt
            // chain ends at the checks above or at a zero rbp.
            let (next, ret) = unsafe { (*(fp as *const u64), *((fp + 8) as *const u64)) };
            if ret < KERNEL_VIRT_BASE {
                break;
            }
            r.backtrace[n] = ret;
            n += 1;
            if next <= fp {
                break;
            }
            fp = next;
        }
        r.backtrace_len = n as u64;
    })
}

pub fn vector_name(v: u64) -> &'static str {
    match v {
        0 => "divide error",
        1 => "debug exception",
        2 => "NMI",
        3 => "breakpoint",
        6 => "invalid opcode",
        8 => "double fault",
        13 => "general protection fault",
        14 => "page fault",
        18 => "machine check",
        _ => "CPU exception",
    }
}

/// Whether a 16-byte frame at `fp` is in memory the kernel always maps (the
/// kernel image window or the direct map of RAM).
fn mapped(fp: u64) -> bool {
    let mem = crate::boot_info::try_get()
        .map(|i| i.mem_size)
        .unwrap_or(abi::layout::MIN_GUEST_MEMORY);
    let inside = |base: u64, size: u64| fp >= base && fp - base + 16 <= size;
    inside(KERNEL_VIRT_BASE, KERNEL_MAP_SIZE) || inside(DIRECT_MAP_BASE, mem)
}
