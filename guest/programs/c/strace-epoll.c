/* The program tests/strace.rs traces natively (real strace -f) and in the
 * guest (vmm run --strace) and compares: select and pselect6 (sets,
 * the ready sets and time left after the result, pselect6's sigmask
 * record, failures) and the epoll calls (create, ctl with its event and
 * data, the events a wait returns, pwait's mask, pwait2's timeout).
 *
 * Nothing waits, and every set a successful select is given holds only
 * descriptors that are ready: the kernel rewrites the sets and timeout
 * before the guest's strace reads them at exit, so a set with a
 * descriptor not ready, or a non-zero timeout, would print differently
 * from strace (which reads them at entry too). */
#include <signal.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

/* guest-libc has no <sys/select.h> or <sys/epoll.h>: Linux's layouts. */
typedef struct {
    unsigned long bits[1024 / 64];
} fdset;
static void set_zero(fdset *s) { for (int i = 0; i < 16; i++) s->bits[i] = 0; }
static void set_add(fdset *s, int fd) { s->bits[fd / 64] |= 1UL << (fd % 64); }

struct epoll_event {
    unsigned int events;
    unsigned long data;
} __attribute__((packed));
#define EPOLLIN 0x1u
#define EPOLLOUT 0x4u
#define EPOLLONESHOT (1u << 30)
#define EPOLLET (1u << 31)
#define EPOLL_CTL_ADD 1
#define EPOLL_CTL_DEL 2
#define EPOLL_CTL_MOD 3
#define EPOLL_CLOEXEC 02000000
#define SIGSET_SIZE 8

struct sigmask_arg {
    const unsigned long *mask;
    unsigned long size;
};

int main(void)
{
    int p[2];
    syscall(SYS_pipe2, p, 0);
    fdset r, w, e;
    struct timeval tv = {0, 0};
    struct timespec ts = {0, 0};
    unsigned long usr1 = 1UL << (SIGUSR1 - 1);

    /* select: the write end is ready; then the read end once it has data. */
    set_zero(&w);
    set_add(&w, p[1]);
    syscall(SYS_select, 5, NULL, &w, NULL, &tv);
    syscall(SYS_select, 0, NULL, NULL, NULL, &tv);
    write(p[1], "x", 1);
    set_zero(&r);
    set_add(&r, p[0]);
    set_zero(&w);
    set_add(&w, p[1]);
    syscall(SYS_select, 5, &r, &w, NULL, &tv);
    syscall(SYS_select, 5, &r, NULL, NULL, NULL);
    /* Failures leave the sets as given. */
    set_zero(&e);
    syscall(SYS_select, 5, &r, NULL, &e, (void *)8);
    syscall(SYS_select, 5, (void *)8, NULL, NULL, &tv);
    syscall(SYS_select, -1, &r, NULL, NULL, &tv);
    syscall(SYS_select, 100, &r, NULL, NULL, (void *)8);
    struct timeval bad = {-1, 0};
    syscall(SYS_select, 5, &r, NULL, NULL, &bad);

    /* pselect6 and its sigmask record. */
    struct sigmask_arg sm = {&usr1, SIGSET_SIZE};
    struct sigmask_arg sm_null = {NULL, SIGSET_SIZE};
    struct sigmask_arg sm_size = {&usr1, 7};
    struct sigmask_arg sm_bad = {(void *)8, SIGSET_SIZE};
    set_zero(&r);
    set_add(&r, p[0]);
    syscall(SYS_pselect6, 5, &r, NULL, NULL, &ts, &sm);
    syscall(SYS_pselect6, 5, &r, NULL, NULL, &ts, &sm_null);
    syscall(SYS_pselect6, 5, &r, NULL, NULL, &ts, NULL);
    syscall(SYS_pselect6, 5, &r, NULL, NULL, &ts, &sm_size);
    syscall(SYS_pselect6, 5, &r, NULL, NULL, &ts, (void *)8);
    syscall(SYS_pselect6, 5, &r, NULL, NULL, &ts, &sm_bad);
    syscall(SYS_pselect6, 5, NULL, NULL, NULL, (void *)8, &sm);
    syscall(SYS_pselect6, 0, NULL, NULL, NULL, &ts, NULL);
    char c;
    read(p[0], &c, 1);

    /* epoll. */
    int ep = syscall(SYS_epoll_create1, EPOLL_CLOEXEC);
    int ep2 = syscall(SYS_epoll_create, 1);
    syscall(SYS_epoll_create, 0);
    syscall(SYS_epoll_create1, 1);
    close(ep2);
    struct epoll_event ev = {EPOLLIN | EPOLLET, 7};
    syscall(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, p[0], &ev);
    syscall(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, p[0], &ev);
    struct epoll_event out[48];
    syscall(SYS_epoll_wait, ep, out, 8, 0);
    syscall(SYS_epoll_pwait, ep, out, 8, 0, &usr1, SIGSET_SIZE);
    syscall(SYS_epoll_pwait2, ep, out, 8, &ts, NULL, SIGSET_SIZE);
    ev.events = EPOLLOUT;
    ev.data = 0x100000009UL;
    syscall(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, p[1], &ev);
    ev.events = EPOLLOUT | EPOLLONESHOT;
    ev.data = (unsigned long)-1;
    syscall(SYS_epoll_ctl, ep, EPOLL_CTL_MOD, p[1], &ev);
    syscall(SYS_epoll_wait, ep, out, 8, 0);
    syscall(SYS_epoll_wait, ep, out, 8, 0);
    /* One ready at a time: Linux lists ready descriptors in the order
     * they became ready, this kernel in descriptor order. */
    ev.events = EPOLLOUT;
    ev.data = 0x100000009UL;
    syscall(SYS_epoll_ctl, ep, EPOLL_CTL_MOD, p[1], &ev);
    syscall(SYS_epoll_wait, ep, out, 8, -1);
    syscall(SYS_epoll_pwait, ep, out, 8, 0, &usr1, SIGSET_SIZE);
    syscall(SYS_epoll_pwait, ep, out, 8, 0, NULL, SIGSET_SIZE);
    syscall(SYS_epoll_pwait2, ep, out, 8, &ts, &usr1, SIGSET_SIZE);
    syscall(SYS_epoll_pwait2, ep, out, 8, NULL, NULL, SIGSET_SIZE);
    syscall(SYS_epoll_ctl, ep, EPOLL_CTL_DEL, p[1], &ev);
    syscall(SYS_epoll_ctl, ep, EPOLL_CTL_DEL, p[1], &ev);
    /* Edge-triggered: reported once. */
    write(p[1], "x", 1);
    syscall(SYS_epoll_wait, ep, out, 8, 0);
    read(p[0], &c, 1);
    /* Failures: the events, mask and timeout as addresses. */
    syscall(SYS_epoll_ctl, ep, EPOLL_CTL_DEL, p[0], NULL);
    syscall(SYS_epoll_ctl, ep, 9, p[1], &ev);
    syscall(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, p[1], (void *)8);
    syscall(SYS_epoll_ctl, 99, EPOLL_CTL_ADD, p[1], &ev);
    syscall(SYS_epoll_wait, ep, out, 0, 0);
    syscall(SYS_epoll_wait, ep, (void *)8, 8, 0);
    syscall(SYS_epoll_wait, 99, out, 8, 0);
    syscall(SYS_epoll_pwait, 99, out, 8, 0, &usr1, SIGSET_SIZE);
    syscall(SYS_epoll_pwait, ep, out, 8, 0, &usr1, 7);
    syscall(SYS_epoll_pwait2, ep, out, 8, (void *)8, NULL, SIGSET_SIZE);
    struct timespec bad_ts = {0, 2000000000};
    syscall(SYS_epoll_pwait2, ep, out, 8, &bad_ts, NULL, SIGSET_SIZE);

    /* 40 ready: the events cut after 32. */
    int ep3 = syscall(SYS_epoll_create1, 0);
    for (int i = 0; i < 40; i++) {
        /* Fixed numbers: natively lower ones may be inherited. */
        int d = dup2(p[1], 100 + i);
        ev.events = EPOLLOUT;
        ev.data = d;
        syscall(SYS_epoll_ctl, ep3, EPOLL_CTL_ADD, d, &ev);
    }
    syscall(SYS_epoll_wait, ep3, out, 48, 0);
    return 0;
}
