//! The records system calls pass through user memory, as the x86_64 UAPI
//! lays them out: the kernel reads and writes them with these types and
//! the host's strace decoder reads the same types at the same addresses.
//!
//! Ours rather than `linux-raw-sys`'s structs because those hold raw
//! pointers and unions and derive nothing: these derive zerocopy's traits,
//! so a record is copied to and from guest memory without `unsafe` and the
//! compiler rejects a layout with padding. Each is asserted, field by field,
//! to sit where `linux-raw-sys` (generated from the kernel's headers) puts
//! the corresponding field, so the two cannot drift apart.

use core::mem::{offset_of, size_of};

use linux_raw_sys::general as raw;
use linux_raw_sys::system as raw_system;
use zerocopy::{FromBytes, FromZeros, Immutable, IntoBytes, KnownLayout};

/// `struct __kernel_timespec` (`timespec` on x86_64): nanosleep,
/// clock_gettime, futex timeouts.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout,
)]
#[repr(C)]
pub struct Timespec {
    pub tv_sec: i64,
    pub tv_nsec: i64,
}

impl Timespec {
    const NS_PER_SEC: u64 = 1_000_000_000;

    /// The time `ns` nanoseconds after zero.
    pub fn from_ns(ns: u64) -> Timespec {
        Timespec {
            tv_sec: (ns / Self::NS_PER_SEC) as i64,
            tv_nsec: (ns % Self::NS_PER_SEC) as i64,
        }
    }

    /// Nanoseconds, saturating at `u64::MAX` (584 years: "never" for a
    /// timeout); `None` for a value Linux refuses with EINVAL, a negative
    /// field or `tv_nsec` of a second or more.
    pub fn to_ns(self) -> Option<u64> {
        if self.tv_sec < 0 || !(0..Self::NS_PER_SEC as i64).contains(&self.tv_nsec) {
            return None;
        }
        Some(
            (self.tv_sec as u64)
                .saturating_mul(Self::NS_PER_SEC)
                .saturating_add(self.tv_nsec as u64),
        )
    }
}

/// `struct __kernel_old_timeval`: gettimeofday.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout,
)]
#[repr(C)]
pub struct Timeval {
    pub tv_sec: i64,
    pub tv_usec: i64,
}

impl Timeval {
    /// The time `ns` nanoseconds after zero, to the microsecond below.
    pub fn from_ns(ns: u64) -> Timeval {
        Timeval {
            tv_sec: (ns / Timespec::NS_PER_SEC) as i64,
            tv_usec: (ns % Timespec::NS_PER_SEC / 1000) as i64,
        }
    }
}

/// `struct rlimit64` (`struct rlimit` has the same layout on x86_64):
/// prlimit64, getrlimit, setrlimit.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout,
)]
#[repr(C)]
pub struct Rlimit {
    pub rlim_cur: u64,
    pub rlim_max: u64,
}

/// `struct iovec`: readv, writev.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout,
)]
#[repr(C)]
pub struct Iovec {
    pub iov_base: u64,
    pub iov_len: u64,
}

/// `struct kernel_sigaction`, rt_sigaction's record (not the C library's
/// `struct sigaction`, whose mask is 128 bytes).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout,
)]
#[repr(C)]
pub struct KernelSigaction {
    /// A handler's address, or `SIG_DFL` / `SIG_IGN`.
    pub sa_handler: u64,
    pub sa_flags: u64,
    pub sa_restorer: u64,
    /// The 64 signals' mask, bit `n - 1` for signal `n`.
    pub sa_mask: u64,
}

/// `struct stat` of x86_64 (stat, fstat, newfstatat).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout,
)]
#[repr(C)]
pub struct Stat {
    pub st_dev: u64,
    pub st_ino: u64,
    pub st_nlink: u64,
    pub st_mode: u32,
    pub st_uid: u32,
    pub st_gid: u32,
    pub pad0: u32,
    pub st_rdev: u64,
    pub st_size: i64,
    pub st_blksize: i64,
    pub st_blocks: i64,
    pub st_atime: u64,
    pub st_atime_nsec: u64,
    pub st_mtime: u64,
    pub st_mtime_nsec: u64,
    pub st_ctime: u64,
    pub st_ctime_nsec: u64,
    pub unused: [i64; 3],
}

/// The length of each of `struct new_utsname`'s strings, NUL included.
pub const UTSNAME_FIELD_LEN: usize = 65;

/// `struct new_utsname`: uname. Each field is a NUL-terminated string.
#[derive(Clone, Copy, Debug, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[repr(C)]
pub struct NewUtsname {
    pub sysname: [u8; UTSNAME_FIELD_LEN],
    pub nodename: [u8; UTSNAME_FIELD_LEN],
    pub release: [u8; UTSNAME_FIELD_LEN],
    pub version: [u8; UTSNAME_FIELD_LEN],
    pub machine: [u8; UTSNAME_FIELD_LEN],
    pub domainname: [u8; UTSNAME_FIELD_LEN],
}

/// `ours` and `theirs` have the same size, and each `field` (ours, theirs)
/// the same offset.
macro_rules! same_layout {
    ($ours:ty, $theirs:ty, $(($a:ident, $b:ident)),* $(,)?) => {
        const _: () = {
            assert!(size_of::<$ours>() == size_of::<$theirs>());
            $(assert!(offset_of!($ours, $a) == offset_of!($theirs, $b));)*
        };
    };
}

same_layout!(
    Timespec,
    raw::__kernel_timespec,
    (tv_sec, tv_sec),
    (tv_nsec, tv_nsec)
);
same_layout!(
    Timeval,
    raw::__kernel_old_timeval,
    (tv_sec, tv_sec),
    (tv_usec, tv_usec)
);
same_layout!(
    Rlimit,
    raw::rlimit64,
    (rlim_cur, rlim_cur),
    (rlim_max, rlim_max)
);
same_layout!(
    Rlimit,
    raw::rlimit,
    (rlim_cur, rlim_cur),
    (rlim_max, rlim_max)
);
same_layout!(Iovec, raw::iovec, (iov_base, iov_base), (iov_len, iov_len));
same_layout!(
    KernelSigaction,
    raw::kernel_sigaction,
    (sa_handler, sa_handler_kernel),
    (sa_flags, sa_flags),
    (sa_restorer, sa_restorer),
    (sa_mask, sa_mask),
);
same_layout!(
    Stat,
    raw::stat,
    (st_dev, st_dev),
    (st_ino, st_ino),
    (st_nlink, st_nlink),
    (st_mode, st_mode),
    (st_uid, st_uid),
    (st_gid, st_gid),
    (st_rdev, st_rdev),
    (st_size, st_size),
    (st_blksize, st_blksize),
    (st_blocks, st_blocks),
    (st_atime, st_atime),
    (st_atime_nsec, st_atime_nsec),
    (st_mtime, st_mtime),
    (st_mtime_nsec, st_mtime_nsec),
    (st_ctime, st_ctime),
    (st_ctime_nsec, st_ctime_nsec),
);
same_layout!(
    NewUtsname,
    raw_system::new_utsname,
    (sysname, sysname),
    (nodename, nodename),
    (release, release),
    (version, version),
    (machine, machine),
    (domainname, domainname),
);

impl NewUtsname {
    /// The record with each field set to its string (cut to leave room
    /// for the NUL), zero-filled.
    pub fn new(fields: [&[u8]; 6]) -> NewUtsname {
        let mut u = NewUtsname::new_zeroed();
        let slots = [
            &mut u.sysname,
            &mut u.nodename,
            &mut u.release,
            &mut u.version,
            &mut u.machine,
            &mut u.domainname,
        ];
        for (slot, f) in slots.into_iter().zip(fields) {
            let n = f.len().min(UTSNAME_FIELD_LEN - 1);
            slot[..n].copy_from_slice(&f[..n]);
        }
        u
    }
}

/// A NUL-terminated field's string (all of it if it has no NUL).
pub fn c_field(field: &[u8]) -> &[u8] {
    let end = field.iter().position(|&c| c == 0).unwrap_or(field.len());
    &field[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timespec_checks_and_saturates_as_linux() {
        let ts = |tv_sec, tv_nsec| Timespec { tv_sec, tv_nsec };
        assert_eq!(ts(1, 500).to_ns(), Some(1_000_000_500));
        assert_eq!(ts(0, 999_999_999).to_ns(), Some(999_999_999));
        assert_eq!(ts(0, 1_000_000_000).to_ns(), None);
        assert_eq!(ts(0, -1).to_ns(), None);
        assert_eq!(ts(-1, 0).to_ns(), None);
        assert_eq!(ts(i64::MAX, 999_999_999).to_ns(), Some(u64::MAX));
        assert_eq!(Timespec::from_ns(3_000_000_007), ts(3, 7));
        assert_eq!(
            Timeval::from_ns(3_000_004_999),
            Timeval {
                tv_sec: 3,
                tv_usec: 4
            }
        );
    }

    #[test]
    fn utsname_fields_are_cut_and_terminated() {
        let long = [b'x'; 100];
        let u = NewUtsname::new([b"Linux", &long, b"", b"v", b"m", b"d"]);
        assert_eq!(c_field(&u.sysname), b"Linux");
        assert_eq!(c_field(&u.nodename).len(), UTSNAME_FIELD_LEN - 1);
        assert_eq!(c_field(&u.release), b"");
        assert_eq!(u.as_bytes().len(), 6 * UTSNAME_FIELD_LEN);
    }
}
