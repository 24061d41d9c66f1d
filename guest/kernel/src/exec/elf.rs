//! The ELF loader for user programs: static (ET_EXEC) at their addresses,
//! static-PIE (ET_DYN) at USER_PIE_BASE; PT_LOAD segments mapped with their
//! own permissions, file bytes copied, the rest (bss) demand-zero.
//!
//! Every field is bounds-checked: a malformed file is an exec failure with a
//! reason, never a kernel fault. (The VMM checks too, but the kernel does
//! not trust it.)

use alloc::vec;
use alloc::vec::Vec;

use abi::layout::{PAGE_SIZE, USER_PIE_BASE, USER_SPACE_END};

use super::ExecError;
use crate::errno::{EINVAL, EIO, ENOEXEC, ENOMEM};
use crate::mm::vma::{Mm, Vma, VmaKind, PROT_EXEC, PROT_READ, PROT_WRITE};
use crate::mm::{page_down, page_up, paging, phys_to_virt};

const PT_LOAD: u32 = 1;
const PT_INTERP: u32 = 3;
const PT_PHDR: u32 = 6;
const PT_TLS: u32 = 7;
const PF_X: u32 = 1;
const PF_W: u32 = 2;
const PF_R: u32 = 4;
const PHDR_SIZE: usize = 56;

/// What the initial stack's auxiliary vector needs.
pub struct ElfInfo {
    pub entry: u64,
    pub phdr: u64,
    pub phent: u64,
    pub phnum: u64,
    /// PT_TLS (vaddr, filesz, memsz, align), noted for the C library.
    #[allow(dead_code)]
    pub tls: Option<(u64, u64, u64, u64)>,
}

fn u16_at(b: &[u8], off: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(off..off + 2)?.try_into().ok()?))
}
fn u32_at(b: &[u8], off: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(off..off + 4)?.try_into().ok()?))
}
fn u64_at(b: &[u8], off: usize) -> Option<u64> {
    Some(u64::from_le_bytes(b.get(off..off + 8)?.try_into().ok()?))
}

struct Phdr {
    /// Load bias, so that `vaddr_biased` is where the segment really goes.
    bias: u64,
    kind: u32,
    flags: u32,
    offset: u64,
    vaddr: u64,
    filesz: u64,
    memsz: u64,
    align: u64,
}

impl Phdr {
    fn vaddr_biased(&self) -> u64 {
        self.vaddr.wrapping_add(self.bias)
    }
}

fn bad(why: &'static str) -> ExecError {
    ExecError::new(ENOEXEC, why)
}

/// The program file's own frames, when the file sits page-aligned in guest
/// RAM: pages that exactly one mapping needs are mapped straight into the
/// address space instead of copied (as Linux maps a file's pages), and the
/// loader records which ones it took so the rest can be freed.
pub struct FileFrames {
    /// Physical address of file offset 0 (page-aligned).
    pub phys: u64,
    /// Per file page: how many virtual pages need its bytes.
    users: Vec<u8>,
    /// Per file page: mapped into the program (now owned by its mm).
    pub adopted: Vec<bool>,
}

impl FileFrames {
    pub fn new(phys: u64, len: usize) -> Self {
        let pages = len.div_ceil(PAGE_SIZE as usize);
        FileFrames {
            phys,
            users: vec![0; pages],
            adopted: vec![false; pages],
        }
    }
}

/// Where an ELF file's program headers are, once its header passed the
/// checks.
struct Header {
    bias: u64,
    entry: u64,
    phoff: u64,
    phnum: usize,
}

fn header(f: &[u8]) -> Result<Header, ExecError> {
    if f.len() < 64 || f[..4] != *b"\x7fELF" {
        return Err(bad("not an ELF file"));
    }
    if f[4] != 2 || f[5] != 1 {
        return Err(bad("not a 64-bit little-endian ELF file"));
    }
    let e_type = u16_at(f, 16).unwrap();
    let machine = u16_at(f, 18).unwrap();
    if machine != 62 {
        return Err(bad("not an x86_64 program"));
    }
    let bias = match e_type {
        2 => 0,
        3 => USER_PIE_BASE,
        _ => return Err(bad("not an executable")),
    };
    let entry = u64_at(f, 24).unwrap().wrapping_add(bias);
    let phoff = u64_at(f, 32).unwrap();
    let phentsize = u16_at(f, 54).unwrap() as usize;
    let phnum = u16_at(f, 56).unwrap() as usize;
    if phentsize != PHDR_SIZE || phnum == 0 || phnum > 256 {
        return Err(bad("bad program header table"));
    }
    let table_end = (phoff as usize).checked_add(phnum * PHDR_SIZE);
    if phoff > f.len() as u64 || table_end.is_none_or(|e| e > f.len()) {
        return Err(bad("program headers past the end of the file"));
    }
    Ok(Header {
        bias,
        entry,
        phoff,
        phnum,
    })
}

/// Program header `i` (inside the file: `header` checked the table).
fn phdr_at(f: &[u8], h: &Header, i: usize) -> Phdr {
    let o = h.phoff as usize + i * PHDR_SIZE;
    Phdr {
        bias: h.bias,
        kind: u32_at(f, o).unwrap(),
        flags: u32_at(f, o + 4).unwrap(),
        offset: u64_at(f, o + 8).unwrap(),
        vaddr: u64_at(f, o + 16).unwrap(),
        filesz: u64_at(f, o + 32).unwrap(),
        memsz: u64_at(f, o + 40).unwrap(),
        align: u64_at(f, o + 48).unwrap(),
    }
}

/// The interpreter a dynamically linked program names (its first
/// PT_INTERP), after the header checks `load` makes. As Linux: ENOEXEC
/// for a path under 2 or over PATH_MAX bytes or without its NUL at the
/// end, EIO for one past the end of the file.
pub fn interp(f: &[u8]) -> Result<Option<&[u8]>, ExecError> {
    let h = header(f)?;
    let Some(p) = (0..h.phnum)
        .map(|i| phdr_at(f, &h, i))
        .find(|p| p.kind == PT_INTERP)
    else {
        return Ok(None);
    };
    if p.filesz < 2 || p.filesz > abi::linux::fs::PATH_MAX as u64 {
        return Err(bad("bad interpreter path"));
    }
    let end = p
        .offset
        .checked_add(p.filesz)
        .filter(|&e| e <= f.len() as u64);
    let Some(end) = end else {
        return Err(ExecError::new(
            EIO,
            "interpreter path past the end of the file",
        ));
    };
    let path = &f[p.offset as usize..end as usize];
    let (last, path) = path.split_last().expect("at least 2 bytes");
    if *last != 0 {
        return Err(bad("interpreter path without its NUL"));
    }
    let len = path.iter().position(|&b| b == 0).unwrap_or(path.len());
    Ok(Some(&path[..len]))
}

pub fn load(
    mm: &mut Mm,
    f: &[u8],
    mut frames: Option<&mut FileFrames>,
) -> Result<ElfInfo, ExecError> {
    let h = header(f)?;
    let (bias, entry, phoff, phnum) = (h.bias, h.entry, h.phoff, h.phnum);
    let phdr_at = |i: usize| phdr_at(f, &h, i);

    if let Some(ff) = frames.as_deref_mut() {
        for i in 0..phnum {
            let p = phdr_at(i);
            if p.kind == PT_LOAD
                && p.filesz > 0
                && p.offset
                    .checked_add(p.filesz)
                    .is_some_and(|e| e <= f.len() as u64)
            {
                let first = p.offset / PAGE_SIZE;
                let last = (p.offset + p.filesz - 1) / PAGE_SIZE;
                for page in first..=last {
                    if let Some(u) = ff.users.get_mut(page as usize) {
                        *u = u.saturating_add(1);
                    }
                }
            }
        }
    }
    let mut phdr_vaddr = None;
    let mut tls = None;
    let mut image_end = 0u64;
    let mut loads = 0;
    for i in 0..phnum {
        let p = phdr_at(i);
        match p.kind {
            PT_INTERP => {
                return Err(ExecError::new(
                    ENOEXEC,
                    "dynamically linked program (PT_INTERP); only static executables are supported",
                ))
            }
            PT_PHDR => phdr_vaddr = Some(p.vaddr.wrapping_add(bias)),
            PT_TLS => tls = Some((p.vaddr.wrapping_add(bias), p.filesz, p.memsz, p.align)),
            PT_LOAD => {
                load_segment(mm, f, &p, bias, frames.as_deref_mut())?;
                image_end = image_end.max(p.vaddr + bias + p.memsz);
                loads += 1;
                if phdr_vaddr.is_none() && p.offset <= phoff && phoff - p.offset < p.filesz {
                    phdr_vaddr = Some(p.vaddr + bias + (phoff - p.offset));
                }
            }
            _ => {}
        }
    }
    if loads == 0 {
        return Err(bad("no loadable segments"));
    }
    if mm.find(entry).is_none() {
        return Err(bad("entry point outside the loaded segments"));
    }
    mm.set_brk_start(page_up(image_end).ok_or(bad("image too large"))?);
    Ok(ElfInfo {
        entry,
        phdr: phdr_vaddr.unwrap_or(0),
        phent: PHDR_SIZE as u64,
        phnum: phnum as u64,
        tls,
    })
}

fn load_segment(
    mm: &mut Mm,
    f: &[u8],
    p: &Phdr,
    bias: u64,
    mut frames: Option<&mut FileFrames>,
) -> Result<(), ExecError> {
    let _ = p.align;
    let start = p
        .vaddr
        .checked_add(bias)
        .ok_or(bad("segment address overflows"))?;
    let end = start
        .checked_add(p.memsz)
        .ok_or(bad("segment size overflows"))?;
    if p.filesz > p.memsz || end > USER_SPACE_END || start < PAGE_SIZE {
        return Err(bad(
            "segment outside user space or larger on disk than in memory",
        ));
    }
    let file_end = p.offset.checked_add(p.filesz);
    if file_end.is_none_or(|e| e > f.len() as u64) {
        return Err(bad("segment extends past the end of the file (truncated)"));
    }
    if p.vaddr % PAGE_SIZE != p.offset % PAGE_SIZE {
        return Err(ExecError::new(
            EINVAL,
            "segment address and offset differ modulo the page size",
        ));
    }
    let mut prot = 0;
    if p.flags & PF_R != 0 {
        prot |= PROT_READ;
    }
    if p.flags & PF_W != 0 {
        prot |= PROT_WRITE;
    }
    if p.flags & PF_X != 0 {
        prot |= PROT_EXEC;
    }
    let vstart = page_down(start);
    let vend = page_up(end).ok_or(bad("segment size overflows"))?;
    // Only a boundary page may be shared with the previous segment (old
    // linkers do that); it gets both segments' protections, as the two
    // overlapping mmaps Linux makes would give it.
    let mut first_free = vstart;
    if let Some(prev) = mm.find(vstart).copied() {
        if prev.end != vstart + PAGE_SIZE {
            return Err(bad("overlapping segments"));
        }
        let _ = populate_for_load(mm, vstart)?;
        mm.protect(vstart, vstart + PAGE_SIZE, prev.prot | prot)
            .map_err(|_| bad("overlapping segments"))?;
        first_free = vstart + PAGE_SIZE;
    }
    if first_free < vend {
        if mm.intersects(first_free, vend) {
            return Err(bad("overlapping segments"));
        }
        mm.insert(Vma {
            start: first_free,
            end: vend,
            prot,
            kind: VmaKind::Image,
        });
    }
    // The file bytes, page by page: the file's own frame when no other
    // mapping needs it, else a copy through the direct map.
    let mut copied = 0u64;
    while copied < p.filesz {
        let va = start + copied;
        let in_page = (PAGE_SIZE - va % PAGE_SIZE).min(p.filesz - copied);
        if let Some(ff) = frames.as_deref_mut() {
            if adopt_file_page(mm, ff, p, va, in_page)? {
                copied += in_page;
                continue;
            }
        }
        let (frame, _) = populate_for_load(mm, va)?;
        let src = &f[(p.offset + copied) as usize..(p.offset + copied + in_page) as usize];
        // SAFETY: frame is a present user frame; the piece stays within it.
        unsafe {
            let dst = phys_to_virt(frame).add((va % PAGE_SIZE) as usize);
            crate::mm::copy_bytes(dst, src.as_ptr(), in_page as usize);
        }
        copied += in_page;
    }
    Ok(())
}

/// The frame of the page at `va` for writing file bytes, whatever the
/// segment's protection (the kernel writes through the direct map).
fn populate_for_load(mm: &mut Mm, va: u64) -> Result<(u64, ()), ExecError> {
    let page = page_down(va);
    if let Some((frame, _)) = paging::translate(mm.root, page) {
        return Ok((frame, ()));
    }
    let vma = *mm.find(va).ok_or(bad("segment not mapped"))?;
    let frame = crate::mm::frame::alloc_user().ok_or(ExecError::new(
        ENOMEM,
        "out of guest memory loading the program; raise --memory",
    ))?;
    paging::map(mm.root, page, frame, paging::user_flags(vma.prot)).ok_or(ExecError::new(
        ENOMEM,
        "out of guest memory loading the program; raise --memory",
    ))?;
    Ok((frame, ()))
}

/// Maps the file page holding the segment's bytes at `va` directly, if it
/// is used by this mapping alone and the virtual page is still empty.
/// Returns whether it did.
fn adopt_file_page(
    mm: &mut Mm,
    ff: &mut FileFrames,
    p: &Phdr,
    va: u64,
    in_page: u64,
) -> Result<bool, ExecError> {
    let file_off = p.offset + (va - (p.vaddr_biased()));
    let index = (file_off / PAGE_SIZE) as usize;
    if ff.users.get(index) != Some(&1) || ff.adopted[index] {
        return Ok(false);
    }
    let page = page_down(va);
    if paging::translate(mm.root, page).is_some() {
        return Ok(false);
    }
    let vma = *mm.find(va).ok_or(bad("segment not mapped"))?;
    let frame = ff.phys + index as u64 * PAGE_SIZE;
    // The segment's data ends inside this page and bss follows: the rest of
    // the page must read as zero (Linux's padzero), not as later file bytes.
    let data_end = (va % PAGE_SIZE) + in_page;
    if p.memsz > p.filesz && data_end < PAGE_SIZE {
        // SAFETY: the frame is the file's page, now owned by this mapping.
        unsafe {
            crate::mm::zero_bytes(
                phys_to_virt(frame).add(data_end as usize),
                (PAGE_SIZE - data_end) as usize,
            )
        };
    }
    paging::map(mm.root, page, frame, paging::user_flags(vma.prot)).ok_or(ExecError::new(
        ENOMEM,
        "out of guest memory loading the program; raise --memory",
    ))?;
    crate::mm::frame::own(frame);
    ff.adopted[index] = true;
    Ok(true)
}
