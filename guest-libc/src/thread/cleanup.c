/* Cleanup handlers and the unwinding that runs them. The handlers form a
 * stack of buffers in the frames of the functions that pushed them
 * (pthread_cleanup_push's macro), linked from a thread-local top. Unwinding
 * never returns into those frames: it calls the handlers, innermost first,
 * from wherever the thread is (a cancellation point, SIGCANCEL's handler,
 * pthread_exit), and their frames are still intact above it. */
#include "pthread_impl.h"

static __thread struct _pthread_cleanup_buffer *cleanup_top;

/* The buffer is complete before it becomes the top, so an asynchronous
 * cancellation in between sees either the old chain or the new one. */
void _pthread_cleanup_push(struct _pthread_cleanup_buffer *b, void (*routine)(void *), void *arg)
{
    b->__routine = routine;
    b->__arg = arg;
    b->__prev = cleanup_top;
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    cleanup_top = b;
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
}

void _pthread_cleanup_pop(struct _pthread_cleanup_buffer *b, int execute)
{
    cleanup_top = b->__prev;
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    if (execute)
        b->__routine(b->__arg);
}

/* nptl's __do_cancel and __pthread_unwind in one. EXITING first: no
 * cancellation acts while the handlers run. Each handler is off the chain
 * before it runs, so none runs twice. */
void __do_cancel(void)
{
    struct pthread *pd = self_pd();
    __atomic_fetch_or(&pd->cancelhandling, EXITING_BITMASK, __ATOMIC_ACQ_REL);
    struct _pthread_cleanup_buffer *b;
    while ((b = cleanup_top) != 0) {
        cleanup_top = b->__prev;
        __atomic_signal_fence(__ATOMIC_SEQ_CST);
        b->__routine(b->__arg);
    }
    __exit_thread(pd);
}
