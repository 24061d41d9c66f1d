//! epoll (Linux's fs/eventpoll.c): an interest list of descriptors and the
//! events each is watched for, reported by epoll_wait.
//!
//! Readiness is computed when epoll_wait scans, with the files' own poll
//! (`super::poll::file_poll`), and waiting is poll's: the waiter goes on
//! every watched pipe's waiter list and on the epoll's own. What a waiter
//! watches is what its scan found, so every EPOLL_CTL_ADD and MOD wakes the
//! epoll's waiters to scan again (Linux wakes them only for an item that is
//! ready then, its wait on every file queued at ADD; a waiter here must
//! also get on an added pipe's list). A waiter holds the pipes, not the
//! files: closing a watched end's last descriptor releases it while a task
//! waits (Linux's epoll holds no reference either). What Linux does with
//! its ready list is kept where a program can see it:
//! - level-triggered items are reported at every scan while ready, and one
//!   reported goes to the back of the list, so a small `maxevents` does
//!   not starve the others;
//! - an edge-triggered item (EPOLLET) is reported again only after the
//!   file's readiness could have grown (the pipe end's change count,
//!   `PipeEnd::generation`), or after EPOLL_CTL_MOD;
//! - EPOLLONESHOT disables an item once reported, until EPOLL_CTL_MOD;
//! - EPOLLERR and EPOLLHUP are always watched.
//!
//! Items are keyed by descriptor number and remember which open file it
//! referred to: once the descriptor is closed or refers to another file,
//! the item is dropped at the next scan. (Linux keeps an item while the
//! open file lives through a dup; programs are told to remove an item
//! before closing its descriptor, and then both agree.) An epoll
//! descriptor cannot be watched by another epoll here (EINVAL).

use alloc::vec::Vec;

use abi::linux::poll::{
    EpollEvent, EPOLLERR, EPOLLET, EPOLLEXCLUSIVE, EPOLLHUP, EPOLLIN, EPOLLONESHOT, EPOLLOUT,
    EPOLLPRI, EPOLLRDBAND, EPOLLRDNORM, EPOLLWAKEUP, EPOLLWRBAND, EPOLLWRNORM, EPOLL_CLOEXEC,
    EPOLL_CTL_ADD, EPOLL_CTL_DEL, EPOLL_CTL_MOD, EP_MAX_EVENTS,
};
use zerocopy::IntoBytes;

use super::poll::{file_poll, restore_wait_mask_unless, set_wait_mask, WaitQueue};
use super::{File, FileKind};
use crate::arch::rdtsc;
use crate::errno::*;
use crate::krc::KRc;
use crate::mm::uaccess::{check_range, copy_to_user, read_user};
use crate::task::{current, task, with_current, with_mm, Fd, Pid, WaitOn};

/// The bits that are about the item, not events (Linux's EP_PRIVATE_BITS):
/// all a oneshot item keeps once it fired.
const PRIVATE_BITS: u32 = EPOLLWAKEUP | EPOLLONESHOT | EPOLLET | EPOLLEXCLUSIVE;

/// What EPOLLEXCLUSIVE may come with.
const EXCLUSIVE_OK_BITS: u32 = EPOLLIN
    | EPOLLOUT
    | EPOLLRDNORM
    | EPOLLRDBAND
    | EPOLLWRNORM
    | EPOLLWRBAND
    | EPOLLPRI
    | EPOLLERR
    | EPOLLHUP
    | EPOLLWAKEUP
    | EPOLLET
    | EPOLLEXCLUSIVE;

struct Item {
    fd: i32,
    /// The open file the descriptor referred to when added (its identity).
    file: usize,
    events: u32,
    data: u64,
    /// Edge-triggered: the change count when last reported (None: report
    /// when ready).
    seen: Option<u64>,
}

#[derive(Default)]
pub struct Epoll {
    items: Vec<Item>,
    /// Tasks blocked in epoll_wait on this epoll, or in poll on its
    /// descriptor: woken when the interest list grows or changes.
    waiters: Vec<Pid>,
}

impl Epoll {
    pub fn add_waiter(&mut self, pid: Pid) -> KResult<()> {
        self.waiters.try_reserve(1).map_err(|_| ENOMEM)?;
        self.waiters.push(pid);
        Ok(())
    }

    pub fn remove_waiter(&mut self, pid: Pid) {
        self.waiters.retain(|&w| w != pid);
    }

    /// Wakes the waiters still in poll's wait, to scan the new interest
    /// list (and wait on what it watches now).
    fn wake_waiters(&mut self) {
        for pid in core::mem::take(&mut self.waiters) {
            if task(pid).is_some_and(|t| matches!(t.wait, WaitOn::Poll(_))) {
                crate::sched::wake(pid);
            }
        }
    }
}

fn identity(f: &KRc<File>) -> usize {
    f.as_ptr() as usize
}

fn is_epoll(f: &File) -> bool {
    matches!(f.kind, FileKind::Epoll(_))
}

/// The change count edge-triggering follows for `f` (files that are
/// always ready have one that never moves).
fn generation(f: &File) -> u64 {
    match &f.kind {
        FileKind::Pipe(end) => end.generation(),
        // One wait queue for both directions, as Linux's eventfd: any
        // read or write is a new edge.
        FileKind::EventFd(e) => super::eventfd::generation(e),
        _ => 0,
    }
}

fn create(flags: u64) -> KResult<u64> {
    let ep = KRc::try_new(Epoll::default())?;
    let file = File::new(FileKind::Epoll(ep), 0)?;
    super::install(
        Fd {
            file,
            cloexec: flags & EPOLL_CLOEXEC != 0,
        },
        0,
    )
}

pub fn epoll_create1(flags: u64) -> KResult<u64> {
    if flags & !EPOLL_CLOEXEC != 0 {
        return Err(EINVAL);
    }
    create(flags)
}

pub fn epoll_create(size: u64) -> KResult<u64> {
    if size as i32 <= 0 {
        return Err(EINVAL);
    }
    create(0)
}

fn fd_file(fd: u64) -> KResult<KRc<File>> {
    with_current(|t| t.files.borrow().get(fd))
        .map(|f| f.file)
        .ok_or(EBADF)
}

/// The epoll behind `epfd`: EBADF if it is not open, EINVAL if it is not
/// an epoll.
fn epoll_of(epfd: u64) -> KResult<(KRc<File>, KRc<Epoll>)> {
    let file = fd_file(epfd)?;
    let ep = match &file.borrow().kind {
        FileKind::Epoll(ep) => ep.clone(),
        _ => return Err(EINVAL),
    };
    Ok((file, ep))
}

/// epoll_ctl(epfd, op, fd, event), with Linux's order of checks.
pub fn epoll_ctl(epfd: u64, op: u64, fd: u64, uevent: u64) -> KResult<u64> {
    let ev = if op as u32 as u64 != EPOLL_CTL_DEL {
        Some(with_mm(|mm| read_user::<EpollEvent>(mm, uevent))?)
    } else {
        None
    };
    let epfile = fd_file(epfd)?;
    let target = fd_file(fd)?;
    let ep = match &epfile.borrow().kind {
        FileKind::Epoll(ep) if identity(&epfile) != identity(&target) => ep.clone(),
        _ => return Err(EINVAL),
    };
    if is_epoll(&target.borrow()) {
        return Err(EINVAL);
    }
    // Regular files and directories cannot be polled for a change (they
    // are always ready); Linux refuses them.
    if matches!(target.borrow().kind, FileKind::Inode(_)) {
        return Err(EPERM);
    }
    let events = ev.map(|e| e.events.get());
    if let Some(events) = events.filter(|e| e & EPOLLEXCLUSIVE != 0) {
        if op as u32 as u64 == EPOLL_CTL_MOD || events & !EXCLUSIVE_OK_BITS != 0 {
            return Err(EINVAL);
        }
    }
    let fd = fd as i32;
    let mut ep = ep.borrow_mut();
    let at = ep.items.iter().position(|i| i.fd == fd);
    match op as u32 as u64 {
        EPOLL_CTL_ADD => {
            if at.is_some() {
                return Err(EEXIST);
            }
            let e = ev.ok_or(EFAULT)?;
            ep.items.try_reserve(1).map_err(|_| ENOMEM)?;
            ep.items.push(Item {
                fd,
                file: identity(&target),
                events: e.events.get() | EPOLLERR | EPOLLHUP,
                data: e.data.get(),
                seen: None,
            });
        }
        EPOLL_CTL_MOD => {
            let i = at.ok_or(ENOENT)?;
            let e = ev.ok_or(EFAULT)?;
            if ep.items[i].events & EPOLLEXCLUSIVE != 0 {
                return Err(EINVAL);
            }
            let item = &mut ep.items[i];
            item.events = e.events.get() | EPOLLERR | EPOLLHUP;
            item.data = e.data.get();
            item.seen = None;
        }
        EPOLL_CTL_DEL => {
            let i = at.ok_or(ENOENT)?;
            ep.items.remove(i);
        }
        _ => return Err(EINVAL),
    }
    if op as u32 as u64 != EPOLL_CTL_DEL {
        ep.wake_waiters();
    }
    Ok(0)
}

/// One scan: up to `max` ready items into `out` (consuming edge-triggered
/// and oneshot readiness), the watched pipes' queues into `watch` (to wait
/// on).
fn scan(
    ep: &KRc<Epoll>,
    max: usize,
    out: &mut Vec<EpollEvent>,
    watch: &mut Vec<WaitQueue>,
) -> KResult<()> {
    let files = current().files.clone();
    let files = files.borrow();
    let mut ep = ep.borrow_mut();
    let mut i = 0;
    let mut requeue = Vec::new();
    while i < ep.items.len() {
        let item = &mut ep.items[i];
        let Some(fd) = files
            .get(item.fd as u64)
            .filter(|f| identity(&f.file) == item.file)
        else {
            // Closed, or the number now names another file.
            ep.items.remove(i);
            continue;
        };
        let f = fd.file.borrow();
        if let Some(q) = queue_of(&f) {
            watch.try_reserve(1).map_err(|_| ENOMEM)?;
            watch.push(q);
        }
        let ready = u32::from(file_poll(&f)) & item.events & !PRIVATE_BITS;
        let mut report = ready != 0 && out.len() < max;
        if report && item.events & EPOLLET != 0 {
            let gen = generation(&f);
            if item.seen == Some(gen) {
                report = false;
            } else {
                item.seen = Some(gen);
            }
        }
        if report {
            out.try_reserve(1).map_err(|_| ENOMEM)?;
            out.push(EpollEvent {
                events: ready.into(),
                data: item.data.into(),
            });
            if item.events & EPOLLONESHOT != 0 {
                item.events &= PRIVATE_BITS;
            } else if item.events & EPOLLET == 0 {
                // Level-triggered: to the back, as Linux re-queues it.
                requeue.try_reserve(1).map_err(|_| ENOMEM)?;
                requeue.push(ep.items.remove(i));
                continue;
            }
        }
        i += 1;
    }
    ep.items.extend(requeue);
    Ok(())
}

/// Whether an epoll has anything to report (polling an epoll descriptor),
/// without consuming it.
pub fn has_ready(ep: &KRc<Epoll>) -> bool {
    let files = current().files.clone();
    let files = files.borrow();
    ep.borrow().items.iter().any(|item| {
        files
            .get(item.fd as u64)
            .filter(|f| identity(&f.file) == item.file)
            .is_some_and(|fd| {
                let f = fd.file.borrow();
                let ready = u32::from(file_poll(&f)) & item.events & !PRIVATE_BITS;
                ready != 0 && (item.events & EPOLLET == 0 || item.seen != Some(generation(&f)))
            })
    })
}

/// The queues of the pipes `ep` watches (for poll on its descriptor).
pub fn pipe_queues(ep: &KRc<Epoll>, queues: &mut Vec<WaitQueue>) -> KResult<()> {
    let files = current().files.clone();
    let files = files.borrow();
    for item in &ep.borrow().items {
        let Some(fd) = files
            .get(item.fd as u64)
            .filter(|f| identity(&f.file) == item.file)
        else {
            continue;
        };
        let f = fd.file.borrow();
        if let Some(q) = queue_of(&f) {
            queues.try_reserve(1).map_err(|_| ENOMEM)?;
            queues.push(q);
        }
    }
    Ok(())
}

/// The waiter list a watched file's changes wake (none for files that are
/// always ready).
fn queue_of(f: &File) -> Option<WaitQueue> {
    match &f.kind {
        FileKind::Pipe(end) => Some(WaitQueue::Pipe(end.waiters())),
        FileKind::EventFd(e) => Some(WaitQueue::EventFd(e.clone())),
        _ => None,
    }
}

/// The wait: `deadline` None for ever, Some(0) not at all, else a TSC
/// deadline. EINTR when a signal comes first (epoll is never restarted).
fn do_epoll_wait(epfd: u64, uevents: u64, maxevents: u64, deadline: Option<u64>) -> KResult<u64> {
    let max = maxevents as i32;
    if max <= 0 || max as u64 > EP_MAX_EVENTS {
        return Err(EINVAL);
    }
    let size = max as u64 * core::mem::size_of::<EpollEvent>() as u64;
    check_range(uevents, size)?;
    let (_file, ep) = epoll_of(epfd)?;
    let mut timed_out = deadline.is_some_and(|d| d <= rdtsc());
    loop {
        let mut out = Vec::new();
        let mut watch = Vec::new();
        scan(&ep, max as usize, &mut out, &mut watch)?;
        if !out.is_empty() {
            with_mm(|mm| copy_to_user(mm, uevents, out.as_bytes()))?;
            return Ok(out.len() as u64);
        }
        if timed_out {
            return Ok(0);
        }
        if crate::signal::pending() {
            return Err(EINTR);
        }
        watch.try_reserve(1).map_err(|_| ENOMEM)?;
        watch.push(WaitQueue::Epoll(ep.clone()));
        super::poll::wait_for_change(&watch, deadline)?;
        timed_out = current().timed_out || deadline.is_some_and(|d| d <= rdtsc());
    }
}

fn deadline_ms(timeout_ms: u64) -> Option<u64> {
    match timeout_ms as i32 {
        t if t < 0 => None,
        0 => Some(0),
        t => Some(super::poll::deadline_in_ns(t as u64 * 1_000_000)),
    }
}

pub fn epoll_wait(epfd: u64, uevents: u64, maxevents: u64, timeout_ms: u64) -> KResult<u64> {
    do_epoll_wait(epfd, uevents, maxevents, deadline_ms(timeout_ms))
}

/// epoll_pwait: with a signal mask in force while it waits (kept until a
/// handler has run when a signal interrupts it).
pub fn epoll_pwait(
    epfd: u64,
    uevents: u64,
    maxevents: u64,
    timeout_ms: u64,
    sigmask: u64,
    sigsetsize: u64,
) -> KResult<u64> {
    if sigmask != 0 {
        set_wait_mask(sigmask, sigsetsize)?;
    }
    let r = do_epoll_wait(epfd, uevents, maxevents, deadline_ms(timeout_ms));
    restore_wait_mask_unless(&r, EINTR);
    r
}

/// epoll_pwait2: epoll_pwait with a timespec timeout (NULL: for ever).
pub fn epoll_pwait2(
    epfd: u64,
    uevents: u64,
    maxevents: u64,
    tsp: u64,
    sigmask: u64,
    sigsetsize: u64,
) -> KResult<u64> {
    let deadline = if tsp != 0 {
        let ns = crate::syscalls::time::read_timespec(tsp)?;
        Some(if ns == 0 {
            0
        } else {
            super::poll::deadline_in_ns(ns)
        })
    } else {
        None
    };
    if sigmask != 0 {
        set_wait_mask(sigmask, sigsetsize)?;
    }
    let r = do_epoll_wait(epfd, uevents, maxevents, deadline);
    restore_wait_mask_unless(&r, EINTR);
    r
}
