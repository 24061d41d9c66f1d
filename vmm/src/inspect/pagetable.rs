//! A 4-level x86_64 page-table walker over untrusted guest-physical memory.
//!
//! It translates any virtual address through any root (4 KiB, 2 MiB and
//! 1 GiB pages, with the effective present / writable / user / NX bits) and
//! enumerates the present mappings of a range of PML4 slots, e.g. the user
//! part of an address space.
//!
//! Guest memory is untrusted: every table's physical address is checked
//! against guest RAM before it is read, and a table reached a second time
//! within one walk is not entered again (it is recorded in
//! [`Walk::aliased`]: legitimate in the kernel part, where the kernel-image
//! window and the direct map share a page directory, a finding in a user
//! part), so loops end and a walk visits at most 512 entries per distinct
//! table, at most 512^4 for a root. A table that cannot be read or a
//! reserved large-page bit in a PML4 entry is reported as a [`Violation`]
//! of invariant 0, never a host panic.

use std::ops::Range;

use abi::layout::{KERNEL_MAP_SIZE, KERNEL_SPACE_START, KERNEL_VIRT_BASE, USER_SPACE_END};
pub use x86_64::structures::paging::PageTableFlags as Flags;
use zerocopy::IntoBytes;

use super::mem::PhysMem;
use super::Violation;

/// Entries per table.
pub const ENTRIES: usize = 512;
/// Bytes of a page-table page.
pub const TABLE_SIZE: u64 = 4096;
/// Physical-address bits of an entry pointing at a table or a 4 KiB page.
const ADDR_4K: u64 = 0x000f_ffff_ffff_f000;
/// ... at a 2 MiB page (bit 12 is PAT).
const ADDR_2M: u64 = 0x000f_ffff_ffe0_0000;
/// ... at a 1 GiB page.
const ADDR_1G: u64 = 0x000f_ffff_c000_0000;

/// PML4 index of a virtual address.
pub const fn pml4_index(virt: u64) -> usize {
    ((virt >> 39) & 0x1ff) as usize
}

/// PML4 slots of the user part of every address space (below the kernel).
pub const USER_PML4: Range<usize> = 0..pml4_index(USER_SPACE_END - 1) + 1;
/// PML4 slots of the kernel part (direct map and kernel image), the same in
/// every root.
pub const KERNEL_PML4: Range<usize> =
    pml4_index(KERNEL_SPACE_START)..pml4_index(KERNEL_VIRT_BASE + KERNEL_MAP_SIZE - 1) + 1;

const _: () = {
    assert!(USER_PML4.end == KERNEL_PML4.start);
    assert!(KERNEL_PML4.start == 254 && KERNEL_PML4.end == 256);
};

/// One page-table page as read from guest memory.
pub type Table = [u64; ENTRIES];

/// Reads the table at guest-physical `phys` (page-aligned, inside RAM).
pub fn read_table(mem: &dyn PhysMem, phys: u64) -> Result<Box<Table>, Violation> {
    let mut t = Box::new([0u64; ENTRIES]);
    read_table_into(mem, phys, &mut t)?;
    Ok(t)
}

/// [`read_table`] into `t`.
fn read_table_into(mem: &dyn PhysMem, phys: u64, t: &mut Table) -> Result<(), Violation> {
    if phys % TABLE_SIZE != 0 {
        return Err(Violation::new(
            0,
            format!("page table at {phys:#x} is not page-aligned"),
        ));
    }
    // One copy, no per-entry decoding (the host, x86_64 as KVM here, is
    // little-endian like the guest): this runs for every table at every
    // syscall stop.
    if !mem.read_phys(phys, t.as_mut_bytes()) {
        return Err(Violation::new(
            0,
            format!("page table at guest-physical {phys:#x} is outside guest RAM"),
        ));
    }
    Ok(())
}

/// The flags of a raw entry.
pub fn flags(entry: u64) -> Flags {
    Flags::from_bits_truncate(entry)
}

/// A present leaf: one page of a walk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mapping {
    /// First virtual address of the page (canonical).
    pub virt: u64,
    /// First physical address of the page.
    pub phys: u64,
    /// 4 KiB, 2 MiB or 1 GiB.
    pub size: u64,
    /// Guest-physical address of the leaf entry (to change it in tests).
    pub pte: u64,
    /// The leaf entry's own flags.
    pub leaf: Flags,
    /// What the CPU enforces over all levels: WRITABLE and USER_ACCESSIBLE
    /// only if every level sets them, NO_EXECUTE if any level does.
    pub effective: Flags,
}

impl Mapping {
    pub fn user(&self) -> bool {
        self.effective.contains(Flags::USER_ACCESSIBLE)
    }
    pub fn writable(&self) -> bool {
        self.effective.contains(Flags::WRITABLE)
    }
    /// Executable by the program (user-accessible and not NX).
    pub fn user_exec(&self) -> bool {
        self.user() && !self.effective.contains(Flags::NO_EXECUTE)
    }
}

/// Sign-extends bit 47 (x86_64's canonical form).
pub const fn canonical(virt: u64) -> u64 {
    (((virt << 16) as i64) >> 16) as u64
}

/// Effective flags after one more level's entry.
fn combine(acc: Flags, entry: Flags) -> Flags {
    let mut f = acc;
    for bit in [Flags::WRITABLE, Flags::USER_ACCESSIBLE] {
        if !entry.contains(bit) {
            f.remove(bit);
        }
    }
    if entry.contains(Flags::NO_EXECUTE) {
        f.insert(Flags::NO_EXECUTE);
    }
    f
}

/// The flags a walk starts from, before the PML4 entry.
fn top() -> Flags {
    Flags::PRESENT | Flags::WRITABLE | Flags::USER_ACCESSIBLE
}

/// Where `virt` leads through the tables at `root`: `None` when it is not
/// canonical or not mapped.
pub fn translate(mem: &dyn PhysMem, root: u64, virt: u64) -> Result<Option<Mapping>, Violation> {
    if canonical(virt) != virt {
        return Ok(None);
    }
    let mut table = root;
    let mut acc = top();
    for level in (1..=4u32).rev() {
        let shift = 12 + 9 * (level - 1);
        let index = ((virt >> shift) & 0x1ff) as usize;
        let pte = table + 8 * index as u64;
        let mut raw = [0u8; 8];
        if table % TABLE_SIZE != 0 || !mem.read_phys(pte, &mut raw) {
            return Err(Violation::new(
                0,
                format!("level-{level} table at {table:#x} (for {virt:#x}) is outside guest RAM"),
            ));
        }
        let e = u64::from_le_bytes(raw);
        let f = flags(e);
        if !f.contains(Flags::PRESENT) {
            return Ok(None);
        }
        acc = combine(acc, f);
        let huge = f.contains(Flags::HUGE_PAGE);
        if huge && level == 4 {
            return Err(reserved_ps(table, index));
        }
        if level == 1 || huge {
            let (mask, size) = leaf_shape(level);
            return Ok(Some(Mapping {
                virt: virt & !(size - 1),
                phys: e & mask,
                size,
                pte,
                leaf: f,
                effective: acc,
            }));
        }
        table = e & ADDR_4K;
    }
    unreachable!("level 1 always returns")
}

fn leaf_shape(level: u32) -> (u64, u64) {
    match level {
        3 => (ADDR_1G, 1 << 30),
        2 => (ADDR_2M, 2 << 20),
        _ => (ADDR_4K, 4096),
    }
}

fn reserved_ps(table: u64, index: usize) -> Violation {
    Violation::new(
        0,
        format!("PML4 {table:#x} entry {index} sets the reserved page-size bit"),
    )
}

/// Everything one walk of a root found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Walk {
    pub root: u64,
    /// The root's own entries.
    pub pml4: Vec<u64>,
    /// Every page-table page the walk entered (the root first), each once.
    pub tables: Vec<u64>,
    /// Present leaves in virtual-address order.
    pub mappings: Vec<Mapping>,
    /// (entry, table) for every entry that leads to a table the walk had
    /// already entered (not entered again).
    pub aliased: Vec<(u64, u64)>,
}

/// Walks the PML4 slots `slots` of `root`: every present leaf below them.
pub fn walk(mem: &dyn PhysMem, root: u64, slots: Range<usize>) -> Result<Walk, Violation> {
    let mut pml4 = vec![0u64; ENTRIES];
    let table: &mut Table = (&mut pml4[..]).try_into().expect("ENTRIES entries");
    read_table_into(mem, root, table)?;
    let mut walker = Walker {
        mem,
        seen: TableSet::default(),
        w: Walk {
            root,
            pml4,
            tables: vec![root],
            mappings: Vec::new(),
            aliased: Vec::new(),
        },
    };
    walker.seen.insert(root);
    let slots = slots.start.min(ENTRIES)..slots.end.min(ENTRIES);
    for i in slots {
        let e = walker.w.pml4[i];
        let f = flags(e);
        if !f.contains(Flags::PRESENT) {
            continue;
        }
        if f.contains(Flags::HUGE_PAGE) {
            return Err(reserved_ps(root, i));
        }
        let to = Entry {
            phys: e & ADDR_4K,
            base: canonical((i as u64) << 39),
            acc: combine(top(), f),
            from: root + 8 * i as u64,
        };
        walker.descend(to, 3)?;
    }
    Ok(walker.w)
}

/// The tables one walk has entered. Sorted addresses while few (a root's
/// user part has tens to a few hundred tables), hashed beyond that: a
/// corrupt walk through every frame of RAM must not take quadratic time.
#[derive(Default)]
struct TableSet {
    sorted: Vec<u64>,
    many: Option<std::collections::HashSet<u64>>,
}

impl TableSet {
    const SORTED_MAX: usize = 1024;

    /// False if `phys` is in already.
    fn insert(&mut self, phys: u64) -> bool {
        if let Some(set) = &mut self.many {
            return set.insert(phys);
        }
        let Err(i) = self.sorted.binary_search(&phys) else {
            return false;
        };
        if self.sorted.len() < Self::SORTED_MAX {
            self.sorted.insert(i, phys);
        } else {
            let mut set: std::collections::HashSet<u64> = self.sorted.drain(..).collect();
            set.insert(phys);
            self.many = Some(set);
        }
        true
    }
}

/// A present non-leaf entry: the table it leads to (`phys`), the first
/// virtual address that table covers, the effective flags so far, and
/// where the entry is.
#[derive(Clone, Copy)]
struct Entry {
    phys: u64,
    base: u64,
    acc: Flags,
    from: u64,
}

/// One walk in progress.
struct Walker<'m> {
    mem: &'m dyn PhysMem,
    seen: TableSet,
    w: Walk,
}

impl Walker<'_> {
    /// Enters the level-`level` table `to` leads to (3: a PDPT, 1: a page
    /// table).
    fn descend(&mut self, to: Entry, level: u32) -> Result<(), Violation> {
        let phys = to.phys;
        if !self.seen.insert(phys) {
            self.w.aliased.push((to.from, phys));
            return Ok(());
        }
        self.w.tables.push(phys);
        let mem = self.mem;
        let copy;
        let t: &Table = match mem.page(phys) {
            Some(t) => t,
            None => {
                copy = read_table(mem, phys)?;
                &copy
            }
        };
        // Most entries are not present (a user page table typically has a
        // few): runs of 64, then of 8, are skipped with one OR of their
        // words (vector instructions) before any entry is looked at.
        let any = |run: &[u64]| run.iter().fold(0, |a, &e| a | e) & 1 != 0;
        for (r, run) in t.chunks_exact(64).enumerate() {
            if !any(run) {
                continue;
            }
            for (c, sub) in run.chunks_exact(8).enumerate() {
                if !any(sub) {
                    continue;
                }
                for (j, &e) in sub.iter().enumerate() {
                    if e & 1 != 0 {
                        self.entry(to, level, 64 * r + 8 * c + j, e)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// The present entry `e` at index `i` of the level-`level` table `to`
    /// leads to.
    fn entry(&mut self, to: Entry, level: u32, i: usize, e: u64) -> Result<(), Violation> {
        let shift = 12 + 9 * (level - 1);
        let f = flags(e);
        let virt = to.base + ((i as u64) << shift);
        let pte = to.phys + 8 * i as u64;
        let eff = combine(to.acc, f);
        if level == 1 || f.contains(Flags::HUGE_PAGE) {
            let (mask, size) = leaf_shape(level);
            self.w.mappings.push(Mapping {
                virt,
                phys: e & mask,
                size,
                pte,
                leaf: f,
                effective: eff,
            });
            return Ok(());
        }
        let next = Entry {
            phys: e & ADDR_4K,
            base: virt,
            acc: eff,
            from: pte,
        };
        self.descend(next, level - 1)
    }
}

/// The user part of `root`: PML4 slots [`USER_PML4`].
pub fn user_mappings(mem: &dyn PhysMem, root: u64) -> Result<Walk, Violation> {
    walk(mem, root, USER_PML4)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inspect::mem::BufMem;

    const P: u64 = 1;
    const W: u64 = 2;
    const U: u64 = 4;
    const PS: u64 = 1 << 7;
    const NX: u64 = 1 << 63;

    fn mem(pages: usize) -> BufMem {
        BufMem(std::cell::RefCell::new(vec![0u8; pages * 4096]))
    }

    fn set(m: &BufMem, table: u64, index: usize, value: u64) {
        assert!(m.write_phys(table + 8 * index as u64, &value.to_le_bytes()));
    }

    #[test]
    fn translates_every_page_size() {
        let m = mem(8);
        let (pml4, pdpt, pd, pt) = (0x1000, 0x2000, 0x3000, 0x4000);
        set(&m, pml4, 1, pdpt | P | W | U);
        set(&m, pdpt, 0, pd | P | W | U);
        set(&m, pdpt, 1, 0x4000_0000 | P | PS | U); // 1 GiB, read-only
        set(&m, pd, 0, pt | P | W | U);
        set(&m, pd, 1, 0x20_0000 | P | W | PS | NX); // 2 MiB, supervisor
        set(&m, pt, 3, 0x7000 | P | W | U);
        let base = 1u64 << 39;

        let a = translate(&m, pml4, base + 0x3123).unwrap().unwrap();
        assert_eq!(
            (a.virt, a.phys, a.size, a.pte),
            (base + 0x3000, 0x7000, 4096, pt + 24)
        );
        assert!(a.user() && a.writable() && a.user_exec());

        let b = translate(&m, pml4, base + 0x20_0000 + 5).unwrap().unwrap();
        assert_eq!((b.phys, b.size), (0x20_0000, 2 << 20));
        assert!(!b.user() && b.effective.contains(Flags::NO_EXECUTE));

        let c = translate(&m, pml4, base + (1 << 30) + 0x1234)
            .unwrap()
            .unwrap();
        assert_eq!((c.phys, c.size), (0x4000_0000, 1 << 30));
        assert!(c.user() && !c.writable());

        assert_eq!(translate(&m, pml4, base + 0x4000).unwrap(), None);
        assert_eq!(translate(&m, pml4, 1 << 47).unwrap(), None, "non-canonical");

        let w = user_mappings(&m, pml4).unwrap();
        assert_eq!(w.tables, vec![pml4, pdpt, pd, pt]);
        let found: Vec<_> = w.mappings.iter().map(|m| (m.virt, m.size)).collect();
        assert_eq!(
            found,
            vec![
                (base + 0x3000, 4096),
                (base + 0x20_0000, 2 << 20),
                (base + (1 << 30), 1 << 30)
            ]
        );
    }

    #[test]
    fn loops_and_wild_pointers_are_findings() {
        let m = mem(4);
        set(&m, 0x1000, 0, 0x1000 | P | W | U); // the PML4 is its own PDPT
        let w = user_mappings(&m, 0x1000).unwrap();
        assert_eq!(w.aliased, vec![(0x1000, 0x1000)]);
        assert!(w.mappings.is_empty());
        set(&m, 0x1000, 0, 0x7_0000_0000 | P | W | U);
        assert_eq!(user_mappings(&m, 0x1000).unwrap_err().invariant, 0);
        assert!(translate(&m, 0x1000, 0x1000).is_err());
        set(&m, 0x1000, 0, 0x2000 | P | PS);
        assert!(user_mappings(&m, 0x1000).is_err());
        assert!(user_mappings(&m, 0x10_0000).is_err());
        assert!(user_mappings(&m, 0x1001).is_err());
    }

    #[test]
    fn kernel_slots_are_254_and_255() {
        assert_eq!(KERNEL_PML4, 254..256);
        assert_eq!(USER_PML4, 0..254);
    }
}
