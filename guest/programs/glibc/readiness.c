/* epoll and select against glibc, one line per case: level- and
 * edge-triggered epoll on pipes, EPOLLONESHOT, hang-up and error events,
 * epoll_ctl's and epoll_wait's errors, EINTR even with SA_RESTART, and
 * select's sets, EBADF, timeout handling and pselect's signal mask. Every
 * line is the same natively and in the guest (no pids, addresses or
 * timings). */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <time.h>
#include <unistd.h>

static const char *errname(int e)
{
    switch (e) {
    case 0: return "0";
    case EINVAL: return "EINVAL";
    case EBADF: return "EBADF";
    case EEXIST: return "EEXIST";
    case ENOENT: return "ENOENT";
    case EFAULT: return "EFAULT";
    case EINTR: return "EINTR";
    case EPERM: return "EPERM";
    case ELOOP: return "ELOOP";
    default: return "other";
    }
}

/* A call's result as "N" or "-1 ERRNO". */
static const char *res(long r, int e)
{
    static char buf[8][32];
    static int k;
    char *b = buf[k++ % 8];
    if (r < 0)
        snprintf(b, 32, "-1 %s", errname(e));
    else
        snprintf(b, 32, "%ld", r);
    return b;
}

static const char *tried(long r)
{
    return res(r, errno);
}

/* One call's result; errno is cleared first. One per statement: the order
 * of two in one argument list is unspecified. */
#define TRY(call) tried((errno = 0, (long)(call)))

static int fd[2];
static void *late_writer(void *a)
{
    (void)a;
    struct timespec d = {0, 20 * 1000 * 1000};
    nanosleep(&d, 0);
    if (write(fd[1], "x", 1) != 1)
        return (void *)1;
    return 0;
}

static void on_alarm(int s)
{
    (void)s;
}

static long long now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000LL + t.tv_nsec / 1000000;
}

static void epoll_cases(void)
{
    char c;
    if (pipe(fd) != 0) {
        printf("pipe failed: %s\n", errname(errno));
        return;
    }
    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event e = {EPOLLIN, {.u64 = 7}}, out[8];
    printf("epoll-add: %s\n", TRY(epoll_ctl(ep, EPOLL_CTL_ADD, fd[0], &e)));
    printf("epoll-add-again: %s\n", TRY(epoll_ctl(ep, EPOLL_CTL_ADD, fd[0], &e)));
    printf("epoll-wait-empty: %s\n", TRY(epoll_wait(ep, out, 8, 0)));
    pthread_t t;
    pthread_create(&t, 0, late_writer, 0);
    const char *w = TRY(epoll_wait(ep, out, 8, 5000));
    printf("epoll-wait-woken: %s events=%#x data=%llu\n", w, out[0].events, (unsigned long long)out[0].data.u64);
    pthread_join(t, 0);
    printf("epoll-level-again: %s\n", TRY(epoll_wait(ep, out, 8, 0)));
    e.events = EPOLLIN | EPOLLET;
    epoll_ctl(ep, EPOLL_CTL_MOD, fd[0], &e);
    printf("epoll-edge-after-mod: %s\n", TRY(epoll_wait(ep, out, 8, 0)));
    printf("epoll-edge-again: %s\n", TRY(epoll_wait(ep, out, 8, 0)));
    if (write(fd[1], "y", 1) != 1)
        printf("write failed\n");
    printf("epoll-edge-after-write: %s\n", TRY(epoll_wait(ep, out, 8, 0)));
    if (read(fd[0], &c, 1) != 1)
        printf("read failed\n");
    printf("epoll-edge-after-read: %s\n", TRY(epoll_wait(ep, out, 8, 0)));
    e.events = EPOLLIN | EPOLLONESHOT;
    epoll_ctl(ep, EPOLL_CTL_MOD, fd[0], &e);
    const char *first = TRY(epoll_wait(ep, out, 8, 0));
    const char *then = TRY(epoll_wait(ep, out, 8, 0));
    printf("epoll-oneshot: first=%s then=%s\n", first, then);
    e.events = EPOLLIN;
    epoll_ctl(ep, EPOLL_CTL_MOD, fd[0], &e);
    printf("epoll-oneshot-rearmed: %s\n", TRY(epoll_wait(ep, out, 8, 0)));
    const char *del = TRY(epoll_ctl(ep, EPOLL_CTL_DEL, fd[0], 0));
    const char *again = TRY(epoll_ctl(ep, EPOLL_CTL_DEL, fd[0], 0));
    printf("epoll-del: %s del-again=%s\n", del, again);
    printf("epoll-mod-missing: %s\n", TRY(epoll_ctl(ep, EPOLL_CTL_MOD, fd[0], &e)));
    e.events = EPOLLOUT;
    epoll_ctl(ep, EPOLL_CTL_ADD, fd[1], &e);
    w = TRY(epoll_wait(ep, out, 8, 0));
    printf("epoll-writable: %s events=%#x\n", w, out[0].events);
    close(fd[0]);
    w = TRY(epoll_wait(ep, out, 8, 0));
    printf("epoll-reader-gone: %s events=%#x\n", w, out[0].events);
    epoll_ctl(ep, EPOLL_CTL_DEL, fd[1], 0);
    close(fd[1]);

    /* Level-triggered items take turns when maxevents is small. */
    int p[3][2];
    for (int i = 0; i < 3; i++) {
        if (pipe(p[i]) != 0 || write(p[i][1], "z", 1) != 1)
            printf("pipe %d failed\n", i);
        struct epoll_event ev = {EPOLLIN, {.u32 = (unsigned)i}};
        epoll_ctl(ep, EPOLL_CTL_ADD, p[i][0], &ev);
    }
    char order[16] = {0};
    for (int i = 0; i < 6; i++) {
        struct epoll_event one;
        if (epoll_wait(ep, &one, 1, 0) == 1)
            order[i] = (char)('0' + one.data.u32);
    }
    printf("epoll-level-round-robin: %s\n", order);
    for (int i = 0; i < 3; i++) {
        epoll_ctl(ep, EPOLL_CTL_DEL, p[i][0], 0);
        close(p[i][0]);
        close(p[i][1]);
    }

    if (pipe(fd) != 0)
        return;
    e.events = EPOLLIN;
    printf("epoll-add-self: %s\n", TRY(epoll_ctl(ep, EPOLL_CTL_ADD, ep, &e)));
    printf("epoll-bad-op: %s\n", TRY(epoll_ctl(ep, 9, fd[0], &e)));
    printf("epoll-bad-fd: %s\n", TRY(epoll_ctl(ep, EPOLL_CTL_ADD, 999, &e)));
    printf("epoll-not-epoll: %s\n", TRY(epoll_ctl(fd[0], EPOLL_CTL_ADD, fd[1], &e)));
    printf("epoll-null-event: %s\n", TRY(epoll_ctl(ep, EPOLL_CTL_ADD, fd[0], 0)));
    e.events = EPOLLIN | EPOLLEXCLUSIVE;
    epoll_ctl(ep, EPOLL_CTL_ADD, fd[0], &e);
    printf("epoll-mod-exclusive: %s\n", TRY(epoll_ctl(ep, EPOLL_CTL_MOD, fd[0], &e)));
    epoll_ctl(ep, EPOLL_CTL_DEL, fd[0], 0);
    printf("epoll-wait-maxevents-0: %s\n", TRY(epoll_wait(ep, out, 0, 0)));
    printf("epoll-wait-not-epoll: %s\n", TRY(epoll_wait(fd[0], out, 1, 0)));
    struct epoll_event *volatile unmapped = (struct epoll_event *)8;
    printf("epoll-wait-bad-buffer: %s\n", TRY(epoll_wait(ep, unmapped, 1, 0)));
    printf("epoll-create1-bad-flags: %s\n", TRY(epoll_create1(1)));
    printf("epoll-create-size-0: %s\n", TRY(epoll_create(0)));

    e.events = EPOLLIN;
    epoll_ctl(ep, EPOLL_CTL_ADD, fd[0], &e);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGALRM, &sa, 0);
    alarm(1);
    printf("epoll-wait-eintr-even-with-sa-restart: %s\n", TRY(epoll_wait(ep, out, 8, -1)));
    long long t0 = now_ms();
    w = TRY(epoll_wait(ep, out, 8, 30));
    printf("epoll-wait-timeout: %s waited>=30ms=%d\n", w, now_ms() - t0 >= 30);
    sigset_t m, old;
    sigemptyset(&m);
    sigaddset(&m, SIGUSR1);
    sigprocmask(SIG_BLOCK, &m, &old);
    signal(SIGUSR1, on_alarm);
    raise(SIGUSR1);
    w = TRY(epoll_pwait(ep, out, 8, 5000, &old));
    sigset_t now;
    sigprocmask(SIG_BLOCK, 0, &now);
    printf("epoll-pwait-unblocks: %s mask-back=%d\n", w, sigismember(&now, SIGUSR1));
    sigprocmask(SIG_SETMASK, &old, 0);
    close(fd[0]);
    close(fd[1]);
    close(ep);
}

static void select_cases(void)
{
    if (pipe(fd) != 0)
        return;
    fd_set rs, ws;
    FD_ZERO(&rs);
    FD_ZERO(&ws);
    FD_SET(fd[0], &rs);
    FD_SET(fd[1], &ws);
    struct timeval tv = {0, 0};
    const char *w = TRY(select(fd[1] + 1, &rs, &ws, 0, &tv));
    printf("select-empty-pipe: %s read=%d write=%d\n", w, FD_ISSET(fd[0], &rs), FD_ISSET(fd[1], &ws));
    FD_ZERO(&rs);
    FD_SET(fd[0], &rs);
    tv.tv_usec = 30000;
    long long t0 = now_ms();
    w = TRY(select(fd[0] + 1, &rs, 0, 0, &tv));
    printf("select-timeout: %s waited>=30ms=%d left=%ld.%06ld read=%d\n", w, now_ms() - t0 >= 30, (long)tv.tv_sec,
           (long)tv.tv_usec, FD_ISSET(fd[0], &rs));
    pthread_t t;
    pthread_create(&t, 0, late_writer, 0);
    FD_ZERO(&rs);
    FD_SET(fd[0], &rs);
    w = TRY(select(fd[0] + 1, &rs, 0, 0, 0));
    printf("select-woken: %s read=%d\n", w, FD_ISSET(fd[0], &rs));
    pthread_join(t, 0);
    FD_ZERO(&rs);
    FD_ZERO(&ws);
    FD_SET(fd[0], &rs);
    FD_SET(fd[1], &rs);
    FD_SET(fd[1], &ws);
    tv.tv_sec = 0;
    tv.tv_usec = 0;
    w = TRY(select(fd[1] + 1, &rs, &ws, 0, &tv));
    printf("select-counts-bits: %s read0=%d read1=%d write1=%d\n", w, FD_ISSET(fd[0], &rs), FD_ISSET(fd[1], &rs),
           FD_ISSET(fd[1], &ws));
    FD_ZERO(&rs);
    FD_SET(40, &rs);
    printf("select-closed-fd: %s\n", TRY(select(41, &rs, 0, 0, &tv)));
    printf("select-negative-nfds: %s\n", TRY(select(-1, 0, 0, 0, &tv)));
    tv.tv_usec = -1;
    printf("select-negative-usec: %s\n", TRY(select(1, 0, 0, 0, &tv)));
    tv.tv_sec = 0;
    tv.tv_usec = 1200000;
    w = TRY(select(0, 0, 0, 0, &tv));
    printf("select-usec-carried: %s left=%ld.%06ld\n", w, (long)tv.tv_sec, (long)tv.tv_usec);
    close(fd[1]);
    FD_ZERO(&rs);
    FD_SET(fd[0], &rs);
    tv.tv_sec = 0;
    tv.tv_usec = 0;
    w = TRY(select(fd[0] + 1, &rs, 0, 0, &tv));
    printf("select-eof-is-readable: %s read=%d\n", w, FD_ISSET(fd[0], &rs));
    close(fd[0]);

    int e[2];
    if (pipe(e) != 0)
        return;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGALRM, &sa, 0);
    FD_ZERO(&rs);
    FD_SET(e[0], &rs);
    alarm(1);
    printf("select-eintr-even-with-sa-restart: %s\n", TRY(select(e[0] + 1, &rs, 0, 0, 0)));
    sigset_t m, old;
    sigemptyset(&m);
    sigaddset(&m, SIGUSR1);
    sigprocmask(SIG_BLOCK, &m, &old);
    signal(SIGUSR1, on_alarm);
    raise(SIGUSR1);
    struct timespec ts = {5, 0};
    FD_ZERO(&rs);
    FD_SET(e[0], &rs);
    w = TRY(pselect(e[0] + 1, &rs, 0, 0, &ts, &old));
    sigset_t now;
    sigprocmask(SIG_BLOCK, 0, &now);
    printf("pselect-unblocks: %s mask-back=%d\n", w, sigismember(&now, SIGUSR1));
    sigprocmask(SIG_SETMASK, &old, 0);
    close(e[0]);
    close(e[1]);
}

int main(void)
{
    setvbuf(stdout, 0, _IOLBF, 0);
    epoll_cases();
    select_cases();
    return 0;
}
