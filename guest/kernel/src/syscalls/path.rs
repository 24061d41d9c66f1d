//! The calls that name files by path: open and create, make and remove
//! directories, link, unlink, rename, symlinks, stat, access, chdir and
//! getcwd, truncate, chmod, utimensat, statfs. Paths are looked up by
//! `crate::fs::namei`; the checks come in Linux's order where a program
//! could tell (which errno wins when several apply).

use alloc::vec::Vec;

use abi::linux::fs::*;
use abi::linux::uapi::{Stat, Statfs, Statx, StatxTimestamp, Timespec};
use zerocopy::FromZeros;

use crate::errno::*;
use crate::fs::dir;
use crate::fs::inode::{try_copy, Inode, Kind, Sb, Time};
use crate::fs::namei::{self, lookup_at, lookup_parent, user_path, Parent};
use crate::fs::regular::Regular;
use crate::fs::{install, File, FileKind, Open};
use crate::krc::KRc;
use crate::mm::uaccess::{copy_to_user, read_user, write_user};
use crate::task::{with_current, with_mm, Fd};

/// The open flags Linux accepts (others are ignored, as Linux ignores
/// unknown bits in open but not in openat2).
const KNOWN_OPEN_FLAGS: u64 = O_ACCMODE
    | O_CREAT
    | O_EXCL
    | O_NOCTTY
    | O_TRUNC
    | O_APPEND
    | O_NONBLOCK
    | O_DSYNC
    | O_DIRECT
    | O_LARGEFILE
    | O_DIRECTORY
    | O_NOFOLLOW
    | O_NOATIME
    | O_CLOEXEC
    | O_SYNC
    | O_PATH
    | O_TMPFILE;

fn umask() -> u32 {
    with_current(|t| t.fs.borrow().umask.get())
}

/// The absolute path of `name` in `dir` (what /proc/PID/fd shows).
fn path_in(dir: &KRc<Inode>, name: &[u8]) -> KResult<Vec<u8>> {
    let mut p = namei::path_of_dir(dir, &namei::root()).unwrap_or_default();
    if p != b"/" {
        p.push(b'/');
    }
    p.try_reserve(name.len()).map_err(|_| ENOMEM)?;
    p.extend_from_slice(name);
    Ok(p)
}

/// The file system a new file in `dir` belongs to, and whether `dir`
/// may take one (EROFS for imported read-only directories, /proc, /sys).
fn creatable(dir: &KRc<Inode>) -> KResult<Sb> {
    let d = dir.borrow();
    d.may_change()?;
    if let Kind::Dir(x) = &d.kind {
        if x.removed {
            return Err(ENOENT);
        }
    }
    Ok(d.sb)
}

pub fn open(path: u64, flags: u64, mode: u64) -> KResult<u64> {
    openat(AT_FDCWD as i64 as u64, path, flags, mode)
}

pub fn creat(path: u64, mode: u64) -> KResult<u64> {
    openat(
        AT_FDCWD as i64 as u64,
        path,
        O_CREAT | O_WRONLY | O_TRUNC,
        mode,
    )
}

pub fn openat(dirfd: u64, upath: u64, flags: u64, mode: u64) -> KResult<u64> {
    let flags = flags & KNOWN_OPEN_FLAGS;
    let path = user_path(upath)?;
    // O_ACCMODE itself (3) is allowed: a descriptor for ioctls that can
    // neither read nor write.
    let accmode = flags & O_ACCMODE;
    if flags & O_TMPFILE == O_TMPFILE {
        return open_tmpfile(dirfd, &path, flags, mode);
    }
    let (inode, full) = if flags & O_CREAT != 0 && flags & O_PATH == 0 {
        open_create(dirfd, &path, flags, mode)?
    } else {
        let inode = lookup_at(dirfd, &path, flags & O_NOFOLLOW == 0)?;
        let full = open_path(dirfd, &path, &inode);
        (inode, full)
    };
    let access = if flags & O_PATH != 0 {
        None
    } else {
        Some(accmode)
    };
    {
        let i = inode.borrow();
        if flags & O_PATH == 0 {
            if flags & O_DIRECTORY != 0 && !i.is_dir() {
                return Err(ENOTDIR);
            }
            if i.is_symlink() {
                return Err(ELOOP);
            }
            let writes = accmode != O_RDONLY || flags & O_TRUNC != 0;
            if i.is_dir() && (accmode != O_RDONLY || flags & O_CREAT != 0) {
                return Err(EISDIR);
            }
            if writes && !matches!(i.kind, Kind::Device(_)) {
                i.may_change()?;
            }
        } else if flags & O_DIRECTORY != 0 && !i.is_dir() {
            return Err(ENOTDIR);
        }
    }
    if flags & O_TRUNC != 0 && flags & O_PATH == 0 {
        let mut i = inode.borrow_mut();
        if let Kind::Regular(r) = &mut i.kind {
            if r.size() != 0 {
                r.truncate(0)?;
                i.touch_mtime();
            }
        }
    }
    let status = flags & (O_APPEND | O_NONBLOCK | O_DIRECT | O_NOATIME | O_DSYNC | O_SYNC);
    let file = File::new(FileKind::Inode(Open::new(inode, access, full)?), status)?;
    install(
        Fd {
            file,
            cloexec: flags & O_CLOEXEC != 0,
        },
        0,
    )
}

/// O_TMPFILE: an unnamed regular file in the directory `path` names,
/// open for writing (linkat with AT_EMPTY_PATH can give it a name).
fn open_tmpfile(dirfd: u64, path: &[u8], flags: u64, mode: u64) -> KResult<u64> {
    let accmode = flags & O_ACCMODE;
    if accmode != O_WRONLY && accmode != O_RDWR {
        return Err(EINVAL);
    }
    let dir = lookup_at(dirfd, path, true)?;
    if !dir.borrow().is_dir() {
        return Err(ENOTDIR);
    }
    let sb = creatable(&dir)?;
    let perm = mode as u32 & S_IALLUGO & !umask();
    let inode = Inode::new(sb, perm, Kind::Regular(Regular::new()))?;
    let name = alloc::format!("#{} (deleted)", inode.borrow().ino);
    inode.borrow_mut().nlink = 0;
    let full = path_in(&dir, name.as_bytes())?;
    let status = flags & (O_APPEND | O_NONBLOCK | O_DIRECT | O_NOATIME | O_DSYNC | O_SYNC);
    let file = File::new(
        FileKind::Inode(Open::new(inode, Some(accmode), full)?),
        status,
    )?;
    install(
        Fd {
            file,
            cloexec: flags & O_CLOEXEC != 0,
        },
        0,
    )
}

/// The path an opened file is shown by in /proc/PID/fd.
fn open_path(dirfd: u64, path: &[u8], inode: &KRc<Inode>) -> Vec<u8> {
    if inode.borrow().is_dir() {
        return Vec::new();
    }
    match lookup_parent(dirfd, path) {
        Ok(p) => path_in(&p.dir, &p.name).unwrap_or_default(),
        Err(_) => Vec::new(),
    }
}

/// open with O_CREAT: the existing file (EEXIST with O_EXCL), or a new
/// empty regular file with `mode` less the umask.
fn open_create(dirfd: u64, path: &[u8], flags: u64, mode: u64) -> KResult<(KRc<Inode>, Vec<u8>)> {
    open_create_in(lookup_parent(dirfd, path)?, flags, mode, 0)
}

/// `open_create` in a looked-up parent; `depth` counts the dangling
/// symlinks followed to get here.
fn open_create_in(p: Parent, flags: u64, mode: u64, depth: u32) -> KResult<(KRc<Inode>, Vec<u8>)> {
    if p.name.is_empty() || p.is_dot() {
        return Err(EISDIR);
    }
    if let Some(existing) = namei::child(&p.dir, &p.name)? {
        if flags & O_EXCL != 0 {
            return Err(EEXIST);
        }
        let is_link = existing.borrow().is_symlink();
        let inode = if is_link {
            if flags & O_NOFOLLOW != 0 {
                return Err(ELOOP);
            }
            match namei::lookup(&p.dir, &p.name, true) {
                Ok(i) => i,
                // A dangling link: the file is created where it points.
                Err(ENOENT) if depth < abi::linux::fs::MAXSYMLINKS => {
                    let target = namei::link_target(&existing)?;
                    let start = if target.first() == Some(&b'/') {
                        namei::root()
                    } else {
                        p.dir.clone()
                    };
                    let q = namei::lookup_parent_from(&start, &target)?;
                    return open_create_in(q, flags & !O_EXCL, mode, depth + 1);
                }
                Err(e) => return Err(e),
            }
        } else {
            existing
        };
        if p.trailing && !inode.borrow().is_dir() {
            return Err(ENOTDIR);
        }
        let full = path_in(&p.dir, &p.name)?;
        return Ok((inode, full));
    }
    if p.trailing {
        return Err(EISDIR);
    }
    let sb = creatable(&p.dir)?;
    let perm = mode as u32 & S_IALLUGO & !umask();
    let inode = Inode::new(sb, perm, Kind::Regular(Regular::new()))?;
    dir::insert(&p.dir, &p.name, inode.clone())?;
    let full = path_in(&p.dir, &p.name)?;
    Ok((inode, full))
}

pub fn mkdir(path: u64, mode: u64) -> KResult<u64> {
    mkdirat(AT_FDCWD as i64 as u64, path, mode)
}

pub fn mkdirat(dirfd: u64, upath: u64, mode: u64) -> KResult<u64> {
    let path = user_path(upath)?;
    let p = lookup_parent(dirfd, &path)?;
    if p.name.is_empty() || p.is_dot() || namei::child(&p.dir, &p.name)?.is_some() {
        return Err(EEXIST);
    }
    creatable(&p.dir)?;
    let perm = mode as u32 & (0o777 | 0o1000) & !umask();
    let d = dir::new_subdir(&p.dir, &p.name, perm)?;
    dir::insert(&p.dir, &p.name, d)?;
    Ok(0)
}

/// The existing entry a removal names: ENOENT if it is missing.
fn existing(p: &Parent) -> KResult<KRc<Inode>> {
    namei::child(&p.dir, &p.name)?.ok_or(ENOENT)
}

/// Whether `inode` is the root of a file system mounted in `dir` (/dev,
/// /proc, ...): EBUSY to remove or rename.
fn is_mount(dir: &KRc<Inode>, inode: &KRc<Inode>) -> bool {
    let a = dir.borrow().sb;
    let b = inode.borrow().sb;
    a != b || matches!(inode.borrow().kind, Kind::Proc(_))
}

pub fn rmdir(upath: u64) -> KResult<u64> {
    let path = user_path(upath)?;
    do_rmdir(AT_FDCWD as i64 as u64, &path)
}

fn do_rmdir(dirfd: u64, path: &[u8]) -> KResult<u64> {
    let p = lookup_parent(dirfd, path)?;
    match p.name.as_slice() {
        b"" => return Err(EBUSY),
        b"." => return Err(EINVAL),
        b".." => return Err(ENOTEMPTY),
        _ => {}
    }
    let inode = existing(&p)?;
    if !inode.borrow().is_dir() {
        return Err(ENOTDIR);
    }
    if is_mount(&p.dir, &inode) || inode.as_ptr() == namei::root().as_ptr() {
        return Err(EBUSY);
    }
    p.dir.borrow().may_change()?;
    if !dir::is_empty(&inode)? {
        return Err(ENOTEMPTY);
    }
    dir::remove(&p.dir, &p.name)?;
    dir::mark_removed(&inode);
    Ok(0)
}

pub fn unlink(upath: u64) -> KResult<u64> {
    let path = user_path(upath)?;
    do_unlink(AT_FDCWD as i64 as u64, &path)
}

pub fn unlinkat(dirfd: u64, upath: u64, flags: u64) -> KResult<u64> {
    if flags & !AT_REMOVEDIR != 0 {
        return Err(EINVAL);
    }
    let path = user_path(upath)?;
    if flags & AT_REMOVEDIR != 0 {
        do_rmdir(dirfd, &path)
    } else {
        do_unlink(dirfd, &path)
    }
}

fn do_unlink(dirfd: u64, path: &[u8]) -> KResult<u64> {
    let p = lookup_parent(dirfd, path)?;
    if p.name.is_empty() || p.is_dot() {
        return Err(EISDIR);
    }
    let inode = existing(&p)?;
    if inode.borrow().is_dir() {
        return Err(EISDIR);
    }
    if p.trailing {
        return Err(ENOTDIR);
    }
    p.dir.borrow().may_change()?;
    dir::remove(&p.dir, &p.name)?;
    let mut i = inode.borrow_mut();
    i.nlink = i.nlink.saturating_sub(1);
    i.ctime = Time::now();
    Ok(0)
}

pub fn link(old: u64, new: u64) -> KResult<u64> {
    let cwd = AT_FDCWD as i64 as u64;
    linkat(cwd, old, cwd, new, 0)
}

pub fn linkat(olddir: u64, old: u64, newdir: u64, new: u64, flags: u64) -> KResult<u64> {
    if flags & !(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH) != 0 {
        return Err(EINVAL);
    }
    let oldpath = user_path(old)?;
    let newpath = user_path(new)?;
    let inode = if oldpath.is_empty() && flags & AT_EMPTY_PATH != 0 {
        namei::fd_inode(olddir).map_err(|e| if e == ENOTDIR { ENOENT } else { e })?
    } else {
        lookup_at(olddir, &oldpath, flags & AT_SYMLINK_FOLLOW != 0)?
    };
    let p = lookup_parent(newdir, &newpath)?;
    if p.name.is_empty() || p.is_dot() {
        return Err(EEXIST);
    }
    if namei::child(&p.dir, &p.name)?.is_some() {
        return Err(EEXIST);
    }
    if p.dir.borrow().sb != inode.borrow().sb {
        return Err(EXDEV);
    }
    creatable(&p.dir)?;
    if inode.borrow().is_dir() {
        return Err(EPERM);
    }
    if p.trailing {
        return Err(ENOENT);
    }
    inode.borrow().may_change()?;
    dir::insert(&p.dir, &p.name, inode.clone())?;
    let mut i = inode.borrow_mut();
    i.nlink += 1;
    i.ctime = Time::now();
    Ok(0)
}

pub fn symlink(target: u64, linkpath: u64) -> KResult<u64> {
    symlinkat(target, AT_FDCWD as i64 as u64, linkpath)
}

pub fn symlinkat(utarget: u64, dirfd: u64, ulink: u64) -> KResult<u64> {
    let target = user_path(utarget)?;
    let path = user_path(ulink)?;
    if target.is_empty() {
        return Err(ENOENT);
    }
    let p = lookup_parent(dirfd, &path)?;
    if p.name.is_empty() || p.is_dot() || namei::child(&p.dir, &p.name)?.is_some() {
        return Err(EEXIST);
    }
    if p.trailing {
        return Err(ENOENT);
    }
    let sb = creatable(&p.dir)?;
    let l = Inode::new(sb, 0o777, Kind::Symlink(target))?;
    dir::insert(&p.dir, &p.name, l)?;
    Ok(0)
}

pub fn readlink(path: u64, buf: u64, size: u64) -> KResult<u64> {
    readlinkat(AT_FDCWD as i64 as u64, path, buf, size)
}

pub fn readlinkat(dirfd: u64, upath: u64, buf: u64, size: u64) -> KResult<u64> {
    if size as i64 <= 0 {
        return Err(EINVAL);
    }
    let path = user_path(upath)?;
    let inode = if path.is_empty() {
        namei::fd_inode(dirfd).map_err(|e| if e == ENOTDIR { ENOENT } else { e })?
    } else {
        lookup_at(dirfd, &path, false)?
    };
    if !inode.borrow().is_symlink() {
        return Err(EINVAL);
    }
    let target = namei::link_target(&inode)?;
    let n = target.len().min(size as usize);
    with_mm(|mm| copy_to_user(mm, buf, &target[..n]))?;
    Ok(n as u64)
}

pub fn rename(old: u64, new: u64) -> KResult<u64> {
    let cwd = AT_FDCWD as i64 as u64;
    renameat2(cwd, old, cwd, new, 0)
}

/// Whether `dir` is `of` or lies below it.
fn is_within(dir: &KRc<Inode>, of: &KRc<Inode>) -> bool {
    let mut cur = dir.clone();
    loop {
        if cur.as_ptr() == of.as_ptr() {
            return true;
        }
        let parent = match &cur.borrow().kind {
            Kind::Dir(d) => d.parent.clone(),
            _ => None,
        };
        match parent {
            Some(p) => cur = p,
            None => return false,
        }
    }
}

pub fn renameat2(olddir: u64, old: u64, newdir: u64, new: u64, flags: u64) -> KResult<u64> {
    if flags & !(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT) != 0
        || (flags & RENAME_EXCHANGE != 0 && flags & (RENAME_NOREPLACE | RENAME_WHITEOUT) != 0)
    {
        return Err(EINVAL);
    }
    if flags & RENAME_WHITEOUT != 0 {
        return Err(EINVAL);
    }
    let oldpath = user_path(old)?;
    let newpath = user_path(new)?;
    let op = lookup_parent(olddir, &oldpath)?;
    let np = lookup_parent(newdir, &newpath)?;
    if op.name.is_empty() || op.is_dot() {
        return Err(EBUSY);
    }
    if np.name.is_empty() || np.is_dot() {
        return Err(if flags & RENAME_NOREPLACE != 0 {
            EEXIST
        } else {
            EBUSY
        });
    }
    if op.dir.borrow().sb != np.dir.borrow().sb {
        return Err(EXDEV);
    }
    let src = existing(&op)?;
    let dst = namei::child(&np.dir, &np.name)?;
    let exchange = flags & RENAME_EXCHANGE != 0;
    if exchange && dst.is_none() {
        return Err(ENOENT);
    }
    if flags & RENAME_NOREPLACE != 0 && dst.is_some() {
        return Err(EEXIST);
    }
    let src_dir = src.borrow().is_dir();
    let dst_dir = dst.as_ref().is_some_and(|d| d.borrow().is_dir());
    if !src_dir && (op.trailing || (np.trailing && !exchange)) {
        return Err(ENOTDIR);
    }
    if exchange && !dst_dir && np.trailing {
        return Err(ENOTDIR);
    }
    op.dir.borrow().may_change()?;
    np.dir.borrow().may_change()?;
    if is_mount(&op.dir, &src) || dst.as_ref().is_some_and(|d| is_mount(&np.dir, d)) {
        return Err(EBUSY);
    }
    // A directory may not move into itself.
    if src_dir && is_within(&np.dir, &src) {
        return Err(EINVAL);
    }
    if let Some(d) = &dst {
        if exchange && dst_dir && is_within(&op.dir, d) {
            return Err(EINVAL);
        }
        if d.as_ptr() == src.as_ptr() {
            return Ok(0);
        }
        if !exchange {
            if src_dir && !dst_dir {
                return Err(ENOTDIR);
            }
            if !src_dir && dst_dir {
                return Err(EISDIR);
            }
            if dst_dir && !dir::is_empty(d)? {
                return Err(ENOTEMPTY);
            }
        }
    }
    if exchange {
        let d = dst.ok_or(ENOENT)?;
        dir::remove(&op.dir, &op.name)?;
        dir::remove(&np.dir, &np.name)?;
        dir::insert(&op.dir, &op.name, d.clone())?;
        dir::insert(&np.dir, &np.name, src.clone())?;
        if d.borrow().is_dir() {
            dir::reparent(&d, &op.dir, &op.name)?;
        }
        if src_dir {
            dir::reparent(&src, &np.dir, &np.name)?;
        }
        return Ok(0);
    }
    dir::remove(&op.dir, &op.name)?;
    if let Some(d) = dst {
        dir::remove(&np.dir, &np.name)?;
        if dst_dir {
            dir::mark_removed(&d);
        } else {
            let mut i = d.borrow_mut();
            i.nlink = i.nlink.saturating_sub(1);
        }
    }
    dir::insert(&np.dir, &np.name, src.clone())?;
    if src_dir {
        dir::reparent(&src, &np.dir, &np.name)?;
    } else {
        src.borrow_mut().ctime = Time::now();
    }
    Ok(0)
}

/// The inode a stat-like call names: `path` from `dirfd`, or the file
/// `dirfd` refers to when the path is empty and AT_EMPTY_PATH is given.
fn stat_target(dirfd: u64, upath: u64, flags: u64) -> KResult<Option<KRc<Inode>>> {
    let path = user_path(upath)?;
    if path.is_empty() {
        if flags & AT_EMPTY_PATH == 0 {
            return Err(ENOENT);
        }
        if dirfd as i32 == AT_FDCWD {
            return Ok(Some(namei::cwd()));
        }
        return match namei::fd_inode(dirfd) {
            Ok(i) => Ok(Some(i)),
            // A pipe or another file without a name: the fd's own stat.
            Err(ENOTDIR) => Ok(None),
            Err(e) => Err(e),
        };
    }
    lookup_at(dirfd, &path, flags & AT_SYMLINK_NOFOLLOW == 0).map(Some)
}

pub fn stat(path: u64, buf: u64) -> KResult<u64> {
    newfstatat(AT_FDCWD as i64 as u64, path, buf, 0)
}

pub fn lstat(path: u64, buf: u64) -> KResult<u64> {
    newfstatat(AT_FDCWD as i64 as u64, path, buf, AT_SYMLINK_NOFOLLOW)
}

pub fn newfstatat(dirfd: u64, path: u64, buf: u64, flags: u64) -> KResult<u64> {
    if flags & !(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT) != 0 {
        return Err(EINVAL);
    }
    match stat_target(dirfd, path, flags)? {
        Some(inode) => {
            let st: Stat = inode.borrow().stat();
            with_mm(|mm| write_user(mm, buf, &st))?;
            Ok(0)
        }
        None => super::fs::fstat(dirfd, buf),
    }
}

fn statx_time(t: Time) -> StatxTimestamp {
    StatxTimestamp {
        tv_sec: t.sec,
        tv_nsec: t.nsec,
        reserved: 0,
    }
}

pub fn statx(dirfd: u64, path: u64, flags: u64, mask: u64, buf: u64) -> KResult<u64> {
    let known = AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT | AT_STATX_SYNC_TYPE;
    if flags & !known != 0 || flags & AT_STATX_SYNC_TYPE == AT_STATX_SYNC_TYPE {
        return Err(EINVAL);
    }
    if mask & u64::from(STATX__RESERVED) != 0 {
        return Err(EINVAL);
    }
    let st: Stat = match stat_target(dirfd, path, flags)? {
        Some(inode) => inode.borrow().stat(),
        None => {
            let mut st = Stat::new_zeroed();
            let scratch = super::fs::fstat_record(dirfd, &mut st);
            scratch?;
            st
        }
    };
    let ts = |sec: u64, nsec: u64| {
        statx_time(Time {
            sec: sec as i64,
            nsec: nsec as u32,
        })
    };
    let sx = Statx {
        stx_mask: STATX_BASIC_STATS,
        stx_blksize: st.st_blksize as u32,
        stx_nlink: st.st_nlink as u32,
        stx_uid: st.st_uid,
        stx_gid: st.st_gid,
        stx_mode: st.st_mode as u16,
        stx_ino: st.st_ino,
        stx_size: st.st_size as u64,
        stx_blocks: st.st_blocks as u64,
        stx_atime: ts(st.st_atime, st.st_atime_nsec),
        stx_ctime: ts(st.st_ctime, st.st_ctime_nsec),
        stx_mtime: ts(st.st_mtime, st.st_mtime_nsec),
        stx_rdev_major: (st.st_rdev >> 8) as u32,
        stx_rdev_minor: (st.st_rdev & 0xff) as u32,
        stx_dev_major: 0,
        stx_dev_minor: st.st_dev as u32,
        ..Default::default()
    };
    with_mm(|mm| write_user(mm, buf, &sx))?;
    Ok(0)
}

pub fn access(path: u64, mode: u64) -> KResult<u64> {
    faccessat2(AT_FDCWD as i64 as u64, path, mode, 0)
}

pub fn faccessat2(dirfd: u64, upath: u64, mode: u64, flags: u64) -> KResult<u64> {
    if mode & !(R_OK | W_OK | X_OK) != 0 {
        return Err(EINVAL);
    }
    if flags & !(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH) != 0 {
        return Err(EINVAL);
    }
    let inode = stat_target(dirfd, upath, flags)?.ok_or(EBADF)?;
    let i = inode.borrow();
    if mode & W_OK != 0 && !matches!(i.kind, Kind::Device(_)) {
        i.may_change()?;
    }
    if mode & X_OK != 0 {
        i.may_exec()?;
    }
    Ok(0)
}

pub fn chdir(upath: u64) -> KResult<u64> {
    let path = user_path(upath)?;
    let inode = lookup_at(AT_FDCWD as i64 as u64, &path, true)?;
    set_cwd(inode)
}

pub fn fchdir(fd: u64) -> KResult<u64> {
    let inode = namei::fd_inode(fd)?;
    set_cwd(inode)
}

fn set_cwd(inode: KRc<Inode>) -> KResult<u64> {
    if !inode.borrow().is_dir() {
        return Err(ENOTDIR);
    }
    with_current(|t| *t.fs.borrow().cwd.borrow_mut() = inode);
    Ok(0)
}

pub fn getcwd(buf: u64, size: u64) -> KResult<u64> {
    let path = namei::path_of_dir(&namei::cwd(), &namei::root())?;
    if (size as usize) < path.len() + 1 {
        return Err(ERANGE);
    }
    let mut out = try_copy(&path)?;
    out.try_reserve(1).map_err(|_| ENOMEM)?;
    out.push(0);
    with_mm(|mm| copy_to_user(mm, buf, &out))?;
    Ok(out.len() as u64)
}

/// truncate(2) and ftruncate(2)'s common part.
pub fn truncate_inode(inode: &KRc<Inode>, len: u64) -> KResult<u64> {
    if (len as i64) < 0 {
        return Err(EINVAL);
    }
    let shrunk = {
        let mut i = inode.borrow_mut();
        if i.is_dir() {
            return Err(EISDIR);
        }
        i.may_change()?;
        let old = i.size();
        match &mut i.kind {
            Kind::Regular(r) => r.truncate(len)?,
            _ => return Err(EINVAL),
        }
        i.touch_mtime();
        len < old
    };
    if shrunk {
        // Pages past the new end leave every mapping: touching them again
        // is SIGBUS, as on Linux.
        crate::mm::vma::unmap_file_pages(inode, len.div_ceil(crate::mm::PAGE));
    }
    Ok(0)
}

pub fn truncate(upath: u64, len: u64) -> KResult<u64> {
    let path = user_path(upath)?;
    let inode = lookup_at(AT_FDCWD as i64 as u64, &path, true)?;
    truncate_inode(&inode, len)
}

pub fn chmod_inode(inode: &KRc<Inode>, mode: u64) -> KResult<u64> {
    let mut i = inode.borrow_mut();
    i.may_change()?;
    i.mode = (i.mode & S_IFMT) | (mode as u32 & S_IALLUGO);
    i.ctime = Time::now();
    Ok(0)
}

pub fn chmod(upath: u64, mode: u64) -> KResult<u64> {
    fchmodat(AT_FDCWD as i64 as u64, upath, mode)
}

pub fn fchmodat(dirfd: u64, upath: u64, mode: u64) -> KResult<u64> {
    let path = user_path(upath)?;
    let inode = lookup_at(dirfd, &path, true)?;
    chmod_inode(&inode, mode)
}

/// chown and friends: everything is root's, and root may give files to
/// anyone, but there is only one owner here; accepted for 0 and -1.
pub fn chown_path(dirfd: u64, upath: u64, uid: u64, gid: u64, flags: u64) -> KResult<u64> {
    if flags & !(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH) != 0 {
        return Err(EINVAL);
    }
    let inode = stat_target(dirfd, upath, flags)?.ok_or(EBADF)?;
    chown_inode(&inode, uid, gid)
}

pub fn chown_inode(inode: &KRc<Inode>, uid: u64, gid: u64) -> KResult<u64> {
    let ok = |id: u64| id as u32 == 0 || id as u32 == u32::MAX;
    inode.borrow().may_change()?;
    if !ok(uid) || !ok(gid) {
        return Err(EINVAL);
    }
    inode.borrow_mut().ctime = Time::now();
    Ok(0)
}

/// utimensat: `times` NULL sets both to now; UTIME_NOW and UTIME_OMIT in
/// a nanosecond field mean now and leave as it is. A NULL path (Linux's
/// extension, futimens) means the file `dirfd` refers to.
pub fn utimensat(dirfd: u64, upath: u64, times: u64, flags: u64) -> KResult<u64> {
    if flags & !(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH) != 0 {
        return Err(EINVAL);
    }
    let ts: Option<[Timespec; 2]> = if times == 0 {
        None
    } else {
        Some(with_mm(|mm| read_user(mm, times))?)
    };
    if let Some(ts) = &ts {
        for t in ts {
            if t.tv_nsec != UTIME_NOW
                && t.tv_nsec != UTIME_OMIT
                && !(0..1_000_000_000).contains(&t.tv_nsec)
            {
                return Err(EINVAL);
            }
        }
    }
    let inode = if upath == 0 {
        namei::fd_inode(dirfd).map_err(|e| if e == ENOTDIR { EBADF } else { e })?
    } else {
        stat_target(dirfd, upath, flags)?.ok_or(EBADF)?
    };
    let mut i = inode.borrow_mut();
    if matches!(i.sb, Sb::Proc | Sb::Sys) || i.readonly {
        return Err(EROFS);
    }
    let now = Time::now();
    let pick = |t: &Timespec, old: Time| match t.tv_nsec {
        UTIME_NOW => now,
        UTIME_OMIT => old,
        ns => Time {
            sec: t.tv_sec,
            nsec: ns as u32,
        },
    };
    match ts {
        None => {
            i.atime = now;
            i.mtime = now;
        }
        Some([a, m]) => {
            if a.tv_nsec == UTIME_OMIT && m.tv_nsec == UTIME_OMIT {
                return Ok(0);
            }
            i.atime = pick(&a, i.atime);
            i.mtime = pick(&m, i.mtime);
        }
    }
    i.ctime = now;
    Ok(0)
}

pub fn statfs_of(inode: &KRc<Inode>, buf: u64) -> KResult<u64> {
    let sb = inode.borrow().sb;
    let (free, total) = crate::mm::frame::stats();
    let magic = match sb {
        Sb::Proc => PROC_SUPER_MAGIC,
        Sb::Sys => SYSFS_MAGIC,
        _ => TMPFS_MAGIC,
    };
    let st = Statfs {
        f_type: magic,
        f_bsize: 4096,
        f_blocks: total,
        f_bfree: free,
        f_bavail: free,
        f_files: total,
        f_ffree: free,
        f_fsid: [0, 0],
        f_namelen: NAME_MAX as i64,
        f_frsize: 4096,
        // ST_VALID | ST_RELATIME, as Linux reports a tmpfs.
        f_flags: 0x1020,
        f_spare: [0; 4],
    };
    with_mm(|mm| write_user(mm, buf, &st))?;
    Ok(0)
}

pub fn statfs(upath: u64, buf: u64) -> KResult<u64> {
    let path = user_path(upath)?;
    let inode = lookup_at(AT_FDCWD as i64 as u64, &path, true)?;
    statfs_of(&inode, buf)
}
