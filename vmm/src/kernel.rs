//! The guest kernel image: checked (ELF shape, physical placement, ABI layout
//! version) and loaded into guest memory with linux-loader.

use std::borrow::Cow;
use std::io::Cursor;

use abi::layout::{KERNEL_MAP_SIZE, KERNEL_PHYS_BASE, KERNEL_SPACE_START, PAGE_SIZE};
use linux_loader::loader::{elf::Elf, KernelLoader};
use object::elf;
use object::read::elf::{FileHeader, ProgramHeader};
use object::{LittleEndian as LE, Object, ObjectSection, ObjectSymbol};
use vm_memory::GuestMemoryMmap;

use crate::config::KernelSource;
use crate::error::{Error, Result};
use crate::symbols::{Source, Symbols};

pub struct KernelImage {
    /// "embedded" or the file name, for messages.
    pub name: String,
    pub bytes: Cow<'static, [u8]>,
    pub entry: u64,
    /// End (exclusive, page-aligned) of the highest segment in physical memory.
    pub phys_end: u64,
    pub symbols: Symbols,
}

pub fn open(source: &KernelSource) -> Result<KernelImage> {
    let (name, bytes) = match source {
        KernelSource::Embedded => (
            "(embedded)".to_string(),
            Cow::Borrowed(crate::EMBEDDED_KERNEL),
        ),
        KernelSource::File(path) => {
            let name = path.display().to_string();
            let bytes = std::fs::read(path).map_err(|source| Error::KernelRead {
                path: path.clone(),
                source,
            })?;
            (name, Cow::Owned(bytes))
        }
    };
    let fail = |reason: String| Error::Kernel {
        source_name: name.clone(),
        reason,
    };
    let (entry, phys_end) = check(&bytes).map_err(fail)?;
    let source = match &bytes {
        Cow::Borrowed(b) => Source::Static(b),
        Cow::Owned(v) => Source::Shared(v.as_slice().into()),
    };
    let symbols = Symbols::lazy(source, 0);
    Ok(KernelImage {
        name,
        bytes,
        entry,
        phys_end,
        symbols,
    })
}

/// Checks the ELF and the layout-version word; returns (entry, phys_end).
fn check(data: &[u8]) -> std::result::Result<(u64, u64), String> {
    let hdr =
        elf::FileHeader64::<LE>::parse(data).map_err(|_| "is not a 64-bit ELF file".to_string())?;
    if hdr.e_machine(LE) != elf::EM_X86_64 || hdr.e_type(LE) != elf::ET_EXEC {
        return Err("is not an x86_64 ELF executable".into());
    }
    let entry = hdr.e_entry(LE);
    if entry < KERNEL_SPACE_START {
        return Err(format!(
            "entry point {entry:#x} is not in the kernel's address range; not a threadlab kernel (or one built for another layout)"
        ));
    }
    let phdrs = hdr
        .program_headers(LE, data)
        .map_err(|_| "truncated program headers".to_string())?;
    let mut phys_end = 0;
    for ph in phdrs.iter().filter(|p| p.p_type(LE) == elf::PT_LOAD) {
        let (paddr, memsz) = (ph.p_paddr(LE), ph.p_memsz(LE));
        let end = paddr
            .checked_add(memsz)
            .ok_or("segment address overflows")?;
        if paddr < KERNEL_PHYS_BASE || end > KERNEL_MAP_SIZE {
            return Err(format!(
                "segment at physical {paddr:#x}..{end:#x} is outside {KERNEL_PHYS_BASE:#x}..{KERNEL_MAP_SIZE:#x}"
            ));
        }
        let file_end = ph.p_offset(LE).checked_add(ph.p_filesz(LE));
        if file_end.is_none_or(|e| e > data.len() as u64) {
            return Err("truncated segment".into());
        }
        phys_end = phys_end.max(end);
    }
    if phys_end == 0 {
        return Err("has no loadable segments".into());
    }
    let version = layout_version(data)?;
    if version != abi::LAYOUT_VERSION {
        return Err(format!(
            "was built for ABI layout version {version}, this vmm speaks version {}; rebuild the kernel",
            abi::LAYOUT_VERSION
        ));
    }
    Ok((entry, phys_end.div_ceil(PAGE_SIZE) * PAGE_SIZE))
}

/// The address of symbol `name` in the kernel (for the host's inspection
/// roots); an error if the kernel does not export it.
pub fn symbol_address(image: &KernelImage, name: &str) -> Result<u64> {
    let fail = |reason: String| Error::Kernel {
        source_name: image.name.clone(),
        reason,
    };
    let file = object::File::parse(&image.bytes[..])
        .map_err(|e| fail(format!("cannot parse ELF: {e}")))?;
    file.symbols()
        .find(|s| s.name() == Ok(name))
        .map(|s| s.address())
        .ok_or_else(|| {
            fail(format!(
                "has no {name} symbol; cannot inspect it (stripped?)"
            ))
        })
}

/// The kernel's `ABI_LAYOUT_VERSION` word, read from the file.
fn layout_version(data: &[u8]) -> std::result::Result<u32, String> {
    let file = object::File::parse(data).map_err(|e| format!("cannot parse ELF: {e}"))?;
    let missing = || {
        format!(
            "has no {} symbol; not a threadlab kernel (or it was stripped)",
            abi::LAYOUT_VERSION_SYMBOL
        )
    };
    let sym = file
        .symbols()
        .find(|s| s.name() == Ok(abi::LAYOUT_VERSION_SYMBOL))
        .ok_or_else(missing)?;
    let section = sym
        .section_index()
        .and_then(|i| file.section_by_index(i).ok())
        .ok_or_else(missing)?;
    let bytes = section.data().map_err(|_| missing())?;
    let off = sym
        .address()
        .checked_sub(section.address())
        .ok_or_else(missing)? as usize;
    let word = bytes.get(off..off + 4).ok_or_else(missing)?;
    Ok(u32::from_le_bytes(word.try_into().unwrap()))
}

/// Copies the kernel's segments to their physical addresses.
pub fn load(image: &KernelImage, mem: &GuestMemoryMmap, mem_size: u64) -> Result<()> {
    if image.phys_end > mem_size {
        return Err(Error::Kernel {
            source_name: image.name.clone(),
            reason: format!("needs {} KiB of guest memory", image.phys_end >> 10),
        });
    }
    Elf::load(mem, None, &mut Cursor::new(&image.bytes[..]), None).map_err(|source| {
        Error::KernelLoad {
            source_name: image.name.clone(),
            source,
        }
    })?;
    Ok(())
}
