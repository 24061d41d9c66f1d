/* Internals shared by the thread objects in this directory: the futex
 * call, the stack lists' link operations, the calling thread's TCB, and
 * the stack and exit functions that pthread_create, pthread_join,
 * pthread_detach and pthread_exit share. What the rest of the library
 * needs (struct pthread, stack_cache_lock, the fork hook) is in
 * internal.h. */
#ifndef GUEST_LIBC_PTHREAD_IMPL_H
#define GUEST_LIBC_PTHREAD_IMPL_H
#include <pthread.h>
#include <errno.h>
#include <stddef.h>
#include <time.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include "internal.h"

#define PAGE 4096UL

#define lll_lock __lll_lock
#define lll_unlock __lll_unlock

static inline long futex(int *uaddr, int op, int val)
{
    return __syscall6(SYS_futex, (long)uaddr, op, val, 0, 0, 0);
}

static inline void list_add(struct list_head *n, struct list_head *head)
{
    n->next = head->next;
    n->prev = head;
    head->next->prev = n;
    head->next = n;
}

static inline void list_del(struct list_head *n)
{
    n->prev->next = n->next;
    n->next->prev = n->prev;
}

/* A FUTEX_WAIT_BITSET until `*addr` != val, a wake, or the absolute
 * deadline on `clk` (CLOCK_REALTIME or CLOCK_MONOTONIC; none if `abs` is
 * null): the raw result (-ETIMEDOUT, -EINTR, -EAGAIN...). A deadline with
 * bad nanoseconds is -EINVAL, one before the epoch already passed (the
 * kernel would call it invalid). `cancel`: a cancellation point. */
static inline long futex_abswait(int *addr, int val, clockid_t clk, const struct timespec *abs, int priv, int cancel)
{
    if (abs) {
        if (abs->tv_nsec < 0 || abs->tv_nsec >= 1000000000)
            return -EINVAL;
        if (abs->tv_sec < 0)
            return -ETIMEDOUT;
    }
    int op = FUTEX_WAIT_BITSET | priv | (abs && clk == CLOCK_REALTIME ? FUTEX_CLOCK_REALTIME : 0);
    long a = (long)addr, b = op, c = val, d = (long)abs, f = (long)FUTEX_BITSET_MATCH_ANY;
    return cancel ? __syscall_cancel(SYS_futex, a, b, c, d, 0, f) : __syscall6(SYS_futex, a, b, c, d, 0, f);
}

/* Waits until `*seq` moves on from `s` (the caller dropped its lock). */
static inline void wait_seq(int *seq, int s)
{
    futex(seq, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, s);
}

#define PD(l) ((struct pthread *)((char *)(l) - offsetof(struct pthread, list)))

static inline struct pthread *self_pd(void)
{
    struct pthread *pd;
    __asm__("mov %%fs:16, %0" : "=r"(pd));
    return pd;
}

/* The stack lists (nptl-stack.c; exported: the host walks them). They and
 * stack_cache_actsize change only under stack_cache_lock. */
extern struct list_head stack_used, stack_cache, stack_user;
extern size_t stack_cache_actsize, stack_cache_maxsize;
/* Live threads; the last one to finish ends the process with exit(0). */
extern int __nptl_nthreads;
/* With stack_cache_lock held: unmaps cached stacks, oldest first, until
 * the cache holds at most `limit` bytes. */
hidden void __free_stacks(size_t limit);
/* Back to the cache (or, for a user stack, just off the lists). */
hidden void __deallocate_stack(struct pthread *pd);
/* The stack size of a thread created without one (pthread_attr.c). */
hidden size_t __default_stacksize(void);
/* Runs the key destructors for a finishing thread (pthread_key.c). */
hidden void __nptl_deallocate_tsd(struct pthread *pd);
/* Ends the calling thread, `pd` (pthread_exit.c). */
hidden __noreturn void __exit_thread(struct pthread *pd);
#endif
