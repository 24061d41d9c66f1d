/* The stack lists, nptl's stack_used / stack_cache / stack_user, with the
 * cache's size and limit and the lock over all of them. Exported under
 * these names: the host finds them in the program's symbol table and
 * checks them against the live threads (layout in guest/abi/src/nptl.rs).
 * Every program has this object (startup reads the cache limit, fork
 * takes the lock), so every program can be checked.
 *
 * A thread's memory is one mapping: a PROT_NONE guard page at the bottom,
 * the stack, the static TLS block and struct pthread (the TCB, which is
 * also the thread pointer) at the top. Finished stacks go to stack_cache
 * and are reused once the kernel has cleared their tid word
 * (CLONE_CHILD_CLEARTID), never before. */
#include <stdlib.h>
#include <sys/mman.h>
#include "pthread_impl.h"

struct list_head stack_used = {&stack_used, &stack_used};
struct list_head stack_cache = {&stack_cache, &stack_cache};
struct list_head stack_user = {&stack_user, &stack_user};
size_t stack_cache_actsize;
size_t stack_cache_maxsize = 40UL << 20;
int stack_cache_lock;
int __nptl_nthreads = 1;

void __init_stack_cache_limit(void)
{
    const char *v = getenv("THREADLAB_STACK_CACHE_SIZE");
    if (v)
        stack_cache_maxsize = strtoul(v, 0, 0);
}

/* Only stacks whose thread is gone (tid 0) qualify. */
void __free_stacks(size_t limit)
{
    struct list_head *l = stack_cache.prev;
    while (stack_cache_actsize > limit && l != &stack_cache) {
        struct list_head *prev = l->prev;
        struct pthread *pd = PD(l);
        if (__atomic_load_n(&pd->tid, __ATOMIC_ACQUIRE) == 0) {
            list_del(l);
            stack_cache_actsize -= pd->stackblock_size;
            munmap(pd->stackblock, pd->stackblock_size);
        }
        l = prev;
    }
}

void __deallocate_stack(struct pthread *pd)
{
    lll_lock(&stack_cache_lock);
    list_del(&pd->list);
    if (!pd->user_stack) {
        list_add(&pd->list, &stack_cache);
        stack_cache_actsize += pd->stackblock_size;
        __free_stacks(stack_cache_maxsize);
    }
    lll_unlock(&stack_cache_lock);
}

void __reclaim_stacks(struct pthread *self)
{
    struct list_head *l, *next;
    for (l = stack_used.next; l != &stack_used; l = next) {
        next = l->next;
        struct pthread *pd = PD(l);
        if (pd == self)
            continue;
        list_del(l);
        list_add(l, &stack_cache);
        stack_cache_actsize += pd->stackblock_size;
    }
    for (l = stack_user.next; l != &stack_user; l = next) {
        next = l->next;
        if (PD(l) != self)
            list_del(l);
    }
    /* No thread but this one exists here: nobody will clear these. */
    for (l = stack_cache.next; l != &stack_cache; l = l->next)
        PD(l)->tid = 0;
    __nptl_nthreads = 1;
    __free_stacks(stack_cache_maxsize);
    __atomic_store_n(&stack_cache_lock, 0, __ATOMIC_RELEASE);
}
