//! The task invariants checked at every syscall stop (issue 5, 1–6), each a
//! function over a [`KernelView`]. Numbering is the issue's; 0 is "the
//! kernel's structures could be read at all" (see tasks.rs).
//!
//! 1. tgid equals the group leader's pid; a leader's tgid is its own pid;
//!    pids are unique.
//! 2. All threads of a group share one signal, one sighand and one mm.
//! 3. Each shared object's count equals the number of task records pointing
//!    at it (task records are the only holders in this kernel).
//! 4. children/sibling lists and real_parent agree and hold only group
//!    leaders; the group's nr_threads matches its thread list, which holds
//!    exactly the group's live (non-zombie) tasks.
//! 5. States agree with the run queues: RUNNABLE tasks are queued exactly
//!    once (on_rq set), queued tasks are RUNNABLE, each queue's nr_running
//!    is its length, the RUNNING tasks are exactly the CPUs' current ones; no TASK_NEW record is visible; non-leader
//!    threads are never zombies.
//! 6. Every task has its own kernel stack; a cached kernel stack is owned
//!    by nobody and cached once.

use std::collections::{BTreeMap, HashMap, HashSet};

use abi::task::state;

use super::tasks::KernelView;
use super::Violation;

pub fn check_tasks(v: &KernelView) -> Vec<Violation> {
    let mut out = Vec::new();
    ids(v, &mut out);
    sharing(v, &mut out);
    refcounts(v, &mut out);
    relations(v, &mut out);
    states(v, &mut out);
    kernel_stacks(v, &mut out);
    out
}

fn ids(v: &KernelView, out: &mut Vec<Violation>) {
    let mut pids = HashSet::new();
    for r in &v.tasks {
        let t = &r.t;
        if !pids.insert(t.pid) {
            out.push(Violation::new(
                1,
                format!("pid {} is used by two task records", t.pid),
            ));
        }
        match v.task(t.group_leader) {
            None => out.push(Violation::new(
                1,
                format!(
                    "pid {}'s group_leader {:#x} is not a task",
                    t.pid, t.group_leader
                ),
            )),
            Some(l) if l.pid != t.tgid => out.push(Violation::new(
                1,
                format!(
                    "pid {} has tgid {} but its group leader is pid {}",
                    t.pid, t.tgid, l.pid
                ),
            )),
            Some(_) => {}
        }
        if t.group_leader == r.addr && t.tgid != t.pid {
            out.push(Violation::new(
                1,
                format!("leader pid {} has tgid {}", t.pid, t.tgid),
            ));
        }
    }
}

fn sharing(v: &KernelView, out: &mut Vec<Violation>) {
    for r in &v.tasks {
        let t = &r.t;
        let Some(l) = v.task(t.group_leader) else {
            continue;
        };
        for (name, mine, leaders) in [
            ("signal", t.signal, l.signal),
            ("sighand", t.sighand, l.sighand),
            ("mm", t.mm, l.mm),
        ] {
            if mine != leaders {
                out.push(Violation::new(
                    2,
                    format!(
                        "thread {} of group {} has {name} {mine:#x}, its leader {leaders:#x}",
                        t.pid, t.tgid
                    ),
                ));
            }
        }
    }
}

fn refcounts(v: &KernelView, out: &mut Vec<Violation>) {
    let mut holders: BTreeMap<(&str, u64), u64> = BTreeMap::new();
    for r in &v.tasks {
        for key in [
            ("mm", r.t.mm),
            ("fs", r.t.fs),
            ("files", r.t.files),
            ("sighand", r.t.sighand),
            ("signal", r.t.signal),
        ] {
            *holders.entry(key).or_default() += 1;
        }
    }
    for ((name, addr), n) in holders {
        let count = match name {
            "mm" => v.mms[&addr].users,
            "fs" => v.fss[&addr].users,
            "files" => v.files[&addr],
            "sighand" => v.sighands[&addr],
            _ => v.signals[&addr].count,
        };
        if count != n {
            out.push(Violation::new(
                3,
                format!("{name} {addr:#x} has count {count} but {n} task(s) point at it"),
            ));
        }
    }
}

fn relations(v: &KernelView, out: &mut Vec<Violation>) {
    let is_leader = |addr: u64| v.task(addr).is_some_and(|t| t.group_leader == addr);
    let mut parent_of: HashMap<u64, u64> = HashMap::new();
    for (&parent, kids) in &v.children {
        let ppid = v.task(parent).map_or(-1, |t| t.pid);
        for &c in kids {
            let Some(ct) = v.task(c) else {
                out.push(Violation::new(
                    4,
                    format!("pid {ppid}'s children list holds {c:#x}, which is not a task"),
                ));
                continue;
            };
            if !is_leader(c) {
                out.push(Violation::new(
                    4,
                    format!(
                        "pid {ppid}'s children list holds thread {} (not a leader)",
                        ct.pid
                    ),
                ));
            }
            if ct.real_parent != parent {
                out.push(Violation::new(
                    4,
                    format!(
                        "pid {} is on pid {ppid}'s children list but its real_parent is {:#x}",
                        ct.pid, ct.real_parent
                    ),
                ));
            }
            if parent_of.insert(c, parent).is_some() {
                out.push(Violation::new(
                    4,
                    format!("pid {} is on two children lists", ct.pid),
                ));
            }
        }
    }
    for r in &v.tasks {
        let t = &r.t;
        if t.real_parent != 0 && v.task(t.real_parent).is_none() {
            out.push(Violation::new(
                4,
                format!(
                    "pid {}'s real_parent {:#x} is not a task",
                    t.pid, t.real_parent
                ),
            ));
        }
        if t.group_leader == r.addr && t.real_parent != 0 && !parent_of.contains_key(&r.addr) {
            out.push(Violation::new(
                4,
                format!(
                    "leader pid {} is missing from its parent's children list",
                    t.pid
                ),
            ));
        }
    }
    for (&sig, s) in &v.signals {
        let threads = &v.threads[&sig];
        if threads.len() as u64 != u64::from(s.nr_threads) {
            out.push(Violation::new(
                4,
                format!(
                    "signal {sig:#x} has nr_threads {} but {} threads on its list",
                    s.nr_threads,
                    threads.len()
                ),
            ));
        }
        let listed: HashSet<u64> = threads.iter().copied().collect();
        for r in v.tasks.iter().filter(|r| r.t.signal == sig) {
            let live = r.t.state != state::ZOMBIE;
            if live != listed.contains(&r.addr) {
                out.push(Violation::new(
                    4,
                    format!(
                        "pid {} ({}) is {}on its group's thread list",
                        r.t.pid,
                        if live { "live" } else { "zombie" },
                        if live { "not " } else { "" }
                    ),
                ));
            }
        }
        for &a in threads {
            if v.task(a).is_none_or(|t| t.signal != sig) {
                out.push(Violation::new(
                    4,
                    format!("signal {sig:#x}'s thread list holds {a:#x}, not a task of the group"),
                ));
            }
        }
    }
}

fn states(v: &KernelView, out: &mut Vec<Violation>) {
    let mut queued: HashMap<u64, usize> = HashMap::new();
    for &a in &v.runqueue {
        *queued.entry(a).or_default() += 1;
    }
    let mut running = Vec::new();
    for r in &v.tasks {
        let t = &r.t;
        let n = queued.get(&r.addr).copied().unwrap_or(0);
        match t.state {
            state::RUNNABLE if n != 1 || t.on_rq == 0 => out.push(Violation::new(
                5,
                format!(
                    "runnable pid {} is queued {n} times (on_rq {})",
                    t.pid, t.on_rq
                ),
            )),
            state::RUNNING => running.push((r.addr, t.pid)),
            state::NEW => out.push(Violation::new(
                5,
                format!("pid {} is visible in state TASK_NEW", t.pid),
            )),
            state::ZOMBIE if t.group_leader != r.addr => out.push(Violation::new(
                5,
                format!("non-leader thread {} is a zombie", t.pid),
            )),
            state::RUNNABLE | state::BLOCKED | state::ZOMBIE => {}
            s => out.push(Violation::new(
                5,
                format!("pid {} has unknown state {s:#x}", t.pid),
            )),
        }
        if t.state != state::RUNNABLE && (n != 0 || t.on_rq != 0) {
            out.push(Violation::new(
                5,
                format!(
                    "pid {} in state {:#x} is queued {n} times (on_rq {})",
                    t.pid, t.state, t.on_rq
                ),
            ));
        }
    }
    for &a in queued.keys() {
        if v.task(a).is_none() {
            out.push(Violation::new(
                5,
                format!("run queue holds {a:#x}, which is not a task"),
            ));
        }
    }
    let mut on_cpu: Vec<u64> = running.iter().map(|r| r.0).collect();
    let mut currents = v.currents.clone();
    on_cpu.sort_unstable();
    currents.sort_unstable();
    if on_cpu != currents {
        out.push(Violation::new(
            5,
            format!(
                "running tasks {:?}, but the CPUs' current tasks are {:x?}",
                running.iter().map(|r| r.1).collect::<Vec<_>>(),
                v.currents
            ),
        ));
    }
}

fn kernel_stacks(v: &KernelView, out: &mut Vec<Violation>) {
    let mut owner: HashMap<u64, i32> = HashMap::new();
    for r in &v.tasks {
        if r.t.stack == 0 {
            out.push(Violation::new(
                6,
                format!("pid {} has no kernel stack", r.t.pid),
            ));
        } else if let Some(other) = owner.insert(r.t.stack, r.t.pid) {
            out.push(Violation::new(
                6,
                format!(
                    "pids {other} and {} share kernel stack {:#x}",
                    r.t.pid, r.t.stack
                ),
            ));
        }
    }
    let n = (v.roots.nr_cached_kstacks as usize).min(v.roots.kstack_cache.len());
    if v.roots.nr_cached_kstacks as usize > v.roots.kstack_cache.len() {
        out.push(Violation::new(
            6,
            format!(
                "{} cached kernel stacks in a cache of {}",
                v.roots.nr_cached_kstacks, n
            ),
        ));
    }
    let mut cached = HashSet::new();
    for &s in &v.roots.kstack_cache[..n] {
        if let Some(pid) = owner.get(&s) {
            out.push(Violation::new(
                6,
                format!("cached kernel stack {s:#x} is pid {pid}'s stack"),
            ));
        }
        if !cached.insert(s) {
            out.push(Violation::new(
                6,
                format!("kernel stack {s:#x} is cached twice"),
            ));
        }
    }
}
