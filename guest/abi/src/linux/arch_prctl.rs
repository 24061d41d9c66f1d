//! arch_prctl's codes (x86's `asm/prctl.h`). `linux-raw-sys` has only
//! `ARCH_SET_FS`; the other numbers are written here and checked against
//! the host's header.

use linux_raw_sys::general as raw;

named! {
    /// The codes that `--strace` names.
    ARCH_CODES: u64 = [
        ARCH_SET_GS = 0x1001,
        ARCH_SET_FS,
        ARCH_GET_FS = 0x1003,
        ARCH_GET_GS = 0x1004,
        ARCH_GET_CPUID = 0x1011,
        ARCH_SET_CPUID = 0x1012,
    ]
}
