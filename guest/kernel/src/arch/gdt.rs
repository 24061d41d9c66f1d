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

use x86_64::instructions::segmentation::{Segment, CS, DS, ES, SS};
use x86_64::instructions::tables::load_tss;
use x86_64::structures::gdt::{Descriptor, GlobalDescriptorTable, SegmentSelector};
use x86_64::structures::tss::TaskStateSegment;
use x86_64::{PrivilegeLevel, VirtAddr};

pub const KERNEL_CS: u16 = 0x10;
pub const KERNEL_DS: u16 = 0x18;
pub const USER32_CS: u16 = 0x23;
pub const USER_DS: u16 = 0x2b;
pub const USER_CS: u16 = 0x33;

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
        gdt.append(Descriptor::user_data_segment()); // 0x28 (0x2b)
        gdt.append(Descriptor::user_code_segment()); // 0x30 (0x33)
        gdt.append(Descriptor::UserSegment(0)); // 0x38 spare
        let tss_sel = gdt.append(Descriptor::tss_segment_unchecked(tss)); // 0x40
        debug_assert_eq!(kcs.0, KERNEL_CS);
        debug_assert_eq!(kds.0, KERNEL_DS);
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
