//! Process identity, exit, TLS base, limits and the signal calls that
//! C-library startup makes.

use abi::linux::arch_prctl::{ARCH_GET_FS, ARCH_GET_GS, ARCH_SET_FS, ARCH_SET_GS};
use abi::linux::resource::RLIMIT_NOFILE;
use abi::linux::uapi::Rlimit;

use crate::arch::{is_canonical, percpu};
use crate::errno::*;
use crate::mm::uaccess::{read_user, write_user};
use crate::task::{current, with_current, with_mm, RLIM_NLIMITS};
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

/// get_robust_list(pid, head_ptr, len_ptr): the robust list head of the
/// caller (pid 0) or of thread `pid` (ESRCH if none; root may look at
/// any), its size written first, as Linux.
pub fn get_robust_list(pid: u64, head_ptr: u64, len_ptr: u64) -> KResult<u64> {
    let pid = pid as i32;
    let head = if pid == 0 {
        with_current(|t| t.robust_list)
    } else {
        crate::task::with_task(pid, |t| t.robust_list).ok_or(ESRCH)?
    };
    with_mm(|mm| write_user(mm, len_ptr, &24u64))?;
    with_mm(|mm| write_user(mm, head_ptr, &head))?;
    Ok(0)
}

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

/// Linux's sysctl nr_open: the highest RLIMIT_NOFILE maximum.
const NR_OPEN: u64 = 1 << 20;

/// prlimit64(pid, resource, new, old): the limits of process `pid` (0: the
/// caller's), in its thread group's `Signal`. Checks in Linux's order: the
/// new value is read first (EFAULT), then the process (ESRCH), the resource
/// and the values (EINVAL, EPERM); the old value is written after the new
/// one took effect. The guest's only user is root, so raising a hard limit
/// is allowed.
pub fn prlimit64(pid: u64, resource: u64, new: u64, old: u64) -> KResult<u64> {
    let new = if new != 0 {
        Some(with_mm(|mm| read_user::<Rlimit>(mm, new))?)
    } else {
        None
    };
    let pid = pid as i64;
    let target = if pid == 0 {
        current().signal.clone()
    } else {
        let t = i32::try_from(pid)
            .ok()
            .filter(|&p| p > 0)
            .and_then(crate::task::task)
            .ok_or(ESRCH)?;
        t.signal.clone()
    };
    let resource = resource as usize;
    if resource >= RLIM_NLIMITS {
        return Err(EINVAL);
    }
    let before = target.borrow().rlim[resource];
    if let Some(limit) = new {
        if limit.rlim_cur > limit.rlim_max {
            return Err(EINVAL);
        }
        if resource as u64 == RLIMIT_NOFILE && limit.rlim_max > NR_OPEN {
            return Err(EPERM);
        }
        target.borrow_mut().rlim[resource] = limit;
    }
    if old != 0 {
        with_mm(|mm| write_user(mm, old, &before))?;
    }
    Ok(0)
}

/// getrlimit / setrlimit: prlimit64 on the caller. Unlike prlimit64's,
/// their pointer is not optional: NULL is EFAULT, as any unreadable or
/// unwritable address.
pub fn getrlimit(resource: u64, rlim: u64) -> KResult<u64> {
    if resource as usize >= RLIM_NLIMITS {
        return Err(EINVAL);
    }
    if rlim == 0 {
        return Err(EFAULT);
    }
    prlimit64(0, resource, 0, rlim)
}

pub fn setrlimit(resource: u64, rlim: u64) -> KResult<u64> {
    if rlim == 0 {
        return Err(EFAULT);
    }
    prlimit64(0, resource, rlim, 0)
}

/// getgroups: the caller is root with no supplementary groups.
pub fn getgroups(size: u64) -> KResult<u64> {
    if (size as i32) < 0 {
        Err(EINVAL)
    } else {
        Ok(0)
    }
}
