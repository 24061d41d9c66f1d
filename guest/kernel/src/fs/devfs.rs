//! /dev: the character devices programs expect (Linux's major:minor and
//! behaviour) and the conventional links into /proc/self/fd.
//!
//! The terminal devices (`tty`, `console`) are the host's stdin and stdout,
//! as fds 0–2 are: they behave like the pipes a test harness gives a native
//! process, so TCGETS on them is ENOTTY and programs take the same path in
//! both places.

use abi::linux::fs::S_IFLNK;

use super::dir::{self, Dir};
use super::inode::{Inode, Kind, Sb};
use crate::errno::*;
use crate::krc::KRc;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Device {
    Null,
    Zero,
    Full,
    Random,
    Urandom,
    Tty,
    Console,
}

impl Device {
    /// st_rdev: `major << 8 | minor` (both small, so the old encoding).
    pub fn rdev(self) -> u64 {
        let (major, minor) = match self {
            Device::Null => (1, 3),
            Device::Zero => (1, 5),
            Device::Full => (1, 7),
            Device::Random => (1, 8),
            Device::Urandom => (1, 9),
            Device::Tty => (5, 0),
            Device::Console => (5, 1),
        };
        (major << 8) | minor
    }

    /// Whether lseek works (and answers 0) rather than ESPIPE.
    pub fn seekable(self) -> bool {
        !matches!(self, Device::Tty | Device::Console)
    }
}

/// Builds /dev under `root` (its parent for `..`): the devices, `shm`
/// (a tmpfs of its own) and the links `fd`, `stdin`, `stdout`, `stderr`.
pub fn build(root: &KRc<Inode>) -> KResult<KRc<Inode>> {
    let dev = Inode::new(
        Sb::Dev,
        0o755,
        Kind::Dir(Dir::new(Some(root.clone()), b"dev".into())),
    )?;
    let devices: [(&[u8], Device, u32); 7] = [
        (b"null", Device::Null, 0o666),
        (b"zero", Device::Zero, 0o666),
        (b"full", Device::Full, 0o666),
        (b"random", Device::Random, 0o666),
        (b"urandom", Device::Urandom, 0o666),
        (b"tty", Device::Tty, 0o666),
        (b"console", Device::Console, 0o600),
    ];
    for (name, d, perm) in devices {
        dir::insert(&dev, name, Inode::new(Sb::Dev, perm, Kind::Device(d))?)?;
    }
    let links: [(&[u8], &[u8]); 4] = [
        (b"fd", b"/proc/self/fd"),
        (b"stdin", b"/proc/self/fd/0"),
        (b"stdout", b"/proc/self/fd/1"),
        (b"stderr", b"/proc/self/fd/2"),
    ];
    for (name, target) in links {
        let l = Inode::new(
            Sb::Dev,
            0o777,
            Kind::Symlink(super::inode::try_copy(target)?),
        )?;
        debug_assert!(l.borrow().mode & S_IFLNK != 0);
        dir::insert(&dev, name, l)?;
    }
    let shm = Inode::new(
        Sb::Shm,
        0o1777,
        Kind::Dir(Dir::new(Some(dev.clone()), b"shm".into())),
    )?;
    dir::insert(&dev, b"shm", shm)?;
    Ok(dev)
}
