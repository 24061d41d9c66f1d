//! `--dump=syscall:N`: the process tree and backtraces at the stop after
//! the Nth system call.

use super::{Consumer, Entry, Flow, Stop};
use crate::console::Console;
use crate::inspect::dump::{self, Dump};
use crate::outcome::Outcome;
use crate::symbols::Symbols;

pub struct DumpAt<'a> {
    /// The sequence number of the call to dump after (1-based).
    pub at: u64,
    kernel_symbols: &'a Symbols,
    program_symbols: &'a Symbols,
    pub taken: Option<Dump>,
    /// Call `at` was one that does not return (its number): no stop after it.
    noreturn: Option<u64>,
}

/// Why a `--dump=syscall:N` was not taken.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DumpMissed {
    /// The run made fewer than N system calls (`calls` of them).
    TooFew { at: u64, calls: u64 },
    /// Call N (Linux number `nr`) does not return.
    NoReturn { at: u64, nr: u64 },
}

impl std::fmt::Display for DumpMissed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DumpMissed::TooFew { at, calls } => write!(
                f,
                "no dump at syscall:{at}: the run made {calls} system call{}",
                if *calls == 1 { "" } else { "s" }
            ),
            DumpMissed::NoReturn { at, nr } => write!(
                f,
                "no dump at syscall:{at}: system call #{at} ({}) does not return, so there is no stop after it",
                abi::linux::syscalls::Name(*nr)
            ),
        }
    }
}

impl<'a> DumpAt<'a> {
    pub fn new(at: u64, kernel_symbols: &'a Symbols, program_symbols: &'a Symbols) -> DumpAt<'a> {
        DumpAt {
            at,
            kernel_symbols,
            program_symbols,
            taken: None,
            noreturn: None,
        }
    }

    /// Why there is no dump, once the run has ended after `calls` calls.
    pub fn missed(&self, calls: u64) -> Option<DumpMissed> {
        if self.taken.is_some() {
            return None;
        }
        Some(match self.noreturn {
            Some(nr) => DumpMissed::NoReturn { at: self.at, nr },
            None => DumpMissed::TooFew { at: self.at, calls },
        })
    }
}

impl Consumer for DumpAt<'_> {
    fn at_stop(&mut self, stop: &mut Stop, _: &mut Console) -> Result<Flow, String> {
        let s = &stop.syscall;
        // The stop after call N, not a delivery that came after it.
        if s.call.seq != self.at || s.signal.is_some() {
            return Ok(Flow::Continue);
        }
        let at = format!("the stop after {}", s.describe());
        Ok(
            match dump::take(
                stop.syscall.mem,
                s.roots,
                &at,
                self.kernel_symbols,
                self.program_symbols,
            ) {
                Ok(d) => {
                    self.taken = Some(d);
                    Flow::Continue
                }
                Err(v) => Flow::Stop(Outcome::InvariantViolated {
                    syscall: s.describe(),
                    violations: vec![v],
                }),
            },
        )
    }

    fn at_entry(&mut self, entry: &Entry, _: &mut Console) {
        if entry.call.seq == self.at {
            self.noreturn = Some(entry.call.nr);
        }
    }
}
