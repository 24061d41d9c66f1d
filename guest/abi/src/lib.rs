//! The contract between the guest kernel and the host (`vmm`).
//!
//! Everything here is `#[repr(C)]` or a plain constant, compiled into both the
//! kernel (`x86_64-unknown-none`) and the host, so both sides agree on layouts
//! by construction. Any change to a layout or a meaning in this crate must bump
//! [`LAYOUT_VERSION`]: the host refuses a kernel built against another version
//! (it reads the kernel's `ABI_LAYOUT_VERSION` symbol before booting it), and
//! the kernel refuses boot info written by another version.
#![no_std]

pub mod boot;
pub mod clock;
pub mod hypercall;
pub mod initfs;
pub mod layout;
pub mod linux;
pub mod list;
pub mod nptl;
pub mod stats;
pub mod task;
pub mod trapframe;

/// Version of every layout and meaning in this crate.
pub const LAYOUT_VERSION: u32 = 12;

/// Name of the `u32` symbol in the kernel ELF holding the kernel's [`LAYOUT_VERSION`].
pub const LAYOUT_VERSION_SYMBOL: &str = "ABI_LAYOUT_VERSION";
