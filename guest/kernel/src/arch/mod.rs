//! x86_64 CPU setup: descriptor tables, exception and syscall entry, FPU,
//! per-CPU block.

pub mod fpu;
pub mod gdt;
pub mod idt;
pub mod lapic;
pub mod percpu;
pub mod syscall_entry;
pub mod trapframe;
pub mod traps;

pub fn init() {
    percpu::init();
    gdt::init();
    idt::init();
    syscall_entry::init();
    fpu::init();
}

/// Whether `addr` is canonical for 4-level paging (bits 63..47 equal).
pub fn is_canonical(addr: u64) -> bool {
    let top = addr >> 47;
    top == 0 || top == 0x1ffff
}

#[inline]
pub fn rdtsc() -> u64 {
    // SAFETY: rdtsc has no side effects.
    unsafe { core::arch::x86_64::_rdtsc() }
}
