//! File descriptors: for now only the console — fd 0 reads the host's stdin,
//! fd 1 and 2 write to its stdout and stderr, and dup'd descriptors refer
//! to the same. The table is the task's `files` (shared by CLONE_FILES). They behave like the pipes a
//! test harness gives a native process (fstat says FIFO, lseek is ESPIPE,
//! ioctl is ENOTTY), so programs take the same paths in both places.

use abi::linux::fs::{
    AT_EMPTY_PATH, FD_CLOEXEC, F_DUPFD, F_DUPFD_CLOEXEC, F_GETFD, F_GETFL, F_SETFD, O_CLOEXEC,
    O_RDONLY, O_RDWR, O_WRONLY, S_IFIFO, S_IFREG,
};
use abi::linux::uapi::{Iovec, Stat};
use zerocopy::IntoBytes;

use crate::errno::*;
use crate::hypercall;
use crate::mm::fault::{populate, Access};
use crate::mm::uaccess::{check_range, copy_from_user, copy_to_user, read_user, write_user};
use crate::task::{with_current, with_mm, Fd, FileKind, MAX_FDS};

/// Linux's limit on one read/write (MAX_RW_COUNT).
const MAX_RW_COUNT: u64 = 0x7fff_f000;
/// UIO_MAXIOV.
const MAX_IOV: u64 = 1024;

/// What fd `fd` refers to, if it is open.
fn console_fd(fd: u64) -> KResult<FileKind> {
    with_current(|t| t.files.borrow().get(fd))
        .map(|f| f.kind)
        .ok_or(EBADF)
}

pub fn read(fd: u64, buf: u64, count: u64) -> KResult<u64> {
    match console_fd(fd)? {
        FileKind::ConsoleIn => {}
        FileKind::Pidfd(_) => return Err(EINVAL),
        FileKind::ConsoleOut(_) => return Err(EBADF), // write-only
    }
    let count = count.min(MAX_RW_COUNT);
    if count == 0 {
        return Ok(0);
    }
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

/// Writes user bytes [buf, buf+count) to console fd `fd` (1 or 2); the whole
/// buffer is checked first, so a bad pointer writes nothing.
fn write_user_bytes(host_fd: u32, buf: u64, count: u64) -> KResult<u64> {
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

/// The host fd behind a writable descriptor.
fn writable(fd: u64) -> KResult<u32> {
    match console_fd(fd)? {
        FileKind::ConsoleOut(host) => Ok(host),
        FileKind::ConsoleIn => Err(EBADF),
        FileKind::Pidfd(_) => Err(EINVAL),
    }
}

pub fn write(fd: u64, buf: u64, count: u64) -> KResult<u64> {
    let fd = writable(fd)?;
    write_user_bytes(fd, buf, count.min(MAX_RW_COUNT))
}

pub fn writev(fd: u64, iov: u64, iovcnt: u64) -> KResult<u64> {
    let fd = writable(fd)?;
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
    let mut written = 0;
    for v in vecs.iter() {
        if left == 0 {
            break;
        }
        let n = v.iov_len.min(left);
        match write_user_bytes(fd, v.iov_base, n) {
            Ok(w) => {
                written += w;
                left -= w;
                if w < n {
                    break;
                }
            }
            Err(e) if written == 0 => return Err(e),
            Err(_) => break,
        }
    }
    Ok(written)
}

pub fn close(fd: u64) -> KResult<u64> {
    console_fd(fd)?;
    with_current(|t| t.files.borrow_mut().set(fd as usize, None));
    Ok(0)
}

/// The pid behind pidfd `fd`: EBADF if it is not open or not a pidfd.
pub fn pidfd_pid(fd: u64) -> KResult<crate::task::Pid> {
    match console_fd(fd)? {
        FileKind::Pidfd(pid) => Ok(pid),
        _ => Err(EBADF),
    }
}

/// A new close-on-exec pidfd for `pid` in the caller's table.
pub fn install_pidfd(pid: crate::task::Pid) -> KResult<u64> {
    install(
        Fd {
            kind: FileKind::Pidfd(pid),
            cloexec: true,
        },
        0,
    )
}

/// The lowest free descriptor at or above `min`.
fn install(fd: Fd, min: usize) -> KResult<u64> {
    with_current(|t| {
        let mut files = t.files.borrow_mut();
        let slot = (min..MAX_FDS)
            .find(|&i| files.fds.get(i).is_none_or(|s| s.is_none()))
            .ok_or(EMFILE)?;
        files.set(slot, Some(fd));
        Ok(slot as u64)
    })
}

pub fn dup(old: u64) -> KResult<u64> {
    let f = with_current(|t| t.files.borrow().get(old)).ok_or(EBADF)?;
    install(
        Fd {
            cloexec: false,
            ..f
        },
        0,
    )
}

pub fn dup3(old: u64, new: u64, flags: u64, is_dup2: bool) -> KResult<u64> {
    if flags & !O_CLOEXEC != 0 {
        return Err(EINVAL);
    }
    let f = with_current(|t| t.files.borrow().get(old)).ok_or(EBADF)?;
    if new as u32 as usize >= MAX_FDS || new > u32::MAX as u64 {
        return Err(EBADF);
    }
    if old == new {
        return if is_dup2 { Ok(new) } else { Err(EINVAL) };
    }
    with_current(|t| {
        t.files.borrow_mut().set(
            new as usize,
            Some(Fd {
                kind: f.kind,
                cloexec: flags & O_CLOEXEC != 0,
            }),
        )
    });
    Ok(new)
}

pub fn fcntl(fd: u64, cmd: u64, arg: u64) -> KResult<u64> {
    let f = with_current(|t| t.files.borrow().get(fd)).ok_or(EBADF)?;
    match cmd {
        F_DUPFD | F_DUPFD_CLOEXEC => {
            if arg >= MAX_FDS as u64 {
                return Err(EINVAL);
            }
            install(
                Fd {
                    kind: f.kind,
                    cloexec: cmd == F_DUPFD_CLOEXEC,
                },
                arg as usize,
            )
        }
        F_GETFD => Ok(if f.cloexec { FD_CLOEXEC } else { 0 }),
        F_SETFD => {
            with_current(|t| {
                t.files.borrow_mut().set(
                    fd as usize,
                    Some(Fd {
                        cloexec: arg & FD_CLOEXEC != 0,
                        ..f
                    }),
                )
            });
            Ok(0)
        }
        // O_RDONLY for stdin, O_WRONLY for the others (pipes, as natively),
        // O_RDWR for a pidfd.
        F_GETFL => Ok(match f.kind {
            FileKind::ConsoleIn => O_RDONLY,
            FileKind::ConsoleOut(_) => O_WRONLY,
            FileKind::Pidfd(_) => O_RDWR,
        }),
        _ => Err(EINVAL),
    }
}

pub fn umask(mask: u64) -> KResult<u64> {
    Ok(with_current(|t| t.fs.borrow().umask.replace(mask as u32 & 0o777)) as u64)
}

pub fn lseek(fd: u64) -> KResult<u64> {
    console_fd(fd)?;
    Err(ESPIPE)
}

pub fn ioctl(fd: u64) -> KResult<u64> {
    console_fd(fd)?;
    Err(ENOTTY)
}

pub fn fstat(fd: u64, statbuf: u64) -> KResult<u64> {
    let (ino, mode) = match console_fd(fd)? {
        FileKind::ConsoleIn => (1, S_IFIFO | 0o600),
        FileKind::ConsoleOut(host) => (1 + u64::from(host), S_IFIFO | 0o600),
        // pidfs: a regular file per process, inode = pid.
        FileKind::Pidfd(pid) => (pid as u64, S_IFREG | 0o600),
    };
    let st = Stat {
        st_dev: 0xc,
        st_ino: ino,
        st_nlink: 1,
        st_mode: mode,
        st_blksize: 4096,
        ..Default::default()
    };
    with_mm(|mm| write_user(mm, statbuf, &st))?;
    Ok(0)
}

pub fn newfstatat(dirfd: u64, path: u64, statbuf: u64, flags: u64) -> KResult<u64> {
    let first: u8 = with_mm(|mm| read_user::<u8>(mm, path))?;
    if first == 0 && flags & AT_EMPTY_PATH != 0 {
        return fstat(dirfd, statbuf);
    }
    // No file system yet.
    Err(ENOENT)
}
