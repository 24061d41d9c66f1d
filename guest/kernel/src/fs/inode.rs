//! Inodes: the objects paths name. One `Inode` is one file of one of the
//! kernel's file systems: the root tmpfs (with what the host imported), the
//! tmpfs at /dev/shm, the device nodes of /dev, and the generated files of
//! /proc and /sys.
//!
//! There is no separate dentry cache: a tmpfs directory holds its entries
//! (name → inode) itself, and a directory knows its parent and its name in
//! it, which is all `..` and getcwd need (directories cannot be hard-linked,
//! so the parent is unique). The parent link makes a cycle with the
//! parent's entry; it is cut when the directory is removed (rmdir, or
//! replaced by rename), so nothing leaks.
//!
//! Lock order (each inode is behind its `KRc` borrow): a directory before
//! its children; for the two directories of a rename, the ancestry checks
//! (shared borrows, one at a time) before either is borrowed mutably. No
//! inode borrow is held across a sleep, and none is held while user memory
//! is faulted in through a mapping of the same file.

use alloc::vec::Vec;
use core::sync::atomic::{AtomicU64, Ordering};

use abi::linux::fs::{
    DT_CHR, DT_DIR, DT_LNK, DT_REG, S_IALLUGO, S_IFCHR, S_IFDIR, S_IFLNK, S_IFMT, S_IFREG,
};
use abi::linux::uapi::Stat;

use super::devfs::Device;
use super::dir::Dir;
use super::procfs::ProcNode;
use super::regular::Regular;
use crate::errno::*;
use crate::krc::KRc;

/// Which file system an inode belongs to: its st_dev and statfs answer,
/// and the boundary rename and link may not cross (EXDEV).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Sb {
    /// The root tmpfs (and what the host imported into it).
    Root,
    /// /dev (devtmpfs).
    Dev,
    /// /dev/shm.
    Shm,
    /// /proc.
    Proc,
    /// /sys.
    Sys,
}

impl Sb {
    /// st_dev: minor numbers of anonymous block devices, as Linux gives
    /// its virtual file systems.
    pub fn dev(self) -> u64 {
        match self {
            Sb::Dev => 0x05,
            Sb::Root => 0x1b,
            Sb::Shm => 0x18,
            Sb::Proc => 0x15,
            Sb::Sys => 0x16,
        }
    }
}

/// A time stamp (seconds since the epoch and nanoseconds; utimensat may
/// set any).
#[derive(Clone, Copy, Default, Debug, PartialEq, Eq)]
pub struct Time {
    pub sec: i64,
    pub nsec: u32,
}

impl Time {
    pub fn now() -> Time {
        let ns = crate::time::realtime_ns();
        Time {
            sec: (ns / 1_000_000_000) as i64,
            nsec: (ns % 1_000_000_000) as u32,
        }
    }
}

pub enum Kind {
    Dir(Dir),
    Regular(Regular),
    Symlink(Vec<u8>),
    Device(Device),
    /// A generated file or directory of /proc or /sys.
    Proc(ProcNode),
}

pub struct Inode {
    pub ino: u64,
    pub sb: Sb,
    /// File type and permission bits (`st_mode`).
    pub mode: u32,
    pub nlink: u32,
    pub atime: Time,
    pub mtime: Time,
    pub ctime: Time,
    /// Imported read-only from the host: every change is EROFS.
    pub readonly: bool,
    pub kind: Kind,
}

/// Inode numbers, unique within a run for the kernel's own file systems
/// (pipes count from 2^16, generated files of /proc use their own ranges).
static NEXT_INO: AtomicU64 = AtomicU64::new(2);

pub fn next_ino() -> u64 {
    NEXT_INO.fetch_add(1, Ordering::Relaxed)
}

impl Inode {
    /// A new inode of `kind` with permission bits `perm`, times now.
    pub fn new(sb: Sb, perm: u32, kind: Kind) -> KResult<KRc<Inode>> {
        let type_bits = match &kind {
            Kind::Dir(_) => S_IFDIR,
            Kind::Regular(_) => S_IFREG,
            Kind::Symlink(_) => S_IFLNK,
            Kind::Device(_) => S_IFCHR,
            Kind::Proc(n) => n.type_bits(),
        };
        let nlink = if matches!(kind, Kind::Dir(_)) { 2 } else { 1 };
        let now = Time::now();
        KRc::try_new(Inode {
            ino: next_ino(),
            sb,
            mode: type_bits | (perm & S_IALLUGO),
            nlink,
            atime: now,
            mtime: now,
            ctime: now,
            readonly: false,
            kind,
        })
    }

    pub fn is_dir(&self) -> bool {
        self.mode & S_IFMT == S_IFDIR
    }

    pub fn is_symlink(&self) -> bool {
        self.mode & S_IFMT == S_IFLNK
    }

    pub fn is_regular(&self) -> bool {
        self.mode & S_IFMT == S_IFREG
    }

    /// getdents64's d_type.
    pub fn dirent_type(&self) -> u8 {
        match self.mode & S_IFMT {
            S_IFDIR => DT_DIR,
            S_IFLNK => DT_LNK,
            S_IFCHR => DT_CHR,
            _ => DT_REG,
        }
    }

    pub fn size(&self) -> u64 {
        match &self.kind {
            Kind::Regular(r) => r.size(),
            Kind::Symlink(t) => t.len() as u64,
            _ => 0,
        }
    }

    /// EROFS for a change to an imported read-only file or to any file of
    /// /proc and /sys (Linux answers most such writes so).
    pub fn may_change(&self) -> KResult<()> {
        if self.readonly || matches!(self.sb, Sb::Proc | Sb::Sys) {
            Err(EROFS)
        } else {
            Ok(())
        }
    }

    /// The caller is root: it may read and write anything; it may execute
    /// a regular file only if some execute bit is set, and search any
    /// directory.
    pub fn may_exec(&self) -> KResult<()> {
        if self.is_dir() || self.mode & 0o111 != 0 {
            Ok(())
        } else {
            Err(EACCES)
        }
    }

    pub fn touch_mtime(&mut self) {
        let now = Time::now();
        self.mtime = now;
        self.ctime = now;
    }

    pub fn stat(&self) -> Stat {
        let blocks = match &self.kind {
            Kind::Regular(r) => r.pages() * 8,
            _ => 0,
        };
        Stat {
            st_dev: self.sb.dev(),
            st_ino: self.ino,
            st_nlink: u64::from(self.nlink),
            st_mode: self.mode,
            st_rdev: match &self.kind {
                Kind::Device(d) => d.rdev(),
                _ => 0,
            },
            st_size: self.size() as i64,
            st_blksize: 4096,
            st_blocks: blocks as i64,
            st_atime: self.atime.sec as u64,
            st_atime_nsec: u64::from(self.atime.nsec),
            st_mtime: self.mtime.sec as u64,
            st_mtime_nsec: u64::from(self.mtime.nsec),
            st_ctime: self.ctime.sec as u64,
            st_ctime_nsec: u64::from(self.ctime.nsec),
            ..Default::default()
        }
    }
}

/// A copy of `bytes` in a fallible allocation.
pub fn try_copy(bytes: &[u8]) -> KResult<Vec<u8>> {
    let mut v = Vec::new();
    v.try_reserve_exact(bytes.len()).map_err(|_| ENOMEM)?;
    v.extend_from_slice(bytes);
    Ok(v)
}

/// The kinds `Regular`, `Dir` and so on, reached through an inode's kind
/// (EISDIR, ENOTDIR and EINVAL are the callers' to choose).
impl Kind {
    pub fn as_dir(&self) -> Option<&Dir> {
        match self {
            Kind::Dir(d) => Some(d),
            _ => None,
        }
    }
}
