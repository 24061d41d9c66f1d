//! Tasks — Linux's `task_struct` — and the objects they share or copy:
//! `mm` (address space), `fs` (umask), `files` (fd table), `sighand`
//! (handler table) and `signal` (the thread group). Sharing is an `Rc`
//! clone, a reference-count increment; copying makes a new object: the
//! seeds' point, in `kernel_clone` (syscalls/clone.rs).
//!
//! One CPU and interrupts off in the kernel: the task table is touched by
//! one flow of control at a time, and never across `sched::schedule`.
//! Invariants: `current` is in `tasks` and Running; every Runnable task is on
//! the run queue exactly once; a Zombie is a group leader whose group has
//! ended and which its parent has not reaped yet.

use alloc::boxed::Box;
use alloc::collections::{BTreeMap, VecDeque};
use alloc::rc::Rc;
use alloc::vec::Vec;
use core::cell::{Cell, RefCell, UnsafeCell};

use crate::arch::fpu::FpuState;
use crate::arch::trapframe::TrapFrame;
use crate::arch::{fpu, gdt, percpu, traps};
use crate::mm::vma::Mm;
use crate::{boot_info, exec, hypercall, mm};

pub type Pid = i32;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum State {
    Running,
    Runnable,
    Blocked,
    /// Exited group leader, waiting to be reaped by its parent.
    Zombie,
}

/// What a blocked task waits for.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum WaitOn {
    Nothing,
    /// A futex: the word's physical address and the wait bitset.
    Futex(u64, u32),
    /// Any child's state change (wait4).
    Child,
    /// A vfork child to exit.
    Vfork(Pid),
    /// The TSC to reach (nanosleep).
    Sleep(u64),
}

/// `fs_struct`: what CLONE_FS shares.
pub struct Fs {
    pub umask: Cell<u32>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum FileKind {
    /// The host's stdin.
    ConsoleIn,
    /// The host's stdout (1) or stderr (2).
    ConsoleOut(u32),
}

#[derive(Clone, Copy, Debug)]
pub struct Fd {
    pub kind: FileKind,
    pub cloexec: bool,
}

pub const MAX_FDS: usize = 1024;

/// `files_struct`: what CLONE_FILES shares.
#[derive(Clone)]
pub struct Files {
    pub fds: Vec<Option<Fd>>,
}

impl Files {
    fn console() -> Files {
        let fd = |kind| {
            Some(Fd {
                kind,
                cloexec: false,
            })
        };
        Files {
            fds: alloc::vec![
                fd(FileKind::ConsoleIn),
                fd(FileKind::ConsoleOut(1)),
                fd(FileKind::ConsoleOut(2)),
            ],
        }
    }

    /// Puts `f` at `fd` (< MAX_FDS), growing the table as needed: it holds
    /// as many slots as the highest descriptor used, so copying it for fork
    /// stays cheap.
    pub fn set(&mut self, fd: usize, f: Option<Fd>) {
        if fd >= self.fds.len() {
            if f.is_none() {
                return;
            }
            self.fds.resize(fd + 1, None);
        }
        self.fds[fd] = f;
    }

    pub fn get(&self, fd: u64) -> Option<Fd> {
        self.fds
            .get(usize::try_from(fd as u32).ok()?)
            .copied()
            .flatten()
    }
}

/// `sighand_struct`: what CLONE_SIGHAND shares. Each entry is the raw
/// kernel `struct sigaction` (handler, flags, restorer, mask).
#[derive(Clone)]
pub struct SigHand {
    pub actions: [[u64; 4]; 64],
}

/// `signal_struct`: the thread group (what CLONE_THREAD shares).
pub struct Signal {
    /// Live threads, leader included while it runs.
    pub live: Vec<Pid>,
    /// Set by exit_group: the group's wait status.
    pub group_exit: Option<i32>,
    /// Wait status of the last thread to exit.
    pub last_status: i32,
    /// Signals sent to the whole process (kill), not yet taken.
    pub shared_pending: u64,
}

/// A kernel stack; the user register frame sits at its top.
pub const KERNEL_STACK_SIZE: usize = 32 * 1024;
#[repr(C, align(16))]
pub struct KernelStack(pub [core::mem::MaybeUninit<u8>; KERNEL_STACK_SIZE]);

/// Freed kernel stacks kept for reuse, like Linux's cached_stacks: a new
/// task mostly gets a warm stack instead of a fresh allocation.
pub const KSTACK_CACHE_MAX: usize = 16;

pub struct KstackCache {
    pub stacks: Vec<Box<KernelStack>>,
    pub hits: u64,
    pub misses: u64,
}

impl KernelStack {
    /// A stack for a new task: from the cache if it has one. Contents are
    /// unspecified (never read before written: the frame at the top is
    /// written by whoever starts the task), so nothing is zeroed — zeroing
    /// 32 KiB costs milliseconds when the kernel runs emulated.
    pub fn alloc() -> Box<KernelStack> {
        let cache = &mut kernel().kstacks;
        if let Some(s) = cache.stacks.pop() {
            cache.hits += 1;
            return s;
        }
        cache.misses += 1;
        // SAFETY: KernelStack is MaybeUninit bytes: any content is valid.
        unsafe { Box::<KernelStack>::new_uninit().assume_init() }
    }

    /// Gives a dead task's stack back (to the cache while it has room).
    pub fn release(stack: Box<KernelStack>) {
        let cache = &mut kernel().kstacks;
        if cache.stacks.len() < KSTACK_CACHE_MAX {
            cache.stacks.push(stack);
        }
    }

    pub fn top(&self) -> u64 {
        self.0.as_ptr() as u64 + KERNEL_STACK_SIZE as u64
    }

    /// The user register frame of a task that entered the kernel.
    pub fn frame(&mut self) -> &mut TrapFrame {
        let at = self.top() - core::mem::size_of::<TrapFrame>() as u64;
        // SAFETY: the top of every kernel stack holds the TrapFrame of the
        // task's last entry from user mode (or the one kernel_clone built).
        unsafe { &mut *(at as *mut TrapFrame) }
    }
}

pub struct Task {
    pub pid: Pid,
    pub tgid: Pid,
    /// The process (tgid) that reaps this one: Linux's real_parent->tgid.
    pub parent: Pid,
    pub state: State,
    pub wait: WaitOn,
    /// exit_group or a fatal signal: exit when next scheduled.
    pub killed: bool,
    pub exit_signal: i32,
    /// Wait status once the group has ended (Zombie).
    pub exit_status: i32,
    pub mm: Rc<RefCell<Mm>>,
    pub fs: Rc<Fs>,
    pub files: Rc<RefCell<Files>>,
    pub sighand: Rc<RefCell<SigHand>>,
    pub signal: Rc<RefCell<Signal>>,
    pub set_child_tid: u64,
    pub clear_child_tid: u64,
    pub robust_list: u64,
    pub blocked: u64,
    /// Signals sent to this thread (tgkill, tkill), not yet taken.
    pub pending: u64,
    pub fs_base: u64,
    pub gs_base: u64,
    pub fpu: Box<FpuState>,
    pub kstack: Box<KernelStack>,
    /// Saved kernel rsp while switched out.
    pub ksp: u64,
    pub vfork_parent: Option<Pid>,
}

pub struct Kernel {
    pub tasks: BTreeMap<Pid, Box<Task>>,
    pub current: Pid,
    pub runqueue: VecDeque<Pid>,
    pub next_pid: Pid,
    /// Exited tasks whose kernel stack may still be in use until the next
    /// switch; freed after it. Boxed like the table's: a task record keeps
    /// one address for its whole life.
    #[allow(clippy::vec_box)]
    pub dead: Vec<Box<Task>>,
    pub kstacks: KstackCache,
    /// Sleeping tasks by deadline (TSC), earliest first.
    pub sleepers: alloc::collections::BTreeSet<(u64, Pid)>,
}

/// Maximum number of live tasks (Linux's pid_max is far larger; this bounds
/// the kernel heap a fork bomb can take).
pub const MAX_TASKS: usize = 1024;

struct KCell(UnsafeCell<Option<Kernel>>);
// SAFETY: one CPU, interrupts off in the kernel: no concurrent access.
unsafe impl Sync for KCell {}
static KERNEL: KCell = KCell(UnsafeCell::new(None));

/// The task table. Callers must not keep the reference across
/// `sched::schedule` (another task's code runs in between).
#[allow(clippy::mut_from_ref)]
pub fn kernel() -> &'static mut Kernel {
    // SAFETY: see KCell.
    unsafe {
        (*KERNEL.0.get())
            .as_mut()
            .expect("tasks used before the first program")
    }
}

pub fn current() -> &'static mut Task {
    let k = kernel();
    let pid = k.current;
    k.tasks.get_mut(&pid).expect("current task missing")
}

pub fn task(pid: Pid) -> Option<&'static mut Task> {
    kernel().tasks.get_mut(&pid).map(|b| &mut **b)
}

/// Runs `f` with the current task.
pub fn with_current<R>(f: impl FnOnce(&mut Task) -> R) -> R {
    f(current())
}

/// Runs `f` with the current task's address space.
pub fn with_mm<R>(f: impl FnOnce(&mut Mm) -> R) -> R {
    let mm = current().mm.clone();
    let mut m = mm.borrow_mut();
    f(&mut m)
}

/// Allocates the lowest free pid above the last one handed out (wrapping),
/// as Linux's alloc_pid does.
pub fn alloc_pid() -> Option<Pid> {
    let k = kernel();
    if k.tasks.len() >= MAX_TASKS {
        return None;
    }
    for _ in 0..(1 << 22) {
        let pid = k.next_pid;
        k.next_pid = if k.next_pid >= (1 << 22) {
            2
        } else {
            k.next_pid + 1
        };
        if !k.tasks.contains_key(&pid) && !k.tasks.values().any(|t| t.tgid == pid) {
            return Some(pid);
        }
    }
    None
}

/// Loads the program from the boot info and enters it as pid 1; never
/// returns.
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
    // SAFETY: KernelStack is MaybeUninit bytes; the frame below is written first.
    let mut kstack = unsafe { Box::<KernelStack>::new_uninit().assume_init() };
    let stack_top = kstack.top();
    // Registers zero except rip/rsp (rdx = 0: no exit handler for the
    // program to register, as the psABI says), interrupts on.
    *kstack.frame() = TrapFrame {
        rip: loaded.entry,
        cs: u64::from(gdt::USER_CS),
        rflags: 0x202,
        rsp: loaded.stack_pointer,
        ss: u64::from(gdt::USER_DS),
        ..Default::default()
    };
    let frame_at = kstack.frame() as *const TrapFrame;
    let first = Task {
        pid: 1,
        tgid: 1,
        parent: 0,
        state: State::Running,
        wait: WaitOn::Nothing,
        killed: false,
        exit_signal: 17,
        exit_status: 0,
        mm: Rc::new(RefCell::new(loaded.mm)),
        fs: Rc::new(Fs {
            umask: Cell::new(0o022),
        }),
        files: Rc::new(RefCell::new(Files::console())),
        sighand: Rc::new(RefCell::new(SigHand {
            actions: [[0; 4]; 64],
        })),
        signal: Rc::new(RefCell::new(Signal {
            live: alloc::vec![1],
            group_exit: None,
            last_status: 0,
            shared_pending: 0,
        })),
        set_child_tid: 0,
        clear_child_tid: 0,
        robust_list: 0,
        blocked: 0,
        pending: 0,
        fs_base: 0,
        gs_base: 0,
        fpu: Box::new(FpuState::zeroed()),
        kstack,
        ksp: 0,
        vfork_parent: None,
    };
    let mut tasks = BTreeMap::new();
    tasks.insert(1, Box::new(first));
    // SAFETY: boot, before any task runs.
    unsafe {
        *KERNEL.0.get() = Some(Kernel {
            tasks,
            current: 1,
            runqueue: VecDeque::new(),
            next_pid: 2,
            dead: Vec::new(),
            sleepers: alloc::collections::BTreeSet::new(),
            kstacks: KstackCache {
                stacks: Vec::new(),
                hits: 0,
                misses: 0,
            },
        });
    }
    percpu::set_kernel_stack(stack_top);
    // SAFETY: the frame is at the top of pid 1's kernel stack, which nothing
    // else uses; `return_to` pops it and irets to user mode.
    unsafe {
        fpu::reset_user_state();
        current().fpu.save();
        if info.flags & abi::boot::BOOT_FLAG_REPORT_USER_START != 0 {
            hypercall::user_start(crate::arch::rdtsc());
        }
        traps::return_to(frame_at)
    }
}

/// Frees a task record that nothing refers to any more; its kernel stack
/// goes to the stack cache. (Shared objects go when their last holder
/// does.)
#[allow(clippy::boxed_local)] // task records live boxed in the table
pub fn free_task(t: Box<Task>) {
    let Task { kstack, .. } = *t;
    KernelStack::release(kstack);
}
