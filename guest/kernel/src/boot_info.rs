//! The VMM's boot record, validated once and then read-only.

use abi::boot::{BootInfo, BOOT_MAGIC};
use abi::layout::{DIRECT_MAP_BASE, PAGE_SIZE};
use spin::Once;

static BOOT_INFO: Once<BootInfo> = Once::new();

/// Copies and checks the boot info; panics (reported to the host) on a
/// record from an incompatible VMM.
///
/// # Safety
/// `ptr` must be readable for `size_of::<BootInfo>()` bytes.
pub unsafe fn init(ptr: *const BootInfo) -> &'static BootInfo {
    let info = unsafe { core::ptr::read_volatile(ptr) };
    if info.magic != BOOT_MAGIC {
        panic!(
            "boot info at {:p} has a bad magic number {:#x}",
            ptr, info.magic
        );
    }
    if info.layout_version != abi::LAYOUT_VERSION {
        panic!(
            "boot info has ABI layout version {}, this kernel needs {}",
            info.layout_version,
            abi::LAYOUT_VERSION
        );
    }
    let in_ram = |r: &abi::boot::PhysRange| {
        r.start >= info.kernel_phys_end && r.end() <= info.mem_size && r.start <= r.end()
    };
    // The initfs frames are never freed while the program's and the
    // arguments' are: they may share no page with those.
    let pages = |r: &abi::boot::PhysRange| (r.start / PAGE_SIZE)..r.end().div_ceil(PAGE_SIZE);
    let apart = |a: &abi::boot::PhysRange, b: &abi::boot::PhysRange| {
        a.len == 0 || b.len == 0 || {
            let (a, b) = (pages(a), pages(b));
            a.end <= b.start || b.end <= a.start
        }
    };
    let initfs = &info.initfs;
    let initfs_ok = initfs.len == 0
        || (in_ram(initfs)
            && initfs.start.is_multiple_of(PAGE_SIZE)
            && apart(initfs, &info.program)
            && apart(initfs, &info.args)
            && apart(initfs, &info.cmdline));
    if info.mem_size < abi::layout::MIN_GUEST_MEMORY
        || info.kernel_phys_end % PAGE_SIZE != 0
        || !in_ram(&info.program)
        || !in_ram(&info.args)
        || !in_ram(&info.cmdline)
        || !initfs_ok
    {
        panic!("boot info describes memory inconsistently: {:?}", info);
    }
    BOOT_INFO.call_once(|| info)
}

pub fn try_get() -> Option<&'static BootInfo> {
    BOOT_INFO.get()
}

/// Bytes of a physical range through the direct map.
pub fn phys_bytes(range: &abi::boot::PhysRange) -> &'static [u8] {
    // SAFETY: validated in `init` to lie in RAM, which the direct map covers;
    // these frames are not handed out until `init::start_first_program`
    // gives the program's and arguments' back (the initfs frames never).
    unsafe {
        core::slice::from_raw_parts(
            (DIRECT_MAP_BASE + range.start) as *const u8,
            range.len as usize,
        )
    }
}

/// The initfs image ([`abi::initfs`]) through the direct map; empty when
/// the VMM gave none (or before `init`). Valid as long as none of its
/// pages has been handed over to be written or freed: the tmpfs reads
/// only the header, entries and names (never handed over) once it has
/// adopted file pages.
pub fn initfs_bytes() -> &'static [u8] {
    match try_get() {
        // SAFETY: see `phys_bytes`; the initfs frames are never handed out
        // by the frame allocator (`mm::frame::init` leaves them out), so
        // only the tmpfs that takes them over ever writes them.
        Some(info) if info.initfs.len > 0 => phys_bytes(&info.initfs),
        _ => &[],
    }
}
