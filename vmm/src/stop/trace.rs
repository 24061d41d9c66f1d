//! `--strace` as a stop consumer: one line per call, at its return or, for
//! a call that does not return, at its entry; one `--- SIG... {...} ---`
//! line per signal delivered to a handler.

use abi::hypercall::SyscallExit;

use super::{Consumer, Entry, Flow, Stop};
use crate::console::Console;
use crate::inspect::mem::PhysMem;
use crate::strace::Tracer;

pub struct Trace {
    pub tracer: Tracer,
}

impl Trace {
    pub fn new(tracer: Tracer) -> Trace {
        Trace { tracer }
    }

    /// `+++ killed by SIG... +++` for the running task.
    pub fn killed(&mut self, signal: u64, mem: &dyn PhysMem, roots: u64, console: &mut Console) {
        let text = self.tracer.killed(signal, mem, roots);
        self.tracer.emit(&text, console);
    }

    fn print(&mut self, call: &SyscallExit, mem: &dyn PhysMem, roots: u64, console: &mut Console) {
        let text = self.tracer.stop(call, mem, roots);
        self.tracer.emit(&text, console);
    }
}

impl Consumer for Trace {
    fn at_stop(&mut self, stop: &mut Stop, console: &mut Console) -> Result<Flow, String> {
        if let Some(d) = &stop.syscall.signal {
            let text = self.tracer.signal(d, stop.syscall.mem, stop.syscall.roots);
            self.tracer.emit(&text, console);
            return Ok(Flow::Continue);
        }
        self.print(
            &stop.syscall.call,
            stop.syscall.mem,
            stop.syscall.roots,
            console,
        );
        Ok(Flow::Continue)
    }

    fn at_entry(&mut self, entry: &Entry, console: &mut Console) {
        self.print(&entry.call, entry.mem, entry.roots, console);
    }
}
