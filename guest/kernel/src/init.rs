//! The first program, pid 1: what `kernel_main` ends with. One function per
//! step, called in this order by [`start_first_program`]:
//! 1. [`argument_strings`]: argv and envp from the boot argument block;
//! 2. [`load_program`]: the program file loaded into a new address space
//!    with its initial stack (which now holds copies of the strings);
//! 3. [`free_boot_frames`]: the frames of the file the program did not take,
//!    and of the argument block, back to the allocator;
//! 4. `task::init_tables` and [`first_task`]: the task table and the roots
//!    the host reads, then the first task on them;
//! 5. [`enter_user_mode`].
//!
//! Anything that fails before user mode is a failed exec for the host,
//! with the errno and a reason; nothing here returns.

use core::cell::Cell;

use abi::boot::{
    BootInfo, BOOT_FLAG_REPORT_SYSCALL_EXIT, BOOT_FLAG_REPORT_USER_START, BOOT_FLAG_SYSCALL_TIMES,
};
use abi::layout::PAGE_SIZE;
use abi::task::{USER_CS, USER_DS};

use crate::arch::trapframe::TrapFrame;
use crate::arch::{fpu, percpu, traps};
use crate::errno::ENOMEM;
use crate::exec::elf::FileFrames;
use crate::exec::Loaded;
use crate::krc::KRc;
use crate::syscalls::exit::SIGCHLD;
use crate::task::{self, Files, Fs, KernelStack, SigHand, State, Task, TaskObjects};
use crate::{boot_info, exec, hypercall, mm};

/// Loads the program from the boot info and enters it as pid 1.
pub fn start_first_program(info: &BootInfo) -> ! {
    let (loaded, frames) = {
        // The strings point into the argument block: they go before it does.
        let (argv, envp) = argument_strings(info);
        load_program(info, &argv, &envp)
    };
    free_boot_frames(info, frames);
    task::init_tables();
    let first = first_task(loaded);
    enter_user_mode(info, first)
}

/// argv and envp, borrowed from the boot argument block.
fn argument_strings(info: &BootInfo) -> exec::ArgStrings<'static> {
    let block = boot_info::phys_bytes(&info.args);
    match exec::split_args(block, info.argc as usize, info.envc as usize) {
        Ok(v) => v,
        Err(e) => hypercall::exec_failed(e, b"malformed argument block"),
    }
}

/// The program in a new address space. When the file sits page-aligned in
/// RAM (as the boot info promises), its own frames may be mapped instead of
/// copied; the returned record says which ones the program took. Otherwise
/// everything is copied and there is no record.
fn load_program(info: &BootInfo, argv: &[&[u8]], envp: &[&[u8]]) -> (Loaded, Option<FileFrames>) {
    let image = boot_info::phys_bytes(&info.program);
    let mut frames = info
        .program
        .start
        .is_multiple_of(PAGE_SIZE)
        .then(|| FileFrames::new(info.program.start, image.len()));
    // Named by its first argument, as the host passes the program's path
    // there.
    let execfn = argv.first().copied().unwrap_or(b"");
    match exec::exec(image, frames.as_mut(), execfn, &argv, &envp) {
        Ok(loaded) => (loaded, frames),
        Err(e) => hypercall::exec_failed(e.errno, e.why.as_bytes()),
    }
}

/// The program file's frames that the program did not adopt (all of them
/// without a record), and the argument block's, go back to the allocator.
fn free_boot_frames(info: &BootInfo, frames: Option<FileFrames>) {
    match frames {
        Some(frames) => {
            for (i, adopted) in frames.adopted.iter().enumerate() {
                if !adopted {
                    mm::frame::free(frames.phys + i as u64 * PAGE_SIZE);
                }
            }
            mm::frame::count_boot_frames(frames.adopted.len() as u64);
        }
        None => mm::frame::release(&info.program),
    }
    mm::frame::release(&info.args);
}

/// Pid 1, the group leader of its own group with no parent, holding the
/// program's address space, umask 022, the console on fds 0–2 and default
/// signal actions; its kernel stack's top holds the user frame the first
/// return to user mode pops: registers zero except rip and rsp (rdx = 0:
/// no exit handler for the program to register, as the psABI says),
/// interrupts on. On the task list, its group's thread list and the CPU.
fn first_task(mut loaded: Loaded) -> &'static mut Task {
    let bytes = boot_info::initfs_bytes();
    let phys = boot_info::try_get().map_or(0, |i| i.initfs.start);
    crate::fs::initfs::init(bytes, phys);
    let Ok(root) = crate::fs::build_root() else {
        out_of_memory()
    };
    loaded.mm.exe = crate::fs::initfs::program_path();
    let objects = TaskObjects {
        mm: KRc::new(loaded.mm),
        fs: KRc::new(Fs {
            umask: Cell::new(0o022),
            cwd: core::cell::RefCell::new(root.clone()),
            root,
        }),
        files: KRc::new(Files::console().unwrap_or_else(|_| out_of_memory())),
        sighand: KRc::new(SigHand::defaults()),
        signal: task::new_signal(),
    };
    let Ok(kstack) = KernelStack::fresh() else {
        out_of_memory()
    };
    let Ok(mut first) = Task::new(State::Running, objects, kstack) else {
        out_of_memory()
    };
    first.pid = 1;
    first.tgid = 1;
    first.exit_signal = SIGCHLD;
    *first.kstack.frame() = TrapFrame {
        rip: loaded.entry,
        cs: USER_CS,
        rflags: 0x202,
        rsp: loaded.stack_pointer,
        ss: USER_DS,
        ..Default::default()
    };
    task::init_lists(&mut first);
    first.group_leader = &mut *first;
    let first = task::hash(first);
    task::join_group(first);
    task::this_rq().curr = first as *mut Task as u64;
    // Last: the magic word tells the host the roots are complete.
    task::roots().magic = abi::task::ROOTS_MAGIC;
    first
}

fn out_of_memory() -> ! {
    hypercall::exec_failed(ENOMEM, b"out of memory creating the first task")
}

/// Switches to the first task's address space and kernel stack, turns the
/// syscall-exit reports (and their times) on if the host asked, gives the
/// program Linux's initial FPU state and returns to user mode through the
/// first task's frame.
fn enter_user_mode(info: &BootInfo, first: &mut Task) -> ! {
    mm::paging::activate(first.mm.borrow().root);
    percpu::set_kernel_stack(first.kstack.top());
    hypercall::set_syscall_reports(
        info.flags & BOOT_FLAG_REPORT_SYSCALL_EXIT != 0,
        info.flags & BOOT_FLAG_SYSCALL_TIMES != 0,
    );
    let frame = first.kstack.frame() as *const TrapFrame;
    // SAFETY: the frame is at the top of pid 1's kernel stack, which nothing
    // else uses; `return_to` pops it and irets to user mode.
    unsafe {
        fpu::reset_user_state();
        first.fpu.save();
        if info.flags & BOOT_FLAG_REPORT_USER_START != 0 {
            hypercall::user_start(crate::arch::rdtsc());
        }
        traps::return_to(frame)
    }
}
