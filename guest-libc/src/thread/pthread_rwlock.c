/* Reader-writer locks: a reader count and the writer's tid under an
 * internal lock; waiters sleep on a sequence number every unlock bumps. */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include "pthread_impl.h"

int pthread_rwlock_init(pthread_rwlock_t *l, const pthread_rwlockattr_t *a)
{
    (void)a;
    memset(l, 0, sizeof(*l));
    return 0;
}
int pthread_rwlock_destroy(pthread_rwlock_t *l) { return l->readers || l->writer ? EBUSY : 0; }

static int self_tid(void) { return self_pd()->tid ? self_pd()->tid : (int)__syscall0(SYS_gettid); }

/* Takes the lock for reading or writing; waits while it cannot, for ever
 * (abs null), until the deadline (ETIMEDOUT), or not at all (EBUSY). The
 * writer is known by its tid: a writer that would wait for itself gets
 * EDEADLK instead, as from glibc. */
enum { FOREVER, UNTIL, NEVER };
static int rwlock_take(pthread_rwlock_t *l, int write, int how, const struct timespec *abs)
{
    int me = self_tid();
    lll_lock(&l->lock);
    while (l->writer || (write && l->readers)) {
        if (how == NEVER || l->writer == me) {
            lll_unlock(&l->lock);
            return how == NEVER ? EBUSY : EDEADLK;
        }
        int s = l->seq;
        lll_unlock(&l->lock);
        if (how == FOREVER)
            wait_seq(&l->seq, s);
        else {
            long r = futex_abswait(&l->seq, s, CLOCK_REALTIME, abs, FUTEX_PRIVATE_FLAG, 0);
            if (r == -ETIMEDOUT || r == -EINVAL)
                return (int)-r;
        }
        lll_lock(&l->lock);
    }
    if (write)
        l->writer = me;
    else
        l->readers++;
    lll_unlock(&l->lock);
    return 0;
}

int pthread_rwlock_rdlock(pthread_rwlock_t *l) { return rwlock_take(l, 0, FOREVER, 0); }
int pthread_rwlock_wrlock(pthread_rwlock_t *l) { return rwlock_take(l, 1, FOREVER, 0); }
int pthread_rwlock_tryrdlock(pthread_rwlock_t *l) { return rwlock_take(l, 0, NEVER, 0); }
int pthread_rwlock_trywrlock(pthread_rwlock_t *l) { return rwlock_take(l, 1, NEVER, 0); }
int pthread_rwlock_timedrdlock(pthread_rwlock_t *l, const struct timespec *abstime)
{
    return rwlock_take(l, 0, UNTIL, abstime);
}
int pthread_rwlock_timedwrlock(pthread_rwlock_t *l, const struct timespec *abstime)
{
    return rwlock_take(l, 1, UNTIL, abstime);
}

int pthread_rwlock_unlock(pthread_rwlock_t *l)
{
    lll_lock(&l->lock);
    if (l->writer)
        l->writer = 0;
    else if (l->readers)
        l->readers--;
    else {
        lll_unlock(&l->lock);
        return EPERM;
    }
    l->seq++;
    lll_unlock(&l->lock);
    futex(&l->seq, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, INT_MAX);
    return 0;
}
