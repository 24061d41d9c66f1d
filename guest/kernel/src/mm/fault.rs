//! User page faults: demand paging inside VMAs (fresh zero pages, or a
//! file's pages for file-backed VMAs), SIGBUS for a file page past the end
//! of its file, SIGSEGV for everything else.

use x86_64::structures::paging::PageTableFlags as F;

use super::vma::{Mm, VmaKind, PROT_EXEC, PROT_WRITE};
use super::{frame, page_down, paging, PAGE};
use crate::fs::inode::{Inode, Kind};
use crate::krc::KRc;

/// Page-fault error code bits.
const PF_PRESENT: u64 = 1 << 0;
const PF_WRITE: u64 = 1 << 1;
const PF_INSTR: u64 = 1 << 4;

/// How a page is about to be accessed.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Read,
    Write,
    Exec,
}

/// Why a user access cannot be made.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Fault {
    /// SIGSEGV (no VMA, not allowed, or no memory).
    Segv,
    /// SIGBUS: a file-backed page past the end of the file.
    Bus,
}

/// Handles a page fault taken in user mode.
pub fn handle_user_fault(addr: u64, error_code: u64) -> Result<(), Fault> {
    if error_code & PF_PRESENT != 0 {
        // A protection fault on a present page is legal only as the first
        // write to a copy-on-write page.
        if error_code & PF_WRITE == 0 {
            return Err(Fault::Segv);
        }
        return crate::task::with_mm(|mm| fault_in(mm, addr, Access::Write)).map(|_| ());
    }
    let access = if error_code & PF_INSTR != 0 {
        Access::Exec
    } else if error_code & PF_WRITE != 0 {
        Access::Write
    } else {
        Access::Read
    };
    crate::task::with_mm(|mm| fault_in(mm, addr, access)).map(|_| ())
}

/// Makes the page holding `addr` present if its VMA allows `access`;
/// returns the page's frame and flags.
pub fn populate(mm: &mut Mm, addr: u64, access: Access) -> Option<(u64, F)> {
    fault_in(mm, addr, access).ok()
}

fn fault_in(mm: &mut Mm, addr: u64, access: Access) -> Result<(u64, F), Fault> {
    let page = page_down(addr);
    if let Some((frame, flags)) = paging::translate(mm.root, page) {
        if allowed(flags, access) {
            return Ok((frame, flags));
        }
        return break_cow(mm, page, frame, access).ok_or(Fault::Segv);
    }
    let (vma, backing) = mm.find_backed(addr).ok_or(Fault::Segv)?;
    let ok = match access {
        Access::Read => vma.prot != 0,
        Access::Write => vma.prot & PROT_WRITE != 0,
        Access::Exec => vma.prot & PROT_EXEC != 0,
    };
    if !ok {
        return Err(Fault::Segv);
    }
    let mut flags = paging::user_flags(vma.prot);
    let frame = match backing {
        None => frame::alloc_user().ok_or(Fault::Segv)?,
        Some(b) => {
            let index = b.pgoff + (page - vma.start) / PAGE;
            let cached = file_page(&b.inode, index)?;
            if vma.kind == VmaKind::Shared {
                frame::get(cached);
                cached
            } else if access == Access::Write {
                // A private mapping's first touch is a write: a copy now.
                let copy = frame::alloc_user().ok_or(Fault::Segv)?;
                // SAFETY: two distinct frames, through the direct map.
                unsafe {
                    super::copy_bytes(
                        super::phys_to_virt(copy),
                        super::phys_to_virt(cached),
                        PAGE as usize,
                    )
                };
                copy
            } else {
                frame::get(cached);
                flags &= !F::WRITABLE;
                cached
            }
        }
    };
    if paging::map(mm.root, page, frame, flags).is_none() {
        frame::put(frame);
        return Err(Fault::Segv);
    }
    Ok((frame, flags))
}

/// The frame of page `index` of a mapped file. A file borrowed by the
/// call that faulted (a read into a mapping of the same file) cannot be
/// changed now: the fault then fails rather than the kernel.
fn file_page(inode: &KRc<Inode>, index: u64) -> Result<u64, Fault> {
    let Some(mut i) = inode.try_borrow_mut() else {
        return Err(Fault::Segv);
    };
    match &mut i.kind {
        Kind::Regular(r) => {
            if index >= r.size().div_ceil(PAGE) {
                return Err(Fault::Bus);
            }
            r.page_for_map(index).ok_or(Fault::Segv)
        }
        _ => Err(Fault::Bus),
    }
}

/// A write to a present read-only page of a writable VMA: the page is
/// shared copy-on-write. The last sharer takes the frame as it is; the
/// others get a private copy.
fn break_cow(mm: &mut Mm, page: u64, frame: u64, access: Access) -> Option<(u64, F)> {
    let vma = *mm.find(page)?;
    if access != Access::Write || vma.prot & PROT_WRITE == 0 {
        return None;
    }
    let flags = paging::user_flags(vma.prot);
    if vma.kind == VmaKind::Shared || (frame::refs(frame) <= 1 && !frame::is_cached(frame)) {
        paging::set_flags(mm.root, page, flags);
        return Some((frame, flags));
    }
    let copy = frame::alloc_user()?;
    // SAFETY: two distinct frames, both reached through the direct map.
    unsafe {
        super::copy_bytes(
            super::phys_to_virt(copy),
            super::phys_to_virt(frame),
            super::PAGE as usize,
        )
    };
    paging::map(mm.root, page, copy, flags)?;
    frame::put(frame);
    Some((copy, flags))
}

fn allowed(flags: F, access: Access) -> bool {
    flags.contains(F::USER_ACCESSIBLE)
        && match access {
            Access::Read => true,
            Access::Write => flags.contains(F::WRITABLE),
            Access::Exec => !flags.contains(F::NO_EXECUTE),
        }
}
