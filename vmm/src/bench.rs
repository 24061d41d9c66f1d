//! `vmm bench`: the task-creation benchmark, in the guest and natively on
//! the host in the same run, with where the guest kernel spends a clone.
//!
//! One static program (guest/programs/c/bench-clone.c, embedded in this
//! binary) times every operation with rdtsc around each repetition and
//! prints every sample. It runs:
//! 1. in the guest with the kernel's clone counters off — the table's guest
//!    columns;
//! 2. in the guest with them on (`clone-profile`): after the run the host
//!    reads the kernel's `CloneProfile` record from guest memory (found
//!    through the kernel's symbols), for the per-phase breakdown, and the
//!    medians with counters on are shown next to the ones without;
//! 3. natively, pinned to CPU 0 (the guest has one vCPU) — the host columns.
//!
//! Nothing here exits the guest inside a measured region: the program makes
//! only its own system calls, syscall stops are off, and the profile is
//! read after the guest has stopped.
//!
//! Besides task creation it times signal delivery (tgkill to a handler in
//! another thread, and a handler run and returned from on the sender's own
//! way back), and getpid with a handler installed next to the bare one:
//! what a handler adds to a return to user mode with nothing pending. A
//! kernel that does not deliver signals gets those rows skipped (the
//! program says so, and so does `vmm bench`), not a failed run.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use abi::stats::{CloneProfile, CLONE_PROFILE, PHASE_NAMES};
use serde::Serialize;

use crate::config::{CheckMode, RunConfig};
use crate::error::{Error, Result};
use crate::inspect::guest_mem::kread;
use crate::inspect::mem::PhysMem;
use crate::outcome::Outcome;

pub mod figure;

#[derive(Clone, Debug)]
pub struct BenchConfig {
    /// Timed repetitions per operation (after a tenth as many untimed ones).
    pub iterations: u32,
    /// Only this operation (its name as in the table).
    pub only: Option<String>,
    /// Also the contended variant with this many creating threads.
    pub threads: u32,
    pub json: Option<PathBuf>,
    pub svg: Option<PathBuf>,
    /// Skip the native run.
    pub no_host: bool,
    /// Measure the host's per-syscall check cost instead.
    pub check_cost: bool,
    pub kvm_device: PathBuf,
}

/// Median and 99th percentile of one side's samples.
#[derive(Clone, Debug, Serialize)]
pub struct Side {
    pub median_ns: f64,
    pub p99_ns: f64,
    pub samples_ns: Vec<f64>,
}

impl Side {
    /// Sorts `samples`; quantile q is the sample at rank round((n-1)q), 0
    /// when there are none.
    pub fn new(mut samples: Vec<f64>) -> Side {
        samples.sort_by(f64::total_cmp);
        let at = |q: f64| {
            let i = ((samples.len().max(1) as f64 - 1.0) * q).round() as usize;
            samples.get(i).copied().unwrap_or(0.0)
        };
        Side {
            median_ns: at(0.5),
            p99_ns: at(0.99),
            samples_ns: samples,
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Operation {
    pub name: String,
    pub guest: Side,
    /// The guest median with the kernel's clone counters on.
    pub guest_counters_on_median_ns: Option<f64>,
    pub host: Option<Side>,
    /// guest median / host median.
    pub ratio: Option<f64>,
}

impl Operation {
    pub fn new(
        name: String,
        guest: Side,
        guest_counters_on_median_ns: Option<f64>,
        host: Option<Side>,
    ) -> Operation {
        let ratio = host
            .as_ref()
            .map(|h| guest.median_ns / h.median_ns.max(1.0));
        Operation {
            name,
            guest,
            guest_counters_on_median_ns,
            host,
            ratio,
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Phase {
    pub name: String,
    /// Mean per kernel_clone call.
    pub ns: f64,
    /// Of the kernel_clone total.
    pub share: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct CloneBreakdown {
    pub calls: u64,
    /// Mean kernel_clone time, entry to return.
    pub total_ns: f64,
    pub phases: Vec<Phase>,
    /// Mean time from wake_up_new_task to the child's first run.
    pub first_schedule_ns: f64,
    pub kstack_cache_hit_rate: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub iterations: u32,
    pub operations: Vec<Operation>,
    pub kernel_clone: Option<CloneBreakdown>,
}

/// The embedded program, written where it can be executed.
struct ProgramFile(PathBuf);

impl ProgramFile {
    fn write() -> Result<ProgramFile> {
        if crate::BENCH_PROGRAM.is_empty() {
            return Err(Error::Bench(
                "this vmm was built without its guest programs (VMM_SKIP_GUEST_PROGRAMS); rebuild it to run bench".into(),
            ));
        }
        let path = std::env::temp_dir().join(format!("threadlab-bench-{}", std::process::id()));
        let io = |source| Error::BenchWrite {
            path: path.clone(),
            source,
        };
        std::fs::write(&path, crate::BENCH_PROGRAM).map_err(io)?;
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o700)).map_err(io)?;
        Ok(ProgramFile(path))
    }
}

impl Drop for ProgramFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn program_args(cfg: &BenchConfig) -> Vec<String> {
    let mut a = vec![cfg.iterations.to_string()];
    if let Some(op) = &cfg.only {
        a.push(op.clone());
    }
    a.push("--samples".into());
    if cfg.threads > 0 {
        a.push("--threads".into());
        a.push(cfg.threads.to_string());
    }
    a
}

/// `skipped NAME: why` lines: the operations the program did not measure.
pub fn parse_skipped(out: &str) -> Vec<(String, String)> {
    out.lines()
        .filter_map(|l| {
            let (name, why) = l.strip_prefix("skipped ")?.split_once(": ")?;
            Some((name.to_string(), why.to_string()))
        })
        .collect()
}

/// `samples NAME: v v v` lines: operation name and samples, in order.
pub fn parse_samples(out: &str) -> Vec<(String, Vec<f64>)> {
    out.lines()
        .filter_map(|l| {
            let (name, rest) = l.strip_prefix("samples ")?.split_once(": ")?;
            let v: Vec<f64> = rest.split(' ').filter_map(|x| x.parse().ok()).collect();
            (!v.is_empty()).then(|| (name.to_string(), v))
        })
        .collect()
}

fn progress(step: &str) {
    eprintln!("vmm bench: {step}");
}

/// Runs the program in the guest; with `profile`, also returns the kernel's
/// clone counters read from guest memory after the run.
fn guest_run(
    cfg: &BenchConfig,
    prog: &Path,
    profile: bool,
) -> Result<(String, Option<CloneProfile>)> {
    let mut rc = RunConfig::new(prog);
    rc.args = program_args(cfg).into_iter().map(Into::into).collect();
    rc.kvm_device = cfg.kvm_device.clone();
    if profile {
        rc.cmdline = "clone-profile".into();
    }
    // Kept with the guest's stderr, shown only if the run fails.
    rc.log = Some(crate::config::Output::Stderr);
    let mut out = Vec::new();
    let mut err = Vec::new();
    let mut prof = None;
    let mut read_profile = |mem: &dyn PhysMem, k: &crate::kernel::KernelImage| {
        prof = crate::kernel::symbol_address(k, CLONE_PROFILE)
            .ok()
            .and_then(|a| kread::<CloneProfile>(mem, a).ok());
    };
    let opts = crate::run::RunOptions::new(&mut out, &mut err).at_exit(&mut read_profile);
    let r = crate::run::run(&rc, opts)?;
    if !matches!(r.outcome, Outcome::Exited { status: 0 }) {
        let _ = std::io::stderr().write_all(&err);
        return Err(Error::Bench(format!(
            "the benchmark failed in the guest: {}",
            r.outcome.report("bench-clone").unwrap_or_default()
        )));
    }
    Ok((String::from_utf8_lossy(&out).into_owned(), prof))
}

/// Runs the program natively on CPU 0.
fn host_run(cfg: &BenchConfig, prog: &Path) -> Result<String> {
    let mut cmd = Command::new(prog);
    cmd.args(program_args(cfg)).env_clear();
    use std::os::unix::process::CommandExt;
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            let mut set: libc::cpu_set_t = std::mem::zeroed();
            libc::CPU_SET(0, &mut set);
            libc::sched_setaffinity(0, size_of::<libc::cpu_set_t>(), &set);
            Ok(())
        });
    }
    let out = cmd
        .output()
        .map_err(|source| Error::BenchNative { source })?;
    if !out.status.success() {
        return Err(Error::Bench(format!(
            "the benchmark failed natively ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        )));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn breakdown(p: &CloneProfile) -> Option<CloneBreakdown> {
    if p.enabled == 0 || p.calls == 0 || p.tsc_khz == 0 {
        return None;
    }
    let ns = |cycles: u64, n: u64| cycles as f64 * 1e6 / p.tsc_khz as f64 / n.max(1) as f64;
    let total_ns = ns(p.total_cycles, p.calls);
    let phases = PHASE_NAMES
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let v = ns(p.phase_cycles[i], p.calls);
            Phase {
                name: name.to_string(),
                ns: v,
                share: if total_ns > 0.0 { v / total_ns } else { 0.0 },
            }
        })
        .collect();
    let stacks = p.kstack_hits + p.kstack_misses;
    Some(CloneBreakdown {
        calls: p.calls,
        total_ns,
        phases,
        first_schedule_ns: ns(p.first_schedule_cycles, p.first_schedules),
        kstack_cache_hit_rate: if stacks > 0 {
            p.kstack_hits as f64 / stacks as f64
        } else {
            0.0
        },
    })
}

/// Runs the whole benchmark.
pub fn run(cfg: &BenchConfig) -> Result<Report> {
    let prog = ProgramFile::write()?;
    progress("[1/3] guest, kernel counters off");
    let (guest_out, _) = guest_run(cfg, &prog.0, false)?;
    progress("[2/3] guest, kernel clone counters on");
    let (profiled_out, profile) = guest_run(cfg, &prog.0, true)?;
    let host_out = if cfg.no_host {
        progress("[3/3] host run skipped (--no-host)");
        None
    } else {
        progress("[3/3] host, natively on CPU 0");
        Some(host_run(cfg, &prog.0)?)
    };
    let skipped = parse_skipped(&guest_out);
    for (name, why) in &skipped {
        progress(&format!("not measured in the guest: {name} ({why})"));
    }
    let guest = parse_samples(&guest_out);
    if guest.is_empty() {
        return Err(Error::Bench(match (&cfg.only, skipped.first()) {
            (Some(op), Some((_, why))) => format!("{op:?} was not measured in the guest: {why}"),
            (Some(op), None) => format!("no operation named {op:?}"),
            (None, _) => "the benchmark printed no samples".into(),
        }));
    }
    let profiled = parse_samples(&profiled_out);
    let host = host_out.as_deref().map(parse_samples).unwrap_or_default();
    let operations = guest
        .into_iter()
        .map(|(name, samples)| {
            let g = Side::new(samples);
            let h = host
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, s)| Side::new(s.clone()));
            let on = profiled
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, s)| Side::new(s.clone()).median_ns);
            Operation::new(name, g, on, h)
        })
        .collect();
    Ok(Report {
        iterations: cfg.iterations,
        operations,
        kernel_clone: profile.as_ref().and_then(breakdown),
    })
}

fn fmt_ns(ns: f64) -> String {
    fmt_latency(ns, "us")
}

/// A latency with two or three significant digits, in ns, `micro`s, ms or s.
fn fmt_latency(ns: f64, micro: &str) -> String {
    let (v, unit) = in_unit(ns, micro);
    let decimals = match unit {
        "s" | "ms" => 2,
        "ns" => 0,
        _ => 1,
    };
    format!("{v:.decimals$} {unit}")
}

/// A latency in the largest of s, ms, µs (spelt `micro`) and ns in which
/// it is at least 1 (ns below 1 ns too), with that unit.
fn in_unit(ns: f64, micro: &str) -> (f64, &str) {
    if ns >= 1e9 {
        (ns / 1e9, "s")
    } else if ns >= 1e6 {
        (ns / 1e6, "ms")
    } else if ns >= 1e3 {
        (ns / 1e3, micro)
    } else {
        (ns, "ns")
    }
}

/// Below this many samples the 99th percentile is the slowest sample or the
/// one next to it: too few to tell a tail from one outlier, so the table
/// shows the maximum, under its own name.
const P99_MIN_SAMPLES: usize = 100;

impl Side {
    /// The table's tail column for this side: the 99th percentile from at
    /// least [`P99_MIN_SAMPLES`] samples, else the slowest sample.
    fn tail(&self) -> Tail {
        if self.samples_ns.len() >= P99_MIN_SAMPLES {
            Tail::P99(self.p99_ns)
        } else {
            Tail::Max(self.samples_ns.last().copied().unwrap_or(0.0))
        }
    }
}

#[derive(Clone, Copy)]
enum Tail {
    P99(f64),
    Max(f64),
}

/// One tail column: its header, whether some of its cells are maxima, and
/// whether its cells are a mix of p99 and max (then the maxima carry a
/// `*`).
struct TailColumn {
    header: &'static str,
    max: bool,
    mixed: bool,
}

impl TailColumn {
    fn of<'a>(sides: impl Iterator<Item = &'a Side>) -> TailColumn {
        let (mut p99, mut max) = (false, false);
        for s in sides {
            match s.tail() {
                Tail::P99(_) => p99 = true,
                Tail::Max(_) => max = true,
            }
        }
        let header = match (p99, max) {
            (true, true) => "p99 / max*",
            (false, true) => "max",
            _ => "p99",
        };
        TailColumn {
            header,
            max,
            mixed: p99 && max,
        }
    }

    fn cell(&self, side: &Side) -> String {
        match side.tail() {
            Tail::P99(v) => fmt_ns(v),
            Tail::Max(v) if self.mixed => format!("{}*", fmt_ns(v)),
            Tail::Max(v) => fmt_ns(v),
        }
    }
}

/// How many samples the operations have: the count most of them share (on
/// a tie, the first operation's), and the ones that differ (the contended
/// variant has one per thread and repetition).
fn sample_counts(r: &Report) -> String {
    let sides = |op: &Operation| {
        std::iter::once(&op.guest)
            .chain(op.host.as_ref())
            .map(|s| s.samples_ns.len())
            .collect::<Vec<_>>()
    };
    let all: Vec<usize> = r.operations.iter().flat_map(sides).collect();
    let n = all
        .iter()
        .copied()
        .min_by_key(|n| std::cmp::Reverse(all.iter().filter(|m| *m == n).count()))
        .unwrap_or(0);
    let per = if r.operations.iter().any(|op| op.host.is_some()) {
        "per operation and side"
    } else {
        "per operation"
    };
    let others: Vec<String> = r
        .operations
        .iter()
        .filter(|op| sides(op).iter().any(|m| *m != n))
        .map(|op| match (op.guest.samples_ns.len(), &op.host) {
            (g, Some(h)) if g != h.samples_ns.len() => {
                format!("{}: {g} guest, {} host", op.name, h.samples_ns.len())
            }
            (g, _) => format!("{}: {g}", op.name),
        })
        .collect();
    if others.is_empty() {
        format!("{n} samples {per}")
    } else {
        format!("{n} samples {per} ({})", others.join("; "))
    }
}

/// The table, what its columns mean, and the phase breakdown, as printed.
pub fn render(r: &Report) -> String {
    let guest_tail = TailColumn::of(r.operations.iter().map(|op| &op.guest));
    let host_tail = TailColumn::of(r.operations.iter().filter_map(|op| op.host.as_ref()));
    let mut s = format!(
        "{:<44} {:>12} {:>12} {:>12} {:>12} {:>10} {:>16}\n",
        "operation",
        "guest median",
        guest_tail.header,
        "host median",
        host_tail.header,
        "guest/host",
        "counters on"
    );
    for op in &r.operations {
        let (hm, hp) = match &op.host {
            Some(h) => (fmt_ns(h.median_ns), host_tail.cell(h)),
            None => ("-".into(), "-".into()),
        };
        let on = match op.guest_counters_on_median_ns {
            Some(on) => format!(
                "{} ({:+.1}%)",
                fmt_ns(on),
                (on / op.guest.median_ns - 1.0) * 100.0
            ),
            None => "-".into(),
        };
        s += &format!(
            "{:<44} {:>12} {:>12} {:>12} {:>12} {:>10} {:>16}\n",
            op.name,
            fmt_ns(op.guest.median_ns),
            guest_tail.cell(&op.guest),
            hm,
            hp,
            op.ratio.map_or("-".into(), |x| format!("{x:.1}x")),
            on
        );
    }
    s += &format!("{}.\n", sample_counts(r));
    let columns = [&guest_tail, &host_tail];
    if columns.iter().any(|c| c.max) {
        s += &format!(
            "max: the slowest sample, shown instead of the 99th percentile below {P99_MIN_SAMPLES} samples{}.\n",
            if columns.iter().any(|c| c.mixed) {
                " (marked * where the column mixes both)"
            } else {
                ""
            }
        );
    }
    s += "guest/host: the guest median over the host median.\n";
    s += "counters on: the guest median in a second guest run with the kernel's clone-phase counters\n";
    s += "  on (kernel command line `clone-profile`; the breakdown below comes from it), and how far it\n";
    s += "  is from the guest median: what the counters themselves cost, run-to-run noise included.\n";
    match &r.kernel_clone {
        Some(k) => {
            s += &format!(
                "\nwhere the guest kernel spends a clone (mean of {} kernel_clone calls, counters on):\n",
                k.calls
            );
            s += &format!("{:<44} {:>12}\n", "kernel_clone  total", fmt_ns(k.total_ns));
            for p in &k.phases {
                let extra = if p.name == "dup_task_struct" {
                    format!(
                        "   (kernel-stack cache hit rate {:.0}%)",
                        k.kstack_cache_hit_rate * 100.0
                    )
                } else {
                    String::new()
                };
                s += &format!(
                    "  {:<42} {:>12} {:>5.1}%{extra}\n",
                    p.name,
                    fmt_ns(p.ns),
                    p.share * 100.0
                );
            }
            s += &format!(
                "  {:<42} {:>12}   (wake_up_new_task to its first run; not in the total)\n",
                "first schedule of the child",
                fmt_ns(k.first_schedule_ns)
            );
        }
        None => s += "\n(no kernel_clone ran with the counters on)\n",
    }
    s
}

/// The files `--json` and `--svg` name, created before the benchmark runs
/// so that a path that cannot be written fails in a second, not after the
/// measurements.
pub struct OutputFiles {
    json: Option<(PathBuf, std::fs::File)>,
    svg: Option<(PathBuf, std::fs::File)>,
}

impl OutputFiles {
    pub fn create(cfg: &BenchConfig) -> Result<OutputFiles> {
        let open = |p: &Option<PathBuf>| -> Result<_> {
            p.as_ref()
                .map(|path| {
                    std::fs::File::create(path)
                        .map(|f| (path.clone(), f))
                        .map_err(|source| Error::BenchWrite {
                            path: path.clone(),
                            source,
                        })
                })
                .transpose()
        };
        Ok(OutputFiles {
            json: open(&cfg.json)?,
            svg: open(&cfg.svg)?,
        })
    }

    /// `value` as pretty JSON into the `--json` file, if there is one.
    pub fn write_json<T: Serialize>(&mut self, value: &T) -> Result<()> {
        let Some((path, f)) = self.json.as_mut() else {
            return Ok(());
        };
        let text =
            serde_json::to_string_pretty(value).map_err(|source| Error::BenchJson { source })?;
        write_all(path, f, text.as_bytes())
    }

    /// The latency figure ([`figure::svg`]) into the `--svg` file, if there
    /// is one.
    pub fn write_svg(&mut self, r: &Report) -> Result<()> {
        let Some((path, f)) = self.svg.as_mut() else {
            return Ok(());
        };
        write_all(path, f, figure::svg(r)?.as_bytes())
    }
}

fn write_all(path: &Path, f: &mut std::fs::File, bytes: &[u8]) -> Result<()> {
    f.write_all(bytes)
        .and_then(|()| f.flush())
        .map_err(|source| Error::BenchWrite {
            path: path.to_owned(),
            source,
        })
}

/// One row of the check-cost table: a process with `threads` threads
/// making getpid calls, timed by the guest (the host's work at each stop
/// included, since the guest is paused meanwhile).
#[derive(Clone, Debug, Serialize)]
pub struct CheckCost {
    pub threads: u32,
    /// Median getpid with syscall stops off.
    pub plain_ns: f64,
    /// Extra per call with a stop at every syscall that does nothing: the
    /// bare VM exit round trip.
    pub bare_stop_ns: f64,
    /// Extra per call with `--check` (incremental): trap, every invariant,
    /// resume.
    pub checked_stop_ns: f64,
    /// checked / bare.
    pub ratio: f64,
    /// Extra per call with `--check-mode dirty-log` (the dirty log's
    /// write-protection faults included).
    pub dirty_log_stop_ns: f64,
    /// Extra per call with `--check-mode full`.
    pub full_stop_ns: f64,
    /// Median host time of one incremental check at a getpid stop.
    pub incremental_check_ns: f64,
    /// Median host time of one from-scratch check of everything.
    pub full_check_ns: f64,
}

#[derive(Clone, Copy, PartialEq)]
enum StopMode {
    Off,
    Bare,
    Checked(CheckMode),
    /// Stops whose hook times a full and an incremental check on the host.
    TimeCheck,
}

/// getpid in a process of `threads` threads, under `mode`: the guest's
/// median per call, and (TimeCheck only) the host's times of a full and of
/// an incremental check at every stop.
fn getpid_run(
    cfg: &BenchConfig,
    prog: &Path,
    threads: u32,
    mode: StopMode,
) -> Result<(f64, Vec<f64>, Vec<f64>)> {
    let mut rc = RunConfig::new(prog);
    rc.args = vec![
        cfg.iterations.to_string().into(),
        "getpid".into(),
        "--samples".into(),
        "--parked".into(),
        threads.to_string().into(),
    ];
    rc.kvm_device = cfg.kvm_device.clone();
    if let StopMode::Checked(m) = mode {
        rc.check = true;
        rc.check_mode = m;
    }
    let mut out = Vec::new();
    let mut err = Vec::new();
    let mut full = Vec::new();
    let mut incremental = Vec::new();
    let mut checker = crate::inspect::incremental::Checker::new();
    let mut hook = |stop: &crate::inspect::SyscallStop| {
        if mode == StopMode::TimeCheck {
            let t = std::time::Instant::now();
            let v = stop.check();
            full.push(t.elapsed().as_nanos() as f64);
            if !v.is_empty() {
                return Err(v[0].to_string());
            }
            let t = std::time::Instant::now();
            let v = checker.check(
                stop.mem,
                stop.roots,
                stop.libc.as_ref(),
                &crate::inspect::incremental::Changed::Anything,
            );
            incremental.push(t.elapsed().as_nanos() as f64);
            if !v.is_empty() {
                return Err(v[0].to_string());
            }
        }
        Ok(())
    };
    let on_stop: Option<&mut crate::stop::Inspector<'_>> = match mode {
        StopMode::Bare | StopMode::TimeCheck => Some(&mut hook),
        _ => None,
    };
    let opts = crate::run::RunOptions {
        on_stop,
        ..crate::run::RunOptions::new(&mut out, &mut err)
    };
    let r = crate::run::run(&rc, opts)?;
    if !matches!(r.outcome, Outcome::Exited { status: 0 }) {
        return Err(Error::Bench(format!(
            "the getpid run failed in the guest: {}",
            r.outcome.report("bench-clone").unwrap_or_default()
        )));
    }
    let out = String::from_utf8_lossy(&out);
    let samples = parse_samples(&out)
        .into_iter()
        .find(|(n, _)| n == "getpid")
        .map(|(_, s)| s)
        .ok_or_else(|| Error::Bench("the getpid run printed no samples".into()))?;
    Ok((Side::new(samples).median_ns, full, incremental))
}

/// The per-syscall cost of `--check` (each mode) against a bare stop, at 1,
/// 16 and 64 threads, and the host time of one incremental and one full
/// check.
pub fn check_cost(cfg: &BenchConfig) -> Result<Vec<CheckCost>> {
    let prog = ProgramFile::write()?;
    let mut rows = Vec::new();
    let median = |v: Vec<f64>| {
        if v.is_empty() {
            0.0
        } else {
            Side::new(v).median_ns
        }
    };
    for threads in [1u32, 16, 64] {
        progress(&format!("check cost, {threads} thread(s)"));
        let run = |mode| getpid_run(cfg, &prog.0, threads, mode).map(|r| r.0);
        let plain = run(StopMode::Off)?;
        let extra = |ns: f64| (ns - plain).max(0.0);
        let bare_stop = extra(run(StopMode::Bare)?);
        let checked_stop = extra(run(StopMode::Checked(CheckMode::Incremental))?);
        let dirty_log_stop = extra(run(StopMode::Checked(CheckMode::DirtyLog))?);
        let full_stop = extra(run(StopMode::Checked(CheckMode::Full))?);
        let (_, full, incremental) = getpid_run(cfg, &prog.0, threads, StopMode::TimeCheck)?;
        rows.push(CheckCost {
            threads,
            plain_ns: plain,
            bare_stop_ns: bare_stop,
            checked_stop_ns: checked_stop,
            ratio: if bare_stop > 0.0 {
                checked_stop / bare_stop
            } else {
                0.0
            },
            dirty_log_stop_ns: dirty_log_stop,
            full_stop_ns: full_stop,
            incremental_check_ns: median(incremental),
            full_check_ns: median(full),
        });
    }
    Ok(rows)
}

pub fn render_check_cost(rows: &[CheckCost]) -> String {
    let mut s = String::from(
        "cost of a checked syscall (getpid timed by the guest; the host works while the guest is paused)\n",
    );
    s += &format!(
        "{:>8} {:>12} {:>12} {:>14} {:>8} {:>14} {:>14} {:>14} {:>14}\n",
        "threads",
        "no stops",
        "+ bare stop",
        "+ --check",
        "/bare",
        "+ dirty-log",
        "+ full",
        "host: incr.",
        "host: full"
    );
    let ratio = |x: f64, bare: f64| if bare > 0.0 { x / bare } else { 0.0 };
    for r in rows {
        s += &format!(
            "{:>8} {:>12} {:>12} {:>14} {:>7.1}x {:>14} {:>14} {:>14} {:>14}\n",
            r.threads,
            fmt_ns(r.plain_ns),
            fmt_ns(r.bare_stop_ns),
            fmt_ns(r.checked_stop_ns),
            r.ratio,
            format!(
                "{} {:.1}x",
                fmt_ns(r.dirty_log_stop_ns),
                ratio(r.dirty_log_stop_ns, r.bare_stop_ns)
            ),
            format!(
                "{} {:.1}x",
                fmt_ns(r.full_stop_ns),
                ratio(r.full_stop_ns, r.bare_stop_ns)
            ),
            fmt_ns(r.incremental_check_ns),
            fmt_ns(r.full_check_ns)
        );
    }
    s += "--check is incremental: at each stop it re-derives only what the guest memory it was derived from no longer backs.\n";
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skipped_lines_are_parsed() {
        let out = "getpid: median 90 ns, p99 100 ns\nskipped signal x (2 threads): signals are not delivered to handlers\nskipped bad\n";
        assert_eq!(
            parse_skipped(out),
            [(
                "signal x (2 threads)".to_string(),
                "signals are not delivered to handlers".to_string()
            )]
        );
        assert!(parse_samples(out).is_empty());
    }

    #[test]
    fn samples_lines_are_parsed() {
        let out = "getpid: median 90 ns, p99 100 ns\nsamples getpid: 90 95 100\nsamples fork+exit+wait4: 5\nsamples bad:\n";
        let s = parse_samples(out);
        assert_eq!(s.len(), 2);
        assert_eq!(s[0], ("getpid".to_string(), vec![90.0, 95.0, 100.0]));
        assert_eq!(s[1].0, "fork+exit+wait4");
    }

    #[test]
    fn latencies_have_their_unit() {
        assert_eq!(fmt_latency(5e9, "us"), "5.00 s");
        assert_eq!(fmt_latency(2.5e6, "us"), "2.50 ms");
        assert_eq!(fmt_latency(1234.0, "us"), "1.2 us");
        assert_eq!(fmt_latency(1234.0, "\u{b5}s"), "1.2 \u{b5}s");
        assert_eq!(fmt_latency(999.4, "us"), "999 ns");
        assert_eq!(fmt_latency(0.0, "us"), "0 ns");
    }

    #[test]
    fn percentiles() {
        let s = Side::new((1..=100).rev().map(f64::from).collect());
        assert_eq!(s.median_ns, 51.0);
        assert_eq!(s.p99_ns, 99.0);
        assert_eq!(s.samples_ns[0], 1.0);
        let none = Side::new(Vec::new());
        assert_eq!((none.median_ns, none.p99_ns), (0.0, 0.0));
    }

    /// A report whose operations have `n` samples per side, 1..=n µs (the
    /// slowest n µs, the 99th percentile below it from 100 samples on).
    fn report(ns: &[usize]) -> Report {
        let side = |n: usize| Side::new((1..=n).map(|i| i as f64 * 1e3).collect());
        Report {
            iterations: ns[0] as u32,
            operations: ns
                .iter()
                .enumerate()
                .map(|(i, &n)| Operation::new(format!("op{i}"), side(n), Some(1e3), Some(side(n))))
                .collect(),
            kernel_clone: None,
        }
    }

    fn header(table: &str) -> Vec<&str> {
        table.lines().next().unwrap().split_whitespace().collect()
    }

    #[test]
    fn the_tail_column_is_p99_only_from_100_samples() {
        let t = render(&report(&[200, 200]));
        assert_eq!(header(&t)[3], "p99", "{t}");
        assert_eq!(header(&t)[6], "p99", "{t}");
        assert!(t.lines().nth(1).unwrap().contains(" 198.0 us "), "{t}");
        assert!(!t.contains("max"), "{t}");
        assert!(t.contains("\n200 samples per operation and side.\n"), "{t}");

        let t = render(&report(&[20, 20]));
        assert_eq!(header(&t)[3], "max", "{t}");
        assert_eq!(header(&t)[6], "max", "{t}");
        assert!(t.lines().nth(1).unwrap().contains(" 20.0 us "), "{t}");
        assert!(
            t.contains("\nmax: the slowest sample, shown instead of the 99th percentile below 100 samples.\n"),
            "{t}"
        );

        // 50 iterations with two contending threads: 100 samples there.
        let t = render(&report(&[50, 100]));
        assert_eq!(&header(&t)[3..6], ["p99", "/", "max*"], "{t}");
        let rows: Vec<&str> = t.lines().skip(1).take(2).collect();
        assert!(rows[0].contains(" 50.0 us* "), "{t}");
        assert!(
            rows[1].contains(" 99.0 us ") && !rows[1].contains('*'),
            "{t}"
        );
        assert!(t.contains("(marked * where the column mixes both)"), "{t}");
        assert!(
            t.contains("\n50 samples per operation and side (op1: 100).\n"),
            "{t}"
        );
    }

    #[test]
    fn the_counters_on_column_is_explained() {
        let t = render(&report(&[5]));
        let legend = t.find("\ncounters on: ").expect("a legend line");
        assert!(t[legend..].contains("clone-profile"), "{t}");
        assert!(t.contains("\nguest/host: "), "{t}");
    }

    #[test]
    fn sample_counts_name_the_odd_ones() {
        let mut r = report(&[5, 5, 10]);
        r.operations[1].host = Some(Side::new(vec![1.0; 7]));
        assert_eq!(
            sample_counts(&r),
            "5 samples per operation and side (op1: 5 guest, 7 host; op2: 10)"
        );
        for op in &mut r.operations {
            op.host = None;
        }
        assert_eq!(sample_counts(&r), "5 samples per operation (op2: 10)");
    }
}
