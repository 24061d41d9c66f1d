//! Clocks from the TSC, whose frequency the VMM measured (KVM_GET_TSC_KHZ)
//! and passed in the boot info with a realtime anchor.

use spin::Once;

use crate::arch::rdtsc;

struct Clock {
    tsc_khz: u64,
    tsc_at_boot: u64,
    realtime_ns: u64,
    tsc_at_realtime: u64,
}

static CLOCK: Once<Clock> = Once::new();

pub fn init(info: &abi::boot::BootInfo) {
    let tsc_khz = if info.tsc_khz == 0 {
        crate::klog!("the host gave no TSC frequency; assuming 1 GHz, clocks will be off");
        1_000_000
    } else {
        info.tsc_khz
    };
    let now = rdtsc();
    let (realtime_ns, tsc_at_realtime) = if info.tsc_at_realtime != 0 {
        (info.realtime_ns, info.tsc_at_realtime)
    } else {
        (0, now)
    };
    CLOCK.call_once(|| Clock {
        tsc_khz,
        tsc_at_boot: now,
        realtime_ns,
        tsc_at_realtime,
    });
}

fn clock() -> &'static Clock {
    CLOCK.get().expect("time used before init")
}

/// Nanoseconds for a TSC delta (delta may be "negative" for a realtime
/// anchor taken after a read; saturates at 0).
fn ns(delta: u64) -> u64 {
    (u128::from(delta) * 1_000_000 / u128::from(clock().tsc_khz)) as u64
}

/// Nanoseconds since boot (CLOCK_MONOTONIC, CLOCK_BOOTTIME).
pub fn monotonic_ns() -> u64 {
    ns(rdtsc().saturating_sub(clock().tsc_at_boot))
}

/// Nanoseconds since the Unix epoch (CLOCK_REALTIME).
pub fn realtime_ns() -> u64 {
    let c = clock();
    let now = rdtsc();
    if now >= c.tsc_at_realtime {
        c.realtime_ns + ns(now - c.tsc_at_realtime)
    } else {
        c.realtime_ns.saturating_sub(ns(c.tsc_at_realtime - now))
    }
}

pub fn tsc_khz() -> u64 {
    clock().tsc_khz
}
