//! Files and descriptors: open / dup3 flags, fcntl commands, the `*at`
//! calls' directory and flags, lseek's whence, the file types of
//! `st_mode`, and pidfd_open's flags (numbers from `linux-raw-sys`).

use linux_raw_sys::general as raw;

/// The bits of the open flags that hold the access mode (one of
/// [`ACCESS_MODES`]; all of them set is strace's `O_ACCMODE`).
pub const O_ACCMODE: u64 = raw::O_ACCMODE as u64;

named! {
    /// The access modes.
    ACCESS_MODES: u64 = [O_RDONLY, O_WRONLY, O_RDWR]
}

named! {
    /// The open flags above the access mode that strace names, in its
    /// order.
    OPEN_FLAGS: u64 = [
        O_CREAT, O_EXCL, O_NOCTTY, O_TRUNC, O_APPEND, O_NONBLOCK, O_DSYNC,
        O_DIRECT, O_DIRECTORY, O_NOFOLLOW, O_NOATIME, O_CLOEXEC,
    ]
}

named! {
    /// fcntl's commands that `--strace` names.
    FCNTL_COMMANDS: u64 = [
        F_DUPFD, F_GETFD, F_SETFD, F_GETFL, F_SETFL, F_GETLK, F_SETLK, F_SETLKW,
        F_DUPFD_CLOEXEC,
    ]
}

named! {
    /// The descriptor flags (F_GETFD / F_SETFD).
    FD_FLAGS: u64 = [FD_CLOEXEC]
}

named! {
    /// The `*at` calls' special directory descriptor: the current
    /// directory. (A C `int`, compared as one.)
    DIRFDS: i32 = [AT_FDCWD]
}

named! {
    /// The `*at` calls' flags that `--strace` names (newfstatat's).
    PATH_FLAGS: u64 = [AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH]
}

named! {
    /// lseek's whence.
    WHENCE: u64 = [SEEK_SET, SEEK_CUR, SEEK_END, SEEK_DATA, SEEK_HOLE]
}

/// The bits of `st_mode` that hold the file type (one of [`FILE_TYPES`]).
pub const S_IFMT: u32 = raw::S_IFMT;

named! {
    /// The file types (`st_mode` is a 32-bit field), in strace's order.
    FILE_TYPES: u32 = [S_IFSOCK, S_IFLNK, S_IFREG, S_IFBLK, S_IFDIR, S_IFCHR, S_IFIFO]
}

named! {
    /// pidfd_open's flags: Linux defines them as these open flags (a
    /// nonblocking pidfd; a pidfd for a thread), which is why
    /// `linux-raw-sys` does not have them.
    PIDFD_FLAGS: u64 = [PIDFD_NONBLOCK = O_NONBLOCK, PIDFD_THREAD = O_EXCL]
}
