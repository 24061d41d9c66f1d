/* POSIX threads the nptl way (glibc 2.36 nptl/allocate_stack.c,
 * pthread_create.c), with its names: allocate_stack, get_cached_stack,
 * create_thread, start_thread, __deallocate_stack, and the lists
 * stack_used / stack_cache / stack_user.
 *
 * A thread's memory is one mapping: a PROT_NONE guard page at the bottom,
 * the stack, the static TLS block and struct pthread (the TCB, which is
 * also the thread pointer) at the top. Finished stacks go to stack_cache
 * and are reused once the kernel has cleared their tid word
 * (CLONE_CHILD_CLEARTID), never before. */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include "internal.h"

#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_PRIVATE 128
#define PAGE 4096UL

static long futex(int *uaddr, int op, int val)
{
    return __syscall6(SYS_futex, (long)uaddr, op, val, 0, 0, 0);
}

/* ---- low-level lock (0 free, 1 locked, 2 locked with waiters) ---- */

#define lll_lock __lll_lock
#define lll_unlock __lll_unlock

/* ---- the stack lists (exported: the host walks them) ---- */

struct list_head stack_used = {&stack_used, &stack_used};
struct list_head stack_cache = {&stack_cache, &stack_cache};
struct list_head stack_user = {&stack_user, &stack_user};
size_t stack_cache_actsize;
size_t stack_cache_maxsize = 40UL << 20;
int stack_cache_lock;
/* Live threads; the last one to finish ends the process with exit(0). */
int __nptl_nthreads = 1;
/* Set once clone3 returned ENOSYS: use legacy clone from then on. */
static int clone3_unsupported;

static void list_add(struct list_head *n, struct list_head *head)
{
    n->next = head->next;
    n->prev = head;
    head->next->prev = n;
    head->next = n;
}

static void list_del(struct list_head *n)
{
    n->prev->next = n->next;
    n->next->prev = n->prev;
}

#define PD(l) ((struct pthread *)((char *)(l) - offsetof(struct pthread, list)))

static struct pthread *self_pd(void)
{
    struct pthread *pd;
    __asm__("mov %%fs:16, %0" : "=r"(pd));
    return pd;
}

/* Read once, as glibc does at startup: a prlimit64 call per
 * pthread_create is a system call each thread pays for nothing. */
static size_t default_stacksize(void)
{
    static size_t cached;
    size_t size = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    if (size)
        return size;
    unsigned long lim[2];
    if (__syscall4(SYS_prlimit64, 0, 3 /* RLIMIT_STACK */, 0, lim) == 0 && lim[0] != ~0UL && lim[0] >= PTHREAD_STACK_MIN)
        size = (lim[0] + PAGE - 1) & ~(PAGE - 1);
    else
        size = 2UL << 20;
    __atomic_store_n(&cached, size, __ATOMIC_RELAXED);
    return size;
}

void __init_stack_cache_limit(void)
{
    const char *v = getenv("THREADLAB_STACK_CACHE_SIZE");
    if (v)
        stack_cache_maxsize = strtoul(v, 0, 0);
}

/* Unmaps cached stacks, oldest first, until the cache holds at most
 * `limit` bytes. Only stacks whose thread is gone (tid 0) qualify. */
static void free_stacks(size_t limit)
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
    free_stacks(stack_cache_maxsize);
    __atomic_store_n(&stack_cache_lock, 0, __ATOMIC_RELEASE);
}

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
    size_t size = attr && attr->stacksize ? attr->stacksize : default_stacksize();
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

/* Back to the cache (or, for a user stack, just off the lists). */
static void __deallocate_stack(struct pthread *pd)
{
    lll_lock(&stack_cache_lock);
    list_del(&pd->list);
    if (!pd->user_stack) {
        list_add(&pd->list, &stack_cache);
        stack_cache_actsize += pd->stackblock_size;
        free_stacks(stack_cache_maxsize);
    }
    lll_unlock(&stack_cache_lock);
}

/* ---- thread start and exit ---- */

__noreturn void __start_thread(struct pthread *pd);
long __clone3_start(struct clone_args *args, size_t size, struct pthread *pd);
long __clone_start(unsigned long flags, void *sp, int *ptid, int *ctid, void *tls, struct pthread *pd);
/* The child leaves the syscall on its new stack; the TCB pointer rides in
 * a callee-saved register, which the child inherits. */
__asm__(".text\n"
        ".globl __clone3_start\n"
        "__clone3_start:\n"
        "    push %r12\n"
        "    mov %rdx, %r12\n"
        "    mov $435, %eax\n"
        "    syscall\n"
        "    test %rax, %rax\n"
        "    jnz 1f\n"
        "    xor %ebp, %ebp\n"
        "    mov %r12, %rdi\n"
        "    and $-16, %rsp\n"
        "    call __start_thread\n"
        "    ud2\n"
        "1:  pop %r12\n"
        "    ret\n"
        ".globl __clone_start\n"
        "__clone_start:\n"
        "    push %r12\n"
        "    mov %r9, %r12\n"
        "    mov %rcx, %r10\n"
        "    mov $56, %eax\n"
        "    syscall\n"
        "    test %rax, %rax\n"
        "    jnz 2f\n"
        "    xor %ebp, %ebp\n"
        "    mov %r12, %rdi\n"
        "    and $-16, %rsp\n"
        "    call __start_thread\n"
        "    ud2\n"
        "2:  pop %r12\n"
        "    ret\n");

#define THREAD_FLAGS (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SYSVSEM | CLONE_SIGHAND | CLONE_THREAD | \
                      CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID)

static int create_thread(struct pthread *pd)
{
    char *sp = (char *)(((uintptr_t)pd - __tls_offset) & ~(uintptr_t)15);
    unsigned long all = ~0UL;
    __syscall4(SYS_rt_sigprocmask, 2 /* SIG_SETMASK */, &all, &pd->sigmask, 8);
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
    __syscall4(SYS_rt_sigprocmask, 2, &pd->sigmask, 0, 8);
    return r < 0 ? (int)-r : 0;
}

static void (*key_destructors[PTHREAD_KEYS])(void *);
static unsigned key_seq[PTHREAD_KEYS]; /* odd: in use */
static int key_lock;

static void run_destructors(struct pthread *pd)
{
    for (int round = 0; round < 4; round++) {
        int any = 0;
        for (int k = 0; k < PTHREAD_KEYS; k++) {
            void *v = pd->specific[k];
            void (*d)(void *) = key_destructors[k];
            if (v && d && (key_seq[k] & 1) && pd->specific_seq[k] == key_seq[k]) {
                pd->specific[k] = 0;
                d(v);
                any = 1;
            }
        }
        if (!any)
            break;
    }
}

__noreturn static void exit_thread(struct pthread *pd)
{
    run_destructors(pd);
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

void __start_thread(struct pthread *pd)
{
    __syscall4(SYS_rt_sigprocmask, 2, &pd->sigmask, 0, 8);
    pd->result = pd->start_routine(pd->arg);
    exit_thread(pd);
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

int pthread_join(pthread_t th, void **ret)
{
    struct pthread *pd = (struct pthread *)th;
    if (pd == self_pd())
        return EDEADLK;
    if (pd->detached)
        return EINVAL;
    int tid;
    while ((tid = __atomic_load_n(&pd->tid, __ATOMIC_ACQUIRE)) != 0)
        futex(&pd->tid, FUTEX_WAIT, tid);
    if (ret)
        *ret = pd->result;
    __deallocate_stack(pd);
    return 0;
}

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

void pthread_exit(void *ret)
{
    struct pthread *pd = self_pd();
    pd->result = ret;
    exit_thread(pd);
}

pthread_t pthread_self(void) { return (pthread_t)self_pd(); }
int pthread_equal(pthread_t a, pthread_t b) { return a == b; }

/* ---- attributes ---- */

int pthread_attr_init(pthread_attr_t *a)
{
    memset(a, 0, sizeof(*a));
    a->guardsize = PAGE;
    return 0;
}
int pthread_attr_destroy(pthread_attr_t *a) { (void)a; return 0; }
int pthread_attr_setstacksize(pthread_attr_t *a, size_t size)
{
    if (size < PTHREAD_STACK_MIN)
        return EINVAL;
    a->stacksize = size;
    return 0;
}
int pthread_attr_getstacksize(const pthread_attr_t *a, size_t *size)
{
    *size = a->stacksize ? a->stacksize : default_stacksize();
    return 0;
}
int pthread_attr_setguardsize(pthread_attr_t *a, size_t size) { a->guardsize = size; return 0; }
int pthread_attr_getguardsize(const pthread_attr_t *a, size_t *size) { *size = a->guardsize; return 0; }
int pthread_attr_setdetachstate(pthread_attr_t *a, int state)
{
    if (state != PTHREAD_CREATE_JOINABLE && state != PTHREAD_CREATE_DETACHED)
        return EINVAL;
    a->detachstate = state;
    return 0;
}
int pthread_attr_getdetachstate(const pthread_attr_t *a, int *state) { *state = a->detachstate; return 0; }
int pthread_attr_setstack(pthread_attr_t *a, void *addr, size_t size)
{
    if (size < PTHREAD_STACK_MIN)
        return EINVAL;
    a->stackaddr = (char *)addr + size;
    a->stacksize = size;
    return 0;
}
int pthread_attr_getstack(const pthread_attr_t *a, void **addr, size_t *size)
{
    *addr = (char *)a->stackaddr - a->stacksize;
    *size = a->stacksize;
    return 0;
}
int pthread_getattr_np(pthread_t th, pthread_attr_t *a)
{
    struct pthread *pd = (struct pthread *)th;
    pthread_attr_init(a);
    a->detachstate = pd->detached;
    a->guardsize = pd->guardsize;
    if (pd->stackblock) {
        a->stackaddr = (char *)pd->stackblock + pd->stackblock_size;
        a->stacksize = pd->stackblock_size - pd->guardsize;
    }
    return 0;
}

/* ---- mutexes ---- */

static int gettid_cached(void) { return self_pd()->tid ? self_pd()->tid : (int)__syscall0(SYS_gettid); }

int pthread_mutexattr_init(pthread_mutexattr_t *a) { a->kind = PTHREAD_MUTEX_NORMAL; return 0; }
int pthread_mutexattr_destroy(pthread_mutexattr_t *a) { (void)a; return 0; }
int pthread_mutexattr_settype(pthread_mutexattr_t *a, int kind)
{
    if (kind < 0 || kind > PTHREAD_MUTEX_ERRORCHECK)
        return EINVAL;
    a->kind = kind;
    return 0;
}
int pthread_mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *a)
{
    memset(m, 0, sizeof(*m));
    m->kind = a ? a->kind : PTHREAD_MUTEX_NORMAL;
    return 0;
}
int pthread_mutex_destroy(pthread_mutex_t *m) { return m->lock ? EBUSY : 0; }

int pthread_mutex_lock(pthread_mutex_t *m)
{
    if (m->kind != PTHREAD_MUTEX_NORMAL) {
        int me = gettid_cached();
        if (m->owner == me) {
            if (m->kind == PTHREAD_MUTEX_ERRORCHECK)
                return EDEADLK;
            m->count++;
            return 0;
        }
        lll_lock(&m->lock);
        m->owner = me;
        m->count = 1;
        return 0;
    }
    lll_lock(&m->lock);
    return 0;
}

int pthread_mutex_trylock(pthread_mutex_t *m)
{
    if (m->kind == PTHREAD_MUTEX_RECURSIVE && m->owner == gettid_cached()) {
        m->count++;
        return 0;
    }
    if (!__lll_trylock(&m->lock))
        return EBUSY;
    if (m->kind != PTHREAD_MUTEX_NORMAL) {
        m->owner = gettid_cached();
        m->count = 1;
    }
    return 0;
}

int pthread_mutex_unlock(pthread_mutex_t *m)
{
    if (m->kind != PTHREAD_MUTEX_NORMAL) {
        if (m->owner != gettid_cached())
            return EPERM;
        if (--m->count > 0)
            return 0;
        m->owner = 0;
    }
    lll_unlock(&m->lock);
    return 0;
}

/* ---- condition variables: a sequence number to wait on ---- */

int pthread_cond_init(pthread_cond_t *c, const pthread_condattr_t *a)
{
    (void)a;
    c->seq = 0;
    c->waiters = 0;
    return 0;
}
int pthread_cond_destroy(pthread_cond_t *c) { (void)c; return 0; }

/* A waiter counts itself in before it reads seq (both sequentially
 * consistent), and a signaller bumps seq before it reads the count: a
 * signaller that sees no waiter bumped seq before any waiter read it, so
 * nobody can sleep on the old value and miss the signal. */
int pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m)
{
    __atomic_add_fetch(&c->waiters, 1, __ATOMIC_SEQ_CST);
    int seq = __atomic_load_n(&c->seq, __ATOMIC_SEQ_CST);
    int kind = m->kind, count = m->count;
    if (kind != PTHREAD_MUTEX_NORMAL) {
        m->count = 1;
    }
    pthread_mutex_unlock(m);
    futex(&c->seq, FUTEX_WAIT | FUTEX_PRIVATE, seq);
    __atomic_sub_fetch(&c->waiters, 1, __ATOMIC_SEQ_CST);
    pthread_mutex_lock(m);
    if (kind != PTHREAD_MUTEX_NORMAL)
        m->count = count;
    return 0;
}

int pthread_cond_signal(pthread_cond_t *c)
{
    __atomic_add_fetch(&c->seq, 1, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(&c->waiters, __ATOMIC_SEQ_CST) != 0)
        futex(&c->seq, FUTEX_WAKE | FUTEX_PRIVATE, 1);
    return 0;
}

int pthread_cond_broadcast(pthread_cond_t *c)
{
    __atomic_add_fetch(&c->seq, 1, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(&c->waiters, __ATOMIC_SEQ_CST) != 0)
        futex(&c->seq, FUTEX_WAKE | FUTEX_PRIVATE, INT_MAX);
    return 0;
}

/* ---- once and keys ---- */

int pthread_once(pthread_once_t *o, void (*fn)(void))
{
    for (;;) {
        int v = __atomic_load_n(o, __ATOMIC_ACQUIRE);
        if (v == 2)
            return 0;
        if (v == 0 && __sync_bool_compare_and_swap(o, 0, 1)) {
            fn();
            __atomic_store_n(o, 2, __ATOMIC_RELEASE);
            futex(o, FUTEX_WAKE | FUTEX_PRIVATE, INT_MAX);
            return 0;
        }
        futex(o, FUTEX_WAIT | FUTEX_PRIVATE, 1);
    }
}

int pthread_key_create(pthread_key_t *k, void (*destructor)(void *))
{
    lll_lock(&key_lock);
    for (unsigned i = 0; i < PTHREAD_KEYS; i++) {
        if (!(key_seq[i] & 1)) {
            key_seq[i]++;
            key_destructors[i] = destructor;
            lll_unlock(&key_lock);
            *k = i;
            return 0;
        }
    }
    lll_unlock(&key_lock);
    return EAGAIN;
}

int pthread_key_delete(pthread_key_t k)
{
    if (k >= PTHREAD_KEYS || !(key_seq[k] & 1))
        return EINVAL;
    lll_lock(&key_lock);
    key_seq[k]++;
    key_destructors[k] = 0;
    lll_unlock(&key_lock);
    return 0;
}

void *pthread_getspecific(pthread_key_t k)
{
    struct pthread *pd = self_pd();
    if (k >= PTHREAD_KEYS || pd->specific_seq[k] != key_seq[k])
        return 0;
    return pd->specific[k];
}

int pthread_setspecific(pthread_key_t k, const void *v)
{
    if (k >= PTHREAD_KEYS || !(key_seq[k] & 1))
        return EINVAL;
    struct pthread *pd = self_pd();
    pd->specific[k] = (void *)v;
    pd->specific_seq[k] = key_seq[k];
    return 0;
}

/* ---- reader-writer locks, barriers, spinlocks ---- */

/* Waits until `*seq` moves on from `s` (the caller dropped `lock`). */
static void wait_seq(int *seq, int s)
{
    futex(seq, FUTEX_WAIT | FUTEX_PRIVATE, s);
}

int pthread_rwlock_init(pthread_rwlock_t *l, const pthread_rwlockattr_t *a)
{
    (void)a;
    memset(l, 0, sizeof(*l));
    return 0;
}
int pthread_rwlock_destroy(pthread_rwlock_t *l) { return l->readers || l->writer ? EBUSY : 0; }

int pthread_rwlock_rdlock(pthread_rwlock_t *l)
{
    lll_lock(&l->lock);
    while (l->writer) {
        int s = l->seq;
        lll_unlock(&l->lock);
        wait_seq(&l->seq, s);
        lll_lock(&l->lock);
    }
    l->readers++;
    lll_unlock(&l->lock);
    return 0;
}

int pthread_rwlock_wrlock(pthread_rwlock_t *l)
{
    lll_lock(&l->lock);
    while (l->writer || l->readers) {
        int s = l->seq;
        lll_unlock(&l->lock);
        wait_seq(&l->seq, s);
        lll_lock(&l->lock);
    }
    l->writer = 1;
    lll_unlock(&l->lock);
    return 0;
}

int pthread_rwlock_unlock(pthread_rwlock_t *l)
{
    lll_lock(&l->lock);
    if (l->writer)
        l->writer = 0;
    else if (l->readers)
        l->readers--;
    else {
        lll_unlock(&l->lock);
        return EPERM;
    }
    l->seq++;
    lll_unlock(&l->lock);
    futex(&l->seq, FUTEX_WAKE | FUTEX_PRIVATE, INT_MAX);
    return 0;
}

int pthread_barrier_init(pthread_barrier_t *b, const pthread_barrierattr_t *a, unsigned count)
{
    (void)a;
    if (count == 0)
        return EINVAL;
    memset(b, 0, sizeof(*b));
    b->target = (int)count;
    return 0;
}
int pthread_barrier_destroy(pthread_barrier_t *b) { return b->count ? EBUSY : 0; }

int pthread_barrier_wait(pthread_barrier_t *b)
{
    lll_lock(&b->lock);
    if (++b->count == b->target) {
        b->count = 0;
        b->seq++;
        lll_unlock(&b->lock);
        futex(&b->seq, FUTEX_WAKE | FUTEX_PRIVATE, INT_MAX);
        return PTHREAD_BARRIER_SERIAL_THREAD;
    }
    int s = b->seq;
    lll_unlock(&b->lock);
    while (__atomic_load_n(&b->seq, __ATOMIC_ACQUIRE) == s)
        wait_seq(&b->seq, s);
    return 0;
}

int pthread_spin_init(pthread_spinlock_t *s, int pshared) { (void)pshared; *s = 0; return 0; }
int pthread_spin_destroy(pthread_spinlock_t *s) { (void)s; return 0; }
int pthread_spin_lock(pthread_spinlock_t *s)
{
    while (__atomic_exchange_n(s, 1, __ATOMIC_ACQUIRE))
        while (__atomic_load_n(s, __ATOMIC_RELAXED))
            __builtin_ia32_pause();
    return 0;
}
int pthread_spin_trylock(pthread_spinlock_t *s) { return __atomic_exchange_n(s, 1, __ATOMIC_ACQUIRE) ? EBUSY : 0; }
int pthread_spin_unlock(pthread_spinlock_t *s)
{
    __atomic_store_n(s, 0, __ATOMIC_RELEASE);
    return 0;
}
