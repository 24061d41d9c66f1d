/* Benchmark (not a test): the median time of pthread_create + pthread_join
 * of a thread that returns at once, measured with rdtsc around each pair.
 *
 *   bench-pthread [ITERATIONS]        default 200
 *
 * Warm or cold depends on the C library's stack cache: with guest-libc's
 * cache on (the default) every thread after the first gets the previous
 * one's stack back; with THREADLAB_STACK_CACHE_SIZE=0 each thread maps a
 * new stack and mprotects everything above its guard page. (Built against
 * glibc the same source runs too: GLIBC_TUNABLES=
 * glibc.pthread.stack_cache_size=0 turns glibc's cache off.)
 *
 * TSC ticks become nanoseconds through a calibration against
 * CLOCK_MONOTONIC over about 50 ms, which works natively and in the guest. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "bench-util.h"

/* guest-libc's cache limit; absent (null) when built against glibc. */
extern size_t stack_cache_maxsize __attribute__((weak));

static void *nothing(void *arg) { return arg; }

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 200;
    if (n < 1)
        return 2;
    double per_ns = tsc_per_ns();
    uint64_t *ticks = calloc((size_t)n, sizeof(*ticks));
    /* One thread first: with a cache, the measured ones are all warm. */
    pthread_t t;
    pthread_create(&t, 0, nothing, 0);
    pthread_join(t, 0);
    for (int i = 0; i < n; i++) {
        uint64_t a = rdtsc();
        if (pthread_create(&t, 0, nothing, 0) != 0) {
            printf("pthread_create failed\n");
            return 1;
        }
        pthread_join(t, 0);
        ticks[i] = rdtsc() - a;
    }
    qsort(ticks, (size_t)n, sizeof(*ticks), cmp_u64);
    const char *lib = &stack_cache_maxsize ? "guest-libc" : "glibc";
    const char *mode = &stack_cache_maxsize ? (stack_cache_maxsize ? "warm" : "cold") : getenv("GLIBC_TUNABLES") ? "cold" : "warm";
    printf("bench-pthread: %s %s: create+join median %.0f ns, min %.0f ns, max %.0f ns (n=%d, tsc %.0f MHz)\n", lib,
           mode, (double)ticks[n / 2] / per_ns, (double)ticks[0] / per_ns, (double)ticks[n - 1] / per_ns, n,
           per_ns * 1000);
    return 0;
}
