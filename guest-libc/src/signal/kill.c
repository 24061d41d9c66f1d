/* Sending signals: to processes, to threads, with a value. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include "internal.h"

int kill(pid_t pid, int sig) { return (int)__syscall_ret(__syscall2(SYS_kill, pid, sig)); }

int killpg(pid_t pgrp, int sig)
{
    if (pgrp < 0) {
        errno = EINVAL;
        return -1;
    }
    return kill(-pgrp, sig);
}

static struct pthread *self(void)
{
    struct pthread *pd;
    __asm__("mov %%fs:16, %0" : "=r"(pd));
    return pd;
}

/* Every application signal is blocked across the tid lookup and tgkill:
 * a handler that forks or vforks in between cannot make the signal go to
 * a thread that is not the caller. It arrives when the mask comes back. */
int raise(int sig)
{
    unsigned long all = ~0UL & ~((1UL << (SIGCANCEL - 1)) | (1UL << (SIGSETXID - 1))), old;
    __syscall4(SYS_rt_sigprocmask, SIG_BLOCK, &all, &old, 8);
    long r = __syscall3(SYS_tgkill, __syscall0(SYS_getpid), __syscall0(SYS_gettid), sig);
    __syscall4(SYS_rt_sigprocmask, SIG_SETMASK, &old, 0, 8);
    return (int)__syscall_ret(r);
}

/* A thread that has begun to exit gets nothing: its tid may already be
 * another thread's. As glibc since 2.34, that is not an error (the
 * pthread_t is valid until joined), so the result is 0. */
static int send_to_thread(struct pthread *pd, int sig, const siginfo_t *info)
{
    long pid = __syscall0(SYS_getpid);
    long tid;
    if (pd == self())
        tid = __syscall0(SYS_gettid);
    else {
        tid = __atomic_load_n(&pd->tid, __ATOMIC_ACQUIRE);
        if (tid == 0 || (__atomic_load_n(&pd->cancelhandling, __ATOMIC_ACQUIRE) & EXITING_BITMASK))
            return 0;
    }
    long r = info ? __syscall4(SYS_rt_tgsigqueueinfo, pid, tid, sig, info) : __syscall3(SYS_tgkill, pid, tid, sig);
    return r == -ESRCH ? 0 : (int)-r;
}

hidden int __pthread_kill_internal(unsigned long th, int sig) { return send_to_thread((struct pthread *)th, sig, 0); }

int pthread_kill(unsigned long th, int sig)
{
    if (sig < 0 || sig > __SIGRTMAX || __is_internal_signal(sig))
        return EINVAL;
    return send_to_thread((struct pthread *)th, sig, 0);
}

static void queued_info(siginfo_t *info, int sig, union sigval value)
{
    memset(info, 0, sizeof(*info));
    info->si_signo = sig;
    info->si_code = SI_QUEUE;
    info->si_pid = (pid_t)__syscall0(SYS_getpid);
    info->si_uid = (uid_t)__syscall0(SYS_getuid);
    info->si_value = value;
}

int sigqueue(pid_t pid, int sig, const union sigval value)
{
    siginfo_t info;
    queued_info(&info, sig, value);
    return (int)__syscall_ret(__syscall3(SYS_rt_sigqueueinfo, pid, sig, &info));
}

int pthread_sigqueue(unsigned long th, int sig, const union sigval value)
{
    if (sig < 0 || sig > __SIGRTMAX || __is_internal_signal(sig))
        return EINVAL;
    siginfo_t info;
    queued_info(&info, sig, value);
    return send_to_thread((struct pthread *)th, sig, &info);
}
