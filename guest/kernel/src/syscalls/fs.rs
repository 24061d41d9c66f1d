//! File descriptors and the calls on them: the console (fd 0 reads the
//! host's stdin, fd 1 and 2 write to its stdout and stderr, and dup'd
//! descriptors refer to the same; they behave like the pipes a test harness
//! gives a native process: fstat says FIFO, lseek is ESPIPE, ioctl is
//! ENOTTY, so programs take the same paths in both places), pidfds and
//! pipes (`crate::fs::pipe`). The table is the task's `files` (shared by
//! CLONE_FILES); each descriptor refers to an open file (`crate::fs::File`)
//! that dup and fork share.
//!
//! A descriptor that leaves the table (close, dup2 over it, a failed
//! install) is dropped after the table's borrow ends: the last reference to
//! a pipe end wakes the pipe's waiters.

use abi::linux::fs::{
    FD_CLOEXEC, F_DUPFD, F_DUPFD_CLOEXEC, F_GETFD, F_GETFL, F_SETFD, F_SETFL, O_APPEND, O_CLOEXEC,
    O_DIRECT, O_NONBLOCK, S_IFIFO, S_IFREG,
};
use abi::linux::ioctl::{FIONBIO, FIONREAD};
use abi::linux::uapi::{Iovec, Stat};
use zerocopy::IntoBytes;

use crate::errno::*;
use crate::fs::{install, lowest_free, pipe, File, FileKind, Open};
use crate::hypercall;
use crate::krc::KRc;
use crate::mm::fault::{populate, Access};
use crate::mm::uaccess::{check_range, copy_from_user, copy_to_user, read_user, write_user};
use crate::task::{with_current, with_mm, Fd};

/// Linux's limit on one read/write (MAX_RW_COUNT).
const MAX_RW_COUNT: u64 = 0x7fff_f000;
/// UIO_MAXIOV.
const MAX_IOV: u64 = 1024;

/// The open file behind `fd`.
fn file_of(fd: u64) -> KResult<KRc<File>> {
    with_current(|t| t.files.borrow().get(fd))
        .map(|f| f.file)
        .ok_or(EBADF)
}

pub fn console_read(buf: u64, count: u64) -> KResult<u64> {
    check_range(buf, count)?;
    let r = hypercall::console_read(count as usize, |data| {
        with_mm(|mm| copy_to_user(mm, buf, data))
    });
    if r < 0 {
        Err(-r)
    } else {
        Ok(r as u64)
    }
}

pub fn read(fd: u64, buf: u64, count: u64) -> KResult<u64> {
    let file = file_of(fd)?;
    let f = file.borrow();
    read_file(&f, buf, count.min(MAX_RW_COUNT), None)
}

/// Reads `count` bytes to user `buf` from `file`, at `at` (pread) or at
/// the file position.
fn read_file(f: &File, buf: u64, count: u64, at: Option<u64>) -> KResult<u64> {
    if at.is_some() && !matches!(f.kind, FileKind::Inode(_)) {
        return Err(ESPIPE);
    }
    match &f.kind {
        FileKind::Inode(o) => {
            check_range(buf, count)?;
            o.read(buf, count, at)
        }
        FileKind::ConsoleIn if count == 0 => Ok(0),
        FileKind::ConsoleIn => console_read(buf, count),
        FileKind::Pidfd(_) | FileKind::Epoll(_) => Err(EINVAL),
        FileKind::ConsoleOut(_) => Err(EBADF), // write-only
        FileKind::Pipe(end) if end.is_write_end() => Err(EBADF),
        FileKind::Pipe(end) => end.read(buf, count, f.nonblocking()),
        FileKind::EventFd(e) => crate::fs::eventfd::read(e, buf, count, f.nonblocking()),
    }
}

/// Writes user bytes [buf, buf+count) to console fd `fd` (1 or 2); the whole
/// buffer is checked first, so a bad pointer writes nothing.
pub fn write_user_bytes(host_fd: u32, buf: u64, count: u64) -> KResult<u64> {
    if count == 0 {
        return Ok(0);
    }
    check_range(buf, count)?;
    with_mm(|mm| {
        let mut page = buf & !0xfff;
        while page < buf + count {
            populate(mm, page.max(buf), Access::Read).ok_or(EFAULT)?;
            page += 0x1000;
        }
        Ok::<(), i64>(())
    })?;
    let written = hypercall::console_write_with(host_fd, count as usize, |off, chunk| {
        with_mm(|mm| copy_from_user(mm, buf + off as u64, chunk)).map_or(0, |_| chunk.len())
    });
    Ok(written as u64)
}

/// Writes `count` user bytes at `buf` to `file` (EBADF if it is not
/// open for writing).
fn write_file(file: &File, buf: u64, count: u64, at: Option<u64>) -> KResult<u64> {
    if at.is_some() && !matches!(file.kind, FileKind::Inode(_)) {
        return Err(ESPIPE);
    }
    match &file.kind {
        FileKind::Inode(o) => {
            check_range(buf, count)?;
            o.write(buf, count, at, file.flags.get() & O_APPEND != 0)
        }
        FileKind::ConsoleOut(host) => write_user_bytes(*host, buf, count),
        FileKind::ConsoleIn => Err(EBADF),
        FileKind::Pidfd(_) | FileKind::Epoll(_) => Err(EINVAL),
        FileKind::Pipe(end) if end.is_write_end() => {
            let packet = file.flags.get() & O_DIRECT != 0;
            end.write(buf, count, file.nonblocking(), packet)
        }
        FileKind::Pipe(_) => Err(EBADF),
        FileKind::EventFd(e) => crate::fs::eventfd::write(e, buf, count, file.nonblocking()),
    }
}

/// Whether `file` may be written (writev checks before reading its array).
fn writable(file: &File) -> KResult<()> {
    match &file.kind {
        FileKind::ConsoleOut(_) => Ok(()),
        FileKind::Pipe(end) if end.is_write_end() => Ok(()),
        FileKind::EventFd(_) => Ok(()),
        FileKind::Pidfd(_) | FileKind::Epoll(_) => Err(EINVAL),
        FileKind::Inode(o) if o.writable() => Ok(()),
        _ => Err(EBADF),
    }
}

/// Whether `file` may be read (readv checks before reading its array).
fn readable(file: &File) -> KResult<()> {
    match &file.kind {
        FileKind::ConsoleIn => Ok(()),
        FileKind::Pipe(end) if !end.is_write_end() => Ok(()),
        FileKind::EventFd(_) => Ok(()),
        FileKind::Pidfd(_) | FileKind::Epoll(_) => Err(EINVAL),
        FileKind::Inode(o) if o.readable() => Ok(()),
        _ => Err(EBADF),
    }
}

pub fn write(fd: u64, buf: u64, count: u64) -> KResult<u64> {
    let file = file_of(fd)?;
    let f = file.borrow();
    write_file(&f, buf, count.min(MAX_RW_COUNT), None)
}

pub fn pread64(fd: u64, buf: u64, count: u64, off: u64) -> KResult<u64> {
    let file = file_of(fd)?;
    let f = file.borrow();
    readable(&f)?;
    if (off as i64) < 0 {
        return Err(EINVAL);
    }
    read_file(&f, buf, count.min(MAX_RW_COUNT), Some(off))
}

pub fn pwrite64(fd: u64, buf: u64, count: u64, off: u64) -> KResult<u64> {
    let file = file_of(fd)?;
    let f = file.borrow();
    writable(&f)?;
    if (off as i64) < 0 {
        return Err(EINVAL);
    }
    write_file(&f, buf, count.min(MAX_RW_COUNT), Some(off))
}

pub fn writev(fd: u64, iov: u64, iovcnt: u64) -> KResult<u64> {
    rw_vec(fd, iov, iovcnt, None, true)
}

pub fn readv(fd: u64, iov: u64, iovcnt: u64) -> KResult<u64> {
    rw_vec(fd, iov, iovcnt, None, false)
}

pub fn preadv(fd: u64, iov: u64, iovcnt: u64, off: u64) -> KResult<u64> {
    if (off as i64) < 0 {
        return Err(EINVAL);
    }
    rw_vec(fd, iov, iovcnt, Some(off), false)
}

pub fn pwritev(fd: u64, iov: u64, iovcnt: u64, off: u64) -> KResult<u64> {
    if (off as i64) < 0 {
        return Err(EINVAL);
    }
    rw_vec(fd, iov, iovcnt, Some(off), true)
}

/// readv, writev and their positioned forms: the array's entries one
/// after another, stopping at the first short transfer.
fn rw_vec(fd: u64, iov: u64, iovcnt: u64, at: Option<u64>, write: bool) -> KResult<u64> {
    let file = file_of(fd)?;
    let f = file.borrow();
    if write {
        writable(&f)?;
    } else {
        readable(&f)?;
    }
    if at.is_some() && !matches!(f.kind, FileKind::Inode(_)) {
        return Err(ESPIPE);
    }
    if iovcnt > MAX_IOV {
        return Err(EINVAL);
    }
    let mut vecs = [Iovec::default(); MAX_IOV as usize];
    let vecs = &mut vecs[..iovcnt as usize];
    // As Linux: the whole array is copied before any entry is looked at
    // (an empty one is not read at all).
    if !vecs.is_empty() {
        with_mm(|mm| copy_from_user(mm, iov, vecs.as_mut_bytes()))?;
    }
    let mut total: u64 = 0;
    for v in vecs.iter() {
        if v.iov_len > i64::MAX as u64 {
            return Err(EINVAL);
        }
        total = total.saturating_add(v.iov_len);
    }
    let mut left = total.min(MAX_RW_COUNT);
    let mut done = 0;
    for v in vecs.iter() {
        if left == 0 {
            break;
        }
        let n = v.iov_len.min(left);
        let pos = at.map(|a| a + done);
        let r = if write {
            write_file(&f, v.iov_base, n, pos)
        } else {
            read_file(&f, v.iov_base, n, pos)
        };
        match r {
            Ok(w) => {
                done += w;
                left -= w;
                if w < n {
                    break;
                }
            }
            Err(e) if done == 0 => return Err(e),
            Err(_) => break,
        }
    }
    Ok(done)
}

pub fn close(fd: u64) -> KResult<u64> {
    let old = with_current(|t| {
        let mut files = t.files.borrow_mut();
        if !files.is_open(fd as u32 as usize) || fd > u32::MAX as u64 {
            return Err(EBADF);
        }
        files.set(fd as usize, None)
    })?;
    drop(old);
    Ok(0)
}

/// The pid behind pidfd `fd`: EBADF if it is not open or not a pidfd.
pub fn pidfd_pid(fd: u64) -> KResult<crate::task::Pid> {
    match file_of(fd)?.borrow().kind {
        FileKind::Pidfd(pid) => Ok(pid),
        _ => Err(EBADF),
    }
}

/// A new close-on-exec pidfd for `pid` in the caller's table.
pub fn install_pidfd(pid: crate::task::Pid) -> KResult<u64> {
    install(
        Fd {
            file: File::new(FileKind::Pidfd(pid), 0)?,
            cloexec: true,
        },
        0,
    )
}

pub fn dup(old: u64) -> KResult<u64> {
    let file = file_of(old)?;
    install(
        Fd {
            file,
            cloexec: false,
        },
        0,
    )
}

pub fn dup3(old: u64, new: u64, flags: u64, is_dup2: bool) -> KResult<u64> {
    if flags & !O_CLOEXEC != 0 {
        return Err(EINVAL);
    }
    let file = file_of(old)?;
    if new as u32 as usize >= crate::fs::nofile_limit() || new > u32::MAX as u64 {
        return Err(EBADF);
    }
    if old == new {
        return if is_dup2 { Ok(new) } else { Err(EINVAL) };
    }
    let replaced = with_current(|t| {
        t.files.borrow_mut().set(
            new as usize,
            Some(Fd {
                file,
                cloexec: flags & O_CLOEXEC != 0,
            }),
        )
    })?;
    drop(replaced);
    Ok(new)
}

pub fn fcntl(fd: u64, cmd: u64, arg: u64) -> KResult<u64> {
    let f = with_current(|t| t.files.borrow().get(fd)).ok_or(EBADF)?;
    match cmd {
        F_DUPFD | F_DUPFD_CLOEXEC => {
            if arg >= crate::fs::nofile_limit() as u64 {
                return Err(EINVAL);
            }
            install(
                Fd {
                    file: f.file,
                    cloexec: cmd == F_DUPFD_CLOEXEC,
                },
                arg as usize,
            )
        }
        F_GETFD => Ok(if f.cloexec { FD_CLOEXEC } else { 0 }),
        F_SETFD => {
            let cloexec = arg & FD_CLOEXEC != 0;
            with_current(|t| {
                if let Some(Some(slot)) = t.files.borrow_mut().fds.get_mut(fd as usize) {
                    slot.cloexec = cloexec;
                }
            });
            Ok(0)
        }
        F_GETFL => {
            let file = f.file.borrow();
            Ok(file.access_mode() | file.flags.get())
        }
        F_SETFL => {
            let file = f.file.borrow();
            // O_DIRECT: on a pipe (and the console, a pipe to programs)
            // packet mode; nothing else here can do direct I/O.
            if matches!(file.kind, FileKind::Pidfd(_) | FileKind::Epoll(_)) && arg & O_DIRECT != 0 {
                return Err(EINVAL);
            }
            let mask = crate::fs::SETFL_MASK;
            file.flags.set((file.flags.get() & !mask) | (arg & mask));
            Ok(0)
        }
        _ => Err(EINVAL),
    }
}

/// pipe2(fds, flags): a new pipe (O_DIRECT: in packet mode), read end in
/// fds[0], write end in fds[1]
/// (the two lowest free descriptors). The descriptors are chosen and
/// written to user memory before they are installed, so a bad pointer
/// leaves the table as it was (Linux's EFAULT).
pub fn pipe2(ufds: u64, flags: u64) -> KResult<u64> {
    if flags & !(O_CLOEXEC | O_NONBLOCK | O_DIRECT) != 0 {
        return Err(EINVAL);
    }
    let (r, w) = pipe::create()?;
    let cloexec = flags & O_CLOEXEC != 0;
    // Packet mode is the writer's: only the write end has O_DIRECT.
    let rf = File::new(FileKind::Pipe(r), flags & O_NONBLOCK)?;
    let wf = File::new(FileKind::Pipe(w), flags & (O_NONBLOCK | O_DIRECT))?;
    with_current(|t| {
        let mut files = t.files.borrow_mut();
        let a = lowest_free(&files, 0)?;
        let b = lowest_free(&files, a + 1)?;
        let pair = [a as i32, b as i32];
        with_mm(|mm| write_user(mm, ufds, &pair))?;
        // Room for both first: the second install cannot then fail.
        let need = (b + 1).saturating_sub(files.fds.len());
        files.fds.try_reserve(need).map_err(|_| ENOMEM)?;
        files.set(a, Some(Fd { file: rf, cloexec }))?;
        files.set(b, Some(Fd { file: wf, cloexec }))?;
        Ok(0)
    })
}

pub fn umask(mask: u64) -> KResult<u64> {
    Ok(with_current(|t| t.fs.borrow().umask.replace(mask as u32 & 0o777)) as u64)
}

pub fn lseek(fd: u64, off: u64, whence: u64) -> KResult<u64> {
    let file = file_of(fd)?;
    let f = file.borrow();
    match &f.kind {
        FileKind::Inode(o) => o.lseek(off, whence),
        _ => Err(ESPIPE),
    }
}

/// The open inode behind `fd`: EBADF if not open, `other` for a file
/// without one (a pipe, the console).
fn with_open<R>(fd: u64, other: i64, f: impl FnOnce(&File, &Open) -> KResult<R>) -> KResult<R> {
    let file = file_of(fd)?;
    let file = file.borrow();
    match &file.kind {
        FileKind::Inode(o) => f(&file, o),
        _ => Err(other),
    }
}

pub fn getdents64(fd: u64, buf: u64, count: u64) -> KResult<u64> {
    let root = crate::fs::namei::root();
    with_open(fd, ENOTDIR, |_, o| {
        o.getdents(buf, count.min(MAX_RW_COUNT), &root)
    })
}

/// fsync and fdatasync: tmpfs keeps everything in memory, so there is
/// nothing to write back; a pipe or the console cannot be synced.
pub fn fsync(fd: u64) -> KResult<u64> {
    with_open(fd, EINVAL, |_, o| {
        if o.access.is_some() {
            Ok(0)
        } else {
            Err(EBADF)
        }
    })
}

pub fn ftruncate(fd: u64, len: u64) -> KResult<u64> {
    with_open(fd, EINVAL, |_, o| {
        if !o.writable() || !o.inode.borrow().is_regular() {
            return Err(EINVAL);
        }
        super::path::truncate_inode(&o.inode, len)
    })
}

pub fn fchmod(fd: u64, mode: u64) -> KResult<u64> {
    with_open(fd, EBADF, |_, o| {
        if o.access.is_none() {
            return Err(EBADF);
        }
        super::path::chmod_inode(&o.inode, mode)
    })
}

pub fn fchown(fd: u64, uid: u64, gid: u64) -> KResult<u64> {
    with_open(fd, EBADF, |_, o| {
        super::path::chown_inode(&o.inode, uid, gid)
    })
}

pub fn fstatfs(fd: u64, buf: u64) -> KResult<u64> {
    match crate::fs::namei::fd_inode(fd) {
        Ok(i) => super::path::statfs_of(&i, buf),
        // pipefs, anon_inode: their own magic numbers.
        Err(ENOTDIR) => {
            let st = abi::linux::uapi::Statfs {
                f_type: 0x5049_5045,
                f_bsize: 4096,
                f_namelen: 255,
                f_frsize: 4096,
                ..Default::default()
            };
            with_mm(|mm| write_user(mm, buf, &st))?;
            Ok(0)
        }
        Err(e) => Err(e),
    }
}

/// close_range(first, last, flags): closes (or, with CLOSE_RANGE_CLOEXEC,
/// marks close-on-exec) every open descriptor in [first, last];
/// CLOSE_RANGE_UNSHARE first gives the caller a table of its own.
pub fn close_range(first: u64, last: u64, flags: u64) -> KResult<u64> {
    use abi::linux::fs::{CLOSE_RANGE_CLOEXEC, CLOSE_RANGE_UNSHARE};
    let (first, last) = (first as u32 as usize, last as u32 as usize);
    if flags & !(CLOSE_RANGE_CLOEXEC | CLOSE_RANGE_UNSHARE) != 0 || first > last {
        return Err(EINVAL);
    }
    if flags & CLOSE_RANGE_UNSHARE != 0 {
        with_current(|t| -> KResult<()> {
            if t.files.count() > 1 {
                let copy = t.files.borrow().copy()?;
                let new = KRc::try_new(copy)?;
                let old = core::mem::replace(&mut t.files, new);
                old.borrow_mut().live -= 1;
                drop(old);
            }
            Ok(())
        })?;
    }
    let closed: alloc::vec::Vec<Fd> = with_current(|t| {
        let mut files = t.files.borrow_mut();
        let end = last.min(files.fds.len().saturating_sub(1));
        let mut out = alloc::vec::Vec::new();
        if first >= files.fds.len() {
            return out;
        }
        for i in first..=end {
            if flags & CLOSE_RANGE_CLOEXEC != 0 {
                if let Some(Some(fd)) = files.fds.get_mut(i) {
                    fd.cloexec = true;
                }
            } else if let Ok(Some(old)) = files.set(i, None) {
                if out.try_reserve(1).is_ok() {
                    out.push(old);
                }
            }
        }
        out
    });
    drop(closed);
    Ok(0)
}

pub fn ioctl(fd: u64, request: u64, arg: u64) -> KResult<u64> {
    let file = file_of(fd)?;
    let f = file.borrow();
    match (request, &f.kind) {
        (FIONREAD, FileKind::Pipe(end)) => {
            let n = end.queued().min(i32::MAX as u64) as i32;
            with_mm(|mm| write_user(mm, arg, &n))?;
            Ok(0)
        }
        (FIONREAD, FileKind::Inode(o)) if o.inode.borrow().is_regular() => {
            let n = o.unread().clamp(i32::MIN as i64, i32::MAX as i64) as i32;
            with_mm(|mm| write_user(mm, arg, &n))?;
            Ok(0)
        }
        (_, FileKind::Inode(o)) if o.access.is_none() => Err(EBADF),
        (FIONBIO, _) => {
            let on: i32 = with_mm(|mm| read_user(mm, arg))?;
            let flags = f.flags.get() & !O_NONBLOCK;
            f.flags
                .set(if on != 0 { flags | O_NONBLOCK } else { flags });
            Ok(0)
        }
        _ => Err(ENOTTY),
    }
}

/// The inode number of the anonymous inode epoll descriptors share.
const ANON_INODE_INO: u64 = 1000;

pub fn fstat(fd: u64, statbuf: u64) -> KResult<u64> {
    let mut st = Stat::default();
    fstat_record(fd, &mut st)?;
    with_mm(|mm| write_user(mm, statbuf, &st))?;
    Ok(0)
}

/// The stat record of the file `fd` refers to.
pub fn fstat_record(fd: u64, st: &mut Stat) -> KResult<()> {
    let file = file_of(fd)?;
    let (ino, mode) = match &file.borrow().kind {
        FileKind::Inode(o) => {
            *st = o.inode.borrow().stat();
            return Ok(());
        }
        FileKind::ConsoleIn => (1, S_IFIFO | 0o600),
        FileKind::ConsoleOut(host) => (1 + u64::from(*host), S_IFIFO | 0o600),
        // pidfs: a regular file per process, inode = pid.
        FileKind::Pidfd(pid) => (*pid as u64, S_IFREG | 0o600),
        FileKind::Pipe(end) => (end.ino(), S_IFIFO | 0o600),
        // anon_inode: one inode for all, no file type bits.
        FileKind::Epoll(_) | FileKind::EventFd(_) => (ANON_INODE_INO, 0o600),
    };
    *st = Stat {
        st_dev: 0xc,
        st_ino: ino,
        st_nlink: 1,
        st_mode: mode,
        st_blksize: 4096,
        ..Default::default()
    };
    Ok(())
}

/// preadv2 / pwritev2: offset -1 means the file position; the RWF_*
/// hints are accepted (there is no cache to bypass, nothing to wait
/// for), unknown ones are EOPNOTSUPP.
pub fn rw_vec2(fd: u64, iov: u64, iovcnt: u64, off: u64, flags: u64, write: bool) -> KResult<u64> {
    const RWF_ALL: u64 = 0x1f;
    if flags & !RWF_ALL != 0 {
        return Err(EOPNOTSUPP);
    }
    match off as i64 {
        -1 => rw_vec(fd, iov, iovcnt, None, write),
        o if o < 0 => Err(EINVAL),
        _ => rw_vec(fd, iov, iovcnt, Some(off), write),
    }
}

/// fadvise64: advice about future access, which tmpfs has no use for;
/// the arguments are checked as Linux does.
pub fn fadvise64(fd: u64, _off: u64, len: u64, advice: u64) -> KResult<u64> {
    let file = file_of(fd)?;
    if !matches!(file.borrow().kind, FileKind::Inode(_)) {
        return Err(ESPIPE);
    }
    if (len as i64) < 0 || advice > 5 {
        return Err(EINVAL);
    }
    Ok(0)
}

/// syncfs: nothing to write back.
pub fn syncfs(fd: u64) -> KResult<u64> {
    file_of(fd).map(|_| 0)
}

/// eventfd2(initval, flags): a new eventfd (EFD_SEMAPHORE, EFD_CLOEXEC,
/// EFD_NONBLOCK); eventfd(initval) is the same with no flags.
pub fn eventfd2(initval: u64, flags: u64) -> KResult<u64> {
    use abi::linux::fs::{EFD_CLOEXEC, EFD_NONBLOCK, EFD_SEMAPHORE};
    if flags & !(EFD_SEMAPHORE | EFD_CLOEXEC | EFD_NONBLOCK) != 0 {
        return Err(EINVAL);
    }
    let e = crate::fs::eventfd::create(initval as u32 as u64, flags & EFD_SEMAPHORE != 0)?;
    let file = File::new(FileKind::EventFd(e), flags & EFD_NONBLOCK)?;
    install(
        Fd {
            file,
            cloexec: flags & EFD_CLOEXEC != 0,
        },
        0,
    )
}
