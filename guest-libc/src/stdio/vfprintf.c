/* The printf engine: a format string and its arguments into a sink (a
 * stream, a string buffer or an fd), and the v*printf entry points. */
#include <stdint.h>
#include <string.h>
#include "stdio_impl.h"

void __sink_flush_fd(struct sink *s)
{
    if (s->fd >= 0 && s->tlen) {
        __stdio_write_all(s->fd, s->tmp, s->tlen);
        s->tlen = 0;
    }
}

void __emit(struct sink *s, const char *p, size_t n)
{
    if (s->f) {
        __stdio_out(s->f, p, n);
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
                __sink_flush_fd(s);
        }
    } else if (s->buf) {
        for (size_t i = 0; i < n; i++)
            if (s->len + i + 1 < s->cap)
                s->buf[s->len + i] = p[i];
    }
    s->len += n;
}

void __pad(struct sink *s, char c, int n)
{
    char chunk[32];
    memset(chunk, c, sizeof(chunk));
    while (n > 0) {
        int k = n < 32 ? n : 32;
        __emit(s, chunk, (size_t)k);
        n -= k;
    }
}

/* Emits digits (already formatted, no sign) with sign/prefix, precision
 * and width as printf specifies. */
static void emit_number(struct sink *s, const char *digits, int ndigits, const char *prefix, int flags, int width, int prec)
{
    int plen = (int)strlen(prefix);
    int zeros = prec > ndigits ? prec - ndigits : 0;
    int total = plen + zeros + ndigits;
    if (!(flags & F_MINUS) && !((flags & F_ZERO) && prec < 0))
        __pad(s, ' ', width - total);
    __emit(s, prefix, (size_t)plen);
    if (!(flags & F_MINUS) && (flags & F_ZERO) && prec < 0)
        __pad(s, '0', width - total);
    __pad(s, '0', zeros);
    __emit(s, digits, (size_t)ndigits);
    if (flags & F_MINUS)
        __pad(s, ' ', width - total);
}

int __format(struct sink *s, const char *fmt, va_list ap)
{
    for (const char *p = fmt; *p; p++) {
        if (*p != '%') {
            const char *q = p;
            while (*q && *q != '%')
                q++;
            __emit(s, p, (size_t)(q - p));
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
                if (prec < 0) /* as if omitted */
                    prec = -1;
                p++;
            } else {
                while (*p >= '0' && *p <= '9')
                    prec = prec * 10 + (*p++ - '0');
            }
        }
        int len = 0; /* 0 int, 1 long, 2 long long, -1 short, -2 char, 3 size_t/ptrdiff/intmax */
        int ldbl = 0; /* L: long double */
        for (;; p++) {
            if (*p == 'l') len = len == 1 ? 2 : 1;
            else if (*p == 'h') len = len == -1 ? -2 : -1;
            else if (*p == 'z' || *p == 't' || *p == 'j') len = 3;
            else if (*p == 'L' || *p == 'q') len = 2, ldbl = *p == 'L';
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
            if (!(flags & F_MINUS)) __pad(s, ' ', width - 1);
            __emit(s, &c, 1);
            if (flags & F_MINUS) __pad(s, ' ', width - 1);
            break;
        }
        case 's': {
            const char *str = va_arg(ap, const char *);
            if (!str) str = "(null)";
            size_t n = prec >= 0 ? strnlen(str, (size_t)prec) : strlen(str);
            if (!(flags & F_MINUS)) __pad(s, ' ', width - (int)n);
            __emit(s, str, n);
            if (flags & F_MINUS) __pad(s, ' ', width - (int)n);
            break;
        }
        case 'f':
        case 'F':
        case 'e':
        case 'E':
        case 'g':
        case 'G':
        case 'a':
        case 'A': {
            /* long double is taken as an x87 long double and printed as
             * the double nearest to it: exact (glibc's digits) for every
             * value a double holds, except %La, which glibc writes from the
             * 64-bit significand (0xcp-3 where we write 0x1.8p+0). */
            double v = ldbl ? (double)va_arg(ap, long double) : va_arg(ap, double);
            __format_double(s, v, *p, flags, width, prec);
            break;
        }
        case 'n':
            *va_arg(ap, int *) = (int)s->len;
            break;
        case '%':
            __emit(s, "%", 1);
            break;
        default:
            /* Unsupported conversion (wide characters, %m): shown
             * verbatim so the gap is visible rather than silently wrong. */
            __emit(s, "%", 1);
            if (*p) __emit(s, p, 1);
            else p--;
            break;
        }
    }
    return (int)s->len;
}

/* -1 when the stream failed to take the output (a write error, a
 * stream not open for writing), as in glibc. */
int vfprintf(FILE *restrict f, const char *restrict fmt, va_list ap)
{
    struct sink s = {.f = f, .fd = -1};
    __lock_file(f);
    int had_error = f->error;
    f->error = 0;
    int r = __format(&s, fmt, ap);
    if (f->error)
        r = -1;
    f->error |= had_error;
    __unlock_file(f);
    return r;
}

int vprintf(const char *restrict fmt, va_list ap)
{
    return vfprintf(stdout, fmt, ap);
}

int vsnprintf(char *restrict buf, size_t n, const char *restrict fmt, va_list ap)
{
    struct sink s = {.buf = buf, .cap = n, .fd = -1};
    int r = __format(&s, fmt, ap);
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
    int r = __format(&s, fmt, ap);
    __sink_flush_fd(&s);
    return r;
}
