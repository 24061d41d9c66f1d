//! The tracer's lines with strace's timing options: timestamps before the
//! call, `-T`'s time after the return value, `-c`'s silence and its table
//! at the end, against a fixed guest clock.

use std::cell::RefCell;

use abi::clock::TscClock;
use abi::hypercall::{SyscallExit, SYSCALL_STOP_EXIT, SYSCALL_STOP_NORETURN};
use abi::linux::syscalls as sys;

use super::summary::{SortBy, SummaryConfig};
use super::time::{Precision, StampFormat, Timestamps};
use super::Tracer;
use crate::config::{Output, StraceConfig};
use crate::console::{Console, KernelLog};
use crate::inspect::mem::BufMem;

/// 1 GHz; CLOCK_REALTIME 1_700_000_000 s when the TSC read 1000.
const ANCHOR_TSC: u64 = 1000;

fn tracer(cfg: StraceConfig) -> Tracer {
    let mut t = Tracer::open(&cfg).unwrap();
    t.set_clock(TscClock::new(
        1_000_000,
        1_700_000_000_000_000_000,
        ANCHOR_TSC,
    ));
    t
}

/// A stop `after_ns` past the anchor, taking `took_ns` of which `off_ns`
/// switched out.
fn stop(nr: u64, ret: i64, after_ns: u64, took_ns: u64, off_ns: u64, kind: u32) -> SyscallExit {
    let entry_tsc = ANCHOR_TSC + after_ns;
    SyscallExit {
        seq: 1,
        nr,
        ret,
        tid: 1,
        kind,
        entry_tsc,
        exit_tsc: entry_tsc + took_ns,
        off_cpu: off_ns,
        ..SyscallExit::default()
    }
}

/// Guest memory without kernel records: the tracer sees one task and no
/// user memory.
fn no_memory() -> BufMem {
    BufMem(RefCell::new(Vec::new()))
}

#[test]
fn timestamps_and_syscall_times() {
    let mut t = tracer(StraceConfig {
        timestamps: Some(Timestamps {
            format: StampFormat::Unix,
            precision: Precision::Us,
        }),
        syscall_times: Some(Precision::Us),
        ..StraceConfig::new(Output::Stderr)
    });
    let mem = no_memory();
    let getpid = stop(sys::__NR_getpid, 1, 5_000, 123_456, 0, SYSCALL_STOP_EXIT);
    // ` = ` at column 40 of the whole line, timestamp included.
    assert_eq!(
        t.stop(&getpid, &mem, 0),
        format!("{:<40}= 1 <0.000123>\n", "1700000000.000005 getpid()")
    );
    let close = stop(sys::__NR_close, -9, 2_000_000_000, 10_000_000_999, 0, 0);
    assert_eq!(
        t.stop(&close, &mem, 0),
        format!(
            "{:<40}= -1 EBADF (Bad file descriptor) <10.000000>\n",
            "1700000002.000000 close(0)"
        )
    );
    // A call that does not return: no time; its exit line has the
    // timestamp of its entry.
    let exit = SyscallExit {
        args: [3, 0, 0, 0, 0, 0],
        ..stop(sys::__NR_exit_group, 0, 7_000, 0, 0, SYSCALL_STOP_NORETURN)
    };
    assert_eq!(
        t.stop(&exit, &mem, 0),
        format!(
            "{:<40}= ?\n1700000000.000007 +++ exited with 3 +++\n",
            "1700000000.000007 exit_group(3)"
        )
    );
}

#[test]
fn timestamps_to_a_file_follow_the_tid() {
    let dir = std::env::temp_dir().join(format!("vmm-tracer-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut t = tracer(StraceConfig {
        timestamps: Some(Timestamps::from_count(3)),
        ..StraceConfig::new(Output::File(dir.join("t")))
    });
    let line = t.stop(&stop(sys::__NR_getpid, 1, 1_500, 10, 0, 0), &no_memory(), 0);
    assert_eq!(
        line,
        format!("{:<40}= 1\n", "1     1700000000.000001 getpid()")
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn summary_only_prints_the_table_at_the_end() {
    let summary = |wall_clock| {
        let mut t = tracer(StraceConfig {
            lines: false,
            summary: Some(SummaryConfig {
                wall_clock,
                sort: SortBy::Time,
            }),
            ..StraceConfig::new(Output::Stderr)
        });
        let mem = no_memory();
        let calls = [
            stop(sys::__NR_getpid, 1, 0, 40_000, 0, 0),
            stop(sys::__NR_getpid, 1, 0, 60_000, 0, 0),
            // 10 ms, of which 9.9 ms switched out.
            stop(sys::__NR_nanosleep, 0, 0, 10_000_000, 9_900_000, 0),
            stop(sys::__NR_close, -9, 0, 30_000, 0, 0),
            stop(sys::__NR_exit_group, 0, 0, 0, 0, SYSCALL_STOP_NORETURN),
        ];
        for c in &calls {
            assert_eq!(t.stop(c, &mem, 0), "", "-c prints no line per call");
        }
        assert_eq!(t.killed(11, &mem, 0), "");
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let mut console = Console::new(&mut out, &mut err, None, KernelLog::Hidden);
        t.end(&mut console);
        // Once, however often the run's end is told.
        t.end(&mut console);
        drop(console);
        String::from_utf8(err).unwrap()
    };
    let want = "\
% time     seconds  usecs/call     calls    errors syscall
------ ----------- ----------- --------- --------- ----------------
 43.48    0.000100         100         1           nanosleep
 43.48    0.000100          50         2           getpid
 13.04    0.000030          30         1         1 close
------ ----------- ----------- --------- --------- ----------------
100.00    0.000230          57         4         1 total
";
    assert_eq!(summary(false), want);
    let wall = summary(true);
    assert!(
        wall.contains("\n 98.72    0.010000       10000         1           nanosleep\n"),
        "{wall}"
    );
    assert!(wall.ends_with("100.00    0.010130        2532         4         1 total\n"));
}

#[test]
fn hostile_times_saturate() {
    // Exit before entry, more off-CPU time than the call took: 0, not a
    // wrapped huge number or a panic.
    let mut t = tracer(StraceConfig {
        syscall_times: Some(Precision::Us),
        summary: Some(SummaryConfig::default()),
        ..StraceConfig::new(Output::Stderr)
    });
    let mut c = stop(sys::__NR_getpid, 1, 0, 0, u64::MAX, 0);
    c.exit_tsc = 0;
    assert!(t.stop(&c, &no_memory(), 0).ends_with("= 1 <0.000000>\n"));
    let mut err = Vec::new();
    let mut out = Vec::new();
    let mut console = Console::new(&mut out, &mut err, None, KernelLog::Hidden);
    t.end(&mut console);
    drop(console);
    let table = String::from_utf8(err).unwrap();
    assert!(
        table.contains("  0.00    0.000000           0         1           getpid\n"),
        "{table}"
    );
}

#[test]
fn a_signal_delivery_is_straces_line() {
    use abi::hypercall::SignalDelivery;
    use abi::linux::uapi::Siginfo;
    let mut t = tracer(StraceConfig::new(Output::Stderr));
    let d = SignalDelivery {
        tid: 1,
        signo: 10,
        info: Siginfo::kill(10, abi::linux::signal::SI_TKILL, 1, 0),
        ..SignalDelivery::default()
    };
    assert_eq!(
        t.signal(&d, &no_memory(), 0),
        "--- SIGUSR1 {si_signo=SIGUSR1, si_code=SI_TKILL, si_pid=1, si_uid=0} ---\n"
    );
    // A signal number the kernel should never send: a number.
    let d = SignalDelivery { signo: 4000, ..d };
    assert!(t
        .signal(&d, &no_memory(), 0)
        .starts_with("--- 4000 {si_signo=SIGUSR1"));
    // -c prints no line for it.
    let mut quiet = tracer(StraceConfig {
        lines: false,
        ..StraceConfig::new(Output::Stderr)
    });
    assert_eq!(quiet.signal(&d, &no_memory(), 0), "");
}
