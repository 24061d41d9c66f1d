//! Path lookup (Linux's namei): from the caller's root or a starting
//! directory (its cwd or a `*at` call's dirfd), one component at a time,
//! following symlinks (at most `MAXSYMLINKS` in one lookup, ELOOP past
//! that), with Linux's errors: ENOENT for a missing component or an empty
//! path, ENOTDIR for a component that is not a directory, ENAMETOOLONG for
//! a component over NAME_MAX or a path over PATH_MAX.

use alloc::vec::Vec;

use abi::linux::fs::{AT_FDCWD, MAXSYMLINKS, NAME_MAX, PATH_MAX};

use super::dir;
use super::inode::{Inode, Kind};
use super::{FileKind, Open};
use crate::errno::*;
use crate::krc::KRc;
use crate::mm::uaccess::copy_from_user;
use crate::task::{with_current, with_mm, Task};

/// Copies a NUL-terminated path from user memory: EFAULT for a bad
/// pointer, ENAMETOOLONG if no NUL comes within PATH_MAX bytes.
pub fn user_path(addr: u64) -> KResult<Vec<u8>> {
    // Small pieces, never past the end of a page: a path is usually
    // short, and a piece must not reach into an unmapped page that the
    // string itself does not.
    const PIECE: u64 = 128;
    let mut out = Vec::new();
    out.try_reserve(PIECE as usize).map_err(|_| ENOMEM)?;
    let mut at = addr;
    let mut chunk = [0u8; PIECE as usize];
    loop {
        let n = (0x1000 - (at & 0xfff)).min(PIECE) as usize;
        with_mm(|mm| copy_from_user(mm, at, &mut chunk[..n]))?;
        let end = chunk[..n].iter().position(|b| *b == 0);
        let take = end.unwrap_or(n);
        if out.len() + take >= PATH_MAX {
            return Err(ENAMETOOLONG);
        }
        out.try_reserve(take).map_err(|_| ENOMEM)?;
        out.extend_from_slice(&chunk[..take]);
        if end.is_some() {
            return Ok(out);
        }
        at += n as u64;
    }
}

/// The caller's root directory.
pub fn root() -> KRc<Inode> {
    with_current(|t| t.fs.borrow().root.clone())
}

pub fn cwd() -> KRc<Inode> {
    with_current(|t| t.fs.borrow().cwd.borrow().clone())
}

/// Where a relative path starts for a `*at` call: the cwd for AT_FDCWD,
/// else the directory `dirfd` refers to (EBADF if it is not open, ENOTDIR
/// if it is not a directory).
pub fn start_dir(dirfd: u64) -> KResult<KRc<Inode>> {
    if dirfd as i32 == AT_FDCWD {
        return Ok(cwd());
    }
    let inode = fd_inode(dirfd)?;
    if !inode.borrow().is_dir() {
        return Err(ENOTDIR);
    }
    Ok(inode)
}

/// The inode behind descriptor `fd` (EBADF if it is not open; ENOTDIR
/// for a descriptor with no inode, such as a pipe, where a directory is
/// wanted: Linux's answer for a dirfd that is a pipe).
pub fn fd_inode(fd: u64) -> KResult<KRc<Inode>> {
    let file = with_current(|t| t.files.borrow().get(fd))
        .ok_or(EBADF)?
        .file;
    let f = file.borrow();
    match &f.kind {
        FileKind::Inode(o) => Ok(o.inode.clone()),
        _ => Err(ENOTDIR),
    }
}

/// The child `name` of directory `dir`.
pub fn child(dir: &KRc<Inode>, name: &[u8]) -> KResult<Option<KRc<Inode>>> {
    let proc = match &dir.borrow().kind {
        Kind::Dir(_) => None,
        Kind::Proc(n) => Some(*n),
        _ => return Err(ENOTDIR),
    };
    match proc {
        Some(n) => n.lookup(name),
        None => dir::lookup(dir, name),
    }
}

/// `..` of `dir`, staying at `root`.
pub fn dotdot_of(dir: &KRc<Inode>, root: &KRc<Inode>) -> KResult<KRc<Inode>> {
    if dir.as_ptr() == root.as_ptr() {
        return Ok(dir.clone());
    }
    let proc = match &dir.borrow().kind {
        Kind::Proc(n) => Some(*n),
        _ => None,
    };
    match proc {
        Some(n) => Ok(n.parent().unwrap_or_else(|| root.clone())),
        None => dir::parent_of(dir),
    }
}

/// A symlink's target.
pub fn link_target(inode: &KRc<Inode>) -> KResult<Vec<u8>> {
    let proc = match &inode.borrow().kind {
        Kind::Symlink(t) => return super::inode::try_copy(t),
        Kind::Proc(n) => *n,
        _ => return Err(EINVAL),
    };
    proc.readlink()
}

fn check_name(name: &[u8]) -> KResult<()> {
    if name.len() > NAME_MAX {
        Err(ENAMETOOLONG)
    } else {
        Ok(())
    }
}

/// The components of `path`, empty ones (repeated slashes) dropped.
fn components(path: &[u8]) -> impl Iterator<Item = &[u8]> {
    path.split(|b| *b == b'/').filter(|c| !c.is_empty())
}

/// Walks `path` from `start` (or the root, for an absolute path).
/// `follow` says whether a symlink as the last component is followed; a
/// trailing slash always follows it and requires a directory.
fn walk(
    root: &KRc<Inode>,
    start: &KRc<Inode>,
    path: &[u8],
    follow: bool,
    links: &mut u32,
) -> KResult<KRc<Inode>> {
    if path.is_empty() {
        return Err(ENOENT);
    }
    let mut cur = if path[0] == b'/' {
        root.clone()
    } else {
        start.clone()
    };
    let trailing = path.ends_with(b"/");
    let names: Vec<&[u8]> = components(path).collect();
    for (i, name) in names.iter().enumerate() {
        let last = i + 1 == names.len();
        if !cur.borrow().is_dir() {
            return Err(ENOTDIR);
        }
        if *name == b"." {
            continue;
        }
        if *name == b".." {
            cur = dotdot_of(&cur, root)?;
            continue;
        }
        check_name(name)?;
        let next = child(&cur, name)?.ok_or(ENOENT)?;
        let is_link = next.borrow().is_symlink();
        cur = if is_link && (!last || follow || trailing) {
            *links += 1;
            if *links > MAXSYMLINKS {
                return Err(ELOOP);
            }
            let target = link_target(&next)?;
            walk(root, &cur, &target, true, links)?
        } else {
            next
        };
    }
    if trailing && !cur.borrow().is_dir() {
        return Err(ENOTDIR);
    }
    Ok(cur)
}

/// The inode `path` names, from `start` for a relative path.
pub fn lookup(start: &KRc<Inode>, path: &[u8], follow: bool) -> KResult<KRc<Inode>> {
    let mut links = 0;
    walk(&root(), start, path, follow, &mut links)
}

/// `lookup` for a `*at` call.
pub fn lookup_at(dirfd: u64, path: &[u8], follow: bool) -> KResult<KRc<Inode>> {
    let start = if path.first() == Some(&b'/') {
        root()
    } else {
        start_dir(dirfd)?
    };
    lookup(&start, path, follow)
}

/// The last component of a path and the directory holding it, for the
/// calls that create, remove or rename.
pub struct Parent {
    pub dir: KRc<Inode>,
    /// Empty for "/" (and "//" and so on); "." or ".." are returned as
    /// they are, for the caller's error.
    pub name: Vec<u8>,
    /// The path ended in '/'.
    pub trailing: bool,
}

impl Parent {
    pub fn is_dot(&self) -> bool {
        self.name == b"." || self.name == b".."
    }
}

pub fn lookup_parent(dirfd: u64, path: &[u8]) -> KResult<Parent> {
    if path.is_empty() {
        return Err(ENOENT);
    }
    let start = if path[0] == b'/' {
        root()
    } else {
        start_dir(dirfd)?
    };
    lookup_parent_from(&start, path)
}

/// `lookup_parent` for a relative path from directory `start`.
pub fn lookup_parent_from(start: &KRc<Inode>, path: &[u8]) -> KResult<Parent> {
    if path.is_empty() {
        return Err(ENOENT);
    }
    let root = root();
    let start = if path[0] == b'/' {
        root.clone()
    } else {
        start.clone()
    };
    let trimmed_len = path.len() - path.iter().rev().take_while(|b| **b == b'/').count();
    let trailing = trimmed_len < path.len();
    let body = &path[..trimmed_len];
    let (dir_part, name) = match body.iter().rposition(|b| *b == b'/') {
        Some(i) => (&body[..=i], &body[i + 1..]),
        None => (&b""[..], body),
    };
    check_name(name)?;
    let dir = if dir_part.is_empty() {
        if body.is_empty() {
            root.clone()
        } else {
            start.clone()
        }
    } else {
        let mut links = 0;
        walk(&root, &start, dir_part, true, &mut links)?
    };
    if !dir.borrow().is_dir() {
        return Err(ENOTDIR);
    }
    Ok(Parent {
        dir,
        name: super::inode::try_copy(name)?,
        trailing,
    })
}

/// The absolute path of directory `dir` from `root`; ENOENT if it was
/// removed (getcwd's answer for a deleted cwd).
pub fn path_of_dir(dir: &KRc<Inode>, root: &KRc<Inode>) -> KResult<Vec<u8>> {
    let mut parts: Vec<Vec<u8>> = Vec::new();
    let mut cur = dir.clone();
    while cur.as_ptr() != root.as_ptr() {
        let (name, parent) = {
            let c = cur.borrow();
            match &c.kind {
                Kind::Dir(d) if d.removed => return Err(ENOENT),
                Kind::Dir(d) => (super::inode::try_copy(&d.name)?, d.parent.clone()),
                Kind::Proc(n) => (n.name()?, n.parent()),
                _ => return Err(ENOTDIR),
            }
        };
        parts.try_reserve(1).map_err(|_| ENOMEM)?;
        parts.push(name);
        cur = match parent {
            Some(p) => p,
            None => root.clone(),
        };
    }
    let mut path = Vec::new();
    for p in parts.iter().rev() {
        path.try_reserve(p.len() + 1).map_err(|_| ENOMEM)?;
        path.push(b'/');
        path.extend_from_slice(p);
    }
    if path.is_empty() {
        path.push(b'/');
    }
    Ok(path)
}

/// /proc/PID/cwd's target.
pub fn path_of_cwd(t: &Task) -> KResult<Vec<u8>> {
    let fs = t.fs.borrow();
    let cwd = fs.cwd.borrow().clone();
    path_of_dir(&cwd, &fs.root)
}

/// The path of an open inode file (for /proc/PID/fd/N): directories by
/// their path, other files by the name they were opened with.
pub fn path_of_open(o: &Open, root: &KRc<Inode>) -> KResult<Vec<u8>> {
    if o.inode.borrow().is_dir() {
        return path_of_dir(&o.inode, root);
    }
    super::inode::try_copy(&o.path)
}
