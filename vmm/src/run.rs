//! One guest run from start to end: check the inputs, build the VM, run
//! vCPU 0 and serve its exits until the program ends, the guest fails or the
//! timeout expires.

use std::ffi::OsString;
use std::io::{Read, Write};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use abi::boot::{BOOT_FLAG_REPORT_SYSCALL_EXIT, BOOT_FLAG_REPORT_USER_START};
use kvm_ioctls::VcpuExit;

use crate::arch::{gdt, paging};
use crate::config::{DumpWhen, RunConfig};
use crate::console::Console;
use crate::error::{Error, Result};
use crate::hypercall::{self, Action};
use crate::outcome::Outcome;
use crate::{boot, kernel, memory, program, vm};

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
    pub check: Option<crate::inspect::incremental::CheckStats>,
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
        }
    }
}

pub struct RunResult {
    pub outcome: Outcome,
    /// `--dump` output (text or JSON), in the order taken.
    pub dumps: Vec<String>,
    pub timings: Timings,
}

/// Runs `cfg.program` in a fresh guest. Program output goes to `stdout` /
/// `stderr`, the kernel log to `stderr`; `stdin` feeds the guest's fd 0
/// (`None`: immediate end of input). `Err` means the guest never started.
pub fn run<'io>(
    cfg: &RunConfig,
    stdout: &'io mut dyn Write,
    stderr: &'io mut dyn Write,
    stdin: Option<&'io mut dyn Read>,
) -> Result<RunResult> {
    run_inspected(cfg, stdout, stderr, stdin, None)
}

/// [`run`], with `hook` called at every syscall stop (the guest stopped
/// right after a system call returned, its memory readable through the
/// [`crate::inspect::SyscallStop`]). A hook or `cfg.check` turns the stops on.
pub fn run_inspected<'io>(
    cfg: &RunConfig,
    stdout: &'io mut dyn Write,
    stderr: &'io mut dyn Write,
    stdin: Option<&'io mut dyn Read>,
    hook: Option<&'io mut hypercall::Inspector<'io>>,
) -> Result<RunResult> {
    run_hooked(cfg, stdout, stderr, stdin, hook, None)
}

/// Called once the guest has stopped for good, before its memory is
/// released: reads what the kernel left there (e.g. `vmm bench`'s clone
/// profile), given the memory and the kernel image (for its symbols).
pub type AtExit<'a> = dyn FnMut(&dyn crate::inspect::mem::PhysMem, &kernel::KernelImage) + 'a;

/// [`run_inspected`], with `at_exit` run after the guest stopped.
pub fn run_hooked<'io>(
    cfg: &RunConfig,
    stdout: &'io mut dyn Write,
    stderr: &'io mut dyn Write,
    stdin: Option<&'io mut dyn Read>,
    hook: Option<&'io mut hypercall::Inspector<'io>>,
    at_exit: Option<&mut AtExit<'_>>,
) -> Result<RunResult> {
    let t0 = Instant::now();
    let program = program::load(&cfg.program)?;
    let kernel = kernel::open(&cfg.kernel)?;
    let kvm = vm::open_kvm(&cfg.kvm_device)?;

    let mem = memory::create(cfg.memory)?;
    let mem_err = |e: vm_memory::GuestMemoryError| Error::Memory(e.to_string());
    kernel::load(&kernel, &mem, cfg.memory)?;
    gdt::write(&mem).map_err(mem_err)?;
    let cr3 = paging::write(&mem, cfg.memory).map_err(mem_err)?;
    let mut argv: Vec<OsString> = vec![cfg.program.clone().into_os_string()];
    argv.extend(cfg.args.iter().cloned());
    let dump_at = match cfg.dump {
        Some(crate::config::DumpWhen::Syscall(n)) => Some(n),
        _ => None,
    };
    let stops = cfg.check || hook.is_some() || dump_at.is_some() || cfg.strace.is_some();
    let strace = match &cfg.strace {
        Some(out) => Some(
            crate::strace::Tracer::open(out)
                .map_err(|e| Error::Config(format!("cannot write the trace: {e}")))?,
        ),
        None => None,
    };
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
    let mut info = boot::place(
        &mem,
        cfg.memory,
        kernel.phys_end,
        &program,
        &argv,
        &cfg.env,
        &cfg.cmdline,
        flags,
    )?
    .info;

    let vm_fd = vm::create_vm(&kvm)?;
    let dirty_log = cfg.check && cfg.check_mode.uses_dirty_log();
    memory::register(&vm_fd, &mem, dirty_log)?;
    if dirty_log {
        // Fail before the guest starts, not at its first syscall stop.
        vm_fd.get_dirty_log(0, cfg.memory as usize).map_err(|e| {
            Error::Kvm(format!(
                "--check-mode {} needs KVM's dirty-page log, but KVM_GET_DIRTY_LOG failed: {e}",
                cfg.check_mode.name()
            ))
        })?;
    }
    vm::create_irqchip(&vm_fd)?;
    let mut vcpu = vm::create_boot_vcpu(&kvm, &vm_fd, kernel.entry, boot::boot_info_virt(), cr3)?;
    info.tsc_khz = vm::tsc_khz(&vcpu);
    if let Some(tsc) = vm::guest_tsc(&vcpu) {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        info.realtime_ns = now.as_nanos() as u64;
        info.tsc_at_realtime = tsc;
    }
    boot::write_info(&mem, &info)?;

    let mut console = Console::new(stdout, stderr, stdin);
    let mut watchdog = crate::watchdog::Watchdog::arm(cfg.timeout);
    let t_boot = Instant::now();
    let mut ctx = hypercall::Context {
        mem: &mem,
        mem_size: cfg.memory,
        console: &mut console,
        kernel_symbols: &kernel.symbols,
        program_symbols: &program.symbols,
        user_start: None,
        stats: Vec::new(),
        roots,
        check: cfg
            .check
            .then(|| hypercall::Checking::new(cfg.check_mode, &vm_fd)),
        dump_at,
        dumps: Vec::new(),
        libc: if stops {
            crate::inspect::libc::LibcSymbols::from_elf(&program.bytes, program.load_bias())
        } else {
            None
        },
        hook,
        strace,
    };

    enum Step {
        Io(u16, [u8; 8], usize),
        Interrupted,
        InternalError,
        Fail(String),
    }
    let outcome = loop {
        if watchdog.expired() {
            break Outcome::Timeout {
                after: cfg.timeout.unwrap_or_default(),
                dump: vm::dump_vcpu(&vcpu, &kernel.symbols),
            };
        }
        let step = match vcpu.run() {
            Ok(VcpuExit::IoOut(port, data)) => {
                let mut buf = [0u8; 8];
                let n = data.len().min(8);
                buf[..n].copy_from_slice(&data[..n]);
                Step::Io(port, buf, data.len())
            }
            Ok(VcpuExit::IoIn(port, data)) => Step::Fail(format!(
                "{}-byte read from I/O port {port:#x}; the guest has no devices",
                data.len()
            )),
            Ok(VcpuExit::Hlt) => Step::Fail("the guest halted with nothing to wake it".into()),
            Ok(VcpuExit::Shutdown) => Step::Fail("triple fault: the vCPU shut down".into()),
            Ok(VcpuExit::FailEntry(reason, cpu)) => Step::Fail(format!(
                "VM entry failed on vCPU {cpu} (hardware reason {reason:#x})"
            )),
            Ok(VcpuExit::InternalError) => Step::InternalError,
            Ok(VcpuExit::MmioRead(addr, _)) | Ok(VcpuExit::MmioWrite(addr, _)) => Step::Fail(
                format!("access to guest-physical {addr:#x}, which is not RAM"),
            ),
            Ok(VcpuExit::SystemEvent(kind, _)) => {
                Step::Fail(format!("system event {kind} (reset or power-off request)"))
            }
            Ok(other) => Step::Fail(format!("unexpected VM exit {other:?}")),
            Err(e) if e.errno() == libc::EINTR || e.errno() == libc::EAGAIN => Step::Interrupted,
            Err(e) => Step::Fail(format!("KVM_RUN failed: {e}")),
        };
        match step {
            Step::Io(port, buf, len) => match hypercall::handle(&mut ctx, port, &buf[..len.min(8)])
            {
                Ok(Action::Continue) => {}
                Ok(Action::Stop(outcome)) => break outcome,
                Err(msg) => {
                    break Outcome::GuestFailure {
                        reason: format!("bad hypercall: {msg}"),
                        dump: vm::dump_vcpu(&vcpu, &kernel.symbols),
                    }
                }
            },
            Step::Interrupted => vcpu.set_kvm_immediate_exit(0),
            Step::InternalError => {
                break Outcome::GuestFailure {
                    reason: vm::internal_error(&mut vcpu),
                    dump: vm::dump_vcpu(&vcpu, &kernel.symbols),
                }
            }
            Step::Fail(reason) => {
                break Outcome::GuestFailure {
                    reason,
                    dump: vm::dump_vcpu(&vcpu, &kernel.symbols),
                }
            }
        }
    };
    let t_end = Instant::now();
    let user_start = ctx.user_start;
    let check_stats = ctx
        .check
        .as_ref()
        .filter(|c| c.mode != crate::config::CheckMode::Full)
        .map(|c| c.checker.stats);
    if let Some(t) = ctx.strace.as_mut() {
        t.finish();
    }
    let mut dumps = std::mem::take(&mut ctx.dumps);
    watchdog.disarm();
    console.finish();

    if let Some(f) = at_exit {
        f(&mem, &kernel);
    }
    let at_end = match cfg.dump {
        Some(DumpWhen::Exit) => true,
        Some(DumpWhen::Error) => !matches!(outcome, Outcome::Exited { status: 0 }),
        _ => false,
    };
    let mut dump_error = None;
    if let (true, Some(r)) = (at_end, roots) {
        let at = format!("the end of the run (exit status {})", outcome.exit_code());
        match crate::inspect::dump::take(&mem, r, &at, &kernel.symbols, &program.symbols) {
            Ok(d) => dumps.push(d),
            Err(v) => dump_error = Some(v.to_string()),
        }
    }
    let program_name = cfg
        .program
        .file_name()
        .map_or("program".into(), |n| n.to_string_lossy().into_owned());
    let mut rendered: Vec<String> = dumps
        .iter()
        .map(|d| {
            if cfg.dump_json {
                serde_json::to_string_pretty(d).unwrap_or_default()
            } else {
                crate::inspect::dump::render(d, &program_name)
            }
        })
        .collect();
    if let Some(why) = dump_error {
        rendered.push(format!(
            "vmm: no dump: the kernel's state could not be read ({why})"
        ));
    }
    let guest_rss_kib = memory::resident_bytes(&mem) >> 10;
    let peak_rss_kib = peak_rss_kib();
    drop(vcpu);
    drop(vm_fd);
    drop(mem);
    drop(kvm);
    let t_done = Instant::now();
    let (boot, program_time) = match user_start {
        Some(u) => (u - t_boot, t_end - u),
        None => (t_end - t_boot, Duration::ZERO),
    };
    Ok(RunResult {
        dumps: rendered,
        outcome,
        timings: Timings {
            setup: t_boot - t0,
            boot,
            program: program_time,
            teardown: t_done - t_end,
            total: t_done - t0,
            peak_rss_kib,
            guest_rss_kib,
            check: check_stats,
        },
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
