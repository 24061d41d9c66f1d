/*
 * eventfd conformance: the counter, EFD_SEMAPHORE, EFD_NONBLOCK, the
 * limits (short buffers, the value 2^64 - 1, a sum past 2^64 - 2), poll
 * and epoll readiness (edge-triggered too), a reader blocked until
 * another thread writes, and a read interrupted by a signal. One line per
 * case; the same natively and in the guest. (glibc only: guest-libc has
 * no <sys/epoll.h>.)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define EFD_SEMAPHORE 1

static const char *ename(int e)
{
    switch (e) {
    case 0: return "0";
    case EAGAIN: return "EAGAIN";
    case EINVAL: return "EINVAL";
    case EINTR: return "EINTR";
    case EBADF: return "EBADF";
    default: return "other";
    }
}

static int efd(unsigned init, int flags)
{
    return (int)syscall(SYS_eventfd2, init, flags);
}

static long rd(int fd, uint64_t *v)
{
    long r = read(fd, v, sizeof *v);
    return r < 0 ? -errno : r;
}

static long wr(int fd, uint64_t v)
{
    long r = write(fd, &v, sizeof v);
    return r < 0 ? -errno : r;
}

static const char *res(long r)
{
    static char buf[8][32];
    static int i;
    char *b = buf[i++ % 8];
    if (r < 0)
        snprintf(b, 32, "-1 %s", ename((int)-r));
    else
        snprintf(b, 32, "%ld", r);
    return b;
}

static int fd_for_thread;
static void *late_writer(void *arg)
{
    (void)arg;
    struct timespec t = {0, 50 * 1000 * 1000};
    nanosleep(&t, 0);
    wr(fd_for_thread, 5);
    return 0;
}

static void on_alarm(int s) { (void)s; }

int main(void)
{
    uint64_t v = 0;
    int fd = efd(3, 0);
    long a = wr(fd, 4);
    long b = rd(fd, &v);
    printf("counter: write=%s read=%s value=%llu\n", res(a), res(b), (unsigned long long)v);

    int nb = efd(0, O_NONBLOCK);
    printf("nonblock-empty: %s\n", res(rd(nb, &v)));
    printf("flags: nonblock=%d cloexec=%d\n", (fcntl(nb, F_GETFL) & O_NONBLOCK) != 0,
           (fcntl(efd(0, O_CLOEXEC), F_GETFD) & FD_CLOEXEC) != 0);
    printf("bad-flags: %s\n", res(efd(0, 0x40) < 0 ? -errno : 0));

    char small[4];
    printf("short-read: %s short-write: %s\n", res(read(fd, small, 4) < 0 ? -errno : 0),
           res(write(fd, small, 4) < 0 ? -errno : 0));
    printf("write-max: %s\n", res(wr(nb, UINT64_MAX)));
    long f1 = wr(nb, UINT64_MAX - 1);
    long f2 = wr(nb, 1);
    printf("fill: %s then-1: %s\n", res(f1), res(f2));
    rd(nb, &v);
    printf("drained: value=%llu again=%s\n", (unsigned long long)v, res(rd(nb, &v)));

    int sem = efd(3, EFD_SEMAPHORE | O_NONBLOCK);
    long s1 = rd(sem, &v);
    uint64_t v1 = v;
    rd(sem, &v);
    rd(sem, &v);
    printf("semaphore: first=%s value=%llu fourth=%s\n", res(s1), (unsigned long long)v1, res(rd(sem, &v)));

    struct pollfd p = {nb, POLLIN | POLLOUT, 0};
    poll(&p, 1, 0);
    printf("poll-empty: in=%d out=%d\n", !!(p.revents & POLLIN), !!(p.revents & POLLOUT));
    wr(nb, 2);
    poll(&p, 1, 0);
    printf("poll-after-write: in=%d out=%d\n", !!(p.revents & POLLIN), !!(p.revents & POLLOUT));
    wr(nb, UINT64_MAX - 3);
    poll(&p, 1, 0);
    printf("poll-full: in=%d out=%d\n", !!(p.revents & POLLIN), !!(p.revents & POLLOUT));
    rd(nb, &v);

    int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN | EPOLLET, .data.u32 = 7};
    int e0 = epoll_ctl(ep, EPOLL_CTL_ADD, nb, &ev);
    struct epoll_event out[2];
    int n0 = epoll_wait(ep, out, 2, 0);
    wr(nb, 1);
    int n1 = epoll_wait(ep, out, 2, 0);
    int n2 = epoll_wait(ep, out, 2, 0);
    wr(nb, 1);
    int n3 = epoll_wait(ep, out, 2, 0);
    printf("epoll-et: add=%d empty=%d after-write=%d again=%d second-write=%d data=%u\n", e0, n0, n1, n2, n3,
           out[0].data.u32);
    rd(nb, &v);

    fd_for_thread = efd(0, 0);
    pthread_t t;
    pthread_create(&t, 0, late_writer, 0);
    long r = rd(fd_for_thread, &v);
    pthread_join(t, 0);
    printf("blocking-read: %s value=%llu\n", res(r), (unsigned long long)v);

    fd_for_thread = efd(0, 0);
    pthread_create(&t, 0, late_writer, 0);
    struct epoll_event e2 = {.events = EPOLLIN, .data.u32 = 9};
    int ep2 = epoll_create1(0);
    epoll_ctl(ep2, EPOLL_CTL_ADD, fd_for_thread, &e2);
    int nw = epoll_wait(ep2, out, 2, 5000);
    pthread_join(t, 0);
    printf("epoll-wait-woken: n=%d data=%u\n", nw, out[0].data.u32);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sigaction(SIGALRM, &sa, 0);
    int lone = efd(0, 0);
    alarm(1);
    printf("interrupted-read: %s\n", res(rd(lone, &v)));
    printf("closed: %s\n", res(close(lone) == 0 ? rd(lone, &v) : -1));
    return 0;
}
