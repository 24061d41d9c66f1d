//! A user address space (`mm`): its page-table root and its VMAs, the
//! regions the program may use with their protections. Pages inside a VMA
//! are allocated on first touch (`fault.rs`), so a VMA costs nothing until
//! used.
//!
//! Invariants: VMAs are page-aligned, non-empty and do not overlap; every
//! present user page lies inside a VMA and its PTE matches the VMA's
//! protection; every present user page owns its frame.
//!
//! The VMAs are found by address through a `BTreeMap`; each also sits in a
//! boxed `#[repr(C)]` node linked on the mm's `mmap` list
//! (`abi::task::VmAreaStruct`), which is what the host reads to check the
//! page tables against (the host's invariant 9). The list is unordered:
//! a new VMA goes at its head, so keeping it costs O(1) per change.

use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use abi::layout::{PAGE_SIZE, USER_SPACE_END, USER_STACK_TOP};
use abi::linux::mman;

use super::{frame, paging};
use crate::errno::*;

/// The protection bits as a VMA keeps them (`abi::task::VmAreaStruct`'s
/// `prot` is 32 bits).
pub const PROT_READ: u32 = mman::PROT_READ as u32;
pub const PROT_WRITE: u32 = mman::PROT_WRITE as u32;
pub const PROT_EXEC: u32 = mman::PROT_EXEC as u32;

/// Linux's default RLIMIT_STACK.
pub const STACK_LIMIT: u64 = 8 << 20;
/// Lowest address mmap hands out (vm.mmap_min_addr).
pub const MMAP_MIN_ADDR: u64 = 0x1_0000;
/// mmap allocates top-down below this: the stack limit plus a gap, as
/// Linux's mmap_base without randomization (at least 128 MiB below the top).
pub const MMAP_BASE: u64 = USER_STACK_TOP - (128 << 20);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum VmaKind {
    /// A PT_LOAD segment of the program.
    Image,
    Heap,
    Stack,
    Anon,
}

#[derive(Clone, Copy, Debug)]
#[repr(C)]
#[allow(dead_code)] // `kind` is for the host's view and /proc-like dumps
pub struct Vma {
    pub start: u64,
    pub end: u64,
    pub prot: u32,
    pub kind: VmaKind,
}

/// A VMA as the host sees it: `abi::task::VmAreaStruct` (layout checked
/// below). Boxed, so its address stays put while the map moves it.
#[repr(C)]
pub struct VmaNode {
    vma: Vma,
    next: *mut VmaNode,
    prev: *mut VmaNode,
}

const _: () = {
    use abi::task::VmAreaStruct as A;
    use core::mem::offset_of;
    assert!(offset_of!(VmaNode, vma) + offset_of!(Vma, start) == offset_of!(A, vm_start));
    assert!(offset_of!(VmaNode, vma) + offset_of!(Vma, end) == offset_of!(A, vm_end));
    assert!(offset_of!(VmaNode, vma) + offset_of!(Vma, prot) == offset_of!(A, prot));
    assert!(offset_of!(VmaNode, vma) + offset_of!(Vma, kind) == offset_of!(A, kind));
    assert!(offset_of!(VmaNode, next) == offset_of!(A, vm_next));
    assert!(offset_of!(VmaNode, prev) == offset_of!(A, vm_prev));
    assert!(core::mem::size_of::<VmaKind>() == 4);
};

/// `mm_struct`; `root`, `mmap`, `map_count` and `execs` are
/// `abi::task::MmStruct`'s `pgd`, `mmap`, `map_count` and `execs` (layout
/// checked in task.rs).
#[repr(C)]
pub struct Mm {
    /// Physical address of the PML4.
    pub root: u64,
    /// Head of the VMA list (every node of `vmas`), for the host.
    pub mmap: *mut VmaNode,
    /// Nodes on `mmap`.
    pub map_count: u64,
    /// execve calls behind this address space's program
    /// (`abi::task::MmStruct::execs`).
    pub execs: u64,
    /// Keyed by start address; owns the nodes.
    vmas: BTreeMap<u64, Box<VmaNode>>,
    pub start_brk: u64,
    pub brk: u64,
    /// The path of the program this address space runs (/proc/PID/exe).
    pub exe: Option<Vec<u8>>,
    /// The name execve gave the program (Linux's `comm`, at most 15
    /// bytes): only execve sets it and every execve makes a new address
    /// space, so the tasks using one share it. `None`: the last component
    /// of `exe`.
    pub comm: Option<Vec<u8>>,
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
        for n in self.vmas.values() {
            child.insert(n.vma);
        }
        child.start_brk = self.start_brk;
        child.brk = self.brk;
        child.execs = self.execs;
        if let Some(exe) = &self.exe {
            child.exe = Some(crate::fs::inode::try_copy(exe)?);
        }
        if let Some(comm) = &self.comm {
            child.comm = Some(crate::fs::inode::try_copy(comm)?);
        }
        paging::copy_user_cow(self.root, child.root, &mut frame::get).ok_or(ENOMEM)?;
        Ok(child)
    }

    pub fn new() -> KResult<Mm> {
        let root = paging::new_root().ok_or(ENOMEM)?;
        Ok(Mm {
            root,
            mmap: core::ptr::null_mut(),
            map_count: 0,
            execs: 0,
            vmas: BTreeMap::new(),
            start_brk: 0,
            brk: 0,
            exe: None,
            comm: None,
        })
    }

    pub fn find(&self, addr: u64) -> Option<&Vma> {
        self.vmas
            .range(..=addr)
            .next_back()
            .map(|(_, n)| &n.vma)
            .filter(|v| addr < v.end)
    }

    /// Whether any VMA intersects [start, end).
    pub fn intersects(&self, start: u64, end: u64) -> bool {
        if let Some((_, n)) = self.vmas.range(..end).next_back() {
            return n.vma.end > start;
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
        let mut node = Box::new(VmaNode {
            vma,
            next: self.mmap,
            prev: core::ptr::null_mut(),
        });
        let at: *mut VmaNode = &mut *node;
        // SAFETY: every node on the list is owned by `vmas` and lives
        // until `remove` unlinks it.
        if let Some(head) = unsafe { self.mmap.as_mut() } {
            head.prev = at;
        }
        self.mmap = at;
        self.map_count += 1;
        let old = self.vmas.insert(vma.start, node);
        debug_assert!(old.is_none());
    }

    /// Takes the VMA starting at `start` out of the map and the list.
    fn remove(&mut self, start: u64) -> Option<Vma> {
        let node = self.vmas.remove(&start)?;
        // SAFETY: the neighbours are live nodes of `vmas` (see insert).
        unsafe {
            match node.prev.as_mut() {
                Some(p) => p.next = node.next,
                None => self.mmap = node.next,
            }
            if let Some(n) = node.next.as_mut() {
                n.prev = node.prev;
            }
        }
        self.map_count -= 1;
        Some(node.vma)
    }

    /// Splits VMAs so that `addr` is a boundary.
    fn split_at(&mut self, addr: u64) {
        let Some(v) = self.find(addr).copied() else {
            return;
        };
        if v.start == addr {
            return;
        }
        if let Some(n) = self.vmas.get_mut(&v.start) {
            n.vma.end = addr;
        }
        self.insert(Vma { start: addr, ..v });
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
            if let Some(v) = self.remove(key) {
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
            let v = &mut self.vmas.get_mut(&key).unwrap().vma;
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
        for v in self.vmas.range(..below).rev().map(|(_, n)| &n.vma) {
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
                Some(n) if n.vma.end == old_top => n.vma.end = new_top,
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
