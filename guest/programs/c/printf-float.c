/* printf's floating-point conversions (%f %F %e %E %g %G %a %A) over a
 * table of values x formats, flags and widths, huge precisions, bit
 * patterns from a fixed pseudo-random sequence, the x87 rounding modes,
 * and snprintf truncation and return values. Uses only printf and
 * snprintf, so the output must be byte-identical under guest-libc and
 * glibc (tests/stdio.rs compares them). */
#include <float.h>
#include <stdint.h>
#include <stdio.h>

static double from_bits(uint64_t u)
{
    union {
        uint64_t u;
        double d;
    } b = {.u = u};
    return b.d;
}

static const double values[] = {
    0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 1.5, 2.5, -2.5, 3.5, 0.1, 0.2, 0.3, -0.3,
    1.0 / 3, 2.0 / 3, -2.0 / 3, 123.456, -123.456, 9.5, 99.5, 999999.5, 0.05, 0.15, 0.25,
    0.35, 0.45, 0.125, 0.375, 2.675, 1.005, 1e-5, 1e-7, 0.000123456, 9.9999995,
    0.9999995, 9.9999996, 999.9996, 99999.95, 0.00001, 0.0001, 0.001, 123456.0, 1234567.0,
    3.141592653589793, 2.718281828459045, 1e15, 1e16, 1e17, 1e18, 1e19, 1e21, 1e22, 1e23,
    1e100, -1e100, 1e300, 1e308, DBL_MAX, -DBL_MAX, DBL_MIN, -DBL_MIN, DBL_MIN / 2,
    DBL_TRUE_MIN, -DBL_TRUE_MIN, 3 * DBL_TRUE_MIN, 1e-310, 1e-320, DBL_EPSILON,
    9007199254740992.0, 9007199254740993.0, 18446744073709551616.0, 9223372036854775808.0,
    4294967295.0, 0.1 + 0.2, 5e-324, 1.7976931348623157e308, 2.2250738585072009e-308,
    0.5e-4, 0.00005, 0.000049999, 123456789.125, 1e-300, 6.02214076e23, 1.602176634e-19,
};

static const char *const formats[] = {
    "%f", "%.0f", "%.1f", "%.2f", "%.3f", "%.10f", "%.17f", "%.20f", "%.60f", "%#.0f", "%F",
    "%e", "%.0e", "%.1e", "%.2e", "%.3e", "%.10e", "%.16e", "%.17e", "%.20e", "%.40e", "%#.0e",
    "%E", "%g", "%.0g", "%.1g", "%.2g", "%.3g", "%.6g", "%.10g", "%.15g", "%.16g", "%.17g",
    "%.20g", "%.40g", "%#g", "%#.0g", "%#.3g", "%G", "%a", "%.0a", "%.1a", "%.2a", "%.3a",
    "%.12a", "%.13a", "%.20a", "%#a", "%#.0a", "%A", "%.3A", "%15f", "%-15f|", "%+f", "% f",
    "%015.3f", "%-+15.4e|", "%+015g", "% 020e", "%020a", "%-20A|", "%#012.0e", "%+.3g",
    "%010.0f", "%-010.2f|", "%+ 12.5f", "%#-12.1g|", "%012g", "%0-12e|", "%1f", "%3.1e",
};

static void table(void)
{
    int nv = (int)(sizeof(values) / sizeof(values[0]));
    int nf = (int)(sizeof(formats) / sizeof(formats[0]));
    for (int f = 0; f < nf; f++) {
        for (int v = 0; v < nv; v++) {
            printf("%s v%d: ", formats[f], v);
            printf(formats[f], values[v]);
            printf("\n");
        }
    }
}

static void specials(void)
{
    double inf = __builtin_inf(), nan = __builtin_nan("");
    double sp[] = {inf, -inf, nan, -nan, from_bits(0x7ff0000000000001ull),
                   from_bits(0xfff8000000000123ull)};
    const char *fmts[] = {"%f", "%F", "%e", "%E", "%g", "%G", "%a", "%A", "%10f", "%-10e|",
                          "%010g", "%+f", "% F", "%+010a", "%#.3e", "%.0f", "%-+8.2G|", "% 5A"};
    for (unsigned i = 0; i < sizeof(sp) / sizeof(sp[0]); i++)
        for (unsigned j = 0; j < sizeof(fmts) / sizeof(fmts[0]); j++) {
            printf("special %u %s: ", i, fmts[j]);
            printf(fmts[j], sp[i]);
            printf("\n");
        }
}

/* Every digit of the extremes. */
static void exact(void)
{
    printf("%.1074f\n", DBL_TRUE_MIN);
    printf("%.1100f\n", -DBL_TRUE_MIN);
    printf("%.1074f\n", DBL_MIN);
    printf("%.1022f\n", from_bits(0x000fffffffffffffull));
    printf("%.800e\n", DBL_TRUE_MIN);
    printf("%.770g\n", DBL_MIN);
    printf("%f\n", DBL_MAX);
    printf("%.20f\n", -DBL_MAX);
    printf("%.400e\n", DBL_MAX);
    printf("%.400g\n", DBL_MAX);
    printf("%#.400g\n", 1e300);
    printf("%f\n", 1e308);
    printf("%.60f\n", 0.1);
    printf("%.60e\n", 0.1);
    printf("%.1000f\n", 1.0 / 3);
    for (int e = -1074; e <= 1023; e += 7) {
        double p = 1.0;
        for (int i = 0; i < (e < 0 ? -e : e); i++)
            p = e < 0 ? p / 2 : p * 2;
        printf("2^%d: %.17g %.20e %a %.3f\n", e, p, p, p, p);
    }
    double p = 1.0;
    for (int i = 0; i <= 308; i++, p *= 10)
        printf("1e%d: %f %.17e %g %.0e\n", i, p, p, p, p);
    p = 1.0;
    for (int i = 0; i <= 330; i++, p /= 10)
        printf("1e-%d: %.30f %.17e %g %.0e %a\n", i, p, p, p, p, p);
}

/* Values from a fixed xorshift sequence, as raw bit patterns (all
 * exponents) and as short decimals (ties in the last places). */
static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void random_values(void)
{
    for (int i = 0; i < 400; i++) {
        uint64_t u = next();
        if ((u >> 52 & 0x7ff) == 0x7ff)
            u ^= 1ull << 62;
        double v = from_bits(u);
        printf("r%d: %.17g|%.25e|%a|%.3a|%g|%.8g|%.3f|%#.0e\n", i, v, v, v, v, v, v, v, v);
    }
    for (int i = 0; i < 400; i++) {
        uint64_t u = next();
        double v = (double)(int64_t)(u % 2000001 - 1000000) / (double)(1ull << (u >> 40) % 12);
        double w = (double)(int64_t)(u % 20000001) / 1000.0;
        printf("d%d: %.0f %.1f %.2f %.3e %.4g %.10f %a | %.0f %.1f %.2f %.1e %g %.3g\n", i, v, v,
               v, v, v, v, v, w, w, w, w, w, w);
    }
}

/* %g when rounding adds a digit: the choice between %f and %e style is
 * made on the rounded exponent (and glibc's %#g quirk: 999999.5 gives
 * "1.e+06"). */
static void g_carry(void)
{
    const double vs[] = {999999.5, 9999995, 99999950, 9.9999996, 99.99996, 999.9996,
                         0.000099999996, 0.00009999996, 9.5, 99.5, 0.99999996, 999999.4,
                         9.9999996e20, 9.9999996e-20, 995, 9995, 99995, 0.0009996, 0.9996};
    const char *fmts[] = {"%#g", "%#.3g", "%#.1g", "%#.2g", "%#.0g", "%#.10g", "%g", "%.3g",
                          "%#12.3g|", "%#-12.3g|", "%#012.3g", "%.2g", "%#.4G"};
    for (unsigned i = 0; i < sizeof(vs) / sizeof(vs[0]); i++)
        for (unsigned j = 0; j < sizeof(fmts) / sizeof(fmts[0]); j++) {
            printf("carry %u %s: ", i, fmts[j]);
            printf(fmts[j], vs[i]);
            printf("\n");
        }
}

/* `*` and `.*`: widths and precisions from arguments, negative ones. */
static void star(void)
{
    int widths[] = {-20, -1, 0, 1, 5, 12, 30};
    int precs[] = {-5, -1, 0, 1, 3, 9, 25};
    for (unsigned i = 0; i < sizeof(widths) / sizeof(widths[0]); i++)
        for (unsigned j = 0; j < sizeof(precs) / sizeof(precs[0]); j++) {
            int w = widths[i], pr = precs[j];
            printf("star %d %d: [%*.*f] [%*.*e] [%-*.*g] [%0*.*a] [%.*f] [%*G]\n", w, pr, w, pr,
                   -3.14159, w, pr, 2.5e-9, w, pr, 1234567.0, w, pr, 0.1, pr, 0.5, w, 1e-5);
        }
    printf("mixed: %d %.2f %s %e %c %g %x %a %ld\n", 7, 1.005, "s", 1e10, 'c', 1e-10, 255u,
           1.0, 123456789l);
}

/* The x87 rounding modes (glibc rounds printf's digits in the current
 * mode; set in the x87 control word and in MXCSR as fesetround does). */
static void set_rounding(unsigned mode)
{
    unsigned short cw;
    unsigned mx;
    __asm__ volatile("fnstcw %0" : "=m"(cw));
    cw = (unsigned short)((cw & ~0xc00u) | mode);
    __asm__ volatile("fldcw %0" : : "m"(cw));
    __asm__ volatile("stmxcsr %0" : "=m"(mx));
    mx = (mx & ~0x6000u) | (mode << 3);
    __asm__ volatile("ldmxcsr %0" : : "m"(mx));
}

static void rounding_modes(void)
{
    const unsigned modes[] = {0x000, 0x400, 0x800, 0xc00};
    const char *names[] = {"nearest", "down", "up", "zero"};
    const double vs[] = {0.5, 1.5, 2.5, -2.5, 0.125, -0.125, 1.0 / 3, -1.0 / 3, 2.675, 1e-300,
                         -1e-300, 0.0, -0.0, 9.5, 99.99, DBL_MAX, DBL_TRUE_MIN, 1.09375};
    for (unsigned m = 0; m < 4; m++) {
        set_rounding(modes[m]);
        for (unsigned i = 0; i < sizeof(vs) / sizeof(vs[0]); i++) {
            double v = vs[i];
            printf("%s %u: %.0f %.1f %.2f %.0e %.2e %.1g %.3g %.0a %.1a %.2f\n", names[m], i, v,
                   v, v, v, v, v, v, v, v, v * 1e-3);
        }
    }
    set_rounding(0);
}

/* snprintf: truncation, the terminating NUL, and the return value (the
 * length the whole output would have). */
static void truncation(void)
{
    const char *fmts[] = {"%f", "%.60f", "%e", "%g", "%a", "%20.3f", "%-12.4e|", "x%fy%ez",
                          "%.0f"};
    const double vs[] = {3.14159, -DBL_MAX, 1e-300, 0.0, __builtin_inf()};
    const unsigned sizes[] = {0, 1, 2, 3, 5, 8, 16, 64, 400};
    for (unsigned f = 0; f < sizeof(fmts) / sizeof(fmts[0]); f++)
        for (unsigned v = 0; v < sizeof(vs) / sizeof(vs[0]); v++)
            for (unsigned z = 0; z < sizeof(sizes) / sizeof(sizes[0]); z++) {
                char buf[400];
                for (unsigned i = 0; i < sizeof(buf); i++)
                    buf[i] = '#';
                int r = snprintf(buf, sizes[z], fmts[f], vs[v], vs[v]);
                buf[sizeof(buf) - 1] = 0;
                /* the bytes written, and that nothing past them was */
                unsigned used = 0;
                while (used < sizeof(buf) - 1 && buf[used] != '#')
                    used++;
                printf("snprintf %s v%u n=%u: r=%d used=%u [%s]\n", fmts[f], v, sizes[z], r, used,
                       sizes[z] ? buf : "");
            }
    printf("null: %d %d %d\n", snprintf(NULL, 0, "%.60f", 0.1), snprintf(NULL, 0, "%f", DBL_MAX),
           snprintf(NULL, 0, "%.1074f|%a", DBL_TRUE_MIN, DBL_TRUE_MIN));
}

/* long double arguments must be consumed as long double (the values here
 * are doubles exactly, so every library prints them alike). */
static void long_double(void)
{
    printf("L: %Lf %d %Le %d %Lg %d %.3Lf %s\n", 1.5L, 1, -0.25L, 2, 1e10L, 3, 2.625L, "end");
    printf("L: %10.2Lf|%-10Lg|%+Le\n", 100.0L, 0.5L, 1024.0L);
}

int main(void)
{
    table();
    specials();
    exact();
    random_values();
    g_carry();
    star();
    rounding_modes();
    truncation();
    long_double();
    return 0;
}
