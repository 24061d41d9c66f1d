/* /proc and /sys as programs and C libraries read them: status (the ids,
 * the Vm lines, the thread count, the signal sets of the process and of
 * each thread), stat's 52 fields, statm, cmdline (setproctitle's case
 * too), environ, maps (the program, the heap, the stack, file and
 * anonymous shared mappings, deleted files), task/ and the thread
 * directories, the self and thread-self links, fd/, limits, mounts,
 * filesystems, meminfo, cpuinfo, stat, uptime, loadavg, version,
 * /proc/sys/kernel, /sys/devices/system/cpu, and what a process's
 * directory says while it is alive, a zombie and gone. Built with glibc
 * it also checks what glibc reads there: pthread_getattr_np's main stack
 * (maps), get_nprocs and sysconf's processor counts (/sys), getmntent
 * (/proc/mounts), realpath through /proc/self/exe.
 *
 * Every line is a fact Linux gives the same on every machine and run:
 * relations (equal to getpid, inside [stack], matches getrlimit), exact
 * signal-set words, counts, formats. Never pids, addresses, sizes or
 * anything of the host (its pid_max, CPUs, memory, mounts beyond /proc).
 * Run natively that is the reference for the guest.
 *
 * `procfs --cat FILE...` prints the files instead, for checks of the
 * guest's own values.
 *
 * Run with arguments "alpha" "beta gamma" and FOO=bar in the environment
 * (tests/procfs.rs). Exits 0 when it ran to the end. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifndef __GUEST_LIBC
#include <limits.h>
#include <mntent.h>
#include <sys/sysinfo.h>
#endif

extern char **environ;

#define CASE(name, ...)          \
    do {                         \
        printf("%s: ", name);    \
        printf(__VA_ARGS__);     \
        printf("\n");            \
        fflush(stdout);          \
    } while (0)

static const char *yes(int b)
{
    return b ? "yes" : "no";
}

/* `s` cut at its first newline. */
static char *first_line(char *s)
{
    char *nl = strchr(s, '\n');
    if (nl)
        *nl = 0;
    return s;
}

static const char *errname(int e)
{
    switch (e) {
    case 0: return "0";
    case ENOENT: return "ENOENT";
    case ESRCH: return "ESRCH";
    case EINVAL: return "EINVAL";
    case ENOTDIR: return "ENOTDIR";
    case EACCES: return "EACCES";
    case EBADF: return "EBADF";
    case EROFS: return "EROFS";
    case EISDIR: return "EISDIR";
    default: return "other";
    }
}

/* ---- reading files without allocating (so the memory counters stay put
 * between two reads) ---- */

#define BUF 262144
static char bufs[4][BUF];

/* The file's bytes, NUL-terminated, in one of the static buffers; the
 * length, or -errno. */
static long slurp_in(const char *path, char *b)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -errno;
    long n = 0;
    for (;;) {
        ssize_t r = read(fd, b + n, BUF - 1 - n);
        if (r < 0) {
            int e = errno;
            close(fd);
            return -e;
        }
        if (r == 0)
            break;
        n += r;
        if (n >= BUF - 1)
            break;
    }
    close(fd);
    b[n] = 0;
    return n;
}

static long slurp(int which, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static long slurp(int which, const char *fmt, ...)
{
    char path[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(path, sizeof path, fmt, ap);
    va_end(ap);
    return slurp_in(path, bufs[which]);
}

/* The value after "key:" on the line that starts with it (leading tabs and
 * spaces skipped), or NULL. */
static const char *field(const char *text, const char *key)
{
    size_t k = strlen(key);
    const char *p = text;
    while (p && *p) {
        if (strncmp(p, key, k) == 0 && p[k] == ':') {
            p += k + 1;
            while (*p == '\t' || *p == ' ')
                p++;
            return p;
        }
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    return NULL;
}

/* The number after "key " on the line that starts with it (/proc/stat's
 * form), or -1. */
static long word_num(const char *text, const char *key)
{
    size_t k = strlen(key);
    for (const char *p = text; p && *p;) {
        if (!strncmp(p, key, k) && p[k] == ' ')
            return strtol(p + k + 1, NULL, 10);
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    return -1;
}

static long num(const char *text, const char *key)
{
    const char *v = field(text, key);
    return v ? strtol(v, NULL, 10) : -1;
}

static unsigned long long hex(const char *text, const char *key)
{
    const char *v = field(text, key);
    return v ? strtoull(v, NULL, 16) : ~0ULL;
}

/* The value of "key:" up to the end of its line, in a rotating buffer. */
static const char *line_of(const char *text, const char *key)
{
    static char out[8][256];
    static int n;
    char *o = out[n++ & 7];
    const char *v = field(text, key);
    if (!v)
        return "(none)";
    size_t i = 0;
    while (v[i] && v[i] != '\n' && i < 255) {
        o[i] = v[i];
        i++;
    }
    o[i] = 0;
    return o;
}

/* Field `n` (1-based) of a stat line, as text up to the next space; the
 * comm field (2) is taken between the first '(' and the last ')'. */
static const char *stat_field(const char *s, int n, char *out, size_t cap)
{
    const char *open = strchr(s, '(');
    const char *close = strrchr(s, ')');
    out[0] = 0;
    if (!open || !close)
        return out;
    if (n == 2) {
        size_t len = close - open - 1;
        if (len >= cap)
            len = cap - 1;
        memcpy(out, open + 1, len);
        out[len] = 0;
        return out;
    }
    const char *p;
    int at;
    if (n == 1) {
        p = s;
        at = 1;
    } else {
        p = close + 2;
        at = 3;
    }
    while (at < n && *p) {
        p = strchr(p, ' ');
        if (!p)
            return out;
        p++;
        at++;
    }
    size_t len = strcspn(p, " \n");
    if (len >= cap)
        len = cap - 1;
    memcpy(out, p, len);
    out[len] = 0;
    return out;
}

static long stat_num(const char *s, int n)
{
    char f[64];
    return strtol(stat_field(s, n, f, sizeof f), NULL, 10);
}

static unsigned long stat_unum(const char *s, int n)
{
    char f[64];
    return strtoul(stat_field(s, n, f, sizeof f), NULL, 10);
}

/* Fields of a stat line after the comm, plus the two before. */
static int stat_count(const char *s)
{
    const char *close = strrchr(s, ')');
    if (!close)
        return 0;
    int n = 2;
    const char *p = close + 1;
    while (*p && *p != '\n') {
        while (*p == ' ')
            p++;
        if (!*p || *p == '\n')
            break;
        n++;
        while (*p && *p != ' ' && *p != '\n')
            p++;
    }
    return n;
}

static char stat_state(const char *s)
{
    char f[8];
    return stat_field(s, 3, f, sizeof f)[0];
}

static int link_is(const char *path, const char *want)
{
    char b[512];
    ssize_t n = readlink(path, b, sizeof b - 1);
    if (n < 0)
        return 0;
    b[n] = 0;
    return strcmp(b, want) == 0;
}

static void nap(void)
{
    struct timespec ts = {0, 1000000};
    nanosleep(&ts, NULL);
}

/* Waits (bounded) for stat of `path` to show `state`; the state seen. */
static char wait_state(const char *path, char state)
{
    char seen = '?';
    for (int i = 0; i < 5000; i++) {
        if (slurp_in(path, bufs[3]) > 0) {
            seen = stat_state(bufs[3]);
            if (seen == state)
                break;
        }
        nap();
    }
    return seen;
}

/* ---- status ---- */

/* The keys Linux 6.1 and later print, in their order (later releases add
 * others in between, which the check skips). */
static const char *const STATUS_KEYS[] = {
    "Name", "Umask", "State", "Tgid", "Ngid", "Pid", "PPid", "TracerPid", "Uid", "Gid",
    "FDSize", "Groups", "NStgid", "NSpid", "NSpgid", "NSsid", "VmPeak", "VmSize", "VmLck",
    "VmPin", "VmHWM", "VmRSS", "RssAnon", "RssFile", "RssShmem", "VmData", "VmStk", "VmExe",
    "VmLib", "VmPTE", "VmSwap", "HugetlbPages", "CoreDumping", "THP_enabled", "Threads",
    "SigQ", "SigPnd", "ShdPnd", "SigBlk", "SigIgn", "SigCgt", "CapInh", "CapPrm", "CapEff",
    "CapBnd", "CapAmb", "NoNewPrivs", "Seccomp", "Speculation_Store_Bypass",
    "SpeculationIndirectBranch", "Cpus_allowed", "Cpus_allowed_list", "Mems_allowed",
    "Mems_allowed_list", "voluntary_ctxt_switches", "nonvoluntary_ctxt_switches",
};

static int keys_in_order(const char *text)
{
    const char *p = text;
    size_t n = sizeof STATUS_KEYS / sizeof STATUS_KEYS[0];
    for (size_t i = 0; i < n; i++) {
        size_t k = strlen(STATUS_KEYS[i]);
        for (;;) {
            if (!*p)
                return 0;
            int hit = strncmp(p, STATUS_KEYS[i], k) == 0 && p[k] == ':' && p[k + 1] == '\t';
            const char *nl = strchr(p, '\n');
            p = nl ? nl + 1 : p + strlen(p);
            if (hit)
                break;
        }
    }
    return 1;
}

/* Every line is "Key:\tvalue" (value possibly empty). */
static int all_lines_keyed(const char *text)
{
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        if (!nl)
            return 0;
        const char *c = memchr(p, ':', nl - p);
        if (!c || c == p || c[1] != '\t')
            return 0;
        p = nl + 1;
    }
    return 1;
}

/* The memory lines are "%8lu kB". */
static int vm_format(const char *text)
{
    static const char *const keys[] = {"VmPeak", "VmSize", "VmLck", "VmPin", "VmHWM",
                                       "VmRSS", "RssAnon", "RssFile", "RssShmem", "VmData",
                                       "VmStk", "VmExe", "VmLib", "VmPTE", "VmSwap"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        size_t k = strlen(keys[i]);
        const char *p = strstr(text, keys[i]);
        if (!p || p[k] != ':' || p[k + 1] != '\t')
            return 0;
        const char *v = p + k + 2;
        const char *end = strstr(v, " kB\n");
        if (!end || end - v < 8 || memchr(v, '\n', end - v))
            return 0;
        if (v[end - v - 1] < '0' || v[end - v - 1] > '9')
            return 0;
    }
    return 1;
}

static int sigset_format(const char *text, const char *key)
{
    const char *v = field(text, key);
    if (!v)
        return 0;
    for (int i = 0; i < 16; i++)
        if (!((v[i] >= '0' && v[i] <= '9') || (v[i] >= 'a' && v[i] <= 'f')))
            return 0;
    return v[16] == '\n';
}

static void case_status(void)
{
    long n = slurp(0, "/proc/self/status");
    const char *s = bufs[0];
    CASE("status-read", "ok %s", yes(n > 0));
    CASE("status-format", "keyed lines %s, Linux keys in order %s", yes(all_lines_keyed(s)),
         yes(keys_in_order(s)));
    CASE("status-ids", "Name=%s State=%s Umask=%s Tgid==getpid %s Pid==gettid %s PPid==getppid %s",
         line_of(s, "Name"), line_of(s, "State"), line_of(s, "Umask"),
         yes(num(s, "Tgid") == getpid()), yes(num(s, "Pid") == gettid()),
         yes(num(s, "PPid") == getppid()));
    CASE("status-ns", "NStgid==getpid %s NSpid==gettid %s", yes(num(s, "NStgid") == getpid()),
         yes(num(s, "NSpid") == gettid()));
    long size = num(s, "VmSize"), peak = num(s, "VmPeak"), rss = num(s, "VmRSS");
    long parts = num(s, "RssAnon") + num(s, "RssFile") + num(s, "RssShmem");
    CASE("status-vm", "format %s VmSize>0 %s VmPeak>=VmSize %s VmRSS>0 %s VmRSS=sum of Rss* %s "
         "VmHWM>=VmRSS %s VmStk>0 %s VmExe>0 %s",
         yes(vm_format(s)), yes(size > 0), yes(peak >= size), yes(rss > 0), yes(rss == parts),
         yes(num(s, "VmHWM") >= rss), yes(num(s, "VmStk") > 0), yes(num(s, "VmExe") > 0));
    const char *q = field(s, "SigQ");
    CASE("status-sig", "Threads=%ld SigQ has a slash %s sets are 16 hex digits %s",
         num(s, "Threads"), yes(q && strchr(q, '/') && strchr(q, '/') < strchr(q, '\n')),
         yes(sigset_format(s, "SigPnd") && sigset_format(s, "ShdPnd") &&
            sigset_format(s, "SigBlk") && sigset_format(s, "SigIgn") &&
            sigset_format(s, "SigCgt") && sigset_format(s, "CapInh") &&
            sigset_format(s, "CapEff")));
    unsigned long long ign = hex(s, "SigIgn"), cgt = hex(s, "SigCgt");
    CASE("status-handlers", "SigIgn has SIGHUP %s SigCgt has SIGWINCH %s SigCgt has SIGHUP %s",
         yes(ign & (1ULL << (SIGHUP - 1))), yes(cgt & (1ULL << (SIGWINCH - 1))),
         yes(cgt & (1ULL << (SIGHUP - 1))));
    CASE("status-misc", "NoNewPrivs %s Seccomp %s ctxt lines %s",
         yes(field(s, "NoNewPrivs") != NULL), yes(field(s, "Seccomp") != NULL),
         yes(field(s, "voluntary_ctxt_switches") && field(s, "nonvoluntary_ctxt_switches")));
}

/* ---- stat, statm ---- */

static void case_stat(char **argv)
{
    slurp(0, "/proc/self/stat");
    slurp(1, "/proc/self/status");
    slurp(2, "/proc/self/statm");
    const char *st = bufs[0], *status = bufs[1], *sm = bufs[2];
    char comm[64];
    CASE("stat-line", "fields %d pid==getpid %s comm=(%s) state=%c ppid==getppid %s one line %s",
         stat_count(st), yes(stat_num(st, 1) == getpid()), stat_field(st, 2, comm, sizeof comm),
         stat_state(st), yes(stat_num(st, 4) == getppid()),
         yes(strchr(st, '\n') == st + strlen(st) - 1));
    CASE("stat-counts", "num_threads=%ld vsize==VmSize %s rss>0 %s itrealvalue=%ld exit_code=%ld",
         stat_num(st, 20), yes(stat_unum(st, 23) == (unsigned long)num(status, "VmSize") * 1024),
         yes(stat_num(st, 24) > 0), stat_num(st, 21), stat_num(st, 52));
    CASE("stat-layout",
         "start_stack==&argc %s arg_start==argv[0] %s env_start==arg_end %s "
         "env_start==environ[0] %s start_brk>0 %s",
         yes(stat_unum(st, 28) == (unsigned long)(argv - 1)),
         yes(stat_unum(st, 48) == (unsigned long)argv[0]),
         yes(stat_unum(st, 50) == stat_unum(st, 49)),
         yes(environ[0] && stat_unum(st, 50) == (unsigned long)environ[0]),
         yes(stat_unum(st, 47) > 0));
    unsigned long v[7] = {0};
    int fields = 0;
    const char *p = sm;
    while (fields < 7 && *p && *p != '\n') {
        char *end;
        v[fields++] = strtoul(p, &end, 10);
        p = end;
        while (*p == ' ')
            p++;
    }
    CASE("statm", "fields %d size==VmSize %s resident==VmRSS %s lib=%lu dt=%lu", fields,
         yes(v[0] * 4 == (unsigned long)num(status, "VmSize")),
         yes(v[1] * 4 == (unsigned long)num(status, "VmRSS")), v[4], v[6]);
}

/* ---- cmdline, environ ---- */

static void case_cmdline(int argc, char **argv)
{
    long n = slurp(0, "/proc/self/cmdline");
    char want[4096];
    long w = 0;
    for (int i = 0; i < argc && w < (long)sizeof want - 256; i++) {
        size_t l = strlen(argv[i]) + 1;
        memcpy(want + w, argv[i], l);
        w += l;
    }
    int strings = 0;
    for (long i = 0; i < n; i++)
        strings += bufs[0][i] == 0;
    CASE("cmdline", "argv matches %s strings %d argc %d", yes(n == w && !memcmp(bufs[0], want, w)),
         strings, argc);
    n = slurp(0, "/proc/self/environ");
    w = 0;
    int envc = 0;
    for (char **e = environ; *e && w < (long)sizeof want - 256; e++, envc++) {
        size_t l = strlen(*e) + 1;
        memcpy(want + w, *e, l);
        w += l;
    }
    int foo = 0;
    for (long i = 0; i < n; i += strlen(bufs[0] + i) + 1)
        foo |= strcmp(bufs[0] + i, "FOO=bar") == 0;
    CASE("environ", "matches environ %s has FOO=bar %s", yes(n == w && !memcmp(bufs[0], want, w)),
         yes(foo));
}

/* setproctitle's way: the argument strings overwritten to their last byte
 * (no NUL at arg_end - 1). Linux then reads one string from the start,
 * into the environment, up to its NUL. */
static void case_proctitle(int argc, char **argv)
{
    char *start = argv[0];
    char *end = argv[argc - 1] + strlen(argv[argc - 1]) + 1;
    size_t area = end - start;
    memset(start, 'x', area);
    long n = slurp(0, "/proc/self/cmdline");
    int ok = n == (long)(area + strlen(environ[0]) + 1);
    for (size_t i = 0; ok && i < area; i++)
        ok = bufs[0][i] == 'x';
    ok = ok && strcmp(bufs[0] + area, environ[0]) == 0;
    CASE("proctitle", "area and environ[0] %s", yes(ok));
    /* A NUL at the end again: the area alone. */
    start[area - 1] = 0;
    n = slurp(0, "/proc/self/cmdline");
    CASE("proctitle-restored", "area only %s", yes(n == (long)area));
}

/* ---- maps ---- */

struct map {
    unsigned long start, end, off, ino;
    unsigned maj, min;
    char perms[5];
    const char *name; /* into the buffer, up to the newline */
    size_t name_len;
    int name_col;
};

/* Parses one maps line at p; the next line, or NULL at the end or on a
 * malformed line (then *bad is set). */
static const char *parse_map(const char *p, struct map *m, int *bad)
{
    const char *line = p;
    char *e;
    if (!*p)
        return NULL;
    m->start = strtoul(p, &e, 16);
    if (*e != '-')
        goto fail;
    m->end = strtoul(e + 1, &e, 16);
    if (*e != ' ')
        goto fail;
    memcpy(m->perms, e + 1, 4);
    m->perms[4] = 0;
    if (e[5] != ' ')
        goto fail;
    m->off = strtoul(e + 6, &e, 16);
    if (*e != ' ')
        goto fail;
    m->maj = strtoul(e + 1, &e, 16);
    if (*e != ':')
        goto fail;
    m->min = strtoul(e + 1, &e, 16);
    if (*e != ' ')
        goto fail;
    m->ino = strtoul(e + 1, &e, 10);
    if (*e != ' ')
        goto fail;
    e++;
    while (*e == ' ')
        e++;
    const char *nl = strchr(e, '\n');
    if (!nl)
        goto fail;
    m->name = e;
    m->name_len = nl - e;
    m->name_col = e - line;
    return nl + 1;
fail:
    *bad = 1;
    return NULL;
}

static int name_is(const struct map *m, const char *s)
{
    return m->name_len == strlen(s) && !memcmp(m->name, s, m->name_len);
}

/* The mapping holding `addr` in the maps text `t`, if any. */
static int find_map(const char *t, unsigned long addr, struct map *out)
{
    int bad = 0;
    struct map m;
    for (const char *p = t; (p = parse_map(p, &m, &bad));)
        if (addr >= m.start && addr < m.end) {
            *out = m;
            return 1;
        }
    return 0;
}

static int data_var = 42;

static void case_maps(void)
{
    char exe[512];
    ssize_t el = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[el > 0 ? el : 0] = 0;
    char *heap = sbrk(8192);
    if (heap != (char *)-1)
        heap[0] = 1;
    char tmpl[] = "/tmp/procfs-XXXXXX";
    int fd = mkstemp(tmpl);
    if (fd < 0 || ftruncate(fd, 3 * 4096) < 0) {
        CASE("maps", "skipped: no temporary file");
        return;
    }
    char fdlink[64];
    snprintf(fdlink, sizeof fdlink, "/proc/self/fd/%d", fd);
    CASE("fd-link", "names the file %s", yes(link_is(fdlink, tmpl)));
    char *shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    char *priv = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 4096);
    char *anon_shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    char *anon = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    shared[0] = 1;
    anon_shared[0] = 1;
    anon[0] = 1;

    slurp(0, "/proc/self/maps");
    const char *t = bufs[0];
    int bad = 0, lines = 0, cols = 1, heap_seen = 0, stack_seen = 0;
    struct map m;
    for (const char *p = t; (p = parse_map(p, &m, &bad));) {
        lines++;
        if (m.name_len)
            cols &= m.name_col == 73;
        heap_seen |= name_is(&m, "[heap]");
        stack_seen |= name_is(&m, "[stack]");
    }
    CASE("maps-format", "lines parse %s names at column 73 %s", yes(!bad && lines > 0), yes(cols));
    int local = 0;
    struct map s, c, d, f;
    int in_stack = find_map(t, (unsigned long)&local, &s) && name_is(&s, "[stack]");
    CASE("maps-special", "has [heap] %s has [stack] %s local in [stack] %s stack perms %s",
         yes(heap_seen), yes(stack_seen), yes(in_stack), in_stack ? s.perms : "-");
    int code = find_map(t, (unsigned long)&case_maps, &c);
    int data = find_map(t, (unsigned long)&data_var, &d);
    CASE("maps-program", "code %s perms %s program path %s data perms %s data path %s",
         yes(code), code ? c.perms : "-", yes(code && name_is(&c, exe)), data ? d.perms : "-",
         yes(data && name_is(&d, exe)));
    int ok = find_map(t, (unsigned long)shared, &f);
    /* Only that there is an inode: on overlayfs maps shows the
     * underlying file's, stat the overlay's. */
    CASE("maps-file-shared", "found %s perms %s offset %lx path %s has an inode %s", yes(ok),
         ok ? f.perms : "-", ok ? f.off : 0, yes(ok && name_is(&f, tmpl)), yes(ok && f.ino != 0));
    ok = find_map(t, (unsigned long)priv, &f);
    CASE("maps-file-private", "found %s perms %s offset %lx path %s", yes(ok), ok ? f.perms : "-",
         ok ? f.off : 0, yes(ok && name_is(&f, tmpl)));
    ok = find_map(t, (unsigned long)anon_shared, &f);
    CASE("maps-anon-shared", "found %s perms %s name /dev/zero (deleted) %s", yes(ok),
         ok ? f.perms : "-", yes(ok && name_is(&f, "/dev/zero (deleted)")));
    ok = find_map(t, (unsigned long)anon, &f);
    CASE("maps-anon", "found %s perms %s offset %lx no name %s", yes(ok), ok ? f.perms : "-",
         ok ? f.off : 0, yes(ok && f.name_len == 0 && f.ino == 0));
    unlink(tmpl);
    slurp(0, "/proc/self/maps");
    char deleted[64];
    snprintf(deleted, sizeof deleted, "%s (deleted)", tmpl);
    ok = find_map(bufs[0], (unsigned long)shared, &f);
    CASE("maps-deleted", "path (deleted) %s", yes(ok && name_is(&f, deleted)));
    munmap(shared, 4096);
    munmap(priv, 4096);
    munmap(anon_shared, 4096);
    munmap(anon, 8192);
    close(fd);
}

/* ---- links and listings ---- */

static int list_has(const char *dir, const char *name, int type)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    struct dirent *e;
    int found = 0;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, name) == 0)
            found = type < 0 || e->d_type == type;
    closedir(d);
    return found;
}

/* The numeric names of a directory, up to `cap`; how many. */
static int list_nums(const char *dir, long *out, int cap)
{
    DIR *d = opendir(dir);
    if (!d)
        return -errno;
    struct dirent *e;
    int n = 0;
    while ((e = readdir(d)))
        if (e->d_name[0] >= '0' && e->d_name[0] <= '9' && n < cap)
            out[n++] = strtol(e->d_name, NULL, 10);
    closedir(d);
    return n;
}

static void case_links(void)
{
    char want[64], cwd[512];
    snprintf(want, sizeof want, "%d", getpid());
    CASE("self", "link to the pid %s", yes(link_is("/proc/self", want)));
    snprintf(want, sizeof want, "%d/task/%d", getpid(), gettid());
    CASE("thread-self", "link to pid/task/tid %s", yes(link_is("/proc/thread-self", want)));
    CASE("mounts-link", "link to self/mounts %s", yes(link_is("/proc/mounts", "self/mounts")));
    CASE("root-link", "is / %s", yes(link_is("/proc/self/root", "/")));
    CASE("cwd-link", "is getcwd %s", yes(getcwd(cwd, sizeof cwd) && link_is("/proc/self/cwd", cwd)));
    char exe[512];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[n > 0 ? n : 0] = 0;
    const char *base = strrchr(exe, '/');
    CASE("exe-link", "absolute %s basename %s", yes(exe[0] == '/'), base ? base + 1 : exe);
    slurp(0, "/proc/self/comm");
    CASE("comm", "%s", first_line(bufs[0]));
    /* A working directory inside /proc is named through the links. */
    char in_proc[512], in_sys[512], task_dir[128];
    snprintf(task_dir, sizeof task_dir, "/proc/self/task/%d", gettid());
    snprintf(want, sizeof want, "/proc/%d/task/%d", getpid(), gettid());
    int ok = chdir(task_dir) == 0 && getcwd(in_proc, sizeof in_proc) && !strcmp(in_proc, want);
    struct stat dotdot, task;
    ok = ok && stat("..", &dotdot) == 0 && stat("/proc/self/task", &task) == 0;
    int same = ok && dotdot.st_ino == task.st_ino && dotdot.st_dev == task.st_dev;
    int sys = chdir("/sys/devices/system/cpu") == 0 && getcwd(in_sys, sizeof in_sys) &&
              !strcmp(in_sys, "/sys/devices/system/cpu");
    CASE("cwd-in-proc", "thread dir %s its .. is task/ %s /sys dir %s", yes(ok), yes(same),
         yes(sys));
    if (chdir(cwd) < 0)
        CASE("cwd-in-proc", "cannot go back");
    static const char *const entries[] = {"cmdline", "comm",   "cwd",     "environ", "exe",
                                          "fd",      "limits", "maps",    "mounts",  "mountinfo",
                                          "root",    "stat",   "statm",   "status",  "task"};
    int all = 1;
    for (size_t i = 0; i < sizeof entries / sizeof entries[0]; i++)
        all &= list_has("/proc/self", entries[i], -1);
    CASE("pid-dir", "lists the entries %s task is a dir %s exe is a link %s status is a file %s",
         yes(all), yes(list_has("/proc/self", "task", DT_DIR)),
         yes(list_has("/proc/self", "exe", DT_LNK)), yes(list_has("/proc/self", "status", DT_REG)));
    snprintf(want, sizeof want, "%d", getpid());
    CASE("proc-dir", "lists self %s thread-self %s our pid as a dir %s meminfo %s sys %s",
         yes(list_has("/proc", "self", DT_LNK)), yes(list_has("/proc", "thread-self", DT_LNK)),
         yes(list_has("/proc", want, DT_DIR)), yes(list_has("/proc", "meminfo", DT_REG)),
         yes(list_has("/proc", "sys", DT_DIR)));
    struct stat st, env;
    int st_ok = stat("/proc/self/status", &st) == 0;
    int env_ok = stat("/proc/self/environ", &env) == 0;
    CASE("proc-stat", "status is a regular file %s size 0 %s mode 0444 %s environ mode 0400 %s",
         yes(st_ok && S_ISREG(st.st_mode)), yes(st.st_size == 0),
         yes((st.st_mode & 07777) == 0444), yes(env_ok && (env.st_mode & 07777) == 0400));
    int fd = open("/proc/self/status", O_RDONLY);
    char c;
    off_t end = lseek(fd, 0, SEEK_END);
    int end_err = end < 0 ? errno : 0;
    ssize_t r1 = read(fd, &c, 1);
    off_t back = lseek(fd, 0, SEEK_SET);
    ssize_t r2 = read(fd, &c, 1);
    CASE("proc-seek", "SEEK_END %s read %zd back to 0 %s read again %zd first byte %c",
         errname(end_err), r1, yes(back == 0), r2, c);
    close(fd);
}

/* ---- limits, mounts, system files ---- */

#define LIMITS_HEADER \
    "Limit                     Soft Limit           Hard Limit           Units     \n"

static void case_limits(void)
{
    slurp(0, "/proc/self/limits");
    const char *t = bufs[0];
    int lines = 0;
    for (const char *p = t; (p = strchr(p, '\n')); p++)
        lines++;
    struct rlimit rl;
    getrlimit(RLIMIT_STACK, &rl);
    char want[64];
    if (rl.rlim_cur == RLIM_INFINITY)
        snprintf(want, sizeof want, "%-20s ", "unlimited");
    else
        snprintf(want, sizeof want, "%-20lu ", (unsigned long)rl.rlim_cur);
    const char *stack = strstr(t, "Max stack size            ");
    CASE("limits", "header %s lines %d stack soft matches getrlimit %s",
         yes(!strncmp(t, LIMITS_HEADER, strlen(LIMITS_HEADER))),
         lines, yes(stack && !strncmp(stack + 26, want, strlen(want))));
}

static void case_mounts(void)
{
    slurp(0, "/proc/self/mounts");
    CASE("mounts", "has proc on /proc %s", yes(strstr(bufs[0], " /proc proc ") != NULL));
    slurp(0, "/proc/self/mountinfo");
    CASE("mountinfo", "has / %s has /proc of type proc %s", yes(strstr(bufs[0], " / / ") != NULL),
         yes(strstr(bufs[0], " / /proc ") && strstr(bufs[0], " - proc ")));
    slurp(0, "/proc/filesystems");
    CASE("filesystems", "proc %s tmpfs %s sysfs %s",
         yes(strstr(bufs[0], "nodev\tproc\n") != NULL), yes(strstr(bufs[0], "nodev\ttmpfs\n") != NULL),
         yes(strstr(bufs[0], "nodev\tsysfs\n") != NULL));
}

/* CPUs counted in a "0" / "0-N" list. */
static int list_count(const char *s)
{
    int n = 0;
    while (*s && *s != '\n') {
        char *e;
        long a = strtol(s, &e, 10), b = a;
        if (*e == '-')
            b = strtol(e + 1, &e, 10);
        n += b - a + 1;
        s = *e == ',' ? e + 1 : e;
        if (e == s && *s != ',' && *s)
            break;
    }
    return n;
}

static int count_prefix(const char *t, const char *prefix)
{
    int n = 0;
    size_t k = strlen(prefix);
    for (const char *p = t; p && *p;) {
        if (!strncmp(p, prefix, k))
            n++;
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    return n;
}

static int is_kb_line(const char *t, const char *key)
{
    const char *p = strstr(t, key);
    if (!p)
        return 0;
    p += strlen(key);
    int spaces = 0;
    while (*p == ' ')
        p++, spaces++;
    if (*p < '0' || *p > '9' || !spaces)
        return 0;
    while (*p >= '0' && *p <= '9')
        p++;
    return !strncmp(p, " kB\n", 4);
}

/* Whether `s` matches `pat`, where 'd' is one or more digits and other
 * characters stand for themselves. */
static int is_pattern(const char *s, const char *pat)
{
    for (; *pat; pat++) {
        if (*pat == 'd') {
            if (*s < '0' || *s > '9')
                return 0;
            while (*s >= '0' && *s <= '9')
                s++;
        } else if (*s++ != *pat) {
            return 0;
        }
    }
    return *s == 0;
}

/* loadavg's fourth field, running/threads: running <= threads. */
static int running_le_threads(const char *la)
{
    const char *slash = strchr(la, '/');
    if (!slash)
        return 0;
    const char *start = slash;
    while (start > la && start[-1] != ' ')
        start--;
    return strtol(start, NULL, 10) <= strtol(slash + 1, NULL, 10);
}

static void case_system(void)
{
    slurp(0, "/proc/meminfo");
    const char *mi = bufs[0];
    CASE("meminfo", "MemTotal first %s MemFree %s MemAvailable %s free<=total %s kB lines %s",
         yes(!strncmp(mi, "MemTotal:", 9)), yes(field(mi, "MemFree") != NULL),
         yes(field(mi, "MemAvailable") != NULL), yes(num(mi, "MemFree") <= num(mi, "MemTotal")),
         yes(is_kb_line(mi, "MemTotal:") && is_kb_line(mi, "SwapTotal:") &&
            is_kb_line(mi, "Hugepagesize:")));
    slurp(0, "/proc/cpuinfo");
    int cpus = count_prefix(bufs[0], "processor\t: ");
    size_t len = strlen(bufs[0]);
    CASE("cpuinfo", "first processor 0 %s vendor_id %s model name %s flags %s ends blank %s",
         yes(!strncmp(bufs[0], "processor\t: 0\n", 14)),
         yes(strstr(bufs[0], "\nvendor_id\t: ") != NULL),
         yes(strstr(bufs[0], "\nmodel name\t: ") != NULL),
         yes(strstr(bufs[0], "\nflags\t\t: ") != NULL),
         yes(len > 2 && !strcmp(bufs[0] + len - 2, "\n\n")));
    slurp(1, "/sys/devices/system/cpu/online");
    slurp(2, "/sys/devices/system/cpu/possible");
    int online = list_count(bufs[1]);
    slurp(0, "/proc/stat");
    int stat_cpus = count_prefix(bufs[0], "cpu") - 1;
    CASE("cpus", "cpuinfo == online %s == /proc/stat cpuN %s possible>=online %s",
         yes(cpus == online), yes(stat_cpus == online), yes(list_count(bufs[2]) >= online));
    long btime = word_num(bufs[0], "btime");
    CASE("stat-sys", "cpu line %s btime %s processes %s procs_running>0 %s intr %s ctxt %s",
         yes(!strncmp(bufs[0], "cpu  ", 5)), yes(btime > 0),
         yes(word_num(bufs[0], "processes") > 0), yes(word_num(bufs[0], "procs_running") > 0),
         yes(word_num(bufs[0], "intr") >= 0), yes(word_num(bufs[0], "ctxt") >= 0));
    slurp(1, "/proc/uptime");
    long up = strtol(bufs[1], NULL, 10);
    long now = time(NULL);
    CASE("uptime", "format %s btime+uptime is now %s", yes(is_pattern(bufs[1], "d.d d.d\n")),
         yes(labs(btime + up - now) <= 3));
    slurp(1, "/proc/loadavg");
    const char *slash = strchr(bufs[1], '/');
    CASE("loadavg", "format %s running<=threads %s", yes(is_pattern(bufs[1], "d.d d.d d.d d/d d\n")),
         yes(slash && running_le_threads(bufs[1])));
    slurp(1, "/proc/version");
    CASE("version", "starts Linux version %s", yes(!strncmp(bufs[1], "Linux version ", 14)));
    struct utsname u;
    uname(&u);
    slurp(1, "/proc/sys/kernel/ostype");
    slurp(2, "/proc/sys/kernel/osrelease");
    slurp(3, "/proc/sys/kernel/hostname");
    CASE("sys-kernel", "ostype is uname's %s osrelease is uname's %s hostname is uname's %s",
         yes(!strncmp(bufs[1], u.sysname, strlen(u.sysname)) && bufs[1][strlen(u.sysname)] == '\n'),
         yes(!strncmp(bufs[2], u.release, strlen(u.release)) && bufs[2][strlen(u.release)] == '\n'),
         yes(!strncmp(bufs[3], u.nodename, strlen(u.nodename))));
    slurp(1, "/proc/sys/kernel/pid_max");
    CASE("pid_max", "above our pid %s", yes(strtol(bufs[1], NULL, 10) > getpid()));
}

/* ---- threads and signals ---- */

#define SIG_RT 40
#define BIT(s) (1ULL << ((s) - 1))

struct worker {
    pthread_t th;
    pid_t tid;
    int go[2];
    char self_link[64];
    int took;
};

static int ready[2];

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    w->tid = gettid();
    ssize_t n = readlink("/proc/thread-self", w->self_link, sizeof w->self_link - 1);
    w->self_link[n > 0 ? n : 0] = 0;
    char c = 1;
    if (write(ready[1], &c, 1) != 1)
        return NULL;
    /* Asleep here until told to go. */
    if (read(w->go[0], &c, 1) != 1)
        return NULL;
    if (c == 2) {
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGUSR2);
        struct timespec ts = {0, 0};
        w->took = sigtimedwait(&set, NULL, &ts);
    }
    return NULL;
}

static void status_of(int which, pid_t tid)
{
    if (tid == 0)
        slurp(which, "/proc/self/status");
    else
        slurp(which, "/proc/self/task/%d/status", tid);
}

static void case_threads(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigaddset(&set, SIGUSR2);
    sigaddset(&set, SIG_RT);
    sigprocmask(SIG_BLOCK, &set, NULL);
    if (pipe(ready) < 0)
        return;
    struct worker w[2];
    memset(w, 0, sizeof w);
    for (int i = 0; i < 2; i++) {
        if (pipe(w[i].go) < 0 || pthread_create(&w[i].th, NULL, worker_main, &w[i]) != 0) {
            CASE("threads", "skipped: no thread");
            return;
        }
    }
    char c;
    for (int i = 0; i < 2; i++)
        if (read(ready[0], &c, 1) != 1)
            return;
    pid_t pid = getpid(), me = gettid();
    char path[128], want[64];
    snprintf(path, sizeof path, "/proc/self/task/%d/stat", w[0].tid);
    char st0 = wait_state(path, 'S');
    snprintf(path, sizeof path, "/proc/self/task/%d/stat", w[1].tid);
    char st1 = wait_state(path, 'S');
    CASE("thread-state", "both asleep %c %c", st0, st1);

    slurp(0, "/proc/self/status");
    slurp(1, "/proc/self/stat");
    CASE("threads", "status Threads=%ld stat num_threads=%ld", num(bufs[0], "Threads"),
         stat_num(bufs[1], 20));
    long tids[16];
    int n = list_nums("/proc/self/task", tids, 16);
    int match = n == 3;
    for (int i = 0; i < n; i++)
        match &= tids[i] == me || tids[i] == w[0].tid || tids[i] == w[1].tid;
    CASE("task-dir", "lists %d tids, each a thread %s leader first %s", n, yes(match),
         yes(n > 0 && tids[0] == pid));
    snprintf(want, sizeof want, "%d/task/%d", pid, w[0].tid);
    CASE("thread-self-thread", "pid/task/tid %s", yes(!strcmp(w[0].self_link, want)));
    snprintf(want, sizeof want, "%d", w[0].tid);
    snprintf(path, sizeof path, "/proc/%d", w[0].tid);
    CASE("proc-lists-leaders", "a thread's tid not listed %s but looked up %s",
         yes(!list_has("/proc", want, -1)), yes(access(path, F_OK) == 0));
    slurp(2, "/proc/%d/status", w[0].tid);
    snprintf(path, sizeof path, "/proc/%d/task", w[0].tid);
    CASE("tid-dir", "Pid is the tid %s Tgid is the pid %s task/ lists %d",
         yes(num(bufs[2], "Pid") == w[0].tid), yes(num(bufs[2], "Tgid") == pid),
         list_nums(path, tids, 16));
    snprintf(path, sizeof path, "/proc/self/task/%d/task", w[0].tid);
    int no_task = access(path, F_OK) < 0 ? errno : 0;
    slurp(2, "/proc/self/task/%d/comm", w[0].tid);
    CASE("thread-dir", "has no task/ %s comm %s", errname(no_task), first_line(bufs[2]));
    slurp(2, "/proc/self/task/%d/stat", w[0].tid);
    CASE("thread-stat", "pid is the tid %s state %c num_threads %ld exit_signal %ld wchan %ld",
         yes(stat_num(bufs[2], 1) == w[0].tid), stat_state(bufs[2]), stat_num(bufs[2], 20),
         stat_num(bufs[2], 38), stat_num(bufs[2], 35));

    /* One signal for the process, one for the first thread, one for the
     * leader thread; all blocked everywhere, so they stay pending. */
    kill(pid, SIGUSR1);
    syscall(SYS_tgkill, pid, w[0].tid, SIGUSR2);
    syscall(SYS_tgkill, pid, me, SIG_RT);
    pid_t who[4] = {0, me, w[0].tid, w[1].tid};
    const char *names[4] = {"process", "leader", "thread1", "thread2"};
    for (int i = 0; i < 4; i++) {
        status_of(0, who[i]);
        CASE("sigpending", "%s SigPnd=%016llx ShdPnd=%016llx SigBlk=%016llx", names[i],
             hex(bufs[0], "SigPnd"), hex(bufs[0], "ShdPnd"), hex(bufs[0], "SigBlk"));
    }
    status_of(0, 0);
    const char *q = field(bufs[0], "SigQ");
    CASE("sigqueue", "SigQ counts ours %s", yes(q && strtol(q, NULL, 10) >= 3));
    slurp(1, "/proc/self/task/%d/stat", w[0].tid);
    slurp(2, "/proc/self/stat");
    CASE("stat-signals", "thread1 pending %ld blocked %ld; process pending %ld (bit 40 is past "
         "the old word)",
         stat_num(bufs[1], 31), stat_num(bufs[1], 32), stat_num(bufs[2], 31));

    /* The leader takes the process's and its own signal; the first thread
     * its own. */
    struct timespec zero = {0, 0};
    sigset_t one;
    sigemptyset(&one);
    sigaddset(&one, SIGUSR1);
    int a = sigtimedwait(&one, NULL, &zero);
    sigemptyset(&one);
    sigaddset(&one, SIG_RT);
    int b = sigtimedwait(&one, NULL, &zero);
    status_of(0, 0);
    CASE("sigtaken", "leader took %d %d; SigPnd=%016llx ShdPnd=%016llx", a, b,
         hex(bufs[0], "SigPnd"), hex(bufs[0], "ShdPnd"));
    c = 2;
    if (write(w[0].go[1], &c, 1) != 1)
        return;
    pthread_join(w[0].th, NULL);
    slurp(0, "/proc/self/status");
    n = list_nums("/proc/self/task", tids, 16);
    snprintf(path, sizeof path, "/proc/self/task/%d/status", w[0].tid);
    errno = 0;
    int gone = open(path, O_RDONLY);
    CASE("thread-exit", "thread1 took %d; Threads=%ld task/ lists %d; its status %s", w[0].took,
         num(bufs[0], "Threads"), n, errname(gone < 0 ? errno : 0));
    c = 1;
    if (write(w[1].go[1], &c, 1) != 1)
        return;
    pthread_join(w[1].th, NULL);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
}

/* ---- a child alive, a zombie, gone ---- */

static void case_child(void)
{
    int p[2];
    if (pipe(p) < 0)
        return;
    pid_t child = fork();
    if (child == 0) {
        char c;
        close(p[1]);
        if (read(p[0], &c, 1) < 0)
            _exit(1);
        _exit(7);
    }
    close(p[0]);
    char path[128];
    snprintf(path, sizeof path, "/proc/%d/stat", child);
    char alive = wait_state(path, 'S');
    slurp(0, "/proc/%d/status", child);
    CASE("child", "state %c PPid is us %s Tgid %s Threads=%ld has VmSize %s", alive,
         yes(num(bufs[0], "PPid") == getpid()), yes(num(bufs[0], "Tgid") == child),
         num(bufs[0], "Threads"), yes(field(bufs[0], "VmSize") != NULL));
    char name[32];
    snprintf(name, sizeof name, "%d", child);
    CASE("child-listed", "in /proc %s", yes(list_has("/proc", name, DT_DIR)));
    snprintf(path, sizeof path, "/proc/%d", child);
    int dirfd = open(path, O_RDONLY | O_DIRECTORY);
    snprintf(path, sizeof path, "/proc/%d/status", child);
    int early = open(path, O_RDONLY);

    close(p[1]);
    snprintf(path, sizeof path, "/proc/%d/stat", child);
    char z = wait_state(path, 'Z');
    slurp(0, "/proc/%d/stat", child);
    CASE("zombie-stat", "state %c vsize %ld rss %ld start_code %ld exit_code %ld", z,
         stat_num(bufs[0], 23), stat_num(bufs[0], 24), stat_num(bufs[0], 26),
         stat_num(bufs[0], 52));
    slurp(0, "/proc/%d/status", child);
    CASE("zombie-status", "State=%s Threads=%ld has VmSize %s has Umask %s", line_of(bufs[0], "State"),
         num(bufs[0], "Threads"), yes(field(bufs[0], "VmSize") != NULL),
         yes(field(bufs[0], "Umask") != NULL));
    long cl = slurp(1, "/proc/%d/cmdline", child);
    long ml = slurp(2, "/proc/%d/maps", child);
    char link[256];
    snprintf(path, sizeof path, "/proc/%d/exe", child);
    errno = 0;
    ssize_t el = readlink(path, link, sizeof link);
    CASE("zombie-files", "cmdline %ld bytes maps %ld bytes exe %s still listed %s", cl, ml,
         errname(el < 0 ? errno : 0), yes(list_has("/proc", name, DT_DIR)));

    int status = 0;
    waitpid(child, &status, 0);
    snprintf(path, sizeof path, "/proc/%d/status", child);
    errno = 0;
    int after = open(path, O_RDONLY);
    int open_err = after < 0 ? errno : 0;
    /* A name not looked up before (Linux answers a name still in its
     * dentry cache with ESRCH). */
    errno = 0;
    int at = openat(dirfd, "environ", O_RDONLY);
    int at_err = at < 0 ? errno : 0;
    char dents[1024];
    errno = 0;
    long dn = syscall(SYS_getdents64, dirfd, dents, sizeof dents);
    int dents_err = dn < 0 ? errno : 0;
    char c;
    errno = 0;
    ssize_t r = read(early, &c, 1);
    int read_err = r < 0 ? errno : 0;
    CASE("reaped", "exit %d; open %s openat %s getdents %s read of an earlier open %s listed %s",
         WEXITSTATUS(status), errname(open_err), errname(at_err), errname(dents_err),
         errname(read_err), yes(list_has("/proc", name, -1)));
    close(early);
    close(dirfd);
}

/* ---- what glibc reads ---- */

#ifndef __GUEST_LIBC
static void case_glibc(void)
{
    pthread_attr_t a;
    void *addr = NULL;
    size_t size = 0;
    int r = pthread_getattr_np(pthread_self(), &a);
    if (r == 0)
        pthread_attr_getstack(&a, &addr, &size);
    slurp(0, "/proc/self/maps");
    int local = 0;
    struct map s;
    int ok = find_map(bufs[0], (unsigned long)&local, &s) && name_is(&s, "[stack]");
    unsigned long top = (unsigned long)addr + size;
    struct rlimit rl;
    getrlimit(RLIMIT_STACK, &rl);
    CASE("glibc-main-stack", "getattr_np %d top in [stack] %s holds a local %s size<=rlimit %s",
         r, yes(ok && top > s.start && top <= s.end),
         yes((unsigned long)&local >= (unsigned long)addr && (unsigned long)&local < top),
         yes(size > 0 && size <= rl.rlim_cur));
    slurp(1, "/sys/devices/system/cpu/online");
    slurp(2, "/sys/devices/system/cpu/possible");
    CASE("glibc-nprocs", "get_nprocs is online %s get_nprocs_conf is possible %s",
         yes(get_nprocs() == list_count(bufs[1])), yes(get_nprocs_conf() == list_count(bufs[2])));
    CASE("glibc-sysconf", "NPROCESSORS_ONLN is online %s NPROCESSORS_CONF is possible %s",
         yes(sysconf(_SC_NPROCESSORS_ONLN) == list_count(bufs[1])),
         yes(sysconf(_SC_NPROCESSORS_CONF) == list_count(bufs[2])));
    char exe[512], real[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[n > 0 ? n : 0] = 0;
    CASE("glibc-realpath", "of /proc/self/exe is the program %s",
         yes(realpath("/proc/self/exe", real) && !strcmp(real, exe)));
    FILE *m = setmntent("/proc/mounts", "r");
    int proc = 0;
    struct mntent *e;
    while (m && (e = getmntent(m)))
        proc |= !strcmp(e->mnt_dir, "/proc") && !strcmp(e->mnt_type, "proc");
    if (m)
        endmntent(m);
    CASE("glibc-getmntent", "finds proc on /proc %s", yes(proc));
}
#endif

static int cat(int n, char **files)
{
    for (int i = 0; i < n; i++) {
        long len = slurp_in(files[i], bufs[0]);
        printf("==> %s <==\n", files[i]);
        if (len < 0)
            printf("error %s\n", errname((int)-len));
        else
            fwrite(bufs[0], 1, len, stdout);
    }
    return 0;
}

static void on_winch(int s)
{
    (void)s;
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "--cat"))
        return cat(argc - 2, argv + 2);
    /* Touch the buffers now, so reading into them later moves no counter. */
    memset(bufs, 0, sizeof bufs);
    umask(027);
    signal(SIGHUP, SIG_IGN);
    signal(SIGWINCH, on_winch);
    case_status();
    case_stat(argv);
    case_cmdline(argc, argv);
    case_maps();
    case_links();
    case_limits();
    case_mounts();
    case_system();
    case_threads();
    case_child();
#ifndef __GUEST_LIBC
    case_glibc();
#endif
    case_proctitle(argc, argv);
    return 0;
}
