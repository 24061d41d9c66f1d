//! Pipes and readiness: poll's event bits (`struct pollfd`'s `events` and
//! `revents`, a C `short`), PIPE_BUF and the pipe capacity (numbers from
//! `linux-raw-sys`).

use linux_raw_sys::general as raw;

named! {
    /// poll's event bits, in strace's order. strace also names
    /// POLL_BUSY_LOOP, a bit of Linux's own that the UAPI headers lack.
    POLL_EVENTS: u16 = [
        POLLIN, POLLPRI, POLLOUT, POLLERR, POLLHUP, POLLNVAL, POLLRDNORM, POLLRDBAND,
        POLLWRNORM, POLLWRBAND, POLLMSG, POLLREMOVE, POLLRDHUP, POLL_BUSY_LOOP = 0x8000,
    ]
}

/// Writes of at most this many bytes to a pipe are atomic: never
/// interleaved with another writer's, never partial.
pub const PIPE_BUF: u64 = raw::PIPE_BUF as u64;

/// A pipe holds this many buffers (Linux's PIPE_DEF_BUFFERS), one page
/// each: 64 KiB when every page is full.
pub const PIPE_DEF_BUFFERS: usize = 16;

/// One pipe buffer: a page.
pub const PIPE_PAGE: usize = 4096;

/// `struct pollfd`.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    zerocopy::FromBytes,
    zerocopy::IntoBytes,
    zerocopy::Immutable,
    zerocopy::KnownLayout,
)]
#[repr(C)]
pub struct Pollfd {
    pub fd: i32,
    pub events: i16,
    pub revents: i16,
}

named! {
    /// epoll's event bits (a 32-bit `events`), in strace's order.
    EPOLL_EVENTS: u32 = [
        EPOLLIN, EPOLLPRI, EPOLLOUT, EPOLLERR, EPOLLHUP, EPOLLNVAL, EPOLLRDNORM,
        EPOLLRDBAND, EPOLLWRNORM, EPOLLWRBAND, EPOLLMSG, EPOLLRDHUP, EPOLLEXCLUSIVE,
        EPOLLWAKEUP, EPOLLONESHOT, EPOLLET,
    ]
}

named! {
    /// epoll_ctl's operations.
    EPOLL_OPS: u64 = [EPOLL_CTL_ADD, EPOLL_CTL_DEL, EPOLL_CTL_MOD]
}

named! {
    /// epoll_create1's flags.
    EPOLL_CREATE_FLAGS: u64 = [EPOLL_CLOEXEC]
}

/// The most events one epoll_wait may ask for (Linux's EP_MAX_EVENTS:
/// INT_MAX over the record's size).
pub const EP_MAX_EVENTS: u64 = i32::MAX as u64 / core::mem::size_of::<EpollEvent>() as u64;

/// `struct epoll_event`: packed on x86_64 (12 bytes).
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    zerocopy::FromBytes,
    zerocopy::IntoBytes,
    zerocopy::Immutable,
    zerocopy::KnownLayout,
    zerocopy::Unaligned,
)]
#[repr(C, packed)]
pub struct EpollEvent {
    pub events: zerocopy::little_endian::U32,
    pub data: zerocopy::little_endian::U64,
}
