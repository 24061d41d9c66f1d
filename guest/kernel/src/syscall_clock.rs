//! The times of the system call a task is in, for the syscall stop reports
//! (`abi::hypercall::SyscallExit`): the TSC when the call was taken and the
//! cycles the task has spent switched out since, so the host can tell a
//! call's time on the CPU (`strace -c`) from its latency (`strace -w`,
//! `-T`) in the guest's own time.
//!
//! Kept only when the host asked for syscall reports with times
//! (`BOOT_FLAG_SYSCALL_TIMES`; the flags do not change after boot): a TSC
//! read costs microseconds in this emulated kernel, so reports without
//! times (`--check`, hooks, a plain trace) and runs without reports pay one
//! predictable branch per hook and no read. With times: one read at entry,
//! one at the report, one per context switch (shared by the task leaving
//! and the one resuming) and two around an idle wait.
//!
//! Only the task itself and the scheduler switching it touch a task's
//! clock; `LAST_SWITCH` is written only by `schedule` right before a
//! switch. One CPU, interrupts off in the kernel: no lock is needed (with
//! more CPUs `LAST_SWITCH` becomes per-CPU).

use core::sync::atomic::{AtomicU64, Ordering};

use crate::arch::rdtsc;
use crate::task::{current, Task};

/// TSC at the last context switch: when the task that runs now got the
/// CPU.
static LAST_SWITCH: AtomicU64 = AtomicU64::new(0);

/// One task's clock (`Task::syscall_clock`).
#[derive(Clone, Copy, Debug, Default)]
pub struct SyscallClock {
    /// TSC when the task entered its current (or last) system call.
    pub entry_tsc: u64,
    /// Cycles the task was switched out since `entry_tsc`. Preemption in
    /// user mode adds here too; the next entry starts again from 0.
    pub off_cpu: u64,
}

/// Whether the clocks run: the host asked for reports with times.
#[inline(always)]
fn on() -> bool {
    crate::hypercall::syscall_reports() & crate::hypercall::REPORTS_TIMES != 0
}

/// At the entry of a system call, before it is reported or served (only
/// while the clocks run; the syscall path has tested that already).
#[inline(always)]
pub fn enter() {
    current().syscall_clock = SyscallClock {
        entry_tsc: rdtsc(),
        off_cpu: 0,
    };
}

/// The times of `t`'s call for its report (only while the clocks run):
/// entry TSC, exit TSC (now), off-CPU cycles. A call that does not return
/// is reported at its entry: no time has passed yet.
#[inline(always)]
pub fn report(t: &Task, returns: bool) -> (u64, u64, u64) {
    let c = t.syscall_clock;
    if returns {
        (c.entry_tsc, rdtsc(), c.off_cpu)
    } else {
        (c.entry_tsc, c.entry_tsc, 0)
    }
}

/// The current task is about to be switched out, now: the TSC to hand to
/// [`switched_in`] when it runs again (`None` while the clocks are off),
/// also the moment the next task gets the CPU.
#[inline(always)]
pub fn switch_out() -> Option<u64> {
    if !on() {
        return None;
    }
    let now = rdtsc();
    LAST_SWITCH.store(now, Ordering::Relaxed);
    Some(now)
}

/// `t` runs again, resumed by a context switch, after it stopped running
/// at `since` (from [`switch_out`] or [`idle_from`]).
#[inline(always)]
pub fn switched_in(t: &mut Task, since: Option<u64>) {
    if let Some(since) = since {
        let back = LAST_SWITCH.load(Ordering::Relaxed);
        add_off_cpu(t, back.wrapping_sub(since));
    }
}

/// The current task waits with the CPU idle from now: the TSC to hand to
/// [`idle_done`] or, if another task runs first, to [`switched_in`].
#[inline(always)]
pub fn idle_from() -> Option<u64> {
    on().then(rdtsc)
}

/// `t` runs again, without a switch, after idling since `since`.
#[inline(always)]
pub fn idle_done(t: &mut Task, since: Option<u64>) {
    if let Some(since) = since {
        add_off_cpu(t, rdtsc().wrapping_sub(since));
    }
}

fn add_off_cpu(t: &mut Task, cycles: u64) {
    let c = &mut t.syscall_clock;
    c.off_cpu = c.off_cpu.wrapping_add(cycles);
}
