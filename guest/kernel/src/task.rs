//! Tasks — Linux's `task_struct` — and the objects they share or copy:
//! `mm` (address space), `fs` (umask), `files` (fd table), `sighand`
//! (handler table) and `signal` (the thread group). Sharing is a `KRc`
//! clone, a reference-count increment; copying makes a new object; which of
//! the two each object gets is what clone's flags say, in `kernel_clone`
//! (syscalls/clone.rs).
//!
//! These are the records the host reads: `Task` and the shared objects have
//! the `#[repr(C)]` layouts of `abi::task` (checked field by field at
//! compile time below), and `kernel_roots` (exported by name) leads to them.
//!
//! One CPU and interrupts off in the kernel: the task table is touched by
//! one flow of control at a time, and never across `sched::schedule`.
//! Invariants: `current` is in `tasks` and Running; every Runnable task is on
//! the run queue exactly once (`on_rq`); a Zombie is a group leader whose
//! group has ended and which its parent has not reaped yet; every task in
//! the table is on the `tasks` list, every live thread on its group's
//! `thread_head`, every leader with a parent on that parent's `children`.

use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use core::cell::{Cell, UnsafeCell};
use core::mem::offset_of;

use abi::linux::resource::{self, RLIMIT_NOFILE, RLIMIT_STACK, RLIM_INFINITY};
use abi::linux::signal::{NSIG, SIG_DFL};
use abi::linux::uapi::Rlimit;
use abi::list::ListHead;
use abi::task as at;

use crate::arch::fpu::FpuState;
use crate::arch::percpu;
use crate::arch::trapframe::TrapFrame;
use crate::errno::KResult;
use crate::fs::{File, FileKind};
use crate::krc::KRc;
use crate::mm::heap::{try_box, try_box_uninit};
use crate::mm::vma::Mm;
use crate::syscall_clock::SyscallClock;
use crate::{list, mm};

pub type Pid = i32;

#[repr(u32)]
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum State {
    Running = at::state::RUNNING,
    Runnable = at::state::RUNNABLE,
    Blocked = at::state::BLOCKED,
    /// Exited group leader, waiting to be reaped by its parent.
    Zombie = at::state::ZOMBIE,
    /// Built by copy_process, not yet woken.
    New = at::state::NEW,
    /// Off every list, about to be freed.
    Dead = at::state::DEAD,
}

/// What a blocked task waits for.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum WaitOn {
    Nothing,
    /// A futex: its key, the wait bitset and the timeout's TSC deadline
    /// (0: none; else also on the sleepers set).
    Futex(crate::syscalls::futex::FutexKey, u32, u64),
    /// Any child's state change (wait4).
    Child,
    /// A vfork child to exit.
    Vfork(Pid),
    /// The TSC to reach (nanosleep).
    Sleep(u64),
    /// A signal (pause, rt_sigsuspend, rt_sigtimedwait), until the TSC
    /// deadline (0: none; else also on the sleepers set).
    Signal(u64),
    /// A pipe (by inode number) to change: data, room, an end closed.
    Pipe(u64),
    /// An eventfd (by inode number) to change.
    EventFd(u64),
    /// Any of the files poll watches to change, until the TSC deadline
    /// (0: none; else also on the sleepers set).
    Poll(u64),
    /// The other threads of the group to exit (execve's de_thread).
    Exec,
}

impl WaitOn {
    /// The host's view: `abi::task::wait` kind and object.
    pub fn abi(&self) -> (u32, u64) {
        use abi::task::wait;
        match *self {
            WaitOn::Nothing => (wait::NOTHING, 0),
            WaitOn::Futex(k, _, _) => (wait::FUTEX, k.addr),
            WaitOn::Child => (wait::CHILD, 0),
            WaitOn::Vfork(pid) => (wait::VFORK, pid as u64),
            WaitOn::Sleep(d) => (wait::SLEEP, d),
            WaitOn::Signal(d) => (wait::SIGNAL, d),
            WaitOn::Pipe(ino) => (wait::PIPE, ino),
            WaitOn::EventFd(ino) => (wait::EVENTFD, ino),
            WaitOn::Poll(d) => (wait::POLL, d),
            WaitOn::Exec => (wait::EXEC, 0),
        }
    }
}

/// What restart_syscall resumes after a call that returned
/// ERESTART_RESTARTBLOCK was interrupted by a signal without a handler
/// (Linux's `restart_block`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum RestartBlock {
    None,
    /// nanosleep / relative clock_nanosleep: the TSC deadline it had and
    /// where to write the remaining time (0: nowhere).
    Nanosleep {
        deadline: u64,
        rmtp: u64,
    },
    /// A futex wait with a timeout: the word, its expected value, the
    /// bitset, privacy and the TSC deadline.
    Futex {
        uaddr: u64,
        val: u32,
        bitset: u32,
        private: bool,
        deadline: u64,
    },
    /// poll: its array, its length and the TSC deadline (0: none).
    Poll {
        ufds: u64,
        nfds: u64,
        deadline: u64,
    },
}

/// `fs_struct`: what CLONE_FS shares: the umask, the root of path
/// lookups and the current directory.
#[repr(C)]
pub struct Fs {
    pub umask: Cell<u32>,
    pub root: KRc<crate::fs::inode::Inode>,
    pub cwd: core::cell::RefCell<KRc<crate::fs::inode::Inode>>,
}

/// A descriptor: the open file it refers to and its close-on-exec flag
/// (the one per-descriptor flag).
#[derive(Clone)]
pub struct Fd {
    pub file: KRc<File>,
    pub cloexec: bool,
}

pub const MAX_FDS: usize = 1024;

/// `files_struct`: what CLONE_FILES shares.
#[repr(C)]
pub struct Files {
    pub fds: Vec<Option<Fd>>,
    /// Tasks sharing the table that have not exited: the descriptors close
    /// when the last of them exits (Linux's exit_files), although exited
    /// tasks keep their reference until they are freed.
    pub live: u32,
}

impl Files {
    /// The first process's table: stdin, stdout and stderr on the console.
    pub fn console() -> KResult<Files> {
        let fd = |kind| {
            Ok::<_, i64>(Some(Fd {
                file: File::new(kind, 0)?,
                cloexec: false,
            }))
        };
        Ok(Files {
            fds: alloc::vec![
                fd(FileKind::ConsoleIn)?,
                fd(FileKind::ConsoleOut(1))?,
                fd(FileKind::ConsoleOut(2))?,
            ],
            live: 1,
        })
    }

    /// fork's copy (no CLONE_FILES): the same open files, new descriptors.
    pub fn copy(&self) -> KResult<Files> {
        let mut fds = Vec::new();
        fds.try_reserve_exact(self.fds.len())
            .map_err(|_| crate::errno::ENOMEM)?;
        fds.extend(self.fds.iter().cloned());
        Ok(Files { fds, live: 1 })
    }

    /// Puts `f` at `fd` (< MAX_FDS), growing the table as needed: it holds
    /// as many slots as the highest descriptor used, so copying it for fork
    /// stays cheap. Returns what was there (for the caller to drop outside
    /// the table's borrow: closing a pipe end wakes its waiters).
    pub fn set(&mut self, fd: usize, f: Option<Fd>) -> KResult<Option<Fd>> {
        if fd >= self.fds.len() {
            if f.is_none() {
                return Ok(None);
            }
            self.fds
                .try_reserve(fd + 1 - self.fds.len())
                .map_err(|_| crate::errno::ENOMEM)?;
            self.fds.resize(fd + 1, None);
        }
        Ok(core::mem::replace(&mut self.fds[fd], f))
    }

    pub fn get(&self, fd: u64) -> Option<Fd> {
        self.fds
            .get(usize::try_from(fd as u32).ok()?)
            .cloned()
            .flatten()
    }

    /// Whether `fd` is open.
    pub fn is_open(&self, fd: usize) -> bool {
        self.fds.get(fd).is_some_and(|s| s.is_some())
    }
}

/// `sighand_struct`: what CLONE_SIGHAND shares. Each entry is the raw
/// kernel `struct sigaction` (handler, flags, restorer, mask), indexed by
/// signal number - 1.
#[repr(C)]
#[derive(Clone)]
pub struct SigHand {
    pub actions: [at::KSigaction; NSIG as usize],
}

impl SigHand {
    /// The default action: `SIG_DFL`, no flags, no restorer, empty mask.
    pub const DEFAULT: at::KSigaction = at::KSigaction {
        sa_handler: SIG_DFL,
        sa_flags: 0,
        sa_restorer: 0,
        sa_mask: 0,
    };

    /// Every signal at its default action (the first task's table).
    pub const fn defaults() -> SigHand {
        SigHand {
            actions: [SigHand::DEFAULT; NSIG as usize],
        }
    }
}

/// `signal_struct`: the thread group (what CLONE_THREAD shares). Lives in
/// a `KRc` allocation and never moves: `thread_head` is a list sentinel.
#[repr(C)]
pub struct Signal {
    /// Threads of the group that have not exited (the length of
    /// `thread_head`).
    pub nr_threads: u32,
    group_exit: u32,
    group_exit_code: i32,
    /// Wait status of the last thread to exit.
    pub last_status: i32,
    /// Signals sent to the whole process (kill), not yet taken.
    pub shared_pending: u64,
    /// Live threads, linked through `Task::thread_node`.
    pub thread_head: ListHead,
    /// The thread in execve's de_thread (0: none): while set, every other
    /// live thread of the group is marked `killed`, and the last of them
    /// to exit wakes it.
    pub group_exec_task: Pid,
    /// Resource limits (one per RLIMIT_*), as Linux keeps them in
    /// signal_struct: threads share them, fork copies them. (Past the
    /// host-readable part.)
    pub rlim: [Rlimit; RLIM_NLIMITS],
    /// The siginfo of each `shared_pending` signal, in arrival order.
    pub shared_queue: Vec<crate::signal::SigQueue>,
    /// Entries in `shared_queue` and every thread's `sigqueue`.
    pub queued: usize,
    /// The thread that took the last process-directed signal: the search
    /// for the next one starts there (Linux's curr_target).
    pub curr_target: Pid,
    /// ITIMER_REAL and the POSIX timers.
    pub timers: crate::signal::itimer::Timers,
}

/// The number of resources, as the length of `rlim`.
pub const RLIM_NLIMITS: usize = resource::RLIM_NLIMITS as usize;

/// The first process's limits: Linux's defaults for a root process.
const DEFAULT_RLIMITS: [Rlimit; RLIM_NLIMITS] = {
    const fn limit(rlim_cur: u64, rlim_max: u64) -> Rlimit {
        Rlimit { rlim_cur, rlim_max }
    }
    let mut r = [limit(RLIM_INFINITY, RLIM_INFINITY); RLIM_NLIMITS];
    r[RLIMIT_STACK as usize] = limit(crate::mm::vma::STACK_LIMIT, RLIM_INFINITY);
    r[RLIMIT_NOFILE as usize] = limit(1024, 4096);
    r
};

impl Signal {
    /// A new thread group; `list::init` of `thread_head` must follow once
    /// the record is at its final address.
    pub fn new() -> Signal {
        Signal {
            nr_threads: 0,
            group_exit: 0,
            group_exit_code: 0,
            last_status: 0,
            shared_pending: 0,
            thread_head: ListHead::default(),
            group_exec_task: 0,
            rlim: DEFAULT_RLIMITS,
            shared_queue: Vec::new(),
            queued: 0,
            curr_target: 0,
            timers: crate::signal::itimer::Timers::default(),
        }
    }

    /// Set by exit_group or a fatal signal: the group's wait status.
    pub fn group_exit(&self) -> Option<i32> {
        (self.group_exit != 0).then_some(self.group_exit_code)
    }

    pub fn set_group_exit(&mut self, status: i32) {
        if self.group_exit == 0 {
            self.group_exit = 1;
            self.group_exit_code = status;
        }
    }

    /// The live threads, first to join first.
    pub fn threads(&self) -> impl Iterator<Item = &'static mut Task> {
        list::iter(&self.thread_head).map(|n| {
            // SAFETY: thread_head links live task records by thread_node.
            unsafe { &mut *crate::container_of!(n, Task, thread_node) }
        })
    }
}

/// A new shared thread group with its list head in place.
pub fn new_signal() -> KRc<Signal> {
    let s = KRc::new(Signal::new());
    // SAFETY: the record is at its final address inside the KRc box.
    list::init(unsafe { &mut (*s.as_ptr()).thread_head });
    s
}

/// A kernel stack; the user register frame sits at its top.
pub const KERNEL_STACK_SIZE: usize = at::KERNEL_STACK_SIZE as usize;
#[repr(C, align(16))]
pub struct KernelStack(pub [core::mem::MaybeUninit<u8>; KERNEL_STACK_SIZE]);

/// Freed kernel stacks kept for reuse, like Linux's cached_stacks: a new
/// task mostly gets a warm stack instead of a fresh allocation. The cache
/// itself is `kernel_roots.kstack_cache`, so the host sees it.
pub const KSTACK_CACHE_MAX: usize = at::KSTACK_CACHE_MAX;

pub struct KstackStats {
    pub hits: u64,
    pub misses: u64,
}

impl KernelStack {
    /// A stack for a new task: from the cache if it has one, else
    /// [`fresh`](Self::fresh). Contents are unspecified (never read before
    /// written: the frame at the top is written by whoever starts the task),
    /// so nothing is zeroed — zeroing 32 KiB costs milliseconds when the
    /// kernel runs emulated.
    pub fn alloc() -> KResult<Box<KernelStack>> {
        let r = roots();
        if r.nr_cached_kstacks > 0 {
            r.nr_cached_kstacks -= 1;
            let p = core::mem::take(&mut r.kstack_cache[r.nr_cached_kstacks as usize]);
            kernel().kstacks.hits += 1;
            // SAFETY: the cache holds stacks from Box::into_raw in release().
            return Ok(unsafe { Box::from_raw(p as *mut KernelStack) });
        }
        kernel().kstacks.misses += 1;
        KernelStack::fresh()
    }

    /// A newly allocated stack, not counted in the cache statistics (the
    /// first task's, before there is a cache); ENOMEM if the heap is full.
    pub fn fresh() -> KResult<Box<KernelStack>> {
        // SAFETY: KernelStack is MaybeUninit bytes: any content is valid.
        Ok(unsafe { try_box_uninit::<KernelStack>()?.assume_init() })
    }

    /// Gives a dead task's stack back (to the cache while it has room).
    pub fn release(stack: Box<KernelStack>) {
        let r = roots();
        if (r.nr_cached_kstacks as usize) < KSTACK_CACHE_MAX {
            r.kstack_cache[r.nr_cached_kstacks as usize] = Box::into_raw(stack) as u64;
            r.nr_cached_kstacks += 1;
        }
    }

    pub fn top(&self) -> u64 {
        self.0.as_ptr() as u64 + KERNEL_STACK_SIZE as u64
    }

    /// The user register frame of a task that entered the kernel.
    pub fn frame(&mut self) -> &mut TrapFrame {
        let at = self.top() - core::mem::size_of::<TrapFrame>() as u64;
        // SAFETY: the top of every kernel stack holds the TrapFrame of the
        // task's last entry from user mode (or the one kernel_clone built).
        unsafe { &mut *(at as *mut TrapFrame) }
    }
}

/// `task_struct`. The fields up to `ksp` are `abi::task::TaskStruct`
/// (checked below); the rest is the kernel's own.
#[repr(C)]
pub struct Task {
    pub magic: u32,
    pub state: State,
    pub pid: Pid,
    pub tgid: Pid,
    pub exit_signal: i32,
    /// Wait status once the group has ended (Zombie).
    pub exit_code: i32,
    /// exit_group or a fatal signal: exit when next scheduled (0 or 1).
    pub killed: u32,
    pub on_rq: u32,
    pub group_leader: *mut Task,
    /// The thread that created this process (null for init).
    pub real_parent: *mut Task,
    pub children: ListHead,
    pub sibling: ListHead,
    pub thread_node: ListHead,
    pub tasks: ListHead,
    pub run_list: ListHead,
    pub mm: KRc<Mm>,
    pub fs: KRc<Fs>,
    pub files: KRc<Files>,
    pub sighand: KRc<SigHand>,
    pub signal: KRc<Signal>,
    pub set_child_tid: u64,
    pub clear_child_tid: u64,
    pub robust_list: u64,
    pub blocked: u64,
    /// Signals sent to this thread (tgkill, tkill), not yet taken.
    pub pending: u64,
    /// `abi::task::wait` kind and object of `wait`, kept in step with it
    /// by `sched::block` for the host.
    pub wait_kind: u32,
    pub sas_ss_flags: u32,
    pub wait_addr: u64,
    /// sigaltstack's stack (0, 0: none).
    pub sas_ss_sp: u64,
    pub sas_ss_size: u64,
    pub fs_base: u64,
    pub gs_base: u64,
    pub kstack: Box<KernelStack>,
    /// Saved kernel rsp while switched out.
    pub ksp: u64,
    pub wait: WaitOn,
    /// Set when a timed wait (futex) ended by its deadline, not a wake.
    pub timed_out: bool,
    /// TSC when wake_up_new_task made this task runnable, until its first
    /// run (only with the clone profiler on).
    pub woken_tsc: u64,
    /// Entry time and switched-out cycles of the current system call
    /// (only while syscalls are reported).
    pub syscall_clock: SyscallClock,
    pub fpu: Box<FpuState>,
    pub vfork_parent: Option<Pid>,
    /// The siginfo of each `pending` signal, in arrival order.
    pub sigqueue: Vec<crate::signal::SigQueue>,
    /// Linux's TIF_SIGPENDING: non-zero when the return to user mode must
    /// look at the queues (something unblocked may be pending, or the
    /// thread must die). Never clear while such a signal is pending.
    pub sigpending: u32,
    /// The mask before rt_sigtimedwait unblocked the signals it waits for.
    pub real_blocked: u64,
    /// The mask to restore after the handler that ends a sigsuspend /
    /// pause (Linux's saved_sigmask with TIF_RESTORE_SIGMASK).
    pub saved_sigmask: Option<u64>,
    pub restart: RestartBlock,
    /// `test-faults` breaks: keep pending signals at exit; take the next
    /// signal ignoring the mask.
    pub keep_pending_at_exit: bool,
    pub break_sigmask: bool,
}

/// The kernel's records have abi's layouts: same offsets, field by field.
macro_rules! same_offsets {
    ($k:ty, $a:ty, $base:expr, $($kf:ident = $af:ident),+ $(,)?) => {
        const _: () = {
            $(assert!($base + offset_of!($k, $kf) == offset_of!($a, $af));)+
        };
    };
}
same_offsets!(
    Task,
    at::TaskStruct,
    0,
    magic = magic,
    state = state,
    pid = pid,
    tgid = tgid,
    exit_signal = exit_signal,
    exit_code = exit_code,
    killed = killed,
    on_rq = on_rq,
    group_leader = group_leader,
    real_parent = real_parent,
    children = children,
    sibling = sibling,
    thread_node = thread_node,
    tasks = tasks,
    run_list = run_list,
    mm = mm,
    fs = fs,
    files = files,
    sighand = sighand,
    signal = signal,
    set_child_tid = set_child_tid,
    clear_child_tid = clear_child_tid,
    robust_list = robust_list,
    blocked = blocked,
    pending = pending,
    wait_kind = wait_kind,
    sas_ss_flags = sas_ss_flags,
    wait_addr = wait_addr,
    sas_ss_sp = sas_ss_sp,
    sas_ss_size = sas_ss_size,
    fs_base = fs_base,
    gs_base = gs_base,
    kstack = stack,
    ksp = ksp
);
same_offsets!(
    Mm,
    at::MmStruct,
    KRc::<Mm>::VALUE_OFFSET,
    root = pgd,
    mmap = mmap,
    map_count = map_count,
    execs = execs
);
same_offsets!(Fs, at::FsStruct, KRc::<Fs>::VALUE_OFFSET, umask = umask);
same_offsets!(
    SigHand,
    at::SighandStruct,
    KRc::<SigHand>::VALUE_OFFSET,
    actions = action
);
same_offsets!(
    Signal,
    at::SignalStruct,
    KRc::<Signal>::VALUE_OFFSET,
    nr_threads = nr_threads,
    group_exit = group_exit,
    group_exit_code = group_exit_code,
    last_status = last_status,
    shared_pending = shared_pending,
    thread_head = thread_head,
    group_exec_task = group_exec_task
);
const _: () = {
    // The reference count is the first word of every shared object.
    assert!(offset_of!(at::MmStruct, users) == 0 && offset_of!(at::FsStruct, users) == 0);
    assert!(offset_of!(at::FilesStruct, count) == 0 && offset_of!(at::SighandStruct, count) == 0);
    assert!(offset_of!(at::SignalStruct, count) == 0);
    assert!(core::mem::size_of::<at::TaskStruct>() == offset_of!(Task, ksp) + 8);
    assert!(core::mem::size_of::<State>() == 4);
};

/// The shared objects a new task starts with: its parent's for clone (the
/// copy_* steps then replace what it does not share), the first ones for
/// the first task.
pub struct TaskObjects {
    pub mm: KRc<Mm>,
    pub fs: KRc<Fs>,
    pub files: KRc<Files>,
    pub sighand: KRc<SigHand>,
    pub signal: KRc<Signal>,
}

impl Task {
    /// The one constructor of a task record: `state`, holding `objects` and
    /// running on `kstack`, with a zeroed FPU area; ids, exit signal, links,
    /// masks, TID addresses and FS/GS bases are zero for the caller to set.
    /// The record is on no list and its list heads are not initialized:
    /// [`init_lists`] must follow (the box gives the record its final
    /// address). Allocation failure is ENOMEM, not a panic: clone gets here.
    pub fn new(state: State, objects: TaskObjects, kstack: Box<KernelStack>) -> KResult<Box<Task>> {
        let fpu = try_box(FpuState::zeroed())?;
        let TaskObjects {
            mm,
            fs,
            files,
            sighand,
            signal,
        } = objects;
        // Allocated before the record is built, so it is written in place
        // rather than built on the stack and copied.
        let slot = try_box_uninit::<Task>()?;
        Ok(Box::write(
            slot,
            Task {
                magic: at::TASK_MAGIC,
                state,
                pid: 0,
                tgid: 0,
                exit_signal: 0,
                exit_code: 0,
                killed: 0,
                on_rq: 0,
                group_leader: core::ptr::null_mut(),
                real_parent: core::ptr::null_mut(),
                children: ListHead::default(),
                sibling: ListHead::default(),
                thread_node: ListHead::default(),
                tasks: ListHead::default(),
                run_list: ListHead::default(),
                mm,
                fs,
                files,
                sighand,
                signal,
                set_child_tid: 0,
                clear_child_tid: 0,
                robust_list: 0,
                blocked: 0,
                pending: 0,
                wait_kind: 0,
                sas_ss_flags: abi::linux::signal::SS_DISABLE as u32,
                wait_addr: 0,
                sas_ss_sp: 0,
                sas_ss_size: 0,
                fs_base: 0,
                gs_base: 0,
                kstack,
                ksp: 0,
                wait: WaitOn::Nothing,
                timed_out: false,
                woken_tsc: 0,
                syscall_clock: SyscallClock::default(),
                fpu,
                vfork_parent: None,
                sigqueue: Vec::new(),
                sigpending: 0,
                real_blocked: 0,
                saved_sigmask: None,
                restart: RestartBlock::None,
                keep_pending_at_exit: false,
                break_sigmask: false,
            },
        ))
    }

    /// The tgid of the process that reaps this one (0 for init):
    /// getppid's answer, the same in every thread.
    pub fn parent_tgid(&self) -> Pid {
        // SAFETY: a task's real_parent is a live record (a thread's children
        // move to another thread or to init before it goes).
        unsafe { self.real_parent.as_ref().map_or(0, |p| p.tgid) }
    }

    /// The processes this thread created (leaders on its `children`).
    /// Collected, so the caller may relink them.
    pub fn children(&self) -> Vec<&'static mut Task> {
        list::iter(&self.children)
            // SAFETY: children links live leader records by sibling.
            .map(|n| unsafe { &mut *crate::container_of!(n, Task, sibling) })
            .collect()
    }
}

struct RootsCell(UnsafeCell<at::KernelRoots>);
// SAFETY: one CPU, interrupts off in the kernel: no concurrent access.
unsafe impl Sync for RootsCell {}

/// Where the host starts reading the kernel's state (`abi::task::KERNEL_ROOTS`).
#[used]
#[export_name = "kernel_roots"]
static KERNEL_ROOTS: RootsCell = RootsCell(UnsafeCell::new(at::KernelRoots {
    magic: 0,
    tasks: ListHead { next: 0, prev: 0 },
    nr_tasks: 0,
    nr_cpus: 0,
    rq: [at::RunQueue {
        curr: 0,
        queue: ListHead { next: 0, prev: 0 },
        nr_running: 0,
    }; at::MAX_CPUS],
    nr_cached_kstacks: 0,
    kstack_cache: [0; KSTACK_CACHE_MAX],
    frame_refs: 0,
    nr_frames: 0,
}));

#[allow(clippy::mut_from_ref)]
pub fn roots() -> &'static mut at::KernelRoots {
    // SAFETY: see RootsCell.
    unsafe { &mut *KERNEL_ROOTS.0.get() }
}

/// This CPU's scheduler state.
#[allow(clippy::mut_from_ref)]
pub fn this_rq() -> &'static mut at::RunQueue {
    &mut roots().rq[percpu::cpu_id()]
}

pub struct Kernel {
    /// The pid index (Linux's pid hash); each record is also on
    /// `kernel_roots.tasks`. Boxed: a record keeps one address for life.
    pub tasks: BTreeMap<Pid, Box<Task>>,
    pub next_pid: Pid,
    /// Exited tasks whose kernel stack may still be in use until the next
    /// switch; freed after it.
    #[allow(clippy::vec_box)]
    pub dead: Vec<Box<Task>>,
    pub kstacks: KstackStats,
    /// Sleeping tasks by deadline (TSC), earliest first.
    pub sleepers: alloc::collections::BTreeSet<(u64, Pid)>,
    /// Armed process timers by deadline (TSC): (deadline, tgid, timer id;
    /// `signal::itimer::ITIMER_REAL_ID` for ITIMER_REAL).
    pub timers: alloc::collections::BTreeSet<(u64, Pid, i32)>,
}

/// Maximum number of live tasks (Linux's pid_max is far larger; this bounds
/// the kernel heap a fork bomb can take).
pub const MAX_TASKS: usize = 1024;

struct KCell(UnsafeCell<Option<Kernel>>);
// SAFETY: one CPU, interrupts off in the kernel: no concurrent access.
unsafe impl Sync for KCell {}
static KERNEL: KCell = KCell(UnsafeCell::new(None));

/// The task table. Callers must not keep the reference across
/// `sched::schedule` (another task's code runs in between).
#[allow(clippy::mut_from_ref)]
pub fn kernel() -> &'static mut Kernel {
    // SAFETY: see KCell.
    unsafe {
        (*KERNEL.0.get())
            .as_mut()
            .expect("tasks used before init_tables")
    }
}

pub fn current() -> &'static mut Task {
    // SAFETY: `current` always points at a live record (set by schedule
    // and, for the first task, by init::start_first_program).
    unsafe { &mut *(this_rq().curr as *mut Task) }
}

pub fn task(pid: Pid) -> Option<&'static mut Task> {
    kernel().tasks.get_mut(&pid).map(|b| &mut **b)
}

/// Runs `f` with the task `pid`, if it exists.
pub fn with_task<R>(pid: Pid, f: impl FnOnce(&mut Task) -> R) -> Option<R> {
    task(pid).map(f)
}

/// Runs `f` with the current task.
pub fn with_current<R>(f: impl FnOnce(&mut Task) -> R) -> R {
    f(current())
}

/// Runs `f` with the current task's address space.
pub fn with_mm<R>(f: impl FnOnce(&mut Mm) -> R) -> R {
    let mm = current().mm.clone();
    let mut m = mm.borrow_mut();
    f(&mut m)
}

/// Pids are below this (Linux's default pid_max on 64-bit machines).
pub const PID_MAX: Pid = 1 << 22;

/// Allocates the lowest free pid above the last one handed out (wrapping),
/// as Linux's alloc_pid does.
pub fn alloc_pid() -> Option<Pid> {
    let k = kernel();
    if k.tasks.len() >= MAX_TASKS {
        return None;
    }
    for _ in 0..PID_MAX {
        let pid = k.next_pid;
        k.next_pid = if k.next_pid >= PID_MAX - 1 {
            2
        } else {
            k.next_pid + 1
        };
        if !k.tasks.contains_key(&pid) && !k.tasks.values().any(|t| t.tgid == pid) {
            return Some(pid);
        }
    }
    None
}

/// Initializes a boxed record's own list heads (they point at themselves).
pub fn init_lists(t: &mut Task) {
    list::init(&mut t.children);
    list::init(&mut t.sibling);
    list::init(&mut t.thread_node);
    list::init(&mut t.tasks);
    list::init(&mut t.run_list);
}

/// Puts a new task in the pid index and on the `tasks` list
/// (wake_up_new_task's first half).
pub fn hash(mut t: Box<Task>) -> &'static mut Task {
    let r = roots();
    list::add_tail(&mut t.tasks, &mut r.tasks);
    r.nr_tasks += 1;
    let pid = t.pid;
    kernel().tasks.insert(pid, t);
    task(pid).expect("just inserted")
}

/// Takes a task out of the pid index and every kernel list but its
/// group's (left at do_exit); the record lives on as the returned box.
pub fn unhash(pid: Pid) -> Option<Box<Task>> {
    let mut t = kernel().tasks.remove(&pid)?;
    list::del(&mut t.tasks);
    list::del(&mut t.sibling);
    if t.on_rq != 0 {
        this_rq().nr_running -= 1;
    }
    list::del(&mut t.run_list);
    t.on_rq = 0;
    roots().nr_tasks -= 1;
    Some(t)
}

/// Sets up the task table and the host-visible roots (empty lists, one
/// CPU, the frame refcount table) before the first task exists.
pub fn init_tables() {
    // SAFETY: boot, before any task runs.
    unsafe {
        *KERNEL.0.get() = Some(Kernel {
            tasks: BTreeMap::new(),
            next_pid: 2,
            dead: Vec::new(),
            sleepers: alloc::collections::BTreeSet::new(),
            timers: alloc::collections::BTreeSet::new(),
            kstacks: KstackStats { hits: 0, misses: 0 },
        });
    }
    let r = roots();
    list::init(&mut r.tasks);
    r.nr_cpus = 1;
    for rq in r.rq.iter_mut() {
        list::init(&mut rq.queue);
    }
    (r.frame_refs, r.nr_frames) = mm::frame::refcount_table();
}

/// Links a new thread on its group's thread list.
pub fn join_group(t: &mut Task) {
    let signal = t.signal.clone();
    let mut s = signal.borrow_mut();
    s.nr_threads += 1;
    list::add_tail(&mut t.thread_node, &mut s.thread_head);
}

/// Frees a task record that nothing refers to any more (already unhashed);
/// its kernel stack goes to the stack cache. Shared objects go when their
/// last holder does. The magic word is overwritten so a stale pointer to
/// the freed record is recognizable.
#[allow(clippy::boxed_local)] // task records live boxed in the table
pub fn free_task(mut t: Box<Task>) {
    t.magic = at::TASK_MAGIC_FREED;
    let Task { kstack, .. } = *t;
    KernelStack::release(kstack);
}
