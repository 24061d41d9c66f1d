/* Threads on raw clone (raw-clone.h) for the programs that create many of
 * them (threads-stress, clone-nomem): pthread's sharing flags, a thread
 * body that parks on a gate until released, and a join on the thread's
 * CLONE_CHILD_CLEARTID word.
 *
 * The child-tid word must be nonzero (e.g. -1) before the clone: the join
 * waits until the kernel clears it at the thread's exit. */
#ifndef RAW_THREAD_H
#define RAW_THREAD_H
#include <sched.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "raw-clone.h"

#define THREAD_FLAGS (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM | CLONE_CHILD_CLEARTID)

static int parked_gate; /* 0 while parked threads must wait */
static int parked_started;

/* A thread body: counts itself started, then waits for parked_release. */
static inline int parked(void *arg)
{
    (void)arg;
    __atomic_add_fetch(&parked_started, 1, __ATOMIC_SEQ_CST);
    while (__atomic_load_n(&parked_gate, __ATOMIC_SEQ_CST) == 0)
        syscall(SYS_futex, &parked_gate, FUTEX_WAIT, 0, 0, 0, 0);
    return 0;
}

/* Returns once n parked threads have started. */
static inline void parked_wait_started(int n)
{
    while (__atomic_load_n(&parked_started, __ATOMIC_SEQ_CST) < n)
        sched_yield();
}

/* Lets every parked thread return. */
static inline void parked_release(void)
{
    __atomic_store_n(&parked_gate, 1, __ATOMIC_SEQ_CST);
    syscall(SYS_futex, &parked_gate, FUTEX_WAKE, 0x7fffffff, 0, 0, 0);
}

/* Waits until the thread whose child-tid word is *ctid has exited. */
static inline void join(int *ctid)
{
    int v;
    while ((v = __atomic_load_n(ctid, __ATOMIC_SEQ_CST)) != 0)
        syscall(SYS_futex, ctid, FUTEX_WAIT, v, 0, 0, 0);
}

#endif
