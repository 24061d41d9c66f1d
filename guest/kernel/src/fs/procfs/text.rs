//! The text a generated file is built in: fallible, bounded growth.

use alloc::vec::Vec;
use core::fmt;

use crate::errno::*;

/// Most bytes one generated file may hold (a maps of tens of thousands of
/// VMAs; argument strings are at most a quarter of the stack limit).
const MAX_TEXT: usize = 4 << 20;

/// A generated file's text, grown in fallible steps up to `MAX_TEXT`.
pub struct Text(pub Vec<u8>);

impl Text {
    pub fn new() -> Text {
        Text(Vec::new())
    }

    pub fn bytes(&mut self, b: &[u8]) -> KResult<()> {
        if self.0.len() + b.len() > MAX_TEXT {
            return Err(ENOMEM);
        }
        self.0.try_reserve(b.len()).map_err(|_| ENOMEM)?;
        self.0.extend_from_slice(b);
        Ok(())
    }

    /// Appends formatted text (`format_args!`).
    pub fn put(&mut self, args: fmt::Arguments) -> KResult<()> {
        struct W<'a>(&'a mut Text, i64);
        impl fmt::Write for W<'_> {
            fn write_str(&mut self, s: &str) -> fmt::Result {
                self.0.bytes(s.as_bytes()).map_err(|e| {
                    self.1 = e;
                    fmt::Error
                })
            }
        }
        let mut w = W(self, ENOMEM);
        fmt::write(&mut w, args).map_err(|_| w.1)
    }

    /// Spaces up to column `col` (Linux's seq_pad).
    pub fn pad_to(&mut self, line_start: usize, col: usize) -> KResult<()> {
        while self.0.len() - line_start < col {
            self.bytes(b" ")?;
        }
        Ok(())
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }
}
