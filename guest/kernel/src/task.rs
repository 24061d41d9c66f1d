//! The running program. One process with one thread for now: the record is
//! shaped after Linux's task_struct so that clone (next) extends it rather
//! than replaces it.

use spin::Mutex;

use crate::arch::trapframe::TrapFrame;
use crate::arch::{fpu, gdt, percpu, traps};
use crate::mm::vma::Mm;
use crate::{boot_info, exec, hypercall, mm};

pub struct Task {
    pub pid: i32,
    pub tgid: i32,
    pub mm: Mm,
    /// set_tid_address / CLONE_CHILD_CLEARTID word.
    pub clear_child_tid: u64,
    pub robust_list: u64,
    /// File descriptors 0..3 open (the console); closing one makes it EBADF.
    pub console_fds: [bool; 3],
    pub fs_base: u64,
}

static CURRENT: Mutex<Option<Task>> = Mutex::new(None);

/// Runs `f` with the current task. Interrupts are off in the kernel and
/// there is one CPU, so the lock is never contended; it only guards against
/// re-entry bugs.
pub fn with_current<R>(f: impl FnOnce(&mut Task) -> R) -> R {
    let mut guard = CURRENT.lock();
    f(guard.as_mut().expect("no current task"))
}

/// Kernel stack the task enters the kernel on (syscalls, exceptions).
const TASK_STACK_SIZE: usize = 64 * 1024;
#[repr(C, align(16))]
struct Stack([u8; TASK_STACK_SIZE]);
static mut TASK_STACK: Stack = Stack([0; TASK_STACK_SIZE]);

/// Loads the program from the boot info and enters it; never returns.
pub fn start_first_program(info: &abi::boot::BootInfo) -> ! {
    let block = boot_info::phys_bytes(&info.args);
    let (argv, envp) = match exec::split_args(block, info.argc as usize, info.envc as usize) {
        Ok(v) => v,
        Err(e) => hypercall::exec_failed(e, b"malformed argument block"),
    };
    let image = boot_info::phys_bytes(&info.program);
    // Page-aligned, as the boot info promises; if not, everything is copied.
    let aligned = info.program.start.is_multiple_of(abi::layout::PAGE_SIZE);
    let mut frames =
        exec::elf::FileFrames::new(info.program.start, if aligned { image.len() } else { 0 });
    let loaded = match exec::exec(image, aligned.then_some(&mut frames), &argv, &envp) {
        Ok(l) => l,
        Err(e) => hypercall::exec_failed(e.errno, e.why.as_bytes()),
    };
    // The strings are now on the program's stack and the file's pages
    // either mapped into the program or copied: free what it did not take.
    if aligned {
        for (i, adopted) in frames.adopted.iter().enumerate() {
            if !adopted {
                mm::frame::free(frames.phys + i as u64 * abi::layout::PAGE_SIZE);
            }
        }
        mm::frame::count_boot_frames(frames.adopted.len() as u64);
    } else {
        mm::frame::release(&info.program);
    }
    mm::frame::release(&info.args);

    mm::paging::activate(loaded.mm.root);
    *CURRENT.lock() = Some(Task {
        pid: 1,
        tgid: 1,
        mm: loaded.mm,
        clear_child_tid: 0,
        robust_list: 0,
        console_fds: [true; 3],
        fs_base: 0,
    });

    let stack_top = core::ptr::addr_of!(TASK_STACK) as u64 + TASK_STACK_SIZE as u64;
    percpu::set_kernel_stack(stack_top);
    // Registers zero except rip/rsp (rdx = 0: no exit handler for the
    // program to register, as the psABI says), interrupts on.
    let frame = TrapFrame {
        rip: loaded.entry,
        cs: u64::from(gdt::USER_CS),
        rflags: 0x202,
        rsp: loaded.stack_pointer,
        ss: u64::from(gdt::USER_DS),
        ..Default::default()
    };
    let at = stack_top - core::mem::size_of::<TrapFrame>() as u64;
    // SAFETY: the frame goes at the top of the task's kernel stack, which
    // nothing else uses; `return_to` pops it and irets to user mode.
    unsafe {
        (at as *mut TrapFrame).write(frame);
        fpu::reset_user_state();
        if info.flags & abi::boot::BOOT_FLAG_REPORT_USER_START != 0 {
            hypercall::user_start(crate::arch::rdtsc());
        }
        traps::return_to(at as *const TrapFrame)
    }
}
