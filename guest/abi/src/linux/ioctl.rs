//! ioctl requests: the terminal ones and the file ones `--strace` names (numbers from
//! `linux-raw-sys`).

use linux_raw_sys::ioctl as raw;

named! {
    /// The requests `--strace` names.
    REQUESTS: u64 = [TCGETS, TCSETS, TIOCGWINSZ, TIOCGPGRP, FIONREAD, FIONBIO]
}
