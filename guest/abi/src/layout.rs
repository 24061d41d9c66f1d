//! Guest-physical and guest-virtual layout: every fixed address in one place.
//!
//! Guest RAM is one contiguous region starting at guest-physical 0, with no
//! holes: all devices are port I/O hypercalls. The one MMIO page is the
//! xAPIC's, used only on a vCPU without x2APIC ([`xapic_phys`]).
//!
//! Low memory (below [`KERNEL_PHYS_BASE`]) belongs to the VMM's boot structures:
//!
//! ```text
//! 0x0000_0000  null page, never used
//! 0x0000_1000  GDT written by the VMM (kernel loads its own soon after entry)
//! 0x0000_2000  BootInfo
//! 0x0001_0000  boot page tables (PML4, PDPTs, PDs), up to BOOT_PT_END
//! 0x0010_0000  kernel image (ELF segments at p_paddr), then free RAM
//! ```
//!
//! The VMM copies the program image, the argument block and the initfs
//! image ([`crate::initfs`]) into RAM after the kernel image, in that order,
//! each page-aligned, and reports where in [`crate::boot::BootInfo`]; the
//! kernel frees the program's and the arguments' frames once it has loaded
//! the program, and keeps the initfs frames for its tmpfs.

/// Size of a base page.
pub const PAGE_SIZE: u64 = 4096;
/// Size of a large (PD-level) page.
pub const LARGE_PAGE_SIZE: u64 = 2 << 20;

pub const GDT_PHYS: u64 = 0x1000;
pub const BOOT_INFO_PHYS: u64 = 0x2000;
/// First boot page-table page (the PML4); PDPTs and PDs follow, one page each.
pub const BOOT_PML4_PHYS: u64 = 0x1_0000;
/// End (exclusive) of the boot page-table area. 0x70 pages: enough for the
/// PML4, two PDPTs and a PD per GiB of RAM up to [`MAX_GUEST_MEMORY`].
pub const BOOT_PT_END: u64 = 0x8_0000;
/// Kernel ELF segments must have `p_paddr` at or above this.
pub const KERNEL_PHYS_BASE: u64 = 0x10_0000;

/// Guest RAM limits accepted by the VMM.
pub const MIN_GUEST_MEMORY: u64 = 16 << 20;
pub const MAX_GUEST_MEMORY: u64 = 64 << 30;

/// Start of the kernel's part of every address space: the top 1 TiB of the
/// lower half (PML4 entries 254 and 255).
///
/// Not the upper half, as a kernel usually takes: under PVM (the KVM
/// implementation of the machines this runs on, which needs no VMX) the guest
/// runs inside the host's address space and only the lower half is the
/// guest's; page walks of upper-half addresses fail. A lower-half kernel runs
/// the same on hardware-virtualized KVM.
pub const KERNEL_SPACE_START: u64 = 0x0000_7f00_0000_0000;
/// All guest RAM is mapped here (phys `p` at `DIRECT_MAP_BASE + p`), like
/// Linux's `PAGE_OFFSET`. PML4 index 254.
pub const DIRECT_MAP_BASE: u64 = 0x0000_7f00_0000_0000;
/// The kernel image runs at `KERNEL_VIRT_BASE + p_paddr` (PML4 index 255,
/// PDPT index 0), like Linux's `__START_KERNEL_map`.
pub const KERNEL_VIRT_BASE: u64 = 0x0000_7f80_0000_0000;
/// The kernel mapping covers the first 1 GiB of physical memory.
pub const KERNEL_MAP_SIZE: u64 = 1 << 30;

/// The xAPIC register page's architectural guest-physical address (the
/// reset value of IA32_APIC_BASE).
pub const XAPIC_DEFAULT_PHYS: u64 = 0xfee0_0000;

/// Where the kernel keeps the xAPIC register page in a guest with
/// `mem_size` bytes of RAM: at the default address when RAM ends below it,
/// else moved (through IA32_APIC_BASE) to the first page after RAM, since
/// with hardware paging an access to a page RAM backs goes to the RAM, not
/// to the APIC. (The RAM page at the default address is never used either:
/// the kernel's frame allocator leaves it out.)
pub const fn xapic_phys(mem_size: u64) -> u64 {
    if mem_size <= XAPIC_DEFAULT_PHYS {
        XAPIC_DEFAULT_PHYS
    } else {
        mem_size
    }
}

/// Kernel-virtual address of the xAPIC register page (uncached), right after
/// the kernel-image mapping; mapped only when the kernel uses the xAPIC.
pub const XAPIC_VIRT: u64 = KERNEL_VIRT_BASE + KERNEL_MAP_SIZE;

/// End (exclusive) of user space: one guard page below the kernel's part.
pub const USER_SPACE_END: u64 = KERNEL_SPACE_START - PAGE_SIZE;
/// Top of the initial user stack (no randomization).
pub const USER_STACK_TOP: u64 = USER_SPACE_END;
/// Where a static-PIE (ET_DYN) program is loaded, as Linux without ASLR.
pub const USER_PIE_BASE: u64 = 0x5555_5555_4000;

/// Physical address of `virt` when it lies in the direct map.
pub const fn direct_map_to_phys(virt: u64) -> Option<u64> {
    if virt >= DIRECT_MAP_BASE && virt - DIRECT_MAP_BASE < MAX_GUEST_MEMORY {
        Some(virt - DIRECT_MAP_BASE)
    } else {
        None
    }
}

/// Physical address of `virt` when it lies in the kernel-image mapping.
pub const fn kernel_image_to_phys(virt: u64) -> Option<u64> {
    if virt >= KERNEL_VIRT_BASE && virt - KERNEL_VIRT_BASE < KERNEL_MAP_SIZE {
        Some(virt - KERNEL_VIRT_BASE)
    } else {
        None
    }
}

// The layout's invariants, checked when either side compiles.
const _: () = {
    assert!(GDT_PHYS + PAGE_SIZE <= BOOT_INFO_PHYS);
    assert!(BOOT_INFO_PHYS + PAGE_SIZE <= BOOT_PML4_PHYS);
    // PML4 + 3 PDPTs + one PD per GiB of the largest guest.
    assert!(BOOT_PML4_PHYS + (4 + MAX_GUEST_MEMORY / (1 << 30)) * PAGE_SIZE <= BOOT_PT_END);
    assert!(BOOT_PT_END <= KERNEL_PHYS_BASE);
    assert!(DIRECT_MAP_BASE >= KERNEL_SPACE_START);
    // Everything is in the lower half (bit 47 clear): PVM gives the guest
    // nothing else.
    assert!(KERNEL_VIRT_BASE + KERNEL_MAP_SIZE <= 1 << 47);
    assert!(DIRECT_MAP_BASE + MAX_GUEST_MEMORY <= KERNEL_VIRT_BASE);
    assert!(USER_SPACE_END < KERNEL_SPACE_START);
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_xapic_page_is_never_ram() {
        let mut m = MIN_GUEST_MEMORY;
        while m <= MAX_GUEST_MEMORY {
            let p = xapic_phys(m);
            assert!(p >= m, "{m:#x}: the APIC page {p:#x} lies in RAM");
            assert_eq!(p % PAGE_SIZE, 0);
            if m <= XAPIC_DEFAULT_PHYS {
                assert_eq!(p, XAPIC_DEFAULT_PHYS, "moved without need");
            }
            m += LARGE_PAGE_SIZE * 61;
        }
        assert_eq!(
            xapic_phys(XAPIC_DEFAULT_PHYS + LARGE_PAGE_SIZE),
            XAPIC_DEFAULT_PHYS + LARGE_PAGE_SIZE
        );
        assert!(kernel_image_to_phys(XAPIC_VIRT).is_none());
        assert!(direct_map_to_phys(XAPIC_VIRT).is_none());
    }

    #[test]
    fn kernel_space_indices() {
        assert_eq!((DIRECT_MAP_BASE >> 39) & 0x1ff, 254);
        assert_eq!((KERNEL_VIRT_BASE >> 39) & 0x1ff, 255);
        assert_eq!((KERNEL_VIRT_BASE >> 30) & 0x1ff, 0);
    }

    #[test]
    fn translations() {
        assert_eq!(direct_map_to_phys(DIRECT_MAP_BASE + 0x1234), Some(0x1234));
        assert_eq!(direct_map_to_phys(0x1234), None);
        assert_eq!(
            kernel_image_to_phys(KERNEL_VIRT_BASE + 0x10_0000),
            Some(0x10_0000)
        );
        assert_eq!(kernel_image_to_phys(DIRECT_MAP_BASE), None);
    }
}
