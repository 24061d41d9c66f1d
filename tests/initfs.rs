//! `vmm run --dir` / `--file`: imports boot (the guest kernel does not read
//! the image yet, so the program just runs), bad ones fail before the guest
//! exists with one line naming what is wrong, and the image the VMM places
//! in guest memory is the one the boot info reports, whole and valid.

mod common;
use common::*;

use std::fs;
use std::path::{Path, PathBuf};

use abi::boot::BootInfo;
use abi::initfs::{Initfs, INITFS_PROGRAM};
use abi::layout::{BOOT_INFO_PHYS, PAGE_SIZE};
use vm_memory::{Bytes, GuestAddress};
use zerocopy::{FromBytes, IntoBytes};

const VMM_FAILURE: i32 = 125;

/// A fresh directory for one test's files.
fn tree(name: &str) -> PathBuf {
    let dir = scratch(name);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn hello() -> String {
    guest_bin("hello").to_string_lossy().into_owned()
}

/// One `vmm: ` line mentioning `needle`, status 125, and nothing from the
/// guest; `log` (passed as `--log`) was never created, so the run stopped
/// before vmm even opened its outputs, let alone booted.
fn assert_refused(r: &Run, log: &Path, needle: &str) {
    assert_eq!(r.code, VMM_FAILURE, "stderr: {}", r.stderr);
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "expected one line, got:\n{}", r.stderr);
    assert!(lines[0].starts_with("vmm: "), "{}", lines[0]);
    assert!(
        lines[0].contains(needle),
        "{:?} does not mention {needle:?}",
        lines[0]
    );
    assert_eq!(r.stdout, "");
    assert!(!log.exists(), "vmm got as far as creating its log");
}

#[test]
fn imports_boot_and_hello_runs() {
    let t = tree("boot-tree");
    fs::create_dir_all(t.join("sub/deeper")).unwrap();
    fs::write(t.join("sub/deeper/file"), b"data").unwrap();
    fs::write(t.join("empty"), b"").unwrap();
    std::os::unix::fs::symlink("../../etc/passwd", t.join("sub/escape")).unwrap();
    let want = native("hello", &[], &[]).stdout;
    assert!(!want.is_empty());
    for args in [
        vec!["run", "--dir", s(&t)],
        vec!["run", "--dir", &format!("{}:/data:rw", s(&t))],
        vec![
            "run",
            "--dir",
            &format!("{}:/data", s(&t)),
            "--file",
            &format!("{}:/etc/hello.txt", s(&t.join("sub/deeper/file"))),
            "--file",
            s(&t.join("empty")),
        ],
        // PROGRAM's own directory: the program entry is the imported one.
        vec!["run", "--dir", s(Path::new(&hello()).parent().unwrap())],
    ] {
        let mut v = args.clone();
        let h = hello();
        v.push(&h);
        let r = vmm(&v);
        assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
        assert_eq!(r.stdout, want, "{args:?}");
        assert_eq!(r.stderr, "", "{args:?}: vmm prints nothing on success");
    }
}

#[test]
fn bad_specs_fail_before_booting() {
    let t = tree("bad-specs");
    let f = t.join("file");
    fs::write(&f, b"x").unwrap();
    let log = scratch("bad-specs.log");
    let _ = fs::remove_file(&log);
    let missing = t.join("missing");
    for (opt, spec, needle) in [
        ("--dir", format!("{}:relative", s(&t)), "not absolute"),
        ("--dir", ":/x".into(), "no HOST"),
        ("--file", format!("{}:", s(&f)), "empty GUEST"),
        ("--dir", format!("{}:/a/../b", s(&t)), "`..`"),
        ("--dir", format!("{}:/proc/x", s(&t)), "/proc"),
        ("--dir", format!("{}:/dev:rw", s(&t)), "/dev"),
        ("--dir", format!("{}:/sys", s(&t)), "/sys"),
        // The default GUEST is the canonical host path: checked the same.
        ("--dir", "/proc/self".into(), "/proc"),
        ("--dir", s(&missing).into(), "No such file or directory"),
        ("--dir", s(&f).into(), "not a directory (use --file)"),
        ("--file", s(&t).into(), "is a directory (use --dir)"),
    ] {
        let r = vmm(&["run", "--log", s(&log), opt, &spec, &hello()]);
        assert_refused(&r, &log, needle);
    }
    // Two files at one guest path name both.
    let g = t.join("other");
    fs::write(&g, b"y").unwrap();
    let r = vmm(&[
        "run",
        "--log",
        s(&log),
        "--file",
        &format!("{}:/x", s(&f)),
        "--file",
        &format!("{}:/x", s(&g)),
        &hello(),
    ]);
    assert_refused(&r, &log, s(&f));
    assert!(r.stderr.contains(s(&g)), "{}", r.stderr);
}

#[test]
fn an_import_too_big_for_memory_says_so() {
    let t = tree("too-big");
    // Sparse: the size check comes before any byte is read.
    fs::File::create(t.join("big"))
        .unwrap()
        .set_len(40 << 20)
        .unwrap();
    fs::write(t.join("small"), b"x").unwrap();
    let log = scratch("too-big.log");
    let _ = fs::remove_file(&log);
    let r = vmm(&[
        "run",
        "--log",
        s(&log),
        "--memory",
        "32M",
        "--dir",
        s(&t),
        &hello(),
    ]);
    assert_refused(&r, &log, "initfs image (41 MiB, 3 files)");
    assert!(r.stderr.contains("32 MiB"), "{}", r.stderr);
    // With the memory it suggests, the same import boots.
    let suggested = r
        .stderr
        .split_once("raise --memory to ")
        .and_then(|(_, rest)| rest.split_once(' '))
        .map(|(size, _)| size.to_string())
        .unwrap_or_else(|| panic!("no suggestion in {}", r.stderr));
    let r = vmm(&["run", "--memory", &suggested, "--dir", s(&t), &hello()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, native("hello", &[], &[]).stdout);
}

/// The placement itself, through the library: the boot info's range holds
/// a valid image right after the argument block, with the program in it.
#[test]
fn the_boot_info_points_at_the_image() {
    let t = tree("placed");
    fs::write(t.join("f"), b"placed bytes").unwrap();
    let mem_size = 64 << 20;
    let mem = vmm::memory::create(mem_size).unwrap();
    let kernel = vmm::kernel::open(&vmm::config::KernelSource::Embedded).unwrap();
    vmm::kernel::load(&kernel, &mem, mem_size).unwrap();
    let path = guest_bin("hello");
    let program = vmm::program::load(&path).unwrap();
    let imports = [vmm::initfs::Import::dir(format!("{}:/t", s(&t)).into()).unwrap()];
    let image = vmm::initfs::build(&imports, &path, program.bytes.clone()).unwrap();
    let layout = vmm::boot::layout(
        mem_size,
        kernel.phys_end,
        &program,
        &image,
        &["hello".into()],
        &[],
        "",
    )
    .unwrap();
    let planned = *layout.info();
    let placed = vmm::boot::place(&mem, layout, &program, &image, 0).unwrap();
    assert_eq!(planned.initfs, placed.info.initfs);

    let mut info = BootInfo::empty();
    mem.read_slice(info.as_mut_bytes(), GuestAddress(BOOT_INFO_PHYS))
        .unwrap();
    assert_eq!(info.initfs, placed.info.initfs);
    let r = info.initfs;
    assert_eq!(r.start % PAGE_SIZE, 0);
    assert_eq!(r.len, image.len());
    // Right after the argument block (arguments, command line, its NUL).
    assert_eq!(
        r.start,
        (info.cmdline.end() + 1).next_multiple_of(PAGE_SIZE)
    );
    assert!(r.start >= info.program.end());
    assert!(r.end() <= mem_size);

    let mut words = vec![0u64; r.len as usize / 8];
    mem.read_slice(words.as_mut_bytes(), GuestAddress(r.start))
        .unwrap();
    let fs = Initfs::parse(words.as_bytes()).unwrap();
    let prog = fs.program().unwrap();
    assert_eq!(fs.entry(prog).flags, INITFS_PROGRAM);
    assert_eq!(fs.data(prog), &program.bytes[..]);
    let mut i = 0;
    for c in fs::canonicalize(&path).unwrap().components().skip(1) {
        i = fs.lookup(i, c.as_os_str().as_encoded_bytes()).unwrap();
    }
    assert_eq!(i, prog);
    let t_dir = fs.lookup(0, b"t").unwrap();
    let f = fs.lookup(t_dir, b"f").unwrap();
    assert_eq!(fs.data(f), b"placed bytes");
    // The header as the kernel reads it first.
    let (header, _) = abi::initfs::InitfsHeader::read_from_prefix(words.as_bytes()).unwrap();
    assert_eq!(header.total_len, r.len);
}
