#include <errno.h>
#include "pthread_impl.h"

int pthread_detach(pthread_t th)
{
    struct pthread *pd = (struct pthread *)th;
    if (__atomic_exchange_n(&pd->detached, 1, __ATOMIC_ACQ_REL))
        return EINVAL;
    /* Already finished: nobody else will give the stack back. */
    if (__atomic_load_n(&pd->tid, __ATOMIC_ACQUIRE) == 0)
        __deallocate_stack(pd);
    return 0;
}
