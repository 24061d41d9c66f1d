//! Resource limits: the resources of getrlimit / setrlimit / prlimit64 and
//! the unlimited value (numbers from `linux-raw-sys`).

use linux_raw_sys::general as raw;

named! {
    /// The resources, in number order (`RLIMITS[r]` is resource `r`).
    RLIMITS: u64 = [
        RLIMIT_CPU, RLIMIT_FSIZE, RLIMIT_DATA, RLIMIT_STACK, RLIMIT_CORE,
        RLIMIT_RSS, RLIMIT_NPROC, RLIMIT_NOFILE, RLIMIT_MEMLOCK, RLIMIT_AS,
        RLIMIT_LOCKS, RLIMIT_SIGPENDING, RLIMIT_MSGQUEUE, RLIMIT_NICE,
        RLIMIT_RTPRIO, RLIMIT_RTTIME,
    ]
}

/// The number of resources.
pub const RLIM_NLIMITS: u64 = raw::RLIM_NLIMITS as u64;

const _: () = {
    assert!(
        RLIMITS.len() as u64 == RLIM_NLIMITS,
        "a resource is missing"
    );
    let mut i = 0;
    while i < RLIMITS.len() {
        assert!(RLIMITS[i].0 == i as u64, "resources out of number order");
        i += 1;
    }
};

/// No limit (`-1` as the 64-bit `rlim_t`).
pub const RLIM_INFINITY: u64 = raw::RLIM_INFINITY as u64;

named! {
    /// prlimit64's name for [`RLIM_INFINITY`], as strace shows it.
    RLIM_VALUES: u64 = [RLIM64_INFINITY]
}
