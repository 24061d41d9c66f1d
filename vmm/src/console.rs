//! The guest's console: where its fd 1 / fd 2 and the kernel log go and
//! where its fd 0 comes from.
//!
//! The kernel log (everything written to `KERNEL_LOG_FD`) is a channel of
//! its own, apart from the program's output: shown only where it was asked
//! for (`--log`), and otherwise only counted, so that a run that fails can
//! say there was something to see.

use std::fs::File;
use std::io::{ErrorKind, Read, Write};

use abi::linux::errno::{EINTR, EIO};

/// Where the kernel log goes.
pub enum KernelLog {
    /// Nowhere: its lines are only counted.
    Hidden,
    /// The console's stderr, in order with the program's stderr.
    Stderr,
    /// A file of its own.
    File(File),
}

pub struct Console<'a> {
    pub stdout: &'a mut dyn Write,
    pub stderr: &'a mut dyn Write,
    pub stdin: Option<&'a mut dyn Read>,
    stdin_eof: bool,
    log: KernelLog,
    /// Whether the kernel log is at the start of a line (to prefix it).
    klog_line_start: bool,
    /// Kernel log lines begun while the log was [`KernelLog::Hidden`].
    hidden_lines: u64,
}

/// Prefix of each kernel log line.
pub const KLOG_PREFIX: &str = "[guest kernel] ";

impl<'a> Console<'a> {
    pub fn new(
        stdout: &'a mut dyn Write,
        stderr: &'a mut dyn Write,
        stdin: Option<&'a mut dyn Read>,
        log: KernelLog,
    ) -> Self {
        Console {
            stdout,
            stderr,
            stdin,
            stdin_eof: false,
            log,
            klog_line_start: true,
            hidden_lines: 0,
        }
    }

    /// Output to the program's stdout/stderr is written through and flushed,
    /// so nothing is lost if the run ends abruptly (timeout, kernel panic).
    /// A closed host pipe is not the guest's problem: the bytes are dropped.
    pub fn write(&mut self, fd: u32, data: &[u8]) {
        match fd {
            1 => {
                let _ = self
                    .stdout
                    .write_all(data)
                    .and_then(|_| self.stdout.flush());
            }
            2 => {
                let _ = self
                    .stderr
                    .write_all(data)
                    .and_then(|_| self.stderr.flush());
            }
            _ => self.kernel_log(data),
        }
    }

    /// Where the kernel log goes, if anywhere.
    fn log_out(&mut self) -> Option<&mut dyn Write> {
        match &mut self.log {
            KernelLog::Hidden => None,
            KernelLog::Stderr => Some(&mut *self.stderr),
            KernelLog::File(f) => Some(f),
        }
    }

    fn kernel_log(&mut self, data: &[u8]) {
        if matches!(self.log, KernelLog::Hidden) {
            for &b in data {
                if self.klog_line_start {
                    self.hidden_lines += 1;
                }
                self.klog_line_start = b == b'\n';
            }
            return;
        }
        let mut text = Vec::with_capacity(data.len() + 32);
        for &b in data {
            if self.klog_line_start {
                text.extend_from_slice(KLOG_PREFIX.as_bytes());
            }
            text.push(b);
            self.klog_line_start = b == b'\n';
        }
        if let Some(out) = self.log_out() {
            let _ = out.write_all(&text).and_then(|_| out.flush());
        }
    }

    /// Kernel log lines that were not shown anywhere.
    pub fn hidden_log_lines(&self) -> u64 {
        self.hidden_lines
    }

    /// Ends an unterminated kernel log line before vmm prints its own.
    pub fn finish(&mut self) {
        if !self.klog_line_start {
            if let Some(out) = self.log_out() {
                let _ = out.write_all(b"\n").and_then(|_| out.flush());
            }
            self.klog_line_start = true;
        }
        let _ = self.stdout.flush();
        let _ = self.stderr.flush();
    }

    /// Reads into `buf`: the byte count, 0 at end of input (and forever
    /// after), or a negative Linux errno.
    pub fn read(&mut self, buf: &mut [u8]) -> i64 {
        if self.stdin_eof || buf.is_empty() {
            return 0;
        }
        let Some(stdin) = self.stdin.as_mut() else {
            return 0;
        };
        match stdin.read(buf) {
            Ok(0) => {
                self.stdin_eof = true;
                0
            }
            Ok(n) => n as i64,
            // The host's errno is Linux's, as the guest's is.
            Err(e) if e.kind() == ErrorKind::Interrupted => -EINTR,
            Err(e) => e.raw_os_error().map_or(-EIO, |n| -i64::from(n)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernel_log_goes_only_where_asked() {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let mut c = Console::new(&mut out, &mut err, None, KernelLog::Hidden);
        c.write(abi::hypercall::KERNEL_LOG_FD, b"one\ntw");
        c.write(abi::hypercall::KERNEL_LOG_FD, b"o\nthree");
        c.write(2, b"program\n");
        c.finish();
        assert_eq!(c.hidden_log_lines(), 3);
        drop(c);
        assert_eq!(err, b"program\n");

        let (mut out, mut err) = (Vec::new(), Vec::new());
        let mut c = Console::new(&mut out, &mut err, None, KernelLog::Stderr);
        c.write(abi::hypercall::KERNEL_LOG_FD, b"a\nb");
        c.finish();
        assert_eq!(c.hidden_log_lines(), 0);
        drop(c);
        assert_eq!(err, b"[guest kernel] a\n[guest kernel] b\n");
    }
}
