//! The auxiliary vector's entry types, the `AT_*` keys of the pairs the
//! kernel puts above a new program's environment (numbers from
//! `linux-raw-sys`).

use linux_raw_sys::auxvec as raw;

named! {
    /// The entry types, in number order.
    AUXV_TYPES: u64 = [
        AT_NULL, AT_IGNORE, AT_EXECFD, AT_PHDR, AT_PHENT, AT_PHNUM, AT_PAGESZ,
        AT_BASE, AT_FLAGS, AT_ENTRY, AT_NOTELF, AT_UID, AT_EUID, AT_GID, AT_EGID,
        AT_PLATFORM, AT_HWCAP, AT_CLKTCK, AT_SECURE, AT_BASE_PLATFORM, AT_RANDOM,
        AT_HWCAP2, AT_RSEQ_FEATURE_SIZE, AT_RSEQ_ALIGN, AT_HWCAP3, AT_HWCAP4,
        AT_EXECFN, AT_SYSINFO_EHDR, AT_MINSIGSTKSZ,
    ]
}

const _: () = {
    let mut i = 1;
    while i < AUXV_TYPES.len() {
        assert!(
            AUXV_TYPES[i - 1].0 < AUXV_TYPES[i].0,
            "types out of number order"
        );
        i += 1;
    }
};
