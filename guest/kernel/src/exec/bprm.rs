//! The program an execve is about to run (Linux's `linux_binprm`): the file
//! and the names it goes by, the argument and environment strings with the
//! room they may take on the new stack, and the binary formats that turn
//! it into an address space: `#!` scripts (`super::script`), each naming
//! the next file to look at, and static ELF executables (`super::elf`).
//!
//! Everything here runs before execve's point of no return: a failure
//! leaves the caller as it was and is the call's errno.

use alloc::vec::Vec;

use abi::layout::{PAGE_SIZE, USER_SPACE_END};
use abi::linux::fs::{AT_FDCWD, AT_SYMLINK_NOFOLLOW, MAXSYMLINKS};
use abi::linux::resource::RLIMIT_STACK;

use super::{ArgList, Loaded};
use crate::errno::*;
use crate::fs::inode::{try_copy, Inode, Kind};
use crate::fs::{namei, FileKind};
use crate::krc::KRc;
use crate::mm::uaccess::{read_pieces, read_user};
use crate::task::{current, with_mm};

/// The longest argument or environment string, NUL included (Linux's
/// MAX_ARG_STRLEN).
pub const MAX_ARG_STRLEN: usize = 32 * PAGE_SIZE as usize;
/// How much of a file execve reads to tell its format (Linux's
/// BINPRM_BUF_SIZE).
pub const BINPRM_BUF_SIZE: usize = 256;
/// Most strings in argv or envp (Linux's MAX_ARG_STRINGS).
const MAX_ARG_STRINGS: usize = 0x7fff_ffff;
/// Linux's _STK_LIM (the default stack limit) and ARG_MAX (the room the
/// strings always get, whatever the limit).
const STK_LIM: u64 = 8 << 20;
const ARG_MAX: u64 = 32 * PAGE_SIZE;
/// Interpreters one execve follows: a file at depth 5 must be a binary
/// (Linux's exec_binprm), so five scripts may lead to it.
const MAX_DEPTH: usize = 5;
/// The longest `comm` (TASK_COMM_LEN less its NUL).
const COMM_LEN: usize = 15;

/// Strings, each with its NUL, back to back, with where each ends: two
/// allocations however many strings there are.
#[derive(Default)]
pub struct Strings {
    bytes: Vec<u8>,
    ends: Vec<usize>,
}

impl Strings {
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// String `i` without its NUL.
    pub fn get(&self, i: usize) -> &[u8] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.bytes[start..self.ends[i] - 1]
    }

    pub fn push(&mut self, s: &[u8]) -> KResult<()> {
        self.ends.try_reserve(1).map_err(|_| ENOMEM)?;
        self.bytes.try_reserve(s.len() + 1).map_err(|_| ENOMEM)?;
        self.bytes.extend_from_slice(s);
        self.bytes.push(0);
        self.ends.push(self.bytes.len());
        Ok(())
    }

    /// Appends the NUL-terminated string at `addr` in the caller's memory
    /// and returns its size, NUL included: EFAULT if it cannot be read,
    /// E2BIG if no NUL comes within MAX_ARG_STRLEN bytes (Linux's
    /// strnlen_user reads no further, so a fault beyond is not seen).
    pub fn push_user(&mut self, addr: u64) -> KResult<usize> {
        let start = self.bytes.len();
        let copied = self
            .ends
            .try_reserve(1)
            .map_err(|_| ENOMEM)
            .and_then(|_| self.copy_user(addr));
        match copied {
            Ok(len) => {
                self.ends.push(self.bytes.len());
                Ok(len)
            }
            Err(e) => {
                self.bytes.truncate(start);
                Err(e)
            }
        }
    }

    fn copy_user(&mut self, addr: u64) -> KResult<usize> {
        // Read no further than the string may go, nor past user space (a
        // string running into its end faults there, as on Linux).
        let room = USER_SPACE_END.saturating_sub(addr);
        let len = (MAX_ARG_STRLEN as u64).min(room) as usize;
        let mut seen = 0;
        let mut done = false;
        let mut nomem = false;
        let bytes = &mut self.bytes;
        with_mm(|mm| {
            read_pieces(mm, addr, len, |piece| {
                let take = match crate::mm::find_zero(piece) {
                    Some(z) => {
                        done = true;
                        z + 1
                    }
                    None => piece.len(),
                };
                if bytes.try_reserve(take).is_err() {
                    nomem = true;
                    return false;
                }
                bytes.extend_from_slice(&piece[..take]);
                seen += take;
                !done
            })
        })
        .map_err(|_| EFAULT)?;
        if nomem {
            Err(ENOMEM)
        } else if done {
            Ok(seen)
        } else if len < MAX_ARG_STRLEN {
            Err(EFAULT)
        } else {
            Err(E2BIG)
        }
    }

    /// Takes the last string off; returns its size, NUL included.
    pub fn pop(&mut self) -> Option<usize> {
        let end = self.ends.pop()?;
        let start = self.ends.last().copied().unwrap_or(0);
        self.bytes.truncate(start);
        Some(end - start)
    }
}

impl ArgList for Strings {
    fn count(&self) -> usize {
        self.len()
    }
    fn arg(&self, i: usize) -> &[u8] {
        self.get(i)
    }
    fn bytes(&self) -> u64 {
        self.bytes.len() as u64
    }
}

/// Strings kept last first: argv and envp as execve collects them (Linux
/// copies them from the last down, and a script's interpreter takes the
/// place of the first, which is then the last pushed).
struct Reversed<'a>(&'a Strings);

impl ArgList for Reversed<'_> {
    fn count(&self) -> usize {
        self.0.len()
    }
    fn arg(&self, i: usize) -> &[u8] {
        self.0.get(self.0.len() - 1 - i)
    }
    fn bytes(&self) -> u64 {
        self.0.bytes.len() as u64
    }
}

/// A file opened for execution: its inode and its absolute path (the
/// target's, symlinks followed: /proc/PID/exe).
pub struct Exe {
    inode: KRc<Inode>,
    path: Vec<u8>,
}

/// The checks of Linux's may_open for execution: a symlink (not followed)
/// is ELOOP; a directory, a device or anything else that is not a regular
/// file, and a regular file without an execute bit, EACCES (root too).
fn check_exec(inode: &KRc<Inode>) -> KResult<()> {
    let i = inode.borrow();
    if i.is_symlink() {
        return Err(ELOOP);
    }
    if !i.is_regular() || !matches!(i.kind, Kind::Regular(_)) {
        return Err(EACCES);
    }
    i.may_exec()
}

/// The file execve names: `path` from `dirfd` (following a final symlink
/// unless AT_SYMLINK_NOFOLLOW), or with an empty path (AT_EMPTY_PATH,
/// checked by the caller) the file `dirfd` refers to.
fn open_exec(dirfd: u64, path: &[u8], flags: u64) -> KResult<Exe> {
    if path.is_empty() {
        return open_fd(dirfd);
    }
    let follow = flags & AT_SYMLINK_NOFOLLOW == 0;
    let inode = namei::lookup_at(dirfd, path, follow)?;
    check_exec(&inode)?;
    let start = if path[0] == b'/' {
        namei::root()
    } else {
        namei::start_dir(dirfd)?
    };
    let path = real_path(start, path, follow)?;
    Ok(Exe { inode, path })
}

/// The file descriptor `fd` refers to (the cwd for AT_FDCWD): EBADF if
/// it is not open, EACCES for one that is not a file with a name (a pipe,
/// a pidfd), as Linux's may_open finds them.
fn open_fd(fd: u64) -> KResult<Exe> {
    if fd as i32 == AT_FDCWD {
        // The cwd: a directory.
        return Err(EACCES);
    }
    let (file, root) = {
        let t = current();
        let file = t.files.borrow().get(fd).ok_or(EBADF)?.file;
        let root = t.fs.borrow().root.clone();
        (file, root)
    };
    let f = file.borrow();
    let FileKind::Inode(o) = &f.kind else {
        return Err(EACCES);
    };
    check_exec(&o.inode)?;
    Ok(Exe {
        inode: o.inode.clone(),
        path: namei::path_of_open(o, &root)?,
    })
}

/// The absolute path of the file `path` names from `start`, through its
/// symlinks (the last one too when `follow`), for a path the lookup just
/// resolved.
fn real_path(start: KRc<Inode>, path: &[u8], follow: bool) -> KResult<Vec<u8>> {
    let root = namei::root();
    let mut dir = start;
    let mut path = try_copy(path)?;
    let mut links = 0;
    loop {
        if path.first() == Some(&b'/') {
            dir = root.clone();
        }
        let body_len = path.len() - path.iter().rev().take_while(|&&b| b == b'/').count();
        let body = &path[..body_len];
        let (dir_part, name) = match body.iter().rposition(|&b| b == b'/') {
            Some(i) => (&body[..=i], &body[i + 1..]),
            None => (&b""[..], body),
        };
        if !dir_part.is_empty() {
            dir = namei::lookup(&dir, dir_part, true)?;
        }
        // The lookup found a regular file: the name is an entry.
        let child = namei::child(&dir, name)?.ok_or(ENOENT)?;
        let is_link = child.borrow().is_symlink();
        if is_link && follow {
            links += 1;
            if links > MAXSYMLINKS {
                return Err(ELOOP);
            }
            path = namei::link_target(&child)?;
            continue;
        }
        let mut full = namei::path_of_dir(&dir, &root)?;
        if full != b"/" {
            full.try_reserve(1).map_err(|_| ENOMEM)?;
            full.push(b'/');
        }
        full.try_reserve(name.len()).map_err(|_| ENOMEM)?;
        full.extend_from_slice(name);
        return Ok(full);
    }
}

/// What execve has gathered about the program.
pub struct Bprm {
    file: Exe,
    /// The name it was executed by: the path as given, or for a path
    /// relative to a descriptor `/dev/fd/N/path` (`/dev/fd/N` for the
    /// descriptor itself). AT_EXECFN and `comm` come from it; a script
    /// keeps it for its interpreter.
    filename: Vec<u8>,
    /// The name of the file at hand as the next `#!` level puts it into
    /// argv (Linux's `interp`): the filename, then each interpreter's.
    interp: Vec<u8>,
    /// `comm` from the file's own name (execveat of a descriptor).
    comm_from_file: bool,
    /// The filename names a close-on-exec descriptor, gone once the
    /// program runs: a script's interpreter could not open it (ENOENT).
    path_inaccessible: bool,
    argv: Strings,
    envp: Strings,
    /// Bytes the strings take on the new stack, NULs included, and the
    /// most they may (Linux's stack limits for the arguments).
    used: u64,
    limit: u64,
}

impl Bprm {
    /// Opens the file (Linux's alloc_bprm with do_open_execat): the
    /// lookup's errors, then the file's own.
    pub fn open(dirfd: u64, path: &[u8], flags: u64) -> KResult<Bprm> {
        let file = open_exec(dirfd, path, flags)?;
        let relative = dirfd as i32 != AT_FDCWD && path.first() != Some(&b'/');
        let filename = if relative {
            fd_name(dirfd as i32, path)?
        } else {
            try_copy(path)?
        };
        let path_inaccessible = relative
            && current()
                .files
                .borrow()
                .fds
                .get(dirfd as u32 as usize)
                .and_then(|f| f.as_ref())
                .is_some_and(|f| f.cloexec);
        let interp = try_copy(&filename)?;
        Ok(Bprm {
            file,
            filename,
            interp,
            comm_from_file: path.is_empty(),
            path_inaccessible,
            argv: Strings::default(),
            envp: Strings::default(),
            used: 0,
            limit: 0,
        })
    }

    /// Counts argv and envp and sets the room their strings get (Linux's
    /// bprm_stack_limits): a quarter of the stack limit, but at most 6 MiB
    /// and at least 128 KiB, less a pointer per string (argv counted as
    /// one string at least, for the empty one an empty argv gets).
    pub fn count_strings(&mut self, uargv: u64, uenvp: u64) -> KResult<(usize, usize)> {
        let argc = count(uargv)?;
        let envc = count(uenvp)?;
        let rlim = current().signal.borrow().rlim[RLIMIT_STACK as usize].rlim_cur;
        let limit = (STK_LIM / 4 * 3).min(rlim / 4).max(ARG_MAX);
        let pointers = (argc.max(1) as u64 + envc as u64) * 8;
        if limit <= pointers {
            return Err(E2BIG);
        }
        self.limit = limit - pointers;
        Ok((argc, envc))
    }

    /// Copies the strings in Linux's order, each checked as it comes:
    /// the filename, then the environment and the arguments, each from
    /// the last down. An empty argv becomes one empty string.
    pub fn copy_strings(
        &mut self,
        uargv: u64,
        argc: usize,
        uenvp: u64,
        envc: usize,
    ) -> KResult<()> {
        self.account(self.filename.len() as u64 + 1)?;
        for (uptr, n, is_env) in [(uenvp, envc, true), (uargv, argc, false)] {
            for i in (0..n).rev() {
                let at = with_mm(|mm| read_user::<u64>(mm, uptr.wrapping_add(8 * i as u64)))
                    .map_err(|_| EFAULT)?;
                let list = if is_env {
                    &mut self.envp
                } else {
                    &mut self.argv
                };
                let len = list.push_user(at)?;
                self.account(len as u64)?;
            }
        }
        if argc == 0 {
            self.push_arg(b"")?;
        }
        Ok(())
    }

    fn account(&mut self, len: u64) -> KResult<()> {
        self.used += len;
        if self.used > self.limit {
            return Err(E2BIG);
        }
        Ok(())
    }

    /// Puts `s` before the arguments.
    fn push_arg(&mut self, s: &[u8]) -> KResult<()> {
        self.account(s.len() as u64 + 1)?;
        self.argv.push(s)
    }

    /// The first BINPRM_BUF_SIZE bytes of the file at hand, zeros past its
    /// end.
    fn head(&self) -> [u8; BINPRM_BUF_SIZE] {
        let mut head = [0u8; BINPRM_BUF_SIZE];
        if let Kind::Regular(r) = &self.file.inode.borrow().kind {
            r.read_kernel(0, &mut head);
        }
        head
    }

    /// The whole file at hand, in a kernel buffer.
    fn contents(&self) -> KResult<Vec<u8>> {
        let i = self.file.inode.borrow();
        let Kind::Regular(r) = &i.kind else {
            return Err(EACCES);
        };
        let size = usize::try_from(r.size()).map_err(|_| ENOMEM)?;
        let mut buf = Vec::new();
        buf.try_reserve_exact(size).map_err(|_| ENOMEM)?;
        buf.resize(size, 0);
        r.read_kernel(0, &mut buf);
        Ok(buf)
    }

    /// Turns the file into an address space (Linux's exec_binprm with
    /// search_binary_handler): a script hands over to its interpreter,
    /// up to MAX_DEPTH times (then ELOOP); an ELF executable is loaded;
    /// anything else is ENOEXEC.
    pub fn load(mut self) -> KResult<Loaded> {
        for depth in 0.. {
            if depth > MAX_DEPTH {
                return Err(ELOOP);
            }
            let head = self.head();
            if let Some(line) = super::script::parse(&head) {
                self.interpreter(line?)?;
                continue;
            }
            if head[..4] == *b"\x7fELF" {
                return self.load_elf();
            }
            return Err(ENOEXEC);
        }
        unreachable!("the depth loop returns")
    }

    /// A `#!` line: argv becomes the interpreter, its argument if any, the
    /// script's name, then the script's arguments after the first; the
    /// interpreter is the file to look at next.
    fn interpreter(&mut self, line: super::script::Shebang) -> KResult<()> {
        if self.path_inaccessible {
            return Err(ENOENT);
        }
        if let Some(len) = self.argv.pop() {
            self.used -= len as u64;
        }
        let interp = core::mem::take(&mut self.interp);
        self.push_arg(&interp)?;
        if let Some(arg) = line.arg() {
            self.push_arg(arg)?;
        }
        self.push_arg(line.name())?;
        self.interp = try_copy(line.name())?;
        self.file = open_exec(AT_FDCWD as i64 as u64, line.name(), 0)?;
        Ok(())
    }

    /// A static ELF executable into a new address space with the strings
    /// on its stack. A program that asks for an interpreter (PT_INTERP)
    /// gets the interpreter's lookup errors, as on Linux, and ENOEXEC if it
    /// exists: dynamic loading is not supported.
    fn load_elf(self) -> KResult<Loaded> {
        let image = self.contents()?;
        if let Some(interp) = super::elf::interp(&image).map_err(|e| e.errno)? {
            open_exec(AT_FDCWD as i64 as u64, interp, 0)?;
            return Err(ENOEXEC);
        }
        let argv = Reversed(&self.argv);
        let envp = Reversed(&self.envp);
        let mut loaded =
            super::exec(&image, None, &self.filename, &argv, &envp).map_err(|e| e.errno)?;
        drop(image);
        let comm = if self.comm_from_file {
            &self.file.path
        } else {
            &self.filename
        };
        let base = comm.rsplit(|&b| b == b'/').next().unwrap_or(b"");
        loaded.mm.comm = Some(try_copy(&base[..base.len().min(COMM_LEN)])?);
        loaded.mm.exe = Some(self.file.path);
        Ok(loaded)
    }
}

/// `/dev/fd/N/path`, or `/dev/fd/N` for an empty path: how Linux names a
/// program found through a descriptor.
fn fd_name(fd: i32, path: &[u8]) -> KResult<Vec<u8>> {
    let mut digits = [0u8; 11];
    let mut at = digits.len();
    let mut n = fd.unsigned_abs();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    let mut name = Vec::new();
    name.try_reserve_exact(b"/dev/fd/-/".len() + digits.len() + path.len())
        .map_err(|_| ENOMEM)?;
    name.extend_from_slice(b"/dev/fd/");
    if fd < 0 {
        name.push(b'-');
    }
    name.extend_from_slice(&digits[at..]);
    if !path.is_empty() {
        name.push(b'/');
        name.extend_from_slice(path);
    }
    Ok(name)
}

/// The strings of a NULL-terminated pointer array in the caller's memory
/// (NULL itself: none). EFAULT if a pointer cannot be read.
fn count(uptr: u64) -> KResult<usize> {
    if uptr == 0 {
        return Ok(0);
    }
    let mut n = 0usize;
    loop {
        let p = with_mm(|mm| read_user::<u64>(mm, uptr.wrapping_add(8 * n as u64)))
            .map_err(|_| EFAULT)?;
        if p == 0 {
            return Ok(n);
        }
        if n >= MAX_ARG_STRINGS {
            return Err(E2BIG);
        }
        n += 1;
    }
}
