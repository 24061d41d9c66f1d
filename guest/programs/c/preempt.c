/* A thread spinning forever in user mode must not keep the others from
 * running: the main thread sleeps, wakes, computes and exits while the
 * spinner spins (the kernel preempts it on the timer). Also checks that
 * nanosleep sleeps at least as long as asked. */
#include <sched.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "raw-clone.h"

static char stack[16384] __attribute__((aligned(16)));
static volatile unsigned long spins;

static int spinner(void *arg)
{
    (void)arg;
    for (;;)
        spins++;
    return 0;
}

static long now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000L + t.tv_nsec;
}

int main(void)
{
    long t0 = now_ns();
    struct timespec d = {0, 20 * 1000 * 1000};
    nanosleep(&d, 0);
    long slept = now_ns() - t0;
    printf("nanosleep 20 ms slept at least that long: %s\n", slept >= 20000000 ? "yes" : "no");

    long r = clone_run(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD, stack + sizeof(stack), 0, 0,
                       0, spinner, 0);
    printf("spinner started: %s\n", r > 0 ? "yes" : "no");
    fflush(stdout);
    /* Give the spinner the CPU, then take it back. */
    nanosleep(&d, 0);
    unsigned long seen = spins;
    long sum = 0;
    for (int i = 0; i < 1000000; i++)
        sum += i;
    printf("main ran alongside the spinner: %s (sum %ld)\n", seen > 0 ? "yes" : "no", sum);
    return 0; /* exit_group ends the spinner too */
}
