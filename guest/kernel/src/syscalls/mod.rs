//! System call dispatch by Linux x86_64 number (`abi::linux::syscalls`).
//! Arguments and results follow Linux exactly (a negative return is
//! -errno); anything not implemented is -ENOSYS, logged once per number
//! with its Linux name so a missing call is visible.

mod clone;
mod exec;
pub mod exit;
pub mod fs;
pub mod futex;
pub mod info;
mod mm;
mod path;
mod process;
mod signal;
pub mod time;
mod timer;

use spin::Mutex;

use crate::arch::trapframe::TrapFrame;
use crate::errno::{KResult, ENOSYS};
use abi::linux::syscalls as sys;

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
        match sys::name(nr) {
            Some(name) => {
                crate::klog!("unimplemented system call {nr} ({name}): returning -ENOSYS")
            }
            None => crate::klog!("unimplemented system call {nr}: returning -ENOSYS"),
        }
    }
    Err(ENOSYS)
}

pub fn dispatch(nr: u64, a: [u64; 6], frame: &mut TrapFrame) -> i64 {
    let r = match nr {
        sys::__NR_clone => clone::clone(a[0], a[1], a[2], a[3], a[4], frame),
        sys::__NR_clone3 => clone::clone3(a[0], a[1], frame),
        sys::__NR_fork => clone::fork(frame),
        sys::__NR_vfork => clone::vfork(frame),
        sys::__NR_execve => exec::execve(a[0], a[1], a[2], frame),
        sys::__NR_execveat => exec::execveat(a[0], a[1], a[2], a[3], a[4], frame),
        sys::__NR_wait4 => exit::wait4(a[0], a[1], a[2], a[3]),
        sys::__NR_waitid => exit::waitid(a[0], a[1], a[2], a[3], a[4]),
        sys::__NR_futex => futex::futex(a[0], a[1], a[2], a[3], a[4], a[5]),
        sys::__NR_dup => fs::dup(a[0]),
        sys::__NR_dup2 => fs::dup3(a[0], a[1], 0, true),
        sys::__NR_dup3 => fs::dup3(a[0], a[1], a[2], false),
        sys::__NR_fcntl => fs::fcntl(a[0], a[1], a[2]),
        sys::__NR_umask => fs::umask(a[0]),
        sys::__NR_nanosleep => time::nanosleep(a[0], a[1]),
        sys::__NR_clock_nanosleep => time::clock_nanosleep(a[0], a[1], a[2], a[3]),
        sys::__NR_read => fs::read(a[0], a[1], a[2]),
        sys::__NR_write => fs::write(a[0], a[1], a[2]),
        sys::__NR_close => fs::close(a[0]),
        sys::__NR_fstat => fs::fstat(a[0], a[1]),
        sys::__NR_lseek => fs::lseek(a[0], a[1], a[2]),
        sys::__NR_pread64 => fs::pread64(a[0], a[1], a[2], a[3]),
        sys::__NR_pwrite64 => fs::pwrite64(a[0], a[1], a[2], a[3]),
        sys::__NR_readv => fs::readv(a[0], a[1], a[2]),
        sys::__NR_preadv => fs::preadv(a[0], a[1], a[2], a[3]),
        sys::__NR_preadv2 => fs::rw_vec2(a[0], a[1], a[2], a[3], a[5], false),
        sys::__NR_pwritev2 => fs::rw_vec2(a[0], a[1], a[2], a[3], a[5], true),
        sys::__NR_fadvise64 => fs::fadvise64(a[0], a[1], a[2], a[3]),
        sys::__NR_syncfs => fs::syncfs(a[0]),
        sys::__NR_getgroups => process::getgroups(a[0]),
        sys::__NR_pwritev => fs::pwritev(a[0], a[1], a[2], a[3]),
        sys::__NR_getdents64 => fs::getdents64(a[0], a[1], a[2]),
        sys::__NR_fsync | sys::__NR_fdatasync => fs::fsync(a[0]),
        sys::__NR_ftruncate => fs::ftruncate(a[0], a[1]),
        sys::__NR_fchmod => fs::fchmod(a[0], a[1]),
        sys::__NR_fchown => fs::fchown(a[0], a[1], a[2]),
        sys::__NR_fstatfs => fs::fstatfs(a[0], a[1]),
        sys::__NR_close_range => fs::close_range(a[0], a[1], a[2]),
        sys::__NR_open => path::open(a[0], a[1], a[2]),
        sys::__NR_openat => path::openat(a[0], a[1], a[2], a[3]),
        sys::__NR_creat => path::creat(a[0], a[1]),
        sys::__NR_mkdir => path::mkdir(a[0], a[1]),
        sys::__NR_mkdirat => path::mkdirat(a[0], a[1], a[2]),
        sys::__NR_rmdir => path::rmdir(a[0]),
        sys::__NR_unlink => path::unlink(a[0]),
        sys::__NR_unlinkat => path::unlinkat(a[0], a[1], a[2]),
        sys::__NR_link => path::link(a[0], a[1]),
        sys::__NR_linkat => path::linkat(a[0], a[1], a[2], a[3], a[4]),
        sys::__NR_symlink => path::symlink(a[0], a[1]),
        sys::__NR_symlinkat => path::symlinkat(a[0], a[1], a[2]),
        sys::__NR_readlink => path::readlink(a[0], a[1], a[2]),
        sys::__NR_readlinkat => path::readlinkat(a[0], a[1], a[2], a[3]),
        sys::__NR_rename => path::rename(a[0], a[1]),
        sys::__NR_renameat => path::renameat2(a[0], a[1], a[2], a[3], 0),
        sys::__NR_renameat2 => path::renameat2(a[0], a[1], a[2], a[3], a[4]),
        sys::__NR_stat => path::stat(a[0], a[1]),
        sys::__NR_lstat => path::lstat(a[0], a[1]),
        sys::__NR_statx => path::statx(a[0], a[1], a[2], a[3], a[4]),
        sys::__NR_access => path::access(a[0], a[1]),
        sys::__NR_faccessat => path::faccessat2(a[0], a[1], a[2], 0),
        sys::__NR_faccessat2 => path::faccessat2(a[0], a[1], a[2], a[3]),
        sys::__NR_chdir => path::chdir(a[0]),
        sys::__NR_fchdir => path::fchdir(a[0]),
        sys::__NR_getcwd => path::getcwd(a[0], a[1]),
        sys::__NR_truncate => path::truncate(a[0], a[1]),
        sys::__NR_chmod => path::chmod(a[0], a[1]),
        sys::__NR_fchmodat => path::fchmodat(a[0], a[1], a[2]),
        sys::__NR_chown | sys::__NR_lchown => {
            let nofollow = if nr == sys::__NR_lchown {
                abi::linux::fs::AT_SYMLINK_NOFOLLOW
            } else {
                0
            };
            path::chown_path(
                abi::linux::fs::AT_FDCWD as i64 as u64,
                a[0],
                a[1],
                a[2],
                nofollow,
            )
        }
        sys::__NR_fchownat => path::chown_path(a[0], a[1], a[2], a[3], a[4]),
        sys::__NR_utimensat => path::utimensat(a[0], a[1], a[2], a[3]),
        sys::__NR_statfs => path::statfs(a[0], a[1]),
        sys::__NR_ioctl => fs::ioctl(a[0], a[1], a[2]),
        sys::__NR_pipe => fs::pipe2(a[0], 0),
        sys::__NR_pipe2 => fs::pipe2(a[0], a[1]),
        sys::__NR_eventfd => fs::eventfd2(a[0], 0),
        sys::__NR_eventfd2 => fs::eventfd2(a[0], a[1]),
        sys::__NR_poll => crate::fs::poll::poll(a[0], a[1], a[2]),
        sys::__NR_ppoll => crate::fs::poll::ppoll(a[0], a[1], a[2], a[3], a[4]),
        sys::__NR_epoll_create => crate::fs::epoll::epoll_create(a[0]),
        sys::__NR_epoll_create1 => crate::fs::epoll::epoll_create1(a[0]),
        sys::__NR_epoll_ctl => crate::fs::epoll::epoll_ctl(a[0], a[1], a[2], a[3]),
        sys::__NR_epoll_wait => crate::fs::epoll::epoll_wait(a[0], a[1], a[2], a[3]),
        sys::__NR_epoll_pwait => crate::fs::epoll::epoll_pwait(a[0], a[1], a[2], a[3], a[4], a[5]),
        sys::__NR_epoll_pwait2 => {
            crate::fs::epoll::epoll_pwait2(a[0], a[1], a[2], a[3], a[4], a[5])
        }
        sys::__NR_select => crate::fs::select::select(a[0], a[1], a[2], a[3], a[4]),
        sys::__NR_pselect6 => crate::fs::select::pselect6(a[0], a[1], a[2], a[3], a[4], a[5]),
        sys::__NR_writev => fs::writev(a[0], a[1], a[2]),
        sys::__NR_newfstatat => path::newfstatat(a[0], a[1], a[2], a[3]),
        sys::__NR_mmap => mm::mmap(a[0], a[1], a[2], a[3], a[4], a[5]),
        sys::__NR_mprotect => mm::mprotect(a[0], a[1], a[2]),
        sys::__NR_munmap => mm::munmap(a[0], a[1]),
        sys::__NR_msync => mm::msync(a[0], a[1], a[2]),
        sys::__NR_brk => mm::brk(a[0]),
        sys::__NR_madvise => mm::madvise(a[0], a[1], a[2]),
        sys::__NR_rt_sigaction => signal::rt_sigaction(a[0], a[1], a[2], a[3]),
        sys::__NR_rt_sigprocmask => signal::rt_sigprocmask(a[0], a[1], a[2], a[3]),
        sys::__NR_rt_sigreturn => signal::rt_sigreturn(frame),
        sys::__NR_sigaltstack => signal::sigaltstack(a[0], a[1], frame),
        sys::__NR_rt_sigpending => signal::rt_sigpending(a[0], a[1]),
        sys::__NR_rt_sigtimedwait => signal::rt_sigtimedwait(a[0], a[1], a[2], a[3]),
        sys::__NR_rt_sigsuspend => signal::rt_sigsuspend(a[0], a[1]),
        sys::__NR_pause => signal::pause(),
        sys::__NR_rt_sigqueueinfo => signal::rt_sigqueueinfo(a[0], a[1], a[2]),
        sys::__NR_rt_tgsigqueueinfo => signal::rt_tgsigqueueinfo(a[0], a[1], a[2], a[3]),
        sys::__NR_restart_syscall => restart_syscall(),
        sys::__NR_alarm => timer::alarm(a[0]),
        sys::__NR_setitimer => timer::setitimer(a[0], a[1], a[2]),
        sys::__NR_getitimer => timer::getitimer(a[0], a[1]),
        sys::__NR_timer_create => timer::timer_create(a[0], a[1], a[2]),
        sys::__NR_timer_settime => timer::timer_settime(a[0], a[1], a[2], a[3]),
        sys::__NR_timer_gettime => timer::timer_gettime(a[0], a[1]),
        sys::__NR_timer_getoverrun => timer::timer_getoverrun(a[0]),
        sys::__NR_timer_delete => timer::timer_delete(a[0]),
        sys::__NR_kill => signal::kill(a[0], a[1]),
        sys::__NR_tkill => signal::tkill(a[0], a[1]),
        sys::__NR_tgkill => signal::tgkill(a[0], a[1], a[2]),
        sys::__NR_pidfd_send_signal => signal::pidfd_send_signal(a[0], a[1], a[2], a[3]),
        sys::__NR_pidfd_open => signal::pidfd_open(a[0], a[1]),
        sys::__NR_sched_yield => {
            crate::sched::yield_now();
            Ok(0)
        }
        sys::__NR_getpid => process::getpid(),
        sys::__NR_gettid => process::gettid(),
        sys::__NR_getppid => process::getppid(),
        sys::__NR_getuid | sys::__NR_getgid | sys::__NR_geteuid | sys::__NR_getegid => Ok(0),
        sys::__NR_exit => exit::exit(a[0]),
        sys::__NR_exit_group => exit::exit_group(a[0]),
        sys::__NR_set_tid_address => process::set_tid_address(a[0]),
        sys::__NR_set_robust_list => process::set_robust_list(a[0], a[1]),
        sys::__NR_get_robust_list => process::get_robust_list(a[0], a[1], a[2]),
        sys::__NR_arch_prctl => process::arch_prctl(a[0], a[1]),
        sys::__NR_getrlimit => process::getrlimit(a[0], a[1]),
        sys::__NR_setrlimit => process::setrlimit(a[0], a[1]),
        sys::__NR_prlimit64 => process::prlimit64(a[0], a[1], a[2], a[3]),
        sys::__NR_uname => info::uname(a[0]),
        sys::__NR_getrandom => info::getrandom(a[0], a[1], a[2]),
        sys::__NR_clock_gettime => time::clock_gettime(a[0], a[1]),
        sys::__NR_clock_getres => time::clock_getres(a[0], a[1]),
        sys::__NR_gettimeofday => time::gettimeofday(a[0], a[1]),
        sys::__NR_time => time::time(a[0]),
        abi::stats::SYS_THREADLAB_STATS => report_stats(a[0]),
        _ => enosys(nr),
    };
    match r {
        Ok(v) => v as i64,
        Err(e) => -e,
    }
}

/// restart_syscall: resumes the call a signal without a handler
/// interrupted with ERESTART_RESTARTBLOCK (nanosleep, timed futex waits),
/// from where it was. With nothing to resume (called directly), EINTR, as
/// Linux's do_no_restart_syscall.
fn restart_syscall() -> KResult<u64> {
    let t = crate::task::current();
    let b = core::mem::replace(&mut t.restart, crate::task::RestartBlock::None);
    match b {
        crate::task::RestartBlock::Nanosleep { deadline, rmtp } => {
            time::nanosleep_restart(deadline, rmtp)
        }
        crate::task::RestartBlock::Futex { .. } => futex::futex_wait_restart(b),
        crate::task::RestartBlock::Poll {
            ufds,
            nfds,
            deadline,
        } => crate::fs::poll::poll_restart(ufds, nfds, deadline),
        crate::task::RestartBlock::None => Err(crate::errno::EINTR),
    }
}

/// threadlab's own system call: a statistics snapshot to the host (a
/// program cannot fake what the kernel reports there).
fn report_stats(tag: u64) -> KResult<u64> {
    if crate::cmdline::test_faults() {
        let t = crate::task::current();
        match tag {
            abi::stats::STATS_TAG_BREAK_NR_THREADS => t.signal.borrow_mut().nr_threads += 1,
            abi::stats::STATS_TAG_BREAK_EXIT_FLUSH => t.keep_pending_at_exit = true,
            abi::stats::STATS_TAG_BREAK_SIGMASK => t.break_sigmask = true,
            _ => {}
        }
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
