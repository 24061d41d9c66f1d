//! File descriptors: for now only the console — fd 0 reads the host's stdin,
//! fd 1 and 2 write to its stdout and stderr. They behave like the pipes a
//! test harness gives a native process (fstat says FIFO, lseek is ESPIPE,
//! ioctl is ENOTTY), so programs take the same paths in both places.

use crate::errno::*;
use crate::hypercall;
use crate::mm::fault::{populate, Access};
use crate::mm::uaccess::{check_range, copy_from_user, copy_to_user, read_user};
use crate::task::with_current;

/// Linux's limit on one read/write (MAX_RW_COUNT).
const MAX_RW_COUNT: u64 = 0x7fff_f000;
/// UIO_MAXIOV.
const MAX_IOV: u64 = 1024;

/// The console fd `fd` if it is open.
fn console_fd(fd: u64) -> KResult<usize> {
    let fd = fd as u32 as usize;
    if fd < 3 && with_current(|t| t.console_fds[fd]) {
        Ok(fd)
    } else {
        Err(EBADF)
    }
}

pub fn read(fd: u64, buf: u64, count: u64) -> KResult<u64> {
    if console_fd(fd)? != 0 {
        return Err(EBADF); // fds 1 and 2 are write-only
    }
    let count = count.min(MAX_RW_COUNT);
    if count == 0 {
        return Ok(0);
    }
    check_range(buf, count)?;
    let r = hypercall::console_read(count as usize, |data| {
        with_current(|t| copy_to_user(&mut t.mm, buf, data))
    });
    if r < 0 {
        Err(-r)
    } else {
        Ok(r as u64)
    }
}

/// Writes user bytes [buf, buf+count) to console fd `fd` (1 or 2); the whole
/// buffer is checked first, so a bad pointer writes nothing.
fn write_user_bytes(fd: usize, buf: u64, count: u64) -> KResult<u64> {
    if count == 0 {
        return Ok(0);
    }
    check_range(buf, count)?;
    with_current(|t| {
        let mut page = buf & !0xfff;
        while page < buf + count {
            populate(&mut t.mm, page.max(buf), Access::Read).ok_or(EFAULT)?;
            page += 0x1000;
        }
        Ok::<(), i64>(())
    })?;
    let written = hypercall::console_write_with(fd as u32, count as usize, |off, chunk| {
        with_current(|t| copy_from_user(&mut t.mm, buf + off as u64, chunk))
            .map_or(0, |_| chunk.len())
    });
    Ok(written as u64)
}

pub fn write(fd: u64, buf: u64, count: u64) -> KResult<u64> {
    let fd = console_fd(fd)?;
    if fd == 0 {
        return Err(EBADF);
    }
    write_user_bytes(fd, buf, count.min(MAX_RW_COUNT))
}

#[derive(Clone, Copy, Default)]
#[repr(C)]
struct IoVec {
    base: u64,
    len: u64,
}

pub fn writev(fd: u64, iov: u64, iovcnt: u64) -> KResult<u64> {
    let fd = console_fd(fd)?;
    if fd == 0 {
        return Err(EBADF);
    }
    if iovcnt > MAX_IOV {
        return Err(EINVAL);
    }
    let mut vecs = [IoVec::default(); MAX_IOV as usize];
    let mut total: u64 = 0;
    for (i, v) in vecs.iter_mut().enumerate().take(iovcnt as usize) {
        *v = with_current(|t| read_user::<IoVec>(&mut t.mm, iov + 16 * i as u64))?;
        if v.len > i64::MAX as u64 {
            return Err(EINVAL);
        }
        total = total.saturating_add(v.len);
    }
    let mut left = total.min(MAX_RW_COUNT);
    let mut written = 0;
    for v in &vecs[..iovcnt as usize] {
        if left == 0 {
            break;
        }
        let n = v.len.min(left);
        match write_user_bytes(fd, v.base, n) {
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
    let fd = console_fd(fd)?;
    with_current(|t| t.console_fds[fd] = false);
    Ok(0)
}

pub fn lseek(fd: u64) -> KResult<u64> {
    console_fd(fd)?;
    Err(ESPIPE)
}

pub fn ioctl(fd: u64) -> KResult<u64> {
    console_fd(fd)?;
    Err(ENOTTY)
}

/// struct stat (x86_64), 144 bytes.
#[derive(Clone, Copy, Default)]
#[repr(C)]
struct Stat {
    dev: u64,
    ino: u64,
    nlink: u64,
    mode: u32,
    uid: u32,
    gid: u32,
    _pad0: u32,
    rdev: u64,
    size: i64,
    blksize: i64,
    blocks: i64,
    times: [u64; 6],
    _unused: [i64; 3],
}

const S_IFIFO: u32 = 0o010000;

pub fn fstat(fd: u64, statbuf: u64) -> KResult<u64> {
    let fd = console_fd(fd)?;
    let st = Stat {
        dev: 0xc,
        ino: 1 + fd as u64,
        nlink: 1,
        mode: S_IFIFO | 0o600,
        blksize: 4096,
        ..Default::default()
    };
    with_current(|t| crate::mm::uaccess::write_user(&mut t.mm, statbuf, &st))?;
    Ok(0)
}

const AT_EMPTY_PATH: u64 = 0x1000;

pub fn newfstatat(dirfd: u64, path: u64, statbuf: u64, flags: u64) -> KResult<u64> {
    let first: u8 = with_current(|t| read_user::<u8>(&mut t.mm, path))?;
    if first == 0 && flags & AT_EMPTY_PATH != 0 {
        return fstat(dirfd, statbuf);
    }
    // No file system yet.
    Err(ENOENT)
}
