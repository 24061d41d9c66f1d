//! guest-libc's thread stacks (`stack_used`, `stack_cache`, `stack_user`,
//! `abi::nptl`) in every address space, read through that address space's
//! page tables, and the invariants 10–12 checked at every syscall stop.
//!
//! - `read`: where the lists are (the program's symbols) and what is on
//!   them in one address space ([`ProcessStacks`]), and the live threads
//!   using it ([`Thread`]).
//! - `check`: the invariants over what was read, and what legitimately is
//!   in flux at a stop.
//!
//! The lists are found through the program's ELF symbols
//! ([`LibcSymbols`]); a program whose ELF does not define `stack_used`
//! (glibc, raw test programs) is not checked. The symbols (and load bias)
//! hold in every address space that runs the first program, a fork of it:
//! one an execve built (`MmStruct::execs` not 0) runs a program the host
//! can read only from guest memory, and is not checked, whatever it runs
//! (the kernel-level checks go on). Each other address space with at
//! least one live (non-zombie) task is checked; its "threads" are the live
//! tasks using it (threads of the process, and a vfork child or a CLONE_VM
//! process sharing it).

mod check;
mod read;

pub use check::{check_libc, check_space, stack_pointers, CachedBlock};
pub use read::{
    threads_of, walk_list, LibcSymbols, List, ProcessStacks, Stack, Thread, MAX_STACKS,
};
