//! Memory: physical frames, page tables, the kernel heap, user address
//! spaces (VMAs), demand paging and checked user-memory access.

pub mod fault;
pub mod frame;
pub mod heap;
pub mod paging;
pub mod uaccess;
pub mod vma;

use abi::boot::BootInfo;

pub fn init(info: &BootInfo) {
    frame::init(info);
    paging::init();
    heap::init();
}

/// Kernel virtual address of physical `phys` (direct map).
#[inline]
pub fn phys_to_virt(phys: u64) -> *mut u8 {
    (abi::layout::DIRECT_MAP_BASE + phys) as *mut u8
}

pub const PAGE: u64 = abi::layout::PAGE_SIZE;

#[inline]
pub const fn page_down(x: u64) -> u64 {
    x & !(PAGE - 1)
}

/// Rounds up to a page; `None` on overflow.
#[inline]
pub const fn page_up(x: u64) -> Option<u64> {
    match x.checked_add(PAGE - 1) {
        Some(v) => Some(v & !(PAGE - 1)),
        None => None,
    }
}
