//! clock_gettime and friends, from the TSC.

use crate::errno::*;
use crate::mm::uaccess::write_user;
use crate::task::with_mm;
use crate::time::{monotonic_ns, realtime_ns};

use abi::linux::time::{
    CLOCK_BOOTTIME, CLOCK_MONOTONIC, CLOCK_MONOTONIC_COARSE, CLOCK_MONOTONIC_RAW,
    CLOCK_PROCESS_CPUTIME_ID, CLOCK_REALTIME, CLOCK_REALTIME_COARSE, CLOCK_THREAD_CPUTIME_ID,
    TIMER_ABSTIME,
};
use abi::linux::uapi::{Timespec, Timeval};

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

/// Sleeps to the TSC `deadline`. Interrupted by a signal: with `rmtp`
/// the remaining time is written there (EFAULT if it cannot be), and the
/// call restarts through restart_syscall with the same deadline unless a
/// handler runs (then EINTR), as Linux's do_nanosleep. `absolute` sleeps
/// neither report nor resume: they are simply restarted (ERESTARTNOHAND).
fn do_nanosleep(deadline: u64, rmtp: u64, absolute: bool) -> KResult<u64> {
    if crate::timer::sleep_until(deadline) || !crate::signal::pending() {
        return Ok(0);
    }
    if absolute {
        return Err(ERESTARTNOHAND);
    }
    let left = crate::signal::itimer::remaining_ns(deadline);
    if left == 0 {
        return Ok(0);
    }
    if rmtp != 0 {
        put_timespec(rmtp, left)?;
    }
    crate::task::current().restart = crate::task::RestartBlock::Nanosleep { deadline, rmtp };
    Err(ERESTART_RESTARTBLOCK)
}

/// restart_syscall's resumption of an interrupted relative sleep.
pub fn nanosleep_restart(deadline: u64, rmtp: u64) -> KResult<u64> {
    do_nanosleep(deadline, rmtp, false)
}

fn deadline_after(ns: u64) -> u64 {
    crate::arch::rdtsc().saturating_add(crate::timer::ns_to_tsc(ns))
}

pub fn nanosleep(req: u64, rem: u64) -> KResult<u64> {
    let ns = read_timespec(req)?;
    do_nanosleep(deadline_after(ns), rem, false)
}

pub fn clock_nanosleep(clock: u64, flags: u64, req: u64, rem: u64) -> KResult<u64> {
    if clock == CLOCK_THREAD_CPUTIME_ID {
        return Err(EINVAL);
    }
    let now = now(clock)?;
    let ns = read_timespec(req)?;
    let absolute = flags & TIMER_ABSTIME != 0;
    let wait = if absolute { ns.saturating_sub(now) } else { ns };
    do_nanosleep(
        deadline_after(wait),
        if absolute { 0 } else { rem },
        absolute,
    )
}
