//! The per-task files: status, stat, comm and limits (Linux's
//! fs/proc/array.c and base.c), and the thread list of task/.
//!
//! What the kernel does not keep reads as Linux's value for a task that
//! never had it: no process groups or sessions (0, as for a tree whose
//! root never called setsid), no tracer, no controlling terminal, no CPU
//! time, fault or context-switch counts (0), no start time (0), every
//! task root with every capability of 6.1 (CAP_LAST_CAP 40), no seccomp
//! and no speculation control ("unknown", Linux's answer for an
//! architecture without it).

use alloc::vec::Vec;

use abi::linux::resource::{RLIMIT_RSS, RLIMIT_SIGPENDING, RLIM_INFINITY};
use abi::linux::signal::{NSIG, SIG_DFL, SIG_IGN};

use super::{has_resources, mem, nr_cpus, Text};
use crate::errno::*;
use crate::task::{Pid, State, Task, WaitOn};

/// Every capability of Linux 6.1 (0 through CAP_CHECKPOINT_RESTORE, 40).
const ALL_CAPS: u64 = (1 << 41) - 1;
/// Linux's priority field for a SCHED_OTHER task at nice 0.
const DEFAULT_PRIO: i32 = 20;

/// Appends the program's name as Linux's `comm`: what execve named it,
/// else the last path component of what it executed, at most 15 bytes;
/// `escape`d as status shows it (newline and backslash).
fn put_comm(t: &Task, out: &mut Text, escape: bool) -> KResult<()> {
    let mm = t.mm.borrow();
    let base = match &mm.comm {
        Some(c) => c.as_slice(),
        None => {
            let exe = mm.exe.as_deref().unwrap_or(b"");
            exe.rsplit(|b| *b == b'/').next().unwrap_or(b"")
        }
    };
    for &b in &base[..base.len().min(15)] {
        match b {
            b'\n' if escape => out.bytes(b"\\n")?,
            b'\\' if escape => out.bytes(b"\\\\")?,
            _ => out.bytes(&[b])?,
        }
    }
    Ok(())
}

pub fn comm(t: &Task, out: &mut Text) -> KResult<()> {
    put_comm(t, out, false)?;
    out.bytes(b"\n")
}

/// Linux's task_state_array entry: the status text (its first letter is
/// stat's state).
fn state_name(t: &Task) -> &'static str {
    match t.state {
        State::Running | State::Runnable | State::New => "R (running)",
        // vfork's wait is Linux's killable, uninterruptible sleep.
        State::Blocked if matches!(t.wait, WaitOn::Vfork(_)) => "D (disk sleep)",
        State::Blocked => "S (sleeping)",
        State::Zombie => "Z (zombie)",
        State::Dead => "X (dead)",
    }
}

/// Threads as Linux counts them: the live ones and an exited leader,
/// which Linux keeps on the list until it is reaped.
fn nr_threads(t: &Task) -> u32 {
    let live = t.signal.borrow().nr_threads;
    let leader_gone = crate::task::task(t.tgid).is_some_and(|l| l.state == State::Zombie);
    live + u32::from(leader_gone)
}

/// The ignored and caught signal sets of `t`'s handler table.
fn ign_cgt(t: &Task) -> (u64, u64) {
    let h = t.sighand.borrow();
    let (mut ign, mut cgt) = (0, 0);
    for (i, a) in h.actions.iter().enumerate().take(NSIG as usize) {
        if a.sa_handler == SIG_IGN {
            ign |= 1 << i;
        } else if a.sa_handler != SIG_DFL {
            cgt |= 1 << i;
        }
    }
    (ign, cgt)
}

/// Queued signals of the user (every task is root: all of them).
fn user_sigpending() -> usize {
    crate::task::kernel()
        .tasks
        .values()
        .filter(|t| t.pid == t.tgid)
        .map(|t| t.signal.borrow().queued)
        .sum()
}

/// Linux's fdtable size for a table whose highest descriptor is `len` - 1:
/// 64 at first, then grown in powers of two of 128 slots.
fn fd_table_size(len: usize) -> usize {
    if len <= 64 {
        64
    } else {
        ((len - 1) / 128 + 1).next_power_of_two() * 128
    }
}

/// A bitmap of the low `ones` bits set, `nbits` wide, as Linux's `%*pb`
/// prints it: 32-bit groups, most significant first, comma-separated, the
/// first with only the digits its bits need.
fn put_bitmap(out: &mut Text, nbits: u32, ones: u32) -> KResult<()> {
    let groups = nbits.div_ceil(32);
    for g in (0..groups).rev() {
        let lo = g * 32;
        let bits = (nbits - lo).min(32);
        let set = ones.saturating_sub(lo).min(bits);
        let word: u32 = if set == 32 { u32::MAX } else { (1 << set) - 1 };
        if g == groups - 1 {
            let digits = bits.div_ceil(4) as usize;
            out.put(format_args!("{word:0digits$x}"))?;
        } else {
            out.put(format_args!(",{word:08x}"))?;
        }
    }
    Ok(())
}

/// The list form of the first `n` bits (`%*pbl`).
fn put_range(out: &mut Text, n: u32) -> KResult<()> {
    if n <= 1 {
        out.bytes(b"0")
    } else {
        out.put(format_args!("0-{}", n - 1))
    }
}

/// /proc/PID/status (the task PID names) and /proc/PID/task/TID/status.
pub fn status(t: &Task, out: &mut Text) -> KResult<()> {
    let alive = has_resources(t);
    out.bytes(b"Name:\t")?;
    put_comm(t, out, true)?;
    out.bytes(b"\n")?;
    if alive {
        out.put(format_args!("Umask:\t{:04o}\n", t.fs.borrow().umask.get()))?;
    }
    let fd_size = if alive {
        fd_table_size(t.files.borrow().fds.len())
    } else {
        0
    };
    out.put(format_args!(
        "State:\t{}\nTgid:\t{}\nNgid:\t0\nPid:\t{}\nPPid:\t{}\nTracerPid:\t0\n\
         Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nFDSize:\t{}\nGroups:\t \n\
         NStgid:\t{}\nNSpid:\t{}\nNSpgid:\t0\nNSsid:\t0\n",
        state_name(t),
        t.tgid,
        t.pid,
        t.parent_tgid(),
        fd_size,
        t.tgid,
        t.pid,
    ))?;
    if alive {
        mem::status_lines(&t.mm.borrow(), out)?;
        out.bytes(b"CoreDumping:\t0\nTHP_enabled:\t0\n")?;
    }
    let (ign, cgt) = ign_cgt(t);
    let (shared, qlim) = {
        let s = t.signal.borrow();
        (
            s.shared_pending,
            s.rlim[RLIMIT_SIGPENDING as usize].rlim_cur,
        )
    };
    out.put(format_args!(
        "Threads:\t{}\nSigQ:\t{}/{}\nSigPnd:\t{:016x}\nShdPnd:\t{:016x}\n\
         SigBlk:\t{:016x}\nSigIgn:\t{:016x}\nSigCgt:\t{:016x}\n",
        nr_threads(t),
        user_sigpending(),
        qlim,
        t.pending,
        shared,
        t.blocked,
        ign,
        cgt,
    ))?;
    out.put(format_args!(
        "CapInh:\t{:016x}\nCapPrm:\t{ALL_CAPS:016x}\nCapEff:\t{ALL_CAPS:016x}\n\
         CapBnd:\t{ALL_CAPS:016x}\nCapAmb:\t{:016x}\n\
         NoNewPrivs:\t0\nSeccomp:\t0\nSeccomp_filters:\t0\n\
         Speculation_Store_Bypass:\tunknown\nSpeculationIndirectBranch:\tunknown\n",
        0, 0
    ))?;
    let cpus = nr_cpus();
    out.bytes(b"Cpus_allowed:\t")?;
    put_bitmap(out, cpus, cpus)?;
    out.bytes(b"\nCpus_allowed_list:\t")?;
    put_range(out, cpus)?;
    // One memory node; Linux prints every node its build allows (1024).
    out.bytes(b"\nMems_allowed:\t")?;
    put_bitmap(out, 1024, 1)?;
    out.bytes(b"\nMems_allowed_list:\t0\n")?;
    out.bytes(b"voluntary_ctxt_switches:\t0\nnonvoluntary_ctxt_switches:\t0\n")
}

/// /proc/PID/stat (`whole`: the process's, Linux's tgid view) and
/// /proc/PID/task/TID/stat: 52 fields.
pub fn stat(t: &Task, whole: bool, out: &mut Text) -> KResult<()> {
    let alive = has_resources(t);
    let threads = nr_threads(t);
    let state = state_name(t).as_bytes()[0] as char;
    // Linux's PF_EXITING, the one task flag that applies here.
    let flags: u32 = if alive { 0 } else { 0x4 };
    out.put(format_args!("{} (", t.pid))?;
    put_comm(t, out, false)?;
    out.put(format_args!(
        ") {state} {} 0 0 0 -1 {flags} 0 0 0 0 0 0 0 0 {DEFAULT_PRIO} 0 {threads} 0 0",
        t.parent_tgid()
    ))?;
    let (rsslim, exit_code) = (
        t.signal.borrow().rlim[RLIMIT_RSS as usize].rlim_cur,
        t.exit_code,
    );
    let m = if alive {
        Some(mem::counts(&t.mm.borrow()))
    } else {
        None
    };
    let (vsize, rss) = m.as_ref().map_or((0, 0), |m| (m.total, m.rss()));
    out.put(format_args!(" {vsize} {rss} {rsslim}"))?;
    match &m {
        Some(m) => out.put(format_args!(
            " {} {} {}",
            m.start_code, m.end_code, m.layout.start_stack
        ))?,
        None => out.bytes(b" 0 0 0")?,
    }
    let (ign, cgt) = ign_cgt(t);
    let old = 0x7fff_ffff;
    // Linux's wchan: whether the task sleeps, for a thread or a process
    // of one thread.
    let wchan = u32::from((!whole || threads < 2) && state != 'R');
    out.put(format_args!(
        " 0 0 {} {} {} {} {wchan} 0 0 {} 0 0 0 0 0 0",
        t.pending & old,
        t.blocked & old,
        ign & old,
        cgt & old,
        t.exit_signal,
    ))?;
    match &m {
        Some(m) => out.put(format_args!(
            " {} {} {} {} {} {} {}",
            m.start_data,
            m.end_data,
            m.start_brk,
            m.layout.arg_start,
            m.layout.arg_end,
            m.layout.env_start,
            m.layout.env_end
        ))?,
        None => out.bytes(b" 0 0 0 0 0 0 0")?,
    }
    out.put(format_args!(" {exit_code}\n"))
}

/// Linux's names and units of the resources, in number order.
const LIMIT_NAMES: [(&str, &str); 16] = [
    ("Max cpu time", "seconds"),
    ("Max file size", "bytes"),
    ("Max data size", "bytes"),
    ("Max stack size", "bytes"),
    ("Max core file size", "bytes"),
    ("Max resident set", "bytes"),
    ("Max processes", "processes"),
    ("Max open files", "files"),
    ("Max locked memory", "bytes"),
    ("Max address space", "bytes"),
    ("Max file locks", "locks"),
    ("Max pending signals", "signals"),
    ("Max msgqueue size", "bytes"),
    ("Max nice priority", ""),
    ("Max realtime priority", ""),
    ("Max realtime timeout", "us"),
];
const _: () = assert!(LIMIT_NAMES.len() == crate::task::RLIM_NLIMITS);

/// /proc/PID/limits.
pub fn limits(t: &Task, out: &mut Text) -> KResult<()> {
    out.put(format_args!(
        "{:<25} {:<20} {:<20} {:<10}\n",
        "Limit", "Soft Limit", "Hard Limit", "Units"
    ))?;
    let rlim = t.signal.borrow().rlim;
    for ((name, unit), r) in LIMIT_NAMES.iter().zip(rlim.iter()) {
        out.put(format_args!("{name:<25} "))?;
        for v in [r.rlim_cur, r.rlim_max] {
            if v == RLIM_INFINITY {
                out.put(format_args!("{:<20} ", "unlimited"))?;
            } else {
                out.put(format_args!("{v:<20} "))?;
            }
        }
        if unit.is_empty() {
            out.bytes(b"\n")?;
        } else {
            out.put(format_args!("{unit:<10}\n"))?;
        }
    }
    Ok(())
}

/// The thread ids task/ lists for the group of `pid`: the leader first
/// (an exited one too, as Linux keeps it on the list until it is reaped),
/// then the other live threads in the order they joined.
pub fn thread_ids(pid: Pid) -> KResult<Vec<Pid>> {
    let t = crate::task::task(pid).ok_or(ENOENT)?;
    let tgid = t.tgid;
    let signal = t.signal.clone();
    let s = signal.borrow();
    let mut v = Vec::new();
    v.try_reserve(s.nr_threads as usize + 1)
        .map_err(|_| ENOMEM)?;
    if crate::task::task(tgid).is_some() {
        v.push(tgid);
    }
    v.extend(s.threads().map(|th| th.pid).filter(|&p| p != tgid));
    Ok(v)
}
