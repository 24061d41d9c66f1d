//! The kernel's task state as the host reads it from guest memory: every
//! record reached from `kernel_roots` (the task list, the run queue, each
//! group's thread list, each process's children, the shared objects, the
//! kernel-stack cache), copied into a [`KernelView`] in one pass.
//!
//! Guest memory is untrusted: every pointer is translated with bounds
//! checks, every list walk is bounded and checks its back links, and a
//! structure that cannot be read is reported as a [`Violation`] of
//! invariant 0 ("kernel structures readable"), never a host panic.

use std::collections::btree_map::Entry;
use std::collections::BTreeMap;
use std::mem::offset_of;

use abi::task::{
    FsStruct, KernelRoots, MmStruct, RunQueue, SignalStruct, TaskStruct, KERNEL_STACK_SIZE,
    MAX_CPUS, ROOTS_MAGIC, TASK_MAGIC,
};
use abi::trapframe::TrapFrame;

use zerocopy::{FromBytes, FromZeros, IntoBytes};

use super::guest_mem::{GuestMemExt, KernelMem, ReadError};
use super::list;
use super::mem::PhysMem;
use super::Violation;

/// More list nodes than this is a corrupt (or looping) list: the kernel
/// never has more than 1024 tasks.
pub const MAX_LIST_LEN: usize = 4096;

/// One task record and where it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TaskRec {
    pub addr: u64,
    pub t: TaskStruct,
}

/// A snapshot of the kernel's task state at one stop.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KernelView {
    pub roots: KernelRoots,
    /// Every task on `kernel_roots.tasks`, sorted by address (for
    /// [`KernelView::task`]'s lookups: the checks make one per relation).
    pub tasks: Vec<TaskRec>,
    /// Task addresses on the run queues, CPU by CPU, head first.
    pub runqueue: Vec<u64>,
    /// Each CPU's current task.
    pub currents: Vec<u64>,
    pub mms: BTreeMap<u64, MmStruct>,
    pub fss: BTreeMap<u64, FsStruct>,
    /// files and sighand objects: only their counts are read.
    pub files: BTreeMap<u64, u64>,
    pub sighands: BTreeMap<u64, u64>,
    pub signals: BTreeMap<u64, SignalStruct>,
    /// Per signal object: its thread list (task addresses).
    pub threads: BTreeMap<u64, Vec<u64>>,
    /// Per task: its children list (task addresses).
    pub children: BTreeMap<u64, Vec<u64>>,
}

impl KernelView {
    /// A view of `tasks` (sorted by address) with nothing else read yet.
    pub fn new(roots: KernelRoots, mut tasks: Vec<TaskRec>) -> KernelView {
        tasks.sort_unstable_by_key(|r| r.addr);
        KernelView {
            roots,
            tasks,
            runqueue: Vec::new(),
            currents: Vec::new(),
            mms: BTreeMap::new(),
            fss: BTreeMap::new(),
            files: BTreeMap::new(),
            sighands: BTreeMap::new(),
            signals: BTreeMap::new(),
            threads: BTreeMap::new(),
            children: BTreeMap::new(),
        }
    }

    /// The task record at `addr` (`tasks` is sorted by address).
    pub fn task(&self, addr: u64) -> Option<&TaskStruct> {
        self.tasks
            .binary_search_by_key(&addr, |r| r.addr)
            .ok()
            .map(|i| &self.tasks[i].t)
    }

    pub fn by_pid(&self, pid: i32) -> Option<&TaskRec> {
        self.tasks.iter().find(|r| r.t.pid == pid)
    }

    /// Reads everything reachable from the roots at kernel address `roots`.
    pub fn read(mem: &dyn PhysMem, roots_kva: u64) -> Result<KernelView, Violation> {
        let unreadable = |what: &str, e: ReadError| Violation::new(0, format!("{what}: {e}"));
        let km = KernelMem::new(mem);
        let roots: KernelRoots = km
            .get(roots_kva)
            .map_err(|e| unreadable("kernel_roots", e))?;
        if roots.magic != ROOTS_MAGIC {
            return Err(Violation::new(
                0,
                format!(
                    "kernel_roots magic is {:#x}, not {ROOTS_MAGIC:#x}",
                    roots.magic
                ),
            ));
        }
        let tasks_head = roots_kva + offset_of!(KernelRoots, tasks) as u64;
        let task_addrs = walk(mem, tasks_head, offset_of!(TaskStruct, tasks), "task list")?;
        let mut tasks = Vec::with_capacity(task_addrs.len());
        for addr in task_addrs {
            // Read in place: a task record is a few cache lines.
            tasks.push(TaskRec {
                addr,
                t: TaskStruct::new_zeroed(),
            });
            let t = &mut tasks.last_mut().expect("just pushed").t;
            km.get_into(addr, t)
                .map_err(|e| unreadable("task record", e))?;
            if t.magic != TASK_MAGIC {
                return Err(Violation::new(
                    0,
                    format!(
                        "task record at {addr:#x} has magic {:#x} (freed or corrupt)",
                        t.magic
                    ),
                ));
            }
        }
        if roots.nr_cpus == 0 || roots.nr_cpus > MAX_CPUS as u64 {
            return Err(Violation::new(
                0,
                format!(
                    "kernel_roots says {} CPUs (room for {MAX_CPUS})",
                    roots.nr_cpus
                ),
            ));
        }
        let mut runqueue = Vec::new();
        let mut currents = Vec::new();
        for cpu in 0..roots.nr_cpus as usize {
            let rq = &roots.rq[cpu];
            let head = roots_kva
                + (offset_of!(KernelRoots, rq) + cpu * size_of::<RunQueue>()) as u64
                + offset_of!(RunQueue, queue) as u64;
            let queue = walk(mem, head, offset_of!(TaskStruct, run_list), "run queue")?;
            if queue.len() as u64 != rq.nr_running {
                return Err(Violation::new(
                    5,
                    format!(
                        "CPU {cpu}'s run queue holds {} tasks, nr_running says {}",
                        queue.len(),
                        rq.nr_running
                    ),
                ));
            }
            runqueue.extend(queue);
            currents.push(rq.curr);
        }

        let mut v = KernelView::new(roots, tasks);
        v.runqueue = runqueue;
        v.currents = currents;
        let KernelView {
            tasks,
            mms,
            fss,
            files,
            sighands,
            signals,
            threads,
            children,
            ..
        } = &mut v;
        // Every task's, in address order: built in one go at the end.
        let mut kid_lists = Vec::with_capacity(tasks.len());
        for r in tasks.iter() {
            let t = &r.t;
            // Formatted only for a finding.
            let what = |name: &str| format!("pid {}'s {name}", t.pid);
            read_once(&km, mms, t.mm, || what("mm"))?;
            read_once(&km, fss, t.fs, || what("fs"))?;
            // files and sighand: only the count (their first word).
            read_once(&km, files, t.files, || what("files"))?;
            read_once(&km, sighands, t.sighand, || what("sighand"))?;
            if read_once(&km, signals, t.signal, || what("signal"))? {
                let head = t.signal + offset_of!(SignalStruct, thread_head) as u64;
                let list = walk_with(mem, head, offset_of!(TaskStruct, thread_node), || {
                    what("thread list")
                })?;
                threads.insert(t.signal, list);
            }
            let head = r.addr + offset_of!(TaskStruct, children) as u64;
            let kids = walk_with(mem, head, offset_of!(TaskStruct, sibling), || {
                what("children list")
            })?;
            kid_lists.push((r.addr, kids));
        }
        *children = BTreeMap::from_iter(kid_lists);
        Ok(v)
    }
}

/// The user register frame at the top of `t`'s kernel stack, if `t` last
/// entered the kernel from user mode: the saved `cs` has requested
/// privilege level 3 (the CPU saves the `cs` it was running with). None
/// if the frame is unreadable, or the stack field is so large that the
/// stack's top wraps (a corrupt record has no frame at all).
pub fn user_frame(km: &KernelMem, t: &TaskStruct) -> Option<TrapFrame> {
    let top = t.stack.checked_add(KERNEL_STACK_SIZE)?;
    let frame: TrapFrame = km.get(top - size_of::<TrapFrame>() as u64).ok()?;
    (frame.cs & 3 == 3).then_some(frame)
}

/// Reads the object at `kva` into `map` unless it is there; true if read now.
/// `what` names it in a finding.
fn read_once<T: FromBytes + IntoBytes>(
    km: &KernelMem,
    map: &mut BTreeMap<u64, T>,
    kva: u64,
    what: impl Fn() -> String,
) -> Result<bool, Violation> {
    if let Entry::Vacant(e) = map.entry(kva) {
        let value = km
            .get(kva)
            .map_err(|err| Violation::new(0, format!("{}: {err}", what())))?;
        e.insert(value);
        return Ok(true);
    }
    Ok(false)
}

/// Walks the circular list at `head` whose nodes sit at `node_offset` in
/// their records; returns the records' addresses. Checks every back link,
/// stops at [`MAX_LIST_LEN`] and at a node seen twice ([`list::walk`]).
pub fn walk(
    mem: &dyn PhysMem,
    head: u64,
    node_offset: usize,
    what: &str,
) -> Result<Vec<u64>, Violation> {
    walk_with(mem, head, node_offset, || what.to_string())
}

/// [`walk`], naming the list with `what()` only in a finding.
fn walk_with(
    mem: &dyn PhysMem,
    head: u64,
    node_offset: usize,
    what: impl Fn() -> String,
) -> Result<Vec<u64>, Violation> {
    list::walk(&KernelMem::new(mem), head, node_offset, MAX_LIST_LEN)
        .map_err(|e| Violation::new(0, format!("{}: {e}", what())))
}
