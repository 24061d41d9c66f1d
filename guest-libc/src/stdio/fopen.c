/* Opening streams: fopen, fdopen, freopen, tmpfile. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "stdio_impl.h"

/* "r", "w" or "a", then in any order "+" (both directions), "b" (no
 * meaning on POSIX), "e" (O_CLOEXEC), "x" (O_EXCL); the rest (glibc's
 * "m", "c", ",ccs=") is ignored. Returns the stream flags. */
int __stdio_mode(const char *mode, int *oflags)
{
    int o, fl;
    switch (*mode) {
    case 'r':
        o = O_RDONLY;
        fl = F_NOWR;
        break;
    case 'w':
        o = O_WRONLY | O_CREAT | O_TRUNC;
        fl = F_NORD;
        break;
    case 'a':
        o = O_WRONLY | O_CREAT | O_APPEND;
        fl = F_NORD | F_APPEND;
        break;
    default:
        errno = EINVAL;
        return -1;
    }
    for (const char *m = mode + 1; *m && *m != ','; m++) {
        switch (*m) {
        case '+':
            o = (o & ~O_ACCMODE) | O_RDWR;
            fl &= ~(F_NORD | F_NOWR);
            break;
        case 'e':
            o |= O_CLOEXEC;
            break;
        case 'x':
            o |= O_EXCL;
            break;
        }
    }
    *oflags = o;
    return fl;
}

/* A write-only append stream starts at the end, so ftell tells where
 * the first write goes, as glibc's does; "a+" reads from the start. */
FILE *fopen(const char *restrict path, const char *restrict mode)
{
    int o, fl = __stdio_mode(mode, &o);
    if (fl < 0)
        return 0;
    int fd = open(path, o, 0666);
    if (fd < 0)
        return 0;
    if ((fl & F_APPEND) && (fl & F_NORD))
        __syscall3(SYS_lseek, fd, 0, SEEK_END);
    FILE *f = __stdio_new(fd, fl);
    if (!f)
        __syscall1(SYS_close, fd);
    return f;
}

/* The descriptor's access mode must allow the stream's directions; an
 * append stream makes it O_APPEND (and starts at the end, as fopen's
 * does). The descriptor's close-on-exec flag
 * is left as it is ("e" is fopen's). */
FILE *fdopen(int fd, const char *mode)
{
    int o, fl = __stdio_mode(mode, &o);
    if (fl < 0)
        return 0;
    int cur = fcntl(fd, F_GETFL);
    if (cur < 0)
        return 0;
    int acc = cur & O_ACCMODE;
    if ((!(fl & F_NORD) && acc == O_WRONLY) || (!(fl & F_NOWR) && acc == O_RDONLY)) {
        errno = EINVAL;
        return 0;
    }
    if ((fl & F_APPEND) && !(cur & O_APPEND) && fcntl(fd, F_SETFL, cur | O_APPEND) < 0)
        return 0;
    if ((fl & F_APPEND) && (fl & F_NORD))
        __syscall3(SYS_lseek, fd, 0, SEEK_END);
    return __stdio_new(fd, fl);
}

/* With a path, the stream is that file's from now on, on the same
 * descriptor number where it can be (so a reopened stdout is still fd
 * 1); without one, only the mode changes: append and close-on-exec on
 * the same descriptor (an access mode it lacks is EBADF). On failure the
 * stream is closed, as POSIX has it. */
FILE *freopen(const char *restrict path, const char *restrict mode, FILE *restrict f)
{
    int o, fl = __stdio_mode(mode, &o);
    __lock_file(f);
    __fflush_unlocked(f);
    if (fl < 0)
        goto fail;
    if (path) {
        int old = f->fd;
        if (old >= 0)
            __syscall1(SYS_close, old);
        f->fd = -1;
        int fd = open(path, o, 0666);
        if (fd < 0)
            goto fail;
        if (old >= 0 && fd != old) {
            if (dup3(fd, old, o & O_CLOEXEC) < 0) {
                __syscall1(SYS_close, fd);
                goto fail;
            }
            __syscall1(SYS_close, fd);
            fd = old;
        }
        f->fd = fd;
        if ((fl & F_APPEND) && (fl & F_NORD))
            __syscall3(SYS_lseek, fd, 0, SEEK_END);
    } else {
        int cur = fcntl(f->fd, F_GETFL);
        if (cur < 0)
            goto fail;
        int acc = cur & O_ACCMODE;
        if ((!(fl & F_NORD) && acc == O_WRONLY) || (!(fl & F_NOWR) && acc == O_RDONLY)) {
            errno = EBADF;
            goto fail;
        }
        if (fcntl(f->fd, F_SETFL, (cur & ~O_APPEND) | (o & O_APPEND)) < 0 ||
            fcntl(f->fd, F_SETFD, (o & O_CLOEXEC) ? FD_CLOEXEC : 0) < 0)
            goto fail;
    }
    f->flags = (f->flags & F_STATIC) | fl;
    f->error = f->eof = 0;
    f->rpos = f->rend = f->len = 0;
    __unlock_file(f);
    return f;
fail:
    __unlock_file(f);
    {
        int e = errno;
        fclose(f);
        errno = e;
    }
    return 0;
}

/* An unnamed file in /tmp (O_TMPFILE); where the file system has no
 * such thing, a named one removed at once. */
FILE *tmpfile(void)
{
    int fd = open(P_tmpdir, O_RDWR | O_TMPFILE | O_EXCL, 0600);
    if (fd < 0) {
        char name[] = P_tmpdir "/tmpfXXXXXX";
        fd = mkstemp(name);
        if (fd < 0)
            return 0;
        __syscall1(SYS_unlink, name);
    }
    FILE *f = __stdio_new(fd, 0);
    if (!f)
        __syscall1(SYS_close, fd);
    return f;
}
