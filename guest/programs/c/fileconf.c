/* Files, directories and exec conformance: open and its flags, read, write,
 * lseek, holes, pread/pwrite and the vector calls, what dup'd, separately
 * opened and inherited descriptors share, fcntl's flags, stat/fstatat/statx,
 * readdir and getdents64, mkdir/rmdir/unlink, rename and renameat2, hard and
 * symbolic links, access, chmod, umask, utimensat, the working directory and
 * realpath, truncation, ioctl/poll/statfs/fsync on files, stdio on files,
 * mmap of files (shared, private, past the end) and shm_open, and exec:
 * arguments and environment, descriptors and signal state across execve,
 * exec from a second thread, #! scripts, the errors of execve, execvp's
 * search, execveat, posix_spawn, vfork.
 *
 * Every case prints one line `name: facts`, facts that Linux gives the same
 * on every run and machine: results and errno names, sizes, counts, sorted
 * names, modes, booleans. Never descriptor numbers, pids, inode numbers,
 * times, addresses or the temporary directory's name (paths are printed
 * relative to it). All of it happens in a fresh mkdtemp("/tmp/fileconf.
 * XXXXXX") that the program chdirs into and removes at the end. The umask
 * and the environment are set at the start, so neither the caller's umask,
 * environment nor working directory shows. Root and other users get the same
 * lines: no case depends on a permission check that root bypasses.
 *
 * Run natively on Linux, that output is the reference; the same source built
 * with glibc (gcc -static -pthread) and with guest-libc (scripts/guest-cc),
 * run natively and in the guest, must print it byte for byte. It exits 0
 * when it ran to the end, whatever the cases printed.
 *
 * The program runs itself again for the exec cases (argv[1] "child-..."),
 * by the absolute path realpath(argv[0]) gives at the start.
 *
 * Left out because Linux's answer depends on the file system under /tmp
 * (the guest's is tmpfs, a native run's often ext4, btrfs or overlayfs):
 *   - a directory's st_size, st_nlink (btrfs keeps 1) and any st_blocks;
 *   - st_blksize's value (only that it is positive) and statfs's numbers
 *     (only that it succeeds);
 *   - SEEK_DATA/SEEK_HOLE, the largest file or offset (EFBIG, the EINVAL of
 *     seeking past s_maxbytes), ENOSPC;
 *   - nanosecond time stamps (some ext4 inodes keep seconds only), atime
 *     updates (relatime), ctime/mtime changing on a write within one tick;
 *   - symlink targets near PATH_MAX (btrfs stores shorter ones);
 *   - the order of readdir (names are sorted before printing), and
 *     entries made after a directory was opened and before a rewind
 *     (btrfs lists only those that existed at open);
 *   - the error of renaming a directory over a non-empty one: ENOTEMPTY on
 *     tmpfs, ext4 and btrfs, EEXIST on xfs (both printed as one).
 * Left out because it differs between root and other users: W_OK and R_OK
 * on files without those bits, opening mode-0 files, a write clearing
 * S_ISUID (kept with CAP_FSETID), linkat(AT_EMPTY_PATH), chmod of files
 * one does not own, kill of other users' processes.
 * Left out because Linux versions differ: ETXTBSY on writing a running
 * executable (6.11 stopped denying it, a later release restored it), open
 * with O_CREAT|O_DIRECTORY (EINVAL only since 6.4), fstatat with a NULL
 * path, O_TMPFILE (not every file system). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

/* The kernel's values, for headers that lack them. */
#ifndef AT_REMOVEDIR
#define AT_REMOVEDIR 0x200
#endif
#ifndef AT_SYMLINK_FOLLOW
#define AT_SYMLINK_FOLLOW 0x400
#endif
#ifndef AT_EACCESS
#define AT_EACCESS 0x200
#endif
#ifndef AT_STATX_FORCE_SYNC
#define AT_STATX_FORCE_SYNC 0x2000
#endif
#ifndef AT_STATX_DONT_SYNC
#define AT_STATX_DONT_SYNC 0x4000
#endif
#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE 1
#endif
#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE 2
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC 4
#endif
#ifndef UTIME_NOW
#define UTIME_NOW ((1l << 30) - 1l)
#endif
#ifndef UTIME_OMIT
#define UTIME_OMIT ((1l << 30) - 2l)
#endif
#ifndef TCGETS
#define TCGETS 0x5401
#endif
#ifndef FIONREAD
#define FIONREAD 0x541B
#endif
#ifndef DT_UNKNOWN
#define DT_UNKNOWN 0
#define DT_DIR 4
#define DT_REG 8
#define DT_LNK 10
#endif
#ifndef PATH_MAX
#define PATH_MAX 4096
#endif
#ifndef MAP_FAILED
#define MAP_FAILED ((void *)-1)
#endif
/* The kernel's O_LARGEFILE, which it sets on every open on x86_64 and
 * F_GETFL shows (glibc's headers define the flag as 0 there). */
#define K_O_LARGEFILE 0x8000

/* statx's buffer as the kernel fills it, under a name of its own so it
 * cannot clash with a C library's struct statx. */
struct k_statx_ts {
    int64_t sec;
    uint32_t nsec;
    int32_t reserved;
};
struct k_statx {
    uint32_t mask, blksize;
    uint64_t attributes;
    uint32_t nlink, uid, gid;
    uint16_t mode, pad1;
    uint64_t ino, size, blocks, attributes_mask;
    struct k_statx_ts atime, btime, ctime, mtime;
    uint32_t rdev_major, rdev_minor, dev_major, dev_minor;
    uint64_t spare[14];
};
#define K_STATX_TYPE 0x1u
#define K_STATX_MODE 0x2u
#define K_STATX_NLINK 0x4u
#define K_STATX_SIZE 0x200u
#define K_STATX_BASIC_STATS 0x7ffu
#define K_STATX_RESERVED 0x80000000u

extern char **environ;

static char top[PATH_MAX]; /* the temporary directory, absolute */
static size_t toplen;
static int topfd;          /* open on it, to come back with fchdir */
static char self[PATH_MAX]; /* this program, absolute */
static long pagesz;
static char shmname[64];

/* The only environment, set at the start: the caller's never shows, and
 * execvp and posix_spawnp search this PATH. */
static char env_path[2 * PATH_MAX + 16];
static char *own_environ[] = {"FCENV=yes", env_path, NULL};

/* ---- printing ---- */

#define NBUF 64
#define BUFLEN 640
static char *sbuf(void)
{
    static char bufs[NBUF][BUFLEN];
    static unsigned n;
    return bufs[n++ % NBUF];
}

static const char *errname(int e)
{
    switch (e) {
    case 0: return "0";
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case ESRCH: return "ESRCH";
    case EINTR: return "EINTR";
    case EIO: return "EIO";
    case ENXIO: return "ENXIO";
    case E2BIG: return "E2BIG";
    case ENOEXEC: return "ENOEXEC";
    case EBADF: return "EBADF";
    case ECHILD: return "ECHILD";
    case EAGAIN: return "EAGAIN";
    case ENOMEM: return "ENOMEM";
    case EACCES: return "EACCES";
    case EFAULT: return "EFAULT";
    case EBUSY: return "EBUSY";
    case EEXIST: return "EEXIST";
    case EXDEV: return "EXDEV";
    case ENODEV: return "ENODEV";
    case ENOTDIR: return "ENOTDIR";
    case EISDIR: return "EISDIR";
    case EINVAL: return "EINVAL";
    case ENFILE: return "ENFILE";
    case EMFILE: return "EMFILE";
    case ENOTTY: return "ENOTTY";
    case ETXTBSY: return "ETXTBSY";
    case EFBIG: return "EFBIG";
    case ENOSPC: return "ENOSPC";
    case ESPIPE: return "ESPIPE";
    case EROFS: return "EROFS";
    case EMLINK: return "EMLINK";
    case EPIPE: return "EPIPE";
    case ERANGE: return "ERANGE";
    case ENAMETOOLONG: return "ENAMETOOLONG";
    case ENOSYS: return "ENOSYS";
    case ENOTEMPTY: return "ENOTEMPTY";
    case ELOOP: return "ELOOP";
    case EOVERFLOW: return "EOVERFLOW";
    case EOPNOTSUPP: return "EOPNOTSUPP";
    case ETIMEDOUT: return "ETIMEDOUT";
    }
    char *b = sbuf();
    snprintf(b, BUFLEN, "errno%d", e);
    return b;
}

static const char *signame(int sig)
{
    switch (sig) {
    case SIGBUS: return "SIGBUS";
    case SIGSEGV: return "SIGSEGV";
    case SIGKILL: return "SIGKILL";
    case SIGUSR1: return "SIGUSR1";
    case SIGUSR2: return "SIGUSR2";
    case SIGTERM: return "SIGTERM";
    case SIGPIPE: return "SIGPIPE";
    case SIGABRT: return "SIGABRT";
    }
    char *b = sbuf();
    snprintf(b, BUFLEN, "sig%d", sig);
    return b;
}

/* The result of a call that returns a count or 0: the number, or "-1 E..."
 * (errno read at once, as the call's return value is the argument). */
static const char *rv(long r)
{
    char *b = sbuf();
    if (r < 0)
        snprintf(b, BUFLEN, "%ld %s", r, errname(errno));
    else
        snprintf(b, BUFLEN, "%ld", r);
    return b;
}

/* The result of a call that returns a descriptor: "ok", never the number. */
static const char *rk(long r)
{
    if (r >= 0)
        return "ok";
    return rv(-1);
}

/* The result of a call that returns a pointer. */
static const char *rp(const void *p)
{
    if (p)
        return "ok";
    char *b = sbuf();
    snprintf(b, BUFLEN, "NULL %s", errname(errno));
    return b;
}

static void CASE(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void CASE(const char *name, const char *fmt, ...)
{
    va_list ap;
    printf("%s: ", name);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
}

static const char *status_text(int st)
{
    char *b = sbuf();
    if (st == -1)
        snprintf(b, BUFLEN, "no status");
    else if (WIFEXITED(st))
        snprintf(b, BUFLEN, "exited %d", WEXITSTATUS(st));
    else if (WIFSIGNALED(st))
        snprintf(b, BUFLEN, "killed by %s", signame(WTERMSIG(st)));
    else
        snprintf(b, BUFLEN, "status 0x%x", st);
    return b;
}

/* A path under the temporary directory, as the part below it. */
static const char *relpath(const char *abs)
{
    if (strncmp(abs, top, toplen) != 0)
        return "(outside)";
    if (abs[toplen] == 0)
        return ".";
    if (abs[toplen] != '/')
        return "(outside)";
    char *b = sbuf();
    snprintf(b, BUFLEN, "%s", abs + toplen + 1);
    return b;
}

/* ---- files ---- */

/* For setup calls whose failure a later case shows anyway. */
static void ign(long r)
{
    (void)r;
}

static void put(const char *path, const char *s)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return;
    if (write(fd, s, strlen(s)) < 0) {
    }
    close(fd);
}

static void put_mode(const char *path, const char *s, mode_t mode)
{
    put(path, s);
    chmod(path, mode);
}

/* A file's content (short files), or its error. */
static const char *get(const char *path)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return rv(-1);
    char *b = sbuf();
    ssize_t n = read(fd, b, BUFLEN - 1);
    if (n < 0) {
        const char *e = rv(-1);
        close(fd);
        return e;
    }
    b[n] = 0;
    close(fd);
    return b;
}

static const char *type_of(mode_t m)
{
    switch (m & S_IFMT) {
    case S_IFREG: return "reg";
    case S_IFDIR: return "dir";
    case S_IFLNK: return "lnk";
    case S_IFIFO: return "fifo";
    case S_IFCHR: return "chr";
    case S_IFBLK: return "blk";
    case S_IFSOCK: return "sock";
    }
    return "?";
}

/* lstat's type of a path, or its error. */
static const char *ltype(const char *path)
{
    struct stat st;
    if (lstat(path, &st) < 0)
        return rv(-1);
    return type_of(st.st_mode);
}

static long fsize(const char *path)
{
    struct stat st;
    if (stat(path, &st) < 0)
        return -1;
    return (long)st.st_size;
}

static long nlinks(const char *path)
{
    struct stat st;
    if (lstat(path, &st) < 0)
        return -1;
    return (long)st.st_nlink;
}

/* Permission bits (with set-id and sticky) in octal, or the error. */
static const char *modestr(const char *path)
{
    struct stat st;
    if (lstat(path, &st) < 0)
        return rv(-1);
    char *b = sbuf();
    snprintf(b, BUFLEN, "%o", (unsigned)(st.st_mode & 07777));
    return b;
}

static const char *tryopen(const char *path, int flags, mode_t mode)
{
    int fd = open(path, flags, mode);
    if (fd < 0)
        return rv(-1);
    close(fd);
    return "ok";
}

static int fd_open(int fd)
{
    return fcntl(fd, F_GETFD) >= 0;
}

static off_t offset(int fd)
{
    return lseek(fd, 0, SEEK_CUR);
}

/* A page no call may read or write: EFAULT. */
static void *bad_addr(void)
{
    static void *p;
    if (!p)
        p = mmap(NULL, pagesz, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p;
}

/* ---- children ---- */

static pid_t xfork(void)
{
    fflush(stdout);
    return fork();
}

static int wait_for(pid_t pid)
{
    int st = -1;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    return st;
}

/* A child's standard output and wait status. */
struct out {
    char text[4096];
    int status;
};

/* Tidies a child's output into one line: newlines become "; " and the
 * temporary directory's name "$T". */
static void tidy(char *t)
{
    char tmp[sizeof ((struct out *)0)->text];
    size_t o = 0;
    for (size_t i = 0; t[i] && o + 4 < sizeof tmp;) {
        if (strncmp(t + i, top, toplen) == 0) {
            tmp[o++] = '$';
            tmp[o++] = 'T';
            i += toplen;
        } else if (t[i] == '\n') {
            if (t[i + 1]) {
                tmp[o++] = ';';
                tmp[o++] = ' ';
            }
            i++;
        } else {
            tmp[o++] = t[i++];
        }
    }
    tmp[o] = 0;
    memcpy(t, tmp, o + 1);
}

/* Forks; the child runs fn(arg) with its standard output the write end of
 * a pipe, the parent reads that to the end and waits. A pipe and not the
 * shared stdout, so a child's lines come out in one piece, where the case
 * prints them. */
static void capture(struct out *o, void (*fn)(void *), void *arg)
{
    int p[2];
    o->text[0] = 0;
    o->status = -1;
    if (pipe2(p, O_CLOEXEC) < 0) {
        snprintf(o->text, sizeof o->text, "pipe2 %s", rv(-1));
        return;
    }
    pid_t pid = xfork();
    if (pid < 0) {
        snprintf(o->text, sizeof o->text, "fork %s", rv(-1));
        close(p[0]);
        close(p[1]);
        return;
    }
    if (pid == 0) {
        dup2(p[1], 1);
        fn(arg);
        fflush(stdout);
        _exit(0);
    }
    close(p[1]);
    size_t n = 0;
    ssize_t r;
    while (n < sizeof o->text - 1 && ((r = read(p[0], o->text + n, sizeof o->text - 1 - n)) > 0 || (r < 0 && errno == EINTR)))
        if (r > 0)
            n += (size_t)r;
    o->text[n] = 0;
    close(p[0]);
    o->status = wait_for(pid);
    tidy(o->text);
}

/* A captured child's line: its output, then its wait status. */
static void out_case(const char *name, const struct out *o)
{
    CASE(name, "%s%s[%s]", o->text, o->text[0] ? " " : "", status_text(o->status));
}

/* In a child whose exec failed: says why, on the captured output. */
static void exec_failed(void)
{
    int e = errno;
    printf("%s\n", errname(e));
    fflush(stdout);
    _exit(127);
}

/* ---- open ---- */

static char long_path[2 * PATH_MAX];

static void t_open(void)
{
    const char *a, *b;
    int fd, fd2;
    char buf[64];

    put("o1", "hello");
    a = tryopen("o1", O_WRONLY | O_CREAT | O_EXCL, 0644);
    CASE("open-creat-excl-exists", "%s", a);

    a = tryopen("o2", O_WRONLY | O_CREAT | O_EXCL, 0644);
    CASE("open-creat-excl-new", "%s type=%s size=%ld", a, ltype("o2"), fsize("o2"));

    put("o3", "hello");
    a = tryopen("o3", O_WRONLY | O_TRUNC, 0);
    CASE("open-trunc", "%s size=%ld", a, fsize("o3"));

    /* Linux truncates even when the file is opened only for reading. */
    put("o4", "hello");
    a = tryopen("o4", O_RDONLY | O_TRUNC, 0);
    CASE("open-rdonly-trunc", "%s size=%ld", a, fsize("o4"));

    put("o5", "hello");
    fd = open("o5", O_WRONLY | O_APPEND);
    off_t at = lseek(fd, 0, SEEK_SET);
    ssize_t w = write(fd, "abc", 3);
    off_t after = offset(fd);
    close(fd);
    CASE("open-append", "seek=%ld write=%zd offset-after=%ld content=%s", (long)at, w, (long)after, get("o5"));

    a = tryopen("o1", O_RDONLY | O_DIRECTORY, 0);
    CASE("open-directory-on-file", "%s", a);
    mkdir("od", 0755);
    put("od/x", "x");
    a = tryopen("od", O_RDONLY | O_DIRECTORY, 0);
    CASE("open-directory-on-dir", "%s", a);

    ign(symlink("o1", "ol"));
    a = tryopen("ol", O_RDONLY | O_NOFOLLOW, 0);
    b = tryopen("ol", O_RDONLY, 0);
    CASE("open-nofollow-symlink", "nofollow=%s follow=%s", a, b);
    ign(symlink("od", "odl"));
    a = tryopen("odl/x", O_RDONLY | O_NOFOLLOW, 0);
    CASE("open-nofollow-earlier-component", "%s", a);
    a = tryopen("odl", O_RDONLY | O_DIRECTORY, 0);
    b = tryopen("odl", O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0);
    CASE("open-directory-via-symlink", "follow=%s nofollow=%s", a, b);

    fd = open("od", O_RDONLY);
    a = rk(fd);
    b = rv(read(fd, buf, sizeof buf));
    close(fd);
    CASE("open-dir-rdonly", "%s read=%s", a, b);
    a = tryopen("od", O_WRONLY, 0);
    b = tryopen("od", O_RDWR, 0);
    CASE("open-dir-for-writing", "wronly=%s rdwr=%s", a, b);
    a = tryopen("od", O_WRONLY | O_CREAT, 0644);
    b = tryopen("od", O_RDONLY | O_CREAT, 0644);
    CASE("open-creat-on-dir", "wronly=%s rdonly=%s", a, b);

    fd = open("o1", O_RDONLY | O_CLOEXEC);
    int with = fcntl(fd, F_GETFD);
    close(fd);
    fd = open("o1", O_RDONLY);
    int without = fcntl(fd, F_GETFD);
    close(fd);
    CASE("open-cloexec", "with=%d without=%d", with, without);

    a = tryopen("nope", O_RDONLY, 0);
    CASE("open-missing", "%s", a);
    a = tryopen("nodir/new", O_WRONLY | O_CREAT, 0644);
    CASE("open-creat-missing-parent", "%s", a);
    a = tryopen("o1/x", O_RDONLY, 0);
    b = tryopen("o1/x", O_WRONLY | O_CREAT, 0644);
    CASE("open-through-file", "open=%s creat=%s", a, b);
    a = tryopen("o1/", O_RDONLY, 0);
    CASE("open-file-trailing-slash", "%s", a);
    a = tryopen("onew/", O_WRONLY | O_CREAT, 0644);
    CASE("open-creat-trailing-slash", "%s created=%s", a, ltype("onew"));
    a = tryopen("od/", O_RDONLY, 0);
    CASE("open-dir-trailing-slash", "%s", a);

    char n255[257], n256[258];
    memset(n255, 'n', 255);
    n255[255] = 0;
    memset(n256, 'm', 256);
    n256[256] = 0;
    a = tryopen(n255, O_WRONLY | O_CREAT, 0644);
    b = rv(unlink(n255));
    CASE("open-name-255", "creat=%s unlink=%s", a, b);
    a = tryopen(n256, O_WRONLY | O_CREAT, 0644);
    b = tryopen(n256, O_RDONLY, 0);
    CASE("open-name-256", "creat=%s open=%s", a, b);

    /* "./" repeated, then a name: 4095 bytes and the NUL fill PATH_MAX. */
    put("p4095", "p");
    size_t n = 0;
    while (n < 4090) {
        long_path[n++] = '.';
        long_path[n++] = '/';
    }
    strcpy(long_path + n, "p4095");
    a = tryopen(long_path, O_RDONLY, 0);
    strcpy(long_path + n, "p40950");
    b = tryopen(long_path, O_RDONLY, 0);
    CASE("open-path-length", "4095=%s 4096=%s", a, b);

    a = tryopen("", O_RDONLY, 0);
    CASE("open-empty-path", "%s", a);
    a = tryopen((const char *)bad_addr(), O_RDONLY, 0);
    CASE("open-bad-path-pointer", "%s", a);

    fd = creat("m1", 0666);
    close(fd);
    umask(077);
    fd = creat("m2", 0777);
    close(fd);
    umask(022);
    CASE("creat-mode-umask", "0666-022=%s 0777-077=%s", modestr("m1"), modestr("m2"));
    /* Type bits in the mode are not the caller's to choose. */
    fd = open("m5", O_WRONLY | O_CREAT, S_IFDIR | 0640);
    close(fd);
    CASE("open-creat-mode-type-bits", "type=%s mode=%s", ltype("m5"), modestr("m5"));

    fd = open("m3", O_WRONLY | O_CREAT, 0600);
    close(fd);
    fd = open("m3", O_WRONLY | O_CREAT, 0777);
    close(fd);
    CASE("open-creat-existing-keeps-mode", "%s", modestr("m3"));

    put("m4", "hello");
    fd = creat("m4", 0600);
    int acc = fcntl(fd, F_GETFL) & O_ACCMODE;
    a = rv(read(fd, buf, 1));
    close(fd);
    CASE("creat-existing", "size=%ld wronly=%d read=%s mode=%s", fsize("m4"), acc == O_WRONLY, a, modestr("m4"));

    ign(symlink("dtarget", "dlink"));
    a = tryopen("dlink", O_WRONLY | O_CREAT | O_EXCL, 0644);
    b = tryopen("dlink", O_WRONLY | O_CREAT, 0644);
    CASE("open-creat-dangling-symlink", "excl=%s plain=%s target=%s", a, b, ltype("dtarget"));

    fd = open("o1", O_RDONLY);
    close(fd);
    fd2 = open("o1", O_RDONLY);
    int reused = fd == fd2;
    int fd3 = open("o1", O_RDONLY);
    close(fd2);
    fd = open("o3", O_RDONLY);
    reused &= fd == fd2;
    close(fd);
    close(fd3);
    CASE("open-lowest-fd", "reused=%d", reused);

    /* Access mode 3: both permissions checked, neither read nor write. */
    fd = open("o1", 3);
    a = rk(fd);
    b = rv(read(fd, buf, 1));
    const char *c = rv(write(fd, "x", 1));
    close(fd);
    CASE("open-accmode-3", "%s read=%s write=%s", a, b, c);
}

/* ---- read, write, lseek ---- */

static int zeros(const char *b, long n)
{
    for (long i = 0; i < n; i++)
        if (b[i])
            return 0;
    return 1;
}

static void t_rw(void)
{
    char b[256];
    const char *a, *c, *d;
    ssize_t n;
    off_t off;

    put("rw", "0123456789");
    int fd = open("rw", O_RDWR);
    n = read(fd, b, 4);
    CASE("read-advances", "read=%zd data=%.4s offset=%ld", n, b, (long)offset(fd));
    off = lseek(fd, 0, SEEK_END);
    n = read(fd, b, 10);
    CASE("read-at-eof", "seek-end=%ld read=%zd", (long)off, n);
    lseek(fd, 50, SEEK_SET);
    n = read(fd, b, 10);
    CASE("read-past-eof", "read=%zd", n);
    off = lseek(fd, -3, SEEK_END);
    n = read(fd, b, 10);
    CASE("seek-end-back", "offset=%ld read=%zd data=%.3s", (long)off, n, b);
    lseek(fd, 5, SEEK_SET);
    off = lseek(fd, 2, SEEK_CUR);
    CASE("seek-cur", "%ld", (long)off);
    a = rv(lseek(fd, -1, SEEK_SET));
    CASE("seek-negative", "%s offset-kept=%ld", a, (long)offset(fd));
    a = rv(lseek(fd, -8, SEEK_CUR));
    CASE("seek-cur-before-start", "%s", a);
    a = rv(lseek(fd, 0, 42));
    CASE("seek-bad-whence", "%s", a);
    off = lseek(fd, 100, SEEK_SET);
    CASE("seek-past-end", "offset=%ld size=%ld", (long)off, fsize("rw"));
    n = write(fd, "X", 1);
    ssize_t got = pread(fd, b, 90, 10);
    CASE("hole", "write=%zd size=%ld read=%zd zeros=%d", n, fsize("rw"), got, got == 90 && zeros(b, 90));
    got = pread(fd, b, 10, 95);
    CASE("hole-then-data", "read=%zd last=%c", got, got > 0 ? b[got - 1] : '-');
    a = rv(read(fd, b, 0));
    c = rv(write(fd, b, 0));
    CASE("zero-length-io", "read=%s write=%s", a, c);

    lseek(fd, 1, SEEK_SET);
    n = pread(fd, b, 3, 2);
    CASE("pread-keeps-offset", "read=%zd data=%.3s offset=%ld", n, b, (long)offset(fd));
    n = pwrite(fd, "ab", 2, 0);
    got = pread(fd, b, 5, 0);
    CASE("pwrite-keeps-offset", "write=%zd offset=%ld data=%.5s", n, (long)offset(fd), got == 5 ? b : "?????");
    a = rv(pread(fd, b, 1, -1));
    c = rv(pwrite(fd, b, 1, -1));
    CASE("pread-pwrite-negative-offset", "pread=%s pwrite=%s", a, c);
    a = rv(pread(fd, b, 10, 1000));
    CASE("pread-past-eof", "%s", a);
    close(fd);

    fd = open("rw", O_RDONLY);
    a = rv(write(fd, "x", 1));
    c = rv(pwrite(fd, "x", 1, 0));
    close(fd);
    CASE("write-on-rdonly", "write=%s pwrite=%s", a, c);
    fd = open("rw", O_WRONLY);
    a = rv(read(fd, b, 1));
    c = rv(pread(fd, b, 1, 0));
    close(fd);
    CASE("read-on-wronly", "read=%s pread=%s", a, c);
    fd = open("rw", O_RDONLY);
    close(fd);
    a = rv(read(fd, b, 1));
    c = rv(write(fd, "x", 1));
    d = rv(lseek(fd, 0, SEEK_SET));
    CASE("io-on-closed-fd", "read=%s write=%s lseek=%s", a, c, d);

    fd = open("rw", O_RDWR);
    a = rv(read(fd, bad_addr(), 4));
    c = rv(write(fd, bad_addr(), 4));
    CASE("io-bad-buffer", "read=%s write=%s size=%ld", a, c, fsize("rw"));
    close(fd);

    /* Linux appends even where pwrite says otherwise. */
    put("ap", "hello");
    fd = open("ap", O_WRONLY | O_APPEND);
    n = pwrite(fd, "XY", 2, 0);
    close(fd);
    CASE("pwrite-on-append", "write=%zd content=%s", n, get("ap"));

    int p[2];
    if (pipe(p) == 0) {
        a = rv(lseek(p[0], 0, SEEK_CUR));
        c = rv(pread(p[0], b, 1, 0));
        d = rv(pwrite(p[1], "x", 1, 0));
        CASE("pipe-no-seek", "lseek=%s pread=%s pwrite=%s", a, c, d);
        close(p[0]);
        close(p[1]);
    }

    mkdir("rwd", 0755);
    fd = open("rwd", O_RDONLY | O_DIRECTORY);
    a = rv(lseek(fd, 0, SEEK_SET));
    c = rv(write(fd, "x", 1));
    close(fd);
    CASE("dir-fd-io", "seek-start=%s write=%s", a, c);
}

/* ---- readv, writev ---- */

static struct iovec many_iov[1025];

static void t_vec(void)
{
    char x[3], y[10], b[64];
    ssize_t n;
    int fd = open("v", O_RDWR | O_CREAT | O_TRUNC, 0644);
    struct iovec w[3] = {{(void *)"ab", 2}, {(void *)"", 0}, {(void *)"cdefg", 5}};
    n = writev(fd, w, 3);
    CASE("writev-gathers", "write=%zd content=%s", n, get("v"));

    lseek(fd, 0, SEEK_SET);
    struct iovec r[2] = {{x, 3}, {y, 10}};
    n = readv(fd, r, 2);
    CASE("readv-scatters", "read=%zd first=%.3s second=%.*s offset=%ld", n, x, n > 3 ? (int)(n - 3) : 0, y, (long)offset(fd));

    lseek(fd, 1, SEEK_SET);
    n = preadv(fd, r, 2, 2);
    CASE("preadv", "read=%zd first=%.3s second=%.*s offset=%ld", n, x, n > 3 ? (int)(n - 3) : 0, y, (long)offset(fd));
    n = pwritev(fd, w, 3, 4);
    ssize_t got = pread(fd, b, sizeof b - 1, 0);
    b[got > 0 ? got : 0] = 0;
    CASE("pwritev", "write=%zd offset=%ld content=%s", n, (long)offset(fd), b);

    const char *a = rv(readv(fd, r, 0));
    volatile int negative = -1; /* hidden from the compiler's checks */
    const char *c = rv(readv(fd, r, negative));
    for (int i = 0; i < 1025; i++)
        many_iov[i] = (struct iovec){x, 0};
    const char *d = rv(readv(fd, many_iov, 1024));
    const char *e = rv(readv(fd, many_iov, 1025));
    CASE("readv-iovcnt", "0=%s -1=%s 1024=%s 1025=%s", a, c, d, e);

    struct iovec huge[1] = {{x, (size_t)-1}};
    a = rv(writev(fd, huge, 1));
    CASE("writev-negative-length", "%s", a);
    close(fd);
}

/* ---- descriptors: sharing, dup, fcntl, close_range ---- */

static void emfile_child(void *arg)
{
    (void)arg;
    struct rlimit rl = {32, 32};
    if (setrlimit(RLIMIT_NOFILE, &rl) < 0) {
        printf("setrlimit %s\n", rv(-1));
        return;
    }
    int base = open("sh", O_RDONLY);
    if (base < 0) {
        printf("open %s\n", rv(-1));
        return;
    }
    int last = base, fd;
    while ((fd = dup(base)) >= 0)
        last = fd;
    const char *a = rv(-1);
    const char *b = rv(open("sh", O_RDONLY));
    int p[2];
    const char *c = rv(pipe(p));
    const char *d = rv(dup2(base, 32));
    const char *e = rv(fcntl(base, F_DUPFD, 32));
    close(last);
    fd = dup(base);
    printf("dup=%s open=%s pipe=%s dup2-at-limit=%s dupfd-at-limit=%s after-close=%s lowest=%d\n", a, b, c, d, e, rk(fd),
           fd == last);
}

static void t_fds(void)
{
    char b[64];
    const char *a, *c, *d;
    int fd, dp, e;

    put("sh", "0123456789");
    fd = open("sh", O_RDWR);
    dp = dup(fd);
    if (read(fd, b, 3) < 0) {
    }
    CASE("dup-shares-offset", "dup-offset=%ld", (long)offset(dp));
    fcntl(fd, F_SETFL, O_APPEND);
    CASE("dup-shares-status-flags", "append-on-dup=%d", !!(fcntl(dp, F_GETFL) & O_APPEND));
    fcntl(fd, F_SETFL, 0);
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    CASE("dup-own-fd-flags", "orig=%d dup=%d", fcntl(fd, F_GETFD), fcntl(dp, F_GETFD));
    fcntl(fd, F_SETFD, 0);
    close(dp);

    e = open("sh", O_RDWR);
    lseek(fd, 0, SEEK_SET);
    if (read(fd, b, 5) < 0) {
    }
    CASE("separate-opens-own-offsets", "first=%ld second=%ld", (long)offset(fd), (long)offset(e));
    if (write(e, "AB", 2) < 0) {
    }
    CASE("separate-opens-overwrite", "content=%s", get("sh"));
    close(e);

    lseek(fd, 0, SEEK_SET);
    pid_t pid = xfork();
    if (pid == 0) {
        if (read(fd, b, 4) < 0) {
        }
        lseek(fd, 3, SEEK_CUR);
        _exit(0);
    }
    wait_for(pid);
    CASE("fork-shares-offset", "parent-offset=%ld", (long)offset(fd));
    pid = xfork();
    if (pid == 0) {
        fcntl(fd, F_SETFL, O_APPEND);
        fcntl(fd, F_SETFD, FD_CLOEXEC);
        _exit(0);
    }
    wait_for(pid);
    CASE("fork-shares-status-not-fd-flags", "append=%d cloexec=%d", !!(fcntl(fd, F_GETFL) & O_APPEND), fcntl(fd, F_GETFD));
    fcntl(fd, F_SETFL, 0);

    CASE("dup2-same-fd", "returns-it=%d", dup2(fd, fd) == fd);
    put("sh2", "zz");
    int t = open("sh2", O_RDONLY);
    int r = dup2(fd, t);
    lseek(fd, 2, SEEK_SET);
    CASE("dup2-replaces-open-target", "returns-target=%d shares-offset=%d", r == t, offset(t) == 2);
    close(t);
    int closed = open("sh2", O_RDONLY);
    close(closed);
    a = rv(dup2(closed, closed));
    c = rv(dup2(fd, -1));
    d = rv(dup2(fd, INT_MAX));
    CASE("dup2-bad", "closed-old=%s negative-new=%s huge-new=%s", a, c, d);

    a = rv(dup3(fd, fd, 0));
    r = dup3(fd, 90, O_CLOEXEC);
    int cl = fcntl(90, F_GETFD);
    close(90);
    c = rv(dup3(fd, 90, O_APPEND));
    CASE("dup3", "same-fd=%s cloexec=%d to-90=%d bad-flags=%s", a, cl, r == 90, c);

    r = fcntl(fd, F_DUPFD, 60);
    cl = fcntl(r, F_GETFD);
    close(r);
    CASE("fcntl-dupfd", "lowest-from-60=%d cloexec=%d", r == 60, cl);
    r = fcntl(fd, F_DUPFD_CLOEXEC, 0);
    lseek(fd, 4, SEEK_SET);
    CASE("fcntl-dupfd-cloexec", "cloexec=%d shares-offset=%d", fcntl(r, F_GETFD), offset(r) == 4);
    close(r);
    a = rv(fcntl(fd, F_DUPFD, -1));
    CASE("fcntl-dupfd-negative", "%s", a);
    a = rv(fcntl(closed, F_GETFD));
    c = rv(fcntl(closed, F_GETFL));
    CASE("fcntl-bad-fd", "getfd=%s getfl=%s", a, c);
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    int on = fcntl(fd, F_GETFD);
    fcntl(fd, F_SETFD, 0);
    CASE("fcntl-setfd", "on=%d off=%d", on, fcntl(fd, F_GETFD));
    a = rv(fcntl(fd, 9999));
    CASE("fcntl-bad-cmd", "%s", a);

    int ro = open("sh", O_RDONLY);
    int wa = open("sh", O_WRONLY | O_APPEND);
    int rw = open("sh-new", O_RDWR | O_CREAT | O_EXCL | O_TRUNC | O_CLOEXEC, 0644);
    int nb = open("sh", O_RDONLY | O_NONBLOCK);
    CASE("fcntl-getfl", "rdonly=0x%x wronly-append=0x%x rdwr-creat-excl-trunc-cloexec=0x%x nonblock=0x%x", fcntl(ro, F_GETFL),
         fcntl(wa, F_GETFL), fcntl(rw, F_GETFL), fcntl(nb, F_GETFL));
    CASE("fcntl-getfl-largefile", "%d", (fcntl(ro, F_GETFL) & K_O_LARGEFILE) != 0);
    close(nb);
    close(rw);
    close(wa);

    a = rv(fcntl(ro, F_SETFL, O_RDWR));
    c = rv(write(ro, "x", 1));
    CASE("fcntl-setfl-keeps-access-mode", "setfl=%s accmode-rdonly=%d write=%s", a, (fcntl(ro, F_GETFL) & O_ACCMODE) == O_RDONLY, c);
    a = rv(fcntl(ro, F_SETFL, O_NONBLOCK));
    CASE("fcntl-setfl-nonblock-on-file", "setfl=%s nonblock=%d", a, !!(fcntl(ro, F_GETFL) & O_NONBLOCK));
    close(ro);

    put("sa", "hello");
    int sa = open("sa", O_WRONLY);
    fcntl(sa, F_SETFL, O_APPEND);
    if (write(sa, "1", 1) < 0) {
    }
    fcntl(sa, F_SETFL, 0);
    lseek(sa, 0, SEEK_SET);
    if (write(sa, "2", 1) < 0) {
    }
    close(sa);
    CASE("fcntl-setfl-append", "content=%s", get("sa"));

    e = open("sh", O_RDONLY);
    close(e);
    a = rv(close(e));
    c = rv(close(-1));
    CASE("close-bad", "twice=%s negative=%s", a, c);

    dup2(fd, 100);
    dup2(fd, 101);
    dup2(fd, 102);
    a = rv(syscall(SYS_close_range, 100, 101, 0));
    CASE("close-range", "%s 100=%d 101=%d 102=%d", a, fd_open(100), fd_open(101), fd_open(102));
    a = rv(syscall(SYS_close_range, 102, 102, CLOSE_RANGE_CLOEXEC));
    CASE("close-range-cloexec", "%s open=%d cloexec=%d", a, fd_open(102), fcntl(102, F_GETFD));
    close(102);
    a = rv(syscall(SYS_close_range, 5, 4, 0));
    c = rv(syscall(SYS_close_range, 100, 101, 0x80));
    CASE("close-range-bad", "first-after-last=%s bad-flags=%s", a, c);
    /* Nothing open there: not an error. */
    a = rv(syscall(SYS_close_range, 200, 300, 0));
    CASE("close-range-nothing-open", "%s", a);
    close(fd);

    struct out o;
    capture(&o, emfile_child, NULL);
    out_case("emfile", &o);
}

/* ---- stat ---- */

static void t_stat(void)
{
    struct stat s, s2;
    const char *a, *c, *d;
    int r;

    put("st", "hello");
    r = stat("st", &s);
    a = rv(r);
    CASE("stat-file", "%s type=%s mode=%o size=%ld nlink=%lu blksize-positive=%d uid-is-euid=%d gid-is-egid=%d rdev=%lu", a,
         type_of(s.st_mode), (unsigned)(s.st_mode & 07777), (long)s.st_size, (unsigned long)s.st_nlink, s.st_blksize > 0,
         s.st_uid == geteuid(), s.st_gid == getegid(), (unsigned long)s.st_rdev);
    mkdir("sd", 0755);
    r = stat("sd", &s);
    a = rv(r);
    CASE("stat-dir", "%s type=%s mode=%o", a, type_of(s.st_mode), (unsigned)(s.st_mode & 07777));

    /* A symlink's size is its target's length, its mode 0777 whatever the
     * umask. */
    ign(symlink("st", "stl"));
    r = lstat("stl", &s);
    a = rv(r);
    CASE("lstat-symlink", "%s type=%s mode=%o size=%ld", a, type_of(s.st_mode), (unsigned)(s.st_mode & 07777), (long)s.st_size);
    r = stat("stl", &s);
    a = rv(r);
    CASE("stat-follows-symlink", "%s type=%s size=%ld", a, type_of(s.st_mode), (long)s.st_size);

    int fd = open("st", O_RDONLY);
    fstat(fd, &s);
    stat("st", &s2);
    CASE("fstat-is-stat", "same-ino=%d same-dev=%d same-size=%d", s.st_ino == s2.st_ino, s.st_dev == s2.st_dev, s.st_size == s2.st_size);
    close(fd);

    ign(link("st", "st2"));
    put("st3", "other");
    struct stat s3;
    stat("st", &s);
    stat("st2", &s2);
    stat("st3", &s3);
    CASE("stat-hard-link", "same-ino=%d nlink=%lu,%lu other-ino-differs=%d same-dev=%d", s.st_ino == s2.st_ino, (unsigned long)s.st_nlink,
         (unsigned long)s2.st_nlink, s.st_ino != s3.st_ino, s.st_dev == s3.st_dev);

    a = rv(stat("nope", &s));
    c = rv(stat("st/x", &s));
    d = rv(stat("", &s));
    CASE("stat-errors", "missing=%s through-file=%s empty=%s", a, c, d);
    a = rv(stat((const char *)bad_addr(), &s));
    c = rv(stat("st", (struct stat *)bad_addr()));
    CASE("stat-efault", "path=%s buf=%s", a, c);
    a = rv(lstat("nope", &s));
    CASE("lstat-missing", "%s", a);

    put("sd/f", "abc");
    ign(symlink("f", "sd/fl"));
    int dfd = open("sd", O_RDONLY | O_DIRECTORY);
    r = fstatat(dfd, "f", &s, 0);
    a = rv(r);
    CASE("fstatat-dirfd", "%s type=%s size=%ld", a, type_of(s.st_mode), (long)s.st_size);
    r = fstatat(dfd, "fl", &s, AT_SYMLINK_NOFOLLOW);
    a = rv(r);
    c = type_of(s.st_mode);
    r = fstatat(dfd, "fl", &s, 0);
    CASE("fstatat-nofollow", "%s nofollow=%s follow=%s", a, c, type_of(s.st_mode));
    fd = open("st", O_RDONLY);
    a = rv(fstatat(fd, "x", &s, 0));
    c = rv(fstatat(-1, "x", &s, 0));
    d = rv(fstatat(dfd, "f", &s, 0x1));
    CASE("fstatat-errors", "file-dirfd=%s bad-dirfd=%s bad-flags=%s", a, c, d);
    char abspath[PATH_MAX + 8];
    snprintf(abspath, sizeof abspath, "%s/st", top);
    a = rv(fstatat(-1, abspath, &s, 0));
    CASE("fstatat-absolute-ignores-dirfd", "%s", a);
    r = fstatat(fd, "", &s, AT_EMPTY_PATH);
    a = rv(r);
    CASE("fstatat-empty-path-fd", "%s type=%s size=%ld", a, type_of(s.st_mode), (long)s.st_size);
    fstat(topfd, &s2);
    r = fstatat(AT_FDCWD, "", &s, AT_EMPTY_PATH);
    a = rv(r);
    CASE("fstatat-empty-path-cwd", "%s type=%s is-cwd=%d", a, type_of(s.st_mode), s.st_ino == s2.st_ino && s.st_dev == s2.st_dev);
    a = rv(fstatat(fd, "", &s, 0));
    CASE("fstatat-empty-path-without-flag", "%s", a);
    close(dfd);

    r = stat(".", &s);
    CASE("stat-dot", "%s is-top=%d", rv(r), s.st_ino == s2.st_ino && s.st_dev == s2.st_dev);
    r = stat("/", &s);
    a = rv(r);
    CASE("stat-root", "%s type=%s", a, type_of(s.st_mode));
    int closed = dup(fd);
    close(closed);
    a = rv(fstat(closed, &s));
    CASE("fstat-bad-fd", "%s", a);
    int p[2];
    if (pipe(p) == 0) {
        r = fstat(p[0], &s);
        a = rv(r);
        CASE("fstat-pipe", "%s type=%s", a, type_of(s.st_mode));
        close(p[0]);
        close(p[1]);
    }

    struct k_statx x;
    memset(&x, 0, sizeof x);
    long lr = syscall(SYS_statx, AT_FDCWD, "st", 0, K_STATX_BASIC_STATS, &x);
    a = rv(lr);
    CASE("statx", "%s basic-stats=%d type=%s mode=%o size=%llu nlink=%u", a, (x.mask & K_STATX_BASIC_STATS) == K_STATX_BASIC_STATS,
         type_of(x.mode), (unsigned)(x.mode & 07777), (unsigned long long)x.size, x.nlink);
    memset(&x, 0, sizeof x);
    lr = syscall(SYS_statx, fd, "", AT_EMPTY_PATH, K_STATX_SIZE, &x);
    a = rv(lr);
    CASE("statx-empty-path", "%s size-in-mask=%d size=%llu", a, !!(x.mask & K_STATX_SIZE), (unsigned long long)x.size);
    memset(&x, 0, sizeof x);
    lr = syscall(SYS_statx, AT_FDCWD, "stl", AT_SYMLINK_NOFOLLOW, K_STATX_TYPE | K_STATX_SIZE, &x);
    a = rv(lr);
    CASE("statx-nofollow", "%s type=%s size=%llu", a, type_of(x.mode), (unsigned long long)x.size);
    a = rv(syscall(SYS_statx, AT_FDCWD, "st", AT_STATX_FORCE_SYNC | AT_STATX_DONT_SYNC, K_STATX_BASIC_STATS, &x));
    c = rv(syscall(SYS_statx, AT_FDCWD, "st", 0, K_STATX_RESERVED, &x));
    d = rv(syscall(SYS_statx, AT_FDCWD, "nope", 0, K_STATX_BASIC_STATS, &x));
    CASE("statx-errors", "both-sync-flags=%s reserved-mask=%s missing=%s", a, c, d);
    close(fd);
}

/* ---- directories: readdir, getdents64 ---- */

struct ent {
    char name[256];
    int type;
};
static struct ent ents[512];

static int ent_cmp(const void *a, const void *b)
{
    return strcmp(((const struct ent *)a)->name, ((const struct ent *)b)->name);
}

static const char *dtname(int t)
{
    switch (t) {
    case DT_REG: return "f";
    case DT_DIR: return "d";
    case DT_LNK: return "l";
    case DT_UNKNOWN: return "?";
    }
    char *b = sbuf();
    snprintf(b, BUFLEN, "t%d", t);
    return b;
}

static int read_all(DIR *d)
{
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (n < 512) {
            snprintf(ents[n].name, sizeof ents[n].name, "%s", e->d_name);
            ents[n].type = e->d_type;
            n++;
        }
    return n;
}

/* Sorted "name:type" list. */
static const char *joined(int n)
{
    qsort(ents, (size_t)n, sizeof ents[0], ent_cmp);
    char *b = sbuf();
    b[0] = 0;
    for (int i = 0; i < n; i++) {
        size_t l = strlen(b);
        snprintf(b + l, BUFLEN - l, "%s%s:%s", i ? " " : "", ents[i].name, dtname(ents[i].type));
    }
    return b;
}

static const char *listing(const char *path)
{
    DIR *d = opendir(path);
    if (!d)
        return rp(NULL);
    int n = read_all(d);
    closedir(d);
    return joined(n);
}

/* Every entry getdents64 gives, bufsz bytes at a time; the count of calls
 * that returned entries in *calls. */
static long gd_collect(int fd, size_t bufsz, int *calls)
{
    static char buf[8192] __attribute__((aligned(8)));
    int n = 0;
    *calls = 0;
    for (;;) {
        long r = syscall(SYS_getdents64, fd, buf, bufsz);
        if (r < 0)
            return -1;
        if (r == 0)
            break;
        ++*calls;
        for (long off = 0; off < r;) {
            unsigned short reclen;
            memcpy(&reclen, buf + off + 16, sizeof reclen);
            if (n < 512) {
                snprintf(ents[n].name, sizeof ents[n].name, "%s", buf + off + 19);
                ents[n].type = (unsigned char)buf[off + 18];
                n++;
            }
            if (reclen == 0)
                return -2;
            off += reclen;
        }
    }
    return n;
}

static int all_many(int n)
{
    static char seen[300];
    memset(seen, 0, sizeof seen);
    int dot = 0, dotdot = 0, other = 0;
    for (int i = 0; i < n; i++) {
        if (strcmp(ents[i].name, ".") == 0)
            dot++;
        else if (strcmp(ents[i].name, "..") == 0)
            dotdot++;
        else if (ents[i].name[0] == 'e' && strlen(ents[i].name) == 4) {
            int k = atoi(ents[i].name + 1);
            if (k >= 0 && k < 300)
                seen[k]++;
        } else
            other++;
    }
    for (int k = 0; k < 300; k++)
        if (seen[k] != 1)
            return 0;
    return dot == 1 && dotdot == 1 && other == 0;
}

static void t_dir(void)
{
    const char *a, *c, *d;
    int n, calls;

    mkdir("ls", 0755);
    put("ls/a", "a");
    mkdir("ls/b", 0755);
    ign(symlink("a", "ls/c"));
    CASE("readdir", "%s", listing("ls"));
    unlink("ls/a");
    CASE("readdir-after-unlink", "%s", listing("ls"));

    DIR *dp = opendir("ls");
    n = read_all(dp);
    put("ls/new", "n");
    rewinddir(dp);
    int n2 = read_all(dp);
    CASE("rewinddir-sees-new-entry", "before=%d after=%d", n, n2);
    rewinddir(dp);
    while (readdir(dp))
        ;
    errno = 0;
    struct dirent *end = readdir(dp);
    CASE("readdir-end", "null=%d errno=%s", end == NULL, errname(errno));
    closedir(dp);

    int fd = open("ls", O_RDONLY | O_DIRECTORY);
    dp = fdopendir(fd);
    a = rp(dp);
    int same = dp && dirfd(dp) == fd;
    n = dp ? read_all(dp) : -1;
    if (dp)
        closedir(dp);
    CASE("fdopendir", "%s dirfd-is-fd=%d entries=%d closedir-closes-fd=%d", a, same, n, !fd_open(fd));
    put("lf", "x");
    fd = open("lf", O_RDONLY);
    dp = fdopendir(fd);
    a = rp(dp);
    CASE("fdopendir-on-file", "%s fd-still-open=%d", a, fd_open(fd));
    if (dp)
        closedir(dp);
    else
        close(fd);
    a = rp(opendir("lf"));
    c = rp(opendir("nope"));
    d = rp(opendir(""));
    CASE("opendir-errors", "file=%s missing=%s empty=%s", a, c, d);

    mkdir("many", 0755);
    char name[32];
    for (int i = 0; i < 300; i++) {
        snprintf(name, sizeof name, "many/e%03d", i);
        put(name, "");
    }
    dp = opendir("many");
    n = read_all(dp);
    closedir(dp);
    CASE("readdir-many", "entries=%d each-once=%d", n, all_many(n));

    fd = open("ls", O_RDONLY | O_DIRECTORY);
    long r = gd_collect(fd, 4096, &calls);
    CASE("getdents64", "%s", r < 0 ? rv(-1) : joined((int)r));
    a = rv(syscall(SYS_getdents64, fd, ents, 4096));
    CASE("getdents64-at-end", "%s", a);
    lseek(fd, 0, SEEK_SET);
    r = gd_collect(fd, 4096, &calls);
    CASE("getdents64-after-rewind", "entries=%ld", r);
    lseek(fd, 0, SEEK_SET);
    static char tiny[8] __attribute__((aligned(8)));
    a = rv(syscall(SYS_getdents64, fd, tiny, 1));
    c = rv(syscall(SYS_getdents64, fd, bad_addr(), 4096));
    close(fd);
    CASE("getdents64-buffer", "one-byte=%s bad-pointer=%s", a, c);
    fd = open("lf", O_RDONLY);
    a = rv(syscall(SYS_getdents64, fd, ents, 4096));
    close(fd);
    c = rv(syscall(SYS_getdents64, fd, ents, 4096));
    CASE("getdents64-errors", "file=%s closed=%s", a, c);

    fd = open("many", O_RDONLY | O_DIRECTORY);
    r = gd_collect(fd, 512, &calls);
    close(fd);
    CASE("getdents64-small-buffer", "entries=%ld each-once=%d several-calls=%d", r, r > 0 && all_many((int)r), calls > 1);

    mkdir("gone", 0755);
    fd = open("gone", O_RDONLY | O_DIRECTORY);
    rmdir("gone");
    a = rv(syscall(SYS_getdents64, fd, ents, 4096));
    close(fd);
    CASE("getdents64-removed-dir", "%s", a);
}

/* ---- mkdir, rmdir, unlink ---- */

static void t_mkdir(void)
{
    const char *a, *c, *d, *e;

    a = rv(mkdir("mk", 0777));
    CASE("mkdir-mode-umask", "%s type=%s mode=%s", a, ltype("mk"), modestr("mk"));
    mkdir("mk2", 01777);
    mkdir("mk3", 02777);
    CASE("mkdir-special-bits", "sticky=%s setgid=%s", modestr("mk2"), modestr("mk3"));
    put("mf", "x");
    ign(symlink("nothere", "mdl"));
    a = rv(mkdir("mk", 0755));
    c = rv(mkdir("mf", 0755));
    d = rv(mkdir("mk/", 0755));
    e = rv(mkdir("mdl", 0755));
    CASE("mkdir-exists", "dir=%s file=%s dir-slash=%s dangling-symlink=%s", a, c, d, e);
    a = rv(mkdir("nodir/x", 0755));
    c = rv(mkdir("mf/x", 0755));
    d = rv(mkdir("", 0755));
    CASE("mkdir-errors", "missing-parent=%s under-file=%s empty=%s", a, c, d);
    char n256[258];
    memset(n256, 'd', 256);
    n256[256] = 0;
    a = rv(mkdir(n256, 0755));
    CASE("mkdir-name-256", "%s", a);
    a = rv(mkdir("mk4/", 0755));
    CASE("mkdir-trailing-slash", "%s type=%s", a, ltype("mk4"));
    int dfd = open("mk", O_RDONLY | O_DIRECTORY);
    a = rv(mkdirat(dfd, "inner", 0700));
    close(dfd);
    CASE("mkdirat", "%s type=%s mode=%s", a, ltype("mk/inner"), modestr("mk/inner"));

    a = rv(rmdir("mk"));
    CASE("rmdir-not-empty", "%s", a);
    a = rv(rmdir("."));
    c = rv(rmdir(".."));
    d = rv(rmdir("mk/."));
    e = rv(rmdir("mk/.."));
    CASE("rmdir-dots", "dot=%s dotdot=%s sub-dot=%s sub-dotdot=%s", a, c, d, e);
    a = rv(rmdir("/"));
    CASE("rmdir-root", "%s", a);
    ign(symlink("mk4", "mk4l"));
    a = rv(rmdir("mf"));
    c = rv(rmdir("nope"));
    d = rv(rmdir("mk4l"));
    e = rv(rmdir("mk4l/"));
    CASE("rmdir-errors", "file=%s missing=%s symlink=%s symlink-slash=%s", a, c, d, e);
    mkdir("mk5", 0755);
    ign(symlink("nothere", "mk5/dangling"));
    a = rv(rmdir("mk5"));
    CASE("rmdir-dangling-symlink-inside", "%s", a);
    unlink("mk5/dangling");
    a = rv(rmdir("mk5"));
    c = rv(rmdir("mk4/"));
    CASE("rmdir-empty", "%s trailing-slash=%s gone=%s,%s", a, c, ltype("mk5"), ltype("mk4"));

    a = rv(unlink("mk"));
    c = rv(unlink("."));
    d = rv(unlink("mk/"));
    CASE("unlink-dir", "dir=%s dot=%s dir-slash=%s", a, c, d);
    a = rv(unlink("nope"));
    c = rv(unlink("mf/"));
    d = rv(unlink(""));
    CASE("unlink-errors", "missing=%s file-slash=%s empty=%s", a, c, d);
    ign(symlink("mf", "mfl"));
    a = rv(unlink("mfl"));
    CASE("unlink-symlink", "%s link=%s target=%s", a, ltype("mfl"), ltype("mf"));
    a = rv(unlinkat(AT_FDCWD, "mf", AT_REMOVEDIR));
    mkdir("mk6", 0755);
    c = rv(unlinkat(AT_FDCWD, "mk6", AT_REMOVEDIR));
    d = rv(unlinkat(AT_FDCWD, "mf", 0x1));
    CASE("unlinkat", "removedir-file=%s removedir-dir=%s bad-flags=%s", a, c, d);
    int ffd = open("mf", O_RDONLY);
    a = rv(unlinkat(ffd, "x", 0));
    close(ffd);
    dfd = open("mk", O_RDONLY | O_DIRECTORY);
    put("mk/f", "f");
    c = rv(unlinkat(dfd, "f", 0));
    d = rv(unlinkat(dfd, "inner", AT_REMOVEDIR));
    close(dfd);
    CASE("unlinkat-dirfd", "file-dirfd=%s file=%s dir=%s left=%s", a, c, d, listing("mk"));
}

/* ---- rename ---- */

static long renameat2_(const char *a, const char *b, unsigned flags)
{
    return syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, flags);
}

static void t_rename(void)
{
    const char *a, *c, *d, *e;
    struct stat s;

    put("ra", "A");
    put("rb", "B");
    int fb = open("rb", O_RDONLY);
    a = rv(rename("ra", "rb"));
    fstat(fb, &s);
    close(fb);
    CASE("rename-over-file", "%s content=%s source=%s replaced-nlink=%lu", a, get("rb"), ltype("ra"), (unsigned long)s.st_nlink);
    a = rv(rename("rb", "rb"));
    CASE("rename-same-name", "%s content=%s", a, get("rb"));
    ign(link("rb", "rc"));
    a = rv(rename("rb", "rc"));
    CASE("rename-hard-link-pair", "%s first=%s second=%s nlink=%ld", a, ltype("rb"), ltype("rc"), nlinks("rc"));

    mkdir("rd1", 0755);
    put("rd1/f", "f");
    mkdir("rd2", 0755);
    a = rv(rename("rd1", "rd2"));
    CASE("rename-dir-over-empty-dir", "%s moved=%s source=%s", a, get("rd2/f"), ltype("rd1"));
    mkdir("rd3", 0755);
    put("rd3/g", "g");
    /* POSIX allows either error; Linux's tmpfs, ext4 and btrfs give
     * ENOTEMPTY, xfs EEXIST. */
    int r = rename("rd2", "rd3");
    a = r == 0 ? "0" : errno == ENOTEMPTY || errno == EEXIST ? "-1 ENOTEMPTY-or-EEXIST" : rv(-1);
    CASE("rename-dir-over-non-empty-dir", "%s", a);
    mkdir("rd2/sub", 0755);
    a = rv(rename("rd2", "rd2/sub/x"));
    c = rv(rename("rd2", "rd2/sub"));
    CASE("rename-dir-into-itself", "below=%s onto-child=%s", a, c);

    put("rf", "F");
    mkdir("re", 0755);
    a = rv(rename("rf", "re"));
    c = rv(rename("re", "rf"));
    CASE("rename-type-mismatch", "file-over-dir=%s dir-over-file=%s", a, c);
    a = rv(rename("nope", "x"));
    c = rv(rename("rf", "nodir/x"));
    d = rv(rename("rf", "rf/x"));
    e = rv(rename("rf", "rnew/"));
    CASE("rename-errors", "missing=%s missing-parent=%s under-file=%s file-to-slash=%s", a, c, d, e);
    a = rv(rename("re", "re2/"));
    CASE("rename-dir-trailing-slash", "%s type=%s", a, ltype("re2"));
    a = rv(rename(".", "x"));
    c = rv(rename("rf", "."));
    d = rv(rename("rf", ".."));
    e = rv(rename("..", "x"));
    CASE("rename-dots", "from-dot=%s to-dot=%s to-dotdot=%s from-dotdot=%s", a, c, d, e);
    ign(symlink("rf", "rl"));
    a = rv(rename("rl", "rl2"));
    CASE("rename-symlink", "%s new=%s old=%s target=%s", a, ltype("rl2"), ltype("rl"), ltype("rf"));
    int dfd = open("rd3", O_RDONLY | O_DIRECTORY);
    a = rv(renameat(dfd, "g", topfd, "rg"));
    close(dfd);
    CASE("renameat", "%s content=%s left=%s", a, get("rg"), listing("rd3"));

    put("x1", "one");
    put("x2", "two");
    a = rv(renameat2_("x1", "x2", RENAME_NOREPLACE));
    c = rv(renameat2_("x1", "x3", RENAME_NOREPLACE));
    CASE("renameat2-noreplace", "exists=%s new=%s content=%s", a, c, get("x3"));
    a = rv(renameat2_("x3", "x2", RENAME_EXCHANGE));
    CASE("renameat2-exchange", "%s x3=%s x2=%s", a, get("x3"), get("x2"));
    mkdir("xd", 0755);
    a = rv(renameat2_("x3", "xd", RENAME_EXCHANGE));
    CASE("renameat2-exchange-file-and-dir", "%s x3=%s xd=%s", a, ltype("x3"), ltype("xd"));
    a = rv(renameat2_("x2", "nope", RENAME_EXCHANGE));
    c = rv(renameat2_("x2", "x9", RENAME_NOREPLACE | RENAME_EXCHANGE));
    d = rv(renameat2_("x2", "x9", 0x80));
    e = rv(renameat2_("x2", ".", RENAME_NOREPLACE));
    CASE("renameat2-errors", "exchange-missing=%s both-flags=%s bad-flag=%s noreplace-dot=%s", a, c, d, e);

    /* /dev/shm is another mount than /tmp. */
    char shmfile[128];
    snprintf(shmfile, sizeof shmfile, "/dev/shm%s-x", shmname);
    int fd = open(shmfile, O_WRONLY | O_CREAT | O_EXCL, 0600);
    a = rk(fd);
    close(fd);
    c = rv(rename(shmfile, "fromshm"));
    d = rv(link(shmfile, "fromshm"));
    e = rv(unlink(shmfile));
    CASE("rename-across-mounts", "create=%s rename=%s link=%s unlink=%s", a, c, d, e);
}

/* ---- links ---- */

static void t_link(void)
{
    const char *a, *c, *d, *e;
    char buf[128];
    struct stat s;

    put("l1", "data");
    a = rv(link("l1", "l2"));
    CASE("link-nlink", "%s nlink=%ld,%ld content=%s", a, nlinks("l1"), nlinks("l2"), get("l2"));
    unlink("l1");
    CASE("unlink-nlink", "nlink=%ld content=%s", nlinks("l2"), get("l2"));
    mkdir("ldir", 0755);
    a = rv(link("ldir", "ldir2"));
    c = rv(link("l2", "l2"));
    d = rv(link("nope", "x"));
    e = rv(link("l2", "nodir/x"));
    CASE("link-errors", "dir=%s exists=%s missing=%s missing-parent=%s", a, c, d, e);
    a = rv(link("l2", "l2/x"));
    c = rv(link("l2/", "lx"));
    CASE("link-through-file", "new-under-file=%s old-slash=%s", a, c);

    ign(symlink("l2", "lsy"));
    a = rv(linkat(AT_FDCWD, "lsy", AT_FDCWD, "lhard", 0));
    c = rv(linkat(AT_FDCWD, "lsy", AT_FDCWD, "lfoll", AT_SYMLINK_FOLLOW));
    CASE("linkat-symlink", "nofollow=%s:%s follow=%s:%s target-nlink=%ld symlink-nlink=%ld", a, ltype("lhard"), c, ltype("lfoll"),
         nlinks("l2"), nlinks("lsy"));
    a = rv(linkat(AT_FDCWD, "l2", AT_FDCWD, "lbad", 0x1));
    CASE("linkat-bad-flags", "%s", a);

    put("ul", "hello");
    int fd = open("ul", O_RDWR);
    unlink("ul");
    fstat(fd, &s);
    ssize_t n = read(fd, buf, sizeof buf);
    ssize_t w = write(fd, " more", 5);
    ssize_t m = pread(fd, buf + 64, 32, 0);
    CASE("open-unlinked-file", "name=%s nlink=%lu read=%.*s write=%zd reread=%.*s", ltype("ul"), (unsigned long)s.st_nlink,
         n > 0 ? (int)n : 0, buf, w, m > 0 ? (int)m : 0, buf + 64);
    close(fd);

    a = rv(symlink("some/target", "sy"));
    memset(buf, '#', sizeof buf);
    n = readlink("sy", buf, sizeof buf);
    CASE("readlink", "symlink=%s read=%zd target=%.*s", a, n, n > 0 ? (int)n : 0, buf);
    memset(buf, '#', sizeof buf);
    n = readlink("sy", buf, 4);
    CASE("readlink-short-buffer", "read=%zd got=%.4s no-nul=%d", n, buf, buf[4] == '#');
    put("lreg", "r");
    a = rv(readlink("lreg", buf, sizeof buf));
    c = rv(readlink("nope", buf, sizeof buf));
    d = rv(readlink("ldir", buf, sizeof buf));
    e = rv(readlink("sy", buf, 0));
    CASE("readlink-errors", "regular=%s missing=%s dir=%s zero-size=%s", a, c, d, e);
    int dfd = open("ldir", O_RDONLY | O_DIRECTORY);
    a = rv(symlinkat("../l2", dfd, "up"));
    n = readlinkat(dfd, "up", buf, sizeof buf);
    close(dfd);
    CASE("symlinkat-readlinkat", "%s read=%zd target=%.*s through=%s", a, n, n > 0 ? (int)n : 0, buf, get("ldir/up"));
    a = rv(symlink("x", "sy"));
    c = rv(symlink("", "syempty"));
    CASE("symlink-errors", "exists=%s empty-target=%s", a, c);

    ign(symlink("missing", "dg"));
    struct stat ls;
    a = rv(stat("dg", &s));
    c = rv(lstat("dg", &ls));
    d = rv(access("dg", F_OK));
    e = tryopen("dg", O_RDONLY, 0);
    CASE("dangling-symlink", "stat=%s lstat=%s:%s access=%s open=%s", a, c, type_of(ls.st_mode), d, e);

    ign(symlink("lp", "lp"));
    ign(symlink("lpb", "lpa"));
    ign(symlink("lpa", "lpb"));
    a = rv(stat("lp", &s));
    c = tryopen("lp", O_RDONLY, 0);
    d = rv(stat("lpa", &s));
    e = rv(stat("lp/x", &s));
    CASE("symlink-loop", "self=%s open=%s pair=%s component=%s lstat=%s", a, c, d, e, ltype("lp"));

    /* Linux follows at most 40 links in one lookup. */
    put("kf", "end");
    char from[16], to[16];
    for (int i = 1; i <= 41; i++) {
        snprintf(from, sizeof from, "k%d", i);
        if (i == 1)
            snprintf(to, sizeof to, "kf");
        else
            snprintf(to, sizeof to, "k%d", i - 1);
        ign(symlink(to, from));
    }
    a = rv(stat("k40", &s));
    c = rv(stat("k41", &s));
    CASE("symlink-chain", "40=%s 41=%s", a, c);

    mkdir("tsd", 0755);
    ign(symlink("tsd", "tsl"));
    ign(symlink("l2", "tsf"));
    struct stat s2;
    a = rv(stat("tsl/", &s));
    c = rv(lstat("tsl/", &s2));
    CASE("symlink-trailing-slash", "stat=%s:%s lstat=%s:%s lstat-plain=%s to-file=%s", a, type_of(s.st_mode), c, type_of(s2.st_mode),
         ltype("tsl"), rv(stat("tsf/", &s)));
}

/* ---- access, chmod, umask, times ---- */

static long faccessat2_(const char *p, int mode, int flags)
{
    return syscall(SYS_faccessat2, AT_FDCWD, p, mode, flags);
}

static void t_access(void)
{
    const char *a, *c, *d, *e;

    put("ac", "x");
    a = rv(access("nope", F_OK));
    c = rv(access("ac", F_OK));
    d = rv(access("ac", R_OK | W_OK));
    e = rv(access("ac", X_OK));
    CASE("access-0644", "missing=%s exists=%s rw=%s x=%s", a, c, d, e);
    put_mode("ax", "x", 0755);
    put_mode("ax1", "x", 0100);
    mkdir("adir", 0700);
    a = rv(access("ax", X_OK));
    c = rv(access("ax1", X_OK));
    d = rv(access("adir", X_OK));
    CASE("access-x", "0755=%s 0100=%s dir=%s", a, c, d);
    a = rv(access("ac", 8));
    c = rv(access("ac/x", F_OK));
    d = rv(access("", F_OK));
    CASE("access-errors", "bad-mode=%s through-file=%s empty=%s", a, c, d);
    a = rv(faccessat(topfd, "ax", X_OK, 0));
    CASE("faccessat", "%s", a);
    ign(symlink("nothere", "adl"));
    a = rv(faccessat2_("adl", F_OK, AT_SYMLINK_NOFOLLOW));
    c = rv(faccessat2_("adl", F_OK, 0));
    d = rv(faccessat2_("ac", X_OK, AT_EACCESS));
    e = rv(faccessat2_("ac", F_OK, 0x1));
    CASE("faccessat2", "nofollow-dangling=%s follow-dangling=%s eaccess-x=%s bad-flags=%s", a, c, d, e);

    a = rv(chmod("ac", 0600));
    CASE("chmod", "%s mode=%s", a, modestr("ac"));
    chmod("ac", 04755);
    CASE("chmod-setuid", "mode=%s", modestr("ac"));
    chmod("ac", S_IFDIR | 0644);
    CASE("chmod-type-bits-ignored", "type=%s mode=%s", ltype("ac"), modestr("ac"));
    int fd = open("ac", O_RDONLY);
    a = rv(fchmod(fd, 0640));
    CASE("fchmod-on-rdonly-fd", "%s mode=%s", a, modestr("ac"));
    close(fd);
    a = rv(fchmod(fd, 0640));
    c = rv(fchmodat(AT_FDCWD, "ac", 0604, 0));
    CASE("fchmod-fchmodat", "closed-fd=%s fchmodat=%s mode=%s", a, c, modestr("ac"));
    ign(symlink("ac", "acl"));
    a = rv(chmod("acl", 0700));
    c = rv(chmod("nope", 0700));
    CASE("chmod-follows-symlink", "%s target=%s link=%s missing=%s", a, modestr("ac"), modestr("acl"), c);

    mode_t u1 = umask(077);
    mode_t u2 = umask(07777);
    mode_t u3 = umask(022);
    CASE("umask", "was=%03o then=%03o masked=%03o", (unsigned)u1, (unsigned)u2, (unsigned)u3);

    struct stat s;
    struct timespec t[2] = {{1000000000, 0}, {1200000000, 0}};
    a = rv(utimensat(AT_FDCWD, "ac", t, 0));
    stat("ac", &s);
    CASE("utimensat", "%s atime-set=%d mtime-set=%d", a, s.st_atim.tv_sec == 1000000000 && s.st_atim.tv_nsec == 0,
         s.st_mtim.tv_sec == 1200000000 && s.st_mtim.tv_nsec == 0);
    struct timespec omit[2] = {{0, UTIME_OMIT}, {1300000000, 0}};
    a = rv(utimensat(AT_FDCWD, "ac", omit, 0));
    stat("ac", &s);
    CASE("utimensat-omit", "%s atime-kept=%d mtime-set=%d", a, s.st_atim.tv_sec == 1000000000, s.st_mtim.tv_sec == 1300000000);
    struct timespec now[2] = {{0, UTIME_OMIT}, {0, UTIME_NOW}};
    a = rv(utimensat(AT_FDCWD, "ac", now, 0));
    stat("ac", &s);
    CASE("utimensat-now", "%s atime-kept=%d mtime-moved=%d", a, s.st_atim.tv_sec == 1000000000, s.st_mtim.tv_sec != 1300000000);
    fd = open("ac", O_RDONLY);
    struct timespec ft[2] = {{1100000000, 0}, {1100000000, 0}};
    a = rv(futimens(fd, ft));
    close(fd);
    stat("ac", &s);
    CASE("futimens", "%s set=%d", a, s.st_atim.tv_sec == 1100000000 && s.st_mtim.tv_sec == 1100000000);
    struct timespec lt[2] = {{1400000000, 0}, {1400000000, 0}};
    a = rv(utimensat(AT_FDCWD, "acl", lt, AT_SYMLINK_NOFOLLOW));
    struct stat ls;
    lstat("acl", &ls);
    stat("ac", &s);
    CASE("utimensat-symlink-nofollow", "%s link-set=%d target-kept=%d", a, ls.st_mtim.tv_sec == 1400000000, s.st_mtim.tv_sec == 1100000000);
    struct timespec bad[2] = {{0, 1000000000}, {0, 0}};
    a = rv(utimensat(AT_FDCWD, "ac", bad, 0));
    c = rv(utimensat(AT_FDCWD, "nope", t, 0));
    d = rv(utimensat(AT_FDCWD, "ac", t, 0x1));
    CASE("utimensat-errors", "bad-nsec=%s missing=%s bad-flags=%s", a, c, d);
}

/* ---- working directory, realpath ---- */

static const char *cwd_rel(void)
{
    static char b[PATH_MAX];
    if (!getcwd(b, sizeof b))
        return rp(NULL);
    return relpath(b);
}

static const char *real_rel(const char *p)
{
    static char b[PATH_MAX];
    if (!realpath(p, b))
        return rp(NULL);
    return relpath(b);
}

static void t_cwd(void)
{
    const char *a, *c, *d, *e;
    char b[PATH_MAX];

    CASE("getcwd", "%s", cwd_rel());
    mkdir("cw", 0755);
    mkdir("cw/deep", 0755);
    a = rv(chdir("cw/deep"));
    CASE("chdir-subdir", "%s cwd=%s", a, cwd_rel());
    a = rv(chdir(".."));
    CASE("chdir-dotdot", "%s cwd=%s", a, cwd_rel());
    a = rv(fchdir(topfd));
    CASE("fchdir", "%s cwd=%s", a, cwd_rel());
    put("cf", "x");
    a = rv(chdir("cf"));
    c = rv(chdir("nope"));
    d = rv(chdir(""));
    CASE("chdir-errors", "file=%s missing=%s empty=%s cwd=%s", a, c, d, cwd_rel());
    int fd = open("cf", O_RDONLY);
    a = rv(fchdir(fd));
    close(fd);
    c = rv(fchdir(fd));
    CASE("fchdir-errors", "file=%s closed=%s", a, c);

    a = rp(getcwd(b, toplen));
    c = rp(getcwd(b, toplen + 1));
    d = rp(getcwd(b, 0));
    CASE("getcwd-size", "one-short=%s exact=%s zero=%s", a, c, d);

    ign(symlink("cw/deep", "cwl"));
    a = rv(chdir("cwl"));
    CASE("chdir-through-symlink", "%s cwd=%s", a, cwd_rel());
    ign(fchdir(topfd));
    mkdir("mv1", 0755);
    ign(chdir("mv1"));
    a = rv(renameat(topfd, "mv1", topfd, "mv2"));
    CASE("getcwd-after-rename", "%s cwd=%s", a, cwd_rel());
    ign(fchdir(topfd));
    mkdir("rmcwd", 0755);
    ign(chdir("rmcwd"));
    a = rv(unlinkat(topfd, "rmcwd", AT_REMOVEDIR));
    c = cwd_rel();
    d = tryopen("x", O_WRONLY | O_CREAT, 0644);
    e = rv(chdir(".."));
    CASE("cwd-removed", "rmdir=%s getcwd=%s create=%s chdir-dotdot=%s cwd=%s", a, c, d, e, cwd_rel());
    ign(fchdir(topfd));
    ign(chdir("cw"));
    put("inner", "i");
    ign(fchdir(topfd));
    CASE("relative-after-chdir", "%s", get("cw/inner"));

    mkdir("rp_a", 0755);
    put("rp_b", "b");
    CASE("realpath-dotdot", "%s", real_rel("./rp_a/../rp_b"));
    CASE("realpath-symlink", "%s", real_rel("cwl"));
    CASE("realpath-dot", "%s", real_rel("."));
    CASE("realpath-slashes", "%s", real_rel("cw//deep/./"));
    ign(symlink("../cf", "cw/upl"));
    CASE("realpath-relative-symlink", "%s", real_rel("cw/upl"));
    ign(symlink("nothere", "rpdg"));
    ign(symlink("rplp", "rplp"));
    a = real_rel("nope");
    c = real_rel("cf/x");
    d = real_rel("rpdg");
    e = real_rel("rplp");
    CASE("realpath-errors", "missing=%s through-file=%s dangling=%s loop=%s", a, c, d, e);
}

/* ---- truncate ---- */

static void t_truncate(void)
{
    const char *a, *c, *d, *e;
    static char b[10000];

    put("tr", "hello");
    a = rv(truncate("tr", 10000));
    int fd = open("tr", O_RDWR);
    ssize_t n = pread(fd, b, sizeof b, 0);
    CASE("truncate-grow", "%s size=%ld read=%zd kept=%.5s zeros=%d", a, fsize("tr"), n, b, n == 10000 && zeros(b + 5, 9995));
    a = rv(truncate("tr", 3));
    CASE("truncate-shrink", "%s size=%ld content=%s", a, fsize("tr"), get("tr"));
    lseek(fd, 5, SEEK_SET);
    a = rv(ftruncate(fd, 2));
    off_t off = offset(fd);
    n = read(fd, b, 10);
    ssize_t w = write(fd, "Z", 1);
    ssize_t m = pread(fd, b, 16, 0);
    CASE("ftruncate-keeps-offset", "%s offset=%ld read=%zd write=%zd size=%ld middle-zeros=%d", a, (long)off, n, w, fsize("tr"),
         m == 6 && zeros(b + 2, 3));
    a = rv(ftruncate(fd, -1));
    c = rv(truncate("tr", -1));
    CASE("truncate-negative", "ftruncate=%s truncate=%s", a, c);
    close(fd);
    fd = open("tr", O_RDONLY);
    a = rv(ftruncate(fd, 0));
    close(fd);
    c = rv(ftruncate(fd, 0));
    CASE("ftruncate-errors", "rdonly=%s closed=%s", a, c);
    mkdir("trd", 0755);
    a = rv(truncate("trd", 0));
    c = rv(truncate("nope", 0));
    d = rv(truncate("tr/", 0));
    e = rv(truncate("", 0));
    CASE("truncate-errors", "dir=%s missing=%s file-slash=%s empty=%s", a, c, d, e);
    int p[2];
    if (pipe(p) == 0) {
        a = rv(ftruncate(p[1], 0));
        CASE("ftruncate-pipe", "%s", a);
        close(p[0]);
        close(p[1]);
    }
    put("tra", "abcdef");
    fd = open("tra", O_WRONLY | O_APPEND);
    ign(ftruncate(fd, 2));
    if (write(fd, "Q", 1) < 0) {
    }
    close(fd);
    CASE("ftruncate-then-append", "content=%s", get("tra"));
}

/* ---- ioctl, poll, statfs, sync, signals on files ---- */

static const char *evname(int ev)
{
    char *b = sbuf();
    b[0] = 0;
    static const struct {
        int bit;
        const char *name;
    } bits[] = {{POLLIN, "POLLIN"}, {POLLPRI, "POLLPRI"}, {POLLOUT, "POLLOUT"}, {POLLERR, "POLLERR"},
                {POLLHUP, "POLLHUP"}, {POLLNVAL, "POLLNVAL"}};
    for (size_t i = 0; i < sizeof bits / sizeof bits[0]; i++)
        if (ev & bits[i].bit) {
            size_t l = strlen(b);
            snprintf(b + l, BUFLEN - l, "%s%s", l ? "|" : "", bits[i].name);
            ev &= ~bits[i].bit;
        }
    if (ev) {
        size_t l = strlen(b);
        snprintf(b + l, BUFLEN - l, "%s0x%x", l ? "|" : "", ev);
    }
    return b[0] ? b : "0";
}

static void t_misc(void)
{
    const char *a, *c, *d, *e;
    char tio[256];
    int n = -1;

    put("io", "0123456789");
    int fd = open("io", O_RDWR);
    lseek(fd, 2, SEEK_SET);
    a = rv(ioctl(fd, FIONREAD, &n));
    CASE("fionread-file", "%s bytes=%d", a, n);
    lseek(fd, 20, SEEK_SET);
    n = -1;
    ioctl(fd, FIONREAD, &n);
    CASE("fionread-file-past-eof", "bytes=%d", n);
    a = rv(ioctl(fd, TCGETS, tio));
    errno = 0;
    int tty = isatty(fd);
    c = errname(errno);
    CASE("tty-on-file", "tcgets=%s isatty=%d errno=%s", a, tty, c);
    int closed = dup(fd);
    close(closed);
    a = rv(ioctl(closed, FIONREAD, &n));
    CASE("ioctl-bad-fd", "%s", a);

    int p[2];
    if (pipe(p) == 0) {
        if (write(p[1], "12345", 5) < 0) {
        }
        n = -1;
        a = rv(ioctl(p[0], FIONREAD, &n));
        errno = 0;
        tty = isatty(p[0]);
        CASE("pipe-fionread-isatty", "%s bytes=%d isatty=%d errno=%s", a, n, tty, errname(errno));
        close(p[0]);
        signal(SIGPIPE, SIG_IGN);
        a = rv(write(p[1], "x", 1));
        signal(SIGPIPE, SIG_DFL);
        close(p[1]);
        CASE("pipe-epipe", "%s", a);
    }
    if (pipe2(p, O_NONBLOCK) == 0) {
        a = rv(read(p[0], tio, 1));
        CASE("pipe-eagain", "%s", a);
        close(p[0]);
        close(p[1]);
    }

    struct pollfd pf[3] = {{fd, POLLIN | POLLOUT, 0}, {closed, POLLIN, 0}, {-1, POLLIN, 0}};
    a = rv(poll(pf, 3, 0));
    CASE("poll-file", "%s file=%s closed=%s negative=%s", a, evname(pf[0].revents), evname(pf[1].revents), evname(pf[2].revents));

    struct statfs sf;
    int r = statfs(".", &sf);
    a = rv(r);
    CASE("statfs", "%s bsize-positive=%d", a, sf.f_bsize > 0);
    r = fstatfs(fd, &sf);
    a = rv(r);
    CASE("fstatfs", "%s bsize-positive=%d", a, sf.f_bsize > 0);
    a = rv(statfs("nope", &sf));
    c = rv(statfs("io/x", &sf));
    d = rv(fstatfs(closed, &sf));
    CASE("statfs-errors", "missing=%s through-file=%s bad-fd=%s", a, c, d);

    a = rv(fsync(fd));
    c = rv(fdatasync(fd));
    close(fd);
    fd = open("io", O_RDONLY);
    d = rv(fsync(fd));
    close(fd);
    e = rv(fsync(topfd));
    CASE("fsync", "file=%s fdatasync=%s rdonly=%s dir=%s", a, c, d, e);
    a = rv(fsync(closed));
    if (pipe(p) == 0) {
        c = rv(fsync(p[0]));
        d = rv(fdatasync(p[1]));
        close(p[0]);
        close(p[1]);
        CASE("fsync-errors", "closed=%s pipe=%s pipe-fdatasync=%s", a, c, d);
    }

    a = rv(kill(getpid(), 0));
    c = rv(kill(INT_MAX, 0));
    CASE("kill-probe", "self=%s no-such-pid=%s", a, c);
}

/* ---- stdio on files ---- */

static void t_stdio(void)
{
    const char *a, *c, *d;
    char l1[64], l2[64], l3[64];
    FILE *f;

    f = fopen("sf", "w");
    a = rp(f);
    int p1 = fputs("line one\n", f);
    int p2 = fputs("line two\n", f);
    int cl = fclose(f);
    CASE("fopen-write", "%s fputs-nonneg=%d fclose=%d size=%ld", a, p1 >= 0 && p2 >= 0, cl, fsize("sf"));
    f = fopen("sf", "r");
    char *g1 = fgets(l1, sizeof l1, f);
    char *g2 = fgets(l2, sizeof l2, f);
    char *g3 = fgets(l3, sizeof l3, f);
    CASE("fgets", "first=%.*s second=%.*s third=%s eof=%d", g1 ? (int)strcspn(l1, "\n") : 0, l1, g2 ? (int)strcspn(l2, "\n") : 0, l2,
         g3 ? "line" : "NULL", feof(f) != 0);
    fclose(f);
    f = fopen("sf", "r");
    char small[5];
    g1 = fgets(small, sizeof small, f);
    CASE("fgets-short-buffer", "got=%s", g1 ? small : "NULL");
    fclose(f);

    f = fopen("sf", "a");
    fputs("three\n", f);
    fclose(f);
    CASE("fopen-append", "size=%ld", fsize("sf"));
    a = rp(fopen("nope", "r"));
    c = rp(fopen("od", "w"));
    d = rp(fopen("sf/x", "r"));
    CASE("fopen-errors", "missing=%s dir-for-writing=%s through-file=%s", a, c, d);

    f = fopen("sf", "r");
    int s1 = fseek(f, 5, SEEK_SET);
    long t1 = ftell(f);
    g1 = fgets(l1, sizeof l1, f);
    int s2 = fseek(f, 0, SEEK_END);
    long t2 = ftell(f);
    int s3 = fseek(f, -3, SEEK_CUR);
    long t3 = ftell(f);
    g2 = fgets(l2, sizeof l2, f);
    CASE("fseek-ftell", "set=%d:%ld read=%.*s end=%d:%ld back=%d:%ld read=%.*s", s1, t1, g1 ? (int)strcspn(l1, "\n") : 0, l1, s2, t2, s3,
         t3, g2 ? (int)strcspn(l2, "\n") : 0, l2);
    a = rv(fseek(f, -100, SEEK_SET));
    CASE("fseek-negative", "%s ftell=%ld", a, ftell(f));
    fseek(f, 0, SEEK_SET);
    char blk[512];
    size_t items = fread(blk, 4, 100, f);
    CASE("fread-items", "items=%zu eof=%d", items, feof(f) != 0);
    fclose(f);

    f = fopen("sf", "r+");
    size_t wr = fwrite("LINE", 4, 1, f);
    fclose(f);
    f = fopen("sf", "r");
    g1 = fgets(l1, sizeof l1, f);
    fclose(f);
    CASE("fopen-update", "fwrite=%zu first=%.*s", wr, g1 ? (int)strcspn(l1, "\n") : 0, l1);

    int fd = open("fdo", O_RDWR | O_CREAT | O_TRUNC, 0644);
    f = fdopen(fd, "w");
    a = rp(f);
    fputs("abc", f);
    fflush(f);
    char b[8] = {0};
    ssize_t n = pread(fd, b, sizeof b - 1, 0);
    fclose(f);
    CASE("fdopen", "%s after-fflush=%zd:%s fclose-closes-fd=%d", a, n, b, !fd_open(fd));
    a = rp(fdopen(fd, "r"));
    CASE("fdopen-bad-fd", "%s", a);

    f = fopen("od", "r");
    a = rp(f);
    if (f) {
        errno = 0;
        g1 = fgets(l1, sizeof l1, f);
        c = errname(errno);
        CASE("fopen-dir-read", "%s fgets=%s errno=%s ferror=%d", a, g1 ? "line" : "NULL", c, ferror(f) != 0);
        fclose(f);
    } else {
        CASE("fopen-dir-read", "%s", a);
    }

    put("rmf", "x");
    mkdir("rmd", 0755);
    mkdir("rmn", 0755);
    put("rmn/x", "x");
    a = rv(remove("rmf"));
    c = rv(remove("rmd"));
    d = rv(remove("rmn"));
    CASE("remove", "file=%s dir=%s non-empty=%s gone=%s,%s missing=%s", a, c, d, ltype("rmf"), ltype("rmd"), rv(remove("nope")));

    char t[] = "msXXXXXX";
    fd = mkstemp(t);
    a = rk(fd);
    int changed = strncmp(t, "ms", 2) == 0 && strlen(t) == 8 && strcmp(t + 2, "XXXXXX") != 0;
    CASE("mkstemp", "%s name-filled=%d type=%s mode=%s rdwr=%d", a, changed, ltype(t), modestr(t), (fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDWR);
    close(fd);
    unlink(t);
    char bad1[] = "msbad";
    char bad2[] = "msXXXXX";
    a = rk(mkstemp(bad1));
    c = rk(mkstemp(bad2));
    CASE("mkstemp-bad-template", "no-x=%s five-x=%s", a, c);
    char dt[] = "mdXXXXXX";
    char *dr = mkdtemp(dt);
    a = rp(dr);
    CASE("mkdtemp", "%s type=%s mode=%s", a, ltype(dt), modestr(dt));
    rmdir(dt);
}

/* ---- mmap, shm ---- */

static char *map_file(int fd, size_t len, int prot, int flags)
{
    void *p = mmap(NULL, len, prot, flags, fd, 0);
    return p == MAP_FAILED ? NULL : (char *)p;
}

static void bus_past_eof(void *arg)
{
    (void)arg;
    int fd = open("mbus", O_RDONLY);
    char *p = map_file(fd, 2 * (size_t)pagesz, PROT_READ, MAP_SHARED);
    if (!p) {
        printf("mmap %s\n", rv(-1));
        return;
    }
    printf("last-byte=%c tail-of-page-zero=%d\n", p[99], p[100] == 0 && p[pagesz - 1] == 0);
    fflush(stdout);
    volatile char c = p[pagesz];
    printf("next-page=%d\n", c);
}

static void bus_after_shrink(void *arg)
{
    (void)arg;
    int fd = open("mshr", O_RDWR);
    char *p = map_file(fd, 2 * (size_t)pagesz, PROT_READ | PROT_WRITE, MAP_SHARED);
    if (!p) {
        printf("mmap %s\n", rv(-1));
        return;
    }
    p[pagesz] = 'a';
    printf("before=%c\n", p[pagesz]);
    ign(ftruncate(fd, pagesz));
    fflush(stdout);
    volatile char c = p[pagesz];
    printf("after=%d\n", c);
}

static void segv_readonly(void *arg)
{
    (void)arg;
    int fd = open("mro", O_RDONLY);
    char *p = map_file(fd, (size_t)pagesz, PROT_READ, MAP_SHARED);
    if (!p) {
        printf("mmap %s\n", rv(-1));
        return;
    }
    printf("read=%c\n", p[0]);
    fflush(stdout);
    *(volatile char *)p = 'x';
    printf("wrote\n");
}

static void t_mmap(void)
{
    const char *a, *c, *d, *e;
    size_t pg = (size_t)pagesz;
    char b[16];

    int fd = open("mm", O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (write(fd, "abc", 3) < 0) {
    }
    ign(ftruncate(fd, 2 * pagesz));
    char *p = map_file(fd, 2 * pg, PROT_READ | PROT_WRITE, MAP_SHARED);
    char *q = map_file(fd, 2 * pg, PROT_READ | PROT_WRITE, MAP_SHARED);
    if (!p || !q) {
        CASE("mmap-shared", "mmap %s", rv(-1));
        close(fd);
        return;
    }
    p[0] = 'X';
    ign(pread(fd, b, 3, 0));
    CASE("mmap-shared-store-read", "read=%.3s other-map=%c", b, q[0]);
    q[1] = 'Y';
    a = rv(msync(p, pg, MS_SYNC));
    CASE("mmap-shared-two-maps", "seen=%c msync=%s", p[1], a);
    ign(pwrite(fd, "W", 1, 10));
    ign(pwrite(fd, "V", 1, pagesz + 3));
    CASE("mmap-shared-sees-write", "first-page=%c second-page=%c", p[10], p[pg + 3]);

    char *pr = map_file(fd, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE);
    if (pr) {
        /* Until a private page is written it is the file's page. */
        ign(pwrite(fd, "Q", 1, 20));
        char before = pr[20];
        pr[0] = 'P';
        ign(pwrite(fd, "R", 1, 30));
        ign(pwrite(fd, "S", 1, pagesz + 5));
        ign(pread(fd, b, 1, 0));
        CASE("mmap-private", "sees-untouched-write=%c store-hidden-from-read=%c from-shared=%c copied-page-frozen=%d other-page-live=%c",
             before, b[0], p[0], pr[30] == 0, pr[pg + 5]);
        munmap(pr, 2 * pg);
    }
    munmap(q, 2 * pg);
    munmap(p, 2 * pg);
    a = rv(msync(p, pg, MS_SYNC));
    c = rv(msync((char *)bad_addr() + 1, pg, MS_SYNC));
    CASE("msync-errors", "unmapped=%s unaligned=%s", a, c);

    p = map_file(fd, pg, PROT_READ, MAP_SHARED);
    close(fd);
    unlink("mm");
    CASE("mmap-outlives-fd-and-name", "first=%c", p ? p[0] : '-');
    if (p)
        munmap(p, pg);

    put("mq", "qqq");
    int wo = open("mq", O_WRONLY);
    int ro = open("mq", O_RDONLY);
    void *m;
    m = mmap(NULL, pg, PROT_READ, MAP_SHARED, wo, 0);
    a = m == MAP_FAILED ? rv(-1) : "ok";
    m = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0);
    c = m == MAP_FAILED ? rv(-1) : "ok";
    char *pw = map_file(ro, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE);
    d = pw ? "ok" : rv(-1);
    if (pw) {
        pw[0] = 'w';
        munmap(pw, pg);
    }
    CASE("mmap-access", "wronly=%s shared-write-on-rdonly=%s private-write-on-rdonly=%s file=%s", a, c, d, get("mq"));
    m = mmap(NULL, pg, PROT_READ, MAP_SHARED, ro, 1);
    a = m == MAP_FAILED ? rv(-1) : "ok";
    m = mmap(NULL, 0, PROT_READ, MAP_SHARED, ro, 0);
    c = m == MAP_FAILED ? rv(-1) : "ok";
    close(wo);
    m = mmap(NULL, pg, PROT_READ, MAP_SHARED, wo, 0);
    d = m == MAP_FAILED ? rv(-1) : "ok";
    close(ro);
    int dfd = open("od", O_RDONLY | O_DIRECTORY);
    m = mmap(NULL, pg, PROT_READ, MAP_SHARED, dfd, 0);
    e = m == MAP_FAILED ? rv(-1) : "ok";
    close(dfd);
    CASE("mmap-errors", "unaligned-offset=%s zero-length=%s closed-fd=%s dir=%s", a, c, d, e);
    int pp[2];
    if (pipe(pp) == 0) {
        m = mmap(NULL, pg, PROT_READ, MAP_SHARED, pp[0], 0);
        a = m == MAP_FAILED ? rv(-1) : "ok";
        CASE("mmap-pipe", "%s", a);
        close(pp[0]);
        close(pp[1]);
    }

    struct out o;
    put("mbus", "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789");
    capture(&o, bus_past_eof, NULL);
    out_case("mmap-past-eof", &o);
    fd = open("mshr", O_RDWR | O_CREAT | O_TRUNC, 0644);
    ign(ftruncate(fd, 2 * pagesz));
    close(fd);
    capture(&o, bus_after_shrink, NULL);
    out_case("mmap-after-shrink", &o);
    put("mro", "r");
    capture(&o, segv_readonly, NULL);
    out_case("mmap-write-readonly", &o);

    fd = open("mgrow", O_RDWR | O_CREAT | O_TRUNC, 0644);
    ign(ftruncate(fd, pagesz));
    p = map_file(fd, 2 * pg, PROT_READ | PROT_WRITE, MAP_SHARED);
    if (p) {
        ign(ftruncate(fd, 2 * pagesz));
        p[pg] = 'E';
        ign(pread(fd, b, 1, pagesz));
        CASE("mmap-file-grown-under-map", "read=%c", b[0]);
        munmap(p, 2 * pg);
    }
    close(fd);

    char *sh = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    char *pv = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (sh != MAP_FAILED && pv != MAP_FAILED) {
        sh[0] = 'p';
        pv[0] = 'p';
        pid_t pid = xfork();
        if (pid == 0) {
            sh[0] = 'c';
            pv[0] = 'c';
            _exit(0);
        }
        wait_for(pid);
        CASE("mmap-anonymous-fork", "shared=%c private=%c zero-filled=%d", sh[0], pv[0], sh[1] == 0 && pv[pg - 1] == 0);
        munmap(sh, pg);
        munmap(pv, pg);
    }

    fd = shm_open(shmname, O_CREAT | O_EXCL | O_RDWR, 0600);
    a = rk(fd);
    if (fd < 0) {
        CASE("shm-open", "%s", a);
        return;
    }
    c = rv(ftruncate(fd, pagesz));
    struct stat st;
    fstat(fd, &st);
    CASE("shm-open", "%s ftruncate=%s type=%s size=%ld mode=%o", a, c, type_of(st.st_mode), (long)st.st_size, (unsigned)(st.st_mode & 0777));
    p = map_file(fd, pg, PROT_READ | PROT_WRITE, MAP_SHARED);
    if (p) {
        pid_t pid = xfork();
        if (pid == 0) {
            memcpy(p, "child", 6);
            _exit(0);
        }
        wait_for(pid);
        int fd2 = shm_open(shmname, O_RDWR, 0);
        char *p2 = map_file(fd2, pg, PROT_READ, MAP_SHARED);
        CASE("shm-shared-with-fork", "parent-sees=%s second-open-sees=%s", p, p2 ? p2 : "-");
        if (p2)
            munmap(p2, pg);
        close(fd2);
    }
    a = rk(shm_open(shmname, O_CREAT | O_EXCL | O_RDWR, 0600));
    c = rv(shm_unlink(shmname));
    d = rk(shm_open(shmname, O_RDWR, 0));
    e = rv(shm_unlink(shmname));
    CASE("shm-unlink", "excl=%s unlink=%s reopen=%s again=%s still-mapped=%s", a, c, d, e, p ? p : "-");
    if (p)
        munmap(p, pg);
    close(fd);
}

/* ---- fork, exec, spawn ---- */

static const char *x_path;
static char *const *x_argv;
static char *const *x_envp;

static void do_execve(void *arg)
{
    (void)arg;
    execve(x_path, x_argv, x_envp);
    exec_failed();
}

static void exec_case(const char *name, const char *path, char *const argv[], char *const envp[])
{
    struct out o;
    x_path = path;
    x_argv = argv;
    x_envp = envp;
    capture(&o, do_execve, NULL);
    out_case(name, &o);
}

static void fds_setup(void *arg)
{
    (void)arg;
    static char s[7][32];
    put("ef", "abcdef");
    int plain = open("ef", O_RDONLY);
    lseek(plain, 2, SEEK_SET);
    int cx = open("ef", O_RDONLY | O_CLOEXEC);
    int sf = open("ef", O_RDONLY);
    fcntl(sf, F_SETFD, FD_CLOEXEC);
    int dupcx = dup(cx);
    int dfc = fcntl(plain, F_DUPFD_CLOEXEC, 0);
    int d3 = dup3(plain, 70, O_CLOEXEC);
    int cleared = open("ef", O_RDONLY | O_CLOEXEC);
    fcntl(cleared, F_SETFD, 0);
    snprintf(s[0], 32, "plain:%d", plain);
    snprintf(s[1], 32, "o_cloexec:%d", cx);
    snprintf(s[2], 32, "setfd:%d", sf);
    snprintf(s[3], 32, "dup-of-cloexec:%d", dupcx);
    snprintf(s[4], 32, "dupfd-cloexec:%d", dfc);
    snprintf(s[5], 32, "dup3-cloexec:%d", d3);
    snprintf(s[6], 32, "cleared:%d", cleared);
    char *av[] = {"fc", "child-fds", s[0], s[1], s[2], s[3], s[4], s[5], s[6], NULL};
    char *ev[] = {NULL};
    execve(self, av, ev);
    exec_failed();
}

static void on_usr2(int sig)
{
    (void)sig;
}

static void sigs_setup(void *arg)
{
    (void)arg;
    signal(SIGUSR1, SIG_IGN);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr2;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR2, &sa, NULL);
    signal(SIGCHLD, SIG_IGN);
    sigset_t m;
    sigemptyset(&m);
    sigaddset(&m, SIGTERM);
    sigprocmask(SIG_BLOCK, &m, NULL);
    kill(getpid(), SIGTERM);
    umask(027);
    ign(chdir("cw"));
    char *av[] = {"fc", "child-state", top, NULL};
    char *ev[] = {NULL};
    execve(self, av, ev);
    exec_failed();
}

static void *exec_thread(void *arg)
{
    char **av = arg;
    char *ev[] = {NULL};
    execve(self, av, ev);
    exec_failed();
    return NULL;
}

static void thread_setup(void *arg)
{
    (void)arg;
    static char pid[32];
    snprintf(pid, sizeof pid, "%d", (int)getpid());
    static char *av[] = {"fc", "child-pid", pid, NULL};
    pthread_t t;
    if (pthread_create(&t, NULL, exec_thread, av) != 0) {
        printf("pthread_create failed\n");
        return;
    }
    for (;;)
        pause();
}

static void do_execvp(void *arg)
{
    char **av = arg;
    execvp(av[0], av);
    exec_failed();
}

static void do_execv(void *arg)
{
    char **av = arg;
    execv(self, av);
    exec_failed();
}

static int xa_dirfd;
static const char *xa_name;
static int xa_flags;

static void do_execveat(void *arg)
{
    char **av = arg;
    char *ev[] = {NULL};
    syscall(SYS_execveat, xa_dirfd, xa_name, av, ev, xa_flags);
    exec_failed();
}

static void execveat_case(const char *name, int dirfd, const char *path, int flags)
{
    struct out o;
    char *av[] = {"fc", "child-exit", "4", NULL};
    xa_dirfd = dirfd;
    xa_name = path;
    xa_flags = flags;
    capture(&o, do_execveat, av);
    out_case(name, &o);
}

static volatile int vfork_seen;

static void t_exec(void)
{
    struct out o;
    char *noenv[] = {NULL};

    /* The program under names in the temporary directory: the #! line,
     * execveat and the PATH search need a short, known path to it. */
    ign(symlink(self, "selfl"));
    mkdir("b1", 0755);
    mkdir("b2", 0755);
    put_mode("b1/fcprog", "not this one\n", 0644);
    ign(symlink(self, "b2/fcprog"));
    put_mode("b1/fcnox", "not executable\n", 0644);

    char *av1[] = {"fc-child", "child-args", "one", "two words", "", NULL};
    char *ev1[] = {"A=1", "B=two", NULL};
    exec_case("execve-args-env", self, av1, ev1);
    char *av2[] = {"fc-child", "child-args", NULL};
    exec_case("execve-empty-env", self, av2, noenv);
    char *av3[] = {"fc", "child-exit", "7", NULL};
    exec_case("execve-exit-status", self, av3, noenv);
    char *av4[] = {"fc", "child-raise", NULL};
    exec_case("execve-killed-by-signal", self, av4, noenv);
    exec_case("execve-through-symlink", "selfl", av3, noenv);
    exec_case("execve-relative-path", "./selfl", av3, noenv);

    capture(&o, fds_setup, NULL);
    out_case("exec-fds", &o);
    capture(&o, sigs_setup, NULL);
    out_case("exec-signals-umask-cwd", &o);
    capture(&o, thread_setup, NULL);
    out_case("exec-from-second-thread", &o);

    /* A pipe made before fork, written by the exec'd child through a plain
     * inherited descriptor: the reader sees the data, then end of file once
     * the child is gone (its O_CLOEXEC read end closed at exec). */
    int p[2];
    if (pipe2(p, O_CLOEXEC) == 0) {
        pid_t pid = xfork();
        if (pid == 0) {
            int w = dup(p[1]);
            char fdarg[16];
            snprintf(fdarg, sizeof fdarg, "%d", w);
            char *av[] = {"fc", "child-write", fdarg, "through the pipe", NULL};
            execve(self, av, noenv);
            _exit(127);
        }
        close(p[1]);
        char buf[64];
        size_t n = 0;
        ssize_t r;
        while (n < sizeof buf - 1 && (r = read(p[0], buf + n, sizeof buf - 1 - n)) > 0)
            n += (size_t)r;
        buf[n] = 0;
        int st = wait_for(pid);
        r = read(p[0], buf + n, 1);
        close(p[0]);
        CASE("exec-pipe-inherited", "got=%s eof=%d [%s]", buf, r == 0, status_text(st));
    }

    put_mode("nx", "#!/bin/sh\nexit 0\n", 0644);
    exec_case("execve-not-executable", "nx", av3, noenv);
    put_mode("txt", "hello world\n", 0755);
    exec_case("execve-text-file", "./txt", av3, noenv);
    int fd = open("elfjunk", O_WRONLY | O_CREAT | O_TRUNC, 0755);
    char junk[128];
    memset(junk, 0, sizeof junk);
    memcpy(junk, "\177ELF", 4);
    if (write(fd, junk, sizeof junk) < 0) {
    }
    close(fd);
    exec_case("execve-bad-elf", "./elfjunk", av3, noenv);
    put_mode("empty", "", 0755);
    exec_case("execve-empty-file", "./empty", av3, noenv);
    exec_case("execve-missing", "./nope", av3, noenv);
    mkdir("xdir", 0755);
    exec_case("execve-directory", "xdir", av3, noenv);
    exec_case("execve-file-trailing-slash", "selfl/", av3, noenv);
    exec_case("execve-empty-path", "", av3, noenv);
    exec_case("execve-bad-path-pointer", (const char *)bad_addr(), av3, noenv);
    /* One string longer than MAX_ARG_STRLEN (32 pages). */
    static char bigarg[32 * 4096 + 1];
    memset(bigarg, 'a', sizeof bigarg - 1);
    char *avbig[] = {"fc", "child-exit", "0", bigarg, NULL};
    exec_case("execve-argument-too-long", self, avbig, noenv);

    char script[PATH_MAX + 64];
    snprintf(script, sizeof script, "#!%s/selfl child-args\n", top);
    put_mode("scr", script, 0755);
    char *avs[] = {"ignored", "x", "y", NULL};
    exec_case("execve-script", "./scr", avs, noenv);
    put_mode("scrmiss", "#!/nonexistent/interpreter\n", 0755);
    exec_case("execve-script-missing-interpreter", "./scrmiss", avs, noenv);

    char *avv[] = {"fc-execv", "child-args", NULL};
    capture(&o, do_execv, avv);
    out_case("execv-passes-environ", &o);
    char *avp[] = {"fcprog", "child-args", "searched", NULL};
    capture(&o, do_execvp, avp);
    out_case("execvp-path-search", &o);
    char *avn[] = {"fcnox", "child-args", NULL};
    capture(&o, do_execvp, avn);
    out_case("execvp-only-not-executable", &o);
    char *avm[] = {"fc-no-such-program", NULL};
    capture(&o, do_execvp, avm);
    out_case("execvp-missing", &o);
    char *avr[] = {"./selfl", "child-exit", "9", NULL};
    capture(&o, do_execvp, avr);
    out_case("execvp-with-slash", &o);

    execveat_case("execveat-dirfd", topfd, "selfl", 0);
    int sfd = open(self, O_RDONLY);
    execveat_case("execveat-empty-path", sfd, "", AT_EMPTY_PATH);
    close(sfd);
    execveat_case("execveat-nofollow-symlink", topfd, "selfl", AT_SYMLINK_NOFOLLOW);
    execveat_case("execveat-bad-flags", topfd, "selfl", 0x1);

    pid_t pid;
    char *sp1[] = {"fc", "child-exit", "7", NULL};
    fflush(stdout);
    int r = posix_spawn(&pid, self, NULL, NULL, sp1, noenv);
    int st = r == 0 ? wait_for(pid) : -1;
    CASE("posix-spawn", "return=%s [%s]", errname(r), status_text(st));
    char *sp2[] = {"fcprog", "child-exit", "8", NULL};
    fflush(stdout);
    r = posix_spawnp(&pid, "fcprog", NULL, NULL, sp2, noenv);
    st = r == 0 ? wait_for(pid) : -1;
    CASE("posix-spawnp-path-search", "return=%s [%s]", errname(r), status_text(st));
    char *sp3[] = {"fc-no-such-program", NULL};
    r = posix_spawnp(&pid, "fc-no-such-program", NULL, NULL, sp3, noenv);
    CASE("posix-spawnp-missing", "return=%s", errname(r));
    r = posix_spawn(&pid, "nx", NULL, NULL, sp1, noenv);
    int r2 = posix_spawn(&pid, "./nope", NULL, NULL, sp1, noenv);
    const char *left = rv(waitpid(-1, &st, WNOHANG));
    CASE("posix-spawn-errors", "not-executable=%s missing=%s children-left=%s", errname(r), errname(r2), left);

    fflush(stdout);
    pid = vfork();
    if (pid == 0) {
        vfork_seen = 42;
        execve(self, sp1, noenv);
        _exit(127);
    }
    st = wait_for(pid);
    CASE("vfork-exec", "child-store-seen=%d [%s]", vfork_seen, status_text(st));

    pid = xfork();
    if (pid == 0)
        _exit(3);
    st = wait_for(pid);
    pid_t pid2 = xfork();
    if (pid2 == 0) {
        kill(getpid(), SIGKILL);
        _exit(0);
    }
    int st2 = wait_for(pid2);
    const char *none = rv(waitpid(-1, &st, 0));
    CASE("fork-wait", "exit=[%s] killed=[%s] no-children=%s", status_text(st), status_text(st2), none);
}

/* ---- the exec'd image ---- */

static const char *disposition(int sig)
{
    struct sigaction sa;
    if (sigaction(sig, NULL, &sa) < 0)
        return rv(-1);
    if (sa.sa_handler == SIG_IGN)
        return "ign";
    if (sa.sa_handler == SIG_DFL)
        return "dfl";
    return "handler";
}

static int child_main(int argc, char **argv, char **envp)
{
    const char *mode = argv[1];
    if (strcmp(mode, "child-args") == 0) {
        const char *base = strrchr(argv[0], '/');
        printf("argc=%d argv0=%s", argc, base ? base + 1 : argv[0]);
        for (int i = 2; i < argc; i++)
            printf(" [%s]", argv[i]);
        for (char **e = envp; *e; e++)
            printf(" env=%s", *e);
        printf("\n");
        return 0;
    }
    if (strcmp(mode, "child-exit") == 0)
        return argc > 2 ? atoi(argv[2]) : 0;
    if (strcmp(mode, "child-raise") == 0) {
        signal(SIGUSR1, SIG_DFL);
        kill(getpid(), SIGUSR1);
        return 0;
    }
    if (strcmp(mode, "child-fds") == 0) {
        for (int i = 2; i < argc; i++) {
            char *colon = strchr(argv[i], ':');
            if (!colon)
                continue;
            int fd = atoi(colon + 1);
            printf("%s%.*s=", i > 2 ? " " : "", (int)(colon - argv[i]), argv[i]);
            if (fd_open(fd))
                printf("kept@%ld", (long)offset(fd));
            else
                printf("closed");
        }
        printf("\n");
        return 0;
    }
    if (strcmp(mode, "child-state") == 0) {
        sigset_t m, pend;
        sigprocmask(SIG_BLOCK, NULL, &m);
        sigpending(&pend);
        mode_t u = umask(0);
        char cwd[PATH_MAX];
        const char *rel = "?";
        if (getcwd(cwd, sizeof cwd) && argc > 2) {
            size_t l = strlen(argv[2]);
            rel = strncmp(cwd, argv[2], l) == 0 ? cwd + l : "(outside)";
        }
        printf("usr1=%s usr2=%s chld=%s term-blocked=%d term-pending=%d usr2-blocked=%d umask=%03o cwd=%s\n", disposition(SIGUSR1),
               disposition(SIGUSR2), disposition(SIGCHLD), sigismember(&m, SIGTERM), sigismember(&pend, SIGTERM),
               sigismember(&m, SIGUSR2), (unsigned)u, rel);
        return 0;
    }
    if (strcmp(mode, "child-pid") == 0) {
        long pid = getpid();
        long tid = syscall(SYS_gettid);
        printf("pid-same=%d tid-is-pid=%d\n", argc > 2 && pid == atol(argv[2]), tid == pid);
        return 5;
    }
    if (strcmp(mode, "child-write") == 0 && argc > 3) {
        int fd = atoi(argv[2]);
        ssize_t n = write(fd, argv[3], strlen(argv[3]));
        return n == (ssize_t)strlen(argv[3]) ? 0 : 1;
    }
    printf("unknown child mode %s\n", mode);
    return 2;
}

/* ---- the end ---- */

static void remove_tree(int dfd)
{
    /* A descriptor of its own, opened now: btrfs lists only the entries
     * that existed when a directory was opened. */
    int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY);
    DIR *d = fd < 0 ? NULL : fdopendir(fd);
    if (!d) {
        close(fd);
        return;
    }
    /* Names first, then removal: a directory changed while being read may
     * show entries twice or not at all. */
    char (*names)[256] = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            names = realloc(names, cap * sizeof *names);
            if (!names)
                break;
        }
        snprintf(names[n++], 256, "%s", e->d_name);
    }
    closedir(d);
    for (size_t i = 0; names && i < n; i++) {
        struct stat st;
        if (fstatat(dfd, names[i], &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode)) {
            int sub = openat(dfd, names[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
            if (sub >= 0) {
                fchmod(sub, 0755);
                remove_tree(sub);
                close(sub);
            }
            unlinkat(dfd, names[i], AT_REMOVEDIR);
        } else {
            unlinkat(dfd, names[i], 0);
        }
    }
    free(names);
}

int main(int argc, char **argv, char **envp)
{
    if (argc >= 2 && strncmp(argv[1], "child-", 6) == 0)
        return child_main(argc, argv, envp);

    /* Line by line, so a run that dies shows the cases before it. */
    setvbuf(stdout, NULL, _IOLBF, 0);
    umask(022);
    pagesz = sysconf(_SC_PAGESIZE);
    if (pagesz <= 0)
        pagesz = 4096;
    if (!argv[0] || !realpath(argv[0], self)) {
        ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
        if (n <= 0) {
            printf("setup: cannot find this program\n");
            return 1;
        }
        self[n] = 0;
    }
    strcpy(top, "/tmp/fileconf.XXXXXX");
    if (!mkdtemp(top)) {
        printf("setup: mkdtemp %s\n", rv(-1));
        return 1;
    }
    toplen = strlen(top);
    if (chdir(top) < 0) {
        printf("setup: chdir %s\n", rv(-1));
        return 1;
    }
    topfd = open(".", O_RDONLY | O_DIRECTORY);
    snprintf(shmname, sizeof shmname, "/fileconf.%d", (int)getpid());
    snprintf(env_path, sizeof env_path, "PATH=%s/b1:%s/b2", top, top);
    environ = own_environ;
    signal(SIGPIPE, SIG_DFL);
    signal(SIGCHLD, SIG_DFL);

    t_open();
    t_rw();
    t_vec();
    t_fds();
    t_stat();
    t_dir();
    t_mkdir();
    t_rename();
    t_link();
    t_access();
    t_cwd();
    t_truncate();
    t_misc();
    t_stdio();
    t_mmap();
    t_exec();

    ign(fchdir(topfd));
    remove_tree(topfd);
    close(topfd);
    if (chdir("/") < 0) {
    }
    const char *a = rv(rmdir(top));
    struct stat st;
    const char *c = rv(stat(top, &st));
    CASE("cleanup", "rmdir=%s stat-after=%s", a, c);
    return 0;
}
