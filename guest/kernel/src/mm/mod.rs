//! Memory: physical frames, page tables, the kernel heap, user address
//! spaces (VMAs), demand paging and checked user-memory access.

pub mod fault;
pub mod frame;
pub mod heap;
pub mod paging;
pub mod uaccess;
pub mod vma;

use abi::boot::BootInfo;

pub fn init(info: &BootInfo) {
    frame::init(info);
    paging::init();
    heap::init();
}

/// Kernel virtual address of physical `phys` (direct map).
#[inline]
pub fn phys_to_virt(phys: u64) -> *mut u8 {
    (abi::layout::DIRECT_MAP_BASE + phys) as *mut u8
}

pub const PAGE: u64 = abi::layout::PAGE_SIZE;

#[inline]
pub const fn page_down(x: u64) -> u64 {
    x & !(PAGE - 1)
}

/// Rounds up to a page; `None` on overflow.
#[inline]
pub const fn page_up(x: u64) -> Option<u64> {
    match x.checked_add(PAGE - 1) {
        Some(v) => Some(v & !(PAGE - 1)),
        None => None,
    }
}

/// Copies `n` bytes with `rep movsq` (and `rep movsb` for the tail).
///
/// # Safety
/// As `core::ptr::copy_nonoverlapping`.
///
/// Why not `copy_nonoverlapping`: when the kernel runs emulated (PVM's
/// bootstrap mode, see docs/ARCHITECTURE.md) every instruction is a trip
/// through the hypervisor's emulator, and one string instruction costs far
/// less than the loop a generic memcpy compiles to.
#[inline]
pub unsafe fn copy_bytes(dst: *mut u8, src: *const u8, n: usize) {
    unsafe {
        core::arch::asm!(
            "rep movsq",
            "mov rcx, {tail}",
            "rep movsb",
            tail = in(reg) n % 8,
            inout("rdi") dst => _,
            inout("rsi") src => _,
            inout("rcx") n / 8 => _,
            options(nostack, preserves_flags)
        );
    }
}

/// Zeroes `n` bytes with `rep stosq` / `rep stosb` (see [`copy_bytes`]).
///
/// # Safety
/// As `core::ptr::write_bytes`.
#[inline]
pub unsafe fn zero_bytes(dst: *mut u8, n: usize) {
    unsafe {
        core::arch::asm!(
            "rep stosq",
            "mov rcx, {tail}",
            "rep stosb",
            tail = in(reg) n % 8,
            inout("rdi") dst => _,
            inout("rcx") n / 8 => _,
            in("rax") 0u64,
            options(nostack, preserves_flags)
        );
    }
}

/// The index of the first zero byte of `b`, found with one `repne scasb`
/// (see [`copy_bytes`]): under PVM's emulator, measured, faster than a loop
/// over the bytes or over eight-byte words.
pub fn find_zero(b: &[u8]) -> Option<usize> {
    let n = b.len();
    if n == 0 {
        return None;
    }
    let left: usize;
    let found: u8;
    // SAFETY: reads the `n` bytes of `b` only (the direction flag is clear
    // in the kernel).
    unsafe {
        core::arch::asm!(
            "repne scasb",
            "setz {found}",
            found = out(reg_byte) found,
            inout("rdi") b.as_ptr() => _,
            inout("rcx") n => left,
            in("al") 0u8,
            options(nostack, readonly)
        );
    }
    (found != 0).then(|| n - left - 1)
}
