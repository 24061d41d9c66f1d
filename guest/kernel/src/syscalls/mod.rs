//! System call dispatch by Linux x86_64 number. Arguments and results follow
//! Linux exactly (a negative return is -errno); anything not implemented is
//! -ENOSYS, logged once per number so a missing call is visible.

mod clone;
pub mod exit;
mod fs;
pub mod futex;
mod info;
mod mm;
mod process;
mod signal;
mod time;

use spin::Mutex;

use crate::arch::trapframe::TrapFrame;
use crate::errno::{KResult, ENOSYS};

pub mod nr {
    pub const READ: u64 = 0;
    pub const WRITE: u64 = 1;
    pub const CLOSE: u64 = 3;
    pub const FSTAT: u64 = 5;
    pub const LSEEK: u64 = 8;
    pub const MMAP: u64 = 9;
    pub const MPROTECT: u64 = 10;
    pub const MUNMAP: u64 = 11;
    pub const BRK: u64 = 12;
    pub const RT_SIGACTION: u64 = 13;
    pub const RT_SIGPROCMASK: u64 = 14;
    pub const IOCTL: u64 = 16;
    pub const WRITEV: u64 = 20;
    pub const SCHED_YIELD: u64 = 24;
    pub const MADVISE: u64 = 28;
    pub const DUP: u64 = 32;
    pub const DUP2: u64 = 33;
    pub const NANOSLEEP: u64 = 35;
    pub const GETPID: u64 = 39;
    pub const CLONE: u64 = 56;
    pub const FORK: u64 = 57;
    pub const VFORK: u64 = 58;
    pub const WAIT4: u64 = 61;
    pub const KILL: u64 = 62;
    pub const FCNTL: u64 = 72;
    pub const UMASK: u64 = 95;
    pub const TKILL: u64 = 200;
    pub const FUTEX: u64 = 202;
    pub const TGKILL: u64 = 234;
    pub const WAITID: u64 = 247;
    pub const DUP3: u64 = 292;
    pub const CLONE3: u64 = 435;
    pub const PIDFD_SEND_SIGNAL: u64 = 424;
    pub const PIDFD_OPEN: u64 = 434;
    pub const EXIT: u64 = 60;
    pub const UNAME: u64 = 63;
    pub const READLINK: u64 = 89;
    pub const GETTIMEOFDAY: u64 = 96;
    pub const GETRLIMIT: u64 = 97;
    pub const SETRLIMIT: u64 = 160;
    pub const GETUID: u64 = 102;
    pub const GETGID: u64 = 104;
    pub const GETEUID: u64 = 107;
    pub const GETEGID: u64 = 108;
    pub const GETPPID: u64 = 110;
    pub const ARCH_PRCTL: u64 = 158;
    pub const GETTID: u64 = 186;
    pub const TIME: u64 = 201;
    pub const SET_TID_ADDRESS: u64 = 218;
    pub const CLOCK_GETTIME: u64 = 228;
    pub const CLOCK_GETRES: u64 = 229;
    pub const CLOCK_NANOSLEEP: u64 = 230;
    pub const EXIT_GROUP: u64 = 231;
    pub const NEWFSTATAT: u64 = 262;
    pub const READLINKAT: u64 = 267;
    pub const SET_ROBUST_LIST: u64 = 273;
    pub const PRLIMIT64: u64 = 302;
    pub const GETRANDOM: u64 = 318;
}

/// Numbers already reported as unimplemented.
static LOGGED: Mutex<[u64; 8]> = Mutex::new([0; 8]);

fn enosys(nr: u64) -> KResult<u64> {
    let mut logged = LOGGED.lock();
    let (word, bit) = ((nr / 64) as usize, nr % 64);
    let first = match logged.get_mut(word) {
        Some(w) if *w & (1 << bit) == 0 => {
            *w |= 1 << bit;
            true
        }
        Some(_) => false,
        None => true, // out of the table's range: log every time (rare)
    };
    drop(logged);
    if first {
        crate::klog!("unimplemented system call {nr}: returning -ENOSYS");
    }
    Err(ENOSYS)
}

pub fn dispatch(nr: u64, a: [u64; 6], frame: &mut TrapFrame) -> i64 {
    let r = match nr {
        nr::CLONE => clone::clone(a[0], a[1], a[2], a[3], a[4], frame),
        nr::CLONE3 => clone::clone3(a[0], a[1], frame),
        nr::FORK => clone::fork(frame),
        nr::VFORK => clone::vfork(frame),
        nr::WAIT4 => exit::wait4(a[0], a[1], a[2], a[3]),
        nr::WAITID => exit::waitid(a[0], a[1], a[2], a[3], a[4]),
        nr::FUTEX => futex::futex(a[0], a[1], a[2], a[3], a[4], a[5]),
        nr::DUP => fs::dup(a[0]),
        nr::DUP2 => fs::dup3(a[0], a[1], 0, true),
        nr::DUP3 => fs::dup3(a[0], a[1], a[2], false),
        nr::FCNTL => fs::fcntl(a[0], a[1], a[2]),
        nr::UMASK => fs::umask(a[0]),
        nr::NANOSLEEP => time::nanosleep(a[0], a[1]),
        nr::CLOCK_NANOSLEEP => time::clock_nanosleep(a[0], a[1], a[2], a[3]),
        nr::READ => fs::read(a[0], a[1], a[2]),
        nr::WRITE => fs::write(a[0], a[1], a[2]),
        nr::CLOSE => fs::close(a[0]),
        nr::FSTAT => fs::fstat(a[0], a[1]),
        nr::LSEEK => fs::lseek(a[0]),
        nr::IOCTL => fs::ioctl(a[0]),
        nr::WRITEV => fs::writev(a[0], a[1], a[2]),
        nr::NEWFSTATAT => fs::newfstatat(a[0], a[1], a[2], a[3]),
        nr::READLINK | nr::READLINKAT => Err(crate::errno::ENOENT),
        nr::MMAP => mm::mmap(a[0], a[1], a[2], a[3], a[4], a[5]),
        nr::MPROTECT => mm::mprotect(a[0], a[1], a[2]),
        nr::MUNMAP => mm::munmap(a[0], a[1]),
        nr::BRK => mm::brk(a[0]),
        nr::MADVISE => mm::madvise(a[0], a[1], a[2]),
        nr::RT_SIGACTION => process::rt_sigaction(a[0], a[1], a[2], a[3]),
        nr::RT_SIGPROCMASK => signal::rt_sigprocmask(a[0], a[1], a[2], a[3]),
        nr::KILL => signal::kill(a[0], a[1]),
        nr::TKILL => signal::tkill(a[0], a[1]),
        nr::TGKILL => signal::tgkill(a[0], a[1], a[2]),
        nr::PIDFD_SEND_SIGNAL => signal::pidfd_send_signal(a[0], a[1], a[2], a[3]),
        nr::PIDFD_OPEN => signal::pidfd_open(a[0], a[1]),
        nr::SCHED_YIELD => {
            crate::sched::yield_now();
            Ok(0)
        }
        nr::GETPID => process::getpid(),
        nr::GETTID => process::gettid(),
        nr::GETPPID => process::getppid(),
        nr::GETUID | nr::GETGID | nr::GETEUID | nr::GETEGID => Ok(0),
        nr::EXIT => exit::exit(a[0]),
        nr::EXIT_GROUP => exit::exit_group(a[0]),
        nr::SET_TID_ADDRESS => process::set_tid_address(a[0]),
        nr::SET_ROBUST_LIST => process::set_robust_list(a[0], a[1]),
        nr::ARCH_PRCTL => process::arch_prctl(a[0], a[1]),
        nr::GETRLIMIT => process::getrlimit(a[0], a[1]),
        nr::SETRLIMIT => process::setrlimit(a[0], a[1]),
        nr::PRLIMIT64 => process::prlimit64(a[0], a[1], a[2], a[3]),
        nr::UNAME => info::uname(a[0]),
        nr::GETRANDOM => info::getrandom(a[0], a[1], a[2]),
        nr::CLOCK_GETTIME => time::clock_gettime(a[0], a[1]),
        nr::CLOCK_GETRES => time::clock_getres(a[0], a[1]),
        nr::GETTIMEOFDAY => time::gettimeofday(a[0], a[1]),
        nr::TIME => time::time(a[0]),
        abi::stats::SYS_THREADLAB_STATS => report_stats(a[0]),
        _ => enosys(nr),
    };
    match r {
        Ok(v) => v as i64,
        Err(e) => -e,
    }
}

/// threadlab's own system call: a statistics snapshot to the host (a
/// program cannot fake what the kernel reports there).
fn report_stats(tag: u64) -> KResult<u64> {
    if tag == abi::stats::STATS_TAG_BREAK_NR_THREADS && crate::cmdline::test_faults() {
        crate::task::current().signal.borrow_mut().nr_threads += 1;
    }
    let (free_frames, total_frames) = crate::mm::frame::stats();
    let k = crate::task::kernel();
    crate::hypercall::stats(abi::stats::KernelStats {
        tag,
        free_frames,
        total_frames,
        tasks: k.tasks.len() as u64,
        cached_kstacks: crate::task::roots().nr_cached_kstacks,
        kstack_cache_hits: k.kstacks.hits,
        kstack_cache_misses: k.kstacks.misses,
        sleepers: k.sleepers.len() as u64,
        heap_used: crate::mm::heap::used(),
    });
    Ok(0)
}
