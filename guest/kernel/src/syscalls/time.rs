//! clock_gettime and friends, from the TSC.

use crate::errno::*;
use crate::mm::uaccess::write_user;
use crate::task::with_mm;
use crate::time::{monotonic_ns, realtime_ns};

use abi::linux::uapi::{Timespec, Timeval};
use abi::linux::time::{
    CLOCK_BOOTTIME, CLOCK_MONOTONIC, CLOCK_MONOTONIC_COARSE, CLOCK_MONOTONIC_RAW,
    CLOCK_PROCESS_CPUTIME_ID, CLOCK_REALTIME, CLOCK_REALTIME_COARSE, CLOCK_THREAD_CPUTIME_ID,
    TIMER_ABSTIME,
};

fn now(clock: u64) -> KResult<u64> {
    Ok(match clock {
        CLOCK_REALTIME | CLOCK_REALTIME_COARSE => realtime_ns(),
        // One task that never sleeps: CPU time is time since boot.
        CLOCK_MONOTONIC
        | CLOCK_MONOTONIC_RAW
        | CLOCK_MONOTONIC_COARSE
        | CLOCK_BOOTTIME
        | CLOCK_PROCESS_CPUTIME_ID
        | CLOCK_THREAD_CPUTIME_ID => monotonic_ns(),
        _ => return Err(EINVAL),
    })
}

fn put_timespec(addr: u64, ns: u64) -> KResult<()> {
    with_mm(|mm| write_user(mm, addr, &Timespec::from_ns(ns)))
}

pub fn clock_gettime(clock: u64, tp: u64) -> KResult<u64> {
    let ns = now(clock)?;
    put_timespec(tp, ns)?;
    Ok(0)
}

pub fn clock_getres(clock: u64, res: u64) -> KResult<u64> {
    now(clock)?;
    if res != 0 {
        // 1 ns for the high-resolution clocks, as Linux reports.
        let coarse = clock == CLOCK_REALTIME_COARSE || clock == CLOCK_MONOTONIC_COARSE;
        let step = if coarse { 4_000_000 } else { 1 };
        put_timespec(res, step)?;
    }
    Ok(0)
}

pub fn gettimeofday(tv: u64, _tz: u64) -> KResult<u64> {
    if tv != 0 {
        let v = Timeval::from_ns(realtime_ns());
        with_mm(|mm| write_user(mm, tv, &v))?;
    }
    Ok(0)
}

pub fn time(tloc: u64) -> KResult<u64> {
    let secs = realtime_ns() / 1_000_000_000;
    if tloc != 0 {
        with_mm(|mm| write_user(mm, tloc, &secs))?;
    }
    Ok(secs)
}

/// Reads a timespec as nanoseconds, checking it as Linux does (EINVAL for
/// a negative or non-normalized value).
pub fn read_timespec(addr: u64) -> KResult<u64> {
    let ts = with_mm(|mm| crate::mm::uaccess::read_user::<Timespec>(mm, addr))?;
    ts.to_ns().ok_or(EINVAL)
}

pub fn nanosleep(req: u64, rem: u64) -> KResult<u64> {
    let ns = read_timespec(req)?;
    crate::timer::sleep_until(crate::arch::rdtsc().saturating_add(crate::timer::ns_to_tsc(ns)));
    if rem != 0 {
        // Never interrupted by a signal yet: nothing remains.
        with_mm(|mm| write_user(mm, rem, &Timespec::default()))?;
    }
    Ok(0)
}

pub fn clock_nanosleep(clock: u64, flags: u64, req: u64, rem: u64) -> KResult<u64> {
    if clock == CLOCK_THREAD_CPUTIME_ID {
        return Err(EINVAL);
    }
    let now = now(clock)?;
    let ns = read_timespec(req)?;
    let wait = if flags & TIMER_ABSTIME != 0 {
        ns.saturating_sub(now)
    } else {
        ns
    };
    crate::timer::sleep_until(crate::arch::rdtsc().saturating_add(crate::timer::ns_to_tsc(wait)));
    if rem != 0 && flags & TIMER_ABSTIME == 0 {
        with_mm(|mm| write_user(mm, rem, &Timespec::default()))?;
    }
    Ok(0)
}
