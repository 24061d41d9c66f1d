//! Linux's `list_head` as both sides see it: circular, doubly linked, with
//! the head a sentinel embedded in its owner. Pointers are guest virtual
//! addresses (kernel virtual for kernel lists, user virtual for guest-libc's).

use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

#[repr(C)]
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, KnownLayout, Immutable,
)]
pub struct ListHead {
    pub next: u64,
    pub prev: u64,
}
