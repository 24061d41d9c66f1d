//! The kernel's task records and the objects tasks share, as the host reads
//! them in guest memory: Linux's `task_struct`, `mm_struct`, `fs_struct`,
//! `files_struct`, `sighand_struct` and `signal_struct`, reduced to what this
//! kernel keeps. These are the kernel's real records, not copies: the kernel
//! declares its own types with these layouts and checks every offset against
//! this module at compile time (guest/kernel/src/task.rs).
//!
//! The host finds everything from one exported symbol, [`KERNEL_ROOTS`], a
//! [`KernelRoots`] record in the kernel image. Pointers are kernel virtual
//! addresses: in the kernel image window or the direct map (see
//! [`crate::layout`]); the host translates them without page tables.
//!
//! Lists are circular and doubly linked through [`ListHead`]s embedded in the
//! records (Linux's `list_head`); a list's head is a sentinel embedded in
//! its owner, and `container_of` is "node address minus field offset".
//!
//! Shared objects start with their reference count, the number of task
//! records pointing at them: sharing (CLONE_VM, CLONE_FS, ...) is an
//! increment. The host's invariant 3 checks exactly that.

use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

pub use crate::list::ListHead;

/// Name of the [`KernelRoots`] symbol in the kernel ELF.
pub const KERNEL_ROOTS: &str = "kernel_roots";
/// [`KernelRoots::magic`]: "thrdlab" + layout generation.
pub const ROOTS_MAGIC: u64 = 0x7468_7264_6c61_6201;
/// [`TaskStruct::magic`] of a live record; a freed one is overwritten with
/// [`TASK_MAGIC_FREED`] so a stale pointer is recognizable.
pub const TASK_MAGIC: u32 = 0x7461_736b;
pub const TASK_MAGIC_FREED: u32 = 0x6465_6164;

/// [`TaskStruct::state`]. Linux folds running and runnable into
/// TASK_RUNNING; they are apart here because invariant 5 needs to know which
/// task is on the CPU. BLOCKED is TASK_INTERRUPTIBLE; ZOMBIE is EXIT_ZOMBIE.
pub mod state {
    /// Built by copy_process, not yet handed to wake_up_new_task: never
    /// visible in the task list.
    pub const NEW: u32 = 0x800;
    /// On the CPU: `current`.
    pub const RUNNING: u32 = 0;
    /// Waiting on the run queue.
    pub const RUNNABLE: u32 = 3;
    /// Waiting for a futex, a child, a vfork child or a timer.
    pub const BLOCKED: u32 = 1;
    /// An exited group leader its parent has not reaped.
    pub const ZOMBIE: u32 = 0x20;
    /// Exited and reaped (or an auto-reaped thread): off every list, about
    /// to be freed; never visible in the task list.
    pub const DEAD: u32 = 0x10;
}

/// `task_struct`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, FromBytes, IntoBytes, KnownLayout, Immutable)]
pub struct TaskStruct {
    pub magic: u32,
    /// One of [`state`].
    pub state: u32,
    pub pid: i32,
    pub tgid: i32,
    /// Signal sent to the parent when this group ends (-1 for threads).
    pub exit_signal: i32,
    /// Wait status of the group once it has ended (ZOMBIE).
    pub exit_code: i32,
    /// Non-zero: exit_group or a fatal signal ends this thread when it next
    /// runs.
    pub killed: u32,
    /// Non-zero while linked on the run queue.
    pub on_rq: u32,
    /// The thread-group leader (itself for a leader).
    pub group_leader: u64,
    /// The thread that created this process (0 for init), as Linux's
    /// real_parent: for CLONE_THREAD and CLONE_PARENT the creator's own
    /// real_parent. When that thread exits, its children move to another
    /// live thread of its group, or to init.
    pub real_parent: u64,
    /// Head of the list of the processes this thread created (their
    /// leaders), linked through their `sibling`.
    pub children: ListHead,
    pub sibling: ListHead,
    /// Link in the group's [`SignalStruct::thread_head`].
    pub thread_node: ListHead,
    /// Link in [`KernelRoots::tasks`]: every task record.
    pub tasks: ListHead,
    /// Link in its CPU's [`RunQueue::queue`] while `on_rq`.
    pub run_list: ListHead,
    /// [`MmStruct`], [`FsStruct`], [`FilesStruct`], [`SighandStruct`],
    /// [`SignalStruct`].
    pub mm: u64,
    pub fs: u64,
    pub files: u64,
    pub sighand: u64,
    pub signal: u64,
    pub set_child_tid: u64,
    pub clear_child_tid: u64,
    pub robust_list: u64,
    /// Signal masks (bit n-1 for signal n).
    pub blocked: u64,
    /// This thread's private pending set (tgkill / tkill, faults, timers
    /// aimed at the thread). Empty once the thread has exited.
    pub pending: u64,
    /// What a BLOCKED task waits for: one of [`wait`].
    pub wait_kind: u32,
    /// sigaltstack's `ss_flags` as set (SS_DISABLE, SS_AUTODISARM);
    /// SS_ONSTACK is not stored, it is "rsp lies on the stack".
    pub sas_ss_flags: u32,
    /// The wait's object: for [`wait::FUTEX`] the futex word's user
    /// address, [`wait::VFORK`] the child's pid, [`wait::SLEEP`] the TSC
    /// deadline; 0 otherwise.
    pub wait_addr: u64,
    /// The alternate signal stack (sigaltstack): base and size, 0 if none.
    pub sas_ss_sp: u64,
    pub sas_ss_size: u64,
    /// User FS base (the thread pointer) while switched out; for `current`
    /// the live value is in the CPU.
    pub fs_base: u64,
    pub gs_base: u64,
    /// Base of this task's kernel stack ([`KERNEL_STACK_SIZE`] bytes).
    pub stack: u64,
    /// Saved kernel stack pointer while switched out.
    pub ksp: u64,
}

/// [`TaskStruct::wait_kind`].
pub mod wait {
    /// Not waiting (or not blocked).
    pub const NOTHING: u32 = 0;
    /// A futex word (futex WAIT, pthread_join, mutexes, condition variables).
    pub const FUTEX: u32 = 1;
    /// Any child's state change (wait4, waitid).
    pub const CHILD: u32 = 2;
    /// A vfork child to exit or exec.
    pub const VFORK: u32 = 3;
    /// A timer (nanosleep, clock_nanosleep).
    pub const SLEEP: u32 = 4;
    /// A signal (pause, rt_sigsuspend, rt_sigtimedwait).
    pub const SIGNAL: u32 = 5;
    /// A pipe to become readable or writable (read, write); the address
    /// is the pipe's inode number.
    pub const PIPE: u32 = 6;
    /// Any of several files to become ready (poll, ppoll), until the TSC
    /// deadline in the address (0: none).
    pub const POLL: u32 = 7;
    /// The other threads of its group to exit (execve's de_thread); only
    /// a fatal signal ends this wait early.
    pub const EXEC: u32 = 8;
    /// An eventfd's counter to become non-zero (read) or to have room
    /// (write); the address is its inode number.
    pub const EVENTFD: u32 = 9;

    /// The kind's name in reports.
    pub fn name(kind: u32) -> &'static str {
        match kind {
            NOTHING => "nothing",
            FUTEX => "futex",
            CHILD => "child",
            VFORK => "vfork child",
            SLEEP => "timer",
            SIGNAL => "signal",
            PIPE => "pipe",
            POLL => "poll",
            EXEC => "exec",
            EVENTFD => "eventfd",
            _ => "unknown",
        }
    }
}

/// Bytes of every kernel stack.
pub const KERNEL_STACK_SIZE: u64 = 32 * 1024;

/// The top of every task's kernel stack holds the user register frame of
/// its last entry from user mode (or the one kernel_clone built), ending
/// with the CPU's exception frame: these are the byte distances from the
/// stack's top (`stack + KERNEL_STACK_SIZE`) to its user `cs` and `rsp`.
pub const USER_CS_FROM_STACK_TOP: u64 = 32;
pub const USER_RSP_FROM_STACK_TOP: u64 = 16;
/// The user code selector (Linux's 0x33) found there for a user frame.
pub const USER_CS: u64 = 0x33;
/// The user data and stack selector (Linux's 0x2b): a user frame's `ss`.
pub const USER_DS: u64 = 0x2b;

/// `mm_struct`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, FromBytes, IntoBytes, KnownLayout, Immutable)]
pub struct MmStruct {
    /// `mm_users`: tasks using this address space.
    pub users: u64,
    /// Physical address of the PML4 (what CR3 holds).
    pub pgd: u64,
    /// First [`VmAreaStruct`] of this address space (0 if none); the VMAs
    /// are linked through `vm_next` / `vm_prev` in no particular order.
    pub mmap: u64,
    /// Number of VMAs on the `mmap` list.
    pub map_count: u64,
    /// How many execve calls made this address space's program: 0 for the
    /// program the host started (and every fork of it), one more than the
    /// caller's for the one an execve builds (fork copies it). What the
    /// host knows of a program, its symbols, holds only where this is 0.
    pub execs: u64,
}

/// `PROT_*` bits of [`VmAreaStruct::prot`], as mmap(2) takes them.
pub mod prot {
    pub const READ: u32 = 1;
    pub const WRITE: u32 = 2;
    pub const EXEC: u32 = 4;
}

/// The bit of a frame's refcount that says a file (a tmpfs file, or the
/// object behind anonymous shared memory) holds the frame as one of its
/// pages; the other bits count the user PTEs mapping it.
pub const FRAME_CACHED: u16 = 0x8000;

/// `VmAreaStruct::kind` values (the kernel's `VmaKind`).
pub mod vma_kind {
    pub const IMAGE: u32 = 0;
    pub const HEAP: u32 = 1;
    pub const STACK: u32 = 2;
    pub const ANON: u32 = 3;
    /// MAP_SHARED (of a file or anonymous): the pages are the backing
    /// object's, mapped writable in every sharer.
    pub const SHARED: u32 = 4;
    /// MAP_PRIVATE of a file: the file's pages mapped read-only, a write
    /// copies.
    pub const FILE: u32 = 5;
}

/// `vm_area_struct`: one region of an address space, the kernel's record
/// of what the program may do there. Page-aligned, non-empty, never
/// overlapping another VMA of the same mm. A present user page lies in a
/// VMA and its PTE allows no more than `prot` (a copy-on-write page is
/// read-only in a writable VMA; a PROT_NONE page is present but
/// supervisor-only).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, FromBytes, IntoBytes, KnownLayout, Immutable)]
pub struct VmAreaStruct {
    pub vm_start: u64,
    /// Exclusive.
    pub vm_end: u64,
    /// [`prot`] bits.
    pub prot: u32,
    /// What the region is: a [`vma_kind`] value.
    pub kind: u32,
    /// Next and previous VMA of the mm's `mmap` list (0 ends it).
    pub vm_next: u64,
    pub vm_prev: u64,
}

/// `fs_struct`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, FromBytes, IntoBytes, KnownLayout, Immutable)]
pub struct FsStruct {
    pub users: u64,
    pub umask: u32,
    pub _pad: u32,
}

/// `files_struct`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, FromBytes, IntoBytes, KnownLayout, Immutable)]
pub struct FilesStruct {
    pub count: u64,
}

/// One signal's action as the kernel keeps it: rt_sigaction's own record.
pub type KSigaction = crate::linux::uapi::KernelSigaction;

/// `sighand_struct`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, FromBytes, IntoBytes, KnownLayout, Immutable)]
pub struct SighandStruct {
    pub count: u64,
    /// Indexed by signal number - 1.
    pub action: [KSigaction; crate::linux::signal::NSIG as usize],
}

/// `signal_struct`: the thread group.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, FromBytes, IntoBytes, KnownLayout, Immutable)]
pub struct SignalStruct {
    /// `sigcnt`: task records pointing here (live threads and a zombie
    /// leader).
    pub count: u64,
    /// Threads of the group that have not exited.
    pub nr_threads: u32,
    /// Non-zero once exit_group (or a fatal signal) ended the group.
    pub group_exit: u32,
    pub group_exit_code: i32,
    /// Wait status of the last thread to exit.
    pub last_status: i32,
    /// Signals sent to the whole process (kill), not yet taken.
    pub shared_pending: u64,
    /// Head of the live threads, linked through `thread_node`.
    pub thread_head: ListHead,
    /// Linux's `group_exec_task`: the thread in execve's de_thread, which
    /// waits for every other thread of the group to exit (each marked
    /// `killed`); 0 when none.
    pub group_exec_task: i32,
    pub _pad: u32,
}

/// CPUs the layout has room for. The kernel runs one vCPU today; the
/// scheduler state is per CPU already so that SMP needs no new layout.
pub const MAX_CPUS: usize = 1;

/// One CPU's scheduler state (Linux's `struct rq`).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, FromBytes, IntoBytes, KnownLayout, Immutable)]
pub struct RunQueue {
    /// The task on this CPU.
    pub curr: u64,
    /// Runnable tasks waiting for this CPU, FIFO, through
    /// `TaskStruct::run_list`.
    pub queue: ListHead,
    /// Length of `queue`.
    pub nr_running: u64,
}

/// Most freed kernel stacks kept for reuse (Linux's cached_stacks).
pub const KSTACK_CACHE_MAX: usize = 16;

/// Everything the host needs to find the kernel's state.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, FromBytes, IntoBytes, KnownLayout, Immutable)]
pub struct KernelRoots {
    /// [`ROOTS_MAGIC`] once the first task exists; 0 before.
    pub magic: u64,
    /// Head of every task record, linked through `TaskStruct::tasks`.
    pub tasks: ListHead,
    pub nr_tasks: u64,
    /// CPUs in use: `rq[..nr_cpus]` are valid.
    pub nr_cpus: u64,
    /// Per-CPU scheduler state.
    pub rq: [RunQueue; MAX_CPUS],
    /// Kernel stacks in the cache: `kstack_cache[..nr_cached_kstacks]`.
    pub nr_cached_kstacks: u64,
    pub kstack_cache: [u64; KSTACK_CACHE_MAX],
    /// Frame reference counts: a `u16` per physical frame, frame `n` at
    /// `frame_refs + 2n`, for frames below `nr_frames`: the number of
    /// user PTEs mapping the frame, with [`FRAME_CACHED`] set while a
    /// file's page cache holds it.
    pub frame_refs: u64,
    pub nr_frames: u64,
}
