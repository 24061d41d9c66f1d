/* A small stdio: three streams over fds 0-2, the printf family, and line
 * I/O. Each stream has a recursive lock (owner = the thread's TCB), so
 * one printf's output is never interleaved with another thread's. stdout is fully buffered (flushed when full, by fflush and at exit),
 * stderr unbuffered, as glibc does when stdout is not a terminal. */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include "internal.h"

struct __file {
    int lock;   /* 0 free, 1 held, 2 held with sleepers (futex word) */
    int count;  /* recursion depth of the owner */
    void *owner;
    int fd;
    int mode;
    int error, eof;
    size_t len;
    char buf[BUFSIZ];
};

static struct __file files[3] = {
    {.fd = 0, .mode = _IOFBF},
    {.fd = 1, .mode = _IOFBF},
    {.fd = 2, .mode = _IONBF},
};
FILE *const stdin = &files[0];
FILE *const stdout = &files[1];
FILE *const stderr = &files[2];

static int write_all(int fd, const char *p, size_t n)
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

static void flock(FILE *f)
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

static void funlock(FILE *f)
{
    if (--f->count > 0)
        return;
    f->owner = 0;
    __lll_unlock(&f->lock);
}

static int fflush_unlocked(FILE *f);

int fflush(FILE *f)
{
    if (!f) {
        __stdio_flush_all();
        return 0;
    }
    flock(f);
    int r = fflush_unlocked(f);
    funlock(f);
    return r;
}

static int fflush_unlocked(FILE *f)
{
    if (f->len && f->fd != 0) {
        int r = write_all(f->fd, f->buf, f->len);
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

static int out(FILE *f, const char *p, size_t n)
{
    if (f->mode == _IONBF) {
        if (write_all(f->fd, p, n) < 0) {
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
        if (f->len == sizeof(f->buf) && fflush_unlocked(f))
            return -1;
    }
    if (f->mode == _IOLBF && f->len && memchr(f->buf, '\n', f->len))
        return fflush_unlocked(f);
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

/* ---- formatting engine ---- */

struct sink {
    FILE *f;         /* stream, or */
    char *buf;       /* string buffer */
    size_t cap, len; /* len counts every byte produced */
    int fd;          /* or fd (dprintf), when >= 0 */
    char tmp[256];
    size_t tlen;
};

static void sink_flush_fd(struct sink *s)
{
    if (s->fd >= 0 && s->tlen) {
        write_all(s->fd, s->tmp, s->tlen);
        s->tlen = 0;
    }
}

static void emit(struct sink *s, const char *p, size_t n)
{
    if (s->f) {
        out(s->f, p, n);
    } else if (s->fd >= 0) {
        while (n) {
            size_t k = sizeof(s->tmp) - s->tlen;
            if (k > n)
                k = n;
            memcpy(s->tmp + s->tlen, p, k);
            s->tlen += k;
            p += k;
            n -= k;
            if (s->tlen == sizeof(s->tmp))
                sink_flush_fd(s);
        }
    } else if (s->buf) {
        for (size_t i = 0; i < n; i++)
            if (s->len + i + 1 < s->cap)
                s->buf[s->len + i] = p[i];
    }
    s->len += n;
}

static void pad(struct sink *s, char c, int n)
{
    char chunk[32];
    memset(chunk, c, sizeof(chunk));
    while (n > 0) {
        int k = n < 32 ? n : 32;
        emit(s, chunk, (size_t)k);
        n -= k;
    }
}

enum { F_MINUS = 1, F_PLUS = 2, F_SPACE = 4, F_ZERO = 8, F_ALT = 16 };

/* Emits digits (already formatted, no sign) with sign/prefix, precision
 * and width as printf specifies. */
static void emit_number(struct sink *s, const char *digits, int ndigits, const char *prefix, int flags, int width, int prec)
{
    int plen = (int)strlen(prefix);
    int zeros = prec > ndigits ? prec - ndigits : 0;
    int total = plen + zeros + ndigits;
    if (!(flags & F_MINUS) && !((flags & F_ZERO) && prec < 0))
        pad(s, ' ', width - total);
    emit(s, prefix, (size_t)plen);
    if (!(flags & F_MINUS) && (flags & F_ZERO) && prec < 0)
        pad(s, '0', width - total);
    pad(s, '0', zeros);
    emit(s, digits, (size_t)ndigits);
    if (flags & F_MINUS)
        pad(s, ' ', width - total);
}

static int utoa(char *end, unsigned long long v, int base, int upper)
{
    const char *d = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    int n = 0;
    do {
        *--end = d[v % (unsigned)base];
        v /= (unsigned)base;
        n++;
    } while (v);
    return n;
}

static void format_double(struct sink *s, double v, int flags, int width, int prec)
{
    char buf[64];
    char prefix[2] = {0, 0};
    if (prec < 0)
        prec = 6;
    if (prec > 17)
        prec = 17;
    if (v != v) {
        emit_number(s, "nan", 3, "", flags & ~F_ZERO, width, -1);
        return;
    }
    if (v < 0 || (v == 0 && 1 / v < 0)) {
        prefix[0] = '-';
        v = -v;
    } else if (flags & F_PLUS) {
        prefix[0] = '+';
    } else if (flags & F_SPACE) {
        prefix[0] = ' ';
    }
    if (v > 1e18) {
        emit_number(s, "inf", 3, prefix, flags & ~F_ZERO, width, -1);
        return;
    }
    double scale = 1;
    for (int i = 0; i < prec; i++)
        scale *= 10;
    unsigned long long ip = (unsigned long long)v;
    double frac = (v - (double)ip) * scale + 0.5;
    unsigned long long fp = (unsigned long long)frac;
    if ((double)fp >= scale) {
        ip++;
        fp -= (unsigned long long)scale;
    }
    char *end = buf + sizeof(buf);
    char *p = end;
    if (prec > 0) {
        for (int i = 0; i < prec; i++) {
            *--p = (char)('0' + fp % 10);
            fp /= 10;
        }
        *--p = '.';
    } else if (flags & F_ALT) {
        *--p = '.';
    }
    p -= utoa(p, ip, 10, 0);
    emit_number(s, p, (int)(end - p), prefix, flags, width, -1);
}

static int format(struct sink *s, const char *fmt, va_list ap)
{
    for (const char *p = fmt; *p; p++) {
        if (*p != '%') {
            const char *q = p;
            while (*q && *q != '%')
                q++;
            emit(s, p, (size_t)(q - p));
            p = q - 1;
            continue;
        }
        p++;
        int flags = 0;
        for (;; p++) {
            if (*p == '-') flags |= F_MINUS;
            else if (*p == '+') flags |= F_PLUS;
            else if (*p == ' ') flags |= F_SPACE;
            else if (*p == '0') flags |= F_ZERO;
            else if (*p == '#') flags |= F_ALT;
            else break;
        }
        int width = 0;
        if (*p == '*') {
            width = va_arg(ap, int);
            if (width < 0) {
                flags |= F_MINUS;
                width = -width;
            }
            p++;
        } else {
            while (*p >= '0' && *p <= '9')
                width = width * 10 + (*p++ - '0');
        }
        int prec = -1;
        if (*p == '.') {
            p++;
            prec = 0;
            if (*p == '*') {
                prec = va_arg(ap, int);
                p++;
            } else {
                while (*p >= '0' && *p <= '9')
                    prec = prec * 10 + (*p++ - '0');
            }
        }
        int len = 0; /* 0 int, 1 long, 2 long long, -1 short, -2 char, 3 size_t/ptrdiff/intmax */
        for (;; p++) {
            if (*p == 'l') len = len == 1 ? 2 : 1;
            else if (*p == 'h') len = len == -1 ? -2 : -1;
            else if (*p == 'z' || *p == 't' || *p == 'j') len = 3;
            else if (*p == 'L' || *p == 'q') len = 2;
            else break;
        }
        char buf[72];
        char *end = buf + sizeof(buf);
        switch (*p) {
        case 'd':
        case 'i': {
            long long v;
            if (len >= 1) v = len == 1 ? va_arg(ap, long) : va_arg(ap, long long);
            else v = va_arg(ap, int);
            if (len == -1) v = (short)v;
            if (len == -2) v = (signed char)v;
            unsigned long long u = v < 0 ? -(unsigned long long)v : (unsigned long long)v;
            const char *prefix = v < 0 ? "-" : (flags & F_PLUS) ? "+" : (flags & F_SPACE) ? " " : "";
            int n = (prec == 0 && u == 0) ? 0 : utoa(end, u, 10, 0);
            emit_number(s, end - n, n, prefix, flags, width, prec);
            break;
        }
        case 'u':
        case 'x':
        case 'X':
        case 'o': {
            unsigned long long u;
            if (len >= 1) u = len == 1 ? va_arg(ap, unsigned long) : va_arg(ap, unsigned long long);
            else u = va_arg(ap, unsigned);
            if (len == -1) u = (unsigned short)u;
            if (len == -2) u = (unsigned char)u;
            int base = *p == 'o' ? 8 : *p == 'u' ? 10 : 16;
            const char *prefix = "";
            if ((flags & F_ALT) && u) prefix = *p == 'x' ? "0x" : *p == 'X' ? "0X" : *p == 'o' ? "0" : "";
            int n = (prec == 0 && u == 0) ? 0 : utoa(end, u, base, *p == 'X');
            emit_number(s, end - n, n, prefix, flags, width, prec);
            break;
        }
        case 'p': {
            void *v = va_arg(ap, void *);
            if (!v) {
                emit_number(s, "(nil)", 5, "", flags & ~F_ZERO, width, -1);
                break;
            }
            int n = utoa(end, (uintptr_t)v, 16, 0);
            emit_number(s, end - n, n, "0x", flags, width, prec);
            break;
        }
        case 'c': {
            char c = (char)va_arg(ap, int);
            if (!(flags & F_MINUS)) pad(s, ' ', width - 1);
            emit(s, &c, 1);
            if (flags & F_MINUS) pad(s, ' ', width - 1);
            break;
        }
        case 's': {
            const char *str = va_arg(ap, const char *);
            if (!str) str = "(null)";
            size_t n = prec >= 0 ? strnlen(str, (size_t)prec) : strlen(str);
            if (!(flags & F_MINUS)) pad(s, ' ', width - (int)n);
            emit(s, str, n);
            if (flags & F_MINUS) pad(s, ' ', width - (int)n);
            break;
        }
        case 'f':
        case 'F':
            format_double(s, va_arg(ap, double), flags, width, prec);
            break;
        case 'n':
            *va_arg(ap, int *) = (int)s->len;
            break;
        case '%':
            emit(s, "%", 1);
            break;
        default:
            /* Unsupported conversion (%e, %g, %a, wide characters): shown
             * verbatim so the gap is visible rather than silently wrong. */
            emit(s, "%", 1);
            if (*p) emit(s, p, 1);
            else p--;
            break;
        }
    }
    return (int)s->len;
}

int vfprintf(FILE *restrict f, const char *restrict fmt, va_list ap)
{
    struct sink s = {.f = f, .fd = -1};
    flock(f);
    int r = format(&s, fmt, ap);
    funlock(f);
    return r;
}

int vprintf(const char *restrict fmt, va_list ap)
{
    return vfprintf(stdout, fmt, ap);
}

int vsnprintf(char *restrict buf, size_t n, const char *restrict fmt, va_list ap)
{
    struct sink s = {.buf = buf, .cap = n, .fd = -1};
    int r = format(&s, fmt, ap);
    if (n)
        buf[s.len < n ? s.len : n - 1] = 0;
    return r;
}

int vsprintf(char *restrict buf, const char *restrict fmt, va_list ap)
{
    return vsnprintf(buf, (size_t)-1 >> 1, fmt, ap);
}

int vdprintf(int fd, const char *restrict fmt, va_list ap)
{
    struct sink s = {.fd = fd};
    int r = format(&s, fmt, ap);
    sink_flush_fd(&s);
    return r;
}

#define VARIADIC(call)      \
    va_list ap;             \
    va_start(ap, fmt);      \
    int r = call;           \
    va_end(ap);             \
    return r

int printf(const char *restrict fmt, ...) { VARIADIC(vfprintf(stdout, fmt, ap)); }
int fprintf(FILE *restrict f, const char *restrict fmt, ...) { VARIADIC(vfprintf(f, fmt, ap)); }
int dprintf(int fd, const char *restrict fmt, ...) { VARIADIC(vdprintf(fd, fmt, ap)); }
int sprintf(char *restrict buf, const char *restrict fmt, ...) { VARIADIC(vsprintf(buf, fmt, ap)); }
int snprintf(char *restrict buf, size_t n, const char *restrict fmt, ...) { VARIADIC(vsnprintf(buf, n, fmt, ap)); }

int fputs(const char *restrict str, FILE *restrict f)
{
    flock(f);
    int r = out(f, str, strlen(str)) ? EOF : 0;
    funlock(f);
    return r;
}

int puts(const char *str)
{
    flock(stdout);
    int r = (out(stdout, str, strlen(str)) || out(stdout, "\n", 1)) ? EOF : 0;
    funlock(stdout);
    return r;
}

int fputc(int c, FILE *f)
{
    char ch = (char)c;
    flock(f);
    int r = out(f, &ch, 1) ? EOF : (unsigned char)c;
    funlock(f);
    return r;
}
int putc(int c, FILE *f) { return fputc(c, f); }
int putchar(int c) { return fputc(c, stdout); }

size_t fwrite(const void *restrict p, size_t size, size_t n, FILE *restrict f)
{
    if (!size || !n)
        return 0;
    flock(f);
    size_t r = out(f, p, size * n) ? 0 : n;
    funlock(f);
    return r;
}

int fgetc(FILE *f)
{
    unsigned char c;
    if (f->eof)
        return EOF;
    ssize_t r = read(f->fd, &c, 1);
    if (r <= 0) {
        if (r < 0) f->error = 1;
        else f->eof = 1;
        return EOF;
    }
    return c;
}
int getc(FILE *f) { return fgetc(f); }
int getchar(void) { return fgetc(stdin); }

char *fgets(char *restrict str, int n, FILE *restrict f)
{
    int i = 0;
    while (i + 1 < n) {
        int c = fgetc(f);
        if (c == EOF)
            break;
        str[i++] = (char)c;
        if (c == '\n')
            break;
    }
    if (i == 0)
        return 0;
    str[i] = 0;
    return str;
}

size_t fread(void *restrict p, size_t size, size_t n, FILE *restrict f)
{
    size_t want = size * n, got = 0;
    while (got < want) {
        ssize_t r = read(f->fd, (char *)p + got, want - got);
        if (r <= 0) {
            if (r < 0) f->error = 1;
            else f->eof = 1;
            break;
        }
        got += (size_t)r;
    }
    return size ? got / size : 0;
}

int ferror(FILE *f) { return f->error; }
int feof(FILE *f) { return f->eof; }
int fileno(FILE *f) { return f->fd; }

void perror(const char *msg)
{
    int e = errno;
    if (msg && *msg)
        fprintf(stderr, "%s: %s\n", msg, strerror(e));
    else
        fprintf(stderr, "%s\n", strerror(e));
}
