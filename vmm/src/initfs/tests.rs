//! The builder against trees made in the test: what goes in comes back
//! through `abi::initfs::Initfs::parse`, and every refused input is refused
//! with an error that names the path.

use std::os::unix::ffi::OsStringExt;
use std::os::unix::fs::{symlink, PermissionsExt};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, UNIX_EPOCH};

use abi::initfs::Initfs;
use abi::linux::fs::S_IFLNK;

use super::*;

/// A directory of the test's own, removed at the end.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "vmm-initfs-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        // Canonical, as the builder makes every HOST.
        TempDir(fs::canonicalize(&dir).unwrap())
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.0.join(rel)
    }

    fn file(&self, rel: &str, data: &[u8]) -> PathBuf {
        let p = self.path(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(&p, data).unwrap();
        p
    }

    fn dir(&self, rel: &str) -> PathBuf {
        let p = self.path(rel);
        fs::create_dir_all(&p).unwrap();
        p
    }

    fn link(&self, rel: &str, target: &str) -> PathBuf {
        let p = self.path(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        symlink(target, &p).unwrap();
        p
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn import(kind: ImportKind, spec: &str) -> Import {
    Import::parse(kind, OsStr::new(spec)).unwrap()
}

fn dir(spec: &str) -> Import {
    import(ImportKind::Dir, spec)
}

fn file(spec: &str) -> Import {
    import(ImportKind::File, spec)
}

fn p(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

/// The image's bytes in 8-aligned storage, as the guest has them.
struct Aligned(Vec<u64>, usize);

impl Aligned {
    fn new(bytes: &[u8]) -> Aligned {
        let mut words = vec![0u64; bytes.len().div_ceil(8)];
        words.as_mut_bytes()[..bytes.len()].copy_from_slice(bytes);
        Aligned(words, bytes.len())
    }

    fn parse(&self) -> Initfs<'_> {
        Initfs::parse(&self.0.as_bytes()[..self.1]).expect("the builder's image parses")
    }
}

fn image(imports: &[Import]) -> Aligned {
    let mut b = Builder::new();
    for i in imports {
        b.import(i).unwrap();
    }
    let img = b.finish();
    let bytes = img.to_vec().unwrap();
    assert_eq!(bytes.len() as u64, img.len());
    Aligned::new(&bytes)
}

fn build_err(imports: &[Import]) -> String {
    let mut b = Builder::new();
    for i in imports {
        if let Err(e) = b.import(i) {
            return e.to_string();
        }
    }
    match b.finish().to_vec() {
        Err(e) => e.to_string(),
        Ok(_) => panic!("{imports:?} was accepted"),
    }
}

/// The entry at guest path `path`.
fn lookup(fs: &Initfs<'_>, path: &str) -> Option<u32> {
    let mut i = 0;
    for c in path.split('/').filter(|c| !c.is_empty()) {
        i = fs.lookup(i, c.as_bytes())?;
    }
    Some(i)
}

/// Asserts that the image's tree at `guest` is the host tree at `host`:
/// the same names in every directory, the same types, modes, mtimes, file
/// bytes and symlink targets.
fn assert_same_tree(fs: &Initfs<'_>, entry: u32, host: &Path) {
    let mut names: Vec<Vec<u8>> = fs::read_dir(host)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_vec())
        .collect();
    names.sort();
    let listed: Vec<Vec<u8>> = fs.children(entry).map(|c| fs.name(c).to_vec()).collect();
    assert_eq!(listed, names, "{}", host.display());
    for c in fs.children(entry) {
        let path = host.join(OsStr::from_bytes(fs.name(c)));
        let meta = fs::symlink_metadata(&path).unwrap();
        let e = fs.entry(c);
        assert_eq!(e.mode, meta.mode(), "{}", path.display());
        assert_eq!(e.mtime_sec, meta.mtime(), "{}", path.display());
        assert_eq!(e.mtime_nsec, meta.mtime_nsec() as u64, "{}", path.display());
        assert_eq!(e.parent, entry);
        if meta.is_dir() {
            assert_same_tree(fs, c, &path);
        } else if meta.is_file() {
            assert_eq!(fs.data(c), fs::read(&path).unwrap(), "{}", path.display());
        } else {
            let target = fs::read_link(&path).unwrap().into_os_string().into_vec();
            assert_eq!(fs.symlink_target(c), target, "{}", path.display());
        }
    }
}

/// A tree with every kind of entry: nested directories, files of sizes
/// around page boundaries, unusual modes, symlinks (relative, absolute,
/// dangling), names that sort bytewise, an mtime with nanoseconds.
fn sample_tree(t: &TempDir) -> PathBuf {
    let root = t.dir("tree");
    for (name, size) in [
        ("empty", 0),
        ("one", 1),
        ("page", 4096),
        ("page-and-one", 4097),
        ("sub/deeper/big", 70_000),
    ] {
        let data: Vec<u8> = (0..size).map(|i| (i * 31 % 253) as u8).collect();
        t.file(&format!("tree/{name}"), &data);
    }
    t.file("tree/Upper", b"sorts before lower case");
    t.file("tree/\u{e9}t\u{e9}", b"bytes above ASCII sort last");
    t.dir("tree/empty-dir");
    t.link("tree/rel", "sub/deeper/big");
    t.link("tree/abs", "/etc/hostname");
    t.link("tree/dangling", "no/such/file");
    t.link("tree/sub/up", "..");
    fs::set_permissions(t.path("tree/one"), fs::Permissions::from_mode(0o4711)).unwrap();
    fs::set_permissions(t.path("tree/page"), fs::Permissions::from_mode(0o600)).unwrap();
    fs::set_permissions(t.path("tree/empty-dir"), fs::Permissions::from_mode(0o1777)).unwrap();
    let when = UNIX_EPOCH + Duration::new(1_600_000_000, 123_456_789);
    File::options()
        .write(true)
        .open(t.path("tree/page-and-one"))
        .unwrap()
        .set_modified(when)
        .unwrap();
    root
}

#[test]
fn a_tree_comes_back_whole() {
    let t = TempDir::new();
    let root = sample_tree(&t);
    let img = image(&[dir(&format!("{}:/data", p(&root)))]);
    let fs = img.parse();
    let data = lookup(&fs, "/data").unwrap();
    assert_same_tree(&fs, data, &root);
    let e = fs.entry(data);
    let meta = fs::metadata(&root).unwrap();
    assert_eq!(e.mode, meta.mode());
    assert_eq!(e.flags, 0);
    assert_eq!(
        fs.entry(lookup(&fs, "/data/page-and-one").unwrap())
            .mtime_nsec,
        123_456_789
    );
    // The root only leads to the import.
    assert_eq!(fs.children(0).len(), 1);
    assert_eq!(fs.entry(0).mode, S_IFDIR | 0o755);
    assert_eq!(fs.entry(0).flags, INITFS_WRITABLE);
    assert_eq!(fs.entry(0).mtime_sec, 0);
    assert_eq!(fs.program(), None);
}

#[test]
fn the_default_guest_path_is_the_canonical_host_path() {
    let t = TempDir::new();
    let root = sample_tree(&t);
    // Through a symlink to the tree: HOST is canonicalized.
    let via = t.link("via", "tree");
    let img = image(&[dir(&p(&via))]);
    let fs = img.parse();
    let at = lookup(&fs, &p(&root)).expect("the tree at its canonical path");
    assert_same_tree(&fs, at, &root);
    assert_eq!(lookup(&fs, &p(&via)), None);
    // Every directory on the way is a path directory.
    let mut i = 0;
    for c in root.parent().unwrap().components().skip(1) {
        i = fs.lookup(i, c.as_os_str().as_bytes()).unwrap();
        assert_eq!(fs.entry(i).mode, S_IFDIR | 0o755);
        assert_eq!(fs.entry(i).mtime_sec, 0);
    }
}

#[test]
fn rw_imports_are_flagged_writable_everywhere() {
    let t = TempDir::new();
    let root = sample_tree(&t);
    let img = image(&[dir(&format!("{}:/w:rw", p(&root)))]);
    let fs = img.parse();
    let w = lookup(&fs, "/w").unwrap();
    let mut pending = vec![w];
    while let Some(i) = pending.pop() {
        assert_eq!(fs.entry(i).flags, INITFS_WRITABLE, "{:?}", fs.name(i));
        pending.extend(fs.children(i));
    }
    let img = image(&[dir(&format!("{}:/r:ro", p(&root)))]);
    let fs = img.parse();
    assert_eq!(fs.entry(lookup(&fs, "/r/one").unwrap()).flags, 0);
}

#[test]
fn single_files() {
    let t = TempDir::new();
    let f = t.file("a.txt", b"alpha");
    let link = t.link("link-to-a", "a.txt");
    let img = image(&[
        file(&format!("{}:/etc/a", p(&f))),
        // A symlink HOST is followed: the file itself is imported.
        file(&format!("{}:/etc/b:rw", p(&link))),
        file(&p(&f)),
    ]);
    let fs = img.parse();
    let a = lookup(&fs, "/etc/a").unwrap();
    assert_eq!(fs.data(a), b"alpha");
    assert_eq!(fs.entry(a).mode & S_IFMT, S_IFREG);
    assert_eq!(fs.entry(a).flags, 0);
    let b = lookup(&fs, "/etc/b").unwrap();
    assert_eq!(fs.data(b), b"alpha");
    assert_eq!(fs.entry(b).flags, INITFS_WRITABLE);
    assert_eq!(fs.data(lookup(&fs, &p(&f)).unwrap()), b"alpha");
}

#[test]
fn directories_merge() {
    let t = TempDir::new();
    let one = t.dir("one");
    t.file("one/shared/a", b"from one");
    t.file("one/only-one", b"1");
    let two = t.dir("two");
    t.file("two/shared/b", b"from two");
    t.file("two/only-two", b"2");
    fs::set_permissions(&two, fs::Permissions::from_mode(0o700)).unwrap();
    let f = t.file("f", b"file");
    let img = image(&[
        dir(&format!("{}:/m", p(&one))),
        dir(&format!("{}:/m", p(&two))),
        file(&format!("{}:/m/shared/c", p(&f))),
    ]);
    let fs = img.parse();
    let names: Vec<&[u8]> = fs
        .children(lookup(&fs, "/m/shared").unwrap())
        .map(|c| fs.name(c))
        .collect();
    assert_eq!(names, [&b"a"[..], b"b", b"c"]);
    assert!(lookup(&fs, "/m/only-one").is_some());
    assert!(lookup(&fs, "/m/only-two").is_some());
    // The first import's attributes.
    let m = fs.entry(lookup(&fs, "/m").unwrap());
    assert_eq!(m.mode, fs::metadata(&one).unwrap().mode());

    // A path directory takes the attributes of the first import naming it.
    let img = image(&[
        file(&format!("{}:/m/x", p(&f))),
        dir(&format!("{}:/m:rw", p(&two))),
    ]);
    let fs = img.parse();
    let m = fs.entry(lookup(&fs, "/m").unwrap());
    assert_eq!(m.mode, S_IFDIR | 0o700);
    assert_eq!(m.flags, INITFS_WRITABLE);
    assert!(lookup(&fs, "/m/x").is_some() && lookup(&fs, "/m/only-two").is_some());
}

#[test]
fn a_whole_tree_at_the_guest_root() {
    let t = TempDir::new();
    t.file("root/bin/tool", b"x");
    t.file("root/tmp/scratch", b"y");
    let img = image(&[dir(&format!("{}:/", p(&t.path("root"))))]);
    let fs = img.parse();
    assert_eq!(fs.data(lookup(&fs, "/bin/tool").unwrap()), b"x");
    assert_eq!(
        fs.entry(0).mode,
        fs::metadata(t.path("root")).unwrap().mode()
    );
    assert_eq!(fs.entry(0).flags, 0);

    t.dir("withproc/proc");
    let e = build_err(&[dir(&format!("{}:/", p(&t.path("withproc"))))]);
    assert!(e.contains("withproc/proc") && e.contains("/proc"), "{e}");
}

/// A symlink pointing out of the tree is stored as text; the file it
/// names is never read.
#[test]
fn symlinks_are_never_followed() {
    let t = TempDir::new();
    let secret = b"a secret no image may hold 9f8e7d";
    t.file("outside/secret", secret);
    t.link("tree/a/escape", "../../outside/secret");
    t.link("tree/a/passwd", "../../etc/passwd");
    t.link("tree/loop", "loop");
    t.link("tree/dirlink", "../outside");
    let img = image(&[dir(&format!("{}:/t", p(&t.path("tree"))))]);
    let fs = img.parse();
    for (path, target) in [
        ("/t/a/escape", "../../outside/secret"),
        ("/t/a/passwd", "../../etc/passwd"),
        ("/t/loop", "loop"),
        ("/t/dirlink", "../outside"),
    ] {
        let i = lookup(&fs, path).unwrap();
        assert_eq!(fs.entry(i).mode & S_IFMT, S_IFLNK, "{path}");
        assert_eq!(fs.symlink_target(i), target.as_bytes(), "{path}");
        assert_eq!(fs.children(i).len(), 0);
    }
    let bytes = &img.0.as_bytes()[..img.1];
    assert!(!bytes.windows(secret.len()).any(|w| w == secret));
    if let Ok(passwd) = fs::read("/etc/passwd") {
        let head = &passwd[..passwd.len().min(16)];
        assert!(head.is_empty() || !bytes.windows(head.len()).any(|w| w == head));
    }
}

#[test]
fn the_program_is_always_there() {
    let t = TempDir::new();
    let prog = t.file("bin/prog", b"\x7fELF not really");
    fs::set_permissions(&prog, fs::Permissions::from_mode(0o755)).unwrap();
    let bytes: Arc<[u8]> = fs::read(&prog).unwrap().into();

    // Alone, through a relative-looking path with a symlink in it.
    let via = t.link("via", "bin");
    let img = build(&[], &via.join("prog"), bytes.clone()).unwrap();
    let img = Aligned::new(&img.to_vec().unwrap());
    let fs = img.parse();
    let i = fs.program().unwrap();
    assert_eq!(lookup(&fs, &p(&prog)), Some(i));
    assert_eq!(fs.data(i), &bytes[..]);
    assert_eq!(fs.entry(i).flags, INITFS_PROGRAM);
    assert_eq!(fs.entry(i).mode, S_IFREG | 0o755);

    // Covered by an rw import of its directory: that entry is marked.
    let img = build(
        &[dir(&format!("{}:rw", p(&t.path("bin"))))],
        &prog,
        bytes.clone(),
    )
    .unwrap();
    let img = Aligned::new(&img.to_vec().unwrap());
    let fs = img.parse();
    let i = fs.program().unwrap();
    assert_eq!(lookup(&fs, &p(&prog)), Some(i));
    assert_eq!(fs.entry(i).flags, INITFS_PROGRAM | INITFS_WRITABLE);
    assert_eq!(fs.data(i), &bytes[..]);

    // Another file at its path is a conflict naming both.
    let other = t.file("other/prog", b"another");
    let e = build(
        &[dir(&format!(
            "{}:{}",
            p(&t.path("other")),
            p(&t.path("bin"))
        ))],
        &prog,
        bytes,
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains(&p(&other)) && e.contains(&p(&prog)), "{e}");
}

#[test]
fn conflicts_name_both_host_paths() {
    let t = TempDir::new();
    let a = t.file("a/x", b"1");
    let b = t.file("b/x", b"2");
    let bdir = t.dir("b/sub");
    t.file("c/sub", b"a file where b has a directory");

    // File against file, whichever way they arrive.
    for imports in [
        vec![
            dir(&format!("{}:/m", p(&t.path("a")))),
            dir(&format!("{}:/m", p(&t.path("b")))),
        ],
        vec![
            file(&format!("{}:/m/x", p(&a))),
            file(&format!("{}:/m/x", p(&b))),
        ],
        vec![
            dir(&format!("{}:/m", p(&t.path("a")))),
            file(&format!("{}:/m/x", p(&b))),
        ],
    ] {
        let e = build_err(&imports);
        assert!(
            e.contains(&p(&a)) && e.contains(&p(&b)) && e.contains("/m/x"),
            "{e}"
        );
    }
    // File against directory, both ways.
    let e = build_err(&[
        dir(&format!("{}:/m", p(&t.path("b")))),
        dir(&format!("{}:/m", p(&t.path("c")))),
    ]);
    assert!(
        e.contains(&p(&bdir)) && e.contains(&p(&t.path("c/sub"))),
        "{e}"
    );
    let e = build_err(&[
        dir(&format!("{}:/m", p(&t.path("c")))),
        dir(&format!("{}:/m", p(&t.path("b")))),
    ]);
    assert!(
        e.contains(&p(&bdir)) && e.contains(&p(&t.path("c/sub"))),
        "{e}"
    );
    // A file where a later import needs a directory on its way.
    let e = build_err(&[
        file(&format!("{}:/m", p(&a))),
        file(&format!("{}:/m/y", p(&b))),
    ]);
    assert!(e.contains(&p(&a)) && e.contains(&p(&b)), "{e}");
    // A file where path directories lead to other imports.
    let e = build_err(&[
        file(&format!("{}:/m/y", p(&a))),
        file(&format!("{}:/m", p(&b))),
    ]);
    assert!(e.contains(&p(&b)) && e.contains("/m"), "{e}");
    // The same file twice is still two imports at one place.
    let e = build_err(&[
        file(&format!("{}:/m", p(&a))),
        file(&format!("{}:/m", p(&a))),
    ]);
    assert!(e.contains(&p(&a)), "{e}");
}

#[test]
fn special_files_are_refused_by_name() {
    let t = TempDir::new();
    t.file("tree/fine", b"ok");
    let fifo = t.path("tree/sub/fifo");
    fs::create_dir_all(fifo.parent().unwrap()).unwrap();
    let c = std::ffi::CString::new(fifo.as_os_str().as_bytes()).unwrap();
    // SAFETY: a NUL-terminated path that outlives the call.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
    let e = build_err(&[dir(&p(&t.path("tree")))]);
    assert!(e.contains(&p(&fifo)) && e.contains("fifo"), "{e}");
    let e = build_err(&[file(&p(&fifo))]);
    assert!(
        e.contains(&p(&fifo)) && e.contains("not a regular file"),
        "{e}"
    );

    let t = TempDir::new();
    let sock = t.path("tree/sock");
    fs::create_dir_all(sock.parent().unwrap()).unwrap();
    let _listener = std::os::unix::net::UnixListener::bind(&sock).unwrap();
    let e = build_err(&[dir(&p(&t.path("tree")))]);
    assert!(e.contains(&p(&sock)) && e.contains("socket"), "{e}");
}

#[test]
fn kinds_must_match_the_option() {
    let t = TempDir::new();
    let f = t.file("f", b"x");
    let d = t.dir("d");
    let e = build_err(&[file(&p(&d))]);
    assert!(e.contains("--file") && e.contains("is a directory"), "{e}");
    let e = build_err(&[dir(&p(&f))]);
    assert!(e.contains("--dir") && e.contains("not a directory"), "{e}");
    let e = build_err(&[file(&format!("{}:/", p(&f)))]);
    assert!(e.contains("/"), "{e}");
}

#[test]
fn unreadable_hosts_are_named_with_the_os_error() {
    let t = TempDir::new();
    let missing = t.path("missing");
    let e = build_err(&[dir(&p(&missing))]);
    assert!(
        e.contains(&p(&missing)) && e.contains("No such file or directory"),
        "{e}"
    );

    // Gone between the walk and the copy.
    let f = t.file("tree/f", b"data");
    let mut b = Builder::new();
    b.import(&dir(&p(&t.path("tree")))).unwrap();
    let img = b.finish();
    fs::remove_file(&f).unwrap();
    let e = img.to_vec().unwrap_err().to_string();
    assert!(
        e.contains(&p(&f)) && e.contains("No such file or directory"),
        "{e}"
    );

    // Shorter than when it was walked.
    let f = t.file("tree2/f", &[7; 9000]);
    let mut b = Builder::new();
    b.import(&dir(&p(&t.path("tree2")))).unwrap();
    let img = b.finish();
    fs::write(&f, b"short").unwrap();
    let e = img.to_vec().unwrap_err().to_string();
    assert!(e.contains(&p(&f)) && e.contains("shrank"), "{e}");

    // Permissions hold only for users other than root.
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        let locked = t.file("tree3/locked/f", b"x");
        let dir_path = locked.parent().unwrap().to_owned();
        fs::set_permissions(&dir_path, fs::Permissions::from_mode(0o000)).unwrap();
        let e = build_err(&[dir(&p(&t.path("tree3")))]);
        fs::set_permissions(&dir_path, fs::Permissions::from_mode(0o755)).unwrap();
        assert!(
            e.contains(&p(&dir_path)) && e.contains("Permission denied"),
            "{e}"
        );
    }
}

#[test]
fn specs() {
    let i = dir("/a/b");
    assert_eq!(
        (i.host.as_path(), i.guest.as_deref(), i.writable),
        (Path::new("/a/b"), None, false)
    );
    let i = dir("/a/b:rw");
    assert_eq!(
        (i.host.as_path(), i.guest.as_deref(), i.writable),
        (Path::new("/a/b"), None, true)
    );
    let i = dir("rel/b:ro");
    assert_eq!(
        (i.host.as_path(), i.guest.as_deref(), i.writable),
        (Path::new("rel/b"), None, false)
    );
    let i = file("/a:/g/h:rw");
    assert_eq!(
        (i.host.as_path(), i.guest.as_deref(), i.writable, i.kind),
        (
            Path::new("/a"),
            Some(Path::new("/g/h")),
            true,
            ImportKind::File
        )
    );
    // GUEST may hold ':', HOST may not.
    let i = dir("/a:/g:h");
    assert_eq!(
        (i.host.as_path(), i.guest.as_deref()),
        (Path::new("/a"), Some(Path::new("/g:h")))
    );
    let i = dir("/a://g/./h/:ro");
    assert_eq!(i.guest.as_deref(), Some(Path::new("//g/./h/")));
    assert_eq!(i.to_string(), "--dir /a://g/./h/");
    assert_eq!(dir("/a:/:rw").to_string(), "--dir /a:/:rw");
    let bad = |spec: &str| Import::parse(ImportKind::Dir, OsStr::new(spec)).unwrap_err();
    for (spec, says) in [
        ("", "no HOST"),
        (":rw", "no HOST"),
        (":/g", "no HOST"),
        ("/a:", "empty GUEST"),
        ("/a::rw", "empty GUEST"),
        ("/a:g", "not absolute"),
        ("/a:b:c", "not absolute"),
        ("/a:/g/../h", "`..`"),
        ("/a:/..", "`..`"),
        ("/a:/proc", "/proc"),
        ("/a:/proc/x", "/proc"),
        ("/a:/sys/fs", "/sys"),
        ("/a:/dev", "/dev"),
        ("/a://dev/", "/dev"),
        ("/a:/dev/null", "/dev"),
        ("/a:/dev/shmem", "/dev"),
    ] {
        let e = bad(spec);
        assert!(e.contains(says), "{spec:?}: {e}");
    }
    let long = format!("/a:/{}", "x".repeat(256));
    assert!(bad(&long).contains("255"));
    for ok in [
        "/a:/",
        "/a:/tmp",
        "/a:/dev/shm",
        "/a:/dev/shm/x",
        "/a:/procfs",
        "/a:/device",
        "/a:/system",
    ] {
        assert!(
            Import::parse(ImportKind::Dir, OsStr::new(ok)).is_ok(),
            "{ok}"
        );
    }
    // Non-UTF-8 bytes are fine on both sides.
    let i = Import::parse(ImportKind::File, OsStr::from_bytes(b"/h\xff:/g\xfe")).unwrap();
    assert_eq!(i.host.as_os_str().as_bytes(), b"/h\xff");
    assert_eq!(i.guest.unwrap().as_os_str().as_bytes(), b"/g\xfe");
}

#[test]
fn reserved_defaults_are_refused() {
    // The default GUEST (the host path) is checked like a given one.
    let e = build_err(&[dir("/proc/self")]);
    assert!(e.contains("/proc"), "{e}");
    let e = build_err(&[file("/dev/null")]);
    assert!(e.contains("/dev"), "{e}");
    // /dev/shm and below may be used, as a default path too.
    let shm = Path::new("/dev/shm").join(format!("vmm-initfs-{}", std::process::id()));
    if fs::create_dir_all(shm.join("sub")).is_ok() {
        fs::write(shm.join("sub/f"), b"shared").unwrap();
        let mut b = Builder::new();
        let r = b.import(&dir(&p(&shm))).map(|()| b.finish().to_vec());
        let _ = fs::remove_dir_all(&shm);
        let img = Aligned::new(&r.unwrap().unwrap());
        let fs = img.parse();
        let f = lookup(&fs, &format!("{}/sub/f", p(&shm))).unwrap();
        assert_eq!(fs.data(f), b"shared");
    }
    let t = TempDir::new();
    let d = t.dir("d");
    image(&[dir(&format!("{}:/dev/shm/x", p(&d)))]);
}

#[test]
fn a_thousand_files_in_a_few_milliseconds() {
    let t = TempDir::new();
    for d in 0..20 {
        for f in 0..50 {
            t.file(
                &format!("tree/d{d}/f{f}"),
                format!("file {d}/{f}\n").repeat(f + 1).as_bytes(),
            );
        }
    }
    let root = t.path("tree");
    // The first walk warms the host's caches, as a second run of vmm would.
    build(
        &[dir(&p(&root))],
        &t.file("prog", b"p"),
        Arc::from(&b"p"[..]),
    )
    .unwrap();
    let start = Instant::now();
    let cpu = thread_cpu();
    let img = build(&[dir(&p(&root))], &t.path("prog"), Arc::from(&b"p"[..])).unwrap();
    let walked = start.elapsed();
    let bytes = img.to_vec().unwrap();
    let took = start.elapsed();
    let cpu = thread_cpu() - cpu;
    assert_eq!(img.nr_files(), 1001);
    eprintln!(
        "1000-file tree: {} KiB image in {took:?} ({walked:?} of it the walk), {cpu:?} of CPU",
        bytes.len() >> 10
    );
    // Generous for a loaded 2-core machine; a few ms on an idle host,
    // where open + read + close of a small file costs about 2 us.
    assert!(took < Duration::from_secs(1), "{took:?}");
    let a = Aligned::new(&bytes);
    assert_same_tree(&a.parse(), lookup(&a.parse(), &p(&root)).unwrap(), &root);
}

#[test]
fn the_image_is_deterministic() {
    let t = TempDir::new();
    let root = sample_tree(&t);
    let one = image(&[dir(&p(&root))]);
    let two = image(&[dir(&p(&root))]);
    assert_eq!(one.0, two.0);
}

/// CPU time of this thread: the build's own cost on a busy machine.
fn thread_cpu() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: writes one timespec, which outlives the call.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}
