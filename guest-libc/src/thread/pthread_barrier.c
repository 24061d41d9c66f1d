/* Barriers: the last thread to arrive resets the count and bumps the
 * sequence number the others sleep on. */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include "pthread_impl.h"

int pthread_barrier_init(pthread_barrier_t *b, const pthread_barrierattr_t *a, unsigned count)
{
    (void)a;
    if (count == 0)
        return EINVAL;
    memset(b, 0, sizeof(*b));
    b->target = (int)count;
    return 0;
}
int pthread_barrier_destroy(pthread_barrier_t *b) { return b->count ? EBUSY : 0; }

int pthread_barrier_wait(pthread_barrier_t *b)
{
    lll_lock(&b->lock);
    if (++b->count == b->target) {
        b->count = 0;
        b->seq++;
        lll_unlock(&b->lock);
        futex(&b->seq, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, INT_MAX);
        return PTHREAD_BARRIER_SERIAL_THREAD;
    }
    int s = b->seq;
    lll_unlock(&b->lock);
    while (__atomic_load_n(&b->seq, __ATOMIC_ACQUIRE) == s)
        wait_seq(&b->seq, s);
    return 0;
}
