//! `vmm run --dump`: what `pstree -apl` and `pstack` would show for the
//! guest, read by the host from guest memory — the process tree with its
//! threads and states, and each thread's user and kernel backtrace,
//! symbolized with the program's and the kernel's ELF symbols.
//!
//! Backtraces follow frame pointers (rbp chains), bounded to
//! [`MAX_FRAMES`], strictly upward and inside the stack they start in; a
//! program built without frame pointers shows its first frame or two. User
//! memory is read through the process's own page tables. The user registers
//! come from the frame at the top of each task's kernel stack
//! (`abi::trapframe::TrapFrame`); a switched-out task's kernel trace starts
//! from its saved switch frame. The task on the CPU at a syscall stop is in
//! the middle of reporting: its kernel trace is not shown.
//!
//! Each thread also shows its signal state (pending set, blocked mask,
//! alternate stack) and, when blocked, what it waits for: a futex word by
//! user address and the program's data symbol around it, a vfork child by
//! pid, a timer by its TSC deadline. Each process shows its shared pending
//! set. Every one of these is a guest-controlled number, printed as a number
//! (an unknown wait kind by its value).

use std::fmt::Write as _;

use abi::task::{state, KERNEL_STACK_SIZE};
use abi::trapframe::{SwitchFrame, TrapFrame};
use serde::Serialize;

use super::guest_mem::{GuestMemExt, KernelMem, UserMem};
use super::mem::PhysMem;
use super::tasks::{user_frame, KernelView, TaskRec};
use super::Violation;
use crate::symbols::Symbols;

pub const MAX_FRAMES: usize = 32;

#[derive(Clone, Debug, Serialize)]
pub struct Frame {
    pub addr: u64,
    pub symbol: Option<String>,
}

/// What a blocked thread waits for (`TaskStruct::wait_kind`, `wait_addr`).
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Wait {
    /// `abi::task::wait::name` of the kind.
    pub kind: &'static str,
    /// The raw kind, for one the host does not know.
    pub kind_value: u32,
    /// The futex word's user address, the vfork child's pid, the timer's
    /// or poll's TSC deadline, the pipe's inode number; 0 otherwise.
    pub addr: u64,
    /// The program's data symbol covering a futex word (`mutex_a+0x0`).
    pub symbol: Option<String>,
}

impl std::fmt::Display for Wait {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use abi::task::wait;
        match self.kind_value {
            wait::FUTEX => {
                write!(f, "futex {:#x}", self.addr)?;
                match &self.symbol {
                    Some(s) => write!(f, " ({s})"),
                    None => Ok(()),
                }
            }
            wait::VFORK => write!(f, "vfork child pid {}", self.addr as i64),
            wait::SLEEP => write!(f, "timer (TSC deadline {})", self.addr),
            wait::PIPE => write!(f, "pipe (inode {})", self.addr),
            wait::EVENTFD => write!(f, "eventfd (inode {})", self.addr),
            wait::POLL if self.addr == 0 => f.write_str("poll"),
            wait::POLL => write!(f, "poll (TSC deadline {})", self.addr),
            wait::EXEC => f.write_str("exec (the group's other threads to exit)"),
            wait::CHILD | wait::SIGNAL | wait::NOTHING => f.write_str(self.kind),
            k => write!(f, "unknown wait kind {k} (object {:#x})", self.addr),
        }
    }
}

/// sigaltstack's stack as the task record holds it.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct AltStack {
    pub sp: u64,
    pub size: u64,
    /// `SS_*` as set (SS_DISABLE, SS_AUTODISARM).
    pub flags: u32,
}

#[derive(Clone, Debug, Serialize)]
pub struct Thread {
    pub tid: i32,
    pub state: &'static str,
    /// On the CPU at the moment of the dump.
    pub on_cpu: bool,
    /// The thread pointer (FS base).
    pub fs_base: u64,
    /// This thread's private pending set and blocked mask (bit n-1:
    /// signal n).
    pub pending: u64,
    pub blocked: u64,
    /// `None` when disabled and empty.
    pub altstack: Option<AltStack>,
    /// For a blocked thread.
    pub wait: Option<Wait>,
    pub user: Vec<Frame>,
    pub kernel: Vec<Frame>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Process {
    pub pid: i32,
    /// getppid's answer (0 for init).
    pub ppid: i32,
    pub state: &'static str,
    /// Signals sent to the whole process, not yet taken (`None`: its
    /// signal_struct could not be read).
    pub shared_pending: Option<u64>,
    pub threads: Vec<Thread>,
    pub children: Vec<i32>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Dump {
    /// When it was taken ("exit", "syscall #N ...").
    pub at: String,
    pub processes: Vec<Process>,
}

fn state_name(s: u32) -> &'static str {
    match s {
        state::RUNNING => "running",
        state::RUNNABLE => "runnable",
        state::BLOCKED => "sleeping",
        state::ZOMBIE => "zombie",
        state::NEW => "new",
        state::DEAD => "dead",
        _ => "unknown",
    }
}

fn frame(addr: u64, symbols: &Symbols, is_return: bool) -> Frame {
    if !is_return {
        return Frame {
            addr,
            symbol: symbols.lookup(addr),
        };
    }
    // A return address may lie one past the end of its call's function:
    // look the call up, and name the return address by that function.
    let symbol = symbols
        .lookup(addr.wrapping_sub(1))
        .map(|s| match s.split_once("+0x") {
            Some((name, off)) => {
                let off = u64::from_str_radix(off, 16).unwrap_or(0);
                format!("{name}+{:#x}", off + 1)
            }
            None => format!("{s}+0x1"),
        });
    Frame { addr, symbol }
}

/// Follows an rbp chain: `[rbp]` is the caller's rbp, `[rbp + 8]` the
/// return address. `read` gives the word at an address, if readable.
fn unwind(
    mut rbp: u64,
    within: std::ops::Range<u64>,
    read: &dyn Fn(u64) -> Option<u64>,
    out: &mut Vec<u64>,
) {
    while out.len() < MAX_FRAMES && rbp % 8 == 0 && within.contains(&rbp) {
        let (Some(next), Some(ret)) = (read(rbp), read(rbp + 8)) else {
            break;
        };
        if ret == 0 {
            break;
        }
        out.push(ret);
        if next <= rbp {
            break;
        }
        rbp = next;
    }
}

fn user_trace(mem: &dyn PhysMem, pgd: u64, regs: &TrapFrame, syms: &Symbols) -> Vec<Frame> {
    // A few words per frame: translated as they are read.
    let um = UserMem::with_root(mem, pgd);
    let read = |addr: u64| um.get::<u64>(addr).ok();
    let mut out = vec![frame(regs.rip, syms, false)];
    let mut rets = Vec::new();
    // The frame chain lies on the stack above rsp.
    unwind(
        regs.rbp,
        regs.rsp..abi::layout::USER_SPACE_END,
        &read,
        &mut rets,
    );
    out.extend(rets.into_iter().map(|r| frame(r, syms, true)));
    out
}

fn kernel_trace(km: &KernelMem, t: &TaskRec, syms: &Symbols) -> Vec<Frame> {
    let Ok(sw) = km.get::<SwitchFrame>(t.t.ksp) else {
        return Vec::new();
    };
    let Some(top) = t.t.stack.checked_add(KERNEL_STACK_SIZE) else {
        return Vec::new();
    };
    let stack = t.t.stack..top;
    if !stack.contains(&t.t.ksp) {
        return Vec::new();
    }
    let read = |addr: u64| km.get::<u64>(addr).ok();
    let mut rets = vec![sw.ret];
    unwind(sw.rbp, stack, &read, &mut rets);
    rets.into_iter().map(|r| frame(r, syms, true)).collect()
}

/// What the record says `t` waits for, if it is blocked.
pub fn wait_of(t: &abi::task::TaskStruct, program_syms: &Symbols) -> Option<Wait> {
    if t.state != state::BLOCKED {
        return None;
    }
    let symbol = (t.wait_kind == abi::task::wait::FUTEX)
        .then(|| program_syms.lookup_object(t.wait_addr))
        .flatten();
    Some(Wait {
        kind: abi::task::wait::name(t.wait_kind),
        kind_value: t.wait_kind,
        addr: t.wait_addr,
        symbol,
    })
}

fn altstack_of(t: &abi::task::TaskStruct) -> Option<AltStack> {
    let disabled = u64::from(t.sas_ss_flags) == abi::linux::signal::SS_DISABLE;
    (!(disabled && t.sas_ss_sp == 0 && t.sas_ss_size == 0)).then_some(AltStack {
        sp: t.sas_ss_sp,
        size: t.sas_ss_size,
        flags: t.sas_ss_flags,
    })
}

/// Reads the process tree and every thread's backtraces.
pub fn take(
    mem: &dyn PhysMem,
    roots: u64,
    at: &str,
    kernel_syms: &Symbols,
    program_syms: &Symbols,
) -> Result<Dump, Violation> {
    let v = KernelView::read(mem, roots)?;
    let km = KernelMem::new(mem);
    let tgid_of = |addr: u64| v.task(addr).map_or(0, |t| t.tgid);
    let mut processes = Vec::new();
    // A process that exec'd runs a program whose symbols the host does
    // not have: its addresses go unnamed.
    let none = Symbols::default();
    for leader in v.tasks.iter().filter(|r| r.t.group_leader == r.addr) {
        let mm = v.mms.get(&leader.t.mm);
        let pgd = mm.map_or(0, |m| m.pgd);
        let program_syms = if mm.is_some_and(|m| m.execs != 0) {
            &none
        } else {
            program_syms
        };
        let mut threads = Vec::new();
        for r in v.tasks.iter().filter(|r| r.t.tgid == leader.t.pid) {
            let on_cpu = v.currents.contains(&r.addr);
            let user = match user_frame(&km, &r.t) {
                Some(regs) if r.t.state != state::ZOMBIE => {
                    user_trace(mem, pgd, &regs, program_syms)
                }
                _ => Vec::new(),
            };
            let kernel = if on_cpu || r.t.state == state::ZOMBIE {
                Vec::new()
            } else {
                kernel_trace(&km, r, kernel_syms)
            };
            threads.push(Thread {
                tid: r.t.pid,
                state: state_name(r.t.state),
                on_cpu,
                fs_base: r.t.fs_base,
                pending: r.t.pending,
                blocked: r.t.blocked,
                altstack: altstack_of(&r.t),
                wait: wait_of(&r.t, program_syms),
                user,
                kernel,
            });
        }
        let children = v
            .tasks
            .iter()
            .filter(|c| c.t.group_leader == c.addr && tgid_of(c.t.real_parent) == leader.t.pid)
            .filter(|c| c.t.real_parent != 0)
            .map(|c| c.t.pid)
            .collect();
        processes.push(Process {
            pid: leader.t.pid,
            ppid: tgid_of(leader.t.real_parent),
            state: state_name(leader.t.state),
            shared_pending: v.signals.get(&leader.t.signal).map(|s| s.shared_pending),
            threads,
            children,
        });
    }
    processes.sort_by_key(|p| p.pid);
    Ok(Dump {
        at: at.to_string(),
        processes,
    })
}

fn fmt_frames(s: &mut String, what: &str, frames: &[Frame]) {
    for (i, f) in frames.iter().enumerate() {
        let _ = writeln!(
            s,
            "    {what} #{i:<2} {:#018x} {}",
            f.addr,
            f.symbol.as_deref().unwrap_or("??")
        );
    }
}

/// `sigset` in strace's notation (`[USR1 TERM]`).
fn sigset(set: u64) -> String {
    crate::strace::decode::sigset(set)
}

/// `signals: pending [USR1], blocked [], altstack none`.
fn signal_state(t: &Thread) -> String {
    let alt = match &t.altstack {
        None => "none".to_string(),
        Some(a) => format!(
            "{{ss_sp={:#x}, ss_flags={}, ss_size={}}}",
            a.sp,
            crate::strace::decode::ss_flags(u64::from(a.flags)),
            a.size
        ),
    };
    format!(
        "signals: pending {}, blocked {}, altstack {alt}",
        sigset(t.pending),
        sigset(t.blocked)
    )
}

/// Who waits on what, for a deadlock report: each thread's pid, tgid,
/// state and wait, and its user backtrace.
pub fn render_waits(d: &Dump) -> String {
    let mut s = String::new();
    for p in &d.processes {
        for t in &p.threads {
            let _ = write!(s, "  pid {} (tgid {}): {}", t.tid, p.pid, t.state);
            match &t.wait {
                Some(w) => {
                    let _ = writeln!(s, ", waits for {w}");
                }
                None => s.push('\n'),
            }
            let _ = writeln!(s, "    {}", signal_state(t));
            fmt_frames(&mut s, "user  ", &t.user);
        }
    }
    s
}

/// The text form: a `pstree -apl`-like tree, then each thread's stacks.
pub fn render(d: &Dump, program: &str) -> String {
    let mut s = format!("vmm: dump at {}\n", d.at);
    let by_pid = |pid: i32| d.processes.iter().find(|p| p.pid == pid);
    fn tree<'d>(
        s: &mut String,
        p: &'d Process,
        program: &str,
        prefix: &str,
        by_pid: &dyn Fn(i32) -> Option<&'d Process>,
        depth: usize,
    ) {
        let _ = writeln!(s, "{program},{} ({})", p.pid, p.state);
        let kids: Vec<&Process> = p.children.iter().filter_map(|&c| by_pid(c)).collect();
        let others = p.threads.iter().filter(|t| t.tid != p.pid).count();
        let n = others + kids.len();
        let mut i = 0;
        for t in p.threads.iter().filter(|t| t.tid != p.pid) {
            i += 1;
            let branch = if i == n { "`-" } else { "|-" };
            let _ = writeln!(s, "{prefix}{branch}{{{program}}},{} ({})", t.tid, t.state);
        }
        for k in kids {
            i += 1;
            let (branch, next) = if i == n { ("`-", "  ") } else { ("|-", "| ") };
            let _ = write!(s, "{prefix}{branch}");
            if depth < 64 {
                tree(s, k, program, &format!("{prefix}{next}"), by_pid, depth + 1);
            }
        }
    }
    // Roots of the forest: processes whose parent is not in the dump.
    for p in d.processes.iter().filter(|p| by_pid(p.ppid).is_none()) {
        tree(&mut s, p, program, "  ", &by_pid, 0);
    }
    for p in &d.processes {
        let _ = write!(s, "\nprocess {}: shared pending ", p.pid);
        let _ = match p.shared_pending {
            Some(set) => writeln!(s, "{}", sigset(set)),
            None => writeln!(s, "unknown"),
        };
        for t in &p.threads {
            let _ = writeln!(
                s,
                "\nthread {} (process {}): {}{}, fs_base {:#x}",
                t.tid,
                p.pid,
                t.state,
                if t.on_cpu { ", on the CPU" } else { "" },
                t.fs_base
            );
            if let Some(w) = &t.wait {
                let _ = writeln!(s, "    waits for {w}");
            }
            let _ = writeln!(s, "    {}", signal_state(t));
            fmt_frames(&mut s, "user  ", &t.user);
            fmt_frames(&mut s, "kernel", &t.kernel);
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use abi::task::{wait, TaskStruct};
    use zerocopy::FromZeros;

    fn blocked(kind: u32, addr: u64) -> TaskStruct {
        let mut t = TaskStruct::new_zeroed();
        (t.state, t.wait_kind, t.wait_addr) = (state::BLOCKED, kind, addr);
        t.sas_ss_flags = abi::linux::signal::SS_DISABLE as u32;
        t
    }

    #[test]
    fn waits_are_named_and_never_trusted() {
        let syms = Symbols::default();
        let w = |t: &TaskStruct| wait_of(t, &syms).map(|w| w.to_string());
        assert_eq!(
            w(&blocked(wait::FUTEX, 0x4c6f30)).as_deref(),
            Some("futex 0x4c6f30")
        );
        assert_eq!(
            w(&blocked(wait::VFORK, 2)).as_deref(),
            Some("vfork child pid 2")
        );
        assert_eq!(w(&blocked(wait::CHILD, 0)).as_deref(), Some("child"));
        assert_eq!(
            w(&blocked(wait::SLEEP, 123)).as_deref(),
            Some("timer (TSC deadline 123)")
        );
        assert_eq!(
            w(&blocked(77, u64::MAX)).as_deref(),
            Some("unknown wait kind 77 (object 0xffffffffffffffff)")
        );
        let mut running = blocked(wait::FUTEX, 1);
        running.state = state::RUNNING;
        assert_eq!(w(&running), None, "only a blocked task waits");
        assert_eq!(altstack_of(&running), None);
        running.sas_ss_sp = 0x7000;
        running.sas_ss_size = 8192;
        running.sas_ss_flags = 1 << 31;
        assert_eq!(
            altstack_of(&running),
            Some(AltStack {
                sp: 0x7000,
                size: 8192,
                flags: 1 << 31
            })
        );
    }

    #[test]
    fn the_deadlock_view() {
        let d = Dump {
            at: "the deadlock".into(),
            processes: vec![Process {
                pid: 1,
                ppid: 0,
                state: "sleeping",
                shared_pending: Some(0),
                threads: vec![Thread {
                    tid: 1,
                    state: "sleeping",
                    on_cpu: false,
                    fs_base: 0,
                    pending: 1 << 9,
                    blocked: 1 << 9,
                    altstack: Some(AltStack {
                        sp: 0x7000,
                        size: 8192,
                        flags: 1 << 31,
                    }),
                    wait: Some(Wait {
                        kind: "futex",
                        kind_value: wait::FUTEX,
                        addr: 0x4c6f30,
                        symbol: Some("mutex_a+0x0".into()),
                    }),
                    user: vec![Frame {
                        addr: 0x401000,
                        symbol: Some("main+0x10".into()),
                    }],
                    kernel: Vec::new(),
                }],
                children: Vec::new(),
            }],
        };
        assert_eq!(
            render_waits(&d),
            "  pid 1 (tgid 1): sleeping, waits for futex 0x4c6f30 (mutex_a+0x0)\n    signals: pending [USR1], blocked [USR1], altstack {ss_sp=0x7000, ss_flags=SS_AUTODISARM, ss_size=8192}\n    user   #0  0x0000000000401000 main+0x10\n"
        );
    }
}
