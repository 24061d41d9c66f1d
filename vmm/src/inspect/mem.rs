//! Reading untrusted guest memory: every read is bounds-checked against guest
//! RAM and every kernel pointer is translated through the fixed kernel
//! mappings of `abi::layout` (direct map, kernel image), so a corrupt pointer
//! is an error value, never a host fault. Nothing copies whole memory.

use vm_memory::{Bytes, GuestAddress, GuestMemoryMmap};

use crate::pod::{self, Pod};

/// Guest-physical memory as the inspector needs it: KVM's guest RAM, or a
/// byte buffer in tests and fuzzing.
pub trait PhysMem {
    /// Fills `buf` from guest-physical `addr`; false if any byte is outside RAM.
    fn read_phys(&self, addr: u64, buf: &mut [u8]) -> bool;
    /// Writes `buf` at guest-physical `addr` (test fault injection).
    fn write_phys(&self, addr: u64, buf: &[u8]) -> bool;
}

impl PhysMem for GuestMemoryMmap {
    fn read_phys(&self, addr: u64, buf: &mut [u8]) -> bool {
        self.read_slice(buf, GuestAddress(addr)).is_ok()
    }
    fn write_phys(&self, addr: u64, buf: &[u8]) -> bool {
        self.write_slice(buf, GuestAddress(addr)).is_ok()
    }
}

/// A plain buffer as guest RAM at physical 0 (tests, fuzzing).
pub struct BufMem(pub std::cell::RefCell<Vec<u8>>);

impl PhysMem for BufMem {
    fn read_phys(&self, addr: u64, buf: &mut [u8]) -> bool {
        let m = self.0.borrow();
        let Some(end) = addr.checked_add(buf.len() as u64) else {
            return false;
        };
        match m.get(addr as usize..end as usize) {
            Some(src) if end <= m.len() as u64 => {
                buf.copy_from_slice(src);
                true
            }
            _ => false,
        }
    }
    fn write_phys(&self, addr: u64, buf: &[u8]) -> bool {
        let mut m = self.0.borrow_mut();
        let Some(end) = addr.checked_add(buf.len() as u64) else {
            return false;
        };
        match m.get_mut(addr as usize..end as usize) {
            Some(dst) => {
                dst.copy_from_slice(buf);
                true
            }
            None => false,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    #[error("kernel pointer {0:#x} is outside the kernel's mappings")]
    BadPointer(u64),
    #[error("{len} bytes at guest-physical {addr:#x} are outside guest RAM")]
    OutsideRam { addr: u64, len: u64 },
}

/// Physical address of a kernel virtual address (direct map or image).
pub fn kva_to_phys(kva: u64) -> Result<u64, ReadError> {
    abi::layout::direct_map_to_phys(kva)
        .or_else(|| abi::layout::kernel_image_to_phys(kva))
        .ok_or(ReadError::BadPointer(kva))
}

pub fn read_phys<T: Pod>(mem: &dyn PhysMem, addr: u64) -> Result<T, ReadError> {
    let mut buf = vec![0u8; size_of::<T>()];
    if !mem.read_phys(addr, &mut buf) {
        return Err(ReadError::OutsideRam {
            addr,
            len: buf.len() as u64,
        });
    }
    Ok(pod::from_bytes(&buf))
}

/// Reads a `T` at kernel virtual address `kva`.
pub fn kread<T: Pod>(mem: &dyn PhysMem, kva: u64) -> Result<T, ReadError> {
    read_phys(mem, kva_to_phys(kva)?)
}

/// Writes a `T` at kernel virtual address `kva` (tests that break guest
/// state on purpose).
pub fn kwrite<T: Pod>(mem: &dyn PhysMem, kva: u64, value: &T) -> Result<(), ReadError> {
    let addr = kva_to_phys(kva)?;
    if mem.write_phys(addr, pod::as_bytes(value)) {
        Ok(())
    } else {
        Err(ReadError::OutsideRam {
            addr,
            len: size_of::<T>() as u64,
        })
    }
}
