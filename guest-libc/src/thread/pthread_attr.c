/* Thread attributes, and the default stack size of a thread created
 * without one. */
#include <bits/resource.h>
#include <errno.h>
#include <string.h>
#include "pthread_impl.h"

/* Read once, as glibc does at startup: a prlimit64 call per
 * pthread_create is a system call each thread pays for nothing. */
size_t __default_stacksize(void)
{
    static size_t cached;
    size_t size = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    if (size)
        return size;
    unsigned long lim[2];
    if (__syscall4(SYS_prlimit64, 0, RLIMIT_STACK, 0, lim) == 0 && lim[0] != RLIM_INFINITY && lim[0] >= PTHREAD_STACK_MIN)
        size = (lim[0] + PAGE - 1) & ~(PAGE - 1);
    else
        size = 2UL << 20;
    __atomic_store_n(&cached, size, __ATOMIC_RELAXED);
    return size;
}

int pthread_attr_init(pthread_attr_t *a)
{
    memset(a, 0, sizeof(*a));
    a->guardsize = PAGE;
    return 0;
}
int pthread_attr_destroy(pthread_attr_t *a) { (void)a; return 0; }
int pthread_attr_setstacksize(pthread_attr_t *a, size_t size)
{
    if (size < PTHREAD_STACK_MIN)
        return EINVAL;
    a->stacksize = size;
    return 0;
}
int pthread_attr_getstacksize(const pthread_attr_t *a, size_t *size)
{
    *size = a->stacksize ? a->stacksize : __default_stacksize();
    return 0;
}
int pthread_attr_setguardsize(pthread_attr_t *a, size_t size) { a->guardsize = size; return 0; }
int pthread_attr_getguardsize(const pthread_attr_t *a, size_t *size) { *size = a->guardsize; return 0; }
int pthread_attr_setdetachstate(pthread_attr_t *a, int state)
{
    if (state != PTHREAD_CREATE_JOINABLE && state != PTHREAD_CREATE_DETACHED)
        return EINVAL;
    a->detachstate = state;
    return 0;
}
int pthread_attr_getdetachstate(const pthread_attr_t *a, int *state) { *state = a->detachstate; return 0; }
int pthread_attr_setstack(pthread_attr_t *a, void *addr, size_t size)
{
    if (size < PTHREAD_STACK_MIN)
        return EINVAL;
    a->stackaddr = (char *)addr + size;
    a->stacksize = size;
    return 0;
}
int pthread_attr_getstack(const pthread_attr_t *a, void **addr, size_t *size)
{
    *addr = (char *)a->stackaddr - a->stacksize;
    *size = a->stacksize;
    return 0;
}
int pthread_getattr_np(pthread_t th, pthread_attr_t *a)
{
    struct pthread *pd = (struct pthread *)th;
    pthread_attr_init(a);
    a->detachstate = pd->detached;
    a->guardsize = pd->guardsize;
    if (pd->stackblock) {
        a->stackaddr = (char *)pd->stackblock + pd->stackblock_size;
        a->stacksize = pd->stackblock_size - pd->guardsize;
    }
    return 0;
}
