//! x87/SSE for user programs. The kernel itself never touches FPU or SSE
//! registers (x86_64-unknown-none is soft-float), so with one task the user
//! state simply stays in the registers across syscalls and exceptions; the
//! per-task save area is for context switches.

use x86_64::registers::control::{Cr0, Cr0Flags, Cr4, Cr4Flags};

/// FXSAVE area (512 bytes, 16-byte aligned).
#[repr(C, align(16))]
#[derive(Clone, Copy)]
pub struct FpuState(pub [u8; 512]);

pub fn init() {
    // SAFETY: enabling the FPU and SSE as the architecture requires.
    unsafe {
        Cr0::update(|f| {
            f.remove(Cr0Flags::EMULATE_COPROCESSOR | Cr0Flags::TASK_SWITCHED);
            f.insert(Cr0Flags::MONITOR_COPROCESSOR | Cr0Flags::NUMERIC_ERROR);
        });
        Cr4::update(|f| f.insert(Cr4Flags::OSFXSR | Cr4Flags::OSXMMEXCPT_ENABLE));
    }
}

/// The initial user FPU state Linux gives a new program: FNINIT state
/// (FCW 0x37f) and MXCSR 0x1f80, all registers zero.
pub fn reset_user_state() {
    // SAFETY: FPU enabled in `init`; only FPU/SSE state changes.
    unsafe {
        core::arch::asm!("fninit", options(nostack, nomem),);
    }
}

impl FpuState {
    pub const fn zeroed() -> Self {
        FpuState([0; 512])
    }

    pub fn save(&mut self) {
        // SAFETY: 512-byte, 16-aligned area.
        unsafe {
            core::arch::asm!("fxsave64 [{0}]", in(reg) self.0.as_mut_ptr(), options(nostack))
        };
    }

    pub fn restore(&self) {
        // SAFETY: the area holds a state produced by `save` or `zeroed` + FCW/MXCSR.
        unsafe { core::arch::asm!("fxrstor64 [{0}]", in(reg) self.0.as_ptr(), options(nostack)) };
    }
}
