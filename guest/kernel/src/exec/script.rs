//! `#!` scripts (Linux's binfmt_script): the first line of the file names
//! an interpreter and at most one argument, which execve runs instead with
//! the script's name among its arguments.
//!
//! Only the first [`BINPRM_BUF_SIZE`] bytes are looked at (zeros past the
//! end of a shorter file). The line ends at the first newline in them; with
//! none, it ends at the buffer's last byte, provided the interpreter's name
//! is followed by a space, tab or NUL somewhere before that (else it may
//! have been cut, and the file is not run). Spaces and tabs before the
//! name and at the end of the line are dropped; the name ends at the first
//! space, tab or NUL; the argument is the rest of the line after the blanks
//! that follow the name, inner blanks included. A NUL ends either string.

use super::bprm::BINPRM_BUF_SIZE;
use crate::errno::{KResult, ENOEXEC};

/// The interpreter line of a script.
pub struct Shebang {
    line: [u8; BINPRM_BUF_SIZE],
    name: usize,
    arg: Option<usize>,
}

impl Shebang {
    /// The interpreter's path.
    pub fn name(&self) -> &[u8] {
        c_string(&self.line[self.name..])
    }

    /// Its one argument, if the line has one.
    pub fn arg(&self) -> Option<&[u8]> {
        self.arg.map(|a| c_string(&self.line[a..]))
    }
}

/// Up to the first NUL.
fn c_string(b: &[u8]) -> &[u8] {
    let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
    &b[..end]
}

fn blank(c: u8) -> bool {
    c == b' ' || c == b'\t'
}

/// `None` if the file does not start with `#!` (not a script); ENOEXEC
/// for a line without an interpreter, or one that may have been cut.
pub fn parse(head: &[u8; BINPRM_BUF_SIZE]) -> Option<KResult<Shebang>> {
    if head[0] != b'#' || head[1] != b'!' {
        return None;
    }
    Some(parse_line(head))
}

fn parse_line(head: &[u8; BINPRM_BUF_SIZE]) -> KResult<Shebang> {
    let last = BINPRM_BUF_SIZE - 1;
    // Searches over [from, to], both included (an index past `to` is
    // never returned).
    let first_not_blank = |from: usize, to: usize| (from..=to).find(|&i| !blank(head[i]));
    let first_end = |from: usize, to: usize| (from..=to).find(|&i| blank(head[i]) || head[i] == 0);
    let mut end = match head.iter().position(|&c| c == b'\n') {
        Some(nl) => nl,
        None => {
            let name = first_not_blank(2, last).ok_or(ENOEXEC)?;
            first_end(name, last).ok_or(ENOEXEC)?;
            last
        }
    };
    // head[1] is '!': the trim stops there at the latest.
    while blank(head[end - 1]) {
        end -= 1;
    }
    let name = match first_not_blank(2, end) {
        Some(n) if n != end => n,
        _ => return Err(ENOEXEC),
    };
    let sep = first_end(name, end);
    let arg = match sep {
        Some(s) if head[s] != 0 => first_not_blank(s, end),
        _ => None,
    };
    let mut line = *head;
    line[end] = 0;
    if let (Some(s), Some(_)) = (sep, arg) {
        line[s] = 0;
    }
    Ok(Shebang { line, name, arg })
}
