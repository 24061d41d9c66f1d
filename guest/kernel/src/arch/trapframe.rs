//! The register frame every kernel entry (exception, interrupt, syscall)
//! builds on the kernel stack. Field order is the reverse of the pushes in
//! the entry stubs (traps.rs, syscall_entry.rs); keep them in step.

/// The layout lives in `guest/abi` (the host reads it at the top of every
/// kernel stack); the assembly below pushes and pops exactly it.
pub use abi::trapframe::TrapFrame;

/// `TrapFrame::vector` of a frame built by the SYSCALL entry.
pub const SYSCALL_VECTOR: u64 = 0x100;

/// Offset of `cs` in the frame, used by the assembly.
pub const CS_OFFSET: usize = core::mem::offset_of!(TrapFrame, cs);

// The host finds a task's user cs and rsp from the top of its kernel stack.
const _: () = {
    let size = core::mem::size_of::<TrapFrame>();
    assert!(size - CS_OFFSET == abi::task::USER_CS_FROM_STACK_TOP as usize);
    assert!(
        size - core::mem::offset_of!(TrapFrame, rsp) == abi::task::USER_RSP_FROM_STACK_TOP as usize
    );
};

/// What the kernel asks of a saved frame.
pub trait TrapFrameExt {
    fn is_from_user(&self) -> bool;
    fn to_abi(self, cr2: u64, cr3: u64) -> abi::hypercall::Registers;
}

impl TrapFrameExt for TrapFrame {
    fn is_from_user(&self) -> bool {
        self.cs & 3 == 3
    }

    fn to_abi(self, cr2: u64, cr3: u64) -> abi::hypercall::Registers {
        abi::hypercall::Registers {
            rax: self.rax,
            rbx: self.rbx,
            rcx: self.rcx,
            rdx: self.rdx,
            rsi: self.rsi,
            rdi: self.rdi,
            rbp: self.rbp,
            rsp: self.rsp,
            r8: self.r8,
            r9: self.r9,
            r10: self.r10,
            r11: self.r11,
            r12: self.r12,
            r13: self.r13,
            r14: self.r14,
            r15: self.r15,
            rip: self.rip,
            rflags: self.rflags,
            cs: self.cs,
            ss: self.ss,
            cr2,
            cr3,
            vector: self.vector,
            error_code: self.error_code,
        }
    }
}

/// Assembly that pushes the general registers in the order that makes them
/// the first fields of [`TrapFrame`] (rax first, so r15 ends lowest).
#[macro_export]
macro_rules! push_trapframe_gprs {
    () => {
        "push rax\npush rbx\npush rcx\npush rdx\npush rsi\npush rdi\npush rbp\npush r8\npush r9\npush r10\npush r11\npush r12\npush r13\npush r14\npush r15"
    };
}

/// The inverse of [`push_trapframe_gprs`].
#[macro_export]
macro_rules! pop_trapframe_gprs {
    () => {
        "pop r15\npop r14\npop r13\npop r12\npop r11\npop r10\npop r9\npop r8\npop rbp\npop rdi\npop rsi\npop rdx\npop rcx\npop rbx\npop rax"
    };
}

// switch_stacks (sched.rs) pushes rbp, rbx, r12..r15 below its return
// address: `abi::trapframe::SwitchFrame`, which the host reads at `ksp`.
const _: () = {
    use core::mem::{offset_of, size_of};
    assert!(size_of::<abi::trapframe::SwitchFrame>() == 7 * 8);
    assert!(offset_of!(abi::trapframe::SwitchFrame, rbp) == 5 * 8);
};
