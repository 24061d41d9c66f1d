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
