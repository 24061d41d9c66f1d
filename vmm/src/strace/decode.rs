//! Value decoders in strace's notation: flag sets, named constants, errno
//! names and messages, signal sets, quoted strings. Pure functions of the
//! numbers (and bytes) they are given, so each is unit-tested on its own.
//!
//! The names and numbers are Linux's x86_64 UAPI, every one from
//! `abi::linux` (its constants and its `(number, name)` tables, whose order
//! is the order strace prints a flag set in); the notation follows what
//! strace 6.1 prints (it is the reference for the output format only).

use abi::linux::{
    arch_prctl, clone, errno as errnos, fs, futex, ioctl, mman, name_of, poll, random, resource,
    signal, time, wait,
};

/// `A|B|0x..`: the names of the bits of `value` in table order, then any
/// bits no entry names in hex; `zero` when `value` is 0.
pub fn flags(value: u64, table: &[(u64, &str)], zero: &str) -> String {
    if value == 0 {
        return zero.to_string();
    }
    let mut rest = value;
    let mut parts: Vec<String> = Vec::new();
    for &(bit, name) in table {
        if bit != 0 && rest & bit == bit {
            parts.push(name.to_string());
            rest &= !bit;
        }
    }
    if rest != 0 {
        parts.push(format!("{rest:#x}"));
    }
    parts.join("|")
}

/// A flag set where strace marks a value of no known bit with its
/// comment: `A|0x10`, but `0x10 /* O_??? */`; `0` for none.
pub fn flags_commented(value: u64, table: &[(u64, &str)], unknown: &str) -> String {
    flags_marked(value, table, &format!("{unknown}???"), "0")
}

/// [`flags_commented`] with the whole comment given (strace's is not
/// always `PREFIX???`: `RENAME_??`, `?_OK`) and the text for 0.
pub fn flags_marked(value: u64, table: &[(u64, &str)], comment: &str, zero: &str) -> String {
    if value != 0 && !table.iter().any(|&(bit, _)| bit != 0 && value & bit == bit) {
        return format!("{value:#x} /* {comment} */");
    }
    flags(value, table, zero)
}

/// The name of `value` in `table`, or `value` in hex with strace's
/// `/* NAME_??? */` comment.
pub fn constant(value: u64, table: &[(u64, &str)], unknown: &str) -> String {
    match name_of(table, value) {
        Some(name) => name.to_string(),
        None => format!("{value:#x} /* {unknown}_??? */"),
    }
}

/// Legacy clone's flags word: the flag bits, then the exit signal in the low
/// byte (`CLONE_VM|...|SIGCHLD`).
pub fn clone_flags(flags: u64) -> String {
    let signal = flags & clone::CSIGNAL;
    let bits = flags & !clone::CSIGNAL;
    let mut s = if bits == 0 {
        String::new()
    } else {
        self::flags(bits, clone::FLAGS, "")
    };
    if signal != 0 {
        if !s.is_empty() {
            s.push('|');
        }
        s += &signal_name(signal);
    }
    if s.is_empty() {
        s.push('0');
    }
    s
}

/// clone3's `flags` field (64 bits, no signal byte).
pub fn clone3_flags(flags: u64) -> String {
    self::flags(flags, clone::FLAGS, "0")
}

pub fn prot(p: u64) -> String {
    flags(p, mman::PROT, "PROT_NONE")
}

/// mmap's flags: the mapping type (low 4 bits), then the flag bits.
pub fn map_flags(f: u64) -> String {
    let kind = constant(f & mman::MAP_TYPE, mman::MAP_TYPES, "MAP");
    let rest = f & !mman::MAP_TYPE;
    if rest == 0 {
        kind
    } else {
        format!("{kind}|{}", flags(rest, mman::MAP_FLAGS, ""))
    }
}

pub fn madvise(advice: u64) -> String {
    constant(advice, mman::MADVISE, "MADV")
}

/// The futex command without its option bits.
pub fn futex_cmd(op: u64) -> u64 {
    op & futex::FUTEX_CMD_MASK
}

/// `FUTEX_WAIT_PRIVATE`, `FUTEX_WAIT_BITSET|FUTEX_CLOCK_REALTIME`, ...
pub fn futex_op(op: u64) -> String {
    let op = op & 0xffff_ffff;
    let cmd = futex_cmd(op);
    let mut s = match futex::command_name(cmd) {
        Some(name) => name.to_string(),
        None => format!("{cmd:#x} /* FUTEX_??? */"),
    };
    if op & futex::FUTEX_PRIVATE_FLAG != 0 {
        s += "_PRIVATE";
    }
    if op & futex::FUTEX_CLOCK_REALTIME != 0 {
        s += "|FUTEX_CLOCK_REALTIME";
    }
    s
}

/// wait4/waitpid options.
pub fn wait_options(o: u64) -> String {
    // An `int` in Linux: only the low 32 bits exist.
    flags(o & 0xffff_ffff, wait::WAIT_OPTIONS, "0")
}

/// A wait status as strace shows it: `[{WIFEXITED(s) && WEXITSTATUS(s) == 0}]`.
pub fn wait_status(s: u32) -> String {
    let sig = s & 0x7f;
    let inner = if sig == 0 {
        format!("WIFEXITED(s) && WEXITSTATUS(s) == {}", (s >> 8) & 0xff)
    } else if sig == 0x7f {
        format!(
            "WIFSTOPPED(s) && WSTOPSIG(s) == {}",
            signal_name(u64::from((s >> 8) & 0xff))
        )
    } else {
        let core = if s & 0x80 != 0 {
            " && WCOREDUMP(s)"
        } else {
            ""
        };
        format!(
            "WIFSIGNALED(s) && WTERMSIG(s) == {}{core}",
            signal_name(u64::from(sig))
        )
    };
    format!("[{{{inner}}}]")
}

/// A signal's name without `SIG` as in a signal set: `CHLD`, `RTMIN`, `RT_1`.
fn signal_short(n: u64) -> String {
    match signal::name(n) {
        Some(name) => name.trim_start_matches("SIG").to_string(),
        None if n == signal::SIGRTMIN => "RTMIN".to_string(),
        None if n > signal::SIGRTMIN && n <= signal::NSIG => {
            format!("RT_{}", n - signal::SIGRTMIN)
        }
        None => n.to_string(),
    }
}

/// `SIGCHLD`, `SIGRTMIN`, `SIGRT_1`; a number when out of range.
pub fn signal_name(n: u64) -> String {
    match n {
        1..=signal::NSIG => format!("SIG{}", signal_short(n)),
        _ => n.to_string(),
    }
}

/// A 64-signal set: `[]`, `[CHLD RTMIN]`, or `~[...]` with the signals not
/// in it when more than half are.
pub fn sigset(mask: u64) -> String {
    let (prefix, m) = if mask.count_ones() > 32 {
        ("~", !mask)
    } else {
        ("", mask)
    };
    let names: Vec<String> = (0..signal::NSIG)
        .filter(|b| m & (1u64 << b) != 0)
        .map(|b| signal_short(b + 1))
        .collect();
    format!("{prefix}[{}]", names.join(" "))
}

/// sigaltstack's `ss_flags` (an `int`): `0`, `SS_DISABLE`,
/// `SS_ONSTACK|SS_AUTODISARM`.
pub fn ss_flags(f: u64) -> String {
    flags(f & 0xffff_ffff, signal::SS_FLAGS, "0")
}

pub fn itimer_which(w: u64) -> String {
    constant(w, signal::ITIMERS, "ITIMER")
}

pub fn sigev_notify(n: u64) -> String {
    constant(n, signal::SIGEV_NOTIFY, "SIGEV")
}

/// A pointer field as strace prints one: `NULL` or hex.
fn pointer(v: u64) -> String {
    if v == 0 {
        "NULL".into()
    } else {
        format!("{v:#x}")
    }
}

/// A `union sigval` as `si_int=N, si_ptr=P` (what strace shows in a
/// siginfo; the union's one word, read both ways).
fn sigval_fields(v: u64) -> String {
    format!("si_int={}, si_ptr={}", v as u32 as i32, pointer(v))
}

/// The name of a `si_code`: the signal's own codes for a positive one from
/// the kernel, the sender codes otherwise; a number strace does not know
/// in hex with its comment.
pub fn si_code(signo: u64, code: i32) -> String {
    let own = match signo {
        signal::SIGCHLD => Some(signal::CHILD_CODES),
        signal::SIGSEGV => Some(signal::SEGV_CODES),
        signal::SIGBUS => Some(signal::BUS_CODES),
        signal::SIGILL => Some(signal::ILL_CODES),
        signal::SIGFPE => Some(signal::FPE_CODES),
        signal::SIGTRAP => Some(signal::TRAP_CODES),
        _ => None,
    };
    let value = code as i64 as u64;
    let named = own
        .filter(|_| code > 0 && code != signal::SI_KERNEL)
        .and_then(|t| name_of(t, value))
        .or_else(|| name_of(signal::SEND_CODES, value));
    match named {
        Some(n) => n.to_string(),
        None => format!("{:#x} /* SI_??? */", code as u32),
    }
}

/// A siginfo in strace's notation:
/// `{si_signo=SIGUSR1, si_code=SI_TKILL, si_pid=1, si_uid=0}`. Which
/// fields follow the code depends on who sent it, as strace decides: a
/// sender's code (SI_USER, SI_TKILL, ...: pid and uid; SI_QUEUE and
/// SI_MESGQ: and the value; SI_TIMER: the timer, its overrun and value);
/// from the kernel, by signal: SIGCHLD the child's pid, uid, status and
/// times, a fault its address, anything else the sender only if one is
/// set (SI_KERNEL alone: nothing).
pub fn siginfo(i: &abi::linux::uapi::Siginfo) -> String {
    let signo = i.si_signo as u32 as u64;
    let mut s = if i.si_signo < 0 {
        format!("{{si_signo={}", i.si_signo)
    } else {
        format!("{{si_signo={}", signal_name(signo))
    };
    if i.si_errno != 0 {
        let e = u64::from(i.si_errno.unsigned_abs());
        let name = errno(e).map_or_else(|| i.si_errno.to_string(), |(n, _)| n.to_string());
        s += &format!(", si_errno={name}");
    }
    s += &format!(", si_code={}", si_code(signo, i.si_code));
    let pid_uid = format!("si_pid={}, si_uid={}", i.pid(), i.uid());
    let rest = if i.si_code <= 0 {
        match i.si_code {
            signal::SI_QUEUE | signal::SI_MESGQ => {
                Some(format!("{pid_uid}, {}", sigval_fields(i.value())))
            }
            signal::SI_TIMER => Some(format!(
                "si_timerid={}, si_overrun={}, {}",
                i.addr() as u32 as i32,
                (i.addr() >> 32) as u32 as i32,
                sigval_fields(i.value())
            )),
            _ => Some(pid_uid),
        }
    } else {
        match signo {
            signal::SIGCHLD => {
                let status = i.value() as u32 as i32;
                let status = match i.si_code {
                    signal::CLD_KILLED | signal::CLD_DUMPED => signal_name(status as u32 as u64),
                    _ => status.to_string(),
                };
                Some(format!(
                    "{pid_uid}, si_status={status}, si_utime={}, si_stime={}",
                    i.fields[2] as i64, i.fields[3] as i64
                ))
            }
            signal::SIGSEGV
            | signal::SIGBUS
            | signal::SIGILL
            | signal::SIGFPE
            | signal::SIGTRAP => Some(format!("si_addr={}", pointer(i.addr()))),
            _ if i.fields[0] != 0 => Some(pid_uid),
            _ => None,
        }
    };
    if let Some(rest) = rest {
        s += ", ";
        s += &rest;
    }
    s.push('}');
    s
}

pub fn sigprocmask_how(how: u64) -> String {
    constant(how, signal::SIGPROCMASK_HOW, "SIG")
}

pub fn sa_flags(f: u64) -> String {
    flags(f, signal::SA_FLAGS, "0")
}

pub fn clock_name(c: u64) -> String {
    constant(c, time::CLOCKS, "CLOCK")
}

/// clock_nanosleep's flags: `TIMER_ABSTIME`, or `0` for anything else.
pub fn timer_flags(f: u64) -> String {
    name_of(time::TIMER_FLAGS, f).unwrap_or("0").to_string()
}

pub fn rlimit_resource(r: u64) -> String {
    constant(r, resource::RLIMITS, "RLIMIT")
}

/// One rlimit value: `RLIM64_INFINITY`, `8192*1024`, `100`.
pub fn rlim(v: u64) -> String {
    if let Some(name) = name_of(resource::RLIM_VALUES, v) {
        name.into()
    } else if v != 0 && v % 1024 == 0 {
        format!("{}*1024", v / 1024)
    } else {
        v.to_string()
    }
}

pub fn arch_prctl_code(c: u64) -> String {
    constant(c, arch_prctl::ARCH_CODES, "ARCH")
}

pub fn fcntl_cmd(c: u64) -> String {
    constant(c, fs::FCNTL_COMMANDS, "F")
}

/// F_SETFD's argument: `FD_CLOEXEC`, or the number.
pub fn fd_flags(f: u64) -> String {
    name_of(fs::FD_FLAGS, f).map_or_else(|| f.to_string(), str::to_string)
}

/// A descriptor argument: `AT_FDCWD`, or the number (a C `int`).
pub fn fd(v: u64) -> String {
    let fd = v as i32;
    name_of(fs::DIRFDS, fd as u64).map_or_else(|| fd.to_string(), str::to_string)
}

/// The `*at` calls' flags (an `int`): `AT_SYMLINK_NOFOLLOW|AT_EMPTY_PATH`,
/// `0x1 /* AT_??? */`.
pub fn path_flags(f: u64) -> String {
    flags_commented(f & 0xffff_ffff, fs::AT_CALL_FLAGS, "AT_")
}

/// faccessat2's flags (AT_EACCESS where the others have AT_REMOVEDIR).
pub fn faccessat_flags(f: u64) -> String {
    flags_commented(f & 0xffff_ffff, fs::FACCESSAT_FLAGS, "AT_")
}

/// statx's flags: the sync type (`AT_STATX_SYNC_AS_STAT` for none), then
/// the other `*at` flags.
pub fn statx_flags(f: u64) -> String {
    let f = f & 0xffff_ffff;
    let sync = f & fs::AT_STATX_SYNC_TYPE;
    let zero = name_of(fs::STATX_SYNC_TYPES, 0).unwrap_or("0");
    let mut s = flags(sync, fs::STATX_SYNC_TYPES, zero);
    let rest = f & !fs::AT_STATX_SYNC_TYPE;
    if rest != 0 {
        s.push('|');
        s += &flags(rest, fs::AT_CALL_FLAGS, "");
    }
    s
}

/// statx's mask (a `u32`), the one asked and the one filled.
pub fn statx_mask(m: u64) -> String {
    flags_commented(m & 0xffff_ffff, fs::STATX_MASKS, "STATX_")
}

pub fn statx_attrs(a: u64) -> String {
    flags_commented(a, fs::STATX_ATTRS, "STATX_ATTR_")
}

/// access's mode (an `int`): `F_OK`, `R_OK|W_OK`, `0x10 /* ?_OK */`.
pub fn access_mode(m: u64) -> String {
    let zero = name_of(fs::ACCESS_CHECKS, 0).unwrap_or("0");
    flags_marked(m & 0xffff_ffff, fs::ACCESS_CHECKS, "?_OK", zero)
}

/// renameat2's flags (an `unsigned int`; strace's comment has two `?`).
pub fn rename_flags(f: u64) -> String {
    flags_marked(f & 0xffff_ffff, fs::RENAME_FLAGS, "RENAME_??", "0")
}

/// close_range's flags (an `unsigned int`).
pub fn close_range_flags(f: u64) -> String {
    flags_commented(f & 0xffff_ffff, fs::CLOSE_RANGE_FLAGS, "CLOSE_RANGE_")
}

/// statfs's `f_flags`.
pub fn statfs_flags(f: u64) -> String {
    flags_commented(f, fs::STATFS_FLAGS, "ST_")
}

/// statfs's `f_type`: the file system's name, or the number in hex.
pub fn fs_magic(t: i64) -> String {
    name_of(fs::FS_MAGICS, t as u64).map_or_else(|| format!("{t:#x}"), str::to_string)
}

/// A uid or gid argument (32 bits): `-1` (leave it unchanged) or the
/// number.
pub fn uid(v: u64) -> String {
    match v as u32 {
        u32::MAX => "-1".into(),
        u => u.to_string(),
    }
}

/// A mode argument (`umode_t`, 16 bits) in octal: `0644`, `000`.
pub fn mode(m: u64) -> String {
    octal(m & 0xffff)
}

/// open's flags (the access mode first; all its bits set is
/// `O_ACCMODE`).
pub fn open_flags(f: u64) -> String {
    let acc = name_of(fs::ACCESS_MODES, f & fs::O_ACCMODE).unwrap_or("O_ACCMODE");
    let rest = f & !fs::O_ACCMODE & 0xffff_ffff;
    if rest == 0 {
        acc.to_string()
    } else {
        format!("{acc}|{}", flags(rest, fs::OPEN_MODE_FLAGS, ""))
    }
}

/// Whether open's mode argument is used, so shown: with O_CREAT or
/// O_TMPFILE's own bit.
pub fn open_has_mode(f: u64) -> bool {
    f & (fs::O_CREAT | fs::__O_TMPFILE) != 0
}

/// pipe2's and dup3's flags: open flags without an access mode (an
/// `int`).
pub fn pipe_flags(f: u64) -> String {
    flags_commented(f & 0xffff_ffff, fs::OPEN_MODE_FLAGS, "O_")
}

/// A `struct pollfd`'s `events` (a C `short`, its bits unsigned).
pub fn poll_events(e: i16) -> String {
    flags_commented(u64::from(e as u16), poll::POLL_EVENTS, "POLL")
}

/// A `struct pollfd`'s `revents`, as strace lists them after the return
/// value: never 0 there (those entries are left out).
pub fn poll_revents(e: i16) -> String {
    flags(u64::from(e as u16), poll::POLL_EVENTS, "0")
}

/// epoll's `events` word (a `uint32_t`): strace comments a value of no
/// known bit, as for poll's.
pub fn epoll_events(e: u32) -> String {
    flags_commented(u64::from(e), poll::EPOLL_EVENTS, "EPOLL")
}

/// epoll_ctl's operation (an `int`).
pub fn epoll_op(op: u64) -> String {
    constant(op & 0xffff_ffff, poll::EPOLL_OPS, "EPOLL_CTL")
}

/// epoll_create1's flags (an `int`).
pub fn epoll_create_flags(f: u64) -> String {
    flags_commented(f & 0xffff_ffff, poll::EPOLL_CREATE_FLAGS, "EPOLL_")
}

pub fn getrandom_flags(f: u64) -> String {
    flags(f, random::GRND_FLAGS, "0")
}

pub fn whence(w: u64) -> String {
    constant(w, fs::WHENCE, "SEEK")
}

pub fn ioctl_request(r: u64) -> String {
    name_of(ioctl::REQUESTS, r).map_or_else(|| format!("{r:#x}"), str::to_string)
}

/// Whether `st_mode` is a device's (the call shows `st_rdev` for it).
pub fn is_device(m: u32) -> bool {
    let kind = m & fs::S_IFMT;
    kind == fs::S_IFCHR || kind == fs::S_IFBLK
}

/// An octal number as C's `%#03o` prints it: `0644`, `000`.
pub fn octal(v: u64) -> String {
    let o = format!("0{v:o}");
    format!("{o:0>3}")
}

/// `st_mode` as strace prints it: `S_IFREG|0644`,
/// `S_IFDIR|S_ISVTX|0777`, `S_ISUID|0755` without a type; a mode of no
/// known file type as one octal number.
pub fn file_mode(m: u32) -> String {
    let kind = m & fs::S_IFMT;
    let mut s = String::new();
    if kind != 0 {
        let Some(name) = name_of(fs::FILE_TYPES, u64::from(kind)) else {
            return octal(u64::from(m));
        };
        s += name;
        s.push('|');
    }
    for &(bit, name) in fs::SET_ID_BITS {
        if u64::from(m) & bit != 0 {
            s += name;
            s.push('|');
        }
    }
    let set_id = fs::S_ISUID | fs::S_ISGID | fs::S_ISVTX;
    s + &octal(u64::from(m & !fs::S_IFMT & !set_id))
}

/// The date of a time in seconds and nanoseconds since the epoch, as
/// strace comments a timestamp (`2023-11-14T22:13:20+0000`, the
/// nanoseconds after the seconds when not 0); None where strace has no
/// comment: the epoch itself, nanoseconds out of range, or a year C's
/// `struct tm` cannot hold. In UTC: strace uses the tracer's time zone,
/// which is UTC where these traces are compared.
pub fn date(sec: i64, nsec: u64) -> Option<String> {
    if (sec == 0 && nsec == 0) || nsec >= 1_000_000_000 {
        return None;
    }
    let (days, rem) = (sec.div_euclid(86_400), sec.rem_euclid(86_400));
    // Days since 1970-01-01 to a civil date (proleptic Gregorian).
    let z = i128::from(days) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i128::from(month <= 2);
    // `tm_year` is an `int` counted from 1900, and strftime adds 1900 to
    // it in an `int` again.
    let tm_year = i32::try_from(year - 1900).ok()?;
    let shown = tm_year.wrapping_add(1900);
    let mut s = format!(
        "{shown}-{month:02}-{day:02}T{:02}:{:02}:{:02}",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    );
    if nsec != 0 {
        s += &format!(".{nsec:09}");
    }
    s += "+0000";
    Some(s)
}

/// Linux's errno name and the C library's message for it; ERESTART* (which
/// a program never sees) included, as strace shows them.
pub fn errno(e: u64) -> Option<(&'static str, &'static str)> {
    errnos::lookup(e).map(|e| (e.name, e.message))
}

/// The return-value part after `= ` for a failed call (`ret` in
/// -4095..=-1): `-1 EBADF (Bad file descriptor)`; the ERESTART family,
/// which the program never sees, as `? ERESTARTSYS (...)`.
pub fn error_return(ret: i64) -> String {
    let e = ret.unsigned_abs();
    match errno(e) {
        Some((name, msg)) if e >= errnos::ERESTARTSYS as u64 => format!("? {name} ({msg})"),
        Some((name, msg)) => format!("-1 {name} ({msg})"),
        None => format!("-1 {e} (Unknown error {e})"),
    }
}

/// Whether a raw return value is an error (Linux's -4095..=-1).
pub fn is_error(ret: i64) -> bool {
    errnos::is_error(ret)
}

/// Bytes as a C string literal the way strace quotes them: `\t \n \v \f \r
/// \" \\` escaped, other non-printable bytes in octal (three digits only
/// when a digit follows), at most `max` bytes shown and `...` after the
/// closing quote when there were more (`more`: the buffer is longer than
/// `bytes`).
pub fn quote(bytes: &[u8], max: usize, more: bool) -> String {
    let shown = &bytes[..bytes.len().min(max)];
    let mut s = String::with_capacity(shown.len() + 8);
    s.push('"');
    for (i, &b) in shown.iter().enumerate() {
        match b {
            b'"' => s += "\\\"",
            b'\\' => s += "\\\\",
            b'\t' => s += "\\t",
            b'\n' => s += "\\n",
            0x0b => s += "\\v",
            0x0c => s += "\\f",
            b'\r' => s += "\\r",
            0x20..=0x7e => s.push(b as char),
            _ => {
                let next_digit = shown.get(i + 1).is_some_and(|c| (b'0'..=b'7').contains(c));
                if next_digit {
                    s += &format!("\\{b:03o}");
                } else {
                    s += &format!("\\{b:o}");
                }
            }
        }
    }
    s.push('"');
    if more || bytes.len() > max {
        s += "...";
    }
    s
}

/// Bytes as strace shows binary data (getrandom): every byte `\xNN`.
pub fn quote_hex(bytes: &[u8], max: usize, more: bool) -> String {
    let shown = &bytes[..bytes.len().min(max)];
    let mut s = String::from("\"");
    for b in shown {
        s += &format!("\\x{b:02x}");
    }
    s.push('"');
    if more || bytes.len() > max {
        s += "...";
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clone_flag_sets() {
        // glibc's (and guest-libc's) pthread_create flags.
        let thread = 0x3d0f00;
        assert_eq!(
            clone3_flags(thread),
            "CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID"
        );
        // fork: legacy clone with the exit signal in the low byte.
        assert_eq!(
            clone_flags(0x0120_0011),
            "CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD"
        );
        assert_eq!(clone_flags(17), "SIGCHLD");
        assert_eq!(clone_flags(0), "0");
        assert_eq!(clone_flags(0x4111), "CLONE_VM|CLONE_VFORK|SIGCHLD");
        // Legacy clone's low byte is the signal, never CLONE_NEWTIME.
        assert_eq!(clone_flags(0x100 | 0x80), "CLONE_VM|128");
    }

    #[test]
    fn unknown_bits_in_hex() {
        assert_eq!(clone3_flags(1 << 40), "0x10000000000");
        assert_eq!(clone3_flags(0x100 | (1 << 40)), "CLONE_VM|0x10000000000");
        assert_eq!(prot(0x10), "0x10");
    }

    #[test]
    fn mm_flags() {
        assert_eq!(prot(0), "PROT_NONE");
        assert_eq!(prot(3), "PROT_READ|PROT_WRITE");
        assert_eq!(prot(5), "PROT_READ|PROT_EXEC");
        assert_eq!(map_flags(0x22), "MAP_PRIVATE|MAP_ANONYMOUS");
        assert_eq!(map_flags(0x20022), "MAP_PRIVATE|MAP_ANONYMOUS|MAP_STACK");
        assert_eq!(map_flags(0x32), "MAP_PRIVATE|MAP_FIXED|MAP_ANONYMOUS");
        assert_eq!(map_flags(0x1), "MAP_SHARED");
        assert_eq!(madvise(4), "MADV_DONTNEED");
        assert_eq!(madvise(99), "0x63 /* MADV_??? */");
    }

    #[test]
    fn futex_ops() {
        assert_eq!(futex_op(128), "FUTEX_WAIT_PRIVATE");
        assert_eq!(futex_op(129), "FUTEX_WAKE_PRIVATE");
        assert_eq!(futex_op(0), "FUTEX_WAIT");
        assert_eq!(futex_op(9 | 256), "FUTEX_WAIT_BITSET|FUTEX_CLOCK_REALTIME");
        assert_eq!(
            futex_op(9 | 128 | 256),
            "FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME"
        );
        assert_eq!(futex_op(4 | 128), "FUTEX_CMP_REQUEUE_PRIVATE");
    }

    #[test]
    fn signals_and_sets() {
        assert_eq!(signal_name(17), "SIGCHLD");
        assert_eq!(signal_name(32), "SIGRTMIN");
        assert_eq!(signal_name(33), "SIGRT_1");
        assert_eq!(sigset(0), "[]");
        assert_eq!(sigset(!0), "~[]");
        assert_eq!(sigset(3 << 31), "[RTMIN RT_1]");
        assert_eq!(sigset(!(1u64 << 32)), "~[RT_1]");
        assert_eq!(sigset((1 << 16) | 1), "[HUP CHLD]");
        assert_eq!(sigprocmask_how(2), "SIG_SETMASK");
        assert_eq!(
            wait_status(0x0300),
            "[{WIFEXITED(s) && WEXITSTATUS(s) == 3}]"
        );
        assert_eq!(
            wait_status(11 | 0x80),
            "[{WIFSIGNALED(s) && WTERMSIG(s) == SIGSEGV && WCOREDUMP(s)}]"
        );
        assert_eq!(wait_options(0), "0");
        assert_eq!(wait_options(1 | 0x4000_0000), "WNOHANG|__WALL");
    }

    /// The shapes strace 6.1 prints (each line copied from its output).
    #[test]
    fn siginfo_shapes() {
        use abi::linux::uapi::Siginfo;
        use signal::*;
        assert_eq!(
            siginfo(&Siginfo::kill(SIGUSR1, SI_TKILL, 1, 0)),
            "{si_signo=SIGUSR1, si_code=SI_TKILL, si_pid=1, si_uid=0}"
        );
        assert_eq!(
            siginfo(&Siginfo::kill(SIGUSR1, SI_USER, 5889, 0)),
            "{si_signo=SIGUSR1, si_code=SI_USER, si_pid=5889, si_uid=0}"
        );
        assert_eq!(
            siginfo(&Siginfo::rt(SIGUSR2, SI_QUEUE, 5889, 0, 42)),
            "{si_signo=SIGUSR2, si_code=SI_QUEUE, si_pid=5889, si_uid=0, si_int=42, si_ptr=0x2a}"
        );
        assert_eq!(
            siginfo(&Siginfo::timer(SIGALRM, 0, 0, 0x1234)),
            "{si_signo=SIGALRM, si_code=SI_TIMER, si_timerid=0, si_overrun=0, si_int=4660, si_ptr=0x1234}"
        );
        assert_eq!(
            siginfo(&Siginfo::kill(SIGALRM, SI_KERNEL, 0, 0)),
            "{si_signo=SIGALRM, si_code=SI_KERNEL}"
        );
        assert_eq!(
            siginfo(&Siginfo::child(CLD_EXITED, 5890, 3)),
            "{si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=5890, si_uid=0, si_status=3, si_utime=0, si_stime=0}"
        );
        assert_eq!(
            siginfo(&Siginfo::child(CLD_KILLED, 7, 9)),
            "{si_signo=SIGCHLD, si_code=CLD_KILLED, si_pid=7, si_uid=0, si_status=SIGKILL, si_utime=0, si_stime=0}"
        );
        assert_eq!(
            siginfo(&Siginfo::fault(SIGSEGV, SEGV_MAPERR, 0)),
            "{si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=NULL}"
        );
        assert_eq!(
            siginfo(&Siginfo::fault(SIGSEGV, SI_KERNEL, 0)),
            "{si_signo=SIGSEGV, si_code=SI_KERNEL, si_addr=NULL}"
        );
        assert_eq!(
            siginfo(&Siginfo::fault(SIGFPE, FPE_INTDIV, 0x401136)),
            "{si_signo=SIGFPE, si_code=FPE_INTDIV, si_addr=0x401136}"
        );
        assert_eq!(
            siginfo(&Siginfo::fault(SIGTRAP, TRAP_BRKPT, 0x10)),
            "{si_signo=SIGTRAP, si_code=TRAP_BRKPT, si_addr=0x10}"
        );
        // A tkill'd SIGSEGV is a sender's, not a fault.
        assert_eq!(
            siginfo(&Siginfo::kill(SIGSEGV, SI_TKILL, 5889, 0)),
            "{si_signo=SIGSEGV, si_code=SI_TKILL, si_pid=5889, si_uid=0}"
        );
    }

    /// Garbage from the guest: numbers, never a panic.
    #[test]
    fn hostile_siginfo() {
        use abi::linux::uapi::Siginfo;
        let mut i = Siginfo::kill(999, 0x7b, -1, u32::MAX);
        i.si_errno = i32::MIN;
        assert_eq!(
            siginfo(&i),
            "{si_signo=999, si_errno=-2147483648, si_code=0x7b /* SI_??? */, si_pid=-1, si_uid=4294967295}"
        );
        let i = Siginfo {
            si_signo: -5,
            si_code: i32::MIN,
            ..Siginfo::default()
        };
        assert_eq!(
            siginfo(&i),
            "{si_signo=-5, si_code=0x80000000 /* SI_??? */, si_pid=0, si_uid=0}"
        );
        assert_eq!(si_code(signal::SIGSEGV, 99), "0x63 /* SI_??? */");
        assert_eq!(ss_flags(2), "SS_DISABLE");
        assert_eq!(ss_flags(0x8000_0001), "SS_ONSTACK|SS_AUTODISARM");
        assert_eq!(ss_flags(0), "0");
        assert_eq!(itimer_which(0), "ITIMER_REAL");
        assert_eq!(itimer_which(7), "0x7 /* ITIMER_??? */");
        assert_eq!(sigev_notify(4), "SIGEV_THREAD_ID");
    }

    #[test]
    fn errnos_match_the_c_library() {
        assert_eq!(error_return(-22), "-1 EINVAL (Invalid argument)");
        assert_eq!(error_return(-9), "-1 EBADF (Bad file descriptor)");
        assert_eq!(
            error_return(-512),
            "? ERESTARTSYS (To be restarted if SA_RESTART is set)"
        );
        assert_eq!(error_return(-4095), "-1 4095 (Unknown error 4095)");
        assert!(is_error(-1) && is_error(-4095) && !is_error(-4096) && !is_error(0));
        // Our messages are the host C library's (what strace prints); the
        // whole table is checked in abi::linux.
        for n in [1, 11, 38, 110, 133] {
            // SAFETY: strerror returns a valid NUL-terminated string.
            let host = unsafe { std::ffi::CStr::from_ptr(libc::strerror(n as i32)) };
            assert_eq!(errno(n).unwrap().1, host.to_str().unwrap(), "{n}");
        }
    }

    #[test]
    fn string_quoting() {
        assert_eq!(quote(b"thread\n", 32, false), "\"thread\\n\"");
        assert_eq!(
            quote(b"hello \"world\"\tabcdefghijklmnopqrstuvwxyz", 32, false),
            "\"hello \\\"world\\\"\\tabcdefghijklmnopqr\"..."
        );
        assert_eq!(quote(b"a\\b", 32, false), "\"a\\\\b\"");
        assert_eq!(quote(b"\x1b[0m", 32, false), "\"\\33[0m\"");
        assert_eq!(quote(b"\x001", 32, false), "\"\\0001\"");
        assert_eq!(quote(b"\x00a", 32, false), "\"\\0a\"");
        assert_eq!(quote(b"\xff", 32, false), "\"\\377\"");
        assert_eq!(quote(b"abc", 32, true), "\"abc\"...");
        assert_eq!(quote(b"", 32, false), "\"\"");
        assert_eq!(quote_hex(b"\x8a\x7e", 32, false), "\"\\x8a\\x7e\"");
    }

    #[test]
    fn misc_constants() {
        assert_eq!(rlim(8 << 20), "8192*1024");
        assert_eq!(rlim(u64::MAX), "RLIM64_INFINITY");
        assert_eq!(rlimit_resource(3), "RLIMIT_STACK");
        assert_eq!(arch_prctl_code(0x1002), "ARCH_SET_FS");
        assert_eq!(file_mode(0o100644), "S_IFREG|0644");
        assert_eq!(file_mode(0o20620), "S_IFCHR|0620");
        assert_eq!(open_flags(0o2000000), "O_RDONLY|O_CLOEXEC");
        assert_eq!(clock_name(1), "CLOCK_MONOTONIC");
    }

    /// The names come from `abi::linux`'s tables, in strace's notation and
    /// order; unknown values as strace shows them.
    #[test]
    fn constants_from_the_abi_tables() {
        assert_eq!(open_flags(3), "O_ACCMODE");
        assert_eq!(open_flags(0o2000102), "O_RDWR|O_CREAT|O_CLOEXEC");
        assert_eq!(open_flags(0o20000001), "O_WRONLY|__O_TMPFILE");
        assert_eq!(map_flags(0), "0x0 /* MAP_??? */");
        assert_eq!(map_flags(0x3 | 0x4000), "MAP_SHARED_VALIDATE|MAP_NORESERVE");
        assert_eq!(madvise(25), "0x19 /* MADV_??? */");
        assert_eq!(whence(2), "SEEK_END");
        assert_eq!(whence(9), "0x9 /* SEEK_??? */");
        assert_eq!(getrandom_flags(3), "GRND_NONBLOCK|GRND_RANDOM");
        assert_eq!(getrandom_flags(0), "0");
        assert_eq!(sa_flags(0x1400_0004), "SA_RESTORER|SA_RESTART|SA_SIGINFO");
        assert_eq!(sigprocmask_how(7), "0x7 /* SIG_??? */");
        assert_eq!(fd(-100i64 as u64), "AT_FDCWD");
        assert_eq!(fd(0xffff_ff9c), "AT_FDCWD");
        assert_eq!(fd(3), "3");
        assert_eq!(fd(u64::MAX), "-1");
        assert_eq!(fd_flags(1), "FD_CLOEXEC");
        assert_eq!(fd_flags(5), "5");
        assert_eq!(fcntl_cmd(1030), "F_DUPFD_CLOEXEC");
        assert_eq!(fcntl_cmd(1031), "0x407 /* F_??? */");
        assert_eq!(timer_flags(1), "TIMER_ABSTIME");
        assert_eq!(timer_flags(0), "0");
        assert_eq!(path_flags(0x1100), "AT_SYMLINK_NOFOLLOW|AT_EMPTY_PATH");
        assert_eq!(path_flags(0), "0");
        assert_eq!(path_flags(0x801), "AT_NO_AUTOMOUNT|0x1");
        assert_eq!(ioctl_request(0x5401), "TCGETS");
        assert_eq!(ioctl_request(0x540f), "TIOCGPGRP");
        assert_eq!(ioctl_request(0x1234), "0x1234");
        assert_eq!(rlimit_resource(15), "RLIMIT_RTTIME");
        assert_eq!(rlimit_resource(16), "0x10 /* RLIMIT_??? */");
        assert_eq!(clock_name(11), "CLOCK_TAI");
        assert_eq!(clock_name(10), "0xa /* CLOCK_??? */");
        assert_eq!(arch_prctl_code(0x1012), "ARCH_SET_CPUID");
        assert_eq!(
            wait_options(2 | 8 | 0x0100_0000),
            "WUNTRACED|WCONTINUED|WNOWAIT"
        );
        assert_eq!(wait_options(0x8000_0000 | (1 << 40)), "__WCLONE");
        assert_eq!(file_mode(0o060660), "S_IFBLK|0660");
        assert_eq!(file_mode(0o010600), "S_IFIFO|0600");
        assert_eq!(file_mode(0o644), "0644");
        assert_eq!(file_mode(0o100000), "S_IFREG|000");
        assert!(is_device(0o020620) && is_device(0o060660));
        assert!(!is_device(0o100644) && !is_device(0o010600));
    }

    /// pipe2's flags and poll's events as strace 6.1 printed them.
    #[test]
    fn pipe_and_poll_flags() {
        assert_eq!(pipe_flags(0), "0");
        assert_eq!(pipe_flags(0o4000 | 0o2000000), "O_NONBLOCK|O_CLOEXEC");
        assert_eq!(
            pipe_flags(0o4000 | 0o40000 | 0o2000000),
            "O_NONBLOCK|O_DIRECT|O_CLOEXEC"
        );
        assert_eq!(pipe_flags(0x10), "0x10 /* O_??? */");
        assert_eq!(pipe_flags(0x1), "0x1 /* O_??? */");
        assert_eq!(pipe_flags(0x8000_0000), "0x80000000 /* O_??? */");
        assert_eq!(pipe_flags(0o2000000 | 0x10), "O_CLOEXEC|0x10");
        assert_eq!(pipe_flags(0o200), "O_EXCL");
        // An `int`: the kernel never sees the high half.
        assert_eq!(pipe_flags((1 << 32) | 0o2000000), "O_CLOEXEC");
        assert_eq!(poll_events(0), "0");
        assert_eq!(poll_events(1 | 2), "POLLIN|POLLPRI");
        assert_eq!(poll_events(0x1000 | 0x4000), "POLLREMOVE|0x4000");
        assert_eq!(poll_events(0x4000), "0x4000 /* POLL??? */");
        assert_eq!(poll_events(4 | 0x4000), "POLLOUT|0x4000");
        assert_eq!(
            poll_events(-1),
            "POLLIN|POLLPRI|POLLOUT|POLLERR|POLLHUP|POLLNVAL|POLLRDNORM|POLLRDBAND|POLLWRNORM|POLLWRBAND|POLLMSG|POLLREMOVE|POLLRDHUP|POLL_BUSY_LOOP|0x4800"
        );
        assert_eq!(poll_revents(4 | 8 | 0x100), "POLLOUT|POLLERR|POLLWRNORM");
        assert_eq!(poll_revents(0x20), "POLLNVAL");
        assert_eq!(ioctl_request(0x541b), "FIONREAD");
        // epoll's, as strace 6.1 printed them.
        assert_eq!(epoll_events(0), "0");
        assert_eq!(epoll_events(1 | (1 << 31)), "EPOLLIN|EPOLLET");
        assert_eq!(
            epoll_events(4 | (1 << 30) | 0x100_0000),
            "EPOLLOUT|EPOLLONESHOT|0x1000000"
        );
        assert_eq!(epoll_events(0x100_0000), "0x1000000 /* EPOLL??? */");
        assert_eq!(epoll_op(1), "EPOLL_CTL_ADD");
        assert_eq!(epoll_op(2), "EPOLL_CTL_DEL");
        assert_eq!(epoll_op((1 << 32) | 3), "EPOLL_CTL_MOD");
        assert_eq!(epoll_op(9), "0x9 /* EPOLL_CTL_??? */");
        assert_eq!(epoll_create_flags(0), "0");
        assert_eq!(epoll_create_flags(0o2000000), "EPOLL_CLOEXEC");
        assert_eq!(epoll_create_flags(0x1_0008_0000), "EPOLL_CLOEXEC");
        assert_eq!(epoll_create_flags(1), "0x1 /* EPOLL_??? */");
        assert_eq!(epoll_create_flags(0o2000001), "EPOLL_CLOEXEC|0x1");
        assert_eq!(ioctl_request(0x5421), "FIONBIO");
    }

    /// The file calls' flag sets, each as strace 6.1 printed it natively.
    #[test]
    fn file_flag_sets() {
        let all_open = 0xffff_ffff & !3;
        assert_eq!(
            open_flags(all_open),
            "O_RDONLY|O_CREAT|O_EXCL|O_NOCTTY|O_TRUNC|O_APPEND|O_NONBLOCK|O_SYNC|O_DIRECT|O_LARGEFILE|O_NOFOLLOW|O_NOATIME|O_CLOEXEC|O_PATH|O_TMPFILE|FASYNC|0xff80003c"
        );
        assert_eq!(
            open_flags(all_open & !0o4000000),
            "O_RDONLY|O_CREAT|O_EXCL|O_NOCTTY|O_TRUNC|O_APPEND|O_NONBLOCK|O_DSYNC|O_DIRECT|O_LARGEFILE|O_NOFOLLOW|O_NOATIME|O_CLOEXEC|O_PATH|O_TMPFILE|FASYNC|0xff80003c"
        );
        assert_eq!(
            open_flags(all_open & !0o20000000),
            "O_RDONLY|O_CREAT|O_EXCL|O_NOCTTY|O_TRUNC|O_APPEND|O_NONBLOCK|O_SYNC|O_DIRECT|O_LARGEFILE|O_NOFOLLOW|O_NOATIME|O_CLOEXEC|O_PATH|O_DIRECTORY|FASYNC|0xff80003c"
        );
        assert_eq!(open_flags(0o100000), "O_RDONLY|O_LARGEFILE");
        assert_eq!(open_flags(0o4200000), "O_RDONLY|__O_SYNC|O_DIRECTORY");
        assert_eq!(open_flags(0o20200001), "O_WRONLY|O_TMPFILE");
        assert_eq!(open_flags(0o20000102), "O_RDWR|O_CREAT|__O_TMPFILE");
        assert_eq!(open_flags(0o1012002), "O_RDWR|O_APPEND|O_DSYNC|O_NOATIME");
        assert_eq!(
            open_flags(0o400 | 0o4000 | 0o40000 | 0o20000),
            "O_RDONLY|O_NOCTTY|O_NONBLOCK|O_DIRECT|FASYNC"
        );
        assert_eq!(
            open_flags(0o400000 | 0o10000000 | 0o200000),
            "O_RDONLY|O_NOFOLLOW|O_PATH|O_DIRECTORY"
        );
        assert_eq!(open_flags(0x5000_0000), "O_RDONLY|0x50000000");
        assert_eq!(open_flags(3 | 0x10), "O_ACCMODE|0x10");
        assert!(open_has_mode(0o100) && open_has_mode(0o20000000));
        assert!(!open_has_mode(0o200000) && !open_has_mode(0o2000000));
        assert_eq!(mode(0x1_0000 | 0o644), "0644");
        assert_eq!(mode(0xffff_ffff), "0177777");
        assert_eq!(mode(0), "000");
        assert_eq!(pipe_flags(0o2000000), "O_CLOEXEC");
        assert_eq!(pipe_flags(0), "0");
        // unlinkat's, linkat's, newfstatat's, fchownat's and utimensat's.
        assert_eq!(
            path_flags(0xffff),
            "AT_SYMLINK_NOFOLLOW|AT_REMOVEDIR|AT_SYMLINK_FOLLOW|AT_NO_AUTOMOUNT|AT_EMPTY_PATH|AT_RECURSIVE|0x60ff"
        );
        assert_eq!(
            path_flags(0xffff_ffff),
            "AT_SYMLINK_NOFOLLOW|AT_REMOVEDIR|AT_SYMLINK_FOLLOW|AT_NO_AUTOMOUNT|AT_EMPTY_PATH|AT_RECURSIVE|0xffff60ff"
        );
        assert_eq!(path_flags(0x200), "AT_REMOVEDIR");
        assert_eq!(path_flags(0x1), "0x1 /* AT_??? */");
        assert_eq!(path_flags(0x800_0000), "0x8000000 /* AT_??? */");
        assert_eq!(path_flags(0x1000 | 0x800_0000), "AT_EMPTY_PATH|0x8000000");
        assert_eq!(path_flags(0x1_0000), "0x10000 /* AT_??? */");
        assert_eq!(
            faccessat_flags(0xffff),
            "AT_SYMLINK_NOFOLLOW|AT_EACCESS|AT_EMPTY_PATH|0xecff"
        );
        assert_eq!(faccessat_flags(0x300), "AT_SYMLINK_NOFOLLOW|AT_EACCESS");
        assert_eq!(faccessat_flags(0), "0");
        assert_eq!(access_mode(6), "R_OK|W_OK");
        assert_eq!(access_mode(0), "F_OK");
        assert_eq!(access_mode(1 | 0x10), "X_OK|0x10");
        assert_eq!(access_mode(0x10), "0x10 /* ?_OK */");
        assert_eq!(access_mode(0xffff_ffff), "R_OK|W_OK|X_OK|0xfffffff8");
        assert_eq!(access_mode((1 << 32) | 2), "W_OK");
        assert_eq!(rename_flags(1), "RENAME_NOREPLACE");
        assert_eq!(rename_flags(0), "0");
        assert_eq!(rename_flags(0x10), "0x10 /* RENAME_?? */");
        assert_eq!(rename_flags(4 | 0x10), "RENAME_WHITEOUT|0x10");
        assert_eq!(
            rename_flags(0xffff_ffff),
            "RENAME_NOREPLACE|RENAME_EXCHANGE|RENAME_WHITEOUT|0xfffffff8"
        );
        assert_eq!(rename_flags((1 << 32) | 1), "RENAME_NOREPLACE");
        assert_eq!(close_range_flags(0), "0");
        assert_eq!(close_range_flags(4), "CLOSE_RANGE_CLOEXEC");
        assert_eq!(
            close_range_flags(6),
            "CLOSE_RANGE_UNSHARE|CLOSE_RANGE_CLOEXEC"
        );
        assert_eq!(close_range_flags(1), "0x1 /* CLOSE_RANGE_??? */");
        assert_eq!(
            close_range_flags((1 << 32) | 0xff),
            "CLOSE_RANGE_UNSHARE|CLOSE_RANGE_CLOEXEC|0xf9"
        );
        assert_eq!(whence(0), "SEEK_SET");
        assert_eq!(whence(7), "0x7 /* SEEK_??? */");
        assert_eq!(uid(u64::MAX), "-1");
        assert_eq!(uid(0xffff_ffff), "-1");
        assert_eq!(uid(0xffff_fffe), "4294967294");
        assert_eq!(uid((1 << 32) | 7), "7");
        assert_eq!(uid(0xffff), "65535");
    }

    /// statx's and statfs's flags and masks, as strace 6.1 printed them.
    #[test]
    fn statx_and_statfs_flags() {
        assert_eq!(statx_flags(0), "AT_STATX_SYNC_AS_STAT");
        assert_eq!(
            statx_flags(0x2000 | 0x100),
            "AT_STATX_FORCE_SYNC|AT_SYMLINK_NOFOLLOW"
        );
        assert_eq!(
            statx_flags(0x4000 | 0x1000),
            "AT_STATX_DONT_SYNC|AT_EMPTY_PATH"
        );
        assert_eq!(
            statx_flags(0x6000),
            "AT_STATX_FORCE_SYNC|AT_STATX_DONT_SYNC"
        );
        assert_eq!(statx_flags(1), "AT_STATX_SYNC_AS_STAT|0x1");
        assert_eq!(statx_flags(0x2001), "AT_STATX_FORCE_SYNC|0x1");
        assert_eq!(statx_flags(1 << 32), "AT_STATX_SYNC_AS_STAT");
        assert_eq!(
            statx_flags(0xffff),
            "AT_STATX_FORCE_SYNC|AT_STATX_DONT_SYNC|AT_SYMLINK_NOFOLLOW|AT_REMOVEDIR|AT_SYMLINK_FOLLOW|AT_NO_AUTOMOUNT|AT_EMPTY_PATH|AT_RECURSIVE|0xff"
        );
        assert_eq!(statx_mask(0xfff), "STATX_ALL");
        assert_eq!(statx_mask(0x1fff), "STATX_ALL|STATX_MNT_ID");
        assert_eq!(statx_mask(0x17ff), "STATX_BASIC_STATS|STATX_MNT_ID");
        assert_eq!(statx_mask(0x7ff), "STATX_BASIC_STATS");
        assert_eq!(statx_mask(0x201), "STATX_TYPE|STATX_SIZE");
        assert_eq!(
            statx_mask(0x173f),
            "STATX_TYPE|STATX_MODE|STATX_NLINK|STATX_UID|STATX_GID|STATX_ATIME|STATX_INO|STATX_SIZE|STATX_BLOCKS|STATX_MNT_ID"
        );
        assert_eq!(
            statx_mask(0x7fff_ffff),
            "STATX_ALL|STATX_MNT_ID|STATX_DIOALIGN|0x7fffc000"
        );
        assert_eq!(statx_mask(0x8000_0000), "0x80000000 /* STATX_??? */");
        assert_eq!(statx_mask(0x4000_0002), "STATX_MODE|0x40000000");
        assert_eq!(statx_mask((1 << 32) | 1), "STATX_TYPE");
        assert_eq!(statx_mask(0), "0");
        assert_eq!(statx_attrs(0), "0");
        assert_eq!(statx_attrs(0x2000), "STATX_ATTR_MOUNT_ROOT");
        assert_eq!(
            statx_attrs(0x10 | 0x20),
            "STATX_ATTR_IMMUTABLE|STATX_ATTR_APPEND"
        );
        assert_eq!(statx_attrs(1), "0x1 /* STATX_ATTR_??? */");
        assert_eq!(statfs_flags(0x1020), "ST_VALID|ST_RELATIME");
        assert_eq!(statfs_flags(0x21), "ST_VALID|ST_RDONLY");
        assert_eq!(statfs_flags(0x20 | 0x8000), "ST_VALID|0x8000");
        assert_eq!(fs_magic(0x0102_1994), "TMPFS_MAGIC");
        assert_eq!(fs_magic(0x9fa0), "PROC_SUPER_MAGIC");
        assert_eq!(fs_magic(0x6265_6572), "SYSFS_MAGIC");
        assert_eq!(fs_magic(0x1234), "0x1234");
    }

    /// The ST_* values that are not in `linux-raw-sys`, against the C
    /// library's (which has all but ST_VALID and ST_NOSYMFOLLOW, 0x20 and
    /// 0x2000 in Linux's include/linux/statfs.h).
    #[test]
    fn statfs_flags_match_the_c_library() {
        let host = [
            (fs::ST_RDONLY, libc::ST_RDONLY),
            (fs::ST_NOSUID, libc::ST_NOSUID),
            (fs::ST_NODEV, libc::ST_NODEV),
            (fs::ST_NOEXEC, libc::ST_NOEXEC),
            (fs::ST_SYNCHRONOUS, libc::ST_SYNCHRONOUS),
            (fs::ST_MANDLOCK, libc::ST_MANDLOCK),
            (fs::ST_NOATIME, libc::ST_NOATIME),
            (fs::ST_NODIRATIME, libc::ST_NODIRATIME),
            (fs::ST_RELATIME, libc::ST_RELATIME),
        ];
        for (ours, theirs) in host {
            assert_eq!(ours, theirs);
        }
        let all: u64 = fs::STATFS_FLAGS.iter().map(|r| r.0).sum();
        assert_eq!(all, 0x3c7f, "each flag once, one bit each");
    }

    /// `st_mode` with the set-id and sticky bits named, as strace 6.1
    /// printed them.
    #[test]
    fn set_id_modes() {
        assert_eq!(file_mode(0o107755), "S_IFREG|S_ISUID|S_ISGID|S_ISVTX|0755");
        assert_eq!(file_mode(0o41777), "S_IFDIR|S_ISVTX|0777");
        assert_eq!(file_mode(0o4755), "S_ISUID|0755");
        assert_eq!(file_mode(0o120777), "S_IFLNK|0777");
        assert_eq!(file_mode(0o170644), "0170644");
    }

    /// Dates in utimensat's comments, each as strace 6.1 printed it (TZ=UTC)
    /// for the same time, or None where it printed no comment.
    #[test]
    fn dates() {
        let cases: &[(i64, u64, Option<&str>)] = &[
            (1_700_000_000, 0, Some("2023-11-14T22:13:20+0000")),
            (
                1_700_000_001,
                500,
                Some("2023-11-14T22:13:21.000000500+0000"),
            ),
            (-1, 0, Some("1969-12-31T23:59:59+0000")),
            (0, 0, None),
            (0, 5, Some("1970-01-01T00:00:00.000000005+0000")),
            (1, 0, Some("1970-01-01T00:00:01+0000")),
            (5, u64::MAX, None),
            (1, 1_000_000_000, None),
            (i64::MAX, 999_999_999, None),
            (
                67_767_976_233_316_800,
                0,
                Some("2147483647-12-29T12:00:00+0000"),
            ),
            (
                67_767_976_233_532_799,
                0,
                Some("2147483647-12-31T23:59:59+0000"),
            ),
            // tm_year holds it, strftime's year (tm_year + 1900) wraps.
            (
                67_768_036_191_676_799,
                0,
                Some("-2147481749-12-31T23:59:59+0000"),
            ),
            (67_768_036_191_676_800, 0, None),
            (
                -67_768_040_609_740_800,
                0,
                Some("-2147481748-01-01T00:00:00+0000"),
            ),
            (-67_768_040_609_740_801, 0, None),
            (-62_167_219_200, 0, Some("0-01-01T00:00:00+0000")),
            (-62_167_219_201, 0, Some("-1-12-31T23:59:59+0000")),
            (-62_293_363_200, 0, Some("-4-01-02T00:00:00+0000")),
            (-62_009_366_400, 0, Some("5-01-01T00:00:00+0000")),
            (-30_610_224_000, 0, Some("1000-01-01T00:00:00+0000")),
            (253_402_300_799, 0, Some("9999-12-31T23:59:59+0000")),
            (253_402_300_800, 0, Some("10000-01-01T00:00:00+0000")),
            (-1_000_000_000_000, 0, Some("-29719-04-05T22:13:20+0000")),
            (
                951_782_400,
                999_999_999,
                Some("2000-02-29T00:00:00.999999999+0000"),
            ),
            (
                1_709_210_096,
                123,
                Some("2024-02-29T12:34:56.000000123+0000"),
            ),
            (86_399, 0, Some("1970-01-01T23:59:59+0000")),
            (86_400, 1, Some("1970-01-02T00:00:00.000000001+0000")),
        ];
        for &(sec, nsec, want) in cases {
            assert_eq!(date(sec, nsec).as_deref(), want, "{sec} {nsec}");
        }
    }
}
