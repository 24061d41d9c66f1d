/* futex(2) timeouts and wake-ups, one normalized line per case, the same
 * natively and in the guest: relative FUTEX_WAIT timeouts, absolute
 * FUTEX_WAIT_BITSET deadlines on CLOCK_MONOTONIC and CLOCK_REALTIME, bad
 * timespecs, a deadline already past, a wake that beats the timeout, and
 * bitset matching. Durations are reported as "at least" facts, never raw
 * numbers. */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>


static int word;

static long futex(int *uaddr, long op, long val, const struct timespec *ts, long val3)
{
    long r = syscall(SYS_futex, uaddr, op, val, ts, NULL, val3);
    return r < 0 ? -errno : r;
}

static const char *name(long r)
{
    static char buf[32];
    switch (r) {
    case -EAGAIN: return "EAGAIN";
    case -EINVAL: return "EINVAL";
    case -ETIMEDOUT: return "ETIMEDOUT";
    case -EFAULT: return "EFAULT";
    case -ENOSYS: return "ENOSYS";
    default: snprintf(buf, sizeof(buf), "%ld", r); return buf;
    }
}

static uint64_t now_ns(clockid_t c)
{
    struct timespec t;
    clock_gettime(c, &t);
    return (uint64_t)t.tv_sec * 1000000000ULL + (uint64_t)t.tv_nsec;
}

static struct timespec at(uint64_t ns)
{
    struct timespec t = {(time_t)(ns / 1000000000ULL), (long)(ns % 1000000000ULL)};
    return t;
}

/* A wait that must last at least min_ms from t0: for a deadline, t0 is read
 * before the clock the deadline is computed from, so the time spent between
 * the two reads cannot make a wait that ends right at its deadline look
 * short. */
static void timed_from(uint64_t t0, const char *what, long op, const struct timespec *ts, long val3,
                       uint64_t min_ms)
{
    long r = futex(&word, op, 0, ts, val3);
    uint64_t ms = (now_ns(CLOCK_MONOTONIC) - t0) / 1000000;
    /* How long a call that failed at once took says only how fast the
     * machine is. */
    if (r != -ETIMEDOUT) {
        printf("%s: %s\n", what, name(r));
        return;
    }
    printf("%s: %s, waited at least %llu ms: %s\n", what, name(r), (unsigned long long)min_ms,
           ms >= min_ms ? "yes" : "no");
}

static void timed(const char *what, long op, const struct timespec *ts, long val3, uint64_t min_ms)
{
    timed_from(now_ns(CLOCK_MONOTONIC), what, op, ts, val3, min_ms);
}

static void *waker(void *arg)
{
    struct timespec d = {0, 20 * 1000 * 1000};
    nanosleep(&d, NULL);
    word = 1;
    long n = futex(&word, (long)(intptr_t)arg, 1, NULL, 0x2);
    return (void *)n;
}

int main(void)
{
    struct timespec rel = {0, 30 * 1000 * 1000};
    timed("FUTEX_WAIT 30 ms", FUTEX_WAIT, &rel, 0, 30);
    timed("FUTEX_WAIT|PRIVATE 30 ms", FUTEX_WAIT | FUTEX_PRIVATE_FLAG, &rel, 0, 30);
    timed("FUTEX_WAIT|REALTIME 30 ms", FUTEX_WAIT | FUTEX_CLOCK_REALTIME, &rel, 0, 30);
    struct timespec zero = {0, 0};
    timed("FUTEX_WAIT zero timeout", FUTEX_WAIT, &zero, 0, 0);
    uint64_t t0 = now_ns(CLOCK_MONOTONIC);
    struct timespec mono = at(now_ns(CLOCK_MONOTONIC) + 30000000ULL);
    timed_from(t0, "WAIT_BITSET monotonic deadline +30 ms", FUTEX_WAIT_BITSET, &mono, -1, 30);
    t0 = now_ns(CLOCK_MONOTONIC);
    struct timespec real = at(now_ns(CLOCK_REALTIME) + 30000000ULL);
    timed_from(t0, "WAIT_BITSET realtime deadline +30 ms", FUTEX_WAIT_BITSET | FUTEX_CLOCK_REALTIME,
               &real, -1, 30);
    struct timespec past = at(now_ns(CLOCK_MONOTONIC) - 1000000ULL);
    timed("WAIT_BITSET deadline in the past", FUTEX_WAIT_BITSET, &past, -1, 0);
    struct timespec bad = {0, 1000000000L};
    printf("tv_nsec 1e9: %s\n", name(futex(&word, FUTEX_WAIT, 0, &bad, 0)));
    struct timespec neg = {-1, 0};
    printf("tv_sec -1: %s\n", name(futex(&word, FUTEX_WAIT, 0, &neg, 0)));
    printf("timeout pointer unmapped: %s\n", name(futex(&word, FUTEX_WAIT, 0, (void *)0x1000, 0)));
    printf("value mismatch beats the timeout: %s\n", name(futex(&word, FUTEX_WAIT, 5, &past, 0)));
    printf("FUTEX_WAKE|REALTIME: %s\n", name(futex(&word, FUTEX_WAKE | FUTEX_CLOCK_REALTIME, 1, NULL, 0)));
    printf("WAIT_BITSET bitset 0: %s\n", name(futex(&word, FUTEX_WAIT_BITSET, 0, NULL, 0)));

    /* A wake that comes before the timeout: the wait returns 0 and the
     * waker counts one task woken. */
    pthread_t th;
    word = 0;
    pthread_create(&th, NULL, waker, (void *)(intptr_t)FUTEX_WAKE);
    struct timespec long_rel = {10, 0};
    t0 = now_ns(CLOCK_MONOTONIC);
    long r = futex(&word, FUTEX_WAIT, 0, &long_rel, 0);
    uint64_t ms = (now_ns(CLOCK_MONOTONIC) - t0) / 1000000;
    void *woken;
    pthread_join(th, &woken);
    printf("woken before a 10 s timeout: %s (word %d), well before it: %s, waker woke %ld\n",
           r == -EAGAIN ? "0" : name(r), word, ms < 5000 ? "yes" : "no", (long)woken);

    /* WAKE_BITSET only wakes waiters whose bitset shares a bit: bitset 2
     * misses a waiter on bitset 1, which then times out. */
    word = 0;
    pthread_create(&th, NULL, waker, (void *)(intptr_t)FUTEX_WAKE_BITSET);
    struct timespec dl = at(now_ns(CLOCK_MONOTONIC) + 200000000ULL);
    r = futex(&word, FUTEX_WAIT_BITSET, 0, &dl, 0x1);
    pthread_join(th, &woken);
    printf("WAKE_BITSET 0x2 vs a waiter on 0x1: waiter %s, waker woke %ld\n", name(r), (long)woken);
    return 0;
}
