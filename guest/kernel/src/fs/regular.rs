//! tmpfs regular files: the data is a table of page frames, one per page
//! of the file, 0 for a hole (reads as zeros). The file holds each of its
//! frames as a cached page (`frame::FRAME_CACHED`); mappings of the file
//! add their own counts, so a page a mapping still uses outlives its
//! removal from the file.
//!
//! Invariants: bytes of a frame past the end of the file are zero (a file
//! grown by truncate or a write past a hole shows zeros there); `pages`
//! never covers more than the file's size rounds up to.

use alloc::vec::Vec;

use abi::layout::PAGE_SIZE;

use crate::errno::*;
use crate::mm::frame;
use crate::mm::phys_to_virt;
use crate::mm::uaccess::{clear_user, copy_from_user, copy_to_user};
use crate::task::with_mm;

/// The largest file size (s_maxbytes): the page table of a file this big
/// is 16M entries, which a guest with the memory to fill it can afford.
pub const MAX_FILE_SIZE: u64 = 64 << 30;

pub struct Regular {
    pages: Vec<u64>,
    size: u64,
}

/// The bytes of `frame` [from, from + n) through the direct map.
///
/// # Safety
/// `frame` must be a RAM frame this file holds, `from + n <= PAGE_SIZE`.
unsafe fn frame_bytes<'a>(frame: u64, from: usize, n: usize) -> &'a mut [u8] {
    unsafe { core::slice::from_raw_parts_mut(phys_to_virt(frame).add(from), n) }
}

impl Regular {
    pub fn new() -> Regular {
        Regular {
            pages: Vec::new(),
            size: 0,
        }
    }

    /// A file of `size` bytes whose page `i` is `frames[i]`, each frame
    /// already the file's (`frame::adopt_cached`).
    pub fn from_frames(frames: Vec<u64>, size: u64) -> Regular {
        let mut r = Regular {
            pages: frames,
            size,
        };
        r.zero_tail();
        r
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    /// Frames the file holds (for st_blocks).
    pub fn pages(&self) -> u64 {
        self.pages.iter().filter(|f| **f != 0).count() as u64
    }

    /// The frame holding file page `index`, if any (0: a hole).
    pub fn frame(&self, index: u64) -> u64 {
        self.pages.get(index as usize).copied().unwrap_or(0)
    }

    /// Zeroes the last page's bytes past the end.
    fn zero_tail(&mut self) {
        let off = (self.size % PAGE_SIZE) as usize;
        if off == 0 {
            return;
        }
        let f = self.frame(self.size / PAGE_SIZE);
        if f != 0 {
            // SAFETY: the file's own frame; [off, PAGE_SIZE) lies in it.
            unsafe { frame_bytes(f, off, PAGE_SIZE as usize - off).fill(0) };
        }
    }

    /// Copies up to `count` bytes at `pos` to user `buf`.
    pub fn read(&self, pos: u64, buf: u64, count: u64) -> KResult<u64> {
        if pos >= self.size {
            return Ok(0);
        }
        let n = count.min(self.size - pos);
        let mut done = 0;
        while done < n {
            let at = pos + done;
            let off = (at % PAGE_SIZE) as usize;
            let chunk = (PAGE_SIZE as usize - off).min((n - done) as usize);
            let f = self.frame(at / PAGE_SIZE);
            let r = if f == 0 {
                with_mm(|mm| clear_user(mm, buf + done, chunk))
            } else {
                // SAFETY: the file's own frame; the piece lies in it.
                let src = unsafe { frame_bytes(f, off, chunk) };
                with_mm(|mm| copy_to_user(mm, buf + done, src))
            };
            if let Err(e) = r {
                return if done > 0 { Ok(done) } else { Err(e) };
            }
            done += chunk as u64;
        }
        Ok(done)
    }

    /// Copies bytes at `pos` into `out` (the kernel's own reads: exec).
    pub fn read_kernel(&self, pos: u64, out: &mut [u8]) -> usize {
        let n = (out.len() as u64).min(self.size.saturating_sub(pos)) as usize;
        let mut done = 0;
        while done < n {
            let at = pos + done as u64;
            let off = (at % PAGE_SIZE) as usize;
            let chunk = (PAGE_SIZE as usize - off).min(n - done);
            let f = self.frame(at / PAGE_SIZE);
            if f == 0 {
                out[done..done + chunk].fill(0);
            } else {
                // SAFETY: the file's own frame; the piece lies in it.
                out[done..done + chunk].copy_from_slice(unsafe { frame_bytes(f, off, chunk) });
            }
            done += chunk;
        }
        n
    }

    /// The frame of page `index` for a mapping, allocated (zero) if it is a
    /// hole; `None` past the end of the file (SIGBUS) or without memory.
    pub fn page_for_map(&mut self, index: u64) -> Option<u64> {
        if index >= self.size.div_ceil(PAGE_SIZE) {
            return None;
        }
        let f = self.frame(index);
        if f != 0 {
            return Some(f);
        }
        self.reserve_pages(index + 1).ok()?;
        let f = frame::alloc_cached()?;
        self.pages[index as usize] = f;
        Some(f)
    }

    /// Makes room in the page table for `pages` pages.
    fn reserve_pages(&mut self, pages: u64) -> KResult<()> {
        if pages as usize > self.pages.len() {
            let more = pages as usize - self.pages.len();
            self.pages.try_reserve(more).map_err(|_| ENOSPC)?;
            self.pages.resize(pages as usize, 0);
        }
        Ok(())
    }

    /// Copies `count` user bytes from `buf` to `pos`, allocating pages as
    /// needed: a short count if memory or the user buffer runs out after
    /// some bytes, ENOSPC / EFAULT before any, EFBIG at the size limit.
    pub fn write(&mut self, pos: u64, buf: u64, count: u64) -> KResult<u64> {
        if count == 0 {
            return Ok(0);
        }
        if pos >= MAX_FILE_SIZE {
            return Err(EFBIG);
        }
        let n = count.min(MAX_FILE_SIZE - pos);
        self.reserve_pages((pos + n).div_ceil(PAGE_SIZE))?;
        let mut done = 0;
        while done < n {
            let at = pos + done;
            let index = (at / PAGE_SIZE) as usize;
            let off = (at % PAGE_SIZE) as usize;
            let chunk = (PAGE_SIZE as usize - off).min((n - done) as usize);
            if self.pages[index] == 0 {
                match frame::alloc_cached() {
                    Some(f) => self.pages[index] = f,
                    None if done > 0 => break,
                    None => {
                        self.trim();
                        return Err(ENOSPC);
                    }
                }
            }
            // SAFETY: the file's own frame; the piece lies in it.
            let dst = unsafe { frame_bytes(self.pages[index], off, chunk) };
            if let Err(e) = with_mm(|mm| copy_from_user(mm, buf + done, dst)) {
                // What was copied of this piece is past the new end, so it
                // is zeroed again below (the tail invariant).
                if done == 0 {
                    self.trim();
                    self.zero_tail();
                    return Err(e);
                }
                break;
            }
            done += chunk as u64;
        }
        self.size = self.size.max(pos + done);
        self.trim();
        self.zero_tail();
        Ok(done)
    }

    /// Drops page-table slots (and frames) past the end.
    fn trim(&mut self) {
        let keep = self.size.div_ceil(PAGE_SIZE) as usize;
        while self.pages.len() > keep {
            if let Some(f) = self.pages.pop() {
                if f != 0 {
                    frame::release_cached(f);
                }
            }
        }
    }

    /// truncate / ftruncate / O_TRUNC.
    pub fn truncate(&mut self, len: u64) -> KResult<()> {
        if len > MAX_FILE_SIZE {
            return Err(EFBIG);
        }
        if len < self.size {
            self.size = len;
            self.trim();
            self.zero_tail();
        } else {
            self.size = len;
        }
        Ok(())
    }
}

impl Drop for Regular {
    fn drop(&mut self) {
        for f in self.pages.drain(..) {
            if f != 0 {
                frame::release_cached(f);
            }
        }
    }
}
