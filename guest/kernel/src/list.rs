//! Intrusive circular lists over `abi::list::ListHead` (Linux's
//! `list_head`), for the records the host walks: all tasks, the run queue,
//! a group's threads, a process's children. Heads and nodes are embedded in
//! records that never move (boxed tasks, KRc objects, the roots static).
//!
//! Invariant: a node is either linked in exactly one list or points at
//! itself (`list_empty`); `list_del` leaves it pointing at itself so a
//! second delete is harmless.

use abi::list::ListHead;

pub fn init(head: *mut ListHead) {
    // SAFETY (all functions here): callers pass heads and nodes embedded in
    // live kernel records; one CPU, interrupts off.
    unsafe {
        (*head).next = head as u64;
        (*head).prev = head as u64;
    }
}

pub fn is_empty(head: *const ListHead) -> bool {
    unsafe { (*head).next == head as u64 }
}

/// Links `node` at the tail of `head`.
pub fn add_tail(node: *mut ListHead, head: *mut ListHead) {
    unsafe {
        let prev = (*head).prev as *mut ListHead;
        (*node).next = head as u64;
        (*node).prev = prev as u64;
        (*prev).next = node as u64;
        (*head).prev = node as u64;
    }
}

/// Unlinks `node` (if linked) and makes it empty.
pub fn del(node: *mut ListHead) {
    unsafe {
        let next = (*node).next as *mut ListHead;
        let prev = (*node).prev as *mut ListHead;
        if next.is_null() || prev.is_null() {
            init(node);
            return;
        }
        (*prev).next = next as u64;
        (*next).prev = prev as u64;
    }
    init(node);
}

/// Puts `new` where `old` is linked (same neighbours, same position) and
/// makes `old` empty; `new` must not be linked anywhere.
pub fn replace(old: *mut ListHead, new: *mut ListHead) {
    unsafe {
        let next = (*old).next as *mut ListHead;
        let prev = (*old).prev as *mut ListHead;
        if next == old {
            init(new);
        } else {
            (*new).next = next as u64;
            (*new).prev = prev as u64;
            (*prev).next = new as u64;
            (*next).prev = new as u64;
        }
    }
    init(old);
}

/// The nodes of `head` in order, as raw node addresses. The caller must not
/// unlink the node it holds before advancing (collect first if it does).
pub fn iter(head: *const ListHead) -> impl Iterator<Item = *mut ListHead> {
    let mut at = unsafe { (*head).next };
    core::iter::from_fn(move || {
        if at == head as u64 {
            return None;
        }
        let node = at as *mut ListHead;
        at = unsafe { (*node).next };
        Some(node)
    })
}

/// Linux's `container_of`: the record holding the node at `offset`.
#[macro_export]
macro_rules! container_of {
    ($node:expr, $T:ty, $field:ident) => {
        ($node as *mut u8).wrapping_sub(core::mem::offset_of!($T, $field)) as *mut $T
    };
}
