//! Kernel statistics the host can read: counts that must come back to their
//! starting values after tasks come and go (no leaks). The kernel keeps one
//! [`KernelStats`] up to date and sends it with the `STATS` hypercall when a
//! program asks for a snapshot with [`SYS_THREADLAB_STATS`].

/// A system call number Linux does not use (it returns ENOSYS there): asks
/// the guest kernel to report a statistics snapshot to the host, tagged with
/// the first argument.
pub const SYS_THREADLAB_STATS: u64 = 0x7fff_0001;

#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
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
