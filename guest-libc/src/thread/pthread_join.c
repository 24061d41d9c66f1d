/* pthread_join: waits on the tid word the kernel clears when the thread is
 * gone (CLONE_CHILD_CLEARTID), then gives its stack back. */
#include <errno.h>
#include "pthread_impl.h"

int pthread_join(pthread_t th, void **ret)
{
    struct pthread *pd = (struct pthread *)th;
    if (pd == self_pd())
        return EDEADLK;
    if (pd->detached)
        return EINVAL;
    int tid;
    while ((tid = __atomic_load_n(&pd->tid, __ATOMIC_ACQUIRE)) != 0)
        /* A cancellation point: a cancelled joiner leaves the thread
         * joinable. */
        __syscall_cp3(SYS_futex, &pd->tid, FUTEX_WAIT, tid);
    if (ret)
        *ret = pd->result;
    __deallocate_stack(pd);
    return 0;
}
