//! The Linux initial process stack (fs/binfmt_elf.c create_elf_tables), from
//! the top down:
//!
//! ```text
//! the name it was executed by (AT_EXECFN), environment and argument strings
//! "x86_64" (AT_PLATFORM), 16 random bytes (AT_RANDOM)
//! padding to 16 bytes
//! auxv pairs ... AT_NULL
//! envp[] NULL, argv[] NULL, argc      <- rsp, 16-byte aligned
//! ```

use alloc::vec::Vec;

use abi::layout::USER_STACK_TOP;
use abi::linux::auxv::{
    AT_BASE, AT_CLKTCK, AT_EGID, AT_ENTRY, AT_EUID, AT_EXECFN, AT_FLAGS, AT_GID, AT_HWCAP,
    AT_HWCAP2, AT_NULL, AT_PAGESZ, AT_PHDR, AT_PHENT, AT_PHNUM, AT_PLATFORM, AT_RANDOM, AT_SECURE,
    AT_UID,
};

use super::elf::ElfInfo;
use super::ArgList;
use crate::errno::{KResult, E2BIG, ENOMEM};
use crate::mm::uaccess::copy_to_user;
use crate::mm::vma::{Mm, StackLayout};

/// The most the strings may take: Linux's cap, three quarters of its
/// default stack limit (execve holds them to its own limits first; this
/// keeps any caller inside the stack VMA).
const MAX_STRINGS: u64 = (8 << 20) / 4 * 3;

fn hwcap() -> u64 {
    u64::from(core::arch::x86_64::__cpuid(1).edx)
}

/// Builds the stack; returns the initial rsp (pointing at argc).
///
/// The whole area is laid out in a kernel buffer and copied to the user
/// stack in one go: one page walk per page instead of one per string. The
/// strings lie back to back, ascending: the arguments, the environment,
/// then `execfn` at the very top, as Linux lays them out.
pub fn build(
    mm: &mut Mm,
    elf: &ElfInfo,
    execfn: &[u8],
    argv: &dyn ArgList,
    envp: &dyn ArgList,
) -> KResult<u64> {
    let (argc, envc) = (argv.count(), envp.count());
    let strings = argv.bytes() + envp.bytes() + execfn.len() as u64 + 1;
    if strings > MAX_STRINGS {
        return Err(E2BIG);
    }
    let strings_at = USER_STACK_TOP - strings;
    let execfn_at = USER_STACK_TOP - (execfn.len() as u64 + 1);
    let platform = strings_at - (PLATFORM.len() as u64 + 1);
    let random_at = (platform & !15) - 16;

    let auxv: [(u64, u64); 19] = [
        (AT_HWCAP, hwcap()),
        (AT_PAGESZ, 4096),
        (AT_CLKTCK, 100),
        (AT_PHDR, elf.phdr),
        (AT_PHENT, elf.phent),
        (AT_PHNUM, elf.phnum),
        (AT_BASE, 0),
        (AT_FLAGS, 0),
        (AT_ENTRY, elf.entry),
        (AT_UID, 0),
        (AT_EUID, 0),
        (AT_GID, 0),
        (AT_EGID, 0),
        (AT_SECURE, 0),
        (AT_RANDOM, random_at),
        (AT_HWCAP2, 0),
        (AT_EXECFN, execfn_at),
        (AT_PLATFORM, platform),
        (AT_NULL, 0),
    ];
    // argc, argv[] NULL, envp[] NULL, auxv: rsp at argc 16-byte aligned
    // (x86_64 psABI).
    let words = 3 + argc as u64 + envc as u64 + 2 * auxv.len() as u64;
    let sp = (random_at - 8 * words) & !15;

    // The bytes: the buffer starts zeroed, so strings end in NUL.
    let size = (USER_STACK_TOP - sp) as usize;
    let mut image: Vec<u8> = Vec::new();
    image.try_reserve_exact(size).map_err(|_| ENOMEM)?;
    image.resize(size, 0);
    let off = |at: u64| (at - sp) as usize;
    let mut word_at = 0usize;
    let mut put_word = |image: &mut Vec<u8>, v: u64| {
        image[word_at..word_at + 8].copy_from_slice(&v.to_le_bytes());
        word_at += 8;
    };
    put_word(&mut image, argc as u64);
    let mut string_at = strings_at;
    for (list, n) in [(argv, argc), (envp, envc)] {
        for i in 0..n {
            let s = list.arg(i);
            put_word(&mut image, string_at);
            let o = off(string_at);
            image[o..o + s.len()].copy_from_slice(s);
            string_at += s.len() as u64 + 1;
        }
        put_word(&mut image, 0);
    }
    for (k, v) in auxv {
        put_word(&mut image, k);
        put_word(&mut image, v);
    }
    let o = off(execfn_at);
    image[o..o + execfn.len()].copy_from_slice(execfn);
    let o = off(platform);
    image[o..o + PLATFORM.len()].copy_from_slice(PLATFORM);
    let mut random = [0u8; 16];
    crate::random::fill(&mut random);
    let o = off(random_at);
    image[o..o + 16].copy_from_slice(&random);
    copy_to_user(mm, sp, &image)?;
    // The strings are contiguous: argv's from argv[0] up, envp's right
    // after them, up to the file name (/proc/PID/cmdline and environ).
    let arg_end = strings_at + argv.bytes();
    mm.layout = StackLayout {
        arg_start: strings_at,
        arg_end,
        env_start: arg_end,
        env_end: arg_end + envp.bytes(),
        start_stack: sp,
    };
    Ok(sp)
}

const PLATFORM: &[u8] = b"x86_64";
