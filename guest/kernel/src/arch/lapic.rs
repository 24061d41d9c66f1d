//! The local APIC timer in x2APIC mode (MSRs, no MMIO page to map) and
//! TSC-deadline mode (deadlines in TSC ticks, which the clocks already
//! use). The VMM's split irqchip keeps the LAPIC inside KVM, so arming,
//! firing and EOI cost no exit to the VMM.

use x86_64::registers::model_specific::Msr;

const IA32_APIC_BASE: u32 = 0x1b;
const IA32_TSC_DEADLINE: u32 = 0x6e0;
const X2APIC_EOI: u32 = 0x80b;
const X2APIC_SPURIOUS: u32 = 0x80f;
const X2APIC_LVT_TIMER: u32 = 0x832;

/// Interrupt vectors (inside the IDT's 48 gates).
pub const TIMER_VECTOR: u8 = 32;
pub const SPURIOUS_VECTOR: u8 = 47;

static mut PRESENT: bool = false;

/// Enables the LAPIC with the timer in TSC-deadline mode; false if the CPU
/// has no x2APIC or TSC-deadline timer (then there is no timer at all).
pub fn init() -> bool {
    let leaf1 = core::arch::x86_64::__cpuid(1);
    if leaf1.ecx & (1 << 21) == 0 || leaf1.ecx & (1 << 24) == 0 {
        return false;
    }
    // SAFETY: x2APIC is present (checked); these are its architectural MSRs.
    unsafe {
        let mut base = Msr::new(IA32_APIC_BASE);
        base.write(base.read() | (1 << 11) | (1 << 10));
        Msr::new(X2APIC_SPURIOUS).write(0x100 | u64::from(SPURIOUS_VECTOR));
        Msr::new(X2APIC_LVT_TIMER).write(u64::from(TIMER_VECTOR) | (0b10 << 17));
        Msr::new(IA32_TSC_DEADLINE).write(0);
        PRESENT = true;
    }
    true
}

pub fn present() -> bool {
    // SAFETY: written once at boot.
    unsafe { PRESENT }
}

/// Fires the timer interrupt when the TSC reaches `deadline` (0 disarms).
pub fn arm(deadline: u64) {
    if present() {
        // SAFETY: TSC-deadline mode is on (init).
        unsafe { Msr::new(IA32_TSC_DEADLINE).write(deadline) };
    }
}

pub fn eoi() {
    if present() {
        // SAFETY: x2APIC EOI register.
        unsafe { Msr::new(X2APIC_EOI).write(0) };
    }
}
