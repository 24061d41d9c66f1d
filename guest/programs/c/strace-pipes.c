/* The program tests/strace.rs traces natively (real strace -f) and in the
 * guest (vmm run --strace) and compares: pipe and pipe2 (flags, failures),
 * poll and ppoll (events asked, revents returned, timeouts, signal masks,
 * arrays cut after 32 entries or where strace's buffer for the revents
 * ends, arrays that cannot be read), and the FIONREAD / FIONBIO ioctls,
 * with read and write through the pipe. Nothing waits, so every result is
 * the same natively and in the guest; ppoll's timeouts are zero, which
 * Linux leaves as they are (a non-zero one is rewritten with the time
 * left, which differs from run to run).
 *
 * With the argument `wait`: a ppoll that returns with time left and one
 * that times out, for the guest's own checks. */
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* guest-libc has no <poll.h> or <sys/ioctl.h>: Linux's numbers. */
struct pollfd {
    int fd;
    short events;
    short revents;
};
#define POLLIN 0x1
#define POLLPRI 0x2
#define POLLOUT 0x4
#define POLLWRNORM 0x100
#define FIONREAD 0x541B
#define FIONBIO 0x5421

#define SIGSET_SIZE 8

static struct pollfd many[40];

static int wait_mode(void)
{
    int p[2];
    if (syscall(SYS_pipe2, p, 0) != 0)
        return 1;
    unsigned long usr1 = 1UL << (SIGUSR1 - 1);
    struct pollfd r = {p[0], POLLIN, 0};
    struct timespec ts = {0, 30 * 1000 * 1000};
    long timed_out = syscall(SYS_ppoll, &r, 1, &ts, &usr1, SIGSET_SIZE);
    write(p[1], "x", 1);
    ts.tv_sec = 1;
    ts.tv_nsec = 0;
    long ready = syscall(SYS_ppoll, &r, 1, &ts, &usr1, SIGSET_SIZE);
    return timed_out == 0 && ready == 1 ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "wait") == 0)
        return wait_mode();

    int p[2], q[2];
    syscall(SYS_pipe2, p, O_CLOEXEC | O_NONBLOCK);
    syscall(SYS_pipe2, q, 0x10);
    syscall(SYS_pipe, (void *)8);
    syscall(SYS_pipe, q);
    close(q[0]);
    close(q[1]);

    struct pollfd f[2] = {{p[0], POLLIN, 0}, {p[1], POLLOUT, 0}};
    syscall(SYS_poll, f, 2, 0);
    write(p[1], "hello", 5);
    int n = -1;
    syscall(SYS_ioctl, p[0], FIONREAD, &n);
    syscall(SYS_ioctl, p[0], FIONREAD, (void *)8);
    syscall(SYS_poll, f, 2, -1);
    char buf[16];
    read(p[0], buf, sizeof buf);
    read(p[0], buf, sizeof buf);
    int zero = 0;
    syscall(SYS_ioctl, p[0], FIONBIO, &zero);

    /* Negative fds are skipped; a closed one is POLLNVAL. */
    struct pollfd g[3] = {{p[0], POLLIN | POLLPRI, 0}, {-1, POLLIN, 0}, {77, POLLIN | POLLOUT, 0}};
    syscall(SYS_poll, g, 3, 0);
    syscall(SYS_poll, NULL, 0, 0);
    syscall(SYS_poll, (void *)8, 1, 0);

    unsigned long usr1 = 1UL << (SIGUSR1 - 1);
    struct timespec ts = {0, 0};
    syscall(SYS_ppoll, f, 2, &ts, &usr1, SIGSET_SIZE);
    syscall(SYS_ppoll, f, 1, &ts, NULL, SIGSET_SIZE);
    write(p[1], "x", 1);
    syscall(SYS_ppoll, f, 1, NULL, &usr1, SIGSET_SIZE);
    syscall(SYS_ppoll, f, 1, &ts, &usr1, 7);
    syscall(SYS_ppoll, f, 1, (void *)8, NULL, SIGSET_SIZE);
    read(p[0], buf, 1);

    /* An array whose third entry is on an unmapped page. */
    char *page = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (page != MAP_FAILED) {
        munmap(page + 4096, 4096);
        struct pollfd *edge = (struct pollfd *)(page + 4096 - 2 * sizeof(struct pollfd));
        edge[0] = f[0];
        edge[1] = f[1];
        syscall(SYS_poll, edge, 3, 0);
        munmap(page, 4096);
    }

    /* 40 entries: the argument is cut after 32, the revents after 32. */
    for (int i = 0; i < 40; i++) {
        many[i].fd = p[1];
        many[i].events = POLLOUT;
    }
    syscall(SYS_poll, many, 40, 0);
    syscall(SYS_poll, many, 32, 0);

    /* The write end with no reader: POLLOUT|POLLERR|POLLWRNORM entries,
     * 45 bytes each as fd 1000, fill strace's buffer after 21. 22 that
     * end at byte 996 (fds of 1 to 4 digits) all fit, and leave no room
     * for a ppoll's time left. */
    close(p[0]);
    dup2(p[1], 5);
    dup2(p[1], 500);
    dup2(p[1], 1000);
    for (int i = 0; i < 40; i++) {
        many[i].fd = 1000;
        many[i].events = POLLOUT | POLLWRNORM;
    }
    syscall(SYS_poll, many, 40, 0);
    syscall(SYS_ppoll, many, 20, &ts, NULL, SIGSET_SIZE);
    many[9].fd = 500;
    for (int i = 10; i < 22; i++)
        many[i].fd = 5;
    syscall(SYS_poll, many, 22, 0);
    syscall(SYS_ppoll, many, 22, &ts, NULL, SIGSET_SIZE);
    close(5);
    close(500);
    close(1000);
    close(p[1]);
    return 0;
}
