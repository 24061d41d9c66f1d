/* x87 and SSE arithmetic, and FPU/SSE state surviving system calls.
 * Results are printed as integers so the output does not depend on a
 * printf's floating-point formatting. */
#include <stdio.h>
#include <unistd.h>

static double sqrt_newton(double x)
{
    double r = x;
    for (int i = 0; i < 50; i++)
        r = 0.5 * (r + x / r);
    return r;
}

int main(void)
{
    volatile double a = 2.0, b = 3.0;
    double s = sqrt_newton(a);
    printf("sqrt(2)*1e9 = %ld\n", (long)(s * 1e9));
    printf("2/3*1e9 = %ld\n", (long)(a / b * 1e9));
    volatile float f = 1.0f / 3.0f;
    printf("(float)1/3*1e7 = %ld\n", (long)(f * 1e7f));
    volatile long double x = 1.0L / 7.0L; /* x87 */
    printf("(long double)1/7*1e15 = %ld\n", (long)(x * 1e15L));

    double v[64];
    for (int i = 0; i < 64; i++)
        v[i] = i * 0.5;
    double sum = 0;
    for (int i = 0; i < 64; i++)
        sum += v[i] * v[i];
    printf("sum of squares*100 = %ld\n", (long)(sum * 100));

    /* Values held in SSE registers across a system call must survive. */
    double keep[8];
    for (int i = 0; i < 8; i++)
        keep[i] = (i + 1) * 1.25;
    register double r0 __asm__("xmm8") = keep[0];
    register double r1 __asm__("xmm9") = keep[7];
    __asm__ volatile("" : "+x"(r0), "+x"(r1));
    fflush(stdout);
    write(1, "syscall\n", 8);
    __asm__ volatile("" : "+x"(r0), "+x"(r1));
    printf("xmm8/xmm9 preserved: %s\n", r0 == keep[0] && r1 == keep[7] ? "yes" : "no");
    return 0;
}
