//! Each rule of [`Initfs::parse`] against an image broken in just that way,
//! the accessors on a valid image, and random mutations of valid images
//! (parse never panics, and what it accepts is safe to walk).

extern crate std;

use std::collections::VecDeque;
use std::vec;
use std::vec::Vec;

use proptest::prelude::*;
use zerocopy::{FromBytes, IntoBytes};

use super::*;
use crate::linux::fs::S_IFIFO;

enum Kind {
    Dir(Vec<usize>),
    File(Vec<u8>),
    Link(Vec<u8>),
}

struct Node {
    name: Vec<u8>,
    kind: Kind,
    flags: u32,
}

/// A tree to serialize as the VMM would, without checking anything, so
/// that tests can also write images that break the naming rules.
struct Tree {
    nodes: Vec<Node>,
}

impl Tree {
    fn new() -> Tree {
        Tree {
            nodes: vec![Node {
                name: Vec::new(),
                kind: Kind::Dir(Vec::new()),
                flags: 0,
            }],
        }
    }

    fn add(&mut self, parent: usize, name: &[u8], kind: Kind, flags: u32) -> usize {
        let i = self.nodes.len();
        self.nodes.push(Node {
            name: name.to_vec(),
            kind,
            flags,
        });
        match &mut self.nodes[parent].kind {
            Kind::Dir(children) => children.push(i),
            _ => panic!("parent {parent} is not a directory"),
        }
        i
    }

    fn dir(&mut self, parent: usize, name: &[u8]) -> usize {
        self.add(parent, name, Kind::Dir(Vec::new()), 0)
    }

    fn file(&mut self, parent: usize, name: &[u8], data: &[u8]) -> usize {
        self.add(parent, name, Kind::File(data.to_vec()), 0)
    }

    fn link(&mut self, parent: usize, name: &[u8], target: &[u8]) -> usize {
        self.add(parent, name, Kind::Link(target.to_vec()), 0)
    }

    /// The image: breadth-first, children sorted by name.
    fn build(&self) -> Img {
        let mut order = Vec::new();
        let mut index = vec![0u32; self.nodes.len()];
        let mut parent_of = vec![0u32; self.nodes.len()];
        let mut queue = VecDeque::from([0usize]);
        while let Some(n) = queue.pop_front() {
            index[n] = order.len() as u32;
            order.push(n);
            if let Kind::Dir(children) = &self.nodes[n].kind {
                let mut sorted = children.clone();
                sorted.sort_by(|&a, &b| self.nodes[a].name.cmp(&self.nodes[b].name));
                for c in sorted {
                    parent_of[c] = n as u32;
                    queue.push_back(c);
                }
            }
        }
        let count = order.len() as u64;
        let names_off = INITFS_HEADER_SIZE + count * INITFS_ENTRY_SIZE;
        let mut names = Vec::new();
        let mut entries = Vec::new();
        let mut next_child = 1u32;
        for &n in &order {
            let node = &self.nodes[n];
            let name_off = names.len() as u64;
            names.extend_from_slice(&node.name);
            let mut e = InitfsEntry {
                mode: 0,
                flags: node.flags,
                parent: index[parent_of[n] as usize],
                first_child: 0,
                nr_children: 0,
                name_len: node.name.len() as u32,
                name_off,
                size: 0,
                data_off: 0,
                mtime_sec: 1_700_000_000,
                mtime_nsec: 123,
            };
            match &node.kind {
                Kind::Dir(children) => {
                    e.mode = S_IFDIR | 0o755;
                    if !children.is_empty() {
                        e.first_child = next_child;
                        e.nr_children = children.len() as u32;
                        next_child += e.nr_children;
                    }
                }
                Kind::File(data) => {
                    e.mode = S_IFREG | 0o644;
                    e.size = data.len() as u64;
                }
                Kind::Link(target) => {
                    e.mode = S_IFLNK | 0o777;
                    e.size = target.len() as u64;
                }
            }
            entries.push(e);
        }
        for (e, &n) in entries.iter_mut().zip(&order) {
            if let Kind::Link(target) = &self.nodes[n].kind {
                e.data_off = names.len() as u64;
                names.extend_from_slice(target);
            }
        }
        let mut cursor = (names_off + names.len() as u64).next_multiple_of(PAGE_SIZE);
        for (e, &n) in entries.iter_mut().zip(&order) {
            if let Kind::File(data) = &self.nodes[n].kind {
                e.data_off = cursor;
                cursor = (cursor + data.len() as u64).next_multiple_of(PAGE_SIZE);
            }
        }
        let header = InitfsHeader {
            magic: INITFS_MAGIC,
            version: INITFS_VERSION,
            nr_entries: count as u32,
            entries_off: INITFS_HEADER_SIZE,
            names_off,
            names_len: names.len() as u64,
            total_len: cursor,
        };
        let mut img = Img::zeroed(cursor as usize);
        let b = img.bytes_mut();
        b[..48].copy_from_slice(header.as_bytes());
        b[48..names_off as usize].copy_from_slice(entries.as_bytes());
        b[names_off as usize..][..names.len()].copy_from_slice(&names);
        for (e, &n) in entries.iter().zip(&order) {
            if let Kind::File(data) = &self.nodes[n].kind {
                b[e.data_off as usize..][..data.len()].copy_from_slice(data);
            }
        }
        img
    }
}

/// Image bytes in 8-aligned storage.
#[derive(Clone)]
struct Img {
    words: Vec<u64>,
    len: usize,
}

/// What a failing case needs to be read: the header and the entries.
impl core::fmt::Debug for Img {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let b = self.bytes();
        let Ok((h, _)) = InitfsHeader::read_from_prefix(b) else {
            return write!(f, "Img({} bytes)", self.len);
        };
        writeln!(f, "Img({} bytes) {h:?}", self.len)?;
        for i in 0..u64::from(h.nr_entries).min(64) {
            let off = h.entries_off.saturating_add(i * 64) as usize;
            match b.get(off..off.saturating_add(64)) {
                Some(e) => writeln!(f, "  {i}: {:?}", InitfsEntry::read_from_bytes(e).unwrap())?,
                None => break,
            }
        }
        Ok(())
    }
}

impl Img {
    fn zeroed(len: usize) -> Img {
        Img {
            words: vec![0; len.div_ceil(8) + 1],
            len,
        }
    }

    fn from_bytes(bytes: &[u8]) -> Img {
        let mut img = Img::zeroed(bytes.len());
        img.bytes_mut().copy_from_slice(bytes);
        img
    }

    fn bytes(&self) -> &[u8] {
        &self.words.as_bytes()[..self.len]
    }

    fn bytes_mut(&mut self) -> &mut [u8] {
        &mut self.words.as_mut_bytes()[..self.len]
    }

    fn parse(&self) -> Result<Initfs<'_>, InitfsError> {
        Initfs::parse(self.bytes())
    }

    fn header(&mut self) -> &mut InitfsHeader {
        InitfsHeader::mut_from_bytes(&mut self.bytes_mut()[..48]).unwrap()
    }

    fn entry(&mut self, i: usize) -> &mut InitfsEntry {
        let off = self.header().entries_off as usize + i * 64;
        InitfsEntry::mut_from_bytes(&mut self.bytes_mut()[off..off + 64]).unwrap()
    }

    /// The image with its length changed (and told to the header).
    fn resized(&self, len: usize) -> Img {
        let mut img = Img::zeroed(len);
        let n = len.min(self.len);
        img.bytes_mut()[..n].copy_from_slice(&self.bytes()[..n]);
        if len >= 48 {
            img.header().total_len = len as u64;
        }
        img
    }
}

// The fixture's entries, breadth-first.
const ROOT: usize = 0;
const BIN: usize = 1;
const ETC: usize = 2;
const HELLO: usize = 3;
const LINK: usize = 4;
const A: usize = 5;
const B: usize = 6;

fn a_data() -> Vec<u8> {
    (0..5000u32).map(|i| (i % 251) as u8 + 1).collect()
}

/// `/bin/{a,b}`, `/etc/`, `/hello` (the program), `/link -> bin/a`.
fn fixture() -> Img {
    let mut t = Tree::new();
    // Added out of order: the image sorts.
    t.link(0, b"link", b"bin/a");
    let hello = t.file(0, b"hello", b"hello, 10");
    t.nodes[hello].flags = INITFS_PROGRAM;
    let bin = t.dir(0, b"bin");
    t.dir(0, b"etc");
    t.file(bin, b"b", b"");
    t.file(bin, b"a", &a_data());
    t.build()
}

fn broken(f: impl FnOnce(&mut Img)) -> Result<(), InitfsError> {
    let mut img = fixture();
    f(&mut img);
    img.parse().map(|_| ())
}

fn with_entry(i: usize, f: impl FnOnce(&mut InitfsEntry)) -> Result<(), InitfsError> {
    broken(|img| f(img.entry(i)))
}

fn with_header(f: impl FnOnce(&mut InitfsHeader)) -> Result<(), InitfsError> {
    broken(|img| f(img.header()))
}

/// A one-directory image whose only child is named `name`.
fn named(name: &[u8]) -> Result<(), InitfsError> {
    let mut t = Tree::new();
    t.file(0, name, b"x");
    t.build().parse().map(|_| ())
}

fn linked(target: &[u8]) -> Result<(), InitfsError> {
    let mut t = Tree::new();
    t.link(0, b"l", target);
    t.build().parse().map(|_| ())
}

use InitfsError::*;

#[test]
fn the_fixture_reads_back() {
    let img = fixture();
    let fs = img.parse().unwrap();
    assert_eq!(fs.len(), 7);
    assert!(!fs.is_empty());
    assert_eq!(fs.children(0), 1..5);
    let names: Vec<&[u8]> = fs.children(0).map(|c| fs.name(c)).collect();
    assert_eq!(names, [&b"bin"[..], b"etc", b"hello", b"link"]);
    assert_eq!(fs.name(0), b"");
    assert_eq!(fs.lookup(0, b"bin"), Some(BIN as u32));
    assert_eq!(fs.lookup(0, b"etc"), Some(ETC as u32));
    assert_eq!(fs.lookup(0, b"hello"), Some(HELLO as u32));
    assert_eq!(fs.lookup(0, b"link"), Some(LINK as u32));
    assert_eq!(fs.lookup(BIN as u32, b"a"), Some(A as u32));
    assert_eq!(fs.lookup(BIN as u32, b"b"), Some(B as u32));
    for missing in [&b""[..], b"a", b"bi", b"bins", b"zzz", b"\xff"] {
        assert_eq!(fs.lookup(0, missing), None, "{missing:?}");
    }
    assert_eq!(fs.lookup(HELLO as u32, b"x"), None);
    assert_eq!(fs.lookup(ETC as u32, b"x"), None);
    assert_eq!(fs.children(ETC as u32), 0..0);
    assert_eq!(fs.children(HELLO as u32), 0..0);
    assert_eq!(fs.data(HELLO as u32), b"hello, 10");
    assert_eq!(fs.data(A as u32), &a_data()[..]);
    assert_eq!(fs.data(B as u32), b"");
    assert_eq!(fs.data(LINK as u32), b"");
    assert_eq!(fs.data(BIN as u32), b"");
    assert_eq!(fs.symlink_target(LINK as u32), b"bin/a");
    assert_eq!(fs.symlink_target(A as u32), b"");
    assert_eq!(fs.program(), Some(HELLO as u32));
    assert_eq!(fs.entry(A as u32).parent, BIN as u32);
    assert_eq!(fs.entry(A as u32).data_off % PAGE_SIZE, 0);
    assert_eq!(fs.entry(LINK as u32).mode, S_IFLNK | 0o777);
    assert_eq!(fs.bytes().len() as u64 % PAGE_SIZE, 0);
}

#[test]
fn a_root_alone_is_an_image() {
    let img = Tree::new().build();
    assert_eq!(img.len as u64, PAGE_SIZE);
    let fs = img.parse().unwrap();
    assert_eq!(fs.len(), 1);
    assert_eq!(fs.children(0), 0..0);
    assert_eq!(fs.program(), None);
    assert_eq!(fs.lookup(0, b"x"), None);
}

#[test]
#[should_panic]
fn entry_out_of_range_panics() {
    let img = fixture();
    img.parse().unwrap().entry(7);
}

#[test]
fn header_rules() {
    let img = fixture();
    assert_eq!(Initfs::parse(&img.bytes()[..47]).map(|_| ()), Err(TooShort));
    assert_eq!(Initfs::parse(&[]).map(|_| ()), Err(TooShort));

    let mut shifted = Img::zeroed(img.len + 8);
    shifted.bytes_mut()[1..1 + img.len].copy_from_slice(img.bytes());
    assert_eq!(
        Initfs::parse(&shifted.words.as_bytes()[1..1 + img.len]).map(|_| ()),
        Err(Misaligned)
    );

    assert_eq!(with_header(|h| h.magic ^= 1), Err(BadMagic));
    assert_eq!(with_header(|h| h.version = 2), Err(BadVersion));
    assert_eq!(with_header(|h| h.version = 0), Err(BadVersion));
}

#[test]
fn the_length_must_be_total_len() {
    let img = fixture();
    // A longer slice (a page-rounded range, say) is refused, not cut.
    let mut longer = Img::zeroed(img.len + 4096);
    longer.bytes_mut()[..img.len].copy_from_slice(img.bytes());
    assert_eq!(longer.parse().map(|_| ()), Err(LengthMismatch));
    assert_eq!(
        Initfs::parse(&img.bytes()[..img.len - 4096]).map(|_| ()),
        Err(LengthMismatch)
    );
    assert_eq!(with_header(|h| h.total_len += 4096), Err(LengthMismatch));
    assert_eq!(
        img.resized(img.len + 1).parse().map(|_| ()),
        Err(LengthUnaligned)
    );
}

#[test]
fn entries_rules() {
    assert_eq!(with_header(|h| h.nr_entries = 0), Err(NoEntries));
    assert_eq!(with_header(|h| h.entries_off += 4), Err(EntriesUnaligned));
    assert_eq!(with_header(|h| h.entries_off = 40), Err(EntriesOutOfBounds));
    assert_eq!(with_header(|h| h.entries_off = 0), Err(EntriesOutOfBounds));
    assert_eq!(
        with_header(|h| h.nr_entries = u32::MAX),
        Err(EntriesOutOfBounds)
    );
    assert_eq!(with_header(|h| h.entries_off = !7), Err(EntriesOutOfBounds));
    assert_eq!(
        with_header(|h| h.entries_off = h.total_len),
        Err(EntriesOutOfBounds)
    );
}

#[test]
fn names_area_rules() {
    assert_eq!(with_header(|h| h.names_off -= 8), Err(NamesOutOfBounds));
    assert_eq!(
        with_header(|h| h.names_len = u64::MAX),
        Err(NamesOutOfBounds)
    );
    assert_eq!(
        with_header(|h| h.names_off = u64::MAX - 1),
        Err(NamesOutOfBounds)
    );
    assert_eq!(
        with_header(|h| h.names_len = h.total_len - h.names_off + 1),
        Err(NamesOutOfBounds)
    );
}

#[test]
fn root_rules() {
    assert_eq!(
        with_entry(ROOT, |e| e.mode = S_IFREG | 0o755),
        Err(RootNotDirectory)
    );
    assert_eq!(with_entry(ROOT, |e| e.parent = 1), Err(RootParent));
    assert_eq!(with_entry(ROOT, |e| e.name_len = 1), Err(RootNamed));
}

#[test]
fn mode_flag_and_time_rules() {
    assert_eq!(with_entry(HELLO, |e| e.mode |= 1 << 16), Err(BadModeBits));
    assert_eq!(
        with_entry(HELLO, |e| e.mode = S_IFIFO | 0o644),
        Err(BadFileType)
    );
    assert_eq!(with_entry(HELLO, |e| e.mode = 0o644), Err(BadFileType));
    // Directory and regular file bits at once are another type.
    assert_eq!(with_entry(ETC, |e| e.mode |= S_IFREG), Err(BadFileType));
    assert_eq!(with_entry(A, |e| e.flags |= 4), Err(UnknownFlags));
    assert_eq!(with_entry(A, |e| e.flags = u32::MAX), Err(UnknownFlags));
    assert_eq!(
        with_entry(A, |e| e.mtime_nsec = 1_000_000_000),
        Err(BadMtime)
    );
    assert_eq!(with_entry(A, |e| e.mtime_sec = i64::MIN), Ok(()));
    assert_eq!(with_entry(A, |e| e.flags = INITFS_WRITABLE), Ok(()));
    assert_eq!(with_entry(BIN, |e| e.mode = S_IFDIR | 0o7777), Ok(()));
}

#[test]
fn name_rules() {
    let names_len = |img: &mut Img| img.header().names_len;
    assert_eq!(
        broken(|img| {
            let len = names_len(img);
            img.entry(A).name_off = len;
        }),
        Err(NameOutOfBounds)
    );
    assert_eq!(
        with_entry(A, |e| e.name_off = u64::MAX),
        Err(NameOutOfBounds)
    );
    assert_eq!(
        with_entry(A, |e| e.name_len = u32::MAX),
        Err(NameOutOfBounds)
    );
    assert_eq!(with_entry(ETC, |e| e.name_len = 0), Err(EmptyName));
    assert_eq!(named(&[b'x'; 255]), Ok(()));
    assert_eq!(named(&[b'x'; 256]), Err(NameTooLong));
    assert_eq!(named(b"a/b"), Err(BadNameByte));
    assert_eq!(named(b"/"), Err(BadNameByte));
    assert_eq!(named(b"a\0"), Err(BadNameByte));
    assert_eq!(named(b"."), Err(DotName));
    assert_eq!(named(b".."), Err(DotName));
    assert_eq!(named(b"..."), Ok(()));
    assert_eq!(named(b".hidden"), Ok(()));
    assert_eq!(named("ünï".as_bytes()), Ok(()));
}

#[test]
fn names_are_sorted_and_unique() {
    // Swapping two names puts "link" before "hello".
    assert_eq!(
        broken(|img| {
            let (h, l) = (*img.entry(HELLO), *img.entry(LINK));
            img.entry(HELLO).name_off = l.name_off;
            img.entry(HELLO).name_len = l.name_len;
            img.entry(LINK).name_off = h.name_off;
            img.entry(LINK).name_len = h.name_len;
        }),
        Err(NamesNotSorted)
    );
    assert_eq!(
        broken(|img| {
            let a = *img.entry(A);
            img.entry(B).name_off = a.name_off;
        }),
        Err(NamesNotSorted)
    );
    let mut t = Tree::new();
    t.file(0, b"same", b"1");
    t.file(0, b"same", b"2");
    assert_eq!(t.build().parse().map(|_| ()), Err(NamesNotSorted));
    // Bytewise: "Z" (0x5a) before "a", "\xff" last.
    let mut t = Tree::new();
    for n in [&b"a"[..], b"Z", b"\xff", b"A"] {
        t.file(0, n, b"x");
    }
    let img = t.build();
    let fs = img.parse().unwrap();
    let names: Vec<&[u8]> = fs.children(0).map(|c| fs.name(c)).collect();
    assert_eq!(names, [&b"A"[..], b"Z", b"a", b"\xff"]);
}

#[test]
fn children_rules() {
    assert_eq!(
        with_entry(BIN, |e| e.nr_children = 3),
        Err(ChildrenOutOfBounds)
    );
    assert_eq!(
        with_entry(BIN, |e| e.first_child = u32::MAX),
        Err(ChildrenOutOfBounds)
    );
    assert_eq!(
        with_entry(ROOT, |e| e.first_child = 0),
        Err(ChildBeforeParent)
    );
    assert_eq!(
        with_entry(BIN, |e| {
            e.first_child = 1;
            e.nr_children = 1;
        }),
        Err(ChildBeforeParent)
    );
    assert_eq!(with_entry(BIN, |e| e.first_child = 4), Err(ChildrenOverlap));
    assert_eq!(
        with_entry(BIN, |e| {
            e.first_child = 6;
            e.nr_children = 1;
        }),
        Err(ChildrenGap)
    );
    assert_eq!(with_entry(BIN, |e| e.nr_children = 1), Err(Orphans));
    assert_eq!(with_entry(ROOT, |e| e.nr_children = 3), Err(ChildrenGap));
    assert_eq!(
        with_entry(B, |e| e.mode = S_IFDIR | 0o755),
        Err(DirectoryWithData)
    );
    assert_eq!(with_entry(A, |e| e.parent = 0), Err(WrongParent));
    assert_eq!(with_entry(HELLO, |e| e.parent = 1), Err(WrongParent));
    assert_eq!(with_entry(HELLO, |e| e.nr_children = 1), Err(StrayChildren));
    assert_eq!(with_entry(LINK, |e| e.first_child = 5), Err(StrayChildren));
    assert_eq!(with_entry(ETC, |e| e.first_child = 5), Err(StrayChildren));
}

/// A directory that is its own ancestor cannot be written: its children
/// would have to lie before it.
#[test]
fn cycles_are_refused() {
    // bin's children range pointing at the root's: 0 is never a child.
    assert_eq!(
        with_entry(BIN, |e| e.first_child = 0),
        Err(ChildBeforeParent)
    );
    // root -> bin -> bin
    assert_eq!(
        broken(|img| {
            img.entry(BIN).first_child = 1;
            img.entry(BIN).nr_children = 1;
            img.entry(BIN).parent = 1;
        }),
        Err(ChildBeforeParent)
    );
}

#[test]
fn file_data_rules() {
    assert_eq!(with_entry(ETC, |e| e.size = 1), Err(DirectoryWithData));
    assert_eq!(
        with_entry(ETC, |e| e.data_off = 4096),
        Err(DirectoryWithData)
    );
    assert_eq!(with_entry(A, |e| e.data_off += 8), Err(DataUnaligned));
    assert_eq!(with_entry(A, |e| e.data_off = 0), Err(DataOutOfBounds));
    assert_eq!(
        broken(|img| {
            let total = img.header().total_len;
            img.entry(A).data_off = total;
        }),
        Err(DataOutOfBounds)
    );
    assert_eq!(with_entry(A, |e| e.size = u64::MAX), Err(DataOutOfBounds));
    assert_eq!(with_entry(A, |e| e.data_off = !4095), Err(DataOutOfBounds));
    assert_eq!(
        broken(|img| {
            let hello = img.entry(HELLO).data_off;
            img.entry(A).data_off = hello;
        }),
        Err(DataOverlap)
    );
    // An empty file may sit anywhere in bounds.
    assert_eq!(
        broken(|img| {
            let hello = img.entry(HELLO).data_off;
            img.entry(B).data_off = hello;
        }),
        Ok(())
    );
    // A non-zero tail is the kernel's to clear (it zeroes it when it
    // adopts the pages), not a malformed image.
    assert_eq!(
        broken(|img| {
            let e = *img.entry(HELLO);
            img.bytes_mut()[(e.data_off + e.size) as usize] = 1;
        }),
        Ok(())
    );
}

#[test]
fn symlink_rules() {
    assert_eq!(with_entry(LINK, |e| e.size = 0), Err(EmptySymlinkTarget));
    assert_eq!(linked(&[b'a'; 4095]), Ok(()));
    assert_eq!(linked(&[b'a'; 4096]), Err(SymlinkTargetTooLong));
    assert_eq!(
        broken(|img| {
            let len = img.header().names_len;
            img.entry(LINK).data_off = len;
        }),
        Err(SymlinkTargetOutOfBounds)
    );
    assert_eq!(
        with_entry(LINK, |e| e.data_off = u64::MAX),
        Err(SymlinkTargetOutOfBounds)
    );
    assert_eq!(linked(b"a\0b"), Err(SymlinkTargetNul));
    // Targets are not checked for meaning: resolved in the guest.
    assert_eq!(linked(b"../../etc/passwd"), Ok(()));
    assert_eq!(linked(b"/"), Ok(()));
}

#[test]
fn program_rules() {
    assert_eq!(
        with_entry(LINK, |e| e.flags = INITFS_PROGRAM),
        Err(ProgramNotRegular)
    );
    assert_eq!(
        with_entry(ROOT, |e| e.flags = INITFS_PROGRAM),
        Err(ProgramNotRegular)
    );
    assert_eq!(
        with_entry(A, |e| e.flags = INITFS_PROGRAM | INITFS_WRITABLE),
        Err(SeveralPrograms)
    );
    assert_eq!(
        broken(|img| {
            img.entry(HELLO).flags = 0;
            img.entry(A).flags = INITFS_PROGRAM;
        }),
        Ok(())
    );
}

#[test]
fn messages_are_distinct() {
    let all = [
        TooShort,
        Misaligned,
        BadMagic,
        BadVersion,
        LengthMismatch,
        LengthUnaligned,
        NoEntries,
        EntriesUnaligned,
        EntriesOutOfBounds,
        NamesOutOfBounds,
        RootNotDirectory,
        RootParent,
        RootNamed,
        BadModeBits,
        BadFileType,
        UnknownFlags,
        BadMtime,
        NameOutOfBounds,
        EmptyName,
        NameTooLong,
        BadNameByte,
        DotName,
        NamesNotSorted,
        ChildrenOutOfBounds,
        ChildBeforeParent,
        ChildrenOverlap,
        ChildrenGap,
        Orphans,
        WrongParent,
        StrayChildren,
        DirectoryWithData,
        DataUnaligned,
        DataOutOfBounds,
        DataOverlap,
        EmptySymlinkTarget,
        SymlinkTargetTooLong,
        SymlinkTargetOutOfBounds,
        SymlinkTargetNul,
        ProgramNotRegular,
        SeveralPrograms,
    ];
    let mut seen = std::collections::BTreeSet::new();
    for e in all {
        assert!(!e.message().is_empty());
        assert!(seen.insert(e.message()), "{e:?}: message used twice");
        assert_eq!(std::format!("{e}"), e.message());
    }
}

/// A random valid image: each node's parent chosen among the directories
/// before it, names made unique per directory.
fn random_tree() -> impl Strategy<Value = Img> {
    let node = (
        any::<prop::sample::Index>(),
        0u8..3,
        "[ab.]{1,3}",
        0usize..9000,
        any::<bool>(),
    );
    prop::collection::vec(node, 0..14).prop_map(|nodes| {
        let mut t = Tree::new();
        let mut dirs = vec![0usize];
        let mut program = false;
        for (i, (parent, kind, name, size, flag)) in nodes.into_iter().enumerate() {
            let parent = *parent.get(&dirs);
            let mut name = name.into_bytes();
            name.extend_from_slice(std::format!("{i}").as_bytes());
            match kind {
                0 => dirs.push(t.dir(parent, &name)),
                1 => {
                    let data: Vec<u8> = (0..size).map(|j| (j * 7 + i) as u8).collect();
                    let f = t.file(parent, &name, &data);
                    if flag && !program {
                        t.nodes[f].flags = INITFS_PROGRAM;
                        program = true;
                    }
                }
                _ => {
                    t.link(parent, &name, &name[..1 + size % name.len()]);
                }
            }
            if flag {
                let last = t.nodes.len() - 1;
                t.nodes[last].flags |= INITFS_WRITABLE;
            }
        }
        t.build()
    })
}

/// Everything a reader can ask of a parsed image, with the invariants the
/// kernel relies on.
fn walk(fs: &Initfs<'_>) {
    let mut seen = vec![false; fs.len() as usize];
    seen[0] = true;
    for i in 0..fs.len() {
        let e = fs.entry(i);
        let _ = (fs.name(i), fs.data(i), fs.symlink_target(i), e.flags);
        for c in fs.children(i) {
            assert!(c > i);
            assert!(!seen[c as usize], "entry {c} has two parents");
            seen[c as usize] = true;
            assert_eq!(fs.entry(c).parent, i);
            assert_eq!(fs.lookup(i, fs.name(c)), Some(c));
        }
        assert_eq!(fs.lookup(i, b"\0"), None);
        if e.mode & S_IFMT == S_IFREG {
            assert_eq!(e.data_off % PAGE_SIZE, 0);
        }
    }
    assert!(seen.iter().all(|&s| s), "an entry without a parent");
    if let Some(p) = fs.program() {
        assert_eq!(fs.entry(p).mode & S_IFMT, S_IFREG);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn valid_images_parse(img in random_tree()) {
        let fs = img.parse().unwrap();
        walk(&fs);
    }

    /// Random bytes anywhere in the metadata (where nearly every byte
    /// matters), and sometimes in the data.
    #[test]
    fn mutated_images_never_panic(
        img in random_tree(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), any::<bool>()), 1..6),
    ) {
        let mut img = img;
        let meta = {
            let h = img.header();
            (h.names_off + h.names_len) as usize
        };
        for (at, byte, anywhere) in edits {
            let at = at.index(if anywhere { img.len } else { meta });
            img.bytes_mut()[at] = byte;
        }
        if let Ok(fs) = img.parse() {
            walk(&fs);
        }
    }

    /// One field of one entry or of the header set to an edge value.
    #[test]
    fn mutated_fields_never_panic(
        img in random_tree(),
        entry in any::<prop::sample::Index>(),
        field in 0usize..14,
        value in prop_oneof![
            Just(0u64), Just(1), Just(7), Just(4096), Just(u32::MAX as u64),
            Just(u64::MAX), Just(u64::MAX - 4095), any::<u64>(), 0u64..64,
        ],
    ) {
        let mut img = img;
        let n = img.header().nr_entries as usize;
        let i = entry.index(n);
        let v32 = value as u32;
        let len = img.len as u64;
        match field {
            0 => img.entry(i).mode = v32,
            1 => img.entry(i).flags = v32,
            2 => img.entry(i).parent = v32,
            3 => img.entry(i).first_child = v32,
            4 => img.entry(i).nr_children = v32,
            5 => img.entry(i).name_len = v32,
            6 => img.entry(i).name_off = value,
            7 => img.entry(i).size = value,
            8 => img.entry(i).data_off = value,
            9 => img.header().nr_entries = v32,
            10 => img.header().entries_off = value,
            11 => img.header().names_off = value,
            12 => img.header().names_len = value,
            _ => img = img.resized((value % (len + 8192)) as usize),
        }
        if let Ok(fs) = img.parse() {
            walk(&fs);
        }
    }

    #[test]
    fn truncated_images_never_panic(img in random_tree(), cut in any::<prop::sample::Index>()) {
        let at = cut.index(img.len);
        prop_assert!(Initfs::parse(&img.bytes()[..at]).is_err());
        let copy = Img::from_bytes(&img.bytes()[..at]);
        prop_assert!(copy.parse().is_err());
    }
}
