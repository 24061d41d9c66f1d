//! futex: WAIT / WAKE and their bitset forms, private and shared alike,
//! with timeouts (relative for WAIT, absolute for WAIT_BITSET; the timer's
//! sleepers set wakes the waiter with ETIMEDOUT).
//!
//! A futex is keyed as Linux keys one in private (anonymous or private
//! file) memory: by address space and virtual address (FUT_OFF_MMSHARED:
//! even without FUTEX_PRIVATE_FLAG). Not by physical frame: a
//! copy-on-write break between a wait and its wake moves the word to
//! another frame, and a frame key would miss that wake. All user memory
//! here is private (MAP_SHARED anonymous memory is not shared across fork
//! yet), so this is every futex.

use crate::errno::*;
use crate::mm::fault::{populate, Access};
use crate::mm::uaccess::read_user;
use crate::mm::vma::Mm;
use crate::sched;
use crate::task::{current, kernel, with_mm, Pid, RestartBlock, WaitOn};

use abi::linux::futex::{
    FUTEX_BITSET_MATCH_ANY, FUTEX_CLOCK_REALTIME, FUTEX_CMD_MASK, FUTEX_PRIVATE_FLAG, FUTEX_WAIT,
    FUTEX_WAIT_BITSET, FUTEX_WAKE, FUTEX_WAKE_BITSET,
};

/// A futex's identity: the address space (its `Mm`'s address) and the
/// word's virtual address.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct FutexKey {
    pub mm: u64,
    pub addr: u64,
}

/// The key of the word at `addr`. Without FUTEX_PRIVATE_FLAG Linux looks
/// the page up (EFAULT if there is none); with it, only the address counts.
pub fn key_of(mm: &mut Mm, addr: u64, private: bool) -> Option<FutexKey> {
    if addr >= abi::layout::USER_SPACE_END {
        return None;
    }
    if !private {
        populate(mm, addr, Access::Read)?;
    }
    Some(FutexKey {
        mm: mm as *const Mm as u64,
        addr,
    })
}

/// Wakes up to `n` tasks waiting on `key` with a bitset sharing a bit with
/// `bitset`, oldest pid first. Returns how many.
pub fn wake(key: FutexKey, n: u64, bitset: u32) -> u64 {
    // In batches found in pid order, so a wake never allocates (it must
    // not fail for want of kernel memory: the waiters would sleep for
    // ever) and never holds the task table while waking.
    const BATCH: usize = 32;
    let want = n.min(i32::MAX as u64);
    let mut woken = 0u64;
    let mut from: Pid = 0;
    while woken < want {
        let mut batch = [0 as Pid; BATCH];
        let mut k = 0;
        for (&pid, t) in kernel().tasks.range(from..) {
            if matches!(t.wait, WaitOn::Futex(kk, b, _) if kk == key && b & bitset != 0) {
                batch[k] = pid;
                k += 1;
                if k == BATCH || woken + k as u64 == want {
                    break;
                }
            }
        }
        if k == 0 {
            break;
        }
        for &p in &batch[..k] {
            sched::wake(p);
        }
        woken += k as u64;
        from = batch[k - 1] + 1;
    }
    woken
}

/// The robust futexes of `t`, the thread leaving its address space (exit,
/// execve): Linux's exit_robust_list. Each lock on the list (and the one
/// `list_op_pending` names, half taken or released) whose word still holds
/// `t`'s tid gets FUTEX_OWNER_DIED, keeping FUTEX_WAITERS, and one waiter
/// is woken if there were any; a pending word already 0 wakes one too
/// (the unlock got as far as the store). The walk ends at the head, after
/// ROBUST_LIST_LIMIT entries (a loop), or at a link it cannot read (then
/// without the pending entry, as Linux). Bit 0 of a
/// pointer marks a PI lock: no PI here, so it is treated as a plain one
/// but never woken through this path.
pub fn exit_robust_list(t: &mut crate::task::Task) {
    let head = t.robust_list;
    let tid = t.pid as u32;
    let mm = t.mm.clone();
    let mut wakes: alloc::vec::Vec<FutexKey> = alloc::vec::Vec::new();
    {
        let mut mm = mm.borrow_mut();
        // struct robust_list_head: { next, futex_offset, list_op_pending }.
        let Ok([first, offset, pending]) = read_user::<[u64; 3]>(&mut mm, head) else {
            return;
        };
        if walk_robust_list(&mut mm, head, first, offset, pending, tid, &mut wakes)
            && pending & !1 != 0
        {
            owner_died(&mut mm, pending, offset, tid, true, &mut wakes);
        }
    }
    for key in wakes {
        wake(key, 1, FUTEX_BITSET_MATCH_ANY);
    }
}

/// The entries of the list from `first` up to `head`, but `pending`;
/// false if a link could not be read.
fn walk_robust_list(
    mm: &mut Mm,
    head: u64,
    first: u64,
    offset: u64,
    pending: u64,
    tid: u32,
    wakes: &mut alloc::vec::Vec<FutexKey>,
) -> bool {
    let mut entry = first;
    for _ in 0..abi::linux::futex::ROBUST_LIST_LIMIT {
        if entry & !1 == head {
            break;
        }
        let next = read_user::<u64>(mm, entry & !1);
        if entry & !1 != pending & !1 {
            owner_died(mm, entry, offset, tid, false, wakes);
        }
        match next {
            Ok(n) => entry = n,
            Err(_) => return false,
        }
    }
    true
}

/// One robust lock of a dying owner (Linux's handle_futex_death); the
/// wake-ups are collected, to be done once the mm is no longer borrowed.
fn owner_died(
    mm: &mut Mm,
    entry: u64,
    offset: u64,
    tid: u32,
    pending: bool,
    wakes: &mut alloc::vec::Vec<FutexKey>,
) {
    use abi::linux::futex::{FUTEX_OWNER_DIED, FUTEX_TID_MASK, FUTEX_WAITERS};
    let pi = entry & 1 != 0;
    let uaddr = (entry & !1).wrapping_add(offset);
    if !uaddr.is_multiple_of(4) {
        return;
    }
    let Ok(word) = read_user::<u32>(mm, uaddr) else {
        return;
    };
    let mut wake_one = false;
    if pending && !pi && word == 0 {
        wake_one = true;
    } else if word & FUTEX_TID_MASK == tid {
        let died = (word & FUTEX_WAITERS) | FUTEX_OWNER_DIED;
        if crate::mm::uaccess::write_user(mm, uaddr, &died).is_err() {
            return;
        }
        wake_one = !pi && word & FUTEX_WAITERS != 0;
    }
    if wake_one && wakes.try_reserve(1).is_ok() {
        if let Some(key) = key_of(mm, uaddr, false) {
            wakes.push(key);
        }
    }
}

/// Waits on the word at `uaddr` while it holds `val`, until a wake that
/// matches `bitset`, the TSC `deadline` (0: none) or a signal. A signal
/// makes it ERESTARTSYS (restarted under SA_RESTART) without a deadline,
/// or ERESTART_RESTARTBLOCK with one, so restart_syscall resumes it with
/// the same deadline.
fn futex_wait(uaddr: u64, val: u32, bitset: u32, private: bool, deadline: u64) -> KResult<u64> {
    let (word, key) = with_mm(|mm| {
        let word = read_user::<u32>(mm, uaddr)?;
        Ok::<_, i64>((word, key_of(mm, uaddr, private).ok_or(EFAULT)?))
    })?;
    if word != val {
        return Err(EAGAIN);
    }
    let pid = current().pid;
    current().timed_out = false;
    if deadline != 0 {
        kernel().sleepers.insert((deadline, pid));
        crate::timer::rearm();
    }
    let woken = if crate::signal::pending() {
        false
    } else {
        sched::block(WaitOn::Futex(key, bitset, deadline))
    };
    if deadline != 0 {
        kernel().sleepers.remove(&(deadline, pid));
    }
    let t = current();
    if t.timed_out {
        return Err(ETIMEDOUT);
    }
    if woken || !crate::signal::pending() {
        // Woken, or a spurious wake-up (the caller re-checks its word).
        return Ok(0);
    }
    if deadline == 0 {
        return Err(ERESTARTSYS);
    }
    t.restart = RestartBlock::Futex {
        uaddr,
        val,
        bitset,
        private,
        deadline,
    };
    Err(ERESTART_RESTARTBLOCK)
}

/// restart_syscall's resumption of an interrupted timed futex wait.
pub fn futex_wait_restart(b: RestartBlock) -> KResult<u64> {
    match b {
        RestartBlock::Futex {
            uaddr,
            val,
            bitset,
            private,
            deadline,
        } => {
            if deadline <= crate::arch::rdtsc() {
                return Err(ETIMEDOUT);
            }
            futex_wait(uaddr, val, bitset, private, deadline)
        }
        _ => Err(EINTR),
    }
}

pub fn futex(uaddr: u64, op: u64, val: u64, timeout: u64, _uaddr2: u64, val3: u64) -> KResult<u64> {
    let cmd = op & FUTEX_CMD_MASK;
    let private = op & FUTEX_PRIVATE_FLAG != 0;
    // As Linux 6.x: the clock flag only with an absolute deadline.
    if op & FUTEX_CLOCK_REALTIME != 0 && cmd != FUTEX_WAIT_BITSET {
        return Err(ENOSYS);
    }
    match cmd {
        FUTEX_WAIT | FUTEX_WAIT_BITSET => {
            let bitset = if cmd == FUTEX_WAIT {
                FUTEX_BITSET_MATCH_ANY
            } else {
                val3 as u32
            };
            if bitset == 0 || !uaddr.is_multiple_of(4) {
                return Err(EINVAL);
            }
            let deadline = if timeout == 0 {
                0
            } else {
                let ns = super::time::read_timespec(timeout)?;
                // FUTEX_WAIT: relative; FUTEX_WAIT_BITSET: absolute, on
                // CLOCK_MONOTONIC or (with the flag) CLOCK_REALTIME.
                let left = if cmd == FUTEX_WAIT {
                    ns
                } else if op & FUTEX_CLOCK_REALTIME != 0 {
                    ns.saturating_sub(crate::time::realtime_ns())
                } else {
                    ns.saturating_sub(crate::time::monotonic_ns())
                };
                if left == 0 {
                    // Linux reads the word first: a mismatch is EAGAIN.
                    let word = with_mm(|mm| read_user::<u32>(mm, uaddr))?;
                    if word != val as u32 {
                        return Err(EAGAIN);
                    }
                    return Err(ETIMEDOUT);
                }
                crate::arch::rdtsc().saturating_add(crate::timer::ns_to_tsc(left).max(1))
            };
            futex_wait(uaddr, val as u32, bitset, private, deadline)
        }
        FUTEX_WAKE | FUTEX_WAKE_BITSET => {
            let bitset = if cmd == FUTEX_WAKE {
                FUTEX_BITSET_MATCH_ANY
            } else {
                val3 as u32
            };
            if bitset == 0 || !uaddr.is_multiple_of(4) {
                return Err(EINVAL);
            }
            let key = with_mm(|mm| key_of(mm, uaddr, private)).ok_or(EFAULT)?;
            Ok(wake(key, val, bitset))
        }
        _ => Err(ENOSYS),
    }
}
