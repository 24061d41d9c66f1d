//! execve and execveat, Linux's fs/exec.c path: `do_execveat_common`
//! gathers the program (`exec::bprm::Bprm`: the file, the strings, the
//! `#!` interpreters, and a new address space built from the ELF file),
//! then `begin_new_exec` is the point of no return: `de_thread` leaves the
//! caller the only thread of its group (with the group's pid), and the
//! caller's old image goes — address space, close-on-exec descriptors,
//! handlers, alternate stack, POSIX timers, TLS and FPU state — before
//! `start_thread` points its frame at the new program.
//!
//! Everything that can fail in the ordinary way fails before the point of
//! no return, leaving the caller untouched. After it, what can still go
//! wrong is a kernel allocation (unsharing the descriptor or handler
//! table), which ends the process with SIGSEGV as on Linux; a thread
//! killed while de_thread waits returns EAGAIN to its own exit.
//!
//! What survives, as on Linux: pid and parent, children, the blocked mask
//! and pending signals, ignored signals, ITIMER_REAL (and alarm), the
//! resource limits, cwd, root and umask, and descriptors without
//! close-on-exec. No ETXTBSY: nothing tracks files open for writing.

use abi::linux::fs::{AT_EMPTY_PATH, AT_EXECVE_CHECK, AT_FDCWD, AT_SYMLINK_NOFOLLOW};
use abi::linux::signal::{SIGSEGV, SIG_DFL, SIG_IGN};
use abi::task::{USER_CS, USER_DS};
use x86_64::registers::model_specific::FsBase;
use x86_64::VirtAddr;

use super::exit::SIGCHLD;
use crate::arch::fpu::FpuState;
use crate::arch::percpu;
use crate::arch::trapframe::TrapFrame;
use crate::errno::*;
use crate::exec::bprm::Bprm;
use crate::exec::Loaded;
use crate::fs::namei::user_path;
use crate::krc::KRc;
use crate::mm::paging;
use crate::mm::vma::Mm;
use crate::task::{self, current, Signal, State, Task, WaitOn};
use crate::{list, sched};

pub fn execve(upath: u64, uargv: u64, uenvp: u64, frame: &mut TrapFrame) -> KResult<u64> {
    let cwd = AT_FDCWD as i64 as u64;
    do_execveat_common(cwd, upath, uargv, uenvp, 0, frame)
}

pub fn execveat(
    dirfd: u64,
    upath: u64,
    uargv: u64,
    uenvp: u64,
    flags: u64,
    frame: &mut TrapFrame,
) -> KResult<u64> {
    // `int flags`: only the low 32 bits exist.
    do_execveat_common(dirfd, upath, uargv, uenvp, flags as u32 as u64, frame)
}

/// The checks in Linux's order: the path (EFAULT, ENAMETOOLONG; ENOENT if
/// empty without AT_EMPTY_PATH), the flags (EINVAL), the file (the
/// lookup's errors, then ELOOP for a symlink not followed and EACCES for a
/// file that may not be executed), argv and envp (EFAULT, E2BIG), then the
/// file's format (ENOEXEC, and each interpreter's errors), then the
/// address space (ENOMEM). With AT_EXECVE_CHECK it stops before the
/// format, with 0.
fn do_execveat_common(
    dirfd: u64,
    upath: u64,
    uargv: u64,
    uenvp: u64,
    flags: u64,
    frame: &mut TrapFrame,
) -> KResult<u64> {
    let path = user_path(upath)?;
    if path.is_empty() && flags & AT_EMPTY_PATH == 0 {
        return Err(ENOENT);
    }
    if flags & !(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_EXECVE_CHECK) != 0 {
        return Err(EINVAL);
    }
    let mut bprm = Bprm::open(dirfd, &path, flags)?;
    drop(path);
    let (argc, envc) = bprm.count_strings(uargv, uenvp)?;
    bprm.copy_strings(uargv, argc, uenvp, envc)?;
    if flags & AT_EXECVE_CHECK != 0 {
        return Ok(0);
    }
    let loaded = bprm.load()?;
    begin_new_exec(loaded, frame)
}

/// The point of no return and what follows it, in Linux's order
/// (begin_new_exec, setup_new_exec, start_thread). Returns the call's
/// result for the new program: 0 in rax, as Linux starts it.
fn begin_new_exec(loaded: Loaded, frame: &mut TrapFrame) -> KResult<u64> {
    let Loaded {
        mut mm,
        entry,
        stack_pointer,
    } = loaded;
    let t = current();
    mm.execs = t.mm.borrow().execs + 1;
    let mm = KRc::try_new(mm)?;
    de_thread(t)?;
    if unshare_files(t).is_err() {
        return Err(fatal(t));
    }
    exec_mmap(t, mm);
    crate::signal::itimer::exit_posix_timers(&t.signal, t.tgid);
    crate::signal::flush_itimer_signals(t);
    if unshare_sighand(t).is_err() {
        return Err(fatal(t));
    }
    flush_thread(t);
    do_close_on_exec(t);
    // The stack's flags stay (SS_AUTODISARM reads back), as on Linux.
    t.sas_ss_sp = 0;
    t.sas_ss_size = 0;
    flush_signal_handlers(t);
    start_thread(frame, entry, stack_pointer);
    Ok(0)
}

/// A failure past the point of no return: the process ends with SIGSEGV
/// on its way back to user mode (Linux's force_fatal_sig).
fn fatal(t: &mut Task) -> i64 {
    t.signal.borrow_mut().set_group_exit(SIGSEGV as i32);
    t.killed = 1;
    t.sigpending = 1;
    ENOMEM
}

/// Leaves `t` the only thread of its group, as its leader (Linux's
/// de_thread). Every other thread is killed (it exits without running
/// user code again) and `t` waits for the last of them; a group already
/// exiting, or exec'ing in another thread, is EAGAIN, and so is `t` being
/// killed in the wait. A non-leader then takes the leader's pid: the
/// zombie leader is released, and `t` takes its place in the pid index and
/// on its parent's children list, so the parent and the children see the
/// same process. The host's view stays consistent at every stop in
/// between: the other threads are live and `killed`, or gone, and
/// `group_exec_task` names `t` (invariant 14).
fn de_thread(t: &mut Task) -> KResult<()> {
    // No reference to the group is held across the wait: the host counts
    // the holders of a signal record (invariant 3), task records only.
    let alone = t.pid == t.tgid && t.signal.borrow().nr_threads == 1;
    if !alone {
        {
            let mut s = t.signal.borrow_mut();
            if s.group_exit().is_some() || s.group_exec_task != 0 || t.killed != 0 {
                return Err(EAGAIN);
            }
            s.group_exec_task = t.pid;
        }
        zap_other_threads(&t.signal, t.pid);
        loop {
            if t.killed != 0 {
                t.signal.borrow_mut().group_exec_task = 0;
                return Err(EAGAIN);
            }
            if t.signal.borrow().nr_threads == 1 {
                break;
            }
            sched::block_unwinding(WaitOn::Exec);
        }
        if t.pid != t.tgid {
            take_leaders_place(t);
        }
        t.signal.borrow_mut().group_exec_task = 0;
    }
    t.signal.borrow_mut().curr_target = 0;
    // A new program is a new process to its parent (Linux resets it even
    // for a clone child with another exit signal).
    t.exit_signal = SIGCHLD;
    Ok(())
}

/// Marks every live thread of the group but `me` for exit and gets the
/// blocked ones running (Linux's zap_other_threads): each exits when it
/// next runs, and the last to go wakes `me` (do_exit).
fn zap_other_threads(signal: &KRc<Signal>, me: task::Pid) {
    let s = signal.borrow();
    for o in s.threads() {
        if o.pid == me {
            continue;
        }
        o.killed = 1;
        o.sigpending = 1;
        sched::interrupt(o);
    }
}

/// `t`, now the group's only live thread, becomes its leader: the
/// leader's pid (in the pid index: the two records trade places, which
/// allocates nothing), parent, and place among its parent's children; the
/// zombie leader's record goes.
fn take_leaders_place(t: &mut Task) {
    let (tid, tgid) = (t.pid, t.tgid);
    let k = task::kernel();
    let mine = k.tasks.remove(&tid).expect("the current task is indexed");
    let mut old = k
        .tasks
        .insert(tgid, mine)
        .expect("a zombie leader stays indexed while its group lives");
    debug_assert!(old.state == State::Zombie);
    t.pid = tgid;
    t.group_leader = t as *mut Task;
    t.real_parent = old.real_parent;
    list::replace(&mut old.sibling, &mut t.sibling);
    // Its children went to live threads when it exited; any left come to
    // the group's new leader.
    while !list::is_empty(&old.children) {
        let node = old.children.next as *mut abi::list::ListHead;
        // SAFETY: children links live leader records by sibling.
        let c = unsafe { &mut *crate::container_of!(node, Task, sibling) };
        list::del(&mut c.sibling);
        list::add_tail(&mut c.sibling, &mut t.children);
        c.real_parent = t as *mut Task;
    }
    list::del(&mut old.tasks);
    task::roots().nr_tasks -= 1;
    old.state = State::Dead;
    task::free_task(old);
}

/// The descriptor table becomes the caller's own if other live tasks
/// share it (Linux's unshare_files).
fn unshare_files(t: &mut Task) -> KResult<()> {
    if t.files.borrow().live <= 1 {
        return Ok(());
    }
    let copy = KRc::try_new(t.files.borrow().copy()?)?;
    let old = core::mem::replace(&mut t.files, copy);
    // Others still use it: none of its descriptors closes.
    old.borrow_mut().live -= 1;
    Ok(())
}

/// The handler table becomes the caller's own if another process shares
/// it (CLONE_SIGHAND without CLONE_THREAD; Linux's unshare_sighand).
fn unshare_sighand(t: &mut Task) -> KResult<()> {
    if t.sighand.count() == 1 {
        return Ok(());
    }
    let copy = KRc::try_new(t.sighand.borrow().clone())?;
    t.sighand = copy;
    Ok(())
}

/// The new address space replaces the old (Linux's exec_mmap), after the
/// old one's robust futexes, CLONE_CHILD_CLEARTID word and vfork parent
/// have been dealt with; the old goes with its last user.
fn exec_mmap(t: &mut Task, mm: KRc<Mm>) {
    super::exit::mm_release(t);
    let old = core::mem::replace(&mut t.mm, mm);
    // Off the old tables before they can be freed.
    paging::activate(t.mm.borrow().root);
    drop(old);
}

/// The thread's user state a new program starts without (Linux's
/// flush_thread): the FPU in its initial state (as for the first
/// program), no TLS (FS base 0) and GS base 0.
fn flush_thread(t: &mut Task) {
    FpuState::user_init().restore();
    FsBase::write(VirtAddr::new(0));
    t.fs_base = 0;
    percpu::set_user_gs_base(0);
    t.gs_base = 0;
}

/// Closes the close-on-exec descriptors (Linux's do_close_on_exec), each
/// dropped outside the table's borrow (closing a pipe end wakes its
/// waiters).
fn do_close_on_exec(t: &mut Task) {
    let mut from = 0;
    loop {
        let next = {
            let files = t.files.borrow();
            files.fds[from.min(files.fds.len())..]
                .iter()
                .position(|f| f.as_ref().is_some_and(|f| f.cloexec))
                .map(|i| from + i)
        };
        let Some(fd) = next else {
            break;
        };
        let closed = t.files.borrow_mut().set(fd, None);
        drop(closed);
        from = fd + 1;
    }
}

/// Every handled signal back to its default action, ignored ones still
/// ignored, and no flags, masks or restorers (Linux's
/// flush_signal_handlers without force_default).
fn flush_signal_handlers(t: &mut Task) {
    let mut h = t.sighand.borrow_mut();
    for a in h.actions.iter_mut() {
        if a.sa_handler != SIG_IGN {
            a.sa_handler = SIG_DFL;
        }
        a.sa_flags = 0;
        a.sa_restorer = 0;
        a.sa_mask = 0;
    }
}

/// The registers of a new program (Linux's start_thread and ELF_PLAT_INIT,
/// as for the first program): rip at the entry, rsp at argc, interrupts
/// on, everything else 0. The return is IRET's (rcx is not rip).
fn start_thread(frame: &mut TrapFrame, entry: u64, sp: u64) {
    *frame = TrapFrame {
        rip: entry,
        cs: USER_CS,
        rflags: 0x202,
        rsp: sp,
        ss: USER_DS,
        vector: frame.vector,
        ..Default::default()
    };
}
