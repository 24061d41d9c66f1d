//! Delivery on the way back to user mode (Linux's exit_to_user_mode_loop,
//! arch_do_signal_or_restart, get_signal and handle_signal): every return
//! to user mode — from a system call, an interrupt, an exception, and a new
//! task's first — passes through [`exit_to_user_mode`]. With nothing
//! pending that costs one test of `Task::sigpending`.
//!
//! While something unblocked is pending, signals are taken one at a time:
//! ignored ones are dropped, a fatal default action ends the group, and a
//! handler gets a frame on the user stack; further pending signals get
//! frames on top of it (so the last one taken runs first, as on Linux).
//!
//! A system call interrupted by a signal returns one of the kernel-internal
//! ERESTART* values; what it becomes is decided here, once, for the first
//! signal taken: with a handler, EINTR (ERESTARTSYS without SA_RESTART,
//! ERESTARTNOHAND, ERESTART_RESTARTBLOCK) or a restart (ERESTARTSYS with
//! SA_RESTART, ERESTARTNOINTR); with no handler, a restart, through
//! restart_syscall for ERESTART_RESTARTBLOCK.

use abi::linux::errno::{ERESTARTNOHAND, ERESTARTNOINTR, ERESTARTSYS, ERESTART_RESTARTBLOCK};
use abi::linux::signal::{sigmask, SA_NODEFER, SA_RESETHAND, SA_RESTART, SIG_DFL, SIG_IGN};
use abi::linux::syscalls::__NR_restart_syscall;

use crate::arch::trapframe::TrapFrame;
use crate::errno::EINTR;
use crate::task::current;

/// Length of the SYSCALL instruction: a restart re-executes it.
const SYSCALL_INSN_LEN: u64 = 2;

/// Runs before every return to user mode with the frame that will be
/// restored. `syscall`: the number of the system call returning, whose
/// result is in `frame.rax` (None from interrupts, exceptions, a new task,
/// and rt_sigreturn, whose rax is the restored one).
#[inline(always)]
pub fn exit_to_user_mode(frame: &mut TrapFrame, syscall: Option<u64>) {
    if current().sigpending == 0 {
        return;
    }
    do_signal(frame, syscall);
}

#[inline(never)]
fn do_signal(frame: &mut TrapFrame, mut syscall: Option<u64>) {
    loop {
        let t = current();
        if t.killed != 0 {
            let status = t.signal.borrow().group_exit().unwrap_or(9);
            crate::syscalls::exit::do_exit(status);
        }
        // The test fault lets one blocked signal through, for the host's
        // check that this never happens.
        let allowed = if t.break_sigmask { !0 } else { !t.blocked };
        let Some(info) = super::dequeue_signal(allowed) else {
            break;
        };
        let t = current();
        t.break_sigmask = false;
        let sig = info.si_signo as u64;
        let ka = t.sighand.borrow().actions[sig as usize - 1];
        if ka.sa_handler == SIG_IGN {
            continue;
        }
        if ka.sa_handler == SIG_DFL {
            if super::default_ignored(sig) {
                continue;
            }
            // The default action of every other signal ends the group.
            fatal(sig as i32);
        }
        if let Some(nr) = syscall.take() {
            restart_with_handler(frame, nr, ka.sa_flags & SA_RESTART != 0);
        }
        let blocked_before = t.blocked;
        let old_mask = t.saved_sigmask.take().unwrap_or(blocked_before);
        match super::frame::setup_rt_frame(sig, &info, &ka, frame, old_mask) {
            Ok(at) => {
                let t = current();
                let mut add = ka.sa_mask;
                if ka.sa_flags & SA_NODEFER == 0 {
                    add |= sigmask(sig);
                }
                t.blocked = (t.blocked | add) & !abi::linux::signal::UNBLOCKABLE;
                if ka.sa_flags & SA_RESETHAND != 0 {
                    t.sighand.borrow_mut().actions[sig as usize - 1].sa_handler = SIG_DFL;
                }
                super::recalc_sigpending(t);
                crate::hypercall::signal_delivered(t.pid, sig, &info, blocked_before, &ka, at);
            }
            Err(()) => {
                // No room or no restorer for the frame: Linux's
                // force_sigsegv, which ends the process if the handler
                // was SIGSEGV's own.
                let t = current();
                if sig == abi::linux::signal::SIGSEGV {
                    t.sighand.borrow_mut().actions[sig as usize - 1].sa_handler = SIG_DFL;
                }
                super::force_sig(abi::linux::uapi::Siginfo::kill(
                    abi::linux::signal::SIGSEGV,
                    abi::linux::signal::SI_KERNEL,
                    0,
                    0,
                ));
            }
        }
    }
    if let Some(nr) = syscall {
        restart_without_handler(frame, nr);
    }
    // A sigsuspend whose wake-up signal was ignored: its mask goes back.
    let t = current();
    if let Some(mask) = t.saved_sigmask.take() {
        t.blocked = mask;
        super::recalc_sigpending(t);
    }
}

/// A signal's default action ends the thread group with it.
fn fatal(sig: i32) -> ! {
    let t = current();
    if t.tgid == 1 {
        // The guest's init dies: the run ends.
        crate::hypercall::killed(sig, None);
    }
    crate::syscalls::exit::kill_group(sig);
    crate::syscalls::exit::do_exit(sig)
}

fn restart(frame: &mut TrapFrame, nr: u64) {
    frame.rax = nr;
    frame.rip -= SYSCALL_INSN_LEN;
}

fn restart_with_handler(frame: &mut TrapFrame, nr: u64, sa_restart: bool) {
    match -(frame.rax as i64) {
        ERESTART_RESTARTBLOCK | ERESTARTNOHAND => frame.rax = (-EINTR) as u64,
        ERESTARTSYS if !sa_restart => frame.rax = (-EINTR) as u64,
        ERESTARTSYS | ERESTARTNOINTR => restart(frame, nr),
        _ => {}
    }
}

fn restart_without_handler(frame: &mut TrapFrame, nr: u64) {
    match -(frame.rax as i64) {
        ERESTARTNOHAND | ERESTARTSYS | ERESTARTNOINTR => restart(frame, nr),
        ERESTART_RESTARTBLOCK => restart(frame, __NR_restart_syscall),
        _ => {}
    }
}
