//! uname and getrandom.

use abi::linux::random::{GRND_INSECURE, GRND_NONBLOCK, GRND_RANDOM};
use abi::linux::uapi::NewUtsname;

use crate::errno::*;
use crate::mm::uaccess::{check_range, copy_to_user, write_user};
use crate::task::with_mm;

/// What uname reports; /proc/sys/kernel and /proc/version say the same.
pub const SYSNAME: &str = "Linux";
pub const NODENAME: &str = "threadlab";
pub const RELEASE: &str = "6.1.0-threadlab";
pub const VERSION: &str = "#1 SMP PREEMPT threadlab";
pub const DOMAINNAME: &str = "(none)";

pub fn uname(buf: u64) -> KResult<u64> {
    let u = NewUtsname::new([
        SYSNAME.as_bytes(),
        NODENAME.as_bytes(),
        RELEASE.as_bytes(),
        VERSION.as_bytes(),
        b"x86_64",
        DOMAINNAME.as_bytes(),
    ]);
    with_mm(|mm| write_user(mm, buf, &u))?;
    Ok(0)
}

pub fn getrandom(buf: u64, len: u64, flags: u64) -> KResult<u64> {
    if flags & !(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE) != 0
        || flags & (GRND_RANDOM | GRND_INSECURE) == (GRND_RANDOM | GRND_INSECURE)
    {
        return Err(EINVAL);
    }
    let len = len.min(i32::MAX as u64);
    check_range(buf, len)?;
    let mut chunk = [0u8; 256];
    let mut done = 0;
    while done < len {
        let n = (len - done).min(chunk.len() as u64) as usize;
        crate::random::fill(&mut chunk[..n]);
        if let Err(e) = with_mm(|mm| copy_to_user(mm, buf + done, &chunk[..n])) {
            return if done == 0 { Err(e) } else { Ok(done) };
        }
        done += n as u64;
    }
    Ok(len)
}
