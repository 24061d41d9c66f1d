//! Kernel command line (`vmm run --cmdline`): space-separated `key` or
//! `key=value`. No option is defined yet; unknown ones are logged so a typo
//! is visible.

pub fn init(info: &abi::boot::BootInfo) {
    let bytes = crate::boot_info::phys_bytes(&info.cmdline);
    for word in bytes.split(|b| *b == b' ').filter(|w| !w.is_empty()) {
        let text = core::str::from_utf8(word).unwrap_or("(not UTF-8)");
        crate::klog!("ignoring unknown kernel option {text}");
    }
}
