/* pthread_once: 0 not run, 1 running (others wait on the word), 2 done. */
#include <limits.h>
#include "pthread_impl.h"

int pthread_once(pthread_once_t *o, void (*fn)(void))
{
    for (;;) {
        int v = __atomic_load_n(o, __ATOMIC_ACQUIRE);
        if (v == 2)
            return 0;
        if (v == 0 && __sync_bool_compare_and_swap(o, 0, 1)) {
            fn();
            __atomic_store_n(o, 2, __ATOMIC_RELEASE);
            futex(o, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, INT_MAX);
            return 0;
        }
        futex(o, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, 1);
    }
}
