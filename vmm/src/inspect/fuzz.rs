//! Random and mutated guest memory fed to the readers and the checker: they
//! must return (a view or a finding), never panic and never loop. The
//! memory is built so walks go somewhere: most words are pointers into the
//! buffer through the direct map, list heads, magic numbers or small ints;
//! for the page-table walker and invariants 7-9, page-table entries that
//! point at the buffer's own frames with every flag combination.

use std::mem::offset_of;

use abi::layout::DIRECT_MAP_BASE;
use abi::task::{KernelRoots, TaskStruct, ROOTS_MAGIC, TASK_MAGIC};
use proptest::prelude::*;

use zerocopy::{FromZeros, IntoBytes};

use super::guest_mem::{kread, kwrite, GuestMem, GuestMemExt, KernelMem, UserMem};
use super::list::{self, ListError};
use super::mem::{BufMem, PhysMem};
use super::tasks::KernelView;
use super::{check_kernel, invariants};

const SIZE: usize = 64 * 1024;
const ROOTS_AT: u64 = 0x100;

fn word(choice: u8, raw: u64) -> u64 {
    let inside = DIRECT_MAP_BASE + (raw % SIZE as u64);
    match choice % 8 {
        0..=2 => inside & !7,
        3 => u64::from(TASK_MAGIC) | (raw << 32),
        4 => raw % 64,
        5 => DIRECT_MAP_BASE + ROOTS_AT + offset_of!(KernelRoots, tasks) as u64,
        6 => raw,
        _ => 0,
    }
}

fn memory(words: &[(u8, u64)]) -> BufMem {
    let mut buf = vec![0u8; SIZE];
    for (i, &(c, r)) in words.iter().enumerate() {
        let at = (i * 8) % SIZE;
        buf[at..at + 8].copy_from_slice(&word(c, r).to_le_bytes());
    }
    buf[ROOTS_AT as usize..ROOTS_AT as usize + 8].copy_from_slice(&ROOTS_MAGIC.to_le_bytes());
    BufMem(std::cell::RefCell::new(buf))
}

/// A consistent one-task kernel in a buffer, for mutation.
fn one_task() -> BufMem {
    let mem = BufMem(std::cell::RefCell::new(vec![0u8; SIZE]));
    let k = |phys: u64| DIRECT_MAP_BASE + phys;
    let task_at = 0x1000u64;
    let obj = 0x3000u64; // one object used as every shared object
    let mut roots = KernelRoots::new_zeroed();
    roots.magic = ROOTS_MAGIC;
    let rq =
        k(ROOTS_AT) + (offset_of!(KernelRoots, rq) + offset_of!(abi::task::RunQueue, queue)) as u64;
    roots.nr_cpus = 1;
    roots.rq[0].queue = abi::list::ListHead { next: rq, prev: rq };
    let tnode = k(task_at) + offset_of!(TaskStruct, tasks) as u64;
    roots.tasks = abi::list::ListHead {
        next: tnode,
        prev: tnode,
    };
    roots.rq[0].curr = k(task_at);
    roots.nr_tasks = 1;
    let mut t = TaskStruct::new_zeroed();
    t.magic = TASK_MAGIC;
    t.pid = 1;
    t.tgid = 1;
    t.group_leader = k(task_at);
    let rhead = k(ROOTS_AT) + offset_of!(KernelRoots, tasks) as u64;
    t.tasks = abi::list::ListHead {
        next: rhead,
        prev: rhead,
    };
    let self_list = |off: usize| {
        let a = k(task_at) + off as u64;
        abi::list::ListHead { next: a, prev: a }
    };
    t.children = self_list(offset_of!(TaskStruct, children));
    t.sibling = self_list(offset_of!(TaskStruct, sibling));
    t.run_list = self_list(offset_of!(TaskStruct, run_list));
    t.thread_node = abi::list::ListHead {
        next: k(obj) + offset_of!(abi::task::SignalStruct, thread_head) as u64,
        prev: k(obj) + offset_of!(abi::task::SignalStruct, thread_head) as u64,
    };
    (t.mm, t.fs, t.files, t.sighand, t.signal) = (k(obj), k(obj), k(obj), k(obj), k(obj));
    t.stack = k(0x8000);
    let mut sig = abi::task::SignalStruct::new_zeroed();
    sig.count = 1; // each kind counts its own holders: one task
    sig.nr_threads = 1;
    let tn = k(task_at) + offset_of!(TaskStruct, thread_node) as u64;
    sig.thread_head = abi::list::ListHead { next: tn, prev: tn };
    kwrite(&mem, k(ROOTS_AT), &roots).unwrap();
    kwrite(&mem, k(task_at), &t).unwrap();
    kwrite(&mem, k(obj), &sig).unwrap();
    mem
}

#[test]
fn the_mutation_base_is_consistent() {
    let mem = one_task();
    let v = KernelView::read(&mem, DIRECT_MAP_BASE + ROOTS_AT).expect("readable");
    assert_eq!(v.tasks.len(), 1);
    assert_eq!(invariants::check_tasks(&v), vec![]);
}

/// Invariant 13 over a view read from memory: signals pending on a live
/// task are no finding; the same task shown as exited (a DEAD record) is.
#[test]
fn pending_signals_only_matter_once_exited() {
    let mem = one_task();
    let tasks = |m: &BufMem| {
        let v = KernelView::read(m, DIRECT_MAP_BASE + ROOTS_AT).expect("readable");
        invariants::check_tasks(&v)
    };
    let task = DIRECT_MAP_BASE + 0x1000;
    let pending = task + offset_of!(TaskStruct, pending) as u64;
    kwrite(&mem, pending, &(1u64 << 9)).unwrap();
    assert_eq!(tasks(&mem), vec![]);
    let st = task + offset_of!(TaskStruct, state) as u64;
    kwrite(&mem, st, &abi::task::state::DEAD).unwrap();
    let found = tasks(&mem);
    assert!(
        found
            .iter()
            .any(|v| v.invariant == 13 && v.detail.contains("EXIT_DEAD")),
        "{found:?}"
    );
}

/// The list walk as it was with a set of visited nodes, for comparison:
/// [`list::walk`] finds cycles through the back links alone.
fn walk_with_visited_set<M: GuestMem>(
    mem: &M,
    head: u64,
    node_offset: usize,
    max: usize,
) -> Result<Vec<u64>, ListError> {
    use abi::list::ListHead;
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut prev = head;
    let first: ListHead = mem.get(head).map_err(ListError::Head)?;
    let mut at = first.next;
    while at != head {
        if out.len() >= max {
            return Err(ListError::TooLong(max));
        }
        if !seen.insert(at) {
            return Err(ListError::Cycle(at));
        }
        let node: ListHead = mem.get(at).map_err(|err| ListError::Node { at, err })?;
        if node.prev != prev {
            return Err(ListError::BadLink {
                at,
                prev: node.prev,
                from: prev,
            });
        }
        out.push(at.wrapping_sub(node_offset as u64));
        prev = at;
        at = node.next;
    }
    if first.prev != prev {
        return Err(ListError::BadHeadPrev {
            prev: first.prev,
            last: prev,
        });
    }
    Ok(out)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Lists of up to eight nodes (the head among them) with random links,
    /// mostly to each other, at an offset in their records, in kernel and
    /// in user memory, walked with a random bound: the same records or the
    /// same finding.
    #[test]
    fn list_walks_find_what_a_visited_set_finds(
        links in prop::collection::vec((0u8..10, 0u8..10), 1..9),
        node_offset in prop::sample::select(vec![0usize, 0x40]),
        max in 1usize..10,
    ) {
        use super::pagetable::{Flags, Mapping, Walk};
        let mem = BufMem(std::cell::RefCell::new(vec![0u8; 4096]));
        // The same page as kernel memory (direct map) and as user memory
        // (one user page at `USER`).
        const USER: u64 = 0x40_0000;
        let f = Flags::PRESENT | Flags::WRITABLE | Flags::USER_ACCESSIBLE;
        let walk = Walk {
            mappings: vec![Mapping { virt: USER, phys: 0, size: 4096, pte: 0, leaf: f, effective: f }],
            ..Walk::default()
        };
        let node = |i: u8| 0x100 * u64::from(i) + node_offset as u64;
        let target = |c: u8| match c {
            8 => 0x10_0000,   // outside RAM, not mapped
            9 => node(0) + 8, // not a node
            c => node(c % links.len() as u8),
        };
        // Kernel links last: the task view's walk below reads them.
        for base in [USER, DIRECT_MAP_BASE] {
            for (i, &(next, prev)) in links.iter().enumerate() {
                let l = abi::list::ListHead { next: base + target(next), prev: base + target(prev) };
                assert!(mem.write_phys(node(i as u8), l.as_bytes()));
            }
            let head = base + node(0);
            let km = KernelMem::new(&mem);
            let um = UserMem::with_walk(&mem, &walk);
            let (walked, oracle) = if base == USER {
                (list::walk(&um, head, node_offset, max), walk_with_visited_set(&um, head, node_offset, max))
            } else {
                (list::walk(&km, head, node_offset, max), walk_with_visited_set(&km, head, node_offset, max))
            };
            prop_assert_eq!(walked, oracle);
        }
        // The task view's walk is this walk, bounded and named.
        let head = DIRECT_MAP_BASE + node(0);
        let oracle = walk_with_visited_set(&KernelMem::new(&mem), head, node_offset, super::tasks::MAX_LIST_LEN);
        prop_assert_eq!(
            super::tasks::walk(&mem, head, node_offset, "fuzz"),
            oracle.map_err(|e| super::Violation::new(0, format!("fuzz: {e}")))
        );
    }

    /// `Repeats` finds what inserting the keys into a map one by one finds.
    #[test]
    fn repeats_are_what_a_map_finds(keys in prop::collection::vec(0u8..12, 0..40)) {
        let r = invariants::Repeats::of(keys.iter().copied().zip(0..));
        let mut map = std::collections::HashMap::new();
        let mut later = Vec::new();
        for (i, &k) in keys.iter().enumerate() {
            if let Some(prev) = map.insert(k, i) {
                later.push((i, prev));
            }
        }
        prop_assert_eq!(&r.later, &later);
        for k in 0..12 {
            prop_assert_eq!(r.contains(k), map.contains_key(&k));
            prop_assert_eq!(r.last(k), map.get(&k).copied());
        }
    }

    #[test]
    fn random_memory_never_panics(words in prop::collection::vec((any::<u8>(), any::<u64>()), 0..SIZE / 8)) {
        let mem = memory(&words);
        let _ = check_kernel(&mem, DIRECT_MAP_BASE + ROOTS_AT, None);
    }

    #[test]
    fn mutated_state_never_panics(edits in prop::collection::vec((0usize..SIZE / 8, any::<u8>(), any::<u64>()), 1..16)) {
        let mem = one_task();
        for (i, c, r) in edits {
            let w = word(c, r);
            mem.0.borrow_mut()[i * 8..i * 8 + 8].copy_from_slice(&w.to_le_bytes());
        }
        let _ = check_kernel(&mem, DIRECT_MAP_BASE + ROOTS_AT, None);
        let none = crate::symbols::Symbols::default();
        if let Ok(d) = super::dump::take(&mem, DIRECT_MAP_BASE + ROOTS_AT, "fuzz", &none, &none) {
            let _ = super::dump::render(&d, "fuzz");
        }
    }

    #[test]
    fn any_pointer_is_safe_to_read(p in any::<u64>()) {
        let mem = one_task();
        let _ = kread::<TaskStruct>(&mem, p);
        let _ = super::tasks::walk(&mem, p, 0, "fuzz");
    }
}

// Page tables: a consistent address space in a buffer (two roots sharing
// nothing but the kernel part, a VMA list, refcounts), then random or
// mutated entries through the walker and the checks of invariants 7-9.

mod tables {
    use std::collections::BTreeMap;

    use abi::layout::DIRECT_MAP_BASE;
    use abi::task::{prot, vma_kind, KernelRoots, MmStruct, VmAreaStruct, FRAME_CACHED};
    use proptest::prelude::*;

    use crate::inspect::guest_mem::{kread, kwrite};
    use crate::inspect::mem::{BufMem, PhysMem};
    use crate::inspect::pagetable::{self, KERNEL_PML4};
    use crate::inspect::spaces::{check_spaces, AddressSpaces};
    use crate::inspect::tasks::KernelView;
    use zerocopy::FromZeros;

    const FRAMES: u64 = 24;
    const SIZE: usize = FRAMES as usize * 4096;
    const P: u64 = 1;
    const W: u64 = 2;
    const U: u64 = 4;
    const PS: u64 = 1 << 7;
    const NX: u64 = 1 << 63;
    /// Frame 0: refcounts at 0, mm records at 0x400, VMAs at 0x800.
    const REFS: u64 = 0;
    const MMS: [u64; 2] = [0x400, 0x440];
    const VMAS: u64 = 0x800;
    /// Kernel part (slot 254): a PDPT and a PD of eight 2 MiB pages.
    const KPDPT: u64 = 0x1000;
    const KPD: u64 = 0x2000;
    /// Per root: PML4, PDPT, PD, PT.
    const ROOTS: [[u64; 4]; 2] = [
        [0x3000, 0x4000, 0x5000, 0x6000],
        [0x7000, 0x8000, 0x9000, 0xa000],
    ];
    /// User pages at 0x40_0000 (r-x, shared by both roots), 0x40_1000
    /// (rw-, shared copy-on-write, read-only), 0x40_2000 (rw-, each its
    /// own), 0x40_3000 (PROT_NONE, root 0 only).
    const CODE: u64 = 0x10000;
    const DATA: u64 = 0x11000;
    const OWN: [u64; 2] = [0x12000, 0x13000];
    const NONE: u64 = 0x14000;

    fn k(phys: u64) -> u64 {
        DIRECT_MAP_BASE + phys
    }

    fn set(m: &BufMem, at: u64, v: u64) {
        assert!(m.write_phys(at, &v.to_le_bytes()));
    }

    /// The consistent base.
    fn space() -> BufMem {
        let m = BufMem(std::cell::RefCell::new(vec![0u8; SIZE]));
        for i in 0..8 {
            set(&m, KPD + 8 * i, (i << 21) | P | W | PS);
        }
        set(&m, KPDPT, KPD | P | W);
        let mut refs = BTreeMap::new();
        for (r, [pml4, pdpt, pd, pt]) in ROOTS.iter().copied().enumerate() {
            set(&m, pml4 + 8 * KERNEL_PML4.start as u64, KPDPT | P | W);
            set(&m, pml4, pdpt | P | W | U);
            set(&m, pdpt, pd | P | W | U);
            set(&m, pd + 8 * 2, pt | P | W | U); // 0x40_0000
            let mut leaves = vec![
                (0, CODE | P | U),
                (1, DATA | P | U | NX),
                (2, OWN[r] | P | W | U | NX),
            ];
            if r == 0 {
                leaves.push((3, NONE | P | NX));
            }
            for (i, e) in leaves {
                set(&m, pt + 8 * i, e);
                *refs.entry(e & 0x000f_ffff_ffff_f000).or_insert(0u16) += 1;
            }
        }
        for (f, n) in refs {
            assert!(m.write_phys(REFS + 2 * (f / 4096), &n.to_le_bytes()));
        }
        // Each mm: four VMAs, linked in order.
        for (r, mm) in MMS.iter().copied().enumerate() {
            let base = VMAS + r as u64 * 0x100;
            let vmas = [
                (0x40_0000, prot::READ | prot::EXEC),
                (0x40_1000, prot::READ | prot::WRITE),
                (0x40_2000, prot::READ | prot::WRITE),
                (0x40_3000, 0),
            ];
            for (i, (start, p)) in vmas.into_iter().enumerate() {
                let at = base + 0x28 * i as u64;
                let vma = VmAreaStruct {
                    vm_start: start,
                    vm_end: start + 0x1000,
                    prot: p,
                    kind: 3,
                    vm_next: if i < 3 { k(at + 0x28) } else { 0 },
                    vm_prev: if i > 0 { k(at - 0x28) } else { 0 },
                };
                kwrite(&m, k(at), &vma).unwrap();
            }
            let rec = MmStruct {
                users: 1,
                pgd: ROOTS[r][0],
                mmap: k(base),
                map_count: 4,
                execs: 0,
            };
            kwrite(&m, k(mm), &rec).unwrap();
        }
        m
    }

    /// The view the checks need: the roots' refcount table and the mms,
    /// read from the (possibly mutated) buffer.
    fn view(m: &BufMem) -> KernelView {
        let mut roots = KernelRoots::new_zeroed();
        roots.frame_refs = k(REFS);
        roots.nr_frames = FRAMES;
        let mms = MMS
            .iter()
            .map(|&a| (k(a), kread::<MmStruct>(m, k(a)).unwrap()))
            .collect();
        let mut v = KernelView::new(roots, vec![]);
        v.mms = mms;
        v
    }

    fn check(m: &BufMem) -> Vec<crate::inspect::Violation> {
        let v = view(m);
        match AddressSpaces::read(m, &v) {
            Ok(a) => check_spaces(&v, &a),
            Err(e) => vec![e],
        }
    }

    #[test]
    fn the_base_space_is_consistent() {
        let m = space();
        assert_eq!(check(&m), vec![]);
        let a = AddressSpaces::read(&m, &view(&m)).unwrap();
        assert_eq!(a.spaces.len(), 2);
        assert_eq!(a.spaces[0].walk.mappings.len(), 4);
        assert_eq!(a.kernel.mappings.len(), 8);
    }

    type Corrupt<'a> = &'a dyn Fn(&BufMem);

    #[test]
    fn each_break_is_its_invariant() {
        let cases: [(u32, Corrupt); 7] = [
            // A user PTE at a page table (refcount moved along).
            (7, &|m| {
                set(m, ROOTS[1][3] + 16, ROOTS[0][2] | P | W | U | NX);
                assert!(m.write_phys(REFS + 2 * (OWN[1] / 4096), &0u16.to_le_bytes()));
                assert!(m.write_phys(REFS + 2 * (ROOTS[0][2] / 4096), &1u16.to_le_bytes()));
            }),
            (7, &|m| set(m, ROOTS[1][0] + 8 * 255, KPDPT | P | W)),
            (8, &|m| set(m, ROOTS[0][3] + 8, DATA | P | W | U | NX)),
            (8, &|m| {
                assert!(m.write_phys(REFS + 2 * (CODE / 4096), &3u16.to_le_bytes()))
            }),
            (9, &|m| set(m, ROOTS[0][3] + 16, OWN[0] | P | W | U)),
            // A file's page writable in a private mapping: a write would
            // change the file.
            (8, &|m| {
                let r = FRAME_CACHED | 1;
                assert!(m.write_phys(REFS + 2 * (OWN[0] / 4096), &r.to_le_bytes()))
            }),
            // A page of a MAP_SHARED VMA that no file holds.
            (8, &|m| set_kind(m, 0, 2, vma_kind::SHARED)),
        ];
        for (n, corrupt) in cases {
            let m = space();
            corrupt(&m);
            let found = check(&m);
            assert!(!found.is_empty(), "invariant {n} not found");
            assert!(found.iter().all(|v| v.invariant == n), "{n}: {found:?}");
        }
    }

    /// Sets the kind of mm `r`'s VMA `i` (records 0x28 bytes apart, the
    /// kind at offset 20).
    fn set_kind(m: &BufMem, r: usize, i: u64, kind: u32) {
        let at = VMAS + r as u64 * 0x100 + 0x28 * i + 20;
        assert!(m.write_phys(at, &kind.to_le_bytes()));
    }

    /// Shared memory: one file page mapped writable by both roots in
    /// MAP_SHARED VMAs is consistent; the same in one private VMA is not.
    #[test]
    fn a_shared_file_page_is_writable_in_every_shared_mapping() {
        let m = space();
        set(&m, ROOTS[1][3] + 16, OWN[0] | P | W | U | NX);
        assert!(m.write_phys(REFS + 2 * (OWN[1] / 4096), &0u16.to_le_bytes()));
        let r = FRAME_CACHED | 2;
        assert!(m.write_phys(REFS + 2 * (OWN[0] / 4096), &r.to_le_bytes()));
        set_kind(&m, 0, 2, vma_kind::SHARED);
        set_kind(&m, 1, 2, vma_kind::SHARED);
        assert_eq!(check(&m), vec![]);
        set_kind(&m, 1, 2, vma_kind::ANON);
        let found = check(&m);
        assert!(
            found
                .iter()
                .any(|v| v.invariant == 8 && v.detail.contains("private")),
            "{found:?}"
        );
    }

    /// The base space with a kernel around it: `kernel_roots` (frame 0xb)
    /// and two processes (records in frame 0xc), pid 1 using mm 0 and its
    /// child pid 2 using mm 1, each with one object (frame 0xd) serving as
    /// its fs, files, sighand and signal. Consistent: every invariant holds.
    pub(super) fn kernel() -> BufMem {
        use abi::list::ListHead;
        use abi::task::{state, RunQueue, SignalStruct, TaskStruct, ROOTS_MAGIC, TASK_MAGIC};
        use std::mem::offset_of;
        let m = space();
        let roots_at = k(ROOTS_AT);
        let task = |i: u64| k(0xc000 + 0x400 * i);
        let obj = |i: u64| k(0xd000 + 0x800 * i);
        let node = |base: u64, off: usize| base + off as u64;
        let tasks_head = node(roots_at, offset_of!(KernelRoots, tasks));
        let rq_head = roots_at + (offset_of!(KernelRoots, rq) + offset_of!(RunQueue, queue)) as u64;
        let mut roots = KernelRoots::new_zeroed();
        roots.magic = ROOTS_MAGIC;
        roots.nr_cpus = 1;
        roots.nr_tasks = 2;
        roots.frame_refs = k(REFS);
        roots.nr_frames = FRAMES;
        roots.rq[0].queue = ListHead {
            next: rq_head,
            prev: rq_head,
        };
        roots.rq[0].curr = task(0);
        let tnode = |i| node(task(i), offset_of!(TaskStruct, tasks));
        roots.tasks = ListHead {
            next: tnode(0),
            prev: tnode(1),
        };
        kwrite(&m, roots_at, &roots).unwrap();
        for i in 0..2u64 {
            let mut t = TaskStruct::new_zeroed();
            t.magic = TASK_MAGIC;
            t.pid = i as i32 + 1;
            t.tgid = t.pid;
            t.state = if i == 0 {
                state::RUNNING
            } else {
                state::BLOCKED
            };
            t.group_leader = task(i);
            t.real_parent = if i == 0 { 0 } else { task(0) };
            t.tasks = if i == 0 {
                ListHead {
                    next: tnode(1),
                    prev: tasks_head,
                }
            } else {
                ListHead {
                    next: tasks_head,
                    prev: tnode(0),
                }
            };
            let own = |off: usize| ListHead {
                next: node(task(i), off),
                prev: node(task(i), off),
            };
            let kids = node(task(0), offset_of!(TaskStruct, children));
            let sib = node(task(1), offset_of!(TaskStruct, sibling));
            if i == 0 {
                t.children = ListHead {
                    next: sib,
                    prev: sib,
                };
                t.sibling = own(offset_of!(TaskStruct, sibling));
            } else {
                t.children = own(offset_of!(TaskStruct, children));
                t.sibling = ListHead {
                    next: kids,
                    prev: kids,
                };
            }
            t.run_list = own(offset_of!(TaskStruct, run_list));
            let head = node(obj(i), offset_of!(SignalStruct, thread_head));
            t.thread_node = ListHead {
                next: head,
                prev: head,
            };
            t.mm = k(MMS[i as usize]);
            (t.fs, t.files, t.sighand, t.signal) = (obj(i), obj(i), obj(i), obj(i));
            t.stack = k(0xe000 + 0x800 * i);
            kwrite(&m, task(i), &t).unwrap();
            let mut sig = SignalStruct::new_zeroed();
            sig.count = 1;
            sig.nr_threads = 1;
            let tn = node(task(i), offset_of!(TaskStruct, thread_node));
            sig.thread_head = ListHead { next: tn, prev: tn };
            kwrite(&m, obj(i), &sig).unwrap();
        }
        m
    }

    pub(super) const ROOTS_AT: u64 = 0xb000;

    #[test]
    fn the_kernel_base_is_consistent() {
        let m = kernel();
        assert_eq!(crate::inspect::check_kernel(&m, k(ROOTS_AT), None), vec![]);
    }

    /// A page-table entry: mostly pointers at the buffer's frames with
    /// random flags.
    fn entry(choice: u8, raw: u64) -> u64 {
        let frame = (raw % FRAMES) << 12;
        let flags = raw >> 40 & (P | W | U | PS | 0x78) | (raw & NX);
        match choice % 6 {
            0..=2 => frame | flags | P,
            3 => frame | flags,
            4 => raw,
            _ => 0,
        }
    }

    use crate::inspect::incremental::{Changed, Checker, DirtyPages};

    fn diverged(found: &[crate::inspect::Violation]) -> bool {
        found.iter().any(|v| v.detail.contains("diverged"))
    }

    #[test]
    fn unchanged_memory_reuses_every_unit() {
        let m = kernel();
        let mut c = Checker::new();
        assert_eq!(c.check(&m, k(ROOTS_AT), None, &Changed::Anything), vec![]);
        let first = c.stats;
        // view, two spaces, the kernel part, the refcounts
        assert_eq!((first.recomputed, first.reused), (5, 0));
        assert_eq!(c.check(&m, k(ROOTS_AT), None, &Changed::Anything), vec![]);
        assert_eq!(c.stats.recomputed, 5, "nothing changed, nothing re-derived");
        assert_eq!(c.stats.reused, 5);
        assert!(c.stats.compared > 0);
        // One PTE changed: only that space is read again (and the refcounts,
        // whose key is the set of mapped frames).
        set(&m, ROOTS[1][3] + 8 * 5, OWN[1] | P | U | NX);
        let found = c.check(&m, k(ROOTS_AT), None, &Changed::Anything);
        assert!(found.iter().any(|v| v.invariant == 8), "{found:?}");
        assert_eq!(c.stats.recomputed, 6, "{:?}", c.stats);
    }

    #[test]
    fn a_stale_cache_is_caught_by_verification() {
        let m = kernel();
        let mut c = Checker::new();
        let none = DirtyPages::default();
        assert_eq!(
            c.check_verified(&m, k(ROOTS_AT), None, &Changed::Pages(&none)),
            vec![]
        );
        // Break invariant 4 without telling the checker: it reuses the
        // stale view, and verification says so.
        let nr_threads =
            k(0xd000) + std::mem::offset_of!(abi::task::SignalStruct, nr_threads) as u64;
        kwrite(&m, nr_threads, &2u32).unwrap();
        let found = c.check_verified(&m, k(ROOTS_AT), None, &Changed::Pages(&none));
        assert!(diverged(&found), "{found:?}");
        assert!(!found.iter().any(|v| v.invariant == 4), "stale: {found:?}");
        // Told which page changed, it finds what the full check finds.
        let mut c = Checker::new();
        kwrite(&m, nr_threads, &1u32).unwrap();
        assert_eq!(
            c.check(&m, k(ROOTS_AT), None, &Changed::Pages(&none)),
            vec![]
        );
        kwrite(&m, nr_threads, &2u32).unwrap();
        let mut dirty = DirtyPages::default();
        dirty.mark(0xd000 + 0x10, 4);
        let found = c.check_verified(&m, k(ROOTS_AT), None, &Changed::Pages(&dirty));
        assert!(!diverged(&found), "{found:?}");
        assert!(
            found.iter().all(|v| v.invariant == 4) && !found.is_empty(),
            "{found:?}"
        );
    }

    /// An edit for the incremental tests: page-table entries, pointers
    /// into the buffer's kernel records, small numbers, anything.
    fn any_word(choice: u8, raw: u64) -> u64 {
        match choice % 4 {
            0 => entry(choice >> 2, raw),
            1 => k(raw % SIZE as u64) & !7,
            2 => raw % 4,
            _ => raw,
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn mutated_tables_never_panic(edits in prop::collection::vec((0usize..SIZE / 8, any::<u8>(), any::<u64>()), 1..24)) {
            let m = space();
            for (i, c, r) in edits {
                // Half the edits land in the page tables.
                let at = if c & 0x80 != 0 { 0x1000 + (i * 8) % 0xa000 } else { i * 8 };
                set(&m, at as u64, entry(c, r));
            }
            let _ = check(&m);
        }

        /// The incremental check finds what a full one finds (findings
        /// and the state read) after every round of random edits, whether
        /// it compares every read or only those on the pages marked dirty.
        #[test]
        fn incremental_finds_what_full_finds(rounds in prop::collection::vec(prop::collection::vec((0usize..SIZE / 8, any::<u8>(), any::<u64>()), 1..6), 1..5)) {
            let m = kernel();
            let roots = k(ROOTS_AT);
            let mut compare = Checker::new();
            let mut dirty_log = Checker::new();
            let none = DirtyPages::default();
            prop_assert_eq!(compare.check(&m, roots, None, &Changed::Anything), vec![]);
            prop_assert_eq!(dirty_log.check(&m, roots, None, &Changed::Pages(&none)), vec![]);
            for edits in rounds {
                let mut dirty = DirtyPages::default();
                for (i, c, r) in edits {
                    // Most edits land in the page tables or the kernel records.
                    let at = match c & 0xc0 {
                        0x00 => 0x1000 + (i * 8) % 0xa000,
                        0x40 => 0xb000 + (i * 8) % 0x4000,
                        _ => i * 8,
                    } as u64;
                    set(&m, at, any_word(c, r));
                    dirty.mark(at, 8);
                }
                let a = compare.check_verified(&m, roots, None, &Changed::Anything);
                prop_assert!(!diverged(&a), "{:?}", a);
                let b = dirty_log.check_verified(&m, roots, None, &Changed::Pages(&dirty));
                prop_assert!(!diverged(&b), "{:?}", b);
            }
        }

        #[test]
        fn random_tables_never_panic(words in prop::collection::vec((any::<u8>(), any::<u64>()), 0..SIZE / 8), root in 0u64..FRAMES, virt in any::<u64>()) {
            let m = BufMem(std::cell::RefCell::new(vec![0u8; SIZE]));
            for (i, &(c, r)) in words.iter().enumerate() {
                set(&m, (i * 8) as u64, entry(c, r));
            }
            let _ = pagetable::walk(&m, root << 12, 0..512);
            let _ = pagetable::translate(&m, root << 12, virt);
            let _ = check(&m);
        }
    }
}

// guest-libc's stacks: one address space of user pages over the buffer's
// frames (random flags), a VMA, live tasks with random FS bases, and memory
// whose words are mostly pointers into that user range (list heads, nodes,
// TCBs), through the reader and the checks of invariants 10-12.

mod libc {
    use std::collections::BTreeMap;

    use abi::layout::DIRECT_MAP_BASE;
    use abi::task::{state, KernelRoots, MmStruct, TaskStruct, VmAreaStruct};
    use proptest::prelude::*;

    use abi::nptl::PthreadHead;
    use zerocopy::FromZeros;

    use crate::inspect::guest_mem::{GuestMemExt, UserMem};
    use crate::inspect::libc::{check_libc, walk_list, LibcSymbols, ProcessStacks};
    use crate::inspect::mem::{BufMem, PhysMem};
    use crate::inspect::pagetable::{Flags, Mapping, Walk};
    use crate::inspect::spaces::{AddressSpaces, Space, VmaRec};
    use crate::inspect::tasks::{KernelView, TaskRec};

    const PAGES: u64 = 16;
    const SIZE: usize = PAGES as usize * 4096;
    const BASE: u64 = 0x40_0000;
    const SYMS: LibcSymbols = LibcSymbols {
        stack_used: BASE,
        stack_cache: BASE + 0x10,
        stack_user: BASE + 0x20,
        stack_cache_actsize: BASE + 0x30,
        stack_cache_maxsize: BASE + 0x38,
        stack_cache_lock: BASE + 0x40,
    };

    fn word(choice: u8, raw: u64) -> u64 {
        let inside = BASE + (raw % SIZE as u64);
        match choice % 8 {
            0..=2 => inside & !7,
            3 => [SYMS.stack_used, SYMS.stack_cache, SYMS.stack_user][raw as usize % 3],
            4 => raw % 64,
            5 => (inside & !0xfff) + 0x58, // a node at a page's TCB
            6 => raw,
            _ => 0,
        }
    }

    fn page_flags(choice: u8) -> Flags {
        let mut f = Flags::PRESENT;
        for (bit, flag) in [
            (1, Flags::WRITABLE),
            (2, Flags::USER_ACCESSIBLE),
            (4, Flags::NO_EXECUTE),
        ] {
            if choice & bit == 0 {
                f |= flag;
            }
        }
        f
    }

    fn check(words: &[(u8, u64)], pages: &[u8], fs: &[(u8, u64)], prot: u32) {
        let mem = BufMem(std::cell::RefCell::new(vec![0u8; SIZE]));
        for (i, &(c, r)) in words.iter().enumerate() {
            assert!(mem.write_phys((i * 8 % SIZE) as u64, &word(c, r).to_le_bytes()));
        }
        let mappings = (0..PAGES)
            .filter(|&i| pages.get(i as usize).is_none_or(|&c| c & 8 == 0))
            .map(|i| {
                let f = page_flags(pages.get(i as usize).copied().unwrap_or(0));
                Mapping {
                    virt: BASE + i * 4096,
                    phys: i * 4096,
                    size: 4096,
                    pte: 0,
                    leaf: f,
                    effective: f,
                }
            })
            .collect();
        let walk = Walk {
            root: 0,
            pml4: vec![0; 512],
            tables: vec![0],
            mappings,
            aliased: vec![],
        };
        let mm = DIRECT_MAP_BASE + 0x100;
        let vma = VmAreaStruct {
            vm_start: BASE,
            vm_end: BASE + SIZE as u64,
            prot,
            kind: 3,
            vm_next: 0,
            vm_prev: 0,
        };
        let space = Space {
            mms: vec![mm],
            walk,
            vmas: vec![VmaRec { addr: 0, vma }],
        };
        let tasks = fs
            .iter()
            .enumerate()
            .map(|(i, &(c, r))| {
                let mut t = TaskStruct::new_zeroed();
                t.pid = 2 + i as i32;
                t.tgid = 2;
                t.mm = mm;
                t.state = if c & 1 == 0 {
                    state::BLOCKED
                } else {
                    state::RUNNABLE
                };
                t.fs_base = word(c >> 1, r);
                t.stack = DIRECT_MAP_BASE + (r % SIZE as u64);
                TaskRec {
                    addr: 0x1000 * (i as u64 + 1),
                    t,
                }
            })
            .collect();
        let rec = MmStruct {
            users: 1,
            pgd: 0,
            mmap: 0,
            map_count: 1,
            execs: 0,
        };
        let mut v = KernelView::new(KernelRoots::new_zeroed(), tasks);
        v.mms = BTreeMap::from([(mm, rec)]);
        let a = AddressSpaces {
            spaces: vec![space],
            kernel: Walk::default(),
            refs: vec![],
        };
        let um = UserMem::with_walk(&mem, &a.spaces[0].walk);
        let _ = ProcessStacks::read(&um, &SYMS);
        for &(c, r) in fs {
            let _ = walk_list(&um, word(c, r));
            let _ = um.get::<PthreadHead>(word(c, r));
        }
        for v in check_libc(&mem, &SYMS, &v, &a) {
            assert!((10..=12).contains(&v.invariant), "{v}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn random_stacks_never_panic(
            words in prop::collection::vec((any::<u8>(), any::<u64>()), 0..SIZE / 8),
            pages in prop::collection::vec(any::<u8>(), 0..PAGES as usize),
            fs in prop::collection::vec((any::<u8>(), any::<u64>()), 0..4),
            prot in 0u32..8,
        ) {
            check(&words, &pages, &fs, prot);
        }

        #[test]
        fn sparse_stacks_never_panic(
            edits in prop::collection::vec((0usize..SIZE / 8, any::<u8>(), any::<u64>()), 0..64),
            fs in prop::collection::vec((any::<u8>(), any::<u64>()), 1..4),
        ) {
            // Mostly empty memory: self-linked heads, then a few edits.
            let mut words = vec![(7u8, 0u64); 16];
            for (i, head) in [SYMS.stack_used, SYMS.stack_cache, SYMS.stack_user].into_iter().enumerate() {
                words[2 * i] = (6, head);
                words[2 * i + 1] = (6, head);
            }
            let mut all = words;
            all.resize(SIZE / 8, (7, 0));
            for (i, c, r) in edits {
                all[i] = (c, r);
            }
            check(&all, &[], &fs, 3);
        }
    }
}
