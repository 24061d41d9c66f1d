/* Condition variables: a sequence number to wait on, and a count of
 * waiters so that signal and broadcast make no system call when nobody
 * waits. */
#include <errno.h>
#include <limits.h>
#include "pthread_impl.h"

int pthread_condattr_init(pthread_condattr_t *a)
{
    a->clock = CLOCK_REALTIME;
    return 0;
}
int pthread_condattr_destroy(pthread_condattr_t *a) { (void)a; return 0; }
/* The clocks a futex deadline can be on. */
int pthread_condattr_setclock(pthread_condattr_t *a, clockid_t clk)
{
    if (clk != CLOCK_REALTIME && clk != CLOCK_MONOTONIC)
        return EINVAL;
    a->clock = clk;
    return 0;
}
int pthread_condattr_getclock(const pthread_condattr_t *a, clockid_t *clk)
{
    *clk = a->clock;
    return 0;
}

int pthread_cond_init(pthread_cond_t *c, const pthread_condattr_t *a)
{
    c->seq = 0;
    c->waiters = 0;
    c->clock = a ? a->clock : CLOCK_REALTIME;
    return 0;
}
int pthread_cond_destroy(pthread_cond_t *c) { (void)c; return 0; }

/* What a waiter gives up, to take back on the way out: normally, on a
 * timeout, and (as the cleanup handler) when it is cancelled in the
 * wait. POSIX wants the mutex held again before any cleanup handler
 * runs, and this one is the innermost. */
struct waiter {
    pthread_cond_t *c;
    pthread_mutex_t *m;
    int kind, count;
};
static void leave_wait(void *p)
{
    struct waiter *w = p;
    __atomic_sub_fetch(&w->c->waiters, 1, __ATOMIC_SEQ_CST);
    pthread_mutex_lock(w->m);
    if (w->kind != PTHREAD_MUTEX_NORMAL)
        w->m->count = w->count;
}

/* A waiter counts itself in before it reads seq (both sequentially
 * consistent), and a signaller bumps seq before it reads the count: a
 * signaller that sees no waiter bumped seq before any waiter read it, so
 * nobody can sleep on the old value and miss the signal. A cancellation
 * point (the futex wait). */
static int cond_wait(pthread_cond_t *c, pthread_mutex_t *m, clockid_t clk, const struct timespec *abs)
{
    if (abs && (abs->tv_nsec < 0 || abs->tv_nsec >= 1000000000))
        return EINVAL;
    struct waiter w = {c, m, m->kind, m->count};
    __atomic_add_fetch(&c->waiters, 1, __ATOMIC_SEQ_CST);
    int seq = __atomic_load_n(&c->seq, __ATOMIC_SEQ_CST);
    if (w.kind != PTHREAD_MUTEX_NORMAL)
        m->count = 1;
    pthread_mutex_unlock(m);
    long r;
    pthread_cleanup_push(leave_wait, &w);
    if (abs)
        r = futex_abswait(&c->seq, seq, clk, abs, FUTEX_PRIVATE_FLAG, 1);
    else
        r = __syscall_cp3(SYS_futex, &c->seq, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, seq);
    pthread_cleanup_pop(1);
    return r == -ETIMEDOUT ? ETIMEDOUT : 0;
}

int pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m) { return cond_wait(c, m, CLOCK_REALTIME, 0); }
int pthread_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m, const struct timespec *abstime)
{
    return cond_wait(c, m, c->clock, abstime);
}
int pthread_cond_clockwait(pthread_cond_t *c, pthread_mutex_t *m, clockid_t clk, const struct timespec *abstime)
{
    if (clk != CLOCK_REALTIME && clk != CLOCK_MONOTONIC)
        return EINVAL;
    return cond_wait(c, m, clk, abstime);
}

int pthread_cond_signal(pthread_cond_t *c)
{
    __atomic_add_fetch(&c->seq, 1, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(&c->waiters, __ATOMIC_SEQ_CST) != 0)
        futex(&c->seq, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 1);
    return 0;
}

int pthread_cond_broadcast(pthread_cond_t *c)
{
    __atomic_add_fetch(&c->seq, 1, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(&c->waiters, __ATOMIC_SEQ_CST) != 0)
        futex(&c->seq, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, INT_MAX);
    return 0;
}
