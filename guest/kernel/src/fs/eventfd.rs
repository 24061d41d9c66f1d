//! eventfd: a 64-bit counter as a file. A write of 8 bytes adds to it (and
//! waits, or is EAGAIN, while the sum would pass 2^64 - 2); a read of 8
//! bytes takes it all and leaves 0 (with EFD_SEMAPHORE takes 1), waiting
//! or EAGAIN while it is 0. Readable when non-zero, writable while 1 more
//! fits. Waiters (blocked readers and writers, pollers) are woken at every
//! change; epoll's edge-triggering follows the change counts.
//!
//! Lock order: an eventfd's `KRc` borrow is never held across
//! `sched::block`; the current mm is borrowed inside it.

use alloc::vec::Vec;

use abi::linux::poll::{POLLIN, POLLOUT, POLLRDNORM, POLLWRNORM};

use crate::errno::*;
use crate::krc::KRc;
use crate::mm::uaccess::{read_user, write_user};
use crate::task::{current, task, with_mm, Pid, WaitOn};

/// The largest count (Linux's ULLONG_MAX - 1).
const MAX: u64 = u64::MAX - 1;

pub struct EventFd {
    ino: u64,
    count: u64,
    semaphore: bool,
    waiters: Vec<Pid>,
    /// Changes the readable side's readiness could grow from (a write) and
    /// the writable side's (a read), for edge-triggered epoll.
    in_gen: u64,
    out_gen: u64,
}

impl EventFd {
    fn wake_all(&mut self) {
        for pid in core::mem::take(&mut self.waiters) {
            let Some(t) = task(pid) else { continue };
            match t.wait {
                WaitOn::EventFd(ino) if ino == self.ino => crate::sched::wake(pid),
                WaitOn::Poll(_) => crate::sched::wake(pid),
                _ => {}
            }
        }
    }
}

pub fn create(initval: u64, semaphore: bool) -> KResult<KRc<EventFd>> {
    KRc::try_new(EventFd {
        ino: super::pipe::next_ino(),
        count: initval,
        semaphore,
        waiters: Vec::new(),
        in_gen: 0,
        out_gen: 0,
    })
}

pub fn ino(e: &KRc<EventFd>) -> u64 {
    e.borrow().ino
}

pub fn poll(e: &KRc<EventFd>) -> u16 {
    let e = e.borrow();
    let mut mask = 0;
    if e.count > 0 {
        mask |= POLLIN | POLLRDNORM;
    }
    if e.count < MAX {
        mask |= POLLOUT | POLLWRNORM;
    }
    mask
}

pub fn generation(e: &KRc<EventFd>) -> u64 {
    let e = e.borrow();
    e.in_gen.wrapping_add(e.out_gen)
}

pub fn add_waiter(e: &KRc<EventFd>, pid: Pid) -> KResult<()> {
    let mut e = e.borrow_mut();
    e.waiters.try_reserve(1).map_err(|_| ENOMEM)?;
    e.waiters.push(pid);
    Ok(())
}

pub fn remove_waiter(e: &KRc<EventFd>, pid: Pid) {
    e.borrow_mut().waiters.retain(|&w| w != pid);
}

/// Blocks until the eventfd changes; false when a signal is pending.
fn wait(e: &KRc<EventFd>) -> KResult<bool> {
    if crate::signal::pending() {
        return Ok(false);
    }
    let pid = current().pid;
    add_waiter(e, pid)?;
    let woken = crate::sched::block(WaitOn::EventFd(ino(e)));
    remove_waiter(e, pid);
    Ok(woken || !crate::signal::pending())
}

pub fn read(e: &KRc<EventFd>, buf: u64, count: u64, nonblock: bool) -> KResult<u64> {
    if count < 8 {
        return Err(EINVAL);
    }
    loop {
        {
            let mut ev = e.borrow_mut();
            if ev.count > 0 {
                let v = if ev.semaphore { 1 } else { ev.count };
                with_mm(|mm| write_user(mm, buf, &v))?;
                ev.count -= v;
                ev.out_gen += 1;
                ev.wake_all();
                return Ok(8);
            }
            if nonblock {
                return Err(EAGAIN);
            }
        }
        if !wait(e)? {
            return Err(ERESTARTSYS);
        }
    }
}

pub fn write(e: &KRc<EventFd>, buf: u64, count: u64, nonblock: bool) -> KResult<u64> {
    if count < 8 {
        return Err(EINVAL);
    }
    let v: u64 = with_mm(|mm| read_user(mm, buf))?;
    if v == u64::MAX {
        return Err(EINVAL);
    }
    loop {
        {
            let mut ev = e.borrow_mut();
            if MAX - ev.count >= v {
                ev.count += v;
                if v > 0 {
                    ev.in_gen += 1;
                }
                ev.wake_all();
                return Ok(8);
            }
            if nonblock {
                return Err(EAGAIN);
            }
        }
        if !wait(e)? {
            return Err(ERESTARTSYS);
        }
    }
}
