//! brk, mmap, munmap, mprotect, madvise with Linux's argument checks, in
//! Linux's order (mm/mmap.c, mm/mprotect.c, mm/madvise.c).

use alloc::vec::Vec;

use abi::layout::USER_SPACE_END;
use abi::linux::mman::{
    MADV_COLLAPSE, MADV_DONTNEED, MADV_FREE, MADV_HWPOISON, MADV_NORMAL, MADV_SOFT_OFFLINE,
    MAP_ANONYMOUS, MAP_FIXED, MAP_FIXED_NOREPLACE, MAP_PRIVATE, MAP_SHARED, MAP_SHARED_VALIDATE,
    MAP_TYPE, MS_ASYNC, MS_INVALIDATE, MS_SYNC,
};

use crate::errno::*;
use crate::fs::devfs::Device;
use crate::fs::inode::{Inode, Kind, Sb};
use crate::fs::regular::Regular;
use crate::fs::FileKind;
use crate::krc::KRc;
use crate::mm::vma::{
    Backing, Vma, VmaKind, MMAP_BASE, MMAP_MIN_ADDR, PROT_EXEC, PROT_READ, PROT_WRITE,
};
use crate::mm::{page_up, PAGE};
use crate::task::{with_current, with_mm};

pub fn brk(addr: u64) -> KResult<u64> {
    Ok(with_mm(|mm| mm.set_brk(addr)))
}

/// A mapped file and the path it was opened by.
type MappedFile = (KRc<Inode>, KRc<Vec<u8>>);

/// The file a mapping of `fd` maps, checked as Linux's do_mmap does:
/// EBADF for a descriptor that is not open (or O_PATH), ENODEV for a file
/// that cannot be mapped, EACCES when the access mode does not allow the
/// mapping (reading always; writing for a shared writable one).
/// `/dev/zero` maps as anonymous memory (`None`). With the file, the path
/// it was opened by, for /proc/PID/maps.
fn mapped_file(fd: u64, shared: bool, prot: u64) -> KResult<Option<MappedFile>> {
    let fd = with_current(|t| t.files.borrow().get(fd)).ok_or(EBADF)?;
    let f = fd.file.borrow();
    let FileKind::Inode(o) = &f.kind else {
        return Err(ENODEV);
    };
    if o.access.is_none() {
        return Err(EBADF);
    }
    let i = o.inode.borrow();
    match &i.kind {
        Kind::Regular(_) => {}
        Kind::Device(Device::Zero) => return Ok(None),
        _ => return Err(ENODEV),
    }
    if !o.readable() {
        return Err(EACCES);
    }
    if shared && prot & u64::from(PROT_WRITE) != 0 && (!o.writable() || i.readonly) {
        return Err(EACCES);
    }
    let path = KRc::try_new(crate::fs::inode::try_copy(&o.path)?)?;
    Ok(Some((o.inode.clone(), path)))
}

pub fn mmap(addr: u64, len: u64, prot: u64, flags: u64, fd: u64, off: u64) -> KResult<u64> {
    if !off.is_multiple_of(PAGE) {
        return Err(EINVAL);
    }
    if len == 0 {
        return Err(EINVAL);
    }
    let shared = matches!(flags & MAP_TYPE, MAP_SHARED | MAP_SHARED_VALIDATE);
    let file = if flags & MAP_ANONYMOUS == 0 {
        mapped_file(fd, shared, prot)?
    } else {
        None
    };
    // The file page at the start, and that the last page's offset fits.
    let pgoff = off / PAGE;
    if pgoff.checked_add(len.div_ceil(PAGE)).is_none() {
        return Err(EOVERFLOW);
    }
    let len = page_up(len).ok_or(ENOMEM)?;
    if len > USER_SPACE_END {
        return Err(ENOMEM);
    }
    if prot & !(PROT_READ | PROT_WRITE | PROT_EXEC) as u64 != 0 {
        return Err(EINVAL);
    }
    let prot = prot as u32;
    let fixed = flags & (MAP_FIXED | MAP_FIXED_NOREPLACE) != 0;
    with_mm(|mm| {
        let start = if fixed {
            if !addr.is_multiple_of(PAGE) {
                return Err(EINVAL);
            }
            if addr.checked_add(len).is_none_or(|e| e > USER_SPACE_END) {
                return Err(ENOMEM);
            }
            addr
        } else {
            let hint = (addr & !(PAGE - 1)).max(if addr != 0 { MMAP_MIN_ADDR } else { 0 });
            let hint_ok = hint != 0
                && hint.checked_add(len).is_some_and(|e| e <= USER_SPACE_END)
                && !mm.intersects(hint, hint + len);
            if hint_ok {
                hint
            } else {
                mm.find_free_top_down(len, MMAP_BASE).ok_or(ENOMEM)?
            }
        };
        if flags & MAP_FIXED_NOREPLACE != 0 && mm.intersects(start, start + len) {
            return Err(EEXIST);
        }
        match flags & MAP_TYPE {
            MAP_SHARED | MAP_PRIVATE | MAP_SHARED_VALIDATE => {}
            _ => return Err(EINVAL),
        }
        // Anonymous shared memory is an unnamed file of the mapping's
        // size, shared by whoever inherits the mapping.
        let file = match file {
            Some((f, path)) => Some((f, Some(path))),
            None if shared => Some((anonymous_file(len)?, None)),
            None => None,
        };
        if fixed {
            mm.unmap_range(start, start + len);
        }
        let kind = match (&file, shared) {
            (None, _) => VmaKind::Anon,
            (Some(_), true) => VmaKind::Shared,
            (Some(_), false) => VmaKind::File,
        };
        let vma = Vma {
            start,
            end: start + len,
            prot,
            kind,
        };
        let pgoff = if flags & MAP_ANONYMOUS != 0 { 0 } else { pgoff };
        mm.insert_backed(
            vma,
            file.map(|(inode, path)| Backing { inode, pgoff, path }),
        );
        Ok(start)
    })
}

/// The object behind anonymous shared memory: a tmpfs file of `len`
/// bytes that no directory names.
fn anonymous_file(len: u64) -> KResult<KRc<Inode>> {
    let mut r = Regular::new();
    r.truncate(len).map_err(|_| ENOMEM)?;
    Inode::new(Sb::Shm, 0o600, Kind::Regular(r))
}

/// msync: nothing to write back (files live in memory), but the
/// arguments are checked as Linux does.
pub fn msync(addr: u64, len: u64, flags: u64) -> KResult<u64> {
    if flags & !(MS_ASYNC | MS_INVALIDATE | MS_SYNC) != 0
        || (flags & MS_ASYNC != 0 && flags & MS_SYNC != 0)
        || !addr.is_multiple_of(PAGE)
    {
        return Err(EINVAL);
    }
    let len = page_up(len).ok_or(ENOMEM)?;
    let end = addr.checked_add(len).ok_or(ENOMEM)?;
    if addr == end {
        return Ok(0);
    }
    with_mm(|mm| {
        if end > USER_SPACE_END || !mm.covered(addr, end) {
            Err(ENOMEM)
        } else {
            Ok(0)
        }
    })
}

fn check_range(start: u64, len: u64) -> KResult<(u64, u64)> {
    if !start.is_multiple_of(PAGE) {
        return Err(EINVAL);
    }
    let len = page_up(len).ok_or(EINVAL)?;
    let end = start.checked_add(len).ok_or(EINVAL)?;
    if end > USER_SPACE_END {
        return Err(EINVAL);
    }
    Ok((start, end))
}

pub fn munmap(addr: u64, len: u64) -> KResult<u64> {
    let (start, end) = check_range(addr, len)?;
    if start == end {
        return Err(EINVAL);
    }
    with_mm(|mm| mm.unmap_range(start, end));
    Ok(0)
}

pub fn mprotect(addr: u64, len: u64, prot: u64) -> KResult<u64> {
    // PROT_GROWSDOWN/GROWSUP are accepted by Linux; nothing else.
    if prot & !(PROT_READ | PROT_WRITE | PROT_EXEC) as u64 != 0 {
        return Err(EINVAL);
    }
    let (start, end) = match check_range(addr, len) {
        Ok(r) => r,
        Err(_) if addr.is_multiple_of(PAGE) => return Err(ENOMEM),
        Err(e) => return Err(e),
    };
    if start == end {
        return Ok(0);
    }
    with_mm(|mm| mm.protect(start, end, prot as u32))?;
    Ok(0)
}

pub fn madvise(addr: u64, len: u64, advice: u64) -> KResult<u64> {
    // Linux 6.1's advice values (5..=7 and 26..=99 are unused).
    let known = matches!(
        advice,
        MADV_NORMAL..=MADV_DONTNEED | MADV_FREE..=MADV_COLLAPSE | MADV_HWPOISON..=MADV_SOFT_OFFLINE
    );
    if !known {
        return Err(EINVAL);
    }
    if !addr.is_multiple_of(PAGE) {
        return Err(EINVAL);
    }
    let len = page_up(len).ok_or(EINVAL)?;
    let (start, end) = (addr, addr.checked_add(len).ok_or(EINVAL)?);
    if start == end {
        return Ok(0);
    }
    with_mm(|mm| {
        // Beyond user space nothing is mapped: ENOMEM, as Linux's VMA walk.
        if end > USER_SPACE_END || !mm.covered(start, end) {
            return Err(ENOMEM);
        }
        if advice == MADV_DONTNEED || advice == MADV_FREE {
            // Private anonymous pages read back as zero on the next touch.
            mm.free_pages(start, end);
        }
        Ok(0)
    })
}
