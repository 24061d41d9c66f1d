//! The user program: read from disk and checked on the host before any guest
//! memory is spent on it, so that every kind of bad file gets one clear error
//! (the guest kernel checks again: it must survive a `--kernel` paired with
//! anything, and a VMM that skipped these checks).

use std::fs;
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
        if self.pie {
            USER_PIE_BASE
        } else {
            0
        }
    }
}

pub fn load(path: &Path) -> Result<Program> {
    let not_found = |reason: String| Error::ProgramNotFound {
        path: path.to_owned(),
        reason,
    };
    let meta = fs::metadata(path).map_err(|e| not_found(io_reason(&e)))?;
    if meta.is_dir() {
        return Err(not_found("is a directory".into()));
    }
    let bytes = fs::read(path).map_err(|e| not_found(io_reason(&e)))?;
    let checked = check(&bytes).map_err(|reason| Error::NotExecutable {
        path: path.to_owned(),
        reason,
    })?;
    let bias = if checked.pie { USER_PIE_BASE } else { 0 };
    let bytes: Arc<[u8]> = bytes.into();
    let symbols = Symbols::lazy(Source::Shared(bytes.clone()), bias);
    Ok(Program {
        path: path.to_owned(),
        bytes,
        pie: checked.pie,
        image_size: checked.image_size,
        symbols,
    })
}

fn io_reason(e: &std::io::Error) -> String {
    // The OS message without Rust's " (os error N)" suffix.
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_owned(),
        None => s,
    }
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
