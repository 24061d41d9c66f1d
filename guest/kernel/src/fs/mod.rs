//! Open files: Linux's `struct file`, the open file description that
//! descriptors refer to. dup, fork and CLONE_FILES share one (a `KRc`), so
//! its status flags (O_NONBLOCK, O_APPEND set by F_SETFL) are seen through
//! every descriptor that refers to it, and what it holds (a pipe end) is
//! released with the last of them.
//!
//! Files that have a name live in the VFS: `inode` (the objects),
//! `dir` and `regular` (tmpfs), `devfs`, `procfs` (/proc and /sys),
//! `initfs` (the host's imported files), `namei` (path lookup) and `open`
//! (an open inode's position and I/O).
//!
//! Lock order: a file's borrow is taken before the object it holds (a
//! pipe, an inode), never the other way round.

pub mod devfs;
pub mod dir;
pub mod epoll;
pub mod eventfd;
pub mod initfs;
pub mod inode;
pub mod namei;
pub mod open;
pub mod pipe;
pub mod poll;
pub mod procfs;
pub mod regular;
pub mod select;

pub use open::Open;

use core::cell::Cell;

use alloc::vec::Vec;

use abi::linux::fs::{
    O_APPEND, O_DIRECT, O_LARGEFILE, O_NOATIME, O_NONBLOCK, O_PATH, O_RDONLY, O_RDWR, O_WRONLY,
};

use crate::errno::{KResult, EEXIST, EMFILE, ENOENT};
use crate::krc::KRc;
use crate::task::{with_current, Fd, Files, Pid, MAX_FDS};

pub enum FileKind {
    /// The host's stdin.
    ConsoleIn,
    /// The host's stdout (1) or stderr (2).
    ConsoleOut(u32),
    /// A pidfd (CLONE_PIDFD, pidfd_open): the process (or, for a thread
    /// pidfd, the thread) with this pid. Pids are not reused within a run
    /// (alloc_pid wraps at 2^22), so the number identifies the task.
    Pidfd(Pid),
    /// One end of a pipe.
    Pipe(pipe::PipeEnd),
    /// An epoll instance.
    Epoll(KRc<epoll::Epoll>),
    /// An eventfd counter.
    EventFd(KRc<eventfd::EventFd>),
    /// A file with a name: regular, directory, device, generated.
    Inode(Open),
}

/// Status flags F_SETFL may change (Linux's SETFL_MASK, less O_ASYNC,
/// which needs signal-driven I/O).
pub const SETFL_MASK: u64 = O_APPEND | O_NONBLOCK | O_DIRECT | O_NOATIME;

/// Status flags set at open that F_GETFL reports and F_SETFL cannot
/// change.
pub const KEPT_FLAGS: u64 = abi::linux::fs::O_DSYNC | abi::linux::fs::O_SYNC;

/// Never borrowed mutably: a task may block in a read or write while it
/// holds a shared borrow, so what changes later (the status flags) is a
/// `Cell`.
pub struct File {
    pub kind: FileKind,
    /// Status flags (`SETFL_MASK` and `KEPT_FLAGS` bits) as set at open
    /// or by F_SETFL.
    pub flags: Cell<u64>,
}

impl File {
    pub fn new(kind: FileKind, flags: u64) -> KResult<KRc<File>> {
        KRc::try_new(File {
            kind,
            flags: Cell::new(flags & (SETFL_MASK | KEPT_FLAGS)),
        })
    }

    pub fn nonblocking(&self) -> bool {
        self.flags.get() & O_NONBLOCK != 0
    }

    /// The access mode F_GETFL reports: stdin and a read end are read-only,
    /// the console outputs and a write end write-only (as the pipes a test
    /// harness gives a native process), a pidfd read-write.
    pub fn access_mode(&self) -> u64 {
        match &self.kind {
            FileKind::ConsoleIn => O_RDONLY,
            FileKind::ConsoleOut(_) => O_WRONLY,
            FileKind::Pidfd(_) | FileKind::Epoll(_) | FileKind::EventFd(_) => O_RDWR,
            FileKind::Pipe(end) if end.is_write_end() => O_WRONLY,
            FileKind::Pipe(_) => O_RDONLY,
            // O_PATH reads back as O_PATH with no access mode; a 64-bit
            // open always has O_LARGEFILE.
            FileKind::Inode(o) => o.access.map_or(O_PATH, |a| a | O_LARGEFILE),
        }
    }
}

/// The root of the file tree: a tmpfs holding what the host imported, and
/// /tmp, /dev (with /dev/shm), /proc and /sys.
pub fn build_root() -> KResult<KRc<inode::Inode>> {
    use inode::{Inode, Kind, Sb};
    let root = Inode::new(
        Sb::Root,
        0o755,
        Kind::Dir(match initfs::root_index() {
            Some(i) => dir::Dir::imported(None, Vec::new(), i),
            None => dir::Dir::new(None, Vec::new()),
        }),
    )?;
    let add = |name: &[u8], inode: KRc<Inode>| match dir::insert(&root, name, inode) {
        // An imported directory of that name is kept.
        Err(EEXIST) => Ok(()),
        r => r,
    };
    add(b"tmp", dir::new_subdir(&root, b"tmp", 0o1777)?)?;
    add(b"dev", devfs::build(&root)?)?;
    add(b"proc", procfs::ProcNode::Root.inode()?)?;
    add(
        b"sys",
        procfs::ProcNode::Dir(procfs::FixedDir::Sys).inode()?,
    )?;
    Ok(root)
}

/// /proc/PID/fd/N's target for task `t`: a path for a file with one,
/// Linux's `pipe:[ino]` and `anon_inode:` names for the others.
pub fn fd_path(t: &crate::task::Task, n: u32) -> KResult<Vec<u8>> {
    let fd = t.files.borrow().get(u64::from(n)).ok_or(ENOENT)?;
    let f = fd.file.borrow();
    let pipe = match &f.kind {
        FileKind::Inode(o) => return namei::path_of_open(o, &t.fs.borrow().root),
        FileKind::Pipe(end) => end.ino(),
        FileKind::ConsoleIn => 1,
        FileKind::ConsoleOut(h) => 1 + u64::from(*h),
        FileKind::Epoll(_) => return inode::try_copy(b"anon_inode:[eventpoll]"),
        FileKind::EventFd(_) => return inode::try_copy(b"anon_inode:[eventfd]"),
        FileKind::Pidfd(_) => return inode::try_copy(b"anon_inode:[pidfd]"),
    };
    inode::try_copy(alloc::format!("pipe:[{pipe}]").as_bytes())
}

/// One past the highest descriptor the caller may use: RLIMIT_NOFILE's
/// soft limit, within the table's size.
pub fn nofile_limit() -> usize {
    let cur = with_current(|t| {
        t.signal.borrow().rlim[abi::linux::resource::RLIMIT_NOFILE as usize].rlim_cur
    });
    (cur.min(MAX_FDS as u64)) as usize
}

/// The lowest free descriptor at or above `min`, below the caller's
/// RLIMIT_NOFILE (EMFILE if none).
pub fn lowest_free(files: &Files, min: usize) -> KResult<usize> {
    (min..nofile_limit())
        .find(|&i| !files.is_open(i))
        .ok_or(EMFILE)
}

/// Installs `fd` in the caller's table at the lowest free descriptor at or
/// above `min`.
pub fn install(fd: Fd, min: usize) -> KResult<u64> {
    with_current(|t| {
        let mut files = t.files.borrow_mut();
        let slot = lowest_free(&files, min)?;
        files.set(slot, Some(fd))?;
        Ok(slot as u64)
    })
}
