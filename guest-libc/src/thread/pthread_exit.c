/* Thread exit: key destructors, the last thread's exit(0), the unused
 * part of the stack dropped, and a detached thread's own stack queued for
 * reuse before it goes. */
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include "pthread_impl.h"

void __exit_thread(struct pthread *pd)
{
    /* From here on pthread_kill and pthread_cancel leave the thread alone:
     * its tid may soon be somebody else's. */
    __atomic_fetch_or(&pd->cancelhandling, EXITING_BITMASK, __ATOMIC_ACQ_REL);
    __nptl_deallocate_tsd(pd);
    if (__atomic_sub_fetch(&__nptl_nthreads, 1, __ATOMIC_ACQ_REL) == 0)
        exit(0);
    if (pd->stackblock && !pd->user_stack) {
        /* The stack below us will not be needed again until reuse. Not
         * when we run elsewhere (pthread_exit from a handler on an
         * alternate stack): then nothing below is known to be free. */
        uintptr_t low = (uintptr_t)pd->stackblock + pd->guardsize;
        uintptr_t fp = (uintptr_t)__builtin_frame_address(0);
        uintptr_t sp = (fp - 4096) & ~(PAGE - 1);
        if (fp < (uintptr_t)pd && sp > low)
            madvise((void *)low, sp - low, MADV_DONTNEED);
    }
    if (pd->detached && pd->stackblock)
        /* Back to the cache now; the kernel clears pd->tid once this
         * thread is gone, and only then may another thread take it. */
        __deallocate_stack(pd);
    for (;;)
        __asm__ volatile("syscall" : : "a"(SYS_exit), "D"(0) : "rcx", "r11", "memory");
}

/* Unwinds as a cancellation does: cleanup handlers, then key destructors. */
void pthread_exit(void *ret)
{
    self_pd()->result = ret;
    __do_cancel();
}
