//! The IDT: 256 interrupt gates to the stubs in traps.rs (interrupts stay
//! off in the handler). Gates 3 and 4 are callable from user mode (`int3`,
//! `into`) as on Linux; #DF, NMI and #MC run on their own IST stacks so a
//! broken kernel stack still produces a report.

use x86_64::instructions::tables::lidt;
use x86_64::structures::DescriptorTablePointer;
use x86_64::VirtAddr;

use super::gdt::{IST_DOUBLE_FAULT, IST_MACHINE_CHECK, IST_NMI, KERNEL_CS};

/// Vectors with a gate: the 32 exceptions and 16 interrupt vectors (the
/// LAPIC timer and spurious vectors will live there). A vector past the
/// limit is a #GP naming it, not silence. Kept short because building each
/// gate is costly when the kernel runs emulated.
pub const VECTORS: usize = 48;

#[repr(C, align(16))]
struct Idt([u128; VECTORS]);
static mut IDT: Idt = Idt([0; VECTORS]);

/// A 64-bit interrupt gate (type 0xE).
fn gate(handler: u64, ist: u8, dpl: u8) -> u128 {
    let low = (handler & 0xffff)
        | (u64::from(KERNEL_CS) << 16)
        | (u64::from(ist & 7) << 32)
        | ((0x8e | (u64::from(dpl & 3) << 5)) << 40)
        | ((handler >> 16) & 0xffff) << 48;
    let high = handler >> 32;
    u128::from(low) | (u128::from(high) << 64)
}

pub fn init() {
    // SAFETY: boot, single CPU; the table is static and lives forever.
    unsafe {
        let idt = &mut *core::ptr::addr_of_mut!(IDT);
        for (v, entry) in idt.0.iter_mut().enumerate() {
            let handler = super::traps::stub_address(v);
            let ist = match v {
                8 => IST_DOUBLE_FAULT,
                2 => IST_NMI,
                18 => IST_MACHINE_CHECK,
                _ => 0,
            };
            let dpl = if v == 3 || v == 4 { 3 } else { 0 };
            *entry = gate(handler, ist, dpl);
        }
        lidt(&DescriptorTablePointer {
            limit: (core::mem::size_of::<Idt>() - 1) as u16,
            base: VirtAddr::new(idt.0.as_ptr() as u64),
        });
    }
}
