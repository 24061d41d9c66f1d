//! /proc and /sys: generated files. A `ProcNode` names one of them; its
//! inode is made afresh at each lookup (with an inode number derived from
//! the node, so st_ino is stable), its directory listing and symlink
//! target are computed when asked, and a file's text is generated at the
//! first read of an open file and read from that snapshot until a seek
//! moves the position (Linux's seq_file; see `Open`).
//!
//! The texts follow Linux 6.1's formats (the release uname reports):
//! `task` has the per-task files (status, stat, statm, comm, limits,
//! mounts), `mem` those that read an address space (maps, cmdline,
//! environ, the memory counters), `system` the system-wide ones (meminfo,
//! cpuinfo, stat, uptime, loadavg, version, filesystems, /proc/sys/kernel,
//! /sys/devices/system/cpu).
//!
//! A task that is gone makes its files ESRCH to read (an open file too:
//! the text is made at the first read), names in its directory and in
//! task/ ESRCH to look up (Linux's permission check on the directory) and
//! the listings ENOENT, as on Linux. An exited thread-group leader (a
//! zombie, even with live threads) has no address space, files, fs or
//! executable here, as Linux's exited task has none: its maps, cmdline
//! and environ are empty, its status has no Vm lines.
//!
//! Every text is built in fallible allocations of at most `text::MAX_TEXT`
//! bytes: ENOMEM past either.

mod mem;
mod system;
mod task;
mod text;

use alloc::vec::Vec;

use abi::linux::fs::{DT_DIR, DT_LNK, DT_REG, S_IFDIR, S_IFLNK, S_IFREG};

use super::dir::Listed;
use super::inode::{Inode, Kind, Sb, Time};
use crate::errno::*;
use crate::krc::KRc;
use crate::task::{Pid, State, Task};
use text::Text;

/// Files of a process directory, and of a thread's.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum PidFile {
    Comm,
    Status,
    Stat,
    Statm,
    Cmdline,
    Environ,
    Maps,
    Limits,
    Mounts,
    Mountinfo,
}

/// What a process or thread directory holds.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum PidEntry {
    /// The directory itself.
    Dir,
    Exe,
    Cwd,
    Root,
    FdDir,
    Fd(u32),
    /// task/ (only in a process directory).
    TaskDir,
    File(PidFile),
}

/// Whose directory a per-task node is in: /proc/PID (`tid` 0, the process
/// view) or /proc/PID/task/TID (a thread's view). PID may name any thread
/// (Linux looks up /proc/TID too, without listing it).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Owner {
    pub pid: Pid,
    pub tid: Pid,
}

impl Owner {
    /// The task the files describe.
    fn task(&self) -> Pid {
        if self.tid != 0 {
            self.tid
        } else {
            self.pid
        }
    }

    fn process(pid: Pid) -> Owner {
        Owner { pid, tid: 0 }
    }
}

/// The fixed directories below /proc, and /sys down to the cpu files.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum FixedDir {
    ProcSys,
    ProcSysKernel,
    Sys,
    SysDevices,
    SysSystem,
    SysCpu,
}

/// The system-wide files.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum GlobalFile {
    Meminfo,
    Cpuinfo,
    Stat,
    Uptime,
    Loadavg,
    Version,
    Filesystems,
    PidMax,
    Ostype,
    Osrelease,
    Hostname,
    KernelVersion,
    CpuOnline,
    CpuPossible,
    CpuPresent,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ProcNode {
    /// /proc.
    Root,
    /// /proc/self: a link to the caller's process directory.
    SelfLink,
    /// /proc/thread-self: a link to the caller's thread directory.
    ThreadSelfLink,
    /// /proc/mounts: a link to self/mounts.
    MountsLink,
    /// Something in /proc/PID or /proc/PID/task/TID.
    Task(Owner, PidEntry),
    Dir(FixedDir),
    File(GlobalFile),
}

type Entry = (&'static [u8], ProcNode);

const fn e(name: &'static [u8], node: ProcNode) -> Entry {
    (name, node)
}

/// /proc's own names (the process directories follow them).
const ROOT_ENTRIES: &[Entry] = &[
    e(b"cpuinfo", ProcNode::File(GlobalFile::Cpuinfo)),
    e(b"filesystems", ProcNode::File(GlobalFile::Filesystems)),
    e(b"loadavg", ProcNode::File(GlobalFile::Loadavg)),
    e(b"meminfo", ProcNode::File(GlobalFile::Meminfo)),
    e(b"mounts", ProcNode::MountsLink),
    e(b"self", ProcNode::SelfLink),
    e(b"stat", ProcNode::File(GlobalFile::Stat)),
    e(b"sys", ProcNode::Dir(FixedDir::ProcSys)),
    e(b"thread-self", ProcNode::ThreadSelfLink),
    e(b"uptime", ProcNode::File(GlobalFile::Uptime)),
    e(b"version", ProcNode::File(GlobalFile::Version)),
];

/// A process directory's names; a thread's has all but task/.
const PID_ENTRIES: &[(&[u8], PidEntry)] = &[
    (b"cmdline", PidEntry::File(PidFile::Cmdline)),
    (b"comm", PidEntry::File(PidFile::Comm)),
    (b"cwd", PidEntry::Cwd),
    (b"environ", PidEntry::File(PidFile::Environ)),
    (b"exe", PidEntry::Exe),
    (b"fd", PidEntry::FdDir),
    (b"limits", PidEntry::File(PidFile::Limits)),
    (b"maps", PidEntry::File(PidFile::Maps)),
    (b"mountinfo", PidEntry::File(PidFile::Mountinfo)),
    (b"mounts", PidEntry::File(PidFile::Mounts)),
    (b"root", PidEntry::Root),
    (b"stat", PidEntry::File(PidFile::Stat)),
    (b"statm", PidEntry::File(PidFile::Statm)),
    (b"status", PidEntry::File(PidFile::Status)),
    (b"task", PidEntry::TaskDir),
];

const PROC_SYS: &[Entry] = &[e(b"kernel", ProcNode::Dir(FixedDir::ProcSysKernel))];
const PROC_SYS_KERNEL: &[Entry] = &[
    e(b"hostname", ProcNode::File(GlobalFile::Hostname)),
    e(b"osrelease", ProcNode::File(GlobalFile::Osrelease)),
    e(b"ostype", ProcNode::File(GlobalFile::Ostype)),
    e(b"pid_max", ProcNode::File(GlobalFile::PidMax)),
    e(b"version", ProcNode::File(GlobalFile::KernelVersion)),
];
const SYS: &[Entry] = &[e(b"devices", ProcNode::Dir(FixedDir::SysDevices))];
const SYS_DEVICES: &[Entry] = &[e(b"system", ProcNode::Dir(FixedDir::SysSystem))];
const SYS_SYSTEM: &[Entry] = &[e(b"cpu", ProcNode::Dir(FixedDir::SysCpu))];
const SYS_CPU: &[Entry] = &[
    e(b"online", ProcNode::File(GlobalFile::CpuOnline)),
    e(b"possible", ProcNode::File(GlobalFile::CpuPossible)),
    e(b"present", ProcNode::File(GlobalFile::CpuPresent)),
];

impl FixedDir {
    fn entries(self) -> &'static [Entry] {
        match self {
            FixedDir::ProcSys => PROC_SYS,
            FixedDir::ProcSysKernel => PROC_SYS_KERNEL,
            FixedDir::Sys => SYS,
            FixedDir::SysDevices => SYS_DEVICES,
            FixedDir::SysSystem => SYS_SYSTEM,
            FixedDir::SysCpu => SYS_CPU,
        }
    }

    /// Its name in its parent.
    fn name(self) -> &'static [u8] {
        match self {
            FixedDir::ProcSys => b"sys",
            FixedDir::ProcSysKernel => b"kernel",
            FixedDir::Sys => b"sys",
            FixedDir::SysDevices => b"devices",
            FixedDir::SysSystem => b"system",
            FixedDir::SysCpu => b"cpu",
        }
    }

    /// `None` for /sys, whose parent is the root of the file tree.
    fn parent(self) -> Option<ProcNode> {
        Some(match self {
            FixedDir::ProcSys => ProcNode::Root,
            FixedDir::ProcSysKernel => ProcNode::Dir(FixedDir::ProcSys),
            FixedDir::Sys => return None,
            FixedDir::SysDevices => ProcNode::Dir(FixedDir::Sys),
            FixedDir::SysSystem => ProcNode::Dir(FixedDir::SysDevices),
            FixedDir::SysCpu => ProcNode::Dir(FixedDir::SysSystem),
        })
    }
}

impl GlobalFile {
    fn dir(self) -> ProcNode {
        use GlobalFile as G;
        match self {
            G::PidMax | G::Ostype | G::Osrelease | G::Hostname | G::KernelVersion => {
                ProcNode::Dir(FixedDir::ProcSysKernel)
            }
            G::CpuOnline | G::CpuPossible | G::CpuPresent => ProcNode::Dir(FixedDir::SysCpu),
            _ => ProcNode::Root,
        }
    }
}

impl PidEntry {
    /// Inode-number slot within its task's range.
    fn slot(self) -> u64 {
        match self {
            PidEntry::Dir => 1,
            PidEntry::Exe => 2,
            PidEntry::Cwd => 3,
            PidEntry::FdDir => 4,
            PidEntry::Root => 5,
            PidEntry::TaskDir => 6,
            PidEntry::File(f) => 16 + f as u64,
            PidEntry::Fd(n) => 1024 + u64::from(n),
        }
    }
}

impl ProcNode {
    pub fn type_bits(&self) -> u32 {
        match self {
            ProcNode::Root
            | ProcNode::Dir(_)
            | ProcNode::Task(_, PidEntry::Dir | PidEntry::FdDir | PidEntry::TaskDir) => S_IFDIR,
            ProcNode::SelfLink
            | ProcNode::ThreadSelfLink
            | ProcNode::MountsLink
            | ProcNode::Task(_, PidEntry::Exe | PidEntry::Cwd | PidEntry::Root | PidEntry::Fd(_)) => {
                S_IFLNK
            }
            ProcNode::Task(_, PidEntry::File(_)) | ProcNode::File(_) => S_IFREG,
        }
    }

    fn sb(&self) -> Sb {
        match self {
            ProcNode::Dir(FixedDir::Sys | FixedDir::SysDevices)
            | ProcNode::Dir(FixedDir::SysSystem | FixedDir::SysCpu)
            | ProcNode::File(GlobalFile::CpuOnline)
            | ProcNode::File(GlobalFile::CpuPossible | GlobalFile::CpuPresent) => Sb::Sys,
            _ => Sb::Proc,
        }
    }

    /// A stable inode number per node: the task's pid (0 for the others)
    /// above a slot, with a thread's view apart from its process's.
    fn ino(&self) -> u64 {
        const BASE: u64 = 1 << 40;
        const THREAD_VIEW: u64 = 1 << 15;
        let (pid, k) = match *self {
            ProcNode::Root => (0, 1),
            ProcNode::SelfLink => (0, 2),
            ProcNode::ThreadSelfLink => (0, 3),
            ProcNode::MountsLink => (0, 4),
            ProcNode::Dir(d) => (0, 16 + d as u64),
            ProcNode::File(f) => (0, 64 + f as u64),
            ProcNode::Task(o, entry) => {
                let view = if o.tid != 0 { THREAD_VIEW } else { 0 };
                (o.task(), entry.slot() | view)
            }
        };
        BASE + ((pid as u64) << 16) + k
    }

    /// Linux's modes for what is read-only there too; environ and fd/ are
    /// the owner's only.
    fn perm(&self) -> u32 {
        match self {
            ProcNode::Task(_, PidEntry::File(PidFile::Environ)) => 0o400,
            ProcNode::Task(_, PidEntry::FdDir) => 0o500,
            _ => match self.type_bits() {
                S_IFDIR => 0o555,
                S_IFLNK => 0o777,
                _ => 0o444,
            },
        }
    }

    pub fn inode(self) -> KResult<KRc<Inode>> {
        let now = Time::now();
        KRc::try_new(Inode {
            ino: self.ino(),
            sb: self.sb(),
            mode: self.type_bits() | self.perm(),
            nlink: if self.type_bits() == S_IFDIR { 2 } else { 1 },
            atime: now,
            mtime: now,
            ctime: now,
            readonly: true,
            kind: Kind::Proc(self),
        })
    }

    /// A directory's own name (getcwd inside /proc and /sys).
    pub fn name(&self) -> KResult<Vec<u8>> {
        let mut t = Text::new();
        match *self {
            ProcNode::Root => t.bytes(b"proc")?,
            ProcNode::Dir(d) => t.bytes(d.name())?,
            ProcNode::Task(o, PidEntry::Dir) => t.put(format_args!("{}", o.task()))?,
            ProcNode::Task(_, PidEntry::FdDir) => t.bytes(b"fd")?,
            ProcNode::Task(_, PidEntry::TaskDir) => t.bytes(b"task")?,
            _ => return Err(ENOTDIR),
        }
        Ok(t.0)
    }

    /// The directory `..` names; `None` for the roots of /proc and /sys,
    /// whose parent is the root of the file tree.
    pub fn parent(&self) -> Option<KRc<Inode>> {
        let p = match *self {
            ProcNode::Root => return None,
            ProcNode::Dir(d) => d.parent()?,
            ProcNode::File(f) => f.dir(),
            ProcNode::SelfLink | ProcNode::ThreadSelfLink | ProcNode::MountsLink => ProcNode::Root,
            ProcNode::Task(o, PidEntry::Dir) if o.tid == 0 => ProcNode::Root,
            ProcNode::Task(o, PidEntry::Dir) => {
                ProcNode::Task(Owner::process(o.pid), PidEntry::TaskDir)
            }
            ProcNode::Task(o, PidEntry::Fd(_)) => ProcNode::Task(o, PidEntry::FdDir),
            ProcNode::Task(o, _) => ProcNode::Task(o, PidEntry::Dir),
        };
        p.inode().ok()
    }

    pub fn lookup(&self, name: &[u8]) -> KResult<Option<KRc<Inode>>> {
        let node = match *self {
            ProcNode::Root => find(ROOT_ENTRIES, name).or_else(|| {
                parse_pid(name)
                    .filter(|&p| crate::task::task(p).is_some())
                    .map(|p| ProcNode::Task(Owner::process(p), PidEntry::Dir))
            }),
            ProcNode::Dir(d) => find(d.entries(), name),
            ProcNode::Task(o, PidEntry::Dir) => {
                live(o).map_err(|_| ESRCH)?;
                PID_ENTRIES
                    .iter()
                    .filter(|(_, en)| o.tid == 0 || *en != PidEntry::TaskDir)
                    .find(|(n, _)| *n == name)
                    .map(|(_, en)| ProcNode::Task(o, *en))
            }
            ProcNode::Task(o, PidEntry::FdDir) => {
                live(o)?;
                parse_num(name)
                    .filter(|&n| n < u64::from(u32::MAX) && fd_open(o.task(), n as u32))
                    .map(|n| ProcNode::Task(o, PidEntry::Fd(n as u32)))
            }
            ProcNode::Task(o, PidEntry::TaskDir) => {
                let tgid = crate::task::task(o.pid).ok_or(ESRCH)?.tgid;
                parse_pid(name)
                    .filter(|&t| crate::task::task(t).is_some_and(|t| t.tgid == tgid))
                    .map(|tid| ProcNode::Task(Owner { pid: o.pid, tid }, PidEntry::Dir))
            }
            _ => return Err(ENOTDIR),
        };
        node.map(ProcNode::inode).transpose()
    }

    pub fn list(&self) -> KResult<Vec<Listed>> {
        let mut out: Vec<Listed> = Vec::new();
        match *self {
            ProcNode::Root => {
                for (name, n) in ROOT_ENTRIES {
                    add(&mut out, name, *n)?;
                }
                for p in leaders()? {
                    let node = ProcNode::Task(Owner::process(p), PidEntry::Dir);
                    add_num(&mut out, p as u64, node)?;
                }
            }
            ProcNode::Dir(d) => {
                for (name, n) in d.entries() {
                    add(&mut out, name, *n)?;
                }
            }
            ProcNode::Task(o, PidEntry::Dir) => {
                live(o)?;
                for (name, en) in PID_ENTRIES {
                    if o.tid == 0 || *en != PidEntry::TaskDir {
                        add(&mut out, name, ProcNode::Task(o, *en))?;
                    }
                }
            }
            ProcNode::Task(o, PidEntry::FdDir) => {
                for n in open_fds(o.task())? {
                    add_num(&mut out, u64::from(n), ProcNode::Task(o, PidEntry::Fd(n)))?;
                }
            }
            ProcNode::Task(o, PidEntry::TaskDir) => {
                for tid in task::thread_ids(o.pid)? {
                    let node = ProcNode::Task(Owner { pid: o.pid, tid }, PidEntry::Dir);
                    add_num(&mut out, tid as u64, node)?;
                }
            }
            _ => return Err(ENOTDIR),
        }
        Ok(out)
    }

    pub fn readlink(&self) -> KResult<Vec<u8>> {
        let mut s = Text::new();
        match *self {
            ProcNode::SelfLink => s.put(format_args!("{}", crate::task::current().tgid))?,
            ProcNode::ThreadSelfLink => {
                let t = crate::task::current();
                s.put(format_args!("{}/task/{}", t.tgid, t.pid))?
            }
            ProcNode::MountsLink => s.bytes(b"self/mounts")?,
            ProcNode::Task(o, entry) => {
                let t = crate::task::task(o.task()).ok_or(ENOENT)?;
                if !has_resources(t) {
                    return Err(ENOENT);
                }
                match entry {
                    PidEntry::Exe => {
                        let mm = t.mm.borrow();
                        s.bytes(mm.exe.as_deref().ok_or(ENOENT)?)?;
                    }
                    PidEntry::Cwd => return super::namei::path_of_cwd(t),
                    PidEntry::Root => {
                        let fs = t.fs.borrow();
                        let mine = crate::task::current().fs.clone();
                        return super::namei::path_of_dir(&fs.root, &mine.borrow().root);
                    }
                    PidEntry::Fd(n) => return super::fd_path(t, n),
                    _ => return Err(EINVAL),
                }
            }
            _ => return Err(EINVAL),
        }
        Ok(s.0)
    }

    /// A file's text, generated for the first read of an open file.
    pub fn content(&self) -> KResult<Vec<u8>> {
        let mut out = Text::new();
        match *self {
            ProcNode::Task(o, PidEntry::File(f)) => {
                let t = crate::task::task(o.task()).ok_or(ESRCH)?;
                match f {
                    PidFile::Comm => task::comm(t, &mut out)?,
                    PidFile::Status => task::status(t, &mut out)?,
                    PidFile::Stat => task::stat(t, o.tid == 0, &mut out)?,
                    PidFile::Statm => mem::statm(t, &mut out)?,
                    PidFile::Cmdline => mem::cmdline(t, &mut out)?,
                    PidFile::Environ => mem::environ(t, &mut out)?,
                    PidFile::Maps => mem::maps(t, &mut out)?,
                    PidFile::Limits => task::limits(t, &mut out)?,
                    PidFile::Mounts => system::mounts(&mut out)?,
                    PidFile::Mountinfo => system::mountinfo(&mut out)?,
                }
            }
            ProcNode::File(f) => system::content(f, &mut out)?,
            _ => return Err(EISDIR),
        }
        Ok(out.0)
    }
}

/// Appends a listing entry for `n` named `name`.
fn add(out: &mut Vec<Listed>, name: &[u8], n: ProcNode) -> KResult<()> {
    out.try_reserve(1).map_err(|_| ENOMEM)?;
    let t = match n.type_bits() {
        S_IFDIR => DT_DIR,
        S_IFLNK => DT_LNK,
        _ => DT_REG,
    };
    out.push((super::inode::try_copy(name)?, n.ino(), t));
    Ok(())
}

/// Appends a listing entry named by the number `num`.
fn add_num(out: &mut Vec<Listed>, num: u64, n: ProcNode) -> KResult<()> {
    let mut name = Text::new();
    name.put(format_args!("{num}"))?;
    add(out, &name.0, n)
}

fn find(entries: &[Entry], name: &[u8]) -> Option<ProcNode> {
    entries.iter().find(|(n, _)| *n == name).map(|(_, n)| *n)
}

/// ENOENT once the directory's task is gone.
fn live(o: Owner) -> KResult<()> {
    crate::task::task(o.task()).map(|_| ()).ok_or(ENOENT)
}

/// Whether `t` still has its address space, files and fs: an exited
/// task (a zombie leader) keeps the records here, but Linux's has let
/// them go, so /proc shows none of them.
fn has_resources(t: &Task) -> bool {
    !matches!(t.state, State::Zombie | State::Dead)
}

/// The processes /proc lists: every thread-group leader, zombies too.
fn leaders() -> KResult<Vec<Pid>> {
    let k = crate::task::kernel();
    let mut v = Vec::new();
    v.try_reserve(k.tasks.len()).map_err(|_| ENOMEM)?;
    v.extend(k.tasks.values().filter(|t| t.pid == t.tgid).map(|t| t.pid));
    Ok(v)
}

fn parse_num(name: &[u8]) -> Option<u64> {
    if name.is_empty() || name.len() > 10 || (name[0] == b'0' && name.len() > 1) {
        return None;
    }
    name.iter().try_fold(0u64, |n, &b| {
        b.is_ascii_digit().then(|| n * 10 + u64::from(b - b'0'))
    })
}

/// A pid named in decimal (no number past the pid range aliases one).
fn parse_pid(name: &[u8]) -> Option<Pid> {
    parse_num(name)
        .filter(|&p| p < crate::task::PID_MAX as u64)
        .map(|p| p as Pid)
}

fn fd_open(pid: Pid, n: u32) -> bool {
    crate::task::with_task(pid, |t| {
        has_resources(t) && t.files.borrow().is_open(n as usize)
    })
    .unwrap_or(false)
}

fn open_fds(pid: Pid) -> KResult<Vec<u32>> {
    let t = crate::task::task(pid).ok_or(ENOENT)?;
    let mut v = Vec::new();
    if !has_resources(t) {
        return Ok(v);
    }
    let files = t.files.borrow();
    v.try_reserve(files.fds.len()).map_err(|_| ENOMEM)?;
    v.extend(
        (0..files.fds.len())
            .filter(|&i| files.is_open(i))
            .map(|i| i as u32),
    );
    Ok(v)
}

/// vCPUs the guest was given (the one that runs, and any others).
fn nr_cpus() -> u32 {
    crate::boot_info::try_get().map_or(1, |i| i.nr_cpus.max(1))
}
