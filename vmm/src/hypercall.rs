//! The host side of the hypercall ABI (`abi::hypercall`): the guest writes
//! the guest-physical address of a record to a port; we read the record,
//! check every field against guest RAM, and act.
//!
//! A malformed hypercall (bad address, impossible length) is a guest kernel
//! bug: it ends the run as a guest failure, never a host panic. A syscall
//! stop (a returned system call or a signal delivered to a handler) is only
//! decoded here: what happens at it is [`crate::stop`]'s.
//!
//! A deadlock exit (every task blocked, nothing can wake one) ends the run
//! at once with the kernel's records of who waits on what, read here while
//! the guest is stopped at the exit.

use std::time::Instant;

use abi::hypercall::{
    port, ConsoleRead, ConsoleWrite, Exit, PanicReport, Registers, SignalDelivery, SyscallExit,
    UserStart, EXIT_KIND_DEADLOCK, EXIT_KIND_EXEC_FAILED, EXIT_KIND_EXITED, EXIT_KIND_SIGNALED,
    PANIC_BACKTRACE_MAX,
};
use abi::layout::PAGE_SIZE;
use abi::linux::signal::NSIG;
use vm_memory::{Bytes, GuestAddress, GuestMemoryMmap};

use crate::console::Console;
use crate::outcome::Outcome;
use crate::stop::{Flow, Pipeline};
use crate::symbols::Symbols;
use zerocopy::{FromBytes, IntoBytes};

/// Longest console write accepted in one hypercall (the kernel chunks).
pub const MAX_CONSOLE_WRITE: u64 = 16 << 20;
/// Longest message (exit reason, panic message) read from the guest.
pub const MAX_MESSAGE: u64 = 4096;

pub enum Action {
    Continue,
    Stop(Outcome),
}

pub struct Context<'c, 'io> {
    pub mem: &'c GuestMemoryMmap,
    pub mem_size: u64,
    pub console: &'c mut Console<'io>,
    pub kernel_symbols: &'c Symbols,
    pub program_symbols: &'c Symbols,
    /// Kernel address of `kernel_roots`, if the kernel exports it: for the
    /// deadlock report.
    pub roots: Option<u64>,
    /// Set at the first USER_START hypercall: when, and the record.
    pub user_start: Option<(Instant, UserStart)>,
    /// What runs at each syscall stop, when stops are on.
    pub stops: Option<Pipeline<'c>>,
}

impl Context<'_, '_> {
    /// Reads the record a hypercall points at, after checking where it is.
    fn record<T: FromBytes + IntoBytes>(&self, addr: u64) -> Result<T, String> {
        let size = size_of::<T>() as u64;
        if addr % 8 != 0 || addr % PAGE_SIZE + size > PAGE_SIZE || addr + size > self.mem_size {
            return Err(format!(
                "record at {addr:#x} is misaligned, crosses a page or is outside RAM"
            ));
        }
        let mut rec = T::new_zeroed();
        self.mem
            .read_slice(rec.as_mut_bytes(), GuestAddress(addr))
            .map_err(|_| format!("record at {addr:#x} is unreadable"))?;
        Ok(rec)
    }

    /// Checks that `[buf, buf + len)` is guest RAM.
    fn range(&self, buf: u64, len: u64, max: u64, what: &str) -> Result<(), String> {
        if len > max {
            return Err(format!("{what} of {len} bytes (at most {max})"));
        }
        match buf.checked_add(len) {
            Some(end) if end <= self.mem_size => Ok(()),
            _ => Err(format!(
                "{what} buffer {buf:#x}+{len:#x} is outside guest RAM"
            )),
        }
    }

    fn message(&self, addr: u64, len: u64) -> String {
        let len = len.min(MAX_MESSAGE);
        if self.range(addr, len, MAX_MESSAGE, "message").is_err() {
            return "(message outside guest RAM)".into();
        }
        let mut buf = vec![0u8; len as usize];
        match self.mem.read_slice(&mut buf, GuestAddress(addr)) {
            Ok(()) => String::from_utf8_lossy(&buf).into_owned(),
            Err(_) => "(unreadable message)".into(),
        }
    }
}

/// Handles a hypercall to `port` whose record is at guest-physical `addr`.
pub fn handle(ctx: &mut Context, port: u16, addr: u64) -> Result<Action, String> {
    match port {
        port::CONSOLE_WRITE => console_write(ctx, addr),
        port::CONSOLE_READ => console_read(ctx, addr),
        port::EXIT => exit(ctx, addr),
        port::PANIC => panic(ctx, addr),
        port::STATS => {
            let st: abi::stats::KernelStats = ctx.record(addr)?;
            ctx.console.write(
                abi::hypercall::KERNEL_LOG_FD,
                format!(
                    "stats {}: free_frames={} total_frames={} tasks={} cached_kstacks={} kstack_hits={} kstack_misses={} sleepers={} heap_used={}\n",
                    st.tag, st.free_frames, st.total_frames, st.tasks, st.cached_kstacks, st.kstack_cache_hits,
                    st.kstack_cache_misses, st.sleepers, st.heap_used
                )
                .as_bytes(),
            );
            Ok(Action::Continue)
        }
        port::SYSCALL_EXIT => syscall_exit(ctx, addr),
        port::SIGNAL_DELIVERY => signal_delivery(ctx, addr),
        port::USER_START => {
            let record: UserStart = ctx.record(addr)?;
            ctx.user_start
                .get_or_insert_with(|| (Instant::now(), record));
            Ok(Action::Continue)
        }
        _ => Err(format!("write to unknown I/O port {port:#x}")),
    }
}

/// Decodes a syscall-stop report and hands it to the stop pipeline.
fn syscall_exit(ctx: &mut Context, addr: u64) -> Result<Action, String> {
    let call: SyscallExit = ctx.record(addr)?;
    let Some(stops) = ctx.stops.as_mut() else {
        return Err("syscall-exit report, but none was asked for".into());
    };
    Ok(match stops.syscall(call, ctx.mem, ctx.console)? {
        Flow::Continue => Action::Continue,
        Flow::Stop(outcome) => Action::Stop(outcome),
    })
}

/// Decodes a signal-delivery report and hands it to the stop pipeline.
fn signal_delivery(ctx: &mut Context, addr: u64) -> Result<Action, String> {
    let delivery: SignalDelivery = ctx.record(addr)?;
    let Some(stops) = ctx.stops.as_mut() else {
        return Err("signal-delivery report, but none was asked for".into());
    };
    Ok(match stops.signal(delivery, ctx.mem, ctx.console)? {
        Flow::Continue => Action::Continue,
        Flow::Stop(outcome) => Action::Stop(outcome),
    })
}

fn console_write(ctx: &mut Context, addr: u64) -> Result<Action, String> {
    let rec: ConsoleWrite = ctx.record(addr)?;
    ctx.range(rec.buf, rec.len, MAX_CONSOLE_WRITE, "console write")?;
    let mut chunk = vec![0u8; rec.len.min(64 << 10) as usize];
    let mut done = 0;
    while done < rec.len {
        let n = (rec.len - done).min(chunk.len() as u64) as usize;
        ctx.mem
            .read_slice(&mut chunk[..n], GuestAddress(rec.buf + done))
            .map_err(|e| e.to_string())?;
        ctx.console.write(rec.fd, &chunk[..n]);
        done += n as u64;
    }
    Ok(Action::Continue)
}

fn console_read(ctx: &mut Context, addr: u64) -> Result<Action, String> {
    let mut rec: ConsoleRead = ctx.record(addr)?;
    ctx.range(rec.buf, rec.len, MAX_CONSOLE_WRITE, "console read")?;
    let mut buf = vec![0u8; rec.len.min(64 << 10) as usize];
    rec.result = ctx.console.read(&mut buf);
    if rec.result > 0 {
        ctx.mem
            .write_slice(&buf[..rec.result as usize], GuestAddress(rec.buf))
            .map_err(|e| e.to_string())?;
    }
    if ctx
        .mem
        .write_slice(rec.as_bytes(), GuestAddress(addr))
        .is_err()
    {
        return Err("cannot write the console read result".into());
    }
    if let Some(stops) = ctx.stops.as_mut() {
        stops.host_wrote(rec.buf, rec.result.max(0) as u64);
        stops.host_wrote(addr, size_of::<ConsoleRead>() as u64);
    }
    Ok(Action::Continue)
}

fn exit(ctx: &mut Context, addr: u64) -> Result<Action, String> {
    let rec: Exit = ctx.record(addr)?;
    let outcome = match rec.kind {
        EXIT_KIND_EXITED => Outcome::Exited {
            status: rec.code & 0xff,
        },
        EXIT_KIND_SIGNALED if u64::try_from(rec.code).is_ok_and(|s| (1..=NSIG).contains(&s)) => {
            if let Some(stops) = ctx.stops.as_mut() {
                stops.killed(rec.code as u64, ctx.mem, ctx.console);
            }
            Outcome::Signaled {
                signal: rec.code,
                detail: fault_detail(ctx, &rec),
            }
        }
        EXIT_KIND_EXEC_FAILED => Outcome::ExecFailed {
            errno: rec.code,
            message: ctx.message(rec.message, rec.message_len),
        },
        EXIT_KIND_DEADLOCK => Outcome::Deadlock {
            message: ctx.message(rec.message, rec.message_len),
            waits: deadlock_waits(ctx),
        },
        kind => return Err(format!("exit hypercall with kind {kind} code {}", rec.code)),
    };
    Ok(Action::Stop(outcome))
}

/// Who waits on what, read from the kernel's records at the deadlock exit.
fn deadlock_waits(ctx: &Context) -> String {
    let Some(roots) = ctx.roots else {
        return "  (the kernel exports no kernel_roots: no task records to show)".into();
    };
    let flat = crate::inspect::mem::FlatMem::of(ctx.mem);
    let mem: &dyn crate::inspect::mem::PhysMem = match &flat {
        Some(f) => f,
        None => ctx.mem,
    };
    match crate::inspect::dump::take(
        mem,
        roots,
        "the deadlock",
        ctx.kernel_symbols,
        ctx.program_symbols,
    ) {
        Ok(d) => crate::inspect::dump::render_waits(&d)
            .trim_end()
            .to_string(),
        Err(v) => format!("  (the task records could not be read: {v})"),
    }
}

/// "page fault at address 0x0, rip 0x401136 (main+0x16)" for a fault death.
fn fault_detail(ctx: &Context, rec: &Exit) -> String {
    if rec.fault_vector == u64::MAX {
        return String::new();
    }
    let what = vector_name(rec.fault_vector);
    let rip = match ctx.program_symbols.lookup(rec.fault_rip) {
        Some(sym) => format!("rip {:#x} ({sym})", rec.fault_rip),
        None => format!("rip {:#x}", rec.fault_rip),
    };
    if rec.fault_vector == 14 {
        format!("{what} at address {:#x}, {rip}", rec.fault_addr)
    } else {
        format!("{what}, {rip}")
    }
}

pub fn vector_name(v: u64) -> String {
    let name = match v {
        0 => "divide error",
        1 => "debug exception",
        2 => "NMI",
        3 => "breakpoint",
        4 => "overflow",
        5 => "bound range exceeded",
        6 => "invalid opcode",
        7 => "device not available",
        8 => "double fault",
        10 => "invalid TSS",
        11 => "segment not present",
        12 => "stack-segment fault",
        13 => "general protection fault",
        14 => "page fault",
        16 => "x87 floating-point exception",
        17 => "alignment check",
        18 => "machine check",
        19 => "SIMD floating-point exception",
        _ => return format!("exception vector {v}"),
    };
    name.to_string()
}

fn panic(ctx: &mut Context, addr: u64) -> Result<Action, String> {
    let rec: PanicReport = ctx.record(addr)?;
    let message = ctx.message(rec.message, rec.message_len);
    let mut report = String::new();
    if rec.has_regs != 0 {
        report += &format_registers(&rec.regs, ctx.kernel_symbols);
    } else {
        report += &format!("  at {}\n", ctx.kernel_symbols.describe(rec.regs.rip));
    }
    report += "  backtrace:\n";
    let n = (rec.backtrace_len as usize).min(PANIC_BACKTRACE_MAX);
    for (i, ret) in rec.backtrace[..n].iter().enumerate() {
        report += &format!("    #{i:<2} {}\n", ctx.kernel_symbols.describe_return(*ret));
    }
    if n == 0 {
        report += "    (empty)\n";
    }
    Ok(Action::Stop(Outcome::KernelPanic {
        message,
        report: report.trim_end().to_string(),
    }))
}

/// Register dump of an exception frame the kernel reported.
pub fn format_registers(r: &Registers, symbols: &Symbols) -> String {
    let mut s = String::new();
    if r.vector != u64::MAX {
        s += &format!(
            "  exception: {} (vector {}), error code {:#x}\n",
            vector_name(r.vector),
            r.vector,
            r.error_code
        );
    }
    s += &format!("  rip {}\n", symbols.describe(r.rip));
    s += &format!(
        "  rax {:016x} rbx {:016x} rcx {:016x} rdx {:016x}\n  rsi {:016x} rdi {:016x} rbp {:016x} rsp {:016x}\n",
        r.rax, r.rbx, r.rcx, r.rdx, r.rsi, r.rdi, r.rbp, r.rsp
    );
    s += &format!(
        "  r8  {:016x} r9  {:016x} r10 {:016x} r11 {:016x}\n  r12 {:016x} r13 {:016x} r14 {:016x} r15 {:016x}\n",
        r.r8, r.r9, r.r10, r.r11, r.r12, r.r13, r.r14, r.r15
    );
    s += &format!(
        "  rflags {:016x} cs {:x} ss {:x} cr2 {:016x} cr3 {:016x}\n",
        r.rflags, r.cs, r.ss, r.cr2, r.cr3
    );
    s
}
