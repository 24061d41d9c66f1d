//! `--check`: the kernel's and guest-libc's invariants at every stop, in
//! the chosen mode; the first violation ends the run.

use super::{Consumer, Flow, Stop};
use crate::config::CheckMode;
use crate::console::Console;
use crate::inspect::incremental::{Changed, CheckStats, Checker};
use crate::outcome::Outcome;

pub struct Check {
    pub mode: CheckMode,
    /// The incremental checker's state across stops.
    pub checker: Checker,
}

impl Check {
    pub fn new(mode: CheckMode) -> Check {
        Check {
            mode,
            checker: Checker::new(),
        }
    }

    /// The incremental checker's work (`None` for full checks, which keep
    /// nothing between stops).
    pub fn stats(&self) -> Option<CheckStats> {
        (self.mode != CheckMode::Full).then_some(self.checker.stats)
    }
}

impl Consumer for Check {
    fn at_stop(&mut self, stop: &mut Stop, _: &mut Console) -> Result<Flow, String> {
        let changed = match &stop.dirty {
            Some(d) => Changed::Pages(d),
            None => Changed::Anything,
        };
        let s = &stop.syscall;
        let syms = s.libc.as_ref();
        let violations = match self.mode {
            CheckMode::Full => s.check(),
            CheckMode::Incremental | CheckMode::DirtyLog => {
                let mut v = s.check_delivery();
                v.extend(self.checker.check(s.mem, s.roots, syms, &changed));
                v
            }
            CheckMode::Verify => {
                let mut v = s.check_delivery();
                v.extend(self.checker.check_verified(s.mem, s.roots, syms, &changed));
                v
            }
        };
        Ok(if violations.is_empty() {
            Flow::Continue
        } else {
            Flow::Stop(Outcome::InvariantViolated {
                syscall: s.describe(),
                violations,
            })
        })
    }
}
