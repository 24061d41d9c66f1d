//! The syscall-stop pipeline: what the host does while the guest is
//! stopped after a system call (a `SYSCALL_EXIT` hypercall, decoded by
//! [`crate::hypercall`]).
//!
//! Each concern is one [`Consumer`], and every stop passes through them in
//! one fixed order (`Pipeline::consumers`):
//! 1. [`Trace`] (`--strace`) prints the call, so the line is out even when
//!    a later consumer ends the run at this stop;
//! 2. [`Hook`], the library caller's function, which may look at the guest
//!    and may break its state on purpose;
//! 3. [`DumpAt`] (`--dump=syscall:N`), of the state the hook left;
//! 4. [`DirtyLog`] (`--check-mode dirty-log` / `verify`): the pages written
//!    since the last check — KVM's log for the guest's writes, and the
//!    host's own writes (console input, and the hook's writes at this stop,
//!    which is why it comes after the hook);
//! 5. [`Check`] (`--check`), last, on what everything before it left.
//!
//! A signal delivered to a handler (a `SIGNAL_DELIVERY` hypercall) is a
//! stop too, through the same consumers in the same order: the tracer
//! prints strace's `--- SIG... ---` line, hooks and checks run (the check
//! adds invariant 13's check of the delivery itself); `--dump=syscall:N`
//! is taken only at the stop after call N, never at a delivery.
//!
//! A call that does not return (exit, exit_group) is reported at its entry;
//! that stop goes to [`Consumer::at_entry`]: the tracer prints it and
//! [`DumpAt`] notes that its stop was one (so the missed dump says why);
//! hooks, dumps and checks run where calls return.

mod check;
mod dirty;
mod dump;
mod hook;
mod trace;

pub use check::Check;
pub use dirty::DirtyLog;
pub use dump::{DumpAt, DumpMissed};
pub use hook::{Hook, Inspector};
pub use trace::Trace;

use abi::hypercall::{SignalDelivery, SyscallExit, SYSCALL_STOP_EXIT, SYSCALL_STOP_NORETURN};
use vm_memory::GuestMemoryMmap;

use crate::console::Console;
use crate::inspect::incremental::{DirtyPages, NoteWrites};
use crate::inspect::libc::LibcSymbols;
use crate::inspect::mem::{FlatMem, PhysMem};
use crate::inspect::{SyscallStop, SIGNAL_DELIVERY_NR};
use crate::outcome::Outcome;

/// Whether the run goes on after a stop.
pub enum Flow {
    Continue,
    Stop(Outcome),
}

/// One stop, as the consumers see it.
pub struct Stop<'s> {
    /// The call and guest memory as a hook sees them (`mem` notes the
    /// host's writes when the dirty log is on).
    pub syscall: SyscallStop<'s>,
    /// The host's writes at this stop, when the dirty log is on.
    pub written: Option<&'s NoteWrites<'s>>,
    /// The pages that may have changed since the last check: set by
    /// [`DirtyLog`], read by [`Check`]; `None`: anything may have.
    pub dirty: Option<DirtyPages>,
}

/// The entry of a call that does not return.
pub struct Entry<'s> {
    pub call: SyscallExit,
    pub mem: &'s dyn PhysMem,
    /// Kernel virtual address of `kernel_roots`.
    pub roots: u64,
}

/// One concern at a syscall stop.
pub trait Consumer {
    /// At a stop after a call returned. `Err` is a failure of the stop
    /// itself (the run ends as a guest failure).
    fn at_stop(&mut self, stop: &mut Stop, console: &mut Console) -> Result<Flow, String>;

    /// At the entry of a call that does not return.
    fn at_entry(&mut self, _entry: &Entry, _console: &mut Console) {}
}

/// The consumers of one run, each present only when asked for.
pub struct Pipeline<'a> {
    /// Kernel virtual address of `kernel_roots`.
    roots: u64,
    libc: Option<LibcSymbols>,
    pub trace: Option<Trace>,
    pub hook: Option<Hook<'a>>,
    pub dump: Option<DumpAt<'a>>,
    pub dirty: Option<DirtyLog<'a>>,
    pub check: Option<Check>,
    /// The highest sequence number reported: the run's system calls so far.
    calls: u64,
}

impl<'a> Pipeline<'a> {
    pub fn new(roots: u64, libc: Option<LibcSymbols>) -> Pipeline<'a> {
        Pipeline {
            roots,
            libc,
            trace: None,
            hook: None,
            dump: None,
            dirty: None,
            check: None,
            calls: 0,
        }
    }

    /// Every consumer present, in the order a stop goes through them.
    fn consumers(&mut self) -> impl Iterator<Item = &mut dyn Consumer> + '_ {
        [
            self.trace.as_mut().map(|c| c as &mut dyn Consumer),
            self.hook.as_mut().map(|c| c as &mut dyn Consumer),
            self.dump.as_mut().map(|c| c as &mut dyn Consumer),
            self.dirty.as_mut().map(|c| c as &mut dyn Consumer),
            self.check.as_mut().map(|c| c as &mut dyn Consumer),
        ]
        .into_iter()
        .flatten()
    }

    /// Runs the stop of `call` through every consumer; the first one that
    /// ends the run ends it.
    pub fn syscall(
        &mut self,
        call: SyscallExit,
        ram: &GuestMemoryMmap,
        console: &mut Console,
    ) -> Result<Flow, String> {
        self.calls = self.calls.max(call.seq);
        let flat = FlatMem::of(ram);
        let mem: &dyn PhysMem = match &flat {
            Some(f) => f,
            None => ram,
        };
        self.stop(call, None, mem, console)
    }

    /// Runs the stop of a signal delivery through every consumer.
    pub fn signal(
        &mut self,
        delivery: SignalDelivery,
        ram: &GuestMemoryMmap,
        console: &mut Console,
    ) -> Result<Flow, String> {
        let call = SyscallExit {
            seq: self.calls,
            nr: SIGNAL_DELIVERY_NR,
            tid: delivery.tid,
            kind: SYSCALL_STOP_EXIT,
            ..SyscallExit::default()
        };
        let flat = FlatMem::of(ram);
        let mem: &dyn PhysMem = match &flat {
            Some(f) => f,
            None => ram,
        };
        self.stop(call, Some(delivery), mem, console)
    }

    fn stop(
        &mut self,
        call: SyscallExit,
        signal: Option<SignalDelivery>,
        mem: &dyn PhysMem,
        console: &mut Console,
    ) -> Result<Flow, String> {
        if call.kind == SYSCALL_STOP_NORETURN && signal.is_none() {
            let entry = Entry {
                call,
                mem,
                roots: self.roots,
            };
            for c in self.consumers() {
                c.at_entry(&entry, console);
            }
            return Ok(Flow::Continue);
        }
        let noted = self.dirty.is_some().then(|| NoteWrites::new(mem));
        let mem: &dyn PhysMem = match &noted {
            Some(n) => n,
            None => mem,
        };
        let mut stop = Stop {
            syscall: SyscallStop {
                call,
                signal,
                mem,
                roots: self.roots,
                libc: self.libc,
            },
            written: noted.as_ref(),
            dirty: None,
        };
        for c in self.consumers() {
            if let Flow::Stop(outcome) = c.at_stop(&mut stop, console)? {
                return Ok(Flow::Stop(outcome));
            }
        }
        Ok(Flow::Continue)
    }

    /// The running task died of `signal`: the tracer's last line.
    pub fn killed(&mut self, signal: u64, ram: &GuestMemoryMmap, console: &mut Console) {
        if let Some(t) = self.trace.as_mut() {
            let flat = FlatMem::of(ram);
            let mem: &dyn PhysMem = match &flat {
                Some(f) => f,
                None => ram,
            };
            t.killed(signal, mem, self.roots, console);
        }
    }

    /// The host wrote `[addr, addr + len)` of guest memory outside a stop
    /// (console input), which KVM's dirty log does not see.
    pub fn host_wrote(&mut self, addr: u64, len: u64) {
        if let Some(d) = self.dirty.as_mut() {
            d.host_wrote(addr, len);
        }
    }

    /// Ends the pipeline once the guest has stopped, however the run
    /// ended: the trace's summary written and the trace flushed, what the
    /// consumers collected handed over.
    pub fn finish(mut self, console: &mut Console) -> Finished {
        if let Some(t) = self.trace.as_mut() {
            t.tracer.end(console);
        }
        let dump_missed = self.dump.as_ref().and_then(|d| d.missed(self.calls));
        Finished {
            dump: self.dump.and_then(|d| d.taken),
            dump_missed,
            check: self.check.as_ref().and_then(Check::stats),
        }
    }
}

/// What a pipeline leaves at the end of a run.
pub struct Finished {
    /// `--dump=syscall:N`'s dump, if taken.
    pub dump: Option<crate::inspect::dump::Dump>,
    /// Why it was not.
    pub dump_missed: Option<DumpMissed>,
    /// The incremental checker's work.
    pub check: Option<crate::inspect::incremental::CheckStats>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::CheckMode;
    use crate::console::KernelLog;
    use crate::symbols::Symbols;
    use abi::linux::uapi::Siginfo;
    use vm_memory::GuestAddress;

    /// A delivery stop goes through the check, which adds the delivery's
    /// own invariant 13, and is never `--dump=syscall:N`'s stop.
    #[test]
    fn a_delivery_stop_is_checked_and_not_dumped() {
        let ram = GuestMemoryMmap::from_ranges(&[(GuestAddress(0), 1 << 16)]).unwrap();
        let syms = Symbols::default();
        let mut p = Pipeline::new(0x1000, None);
        p.check = Some(Check::new(CheckMode::Full));
        p.dump = Some(DumpAt::new(0, &syms, &syms));
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let mut console = Console::new(&mut out, &mut err, None, KernelLog::Hidden);
        let d = SignalDelivery {
            tid: 3,
            signo: 10,
            info: Siginfo::kill(10, abi::linux::signal::SI_TKILL, 3, 0),
            blocked: 1 << 9,
            handler: 0x401000,
            ..SignalDelivery::default()
        };
        let Ok(Flow::Stop(Outcome::InvariantViolated {
            syscall,
            violations,
        })) = p.signal(d, &ram, &mut console)
        else {
            panic!("a blocked signal delivered is a finding");
        };
        assert_eq!(
            syscall,
            "the delivery of SIGUSR1 to tid 3 (handler 0x401000, after syscall #0)"
        );
        assert_eq!(violations[0].invariant, 13, "{violations:?}");
        let finished = p.finish(&mut console);
        assert!(finished.dump.is_none(), "no dump at a delivery");
    }
}
