//! guest-libc's invariants 10–12 in each address space, over the lists and
//! threads `read` found.
//!
//! What holds at a syscall stop. The lists and `stack_cache_actsize` change
//! only under `stack_cache_lock`, without system calls in between, except
//! `free_stacks`' munmap; other threads may be preempted anywhere, also
//! half-way through a change. So the list checks run only when the lock is
//! free (0): then no change is in progress. `fork` holds the lock across
//! its clone and the child keeps it until it has reclaimed the other
//! threads' stacks (`__reclaim_stacks`), so a forked child's copy is
//! checked only once it describes the child's own threads. With the lock
//! free:
//!
//! 10. The three lists are well linked, hold each `struct pthread` once,
//!     and `user_stack` is set exactly on `stack_user`. A `stack_used` or
//!     `stack_user` entry with a non-zero tid word is the stack of a live
//!     thread with that tid whose FS base is the entry; with tid word 0 no
//!     live thread has it as FS base (its creator is between
//!     `allocate_stack` and clone's return, or its thread has exited and
//!     not yet been joined: CLEARTID zeroes the word, the joiner moves it
//!     later). A `stack_cache` entry has tid word 0, except the stack of a
//!     live detached thread on its way out (`exit_thread` queues its own
//!     stack before its exit call; the kernel clears the word when it is
//!     gone), and holds no live thread's user stack pointer but that
//!     thread's. Every live thread whose FS base is a `struct pthread`
//!     claiming it (both self pointers at the FS base, tid word = its tid)
//!     is on `stack_used` / `stack_user` (or is that detached thread on
//!     `stack_cache`), the main thread's TCB excepted (on no list).
//!     `stack_cache_actsize` is the sum of the cached `stackblock_size`s,
//!     and at most `stack_cache_maxsize` unless every cached stack is a
//!     detached thread's own (`free_stacks` only frees stacks whose tid
//!     word is 0, so those can stay above the limit until the next
//!     deallocation).
//! 11. Each entry's `struct pthread` lies inside its stack block; a
//!     non-user block is page-aligned with a guard smaller than itself.
//!     Blocks never overlap. The guard (the first `guardsize` bytes) has no
//!     user-accessible present page and only PROT_NONE VMAs; the rest is
//!     covered by VMAs with PROT_READ|PROT_WRITE and without PROT_EXEC, and
//!     its present pages are user-accessible and not executable. (Not
//!     "writable where present": after a fork a stack page is read-only
//!     copy-on-write until written, in a writable VMA.)
//! 12. Every live thread's FS base, if it points at memory whose first or
//!     third word (`tcb`, `self`) points back at it, has both self
//!     pointers equal to it (this covers the main thread's TCB, which is on
//!     no list: it runs whatever the lock). With the lock free, a thread
//!     whose FS base is an entry of a list has that entry as its own
//!     `struct pthread`: both self pointers and tid word = its tid (a raw
//!     clone without CLONE_SETTLS shares its creator's FS base: a thread
//!     whose FS base is another live thread's `struct pthread` is not
//!     checked against it).
//!
//! Known limit: a raw CLONE_THREAD clone without CLONE_SETTLS made by a
//! pthread that then exits (tid word 0) would be reported by 10; no program
//! does that.

use std::mem::size_of;
use std::ops::Range;

use abi::layout::{PAGE_SIZE, USER_SPACE_END};
use abi::nptl::{Pthread, PthreadHead};
use abi::task::prot;

use super::read::{threads_of, LibcSymbols, List, ProcessStacks, Stack, Thread};
use crate::inspect::guest_mem::{GuestMemExt, UserMem};
use crate::inspect::invariants::Repeats;
use crate::inspect::mem::PhysMem;
use crate::inspect::spaces::{AddressSpaces, Space, VmaRec};
use crate::inspect::tasks::KernelView;
use crate::inspect::Violation;

/// A `stack_cache` entry's stack block: (pd, start, end).
pub type CachedBlock = (u64, u64, u64);

/// Invariants 10–12 in every address space with live tasks.
pub fn check_libc(
    mem: &dyn PhysMem,
    syms: &LibcSymbols,
    v: &KernelView,
    a: &AddressSpaces,
) -> Vec<Violation> {
    let mut out = Vec::new();
    for s in &a.spaces {
        let threads = threads_of(mem, v, s);
        if threads.is_empty() {
            continue;
        }
        let cached = check_space(mem, syms, s, &threads, &mut out);
        stack_pointers(s.walk.root, &cached, &threads, &mut out);
    }
    out
}

/// Invariants 10–12 in one address space used by `threads` (not empty),
/// but for the threads' stack pointers (their `rsp` is not looked at): the
/// `stack_cache` blocks are returned for [`stack_pointers`].
pub fn check_space(
    mem: &dyn PhysMem,
    syms: &LibcSymbols,
    s: &Space,
    threads: &[Thread],
    out: &mut Vec<Violation>,
) -> Vec<CachedBlock> {
    let um = UserMem::with_walk(mem, &s.walk);
    let root = s.walk.root;
    let ps = ProcessStacks::read(&um, syms);
    let stacks = match &ps {
        Ok(ProcessStacks {
            stacks: Some(stacks),
            ..
        }) => &stacks[..],
        _ => &[],
    };
    let m = Matches::new(stacks, threads);
    // Each live thread's TCB, where its FS base leads to readable memory
    // (`tcbs[i]` is `threads[i]`'s): a list entry's is already read.
    let tcbs: Vec<Option<PthreadHead>> = threads
        .iter()
        .zip(&m.entry)
        .map(|(t, e)| match e {
            _ if t.fs == 0 => None,
            Some(i) => Some(stacks[*i].p),
            None => um.get::<PthreadHead>(t.fs).ok(),
        })
        .collect();
    self_pointers(root, threads, &tcbs, out);
    let ps = match &ps {
        Ok(ps) => ps,
        Err(e) => {
            let detail = format!("root {root:#x}: {}", e.detail);
            out.push(Violation::new(e.invariant, detail));
            return Vec::new();
        }
    };
    if ps.stacks.is_none() {
        return Vec::new(); // a change is in progress (see above)
    }
    lists(root, ps, stacks, threads, &tcbs, &m, out);
    layout(root, s, stacks, out);
    owners(root, stacks, threads, &m, out);
    stacks
        .iter()
        .filter(|s| s.list == List::Cache)
        .map(|s| (s.pd, s.p.stackblock, s.end()))
        .collect()
}

/// Invariant 10, stack pointers: no `stack_cache` block holds a live
/// thread's user stack pointer, but that of the thread whose own it is (a
/// detached thread on its way out).
pub fn stack_pointers(
    root: u64,
    cached: &[CachedBlock],
    threads: &[Thread],
    out: &mut Vec<Violation>,
) {
    for &(pd, lo, end) in cached {
        for t in threads {
            if let Some(sp) = t.rsp {
                if lo <= sp && sp < end && t.fs != pd {
                    out.push(Violation::new(
                        10,
                        format!(
                            "root {root:#x}: stack_cache entry {pd:#x} [{lo:#x}, {end:#x}) holds live thread {}'s stack pointer {sp:#x}",
                            t.pid
                        ),
                    ));
                }
            }
        }
    }
}

/// The list entries and the live threads matched by address (which
/// threads have which entry as FS base), by sorting both once: the checks
/// ask for every entry's threads two or three times.
struct Matches {
    /// The entries' pds (index: list order).
    pds: Repeats<u64>,
    /// (FS base, tid) of every live thread, sorted.
    by_fs: Vec<(u64, i32)>,
    /// Per entry, in list order: where its threads are in `by_fs`.
    users: Vec<Range<usize>>,
    /// Per thread: an entry that is its FS base.
    entry: Vec<Option<usize>>,
}

impl Matches {
    fn new(stacks: &[Stack], threads: &[Thread]) -> Matches {
        let pds = Repeats::of(stacks.iter().enumerate().map(|(i, st)| (st.pd, i)));
        let mut by_fs: Vec<(u64, i32)> = threads.iter().map(|t| (t.fs, t.pid)).collect();
        by_fs.sort_unstable();
        // One merge of the two sorted lists (an entry has one user, or a
        // few: a raw clone without CLONE_SETTLS shares its FS base).
        let mut users = vec![0..0; stacks.len()];
        let mut lo = 0;
        for &(pd, i) in &pds.sorted {
            while by_fs.get(lo).is_some_and(|u| u.0 < pd) {
                lo += 1;
            }
            let n = by_fs[lo..].iter().take_while(|u| u.0 == pd).count();
            users[i] = lo..lo + n;
        }
        let entry = threads.iter().map(|t| pds.last(t.fs)).collect();
        Matches {
            pds,
            by_fs,
            users,
            entry,
        }
    }

    /// The (FS base, tid) of the threads whose FS base is entry `i`, by tid.
    fn users(&self, i: usize) -> &[(u64, i32)] {
        &self.by_fs[self.users[i].clone()]
    }

    /// Whether live thread `tid` has entry `i` as FS base.
    fn has(&self, i: usize, tid: i32) -> bool {
        self.users(i).iter().any(|u| u.1 == tid)
    }
}

/// The tids of the threads whose FS base is `fs`, in `threads` order.
fn users_of(threads: &[Thread], fs: u64) -> Vec<i32> {
    threads
        .iter()
        .filter(|t| t.fs == fs)
        .map(|t| t.pid)
        .collect()
}

/// A TCB "claims" FS base `fs` when either self pointer points back at it.
fn claims(p: &PthreadHead, fs: u64) -> bool {
    p.tcb == fs || p.self_ == fs
}

/// Invariant 12, list-independent part.
fn self_pointers(
    root: u64,
    threads: &[Thread],
    tcbs: &[Option<PthreadHead>],
    out: &mut Vec<Violation>,
) {
    for (t, p) in threads.iter().zip(tcbs) {
        if let Some(p) = p {
            if claims(p, t.fs) && (p.tcb != t.fs || p.self_ != t.fs) {
                out.push(Violation::new(
                    12,
                    format!(
                        "root {root:#x}: tid {}'s FS base {:#x} holds a TCB with tcb {:#x} and self {:#x}",
                        t.pid, t.fs, p.tcb, p.self_
                    ),
                ));
            }
        }
    }
}

/// Invariant 10.
fn lists(
    root: u64,
    ps: &ProcessStacks,
    stacks: &[Stack],
    threads: &[Thread],
    tcbs: &[Option<PthreadHead>],
    m: &Matches,
    out: &mut Vec<Violation>,
) {
    let mut v = |msg: String| out.push(Violation::new(10, format!("root {root:#x}: {msg}")));
    // An entry whose pd an earlier one has is reported with the list of
    // the latest such one.
    let mut repeats = m.pds.later.iter().peekable();
    for (i, st) in stacks.iter().enumerate() {
        let (pd, p) = (st.pd, &st.p);
        if let Some(&(_, prev)) = repeats.next_if(|r| r.0 == i) {
            v(format!(
                "struct pthread {pd:#x} is on {:?} and {:?}",
                stacks[prev].list, st.list
            ));
        }
        if (p.user_stack != 0) != (st.list == List::User) {
            v(format!(
                "struct pthread {pd:#x} on {:?} has user_stack {}",
                st.list, p.user_stack
            ));
        }
        match (st.list, p.tid) {
            (List::Used | List::User, 0) if !m.users(i).is_empty() => v(format!(
                "{:?} entry {pd:#x} has tid word 0, but live tid(s) {:?} have it as FS base",
                st.list,
                users_of(threads, pd)
            )),
            (List::Used | List::User, 0) => {}
            (List::Used | List::User, tid) if !m.has(i, tid) => v(format!(
                "{:?} entry {pd:#x} has tid word {tid}, but no live thread {tid} has it as FS base",
                st.list
            )),
            (List::Cache, 0) => {}
            (List::Cache, tid) if p.detached == 0 || !m.has(i, tid) => v(format!(
                "stack_cache entry {pd:#x} has tid word {tid} (detached {}) and is not a live detached thread's own",
                p.detached
            )),
            _ => {}
        }
    }
    // Every live thread with a struct pthread of its own (made by
    // pthread_create: it has a stack block; the main thread's TCB has
    // none and is on no list) is on a list.
    for ((t, p), entry) in threads.iter().zip(tcbs).zip(&m.entry) {
        let Some(p) = p else { continue };
        let own = p.tcb == t.fs && p.self_ == t.fs && p.tid == t.pid;
        if own && p.stackblock != 0 && entry.is_none() {
            v(format!(
                "live thread {} has its own struct pthread {:#x}, which is on no list",
                t.pid, t.fs
            ));
        }
    }
    let cached = || stacks.iter().filter(|s| s.list == List::Cache);
    let total = cached().fold(0u64, |a, s| a.wrapping_add(s.p.stackblock_size));
    if total != ps.actsize {
        v(format!(
            "stack_cache_actsize is {:#x}, but the cached stacks total {total:#x}",
            ps.actsize
        ));
    }
    if ps.actsize > ps.maxsize && cached().any(|s| s.p.detached == 0) {
        v(format!(
            "stack_cache_actsize {:#x} exceeds stack_cache_maxsize {:#x}",
            ps.actsize, ps.maxsize
        ));
    }
}

/// Invariant 11.
fn layout(root: u64, s: &Space, stacks: &[Stack], out: &mut Vec<Violation>) {
    let mut v = |msg: String| out.push(Violation::new(11, format!("root {root:#x}: {msg}")));
    let mut sane: Vec<&Stack> = Vec::new();
    for st in stacks {
        let (pd, p) = (st.pd, &st.p);
        let (lo, size, guard) = (p.stackblock, p.stackblock_size, p.guardsize);
        let end = lo
            .checked_add(size)
            .filter(|&e| e <= USER_SPACE_END && size > 0);
        let Some(end) = end else {
            v(format!(
                "stack {pd:#x}: block {lo:#x}+{size:#x} is not a range of user space"
            ));
            continue;
        };
        if pd < lo || pd.saturating_add(size_of::<Pthread>() as u64) > end {
            v(format!(
                "struct pthread {pd:#x} is outside its stack block [{lo:#x}, {end:#x})"
            ));
        }
        let user = st.list == List::User;
        if !user && ((lo | size | guard) % PAGE_SIZE != 0 || guard >= size) {
            v(format!(
                "stack {pd:#x}: block [{lo:#x}, {end:#x}) with guard {guard:#x} is not page-aligned with a guard smaller than the block"
            ));
            continue;
        }
        sane.push(st);
        let guard_end = if user { lo } else { lo + guard };
        // The guard: nothing the program may touch.
        let maps = &s.walk.mappings;
        let first = maps.partition_point(|m| m.virt.saturating_add(m.size) <= lo);
        for m in maps[first..].iter().take_while(|m| m.virt < end) {
            if m.virt < guard_end {
                if m.user() {
                    v(format!(
                        "stack {pd:#x}: guard page {:#x} is user-accessible ({:?})",
                        m.virt, m.effective
                    ));
                }
            } else if !m.user() || m.user_exec() {
                v(format!(
                    "stack {pd:#x}: stack page {:#x} is {} ({:?})",
                    m.virt,
                    if m.user() {
                        "executable"
                    } else {
                        "not user-accessible"
                    },
                    m.effective
                ));
            }
        }
        if guard_end > lo {
            for r in vmas_over(&s.vmas, lo, guard_end) {
                if r.vma.prot != 0 {
                    v(format!(
                        "stack {pd:#x}: guard [{lo:#x}, {guard_end:#x}) is in VMA [{:#x}, {:#x}) with prot {:#x}",
                        r.vma.vm_start, r.vma.vm_end, r.vma.prot
                    ));
                }
            }
        }
        if let Err(e) = covered(&s.vmas, guard_end, end, |p| {
            p & (prot::READ | prot::WRITE) == prot::READ | prot::WRITE && p & prot::EXEC == 0
        }) {
            v(format!(
                "stack {pd:#x}: [{guard_end:#x}, {end:#x}) is not read-write, non-executable memory: {e}"
            ));
        }
    }
    sane.sort_by_key(|s| s.p.stackblock);
    for pair in sane.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        if a.end() > b.p.stackblock {
            v(format!(
                "stack blocks of {:#x} [{:#x}, {:#x}) and {:#x} [{:#x}, {:#x}) overlap",
                a.pd,
                a.p.stackblock,
                a.end(),
                b.pd,
                b.p.stackblock,
                b.end()
            ));
        }
    }
}

/// The VMAs (sorted, disjoint) overlapping `[lo, hi)`.
fn vmas_over(vmas: &[VmaRec], lo: u64, hi: u64) -> impl Iterator<Item = &VmaRec> {
    let first = vmas.partition_point(|r| r.vma.vm_end <= lo);
    vmas[first..]
        .iter()
        .take_while(move |r| r.vma.vm_start < hi)
}

/// Whether VMAs whose prot passes `ok` cover all of `[lo, hi)`.
fn covered(vmas: &[VmaRec], lo: u64, hi: u64, ok: impl Fn(u32) -> bool) -> Result<(), String> {
    let mut at = lo;
    for r in vmas_over(vmas, lo, hi) {
        if r.vma.vm_start > at {
            break;
        }
        if !ok(r.vma.prot) {
            return Err(format!(
                "VMA [{:#x}, {:#x}) has prot {:#x}",
                r.vma.vm_start, r.vma.vm_end, r.vma.prot
            ));
        }
        at = at.max(r.vma.vm_end);
        if at >= hi {
            return Ok(());
        }
    }
    if at >= hi {
        return Ok(());
    }
    Err(format!("{at:#x} is in no VMA"))
}

/// Invariant 12, list part: a thread whose FS base is a list entry has it
/// as its own `struct pthread`.
fn owners(root: u64, stacks: &[Stack], threads: &[Thread], m: &Matches, out: &mut Vec<Violation>) {
    for (i, st) in stacks.iter().enumerate() {
        let (pd, p) = (st.pd, &st.p);
        let users = m.users(i);
        // A raw clone without CLONE_SETTLS shares its creator's FS base:
        // check the entry against its owner only.
        let owner_alive = m.has(i, p.tid);
        // With both self pointers right, only a user other than the owner
        // can be reported, and only while the owner is not alive.
        let sound = p.tcb == pd && p.self_ == pd;
        if sound && (owner_alive || users.iter().all(|u| u.1 == p.tid)) {
            continue;
        }
        for t in threads.iter().filter(|t| t.fs == pd) {
            if t.pid != p.tid && owner_alive {
                continue;
            }
            if !sound || p.tid != t.pid {
                out.push(Violation::new(
                    12,
                    format!(
                        "root {root:#x}: tid {}'s FS base is {:?} entry {:#x} with tcb {:#x}, self {:#x}, tid word {}",
                        t.pid, st.list, pd, p.tcb, p.self_, p.tid
                    ),
                ));
            }
        }
    }
}
