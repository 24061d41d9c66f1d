/* Streams: the three over fds 0-2, the list of the others, their locks,
 * buffering and the switch between reading and writing. stdout is fully
 * buffered (flushed when full, by fflush and at exit), stderr
 * unbuffered, as glibc does when stdout is not a terminal. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "stdio_impl.h"

static struct __file files[3] = {
    {.fd = 0, .mode = _IOFBF, .flags = F_STATIC | F_NOWR, .buf = files[0].ibuf, .cap = sizeof(files[0].ibuf)},
    {.fd = 1, .mode = _IOFBF, .flags = F_STATIC | F_NORD, .buf = files[1].ibuf, .cap = sizeof(files[1].ibuf)},
    {.fd = 2, .mode = _IONBF, .flags = F_STATIC | F_NORD, .buf = files[2].ibuf, .cap = sizeof(files[2].ibuf)},
};
FILE *const stdin = &files[0];
FILE *const stdout = &files[1];
FILE *const stderr = &files[2];

/* The other open streams, for fflush(NULL) and exit. */
static FILE *open_files;
static int open_files_lock;

FILE *__stdio_new(int fd, int flags)
{
    FILE *f = calloc(1, sizeof(*f));
    if (!f) {
        errno = ENOMEM;
        return 0;
    }
    f->fd = fd;
    f->flags = flags;
    f->mode = _IOFBF;
    f->buf = f->ibuf;
    f->cap = sizeof(f->ibuf);
    __lll_lock(&open_files_lock);
    f->next = open_files;
    if (open_files)
        open_files->prev = f;
    open_files = f;
    __lll_unlock(&open_files_lock);
    return f;
}

/* Takes f off the list. The caller holds no stream lock: __stdio_flush_all
 * takes them under the list lock. */
static void stdio_unlink(FILE *f)
{
    __lll_lock(&open_files_lock);
    if (f->prev)
        f->prev->next = f->next;
    else
        open_files = f->next;
    if (f->next)
        f->next->prev = f->prev;
    __lll_unlock(&open_files_lock);
}

int __stdio_write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static void *me(void)
{
    void *pd;
    __asm__("mov %%fs:16, %0" : "=r"(pd));
    return pd;
}

void __lock_file(FILE *f)
{
    void *self = me();
    if (f->owner == self) {
        f->count++;
        return;
    }
    __lll_lock(&f->lock);
    f->owner = self;
    f->count = 1;
}

void __unlock_file(FILE *f)
{
    if (--f->count > 0)
        return;
    f->owner = 0;
    __lll_unlock(&f->lock);
}

int __fflush_unlocked(FILE *f)
{
    if (f->len) {
        int r = __stdio_write_all(f->fd, f->buf, f->len);
        f->len = 0;
        if (r < 0) {
            f->error = 1;
            return EOF;
        }
    }
    return 0;
}

int __stdio_sync_read(FILE *f)
{
    if (f->rend > f->rpos) {
        long r = __syscall3(SYS_lseek, f->fd, -(long)(f->rend - f->rpos), SEEK_CUR);
        if (r < 0) {
            /* A pipe or terminal cannot take them back: they stay
             * buffered, the next read's. */
            if (r == -ESPIPE)
                return 0;
            __syscall_ret(r);
            return EOF;
        }
    }
    f->rpos = f->rend = 0;
    return 0;
}

/* An input stream's flush sets the file offset to the stream's position,
 * as POSIX has it for seekable files. */
int fflush(FILE *f)
{
    if (!f) {
        __stdio_flush_all();
        return 0;
    }
    __lock_file(f);
    int r = __fflush_unlocked(f);
    if (!r && f->rend)
        r = __stdio_sync_read(f);
    __unlock_file(f);
    return r;
}

/* Writes out every stream's pending output; input streams keep theirs
 * (a seek per stream would cost more than exit needs). */
void __stdio_flush_all(void)
{
    fflush(stdout);
    fflush(stderr);
    __lll_lock(&open_files_lock);
    for (FILE *f = open_files; f; f = f->next) {
        __lock_file(f);
        __fflush_unlocked(f);
        __unlock_file(f);
    }
    __lll_unlock(&open_files_lock);
}

/* Out of reading: unread bytes go back to the file, so writing starts at
 * the stream's position (a pipe cannot take them back: they are lost). */
static int to_write(FILE *f)
{
    if (f->flags & F_NOWR) {
        f->error = 1;
        errno = EBADF;
        return -1;
    }
    if (f->rend) {
        if (f->rend > f->rpos)
            __syscall3(SYS_lseek, f->fd, -(long)(f->rend - f->rpos), SEEK_CUR);
        f->rpos = f->rend = 0;
    }
    return 0;
}

size_t __stdio_write(FILE *f, const char *p, size_t n)
{
    if (to_write(f))
        return 0;
    if (f->mode == _IONBF) {
        if (__stdio_write_all(f->fd, p, n) < 0) {
            f->error = 1;
            return 0;
        }
        return n;
    }
    if (f->len + n > f->cap) {
        if (__fflush_unlocked(f))
            return 0;
        /* More than a buffer's worth goes out directly. */
        if (n >= f->cap) {
            if (__stdio_write_all(f->fd, p, n) < 0) {
                f->error = 1;
                return 0;
            }
            return n;
        }
    }
    memcpy(f->buf + f->len, p, n);
    f->len += n;
    if (f->mode == _IOLBF && memchr(p, '\n', n) && __fflush_unlocked(f))
        return 0;
    return n;
}

int __stdio_out(FILE *f, const char *p, size_t n) { return __stdio_write(f, p, n) == n ? 0 : -1; }

int __stdio_to_read(FILE *f)
{
    if (f->flags & F_NORD) {
        f->error = 1;
        errno = EBADF;
        return EOF;
    }
    if (f->len && __fflush_unlocked(f))
        return EOF;
    if (!f->rend)
        f->rpos = f->rend = UNGET;
    return 0;
}

/* Reading an unbuffered or line-buffered stream is usually interactive:
 * a line-buffered stdout shows its prompt first, as glibc does it. */
int __stdio_refill(FILE *f)
{
    if (__stdio_to_read(f))
        return EOF;
    if (f->rpos < f->rend)
        return 0;
    if (f->eof)
        return EOF;
    if (f->mode != _IOFBF && f != stdout && stdout->mode == _IOLBF)
        fflush(stdout);
    size_t want = f->mode == _IONBF ? 1 : f->cap - UNGET;
    ssize_t r;
    do
        r = read(f->fd, f->buf + UNGET, want);
    while (r < 0 && errno == EINTR);
    if (r <= 0) {
        if (r < 0)
            f->error = 1;
        else
            f->eof = 1;
        return EOF;
    }
    f->rpos = UNGET;
    f->rend = UNGET + (size_t)r;
    return 0;
}

/* A caller's buffer replaces the stream's own when it has room for the
 * ungetc area and some data; a smaller one is not used. Changing the
 * buffer first writes out or gives back what the old one holds. */
int setvbuf(FILE *restrict f, char *restrict buf, int mode, size_t size)
{
    if (mode != _IOFBF && mode != _IOLBF && mode != _IONBF) {
        errno = EINVAL;
        return EOF;
    }
    __lock_file(f);
    __fflush_unlocked(f);
    if (f->rend)
        __stdio_sync_read(f);
    if (!f->rend) {
        if (buf && size > 2 * UNGET && mode != _IONBF) {
            f->buf = buf;
            f->cap = size;
        } else {
            f->buf = f->ibuf;
            f->cap = sizeof(f->ibuf);
        }
    }
    f->mode = mode;
    __unlock_file(f);
    return 0;
}

void setbuf(FILE *restrict f, char *restrict buf) { setvbuf(f, buf, buf ? _IOFBF : _IONBF, BUFSIZ); }
void setbuffer(FILE *restrict f, char *restrict buf, size_t size) { setvbuf(f, buf, buf ? _IOFBF : _IONBF, size); }
void setlinebuf(FILE *f) { setvbuf(f, 0, _IOLBF, 0); }

int ferror(FILE *f) { return f->error; }
int feof(FILE *f) { return f->eof; }
void clearerr(FILE *f)
{
    __lock_file(f);
    f->error = f->eof = 0;
    __unlock_file(f);
}
int fileno(FILE *f)
{
    if (f->fd < 0) {
        errno = EBADF;
        return -1;
    }
    return f->fd;
}

/* The stream's descriptor is closed whatever happens to its output; a
 * standard stream stays allocated, closed for both directions. */
int fclose(FILE *f)
{
    __lock_file(f);
    int r = __fflush_unlocked(f);
    if (f->rend)
        __stdio_sync_read(f);
    if (f->fd >= 0 && close(f->fd) < 0)
        r = EOF;
    f->fd = -1;
    f->flags |= F_NORD | F_NOWR;
    f->rpos = f->rend = f->len = 0;
    int is_static = f->flags & F_STATIC;
    __unlock_file(f);
    if (!is_static) {
        stdio_unlink(f);
        free(f);
    }
    return r;
}
