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

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use abi::stats::{CloneProfile, CLONE_PROFILE, PHASE_NAMES};
use serde::Serialize;

use crate::config::{CheckMode, RunConfig};
use crate::error::{Error, Result};
use crate::inspect::mem::{kread, PhysMem};
use crate::outcome::Outcome;

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
    /// Measure the host's per-syscall check cost instead (issue 5).
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
    fn new(mut samples: Vec<f64>) -> Side {
        samples.sort_by(f64::total_cmp);
        let at = |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize];
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
        let io = |e: std::io::Error| Error::Bench(format!("cannot write {}: {e}", path.display()));
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
        .map_err(|e| Error::Bench(format!("cannot run the benchmark natively: {e}")))?;
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
    let guest = parse_samples(&guest_out);
    if guest.is_empty() {
        return Err(Error::Bench(match &cfg.only {
            Some(op) => format!("no operation named {op:?}"),
            None => "the benchmark printed no samples".into(),
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
            let ratio = h.as_ref().map(|h| g.median_ns / h.median_ns.max(1.0));
            Operation {
                name,
                guest: g,
                guest_counters_on_median_ns: on,
                host: h,
                ratio,
            }
        })
        .collect();
    Ok(Report {
        iterations: cfg.iterations,
        operations,
        kernel_clone: profile.as_ref().and_then(breakdown),
    })
}

fn fmt_ns(ns: f64) -> String {
    if ns >= 1e6 {
        format!("{:.2} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.1} us", ns / 1e3)
    } else {
        format!("{ns:.0} ns")
    }
}

/// The table and the phase breakdown, as printed.
pub fn render(r: &Report) -> String {
    let mut s = format!(
        "{:<44} {:>12} {:>12} {:>12} {:>12} {:>10} {:>16}\n",
        "operation", "guest median", "p99", "host median", "p99", "guest/host", "counters on"
    );
    for op in &r.operations {
        let (hm, hp) = match &op.host {
            Some(h) => (fmt_ns(h.median_ns), fmt_ns(h.p99_ns)),
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
            fmt_ns(op.guest.p99_ns),
            hm,
            hp,
            op.ratio.map_or("-".into(), |x| format!("{x:.1}x")),
            on
        );
    }
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

pub fn write_json(r: &Report, path: &Path) -> Result<()> {
    let text = serde_json::to_string_pretty(r)
        .map_err(|e| Error::Bench(format!("cannot encode JSON: {e}")))?;
    std::fs::write(path, text)
        .map_err(|e| Error::Bench(format!("cannot write {}: {e}", path.display())))
}

/// Latency distributions, guest vs host, one panel per operation: the
/// cumulative share of samples below each latency, latency on a log axis
/// (the two sides differ by orders of magnitude).
pub fn write_svg(r: &Report, path: &Path) -> Result<()> {
    use plotters::prelude::*;
    let fail = |e: String| Error::Bench(format!("cannot draw {}: {e}", path.display()));
    let panel_h = 220u32;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (900, panel_h * r.operations.len() as u32))
            .into_drawing_area();
        root.fill(&WHITE).map_err(|e| fail(e.to_string()))?;
        let panels = root.split_evenly((r.operations.len(), 1));
        for (op, area) in r.operations.iter().zip(panels.iter()) {
            let mut lo = op.guest.samples_ns[0];
            let mut hi = *op.guest.samples_ns.last().unwrap();
            if let Some(h) = &op.host {
                lo = lo.min(h.samples_ns[0]);
                hi = hi.max(*h.samples_ns.last().unwrap());
            }
            let (lo, hi) = (lo.max(1.0) * 0.9, hi.max(2.0) * 1.1);
            let mut chart = ChartBuilder::on(area)
                .caption(&op.name, ("sans-serif", 16))
                .margin(8)
                .x_label_area_size(30)
                .y_label_area_size(40)
                .build_cartesian_2d((lo..hi).log_scale(), 0f64..1f64)
                .map_err(|e| fail(e.to_string()))?;
            chart
                .configure_mesh()
                .x_desc("ns (log)")
                .y_desc("share below")
                .draw()
                .map_err(|e| fail(e.to_string()))?;
            let cdf = |s: &Side| -> Vec<(f64, f64)> {
                let n = s.samples_ns.len() as f64;
                s.samples_ns
                    .iter()
                    .enumerate()
                    .map(|(i, &v)| (v.max(1.0), (i + 1) as f64 / n))
                    .collect()
            };
            chart
                .draw_series(LineSeries::new(cdf(&op.guest), &RED))
                .map_err(|e| fail(e.to_string()))?
                .label("guest")
                .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], RED));
            if let Some(h) = &op.host {
                chart
                    .draw_series(LineSeries::new(cdf(h), &BLUE))
                    .map_err(|e| fail(e.to_string()))?
                    .label("host")
                    .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], BLUE));
            }
            chart
                .configure_series_labels()
                .background_style(WHITE.mix(0.8))
                .border_style(BLACK)
                .position(SeriesLabelPosition::LowerRight)
                .draw()
                .map_err(|e| fail(e.to_string()))?;
        }
        root.present().map_err(|e| fail(e.to_string()))?;
    }
    std::fs::write(path, svg)
        .map_err(|e| Error::Bench(format!("cannot write {}: {e}", path.display())))
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
    fn samples_lines_are_parsed() {
        let out = "getpid: median 90 ns, p99 100 ns\nsamples getpid: 90 95 100\nsamples fork+exit+wait4: 5\nsamples bad:\n";
        let s = parse_samples(out);
        assert_eq!(s.len(), 2);
        assert_eq!(s[0], ("getpid".to_string(), vec![90.0, 95.0, 100.0]));
        assert_eq!(s[1].0, "fork+exit+wait4");
    }

    #[test]
    fn percentiles() {
        let s = Side::new((1..=100).rev().map(f64::from).collect());
        assert_eq!(s.median_ns, 51.0);
        assert_eq!(s.p99_ns, 99.0);
        assert_eq!(s.samples_ns[0], 1.0);
    }
}
