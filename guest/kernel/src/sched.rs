//! The scheduler: a FIFO run queue of runnable tasks on one CPU, and the
//! context switch. Tasks switch inside the kernel (blocking, yielding,
//! exiting) and when the timer preempts a task that ran its slice (timer.rs).
//! The run queue is per CPU (`kernel_roots.rq[cpu]`, Linux's `struct rq`):
//! an intrusive list through `Task::run_list`, `on_rq` set while linked, so
//! the host can check it; one CPU runs today.

use x86_64::registers::model_specific::FsBase;
use x86_64::VirtAddr;

use crate::arch::percpu;
use crate::list;
use crate::mm::paging;
use crate::syscall_clock;
use crate::task::{current, kernel, task, this_rq, Pid, State, Task, WaitOn};

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
    "    mov rdi, rsp",
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

/// A new task's first return to user mode: like every other, through
/// signal delivery (a signal may have come before it ever ran).
extern "C" fn fork_tail(frame: &mut crate::arch::trapframe::TrapFrame) {
    finish_switch();
    slice_begins();
    let t = current();
    crate::profile::first_schedule(core::mem::take(&mut t.woken_tsc));
    exit_if_killed();
    crate::signal::deliver::exit_to_user_mode(frame, None);
}

/// When the task on the CPU began its time slice (TSC): preemption comes
/// `timer::SLICE_US` after it when others are runnable.
static SLICE_START: core::sync::atomic::AtomicU64 = core::sync::atomic::AtomicU64::new(0);

fn slice_begins() {
    SLICE_START.store(crate::arch::rdtsc(), core::sync::atomic::Ordering::Relaxed);
}

pub fn slice_start() -> u64 {
    SLICE_START.load(core::sync::atomic::Ordering::Relaxed)
}

/// A task marked by exit_group (or a fatal signal to its group) ends as
/// soon as it runs again, with the group's status.
fn exit_if_killed() {
    let t = current();
    if t.killed != 0 {
        let status = t.signal.borrow().group_exit().unwrap_or(9);
        crate::syscalls::exit::do_exit(status);
    }
}

/// Queues a runnable task at the tail of the run queue (once).
pub fn enqueue(t: &mut Task) {
    t.state = State::Runnable;
    if t.on_rq == 0 {
        t.on_rq = 1;
        let rq = this_rq();
        list::add_tail(&mut t.run_list, &mut rq.queue);
        rq.nr_running += 1;
    }
}

/// Takes the task at the head of the run queue.
fn dequeue() -> Option<&'static mut Task> {
    let rq = this_rq();
    let head = &mut rq.queue;
    if list::is_empty(head) {
        return None;
    }
    // SAFETY: the run queue links live task records by run_list.
    let t = unsafe {
        &mut *crate::container_of!(head.next as *mut abi::list::ListHead, Task, run_list)
    };
    list::del(&mut t.run_list);
    t.on_rq = 0;
    rq.nr_running -= 1;
    Some(t)
}

pub fn runqueue_empty() -> bool {
    list::is_empty(&this_rq().queue)
}

/// Makes `pid` runnable: what it waited for has happened.
pub fn wake(pid: Pid) {
    if let Some(t) = task(pid) {
        if t.state == State::Blocked || t.state == State::Runnable {
            t.wait = WaitOn::Nothing;
            make_runnable(t);
        }
    }
}

/// Makes a blocked task runnable without what it waits for having
/// happened (a signal came): it finds `wait` still set when it runs.
pub fn interrupt(t: &mut Task) {
    if t.state == State::Blocked {
        make_runnable(t);
    }
}

/// Queues `t`. The first task to join the running one on the CPU arms
/// preemption, so the running one cannot keep the CPU by spinning in user
/// mode; while others are queued the slice timer is already armed.
fn make_runnable(t: &mut Task) {
    let was_empty = runqueue_empty();
    enqueue(t);
    if was_empty && current().state == State::Running {
        crate::timer::rearm();
    }
}

/// Blocks the current task on `on` until woken, interrupted by a signal or
/// killed. Returns whether it was woken (`wake`): false when a signal
/// interrupted the wait or the wake-up was spurious.
pub fn block(on: WaitOn) -> bool {
    let woken = block_unwinding(on);
    exit_if_killed();
    woken
}

/// [`block`] for a waiter that holds what it built and must free it: a
/// task killed in the wait comes back here too (the caller sees
/// `killed`, returns, and exits on its way to user mode) instead of
/// exiting where it slept with that still on its stack.
pub fn block_unwinding(on: WaitOn) -> bool {
    let t = current();
    t.state = State::Blocked;
    t.wait = on;
    (t.wait_kind, t.wait_addr) = on.abi();
    switch_away();
    let t = current();
    let woken = t.wait == WaitOn::Nothing;
    t.wait = WaitOn::Nothing;
    (t.wait_kind, t.wait_addr) = (0, 0);
    woken
}

/// Gives the CPU to the next runnable task, if any.
pub fn yield_now() {
    if runqueue_empty() {
        return;
    }
    enqueue(current());
    schedule();
}

/// Switches to the next runnable task. The current task must already be
/// Runnable-and-queued, Blocked, a Zombie or gone (then on the dead list).
/// A task killed meanwhile exits when it runs again, from here.
pub fn schedule() {
    switch_away();
    exit_if_killed();
}

/// [`schedule`] without the exit of a killed task.
fn switch_away() {
    let prev = current() as *mut Task;
    // `prev` is current's record, live or on the dead list until
    // finish_switch on the next task.
    let prev_alive = !kernel().dead.iter().any(|d| core::ptr::eq(&**d, prev));
    // When `prev` stopped running, if it waits with the CPU idle: that time
    // is not its own either (syscall_clock).
    let mut idle_since = None;
    let next: *mut Task = loop {
        if let Some(t) = dequeue() {
            break t;
        }
        // SAFETY: as above.
        if prev_alive && unsafe { matches!((*prev).state, State::Runnable | State::Running) } {
            break prev;
        }
        if !crate::timer::anything_armed() || !crate::arch::lapic::present() {
            deadlock();
        }
        if idle_since.is_none() {
            idle_since = syscall_clock::idle_from();
        }
        idle();
    };
    // SAFETY: `next` came off the run queue (a live record) or is `prev`.
    let n = unsafe { &mut *next };
    n.state = State::Running;
    slice_begins();
    if next == prev {
        syscall_clock::idle_done(n, idle_since);
        crate::timer::rearm();
        return;
    }
    // SAFETY: prev is live or dead-listed (see above): its record and stack
    // stay valid until after the switch.
    let p = unsafe { &mut *prev };
    if prev_alive {
        // Save what is not on the kernel stack.
        p.fs_base = FsBase::read().as_u64();
        p.gs_base = percpu::user_gs_base();
        p.fpu.save();
    }
    this_rq().curr = next as u64;
    let next_ksp = n.ksp;
    let root = n.mm.borrow().root;
    paging::activate(root);
    percpu::set_kernel_stack(n.kstack.top());
    FsBase::write(VirtAddr::new(n.fs_base));
    percpu::set_user_gs_base(n.gs_base);
    n.fpu.restore();
    crate::timer::rearm();
    let now = syscall_clock::switch_out();
    // SAFETY: both stacks are kernel stacks of live (or just-dead) tasks;
    // the next one was saved by this function or built by
    // prepare_new_stack.
    unsafe { switch_stacks(&mut p.ksp, next_ksp) };
    // `prev` runs again (it is current): this frame is its own. It stopped
    // running when it began to idle, if it did, else at the switch.
    syscall_clock::switched_in(p, idle_since.or(now));
    finish_switch();
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

/// Nothing can run and nothing can wake anything (no timers, no devices,
/// no other source of signals): every remaining task waits forever, as it
/// would on Linux. The run ends here, with the host told why; the task
/// records are consistent, so it can show who waits on what.
fn deadlock() -> ! {
    let mut msg = crate::klog::FixedBuf::<256>::new();
    let n = kernel()
        .tasks
        .values()
        .filter(|t| t.state == State::Blocked)
        .count();
    let _ = core::fmt::write(
        &mut msg,
        format_args!("all {n} remaining tasks are blocked and nothing can wake them"),
    );
    crate::hypercall::deadlock(msg.as_bytes())
}
