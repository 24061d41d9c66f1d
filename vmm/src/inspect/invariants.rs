//! The task invariants checked at every syscall stop (1–6 and 13; the numbering
//! is the inspector's, see the module list in mod.rs), each a function over
//! a [`KernelView`]; 0 is "the kernel's structures could be read at all"
//! (see tasks.rs).
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
//!
//! 13. Signals are never pending on a thread that has exited, nor delivered
//!     while blocked: a zombie record (an exited leader) has an empty
//!     private pending set, and no DEAD record is visible; at a
//!     signal-delivery stop the signal is a valid one, neither SIGKILL nor
//!     SIGSTOP (which no handler may catch), and not in the blocked mask the
//!     thread had when it took it ([`delivery`], which needs the stop's
//!     record, so it runs there and not over a view alone).
//! 14. execve: a group in the middle of de_thread (its signal's
//!     `group_exec_task` set) names one of its own live threads, and every
//!     other live thread of the group is marked `killed` (it exits without
//!     running user code again).

use abi::hypercall::SignalDelivery;
use abi::linux::signal::{sigmask, NSIG, SIGKILL, SIGSTOP};
use abi::task::{state, TaskStruct};

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
    exited_signals(v, &mut out);
    exec_groups(v, &mut out);
    out
}

fn exec_groups(v: &KernelView, out: &mut Vec<Violation>) {
    for (&sig, s) in &v.signals {
        if s.group_exec_task == 0 {
            continue;
        }
        let exec = s.group_exec_task;
        let mut found = false;
        for &a in &v.threads[&sig] {
            let Some(t) = v.task(a) else {
                continue;
            };
            if t.pid == exec {
                found = true;
            } else if t.killed == 0 {
                out.push(Violation::new(
                    14,
                    format!(
                        "tid {exec} is in execve's de_thread but thread {} of its group is not killed",
                        t.pid
                    ),
                ));
            }
        }
        if !found {
            out.push(Violation::new(
                14,
                format!(
                    "signal {sig:#x} names tid {exec} in de_thread, not one of its live threads"
                ),
            ));
        }
    }
}

fn exited_signals(v: &KernelView, out: &mut Vec<Violation>) {
    for r in &v.tasks {
        let t = &r.t;
        match t.state {
            state::ZOMBIE if t.pending != 0 => out.push(Violation::new(
                13,
                format!(
                    "pid {} has exited (zombie) with signals {} pending",
                    t.pid,
                    crate::strace::decode::sigset(t.pending)
                ),
            )),
            state::DEAD => out.push(Violation::new(
                13,
                format!("pid {} is visible in state EXIT_DEAD", t.pid),
            )),
            _ => {}
        }
    }
}

/// Invariant 13 at a signal-delivery stop: what the record says was
/// delivered may be delivered.
pub fn delivery(d: &SignalDelivery) -> Vec<Violation> {
    let mut out = Vec::new();
    let sig = u64::from(d.signo);
    let name = crate::strace::decode::signal_name(sig);
    if !(1..=NSIG).contains(&sig) {
        out.push(Violation::new(
            13,
            format!("tid {} was delivered signal number {sig}", d.tid),
        ));
        return out;
    }
    if sig == SIGKILL || sig == SIGSTOP {
        out.push(Violation::new(
            13,
            format!(
                "tid {} was delivered {name} to a handler ({:#x}); it cannot be caught",
                d.tid, d.handler
            ),
        ));
    }
    if d.blocked & sigmask(sig) != 0 {
        out.push(Violation::new(
            13,
            format!(
                "tid {} was delivered {name} while blocking it (blocked {})",
                d.tid,
                crate::strace::decode::sigset(d.blocked)
            ),
        ));
    }
    out
}

/// Where keys repeat in a sequence of (key, index) pairs: the pairs sorted
/// (for lookups by key), and what inserting them into a map one by one
/// would find — for each occurrence after a key's first, (its index, the
/// index of the key's previous occurrence), by index. Sorting instead of
/// hashing: the checks run at every stop, and a repeat is a finding (rare).
pub(super) struct Repeats<K> {
    pub sorted: Vec<(K, usize)>,
    pub later: Vec<(usize, usize)>,
}

impl<K: Ord + Copy> Repeats<K> {
    pub fn of(keys: impl Iterator<Item = (K, usize)>) -> Repeats<K> {
        let mut sorted: Vec<(K, usize)> = keys.collect();
        sorted.sort_unstable();
        let mut later: Vec<(usize, usize)> = sorted
            .windows(2)
            .filter(|w| w[0].0 == w[1].0)
            .map(|w| (w[1].1, w[0].1))
            .collect();
        later.sort_unstable();
        Repeats { sorted, later }
    }

    pub fn contains(&self, key: K) -> bool {
        self.sorted.binary_search_by(|p| p.0.cmp(&key)).is_ok()
    }

    /// The index of `key`'s last occurrence.
    pub fn last(&self, key: K) -> Option<usize> {
        let i = self.sorted.partition_point(|p| p.0 <= key).checked_sub(1)?;
        let (k, at) = self.sorted[i];
        (k == key).then_some(at)
    }
}

/// [`KernelView::task`] remembering its last answer: the threads of a
/// group ask for the same leader (and parent) one after another.
struct Memo<'a> {
    v: &'a KernelView,
    last: Option<(u64, Option<&'a TaskStruct>)>,
}

impl<'a> Memo<'a> {
    fn new(v: &'a KernelView) -> Memo<'a> {
        Memo { v, last: None }
    }

    fn task(&mut self, addr: u64) -> Option<&'a TaskStruct> {
        match self.last {
            Some((a, t)) if a == addr => t,
            _ => {
                let t = self.v.task(addr);
                self.last = Some((addr, t));
                t
            }
        }
    }
}

fn ids(v: &KernelView, out: &mut Vec<Violation>) {
    let mut leaders = Memo::new(v);
    let pids = Repeats::of(v.tasks.iter().enumerate().map(|(i, r)| (r.t.pid, i)));
    let mut repeated = pids.later.iter().peekable();
    for (i, r) in v.tasks.iter().enumerate() {
        let t = &r.t;
        if repeated.next_if(|l| l.0 == i).is_some() {
            out.push(Violation::new(
                1,
                format!("pid {} is used by two task records", t.pid),
            ));
        }
        match leaders.task(t.group_leader) {
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
    let mut leaders = Memo::new(v);
    for r in &v.tasks {
        let t = &r.t;
        let Some(l) = leaders.task(t.group_leader) else {
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
    type Holder = fn(&TaskStruct) -> u64;
    type Count = fn(&KernelView, u64) -> u64;
    // In name order: findings come by name, then address.
    let kinds: [(&str, Holder, Count); 5] = [
        ("files", |t| t.files, |v, a| v.files[&a]),
        ("fs", |t| t.fs, |v, a| v.fss[&a].users),
        ("mm", |t| t.mm, |v, a| v.mms[&a].users),
        ("sighand", |t| t.sighand, |v, a| v.sighands[&a]),
        ("signal", |t| t.signal, |v, a| v.signals[&a].count),
    ];
    let mut addrs: Vec<u64> = Vec::with_capacity(v.tasks.len());
    for (name, holder, count) in kinds {
        addrs.clear();
        addrs.extend(v.tasks.iter().map(|r| holder(&r.t)));
        addrs.sort_unstable();
        for group in addrs.chunk_by(|a, b| a == b) {
            let (addr, n) = (group[0], group.len() as u64);
            let count = count(v, addr);
            if count != n {
                out.push(Violation::new(
                    3,
                    format!("{name} {addr:#x} has count {count} but {n} task(s) point at it"),
                ));
            }
        }
    }
}

fn relations(v: &KernelView, out: &mut Vec<Violation>) {
    // Every children-list entry, in list order (position k: the k-th).
    let listed = Repeats::of(v.children.values().flatten().copied().zip(0..));
    let mut twice = listed.later.iter().peekable();
    let mut k = 0;
    for (&parent, kids) in &v.children {
        // For findings only.
        let ppid = || v.task(parent).map_or(-1, |t| t.pid);
        for &c in kids {
            let on_two = twice.next_if(|l| l.0 == k).is_some();
            k += 1;
            let Some(ct) = v.task(c) else {
                out.push(Violation::new(
                    4,
                    format!(
                        "pid {}'s children list holds {c:#x}, which is not a task",
                        ppid()
                    ),
                ));
                continue;
            };
            if ct.group_leader != c {
                out.push(Violation::new(
                    4,
                    format!(
                        "pid {}'s children list holds thread {} (not a leader)",
                        ppid(),
                        ct.pid
                    ),
                ));
            }
            if ct.real_parent != parent {
                out.push(Violation::new(
                    4,
                    format!(
                        "pid {} is on pid {}'s children list but its real_parent is {:#x}",
                        ct.pid,
                        ppid(),
                        ct.real_parent
                    ),
                ));
            }
            if on_two {
                out.push(Violation::new(
                    4,
                    format!("pid {} is on two children lists", ct.pid),
                ));
            }
        }
    }
    let mut parents = Memo::new(v);
    for r in &v.tasks {
        let t = &r.t;
        if t.real_parent != 0 && parents.task(t.real_parent).is_none() {
            out.push(Violation::new(
                4,
                format!(
                    "pid {}'s real_parent {:#x} is not a task",
                    t.pid, t.real_parent
                ),
            ));
        }
        if t.group_leader == r.addr && t.real_parent != 0 && !listed.contains(r.addr) {
            out.push(Violation::new(
                4,
                format!(
                    "leader pid {} is missing from its parent's children list",
                    t.pid
                ),
            ));
        }
    }
    let mut on_list: Vec<u64> = Vec::new();
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
        on_list.clear();
        on_list.extend_from_slice(threads);
        on_list.sort_unstable();
        for r in v.tasks.iter().filter(|r| r.t.signal == sig) {
            let live = r.t.state != state::ZOMBIE;
            if live != on_list.binary_search(&r.addr).is_ok() {
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
    let mut queued = v.runqueue.clone();
    queued.sort_unstable();
    let times_queued = |addr: u64| {
        let lo = queued.partition_point(|&a| a < addr);
        queued[lo..].partition_point(|&a| a == addr)
    };
    let mut running = Vec::new();
    for r in &v.tasks {
        let t = &r.t;
        let n = times_queued(r.addr);
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
            // A visible DEAD record is invariant 13's.
            state::RUNNABLE | state::BLOCKED | state::ZOMBIE | state::DEAD => {}
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
    // By address (each once).
    for group in queued.chunk_by(|a, b| a == b) {
        let a = group[0];
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
    // Tasks by kernel stack (those with one): a stack's owner is the last
    // task having it, a task sharing it is reported with the previous one.
    let stacks = Repeats::of(
        v.tasks
            .iter()
            .enumerate()
            .filter(|(_, r)| r.t.stack != 0)
            .map(|(i, r)| (r.t.stack, i)),
    );
    let mut shared = stacks.later.iter().peekable();
    for (i, r) in v.tasks.iter().enumerate() {
        if r.t.stack == 0 {
            out.push(Violation::new(
                6,
                format!("pid {} has no kernel stack", r.t.pid),
            ));
        } else if let Some(&(_, prev)) = shared.next_if(|l| l.0 == i) {
            out.push(Violation::new(
                6,
                format!(
                    "pids {} and {} share kernel stack {:#x}",
                    v.tasks[prev].t.pid, r.t.pid, r.t.stack
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
    let cache = &v.roots.kstack_cache[..n];
    for (i, &s) in cache.iter().enumerate() {
        if let Some(owner) = stacks.last(s) {
            out.push(Violation::new(
                6,
                format!(
                    "cached kernel stack {s:#x} is pid {}'s stack",
                    v.tasks[owner].t.pid
                ),
            ));
        }
        // The cache is small (KSTACK_CACHE_MAX entries).
        if cache[..i].contains(&s) {
            out.push(Violation::new(
                6,
                format!("kernel stack {s:#x} is cached twice"),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use abi::linux::signal::{sigmask, SIGTERM, SIGUSR1};
    use abi::linux::uapi::Siginfo;
    use abi::task::{KernelRoots, TaskStruct};
    use zerocopy::FromZeros;

    use crate::inspect::tasks::TaskRec;

    fn task(addr: u64, pid: i32, state: u32, pending: u64) -> TaskRec {
        let mut t = TaskStruct::new_zeroed();
        (t.pid, t.tgid, t.state, t.pending, t.group_leader) = (pid, pid, state, pending, addr);
        TaskRec { addr, t }
    }

    fn only_13(v: &KernelView) -> Vec<String> {
        let mut out = Vec::new();
        exited_signals(v, &mut out);
        assert!(out.iter().all(|f| f.invariant == 13), "{out:?}");
        out.into_iter().map(|f| f.detail).collect()
    }

    #[test]
    fn an_exited_thread_has_nothing_pending() {
        let usr1 = sigmask(SIGUSR1);
        let v = KernelView::new(
            KernelRoots::new_zeroed(),
            vec![
                // Live threads may have anything pending.
                task(0x1000, 1, state::RUNNING, usr1),
                task(0x2000, 2, state::BLOCKED, !0),
                task(0x3000, 3, state::ZOMBIE, 0),
                task(0x4000, 4, state::ZOMBIE, usr1 | sigmask(SIGTERM)),
                task(0x5000, 5, state::DEAD, 0),
            ],
        );
        assert_eq!(
            only_13(&v),
            [
                "pid 4 has exited (zombie) with signals [USR1 TERM] pending",
                "pid 5 is visible in state EXIT_DEAD",
            ]
        );
        // A dead record is 13's, not an unknown state of 5's.
        let mut five = Vec::new();
        states(&v, &mut five);
        assert!(five.iter().all(|f| !f.detail.contains("pid 5")), "{five:?}");
    }

    fn delivered(signo: u32, blocked: u64) -> SignalDelivery {
        SignalDelivery {
            tid: 3,
            signo,
            info: Siginfo::kill(u64::from(signo), abi::linux::signal::SI_TKILL, 3, 0),
            blocked,
            handler: 0x401000,
            ..SignalDelivery::default()
        }
    }

    #[test]
    fn a_blocked_signal_is_never_delivered() {
        let usr1 = sigmask(SIGUSR1);
        assert_eq!(delivery(&delivered(10, 0)), vec![]);
        // Other signals blocked: fine.
        assert_eq!(delivery(&delivered(10, !usr1)), vec![]);
        assert_eq!(
            delivery(&delivered(10, usr1)),
            vec![Violation::new(
                13,
                "tid 3 was delivered SIGUSR1 while blocking it (blocked [USR1])".into()
            )]
        );
        let kill = delivery(&delivered(9, 0));
        assert_eq!(kill.len(), 1);
        assert!(kill[0].detail.contains("SIGKILL to a handler"), "{kill:?}");
        assert_eq!(delivery(&delivered(19, 0)).len(), 1, "SIGSTOP");
        // Numbers out of range, from a broken kernel: a finding, no panic.
        for signo in [0, 65, u32::MAX] {
            let found = delivery(&delivered(signo, !0));
            assert_eq!(found.len(), 1, "{signo}: {found:?}");
            assert_eq!(found[0].invariant, 13);
        }
    }
}
