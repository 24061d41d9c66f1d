//! The host's view of the guest: reads the guest kernel's real records out
//! of guest memory at a stop (a `SYSCALL_EXIT` hypercall) and checks the
//! invariants that Linux's semantics demand of them.
//!
//! - `mem`: bounds-checked reads of guest-physical memory (untrusted:
//!   errors, never panics).
//! - `guest_mem`: the one reader of guest virtual memory on top of it:
//!   kernel pointers ([`guest_mem::KernelMem`]) and one address space's
//!   user memory through its page tables ([`guest_mem::UserMem`]).
//! - `list`: the bounded, cycle- and back-link-checked walk of a circular
//!   list, over either.
//! - `tasks`: the task records, shared objects and lists, from the
//!   kernel's exported `kernel_roots`, into a [`tasks::KernelView`].
//! - `invariants`: the task checks (1–6), the signal check (13) and the
//!   execve check (14).
//! - `pagetable`: a 4-level page-table walker over untrusted memory.
//! - `spaces`: every address space (page tables, VMAs, frame refcounts)
//!   and the page-table checks (7–9).
//! - `libc`: guest-libc's thread stacks in every address space, found
//!   through the program's symbols, and the checks 10–12.
//!
//! A finding names its invariant by number: 0 for state that could not be
//! read at all (a bad pointer, a looping or half-linked list), 1–6 for the
//! tasks (listed in invariants.rs), 7–9 for the page tables (spaces.rs),
//! 10–12 for guest-libc's stacks (libc/check.rs), 13 for signals and 14
//! for execve (invariants.rs). The numbers are part of
//! the `--check` report and of the test API, so they stay fixed.
//!
//! [`SyscallStop`] is what a [`crate::run::RunOptions::on_stop`] hook gets at
//! every stop: the syscall that just finished (or the signal about to be
//! delivered) and read (and, for tests that break state on purpose, write)
//! access to guest memory.

pub mod dump;
#[cfg(test)]
mod fuzz;
pub mod guest_mem;
pub mod incremental;
pub mod invariants;
pub mod libc;
pub mod list;
pub mod mem;
pub mod pagetable;
pub mod spaces;
pub mod tasks;

use abi::hypercall::{SignalDelivery, SyscallExit};

use mem::PhysMem;
use tasks::KernelView;

/// One broken invariant (0: the kernel's structures could not be read).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    pub invariant: u32,
    pub detail: String,
}

impl Violation {
    pub fn new(invariant: u32, detail: String) -> Violation {
        Violation { invariant, detail }
    }
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "invariant {}: {}", self.invariant, self.detail)
    }
}

/// Reads the kernel's state and checks every invariant; empty when all hold.
/// `libc`: the program's guest-libc symbols (`None`: not a guest-libc
/// program, invariants 10–12 are not checked).
pub fn check_kernel(
    mem: &dyn PhysMem,
    roots_kva: u64,
    libc: Option<&libc::LibcSymbols>,
) -> Vec<Violation> {
    full_check(mem, roots_kva, libc).findings
}

/// A from-scratch check: the findings and the state they were found in.
pub struct FullCheck {
    pub findings: Vec<Violation>,
    pub view: Result<KernelView, Violation>,
    /// `None` when the view could not be read.
    pub spaces: Option<Result<spaces::AddressSpaces, Violation>>,
}

pub fn full_check(
    mem: &dyn PhysMem,
    roots_kva: u64,
    libc: Option<&libc::LibcSymbols>,
) -> FullCheck {
    let view = KernelView::read(mem, roots_kva);
    let v = match &view {
        Ok(v) => v,
        Err(e) => {
            return FullCheck {
                findings: vec![e.clone()],
                view,
                spaces: None,
            }
        }
    };
    let mut out = invariants::check_tasks(v);
    let spaces = spaces::AddressSpaces::read(mem, v);
    match &spaces {
        Ok(a) => {
            out.extend(spaces::check_spaces(v, a));
            if let Some(syms) = libc {
                out.extend(libc::check_libc(mem, syms, v, a));
            }
        }
        Err(e) => out.push(e.clone()),
    }
    FullCheck {
        findings: out,
        view,
        spaces: Some(spaces),
    }
}

/// [`SyscallStop::call`]'s `nr` at a signal-delivery stop: no system call
/// has this number.
pub const SIGNAL_DELIVERY_NR: u64 = u64::MAX;

/// The guest, stopped right after a system call returned, or right before
/// a thread runs a signal handler.
pub struct SyscallStop<'a> {
    /// The call that returned. At a signal-delivery stop: `nr`
    /// [`SIGNAL_DELIVERY_NR`], `tid` the thread taking the signal, `seq`
    /// the run's last call's, nothing else set.
    pub call: SyscallExit,
    /// At a signal-delivery stop, the delivery.
    pub signal: Option<SignalDelivery>,
    pub mem: &'a dyn PhysMem,
    /// Kernel virtual address of `kernel_roots`.
    pub roots: u64,
    /// guest-libc's symbols in the program (`None`: not a guest-libc
    /// program). They hold in the address spaces of the program and its
    /// forks (`MmStruct::execs` 0), not in those an execve built.
    pub libc: Option<libc::LibcSymbols>,
}

impl SyscallStop<'_> {
    /// A snapshot of the kernel's task state.
    pub fn kernel(&self) -> Result<KernelView, Violation> {
        KernelView::read(self.mem, self.roots)
    }

    /// Every invariant over guest memory, and at a signal-delivery stop
    /// the delivery's own check (13).
    pub fn check(&self) -> Vec<Violation> {
        let mut found = self.check_delivery();
        found.extend(check_kernel(self.mem, self.roots, self.libc.as_ref()));
        found
    }

    /// Invariant 13's check of the delivery, at a signal-delivery stop.
    pub fn check_delivery(&self) -> Vec<Violation> {
        self.signal
            .as_ref()
            .map(invariants::delivery)
            .unwrap_or_default()
    }

    /// `name(args) = ret` with the number's Linux name when known; at a
    /// signal-delivery stop, the signal, the thread and the handler.
    pub fn describe(&self) -> String {
        if let Some(d) = &self.signal {
            return format!(
                "the delivery of {} to tid {} (handler {:#x}, after syscall #{})",
                crate::strace::decode::signal_name(u64::from(d.signo)),
                d.tid,
                d.handler,
                self.call.seq
            );
        }
        let c = &self.call;
        format!(
            "syscall #{} by tid {}: {}({:#x}, {:#x}, {:#x}, {:#x}, {:#x}, {:#x}) = {}",
            c.seq,
            c.tid,
            abi::linux::syscalls::Name(c.nr),
            c.args[0],
            c.args[1],
            c.args[2],
            c.args[3],
            c.args[4],
            c.args[5],
            c.ret
        )
    }
}
