//! Incremental checking: the invariants of [`super::check_kernel`] at every
//! syscall stop, re-deriving only what may have changed since the last one.
//!
//! A check is split into units, each a deterministic function of a key
//! (values the caller hands it) and of the guest memory it reads:
//!
//! - the kernel's task view ([`KernelView::read`]), key: `kernel_roots`;
//! - each address space ([`Space::read`]: the user page tables of a root
//!   and the VMAs of its mm), key: root, mm records, the mm's VMA list head
//!   and count;
//! - the kernel part of the page tables, key: the first root;
//! - the refcounts of the mapped frames, key: the frames and the array;
//! - guest-libc's stacks in each address space ([`libc::check_space`]),
//!   key: the live threads using it (tid, FS base, user stack pointer) and
//!   the address space's own version.
//!
//! A unit runs with every read logged (address and bytes, [`ReadLog`]). At
//! the next stop its result stands if its key is equal and every logged
//! read would return the same bytes; otherwise it runs again. Since a unit
//! reads only through the memory it is given, and what it reads next
//! depends only on its key and the bytes read so far, equal key and equal
//! bytes mean an equal result: the incremental check reports exactly what
//! a full one would. The findings derived from the units (1–6 from the
//! view, 7–9 from the address spaces) are recomputed only when one of
//! their units was.
//!
//! What "would return the same bytes" costs depends on [`Detect`]:
//! `Compare` compares every logged read with guest memory (no help from
//! KVM, about a memcmp of everything the check reads); `DirtyLog` compares
//! only the reads on pages written since the last check: pages KVM's dirty
//! log reports (the guest's writes, including the kernel's emulated ones)
//! and pages the host wrote itself (console input, tests that break state
//! on purpose), which KVM does not see.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};

use abi::layout::PAGE_SIZE;

use super::libc::{self, CachedBlock, LibcSymbols, Thread};
use super::mem::PhysMem;
use super::pagetable::Walk;
use super::spaces::{self, AddressSpaces, Space};
use super::tasks::KernelView;
use super::{invariants, Violation};

/// Every read one unit made: where, and the bytes it got.
#[derive(Default)]
pub struct ReadLog {
    /// (guest-physical address, length, offset in `bytes`)
    spans: Vec<(u64, u32, u32)>,
    bytes: Vec<u8>,
}

impl ReadLog {
    fn push(&mut self, addr: u64, data: &[u8]) {
        // Contiguous reads (a record after the one before it) extend one
        // span: fewer comparisons later.
        if let Some(last) = self.spans.last_mut() {
            if last.0 + u64::from(last.1) == addr
                && last.2 as usize + last.1 as usize == self.bytes.len()
            {
                last.1 += data.len() as u32;
                self.bytes.extend_from_slice(data);
                return;
            }
        }
        self.spans
            .push((addr, data.len() as u32, self.bytes.len() as u32));
        self.bytes.extend_from_slice(data);
    }

    /// Whether every logged read would still return its bytes; reads on
    /// pages `changed` rules out are not compared. `compared` counts the
    /// bytes that were.
    fn holds(&self, mem: &dyn PhysMem, changed: &Changed, compared: &mut u64) -> bool {
        self.spans.iter().all(|&(addr, len, at)| {
            if !changed.may_touch(addr, u64::from(len)) {
                return true;
            }
            *compared += u64::from(len);
            let want = &self.bytes[at as usize..at as usize + len as usize];
            mem.same(addr, want)
        })
    }
}

/// Guest memory that logs every successful read (a unit's input).
struct Logging<'a> {
    mem: &'a dyn PhysMem,
    log: RefCell<ReadLog>,
}

impl<'a> Logging<'a> {
    fn new(mem: &'a dyn PhysMem) -> Logging<'a> {
        Logging {
            mem,
            log: RefCell::new(ReadLog::default()),
        }
    }
}

impl PhysMem for Logging<'_> {
    fn read_phys(&self, addr: u64, buf: &mut [u8]) -> bool {
        let ok = self.mem.read_phys(addr, buf);
        if ok {
            self.log.borrow_mut().push(addr, buf);
        }
        ok
    }

    /// Units only read: a write would make them impure.
    fn write_phys(&self, _addr: u64, _buf: &[u8]) -> bool {
        false
    }
}

/// How the checker learns which logged reads may have changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Detect {
    /// Compare every logged read with guest memory.
    Compare,
    /// Compare only reads on pages written since the last check (KVM's
    /// dirty log and the host's own writes).
    DirtyLog,
}

/// The guest-physical pages written since the last check.
#[derive(Clone, Debug, Default)]
pub struct DirtyPages {
    /// One bit per 4 KiB page, as KVM_GET_DIRTY_LOG returns it.
    bits: Vec<u64>,
}

impl DirtyPages {
    pub fn from_bitmap(bits: Vec<u64>) -> DirtyPages {
        DirtyPages { bits }
    }

    /// Adds `other`'s pages.
    pub fn merge(&mut self, other: &DirtyPages) {
        if self.bits.len() < other.bits.len() {
            self.bits.resize(other.bits.len(), 0);
        }
        for (a, b) in self.bits.iter_mut().zip(&other.bits) {
            *a |= b;
        }
    }

    /// Marks the pages of `[addr, addr + len)`.
    pub fn mark(&mut self, addr: u64, len: u64) {
        if len == 0 {
            return;
        }
        for page in addr / PAGE_SIZE..=(addr + len - 1) / PAGE_SIZE {
            let (w, b) = ((page / 64) as usize, page % 64);
            if w >= self.bits.len() {
                self.bits.resize(w + 1, 0);
            }
            self.bits[w] |= 1 << b;
        }
    }

    fn any(&self, addr: u64, len: u64) -> bool {
        if len == 0 {
            return false;
        }
        (addr / PAGE_SIZE..=(addr + len - 1) / PAGE_SIZE).any(|page| {
            self.bits
                .get((page / 64) as usize)
                .is_some_and(|w| w >> (page % 64) & 1 != 0)
        })
    }
}

/// What may have changed since the last check.
pub enum Changed<'a> {
    Anything,
    Pages(&'a DirtyPages),
}

impl Changed<'_> {
    fn may_touch(&self, addr: u64, len: u64) -> bool {
        match self {
            Changed::Anything => true,
            Changed::Pages(d) => d.any(addr, len),
        }
    }
}

/// A unit's cached result.
struct Memo<K, V> {
    key: K,
    log: ReadLog,
    value: V,
}

/// Counters of the checker's work, for `vmm bench --check-cost` and tests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CheckStats {
    pub checks: u64,
    /// Units whose cached result stood.
    pub reused: u64,
    /// Units run (every unit of a first check).
    pub recomputed: u64,
    /// Bytes of logged reads compared with guest memory.
    pub compared: u64,
    /// Host time spent in [`Checker::check`].
    pub nanos: u64,
}

impl CheckStats {
    fn unit<K: PartialEq, V>(
        &mut self,
        cached: Option<Memo<K, V>>,
        key: K,
        mem: &dyn PhysMem,
        changed: &Changed,
        run: impl FnOnce(&dyn PhysMem, &K) -> V,
    ) -> (Memo<K, V>, bool) {
        if let Some(m) = cached {
            if m.key == key && m.log.holds(mem, changed, &mut self.compared) {
                self.reused += 1;
                return (m, false);
            }
        }
        self.recomputed += 1;
        let logging = Logging::new(mem);
        let value = run(&logging, &key);
        let memo = Memo {
            key,
            log: logging.log.into_inner(),
            value,
        };
        (memo, true)
    }
}

type SpaceKey = (u64, Vec<u64>, u64, u64);
type RefsKey = (u64, u64, Vec<u64>);
/// Each mapped frame's refcount (`None`: beyond the kernel's array).
type Refs = Vec<(u64, Option<u16>)>;
/// The symbols, the live threads using the space (without their stack
/// pointers), and the version of the address space they were checked in.
type LibcKey = (LibcSymbols, Vec<Thread>, u64);
/// A space's libc findings, and its `stack_cache` blocks for the stack
/// pointer check, which runs at every stop.
type LibcValue = (Vec<Violation>, Vec<CachedBlock>);

/// One address space's unit and its version (a new one each time it is
/// read again).
struct SpaceEntry {
    memo: Memo<SpaceKey, Result<Space, Violation>>,
    version: u64,
}

/// The state an incremental check keeps between stops.
#[derive(Default)]
pub struct Checker {
    view: Option<Memo<u64, Result<KernelView, Violation>>>,
    /// Invariants 1–6 over the cached view.
    task_findings: Vec<Violation>,
    spaces: BTreeMap<u64, SpaceEntry>,
    kernel: Option<Memo<Option<u64>, Result<Walk, Violation>>>,
    refs: Option<Memo<RefsKey, Result<Refs, Violation>>>,
    /// Invariants 7–9 over the cached spaces, and the `nr_frames` they
    /// were checked against.
    space_findings: Option<(u64, Vec<Violation>)>,
    libc: HashMap<u64, Memo<LibcKey, LibcValue>>,
    next_version: u64,
    pub stats: CheckStats,
}

impl Checker {
    pub fn new() -> Checker {
        Checker::default()
    }

    /// Every invariant at this stop: what [`super::check_kernel`] reports
    /// on the same memory (findings of one invariant may come in another
    /// order).
    pub fn check(
        &mut self,
        mem: &dyn PhysMem,
        roots_kva: u64,
        syms: Option<&LibcSymbols>,
        changed: &Changed,
    ) -> Vec<Violation> {
        let t0 = std::time::Instant::now();
        let found = self.check_timed(mem, roots_kva, syms, changed);
        self.stats.nanos += t0.elapsed().as_nanos() as u64;
        found
    }

    fn check_timed(
        &mut self,
        mem: &dyn PhysMem,
        roots_kva: u64,
        syms: Option<&LibcSymbols>,
        changed: &Changed,
    ) -> Vec<Violation> {
        self.stats.checks += 1;
        let (view, fresh_view) =
            self.stats
                .unit(self.view.take(), roots_kva, mem, changed, |m, &roots| {
                    KernelView::read(m, roots)
                });
        let v = match &view.value {
            Ok(v) => v,
            Err(e) => {
                let e = e.clone();
                self.view = Some(view);
                self.forget_spaces();
                return vec![e];
            }
        };
        if fresh_view {
            self.task_findings = invariants::check_tasks(v);
        }
        let mut out = self.task_findings.clone();
        match self.address_spaces(mem, v, changed) {
            Ok((a, findings)) => {
                out.extend(findings);
                if let Some(syms) = syms {
                    out.extend(self.libc_findings(mem, syms, v, &a, changed));
                }
                // The spaces go back into their units: no copy of a walk.
                for s in a.spaces {
                    if let Some(e) = self.spaces.get_mut(&s.walk.root) {
                        e.memo.value = Ok(s);
                    }
                }
            }
            Err(e) => {
                self.forget_spaces();
                out.push(e);
            }
        }
        self.view = Some(view);
        out
    }

    /// After an unreadable address space: the next check reads every
    /// space again.
    fn forget_spaces(&mut self) {
        self.spaces.clear();
        self.kernel = None;
        self.refs = None;
        self.space_findings = None;
        self.libc.clear();
    }

    /// The address spaces (each unit reused where it holds; the spaces
    /// move out of their units until the check ends) and invariants 7–9.
    fn address_spaces(
        &mut self,
        mem: &dyn PhysMem,
        v: &KernelView,
        changed: &Changed,
    ) -> Result<(AddressSpaces, Vec<Violation>), Violation> {
        let mut fresh = false;
        let mut old = std::mem::take(&mut self.spaces);
        let mut taken: Vec<Space> = Vec::new();
        for (root, mms) in spaces::roots_of(v) {
            let rec = v.mms[&mms[0]];
            let key = (root, mms, rec.mmap, rec.map_count);
            let (cached, version) = match old.remove(&root) {
                Some(e) => (Some(e.memo), e.version),
                None => (None, 0),
            };
            let (mut memo, ran) = self.stats.unit(cached, key, mem, changed, |m, k| {
                Space::read(m, k.0, k.1.clone(), &rec)
            });
            let version = if ran {
                fresh = true;
                self.next_version += 1;
                self.next_version
            } else {
                version
            };
            let space = std::mem::replace(&mut memo.value, Err(Violation::new(0, String::new())));
            self.spaces.insert(root, SpaceEntry { memo, version });
            taken.push(space?);
        }
        fresh |= !old.is_empty();
        let first = taken.first().map(|s| s.walk.root);
        let (kernel, ran) =
            self.stats
                .unit(self.kernel.take(), first, mem, changed, |m, &first| {
                    spaces::read_kernel_part(m, first)
                });
        fresh |= ran;
        let kernel_walk = kernel.value.clone();
        self.kernel = Some(kernel);
        let key = (
            v.roots.nr_frames,
            v.roots.frame_refs,
            spaces::mapped_frames(&taken),
        );
        let (refs, ran) = self
            .stats
            .unit(self.refs.take(), key, mem, changed, |m, k| {
                spaces::read_refs(m, k.0, k.1, &k.2)
            });
        fresh |= ran;
        let refs_value = refs.value.clone();
        self.refs = Some(refs);
        let a = AddressSpaces {
            spaces: taken,
            kernel: kernel_walk?,
            refs: refs_value?,
        };
        let nr_frames = v.roots.nr_frames;
        let findings = match self.space_findings.take() {
            Some((n, f)) if !fresh && n == nr_frames => f,
            _ => spaces::check_spaces(v, &a),
        };
        self.space_findings = Some((nr_frames, findings.clone()));
        Ok((a, findings))
    }

    /// Invariants 10–12, per address space with live threads.
    fn libc_findings(
        &mut self,
        mem: &dyn PhysMem,
        syms: &LibcSymbols,
        v: &KernelView,
        a: &AddressSpaces,
        changed: &Changed,
    ) -> Vec<Violation> {
        let mut out = Vec::new();
        let mut old = std::mem::take(&mut self.libc);
        for s in &a.spaces {
            let root = s.walk.root;
            let threads = libc::threads_of(mem, v, s);
            if threads.is_empty() {
                continue;
            }
            let version = self.spaces.get(&root).map_or(0, |e| e.version);
            let still: Vec<Thread> = threads.iter().map(|t| t.without_rsp()).collect();
            let (memo, _) = self.stats.unit(
                old.remove(&root),
                (*syms, still, version),
                mem,
                changed,
                |m, k| {
                    let mut found = Vec::new();
                    let cached = libc::check_space(m, &k.0, s, &k.1, &mut found);
                    (found, cached)
                },
            );
            out.extend(memo.value.0.iter().cloned());
            libc::stack_pointers(root, &memo.value.1, &threads, &mut out);
            self.libc.insert(root, memo);
        }
        out
    }
}

impl Checker {
    /// [`Checker::check`], and a from-scratch check of the same memory to
    /// hold it to: a difference in the findings or in the state read (the
    /// task view, every address space, the kernel part, the refcounts) is
    /// reported as a violation of invariant 0.
    pub fn check_verified(
        &mut self,
        mem: &dyn PhysMem,
        roots_kva: u64,
        syms: Option<&LibcSymbols>,
        changed: &Changed,
    ) -> Vec<Violation> {
        let mut found = self.check(mem, roots_kva, syms, changed);
        let full = super::full_check(mem, roots_kva, syms);
        let sorted = |v: &[Violation]| {
            let mut v = v.to_vec();
            v.sort_by(|a, b| (a.invariant, &a.detail).cmp(&(b.invariant, &b.detail)));
            v
        };
        let mut diverged = Vec::new();
        if sorted(&found) != sorted(&full.findings) {
            diverged.push(format!(
                "findings: incremental {:?}, full {:?}",
                sorted(&found),
                sorted(&full.findings)
            ));
        }
        if let Some(what) = self.state_differs(&full) {
            diverged.push(what);
        }
        if !diverged.is_empty() {
            found.push(Violation::new(
                0,
                format!(
                    "the incremental check diverged from a full check: {}",
                    diverged.join("; ")
                ),
            ));
        }
        found
    }

    /// What of the cached state differs from a fresh read, if anything.
    fn state_differs(&self, full: &super::FullCheck) -> Option<String> {
        if self.view.as_ref().map(|m| &m.value) != Some(&full.view) {
            return Some("the task view".into());
        }
        // Unreadable spaces: the findings say so (compared already).
        let Some(Ok(a)) = &full.spaces else {
            return None;
        };
        let roots: Vec<u64> = self.spaces.keys().copied().collect();
        let fresh_roots: Vec<u64> = a.spaces.iter().map(|s| s.walk.root).collect();
        if roots != fresh_roots {
            return Some(format!(
                "the address spaces: cached roots {roots:#x?}, now {fresh_roots:#x?}"
            ));
        }
        for s in &a.spaces {
            let e = &self.spaces[&s.walk.root];
            if e.memo.value.as_ref().ok() != Some(s) {
                return Some(format!("address space {:#x}", s.walk.root));
            }
        }
        if self.kernel.as_ref().and_then(|m| m.value.as_ref().ok()) != Some(&a.kernel) {
            return Some("the kernel part of the page tables".into());
        }
        if self.refs.as_ref().and_then(|m| m.value.as_ref().ok()) != Some(&a.refs) {
            return Some("the frame refcounts".into());
        }
        None
    }
}

/// Guest memory whose writes (by the host, at a stop) are noted: KVM's
/// dirty log sees only the guest's.
pub struct NoteWrites<'a> {
    mem: &'a dyn PhysMem,
    pub written: RefCell<DirtyPages>,
}

impl<'a> NoteWrites<'a> {
    pub fn new(mem: &'a dyn PhysMem) -> NoteWrites<'a> {
        NoteWrites {
            mem,
            written: RefCell::new(DirtyPages::default()),
        }
    }
}

impl PhysMem for NoteWrites<'_> {
    fn read_phys(&self, addr: u64, buf: &mut [u8]) -> bool {
        self.mem.read_phys(addr, buf)
    }
    fn same(&self, addr: u64, bytes: &[u8]) -> bool {
        self.mem.same(addr, bytes)
    }
    fn page(&self, addr: u64) -> Option<&[u64; 512]> {
        self.mem.page(addr)
    }
    fn write_phys(&self, addr: u64, buf: &[u8]) -> bool {
        self.written.borrow_mut().mark(addr, buf.len() as u64);
        self.mem.write_phys(addr, buf)
    }
}
