//! The guest side of the hypercall ABI (`abi::hypercall`): records live in
//! the kernel image (physically contiguous, below 4 GiB), and `out dx, eax`
//! hands the host the record's physical address.
//!
//! One VM exit costs microseconds, so console data goes a whole buffer per
//! exit, staged through a contiguous bounce buffer.

use abi::hypercall::{
    port, ConsoleRead, ConsoleWrite, Exit, PanicReport, SignalDelivery, SyscallExit, UserStart,
    EXIT_KIND_DEADLOCK, EXIT_KIND_EXEC_FAILED, EXIT_KIND_EXITED, EXIT_KIND_SIGNALED,
    PANIC_BACKTRACE_MAX, SYSCALL_STOP_EXIT, SYSCALL_STOP_NORETURN,
};
use abi::layout::KERNEL_VIRT_BASE;
use spin::Mutex;

/// Staging area for console data: user memory is not physically contiguous.
pub const BOUNCE_SIZE: usize = 64 * 1024;

/// Records are 512-byte aligned so none crosses a page (the ABI requires it).
#[repr(C, align(512))]
struct Record<T>(T);

#[repr(C, align(4096))]
pub struct Bounce(pub [u8; BOUNCE_SIZE]);

struct Channel {
    stats: Record<abi::stats::KernelStats>,
    write: Record<ConsoleWrite>,
    read: Record<ConsoleRead>,
    user_start: Record<UserStart>,
    syscall_exit: Record<SyscallExit>,
    signal: Record<SignalDelivery>,
    bounce: Bounce,
}

static CHANNEL: Mutex<Channel> = Mutex::new(Channel {
    stats: Record(abi::stats::KernelStats {
        tag: 0,
        free_frames: 0,
        total_frames: 0,
        tasks: 0,
        cached_kstacks: 0,
        kstack_cache_hits: 0,
        kstack_cache_misses: 0,
        sleepers: 0,
        heap_used: 0,
    }),
    write: Record(ConsoleWrite {
        fd: 0,
        _pad: 0,
        buf: 0,
        len: 0,
    }),
    read: Record(ConsoleRead {
        buf: 0,
        len: 0,
        result: 0,
    }),
    user_start: Record(UserStart {
        tsc: 0,
        timer: 0,
        apic_timer_khz: 0,
    }),
    syscall_exit: Record(SyscallExit {
        seq: 0,
        nr: 0,
        args: [0; 6],
        ret: 0,
        tid: 0,
        kind: 0,
        entry_tsc: 0,
        exit_tsc: 0,
        off_cpu: 0,
    }),
    signal: Record(SignalDelivery {
        tid: 0,
        signo: 0,
        info: abi::linux::uapi::Siginfo {
            si_signo: 0,
            si_errno: 0,
            si_code: 0,
            _pad: 0,
            fields: [0; 14],
        },
        blocked: 0,
        handler: 0,
        sa_flags: 0,
        frame: 0,
    }),
    bounce: Bounce([0; BOUNCE_SIZE]),
});

/// Records for the final hypercalls, apart from `CHANNEL` so a panic while
/// it is held can still report.
static mut EXIT_RECORD: Record<Exit> = Record(Exit {
    kind: 0,
    code: 0,
    fault_rip: 0,
    fault_addr: 0,
    fault_vector: 0,
    message: 0,
    message_len: 0,
});
static mut PANIC_RECORD: Record<PanicReport> = Record(PanicReport {
    message: 0,
    message_len: 0,
    has_regs: 0,
    regs: abi::hypercall::Registers {
        rax: 0,
        rbx: 0,
        rcx: 0,
        rdx: 0,
        rsi: 0,
        rdi: 0,
        rbp: 0,
        rsp: 0,
        r8: 0,
        r9: 0,
        r10: 0,
        r11: 0,
        r12: 0,
        r13: 0,
        r14: 0,
        r15: 0,
        rip: 0,
        rflags: 0,
        cs: 0,
        ss: 0,
        cr2: 0,
        cr3: 0,
        vector: 0,
        error_code: 0,
    },
    backtrace: [0; PANIC_BACKTRACE_MAX],
    backtrace_len: 0,
});
static mut MESSAGE: [u8; 1024] = [0; 1024];

/// Physical address of an object in the kernel image.
fn image_phys<T>(p: *const T) -> u64 {
    p as u64 - KERNEL_VIRT_BASE
}

fn out(port: u16, phys: u64) {
    // SAFETY: port I/O to the VMM's hypercall ports; the record at `phys`
    // is fully written before the exit and not touched during it.
    unsafe {
        core::arch::asm!("out dx, eax", in("dx") port, in("eax") phys as u32, options(nostack, preserves_flags));
    }
}

/// Writes `data` to host fd `fd` (1, 2 or `KERNEL_LOG_FD`), in bounce-sized
/// chunks produced by `fill` (which copies up to the slice's length of the
/// data starting at the given offset and returns how many bytes it copied).
pub fn console_write_with(
    fd: u32,
    len: usize,
    mut fill: impl FnMut(usize, &mut [u8]) -> usize,
) -> usize {
    let mut ch = CHANNEL.lock();
    let mut done = 0;
    while done < len {
        let want = (len - done).min(BOUNCE_SIZE);
        let got = fill(done, &mut ch.bounce.0[..want]);
        if got == 0 {
            break;
        }
        let buf = image_phys(ch.bounce.0.as_ptr());
        ch.write.0 = ConsoleWrite {
            fd,
            _pad: 0,
            buf,
            len: got as u64,
        };
        out(port::CONSOLE_WRITE, image_phys(&ch.write.0));
        done += got;
        if got < want {
            break;
        }
    }
    done
}

pub fn console_write(fd: u32, data: &[u8]) {
    console_write_with(fd, data.len(), |off, buf| {
        let n = buf.len();
        // SAFETY: both ranges are n bytes long and distinct.
        unsafe { crate::mm::copy_bytes(buf.as_mut_ptr(), data[off..].as_ptr(), n) };
        n
    });
}

/// Reads up to `max` bytes of host stdin; `deliver` gets them. Returns the
/// host's result: byte count, 0 at end of input, or a negative errno.
pub fn console_read(max: usize, deliver: impl FnOnce(&[u8]) -> Result<(), i64>) -> i64 {
    let mut ch = CHANNEL.lock();
    let want = max.min(BOUNCE_SIZE);
    let buf = image_phys(ch.bounce.0.as_ptr());
    ch.read.0 = ConsoleRead {
        buf,
        len: want as u64,
        result: 0,
    };
    out(port::CONSOLE_READ, image_phys(&ch.read.0));
    // The host wrote `result` during the exit.
    let result = unsafe { core::ptr::read_volatile(&ch.read.0.result) };
    if result > 0 {
        let n = (result as usize).min(want);
        if let Err(e) = deliver(&ch.bounce.0[..n]) {
            return -e;
        }
        return n as i64;
    }
    result
}

/// Sends a statistics snapshot to the host.
pub fn stats(snapshot: abi::stats::KernelStats) {
    let mut ch = CHANNEL.lock();
    ch.stats.0 = snapshot;
    out(port::STATS, image_phys(&ch.stats.0));
}

/// What the host asked the syscall path for (from the boot flags, set once
/// at boot): nothing (0), a report at every stop ([`REPORTS_ON`]), with
/// the call's times ([`REPORTS_ON`] | [`REPORTS_TIMES`]).
static SYSCALL_REPORTS: core::sync::atomic::AtomicU8 = core::sync::atomic::AtomicU8::new(0);

/// [`syscall_reports`]: a report at every stop.
const REPORTS_ON: u8 = 1;
/// [`syscall_reports`]: the reports carry the call's times
/// (`crate::syscall_clock`).
pub const REPORTS_TIMES: u8 = 2;

pub fn set_syscall_reports(report: bool, times: bool) {
    let mode = match (report, times) {
        (false, _) => 0,
        (true, false) => REPORTS_ON,
        (true, true) => REPORTS_ON | REPORTS_TIMES,
    };
    SYSCALL_REPORTS.store(mode, core::sync::atomic::Ordering::Relaxed);
}

/// [`set_syscall_reports`]'s mode: one load, and testing it is all the
/// syscall path does when reports are off.
#[inline(always)]
pub fn syscall_reports() -> u8 {
    SYSCALL_REPORTS.load(core::sync::atomic::Ordering::Relaxed)
}

/// Reports a finished system call if the host asked; otherwise one
/// predictable branch.
#[inline(always)]
pub fn syscall_exit(nr: u64, args: [u64; 6], ret: u64) {
    let reports = syscall_reports();
    if reports != 0 {
        send_syscall_stop(reports, nr, args, ret, SYSCALL_STOP_EXIT);
    }
}

/// Reports the entry of a call that will not return (exit, exit_group), so
/// a tracer can print it; `reports` is the caller's [`syscall_reports`],
/// which must be nonzero.
pub fn syscall_noreturn(reports: u8, nr: u64, args: [u64; 6]) {
    send_syscall_stop(reports, nr, args, 0, SYSCALL_STOP_NORETURN);
}

/// The stop itself, with the call's times when `reports` has
/// [`REPORTS_TIMES`] (one branch: without, the time fields keep their
/// initial 0 and nothing else is done for them).
#[inline(never)]
fn send_syscall_stop(reports: u8, nr: u64, args: [u64; 6], ret: u64, kind: u32) {
    let cur = crate::task::current();
    // The record's FS base is saved at a switch; the caller's live one is
    // in the CPU. The host reads records only, so bring it up to date.
    cur.fs_base = x86_64::registers::model_specific::FsBase::read().as_u64();
    let tid = cur.pid;
    let mut ch = CHANNEL.lock();
    // Written through a pointer the compiler keeps in a register: with the
    // record's address folded in, the large code model costs a 64-bit
    // immediate per field, and every instruction here is emulated.
    let r = core::hint::black_box(&mut ch.syscall_exit.0);
    r.seq += 1;
    r.nr = nr;
    r.args = args;
    r.ret = ret as i64;
    r.tid = tid;
    r.kind = kind;
    if reports & REPORTS_TIMES != 0 {
        let (entry, exit, off_cpu) =
            crate::syscall_clock::report(cur, kind != SYSCALL_STOP_NORETURN);
        r.entry_tsc = entry;
        r.exit_tsc = exit;
        r.off_cpu = off_cpu;
    }
    out(port::SYSCALL_EXIT, image_phys(r));
}

/// Reports a signal about to run its handler, if the host asked for
/// stops; otherwise one predictable branch.
#[inline(always)]
pub fn signal_delivered(
    tid: i32,
    sig: u64,
    info: &abi::linux::uapi::Siginfo,
    blocked: u64,
    ka: &abi::task::KSigaction,
    frame: u64,
) {
    if syscall_reports() == 0 {
        return;
    }
    let cur = crate::task::current();
    cur.fs_base = x86_64::registers::model_specific::FsBase::read().as_u64();
    let mut ch = CHANNEL.lock();
    ch.signal.0 = SignalDelivery {
        tid,
        signo: sig as u32,
        info: *info,
        blocked,
        handler: ka.sa_handler,
        sa_flags: ka.sa_flags,
        frame,
    };
    out(port::SIGNAL_DELIVERY, image_phys(&ch.signal.0));
}

/// Every task is blocked and nothing can wake any: the run ends here, the
/// host reading who waits on what from the task records.
pub fn deadlock(why: &[u8]) -> ! {
    let (message, message_len) = set_message(why);
    send_exit(Exit {
        kind: EXIT_KIND_DEADLOCK,
        code: 0,
        fault_rip: 0,
        fault_addr: 0,
        fault_vector: u64::MAX,
        message,
        message_len,
    })
}

pub fn user_start(tsc: u64) {
    let mut ch = CHANNEL.lock();
    ch.user_start.0 = UserStart {
        tsc,
        timer: crate::arch::lapic::mode_bits(),
        apic_timer_khz: crate::arch::lapic::apic_timer_khz(),
    };
    out(port::USER_START, image_phys(&ch.user_start.0));
}

fn set_message(text: &[u8]) -> (u64, u64) {
    // SAFETY: only the final hypercalls use MESSAGE, and they never return.
    unsafe {
        let msg = &mut *core::ptr::addr_of_mut!(MESSAGE);
        let n = text.len().min(msg.len());
        msg[..n].copy_from_slice(&text[..n]);
        (image_phys(msg.as_ptr()), n as u64)
    }
}

fn send_exit(rec: Exit) -> ! {
    // SAFETY: single CPU; nothing runs after the exit hypercall.
    unsafe {
        let r = &mut *core::ptr::addr_of_mut!(EXIT_RECORD);
        r.0 = rec;
        out(port::EXIT, image_phys(&r.0));
    }
    halt_forever()
}

/// The program exited with `status` (low 8 bits reported).
pub fn exit(status: i32) -> ! {
    send_exit(Exit {
        kind: EXIT_KIND_EXITED,
        code: status & 0xff,
        fault_vector: u64::MAX,
        ..Default::default()
    })
}

/// The program was killed by `signal`; `fault` = (rip, addr, vector) when a
/// CPU exception caused it.
pub fn killed(signal: i32, fault: Option<(u64, u64, u64)>) -> ! {
    let (fault_rip, fault_addr, fault_vector) = fault.unwrap_or((0, 0, u64::MAX));
    send_exit(Exit {
        kind: EXIT_KIND_SIGNALED,
        code: signal,
        fault_rip,
        fault_addr,
        fault_vector,
        message: 0,
        message_len: 0,
    })
}

/// The program could not be started: `errno` (positive) and why.
pub fn exec_failed(errno: i64, why: &[u8]) -> ! {
    let (message, message_len) = set_message(why);
    send_exit(Exit {
        kind: EXIT_KIND_EXEC_FAILED,
        code: -(errno as i32),
        fault_rip: 0,
        fault_addr: 0,
        fault_vector: u64::MAX,
        message,
        message_len,
    })
}

/// Reports a kernel panic. `fill` completes the record (registers, backtrace).
pub fn panic_report(text: &[u8], fill: impl FnOnce(&mut PanicReport)) -> ! {
    let (message, message_len) = set_message(text);
    // SAFETY: single CPU; nothing runs after the panic hypercall.
    unsafe {
        let r = &mut *core::ptr::addr_of_mut!(PANIC_RECORD);
        r.0.message = message;
        r.0.message_len = message_len;
        fill(&mut r.0);
        out(port::PANIC, image_phys(&r.0));
    }
    halt_forever()
}

pub fn halt_forever() -> ! {
    loop {
        // SAFETY: stops the CPU; the host ends the run on the hypercall above.
        unsafe { core::arch::asm!("cli; hlt", options(nomem, nostack)) };
    }
}
