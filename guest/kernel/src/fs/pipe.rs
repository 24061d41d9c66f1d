//! Pipes, as Linux's fs/pipe.c: a ring of at most `PIPE_DEF_BUFFERS`
//! page-sized buffers (64 KiB when full), each a frame taken when a write
//! needs it and given back when a read empties it.
//!
//! The buffer model is Linux's, not a byte count, because programs can see
//! the difference: a write first tops up the last buffer only if the
//! write's sub-page remainder fits there, then fills fresh pages while a
//! slot is free. That makes a write of at most PIPE_BUF bytes atomic (it
//! fits the last page or takes a fresh one whole, or it waits), gives the
//! partial-write sizes of a nonblocking write, and POLLOUT means "a slot is
//! free".
//!
//! A pipe counts its open read and write ends (`PipeEnd`s, one per open
//! file description): with no writer a reader sees EOF, with no reader a
//! writer gets EPIPE and SIGPIPE. Tasks waiting on the pipe (blocked in
//! read or write, or in poll) are on `waiters`; every change of state wakes
//! them all and each re-checks what it waits for.
//!
//! Lock order: a pipe's `KRc` borrow is taken with no other pipe's held and
//! is never held across `sched::block`; the current mm is borrowed inside
//! it (copies to and from user memory).

use alloc::collections::VecDeque;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicU64, Ordering};

use abi::linux::poll::{
    PIPE_DEF_BUFFERS, PIPE_PAGE, POLLERR, POLLHUP, POLLIN, POLLOUT, POLLRDNORM, POLLWRNORM,
};
use abi::linux::signal::{SIGPIPE, SI_USER};
use abi::linux::uapi::Siginfo;

use crate::errno::*;
use crate::krc::KRc;
use crate::mm::uaccess::{copy_from_user, copy_to_user};
use crate::mm::{frame, phys_to_virt};
use crate::task::{current, task, with_mm, Pid, WaitOn};

/// Inode numbers of pipes (their st_ino), unique within a run.
static NEXT_INO: AtomicU64 = AtomicU64::new(1 << 16);

/// A fresh inode number from the pipes' range (pipefs and the anonymous
/// files that, like eventfds, have their own numbers).
pub fn next_ino() -> u64 {
    NEXT_INO.fetch_add(1, Ordering::Relaxed)
}

/// One page of queued bytes: `len` of them from `off`.
struct PipeBuf {
    frame: u64,
    off: usize,
    len: usize,
    /// Written in packet mode (O_DIRECT): read whole or not at all (a
    /// short read drops the rest), never merged into.
    packet: bool,
}

impl PipeBuf {
    /// The page's bytes [from, from + n).
    fn bytes(&mut self, from: usize, n: usize) -> &mut [u8] {
        debug_assert!(from + n <= PIPE_PAGE);
        // SAFETY: the frame is this buffer's own page, reached through the
        // direct map, and the range lies within it.
        unsafe { core::slice::from_raw_parts_mut(phys_to_virt(self.frame).add(from), n) }
    }
}

impl Drop for PipeBuf {
    fn drop(&mut self) {
        frame::free(self.frame);
    }
}

pub struct Pipe {
    ino: u64,
    /// Queued data, oldest first; never more than PIPE_DEF_BUFFERS (the
    /// capacity is reserved at creation, so queueing never allocates).
    bufs: VecDeque<PipeBuf>,
    readers: u32,
    writers: u32,
    /// Tasks to wake on any change.
    waiters: Vec<Pid>,
    /// Counts of the changes each end's readiness can gain from: data
    /// queued or the last writer gone (the read end's), data taken or the
    /// last reader gone (the write end's). Edge-triggered epoll reports an
    /// end again only after its count moved (Linux's wake-ups of rd_wait
    /// and wr_wait).
    in_gen: u64,
    out_gen: u64,
}

impl Pipe {
    fn queued(&self) -> u64 {
        self.bufs.iter().map(|b| b.len as u64).sum()
    }

    /// Wakes every waiter that still waits on this pipe or in poll (a
    /// waiter that went on to wait for something else is left alone).
    fn wake_all(&mut self) {
        for pid in core::mem::take(&mut self.waiters) {
            let Some(t) = task(pid) else { continue };
            match t.wait {
                WaitOn::Pipe(ino) if ino == self.ino => crate::sched::wake(pid),
                WaitOn::Poll(_) => crate::sched::wake(pid),
                _ => {}
            }
        }
    }
}

/// One open end of a pipe (held by its open file description).
pub struct PipeEnd {
    pipe: KRc<Pipe>,
    write: bool,
}

/// A pipe's waiter list, held without holding either end open: a task
/// asleep in epoll_wait must not keep an end it watches alive, or closing
/// that end's last descriptor elsewhere would neither release it nor wake
/// anyone (Linux's epoll holds no reference to the files it watches; the
/// read end hangs up when the last writer closes).
pub struct PipeWaiters(KRc<Pipe>);

impl PipeWaiters {
    /// Puts `pid` on the waiters, to be woken at the pipe's next change.
    pub fn add(&self, pid: Pid) -> KResult<()> {
        let mut p = self.0.borrow_mut();
        p.waiters.try_reserve(1).map_err(|_| ENOMEM)?;
        p.waiters.push(pid);
        Ok(())
    }

    pub fn remove(&self, pid: Pid) {
        self.0.borrow_mut().waiters.retain(|&w| w != pid);
    }
}

/// A new pipe: its read end and its write end.
pub fn create() -> KResult<(PipeEnd, PipeEnd)> {
    let mut bufs = VecDeque::new();
    bufs.try_reserve_exact(PIPE_DEF_BUFFERS)
        .map_err(|_| ENOMEM)?;
    let pipe = KRc::try_new(Pipe {
        ino: NEXT_INO.fetch_add(1, Ordering::Relaxed),
        bufs,
        readers: 1,
        writers: 1,
        waiters: Vec::new(),
        in_gen: 0,
        out_gen: 0,
    })?;
    Ok((
        PipeEnd {
            pipe: pipe.clone(),
            write: false,
        },
        PipeEnd { pipe, write: true },
    ))
}

impl Drop for PipeEnd {
    fn drop(&mut self) {
        let mut p = self.pipe.borrow_mut();
        if self.write {
            p.writers -= 1;
            p.in_gen += 1;
        } else {
            p.readers -= 1;
            p.out_gen += 1;
        }
        p.wake_all();
    }
}

/// The thread's SIGPIPE for a write with no reader (Linux's send_sig:
/// SI_USER from the writer itself).
fn sigpipe() {
    let t = current();
    let info = Siginfo::kill(SIGPIPE, SI_USER, t.tgid, 0);
    let _ = crate::signal::send_signal(SIGPIPE, info, t.pid, false, false, None);
}

impl PipeEnd {
    pub fn is_write_end(&self) -> bool {
        self.write
    }

    pub fn ino(&self) -> u64 {
        self.pipe.borrow().ino
    }

    /// The change count this end's readiness follows (see `Pipe`).
    pub fn generation(&self) -> u64 {
        let p = self.pipe.borrow();
        if self.write {
            p.out_gen
        } else {
            p.in_gen
        }
    }

    /// Bytes queued (FIONREAD).
    pub fn queued(&self) -> u64 {
        self.pipe.borrow().queued()
    }

    /// poll's view of this end: readable with data, POLLHUP with no
    /// writer left; writable with a free slot, POLLERR with no reader.
    pub fn poll(&self) -> u16 {
        let p = self.pipe.borrow();
        let mut mask = 0;
        if self.write {
            if p.bufs.len() < PIPE_DEF_BUFFERS {
                mask |= POLLOUT | POLLWRNORM;
            }
            if p.readers == 0 {
                mask |= POLLERR;
            }
        } else {
            if !p.bufs.is_empty() {
                mask |= POLLIN | POLLRDNORM;
            }
            if p.writers == 0 {
                mask |= POLLHUP;
            }
        }
        mask
    }

    /// The pipe's waiter list, for poll and epoll, which wait on several.
    pub fn waiters(&self) -> PipeWaiters {
        PipeWaiters(self.pipe.clone())
    }

    /// Blocks until the pipe changes. False when a signal is pending (then
    /// it did not wait, or was interrupted).
    fn wait(&self) -> KResult<bool> {
        if crate::signal::pending() {
            return Ok(false);
        }
        let pid = current().pid;
        let waiters = self.waiters();
        waiters.add(pid)?;
        let ino = self.ino();
        let woken = crate::sched::block(WaitOn::Pipe(ino));
        waiters.remove(pid);
        Ok(woken || !crate::signal::pending())
    }

    /// read(2) on the read end: what is queued, up to `count` bytes; 0 at
    /// EOF; else waits (EAGAIN if nonblocking, ERESTARTSYS on a signal).
    pub fn read(&self, buf: u64, count: u64, nonblock: bool) -> KResult<u64> {
        if count == 0 {
            return Ok(0);
        }
        loop {
            {
                let mut p = self.pipe.borrow_mut();
                if !p.bufs.is_empty() {
                    let mut done = 0u64;
                    while done < count {
                        let Some(b) = p.bufs.front_mut() else { break };
                        let n = (b.len as u64).min(count - done) as usize;
                        let off = b.off;
                        let copied = with_mm(|mm| copy_to_user(mm, buf + done, b.bytes(off, n)));
                        if copied.is_err() {
                            if done == 0 {
                                return Err(EFAULT);
                            }
                            break;
                        }
                        b.off += n;
                        b.len -= n;
                        done += n as u64;
                        let packet = b.packet;
                        if b.len == 0 || packet {
                            p.bufs.pop_front();
                        }
                        if packet {
                            break;
                        }
                    }
                    p.out_gen += 1;
                    p.wake_all();
                    return Ok(done);
                }
                if p.writers == 0 {
                    return Ok(0);
                }
                if nonblock {
                    return Err(EAGAIN);
                }
            }
            if !self.wait()? {
                return Err(ERESTARTSYS);
            }
        }
    }

    /// write(2) on the write end: see the module's buffer model; in packet
    /// mode (`packet`: the write end's O_DIRECT) each page of the write is
    /// a packet of its own. Returns
    /// the bytes written; a write stopped part-way (no room and
    /// nonblocking, a signal, a fault, the last reader gone) returns what
    /// it wrote, and its error only if that is nothing.
    pub fn write(&self, buf: u64, count: u64, nonblock: bool, packet: bool) -> KResult<u64> {
        if count == 0 {
            return Ok(0);
        }
        let partial = |done: u64, e: i64| if done > 0 { Ok(done) } else { Err(e) };
        let mut done = 0u64;
        {
            let mut p = self.pipe.borrow_mut();
            if p.readers == 0 {
                drop(p);
                sigpipe();
                return Err(EPIPE);
            }
            let chars = (count % PIPE_PAGE as u64) as usize;
            if chars != 0 && !packet {
                if let Some(b) = p.bufs.back_mut().filter(|b| !b.packet) {
                    let end = b.off + b.len;
                    if end + chars <= PIPE_PAGE {
                        with_mm(|mm| copy_from_user(mm, buf, b.bytes(end, chars)))?;
                        b.len += chars;
                        done = chars as u64;
                        p.in_gen += 1;
                        p.wake_all();
                        if done == count {
                            return Ok(done);
                        }
                    }
                }
            }
        }
        loop {
            {
                let mut p = self.pipe.borrow_mut();
                if p.readers == 0 {
                    drop(p);
                    sigpipe();
                    return partial(done, EPIPE);
                }
                if p.bufs.len() < PIPE_DEF_BUFFERS {
                    let Some(f) = frame::alloc() else {
                        return partial(done, ENOMEM);
                    };
                    let n = (count - done).min(PIPE_PAGE as u64) as usize;
                    let mut b = PipeBuf {
                        frame: f,
                        off: 0,
                        len: n,
                        packet,
                    };
                    if with_mm(|mm| copy_from_user(mm, buf + done, b.bytes(0, n))).is_err() {
                        return partial(done, EFAULT);
                    }
                    p.bufs.push_back(b);
                    done += n as u64;
                    p.in_gen += 1;
                    p.wake_all();
                    if done == count {
                        return Ok(done);
                    }
                    continue;
                }
                if nonblock {
                    return partial(done, EAGAIN);
                }
            }
            if !self.wait()? {
                return partial(done, ERESTARTSYS);
            }
        }
    }
}
