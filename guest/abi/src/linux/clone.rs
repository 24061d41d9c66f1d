//! clone / clone3 flags and `struct clone_args` sizes (numbers from
//! `linux-raw-sys`).

use linux_raw_sys::general as raw;

/// Legacy clone's exit-signal byte.
pub const CSIGNAL: u64 = raw::CSIGNAL as u64;

named! {
    /// Every flag with its name, lowest bit first.
    FLAGS: u64 = [
        CLONE_NEWTIME, CLONE_VM, CLONE_FS, CLONE_FILES, CLONE_SIGHAND, CLONE_PIDFD,
        CLONE_PTRACE, CLONE_VFORK, CLONE_PARENT, CLONE_THREAD, CLONE_NEWNS,
        CLONE_SYSVSEM, CLONE_SETTLS, CLONE_PARENT_SETTID, CLONE_CHILD_CLEARTID,
        CLONE_DETACHED, CLONE_UNTRACED, CLONE_CHILD_SETTID, CLONE_NEWCGROUP,
        CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET, CLONE_IO,
        CLONE_CLEAR_SIGHAND, CLONE_INTO_CGROUP,
    ]
}

const _: () = {
    let mut i = 0;
    while i < FLAGS.len() {
        assert!(FLAGS[i].0.count_ones() == 1, "a flag is one bit");
        assert!(
            i == 0 || FLAGS[i - 1].0 < FLAGS[i].0,
            "flags out of bit order"
        );
        i += 1;
    }
};

/// `struct clone_args` up to `tls` (version 0), `set_tid_size` (1) and
/// `cgroup` (2).
pub const CLONE_ARGS_SIZE_VER0: u64 = raw::CLONE_ARGS_SIZE_VER0 as u64;
pub const CLONE_ARGS_SIZE_VER1: u64 = raw::CLONE_ARGS_SIZE_VER1 as u64;
pub const CLONE_ARGS_SIZE_VER2: u64 = raw::CLONE_ARGS_SIZE_VER2 as u64;
