//! Placing the program, its arguments and the initfs image in guest memory
//! and writing the [`BootInfo`] the kernel reads at entry.
//!
//! Physical layout above the kernel image (all page-aligned):
//! `[kernel_phys_end) program file | argument block | initfs image | free RAM ...`

use std::ffi::OsString;
use std::os::unix::ffi::OsStrExt;

use abi::boot::{BootInfo, PhysRange};
use abi::layout::{BOOT_INFO_PHYS, DIRECT_MAP_BASE, LARGE_PAGE_SIZE, PAGE_SIZE};
use vm_memory::{Bytes, GuestAddress, GuestMemoryMmap};
use zerocopy::IntoBytes;

use crate::error::{Error, Result};
use crate::initfs::Image;
use crate::program::Program;

/// Linux refuses an exec whose strings exceed a quarter of the 8 MiB stack
/// limit (E2BIG); so do we.
pub const MAX_ARG_BYTES: usize = 2 << 20;

/// Guest memory the kernel needs beyond the files it is given: page tables,
/// kernel heap, the program's stack and early allocations. A guess on the
/// safe side; the kernel still fails cleanly (exec failed, ENOMEM) when it
/// runs out.
pub const KERNEL_RESERVE: u64 = 8 << 20;

fn page_up(x: u64) -> u64 {
    x.div_ceil(PAGE_SIZE) * PAGE_SIZE
}

/// The argument block: argv strings, env strings, then the kernel command
/// line, each NUL-terminated. Returns the block and the command line's offset.
pub fn args_block(argv: &[OsString], env: &[OsString], cmdline: &str) -> Result<(Vec<u8>, usize)> {
    let mut block = Vec::new();
    for s in argv.iter().chain(env) {
        let bytes = s.as_bytes();
        if bytes.contains(&0) {
            return Err(Error::Config(format!("argument {s:?} contains a NUL byte")));
        }
        block.extend_from_slice(bytes);
        block.push(0);
    }
    if block.len() > MAX_ARG_BYTES {
        return Err(Error::Config(format!(
            "argument list too long ({} bytes; at most {MAX_ARG_BYTES})",
            block.len()
        )));
    }
    let cmdline_off = block.len();
    block.extend_from_slice(cmdline.as_bytes());
    block.push(0);
    Ok((block, cmdline_off))
}

/// Where everything goes, decided (and checked against the guest's RAM)
/// before any guest memory exists.
pub struct Layout {
    /// The boot info without its flags and entropy.
    info: BootInfo,
    /// The argument block, at `info.args.start`.
    block: Vec<u8>,
}

impl Layout {
    /// The ranges the boot info will report.
    pub fn info(&self) -> &BootInfo {
        &self.info
    }
}

/// Lays out the program, the argument block and the initfs image above the
/// kernel. Fails with a "raise --memory" error when RAM is too small for
/// them and the kernel's reserve.
pub fn layout(
    mem_size: u64,
    kernel_phys_end: u64,
    program: &Program,
    initfs: &Image,
    argv: &[OsString],
    env: &[OsString],
    cmdline: &str,
) -> Result<Layout> {
    if cmdline.bytes().any(|b| b == 0 || !b.is_ascii()) {
        return Err(Error::Config(
            "--cmdline must be ASCII without NUL bytes".into(),
        ));
    }
    let (block, cmdline_off) = args_block(argv, env, cmdline)?;
    let program_start = page_up(kernel_phys_end);
    let program_len = program.bytes.len() as u64;
    let args_start = page_up(program_start + program_len);
    let args_end = page_up(args_start + block.len() as u64);
    // The image is whole pages: it ends page-aligned too.
    let initfs_start = args_end;
    let without_initfs = args_end + page_up(program.image_size) + KERNEL_RESERVE;
    if without_initfs > mem_size {
        return Err(Error::NotExecutable {
            path: program.path.clone(),
            reason: format!(
                "needs about {} MiB of guest memory, more than the {} MiB given; raise --memory",
                without_initfs.div_ceil(1 << 20),
                mem_size >> 20
            ),
        });
    }
    let needed = without_initfs + initfs.len();
    if needed > mem_size {
        return Err(Error::InitfsTooBig {
            image_mib: initfs.len().div_ceil(1 << 20),
            files: initfs.nr_files(),
            needed_mib: needed.div_ceil(1 << 20),
            memory_mib: mem_size >> 20,
            suggested_mib: needed.div_ceil(LARGE_PAGE_SIZE) * (LARGE_PAGE_SIZE >> 20),
        });
    }

    let mut info = BootInfo::empty();
    info.mem_size = mem_size;
    info.kernel_phys_end = program_start;
    info.program = PhysRange {
        start: program_start,
        len: program_len,
    };
    info.args = PhysRange {
        start: args_start,
        len: cmdline_off as u64,
    };
    info.argc = argv.len() as u32;
    info.envc = env.len() as u32;
    info.cmdline = PhysRange {
        start: args_start + cmdline_off as u64,
        len: cmdline.len() as u64,
    };
    info.initfs = PhysRange {
        start: initfs_start,
        len: initfs.len(),
    };
    Ok(Layout { info, block })
}

/// What [`place`] wrote where.
pub struct Placed {
    pub info: BootInfo,
}

/// Copies the program, the argument block and the initfs image (the ones
/// `layout` was made for) into fresh guest memory and writes the boot info.
pub fn place(
    mem: &GuestMemoryMmap,
    layout: Layout,
    program: &Program,
    initfs: &Image,
    flags: u64,
) -> Result<Placed> {
    let Layout { mut info, block } = layout;
    mem.write_slice(&program.bytes, GuestAddress(info.program.start))
        .map_err(Error::memory("the program file"))?;
    mem.write_slice(&block, GuestAddress(info.args.start))
        .map_err(Error::memory("the argument block"))?;
    initfs.write(mem, GuestAddress(info.initfs.start))?;
    info.flags = flags;
    getrandom(&mut info.random_seed);
    write_info(mem, &info)?;
    Ok(Placed { info })
}

pub fn write_info(mem: &GuestMemoryMmap, info: &BootInfo) -> Result<()> {
    mem.write_slice(info.as_bytes(), GuestAddress(BOOT_INFO_PHYS))
        .map_err(Error::memory("the boot info"))
}

/// The boot info's address as the kernel sees it (direct map).
pub const fn boot_info_virt() -> u64 {
    DIRECT_MAP_BASE + BOOT_INFO_PHYS
}

fn getrandom(buf: &mut [u8]) {
    let mut filled = 0;
    while filled < buf.len() {
        // SAFETY: writes at most buf.len() - filled bytes into buf[filled..].
        let n =
            unsafe { libc::getrandom(buf[filled..].as_mut_ptr().cast(), buf.len() - filled, 0) };
        if n <= 0 {
            // No entropy source: fall back to time-derived bytes (AT_RANDOM
            // only needs to differ between runs, not to be secret, for us).
            let t = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0);
            for (i, b) in buf[filled..].iter_mut().enumerate() {
                *b = (t >> ((i % 16) * 8)) as u8 ^ i as u8;
            }
            return;
        }
        filled += n as usize;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_layout() {
        let (b, off) = args_block(&["prog".into(), "".into()], &["A=1".into()], "x y").unwrap();
        assert_eq!(&b[..], b"prog\0\0A=1\0x y\0");
        assert_eq!(off, 10);
    }

    #[test]
    fn too_long() {
        let big = OsString::from("x".repeat(MAX_ARG_BYTES));
        assert!(args_block(&[big], &[], "").is_err());
    }
}
