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

/* ---- floating point: %f %F %e %E %g %G %a %A ----
 *
 * Output is exactly glibc's. A double is m * 2^e2 with an integer m < 2^53,
 * so its decimal expansion is finite: m * 2^e2 when e2 >= 0, and
 * m * 5^-e2 / 10^-e2 when e2 < 0. We compute that integer exactly in
 * base-10^9 limbs, take all of its digits (at most 767 significant ones,
 * for the smallest normals), and do every rounding on that exact digit
 * string, in the rounding mode the FPU is in (glibc reads it the same way:
 * the x87 control word), so round-to-nearest rounds ties to even. */

#define DEC_LIMBS 96           /* 96 * 9 = 864 digits >= 767 */
#define DEC_DIGITS (DEC_LIMBS * 9)

/* A non-negative decimal: digits dig[0..n) (ASCII, no leading zero, no
 * trailing zero; n == 0 is zero) with dig[0] worth 10^exp. Every digit
 * position outside [0, n) is zero. */
struct decimal {
    int n;
    int exp;
    char dig[DEC_DIGITS];
};

static void to_decimal(struct decimal *x, uint64_t m, int e2)
{
    uint32_t limb[DEC_LIMBS]; /* little-endian, base 10^9 */
    int nl = 0;
    x->n = 0;
    x->exp = 0;
    if (m == 0)
        return;
    while (!(m & 1)) { /* fewer limbs to multiply */
        m >>= 1;
        e2++;
    }
    while (m) {
        limb[nl++] = (uint32_t)(m % 1000000000);
        m /= 1000000000;
    }
    /* multiply by 2^e2 (e2 > 0) or 5^-e2 (e2 < 0), 2^29 or 5^13 at a time:
     * a limb times either fits in 64 bits with the carry */
    int k = e2 < 0 ? -e2 : 0;
    for (int left = e2 < 0 ? -e2 : e2; left > 0;) {
        int step = e2 < 0 ? (left < 13 ? left : 13) : (left < 29 ? left : 29);
        uint64_t mul = 1;
        for (int i = 0; i < step; i++)
            mul *= e2 < 0 ? 5 : 2;
        uint64_t carry = 0;
        for (int i = 0; i < nl; i++) {
            uint64_t t = limb[i] * mul + carry;
            limb[i] = (uint32_t)(t % 1000000000);
            carry = t / 1000000000;
        }
        while (carry) {
            limb[nl++] = (uint32_t)(carry % 1000000000);
            carry /= 1000000000;
        }
        left -= step;
    }
    /* digits, most significant first */
    char top[9];
    int nt = 0;
    for (uint32_t t = limb[nl - 1]; t; t /= 10)
        top[nt++] = (char)('0' + t % 10);
    int n = 0;
    while (nt)
        x->dig[n++] = top[--nt];
    for (int i = nl - 2; i >= 0; i--) {
        uint32_t t = limb[i];
        for (int j = 8; j >= 0; j--) {
            x->dig[n + j] = (char)('0' + t % 10);
            t /= 10;
        }
        n += 9;
    }
    /* value = digits * 10^-k */
    x->exp = n - 1 - k;
    while (n > 0 && x->dig[n - 1] == '0')
        n--;
    x->n = n;
}

/* x87 rounding control, as fegetround() reads it on x86_64. */
enum { RND_NEAREST = 0, RND_DOWN = 0x400, RND_UP = 0x800, RND_ZERO = 0xc00 };

static int rounding_mode(void)
{
    unsigned short cw;
    __asm__ volatile("fnstcw %0" : "=m"(cw));
    return cw & 0xc00;
}

/* Whether dropping a nonzero tail rounds the magnitude up. half: the tail
 * against half a unit of the last kept digit (<0, 0, >0); odd: that digit
 * is odd; neg: the number is negative. */
static int round_away(int neg, int odd, int half)
{
    switch (rounding_mode()) {
    case RND_NEAREST:
        return half > 0 || (half == 0 && odd);
    case RND_DOWN:
        return neg;
    case RND_UP:
        return !neg;
    default:
        return 0;
    }
}

/* Rounds x to its first `keep` digits (keep <= 0: to a unit worth
 * 10^(exp - keep + 1), above every digit). */
static void dec_round(struct decimal *x, int keep, int neg)
{
    if (keep >= x->n)
        return;
    int half, odd = keep > 0 && ((x->dig[keep - 1] - '0') & 1);
    if (keep < 0)
        half = -1;
    else if (x->dig[keep] != '5')
        half = x->dig[keep] < '5' ? -1 : 1;
    else
        half = x->n > keep + 1 ? 1 : 0;
    if (!round_away(neg, odd, half)) {
        x->n = keep < 0 ? 0 : keep;
        while (x->n > 0 && x->dig[x->n - 1] == '0')
            x->n--;
        return;
    }
    if (keep <= 0) { /* up to one unit */
        x->exp = x->exp - keep + 1;
        x->dig[0] = '1';
        x->n = 1;
        return;
    }
    int i = keep - 1;
    while (i >= 0 && x->dig[i] == '9')
        i--;
    if (i < 0) { /* 99..9 -> 100..0 */
        x->exp++;
        x->dig[0] = '1';
        x->n = 1;
        return;
    }
    x->dig[i]++;
    x->n = i + 1;
}

/* Emits `count` digits of x starting at digit index i (zeros outside). */
static void emit_digits(struct sink *s, const struct decimal *x, long i, long count)
{
    while (count > 0) {
        long k;
        if (i < 0 || i >= x->n) {
            k = i < 0 && -i < count ? -i : count;
            pad(s, '0', (int)k);
        } else {
            k = x->n - i < count ? x->n - i : count;
            emit(s, x->dig + i, (size_t)k);
        }
        i += k;
        count -= k;
    }
}

/* Width padding around a conversion of `total` bytes whose first bytes are
 * `prefix` (sign, 0x): spaces before, zeros after the prefix, or spaces
 * after. */
static void fp_open(struct sink *s, int flags, int width, long total, const char *prefix)
{
    long fill = width > total ? width - total : 0;
    if (!(flags & (F_MINUS | F_ZERO)))
        pad(s, ' ', (int)fill);
    emit(s, prefix, strlen(prefix));
    if ((flags & (F_MINUS | F_ZERO)) == F_ZERO)
        pad(s, '0', (int)fill);
}

static void fp_close(struct sink *s, int flags, int width, long total)
{
    if ((flags & F_MINUS) && width > total)
        pad(s, ' ', (int)(width - total));
}

static void format_hex_float(struct sink *s, uint64_t frac, int biased, int flags, int width, int prec,
                             const char *prefix, int upper, int neg)
{
    const char *hex = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    /* glibc: normals as 1.xxx, subnormals as 0.xxx with exponent -1022 */
    int lead = biased != 0;
    int e = biased ? biased - 1023 : (frac ? -1022 : 0);
    if (prec < 0) {
        prec = 13;
        while (prec > 0 && !((frac >> (4 * (13 - prec))) & 0xf))
            prec--;
    } else if (prec < 13) {
        int shift = 4 * (13 - prec);
        uint64_t rest = frac & ((1ull << shift) - 1), halfway = 1ull << (shift - 1);
        frac >>= shift;
        int odd = prec ? (int)(frac & 1) : lead & 1;
        if (rest && round_away(neg, odd, rest < halfway ? -1 : rest > halfway))
            if (++frac >> (4 * prec)) { /* carry into the leading digit */
                frac = 0;
                lead++;
            }
        frac <<= shift;
    }
    char expbuf[8];
    int ne = utoa(expbuf + sizeof(expbuf), (unsigned)(e < 0 ? -e : e), 10, 0);
    int point = prec > 0 || (flags & F_ALT);
    long total = (long)strlen(prefix) + 2 + 1 + point + prec + 2 + ne;
    char pfx[4] = {0};
    size_t np = strlen(prefix);
    memcpy(pfx, prefix, np);
    pfx[np] = '0';
    pfx[np + 1] = upper ? 'X' : 'x';
    fp_open(s, flags, width, total, pfx);
    char body[20];
    int nb = 0;
    body[nb++] = hex[lead];
    if (point)
        body[nb++] = '.';
    for (int i = 0; i < prec && i < 13; i++)
        body[nb++] = hex[(frac >> (48 - 4 * i)) & 0xf];
    emit(s, body, (size_t)nb);
    if (prec > 13)
        pad(s, '0', prec - 13);
    body[0] = upper ? 'P' : 'p';
    body[1] = e < 0 ? '-' : '+';
    emit(s, body, 2);
    emit(s, expbuf + sizeof(expbuf) - ne, (size_t)ne);
    fp_close(s, flags, width, total);
}

/* One floating-point conversion (conv is one of fFeEgGaA). */
static void format_double(struct sink *s, double v, int conv, int flags, int width, int prec)
{
    union {
        double d;
        uint64_t u;
    } bits = {.d = v};
    int neg = (int)(bits.u >> 63);
    int biased = (int)((bits.u >> 52) & 0x7ff);
    uint64_t frac = bits.u & ((1ull << 52) - 1);
    int upper = conv == 'F' || conv == 'E' || conv == 'G' || conv == 'A';
    const char *prefix = neg ? "-" : (flags & F_PLUS) ? "+" : (flags & F_SPACE) ? " " : "";
    long plen = (long)strlen(prefix);

    if (biased == 0x7ff) { /* zero padding does not apply to inf and nan */
        const char *word = frac ? (upper ? "NAN" : "nan") : (upper ? "INF" : "inf");
        fp_open(s, flags & ~F_ZERO, width, plen + 3, prefix);
        emit(s, word, 3);
        fp_close(s, flags, width, plen + 3);
        return;
    }
    if (conv == 'a' || conv == 'A') {
        format_hex_float(s, frac, biased, flags, width, prec, prefix, upper, neg);
        return;
    }

    struct decimal x;
    if (biased)
        to_decimal(&x, frac | (1ull << 52), biased - 1075);
    else
        to_decimal(&x, frac, -1074);
    if (prec < 0)
        prec = 6;
    int style = conv | 0x20; /* 'f' or 'e' below */
    if (style == 'g') {
        int P = prec ? prec : 1;
        int X0 = x.exp;
        dec_round(&x, P, neg);
        int X = x.exp;
        if ((flags & F_ALT) && X0 == P - 1 && X == P) {
            /* glibc's quirk, kept for identical output: when the digits
             * before rounding were P integer digits (%f style) and
             * rounding carried into one more (999999.5 with %#g), glibc
             * switches to %e style but keeps no fraction digits: 1.e+06,
             * not 1.00000e+06. */
            style = 'e';
            prec = 0;
        } else if (P > X && X >= -4) {
            style = 'f';
            prec = P - 1 - X;
            if (!(flags & F_ALT) && prec > x.n - 1 - X)
                prec = x.n - 1 - X > 0 ? x.n - 1 - X : 0;
        } else {
            style = 'e';
            prec = P - 1;
            if (!(flags & F_ALT) && prec > x.n - 1)
                prec = x.n - 1 > 0 ? x.n - 1 : 0;
        }
    } else if (style == 'f') {
        /* keep the digits worth at least 10^-prec (may be none) */
        long keep = (long)x.exp + prec + 1;
        dec_round(&x, keep > DEC_DIGITS ? DEC_DIGITS : (int)keep, neg);
    } else {
        dec_round(&x, prec >= DEC_DIGITS ? DEC_DIGITS : prec + 1, neg);
    }
    int point = prec > 0 || (flags & F_ALT);

    if (style == 'f') {
        long ilen = x.n > 0 && x.exp >= 0 ? (long)x.exp + 1 : 1;
        long total = plen + ilen + point + prec;
        fp_open(s, flags, width, total, prefix);
        emit_digits(s, &x, x.n > 0 && x.exp >= 0 ? 0 : -1, ilen);
        if (point)
            emit(s, ".", 1);
        emit_digits(s, &x, (long)x.exp + 1, prec);
        fp_close(s, flags, width, total);
        return;
    }
    /* 'e': d.ddde+XX, at least two exponent digits */
    char expbuf[8];
    int e = x.n ? x.exp : 0;
    int ne = utoa(expbuf + sizeof(expbuf), (unsigned)(e < 0 ? -e : e), 10, 0);
    if (ne < 2)
        expbuf[sizeof(expbuf) - ++ne] = '0';
    long total = plen + 1 + point + prec + 2 + ne;
    fp_open(s, flags, width, total, prefix);
    emit_digits(s, &x, 0, 1);
    if (point)
        emit(s, ".", 1);
    emit_digits(s, &x, 1, prec);
    char tail[2] = {upper ? 'E' : 'e', e < 0 ? '-' : '+'};
    emit(s, tail, 2);
    emit(s, expbuf + sizeof(expbuf) - ne, (size_t)ne);
    fp_close(s, flags, width, total);
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
            format_double(s, v, *p, flags, width, prec);
            break;
        }
        case 'n':
            *va_arg(ap, int *) = (int)s->len;
            break;
        case '%':
            emit(s, "%", 1);
            break;
        default:
            /* Unsupported conversion (wide characters, %m): shown
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
