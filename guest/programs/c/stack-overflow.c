/* A thread that recurses without end runs off the bottom of its stack into
 * the PROT_NONE guard page below it and the process dies of SIGSEGV (exit
 * status 139 as a shell reports it), while the kernel keeps running.
 *
 *   stack-overflow          the process itself dies: status 139
 *   stack-overflow fork     a forked child dies; the parent reports how,
 *                           runs another thread and exits 0 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile int keep_going = 1;

/* Unbounded on purpose (the flag only keeps the compiler from saying so). */
__attribute__((noinline)) static int recurse(int n)
{
    volatile char frame[512];
    frame[0] = (char)n;
    if (!keep_going)
        return frame[0];
    return recurse(n + 1) + frame[0];
}

static void *overflow(void *arg)
{
    (void)arg;
    /* Where the guard page is, on stderr (addresses differ between runs):
     * the test checks that the guest's fault address lies inside it. */
    pthread_attr_t a;
    void *low;
    size_t size, guard;
    pthread_getattr_np(pthread_self(), &a);
    pthread_attr_getstack(&a, &low, &size);
    pthread_attr_getguardsize(&a, &guard);
    fprintf(stderr, "guard page: %#lx-%#lx\n", (unsigned long)low - guard, (unsigned long)low);
    return (void *)(long)recurse(0);
}

static void *fine(void *arg) { return arg; }

static void overflow_in_a_thread(void)
{
    pthread_attr_t a;
    pthread_attr_init(&a);
    pthread_attr_setstacksize(&a, 64 * 1024);
    pthread_t t;
    printf("a thread with a 64 KiB stack recurses without end\n");
    fflush(stdout);
    if (pthread_create(&t, &a, overflow, 0) != 0) {
        printf("pthread_create failed\n");
        _exit(1);
    }
    pthread_join(t, 0);
    printf("the thread came back: the guard page did not stop it\n");
    _exit(2);
}

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "fork") != 0)
        overflow_in_a_thread();
    pid_t pid = fork();
    if (pid == 0)
        overflow_in_a_thread();
    int st = 0;
    if (waitpid(pid, &st, 0) != pid) {
        printf("waitpid failed\n");
        return 1;
    }
    if (WIFSIGNALED(st))
        printf("the child was killed by signal %d\n", WTERMSIG(st));
    else
        printf("the child exited with status %d\n", WEXITSTATUS(st));
    pthread_t t;
    void *r = 0;
    int ok = pthread_create(&t, 0, fine, (void *)42) == 0 && pthread_join(t, &r) == 0 && r == (void *)42;
    printf("the parent still runs threads afterwards: %s\n", ok ? "yes" : "no");
    return 0;
}
