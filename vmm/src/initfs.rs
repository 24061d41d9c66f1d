//! The initfs image ([`abi::initfs`]) built from host files: the trees
//! of `--dir`, the files of `--file`, and PROGRAM itself at its canonical
//! path.
//!
//! Two steps, so that the image's size is known before any guest memory is
//! spent: [`build`] walks the host (metadata and directory listings only)
//! and lays the image out as an [`Image`]; [`Image::write`] then copies
//! each file's bytes straight into guest memory (or [`Image::to_vec`] into
//! a buffer).
//!
//! Inside a tree nothing is followed: a symlink is stored as a symlink with
//! its target text (resolved later in the guest's own namespace), so no host
//! file outside the imported trees is ever read. Only the HOST of a spec is
//! canonicalized (it may itself be a symlink).
//!
//! Import rules:
//! - GUEST is absolute, without `..`, and not `/proc`, `/sys`, `/dev` or
//!   below them (the guest kernel provides those), except `/dev/shm` and
//!   below; it defaults to the canonical HOST path;
//! - directories merge: a directory named by several imports gets all
//!   their entries and keeps the first import's mode, mtime and flags;
//! - a file or symlink where an earlier import put anything, or a
//!   directory where one put a file, is an error naming both host paths;
//! - directories that are only the path to an import get mode 0755, mtime
//!   0 and `INITFS_WRITABLE` (no host file is behind them), until an
//!   import names them;
//! - `--dir` imports are applied in the order given, then `--file`
//!   imports, then PROGRAM, read-only and flagged `INITFS_PROGRAM`; where
//!   an import already put the same host file at PROGRAM's path, that
//!   entry is flagged instead.

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::fmt;
use std::fs::{self, File, Metadata};
use std::io::{self, Read};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::fs::{FileTypeExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use abi::initfs::{
    InitfsEntry, InitfsHeader, INITFS_ENTRY_SIZE, INITFS_HEADER_SIZE, INITFS_MAGIC,
    INITFS_NAME_MAX, INITFS_PROGRAM, INITFS_TARGET_MAX, INITFS_VERSION, INITFS_WRITABLE,
};
use abi::layout::PAGE_SIZE;
use abi::linux::fs::{S_IFDIR, S_IFMT, S_IFREG};
use vm_memory::{GuestAddress, GuestMemoryBackend, GuestMemoryMmap, ReadVolatile};
use zerocopy::IntoBytes;

use crate::error::{Error, Result};

/// `--dir` or `--file`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImportKind {
    Dir,
    File,
}

impl ImportKind {
    pub fn flag(self) -> &'static str {
        match self {
            ImportKind::Dir => "--dir",
            ImportKind::File => "--file",
        }
    }
}

/// One `--dir` or `--file`: `HOST[:GUEST][:rw|:ro]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Import {
    pub kind: ImportKind,
    pub host: PathBuf,
    /// Where in the guest (checked: absolute, allowed); `None`: the
    /// canonical host path.
    pub guest: Option<PathBuf>,
    /// `:rw`: the guest may change its copy.
    pub writable: bool,
}

impl fmt::Display for Import {
    /// As given on the command line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.kind.flag(), self.host.display())?;
        if let Some(g) = &self.guest {
            write!(f, ":{}", g.display())?;
        }
        if self.writable {
            f.write_str(":rw")?;
        }
        Ok(())
    }
}

impl Import {
    /// Parses `HOST[:GUEST][:rw|:ro]`: a trailing `:rw` or `:ro` is the
    /// access, then the rest splits at its first `:`. So a HOST path with a
    /// `:` in it cannot be given (a GUEST path can).
    pub fn parse(kind: ImportKind, spec: &OsStr) -> std::result::Result<Import, String> {
        let bytes = spec.as_bytes();
        let (rest, writable) = if let Some(r) = bytes.strip_suffix(b":rw") {
            (r, true)
        } else if let Some(r) = bytes.strip_suffix(b":ro") {
            (r, false)
        } else {
            (bytes, false)
        };
        let (host, guest) = match rest.iter().position(|&b| b == b':') {
            Some(i) => (&rest[..i], Some(&rest[i + 1..])),
            None => (rest, None),
        };
        if host.is_empty() {
            return Err("no HOST path (expected HOST[:GUEST][:rw|:ro])".into());
        }
        let guest = match guest {
            Some([]) => return Err("empty GUEST path (expected HOST[:GUEST][:rw|:ro])".into()),
            Some(g) => {
                guest_components(g)?;
                Some(PathBuf::from(OsStr::from_bytes(g)))
            }
            None => None,
        };
        Ok(Import {
            kind,
            host: PathBuf::from(OsStr::from_bytes(host)),
            guest,
            writable,
        })
    }

    /// A `--dir SPEC` argument.
    pub fn dir(spec: OsString) -> std::result::Result<Import, String> {
        Import::parse(ImportKind::Dir, &spec)
    }

    /// A `--file SPEC` argument.
    pub fn file(spec: OsString) -> std::result::Result<Import, String> {
        Import::parse(ImportKind::File, &spec)
    }
}

/// The components of a guest path, checked: absolute, no `..`, names
/// Linux accepts, not where the guest kernel has its own file systems.
/// Empty and `.` components are dropped.
fn guest_components(path: &[u8]) -> std::result::Result<Vec<&[u8]>, String> {
    let shown = String::from_utf8_lossy(path);
    if path.first() != Some(&b'/') {
        return Err(format!("GUEST path {shown} is not absolute"));
    }
    let mut out = Vec::new();
    for c in path.split(|&b| b == b'/') {
        match c {
            b"" | b"." => {}
            b".." => return Err(format!("GUEST path {shown} has a `..` component")),
            _ if c.len() > INITFS_NAME_MAX => {
                return Err(format!(
                    "GUEST path {shown} has a component longer than {INITFS_NAME_MAX} bytes"
                ))
            }
            _ if c.contains(&0) => return Err(format!("GUEST path {shown} has a NUL byte")),
            _ => out.push(c),
        }
    }
    if let Some(top) = reserved(&out) {
        let except = if top == "/dev" {
            " (under /dev only /dev/shm may be used)"
        } else {
            ""
        };
        return Err(format!(
            "GUEST path {shown} is in {top}, which the guest kernel provides itself{except}"
        ));
    }
    Ok(out)
}

/// The guest kernel's own tree that `components` is or lies in, if any.
fn reserved(components: &[&[u8]]) -> Option<&'static str> {
    match components {
        [b"proc", ..] => Some("/proc"),
        [b"sys", ..] => Some("/sys"),
        [b"dev", b"shm", ..] => None,
        [b"dev", ..] => Some("/dev"),
        _ => None,
    }
}

#[derive(Debug)]
enum Kind {
    /// Children by name: a BTreeMap keeps them in bytewise order.
    Dir(BTreeMap<Vec<u8>, usize>),
    File {
        size: u64,
        /// The bytes when they are already in memory (PROGRAM, as
        /// loaded); else the host file (the node's `host`) is read when
        /// the image is written.
        bytes: Option<Arc<[u8]>>,
        /// (st_dev, st_ino): PROGRAM's identity test.
        id: (u64, u64),
    },
    Symlink(Vec<u8>),
}

#[derive(Debug)]
struct Node {
    kind: Kind,
    mode: u32,
    mtime: (i64, u64),
    flags: u32,
    /// The host path it was imported from; `None` for a directory that is
    /// only the path to an import.
    host: Option<PathBuf>,
}

impl Node {
    fn path_dir() -> Node {
        Node {
            kind: Kind::Dir(BTreeMap::new()),
            mode: S_IFDIR | 0o755,
            mtime: (0, 0),
            flags: INITFS_WRITABLE,
            host: None,
        }
    }

    fn what(&self) -> &'static str {
        match self.kind {
            Kind::Dir(_) => "the directory",
            Kind::File { .. } => "the file",
            Kind::Symlink(_) => "the symlink",
        }
    }
}

fn permissions(meta: &Metadata) -> u32 {
    meta.mode() & 0o7777
}

fn mtime(meta: &Metadata) -> (i64, u64) {
    // The format wants nanoseconds below 10^9; Linux keeps them so, and
    // the clamp keeps a file system that did not from breaking the image.
    (meta.mtime(), meta.mtime_nsec().clamp(0, 999_999_999) as u64)
}

/// The node for the regular file or symlink at `host`.
fn leaf(host: &Path, meta: &Metadata, flags: u32) -> Result<Node> {
    let kind = if meta.is_file() {
        Kind::File {
            size: meta.len(),
            bytes: None,
            id: (meta.dev(), meta.ino()),
        }
    } else {
        let target = fs::read_link(host).map_err(|e| Error::InitfsRead {
            path: host.to_owned(),
            source: e,
        })?;
        let target = target.into_os_string().into_vec();
        if target.len() > INITFS_TARGET_MAX {
            return Err(Error::Initfs(format!(
                "{}: symlink target longer than {INITFS_TARGET_MAX} bytes",
                host.display()
            )));
        }
        Kind::Symlink(target)
    };
    Ok(Node {
        mode: (meta.mode() & S_IFMT) | permissions(meta),
        kind,
        mtime: mtime(meta),
        flags,
        host: Some(host.to_owned()),
    })
}

/// A guest path for messages.
fn bytes_path(components: &[&[u8]]) -> String {
    let mut s = String::new();
    for c in components {
        s.push('/');
        s.push_str(&String::from_utf8_lossy(c));
    }
    if s.is_empty() {
        s.push('/');
    }
    s
}

fn import_error(import: &Import, message: impl fmt::Display) -> Error {
    Error::Initfs(format!("{import}: {message}"))
}

/// The tree of everything imported so far.
pub struct Builder {
    /// Node 0 is the root.
    nodes: Vec<Node>,
}

impl Default for Builder {
    fn default() -> Self {
        Builder::new()
    }
}

impl Builder {
    pub fn new() -> Builder {
        Builder {
            nodes: vec![Node::path_dir()],
        }
    }

    fn children(&mut self, dir: usize) -> &mut BTreeMap<Vec<u8>, usize> {
        match &mut self.nodes[dir].kind {
            Kind::Dir(children) => children,
            _ => unreachable!("only directories are walked into"),
        }
    }

    fn push(&mut self, dir: usize, name: &[u8], node: Node) -> usize {
        let i = self.nodes.len();
        self.nodes.push(node);
        self.children(dir).insert(name.to_vec(), i);
        i
    }

    /// The directory at `components`, made (as a path directory) where
    /// missing. `new_host` is what needs it, for the error.
    fn path_to(&mut self, components: &[&[u8]], new_host: &Path) -> Result<usize> {
        let mut dir = 0;
        for (depth, c) in components.iter().enumerate() {
            dir = match self.children(dir).get(*c).copied() {
                Some(i) if matches!(self.nodes[i].kind, Kind::Dir(_)) => i,
                Some(i) => {
                    let at = bytes_path(&components[..=depth]);
                    return Err(self.conflict(&at, i, new_host, "the path to"));
                }
                None => self.push(dir, c, Node::path_dir()),
            };
        }
        Ok(dir)
    }

    /// The error for `new_what new_host` where node `existing` is (`at`:
    /// its guest path).
    fn conflict(&self, at: &str, existing: usize, new_host: &Path, new_what: &str) -> Error {
        let old = &self.nodes[existing];
        Error::Initfs(match &old.host {
            Some(h) => format!(
                "{at}: {} {} and {new_what} {} would both be imported there",
                old.what(),
                h.display(),
                new_host.display()
            ),
            None => format!(
                "{at}: {new_what} {} would be where other imports need a directory",
                new_host.display()
            ),
        })
    }

    /// Adds one `--dir` or `--file` import.
    pub fn import(&mut self, import: &Import) -> Result<()> {
        let host = fs::canonicalize(&import.host).map_err(|e| {
            import_error(
                import,
                format_args!("cannot read: {}", crate::error::os_message(&e)),
            )
        })?;
        let meta = fs::metadata(&host).map_err(|e| Error::InitfsRead {
            path: host.clone(),
            source: e,
        })?;
        let guest_bytes = match &import.guest {
            Some(g) => g.as_os_str().as_bytes(),
            None => host.as_os_str().as_bytes(),
        };
        let components = guest_components(guest_bytes).map_err(|e| import_error(import, e))?;
        let flags = if import.writable { INITFS_WRITABLE } else { 0 };
        match import.kind {
            ImportKind::Dir => {
                if !meta.is_dir() {
                    return Err(import_error(import, "not a directory (use --file)"));
                }
                let dir = self.path_to(&components, &host)?;
                self.adopt_dir(dir, &host, &meta, flags);
                let at_guest_root = components.is_empty();
                self.walk(import, dir, host.clone(), at_guest_root, flags)
            }
            ImportKind::File => {
                if meta.is_dir() {
                    return Err(import_error(import, "is a directory (use --dir)"));
                }
                if !meta.is_file() {
                    return Err(import_error(
                        import,
                        format_args!("{} is not a regular file", host.display()),
                    ));
                }
                let Some((name, parents)) = components.split_last() else {
                    return Err(import_error(import, "a file cannot be the guest's /"));
                };
                let dir = self.path_to(parents, &host)?;
                let node = leaf(&host, &meta, flags)?;
                if let Some(&old) = self.children(dir).get(*name) {
                    let at = bytes_path(&components);
                    return Err(self.conflict(&at, old, &host, node.what()));
                }
                self.push(dir, name, node);
                Ok(())
            }
        }
    }

    /// A directory an import names takes the import's attributes, unless
    /// an earlier import named it first.
    fn adopt_dir(&mut self, dir: usize, host: &Path, meta: &Metadata, flags: u32) {
        let node = &mut self.nodes[dir];
        if node.host.is_none() {
            node.mode = S_IFDIR | permissions(meta);
            node.mtime = mtime(meta);
            node.flags = flags;
            node.host = Some(host.to_owned());
        }
    }

    /// Imports the tree under `root` (a directory) into node `dir`.
    /// `at_guest_root`: `dir` is the guest's `/`, where `proc`, `sys` and
    /// `dev` may not be imported.
    fn walk(
        &mut self,
        import: &Import,
        dir: usize,
        root: PathBuf,
        at_guest_root: bool,
        flags: u32,
    ) -> Result<()> {
        let mut pending = vec![(dir, root, at_guest_root)];
        while let Some((dir, path, at_guest_root)) = pending.pop() {
            let read_error = |e| Error::InitfsRead {
                path: path.clone(),
                source: e,
            };
            for entry in fs::read_dir(&path).map_err(read_error)? {
                let entry = entry.map_err(read_error)?;
                let name = entry.file_name();
                let name = name.as_bytes();
                let child = entry.path();
                if at_guest_root {
                    if let Some(top) = reserved(&[name]) {
                        return Err(import_error(
                            import,
                            format_args!(
                                "{} would be imported as {top}, which the guest kernel provides itself",
                                child.display()
                            ),
                        ));
                    }
                }
                // Like symlink_metadata: a symlink's own metadata, never
                // its target's.
                let meta = entry.metadata().map_err(|e| Error::InitfsRead {
                    path: child.clone(),
                    source: e,
                })?;
                let ty = meta.file_type();
                if ty.is_dir() {
                    let sub = match self.children(dir).get(name).copied() {
                        Some(i) if matches!(self.nodes[i].kind, Kind::Dir(_)) => i,
                        Some(i) => {
                            let at = self.guest_path_of(i);
                            return Err(self.conflict(&at, i, &child, "the directory"));
                        }
                        None => self.push(dir, name, Node::path_dir()),
                    };
                    self.adopt_dir(sub, &child, &meta, flags);
                    pending.push((sub, child, false));
                } else if ty.is_file() || ty.is_symlink() {
                    let node = leaf(&child, &meta, flags)?;
                    if let Some(&old) = self.children(dir).get(name) {
                        let at = self.guest_path_of(old);
                        return Err(self.conflict(&at, old, &child, node.what()));
                    }
                    self.push(dir, name, node);
                } else {
                    let what = if ty.is_fifo() {
                        "a fifo"
                    } else if ty.is_socket() {
                        "a socket"
                    } else if ty.is_block_device() {
                        "a block device"
                    } else if ty.is_char_device() {
                        "a character device"
                    } else {
                        "of an unknown type"
                    };
                    return Err(Error::Initfs(format!(
                        "{}: is {what}; only regular files, directories and symlinks can be imported",
                        child.display()
                    )));
                }
            }
        }
        Ok(())
    }

    /// The guest path of node `i`, found by search (only for errors).
    fn guest_path_of(&self, target: usize) -> String {
        fn find(nodes: &[Node], dir: usize, target: usize, path: &mut Vec<Vec<u8>>) -> bool {
            let Kind::Dir(children) = &nodes[dir].kind else {
                return false;
            };
            for (name, &c) in children {
                path.push(name.clone());
                if c == target || find(nodes, c, target, path) {
                    return true;
                }
                path.pop();
            }
            false
        }
        let mut path = Vec::new();
        find(&self.nodes, 0, target, &mut path);
        let refs: Vec<&[u8]> = path.iter().map(Vec::as_slice).collect();
        bytes_path(&refs)
    }

    /// Adds PROGRAM (the file at `path`, whose bytes are `bytes`) at its
    /// canonical path, read-only, flagged as the program.
    pub fn program(&mut self, path: &Path, bytes: Arc<[u8]>) -> Result<()> {
        let read_error = |e| Error::InitfsRead {
            path: path.to_owned(),
            source: e,
        };
        let host = fs::canonicalize(path).map_err(read_error)?;
        let meta = fs::metadata(&host).map_err(read_error)?;
        let components = guest_components(host.as_os_str().as_bytes())
            .map_err(|e| Error::Initfs(format!("PROGRAM {}: {e}", host.display())))?;
        let Some((name, parents)) = components.split_last() else {
            return Err(Error::Initfs("PROGRAM cannot be the guest's /".into()));
        };
        let dir = self.path_to(parents, &host)?;
        if let Some(&old) = self.children(dir).get(*name) {
            let same = matches!(self.nodes[old].kind,
                Kind::File { id, .. } if id == (meta.dev(), meta.ino()));
            if !same {
                let at = bytes_path(&components);
                return Err(self.conflict(&at, old, &host, "the program"));
            }
            self.nodes[old].flags |= INITFS_PROGRAM;
            return Ok(());
        }
        let node = Node {
            kind: Kind::File {
                size: bytes.len() as u64,
                bytes: Some(bytes),
                id: (meta.dev(), meta.ino()),
            },
            mode: S_IFREG | permissions(&meta),
            mtime: mtime(&meta),
            flags: INITFS_PROGRAM,
            host: Some(host.clone()),
        };
        self.push(dir, name, node);
        Ok(())
    }

    /// Lays the image out: entries breadth-first, names, then each file's
    /// data on its own pages.
    pub fn finish(self) -> Image {
        let mut order: Vec<(usize, &[u8], u32)> = vec![(0, &[], 0)];
        let mut next = 0;
        while next < order.len() {
            let (n, _, _) = order[next];
            if let Kind::Dir(children) = &self.nodes[n].kind {
                for (name, &c) in children {
                    order.push((c, name, next as u32));
                }
            }
            next += 1;
        }
        let count = order.len() as u64;
        let names_off = INITFS_HEADER_SIZE + count * INITFS_ENTRY_SIZE;
        let mut names: Vec<u8> = Vec::new();
        let mut entries = Vec::with_capacity(order.len());
        let mut next_child = 1u32;
        for &(n, name, parent) in &order {
            let node = &self.nodes[n];
            let mut e = InitfsEntry {
                mode: node.mode,
                flags: node.flags,
                parent,
                first_child: 0,
                nr_children: 0,
                name_len: name.len() as u32,
                name_off: names.len() as u64,
                size: 0,
                data_off: 0,
                mtime_sec: node.mtime.0,
                mtime_nsec: node.mtime.1,
            };
            names.extend_from_slice(name);
            match &node.kind {
                Kind::Dir(children) => {
                    if !children.is_empty() {
                        e.first_child = next_child;
                        e.nr_children = children.len() as u32;
                        next_child += e.nr_children;
                    }
                }
                Kind::File { size, .. } => e.size = *size,
                Kind::Symlink(target) => e.size = target.len() as u64,
            }
            entries.push(e);
        }
        for (e, &(n, _, _)) in entries.iter_mut().zip(&order) {
            if let Kind::Symlink(target) = &self.nodes[n].kind {
                e.data_off = names.len() as u64;
                names.extend_from_slice(target);
            }
        }
        let names_end = names_off + names.len() as u64;
        let mut cursor = names_end.next_multiple_of(PAGE_SIZE);
        let mut files = Vec::new();
        for (e, &(n, _, _)) in entries.iter_mut().zip(&order) {
            let node = &self.nodes[n];
            if let Kind::File { size, bytes, .. } = &node.kind {
                e.data_off = cursor;
                cursor = (cursor + size).next_multiple_of(PAGE_SIZE);
                files.push(FileData {
                    off: e.data_off,
                    size: *size,
                    source: match bytes {
                        Some(b) => FileSource::Bytes(b.clone()),
                        None => FileSource::Host(node.host.clone().unwrap_or_default()),
                    },
                });
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
        let mut meta = Vec::with_capacity(names_end as usize);
        meta.extend_from_slice(header.as_bytes());
        meta.extend_from_slice(entries.as_bytes());
        meta.extend_from_slice(&names);
        Image {
            meta,
            files,
            len: cursor,
            entries: count,
        }
    }
}

#[derive(Clone, Debug)]
enum FileSource {
    Host(PathBuf),
    Bytes(Arc<[u8]>),
}

/// One regular file's bytes at their place in the image.
#[derive(Clone, Debug)]
struct FileData {
    off: u64,
    size: u64,
    source: FileSource,
}

/// A laid-out image: its size is final; the files are read when it is
/// written.
#[derive(Clone, Debug)]
pub struct Image {
    /// Header, entries and names.
    meta: Vec<u8>,
    files: Vec<FileData>,
    len: u64,
    entries: u64,
}

/// Where [`Image::write`] puts the bytes.
trait Sink {
    fn bytes(&mut self, off: u64, bytes: &[u8]) -> Result<()>;
    /// Exactly `len` bytes of `file` (the host file `path`) to `off`.
    fn file(&mut self, off: u64, file: &mut File, len: u64, path: &Path) -> Result<()>;
}

fn shrank(path: &Path) -> Error {
    Error::InitfsRead {
        path: path.to_owned(),
        source: io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "the file shrank while the initfs image was written",
        ),
    }
}

impl Sink for Vec<u8> {
    fn bytes(&mut self, off: u64, bytes: &[u8]) -> Result<()> {
        self[off as usize..][..bytes.len()].copy_from_slice(bytes);
        Ok(())
    }

    fn file(&mut self, off: u64, file: &mut File, len: u64, path: &Path) -> Result<()> {
        file.read_exact(&mut self[off as usize..][..len as usize])
            .map_err(|e| match e.kind() {
                io::ErrorKind::UnexpectedEof => shrank(path),
                _ => Error::InitfsRead {
                    path: path.to_owned(),
                    source: e,
                },
            })
    }
}

/// Guest memory from `base`, fresh (zero) where nothing is written.
struct Guest<'a> {
    mem: &'a GuestMemoryMmap,
    base: u64,
}

impl Sink for Guest<'_> {
    fn bytes(&mut self, off: u64, bytes: &[u8]) -> Result<()> {
        use vm_memory::Bytes;
        self.mem
            .write_slice(bytes, GuestAddress(self.base + off))
            .map_err(Error::memory("the initfs image"))
    }

    fn file(&mut self, off: u64, file: &mut File, len: u64, path: &Path) -> Result<()> {
        let mut slice = self
            .mem
            .get_slice(GuestAddress(self.base + off), len as usize)
            .map_err(Error::memory("the initfs image"))?;
        file.read_exact_volatile(&mut slice).map_err(|e| match e {
            vm_memory::VolatileMemoryError::IOError(e)
                if e.kind() == io::ErrorKind::UnexpectedEof =>
            {
                shrank(path)
            }
            vm_memory::VolatileMemoryError::IOError(e) => Error::InitfsRead {
                path: path.to_owned(),
                source: e,
            },
            e => Error::InitfsRead {
                path: path.to_owned(),
                source: io::Error::other(e.to_string()),
            },
        })
    }
}

impl Image {
    /// Bytes of the image (a multiple of the page size).
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Never true: the root is always there.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Regular files in the image.
    pub fn nr_files(&self) -> usize {
        self.files.len()
    }

    /// Entries: files, directories (the root too) and symlinks.
    pub fn nr_entries(&self) -> u64 {
        self.entries
    }

    fn write_to(&self, sink: &mut impl Sink) -> Result<()> {
        sink.bytes(0, &self.meta)?;
        for f in &self.files {
            if f.size == 0 {
                continue;
            }
            match &f.source {
                FileSource::Bytes(b) => sink.bytes(f.off, b)?,
                FileSource::Host(path) => {
                    // O_NOFOLLOW: a file swapped for a symlink since the
                    // walk is refused rather than followed out of the tree.
                    let mut file = fs::OpenOptions::new()
                        .read(true)
                        .custom_flags(libc::O_NOFOLLOW)
                        .open(path)
                        .map_err(|e| Error::InitfsRead {
                            path: path.clone(),
                            source: e,
                        })?;
                    sink.file(f.off, &mut file, f.size, path)?;
                }
            }
        }
        Ok(())
    }

    /// Writes the image into guest memory at `start`, which must be fresh
    /// (zero) memory: the bytes after each file's end are not written.
    pub fn write(&self, mem: &GuestMemoryMmap, start: GuestAddress) -> Result<()> {
        self.write_to(&mut Guest { mem, base: start.0 })
    }

    /// The image in a buffer.
    pub fn to_vec(&self) -> Result<Vec<u8>> {
        let mut v = vec![0; self.len as usize];
        self.write_to(&mut v)?;
        Ok(v)
    }
}

/// The image for a run: `imports` (`--dir` ones first, in order, then
/// `--file` ones, as [`crate::config::RunConfig::imports`] holds them),
/// then PROGRAM, the file at `program` with the bytes `bytes`.
pub fn build(imports: &[Import], program: &Path, bytes: Arc<[u8]>) -> Result<Image> {
    let mut b = Builder::new();
    for i in imports {
        b.import(i)?;
    }
    b.program(program, bytes)?;
    Ok(b.finish())
}

#[cfg(test)]
mod tests;
