//! Waiting for children: wait4 / waitid options and waitid's id types
//! (numbers from `linux-raw-sys`).

use linux_raw_sys::general as raw;

named! {
    /// The options, in strace's order (wait4's names: `WUNTRACED` for the
    /// bit waitid calls [`WSTOPPED`]).
    WAIT_OPTIONS: u64 = [
        WNOHANG, WUNTRACED, WEXITED, WCONTINUED, WNOWAIT, __WNOTHREAD, __WALL,
        __WCLONE,
    ]
}

/// waitid's name for [`WUNTRACED`].
pub const WSTOPPED: u64 = raw::WSTOPPED as u64;

named! {
    /// waitid's id types.
    ID_TYPES: u64 = [P_ALL, P_PID, P_PGID, P_PIDFD]
}
