//! Kernel statistics the host can read: counts that must come back to their
//! starting values after tasks come and go (no leaks). The kernel keeps one
//! [`KernelStats`] up to date and sends it with the `STATS` hypercall when a
//! program asks for a snapshot with [`SYS_THREADLAB_STATS`].

use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

/// A system call number Linux does not use (it returns ENOSYS there): asks
/// the guest kernel to report a statistics snapshot to the host, tagged with
/// the first argument.
pub const SYS_THREADLAB_STATS: u64 = 0x7fff_0001;

/// A [`SYS_THREADLAB_STATS`] tag that, with the kernel option
/// `test-faults`, also breaks the caller's thread group on purpose: its
/// `nr_threads` goes up by one (invariant 4), written by the kernel itself
/// so the host's dirty-page tracking has to see it. Without the option the
/// tag is an ordinary one.
pub const STATS_TAG_BREAK_NR_THREADS: u64 = 0xbad_0004;

/// A [`SYS_THREADLAB_STATS`] tag that, with `test-faults`, makes the
/// calling thread keep its pending signals when it exits (Linux flushes
/// them): the host's check that no exited thread has a signal pending
/// must fire.
pub const STATS_TAG_BREAK_EXIT_FLUSH: u64 = 0xbad_0005;

/// A [`SYS_THREADLAB_STATS`] tag that, with `test-faults`, makes the next
/// signal the calling thread takes ignore its blocked mask: the host's
/// check that a signal is never delivered while blocked must fire.
pub const STATS_TAG_BREAK_SIGMASK: u64 = 0xbad_0006;

#[repr(C)]
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, KnownLayout, Immutable,
)]
pub struct KernelStats {
    /// The program's tag for this snapshot.
    pub tag: u64,
    pub free_frames: u64,
    pub total_frames: u64,
    /// Task records alive (running, blocked, zombie).
    pub tasks: u64,
    /// Kernel stacks waiting in the cache.
    pub cached_kstacks: u64,
    pub kstack_cache_hits: u64,
    pub kstack_cache_misses: u64,
    /// Tasks blocked on a timer.
    pub sleepers: u64,
    /// Bytes of kernel heap in use (task records, VMAs, tables of objects).
    pub heap_used: u64,
}

/// Name of the kernel's [`CloneProfile`] symbol.
pub const CLONE_PROFILE: &str = "clone_profile";

/// The phases of `kernel_clone`, in the order they run; together they cover
/// it from entry to return (the vfork wait excluded). Indexes into
/// [`CloneProfile::phase_cycles`].
pub mod phase {
    /// copy_process's flag checks.
    pub const CHECKS: usize = 0;
    pub const DUP_TASK_STRUCT: usize = 1;
    pub const COPY_FILES: usize = 2;
    pub const COPY_FS: usize = 3;
    pub const COPY_SIGHAND: usize = 4;
    pub const COPY_SIGNAL: usize = 5;
    pub const COPY_MM: usize = 6;
    pub const COPY_THREAD: usize = 7;
    /// alloc_pid and the pidfd.
    pub const ALLOC_PID: usize = 8;
    /// tgid, group_leader, real_parent, exit_signal, CHILD_SETTID,
    /// PARENT_SETTID.
    pub const LINKS: usize = 9;
    pub const WAKE_UP_NEW_TASK: usize = 10;
    pub const COUNT: usize = 11;
}

/// Linux's names of the phases (the functions of `kernel_clone`), by index.
pub const PHASE_NAMES: [&str; phase::COUNT] = [
    "copy_process checks",
    "dup_task_struct",
    "copy_files",
    "copy_fs",
    "copy_sighand",
    "copy_signal",
    "copy_mm",
    "copy_thread",
    "alloc_pid",
    "tgid/group_leader/real_parent",
    "wake_up_new_task",
];

/// Cycle counters of successful `kernel_clone` calls, kept by the kernel
/// when started with the `clone-profile` option (otherwise all zero and
/// never touched: one branch per phase). The host reads it from guest
/// memory after a run (`vmm bench`).
#[repr(C)]
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, KnownLayout, Immutable,
)]
pub struct CloneProfile {
    /// Non-zero when the counters run.
    pub enabled: u64,
    /// TSC ticks per millisecond (to turn cycles into time).
    pub tsc_khz: u64,
    /// Successful kernel_clone calls counted.
    pub calls: u64,
    /// TSC ticks from kernel_clone's entry to its return, summed.
    pub total_cycles: u64,
    pub phase_cycles: [u64; 16],
    /// From wake_up_new_task to the child's first run on the CPU, summed
    /// over `first_schedules` children.
    pub first_schedule_cycles: u64,
    pub first_schedules: u64,
    /// Kernel-stack cache use by dup_task_struct during the counted calls.
    pub kstack_hits: u64,
    pub kstack_misses: u64,
}
