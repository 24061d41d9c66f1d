/* Mutexes: normal, recursive and errorcheck, over the low-level lock
 * (internal.h); the owner is the thread's tid. */
#include <errno.h>
#include <string.h>
#include "pthread_impl.h"

static int gettid_cached(void) { return self_pd()->tid ? self_pd()->tid : (int)__syscall0(SYS_gettid); }

int pthread_mutexattr_init(pthread_mutexattr_t *a) { a->kind = PTHREAD_MUTEX_NORMAL; return 0; }
int pthread_mutexattr_destroy(pthread_mutexattr_t *a) { (void)a; return 0; }
int pthread_mutexattr_settype(pthread_mutexattr_t *a, int kind)
{
    if (kind < 0 || kind > PTHREAD_MUTEX_ERRORCHECK)
        return EINVAL;
    a->kind = kind;
    return 0;
}
int pthread_mutexattr_gettype(const pthread_mutexattr_t *a, int *kind)
{
    *kind = a->kind;
    return 0;
}
int pthread_mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *a)
{
    memset(m, 0, sizeof(*m));
    m->kind = a ? a->kind : PTHREAD_MUTEX_NORMAL;
    return 0;
}
int pthread_mutex_destroy(pthread_mutex_t *m) { return m->lock ? EBUSY : 0; }

int pthread_mutex_lock(pthread_mutex_t *m)
{
    if (m->kind != PTHREAD_MUTEX_NORMAL) {
        int me = gettid_cached();
        if (m->owner == me) {
            if (m->kind == PTHREAD_MUTEX_ERRORCHECK)
                return EDEADLK;
            m->count++;
            return 0;
        }
        lll_lock(&m->lock);
        m->owner = me;
        m->count = 1;
        return 0;
    }
    lll_lock(&m->lock);
    return 0;
}

/* The low-level lock's slow path with a deadline: the same protocol as
 * __lll_lock (internal.h), the sleep bounded. */
static int lll_clocklock(int *l, clockid_t clk, const struct timespec *abs)
{
    if (__lll_trylock(l))
        return 0;
    while (__atomic_exchange_n(l, 2, __ATOMIC_ACQUIRE) != 0) {
        long r = futex_abswait(l, 2, clk, abs, FUTEX_PRIVATE_FLAG, 0);
        if (r == -ETIMEDOUT || r == -EINVAL)
            return (int)-r;
    }
    return 0;
}

int pthread_mutex_clocklock(pthread_mutex_t *m, clockid_t clk, const struct timespec *abstime)
{
    if (clk != CLOCK_REALTIME && clk != CLOCK_MONOTONIC)
        return EINVAL;
    int me = 0;
    if (m->kind != PTHREAD_MUTEX_NORMAL) {
        me = gettid_cached();
        if (m->owner == me) {
            if (m->kind == PTHREAD_MUTEX_ERRORCHECK)
                return EDEADLK;
            m->count++;
            return 0;
        }
    }
    int e = lll_clocklock(&m->lock, clk, abstime);
    if (e == 0 && m->kind != PTHREAD_MUTEX_NORMAL) {
        m->owner = me;
        m->count = 1;
    }
    return e;
}

int pthread_mutex_timedlock(pthread_mutex_t *m, const struct timespec *abstime)
{
    return pthread_mutex_clocklock(m, CLOCK_REALTIME, abstime);
}

int pthread_mutex_trylock(pthread_mutex_t *m)
{
    if (m->kind == PTHREAD_MUTEX_RECURSIVE && m->owner == gettid_cached()) {
        m->count++;
        return 0;
    }
    if (!__lll_trylock(&m->lock))
        return EBUSY;
    if (m->kind != PTHREAD_MUTEX_NORMAL) {
        m->owner = gettid_cached();
        m->count = 1;
    }
    return 0;
}

int pthread_mutex_unlock(pthread_mutex_t *m)
{
    if (m->kind != PTHREAD_MUTEX_NORMAL) {
        if (m->owner != gettid_cached())
            return EPERM;
        if (--m->count > 0)
            return 0;
        m->owner = 0;
    }
    lll_unlock(&m->lock);
    return 0;
}
