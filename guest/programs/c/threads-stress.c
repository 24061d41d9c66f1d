/* Task churn: N threads created and joined one after another, M threads
 * alive at once (each parked on a futex until all exist), and K
 * fork/exit/wait cycles. Raw clone and futex, so it tests the kernel alone.
 *
 * Around the bulk work it asks the guest kernel for statistics snapshots
 * (threadlab's own system call; ENOSYS on Linux, which changes nothing):
 * after one warm-up round of everything, and at the end. The host prints
 * them; the test checks that frames and tasks came back.
 *
 *   threads-stress [N [M [K]]]     defaults 1000 256 100 */
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <threadlab.h>
#include <sys/wait.h>
#include <unistd.h>

#include "raw-thread.h"

#define STACK 16384

static int quick(void *arg)
{
    (void)arg;
    return 0;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 1000, m = argc > 2 ? atoi(argv[2]) : 256, k = argc > 3 ? atoi(argv[3]) : 100;
    char *stacks = mmap(0, (size_t)(m > 0 ? m : 1) * STACK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    int *ctids = calloc((size_t)(m > 0 ? m : 1), sizeof(int));
    if (stacks == MAP_FAILED || !ctids)
        return 1;

    /* Warm-up: one of each, and every stack touched, so that what the
     * snapshots compare is only what the bulk work takes and gives back. */
    for (int i = 0; i < m; i++)
        for (int off = 0; off < STACK; off += 4096)
            stacks[(size_t)i * STACK + (size_t)off] = 0;
    ctids[0] = -1;
    if (clone_run(THREAD_FLAGS, stacks + STACK, 0, &ctids[0], 0, quick, 0) > 0)
        join(&ctids[0]);
    long warm = clone_run(SIGCHLD, 0, 0, 0, 0, quick, 0);
    if (warm > 0)
        waitpid((pid_t)warm, 0, 0);
    syscall(SYS_THREADLAB_STATS, 1);

    int ok = 0;
    for (int i = 0; i < n; i++) {
        ctids[0] = -1;
        if (clone_run(THREAD_FLAGS, stacks + STACK, 0, &ctids[0], 0, quick, 0) > 0) {
            join(&ctids[0]);
            ok++;
        }
    }
    printf("sequential threads created and joined: %d of %d\n", ok, n);

    int alive = 0;
    for (int i = 0; i < m; i++) {
        ctids[i] = -1;
        if (clone_run(THREAD_FLAGS, stacks + (size_t)(i + 1) * STACK, 0, &ctids[i], 0, parked, 0) > 0)
            alive++;
    }
    parked_wait_started(alive);
    printf("threads alive at once: %d of %d\n", alive, m);
    parked_release();
    for (int i = 0; i < alive; i++)
        join(&ctids[i]);
    printf("all joined\n");

    int reaped = 0;
    for (int i = 0; i < k; i++) {
        long pid = clone_run(SIGCHLD, 0, 0, 0, 0, quick, 0);
        int st;
        if (pid > 0 && waitpid((pid_t)pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0)
            reaped++;
    }
    printf("fork/exit/wait cycles: %d of %d\n", reaped, k);
    syscall(SYS_THREADLAB_STATS, 2);
    return 0;
}
