/* A fixed task landscape for the host-inspection tests: the main thread,
 * one pthread blocked on a futex, a joined pthread whose stack is in the
 * stack cache, and a forked child process asleep. With
 * all three in place the main thread makes a marker system call
 * (threadlab's stats call, tag 0x1nspec7), at whose syscall stop the tests
 * look at the kernel's records or break them on purpose. Then everything
 * is taken down in order and the program exits 0.
 *
 * With an argument the guest breaks its own state just before the marker,
 * so that the host sees the change only through guest writes:
 *   break-libc    the program adds a page to guest-libc's
 *                 stack_cache_actsize (a user-mode write; invariant 10);
 *   break-kernel  the kernel adds one to the group's nr_threads (a kernel
 *                 write; needs the kernel option test-faults; invariant 4). */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <threadlab.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MARKER_TAG 0x15ec7L

extern size_t stack_cache_actsize; /* guest-libc's, exported for the host */

static volatile int release_thread;
static volatile int thread_started;

static void *blocked_thread(void *arg)
{
    (void)arg;
    thread_started = 1;
    while (!release_thread)
        syscall(SYS_futex, &release_thread, FUTEX_WAIT, 0, NULL, NULL, 0);
    return (void *)7;
}

static void *quick_thread(void *arg)
{
    return arg;
}

int main(int argc, char **argv)
{
    const char *breaks = argc > 1 ? argv[1] : "";
    pid_t child = fork();
    if (child == 0) {
        struct timespec ts = {0, 300 * 1000 * 1000};
        nanosleep(&ts, NULL);
        _exit(5);
    }
    pthread_t th;
    if (pthread_create(&th, NULL, blocked_thread, NULL) != 0)
        return 1;
    while (!thread_started)
        sched_yield();
    /* Created after the blocked thread, so its stack is not reused. */
    pthread_t quick;
    if (pthread_create(&quick, NULL, quick_thread, NULL) != 0 || pthread_join(quick, NULL) != 0)
        return 1;
    sched_yield(); /* let the thread reach its futex wait */
    if (strcmp(breaks, "break-libc") == 0)
        stack_cache_actsize += 4096;
    else if (strcmp(breaks, "break-kernel") == 0)
        syscall(SYS_THREADLAB_STATS, STATS_TAG_BREAK_NR_THREADS);
    syscall(SYS_THREADLAB_STATS, MARKER_TAG);
    release_thread = 1;
    syscall(SYS_futex, &release_thread, FUTEX_WAKE, 1, NULL, NULL, 0);
    void *ret;
    pthread_join(th, &ret);
    int status;
    waitpid(child, &status, 0);
    printf("thread returned %ld, child exited %d\n", (long)ret, WEXITSTATUS(status));
    return 0;
}
