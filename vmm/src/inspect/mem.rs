//! Guest-physical memory as the inspector reads it: every read is
//! bounds-checked against guest RAM, so a corrupt address is an error
//! value, never a host fault. Nothing copies whole memory. Virtual
//! addresses (kernel pointers, user pointers) are read through
//! [`super::guest_mem`] on top of this.

use vm_memory::{Bytes, GuestAddress, GuestMemoryMmap};

/// Guest-physical memory as the inspector needs it: KVM's guest RAM, or a
/// byte buffer in tests and fuzzing.
pub trait PhysMem {
    /// Fills `buf` from guest-physical `addr`; false if any byte is outside RAM.
    fn read_phys(&self, addr: u64, buf: &mut [u8]) -> bool;
    /// Writes `buf` at guest-physical `addr` (test fault injection).
    fn write_phys(&self, addr: u64, buf: &[u8]) -> bool;

    /// Whether guest-physical `addr` holds exactly `bytes` (false if any
    /// byte is outside RAM).
    fn same(&self, addr: u64, bytes: &[u8]) -> bool {
        let mut buf = [0u8; 512];
        bytes.chunks(buf.len()).enumerate().all(|(i, want)| {
            let got = &mut buf[..want.len()];
            self.read_phys(addr + (i * 512) as u64, got) && got == want
        })
    }

    /// The 4 KiB page at guest-physical `addr` (page-aligned) as 512
    /// words, in place, where guest RAM is one host mapping: a page table
    /// is scanned word by word, and copying it first would cost as much
    /// as the scan. `None`: not available (then `read_phys` it) or not a
    /// page of RAM.
    fn page(&self, _addr: u64) -> Option<&[u64; 512]> {
        None
    }
}

impl PhysMem for GuestMemoryMmap {
    fn read_phys(&self, addr: u64, buf: &mut [u8]) -> bool {
        self.read_slice(buf, GuestAddress(addr)).is_ok()
    }
    fn write_phys(&self, addr: u64, buf: &[u8]) -> bool {
        self.write_slice(buf, GuestAddress(addr)).is_ok()
    }
}

/// Guest RAM as one flat host mapping, for the many small reads of a
/// check: a bounds check and a copy, without vm-memory's per-access region
/// lookup (a full check at 64 threads makes thousands of reads). Only for
/// use while the vCPU is stopped (at a syscall stop or after the run), so
/// nothing writes the memory meanwhile, and no `write_phys` while a page
/// borrowed with `page` is in use.
pub struct FlatMem<'a> {
    base: *mut u8,
    len: u64,
    _mem: std::marker::PhantomData<&'a GuestMemoryMmap>,
}

impl<'a> FlatMem<'a> {
    /// The mapping of guest RAM, if it is one region at guest-physical 0
    /// (as `memory::create` makes it).
    pub fn of(mem: &'a GuestMemoryMmap) -> Option<FlatMem<'a>> {
        use vm_memory::{GuestMemoryBackend, GuestMemoryRegion, MemoryRegionAddress};
        let mut regions = mem.iter();
        let r = regions.next()?;
        if regions.next().is_some() || r.start_addr().0 != 0 {
            return None;
        }
        let base = r.get_host_address(MemoryRegionAddress(0)).ok()?;
        // Page-aligned (an mmap), so every guest page is aligned for u64s.
        if base.align_offset(4096) != 0 {
            return None;
        }
        Some(FlatMem {
            base,
            len: r.len(),
            _mem: std::marker::PhantomData,
        })
    }

    fn range(&self, addr: u64, n: usize) -> Option<usize> {
        let end = addr.checked_add(n as u64)?;
        (end <= self.len).then_some(addr as usize)
    }
}

impl PhysMem for FlatMem<'_> {
    fn read_phys(&self, addr: u64, buf: &mut [u8]) -> bool {
        let Some(at) = self.range(addr, buf.len()) else {
            return false;
        };
        // SAFETY: [at, at + len) is inside the mapping (checked), which
        // lives as long as 'a; the guest is stopped, so nothing writes it.
        unsafe { std::ptr::copy_nonoverlapping(self.base.add(at), buf.as_mut_ptr(), buf.len()) };
        true
    }

    fn same(&self, addr: u64, bytes: &[u8]) -> bool {
        let Some(at) = self.range(addr, bytes.len()) else {
            return false;
        };
        // SAFETY: as in read_phys.
        let here = unsafe { std::slice::from_raw_parts(self.base.add(at), bytes.len()) };
        here == bytes
    }

    fn write_phys(&self, addr: u64, buf: &[u8]) -> bool {
        let Some(at) = self.range(addr, buf.len()) else {
            return false;
        };
        // SAFETY: as above; tests write while the guest is stopped.
        unsafe { std::ptr::copy_nonoverlapping(buf.as_ptr(), self.base.add(at), buf.len()) };
        true
    }

    fn page(&self, addr: u64) -> Option<&[u64; 512]> {
        if addr % 4096 != 0 {
            return None;
        }
        let at = self.range(addr, 4096)?;
        // SAFETY: [at, at + 4096) is inside the mapping (checked) and
        // 8-aligned (the mapping is page-aligned, `of`); any bits are a
        // valid u64; nothing writes guest memory while the borrow lives
        // (the guest is stopped, and see the type's contract).
        Some(unsafe { &*(self.base.add(at) as *const [u64; 512]) })
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
