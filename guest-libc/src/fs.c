/* The file system calls: opening, naming, metadata, data and space.
 * Each takes the system call glibc takes for it on x86_64 (the legacy
 * path call where the kernel has one, the *at call otherwise), so a
 * program makes the same calls with either library. Opening and
 * syncing block and are cancellation points, as in glibc. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/uio.h>
#include <unistd.h>
#include "internal.h"

/* The mode argument exists only when the flags create a file. */
static mode_t open_mode(int flags, va_list ap)
{
    if ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE)
        return va_arg(ap, mode_t);
    return 0;
}

int openat(int dirfd, const char *path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    mode_t mode = open_mode(flags, ap);
    va_end(ap);
    return (int)__syscall_ret(__syscall_cp4(SYS_openat, dirfd, path, flags, mode));
}

int open(const char *path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    mode_t mode = open_mode(flags, ap);
    va_end(ap);
    return (int)__syscall_ret(__syscall_cp4(SYS_openat, AT_FDCWD, path, flags, mode));
}

int creat(const char *path, mode_t mode) { return (int)__syscall_ret(__syscall_cp2(SYS_creat, path, mode)); }

/* Returns the error number itself, as POSIX has it, not -1 and errno. */
int posix_fadvise(int fd, off_t off, off_t len, int advice)
{
    return (int)-__syscall4(SYS_fadvise64, fd, off, len, advice);
}

ssize_t pread(int fd, void *buf, size_t n, off_t off)
{
    return __syscall_ret(__syscall_cp4(SYS_pread64, fd, buf, n, off));
}
ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
    return __syscall_ret(__syscall_cp4(SYS_pwrite64, fd, buf, n, off));
}
/* The kernel takes the offset as two halves; on a 64-bit kernel the low
 * one holds all of it and the high one is shifted out. */
ssize_t preadv(int fd, const struct iovec *iov, int n, off_t off)
{
    return __syscall_ret(__syscall_cp5(SYS_preadv, fd, iov, n, off, 0));
}
ssize_t pwritev(int fd, const struct iovec *iov, int n, off_t off)
{
    return __syscall_ret(__syscall_cp5(SYS_pwritev, fd, iov, n, off, 0));
}
ssize_t preadv2(int fd, const struct iovec *iov, int n, off_t off, int flags)
{
    return __syscall_ret(__syscall_cancel(SYS_preadv2, fd, (long)iov, n, off, 0, flags));
}
ssize_t pwritev2(int fd, const struct iovec *iov, int n, off_t off, int flags)
{
    return __syscall_ret(__syscall_cancel(SYS_pwritev2, fd, (long)iov, n, off, 0, flags));
}
ssize_t sendfile(int out_fd, int in_fd, off_t *off, size_t count)
{
    return __syscall_ret(__syscall4(SYS_sendfile, out_fd, in_fd, off, count));
}

int truncate(const char *path, off_t len) { return (int)__syscall_ret(__syscall2(SYS_truncate, path, len)); }
int ftruncate(int fd, off_t len) { return (int)__syscall_ret(__syscall2(SYS_ftruncate, fd, len)); }
int fsync(int fd) { return (int)__syscall_ret(__syscall_cp1(SYS_fsync, fd)); }
int fdatasync(int fd) { return (int)__syscall_ret(__syscall_cp1(SYS_fdatasync, fd)); }
void sync(void) { __syscall0(SYS_sync); }
int syncfs(int fd) { return (int)__syscall_ret(__syscall1(SYS_syncfs, fd)); }

int chdir(const char *path) { return (int)__syscall_ret(__syscall1(SYS_chdir, path)); }
int fchdir(int fd) { return (int)__syscall_ret(__syscall1(SYS_fchdir, fd)); }

/* The kernel's getcwd returns the length with the null. A directory no
 * longer reachable from the root comes back as "(unreachable)/...":
 * not a path, so ENOENT, as glibc reports it. Without a buffer the path
 * goes to one malloc'd for it, of the size given, or as long as needed
 * when the size is 0. */
static long getcwd_raw(char *buf, size_t size)
{
    long r = __syscall2(SYS_getcwd, buf, size);
    if (r > 0 && buf[0] != '/')
        r = -ENOENT;
    return r;
}

char *getcwd(char *buf, size_t size)
{
    if (buf) {
        if (!size) {
            errno = EINVAL;
            return 0;
        }
        return __syscall_ret(getcwd_raw(buf, size)) < 0 ? 0 : buf;
    }
    char tmp[PATH_MAX];
    if (!size || size > sizeof(tmp))
        size = sizeof(tmp);
    if (__syscall_ret(getcwd_raw(tmp, size)) < 0)
        return 0;
    char *r = strdup(tmp);
    if (!r)
        errno = ENOMEM;
    return r;
}

int rmdir(const char *path) { return (int)__syscall_ret(__syscall1(SYS_rmdir, path)); }
int unlink(const char *path) { return (int)__syscall_ret(__syscall1(SYS_unlink, path)); }
int unlinkat(int dirfd, const char *path, int flags)
{
    return (int)__syscall_ret(__syscall3(SYS_unlinkat, dirfd, path, flags));
}
int link(const char *oldpath, const char *newpath) { return (int)__syscall_ret(__syscall2(SYS_link, oldpath, newpath)); }
int linkat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, int flags)
{
    return (int)__syscall_ret(__syscall6(SYS_linkat, olddirfd, (long)oldpath, newdirfd, (long)newpath, flags, 0));
}
int symlink(const char *target, const char *path) { return (int)__syscall_ret(__syscall2(SYS_symlink, target, path)); }
int symlinkat(const char *target, int dirfd, const char *path)
{
    return (int)__syscall_ret(__syscall3(SYS_symlinkat, target, dirfd, path));
}
ssize_t readlink(const char *restrict path, char *restrict buf, size_t size)
{
    return __syscall_ret(__syscall3(SYS_readlink, path, buf, size));
}
ssize_t readlinkat(int dirfd, const char *restrict path, char *restrict buf, size_t size)
{
    return __syscall_ret(__syscall4(SYS_readlinkat, dirfd, path, buf, size));
}
int rename(const char *oldpath, const char *newpath)
{
    return (int)__syscall_ret(__syscall2(SYS_rename, oldpath, newpath));
}
int renameat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath)
{
    return (int)__syscall_ret(__syscall4(SYS_renameat, olddirfd, oldpath, newdirfd, newpath));
}
int renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, unsigned flags)
{
    if (!flags)
        return renameat(olddirfd, oldpath, newdirfd, newpath);
    return (int)__syscall_ret(__syscall6(SYS_renameat2, olddirfd, (long)oldpath, newdirfd, (long)newpath, flags, 0));
}
/* A directory is removed as rmdir would, once unlink has said what it
 * is. */
int remove(const char *path)
{
    long r = __syscall1(SYS_unlink, path);
    if (r == -EISDIR)
        r = __syscall1(SYS_rmdir, path);
    return (int)__syscall_ret(r);
}

int stat(const char *restrict path, struct stat *restrict st) { return fstatat(AT_FDCWD, path, st, 0); }
int lstat(const char *restrict path, struct stat *restrict st)
{
    return fstatat(AT_FDCWD, path, st, AT_SYMLINK_NOFOLLOW);
}
int mkdir(const char *path, mode_t mode) { return (int)__syscall_ret(__syscall2(SYS_mkdir, path, mode)); }
int mkdirat(int dirfd, const char *path, mode_t mode)
{
    return (int)__syscall_ret(__syscall3(SYS_mkdirat, dirfd, path, mode));
}
int mknodat(int dirfd, const char *path, mode_t mode, dev_t dev)
{
    /* The kernel's dev is 32 bits: a wider one has no meaning to it. */
    if (dev != (unsigned)dev) {
        errno = EINVAL;
        return -1;
    }
    return (int)__syscall_ret(__syscall4(SYS_mknodat, dirfd, path, mode, dev));
}
int mknod(const char *path, mode_t mode, dev_t dev) { return mknodat(AT_FDCWD, path, mode, dev); }
int mkfifoat(int dirfd, const char *path, mode_t mode) { return mknodat(dirfd, path, mode | S_IFIFO, 0); }
int mkfifo(const char *path, mode_t mode) { return mkfifoat(AT_FDCWD, path, mode); }

int chmod(const char *path, mode_t mode) { return (int)__syscall_ret(__syscall2(SYS_chmod, path, mode)); }
int fchmod(int fd, mode_t mode) { return (int)__syscall_ret(__syscall2(SYS_fchmod, fd, mode)); }

/* The kernel's fchmodat has no flags: fchmodat2 (Linux 6.6) has them.
 * Without it, AT_SYMLINK_NOFOLLOW goes through an O_PATH descriptor:
 * symbolic links have no mode of their own on Linux (EOPNOTSUPP), and
 * anything else is changed through its /proc/self/fd name, which reaches
 * the file without following a link again. */
int fchmodat(int dirfd, const char *path, mode_t mode, int flags)
{
    if (!flags)
        return (int)__syscall_ret(__syscall3(SYS_fchmodat, dirfd, path, mode));
    long r = __syscall4(SYS_fchmodat2, dirfd, path, mode, flags);
    if (r != -ENOSYS)
        return (int)__syscall_ret(r);
    if (flags != AT_SYMLINK_NOFOLLOW) {
        errno = EINVAL;
        return -1;
    }
    int fd = (int)__syscall4(SYS_openat, dirfd, path, O_RDONLY | O_PATH | O_NOFOLLOW | O_CLOEXEC, 0);
    if (fd < 0)
        return (int)__syscall_ret(fd);
    struct stat st;
    r = __syscall4(SYS_newfstatat, fd, "", &st, AT_EMPTY_PATH);
    if (r == 0 && S_ISLNK(st.st_mode))
        r = -EOPNOTSUPP;
    if (r == 0) {
        char proc[32];
        snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
        r = __syscall2(SYS_chmod, proc, mode);
    }
    __syscall1(SYS_close, fd);
    return (int)__syscall_ret(r);
}

int chown(const char *path, uid_t uid, gid_t gid) { return (int)__syscall_ret(__syscall3(SYS_chown, path, uid, gid)); }
int fchown(int fd, uid_t uid, gid_t gid) { return (int)__syscall_ret(__syscall3(SYS_fchown, fd, uid, gid)); }
int lchown(const char *path, uid_t uid, gid_t gid)
{
    return (int)__syscall_ret(__syscall3(SYS_lchown, path, uid, gid));
}
int fchownat(int dirfd, const char *path, uid_t uid, gid_t gid, int flags)
{
    return (int)__syscall_ret(__syscall6(SYS_fchownat, dirfd, (long)path, uid, gid, flags, 0));
}
int getgroups(int size, gid_t list[]) { return (int)__syscall_ret(__syscall2(SYS_getgroups, size, list)); }

int utimensat(int dirfd, const char *path, const struct timespec times[2], int flags)
{
    return (int)__syscall_ret(__syscall4(SYS_utimensat, dirfd, path, times, flags));
}
/* A null path makes utimensat act on dirfd itself. */
int futimens(int fd, const struct timespec times[2]) { return utimensat(fd, 0, times, 0); }

/* Whether the caller's effective or real ids (by `eff`) grant `mode` on a
 * file of this owner and mode: faccessat's check, done here when the
 * kernel has no faccessat2 to do it with flags. */
static int group_member(gid_t gid)
{
    gid_t groups[256];
    int n = (int)__syscall2(SYS_getgroups, 256, groups);
    for (int i = 0; i < n; i++)
        if (groups[i] == gid)
            return 1;
    return 0;
}

static int check_access(const struct stat *st, int mode, int eff)
{
    uid_t uid = (uid_t)(eff ? __syscall0(SYS_geteuid) : __syscall0(SYS_getuid));
    gid_t gid = (gid_t)(eff ? __syscall0(SYS_getegid) : __syscall0(SYS_getgid));
    if (mode == F_OK)
        return 0;
    unsigned want = (unsigned)mode & (R_OK | W_OK | X_OK);
    if (uid == 0) {
        /* Root reads and writes anything and executes what somebody may
         * execute (or any directory). */
        if (!(want & X_OK) || (st->st_mode & 0111) || S_ISDIR(st->st_mode))
            return 0;
        return -EACCES;
    }
    unsigned granted;
    if (st->st_uid == uid)
        granted = (st->st_mode >> 6) & 7;
    else if (st->st_gid == gid || group_member(st->st_gid))
        granted = (st->st_mode >> 3) & 7;
    else
        granted = st->st_mode & 7;
    return (granted & want) == want ? 0 : -EACCES;
}

int faccessat(int dirfd, const char *path, int mode, int flags)
{
    long r = __syscall4(SYS_faccessat2, dirfd, path, mode, flags);
    if (r != -ENOSYS)
        return (int)__syscall_ret(r);
    if (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) {
        errno = EINVAL;
        return -1;
    }
    /* faccessat checks with the real ids, which are the effective ones
     * for most processes: only the other cases need the check done here. */
    int eff = (flags & AT_EACCESS) && (__syscall0(SYS_geteuid) != __syscall0(SYS_getuid) ||
                                       __syscall0(SYS_getegid) != __syscall0(SYS_getgid));
    if (!eff && !(flags & (AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)))
        return (int)__syscall_ret(__syscall3(SYS_faccessat, dirfd, path, mode));
    struct stat st;
    r = __syscall4(SYS_newfstatat, dirfd, path, &st, flags & (AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH));
    if (r == 0)
        r = check_access(&st, mode, eff);
    return (int)__syscall_ret(r);
}

int access(const char *path, int mode) { return (int)__syscall_ret(__syscall2(SYS_access, path, mode)); }

int statfs(const char *path, struct statfs *buf) { return (int)__syscall_ret(__syscall2(SYS_statfs, path, buf)); }
int fstatfs(int fd, struct statfs *buf) { return (int)__syscall_ret(__syscall2(SYS_fstatfs, fd, buf)); }

/* statvfs is statfs in POSIX's terms. The kernel sets ST_VALID (0x20) in
 * f_flags when they hold the mount flags, which all kernels since 2.6.36
 * do; the bit itself is no mount flag. There is no count of inodes
 * reserved for root to tell f_favail from f_ffree. */
#define ST_VALID 0x20
static void statfs_to_statvfs(const struct statfs *s, struct statvfs *v)
{
    memset(v, 0, sizeof(*v));
    v->f_bsize = (unsigned long)s->f_bsize;
    v->f_frsize = (unsigned long)(s->f_frsize ? s->f_frsize : s->f_bsize);
    v->f_blocks = s->f_blocks;
    v->f_bfree = s->f_bfree;
    v->f_bavail = s->f_bavail;
    v->f_files = s->f_files;
    v->f_ffree = s->f_ffree;
    v->f_favail = s->f_ffree;
    v->f_fsid = (unsigned long)(unsigned)s->f_fsid.__val[0] | (unsigned long)(unsigned)s->f_fsid.__val[1] << 32;
    v->f_namemax = (unsigned long)s->f_namelen;
    v->f_flag = (unsigned long)(s->f_flags & ~ST_VALID);
}

int statvfs(const char *restrict path, struct statvfs *restrict buf)
{
    struct statfs s;
    if (statfs(path, &s) < 0)
        return -1;
    statfs_to_statvfs(&s, buf);
    return 0;
}

int fstatvfs(int fd, struct statvfs *buf)
{
    struct statfs s;
    if (fstatfs(fd, &s) < 0)
        return -1;
    statfs_to_statvfs(&s, buf);
    return 0;
}

/* A terminal is what answers TCGETS. As in musl, any refusal but a bad
 * descriptor reads as ENOTTY: some drivers answer with other errors. */
int isatty(int fd)
{
    char termios[64];
    long r = __syscall3(SYS_ioctl, fd, TCGETS, termios);
    if (r == 0)
        return 1;
    errno = r == -EBADF ? EBADF : ENOTTY;
    return 0;
}

int close_range(unsigned first, unsigned last, int flags)
{
    return (int)__syscall_ret(__syscall3(SYS_close_range, first, last, flags));
}
