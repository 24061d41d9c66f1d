//! The kernel's own log, printed by the host on stderr apart from the
//! program's output.

use core::fmt::{self, Write};

use abi::hypercall::KERNEL_LOG_FD;

/// Formats into a fixed buffer (no allocation, usable anywhere) and sends
/// the result in one hypercall.
pub struct FixedBuf<const N: usize> {
    pub buf: [u8; N],
    pub len: usize,
}

impl<const N: usize> FixedBuf<N> {
    pub const fn new() -> Self {
        FixedBuf {
            buf: [0; N],
            len: 0,
        }
    }
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

impl<const N: usize> Write for FixedBuf<N> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let n = s.len().min(N - self.len);
        self.buf[self.len..self.len + n].copy_from_slice(&s.as_bytes()[..n]);
        self.len += n;
        Ok(())
    }
}

pub fn log(args: fmt::Arguments) {
    let mut b = FixedBuf::<512>::new();
    let _ = b.write_fmt(args);
    let _ = b.write_str("\n");
    crate::hypercall::console_write(KERNEL_LOG_FD, b.as_bytes());
}

#[macro_export]
macro_rules! klog {
    ($($arg:tt)*) => { $crate::klog::log(format_args!($($arg)*)) };
}
