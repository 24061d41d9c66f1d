/* Drives the host's signal invariant (13) from the guest, with raw system
 * calls and its own rt_sigaction record (raw-signal.h: restorer
 * rt_sigreturn), so that it depends on nothing of the C library's signal
 * code:
 *
 *   sig-invariants exit-flush  the main thread blocks SIGUSR1, sends it to
 *        itself (it stays pending), makes the stats call with
 *        STATS_TAG_BREAK_EXIT_FLUSH, starts a thread and exits alone
 *        (SYS_exit): the leader is a zombie while the thread makes system
 *        calls. With the kernel option test-faults the zombie keeps
 *        SIGUSR1 pending, which `--check` must report at the thread's next
 *        stop; without it the kernel flushes it and the run prints
 *        "thread done" and exits 0.
 *   sig-invariants sigmask  installs a SIGUSR1 handler, blocks SIGUSR1,
 *        makes the stats call with STATS_TAG_BREAK_SIGMASK and sends
 *        SIGUSR1 to itself: with test-faults it is delivered despite the
 *        mask, which `--check` must report at the delivery's stop; without
 *        it the signal waits until the mask is lifted, and the run prints
 *        "handled 1" and exits 0.
 *   sig-invariants deliver  a SIGUSR1 handler, the signal sent to itself
 *        and taken at once: prints "handled 1" (for `--strace`'s
 *        `--- SIGUSR1 ---` and `rt_sigreturn({mask=[]})` lines). */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <threadlab.h>
#include <unistd.h>

#include "raw-signal.h"

#ifndef STATS_TAG_BREAK_EXIT_FLUSH
#define STATS_TAG_BREAK_EXIT_FLUSH 0xbad0005L
#endif
#ifndef STATS_TAG_BREAK_SIGMASK
#define STATS_TAG_BREAK_SIGMASK 0xbad0006L
#endif

#define K_SIGUSR1 10
#define K_SIG_BLOCK 0
#define K_SIG_UNBLOCK 1

static volatile int handled;

static void on_usr1(int sig, void *info, void *uc)
{
    (void)info;
    (void)uc;
    if (sig == K_SIGUSR1)
        handled++;
}

static long install(void)
{
    return raw_sigaction(K_SIGUSR1, on_usr1);
}

static long mask(int how, int sig)
{
    unsigned long set = 1UL << (sig - 1);
    return syscall(SYS_rt_sigprocmask, how, &set, NULL, 8);
}

static long to_self(int sig)
{
    long pid = syscall(SYS_getpid);
    long tid = syscall(SYS_gettid);
    return syscall(SYS_tgkill, pid, tid, sig);
}

static void *after_the_leader(void *arg)
{
    (void)arg;
    /* System calls while the leader is (or becomes) a zombie: stops at
     * which the checker sees it. */
    for (int i = 0; i < 50; i++)
        syscall(SYS_sched_yield);
    static const char done[] = "thread done\n";
    syscall(SYS_write, 1, done, sizeof(done) - 1);
    syscall(SYS_exit_group, 0);
    return NULL;
}

static int exit_flush(void)
{
    if (mask(K_SIG_BLOCK, K_SIGUSR1) != 0 || to_self(K_SIGUSR1) != 0)
        return 2;
    syscall(SYS_THREADLAB_STATS, STATS_TAG_BREAK_EXIT_FLUSH);
    pthread_t t;
    if (pthread_create(&t, NULL, after_the_leader, NULL) != 0)
        return 3;
    syscall(SYS_exit, 0);
    return 4;
}

static int sigmask(void)
{
    if (install() != 0 || mask(K_SIG_BLOCK, K_SIGUSR1) != 0)
        return 2;
    syscall(SYS_THREADLAB_STATS, STATS_TAG_BREAK_SIGMASK);
    if (to_self(K_SIGUSR1) != 0)
        return 3;
    if (mask(K_SIG_UNBLOCK, K_SIGUSR1) != 0)
        return 4;
    printf("handled %d\n", handled);
    return 0;
}

static int deliver(void)
{
    if (install() != 0 || to_self(K_SIGUSR1) != 0)
        return 2;
    printf("handled %d\n", handled);
    return 0;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    if (strcmp(mode, "exit-flush") == 0)
        return exit_flush();
    if (strcmp(mode, "sigmask") == 0)
        return sigmask();
    if (strcmp(mode, "deliver") == 0)
        return deliver();
    fprintf(stderr, "usage: sig-invariants exit-flush|sigmask|deliver\n");
    return 1;
}
