//! The boot GDT at [`GDT_PHYS`]: null, null, 64-bit kernel code (0x10), kernel
//! data (0x18) — Linux's boot selectors. The kernel replaces it with its own
//! (user segments, TSS) early when it runs on hardware virtualization; under
//! PVM, segmentation is emulated and only these selector values matter.

use abi::layout::GDT_PHYS;
use kvm_bindings::kvm_segment;
use vm_memory::{Bytes, GuestAddress, GuestMemoryMmap};

pub const CODE_SELECTOR: u16 = 0x10;
pub const DATA_SELECTOR: u16 = 0x18;

/// Descriptor for a flat segment: `flags` holds the access byte in bits
/// 0..8 and the G/DB/L nibble in bits 12..16, as in the descriptor itself.
pub const fn descriptor(flags: u64, base: u64, limit: u64) -> u64 {
    ((base & 0xff00_0000) << 32)
        | ((base & 0x00ff_ffff) << 16)
        | (limit & 0xffff)
        | ((limit & 0xf_0000) << 32)
        | ((flags & 0xf0ff) << 40)
}

/// Present, DPL 0, code, execute/read, accessed; G and L set.
pub const CODE64: u64 = descriptor(0xa09b, 0, 0xfffff);
/// Present, DPL 0, data, read/write, accessed; G and DB set.
pub const DATA: u64 = descriptor(0xc093, 0, 0xfffff);

pub const GDT: [u64; 4] = [0, 0, CODE64, DATA];

/// The `kvm_segment` KVM needs for a descriptor at `selector` (the hidden
/// part of the segment register, which KVM does not read from the GDT).
pub fn segment(entry: u64, selector: u16) -> kvm_segment {
    kvm_segment {
        base: ((entry >> 16) & 0xff_ffff) | ((entry >> 32) & 0xff00_0000),
        limit: {
            let raw = ((entry & 0xffff) | ((entry >> 32) & 0xf_0000)) as u32;
            if (entry >> 55) & 1 == 1 {
                (raw << 12) | 0xfff
            } else {
                raw
            }
        },
        selector,
        type_: ((entry >> 40) & 0xf) as u8,
        present: ((entry >> 47) & 1) as u8,
        dpl: ((entry >> 45) & 3) as u8,
        db: ((entry >> 54) & 1) as u8,
        s: ((entry >> 44) & 1) as u8,
        l: ((entry >> 53) & 1) as u8,
        g: ((entry >> 55) & 1) as u8,
        avl: ((entry >> 52) & 1) as u8,
        unusable: 0,
        padding: 0,
    }
}

pub fn write(mem: &GuestMemoryMmap) -> vm_memory::GuestMemoryResult<()> {
    for (i, entry) in GDT.iter().enumerate() {
        mem.write_obj(*entry, GuestAddress(GDT_PHYS + 8 * i as u64))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_descriptors() {
        // The classic flat 64-bit code and data descriptors.
        assert_eq!(CODE64, 0x00af_9b00_0000_ffff);
        assert_eq!(DATA, 0x00cf_9300_0000_ffff);
    }

    #[test]
    fn segments_decode() {
        let cs = segment(CODE64, CODE_SELECTOR);
        assert_eq!(
            (cs.l, cs.db, cs.present, cs.dpl, cs.s, cs.type_),
            (1, 0, 1, 0, 1, 0xb)
        );
        assert_eq!(cs.limit, 0xffff_ffff);
        let ds = segment(DATA, DATA_SELECTOR);
        assert_eq!((ds.l, ds.db, ds.type_, ds.base), (0, 1, 3, 0));
    }
}
