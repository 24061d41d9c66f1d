/* fork and vfork. */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "internal.h"

/* glibc's fork: legacy clone with CHILD_SETTID | CHILD_CLEARTID | SIGCHLD,
 * the child's tid word in its own TCB. The stack lists are locked across
 * the clone, so the child gets them whole (no thread half-way through a
 * change) and keeps them locked until it has reclaimed the other threads'
 * stacks (nptl's reclaim_stacks): a process's lists describe its own
 * threads whenever stack_cache_lock is free. The pthread_atfork handlers
 * run around all of it. */
pid_t fork(void)
{
    struct pthread *self;
    __asm__("mov %%fs:16, %0" : "=r"(self));
    __run_fork_handlers(FORK_PREPARE);
    __lll_lock(&stack_cache_lock);
    long r = __syscall6(SYS_clone, CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID | SIGCHLD, 0, 0, (long)&self->tid, 0, 0);
    if (r == 0) {
        /* The child is single-threaded, with its own tid. */
        __reclaim_stacks(self);
        self->tid = (int)__syscall0(SYS_gettid);
        __run_fork_handlers(FORK_CHILD);
        return 0;
    }
    __lll_unlock(&stack_cache_lock);
    __run_fork_handlers(FORK_PARENT);
    return (pid_t)__syscall_ret(r);
}

/* vfork shares the parent's stack until the child exits: the return
 * address must not live on it across the call, so it is kept in a register
 * the kernel preserves. */
#define STR(x) STR_(x)
#define STR_(x) #x
__asm__(".text\n"
        ".globl vfork\n"
        "vfork:\n"
        "    pop %rdx\n"
        "    mov $" STR(SYS_vfork) ", %eax\n"
        "    syscall\n"
        "    push %rdx\n"
        "    cmp $-4095, %rax\n"
        "    jae 1f\n"
        "    ret\n"
        "1:  mov %rax, %rdi\n"
        "    jmp __syscall_ret\n");
