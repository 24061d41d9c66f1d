//! Exception and interrupt entry: one 16-byte stub per vector pushes a dummy
//! error code where the CPU pushes none, then the vector, and joins
//! `trap_common`, which saves the registers as a [`TrapFrame`], switches GS
//! when coming from user mode and calls [`trap_handler`].
//!
//! A CPU exception in user mode becomes the signal Linux would send (the
//! whole process dies of it: no signal handlers yet); one in kernel mode is
//! a kernel bug and a panic report with the registers.

use x86_64::registers::control::{Cr2, Cr3};

use super::trapframe::{TrapFrame, TrapFrameExt, CS_OFFSET};
use crate::hypercall;

core::arch::global_asm!(
    ".section .text",
    ".balign 16",
    ".global trap_stubs",
    "trap_stubs:",
    ".set vec, 0",
    ".rept 256",
    "    .balign 16",
    // Vectors for which the CPU pushes an error code.
    "    .if (vec == 8) || (vec == 10) || (vec == 11) || (vec == 12) || (vec == 13) || (vec == 14) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30)",
    "    .else",
    "    .byte 0x6a, 0x00", // push 0
    "    .endif",
    "    .byte 0x68",       // push imm32
    "    .long vec",
    "    jmp trap_common",
    "    .set vec, vec + 1",
    ".endr",
    "",
    ".global trap_common",
    "trap_common:",
    crate::push_trapframe_gprs!(),
    "    test qword ptr [rsp + {cs}], 3",
    "    jz 1f",
    "    swapgs",
    "1:",
    "    mov rdi, rsp",
    "    cld",
    "    call {handler}",
    ".global trap_return",
    "trap_return:",
    "    test qword ptr [rsp + {cs}], 3",
    "    jz 2f",
    "    swapgs",
    "2:",
    crate::pop_trapframe_gprs!(),
    "    add rsp, 16",
    "    iretq",
    cs = const CS_OFFSET,
    handler = sym trap_handler,
);

extern "C" {
    static trap_stubs: u8;
    fn trap_return() -> !;
}

/// Address of the stub for vector `v`.
pub fn stub_address(v: usize) -> u64 {
    // SAFETY: only the address of the symbol is taken.
    core::ptr::addr_of!(trap_stubs) as u64 + 16 * v as u64
}

/// Leaves the kernel through `trap_return` with the registers in `frame`.
///
/// # Safety
/// `frame` must be a complete frame for a return to user mode, on a stack
/// that stays valid (the kernel stack of the current task).
pub unsafe fn return_to(frame: *const TrapFrame) -> ! {
    unsafe {
        core::arch::asm!("mov rsp, {0}", "jmp {1}", in(reg) frame, sym trap_return, options(noreturn));
    }
}

/// Linux's signal for a CPU exception in user mode (arch/x86/kernel/traps.c).
fn signal_for(vector: u64) -> i32 {
    use abi::linux::signal::{SIGBUS, SIGFPE, SIGILL, SIGSEGV, SIGTRAP};
    let sig = match vector {
        0 | 16 | 19 => SIGFPE,  // #DE, #MF, #XM
        1 | 3 => SIGTRAP,       // #DB, #BP
        6 => SIGILL,            // #UD
        11 | 12 | 17 => SIGBUS, // #NP, #SS, #AC
        _ => SIGSEGV,           // #GP, #PF, #OF, #BR, ...
    };
    sig as i32
}

extern "C" fn trap_handler(frame: &mut TrapFrame) {
    let vector = frame.vector;
    if vector == u64::from(super::lapic::TIMER_VECTOR) {
        crate::timer::interrupt(frame.is_from_user());
        return;
    }
    if vector >= 32 {
        // Spurious or unexpected: nothing else raises interrupts.
        return;
    }
    let cr2 = if vector == 14 { Cr2::read_raw() } else { 0 };
    if frame.is_from_user()
        && vector == 14
        && super::syscall_entry::is_pvm_syscall_fault(frame, cr2)
    {
        super::syscall_entry::syscall_from_fault(frame);
        return;
    }
    if frame.is_from_user() {
        if vector == 14 && crate::mm::fault::handle_user_fault(cr2, frame.error_code) {
            return;
        }
        // int3 reports the address after the instruction, as Linux does.
        let signal = signal_for(vector);
        if crate::task::current().tgid == 1 {
            // The guest's init dies: the run ends, with the fault's details.
            hypercall::killed(signal, Some((frame.rip, cr2, vector)));
        }
        // Default action of a fatal signal: the whole group dies of it.
        crate::syscalls::exit::kill_group(signal);
        crate::syscalls::exit::do_exit(signal);
    }
    kernel_fault(frame, cr2)
}

fn kernel_fault(frame: &TrapFrame, cr2: u64) -> ! {
    let (cr3, _) = Cr3::read_raw();
    let name = crate::panic::vector_name(frame.vector);
    let mut msg = crate::klog::FixedBuf::<256>::new();
    let _ = core::fmt::write(
        &mut msg,
        format_args!(
            "{name} in kernel mode at {:#x} (error code {:#x}, cr2 {:#x})",
            frame.rip, frame.error_code, cr2
        ),
    );
    let regs = frame.to_abi(cr2, cr3.start_address().as_u64());
    crate::panic::report(msg.as_bytes(), Some(regs), frame.rbp)
}
