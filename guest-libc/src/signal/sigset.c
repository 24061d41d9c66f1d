/* Signal sets. Only the first word means anything (signals 1 to 64);
 * the others are kept zero. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include "internal.h"

#define BIT(sig) (1UL << ((sig) - 1))

int sigemptyset(sigset_t *set)
{
    memset(set, 0, sizeof(*set));
    return 0;
}

/* Without the library's own signals, as glibc: a mask made from a full
 * set must never block SIGCANCEL. */
int sigfillset(sigset_t *set)
{
    memset(set, 0, sizeof(*set));
    set->__val[0] = ~0UL & ~BIT(SIGCANCEL) & ~BIT(SIGSETXID);
    return 0;
}

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
    set->__val[0] |= BIT(sig);
    return 0;
}

int sigdelset(sigset_t *set, int sig)
{
    if (bad_signal(sig))
        return -1;
    set->__val[0] &= ~BIT(sig);
    return 0;
}

int sigismember(const sigset_t *set, int sig)
{
    if (bad_signal(sig))
        return -1;
    return (set->__val[0] & BIT(sig)) != 0;
}

int sigisemptyset(const sigset_t *set) { return set->__val[0] == 0; }

int sigorset(sigset_t *dest, const sigset_t *a, const sigset_t *b)
{
    unsigned long v = a->__val[0] | b->__val[0];
    sigemptyset(dest);
    dest->__val[0] = v;
    return 0;
}

int sigandset(sigset_t *dest, const sigset_t *a, const sigset_t *b)
{
    unsigned long v = a->__val[0] & b->__val[0];
    sigemptyset(dest);
    dest->__val[0] = v;
    return 0;
}

int __libc_current_sigrtmin(void) { return __SIGRTMIN_APP; }
int __libc_current_sigrtmax(void) { return __SIGRTMAX; }
