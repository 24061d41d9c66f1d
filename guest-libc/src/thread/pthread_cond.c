/* Condition variables: a sequence number to wait on, and a count of
 * waiters so that signal and broadcast make no system call when nobody
 * waits. */
#include <limits.h>
#include "pthread_impl.h"

int pthread_cond_init(pthread_cond_t *c, const pthread_condattr_t *a)
{
    (void)a;
    c->seq = 0;
    c->waiters = 0;
    return 0;
}
int pthread_cond_destroy(pthread_cond_t *c) { (void)c; return 0; }

/* A waiter counts itself in before it reads seq (both sequentially
 * consistent), and a signaller bumps seq before it reads the count: a
 * signaller that sees no waiter bumped seq before any waiter read it, so
 * nobody can sleep on the old value and miss the signal. */
int pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m)
{
    __atomic_add_fetch(&c->waiters, 1, __ATOMIC_SEQ_CST);
    int seq = __atomic_load_n(&c->seq, __ATOMIC_SEQ_CST);
    int kind = m->kind, count = m->count;
    if (kind != PTHREAD_MUTEX_NORMAL) {
        m->count = 1;
    }
    pthread_mutex_unlock(m);
    futex(&c->seq, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, seq);
    __atomic_sub_fetch(&c->waiters, 1, __ATOMIC_SEQ_CST);
    pthread_mutex_lock(m);
    if (kind != PTHREAD_MUTEX_NORMAL)
        m->count = count;
    return 0;
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
