/* printf's floating-point conversions: %f %F %e %E %g %G %a %A.
 *
 * Output is exactly glibc's. A double is m * 2^e2 with an integer m < 2^53,
 * so its decimal expansion is finite: m * 2^e2 when e2 >= 0, and
 * m * 5^-e2 / 10^-e2 when e2 < 0. We compute that integer exactly in
 * base-10^9 limbs, take all of its digits (at most 767 significant ones,
 * for the smallest normals), and do every rounding on that exact digit
 * string, in the rounding mode the FPU is in (glibc reads it the same way:
 * the x87 control word), so round-to-nearest rounds ties to even. */
#include <stdint.h>
#include <string.h>
#include "stdio_impl.h"

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
            __pad(s, '0', (int)k);
        } else {
            k = x->n - i < count ? x->n - i : count;
            __emit(s, x->dig + i, (size_t)k);
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
        __pad(s, ' ', (int)fill);
    __emit(s, prefix, strlen(prefix));
    if ((flags & (F_MINUS | F_ZERO)) == F_ZERO)
        __pad(s, '0', (int)fill);
}

static void fp_close(struct sink *s, int flags, int width, long total)
{
    if ((flags & F_MINUS) && width > total)
        __pad(s, ' ', (int)(width - total));
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
    __emit(s, body, (size_t)nb);
    if (prec > 13)
        __pad(s, '0', prec - 13);
    body[0] = upper ? 'P' : 'p';
    body[1] = e < 0 ? '-' : '+';
    __emit(s, body, 2);
    __emit(s, expbuf + sizeof(expbuf) - ne, (size_t)ne);
    fp_close(s, flags, width, total);
}

/* One floating-point conversion (conv is one of fFeEgGaA). */
void __format_double(struct sink *s, double v, int conv, int flags, int width, int prec)
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
        __emit(s, word, 3);
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
            __emit(s, ".", 1);
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
        __emit(s, ".", 1);
    emit_digits(s, &x, 1, prec);
    char tail[2] = {upper ? 'E' : 'e', e < 0 ? '-' : '+'};
    __emit(s, tail, 2);
    __emit(s, expbuf + sizeof(expbuf) - ne, (size_t)ne);
    fp_close(s, flags, width, total);
}
