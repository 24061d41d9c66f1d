//! Linux errno values, from `abi::linux::errno` (one definition for the
//! kernel, the host and guest-libc).

pub use abi::linux::errno::*;

/// Syscall result: value or positive errno.
pub type KResult<T> = Result<T, i64>;
