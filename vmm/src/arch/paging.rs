//! The first page tables, built by the VMM so the kernel starts in long mode
//! at its own addresses (the top of the lower half, `abi::layout`):
//!
//! - PML4[0]: identity map of the first GiB (the kernel drops it once on its
//!   own tables);
//! - PML4[254] ([`DIRECT_MAP_BASE`]): all of RAM, 2 MiB pages;
//! - PML4[255] / PDPT[0] ([`KERNEL_VIRT_BASE`]): the first GiB, where the
//!   kernel image runs.
//!
//! Only RAM that exists is mapped: an access past the end of RAM is a page
//! fault in the guest, not an MMIO exit.

use abi::layout::{
    BOOT_PML4_PHYS, BOOT_PT_END, DIRECT_MAP_BASE, KERNEL_VIRT_BASE, LARGE_PAGE_SIZE, PAGE_SIZE,
};
use vm_memory::{Bytes, GuestAddress, GuestMemoryMmap};

const PRESENT: u64 = 1 << 0;
const WRITABLE: u64 = 1 << 1;
const HUGE: u64 = 1 << 7;
const GIB: u64 = 1 << 30;

fn index(virt: u64, level: u32) -> u64 {
    (virt >> (12 + 9 * level)) & 0x1ff
}

/// Page-table pages used for `mem_size` bytes of RAM.
pub fn table_pages(mem_size: u64) -> u64 {
    // PML4, three PDPTs, one PD per GiB.
    4 + mem_size.div_ceil(GIB)
}

/// Writes the tables; returns the physical address of the PML4 (for CR3).
/// They are built in a host buffer and written with one copy (a 64 GiB
/// guest has 32768 PD entries).
pub fn write(mem: &GuestMemoryMmap, mem_size: u64) -> vm_memory::GuestMemoryResult<u64> {
    assert!(BOOT_PML4_PHYS + table_pages(mem_size) * PAGE_SIZE <= BOOT_PT_END);
    let pages = table_pages(mem_size) as usize;
    let mut t = vec![0u64; pages * 512];
    let phys = |page: usize| BOOT_PML4_PHYS + page as u64 * PAGE_SIZE;
    let (pml4, pdpt_ident, pdpt_direct, pdpt_kernel) = (0usize, 1usize, 2usize, 3usize);
    let pd = |gib: u64| 4 + gib as usize;
    let mut entry = |table: usize, i: u64, value: u64| t[table * 512 + i as usize] = value;

    for gib in 0..mem_size.div_ceil(GIB) {
        let first = gib * GIB;
        let last = (first + GIB).min(mem_size);
        for (i, p) in (first..last).step_by(LARGE_PAGE_SIZE as usize).enumerate() {
            entry(pd(gib), i as u64, p | PRESENT | WRITABLE | HUGE);
        }
        entry(pdpt_direct, gib, phys(pd(gib)) | PRESENT | WRITABLE);
    }
    entry(
        pml4,
        index(DIRECT_MAP_BASE, 3),
        phys(pdpt_direct) | PRESENT | WRITABLE,
    );
    entry(pml4, 0, phys(pdpt_ident) | PRESENT | WRITABLE);
    entry(pdpt_ident, 0, phys(pd(0)) | PRESENT | WRITABLE);
    entry(
        pml4,
        index(KERNEL_VIRT_BASE, 3),
        phys(pdpt_kernel) | PRESENT | WRITABLE,
    );
    entry(
        pdpt_kernel,
        index(KERNEL_VIRT_BASE, 2),
        phys(pd(0)) | PRESENT | WRITABLE,
    );

    let bytes: Vec<u8> = t.iter().flat_map(|e| e.to_le_bytes()).collect();
    mem.write_slice(&bytes, GuestAddress(BOOT_PML4_PHYS))?;
    Ok(BOOT_PML4_PHYS)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Walks the tables written in `mem` like the MMU would.
    fn translate(mem: &GuestMemoryMmap, cr3: u64, virt: u64) -> Option<u64> {
        let mut table = cr3;
        for level in (1..=3).rev() {
            let e: u64 = mem
                .read_obj(GuestAddress(table + 8 * index(virt, level)))
                .ok()?;
            if e & PRESENT == 0 {
                return None;
            }
            if level == 1 {
                assert!(e & HUGE != 0);
                return Some((e & !0x1f_ffff & ((1 << 52) - 1)) + (virt & 0x1f_ffff));
            }
            table = e & 0x000f_ffff_ffff_f000;
        }
        None
    }

    #[test]
    fn maps_the_three_windows() {
        let size = 3 * GIB + (64 << 20);
        let mem = GuestMemoryMmap::from_ranges(&[(GuestAddress(0), size as usize)]).unwrap();
        let cr3 = write(&mem, size).unwrap();
        assert_eq!(translate(&mem, cr3, 0x12_3456), Some(0x12_3456));
        assert_eq!(
            translate(&mem, cr3, DIRECT_MAP_BASE + 0x12_3456),
            Some(0x12_3456)
        );
        assert_eq!(
            translate(&mem, cr3, DIRECT_MAP_BASE + size - 1),
            Some(size - 1)
        );
        assert_eq!(translate(&mem, cr3, DIRECT_MAP_BASE + size), None);
        assert_eq!(
            translate(&mem, cr3, KERNEL_VIRT_BASE + 0x10_0000),
            Some(0x10_0000)
        );
        assert_eq!(translate(&mem, cr3, 0x4000_0000), None);
    }
}
