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
//! (glibc, raw test programs) is not checked. There is no exec yet: every
//! process is a fork of the first program, so the same symbols (and load
//! bias) apply to every address space. Each address space with at least one
//! live (non-zombie) task is checked; its "threads" are the live tasks using
//! it (threads of the process, and a vfork child or a CLONE_VM process
//! sharing it).

mod check;
mod read;

pub use check::{check_libc, check_space, stack_pointers, CachedBlock};
pub use read::{
    threads_of, walk_list, LibcSymbols, List, ProcessStacks, Stack, Thread, MAX_STACKS,
};
