/* sigaction and signal. Every handler is installed with SA_RESTORER and
 * __restore_rt: the kernel makes the handler return there, and
 * rt_sigreturn restores the interrupted context from the frame. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include "internal.h"

#define STR(x) STR_(x)
#define STR_(x) #x
/* Entered by the handler's `ret` with %rsp at the frame's ucontext: no
 * prologue may touch the stack before the system call. */
__asm__(".text\n"
        ".align 16\n"
        ".globl __restore_rt\n"
        ".hidden __restore_rt\n"
        ".type __restore_rt, @function\n"
        "__restore_rt:\n"
        "    mov $" STR(SYS_rt_sigreturn) ", %eax\n"
        "    syscall\n"
        ".size __restore_rt, . - __restore_rt\n");
hidden void __restore_rt(void);

unsigned long __sig_handlers;

int __libc_sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
    struct k_sigaction k, ko;
    if (act) {
        k.handler = act->sa_handler;
        k.flags = (unsigned long)(unsigned)act->sa_flags | SA_RESTORER;
        k.restorer = __restore_rt;
        k.mask = act->sa_mask.__val[0];
    }
    long r = __syscall4(SYS_rt_sigaction, sig, act ? &k : 0, old ? &ko : 0, 8);
    if (r == 0 && act) {
        unsigned long bit = 1UL << (sig - 1);
        if (act->sa_handler == SIG_DFL || act->sa_handler == SIG_IGN)
            __atomic_and_fetch(&__sig_handlers, ~bit, __ATOMIC_RELAXED);
        else
            __atomic_or_fetch(&__sig_handlers, bit, __ATOMIC_RELAXED);
    }
    if (r == 0 && old) {
        memset(old, 0, sizeof(*old));
        old->sa_handler = ko.handler;
        old->sa_flags = (int)ko.flags;
        old->sa_restorer = ko.restorer;
        old->sa_mask.__val[0] = ko.mask;
    }
    return (int)__syscall_ret(r);
}

int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
    if (sig < 1 || sig > __SIGRTMAX || __is_internal_signal(sig)) {
        errno = EINVAL;
        return -1;
    }
    return __libc_sigaction(sig, act, old);
}

/* BSD semantics, as glibc's signal: the handler stays installed, the
 * signal is blocked while it runs, and interrupted calls restart. */
sighandler_t signal(int sig, sighandler_t handler)
{
    struct sigaction sa = {.sa_handler = handler, .sa_flags = SA_RESTART}, old;
    if (handler == SIG_ERR || sigemptyset(&sa.sa_mask) < 0 || sigaddset(&sa.sa_mask, sig) < 0 ||
        sigaction(sig, &sa, &old) < 0) {
        errno = EINVAL;
        return SIG_ERR;
    }
    return old.sa_handler;
}

sighandler_t bsd_signal(int sig, sighandler_t handler) { return signal(sig, handler); }

int siginterrupt(int sig, int flag)
{
    struct sigaction sa;
    if (sigaction(sig, 0, &sa) < 0)
        return -1;
    if (flag)
        sa.sa_flags &= ~SA_RESTART;
    else
        sa.sa_flags |= SA_RESTART;
    return sigaction(sig, &sa, 0);
}
