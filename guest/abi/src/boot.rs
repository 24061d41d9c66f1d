//! The boot-info record the VMM writes at [`crate::layout::BOOT_INFO_PHYS`] and
//! passes (as a direct-map virtual address) in `rdi` to the kernel entry point.

use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

/// `BootInfo::magic`: "THRDLAB1" read as a little-endian u64.
pub const BOOT_MAGIC: u64 = u64::from_le_bytes(*b"THRDLAB1");

/// A physical range `[start, start + len)`.
#[repr(C)]
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, KnownLayout, Immutable,
)]
pub struct PhysRange {
    pub start: u64,
    pub len: u64,
}

impl PhysRange {
    pub const fn end(&self) -> u64 {
        self.start + self.len
    }
}

/// Everything the kernel learns from the host at boot.
///
/// Invariants the VMM guarantees (the kernel still checks them, since a
/// `--kernel` override may be paired with any VMM):
/// - `[0, kernel_phys_end)` holds the VMM's boot structures and the kernel
///   image and is never handed out by the kernel's frame allocator;
/// - `program`, `args` and `initfs` lie in RAM above `kernel_phys_end`, do
///   not overlap, and are page-aligned at their start; the kernel may free
///   `program` and `args` after it loaded the program;
/// - `initfs` is a whole [`crate::initfs`] image (its `total_len` bytes, a
///   multiple of the page size); its frames are the kernel's tmpfs's, never
///   free RAM.
#[repr(C)]
#[derive(Clone, Copy, Debug, FromBytes, IntoBytes, KnownLayout, Immutable)]
pub struct BootInfo {
    pub magic: u64,
    /// [`crate::LAYOUT_VERSION`] of the VMM that wrote this record.
    pub layout_version: u32,
    /// Number of vCPUs started (1 for now; per-CPU state is kept per CPU).
    pub nr_cpus: u32,
    /// Bytes of RAM at guest-physical 0.
    pub mem_size: u64,
    /// End (exclusive, page-aligned) of the VMM's boot area and kernel image.
    pub kernel_phys_end: u64,
    /// Raw bytes of the user program's ELF file.
    pub program: PhysRange,
    /// Argument block: `argc` NUL-terminated argv strings, then `envc`
    /// NUL-terminated environment strings, back to back.
    pub args: PhysRange,
    pub argc: u32,
    pub envc: u32,
    /// Kernel command line (NUL-free ASCII, space-separated `key` or `key=value`),
    /// in the argument area right after the environment strings; may be empty.
    pub cmdline: PhysRange,
    /// The [`crate::initfs`] image: the files the root file system starts
    /// with (empty: none).
    pub initfs: PhysRange,
    /// TSC frequency in kHz, from KVM_GET_TSC_KHZ (0 if the host could not tell).
    pub tsc_khz: u64,
    /// Host CLOCK_REALTIME in ns at the moment the guest TSC read `tsc_at_realtime`.
    pub realtime_ns: u64,
    pub tsc_at_realtime: u64,
    /// Entropy from the host's getrandom, for AT_RANDOM and getrandom(2).
    pub random_seed: [u8; 32],
    /// Flags in `BOOT_FLAG_*`.
    pub flags: u64,
}

/// The host wants a `UserStart` hypercall when the first user instruction is
/// about to run (used by `--timings`; costs one VM exit).
pub const BOOT_FLAG_REPORT_USER_START: u64 = 1 << 0;
/// The host wants a `SyscallExit` hypercall at the end of every system call
/// (`--check`, inspection hooks). Off, it costs the kernel one branch.
pub const BOOT_FLAG_REPORT_SYSCALL_EXIT: u64 = 1 << 1;
/// With [`BOOT_FLAG_REPORT_SYSCALL_EXIT`]: each `SyscallExit` carries the
/// call's times (`--strace`'s -c, -T, -t). They cost the kernel TSC reads
/// at entry, exit and each context switch; without this flag the time
/// fields are 0.
pub const BOOT_FLAG_SYSCALL_TIMES: u64 = 1 << 2;

impl BootInfo {
    pub const fn empty() -> Self {
        BootInfo {
            magic: BOOT_MAGIC,
            layout_version: crate::LAYOUT_VERSION,
            nr_cpus: 1,
            mem_size: 0,
            kernel_phys_end: 0,
            program: PhysRange { start: 0, len: 0 },
            args: PhysRange { start: 0, len: 0 },
            argc: 0,
            envc: 0,
            cmdline: PhysRange { start: 0, len: 0 },
            initfs: PhysRange { start: 0, len: 0 },
            tsc_khz: 0,
            realtime_ns: 0,
            tsc_at_realtime: 0,
            random_seed: [0; 32],
            flags: 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boot_info_fits_its_page() {
        assert!(core::mem::size_of::<BootInfo>() as u64 <= crate::layout::PAGE_SIZE);
        assert_eq!(core::mem::align_of::<BootInfo>(), 8);
    }
}
