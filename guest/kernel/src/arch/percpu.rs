//! Per-CPU block, reached through GS in kernel mode (user GS base is in
//! IA32_KERNEL_GS_BASE while the kernel runs: `swapgs` on every entry from
//! and exit to user mode). One CPU for now; the layout is what SMP needs.

use x86_64::registers::model_specific::Msr;

#[repr(C)]
pub struct PerCpu {
    /// Points to itself (so `gs:[0]` gives the block's address).
    pub self_ptr: u64,
    /// Kernel stack top loaded by the SYSCALL entry.
    pub kernel_rsp: u64,
    /// User rsp saved by the SYSCALL entry.
    pub user_rsp: u64,
    pub cpu_id: u64,
}

/// Offsets used by the assembly entry code.
pub const KERNEL_RSP_OFFSET: usize = core::mem::offset_of!(PerCpu, kernel_rsp);
pub const USER_RSP_OFFSET: usize = core::mem::offset_of!(PerCpu, user_rsp);

static mut CPU0: PerCpu = PerCpu {
    self_ptr: 0,
    kernel_rsp: 0,
    user_rsp: 0,
    cpu_id: 0,
};

const IA32_GS_BASE: u32 = 0xc000_0101;
const IA32_KERNEL_GS_BASE: u32 = 0xc000_0102;

pub fn init() {
    // SAFETY: boot, single CPU; GS base is only used through this block.
    unsafe {
        let p = core::ptr::addr_of_mut!(CPU0);
        (*p).self_ptr = p as u64;
        Msr::new(IA32_GS_BASE).write(p as u64);
        Msr::new(IA32_KERNEL_GS_BASE).write(0);
    }
}

/// Sets the stack the next SYSCALL (and, via the TSS, the next exception
/// from user mode) runs on.
pub fn set_kernel_stack(top: u64) {
    // SAFETY: single CPU, interrupts off in the kernel.
    unsafe { (*core::ptr::addr_of_mut!(CPU0)).kernel_rsp = top };
    super::gdt::set_rsp0(top);
}

/// The user's GS base while in the kernel (swapped out).
pub fn user_gs_base() -> u64 {
    // SAFETY: reading an MSR that always exists in long mode.
    unsafe { Msr::new(IA32_KERNEL_GS_BASE).read() }
}

pub fn set_user_gs_base(v: u64) {
    // SAFETY: the value is canonical (checked by the caller); the kernel's
    // own GS base is in IA32_GS_BASE while in the kernel.
    unsafe { Msr::new(IA32_KERNEL_GS_BASE).write(v) }
}

/// This CPU's index (the kernel runs on vCPU 0 only, for now).
#[inline(always)]
pub fn cpu_id() -> usize {
    0
}
