//! One guest run from start to end, in three steps:
//! - `build`: check the inputs (program, imports, kernel, output files)
//!   and make the VM — guest memory, the kernel image, the boot page
//!   tables, the initfs image and `BootInfo`, vCPU 0;
//! - `serve`: run vCPU 0, each VM exit read as an `Exit`, until the
//!   program ends, the guest fails or the timeout expires;
//! - `finish`: the end-of-run dump, the caller's at-exit reader, timings
//!   and teardown.
//!
//! What the caller brings (the program's I/O, a hook at every syscall stop,
//! a reader after the end) is one [`RunOptions`].

use std::ffi::OsString;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use abi::boot::{
    BOOT_FLAG_REPORT_SYSCALL_EXIT, BOOT_FLAG_REPORT_USER_START, BOOT_FLAG_SYSCALL_TIMES,
};
use kvm_ioctls::{Kvm, VcpuExit, VcpuFd, VmFd};
use vm_memory::GuestMemoryMmap;

use crate::arch::{gdt, paging};
use crate::config::{DumpWhen, Output, RunConfig, StraceConfig};
use crate::console::{Console, KernelLog};
use crate::error::{Error, Result};
use crate::hypercall::{self, Action};
use crate::inspect::incremental::CheckStats;
use crate::inspect::libc::LibcSymbols;
use crate::kernel::KernelImage;
use crate::outcome::Outcome;
use crate::program::Program;
use crate::stop::{self, DumpMissed, Inspector, Pipeline};
use crate::strace::Tracer;
use crate::symbols::Symbols;
use crate::watchdog::Watchdog;
use crate::{boot, initfs, kernel, memory, program, vm};

/// Where the time of a run went (`--timings`).
#[derive(Clone, Debug, Default)]
pub struct Timings {
    /// Start of `run` to the first KVM_RUN: file checks, KVM and memory setup.
    pub setup: Duration,
    /// First KVM_RUN to the kernel's USER_START hypercall.
    pub boot: Duration,
    /// USER_START to the end of the guest.
    pub program: Duration,
    /// End of the guest to VM, vCPU and memory released.
    pub teardown: Duration,
    pub total: Duration,
    /// Peak resident set of this process (VmHWM).
    pub peak_rss_kib: u64,
    /// Guest RAM resident at the end of the run.
    pub guest_rss_kib: u64,
    /// `--check`'s work: units reused and re-derived, bytes compared.
    pub check: Option<CheckStats>,
    /// The kernel's timer as it reported it when the program started:
    /// [`abi::hypercall::timer`] bits and the one-shot rate in kHz.
    pub timer: Option<(u32, u32)>,
}

impl Timings {
    /// The single line `--timings` prints on stderr.
    pub fn line(&self) -> String {
        format!(
            "vmm-timings: setup_us={} boot_us={} program_us={} teardown_us={} total_us={} rss_kib={} guest_rss_kib={} host_rss_kib={}",
            self.setup.as_micros(),
            self.boot.as_micros(),
            self.program.as_micros(),
            self.teardown.as_micros(),
            self.total.as_micros(),
            self.peak_rss_kib,
            self.guest_rss_kib,
            self.peak_rss_kib.saturating_sub(self.guest_rss_kib)
        ) + &match &self.check {
            Some(c) => format!(
                " checks={} check_us={} check_units_reused={} check_units_rederived={} check_bytes_compared={}",
                c.checks,
                c.nanos / 1000,
                c.reused,
                c.recomputed,
                c.compared
            ),
            None => String::new(),
        } + &match self.timer {
            Some((bits, 0)) => format!(" timer={}", abi::hypercall::timer::describe(bits)),
            Some((bits, khz)) => format!(
                " timer={} apic_timer_khz={khz}",
                abi::hypercall::timer::describe(bits)
            ),
            None => String::new(),
        }
    }
}

pub struct RunResult {
    pub outcome: Outcome,
    /// `--dump`'s output (text or JSON), if it was taken: one dump, at the
    /// stop or at the end `--dump` names.
    pub dump: Option<String>,
    pub timings: Timings,
    /// The program file that ran: PROGRAM, or where the `PATH` lookup of a
    /// bare name found it.
    pub program: PathBuf,
    /// Lines the guest kernel logged that went nowhere (no
    /// [`RunConfig::log`]).
    pub hidden_log_lines: u64,
    /// Why `--dump=syscall:N` took no dump.
    pub dump_missed: Option<DumpMissed>,
    /// Why the end-of-run dump could not be taken.
    pub dump_error: Option<String>,
    /// Why the dump could not be written to [`RunConfig::dump_output`]'s
    /// file (it is still in `dump`).
    pub dump_write_error: Option<String>,
}

impl RunResult {
    /// vmm's own lines about the run, after the outcome's report: a dump
    /// that was asked for and not taken, and — when the run failed on the
    /// vmm side — kernel log lines nobody saw.
    pub fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        if let Some(why) = &self.dump_error {
            notes.push(format!(
                "vmm: no dump: the kernel's state could not be read ({why})"
            ));
        }
        if let Some(m) = &self.dump_missed {
            notes.push(format!("vmm: {m}"));
        }
        if let Some(e) = &self.dump_write_error {
            notes.push(format!("vmm: {e}"));
        }
        let n = self.hidden_log_lines;
        if n > 0 && self.outcome.is_vmm_side_failure() {
            notes.push(format!(
                "vmm: the guest kernel logged {n} line{}; --log - shows {}",
                if n == 1 { "" } else { "s" },
                if n == 1 { "it" } else { "them" }
            ));
        }
        notes
    }
}

/// Called once the guest has stopped for good, before its memory is
/// released: reads what the kernel left there (e.g. `vmm bench`'s clone
/// profile), given the memory and the kernel image (for its symbols).
pub type AtExit<'a> = dyn FnMut(&dyn crate::inspect::mem::PhysMem, &KernelImage) + 'a;

/// What the caller brings to a run besides its [`RunConfig`].
pub struct RunOptions<'a> {
    /// The program's fd 1.
    pub stdout: &'a mut dyn Write,
    /// The program's fd 2, and where `--strace` / `--log -` go.
    pub stderr: &'a mut dyn Write,
    /// The program's fd 0 (`None`: immediate end of input).
    pub stdin: Option<&'a mut dyn Read>,
    /// Called at every syscall stop (the guest stopped right after a
    /// system call returned, its memory readable — and writable — through
    /// the [`crate::inspect::SyscallStop`]); turns the stops on.
    pub on_stop: Option<&'a mut Inspector<'a>>,
    /// Called after the guest stopped, before its memory goes.
    pub at_exit: Option<&'a mut AtExit<'a>>,
}

impl<'a> RunOptions<'a> {
    pub fn new(stdout: &'a mut dyn Write, stderr: &'a mut dyn Write) -> RunOptions<'a> {
        RunOptions {
            stdout,
            stderr,
            stdin: None,
            on_stop: None,
            at_exit: None,
        }
    }

    pub fn stdin(mut self, stdin: &'a mut dyn Read) -> Self {
        self.stdin = Some(stdin);
        self
    }

    pub fn on_stop(mut self, hook: &'a mut Inspector<'a>) -> Self {
        self.on_stop = Some(hook);
        self
    }

    pub fn at_exit(mut self, reader: &'a mut AtExit<'a>) -> Self {
        self.at_exit = Some(reader);
        self
    }
}

/// Runs `cfg.program` in a fresh guest. The kernel log goes where
/// `cfg.log` says. `Err` means the guest never started.
pub fn run(cfg: &RunConfig, opts: RunOptions<'_>) -> Result<RunResult> {
    let t0 = Instant::now();
    let RunOptions {
        stdout,
        stderr,
        stdin,
        on_stop,
        at_exit,
    } = opts;
    let (mut guest, outputs) = build(cfg, on_stop.is_some())?;
    let mut console = Console::new(stdout, stderr, stdin, outputs.log);
    let dump_file = outputs.dumps;
    let stops = guest.roots.filter(|_| guest.stops).map(|roots| {
        pipeline(
            cfg,
            roots,
            guest.libc,
            outputs.tracer,
            // The caller's lifetime, shortened to this run's.
            on_stop.map(|h| h as &mut Inspector<'_>),
            &guest.vm,
            &guest.kernel.symbols,
            &guest.program.symbols,
        )
    });
    let mut ctx = hypercall::Context {
        mem: &guest.mem,
        mem_size: cfg.memory,
        console: &mut console,
        kernel_symbols: &guest.kernel.symbols,
        program_symbols: &guest.program.symbols,
        roots: guest
            .roots
            .or_else(|| kernel::symbol_address(&guest.kernel, abi::task::KERNEL_ROOTS).ok()),
        user_start: None,
        stops,
    };
    let served = serve(&mut guest.vcpu, &mut ctx, cfg.timeout);
    let user_start = ctx.user_start;
    let stops = ctx.stops.take().map(|p| p.finish(ctx.console));
    console.finish();
    let hidden_log_lines = console.hidden_log_lines();
    finish(
        cfg,
        guest,
        Ended {
            served,
            user_start,
            stops,
            hidden_log_lines,
            t0,
            dump_file,
        },
        at_exit,
    )
}

/// The VM of one run and what it was made from, until teardown.
/// Field order is drop order: the vCPU and the VM go before the memory
/// registered with them.
struct Guest {
    vcpu: VcpuFd,
    vm: VmFd,
    mem: GuestMemoryMmap,
    /// Only held: KVM's handle lives as long as the VM made from it.
    _kvm: Kvm,
    program: Program,
    kernel: KernelImage,
    /// Kernel address of `kernel_roots`, when stops or a dump need it.
    roots: Option<u64>,
    /// Whether the kernel reports syscall stops.
    stops: bool,
    /// guest-libc's symbols in the program, for invariants 10–12.
    libc: Option<LibcSymbols>,
}

/// vmm's own streams, opened once PROGRAM, the kernel and KVM are known
/// good (a run that fails on them leaves no files) and before any guest
/// memory is spent (a path that cannot be written fails the run first).
struct Outputs {
    tracer: Option<Tracer>,
    log: KernelLog,
    /// `--dump-output FILE`, and its path for a write error.
    dumps: Option<(std::fs::File, PathBuf)>,
}

/// Checks the inputs and builds the VM, ready for its first KVM_RUN.
fn build(cfg: &RunConfig, hooked: bool) -> Result<(Guest, Outputs)> {
    let path = program::resolve(&cfg.program, std::env::var_os("PATH").as_deref())?;
    let program = program::load(&path)?;
    // Walked and laid out before any guest memory exists: its size decides
    // whether the run fits in --memory.
    let image = initfs::build(&cfg.imports, &path, program.bytes.clone())?;
    let kernel = kernel::open(&cfg.kernel)?;
    let mut argv: Vec<OsString> = vec![cfg.program.clone().into_os_string()];
    argv.extend(cfg.args.iter().cloned());
    let layout = boot::layout(
        cfg.memory,
        kernel.phys_end,
        &program,
        &image,
        &argv,
        &cfg.env,
        &cfg.cmdline,
    )?;
    let kvm = vm::open_kvm(&cfg.kvm_device)?;
    let mut outputs = Outputs {
        tracer: cfg.strace.as_ref().map(Tracer::open).transpose()?,
        log: match &cfg.log {
            None => KernelLog::Hidden,
            Some(out) => match out.create("the kernel log file")? {
                None => KernelLog::Stderr,
                Some(file) => KernelLog::File(file),
            },
        },
        dumps: match (&cfg.dump, &cfg.dump_output) {
            (Some(_), Output::File(path)) => cfg
                .dump_output
                .create("the dump file")?
                .map(|f| (f, path.clone())),
            _ => None,
        },
    };

    let mem = memory::create(cfg.memory)?;
    kernel::load(&kernel, &mem, cfg.memory)?;
    gdt::write(&mem).map_err(Error::memory("the boot GDT"))?;
    let cr3 = paging::write(&mem, cfg.memory).map_err(Error::memory("the boot page tables"))?;
    let stops = cfg.check
        || hooked
        || matches!(cfg.dump, Some(DumpWhen::Syscall(_)))
        || cfg.strace.is_some();
    let roots = if stops || cfg.dump.is_some() {
        Some(kernel::symbol_address(&kernel, abi::task::KERNEL_ROOTS)?)
    } else {
        None
    };
    let mut flags = 0;
    if cfg.timings {
        flags |= BOOT_FLAG_REPORT_USER_START;
    }
    if stops {
        flags |= BOOT_FLAG_REPORT_SYSCALL_EXIT;
    }
    if cfg.strace.as_ref().is_some_and(StraceConfig::wants_times) {
        flags |= BOOT_FLAG_SYSCALL_TIMES;
    }
    let mut info = boot::place(&mem, layout, &program, &image, flags)?.info;

    let vm_fd = vm::create_vm(&kvm)?;
    let dirty_log = cfg.dirty_log();
    memory::register(&vm_fd, &mem, dirty_log)?;
    if dirty_log {
        // Fail before the guest starts, not at its first syscall stop.
        vm_fd
            .get_dirty_log(0, cfg.memory as usize)
            .map_err(|source| Error::NoDirtyLog {
                mode: cfg.check_mode.name(),
                source,
            })?;
    }
    vm::create_irqchip(&vm_fd)?;
    let vcpu = vm::create_boot_vcpu(
        &kvm,
        &vm_fd,
        kernel.entry,
        boot::boot_info_virt(),
        cr3,
        &cfg.hide_cpuid,
    )?;
    info.tsc_khz = vm::tsc_khz(&vcpu);
    if let Some(tsc) = vm::guest_tsc(&vcpu) {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        info.realtime_ns = now.as_nanos() as u64;
        info.tsc_at_realtime = tsc;
    }
    if let Some(t) = outputs.tracer.as_mut() {
        t.set_clock(info.clock());
    }
    boot::write_info(&mem, &info)?;
    // Only the checker and hooks read guest-libc's state.
    let libc = if cfg.check || hooked {
        LibcSymbols::from_elf(&program.bytes, program.load_bias())
    } else {
        None
    };
    let guest = Guest {
        vcpu,
        vm: vm_fd,
        mem,
        _kvm: kvm,
        program,
        kernel,
        roots,
        stops,
        libc,
    };
    Ok((guest, outputs))
}

/// The stop consumers `cfg` and the caller asked for.
#[allow(clippy::too_many_arguments)]
fn pipeline<'a>(
    cfg: &RunConfig,
    roots: u64,
    libc: Option<LibcSymbols>,
    tracer: Option<Tracer>,
    hook: Option<&'a mut Inspector<'a>>,
    vm: &'a VmFd,
    kernel_symbols: &'a Symbols,
    program_symbols: &'a Symbols,
) -> Pipeline<'a> {
    let mut p = Pipeline::new(roots, libc);
    p.trace = tracer.map(stop::Trace::new);
    p.hook = hook.map(stop::Hook::new);
    if let Some(DumpWhen::Syscall(n)) = cfg.dump {
        p.dump = Some(stop::DumpAt::new(n, kernel_symbols, program_symbols));
    }
    if cfg.dirty_log() {
        p.dirty = Some(stop::DirtyLog::new(vm, cfg.memory));
    }
    if cfg.check {
        p.check = Some(stop::Check::new(cfg.check_mode));
    }
    p
}

/// A VM exit, as far as the run is concerned.
enum Exit {
    /// A 32-bit `out`: a hypercall to `port` with the guest-physical
    /// address of its record.
    Hypercall { port: u16, addr: u32 },
    /// KVM_RUN returned early: a signal (the watchdog's kick) arrived.
    Interrupted,
    /// KVM could not go on (its report is in the vCPU's run structure).
    InternalError,
    /// Anything else ends the run: the guest did what no guest of ours does.
    Fail(String),
}

impl Exit {
    fn of(exit: std::result::Result<VcpuExit, kvm_ioctls::Error>) -> Exit {
        match exit {
            Ok(VcpuExit::IoOut(port, data)) => match <[u8; 4]>::try_from(data) {
                Ok(addr) => Exit::Hypercall {
                    port,
                    addr: u32::from_le_bytes(addr),
                },
                Err(_) => Exit::Fail(format!(
                    "bad hypercall: {}-byte write to port {port:#x}; hypercalls are 32-bit",
                    data.len()
                )),
            },
            Ok(VcpuExit::IoIn(port, data)) => Exit::Fail(format!(
                "{}-byte read from I/O port {port:#x}; the guest has no devices",
                data.len()
            )),
            Ok(VcpuExit::Hlt) => Exit::Fail("the guest halted with nothing to wake it".into()),
            Ok(VcpuExit::Shutdown) => Exit::Fail("triple fault: the vCPU shut down".into()),
            Ok(VcpuExit::FailEntry(reason, cpu)) => Exit::Fail(format!(
                "VM entry failed on vCPU {cpu} (hardware reason {reason:#x})"
            )),
            Ok(VcpuExit::InternalError) => Exit::InternalError,
            Ok(VcpuExit::MmioRead(addr, _)) | Ok(VcpuExit::MmioWrite(addr, _)) => Exit::Fail(
                format!("access to guest-physical {addr:#x}, which is not RAM"),
            ),
            Ok(VcpuExit::SystemEvent(kind, _)) => {
                Exit::Fail(format!("system event {kind} (reset or power-off request)"))
            }
            Ok(other) => Exit::Fail(format!("unexpected VM exit {other:?}")),
            Err(e) if e.errno() == libc::EINTR || e.errno() == libc::EAGAIN => Exit::Interrupted,
            Err(e) => Exit::Fail(format!("KVM_RUN failed: {e}")),
        }
    }
}

/// How [`serve`] ended, and when.
struct Served {
    outcome: Outcome,
    /// Just before the first KVM_RUN.
    started: Instant,
    /// When the guest stopped for good.
    stopped: Instant,
}

/// Runs vCPU 0 and serves its exits until the run ends.
fn serve(vcpu: &mut VcpuFd, ctx: &mut hypercall::Context, timeout: Option<Duration>) -> Served {
    let mut watchdog = Watchdog::arm(timeout);
    let started = Instant::now();
    let (kernel_symbols, program_symbols) = (ctx.kernel_symbols, ctx.program_symbols);
    let registers = |vcpu: &VcpuFd| vm::dump_vcpu(vcpu, kernel_symbols, program_symbols);
    let outcome = loop {
        if watchdog.expired() {
            break Outcome::Timeout {
                after: timeout.unwrap_or_default(),
                dump: registers(vcpu),
            };
        }
        let failure = match Exit::of(vcpu.run()) {
            Exit::Hypercall { port, addr } => match hypercall::handle(ctx, port, u64::from(addr)) {
                Ok(Action::Continue) => continue,
                Ok(Action::Stop(outcome)) => break outcome,
                Err(msg) => format!("bad hypercall: {msg}"),
            },
            Exit::Interrupted => {
                vcpu.set_kvm_immediate_exit(0);
                continue;
            }
            Exit::InternalError => vm::internal_error(vcpu),
            Exit::Fail(reason) => reason,
        };
        break Outcome::GuestFailure {
            reason: failure,
            dump: registers(vcpu),
        };
    };
    let stopped = Instant::now();
    watchdog.disarm();
    Served {
        outcome,
        started,
        stopped,
    }
}

/// What the run left for [`finish`].
struct Ended {
    served: Served,
    user_start: Option<(Instant, abi::hypercall::UserStart)>,
    stops: Option<stop::Finished>,
    hidden_log_lines: u64,
    t0: Instant,
    dump_file: Option<(std::fs::File, PathBuf)>,
}

/// The end-of-run dump and at-exit reader while guest memory is still
/// there, then teardown and timings.
fn finish(
    cfg: &RunConfig,
    guest: Guest,
    ended: Ended,
    at_exit: Option<&mut AtExit<'_>>,
) -> Result<RunResult> {
    let Ended {
        served,
        user_start,
        stops,
        hidden_log_lines,
        t0,
        dump_file,
    } = ended;
    let outcome = served.outcome;
    if let Some(f) = at_exit {
        f(&guest.mem, &guest.kernel);
    }
    let (mut dump, check, dump_missed) = match stops {
        Some(s) => (s.dump, s.check, s.dump_missed),
        None => (None, None, None),
    };
    let at_end = match cfg.dump {
        Some(DumpWhen::Exit) => true,
        Some(DumpWhen::Error) => !matches!(outcome, Outcome::Exited { status: 0 }),
        _ => false,
    };
    let mut dump_error = None;
    if let (true, Some(r)) = (at_end, guest.roots) {
        let at = format!("the end of the run (exit status {})", outcome.exit_code());
        match crate::inspect::dump::take(
            &guest.mem,
            r,
            &at,
            &guest.kernel.symbols,
            &guest.program.symbols,
        ) {
            Ok(d) => dump = Some(d),
            Err(v) => dump_error = Some(v.to_string()),
        }
    }
    let program_name = cfg
        .program
        .file_name()
        .map_or("program".into(), |n| n.to_string_lossy().into_owned());
    let rendered = dump.map(|d| {
        if cfg.dump_json {
            serde_json::to_string_pretty(&d).unwrap_or_default()
        } else {
            crate::inspect::dump::render(&d, &program_name)
        }
    });
    let mut dump_write_error = None;
    if let (Some((mut f, path)), Some(d)) = (dump_file, &rendered) {
        use std::io::Write;
        let written = writeln!(f, "{d}").and_then(|()| f.flush());
        if let Err(e) = written {
            dump_write_error = Some(format!(
                "cannot write the dump file {}: {}",
                path.display(),
                crate::error::os_message(&e)
            ));
        }
    }
    let guest_rss_kib = memory::resident_bytes(&guest.mem) >> 10;
    let peak_rss_kib = peak_rss_kib();
    let program = guest.program.path.clone();
    drop(guest);
    let t_done = Instant::now();
    let (boot, program_time) = match user_start {
        Some((u, _)) => (u - served.started, served.stopped - u),
        None => (served.stopped - served.started, Duration::ZERO),
    };
    let timer = user_start.map(|(_, r)| (r.timer, r.apic_timer_khz));
    Ok(RunResult {
        dump: rendered,
        outcome,
        timings: Timings {
            setup: served.started - t0,
            boot,
            program: program_time,
            teardown: t_done - served.stopped,
            total: t_done - t0,
            peak_rss_kib,
            guest_rss_kib,
            check,
            timer,
        },
        program,
        hidden_log_lines,
        dump_missed,
        dump_error,
        dump_write_error,
    })
}

fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}
