//! Guest RAM: one anonymous mapping at guest-physical 0 (no holes: every
//! device is a port-I/O hypercall), registered with KVM as slot 0.

use kvm_bindings::kvm_userspace_memory_region;
use kvm_ioctls::VmFd;
use vm_memory::{GuestAddress, GuestMemoryBackend, GuestMemoryMmap, GuestMemoryRegion};

use crate::error::{Error, Result};

pub fn create(size: u64) -> Result<GuestMemoryMmap> {
    GuestMemoryMmap::from_ranges(&[(GuestAddress(0), size as usize)])
        .map_err(|source| Error::MemoryMap { size, source })
}

/// `dirty_log`: KVM logs the pages the guest writes (`--check-mode
/// dirty-log`); it costs a write-protection fault on a page's first write
/// after each read of the log.
pub fn register(vm: &VmFd, mem: &GuestMemoryMmap, dirty_log: bool) -> Result<()> {
    for (slot, region) in mem.iter().enumerate() {
        let host = region
            .get_host_address(vm_memory::MemoryRegionAddress(0))
            .map_err(Error::memory("the memory slot's host address"))?;
        let desc = kvm_userspace_memory_region {
            slot: slot as u32,
            flags: if dirty_log {
                kvm_bindings::KVM_MEM_LOG_DIRTY_PAGES
            } else {
                0
            },
            guest_phys_addr: region.start_addr().0,
            memory_size: region.len(),
            userspace_addr: host as u64,
        };
        // SAFETY: the region is a live mapping owned by `mem`, which outlives
        // the VM in every caller (the VM is dropped first in `run`).
        unsafe { vm.set_user_memory_region(desc) }
            .map_err(Error::ioctl("KVM_SET_USER_MEMORY_REGION"))?;
    }
    Ok(())
}

/// Bytes of guest RAM currently resident in host memory (mincore), so
/// `--timings` can report the VMM's own footprint apart from the guest's.
/// Walks the mapping a GiB at a time so the answer does not itself cost
/// megabytes for a large guest.
pub fn resident_bytes(mem: &GuestMemoryMmap) -> u64 {
    const PAGE: usize = 4096;
    const CHUNK: usize = 1 << 30;
    let mut vec = vec![0u8; CHUNK / PAGE];
    let mut total = 0u64;
    for region in mem.iter() {
        let Ok(host) = region.get_host_address(vm_memory::MemoryRegionAddress(0)) else {
            continue;
        };
        let len = region.len() as usize;
        let mut off = 0;
        while off < len {
            let n = (len - off).min(CHUNK);
            // SAFETY: [host+off, host+off+n) lies in the region's live
            // mapping; vec has at least one byte per page of it.
            let rc =
                unsafe { libc::mincore(host.add(off) as *mut libc::c_void, n, vec.as_mut_ptr()) };
            if rc == 0 {
                let pages = n.div_ceil(PAGE);
                total += vec[..pages].iter().filter(|b| **b & 1 != 0).count() as u64 * PAGE as u64;
            }
            off += n;
        }
    }
    total
}
