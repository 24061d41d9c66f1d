//! Copying to and from user memory without ever faulting in the kernel:
//! every user page is looked up in the page tables (and populated if its
//! VMA allows the access) and copied through the direct map. A bad pointer
//! is EFAULT, never a kernel page fault.

use abi::layout::{PAGE_SIZE, USER_SPACE_END};
use zerocopy::{FromBytes, Immutable, IntoBytes};

use super::fault::{populate, Access};
use super::phys_to_virt;
use super::vma::Mm;
use crate::errno::{KResult, EFAULT};

/// Checks that [addr, addr + len) lies in user space.
pub fn check_range(addr: u64, len: u64) -> KResult<()> {
    match addr.checked_add(len) {
        Some(end) if end <= USER_SPACE_END => Ok(()),
        _ => Err(EFAULT),
    }
}

/// Calls `f(kernel_ptr, offset, n)` for each page-sized piece of the user
/// range, after making the piece accessible for `access`.
fn for_each_piece(
    mm: &mut Mm,
    addr: u64,
    len: usize,
    access: Access,
    mut f: impl FnMut(*mut u8, usize, usize),
) -> KResult<()> {
    check_range(addr, len as u64)?;
    let mut done = 0usize;
    while done < len {
        let at = addr + done as u64;
        let in_page = (PAGE_SIZE - at % PAGE_SIZE) as usize;
        let n = in_page.min(len - done);
        let (frame, _) = populate(mm, at, access).ok_or(EFAULT)?;
        // SAFETY: `frame` is a present user frame; offset + n stays inside it.
        let p = unsafe { phys_to_virt(frame).add((at % PAGE_SIZE) as usize) };
        f(p, done, n);
        done += n;
    }
    Ok(())
}

/// Hands `f` the user bytes of [addr, addr + len) a page-sized piece at a
/// time, in place through the direct map (no copy), until `f` says stop
/// (returns false): no page past that piece is touched. EFAULT for a piece
/// that cannot be read (the pieces before it were handed over).
pub fn read_pieces(
    mm: &mut Mm,
    addr: u64,
    len: usize,
    mut f: impl FnMut(&[u8]) -> bool,
) -> KResult<()> {
    check_range(addr, len as u64)?;
    let mut done = 0usize;
    while done < len {
        let at = addr + done as u64;
        let n = ((PAGE_SIZE - at % PAGE_SIZE) as usize).min(len - done);
        let (frame, _) = populate(mm, at, Access::Read).ok_or(EFAULT)?;
        // SAFETY: `frame` is a present user frame; the piece lies in it,
        // and nothing writes it while `f` looks (one CPU, no sleep).
        let piece = unsafe {
            core::slice::from_raw_parts(phys_to_virt(frame).add((at % PAGE_SIZE) as usize), n)
        };
        if !f(piece) {
            break;
        }
        done += n;
    }
    Ok(())
}

pub fn copy_from_user(mm: &mut Mm, src: u64, dst: &mut [u8]) -> KResult<()> {
    let len = dst.len();
    for_each_piece(mm, src, len, Access::Read, |p, off, n| {
        // SAFETY: p is valid for n bytes (see for_each_piece).
        unsafe { super::copy_bytes(dst[off..off + n].as_mut_ptr(), p, n) }
    })
}

pub fn copy_to_user(mm: &mut Mm, dst: u64, src: &[u8]) -> KResult<()> {
    for_each_piece(mm, dst, src.len(), Access::Write, |p, off, n| {
        // SAFETY: p is valid for n bytes (see for_each_piece).
        unsafe { super::copy_bytes(p, src[off..off + n].as_ptr(), n) }
    })
}

/// Zeroes user memory (bss tails, fresh stack areas).
#[allow(dead_code)]
pub fn clear_user(mm: &mut Mm, dst: u64, len: usize) -> KResult<()> {
    for_each_piece(mm, dst, len, Access::Write, |p, _, n| {
        // SAFETY: p is valid for n bytes.
        unsafe { super::zero_bytes(p, n) }
    })
}

/// Reads a `T` from user memory. `FromBytes` says any bytes the user left
/// there make a valid `T`; `IntoBytes` that it has no padding to fill.
pub fn read_user<T: FromBytes + IntoBytes>(mm: &mut Mm, addr: u64) -> KResult<T> {
    let mut v = T::new_zeroed();
    copy_from_user(mm, addr, v.as_mut_bytes())?;
    Ok(v)
}

/// Writes `v` to user memory: all its bytes, no padding (`IntoBytes`), so
/// no kernel data leaks through a hole in a record.
pub fn write_user<T: IntoBytes + Immutable>(mm: &mut Mm, addr: u64, v: &T) -> KResult<()> {
    copy_to_user(mm, addr, v.as_bytes())
}

/// Makes the pages of [addr, addr + len) present for `access` before a
/// copy runs with a file borrowed (a fault inside the copy would need the
/// file that a mapping of it is backed by). Returns how many bytes from
/// `addr` are accessible: all of them, or up to the first bad page.
pub fn prefault(mm: &mut Mm, addr: u64, len: u64, access: Access) -> u64 {
    if check_range(addr, len).is_err() {
        return 0;
    }
    let mut at = addr;
    while at < addr + len {
        if populate(mm, at, access).is_none() {
            return at - addr;
        }
        at = (at & !(PAGE_SIZE - 1)) + PAGE_SIZE;
    }
    len
}
