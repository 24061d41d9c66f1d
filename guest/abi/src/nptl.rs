//! guest-libc's thread structures as the host sees them in a program's
//! memory (the C definitions are in guest-libc/src/internal.h; a test
//! compiles the C side and compares every offset with these).
//!
//! The host finds the lists through the program's ELF symbols
//! ([`STACK_USED`], [`STACK_CACHE`], [`STACK_USER`]) and walks them through
//! that process's page tables: each list is circular and doubly linked
//! through [`PthreadHead::list`], with the head itself as sentinel.

use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

/// Exported symbol names.
pub const STACK_USED: &str = "stack_used";
pub const STACK_CACHE: &str = "stack_cache";
pub const STACK_USER: &str = "stack_user";
/// `size_t`: bytes of stacks in the cache, and the cache's limit.
pub const STACK_CACHE_ACTSIZE: &str = "stack_cache_actsize";
pub const STACK_CACHE_MAXSIZE: &str = "stack_cache_maxsize";
/// `int`: the low-level lock (0 free) every change of the three lists and
/// of `stack_cache_actsize` holds; fork holds it across the clone.
pub const STACK_CACHE_LOCK: &str = "stack_cache_lock";
/// `int`: live threads (the last one's exit ends the process).
pub const NPTL_NTHREADS: &str = "__nptl_nthreads";

/// Thread-specific data slots per thread.
pub const PTHREAD_KEYS: usize = 128;

pub use crate::list::ListHead;

/// `struct pthread`: the TCB at the thread pointer and at the top of the
/// thread's stack block. Pointers are guest virtual addresses.
///
/// Its head, every field before the thread-specific data, is a record of
/// its own: the host's checks read only the head (a few cache lines of the
/// record's 1.7 KiB) and keep lists of them.
#[repr(C)]
#[derive(Clone, Copy, Debug, FromBytes, IntoBytes, KnownLayout, Immutable)]
pub struct Pthread {
    pub head: PthreadHead,
    pub specific: [u64; PTHREAD_KEYS],
    pub specific_seq: [u32; PTHREAD_KEYS],
}

/// The fields of [`Pthread`] before `specific`, at the same offsets.
#[repr(C)]
#[derive(Clone, Copy, Debug, FromBytes, IntoBytes, KnownLayout, Immutable)]
pub struct PthreadHead {
    /// Self pointer at %fs:0 (x86_64 TLS ABI).
    pub tcb: u64,
    pub dtv: u64,
    pub self_: u64,
    pub multiple_threads: i32,
    pub gscope_flag: i32,
    pub sysinfo: u64,
    /// %fs:0x28, as glibc.
    pub stack_guard: u64,
    pub pointer_guard: u64,
    /// Written by the kernel (PARENT_SETTID), cleared at exit (CLEARTID).
    pub tid: i32,
    pub detached: i32,
    pub list: ListHead,
    /// The whole mapping: guard + stack + TLS + this record.
    pub stackblock: u64,
    pub stackblock_size: u64,
    pub guardsize: u64,
    pub user_stack: i32,
    pub _pad: i32,
    pub start_routine: u64,
    pub arg: u64,
    pub result: u64,
    pub sigmask: u64,
}
