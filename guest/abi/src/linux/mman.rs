//! Memory mappings: mmap / mprotect protections, mmap's mapping types and
//! flags, madvise's advice (numbers from `linux-raw-sys`).

use linux_raw_sys::general as raw;

/// No access: the empty set of [`PROT`] bits.
pub const PROT_NONE: u64 = raw::PROT_NONE as u64;

named! {
    /// The protection bits, in strace's order.
    PROT: u64 = [PROT_READ, PROT_WRITE, PROT_EXEC, PROT_SEM, PROT_GROWSDOWN, PROT_GROWSUP]
}

/// The bits of mmap's flags that hold the mapping type (one of
/// [`MAP_TYPES`]); the others are [`MAP_FLAGS`].
pub const MAP_TYPE: u64 = raw::MAP_TYPE as u64;

named! {
    /// The mapping types.
    MAP_TYPES: u64 = [MAP_SHARED, MAP_PRIVATE, MAP_SHARED_VALIDATE]
}

named! {
    /// The flag bits above the mapping type that strace names, in its
    /// order.
    MAP_FLAGS: u64 = [
        MAP_FIXED, MAP_ANONYMOUS, MAP_32BIT, MAP_GROWSDOWN, MAP_DENYWRITE,
        MAP_EXECUTABLE, MAP_LOCKED, MAP_NORESERVE, MAP_POPULATE, MAP_NONBLOCK,
        MAP_STACK, MAP_HUGETLB, MAP_SYNC, MAP_FIXED_NOREPLACE, MAP_UNINITIALIZED,
    ]
}

named! {
    /// madvise's advice values that `--strace` names.
    MADVISE: u64 = [
        MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL, MADV_WILLNEED, MADV_DONTNEED,
        MADV_FREE, MADV_REMOVE, MADV_DONTFORK, MADV_DOFORK, MADV_MERGEABLE,
        MADV_UNMERGEABLE, MADV_HUGEPAGE, MADV_NOHUGEPAGE, MADV_DONTDUMP,
        MADV_DODUMP, MADV_WIPEONFORK, MADV_KEEPONFORK, MADV_COLD, MADV_PAGEOUT,
        MADV_POPULATE_READ, MADV_POPULATE_WRITE, MADV_HWPOISON,
    ]
}

named! {
    /// The other advice values Linux 6.1 takes, which `--strace` shows as
    /// numbers.
    MADVISE_OTHER: u64 = [MADV_DONTNEED_LOCKED, MADV_COLLAPSE, MADV_SOFT_OFFLINE]
}

named! {
    /// msync's flags.
    MSYNC_FLAGS: u64 = [MS_ASYNC, MS_INVALIDATE, MS_SYNC]
}
