//! Kernel command line (`vmm run --cmdline`): space-separated `key` or
//! `key=value`. Unknown options are logged, so a typo is visible.
//!
//! Options:
//! - `panic`: panic right after boot (checks the host's panic report path);
//! - `fault`: take a page fault in kernel mode right after boot (checks the
//!   exception path: registers and backtrace in the report);
//! - `clone3=enosys`: clone3 answers ENOSYS, as on kernels before 5.3, so
//!   the C library's fallback to legacy clone runs for real;
//! - `clone-profile`: count cycles per kernel_clone phase (profile.rs);
//! - `test-faults`: honour the stats call's tags that break kernel state on
//!   purpose (`abi::stats::STATS_TAG_BREAK_NR_THREADS`), for the host
//!   checker's tests.

use core::sync::atomic::{AtomicBool, Ordering};

static CLONE3_ENOSYS: AtomicBool = AtomicBool::new(false);
static TEST_FAULTS: AtomicBool = AtomicBool::new(false);

/// Whether the test-only state-breaking stats tags are honoured.
pub fn test_faults() -> bool {
    TEST_FAULTS.load(Ordering::Relaxed)
}

/// Whether clone3 must pretend not to exist.
pub fn clone3_disabled() -> bool {
    CLONE3_ENOSYS.load(Ordering::Relaxed)
}

/// Never inlined: the failure-path tests expect this frame in the panic
/// backtrace the host symbolizes.
#[inline(never)]
pub fn init(info: &abi::boot::BootInfo) {
    let bytes = crate::boot_info::phys_bytes(&info.cmdline);
    for word in bytes.split(|b| *b == b' ').filter(|w| !w.is_empty()) {
        match word {
            b"panic" => panic!("kernel panic requested on the command line"),
            b"fault" => kernel_fault(),
            b"clone3=enosys" => CLONE3_ENOSYS.store(true, Ordering::Relaxed),
            b"clone-profile" => crate::profile::enable(),
            b"test-faults" => TEST_FAULTS.store(true, Ordering::Relaxed),
            _ => {
                let text = core::str::from_utf8(word).unwrap_or("(not UTF-8)");
                crate::klog!("ignoring unknown kernel option {text}");
            }
        }
    }
}

#[inline(never)]
fn kernel_fault() {
    // An address in the kernel's part of the address space that nothing
    // maps: the top of the direct map's window.
    let p = (abi::layout::KERNEL_VIRT_BASE - 0x1000) as *const u64;
    // SAFETY: deliberately not safe; the resulting #PF is the point.
    let v = unsafe { core::ptr::read_volatile(p) };
    crate::klog!("read {v:#x} from an unmapped address: the fault did not happen");
}
