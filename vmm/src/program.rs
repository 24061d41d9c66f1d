//! The user program: read from disk and checked on the host before any guest
//! memory is spent on it, so that every kind of bad file gets one clear error
//! (the guest kernel checks again: it must survive a `--kernel` paired with
//! anything, and a VMM that skipped these checks).

use std::ffi::OsStr;
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use abi::layout::{PAGE_SIZE, USER_PIE_BASE, USER_SPACE_END};
use object::elf;
use object::read::elf::{FileHeader, ProgramHeader};
use object::LittleEndian as LE;

use crate::error::{Error, Result};
use std::sync::Arc;

use crate::symbols::{Source, Symbols};

/// A program that passed every host-side check.
pub struct Program {
    pub path: PathBuf,
    pub bytes: Arc<[u8]>,
    /// Static-PIE (`ET_DYN`): loaded at [`USER_PIE_BASE`].
    pub pie: bool,
    /// Bytes of guest memory the loaded segments span (page-rounded).
    pub image_size: u64,
    pub symbols: Symbols,
}

impl Program {
    /// Virtual address the kernel adds to the ELF's addresses.
    pub fn load_bias(&self) -> u64 {
        load_bias(self.pie)
    }
}

/// Where the kernel puts a static-PIE program (0: a fixed-address one).
fn load_bias(pie: bool) -> u64 {
    if pie {
        USER_PIE_BASE
    } else {
        0
    }
}

/// Reads and checks the program at `path`.
pub fn load(path: &Path) -> Result<Program> {
    let not_found = |source: std::io::Error| Error::ProgramNotFound {
        path: path.to_owned(),
        source,
    };
    let not_executable = |reason: String| Error::NotExecutable {
        path: path.to_owned(),
        reason,
    };
    let meta = fs::metadata(path).map_err(not_found)?;
    if meta.is_dir() {
        // As a shell: found, but not something that can be executed.
        return Err(not_executable("is a directory".into()));
    }
    // As execve: a file without execute permission for this user is not
    // run, even though vmm could read it.
    if !executable(path) {
        return Err(not_executable(
            "Permission denied (not executable; chmod +x it)".into(),
        ));
    }
    let bytes = fs::read(path).map_err(not_found)?;
    if let Some(interpreter) = script_interpreter(&bytes) {
        return Err(not_executable(format!(
            "is a script for {interpreter}, not an ELF executable: run a static build of its interpreter with it, e.g. vmm run {interpreter} {}",
            path.display()
        )));
    }
    let checked = check(&bytes).map_err(not_executable)?;
    let bytes: Arc<[u8]> = bytes.into();
    let symbols = Symbols::lazy(Source::Shared(bytes.clone()), load_bias(checked.pie));
    Ok(Program {
        path: path.to_owned(),
        bytes,
        pie: checked.pie,
        image_size: checked.image_size,
        symbols,
    })
}

/// The interpreter (and its argument) of a `#!` script.
fn script_interpreter(bytes: &[u8]) -> Option<String> {
    let rest = bytes.strip_prefix(b"#!")?;
    let line = rest.split(|&b| b == b'\n').next().unwrap_or(rest);
    let line = String::from_utf8_lossy(line);
    let words: Vec<&str> = line.split_whitespace().collect();
    Some(if words.is_empty() {
        "(no interpreter named)".into()
    } else {
        words.join(" ")
    })
}

/// Where the program is: `name` itself when it contains a `/`; otherwise
/// the first executable regular file `dir/name` for `dir` in `path_var` (a
/// shell's `PATH`; unset: `/bin:/usr/bin`; an empty entry is the current
/// directory), as execvp and a shell look it up. A name found only as
/// files that are not executable is a permission error (status 126), one
/// found nowhere "not found" (127).
pub fn resolve(name: &Path, path_var: Option<&OsStr>) -> Result<PathBuf> {
    let bytes = name.as_os_str().as_bytes();
    if bytes.is_empty() || bytes.contains(&b'/') {
        return Ok(name.to_owned());
    }
    let path_var = path_var.unwrap_or(OsStr::new("/bin:/usr/bin"));
    let mut denied = None;
    for dir in path_var.as_bytes().split(|&b| b == b':') {
        let dir = if dir.is_empty() { &b"."[..] } else { dir };
        let candidate = Path::new(OsStr::from_bytes(dir)).join(name);
        if fs::metadata(&candidate).is_ok_and(|m| m.is_file()) {
            if executable(&candidate) {
                return Ok(candidate);
            }
            denied.get_or_insert(candidate);
        }
    }
    Err(match denied {
        Some(path) => Error::NotExecutable {
            path,
            reason: "Permission denied (found in PATH, not executable)".into(),
        },
        None => Error::NotInPath {
            name: name.to_string_lossy().into_owned(),
        },
    })
}

/// Whether this process may execute `path` (access(2) with X_OK).
fn executable(path: &Path) -> bool {
    let Ok(c) = std::ffi::CString::new(path.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: `c` is a NUL-terminated string that outlives the call.
    unsafe { libc::access(c.as_ptr(), libc::X_OK) == 0 }
}

/// What [`check`] learned about a valid program.
#[derive(Debug, PartialEq, Eq)]
pub struct Checked {
    pub pie: bool,
    pub image_size: u64,
}

fn machine_name(m: elf::Machine) -> String {
    let known = [
        (elf::EM_386, "i386"),
        (elf::EM_ARM, "32-bit ARM"),
        (elf::EM_AARCH64, "aarch64"),
        (elf::EM_RISCV, "RISC-V"),
        (elf::EM_PPC64, "ppc64"),
        (elf::EM_S390, "s390"),
    ];
    match known.iter().find(|k| k.0 == m) {
        Some(k) => k.1.to_string(),
        None => format!("machine {}", m.0),
    }
}

/// `e_ident` indices.
const EI_CLASS: usize = 4;
const EI_DATA: usize = 5;

/// Checks that `data` is a static x86_64 Linux executable we can load.
pub fn check(data: &[u8]) -> std::result::Result<Checked, String> {
    if data.len() < 4 || data[..4] != elf::ELFMAG {
        return Err("not an ELF executable".into());
    }
    if data.len() < 6 {
        return Err("truncated ELF header".into());
    }
    let class = data[EI_CLASS];
    if class == elf::ELFCLASS32.0 {
        return Err("is a 32-bit ELF; only 64-bit x86_64 executables are supported".into());
    }
    if class != elf::ELFCLASS64.0 {
        return Err(format!("invalid ELF class {class}"));
    }
    if data[EI_DATA] != elf::ELFDATA2LSB.0 {
        return Err("is a big-endian ELF; only x86_64 executables are supported".into());
    }
    let hdr =
        elf::FileHeader64::<LE>::parse(data).map_err(|_| "truncated ELF header".to_string())?;
    let machine = hdr.e_machine(LE);
    if machine != elf::EM_X86_64 {
        return Err(format!(
            "is built for {}, not x86_64",
            machine_name(machine)
        ));
    }
    let pie = match hdr.e_type(LE) {
        t if t == elf::ET_EXEC => false,
        t if t == elf::ET_DYN => true,
        t => return Err(format!("is not an executable (ELF type {})", t.0)),
    };
    let phdrs = hdr.program_headers(LE, data).map_err(|_| {
        "truncated: the program headers extend past the end of the file".to_string()
    })?;
    if hdr.e_phnum(LE) > 0
        && usize::from(hdr.e_phentsize(LE)) != size_of::<elf::ProgramHeader64<LE>>()
    {
        return Err("invalid program header size".into());
    }

    for ph in phdrs {
        if ph.p_type(LE) == elf::PT_INTERP {
            let interp = ph.data(LE, data).ok().map(|d| {
                String::from_utf8_lossy(d.split(|b| *b == 0).next().unwrap_or(d)).into_owned()
            });
            return Err(match interp {
                Some(i) => format!(
                    "is dynamically linked (interpreter {i}); only static executables are supported"
                ),
                None => "is dynamically linked; only static executables are supported".into(),
            });
        }
        if ph.p_type(LE) == elf::PT_DYNAMIC && needs_libraries(ph, data) {
            return Err("needs shared libraries; only static executables are supported".into());
        }
    }

    let bias = if pie { USER_PIE_BASE } else { 0 };
    let mut loads: Vec<(usize, u64, u64)> = Vec::new();
    let mut image_size = 0u64;
    for (i, ph) in phdrs.iter().enumerate() {
        if ph.p_type(LE) != elf::PT_LOAD {
            continue;
        }
        let (off, filesz, vaddr, memsz) = (
            ph.p_offset(LE),
            ph.p_filesz(LE),
            ph.p_vaddr(LE),
            ph.p_memsz(LE),
        );
        let file_end = off.checked_add(filesz);
        if file_end.is_none_or(|end| end > data.len() as u64) {
            return Err(format!(
                "truncated: segment {i} needs file bytes up to {:#x} but the file has {:#x}",
                off as u128 + filesz as u128,
                data.len()
            ));
        }
        if filesz > memsz {
            return Err(format!(
                "segment {i}: file size is larger than its memory size"
            ));
        }
        if vaddr % PAGE_SIZE != off % PAGE_SIZE {
            return Err(format!(
                "segment {i}: address {vaddr:#x} and file offset {off:#x} differ modulo the page size"
            ));
        }
        let start = vaddr.checked_add(bias);
        let end = start.and_then(|s| s.checked_add(memsz));
        match (start, end) {
            (Some(s), Some(e)) if s >= PAGE_SIZE && e <= USER_SPACE_END => {
                image_size += e.div_ceil(PAGE_SIZE) * PAGE_SIZE - s / PAGE_SIZE * PAGE_SIZE;
                loads.push((i, s, e));
            }
            _ => return Err(format!("segment {i} lies outside the user address space")),
        }
    }
    if loads.is_empty() {
        return Err("has no loadable segments".into());
    }
    loads.sort_by_key(|l| l.1);
    for pair in loads.windows(2) {
        let ((a, _, a_end), (b, b_start, _)) = (pair[0], pair[1]);
        if a_end > b_start {
            return Err(format!("segments {a} and {b} overlap"));
        }
    }
    let entry = hdr.e_entry(LE).wrapping_add(bias);
    if !loads.iter().any(|&(_, s, e)| (s..e).contains(&entry)) {
        return Err(format!(
            "entry point {entry:#x} is outside the loaded segments"
        ));
    }
    Ok(Checked { pie, image_size })
}

/// Whether a `PT_DYNAMIC` segment names shared libraries (`DT_NEEDED`).
fn needs_libraries(ph: &elf::ProgramHeader64<LE>, data: &[u8]) -> bool {
    let Ok(dynamic) = ph.data(LE, data) else {
        return false;
    };
    dynamic
        .chunks_exact(16)
        .map(|e| u64::from_le_bytes(e[..8].try_into().unwrap()))
        .take_while(|tag| *tag != 0) // DT_NULL
        .any(|tag| tag == 1) // DT_NEEDED
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn scratch_dir(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("vmm-resolve-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        fs::create_dir_all(&d).unwrap();
        d
    }

    fn file(dir: &Path, name: &str, mode: u32) -> PathBuf {
        let p = dir.join(name);
        fs::write(&p, b"x").unwrap();
        fs::set_permissions(&p, fs::Permissions::from_mode(mode)).unwrap();
        p
    }

    #[test]
    fn path_lookup_follows_execvp() {
        let (a, b, c) = (scratch_dir("a"), scratch_dir("b"), scratch_dir("c"));
        file(&a, "prog", 0o644);
        let run = file(&b, "prog", 0o755);
        fs::create_dir(c.join("prog")).unwrap();
        let path = |dirs: &[&Path]| std::env::join_paths(dirs).unwrap();
        // A directory and a file without x are passed over for the first
        // executable regular file.
        let got = resolve(Path::new("prog"), Some(&path(&[&c, &a, &b]))).unwrap();
        assert_eq!(got, run);
        // Found, but never executable: permission denied (126).
        let e = resolve(Path::new("prog"), Some(&path(&[&c, &a]))).unwrap_err();
        assert_eq!(e.exit_code(), 126, "{e}");
        let denied = a.join("prog").display().to_string();
        assert!(e.to_string().contains(&denied), "{e}");
        // Not found: 127.
        let e = resolve(Path::new("nothing"), Some(&path(&[&a, &b]))).unwrap_err();
        assert_eq!(e.exit_code(), 127, "{e}");
        // A name with a slash is never looked up.
        let rel = Path::new("sub/prog");
        assert_eq!(resolve(rel, Some(&path(&[&b]))).unwrap(), rel);
        for d in [a, b, c] {
            let _ = fs::remove_dir_all(d);
        }
    }

    #[test]
    fn scripts_name_their_interpreter() {
        assert_eq!(
            script_interpreter(b"#!/bin/sh\necho\n").as_deref(),
            Some("/bin/sh")
        );
        assert_eq!(
            script_interpreter(b"#! /usr/bin/env  python3 \n").as_deref(),
            Some("/usr/bin/env python3")
        );
        assert_eq!(script_interpreter(b"\x7fELF"), None);
    }
}
