//! futex: WAIT / WAKE and their bitset forms, private and shared alike. A
//! futex is keyed by the physical address of its word, which is what makes
//! a shared futex work across address spaces and a private one stay
//! private after fork (the child's copy is another frame).

use crate::errno::*;
use crate::mm::fault::{populate, Access};
use crate::mm::uaccess::read_user;
use crate::mm::vma::Mm;
use crate::sched;
use crate::task::{kernel, with_mm, WaitOn};

const FUTEX_WAIT: u64 = 0;
const FUTEX_WAKE: u64 = 1;
const FUTEX_WAIT_BITSET: u64 = 9;
const FUTEX_WAKE_BITSET: u64 = 10;
/// FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME: accepted, no effect here.
const FUTEX_CMD_MASK: u64 = !(128 | 256);

/// Physical address of the futex word at `addr`.
pub fn key_of(mm: &mut Mm, addr: u64) -> Option<u64> {
    let (frame, _) = populate(mm, addr, Access::Read)?;
    Some(frame + addr % 4096)
}

/// Wakes up to `n` tasks waiting on `key` with a bitset sharing a bit with
/// `bitset`, oldest pid first. Returns how many.
pub fn wake(key: u64, n: u64, bitset: u32) -> u64 {
    let waiters: alloc::vec::Vec<i32> = kernel()
        .tasks
        .values()
        .filter(|t| matches!(t.wait, WaitOn::Futex(k, b) if k == key && b & bitset != 0))
        .map(|t| t.pid)
        .take(n.min(i32::MAX as u64) as usize)
        .collect();
    for &p in &waiters {
        sched::wake(p);
    }
    waiters.len() as u64
}

pub fn futex(uaddr: u64, op: u64, val: u64, timeout: u64, _uaddr2: u64, val3: u64) -> KResult<u64> {
    let cmd = op & FUTEX_CMD_MASK;
    match cmd {
        FUTEX_WAIT | FUTEX_WAIT_BITSET => {
            let bitset = if cmd == FUTEX_WAIT {
                u32::MAX
            } else {
                val3 as u32
            };
            if bitset == 0 || !uaddr.is_multiple_of(4) {
                return Err(EINVAL);
            }
            let (word, key) = with_mm(|mm| {
                let word = read_user::<u32>(mm, uaddr)?;
                Ok::<_, i64>((word, key_of(mm, uaddr).ok_or(EFAULT)?))
            })?;
            if word != val as u32 {
                return Err(EAGAIN);
            }
            if timeout != 0 {
                // No timers yet: a relative timeout of zero is an immediate
                // timeout; any other waits until woken.
                let ts = with_mm(|mm| read_user::<[i64; 2]>(mm, timeout))?;
                if ts[1] < 0 || ts[1] >= 1_000_000_000 || ts[0] < 0 {
                    return Err(EINVAL);
                }
                if ts == [0, 0] && cmd == FUTEX_WAIT {
                    return Err(ETIMEDOUT);
                }
            }
            sched::block(WaitOn::Futex(key, bitset));
            Ok(0)
        }
        FUTEX_WAKE | FUTEX_WAKE_BITSET => {
            let bitset = if cmd == FUTEX_WAKE {
                u32::MAX
            } else {
                val3 as u32
            };
            if bitset == 0 || !uaddr.is_multiple_of(4) {
                return Err(EINVAL);
            }
            let key = with_mm(|mm| key_of(mm, uaddr)).ok_or(EFAULT)?;
            Ok(wake(key, val, bitset))
        }
        _ => Err(ENOSYS),
    }
}
