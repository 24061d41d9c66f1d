/* Reader-writer locks: counts under an internal lock; waiters sleep on a
 * sequence number every unlock bumps. */
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

int pthread_rwlock_rdlock(pthread_rwlock_t *l)
{
    lll_lock(&l->lock);
    while (l->writer) {
        int s = l->seq;
        lll_unlock(&l->lock);
        wait_seq(&l->seq, s);
        lll_lock(&l->lock);
    }
    l->readers++;
    lll_unlock(&l->lock);
    return 0;
}

int pthread_rwlock_wrlock(pthread_rwlock_t *l)
{
    lll_lock(&l->lock);
    while (l->writer || l->readers) {
        int s = l->seq;
        lll_unlock(&l->lock);
        wait_seq(&l->seq, s);
        lll_lock(&l->lock);
    }
    l->writer = 1;
    lll_unlock(&l->lock);
    return 0;
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
