//! `vmm`: command-line front end. Every failure ends in one line on stderr
//! starting with `vmm: ` and the exit status documented in the README.

use std::ffi::OsString;
use std::io;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::builder::{OsStringValueParser, TypedValueParser};
use clap::{Parser, Subcommand};
use vmm::config::{
    parse_memory_size, KernelSource, Output, RunConfig, StraceConfig, DEFAULT_KVM_DEVICE,
};
use vmm::error::EXIT_VMM_FAILURE;
use vmm::initfs::Import;
use vmm::run::RunOptions;
use vmm::strace::summary::{SortBy, SummaryConfig};
use vmm::strace::time::{Precision, Timestamps};

#[derive(Parser)]
#[command(
    name = "vmm",
    version,
    about = "Boots the threadlab microkernel on KVM and runs static Linux programs in it"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Boot the guest kernel and run PROGRAM (a static x86_64 Linux executable) in it.
    Run(Box<RunArgs>),
    /// Time thread, fork and vfork creation in the guest and natively, side by
    /// side, and show where the guest kernel spends a clone.
    Bench(BenchArgs),
}

#[derive(clap::Args)]
struct BenchArgs {
    /// Timed repetitions per operation (after a tenth as many untimed ones).
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    iterations: u32,
    /// Only this operation, named as in the table (e.g. "getpid").
    #[arg(long, value_name = "OP")]
    only: Option<String>,
    /// Also run a contended variant: N threads creating and joining threads at once.
    #[arg(long, value_name = "N", default_value_t = 0, value_parser = clap::value_parser!(u32).range(0..=64))]
    threads: u32,
    /// Write every result (and every sample) as JSON to FILE.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Draw latency distributions, guest vs host, per operation, as SVG to FILE.
    #[arg(long, value_name = "FILE")]
    svg: Option<PathBuf>,
    /// Do not run the benchmark natively on the host.
    #[arg(long)]
    no_host: bool,
    /// Instead: the host's per-syscall check cost (--check) against a bare
    /// syscall stop, with 1, 16 and 64 threads, and one full check's time.
    #[arg(long, conflicts_with = "svg")]
    check_cost: bool,
    /// KVM device to use.
    #[arg(long, value_name = "PATH", default_value = DEFAULT_KVM_DEVICE)]
    kvm_device: PathBuf,
}

#[derive(clap::Args)]
struct RunArgs {
    /// Guest kernel ELF to boot instead of the embedded one.
    #[arg(long, value_name = "FILE")]
    kernel: Option<PathBuf>,
    /// Guest RAM, e.g. 256M or 1G (16M to 64G, a multiple of 2M).
    #[arg(long, value_name = "SIZE", default_value = "256M", value_parser = parse_memory_size)]
    memory: u64,
    /// End the run with status 124 after this many seconds.
    // Negative numbers are values here (to be refused as such), not flags.
    #[arg(long, value_name = "SECONDS", value_parser = parse_timeout, allow_negative_numbers = true)]
    timeout: Option<Duration>,
    /// Print a `vmm-timings:` line (setup, boot, program, teardown, RSS) on stderr.
    #[arg(long)]
    timings: bool,
    /// Print the guest's process tree and every thread's user and kernel
    /// backtrace (like pstree -apl and pstack), read from guest memory: at
    /// the end of the run (exit), only if it ended badly (error), or at the
    /// stop after the Nth system call (syscall:N).
    #[arg(long, value_name = "WHEN")]
    dump: Option<vmm::config::DumpWhen>,
    /// Print --dump as JSON.
    #[arg(long, requires = "dump")]
    json: bool,
    /// Write the --dump output to FILE instead of stderr.
    #[arg(long, value_name = "FILE", requires = "dump")]
    dump_output: Option<PathBuf>,
    /// Stop after every system call and check the guest kernel's task
    /// structures from guest memory; the first broken invariant ends the run
    /// with status 122 and a report.
    #[arg(long)]
    check: bool,
    /// How --check re-checks at each stop (implies --check): incremental
    /// re-derives only what the memory it was derived from no longer backs;
    /// dirty-log asks KVM's dirty log which pages to compare; full re-reads
    /// everything; verify runs dirty-log and full and fails on any
    /// difference.
    #[arg(long, value_name = "MODE", value_enum)]
    check_mode: Option<vmm::config::CheckMode>,
    /// Print every system call of the guest in strace's format (`strace -f`),
    /// one line per call at its return, on stderr.
    #[arg(long)]
    strace: bool,
    /// Write the --strace trace to FILE instead of stderr, each line
    /// prefixed with the tid as `strace -f -o FILE` does (implies --strace).
    #[arg(long, value_name = "FILE")]
    strace_output: Option<PathBuf>,
    /// Count every system call's calls, errors and time in the guest, and
    /// print strace -c's table at the end of the run instead of the trace
    /// (implies --strace).
    #[arg(short = 'c', long, conflicts_with = "summary")]
    summary_only: bool,
    /// The trace and, at the end of the run, -c's table (implies --strace).
    #[arg(short = 'C', long)]
    summary: bool,
    /// In -c's table, each call's latency (entry to return) instead of its
    /// time on the CPU in the guest kernel (with -c or -C).
    #[arg(short = 'w', long)]
    summary_wall_clock: bool,
    /// Sort -c's table by time (the default), min-time, max-time, avg-time,
    /// calls, errors, name or nothing (with -c or -C).
    #[arg(short = 'S', long, value_name = "SORTBY")]
    summary_sort_by: Option<SortBy>,
    /// After each return value, the time the call took in the guest:
    /// ` <0.000123>` (PRECISION: s, ms, us or ns; default us; implies
    /// --strace).
    #[arg(
        short = 'T',
        long,
        value_name = "PRECISION",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "us"
    )]
    syscall_times: Option<Precision>,
    /// Before each line, the guest's time of day at the call's entry
    /// (local time); -tt with microseconds; -ttt as seconds since the
    /// epoch with microseconds (implies --strace).
    #[arg(short = 't', action = clap::ArgAction::Count, conflicts_with = "absolute_timestamps")]
    timestamps: u8,
    /// As -t, in strace's terms: [format:]none|time|unix and
    /// [precision:]s|ms|us|ns, comma-separated (default time and s; implies
    /// --strace unless none).
    #[arg(
        long,
        visible_alias = "timestamps",
        value_name = "FORMAT,PRECISION",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "",
        value_parser = parse_timestamps
    )]
    absolute_timestamps: Option<StampArg>,
    /// Write the guest kernel's log to FILE (`-`: stderr), each line
    /// prefixed `[guest kernel] `. Without it the log is not shown.
    #[arg(long, value_name = "FILE")]
    log: Option<PathBuf>,
    /// Options for the guest kernel (space-separated key or key=value).
    #[arg(long, value_name = "OPTIONS", default_value = "")]
    cmdline: String,
    /// Environment variable for the program (repeatable). The program gets
    /// exactly these, not vmm's environment.
    #[arg(long = "env", value_name = "KEY=VALUE", value_parser = parse_env)]
    env: Vec<OsString>,
    /// Import the host directory tree HOST into the guest's root file
    /// system at GUEST (default: HOST's canonical path), read-only, or as a
    /// copy the guest may change with :rw (the host is never written).
    /// Symlinks in the tree are copied as symlinks. Repeatable; HOST cannot
    /// contain ':'.
    #[arg(long = "dir", value_name = "HOST[:GUEST][:rw]", value_parser = OsStringValueParser::new().try_map(Import::dir))]
    dirs: Vec<Import>,
    /// Import the host file HOST at GUEST, as --dir does a tree (repeatable).
    #[arg(long = "file", value_name = "HOST[:GUEST][:rw]", value_parser = OsStringValueParser::new().try_map(Import::file))]
    files: Vec<Import>,
    /// KVM device to use.
    #[arg(long, value_name = "PATH", default_value = DEFAULT_KVM_DEVICE)]
    kvm_device: PathBuf,
    /// Do not offer the vCPU this CPU feature, even where the host has it
    /// (repeatable or comma-separated), to run the guest kernel's fallback:
    /// `x2apic` (the xAPIC's MMIO registers instead), `tsc-deadline` (the
    /// APIC timer's one-shot mode instead). `--log` shows which the kernel
    /// used.
    #[arg(long, value_name = "FEATURE", value_delimiter = ',')]
    hide_cpuid: Vec<vmm::arch::cpuid::Feature>,
    /// The program to run: a path, or a name without `/` looked up in PATH.
    program: PathBuf,
    /// Arguments for the program, passed verbatim.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    args: Vec<OsString>,
}

fn parse_timeout(s: &str) -> Result<Duration, String> {
    let secs: f64 = s
        .parse()
        .map_err(|_| format!("{s:?} is not a number of seconds"))?;
    if !(secs > 0.0 && secs < 1e9) {
        return Err(format!(
            "{s}: the timeout must be a positive number of seconds"
        ));
    }
    Ok(Duration::from_secs_f64(secs))
}

/// `--absolute-timestamps`'s value (`None`: `none`).
#[derive(Clone)]
struct StampArg(Option<Timestamps>);

fn parse_timestamps(s: &str) -> Result<StampArg, String> {
    Timestamps::parse(s).map(StampArg)
}

/// `--strace` and the strace options: whether and how to trace.
fn strace_config(args: &RunArgs) -> Result<Option<StraceConfig>, String> {
    if args.summary_wall_clock && !(args.summary_only || args.summary) {
        return Err(
            "-w/--summary-wall-clock must be given with -c/--summary-only or -C/--summary".into(),
        );
    }
    if args.summary_sort_by.is_some() && !(args.summary_only || args.summary) {
        return Err(
            "-S/--summary-sort-by must be given with -c/--summary-only or -C/--summary".into(),
        );
    }
    let timestamps = match &args.absolute_timestamps {
        Some(StampArg(t)) => *t,
        None => (args.timestamps > 0).then(|| Timestamps::from_count(args.timestamps)),
    };
    let asked = args.strace
        || args.strace_output.is_some()
        || args.summary_only
        || args.summary
        || args.syscall_times.is_some()
        || timestamps.is_some();
    if !asked {
        return Ok(None);
    }
    let output = match &args.strace_output {
        Some(path) => Output::File(path.clone()),
        None => Output::Stderr,
    };
    Ok(Some(StraceConfig {
        lines: !args.summary_only,
        summary: (args.summary_only || args.summary).then(|| SummaryConfig {
            wall_clock: args.summary_wall_clock,
            sort: args.summary_sort_by.unwrap_or_default(),
        }),
        syscall_times: args.syscall_times,
        timestamps,
        ..StraceConfig::new(output)
    }))
}

fn parse_env(s: &str) -> Result<OsString, String> {
    match s.split_once('=') {
        Some((k, _)) if !k.is_empty() => Ok(s.into()),
        _ => Err(format!("{s:?} is not KEY=VALUE")),
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind::*;
            if matches!(
                e.kind(),
                DisplayHelp | DisplayVersion | DisplayHelpOnMissingArgumentOrSubcommand
            ) {
                let _ = e.print();
                return ExitCode::from(if e.kind() == DisplayHelpOnMissingArgumentOrSubcommand {
                    EXIT_VMM_FAILURE as u8
                } else {
                    0
                });
            }
            eprintln!(
                "vmm: {} (see {} --help)",
                clap_message(&e),
                subcommand_named()
            );
            return ExitCode::from(EXIT_VMM_FAILURE as u8);
        }
    };
    let args = match cli.command {
        Command::Run(args) => *args,
        Command::Bench(b) => return bench(b),
    };
    let strace = match strace_config(&args) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("vmm: {e} (see vmm run --help)");
            return ExitCode::from(EXIT_VMM_FAILURE as u8);
        }
    };
    let mut cfg = RunConfig::new(args.program);
    cfg.kernel = args.kernel.map(KernelSource::File).unwrap_or_default();
    cfg.memory = args.memory;
    cfg.timeout = args.timeout;
    cfg.timings = args.timings;
    cfg.check = args.check || args.check_mode.is_some();
    cfg.check_mode = args.check_mode.unwrap_or_default();
    cfg.dump = args.dump;
    cfg.dump_json = args.json;
    cfg.dump_output = args.dump_output.map_or(Output::Stderr, Output::File);
    cfg.strace = strace;
    cfg.log = args.log.map(Output::from_arg);
    cfg.cmdline = args.cmdline;
    cfg.env = args.env;
    cfg.kvm_device = args.kvm_device;
    cfg.hide_cpuid = args.hide_cpuid;
    cfg.args = args.args;
    cfg.imports = args.dirs.into_iter().chain(args.files).collect();

    let fail = |e: vmm::error::Error| {
        eprintln!("vmm: {e}");
        ExitCode::from(e.exit_code() as u8)
    };
    let mut stdout = io::stdout().lock();
    let mut stderr = io::stderr();
    let mut stdin = io::stdin().lock();
    let opts = RunOptions::new(&mut stdout, &mut stderr).stdin(&mut stdin);
    match vmm::run::run(&cfg, opts) {
        Ok(result) => {
            if cfg.dump_output == Output::Stderr {
                if let Some(d) = &result.dump {
                    eprintln!("{d}");
                }
            }
            if let Some(report) = result.outcome.report(&result.program.display().to_string()) {
                eprintln!("{report}");
            }
            for note in result.notes() {
                eprintln!("{note}");
            }
            if cfg.timings {
                eprintln!("{}", result.timings.line());
            }
            ExitCode::from(result.outcome.exit_code() as u8)
        }
        Err(e) => fail(e),
    }
}

/// clap's error as one line, without its "error: " prefix: its first line,
/// and for missing arguments the arguments' names (clap lists them on the
/// lines after).
fn clap_message(e: &clap::Error) -> String {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    if e.kind() == ErrorKind::MissingRequiredArgument {
        if let Some(ContextValue::Strings(args)) = e.get(ContextKind::InvalidArg) {
            return format!("missing {}", args.join(", "));
        }
    }
    let text = e.render().to_string();
    let first = text.lines().next().unwrap_or("invalid arguments");
    first.strip_prefix("error: ").unwrap_or(first).to_string()
}

/// The command line's subcommand, for the help an error points to: the
/// first word that is not an option (`vmm` alone when there is none yet).
fn subcommand_named() -> &'static str {
    match std::env::args_os()
        .skip(1)
        .find(|a| !a.to_string_lossy().starts_with('-'))
    {
        Some(a) if a == "run" => "vmm run",
        Some(a) if a == "bench" => "vmm bench",
        _ => "vmm",
    }
}

fn bench(b: BenchArgs) -> ExitCode {
    let cfg = vmm::bench::BenchConfig {
        iterations: b.iterations,
        only: b.only,
        threads: b.threads,
        json: b.json,
        svg: b.svg,
        no_host: b.no_host,
        check_cost: b.check_cost,
        kvm_device: b.kvm_device,
    };
    let result = vmm::bench::OutputFiles::create(&cfg).and_then(|mut out| {
        if cfg.check_cost {
            let rows = vmm::bench::check_cost(&cfg)?;
            print!("{}", vmm::bench::render_check_cost(&rows));
            return out.write_json(&rows);
        }
        let r = vmm::bench::run(&cfg)?;
        print!("{}", vmm::bench::render(&r));
        out.write_json(&r)?;
        out.write_svg(&r)
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("vmm: {e}");
            ExitCode::from(e.exit_code() as u8)
        }
    }
}
