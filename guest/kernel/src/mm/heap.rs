//! The kernel heap: a linked-list allocator over physically contiguous
//! frames taken at boot, reached through the direct map.

use linked_list_allocator::LockedHeap;

use super::{frame, phys_to_virt, PAGE};

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
