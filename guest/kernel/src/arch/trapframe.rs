//! The register frame every kernel entry (exception, interrupt, syscall)
//! builds on the kernel stack. Field order is the reverse of the pushes in
//! the entry stubs (traps.rs, syscall_entry.rs); keep them in step.

#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
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
    /// Exception vector, or [`SYSCALL_VECTOR`].
    pub vector: u64,
    pub error_code: u64,
    // As pushed by the CPU on an exception (and by the syscall stub).
    pub rip: u64,
    pub cs: u64,
    pub rflags: u64,
    pub rsp: u64,
    pub ss: u64,
}

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

impl TrapFrame {
    pub fn is_from_user(&self) -> bool {
        self.cs & 3 == 3
    }

    pub fn to_abi(self, cr2: u64, cr3: u64) -> abi::hypercall::Registers {
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
