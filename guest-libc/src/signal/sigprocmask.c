/* The signal mask, pending signals, and waiting for a signal. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include "internal.h"

int pthread_sigmask(int how, const sigset_t *set, sigset_t *old)
{
    unsigned long k, ko;
    if (set) {
        /* The library's signals can never be blocked (cancellation needs
         * SIGCANCEL delivered), as in glibc. */
        k = set->__val[0];
        if (how != SIG_UNBLOCK)
            k &= ~INTERNAL_SIGNALS;
    }
    long r = __syscall4(SYS_rt_sigprocmask, how, set ? &k : 0, old ? &ko : 0, 8);
    if (r != 0)
        return (int)-r;
    if (old) {
        memset(old, 0, sizeof(*old));
        old->__val[0] = ko;
    }
    return 0;
}

int sigprocmask(int how, const sigset_t *set, sigset_t *old)
{
    int e = pthread_sigmask(how, set, old);
    if (e) {
        errno = e;
        return -1;
    }
    return 0;
}

int sigpending(sigset_t *set)
{
    unsigned long k;
    long r = __syscall2(SYS_rt_sigpending, &k, 8);
    if (r == 0) {
        memset(set, 0, sizeof(*set));
        set->__val[0] = k;
    }
    return (int)__syscall_ret(r);
}

/* A cancellation point. Returns only -1/EINTR, after a handler ran. */
int sigsuspend(const sigset_t *mask)
{
    unsigned long k = mask->__val[0] & ~INTERNAL_SIGNALS;
    return (int)__syscall_ret(__syscall_cp2(SYS_rt_sigsuspend, &k, 8));
}

/* A cancellation point; as sigsuspend, -1/EINTR after a handler. */
int pause(void) { return (int)__syscall_ret(__syscall_cp0(SYS_pause)); }

/* A cancellation point. The set's signals should be blocked; the library's
 * own are never waited for. */
int sigtimedwait(const sigset_t *set, siginfo_t *info, const struct timespec *timeout)
{
    unsigned long k = set->__val[0] & ~INTERNAL_SIGNALS;
    return (int)__syscall_ret(__syscall_cp4(SYS_rt_sigtimedwait, &k, info, timeout, 8));
}

int sigwaitinfo(const sigset_t *set, siginfo_t *info) { return sigtimedwait(set, info, 0); }

/* Returns an error number, never EINTR: an interrupted wait (a handler
 * for some other signal ran) just waits again, as glibc's. */
int sigwait(const sigset_t *set, int *sig)
{
    int r;
    do
        r = sigtimedwait(set, 0, 0);
    while (r < 0 && errno == EINTR);
    if (r < 0)
        return errno;
    *sig = r;
    return 0;
}

int sigaltstack(const stack_t *ss, stack_t *old) { return (int)__syscall_ret(__syscall2(SYS_sigaltstack, ss, old)); }
