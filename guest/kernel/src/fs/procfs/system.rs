//! The system-wide files: meminfo, cpuinfo, stat, uptime, loadavg,
//! version, filesystems, mounts and mountinfo, /proc/sys/kernel and
//! /sys/devices/system/cpu.
//!
//! Real numbers where the kernel has them: memory from the frame
//! allocator and the heap, processes from the task table, times from the
//! clock, the CPU from CPUID. CPU time, idle time, interrupt and context
//! switch counts and load averages are not kept: they read 0, as on a
//! system that has not run yet. cpuinfo's flags are the CPUID feature
//! bits Linux names (not the flags Linux synthesizes, such as
//! constant_tsc); there is no microcode revision (an MSR).

use core::arch::x86_64::{__cpuid, __cpuid_count, CpuidResult};

use super::{nr_cpus, GlobalFile, Text};
use crate::errno::*;
use crate::fs::inode::Sb;
use crate::syscalls::info;
use crate::task::State;

pub fn content(f: GlobalFile, out: &mut Text) -> KResult<()> {
    match f {
        GlobalFile::Meminfo => meminfo(out),
        GlobalFile::Cpuinfo => cpuinfo(out),
        GlobalFile::Stat => stat(out),
        GlobalFile::Uptime => {
            let ns = crate::time::monotonic_ns();
            let cs = ns / 10_000_000;
            out.put(format_args!("{}.{:02} 0.00\n", cs / 100, cs % 100))
        }
        GlobalFile::Loadavg => {
            let (running, threads, last) = task_counts();
            out.put(format_args!("0.00 0.00 0.00 {running}/{threads} {last}\n"))
        }
        GlobalFile::Version => out.put(format_args!(
            "{} version {} (threadlab@threadlab) (rustc) {}\n",
            info::SYSNAME,
            info::RELEASE,
            info::VERSION
        )),
        GlobalFile::Filesystems => {
            out.bytes(b"nodev\tsysfs\nnodev\ttmpfs\nnodev\tproc\nnodev\tdevtmpfs\n")
        }
        GlobalFile::PidMax => out.put(format_args!("{}\n", crate::task::PID_MAX)),
        GlobalFile::Ostype => out.put(format_args!("{}\n", info::SYSNAME)),
        GlobalFile::Osrelease => out.put(format_args!("{}\n", info::RELEASE)),
        GlobalFile::Hostname => out.put(format_args!("{}\n", info::NODENAME)),
        GlobalFile::KernelVersion => out.put(format_args!("{}\n", info::VERSION)),
        GlobalFile::CpuOnline | GlobalFile::CpuPossible | GlobalFile::CpuPresent => {
            match nr_cpus() {
                1 => out.bytes(b"0\n"),
                n => out.put(format_args!("0-{}\n", n - 1)),
            }
        }
    }
}

/// (runnable tasks, all tasks, the last pid handed out).
fn task_counts() -> (usize, usize, i32) {
    let k = crate::task::kernel();
    let running = k
        .tasks
        .values()
        .filter(|t| matches!(t.state, State::Running | State::Runnable))
        .count();
    (running, k.tasks.len(), k.next_pid - 1)
}

/// /proc/meminfo, in Linux's order, each line `name:` padded to 16 columns
/// and kB right-aligned in 8. MemAvailable is MemFree (file pages live in
/// memory and are never dropped); Slab is the kernel heap in use,
/// KernelStack the tasks' kernel stacks; what has no counterpart is 0.
fn meminfo(out: &mut Text) -> KResult<()> {
    let (free, total) = crate::mm::frame::stats();
    let kb = |pages: u64| pages * (abi::layout::PAGE_SIZE / 1024);
    let heap = crate::mm::heap::used() / 1024;
    let stacks = crate::task::roots().nr_tasks * abi::task::KERNEL_STACK_SIZE / 1024;
    let lines: [(&str, u64); 40] = [
        ("MemTotal:", kb(total)),
        ("MemFree:", kb(free)),
        ("MemAvailable:", kb(free)),
        ("Buffers:", 0),
        ("Cached:", 0),
        ("SwapCached:", 0),
        ("Active:", 0),
        ("Inactive:", 0),
        ("Active(anon):", 0),
        ("Inactive(anon):", 0),
        ("Active(file):", 0),
        ("Inactive(file):", 0),
        ("Unevictable:", 0),
        ("Mlocked:", 0),
        ("SwapTotal:", 0),
        ("SwapFree:", 0),
        ("Dirty:", 0),
        ("Writeback:", 0),
        ("AnonPages:", 0),
        ("Mapped:", 0),
        ("Shmem:", 0),
        ("KReclaimable:", 0),
        ("Slab:", heap),
        ("SReclaimable:", 0),
        ("SUnreclaim:", heap),
        ("KernelStack:", stacks),
        ("PageTables:", 0),
        ("NFS_Unstable:", 0),
        ("Bounce:", 0),
        ("WritebackTmp:", 0),
        // No swap and overcommit_ratio 50: half of RAM.
        ("CommitLimit:", kb(total) / 2),
        ("Committed_AS:", 0),
        // x86_64's vmalloc space with 4-level paging.
        ("VmallocTotal:", 34359738367),
        ("VmallocUsed:", 0),
        ("VmallocChunk:", 0),
        ("Percpu:", 0),
        ("AnonHugePages:", 0),
        ("ShmemHugePages:", 0),
        ("ShmemPmdMapped:", 0),
        ("FileHugePages:", 0),
    ];
    for (name, v) in lines {
        out.put(format_args!("{name:<16}{v:>8} kB\n"))?;
    }
    out.put(format_args!(
        "FilePmdMapped:  {:>8} kB\nHugePages_Total:   {:>5}\nHugePages_Free:    {:>5}\n\
         HugePages_Rsvd:    {:>5}\nHugePages_Surp:    {:>5}\nHugepagesize:   {:>8} kB\n\
         Hugetlb:        {:>8} kB\n",
        0, 0, 0, 0, 0, 2048, 0
    ))
}

/// /proc/stat. btime is the realtime second the clock started.
fn stat(out: &mut Text) -> KResult<()> {
    const ZEROS: &str = " 0 0 0 0 0 0 0 0 0 0";
    out.put(format_args!("cpu {ZEROS}\n"))?;
    for cpu in 0..nr_cpus() {
        out.put(format_args!("cpu{cpu}{ZEROS}\n"))?;
    }
    let btime = (crate::time::realtime_ns() - crate::time::monotonic_ns()) / 1_000_000_000;
    let (running, _, last) = task_counts();
    // Every task ever created took the next pid (alloc_pid), pid 1 first.
    out.put(format_args!(
        "intr 0\nctxt 0\nbtime {btime}\nprocesses {last}\nprocs_running {running}\n\
         procs_blocked 0\nsoftirq 0{ZEROS}\n"
    ))
}

/// The kernel's file systems: (source, mount point, type, st_dev's
/// superblock).
const MOUNTS: [(&str, &str, &str, Sb); 5] = [
    ("tmpfs", "/", "tmpfs", Sb::Root),
    ("devtmpfs", "/dev", "devtmpfs", Sb::Dev),
    ("tmpfs", "/dev/shm", "tmpfs", Sb::Shm),
    ("proc", "/proc", "proc", Sb::Proc),
    ("sysfs", "/sys", "sysfs", Sb::Sys),
];

/// /proc/PID/mounts (every process sees the one tree).
pub fn mounts(out: &mut Text) -> KResult<()> {
    for (src, at, fstype, _) in MOUNTS {
        out.put(format_args!("{src} {at} {fstype} rw,relatime 0 0\n"))?;
    }
    Ok(())
}

/// /proc/PID/mountinfo: mount ids from 1 in mount order, / the parent of
/// the others but /dev/shm, whose parent is /dev.
pub fn mountinfo(out: &mut Text) -> KResult<()> {
    for (i, (src, at, fstype, sb)) in MOUNTS.iter().enumerate() {
        let id = i + 1;
        let parent = match i {
            0 => 0,
            2 => 2,
            _ => 1,
        };
        let dev = sb.dev();
        out.put(format_args!(
            "{id} {parent} {}:{} / {at} rw,relatime - {fstype} {src} rw\n",
            dev >> 8,
            dev & 0xff
        ))?;
    }
    Ok(())
}

/// A leaf the CPU does not have.
const NONE: CpuidResult = CpuidResult {
    eax: 0,
    ebx: 0,
    ecx: 0,
    edx: 0,
};

fn cpuid(leaf: u32) -> CpuidResult {
    __cpuid(leaf)
}

/// The CPUID feature bits cpuinfo names, by register, in Linux's order of
/// its capability words.
const FLAGS_1_EDX: &[(u8, &str)] = &[
    (0, "fpu"),
    (1, "vme"),
    (2, "de"),
    (3, "pse"),
    (4, "tsc"),
    (5, "msr"),
    (6, "pae"),
    (7, "mce"),
    (8, "cx8"),
    (9, "apic"),
    (11, "sep"),
    (12, "mtrr"),
    (13, "pge"),
    (14, "mca"),
    (15, "cmov"),
    (16, "pat"),
    (17, "pse36"),
    (18, "pn"),
    (19, "clflush"),
    (21, "dts"),
    (22, "acpi"),
    (23, "mmx"),
    (24, "fxsr"),
    (25, "sse"),
    (26, "sse2"),
    (27, "ss"),
    (28, "ht"),
    (29, "tm"),
    (30, "ia64"),
    (31, "pbe"),
];
const FLAGS_EXT1_EDX: &[(u8, &str)] = &[
    (11, "syscall"),
    (19, "mp"),
    (20, "nx"),
    (22, "mmxext"),
    (25, "fxsr_opt"),
    (26, "pdpe1gb"),
    (27, "rdtscp"),
    (29, "lm"),
    (30, "3dnowext"),
    (31, "3dnow"),
];
const FLAGS_1_ECX: &[(u8, &str)] = &[
    (0, "pni"),
    (1, "pclmulqdq"),
    (2, "dtes64"),
    (3, "monitor"),
    (4, "ds_cpl"),
    (5, "vmx"),
    (6, "smx"),
    (7, "est"),
    (8, "tm2"),
    (9, "ssse3"),
    (10, "cid"),
    (11, "sdbg"),
    (12, "fma"),
    (13, "cx16"),
    (14, "xtpr"),
    (15, "pdcm"),
    (17, "pcid"),
    (18, "dca"),
    (19, "sse4_1"),
    (20, "sse4_2"),
    (21, "x2apic"),
    (22, "movbe"),
    (23, "popcnt"),
    (24, "tsc_deadline_timer"),
    (25, "aes"),
    (26, "xsave"),
    (28, "avx"),
    (29, "f16c"),
    (30, "rdrand"),
    (31, "hypervisor"),
];
const FLAGS_EXT1_ECX: &[(u8, &str)] = &[
    (0, "lahf_lm"),
    (1, "cmp_legacy"),
    (2, "svm"),
    (3, "extapic"),
    (4, "cr8_legacy"),
    (5, "abm"),
    (6, "sse4a"),
    (7, "misalignsse"),
    (8, "3dnowprefetch"),
    (9, "osvw"),
    (10, "ibs"),
    (11, "xop"),
    (12, "skinit"),
    (13, "wdt"),
    (15, "lwp"),
    (16, "fma4"),
    (17, "tce"),
    (19, "nodeid_msr"),
    (21, "tbm"),
    (22, "topoext"),
    (23, "perfctr_core"),
    (24, "perfctr_nb"),
    (26, "bpext"),
    (27, "ptsc"),
    (28, "perfctr_llc"),
    (29, "mwaitx"),
];
const FLAGS_7_EBX: &[(u8, &str)] = &[
    (0, "fsgsbase"),
    (1, "tsc_adjust"),
    (2, "sgx"),
    (3, "bmi1"),
    (4, "hle"),
    (5, "avx2"),
    (7, "smep"),
    (8, "bmi2"),
    (9, "erms"),
    (10, "invpcid"),
    (11, "rtm"),
    (12, "cqm"),
    (14, "mpx"),
    (15, "rdt_a"),
    (16, "avx512f"),
    (17, "avx512dq"),
    (18, "rdseed"),
    (19, "adx"),
    (20, "smap"),
    (21, "avx512ifma"),
    (23, "clflushopt"),
    (24, "clwb"),
    (25, "intel_pt"),
    (26, "avx512pf"),
    (27, "avx512er"),
    (28, "avx512cd"),
    (29, "sha_ni"),
    (30, "avx512bw"),
    (31, "avx512vl"),
];
const FLAGS_D1_EAX: &[(u8, &str)] = &[
    (0, "xsaveopt"),
    (1, "xsavec"),
    (2, "xgetbv1"),
    (3, "xsaves"),
];
const FLAGS_EXT8_EBX: &[(u8, &str)] = &[
    (0, "clzero"),
    (1, "irperf"),
    (2, "xsaveerptr"),
    (4, "rdpru"),
    (9, "wbnoinvd"),
];
const FLAGS_7_ECX: &[(u8, &str)] = &[
    (1, "avx512vbmi"),
    (2, "umip"),
    (3, "pku"),
    (4, "ospke"),
    (5, "waitpkg"),
    (6, "avx512_vbmi2"),
    (8, "gfni"),
    (9, "vaes"),
    (10, "vpclmulqdq"),
    (11, "avx512_vnni"),
    (12, "avx512_bitalg"),
    (13, "tme"),
    (14, "avx512_vpopcntdq"),
    (16, "la57"),
    (22, "rdpid"),
    (24, "bus_lock_detect"),
    (25, "cldemote"),
    (27, "movdiri"),
    (28, "movdir64b"),
    (29, "enqcmd"),
    (30, "sgx_lc"),
];
const FLAGS_7_EDX: &[(u8, &str)] = &[
    (4, "fsrm"),
    (8, "avx512_vp2intersect"),
    (10, "md_clear"),
    (14, "serialize"),
    (16, "tsxldtrk"),
    (18, "pconfig"),
    (19, "arch_lbr"),
    (22, "amx_bf16"),
    (23, "avx512_fp16"),
    (24, "amx_tile"),
    (25, "amx_int8"),
    (28, "flush_l1d"),
    (29, "arch_capabilities"),
];

/// The CPU as CPUID describes it, once for every block.
struct Cpu {
    vendor: [u8; 12],
    family: u32,
    model: u32,
    stepping: u32,
    name: [u8; 48],
    level: u32,
    clflush: u32,
    cache_kb: u32,
    phys_bits: u32,
    virt_bits: u32,
    /// The feature registers in the order of FLAG_TABLES.
    regs: [u32; 9],
}

fn probe() -> Cpu {
    let l0 = cpuid(0);
    let mut vendor = [0u8; 12];
    vendor[..4].copy_from_slice(&l0.ebx.to_le_bytes());
    vendor[4..8].copy_from_slice(&l0.edx.to_le_bytes());
    vendor[8..].copy_from_slice(&l0.ecx.to_le_bytes());
    let level = l0.eax;
    let l1 = cpuid(1);
    let base_family = (l1.eax >> 8) & 0xf;
    let family = if base_family == 0xf {
        base_family + ((l1.eax >> 20) & 0xff)
    } else {
        base_family
    };
    let mut model = (l1.eax >> 4) & 0xf;
    if family >= 6 {
        model += ((l1.eax >> 16) & 0xf) << 4;
    }
    let ext_max = cpuid(0x8000_0000).eax;
    let ext = |leaf: u32| if ext_max >= leaf { cpuid(leaf) } else { NONE };
    let mut name = [0u8; 48];
    if ext_max >= 0x8000_0004 {
        for (i, leaf) in (0x8000_0002..=0x8000_0004).enumerate() {
            let r = cpuid(leaf);
            for (j, w) in [r.eax, r.ebx, r.ecx, r.edx].iter().enumerate() {
                let at = i * 16 + j * 4;
                name[at..at + 4].copy_from_slice(&w.to_le_bytes());
            }
        }
    }
    let (l7, ld1) = (
        if level >= 7 {
            __cpuid_count(7, 0)
        } else {
            NONE
        },
        if level >= 0xd {
            __cpuid_count(0xd, 1)
        } else {
            NONE
        },
    );
    let e1 = ext(0x8000_0001);
    let e8 = ext(0x8000_0008);
    let cache_kb = if &vendor == b"AuthenticAMD" || &vendor == b"HygonGenuine" {
        ext(0x8000_0006).ecx >> 16
    } else if level >= 4 {
        intel_cache_kb()
    } else {
        0
    };
    Cpu {
        vendor,
        family,
        model,
        stepping: l1.eax & 0xf,
        name,
        level,
        clflush: ((l1.ebx >> 8) & 0xff) * 8,
        cache_kb,
        phys_bits: if e8.eax != 0 { e8.eax & 0xff } else { 36 },
        virt_bits: if e8.eax != 0 {
            (e8.eax >> 8) & 0xff
        } else {
            48
        },
        regs: [
            l1.edx, e1.edx, l1.ecx, e1.ecx, l7.ebx, ld1.eax, e8.ebx, l7.ecx, l7.edx,
        ],
    }
}

const FLAG_TABLES: [&[(u8, &str)]; 9] = [
    FLAGS_1_EDX,
    FLAGS_EXT1_EDX,
    FLAGS_1_ECX,
    FLAGS_EXT1_ECX,
    FLAGS_7_EBX,
    FLAGS_D1_EAX,
    FLAGS_EXT8_EBX,
    FLAGS_7_ECX,
    FLAGS_7_EDX,
];

/// The largest cache of CPUID leaf 4 (Linux reports the last level).
fn intel_cache_kb() -> u32 {
    let mut best = 0u64;
    for sub in 0..16 {
        let r = __cpuid_count(4, sub);
        if r.eax & 0x1f == 0 {
            break;
        }
        let ways = u64::from((r.ebx >> 22) + 1);
        let parts = u64::from(((r.ebx >> 12) & 0x3ff) + 1);
        let line = u64::from((r.ebx & 0xfff) + 1);
        let sets = u64::from(r.ecx) + 1;
        best = best.max(ways * parts * line * sets / 1024);
    }
    best as u32
}

/// /proc/cpuinfo: a block per vCPU, as Linux's x86 show_cpuinfo.
fn cpuinfo(out: &mut Text) -> KResult<()> {
    let c = probe();
    let name_len = c.name.iter().position(|&b| b == 0).unwrap_or(c.name.len());
    let name = c.name[..name_len].trim_ascii();
    let khz = crate::time::tsc_khz();
    let n = nr_cpus();
    for cpu in 0..n {
        out.put(format_args!("processor\t: {cpu}\nvendor_id\t: "))?;
        out.bytes(&c.vendor)?;
        out.put(format_args!(
            "\ncpu family\t: {}\nmodel\t\t: {}\nmodel name\t: ",
            c.family, c.model
        ))?;
        out.bytes(if name.is_empty() { b"unknown" } else { name })?;
        out.put(format_args!(
            "\nstepping\t: {}\ncpu MHz\t\t: {}.{:03}\n",
            c.stepping,
            khz / 1000,
            khz % 1000
        ))?;
        if c.cache_kb > 0 {
            out.put(format_args!("cache size\t: {} KB\n", c.cache_kb))?;
        }
        out.put(format_args!(
            "physical id\t: 0\nsiblings\t: {n}\ncore id\t\t: {cpu}\ncpu cores\t: {n}\n\
             apicid\t\t: {cpu}\ninitial apicid\t: {cpu}\nfpu\t\t: yes\nfpu_exception\t: yes\n\
             cpuid level\t: {}\nwp\t\t: yes\nflags\t\t:",
            c.level
        ))?;
        for (reg, table) in c.regs.iter().zip(FLAG_TABLES) {
            for (bit, flag) in table {
                if reg & (1 << bit) != 0 {
                    out.put(format_args!(" {flag}"))?;
                }
            }
        }
        let bogo = khz * 2 / 10;
        out.put(format_args!(
            "\nbugs\t\t:\nbogomips\t: {}.{:02}\nclflush size\t: {}\ncache_alignment\t: {}\n\
             address sizes\t: {} bits physical, {} bits virtual\npower management:\n\n",
            bogo / 100,
            bogo % 100,
            c.clflush,
            c.clflush,
            c.phys_bits,
            c.virt_bits
        ))?;
    }
    Ok(())
}
