/* Cancellation, nptl's way: pthread_cancel sets CANCELED in the target's
 * cancelhandling and sends it SIGCANCEL; the target acts on it at a
 * cancellation point, or at once in the handler when its type is
 * asynchronous or it is inside the cancellable system call window
 * (syscall_cancel.S explains the window and its race). Acting means
 * __do_cancel: the cleanup handlers, the key destructors, and thread exit
 * with PTHREAD_CANCELED. */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <sys/ucontext.h>
#include "pthread_impl.h"

hidden long __syscall_cancel_arch(int *ch, long n, long a, long b, long c, long d, long e, long f);
hidden extern const char __syscall_cancel_arch_start[], __syscall_cancel_arch_end[];
hidden int __pthread_kill_internal(unsigned long th, int sig);

/* Reached from the bridge's check, and after a call the signal cut short. */
hidden __noreturn void __syscall_do_cancel(void)
{
    self_pd()->result = PTHREAD_CANCELED;
    __do_cancel();
}

/* With cancellation disabled, or while the thread is exiting (cleanup
 * handlers may call cancellation points), the call is a plain one. A call
 * that returns -EINTR had no effect, so a cancellation that interrupted it
 * is acted on here. */
long __syscall_cancel(long n, long a, long b, long c, long d, long e, long f)
{
    struct pthread *pd = self_pd();
    int ch = __atomic_load_n(&pd->cancelhandling, __ATOMIC_RELAXED);
    if (ch & (CANCELSTATE_BITMASK | EXITING_BITMASK))
        return __syscall6(n, a, b, c, d, e, f);
    long r = __syscall_cancel_arch(&pd->cancelhandling, n, a, b, c, d, e, f);
    if (r == -EINTR && cancel_enabled_and_canceled(__atomic_load_n(&pd->cancelhandling, __ATOMIC_RELAXED)))
        __syscall_do_cancel();
    return r;
}

void __pthread_testcancel(void)
{
    struct pthread *pd = self_pd();
    if (cancel_enabled_and_canceled(__atomic_load_n(&pd->cancelhandling, __ATOMIC_ACQUIRE))) {
        pd->result = PTHREAD_CANCELED;
        __do_cancel();
    }
}

void pthread_testcancel(void) { __pthread_testcancel(); }

/* Only a SIGCANCEL this process sent with tgkill counts: someone else's
 * signal 32 (kill from outside, sigqueue) is ignored. */
static void sigcancel_handler(int sig, siginfo_t *si, void *ctx)
{
    if (sig != SIGCANCEL || si->si_code != SI_TKILL || si->si_pid != (pid_t)__syscall0(SYS_getpid))
        return;
    struct pthread *pd = self_pd();
    int ch = __atomic_load_n(&pd->cancelhandling, __ATOMIC_ACQUIRE);
    if (!cancel_enabled_and_canceled(ch))
        return;
    uintptr_t pc = (uintptr_t)((ucontext_t *)ctx)->uc_mcontext.gregs[REG_RIP];
    if (!(ch & CANCELTYPE_BITMASK) &&
        (pc < (uintptr_t)__syscall_cancel_arch_start || pc >= (uintptr_t)__syscall_cancel_arch_end))
        return;
    pd->result = PTHREAD_CANCELED;
    __do_cancel();
}

/* Installed at the first pthread_cancel, as glibc since 2.34 does, not at
 * startup: a program that never cancels makes no rt_sigaction call for
 * it, so its system calls are the same as under glibc. SA_RESTART brings
 * a blocked call interrupted by SIGCANCEL back to the syscall instruction,
 * inside the window. */
static int sigcancel_installed;
static void install_sigcancel(void)
{
    if (__atomic_load_n(&sigcancel_installed, __ATOMIC_ACQUIRE))
        return;
    struct sigaction sa = {.sa_sigaction = sigcancel_handler, .sa_flags = SA_SIGINFO | SA_RESTART};
    sigemptyset(&sa.sa_mask);
    __libc_sigaction(SIGCANCEL, &sa, 0);
    __atomic_store_n(&sigcancel_installed, 1, __ATOMIC_RELEASE);
}

/* CANCELED is set before the signal goes out, so the target cannot miss
 * it. A thread with cancellation disabled gets no signal (it would only
 * make its blocking calls return EINTR); it finds CANCELED when it
 * enables cancellation. A thread cancelling itself needs no signal. */
int pthread_cancel(pthread_t th)
{
    struct pthread *pd = (struct pthread *)th;
    install_sigcancel();
    int old = __atomic_fetch_or(&pd->cancelhandling, CANCELING_BITMASK | CANCELED_BITMASK, __ATOMIC_ACQ_REL);
    if (old & CANCELED_BITMASK)
        return 0;
    if (pd == self_pd()) {
        if ((old & (CANCELSTATE_BITMASK | CANCELTYPE_BITMASK)) == CANCELTYPE_BITMASK) {
            pd->result = PTHREAD_CANCELED;
            __do_cancel();
        }
        return 0;
    }
    if (old & (CANCELSTATE_BITMASK | EXITING_BITMASK))
        return 0;
    return __pthread_kill_internal(th, SIGCANCEL);
}

/* Sets or clears `bit`; a pending cancellation that has just become
 * enabled and asynchronous is acted on before returning. */
static int set_cancel_bit(int bit, int on, int *old)
{
    struct pthread *pd = self_pd();
    int ch = __atomic_load_n(&pd->cancelhandling, __ATOMIC_RELAXED), n;
    do
        n = on ? ch | bit : ch & ~bit;
    while (!__atomic_compare_exchange_n(&pd->cancelhandling, &ch, n, 1, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED));
    if (old)
        *old = (ch & bit) != 0;
    if (cancel_enabled_and_canceled(n) && (n & CANCELTYPE_BITMASK)) {
        pd->result = PTHREAD_CANCELED;
        __do_cancel();
    }
    return 0;
}

int pthread_setcancelstate(int state, int *old)
{
    if (state != PTHREAD_CANCEL_ENABLE && state != PTHREAD_CANCEL_DISABLE)
        return EINVAL;
    return set_cancel_bit(CANCELSTATE_BITMASK, state == PTHREAD_CANCEL_DISABLE, old);
}

int pthread_setcanceltype(int type, int *old)
{
    if (type != PTHREAD_CANCEL_DEFERRED && type != PTHREAD_CANCEL_ASYNCHRONOUS)
        return EINVAL;
    return set_cancel_bit(CANCELTYPE_BITMASK, type == PTHREAD_CANCEL_ASYNCHRONOUS, old);
}
