//! Long-mode register state for the kernel's first instruction.

use abi::layout::GDT_PHYS;
use kvm_bindings::{kvm_fpu, kvm_regs, kvm_sregs};

use super::gdt;

pub const CR0_PE: u64 = 1 << 0;
pub const CR0_MP: u64 = 1 << 1;
pub const CR0_ET: u64 = 1 << 4;
pub const CR0_NE: u64 = 1 << 5;
pub const CR0_WP: u64 = 1 << 16;
pub const CR0_AM: u64 = 1 << 18;
pub const CR0_PG: u64 = 1 << 31;
pub const CR4_PAE: u64 = 1 << 5;
pub const CR4_OSFXSR: u64 = 1 << 9;
pub const CR4_OSXMMEXCPT: u64 = 1 << 10;
pub const EFER_SCE: u64 = 1 << 0;
pub const EFER_LME: u64 = 1 << 8;
pub const EFER_LMA: u64 = 1 << 10;
pub const EFER_NXE: u64 = 1 << 11;

/// General registers: `rip` = kernel entry, `rdi` = boot info (virtual),
/// interrupts off. `rsp` is 0: the kernel's entry loads its own stack.
pub fn boot_regs(entry: u64, boot_info_virt: u64) -> kvm_regs {
    kvm_regs {
        rip: entry,
        rdi: boot_info_virt,
        rflags: 0x2,
        ..Default::default()
    }
}

/// Segment and control registers for 64-bit mode with paging on `cr3`.
/// Starts from KVM's reset state (`sregs`), which keeps a valid TR and LDT.
pub fn boot_sregs(mut sregs: kvm_sregs, cr3: u64) -> kvm_sregs {
    let code = gdt::segment(gdt::CODE64, gdt::CODE_SELECTOR);
    let data = gdt::segment(gdt::DATA, gdt::DATA_SELECTOR);
    sregs.cs = code;
    sregs.ds = data;
    sregs.es = data;
    sregs.fs = data;
    sregs.gs = data;
    sregs.ss = data;
    sregs.gdt.base = GDT_PHYS;
    sregs.gdt.limit = (gdt::GDT.len() * 8 - 1) as u16;
    // No IDT: an exception before the kernel installs its own is a triple
    // fault, which the VMM reports with a register dump.
    sregs.idt.base = 0;
    sregs.idt.limit = 0;
    // No LDT (PVM has none; it refuses to leave its emulated bootstrap mode
    // with one), and a busy 64-bit TSS as VM entry requires on hardware.
    sregs.ldt = Default::default();
    sregs.tr.present = 1;
    sregs.tr.type_ = 11;
    sregs.cr3 = cr3;
    sregs.cr4 = CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT;
    // AM is one of the bits PVM requires to run the guest natively (it is
    // inert while RFLAGS.AC is clear).
    sregs.cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_AM | CR0_PG;
    sregs.efer = EFER_LME | EFER_LMA | EFER_SCE | EFER_NXE;
    sregs
}

/// x87 and SSE control words as after FNINIT / Linux's defaults.
pub fn boot_fpu() -> kvm_fpu {
    kvm_fpu {
        fcw: 0x37f,
        mxcsr: 0x1f80,
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_mode_bits() {
        let s = boot_sregs(kvm_sregs::default(), 0x1_0000);
        assert_eq!(s.cr3, 0x1_0000);
        assert!(s.cr0 & CR0_PG != 0 && s.cr0 & CR0_PE != 0);
        assert!(s.efer & EFER_LMA != 0 && s.efer & EFER_LME != 0);
        assert_eq!(s.cs.l, 1);
        let r = boot_regs(0xffff_ffff_8010_0000, 0xffff_8880_0000_2000);
        assert_eq!(r.rflags & (1 << 9), 0, "interrupts must be off");
    }
}
