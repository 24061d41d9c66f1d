//! Process identity, exit, TLS base, limits and the signal calls that
//! C-library startup makes.

use crate::arch::{is_canonical, percpu};
use crate::errno::*;
use crate::mm::uaccess::write_user;
use crate::task::{with_current, with_mm};
use x86_64::registers::model_specific::FsBase;
use x86_64::VirtAddr;

pub fn getpid() -> KResult<u64> {
    Ok(with_current(|t| t.tgid) as u64)
}

pub fn gettid() -> KResult<u64> {
    Ok(with_current(|t| t.pid) as u64)
}

/// The tgid of the process that reaps this one (0 for init), the same in
/// every thread.
pub fn getppid() -> KResult<u64> {
    Ok(with_current(|t| t.parent_tgid()) as u64)
}

pub fn set_tid_address(tidptr: u64) -> KResult<u64> {
    Ok(with_current(|t| {
        t.clear_child_tid = tidptr;
        t.pid
    }) as u64)
}

/// struct robust_list_head is 24 bytes; anything else is EINVAL.
pub fn set_robust_list(head: u64, len: u64) -> KResult<u64> {
    if len != 24 {
        return Err(EINVAL);
    }
    with_current(|t| t.robust_list = head);
    Ok(0)
}

const ARCH_SET_GS: u64 = 0x1001;
const ARCH_SET_FS: u64 = 0x1002;
const ARCH_GET_FS: u64 = 0x1003;
const ARCH_GET_GS: u64 = 0x1004;

pub fn arch_prctl(code: u64, addr: u64) -> KResult<u64> {
    match code {
        ARCH_SET_FS | ARCH_SET_GS => {
            if !is_canonical(addr) || addr >= abi::layout::USER_SPACE_END {
                return Err(EPERM);
            }
            if code == ARCH_SET_FS {
                FsBase::write(VirtAddr::new(addr));
                with_current(|t| t.fs_base = addr);
            } else {
                percpu::set_user_gs_base(addr);
            }
            Ok(0)
        }
        ARCH_GET_FS | ARCH_GET_GS => {
            let v = if code == ARCH_GET_FS {
                FsBase::read().as_u64()
            } else {
                percpu::user_gs_base()
            };
            with_mm(|mm| write_user(mm, addr, &v))?;
            Ok(0)
        }
        _ => Err(EINVAL),
    }
}

const RLIMIT_STACK: u64 = 3;
const RLIMIT_NOFILE: u64 = 7;
const RLIM_NLIMITS: u64 = 16;
const RLIM_INFINITY: u64 = u64::MAX;

/// prlimit64 for this process (pid 0 or our own): read-only limits, Linux's
/// defaults. Setting is accepted and ignored for now.
pub fn prlimit64(pid: u64, resource: u64, _new: u64, old: u64) -> KResult<u64> {
    if pid != 0 && pid != with_current(|t| t.tgid) as u64 {
        return Err(ESRCH);
    }
    if resource >= RLIM_NLIMITS {
        return Err(EINVAL);
    }
    if old != 0 {
        let lim: [u64; 2] = match resource {
            RLIMIT_STACK => [crate::mm::vma::STACK_LIMIT, RLIM_INFINITY],
            RLIMIT_NOFILE => [1024, 4096],
            _ => [RLIM_INFINITY, RLIM_INFINITY],
        };
        with_mm(|mm| write_user(mm, old, &lim))?;
    }
    Ok(0)
}

/// Handlers are stored in the (possibly shared) handler table but not yet
/// delivered: every fatal signal so far comes from a CPU fault and takes the
/// default action.
pub fn rt_sigaction(sig: u64, act: u64, oldact: u64, sigsetsize: u64) -> KResult<u64> {
    if sigsetsize != 8 || sig == 0 || sig > 64 || (act != 0 && (sig == 9 || sig == 19)) {
        return Err(EINVAL);
    }
    let new = if act != 0 {
        Some(with_mm(|mm| {
            crate::mm::uaccess::read_user::<[u64; 4]>(mm, act)
        })?)
    } else {
        None
    };
    let old = with_current(|t| t.sighand.borrow().actions[sig as usize - 1]);
    if oldact != 0 {
        with_mm(|mm| write_user(mm, oldact, &old))?;
    }
    if let Some(new) = new {
        with_current(|t| t.sighand.borrow_mut().actions[sig as usize - 1] = new);
    }
    Ok(0)
}
