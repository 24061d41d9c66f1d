//! /proc and /sys: generated files. A `ProcNode` names one of them; its
//! inode is made afresh at each lookup (with an inode number derived from
//! the node, so st_ino is stable), its directory listing and symlink
//! target are computed when asked, and a file's text is generated once at
//! open and read from that snapshot (as Linux's single_open files are).

use alloc::format;
use alloc::vec::Vec;

use abi::linux::fs::{DT_DIR, DT_LNK, DT_REG, S_IFDIR, S_IFLNK, S_IFREG};

use super::dir::Listed;
use super::inode::{Inode, Kind, Sb, Time};
use crate::errno::*;
use crate::krc::KRc;
use crate::task::Pid;

/// Files of a process directory.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum PidFile {
    Comm,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum SysFile {
    CpuOnline,
    CpuPossible,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ProcNode {
    /// /proc.
    Root,
    /// /proc/self: a link to the caller's process directory.
    SelfLink,
    /// /proc/PID.
    Pid(Pid),
    /// /proc/PID/exe.
    Exe(Pid),
    /// /proc/PID/cwd.
    Cwd(Pid),
    /// /proc/PID/fd.
    FdDir(Pid),
    /// /proc/PID/fd/N.
    Fd(Pid, u32),
    File(Pid, PidFile),
    /// /sys and its directories down to the files: the path's depth.
    SysDir(u8),
    Sys(SysFile),
}

/// The /sys directories, each the only child of the one before.
const SYS_PATH: [&[u8]; 3] = [b"devices", b"system", b"cpu"];

impl ProcNode {
    pub fn type_bits(&self) -> u32 {
        match self {
            ProcNode::Root | ProcNode::Pid(_) | ProcNode::FdDir(_) | ProcNode::SysDir(_) => S_IFDIR,
            ProcNode::SelfLink | ProcNode::Exe(_) | ProcNode::Cwd(_) | ProcNode::Fd(..) => S_IFLNK,
            ProcNode::File(..) | ProcNode::Sys(_) => S_IFREG,
        }
    }

    fn sb(&self) -> Sb {
        match self {
            ProcNode::SysDir(_) | ProcNode::Sys(_) => Sb::Sys,
            _ => Sb::Proc,
        }
    }

    /// A stable inode number per node.
    fn ino(&self) -> u64 {
        const BASE: u64 = 1 << 40;
        let (pid, k) = match *self {
            ProcNode::Root => (0, 1),
            ProcNode::SelfLink => (0, 2),
            ProcNode::SysDir(d) => (0, 16 + u64::from(d)),
            ProcNode::Sys(SysFile::CpuOnline) => (0, 32),
            ProcNode::Sys(SysFile::CpuPossible) => (0, 33),
            ProcNode::Pid(p) => (p, 1),
            ProcNode::Exe(p) => (p, 2),
            ProcNode::Cwd(p) => (p, 3),
            ProcNode::FdDir(p) => (p, 4),
            ProcNode::File(p, PidFile::Comm) => (p, 5),
            ProcNode::Fd(p, n) => (p, 1024 + u64::from(n)),
        };
        BASE + ((pid as u64) << 16) + k
    }

    fn perm(&self) -> u32 {
        match self.type_bits() {
            S_IFDIR => 0o555,
            S_IFLNK => 0o777,
            _ => 0o444,
        }
    }

    pub fn inode(self) -> KResult<KRc<Inode>> {
        let now = Time::now();
        KRc::try_new(Inode {
            ino: self.ino(),
            sb: self.sb(),
            mode: self.type_bits() | self.perm(),
            nlink: if self.type_bits() == S_IFDIR { 2 } else { 1 },
            atime: now,
            mtime: now,
            ctime: now,
            readonly: true,
            kind: Kind::Proc(self),
        })
    }

    /// The directory `..` names; `None` for the roots of /proc and /sys,
    /// whose parent is the root of the file tree.
    pub fn parent(&self) -> Option<KRc<Inode>> {
        let p = match *self {
            ProcNode::Root | ProcNode::SysDir(0) => return None,
            ProcNode::SysDir(d) => ProcNode::SysDir(d - 1),
            ProcNode::Sys(_) => ProcNode::SysDir(SYS_PATH.len() as u8),
            ProcNode::SelfLink | ProcNode::Pid(_) => ProcNode::Root,
            ProcNode::Exe(p) | ProcNode::Cwd(p) | ProcNode::FdDir(p) | ProcNode::File(p, _) => {
                ProcNode::Pid(p)
            }
            ProcNode::Fd(p, _) => ProcNode::FdDir(p),
        };
        p.inode().ok()
    }

    pub fn lookup(&self, name: &[u8]) -> KResult<Option<KRc<Inode>>> {
        let node = match *self {
            ProcNode::Root => match name {
                b"self" => Some(ProcNode::SelfLink),
                _ => parse_num(name)
                    .filter(|&p| crate::task::task(p as Pid).is_some())
                    .map(|p| ProcNode::Pid(p as Pid)),
            },
            ProcNode::Pid(p) => match name {
                b"exe" => Some(ProcNode::Exe(p)),
                b"cwd" => Some(ProcNode::Cwd(p)),
                b"fd" => Some(ProcNode::FdDir(p)),
                b"comm" => Some(ProcNode::File(p, PidFile::Comm)),
                _ => None,
            },
            ProcNode::FdDir(p) => parse_num(name)
                .filter(|&n| n < u32::MAX as u64 && fd_open(p, n as u32))
                .map(|n| ProcNode::Fd(p, n as u32)),
            ProcNode::SysDir(d) if (d as usize) < SYS_PATH.len() => {
                (name == SYS_PATH[d as usize]).then_some(ProcNode::SysDir(d + 1))
            }
            ProcNode::SysDir(_) => match name {
                b"online" => Some(ProcNode::Sys(SysFile::CpuOnline)),
                b"possible" => Some(ProcNode::Sys(SysFile::CpuPossible)),
                _ => None,
            },
            _ => return Err(ENOTDIR),
        };
        node.map(ProcNode::inode).transpose()
    }

    pub fn list(&self) -> KResult<Vec<Listed>> {
        let mut out: Vec<(Vec<u8>, ProcNode)> = Vec::new();
        let mut add = |name: &[u8], n: ProcNode| -> KResult<()> {
            out.try_reserve(1).map_err(|_| ENOMEM)?;
            out.push((super::inode::try_copy(name)?, n));
            Ok(())
        };
        match *self {
            ProcNode::Root => {
                add(b"self", ProcNode::SelfLink)?;
                for p in crate::task::thread_group_leaders() {
                    add(format!("{p}").as_bytes(), ProcNode::Pid(p))?;
                }
            }
            ProcNode::Pid(p) => {
                add(b"comm", ProcNode::File(p, PidFile::Comm))?;
                add(b"cwd", ProcNode::Cwd(p))?;
                add(b"exe", ProcNode::Exe(p))?;
                add(b"fd", ProcNode::FdDir(p))?;
            }
            ProcNode::FdDir(p) => {
                for n in open_fds(p) {
                    add(format!("{n}").as_bytes(), ProcNode::Fd(p, n))?;
                }
            }
            ProcNode::SysDir(d) if (d as usize) < SYS_PATH.len() => {
                add(SYS_PATH[d as usize], ProcNode::SysDir(d + 1))?
            }
            ProcNode::SysDir(_) => {
                add(b"online", ProcNode::Sys(SysFile::CpuOnline))?;
                add(b"possible", ProcNode::Sys(SysFile::CpuPossible))?;
            }
            _ => return Err(ENOTDIR),
        }
        Ok(out
            .into_iter()
            .map(|(name, n)| {
                let t = match n.type_bits() {
                    S_IFDIR => DT_DIR,
                    S_IFLNK => DT_LNK,
                    _ => DT_REG,
                };
                (name, n.ino(), t)
            })
            .collect())
    }

    pub fn readlink(&self) -> KResult<Vec<u8>> {
        let s = match *self {
            ProcNode::SelfLink => format!("{}", crate::task::with_current(|t| t.tgid)),
            ProcNode::Exe(p) => {
                return crate::task::with_task(p, |t| t.mm.borrow().exe.clone())
                    .flatten()
                    .ok_or(ENOENT)
            }
            ProcNode::Cwd(p) => {
                return crate::task::with_task(p, |t| super::namei::path_of_cwd(t)).ok_or(ENOENT)?
            }
            ProcNode::Fd(p, n) => {
                return crate::task::with_task(p, |t| super::fd_path(t, n)).ok_or(ENOENT)?
            }
            _ => return Err(EINVAL),
        };
        super::inode::try_copy(s.as_bytes())
    }

    /// A file's text, generated at open.
    pub fn content(&self) -> KResult<Vec<u8>> {
        let s = match *self {
            ProcNode::File(p, PidFile::Comm) => {
                crate::task::with_task(p, |t| format!("{}\n", comm_of(t))).ok_or(ESRCH)?
            }
            ProcNode::Sys(SysFile::CpuOnline) | ProcNode::Sys(SysFile::CpuPossible) => {
                let n = crate::boot_info::try_get().map_or(1, |i| i.nr_cpus.max(1));
                if n == 1 {
                    format!("0\n")
                } else {
                    format!("0-{}\n", n - 1)
                }
            }
            _ => return Err(EISDIR),
        };
        super::inode::try_copy(s.as_bytes())
    }
}

/// The program's name as Linux's `comm`: what execve named it, else the
/// last path component of what it executed, at most 15 bytes.
fn comm_of(t: &crate::task::Task) -> alloc::string::String {
    let mm = t.mm.borrow();
    if let Some(comm) = &mm.comm {
        return alloc::string::String::from_utf8_lossy(comm).into_owned();
    }
    let exe = mm.exe.as_deref().unwrap_or(b"");
    let base = exe.rsplit(|b| *b == b'/').next().unwrap_or(b"");
    let base = &base[..base.len().min(15)];
    alloc::string::String::from_utf8_lossy(base).into_owned()
}

fn parse_num(name: &[u8]) -> Option<u64> {
    if name.is_empty() || name.len() > 10 || (name[0] == b'0' && name.len() > 1) {
        return None;
    }
    name.iter().try_fold(0u64, |n, &b| {
        b.is_ascii_digit().then(|| n * 10 + u64::from(b - b'0'))
    })
}

fn fd_open(pid: Pid, n: u32) -> bool {
    crate::task::with_task(pid, |t| t.files.borrow().is_open(n as usize)).unwrap_or(false)
}

fn open_fds(pid: Pid) -> Vec<u32> {
    crate::task::with_task(pid, |t| {
        let files = t.files.borrow();
        (0..files.fds.len())
            .filter(|&i| files.is_open(i))
            .map(|i| i as u32)
            .collect()
    })
    .unwrap_or_default()
}
