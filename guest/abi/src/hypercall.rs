//! Hypercalls: the guest writes a 32-bit guest-physical address with
//! `out dx, eax` to one of the ports below; the address points at the
//! argument record for that port (below 4 GiB, 8-byte aligned, not crossing
//! a page boundary). The host handles the VM exit synchronously and may write
//! results back into the record before the guest continues.
//!
//! One VM exit costs microseconds, so nothing here is used per byte or per
//! timer tick: console output goes a whole buffer at a time.

use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

/// I/O ports, one per hypercall.
pub mod port {
    /// [`super::ConsoleWrite`]
    pub const CONSOLE_WRITE: u16 = 0x0500;
    /// [`super::ConsoleRead`]
    pub const CONSOLE_READ: u16 = 0x0501;
    /// [`super::Exit`]; the host never resumes the guest after it.
    pub const EXIT: u16 = 0x0502;
    /// [`super::PanicReport`]; the host never resumes the guest after it.
    pub const PANIC: u16 = 0x0503;
    /// [`super::UserStart`]: only when `BOOT_FLAG_REPORT_USER_START` is set.
    pub const USER_START: u16 = 0x0504;
    /// [`super::SyscallExit`]: only when `BOOT_FLAG_REPORT_SYSCALL_EXIT` is
    /// set. The host reads guest memory while the guest is stopped here.
    pub const SYSCALL_EXIT: u16 = 0x0505;
    /// [`crate::stats::KernelStats`]: a snapshot the program asked for.
    pub const STATS: u16 = 0x0506;
    /// [`super::SignalDelivery`]: only when `BOOT_FLAG_REPORT_SYSCALL_EXIT`
    /// is set. The host reads guest memory while the guest is stopped here.
    pub const SIGNAL_DELIVERY: u16 = 0x0507;
}

/// `ConsoleWrite::fd` for the kernel's own log; the host prints it on stderr
/// with a prefix, apart from the program's output.
pub const KERNEL_LOG_FD: u32 = u32::MAX;

/// Write `len` bytes at guest-physical `buf` (contiguous) to the host's
/// stdout (`fd` 1), stderr (`fd` 2) or the kernel log ([`KERNEL_LOG_FD`]).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, FromBytes, IntoBytes, KnownLayout, Immutable)]
pub struct ConsoleWrite {
    pub fd: u32,
    pub _pad: u32,
    pub buf: u64,
    pub len: u64,
}

/// Read up to `len` bytes of the host's stdin into guest-physical `buf`
/// (contiguous). The host stores the byte count in `result`: 0 at end of
/// input, negative errno (Linux numbering) on failure.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, FromBytes, IntoBytes, KnownLayout, Immutable)]
pub struct ConsoleRead {
    pub buf: u64,
    pub len: u64,
    pub result: i64,
}

/// `Exit::kind`
pub const EXIT_KIND_EXITED: u32 = 0;
pub const EXIT_KIND_SIGNALED: u32 = 1;
/// The kernel could not start the program (bad ELF, out of memory, bad boot
/// info). `code` is a negative errno; `message` says why.
pub const EXIT_KIND_EXEC_FAILED: u32 = 2;
/// Every task is blocked and nothing can wake any of them (no timer is
/// pending, no signal can come): the program is deadlocked. Sent instead of
/// halting, with the kernel's records consistent, so the host can read who
/// waits on what. `code` is 0; `message` says what the kernel saw.
pub const EXIT_KIND_DEADLOCK: u32 = 3;

/// The program (the whole guest) is finished.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, FromBytes, IntoBytes, KnownLayout, Immutable)]
pub struct Exit {
    pub kind: u32,
    /// Exit status (0..=255) for `EXITED`, signal number for `SIGNALED`,
    /// negative errno for `EXEC_FAILED`.
    pub code: i32,
    /// For a signal caused by a fault: faulting user RIP and address (CR2 for
    /// page faults), otherwise 0.
    pub fault_rip: u64,
    pub fault_addr: u64,
    /// x86 exception vector behind the signal, or `u64::MAX` if none.
    pub fault_vector: u64,
    /// Optional guest-physical message (UTF-8), `message_len` 0 if none.
    pub message: u64,
    pub message_len: u64,
}

/// General-purpose and control registers captured by the kernel.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, FromBytes, IntoBytes, KnownLayout, Immutable)]
pub struct Registers {
    pub rax: u64,
    pub rbx: u64,
    pub rcx: u64,
    pub rdx: u64,
    pub rsi: u64,
    pub rdi: u64,
    pub rbp: u64,
    pub rsp: u64,
    pub r8: u64,
    pub r9: u64,
    pub r10: u64,
    pub r11: u64,
    pub r12: u64,
    pub r13: u64,
    pub r14: u64,
    pub r15: u64,
    pub rip: u64,
    pub rflags: u64,
    pub cs: u64,
    pub ss: u64,
    pub cr2: u64,
    pub cr3: u64,
    /// Exception vector, or `u64::MAX` for a panic not caused by an exception.
    pub vector: u64,
    pub error_code: u64,
}

/// Maximum number of return addresses in a panic backtrace.
pub const PANIC_BACKTRACE_MAX: usize = 32;

/// A kernel panic. The host prints the message, the registers and the
/// backtrace symbolized with the kernel ELF's symbol table.
#[repr(C)]
#[derive(Clone, Copy, Debug, FromBytes, IntoBytes, KnownLayout, Immutable)]
pub struct PanicReport {
    /// Guest-physical UTF-8 message.
    pub message: u64,
    pub message_len: u64,
    /// Whether `regs` holds an exception frame (1) or only the panicking
    /// code's RIP/RSP/RBP (0).
    pub has_regs: u64,
    pub regs: Registers,
    /// Return addresses from the frame-pointer chain, innermost first.
    pub backtrace: [u64; PANIC_BACKTRACE_MAX],
    pub backtrace_len: u64,
}

/// Empty record: the port write itself is the event (first user instruction
/// is next). The host timestamps it.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, FromBytes, IntoBytes, KnownLayout, Immutable)]
pub struct UserStart {
    /// Guest TSC when the event was sent.
    pub tsc: u64,
    /// How the kernel makes its timer interrupt: [`timer`] bits.
    pub timer: u32,
    /// The APIC timer's count rate in kHz as the kernel calibrated it
    /// against the TSC, for the one-shot mode; 0 otherwise.
    pub apic_timer_khz: u32,
}

/// [`UserStart::timer`]: the local-APIC mode and timer the kernel chose from
/// the vCPU's CPUID.
pub mod timer {
    /// The kernel has a timer (the vCPU has a local APIC). Without one
    /// there is no preemption and timed waits never time out.
    pub const PRESENT: u32 = 1 << 0;
    /// The APIC is driven through the x2APIC MSRs; else through the xAPIC's
    /// memory-mapped page.
    pub const X2APIC: u32 = 1 << 1;
    /// Deadlines go to IA32_TSC_DEADLINE; else the APIC timer counts down
    /// in one-shot mode.
    pub const TSC_DEADLINE: u32 = 1 << 2;

    /// The mode in the words `vmm run --hide-cpuid` uses: `x2apic` or
    /// `xapic`, then `tsc-deadline` or `one-shot`; `none` without a timer.
    pub fn describe(bits: u32) -> &'static str {
        if bits & PRESENT == 0 {
            return "none";
        }
        match (bits & X2APIC != 0, bits & TSC_DEADLINE != 0) {
            (true, true) => "x2apic,tsc-deadline",
            (true, false) => "x2apic,one-shot",
            (false, true) => "xapic,tsc-deadline",
            (false, false) => "xapic,one-shot",
        }
    }
}

/// A system call has finished and its result is in place; the kernel's
/// records are consistent (no list half-linked, no borrow held). Sent from
/// the syscall return path of the calling task, right before it goes back
/// to user mode (`kind` [`SYSCALL_STOP_EXIT`]).
///
/// A call that never returns (exit, exit_group) is reported once, at entry,
/// before the kernel acts on it (`kind` [`SYSCALL_STOP_NORETURN`], `ret` 0):
/// what `strace` prints as `exit_group(0) = ?`. A fatal signal sends none.
///
/// The times (only with `BOOT_FLAG_SYSCALL_TIMES`, else 0) are the
/// guest's TSC, so they measure the guest kernel and not the host's
/// handling of the stop: `entry_tsc` when the kernel took
/// the call, `exit_tsc` right before this report (`exit_tsc >= entry_tsc`;
/// equal to it for a call that does not return), and `off_cpu` the cycles
/// of that interval the caller spent switched out (blocked, or runnable
/// while others ran, or the CPU idle), so `exit_tsc - entry_tsc - off_cpu`
/// is the call's time on the CPU in the kernel.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, FromBytes, IntoBytes, KnownLayout, Immutable)]
pub struct SyscallExit {
    /// 1 for the first system call of the run, counting every task's.
    pub seq: u64,
    pub nr: u64,
    pub args: [u64; 6],
    /// Linux's raw return value (-errno on failure).
    pub ret: i64,
    /// The calling thread.
    pub tid: i32,
    /// [`SYSCALL_STOP_EXIT`] or [`SYSCALL_STOP_NORETURN`].
    pub kind: u32,
    pub entry_tsc: u64,
    pub exit_tsc: u64,
    pub off_cpu: u64,
}

/// A signal is being delivered to a handler: the kernel has built the
/// frame on the user stack and the thread resumes in the handler next
/// (strace's `--- SIGUSR1 {...} ---`). Sent from the thread's return to
/// user mode, the kernel's records consistent as at a syscall stop.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, FromBytes, IntoBytes, KnownLayout, Immutable)]
pub struct SignalDelivery {
    /// The thread that runs the handler.
    pub tid: i32,
    pub signo: u32,
    /// The siginfo the handler gets, as in the frame.
    pub info: crate::linux::uapi::Siginfo,
    /// The thread's blocked mask when the signal was taken (before the
    /// handler's sa_mask was added): the signal is never in it.
    pub blocked: u64,
    /// The handler, its `sa_flags`, and the user address of the
    /// `rt_sigframe` built for it.
    pub handler: u64,
    pub sa_flags: u64,
    pub frame: u64,
}

/// [`SyscallExit::kind`]: the call returned `ret`. For rt_sigreturn,
/// `ret` is the restored rax and `args[0]` the signal mask it restored
/// (strace's `rt_sigreturn({mask=[...]})`).
pub const SYSCALL_STOP_EXIT: u32 = 0;
/// [`SyscallExit::kind`]: entry of a call that does not return (exit,
/// exit_group); `ret` is meaningless.
pub const SYSCALL_STOP_NORETURN: u32 = 1;

#[cfg(test)]
mod tests {
    use super::*;
    use core::mem::size_of;

    #[test]
    fn records_fit_a_page() {
        for size in [
            size_of::<ConsoleWrite>(),
            size_of::<ConsoleRead>(),
            size_of::<Exit>(),
            size_of::<PanicReport>(),
            size_of::<UserStart>(),
            size_of::<SyscallExit>(),
            size_of::<crate::stats::KernelStats>(),
            size_of::<SignalDelivery>(),
        ] {
            assert!(size as u64 <= crate::layout::PAGE_SIZE);
            assert_eq!(size % 8, 0);
        }
    }

    #[test]
    fn ports_are_distinct() {
        let ports = [
            port::CONSOLE_WRITE,
            port::CONSOLE_READ,
            port::EXIT,
            port::PANIC,
            port::USER_START,
            port::SYSCALL_EXIT,
            port::STATS,
            port::SIGNAL_DELIVERY,
        ];
        for (i, a) in ports.iter().enumerate() {
            for b in &ports[i + 1..] {
                assert_ne!(a, b);
            }
        }
    }
}
