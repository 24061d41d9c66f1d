//! Signals: kill queues on the target process's `shared_pending`, tgkill and
//! tkill on one thread's `pending`; the blocked mask is per thread. Handlers
//! are stored (rt_sigaction) but not run yet, so what happens is the
//! default action: fatal signals end the whole thread group (status = the
//! signal), SIGCHLD / SIGCONT / SIGURG / SIGWINCH are discarded, and so is a
//! signal whose handler is SIG_IGN. A signal with a user handler stays
//! pending until delivery exists.

use abi::linux::fs::{PIDFD_NONBLOCK, PIDFD_THREAD};
use abi::linux::signal::{
    NSIG, SIGCHLD, SIGCONT, SIGKILL, SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU, SIGURG, SIGWINCH,
    SIG_BLOCK, SIG_DFL, SIG_IGN, SIG_SETMASK, SIG_UNBLOCK,
};

use crate::errno::*;
use crate::mm::uaccess::{read_user, write_user};
use crate::task::{current, kernel, task, with_mm, Pid};

fn bit(sig: u64) -> u64 {
    1 << (sig - 1)
}

/// Default action: does this signal end the process?
fn default_fatal(sig: u64) -> bool {
    // SIGCHLD, SIGCONT, SIGURG, SIGWINCH are ignored by default; stop
    // signals (SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU) do nothing without job
    // control here.
    !matches!(
        sig,
        SIGCHLD | SIGCONT | SIGURG | SIGWINCH | SIGSTOP | SIGTSTP | SIGTTIN | SIGTTOU
    )
}

/// What a thread of group `tgid` does with `sig` now: nothing (blocked,
/// ignored, or waiting for handler delivery), or die.
fn act_on(pid: Pid, sig: u64) {
    let Some(t) = task(pid) else { return };
    let handler = t.sighand.borrow().actions[sig as usize - 1].sa_handler;
    let blocked = t.blocked & bit(sig) != 0 && sig != SIGKILL;
    let dies = sig == SIGKILL || (!blocked && handler == SIG_DFL && default_fatal(sig));
    let discard = sig != SIGKILL
        && !blocked
        && (handler == SIG_IGN || (handler == SIG_DFL && !default_fatal(sig)));
    if discard {
        t.pending &= !bit(sig);
        t.signal.borrow_mut().shared_pending &= !bit(sig);
    }
    if !dies {
        return;
    }
    let tgid = t.tgid;
    let status = sig as i32;
    if tgid == 1 {
        crate::hypercall::killed(status, None);
    }
    if current().tgid == tgid {
        super::exit::kill_group(status);
        super::exit::do_exit(status);
    }
    // Another process: mark all its threads; they exit when next run.
    super::exit::kill_threads(&t.signal.clone(), status, None);
}

fn check_sig(sig: u64) -> KResult<()> {
    if sig > NSIG {
        Err(EINVAL)
    } else {
        Ok(())
    }
}

/// A thread of process `tgid` to act on its shared signal.
fn some_thread(tgid: Pid) -> Option<Pid> {
    task(tgid).and_then(|l| l.signal.borrow().threads().next().map(|t| t.pid))
}

pub fn kill(pid: u64, sig: u64) -> KResult<u64> {
    check_sig(sig)?;
    let pid = pid as i64 as i32;
    let me = current().tgid;
    let targets: alloc::vec::Vec<Pid> = match pid {
        p if p > 0 => {
            if task(p).is_none_or(|t| t.pid != t.tgid || t.signal.borrow().nr_threads == 0) {
                return Err(ESRCH);
            }
            alloc::vec![p]
        }
        0 => alloc::vec![me],
        -1 => kernel()
            .tasks
            .values()
            .filter(|t| {
                t.pid == t.tgid && t.pid != 1 && t.pid != me && !t.signal.borrow().nr_threads == 0
            })
            .map(|t| t.pid)
            .collect(),
        _ => return Err(ESRCH),
    };
    if sig == 0 {
        return Ok(0);
    }
    for tgid in targets {
        if let Some(l) = task(tgid) {
            l.signal.borrow_mut().shared_pending |= bit(sig);
        }
        if let Some(t) = some_thread(tgid) {
            act_on(t, sig);
        }
    }
    Ok(0)
}

pub fn tgkill(tgid: u64, tid: u64, sig: u64) -> KResult<u64> {
    let (tgid, tid) = (tgid as i64 as i32, tid as i64 as i32);
    if tgid <= 0 || tid <= 0 {
        return Err(EINVAL);
    }
    check_sig(sig)?;
    match task(tid) {
        Some(t) if t.tgid == tgid => {}
        _ => return Err(ESRCH),
    }
    send_to_thread(tid, sig)
}

pub fn tkill(tid: u64, sig: u64) -> KResult<u64> {
    let tid = tid as i64 as i32;
    if tid <= 0 {
        return Err(EINVAL);
    }
    check_sig(sig)?;
    if task(tid).is_none() {
        return Err(ESRCH);
    }
    send_to_thread(tid, sig)
}

fn send_to_thread(tid: Pid, sig: u64) -> KResult<u64> {
    if sig == 0 {
        return Ok(0);
    }
    if let Some(t) = task(tid) {
        t.pending |= bit(sig);
    }
    act_on(tid, sig);
    Ok(0)
}

pub fn rt_sigprocmask(how: u64, set: u64, oldset: u64, sigsetsize: u64) -> KResult<u64> {
    if sigsetsize != 8 {
        return Err(EINVAL);
    }
    let old = current().blocked;
    let new = if set != 0 {
        let s: u64 = with_mm(|mm| read_user(mm, set))?;
        Some(match how {
            SIG_BLOCK => old | s,
            SIG_UNBLOCK => old & !s,
            SIG_SETMASK => s,
            _ => return Err(EINVAL),
        })
    } else {
        None
    };
    if oldset != 0 {
        with_mm(|mm| write_user(mm, oldset, &old))?;
    }
    if let Some(new) = new {
        // SIGKILL and SIGSTOP cannot be blocked.
        current().blocked = new & !(bit(SIGKILL) | bit(SIGSTOP));
        // Signals that were waiting only because they were blocked.
        let t = current();
        let waiting = (t.pending | t.signal.borrow().shared_pending) & !t.blocked;
        let pid = t.pid;
        for sig in 1..=NSIG {
            if waiting & bit(sig) != 0 {
                act_on(pid, sig);
            }
        }
    }
    Ok(0)
}

/// pidfd_send_signal(pidfd, sig, info, flags): kill() through a pidfd. A
/// siginfo argument and the PIDFD_SIGNAL_* scope flags are not supported
/// (EINVAL).
pub fn pidfd_send_signal(pidfd: u64, sig: u64, info: u64, flags: u64) -> KResult<u64> {
    if flags != 0 || info != 0 {
        return Err(EINVAL);
    }
    let pid = super::fs::pidfd_pid(pidfd)?;
    check_sig(sig)?;
    match task(pid) {
        Some(t) if t.pid == t.tgid && t.signal.borrow().nr_threads > 0 => {}
        _ => return Err(ESRCH),
    }
    kill(pid as u64, sig)
}

/// pidfd_open(pid, flags): a pidfd for a process (a thread with
/// PIDFD_THREAD).
pub fn pidfd_open(pid: u64, flags: u64) -> KResult<u64> {
    if flags & !(PIDFD_NONBLOCK | PIDFD_THREAD) != 0 {
        return Err(EINVAL);
    }
    let pid = pid as i64;
    if pid <= 0 || pid > i32::MAX as i64 {
        return Err(EINVAL);
    }
    let pid = pid as Pid;
    let t = task(pid).ok_or(ESRCH)?;
    if flags & PIDFD_THREAD == 0 && t.pid != t.tgid {
        return Err(ENOENT);
    }
    super::fs::install_pidfd(pid)
}
