//! The Linux initial process stack (fs/binfmt_elf.c create_elf_tables), from
//! the top down:
//!
//! ```text
//! argv[0] again (AT_EXECFN), argument and environment strings
//! "x86_64" (AT_PLATFORM), 16 random bytes (AT_RANDOM)
//! padding to 16 bytes
//! auxv pairs ... AT_NULL
//! envp[] NULL, argv[] NULL, argc      <- rsp, 16-byte aligned
//! ```

use alloc::vec;
use alloc::vec::Vec;

use abi::layout::USER_STACK_TOP;
use abi::linux::auxv::{
    AT_BASE, AT_CLKTCK, AT_EGID, AT_ENTRY, AT_EUID, AT_EXECFN, AT_FLAGS, AT_GID, AT_HWCAP,
    AT_HWCAP2, AT_NULL, AT_PAGESZ, AT_PHDR, AT_PHENT, AT_PHNUM, AT_PLATFORM, AT_RANDOM, AT_SECURE,
    AT_UID,
};

use super::elf::ElfInfo;
use crate::errno::{KResult, E2BIG};
use crate::mm::uaccess::copy_to_user;
use crate::mm::vma::{Mm, StackLayout, STACK_LIMIT};

/// Strings may use at most a quarter of the stack limit, as on Linux.
const MAX_STRINGS: u64 = STACK_LIMIT / 4;

fn hwcap() -> u64 {
    u64::from(core::arch::x86_64::__cpuid(1).edx)
}

/// Builds the stack; returns the initial rsp (pointing at argc).
///
/// The whole area is laid out in a kernel buffer and copied to the user
/// stack in one go: one page walk per page instead of one per string.
pub fn build(mm: &mut Mm, elf: &ElfInfo, argv: &[&[u8]], envp: &[&[u8]]) -> KResult<u64> {
    let strings: u64 = argv.iter().chain(envp).map(|s| s.len() as u64 + 1).sum();
    if strings > MAX_STRINGS {
        return Err(E2BIG);
    }
    // First pass: addresses, top down, as Linux lays them out (the file
    // name at the very top, then environment and argument strings, argv[0]
    // lowest).
    let execfn_arg: &[u8] = argv.first().copied().unwrap_or(b"");
    let mut sp = USER_STACK_TOP;
    let mut place = |len: usize| {
        sp -= len as u64;
        sp
    };
    let execfn = place(execfn_arg.len() + 1);
    let mut env_ptrs: Vec<u64> = envp.iter().rev().map(|s| place(s.len() + 1)).collect();
    env_ptrs.reverse();
    let mut arg_ptrs: Vec<u64> = argv.iter().rev().map(|s| place(s.len() + 1)).collect();
    arg_ptrs.reverse();
    // The strings are contiguous: argv's from argv[0] up, envp's right
    // after them, up to the file name.
    let env_end = execfn;
    let arg_end = env_ptrs.first().copied().unwrap_or(env_end);
    let arg_start = arg_ptrs.first().copied().unwrap_or(arg_end);
    let platform = place(PLATFORM.len() + 1);
    sp &= !15;
    sp -= 16;
    let random_at = sp;

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
        (AT_EXECFN, execfn),
        (AT_PLATFORM, platform),
        (AT_NULL, 0),
    ];
    let mut words: Vec<u64> = Vec::with_capacity(3 + argv.len() + envp.len() + 2 * auxv.len());
    words.push(argv.len() as u64);
    words.extend_from_slice(&arg_ptrs);
    words.push(0);
    words.extend_from_slice(&env_ptrs);
    words.push(0);
    for (k, v) in auxv {
        words.push(k);
        words.push(v);
    }
    sp -= 8 * words.len() as u64;
    sp &= !15; // rsp at argc is 16-byte aligned (x86_64 psABI)

    // Second pass: the bytes (the buffer starts zeroed, so strings end in NUL).
    let mut image = vec![0u8; (USER_STACK_TOP - sp) as usize];
    let mut put = |at: u64, bytes: &[u8]| {
        let off = (at - sp) as usize;
        image[off..off + bytes.len()].copy_from_slice(bytes);
    };
    put(execfn, execfn_arg);
    for (s, at) in envp.iter().zip(&env_ptrs) {
        put(*at, s);
    }
    for (s, at) in argv.iter().zip(&arg_ptrs) {
        put(*at, s);
    }
    put(platform, PLATFORM);
    let mut random = [0u8; 16];
    crate::random::fill(&mut random);
    put(random_at, &random);
    for (i, w) in words.iter().enumerate() {
        put(sp + 8 * i as u64, &w.to_le_bytes());
    }
    copy_to_user(mm, sp, &image)?;
    mm.layout = StackLayout {
        arg_start,
        arg_end,
        env_start: arg_end,
        env_end,
        start_stack: sp,
    };
    Ok(sp)
}

const PLATFORM: &[u8] = b"x86_64";
