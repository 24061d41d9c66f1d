/* Sleeping. All of these are cancellation points. nanosleep stays the
 * nanosleep system call (glibc's goes through clock_nanosleep); an
 * interrupted sleep returns EINTR with the time left in *rem. */
#include <errno.h>
#include <time.h>
#include <unistd.h>
#include "internal.h"

int nanosleep(const struct timespec *req, struct timespec *rem)
{
    return (int)__syscall_ret(__syscall_cp2(SYS_nanosleep, req, rem));
}

/* Returns an error number, not -1. A thread's CPU clock cannot be slept
 * on (the kernel would take it as the caller's own). */
int clock_nanosleep(clockid_t clk, int flags, const struct timespec *req, struct timespec *rem)
{
    if (clk == CLOCK_THREAD_CPUTIME_ID)
        return EINVAL;
    return (int)-__syscall_cp4(SYS_clock_nanosleep, clk, flags, req, rem);
}

unsigned sleep(unsigned seconds)
{
    struct timespec ts = {seconds, 0};
    return nanosleep(&ts, &ts) ? (unsigned)ts.tv_sec : 0;
}

int usleep(unsigned usec)
{
    struct timespec ts = {usec / 1000000, (long)(usec % 1000000) * 1000};
    return nanosleep(&ts, 0);
}
