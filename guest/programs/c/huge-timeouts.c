/* Timeouts of centuries, or a tv_sec whose nanoseconds do not fit 64 bits,
 * wait as Linux's do: as good as forever. Each argument is a timeout
 * "SEC.NSEC". With each, a FUTEX_WAIT on a matching value returns 0 when
 * another thread wakes it, and nanosleep, clock_nanosleep and an absolute
 * clock_nanosleep in other threads have not returned when the program ends.
 * No duration is measured: a timeout that ends too soon shows as ETIMEDOUT
 * or as a sleeper that returned. */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static int word;

static long futex(int *uaddr, long op, long val, const struct timespec *ts)
{
    long r = syscall(SYS_futex, uaddr, op, val, ts, NULL, 0);
    return r < 0 ? -errno : r;
}

static void pause_ms(long ms)
{
    struct timespec d = {0, ms * 1000 * 1000};
    nanosleep(&d, NULL);
}

static void *waker(void *arg)
{
    (void)arg;
    pause_ms(20);
    __atomic_store_n(&word, 1, __ATOMIC_SEQ_CST);
    futex(&word, FUTEX_WAKE, 1, NULL);
    return NULL;
}

enum { NANOSLEEP, CLOCK_NANOSLEEP, CLOCK_NANOSLEEP_ABS, SLEEPERS };
static const char *const sleeper_name[SLEEPERS] = {
    "nanosleep", "clock_nanosleep", "clock_nanosleep TIMER_ABSTIME"};

struct sleeper {
    int kind;
    struct timespec ts;
    int returned;
    long result;
};

static void *sleep_thread(void *arg)
{
    struct sleeper *s = arg;
    long r;
    switch (s->kind) {
    case NANOSLEEP: r = nanosleep(&s->ts, NULL); break;
    case CLOCK_NANOSLEEP: r = syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &s->ts, NULL); break;
    default: r = syscall(SYS_clock_nanosleep, CLOCK_REALTIME, TIMER_ABSTIME, &s->ts, NULL); break;
    }
    if (r < 0)
        r = -errno;
    s->result = r;
    __atomic_store_n(&s->returned, 1, __ATOMIC_SEQ_CST);
    return NULL;
}

int main(int argc, char **argv)
{
    static struct sleeper sleepers[16][SLEEPERS];
    int n = argc - 1 < 16 ? argc - 1 : 16;
    struct timespec ts[16];
    for (int i = 0; i < n; i++) {
        char *end;
        ts[i].tv_sec = (time_t)strtoll(argv[i + 1], &end, 10);
        ts[i].tv_nsec = *end == '.' ? strtol(end + 1, NULL, 10) : 0;
        for (int k = 0; k < SLEEPERS; k++) {
            pthread_t th;
            sleepers[i][k] = (struct sleeper){.kind = k, .ts = ts[i]};
            pthread_create(&th, NULL, sleep_thread, &sleepers[i][k]);
            pthread_detach(th);
        }
    }
    for (int i = 0; i < n; i++) {
        pthread_t th;
        word = 0;
        pthread_create(&th, NULL, waker, NULL);
        long r = futex(&word, FUTEX_WAIT, 0, &ts[i]);
        pthread_join(th, NULL);
        /* EAGAIN: the waker came first; the timeout did not end the wait. */
        printf("FUTEX_WAIT %s s, woken: %ld\n", argv[i + 1], r == -EAGAIN ? 0 : r);
    }
    /* The sleepers have had the futex waits' time (20 ms each) and this. */
    pause_ms(20);
    for (int i = 0; i < n; i++)
        for (int k = 0; k < SLEEPERS; k++) {
            struct sleeper *s = &sleepers[i][k];
            if (__atomic_load_n(&s->returned, __ATOMIC_SEQ_CST))
                printf("%s %s s: returned %ld\n", sleeper_name[k], argv[i + 1], s->result);
            else
                printf("%s %s s: still asleep\n", sleeper_name[k], argv[i + 1]);
        }
    return 0;
}
