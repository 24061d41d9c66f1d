//! Clocks from the TSC, whose frequency the VMM measured (KVM_GET_TSC_KHZ)
//! and passed in the boot info with a realtime anchor. The conversion is
//! `abi::clock`'s, the one the host's `--strace` timestamps use; what is
//! the kernel's own is the origin of CLOCK_MONOTONIC, the TSC when this
//! module started.

use abi::clock::TscClock;
use spin::Once;

use crate::arch::rdtsc;

struct Clock {
    tsc: TscClock,
    tsc_at_boot: u64,
}

static CLOCK: Once<Clock> = Once::new();

pub fn init(info: &abi::boot::BootInfo) {
    if info.tsc_khz == 0 {
        crate::klog!("the host gave no TSC frequency; assuming 1 GHz, clocks will be off");
    }
    CLOCK.call_once(|| Clock {
        tsc: info.clock(),
        tsc_at_boot: rdtsc(),
    });
}

fn clock() -> &'static Clock {
    CLOCK.get().expect("time used before init")
}

/// Nanoseconds since boot (CLOCK_MONOTONIC, CLOCK_BOOTTIME).
pub fn monotonic_ns() -> u64 {
    let c = clock();
    c.tsc.elapsed_ns(c.tsc_at_boot, rdtsc())
}

/// Nanoseconds since the Unix epoch (CLOCK_REALTIME).
pub fn realtime_ns() -> u64 {
    clock().tsc.realtime_ns(rdtsc())
}

/// The TSC conversions, for deadlines.
pub fn tsc_clock() -> TscClock {
    clock().tsc
}

pub fn tsc_khz() -> u64 {
    clock().tsc.tsc_khz()
}
