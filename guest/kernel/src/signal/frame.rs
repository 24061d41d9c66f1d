//! The user frame of a handler — Linux's x86_64 `struct rt_sigframe`
//! (`abi::linux::uapi::RtSigframe`) and the FXSAVE image it points to —
//! built by [`setup_rt_frame`] and undone by [`restore_rt_frame`]
//! (rt_sigreturn), and the alternate signal stack (sigaltstack) the frame
//! may go on.
//!
//! Placement as Linux's get_sigframe: below the interrupted rsp's 128-byte
//! red zone, or at the top of the alternate stack for an SA_ONSTACK handler
//! not already on it; the FXSAVE image 64-byte aligned below that, then the
//! frame, with rsp + 8 a multiple of 16 at the handler's first instruction
//! (as right after a call). A frame that would not fit on the alternate
//! stack is refused (the thread gets SIGSEGV instead).

use abi::linux::signal::{
    SA_ONSTACK, SA_RESTORER, SS_AUTODISARM, SS_DISABLE, SS_FLAG_BITS, SS_ONSTACK, UC_SIGCONTEXT_SS,
    UC_STRICT_RESTORE_SS, UNBLOCKABLE,
};
use abi::linux::uapi::{RtSigframe, Sigcontext, Siginfo, StackT, Ucontext};
use abi::task::{USER_CS, USER_DS};

use crate::arch::fpu::FpuState;
use crate::arch::trapframe::{TrapFrame, SYSCALL_VECTOR};
use crate::errno::*;
use crate::mm::uaccess::{read_user, write_user};
use crate::task::{current, with_mm, Task};

/// Bytes below the interrupted rsp a handler's frame must not touch (the
/// System V ABI's red zone).
const RED_ZONE: u64 = 128;

/// RFLAGS bits a frame may change on rt_sigreturn (Linux's FIX_EFLAGS):
/// the arithmetic flags, DF, TF, AC and RF; IF and IOPL stay the kernel's.
const FIX_EFLAGS: u64 =
    0x1 | 0x4 | 0x10 | 0x40 | 0x80 | 0x100 | 0x400 | 0x800 | 0x4_0000 | 0x1_0000;

/// RFLAGS bits cleared for a handler: DF (the ABI wants it clear), TF and
/// RF.
const HANDLER_CLEARS: u64 = 0x400 | 0x100 | 0x1_0000;

/// Whether `sp` lies on `t`'s alternate stack (never, with SS_AUTODISARM:
/// it is disarmed while a handler runs on it).
pub fn on_sig_stack(t: &Task, sp: u64) -> bool {
    if t.sas_ss_flags & SS_AUTODISARM as u32 != 0 {
        return false;
    }
    sp > t.sas_ss_sp && sp - t.sas_ss_sp <= t.sas_ss_size
}

/// sigaltstack's view of the stack for a thread at `sp`: SS_DISABLE without
/// one, SS_ONSTACK while on it, else 0.
fn sas_ss_flags(t: &Task, sp: u64) -> u32 {
    if t.sas_ss_size == 0 {
        SS_DISABLE as u32
    } else if on_sig_stack(t, sp) {
        SS_ONSTACK as u32
    } else {
        0
    }
}

fn sas_ss_reset(t: &mut Task) {
    t.sas_ss_sp = 0;
    t.sas_ss_size = 0;
    t.sas_ss_flags = SS_DISABLE as u32;
}

/// Linux's do_sigaltstack: the old stack as `stack_t`, after installing
/// `new` (if any) for a thread whose user rsp is `sp`. EPERM while running
/// on the current alternate stack; EINVAL for a mode other than 0,
/// SS_ONSTACK or SS_DISABLE; ENOMEM for a stack under `min_size`.
pub fn do_sigaltstack(new: Option<StackT>, sp: u64, min_size: u64) -> KResult<StackT> {
    let t = current();
    let old = StackT {
        ss_sp: t.sas_ss_sp,
        ss_flags: (sas_ss_flags(t, sp) | (t.sas_ss_flags & SS_FLAG_BITS as u32)) as i32,
        _pad: 0,
        ss_size: t.sas_ss_size,
    };
    if let Some(ss) = new {
        let flags = ss.ss_flags as u32;
        let mode = flags & !(SS_FLAG_BITS as u32);
        if on_sig_stack(t, sp) {
            return Err(EPERM);
        }
        if mode != SS_DISABLE as u32 && mode != SS_ONSTACK as u32 && mode != 0 {
            return Err(EINVAL);
        }
        if mode == SS_DISABLE as u32 {
            t.sas_ss_sp = 0;
            t.sas_ss_size = 0;
        } else {
            if ss.ss_size < min_size {
                return Err(ENOMEM);
            }
            t.sas_ss_sp = ss.ss_sp;
            t.sas_ss_size = ss.ss_size;
        }
        t.sas_ss_flags = flags;
    }
    Ok(old)
}

/// A new thread sharing its creator's memory does not share its alternate
/// stack (two threads on one stack would overwrite each other).
pub fn reset_for_new_thread(t: &mut Task) {
    sas_ss_reset(t);
}

/// The user's FPU/SSE registers, live in the CPU (the kernel never uses
/// them), as an FXSAVE image.
fn save_fpu() -> FpuState {
    let mut f = FpuState::zeroed();
    f.save();
    f
}

/// Builds the frame for running `ka`'s handler for `sig` with `info`,
/// saving the interrupted registers `regs` and the mask `old_mask` to
/// restore, and points `regs` at the handler. Returns the frame's user
/// address; `Err` if it cannot be built (no SA_RESTORER, no room, a fault
/// writing it).
pub fn setup_rt_frame(
    sig: u64,
    info: &Siginfo,
    ka: &abi::task::KSigaction,
    regs: &mut TrapFrame,
    old_mask: u64,
) -> Result<u64, ()> {
    // x86_64 returns from handlers only through the C library's restorer.
    if ka.sa_flags & SA_RESTORER == 0 {
        return Err(());
    }
    let t = current();
    let nested = on_sig_stack(t, regs.rsp);
    let mut sp = regs.rsp.wrapping_sub(RED_ZONE);
    let mut entering = false;
    if ka.sa_flags & SA_ONSTACK != 0 && sas_ss_flags(t, sp) == 0 {
        sp = t.sas_ss_sp.wrapping_add(t.sas_ss_size);
        entering = true;
    }
    let fpstate = (sp.wrapping_sub(core::mem::size_of::<FpuState>() as u64)) & !63;
    let mut at = fpstate.wrapping_sub(core::mem::size_of::<RtSigframe>() as u64);
    at = (at & !15).wrapping_sub(8);
    if (nested || entering) && !(at > t.sas_ss_sp && at - t.sas_ss_sp <= t.sas_ss_size) {
        return Err(());
    }
    let is_exception = regs.vector < 32;
    let frame = RtSigframe {
        pretcode: ka.sa_restorer,
        uc: Ucontext {
            uc_flags: UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS,
            uc_link: 0,
            uc_stack: StackT {
                ss_sp: t.sas_ss_sp,
                ss_flags: t.sas_ss_flags as i32,
                _pad: 0,
                ss_size: t.sas_ss_size,
            },
            uc_mcontext: Sigcontext {
                r8: regs.r8,
                r9: regs.r9,
                r10: regs.r10,
                r11: regs.r11,
                r12: regs.r12,
                r13: regs.r13,
                r14: regs.r14,
                r15: regs.r15,
                rdi: regs.rdi,
                rsi: regs.rsi,
                rbp: regs.rbp,
                rbx: regs.rbx,
                rdx: regs.rdx,
                rax: regs.rax,
                rcx: regs.rcx,
                rsp: regs.rsp,
                rip: regs.rip,
                eflags: regs.rflags,
                cs: USER_CS as u16,
                gs: 0,
                fs: 0,
                ss: USER_DS as u16,
                err: if is_exception { regs.error_code } else { 0 },
                trapno: if is_exception && regs.vector != SYSCALL_VECTOR {
                    regs.vector
                } else {
                    0
                },
                oldmask: old_mask,
                cr2: if regs.vector == 14 { info.addr() } else { 0 },
                fpstate,
                reserved1: [0; 8],
            },
            uc_sigmask: old_mask,
        },
        info: *info,
    };
    let fpu = save_fpu();
    let written = with_mm(|mm| {
        write_user(mm, fpstate, &fpu.0)?;
        write_user(mm, at, &frame)
    });
    if written.is_err() {
        return Err(());
    }
    if t.sas_ss_flags & SS_AUTODISARM as u32 != 0 {
        sas_ss_reset(t);
    }
    regs.rdi = sig;
    regs.rax = 0;
    regs.rsi = at + core::mem::offset_of!(RtSigframe, info) as u64;
    regs.rdx = at + core::mem::offset_of!(RtSigframe, uc) as u64;
    regs.rip = ka.sa_handler;
    regs.rsp = at;
    regs.rflags &= !HANDLER_CLEARS;
    regs.cs = USER_CS;
    regs.ss = USER_DS;
    // The handler starts with a clean FPU, as on Linux.
    FpuState::user_init().restore();
    Ok(at)
}

/// rt_sigreturn: restores the registers, FPU state, signal mask and
/// alternate stack saved in the frame below `regs.rsp` (the restorer's
/// `ret` has popped `pretcode`). Returns the restored rax. A frame that
/// cannot be read is Linux's "bad frame": SIGSEGV.
pub fn restore_rt_frame(regs: &mut TrapFrame) -> KResult<u64> {
    let at = regs.rsp.wrapping_sub(8);
    let Ok(frame) = with_mm(|mm| read_user::<RtSigframe>(mm, at)) else {
        super::force_sig(Siginfo::kill(
            abi::linux::signal::SIGSEGV,
            abi::linux::signal::SI_KERNEL,
            0,
            0,
        ));
        return Ok(regs.rax);
    };
    let t = current();
    t.blocked = frame.uc.uc_sigmask & !UNBLOCKABLE;
    super::recalc_sigpending(t);
    let sc = &frame.uc.uc_mcontext;
    regs.r8 = sc.r8;
    regs.r9 = sc.r9;
    regs.r10 = sc.r10;
    regs.r11 = sc.r11;
    regs.r12 = sc.r12;
    regs.r13 = sc.r13;
    regs.r14 = sc.r14;
    regs.r15 = sc.r15;
    regs.rdi = sc.rdi;
    regs.rsi = sc.rsi;
    regs.rbp = sc.rbp;
    regs.rbx = sc.rbx;
    regs.rdx = sc.rdx;
    regs.rax = sc.rax;
    regs.rcx = sc.rcx;
    regs.rsp = sc.rsp;
    regs.rip = sc.rip;
    regs.rflags = (regs.rflags & !FIX_EFLAGS) | (sc.eflags & FIX_EFLAGS);
    regs.cs = USER_CS;
    regs.ss = USER_DS;
    let fpu = if sc.fpstate == 0 {
        Some(FpuState::user_init())
    } else {
        with_mm(|mm| read_user::<[u8; 512]>(mm, sc.fpstate))
            .ok()
            .map(FpuState::from_user)
    };
    match fpu {
        Some(f) => f.restore(),
        None => {
            super::force_sig(Siginfo::kill(
                abi::linux::signal::SIGSEGV,
                abi::linux::signal::SI_KERNEL,
                0,
                0,
            ));
        }
    }
    // As Linux: only a fault reading it matters; other errors (EPERM when
    // returning onto the alternate stack) leave the stack as it is.
    let _ = do_sigaltstack(
        Some(frame.uc.uc_stack),
        regs.rsp,
        abi::linux::signal::MINSIGSTKSZ,
    );
    if !crate::arch::is_canonical(regs.rip) {
        // IRET to it would fault in the kernel: the fault is the
        // program's, as on Linux.
        super::force_sig(Siginfo::kill(
            abi::linux::signal::SIGSEGV,
            abi::linux::signal::SI_KERNEL,
            0,
            0,
        ));
    }
    Ok(regs.rax)
}
