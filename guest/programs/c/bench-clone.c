/* Benchmark (not a test): how long it takes to make a task, natively and in
 * the guest, the same binary. For each operation, the median and 99th
 * percentile of ITERATIONS timed repetitions (after ITERATIONS/10 untimed
 * warm-up ones), measured with rdtsc around each repetition:
 *
 *   getpid                    the bare system call round trip
 *   thread create+join clone  legacy clone with glibc's flag set (VM FS
 *                             FILES SYSVSEM SIGHAND THREAD SETTLS
 *                             PARENT_SETTID CHILD_CLEARTID), joined by a
 *                             futex wait on the CLEARTID word
 *   thread create+join clone3 the same through clone3
 *   fork+exit+wait4           fork, the child exits at once, wait4
 *   vfork+exit+wait4          vfork, the child _exits at once, wait4
 *
 *   bench-clone [ITERATIONS [OP]]     default 200, all operations
 *
 * TSC ticks become nanoseconds through a calibration against
 * CLOCK_MONOTONIC over 50 ms (in the guest that clock is the TSC scaled by
 * the frequency KVM reported in the boot info, so this is that frequency). */
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "raw-clone.h"

#define GLIBC_FLAGS (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SYSVSEM | CLONE_SIGHAND | CLONE_THREAD | \
                     CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID)

/* clone3_run(args, size): clone3; the child (on the stack the args give)
 * calls fn(arg) from r12/r13 and exits the thread. */
long clone3_run(struct clone_args *args, unsigned long size, int (*fn)(void *), void *arg);
__asm__(".text\n"
        ".globl clone3_run\n"
        "clone3_run:\n"
        "    push %r12\n"
        "    push %r13\n"
        "    mov %rdx, %r12\n"
        "    mov %rcx, %r13\n"
        "    mov $435, %eax\n"
        "    syscall\n"
        "    test %rax, %rax\n"
        "    jnz 2f\n"
        "    xor %ebp, %ebp\n"
        "    and $-16, %rsp\n"
        "    mov %r13, %rdi\n"
        "    call *%r12\n"
        "    mov %eax, %edi\n"
        "    mov $60, %eax\n"
        "    syscall\n"
        "    ud2\n"
        "2:  pop %r13\n"
        "    pop %r12\n"
        "    ret\n");

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}

static uint64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static double tsc_per_ns(void)
{
    uint64_t n0 = now_ns(), t0 = rdtsc(), n1, t1;
    do {
        n1 = now_ns();
        t1 = rdtsc();
    } while (n1 - n0 < 50000000u);
    return (double)(t1 - t0) / (double)(n1 - n0);
}

static int cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static char stack[64 * 1024] __attribute__((aligned(16)));
/* A stand-in TCB for SETTLS: its first word points at itself, as the
 * x86_64 TLS ABI wants; the child never uses it. */
static uint64_t tcb[64] __attribute__((aligned(64)));
static int ptid, ctid;

static int nothing(void *arg)
{
    (void)arg;
    return 0;
}

static void join(void)
{
    int v;
    while ((v = __atomic_load_n(&ctid, __ATOMIC_ACQUIRE)) != 0)
        syscall(SYS_futex, &ctid, 0 /* FUTEX_WAIT */, v, 0, 0, 0);
}

static int op_getpid(void)
{
    return syscall(SYS_getpid) > 0 ? 0 : -1;
}

static int op_thread_clone(void)
{
    ctid = 1;
    long r = clone_run(GLIBC_FLAGS, stack + sizeof(stack), &ptid, &ctid, (unsigned long)tcb, nothing, 0);
    if (r <= 0)
        return -1;
    join();
    return 0;
}

static int op_thread_clone3(void)
{
    ctid = 1;
    struct clone_args a;
    memset(&a, 0, sizeof(a));
    a.flags = GLIBC_FLAGS;
    a.parent_tid = (uint64_t)(uintptr_t)&ptid;
    a.child_tid = (uint64_t)(uintptr_t)&ctid;
    a.stack = (uint64_t)(uintptr_t)stack;
    a.stack_size = sizeof(stack);
    a.tls = (uint64_t)(uintptr_t)tcb;
    long r = clone3_run(&a, sizeof(a), nothing, 0);
    if (r <= 0)
        return -1;
    join();
    return 0;
}

static int op_fork(void)
{
    long pid = syscall(SYS_fork);
    if (pid == 0)
        syscall(SYS_exit, 0);
    if (pid < 0)
        return -1;
    int st;
    return syscall(SYS_wait4, pid, &st, 0, 0) == pid ? 0 : -1;
}

static int op_vfork(void)
{
    pid_t pid = vfork();
    if (pid == 0)
        _exit(0);
    if (pid < 0)
        return -1;
    int st;
    return waitpid(pid, &st, 0) == pid ? 0 : -1;
}

static const struct {
    const char *name;
    int (*fn)(void);
} ops[] = {
    {"getpid", op_getpid},
    {"thread create+join clone", op_thread_clone},
    {"thread create+join clone3", op_thread_clone3},
    {"fork+exit+wait4", op_fork},
    {"vfork+exit+wait4", op_vfork},
};

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 200;
    const char *only = argc > 2 ? argv[2] : NULL;
    if (n < 1)
        n = 1;
    tcb[0] = (uint64_t)(uintptr_t)tcb;
    double per_ns = tsc_per_ns();
    uint64_t *t = malloc(sizeof(uint64_t) * (size_t)n);
    if (!t)
        return 1;
    for (size_t k = 0; k < sizeof(ops) / sizeof(ops[0]); k++) {
        if (only && strcmp(only, ops[k].name) != 0)
            continue;
        for (int i = 0; i < n / 10; i++)
            if (ops[k].fn() != 0)
                return 2;
        for (int i = 0; i < n; i++) {
            uint64_t a = rdtsc();
            if (ops[k].fn() != 0)
                return 2;
            t[i] = rdtsc() - a;
        }
        qsort(t, (size_t)n, sizeof(t[0]), cmp);
        uint64_t median = t[n / 2], p99 = t[(size_t)n * 99 / 100];
        printf("%s: median %.0f ns, p99 %.0f ns\n", ops[k].name, (double)median / per_ns, (double)p99 / per_ns);
    }
    return 0;
}
