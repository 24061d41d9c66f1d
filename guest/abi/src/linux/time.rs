//! Clocks: clock ids and clock_nanosleep's flag (numbers from
//! `linux-raw-sys`).

use linux_raw_sys::general as raw;

named! {
    /// The clock ids that `--strace` names.
    CLOCKS: u64 = [
        CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID,
        CLOCK_THREAD_CPUTIME_ID, CLOCK_MONOTONIC_RAW, CLOCK_REALTIME_COARSE,
        CLOCK_MONOTONIC_COARSE, CLOCK_BOOTTIME, CLOCK_REALTIME_ALARM,
        CLOCK_BOOTTIME_ALARM, CLOCK_TAI,
    ]
}

named! {
    /// clock_nanosleep's flags.
    TIMER_FLAGS: u64 = [TIMER_ABSTIME]
}
