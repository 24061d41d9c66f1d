//! Guest memory by virtual address: one reader interface ([`GuestMem`])
//! over the guest-physical memory of [`super::mem`], for the two kinds of
//! address the host follows, with one error type ([`ReadError`]).
//!
//! - [`KernelMem`]: kernel virtual addresses, translated without page
//!   tables through the fixed kernel mappings of `abi::layout` (direct map,
//!   kernel image window), as the kernel's records point at each other.
//! - [`UserMem`]: one address space's user virtual addresses, through its
//!   page tables — either translated page by page through the root when
//!   read ([`UserMem::with_root`]: a few reads, nothing walked in advance)
//!   or looked up in the mappings a walk of the address space already
//!   found ([`UserMem::with_walk`]: many reads at one stop). A user read
//!   reaches only present, user-accessible pages below `USER_SPACE_END`;
//!   where a page that is not present legitimately reads as zero (a
//!   demand-zero page) the caller says so with [`UserMem::get_or_zero`].
//!
//! Guest memory is untrusted: a read is a bounds-checked copy, and a bad
//! pointer, a missing page or a broken table is a [`ReadError`], never a
//! host fault. Every read goes through the [`PhysMem`] the reader was made
//! with (the incremental checker logs a unit's reads there).

use abi::layout::{PAGE_SIZE, USER_SPACE_END};
use zerocopy::{FromBytes, Immutable, IntoBytes};

use super::mem::PhysMem;
use super::pagetable::{self, Mapping, Walk};
use super::Violation;

/// Why guest memory could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    #[error("kernel pointer {0:#x} is outside the kernel's mappings")]
    BadPointer(u64),
    #[error("{len} bytes at guest-physical {addr:#x} are outside guest RAM")]
    OutsideRam { addr: u64, len: u64 },
    #[error("{addr:#x}+{len:#x} is outside user space")]
    OutsideUserSpace { addr: u64, len: u64 },
    #[error("{0:#x} is not mapped")]
    NotMapped(u64),
    #[error("{0:#x} is not user-accessible")]
    NotUser(u64),
    #[error("{virt:#x} (frame {phys:#x}) is outside guest RAM")]
    FrameOutsideRam { virt: u64, phys: u64 },
    /// The page tables of the address space could not be walked.
    #[error("{0}")]
    PageTables(Violation),
    /// The address space to read could not be found (a reader that finds
    /// its root on first use).
    #[error("no address space to read from")]
    NoAddressSpace,
}

/// Guest memory seen through one virtual address space.
pub trait GuestMem {
    /// Fills `buf` from virtual address `addr`, all of it or an error.
    fn read(&self, addr: u64, buf: &mut [u8]) -> Result<(), ReadError>;

    /// `len` bytes at `addr`.
    fn bytes(&self, addr: u64, len: usize) -> Result<Vec<u8>, ReadError> {
        let mut buf = vec![0u8; len];
        self.read(addr, &mut buf)?;
        Ok(buf)
    }

    /// A NUL-terminated string of at most `max` bytes, and whether it goes
    /// on. Read a page at a time: the string may end before a page that
    /// cannot be read.
    fn c_string(&self, addr: u64, max: usize) -> Result<(Vec<u8>, bool), ReadError> {
        let mut out = Vec::new();
        let mut a = addr;
        while out.len() <= max {
            let chunk = (PAGE_SIZE - a % PAGE_SIZE) as usize;
            let chunk = chunk.min(max + 1 - out.len());
            let b = self.bytes(a, chunk)?;
            if let Some(z) = b.iter().position(|&c| c == 0) {
                out.extend_from_slice(&b[..z]);
                return Ok((out, false));
            }
            out.extend_from_slice(&b);
            a += chunk as u64;
        }
        out.truncate(max);
        Ok((out, true))
    }
}

/// Typed reads, for every reader and for `&dyn GuestMem` alike (generic
/// methods cannot be part of an object-safe [`GuestMem`]).
pub trait GuestMemExt: GuestMem {
    /// A `T` at `addr`, read in one piece (a `T` that would reach past
    /// the top of the address space is unreadable).
    fn get<T: FromBytes + IntoBytes>(&self, addr: u64) -> Result<T, ReadError> {
        let mut value = T::new_zeroed();
        self.read(addr, value.as_mut_bytes())?;
        Ok(value)
    }

    /// [`GuestMemExt::get`] into `value` (no copy of a large record on its
    /// way to where it is kept).
    fn get_into<T: FromBytes + IntoBytes>(
        &self,
        addr: u64,
        value: &mut T,
    ) -> Result<(), ReadError> {
        self.read(addr, value.as_mut_bytes())
    }
}

impl<M: GuestMem + ?Sized> GuestMemExt for M {}

/// Physical address of a kernel virtual address (direct map or image).
pub fn kva_to_phys(kva: u64) -> Result<u64, ReadError> {
    abi::layout::direct_map_to_phys(kva)
        .or_else(|| abi::layout::kernel_image_to_phys(kva))
        .ok_or(ReadError::BadPointer(kva))
}

/// Kernel virtual memory: the direct map and the kernel image window.
#[derive(Clone, Copy)]
pub struct KernelMem<'a> {
    mem: &'a dyn PhysMem,
}

impl<'a> KernelMem<'a> {
    pub fn new(mem: &'a dyn PhysMem) -> KernelMem<'a> {
        KernelMem { mem }
    }

    /// Writes `value` at `kva` (tests that break guest state on purpose).
    pub fn put<T: IntoBytes + Immutable>(&self, kva: u64, value: &T) -> Result<(), ReadError> {
        let addr = kva_to_phys(kva)?;
        if self.mem.write_phys(addr, value.as_bytes()) {
            Ok(())
        } else {
            Err(ReadError::OutsideRam {
                addr,
                len: size_of::<T>() as u64,
            })
        }
    }
}

impl GuestMem for KernelMem<'_> {
    /// A range is translated by its first byte: a kernel record lies in
    /// one mapping, contiguous in guest-physical memory.
    fn read(&self, kva: u64, buf: &mut [u8]) -> Result<(), ReadError> {
        let addr = kva_to_phys(kva)?;
        if !self.mem.read_phys(addr, buf) {
            return Err(ReadError::OutsideRam {
                addr,
                len: buf.len() as u64,
            });
        }
        Ok(())
    }
}

/// Reads a `T` at kernel virtual address `kva` ([`KernelMem`], for one
/// record).
pub fn kread<T: FromBytes + IntoBytes>(mem: &dyn PhysMem, kva: u64) -> Result<T, ReadError> {
    KernelMem::new(mem).get(kva)
}

/// Writes a `T` at kernel virtual address `kva` (tests that break guest
/// state on purpose).
pub fn kwrite<T: IntoBytes + Immutable>(
    mem: &dyn PhysMem,
    kva: u64,
    value: &T,
) -> Result<(), ReadError> {
    KernelMem::new(mem).put(kva, value)
}

/// How a [`UserMem`] finds the page of an address.
#[derive(Clone, Copy)]
enum Pages<'a> {
    /// Translated through the page tables at this root when read.
    Root(u64),
    /// Looked up among the present mappings of a walk of the root.
    Walked(&'a Walk),
}

/// The user part of one address space.
#[derive(Clone, Copy)]
pub struct UserMem<'a> {
    mem: &'a dyn PhysMem,
    pages: Pages<'a>,
}

impl<'a> UserMem<'a> {
    /// Through the page tables at `root`, translating each page as it is
    /// read.
    pub fn with_root(mem: &'a dyn PhysMem, root: u64) -> UserMem<'a> {
        UserMem {
            mem,
            pages: Pages::Root(root),
        }
    }

    /// Through the mappings `walk` found (the walk of the user part of
    /// one root, at this stop).
    pub fn with_walk(mem: &'a dyn PhysMem, walk: &'a Walk) -> UserMem<'a> {
        UserMem {
            mem,
            pages: Pages::Walked(walk),
        }
    }

    /// The present page holding `virt`, if any.
    fn mapping(&self, virt: u64) -> Result<Option<Mapping>, ReadError> {
        match self.pages {
            Pages::Root(root) => {
                pagetable::translate(self.mem, root, virt).map_err(ReadError::PageTables)
            }
            Pages::Walked(w) => Ok(page_at(&w.mappings, virt).copied()),
        }
    }

    /// Fills `buf` from user address `virt`. Ok(true): every byte was on a
    /// present user-accessible page; Ok(false): some page is not present
    /// (its bytes read as zero), allowed only with `absent_ok`. A page that
    /// is present but supervisor-only, or a range outside user space or
    /// guest RAM, is an error.
    fn read_pages(&self, virt: u64, buf: &mut [u8], absent_ok: bool) -> Result<bool, ReadError> {
        // Nothing to read is readable anywhere.
        if buf.is_empty() {
            return Ok(true);
        }
        let outside = ReadError::OutsideUserSpace {
            addr: virt,
            len: buf.len() as u64,
        };
        let end = virt
            .checked_add(buf.len() as u64)
            .filter(|&e| e <= USER_SPACE_END)
            .ok_or(outside)?;
        let mut all = true;
        let mut at = virt;
        // A 4 KiB page at a time, also inside a larger page: an error
        // names the first small page that cannot be read.
        while at < end {
            let page_end = (at | (PAGE_SIZE - 1)) + 1;
            let n = (page_end.min(end) - at) as usize;
            let off = (at - virt) as usize;
            let dst = &mut buf[off..off + n];
            match self.mapping(at)? {
                None if absent_ok => {
                    dst.fill(0);
                    all = false;
                }
                None => return Err(ReadError::NotMapped(at)),
                Some(m) if !m.user() => return Err(ReadError::NotUser(at)),
                Some(m) => {
                    if !self.mem.read_phys(m.phys + (at - m.virt), dst) {
                        return Err(ReadError::FrameOutsideRam {
                            virt: at,
                            phys: m.phys,
                        });
                    }
                }
            }
            at += n as u64;
        }
        Ok(all)
    }

    /// A `T` at `virt` where a page not present reads as zero: only for
    /// what may lie on a demand-zero page nobody has touched yet.
    pub fn get_or_zero<T: FromBytes + IntoBytes>(&self, virt: u64) -> Result<T, ReadError> {
        let mut value = T::new_zeroed();
        self.read_pages(virt, value.as_mut_bytes(), true)?;
        Ok(value)
    }
}

impl GuestMem for UserMem<'_> {
    /// Every byte on a present user-accessible page.
    fn read(&self, virt: u64, buf: &mut [u8]) -> Result<(), ReadError> {
        self.read_pages(virt, buf, false).map(|_| ())
    }
}

/// The present page of `maps` (sorted by address) holding `virt`.
fn page_at(maps: &[Mapping], virt: u64) -> Option<&Mapping> {
    let i = maps.partition_point(|m| m.virt <= virt).checked_sub(1)?;
    let m = &maps[i];
    (virt - m.virt < m.size).then_some(m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inspect::mem::BufMem;
    use crate::inspect::pagetable::Flags;

    fn page(virt: u64, phys: u64, user: bool) -> Mapping {
        let mut f = Flags::PRESENT | Flags::WRITABLE;
        if user {
            f |= Flags::USER_ACCESSIBLE;
        }
        Mapping {
            virt,
            phys,
            size: 4096,
            pte: 0,
            leaf: f,
            effective: f,
        }
    }

    /// Two user pages at 0x10000 (frames 1, 2), a supervisor page at
    /// 0x12000, nothing at 0x13000, and the same through real tables.
    fn space() -> (BufMem, Walk, u64) {
        let mem = BufMem(std::cell::RefCell::new(vec![0u8; 8 * 4096]));
        for (i, b) in [(0x1000usize, 0xaau8), (0x2000, 0xbb), (0x3000, 0xcc)] {
            mem.0.borrow_mut()[i..i + 4096].fill(b);
        }
        let walk = Walk {
            mappings: vec![
                page(0x10000, 0x1000, true),
                page(0x11000, 0x2000, true),
                page(0x12000, 0x3000, false),
            ],
            ..Walk::default()
        };
        // PML4 0x4000 -> PDPT 0x5000 -> PD 0x6000 -> PT 0x7000.
        let (p, w, u) = (1u64, 2u64, 4u64);
        let set = |table: u64, i: u64, v: u64| {
            assert!(mem.write_phys(table + 8 * i, &v.to_le_bytes()));
        };
        set(0x4000, 0, 0x5000 | p | w | u);
        set(0x5000, 0, 0x6000 | p | w | u);
        set(0x6000, 0, 0x7000 | p | w | u);
        set(0x7000, 0x10, 0x1000 | p | w | u);
        set(0x7000, 0x11, 0x2000 | p | w | u);
        set(0x7000, 0x12, 0x3000 | p | w);
        (mem, walk, 0x4000)
    }

    #[test]
    fn user_reads_are_the_same_through_a_root_and_a_walk() {
        let (mem, walk, root) = space();
        for um in [
            UserMem::with_root(&mem, root),
            UserMem::with_walk(&mem, &walk),
        ] {
            // Across the boundary of two present pages.
            let b = um.bytes(0x10ffe, 4).unwrap();
            assert_eq!(b, [0xaa, 0xaa, 0xbb, 0xbb]);
            assert_eq!(um.get::<u32>(0x11000).unwrap(), 0xbbbb_bbbb);
            assert_eq!(um.read(0x12000, &mut [0]), Err(ReadError::NotUser(0x12000)));
            assert_eq!(
                um.read(0x13000, &mut [0]),
                Err(ReadError::NotMapped(0x13000))
            );
            assert_eq!(
                um.read(USER_SPACE_END - 1, &mut [0, 0]),
                Err(ReadError::OutsideUserSpace {
                    addr: USER_SPACE_END - 1,
                    len: 2
                })
            );
            // Nothing to read: readable anywhere.
            assert_eq!(um.read(u64::MAX, &mut []), Ok(()));
            // A demand-zero page reads as zero only when asked for.
            assert_eq!(um.get_or_zero::<u64>(0x13000), Ok(0));
            assert_eq!(um.get::<u64>(0x13000), Err(ReadError::NotMapped(0x13000)));
            assert_eq!(
                um.get_or_zero::<u64>(0x12ffc),
                Err(ReadError::NotUser(0x12ffc))
            );
        }
    }

    #[test]
    fn strings_end_at_nul_or_at_the_limit() {
        let (mem, walk, _) = space();
        let um = UserMem::with_walk(&mem, &walk);
        mem.0.borrow_mut()[0x1ffe..0x2002].copy_from_slice(b"ab\0c");
        assert_eq!(um.c_string(0x10ffe, 32), Ok((b"ab".to_vec(), false)));
        assert_eq!(um.c_string(0x10ffe, 1), Ok((b"a".to_vec(), true)));
        // No NUL before the supervisor page.
        assert_eq!(um.c_string(0x11001, 8192), Err(ReadError::NotUser(0x12000)));
    }

    #[test]
    fn kernel_reads_translate_the_direct_map() {
        let (mem, _, _) = space();
        let km = KernelMem::new(&mem);
        let kva = abi::layout::DIRECT_MAP_BASE + 0x1000;
        assert_eq!(km.get::<u64>(kva), Ok(0xaaaa_aaaa_aaaa_aaaa));
        km.put(kva, &7u64).unwrap();
        assert_eq!(kread::<u64>(&mem, kva), Ok(7));
        assert_eq!(km.get::<u64>(0x1000), Err(ReadError::BadPointer(0x1000)));
        let beyond = abi::layout::DIRECT_MAP_BASE + 8 * 4096;
        assert_eq!(
            km.get::<u64>(beyond),
            Err(ReadError::OutsideRam {
                addr: 8 * 4096,
                len: 8
            })
        );
    }
}
