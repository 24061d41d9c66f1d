//! Task creation, the path Linux's kernel/fork.c takes: clone / clone3 / fork / vfork →
//! `kernel_clone` → `copy_process` (`dup_task_struct`, `copy_files`,
//! `copy_fs`, `copy_sighand`, `copy_signal`, `copy_mm`, `copy_thread`,
//! `alloc_pid`, tgid / group_leader / real_parent) → `wake_up_new_task`.
//! Argument checks are Linux's, in Linux's order, so a program sees
//! the errno Linux would give for the first bad argument.
//!
//! Not supported, with the errno a program gets: namespace flags → EPERM
//! (what an unprivileged caller gets on Linux, so fallback paths behave as
//! for non-root), set_tid → EPERM (needs CAP_SYS_ADMIN on Linux),
//! CLONE_INTO_CGROUP → EOPNOTSUPP (no cgroup files).

use alloc::boxed::Box;
use core::cell::Cell;

use abi::layout::USER_SPACE_END;
use abi::linux::signal::SIG_IGN;

use super::exit::SIGCHLD;
use crate::arch::trapframe::TrapFrame;
use crate::errno::*;
use crate::krc::KRc;
use crate::mm::uaccess::{copy_from_user, write_user};
use crate::mm::vma::Mm;
use crate::profile::CloneTimer;
use crate::sched;
use crate::task::{
    self, current, with_mm, Files, Fs, KernelStack, SigHand, Signal, State, Task, WaitOn,
};
use abi::stats::phase;

pub use abi::linux::clone::*;

const NAMESPACES: u64 = CLONE_NEWNS
    | CLONE_NEWCGROUP
    | CLONE_NEWUTS
    | CLONE_NEWIPC
    | CLONE_NEWUSER
    | CLONE_NEWPID
    | CLONE_NEWNET;

/// Linux's `struct kernel_clone_args`, what every entry point fills in.
#[derive(Default)]
pub struct KernelCloneArgs {
    pub flags: u64,
    pub exit_signal: i32,
    pub parent_tid: u64,
    pub child_tid: u64,
    /// The child's rsp (0: the parent's).
    pub stack: u64,
    pub tls: u64,
    /// CLONE_PIDFD: where the pidfd number goes (clone3's `pidfd`, legacy
    /// clone's parent_tid).
    pub pidfd: u64,
}

/// clone(2): rdi = flags, rsi = newsp, rdx = parent_tid, r10 = child_tid,
/// r8 = tls. Only the low 32 bits of flags count; unknown bits are ignored.
pub fn clone(
    flags: u64,
    newsp: u64,
    ptid: u64,
    ctid: u64,
    tls: u64,
    frame: &mut TrapFrame,
) -> KResult<u64> {
    let flags = flags & 0xffff_ffff;
    let exit_signal = (flags & CSIGNAL) as i32;
    let mut flags = flags & !CSIGNAL;
    if flags & CLONE_PIDFD != 0 && flags & CLONE_PARENT_SETTID != 0 {
        return Err(EINVAL);
    }
    if flags & CLONE_PIDFD == 0 {
        flags &= !CLONE_DETACHED;
    }
    let args = KernelCloneArgs {
        flags,
        exit_signal,
        parent_tid: ptid,
        child_tid: ctid,
        stack: newsp,
        tls,
        pidfd: ptid,
    };
    kernel_clone(args, frame)
}

pub fn fork(frame: &mut TrapFrame) -> KResult<u64> {
    kernel_clone(
        KernelCloneArgs {
            exit_signal: SIGCHLD,
            ..Default::default()
        },
        frame,
    )
}

pub fn vfork(frame: &mut TrapFrame) -> KResult<u64> {
    kernel_clone(
        KernelCloneArgs {
            flags: CLONE_VM | CLONE_VFORK,
            exit_signal: SIGCHLD,
            ..Default::default()
        },
        frame,
    )
}

/// clone3(args, size).
pub fn clone3(uargs: u64, size: u64, frame: &mut TrapFrame) -> KResult<u64> {
    if crate::cmdline::clone3_disabled() {
        return Err(ENOSYS);
    }
    if size > 4096 {
        return Err(E2BIG);
    }
    if size < CLONE_ARGS_SIZE_VER0 {
        return Err(EINVAL);
    }
    let mut raw = [0u8; CLONE_ARGS_SIZE_VER2 as usize];
    let known = size.min(CLONE_ARGS_SIZE_VER2) as usize;
    with_mm(|mm| copy_from_user(mm, uargs, &mut raw[..known])).map_err(|_| EFAULT)?;
    if size > CLONE_ARGS_SIZE_VER2 {
        let mut tail = [0u8; 4096];
        let n = (size - CLONE_ARGS_SIZE_VER2) as usize;
        with_mm(|mm| copy_from_user(mm, uargs + CLONE_ARGS_SIZE_VER2, &mut tail[..n]))
            .map_err(|_| EFAULT)?;
        if tail[..n].iter().any(|b| *b != 0) {
            return Err(E2BIG);
        }
    }
    let field = |i: usize| u64::from_le_bytes(raw[i * 8..i * 8 + 8].try_into().unwrap());
    let (flags, pidfd, child_tid, parent_tid, exit_signal) =
        (field(0), field(1), field(2), field(3), field(4));
    let (stack, stack_size, tls, set_tid, set_tid_size, cgroup) =
        (field(5), field(6), field(7), field(8), field(9), field(10));
    if set_tid_size > 32 || (set_tid == 0) != (set_tid_size == 0) {
        return Err(EINVAL);
    }
    if exit_signal & !CSIGNAL != 0 || exit_signal > abi::linux::signal::NSIG {
        return Err(EINVAL);
    }
    if flags & CLONE_INTO_CGROUP != 0 && (cgroup > i32::MAX as u64 || size < CLONE_ARGS_SIZE_VER2) {
        return Err(EINVAL);
    }
    if flags & !(0xffff_ffff | CLONE_CLEAR_SIGHAND | CLONE_INTO_CGROUP) != 0 {
        return Err(EINVAL);
    }
    if flags & (CLONE_DETACHED | CSIGNAL) != 0 {
        return Err(EINVAL);
    }
    if flags & CLONE_SIGHAND != 0 && flags & CLONE_CLEAR_SIGHAND != 0 {
        return Err(EINVAL);
    }
    if flags & (CLONE_THREAD | CLONE_PARENT) != 0 && exit_signal != 0 {
        return Err(EINVAL);
    }
    if (stack == 0) != (stack_size == 0) {
        return Err(EINVAL);
    }
    if stack != 0
        && stack
            .checked_add(stack_size)
            .is_none_or(|end| end > USER_SPACE_END)
    {
        return Err(EINVAL);
    }
    if set_tid != 0 {
        return Err(EPERM);
    }
    if flags & CLONE_INTO_CGROUP != 0 {
        return Err(EOPNOTSUPP);
    }
    let args = KernelCloneArgs {
        flags,
        exit_signal: exit_signal as i32,
        parent_tid,
        child_tid,
        stack: if stack != 0 { stack + stack_size } else { 0 },
        tls,
        pidfd,
    };
    kernel_clone(args, frame)
}

/// Creates the task and starts it; returns its TID to the parent.
pub fn kernel_clone(args: KernelCloneArgs, frame: &mut TrapFrame) -> KResult<u64> {
    let mut prof = CloneTimer::start();
    let mut child = copy_process(&args, frame, &mut prof)?;
    let pid = child.pid;
    if args.flags & CLONE_PARENT_SETTID != 0 {
        // Before the child can run; a fault is ignored, as on Linux.
        let _ = with_mm(|mm| write_user::<i32>(mm, args.parent_tid, &pid));
    }
    if args.flags & CLONE_VFORK != 0 {
        child.vfork_parent = Some(current().pid);
    }
    CloneTimer::mark(&mut prof, phase::LINKS);
    wake_up_new_task(child);
    CloneTimer::mark(&mut prof, phase::WAKE_UP_NEW_TASK);
    CloneTimer::commit(prof);
    if args.flags & CLONE_VFORK != 0 {
        // The parent sleeps until the child exits (no exec yet).
        while crate::task::task(pid).is_some_and(|c| c.vfork_parent.is_some()) {
            sched::block(WaitOn::Vfork(pid));
        }
    }
    Ok(pid as u64)
}

/// The checks shared by clone and clone3, then the copy of each resource.
/// Nothing is visible to other tasks until `wake_up_new_task`, so a failure
/// anywhere just drops what was built (no leak on any error path).
fn copy_process(
    args: &KernelCloneArgs,
    frame: &TrapFrame,
    prof: &mut Option<CloneTimer>,
) -> KResult<Box<Task>> {
    let f = args.flags;
    if f & (CLONE_NEWNS | CLONE_FS) == (CLONE_NEWNS | CLONE_FS)
        || f & (CLONE_NEWUSER | CLONE_FS) == (CLONE_NEWUSER | CLONE_FS)
    {
        return Err(EINVAL);
    }
    if f & CLONE_THREAD != 0 && f & CLONE_SIGHAND == 0 {
        return Err(EINVAL);
    }
    if f & CLONE_SIGHAND != 0 && f & CLONE_VM == 0 {
        return Err(EINVAL);
    }
    let cur = current();
    if f & CLONE_PARENT != 0 && cur.tgid == 1 {
        return Err(EINVAL);
    }
    if f & CLONE_PIDFD != 0 && f & CLONE_DETACHED != 0 {
        return Err(EINVAL);
    }
    if f & CLONE_NEWIPC != 0 && f & CLONE_SYSVSEM != 0 {
        return Err(EINVAL);
    }
    if f & NAMESPACES != 0 {
        return Err(EPERM);
    }
    if f & CLONE_SETTLS != 0 && (!crate::arch::is_canonical(args.tls) || args.tls >= USER_SPACE_END)
    {
        return Err(EPERM);
    }

    let mark = CloneTimer::mark;
    mark(prof, phase::CHECKS);
    let mut p = dup_task_struct(cur)?;
    if f & (CLONE_VM | CLONE_VFORK) == CLONE_VM {
        crate::signal::frame::reset_for_new_thread(&mut p);
    }
    mark(prof, phase::DUP_TASK_STRUCT);
    p.files = copy_files(cur, f)?;
    mark(prof, phase::COPY_FILES);
    p.fs = copy_fs(cur, f);
    mark(prof, phase::COPY_FS);
    p.sighand = copy_sighand(cur, f);
    mark(prof, phase::COPY_SIGHAND);
    p.signal = copy_signal(cur, f);
    mark(prof, phase::COPY_SIGNAL);
    p.mm = copy_mm(cur, f)?;
    mark(prof, phase::COPY_MM);
    copy_thread(&mut p, args, frame);
    mark(prof, phase::COPY_THREAD);
    p.pid = task::alloc_pid().ok_or(EAGAIN)?;
    if f & CLONE_PIDFD != 0 {
        // In the caller's table only (the child's copy was made above),
        // close-on-exec; the last step that can fail, so the only undo.
        let fd = super::fs::install_pidfd(p.pid)?;
        if with_mm(|mm| write_user::<i32>(mm, args.pidfd, &(fd as i32))).is_err() {
            let _ = super::fs::close(fd);
            return Err(EFAULT);
        }
    }
    mark(prof, phase::ALLOC_PID);
    // Nothing fails from here: a task sharing the table is one more of its
    // live users (the descriptors close when the last one exits).
    if f & CLONE_FILES != 0 {
        p.files.borrow_mut().live += 1;
    }
    // tgid, group leader and real_parent. The record is boxed: its address
    // is final, so the list heads and self-pointers can be set now.
    task::init_lists(&mut p);
    if f & CLONE_THREAD != 0 {
        p.tgid = cur.tgid;
        p.group_leader = cur.group_leader;
        p.real_parent = cur.real_parent;
        p.exit_signal = -1;
    } else {
        p.tgid = p.pid;
        p.group_leader = &mut *p;
        if f & CLONE_PARENT != 0 {
            // SAFETY: the caller's group leader lives while the caller does.
            let leader = unsafe { &*cur.group_leader };
            p.real_parent = cur.real_parent;
            p.exit_signal = leader.exit_signal;
        } else {
            p.real_parent = &mut *cur;
            p.exit_signal = args.exit_signal;
        }
    }
    if f & CLONE_CHILD_SETTID != 0 {
        p.set_child_tid = args.child_tid;
        let _ = write_user::<i32>(&mut p.mm.borrow_mut(), args.child_tid, &p.pid);
    }
    if f & CLONE_CHILD_CLEARTID != 0 {
        p.clear_child_tid = args.child_tid;
    }
    Ok(p)
}

/// A new task record (TASK_NEW: on no list yet) and kernel stack, with the
/// parent's FPU state, blocked mask and FS/GS bases; the rest is filled in
/// by the copy_* steps. Until then it shares everything with the parent.
fn dup_task_struct(cur: &mut Task) -> KResult<Box<Task>> {
    let kstack = KernelStack::alloc()?;
    let objects = task::TaskObjects {
        mm: cur.mm.clone(),
        fs: cur.fs.clone(),
        files: cur.files.clone(),
        sighand: cur.sighand.clone(),
        signal: cur.signal.clone(),
    };
    let mut p = Task::new(State::New, objects, kstack)?;
    // The parent's user FPU state is live in the registers.
    p.fpu.save();
    p.blocked = cur.blocked;
    p.sas_ss_sp = cur.sas_ss_sp;
    p.sas_ss_size = cur.sas_ss_size;
    p.sas_ss_flags = cur.sas_ss_flags;
    p.fs_base = x86_64::registers::model_specific::FsBase::read().as_u64();
    p.gs_base = crate::arch::percpu::user_gs_base();
    Ok(p)
}

// The copy_* steps are inlined into copy_process: on the thread path each
// is one reference-count increment, and a call costs when the kernel runs
// emulated.
#[inline(always)]
fn copy_files(cur: &Task, f: u64) -> KResult<KRc<Files>> {
    if f & CLONE_FILES != 0 {
        Ok(cur.files.clone())
    } else {
        KRc::try_new(cur.files.borrow().copy()?)
    }
}

#[inline(always)]
fn copy_fs(cur: &Task, f: u64) -> KRc<Fs> {
    if f & CLONE_FS != 0 {
        cur.fs.clone()
    } else {
        let fs = cur.fs.borrow();
        let cwd = fs.cwd.borrow().clone();
        KRc::new(Fs {
            umask: Cell::new(fs.umask.get()),
            root: fs.root.clone(),
            cwd: core::cell::RefCell::new(cwd),
        })
    }
}

#[inline(always)]
fn copy_sighand(cur: &Task, f: u64) -> KRc<SigHand> {
    if f & CLONE_SIGHAND != 0 {
        return cur.sighand.clone();
    }
    let mut copy = cur.sighand.borrow().clone();
    if f & CLONE_CLEAR_SIGHAND != 0 {
        // Handlers back to the default; ignored signals stay ignored.
        for a in copy.actions.iter_mut() {
            if a.sa_handler != SIG_IGN {
                *a = SigHand::DEFAULT;
            }
        }
    }
    KRc::new(copy)
}

/// The group is joined (thread list, nr_threads) only in wake_up_new_task:
/// until then a failure simply drops the new task.
#[inline(always)]
fn copy_signal(cur: &Task, f: u64) -> KRc<Signal> {
    if f & CLONE_THREAD != 0 {
        cur.signal.clone()
    } else {
        let s = task::new_signal();
        s.borrow_mut().rlim = cur.signal.borrow().rlim;
        s
    }
}

#[inline(always)]
fn copy_mm(cur: &Task, f: u64) -> KResult<KRc<Mm>> {
    if f & CLONE_VM != 0 {
        Ok(cur.mm.clone())
    } else {
        Ok(KRc::new(cur.mm.borrow_mut().fork()?))
    }
}

/// The child's registers: the parent's, with rax = 0, the new stack and
/// TLS if asked for; its first switch goes straight to user mode.
fn copy_thread(p: &mut Task, args: &KernelCloneArgs, frame: &TrapFrame) {
    let child_frame = p.kstack.frame();
    *child_frame = *frame;
    child_frame.rax = 0;
    if args.stack != 0 {
        child_frame.rsp = args.stack;
    }
    if args.flags & CLONE_SETTLS != 0 {
        p.fs_base = args.tls;
    }
    let at = child_frame as *mut TrapFrame as u64;
    p.ksp = sched::prepare_new_stack(at);
}

/// Makes the new task visible (task list, its group, its parent's
/// children) and runnable.
fn wake_up_new_task(child: Box<Task>) {
    let t = task::hash(child);
    if crate::profile::on() {
        t.woken_tsc = crate::arch::rdtsc();
    }
    task::join_group(t);
    if t.pid == t.tgid && !t.real_parent.is_null() {
        // SAFETY: real_parent is a live leader record.
        unsafe { crate::list::add_tail(&mut t.sibling, &mut (*t.real_parent).children) };
    }
    crate::sched::enqueue(t);
}
