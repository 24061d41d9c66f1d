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

named! {
    /// The `*at` calls' other flags: unlinkat's, linkat's, faccessat's.
    AT_FLAGS: u64 = [AT_REMOVEDIR, AT_SYMLINK_FOLLOW, AT_EACCESS]
}

/// Open flags beyond [`OPEN_FLAGS`]: a path-only descriptor, an unnamed
/// file (which needs O_DIRECTORY's bit too), and the bit Linux sets on
/// every 64-bit open.
pub const O_PATH: u64 = raw::O_PATH as u64;
pub const O_TMPFILE: u64 = raw::O_TMPFILE as u64;
pub const O_LARGEFILE: u64 = raw::O_LARGEFILE as u64;
pub const O_SYNC: u64 = raw::O_SYNC as u64;

named! {
    /// renameat2's flags.
    RENAME_FLAGS: u64 = [RENAME_NOREPLACE, RENAME_EXCHANGE, RENAME_WHITEOUT]
}

named! {
    /// access's mode bits (F_OK is 0).
    ACCESS_BITS: u64 = [R_OK, W_OK, X_OK]
}

/// utimensat's special nanosecond values.
pub const UTIME_NOW: i64 = raw::UTIME_NOW as i64;
pub const UTIME_OMIT: i64 = raw::UTIME_OMIT as i64;

named! {
    /// `d_type` values of getdents64.
    DIRENT_TYPES: u8 = [DT_UNKNOWN, DT_FIFO, DT_CHR, DT_DIR, DT_BLK, DT_REG, DT_LNK, DT_SOCK]
}

/// statx's mask: what the kernel filled in (`STATX_BASIC_STATS`).
pub const STATX_BASIC_STATS: u32 = raw::STATX_BASIC_STATS;
pub const STATX_BTIME: u32 = raw::STATX_BTIME;

/// The permission bits of `st_mode` (set-id, sticky and rwx for all).
pub const S_IALLUGO: u32 = 0o7777;

/// The longest path a call accepts, NUL included, and the longest name.
pub const PATH_MAX: usize = raw::PATH_MAX as usize;
pub const NAME_MAX: usize = raw::NAME_MAX as usize;
/// Symlinks followed in one lookup before ELOOP (Linux's MAXSYMLINKS).
pub const MAXSYMLINKS: u32 = 40;

/// f_type of statfs for the file systems the kernel has.
pub const TMPFS_MAGIC: i64 = raw::TMPFS_MAGIC as i64;
pub const PROC_SUPER_MAGIC: i64 = raw::PROC_SUPER_MAGIC as i64;
pub const SYSFS_MAGIC: i64 = raw::SYSFS_MAGIC as i64;

/// close_range's flags (include/uapi/linux/close_range.h, which
/// `linux-raw-sys` does not generate).
pub const CLOSE_RANGE_UNSHARE: u64 = 1 << 1;
pub const CLOSE_RANGE_CLOEXEC: u64 = 1 << 2;

/// execveat's flag for a check without the exec (Linux 6.14): the checks
/// up to the one of the file's format, then 0.
pub const AT_EXECVE_CHECK: u64 = raw::AT_EXECVE_CHECK as u64;

/// newfstatat's and statx's other flags.
pub const AT_NO_AUTOMOUNT: u64 = raw::AT_NO_AUTOMOUNT as u64;
pub const AT_STATX_SYNC_TYPE: u64 = raw::AT_STATX_SYNC_TYPE as u64;
/// statx's mask bit reserved for future extension (EINVAL if set).
pub const STATX__RESERVED: u32 = raw::STATX__RESERVED;
