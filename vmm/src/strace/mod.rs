//! `vmm run --strace`: every guest system call as one line in strace's
//! format, from the kernel's syscall stops (`SYSCALL_EXIT` hypercalls).
//!
//! - One line per call, printed whole when the call returns (the stops are
//!   at syscall exit): `name(args) = ret`, errors as
//!   `= -1 EINVAL (Invalid argument)`. Where strace splits a call another
//!   thread interrupted into `<unfinished ...>` and `<... name resumed>`,
//!   we print it once, at its return, in return order.
//! - Calls that do not return (exit, exit_group) are reported by the kernel
//!   at entry (`SYSCALL_STOP_NORETURN`) and printed as `exit_group(0) = ?`,
//!   followed by `+++ exited with 0 +++` for each thread that ends with it;
//!   a fatal signal gives `+++ killed by SIGSEGV +++`. A signal delivered
//!   to a handler (the kernel's `SIGNAL_DELIVERY` stop) is strace's
//!   `--- SIGUSR1 {si_signo=SIGUSR1, si_code=SI_TKILL, ...} ---` line, its
//!   siginfo the one the handler gets ([`decode::siginfo`]); a signal that
//!   is ignored, or kills, or is taken by rt_sigtimedwait, has no line.
//!   rt_sigreturn shows the mask it restored, as the kernel reports it:
//!   `rt_sigreturn({mask=[USR1]}) = 0`.
//! - Prefix: to a file (`--strace-output FILE`) every line starts with the
//!   tid as `strace -f -o FILE` writes it (`%-5d `: the tid left-aligned
//!   in 5 columns, then a space); on stderr, `[pid  N] ` (tid right-aligned
//!   in 5 columns) once the guest has more than one task, as `strace -f`.
//!   The ` = ` is aligned at column 40 as strace does.
//! - Arguments are decoded as strace does for the calls this kernel
//!   implements (flags, constants, structures read from the caller's user
//!   memory through its page tables: `struct clone_args`, timespecs, signal
//!   sets and actions, poll arrays, select's fd sets, epoll events,
//!   write/read buffers quoted and cut at 32 bytes, arrays at 32 entries),
//!   but for waitid, readlinkat, setrlimit
//!   and the pidfd calls (a unit test keeps that list); any other call is
//!   printed under its Linux name with as many arguments as strace shows
//!   for it, in hex (`abi::linux::syscalls`).
//! - An argument the call both reads and writes shows what it holds at
//!   exit. ppoll's, select's and pselect6's timeouts change: Linux writes
//!   the time left into them, so after a wait the argument is that time
//!   left (zero after a timeout) where strace, which also reads it at
//!   entry, shows the timeout asked. select's sets change too: after a
//!   success or a timeout they hold only the descriptors found ready, so
//!   one asked about and not ready is missing from the argument (strace
//!   shows it). A failed call leaves both as given. poll's array keeps the
//!   fd and events asked (the kernel changes only revents), and epoll_ctl
//!   does not write its event.
//!
//! - strace's timing options, in the guest's own time (the TSC values the
//!   kernel puts in each stop, through `abi::clock::TscClock`): `-t`/`-tt`/
//!   `-ttt` stamp a line with the call's entry, `-T` appends its latency,
//!   `-c`/`-C` count calls, errors and time for the [`summary`] table
//!   printed when the run ends (`-c` instead of the lines).
//!
//! Guest memory is untrusted: a pointer that does not lead to user memory
//! is printed as the address, as strace does for a bad pointer.

pub mod decode;
pub mod summary;
pub mod time;
#[cfg(test)]
mod tracer_tests;

use std::cell::OnceCell;
use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufWriter, Write};

use abi::clock::TscClock;
use abi::hypercall::{SignalDelivery, SyscallExit, SYSCALL_STOP_NORETURN};
use abi::linux::clone::{
    CLONE_ARGS_SIZE_VER2, CLONE_CHILD_CLEARTID, CLONE_CHILD_SETTID, CLONE_PARENT_SETTID,
    CLONE_PIDFD, CLONE_SETTLS,
};
use abi::linux::fs::{F_GETFD, F_GETFL, F_SETFD};
use abi::linux::futex::{
    FUTEX_BITSET_MATCH_ANY, FUTEX_CMP_REQUEUE, FUTEX_CMP_REQUEUE_PI, FUTEX_LOCK_PI, FUTEX_LOCK_PI2,
    FUTEX_REQUEUE, FUTEX_TRYLOCK_PI, FUTEX_UNLOCK_PI, FUTEX_WAIT, FUTEX_WAIT_BITSET,
    FUTEX_WAIT_REQUEUE_PI, FUTEX_WAKE, FUTEX_WAKE_BITSET,
};
use abi::linux::ioctl::{FIONBIO, FIONREAD};
use abi::linux::poll::{EpollEvent, Pollfd, EPOLL_CTL_DEL};
use abi::linux::signal::SIGEV_THREAD_ID;
use abi::linux::signal::SIGSET_SIZE;
use abi::linux::signal::{SA_RESTORER, SIG_DFL, SIG_IGN};
use abi::linux::syscalls as sys;
use abi::linux::uapi::{
    c_field, Iovec, Itimerspec, Itimerval, KernelSigaction, NewUtsname, Rlimit, Sigevent, Siginfo,
    StackT, Stat, Timespec, Timeval, UTSNAME_FIELD_LEN,
};
use abi::task::{KernelRoots, MmStruct, TaskStruct};

use crate::config::StraceConfig;
use crate::console::Console;
use crate::inspect::guest_mem::{GuestMem, GuestMemExt, KernelMem, ReadError, UserMem};
use crate::inspect::mem::PhysMem;
use decode::*;
use summary::{Summary, SummaryConfig};
use time::{Precision, Timestamps};
use zerocopy::{FromBytes, IntoBytes};

/// strace's default `-s`: the longest string shown.
pub const MAX_STRLEN: usize = 32;
/// Column of the ` = ` (strace's default alignment).
pub const RETURN_COLUMN: usize = 40;

/// The tracer of one run.
pub struct Tracer {
    file: Option<BufWriter<File>>,
    /// A line per call (not with `-c`).
    lines: bool,
    /// `-T`.
    syscall_times: Option<Precision>,
    /// `-t`, `-tt`, `-ttt`.
    timestamps: Option<Timestamps>,
    /// `-c` / `-C`: the counts so far, and how to time and sort them.
    summary: Option<(Summary, SummaryConfig)>,
    clock: TscClock,
}

impl Tracer {
    /// A tracer as `cfg` asks, writing to its output; a file that cannot
    /// be created is an error naming it. Times are in a 1 GHz clock from
    /// TSC 0 until [`Tracer::set_clock`] gives the guest's.
    pub fn open(cfg: &StraceConfig) -> crate::error::Result<Tracer> {
        let file = cfg.output.create("the trace file")?.map(BufWriter::new);
        Ok(Tracer {
            file,
            lines: cfg.lines,
            syscall_times: cfg.syscall_times,
            timestamps: cfg.timestamps,
            summary: cfg.summary.map(|c| (Summary::default(), c)),
            clock: TscClock::new(0, 0, 0),
        })
    }

    /// The guest's clock (from the boot info it was given).
    pub fn set_clock(&mut self, clock: TscClock) {
        self.clock = clock;
    }

    /// The lines for one syscall stop (none with `-c`); counts the call for
    /// the summary.
    pub fn stop(&mut self, call: &SyscallExit, mem: &dyn PhysMem, roots: u64) -> String {
        let ret = (call.kind != SYSCALL_STOP_NORETURN).then_some(call.ret);
        let wall = call.exit_tsc.saturating_sub(call.entry_tsc);
        if let (Some((summary, cfg)), Some(ret)) = (self.summary.as_mut(), ret) {
            let cycles = if cfg.wall_clock {
                wall
            } else {
                wall.saturating_sub(call.off_cpu)
            };
            summary.add(call.nr, self.clock.ns(cycles), is_error(ret));
        }
        if !self.lines {
            return String::new();
        }
        let guest = Guest::new(mem, roots);
        let c = Call {
            nr: call.nr,
            args: call.args,
            ret,
        };
        let many = self.many(&guest);
        let stamp = self.timestamp(self.clock.realtime_ns(call.entry_tsc));
        let stamp = stamp.as_deref();
        let (text, mut shown) = format_parts(&c, &guest);
        if let (Some(p), Some(_)) = (self.syscall_times, ret) {
            shown += &time::syscall_time(self.clock.ns(wall), p);
        }
        let mut out = self.line(call.tid, many, stamp, &text, Some(&shown));
        if ret.is_none() && (call.nr == sys::__NR_exit || call.nr == sys::__NR_exit_group) {
            let text = format!("+++ exited with {} +++", call.args[0] & 0xff);
            if call.nr == sys::__NR_exit_group {
                for tid in guest.other_threads(call.tid) {
                    out += &self.line(tid, many, stamp, &text, None);
                }
            }
            out += &self.line(call.tid, many, stamp, &text, None);
        }
        out
    }

    /// `+++ killed by SIGSEGV +++` for a fatal signal of the running task
    /// (none with `-c`). Its timestamp is the host's clock: the kernel
    /// reports a death without a TSC.
    pub fn killed(&mut self, signal: u64, mem: &dyn PhysMem, roots: u64) -> String {
        if !self.lines {
            return String::new();
        }
        let g = Guest::new(mem, roots);
        let (tid, many) = (g.current_tid().unwrap_or(0), self.many(&g));
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        let stamp = self.timestamp(now);
        let text = format!("+++ killed by {} +++", signal_name(signal));
        self.line(tid, many, stamp.as_deref(), &text, None)
    }

    /// `--- SIGUSR1 {...} ---` for a signal delivered to a handler (none
    /// with `-c`). Its timestamp is the host's clock, as for a death: the
    /// report carries no TSC.
    pub fn signal(&mut self, d: &SignalDelivery, mem: &dyn PhysMem, roots: u64) -> String {
        if !self.lines {
            return String::new();
        }
        let g = Guest::new(mem, roots);
        let many = self.many(&g);
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        let stamp = self.timestamp(now);
        let text = format!(
            "--- {} {} ---",
            signal_name(u64::from(d.signo)),
            siginfo(&d.info)
        );
        self.line(d.tid, many, stamp.as_deref(), &text, None)
    }

    /// Whether stderr lines get strace's `[pid N]` prefix: once there is
    /// more than one task. A walk of the task list, so only asked where it
    /// matters (a trace file prefixes every line with its tid anyway).
    fn many(&self, guest: &Guest) -> bool {
        self.file.is_none() && guest.nr_tasks() > 1
    }

    fn timestamp(&self, realtime_ns: u64) -> Option<String> {
        self.timestamps.map(|t| t.format(realtime_ns))
    }

    /// One line: prefix, timestamp, `text`, and `ret` after ` = ` at
    /// column 40 (of the whole line, prefix and timestamp included, as
    /// strace counts).
    fn line(
        &self,
        tid: i32,
        many: bool,
        stamp: Option<&str>,
        text: &str,
        ret: Option<&str>,
    ) -> String {
        let mut s = if self.file.is_some() {
            format!("{tid:<5} ")
        } else if many {
            format!("[pid {tid:>5}] ")
        } else {
            String::new()
        };
        if let Some(stamp) = stamp {
            s += stamp;
            s.push(' ');
        }
        s += text;
        if let Some(ret) = ret {
            pad_return(&mut s, ret);
        }
        s.push('\n');
        s
    }

    /// Writes lines: to the trace file, or to stderr through the console
    /// (so they interleave with the program's stderr in order).
    pub fn emit(&mut self, text: &str, console: &mut Console) {
        if text.is_empty() {
            return;
        }
        match self.file.as_mut() {
            Some(f) => {
                let _ = f.write_all(text.as_bytes());
            }
            None => console.write(2, text.as_bytes()),
        }
    }

    /// The end of the run, however it ended: the summary table of the
    /// calls seen (`-c`, `-C`), once, where the trace goes.
    pub fn end(&mut self, console: &mut Console) {
        if let Some((summary, cfg)) = self.summary.take() {
            self.emit(&summary.render(cfg.sort), console);
        }
        self.finish();
    }

    pub fn finish(&mut self) {
        if let Some(f) = self.file.as_mut() {
            let _ = f.flush();
        }
    }
}

impl Drop for Tracer {
    fn drop(&mut self) {
        self.finish();
    }
}

/// One call as the decoders see it: `ret` is `None` for a call that does
/// not return.
#[derive(Clone, Copy, Debug)]
pub struct Call {
    pub nr: u64,
    pub args: [u64; 6],
    pub ret: Option<i64>,
}

/// The guest at a stop: its kernel roots and, found on first use, the
/// calling task's page-table root. As [`GuestMem`] it is the calling
/// process's user memory (untrusted), translated through that root as it
/// is read: a call's arguments point at a few structures, not worth a walk
/// of the address space.
struct Guest<'a> {
    mem: &'a dyn PhysMem,
    kernel: KernelMem<'a>,
    roots_kva: u64,
    roots: OnceCell<Option<KernelRoots>>,
    pgd: OnceCell<Option<u64>>,
}

impl<'a> Guest<'a> {
    fn new(mem: &'a dyn PhysMem, roots_kva: u64) -> Guest<'a> {
        Guest {
            mem,
            kernel: KernelMem::new(mem),
            roots_kva,
            roots: OnceCell::new(),
            pgd: OnceCell::new(),
        }
    }

    fn roots(&self) -> Option<&KernelRoots> {
        self.roots
            .get_or_init(|| self.kernel.get(self.roots_kva).ok())
            .as_ref()
    }

    /// Tasks strace would be tracing: not zombies (strace drops a task
    /// when it exits, before its parent reaps it) and not dead ones.
    fn nr_tasks(&self) -> u64 {
        if self.roots().is_none_or(|r| r.nr_tasks <= 1) {
            return 1;
        }
        let head = self.roots_kva + std::mem::offset_of!(KernelRoots, tasks) as u64;
        let Ok(tasks) = crate::inspect::tasks::walk(
            self.mem,
            head,
            std::mem::offset_of!(TaskStruct, tasks),
            "task list",
        ) else {
            return self.roots().map_or(1, |r| r.nr_tasks);
        };
        let state = std::mem::offset_of!(TaskStruct, state) as u64;
        tasks
            .iter()
            .filter(|&&t| {
                self.kernel
                    .get::<u32>(t + state)
                    .is_ok_and(|s| s != abi::task::state::ZOMBIE && s != abi::task::state::DEAD)
            })
            .count() as u64
    }

    /// The calling task: the current one of CPU 0 (one CPU today).
    fn current(&self) -> Option<TaskStruct> {
        self.kernel.get(self.roots()?.rq[0].curr).ok()
    }

    fn current_tid(&self) -> Option<i32> {
        Some(self.current()?.pid)
    }

    /// The other live threads of the caller's group (for exit_group).
    fn other_threads(&self, tid: i32) -> Vec<i32> {
        let Ok(v) = crate::inspect::tasks::KernelView::read(self.mem, self.roots_kva) else {
            return Vec::new();
        };
        let Some(me) = v.by_pid(tid) else {
            return Vec::new();
        };
        let tgid = me.t.tgid;
        v.tasks
            .iter()
            .filter(|r| {
                r.t.tgid == tgid
                    && r.t.pid != tid
                    && r.t.state != abi::task::state::DEAD
                    && r.t.state != abi::task::state::ZOMBIE
            })
            .map(|r| r.t.pid)
            .collect()
    }

    fn pgd(&self) -> Option<u64> {
        *self.pgd.get_or_init(|| {
            let task = self.current()?;
            let mm: MmStruct = self.kernel.get(task.mm).ok()?;
            Some(mm.pgd)
        })
    }
}

impl GuestMem for Guest<'_> {
    fn read(&self, addr: u64, buf: &mut [u8]) -> Result<(), ReadError> {
        let root = self.pgd().ok_or(ReadError::NoAddressSpace)?;
        UserMem::with_root(self.mem, root).read(addr, buf)
    }
}

fn ptr(v: u64) -> String {
    if v == 0 {
        "NULL".into()
    } else {
        format!("{v:#x}")
    }
}

/// What an output argument points to once the call succeeded; before
/// that (or on failure) only the pointer, as strace shows it.
fn shown_if(ok: bool, addr: u64, show: impl FnOnce() -> String) -> String {
    if ok {
        show()
    } else {
        ptr(addr)
    }
}

fn int(v: u64) -> String {
    (v as i32).to_string()
}

/// A buffer of `len` bytes at `addr`, quoted; the address if unreadable.
fn buffer(m: &dyn GuestMem, addr: u64, len: u64, hex: bool) -> String {
    let shown = (len as usize).min(MAX_STRLEN);
    match m.bytes(addr, shown) {
        Ok(b) if hex => quote_hex(&b, MAX_STRLEN, len as usize > shown),
        Ok(b) => quote(&b, MAX_STRLEN, len as usize > shown),
        Err(_) => ptr(addr),
    }
}

fn path(m: &dyn GuestMem, addr: u64) -> String {
    if addr == 0 {
        return "NULL".into();
    }
    match m.c_string(addr, 4096) {
        Ok((s, more)) => quote(&s, 4096, more),
        Err(_) => format!("{addr:#x}"),
    }
}

/// The `T` a pointer argument points to, shown by `show`: `NULL` for a
/// null pointer and the address for one that cannot be read, as strace.
fn record_at<T: FromBytes + IntoBytes>(
    m: &dyn GuestMem,
    addr: u64,
    show: impl FnOnce(T) -> String,
) -> String {
    if addr == 0 {
        return "NULL".into();
    }
    match m.get::<T>(addr) {
        Ok(v) => show(v),
        Err(_) => format!("{addr:#x}"),
    }
}

fn timespec(m: &dyn GuestMem, addr: u64) -> String {
    record_at(m, addr, |t: Timespec| {
        format!("{{tv_sec={}, tv_nsec={}}}", t.tv_sec, t.tv_nsec)
    })
}

fn sigset_at(m: &dyn GuestMem, addr: u64) -> String {
    record_at(m, addr, sigset)
}

fn sigaction_at(m: &dyn GuestMem, addr: u64) -> String {
    record_at(m, addr, |a: KernelSigaction| {
        let handler = match a.sa_handler {
            SIG_DFL => "SIG_DFL".to_string(),
            SIG_IGN => "SIG_IGN".to_string(),
            h => format!("{h:#x}"),
        };
        let mut s = format!(
            "{{sa_handler={handler}, sa_mask={}, sa_flags={}",
            sigset(a.sa_mask),
            sa_flags(a.sa_flags)
        );
        if a.sa_flags & SA_RESTORER != 0 {
            let _ = write!(s, ", sa_restorer={:#x}", a.sa_restorer);
        }
        s.push('}');
        s
    })
}

fn siginfo_at(m: &dyn GuestMem, addr: u64) -> String {
    record_at(m, addr, |i: Siginfo| siginfo(&i))
}

fn stack_at(m: &dyn GuestMem, addr: u64) -> String {
    record_at(m, addr, |ss: StackT| {
        format!(
            "{{ss_sp={}, ss_flags={}, ss_size={}}}",
            ptr(ss.ss_sp),
            ss_flags(ss.ss_flags as u32 as u64),
            ss.ss_size
        )
    })
}

fn tv(t: &Timeval) -> String {
    format!("{{tv_sec={}, tv_usec={}}}", t.tv_sec, t.tv_usec)
}

fn ts(t: &Timespec) -> String {
    format!("{{tv_sec={}, tv_nsec={}}}", t.tv_sec, t.tv_nsec)
}

fn itimerval_at(m: &dyn GuestMem, addr: u64) -> String {
    record_at(m, addr, |i: Itimerval| {
        format!(
            "{{it_interval={}, it_value={}}}",
            tv(&i.it_interval),
            tv(&i.it_value)
        )
    })
}

fn itimerspec_at(m: &dyn GuestMem, addr: u64) -> String {
    record_at(m, addr, |i: Itimerspec| {
        format!(
            "{{it_interval={}, it_value={}}}",
            ts(&i.it_interval),
            ts(&i.it_value)
        )
    })
}

fn sigevent_at(m: &dyn GuestMem, addr: u64) -> String {
    record_at(m, addr, |e: Sigevent| {
        let v = e.sigev_value;
        let mut s = format!(
            "{{sigev_value={{sival_int={}, sival_ptr={}}}, sigev_signo={}, sigev_notify={}",
            v as u32 as i32,
            ptr(v),
            signal_name(e.sigev_signo as u32 as u64),
            sigev_notify(e.sigev_notify as u32 as u64)
        );
        if e.sigev_notify as u32 as u64 == SIGEV_THREAD_ID {
            let _ = write!(s, ", sigev_notify_thread_id={}", e.un[0] as i32);
        }
        s.push('}');
        s
    })
}

/// An `int` a call wrote (timer_create's id): `[N]`.
fn int_at(m: &dyn GuestMem, addr: u64) -> String {
    record_at(m, addr, |v: u32| format!("[{}]", v as i32))
}

fn timeval(m: &dyn GuestMem, addr: u64) -> String {
    record_at(m, addr, |t: Timeval| {
        format!("{{tv_sec={}, tv_usec={}}}", t.tv_sec, t.tv_usec)
    })
}

fn rlimit_at(m: &dyn GuestMem, addr: u64) -> String {
    record_at(m, addr, |r: Rlimit| {
        format!(
            "{{rlim_cur={}, rlim_max={}}}",
            rlim(r.rlim_cur),
            rlim(r.rlim_max)
        )
    })
}

fn stat_at(m: &dyn GuestMem, addr: u64) -> String {
    record_at(m, addr, |st: Stat| {
        let mode = st.st_mode;
        if is_device(mode) {
            let rdev = st.st_rdev;
            let major = ((rdev >> 8) & 0xfff) | ((rdev >> 32) & !0xfff);
            let minor = (rdev & 0xff) | ((rdev >> 12) & !0xff);
            format!(
                "{{st_mode={}, st_rdev=makedev({major:#x}, {minor:#x}), ...}}",
                file_mode(mode)
            )
        } else {
            format!(
                "{{st_mode={}, st_size={}, ...}}",
                file_mode(mode),
                st.st_size
            )
        }
    })
}

fn utsname_at(m: &dyn GuestMem, addr: u64) -> String {
    record_at(m, addr, |u: NewUtsname| {
        let field = |f: &[u8]| quote(c_field(f), UTSNAME_FIELD_LEN, false);
        format!(
            "{{sysname={}, nodename={}, ...}}",
            field(&u.sysname),
            field(&u.nodename)
        )
    })
}

/// wait4's status, decoded only when the call succeeded.
fn wait_status_at(m: &dyn GuestMem, addr: u64, ok: bool) -> String {
    shown_if(ok, addr, || record_at(m, addr, wait_status))
}

/// `[{iov_base="...", iov_len=N}, ...]`: at most `total` bytes of data shown.
fn iovec_at(m: &dyn GuestMem, addr: u64, count: u64, total: Option<u64>) -> String {
    let mut parts = Vec::new();
    let mut left = total.unwrap_or(u64::MAX);
    for i in 0..count.min(MAX_STRLEN as u64) {
        let Some(Iovec {
            iov_base: base,
            iov_len: len,
        }) = addr
            .checked_add(i * size_of::<Iovec>() as u64)
            .and_then(|at| m.get(at).ok())
        else {
            return format!("{addr:#x}");
        };
        let show = len.min(left);
        left -= show;
        let data = if total.is_some() {
            buffer(m, base, show, false)
        } else {
            format!("{base:#x}")
        };
        parts.push(format!("{{iov_base={data}, iov_len={len}}}"));
    }
    if count > MAX_STRLEN as u64 {
        parts.push("...".into());
    }
    format!("[{}]", parts.join(", "))
}

/// A signal set of `size` bytes: strace decodes only the size the kernel
/// accepts, and shows any other as the address.
fn sigset_sized_at(m: &dyn GuestMem, addr: u64, size: u64) -> String {
    if addr != 0 && size != SIGSET_SIZE {
        return format!("{addr:#x}");
    }
    sigset_at(m, addr)
}

/// pipe's `int[2]`, once the call wrote it.
fn fd_pair_at(m: &dyn GuestMem, addr: u64, ok: bool) -> String {
    shown_if(ok, addr, || {
        record_at(m, addr, |p: [u32; 2]| {
            format!("[{}, {}]", p[0] as i32, p[1] as i32)
        })
    })
}

/// Entry `i` of a `struct pollfd` array (None past the top of memory).
fn pollfd(m: &dyn GuestMem, addr: u64, i: u64) -> Option<Pollfd> {
    let at = addr.checked_add(i.checked_mul(size_of::<Pollfd>() as u64)?)?;
    m.get(at).ok()
}

/// poll's array with what it asks for: `[{fd=3, events=POLLIN}, {fd=-1}]`
/// (a negative fd is ignored, so strace leaves its events out). At most
/// [`MAX_STRLEN`] entries, as strace cuts arrays; an entry it cannot read
/// after the first ends the list with its address in a comment, and an
/// array that cannot be read at all, or would wrap, is its address.
fn pollfds_at(m: &dyn GuestMem, addr: u64, nfds: u32) -> String {
    let n = u64::from(nfds);
    if addr == 0 {
        return "NULL".into();
    }
    if n == 0 {
        return "[]".into();
    }
    if addr.checked_add(n * size_of::<Pollfd>() as u64).is_none() {
        return format!("{addr:#x}");
    }
    let mut parts = Vec::new();
    for i in 0..n.min(MAX_STRLEN as u64) {
        let Some(p) = pollfd(m, addr, i) else {
            if i == 0 {
                return format!("{addr:#x}");
            }
            parts.push(format!(
                "... /* {:#x} */",
                addr + i * size_of::<Pollfd>() as u64
            ));
            return format!("[{}]", parts.join(", "));
        };
        parts.push(if p.fd < 0 {
            format!("{{fd={}}}", p.fd)
        } else {
            format!("{{fd={}, events={}}}", p.fd, poll_events(p.events))
        });
    }
    if n > MAX_STRLEN as u64 {
        parts.push("...".into());
    }
    format!("[{}]", parts.join(", "))
}

/// strace builds the text after a poll's return value in a buffer of this
/// many bytes (its NUL included), and cuts it to fit.
const POLL_NOTE_BUF: usize = 1024;
/// strace stops listing entries this far before that buffer's end: in its
/// output an entry that ends at byte 996 is listed, one that ends at 997
/// is `...`.
const POLL_NOTE_ENTRY_ROOM: usize = 27;

/// What follows a successful poll's or ppoll's return value, inside the
/// parentheses: the entries with events, `[{fd=4, revents=POLLOUT}]`,
/// then for ppoll (`left` is the timespec the kernel wrote back) `, left
/// {tv_sec=0, tv_nsec=...}`. The entries are cut as strace cuts them:
/// `...` for a 33rd one or one that does not fit its buffer, and `...`
/// for a time left that does not fit. `ready` is the call's result: the
/// kernel has set that many, so the scan stops there.
fn poll_note(m: &dyn GuestMem, addr: u64, nfds: u32, ready: u64, left: Option<String>) -> String {
    let mut s = String::new();
    let mut listed = 0u64;
    let mut seen = 0u64;
    for i in 0..u64::from(nfds) {
        if seen == ready {
            break;
        }
        let Some(p) = pollfd(m, addr, i) else {
            break;
        };
        if p.revents == 0 {
            continue;
        }
        seen += 1;
        s += if s.is_empty() { "[" } else { ", " };
        let entry = format!("{{fd={}, revents={}}}", p.fd, poll_revents(p.revents));
        if listed == MAX_STRLEN as u64
            || s.len() + entry.len() >= POLL_NOTE_BUF - POLL_NOTE_ENTRY_ROOM
        {
            s += "...";
            break;
        }
        s += &entry;
        listed += 1;
    }
    if !s.is_empty() {
        s.push(']');
    }
    if let Some(left) = left {
        let sep = if s.is_empty() { "left " } else { ", left " };
        // The terminating NUL must fit too.
        if s.len() + sep.len() + left.len() < POLL_NOTE_BUF - 1 {
            s += sep;
            s += &left;
        } else {
            s += ", ...";
        }
    }
    s
}

/// poll's and ppoll's return value: `0 (Timeout)`, or the count with the
/// entries that have events (and ppoll's time left).
fn poll_return(m: &dyn GuestMem, c: &Call, left: Option<String>) -> RetStyle {
    match c.ret {
        Some(0) => RetStyle::Note("Timeout".into()),
        Some(r) if r > 0 => {
            RetStyle::Note(poll_note(m, c.args[0], c.args[1] as u32, r as u64, left))
        }
        _ => RetStyle::Dec,
    }
}

/// The most descriptors of an `fd_set` read (2^20, a 128 KiB set): a
/// hostile nfds (up to 2^31) must not make us read 256 MiB of guest
/// memory, and strace too shows no descriptor past about this many.
const FD_SET_MAX_FDS: u64 = 1 << 20;

/// The descriptors set in the `fd_set` at `addr` below `nfds`, or None if
/// it cannot be read.
fn fd_set_fds(m: &dyn GuestMem, addr: u64, nfds: i32) -> Option<Vec<u64>> {
    let n = u64::try_from(nfds).ok()?.min(FD_SET_MAX_FDS);
    let words = n.div_ceil(64) as usize;
    let bytes = m.bytes(addr, words * 8).ok()?;
    Some(
        bytes
            .chunks_exact(8)
            .enumerate()
            .flat_map(|(w, b)| {
                let word = u64::from_le_bytes(b.try_into().unwrap());
                (0..64)
                    .filter(move |bit| word & (1 << bit) != 0)
                    .map(move |bit| w as u64 * 64 + bit)
            })
            .filter(|&fd| fd < n)
            .collect(),
    )
}

/// A select set as an argument: `[3 4]` (every descriptor: strace does not
/// cut these), `NULL`; the address when it cannot be read or nfds is not
/// positive (strace reads nothing then).
fn fd_set_at(m: &dyn GuestMem, addr: u64, nfds: i32) -> String {
    if addr == 0 {
        return "NULL".into();
    }
    match fd_set_fds(m, addr, nfds).filter(|_| nfds > 0) {
        Some(fds) => {
            let fds: Vec<String> = fds.iter().map(u64::to_string).collect();
            format!("[{}]", fds.join(" "))
        }
        None => format!("{addr:#x}"),
    }
}

/// strace lists a descriptor after select's result only while the text
/// so far is at most this long (measured natively: a descriptor is listed
/// after 998 bytes, not after 999, whatever its digits).
const SELECT_NOTE_FD_ROOM: usize = 998;

/// What follows a successful select's or pselect6's return value, inside
/// the parentheses: the sets as the call left them, `in [3], out [4]`
/// (`except` for the third; a set with nothing ready left out), then the
/// time left that the kernel wrote back. As in strace's fixed buffer: a
/// descriptor past [`SELECT_NOTE_FD_ROOM`] is dropped without a mark (a
/// set that had some still gets its `]`, even with its name dropped), and
/// the time left is dropped if the whole would reach 1023 bytes.
fn select_note(m: &dyn GuestMem, nfds: i32, sets: [u64; 3], left: Option<String>) -> String {
    let mut s = String::new();
    for (name, addr) in ["in", "out", "except"].into_iter().zip(sets) {
        if addr == 0 {
            continue;
        }
        let Some(fds) = fd_set_fds(m, addr, nfds) else {
            continue;
        };
        let mut opened = false;
        for fd in &fds {
            if s.len() > SELECT_NOTE_FD_ROOM {
                continue;
            }
            if opened {
                s.push(' ');
            } else {
                if !s.is_empty() {
                    s += ", ";
                }
                s += name;
                s += " [";
                opened = true;
            }
            s += &fd.to_string();
        }
        if !fds.is_empty() {
            s.push(']');
        }
    }
    if let Some(left) = left {
        let sep = if s.is_empty() { "left " } else { ", left " };
        if s.len() + sep.len() + left.len() < POLL_NOTE_BUF - 1 {
            s += sep;
            s += &left;
        }
    }
    s
}

/// select's and pselect6's return value: `0 (Timeout)`, or the count with
/// the sets as the call left them and the time left (`left`).
fn select_return(m: &dyn GuestMem, c: &Call, left: Option<String>) -> RetStyle {
    let nfds = c.args[0] as i32;
    match c.ret {
        Some(0) => RetStyle::Note("Timeout".into()),
        Some(r) if r > 0 => RetStyle::Note(select_note(
            m,
            nfds,
            [c.args[1], c.args[2], c.args[3]],
            left,
        )),
        _ => RetStyle::Dec,
    }
}

/// select's (and pselect6's) nfds and sets. They are read at exit: after
/// a failure they are what the program passed, but after a success (or a
/// timeout) Linux has replaced each with the descriptors found ready, so
/// a descriptor that was asked about and is not ready is missing here
/// where strace, which reads them at entry too, shows it.
fn select_sets(m: &dyn GuestMem, a: &[u64; 6]) -> String {
    let nfds = a[0] as i32;
    format!(
        "{nfds}, {}, {}, {}",
        fd_set_at(m, a[1], nfds),
        fd_set_at(m, a[2], nfds),
        fd_set_at(m, a[3], nfds)
    )
}

/// pselect6's sixth argument, `{const sigset_t *ss; size_t ss_len}`:
/// `{sigmask=[USR1], sigsetsize=8}` (the mask decoded only at the size
/// the kernel accepts), `NULL`, or the address when it cannot be read.
fn pselect_sig_at(m: &dyn GuestMem, addr: u64) -> String {
    record_at(m, addr, |[mask, size]: [u64; 2]| {
        format!(
            "{{sigmask={}, sigsetsize={size}}}",
            sigset_sized_at(m, mask, size)
        )
    })
}

fn epoll_event(e: &EpollEvent) -> String {
    let data = e.data.get();
    format!(
        "{{events={}, data={{u32={}, u64={data}}}}}",
        epoll_events(e.events.get()),
        data as u32
    )
}

/// epoll_ctl's event, what the program gives (the call does not write
/// it).
fn epoll_event_at(m: &dyn GuestMem, addr: u64) -> String {
    record_at(m, addr, |e: EpollEvent| epoll_event(&e))
}

/// The `n` events an epoll wait returned: `[{events=EPOLLIN, data={u32=7,
/// u64=7}}]`, `[]` for none, at most [`MAX_STRLEN`] then `...`, as strace
/// cuts arrays; the address if they cannot be read.
fn epoll_events_at(m: &dyn GuestMem, addr: u64, n: u64) -> String {
    let size = size_of::<EpollEvent>() as u64;
    let mut parts = Vec::new();
    for i in 0..n.min(MAX_STRLEN as u64) {
        let Some(e) = i
            .checked_mul(size)
            .and_then(|off| addr.checked_add(off))
            .and_then(|at| m.get::<EpollEvent>(at).ok())
        else {
            return format!("{addr:#x}");
        };
        parts.push(epoll_event(&e));
    }
    if n > MAX_STRLEN as u64 {
        parts.push("...".into());
    }
    format!("[{}]", parts.join(", "))
}

/// epoll_wait's, epoll_pwait's and epoll_pwait2's first three arguments:
/// the events are the call's output, shown once it succeeded.
fn epoll_wait_head(m: &dyn GuestMem, a: &[u64; 6], ok: bool, ret: i64) -> String {
    let events = shown_if(ok, a[1], || epoll_events_at(m, a[1], ret as u64));
    format!("{}, {events}, {}", int(a[0]), int(a[2]))
}

/// How a successful return value is shown.
enum RetStyle {
    Dec,
    Hex,
    Oct,
    /// A signal number: `10 (SIGUSR1)`.
    Signal,
    /// The number and, unless empty, this in parentheses: `0 (Timeout)`.
    Note(String),
}

/// Appends `= ret` at column [`RETURN_COLUMN`], or ` = ret` past it.
fn pad_return(line: &mut String, ret: &str) {
    let len = line.chars().count();
    if len < RETURN_COLUMN {
        line.extend(std::iter::repeat_n(' ', RETURN_COLUMN - len));
    } else {
        line.push(' ');
    }
    line.push_str("= ");
    line.push_str(ret);
}

/// `name(args) = ret` for one call (without prefix or newline).
pub fn format_call(c: &Call, m: &dyn GuestMem) -> String {
    let (mut s, ret) = format_parts(c, m);
    pad_return(&mut s, &ret);
    s
}

/// `name(args)` and the return value as strace shows them (`?` for a
/// call that does not return).
pub fn format_parts(c: &Call, m: &dyn GuestMem) -> (String, String) {
    let a = c.args;
    let ok = c.ret.is_some_and(|r| !is_error(r));
    let retv = c.ret.unwrap_or(0);
    let mut style = RetStyle::Dec;
    let name = sys::Name(c.nr);
    let args: String = match c.nr {
        // read(fd, buf, count): the data read, at exit.
        sys::__NR_read => {
            let buf = shown_if(ok, a[1], || buffer(m, a[1], retv as u64, false));
            format!("{}, {buf}, {}", fd(a[0]), a[2])
        }
        sys::__NR_write => format!("{}, {}, {}", fd(a[0]), buffer(m, a[1], a[2], false), a[2]),
        sys::__NR_close | sys::__NR_dup => fd(a[0]),
        sys::__NR_fstat => {
            let st = shown_if(ok, a[1], || stat_at(m, a[1]));
            format!("{}, {st}", fd(a[0]))
        }
        sys::__NR_lseek => format!("{}, {}, {}", fd(a[0]), a[1] as i64, whence(a[2])),
        sys::__NR_mmap => {
            style = RetStyle::Hex;
            let off = if a[5] == 0 {
                "0".to_string()
            } else {
                format!("{:#x}", a[5])
            };
            format!(
                "{}, {}, {}, {}, {}, {off}",
                ptr(a[0]),
                a[1],
                prot(a[2]),
                map_flags(a[3]),
                fd(a[4])
            )
        }
        sys::__NR_mprotect => format!("{:#x}, {}, {}", a[0], a[1], prot(a[2])),
        sys::__NR_munmap => format!("{:#x}, {}", a[0], a[1]),
        sys::__NR_brk => {
            style = RetStyle::Hex;
            ptr(a[0])
        }
        sys::__NR_rt_sigaction => {
            let old = shown_if(ok, a[2], || sigaction_at(m, a[2]));
            format!(
                "{}, {}, {old}, {}",
                signal_name(a[0]),
                sigaction_at(m, a[1]),
                a[3]
            )
        }
        sys::__NR_rt_sigprocmask => {
            let old = shown_if(ok, a[2], || sigset_at(m, a[2]));
            format!(
                "{}, {}, {old}, {}",
                sigprocmask_how(a[0]),
                sigset_at(m, a[1]),
                a[3]
            )
        }
        sys::__NR_ioctl => {
            let arg = match a[1] {
                FIONREAD => shown_if(ok, a[2], || int_at(m, a[2])),
                FIONBIO => int_at(m, a[2]),
                _ => ptr(a[2]),
            };
            format!("{}, {}, {arg}", fd(a[0]), ioctl_request(a[1]))
        }
        sys::__NR_pipe => fd_pair_at(m, a[0], ok),
        sys::__NR_pipe2 => format!("{}, {}", fd_pair_at(m, a[0], ok), pipe_flags(a[1])),
        // The array is read at exit: the kernel changed only revents, so
        // fd and events are still what the program asked.
        sys::__NR_poll => {
            style = poll_return(m, c, None);
            format!(
                "{}, {}, {}",
                pollfds_at(m, a[0], a[1] as u32),
                a[1] as u32,
                a[2] as i32
            )
        }
        // The timeout is read at exit, when Linux has replaced a non-zero
        // one with the time left: this shows what the timespec holds then
        // (strace, which also stops at entry, shows the timeout asked).
        sys::__NR_ppoll => {
            let left = (a[2] != 0)
                .then(|| m.get::<Timespec>(a[2]).ok().map(|t| ts(&t)))
                .flatten();
            style = poll_return(m, c, left);
            format!(
                "{}, {}, {}, {}, {}",
                pollfds_at(m, a[0], a[1] as u32),
                a[1] as u32,
                timespec(m, a[2]),
                sigset_sized_at(m, a[3], a[4]),
                a[4]
            )
        }
        // The sets and the timeout are read at exit (see select_sets); the
        // timeout then holds the time left Linux wrote into it, not the
        // timeout asked that strace shows.
        sys::__NR_select => {
            let left = (a[4] != 0)
                .then(|| m.get::<Timeval>(a[4]).ok().map(|t| tv(&t)))
                .flatten();
            style = select_return(m, c, left);
            format!("{}, {}", select_sets(m, &a), timeval(m, a[4]))
        }
        sys::__NR_pselect6 => {
            let left = (a[4] != 0)
                .then(|| m.get::<Timespec>(a[4]).ok().map(|t| ts(&t)))
                .flatten();
            style = select_return(m, c, left);
            format!(
                "{}, {}, {}",
                select_sets(m, &a),
                timespec(m, a[4]),
                pselect_sig_at(m, a[5])
            )
        }
        sys::__NR_epoll_create => int(a[0]),
        sys::__NR_epoll_create1 => epoll_create_flags(a[0]),
        // EPOLL_CTL_DEL ignores the event: strace shows only its address.
        sys::__NR_epoll_ctl => {
            let event = if a[1] & 0xffff_ffff == EPOLL_CTL_DEL {
                ptr(a[3])
            } else {
                epoll_event_at(m, a[3])
            };
            format!("{}, {}, {}, {event}", int(a[0]), epoll_op(a[1]), int(a[2]))
        }
        sys::__NR_epoll_wait => format!("{}, {}", epoll_wait_head(m, &a, ok, retv), int(a[3])),
        // strace prints these at exit, and a failed call's mask and
        // timeout as their addresses.
        sys::__NR_epoll_pwait => format!(
            "{}, {}, {}, {}",
            epoll_wait_head(m, &a, ok, retv),
            int(a[3]),
            shown_if(ok, a[4], || sigset_sized_at(m, a[4], a[5])),
            a[5]
        ),
        sys::__NR_epoll_pwait2 => format!(
            "{}, {}, {}, {}",
            epoll_wait_head(m, &a, ok, retv),
            shown_if(ok, a[3], || timespec(m, a[3])),
            shown_if(ok, a[4], || sigset_sized_at(m, a[4], a[5])),
            a[5]
        ),
        sys::__NR_writev => format!(
            "{}, {}, {}",
            fd(a[0]),
            iovec_at(m, a[1], a[2], Some(if ok { retv as u64 } else { u64::MAX })),
            a[2]
        ),
        sys::__NR_madvise => format!("{:#x}, {}, {}", a[0], a[1], madvise(a[2])),
        sys::__NR_dup2 => format!("{}, {}", fd(a[0]), fd(a[1])),
        sys::__NR_nanosleep => format!("{}, {}", timespec(m, a[0]), ptr(a[1])),
        sys::__NR_clone => clone_args(c, m),
        sys::__NR_exit | sys::__NR_exit_group => int(a[0]),
        sys::__NR_wait4 => format!(
            "{}, {}, {}, {}",
            a[0] as i32,
            wait_status_at(m, a[1], ok && retv > 0),
            wait_options(a[2]),
            ptr(a[3])
        ),
        sys::__NR_kill | sys::__NR_tkill => format!("{}, {}", a[0] as i32, signal_name(a[1])),
        sys::__NR_uname => shown_if(ok, a[0], || utsname_at(m, a[0])),
        sys::__NR_fcntl => match a[1] {
            F_GETFD | F_GETFL => format!("{}, {}", fd(a[0]), fcntl_cmd(a[1])),
            F_SETFD => format!("{}, {}, {}", fd(a[0]), fcntl_cmd(a[1]), fd_flags(a[2])),
            _ => format!("{}, {}, {}", fd(a[0]), fcntl_cmd(a[1]), a[2]),
        },
        sys::__NR_readlink => {
            let buf = shown_if(ok, a[1], || buffer(m, a[1], retv as u64, false));
            format!("{}, {buf}, {}", path(m, a[0]), a[2])
        }
        sys::__NR_umask => {
            style = RetStyle::Oct;
            octal(a[0])
        }
        sys::__NR_gettimeofday => {
            format!("{}, {}", shown_if(ok, a[0], || timeval(m, a[0])), ptr(a[1]))
        }
        sys::__NR_getrlimit => format!(
            "{}, {}",
            rlimit_resource(a[0]),
            shown_if(ok, a[1], || rlimit_at(m, a[1]))
        ),
        sys::__NR_arch_prctl => format!("{}, {}", arch_prctl_code(a[0]), ptr(a[1])),
        sys::__NR_time => ptr(a[0]),
        sys::__NR_futex => futex_args(c, m),
        sys::__NR_set_tid_address => ptr(a[0]),
        sys::__NR_clock_gettime | sys::__NR_clock_getres => format!(
            "{}, {}",
            clock_name(a[0]),
            shown_if(ok, a[1], || timespec(m, a[1]))
        ),
        sys::__NR_clock_nanosleep => format!(
            "{}, {}, {}, {}",
            clock_name(a[0]),
            timer_flags(a[1]),
            timespec(m, a[2]),
            ptr(a[3])
        ),
        sys::__NR_tgkill => format!("{}, {}, {}", a[0] as i32, a[1] as i32, signal_name(a[2])),
        sys::__NR_newfstatat => {
            let st = shown_if(ok, a[2], || stat_at(m, a[2]));
            format!(
                "{}, {}, {st}, {}",
                fd(a[0]),
                path(m, a[1]),
                path_flags(a[3])
            )
        }
        sys::__NR_set_robust_list => format!("{}, {}", ptr(a[0]), a[1]),
        sys::__NR_dup3 => format!("{}, {}, {}", fd(a[0]), fd(a[1]), open_flags(a[2])),
        sys::__NR_prlimit64 => format!(
            "{}, {}, {}, {}",
            a[0] as i32,
            rlimit_resource(a[1]),
            rlimit_at(m, a[2]),
            shown_if(ok, a[3], || rlimit_at(m, a[3]))
        ),
        sys::__NR_getrandom => {
            let buf = shown_if(ok, a[0], || buffer(m, a[0], retv as u64, true));
            format!("{buf}, {}, {}", a[1], getrandom_flags(a[2]))
        }
        sys::__NR_clone3 => clone3_args(c, m),
        // The kernel reports the mask the frame restored as the argument.
        sys::__NR_rt_sigreturn => format!("{{mask={}}}", sigset(a[0])),
        sys::__NR_sigaltstack => format!(
            "{}, {}",
            stack_at(m, a[0]),
            shown_if(ok, a[1], || stack_at(m, a[1]))
        ),
        sys::__NR_rt_sigpending => {
            format!("{}, {}", shown_if(ok, a[0], || sigset_at(m, a[0])), a[1])
        }
        sys::__NR_rt_sigtimedwait => {
            style = RetStyle::Signal;
            format!(
                "{}, {}, {}, {}",
                sigset_at(m, a[0]),
                shown_if(ok, a[1], || siginfo_at(m, a[1])),
                timespec(m, a[2]),
                a[3]
            )
        }
        sys::__NR_rt_sigsuspend => format!("{}, {}", sigset_at(m, a[0]), a[1]),
        sys::__NR_rt_sigqueueinfo => format!(
            "{}, {}, {}",
            a[0] as i32,
            signal_name(a[1]),
            siginfo_at(m, a[2])
        ),
        sys::__NR_rt_tgsigqueueinfo => format!(
            "{}, {}, {}, {}",
            a[0] as i32,
            a[1] as i32,
            signal_name(a[2]),
            siginfo_at(m, a[3])
        ),
        sys::__NR_alarm => (a[0] as u32).to_string(),
        sys::__NR_setitimer => format!(
            "{}, {}, {}",
            itimer_which(a[0]),
            itimerval_at(m, a[1]),
            shown_if(ok, a[2], || itimerval_at(m, a[2]))
        ),
        sys::__NR_getitimer => format!(
            "{}, {}",
            itimer_which(a[0]),
            shown_if(ok, a[1], || itimerval_at(m, a[1]))
        ),
        sys::__NR_timer_create => format!(
            "{}, {}, {}",
            clock_name(a[0]),
            sigevent_at(m, a[1]),
            shown_if(ok, a[2], || int_at(m, a[2]))
        ),
        sys::__NR_timer_settime => format!(
            "{}, {}, {}, {}",
            a[0] as i32,
            timer_flags(a[1]),
            itimerspec_at(m, a[2]),
            shown_if(ok, a[3], || itimerspec_at(m, a[3]))
        ),
        sys::__NR_timer_gettime => format!(
            "{}, {}",
            a[0] as i32,
            shown_if(ok, a[1], || itimerspec_at(m, a[1]))
        ),
        sys::__NR_timer_getoverrun | sys::__NR_timer_delete => int(a[0]),
        sys::__NR_pidfd_send_signal => format!(
            "{}, {}, {}, {}",
            fd(a[0]),
            signal_name(a[1]),
            siginfo_at(m, a[2]),
            a[3] as u32
        ),
        _ => {
            let n = arity(c.nr);
            a[..n]
                .iter()
                .map(|&v| hex(v))
                .collect::<Vec<_>>()
                .join(", ")
        }
    };
    let ret = match c.ret {
        None => "?".to_string(),
        Some(r) if is_error(r) => error_return(r),
        Some(r) => match style {
            RetStyle::Dec => r.to_string(),
            RetStyle::Hex => format!("{r:#x}"),
            RetStyle::Oct => octal(r as u64),
            RetStyle::Signal => format!("{r} ({})", signal_name(r as u64)),
            RetStyle::Note(ref n) if n.is_empty() => r.to_string(),
            RetStyle::Note(ref n) => format!("{r} ({n})"),
        },
    };
    (format!("{name}({args})"), ret)
}

/// How many arguments strace prints for a call it shows undecoded (all six
/// for a number Linux does not use).
fn arity(nr: u64) -> usize {
    sys::lookup(nr).map_or(6, |s| usize::from(s.nargs))
}

/// An undecoded argument as C's `%#lx` prints it (strace's notation): `0`,
/// `0x20`.
fn hex(v: u64) -> String {
    if v == 0 {
        "0".into()
    } else {
        format!("{v:#x}")
    }
}

/// Legacy clone (x86_64 order: flags, stack, parent_tid, child_tid, tls).
fn clone_args(c: &Call, m: &dyn GuestMem) -> String {
    let [flags, stack, ptid, ctid, tls, _] = c.args;
    let mut s = format!(
        "child_stack={}, flags={}",
        ptr(stack),
        decode::clone_flags(flags)
    );
    if flags & CLONE_PARENT_SETTID != 0 {
        let shown = match (c.ret, m.get::<u32>(ptid)) {
            (Some(r), Ok(v)) if r > 0 => format!("[{}]", v as i32),
            _ => format!("{ptid:#x}"),
        };
        let _ = write!(s, ", parent_tid={shown}");
    }
    if flags & (CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID) != 0 {
        let _ = write!(s, ", child_tidptr={ctid:#x}");
    }
    if flags & CLONE_SETTLS != 0 {
        let _ = write!(s, ", tls={tls:#x}");
    }
    s
}

/// clone3's `struct clone_args` (flags, pidfd, child_tid, parent_tid,
/// exit_signal, stack, stack_size, tls, set_tid, set_tid_size, cgroup).
fn clone3_args(c: &Call, m: &dyn GuestMem) -> String {
    let [addr, size, ..] = c.args;
    let n = (size as usize).min(CLONE_ARGS_SIZE_VER2 as usize) / 8;
    let Ok(b) = m.bytes(addr, n * 8) else {
        return format!("{addr:#x}, {size}");
    };
    let f = |i: usize| {
        if i < n {
            u64::from_le_bytes(b[i * 8..i * 8 + 8].try_into().unwrap())
        } else {
            0
        }
    };
    let flags = f(0);
    let mut s = format!("{{flags={}", clone3_flags(flags));
    if flags & CLONE_PIDFD != 0 {
        let _ = write!(s, ", pidfd={:#x}", f(1));
    }
    if flags & (CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID) != 0 {
        let _ = write!(s, ", child_tid={:#x}", f(2));
    }
    if flags & CLONE_PARENT_SETTID != 0 {
        let _ = write!(s, ", parent_tid={:#x}", f(3));
    }
    let sig = f(4);
    let _ = write!(
        s,
        ", exit_signal={}, stack={:#x}, stack_size={:#x}",
        if sig == 0 {
            "0".to_string()
        } else {
            signal_name(sig)
        },
        f(5),
        f(6)
    );
    if flags & CLONE_SETTLS != 0 {
        let _ = write!(s, ", tls={:#x}", f(7));
    }
    if f(9) != 0 {
        let _ = write!(s, ", set_tid={:#x}, set_tid_size={}", f(8), f(9));
    }
    if f(10) != 0 {
        let _ = write!(s, ", cgroup={}", f(10));
    }
    s.push('}');
    // What the kernel wrote back, as strace shows it at exit.
    if c.ret.is_some_and(|r| r > 0) {
        let mut back = Vec::new();
        if flags & CLONE_PIDFD != 0 {
            if let Ok(v) = m.get::<u32>(f(1)) {
                back.push(format!("pidfd=[{}]", v as i32));
            }
        }
        if flags & CLONE_PARENT_SETTID != 0 {
            if let Ok(v) = m.get::<u32>(f(3)) {
                back.push(format!("parent_tid=[{}]", v as i32));
            }
        }
        if !back.is_empty() {
            let _ = write!(s, " => {{{}}}", back.join(", "));
        }
    }
    format!("{s}, {size}")
}

fn futex_args(c: &Call, m: &dyn GuestMem) -> String {
    let [uaddr, op, val, arg4, uaddr2, val3] = c.args;
    let head = format!("{uaddr:#x}, {}", futex_op(op));
    let bitset = |v: u64| {
        if v as u32 == FUTEX_BITSET_MATCH_ANY {
            "FUTEX_BITSET_MATCH_ANY".to_string()
        } else {
            format!("{:#x}", v as u32)
        }
    };
    let val = val as u32;
    match futex_cmd(op & 0xffff_ffff) {
        FUTEX_WAIT => format!("{head}, {val}, {}", timespec(m, arg4)),
        FUTEX_WAKE | FUTEX_UNLOCK_PI | FUTEX_TRYLOCK_PI => format!("{head}, {val}"),
        FUTEX_REQUEUE => format!("{head}, {val}, {}, {uaddr2:#x}", arg4 as u32),
        FUTEX_CMP_REQUEUE | FUTEX_CMP_REQUEUE_PI => format!(
            "{head}, {val}, {}, {uaddr2:#x}, {}",
            arg4 as u32, val3 as u32
        ),
        FUTEX_LOCK_PI | FUTEX_LOCK_PI2 => format!("{head}, {}", timespec(m, arg4)),
        FUTEX_WAIT_BITSET => format!("{head}, {val}, {}, {}", timespec(m, arg4), bitset(val3)),
        FUTEX_WAKE_BITSET => format!("{head}, {val}, {}", bitset(val3)),
        FUTEX_WAIT_REQUEUE_PI => format!("{head}, {val}, {}, {uaddr2:#x}", timespec(m, arg4)),
        _ => format!("{head}, {val}, {arg4:#x}, {uaddr2:#x}, {:#x}", val3 as u32),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// User memory as a map of byte runs (tests).
    #[derive(Default)]
    struct FakeMem(BTreeMap<u64, Vec<u8>>);

    impl GuestMem for FakeMem {
        fn read(&self, addr: u64, buf: &mut [u8]) -> Result<(), ReadError> {
            let (start, bytes) = self
                .0
                .range(..=addr)
                .next_back()
                .ok_or(ReadError::NotMapped(addr))?;
            let off = (addr - start) as usize;
            let src = bytes
                .get(off..off + buf.len())
                .ok_or(ReadError::NotMapped(addr))?;
            buf.copy_from_slice(src);
            Ok(())
        }
    }

    fn call(nr: u64, args: &[u64], ret: Option<i64>) -> Call {
        let mut a = [0; 6];
        a[..args.len()].copy_from_slice(args);
        Call { nr, args: a, ret }
    }

    fn words(w: &[u64]) -> Vec<u8> {
        w.iter().flat_map(|x| x.to_le_bytes()).collect()
    }

    fn words32(w: &[u32]) -> Vec<u8> {
        w.iter().flat_map(|x| x.to_le_bytes()).collect()
    }

    #[test]
    fn write_and_errors() {
        let mut m = FakeMem::default();
        m.0.insert(0x1000, b"thread\n".to_vec());
        assert_eq!(
            format_call(&call(sys::__NR_write, &[1, 0x1000, 7], Some(7)), &m),
            "write(1, \"thread\\n\", 7)                 = 7"
        );
        assert_eq!(
            format_call(&call(sys::__NR_close, &[99], Some(-9)), &m),
            "close(99)                               = -1 EBADF (Bad file descriptor)"
        );
        // Unreadable buffer: the address.
        assert_eq!(
            format_call(&call(sys::__NR_write, &[1, 0x5000, 3], Some(-14)), &m),
            "write(1, 0x5000, 3)                     = -1 EFAULT (Bad address)"
        );
        assert_eq!(
            format_call(&call(sys::__NR_exit_group, &[0], None), &m),
            "exit_group(0)                           = ?"
        );
    }

    #[test]
    fn mm_calls() {
        let m = FakeMem::default();
        assert_eq!(
            format_call(&call(sys::__NR_mmap, &[0, 8392704, 0, 0x20022, u64::MAX, 0], Some(0x7f00_0000)), &m),
            "mmap(NULL, 8392704, PROT_NONE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_STACK, -1, 0) = 0x7f000000"
        );
        assert_eq!(
            format_call(
                &call(sys::__NR_mprotect, &[0x7f00_1000, 4096, 3], Some(0)),
                &m
            ),
            "mprotect(0x7f001000, 4096, PROT_READ|PROT_WRITE) = 0"
        );
        assert_eq!(
            format_call(
                &call(sys::__NR_madvise, &[0x7f00_0000, 8372224, 4], Some(0)),
                &m
            ),
            "madvise(0x7f000000, 8372224, MADV_DONTNEED) = 0"
        );
    }

    #[test]
    fn clone3_from_user_memory() {
        let mut m = FakeMem::default();
        let flags = 0x3d0f00;
        m.0.insert(
            0x2000,
            words(&[
                flags, 0, 0x7990, 0x7990, 0, 0x10000, 0x800300, 0x76c0, 0, 0, 0,
            ]),
        );
        m.0.insert(0x7990, 42u32.to_le_bytes().to_vec());
        assert_eq!(
            format_call(&call(sys::__NR_clone3, &[0x2000, 88], Some(42)), &m),
            "clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID, child_tid=0x7990, parent_tid=0x7990, exit_signal=0, stack=0x10000, stack_size=0x800300, tls=0x76c0} => {parent_tid=[42]}, 88) = 42"
        );
        // Legacy clone as fork does it.
        assert_eq!(
            format_call(&call(sys::__NR_clone, &[0x0120_0011, 0, 0, 0x7a10, 0], Some(5)), &m),
            "clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7a10) = 5"
        );
    }

    #[test]
    fn futex_and_signals() {
        let mut m = FakeMem::default();
        m.0.insert(0x3000, words(&[0, 1_000_000]));
        m.0.insert(0x4000, words(&[!0u64]));
        assert_eq!(
            format_call(&call(sys::__NR_futex, &[0x7990, 128, 2, 0], Some(0)), &m),
            "futex(0x7990, FUTEX_WAIT_PRIVATE, 2, NULL) = 0"
        );
        assert_eq!(
            format_call(&call(sys::__NR_futex, &[0x7990, 129, 1], Some(1)), &m),
            "futex(0x7990, FUTEX_WAKE_PRIVATE, 1)    = 1"
        );
        assert_eq!(
            format_call(&call(sys::__NR_futex, &[0x7990, 9 | 256, 7, 0, 0, u32::MAX as u64], Some(-11)), &m),
            "futex(0x7990, FUTEX_WAIT_BITSET|FUTEX_CLOCK_REALTIME, 7, NULL, FUTEX_BITSET_MATCH_ANY) = -1 EAGAIN (Resource temporarily unavailable)"
        );
        assert_eq!(
            format_call(&call(sys::__NR_nanosleep, &[0x3000, 0], Some(0)), &m),
            "nanosleep({tv_sec=0, tv_nsec=1000000}, NULL) = 0"
        );
        assert_eq!(
            format_call(
                &call(sys::__NR_rt_sigprocmask, &[0, 0x4000, 0, 8], Some(0)),
                &m
            ),
            "rt_sigprocmask(SIG_BLOCK, ~[], NULL, 8) = 0"
        );
        assert_eq!(
            format_call(&call(400, &[1, 2, 3, 4, 5, 6], Some(-38)), &m),
            "syscall_0x190(0x1, 0x2, 0x3, 0x4, 0x5, 0x6) = -1 ENOSYS (Function not implemented)"
        );
    }

    /// The signal calls, each line as strace 6.1 printed it for the same
    /// arguments.
    #[test]
    fn signal_calls() {
        use abi::linux::uapi::{Itimerspec, Itimerval, Sigevent, Siginfo, StackT, Timeval};
        use zerocopy::IntoBytes;
        let mut m = FakeMem::default();
        let ss = StackT {
            ss_sp: 0x5648651d42a0,
            ss_flags: 0,
            _pad: 0,
            ss_size: 65536,
        };
        m.0.insert(0x1000, ss.as_bytes().to_vec());
        let off = StackT {
            ss_sp: 0,
            ss_flags: 2,
            _pad: 0,
            ss_size: 0,
        };
        m.0.insert(0x1100, off.as_bytes().to_vec());
        m.0.insert(0x1200, words(&[(1 << 9) | (1 << 14)]));
        let info = Siginfo::kill(10, abi::linux::signal::SI_TKILL, 5889, 0);
        m.0.insert(0x1300, info.as_bytes().to_vec());
        m.0.insert(0x1400, words(&[0, 1000]));
        let q = Siginfo::rt(12, abi::linux::signal::SI_QUEUE, 5889, 0, 7);
        m.0.insert(0x1500, q.as_bytes().to_vec());
        let tv = |s, u| Timeval {
            tv_sec: s,
            tv_usec: u,
        };
        let it = Itimerval {
            it_interval: tv(0, 0),
            it_value: tv(0, 5000),
        };
        m.0.insert(0x1600, it.as_bytes().to_vec());
        m.0.insert(0x1700, Itimerval::default().as_bytes().to_vec());
        let ev = Sigevent {
            sigev_value: 0x1234,
            sigev_signo: 14,
            sigev_notify: 0,
            un: [0; 12],
        };
        m.0.insert(0x1800, ev.as_bytes().to_vec());
        m.0.insert(0x1900, 0u32.to_le_bytes().to_vec());
        let mut its = Itimerspec::default();
        its.it_value.tv_nsec = 1_000_000;
        m.0.insert(0x1a00, its.as_bytes().to_vec());
        m.0.insert(0x1b00, Itimerspec::default().as_bytes().to_vec());
        m.0.insert(0x1c00, words(&[1 << 9]));
        let cases: &[(u64, &[u64], i64, &str)] = &[
            (sys::__NR_rt_sigreturn, &[0], 0, "rt_sigreturn({mask=[]})                 = 0"),
            (sys::__NR_rt_sigreturn, &[(1 << 9) | (1 << 14)], -4, "rt_sigreturn({mask=[USR1 TERM]})        = -1 EINTR (Interrupted system call)"),
            (sys::__NR_sigaltstack, &[0x1000, 0x1100], 0, "sigaltstack({ss_sp=0x5648651d42a0, ss_flags=0, ss_size=65536}, {ss_sp=NULL, ss_flags=SS_DISABLE, ss_size=0}) = 0"),
            (sys::__NR_sigaltstack, &[0, 0x1000], 0, "sigaltstack(NULL, {ss_sp=0x5648651d42a0, ss_flags=0, ss_size=65536}) = 0"),
            (sys::__NR_rt_sigpending, &[0x1c00, 8], 0, "rt_sigpending([USR1], 8)                = 0"),
            (sys::__NR_rt_sigtimedwait, &[0x1200, 0x1300, 0x1400, 8], 10, "rt_sigtimedwait([USR1 TERM], {si_signo=SIGUSR1, si_code=SI_TKILL, si_pid=5889, si_uid=0}, {tv_sec=0, tv_nsec=1000}, 8) = 10 (SIGUSR1)"),
            (sys::__NR_rt_sigtimedwait, &[0x1200, 0x7ffddf063a90, 0x1400, 8], -11, "rt_sigtimedwait([USR1 TERM], 0x7ffddf063a90, {tv_sec=0, tv_nsec=1000}, 8) = -1 EAGAIN (Resource temporarily unavailable)"),
            (sys::__NR_rt_sigsuspend, &[0x1c00, 8], -4, "rt_sigsuspend([USR1], 8)                = -1 EINTR (Interrupted system call)"),
            (sys::__NR_rt_tgsigqueueinfo, &[5889, 5889, 12, 0x1500], 0, "rt_tgsigqueueinfo(5889, 5889, SIGUSR2, {si_signo=SIGUSR2, si_code=SI_QUEUE, si_pid=5889, si_uid=0, si_int=7, si_ptr=0x7}) = 0"),
            (sys::__NR_rt_sigqueueinfo, &[5889, 12, 0x1500], 0, "rt_sigqueueinfo(5889, SIGUSR2, {si_signo=SIGUSR2, si_code=SI_QUEUE, si_pid=5889, si_uid=0, si_int=7, si_ptr=0x7}) = 0"),
            (sys::__NR_alarm, &[0], 0, "alarm(0)                                = 0"),
            (sys::__NR_setitimer, &[0, 0x1600, 0x1700], 0, "setitimer(ITIMER_REAL, {it_interval={tv_sec=0, tv_usec=0}, it_value={tv_sec=0, tv_usec=5000}}, {it_interval={tv_sec=0, tv_usec=0}, it_value={tv_sec=0, tv_usec=0}}) = 0"),
            (sys::__NR_setitimer, &[0, 0x1600, 0], 0, "setitimer(ITIMER_REAL, {it_interval={tv_sec=0, tv_usec=0}, it_value={tv_sec=0, tv_usec=5000}}, NULL) = 0"),
            (sys::__NR_getitimer, &[0, 0x1600], 0, "getitimer(ITIMER_REAL, {it_interval={tv_sec=0, tv_usec=0}, it_value={tv_sec=0, tv_usec=5000}}) = 0"),
            (sys::__NR_timer_create, &[0, 0x1800, 0x1900], 0, "timer_create(CLOCK_REALTIME, {sigev_value={sival_int=4660, sival_ptr=0x1234}, sigev_signo=SIGALRM, sigev_notify=SIGEV_SIGNAL}, [0]) = 0"),
            (sys::__NR_timer_settime, &[0, 0, 0x1a00, 0x1b00], 0, "timer_settime(0, 0, {it_interval={tv_sec=0, tv_nsec=0}, it_value={tv_sec=0, tv_nsec=1000000}}, {it_interval={tv_sec=0, tv_nsec=0}, it_value={tv_sec=0, tv_nsec=0}}) = 0"),
            (sys::__NR_timer_gettime, &[0, 0x1a00], 0, "timer_gettime(0, {it_interval={tv_sec=0, tv_nsec=0}, it_value={tv_sec=0, tv_nsec=1000000}}) = 0"),
            (sys::__NR_timer_getoverrun, &[0], 0, "timer_getoverrun(0)                     = 0"),
            (sys::__NR_timer_delete, &[0], 0, "timer_delete(0)                         = 0"),
            (sys::__NR_pidfd_send_signal, &[3, 10, 0, 0], 0, "pidfd_send_signal(3, SIGUSR1, NULL, 0)  = 0"),
            (sys::__NR_pause, &[], -4, "pause()                                 = -1 EINTR (Interrupted system call)"),
            (sys::__NR_kill, &[1, 15], 0, "kill(1, SIGTERM)                        = 0"),
        ];
        for &(nr, args, ret, want) in cases {
            assert_eq!(format_call(&call(nr, args, Some(ret)), &m), want);
        }
        // Records the guest cannot give: their addresses.
        assert_eq!(
            format_call(
                &call(sys::__NR_sigaltstack, &[0xdead0000, 0xdead1000], Some(-14)),
                &m
            ),
            "sigaltstack(0xdead0000, 0xdead1000)     = -1 EFAULT (Bad address)"
        );
        assert_eq!(
            format_call(&call(sys::__NR_rt_sigreturn, &[u64::MAX], Some(0)), &m),
            "rt_sigreturn({mask=~[]})                = 0"
        );
    }

    /// `struct pollfd` entries `(fd, events, revents)` as user memory.
    fn pollfds(v: &[(i32, i16, i16)]) -> Vec<u8> {
        v.iter()
            .flat_map(|&(fd, events, revents)| {
                Pollfd {
                    fd,
                    events,
                    revents,
                }
                .as_bytes()
                .to_vec()
            })
            .collect()
    }

    fn timespec_bytes(sec: i64, nsec: i64) -> Vec<u8> {
        Timespec {
            tv_sec: sec,
            tv_nsec: nsec,
        }
        .as_bytes()
        .to_vec()
    }

    const IN: i16 = abi::linux::poll::POLLIN as i16;
    const PRI: i16 = abi::linux::poll::POLLPRI as i16;
    const OUT: i16 = abi::linux::poll::POLLOUT as i16;
    const ERR: i16 = abi::linux::poll::POLLERR as i16;
    const HUP: i16 = abi::linux::poll::POLLHUP as i16;
    const NVAL: i16 = abi::linux::poll::POLLNVAL as i16;
    const WRNORM: i16 = abi::linux::poll::POLLWRNORM as i16;

    /// pipe, pipe2 and the FIONREAD/FIONBIO ioctls: each line as strace 6.1
    /// printed it natively for the same arguments and results.
    #[test]
    fn pipe_calls_and_ioctls() {
        let mut m = FakeMem::default();
        m.0.insert(0x1000, words32(&[3, 4]));
        m.0.insert(0x1010, words32(&[5, 6]));
        m.0.insert(0x1100, words32(&[5]));
        m.0.insert(0x1200, words32(&[1]));
        m.0.insert(0x1300, words32(&[0]));
        let (cloexec, nonblock, direct) = (0o2000000, 0o4000, 0o40000);
        let cases: &[(u64, &[u64], i64, &str)] = &[
            (sys::__NR_pipe, &[0x1000], 0, "pipe([3, 4])                            = 0"),
            (sys::__NR_pipe, &[0x8], -14, "pipe(0x8)                               = -1 EFAULT (Bad address)"),
            (sys::__NR_pipe, &[0], -14, "pipe(NULL)                              = -1 EFAULT (Bad address)"),
            (sys::__NR_pipe2, &[0x1010, 0], 0, "pipe2([5, 6], 0)                        = 0"),
            (sys::__NR_pipe2, &[0x1010, cloexec | nonblock], 0, "pipe2([5, 6], O_NONBLOCK|O_CLOEXEC)     = 0"),
            (sys::__NR_pipe2, &[0x1010, cloexec | nonblock | direct], 0, "pipe2([5, 6], O_NONBLOCK|O_DIRECT|O_CLOEXEC) = 0"),
            // On failure the array is not shown, even where it is readable.
            (sys::__NR_pipe2, &[0x1010, 0x10], -22, "pipe2(0x1010, 0x10 /* O_??? */)         = -1 EINVAL (Invalid argument)"),
            (sys::__NR_pipe2, &[0x7ffcfd086120, cloexec | 0x10], -22, "pipe2(0x7ffcfd086120, O_CLOEXEC|0x10)   = -1 EINVAL (Invalid argument)"),
            (sys::__NR_pipe2, &[0x8, cloexec], -14, "pipe2(0x8, O_CLOEXEC)                   = -1 EFAULT (Bad address)"),
            (sys::__NR_pipe2, &[0x7ffcfd086120, 0o200], -65, "pipe2(0x7ffcfd086120, O_EXCL)           = -1 ENOPKG (Package not installed)"),
            // FIONREAD's count is the call's output: shown once it succeeded.
            (sys::__NR_ioctl, &[3, 0x541b, 0x1100], 0, "ioctl(3, FIONREAD, [5])                 = 0"),
            (sys::__NR_ioctl, &[3, 0x541b, 0x8], -14, "ioctl(3, FIONREAD, 0x8)                 = -1 EFAULT (Bad address)"),
            (sys::__NR_ioctl, &[99, 0x541b, 0x1100], -9, "ioctl(99, FIONREAD, 0x1100)             = -1 EBADF (Bad file descriptor)"),
            // FIONBIO's flag is its input: shown whatever the result.
            (sys::__NR_ioctl, &[3, 0x5421, 0x1200], 0, "ioctl(3, FIONBIO, [1])                  = 0"),
            (sys::__NR_ioctl, &[3, 0x5421, 0x1300], 0, "ioctl(3, FIONBIO, [0])                  = 0"),
            (sys::__NR_ioctl, &[99, 0x5421, 0x1200], -9, "ioctl(99, FIONBIO, [1])                 = -1 EBADF (Bad file descriptor)"),
            (sys::__NR_ioctl, &[3, 0x5421, 0x8], -14, "ioctl(3, FIONBIO, 0x8)                  = -1 EFAULT (Bad address)"),
            // Other requests: the argument as a pointer, as before.
            (sys::__NR_ioctl, &[1, 0x5401, 0x1100], -25, "ioctl(1, TCGETS, 0x1100)                = -1 ENOTTY (Inappropriate ioctl for device)"),
        ];
        for &(nr, args, ret, want) in cases {
            assert_eq!(format_call(&call(nr, args, Some(ret)), &m), want);
        }
    }

    /// poll: the array with its events, the entries with revents after the
    /// result, `(Timeout)`, and unreadable arrays; strace 6.1's lines.
    #[test]
    fn poll_calls() {
        let mut m = FakeMem::default();
        m.0.insert(0x2000, pollfds(&[(3, IN, 0), (4, OUT, OUT)]));
        m.0.insert(0x2100, pollfds(&[(3, IN, IN), (4, OUT, OUT)]));
        m.0.insert(
            0x2200,
            pollfds(&[(3, IN | PRI, IN), (-1, IN, 0), (77, IN | OUT, NVAL)]),
        );
        m.0.insert(0x2300, pollfds(&[(4, IN, 0)]));
        m.0.insert(0x2400, pollfds(&[(4, 0x5000, 0)]));
        m.0.insert(0x2500, pollfds(&[(4, 0, 0)]));
        m.0.insert(0x2600, pollfds(&[(6, 0x4000, 0)]));
        m.0.insert(0x2700, pollfds(&[(-5, IN, 0)]));
        m.0.insert(0x2800, pollfds(&[(3, IN, HUP)]));
        m.0.insert(0x2900, pollfds(&[(3, IN, 0)]));
        m.0.insert(0x2a00, pollfds(&[(1000, OUT | WRNORM, OUT | ERR | WRNORM)]));
        // Two entries at the end of a page, the next one unmapped.
        m.0.insert(0x7f2bff71cff0, pollfds(&[(5, IN, 0), (6, OUT, 0)]));
        let cases: &[(&[u64], i64, &str)] = &[
            (&[0x2000, 2, 0], 1, "poll([{fd=3, events=POLLIN}, {fd=4, events=POLLOUT}], 2, 0) = 1 ([{fd=4, revents=POLLOUT}])"),
            (&[0x2100, 2, 100], 2, "poll([{fd=3, events=POLLIN}, {fd=4, events=POLLOUT}], 2, 100) = 2 ([{fd=3, revents=POLLIN}, {fd=4, revents=POLLOUT}])"),
            (&[0x2200, 3, u64::MAX], 2, "poll([{fd=3, events=POLLIN|POLLPRI}, {fd=-1}, {fd=77, events=POLLIN|POLLOUT}], 3, -1) = 2 ([{fd=3, revents=POLLIN}, {fd=77, revents=POLLNVAL}])"),
            (&[0x2300, 1, 10], 0, "poll([{fd=4, events=POLLIN}], 1, 10)    = 0 (Timeout)"),
            (&[0x8, 1, 10], -14, "poll(0x8, 1, 10)                        = -1 EFAULT (Bad address)"),
            (&[0, 0, 0], 0, "poll(NULL, 0, 0)                        = 0 (Timeout)"),
            // No entries: nothing is read, whatever the pointer.
            (&[0x8, 0, 0], 0, "poll([], 0, 0)                          = 0 (Timeout)"),
            (&[0x2400, 1, 0], 0, "poll([{fd=4, events=POLLREMOVE|0x4000}], 1, 0) = 0 (Timeout)"),
            (&[0x2500, 1, 0], 0, "poll([{fd=4, events=0}], 1, 0)          = 0 (Timeout)"),
            (&[0x2600, 1, 0], 0, "poll([{fd=6, events=0x4000 /* POLL??? */}], 1, 0) = 0 (Timeout)"),
            (&[0x2700, 1, 0], 0, "poll([{fd=-5}], 1, 0)                   = 0 (Timeout)"),
            (&[0x2800, 1, 0], 1, "poll([{fd=3, events=POLLIN}], 1, 0)     = 1 ([{fd=3, revents=POLLHUP}])"),
            (&[0x7f2bff71cff0, 3, 0], -14, "poll([{fd=5, events=POLLIN}, {fd=6, events=POLLOUT}, ... /* 0x7f2bff71d000 */], 3, 0) = -1 EFAULT (Bad address)"),
            // An array that would wrap past the top of memory.
            (&[0xfffffffffffffff0, 4, 0], -14, "poll(0xfffffffffffffff0, 4, 0)          = -1 EFAULT (Bad address)"),
            (&[0x2900, 1, 1000], -516, "poll([{fd=3, events=POLLIN}], 1, 1000)  = ? ERESTART_RESTARTBLOCK (Interrupted by signal)"),
            // nfds is an `unsigned int` and the timeout an `int`.
            (&[0x2a00, 0x1_0000_0001, 0xffff_ffff], 1, "poll([{fd=1000, events=POLLOUT|POLLWRNORM}], 1, -1) = 1 ([{fd=1000, revents=POLLOUT|POLLERR|POLLWRNORM}])"),
        ];
        for &(args, ret, want) in cases {
            assert_eq!(
                format_call(&call(sys::__NR_poll, args, Some(ret)), &m),
                want
            );
        }
    }

    /// Long poll arrays, cut as strace cuts them: the argument after 32
    /// entries; the revents after the 32nd entry that has some, or where
    /// strace's 1 KiB buffer for them ends (each expected line checked
    /// against strace 6.1's for the same array).
    #[test]
    fn long_poll_arrays() {
        let mut m = FakeMem::default();
        // 40 entries, all ready: fd 3 readable, fd 4 writable.
        let alternating: Vec<_> = (0..40)
            .map(|i| {
                if i % 2 == 0 {
                    (3, IN, IN)
                } else {
                    (4, OUT, OUT)
                }
            })
            .collect();
        m.0.insert(0x10000, pollfds(&alternating));
        let asked = "{fd=3, events=POLLIN}, {fd=4, events=POLLOUT}, ".repeat(16);
        let got = "{fd=3, revents=POLLIN}, {fd=4, revents=POLLOUT}, ".repeat(16);
        assert_eq!(
            format_call(&call(sys::__NR_poll, &[0x10000, 40, 0], Some(40)), &m),
            format!("poll([{asked}...], 40, 0) = 40 ([{got}...])")
        );
        // Only entry 35 ready: the scan for revents goes past 32.
        let mut one: Vec<_> = (0..40).map(|_| (3, OUT, 0)).collect();
        one[35] = (3, IN, IN);
        m.0.insert(0x11000, pollfds(&one));
        let line = format_call(&call(sys::__NR_poll, &[0x11000, 40, 0], Some(1)), &m);
        assert!(
            line.ends_with(", ...], 40, 0) = 1 ([{fd=3, revents=POLLIN}])"),
            "{line}"
        );
        // 32 entries are shown whole; 32 ready of 33 need no `...` after
        // the result, 33 do.
        let all: Vec<_> = (0..40).map(|_| (6, OUT, OUT)).collect();
        m.0.insert(0x12000, pollfds(&all));
        let asked = "{fd=6, events=POLLOUT}, ".repeat(32);
        let got = "{fd=6, revents=POLLOUT}, ".repeat(32);
        let (asked_32, got_32) = (&asked[..asked.len() - 2], &got[..got.len() - 2]);
        assert_eq!(
            format_call(&call(sys::__NR_poll, &[0x12000, 32, 0], Some(32)), &m),
            format!("poll([{asked_32}], 32, 0) = 32 ([{got_32}])")
        );
        assert_eq!(
            format_call(&call(sys::__NR_poll, &[0x12000, 33, 0], Some(33)), &m),
            format!("poll([{asked}...], 33, 0) = 33 ([{got}...])")
        );
        let mut first_32 = all.clone();
        first_32[32..].iter_mut().for_each(|p| p.2 = 0);
        m.0.insert(0x13000, pollfds(&first_32));
        assert_eq!(
            format_call(&call(sys::__NR_poll, &[0x13000, 40, 0], Some(32)), &m),
            format!("poll([{asked}...], 40, 0) = 32 ([{got_32}])")
        );
        // Long entries (the write end of a pipe with no reader) fill
        // strace's buffer after 21 of them.
        let long: Vec<_> = (0..40)
            .map(|_| (1000, OUT | WRNORM, OUT | ERR | WRNORM))
            .collect();
        m.0.insert(0x14000, pollfds(&long));
        let line = format_call(&call(sys::__NR_poll, &[0x14000, 40, 0], Some(40)), &m);
        let note = line.split_once(" = 40 (").unwrap().1;
        let entry = "{fd=1000, revents=POLLOUT|POLLERR|POLLWRNORM}, ";
        assert_eq!(note, format!("[{}...])", entry.repeat(21)));
    }

    /// strace's buffer for the revents, to the byte: an entry is listed if
    /// the text ends at most 996 bytes in, and ppoll's time left if the
    /// whole text stays under 1023 bytes (else `, ...`). The arrays are
    /// those that showed the limits natively: fds of 1 to 4 digits make
    /// entries of 42 to 45 bytes.
    #[test]
    fn poll_revents_fill_straces_buffer() {
        let mut m = FakeMem::default();
        let fill = |fds: &[(i32, usize)]| -> Vec<(i32, i16, i16)> {
            fds.iter()
                .flat_map(|&(fd, n)| std::iter::repeat_n((fd, OUT | WRNORM, OUT | ERR | WRNORM), n))
                .collect()
        };
        let left = Some("{tv_sec=0, tv_nsec=999998257}".to_string());
        // (fd, how many entries of it), the entries listed, whether the
        // time left fits.
        type Case = (&'static [(i32, usize)], usize, bool);
        let cases: &[Case] = &[
            // Text ends at byte 996 with the 22nd entry, at 997 with it.
            (&[(1000, 9), (500, 1), (5, 12)], 22, false),
            (&[(1000, 10), (5, 12)], 21, true),
            // The list is 986 bytes, then 987: the time left fits, then not.
            (&[(1000, 6), (5, 16)], 22, true),
            (&[(1000, 6), (50, 1), (5, 15)], 22, false),
        ];
        for (i, &(fds, listed, time_fits)) in cases.iter().enumerate() {
            let v = fill(fds);
            let addr = 0x20000 + i as u64 * 0x1000;
            m.0.insert(addr, pollfds(&v));
            let entries: Vec<String> = v
                .iter()
                .take(listed)
                .map(|p| format!("{{fd={}, revents=POLLOUT|POLLERR|POLLWRNORM}}", p.0))
                .collect();
            let mut list = format!("[{}", entries.join(", "));
            list += if listed < v.len() { ", ...]" } else { "]" };
            let n = v.len() as u32;
            assert_eq!(poll_note(&m, addr, n, u64::from(n), None), list, "case {i}");
            let with_left = poll_note(&m, addr, n, u64::from(n), left.clone());
            let want = if time_fits {
                format!("{list}, left {}", left.as_deref().unwrap())
            } else {
                format!("{list}, ...")
            };
            assert_eq!(with_left, want, "case {i}");
        }
    }

    /// ppoll. The timeout argument is read, like everything, at exit: where
    /// the call left the timespec alone (a zero timeout, or a failure
    /// before the wait) each line is strace 6.1's; after a wait it holds
    /// the time left that Linux wrote back.
    #[test]
    fn ppoll_calls() {
        let mut m = FakeMem::default();
        m.0.insert(0x2900, pollfds(&[(3, IN, 0)]));
        m.0.insert(0x2a00, pollfds(&[(3, IN, IN)]));
        m.0.insert(0x2b00, pollfds(&[(-5, IN, 0)]));
        m.0.insert(
            0x2c00,
            pollfds(&[(1000, OUT | WRNORM, OUT | ERR | WRNORM); 3]),
        );
        m.0.insert(0x3000, timespec_bytes(0, 0));
        m.0.insert(0x3100, timespec_bytes(0, 999_996_593));
        m.0.insert(0x3200, timespec_bytes(0, 2_000_000_000));
        m.0.insert(0x3300, timespec_bytes(-1, 0));
        m.0.insert(0x3400, timespec_bytes(0, 999_994_810));
        m.0.insert(0x3500, timespec_bytes(1, 0));
        m.0.insert(0x3800, words(&[1 << 9]));
        m.0.insert(0x3900, words(&[!(3u64 << 31)]));
        let cases: &[(&[u64], i64, &str)] = &[
            (&[0x2a00, 1, 0, 0, 8], 1, "ppoll([{fd=3, events=POLLIN}], 1, NULL, NULL, 8) = 1 ([{fd=3, revents=POLLIN}])"),
            (&[0x2a00, 1, 0x3000, 0, 0], 1, "ppoll([{fd=3, events=POLLIN}], 1, {tv_sec=0, tv_nsec=0}, NULL, 0) = 1 ([{fd=3, revents=POLLIN}], left {tv_sec=0, tv_nsec=0})"),
            (&[0x2900, 1, 0x3000, 0, 8], 0, "ppoll([{fd=3, events=POLLIN}], 1, {tv_sec=0, tv_nsec=0}, NULL, 8) = 0 (Timeout)"),
            (&[0x2900, 1, 0x3000, 0x3900, 8], 0, "ppoll([{fd=3, events=POLLIN}], 1, {tv_sec=0, tv_nsec=0}, ~[RTMIN RT_1], 8) = 0 (Timeout)"),
            // A sigsetsize the kernel refuses: the set as its address.
            (&[0x2900, 1, 0x3000, 0x7fff0edebef0, 7], -22, "ppoll([{fd=3, events=POLLIN}], 1, {tv_sec=0, tv_nsec=0}, 0x7fff0edebef0, 7) = -1 EINVAL (Invalid argument)"),
            (&[0x2b00, 1, 0x3400, 0x3800, 16], -22, "ppoll([{fd=-5}], 1, {tv_sec=0, tv_nsec=999994810}, 0x3800, 16) = -1 EINVAL (Invalid argument)"),
            (&[0x2b00, 1, 0x3400, 0x3800, 0], -22, "ppoll([{fd=-5}], 1, {tv_sec=0, tv_nsec=999994810}, 0x3800, 0) = -1 EINVAL (Invalid argument)"),
            (&[0x2900, 1, 0x8, 0, 8], -14, "ppoll([{fd=3, events=POLLIN}], 1, 0x8, NULL, 8) = -1 EFAULT (Bad address)"),
            (&[0x2900, 1, 0x3000, 0x8, 8], -14, "ppoll([{fd=3, events=POLLIN}], 1, {tv_sec=0, tv_nsec=0}, 0x8, 8) = -1 EFAULT (Bad address)"),
            (&[0x8, 1, 0x3000, 0, 8], -14, "ppoll(0x8, 1, {tv_sec=0, tv_nsec=0}, NULL, 8) = -1 EFAULT (Bad address)"),
            (&[0x2900, 1, 0x3200, 0, 8], -22, "ppoll([{fd=3, events=POLLIN}], 1, {tv_sec=0, tv_nsec=2000000000}, NULL, 8) = -1 EINVAL (Invalid argument)"),
            (&[0x2900, 1, 0x3300, 0, 8], -22, "ppoll([{fd=3, events=POLLIN}], 1, {tv_sec=-1, tv_nsec=0}, NULL, 8) = -1 EINVAL (Invalid argument)"),
            // sigsetsize is a size_t.
            (&[0x2c00, 3, 0, 0, (1 << 32) | 8], 3, "ppoll([{fd=1000, events=POLLOUT|POLLWRNORM}, {fd=1000, events=POLLOUT|POLLWRNORM}, {fd=1000, events=POLLOUT|POLLWRNORM}], 3, NULL, NULL, 4294967304) = 3 ([{fd=1000, revents=POLLOUT|POLLERR|POLLWRNORM}, {fd=1000, revents=POLLOUT|POLLERR|POLLWRNORM}, {fd=1000, revents=POLLOUT|POLLERR|POLLWRNORM}])"),
            // After a wait: strace shows {tv_sec=1, tv_nsec=0} (what was
            // asked) as the argument; at exit it is the time left.
            (&[0x2a00, 1, 0x3100, 0x3800, 8], 1, "ppoll([{fd=3, events=POLLIN}], 1, {tv_sec=0, tv_nsec=999996593}, [USR1], 8) = 1 ([{fd=3, revents=POLLIN}], left {tv_sec=0, tv_nsec=999996593})"),
            // A wait that timed out: strace shows the 30 ms asked; at exit
            // Linux has set the timespec to zero.
            (&[0x2900, 1, 0x3000, 0x3800, 8], 0, "ppoll([{fd=3, events=POLLIN}], 1, {tv_sec=0, tv_nsec=0}, [USR1], 8) = 0 (Timeout)"),
            // Interrupted: no revents, no time left after the result.
            (&[0x2900, 1, 0x3500, 0, 8], -514, "ppoll([{fd=3, events=POLLIN}], 1, {tv_sec=1, tv_nsec=0}, NULL, 8) = ? ERESTARTNOHAND (To be restarted if no handler)"),
        ];
        for &(args, ret, want) in cases {
            assert_eq!(
                format_call(&call(sys::__NR_ppoll, args, Some(ret)), &m),
                want
            );
        }
    }

    /// An `fd_set` of these descriptors, `n_words` 64-bit words long.
    fn fd_set(fds: &[u64], n_words: usize) -> Vec<u8> {
        let mut w = vec![0u64; n_words];
        for &fd in fds {
            w[fd as usize / 64] |= 1 << (fd % 64);
        }
        words(&w)
    }

    fn timeval_bytes(sec: i64, usec: i64) -> Vec<u8> {
        Timeval {
            tv_sec: sec,
            tv_usec: usec,
        }
        .as_bytes()
        .to_vec()
    }

    /// select and pselect6. Memory holds the sets and timeout as at the
    /// call's exit: where the call failed, or every descriptor asked was
    /// ready, the line is strace 6.1's; otherwise strace's arguments show
    /// the sets and timeout asked (from its entry stop) and ours what the
    /// kernel wrote back (noted per case).
    #[test]
    fn select_calls() {
        let mut m = FakeMem::default();
        m.0.insert(0x1000, fd_set(&[3], 1));
        m.0.insert(0x1100, fd_set(&[4], 1));
        m.0.insert(0x1200, fd_set(&[], 1));
        m.0.insert(0x1300, fd_set(&[3, 4], 1));
        m.0.insert(0x1400, fd_set(&[3, 70], 2));
        m.0.insert(0x7ffdd07a1350, fd_set(&[3], 1));
        m.0.insert(0x2000, timeval_bytes(0, 0));
        m.0.insert(0x2100, timeval_bytes(1, 999_998));
        m.0.insert(0x2200, timeval_bytes(0, 2_000_000));
        m.0.insert(0x3000, timespec_bytes(0, 0));
        m.0.insert(0x3100, timespec_bytes(1, 19_997_555));
        m.0.insert(0x3800, words(&[1 << 9]));
        m.0.insert(0x3900, words(&[0x3800, 8]));
        m.0.insert(0x3910, words(&[0, 8]));
        m.0.insert(0x3920, words(&[0x7ffdd07a1218, 7]));
        m.0.insert(0x3930, words(&[0x8, 8]));
        let s = sys::__NR_select;
        let p6 = sys::__NR_pselect6;
        let cases: &[(u64, &[u64], i64, &str)] = &[
            (s, &[5, 0x1000, 0x1100, 0x1200, 0x2000], 2, "select(5, [3], [4], [], {tv_sec=0, tv_usec=0}) = 2 (in [3], out [4], left {tv_sec=0, tv_usec=0})"),
            (s, &[5, 0x1000, 0, 0, 0], 1, "select(5, [3], NULL, NULL, NULL)        = 1 (in [3])"),
            // strace: select(5, [3 4], [4], NULL, ...) (fd 3 not ready).
            (s, &[5, 0x1200, 0x1100, 0, 0x2000], 1, "select(5, [], [4], NULL, {tv_sec=0, tv_usec=0}) = 1 (out [4], left {tv_sec=0, tv_usec=0})"),
            // strace: {tv_sec=0, tv_usec=2000000} asked, and [3] in the
            // first set.
            (s, &[5, 0x1200, 0x1100, 0x1200, 0x2100], 1, "select(5, [], [4], [], {tv_sec=1, tv_usec=999998}) = 1 (out [4], left {tv_sec=1, tv_usec=999998})"),
            (s, &[0, 0, 0, 0, 0x2000], 0, "select(0, NULL, NULL, NULL, {tv_sec=0, tv_usec=0}) = 0 (Timeout)"),
            // Bits at or past nfds are not shown.
            (s, &[4, 0x1300, 0, 0, 0x2000], 0, "select(4, [3], NULL, NULL, {tv_sec=0, tv_usec=0}) = 0 (Timeout)"),
            // nfds of 0 or less: the sets as addresses.
            (s, &[0, 0x7ffdd07a1350, 0, 0, 0x2000], 0, "select(0, 0x7ffdd07a1350, NULL, NULL, {tv_sec=0, tv_usec=0}) = 0 (Timeout)"),
            (s, &[u64::MAX, 0x7ffdd07a1350, 0, 0, 0x2000], -22, "select(-1, 0x7ffdd07a1350, NULL, NULL, {tv_sec=0, tv_usec=0}) = -1 EINVAL (Invalid argument)"),
            // nfds is an `int`.
            (s, &[0x1_0000_0005, 0x1000, 0, 0, 0x2000], 1, "select(5, [3], NULL, NULL, {tv_sec=0, tv_usec=0}) = 1 (in [3], left {tv_sec=0, tv_usec=0})"),
            (s, &[5, 0x1000, 0, 0x1200, 0x8], -14, "select(5, [3], NULL, [], 0x8)           = -1 EFAULT (Bad address)"),
            (s, &[5, 0x8, 0, 0, 0x2000], -14, "select(5, 0x8, NULL, NULL, {tv_sec=0, tv_usec=0}) = -1 EFAULT (Bad address)"),
            (s, &[5, 0x8, 0, 0, 0x8], -14, "select(5, 0x8, NULL, NULL, 0x8)         = -1 EFAULT (Bad address)"),
            (s, &[100, 0x1400, 0, 0, 0x2000], -9, "select(100, [3 70], NULL, NULL, {tv_sec=0, tv_usec=0}) = -1 EBADF (Bad file descriptor)"),
            (s, &[5, 0x1200, 0x1100, 0x1200, 0x2200], -22, "select(5, [], [4], [], {tv_sec=0, tv_usec=2000000}) = -1 EINVAL (Invalid argument)"),
            (s, &[5, 0x1000, 0, 0, 0x2000], -514, "select(5, [3], NULL, NULL, {tv_sec=0, tv_usec=0}) = ? ERESTARTNOHAND (To be restarted if no handler)"),
            (p6, &[5, 0x1000, 0, 0, 0x3000, 0x3900], 1, "pselect6(5, [3], NULL, NULL, {tv_sec=0, tv_nsec=0}, {sigmask=[USR1], sigsetsize=8}) = 1 (in [3], left {tv_sec=0, tv_nsec=0})"),
            (p6, &[5, 0x1000, 0, 0, 0x3000, 0], 0, "pselect6(5, [3], NULL, NULL, {tv_sec=0, tv_nsec=0}, NULL) = 0 (Timeout)"),
            (p6, &[5, 0x1200, 0, 0, 0x3000, 0x3910], 0, "pselect6(5, [], NULL, NULL, {tv_sec=0, tv_nsec=0}, {sigmask=NULL, sigsetsize=8}) = 0 (Timeout)"),
            (p6, &[5, 0x1200, 0, 0, 0x3000, 0x3920], -22, "pselect6(5, [], NULL, NULL, {tv_sec=0, tv_nsec=0}, {sigmask=0x7ffdd07a1218, sigsetsize=7}) = -1 EINVAL (Invalid argument)"),
            (p6, &[5, 0x1200, 0, 0, 0x3000, 0x8], -14, "pselect6(5, [], NULL, NULL, {tv_sec=0, tv_nsec=0}, 0x8) = -1 EFAULT (Bad address)"),
            (p6, &[5, 0x1200, 0, 0, 0, 0x8], -14, "pselect6(5, [], NULL, NULL, NULL, 0x8)  = -1 EFAULT (Bad address)"),
            (p6, &[5, 0x1200, 0, 0, 0x3000, 0x3930], -14, "pselect6(5, [], NULL, NULL, {tv_sec=0, tv_nsec=0}, {sigmask=0x8, sigsetsize=8}) = -1 EFAULT (Bad address)"),
            (p6, &[5, 0, 0, 0, 0x8, 0x3900], -14, "pselect6(5, NULL, NULL, NULL, 0x8, {sigmask=[USR1], sigsetsize=8}) = -1 EFAULT (Bad address)"),
            (p6, &[5, 0x1300, 0x1100, 0, 0, 0], 2, "pselect6(5, [3 4], [4], NULL, NULL, NULL) = 2 (in [3 4], out [4])"),
            // strace: {tv_sec=1, tv_nsec=20000000} asked.
            (p6, &[5, 0x1200, 0x1100, 0, 0x3100, 0], 1, "pselect6(5, [], [4], NULL, {tv_sec=1, tv_nsec=19997555}, NULL) = 1 (out [4], left {tv_sec=1, tv_nsec=19997555})"),
        ];
        for &(nr, args, ret, want) in cases {
            assert_eq!(format_call(&call(nr, args, Some(ret)), &m), want);
        }
    }

    /// Big sets: the arguments are never cut; the note after the result
    /// is cut where strace's buffer is full, each case one strace 6.1
    /// printed (its length and last descriptor).
    #[test]
    fn select_long_sets() {
        let mut m = FakeMem::default();
        let all: Vec<u64> = (0..1024).collect();
        m.0.insert(0x10000, fd_set(&all, 16));
        let list: Vec<String> = all.iter().map(u64::to_string).collect();
        assert_eq!(
            format_call(
                &call(sys::__NR_select, &[1024, 0, 0x10000, 0, 0], Some(-9)),
                &m
            ),
            format!(
                "select(1024, NULL, [{}], NULL, NULL) = -1 EBADF (Bad file descriptor)",
                list.join(" ")
            )
        );
        // (descriptors ready for writing, time left, the note's length,
        // its end). The cut falls after 998 bytes whatever the digits.
        let range = |lo: u64, hi: u64, extra: &[u64]| -> Vec<u64> {
            let mut v: Vec<u64> = extra.to_vec();
            v.extend(lo..hi);
            v
        };
        let zero = Some("{tv_sec=0, tv_usec=0}".to_string());
        let cases: Vec<(Vec<u64>, Option<String>, usize, &str)> = vec![
            (range(779, 1024, &[]), None, 1004, " 1021 1022]"),
            (range(780, 1024, &[]), None, 1000, " 1021 1022]"),
            (range(780, 1024, &[1]), None, 1002, " 1021 1022]"),
            (range(776, 1024, &[1, 10]), None, 1001, " 1017 1018]"),
            // The time left fits at 1022 bytes, not at 1023.
            (
                range(100, 346, &[1, 10]),
                zero.clone(),
                1022,
                " 345], left {tv_sec=0, tv_usec=0}",
            ),
            (range(100, 347, &[1]), zero.clone(), 995, " 345 346]"),
            (range(100, 348, &[]), zero.clone(), 997, " 346 347]"),
            (range(100, 351, &[]), zero.clone(), 1001, " 347 348]"),
        ];
        for (i, (fds, left, len, end)) in cases.into_iter().enumerate() {
            let addr = 0x20000 + i as u64 * 0x1000;
            m.0.insert(addr, fd_set(&fds, 16));
            let note = select_note(&m, 1024, [0, addr, 0], left);
            assert!(
                note.starts_with(&format!("out [{} ", fds[0])),
                "case {i}: {note}"
            );
            assert_eq!(
                (note.len(), &note[note.len() - end.len()..]),
                (len, end),
                "case {i}"
            );
        }
        // A set whose descriptors no longer fit still closes with `]`.
        m.0.insert(0x30000, fd_set(&range(780, 1024, &[]), 16));
        m.0.insert(0x31000, fd_set(&[4], 16));
        let note = select_note(&m, 1024, [0x30000, 0x31000, 0], zero);
        assert_eq!(note.len(), 1005);
        assert!(note.ends_with(" 1022 1023]]"), "{note}");
        // A hostile nfds: at most 2^20 descriptors are read.
        m.0.insert(0x40000, fd_set(&[3], (FD_SET_MAX_FDS / 64) as usize));
        assert_eq!(
            format_call(
                &call(sys::__NR_select, &[0x7fff_ffff, 0x40000, 0, 0, 0], Some(1)),
                &m
            ),
            "select(2147483647, [3], NULL, NULL, NULL) = 1 (in [3])"
        );
    }

    fn epoll_events_bytes(v: &[(u32, u64)]) -> Vec<u8> {
        v.iter()
            .flat_map(|&(events, data)| {
                EpollEvent {
                    events: events.into(),
                    data: data.into(),
                }
                .as_bytes()
                .to_vec()
            })
            .collect()
    }

    /// The epoll calls: each line as strace 6.1 printed it natively for the
    /// same arguments and results.
    #[test]
    fn epoll_calls() {
        use abi::linux::poll::{EPOLLET, EPOLLIN, EPOLLONESHOT, EPOLLOUT};
        let mut m = FakeMem::default();
        m.0.insert(0x1000, epoll_events_bytes(&[(EPOLLIN | EPOLLET, 7)]));
        m.0.insert(0x1100, epoll_events_bytes(&[(EPOLLOUT, 0x1_0000_0009)]));
        m.0.insert(0x1200, epoll_events_bytes(&[(0, u64::MAX)]));
        m.0.insert(
            0x1300,
            epoll_events_bytes(&[(EPOLLOUT | EPOLLONESHOT | 0x100_0000, 4)]),
        );
        m.0.insert(0x1400, epoll_events_bytes(&[(0x100_0000, 4)]));
        m.0.insert(0x7ffdd07a11c4, epoll_events_bytes(&[(EPOLLOUT, 4)]));
        m.0.insert(
            0x2000,
            epoll_events_bytes(&[(EPOLLOUT, 0x1_0000_0009), (EPOLLIN, 7)]),
        );
        m.0.insert(0x3000, timespec_bytes(0, 0));
        m.0.insert(0x3100, timespec_bytes(0, 2_000_000_000));
        m.0.insert(0x3800, words(&[1 << 9]));
        let cloexec = 0o2000000;
        let w = sys::__NR_epoll_wait;
        let pw = sys::__NR_epoll_pwait;
        let pw2 = sys::__NR_epoll_pwait2;
        let ctl = sys::__NR_epoll_ctl;
        let cases: &[(u64, &[u64], i64, &str)] = &[
            (sys::__NR_epoll_create1, &[cloexec], 5, "epoll_create1(EPOLL_CLOEXEC)            = 5"),
            (sys::__NR_epoll_create1, &[0], 7, "epoll_create1(0)                        = 7"),
            (sys::__NR_epoll_create1, &[1], -22, "epoll_create1(0x1 /* EPOLL_??? */)      = -1 EINVAL (Invalid argument)"),
            (sys::__NR_epoll_create1, &[cloexec | 1], -22, "epoll_create1(EPOLL_CLOEXEC|0x1)        = -1 EINVAL (Invalid argument)"),
            (sys::__NR_epoll_create1, &[0x1_0008_0000], 6, "epoll_create1(EPOLL_CLOEXEC)            = 6"),
            (sys::__NR_epoll_create, &[1], 6, "epoll_create(1)                         = 6"),
            (sys::__NR_epoll_create, &[0], -22, "epoll_create(0)                         = -1 EINVAL (Invalid argument)"),
            (sys::__NR_epoll_create, &[0x1_0000_0005], 7, "epoll_create(5)                         = 7"),
            (ctl, &[5, 1, 3, 0x1000], 0, "epoll_ctl(5, EPOLL_CTL_ADD, 3, {events=EPOLLIN|EPOLLET, data={u32=7, u64=7}}) = 0"),
            (ctl, &[5, 1, 3, 0x1000], -17, "epoll_ctl(5, EPOLL_CTL_ADD, 3, {events=EPOLLIN|EPOLLET, data={u32=7, u64=7}}) = -1 EEXIST (File exists)"),
            (ctl, &[5, 1, 4, 0x1100], 0, "epoll_ctl(5, EPOLL_CTL_ADD, 4, {events=EPOLLOUT, data={u32=9, u64=4294967305}}) = 0"),
            (ctl, &[5, 3, 4, 0x1200], 0, "epoll_ctl(5, EPOLL_CTL_MOD, 4, {events=0, data={u32=4294967295, u64=18446744073709551615}}) = 0"),
            (ctl, &[5, 3, 4, 0x1300], 0, "epoll_ctl(5, EPOLL_CTL_MOD, 4, {events=EPOLLOUT|EPOLLONESHOT|0x1000000, data={u32=4, u64=4}}) = 0"),
            (ctl, &[5, 3, 4, 0x1400], 0, "epoll_ctl(5, EPOLL_CTL_MOD, 4, {events=0x1000000 /* EPOLL??? */, data={u32=4, u64=4}}) = 0"),
            (ctl, &[5, 2, 4, 0], 0, "epoll_ctl(5, EPOLL_CTL_DEL, 4, NULL)    = 0"),
            (ctl, &[5, 2, 4, 0x7ffdd07a11c4], -2, "epoll_ctl(5, EPOLL_CTL_DEL, 4, 0x7ffdd07a11c4) = -1 ENOENT (No such file or directory)"),
            (ctl, &[5, 9, 4, 0x7ffdd07a11c4], -22, "epoll_ctl(5, 0x9 /* EPOLL_CTL_??? */, 4, {events=EPOLLOUT, data={u32=4, u64=4}}) = -1 EINVAL (Invalid argument)"),
            (ctl, &[5, 1, 4, 0x8], -14, "epoll_ctl(5, EPOLL_CTL_ADD, 4, 0x8)     = -1 EFAULT (Bad address)"),
            (ctl, &[5, 1, 4, 0], -14, "epoll_ctl(5, EPOLL_CTL_ADD, 4, NULL)    = -1 EFAULT (Bad address)"),
            (ctl, &[99, 1, 4, 0x7ffdd07a11c4], -9, "epoll_ctl(99, EPOLL_CTL_ADD, 4, {events=EPOLLOUT, data={u32=4, u64=4}}) = -1 EBADF (Bad file descriptor)"),
            // op, epfd and fd are `int`s.
            (ctl, &[5, 0x1_0000_0001, 0x1_0000_0003, 0], -14, "epoll_ctl(5, EPOLL_CTL_ADD, 3, NULL)    = -1 EFAULT (Bad address)"),
            (w, &[5, 0x1100, 8, 0], 1, "epoll_wait(5, [{events=EPOLLOUT, data={u32=9, u64=4294967305}}], 8, 0) = 1"),
            (w, &[5, 0x2000, 8, 0], 2, "epoll_wait(5, [{events=EPOLLOUT, data={u32=9, u64=4294967305}}, {events=EPOLLIN, data={u32=7, u64=7}}], 8, 0) = 2"),
            (w, &[5, 0x2000, 8, u64::MAX], 1, "epoll_wait(5, [{events=EPOLLOUT, data={u32=9, u64=4294967305}}], 8, -1) = 1"),
            (w, &[5, 0x2000, 8, 0], 0, "epoll_wait(5, [], 8, 0)                 = 0"),
            (w, &[5, 0x2000, 0x1_0000_0008, 0x1_0000_0000], 0, "epoll_wait(5, [], 8, 0)                 = 0"),
            (w, &[5, 0x7ffdd07a0ec0, 0, 0], -22, "epoll_wait(5, 0x7ffdd07a0ec0, 0, 0)     = -1 EINVAL (Invalid argument)"),
            (w, &[5, 0x8, 8, 0], -14, "epoll_wait(5, 0x8, 8, 0)                = -1 EFAULT (Bad address)"),
            (w, &[5, 0, 8, 0], -14, "epoll_wait(5, NULL, 8, 0)               = -1 EFAULT (Bad address)"),
            (w, &[99, 0x2000, 8, 0], -9, "epoll_wait(99, 0x2000, 8, 0)            = -1 EBADF (Bad file descriptor)"),
            (pw, &[5, 0x1100, 8, 0, 0x3800, 8], 1, "epoll_pwait(5, [{events=EPOLLOUT, data={u32=9, u64=4294967305}}], 8, 0, [USR1], 8) = 1"),
            (pw, &[5, 0x1100, 8, 0, 0, 8], 1, "epoll_pwait(5, [{events=EPOLLOUT, data={u32=9, u64=4294967305}}], 8, 0, NULL, 8) = 1"),
            (pw, &[5, 0x1100, 8, 0, 0x3800, 8], 0, "epoll_pwait(5, [], 8, 0, [USR1], 8)     = 0"),
            // A failed call's mask is its address, even a readable one.
            (pw, &[99, 0x2000, 8, 0, 0x3800, 8], -9, "epoll_pwait(99, 0x2000, 8, 0, 0x3800, 8) = -1 EBADF (Bad file descriptor)"),
            (pw, &[5, 0x2000, 8, 0, 0x3800, 7], -22, "epoll_pwait(5, 0x2000, 8, 0, 0x3800, 7) = -1 EINVAL (Invalid argument)"),
            (pw, &[5, 0x2000, 8, 0, 0x8, 8], -14, "epoll_pwait(5, 0x2000, 8, 0, 0x8, 8)    = -1 EFAULT (Bad address)"),
            (pw2, &[5, 0x1100, 8, 0x3000, 0x3800, 8], 1, "epoll_pwait2(5, [{events=EPOLLOUT, data={u32=9, u64=4294967305}}], 8, {tv_sec=0, tv_nsec=0}, [USR1], 8) = 1"),
            (pw2, &[5, 0x1100, 8, 0, 0, 8], 1, "epoll_pwait2(5, [{events=EPOLLOUT, data={u32=9, u64=4294967305}}], 8, NULL, NULL, 8) = 1"),
            (pw2, &[5, 0x1100, 8, 0x3000, 0x3800, 8], 0, "epoll_pwait2(5, [], 8, {tv_sec=0, tv_nsec=0}, [USR1], 8) = 0"),
            (pw2, &[5, 0x2000, 8, 0x8, 0, 8], -14, "epoll_pwait2(5, 0x2000, 8, 0x8, NULL, 8) = -1 EFAULT (Bad address)"),
            (pw2, &[5, 0x2000, 8, 0x3100, 0, 8], -22, "epoll_pwait2(5, 0x2000, 8, 0x3100, NULL, 8) = -1 EINVAL (Invalid argument)"),
            (pw2, &[99, 0x2000, 8, 0x3000, 0x3800, 8], -9, "epoll_pwait2(99, 0x2000, 8, 0x3000, 0x3800, 8) = -1 EBADF (Bad file descriptor)"),
            (pw2, &[99, 0x2000, 8, 0x3000, 0x3800, 7], -22, "epoll_pwait2(99, 0x2000, 8, 0x3000, 0x3800, 7) = -1 EINVAL (Invalid argument)"),
            (pw2, &[5, 0x2000, 8, 0x3000, 0, 8], -4, "epoll_pwait2(5, 0x2000, 8, 0x3000, NULL, 8) = -1 EINTR (Interrupted system call)"),
        ];
        for &(nr, args, ret, want) in cases {
            assert_eq!(format_call(&call(nr, args, Some(ret)), &m), want);
        }
        // More than 32 events: the first 32, then `...` (strace 6.1's cut
        // for 40 ready).
        let many: Vec<(u32, u64)> = (8..48).map(|d| (EPOLLOUT, d)).collect();
        m.0.insert(0x10000, epoll_events_bytes(&many));
        let shown: Vec<String> = (8..40)
            .map(|d| format!("{{events=EPOLLOUT, data={{u32={d}, u64={d}}}}}"))
            .collect();
        assert_eq!(
            format_call(&call(w, &[6, 0x10000, 64, 0], Some(40)), &m),
            format!("epoll_wait(6, [{}, ...], 64, 0) = 40", shown.join(", "))
        );
        let shown_32 = shown.join(", ");
        assert_eq!(
            format_call(&call(w, &[6, 0x10000, 64, 0], Some(32)), &m),
            format!("epoll_wait(6, [{shown_32}], 64, 0) = 32")
        );
        // Events that end past the top of memory: the address.
        assert_eq!(
            format_call(&call(w, &[6, u64::MAX - 11, 8, 0], Some(2)), &m),
            "epoll_wait(6, 0xfffffffffffffff4, 8, 0) = 2"
        );
    }

    /// The records read from user memory, as strace prints them, and as an
    /// address when the record does not fit below the top of memory.
    #[test]
    fn records_from_user_memory() {
        use abi::linux::uapi::{NewUtsname, Rlimit, Timeval};
        use zerocopy::IntoBytes;
        let mut m = FakeMem::default();
        let tv = Timeval {
            tv_sec: 1_700_000_000,
            tv_usec: 250,
        };
        m.0.insert(0x5000, tv.as_bytes().to_vec());
        let u = NewUtsname::new([b"Linux", b"guest", b"6.1", b"#1", b"x86_64", b"(none)"]);
        m.0.insert(0x6000, u.as_bytes().to_vec());
        let r = Rlimit {
            rlim_cur: 8 << 20,
            rlim_max: u64::MAX,
        };
        m.0.insert(0x7000, r.as_bytes().to_vec());
        assert_eq!(
            format_call(&call(sys::__NR_gettimeofday, &[0x5000, 0], Some(0)), &m),
            "gettimeofday({tv_sec=1700000000, tv_usec=250}, NULL) = 0"
        );
        assert_eq!(
            format_call(&call(sys::__NR_uname, &[0x6000], Some(0)), &m),
            "uname({sysname=\"Linux\", nodename=\"guest\", ...}) = 0"
        );
        assert_eq!(
            format_call(&call(sys::__NR_prlimit64, &[0, 3, 0, 0x7000], Some(0)), &m),
            "prlimit64(0, RLIMIT_STACK, NULL, {rlim_cur=8192*1024, rlim_max=RLIM64_INFINITY}) = 0"
        );
        // A record whose end would wrap: its address, not a read.
        assert_eq!(
            format_call(
                &call(sys::__NR_gettimeofday, &[u64::MAX - 7, 0], Some(0)),
                &m
            ),
            "gettimeofday(0xfffffffffffffff8, NULL)  = 0"
        );
    }

    #[test]
    fn undecoded_calls_by_name_with_straces_argument_count() {
        let m = FakeMem::default();
        assert_eq!(
            format_call(
                &call(
                    sys::__NR_rseq,
                    &[0x7f00_1020, 0x20, 0, 0x5305_3053],
                    Some(-38)
                ),
                &m
            ),
            "rseq(0x7f001020, 0x20, 0, 0x53053053)   = -1 ENOSYS (Function not implemented)"
        );
        assert_eq!(
            format_call(
                &call(sys::__NR_sched_getaffinity, &[0, 128, 0x7000], Some(-38)),
                &m
            ),
            "sched_getaffinity(0, 0x80, 0x7000)      = -1 ENOSYS (Function not implemented)"
        );
        assert_eq!(
            format_call(&call(sys::__NR_getpgrp, &[9, 9], Some(1)), &m),
            "getpgrp()                               = 1"
        );
        assert_eq!(
            format_call(&call(sys::__NR_gettid, &[7], Some(5)), &m),
            "gettid()                                = 5"
        );
    }

    /// Every number the kernel dispatches is a named abi constant, and
    /// `--strace` decodes its arguments, but for the calls listed here: a
    /// call counts as undecoded when distinct argument values (none of them
    /// a readable pointer) come out in hex, as a call strace does not know.
    #[test]
    fn strace_decodes_every_call_the_kernel_implements() {
        // Pointers only, which strace too prints in hex when they cannot
        // be read or the call failed.
        const POINTERS: &[&str] = &[
            "nanosleep",
            "brk",
            "set_tid_address",
            "uname",
            "gettimeofday",
            "time",
            "sigaltstack",
            "pipe",
        ];
        // Not decoded yet.
        const NOT_YET: &[&str] = &["waitid", "readlinkat", "pidfd_open", "setrlimit"];
        let src = include_str!("../../../guest/kernel/src/syscalls/mod.rs");
        let start = src.find("let r = match nr {").unwrap();
        let body = &src[start..start + src[start..].find("\n    };").unwrap()];
        let m = FakeMem::default();
        let args = [0x11, 0x22, 0x33, 0x44, 0x55, 0x66];
        let (mut arms, mut undecoded) = (0, Vec::new());
        for line in body.lines().filter(|l| l.contains(" => ")) {
            let pattern = line.trim().split(" => ").next().unwrap();
            for alt in pattern.split(" | ") {
                if alt == "_" || alt == "abi::stats::SYS_THREADLAB_STATS" {
                    continue;
                }
                let name = alt
                    .strip_prefix("sys::__NR_")
                    .unwrap_or_else(|| panic!("dispatch arm {alt:?} is not an abi constant"));
                let s = sys::all().find(|s| s.name == name).unwrap();
                arms += 1;
                let n = usize::from(s.nargs);
                if n == 0 {
                    continue;
                }
                let (text, _) = format_parts(&call(u64::from(s.nr), &args, Some(-38)), &m);
                let hex: Vec<String> = args[..n].iter().map(|&v| format!("{v:#x}")).collect();
                if text == format!("{name}({})", hex.join(", ")) {
                    undecoded.push(name);
                }
            }
        }
        assert!(arms > 50, "{arms} calls found in the dispatcher");
        undecoded.sort();
        let mut expected: Vec<&str> = POINTERS.iter().chain(NOT_YET).copied().collect();
        expected.sort();
        assert_eq!(undecoded, expected);
    }
}
