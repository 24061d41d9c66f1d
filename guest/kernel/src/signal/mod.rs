//! Signals, Linux's kernel/signal.c in small: the two pending queues of
//! the seeds' thread-group bookkeeping — a thread's own `pending` (tgkill,
//! tkill, faults, timers aimed at the thread) and its group's
//! `shared_pending` (kill, sigqueue, process timers, SIGCHLD) — sending
//! (`send_signal`, with `complete_signal` choosing the thread of the group
//! that takes a process-directed signal), and taking (`dequeue_signal`).
//! Delivery on the way back to user mode is `deliver`; the user frame is
//! `frame`; timers that send signals are `itimer`.
//!
//! State and its owners: the bit sets `Task::pending` and
//! `Signal::shared_pending` are what the host reads; each set bit has at
//! least one entry in the matching kernel-only queue (`Task::sigqueue`,
//! `Signal::shared_queue`) unless the siginfo could not be allocated (then
//! the signal is taken with a bare SI_USER siginfo, as Linux loses it).
//! Standard signals coalesce (one entry at most); real-time ones queue.
//! `Task::sigpending` (Linux's TIF_SIGPENDING) is set whenever the thread
//! may have something to take or must die; it is the one thing the return
//! to user mode tests when nothing is pending.
//!
//! Locking: one CPU, interrupts off in the kernel; a `Signal` or `SigHand`
//! is borrowed (`KRc::borrow*`) only within one function here, never across
//! `sched::schedule`, and never while the other is borrowed mutably, so the
//! order is sighand, then signal.

pub mod deliver;
pub mod frame;
pub mod itimer;

use alloc::vec::Vec;

use abi::linux::signal::{
    sigmask, NSIG, SIGBUS, SIGCHLD, SIGCONT, SIGFPE, SIGILL, SIGKILL, SIGRTMIN, SIGSEGV, SIGSTOP,
    SIGSYS, SIGTRAP, SIGTSTP, SIGTTIN, SIGTTOU, SIGURG, SIGWINCH, SIG_DFL, SIG_IGN,
};
use abi::linux::uapi::Siginfo;

use crate::errno::*;
use crate::task::{current, task, Pid, Signal, State, Task, WaitOn};

/// One queued signal: its siginfo and, for a POSIX timer's signal, the
/// timer it came from (whose overrun count is read when it is taken).
#[derive(Clone, Copy)]
pub struct SigQueue {
    pub info: Siginfo,
    pub timer: Option<i32>,
}

/// Most signals queued in one thread group (both kinds of queue), as
/// RLIMIT_SIGPENDING bounds Linux's: beyond it a real-time signal from user
/// space fails with EAGAIN and a standard one loses its siginfo.
pub const MAX_QUEUED: usize = 1024;

/// Signals taken before others when several are pending: the ones a fault
/// raises, so the fault's own signal is handled first.
const SYNCHRONOUS_MASK: u64 = sigmask(SIGSEGV)
    | sigmask(SIGBUS)
    | sigmask(SIGILL)
    | sigmask(SIGTRAP)
    | sigmask(SIGFPE)
    | sigmask(SIGSYS);

const STOP_MASK: u64 = sigmask(SIGSTOP) | sigmask(SIGTSTP) | sigmask(SIGTTIN) | sigmask(SIGTTOU);

/// The default action ignores these (SIGCONT continues a stopped process;
/// nothing is stopped here). Stop signals too: there is no job control, so
/// stopping is not done (a documented difference from Linux).
pub fn default_ignored(sig: u64) -> bool {
    matches!(sig, SIGCHLD | SIGCONT | SIGURG | SIGWINCH) || STOP_MASK & sigmask(sig) != 0
}

/// Valid signal numbers: 1..=64.
pub fn valid(sig: u64) -> bool {
    (1..=NSIG).contains(&sig)
}

/// Whether `sig` sent to `t` would be thrown away at once: ignored, by
/// handler or by default, and not blocked (a blocked signal stays pending,
/// for sigwait or a later handler change).
fn sig_ignored(t: &Task, sig: u64) -> bool {
    if (effective_blocked(t) | t.real_blocked) & sigmask(sig) != 0 || t.break_sigmask {
        return false;
    }
    let h = t.sighand.borrow().actions[sig as usize - 1].sa_handler;
    h == SIG_IGN || (h == SIG_DFL && default_ignored(sig))
}

/// Whether `sig`'s action in `t`'s group is to end the group: the default
/// action of a signal that is neither ignored nor a stop signal.
fn sig_fatal(t: &Task, sig: u64) -> bool {
    if sig == SIGKILL {
        return true;
    }
    let h = t.sighand.borrow().actions[sig as usize - 1].sa_handler;
    h == SIG_DFL && !default_ignored(sig)
}

/// The mask that holds signals back from `t`: its blocked set, or none
/// while the `test-faults` break of the mask is armed.
fn effective_blocked(t: &Task) -> u64 {
    if t.break_sigmask {
        0
    } else {
        t.blocked
    }
}

/// Something unblocked is pending for `t` (its own or `shared`).
fn has_pending(t: &Task, shared: u64) -> bool {
    (t.pending | shared) & !effective_blocked(t) != 0
}

/// Recomputes `t.sigpending` from its queues and mask (Linux's
/// recalc_sigpending), keeping it set for a thread that must die.
pub fn recalc_sigpending(t: &mut Task) {
    let shared = t.signal.borrow().shared_pending;
    t.sigpending = u32::from(t.killed != 0 || has_pending(t, shared));
}

/// Whether the current thread has a signal to take (or must die): what
/// an interrupted wait checks to return ERESTART*.
pub fn pending() -> bool {
    current().sigpending != 0
}

/// Marks `t` as having something to take and wakes it from an
/// interruptible sleep (every sleep here but the vfork wait and execve's
/// wait for its group's other threads, which only a fatal signal ends).
pub fn signal_wake_up(t: &mut Task) {
    t.sigpending = 1;
    if t.state == State::Blocked && !matches!(t.wait, WaitOn::Vfork(_) | WaitOn::Exec) {
        crate::sched::interrupt(t);
    }
}

/// Whether `t` can take `sig` now (Linux's wants_signal): not blocked, not
/// exiting, and either on the CPU or without something else to do first.
fn wants_signal(t: &Task, sig: u64) -> bool {
    if effective_blocked(t) & sigmask(sig) != 0 && sig != SIGKILL {
        return false;
    }
    if t.killed != 0 || !matches!(t.state, State::Running | State::Runnable | State::Blocked) {
        return false;
    }
    sig == SIGKILL || t.state == State::Running || t.sigpending == 0
}

/// The thread of `target`'s group that takes a signal just queued (Linux's
/// complete_signal): for one sent to the thread, that thread; for one sent
/// to the process, the target thread (the leader for kill) if it wants it,
/// else the next thread after the last one chosen that does. A fatal
/// signal then ends the whole group at once; otherwise the chosen thread is
/// woken to take it. If no thread can take it now (all block it), it stays
/// pending for whichever unblocks it first.
fn complete_signal(sig: u64, target: Pid, shared: bool) {
    let Some(p) = task(target) else { return };
    let chosen = if wants_signal(p, sig) {
        Some(p.pid)
    } else if !shared {
        None
    } else {
        let signal = p.signal.clone();
        let mut s = signal.borrow_mut();
        let threads: Vec<Pid> = s.threads().map(|t| t.pid).collect();
        let start = threads
            .iter()
            .position(|&t| t == s.curr_target)
            .unwrap_or(0);
        let n = threads.len();
        let pick = (0..n)
            .map(|i| threads[(start + i) % n])
            .find(|&pid| task(pid).is_some_and(|t| wants_signal(t, sig)));
        if let Some(pid) = pick {
            s.curr_target = pid;
        }
        pick
    };
    let Some(tid) = chosen else { return };
    let t = task(tid).expect("chosen thread is live");
    if sig_fatal(t, sig) && t.signal.borrow().group_exit().is_none() {
        let status = sig as i32;
        let signal = t.signal.clone();
        // Every thread goes; the signal itself is no longer pending
        // anywhere (Linux empties the queues with the group exit).
        super::syscalls::exit::kill_threads(&signal, status, None);
        return;
    }
    signal_wake_up(t);
}

/// Drops every pending `sig` from a queue and its bit set.
fn flush(queue: &mut Vec<SigQueue>, set: &mut u64, mask: u64) {
    queue.retain(|q| sigmask(q.info.si_signo as u64) & mask == 0);
    *set &= !mask;
}

/// Linux's prepare_signal: a stop signal cancels a pending SIGCONT and
/// SIGCONT cancels pending stop signals, in the group and each thread.
fn prepare_signal(t: &Task, sig: u64) {
    let drop = if sig == SIGCONT {
        STOP_MASK
    } else if STOP_MASK & sigmask(sig) != 0 {
        sigmask(SIGCONT)
    } else {
        return;
    };
    let signal = t.signal.clone();
    let mut s = signal.borrow_mut();
    let Signal {
        shared_queue,
        shared_pending,
        ..
    } = &mut *s;
    flush(shared_queue, shared_pending, drop);
    for th in s.threads() {
        flush(&mut th.sigqueue, &mut th.pending, drop);
    }
}

/// Queues `sig` with `info` on thread `target` (`shared` false) or on its
/// group (`shared` true), then lets `complete_signal` pick who takes it.
/// `from_user`: the siginfo came from user space (sigqueue): then a
/// real-time signal that cannot be queued fails with EAGAIN. `timer`: a
/// POSIX timer's signal.
pub fn send_signal(
    sig: u64,
    info: Siginfo,
    target: Pid,
    shared: bool,
    from_user: bool,
    timer: Option<i32>,
) -> KResult<bool> {
    let Some(t) = task(target) else {
        return Err(ESRCH);
    };
    if !matches!(t.state, State::Running | State::Runnable | State::Blocked) {
        // An exited thread (a zombie leader): its group takes it, if any.
        if !shared || t.signal.borrow().nr_threads == 0 {
            return Ok(false);
        }
    }
    prepare_signal(t, sig);
    if sig_ignored(t, sig) {
        return Ok(false);
    }
    let bit = sigmask(sig);
    let legacy = sig < SIGRTMIN;
    let signal = t.signal.clone();
    {
        let mut s = signal.borrow_mut();
        let queued = s.queued;
        let (set, queue) = if shared {
            let Signal {
                shared_pending,
                shared_queue,
                ..
            } = &mut *s;
            (shared_pending, shared_queue)
        } else {
            (&mut t.pending, &mut t.sigqueue)
        };
        if legacy && *set & bit != 0 && timer.is_none() {
            // Standard signals coalesce: one is already pending. (A
            // timer's signal has its own entry, as Linux's preallocated
            // one.)
            return Ok(false);
        }
        let room = queued < MAX_QUEUED && queue.try_reserve(1).is_ok();
        if room {
            queue.push(SigQueue { info, timer });
        } else if !legacy && from_user {
            return Err(EAGAIN);
        }
        *set |= bit;
        if room {
            s.queued += 1;
        }
    }
    complete_signal(sig, target, shared);
    Ok(true)
}

/// A signal the kernel raises for a CPU fault in the current thread (Linux's
/// force_sig_fault): delivered to a handler if there is one; if the signal
/// is blocked or ignored, the handler is reset to the default and the
/// signal unblocked, so the fault ends the process rather than repeating.
pub fn force_sig(info: Siginfo) {
    let t = current();
    let sig = info.si_signo as u64;
    {
        let mut h = t.sighand.borrow_mut();
        let a = &mut h.actions[sig as usize - 1];
        let blocked = t.blocked & sigmask(sig) != 0;
        if blocked || a.sa_handler == SIG_IGN {
            a.sa_handler = SIG_DFL;
        }
        if blocked {
            t.blocked &= !sigmask(sig);
        }
    }
    let pid = t.pid;
    let _ = send_signal(sig, info, pid, false, false, None);
}

/// The lowest-numbered signal of `set`, fault signals first (Linux's
/// next_signal).
fn next_signal(set: u64) -> Option<u64> {
    if set == 0 {
        return None;
    }
    let x = if set & SYNCHRONOUS_MASK != 0 {
        set & SYNCHRONOUS_MASK
    } else {
        set
    };
    Some(u64::from(x.trailing_zeros()) + 1)
}

/// Takes `sig`'s first entry from a queue, clearing its bit when no other
/// entry of it remains. Without an entry (its siginfo was lost), a bare
/// SI_USER siginfo.
fn take(queue: &mut Vec<SigQueue>, set: &mut u64, sig: u64) -> (SigQueue, bool) {
    let found = queue.iter().position(|q| q.info.si_signo as u64 == sig);
    let entry = match found {
        Some(i) => queue.remove(i),
        None => SigQueue {
            info: Siginfo::kill(sig, abi::linux::signal::SI_USER, 0, 0),
            timer: None,
        },
    };
    if !queue.iter().any(|q| q.info.si_signo as u64 == sig) {
        *set &= !sigmask(sig);
    }
    (entry, found.is_some())
}

/// Takes the next pending signal of the current thread that `allowed`
/// lets through: its own queue first, then its group's (Linux's
/// dequeue_signal). A POSIX timer's signal gets the timer's overrun count.
pub fn dequeue_signal(allowed: u64) -> Option<Siginfo> {
    let t = current();
    let signal = t.signal.clone();
    let (entry, had) = {
        let mut s = signal.borrow_mut();
        if let Some(sig) = next_signal(t.pending & allowed) {
            take(&mut t.sigqueue, &mut t.pending, sig)
        } else if let Some(sig) = next_signal(s.shared_pending & allowed) {
            let Signal {
                shared_queue,
                shared_pending,
                ..
            } = &mut *s;
            take(shared_queue, shared_pending, sig)
        } else {
            drop(s);
            recalc_sigpending(t);
            return None;
        }
    };
    if had {
        signal.borrow_mut().queued -= 1;
    }
    recalc_sigpending(t);
    let mut info = entry.info;
    if let Some(id) = entry.timer {
        itimer::dequeued(&signal, id, &mut info);
    }
    Some(info)
}

/// Empties a thread's own queue (at exit, and for a new task's record).
pub fn flush_thread(t: &mut Task) {
    let n = t.sigqueue.len() as u64;
    t.sigqueue.clear();
    t.pending = 0;
    let mut s = t.signal.borrow_mut();
    s.queued = s.queued.saturating_sub(n as usize);
}

/// Drops the queued signals of POSIX timers from `t`'s queue and its
/// group's (Linux's flush_itimer_signals, at execve, once the timers are
/// gone): a signal's bit stays set while another entry of it remains.
pub fn flush_itimer_signals(t: &mut Task) {
    fn drop_timer_entries(queue: &mut Vec<SigQueue>, set: &mut u64) -> usize {
        let before = queue.len();
        let mut flushed = 0u64;
        queue.retain(|q| {
            if q.timer.is_some() {
                flushed |= sigmask(q.info.si_signo as u64);
            }
            q.timer.is_none()
        });
        let mut kept = 0u64;
        for q in queue.iter() {
            kept |= sigmask(q.info.si_signo as u64);
        }
        *set &= !(flushed & !kept);
        before - queue.len()
    }
    let signal = t.signal.clone();
    let mut s = signal.borrow_mut();
    let Signal {
        shared_queue,
        shared_pending,
        ..
    } = &mut *s;
    let mut dropped = drop_timer_entries(shared_queue, shared_pending);
    dropped += drop_timer_entries(&mut t.sigqueue, &mut t.pending);
    s.queued = s.queued.saturating_sub(dropped);
}

/// After a handler changes to SIG_IGN (or SIG_DFL for a signal ignored by
/// default), pending instances are discarded in every thread of the group,
/// as POSIX requires.
pub fn discard_ignored(t: &Task, sig: u64) {
    let h = t.sighand.borrow().actions[sig as usize - 1].sa_handler;
    if !(h == SIG_IGN || (h == SIG_DFL && default_ignored(sig))) {
        return;
    }
    let signal = t.signal.clone();
    let mut s = signal.borrow_mut();
    let mut dropped = 0;
    let before = s.shared_queue.len();
    let Signal {
        shared_queue,
        shared_pending,
        ..
    } = &mut *s;
    flush(shared_queue, shared_pending, sigmask(sig));
    dropped += before - s.shared_queue.len();
    for th in s.threads() {
        let before = th.sigqueue.len();
        flush(&mut th.sigqueue, &mut th.pending, sigmask(sig));
        dropped += before - th.sigqueue.len();
    }
    s.queued = s.queued.saturating_sub(dropped);
}

/// The siginfo of kill(2) and friends from the current thread.
pub fn user_info(sig: u64, code: i32) -> Siginfo {
    Siginfo::kill(sig, code, current().tgid, 0)
}
