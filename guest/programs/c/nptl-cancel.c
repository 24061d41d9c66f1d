/* Thread cancellation and the other POSIX thread and signal interfaces
 * built on signals and futex deadlines: deferred and asynchronous cancel,
 * cancellation points (nanosleep, sem_wait, pthread_cond_wait,
 * pthread_join), cleanup handlers and key destructors on cancel and
 * pthread_exit, cancel state and type, semaphores, timed mutex, condition
 * variable and rwlock operations, pthread_atfork, signal sets, queued
 * signals, interrupted sleeps, and static TLS. One line per case, nothing
 * that depends on addresses or timing: the same output under glibc. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

static const char *yes(int c) { return c ? "yes" : "no"; }

static const char *err(int e)
{
    switch (e) {
    case 0: return "0";
    case EINVAL: return "EINVAL";
    case EAGAIN: return "EAGAIN";
    case EBUSY: return "EBUSY";
    case EINTR: return "EINTR";
    case ETIMEDOUT: return "ETIMEDOUT";
    case EOVERFLOW: return "EOVERFLOW";
    case ESRCH: return "ESRCH";
    case EDEADLK: return "EDEADLK";
    default: return "other";
    }
}

/* -1/errno as the error's name. */
static const char *res(int r) { return r == 0 ? "0" : r == -1 ? err(errno) : "positive"; }

static const char *joined(void *r)
{
    return r == PTHREAD_CANCELED ? "PTHREAD_CANCELED" : r == 0 ? "NULL" : "a value";
}

static struct timespec after_ms(clockid_t clk, long ms)
{
    struct timespec t;
    clock_gettime(clk, &t);
    t.tv_nsec += ms * 1000000;
    t.tv_sec += t.tv_nsec / 1000000000;
    t.tv_nsec %= 1000000000;
    return t;
}

static void sleep_ms(long ms)
{
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000};
    nanosleep(&t, 0);
}

/* Cleanup handlers append their names here; each case resets it. */
static char trail[128];
static void note(void *name)
{
    strcat(trail, (const char *)name);
    strcat(trail, " ");
}

static sem_t ready;

/* --- deferred cancel of a thread blocked in nanosleep */
static void *sleeper(void *arg)
{
    (void)arg;
    pthread_cleanup_push(note, "outer");
    pthread_cleanup_push(note, "inner");
    sem_post(&ready);
    for (;;)
        sleep_ms(10000);
    pthread_cleanup_pop(0);
    pthread_cleanup_pop(0);
    return 0;
}

/* --- asynchronous cancel of a thread that makes no call at all */
static volatile int spinning;
static void *spinner(void *arg)
{
    (void)arg;
    pthread_cleanup_push(note, "async-handler");
    int old;
    pthread_setcanceltype(PTHREAD_CANCEL_ASYNCHRONOUS, &old);
    spinning = 1;
    for (volatile unsigned long n = 0;; n++)
        ;
    pthread_cleanup_pop(0);
    return 0;
}

/* --- cancel in sem_wait */
static sem_t never;
static void *sem_waiter(void *arg)
{
    (void)arg;
    pthread_cleanup_push(note, "sem-handler");
    sem_post(&ready);
    sem_wait(&never);
    pthread_cleanup_pop(0);
    return 0;
}

/* --- cancel in pthread_cond_wait: the handler runs with the mutex held */
static pthread_mutex_t cm = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cc = PTHREAD_COND_INITIALIZER;
static int cond_ready, trylock_in_handler = -1;
static void cond_handler(void *arg)
{
    (void)arg;
    trylock_in_handler = pthread_mutex_trylock(&cm);
    pthread_mutex_unlock(&cm);
    note("cond-handler");
}
static void *cond_waiter(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&cm);
    cond_ready = 1;
    pthread_cleanup_push(cond_handler, 0);
    for (;;)
        pthread_cond_wait(&cc, &cm);
    pthread_cleanup_pop(0);
    return 0;
}

/* --- cancel disabled: the request waits until cancellation is enabled */
static sem_t go;
static int disabled_sleep = -2, reached_after_testcancel;
static void *disabler(void *arg)
{
    (void)arg;
    pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, 0);
    sem_post(&ready);
    sem_wait(&go); /* main cancels, then posts */
    struct timespec t = {0, 20000000};
    disabled_sleep = nanosleep(&t, 0);
    int old;
    pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, &old);
    note(old == PTHREAD_CANCEL_DISABLE ? "was-disabled" : "was-enabled");
    pthread_testcancel();
    reached_after_testcancel = 1;
    return 0;
}

/* --- pthread_testcancel in a loop that makes no other call */
static volatile int looping;
static void *tester(void *arg)
{
    (void)arg;
    pthread_cleanup_push(note, "testcancel-handler");
    looping = 1;
    for (;;)
        pthread_testcancel();
    pthread_cleanup_pop(0);
    return 0;
}

/* --- pthread_exit runs the handlers too; pop(1) runs one, pop(0) not */
static void nested_exit(void) { pthread_exit((void *)7); }
static void *exiter(void *arg)
{
    (void)arg;
    pthread_cleanup_push(note, "kept-1");
    pthread_cleanup_push(note, "popped-run");
    pthread_cleanup_pop(1);
    pthread_cleanup_push(note, "popped-silent");
    pthread_cleanup_pop(0);
    pthread_cleanup_push(note, "kept-2");
    nested_exit();
    pthread_cleanup_pop(0);
    pthread_cleanup_pop(0);
    return 0;
}

/* --- key destructors on cancel */
static pthread_key_t key;
static void destructor(void *v) { note(v); }
static void *keyed(void *arg)
{
    (void)arg;
    pthread_setspecific(key, "destructor");
    pthread_cleanup_push(note, "key-thread-handler");
    sem_post(&ready);
    for (;;)
        sleep_ms(10000);
    pthread_cleanup_pop(0);
    return 0;
}

/* --- cancel in pthread_join: the joined thread stays joinable */
static sem_t release;
static void *waits_for_release(void *arg)
{
    (void)arg;
    sem_wait(&release);
    return (void *)5;
}
static void *joiner(void *arg)
{
    pthread_cleanup_push(note, "joiner-handler");
    sem_post(&ready);
    pthread_join(*(pthread_t *)arg, 0);
    pthread_cleanup_pop(0);
    return 0;
}

static void *returns(void *arg) { return arg; }

static void cancellation(void)
{
    pthread_t t;
    void *r;
    sem_init(&ready, 0, 0);
    sem_init(&never, 0, 0);
    sem_init(&go, 0, 0);

    trail[0] = 0;
    pthread_create(&t, 0, sleeper, 0);
    sem_wait(&ready);
    printf("cancel sleeper: %s\n", err(pthread_cancel(t)));
    pthread_join(t, &r);
    printf("nanosleep cancelled: join %s, handlers: %s\n", joined(r), trail);

    trail[0] = 0;
    spinning = 0;
    pthread_create(&t, 0, spinner, 0);
    while (!spinning)
        sched_yield();
    pthread_cancel(t);
    pthread_join(t, &r);
    printf("async spinner cancelled: join %s, handlers: %s\n", joined(r), trail);

    trail[0] = 0;
    pthread_create(&t, 0, sem_waiter, 0);
    sem_wait(&ready);
    pthread_cancel(t);
    pthread_join(t, &r);
    int v;
    sem_getvalue(&never, &v);
    printf("sem_wait cancelled: join %s, handlers: %s, value still %d\n", joined(r), trail, v);

    trail[0] = 0;
    pthread_create(&t, 0, cond_waiter, 0);
    for (;;) {
        pthread_mutex_lock(&cm);
        if (cond_ready) {
            pthread_cancel(t);
            pthread_mutex_unlock(&cm);
            break;
        }
        pthread_mutex_unlock(&cm);
        sched_yield();
    }
    pthread_join(t, &r);
    printf("cond_wait cancelled: join %s, handlers: %s, mutex held in handler: %s\n", joined(r), trail,
           yes(trylock_in_handler == EBUSY));
    printf("mutex free after the handler: %s\n", yes(pthread_mutex_trylock(&cm) == 0));
    pthread_mutex_unlock(&cm);

    trail[0] = 0;
    pthread_create(&t, 0, disabler, 0);
    sem_wait(&ready);
    pthread_cancel(t);
    sem_post(&go);
    pthread_join(t, &r);
    printf("cancel while disabled: nanosleep returned %d, then %s, join %s, after testcancel: %s\n", disabled_sleep,
           trail, joined(r), yes(reached_after_testcancel));

    trail[0] = 0;
    looping = 0;
    pthread_create(&t, 0, tester, 0);
    while (!looping)
        sched_yield();
    pthread_cancel(t);
    pthread_join(t, &r);
    printf("testcancel loop cancelled: join %s, handlers: %s\n", joined(r), trail);

    trail[0] = 0;
    pthread_create(&t, 0, exiter, 0);
    pthread_join(t, &r);
    printf("pthread_exit: join %ld, handlers: %s\n", (long)r, trail);

    trail[0] = 0;
    pthread_key_create(&key, destructor);
    pthread_create(&t, 0, keyed, 0);
    sem_wait(&ready);
    pthread_cancel(t);
    pthread_join(t, &r);
    printf("cancel runs handlers then destructors: join %s, %s\n", joined(r), trail);

    trail[0] = 0;
    sem_init(&release, 0, 0);
    pthread_t target, j;
    pthread_create(&target, 0, waits_for_release, 0);
    pthread_create(&j, 0, joiner, &target);
    sem_wait(&ready);
    pthread_cancel(j);
    pthread_join(j, &r);
    sem_post(&release);
    void *r2;
    int e = pthread_join(target, &r2);
    printf("pthread_join cancelled: join %s, handlers: %s, target joined later: %s %ld\n", joined(r), trail, err(e),
           (long)r2);

    pthread_create(&t, 0, returns, (void *)3);
    sleep_ms(20);
    printf("cancel a finished thread: %s\n", err(pthread_cancel(t)));
    pthread_join(t, &r);
    printf("its join: %s\n", r == (void *)3 ? "its own value" : joined(r));

    printf("bad state: %s, bad type: %s\n", err(pthread_setcancelstate(5, 0)), err(pthread_setcanceltype(5, 0)));
    int old;
    pthread_setcanceltype(PTHREAD_CANCEL_DEFERRED, &old);
    printf("default type deferred: %s\n", yes(old == PTHREAD_CANCEL_DEFERRED));
}

static void on_usr1(int sig) { (void)sig; }

/* Keeps signalling `t` until *done: a signal is sure to find it blocked. */
static void poke_until(pthread_t t, volatile int *done)
{
    while (!*done) {
        pthread_kill(t, SIGUSR1);
        sleep_ms(5);
    }
}

static sem_t intr_sem;
static volatile int intr_done;
static int intr_result, intr_errno;
static void *intr_waiter(void *arg)
{
    (void)arg;
    intr_result = sem_wait(&intr_sem);
    intr_errno = errno;
    intr_done = 1;
    return 0;
}

static void semaphores(void)
{
    sem_t s;
    int v;
    printf("sem_init above SEM_VALUE_MAX: %s\n", res(sem_init(&s, 0, (unsigned)SEM_VALUE_MAX + 1)));
    sem_init(&s, 1, 2);
    sem_getvalue(&s, &v);
    printf("sem_init pshared 2: value %d\n", v);
    printf("sem_trywait: %s, %s, %s\n", res(sem_trywait(&s)), res(sem_trywait(&s)), res(sem_trywait(&s)));
    printf("sem_post: %s\n", res(sem_post(&s)));
    sem_getvalue(&s, &v);
    printf("value %d\n", v);
    struct timespec t = after_ms(CLOCK_REALTIME, 20);
    printf("sem_timedwait with a unit: %s\n", res(sem_timedwait(&s, &t)));
    t = after_ms(CLOCK_REALTIME, 20);
    printf("sem_timedwait without: %s\n", res(sem_timedwait(&s, &t)));
    t.tv_nsec = 1000000000;
    printf("sem_timedwait bad nsec: %s\n", res(sem_timedwait(&s, &t)));
    t = after_ms(CLOCK_MONOTONIC, 20);
    printf("sem_clockwait monotonic: %s\n", res(sem_clockwait(&s, CLOCK_MONOTONIC, &t)));
    sem_destroy(&s);
    sem_init(&s, 0, SEM_VALUE_MAX);
    printf("sem_post at SEM_VALUE_MAX: %s\n", res(sem_post(&s)));

    /* A handler without SA_RESTART interrupts sem_wait: -1/EINTR. */
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_usr1;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, 0);
    sem_init(&intr_sem, 0, 0);
    pthread_t th;
    intr_done = 0;
    pthread_create(&th, 0, intr_waiter, 0);
    poke_until(th, &intr_done);
    pthread_join(th, 0);
    printf("sem_wait interrupted by a handler: %d %s\n", intr_result, err(intr_errno));

    /* With SA_RESTART the wait goes on until the post. */
    sa.sa_flags = SA_RESTART;
    sigaction(SIGUSR1, &sa, 0);
    intr_done = 0;
    pthread_create(&th, 0, intr_waiter, 0);
    for (int i = 0; i < 10; i++) {
        pthread_kill(th, SIGUSR1);
        sleep_ms(5);
    }
    sem_post(&intr_sem);
    pthread_join(th, 0);
    printf("sem_wait with SA_RESTART handler: %d\n", intr_result);
}

static pthread_mutex_t held = PTHREAD_MUTEX_INITIALIZER;
static void *timed_locker(void *arg)
{
    (void)arg;
    struct timespec t = after_ms(CLOCK_REALTIME, 20);
    return (void *)(long)pthread_mutex_timedlock(&held, &t);
}

static void timed_locks(void)
{
    pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
    struct timespec t = after_ms(CLOCK_REALTIME, 20);
    printf("timedlock free mutex: %s\n", err(pthread_mutex_timedlock(&m, &t)));
    pthread_mutex_unlock(&m);
    pthread_mutex_lock(&held);
    pthread_t th;
    void *r;
    pthread_create(&th, 0, timed_locker, 0);
    pthread_join(th, &r);
    printf("timedlock held mutex: %s\n", err((int)(long)r));
    pthread_mutex_unlock(&held);

    pthread_condattr_t ca;
    clockid_t clk;
    pthread_condattr_init(&ca);
    pthread_condattr_getclock(&ca, &clk);
    printf("condattr default clock: %s\n", clk == CLOCK_REALTIME ? "CLOCK_REALTIME" : "other");
    printf("condattr setclock cputime: %s\n", err(pthread_condattr_setclock(&ca, CLOCK_PROCESS_CPUTIME_ID)));
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_condattr_getclock(&ca, &clk);
    printf("condattr clock now: %s\n", clk == CLOCK_MONOTONIC ? "CLOCK_MONOTONIC" : "other");
    pthread_cond_t c;
    pthread_cond_init(&c, &ca);
    pthread_condattr_destroy(&ca);
    pthread_mutex_lock(&m);
    t = after_ms(CLOCK_MONOTONIC, 20);
    int e = pthread_cond_timedwait(&c, &m, &t);
    printf("cond_timedwait monotonic: %s, mutex held after: %s\n", err(e), yes(pthread_mutex_trylock(&m) == EBUSY));
    t = after_ms(CLOCK_REALTIME, 20);
    pthread_cond_t rc = PTHREAD_COND_INITIALIZER;
    printf("cond_timedwait realtime: %s\n", err(pthread_cond_timedwait(&rc, &m, &t)));
    t.tv_nsec = -1;
    printf("cond_timedwait bad nsec: %s\n", err(pthread_cond_timedwait(&rc, &m, &t)));
    pthread_mutex_unlock(&m);

    pthread_rwlock_t l = PTHREAD_RWLOCK_INITIALIZER;
    pthread_rwlock_rdlock(&l);
    printf("read-locked: tryrdlock %s, trywrlock %s\n", err(pthread_rwlock_tryrdlock(&l)),
           err(pthread_rwlock_trywrlock(&l)));
    pthread_rwlock_unlock(&l);
    pthread_rwlock_unlock(&l);
    pthread_rwlock_wrlock(&l);
    t = after_ms(CLOCK_REALTIME, 20);
    printf("write-locked: tryrdlock %s, trywrlock %s, timedrdlock %s\n", err(pthread_rwlock_tryrdlock(&l)),
           err(pthread_rwlock_trywrlock(&l)), err(pthread_rwlock_timedrdlock(&l, &t)));
    pthread_rwlock_unlock(&l);
    pthread_rwlock_wrlock(&l);
    int rd = pthread_rwlock_rdlock(&l), wr = pthread_rwlock_wrlock(&l);
    printf("write-locked by us: rdlock %s, wrlock %s\n", err(rd), err(wr));
    pthread_rwlock_unlock(&l);
    printf("unlocked: trywrlock %s\n", err(pthread_rwlock_trywrlock(&l)));
    pthread_rwlock_unlock(&l);
}

static char fork_trail[64];
static void add(const char *s) { strcat(fork_trail, s); }
static void prepare1(void) { add("prepare1 "); }
static void prepare2(void) { add("prepare2 "); }
static void parent1(void) { add("parent1 "); }
static void parent2(void) { add("parent2 "); }
static void child1(void) { add("child1 "); }
static void child2(void) { add("child2 "); }

static void atfork(void)
{
    pthread_atfork(prepare1, parent1, child1);
    pthread_atfork(prepare2, parent2, child2);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        printf("atfork child: %s\n", fork_trail);
        fflush(stdout);
        _exit(0);
    }
    int status;
    waitpid(pid, &status, 0);
    printf("atfork parent: %s\n", fork_trail);
}

static __thread int a = 1, b = 2, c = 3;
static __thread int d = 4, e = 5, f = 6;
static void *tls_thread(void *arg)
{
    (void)arg;
    printf("tls in a thread: %d %d %d %d %d %d\n", a, b, c, d, e, f);
    a = 10;
    return 0;
}

static void tls(void)
{
    printf("tls in main: %d %d %d %d %d %d\n", a, b, c, d, e, f);
    pthread_t t;
    pthread_create(&t, 0, tls_thread, 0);
    pthread_join(t, 0);
    printf("main's copy after the thread wrote its own: %d\n", a);
}

static int rip_seen, usr2_code;
static void info_handler(int sig, siginfo_t *si, void *ctx)
{
    (void)sig;
    ucontext_t *uc = ctx;
    rip_seen = uc->uc_mcontext.gregs[REG_RIP] != 0;
    usr2_code = si->si_code;
}

static volatile int sleep_done;
static int sleep_result, sleep_errno;
/* Written by an interrupted nanosleep: the sentinel shows it was. */
static struct timespec sleep_rem = {-1, -1};
static void *long_sleeper(void *arg)
{
    (void)arg;
    struct timespec t = {5, 0};
    sleep_result = nanosleep(&t, &sleep_rem);
    sleep_errno = errno;
    sleep_done = 1;
    return 0;
}

static void signals(void)
{
    printf("sizes: sigset_t %zu, siginfo_t %zu, struct sigaction %zu, ucontext_t %zu, stack_t %zu, sigevent %zu\n",
           sizeof(sigset_t), sizeof(siginfo_t), sizeof(struct sigaction), sizeof(ucontext_t), sizeof(stack_t),
           sizeof(struct sigevent));
    printf("offsets: si_pid %zu, si_value %zu, si_addr %zu, uc_mcontext %zu, uc_sigmask %zu, sa_mask %zu, sa_flags %zu\n",
           offsetof(siginfo_t, si_pid), offsetof(siginfo_t, si_value), offsetof(siginfo_t, si_addr),
           offsetof(ucontext_t, uc_mcontext), offsetof(ucontext_t, uc_sigmask), offsetof(struct sigaction, sa_mask),
           offsetof(struct sigaction, sa_flags));
    printf("SIGRTMIN %d, SIGRTMAX %d\n", SIGRTMIN, SIGRTMAX);
    sigset_t s;
    sigfillset(&s);
    printf("full set has 31 %d, 32 %d, 33 %d, 34 %d, 64 %d\n", sigismember(&s, 31), sigismember(&s, 32),
           sigismember(&s, 33), sigismember(&s, 34), sigismember(&s, 64));
    printf("sigaddset 0: %s, 65: %s\n", res(sigaddset(&s, 0)), res(sigaddset(&s, 65)));
    sigemptyset(&s);
    printf("empty set: isempty %d\n", sigisemptyset(&s));
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_usr1;
    printf("sigaction 32: %s, 33: %s\n", res(sigaction(32, &sa, 0)), res(sigaction(33, &sa, 0)));
    printf("pthread_kill signal 65: %s, signal 32: %s, signal 0: %s\n", err(pthread_kill(pthread_self(), 65)),
           err(pthread_kill(pthread_self(), 32)), err(pthread_kill(pthread_self(), 0)));
    printf("pthread_sigmask bad how: %s\n", err(pthread_sigmask(99, &s, 0)));

    pthread_t t;
    pthread_create(&t, 0, returns, 0);
    sleep_ms(20);
    printf("pthread_kill an exited thread: %s\n", err(pthread_kill(t, SIGUSR1)));
    pthread_join(t, 0);

    /* A queued signal, taken with sigwaitinfo while blocked. */
    sigemptyset(&s);
    sigaddset(&s, SIGUSR2);
    sigprocmask(SIG_BLOCK, &s, 0);
    union sigval val = {.sival_int = 42};
    sigqueue(getpid(), SIGUSR2, val);
    sigset_t p;
    sigpending(&p);
    printf("pending after sigqueue: %d\n", sigismember(&p, SIGUSR2));
    siginfo_t si;
    int sig = sigwaitinfo(&s, &si);
    printf("sigwaitinfo: %d, code SI_QUEUE %s, value %d, pid ours %s\n", sig, yes(si.si_code == SI_QUEUE), si.si_int,
           yes(si.si_pid == getpid()));
    struct timespec to = {0, 10000000};
    printf("sigtimedwait nothing pending: %s\n", res(sigtimedwait(&s, &si, &to) < 0 ? -1 : 0));
    raise(SIGUSR2);
    int got = 0;
    int e = sigwait(&s, &got);
    printf("sigwait: %s %d\n", err(e), got);

    /* A handler with SA_SIGINFO sees the interrupted context. */
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = info_handler;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGUSR2, &sa, 0);
    sigprocmask(SIG_UNBLOCK, &s, 0);
    raise(SIGUSR2);
    printf("SA_SIGINFO handler: rip seen %s, si_code SI_TKILL %s\n", yes(rip_seen), yes(usr2_code == SI_TKILL));
    struct sigaction old;
    sigaction(SIGUSR2, 0, &old);
    printf("sigaction reads back SA_SIGINFO: %s, same handler: %s\n", yes(old.sa_flags & SA_SIGINFO),
           yes(old.sa_sigaction == info_handler));

    /* nanosleep cut short by a handler: EINTR and the time left. */
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, 0);
    pthread_create(&t, 0, long_sleeper, 0);
    poke_until(t, &sleep_done);
    pthread_join(t, 0);
    printf("nanosleep interrupted: %d %s, time left written, at most 5 s: %s\n", sleep_result, err(sleep_errno),
           yes(sleep_rem.tv_sec >= 0 && sleep_rem.tv_nsec >= 0 &&
               (sleep_rem.tv_sec < 5 || (sleep_rem.tv_sec == 5 && sleep_rem.tv_nsec == 0))));

    signal(SIGUSR1, SIG_DFL);
    sigaction(SIGUSR1, 0, &old);
    printf("signal() installs SA_RESTART: %s\n", yes(old.sa_flags & SA_RESTART));
}

int main(void)
{
    setvbuf(stdout, 0, _IOLBF, 0);
    cancellation();
    semaphores();
    timed_locks();
    atfork();
    tls();
    signals();
    return 0;
}
