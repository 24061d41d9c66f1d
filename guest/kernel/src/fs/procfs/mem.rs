//! The files that read an address space: maps, cmdline, environ, statm
//! and status's Vm lines (Linux's fs/proc/task_mmu.c and base.c).
//!
//! Sizes come from the VMAs, resident pages from the page tables (one
//! walk over what is present), split as Linux splits them: pages of a
//! shared mapping are shmem, a file's own pages (cached frames) in a
//! private mapping are file pages, the rest anonymous. Page-table bytes
//! are counted from the tables present pages need (a table left empty by
//! munmap is not seen). Code and data bounds are those of the program's
//! executable and writable segments, page-aligned (the ELF's exact ends
//! are not kept). The peak resident size is not tracked: VmHWM is VmRSS.

use abi::layout::PAGE_SIZE;

use super::{has_resources, Text};
use crate::errno::*;
use crate::mm::paging;
use crate::mm::vma::{Mm, StackLayout, VmaKind, PROT_EXEC, PROT_READ, PROT_WRITE};
use crate::task::Task;

/// What status, stat and statm report of an address space. Sizes in
/// bytes, counts in pages.
pub struct Counts {
    pub total: u64,
    pub peak: u64,
    /// Private writable non-stack mappings (Linux's data_vm).
    pub data: u64,
    pub stack: u64,
    /// Executable, not writable, not stack (exec_vm).
    pub exec: u64,
    pub anon: u64,
    pub file: u64,
    pub shmem: u64,
    pub page_tables: u64,
    pub start_code: u64,
    pub end_code: u64,
    pub start_data: u64,
    pub end_data: u64,
    pub start_brk: u64,
    pub layout: StackLayout,
}

impl Counts {
    pub fn rss(&self) -> u64 {
        self.anon + self.file + self.shmem
    }

    /// The program's text, at most what is executable (Linux's VmExe).
    fn text(&self) -> u64 {
        (self.end_code - self.start_code).min(self.exec)
    }
}

pub fn counts(mm: &Mm) -> Counts {
    let mut c = Counts {
        total: mm.total_vm,
        peak: mm.hiwater_vm.max(mm.total_vm),
        data: 0,
        stack: 0,
        exec: 0,
        anon: 0,
        file: 0,
        shmem: 0,
        page_tables: 0,
        start_code: u64::MAX,
        end_code: 0,
        start_data: u64::MAX,
        end_data: 0,
        start_brk: mm.start_brk,
        layout: mm.layout,
    };
    // The last table of each level seen: present pages come in address
    // order, so each new value is a table not counted yet.
    let mut last = [u64::MAX; 3];
    for (v, _) in mm.vmas() {
        let len = v.end - v.start;
        let shared = v.kind == VmaKind::Shared;
        let stack = v.kind == VmaKind::Stack;
        if v.prot & PROT_WRITE != 0 && !shared && !stack {
            c.data += len;
        }
        if stack {
            c.stack += len;
        }
        if v.prot & (PROT_EXEC | PROT_WRITE) == PROT_EXEC && !stack {
            c.exec += len;
        }
        if v.kind == VmaKind::Image {
            if v.prot & PROT_EXEC != 0 {
                c.start_code = c.start_code.min(v.start);
                c.end_code = c.end_code.max(v.end);
            } else if v.prot & PROT_WRITE != 0 {
                c.start_data = c.start_data.min(v.start);
                c.end_data = c.end_data.max(v.end);
            }
        }
        paging::for_each_present(mm.root, v.start, v.end, |page, frame, _| {
            if shared {
                c.shmem += 1;
            } else if crate::mm::frame::is_cached(frame) {
                c.file += 1;
            } else {
                c.anon += 1;
            }
            for (level, shift) in [21, 30, 39].into_iter().enumerate() {
                if page >> shift != last[level] {
                    last[level] = page >> shift;
                    c.page_tables += PAGE_SIZE;
                }
            }
        });
    }
    if c.start_code > c.end_code {
        (c.start_code, c.end_code) = (0, 0);
    }
    if c.start_data > c.end_data {
        (c.start_data, c.end_data) = (0, 0);
    }
    c
}

/// status's memory lines, VmPeak to HugetlbPages.
pub fn status_lines(mm: &Mm, out: &mut Text) -> KResult<()> {
    let c = counts(mm);
    let page_kb = PAGE_SIZE / 1024;
    let lines: [(&str, u64); 16] = [
        ("VmPeak", c.peak / 1024),
        ("VmSize", c.total / 1024),
        ("VmLck", 0),
        ("VmPin", 0),
        ("VmHWM", c.rss() * page_kb),
        ("VmRSS", c.rss() * page_kb),
        ("RssAnon", c.anon * page_kb),
        ("RssFile", c.file * page_kb),
        ("RssShmem", c.shmem * page_kb),
        ("VmData", c.data / 1024),
        ("VmStk", c.stack / 1024),
        ("VmExe", c.text() / 1024),
        ("VmLib", (c.exec - c.text()) / 1024),
        ("VmPTE", c.page_tables / 1024),
        ("VmSwap", 0),
        ("HugetlbPages", 0),
    ];
    for (name, kb) in lines {
        out.put(format_args!("{name}:\t{kb:>8} kB\n"))?;
    }
    Ok(())
}

/// /proc/PID/statm: size, resident, shared, text, lib (0), data, dt (0),
/// in pages.
pub fn statm(t: &Task, out: &mut Text) -> KResult<()> {
    if !has_resources(t) {
        return out.bytes(b"0 0 0 0 0 0 0\n");
    }
    let c = counts(&t.mm.borrow());
    out.put(format_args!(
        "{} {} {} {} 0 {} 0\n",
        c.total / PAGE_SIZE,
        c.rss(),
        c.file + c.shmem,
        c.text() / PAGE_SIZE,
        (c.data + c.stack) / PAGE_SIZE
    ))
}

/// Appends the bytes of [start, end) of `mm`, faulting pages in as Linux's
/// access_remote_vm does; stops at the first page that cannot be read.
fn read_range(mm: &mut Mm, start: u64, end: u64, out: &mut Text) -> KResult<()> {
    let mut at = start;
    let mut chunk = [0u8; 256];
    while at < end {
        let page_end = (at & !(PAGE_SIZE - 1)) + PAGE_SIZE;
        let n = (end.min(page_end) - at).min(chunk.len() as u64) as usize;
        if crate::mm::uaccess::copy_from_user(mm, at, &mut chunk[..n]).is_err() {
            break;
        }
        out.bytes(&chunk[..n])?;
        at += n as u64;
    }
    Ok(())
}

/// /proc/PID/cmdline, by Linux's rules: the argument area; but if its last
/// byte is no longer NUL (the program wrote over its arguments, as
/// setproctitle does), the string from the area's start up to its NUL,
/// reaching into the environment area, at most a page.
pub fn cmdline(t: &Task, out: &mut Text) -> KResult<()> {
    if !has_resources(t) {
        return Ok(());
    }
    let mm = t.mm.clone();
    let mut mm = mm.borrow_mut();
    let l = mm.layout;
    if l.arg_start >= l.arg_end {
        return Ok(());
    }
    let env_end = if l.env_start != l.arg_end || l.env_end < l.env_start {
        l.arg_end
    } else {
        l.env_end
    };
    let mut last = [0u8; 1];
    let overwritten = crate::mm::uaccess::copy_from_user(&mut mm, l.arg_end - 1, &mut last).is_ok()
        && last[0] != 0;
    if !overwritten {
        return read_range(&mut mm, l.arg_start, l.arg_end, out);
    }
    let end = env_end.min(l.arg_start + PAGE_SIZE);
    let mut title = Text::new();
    read_range(&mut mm, l.arg_start, end, &mut title)?;
    let n = title
        .0
        .iter()
        .position(|&b| b == 0)
        .map_or(title.len(), |i| i + 1);
    out.bytes(&title.0[..n])
}

/// /proc/PID/environ: the environment area as the process left it.
pub fn environ(t: &Task, out: &mut Text) -> KResult<()> {
    if !has_resources(t) {
        return Ok(());
    }
    let mm = t.mm.clone();
    let mut mm = mm.borrow_mut();
    let l = mm.layout;
    read_range(&mut mm, l.env_start, l.env_end, out)
}

/// Where maps' names begin (Linux pads the fixed fields to this width:
/// 25 + 6 pointer sizes - 1, then a space).
const MAPS_NAME_COL: usize = 72;

/// /proc/PID/maps: `start-end perms offset dev inode name`, one VMA a
/// line. The program's segments are named by its path with offset 0 (the
/// segment's file offset is not kept), file mappings by the path they
/// were opened by ("(deleted)" once unlinked), anonymous shared memory as
/// Linux names it (/dev/zero (deleted)), the heap and the stack by their
/// brackets. There is no vDSO.
pub fn maps(t: &Task, out: &mut Text) -> KResult<()> {
    if !has_resources(t) {
        return Ok(());
    }
    let root = t.fs.borrow().root.clone();
    let mm = t.mm.clone();
    let mm = mm.borrow();
    let exe: Option<&[u8]> = mm.exe.as_deref();
    let exe_id = exe
        .and_then(|p| super::super::namei::lookup(&root, p, true).ok())
        .map(|i| {
            let i = i.borrow();
            (i.sb.dev(), i.ino)
        })
        .unwrap_or((0, 0));
    for (v, backing) in mm.vmas() {
        let line = out.len();
        let (dev, ino, offset) = match (backing, v.kind) {
            (Some(b), _) => {
                let i = b.inode.borrow();
                (i.sb.dev(), i.ino, b.pgoff * PAGE_SIZE)
            }
            (None, VmaKind::Image) => (exe_id.0, exe_id.1, 0),
            _ => (0, 0, 0),
        };
        let flag = |bit: u32, c: char| if v.prot & bit != 0 { c } else { '-' };
        out.put(format_args!(
            "{:08x}-{:08x} {}{}{}{} {:08x} {:02x}:{:02x} {} ",
            v.start,
            v.end,
            flag(PROT_READ, 'r'),
            flag(PROT_WRITE, 'w'),
            flag(PROT_EXEC, 'x'),
            if v.kind == VmaKind::Shared { 's' } else { 'p' },
            offset,
            dev >> 8,
            dev & 0xff,
            ino
        ))?;
        let name = |out: &mut Text, s: &[u8], deleted: bool| -> KResult<()> {
            out.pad_to(line, MAPS_NAME_COL)?;
            out.bytes(b" ")?;
            out.bytes(s)?;
            if deleted {
                out.bytes(b" (deleted)")?;
            }
            Ok(())
        };
        match (backing, v.kind) {
            (Some(b), _) => match &b.path {
                Some(p) => name(out, &p.borrow(), b.inode.borrow().nlink == 0)?,
                None => name(out, b"/dev/zero", true)?,
            },
            (None, VmaKind::Image) => {
                if let Some(p) = exe {
                    name(out, p, false)?;
                }
            }
            (None, VmaKind::Heap) => name(out, b"[heap]", false)?,
            (None, VmaKind::Stack) => name(out, b"[stack]", false)?,
            _ => {}
        }
        out.bytes(b"\n")?;
    }
    Ok(())
}
