//! Reading guest-libc's stack lists in one address space: the globals
//! at the program's symbols and the `struct pthread` heads on the three
//! lists, through the walk of that address space ([`UserMem::with_walk`]).
//!
//! A page that is not present reads as zero where a demand-zero page may
//! legitimately be (the scalar globals; the loader maps every page of the
//! program file at exec), a list node on a page that is not present or not
//! user-accessible is broken (libc would fault on it), and anything
//! unreadable is a [`Violation`] of invariant 10, never a panic. Every list
//! walk is bounded ([`MAX_STACKS`]), cycle-checked and back-link-checked
//! ([`list::walk`]). Only the head of each `struct pthread` is read
//! ([`PthreadHead`]: the checks never look at its thread-specific data).

use std::mem::offset_of;

use abi::nptl::{self, Pthread, PthreadHead};
use abi::task::{state, TaskStruct, USER_CS};

use crate::inspect::guest_mem::{GuestMemExt, KernelMem, UserMem};
use crate::inspect::list::{self, ListError};
use crate::inspect::mem::PhysMem;
use crate::inspect::spaces::Space;
use crate::inspect::tasks::{user_frame, KernelView};
use crate::inspect::Violation;

/// More entries than this on one list is a corrupt (or looping) list.
pub const MAX_STACKS: usize = 65536;

/// Where guest-libc's globals are in every process (load bias applied).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LibcSymbols {
    pub stack_used: u64,
    pub stack_cache: u64,
    pub stack_user: u64,
    pub stack_cache_actsize: u64,
    pub stack_cache_maxsize: u64,
    pub stack_cache_lock: u64,
}

impl LibcSymbols {
    /// The symbols of a program ELF loaded at `bias`; `None` unless it
    /// defines all of them (a program without guest-libc's threads).
    pub fn from_elf(data: &[u8], bias: u64) -> Option<LibcSymbols> {
        let a = crate::symbols::addresses(
            data,
            bias,
            &[
                nptl::STACK_USED,
                nptl::STACK_CACHE,
                nptl::STACK_USER,
                nptl::STACK_CACHE_ACTSIZE,
                nptl::STACK_CACHE_MAXSIZE,
                nptl::STACK_CACHE_LOCK,
            ],
        );
        Some(LibcSymbols {
            stack_used: a[0]?,
            stack_cache: a[1]?,
            stack_user: a[2]?,
            stack_cache_actsize: a[3]?,
            stack_cache_maxsize: a[4]?,
            stack_cache_lock: a[5]?,
        })
    }
}

/// Which list an entry is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum List {
    Used,
    Cache,
    User,
}

/// One entry of a list: the `struct pthread` at `pd`.
#[derive(Clone, Copy, Debug)]
pub struct Stack {
    pub pd: u64,
    pub list: List,
    pub p: PthreadHead,
}

impl Stack {
    pub(super) fn end(&self) -> u64 {
        self.p.stackblock.saturating_add(self.p.stackblock_size)
    }
}

/// guest-libc's stack bookkeeping in one address space.
#[derive(Clone, Debug)]
pub struct ProcessStacks {
    /// `stack_cache_lock` (0: free).
    pub lock: i32,
    pub actsize: u64,
    pub maxsize: u64,
    /// The three lists in list order; `None` while the lock is held (they
    /// may be half-way through a change and are not read).
    pub stacks: Option<Vec<Stack>>,
}

impl ProcessStacks {
    /// Reads the globals and (lock free) the lists; a broken list is a
    /// violation of invariant 10.
    pub fn read(um: &UserMem, syms: &LibcSymbols) -> Result<ProcessStacks, Violation> {
        let bad = |msg: String| Violation::new(10, msg);
        let lock: i32 = um
            .get_or_zero(syms.stack_cache_lock)
            .map_err(|e| bad(format!("stack_cache_lock unreadable: {e}")))?;
        let actsize: u64 = um
            .get_or_zero(syms.stack_cache_actsize)
            .map_err(|e| bad(format!("stack_cache_actsize unreadable: {e}")))?;
        let maxsize: u64 = um
            .get_or_zero(syms.stack_cache_maxsize)
            .map_err(|e| bad(format!("stack_cache_maxsize unreadable: {e}")))?;
        let stacks = if lock == 0 {
            let mut all = Vec::new();
            for (head, list, name) in [
                (syms.stack_used, List::Used, nptl::STACK_USED),
                (syms.stack_cache, List::Cache, nptl::STACK_CACHE),
                (syms.stack_user, List::User, nptl::STACK_USER),
            ] {
                let pds = walk_list(um, head).map_err(|e| bad(format!("{name}: {e}")))?;
                all.reserve(pds.len());
                for pd in pds {
                    let p = um
                        .get::<PthreadHead>(pd)
                        .map_err(|e| bad(format!("{name}: struct pthread {pd:#x}: {e}")))?;
                    all.push(Stack { pd, list, p });
                }
            }
            Some(all)
        } else {
            None
        };
        Ok(ProcessStacks {
            lock,
            actsize,
            maxsize,
            stacks,
        })
    }
}

/// The `struct pthread`s on the circular list at `head` (linked through
/// `PthreadHead::list`): bounded, cycle- and back-link-checked.
pub fn walk_list(um: &UserMem, head: u64) -> Result<Vec<u64>, ListError> {
    list::walk(um, head, offset_of!(Pthread, head.list), MAX_STACKS)
}

/// A live task using the address space.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Thread {
    pub(super) pid: i32,
    pub(super) fs: u64,
    /// User stack pointer of its last entry to the kernel, if readable.
    pub(super) rsp: Option<u64>,
}

impl Thread {
    /// The thread as [`super::check_space`] sees it: its stack pointer,
    /// which moves with every call, matters only to
    /// [`super::stack_pointers`].
    pub fn without_rsp(self) -> Thread {
        Thread { rsp: None, ..self }
    }
}

/// The user stack pointer saved at the top of a task's kernel stack, when
/// the task was in 64-bit user code. Stricter than [`user_frame`]'s ring-3
/// test, which also takes the (unused, but present and ring-3) 32-bit code
/// selector: a stack pointer found here can make a violation, so only the
/// frame of the code guest-libc runs as, the one every kernel path writes
/// for its tasks, is believed.
fn user_rsp(km: &KernelMem, t: &TaskStruct) -> Option<u64> {
    user_frame(km, t).filter(|f| f.cs == USER_CS).map(|f| f.rsp)
}

/// The live tasks using `s`, in task order; none if `s` runs a program
/// an execve started (`MmStruct::execs`): the symbols are the first
/// program's, and its lists are not at their addresses there.
pub fn threads_of(mem: &dyn PhysMem, v: &KernelView, s: &Space) -> Vec<Thread> {
    if s.mms
        .iter()
        .any(|mm| v.mms.get(mm).is_none_or(|m| m.execs != 0))
    {
        return Vec::new();
    }
    let km = KernelMem::new(mem);
    v.tasks
        .iter()
        .filter(|r| s.mms.contains(&r.t.mm) && r.t.state != state::ZOMBIE)
        .map(|r| Thread {
            pid: r.t.pid,
            fs: r.t.fs_base,
            rsp: user_rsp(&km, &r.t),
        })
        .collect()
}
