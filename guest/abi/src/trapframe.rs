//! The user register frame at the top of every task's kernel stack, as the
//! host reads it (`vmm run --dump` takes a thread's user rip, rsp and rbp
//! from it). The kernel saves it on every entry from user mode (system
//! call, exception, interrupt) and builds it for a new task in copy_thread;
//! its own definition is checked against this one at compile time.
//!
//! It lies at `TaskStruct::stack + KERNEL_STACK_SIZE - size_of::<TrapFrame>()`.

use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

#[repr(C)]
#[derive(Clone, Copy, Debug, Default, FromBytes, IntoBytes, KnownLayout, Immutable)]
pub struct TrapFrame {
    pub r15: u64,
    pub r14: u64,
    pub r13: u64,
    pub r12: u64,
    pub r11: u64,
    pub r10: u64,
    pub r9: u64,
    pub r8: u64,
    pub rbp: u64,
    pub rdi: u64,
    pub rsi: u64,
    pub rdx: u64,
    pub rcx: u64,
    pub rbx: u64,
    pub rax: u64,
    /// Exception vector, or the kernel's marker for a system call.
    pub vector: u64,
    pub error_code: u64,
    pub rip: u64,
    pub cs: u64,
    pub rflags: u64,
    pub rsp: u64,
    pub ss: u64,
}

/// A switched-out task's saved kernel stack pointer (`TaskStruct::ksp`)
/// points at the callee-saved registers its switch pushed, in this order,
/// followed by the return address into the scheduler.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, FromBytes, IntoBytes, KnownLayout, Immutable)]
pub struct SwitchFrame {
    pub r15: u64,
    pub r14: u64,
    pub r13: u64,
    pub r12: u64,
    pub rbx: u64,
    pub rbp: u64,
    pub ret: u64,
}
