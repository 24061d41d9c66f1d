/* fork, vfork and the signal-set and sigaction wrappers. */
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
 * threads whenever stack_cache_lock is free. */
pid_t fork(void)
{
    struct pthread *self;
    __asm__("mov %%fs:16, %0" : "=r"(self));
    __lll_lock(&stack_cache_lock);
    long r = __syscall6(SYS_clone, CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID | SIGCHLD, 0, 0, (long)&self->tid, 0, 0);
    if (r == 0) {
        /* The child is single-threaded, with its own tid. */
        __reclaim_stacks(self);
        self->tid = (int)__syscall0(SYS_gettid);
        return 0;
    }
    __lll_unlock(&stack_cache_lock);
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

int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
    /* The kernel's struct: handler, flags, restorer, mask. */
    unsigned long k[4], ko[4];
    if (act) {
        k[0] = (unsigned long)act->sa_handler;
        k[1] = (unsigned long)(unsigned)act->sa_flags;
        k[2] = 0;
        k[3] = act->sa_mask;
    }
    long r = __syscall4(SYS_rt_sigaction, sig, act ? k : 0, old ? ko : 0, 8);
    if (r == 0 && old) {
        old->sa_handler = (void (*)(int))ko[0];
        old->sa_flags = (int)ko[1];
        old->sa_mask = ko[3];
    }
    return (int)__syscall_ret(r);
}

int sigprocmask(int how, const sigset_t *set, sigset_t *old)
{
    return (int)__syscall_ret(__syscall4(SYS_rt_sigprocmask, how, set, old, 8));
}

int sigemptyset(sigset_t *set) { *set = 0; return 0; }
int sigfillset(sigset_t *set) { *set = ~0UL; return 0; }

static int bad_signal(int sig)
{
    if (sig < 1 || sig > __SIGRTMAX) {
        errno = EINVAL;
        return 1;
    }
    return 0;
}

int sigaddset(sigset_t *set, int sig)
{
    if (bad_signal(sig))
        return -1;
    *set |= 1UL << (sig - 1);
    return 0;
}

int sigdelset(sigset_t *set, int sig)
{
    if (bad_signal(sig))
        return -1;
    *set &= ~(1UL << (sig - 1));
    return 0;
}

int sigismember(const sigset_t *set, int sig)
{
    if (bad_signal(sig))
        return -1;
    return (*set >> (sig - 1)) & 1;
}
