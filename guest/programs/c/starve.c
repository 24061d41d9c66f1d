/* A woken thread must get a CPU even when the thread that woke it never
 * enters the kernel again: thread A sleeps on a futex, main wakes it and
 * then spins in user mode (no system calls) until A has run. Only a timer
 * preemption of the spinning thread (or another CPU) lets A run, so a
 * kernel that schedules only at system calls starves A. The spin is
 * bounded by an iteration count (no clock reads, which may be system
 * calls): 16e9 iterations, 8 to 15 s on a current idle CPU, so that even
 * a loaded host reports "starved" before a test's 60 s guard gives up on
 * the run. Natively it finishes at once. */
#include <linux/futex.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

static volatile int word;
static volatile int ran;

static void *sleeper(void *arg)
{
    (void)arg;
    while (word == 0)
        syscall(SYS_futex, &word, FUTEX_WAIT, 0, NULL, NULL, 0);
    ran = 1;
    return NULL;
}

int main(void)
{
    pthread_t a;
    if (pthread_create(&a, NULL, sleeper, NULL) != 0) {
        printf("pthread_create failed\n");
        return 1;
    }
    /* Give A time to block in FUTEX_WAIT, so the wake below is a real
     * wake-up (if A is late it sees word != 0 and never sleeps: the
     * result is the same). */
    struct timespec ts = {0, 20 * 1000 * 1000};
    nanosleep(&ts, NULL);

    word = 1;
    syscall(SYS_futex, &word, FUTEX_WAKE, 1, NULL, NULL, 0);

    volatile unsigned long spins = 0;
    const unsigned long limit = 16000000000ul;
    while (!ran && spins < limit)
        spins = spins + 1;
    if (!ran) {
        printf("starved\n");
        return 1;
    }
    printf("woken thread ran\n");
    pthread_join(a, NULL);
    return 0;
}
