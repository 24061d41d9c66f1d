//! Reading and writing the `guest/abi` records in guest memory.
//!
//! vm-memory's `ByteValued` cannot be implemented here for types of another
//! crate, so records are copied through byte arrays. [`Pod`] marks the types
//! for which any bit pattern is a valid value (all-integer `#[repr(C)]`
//! structs), which is what makes reading them from untrusted guest memory
//! sound.

use abi::boot::BootInfo;
use abi::hypercall::{ConsoleRead, ConsoleWrite, Exit, PanicReport, UserStart};
use vm_memory::{Bytes, GuestAddress, GuestMemoryMmap};

/// # Safety
/// Implementors are `#[repr(C)]`, contain only integers (and arrays of
/// them), and have no padding that matters for reading.
pub unsafe trait Pod: Copy + Sized {}

unsafe impl Pod for BootInfo {}
unsafe impl Pod for ConsoleWrite {}
unsafe impl Pod for ConsoleRead {}
unsafe impl Pod for Exit {}
unsafe impl Pod for PanicReport {}
unsafe impl Pod for UserStart {}
unsafe impl Pod for abi::stats::KernelStats {}
unsafe impl Pod for abi::stats::CloneProfile {}
unsafe impl Pod for abi::hypercall::SyscallExit {}
unsafe impl Pod for abi::task::TaskStruct {}
unsafe impl Pod for abi::task::MmStruct {}
unsafe impl Pod for abi::task::VmAreaStruct {}
unsafe impl Pod for abi::task::FsStruct {}
unsafe impl Pod for abi::task::FilesStruct {}
unsafe impl Pod for abi::task::SighandStruct {}
unsafe impl Pod for abi::task::SignalStruct {}
unsafe impl Pod for abi::task::KernelRoots {}
unsafe impl Pod for abi::list::ListHead {}
unsafe impl Pod for abi::trapframe::TrapFrame {}
unsafe impl Pod for abi::trapframe::SwitchFrame {}
unsafe impl Pod for abi::nptl::Pthread {}
unsafe impl Pod for u64 {}
unsafe impl Pod for u32 {}
unsafe impl Pod for i32 {}
unsafe impl Pod for u16 {}

/// A `T` from exactly `size_of::<T>()` bytes.
pub fn from_bytes<T: Pod>(buf: &[u8]) -> T {
    assert_eq!(buf.len(), size_of::<T>());
    // SAFETY: T is Pod (any bit pattern valid) and buf holds size_of::<T>() bytes.
    unsafe { std::ptr::read_unaligned(buf.as_ptr() as *const T) }
}

/// An all-zero `T` (valid: every bit pattern is).
pub fn zeroed<T: Pod>() -> T {
    // SAFETY: T is Pod.
    unsafe { std::mem::zeroed() }
}

/// The bytes of a `T`, writable (any bytes written leave a valid `T`).
pub fn as_bytes_mut<T: Pod>(value: &mut T) -> &mut [u8] {
    // SAFETY: T is Pod: every bit pattern is a valid value.
    unsafe { std::slice::from_raw_parts_mut(value as *mut T as *mut u8, size_of::<T>()) }
}

/// The bytes of a `T`.
pub fn as_bytes<T: Pod>(value: &T) -> &[u8] {
    // SAFETY: T is Pod: viewing it as bytes reads only initialized integers.
    unsafe { std::slice::from_raw_parts(value as *const T as *const u8, size_of::<T>()) }
}

/// Reads a `T` at guest-physical `addr`; `None` if any byte is outside RAM.
pub fn read<T: Pod>(mem: &GuestMemoryMmap, addr: u64) -> Option<T> {
    let mut buf = vec![0u8; size_of::<T>()];
    mem.read_slice(&mut buf, GuestAddress(addr)).ok()?;
    // SAFETY: T is Pod (any bit pattern valid) and buf holds size_of::<T>() bytes.
    Some(unsafe { std::ptr::read_unaligned(buf.as_ptr() as *const T) })
}

/// Writes `value` at guest-physical `addr`; `false` if outside RAM.
pub fn write<T: Pod>(mem: &GuestMemoryMmap, addr: u64, value: &T) -> bool {
    // SAFETY: T is Pod: viewing it as bytes reads only initialized integers.
    let bytes =
        unsafe { std::slice::from_raw_parts(value as *const T as *const u8, size_of::<T>()) };
    mem.write_slice(bytes, GuestAddress(addr)).is_ok()
}
