//! The timer system calls: alarm, setitimer / getitimer (ITIMER_REAL) and
//! the POSIX timers (timer_create, timer_settime, timer_gettime,
//! timer_getoverrun, timer_delete), with Linux's checks and rounding. The
//! timers themselves are `crate::signal::itimer`.

use abi::linux::signal::{ITIMER_PROF, ITIMER_REAL, ITIMER_VIRTUAL};
use abi::linux::time::{
    CLOCK_BOOTTIME, CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID, CLOCK_REALTIME, CLOCK_TAI,
    CLOCK_THREAD_CPUTIME_ID, TIMER_ABSTIME,
};
use abi::linux::uapi::{Itimerspec, Itimerval, Sigevent, Timespec, Timeval};

use crate::errno::*;
use crate::mm::uaccess::{read_user, write_user};
use crate::signal::itimer;
use crate::task::with_mm;

const NS_PER_US: u64 = 1000;

fn timeval_ns(tv: &Timeval) -> KResult<u64> {
    if tv.tv_sec < 0 || !(0..1_000_000).contains(&tv.tv_usec) {
        return Err(EINVAL);
    }
    Ok((tv.tv_sec as u64)
        .saturating_mul(1_000_000_000)
        .saturating_add(tv.tv_usec as u64 * NS_PER_US))
}

/// A remaining time as a timeval: Linux rounds a running timer's
/// sub-microsecond remainder up, so an armed timer never reads as zero.
fn ns_timeval(ns: u64, running: bool) -> Timeval {
    let us = if running {
        ns.div_ceil(NS_PER_US)
    } else {
        ns / NS_PER_US
    };
    Timeval {
        tv_sec: (us / 1_000_000) as i64,
        tv_usec: (us % 1_000_000) as i64,
    }
}

fn itimerval(old: (u64, u64)) -> Itimerval {
    Itimerval {
        it_interval: ns_timeval(old.1, false),
        it_value: ns_timeval(old.0, old.0 != 0),
    }
}

/// The which of setitimer / getitimer: ITIMER_REAL runs; the CPU-time
/// timers (VIRTUAL, PROF) need per-process CPU accounting the kernel does
/// not keep, so they are refused rather than never firing.
fn check_which(which: u64) -> KResult<()> {
    match which {
        ITIMER_REAL => Ok(()),
        ITIMER_VIRTUAL | ITIMER_PROF => Err(EINVAL),
        _ => Err(EINVAL),
    }
}

pub fn getitimer(which: u64, value: u64) -> KResult<u64> {
    check_which(which)?;
    let old = itimer::set_real(None);
    with_mm(|mm| write_user(mm, value, &itimerval(old)))?;
    Ok(0)
}

pub fn setitimer(which: u64, new: u64, old: u64) -> KResult<u64> {
    // A NULL new value disarms, as Linux (with a warning) accepts.
    let v = if new != 0 {
        with_mm(|mm| read_user::<Itimerval>(mm, new))?
    } else {
        Itimerval::default()
    };
    check_which(which)?;
    let value = timeval_ns(&v.it_value)?;
    let interval = timeval_ns(&v.it_interval)?;
    let prev = itimer::set_real(Some((value, interval)));
    if old != 0 {
        with_mm(|mm| write_user(mm, old, &itimerval(prev)))?;
    }
    Ok(0)
}

/// alarm(seconds): ITIMER_REAL one-shot; the old remaining time in whole
/// seconds, rounded to nearest with a running sub-second timer counted as
/// one, as Linux's alarm_setitimer.
pub fn alarm(seconds: u64) -> KResult<u64> {
    let secs = seconds as u32 as u64;
    let (left, _) = itimer::set_real(Some((secs * 1_000_000_000, 0)));
    let tv = ns_timeval(left, left != 0);
    let mut r = tv.tv_sec as u64;
    if (r == 0 && tv.tv_usec != 0) || tv.tv_usec >= 500_000 {
        r += 1;
    }
    Ok(r)
}

fn clock_ok(clock: u64) -> KResult<()> {
    match clock {
        CLOCK_REALTIME
        | CLOCK_MONOTONIC
        | CLOCK_BOOTTIME
        | CLOCK_TAI
        | CLOCK_PROCESS_CPUTIME_ID
        | CLOCK_THREAD_CPUTIME_ID => Ok(()),
        _ => Err(EINVAL),
    }
}

pub fn timer_create(clock: u64, sevp: u64, created: u64) -> KResult<u64> {
    clock_ok(clock)?;
    let ev = if sevp != 0 {
        let e: Sigevent = with_mm(|mm| read_user(mm, sevp))?;
        Some(itimer::Sigevent {
            notify: e.sigev_notify as u32,
            signo: e.sigev_signo as u32 as u64,
            value: e.sigev_value,
            tid: e.un[0] as i32,
        })
    } else {
        None
    };
    let id = itimer::create(clock, ev)?;
    if with_mm(|mm| write_user(mm, created, &id)).is_err() {
        let _ = itimer::delete(id);
        return Err(EFAULT);
    }
    Ok(0)
}

fn timer_id(id: u64) -> KResult<i32> {
    i32::try_from(id as i64).map_err(|_| EINVAL)
}

fn itimerspec(v: (u64, u64)) -> Itimerspec {
    Itimerspec {
        it_interval: Timespec::from_ns(v.1),
        it_value: Timespec::from_ns(v.0),
    }
}

pub fn timer_settime(id: u64, flags: u64, new: u64, old: u64) -> KResult<u64> {
    if new == 0 {
        return Err(EINVAL);
    }
    let v: Itimerspec = with_mm(|mm| read_user(mm, new))?;
    let id = timer_id(id)?;
    let value = v.it_value.to_ns().ok_or(EINVAL)?;
    let interval = v.it_interval.to_ns().ok_or(EINVAL)?;
    // Absolute times are on the timer's clock; only CLOCK_REALTIME is not
    // the monotonic one here.
    let value = if flags & TIMER_ABSTIME != 0 && value != 0 {
        let clock_now = crate::time::monotonic_ns();
        let now = if is_realtime(id)? {
            crate::time::realtime_ns()
        } else {
            clock_now
        };
        value.saturating_sub(now).max(1)
    } else {
        value
    };
    let prev = itimer::settime(id, value, interval)?;
    if old != 0 {
        with_mm(|mm| write_user(mm, old, &itimerspec(prev)))?;
    }
    Ok(0)
}

fn is_realtime(id: i32) -> KResult<bool> {
    itimer::with_timer(id, |_, p| p.clock == CLOCK_REALTIME)
}

pub fn timer_gettime(id: u64, cur: u64) -> KResult<u64> {
    let id = timer_id(id)?;
    let v = itimer::with_timer(id, |_, p| itimer::current_value(&p.arm))?;
    with_mm(|mm| write_user(mm, cur, &itimerspec(v)))?;
    Ok(0)
}

pub fn timer_getoverrun(id: u64) -> KResult<u64> {
    let id = timer_id(id)?;
    itimer::with_timer(id, |_, p| p.overrun_last.max(0) as u64)
}

pub fn timer_delete(id: u64) -> KResult<u64> {
    itimer::delete(timer_id(id)?)?;
    Ok(0)
}
