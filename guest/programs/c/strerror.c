/* strerror over every error number and past them (unknown numbers,
 * negative ones, the kernel-internal ERESTART* range, the int limits),
 * and what two results held at once read as (one static buffer). The
 * output must be byte-identical under guest-libc and glibc
 * (tests/stdio.rs compares them). */
#include <limits.h>
#include <stdio.h>
#include <string.h>

int main(void)
{
    for (int e = -2; e <= 140; e++)
        printf("%d %s\n", e, strerror(e));
    static const int more[] = {255, 256, 511, 512, 513, 514, 515, 516, 4095, 4096, INT_MAX, INT_MIN};
    for (size_t i = 0; i < sizeof(more) / sizeof(more[0]); i++)
        printf("%d %s\n", more[i], strerror(more[i]));
    const char *a = strerror(1000), *b = strerror(7);
    const char *c = strerror(99999);
    printf("held: [%s] [%s] [%s]\n", a, b, c);
    return 0;
}
