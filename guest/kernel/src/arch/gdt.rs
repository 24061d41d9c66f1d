//! The kernel's GDT and TSS. Selectors are Linux's, so user programs see the
//! same `cs`/`ss` as on Linux:
//!
//! ```text
//! 0x08 kernel 32-bit code (unused)   0x10 kernel code   0x18 kernel data
//! 0x23 user 32-bit code (unused)     0x2b user data     0x33 user code
//! 0x40 TSS (two slots)
//! ```
//! SYSCALL/SYSRET derive their selectors from STAR, which needs exactly this
//! order (kernel CS, kernel SS = +8; user SS = base+8, user CS = base+16).
//! The user selectors are `abi::task`'s (the host recognises a user frame
//! by its `cs`); the slots below are checked against them at compile time.

use abi::task::{USER_CS, USER_DS};

use x86_64::instructions::segmentation::{Segment, CS, DS, ES, SS};
use x86_64::instructions::tables::load_tss;
use x86_64::structures::gdt::{Descriptor, GlobalDescriptorTable, SegmentSelector};
use x86_64::structures::tss::TaskStateSegment;
use x86_64::{PrivilegeLevel, VirtAddr};

pub const KERNEL_CS: u16 = 0x10;
pub const KERNEL_DS: u16 = 0x18;
pub const USER32_CS: u16 = 0x23;

/// GDT slots of the user data and code descriptors (see the table above).
const USER_DS_SLOT: u16 = 5;
const USER_CS_SLOT: u16 = 6;

/// The ring-3 selector of GDT slot `slot`.
const fn user_selector(slot: u16) -> u64 {
    (slot as u64) << 3 | 3
}

const _: () = {
    assert!(user_selector(USER_DS_SLOT) == USER_DS);
    assert!(user_selector(USER_CS_SLOT) == USER_CS);
    // What SYSRET loads from STAR's user base (USER32_CS without its RPL).
    assert!((USER32_CS & !3) as u64 + 8 == USER_DS & !3);
    assert!((USER32_CS & !3) as u64 + 16 == USER_CS & !3);
};

/// IST slots (1-based as in the IDT gate).
pub const IST_DOUBLE_FAULT: u8 = 1;
pub const IST_NMI: u8 = 2;
pub const IST_MACHINE_CHECK: u8 = 3;
const IST_STACK_SIZE: usize = 16 * 1024;

#[repr(C, align(16))]
struct IstStacks([[u8; IST_STACK_SIZE]; 3]);
static mut IST_STACKS: IstStacks = IstStacks([[0; IST_STACK_SIZE]; 3]);

static mut TSS: TaskStateSegment = TaskStateSegment::new();
static mut GDT: GlobalDescriptorTable<10> = GlobalDescriptorTable::empty();

pub fn init() {
    // SAFETY: boot, single CPU, before anything uses the TSS or selectors.
    unsafe {
        let tss = &mut *core::ptr::addr_of_mut!(TSS);
        let stacks = &*core::ptr::addr_of!(IST_STACKS);
        for (i, stack) in stacks.0.iter().enumerate() {
            let top = stack.as_ptr() as u64 + IST_STACK_SIZE as u64;
            tss.interrupt_stack_table[i] = VirtAddr::new(top);
        }
        let gdt = &mut *core::ptr::addr_of_mut!(GDT);
        gdt.append(Descriptor::UserSegment(0x00cf_9b00_0000_ffff)); // 0x08
        let kcs = gdt.append(Descriptor::kernel_code_segment()); // 0x10
        let kds = gdt.append(Descriptor::kernel_data_segment()); // 0x18
        gdt.append(Descriptor::UserSegment(0x00cf_fb00_0000_ffff)); // 0x20 (0x23)
        let uds = gdt.append(Descriptor::user_data_segment()); // 0x28 (0x2b)
        let ucs = gdt.append(Descriptor::user_code_segment()); // 0x30 (0x33)
        gdt.append(Descriptor::UserSegment(0)); // 0x38 spare
        let tss_sel = gdt.append(Descriptor::tss_segment_unchecked(tss)); // 0x40
        debug_assert_eq!(kcs.0, KERNEL_CS);
        debug_assert_eq!(kds.0, KERNEL_DS);
        debug_assert_eq!(u64::from(uds.0), user_selector(USER_DS_SLOT));
        debug_assert_eq!(u64::from(ucs.0), user_selector(USER_CS_SLOT));
        debug_assert_eq!(tss_sel.0, 0x40);
        gdt.load_unsafe();
        CS::set_reg(SegmentSelector::new(KERNEL_CS >> 3, PrivilegeLevel::Ring0));
        let ds = SegmentSelector::new(KERNEL_DS >> 3, PrivilegeLevel::Ring0);
        SS::set_reg(ds);
        DS::set_reg(ds);
        ES::set_reg(ds);
        load_tss(tss_sel);
    }
}

/// Kernel stack for exceptions and interrupts taken in user mode.
pub fn set_rsp0(top: u64) {
    // SAFETY: single CPU; the CPU reads RSP0 only on a privilege change.
    unsafe { (*core::ptr::addr_of_mut!(TSS)).privilege_stack_table[0] = VirtAddr::new(top) };
}
