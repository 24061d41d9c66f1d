//! The scheduler: a FIFO run queue of runnable tasks on one CPU, and the
//! context switch. Tasks switch only inside the kernel (blocking, yielding,
//! exiting); there is no timer preemption yet, so a task spinning in user
//! mode keeps the CPU.

use x86_64::registers::model_specific::FsBase;
use x86_64::VirtAddr;

use crate::arch::percpu;
use crate::mm::paging;
use crate::task::{current, kernel, task, Pid, State, WaitOn};

core::arch::global_asm!(
    ".section .text",
    // switch_stacks(prev_ksp: *mut u64, next_ksp: u64): saves the
    // callee-saved registers on the current stack, swaps stacks, restores.
    ".global switch_stacks",
    "switch_stacks:",
    "    push rbp",
    "    push rbx",
    "    push r12",
    "    push r13",
    "    push r14",
    "    push r15",
    "    mov [rdi], rsp",
    "    mov rsp, rsi",
    "    pop r15",
    "    pop r14",
    "    pop r13",
    "    pop r12",
    "    pop rbx",
    "    pop rbp",
    "    ret",
    // First switch into a new task lands here, with rsp at its TrapFrame.
    ".global fork_entry",
    "fork_entry:",
    "    call {tail}",
    "    jmp trap_return",
    tail = sym fork_tail,
);

extern "C" {
    fn switch_stacks(prev_ksp: *mut u64, next_ksp: u64);
    fn fork_entry();
}

/// Builds the switch frame that makes a new task's first switch return into
/// `fork_entry` and from there to user mode with its TrapFrame. Returns the
/// task's initial saved rsp.
pub fn prepare_new_stack(frame_at: u64) -> u64 {
    // Six callee-saved registers, then the return address.
    let sp = frame_at - 7 * 8;
    // SAFETY: the words lie in the new task's kernel stack, below its frame.
    unsafe {
        let w = sp as *mut u64;
        for i in 0..6 {
            w.add(i).write(0);
        }
        w.add(6).write(fork_entry as *const () as u64);
    }
    sp
}

extern "C" fn fork_tail() {
    finish_switch();
    exit_if_killed();
}

/// A task marked by exit_group (or a fatal signal to its group) ends as
/// soon as it runs again, with the group's status.
fn exit_if_killed() {
    let t = current();
    if t.killed {
        let status = t.signal.borrow().group_exit.unwrap_or(9);
        crate::syscalls::exit::do_exit(status);
    }
}

/// Makes `pid` runnable.
pub fn wake(pid: Pid) {
    if let Some(t) = task(pid) {
        if t.state == State::Blocked
            || t.state == State::Runnable && !kernel().runqueue.contains(&pid)
        {
            t.state = State::Runnable;
            t.wait = WaitOn::Nothing;
            kernel().runqueue.push_back(pid);
        }
    }
}

/// Blocks the current task on `on` until woken (or killed).
pub fn block(on: WaitOn) {
    let t = current();
    t.state = State::Blocked;
    t.wait = on;
    schedule();
}

/// Gives the CPU to the next runnable task, if any.
pub fn yield_now() {
    let k = kernel();
    if k.runqueue.is_empty() {
        return;
    }
    current().state = State::Runnable;
    k.runqueue.push_back(k.current);
    schedule();
}

/// Switches to the next runnable task. The current task must already be
/// Runnable-and-queued, Blocked, a Zombie or gone (then `exiting`).
pub fn schedule() {
    let k = kernel();
    let prev = k.current;
    let next = loop {
        match k.runqueue.pop_front() {
            Some(pid) if task(pid).is_some_and(|t| t.state == State::Runnable) => break pid,
            Some(_) => continue,
            None => {
                if task(prev)
                    .is_some_and(|t| t.state == State::Runnable || t.state == State::Running)
                {
                    break prev;
                }
                if !crate::timer::any_sleepers() || !crate::arch::lapic::present() {
                    deadlock();
                }
                idle();
            }
        }
    };
    if next == prev {
        current().state = State::Running;
        return;
    }
    // Save what is not on the kernel stack.
    let prev_ksp: *mut u64 = match task(prev) {
        Some(p) => {
            p.fs_base = FsBase::read().as_u64();
            p.gs_base = percpu::user_gs_base();
            p.fpu.save();
            &mut p.ksp
        }
        None => {
            // The previous task is gone (its record is on the dead list);
            // its stack stays valid until after the switch.
            let d = kernel()
                .dead
                .last_mut()
                .expect("exited task not on the dead list");
            &mut d.ksp
        }
    };
    let n = task(next).expect("next task missing");
    n.state = State::Running;
    k.current = next;
    let next_ksp = n.ksp;
    let root = n.mm.borrow().root;
    paging::activate(root);
    percpu::set_kernel_stack(n.kstack.top());
    FsBase::write(VirtAddr::new(n.fs_base));
    percpu::set_user_gs_base(n.gs_base);
    n.fpu.restore();
    crate::timer::rearm();
    // SAFETY: both stacks are kernel stacks of live (or just-dead) tasks;
    // the next one was saved by this function or built by
    // prepare_new_stack.
    unsafe { switch_stacks(prev_ksp, next_ksp) };
    finish_switch();
    exit_if_killed();
}

/// Runs on the new task right after a switch: frees tasks that exited
/// (their stacks are no longer in use now).
fn finish_switch() {
    while let Some(t) = kernel().dead.pop() {
        crate::task::free_task(t);
    }
}

/// Nothing is runnable but a sleeper will be: halt until the timer fires
/// (the interrupt handler wakes it).
fn idle() {
    crate::timer::rearm();
    // SAFETY: interrupts on only across HLT; handlers run on this stack.
    unsafe { core::arch::asm!("sti", "hlt", "cli", options(nomem, nostack)) };
    crate::timer::wake_expired();
}

/// Nothing can run and nothing can wake anything (no timers, no devices):
/// every remaining task waits forever, as it would on Linux. Say so once and
/// halt; the host's --timeout ends the run.
fn deadlock() -> ! {
    crate::klog!("all tasks are blocked and nothing can wake them: the program is deadlocked");
    crate::hypercall::halt_forever()
}
