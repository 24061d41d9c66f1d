/* pthread_create the nptl way (glibc's nptl/allocate_stack.c and
 * pthread_create.c), with its names: allocate_stack, get_cached_stack,
 * create_thread, start_thread. */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include "pthread_impl.h"

/* Set once clone3 returned ENOSYS: use legacy clone from then on. */
static int clone3_unsupported;

/* Best fit from the cache: big enough, not more than 4x too big, with the
 * same guard, and whose previous thread the kernel has finished with. */
static struct pthread *get_cached_stack(size_t size, size_t guard)
{
    struct pthread *best = 0;
    for (struct list_head *l = stack_cache.next; l != &stack_cache; l = l->next) {
        struct pthread *pd = PD(l);
        if (__atomic_load_n(&pd->tid, __ATOMIC_ACQUIRE) != 0)
            continue;
        if (pd->stackblock_size < size || pd->stackblock_size > 4 * size || pd->guardsize != guard)
            continue;
        if (!best || pd->stackblock_size < best->stackblock_size)
            best = pd;
        if (pd->stackblock_size == size)
            break;
    }
    if (best) {
        list_del(&best->list);
        stack_cache_actsize -= best->stackblock_size;
    }
    return best;
}

/* The TCB for a block [mem, mem + size): at the top, aligned for TLS. */
static struct pthread *tcb_at_top(char *mem, size_t size)
{
    uintptr_t top = (uintptr_t)mem + size - sizeof(struct pthread);
    return (struct pthread *)(top & ~(uintptr_t)(__tls_align - 1));
}

static int allocate_stack(const pthread_attr_t *attr, struct pthread **pdp)
{
    size_t size = attr && attr->stacksize ? attr->stacksize : __default_stacksize();
    size_t need = __tls_offset + sizeof(struct pthread) + __tls_align + PTHREAD_STACK_MIN;
    if (attr && attr->stackaddr) {
        /* A user stack: no guard, never cached. */
        if (size < need)
            return EINVAL;
        struct pthread *pd = tcb_at_top((char *)attr->stackaddr - size, size);
        memset(pd, 0, sizeof(*pd));
        pd->stackblock = (char *)attr->stackaddr - size;
        pd->stackblock_size = size;
        pd->user_stack = 1;
        __init_thread_tls(pd);
        lll_lock(&stack_cache_lock);
        list_add(&pd->list, &stack_user);
        lll_unlock(&stack_cache_lock);
        *pdp = pd;
        return 0;
    }
    size_t guard = attr ? attr->guardsize : PAGE;
    guard = (guard + PAGE - 1) & ~(PAGE - 1);
    size = (size + PAGE - 1) & ~(PAGE - 1);
    if (size < guard + need)
        return EINVAL;
    lll_lock(&stack_cache_lock);
    struct pthread *pd = get_cached_stack(size, guard);
    lll_unlock(&stack_cache_lock);
    char *mem;
    if (pd) {
        mem = pd->stackblock;
        size = pd->stackblock_size;
    } else {
        mem = mmap(0, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
        if (mem == MAP_FAILED)
            return EAGAIN;
        if (mprotect(mem + guard, size - guard, PROT_READ | PROT_WRITE) != 0) {
            munmap(mem, size);
            return EAGAIN;
        }
        pd = tcb_at_top(mem, size);
    }
    memset(pd, 0, sizeof(*pd));
    pd->stackblock = mem;
    pd->stackblock_size = size;
    pd->guardsize = guard;
    __init_thread_tls(pd);
    lll_lock(&stack_cache_lock);
    list_add(&pd->list, &stack_used);
    lll_unlock(&stack_cache_lock);
    *pdp = pd;
    return 0;
}

/* clone.S: the system call, and in the child __start_thread(pd) on the
 * new stack. */
__noreturn void __start_thread(struct pthread *pd);
long __clone3_start(struct clone_args *args, size_t size, struct pthread *pd);
long __clone_start(unsigned long flags, void *sp, int *ptid, int *ctid, void *tls, struct pthread *pd);

#define THREAD_FLAGS (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SYSVSEM | CLONE_SIGHAND | CLONE_THREAD | \
                      CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID)

static int create_thread(struct pthread *pd)
{
    char *sp = (char *)(((uintptr_t)pd - __tls_offset) & ~(uintptr_t)15);
    unsigned long all = ~0UL;
    __syscall4(SYS_rt_sigprocmask, SIG_SETMASK, &all, &pd->sigmask, 8);
    long r = -ENOSYS;
    if (!__atomic_load_n(&clone3_unsupported, __ATOMIC_RELAXED)) {
        struct clone_args a = {
            .flags = THREAD_FLAGS,
            .parent_tid = (uintptr_t)&pd->tid,
            .child_tid = (uintptr_t)&pd->tid,
            .stack = (uintptr_t)pd->stackblock,
            .stack_size = (uintptr_t)sp - (uintptr_t)pd->stackblock,
            .tls = (uintptr_t)pd,
        };
        r = __clone3_start(&a, sizeof(a), pd);
        if (r == -ENOSYS)
            __atomic_store_n(&clone3_unsupported, 1, __ATOMIC_RELAXED);
    }
    if (r == -ENOSYS)
        r = __clone_start(THREAD_FLAGS, sp, &pd->tid, &pd->tid, pd, pd);
    __syscall4(SYS_rt_sigprocmask, SIG_SETMASK, &pd->sigmask, 0, 8);
    return r < 0 ? (int)-r : 0;
}

void __start_thread(struct pthread *pd)
{
    __syscall4(SYS_rt_sigprocmask, SIG_SETMASK, &pd->sigmask, 0, 8);
    pd->result = pd->start_routine(pd->arg);
    __exit_thread(pd);
}

int pthread_create(pthread_t *th, const pthread_attr_t *attr, void *(*fn)(void *), void *arg)
{
    struct pthread *pd;
    int e = allocate_stack(attr, &pd);
    if (e)
        return e;
    pd->start_routine = fn;
    pd->arg = arg;
    pd->detached = attr && attr->detachstate == PTHREAD_CREATE_DETACHED;
    self_pd()->multiple_threads = 1;
    pd->multiple_threads = 1;
    __atomic_add_fetch(&__nptl_nthreads, 1, __ATOMIC_ACQ_REL);
    e = create_thread(pd);
    if (e) {
        __atomic_sub_fetch(&__nptl_nthreads, 1, __ATOMIC_ACQ_REL);
        pd->tid = 0;
        __deallocate_stack(pd);
        return e == ENOMEM ? EAGAIN : e;
    }
    *th = (pthread_t)pd;
    return 0;
}
