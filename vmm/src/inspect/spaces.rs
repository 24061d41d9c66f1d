//! Every address space of the guest, read through its page tables, and the
//! page-table invariants checked at every syscall stop (7–9).
//!
//! [`AddressSpaces::read`] walks each distinct root (`mm_struct.pgd`) once
//! with [`super::pagetable`] (its user part, PML4 slots 0..254), walks the
//! kernel part (slots 254 and 255) of one root, reads each mm's VMA list
//! (`mm_struct.mmap`, bounded and cycle-checked) and the frame refcounts of
//! every mapped frame. Anything unreadable is a violation of invariant 0.
//!
//! 7. The kernel part is identical in every root (PML4 entries 254 and 255,
//!    and nothing in the upper half, slots 256..512) and never
//!    user-accessible; no two mm records share a root; a page-table page
//!    of a user part is used once (not twice in one root, not by two
//!    roots, not by the kernel part), and none is mapped by a user PTE (a
//!    present leaf in the user part, user-accessible or not).
//! 8. Every present user page is a 4 KiB page of a frame below
//!    `kernel_roots.nr_frames` whose refcount (`frame_refs[frame]`) equals
//!    the number of user PTEs mapping it across all roots (PROT_NONE pages,
//!    present but supervisor-only, count; program-file frames mapped
//!    directly by exec are counted like any other, `frame::own`), less
//!    the `FRAME_CACHED` bit a file's pages carry; a frame mapped more than
//!    once, or a file's page, is read-only in every private mapping
//!    (copy-on-write); a page of a MAP_SHARED VMA is a file's page.
//! 9. PTE permissions never exceed the mm's VMAs: VMAs are page-aligned,
//!    non-empty, inside user space and disjoint; every present user page
//!    lies inside a VMA; no writable PTE in a VMA without PROT_WRITE, no
//!    executable PTE (NX clear, for the program or the kernel) in a VMA
//!    without PROT_EXEC, no user-accessible PTE in a PROT_NONE VMA. Less is
//!    fine: a copy-on-write page is read-only in a writable VMA.

use abi::layout::{PAGE_SIZE, USER_SPACE_END};
use abi::task::{prot, vma_kind, VmAreaStruct, FRAME_CACHED};

use super::guest_mem::{kva_to_phys, GuestMemExt, KernelMem, ReadError};
use super::mem::PhysMem;
use super::pagetable::{self, flags, Flags, Walk, KERNEL_PML4, USER_PML4};
use super::tasks::KernelView;
use super::Violation;

/// More VMAs than this is a corrupt (or looping) list (Linux's default
/// vm.max_map_count is 65530).
pub const MAX_VMAS: usize = 65536;

/// One address space: a root and the mm records using it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Space {
    /// Kernel addresses of the mm records whose pgd is this root (one,
    /// unless the kernel is broken).
    pub mms: Vec<u64>,
    /// The user part of the root.
    pub walk: Walk,
    /// The first mm's VMAs, sorted by start.
    pub vmas: Vec<VmaRec>,
}

/// One VMA record and where it is (kernel address).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VmaRec {
    pub addr: u64,
    pub vma: VmAreaStruct,
}

/// Every address space at one stop.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddressSpaces {
    /// One per distinct root, in root order.
    pub spaces: Vec<Space>,
    /// The kernel part (PML4 slots 254, 255) of the first root.
    pub kernel: Walk,
    /// Refcount of every frame a user PTE maps (`None`: beyond
    /// `nr_frames`), sorted by frame.
    pub refs: Vec<(u64, Option<u16>)>,
}

impl AddressSpaces {
    pub fn read(mem: &dyn PhysMem, v: &KernelView) -> Result<AddressSpaces, Violation> {
        let mut spaces = Vec::new();
        for (root, mms) in roots_of(v) {
            let rec = &v.mms[&mms[0]];
            spaces.push(Space::read(mem, root, mms, rec)?);
        }
        let kernel = read_kernel_part(mem, spaces.first().map(|s| s.walk.root))?;
        let refs = read_refs(
            mem,
            v.roots.nr_frames,
            v.roots.frame_refs,
            &mapped_frames(&spaces),
        )?;
        Ok(AddressSpaces {
            spaces,
            kernel,
            refs,
        })
    }

    /// The refcount of a frame some user PTE maps.
    pub fn refcount(&self, frame: u64) -> Option<u16> {
        let i = self.refs.binary_search_by_key(&frame, |r| r.0).ok()?;
        self.refs[i].1
    }
}

/// Each distinct root (`mm_struct.pgd`) with the mm records using it, in
/// root order.
pub fn roots_of(v: &KernelView) -> Vec<(u64, Vec<u64>)> {
    // (root, mm) in root order, each root's mms in address order.
    let mut pairs: Vec<(u64, u64)> = v.mms.iter().map(|(&mm, r)| (r.pgd, mm)).collect();
    pairs.sort_unstable();
    pairs
        .chunk_by(|a, b| a.0 == b.0)
        .map(|g| (g[0].0, g.iter().map(|p| p.1).collect()))
        .collect()
}

impl Space {
    /// The user part of `root` and the VMAs of `mms[0]`, whose record is
    /// `rec` (only its `mmap` and `map_count` are used).
    pub fn read(
        mem: &dyn PhysMem,
        root: u64,
        mms: Vec<u64>,
        rec: &abi::task::MmStruct,
    ) -> Result<Space, Violation> {
        let walk = pagetable::walk(mem, root, USER_PML4).map_err(|e| {
            Violation::new(
                0,
                format!("address space of mm {:#x}: {}", mms[0], e.detail),
            )
        })?;
        let vmas = read_vmas(mem, mms[0], rec)?;
        Ok(Space { mms, walk, vmas })
    }
}

/// The kernel part (PML4 slots 254, 255) of the first root, if any.
pub fn read_kernel_part(mem: &dyn PhysMem, first_root: Option<u64>) -> Result<Walk, Violation> {
    match first_root {
        Some(root) => pagetable::walk(mem, root, KERNEL_PML4),
        None => Ok(Walk::default()),
    }
}

/// Every frame a user PTE maps, sorted, each once.
pub fn mapped_frames(spaces: &[Space]) -> Vec<u64> {
    let mut frames: Vec<u64> = spaces
        .iter()
        .flat_map(|s| s.walk.mappings.iter().map(|m| m.phys))
        .collect();
    frames.sort_unstable();
    frames.dedup();
    frames
}

/// The refcounts of `frames` (sorted) from the kernel's array at kernel
/// address `frame_refs` of `nr_frames` entries (`None`: beyond it).
pub fn read_refs(
    mem: &dyn PhysMem,
    nr_frames: u64,
    frame_refs: u64,
    frames: &[u64],
) -> Result<Vec<(u64, Option<u16>)>, Violation> {
    let mut chunks = RefChunks::new();
    let mut refs = Vec::with_capacity(frames.len());
    for &f in frames {
        refs.push((f, chunks.get(mem, nr_frames, frame_refs, f)?));
    }
    Ok(refs)
}

/// The refcount array read a page at a time (2048 frames, 8 MiB of RAM),
/// each page once per check: frames are asked for in order.
struct RefChunks {
    /// Which page `bytes` holds (`None`: none yet).
    chunk: Option<u64>,
    bytes: [u8; 4096],
}

impl RefChunks {
    fn new() -> RefChunks {
        RefChunks {
            chunk: None,
            bytes: [0; 4096],
        }
    }

    fn get(
        &mut self,
        mem: &dyn PhysMem,
        nr_frames: u64,
        frame_refs: u64,
        phys: u64,
    ) -> Result<Option<u16>, Violation> {
        let frame = phys / PAGE_SIZE;
        if frame >= nr_frames {
            return Ok(None);
        }
        let chunk = frame / 2048;
        if self.chunk != Some(chunk) {
            self.chunk = None;
            read_chunk(mem, nr_frames, frame_refs, chunk, &mut self.bytes)?;
            self.chunk = Some(chunk);
        }
        let i = 2 * (frame % 2048) as usize;
        Ok(Some(u16::from_le_bytes([self.bytes[i], self.bytes[i + 1]])))
    }
}

/// Reads the refcounts of frames `chunk * 2048 ..` (fewer for the last
/// chunk) into `bytes`.
fn read_chunk(
    mem: &dyn PhysMem,
    nr_frames: u64,
    frame_refs: u64,
    chunk: u64,
    bytes: &mut [u8; 4096],
) -> Result<(), Violation> {
    // The last chunk may be short.
    let first = chunk * 2048;
    let n = (nr_frames - first).min(2048) as usize;
    let base = frame_refs.wrapping_add(2 * first);
    let unreadable = |e: ReadError| Violation::new(0, format!("frame refcounts: {e}"));
    let phys = kva_to_phys(base).map_err(unreadable)?;
    let last = base.wrapping_add(2 * n as u64 - 1);
    if kva_to_phys(last).map_err(unreadable)? != phys + 2 * n as u64 - 1 {
        return Err(unreadable(ReadError::BadPointer(last)));
    }
    if !mem.read_phys(phys, &mut bytes[..2 * n]) {
        return Err(unreadable(ReadError::OutsideRam {
            addr: phys,
            len: 2 * n as u64,
        }));
    }
    Ok(())
}

/// The mm's VMA list, sorted by start: bounded, cycle- and back-link-checked,
/// and as long as `map_count` says.
///
/// No set of visited VMAs: with every back link checked, the first VMA
/// reached a second time always fails its back-link check (as a list node
/// in [`super::list::walk`], with 0 for the head), so the VMAs already
/// read are searched only then, to name the cycle.
///
/// A walk of its own, not [`super::list::walk`]: this list starts at a
/// pointer, not at a head node, ends at 0 with no head's back link to
/// check, its links are fields of the record, which is kept whole (the
/// list walk reads only a `ListHead` and returns addresses, so every VMA
/// would be read twice), and its findings name VMAs and `vm_prev`. One
/// walk for both would need a node trait, the end as a parameter and its
/// errors renamed per list: more than the loop below.
fn read_vmas(
    mem: &dyn PhysMem,
    mm: u64,
    rec: &abi::task::MmStruct,
) -> Result<Vec<VmaRec>, Violation> {
    let bad = |msg: String| Violation::new(0, format!("mm {mm:#x}'s VMA list: {msg}"));
    let km = KernelMem::new(mem);
    let mut out: Vec<VmaRec> = Vec::new();
    let (mut at, mut prev) = (rec.mmap, 0u64);
    while at != 0 {
        if out.len() >= MAX_VMAS {
            return Err(bad(format!("more than {MAX_VMAS} VMAs")));
        }
        let vma: VmAreaStruct = km.get(at).map_err(|e| bad(format!("{e}")))?;
        if vma.vm_prev != prev {
            if out.iter().any(|r| r.addr == at) {
                return Err(bad(format!("VMA {at:#x} is linked twice (a cycle)")));
            }
            return Err(bad(format!(
                "VMA {at:#x} has vm_prev {:#x}, but is reached from {prev:#x}",
                vma.vm_prev
            )));
        }
        out.push(VmaRec { addr: at, vma });
        prev = at;
        at = vma.vm_next;
    }
    if out.len() as u64 != rec.map_count {
        return Err(bad(format!(
            "{} VMAs on the list, map_count {}",
            out.len(),
            rec.map_count
        )));
    }
    // The kernel keeps the list sorted: then there is nothing to do.
    if !out.is_sorted_by_key(|v| v.vma.vm_start) {
        out.sort_by_key(|v| v.vma.vm_start);
    }
    Ok(out)
}

pub fn check_spaces(v: &KernelView, a: &AddressSpaces) -> Vec<Violation> {
    let mut out = Vec::new();
    kernel_part(a, &mut out);
    frames(v, a, &mut out);
    permissions(a, &mut out);
    out
}

/// Invariant 7.
fn kernel_part(a: &AddressSpaces, out: &mut Vec<Violation>) {
    let Some(first) = a.spaces.first() else {
        return;
    };
    // (table, root using it; 0 for the kernel part)
    let mut tables: Vec<(u64, u64)> = a.kernel.tables[1..].iter().map(|&t| (t, 0)).collect();
    for s in &a.spaces {
        let root = s.walk.root;
        if s.mms.len() > 1 {
            out.push(Violation::new(
                7,
                format!("mm records {:#x?} share the root {root:#x}", s.mms),
            ));
        }
        for i in KERNEL_PML4 {
            let e = s.walk.pml4[i];
            if e != first.walk.pml4[i] {
                out.push(Violation::new(
                    7,
                    format!(
                        "root {root:#x}'s kernel PML4 entry {i} is {e:#x}, root {:#x}'s is {:#x}",
                        first.walk.root, first.walk.pml4[i]
                    ),
                ));
            }
            if flags(e).contains(Flags::USER_ACCESSIBLE) {
                out.push(Violation::new(
                    7,
                    format!("root {root:#x}'s kernel PML4 entry {i} ({e:#x}) is user-accessible"),
                ));
            }
        }
        for i in KERNEL_PML4.end..pagetable::ENTRIES {
            if s.walk.pml4[i] != 0 {
                out.push(Violation::new(
                    7,
                    format!(
                        "root {root:#x} maps the upper half: PML4 entry {i} is {:#x}",
                        s.walk.pml4[i]
                    ),
                ));
            }
        }
        for &(entry, t) in &s.walk.aliased {
            out.push(Violation::new(
                7,
                format!("root {root:#x}: the entry at {entry:#x} leads to page table {t:#x} a second time"),
            ));
        }
        tables.extend(s.walk.tables.iter().map(|&t| (t, root)));
    }
    tables.sort_unstable();
    for pair in tables.windows(2) {
        let ((t, a), (u, b)) = (pair[0], pair[1]);
        if t == u {
            let whose = |r: u64| match r {
                0 => "the kernel part".to_string(),
                r => format!("root {r:#x}"),
            };
            out.push(Violation::new(
                7,
                format!("page table {t:#x} is used by {} and {}", whose(a), whose(b)),
            ));
        }
    }
    if let Some(m) = a.kernel.mappings.iter().find(|m| m.user()) {
        out.push(Violation::new(
            7,
            format!(
                "kernel page {:#x} (phys {:#x}) is user-accessible",
                m.virt, m.phys
            ),
        ));
    }
    // Sorted, so a page's range (4 KiB or large) is one search.
    for s in &a.spaces {
        for m in &s.walk.mappings {
            let i = tables.partition_point(|&(t, _)| t < m.phys);
            if let Some(&(t, _)) = tables
                .get(i)
                .filter(|&&(t, _)| t < m.phys.saturating_add(m.size))
            {
                out.push(Violation::new(
                    7,
                    format!(
                        "root {:#x} maps page table {t:#x} at user address {:#x}",
                        s.walk.root, m.virt
                    ),
                ));
            }
        }
    }
}

/// Invariant 8.
fn frames(v: &KernelView, a: &AddressSpaces, out: &mut Vec<Violation>) {
    // (frame, writable, root, virt, in a MAP_SHARED VMA) of every 4 KiB
    // user PTE, by frame.
    let mut uses: Vec<(u64, bool, u64, u64, bool)> = Vec::new();
    for s in &a.spaces {
        let root = s.walk.root;
        let shared = |virt: u64| {
            let i = s.vmas.partition_point(|v| v.vma.vm_start <= virt);
            i.checked_sub(1)
                .map(|i| &s.vmas[i].vma)
                .is_some_and(|v| virt < v.vm_end && v.kind == vma_kind::SHARED)
        };
        for m in &s.walk.mappings {
            if m.size != PAGE_SIZE {
                out.push(Violation::new(
                    8,
                    format!(
                        "root {root:#x} maps a {} KiB page at {:#x}: user pages are 4 KiB",
                        m.size >> 10,
                        m.virt
                    ),
                ));
                continue;
            }
            uses.push((m.phys, m.writable(), root, m.virt, shared(m.virt)));
        }
    }
    uses.sort_unstable();
    for group in uses.chunk_by(|x, y| x.0 == y.0) {
        let (frame, _, root, virt, _) = group[0];
        let n = group.len() as u64;
        let place = || format!("root {root:#x} at {virt:#x}");
        match a.refcount(frame) {
            None => out.push(Violation::new(
                8,
                format!(
                    "frame {frame:#x} ({}) is beyond the {} frames the kernel counts",
                    place(),
                    v.roots.nr_frames
                ),
            )),
            Some(r) if u64::from(r & !FRAME_CACHED) != n => out.push(Violation::new(
                8,
                format!(
                    "frame {frame:#x} has refcount {} but {n} user PTE(s) map it ({})",
                    r & !FRAME_CACHED,
                    place()
                ),
            )),
            Some(_) => {}
        }
        // Writable in a private mapping: copy-on-write must have copied
        // it first if anyone else has it, a file included.
        let cached = a.refcount(frame).is_some_and(|r| r & FRAME_CACHED != 0);
        let private_writable = group.iter().find(|u| u.1 && !u.4);
        if let (true, Some(&(_, _, root, virt, _))) = (n > 1 || cached, private_writable) {
            let held = if cached {
                "a file's page".to_string()
            } else {
                format!("mapped {n} times")
            };
            out.push(Violation::new(
                8,
                format!(
                    "frame {frame:#x} is {held} but writable in a private mapping in root {root:#x} at {virt:#x}"
                ),
            ));
        }
        if let Some(&(_, _, root, virt, _)) = group.iter().find(|u| u.4).filter(|_| !cached) {
            out.push(Violation::new(
                8,
                format!(
                    "frame {frame:#x} is mapped shared in root {root:#x} at {virt:#x} but no file holds it"
                ),
            ));
        }
    }
}

/// Invariant 9.
fn permissions(a: &AddressSpaces, out: &mut Vec<Violation>) {
    for s in &a.spaces {
        let root = s.walk.root;
        let mut end = 0;
        for VmaRec { vma, .. } in &s.vmas {
            let (lo, hi) = (vma.vm_start, vma.vm_end);
            if lo % PAGE_SIZE != 0 || hi % PAGE_SIZE != 0 || lo >= hi || hi > USER_SPACE_END {
                out.push(Violation::new(
                    9,
                    format!("root {root:#x}: VMA [{lo:#x}, {hi:#x}) is not a page-aligned range of user space"),
                ));
            }
            if lo < end {
                out.push(Violation::new(
                    9,
                    format!("root {root:#x}: VMA [{lo:#x}, {hi:#x}) overlaps the one ending at {end:#x}"),
                ));
            }
            end = end.max(hi);
        }
        for m in &s.walk.mappings {
            // The last VMA starting at or below the page.
            let i = s.vmas.partition_point(|v| v.vma.vm_start <= m.virt);
            let vma = i.checked_sub(1).map(|i| &s.vmas[i].vma);
            let Some(vma) = vma.filter(|v| m.virt.saturating_add(m.size) <= v.vm_end) else {
                out.push(Violation::new(
                    9,
                    format!(
                        "root {root:#x}: page {:#x} (frame {:#x}) is present outside every VMA",
                        m.virt, m.phys
                    ),
                ));
                continue;
            };
            let mut excess = Vec::new();
            if m.writable() && vma.prot & prot::WRITE == 0 {
                excess.push("writable");
            }
            if !m.effective.contains(Flags::NO_EXECUTE) && vma.prot & prot::EXEC == 0 {
                excess.push("executable");
            }
            if m.user() && vma.prot == 0 {
                excess.push("user-accessible");
            }
            if !excess.is_empty() {
                out.push(Violation::new(
                    9,
                    format!(
                        "root {root:#x}: page {:#x} is {} (PTE flags {:?}) in VMA [{:#x}, {:#x}) with prot {:#x}",
                        m.virt,
                        excess.join(" and "),
                        m.leaf,
                        vma.vm_start,
                        vma.vm_end,
                        vma.prot
                    ),
                ));
            }
        }
    }
}
