//! tmpfs directories: entries sorted by name (binary search for lookup,
//! and a stable order for getdents), each holding its inode.
//!
//! A directory imported from the host's image is listed lazily: until its
//! first use it holds only its image index, and the first lookup, listing
//! or change turns its children into inodes (`super::initfs::list`). Boot
//! then costs nothing per imported file; a program pays for the directories
//! it touches.
//!
//! Every function here takes the directory's `KRc` (the lazy listing needs
//! it as the children's parent) and borrows it for the call only.

use alloc::vec::Vec;

use super::inode::{Inode, Kind, Time};
use crate::errno::*;
use crate::krc::KRc;

pub struct Entry {
    pub name: Vec<u8>,
    pub inode: KRc<Inode>,
}

pub struct Dir {
    /// Sorted by name, no duplicates; never "." or "..".
    entries: Vec<Entry>,
    /// The directory holding this one (`None` for the root); after
    /// removal, the one that held it.
    pub parent: Option<KRc<Inode>>,
    /// This directory's name in `parent`.
    pub name: Vec<u8>,
    /// Removed (rmdir, or replaced by rename): nothing may be created in it
    /// and getcwd in it is ENOENT.
    pub removed: bool,
    /// The image entry whose children are not listed yet.
    lazy: Option<u32>,
}

impl Dir {
    pub fn new(parent: Option<KRc<Inode>>, name: Vec<u8>) -> Dir {
        Dir {
            entries: Vec::new(),
            parent,
            name,
            removed: false,
            lazy: None,
        }
    }

    pub fn imported(parent: Option<KRc<Inode>>, name: Vec<u8>, index: u32) -> Dir {
        Dir {
            lazy: Some(index),
            ..Dir::new(parent, name)
        }
    }

    fn find(&self, name: &[u8]) -> Result<usize, usize> {
        self.entries
            .binary_search_by(|e| e.name.as_slice().cmp(name))
    }
}

fn dir_mut(inode: &mut Inode) -> &mut Dir {
    match &mut inode.kind {
        Kind::Dir(d) => d,
        _ => unreachable!("a tmpfs directory operation on a non-directory"),
    }
}

/// Lists an imported directory's children, once.
fn ensure_listed(dir: &KRc<Inode>) -> KResult<()> {
    let Some(index) = (match &dir.borrow().kind {
        Kind::Dir(d) => d.lazy,
        _ => None,
    }) else {
        return Ok(());
    };
    let (sb, readonly) = {
        let d = dir.borrow();
        (d.sb, d.readonly)
    };
    let entries = super::initfs::list(index, dir, sb, readonly)?;
    let mut d = dir.borrow_mut();
    let d = dir_mut(&mut d);
    d.entries = entries;
    d.lazy = None;
    Ok(())
}

/// The inode named `name` in `dir`.
pub fn lookup(dir: &KRc<Inode>, name: &[u8]) -> KResult<Option<KRc<Inode>>> {
    ensure_listed(dir)?;
    let d = dir.borrow();
    let d = d.kind.as_dir().ok_or(ENOTDIR)?;
    Ok(d.find(name).ok().map(|i| d.entries[i].inode.clone()))
}

/// Adds `inode` as `name` (which must not exist) and updates the
/// directory's times and, for a subdirectory, its link count.
pub fn insert(dir: &KRc<Inode>, name: &[u8], inode: KRc<Inode>) -> KResult<()> {
    ensure_listed(dir)?;
    let name = super::inode::try_copy(name)?;
    let is_dir = inode.borrow().is_dir();
    let mut di = dir.borrow_mut();
    let d = dir_mut(&mut di);
    if d.removed {
        return Err(ENOENT);
    }
    let at = d.find(&name).err().ok_or(EEXIST)?;
    d.entries.try_reserve(1).map_err(|_| ENOMEM)?;
    d.entries.insert(at, Entry { name, inode });
    if is_dir {
        di.nlink += 1;
    }
    di.touch_mtime();
    Ok(())
}

/// Takes `name` out of `dir`, returning its inode. A subdirectory keeps
/// its parent link (no cycle: the parent no longer holds it), so `..` from
/// inside a removed directory still leads where Linux's d_parent does.
pub fn remove(dir: &KRc<Inode>, name: &[u8]) -> KResult<KRc<Inode>> {
    ensure_listed(dir)?;
    let mut di = dir.borrow_mut();
    let d = dir_mut(&mut di);
    let at = d.find(name).map_err(|_| ENOENT)?;
    let e = d.entries.remove(at);
    let is_dir = e.inode.borrow().is_dir();
    if is_dir {
        di.nlink -= 1;
    }
    di.touch_mtime();
    Ok(e.inode)
}

pub fn is_empty(dir: &KRc<Inode>) -> KResult<bool> {
    ensure_listed(dir)?;
    Ok(match &dir.borrow().kind {
        Kind::Dir(d) => d.entries.is_empty(),
        _ => true,
    })
}

/// One entry for getdents: name, inode number, d_type.
pub type Listed = (Vec<u8>, u64, u8);

/// The entry at `index` (in name order), if any.
pub fn entry_at(dir: &KRc<Inode>, index: usize) -> KResult<Option<Listed>> {
    ensure_listed(dir)?;
    let d = dir.borrow();
    let Some(d) = d.kind.as_dir() else {
        return Ok(None);
    };
    let Some(e) = d.entries.get(index) else {
        return Ok(None);
    };
    let (ino, t) = {
        let i = e.inode.borrow();
        (i.ino, i.dirent_type())
    };
    Ok(Some((super::inode::try_copy(&e.name)?, ino, t)))
}

/// The index of the first entry named after `name`: where a listing that
/// last returned `name` goes on, whatever was added or removed since.
pub fn index_after(dir: &KRc<Inode>, name: &[u8]) -> KResult<usize> {
    ensure_listed(dir)?;
    let d = dir.borrow();
    Ok(match d.kind.as_dir() {
        Some(d) => match d.find(name) {
            Ok(i) => i + 1,
            Err(i) => i,
        },
        None => 0,
    })
}

/// The directory `..` names: the parent, or `dir` itself for a root.
pub fn parent_of(dir: &KRc<Inode>) -> KResult<KRc<Inode>> {
    let d = dir.borrow();
    match &d.kind {
        Kind::Dir(x) => Ok(x.parent.clone().unwrap_or_else(|| dir.clone())),
        Kind::Proc(n) => Ok(n.parent().unwrap_or_else(|| dir.clone())),
        _ => Err(ENOTDIR),
    }
}

/// A new empty subdirectory inode of `parent` named `name`.
pub fn new_subdir(parent: &KRc<Inode>, name: &[u8], perm: u32) -> KResult<KRc<Inode>> {
    let sb = parent.borrow().sb;
    Inode::new(
        sb,
        perm,
        Kind::Dir(Dir::new(
            Some(parent.clone()),
            super::inode::try_copy(name)?,
        )),
    )
}

/// Sets a moved directory's parent and name.
pub fn reparent(child: &KRc<Inode>, parent: &KRc<Inode>, name: &[u8]) -> KResult<()> {
    let name = super::inode::try_copy(name)?;
    let mut c = child.borrow_mut();
    if let Kind::Dir(d) = &mut c.kind {
        d.parent = Some(parent.clone());
        d.name = name;
    }
    c.ctime = Time::now();
    Ok(())
}

/// Marks a directory removed (its entry is gone).
pub fn mark_removed(child: &KRc<Inode>) {
    let mut c = child.borrow_mut();
    c.nlink = 0;
    if let Kind::Dir(d) = &mut c.kind {
        d.removed = true;
    }
}
