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
//!   write/read buffers quoted and cut at 32 bytes, arrays at 32 entries,
//!   paths, open flags and modes, `struct stat`/`statx`/`statfs`, iovec
//!   arrays, getdents64's entry count, utimensat's times, execve's argv
//!   and envp count), but for waitid, setrlimit
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
//!   does not write its event. A successful execve has replaced the
//!   memory its path, argv and envp were in: they are shown as addresses.
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
    c_field, Dirent64Head, Iovec, Itimerspec, Itimerval, KernelSigaction, NewUtsname, Rlimit,
    Sigevent, Siginfo, StackT, Stat, Statfs, Statx, Timespec, Timeval, UTSNAME_FIELD_LEN,
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

/// A buffer of `len` bytes at `addr`, quoted; `NULL`, or the address if
/// unreadable.
fn buffer(m: &dyn GuestMem, addr: u64, len: u64, hex: bool) -> String {
    if addr == 0 {
        return "NULL".into();
    }
    let shown = (len as usize).min(MAX_STRLEN);
    match m.bytes(addr, shown) {
        Ok(b) if hex => quote_hex(&b, MAX_STRLEN, len as usize > shown),
        Ok(b) => quote(&b, MAX_STRLEN, len as usize > shown),
        Err(_) => ptr(addr),
    }
}

/// The longest path strace shows (its buffer is PATH_MAX with the NUL);
/// a longer one is cut there with `...`.
const MAX_PATH_SHOWN: usize = abi::linux::fs::PATH_MAX - 1;

fn path(m: &dyn GuestMem, addr: u64) -> String {
    path_n(m, addr, MAX_PATH_SHOWN)
}

/// A path of at most `max` bytes (getcwd's: the length it returned).
fn path_n(m: &dyn GuestMem, addr: u64, max: usize) -> String {
    if addr == 0 {
        return "NULL".into();
    }
    let max = max.min(MAX_PATH_SHOWN);
    match m.c_string(addr, max) {
        Ok((s, more)) => quote(&s, max, more),
        Err(_) => format!("{addr:#x}"),
    }
}

/// A C string argument (an execve argument): quoted and cut at
/// [`MAX_STRLEN`] bytes; `NULL`, or the address if unreadable.
fn c_str_at(m: &dyn GuestMem, addr: u64) -> String {
    if addr == 0 {
        return "NULL".into();
    }
    match m.c_string(addr, MAX_STRLEN) {
        Ok((s, more)) => quote(&s, MAX_STRLEN, more),
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

/// What an iovec array shows of its buffers.
#[derive(Clone, Copy)]
enum IovData {
    /// Their addresses (a read that failed: nothing was filled).
    Addr,
    /// What a read filled: the first `n` bytes across them.
    Upto(u64),
    /// Each buffer whole (what a write was given).
    Full,
}

/// `[{iov_base="...", iov_len=N}, ...]`: `NULL`, `[]`, at most
/// [`MAX_STRLEN`] entries then `...`; an entry that cannot be read after
/// the first (the one after the last shown included, which strace reads
/// before it writes `...`) ends the list with its address in a comment,
/// and an array that cannot be read at all, or would wrap, is its
/// address.
fn iovec_at(m: &dyn GuestMem, addr: u64, count: u64, data: IovData) -> String {
    let size = size_of::<Iovec>() as u64;
    if addr == 0 {
        return "NULL".into();
    }
    if count
        .checked_mul(size)
        .and_then(|n| addr.checked_add(n))
        .is_none()
    {
        return format!("{addr:#x}");
    }
    let mut parts = Vec::new();
    let mut left = match data {
        IovData::Upto(n) => n,
        _ => u64::MAX,
    };
    for i in 0..count.min(MAX_STRLEN as u64 + 1) {
        let at = addr + i * size;
        let Ok(Iovec {
            iov_base: base,
            iov_len: len,
        }) = m.get(at)
        else {
            if i == 0 {
                return format!("{addr:#x}");
            }
            parts.push(format!("... /* {at:#x} */"));
            return format!("[{}]", parts.join(", "));
        };
        if i == MAX_STRLEN as u64 {
            parts.push("...".into());
            break;
        }
        let shown = match data {
            IovData::Addr => ptr(base),
            IovData::Upto(_) | IovData::Full => {
                let show = len.min(left);
                left -= show;
                buffer(m, base, show, false)
            }
        };
        parts.push(format!("{{iov_base={shown}, iov_len={len}}}"));
    }
    format!("[{}]", parts.join(", "))
}

/// readv's and preadv's array: what the call read, once it succeeded.
fn iovec_read(m: &dyn GuestMem, addr: u64, count: u64, ok: bool, ret: i64) -> String {
    let data = if ok {
        IovData::Upto(ret as u64)
    } else {
        IovData::Addr
    };
    iovec_at(m, addr, count, data)
}

/// The `struct statx` a call filled, abbreviated as strace prints it.
fn statx_at(m: &dyn GuestMem, addr: u64) -> String {
    record_at(m, addr, |x: Statx| {
        format!(
            "{{stx_mask={}, stx_attributes={}, stx_mode={}, stx_size={}, ...}}",
            statx_mask(u64::from(x.stx_mask)),
            statx_attrs(x.stx_attributes),
            file_mode(u32::from(x.stx_mode)),
            x.stx_size
        )
    })
}

/// statfs's and fstatfs's record; `f_flags` shown only when the kernel
/// set ST_VALID (it means the field is filled).
fn statfs_at(m: &dyn GuestMem, addr: u64) -> String {
    record_at(m, addr, |b: Statfs| {
        let fsid = |v: i32| hex(u64::from(v as u32));
        let mut s = format!(
            "{{f_type={}, f_bsize={}, f_blocks={}, f_bfree={}, f_bavail={}, f_files={}, \
             f_ffree={}, f_fsid={{val=[{}, {}]}}, f_namelen={}, f_frsize={}",
            fs_magic(b.f_type),
            b.f_bsize as u64,
            b.f_blocks,
            b.f_bfree,
            b.f_bavail,
            b.f_files,
            b.f_ffree,
            fsid(b.f_fsid[0]),
            fsid(b.f_fsid[1]),
            b.f_namelen as u64,
            b.f_frsize as u64
        );
        let flags = b.f_flags as u64;
        if flags & abi::linux::fs::ST_VALID != 0 {
            let _ = write!(s, ", f_flags={}", statfs_flags(flags));
        }
        s.push('}');
        s
    })
}

/// One of utimensat's times: `UTIME_NOW`, `UTIME_OMIT`, or the timespec
/// with its date in a comment.
fn utime(t: &Timespec) -> String {
    let nsec = t.tv_nsec as u64;
    if let Some(name) = abi::linux::name_of(abi::linux::fs::UTIME_VALUES, nsec) {
        return name.to_string();
    }
    let mut s = format!("{{tv_sec={}, tv_nsec={nsec}}}", t.tv_sec);
    if let Some(d) = date(t.tv_sec, nsec) {
        let _ = write!(s, " /* {d} */");
    }
    s
}

/// utimensat's `times`: `[atime, mtime]`, `NULL` (both now).
fn utimes_at(m: &dyn GuestMem, addr: u64) -> String {
    record_at(m, addr, |t: [Timespec; 2]| {
        format!("[{}, {}]", utime(&t[0]), utime(&t[1]))
    })
}

/// The most bytes of getdents64's result read to count its entries: more
/// than any directory of the kernel's gives in one call, far less than a
/// hostile count could ask.
const DENTS_MAX_READ: u64 = 1 << 24;

/// getdents64's buffer as strace shows it by default: the address and the
/// number of records in the `len` bytes the call returned,
/// `0x... /* 4 entries */` (counted until a record too short to hold a
/// name).
fn dents_at(m: &dyn GuestMem, addr: u64, len: u64) -> String {
    let head = size_of::<Dirent64Head>() as u64;
    let reclen_at = std::mem::offset_of!(Dirent64Head, d_reclen);
    let bytes = if len == 0 {
        Vec::new()
    } else if len > DENTS_MAX_READ {
        return ptr(addr);
    } else {
        match m.bytes(addr, len as usize) {
            Ok(b) => b,
            Err(_) => return ptr(addr),
        }
    };
    let (mut at, mut n) = (0u64, 0u64);
    while at + head <= len {
        let i = (at as usize) + reclen_at;
        let reclen = u16::from_le_bytes([bytes[i], bytes[i + 1]]);
        if u64::from(reclen) < head {
            break;
        }
        at += u64::from(reclen);
        n += 1;
    }
    format!("{} /* {n} entries */", ptr(addr))
}

/// execve's argv: `["prog", "arg"]`, each string cut at [`MAX_STRLEN`]
/// bytes and at most that many strings, then `...`; a pointer that cannot
/// be read after the first ends the list with its address in a comment.
fn argv_at(m: &dyn GuestMem, addr: u64) -> String {
    if addr == 0 {
        return "NULL".into();
    }
    let mut parts = Vec::new();
    for n in 0u64.. {
        let at = addr.wrapping_add(n * 8);
        let Some(word) = addr.checked_add(n * 8).and_then(|a| m.get::<u64>(a).ok()) else {
            if n == 0 {
                return format!("{addr:#x}");
            }
            parts.push(format!("... /* {at:#x} */"));
            break;
        };
        if word == 0 {
            break;
        }
        if n >= MAX_STRLEN as u64 {
            parts.push("...".into());
            break;
        }
        parts.push(c_str_at(m, word));
    }
    format!("[{}]", parts.join(", "))
}

/// execve's envp as strace shows it by default: the address and how many
/// strings, `0x7ffd... /* 12 vars */` (`, unterminated` when the array
/// runs into memory that cannot be read); the bare address if not even
/// its first pointer can be read. Read a page at a time (the array is the
/// program's, as long as it likes), then a word at a time from where a
/// page's read fails.
fn envc_at(m: &dyn GuestMem, addr: u64) -> String {
    if addr == 0 {
        return "NULL".into();
    }
    const PAGE: u64 = 4096;
    let (mut at, mut count, mut terminated) = (addr, 0u64, false);
    let mut by_page = true;
    'read: loop {
        // Whole words up to the end of this page, or one word across it.
        let room = if by_page {
            ((PAGE - at % PAGE) / 8 * 8).max(8)
        } else {
            8
        };
        let b = match m.bytes(at, room as usize) {
            Ok(b) => b,
            Err(_) if room > 8 => {
                by_page = false;
                continue;
            }
            Err(_) => break,
        };
        for w in b.chunks_exact(8) {
            if w.iter().all(|&c| c == 0) {
                terminated = true;
                break 'read;
            }
            count += 1;
        }
        match at.checked_add(b.len() as u64) {
            Some(next) => at = next,
            None => break,
        }
    }
    if count == 0 && !terminated {
        return format!("{addr:#x}");
    }
    let s = if count == 1 { "" } else { "s" };
    let cut = if terminated { "" } else { ", unterminated" };
    format!("{addr:#x} /* {count} var{s}{cut} */")
}

/// execve's and execveat's path, argv and envp. Once the call succeeded
/// they belong to the image it replaced, gone by its exit stop, so they
/// are shown as the addresses they were.
fn exec_args(m: &dyn GuestMem, path_arg: u64, argv: u64, envp: u64, ok: bool) -> String {
    if ok {
        return format!("{}, {}, {}", ptr(path_arg), ptr(argv), ptr(envp));
    }
    format!(
        "{}, {}, {}",
        path(m, path_arg),
        argv_at(m, argv),
        envc_at(m, envp)
    )
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
        // Decoded by strace at entry: every buffer whole, whatever was
        // written.
        sys::__NR_writev => format!(
            "{}, {}, {}",
            fd(a[0]),
            iovec_at(m, a[1], a[2], IovData::Full),
            a[2]
        ),
        sys::__NR_readv => format!(
            "{}, {}, {}",
            fd(a[0]),
            iovec_read(m, a[1], a[2], ok, retv),
            a[2]
        ),
        sys::__NR_preadv => format!(
            "{}, {}, {}, {}",
            fd(a[0]),
            iovec_read(m, a[1], a[2], ok, retv),
            a[2],
            a[3] as i64
        ),
        sys::__NR_pwritev => format!(
            "{}, {}, {}, {}",
            fd(a[0]),
            iovec_at(m, a[1], a[2], IovData::Full),
            a[2],
            a[3] as i64
        ),
        sys::__NR_pread64 => {
            let buf = shown_if(ok, a[1], || buffer(m, a[1], retv as u64, false));
            format!("{}, {buf}, {}, {}", fd(a[0]), a[2], a[3] as i64)
        }
        sys::__NR_pwrite64 => format!(
            "{}, {}, {}, {}",
            fd(a[0]),
            buffer(m, a[1], a[2], false),
            a[2],
            a[3] as i64
        ),
        sys::__NR_open => open_args(m, None, a[0], a[1], a[2]),
        sys::__NR_openat => open_args(m, Some(a[0]), a[1], a[2], a[3]),
        sys::__NR_creat | sys::__NR_mkdir | sys::__NR_chmod => {
            format!("{}, {}", path(m, a[0]), mode(a[1]))
        }
        sys::__NR_mkdirat | sys::__NR_fchmodat => {
            format!("{}, {}, {}", fd(a[0]), path(m, a[1]), mode(a[2]))
        }
        sys::__NR_fchmod => format!("{}, {}", fd(a[0]), mode(a[1])),
        sys::__NR_rmdir | sys::__NR_unlink | sys::__NR_chdir => path(m, a[0]),
        sys::__NR_fchdir | sys::__NR_fsync | sys::__NR_fdatasync => fd(a[0]),
        sys::__NR_unlinkat => format!("{}, {}, {}", fd(a[0]), path(m, a[1]), path_flags(a[2])),
        sys::__NR_link | sys::__NR_symlink | sys::__NR_rename => {
            format!("{}, {}", path(m, a[0]), path(m, a[1]))
        }
        sys::__NR_linkat => format!(
            "{}, {}, {}, {}, {}",
            fd(a[0]),
            path(m, a[1]),
            fd(a[2]),
            path(m, a[3]),
            path_flags(a[4])
        ),
        sys::__NR_symlinkat => format!("{}, {}, {}", path(m, a[0]), fd(a[1]), path(m, a[2])),
        sys::__NR_readlinkat => {
            let buf = shown_if(ok, a[2], || buffer(m, a[2], retv as u64, false));
            format!("{}, {}, {buf}, {}", fd(a[0]), path(m, a[1]), a[3])
        }
        sys::__NR_renameat => format!(
            "{}, {}, {}, {}",
            fd(a[0]),
            path(m, a[1]),
            fd(a[2]),
            path(m, a[3])
        ),
        sys::__NR_renameat2 => format!(
            "{}, {}, {}, {}, {}",
            fd(a[0]),
            path(m, a[1]),
            fd(a[2]),
            path(m, a[3]),
            rename_flags(a[4])
        ),
        sys::__NR_stat | sys::__NR_lstat => {
            let st = shown_if(ok, a[1], || stat_at(m, a[1]));
            format!("{}, {st}", path(m, a[0]))
        }
        sys::__NR_statx => {
            let stx = shown_if(ok, a[4], || statx_at(m, a[4]));
            format!(
                "{}, {}, {}, {}, {stx}",
                fd(a[0]),
                path(m, a[1]),
                statx_flags(a[2]),
                statx_mask(a[3])
            )
        }
        sys::__NR_access => format!("{}, {}", path(m, a[0]), access_mode(a[1])),
        sys::__NR_faccessat => {
            format!("{}, {}, {}", fd(a[0]), path(m, a[1]), access_mode(a[2]))
        }
        sys::__NR_faccessat2 => format!(
            "{}, {}, {}, {}",
            fd(a[0]),
            path(m, a[1]),
            access_mode(a[2]),
            faccessat_flags(a[3])
        ),
        // The length it returns counts the NUL.
        sys::__NR_getcwd => {
            let buf = shown_if(ok, a[0], || path_n(m, a[0], retv as usize));
            format!("{buf}, {}", a[1])
        }
        // strace shows the length as unsigned.
        sys::__NR_truncate => format!("{}, {}", path(m, a[0]), a[1]),
        sys::__NR_ftruncate => format!("{}, {}", fd(a[0]), a[1]),
        sys::__NR_chown | sys::__NR_lchown => {
            format!("{}, {}, {}", path(m, a[0]), uid(a[1]), uid(a[2]))
        }
        sys::__NR_fchown => format!("{}, {}, {}", fd(a[0]), uid(a[1]), uid(a[2])),
        sys::__NR_fchownat => format!(
            "{}, {}, {}, {}, {}",
            fd(a[0]),
            path(m, a[1]),
            uid(a[2]),
            uid(a[3]),
            path_flags(a[4])
        ),
        sys::__NR_utimensat => format!(
            "{}, {}, {}, {}",
            fd(a[0]),
            path(m, a[1]),
            utimes_at(m, a[2]),
            path_flags(a[3])
        ),
        sys::__NR_statfs => {
            let buf = shown_if(ok, a[1], || statfs_at(m, a[1]));
            format!("{}, {buf}", path(m, a[0]))
        }
        sys::__NR_fstatfs => {
            let buf = shown_if(ok, a[1], || statfs_at(m, a[1]));
            format!("{}, {buf}", fd(a[0]))
        }
        sys::__NR_getdents64 => {
            let dents = shown_if(ok, a[1], || dents_at(m, a[1], retv as u64));
            format!("{}, {dents}, {}", fd(a[0]), a[2] as u32)
        }
        sys::__NR_close_range => format!(
            "{}, {}, {}",
            a[0] as u32,
            a[1] as u32,
            close_range_flags(a[2])
        ),
        sys::__NR_execve => exec_args(m, a[0], a[1], a[2], ok),
        sys::__NR_execveat => format!(
            "{}, {}, {}",
            fd(a[0]),
            exec_args(m, a[1], a[2], a[3], ok),
            path_flags(a[4])
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
        sys::__NR_dup3 => format!("{}, {}, {}", fd(a[0]), fd(a[1]), pipe_flags(a[2])),
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

/// open's and openat's arguments: the mode only where the flags use it.
fn open_args(m: &dyn GuestMem, dirfd: Option<u64>, p: u64, flags: u64, mode_arg: u64) -> String {
    let mut s = match dirfd {
        Some(d) => format!("{}, ", fd(d)),
        None => String::new(),
    };
    let _ = write!(s, "{}, {}", path(m, p), open_flags(flags));
    if open_has_mode(flags) {
        let _ = write!(s, ", {}", mode(mode_arg));
    }
    s
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

    /// `name(args) = ret` with one space before the `=` (the alignment
    /// is checked by the other tests).
    fn line(nr: u64, args: &[u64], ret: i64, m: &FakeMem) -> String {
        let (text, ret) = format_parts(&call(nr, args, Some(ret)), m);
        format!("{text} = {ret}")
    }

    /// NUL-terminated strings one after the other in a run of whole pages
    /// at `base` (page-aligned), and their addresses.
    fn strings(m: &mut FakeMem, base: u64, items: &[&[u8]]) -> Vec<u64> {
        let mut run = Vec::new();
        let mut at = Vec::new();
        for s in items {
            at.push(base + run.len() as u64);
            run.extend_from_slice(s);
            run.push(0);
        }
        run.resize(run.len().next_multiple_of(4096), 0);
        m.0.insert(base, run);
        at
    }

    const CWD: u64 = -100i64 as u64;

    /// The path calls, each line as strace 6.1 printed it natively for the
    /// same arguments and results.
    #[test]
    fn path_calls() {
        let mut m = FakeMem::default();
        let s = strings(
            &mut m,
            0x10_0000,
            &[
                b"f",
                b"/tmp/sfs-p",
                b".",
                b"c",
                b"d",
                b"d2",
                b"g",
                b"h",
                b"s",
                b"s2",
                b"x",
                b"tab\there\"q\\\n\x01\x012",
                b"/dev/null",
                b"",
                b"/proc/self/fd/0",
                b"g2",
                b"g3",
                b"g4",
                b"h2",
                b"h3",
                b"/nonexist/x",
            ],
        );
        let [f, tmp, dot, c, d, d2, g, h, sl, s2, x, odd, null, empty, fd0, g2, g3, g4, h2, h3, nx] =
            s[..]
        else {
            unreachable!()
        };
        let _ = empty;
        let buf = 0x7ffc_1fb1_e0a0;
        let cases: Vec<(u64, Vec<u64>, i64, &str)> = vec![
            (sys::__NR_mkdir, vec![tmp, 0o755], 0, "mkdir(\"/tmp/sfs-p\", 0755) = 0"),
            (sys::__NR_chdir, vec![tmp], 0, "chdir(\"/tmp/sfs-p\") = 0"),
            (sys::__NR_openat, vec![CWD, f, 0o1101, 0o644], 3, "openat(AT_FDCWD, \"f\", O_WRONLY|O_CREAT|O_TRUNC, 0644) = 3"),
            // No O_CREAT: the mode is not shown.
            (sys::__NR_open, vec![f, 0, 0o777], 3, "open(\"f\", O_RDONLY) = 3"),
            (sys::__NR_open, vec![f, 0o2000000], 4, "open(\"f\", O_RDONLY|O_CLOEXEC) = 4"),
            (sys::__NR_open, vec![f, 0o4010002], 5, "open(\"f\", O_RDWR|O_SYNC) = 5"),
            (sys::__NR_open, vec![dot, 0o20200002, 0o600], 8, "open(\".\", O_RDWR|O_TMPFILE, 0600) = 8"),
            (sys::__NR_open, vec![f, 0o301, 0o4755], -17, "open(\"f\", O_WRONLY|O_CREAT|O_EXCL, 04755) = -1 EEXIST (File exists)"),
            (sys::__NR_open, vec![f, 0o301, 0], -17, "open(\"f\", O_WRONLY|O_CREAT|O_EXCL, 000) = -1 EEXIST (File exists)"),
            (sys::__NR_open, vec![f, 0o101, 0x1_0000 | 0o644], 14, "open(\"f\", O_WRONLY|O_CREAT, 0644) = 14"),
            (sys::__NR_openat, vec![5, x, 0], -20, "openat(5, \"x\", O_RDONLY) = -1 ENOTDIR (Not a directory)"),
            // dirfd and flags are `int`s.
            (sys::__NR_openat, vec![(1 << 32) | 3, f, 1 << 32], -20, "openat(3, \"f\", O_RDONLY) = -1 ENOTDIR (Not a directory)"),
            (sys::__NR_openat, vec![0xffff_ff9c, f, 0], 15, "openat(AT_FDCWD, \"f\", O_RDONLY) = 15"),
            (sys::__NR_open, vec![8, 0], -14, "open(0x8, O_RDONLY) = -1 EFAULT (Bad address)"),
            (sys::__NR_open, vec![0, 0], -14, "open(NULL, O_RDONLY) = -1 EFAULT (Bad address)"),
            (sys::__NR_open, vec![odd, 0], -2, "open(\"tab\\there\\\"q\\\\\\n\\1\\0012\", O_RDONLY) = -1 ENOENT (No such file or directory)"),
            (sys::__NR_creat, vec![c, 0o600], 16, "creat(\"c\", 0600) = 16"),
            (sys::__NR_mkdir, vec![d, 0o700], 0, "mkdir(\"d\", 0700) = 0"),
            (sys::__NR_mkdirat, vec![CWD, d2, 0o1777], 0, "mkdirat(AT_FDCWD, \"d2\", 01777) = 0"),
            (sys::__NR_mkdirat, vec![(1 << 32) | 5, nx, 0], -2, "mkdirat(5, \"/nonexist/x\", 000) = -1 ENOENT (No such file or directory)"),
            (sys::__NR_rmdir, vec![d2], 0, "rmdir(\"d2\") = 0"),
            (sys::__NR_link, vec![f, g], 0, "link(\"f\", \"g\") = 0"),
            (sys::__NR_linkat, vec![CWD, f, CWD, h, 0x400], 0, "linkat(AT_FDCWD, \"f\", AT_FDCWD, \"h\", AT_SYMLINK_FOLLOW) = 0"),
            (sys::__NR_linkat, vec![CWD, f, CWD, h2, 0], 0, "linkat(AT_FDCWD, \"f\", AT_FDCWD, \"h2\", 0) = 0"),
            (sys::__NR_linkat, vec![CWD, f, CWD, h3, 0x800_0000], -22, "linkat(AT_FDCWD, \"f\", AT_FDCWD, \"h3\", 0x8000000 /* AT_??? */) = -1 EINVAL (Invalid argument)"),
            (sys::__NR_symlink, vec![f, sl], 0, "symlink(\"f\", \"s\") = 0"),
            (sys::__NR_symlinkat, vec![f, CWD, s2], 0, "symlinkat(\"f\", AT_FDCWD, \"s2\") = 0"),
            (sys::__NR_symlinkat, vec![f, 99, s2], -9, "symlinkat(\"f\", 99, \"s2\") = -1 EBADF (Bad file descriptor)"),
            // The buffer holds "f" (and the NUL the call did not write).
            (sys::__NR_readlink, vec![sl, f, 4096], 1, "readlink(\"s\", \"f\", 4096) = 1"),
            (sys::__NR_readlinkat, vec![CWD, s2, f, 1], 1, "readlinkat(AT_FDCWD, \"s2\", \"f\", 1) = 1"),
            (sys::__NR_readlinkat, vec![CWD, f, buf, 100], -22, "readlinkat(AT_FDCWD, \"f\", 0x7ffc1fb1e0a0, 100) = -1 EINVAL (Invalid argument)"),
            (sys::__NR_readlink, vec![fd0, null, 100], 9, "readlink(\"/proc/self/fd/0\", \"/dev/null\", 100) = 9"),
            // Only the bytes it returned, though more follow.
            (sys::__NR_readlink, vec![fd0, tmp, 10], 4, "readlink(\"/proc/self/fd/0\", \"/tmp\", 10) = 4"),
            (sys::__NR_rename, vec![g, g2], 0, "rename(\"g\", \"g2\") = 0"),
            (sys::__NR_renameat, vec![CWD, g2, CWD, g3], 0, "renameat(AT_FDCWD, \"g2\", AT_FDCWD, \"g3\") = 0"),
            (sys::__NR_renameat2, vec![CWD, g3, CWD, g4, 1], 0, "renameat2(AT_FDCWD, \"g3\", AT_FDCWD, \"g4\", RENAME_NOREPLACE) = 0"),
            (sys::__NR_renameat2, vec![CWD, g4, CWD, h, 2], 0, "renameat2(AT_FDCWD, \"g4\", AT_FDCWD, \"h\", RENAME_EXCHANGE) = 0"),
            (sys::__NR_renameat2, vec![CWD, g4, CWD, h, 0x10], -22, "renameat2(AT_FDCWD, \"g4\", AT_FDCWD, \"h\", 0x10 /* RENAME_?? */) = -1 EINVAL (Invalid argument)"),
            (sys::__NR_unlink, vec![h], 0, "unlink(\"h\") = 0"),
            (sys::__NR_unlinkat, vec![CWD, d, 0x200], 0, "unlinkat(AT_FDCWD, \"d\", AT_REMOVEDIR) = 0"),
            (sys::__NR_unlinkat, vec![CWD, h2, 0], 0, "unlinkat(AT_FDCWD, \"h2\", 0) = 0"),
            (sys::__NR_unlinkat, vec![CWD, h2, 1], -22, "unlinkat(AT_FDCWD, \"h2\", 0x1 /* AT_??? */) = -1 EINVAL (Invalid argument)"),
            (sys::__NR_access, vec![f, 6], 0, "access(\"f\", R_OK|W_OK) = 0"),
            (sys::__NR_access, vec![f, 0], 0, "access(\"f\", F_OK) = 0"),
            (sys::__NR_access, vec![f, 0x10], -22, "access(\"f\", 0x10 /* ?_OK */) = -1 EINVAL (Invalid argument)"),
            (sys::__NR_faccessat, vec![CWD, f, 4], 0, "faccessat(AT_FDCWD, \"f\", R_OK) = 0"),
            (sys::__NR_faccessat2, vec![CWD, f, 4, 0x300], 0, "faccessat2(AT_FDCWD, \"f\", R_OK, AT_SYMLINK_NOFOLLOW|AT_EACCESS) = 0"),
            (sys::__NR_faccessat2, vec![CWD, f, 4, 0], 0, "faccessat2(AT_FDCWD, \"f\", R_OK, 0) = 0"),
            (sys::__NR_getcwd, vec![tmp, 4096], 11, "getcwd(\"/tmp/sfs-p\", 4096) = 11"),
            (sys::__NR_getcwd, vec![buf, 2], -34, "getcwd(0x7ffc1fb1e0a0, 2) = -1 ERANGE (Numerical result out of range)"),
            (sys::__NR_getcwd, vec![0, 100], -14, "getcwd(NULL, 100) = -1 EFAULT (Bad address)"),
            (sys::__NR_truncate, vec![f, 5], 0, "truncate(\"f\", 5) = 0"),
            (sys::__NR_truncate, vec![f, u64::MAX], -22, "truncate(\"f\", 18446744073709551615) = -1 EINVAL (Invalid argument)"),
            (sys::__NR_ftruncate, vec![17, 12], 0, "ftruncate(17, 12) = 0"),
            (sys::__NR_ftruncate, vec![4, u64::MAX], -22, "ftruncate(4, 18446744073709551615) = -1 EINVAL (Invalid argument)"),
            (sys::__NR_fsync, vec![17], 0, "fsync(17) = 0"),
            (sys::__NR_fdatasync, vec![17], 0, "fdatasync(17) = 0"),
            (sys::__NR_fsync, vec![(1 << 32) | 99], -9, "fsync(99) = -1 EBADF (Bad file descriptor)"),
            (sys::__NR_fchdir, vec![18], 0, "fchdir(18) = 0"),
            (sys::__NR_fchmod, vec![17, 0o640], 0, "fchmod(17, 0640) = 0"),
            (sys::__NR_fchmod, vec![99, 0xffff_ffff], -9, "fchmod(99, 0177777) = -1 EBADF (Bad file descriptor)"),
            (sys::__NR_chmod, vec![f, 0o100644], 0, "chmod(\"f\", 0100644) = 0"),
            (sys::__NR_fchmodat, vec![CWD, f, 0o644], 0, "fchmodat(AT_FDCWD, \"f\", 0644) = 0"),
            (sys::__NR_chown, vec![f, u64::MAX, u64::MAX], 0, "chown(\"f\", -1, -1) = 0"),
            (sys::__NR_chown, vec![f, 0xffff_fffe, (1 << 32) - 1], -2, "chown(\"f\", 4294967294, -1) = -1 ENOENT (No such file or directory)"),
            (sys::__NR_lchown, vec![sl, 1000, 0xffff_ffff], 0, "lchown(\"s\", 1000, -1) = 0"),
            (sys::__NR_fchown, vec![17, u64::MAX, 5], 0, "fchown(17, -1, 5) = 0"),
            (sys::__NR_fchownat, vec![CWD, f, u64::MAX, u64::MAX, 0x100], 0, "fchownat(AT_FDCWD, \"f\", -1, -1, AT_SYMLINK_NOFOLLOW) = 0"),
            (sys::__NR_fchownat, vec![CWD, f, (1 << 32) | 7, u64::MAX, 0], 0, "fchownat(AT_FDCWD, \"f\", 7, -1, 0) = 0"),
            (sys::__NR_close_range, vec![50, 60, 0], 0, "close_range(50, 60, 0) = 0"),
            (sys::__NR_close_range, vec![50, 0xffff_ffff, 4], 0, "close_range(50, 4294967295, CLOSE_RANGE_CLOEXEC) = 0"),
            (sys::__NR_close_range, vec![50, 60, 1], -22, "close_range(50, 60, 0x1 /* CLOSE_RANGE_??? */) = -1 EINVAL (Invalid argument)"),
            (sys::__NR_close_range, vec![(1 << 40) | 50, u64::MAX, (1 << 32) | 0xff], -22, "close_range(50, 4294967295, CLOSE_RANGE_UNSHARE|CLOSE_RANGE_CLOEXEC|0xf9) = -1 EINVAL (Invalid argument)"),
            (sys::__NR_lseek, vec![17, 0, 0], 0, "lseek(17, 0, SEEK_SET) = 0"),
            (sys::__NR_lseek, vec![17, 0xffff_fffd, 2], 4294967396, "lseek(17, 4294967293, SEEK_END) = 4294967396"),
            (sys::__NR_lseek, vec![17, 0, 7], -22, "lseek(17, 0, 0x7 /* SEEK_??? */) = -1 EINVAL (Invalid argument)"),
            (sys::__NR_lseek, vec![99, -5i64 as u64, 1], -9, "lseek(99, -5, SEEK_CUR) = -1 EBADF (Bad file descriptor)"),
            (sys::__NR_dup3, vec![0, 10, 0o2000000], 10, "dup3(0, 10, O_CLOEXEC) = 10"),
            (sys::__NR_dup3, vec![0, 11, 0], 11, "dup3(0, 11, 0) = 11"),
            (sys::__NR_dup3, vec![0, 12, 0x10], -22, "dup3(0, 12, 0x10 /* O_??? */) = -1 EINVAL (Invalid argument)"),
        ];
        for (nr, args, ret, want) in cases {
            assert_eq!(line(nr, &args, ret, &m), want);
        }
        // The padding to column 40 is the same for these lines.
        assert_eq!(
            format_call(&call(sys::__NR_rmdir, &[d2], Some(0)), &m),
            "rmdir(\"d2\")                             = 0"
        );
    }

    /// Paths are cut after 4095 bytes (strace's PATH_MAX buffer less its
    /// NUL), measured natively with paths of 4094 to 4097 bytes; one that
    /// runs into memory that cannot be read is its address.
    #[test]
    fn long_paths() {
        let mut m = FakeMem::default();
        let items: Vec<Vec<u8>> = [4094, 4095, 4096, 4097]
            .iter()
            .map(|&n| vec![b'a'; n])
            .collect();
        let refs: Vec<&[u8]> = items.iter().map(|v| &v[..]).collect();
        let at = strings(&mut m, 0x10_0000, &refs);
        for (addr, (shown, cut)) in
            at.into_iter()
                .zip([(4094, false), (4095, false), (4095, true), (4095, true)])
        {
            let want = format!("\"{}\"{}", "a".repeat(shown), if cut { "..." } else { "" });
            assert_eq!(path(&m, addr), want);
        }
        m.0.insert(0x20_0000, vec![b'a'; 4096]);
        assert_eq!(
            line(sys::__NR_open, &[0x20_0ffd, 0], -14, &m),
            "open(0x200ffd, O_RDONLY) = -1 EFAULT (Bad address)"
        );
    }

    fn stat_bytes(mode: u32, size: i64, rdev: u64) -> Vec<u8> {
        Stat {
            st_mode: mode,
            st_size: size,
            st_rdev: rdev,
            ..Stat::default()
        }
        .as_bytes()
        .to_vec()
    }

    /// stat, lstat, newfstatat, statx, statfs and fstatfs: each line as
    /// strace 6.1 printed it natively for the same records (and for
    /// statfs with no flags, what its code prints).
    #[test]
    fn file_records() {
        let mut m = FakeMem::default();
        let s = strings(
            &mut m,
            0x10_0000,
            &[
                b"f",
                b"s",
                b"/dev/null",
                b"nonexist",
                b"",
                b"/",
                b"/dev/shm",
                b"/proc",
                b"/tmp",
            ],
        );
        let [f, sl, null, nonexist, empty, root, shm, proc, tmp] = s[..] else {
            unreachable!()
        };
        m.0.insert(0x20_0000, stat_bytes(0o100644, 12, 0));
        m.0.insert(0x20_1000, stat_bytes(0o120777, 1, 0));
        m.0.insert(0x20_2000, stat_bytes(0o20666, 0, 0x103));
        m.0.insert(0x20_3000, stat_bytes(0o107755, 0, 0));
        let statx = |mask: u32, attrs: u64, mode: u16, size: u64| {
            Statx {
                stx_mask: mask,
                stx_attributes: attrs,
                stx_mode: mode,
                stx_size: size,
                ..Statx::default()
            }
            .as_bytes()
            .to_vec()
        };
        m.0.insert(0x21_0000, statx(0x1fff, 0, 0o100644, 12));
        m.0.insert(0x21_1000, statx(0x17ff, 0x2000, 0o40755, 4096));
        m.0.insert(0x21_2000, statx(0x17ff, 0, 0o20666, 0));
        let statfs = |f_type: i64,
                      blocks: u64,
                      free: u64,
                      files: u64,
                      ffree: u64,
                      fsid: [i32; 2],
                      flags: i64| {
            Statfs {
                f_type,
                f_bsize: 4096,
                f_blocks: blocks,
                f_bfree: free,
                f_bavail: free,
                f_files: files,
                f_ffree: ffree,
                f_fsid: fsid,
                f_namelen: 255,
                f_frsize: 4096,
                f_flags: flags,
                f_spare: [0; 4],
            }
            .as_bytes()
            .to_vec()
        };
        m.0.insert(
            0x22_0000,
            statfs(
                0x0102_1994,
                6170896,
                6170896,
                3085448,
                3085447,
                [0x10b7d51d, 0x235e625f],
                0x1020,
            ),
        );
        m.0.insert(0x22_1000, statfs(0x9fa0, 0, 0, 0, 0, [0x15, 0], 0x1020));
        m.0.insert(0x22_2000, statfs(0x0102_1994, 100, 99, 50, 49, [0, 0], 0));
        let cases: Vec<(u64, Vec<u64>, i64, &str)> = vec![
            (sys::__NR_stat, vec![f, 0x20_0000], 0, "stat(\"f\", {st_mode=S_IFREG|0644, st_size=12, ...}) = 0"),
            (sys::__NR_lstat, vec![sl, 0x20_1000], 0, "lstat(\"s\", {st_mode=S_IFLNK|0777, st_size=1, ...}) = 0"),
            (sys::__NR_stat, vec![null, 0x20_2000], 0, "stat(\"/dev/null\", {st_mode=S_IFCHR|0666, st_rdev=makedev(0x1, 0x3), ...}) = 0"),
            (sys::__NR_stat, vec![f, 0x20_3000], 0, "stat(\"f\", {st_mode=S_IFREG|S_ISUID|S_ISGID|S_ISVTX|0755, st_size=0, ...}) = 0"),
            (sys::__NR_stat, vec![nonexist, 0x7ffc_1fb1_e010], -2, "stat(\"nonexist\", 0x7ffc1fb1e010) = -1 ENOENT (No such file or directory)"),
            (sys::__NR_stat, vec![f, 8], -14, "stat(\"f\", 0x8) = -1 EFAULT (Bad address)"),
            (sys::__NR_newfstatat, vec![CWD, f, 0x20_0000, 0x100], 0, "newfstatat(AT_FDCWD, \"f\", {st_mode=S_IFREG|0644, st_size=12, ...}, AT_SYMLINK_NOFOLLOW) = 0"),
            (sys::__NR_newfstatat, vec![3, empty, 0x20_0000, 0x1000], 0, "newfstatat(3, \"\", {st_mode=S_IFREG|0644, st_size=12, ...}, AT_EMPTY_PATH) = 0"),
            (sys::__NR_newfstatat, vec![CWD, f, 0x7ffc_1fb1_e010, 0x801], -22, "newfstatat(AT_FDCWD, \"f\", 0x7ffc1fb1e010, AT_NO_AUTOMOUNT|0x1) = -1 EINVAL (Invalid argument)"),
            (sys::__NR_statx, vec![CWD, f, 0, 0xfff, 0x21_0000], 0, "statx(AT_FDCWD, \"f\", AT_STATX_SYNC_AS_STAT, STATX_ALL, {stx_mask=STATX_ALL|STATX_MNT_ID, stx_attributes=0, stx_mode=S_IFREG|0644, stx_size=12, ...}) = 0"),
            (sys::__NR_statx, vec![CWD, root, 0, 0x7ff, 0x21_1000], 0, "statx(AT_FDCWD, \"/\", AT_STATX_SYNC_AS_STAT, STATX_BASIC_STATS, {stx_mask=STATX_BASIC_STATS|STATX_MNT_ID, stx_attributes=STATX_ATTR_MOUNT_ROOT, stx_mode=S_IFDIR|0755, stx_size=4096, ...}) = 0"),
            (sys::__NR_statx, vec![CWD, null, 0, 0x7ff, 0x21_2000], 0, "statx(AT_FDCWD, \"/dev/null\", AT_STATX_SYNC_AS_STAT, STATX_BASIC_STATS, {stx_mask=STATX_BASIC_STATS|STATX_MNT_ID, stx_attributes=0, stx_mode=S_IFCHR|0666, stx_size=0, ...}) = 0"),
            (sys::__NR_statx, vec![CWD, f, 0x2100, 0x7ff, 0x21_0000], 0, "statx(AT_FDCWD, \"f\", AT_STATX_FORCE_SYNC|AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, {stx_mask=STATX_ALL|STATX_MNT_ID, stx_attributes=0, stx_mode=S_IFREG|0644, stx_size=12, ...}) = 0"),
            (sys::__NR_statx, vec![CWD, null, 0x6000, 0, 0x7ffc_1fb1_df10], -22, "statx(AT_FDCWD, \"/dev/null\", AT_STATX_FORCE_SYNC|AT_STATX_DONT_SYNC, 0, 0x7ffc1fb1df10) = -1 EINVAL (Invalid argument)"),
            (sys::__NR_statx, vec![CWD, f, 0, 0x8000_0000, 0x7ffc_1fb1_df10], -22, "statx(AT_FDCWD, \"f\", AT_STATX_SYNC_AS_STAT, 0x80000000 /* STATX_??? */, 0x7ffc1fb1df10) = -1 EINVAL (Invalid argument)"),
            (sys::__NR_statx, vec![CWD, nonexist, 0, 0x7ff, 0], -14, "statx(AT_FDCWD, \"nonexist\", AT_STATX_SYNC_AS_STAT, STATX_BASIC_STATS, NULL) = -1 EFAULT (Bad address)"),
            (sys::__NR_statfs, vec![shm, 0x22_0000], 0, "statfs(\"/dev/shm\", {f_type=TMPFS_MAGIC, f_bsize=4096, f_blocks=6170896, f_bfree=6170896, f_bavail=6170896, f_files=3085448, f_ffree=3085447, f_fsid={val=[0x10b7d51d, 0x235e625f]}, f_namelen=255, f_frsize=4096, f_flags=ST_VALID|ST_RELATIME}) = 0"),
            (sys::__NR_statfs, vec![proc, 0x22_1000], 0, "statfs(\"/proc\", {f_type=PROC_SUPER_MAGIC, f_bsize=4096, f_blocks=0, f_bfree=0, f_bavail=0, f_files=0, f_ffree=0, f_fsid={val=[0x15, 0]}, f_namelen=255, f_frsize=4096, f_flags=ST_VALID|ST_RELATIME}) = 0"),
            (sys::__NR_statfs, vec![tmp, 0x22_2000], 0, "statfs(\"/tmp\", {f_type=TMPFS_MAGIC, f_bsize=4096, f_blocks=100, f_bfree=99, f_bavail=99, f_files=50, f_ffree=49, f_fsid={val=[0, 0]}, f_namelen=255, f_frsize=4096}) = 0"),
            (sys::__NR_statfs, vec![nonexist, 0x7ffc_688a_17b0], -2, "statfs(\"nonexist\", 0x7ffc688a17b0) = -1 ENOENT (No such file or directory)"),
            (sys::__NR_fstatfs, vec![17, 0x22_0000], 0, "fstatfs(17, {f_type=TMPFS_MAGIC, f_bsize=4096, f_blocks=6170896, f_bfree=6170896, f_bavail=6170896, f_files=3085448, f_ffree=3085447, f_fsid={val=[0x10b7d51d, 0x235e625f]}, f_namelen=255, f_frsize=4096, f_flags=ST_VALID|ST_RELATIME}) = 0"),
            (sys::__NR_fstatfs, vec![17, 8], -14, "fstatfs(17, 0x8) = -1 EFAULT (Bad address)"),
        ];
        for (nr, args, ret, want) in cases {
            assert_eq!(line(nr, &args, ret, &m), want);
        }
    }

    fn iovecs(v: &[(u64, u64)]) -> Vec<u8> {
        v.iter()
            .flat_map(|&(iov_base, iov_len)| Iovec { iov_base, iov_len }.as_bytes().to_vec())
            .collect()
    }

    /// readv, preadv, writev, pwritev, pread64 and pwrite64, as strace 6.1
    /// printed them natively: a read's buffers show what it read, once it
    /// succeeded; a write's every buffer whole (strace decodes a write at
    /// its entry).
    #[test]
    fn io_vectors() {
        let mut m = FakeMem::default();
        let mut data = b"hel".to_vec();
        data.resize(0x10, 0);
        data.extend_from_slice(b"lo");
        data.resize(0x200, 0);
        m.0.insert(0x10_0000, data);
        let s = strings(
            &mut m,
            0x11_0000,
            &[
                b"hello",
                b"world, this is a long string beyond 32 bytes",
                b"ab",
                b"abc",
            ],
        );
        let [hello, world, ab, abc] = s[..] else {
            unreachable!()
        };
        m.0.insert(0x12_0000, iovecs(&[(0x10_0000, 3), (0x10_0010, 100)]));
        m.0.insert(0x12_1000, iovecs(&[(0, 0)]));
        m.0.insert(0x12_2000, iovecs(&[(hello, 5), (world, 44)]));
        m.0.insert(0x12_3000, iovecs(&vec![(ab, 2); 40]));
        // 32 entries, the last at the end of readable memory.
        let mut tail = vec![0u8; 0x1000 - 32 * 16];
        tail.extend(iovecs(&vec![(ab, 2); 32]));
        m.0.insert(0x14_0000, tail);
        let writev_33 = format!(
            "writev(99, [{}, ... /* 0x141000 */], 33) = -1 EBADF (Bad file descriptor)",
            vec!["{iov_base=\"ab\", iov_len=2}"; 32].join(", ")
        );
        // The second entry is past the end of readable memory.
        let mut edge = vec![0u8; 0x1000 - 16];
        edge.extend(iovecs(&[(0x10_0000, 3)]));
        m.0.insert(0x13_0000, edge);
        let zeros = "\\0".repeat(30);
        let readv_hello = format!("readv(17, [{{iov_base=\"hel\", iov_len=3}}, {{iov_base=\"lo{zeros}\"..., iov_len=100}}], 2) = 103");
        let ab2 = vec!["{iov_base=\"ab\", iov_len=2}"; 32].join(", ");
        let writev_40 = format!("writev(99, [{ab2}, ...], 40) = -1 EBADF (Bad file descriptor)");
        let writev_32 = format!("writev(99, [{ab2}], 32) = -1 EBADF (Bad file descriptor)");
        let pread_zeros = format!(
            "pread64(17, \"hel{}\"..., 64, 0) = 64",
            "\\0".repeat(13) + "lo" + &"\\0".repeat(14)
        );
        let cases: Vec<(u64, Vec<u64>, i64, &str)> = vec![
            (sys::__NR_readv, vec![17, 0x12_0000, 2], 103, &readv_hello),
            (sys::__NR_readv, vec![99, 0x12_0000, 2], -9, "readv(99, [{iov_base=0x100000, iov_len=3}, {iov_base=0x100010, iov_len=100}], 2) = -1 EBADF (Bad file descriptor)"),
            (sys::__NR_readv, vec![17, 0x12_1000, 1], 0, "readv(17, [{iov_base=NULL, iov_len=0}], 1) = 0"),
            (sys::__NR_preadv, vec![17, 0x12_0000, 2, 1000], 0, "preadv(17, [{iov_base=\"\", iov_len=3}, {iov_base=\"\", iov_len=100}], 2, 1000) = 0"),
            (sys::__NR_preadv, vec![17, 0x12_0000, 2, 5], 4, "preadv(17, [{iov_base=\"hel\", iov_len=3}, {iov_base=\"l\", iov_len=100}], 2, 5) = 4"),
            (sys::__NR_preadv, vec![99, 0, 1, -5i64 as u64], -22, "preadv(99, NULL, 1, -5) = -1 EINVAL (Invalid argument)"),
            (sys::__NR_pwritev, vec![17, 0x12_2000, 2, 3], 49, "pwritev(17, [{iov_base=\"hello\", iov_len=5}, {iov_base=\"world, this is a long string bey\"..., iov_len=44}], 2, 3) = 49"),
            (sys::__NR_pwritev, vec![99, 0, 1, -5i64 as u64], -22, "pwritev(99, NULL, 1, -5) = -1 EINVAL (Invalid argument)"),
            (sys::__NR_writev, vec![99, 0x12_2000, 2], -9, "writev(99, [{iov_base=\"hello\", iov_len=5}, {iov_base=\"world, this is a long string bey\"..., iov_len=44}], 2) = -1 EBADF (Bad file descriptor)"),
            // A short write: strace shows what it was given.
            (sys::__NR_writev, vec![1, 0x12_2000, 2], 7, "writev(1, [{iov_base=\"hello\", iov_len=5}, {iov_base=\"world, this is a long string bey\"..., iov_len=44}], 2) = 7"),
            (sys::__NR_writev, vec![99, 0x12_2000, 0], -9, "writev(99, [], 0) = -1 EBADF (Bad file descriptor)"),
            (sys::__NR_writev, vec![99, 0, 2], -9, "writev(99, NULL, 2) = -1 EBADF (Bad file descriptor)"),
            (sys::__NR_writev, vec![99, 0x12_3000, 40], -9, &writev_40),
            (sys::__NR_writev, vec![99, 0x12_3000, 32], -9, &writev_32),
            (sys::__NR_writev, vec![99, 0x14_0e00, 33], -9, &writev_33),
            (sys::__NR_writev, vec![99, 0, 0], -9, "writev(99, NULL, 0) = -1 EBADF (Bad file descriptor)"),
            (sys::__NR_readv, vec![0, 0x13_0ff0, 2], -14, "readv(0, [{iov_base=0x100000, iov_len=3}, ... /* 0x131000 */], 2) = -1 EFAULT (Bad address)"),
            (sys::__NR_writev, vec![99, 0x13_0ff0, 2], -9, "writev(99, [{iov_base=\"hel\", iov_len=3}, ... /* 0x131000 */], 2) = -1 EBADF (Bad file descriptor)"),
            (sys::__NR_writev, vec![99, 0x8, 2], -14, "writev(99, 0x8, 2) = -1 EFAULT (Bad address)"),
            // An array that would wrap around the top of memory.
            (sys::__NR_writev, vec![99, u64::MAX - 15, 2], -14, "writev(99, 0xfffffffffffffff0, 2) = -1 EFAULT (Bad address)"),
            (sys::__NR_pread64, vec![17, 0x10_0000, 64, 0], 64, &pread_zeros),
            (sys::__NR_pread64, vec![17, 0x7ffc_1fb1_e0a0, 64, u64::MAX], -22, "pread64(17, 0x7ffc1fb1e0a0, 64, -1) = -1 EINVAL (Invalid argument)"),
            (sys::__NR_pwrite64, vec![17, abc, 3, 100], 3, "pwrite64(17, \"abc\", 3, 100) = 3"),
            (sys::__NR_pwrite64, vec![99, abc, 1, -5i64 as u64], -22, "pwrite64(99, \"a\", 1, -5) = -1 EINVAL (Invalid argument)"),
            (sys::__NR_write, vec![1, 0, 0], 0, "write(1, NULL, 0) = 0"),
        ];
        for (nr, args, ret, want) in cases {
            assert_eq!(line(nr, &args, ret, &m), want);
        }
    }

    fn dirents(reclens: &[u16]) -> Vec<u8> {
        let mut v = Vec::new();
        for (i, &r) in reclens.iter().enumerate() {
            let mut rec = Dirent64Head {
                d_ino: i as u64 + 1,
                d_off: i as i64 + 1,
                d_reclen: r,
                d_type: 4,
            }
            .as_bytes()
            .to_vec();
            rec.resize(usize::from(r).max(rec.len()), 0);
            v.extend(rec);
        }
        v
    }

    /// getdents64: the buffer's address and how many records the call
    /// returned, as strace 6.1 prints it by default.
    #[test]
    fn getdents64_entries() {
        let mut m = FakeMem::default();
        m.0.insert(0x10_0000, dirents(&[24; 7]));
        m.0.insert(0x11_0000, dirents(&[24, 32, 0, 24]));
        let cases: Vec<(Vec<u64>, i64, &str)> = vec![
            (
                vec![18, 0x10_0000, 4096],
                168,
                "getdents64(18, 0x100000 /* 7 entries */, 4096) = 168",
            ),
            (
                vec![4, 0x10_0000, 24],
                24,
                "getdents64(4, 0x100000 /* 1 entries */, 24) = 24",
            ),
            (
                vec![18, 0x10_0000, 4096],
                0,
                "getdents64(18, 0x100000 /* 0 entries */, 4096) = 0",
            ),
            // At the end nothing is read: even a bad buffer gets the count.
            (
                vec![4, 0x8, 4096],
                0,
                "getdents64(4, 0x8 /* 0 entries */, 4096) = 0",
            ),
            (
                vec![99, 0x10_0000, 4096],
                -9,
                "getdents64(99, 0x100000, 4096) = -1 EBADF (Bad file descriptor)",
            ),
            (
                vec![4, 0x10_0000, 0],
                -22,
                "getdents64(4, 0x100000, 0) = -1 EINVAL (Invalid argument)",
            ),
            // The count is an `unsigned int`.
            (
                vec![4, 0x10_0000, (1 << 32) | 4096],
                72,
                "getdents64(4, 0x100000 /* 3 entries */, 4096) = 72",
            ),
            // A record too short to hold a name ends the count.
            (
                vec![4, 0x11_0000, 4096],
                80,
                "getdents64(4, 0x110000 /* 2 entries */, 4096) = 80",
            ),
            // A result longer than memory holds: the address.
            (
                vec![4, 0x10_0000, 4096],
                4096,
                "getdents64(4, 0x100000, 4096) = 4096",
            ),
        ];
        for (args, ret, want) in cases {
            assert_eq!(line(sys::__NR_getdents64, &args, ret, &m), want);
        }
    }

    /// utimensat's times, as strace 6.1 printed them natively (TZ=UTC).
    #[test]
    fn utimensat_times() {
        let mut m = FakeMem::default();
        let s = strings(&mut m, 0x10_0000, &[b"f"]);
        let f = s[0];
        let now = abi::linux::fs::UTIME_NOW;
        let omit = abi::linux::fs::UTIME_OMIT;
        let times = |t: [(i64, i64); 2]| -> Vec<u8> {
            t.iter()
                .flat_map(|&(tv_sec, tv_nsec)| Timespec { tv_sec, tv_nsec }.as_bytes().to_vec())
                .collect()
        };
        m.0.insert(0x20_0000, times([(0, now), (0, omit)]));
        m.0.insert(0x20_1000, times([(1_700_000_000, 0), (1_700_000_001, 500)]));
        m.0.insert(0x20_2000, times([(0, 2_000_000_000), (-1, 0)]));
        m.0.insert(0x20_3000, times([(5, now), (0, 0)]));
        m.0.insert(0x20_4000, times([(5, -1), (0, omit)]));
        m.0.insert(0x20_5000, times([(0, now | (1 << 32)), (0, 5)]));
        m.0.insert(0x20_6000, times([(0, omit), (0, now)]));
        // Only the first of the two is readable.
        let mut edge = vec![0u8; 0x1000 - 16];
        edge.extend(times([(1, now), (0, 0)]).into_iter().take(16));
        m.0.insert(0x21_0000, edge);
        let u = sys::__NR_utimensat;
        let cases: Vec<(Vec<u64>, i64, &str)> = vec![
            (vec![CWD, f, 0x20_0000, 0], 0, "utimensat(AT_FDCWD, \"f\", [UTIME_NOW, UTIME_OMIT], 0) = 0"),
            (vec![CWD, f, 0x20_1000, 0x100], 0, "utimensat(AT_FDCWD, \"f\", [{tv_sec=1700000000, tv_nsec=0} /* 2023-11-14T22:13:20+0000 */, {tv_sec=1700000001, tv_nsec=500} /* 2023-11-14T22:13:21.000000500+0000 */], AT_SYMLINK_NOFOLLOW) = 0"),
            (vec![CWD, f, 0, 0], 0, "utimensat(AT_FDCWD, \"f\", NULL, 0) = 0"),
            (vec![17, 0, 0, 0], 0, "utimensat(17, NULL, NULL, 0) = 0"),
            (vec![CWD, f, 8, 0], -14, "utimensat(AT_FDCWD, \"f\", 0x8, 0) = -1 EFAULT (Bad address)"),
            (vec![CWD, f, 0x20_2000, 0], -22, "utimensat(AT_FDCWD, \"f\", [{tv_sec=0, tv_nsec=2000000000}, {tv_sec=-1, tv_nsec=0} /* 1969-12-31T23:59:59+0000 */], 0) = -1 EINVAL (Invalid argument)"),
            (vec![CWD, f, 0x20_3000, 0], 0, "utimensat(AT_FDCWD, \"f\", [UTIME_NOW, {tv_sec=0, tv_nsec=0}], 0) = 0"),
            (vec![CWD, f, 0x20_4000, 0], -2, "utimensat(AT_FDCWD, \"f\", [{tv_sec=5, tv_nsec=18446744073709551615}, UTIME_OMIT], 0) = -1 ENOENT (No such file or directory)"),
            (vec![CWD, f, 0x20_5000, 0], -2, "utimensat(AT_FDCWD, \"f\", [{tv_sec=0, tv_nsec=5368709119}, {tv_sec=0, tv_nsec=5} /* 1970-01-01T00:00:00.000000005+0000 */], 0) = -1 ENOENT (No such file or directory)"),
            (vec![CWD, f, 0x20_6000, 0x100], -2, "utimensat(AT_FDCWD, \"f\", [UTIME_OMIT, UTIME_NOW], AT_SYMLINK_NOFOLLOW) = -1 ENOENT (No such file or directory)"),
            (vec![CWD, f, 0x21_0ff0, 0], -14, "utimensat(AT_FDCWD, \"f\", 0x210ff0, 0) = -1 EFAULT (Bad address)"),
            (vec![CWD, f, 0, 0xffff], -22, "utimensat(AT_FDCWD, \"f\", NULL, AT_SYMLINK_NOFOLLOW|AT_REMOVEDIR|AT_SYMLINK_FOLLOW|AT_NO_AUTOMOUNT|AT_EMPTY_PATH|AT_RECURSIVE|0x60ff) = -1 EINVAL (Invalid argument)"),
        ];
        for (args, ret, want) in cases {
            assert_eq!(line(u, &args, ret, &m), want);
        }
    }

    /// execve and execveat, as strace 6.1 printed them natively for calls
    /// that failed (so their memory is still there to read); after a
    /// success, the addresses.
    #[test]
    fn execve_args() {
        let mut m = FakeMem::default();
        let long = b"0123456789012345678901234567890123456789";
        let s = strings(
            &mut m,
            0x10_0000,
            &[
                b"/nonexist/x",
                b"prog",
                b"a b",
                b"tab\there",
                b"A=1",
                b"B=2",
                b"C=3",
                b"x",
                long,
                b"",
                b"a",
                b"b",
            ],
        );
        let [nx, prog, a_b, tab, a1, b2, c3, x, long, empty, a, b] = s[..] else {
            unreachable!()
        };
        m.0.insert(0x20_0000, words(&[prog, a_b, tab, 0]));
        m.0.insert(0x20_1000, words(&[a1, 0]));
        m.0.insert(0x20_2000, words(&[0]));
        m.0.insert(0x20_3000, words(&[a1, b2, c3, 0]));
        let xs = |n: usize| {
            let mut v = vec![x; n];
            v.push(0);
            words(&v)
        };
        m.0.insert(0x21_0000, xs(39));
        m.0.insert(0x21_1000, xs(33));
        m.0.insert(0x21_2000, xs(32));
        m.0.insert(0x21_3000, words(&[long, 8, 0]));
        // Arrays that run into memory that cannot be read.
        let mut edge = vec![0u8; 0x1000 - 16];
        edge.extend(words(&[a, b]));
        m.0.insert(0x22_0000, edge);
        // 600 pointers across a page boundary, at an address not aligned
        // to 8.
        let mut big = vec![0u8; 0xc03];
        big.extend(words(&[a1; 600]));
        big.extend(words(&[0]));
        big.resize(0x2000, 0xff);
        m.0.insert(0x23_0000, big);
        let e = sys::__NR_execve;
        let ea = sys::__NR_execveat;
        let x32 = vec!["\"x\""; 32].join(", ");
        let big_argv = format!("execve(\"/nonexist/x\", [{x32}, ...], 0x201000 /* 1 var */) = -1 ENOENT (No such file or directory)");
        let argv_32 = format!("execve(\"/nonexist/x\", [{x32}], 0x212000 /* 32 vars */) = -1 ENOENT (No such file or directory)");
        let at_success = format!("execveat(3, {empty:#x}, 0x200000, 0x201000, AT_EMPTY_PATH) = 0");
        let cases: Vec<(u64, Vec<u64>, i64, &str)> = vec![
            (e, vec![nx, 0x20_0000, 0x20_1000], -2, "execve(\"/nonexist/x\", [\"prog\", \"a b\", \"tab\\there\"], 0x201000 /* 1 var */) = -1 ENOENT (No such file or directory)"),
            (e, vec![nx, 0x20_0000, 0x20_2000], -2, "execve(\"/nonexist/x\", [\"prog\", \"a b\", \"tab\\there\"], 0x202000 /* 0 vars */) = -1 ENOENT (No such file or directory)"),
            (e, vec![nx, 0x20_0000, 0x20_3000], -2, "execve(\"/nonexist/x\", [\"prog\", \"a b\", \"tab\\there\"], 0x203000 /* 3 vars */) = -1 ENOENT (No such file or directory)"),
            (e, vec![nx, 0, 0], -2, "execve(\"/nonexist/x\", NULL, NULL) = -1 ENOENT (No such file or directory)"),
            (e, vec![nx, 0x20_2000, 8], -2, "execve(\"/nonexist/x\", [], 0x8) = -1 ENOENT (No such file or directory)"),
            (e, vec![nx, 8, 0x20_1000], -2, "execve(\"/nonexist/x\", 0x8, 0x201000 /* 1 var */) = -1 ENOENT (No such file or directory)"),
            (e, vec![nx, 0x21_0000, 0x20_1000], -2, &big_argv),
            (e, vec![nx, 0x21_1000, 0x20_1000], -2, &big_argv),
            (e, vec![nx, 0x21_2000, 0x21_2000], -2, &argv_32),
            (e, vec![nx, 0x21_3000, 0x20_1000], -2, "execve(\"/nonexist/x\", [\"01234567890123456789012345678901\"..., 0x8], 0x201000 /* 1 var */) = -1 ENOENT (No such file or directory)"),
            (e, vec![nx, 0x22_0ff0, 0x22_0ff0], -2, "execve(\"/nonexist/x\", [\"a\", \"b\", ... /* 0x221000 */], 0x220ff0 /* 2 vars, unterminated */) = -1 ENOENT (No such file or directory)"),
            (e, vec![nx, 0x22_0ff8, 0x22_0ff8], -2, "execve(\"/nonexist/x\", [\"b\", ... /* 0x221000 */], 0x220ff8 /* 1 var, unterminated */) = -1 ENOENT (No such file or directory)"),
            (e, vec![nx, 0x20_0000, 0x23_0c03], -7, "execve(\"/nonexist/x\", [\"prog\", \"a b\", \"tab\\there\"], 0x230c03 /* 600 vars */) = -1 E2BIG (Argument list too long)"),
            (ea, vec![CWD, nx, 0x20_0000, 0x20_1000, 0x1100], -2, "execveat(AT_FDCWD, \"/nonexist/x\", [\"prog\", \"a b\", \"tab\\there\"], 0x201000 /* 1 var */, AT_SYMLINK_NOFOLLOW|AT_EMPTY_PATH) = -1 ENOENT (No such file or directory)"),
            (ea, vec![99, empty, 0x20_0000, 0x20_1000, 0x1_0000], -2, "execveat(99, \"\", [\"prog\", \"a b\", \"tab\\there\"], 0x201000 /* 1 var */, 0x10000 /* AT_??? */) = -1 ENOENT (No such file or directory)"),
            // Success: the old image, and what they pointed to, is gone.
            (e, vec![nx, 0x20_0000, 0x20_1000], 0, "execve(0x100000, 0x200000, 0x201000) = 0"),
            (ea, vec![3, empty, 0x20_0000, 0x20_1000, 0x1000], 0, &at_success),
        ];
        for (nr, args, ret, want) in cases {
            assert_eq!(line(nr, &args, ret, &m), want);
        }
        // A stop before it returns (none today) reads them too.
        assert_eq!(
            format_parts(&call(e, &[nx, 0x20_0000, 0x20_2000], None), &m),
            (
                "execve(\"/nonexist/x\", [\"prog\", \"a b\", \"tab\\there\"], 0x202000 /* 0 vars */)".to_string(),
                "?".to_string()
            )
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
            "chdir",
            "rmdir",
            "unlink",
            "link",
            "symlink",
            "rename",
            "stat",
            "lstat",
            "statfs",
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
        const NOT_YET: &[&str] = &[
            "waitid",
            "pidfd_open",
            "setrlimit",
            "preadv2",
            "pwritev2",
            "fadvise64",
            "syncfs",
            "getgroups",
            "msync",
            "get_robust_list",
            "execve",
            "eventfd",
            "eventfd2",
        ];
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
