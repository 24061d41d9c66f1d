//! Random and mutated guest memory fed to the readers and the checker: they
//! must return (a view or a finding), never panic and never loop. The
//! memory is built so walks go somewhere: most words are pointers into the
//! buffer through the direct map, list heads, magic numbers or small ints.

use std::mem::offset_of;

use abi::layout::DIRECT_MAP_BASE;
use abi::task::{KernelRoots, TaskStruct, ROOTS_MAGIC, TASK_MAGIC};
use proptest::prelude::*;

use super::mem::BufMem;
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
    let mut roots: KernelRoots = unsafe { std::mem::zeroed() };
    roots.magic = ROOTS_MAGIC;
    let rq = k(ROOTS_AT) + offset_of!(KernelRoots, runqueue) as u64;
    roots.runqueue = abi::list::ListHead { next: rq, prev: rq };
    let tnode = k(task_at) + offset_of!(TaskStruct, tasks) as u64;
    roots.tasks = abi::list::ListHead {
        next: tnode,
        prev: tnode,
    };
    roots.current = k(task_at);
    roots.nr_tasks = 1;
    let mut t: TaskStruct = unsafe { std::mem::zeroed() };
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
    let mut sig: abi::task::SignalStruct = unsafe { std::mem::zeroed() };
    sig.count = 1; // each kind counts its own holders: one task
    sig.nr_threads = 1;
    let tn = k(task_at) + offset_of!(TaskStruct, thread_node) as u64;
    sig.thread_head = abi::list::ListHead { next: tn, prev: tn };
    super::mem::kwrite(&mem, k(ROOTS_AT), &roots).unwrap();
    super::mem::kwrite(&mem, k(task_at), &t).unwrap();
    super::mem::kwrite(&mem, k(obj), &sig).unwrap();
    mem
}

#[test]
fn the_mutation_base_is_consistent() {
    let mem = one_task();
    let v = KernelView::read(&mem, DIRECT_MAP_BASE + ROOTS_AT).expect("readable");
    assert_eq!(v.tasks.len(), 1);
    assert_eq!(invariants::check_tasks(&v), vec![]);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn random_memory_never_panics(words in prop::collection::vec((any::<u8>(), any::<u64>()), 0..SIZE / 8)) {
        let mem = memory(&words);
        let _ = check_kernel(&mem, DIRECT_MAP_BASE + ROOTS_AT);
    }

    #[test]
    fn mutated_state_never_panics(edits in prop::collection::vec((0usize..SIZE / 8, any::<u8>(), any::<u64>()), 1..16)) {
        let mem = one_task();
        for (i, c, r) in edits {
            let w = word(c, r);
            mem.0.borrow_mut()[i * 8..i * 8 + 8].copy_from_slice(&w.to_le_bytes());
        }
        let _ = check_kernel(&mem, DIRECT_MAP_BASE + ROOTS_AT);
    }

    #[test]
    fn any_pointer_is_safe_to_read(p in any::<u64>()) {
        let mem = one_task();
        let _ = super::mem::kread::<TaskStruct>(&mem, p);
        let _ = super::tasks::walk(&mem, p, 0, "fuzz");
    }
}
