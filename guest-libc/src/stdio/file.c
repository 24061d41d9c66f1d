/* The three streams over fds 0-2, their locks and buffers. stdout is
 * fully buffered (flushed when full, by fflush and at exit), stderr
 * unbuffered, as glibc does when stdout is not a terminal. */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include "stdio_impl.h"

static struct __file files[3] = {
    {.fd = 0, .mode = _IOFBF},
    {.fd = 1, .mode = _IOFBF},
    {.fd = 2, .mode = _IONBF},
};
FILE *const stdin = &files[0];
FILE *const stdout = &files[1];
FILE *const stderr = &files[2];

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

int fflush(FILE *f)
{
    if (!f) {
        __stdio_flush_all();
        return 0;
    }
    __lock_file(f);
    int r = __fflush_unlocked(f);
    __unlock_file(f);
    return r;
}

int __fflush_unlocked(FILE *f)
{
    if (f->len && f->fd != 0) {
        int r = __stdio_write_all(f->fd, f->buf, f->len);
        f->len = 0;
        if (r < 0) {
            f->error = 1;
            return EOF;
        }
    }
    return 0;
}

void __stdio_flush_all(void)
{
    fflush(stdout);
    fflush(stderr);
}

int __stdio_out(FILE *f, const char *p, size_t n)
{
    if (f->mode == _IONBF) {
        if (__stdio_write_all(f->fd, p, n) < 0) {
            f->error = 1;
            return -1;
        }
        return 0;
    }
    while (n > 0) {
        size_t room = sizeof(f->buf) - f->len;
        size_t k = n < room ? n : room;
        memcpy(f->buf + f->len, p, k);
        f->len += k;
        p += k;
        n -= k;
        if (f->len == sizeof(f->buf) && __fflush_unlocked(f))
            return -1;
    }
    if (f->mode == _IOLBF && f->len && memchr(f->buf, '\n', f->len))
        return __fflush_unlocked(f);
    return 0;
}

int setvbuf(FILE *restrict f, char *restrict buf, int mode, size_t size)
{
    (void)buf;
    (void)size;
    fflush(f);
    f->mode = mode;
    return 0;
}

int ferror(FILE *f) { return f->error; }
int feof(FILE *f) { return f->eof; }
int fileno(FILE *f) { return f->fd; }
