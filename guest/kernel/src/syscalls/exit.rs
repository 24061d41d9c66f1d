//! exit, exit_group and wait4, with Linux's thread-group rules: non-leader
//! threads are reaped at once; a leader that exits first stays a zombie,
//! not waitable, until its group is empty; the group's status is exit_group's
//! code, or else the last exiter's.

use crate::errno::*;
use crate::list;
use crate::mm::uaccess::write_user;
use crate::sched;
use crate::task::{self, current, kernel, task, Pid, State, Task, WaitOn};

pub const SIGCHLD: i32 = abi::linux::signal::SIGCHLD as i32;

/// Ends the current thread with wait status `wstatus` (code << 8, or a
/// signal number). Never returns.
pub fn do_exit(wstatus: i32) -> ! {
    let t = current();
    let (pid, tgid) = (t.pid, t.tgid);
    // CLONE_CHILD_CLEARTID: zero the word and wake one waiter, if anyone
    // else can see this memory. Faults are ignored, as on Linux.
    if t.clear_child_tid != 0 && t.mm.count() > 1 {
        let addr = t.clear_child_tid;
        let key = {
            let mut mm = t.mm.borrow_mut();
            let _ = write_user::<u32>(&mut mm, addr, &0);
            super::futex::key_of(&mut mm, addr, false)
        };
        if let Some(key) = key {
            super::futex::wake(key, 1, u32::MAX);
        }
    }
    if let Some(parent) = t.vfork_parent.take() {
        if task(parent).is_some_and(|p| p.wait == WaitOn::Vfork(pid)) {
            sched::wake(parent);
        }
    }
    // No owned value may live across the final schedule(): this frame is
    // never returned to, so its locals would never be dropped.
    let (group_done, heir) = {
        let mut s = t.signal.borrow_mut();
        list::del(&mut t.thread_node);
        s.nr_threads -= 1;
        s.last_status = wstatus;
        (
            s.nr_threads == 0,
            s.threads().next().map(|h| h as *mut Task),
        )
    };
    forget_original_parent(t, heir);
    if pid == tgid {
        t.state = State::Zombie;
    } else {
        let mut me = task::unhash(pid).expect("current task missing");
        me.state = State::Dead;
        kernel().dead.push(me);
    }
    if group_done {
        group_exited(tgid);
    }
    sched::schedule();
    unreachable!("an exited task was scheduled again");
}

/// The last thread of group `tgid` is gone: the leader becomes waitable, its
/// children go to init, and its parent hears of it.
fn group_exited(tgid: Pid) {
    let leader = task(tgid).expect("group leader missing");
    let status = {
        let s = leader.signal.borrow();
        s.group_exit().unwrap_or(s.last_status)
    };
    if tgid == 1 {
        // The first program is the guest's init: the run ends with it.
        if status & 0x7f == 0 {
            crate::hypercall::exit((status >> 8) & 0xff);
        }
        crate::hypercall::killed(status & 0x7f, None);
    }
    leader.exit_code = status;
    let parent = leader.parent_tgid();
    let waiters: alloc::vec::Vec<Pid> = kernel()
        .tasks
        .values()
        .filter(|t| (t.tgid == parent || t.tgid == 1) && t.wait == WaitOn::Child)
        .map(|t| t.pid)
        .collect();
    for w in waiters {
        sched::wake(w);
    }
}

/// The exiting thread's children go to `heir`, a live thread of its group
/// (they keep the same parent process), or, when it was the last, to a live
/// thread of init (Linux's find_new_reaper without subreapers).
fn forget_original_parent(t: &mut Task, heir: Option<*mut Task>) {
    let reaper = match heir {
        Some(h) => h,
        None => {
            // A live thread of init (its leader may have exited first).
            let init = task(1).expect("init missing");
            let live = init
                .signal
                .borrow()
                .threads()
                .next()
                .map(|t| t as *mut Task);
            live.unwrap_or(init)
        }
    };
    for c in t.children() {
        list::del(&mut c.sibling);
        c.real_parent = reaper;
        // SAFETY: the reaper is a live record (a live thread, or init,
        // whose record lives for the whole run).
        unsafe { list::add_tail(&mut c.sibling, &mut (*reaper).children) };
    }
}

pub fn exit(code: u64) -> KResult<u64> {
    do_exit(((code as i32) & 0xff) << 8)
}

/// exit_group: every thread of the group ends; the group's status is this
/// code whatever the others were doing.
pub fn exit_group(code: u64) -> KResult<u64> {
    let status = ((code as i32) & 0xff) << 8;
    kill_group(status);
    do_exit(status)
}

/// Marks every other thread of the current group for exit with `status`.
pub fn kill_group(status: i32) {
    let t = current();
    kill_threads(&t.signal.clone(), status, Some(t.pid));
}

/// Ends group `signal` with `status`: every thread but `except` is marked
/// and woken; each exits when it next runs.
pub fn kill_threads(
    signal: &crate::krc::KRc<crate::task::Signal>,
    status: i32,
    except: Option<Pid>,
) {
    let others: alloc::vec::Vec<Pid> = {
        let mut s = signal.borrow_mut();
        s.set_group_exit(status);
        s.threads()
            .map(|o| o.pid)
            .filter(|&p| Some(p) != except)
            .collect()
    };
    for p in others {
        if let Some(o) = task(p) {
            o.killed = 1;
            if o.state == State::Blocked {
                sched::wake(p);
            }
        }
    }
}

/// The children wait4 and waitid look at: those of every thread in the
/// caller's group, or with __WNOTHREAD only the caller's own.
fn my_children(options: u64) -> alloc::vec::Vec<&'static mut Task> {
    let me = current();
    if options & WNOTHREAD != 0 {
        return me.children();
    }
    let signal = me.signal.clone();
    let s = signal.borrow();
    s.threads().flat_map(|t| t.children()).collect()
}

/// Reaps a zombie leader: off every list, record and stack freed.
fn release_task(pid: Pid) {
    if let Some(mut t) = task::unhash(pid) {
        t.state = State::Dead;
        task::free_task(t);
    }
}

const WNOHANG: u64 = 1;
const WUNTRACED: u64 = 2;
const WCONTINUED: u64 = 8;
const WNOTHREAD: u64 = 0x2000_0000;
const WALL: u64 = 0x4000_0000;
const WCLONE: u64 = 0x8000_0000;

pub fn wait4(pid: u64, status_ptr: u64, options: u64, rusage: u64) -> KResult<u64> {
    // `int options` in Linux: only the low 32 bits exist.
    let options = options as u32 as u64;
    if options & !(WNOHANG | WUNTRACED | WCONTINUED | WNOTHREAD | WCLONE | WALL) != 0 {
        return Err(EINVAL);
    }
    let want = pid as i64 as i32;
    loop {
        let mut any = false;
        let mut reapable = None;
        for t in my_children(options) {
            if want > 0 && t.pid != want {
                continue;
            }
            let is_clone = t.exit_signal != SIGCHLD;
            if options & WALL == 0 && (options & WCLONE != 0) != is_clone {
                continue;
            }
            any = true;
            if t.state == State::Zombie && t.signal.borrow().nr_threads == 0 {
                reapable = Some((t.pid, t.exit_code));
                break;
            }
        }
        if let Some((child, status)) = reapable {
            if status_ptr != 0 {
                crate::task::with_mm(|mm| write_user(mm, status_ptr, &status))?;
            }
            if rusage != 0 {
                crate::task::with_mm(|mm| write_user(mm, rusage, &[0u64; 18]))?;
            }
            release_task(child);
            return Ok(child as u64);
        }
        if !any {
            return Err(ECHILD);
        }
        if options & WNOHANG != 0 {
            return Ok(0);
        }
        sched::block(WaitOn::Child);
    }
}

const P_ALL: u64 = 0;
const P_PID: u64 = 1;
const P_PGID: u64 = 2;
const P_PIDFD: u64 = 3;
const WEXITED: u64 = 4;
const WSTOPPED: u64 = 2;
const WNOWAIT: u64 = 0x0100_0000;
const CLD_EXITED: i32 = 1;
const CLD_KILLED: i32 = 2;

/// waitid: like wait4, with the result in a siginfo_t (si_signo SIGCHLD,
/// si_code CLD_EXITED or CLD_KILLED, si_pid, si_uid, si_status) and
/// WNOWAIT to look without reaping.
pub fn waitid(idtype: u64, id: u64, infop: u64, options: u64, rusage: u64) -> KResult<u64> {
    let options = options as u32 as u64;
    if options & !(WNOHANG | WSTOPPED | WEXITED | WCONTINUED | WNOWAIT | WNOTHREAD | WCLONE | WALL)
        != 0
    {
        return Err(EINVAL);
    }
    if options & (WEXITED | WSTOPPED | WCONTINUED) == 0 {
        return Err(EINVAL);
    }
    let want = match idtype {
        P_ALL => -1,
        P_PID => {
            let p = id as u32 as i32;
            if p <= 0 {
                return Err(EINVAL);
            }
            p
        }
        // No process groups: each process is its own group.
        P_PGID => id as u32 as i32,
        P_PIDFD => super::fs::pidfd_pid(id)?,
        _ => return Err(EINVAL),
    };
    loop {
        let mut any = false;
        let mut found = None;
        for t in my_children(options) {
            if want > 0 && t.pid != want {
                continue;
            }
            let is_clone = t.exit_signal != SIGCHLD;
            if options & WALL == 0 && (options & WCLONE != 0) != is_clone {
                continue;
            }
            any = true;
            if options & WEXITED != 0
                && t.state == State::Zombie
                && t.signal.borrow().nr_threads == 0
            {
                found = Some((t.pid, t.exit_code));
                break;
            }
        }
        if let Some((child, status)) = found {
            if infop != 0 {
                let (code, value) = if status & 0x7f == 0 {
                    (CLD_EXITED, (status >> 8) & 0xff)
                } else {
                    (CLD_KILLED, status & 0x7f)
                };
                let mut info = [0i32; 32];
                info[0] = SIGCHLD;
                info[2] = code;
                info[4] = child;
                info[5] = 0; // si_uid
                info[6] = value;
                crate::task::with_mm(|mm| write_user(mm, infop, &info))?;
            }
            if rusage != 0 {
                crate::task::with_mm(|mm| write_user(mm, rusage, &[0u64; 18]))?;
            }
            if options & WNOWAIT == 0 {
                release_task(child);
            }
            return Ok(0);
        }
        if !any {
            return Err(ECHILD);
        }
        if options & WNOHANG != 0 {
            if infop != 0 {
                // No child changed state: si_pid (and the rest) read as zero.
                crate::task::with_mm(|mm| write_user(mm, infop, &[0i32; 32]))?;
            }
            return Ok(0);
        }
        sched::block(WaitOn::Child);
    }
}
