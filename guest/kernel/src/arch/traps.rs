//! Exception and interrupt entry: one 16-byte stub per vector pushes a dummy
//! error code where the CPU pushes none, then the vector, and joins
//! `trap_common`, which saves the registers as a [`TrapFrame`], switches GS
//! when coming from user mode and calls [`trap_handler`].
//!
//! A CPU exception in user mode becomes the signal Linux would send, with
//! its siginfo (`fault_info`): to the thread's handler if it has one, else
//! the whole process dies of it; one in kernel mode is a kernel bug and a
//! panic report with the registers. Every return to user mode from here
//! goes through signal delivery.

use x86_64::registers::control::{Cr2, Cr3};

use abi::linux::signal::{SIG_DFL, SIG_IGN};
use abi::linux::uapi::Siginfo;

use super::trapframe::{TrapFrame, TrapFrameExt, CS_OFFSET};
use crate::hypercall;
use crate::signal::deliver::exit_to_user_mode;

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

/// Linux's signal and siginfo for a CPU exception in user mode
/// (arch/x86/kernel/traps.c, fault.c): the si_code and the address the
/// program is told about.
fn fault_info(vector: u64, frame: &TrapFrame, cr2: u64) -> Siginfo {
    use abi::linux::signal::*;
    let (sig, code, addr) = match vector {
        0 => (SIGFPE, FPE_INTDIV, frame.rip),
        16 | 19 => (SIGFPE, 0, frame.rip),
        1 => (SIGTRAP, TRAP_TRACE, 0),
        // int3: the kernel's own siginfo, as Linux's do_int3_user.
        3 => (SIGTRAP, SI_KERNEL, 0),
        6 => (SIGILL, ILL_ILLOPN, frame.rip),
        17 => (SIGBUS, BUS_ADRALN, 0),
        11 | 12 => (SIGBUS, SI_KERNEL, 0),
        14 => {
            // MAPERR where no mapping covers the address, ACCERR where one
            // does but forbids the access.
            let mapped = crate::task::with_mm(|mm| mm.find(cr2).is_some());
            (SIGSEGV, if mapped { SEGV_ACCERR } else { SEGV_MAPERR }, cr2)
        }
        _ => (SIGSEGV, SI_KERNEL, 0), // #GP, #OF, #BR, ...
    };
    Siginfo::fault(sig, code, addr)
}

extern "C" fn trap_handler(frame: &mut TrapFrame) {
    let vector = frame.vector;
    if vector == u64::from(super::lapic::TIMER_VECTOR) {
        let from_user = frame.is_from_user();
        crate::timer::interrupt(from_user);
        if from_user {
            exit_to_user_mode(frame, None);
        }
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
        let mut bus = false;
        if vector == 14 {
            match crate::mm::fault::handle_user_fault(cr2, frame.error_code) {
                Ok(()) => {
                    exit_to_user_mode(frame, None);
                    return;
                }
                Err(f) => bus = f == crate::mm::fault::Fault::Bus,
            }
        }
        let info = if bus {
            // A mapped file's page past its end.
            Siginfo::fault(
                abi::linux::signal::SIGBUS,
                abi::linux::signal::BUS_ADRERR,
                cr2,
            )
        } else {
            fault_info(vector, frame, cr2)
        };
        let sig = info.si_signo as u64;
        let t = crate::task::current();
        let handler = t.sighand.borrow().actions[sig as usize - 1].sa_handler;
        let caught = handler != SIG_DFL
            && handler != SIG_IGN
            && t.blocked & abi::linux::signal::sigmask(sig) == 0;
        if !caught {
            // The default action: the whole group dies of it.
            if t.tgid == 1 {
                // The guest's init dies: the run ends, with the fault's
                // details.
                hypercall::killed(sig as i32, Some((frame.rip, cr2, vector)));
            }
            crate::syscalls::exit::kill_group(sig as i32);
            crate::syscalls::exit::do_exit(sig as i32);
        }
        crate::signal::force_sig(info);
        exit_to_user_mode(frame, None);
        return;
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
