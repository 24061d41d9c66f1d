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
use crate::fs::inode::Inode;
use crate::krc::KRc;

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
    /// MAP_SHARED, of a file or anonymous: the backing file's pages,
    /// writable in every mapping that allows writes.
    Shared,
    /// MAP_PRIVATE of a file: its pages read-only until a write copies.
    File,
}

/// What a file-backed VMA maps: the file (for anonymous shared memory, an
/// unnamed one), the file page at the VMA's start, and the absolute path
/// the file was opened by (`None` for the unnamed file), which
/// /proc/PID/maps shows: an inode does not know its names.
#[derive(Clone)]
pub struct Backing {
    pub inode: KRc<Inode>,
    pub pgoff: u64,
    pub path: Option<KRc<Vec<u8>>>,
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
    /// Not in the host's record.
    backing: Option<Backing>,
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
    use abi::task::vma_kind;
    assert!(VmaKind::Image as u32 == vma_kind::IMAGE && VmaKind::Heap as u32 == vma_kind::HEAP);
    assert!(VmaKind::Stack as u32 == vma_kind::STACK && VmaKind::Anon as u32 == vma_kind::ANON);
    assert!(VmaKind::Shared as u32 == vma_kind::SHARED && VmaKind::File as u32 == vma_kind::FILE);
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
    /// Where exec put the strings and argc (/proc/PID/cmdline, environ,
    /// stat).
    pub layout: StackLayout,
    /// Bytes covered by VMAs (Linux's total_vm, in bytes) and the most
    /// they ever covered (hiwater_vm): VmSize and VmPeak.
    pub total_vm: u64,
    pub hiwater_vm: u64,
    /// The name execve gave the program (Linux's `comm`, at most 15
    /// bytes): only execve sets it and every execve makes a new address
    /// space, so the tasks using one share it. `None`: the last component
    /// of `exe`.
    pub comm: Option<Vec<u8>>,
}

/// The initial stack's landmarks, Linux's mm fields of the same names:
/// the argument strings are [arg_start, arg_end), the environment strings
/// [env_start, env_end) right above them, argc at start_stack. All zero
/// until exec builds the stack.
#[derive(Clone, Copy, Default, Debug)]
pub struct StackLayout {
    pub arg_start: u64,
    pub arg_end: u64,
    pub env_start: u64,
    pub env_end: u64,
    pub start_stack: u64,
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
            child.insert_backed(n.vma, n.backing.clone());
        }
        child.start_brk = self.start_brk;
        child.brk = self.brk;
        child.layout = self.layout;
        child.hiwater_vm = self.hiwater_vm.max(child.total_vm);
        child.execs = self.execs;
        if let Some(exe) = &self.exe {
            child.exe = Some(crate::fs::inode::try_copy(exe)?);
        }
        if let Some(comm) = &self.comm {
            child.comm = Some(crate::fs::inode::try_copy(comm)?);
        }
        paging::copy_user_cow(self.root, child.root, &mut frame::get).ok_or(ENOMEM)?;
        // Shared memory is not copy-on-write: the parent's pages become
        // writable again, and the child faults its pages in from the
        // backing file when it uses them.
        let shared: Vec<Vma> = self
            .vmas
            .values()
            .filter(|n| n.vma.kind == VmaKind::Shared)
            .map(|n| n.vma)
            .collect();
        for v in shared {
            child.free_pages(v.start, v.end);
            let mut present: Vec<u64> = Vec::new();
            paging::for_each_present(self.root, v.start, v.end, |page, _, _| present.push(page));
            let flags = paging::user_flags(v.prot);
            for page in present {
                paging::set_flags(self.root, page, flags);
            }
        }
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
            layout: StackLayout::default(),
            total_vm: 0,
            hiwater_vm: 0,
            comm: None,
        })
    }

    /// Every VMA in address order, with what it maps.
    pub fn vmas(&self) -> impl Iterator<Item = (&Vma, Option<&Backing>)> {
        self.vmas.values().map(|n| (&n.vma, n.backing.as_ref()))
    }

    /// `total_vm` changed by `grown` bytes less `shrunk`; the peak follows.
    fn account(&mut self, grown: u64, shrunk: u64) {
        self.total_vm = self.total_vm + grown - shrunk;
        self.hiwater_vm = self.hiwater_vm.max(self.total_vm);
    }

    /// The VMA holding `addr` and, for a file-backed one, what it maps.
    pub fn find_backed(&self, addr: u64) -> Option<(Vma, Option<Backing>)> {
        self.vmas
            .range(..=addr)
            .next_back()
            .map(|(_, n)| n)
            .filter(|n| addr < n.vma.end)
            .map(|n| (n.vma, n.backing.clone()))
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
        self.insert_backed(vma, None)
    }

    pub fn insert_backed(&mut self, vma: Vma, backing: Option<Backing>) {
        debug_assert!(!self.intersects(vma.start, vma.end));
        let mut node = Box::new(VmaNode {
            vma,
            next: self.mmap,
            prev: core::ptr::null_mut(),
            backing,
        });
        let at: *mut VmaNode = &mut *node;
        // SAFETY: every node on the list is owned by `vmas` and lives
        // until `remove` unlinks it.
        if let Some(head) = unsafe { self.mmap.as_mut() } {
            head.prev = at;
        }
        self.mmap = at;
        self.map_count += 1;
        self.account(vma.end - vma.start, 0);
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
        self.account(0, node.vma.end - node.vma.start);
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
        let mut backing = None;
        if let Some(n) = self.vmas.get_mut(&v.start) {
            n.vma.end = addr;
            backing = n.backing.clone().map(|b| Backing {
                pgoff: b.pgoff + (addr - v.start) / PAGE_SIZE,
                ..b
            });
        }
        // The upper part is inserted back below.
        self.account(0, v.end - addr);
        self.insert_backed(Vma { start: addr, ..v }, backing);
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
            let (s, e, shared) = (v.start, v.end, v.kind == VmaKind::Shared);
            // Only present pages have a PTE to change (a fresh 8 MiB thread
            // stack has none): walk the tables that exist, not every page.
            let mut present: Vec<(u64, u64)> = Vec::new();
            paging::for_each_present(self.root, s, e, |page, f, _| present.push((page, f)));
            for (page, f) in present {
                let mut flags = paging::user_flags(prot);
                if !shared && (frame::refs(f) > 1 || frame::is_cached(f)) {
                    // Still shared copy-on-write, or a private mapping of a
                    // file's page: the first write copies.
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
                Some(n) if n.vma.end == old_top => {
                    n.vma.end = new_top;
                    self.account(new_top - old_top, 0);
                }
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

/// Takes file pages `from_page` and beyond of `inode` out of every address
/// space that maps them (Linux's unmap_mapping_range after truncate), the
/// private copies of them included, so the next touch is SIGBUS.
pub fn unmap_file_pages(inode: &KRc<Inode>, from_page: u64) {
    let mut mms: Vec<KRc<Mm>> = Vec::new();
    for t in crate::task::kernel().tasks.values() {
        if !mms.iter().any(|m| m.as_ptr() == t.mm.as_ptr()) {
            if mms.try_reserve(1).is_err() {
                // Without memory to list them, the mappings keep their
                // pages: reads see the old bytes rather than SIGBUS.
                return;
            }
            mms.push(t.mm.clone());
        }
    }
    for mm in mms {
        let mut mm = mm.borrow_mut();
        let ranges: Vec<(u64, u64)> = mm
            .vmas
            .values()
            .filter_map(|n| {
                let b = n.backing.as_ref()?;
                if b.inode.as_ptr() != inode.as_ptr() {
                    return None;
                }
                let pages = (n.vma.end - n.vma.start) / PAGE_SIZE;
                let first = from_page.saturating_sub(b.pgoff);
                (first < pages).then(|| (n.vma.start + first * PAGE_SIZE, n.vma.end))
            })
            .collect();
        for (start, end) in ranges {
            mm.free_pages(start, end);
        }
    }
}
