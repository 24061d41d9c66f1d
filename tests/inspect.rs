//! Host-side inspection (the kernel's host-readable records and the
//! invariant checker): the host reads the guest kernel's real task records at every
//! syscall stop. Each invariant is broken on purpose in guest memory at a
//! stop, and the checker must report exactly that invariant; untouched runs
//! must pass.

mod common;

use std::mem::offset_of;
use std::sync::Mutex;

use abi::linux::syscalls::{__NR_clone, __NR_clone3};
use abi::nptl::Pthread;
use abi::nptl::PthreadHead;
use abi::task::{state, KernelRoots, SignalStruct, TaskStruct};
use vmm::config::{CheckMode, RunConfig};
use vmm::inspect::guest_mem::{kread, kwrite, GuestMemExt, UserMem};
use vmm::inspect::libc::{LibcSymbols, List, ProcessStacks, Stack};
use vmm::inspect::pagetable::{self, Flags, Mapping};
use vmm::inspect::spaces::{AddressSpaces, Space};
use vmm::inspect::tasks::{KernelView, TaskRec};
use vmm::inspect::SyscallStop;
use vmm::outcome::Outcome;
use zerocopy::{FromBytes, Immutable, IntoBytes};

const SYS_THREADLAB_STATS: u64 = abi::stats::SYS_THREADLAB_STATS;

/// The stats call as a report names the stop after it (`syscall_0x…`:
/// Linux has no name for the number). Pinned as a literal, so that a
/// change in how the stop is named, or in the number, shows here.
fn stats_call() -> String {
    let name = abi::linux::syscalls::Name(SYS_THREADLAB_STATS).to_string();
    assert_eq!(name, "syscall_0x7fff0001", "the stats call's stop is named");
    name
}
const MARKER_TAG: u64 = 0x15ec7;

struct Landscape {
    view: KernelView,
    leader: TaskRec,
    thread: TaskRec,
    child: TaskRec,
}

/// At inspect-target's marker stop: its main thread, its blocked thread and
/// its sleeping child.
fn landscape(stop: &SyscallStop) -> Landscape {
    let view = stop.kernel().expect("kernel state readable");
    let leader = *view.by_pid(stop.call.tid).expect("caller is a task");
    let thread = *view
        .tasks
        .iter()
        .find(|r| r.t.tgid == leader.t.tgid && r.t.pid != leader.t.pid)
        .expect("the program's thread");
    let child = *view
        .tasks
        .iter()
        .find(|r| r.t.real_parent == leader.addr)
        .expect("the program's child");
    Landscape {
        view,
        leader,
        thread,
        child,
    }
}

fn is_marker(stop: &SyscallStop) -> bool {
    stop.call.nr == SYS_THREADLAB_STATS && stop.call.args[0] == MARKER_TAG
}

/// Every `--check-mode`: the incremental ones must find what a full check
/// finds, at the same stop.
const MODES: [CheckMode; 4] = [
    CheckMode::Incremental,
    CheckMode::DirtyLog,
    CheckMode::Verify,
    CheckMode::Full,
];

/// Runs inspect-target with `--check` semantics and `hook` at every stop.
fn run_target(
    check: bool,
    hook: impl FnMut(&SyscallStop) -> Result<(), String>,
) -> (Outcome, String) {
    run_target_with(check.then_some(CheckMode::Incremental), &[], "", hook)
}

/// Runs inspect-target with `args`, kernel options `cmdline`, `--check` in
/// `mode` (if any) and `hook` at every stop.
fn run_target_with(
    mode: Option<CheckMode>,
    args: &[&str],
    cmdline: &str,
    mut hook: impl FnMut(&SyscallStop) -> Result<(), String>,
) -> (Outcome, String) {
    let mut cfg = RunConfig::new(common::guest_bin("inspect-target"));
    cfg.check = mode.is_some();
    cfg.check_mode = mode.unwrap_or_default();
    cfg.args = args.iter().map(Into::into).collect();
    cfg.cmdline = cmdline.into();
    cfg.timeout = Some(std::time::Duration::from_secs(60));
    let mut out = Vec::new();
    let mut err = Vec::new();
    let mut h = |s: &SyscallStop| hook(s);
    let opts = vmm::run::RunOptions::new(&mut out, &mut err).on_stop(&mut h);
    let r = vmm::run::run(&cfg, opts).expect("run starts");
    (r.outcome, String::from_utf8_lossy(&out).into_owned())
}

/// Breaks guest state at the marker stop with `corrupt`, and expects the
/// checker to report invariant `n` and nothing else, there, in every
/// `--check-mode` (the incremental ones have every unit cached from the
/// stops before).
fn expect_violation(n: u32, corrupt: impl Fn(&SyscallStop, &Landscape)) {
    for mode in MODES {
        let (outcome, _) = run_target_with(Some(mode), &[], "", |stop| {
            if is_marker(stop) {
                let l = landscape(stop);
                corrupt(stop, &l);
            }
            Ok(())
        });
        expect_reported(n, outcome, mode, &stats_call());
    }
}

/// `outcome` is invariant `n` (only) reported after the syscall `after`.
fn expect_reported(n: u32, outcome: Outcome, mode: CheckMode, after: &str) {
    match outcome {
        Outcome::InvariantViolated {
            syscall,
            violations,
        } => {
            assert!(syscall.contains(after), "{mode:?}: stopped after {syscall}");
            assert!(!violations.is_empty());
            for v in &violations {
                assert_eq!(
                    v.invariant, n,
                    "{mode:?}: expected only invariant {n}, got: {violations:?}"
                );
            }
        }
        other => panic!("{mode:?}: expected invariant {n} to be reported, the run ended {other:?}"),
    }
}

#[test]
fn guest_writes_breaking_libc_state_are_seen_in_every_mode() {
    // The program itself corrupts stack_cache_actsize in user mode right
    // before the marker call: the check at that call's stop finds it.
    for mode in MODES {
        let (outcome, _) = run_target_with(Some(mode), &["break-libc"], "", |_| Ok(()));
        expect_reported(10, outcome, mode, &stats_call());
    }
}

#[test]
fn kernel_writes_breaking_task_state_are_seen_in_every_mode() {
    // The kernel, asked by the test-only stats tag, raises the group's
    // nr_threads during the call: reported at that call's own stop.
    for mode in MODES {
        let (outcome, _) =
            run_target_with(Some(mode), &["break-kernel"], "test-faults", |_| Ok(()));
        let after = format!(
            "{}({:#x}",
            stats_call(),
            abi::stats::STATS_TAG_BREAK_NR_THREADS
        );
        expect_reported(4, outcome, mode, &after);
    }
}

#[test]
fn the_break_tag_is_inert_without_test_faults() {
    let (outcome, out) =
        run_target_with(Some(CheckMode::Verify), &["break-kernel"], "", |_| Ok(()));
    assert!(
        matches!(outcome, Outcome::Exited { status: 0 }),
        "{outcome:?}"
    );
    assert_eq!(out, "thread returned 7, child exited 5\n");
}

fn put<T: IntoBytes + Immutable>(stop: &SyscallStop, record: u64, offset: usize, value: T) {
    kwrite(stop.mem, record + offset as u64, &value).expect("write guest memory");
}

fn get<T: FromBytes + IntoBytes>(stop: &SyscallStop, record: u64, offset: usize) -> T {
    kread(stop.mem, record + offset as u64).expect("read guest memory")
}

#[test]
fn untouched_runs_pass_every_check() {
    let stops = Mutex::new(0u64);
    let (outcome, out) = run_target(true, |_| {
        *stops.lock().unwrap() += 1;
        Ok(())
    });
    assert!(
        matches!(outcome, Outcome::Exited { status: 0 }),
        "{outcome:?}"
    );
    assert_eq!(out, "thread returned 7, child exited 5\n");
    assert!(*stops.lock().unwrap() > 10, "too few syscall stops");
}

#[test]
fn the_view_shows_what_clone_built() {
    let seen = Mutex::new(Vec::new());
    let (outcome, _) = run_target(false, |stop| {
        let c = &stop.call;
        // clone3 (pthread_create) and clone (fork) as the parent sees them.
        if (c.nr == __NR_clone3 || c.nr == __NR_clone) && c.ret > 0 {
            let v = stop.kernel().map_err(|e| e.to_string())?;
            let caller = *v.by_pid(c.tid).ok_or("caller missing")?;
            let parent = caller.t;
            let child = v.by_pid(c.ret as i32).ok_or("new task missing")?;
            let t = child.t;
            let shared = |a: u64, b: u64| if a == b { "shared" } else { "own" };
            seen.lock().unwrap().push(format!(
                "{} tgid={} leader={} parent={} state={} queued={} mm={} fs={} files={} sighand={} signal={} tls_set={}",
                if c.nr == __NR_clone3 { "clone3" } else { "clone" },
                if t.tgid == parent.tgid { "same" } else if t.tgid == t.pid { "own" } else { "other" },
                if t.group_leader == parent.group_leader { "same" } else if t.group_leader == child.addr { "self" } else { "other" },
                if t.real_parent == parent.real_parent { "same" } else if t.real_parent == caller.addr { "caller" } else { "other" },
                t.state,
                v.runqueue.contains(&child.addr),
                shared(t.mm, parent.mm),
                shared(t.fs, parent.fs),
                shared(t.files, parent.files),
                shared(t.sighand, parent.sighand),
                shared(t.signal, parent.signal),
                t.fs_base != 0,
            ));
        }
        Ok(())
    });
    assert!(
        matches!(outcome, Outcome::Exited { status: 0 }),
        "{outcome:?}"
    );
    let seen = seen.into_inner().unwrap();
    assert_eq!(
        seen,
        [
            // fork: a new process, reaped by the caller; nothing shared.
            format!("clone tgid=own leader=self parent=caller state={} queued=true mm=own fs=own files=own sighand=own signal=own tls_set=true", state::RUNNABLE),
            // pthread_create: a thread of the caller's group, sharing all.
            format!("clone3 tgid=same leader=same parent=same state={} queued=true mm=shared fs=shared files=shared sighand=shared signal=shared tls_set=true", state::RUNNABLE),
            // The second pthread_create (the thread joined before the marker).
            format!("clone3 tgid=same leader=same parent=same state={} queued=true mm=shared fs=shared files=shared sighand=shared signal=shared tls_set=true", state::RUNNABLE),
        ]
    );
}

#[test]
fn corrupt_task_list_is_reported_not_followed() {
    expect_violation(0, |stop, l| {
        // The thread's `tasks` link points back at itself: a cycle.
        let node = l.thread.addr + offset_of!(TaskStruct, tasks) as u64;
        put(stop, node, 0, node);
    });
}

#[test]
fn invariant_1_tgid_is_the_leaders_pid() {
    expect_violation(1, |stop, l| {
        put(
            stop,
            l.thread.addr,
            offset_of!(TaskStruct, tgid),
            l.thread.t.tgid + 1000,
        );
    });
}

#[test]
fn invariant_2_threads_share_sighand() {
    expect_violation(2, |stop, l| {
        // Move the thread to the child's handler table, counts adjusted so
        // only the sharing rule breaks.
        let (mine, other) = (l.thread.t.sighand, l.child.t.sighand);
        put(stop, l.thread.addr, offset_of!(TaskStruct, sighand), other);
        put(stop, mine, 0, get::<u64>(stop, mine, 0) - 1);
        put(stop, other, 0, get::<u64>(stop, other, 0) + 1);
    });
}

#[test]
fn invariant_3_refcounts_match_holders() {
    expect_violation(3, |stop, l| {
        let fs = l.leader.t.fs;
        put(stop, fs, 0, get::<u64>(stop, fs, 0) + 1);
    });
}

#[test]
fn invariant_4_children_agree_with_real_parent() {
    expect_violation(4, |stop, l| {
        put(
            stop,
            l.child.addr,
            offset_of!(TaskStruct, real_parent),
            l.child.addr,
        );
    });
}

#[test]
fn invariant_5_runnable_means_queued() {
    expect_violation(5, |stop, l| {
        assert_eq!(l.thread.t.state, state::BLOCKED);
        put(
            stop,
            l.thread.addr,
            offset_of!(TaskStruct, state),
            state::RUNNABLE,
        );
    });
}

#[test]
fn invariant_6_cached_kernel_stacks_are_unowned() {
    expect_violation(6, |stop, l| {
        let roots = stop.roots;
        let n: u64 = get(stop, roots, offset_of!(KernelRoots, nr_cached_kstacks));
        assert!(n < abi::task::KSTACK_CACHE_MAX as u64);
        let slot = offset_of!(KernelRoots, kstack_cache) + 8 * n as usize;
        put(stop, roots, slot, l.thread.t.stack);
        put(
            stop,
            roots,
            offset_of!(KernelRoots, nr_cached_kstacks),
            n + 1,
        );
        let _ = &l.view;
    });
}

#[test]
fn invariant_14_an_exec_leaves_no_other_thread_alive() {
    expect_violation(14, |stop, l| {
        // The group says its leader is in execve's de_thread, but its
        // other thread, blocked, was never marked to exit.
        assert_eq!(l.thread.t.killed, 0);
        put(
            stop,
            l.leader.t.signal,
            offset_of!(SignalStruct, group_exec_task),
            l.leader.t.pid,
        );
    });
}

// Page tables (7-9): broken through the real guest's tables at the marker
// stop, found with the host's own walker.

/// Every address space at the stop, and the one of `task`.
fn space_of<'a>(spaces: &'a AddressSpaces, l: &Landscape, task: &TaskRec) -> &'a Space {
    let root = l.view.mms[&task.t.mm].pgd;
    spaces
        .spaces
        .iter()
        .find(|s| s.walk.root == root)
        .expect("the task's root was walked")
}

fn read_spaces(stop: &SyscallStop, l: &Landscape) -> AddressSpaces {
    AddressSpaces::read(stop.mem, &l.view).expect("address spaces readable")
}

fn phys_u64(stop: &SyscallStop, addr: u64) -> u64 {
    let mut b = [0u8; 8];
    assert!(stop.mem.read_phys(addr, &mut b));
    u64::from_le_bytes(b)
}

fn set_phys_u64(stop: &SyscallStop, addr: u64, value: u64) {
    assert!(stop.mem.write_phys(addr, &value.to_le_bytes()));
}

/// Kernel address of `frame`'s refcount.
fn refcount_at(stop: &SyscallStop, frame: u64) -> u64 {
    let roots: KernelRoots = kread(stop.mem, stop.roots).unwrap();
    assert!(frame / 4096 < roots.nr_frames);
    roots.frame_refs + 2 * (frame / 4096)
}

fn add_refs(stop: &SyscallStop, frame: u64, delta: i32) {
    let at = refcount_at(stop, frame);
    let r: u16 = get(stop, at, 0);
    put(stop, at, 0, (i32::from(r) + delta) as u16);
}

/// The VMA of `space` holding `virt`.
fn vma_of(space: &Space, virt: u64) -> abi::task::VmAreaStruct {
    space
        .vmas
        .iter()
        .map(|r| r.vma)
        .find(|v| v.vm_start <= virt && virt < v.vm_end)
        .expect("page inside a VMA")
}

#[test]
fn the_walker_translates_guest_addresses() {
    let (outcome, _) = run_target(false, |stop| {
        if !is_marker(stop) {
            return Ok(());
        }
        let l = landscape(stop);
        let root = l.view.mms[&l.leader.t.mm].pgd;
        // The blocked thread's thread pointer: its `struct pthread`, in a
        // writable, non-executable user mapping of the process.
        let tp = pagetable::translate(stop.mem, root, l.thread.t.fs_base)
            .map_err(|e| e.to_string())?
            .ok_or("thread pointer not mapped")?;
        if !(tp.user() && tp.writable() && !tp.user_exec() && tp.size == 4096) {
            return Err(format!("thread pointer mapped as {tp:?}"));
        }
        // The root itself, through the direct map: supervisor only.
        let k = pagetable::translate(stop.mem, root, abi::layout::DIRECT_MAP_BASE + root)
            .map_err(|e| e.to_string())?
            .ok_or("direct map missing")?;
        if k.user() || k.phys + (root & (k.size - 1)) != root {
            return Err(format!("direct map of the root: {k:?}"));
        }
        let spaces = read_spaces(stop, &l);
        let me = space_of(&spaces, &l, &l.leader);
        let m = me
            .walk
            .mappings
            .iter()
            .find(|m| m.virt == tp.virt)
            .ok_or("enumeration misses the thread pointer's page")?;
        if *m != tp {
            return Err(format!("enumerated {m:?}, translated {tp:?}"));
        }
        Ok(())
    });
    assert!(
        matches!(outcome, Outcome::Exited { status: 0 }),
        "{outcome:?}"
    );
}

#[test]
fn invariant_7_kernel_part_is_supervisor_only() {
    expect_violation(7, |stop, l| {
        let root = l.view.mms[&l.child.t.mm].pgd;
        let slot = root + 8 * pagetable::KERNEL_PML4.start as u64;
        let e = phys_u64(stop, slot);
        set_phys_u64(stop, slot, e | Flags::USER_ACCESSIBLE.bits());
    });
}

#[test]
fn invariant_7_page_tables_are_never_user_pages() {
    expect_violation(7, |stop, l| {
        // Point one of the child's user PTEs at the child's own PDPT, with
        // the refcounts moved along so only invariant 7 breaks.
        let spaces = read_spaces(stop, l);
        let child = space_of(&spaces, l, &l.child);
        let m: &Mapping = child.walk.mappings.iter().find(|m| m.user()).unwrap();
        let table = child.walk.tables[1];
        let e = phys_u64(stop, m.pte);
        set_phys_u64(stop, m.pte, (e & !m.phys) | table);
        add_refs(stop, m.phys, -1);
        add_refs(stop, table, 1);
    });
}

#[test]
fn invariant_8_refcounts_count_ptes() {
    expect_violation(8, |stop, l| {
        let spaces = read_spaces(stop, l);
        let me = space_of(&spaces, l, &l.leader);
        add_refs(stop, me.walk.mappings[0].phys, 1);
    });
}

#[test]
fn invariant_8_shared_frames_are_read_only() {
    expect_violation(8, |stop, l| {
        // A page the child still shares copy-on-write with its parent, in
        // a writable VMA (so the PTE is within the VMA's rights).
        let spaces = read_spaces(stop, l);
        let (parent, child) = (
            space_of(&spaces, l, &l.leader),
            space_of(&spaces, l, &l.child),
        );
        let m = child
            .walk
            .mappings
            .iter()
            .find(|m| {
                vma_of(child, m.virt).prot & abi::task::prot::WRITE != 0
                    && parent.walk.mappings.iter().any(|p| p.phys == m.phys)
            })
            .expect("a copy-on-write page in a writable VMA");
        assert!(!m.writable());
        let e = phys_u64(stop, m.pte);
        set_phys_u64(stop, m.pte, e | Flags::WRITABLE.bits());
    });
}

#[test]
fn invariant_9_no_execute_outside_exec_vmas() {
    expect_violation(9, |stop, l| {
        let spaces = read_spaces(stop, l);
        let me = space_of(&spaces, l, &l.leader);
        let m = me
            .walk
            .mappings
            .iter()
            .find(|m| m.user() && vma_of(me, m.virt).prot & abi::task::prot::EXEC == 0)
            .expect("a data page");
        let e = phys_u64(stop, m.pte);
        set_phys_u64(stop, m.pte, e & !Flags::NO_EXECUTE.bits());
    });
}

#[test]
fn invariant_9_no_write_in_read_only_vmas() {
    expect_violation(9, |stop, l| {
        // The kernel's record says read-only where a private page is
        // writable: the VMA of a writable page, made PROT_READ.
        let spaces = read_spaces(stop, l);
        let me = space_of(&spaces, l, &l.leader);
        let m = me
            .walk
            .mappings
            .iter()
            .find(|m| m.writable())
            .expect("a writable page");
        let r = me
            .vmas
            .iter()
            .find(|r| r.vma.vm_start <= m.virt && m.virt < r.vma.vm_end)
            .unwrap();
        put(
            stop,
            r.addr,
            offset_of!(abi::task::VmAreaStruct, prot),
            abi::task::prot::READ,
        );
    });
}

#[test]
fn invariant_9_no_page_outside_a_vma() {
    expect_violation(9, |stop, l| {
        // Shrink a VMA from below past a present page.
        let spaces = read_spaces(stop, l);
        let me = space_of(&spaces, l, &l.leader);
        let r = me
            .vmas
            .iter()
            .find(|r| {
                r.vma.vm_end - r.vma.vm_start > 4096
                    && me.walk.mappings.iter().any(|m| m.virt == r.vma.vm_start)
            })
            .expect("a VMA whose first page is present");
        put(
            stop,
            r.addr,
            offset_of!(abi::task::VmAreaStruct, vm_start),
            r.vma.vm_start + 4096,
        );
    });
}

// guest-libc's stacks (10-12): read through the process's page tables with
// the program's symbols, broken at the marker stop. There the blocked
// thread's stack is on stack_used and the joined thread's in stack_cache.

struct Libc {
    spaces: AddressSpaces,
    syms: LibcSymbols,
}

impl Libc {
    fn read(stop: &SyscallStop, l: &Landscape) -> Libc {
        Libc {
            spaces: read_spaces(stop, l),
            syms: stop.libc.expect("inspect-target uses guest-libc"),
        }
    }

    fn stacks(&self, stop: &SyscallStop, l: &Landscape) -> Vec<Stack> {
        let me = space_of(&self.spaces, l, &l.leader);
        let um = UserMem::with_walk(stop.mem, &me.walk);
        let ps = ProcessStacks::read(&um, &self.syms).expect("stacks readable");
        assert_eq!(ps.lock, 0);
        ps.stacks.expect("lock free")
    }

    /// The (one) stack on `stack_cache` at the marker: the joined thread's.
    fn cached(&self, stop: &SyscallStop, l: &Landscape) -> Stack {
        self.stacks(stop, l)
            .into_iter()
            .find(|s| s.list == List::Cache)
            .expect("a cached stack")
    }
}

/// Writes `value` at user address `virt` of `task`'s address space.
fn put_user<T: IntoBytes + Immutable>(stop: &SyscallStop, l: &Landscape, virt: u64, value: T) {
    let root = l.view.mms[&l.leader.t.mm].pgd;
    let m = pagetable::translate(stop.mem, root, virt)
        .unwrap()
        .expect("user address mapped");
    let bytes = value.as_bytes();
    assert!((virt - m.virt) as usize + bytes.len() <= m.size as usize);
    assert!(stop.mem.write_phys(m.phys + (virt - m.virt), bytes));
}

#[test]
fn the_view_shows_a_new_threads_struct_pthread() {
    let seen = Mutex::new(0);
    let (outcome, _) = run_target(false, |stop| {
        let c = &stop.call;
        if c.nr != __NR_clone3 || c.ret <= 0 {
            return Ok(());
        }
        // clone3 just returned in the parent: the new task's FS base is a
        // struct pthread at the top of its stack block, whose tid word is
        // the new task's pid, and its guard page is not user-accessible.
        let v = stop.kernel().map_err(|e| e.to_string())?;
        let parent = v.by_pid(c.tid).ok_or("caller missing")?;
        let child = v.by_pid(c.ret as i32).ok_or("new task missing")?;
        let spaces = AddressSpaces::read(stop.mem, &v).map_err(|e| e.to_string())?;
        let root = v.mms[&parent.t.mm].pgd;
        let space = spaces
            .spaces
            .iter()
            .find(|s| s.walk.root == root)
            .ok_or("no space")?;
        let um = UserMem::with_walk(stop.mem, &space.walk);
        let fs = child.t.fs_base;
        let pd: PthreadHead = um.get(fs).map_err(|e| e.to_string())?;
        let top = pd.stackblock + pd.stackblock_size;
        let facts = (
            pd.tid == child.t.pid,
            pd.tcb == fs && pd.self_ == fs,
            fs > pd.stackblock && top - fs < 16 * 1024,
            pd.guardsize == 4096,
        );
        if facts != (true, true, true, true) {
            return Err(format!("struct pthread at {fs:#x}: {facts:?} {pd:?}"));
        }
        if let Some(g) = pagetable::translate(stop.mem, root, pd.stackblock).unwrap() {
            if g.user() {
                return Err(format!("guard page mapped user-accessible: {g:?}"));
            }
        }
        let syms = stop.libc.ok_or("no libc symbols")?;
        let ps = ProcessStacks::read(&um, &syms).map_err(|e| e.to_string())?;
        let stacks = ps.stacks.ok_or("stack_cache_lock held")?;
        if !stacks.iter().any(|s| s.pd == fs && s.list == List::Used) {
            return Err(format!("{fs:#x} is not on stack_used: {stacks:?}"));
        }
        *seen.lock().unwrap() += 1;
        Ok(())
    });
    assert!(
        matches!(outcome, Outcome::Exited { status: 0 }),
        "{outcome:?}"
    );
    assert_eq!(*seen.lock().unwrap(), 2, "two pthread_create calls");
}

#[test]
fn invariant_10_cache_total_is_actsize() {
    expect_violation(10, |stop, l| {
        let libc = Libc::read(stop, l);
        let stacks = libc.stacks(stop, l);
        let cached: u64 = stacks
            .iter()
            .filter(|s| s.list == List::Cache)
            .map(|s| s.p.stackblock_size)
            .sum();
        assert!(cached > 0, "the joined thread's stack is cached");
        put_user(stop, l, libc.syms.stack_cache_actsize, cached + 4096);
    });
}

#[test]
fn invariant_10_cached_stacks_have_no_thread() {
    expect_violation(10, |stop, l| {
        // The cached stack claims the blocked thread's tid.
        let cached = Libc::read(stop, l).cached(stop, l);
        put_user(
            stop,
            l,
            cached.pd + offset_of!(Pthread, head.tid) as u64,
            l.thread.t.pid,
        );
    });
}

#[test]
fn invariant_10_used_stacks_are_live_threads() {
    expect_violation(10, |stop, l| {
        // Unlink the blocked thread's stack from stack_used (a one-entry
        // list at the marker): the live thread is on no list.
        let libc = Libc::read(stop, l);
        let used: Vec<Stack> = libc
            .stacks(stop, l)
            .into_iter()
            .filter(|s| s.list == List::Used)
            .collect();
        assert_eq!(used.len(), 1);
        assert_eq!(used[0].pd, l.thread.t.fs_base);
        let head = libc.syms.stack_used;
        put_user(stop, l, head, head);
        put_user(stop, l, head + 8, head);
    });
}

#[test]
fn invariant_11_guard_pages_are_inaccessible() {
    expect_violation(11, |stop, l| {
        // The kernel's record of the blocked thread's guard page says
        // PROT_READ|PROT_WRITE: a touch would map it. (Nothing is present
        // there, so the page-table checks see nothing wrong.)
        let libc = Libc::read(stop, l);
        let st = libc
            .stacks(stop, l)
            .into_iter()
            .find(|s| s.pd == l.thread.t.fs_base)
            .unwrap();
        let me = space_of(&libc.spaces, l, &l.leader);
        assert!(me.walk.mappings.iter().all(|m| m.virt != st.p.stackblock));
        let r = me
            .vmas
            .iter()
            .find(|r| r.vma.vm_start == st.p.stackblock)
            .expect("the guard's own VMA");
        assert_eq!((r.vma.vm_end - r.vma.vm_start, r.vma.prot), (4096, 0));
        put(
            stop,
            r.addr,
            offset_of!(abi::task::VmAreaStruct, prot),
            abi::task::prot::READ | abi::task::prot::WRITE,
        );
    });
}

#[test]
fn invariant_10_no_cached_stack_holds_a_stack_pointer() {
    expect_violation(10, |stop, l| {
        // The blocked thread's saved user stack pointer (top of its kernel
        // stack) is moved into the cached block. Nothing else changes, so
        // the incremental check reuses the libc lists and must still look
        // at the stack pointers.
        let cached = Libc::read(stop, l).cached(stop, l);
        let top = l.thread.t.stack + abi::task::KERNEL_STACK_SIZE;
        put(
            stop,
            top - abi::task::USER_RSP_FROM_STACK_TOP,
            0,
            cached.p.stackblock + cached.p.stackblock_size / 2,
        );
    });
}

#[test]
fn invariant_11_stacks_never_overlap() {
    expect_violation(11, |stop, l| {
        // The cached block (just below the blocked thread's) is said to
        // end two pages into it: its guard and its deepest page, far from
        // the blocked thread's stack pointer.
        let libc = Libc::read(stop, l);
        let stacks = libc.stacks(stop, l);
        let used = stacks.iter().find(|s| s.list == List::Used).unwrap();
        let cached = stacks.iter().find(|s| s.list == List::Cache).unwrap();
        assert_eq!(
            cached.p.stackblock + cached.p.stackblock_size,
            used.p.stackblock
        );
        put_user(
            stop,
            l,
            cached.pd + offset_of!(Pthread, head.stackblock) as u64,
            cached.p.stackblock + 2 * 4096,
        );
    });
}

#[test]
fn invariant_12_fs_base_is_the_threads_own_tcb() {
    expect_violation(12, |stop, l| {
        // The blocked thread's TCB self pointer points elsewhere.
        let fs = l.thread.t.fs_base;
        put_user(stop, l, fs, fs + 64);
    });
}

#[test]
fn invariant_12_main_thread_tcb_is_consistent() {
    expect_violation(12, |stop, l| {
        let fs = l.leader.t.fs_base;
        put_user(
            stop,
            l,
            fs + offset_of!(Pthread, head.self_) as u64,
            fs + 64,
        );
    });
}

/// `--dump`'s reader at the marker stop: the tree (a process with a
/// thread and a child) and backtraces through frame pointers, symbolized —
/// the sleeping thread is in its futex wait, in user and kernel code.
#[test]
fn dump_shows_the_tree_threads_and_backtraces() {
    use vmm::symbols::Symbols;
    let prog = std::fs::read(common::guest_bin("inspect-target")).unwrap();
    let program_syms = Symbols::from_elf(&prog, 0);
    let kernel_syms = Symbols::from_elf(vmm::EMBEDDED_KERNEL, 0);
    let taken = Mutex::new(None);
    let (outcome, _) = run_target(false, |stop| {
        if is_marker(stop) {
            let d = vmm::inspect::dump::take(
                stop.mem,
                stop.roots,
                "marker",
                &kernel_syms,
                &program_syms,
            )
            .map_err(|v| v.to_string())?;
            *taken.lock().unwrap() = Some(d);
        }
        Ok(())
    });
    assert!(
        matches!(outcome, Outcome::Exited { status: 0 }),
        "{outcome:?}"
    );
    let d = taken.into_inner().unwrap().expect("a dump at the marker");
    let text = vmm::inspect::dump::render(&d, "inspect-target");
    let main = &d.processes[0];
    assert_eq!(main.pid, 1, "{text}");
    assert_eq!(main.threads.len(), 2, "{text}");
    assert_eq!(main.children.len(), 1, "{text}");
    let child = d
        .processes
        .iter()
        .find(|p| p.pid == main.children[0])
        .expect("child");
    assert_eq!(child.ppid, 1);
    let thread = main.threads.iter().find(|t| t.tid != 1).unwrap();
    assert_eq!(thread.state, "sleeping", "{text}");
    let names = |f: &[vmm::inspect::dump::Frame]| -> Vec<String> {
        f.iter().filter_map(|f| f.symbol.clone()).collect()
    };
    let user = names(&thread.user);
    let kernel = names(&thread.kernel);
    assert!(
        user.iter().any(|s| s.starts_with("blocked_thread+")),
        "{text}"
    );
    assert!(kernel.iter().any(|s| s.contains("futex::futex+")), "{text}");
    // The switch itself (`schedule` without its exit of a killed task,
    // unless the compiler put it back inside).
    assert!(
        kernel
            .iter()
            .any(|s| s.contains("sched::switch_away+") || s.contains("sched::schedule+")),
        "{text}"
    );
    assert!(text.contains("|-{inspect-target},"), "{text}");
}

/// The CLI: `--dump=syscall:N` at a stop, `--dump=exit`, JSON, a bad value.
#[test]
fn dump_from_the_command_line() {
    let hello = common::guest_bin("hello");
    let hello = hello.to_str().unwrap();
    // The kernel logs a line (the unknown option), which stays out of the
    // dump: stderr as a whole is the JSON document.
    let r = common::vmm(&[
        "run",
        "--dump=syscall:1",
        "--json",
        "--cmdline",
        "no-such-option",
        hello,
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j: serde_json::Value = serde_json::from_str(&r.stderr).expect("stderr is JSON");
    assert_eq!(j["processes"][0]["pid"], 1, "{j}");
    assert!(j["at"].as_str().unwrap().contains("syscall #1 "), "{j}");
    // To a file of its own, with the program's output elsewhere.
    let file = common::scratch("dump.json");
    let r = common::vmm(&[
        "run",
        "--dump=exit",
        "--json",
        "--dump-output",
        file.to_str().unwrap(),
        hello,
    ]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
    let text = std::fs::read_to_string(&file).unwrap();
    let j: serde_json::Value = serde_json::from_str(&text).expect("the file is JSON");
    assert!(j["at"].as_str().unwrap().contains("end of the run"), "{j}");
    let _ = std::fs::remove_file(&file);
    let r = common::vmm(&["run", "--dump=exit", hello]);
    assert_eq!(r.code, 0);
    assert!(
        r.stderr
            .contains("vmm: dump at the end of the run (exit status 0)"),
        "{}",
        r.stderr
    );
    let r = common::vmm(&["run", "--dump=error", hello]);
    assert!(
        !r.stderr.contains("vmm: dump"),
        "a clean exit is no error: {}",
        r.stderr
    );
    let r = common::vmm(&["run", "--dump=sometimes", hello]);
    assert_eq!(r.code, 125, "{}", r.stderr);
}

/// `--dump=syscall:N` that finds no stop N says so: past the run's last
/// call (naming how many there were), or at a call that does not return.
#[test]
fn dump_past_the_last_syscall_says_so() {
    let hello = common::guest_bin("hello");
    let hello = hello.to_str().unwrap();
    let r = common::vmm(&["run", "--dump=syscall:100000", hello]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let calls: u64 = r
        .stderr
        .strip_prefix("vmm: no dump at syscall:100000: the run made ")
        .and_then(|rest| rest.strip_suffix(" system calls\n"))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{}", r.stderr));
    assert!(calls >= 3, "{}", r.stderr);
    // The last call is exit_group, which has no stop after it.
    let r = common::vmm(&["run", &format!("--dump=syscall:{calls}"), hello]);
    assert_eq!(
        r.stderr,
        format!("vmm: no dump at syscall:{calls}: system call #{calls} (exit_group) does not return, so there is no stop after it\n")
    );
}

#[test]
fn check_modes_from_the_command_line() {
    let target = common::guest_bin("inspect-target");
    let target = target.to_str().unwrap();
    let field = |stderr: &str, key: &str| -> u64 {
        let at = stderr
            .find(&format!(" {key}="))
            .unwrap_or_else(|| panic!("no {key} in {stderr}"));
        let rest = &stderr[at + key.len() + 2..];
        rest.split_whitespace().next().unwrap().parse().unwrap()
    };
    for mode in ["incremental", "dirty-log", "verify"] {
        let r = common::vmm(&["run", "--check-mode", mode, "--timings", target]);
        assert_eq!(r.code, 0, "{mode}: {}", r.stderr);
        assert_eq!(r.stdout, "thread returned 7, child exited 5\n");
        // Most units stand from one stop to the next.
        let (reused, rederived) = (
            field(&r.stderr, "check_units_reused"),
            field(&r.stderr, "check_units_rederived"),
        );
        assert!(field(&r.stderr, "checks") > 10, "{mode}: {}", r.stderr);
        assert!(reused > rederived, "{mode}: {}", r.stderr);
    }
    let r = common::vmm(&["run", "--check-mode", "full", "--timings", target]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stderr.contains("checks="), "{}", r.stderr);
    let r = common::vmm(&["run", "--check-mode", "sometimes", target]);
    assert_eq!(r.code, 125, "{}", r.stderr);
    assert!(
        r.stderr.contains("invalid value 'sometimes'"),
        "{}",
        r.stderr
    );
}

/// Runs guest program `name` with `args`, kernel options `cmdline` and
/// `--check` in `mode`.
fn run_checked(name: &str, args: &[&str], cmdline: &str, mode: CheckMode) -> (Outcome, String) {
    let mut cfg = RunConfig::new(common::guest_bin(name));
    cfg.check = true;
    cfg.check_mode = mode;
    cfg.args = args.iter().map(Into::into).collect();
    cfg.cmdline = cmdline.into();
    cfg.timeout = Some(std::time::Duration::from_secs(60));
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let r = vmm::run::run(&cfg, vmm::run::RunOptions::new(&mut out, &mut err)).expect("run starts");
    (r.outcome, String::from_utf8_lossy(&out).into_owned())
}

/// `outcome` is invariant 13 and only it, with a finding saying `what`.
fn expect_13(outcome: Outcome, mode: CheckMode, after: &str, what: &str) {
    let Outcome::InvariantViolated {
        syscall,
        violations,
    } = &outcome
    else {
        panic!("{mode:?}: expected invariant 13, the run ended {outcome:?}");
    };
    assert!(
        syscall.contains(after),
        "{mode:?}: reported after {syscall}"
    );
    assert!(
        violations.iter().any(|v| v.detail.contains(what)),
        "{mode:?}: {violations:?}"
    );
    expect_reported(13, outcome, mode, after);
}

#[test]
fn invariant_13_an_exited_thread_keeps_no_signal() {
    // The kernel, asked by the test-only tag, leaves SIGUSR1 pending on
    // the leader when it exits: a zombie with a signal pending, seen at
    // the other thread's next stop.
    for mode in MODES {
        let (outcome, _) = run_checked("sig-invariants", &["exit-flush"], "test-faults", mode);
        expect_13(
            outcome,
            mode,
            "by tid 2:",
            "pid 1 has exited (zombie) with signals [USR1] pending",
        );
    }
}

#[test]
fn invariant_13_a_blocked_signal_is_not_delivered() {
    // The kernel, asked by the test-only tag, delivers SIGUSR1 to its
    // handler although the thread blocks it: caught at the delivery stop.
    for mode in MODES {
        let (outcome, _) = run_checked("sig-invariants", &["sigmask"], "test-faults", mode);
        expect_13(
            outcome,
            mode,
            "the delivery of SIGUSR1 to tid 1",
            "tid 1 was delivered SIGUSR1 while blocking it (blocked [USR1])",
        );
    }
}

#[test]
fn the_signal_break_tags_are_inert_without_test_faults() {
    let (outcome, out) = run_checked("sig-invariants", &["exit-flush"], "", CheckMode::Verify);
    assert!(
        matches!(outcome, Outcome::Exited { status: 0 }),
        "{outcome:?}"
    );
    assert_eq!(out, "thread done\n");
    let (outcome, out) = run_checked("sig-invariants", &["sigmask"], "", CheckMode::Verify);
    assert!(
        matches!(outcome, Outcome::Exited { status: 0 }),
        "{outcome:?}"
    );
    assert_eq!(out, "handled 1\n", "delivered once the mask is lifted");
}

/// A hook sees the delivery stop: the delivery's record, the thread in
/// the task view with its blocked mask, and the stop named after it.
#[test]
fn hooks_see_signal_delivery_stops() {
    let seen = Mutex::new(Vec::new());
    let mut cfg = RunConfig::new(common::guest_bin("sig-invariants"));
    cfg.args = vec!["deliver".into()];
    cfg.timeout = Some(std::time::Duration::from_secs(60));
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let mut hook = |stop: &SyscallStop| {
        if let Some(d) = &stop.signal {
            assert_eq!(stop.call.nr, vmm::inspect::SIGNAL_DELIVERY_NR);
            assert_eq!(stop.call.tid, d.tid);
            let v = stop.kernel().map_err(|e| e.to_string())?;
            let t = v.by_pid(d.tid).ok_or("the thread is a task")?;
            seen.lock().unwrap().push(format!(
                "{} signo={} code={} pid={} blocked_before={:#x} usr1_blocked_in_handler={} frame_set={}",
                stop.describe().split(" (handler").next().unwrap_or(""),
                d.signo,
                d.info.si_code,
                d.info.pid(),
                d.blocked,
                t.t.blocked & (1 << 9) != 0,
                d.frame != 0,
            ));
        }
        Ok(())
    };
    let opts = vmm::run::RunOptions::new(&mut out, &mut err).on_stop(&mut hook);
    let r = vmm::run::run(&cfg, opts).expect("run starts");
    assert!(
        matches!(r.outcome, Outcome::Exited { status: 0 }),
        "{:?}",
        r.outcome
    );
    assert_eq!(String::from_utf8_lossy(&out), "handled 1\n");
    // SI_TKILL is -6; the handler runs with SIGUSR1 blocked (no SA_NODEFER).
    assert_eq!(
        seen.into_inner().unwrap(),
        ["the delivery of SIGUSR1 to tid 1 signo=10 code=-6 pid=1 blocked_before=0x0 usr1_blocked_in_handler=true frame_set=true"]
    );
}

/// `--dump` shows each thread's signal state and wait, and each process's
/// shared pending set.
#[test]
fn the_dump_shows_signal_state_and_waits() {
    let target = common::guest_bin("inspect-target");
    let r = common::vmm(&["run", "--dump=syscall:10", target.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("\nprocess 1: shared pending []\n"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("    signals: pending [], blocked [], altstack none\n"),
        "{}",
        r.stderr
    );
}
