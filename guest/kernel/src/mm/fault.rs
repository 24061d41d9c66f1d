//! User page faults: demand paging inside VMAs, SIGSEGV for everything else.

use x86_64::structures::paging::PageTableFlags as F;

use super::vma::{Mm, PROT_EXEC, PROT_WRITE};
use super::{frame, page_down, paging};

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

/// Handles a page fault taken in user mode; `false` means the access is
/// illegal (the caller delivers SIGSEGV).
pub fn handle_user_fault(addr: u64, error_code: u64) -> bool {
    if error_code & PF_PRESENT != 0 {
        // A protection fault on a present page is legal only as the first
        // write to a copy-on-write page.
        return error_code & PF_WRITE != 0
            && crate::task::with_mm(|mm| populate(mm, addr, Access::Write).is_some());
    }
    let access = if error_code & PF_INSTR != 0 {
        Access::Exec
    } else if error_code & PF_WRITE != 0 {
        Access::Write
    } else {
        Access::Read
    };
    crate::task::with_mm(|mm| populate(mm, addr, access).is_some())
}

/// Makes the page holding `addr` present if its VMA allows `access`;
/// returns the page's frame and flags.
pub fn populate(mm: &mut Mm, addr: u64, access: Access) -> Option<(u64, F)> {
    let page = page_down(addr);
    if let Some((frame, flags)) = paging::translate(mm.root, page) {
        if allowed(flags, access) {
            return Some((frame, flags));
        }
        return break_cow(mm, page, frame, access);
    }
    let vma = *mm.find(addr)?;
    let ok = match access {
        Access::Read => vma.prot != 0,
        Access::Write => vma.prot & PROT_WRITE != 0,
        Access::Exec => vma.prot & PROT_EXEC != 0,
    };
    if !ok {
        return None;
    }
    let frame = frame::alloc_user()?;
    let flags = paging::user_flags(vma.prot);
    if paging::map(mm.root, page, frame, flags).is_none() {
        frame::put(frame);
        return None;
    }
    Some((frame, flags))
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
    if frame::refs(frame) <= 1 {
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
