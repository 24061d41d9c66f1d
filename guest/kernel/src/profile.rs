//! The clone profiler (`clone-profile` kernel option): cycle counters per
//! `kernel_clone` phase in `abi::stats::CloneProfile`, a record the host
//! reads from guest memory after the run (`vmm bench`). Off, each mark is
//! one predictable branch and no TSC read. Counting adds no VM exit: the
//! host reads the record only after the guest has stopped.

use core::cell::UnsafeCell;
use core::sync::atomic::{AtomicBool, Ordering};

use abi::stats::{phase, CloneProfile};

use crate::arch::rdtsc;

static ON: AtomicBool = AtomicBool::new(false);

struct Cell(UnsafeCell<CloneProfile>);
// SAFETY: one CPU, interrupts off in the kernel.
unsafe impl Sync for Cell {}

#[used]
#[export_name = "clone_profile"]
static PROFILE: Cell = Cell(UnsafeCell::new(CloneProfile {
    enabled: 0,
    tsc_khz: 0,
    calls: 0,
    total_cycles: 0,
    phase_cycles: [0; 16],
    first_schedule_cycles: 0,
    first_schedules: 0,
    kstack_hits: 0,
    kstack_misses: 0,
}));

fn profile() -> &'static mut CloneProfile {
    // SAFETY: see Cell.
    unsafe { &mut *PROFILE.0.get() }
}

pub fn enable() {
    ON.store(true, Ordering::Relaxed);
    let p = profile();
    p.enabled = 1;
    p.tsc_khz = crate::time::tsc_khz();
}

#[inline(always)]
pub fn on() -> bool {
    ON.load(Ordering::Relaxed)
}

/// One kernel_clone in progress: phase times are kept here and added to the
/// record only if the call succeeds.
pub struct CloneTimer {
    start: u64,
    last: u64,
    phases: [u64; phase::COUNT],
    kstack: (u64, u64),
}

impl CloneTimer {
    #[inline(always)]
    pub fn start() -> Option<CloneTimer> {
        if !on() {
            return None;
        }
        let now = rdtsc();
        let k = &crate::task::kernel().kstacks;
        Some(CloneTimer {
            start: now,
            last: now,
            phases: [0; phase::COUNT],
            kstack: (k.hits, k.misses),
        })
    }

    /// The phase `which` ends now.
    #[inline(always)]
    pub fn mark(t: &mut Option<CloneTimer>, which: usize) {
        if let Some(t) = t {
            let now = rdtsc();
            t.phases[which] += now - t.last;
            t.last = now;
        }
    }

    /// The call succeeded: add it up.
    pub fn commit(t: Option<CloneTimer>) {
        let Some(t) = t else { return };
        let p = profile();
        p.calls += 1;
        p.total_cycles += t.last - t.start;
        for (sum, c) in p.phase_cycles.iter_mut().zip(t.phases) {
            *sum += c;
        }
        let k = &crate::task::kernel().kstacks;
        p.kstack_hits += k.hits - t.kstack.0;
        p.kstack_misses += k.misses - t.kstack.1;
    }
}

/// A new task's first run on the CPU, `woken` ticks after it was woken.
pub fn first_schedule(woken: u64) {
    if on() && woken != 0 {
        let p = profile();
        p.first_schedule_cycles += rdtsc() - woken;
        p.first_schedules += 1;
    }
}
