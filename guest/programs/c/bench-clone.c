/* Benchmark (not a test): how long it takes to make a task, natively and in
 * the guest, the same binary. For each operation, the median and 99th
 * percentile of ITERATIONS timed repetitions (after ITERATIONS/10 untimed
 * warm-up ones), measured with rdtsc around each repetition:
 *
 *   getpid                    the bare system call round trip
 *   thread create+join (clone)  legacy clone with glibc's flag set (VM FS
 *                             FILES SYSVSEM SIGHAND THREAD SETTLS
 *                             PARENT_SETTID CHILD_CLEARTID), joined by a
 *                             futex wait on the CLEARTID word
 *   thread create+join (clone3) the same through clone3
 *   pthread_create+join, warm the C library's, stack from its cache
 *   pthread_create+join, cold with the cache off: mmap + mprotect each time
 *                             (guest-libc only: its stack_cache_maxsize)
 *   fork+exit+wait4           fork, the child exits at once, wait4
 *   vfork+exit+wait4          vfork, the child _exits at once, wait4
 *   vfork+exec+exit+wait4     vfork, the child execs a small static program
 *                             (one page, written to /tmp at the start: it
 *                             calls exit_group(0) at once), wait4
 *   clone -> child's first instruction  rdtsc before clone in the parent to
 *                             rdtsc as the child's first act (a thread)
 *   futex wake->wakeup (2 threads)  rdtsc before FUTEX_WAKE in one thread
 *                             to rdtsc after FUTEX_WAIT returns in another
 *   getpid, SIGUSR1 handler installed  getpid again, with a handler set and
 *                             nothing pending: next to "getpid", what a
 *                             handler adds to each return to user mode
 *   signal tgkill->handler (2 threads)  rdtsc before tgkill in one thread
 *                             to rdtsc as the first act of the SIGUSR1
 *                             handler in another (blocked in a futex wait),
 *                             which then posts a futex back to the sender
 *   signal to self (tgkill+handler+sigreturn)  a SIGUSR1 handler run on the
 *                             way back from tgkill to the calling thread,
 *                             and its rt_sigreturn
 *   pipe round trip (2 threads)  one byte written to a pipe that another
 *                             thread, blocked in read, echoes back on a
 *                             second pipe, read back
 *   pipe round trip (2 processes)  the same with a forked child echoing
 *
 * The signal operations install their handlers with raw rt_sigaction
 * (raw-signal.h). Where a sent signal never reaches its handler (a kernel
 * without signal delivery) they are not measured: the program prints
 * `skipped OP: signals are not delivered to handlers` for each instead.
 *
 *   bench-clone [ITERATIONS [OP]] [--samples] [--threads N] [--parked K]
 *
 * Default 200 iterations, every operation. --samples prints every sample
 * (ns) on a `samples OP: ...` line after each summary (for `vmm bench`);
 * --threads N adds "thread create+join (clone) xN contended": N threads
 * creating and joining threads at the same time, each sample one pair;
 * --parked K keeps K-1 extra threads alive (blocked on a futex) while
 * measuring, so the process has K threads (for `vmm bench --check-cost`:
 * how the host's checks scale with threads).
 *
 * TSC ticks become nanoseconds through a calibration against
 * CLOCK_MONOTONIC over 50 ms (in the guest that clock is the TSC scaled by
 * the frequency KVM reported in the boot info, so this is that frequency). */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <time.h>

#include "bench-util.h"

#include "raw-clone.h"
#include "raw-signal.h"

#define SIG_PING 10 /* SIGUSR1 */

#define GLIBC_FLAGS (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SYSVSEM | CLONE_SIGHAND | CLONE_THREAD | \
                     CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID)

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
        syscall(SYS_futex, &ctid, FUTEX_WAIT, v, 0, 0, 0);
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

/* The program vfork+exec runs: exit_group(0), position independent. */
extern const unsigned char exit_code_start[], exit_code_end[];
__asm__(".pushsection .rodata.bench_exit, \"a\"\n"
        "exit_code_start:\n"
        "    mov $" RAW_CLONE_STR(SYS_exit_group) ", %eax\n"
        "    xor %edi, %edi\n"
        "    syscall\n"
        "    ud2\n"
        "exit_code_end:\n"
        ".popsection\n");

static char exit_prog[64];

/* A static ELF file of one read-execute segment (its headers and the
 * code above) at 0x400000. */
static int exit_prog_on(void)
{
    unsigned char elf[256];
    size_t code_at = 64 + 56, len = (size_t)(exit_code_end - exit_code_start);
    size_t total = code_at + len;
    uint64_t base = 0x400000, entry = base + code_at;
    memset(elf, 0, sizeof(elf));
    memcpy(elf, "\177ELF\2\1\1", 7);
    uint16_t type_machine[2] = {2, 62};
    uint32_t version = 1;
    uint64_t phoff = 64;
    uint16_t sizes[3] = {64, 56, 1};
    memcpy(elf + 16, type_machine, 4);
    memcpy(elf + 20, &version, 4);
    memcpy(elf + 24, &entry, 8);
    memcpy(elf + 32, &phoff, 8);
    memcpy(elf + 52, sizes, 6);
    uint32_t load[2] = {1, 5};
    uint64_t load_v[6] = {0, base, base, total, total, 0x1000};
    memcpy(elf + 64, load, 8);
    memcpy(elf + 72, load_v, 48);
    memcpy(elf + code_at, exit_code_start, len);
    snprintf(exit_prog, sizeof(exit_prog), "/tmp/bench-exec-%d", getpid());
    long fd = syscall(SYS_openat, -100 /* AT_FDCWD */, exit_prog, 01101 /* O_WRONLY|O_CREAT|O_TRUNC */, 0755);
    if (fd < 0)
        return -1;
    long n = syscall(SYS_write, fd, elf, total);
    syscall(SYS_fchmod, fd, 0755);
    syscall(SYS_close, fd);
    return n == (long)total ? 0 : -1;
}

static int exit_prog_off(void)
{
    return syscall(SYS_unlink, exit_prog) == 0 ? 0 : -1;
}

static int op_vfork_exec(void)
{
    static char *argv[] = {"exit", NULL};
    static char *envp[] = {NULL};
    pid_t pid = vfork();
    if (pid == 0) {
        syscall(SYS_execve, exit_prog, argv, envp);
        _exit(127);
    }
    if (pid < 0)
        return -1;
    int st;
    return waitpid(pid, &st, 0) == pid && st == 0 ? 0 : -1;
}

/* guest-libc's stack-cache limit; absent when built against glibc. */
extern size_t stack_cache_maxsize __attribute__((weak));

static void *pnothing(void *arg) { return arg; }

static int op_pthread(void)
{
    pthread_t t;
    if (pthread_create(&t, NULL, pnothing, NULL) != 0)
        return -1;
    return pthread_join(t, NULL);
}

/* Timed inside: the child's first rdtsc minus the parent's last one. */
static volatile uint64_t child_first_tsc;
static int first_insn(void *arg)
{
    (void)arg;
    child_first_tsc = rdtsc();
    return 0;
}

static uint64_t time_first_insn(void)
{
    ctid = 1;
    child_first_tsc = 0;
    uint64_t a = rdtsc();
    long r = clone_run(GLIBC_FLAGS, stack + sizeof(stack), &ptid, &ctid, (unsigned long)tcb, first_insn, 0);
    if (r <= 0)
        return 0;
    join();
    return child_first_tsc - a;
}

/* Ping: the waker stamps the time and wakes; the waiter stamps its wakeup. */
static int ping_word, pong_word;
static volatile uint64_t wake_tsc, woken_tsc;
static volatile int ping_stop;
static void *pinger(void *arg)
{
    (void)arg;
    for (;;) {
        while (__atomic_load_n(&ping_word, __ATOMIC_ACQUIRE) == 0)
            syscall(SYS_futex, &ping_word, FUTEX_WAIT, 0, 0, 0, 0);
        if (ping_stop)
            return NULL;
        woken_tsc = rdtsc();
        __atomic_store_n(&ping_word, 0, __ATOMIC_RELEASE);
        __atomic_store_n(&pong_word, 1, __ATOMIC_RELEASE);
        syscall(SYS_futex, &pong_word, FUTEX_WAKE, 1, 0, 0, 0);
    }
}

static uint64_t time_wakeup(void)
{
    /* Let the other thread get to its FUTEX_WAIT first. */
    for (int i = 0; i < 3; i++)
        sched_yield();
    wake_tsc = rdtsc();
    __atomic_store_n(&ping_word, 1, __ATOMIC_RELEASE);
    syscall(SYS_futex, &ping_word, FUTEX_WAKE, 1, 0, 0, 0);
    while (__atomic_load_n(&pong_word, __ATOMIC_ACQUIRE) == 0)
        syscall(SYS_futex, &pong_word, FUTEX_WAIT, 0, 0, 0, 0);
    pong_word = 0;
    return woken_tsc - wake_tsc;
}

/* Signals. The handler stamps its first instruction, counts, and posts
 * `caught` to whoever waits for it. */
static volatile uint64_t handler_tsc;
static volatile int handled;
static int caught;
static void on_ping(int sig, void *info, void *uc)
{
    (void)sig;
    (void)info;
    (void)uc;
    handler_tsc = rdtsc();
    handled++;
    __atomic_store_n(&caught, 1, __ATOMIC_RELEASE);
    syscall(SYS_futex, &caught, FUTEX_WAKE, 1, 0, 0, 0);
}

static long to_thread(long tid, int sig)
{
    return syscall(SYS_tgkill, syscall(SYS_getpid), tid, sig);
}

/* Whether a signal sent to this thread runs its handler before tgkill
 * returns (as Linux does). */
static int signals_delivered(void)
{
    static int known = -1;
    if (known < 0) {
        int before = handled;
        known = raw_sigaction(SIG_PING, on_ping) == 0 && to_thread(syscall(SYS_gettid), SIG_PING) == 0 &&
                handled == before + 1;
        /* Undelivered, the signal is still pending: ignoring it discards
         * it, where the default action would end the program. */
        raw_sigaction(SIG_PING, known ? RAW_SIG_DFL : RAW_SIG_IGN);
    }
    return known;
}

static int handler_on(void)
{
    return raw_sigaction(SIG_PING, on_ping) == 0 ? 0 : -1;
}

static int handler_off(void)
{
    return raw_sigaction(SIG_PING, RAW_SIG_DFL) == 0 ? 0 : -1;
}

static int op_signal_self(void)
{
    int before = handled;
    if (to_thread(syscall(SYS_gettid), SIG_PING) != 0)
        return -1;
    return handled == before + 1 ? 0 : -1;
}

/* The thread that takes the other thread's signals, parked in a futex
 * wait the signal interrupts. */
static volatile long catcher_tid;
static int catcher_stop;
static pthread_t catcher;
static void *catcher_thread(void *arg)
{
    (void)arg;
    catcher_tid = syscall(SYS_gettid);
    while (__atomic_load_n(&catcher_stop, __ATOMIC_ACQUIRE) == 0)
        syscall(SYS_futex, &catcher_stop, FUTEX_WAIT, 0, 0, 0, 0);
    return NULL;
}

static int catcher_on(void)
{
    if (handler_on() != 0 || pthread_create(&catcher, NULL, catcher_thread, NULL) != 0)
        return -1;
    while (catcher_tid == 0)
        sched_yield();
    return 0;
}

static int catcher_off(void)
{
    __atomic_store_n(&catcher_stop, 1, __ATOMIC_RELEASE);
    syscall(SYS_futex, &catcher_stop, FUTEX_WAKE, 1, 0, 0, 0);
    pthread_join(catcher, NULL);
    catcher_tid = 0;
    catcher_stop = 0;
    return handler_off();
}

static uint64_t time_signal_other(void)
{
    /* Let the catcher get back to its futex wait first. */
    for (int i = 0; i < 3; i++)
        sched_yield();
    __atomic_store_n(&caught, 0, __ATOMIC_RELEASE);
    uint64_t a = rdtsc();
    if (to_thread(catcher_tid, SIG_PING) != 0)
        return 0;
    while (__atomic_load_n(&caught, __ATOMIC_ACQUIRE) == 0)
        syscall(SYS_futex, &caught, FUTEX_WAIT, 0, 0, 0, 0);
    return handler_tsc - a;
}

/* Pipes: one byte to an echoing thread or child process and back, each
 * side blocked in read while the other writes. */
static int to_echo[2], from_echo[2];
static pthread_t echo_thread;
static pid_t echo_child = -1;

static void echo_loop(void)
{
    char c;
    while (syscall(SYS_read, to_echo[0], &c, 1) == 1)
        if (syscall(SYS_write, from_echo[1], &c, 1) != 1)
            break;
}

static void *echo_main(void *arg)
{
    (void)arg;
    echo_loop();
    return NULL;
}

static int echo_pipes(void)
{
    return syscall(SYS_pipe2, to_echo, 0) == 0 && syscall(SYS_pipe2, from_echo, 0) == 0 ? 0 : -1;
}

static int echo_thread_on(void)
{
    if (echo_pipes() != 0)
        return -1;
    return pthread_create(&echo_thread, NULL, echo_main, NULL) == 0 ? 0 : -1;
}

static int echo_thread_off(void)
{
    /* EOF ends the echo loop. */
    close(to_echo[1]);
    pthread_join(echo_thread, NULL);
    close(to_echo[0]);
    close(from_echo[0]);
    close(from_echo[1]);
    return 0;
}

static int echo_child_on(void)
{
    if (echo_pipes() != 0)
        return -1;
    echo_child = fork();
    if (echo_child == 0) {
        close(to_echo[1]);
        close(from_echo[0]);
        echo_loop();
        _exit(0);
    }
    close(to_echo[0]);
    close(from_echo[1]);
    return echo_child > 0 ? 0 : -1;
}

static int echo_child_off(void)
{
    close(to_echo[1]);
    close(from_echo[0]);
    int st;
    return waitpid(echo_child, &st, 0) == echo_child ? 0 : -1;
}

static int op_pipe_round_trip(void)
{
    char c = 'x';
    if (syscall(SYS_write, to_echo[1], &c, 1) != 1)
        return -1;
    return syscall(SYS_read, from_echo[0], &c, 1) == 1 ? 0 : -1;
}

typedef int (*op_fn)(void);
typedef uint64_t (*timed_fn)(void);
static const struct {
    const char *name;
    op_fn fn;       /* timed around the call */
    timed_fn timed; /* or timing itself */
    op_fn setup, teardown; /* around the measurement, if any */
    int signals;           /* needs signal delivery */
} ops[] = {
    {"getpid", op_getpid, 0},
    {"getpid, SIGUSR1 handler installed", op_getpid, 0, handler_on, handler_off, 0},
    {"thread create+join (clone)", op_thread_clone, 0},
    {"thread create+join (clone3)", op_thread_clone3, 0},
    {"pthread_create+join, warm", op_pthread, 0},
    {"pthread_create+join, cold", op_pthread, 0},
    {"fork+exit+wait4", op_fork, 0},
    {"vfork+exit+wait4", op_vfork, 0},
    {"vfork+exec+exit+wait4", op_vfork_exec, 0, exit_prog_on, exit_prog_off, 0},
    {"clone -> child's first instruction", 0, time_first_insn},
    {"futex wake->wakeup (2 threads)", 0, time_wakeup},
    {"signal tgkill->handler (2 threads)", 0, time_signal_other, catcher_on, catcher_off, 1},
    {"signal to self (tgkill+handler+sigreturn)", op_signal_self, 0, handler_on, handler_off, 1},
    {"pipe round trip (2 threads)", op_pipe_round_trip, 0, echo_thread_on, echo_thread_off, 0},
    {"pipe round trip (2 processes)", op_pipe_round_trip, 0, echo_child_on, echo_child_off, 0},
};

static double per_ns;
static int print_samples;

static void report(const char *name, uint64_t *t, int n)
{
    qsort(t, (size_t)n, sizeof(t[0]), cmp_u64);
    uint64_t median = t[n / 2], p99 = t[(size_t)n * 99 / 100];
    printf("%s: median %.0f ns, p99 %.0f ns\n", name, (double)median / per_ns, (double)p99 / per_ns);
    if (print_samples) {
        printf("samples %s:", name);
        for (int i = 0; i < n; i++)
            printf(" %.0f", (double)t[i] / per_ns);
        printf("\n");
    }
}

/* The contended variant: workers creating and joining raw-clone threads at
 * the same time, each with its own stack and tid words. */
struct worker {
    pthread_t th;
    int n;
    uint64_t *samples;
    char *stack;
    int ptid, ctid;
};

static void worker_join(int *w)
{
    int v;
    while ((v = __atomic_load_n(w, __ATOMIC_ACQUIRE)) != 0)
        syscall(SYS_futex, w, FUTEX_WAIT, v, 0, 0, 0);
}

static void *contend(void *arg)
{
    struct worker *w = arg;
    for (int i = 0; i < w->n; i++) {
        w->ctid = 1;
        uint64_t a = rdtsc();
        long r = clone_run(GLIBC_FLAGS, w->stack + 65536, &w->ptid, &w->ctid, (unsigned long)tcb, nothing, 0);
        if (r <= 0)
            return (void *)1;
        worker_join(&w->ctid);
        w->samples[i] = rdtsc() - a;
    }
    return NULL;
}

static int run_contended(int n, int threads)
{
    struct worker *w = calloc((size_t)threads, sizeof(*w));
    uint64_t *all = malloc(sizeof(uint64_t) * (size_t)n * (size_t)threads);
    if (!w || !all)
        return -1;
    for (int k = 0; k < threads; k++) {
        w[k].n = n;
        w[k].samples = all + (size_t)k * (size_t)n;
        w[k].stack = malloc(65536 + 16);
        if (!w[k].stack || pthread_create(&w[k].th, NULL, contend, &w[k]) != 0)
            return -1;
    }
    for (int k = 0; k < threads; k++) {
        void *r;
        pthread_join(w[k].th, &r);
        if (r)
            return -1;
    }
    char name[64];
    snprintf(name, sizeof(name), "thread create+join (clone) x%d contended", threads);
    report(name, all, n * threads);
    return 0;
}

/* Threads kept alive, blocked, while the operations are measured. */
static int park_gate;
static void *parked_thread(void *arg)
{
    (void)arg;
    while (__atomic_load_n(&park_gate, __ATOMIC_ACQUIRE) == 0)
        syscall(SYS_futex, &park_gate, FUTEX_WAIT, 0, 0, 0, 0);
    return NULL;
}

static int park(int k)
{
    pthread_t t;
    for (int i = 0; i < k; i++)
        if (pthread_create(&t, NULL, parked_thread, NULL) != 0 || pthread_detach(t) != 0)
            return -1;
    /* Let each get to its futex wait. */
    for (int i = 0; i < k + 2; i++)
        sched_yield();
    return 0;
}

int main(int argc, char **argv)
{
    int n = 200, threads = 0, parked = 0;
    const char *only = NULL;
    int pos = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--samples") == 0)
            print_samples = 1;
        else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc)
            threads = atoi(argv[++i]);
        else if (strcmp(argv[i], "--parked") == 0 && i + 1 < argc)
            parked = atoi(argv[++i]);
        else if (pos++ == 0)
            n = atoi(argv[i]);
        else
            only = argv[i];
    }
    if (n < 1)
        n = 1;
    if (park(parked - 1) != 0)
        return 3;
    tcb[0] = (uint64_t)(uintptr_t)tcb;
    per_ns = tsc_per_ns();
    uint64_t *t = malloc(sizeof(uint64_t) * (size_t)n);
    if (!t)
        return 1;
    pthread_t ping_thread;
    for (size_t k = 0; k < sizeof(ops) / sizeof(ops[0]); k++) {
        if (only && strcmp(only, ops[k].name) != 0)
            continue;
        if (ops[k].signals && !signals_delivered()) {
            printf("skipped %s: signals are not delivered to handlers\n", ops[k].name);
            continue;
        }
        if (ops[k].setup && ops[k].setup() != 0)
            return 2;
        int cold = strstr(ops[k].name, "cold") != NULL;
        size_t saved_cache = 0;
        if (ops[k].fn == op_pthread && &stack_cache_maxsize) {
            saved_cache = stack_cache_maxsize;
            if (cold)
                stack_cache_maxsize = 0;
        }
        if (ops[k].timed == time_wakeup && pthread_create(&ping_thread, NULL, pinger, NULL) != 0)
            return 2;
        for (int i = 0; i < n / 10 + 1; i++) {
            if (ops[k].fn ? ops[k].fn() != 0 : ops[k].timed() == 0)
                return 2;
        }
        for (int i = 0; i < n; i++) {
            if (ops[k].fn) {
                uint64_t a = rdtsc();
                if (ops[k].fn() != 0)
                    return 2;
                t[i] = rdtsc() - a;
            } else {
                t[i] = ops[k].timed();
            }
        }
        if (ops[k].timed == time_wakeup) {
            ping_stop = 1;
            __atomic_store_n(&ping_word, 1, __ATOMIC_RELEASE);
            syscall(SYS_futex, &ping_word, FUTEX_WAKE, 1, 0, 0, 0);
            pthread_join(ping_thread, NULL);
        }
        if (ops[k].fn == op_pthread && &stack_cache_maxsize)
            stack_cache_maxsize = saved_cache;
        if (ops[k].teardown && ops[k].teardown() != 0)
            return 2;
        report(ops[k].name, t, n);
    }
    if (threads > 0 && run_contended(n, threads) != 0)
        return 2;
    return 0;
}
