/* Waiting for file descriptors. Both calls are cancellation points. */
#define _GNU_SOURCE
#include <poll.h>
#include <signal.h>
#include "internal.h"

int poll(struct pollfd *fds, nfds_t n, int timeout)
{
    return (int)__syscall_ret(__syscall_cp3(SYS_poll, fds, n, timeout));
}

/* The kernel writes the time left back into the timeout, which POSIX
 * makes the caller's constant: it gets a copy. As in sigsuspend, the
 * library's own signals stay deliverable whatever the mask says. */
int ppoll(struct pollfd *fds, nfds_t n, const struct timespec *timeout, const sigset_t *mask)
{
    struct timespec t, *tp = 0;
    if (timeout) {
        t = *timeout;
        tp = &t;
    }
    unsigned long k, *kp = 0;
    if (mask) {
        k = mask->__val[0] & ~INTERNAL_SIGNALS;
        kp = &k;
    }
    return (int)__syscall_ret(__syscall_cp5(SYS_ppoll, fds, n, tp, kp, 8));
}
