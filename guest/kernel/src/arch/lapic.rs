//! The local APIC and its timer, in whatever form the vCPU offers them.
//!
//! Registers are reached through the x2APIC MSRs when CPUID says x2APIC
//! (no page to map, and each access is one MSR write KVM handles in the
//! kernel), else through the xAPIC's memory-mapped page. The timer takes
//! its deadlines in TSC ticks, the unit the clocks use: written straight to
//! IA32_TSC_DEADLINE when the vCPU has the TSC-deadline timer, else turned
//! into a count for the APIC timer's one-shot mode at a rate calibrated
//! against the TSC at boot. The VMM's split irqchip keeps the LAPIC inside
//! KVM, so arming, firing and EOI cost no exit to the VMM in any mode.
//!
//! [`init`] runs once on the boot CPU before anything arms the timer; the
//! chosen mode never changes afterwards, so it needs no lock.

use abi::hypercall::timer as mode;
use spin::Once;
use x86_64::registers::model_specific::Msr;

use super::rdtsc;

const IA32_APIC_BASE: u32 = 0x1b;
const IA32_TSC_DEADLINE: u32 = 0x6e0;
/// IA32_APIC_BASE: the APIC is enabled; x2APIC mode; the page's address.
const APIC_BASE_ENABLE: u64 = 1 << 11;
const APIC_BASE_X2APIC: u64 = 1 << 10;
const APIC_BASE_ADDR: u64 = 0x000f_ffff_ffff_f000;

/// Register offsets in the xAPIC page; the x2APIC MSR of each is
/// `0x800 + offset / 16`.
const REG_EOI: u32 = 0xb0;
const REG_SPURIOUS: u32 = 0xf0;
const REG_LVT_TIMER: u32 = 0x320;
const REG_TIMER_INITIAL: u32 = 0x380;
const REG_TIMER_CURRENT: u32 = 0x390;
const REG_TIMER_DIVIDE: u32 = 0x3e0;

/// Spurious-vector register: APIC software enable.
const SPURIOUS_ENABLE: u32 = 1 << 8;
/// LVT timer: masked; TSC-deadline mode (one-shot is mode 0).
const LVT_MASKED: u32 = 1 << 16;
const LVT_TSC_DEADLINE: u32 = 0b10 << 17;
/// Divide configuration: count at the full timer rate (divide by 1).
const DIVIDE_BY_1: u32 = 0b1011;

/// Interrupt vectors (inside the IDT's 48 gates).
pub const TIMER_VECTOR: u8 = 32;
pub const SPURIOUS_VECTOR: u8 = 47;

/// TSC cycles of the one-shot calibration: long enough that the few
/// hundred cycles around the two reads are noise below 0.1%, short enough
/// not to slow boot where each instruction is emulated.
const CALIBRATION_MS: u64 = 2;
/// The plausible APIC timer rates: 1 MHz to 100 GHz.
const MIN_APIC_TIMER_KHZ: u32 = 1_000;
const MAX_APIC_TIMER_KHZ: u32 = 100_000_000;

#[derive(Clone, Copy)]
enum Access {
    X2apic,
    /// The register page mapped at this kernel address.
    Xapic(u64),
}

#[derive(Clone, Copy)]
enum Timer {
    TscDeadline,
    /// APIC timer counts per TSC cycle, in 32.32 fixed point, and the same
    /// rate in kHz (for the report).
    OneShot {
        per_tsc: u64,
        khz: u32,
    },
}

struct Lapic {
    access: Access,
    timer: Timer,
}

static LAPIC: Once<Lapic> = Once::new();

impl Access {
    fn write(self, reg: u32, value: u32) {
        match self {
            // SAFETY: x2APIC mode is on (init); `reg` is one of the
            // registers above, whose MSR form exists.
            Access::X2apic => unsafe { Msr::new(0x800 + reg / 16).write(u64::from(value)) },
            // SAFETY: `base` maps the APIC page uncached (init); registers
            // are 32-bit at 16-byte-aligned offsets inside it.
            Access::Xapic(base) => unsafe {
                core::ptr::write_volatile((base + u64::from(reg)) as *mut u32, value)
            },
        }
    }

    fn read(self, reg: u32) -> u32 {
        match self {
            // SAFETY: as in `write`.
            Access::X2apic => unsafe { Msr::new(0x800 + reg / 16).read() as u32 },
            // SAFETY: as in `write`.
            Access::Xapic(base) => unsafe {
                core::ptr::read_volatile((base + u64::from(reg)) as *const u32)
            },
        }
    }
}

/// Why the kernel has no timer.
pub enum NoTimer {
    /// CPUID.1:EDX[9] is clear.
    NoApic,
    /// The xAPIC page could not be mapped: no memory for a page table, or
    /// no physical address after RAM below MAXPHYADDR to move it to.
    CannotMap,
    /// The APIC timer did not count during calibration.
    Stopped,
}

impl core::fmt::Display for NoTimer {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            NoTimer::NoApic => "the vCPU has no local APIC",
            NoTimer::CannotMap => {
                "the xAPIC page cannot be mapped (no memory for a page table, or no \
                 physical address past RAM)"
            }
            NoTimer::Stopped => "the APIC timer did not count",
        })
    }
}

/// Enables the local APIC and its timer in the best mode the vCPU offers
/// (x2APIC over xAPIC, TSC deadline over one-shot). `mem_size` is the
/// guest's RAM, which the xAPIC page must not lie in.
pub fn init(mem_size: u64) -> Result<(), NoTimer> {
    let leaf1 = core::arch::x86_64::__cpuid(1);
    if leaf1.edx & (1 << 9) == 0 {
        return Err(NoTimer::NoApic);
    }
    let x2apic = leaf1.ecx & (1 << 21) != 0;
    let tsc_deadline = leaf1.ecx & (1 << 24) != 0;
    let mut base = Msr::new(IA32_APIC_BASE);
    // SAFETY: IA32_APIC_BASE exists on every CPU with an APIC (checked).
    let old = unsafe { base.read() };
    let access = if x2apic {
        // SAFETY: x2APIC is offered (checked); enabling it keeps the base.
        unsafe { base.write(old | APIC_BASE_ENABLE | APIC_BASE_X2APIC) };
        Access::X2apic
    } else {
        let phys = abi::layout::xapic_phys(mem_size);
        // A base at or above MAXPHYADDR is a #GP on the MSR write.
        let phys_bits = core::arch::x86_64::__cpuid(0x8000_0008).eax & 0xff;
        if phys_bits < 64 && phys + abi::layout::PAGE_SIZE > 1 << phys_bits {
            return Err(NoTimer::CannotMap);
        }
        if old & APIC_BASE_ADDR != phys {
            // SAFETY: moves the APIC page to an address no RAM backs; the
            // APIC is not in use yet.
            unsafe { base.write((old & !APIC_BASE_ADDR) | phys | APIC_BASE_ENABLE) };
        } else if old & APIC_BASE_ENABLE == 0 {
            // SAFETY: as above.
            unsafe { base.write(old | APIC_BASE_ENABLE) };
        }
        let virt = abi::layout::XAPIC_VIRT;
        crate::mm::paging::map_kernel_mmio(virt, phys).ok_or(NoTimer::CannotMap)?;
        Access::Xapic(virt)
    };
    access.write(REG_SPURIOUS, SPURIOUS_ENABLE | u32::from(SPURIOUS_VECTOR));
    let timer = if tsc_deadline {
        access.write(REG_LVT_TIMER, u32::from(TIMER_VECTOR) | LVT_TSC_DEADLINE);
        // SAFETY: TSC-deadline mode is selected; 0 disarms.
        unsafe { Msr::new(IA32_TSC_DEADLINE).write(0) };
        Timer::TscDeadline
    } else {
        let timer = calibrate(access).ok_or(NoTimer::Stopped)?;
        access.write(REG_LVT_TIMER, u32::from(TIMER_VECTOR));
        timer
    };
    LAPIC.call_once(|| Lapic { access, timer });
    Ok(())
}

/// Measures the APIC timer's rate against the TSC with the timer masked;
/// `None` if it did not count or the rate is not plausible.
fn calibrate(access: Access) -> Option<Timer> {
    access.write(REG_LVT_TIMER, LVT_MASKED | u32::from(TIMER_VECTOR));
    access.write(REG_TIMER_DIVIDE, DIVIDE_BY_1);
    let window = crate::timer::ns_to_tsc(CALIBRATION_MS * 1_000_000).max(1);
    // The counter starts somewhere inside the write and is sampled
    // somewhere inside the read, each an exit to the hypervisor that can
    // take microseconds: the midpoints of TSC readings around them bound
    // the error by half of each.
    let before = rdtsc();
    access.write(REG_TIMER_INITIAL, u32::MAX);
    let start = midpoint(before, rdtsc());
    while rdtsc().wrapping_sub(start) < window {
        core::hint::spin_loop();
    }
    let before = rdtsc();
    let current = access.read(REG_TIMER_CURRENT);
    let end = midpoint(before, rdtsc());
    let cycles = end.wrapping_sub(start).max(1);
    access.write(REG_TIMER_INITIAL, 0);
    // A counter still at its start did not run; one at 0 ran out or is not
    // a counter (a page that reads 0). Either way there is no usable rate.
    if current == 0 || current == u32::MAX {
        return None;
    }
    let counted = u32::MAX - current;
    let per_tsc = u64::try_from((u128::from(counted) << 32) / u128::from(cycles)).ok()?;
    // Every APIC timer runs between these (KVM's at 1 GHz by default): a
    // rate outside them is a misread, and a timer at it would wake sleepers
    // orders of magnitude off.
    let khz = (u128::from(per_tsc) * u128::from(crate::time::tsc_khz())) >> 32;
    let khz = u32::try_from(khz)
        .ok()
        .filter(|k| (MIN_APIC_TIMER_KHZ..=MAX_APIC_TIMER_KHZ).contains(k))?;
    Some(Timer::OneShot { per_tsc, khz })
}

fn midpoint(a: u64, b: u64) -> u64 {
    a + b.wrapping_sub(a) / 2
}

pub fn present() -> bool {
    LAPIC.get().is_some()
}

/// [`abi::hypercall::timer`] bits of the mode in use (0: no timer).
pub fn mode_bits() -> u32 {
    let Some(l) = LAPIC.get() else {
        return 0;
    };
    let mut bits = mode::PRESENT;
    if let Access::X2apic = l.access {
        bits |= mode::X2APIC;
    }
    if let Timer::TscDeadline = l.timer {
        bits |= mode::TSC_DEADLINE;
    }
    bits
}

/// The one-shot timer's calibrated rate in kHz, 0 in TSC-deadline mode.
pub fn apic_timer_khz() -> u32 {
    match LAPIC.get().map(|l| l.timer) {
        Some(Timer::OneShot { khz, .. }) => khz,
        _ => 0,
    }
}

/// Fires the timer interrupt when the TSC reaches `deadline` (0 disarms).
///
/// In one-shot mode a deadline further away than the 32-bit counter
/// reaches fires early; the handler finds nothing due and arms again, so
/// only the wait's last stretch decides when it ends.
pub fn arm(deadline: u64) {
    let Some(l) = LAPIC.get() else {
        return;
    };
    match l.timer {
        // SAFETY: TSC-deadline mode is on (init).
        Timer::TscDeadline => unsafe { Msr::new(IA32_TSC_DEADLINE).write(deadline) },
        Timer::OneShot { per_tsc, .. } => {
            let count = if deadline == 0 {
                0
            } else {
                let cycles = deadline.saturating_sub(rdtsc());
                let ticks = (u128::from(cycles) * u128::from(per_tsc)) >> 32;
                u32::try_from(ticks).unwrap_or(u32::MAX).max(1)
            };
            l.access.write(REG_TIMER_INITIAL, count);
        }
    }
}

pub fn eoi() {
    if let Some(l) = LAPIC.get() {
        l.access.write(REG_EOI, 0);
    }
}
