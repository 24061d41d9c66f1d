//! futex commands and option bits (numbers from `linux-raw-sys`).

use linux_raw_sys::general as raw;

named! {
    /// Every command with its name, in number order.
    COMMANDS: u64 = [
        FUTEX_WAIT, FUTEX_WAKE, FUTEX_FD, FUTEX_REQUEUE, FUTEX_CMP_REQUEUE, FUTEX_WAKE_OP,
        FUTEX_LOCK_PI, FUTEX_UNLOCK_PI, FUTEX_TRYLOCK_PI, FUTEX_WAIT_BITSET,
        FUTEX_WAKE_BITSET, FUTEX_WAIT_REQUEUE_PI, FUTEX_CMP_REQUEUE_PI, FUTEX_LOCK_PI2,
    ]
}

const _: () = {
    let mut i = 0;
    while i < COMMANDS.len() {
        assert!(COMMANDS[i].0 == i as u64, "commands out of number order");
        i += 1;
    }
};

/// The option bits of the `op` argument.
pub const FUTEX_PRIVATE_FLAG: u64 = raw::FUTEX_PRIVATE_FLAG as u64;
pub const FUTEX_CLOCK_REALTIME: u64 = raw::FUTEX_CLOCK_REALTIME as u64;
/// `op` without its option bits is the command.
pub const FUTEX_CMD_MASK: u64 = raw::FUTEX_CMD_MASK as u64;
/// The bitset that matches every waiter (WAIT / WAKE without a bitset).
pub const FUTEX_BITSET_MATCH_ANY: u32 = raw::FUTEX_BITSET_MATCH_ANY;

/// A futex word's bits for robust and PI locks: waiters may sleep on it,
/// its owner died holding it, and the owner's tid.
pub const FUTEX_WAITERS: u32 = raw::FUTEX_WAITERS;
pub const FUTEX_OWNER_DIED: u32 = raw::FUTEX_OWNER_DIED;
pub const FUTEX_TID_MASK: u32 = raw::FUTEX_TID_MASK;
/// The most entries of a robust list the kernel walks at exit.
pub const ROBUST_LIST_LIMIT: u32 = raw::ROBUST_LIST_LIMIT;

/// The name of command `cmd` (`op & FUTEX_CMD_MASK`).
pub fn command_name(cmd: u64) -> Option<&'static str> {
    COMMANDS.get(usize::try_from(cmd).ok()?).map(|c| c.1)
}
