/* Threads until clone fails: raw clone with pthread's sharing flags, each
 * thread parked on a futex, until the kernel runs out of room for another
 * task (or MAX threads exist). Then every thread is released and joined.
 * In a small guest the kernel heap runs out first, and clone must say so
 * with an errno (ENOMEM or EAGAIN, as Linux may) instead of the kernel
 * stopping. Prints the errno name, or "none" when MAX threads fit.
 *
 *   clone-nomem [MAX]     default 1000 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "raw-thread.h"

/* One page of stack each, touched only by the thread itself: user memory
 * stays small, so the kernel's own memory is what runs out. */
#define STACK 4096

static const char *errno_name(long r)
{
    switch (-r) {
    case EAGAIN: return "EAGAIN";
    case ENOMEM: return "ENOMEM";
    default: return "other";
    }
}

int main(int argc, char **argv)
{
    int max = argc > 1 ? atoi(argv[1]) : 1000;
    char *stacks = mmap(0, (size_t)max * STACK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    int *ctids = calloc((size_t)max, sizeof(int));
    if (stacks == MAP_FAILED || !ctids)
        return 1;
    int alive = 0;
    long failed = 0;
    while (alive < max) {
        ctids[alive] = -1;
        long r = clone_run(THREAD_FLAGS, stacks + (size_t)(alive + 1) * STACK, 0, &ctids[alive], 0, parked, 0);
        if (r < 0) {
            failed = r;
            break;
        }
        alive++;
    }
    parked_wait_started(alive);
    printf("clone failed with: %s\n", failed ? errno_name(failed) : "none");
    printf("threads created before: %s\n", alive > 0 ? "some" : "none");
    parked_release();
    for (int i = 0; i < alive; i++)
        join(&ctids[i]);
    /* With the threads gone their memory is back: one more fits. */
    ctids[0] = -1;
    long again = clone_run(THREAD_FLAGS, stacks + STACK, 0, &ctids[0], 0, parked, 0);
    if (again > 0)
        join(&ctids[0]);
    printf("all joined; clone works again: %s\n", again > 0 ? "yes" : errno_name(again));
    return 0;
}
