//! exit, exit_group, and wait4 and waitid (argument checks and translation
//! around one `do_wait`), with Linux's thread-group rules: non-leader
//! threads are reaped at once; a leader that exits first stays a zombie,
//! not waitable, until its group is empty; the group's status is
//! exit_group's code, or else the last exiter's.

use abi::linux::signal::{CLD_EXITED, CLD_KILLED};
use abi::linux::wait::{
    __WALL, __WCLONE, __WNOTHREAD, P_ALL, P_PGID, P_PID, P_PIDFD, WCONTINUED, WEXITED, WNOHANG,
    WNOWAIT, WSTOPPED, WUNTRACED,
};

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
    mm_release(t);
    // Linux empties an exiting thread's own queue: nothing can take it.
    if !t.keep_pending_at_exit {
        crate::signal::flush_thread(t);
    }
    t.sigpending = 0;
    exit_files(t);
    // No owned value may live across the final schedule(): this frame is
    // never returned to, so its locals would never be dropped.
    let (group_done, heir, exec_waiter) = {
        let mut s = t.signal.borrow_mut();
        list::del(&mut t.thread_node);
        s.nr_threads -= 1;
        s.last_status = wstatus;
        // The last thread an execve in the group waits for.
        let waiter = (s.group_exec_task != 0 && s.nr_threads == 1).then_some(s.group_exec_task);
        (
            s.nr_threads == 0,
            s.threads().next().map(|h| h as *mut Task),
            waiter,
        )
    };
    if let Some(w) = exec_waiter {
        sched::wake(w);
    }
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

/// A thread leaves its address space (Linux's exec_mm_release and
/// exit_mm_release, at exit and at execve before the new one replaces
/// it): its robust futexes are marked as their owner's death, its
/// CLONE_CHILD_CLEARTID word is zeroed and one waiter woken if anyone else
/// can see this memory (faults ignored, as on Linux), and a vfork parent
/// waiting for it is released.
pub fn mm_release(t: &mut Task) {
    if t.robust_list != 0 {
        super::futex::exit_robust_list(t);
        t.robust_list = 0;
    }
    if t.clear_child_tid != 0 {
        if t.mm.count() > 1 {
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
        t.clear_child_tid = 0;
    }
    if let Some(parent) = t.vfork_parent.take() {
        let pid = t.pid;
        if task(parent).is_some_and(|p| p.wait == WaitOn::Vfork(pid)) {
            sched::wake(parent);
        }
    }
}

/// The last thread of group `tgid` is gone: its timers stop, the leader
/// becomes waitable, its children go to init, and its parent hears of it
/// (Linux's do_notify_parent): the exit signal, and a wake-up for a
/// waiting thread. If the parent ignores SIGCHLD (SIG_IGN or
/// SA_NOCLDWAIT), a child that exits with SIGCHLD is reaped at once and
/// never becomes waitable.
fn group_exited(tgid: Pid) {
    let leader = task(tgid).expect("group leader missing");
    let status = {
        let s = leader.signal.borrow();
        s.group_exit().unwrap_or(s.last_status)
    };
    crate::signal::itimer::exit_itimers(&leader.signal.clone(), tgid);
    if tgid == 1 {
        // The first program is the guest's init: the run ends with it.
        if status & 0x7f == 0 {
            crate::hypercall::exit((status >> 8) & 0xff);
        }
        crate::hypercall::killed(status & 0x7f, None);
    }
    leader.exit_code = status;
    let parent = leader.parent_tgid();
    let exit_signal = leader.exit_signal;
    let autoreap = exit_signal == SIGCHLD
        && task(parent).is_some_and(|p| {
            let a = p.sighand.borrow().actions[SIGCHLD as usize - 1];
            a.sa_handler == abi::linux::signal::SIG_IGN
                || a.sa_flags & abi::linux::signal::SA_NOCLDWAIT != 0
        });
    if exit_signal > 0 && parent > 0 {
        let (code, value) = if status & 0x7f == 0 {
            (CLD_EXITED, (status >> 8) & 0xff)
        } else {
            (CLD_KILLED, status & 0x7f)
        };
        let info = abi::linux::uapi::Siginfo::child(code, tgid, value);
        let _ = crate::signal::send_signal(exit_signal as u64, info, parent, true, false, None);
    }
    if autoreap {
        let me = current().pid == tgid;
        if let Some(mut l) = task::unhash(tgid) {
            l.state = State::Dead;
            if me {
                // Its stack is in use until the switch away from it.
                kernel().dead.push(l);
            } else {
                task::free_task(l);
            }
        }
    }
    let waiters: alloc::vec::Vec<Pid> = kernel()
        .tasks
        .values()
        .filter(|t| (t.tgid == parent || t.tgid == 1) && t.wait == WaitOn::Child)
        .map(|t| t.pid)
        .collect();
    for w in waiters {
        sched::wake(w);
    }
    // Its pidfds poll readable now.
    crate::fs::poll::wake_pollers();
}

/// Linux's exit_files: the last live task of a descriptor table closes
/// its descriptors (the table itself lives while any task refers to it).
/// Pipe ends closed here wake their pipes' waiters: a reader of a pipe
/// this task held sees EOF before anyone reaps it.
fn exit_files(t: &mut crate::task::Task) {
    let closing = {
        let mut files = t.files.borrow_mut();
        files.live = files.live.saturating_sub(1);
        if files.live == 0 {
            core::mem::take(&mut files.fds)
        } else {
            alloc::vec::Vec::new()
        }
    };
    drop(closing);
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
        // The child's threads name its parent too (as the creator's
        // real_parent): none may keep this thread's record, which goes.
        for th in c.signal.borrow().threads() {
            th.real_parent = reaper;
        }
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
            o.sigpending = 1;
            if o.state == State::Blocked {
                sched::wake(p);
            }
        }
    }
}

/// Which children a wait is for (Linux's `wo_type` and `wo_pid`).
#[derive(Clone, Copy)]
enum WaitFor {
    /// Every child (P_ALL, wait4's -1).
    Any,
    /// The child with this pid (P_PID, P_PIDFD, wait4's pid > 0).
    Pid(Pid),
}

/// Where a wait reports the child it found.
#[derive(Clone, Copy)]
enum WaitReport {
    /// wait4: the wait status, as an `int` at this address (0: nowhere).
    Status(u64),
    /// waitid: a `siginfo_t` at this address (0: nowhere).
    Siginfo(u64),
}

/// Linux's `struct wait_opts`: what `do_wait` is asked, built by wait4 and
/// waitid from their arguments once these have passed the checks.
struct WaitOpts {
    who: WaitFor,
    /// WNOHANG, WEXITED, WNOWAIT, __WNOTHREAD, __WCLONE, __WALL (wait4
    /// always waits for exits: it adds WEXITED).
    flags: u64,
    report: WaitReport,
    /// A `struct rusage` to zero (0: none).
    rusage: u64,
}

/// The children a wait looks at: those of every thread in the caller's
/// group, or with __WNOTHREAD only the caller's own.
fn my_children(flags: u64) -> alloc::vec::Vec<&'static mut Task> {
    let me = current();
    if flags & __WNOTHREAD != 0 {
        return me.children();
    }
    let signal = me.signal.clone();
    let s = signal.borrow();
    s.threads().flat_map(|t| t.children()).collect()
}

/// Whether `t` is one of the children `wo` is for: the pid asked for, and
/// a "clone" child (exit signal other than SIGCHLD) only with __WCLONE,
/// any with __WALL.
fn eligible_child(wo: &WaitOpts, t: &Task) -> bool {
    if let WaitFor::Pid(pid) = wo.who {
        if t.pid != pid {
            return false;
        }
    }
    let is_clone = t.exit_signal != SIGCHLD;
    wo.flags & __WALL != 0 || (wo.flags & __WCLONE != 0) == is_clone
}

/// A zombie whose group is empty: its status can be collected.
fn is_waitable_zombie(t: &Task) -> bool {
    t.state == State::Zombie && t.signal.borrow().nr_threads == 0
}

/// The wait both calls share: finds an eligible child that has exited,
/// reports it and (without WNOWAIT) reaps it; with none yet, ECHILD if no
/// child is eligible at all, `None` with WNOHANG, else sleeps until a child
/// changes state and looks again. Returns the pid reported.
fn do_wait(wo: &WaitOpts) -> KResult<Option<Pid>> {
    loop {
        let mut any = false;
        let mut found = None;
        for t in my_children(wo.flags) {
            if !eligible_child(wo, t) {
                continue;
            }
            any = true;
            if wo.flags & WEXITED != 0 && is_waitable_zombie(t) {
                found = Some((t.pid, t.exit_code));
                break;
            }
        }
        if let Some((child, status)) = found {
            wait_task_zombie(wo, child, status)?;
            return Ok(Some(child));
        }
        if !any {
            return Err(ECHILD);
        }
        if wo.flags & WNOHANG != 0 {
            return Ok(None);
        }
        if !sched::block(WaitOn::Child) && crate::signal::pending() {
            return Err(ERESTARTSYS);
        }
    }
}

/// Reports exited child `child` with wait status `status` where `wo` says,
/// zeroes the rusage, then reaps the child unless WNOWAIT. A fault writing
/// either is EFAULT and leaves the child to be waited for again.
fn wait_task_zombie(wo: &WaitOpts, child: Pid, status: i32) -> KResult<()> {
    match wo.report {
        WaitReport::Status(0) | WaitReport::Siginfo(0) => {}
        WaitReport::Status(addr) => {
            crate::task::with_mm(|mm| write_user(mm, addr, &status))?;
        }
        WaitReport::Siginfo(addr) => {
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
            crate::task::with_mm(|mm| write_user(mm, addr, &info))?;
        }
    }
    if wo.rusage != 0 {
        crate::task::with_mm(|mm| write_user(mm, wo.rusage, &[0u64; 18]))?;
    }
    if wo.flags & WNOWAIT == 0 {
        release_task(child);
    }
    Ok(())
}

/// Reaps a zombie leader: off every list, record and stack freed.
fn release_task(pid: Pid) {
    if let Some(mut t) = task::unhash(pid) {
        t.state = State::Dead;
        task::free_task(t);
    }
}

/// wait4(pid, wstatus, options, rusage): the pid of the child reaped, or 0
/// with WNOHANG when none has exited yet.
pub fn wait4(upid: u64, stat_addr: u64, options: u64, rusage: u64) -> KResult<u64> {
    // `int options` in Linux: only the low 32 bits exist.
    let options = options as u32 as u64;
    if options & !(WNOHANG | WUNTRACED | WCONTINUED | __WNOTHREAD | __WCLONE | __WALL) != 0 {
        return Err(EINVAL);
    }
    let upid = upid as i64 as i32;
    // -INT_MIN names no process group.
    if upid == i32::MIN {
        return Err(ESRCH);
    }
    // No process groups: 0 (the caller's group) and -pgid look at every
    // child, as -1 does.
    let who = if upid > 0 {
        WaitFor::Pid(upid)
    } else {
        WaitFor::Any
    };
    let wo = WaitOpts {
        who,
        flags: options | WEXITED,
        report: WaitReport::Status(stat_addr),
        rusage,
    };
    Ok(do_wait(&wo)?.map_or(0, |pid| pid as u64))
}

/// waitid(idtype, id, infop, options, rusage): like wait4, with the result
/// in a siginfo_t (si_signo SIGCHLD, si_code CLD_EXITED or CLD_KILLED,
/// si_pid, si_uid, si_status), WNOWAIT to look without reaping, and 0 as
/// the return value.
pub fn waitid(idtype: u64, id: u64, infop: u64, options: u64, rusage: u64) -> KResult<u64> {
    let options = options as u32 as u64;
    if options
        & !(WNOHANG | WSTOPPED | WEXITED | WCONTINUED | WNOWAIT | __WNOTHREAD | __WCLONE | __WALL)
        != 0
    {
        return Err(EINVAL);
    }
    if options & (WEXITED | WSTOPPED | WCONTINUED) == 0 {
        return Err(EINVAL);
    }
    let who = match idtype {
        P_ALL => WaitFor::Any,
        P_PID => {
            let p = id as u32 as i32;
            if p <= 0 {
                return Err(EINVAL);
            }
            WaitFor::Pid(p)
        }
        // No process groups: each process is its own group (0, the
        // caller's group: every child).
        P_PGID => match id as u32 as i32 {
            p if p < 0 => return Err(EINVAL),
            0 => WaitFor::Any,
            p => WaitFor::Pid(p),
        },
        P_PIDFD => {
            if (id as u32 as i32) < 0 {
                return Err(EINVAL);
            }
            WaitFor::Pid(super::fs::pidfd_pid(id)?)
        }
        _ => return Err(EINVAL),
    };
    let wo = WaitOpts {
        who,
        flags: options,
        report: WaitReport::Siginfo(infop),
        rusage,
    };
    if do_wait(&wo)?.is_none() && infop != 0 {
        // No child changed state: si_pid (and the rest) read as zero.
        crate::task::with_mm(|mm| write_user(mm, infop, &[0i32; 32]))?;
    }
    Ok(0)
}
