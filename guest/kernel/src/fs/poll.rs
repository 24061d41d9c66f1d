//! poll and ppoll (Linux's fs/select.c): the readiness of each descriptor,
//! waiting for any of them to change.
//!
//! A poller scans its descriptors; if none is ready and it may wait, it
//! puts itself on the waiters of every pipe it watches (for an epoll
//! descriptor, on the epoll's and those of the pipes the epoll watches) and
//! blocks (`WaitOn::Poll`) until one of them changes, its deadline passes, a
//! process exits (pidfds) or a signal comes, then scans again. It comes off
//! every waiter list before the next scan. The console is always ready, so
//! it never waits on it.
//!
//! Signals: poll is restarted through restart_syscall with the same
//! deadline when no handler runs (ERESTART_RESTARTBLOCK) and fails with
//! EINTR when one does; ppoll is ERESTARTNOHAND, with its signal mask in
//! force until a handler has run, as Linux's sigsuspend-like calls.

use alloc::vec::Vec;

use abi::linux::errno::{ERESTARTNOHAND, ERESTART_RESTARTBLOCK};
use abi::linux::poll::{
    Pollfd, POLLERR, POLLHUP, POLLIN, POLLNVAL, POLLOUT, POLLRDNORM, POLLWRNORM,
};
use abi::linux::resource::RLIMIT_NOFILE;
use abi::linux::signal::UNBLOCKABLE;
use abi::linux::uapi::Timespec;
use zerocopy::IntoBytes;

use super::epoll::Epoll;
use super::pipe::PipeWaiters;
use super::{File, FileKind};
use crate::arch::rdtsc;
use crate::errno::*;
use crate::krc::KRc;
use crate::mm::uaccess::{copy_from_user, copy_to_user, read_user, write_user};
use crate::task::{current, kernel, task, with_mm, Pid, RestartBlock, State, WaitOn};

/// The events a file has now (before masking with what was asked).
pub fn file_poll(f: &File) -> u16 {
    match &f.kind {
        FileKind::ConsoleIn => POLLIN | POLLRDNORM,
        FileKind::ConsoleOut(_) => POLLOUT | POLLWRNORM,
        FileKind::Pipe(end) => end.poll(),
        FileKind::EventFd(e) => super::eventfd::poll(e),
        // Files that never block are always ready (Linux's
        // DEFAULT_POLLMASK).
        FileKind::Inode(_) => POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM,
        // Linux's pidfd_poll: readable once the process has exited, and
        // hung up once it is reaped.
        FileKind::Epoll(ep) => {
            if super::epoll::has_ready(ep) {
                POLLIN | POLLRDNORM
            } else {
                0
            }
        }
        FileKind::Pidfd(pid) => match task(*pid) {
            None => POLLIN | POLLRDNORM | POLLHUP,
            Some(t) if t.state == State::Zombie => POLLIN | POLLRDNORM,
            Some(_) => 0,
        },
    }
}

/// A process exited: pollers watching pidfds must look again. (Any poller
/// is woken; a spurious wake-up costs it one scan.)
pub fn wake_pollers() {
    let pollers: Vec<_> = kernel()
        .tasks
        .values()
        .filter(|t| matches!(t.wait, WaitOn::Poll(_)))
        .map(|t| t.pid)
        .collect();
    for pid in pollers {
        crate::sched::wake(pid);
    }
}

/// How a scan treats what it finds: poll reports POLLERR and POLLHUP
/// unasked and a closed descriptor as POLLNVAL; select reports only what
/// each set asks for and fails on a closed descriptor (EBADF).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Poll,
    Select,
}

/// One scan: fills each entry's revents, returns how many are non-zero.
/// The pipes and epolls scanned are kept in `watch` when it is given (to
/// wait on).
fn scan(fds: &mut [Pollfd], mode: Mode, mut watch: Option<&mut Vec<KRc<File>>>) -> KResult<u64> {
    let t = current();
    let files = t.files.clone();
    let files = files.borrow();
    let unasked = if mode == Mode::Poll {
        POLLERR | POLLHUP
    } else {
        0
    };
    let mut ready = 0;
    for p in fds.iter_mut() {
        p.revents = 0;
        if p.fd < 0 {
            continue;
        }
        let Some(fd) = files.get(p.fd as u64) else {
            if mode == Mode::Select {
                return Err(EBADF);
            }
            p.revents = POLLNVAL as i16;
            ready += 1;
            continue;
        };
        let f = fd.file.borrow();
        p.revents = (file_poll(&f) & (p.events as u16 | unasked)) as i16;
        if p.revents != 0 {
            ready += 1;
        }
        if let (Some(w), FileKind::Pipe(_) | FileKind::Epoll(_) | FileKind::EventFd(_)) =
            (watch.as_deref_mut(), &f.kind)
        {
            w.try_reserve(1).map_err(|_| ENOMEM)?;
            w.push(fd.file.clone());
        }
    }
    Ok(ready)
}

/// A list a waiter goes on while it blocks in `wait_for_change`: a pipe's
/// (woken at every change of the pipe) or an epoll's (woken when its
/// interest list changes, which changes what the epoll's waiters watch).
pub enum WaitQueue {
    Pipe(PipeWaiters),
    Epoll(KRc<Epoll>),
    EventFd(KRc<super::eventfd::EventFd>),
}

impl WaitQueue {
    fn add(&self, pid: Pid) -> KResult<()> {
        match self {
            WaitQueue::Pipe(w) => w.add(pid),
            WaitQueue::Epoll(ep) => ep.borrow_mut().add_waiter(pid),
            WaitQueue::EventFd(e) => super::eventfd::add_waiter(e, pid),
        }
    }

    fn remove(&self, pid: Pid) {
        match self {
            WaitQueue::Pipe(w) => w.remove(pid),
            WaitQueue::Epoll(ep) => ep.borrow_mut().remove_waiter(pid),
            WaitQueue::EventFd(e) => super::eventfd::remove_waiter(e, pid),
        }
    }
}

/// The queues to wait on for the files a poll scan kept: each pipe's, and
/// for an epoll its own and those of the pipes it watches.
fn queues_of(files: &[KRc<File>]) -> KResult<Vec<WaitQueue>> {
    let mut queues = Vec::new();
    for file in files {
        match &file.borrow().kind {
            FileKind::Pipe(end) => {
                queues.try_reserve(1).map_err(|_| ENOMEM)?;
                queues.push(WaitQueue::Pipe(end.waiters()));
            }
            FileKind::EventFd(e) => {
                queues.try_reserve(1).map_err(|_| ENOMEM)?;
                queues.push(WaitQueue::EventFd(e.clone()));
            }
            FileKind::Epoll(ep) => {
                queues.try_reserve(1).map_err(|_| ENOMEM)?;
                queues.push(WaitQueue::Epoll(ep.clone()));
                super::epoll::pipe_queues(ep, &mut queues)?;
            }
            _ => {}
        }
    }
    Ok(queues)
}

/// Blocks until one of the `queues` is woken, the TSC `deadline` passes
/// (None or Some(0): no deadline), a process exits or a signal comes: on
/// every queue meanwhile, on none after.
pub fn wait_for_change(queues: &[WaitQueue], deadline: Option<u64>) -> KResult<()> {
    let pid = current().pid;
    let d = deadline.unwrap_or(0);
    let registered = queues.iter().try_for_each(|q| q.add(pid));
    if registered.is_ok() {
        if d != 0 {
            kernel().sleepers.insert((d, pid));
            crate::timer::rearm();
        }
        current().timed_out = false;
        crate::sched::block(WaitOn::Poll(d));
        if d != 0 {
            kernel().sleepers.remove(&(d, pid));
        }
    }
    for q in queues {
        q.remove(pid);
    }
    registered
}

/// Why a poll stopped without an answer.
pub enum Interrupted {
    Signal,
}

/// Scans until something is ready or the TSC `deadline` passes (None:
/// never; Some(0): do not wait). Returns the count, or that a signal came.
pub fn do_poll(
    fds: &mut [Pollfd],
    mode: Mode,
    deadline: Option<u64>,
) -> KResult<Result<u64, Interrupted>> {
    let mut timed_out = deadline.is_some_and(|d| d <= rdtsc());
    loop {
        let mut watch = Vec::new();
        let ready = scan(fds, mode, (!timed_out).then_some(&mut watch))?;
        if ready > 0 {
            return Ok(Ok(ready));
        }
        // A pending signal beats the timeout, even a zero one (a ppoll
        // whose mask lets one through is interrupted at once).
        if crate::signal::pending() {
            return Ok(Err(Interrupted::Signal));
        }
        if timed_out {
            return Ok(Ok(0));
        }
        // The files stay held while it waits, as Linux's poll table holds
        // them: a close elsewhere neither releases nor wakes.
        wait_for_change(&queues_of(&watch)?, deadline)?;
        // Timed out: one last scan, as Linux's do_poll.
        timed_out = current().timed_out || deadline.is_some_and(|d| d <= rdtsc());
    }
}

/// Reads the array, polls, writes the revents back (also when the poll
/// was interrupted, as Linux).
fn poll_fds(ufds: u64, nfds: u64, deadline: Option<u64>) -> KResult<Result<u64, Interrupted>> {
    // An unsigned int.
    let nfds = nfds as u32 as u64;
    let limit = current().signal.borrow().rlim[RLIMIT_NOFILE as usize].rlim_cur;
    if nfds > limit {
        return Err(EINVAL);
    }
    let mut fds: Vec<Pollfd> = Vec::new();
    fds.try_reserve_exact(nfds as usize).map_err(|_| ENOMEM)?;
    fds.resize(nfds as usize, Pollfd::default());
    if nfds > 0 {
        with_mm(|mm| copy_from_user(mm, ufds, fds.as_mut_bytes()))?;
    }
    let r = do_poll(&mut fds, Mode::Poll, deadline)?;
    if nfds > 0 {
        with_mm(|mm| copy_to_user(mm, ufds, fds.as_bytes()))?;
    }
    Ok(r)
}

pub fn deadline_in_ns(ns: u64) -> u64 {
    rdtsc().saturating_add(crate::timer::ns_to_tsc(ns)).max(1)
}

/// poll(fds, nfds, timeout): a negative timeout waits for ever, 0 not at
/// all.
pub fn poll(ufds: u64, nfds: u64, timeout_ms: u64) -> KResult<u64> {
    let deadline = match timeout_ms as i32 {
        t if t < 0 => 0,
        0 => 1,
        t => deadline_in_ns(t as u64 * 1_000_000).max(2),
    };
    poll_restart(ufds, nfds, deadline)
}

/// poll with the deadline restart_syscall keeps: 0 for none, 1 for "do
/// not wait", else a TSC deadline.
pub fn poll_restart(ufds: u64, nfds: u64, deadline: u64) -> KResult<u64> {
    let d = match deadline {
        0 => None,
        1 => Some(0),
        d => Some(d),
    };
    match poll_fds(ufds, nfds, d)? {
        Ok(n) => Ok(n),
        Err(Interrupted::Signal) => {
            current().restart = RestartBlock::Poll {
                ufds,
                nfds,
                deadline,
            };
            Err(ERESTART_RESTARTBLOCK)
        }
    }
}

/// ppoll's and pselect6's signal mask: in force from here until the call
/// returns, or until a handler has run if a signal interrupts it
/// (`restore_wait_mask`).
pub fn set_wait_mask(sigmask: u64, sigsetsize: u64) -> KResult<()> {
    if sigsetsize != abi::linux::signal::SIGSET_SIZE {
        return Err(EINVAL);
    }
    let mask: u64 = with_mm(|mm| read_user(mm, sigmask))?;
    let t = current();
    t.saved_sigmask = Some(t.blocked);
    t.blocked = mask & !UNBLOCKABLE;
    crate::signal::recalc_sigpending(t);
    Ok(())
}

/// Unless a handler is about to run (ERESTARTNOHAND), the caller's mask
/// comes back now.
pub fn restore_wait_mask(r: &KResult<u64>) {
    restore_wait_mask_unless(r, ERESTARTNOHAND);
}

/// The caller's mask comes back now, unless the call failed with
/// `interrupted` (then a handler is about to run, and the mask comes back
/// when it has).
pub fn restore_wait_mask_unless(r: &KResult<u64>, interrupted: i64) {
    if *r != Err(interrupted) {
        let t = current();
        if let Some(old) = t.saved_sigmask.take() {
            t.blocked = old;
            crate::signal::recalc_sigpending(t);
        }
    }
}

/// Writes the time left to `deadline` back (Linux's poll_select_finish:
/// only for a timeout that was not zero); a time that cannot be written
/// makes an interrupted call unrestartable.
pub fn write_time_left<T: zerocopy::IntoBytes + zerocopy::Immutable>(
    deadline: Option<u64>,
    addr: u64,
    as_user: impl Fn(u64) -> T,
    r: KResult<u64>,
) -> KResult<u64> {
    if let Some(d) = deadline.filter(|&d| d != 0) {
        let left = as_user(crate::signal::itimer::remaining_ns(d));
        if with_mm(|mm| write_user(mm, addr, &left)).is_err() && r == Err(ERESTARTNOHAND) {
            return Err(EINTR);
        }
    }
    r
}

/// ppoll(fds, nfds, timeout, sigmask, sigsetsize): poll with a timespec
/// (the time left is written back, as Linux) and a signal mask in force
/// while it waits.
pub fn ppoll(ufds: u64, nfds: u64, tsp: u64, sigmask: u64, sigsetsize: u64) -> KResult<u64> {
    let timeout = if tsp != 0 {
        Some(crate::syscalls::time::read_timespec(tsp)?)
    } else {
        None
    };
    let deadline = timeout.map(|ns| if ns == 0 { 0 } else { deadline_in_ns(ns) });
    if sigmask != 0 {
        set_wait_mask(sigmask, sigsetsize)?;
    }
    let r = match poll_fds(ufds, nfds, deadline) {
        Ok(Ok(n)) => Ok(n),
        Ok(Err(Interrupted::Signal)) => Err(ERESTARTNOHAND),
        Err(e) => Err(e),
    };
    let r = write_time_left(deadline, tsp, Timespec::from_ns, r);
    restore_wait_mask(&r);
    r
}
