//! `-c` / `-C`: per-call counts, errors and time over the whole run (every
//! task's, as `strace -c -f` aggregates them), printed at its end as
//! strace's table:
//!
//! ```text
//! % time     seconds  usecs/call     calls    errors syscall
//! ------ ----------- ----------- --------- --------- ----------------
//!  62.50    0.000250         125         2           write
//!  37.50    0.000150          50         3         3 close
//! ------ ----------- ----------- --------- --------- ----------------
//! 100.00    0.000400          80         5         3 total
//! ```
//!
//! Seconds are rounded to the microsecond, microseconds per call cut; an
//! error count of 0 is left blank; `total` always says 100.00. Rows are
//! sorted by the chosen key (`-S`, default total time), largest first
//! (names: alphabetical), equal keys in call-number order. Calls that do
//! not return (exit, exit_group) are not counted, as strace counts a call
//! at its return.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use abi::linux::syscalls as sys;

/// `-S` / `--summary-sort-by`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SortBy {
    #[default]
    Time,
    MinTime,
    MaxTime,
    AvgTime,
    Calls,
    Errors,
    Name,
    Nothing,
}

impl std::str::FromStr for SortBy {
    type Err = String;
    /// strace's names for each key.
    fn from_str(s: &str) -> Result<SortBy, String> {
        Ok(match s {
            "time" | "time-percent" | "time-total" | "total-time" => SortBy::Time,
            "min-time" | "shortest" | "time-min" => SortBy::MinTime,
            "max-time" | "longest" | "time-max" => SortBy::MaxTime,
            "avg-time" | "time-avg" => SortBy::AvgTime,
            "calls" | "count" => SortBy::Calls,
            "errors" | "error" => SortBy::Errors,
            "name" | "syscall" | "syscall-name" => SortBy::Name,
            "nothing" | "none" => SortBy::Nothing,
            _ => {
                return Err(format!(
                "{s:?}: expected time, min-time, max-time, avg-time, calls, errors, name or nothing"
            ))
            }
        })
    }
}

/// What `-c` / `-C` count and how the table is sorted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SummaryConfig {
    /// `-w`: each call's latency (entry to return, whatever ran
    /// meanwhile); otherwise its time on the CPU in the guest kernel, the
    /// latency less the time the caller was switched out (strace's system
    /// time).
    pub wall_clock: bool,
    /// `-S`.
    pub sort: SortBy,
}

/// One call number's figures.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Row {
    calls: u64,
    errors: u64,
    /// Nanoseconds, summed over the calls.
    total_ns: u64,
    min_ns: u64,
    max_ns: u64,
}

/// The counts of one run.
#[derive(Clone, Debug, Default)]
pub struct Summary {
    rows: BTreeMap<u64, Row>,
}

const HEADER: &str = "% time     seconds  usecs/call     calls    errors syscall\n";
const RULE: &str = "------ ----------- ----------- --------- --------- ----------------\n";

impl Summary {
    /// A call of number `nr` returned after `ns` (of the kind the table
    /// shows), failed or not.
    pub fn add(&mut self, nr: u64, ns: u64, error: bool) {
        let r = self.rows.entry(nr).or_insert(Row {
            min_ns: u64::MAX,
            ..Row::default()
        });
        r.calls += 1;
        r.errors += u64::from(error);
        r.total_ns = r.total_ns.saturating_add(ns);
        r.min_ns = r.min_ns.min(ns);
        r.max_ns = r.max_ns.max(ns);
    }

    /// The table, sorted by `by`.
    pub fn render(&self, by: SortBy) -> String {
        let mut rows: Vec<(u64, &Row)> = self.rows.iter().map(|(&nr, r)| (nr, r)).collect();
        // Stable: equal keys stay in call-number order.
        match by {
            SortBy::Time => rows.sort_by_key(|(_, r)| std::cmp::Reverse(r.total_ns)),
            SortBy::MinTime => rows.sort_by_key(|(_, r)| std::cmp::Reverse(r.min_ns)),
            SortBy::MaxTime => rows.sort_by_key(|(_, r)| std::cmp::Reverse(r.max_ns)),
            SortBy::AvgTime => rows.sort_by_key(|(_, r)| std::cmp::Reverse(r.total_ns / r.calls)),
            SortBy::Calls => rows.sort_by_key(|(_, r)| std::cmp::Reverse(r.calls)),
            SortBy::Errors => rows.sort_by_key(|(_, r)| std::cmp::Reverse(r.errors)),
            SortBy::Name => rows.sort_by_cached_key(|&(nr, _)| sys::Name(nr).to_string()),
            SortBy::Nothing => {}
        }
        let total = Row {
            calls: rows.iter().map(|(_, r)| r.calls).sum(),
            errors: rows.iter().map(|(_, r)| r.errors).sum(),
            total_ns: rows
                .iter()
                .fold(0u64, |t, (_, r)| t.saturating_add(r.total_ns)),
            ..Row::default()
        };
        let mut s = String::from(HEADER);
        s += RULE;
        for (nr, r) in &rows {
            let percent = if total.total_ns == 0 {
                0.0
            } else {
                100.0 * r.total_ns as f64 / total.total_ns as f64
            };
            row(&mut s, percent, r, &sys::Name(*nr).to_string());
        }
        s += RULE;
        row(&mut s, 100.0, &total, "total");
        s
    }
}

fn row(s: &mut String, percent: f64, r: &Row, name: &str) {
    let seconds = r.total_ns as f64 / 1e9;
    let usecs_per_call = r.total_ns.checked_div(r.calls).unwrap_or(0) / 1000;
    let errors = if r.errors == 0 {
        String::new()
    } else {
        r.errors.to_string()
    };
    let _ = writeln!(
        s,
        "{percent:6.2} {seconds:11.6} {usecs_per_call:11} {:9} {errors:>9} {name}",
        r.calls
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Summary {
        let mut s = Summary::default();
        s.add(sys::__NR_write, 100_000, false);
        s.add(sys::__NR_write, 150_999, false);
        for _ in 0..3 {
            s.add(sys::__NR_close, 50_000, true);
        }
        s.add(sys::__NR_getpid, 0, false);
        s.add(sys::__NR_brk, 0, false);
        s.add(sys::__NR_nanosleep, 150_000, false);
        s
    }

    /// The byte-exact table strace 6.1 prints for these figures (columns,
    /// widths, blank zero errors, the total row, ties in number order).
    #[test]
    fn table_as_strace_prints_it() {
        let want = "\
% time     seconds  usecs/call     calls    errors syscall
------ ----------- ----------- --------- --------- ----------------
 45.55    0.000251         125         2           write
 27.22    0.000150          50         3         3 close
 27.22    0.000150         150         1           nanosleep
  0.00    0.000000           0         1           brk
  0.00    0.000000           0         1           getpid
------ ----------- ----------- --------- --------- ----------------
100.00    0.000551          68         8         3 total
";
        assert_eq!(sample().render(SortBy::Time), want);
    }

    #[test]
    fn sort_keys() {
        let names = |by| -> Vec<String> {
            sample()
                .render(by)
                .lines()
                .skip(2)
                .take(5)
                .map(|l| l.rsplit(' ').next().unwrap().to_string())
                .collect()
        };
        assert_eq!(
            names(SortBy::Calls),
            ["close", "write", "brk", "nanosleep", "getpid"]
        );
        assert_eq!(
            names(SortBy::Errors),
            ["close", "write", "brk", "nanosleep", "getpid"]
        );
        assert_eq!(
            names(SortBy::Name),
            ["brk", "close", "getpid", "nanosleep", "write"]
        );
        assert_eq!(
            names(SortBy::Nothing),
            ["write", "close", "brk", "nanosleep", "getpid"]
        );
        assert_eq!(
            names(SortBy::MaxTime),
            ["write", "nanosleep", "close", "brk", "getpid"]
        );
        assert_eq!(
            names(SortBy::MinTime),
            ["nanosleep", "write", "close", "brk", "getpid"]
        );
        assert_eq!(
            names(SortBy::AvgTime),
            ["nanosleep", "write", "close", "brk", "getpid"]
        );
        for (name, by) in [
            ("time", SortBy::Time),
            ("total-time", SortBy::Time),
            ("shortest", SortBy::MinTime),
            ("longest", SortBy::MaxTime),
            ("time-avg", SortBy::AvgTime),
            ("count", SortBy::Calls),
            ("error", SortBy::Errors),
            ("syscall", SortBy::Name),
            ("none", SortBy::Nothing),
        ] {
            assert_eq!(name.parse::<SortBy>(), Ok(by));
        }
        assert!("fastest".parse::<SortBy>().is_err());
    }

    #[test]
    fn empty_and_zero_time_tables() {
        let empty = Summary::default().render(SortBy::Time);
        assert_eq!(
            empty,
            format!(
                "{HEADER}{RULE}{RULE}100.00    0.000000           0         0           total\n"
            )
        );
        let mut s = Summary::default();
        s.add(sys::__NR_getpid, 0, false);
        assert!(s
            .render(SortBy::Time)
            .contains("\n  0.00    0.000000           0         1           getpid\n"));
    }

    #[test]
    fn unnamed_calls_and_wide_numbers() {
        let mut s = Summary::default();
        s.add(400, 12_345_678_900_000, true);
        let t = s.render(SortBy::Time);
        assert!(
            t.contains("\n100.00 12345.678900 12345678900         1         1 syscall_0x190\n"),
            "{t}"
        );
    }
}
