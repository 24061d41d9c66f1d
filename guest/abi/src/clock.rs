//! The guest's clocks from its TSC: the one conversion the kernel's
//! clock_gettime and the host's `--strace` timestamps both use, so a stop's
//! timestamp is what CLOCK_REALTIME read in the guest at that moment.
//!
//! The inputs are the [`BootInfo`] fields the VMM fills before the guest
//! runs: the TSC frequency and a realtime anchor (CLOCK_REALTIME at one TSC
//! reading). Without a frequency the clock assumes [`FALLBACK_TSC_KHZ`];
//! without an anchor (`tsc_at_realtime == 0`) realtime is 0 at TSC 0, the
//! vCPU's creation (KVM starts a new vCPU's TSC at 0): a rule both sides
//! can evaluate from the record alone.
//!
//! All arithmetic saturates: a TSC value or anchor from corrupt memory
//! gives a clamped time, never an overflow.

use crate::boot::BootInfo;

/// The frequency assumed when the host could not tell one (1 GHz).
pub const FALLBACK_TSC_KHZ: u64 = 1_000_000;

/// CLOCK_REALTIME and elapsed time from TSC values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TscClock {
    /// Never 0.
    tsc_khz: u64,
    /// CLOCK_REALTIME (ns since the epoch) when the TSC read
    /// `tsc_at_realtime`.
    realtime_ns: u64,
    tsc_at_realtime: u64,
}

impl TscClock {
    /// The clock of these [`BootInfo`] fields (see the module's rules for
    /// a 0 frequency or anchor).
    pub const fn new(tsc_khz: u64, realtime_ns: u64, tsc_at_realtime: u64) -> TscClock {
        let tsc_khz = if tsc_khz == 0 {
            FALLBACK_TSC_KHZ
        } else {
            tsc_khz
        };
        let realtime_ns = if tsc_at_realtime == 0 { 0 } else { realtime_ns };
        TscClock {
            tsc_khz,
            realtime_ns,
            tsc_at_realtime,
        }
    }

    /// The clock a guest booted with `info` keeps.
    pub const fn from_boot_info(info: &BootInfo) -> TscClock {
        TscClock::new(info.tsc_khz, info.realtime_ns, info.tsc_at_realtime)
    }

    /// The frequency used, in kHz (never 0).
    pub const fn tsc_khz(&self) -> u64 {
        self.tsc_khz
    }

    /// Nanoseconds in `cycles` TSC cycles (in 128 bits: cycles × 10^6
    /// overflows 64 bits after 2^64 / 10^6 cycles, minutes at GHz rates).
    pub const fn ns(&self, cycles: u64) -> u64 {
        let ns = cycles as u128 * 1_000_000 / self.tsc_khz as u128;
        if ns > u64::MAX as u128 {
            u64::MAX
        } else {
            ns as u64
        }
    }

    /// TSC cycles in `ns` nanoseconds, rounded up: the fewest cycles that
    /// [`ns`](Self::ns) turns back into at least `ns`, so a deadline this
    /// far ahead never ends a wait early by a fraction of a cycle. In 128
    /// bits, and u64::MAX when the
    /// count does not fit (2^64 / (kHz × 10^3) s, a couple of centuries at
    /// GHz rates): a timeout that long is one that never expires.
    pub const fn cycles(&self, ns: u64) -> u64 {
        let cycles = (ns as u128 * self.tsc_khz as u128).div_ceil(1_000_000);
        if cycles > u64::MAX as u128 {
            u64::MAX
        } else {
            cycles as u64
        }
    }

    /// Nanoseconds from TSC `since` to TSC `now`; 0 if `now` is earlier.
    pub const fn elapsed_ns(&self, since: u64, now: u64) -> u64 {
        self.ns(now.saturating_sub(since))
    }

    /// CLOCK_REALTIME, in ns since the epoch, when the TSC read `tsc`
    /// (the anchor moved by the cycles between them, either way; 0 for a
    /// TSC so far before the anchor that it would precede the epoch).
    pub const fn realtime_ns(&self, tsc: u64) -> u64 {
        if tsc >= self.tsc_at_realtime {
            self.realtime_ns
                .saturating_add(self.ns(tsc - self.tsc_at_realtime))
        } else {
            self.realtime_ns
                .saturating_sub(self.ns(self.tsc_at_realtime - tsc))
        }
    }
}

impl BootInfo {
    /// The guest's clock as this record defines it.
    pub const fn clock(&self) -> TscClock {
        TscClock::from_boot_info(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tsc_to_realtime_and_elapsed() {
        // 2.5 GHz, anchored at 1_700_000_000.25 s when the TSC read 10^9.
        let c = TscClock::new(2_500_000, 1_700_000_000_250_000_000, 1_000_000_000);
        assert_eq!(c.tsc_khz(), 2_500_000);
        assert_eq!(c.ns(2_500), 1_000);
        assert_eq!(c.ns(0), 0);
        assert_eq!(c.elapsed_ns(1_000, 3_500), 1_000);
        assert_eq!(c.elapsed_ns(3_500, 1_000), 0);
        assert_eq!(c.realtime_ns(1_000_000_000), 1_700_000_000_250_000_000);
        assert_eq!(
            c.realtime_ns(1_000_000_000 + 2_500_000_000),
            1_700_000_001_250_000_000
        );
        // Before the anchor: earlier, not later.
        assert_eq!(
            c.realtime_ns(1_000_000_000 - 25_000),
            1_700_000_000_249_990_000
        );
    }

    #[test]
    fn ns_to_cycles_inverts_and_saturates() {
        let c = TscClock::new(2_500_000, 0, 1);
        assert_eq!(c.cycles(0), 0);
        assert_eq!(c.cycles(1_000), 2_500);
        assert_eq!(c.ns(c.cycles(1_000)), 1_000);
        // Rounded up: 1 ns is 2.5 cycles, and 2 of them are 0 ns.
        assert_eq!(c.cycles(1), 3);
        assert_eq!(c.ns(c.cycles(1)), 1);
        for ns in [1, 3, 999, 123_456_789] {
            let k = c.cycles(ns);
            assert!(c.ns(k) >= ns && c.ns(k - 1) < ns, "{ns} ns: {k} cycles");
        }
        assert_eq!(c.cycles(u64::MAX), u64::MAX);
        // At 2 GHz, the last ns count that fits and the first that does
        // not: 2^64 cycles, which a 64-bit result would wrap to 0.
        let c = TscClock::new(2_000_000, 0, 1);
        assert_eq!(c.cycles((1 << 63) - 1), u64::MAX - 1);
        assert_eq!(c.cycles(1 << 63), u64::MAX);
        // 1 GHz, the fallback: one cycle per ns, u64::MAX exact.
        let c = TscClock::new(0, 0, 0);
        assert_eq!(c.cycles(7), 7);
        assert_eq!(c.cycles(u64::MAX), u64::MAX);
        // Below 1 GHz nothing saturates.
        let c = TscClock::new(1, 0, 1);
        assert_eq!(c.cycles(u64::MAX), u64::MAX.div_ceil(1_000_000));
    }

    #[test]
    fn no_frequency_and_no_anchor() {
        // No frequency: 1 GHz. No anchor: the given realtime is ignored
        // and the clock reads 0 at TSC 0.
        let c = TscClock::new(0, 5, 0);
        assert_eq!(c.tsc_khz(), FALLBACK_TSC_KHZ);
        assert_eq!(c.ns(1_000), 1_000);
        assert_eq!(c.realtime_ns(0), 0);
        assert_eq!(c.realtime_ns(7_000_000_123), 7_000_000_123);
        let mut info = BootInfo::empty();
        info.realtime_ns = 5;
        assert_eq!(info.clock(), c);
        info.tsc_khz = 3_000_000;
        info.tsc_at_realtime = 9;
        assert_eq!(info.clock(), TscClock::new(3_000_000, 5, 9));
    }

    #[test]
    fn large_values_are_exact_or_saturate() {
        // u64::MAX cycles at 1 GHz: u64::MAX × 10^6 overflows 64 bits, the
        // 128-bit product does not, and the result (u64::MAX ns) is exact.
        let c = TscClock::new(1_000_000, 0, 1);
        assert_eq!(c.ns(u64::MAX), u64::MAX);
        // 2^60 cycles at 3 GHz: 2^60 × 10^6 wraps a u64; the true value is
        // 2^60 / 3 ns.
        let c = TscClock::new(3_000_000, 0, 1);
        assert_eq!(c.ns(1 << 60), (1u64 << 60) / 3);
        // Beyond u64 ns (1 kHz) saturates.
        let c = TscClock::new(1, 0, 1);
        assert_eq!(c.ns(u64::MAX), u64::MAX);
        assert_eq!(c.realtime_ns(u64::MAX), u64::MAX);
        assert_eq!(c.realtime_ns(0), 0);
        // An anchor near the top of the range does not wrap.
        let c = TscClock::new(1_000_000, u64::MAX - 10, 100);
        assert_eq!(c.realtime_ns(200), u64::MAX);
        assert_eq!(c.realtime_ns(95), u64::MAX - 15);
    }
}
