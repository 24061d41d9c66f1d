/* Character, line and block input through the stream's read area, under
 * its lock. The end-of-file indicator is sticky: once set, reads return
 * EOF without asking the file again, until clearerr, a seek or ungetc. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "stdio_impl.h"

static int getc_unlocked_(FILE *f)
{
    if (f->rpos < f->rend)
        return (unsigned char)f->buf[f->rpos++];
    if (__stdio_refill(f))
        return EOF;
    return (unsigned char)f->buf[f->rpos++];
}

int fgetc(FILE *f)
{
    __lock_file(f);
    int c = getc_unlocked_(f);
    __unlock_file(f);
    return c;
}
int getc(FILE *f) { return fgetc(f); }
int getchar(void) { return fgetc(stdin); }

/* Goes into the ungetc area before the unread bytes: at least UNGET
 * characters can be pushed back at any position. */
int ungetc(int c, FILE *f)
{
    if (c == EOF)
        return EOF;
    __lock_file(f);
    int r = EOF;
    if (!__stdio_to_read(f) && f->rpos > 0) {
        f->buf[--f->rpos] = (char)c;
        f->eof = 0;
        r = (unsigned char)c;
    }
    __unlock_file(f);
    return r;
}

/* Null when nothing was read before the end of the file, or when a read
 * failed during this call. */
char *fgets(char *restrict str, int n, FILE *restrict f)
{
    if (n <= 0)
        return 0;
    __lock_file(f);
    int had_error = f->error;
    f->error = 0;
    size_t i = 0, max = (size_t)n - 1;
    while (i < max) {
        if (f->rpos == f->rend && __stdio_refill(f))
            break;
        size_t k = f->rend - f->rpos;
        if (k > max - i)
            k = max - i;
        const char *src = f->buf + f->rpos;
        const char *nl = memchr(src, '\n', k);
        if (nl)
            k = (size_t)(nl - src) + 1;
        memcpy(str + i, src, k);
        f->rpos += k;
        i += k;
        if (nl)
            break;
    }
    int failed = f->error;
    f->error |= had_error;
    __unlock_file(f);
    if ((i == 0 && max > 0) || failed)
        return 0;
    str[i] = 0;
    return str;
}

/* Buffered bytes first; a request of a whole read area or more then goes
 * straight to the caller's memory. */
size_t fread(void *restrict p, size_t size, size_t n, FILE *restrict f)
{
    if (!size || !n)
        return 0;
    if (n > SIZE_MAX / size) {
        errno = EOVERFLOW;
        return 0;
    }
    size_t want = size * n, got = 0;
    char *dst = p;
    __lock_file(f);
    if (__stdio_to_read(f)) {
        __unlock_file(f);
        return 0;
    }
    while (got < want) {
        size_t k = f->rend - f->rpos;
        if (k) {
            if (k > want - got)
                k = want - got;
            memcpy(dst + got, f->buf + f->rpos, k);
            f->rpos += k;
            got += k;
            continue;
        }
        if (f->eof)
            break;
        if (want - got >= f->cap - UNGET) {
            ssize_t r = read(f->fd, dst + got, want - got);
            if (r < 0 && errno == EINTR)
                continue;
            if (r <= 0) {
                if (r < 0)
                    f->error = 1;
                else
                    f->eof = 1;
                break;
            }
            got += (size_t)r;
        } else if (__stdio_refill(f)) {
            break;
        }
    }
    __unlock_file(f);
    return got / size;
}

/* The line, delimiter included, null-terminated in *line (grown with
 * realloc as needed); its length, or -1 at the end of the file with
 * nothing read, or on error. */
ssize_t getdelim(char **restrict line, size_t *restrict n, int delim, FILE *restrict f)
{
    if (!line || !n) {
        errno = EINVAL;
        return -1;
    }
    __lock_file(f);
    size_t len = 0;
    int failed = 0;
    for (;;) {
        if (f->rpos == f->rend && __stdio_refill(f)) {
            failed = !len;
            break;
        }
        const char *src = f->buf + f->rpos;
        size_t k = f->rend - f->rpos;
        const char *end = memchr(src, delim, k);
        if (end)
            k = (size_t)(end - src) + 1;
        if (!*line || len + k + 1 > *n) {
            size_t need = len + k + 1, cap = *line && *n ? *n : 120;
            while (cap < need)
                cap *= 2;
            char *nl = realloc(*line, cap);
            if (!nl) {
                f->error = 1;
                errno = ENOMEM;
                failed = 1;
                break;
            }
            *line = nl;
            *n = cap;
        }
        memcpy(*line + len, src, k);
        f->rpos += k;
        len += k;
        if (end)
            break;
    }
    if (*line && len < *n)
        (*line)[len] = 0;
    __unlock_file(f);
    if (failed || len > SSIZE_MAX) {
        if (!failed)
            errno = EOVERFLOW;
        return -1;
    }
    return (ssize_t)len;
}

ssize_t getline(char **restrict line, size_t *restrict n, FILE *restrict f) { return getdelim(line, n, '\n', f); }
