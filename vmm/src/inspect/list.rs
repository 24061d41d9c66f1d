//! Walking a circular doubly linked list (`abi::list::ListHead`, Linux's
//! `list_head`) in untrusted guest memory, through any [`GuestMem`]: the
//! kernel's lists in kernel memory, guest-libc's in a process's user
//! memory. Bounded, cycle-checked and back-link-checked, so a corrupt list
//! is an error, never a loop or a panic.

use abi::list::ListHead;

use super::guest_mem::{GuestMem, GuestMemExt, ReadError};

/// Why a list could not be walked.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ListError {
    #[error("head unreadable: {0}")]
    Head(ReadError),
    #[error("node {at:#x} unreadable: {err}")]
    Node { at: u64, err: ReadError },
    #[error("more than {0} nodes")]
    TooLong(usize),
    #[error("node {0:#x} is linked twice (a cycle)")]
    Cycle(u64),
    #[error("node {at:#x} has prev {prev:#x}, but is reached from {from:#x}")]
    BadLink { at: u64, prev: u64, from: u64 },
    #[error("head's prev is {prev:#x}, but the last node is {last:#x}")]
    BadHeadPrev { prev: u64, last: u64 },
}

/// The records on the circular list at `head`, whose nodes sit at
/// `node_offset` in their records, in list order (the records' addresses,
/// node minus offset, wrapping). At most `max` of them; every back link
/// is checked.
///
/// No set of visited nodes: the first node reached a second time always
/// fails its back-link check. Say it is reached at step k, first at step
/// j < k, and steps 1..k-1 reached distinct nodes. Its prev passed at step
/// j, so it is the node of step j-1 (the head if j = 1); to pass now it
/// would also have to be the node of step k-1, which is not the head (the
/// walk stops there) and not the node of step j-1 (steps 1..k-1 are
/// distinct). Memory reads the same both times: the guest is stopped. So
/// the nodes already walked are searched only when a back link fails, to
/// tell a cycle from a bad link.
pub fn walk<M: GuestMem>(
    mem: &M,
    head: u64,
    node_offset: usize,
    max: usize,
) -> Result<Vec<u64>, ListError> {
    let record = |node: u64| node.wrapping_sub(node_offset as u64);
    let first: ListHead = mem.get(head).map_err(ListError::Head)?;
    let mut out = Vec::new();
    let (mut prev, mut at) = (head, first.next);
    while at != head {
        if out.len() >= max {
            return Err(ListError::TooLong(max));
        }
        let node: ListHead = mem.get(at).map_err(|err| ListError::Node { at, err })?;
        if node.prev != prev {
            if out.contains(&record(at)) {
                return Err(ListError::Cycle(at));
            }
            return Err(ListError::BadLink {
                at,
                prev: node.prev,
                from: prev,
            });
        }
        out.push(record(at));
        (prev, at) = (at, node.next);
    }
    // The head read again would read the same: the guest is stopped.
    if first.prev != prev {
        return Err(ListError::BadHeadPrev {
            prev: first.prev,
            last: prev,
        });
    }
    Ok(out)
}
