/* Interval timers, alarm, and POSIX per-process timers. */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include "internal.h"

unsigned alarm(unsigned seconds) { return (unsigned)__syscall1(SYS_alarm, seconds); }
int getitimer(int which, struct itimerval *val) { return (int)__syscall_ret(__syscall2(SYS_getitimer, which, val)); }
int setitimer(int which, const struct itimerval *val, struct itimerval *old)
{
    return (int)__syscall_ret(__syscall3(SYS_setitimer, which, val, old));
}

/* A timer_t is the kernel's timer id. SIGEV_SIGNAL, SIGEV_NONE and
 * SIGEV_THREAD_ID go to the kernel as they are (no sigevent: SIGALRM
 * with the timer id as its value). SIGEV_THREAD, a new thread per
 * expiry in glibc, is not implemented: EINVAL. */
int timer_create(clockid_t clk, struct sigevent *sev, timer_t *timer)
{
    if (sev && sev->sigev_notify == SIGEV_THREAD) {
        errno = EINVAL;
        return -1;
    }
    int id;
    long r = __syscall3(SYS_timer_create, clk, sev, &id);
    if (r < 0)
        return (int)__syscall_ret(r);
    *timer = (timer_t)(intptr_t)id;
    return 0;
}

#define KID(t) ((long)(intptr_t)(t))
int timer_delete(timer_t t) { return (int)__syscall_ret(__syscall1(SYS_timer_delete, KID(t))); }
int timer_settime(timer_t t, int flags, const struct itimerspec *val, struct itimerspec *old)
{
    return (int)__syscall_ret(__syscall4(SYS_timer_settime, KID(t), flags, val, old));
}
int timer_gettime(timer_t t, struct itimerspec *val) { return (int)__syscall_ret(__syscall2(SYS_timer_gettime, KID(t), val)); }
int timer_getoverrun(timer_t t) { return (int)__syscall_ret(__syscall1(SYS_timer_getoverrun, KID(t))); }
