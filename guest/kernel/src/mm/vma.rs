//! A user address space (`mm`): its page-table root and its VMAs, the
//! regions the program may use with their protections. Pages inside a VMA
//! are allocated on first touch (`fault.rs`), so a VMA costs nothing until
//! used.
//!
//! Invariants: VMAs are page-aligned, non-empty and do not overlap; every
//! present user page lies inside a VMA and its PTE matches the VMA's
//! protection; every present user page owns its frame.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use abi::layout::{PAGE_SIZE, USER_SPACE_END, USER_STACK_TOP};

use super::{frame, paging};
use crate::errno::*;

pub const PROT_READ: u32 = 1;
pub const PROT_WRITE: u32 = 2;
pub const PROT_EXEC: u32 = 4;

/// Linux's default RLIMIT_STACK.
pub const STACK_LIMIT: u64 = 8 << 20;
/// Lowest address mmap hands out (vm.mmap_min_addr).
pub const MMAP_MIN_ADDR: u64 = 0x1_0000;
/// mmap allocates top-down below this: the stack limit plus a gap, as
/// Linux's mmap_base without randomization (at least 128 MiB below the top).
pub const MMAP_BASE: u64 = USER_STACK_TOP - (128 << 20);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VmaKind {
    /// A PT_LOAD segment of the program.
    Image,
    Heap,
    Stack,
    Anon,
}

#[derive(Clone, Copy, Debug)]
#[allow(dead_code)] // `kind` is for the host's view and /proc-like dumps
pub struct Vma {
    pub start: u64,
    pub end: u64,
    pub prot: u32,
    pub kind: VmaKind,
}

/// `mm_struct`; `root` is `abi::task::MmStruct::pgd` (layout checked in
/// task.rs).
#[repr(C)]
pub struct Mm {
    /// Physical address of the PML4.
    pub root: u64,
    /// Keyed by start address.
    vmas: BTreeMap<u64, Vma>,
    pub start_brk: u64,
    pub brk: u64,
}

impl Drop for Mm {
    /// The last reference is gone (exit, exec, or a failed fork): every
    /// user frame and page-table page goes back.
    fn drop(&mut self) {
        // One walk over the tables for all of user space, not one per VMA.
        let mut frames: Vec<u64> = Vec::new();
        paging::for_each_present(self.root, 0, USER_SPACE_END, |_, f, _| frames.push(f));
        for f in frames {
            frame::put(f);
        }
        paging::free_user_tables(self.root);
    }
}

impl Mm {
    /// `copy_mm` without CLONE_VM: the same VMAs, every present page shared
    /// copy-on-write (read-only in both, one more reference on the frame);
    /// the first write to such a page copies it (`fault::break_cow`).
    pub fn fork(&mut self) -> KResult<Mm> {
        let mut child = Mm::new()?;
        child.vmas = self.vmas.clone();
        child.start_brk = self.start_brk;
        child.brk = self.brk;
        paging::copy_user_cow(self.root, child.root, &mut frame::get).ok_or(ENOMEM)?;
        Ok(child)
    }

    pub fn new() -> KResult<Mm> {
        let root = paging::new_root().ok_or(ENOMEM)?;
        Ok(Mm {
            root,
            vmas: BTreeMap::new(),
            start_brk: 0,
            brk: 0,
        })
    }

    pub fn find(&self, addr: u64) -> Option<&Vma> {
        self.vmas
            .range(..=addr)
            .next_back()
            .map(|(_, v)| v)
            .filter(|v| addr < v.end)
    }

    /// Whether any VMA intersects [start, end).
    pub fn intersects(&self, start: u64, end: u64) -> bool {
        if let Some((_, v)) = self.vmas.range(..end).next_back() {
            return v.end > start;
        }
        false
    }

    /// Whether [start, end) is entirely covered by VMAs.
    pub fn covered(&self, start: u64, end: u64) -> bool {
        let mut at = start;
        while at < end {
            match self.find(at) {
                Some(v) => at = v.end,
                None => return false,
            }
        }
        true
    }

    pub fn insert(&mut self, vma: Vma) {
        debug_assert!(!self.intersects(vma.start, vma.end));
        self.vmas.insert(vma.start, vma);
    }

    /// Splits VMAs so that `addr` is a boundary.
    fn split_at(&mut self, addr: u64) {
        let Some(v) = self.find(addr).copied() else {
            return;
        };
        if v.start == addr {
            return;
        }
        self.vmas.insert(v.start, Vma { end: addr, ..v });
        self.vmas.insert(addr, Vma { start: addr, ..v });
    }

    /// VMAs fully inside [start, end) after splitting at both ends.
    fn isolate(&mut self, start: u64, end: u64) -> Vec<u64> {
        self.split_at(start);
        self.split_at(end);
        self.vmas.range(start..end).map(|(k, _)| *k).collect()
    }

    /// Unmaps [start, end): frees the pages and removes the VMAs.
    pub fn unmap_range(&mut self, start: u64, end: u64) {
        for key in self.isolate(start, end) {
            if let Some(v) = self.vmas.remove(&key) {
                self.free_pages(v.start, v.end);
            }
        }
    }

    /// Frees the present pages of [start, end) (the VMAs stay).
    pub fn free_pages(&mut self, start: u64, end: u64) {
        let mut present: Vec<u64> = Vec::new();
        paging::for_each_present(self.root, start, end, |v, _, _| present.push(v));
        for page in present {
            if let Some(f) = paging::unmap(self.root, page) {
                frame::put(f);
            }
        }
    }

    /// Changes the protection of [start, end), which must be fully mapped.
    pub fn protect(&mut self, start: u64, end: u64, prot: u32) -> KResult<()> {
        if !self.covered(start, end) {
            return Err(ENOMEM);
        }
        for key in self.isolate(start, end) {
            let v = self.vmas.get_mut(&key).unwrap();
            v.prot = prot;
            let (s, e) = (v.start, v.end);
            // Only present pages have a PTE to change (a fresh 8 MiB thread
            // stack has none): walk the tables that exist, not every page.
            let mut present: Vec<(u64, u64)> = Vec::new();
            paging::for_each_present(self.root, s, e, |page, f, _| present.push((page, f)));
            for (page, f) in present {
                let mut flags = paging::user_flags(prot);
                if frame::refs(f) > 1 {
                    // Still shared copy-on-write: the first write copies.
                    flags &= !x86_64::structures::paging::PageTableFlags::WRITABLE;
                }
                paging::set_flags(self.root, page, flags);
            }
        }
        Ok(())
    }

    /// Highest free, page-aligned range of `len` bytes below `below`.
    pub fn find_free_top_down(&self, len: u64, below: u64) -> Option<u64> {
        let mut top = below;
        for (_, v) in self.vmas.range(..below).rev() {
            if v.end <= top && top - v.end >= len {
                return Some(top - len);
            }
            top = top.min(v.start);
        }
        if top >= MMAP_MIN_ADDR + len {
            Some(top - len)
        } else {
            None
        }
    }

    /// The initial stack VMA: RLIMIT_STACK below the top of user space,
    /// populated on demand, so overflowing it is a SIGSEGV as on Linux.
    pub fn add_stack(&mut self) {
        self.insert(Vma {
            start: USER_STACK_TOP - STACK_LIMIT,
            end: USER_STACK_TOP,
            prot: PROT_READ | PROT_WRITE,
            kind: VmaKind::Stack,
        });
    }

    /// brk(2): moves the program break; returns the (possibly unchanged) break.
    pub fn set_brk(&mut self, new: u64) -> u64 {
        if new < self.start_brk || new >= USER_SPACE_END {
            return self.brk;
        }
        let old_top = super::page_up(self.brk).unwrap();
        let new_top = match super::page_up(new) {
            Some(t) => t,
            None => return self.brk,
        };
        if new_top > old_top {
            // Keep a page of gap to the next mapping, like Linux's guard.
            if self.intersects(old_top, new_top + PAGE_SIZE) {
                return self.brk;
            }
            let prot = PROT_READ | PROT_WRITE;
            match self.vmas.get_mut(&self.start_brk) {
                Some(v) if v.end == old_top => v.end = new_top,
                _ => self.insert(Vma {
                    start: old_top,
                    end: new_top,
                    prot,
                    kind: VmaKind::Heap,
                }),
            }
        } else if new_top < old_top {
            self.unmap_range(new_top, old_top);
        }
        self.brk = new;
        self.brk
    }

    pub fn set_brk_start(&mut self, start: u64) {
        self.start_brk = start;
        self.brk = start;
    }
}
