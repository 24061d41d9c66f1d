/* Unnamed semaphores. The value is the futex word; a waiter sleeps while
 * it reads 0. A waiter counts itself in before it reads the value, and a
 * poster raises the value before it reads the count (both sequentially
 * consistent): a poster that sees no waiter raised the value before any
 * waiter looked, so no waiter sleeps through a post. sem_wait and
 * sem_timedwait are cancellation points; a handler that interrupts them
 * makes them fail with EINTR, unless it was installed with SA_RESTART
 * (then the kernel restarts the wait, as under glibc). */
#include <errno.h>
#include <semaphore.h>
#include "pthread_impl.h"

#define VALUE(s) ((int *)&(s)->__s.__value)

int sem_init(sem_t *s, int pshared, unsigned value)
{
    if (value > SEM_VALUE_MAX) {
        errno = EINVAL;
        return -1;
    }
    s->__s.__value = value;
    s->__s.__waiters = 0;
    s->__s.__private = pshared ? 0 : FUTEX_PRIVATE_FLAG;
    return 0;
}

int sem_destroy(sem_t *s) { (void)s; return 0; }

int sem_post(sem_t *s)
{
    unsigned v = __atomic_load_n(&s->__s.__value, __ATOMIC_RELAXED);
    do {
        if (v >= SEM_VALUE_MAX) {
            errno = EOVERFLOW;
            return -1;
        }
    } while (!__atomic_compare_exchange_n(&s->__s.__value, &v, v + 1, 1, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED));
    if (__atomic_load_n(&s->__s.__waiters, __ATOMIC_SEQ_CST) != 0)
        futex(VALUE(s), FUTEX_WAKE | s->__s.__private, 1);
    return 0;
}

/* Takes one unit if there is one. */
static int take(sem_t *s)
{
    unsigned v = __atomic_load_n(&s->__s.__value, __ATOMIC_RELAXED);
    while (v > 0)
        if (__atomic_compare_exchange_n(&s->__s.__value, &v, v - 1, 1, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
            return 1;
    return 0;
}

int sem_trywait(sem_t *s)
{
    if (take(s))
        return 0;
    errno = EAGAIN;
    return -1;
}

/* A waiter counts itself out (also as the cleanup handler of a cancelled
 * one). One that leaves without a unit may have taken the wake meant for
 * another sleeper: with units left, it passes the wake on. */
static void leave(void *p)
{
    sem_t *s = p;
    if (__atomic_sub_fetch(&s->__s.__waiters, 1, __ATOMIC_SEQ_CST) != 0 &&
        __atomic_load_n(&s->__s.__value, __ATOMIC_SEQ_CST) != 0)
        futex(VALUE(s), FUTEX_WAKE | s->__s.__private, 1);
}

static int sem_wait_until(sem_t *s, clockid_t clk, const struct timespec *abs)
{
    if (take(s))
        return 0;
    if (abs && (abs->tv_nsec < 0 || abs->tv_nsec >= 1000000000)) {
        errno = EINVAL;
        return -1;
    }
    int e = 0;
    __atomic_add_fetch(&s->__s.__waiters, 1, __ATOMIC_SEQ_CST);
    pthread_cleanup_push(leave, s);
    while (!take(s)) {
        long r;
        if (abs)
            r = futex_abswait(VALUE(s), 0, clk, abs, s->__s.__private, 1);
        else
            r = __syscall_cp3(SYS_futex, VALUE(s), FUTEX_WAIT | s->__s.__private, 0);
        if (r == -ETIMEDOUT || r == -EINTR || r == -EINVAL) {
            e = (int)-r;
            break;
        }
    }
    pthread_cleanup_pop(1);
    if (e) {
        errno = e;
        return -1;
    }
    return 0;
}

int sem_wait(sem_t *s) { return sem_wait_until(s, CLOCK_REALTIME, 0); }
int sem_timedwait(sem_t *s, const struct timespec *abstime) { return sem_wait_until(s, CLOCK_REALTIME, abstime); }
int sem_clockwait(sem_t *s, clockid_t clk, const struct timespec *abstime)
{
    if (clk != CLOCK_REALTIME && clk != CLOCK_MONOTONIC) {
        errno = EINVAL;
        return -1;
    }
    return sem_wait_until(s, clk, abstime);
}

int sem_getvalue(sem_t *s, int *value)
{
    *value = (int)__atomic_load_n(&s->__s.__value, __ATOMIC_RELAXED);
    return 0;
}
