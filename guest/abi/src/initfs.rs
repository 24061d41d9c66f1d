//! The initfs image: a tree of directories, regular files and symlinks
//! that the VMM builds from host files (`vmm run --dir`, `--file`, and
//! PROGRAM itself) and places in guest RAM at boot
//! ([`crate::boot::BootInfo::initfs`]); the kernel turns it into the
//! inodes of its root tmpfs.
//!
//! ```text
//! 0                 InitfsHeader
//! entries_off       InitfsEntry × nr_entries (8-aligned), entry 0 the root
//! names_off         names area: entry names and symlink targets, no separators
//! page boundaries   each non-empty regular file's data, in entry order
//! total_len         end of the image, a multiple of PAGE_SIZE
//! ```
//!
//! Entries are in breadth-first order: a directory's children are the
//! entries `[first_child, first_child + nr_children)`, sorted by name
//! (bytewise), and the children of directory `i` come right after those of
//! the directories before `i`. So every directory's children lie after it
//! (the tree is acyclic) and the children ranges, taken in directory order,
//! tile `1..nr_entries` exactly (every entry but the root has one parent).
//!
//! A regular file's data starts on a page boundary; files' data do not
//! overlap, so no page holds bytes of two files and the kernel can hand
//! each file its pages as they are. The VMM writes zeros after a file's
//! end in its last page; the parser does not read them (that would touch a
//! page per file at boot) and the kernel zeroes them again when it adopts
//! the pages.
//!
//! Directories that are in the image only as the path to an import (say
//! `/opt` for `--dir HOST:/opt/tree`) have mode 0755, mtime 0 and
//! [`INITFS_WRITABLE`]: no host file is behind them.
//!
//! [`Initfs::parse`] checks every rule below once; after it, every accessor
//! is bounded by construction and panics only on an entry index out of range.

use core::ops::Range;

use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

use crate::layout::PAGE_SIZE;
use crate::linux::fs::{S_IFDIR, S_IFLNK, S_IFMT, S_IFREG};

/// [`InitfsHeader::magic`]: "THRDFS01" read as a little-endian u64.
pub const INITFS_MAGIC: u64 = u64::from_le_bytes(*b"THRDFS01");
/// [`InitfsHeader::version`] this crate reads and writes.
pub const INITFS_VERSION: u32 = 1;

/// Entry flags.
/// Imported `:rw`: the guest may change it (in guest memory only).
pub const INITFS_WRITABLE: u32 = 1;
/// The file `vmm run` starts (at most one entry, a regular file).
pub const INITFS_PROGRAM: u32 = 2;
const KNOWN_FLAGS: u32 = INITFS_WRITABLE | INITFS_PROGRAM;

/// Longest entry name, as Linux's NAME_MAX.
pub const INITFS_NAME_MAX: usize = 255;
/// Longest symlink target, as Linux's PATH_MAX less its NUL.
pub const INITFS_TARGET_MAX: usize = 4095;

/// The permission bits of a mode (with set-user-ID, set-group-ID, sticky).
const PERMISSION_BITS: u32 = 0o7777;

#[repr(C)]
#[derive(Clone, Copy, Debug, FromBytes, IntoBytes, KnownLayout, Immutable)]
pub struct InitfsHeader {
    pub magic: u64,
    pub version: u32,
    pub nr_entries: u32,
    pub entries_off: u64,
    pub names_off: u64,
    pub names_len: u64,
    /// Bytes of the whole image, header to the end of the last file's last page.
    pub total_len: u64,
}

#[repr(C)]
#[derive(Clone, Copy, Debug, FromBytes, IntoBytes, KnownLayout, Immutable)]
pub struct InitfsEntry {
    /// st_mode: S_IFDIR, S_IFREG or S_IFLNK | permission bits (07777).
    pub mode: u32,
    /// `INITFS_*` bits.
    pub flags: u32,
    /// Index of the parent directory (the root's is 0, itself).
    pub parent: u32,
    /// Directories: the children are `[first_child, first_child +
    /// nr_children)`, sorted by name, bytewise, strictly increasing. 0 for
    /// anything without children.
    pub first_child: u32,
    pub nr_children: u32,
    pub name_len: u32,
    /// Offset of the name in the names area (the root's name is empty).
    pub name_off: u64,
    /// Regular file: bytes; symlink: target length; directory: 0.
    pub size: u64,
    /// Regular file: page-aligned offset of its data from the image start;
    /// symlink: offset of its target in the names area; directory: 0.
    pub data_off: u64,
    pub mtime_sec: i64,
    /// Below 10^9.
    pub mtime_nsec: u64,
}

pub const INITFS_HEADER_SIZE: u64 = core::mem::size_of::<InitfsHeader>() as u64;
pub const INITFS_ENTRY_SIZE: u64 = core::mem::size_of::<InitfsEntry>() as u64;

const _: () = {
    assert!(INITFS_HEADER_SIZE == 48);
    assert!(INITFS_ENTRY_SIZE == 64);
    assert!(INITFS_HEADER_SIZE.is_multiple_of(8));
};

/// Why [`Initfs::parse`] refused an image: one variant per rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InitfsError {
    /// Shorter than the header.
    TooShort,
    /// The image does not start on an 8-byte boundary in memory (the
    /// entries are read in place).
    Misaligned,
    BadMagic,
    BadVersion,
    /// `total_len` differs from the length of the slice given to parse.
    LengthMismatch,
    /// `total_len` is not a multiple of the page size.
    LengthUnaligned,
    NoEntries,
    EntriesUnaligned,
    /// The entries array overlaps the header or runs past the image.
    EntriesOutOfBounds,
    /// The names area overlaps the entries or runs past the image.
    NamesOutOfBounds,
    RootNotDirectory,
    /// The root's parent is not 0 (itself).
    RootParent,
    /// The root has a name.
    RootNamed,
    /// Mode bits beyond the file type and the permission bits.
    BadModeBits,
    /// A type other than directory, regular file or symlink.
    BadFileType,
    UnknownFlags,
    /// `mtime_nsec` is 10^9 or more.
    BadMtime,
    NameOutOfBounds,
    EmptyName,
    NameTooLong,
    /// A name holds '/' or NUL.
    BadNameByte,
    /// A name is "." or "..".
    DotName,
    /// Names in a directory are not strictly increasing (bytewise).
    NamesNotSorted,
    /// A directory's children range runs past the entries.
    ChildrenOutOfBounds,
    /// A directory's children do not all come after it.
    ChildBeforeParent,
    /// A directory's children overlap an earlier directory's.
    ChildrenOverlap,
    /// Entries between two directories' children have no parent.
    ChildrenGap,
    /// Entries after the last directory's children have no parent.
    Orphans,
    /// A child's `parent` is not the directory that lists it.
    WrongParent,
    /// A non-directory, or an empty directory, with a children range.
    StrayChildren,
    /// A directory with a size or data offset.
    DirectoryWithData,
    DataUnaligned,
    /// A file's data starts before the end of the names area or runs past the image.
    DataOutOfBounds,
    /// A file's data starts before the end of the previous file's.
    DataOverlap,
    EmptySymlinkTarget,
    SymlinkTargetTooLong,
    SymlinkTargetOutOfBounds,
    SymlinkTargetNul,
    /// INITFS_PROGRAM on something other than a regular file.
    ProgramNotRegular,
    /// INITFS_PROGRAM on more than one entry.
    SeveralPrograms,
}

impl InitfsError {
    pub const fn message(self) -> &'static str {
        use InitfsError::*;
        match self {
            TooShort => "image shorter than its header",
            Misaligned => "image not 8-byte aligned in memory",
            BadMagic => "bad magic number",
            BadVersion => "unknown format version",
            LengthMismatch => "total_len differs from the image's length",
            LengthUnaligned => "total_len not a multiple of the page size",
            NoEntries => "no entries (not even the root)",
            EntriesUnaligned => "entries array not 8-byte aligned",
            EntriesOutOfBounds => "entries array overlaps the header or runs past the image",
            NamesOutOfBounds => "names area overlaps the entries or runs past the image",
            RootNotDirectory => "entry 0 is not a directory",
            RootParent => "the root's parent is not itself",
            RootNamed => "the root has a name",
            BadModeBits => "mode has bits beyond the file type and permissions",
            BadFileType => "not a directory, regular file or symlink",
            UnknownFlags => "unknown flag bits",
            BadMtime => "mtime_nsec is 10^9 or more",
            NameOutOfBounds => "name outside the names area",
            EmptyName => "empty name",
            NameTooLong => "name longer than 255 bytes",
            BadNameByte => "name contains '/' or NUL",
            DotName => "name is \".\" or \"..\"",
            NamesNotSorted => "names in a directory not strictly increasing",
            ChildrenOutOfBounds => "children range runs past the entries",
            ChildBeforeParent => "a child does not come after its directory",
            ChildrenOverlap => "children ranges overlap",
            ChildrenGap => "entries between children ranges have no parent",
            Orphans => "entries after the last children range have no parent",
            WrongParent => "a child's parent is not its directory",
            StrayChildren => "children range on a non-directory or an empty directory",
            DirectoryWithData => "directory with a size or data offset",
            DataUnaligned => "file data not page-aligned",
            DataOutOfBounds => "file data before the names' end or past the image",
            DataOverlap => "file data overlaps an earlier file's",
            EmptySymlinkTarget => "empty symlink target",
            SymlinkTargetTooLong => "symlink target longer than 4095 bytes",
            SymlinkTargetOutOfBounds => "symlink target outside the names area",
            SymlinkTargetNul => "symlink target contains NUL",
            ProgramNotRegular => "the program entry is not a regular file",
            SeveralPrograms => "more than one program entry",
        }
    }
}

impl core::fmt::Display for InitfsError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.message())
    }
}

/// A validated image, borrowed.
#[derive(Clone, Copy, Debug)]
pub struct Initfs<'a> {
    image: &'a [u8],
    entries: &'a [InitfsEntry],
    names: &'a [u8],
    program: Option<u32>,
}

/// `[off, off + len)` when it lies within `[0, limit)`.
fn range_in(off: u64, len: u64, limit: u64) -> Option<Range<usize>> {
    let end = off.checked_add(len)?;
    (end <= limit).then_some(off as usize..end as usize)
}

fn check_name(name: &[u8]) -> Result<(), InitfsError> {
    if name.is_empty() {
        return Err(InitfsError::EmptyName);
    }
    if name.len() > INITFS_NAME_MAX {
        return Err(InitfsError::NameTooLong);
    }
    if name.iter().any(|&b| b == b'/' || b == 0) {
        return Err(InitfsError::BadNameByte);
    }
    if name == b"." || name == b".." {
        return Err(InitfsError::DotName);
    }
    Ok(())
}

impl<'a> Initfs<'a> {
    /// Checks every rule of the format. `image` must be exactly
    /// `total_len` bytes: a longer slice (say, a page-rounded range) is
    /// refused with [`InitfsError::LengthMismatch`] rather than silently
    /// cut, so a boot info and a header that disagree are caught. It must
    /// start 8-byte aligned in memory.
    pub fn parse(image: &'a [u8]) -> Result<Initfs<'a>, InitfsError> {
        use InitfsError::*;
        let (header, _) = InitfsHeader::read_from_prefix(image).map_err(|_| TooShort)?;
        if !(image.as_ptr() as usize).is_multiple_of(8) {
            return Err(Misaligned);
        }
        if header.magic != INITFS_MAGIC {
            return Err(BadMagic);
        }
        if header.version != INITFS_VERSION {
            return Err(BadVersion);
        }
        if header.total_len != image.len() as u64 {
            return Err(LengthMismatch);
        }
        let total = header.total_len;
        if !total.is_multiple_of(PAGE_SIZE) {
            return Err(LengthUnaligned);
        }
        let n = header.nr_entries;
        if n == 0 {
            return Err(NoEntries);
        }
        if !header.entries_off.is_multiple_of(8) {
            return Err(EntriesUnaligned);
        }
        let entries_range =
            match range_in(header.entries_off, u64::from(n) * INITFS_ENTRY_SIZE, total) {
                Some(r) if header.entries_off >= INITFS_HEADER_SIZE => r,
                _ => return Err(EntriesOutOfBounds),
            };
        let entries_end = entries_range.end as u64;
        let names_range = match range_in(header.names_off, header.names_len, total) {
            Some(r) if header.names_off >= entries_end => r,
            _ => return Err(NamesOutOfBounds),
        };
        let names_end = names_range.end as u64;
        let entries =
            <[InitfsEntry]>::ref_from_bytes(&image[entries_range]).map_err(|_| Misaligned)?;
        let names = &image[names_range];

        let root = &entries[0];
        if root.mode & S_IFMT != S_IFDIR {
            return Err(RootNotDirectory);
        }
        if root.parent != 0 {
            return Err(RootParent);
        }
        if root.name_len != 0 {
            return Err(RootNamed);
        }

        // Next entry expected to start a children range.
        let mut child_cursor: u64 = 1;
        // End of the last non-empty file's data.
        let mut data_cursor = names_end;
        let mut program = None;
        for (i, e) in entries.iter().enumerate() {
            if e.mode & !(S_IFMT | PERMISSION_BITS) != 0 {
                return Err(BadModeBits);
            }
            if e.flags & !KNOWN_FLAGS != 0 {
                return Err(UnknownFlags);
            }
            if e.mtime_nsec >= 1_000_000_000 {
                return Err(BadMtime);
            }
            let name = range_in(e.name_off, u64::from(e.name_len), header.names_len)
                .ok_or(NameOutOfBounds)?;
            if i > 0 {
                check_name(&names[name])?;
            }
            let ty = e.mode & S_IFMT;
            if ty == S_IFDIR && e.nr_children > 0 {
                let end = u64::from(e.first_child) + u64::from(e.nr_children);
                if end > u64::from(n) {
                    return Err(ChildrenOutOfBounds);
                }
                if e.first_child as usize <= i {
                    return Err(ChildBeforeParent);
                }
                let first = u64::from(e.first_child);
                if first < child_cursor {
                    return Err(ChildrenOverlap);
                }
                if first > child_cursor {
                    return Err(ChildrenGap);
                }
                child_cursor = end;
            } else if e.first_child != 0 || e.nr_children != 0 {
                return Err(StrayChildren);
            }
            match ty {
                S_IFDIR => {
                    if e.size != 0 || e.data_off != 0 {
                        return Err(DirectoryWithData);
                    }
                }
                S_IFREG => {
                    if !e.data_off.is_multiple_of(PAGE_SIZE) {
                        return Err(DataUnaligned);
                    }
                    let data = match range_in(e.data_off, e.size, total) {
                        Some(r) if e.data_off >= names_end => r,
                        _ => return Err(DataOutOfBounds),
                    };
                    if e.size > 0 {
                        if e.data_off < data_cursor {
                            return Err(DataOverlap);
                        }
                        data_cursor = data.end as u64;
                    }
                    // The bytes after the end, to the page's end, are not
                    // checked: reading every file's last page would cost the
                    // kernel's boot a page per file, and the tmpfs zeroes
                    // them when it adopts the file's pages.
                    let _ = data;
                }
                S_IFLNK => {
                    if e.size == 0 {
                        return Err(EmptySymlinkTarget);
                    }
                    if e.size > INITFS_TARGET_MAX as u64 {
                        return Err(SymlinkTargetTooLong);
                    }
                    let target = range_in(e.data_off, e.size, header.names_len)
                        .ok_or(SymlinkTargetOutOfBounds)?;
                    if names[target].contains(&0) {
                        return Err(SymlinkTargetNul);
                    }
                }
                _ => return Err(BadFileType),
            }
            if e.flags & INITFS_PROGRAM != 0 {
                if ty != S_IFREG {
                    return Err(ProgramNotRegular);
                }
                if program.is_some() {
                    return Err(SeveralPrograms);
                }
                program = Some(i as u32);
            }
        }
        if child_cursor != u64::from(n) {
            return Err(Orphans);
        }

        let fs = Initfs {
            image,
            entries,
            names,
            program,
        };
        // Every range is in bounds now, so the accessors can be used.
        for dir in 0..n {
            let children = fs.children(dir);
            for c in children.clone() {
                if fs.entries[c as usize].parent != dir {
                    return Err(WrongParent);
                }
                if c > children.start && fs.name(c - 1) >= fs.name(c) {
                    return Err(NamesNotSorted);
                }
            }
        }
        Ok(fs)
    }

    /// Number of entries (at least 1: the root).
    pub fn len(&self) -> u32 {
        self.entries.len() as u32
    }

    /// Never true for a parsed image; here for the `len` convention.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn entry(&self, i: u32) -> &'a InitfsEntry {
        &self.entries[i as usize]
    }

    /// The entry's name (empty for the root).
    pub fn name(&self, i: u32) -> &'a [u8] {
        let e = self.entry(i);
        let start = e.name_off as usize;
        &self.names[start..start + e.name_len as usize]
    }

    /// The children of a directory (empty for anything else).
    pub fn children(&self, i: u32) -> Range<u32> {
        let e = self.entry(i);
        e.first_child..e.first_child + e.nr_children
    }

    /// A regular file's bytes (empty for anything else).
    pub fn data(&self, i: u32) -> &'a [u8] {
        let e = self.entry(i);
        if e.mode & S_IFMT != S_IFREG {
            return &[];
        }
        let start = e.data_off as usize;
        &self.image[start..start + e.size as usize]
    }

    /// A symlink's target (empty for anything else).
    pub fn symlink_target(&self, i: u32) -> &'a [u8] {
        let e = self.entry(i);
        if e.mode & S_IFMT != S_IFLNK {
            return &[];
        }
        let start = e.data_off as usize;
        &self.names[start..start + e.size as usize]
    }

    /// The child of `dir` called `name`, by binary search.
    pub fn lookup(&self, dir: u32, name: &[u8]) -> Option<u32> {
        let Range { mut start, mut end } = self.children(dir);
        while start < end {
            let mid = start + (end - start) / 2;
            match self.name(mid).cmp(name) {
                core::cmp::Ordering::Less => start = mid + 1,
                core::cmp::Ordering::Greater => end = mid,
                core::cmp::Ordering::Equal => return Some(mid),
            }
        }
        None
    }

    /// The entry flagged [`INITFS_PROGRAM`], if any.
    pub fn program(&self) -> Option<u32> {
        self.program
    }

    /// The whole image.
    pub fn bytes(&self) -> &'a [u8] {
        self.image
    }
}

#[cfg(test)]
mod tests;
