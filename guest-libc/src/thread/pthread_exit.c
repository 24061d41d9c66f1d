/* Thread exit: key destructors, the last thread's exit(0), the unused
 * part of the stack dropped, and a detached thread's own stack queued for
 * reuse before it goes. */
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include "pthread_impl.h"

void __exit_thread(struct pthread *pd)
{
    __nptl_deallocate_tsd(pd);
    if (__atomic_sub_fetch(&__nptl_nthreads, 1, __ATOMIC_ACQ_REL) == 0)
        exit(0);
    if (pd->stackblock && !pd->user_stack) {
        /* The stack below us will not be needed again until reuse. */
        uintptr_t low = (uintptr_t)pd->stackblock + pd->guardsize;
        uintptr_t sp = (uintptr_t)__builtin_frame_address(0) - 4096;
        sp &= ~(PAGE - 1);
        if (sp > low)
            madvise((void *)low, sp - low, MADV_DONTNEED);
    }
    if (pd->detached && pd->stackblock)
        /* Back to the cache now; the kernel clears pd->tid once this
         * thread is gone, and only then may another thread take it. */
        __deallocate_stack(pd);
    for (;;)
        __asm__ volatile("syscall" : : "a"(SYS_exit), "D"(0) : "rcx", "r11", "memory");
}

void pthread_exit(void *ret)
{
    struct pthread *pd = self_pd();
    pd->result = ret;
    __exit_thread(pd);
}
