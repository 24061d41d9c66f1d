//! The guest's console: where its fd 1 / fd 2 / kernel log go and where its
//! fd 0 comes from.

use std::io::{ErrorKind, Read, Write};

pub struct Console<'a> {
    pub stdout: &'a mut dyn Write,
    pub stderr: &'a mut dyn Write,
    pub stdin: Option<&'a mut dyn Read>,
    stdin_eof: bool,
    /// Whether the kernel log is at the start of a line (to prefix it).
    klog_line_start: bool,
}

/// Prefix of each kernel log line on stderr.
pub const KLOG_PREFIX: &str = "[guest kernel] ";

impl<'a> Console<'a> {
    pub fn new(
        stdout: &'a mut dyn Write,
        stderr: &'a mut dyn Write,
        stdin: Option<&'a mut dyn Read>,
    ) -> Self {
        Console {
            stdout,
            stderr,
            stdin,
            stdin_eof: false,
            klog_line_start: true,
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

    fn kernel_log(&mut self, data: &[u8]) {
        let mut out = Vec::with_capacity(data.len() + 32);
        for &b in data {
            if self.klog_line_start {
                out.extend_from_slice(KLOG_PREFIX.as_bytes());
            }
            out.push(b);
            self.klog_line_start = b == b'\n';
        }
        let _ = self
            .stderr
            .write_all(&out)
            .and_then(|_| self.stderr.flush());
    }

    /// Ends an unterminated kernel log line before vmm prints its own.
    pub fn finish(&mut self) {
        if !self.klog_line_start {
            let _ = self.stderr.write_all(b"\n");
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
            Err(e) if e.kind() == ErrorKind::Interrupted => -4, // EINTR
            Err(e) => -i64::from(e.raw_os_error().unwrap_or(5)),
        }
    }
}
