/* The program tests/strace.rs runs with `--strace`'s timing options (-c,
 * -C, -w, -T, -t): a thread and the main thread each make a fixed sequence
 * of calls — some failing (close(-1): EBADF), some sleeping (nanosleep of
 * 10 ms in the thread, 20 ms in the main thread, while the other waits or
 * nothing else runs). Only the C library's futex calls around the join
 * depend on timing. */
#include <pthread.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static void sleep_ms(long ms)
{
    struct timespec ts = {0, ms * 1000 * 1000};
    nanosleep(&ts, NULL);
}

static void *worker(void *arg)
{
    sleep_ms(10);
    close(-1);
    write(1, "worker\n", 7);
    return arg;
}

int main(void)
{
    for (int i = 0; i < 5; i++)
        getpid();
    for (int i = 0; i < 3; i++)
        close(-1);
    pthread_t t;
    pthread_create(&t, NULL, worker, NULL);
    pthread_join(t, NULL);
    sleep_ms(20);
    write(1, "done\n", 5);
    return 0;
}
