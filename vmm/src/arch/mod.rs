//! x86_64 machine setup done by the VMM before the kernel's first
//! instruction: GDT, first page tables, long-mode registers, CPUID.

pub mod cpuid;
pub mod gdt;
pub mod paging;
pub mod regs;
