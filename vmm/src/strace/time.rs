//! Time in the trace, in the guest's own clock: `-t`/`-tt`/`-ttt`
//! (`--absolute-timestamps`), the guest's CLOCK_REALTIME when a call was
//! entered, and `-T` (`--syscall-times`), the time from entry to return.
//!
//! The kernel stamps each syscall stop with guest TSC values
//! (`abi::hypercall::SyscallExit`); `abi::clock::TscClock` turns them into
//! time with the frequency and the realtime anchor the host gave the guest
//! at boot (`abi::boot::BootInfo`), the conversion the kernel's own clocks
//! use, so a timestamp is what `clock_gettime(CLOCK_REALTIME)` read in the
//! guest at that moment.

/// How many decimals of a second: strace's `s`, `ms`, `us`, `ns`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Precision {
    S,
    Ms,
    #[default]
    Us,
    Ns,
}

impl Precision {
    fn digits(self) -> usize {
        match self {
            Precision::S => 0,
            Precision::Ms => 3,
            Precision::Us => 6,
            Precision::Ns => 9,
        }
    }

    fn parse(s: &str) -> Option<Precision> {
        Some(match s {
            "s" => Precision::S,
            "ms" => Precision::Ms,
            "us" => Precision::Us,
            "ns" => Precision::Ns,
            _ => return None,
        })
    }
}

impl std::str::FromStr for Precision {
    type Err = String;
    fn from_str(s: &str) -> Result<Precision, String> {
        Precision::parse(s).ok_or_else(|| format!("{s:?}: expected s, ms, us or ns"))
    }
}

/// `ns` as seconds with `p`'s decimals, cut (not rounded) as strace does.
fn seconds(ns: u64, p: Precision) -> String {
    (ns / 1_000_000_000).to_string() + &fraction(ns, p)
}

/// The part of a second in `ns` as `.` and `p`'s decimals, cut; nothing
/// for whole seconds.
fn fraction(ns: u64, p: Precision) -> String {
    let digits = p.digits();
    if digits == 0 {
        return String::new();
    }
    let frac = (ns % 1_000_000_000) / 10u64.pow(9 - digits as u32);
    format!(".{frac:0digits$}")
}

/// `-T`'s suffix for a call that took `ns`: ` <0.000123>`.
pub fn syscall_time(ns: u64, p: Precision) -> String {
    format!(" <{}>", seconds(ns, p))
}

/// What a timestamp shows of the time: `%T` (local time of day) or `%s`
/// (seconds since the epoch), then the precision's decimals.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StampFormat {
    Time,
    Unix,
}

/// `-t`, `-tt`, `-ttt` or `--absolute-timestamps=...`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timestamps {
    pub format: StampFormat,
    pub precision: Precision,
}

impl Timestamps {
    /// `-t` given `n` times (`n` >= 1): `%T`, `%T.%06u`, `%s.%06u` (and
    /// so on for more).
    pub fn from_count(n: u8) -> Timestamps {
        match n {
            0 | 1 => Timestamps {
                format: StampFormat::Time,
                precision: Precision::S,
            },
            2 => Timestamps {
                format: StampFormat::Time,
                precision: Precision::Us,
            },
            _ => Timestamps {
                format: StampFormat::Unix,
                precision: Precision::Us,
            },
        }
    }

    /// `--absolute-timestamps[=SPEC]`: comma-separated `[format:]FORMAT`
    /// (none, time, unix) and `[precision:]PRECISION` (s, ms, us, ns),
    /// each defaulting to `time` and `s`; `None` for `none`.
    pub fn parse(spec: &str) -> Result<Option<Timestamps>, String> {
        let mut t = Timestamps {
            format: StampFormat::Time,
            precision: Precision::S,
        };
        let mut none = false;
        for item in spec.split(',').filter(|i| !i.is_empty()) {
            let (key, value) = match item.split_once(':') {
                Some((k, v)) => (Some(k), v),
                None => (None, item),
            };
            let format = match value {
                "none" => Some(None),
                "time" => Some(Some(StampFormat::Time)),
                "unix" => Some(Some(StampFormat::Unix)),
                _ => None,
            };
            match (key, format, Precision::parse(value)) {
                (None | Some("format"), Some(f), _) => match f {
                    Some(f) => {
                        t.format = f;
                        none = false;
                    }
                    None => none = true,
                },
                (None | Some("precision"), _, Some(p)) => t.precision = p,
                _ => {
                    return Err(format!(
                        "{item:?}: expected [format:]none|time|unix or [precision:]s|ms|us|ns"
                    ))
                }
            }
        }
        Ok((!none).then_some(t))
    }

    /// The timestamp of `realtime_ns` (ns since the epoch), without the
    /// space that follows it in a line.
    pub fn format(&self, realtime_ns: u64) -> String {
        let secs = realtime_ns / 1_000_000_000;
        let whole = match self.format {
            StampFormat::Unix => secs.to_string(),
            StampFormat::Time => {
                let (h, m, sec) = local_time_of_day(secs);
                format!("{h:02}:{m:02}:{sec:02}")
            }
        };
        whole + &fraction(realtime_ns, self.precision)
    }
}

/// Hours, minutes and seconds of `secs` (since the epoch) in the host's
/// local time zone (`TZ`, as the C library reads it); UTC if it cannot
/// tell.
fn local_time_of_day(secs: u64) -> (u32, u32, u32) {
    let t = libc::time_t::try_from(secs).unwrap_or(libc::time_t::MAX);
    // SAFETY: `tm` is plain data, written by localtime_r before it is read
    // (checked by its return value); both pointers are valid for the call.
    let local = unsafe {
        let mut tm: libc::tm = std::mem::zeroed();
        (!libc::localtime_r(&t, &mut tm).is_null()).then_some(tm)
    };
    match local {
        Some(tm) => (tm.tm_hour as u32, tm.tm_min as u32, tm.tm_sec as u32),
        None => {
            let day = secs % 86_400;
            (
                (day / 3600) as u32,
                (day / 60 % 60) as u32,
                (day % 60) as u32,
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syscall_time_suffix() {
        assert_eq!(syscall_time(123_456, Precision::Us), " <0.000123>");
        assert_eq!(syscall_time(10_123_456_789, Precision::Us), " <10.123456>");
        assert_eq!(
            syscall_time(10_123_456_789, Precision::Ns),
            " <10.123456789>"
        );
        assert_eq!(syscall_time(10_123_456_789, Precision::Ms), " <10.123>");
        assert_eq!(syscall_time(10_999_999_999, Precision::S), " <10>");
        assert_eq!(syscall_time(0, Precision::Us), " <0.000000>");
    }

    #[test]
    fn timestamps_as_strace_prints_them() {
        // 2023-11-14 22:13:20.123456789 UTC.
        let at = 1_700_000_000_123_456_789;
        let unix = Timestamps::from_count(3);
        assert_eq!(unix.format(at), "1700000000.123456");
        let ns = Timestamps {
            format: StampFormat::Unix,
            precision: Precision::Ns,
        };
        assert_eq!(ns.format(at), "1700000000.123456789");
        // Local time: the minutes and seconds are the same in every zone
        // with a whole-hour or half-hour offset; the hour is checked against
        // the C library directly.
        let t = Timestamps::from_count(1).format(at);
        let tt = Timestamps::from_count(2).format(at);
        assert_eq!(t.len(), 8, "{t}");
        assert!(t.ends_with(":20"), "{t}");
        assert_eq!(tt, format!("{t}.123456"));
        let (h, _, _) = local_time_of_day(1_700_000_000);
        assert_eq!(&t[..2], format!("{h:02}"));
        let ms = Timestamps::parse("precision:ms").unwrap().unwrap();
        assert_eq!(ms.format(at), format!("{t}.123"));
    }

    #[test]
    fn absolute_timestamps_spec() {
        let t = |format, precision| Ok(Some(Timestamps { format, precision }));
        use Precision::*;
        use StampFormat::*;
        assert_eq!(Timestamps::parse(""), t(Time, S));
        assert_eq!(Timestamps::parse("precision:us"), t(Time, Us));
        assert_eq!(Timestamps::parse("format:unix,precision:us"), t(Unix, Us));
        assert_eq!(Timestamps::parse("ns,unix"), t(Unix, Ns));
        assert_eq!(Timestamps::parse("unix"), t(Unix, S));
        assert_eq!(Timestamps::parse("format:time,ms"), t(Time, Ms));
        assert_eq!(Timestamps::parse("none"), Ok(None));
        assert_eq!(Timestamps::parse("none,unix"), t(Unix, S));
        for bad in [
            "foo",
            "format:us",
            "precision:unix",
            "precision:",
            "us:format",
        ] {
            assert!(Timestamps::parse(bad).is_err(), "{bad}");
        }
    }
}
