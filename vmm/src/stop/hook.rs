//! The library caller's function at every stop (what tests use to look at,
//! or break, guest state).

use super::{Consumer, Flow, Stop};
use crate::console::Console;
use crate::inspect::{SyscallStop, Violation};
use crate::outcome::Outcome;

/// A caller's function run at every syscall stop: `Err` ends the run with
/// that finding (reported as invariant 0).
pub type Inspector<'a> = dyn FnMut(&SyscallStop) -> Result<(), String> + 'a;

pub struct Hook<'a> {
    f: &'a mut Inspector<'a>,
}

impl<'a> Hook<'a> {
    pub fn new(f: &'a mut Inspector<'a>) -> Hook<'a> {
        Hook { f }
    }
}

impl Consumer for Hook<'_> {
    fn at_stop(&mut self, stop: &mut Stop, _: &mut Console) -> Result<Flow, String> {
        Ok(match (self.f)(&stop.syscall) {
            Ok(()) => Flow::Continue,
            Err(finding) => Flow::Stop(Outcome::InvariantViolated {
                syscall: stop.syscall.describe(),
                violations: vec![Violation::new(0, finding)],
            }),
        })
    }
}
