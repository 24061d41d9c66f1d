//! 4-level page tables. One root (PML4) per address space; the kernel's part
//! (PML4 entries [`KERNEL_PML4`]: the direct map and the kernel image) is the same
//! in every root because each new root copies the kernel's entries, which
//! point at shared lower-level tables that are never replaced.
//!
//! User pages are 4 KiB; intermediate entries for user space are
//! present + writable + user, so the leaf alone decides the access.

use x86_64::registers::control::{Cr3, Cr3Flags};
use x86_64::structures::paging::{PageTable, PageTableFlags as F, PhysFrame};
use x86_64::PhysAddr;

use super::{frame, phys_to_virt};

/// PML4 slots of the kernel's part of every address space.
pub const KERNEL_PML4: core::ops::Range<usize> =
    (abi::layout::KERNEL_SPACE_START >> 39) as usize..256;

static mut KERNEL_ROOT: u64 = 0;
/// The root in CR3 (one CPU): only its mappings can be in the TLB.
static ACTIVE_ROOT: core::sync::atomic::AtomicU64 = core::sync::atomic::AtomicU64::new(0);

fn table(phys: u64) -> &'static mut PageTable {
    // SAFETY: page-table frames are reached only through the direct map and
    // only by the owner of the address space (single CPU).
    unsafe { &mut *(phys_to_virt(phys) as *mut PageTable) }
}

/// Builds the kernel's own root from the VMM's boot tables (keeping their
/// kernel part, dropping the identity map of low memory) and switches to it.
pub fn init() {
    let (boot, _) = Cr3::read();
    let root = frame::alloc_zeroed().expect("no memory for the kernel page table");
    let src = table(boot.start_address().as_u64());
    let dst = table(root);
    for i in KERNEL_PML4 {
        dst[i] = src[i].clone();
    }
    // SAFETY: the new root maps the kernel image, stacks and direct map
    // exactly as the old one did.
    unsafe {
        KERNEL_ROOT = root;
        Cr3::write(
            PhysFrame::containing_address(PhysAddr::new(root)),
            Cr3Flags::empty(),
        );
    }
}

/// A new address space: no user mappings, the shared kernel part.
pub fn new_root() -> Option<u64> {
    let root = frame::alloc_zeroed()?;
    // SAFETY: KERNEL_ROOT is set once at boot.
    let kernel = table(unsafe { KERNEL_ROOT });
    let dst = table(root);
    for i in KERNEL_PML4 {
        dst[i] = kernel[i].clone();
    }
    Some(root)
}

pub fn activate(root: u64) {
    ACTIVE_ROOT.store(root, core::sync::atomic::Ordering::Relaxed);
    // SAFETY: `root` was built by `new_root`, so the kernel stays mapped.
    unsafe {
        Cr3::write(
            PhysFrame::containing_address(PhysAddr::new(root)),
            Cr3Flags::empty(),
        )
    };
}

/// Index of the first used (non-zero) entry of `t` in `from..to`, or `to`.
///
/// One `repe scasq` instead of a loop: when the kernel runs emulated every
/// loop iteration is several trips through the hypervisor's emulator, and a
/// 512-entry table scan was most of what fork and exit cost. (An unused
/// entry is all zero; every used one is non-zero.)
fn next_used(t: &PageTable, from: usize, to: usize) -> usize {
    if from >= to {
        return to;
    }
    let base = t as *const PageTable as *const u64;
    let end: *const u64;
    // SAFETY: scans t[from..to] (to <= 512), reading only; DF is clear
    // (the ABI's state on every function entry).
    unsafe {
        core::arch::asm!(
            "repe scasq",
            inout("rdi") base.add(from) => end,
            inout("rcx") to - from => _,
            in("rax") 0u64,
            options(nostack, readonly)
        );
    }
    // rdi stops one past the last entry compared.
    let last = (end as usize - base as usize) / 8 - 1;
    if t[last].is_unused() {
        to
    } else {
        last
    }
}

/// The used entries of `t` in `from..to`, in order.
fn used(t: &PageTable, from: usize, to: usize) -> impl Iterator<Item = usize> + '_ {
    let mut at = from;
    core::iter::from_fn(move || {
        let i = next_used(t, at, to);
        at = i + 1;
        (i < to).then_some(i)
    })
}

fn index(virt: u64, level: u32) -> usize {
    ((virt >> (12 + 9 * level)) & 0x1ff) as usize
}

/// The level-1 entry for user address `virt`, creating tables if `create`.
fn leaf(
    root: u64,
    virt: u64,
    create: bool,
) -> Option<&'static mut x86_64::structures::paging::page_table::PageTableEntry> {
    let mut t = table(root);
    for level in (1..=3).rev() {
        let e = &mut t[index(virt, level)];
        if e.is_unused() {
            if !create {
                return None;
            }
            let new = frame::alloc_zeroed()?;
            e.set_addr(
                PhysAddr::new(new),
                F::PRESENT | F::WRITABLE | F::USER_ACCESSIBLE,
            );
        }
        t = table(e.addr().as_u64());
    }
    Some(&mut t[index(virt, 0)])
}

/// Maps the user page at `virt` to `phys`; `None` if a table could not be
/// allocated. An existing mapping is replaced (its frame is the caller's).
pub fn map(root: u64, virt: u64, phys: u64, flags: F) -> Option<()> {
    let e = leaf(root, virt, true)?;
    e.set_addr(PhysAddr::new(phys), flags | F::PRESENT);
    flush(root, virt);
    Some(())
}

/// (frame, flags) of the user page at `virt`, if present.
pub fn translate(root: u64, virt: u64) -> Option<(u64, F)> {
    let e = leaf(root, virt, false)?;
    if e.flags().contains(F::PRESENT) {
        Some((e.addr().as_u64(), e.flags()))
    } else {
        None
    }
}

/// Removes the mapping at `virt`; returns its frame.
pub fn unmap(root: u64, virt: u64) -> Option<u64> {
    let e = leaf(root, virt, false)?;
    if !e.flags().contains(F::PRESENT) {
        return None;
    }
    let phys = e.addr().as_u64();
    e.set_unused();
    flush(root, virt);
    Some(phys)
}

pub fn set_flags(root: u64, virt: u64, flags: F) {
    if let Some(e) = leaf(root, virt, false) {
        if e.flags().contains(F::PRESENT) {
            let addr = e.addr();
            e.set_addr(addr, flags | F::PRESENT);
            flush(root, virt);
        }
    }
}

/// Maps the device page at physical `phys` at kernel address `virt`
/// (outside the direct map and the kernel image), uncached and
/// supervisor-only, in the kernel's part of every address space. `None` if
/// a table could not be allocated or `virt` lies in a large page.
///
/// Boot-time only: the new tables hang below a kernel PML4 entry the boot
/// tables already have, which every root shares, so the mapping appears in
/// all of them, present and future.
pub fn map_kernel_mmio(virt: u64, phys: u64) -> Option<()> {
    if !KERNEL_PML4.contains(&index(virt, 3)) {
        return None;
    }
    // SAFETY: KERNEL_ROOT is set once at boot.
    let mut t = table(unsafe { KERNEL_ROOT });
    if t[index(virt, 3)].is_unused() {
        return None;
    }
    for level in (1..=3).rev() {
        let e = &mut t[index(virt, level)];
        if e.is_unused() {
            let new = frame::alloc_zeroed()?;
            e.set_addr(PhysAddr::new(new), F::PRESENT | F::WRITABLE);
        } else if e.flags().contains(F::HUGE_PAGE) {
            return None;
        }
        t = table(e.addr().as_u64());
    }
    t[index(virt, 0)].set_addr(
        PhysAddr::new(phys),
        F::PRESENT | F::WRITABLE | F::NO_CACHE | F::WRITE_THROUGH | F::NO_EXECUTE,
    );
    x86_64::instructions::tlb::flush(x86_64::VirtAddr::new(virt));
    Some(())
}

/// Drops a stale TLB entry. Only the active address space can have one, and
/// skipping the others matters: an INVLPG costs a trip to the hypervisor.
fn flush(root: u64, virt: u64) {
    if ACTIVE_ROOT.load(core::sync::atomic::Ordering::Relaxed) == root {
        x86_64::instructions::tlb::flush(x86_64::VirtAddr::new(virt));
    }
}

/// Leaf flags for a user page with `PROT_*` bits `prot`. A PROT_NONE page
/// keeps its frame (and contents, for a later mprotect) but is supervisor
/// only, so every user access faults.
pub fn user_flags(prot: u32) -> F {
    if prot == 0 {
        return F::PRESENT | F::NO_EXECUTE;
    }
    let mut f = F::PRESENT | F::USER_ACCESSIBLE;
    if prot & crate::mm::vma::PROT_WRITE != 0 {
        f |= F::WRITABLE;
    }
    if prot & crate::mm::vma::PROT_EXEC == 0 {
        f |= F::NO_EXECUTE;
    }
    f
}

/// Frees every page-table page of the user part of `root`, and `root`
/// itself. The user frames must already be gone (`Mm::drop`).
pub fn free_user_tables(root: u64) {
    // `level`: 3 for a PDPT, 2 for a PD, 1 for a page table (leaves).
    // Tables are not cleared entry by entry: a recycled frame is zeroed
    // when it is next allocated.
    fn free_level(table_phys: u64, level: u32) {
        if level == 1 {
            return; // leaves: the user frames are already gone
        }
        let t = table(table_phys);
        let mut at = 0;
        while let Some(i) = Some(next_used(t, at, 512)).filter(|&i| i < 512) {
            at = i + 1;
            let e = &t[i];
            if !e.flags().contains(F::HUGE_PAGE) {
                free_level(e.addr().as_u64(), level - 1);
                frame::free(e.addr().as_u64());
            }
        }
    }
    let t = table(root);
    let mut at = 0;
    while let Some(i) = Some(next_used(t, at, KERNEL_PML4.start)).filter(|&i| i < KERNEL_PML4.start)
    {
        at = i + 1;
        free_level(t[i].addr().as_u64(), 3);
        frame::free(t[i].addr().as_u64());
    }
    frame::free(root);
}

/// fork's copy of the user part of address space `src` into the fresh root
/// `dst`: new page-table pages, the same frames, and every writable leaf
/// made read-only in both (copy-on-write). `share(frame)` is called once
/// per leaf copied. One pass over the source tables, and one TLB flush at
/// the end instead of an INVLPG per page (each a hypervisor trip here).
/// `None` when out of frames: `dst` then holds a consistent prefix of the
/// copy, which its owner frees as usual.
pub fn copy_user_cow(src: u64, dst: u64, share: &mut dyn FnMut(u64)) -> Option<()> {
    fn copy(
        src_t: u64,
        dst_t: u64,
        level: u32,
        slots: usize,
        share: &mut dyn FnMut(u64),
    ) -> Option<()> {
        let (s, d) = (table(src_t), table(dst_t));
        let present: alloc::vec::Vec<usize> = used(s, 0, slots).collect();
        for i in present {
            let e = &mut s[i];
            if !e.flags().contains(F::PRESENT) {
                continue;
            }
            if level == 0 {
                let flags = e.flags() & !F::WRITABLE;
                let addr = e.addr();
                e.set_addr(addr, flags);
                d[i].set_addr(addr, flags);
                share(addr.as_u64());
            } else {
                let new = frame::alloc_zeroed()?;
                d[i].set_addr(PhysAddr::new(new), e.flags());
                copy(e.addr().as_u64(), new, level - 1, 512, share)?;
            }
        }
        Some(())
    }
    let r = copy(src, dst, 3, KERNEL_PML4.start, share);
    if ACTIVE_ROOT.load(core::sync::atomic::Ordering::Relaxed) == src {
        x86_64::instructions::tlb::flush_all();
    }
    r
}

/// Calls `f(virt, frame, flags)` for every present user page in
/// [start, end), walking only the page tables that exist: a sparse 8 MiB
/// stack costs its few present pages, not 2048 lookups.
pub fn for_each_present(root: u64, start: u64, end: u64, mut f: impl FnMut(u64, u64, F)) {
    fn walk(
        table_phys: u64,
        level: u32,
        base: u64,
        start: u64,
        end: u64,
        f: &mut dyn FnMut(u64, u64, F),
    ) {
        // Only the entries that overlap [start, end): every loop iteration
        // counts when the kernel runs emulated.
        let shift = 12 + 9 * level;
        let span = 1u64 << shift;
        let first = start.saturating_sub(base) >> shift;
        let last = ((end - 1 - base) >> shift).min(511);
        let t = table(table_phys);
        let present: alloc::vec::Vec<usize> = used(t, first as usize, last as usize + 1).collect();
        for i in present {
            let lo = base + i as u64 * span;
            let e = &t[i];
            if !e.flags().contains(F::PRESENT) {
                continue;
            }
            if level == 0 {
                f(lo, e.addr().as_u64(), e.flags());
            } else {
                walk(e.addr().as_u64(), level - 1, lo, start, end, f);
            }
        }
    }
    let end = end.min(abi::layout::KERNEL_SPACE_START);
    if start >= end {
        return;
    }
    walk(root, 3, 0, start, end, &mut f);
}
