/* Two threads that take two mutexes in opposite orders and deadlock: the
 * main thread holds mutex_a and waits for mutex_b, the other thread holds
 * mutex_b and waits for mutex_a. Nothing else can run or wake either (no
 * timer, no signal), which the kernel reports as a deadlock exit.
 *
 *   deadlock         the deadlock above
 *   deadlock vfork   a vfork child that waits for a futex nobody wakes,
 *                    its parent waiting for it (a vfork wait and a futex)
 *
 * It never prints "unreachable". */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

pthread_mutex_t mutex_a = PTHREAD_MUTEX_INITIALIZER;
pthread_mutex_t mutex_b = PTHREAD_MUTEX_INITIALIZER;
static volatile int b_taken;
int never_woken;

static void *b_then_a(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&mutex_b);
    b_taken = 1;
    pthread_mutex_lock(&mutex_a);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "vfork") == 0) {
        pid_t pid = vfork();
        if (pid == 0) {
            for (;;)
                syscall(SYS_futex, &never_woken, FUTEX_WAIT, 0, NULL, NULL, 0);
        }
        printf("unreachable\n");
        return 1;
    }
    pthread_mutex_lock(&mutex_a);
    pthread_t t;
    if (pthread_create(&t, NULL, b_then_a, NULL) != 0)
        return 2;
    while (!b_taken)
        sched_yield();
    pthread_mutex_lock(&mutex_b);
    printf("unreachable\n");
    return 1;
}
