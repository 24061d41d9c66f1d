//! getrandom's flags (numbers from `linux-raw-sys`).

use linux_raw_sys::general as raw;

named! {
    /// The flags.
    GRND_FLAGS: u64 = [GRND_NONBLOCK, GRND_RANDOM, GRND_INSECURE]
}
