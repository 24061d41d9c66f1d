//! An open inode: the file position and access mode of one open file
//! description of a regular file, a directory, a device or a generated
//! file, and the reads, writes and seeks on it.
//!
//! The position is a `Cell` because the open file is shared (dup, fork)
//! and only ever borrowed shared; with one CPU and no sleep inside these
//! calls, a read's update of the position cannot interleave with another.

use alloc::vec::Vec;
use core::cell::{Cell, RefCell};

use abi::linux::fs::{
    O_RDONLY, O_RDWR, O_WRONLY, SEEK_CUR, SEEK_DATA, SEEK_END, SEEK_HOLE, SEEK_SET,
};
use abi::linux::uapi::Dirent64Head;
use zerocopy::IntoBytes;

use super::devfs::Device;
use super::dir;
use super::inode::{Inode, Kind};
use super::regular::MAX_FILE_SIZE;
use crate::errno::*;
use crate::krc::KRc;
use crate::mm::fault::Access;
use crate::mm::uaccess::{clear_user, copy_to_user, prefault};
use crate::task::with_mm;

pub struct Open {
    pub inode: KRc<Inode>,
    /// O_RDONLY, O_WRONLY or O_RDWR; `None` for O_PATH.
    pub access: Option<u64>,
    pub pos: Cell<u64>,
    /// The absolute path it was opened by (/proc/PID/fd/N).
    pub path: Vec<u8>,
    /// A directory listing's last name, to go on after it whatever
    /// changed in between (see `getdents`).
    cursor: RefCell<Vec<u8>>,
    /// A generated file's text, made at the first read after open or
    /// after a seek that moved the position, as Linux's seq_file makes it
    /// (so a task that is gone by then reads as ESRCH).
    snapshot: RefCell<Option<Vec<u8>>>,
}

impl Open {
    pub fn new(inode: KRc<Inode>, access: Option<u64>, path: Vec<u8>) -> KResult<Open> {
        Ok(Open {
            inode,
            access,
            pos: Cell::new(0),
            path,
            cursor: RefCell::new(Vec::new()),
            snapshot: RefCell::new(None),
        })
    }

    pub fn readable(&self) -> bool {
        matches!(self.access, Some(O_RDONLY) | Some(O_RDWR))
    }

    pub fn writable(&self) -> bool {
        matches!(self.access, Some(O_WRONLY) | Some(O_RDWR))
    }

    /// read / pread: at `at`, or at the file position (which moves).
    pub fn read(&self, buf: u64, count: u64, at: Option<u64>) -> KResult<u64> {
        if !self.readable() {
            return Err(EBADF);
        }
        let pos = at.unwrap_or(self.pos.get());
        let (avail, proc) = {
            let i = self.inode.borrow();
            match &i.kind {
                Kind::Regular(r) => (r.size().saturating_sub(pos).min(count), None),
                Kind::Proc(n) if n.type_bits() == abi::linux::fs::S_IFREG => (0, Some(*n)),
                _ => (0, None),
            }
        };
        if let Some(n) = proc {
            if self.snapshot.borrow().is_none() {
                let text = n.content()?;
                *self.snapshot.borrow_mut() = Some(text);
            }
        }
        let count = if avail > 0 {
            match with_mm(|mm| prefault(mm, buf, avail, Access::Write)) {
                0 => return Err(EFAULT),
                n => n,
            }
        } else {
            count
        };
        let n = {
            let i = self.inode.borrow();
            match &i.kind {
                Kind::Dir(_) => return Err(EISDIR),
                Kind::Regular(r) => r.read(pos, buf, count)?,
                Kind::Device(d) => return read_device(*d, buf, count),
                Kind::Proc(n) if n.type_bits() == abi::linux::fs::S_IFDIR => return Err(EISDIR),
                Kind::Proc(_) => {
                    let snapshot = self.snapshot.borrow();
                    let text = snapshot.as_deref().unwrap_or(&[]);
                    let from = (pos as usize).min(text.len());
                    let n = (count as usize).min(text.len() - from);
                    with_mm(|mm| copy_to_user(mm, buf, &text[from..from + n]))?;
                    n as u64
                }
                Kind::Symlink(_) => return Err(EBADF),
            }
        };
        if at.is_none() {
            self.pos.set(pos + n);
        }
        Ok(n)
    }

    /// write / pwrite. `append` (O_APPEND) writes at the end and moves the
    /// position there, even for pwrite (Linux's behaviour).
    pub fn write(&self, buf: u64, count: u64, at: Option<u64>, append: bool) -> KResult<u64> {
        if !self.writable() {
            return Err(EBADF);
        }
        let dev = match &self.inode.borrow().kind {
            Kind::Device(d) => Some(*d),
            _ => None,
        };
        if let Some(d) = dev {
            return write_device(d, buf, count);
        }
        let count = match with_mm(|mm| prefault(mm, buf, count, Access::Read)) {
            0 if count > 0 => return Err(EFAULT),
            n => n,
        };
        let mut i = self.inode.borrow_mut();
        i.may_change()?;
        let Kind::Regular(r) = &mut i.kind else {
            return Err(EINVAL);
        };
        let pos = if append {
            r.size()
        } else {
            at.unwrap_or(self.pos.get())
        };
        let n = r.write(pos, buf, count)?;
        if n > 0 {
            i.touch_mtime();
        }
        if at.is_none() || append {
            self.pos.set(pos + n);
        }
        Ok(n)
    }

    pub fn lseek(&self, off: u64, whence: u64) -> KResult<u64> {
        let (size, kind) = {
            let i = self.inode.borrow();
            let k = match &i.kind {
                Kind::Regular(_) => 0,
                Kind::Dir(_) => 1,
                Kind::Device(d) if d.seekable() => 2,
                Kind::Device(_) => return Err(ESPIPE),
                Kind::Proc(n) if n.type_bits() == abi::linux::fs::S_IFDIR => 1,
                // Generated text: SEEK_SET and SEEK_CUR only (seq_lseek).
                Kind::Proc(_) => 3,
                Kind::Symlink(_) => return Err(EBADF),
            };
            (i.size(), k)
        };
        if self.access.is_none() {
            return Err(EBADF);
        }
        if kind == 2 {
            // /dev/null, zero and friends: every seek lands at 0.
            return Ok(0);
        }
        let off = off as i64;
        let base: i64 = match whence {
            SEEK_SET => 0,
            SEEK_CUR => self.pos.get() as i64,
            SEEK_END if kind == 0 => size as i64,
            SEEK_DATA | SEEK_HOLE if kind == 0 => {
                if off < 0 || off as u64 >= size {
                    return Err(ENXIO);
                }
                // tmpfs reports data everywhere and the one hole at the end.
                let to = if whence == SEEK_DATA {
                    off as u64
                } else {
                    size
                };
                self.pos.set(to);
                return Ok(to);
            }
            _ => return Err(EINVAL),
        };
        let new = base.checked_add(off).ok_or(EINVAL)?;
        if new < 0 || (kind == 0 && new as u64 > MAX_FILE_SIZE) {
            return Err(EINVAL);
        }
        if kind == 1 && new as u64 != self.pos.get() {
            self.cursor.borrow_mut().clear();
        }
        if kind == 3 && new as u64 != self.pos.get() {
            // Linux's seq_lseek: the text is made again up to the new place.
            *self.snapshot.borrow_mut() = None;
        }
        self.pos.set(new as u64);
        Ok(new as u64)
    }

    /// getdents64: `.` at position 0, `..` at 1, then the entries in name
    /// order at 2, 3, ... Each record's d_off is the next position. A
    /// listing goes on after the last name it returned (the cursor), so
    /// entries added or removed between calls (rm -r removing what it has
    /// read) shift nothing; a seek to another position starts by index.
    pub fn getdents(&self, buf: u64, count: u64, root: &KRc<Inode>) -> KResult<u64> {
        if !self.inode.borrow().is_dir() {
            return Err(ENOTDIR);
        }
        if self.access.is_none() {
            return Err(EBADF);
        }
        let proc = match &self.inode.borrow().kind {
            Kind::Proc(n) => Some(*n),
            // A removed directory lists nothing, not even "." (Linux's
            // dead-directory check).
            Kind::Dir(d) if d.removed => return Err(ENOENT),
            _ => None,
        };
        let listing = match proc {
            Some(n) => Some(n.list()?),
            None => None,
        };
        let mut pos = self.pos.get();
        let mut index = pos.saturating_sub(2) as usize;
        if pos >= 2 && listing.is_none() {
            let cursor = self.cursor.borrow();
            if !cursor.is_empty() {
                index = dir::index_after(&self.inode, &cursor)?;
            }
        }
        let mut out: Vec<u8> = Vec::new();
        out.try_reserve(count.min(1 << 16) as usize)
            .map_err(|_| ENOMEM)?;
        loop {
            let entry: Option<dir::Listed> = match pos {
                0 => Some((
                    b".".to_vec(),
                    self.inode.borrow().ino,
                    abi::linux::fs::DT_DIR,
                )),
                1 => {
                    let parent = super::namei::dotdot_of(&self.inode, root)?;
                    let ino = parent.borrow().ino;
                    Some((b"..".to_vec(), ino, abi::linux::fs::DT_DIR))
                }
                _ => match &listing {
                    Some(l) => l.get(index).cloned(),
                    None => dir::entry_at(&self.inode, index)?,
                },
            };
            let Some((name, ino, dtype)) = entry else {
                break;
            };
            let reclen = (19 + name.len() + 1).next_multiple_of(8);
            if out.len() + reclen > count as usize {
                if out.is_empty() {
                    return Err(EINVAL);
                }
                break;
            }
            let next = pos + 1;
            let head = Dirent64Head {
                d_ino: ino,
                d_off: next as i64,
                d_reclen: reclen as u16,
                d_type: dtype,
            };
            out.try_reserve(reclen).map_err(|_| ENOMEM)?;
            out.extend_from_slice(head.as_bytes());
            out.extend_from_slice(&name);
            out.resize(out.len() + reclen - 19 - name.len(), 0);
            if pos >= 2 {
                index += 1;
                *self.cursor.borrow_mut() = name;
            }
            pos = next;
        }
        with_mm(|mm| copy_to_user(mm, buf, &out))?;
        self.pos.set(pos);
        Ok(out.len() as u64)
    }

    /// FIONREAD: bytes from the position to the end of the file's size
    /// (negative past the end, as Linux computes it; a generated file's
    /// size is 0).
    pub fn unread(&self) -> i64 {
        self.inode.borrow().size() as i64 - self.pos.get() as i64
    }
}

fn read_device(d: Device, buf: u64, count: u64) -> KResult<u64> {
    match d {
        Device::Null => Ok(0),
        Device::Zero | Device::Full => {
            with_mm(|mm| clear_user(mm, buf, count as usize))?;
            Ok(count)
        }
        Device::Random | Device::Urandom => {
            let mut done = 0;
            let mut chunk = [0u8; 256];
            while done < count {
                let n = (count - done).min(chunk.len() as u64) as usize;
                crate::random::fill(&mut chunk[..n]);
                with_mm(|mm| copy_to_user(mm, buf + done, &chunk[..n]))?;
                done += n as u64;
            }
            Ok(done)
        }
        Device::Tty | Device::Console => crate::syscalls::fs::console_read(buf, count),
    }
}

fn write_device(d: Device, buf: u64, count: u64) -> KResult<u64> {
    match d {
        Device::Null | Device::Zero | Device::Random | Device::Urandom => Ok(count),
        Device::Full => Err(ENOSPC),
        Device::Tty | Device::Console => crate::syscalls::fs::write_user_bytes(1, buf, count),
    }
}
