//! Time-driven scheduling: sleeping tasks (nanosleep, futex and signal
//! wait timeouts), process timers (`signal::itimer`) and preemption. The
//! timer is armed only when something needs it — a deadline or a second
//! runnable task — so a lone task runs with no interrupt at all (every
//! interrupt is a VM exit's worth of work here). Preemption comes
//! `SLICE_US` after the running task's slice began (`sched::slice_start`),
//! however often the timer is re-armed in between.

use crate::arch::{lapic, rdtsc};
use crate::sched;
use crate::task::{current, kernel, State, WaitOn};

/// How long a task runs before another runnable one gets the CPU.
pub const SLICE_US: u64 = 10_000;

fn us_to_tsc(us: u64) -> u64 {
    ns_to_tsc(us.saturating_mul(1000))
}

/// TSC cycles in `ns` (saturating: add it to a TSC with `saturating_add`,
/// and a timeout too long to count is a deadline of u64::MAX, never
/// reached).
pub fn ns_to_tsc(ns: u64) -> u64 {
    crate::time::tsc_clock().cycles(ns)
}

/// Brings up the local APIC's timer and says in the kernel log when it is
/// not the fast mode (x2APIC with TSC deadline), which costs more per
/// interrupt, or when there is none at all.
pub fn start(mem_size: u64) {
    use abi::hypercall::timer::describe;
    match lapic::init(mem_size) {
        Ok(()) => {
            let bits = lapic::mode_bits();
            let fast = abi::hypercall::timer::X2APIC | abi::hypercall::timer::TSC_DEADLINE;
            if bits & fast != fast {
                let khz = lapic::apic_timer_khz();
                if khz != 0 {
                    crate::klog!(
                        "timer: {} (APIC timer calibrated at {khz} kHz): the vCPU offers no better",
                        describe(bits)
                    );
                } else {
                    crate::klog!("timer: {}: the vCPU offers no better", describe(bits));
                }
            }
        }
        Err(why) => crate::klog!("timer: none ({why}): no preemption, timed waits never time out"),
    }
}

/// Arms the timer for the earliest thing that needs it, or disarms it.
pub fn rearm() {
    let now = rdtsc();
    let k = kernel();
    let mut next = k.sleepers.first().map_or(u64::MAX, |s| s.0);
    next = next.min(k.timers.first().map_or(u64::MAX, |t| t.0));
    // Preemption is for a task on the CPU. While the CPU idles (the current
    // task blocked, a woken one queued) there is nothing to preempt, and a
    // slice that ended long ago would arm the timer for now from inside its
    // own interrupt: the return to the idle loop, interrupts on, would take
    // it again before the loop runs, for ever.
    if !crate::sched::runqueue_empty() && current().state == State::Running {
        let slice_end = crate::sched::slice_start().saturating_add(us_to_tsc(SLICE_US));
        next = next.min(slice_end.max(now));
    }
    lapic::arm(if next == u64::MAX { 0 } else { next.max(1) });
}

/// Wakes the sleepers whose time has come.
pub fn wake_expired() {
    let now = rdtsc();
    while let Some(&(deadline, pid)) = kernel().sleepers.first() {
        if deadline > now {
            break;
        }
        kernel().sleepers.pop_first();
        let Some(t) = crate::task::task(pid) else {
            continue;
        };
        match t.wait {
            WaitOn::Sleep(d) if d == deadline => sched::wake(pid),
            WaitOn::Futex(_, _, d) | WaitOn::Signal(d) | WaitOn::Poll(d) if d == deadline => {
                t.timed_out = true;
                sched::wake(pid);
            }
            _ => {}
        }
    }
    crate::signal::itimer::expire();
}

/// Whether anything will make the timer fire: a sleeper or a process
/// timer (which may send the signal a blocked task waits for).
pub fn anything_armed() -> bool {
    let k = kernel();
    !k.sleepers.is_empty() || !k.timers.is_empty()
}

/// The timer interrupt. From user mode it may preempt the current task.
pub fn interrupt(from_user: bool) {
    lapic::eoi();
    wake_expired();
    if from_user && !crate::sched::runqueue_empty() && current().state == State::Running {
        sched::yield_now();
    }
    rearm();
}

/// Blocks the current task until the TSC reaches `deadline`. Returns
/// false if a signal interrupted the sleep first.
pub fn sleep_until(deadline: u64) -> bool {
    if deadline <= rdtsc() {
        return true;
    }
    let pid = current().pid;
    kernel().sleepers.insert((deadline, pid));
    rearm();
    let woken = sched::block(WaitOn::Sleep(deadline));
    kernel().sleepers.remove(&(deadline, pid));
    woken
}
