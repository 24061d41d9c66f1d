//! The kernel heap: a linked-list allocator over physically contiguous
//! frames taken at boot, reached through the direct map.
//!
//! `Box::new`, `KRc::new` and the collections abort the kernel when the
//! heap is exhausted. [`try_box`] / [`try_box_uninit`] report it as ENOMEM
//! instead; clone's large allocations (task record, kernel stack, FPU
//! area) use them. The smaller shared records `copy_process` makes, the pid
//! hash and the VMA map do not yet: an exhausted heap there is still a
//! kernel panic.

use alloc::alloc::Layout;
use alloc::boxed::Box;
use core::mem::MaybeUninit;

use linked_list_allocator::LockedHeap;

use super::{frame, phys_to_virt, PAGE};
use crate::errno::{KResult, ENOMEM};

#[global_allocator]
static HEAP: LockedHeap = LockedHeap::empty();

pub fn init() {
    let (_, total) = frame::stats();
    // An eighth of RAM, between 1 MiB and 64 MiB: task records, VMAs and
    // page-table bookkeeping are small; user memory comes from frames.
    let pages = (total / 8).clamp(256, 16384);
    let start = frame::alloc_contiguous(pages).expect("no memory for the kernel heap");
    // SAFETY: the frames are ours for good and mapped by the direct map.
    unsafe {
        HEAP.lock()
            .init(phys_to_virt(start), (pages * PAGE) as usize)
    };
}

/// Bytes of the heap in use.
pub fn used() -> u64 {
    HEAP.lock().used() as u64
}

/// `Box::new(value)`, or ENOMEM when the heap has no room.
pub fn try_box<T>(value: T) -> KResult<Box<T>> {
    Ok(Box::write(try_box_uninit()?, value))
}

/// An uninitialized heap slot for a `T`, or ENOMEM when the heap has no
/// room. Nothing is written: large records (kernel stacks) are not zeroed.
pub fn try_box_uninit<T>() -> KResult<Box<MaybeUninit<T>>> {
    let layout = Layout::new::<T>();
    if layout.size() == 0 {
        return Ok(Box::new_uninit());
    }
    // SAFETY: the layout's size is not zero.
    let p = unsafe { alloc::alloc::alloc(layout) };
    if p.is_null() {
        return Err(ENOMEM);
    }
    // SAFETY: `p` comes from the global allocator with `T`'s layout, which
    // is what `Box` frees it with; `MaybeUninit` needs no initialization.
    Ok(unsafe { Box::from_raw(p.cast::<MaybeUninit<T>>()) })
}
