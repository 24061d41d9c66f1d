//! Timers that send signals: the process's ITIMER_REAL (setitimer, alarm:
//! SIGALRM to the process, si_code SI_KERNEL) and POSIX timers
//! (timer_create: SIGEV_SIGNAL to the process, SIGEV_THREAD_ID to one of
//! its threads, SIGEV_NONE to nobody; si_code SI_TIMER with the timer's id,
//! value and overrun count).
//!
//! A process's timers live in its `Signal` (`Timers`): threads share them,
//! fork does not copy them, and they end with the group. Armed ones are
//! also in the kernel's `timers` set by TSC deadline, which the timer
//! interrupt drains (`expire`) and `timer::rearm` looks at; an entry whose
//! timer was re-armed, disarmed or deleted since no longer matches and is
//! skipped.
//!
//! A POSIX timer has one signal in flight at most: expiries while it is
//! still queued count as overruns, reported in that signal's si_overrun
//! when it is taken and by timer_getoverrun afterwards, as on Linux.

use alloc::vec::Vec;

use abi::linux::signal::{SIGALRM, SIGEV_NONE, SIGEV_SIGNAL, SIGEV_THREAD, SIGEV_THREAD_ID};
use abi::linux::uapi::Siginfo;

use crate::arch::rdtsc;
use crate::errno::*;
use crate::krc::KRc;
use crate::task::{kernel, task, Pid, Signal};

/// Most POSIX timers one process may have (Linux bounds them by
/// RLIMIT_SIGPENDING; beyond it timer_create is EAGAIN).
pub const MAX_POSIX_TIMERS: usize = 256;

/// The id the kernel's `timers` set uses for ITIMER_REAL (POSIX timer ids
/// start at 0).
pub const ITIMER_REAL_ID: i32 = -1;

/// When a timer next fires and how it reloads.
#[derive(Clone, Copy, Default, PartialEq, Eq)]
pub struct Arm {
    /// TSC deadline; 0 while disarmed.
    pub deadline: u64,
    /// Reload period in nanoseconds; 0 for a one-shot timer.
    pub interval_ns: u64,
}

#[derive(Clone, Copy)]
pub struct PosixTimer {
    pub id: i32,
    /// The clock it was created on (absolute times are on it).
    pub clock: u64,
    /// `SIGEV_*` as given (SIGEV_THREAD counts as SIGEV_SIGNAL here: the C
    /// library makes the thread).
    pub notify: u32,
    pub signo: u64,
    pub value: u64,
    /// SIGEV_THREAD_ID's thread, else the process (its tgid).
    pub target: Pid,
    pub arm: Arm,
    /// Expiries not delivered because the last signal was still queued.
    pub overrun: i32,
    /// `overrun` as it was when the last signal was taken.
    pub overrun_last: i32,
    pub queued: bool,
}

/// A process's timers (in its `Signal`).
#[derive(Default)]
pub struct Timers {
    pub real: Arm,
    pub posix: Vec<PosixTimer>,
    next_id: i32,
}

/// Nanoseconds of TSC cycles from now to `deadline` (0 once passed).
pub fn remaining_ns(deadline: u64) -> u64 {
    if deadline == 0 {
        return 0;
    }
    let now = rdtsc();
    if deadline <= now {
        return 0;
    }
    crate::time::tsc_clock().ns(deadline - now)
}

fn deadline_in(ns: u64) -> u64 {
    rdtsc().saturating_add(crate::timer::ns_to_tsc(ns)).max(1)
}

/// Arms (or with `value_ns` 0 disarms) timer `id` of process `tgid`.
fn program(tgid: Pid, id: i32, arm: &mut Arm, value_ns: u64, interval_ns: u64) {
    let k = kernel();
    if arm.deadline != 0 {
        k.timers.remove(&(arm.deadline, tgid, id));
    }
    *arm = Arm {
        deadline: if value_ns == 0 {
            0
        } else {
            deadline_in(value_ns)
        },
        interval_ns,
    };
    if arm.deadline != 0 {
        k.timers.insert((arm.deadline, tgid, id));
    }
    crate::timer::rearm();
}

/// ITIMER_REAL of the current process: the old (remaining, interval) in
/// nanoseconds, after setting the new one if given.
pub fn set_real(new: Option<(u64, u64)>) -> (u64, u64) {
    let t = crate::task::current();
    let tgid = t.tgid;
    let signal = t.signal.clone();
    let mut s = signal.borrow_mut();
    let old = (
        remaining_ns(s.timers.real.deadline),
        s.timers.real.interval_ns,
    );
    if let Some((value, interval)) = new {
        program(tgid, ITIMER_REAL_ID, &mut s.timers.real, value, interval);
    }
    old
}

/// The C library's SIGEV_* request, checked as Linux's good_sigevent.
pub struct Sigevent {
    pub notify: u32,
    pub signo: u64,
    pub value: u64,
    pub tid: Pid,
}

/// timer_create's work: a new timer of the current process on `clock`,
/// disarmed. Without a sigevent: SIGALRM to the process, with the timer's
/// id as the value.
pub fn create(clock: u64, ev: Option<Sigevent>) -> KResult<i32> {
    let t = crate::task::current();
    let tgid = t.tgid;
    let default = ev.is_none();
    let ev = ev.unwrap_or(Sigevent {
        notify: SIGEV_SIGNAL as u32,
        signo: SIGALRM,
        value: 0,
        tid: 0,
    });
    let target = match ev.notify {
        n if n == SIGEV_SIGNAL as u32 | SIGEV_THREAD_ID as u32 => match task(ev.tid) {
            Some(th) if th.tgid == tgid => ev.tid,
            _ => return Err(EINVAL),
        },
        n if n == SIGEV_SIGNAL as u32 || n == SIGEV_THREAD as u32 || n == SIGEV_NONE as u32 => tgid,
        _ => return Err(EINVAL),
    };
    if ev.notify != SIGEV_NONE as u32 && !super::valid(ev.signo) {
        return Err(EINVAL);
    }
    let signal = t.signal.clone();
    let mut s = signal.borrow_mut();
    let timers = &mut s.timers;
    if timers.posix.len() >= MAX_POSIX_TIMERS || timers.posix.try_reserve(1).is_err() {
        return Err(EAGAIN);
    }
    // Ids count up, as Linux's, skipping any still in use after a wrap.
    let mut id = timers.next_id;
    while timers.posix.iter().any(|p| p.id == id) {
        id = id.checked_add(1).unwrap_or(0);
    }
    timers.next_id = id.checked_add(1).unwrap_or(0);
    timers.posix.push(PosixTimer {
        id,
        clock,
        notify: ev.notify,
        signo: ev.signo,
        value: if default { id as u64 } else { ev.value },
        target,
        arm: Arm::default(),
        overrun: 0,
        overrun_last: 0,
        queued: false,
    });
    Ok(id)
}

/// Runs `f` on the current process's timer `id` (EINVAL if none).
pub fn with_timer<R>(id: i32, f: impl FnOnce(Pid, &mut PosixTimer) -> R) -> KResult<R> {
    let t = crate::task::current();
    let tgid = t.tgid;
    let signal = t.signal.clone();
    let mut s = signal.borrow_mut();
    let p = s
        .timers
        .posix
        .iter_mut()
        .find(|p| p.id == id)
        .ok_or(EINVAL)?;
    Ok(f(tgid, p))
}

/// The remaining time and interval of an armed timer (SIGEV_NONE timers
/// run on without firing: their remaining time wraps by the interval).
pub fn current_value(arm: &Arm) -> (u64, u64) {
    if arm.deadline == 0 {
        return (0, arm.interval_ns);
    }
    let left = remaining_ns(arm.deadline);
    if left == 0 && arm.interval_ns != 0 {
        let over = crate::time::tsc_clock().ns(rdtsc().saturating_sub(arm.deadline));
        return (arm.interval_ns - over % arm.interval_ns, arm.interval_ns);
    }
    (left, arm.interval_ns)
}

/// timer_settime's work: returns the old value.
pub fn settime(id: i32, value_ns: u64, interval_ns: u64) -> KResult<(u64, u64)> {
    with_timer(id, |tgid, p| {
        let old = current_value(&p.arm);
        program(tgid, id, &mut p.arm, value_ns, interval_ns);
        old
    })
}

/// timer_delete's work: the timer goes, and so does its queued signal.
pub fn delete(id: i32) -> KResult<()> {
    let t = crate::task::current();
    let tgid = t.tgid;
    let signal = t.signal.clone();
    let removed = {
        let mut s = signal.borrow_mut();
        let i = s
            .timers
            .posix
            .iter()
            .position(|p| p.id == id)
            .ok_or(EINVAL)?;
        s.timers.posix.remove(i)
    };
    if removed.arm.deadline != 0 {
        kernel().timers.remove(&(removed.arm.deadline, tgid, id));
    }
    if removed.queued {
        unqueue(&signal, id, removed.target);
    }
    Ok(())
}

/// Removes timer `id`'s queued signal from the group's queue or its target
/// thread's.
fn unqueue(signal: &KRc<Signal>, id: i32, target: Pid) {
    let mut s = signal.borrow_mut();
    let mine = |q: &super::SigQueue| q.timer == Some(id);
    let mut removed = 0;
    let mut purge = |queue: &mut Vec<super::SigQueue>, set: &mut u64| {
        if let Some(i) = queue.iter().position(mine) {
            let sig = queue[i].info.si_signo as u64;
            queue.remove(i);
            removed += 1;
            if !queue.iter().any(|q| q.info.si_signo as u64 == sig) {
                *set &= !abi::linux::signal::sigmask(sig);
            }
        }
    };
    let Signal {
        shared_queue,
        shared_pending,
        ..
    } = &mut *s;
    purge(shared_queue, shared_pending);
    if let Some(th) = task(target) {
        purge(&mut th.sigqueue, &mut th.pending);
    }
    s.queued = s.queued.saturating_sub(removed);
}

/// A timer's signal was taken: it carries the overruns counted so far.
pub fn dequeued(signal: &KRc<Signal>, id: i32, info: &mut Siginfo) {
    let mut s = signal.borrow_mut();
    if let Some(p) = s.timers.posix.iter_mut().find(|p| p.id == id) {
        p.overrun_last = p.overrun;
        p.overrun = 0;
        p.queued = false;
        *info = Siginfo::timer(p.signo, id, p.overrun_last, p.value);
    }
}

/// The next deadline after `deadline` for a timer reloading every
/// `interval_ns`, past now, and the periods skipped to get there.
fn forward(deadline: u64, interval_ns: u64) -> (u64, u64) {
    let period = crate::timer::ns_to_tsc(interval_ns).max(1);
    let now = rdtsc();
    let periods = if now >= deadline {
        (now - deadline) / period + 1
    } else {
        1
    };
    (
        deadline.saturating_add(periods.saturating_mul(period)),
        periods - 1,
    )
}

/// Fires every timer whose deadline has passed (from the timer interrupt
/// and the idle loop).
pub fn expire() {
    let now = rdtsc();
    while let Some(&(deadline, tgid, id)) = kernel().timers.first() {
        if deadline > now {
            break;
        }
        kernel().timers.pop_first();
        let Some(leader) = task(tgid) else { continue };
        let signal = leader.signal.clone();
        if signal.borrow().nr_threads == 0 {
            continue;
        }
        if id == ITIMER_REAL_ID {
            fire_real(&signal, tgid, deadline);
        } else {
            fire_posix(&signal, tgid, id, deadline);
        }
    }
}

fn reload(arm: &mut Arm, tgid: Pid, id: i32) -> u64 {
    if arm.interval_ns == 0 {
        arm.deadline = 0;
        return 0;
    }
    let (next, skipped) = forward(arm.deadline, arm.interval_ns);
    arm.deadline = next;
    kernel().timers.insert((next, tgid, id));
    skipped
}

fn fire_real(signal: &KRc<Signal>, tgid: Pid, deadline: u64) {
    {
        let mut s = signal.borrow_mut();
        if s.timers.real.deadline != deadline {
            return;
        }
        reload(&mut s.timers.real, tgid, ITIMER_REAL_ID);
    }
    let info = Siginfo::kill(SIGALRM, abi::linux::signal::SI_KERNEL, 0, 0);
    let _ = super::send_signal(SIGALRM, info, tgid, true, false, None);
}

fn fire_posix(signal: &KRc<Signal>, tgid: Pid, id: i32, deadline: u64) {
    let send = {
        let mut s = signal.borrow_mut();
        let Some(p) = s.timers.posix.iter_mut().find(|p| p.id == id) else {
            return;
        };
        if p.arm.deadline != deadline {
            return;
        }
        let skipped = reload(&mut p.arm, tgid, id);
        p.overrun = p
            .overrun
            .saturating_add(skipped.min(i32::MAX as u64) as i32);
        if p.notify == SIGEV_NONE as u32 {
            None
        } else if p.queued {
            p.overrun = p.overrun.saturating_add(1);
            None
        } else {
            p.queued = true;
            let shared = p.notify & SIGEV_THREAD_ID as u32 == 0;
            Some((p.signo, p.value, p.target, shared))
        }
    };
    let Some((signo, value, target, shared)) = send else {
        return;
    };
    let info = Siginfo::timer(signo, id, 0, value);
    let delivered = super::send_signal(signo, info, target, shared, false, Some(id));
    // Thrown away (ignored) or the thread is gone: nothing is in flight.
    if delivered != Ok(true) {
        if let Some(p) = signal
            .borrow_mut()
            .timers
            .posix
            .iter_mut()
            .find(|p| p.id == id)
        {
            p.queued = false;
        }
    }
}

/// execve: the POSIX timers go (Linux's exit_itimers at exec);
/// ITIMER_REAL stays armed.
pub fn exit_posix_timers(signal: &KRc<Signal>, tgid: Pid) {
    let mut s = signal.borrow_mut();
    let k = kernel();
    for p in &s.timers.posix {
        if p.arm.deadline != 0 {
            k.timers.remove(&(p.arm.deadline, tgid, p.id));
        }
    }
    s.timers.posix = Vec::new();
    crate::timer::rearm();
}

/// The group has ended: its timers go (Linux's exit_itimers).
pub fn exit_itimers(signal: &KRc<Signal>, tgid: Pid) {
    let mut s = signal.borrow_mut();
    let k = kernel();
    if s.timers.real.deadline != 0 {
        k.timers
            .remove(&(s.timers.real.deadline, tgid, ITIMER_REAL_ID));
    }
    for p in &s.timers.posix {
        if p.arm.deadline != 0 {
            k.timers.remove(&(p.arm.deadline, tgid, p.id));
        }
    }
    s.timers = Timers::default();
}
