/* syscall(2), errno, and the thin system call wrappers. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <sched.h>
#include <signal.h>
#include <sys/auxv.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include "internal.h"

static __thread int errno_value;

int *__errno_location(void)
{
    return &errno_value;
}

long __syscall_ret(long r)
{
    if ((unsigned long)r > -4096UL) {
        errno = (int)-r;
        return -1;
    }
    return r;
}

long syscall(long n, ...)
{
    va_list ap;
    va_start(ap, n);
    long a = va_arg(ap, long), b = va_arg(ap, long), c = va_arg(ap, long);
    long d = va_arg(ap, long), e = va_arg(ap, long), f = va_arg(ap, long);
    va_end(ap);
    return __syscall_ret(__syscall6(n, a, b, c, d, e, f));
}

/* read, write, wait4 and its wrappers are cancellation points. */
ssize_t read(int fd, void *buf, size_t n) { return __syscall_ret(__syscall_cp3(SYS_read, fd, buf, n)); }
ssize_t write(int fd, const void *buf, size_t n) { return __syscall_ret(__syscall_cp3(SYS_write, fd, buf, n)); }
int close(int fd) { return (int)__syscall_ret(__syscall1(SYS_close, fd)); }
off_t lseek(int fd, off_t off, int whence) { return __syscall_ret(__syscall3(SYS_lseek, fd, off, whence)); }
pid_t getpid(void) { return (pid_t)__syscall0(SYS_getpid); }
pid_t getppid(void) { return (pid_t)__syscall0(SYS_getppid); }
pid_t gettid(void) { return (pid_t)__syscall0(SYS_gettid); }
uid_t getuid(void) { return (uid_t)__syscall0(SYS_getuid); }
uid_t geteuid(void) { return (uid_t)__syscall0(SYS_geteuid); }
gid_t getgid(void) { return (gid_t)__syscall0(SYS_getgid); }
gid_t getegid(void) { return (gid_t)__syscall0(SYS_getegid); }
int sched_yield(void) { return (int)__syscall_ret(__syscall0(SYS_sched_yield)); }
int uname(struct utsname *u) { return (int)__syscall_ret(__syscall1(SYS_uname, u)); }
/* Through prlimit64, as glibc does: one system call for all three, and
 * the 64-bit limits the kernel keeps. */
int prlimit(pid_t pid, int resource, const struct rlimit *new_limit, struct rlimit *old_limit)
{
    return (int)__syscall_ret(__syscall4(SYS_prlimit64, pid, resource, new_limit, old_limit));
}
int getrlimit(int resource, struct rlimit *rlim) { return prlimit(0, resource, 0, rlim); }
int setrlimit(int resource, const struct rlimit *rlim) { return prlimit(0, resource, rlim, 0); }
ssize_t getrandom(void *buf, size_t n, unsigned flags) { return __syscall_ret(__syscall3(SYS_getrandom, buf, n, flags)); }

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
    return (void *)__syscall_ret(__syscall6(SYS_mmap, (long)addr, (long)len, prot, flags, fd, off));
}
int munmap(void *addr, size_t len) { return (int)__syscall_ret(__syscall2(SYS_munmap, addr, len)); }
int mprotect(void *addr, size_t len, int prot) { return (int)__syscall_ret(__syscall3(SYS_mprotect, addr, len, prot)); }
int madvise(void *addr, size_t len, int advice) { return (int)__syscall_ret(__syscall3(SYS_madvise, addr, len, advice)); }

/* The kernel's brk returns the (possibly unchanged) break; failure is a
 * break below the one asked for. */
static uintptr_t cur_brk;
int brk(void *addr)
{
    uintptr_t r = (uintptr_t)__syscall1(SYS_brk, addr);
    cur_brk = r;
    if (r < (uintptr_t)addr) {
        errno = ENOMEM;
        return -1;
    }
    return 0;
}

void *sbrk(long inc)
{
    if (!cur_brk)
        cur_brk = (uintptr_t)__syscall1(SYS_brk, 0);
    uintptr_t old = cur_brk;
    if (inc == 0)
        return (void *)old;
    if (brk((void *)(old + inc)) < 0)
        return (void *)-1;
    return (void *)old;
}

int clock_gettime(clockid_t clk, struct timespec *ts) { return (int)__syscall_ret(__syscall2(SYS_clock_gettime, clk, ts)); }
int clock_getres(clockid_t clk, struct timespec *ts) { return (int)__syscall_ret(__syscall2(SYS_clock_getres, clk, ts)); }
time_t time(time_t *t)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    if (t)
        *t = ts.tv_sec;
    return ts.tv_sec;
}

int getpagesize(void) { return 4096; }

long sysconf(int name)
{
    switch (name) {
    case _SC_PAGESIZE:
        return 4096;
    case _SC_CLK_TCK:
        return 100;
    case _SC_NPROCESSORS_CONF:
    case _SC_NPROCESSORS_ONLN: {
        unsigned long mask[16] = {0};
        long r = __syscall3(SYS_sched_getaffinity, 0, sizeof(mask), mask);
        if (r <= 0)
            return 1;
        long n = 0;
        for (long i = 0; i < r / 8; i++)
            n += __builtin_popcountl(mask[i]);
        return n ? n : 1;
    }
    default:
        errno = EINVAL;
        return -1;
    }
}

unsigned long getauxval(unsigned long type)
{
    for (unsigned long *a = __auxv; a && a[0] != AT_NULL; a += 2)
        if (a[0] == type)
            return a[1];
    errno = ENOENT;
    return 0;
}

ssize_t writev(int fd, const struct iovec *iov, int n) { return __syscall_ret(__syscall3(SYS_writev, fd, iov, n)); }
ssize_t readv(int fd, const struct iovec *iov, int n) { return __syscall_ret(__syscall3(SYS_readv, fd, iov, n)); }

pid_t wait4(pid_t pid, int *status, int options, struct rusage *ru)
{
    return (pid_t)__syscall_ret(__syscall_cp4(SYS_wait4, pid, status, options, ru));
}
pid_t waitpid(pid_t pid, int *status, int options) { return wait4(pid, status, options, 0); }
pid_t wait(int *status) { return waitpid(-1, status, 0); }
mode_t umask(mode_t mask) { return (mode_t)__syscall1(SYS_umask, mask); }
int dup(int fd) { return (int)__syscall_ret(__syscall1(SYS_dup, fd)); }
int dup2(int fd, int fd2) { return (int)__syscall_ret(__syscall2(SYS_dup2, fd, fd2)); }
int dup3(int fd, int fd2, int flags) { return (int)__syscall_ret(__syscall3(SYS_dup3, fd, fd2, flags)); }
/* pipe and fstat are the general calls, as in glibc, so a program makes
 * the same system calls with either library. */
int pipe2(int fds[2], int flags) { return (int)__syscall_ret(__syscall2(SYS_pipe2, fds, flags)); }
int pipe(int fds[2]) { return pipe2(fds, 0); }
int fstatat(int dirfd, const char *path, struct stat *st, int flags)
{
    return (int)__syscall_ret(__syscall4(SYS_newfstatat, dirfd, path, st, flags));
}
/* A negative fd is refused here: with AT_EMPTY_PATH, AT_FDCWD would
 * name the current directory. */
int fstat(int fd, struct stat *st)
{
    if (fd < 0) {
        errno = EBADF;
        return -1;
    }
    return fstatat(fd, "", st, AT_EMPTY_PATH);
}

/* The third argument is an int, a pointer or absent; taken as a long it
 * reaches the kernel as the caller passed it (Linux reads only the low
 * half for the int commands). Waiting for a lock (F_SETLKW) is a
 * cancellation point, the other commands do not block. */
int fcntl(int fd, int cmd, ...)
{
    va_list ap;
    va_start(ap, cmd);
    unsigned long arg = va_arg(ap, unsigned long);
    va_end(ap);
    if (cmd == F_SETLKW)
        return (int)__syscall_ret(__syscall_cp3(SYS_fcntl, fd, cmd, arg));
    return (int)__syscall_ret(__syscall3(SYS_fcntl, fd, cmd, arg));
}

int ioctl(int fd, unsigned long request, ...)
{
    va_list ap;
    va_start(ap, request);
    unsigned long arg = va_arg(ap, unsigned long);
    va_end(ap);
    return (int)__syscall_ret(__syscall3(SYS_ioctl, fd, request, arg));
}
pid_t getpgid(pid_t pid) { return (pid_t)__syscall_ret(__syscall1(SYS_getpgid, pid)); }
pid_t getpgrp(void) { return getpgid(0); }
int setpgid(pid_t pid, pid_t pgid) { return (int)__syscall_ret(__syscall2(SYS_setpgid, pid, pgid)); }
pid_t getsid(pid_t pid) { return (pid_t)__syscall_ret(__syscall1(SYS_getsid, pid)); }
pid_t setsid(void) { return (pid_t)__syscall_ret(__syscall0(SYS_setsid)); }
int gettimeofday(struct timeval *tv, void *tz) { return (int)__syscall_ret(__syscall2(SYS_gettimeofday, tv, tz)); }
