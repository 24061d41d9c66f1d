/* Wake-ups of a thread already asleep in epoll_wait (timeout -1) or in
 * poll on an epoll descriptor, by what another thread does meanwhile:
 * closing the last descriptor of a watched pipe end (what Go's
 * os.File.Close does after EPOLL_CTL_DEL while another thread sits in
 * its netpoller), adding or modifying an item, and writing to a pipe an
 * epoll watches. Linux wakes the sleeper in every case; each prints what
 * the sleeper's call returned.
 *
 * The sleeper is given 100 ms to block before the other thread acts (if
 * it has not, its call sees the change at once and prints the same). A
 * sleeper not woken within 2 s is interrupted by SIGUSR1, and its line
 * says so (its call may then still find what it missed): a kernel that
 * loses the wake-up prints a wrong line rather than hanging. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* guest-libc has no <sys/epoll.h>: Linux's layout. */
struct epoll_event {
    unsigned int events;
    unsigned long data;
} __attribute__((packed));
#define EPOLLIN 0x1u
#define EPOLLOUT 0x4u
#define EPOLLERR 0x8u
#define EPOLLHUP 0x10u
#define EPOLLET (1u << 31)
#define EPOLL_CTL_ADD 1
#define EPOLL_CTL_DEL 2
#define EPOLL_CTL_MOD 3

static int ep_create(void) { return syscall(SYS_epoll_create1, 0); }

static void ep_ctl(int ep, int op, int fd, unsigned events, unsigned long data)
{
    struct epoll_event e = {events, data};
    if (syscall(SYS_epoll_ctl, ep, op, fd, &e) != 0)
        printf("epoll_ctl(%d, %d): %s\n", op, fd, strerror(errno));
}

static void pipe_of(int p[2])
{
    if (syscall(SYS_pipe2, p, 0) != 0)
        printf("pipe2: %s\n", strerror(errno));
}

static void ms_sleep(long ms)
{
    struct timespec ts = {ms / 1000, ms % 1000 * 1000000};
    nanosleep(&ts, NULL);
}

static const char *events_name(unsigned ev)
{
    static char buf[64];
    buf[0] = 0;
    const struct {
        unsigned bit;
        const char *name;
    } names[] = {{EPOLLIN, "IN"}, {EPOLLOUT, "OUT"}, {EPOLLERR, "ERR"}, {EPOLLHUP, "HUP"}};
    for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (ev & names[i].bit) {
            if (buf[0])
                strcat(buf, "|");
            strcat(buf, names[i].name);
            ev &= ~names[i].bit;
        }
    }
    if (ev || !buf[0])
        sprintf(buf + strlen(buf), "%s%#x", buf[0] ? "|" : "", ev);
    return buf;
}

/* ---- the sleeper ---- */

enum how { EPOLL_WAIT, POLL_EPFD };

static struct sleeper {
    pthread_t thread;
    enum how how;
    int fd;
    sem_t done;
    char result[128];
} s;

static void *sleeper(void *arg)
{
    (void)arg;
    if (s.how == EPOLL_WAIT) {
        struct epoll_event out[4];
        long n = syscall(SYS_epoll_wait, s.fd, out, 4, -1);
        if (n < 0) {
            snprintf(s.result, sizeof s.result, "%s", errno == EINTR ? "EINTR" : strerror(errno));
        } else {
            int len = snprintf(s.result, sizeof s.result, "%ld", n);
            for (long i = 0; i < n; i++)
                len += snprintf(s.result + len, sizeof s.result - len, " %s data=%lu", events_name(out[i].events), out[i].data);
        }
    } else {
        struct pollfd p = {s.fd, POLLIN, 0};
        int n = poll(&p, 1, -1);
        if (n < 0)
            snprintf(s.result, sizeof s.result, "%s", errno == EINTR ? "EINTR" : strerror(errno));
        else
            snprintf(s.result, sizeof s.result, "%d revents=%s", n, events_name(p.revents));
    }
    sem_post(&s.done);
    return NULL;
}

/* Starts the sleeper on `fd` and gives it time to block. */
static void sleep_on(enum how how, int fd)
{
    s.how = how;
    s.fd = fd;
    sem_init(&s.done, 0, 0);
    pthread_create(&s.thread, NULL, sleeper, NULL);
    ms_sleep(100);
}

/* Waits for the sleeper's result (interrupting it after 2 s) and prints
 * it. */
static void report(const char *name)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 2;
    int lost = sem_timedwait(&s.done, &until) != 0;
    if (lost) {
        pthread_kill(s.thread, SIGUSR1);
        sem_wait(&s.done);
    }
    pthread_join(s.thread, NULL);
    printf("%s: %s%s\n", name, lost ? "not woken; after SIGUSR1: " : "", s.result);
}

static void on_usr1(int sig) { (void)sig; }

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, NULL);
    setvbuf(stdout, NULL, _IONBF, 0);

    /* Both ends watched edge-triggered, as Go's netpoller registers a
     * pipe; the write end's first EPOLLOUT taken before the sleeper
     * blocks. Closing the write end (after DEL, as Go does, or without)
     * must release it though a sleeper watched it: the read end hangs up. */
    for (int del = 1; del >= 0; del--) {
        int p[2], ep = ep_create();
        struct epoll_event out[4];
        pipe_of(p);
        ep_ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN | EPOLLET, 0);
        ep_ctl(ep, EPOLL_CTL_ADD, p[1], EPOLLOUT | EPOLLET, 1);
        syscall(SYS_epoll_wait, ep, out, 4, 0);
        sleep_on(EPOLL_WAIT, ep);
        if (del)
            ep_ctl(ep, EPOLL_CTL_DEL, p[1], 0, 0);
        close(p[1]);
        report(del ? "close-write-end-after-del" : "close-write-end");
        close(p[0]);
        close(ep);
    }

    /* The same with the read end closed: the write end reports an error. */
    {
        int p[2], ep = ep_create();
        struct epoll_event out[4];
        pipe_of(p);
        ep_ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN | EPOLLET, 0);
        ep_ctl(ep, EPOLL_CTL_ADD, p[1], EPOLLOUT | EPOLLET, 1);
        syscall(SYS_epoll_wait, ep, out, 4, 0);
        sleep_on(EPOLL_WAIT, ep);
        ep_ctl(ep, EPOLL_CTL_DEL, p[0], 0, 0);
        close(p[0]);
        report("close-read-end");
        close(p[1]);
        close(ep);
    }

    /* An item added while the sleeper sleeps (watching an idle pipe):
     * its later readiness wakes it, and so does readiness it has when
     * added. */
    for (int ready = 0; ready <= 1; ready++) {
        int idle[2], p[2], ep = ep_create();
        pipe_of(idle);
        ep_ctl(ep, EPOLL_CTL_ADD, idle[0], EPOLLIN, 9);
        sleep_on(EPOLL_WAIT, ep);
        pipe_of(p);
        if (ready)
            write(p[1], "x", 1);
        ep_ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN | EPOLLET, 2);
        if (!ready) {
            ms_sleep(100);
            write(p[1], "x", 1);
        }
        report(ready ? "add-ready" : "add-then-write");
        close(p[0]);
        close(p[1]);
        close(idle[0]);
        close(idle[1]);
        close(ep);
    }

    /* An item modified to ask for what the file already has. */
    {
        int p[2], ep = ep_create();
        pipe_of(p);
        write(p[1], "x", 1);
        ep_ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLOUT, 3);
        sleep_on(EPOLL_WAIT, ep);
        ep_ctl(ep, EPOLL_CTL_MOD, p[0], EPOLLIN, 3);
        report("mod-to-ready");
        close(p[0]);
        close(p[1]);
        close(ep);
    }

    /* poll on an epoll descriptor: a write to a pipe it watches makes it
     * readable. */
    {
        int p[2], ep = ep_create();
        pipe_of(p);
        ep_ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN, 4);
        sleep_on(POLL_EPFD, ep);
        write(p[1], "x", 1);
        report("poll-epoll-fd");
        close(p[0]);
        close(p[1]);
        close(ep);
    }
    printf("done\n");
    return 0;
}
