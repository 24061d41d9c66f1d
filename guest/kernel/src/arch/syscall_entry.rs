//! SYSCALL/SYSRET with the Linux x86_64 convention: number in rax, arguments
//! in rdi, rsi, rdx, r10, r8, r9, result in rax; rcx and r11 are clobbered
//! (they carry the return rip and rflags).
//!
//! The entry builds the same [`TrapFrame`] as an exception (vector
//! [`SYSCALL_VECTOR`]), so every kernel entry looks alike to the rest of the
//! kernel, and returns with SYSRET, restoring all other registers — unless
//! the frame cannot be restored by SYSRET (which loads rip from rcx and
//! rflags from r11): after rt_sigreturn or a signal frame the registers are
//! arbitrary, and then the return is IRET's, through `trap_return`, as
//! Linux does.

use abi::linux::syscalls::{__NR_exit, __NR_exit_group, __NR_rt_sigreturn};
use x86_64::registers::model_specific::{Efer, EferFlags, LStar, Msr, SFMask};
use x86_64::registers::rflags::RFlags;
use x86_64::VirtAddr;

use abi::task::{USER_CS, USER_DS};

use super::gdt::{KERNEL_CS, USER32_CS};
use super::percpu::{KERNEL_RSP_OFFSET, USER_RSP_OFFSET};
use super::trapframe::{TrapFrame, SYSCALL_VECTOR};
use crate::hypercall;

core::arch::global_asm!(
    ".section .text",
    ".global syscall_entry",
    "syscall_entry:",
    "    swapgs",
    "    mov gs:[{user_rsp}], rsp",
    "    mov rsp, gs:[{kernel_rsp}]",
    "    push {user_ds}",
    "    push gs:[{user_rsp}]",
    "    push r11",
    "    push {user_cs}",
    "    push rcx",
    "    push 0",
    "    push {vector}",
    crate::push_trapframe_gprs!(),
    "    mov rdi, rsp",
    "    cld",
    "    call {handler}",
    "    test al, al",
    "    jnz trap_return",
    crate::pop_trapframe_gprs!(),
    "    add rsp, 16",
    // rsp -> rip, cs, rflags, rsp, ss. The handler guarantees a canonical
    // rip: SYSRET with a non-canonical rcx faults in ring 0 on Intel.
    "    mov rcx, [rsp]",
    "    mov r11, [rsp + 16]",
    "    mov rsp, [rsp + 24]",
    "    swapgs",
    "    sysretq",
    user_rsp = const USER_RSP_OFFSET,
    kernel_rsp = const KERNEL_RSP_OFFSET,
    user_ds = const USER_DS,
    user_cs = const USER_CS,
    vector = const SYSCALL_VECTOR,
    handler = sym syscall_handler,
);

extern "C" {
    fn syscall_entry();
}

const IA32_STAR: u32 = 0xc000_0081;

pub fn init() {
    // SAFETY: boot, single CPU; the entry point and selectors are final.
    unsafe {
        let star = (u64::from(USER32_CS & !3) << 48) | (u64::from(KERNEL_CS) << 32);
        Msr::new(IA32_STAR).write(star);
        LStar::write(VirtAddr::new(syscall_entry as *const () as u64));
        // Interrupts, traps, direction and alignment checks off on entry,
        // as Linux's SYSCALL_MASK.
        SFMask::write(
            RFlags::INTERRUPT_FLAG
                | RFlags::TRAP_FLAG
                | RFlags::DIRECTION_FLAG
                | RFlags::ALIGNMENT_CHECK
                | RFlags::NESTED_TASK
                | RFlags::IOPL_HIGH
                | RFlags::IOPL_LOW,
        );
        Efer::update(|f| {
            f.insert(EferFlags::SYSTEM_CALL_EXTENSIONS | EferFlags::NO_EXECUTE_ENABLE)
        });
    }
}

/// Serves the call in `frame`; returns true when the return must be IRET.
extern "C" fn syscall_handler(frame: &mut TrapFrame) -> bool {
    let nr = frame.rax;
    let mut args = [
        frame.rdi, frame.rsi, frame.rdx, frame.r10, frame.r8, frame.r9,
    ];
    // Off, reporting costs this branch and the one after the call.
    let reports = hypercall::syscall_reports();
    if reports != 0 {
        if reports & hypercall::REPORTS_TIMES != 0 {
            crate::syscall_clock::enter();
        }
        if nr == __NR_exit || nr == __NR_exit_group {
            hypercall::syscall_noreturn(reports, nr, args);
        }
    }
    frame.rax = crate::syscalls::dispatch(nr, args, frame) as u64;
    let sigreturn = nr == __NR_rt_sigreturn;
    if sigreturn {
        // What strace shows of it: the mask it restored.
        args[0] = crate::task::current().blocked;
    }
    hypercall::syscall_exit(nr, args, frame.rax);
    // rt_sigreturn's rax is the interrupted code's, not a result to
    // restart by.
    let syscall = if sigreturn { None } else { Some(nr) };
    crate::signal::deliver::exit_to_user_mode(frame, syscall);
    if !super::is_canonical(frame.rip) {
        // Only rt_sigreturn can set it, and it has queued SIGSEGV for
        // it; if that did not end the process, nothing can return there.
        crate::syscalls::exit::kill_group(abi::linux::signal::SIGSEGV as i32);
        crate::syscalls::exit::do_exit(abi::linux::signal::SIGSEGV as i32);
    }
    frame.rcx != frame.rip || frame.r11 != frame.rflags || frame.rflags & SYSRET_UNSAFE != 0
}

/// RFLAGS bits SYSRET would mishandle: TF (a trap right after it, in the
/// kernel's context on some CPUs) and RF.
const SYSRET_UNSAFE: u64 = (1 << 8) | (1 << 16);

/// A SYSCALL from user mode that arrived as a page fault on the entry point.
///
/// Under PVM (the KVM implementation of the machines this project runs on,
/// which needs no VMX) a kernel that is not a PVM guest is emulated in
/// supervisor mode while user mode runs natively, and a user SYSCALL comes
/// back as a user-mode page fault at `LSTAR` with the SYSCALL already done:
/// rcx holds the return address and r11 the user flags. The fault is the
/// system call; it is served here and returns with IRET.
pub fn is_pvm_syscall_fault(frame: &TrapFrame, cr2: u64) -> bool {
    let entry = syscall_entry as *const () as u64;
    frame.rip == entry && cr2 == entry
}

pub fn syscall_from_fault(frame: &mut TrapFrame) {
    frame.rip = frame.rcx;
    frame.rflags = (frame.r11 & !RFLAGS_FORBIDDEN) | 0x202;
    // The return is IRET's (trap_return) whatever the handler says.
    let _ = syscall_handler(frame);
}

/// RFLAGS bits a user program may not carry back from a system call
/// (IOPL, NT, RF, VM, AC, VIF, VIP).
const RFLAGS_FORBIDDEN: u64 =
    (3 << 12) | (1 << 14) | (1 << 16) | (1 << 17) | (1 << 18) | (1 << 19) | (1 << 20);
