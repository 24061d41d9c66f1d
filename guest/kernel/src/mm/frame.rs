//! Physical frame allocator.
//!
//! Free RAM starts as a few untouched ranges handed out by bumping; freed
//! frames go on a list linked through the frames themselves. Nothing walks
//! all of RAM at boot: a 4 GiB guest costs the host only the pages the
//! guest really touches.
//!
//! Invariants: a frame is on the free list, in an untouched range, or
//! allocated — never two of these. Frames in the untouched ranges are zero:
//! the VMM gives the guest fresh (zero) RAM and writes only the areas the
//! boot info describes, which are excluded until released.
//!
//! `total_frames` counts the frames this allocator manages: free RAM at
//! init, plus each boot frame handed over later (`release`,
//! `count_boot_frames`). The initfs image's frames are not counted until
//! the file system that owns them gives one over.

use abi::boot::{BootInfo, PhysRange};
use abi::task::FRAME_CACHED;
use spin::Mutex;

use super::{page_down, page_up, phys_to_virt, PAGE};

/// One more than the holes `init` cuts: program, arguments, initfs, APIC page.
const MAX_RANGES: usize = 5;

struct FrameAllocator {
    /// Per frame: how many user mappings share it (copy-on-write after
    /// fork). Only meaningful for user frames; page tables and the heap
    /// are not counted.
    refs: *mut u16,
    frames: u64,
    /// Untouched ranges [start, end), page-aligned.
    ranges: [(u64, u64); MAX_RANGES],
    /// Physical address of the first free frame, 0 if none (frame 0 is
    /// never free: it is below `kernel_phys_end`).
    free_list: u64,
    free_frames: u64,
    total_frames: u64,
}

// SAFETY: one CPU; the refcount array is only touched under the lock.
unsafe impl Send for FrameAllocator {}

static FRAMES: Mutex<FrameAllocator> = Mutex::new(FrameAllocator {
    refs: core::ptr::null_mut(),
    frames: 0,
    ranges: [(0, 0); MAX_RANGES],
    free_list: 0,
    free_frames: 0,
    total_frames: 0,
});

/// Everything from the end of the kernel to the end of RAM, except the
/// program file and argument block (released after exec), the initfs
/// image (its pages belong to the root file system, which may hand them
/// over one by one with [`free`] and [`count_boot_frames`]) and the page at
/// the xAPIC's default address, which RAM covers in a guest over about
/// 4 GiB: KVM may send accesses to that page to its APIC emulation whether
/// or not RAM backs it (PVM's instruction emulator does), so it never
/// holds data.
pub fn init(info: &BootInfo) {
    let apic = abi::layout::XAPIC_DEFAULT_PHYS;
    let apic_page = abi::boot::PhysRange {
        start: apic,
        len: if apic < info.mem_size { PAGE } else { 0 },
    };
    let mut holes = [info.program, info.args, info.initfs, apic_page];
    holes.sort_by_key(|r| r.start);
    let mut f = FRAMES.lock();
    let mut cursor = info.kernel_phys_end;
    let mut n = 0;
    let mem_end = page_down(info.mem_size);
    for hole in holes.iter().filter(|h| h.len > 0) {
        let hole_start = page_down(hole.start);
        if hole_start > cursor {
            f.ranges[n] = (cursor, hole_start);
            n += 1;
        }
        cursor = cursor.max(page_up(hole.end()).unwrap_or(mem_end));
    }
    if mem_end > cursor {
        f.ranges[n] = (cursor, mem_end);
    }
    let total: u64 = f.ranges.iter().map(|r| (r.1 - r.0) / PAGE).sum();
    f.total_frames = total;
    f.free_frames = total;
    // The refcount array, two bytes per frame of RAM, from the top of the
    // largest range: never-touched frames, so it starts zeroed.
    f.frames = mem_end / PAGE;
    let bytes = f.frames * 2;
    let pages = bytes.div_ceil(PAGE);
    let r = f
        .ranges
        .iter_mut()
        .max_by_key(|r| r.1 - r.0)
        .expect("no free RAM");
    assert!(r.1 - r.0 > pages * PAGE, "no room for the frame refcounts");
    r.1 -= pages * PAGE;
    f.refs = phys_to_virt(r.1) as *mut u16;
    f.total_frames -= pages;
    f.free_frames -= pages;
}

fn refcount(f: &FrameAllocator, frame: u64) -> *mut u16 {
    let i = frame / PAGE;
    assert!(i < f.frames, "frame {frame:#x} outside RAM");
    // SAFETY: i is within the array (checked above).
    unsafe { f.refs.add(i as usize) }
}

/// Marks a user frame as mapped once (a frame that did not come from
/// `alloc_user`, such as the program file's own pages).
pub fn own(frame: u64) {
    let f = FRAMES.lock();
    // SAFETY: see refcount().
    unsafe { *refcount(&f, frame) = 1 };
}

/// The mapping count's bits of a refcount (the rest is `FRAME_CACHED`).
const COUNT: u16 = !FRAME_CACHED;

/// One more mapping shares `frame` (fork's copy-on-write, or a mapping of
/// a file's page).
pub fn get(frame: u64) {
    let f = FRAMES.lock();
    let r = refcount(&f, frame);
    // SAFETY: see refcount().
    unsafe {
        if *r & COUNT != COUNT {
            *r += 1;
        }
    }
}

/// How many mappings share `frame`.
pub fn refs(frame: u64) -> u16 {
    let f = FRAMES.lock();
    // SAFETY: see refcount().
    unsafe { *refcount(&f, frame) & COUNT }
}

/// Whether a file holds `frame` as one of its pages.
pub fn is_cached(frame: u64) -> bool {
    let f = FRAMES.lock();
    // SAFETY: see refcount().
    unsafe { *refcount(&f, frame) & FRAME_CACHED != 0 }
}

/// One mapping of a user frame is gone; the frame is freed with the last
/// reference (mapping or file).
pub fn put(frame: u64) {
    let last = {
        let f = FRAMES.lock();
        let r = refcount(&f, frame);
        // SAFETY: see refcount().
        unsafe {
            if *r & COUNT != 0 {
                *r -= 1;
            }
            *r == 0
        }
    };
    if last {
        free(frame);
    }
}

/// A zeroed frame for a file's page: held by the file, mapped nowhere.
pub fn alloc_cached() -> Option<u64> {
    let frame = alloc_zeroed()?;
    adopt_cached(frame);
    Some(frame)
}

/// A frame that came from nowhere the allocator tracks (the host's file
/// image) becomes a file's page.
pub fn adopt_cached(frame: u64) {
    let f = FRAMES.lock();
    // SAFETY: see refcount().
    unsafe { *refcount(&f, frame) = FRAME_CACHED };
}

/// The file lets go of its page: freed unless some mapping still has it
/// (a mapping of a truncated or removed file keeps what it mapped).
pub fn release_cached(frame: u64) {
    let last = {
        let f = FRAMES.lock();
        let r = refcount(&f, frame);
        // SAFETY: see refcount().
        unsafe {
            *r &= COUNT;
            *r == 0
        }
    };
    if last {
        free(frame);
    }
}

/// A zeroed frame for a user mapping (refcount 1).
pub fn alloc_user() -> Option<u64> {
    let frame = alloc_zeroed()?;
    own(frame);
    Some(frame)
}

/// Gives the frames of a boot range back (after the program is loaded).
pub fn release(range: &PhysRange) {
    if range.len == 0 {
        return;
    }
    let end = page_up(range.end()).unwrap_or(range.end());
    let mut addr = page_down(range.start);
    while addr < end {
        free(addr);
        addr += PAGE;
    }
    FRAMES.lock().total_frames += (end - page_down(range.start)) / PAGE;
}

/// Counts frames of a boot range that were handed over individually (freed
/// or adopted by the program, or an initfs page the file system let go) as
/// part of RAM from now on.
pub fn count_boot_frames(n: u64) {
    FRAMES.lock().total_frames += n;
}

/// A frame, and whether it is known to be zero (never used since boot).
fn alloc_inner() -> Option<(u64, bool)> {
    let mut f = FRAMES.lock();
    if f.free_list != 0 {
        let frame = f.free_list;
        // SAFETY: free frames hold the next pointer in their first word.
        f.free_list = unsafe { (phys_to_virt(frame) as *const u64).read() };
        f.free_frames -= 1;
        return Some((frame, false));
    }
    for r in f.ranges.iter_mut() {
        if r.0 < r.1 {
            let frame = r.0;
            r.0 += PAGE;
            f.free_frames -= 1;
            return Some((frame, true));
        }
    }
    None
}

/// A frame for the kernel's own data, not zeroed (a pipe buffer: only
/// the bytes written to it are ever read).
pub fn alloc() -> Option<u64> {
    alloc_inner().map(|(frame, _)| frame)
}

pub fn alloc_zeroed() -> Option<u64> {
    let (frame, zero) = alloc_inner()?;
    if !zero {
        // SAFETY: the frame is ours and mapped by the direct map.
        unsafe { super::zero_bytes(phys_to_virt(frame), PAGE as usize) };
    }
    Some(frame)
}

/// `count` physically contiguous frames from an untouched range (boot-time
/// allocations such as the kernel heap).
pub fn alloc_contiguous(count: u64) -> Option<u64> {
    let mut f = FRAMES.lock();
    let bytes = count * PAGE;
    let r = f
        .ranges
        .iter_mut()
        .filter(|r| r.1 - r.0 >= bytes)
        .max_by_key(|r| r.1 - r.0)?;
    let start = r.0;
    r.0 += bytes;
    f.free_frames -= count;
    Some(start)
}

pub fn free(frame: u64) {
    let mut f = FRAMES.lock();
    // SAFETY: the caller owned the frame; its first word now links the list.
    unsafe { (phys_to_virt(frame) as *mut u64).write(f.free_list) };
    f.free_list = frame;
    f.free_frames += 1;
}

/// (free, total) frames.
pub fn stats() -> (u64, u64) {
    let f = FRAMES.lock();
    (f.free_frames, f.total_frames)
}

/// Where the refcount array is (kernel virtual address) and how many
/// frames it covers: published in `kernel_roots` for the host.
pub fn refcount_table() -> (u64, u64) {
    let f = FRAMES.lock();
    (f.refs as u64, f.frames)
}
