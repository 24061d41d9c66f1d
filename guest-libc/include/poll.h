#ifndef _POLL_H
#define _POLL_H
#include <features.h>
#include <sys/types.h>
#ifdef _GNU_SOURCE
#include <bits/sigset.h>
#include <bits/timespec.h>
#endif
__BEGIN_DECLS
#define POLLIN 0x001
#define POLLPRI 0x002
#define POLLOUT 0x004
#define POLLERR 0x008
#define POLLHUP 0x010
#define POLLNVAL 0x020
#define POLLRDNORM 0x040
#define POLLRDBAND 0x080
#define POLLWRNORM 0x100
#define POLLWRBAND 0x200
typedef unsigned long nfds_t;
struct pollfd {
    int fd;
    short events;
    short revents;
};
int poll(struct pollfd *fds, nfds_t nfds, int timeout);
#ifdef _GNU_SOURCE
int ppoll(struct pollfd *fds, nfds_t nfds, const struct timespec *timeout, const sigset_t *sigmask);
#endif
__END_DECLS
#endif
