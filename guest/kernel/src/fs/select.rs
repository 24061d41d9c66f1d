//! select and pselect6 (Linux's core_sys_select), on poll's scan and wait
//! (`super::poll::do_poll` in select mode).
//!
//! The three sets become one poll entry per descriptor named in any of
//! them, asking for the events Linux's select maps each set to; the
//! result counts set bits, not descriptors. A descriptor in a set that is
//! not open is EBADF. The time left is written back to the timeout (a
//! timeval for select, a timespec for pselect6), so a restarted call
//! (ERESTARTNOHAND) waits only for the rest.

use alloc::vec::Vec;

use abi::linux::errno::ERESTARTNOHAND;
use abi::linux::poll::{
    Pollfd, POLLERR, POLLHUP, POLLIN, POLLOUT, POLLPRI, POLLRDBAND, POLLRDNORM, POLLWRBAND,
    POLLWRNORM,
};
use abi::linux::uapi::{Timespec, Timeval};

use super::poll::{do_poll, Interrupted, Mode};
use crate::errno::*;
use crate::mm::uaccess::{copy_from_user, copy_to_user, read_user};
use crate::task::{current, with_mm};

/// What readiness each set stands for (Linux's POLLIN_SET, POLLOUT_SET,
/// POLLEX_SET).
const IN_SET: u16 = POLLRDNORM | POLLRDBAND | POLLIN | POLLHUP | POLLERR;
const OUT_SET: u16 = POLLWRBAND | POLLWRNORM | POLLOUT | POLLERR;
const EX_SET: u16 = POLLPRI;

/// The three sets, as many 64-bit words as `n` descriptors need.
struct Sets {
    words: usize,
    /// in, out, ex; a set not given is all zero.
    bits: [Vec<u64>; 3],
}

fn read_set(addr: u64, words: usize) -> KResult<Vec<u64>> {
    let mut v = Vec::new();
    v.try_reserve_exact(words).map_err(|_| ENOMEM)?;
    v.resize(words, 0);
    if addr != 0 && words > 0 {
        with_mm(|mm| copy_from_user(mm, addr, zerocopy::IntoBytes::as_mut_bytes(&mut v[..])))?;
    }
    Ok(v)
}

/// The descriptors select looks at: `n`, less what lies beyond the table
/// (Linux clamps to the table's size, which starts at 64 and grows in
/// multiples of 64 here).
fn clamp_n(n: u64) -> usize {
    let len = current().files.borrow().fds.len();
    let max = len.div_ceil(64).max(1) * 64;
    (n as usize).min(max)
}

/// The select itself: reads the sets, waits, writes the result sets back
/// (not when a signal interrupted it). `deadline`: None for ever, Some(0)
/// not at all, else a TSC deadline.
fn do_select(n: u64, addrs: [u64; 3], deadline: Option<u64>) -> KResult<u64> {
    // A C int.
    let n = n as u32 as i32;
    if n < 0 {
        return Err(EINVAL);
    }
    let n = clamp_n(n as u64);
    let words = n.div_ceil(64);
    let sets = Sets {
        words,
        bits: [
            read_set(addrs[0], words)?,
            read_set(addrs[1], words)?,
            read_set(addrs[2], words)?,
        ],
    };
    let mut fds: Vec<Pollfd> = Vec::new();
    for fd in 0..n {
        let (w, b) = (fd / 64, 1u64 << (fd % 64));
        let mut events = 0;
        for (set, ev) in sets.bits.iter().zip([IN_SET, OUT_SET, EX_SET]) {
            if set[w] & b != 0 {
                events |= ev;
            }
        }
        if events != 0 {
            fds.try_reserve(1).map_err(|_| ENOMEM)?;
            fds.push(Pollfd {
                fd: fd as i32,
                events: events as i16,
                revents: 0,
            });
        }
    }
    match do_poll(&mut fds, Mode::Select, deadline)? {
        Err(Interrupted::Signal) => return Err(ERESTARTNOHAND),
        Ok(_) => {}
    }
    let mut out = [
        read_set(0, sets.words)?,
        read_set(0, sets.words)?,
        read_set(0, sets.words)?,
    ];
    let mut count = 0;
    for p in &fds {
        let (w, b) = (p.fd as usize / 64, 1u64 << (p.fd as usize % 64));
        let got = p.revents as u16;
        for (i, ev) in [IN_SET, OUT_SET, EX_SET].into_iter().enumerate() {
            if sets.bits[i][w] & b != 0 && got & ev != 0 {
                out[i][w] |= b;
                count += 1;
            }
        }
    }
    for (addr, set) in addrs.iter().zip(out.iter()) {
        if *addr != 0 && sets.words > 0 {
            with_mm(|mm| copy_to_user(mm, *addr, zerocopy::IntoBytes::as_bytes(&set[..])))?;
        }
    }
    Ok(count)
}

fn deadline_of(ns: Option<u64>) -> Option<u64> {
    ns.map(|ns| {
        if ns == 0 {
            0
        } else {
            super::poll::deadline_in_ns(ns)
        }
    })
}

/// select(n, in, out, ex, timeout): a timeval, its microseconds carried
/// into seconds as Linux does (only a negative field is EINVAL).
pub fn select(n: u64, inp: u64, outp: u64, exp: u64, tvp: u64) -> KResult<u64> {
    let timeout = if tvp != 0 {
        let tv: Timeval = with_mm(|mm| read_user(mm, tvp))?;
        let sec = tv.tv_sec.checked_add(tv.tv_usec / 1_000_000);
        let nsec = (tv.tv_usec % 1_000_000) * 1000;
        match sec {
            Some(sec) if sec >= 0 && nsec >= 0 => Some(
                (sec as u64)
                    .saturating_mul(1_000_000_000)
                    .saturating_add(nsec as u64),
            ),
            _ => return Err(EINVAL),
        }
    } else {
        None
    };
    let deadline = deadline_of(timeout);
    let r = do_select(n, [inp, outp, exp], deadline);
    super::poll::write_time_left(deadline, tvp, Timeval::from_ns, r)
}

/// pselect6(n, in, out, ex, timeout, sig): a timespec, and `sig` pointing
/// at { const sigset_t *mask; size_t size } (a null mask: none).
pub fn pselect6(n: u64, inp: u64, outp: u64, exp: u64, tsp: u64, sig: u64) -> KResult<u64> {
    let timeout = if tsp != 0 {
        Some(crate::syscalls::time::read_timespec(tsp)?)
    } else {
        None
    };
    let deadline = deadline_of(timeout);
    if sig != 0 {
        let [mask, size]: [u64; 2] = with_mm(|mm| read_user(mm, sig))?;
        if mask != 0 {
            super::poll::set_wait_mask(mask, size)?;
        }
    }
    let r = do_select(n, [inp, outp, exp], deadline);
    let r = super::poll::write_time_left(deadline, tsp, Timespec::from_ns, r);
    super::poll::restore_wait_mask(&r);
    r
}
