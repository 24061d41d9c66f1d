/* Timing for the benchmark programs (bench-clone, bench-pthread), the same
 * natively and in the guest: rdtsc around what is measured, and TSC ticks
 * turned into nanoseconds by a 50 ms calibration against CLOCK_MONOTONIC
 * (in the guest that clock is the TSC scaled by the frequency KVM reported
 * in the boot info, so this is that frequency). */
#ifndef BENCH_UTIL_H
#define BENCH_UTIL_H

#include <stdint.h>
#include <time.h>

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}

static inline uint64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* TSC ticks per nanosecond. */
static inline double tsc_per_ns(void)
{
    uint64_t n0 = now_ns(), t0 = rdtsc(), n1, t1;
    do {
        n1 = now_ns();
        t1 = rdtsc();
    } while (n1 - n0 < 50000000u);
    return (double)(t1 - t0) / (double)(n1 - n0);
}

/* qsort comparison of uint64_t samples. */
static inline int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

#endif
