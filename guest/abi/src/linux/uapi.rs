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

/// `struct statx_timestamp`.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout,
)]
#[repr(C)]
pub struct StatxTimestamp {
    pub tv_sec: i64,
    pub tv_nsec: u32,
    pub reserved: i32,
}

/// `struct statx` (256 bytes).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout,
)]
#[repr(C)]
pub struct Statx {
    pub stx_mask: u32,
    pub stx_blksize: u32,
    pub stx_attributes: u64,
    pub stx_nlink: u32,
    pub stx_uid: u32,
    pub stx_gid: u32,
    pub stx_mode: u16,
    pub spare0: u16,
    pub stx_ino: u64,
    pub stx_size: u64,
    pub stx_blocks: u64,
    pub stx_attributes_mask: u64,
    pub stx_atime: StatxTimestamp,
    pub stx_btime: StatxTimestamp,
    pub stx_ctime: StatxTimestamp,
    pub stx_mtime: StatxTimestamp,
    pub stx_rdev_major: u32,
    pub stx_rdev_minor: u32,
    pub stx_dev_major: u32,
    pub stx_dev_minor: u32,
    pub spare: [u64; 14],
}

/// `struct statfs` of x86_64 (statfs, fstatfs).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout,
)]
#[repr(C)]
pub struct Statfs {
    pub f_type: i64,
    pub f_bsize: i64,
    pub f_blocks: u64,
    pub f_bfree: u64,
    pub f_bavail: u64,
    pub f_files: u64,
    pub f_ffree: u64,
    pub f_fsid: [i32; 2],
    pub f_namelen: i64,
    pub f_frsize: i64,
    pub f_flags: i64,
    pub f_spare: [i64; 4],
}

/// The fixed head of `struct linux_dirent64` (getdents64); the name and
/// its NUL follow, the record padded to 8 bytes.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout,
)]
#[repr(C, packed)]
pub struct Dirent64Head {
    pub d_ino: u64,
    pub d_off: i64,
    pub d_reclen: u16,
    pub d_type: u8,
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
    Statx,
    raw::statx,
    (stx_mask, stx_mask),
    (stx_blksize, stx_blksize),
    (stx_nlink, stx_nlink),
    (stx_mode, stx_mode),
    (stx_ino, stx_ino),
    (stx_size, stx_size),
    (stx_blocks, stx_blocks),
    (stx_atime, stx_atime),
    (stx_btime, stx_btime),
    (stx_ctime, stx_ctime),
    (stx_mtime, stx_mtime),
    (stx_rdev_major, stx_rdev_major),
    (stx_dev_major, stx_dev_major),
    (stx_dev_minor, stx_dev_minor),
);
same_layout!(
    StatxTimestamp,
    raw::statx_timestamp,
    (tv_sec, tv_sec),
    (tv_nsec, tv_nsec)
);
same_layout!(
    Statfs,
    raw::statfs64,
    (f_type, f_type),
    (f_bsize, f_bsize),
    (f_blocks, f_blocks),
    (f_files, f_files),
    (f_fsid, f_fsid),
    (f_namelen, f_namelen),
    (f_frsize, f_frsize),
    (f_flags, f_flags),
);
const _: () = assert!(size_of::<Dirent64Head>() == 19);
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

/// `stack_t` (sigaltstack, `ucontext`'s `uc_stack`).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout,
)]
#[repr(C)]
pub struct StackT {
    pub ss_sp: u64,
    /// `SS_*` (an `int`).
    pub ss_flags: i32,
    pub _pad: i32,
    pub ss_size: u64,
}

/// `siginfo_t`: 128 bytes, the three common `int`s, then the union Linux
/// calls `_sifields`, here as words. Which words mean what depends on the
/// signal and `si_code` (the constructors below fill the common shapes).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout,
)]
#[repr(C)]
pub struct Siginfo {
    pub si_signo: i32,
    pub si_errno: i32,
    pub si_code: i32,
    pub _pad: i32,
    /// `_sifields`: the union, from byte 16.
    pub fields: [u64; 14],
}

impl Siginfo {
    fn pid_uid(pid: i32, uid: u32) -> u64 {
        u64::from(pid as u32) | (u64::from(uid) << 32)
    }

    /// kill / tgkill / tkill and the kernel's own (SI_KERNEL): sender's
    /// pid and uid.
    pub fn kill(signo: u64, code: i32, pid: i32, uid: u32) -> Siginfo {
        let mut i = Siginfo {
            si_signo: signo as i32,
            si_code: code,
            ..Default::default()
        };
        i.fields[0] = Self::pid_uid(pid, uid);
        i
    }

    /// SI_QUEUE and other `_rt` shapes: pid, uid and a `sigval`.
    pub fn rt(signo: u64, code: i32, pid: i32, uid: u32, value: u64) -> Siginfo {
        let mut i = Siginfo::kill(signo, code, pid, uid);
        i.fields[1] = value;
        i
    }

    /// SI_TIMER: the timer's id, its overrun count and its `sigval`.
    pub fn timer(signo: u64, timerid: i32, overrun: i32, value: u64) -> Siginfo {
        let mut i = Siginfo {
            si_signo: signo as i32,
            si_code: crate::linux::signal::SI_TIMER,
            ..Default::default()
        };
        i.fields[0] = u64::from(timerid as u32) | (u64::from(overrun as u32) << 32);
        i.fields[1] = value;
        i
    }

    /// SIGCHLD: the child's pid, uid, status (exit code or signal) and
    /// times (zero here).
    pub fn child(code: i32, pid: i32, status: i32) -> Siginfo {
        let mut i = Siginfo::kill(crate::linux::signal::SIGCHLD, code, pid, 0);
        i.fields[1] = u64::from(status as u32);
        i
    }

    /// A fault: the address (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP).
    pub fn fault(signo: u64, code: i32, addr: u64) -> Siginfo {
        let mut i = Siginfo {
            si_signo: signo as i32,
            si_code: code,
            ..Default::default()
        };
        i.fields[0] = addr;
        i
    }

    /// `si_pid` (kill, rt, child shapes).
    pub fn pid(&self) -> i32 {
        self.fields[0] as u32 as i32
    }

    /// `si_uid` (kill, rt, child shapes).
    pub fn uid(&self) -> u32 {
        (self.fields[0] >> 32) as u32
    }

    /// `si_value` (rt and timer shapes), `si_status` (child: low 32 bits).
    pub fn value(&self) -> u64 {
        self.fields[1]
    }

    /// `si_addr` (fault shape); `si_timerid` / `si_overrun` share the word.
    pub fn addr(&self) -> u64 {
        self.fields[0]
    }
}

/// `struct sigcontext` of x86_64: the interrupted registers in a signal
/// frame (`uc_mcontext`), 256 bytes.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout,
)]
#[repr(C)]
pub struct Sigcontext {
    pub r8: u64,
    pub r9: u64,
    pub r10: u64,
    pub r11: u64,
    pub r12: u64,
    pub r13: u64,
    pub r14: u64,
    pub r15: u64,
    pub rdi: u64,
    pub rsi: u64,
    pub rbp: u64,
    pub rbx: u64,
    pub rdx: u64,
    pub rax: u64,
    pub rcx: u64,
    pub rsp: u64,
    pub rip: u64,
    pub eflags: u64,
    pub cs: u16,
    pub gs: u16,
    pub fs: u16,
    pub ss: u16,
    pub err: u64,
    pub trapno: u64,
    pub oldmask: u64,
    pub cr2: u64,
    /// User address of the FXSAVE image (0: none).
    pub fpstate: u64,
    pub reserved1: [u64; 8],
}

/// The kernel's `struct ucontext` (not the C library's larger
/// `ucontext_t`, which starts with the same fields).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout,
)]
#[repr(C)]
pub struct Ucontext {
    /// `UC_*` bits.
    pub uc_flags: u64,
    pub uc_link: u64,
    pub uc_stack: StackT,
    pub uc_mcontext: Sigcontext,
    pub uc_sigmask: u64,
}

/// `struct rt_sigframe` of x86_64: what the kernel pushes on the user
/// stack to run a handler. The handler is entered with rsp at `pretcode`
/// (as if called: `pretcode` is its return address, the restorer that
/// calls rt_sigreturn), rdi = the signal, rsi = &info, rdx = &uc. The
/// FXSAVE image lies above, 64-byte aligned, at `uc_mcontext.fpstate`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[repr(C)]
pub struct RtSigframe {
    pub pretcode: u64,
    pub uc: Ucontext,
    pub info: Siginfo,
}

/// `struct itimerval` (setitimer, getitimer).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout,
)]
#[repr(C)]
pub struct Itimerval {
    pub it_interval: Timeval,
    pub it_value: Timeval,
}

/// `struct itimerspec` (timer_settime, timer_gettime).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout,
)]
#[repr(C)]
pub struct Itimerspec {
    pub it_interval: Timespec,
    pub it_value: Timespec,
}

/// `struct sigevent` (timer_create): 64 bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[repr(C)]
pub struct Sigevent {
    pub sigev_value: u64,
    pub sigev_signo: i32,
    /// `SIGEV_*`.
    pub sigev_notify: i32,
    /// `_sigev_un`: for SIGEV_THREAD_ID, the thread id in the first `int`.
    pub un: [u32; 12],
}

const _: () = {
    assert!(size_of::<Siginfo>() == raw::SI_MAX_SIZE as usize);
    assert!(size_of::<Sigcontext>() == 256);
    assert!(offset_of!(Sigcontext, cs) == 18 * 8);
    assert!(offset_of!(Sigcontext, fpstate) == 23 * 8);
    assert!(size_of::<Ucontext>() == 304);
    assert!(offset_of!(Ucontext, uc_mcontext) == 40);
    assert!(offset_of!(RtSigframe, info) == 312);
    assert!(size_of::<Sigevent>() == raw::SIGEV_MAX_SIZE as usize);
    assert!(offset_of!(raw::sigevent, sigev_notify) == offset_of!(Sigevent, sigev_notify));
    assert!(offset_of!(raw::sigevent, _sigev_un) == offset_of!(Sigevent, un));
};
same_layout!(
    StackT,
    raw::sigaltstack,
    (ss_sp, ss_sp),
    (ss_flags, ss_flags),
    (ss_size, ss_size)
);
same_layout!(
    Itimerval,
    raw::itimerval,
    (it_interval, it_interval),
    (it_value, it_value)
);
same_layout!(
    Itimerspec,
    raw::itimerspec,
    (it_interval, it_interval),
    (it_value, it_value)
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
