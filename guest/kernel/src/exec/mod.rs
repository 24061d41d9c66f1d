//! Starting a program: ELF loading into a fresh address space and the Linux
//! initial stack, for the first program and for execve, whose file, names
//! and strings are `bprm`'s and whose `#!` lines are `script`'s.

pub mod bprm;
pub mod elf;
pub mod script;
pub mod stack;

use alloc::vec::Vec;

use crate::errno::KResult;
use crate::mm::vma::Mm;

/// A loaded program, ready to enter.
pub struct Loaded {
    pub mm: Mm,
    pub entry: u64,
    pub stack_pointer: u64,
}

/// Why exec failed, for the host's report.
pub struct ExecError {
    pub errno: i64,
    pub why: &'static str,
}

impl ExecError {
    pub fn new(errno: i64, why: &'static str) -> Self {
        ExecError { errno, why }
    }
}

/// Argument or environment strings as the initial stack takes them, in
/// order, without their NULs.
pub trait ArgList {
    fn count(&self) -> usize;
    fn arg(&self, i: usize) -> &[u8];

    /// Bytes the strings take with their NULs.
    fn bytes(&self) -> u64 {
        (0..self.count())
            .map(|i| self.arg(i).len() as u64 + 1)
            .sum()
    }
}

impl ArgList for &[&[u8]] {
    fn count(&self) -> usize {
        self.len()
    }
    fn arg(&self, i: usize) -> &[u8] {
        self[i]
    }
}

/// Loads `image` (an ELF file) with `argv` and `envp` into a new address
/// space; `execfn` is the name it was executed by (AT_EXECFN).
///
/// With `frames`, the image is the program file's own frames in RAM and its
/// pages may be mapped instead of copied (see [`elf::FileFrames`]).
pub fn exec(
    image: &[u8],
    frames: Option<&mut elf::FileFrames>,
    execfn: &[u8],
    argv: &dyn ArgList,
    envp: &dyn ArgList,
) -> Result<Loaded, ExecError> {
    let nomem = |_| {
        ExecError::new(
            crate::errno::ENOMEM,
            "out of memory creating the address space",
        )
    };
    let mut mm = Mm::new().map_err(nomem)?;
    let info = elf::load(&mut mm, image, frames)?;
    mm.add_stack();
    let sp = stack::build(&mut mm, &info, execfn, argv, envp).map_err(|e: i64| {
        ExecError::new(
            e,
            "cannot build the initial stack (arguments too large or out of memory)",
        )
    })?;
    Ok(Loaded {
        mm,
        entry: info.entry,
        stack_pointer: sp,
    })
}

/// argv and envp strings, borrowed from the boot argument block.
pub type ArgStrings<'a> = (Vec<&'a [u8]>, Vec<&'a [u8]>);

/// Splits the boot argument block into argv and envp strings.
pub fn split_args(block: &[u8], argc: usize, envc: usize) -> KResult<ArgStrings<'_>> {
    let mut parts = block.split(|b| *b == 0);
    let mut take = |n: usize| -> KResult<Vec<&[u8]>> {
        (0..n)
            .map(|_| parts.next().ok_or(crate::errno::E2BIG))
            .collect()
    };
    let argv = take(argc)?;
    let envp = take(envc)?;
    Ok((argv, envp))
}
