//! The signal system calls: sending (kill, tgkill, tkill, rt_sigqueueinfo,
//! rt_tgsigqueueinfo, pidfd_send_signal), actions and masks
//! (rt_sigaction, rt_sigprocmask, rt_sigpending, sigaltstack), waiting
//! (rt_sigsuspend, pause, rt_sigtimedwait) and rt_sigreturn. Checks run
//! in Linux's order, so each bad argument gets Linux's errno. The
//! machinery is `crate::signal`.

use abi::linux::signal::{
    SA_NOCLDSTOP, SA_NOCLDWAIT, SA_NODEFER, SA_ONSTACK, SA_RESETHAND, SA_RESTART, SA_RESTORER,
    SA_SIGINFO, SIGKILL, SIGSTOP, SIG_BLOCK, SIG_SETMASK, SIG_UNBLOCK, SI_TKILL, SI_USER,
    UNBLOCKABLE,
};
use abi::linux::uapi::{Siginfo, StackT};

use crate::arch::trapframe::TrapFrame;
use crate::errno::*;
use crate::mm::uaccess::{read_user, write_user};
use crate::sched;
use crate::signal::{self, send_signal, user_info, valid};
use crate::task::{current, kernel, task, with_mm, Pid, State, WaitOn};

use abi::linux::signal::SIGSET_SIZE;

/// `sa_flags` bits Linux keeps (UAPI_SA_FLAGS with x86's SA_RESTORER and
/// SA_EXPOSE_TAGBITS); others are cleared, so a program can tell an
/// unsupported flag from its absence.
const UAPI_SA_FLAGS: u64 = SA_NOCLDSTOP
    | SA_NOCLDWAIT
    | SA_SIGINFO
    | SA_ONSTACK
    | SA_RESTART
    | SA_NODEFER
    | SA_RESETHAND
    | SA_RESTORER
    | 0x800;

/// A process with this tgid that has not been reaped: signals to a zombie
/// succeed (and are thrown away), as Linux's do until the parent reaps it.
fn live_process(pid: Pid) -> bool {
    task(pid).is_some_and(|t| t.pid == t.tgid)
}

/// Sends `sig` (already checked to be valid or 0) to process `tgid`.
fn group_send(sig: u64, info: Siginfo, tgid: Pid, from_user: bool) -> KResult<u64> {
    if sig == 0 {
        return Ok(0);
    }
    send_signal(sig, info, tgid, true, from_user, None)?;
    Ok(0)
}

pub fn kill(pid: u64, sig: u64) -> KResult<u64> {
    let pid = pid as i64 as i32;
    let me = current().tgid;
    let targets: alloc::vec::Vec<Pid> = match pid {
        p if p > 0 => {
            if !live_process(p) {
                return Err(ESRCH);
            }
            alloc::vec![p]
        }
        // No process groups: the caller's group is the caller.
        0 => alloc::vec![me],
        -1 => {
            let all: alloc::vec::Vec<Pid> = kernel()
                .tasks
                .values()
                .filter(|t| t.pid == t.tgid && t.pid != 1 && t.pid != me)
                .map(|t| t.pid)
                .collect();
            if all.is_empty() {
                return Err(ESRCH);
            }
            all
        }
        _ => return Err(ESRCH),
    };
    if sig != 0 && !valid(sig) {
        return Err(EINVAL);
    }
    for tgid in targets {
        group_send(sig, user_info(sig, SI_USER), tgid, false)?;
    }
    Ok(0)
}

/// Sends `sig` to thread `tid` (of group `tgid` if that is positive).
fn do_send_specific(tgid: Pid, tid: Pid, sig: u64, info: Siginfo, from_user: bool) -> KResult<u64> {
    let exited = match task(tid) {
        Some(t) if tgid <= 0 || t.tgid == tgid => t.state == State::Zombie,
        _ => return Err(ESRCH),
    };
    if sig > abi::linux::signal::NSIG {
        return Err(EINVAL);
    }
    // An exited leader's record lives on while its group does: the call
    // succeeds, and nothing could ever take the signal.
    if sig == 0 || exited {
        return Ok(0);
    }
    send_signal(sig, info, tid, false, from_user, None)?;
    Ok(0)
}

pub fn tgkill(tgid: u64, tid: u64, sig: u64) -> KResult<u64> {
    let (tgid, tid) = (tgid as i64 as i32, tid as i64 as i32);
    if tgid <= 0 || tid <= 0 {
        return Err(EINVAL);
    }
    do_send_specific(tgid, tid, sig, user_info(sig, SI_TKILL), false)
}

pub fn tkill(tid: u64, sig: u64) -> KResult<u64> {
    let tid = tid as i64 as i32;
    if tid <= 0 {
        return Err(EINVAL);
    }
    do_send_specific(0, tid, sig, user_info(sig, SI_TKILL), false)
}

/// A siginfo from user space for `sig`, with si_signo forced to it.
fn info_from_user(uinfo: u64, sig: u64) -> KResult<Siginfo> {
    let mut info: Siginfo = with_mm(|mm| read_user(mm, uinfo))?;
    info.si_signo = sig as i32;
    Ok(info)
}

/// Only the kernel sends with si_code >= 0, and only tgkill says SI_TKILL:
/// a program may claim either only when signalling itself.
fn may_forge(info: &Siginfo, target: Pid) -> KResult<()> {
    if (info.si_code >= 0 || info.si_code == SI_TKILL) && current().pid != target {
        return Err(EPERM);
    }
    Ok(())
}

pub fn rt_sigqueueinfo(pid: u64, sig: u64, uinfo: u64) -> KResult<u64> {
    let pid = pid as i64 as i32;
    let info = info_from_user(uinfo, sig)?;
    may_forge(&info, pid)?;
    if pid <= 0 || !live_process(pid) {
        return Err(ESRCH);
    }
    if sig > abi::linux::signal::NSIG {
        return Err(EINVAL);
    }
    group_send(sig, info, pid, true)
}

pub fn rt_tgsigqueueinfo(tgid: u64, tid: u64, sig: u64, uinfo: u64) -> KResult<u64> {
    let (tgid, tid) = (tgid as i64 as i32, tid as i64 as i32);
    if tgid <= 0 || tid <= 0 {
        return Err(EINVAL);
    }
    let info = info_from_user(uinfo, sig)?;
    may_forge(&info, tid)?;
    do_send_specific(tgid, tid, sig, info, true)
}

/// pidfd_send_signal(pidfd, sig, info, flags): kill() through a pidfd,
/// optionally with a siginfo as rt_sigqueueinfo's. No flags exist yet
/// (EINVAL).
pub fn pidfd_send_signal(pidfd: u64, sig: u64, uinfo: u64, flags: u64) -> KResult<u64> {
    if flags != 0 {
        return Err(EINVAL);
    }
    let pid = super::fs::pidfd_pid(pidfd)?;
    let info = if uinfo != 0 {
        let info: Siginfo = with_mm(|mm| read_user(mm, uinfo))?;
        if info.si_signo as u64 != sig {
            return Err(EINVAL);
        }
        if current().tgid != pid && (info.si_code >= 0 || info.si_code == SI_TKILL) {
            return Err(EPERM);
        }
        info
    } else {
        user_info(sig, SI_USER)
    };
    if !live_process(pid) {
        return Err(ESRCH);
    }
    if sig > abi::linux::signal::NSIG {
        return Err(EINVAL);
    }
    group_send(sig, info, pid, uinfo != 0)
}

/// pidfd_open(pid, flags): a pidfd for a process (a thread with
/// PIDFD_THREAD).
pub fn pidfd_open(pid: u64, flags: u64) -> KResult<u64> {
    use abi::linux::fs::{PIDFD_NONBLOCK, PIDFD_THREAD};
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

pub fn rt_sigaction(sig: u64, act: u64, oldact: u64, sigsetsize: u64) -> KResult<u64> {
    if sigsetsize != SIGSET_SIZE {
        return Err(EINVAL);
    }
    let new = if act != 0 {
        Some(with_mm(|mm| read_user::<abi::task::KSigaction>(mm, act))?)
    } else {
        None
    };
    if !valid(sig) || (new.is_some() && (sig == SIGKILL || sig == SIGSTOP)) {
        return Err(EINVAL);
    }
    let t = current();
    let mut old = t.sighand.borrow().actions[sig as usize - 1];
    old.sa_flags &= UAPI_SA_FLAGS;
    if let Some(mut new) = new {
        new.sa_flags &= UAPI_SA_FLAGS;
        new.sa_mask &= !UNBLOCKABLE;
        t.sighand.borrow_mut().actions[sig as usize - 1] = new;
        signal::discard_ignored(t, sig);
    }
    if oldact != 0 {
        with_mm(|mm| write_user(mm, oldact, &old))?;
    }
    Ok(0)
}

/// Sets the current thread's mask. Signals it now blocks that are pending
/// for the whole process are offered to another thread that can take them
/// (Linux's retarget_shared_pending).
fn set_blocked(new: u64) {
    let t = current();
    let newly = new & !t.blocked;
    t.blocked = new & !UNBLOCKABLE;
    signal::recalc_sigpending(t);
    let shared = t.signal.borrow().shared_pending & newly;
    if shared == 0 {
        return;
    }
    let me = t.pid;
    let others: alloc::vec::Vec<Pid> = t
        .signal
        .borrow()
        .threads()
        .filter(|o| o.pid != me && o.blocked & shared != shared)
        .map(|o| o.pid)
        .collect();
    for pid in others {
        if let Some(o) = task(pid) {
            if shared & !o.blocked != 0 {
                signal::signal_wake_up(o);
            }
        }
    }
}

pub fn rt_sigprocmask(how: u64, set: u64, oldset: u64, sigsetsize: u64) -> KResult<u64> {
    if sigsetsize != SIGSET_SIZE {
        return Err(EINVAL);
    }
    let old = current().blocked;
    if set != 0 {
        let s: u64 = with_mm(|mm| read_user(mm, set))?;
        let s = s & !UNBLOCKABLE;
        let new = match how {
            SIG_BLOCK => old | s,
            SIG_UNBLOCK => old & !s,
            SIG_SETMASK => s,
            _ => return Err(EINVAL),
        };
        set_blocked(new);
    }
    if oldset != 0 {
        with_mm(|mm| write_user(mm, oldset, &old))?;
    }
    Ok(0)
}

pub fn rt_sigpending(uset: u64, sigsetsize: u64) -> KResult<u64> {
    if sigsetsize > SIGSET_SIZE {
        return Err(EINVAL);
    }
    let t = current();
    let set = (t.pending | t.signal.borrow().shared_pending) & t.blocked;
    let bytes = set.to_le_bytes();
    with_mm(|mm| crate::mm::uaccess::copy_to_user(mm, uset, &bytes[..sigsetsize as usize]))?;
    Ok(0)
}

/// Sleeps until a signal is pending (pause, sigsuspend).
fn wait_for_signal() {
    while !signal::pending() {
        sched::block(WaitOn::Signal(0));
    }
}

pub fn pause() -> KResult<u64> {
    wait_for_signal();
    Err(ERESTARTNOHAND)
}

/// rt_sigsuspend(mask, size): waits for a signal with `mask` in place; the
/// handler runs with it too, and the old mask comes back when it returns.
pub fn rt_sigsuspend(umask: u64, sigsetsize: u64) -> KResult<u64> {
    if sigsetsize != SIGSET_SIZE {
        return Err(EINVAL);
    }
    let mask: u64 = with_mm(|mm| read_user(mm, umask))?;
    let t = current();
    t.saved_sigmask = Some(t.blocked);
    t.blocked = mask & !UNBLOCKABLE;
    signal::recalc_sigpending(t);
    wait_for_signal();
    Err(ERESTARTNOHAND)
}

/// rt_sigtimedwait(set, info, timeout, size): takes a pending signal of
/// `set` (blocked or not) without running its handler, waiting for one up
/// to `timeout` (none: forever; zero: not at all). EAGAIN when the time
/// runs out, EINTR when another signal interrupts the wait.
pub fn rt_sigtimedwait(uthese: u64, uinfo: u64, uts: u64, sigsetsize: u64) -> KResult<u64> {
    if sigsetsize != SIGSET_SIZE {
        return Err(EINVAL);
    }
    let these: u64 = with_mm(|mm| read_user(mm, uthese))?;
    let timeout = if uts != 0 {
        Some(super::time::read_timespec(uts)?)
    } else {
        None
    };
    let these = these & !UNBLOCKABLE;
    let mut got = signal::dequeue_signal(these);
    let mut interrupted = false;
    if got.is_none() && timeout != Some(0) {
        let t = current();
        let pid = t.pid;
        t.real_blocked = t.blocked;
        t.blocked &= !these;
        signal::recalc_sigpending(t);
        let deadline = timeout.map_or(0, |ns| {
            crate::arch::rdtsc()
                .saturating_add(crate::timer::ns_to_tsc(ns))
                .max(1)
        });
        t.timed_out = false;
        if deadline != 0 {
            kernel().sleepers.insert((deadline, pid));
            crate::timer::rearm();
        }
        if !signal::pending() {
            sched::block(WaitOn::Signal(deadline));
        }
        if deadline != 0 {
            kernel().sleepers.remove(&(deadline, pid));
        }
        let t = current();
        interrupted = !t.timed_out;
        t.blocked = t.real_blocked;
        t.real_blocked = 0;
        signal::recalc_sigpending(t);
        got = signal::dequeue_signal(these);
    }
    match got {
        Some(info) => {
            if uinfo != 0 {
                with_mm(|mm| write_user(mm, uinfo, &info))?;
            }
            Ok(info.si_signo as u64)
        }
        None if interrupted => Err(EINTR),
        None => Err(EAGAIN),
    }
}

/// sigaltstack(ss, old_ss) for the thread whose user rsp is in `frame`.
pub fn sigaltstack(uss: u64, uoss: u64, frame: &TrapFrame) -> KResult<u64> {
    let new = if uss != 0 {
        Some(with_mm(|mm| read_user::<StackT>(mm, uss))?)
    } else {
        None
    };
    let old = signal::frame::do_sigaltstack(new, frame.rsp, abi::linux::signal::MINSIGSTKSZ)?;
    if uoss != 0 {
        with_mm(|mm| write_user(mm, uoss, &old))?;
    }
    Ok(0)
}

pub fn rt_sigreturn(frame: &mut TrapFrame) -> KResult<u64> {
    signal::frame::restore_rt_frame(frame)
}
