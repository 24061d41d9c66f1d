//! x87/SSE for user programs. The kernel itself never touches FPU or SSE
//! registers (x86_64-unknown-none is soft-float), so with one task the user
//! state simply stays in the registers across syscalls and exceptions; the
//! per-task save area is for context switches.

use core::sync::atomic::{AtomicU32, Ordering};

use x86_64::registers::control::{Cr0, Cr0Flags, Cr4, Cr4Flags};

/// The MXCSR bits this CPU implements (FXSAVE's MXCSR_MASK; 0 there means
/// the architectural default 0xffbf). Loading a value with any other bit
/// set faults, so an image from user memory is masked with it.
static MXCSR_MASK: AtomicU32 = AtomicU32::new(0xffbf);

/// Byte offsets of MXCSR and MXCSR_MASK in an FXSAVE image; FCW is at 0.
const MXCSR_AT: usize = 24;
const MXCSR_MASK_AT: usize = 28;

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
    let mut probe = FpuState::zeroed();
    probe.save();
    let mask = u32::from_le_bytes(
        probe.0[MXCSR_MASK_AT..MXCSR_MASK_AT + 4]
            .try_into()
            .unwrap(),
    );
    if mask != 0 {
        MXCSR_MASK.store(mask, Ordering::Relaxed);
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

    /// The state a new program and a signal handler start with: FCW
    /// 0x37f, MXCSR 0x1f80, every register zero.
    pub fn user_init() -> Self {
        let mut f = FpuState::zeroed();
        f.0[..2].copy_from_slice(&0x37fu16.to_le_bytes());
        f.0[MXCSR_AT..MXCSR_AT + 4].copy_from_slice(&0x1f80u32.to_le_bytes());
        f
    }

    /// An image from user memory (a signal frame), with MXCSR reduced to
    /// the bits the CPU implements so that restoring it cannot fault.
    pub fn from_user(bytes: [u8; 512]) -> Self {
        let mut f = FpuState(bytes);
        let mxcsr = u32::from_le_bytes(f.0[MXCSR_AT..MXCSR_AT + 4].try_into().unwrap());
        let masked = mxcsr & MXCSR_MASK.load(Ordering::Relaxed);
        f.0[MXCSR_AT..MXCSR_AT + 4].copy_from_slice(&masked.to_le_bytes());
        f
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
