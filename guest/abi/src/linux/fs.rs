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

/// A table of constants this module already defines (`named!` would
/// define them again): each row is the constant, as `u64`, and its
/// identifier, in the order written.
macro_rules! rows {
    ($(#[$doc:meta])* $table:ident = [$($name:ident),* $(,)?]) => {
        $(#[$doc])*
        pub static $table: &[(u64, &str)] = &[$(($name as u64, stringify!($name)),)*];
    };
}

/// The bits of O_SYNC and O_TMPFILE besides O_DSYNC's and O_DIRECTORY's,
/// which strace names when they come alone, and O_ASYNC's bit, which it
/// names FASYNC.
pub const __O_SYNC: u64 = raw::__O_SYNC as u64;
pub const __O_TMPFILE: u64 = raw::__O_TMPFILE as u64;
pub const FASYNC: u64 = raw::FASYNC as u64;

rows! {
    /// Every open flag above the access mode, in strace's order: a flag
    /// made of others' bits (O_SYNC, O_TMPFILE) before them.
    OPEN_MODE_FLAGS = [
        O_CREAT, O_EXCL, O_NOCTTY, O_TRUNC, O_APPEND, O_NONBLOCK, O_SYNC, __O_SYNC,
        O_DSYNC, O_DIRECT, O_LARGEFILE, O_NOFOLLOW, O_NOATIME, O_CLOEXEC, O_PATH,
        O_TMPFILE, __O_TMPFILE, O_DIRECTORY, FASYNC,
    ]
}

/// The mount calls' flag, which strace names among the `*at` flags.
pub const AT_RECURSIVE: u64 = raw::AT_RECURSIVE as u64;

rows! {
    /// The `*at` calls' flags as strace names them for unlinkat, linkat,
    /// newfstatat, fchownat, utimensat, execveat and statx, in its order
    /// (AT_REMOVEDIR's bit is AT_EACCESS's: this table names it
    /// AT_REMOVEDIR).
    AT_CALL_FLAGS = [
        AT_SYMLINK_NOFOLLOW, AT_REMOVEDIR, AT_SYMLINK_FOLLOW, AT_NO_AUTOMOUNT,
        AT_EMPTY_PATH, AT_RECURSIVE,
    ]
}

rows! {
    /// faccessat2's flags, in strace's order.
    FACCESSAT_FLAGS = [AT_SYMLINK_NOFOLLOW, AT_EACCESS, AT_EMPTY_PATH]
}

/// access's mode that asks only whether the file exists.
pub const F_OK: u64 = raw::F_OK as u64;

rows! {
    /// access's modes: F_OK (no bit), then the bits.
    ACCESS_CHECKS = [F_OK, R_OK, W_OK, X_OK]
}

named! {
    /// statx's sync type (the [`AT_STATX_SYNC_TYPE`] bits of its flags).
    STATX_SYNC_TYPES: u64 = [AT_STATX_SYNC_AS_STAT, AT_STATX_FORCE_SYNC, AT_STATX_DONT_SYNC]
}

/// statx's mask bits besides [`STATX_BASIC_STATS`] and [`STATX_BTIME`]:
/// one per field, and STATX_ALL (every field of Linux 4.11).
pub const STATX_ALL: u32 = raw::STATX_ALL;
pub const STATX_TYPE: u32 = raw::STATX_TYPE;
pub const STATX_MODE: u32 = raw::STATX_MODE;
pub const STATX_NLINK: u32 = raw::STATX_NLINK;
pub const STATX_UID: u32 = raw::STATX_UID;
pub const STATX_GID: u32 = raw::STATX_GID;
pub const STATX_ATIME: u32 = raw::STATX_ATIME;
pub const STATX_MTIME: u32 = raw::STATX_MTIME;
pub const STATX_CTIME: u32 = raw::STATX_CTIME;
pub const STATX_INO: u32 = raw::STATX_INO;
pub const STATX_SIZE: u32 = raw::STATX_SIZE;
pub const STATX_BLOCKS: u32 = raw::STATX_BLOCKS;
pub const STATX_MNT_ID: u32 = raw::STATX_MNT_ID;
pub const STATX_DIOALIGN: u32 = raw::STATX_DIOALIGN;

rows! {
    /// statx's mask as strace 6.1 names it: the groups first, then each
    /// field up to STATX_DIOALIGN.
    STATX_MASKS = [
        STATX_ALL, STATX_BASIC_STATS, STATX_TYPE, STATX_MODE, STATX_NLINK, STATX_UID,
        STATX_GID, STATX_ATIME, STATX_MTIME, STATX_CTIME, STATX_INO, STATX_SIZE,
        STATX_BLOCKS, STATX_BTIME, STATX_MNT_ID, STATX_DIOALIGN,
    ]
}

named! {
    /// statx's `stx_attributes` bits that strace 6.1 names.
    STATX_ATTRS: u64 = [
        STATX_ATTR_COMPRESSED, STATX_ATTR_IMMUTABLE, STATX_ATTR_APPEND, STATX_ATTR_NODUMP,
        STATX_ATTR_ENCRYPTED, STATX_ATTR_AUTOMOUNT, STATX_ATTR_MOUNT_ROOT, STATX_ATTR_VERITY,
        STATX_ATTR_DAX,
    ]
}

named! {
    /// statfs's `f_flags`, in strace's order (ST_VALID, set on every
    /// answer since Linux 2.6.36, first). Kernel-internal values
    /// (include/linux/statfs.h), which `linux-raw-sys` does not have;
    /// glibc's <sys/statvfs.h> has all but ST_VALID and ST_NOSYMFOLLOW.
    STATFS_FLAGS: u64 = [
        ST_VALID = 0x0020,
        ST_RDONLY = 0x0001,
        ST_NOSUID = 0x0002,
        ST_NODEV = 0x0004,
        ST_NOEXEC = 0x0008,
        ST_SYNCHRONOUS = 0x0010,
        ST_MANDLOCK = 0x0040,
        ST_NOATIME = 0x0400,
        ST_NODIRATIME = 0x0800,
        ST_RELATIME = 0x1000,
        ST_NOSYMFOLLOW = 0x2000,
    ]
}

rows! {
    /// `f_type` of the file systems the kernel has.
    FS_MAGICS = [TMPFS_MAGIC, PROC_SUPER_MAGIC, SYSFS_MAGIC]
}

named! {
    /// The set-id and sticky bits of a mode, in the order strace prints
    /// them in `st_mode`.
    SET_ID_BITS: u32 = [S_ISUID, S_ISGID, S_ISVTX]
}

rows! {
    /// close_range's flags.
    CLOSE_RANGE_FLAGS = [CLOSE_RANGE_UNSHARE, CLOSE_RANGE_CLOEXEC]
}

rows! {
    /// utimensat's special `tv_nsec` values.
    UTIME_VALUES = [UTIME_NOW, UTIME_OMIT]
}

named! {
    /// eventfd2's flags (EFD_CLOEXEC and EFD_NONBLOCK are O_CLOEXEC and
    /// O_NONBLOCK).
    EFD_FLAGS: u64 = [EFD_SEMAPHORE, EFD_CLOEXEC, EFD_NONBLOCK]
}
