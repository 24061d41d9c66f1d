/* The program tests/strace.rs traces natively (real strace -f) and in the
 * guest (vmm run --strace) and compares: threads (clone3 through
 * pthread_create), a fork (legacy clone) and wait4, mmap / mprotect /
 * madvise / munmap with several protections and flags, futex calls whose
 * results do not depend on timing (a wake with no waiter, a wait on a value
 * that does not match), nanosleep, writes with strings that need quoting
 * and cutting, failing calls, and the records the decoder reads from
 * memory (an iovec array, a kernel_sigaction old and new, a struct stat, a
 * timespec) where they are the same natively. Every thread's own sequence of calls is
 * fixed; only their interleaving depends on scheduling. */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Marker value of the futex calls the comparison keeps (the C library's
 * own futex calls depend on timing and are dropped). */
#define MARK 424242
static int word = 1;

static void futexes(void) {
    syscall(SYS_futex, &word, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, MARK);
    syscall(SYS_futex, &word, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, MARK, NULL);
    syscall(SYS_futex, &word, FUTEX_WAKE, MARK);
    syscall(SYS_futex, &word, FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG, MARK, NULL, NULL, -1);
}

static void *worker(void *arg) {
    long n = (long)arg;
    char msg[64];
    int len = snprintf(msg, sizeof msg, "worker %ld\n", n);
    write(1, msg, len);
    struct timespec ts = {0, 1000000};
    nanosleep(&ts, NULL);
    char *p = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p != MAP_FAILED) {
        p[0] = 1;
        mprotect(p + 4096, 4096, PROT_NONE);
        madvise(p, 4096, MADV_DONTNEED);
        munmap(p, 3 * 4096);
    }
    futexes();
    close(-1);
    return arg;
}

int main(void) {
    static const char text[] = "tab\there \"quoted\" back\\slash and a long tail beyond 32 bytes\n";
    write(1, text, sizeof text - 1);

    struct iovec iov[2] = {{(void *)"io", 2}, {(void *)"vec\n", 4}};
    writev(2, iov, 2);
    struct sigaction ign = {.sa_handler = SIG_IGN}, old;
    sigaction(SIGUSR1, &ign, &old);
    sigaction(SIGUSR1, &old, NULL);
    unsigned long st[18]; /* struct stat */
    syscall(SYS_fstat, 1, st);
    struct timespec res;
    clock_getres(CLOCK_MONOTONIC, &res);

    pthread_t t[3];
    for (long i = 0; i < 3; i++)
        pthread_create(&t[i], NULL, worker, (void *)i);
    for (int i = 0; i < 3; i++)
        pthread_join(t[i], NULL);

    char *x = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    mprotect(x, 4096, PROT_READ | PROT_WRITE | PROT_EXEC);
    munmap(x, 4096);
    mmap((void *)1, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    futexes();

    pid_t pid = fork();
    if (pid == 0) {
        write(1, "child\n", 6);
        _exit(3);
    }
    int status;
    waitpid(pid, &status, 0);
    write(1, "done\n", 5);
    return WEXITSTATUS(status) == 3 ? 0 : 1;
}
