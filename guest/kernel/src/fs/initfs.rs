//! The host's image of imported files (`abi::initfs`), turned into tmpfs
//! inodes a directory at a time (`super::dir` lists an imported directory
//! on first use).
//!
//! The image lies in RAM the frame allocator never hands out. A file's
//! data pages are the image's own pages: listing a directory makes each of
//! its files the holder of its frames (as cached pages), so a file's pages are
//! freed like any tmpfs page when it is removed or truncated, and nothing
//! is copied at boot.

use alloc::vec::Vec;

use abi::initfs::{Initfs, INITFS_WRITABLE};
use abi::layout::PAGE_SIZE;
use abi::linux::fs::{S_IALLUGO, S_IFDIR, S_IFLNK, S_IFMT, S_IFREG};
use spin::Once;

use super::dir::{Dir, Entry};
use super::inode::{next_ino, try_copy, Inode, Kind, Sb, Time};
use super::regular::Regular;
use crate::errno::*;
use crate::krc::KRc;

struct Image {
    fs: Initfs<'static>,
    phys: u64,
}

static IMAGE: Once<Option<Image>> = Once::new();

/// Checks the image once; a malformed one is reported and ignored (the
/// program still runs, with an empty root).
pub fn init(bytes: &'static [u8], phys: u64) -> bool {
    let image = IMAGE.call_once(|| {
        if bytes.is_empty() {
            return None;
        }
        match Initfs::parse(bytes) {
            Ok(fs) => Some(Image { fs, phys }),
            Err(e) => {
                crate::klog!("the host's file image is malformed ({}): ignored", e);
                None
            }
        }
    });
    image.is_some()
}

fn image() -> Option<&'static Image> {
    IMAGE.get().and_then(|i| i.as_ref())
}

/// The root directory's image index, if there is an image.
pub fn root_index() -> Option<u32> {
    image().map(|_| 0)
}

/// The path of the program `vmm run` starts, if the image names it.
pub fn program_path() -> Option<Vec<u8>> {
    let img = image()?;
    let mut i = img.fs.program()?;
    let mut parts: Vec<&[u8]> = Vec::new();
    while i != 0 {
        parts.push(img.fs.name(i));
        i = img.fs.entry(i).parent;
    }
    let mut path = Vec::new();
    for p in parts.iter().rev() {
        path.push(b'/');
        path.extend_from_slice(p);
    }
    Some(path)
}

fn time(sec: i64, nsec: u64) -> Time {
    Time {
        sec,
        nsec: nsec.min(999_999_999) as u32,
    }
}

/// Inodes for the children of image directory `index`, whose inode is
/// `parent`.
pub fn list(index: u32, parent: &KRc<Inode>, sb: Sb, _ro: bool) -> KResult<Vec<Entry>> {
    let Some(img) = image() else {
        return Ok(Vec::new());
    };
    let children = img.fs.children(index);
    let mut out = Vec::new();
    out.try_reserve_exact(children.len()).map_err(|_| ENOMEM)?;
    for c in children {
        let e = img.fs.entry(c);
        let name = try_copy(img.fs.name(c))?;
        let kind = match e.mode & S_IFMT {
            S_IFDIR => Kind::Dir(Dir::imported(Some(parent.clone()), name.clone(), c)),
            S_IFLNK => Kind::Symlink(try_copy(img.fs.symlink_target(c))?),
            S_IFREG => {
                let pages = e.size.div_ceil(PAGE_SIZE);
                let mut frames = Vec::new();
                frames
                    .try_reserve_exact(pages as usize)
                    .map_err(|_| ENOMEM)?;
                for k in 0..pages {
                    let f = img.phys + e.data_off + k * PAGE_SIZE;
                    crate::mm::frame::adopt_cached(f);
                    frames.push(f);
                }
                Kind::Regular(Regular::from_frames(frames, e.size))
            }
            _ => continue,
        };
        let nlink = if e.mode & S_IFMT == S_IFDIR {
            2 + img
                .fs
                .children(c)
                .filter(|&g| img.fs.entry(g).mode & S_IFMT == S_IFDIR)
                .count() as u32
        } else {
            1
        };
        let t = time(e.mtime_sec, e.mtime_nsec);
        let inode = KRc::try_new(Inode {
            ino: next_ino(),
            sb,
            mode: (e.mode & S_IFMT) | (e.mode & S_IALLUGO),
            nlink,
            atime: t,
            mtime: t,
            ctime: t,
            readonly: e.flags & INITFS_WRITABLE == 0,
            kind,
        })?;
        out.push(Entry { name, inode });
    }
    Ok(out)
}
