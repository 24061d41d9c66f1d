/* Pipes conformance: pipe and pipe2, reads and writes and their errors,
 * end of file and broken pipes (EPIPE, SIGPIPE), O_NONBLOCK and the
 * pipe's capacity, FIONREAD, fstat, waiting across threads and fork,
 * interrupted reads and writes, poll and ppoll, and cancellation in the
 * blocking calls. Every case prints one line of facts that do not depend
 * on timing, addresses, fd numbers or pids (relations are printed
 * instead), so a run on Linux is the reference for a run in the guest.
 *
 * A case whose pipe cannot be made says so and goes on to the next, and
 * a call that should not block but does is cut short by a guard timer
 * (see guard_on): a kernel that gets a case wrong prints a wrong line
 * rather than hanging the run. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CASE(name, ...)                  \
    do {                                 \
        printf("%s: ", name);            \
        printf(__VA_ARGS__);             \
        printf("\n");                    \
    } while (0)

/* What Linux gives a pipe; the cases that fill one check it. */
#define CAPACITY 65536

/* ---- names ---- */

/* Rotating buffers, so one printf can show several results. */
#define SBUF 160
static char *sbuf(void)
{
    static char bufs[16][SBUF];
    static int n;
    return bufs[n++ & 15];
}

static const char *errname(int e)
{
    switch (e) {
    case 0: return "0";
    case EINTR: return "EINTR";
    case EINVAL: return "EINVAL";
    case EAGAIN: return "EAGAIN";
    case EFAULT: return "EFAULT";
    case EBADF: return "EBADF";
    case EPIPE: return "EPIPE";
    case ENOTTY: return "ENOTTY";
    case ESPIPE: return "ESPIPE";
    case EMFILE: return "EMFILE";
    case ENOSYS: return "ENOSYS";
    case ENOMEM: return "ENOMEM";
    case EPERM: return "EPERM";
    case ECHILD: return "ECHILD";
    }
    char *b = sbuf();
    snprintf(b, SBUF, "errno%d", e);
    return b;
}

/* A call's result: the count, or the errno's name when it failed. Taken
 * at once after the call, before anything else can change errno. */
static const char *res(long r)
{
    if (r < 0)
        return errname(errno);
    char *b = sbuf();
    snprintf(b, SBUF, "%ld", r);
    return b;
}

static const char *signame(int sig)
{
    switch (sig) {
    case SIGPIPE: return "SIGPIPE";
    case SIGALRM: return "SIGALRM";
    case SIGUSR1: return "SIGUSR1";
    case SIGKILL: return "SIGKILL";
    case SIGSEGV: return "SIGSEGV";
    case SIGTERM: return "SIGTERM";
    case 0: return "none";
    }
    char *b = sbuf();
    snprintf(b, SBUF, "sig%d", sig);
    return b;
}

static const char *codename(int code)
{
    switch (code) {
    case SI_USER: return "SI_USER";
    case SI_KERNEL: return "SI_KERNEL";
    case SI_QUEUE: return "SI_QUEUE";
    case SI_TKILL: return "SI_TKILL";
    }
    char *b = sbuf();
    snprintf(b, SBUF, "code%d", code);
    return b;
}

static const char *status_text(int st)
{
    char *b = sbuf();
    if (WIFEXITED(st))
        snprintf(b, SBUF, "exited %d", WEXITSTATUS(st));
    else if (WIFSIGNALED(st))
        snprintf(b, SBUF, "killed by %s", signame(WTERMSIG(st)));
    else
        snprintf(b, SBUF, "status 0x%x", st);
    return b;
}

/* poll's bits by name, "0" for none. */
static const char *evname(int ev)
{
    static const struct {
        int bit;
        const char *name;
    } bits[] = {
        {POLLIN, "POLLIN"},         {POLLPRI, "POLLPRI"},       {POLLOUT, "POLLOUT"},
        {POLLERR, "POLLERR"},       {POLLHUP, "POLLHUP"},       {POLLNVAL, "POLLNVAL"},
        {POLLRDNORM, "POLLRDNORM"}, {POLLRDBAND, "POLLRDBAND"}, {POLLWRNORM, "POLLWRNORM"},
        {POLLWRBAND, "POLLWRBAND"},
    };
    char *b = sbuf();
    b[0] = 0;
    for (size_t i = 0; i < sizeof bits / sizeof bits[0]; i++) {
        if (ev & bits[i].bit) {
            if (b[0])
                strcat(b, "|");
            strcat(b, bits[i].name);
            ev &= ~bits[i].bit;
        }
    }
    if (ev) {
        char rest[16];
        snprintf(rest, sizeof rest, "%s0x%x", b[0] ? "|" : "", ev);
        strcat(b, rest);
    }
    return b[0] ? b : "0";
}

/* ---- small tools ---- */

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static pid_t my_tid(void)
{
    return (pid_t)syscall(SYS_gettid);
}

static void plain(int sig, void (*fn)(int), int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = fn;
    sa.sa_flags = flags;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}

static void mask(int how, int sig)
{
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, sig);
    sigprocmask(how, &s, NULL);
}

static int is_pending(int sig)
{
    sigset_t p;
    sigpending(&p);
    return sigismember(&p, sig);
}

/* Drops a pending `sig` (ignoring a signal discards it) and leaves it
 * unblocked with the default action. */
static void discard(int sig)
{
    plain(sig, SIG_IGN, 0);
    mask(SIG_UNBLOCK, sig);
    plain(sig, SIG_DFL, 0);
}

static void itimer_ms(long first, long every)
{
    struct itimerval it = {{every / 1000, (every % 1000) * 1000}, {first / 1000, (first % 1000) * 1000}};
    setitimer(ITIMER_REAL, &it, NULL);
}

/* The guard: a periodic SIGALRM whose handler has no SA_RESTART, so a
 * call that blocks when it should not (or waits for a wakeup that never
 * comes) returns EINTR within seconds. Natively it never fires: the calls
 * it covers take milliseconds. The helper threads block SIGALRM, so it
 * finds the main thread. Nested guards share the outer one's timer. */
static int guard_depth;
static void guard_handler(int sig)
{
    (void)sig;
}

static void guard_on(void)
{
    if (guard_depth++)
        return;
    plain(SIGALRM, guard_handler, 0);
    itimer_ms(5000, 5000);
}

static void guard_off(void)
{
    if (--guard_depth)
        return;
    itimer_ms(0, 0);
    /* Ignoring drops a tick that came as the timer was disarmed. */
    plain(SIGALRM, SIG_IGN, 0);
    plain(SIGALRM, SIG_DFL, 0);
}

#define GUARDED(call) \
    do {              \
        guard_on();   \
        call;         \
        guard_off();  \
    } while (0)

/* A thread with every signal blocked: SIGALRM goes to the main thread,
 * whose calls the cases interrupt. */
static pthread_t spawn(void *(*fn)(void *), void *arg)
{
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    pthread_t t;
    int e = pthread_create(&t, NULL, fn, arg);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (e) {
        fprintf(stderr, "pthread_create: %s\n", errname(e));
        exit(1);
    }
    return t;
}

/* A page that may not be touched: a buffer the kernel must refuse. */
static void *noaccess(void)
{
    static void *page;
    if (!page)
        page = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return page;
}

/* The lowest descriptor at or above `from` that is not open (-1 if
 * fcntl cannot tell). */
static int lowest_free(int from)
{
    for (int fd = from; fd < from + 4096; fd++)
        if (fcntl(fd, F_GETFD) < 0 && errno == EBADF)
            return fd;
    return -1;
}

/* pipe2 for case `name`: on failure the case's line says so and the case
 * is skipped. */
static int mkpipe2(int p[2], int flags, const char *name)
{
    p[0] = p[1] = -1;
    if (pipe2(p, flags) == 0)
        return 0;
    CASE(name, "skipped: pipe2 %s", errname(errno));
    return -1;
}

static int mkpipe(int p[2], const char *name)
{
    return mkpipe2(p, 0, name);
}

static void close2(int p[2])
{
    if (p[0] >= 0)
        close(p[0]);
    if (p[1] >= 0)
        close(p[1]);
    p[0] = p[1] = -1;
}

static int getfl(int fd)
{
    return fcntl(fd, F_GETFL);
}

static void set_nonblock(int fd, int on)
{
    int fl = fcntl(fd, F_GETFL);
    fcntl(fd, F_SETFL, on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK);
}

static int nread(int fd)
{
    int n = -1;
    if (ioctl(fd, FIONREAD, &n) < 0)
        return -1;
    return n;
}

static char big[1 << 20];
static char sink[1 << 20];

/* Fills the pipe with one nonblocking write (the capacity, as Linux counts
 * it: whole pages) and leaves the end as it found it. */
static long fill(int wfd)
{
    int fl = getfl(wfd);
    if (fl < 0 || fcntl(wfd, F_SETFL, fl | O_NONBLOCK) < 0)
        return -1;
    guard_on();
    long n = write(wfd, big, sizeof big);
    guard_off();
    fcntl(wfd, F_SETFL, fl);
    return n;
}

/* Reads what is queued without blocking. */
static long drain(int rfd)
{
    int fl = getfl(rfd);
    if (fl < 0 || fcntl(rfd, F_SETFL, fl | O_NONBLOCK) < 0)
        return -1;
    long total = 0, n;
    guard_on();
    while ((n = read(rfd, sink, sizeof sink)) > 0)
        total += n;
    guard_off();
    fcntl(rfd, F_SETFL, fl);
    return total;
}

/* poll of one descriptor: returns poll's result, revents in *rev. */
static int poll1(int fd, short events, int timeout, int *rev)
{
    struct pollfd p = {fd, events, 0};
    int r = poll(&p, 1, timeout);
    *rev = p.revents;
    return r;
}

/* ---- the recorded signal ---- */

static volatile sig_atomic_t hits;
static struct {
    int signo, code, errno_, pid_is_self, uid_is_self;
    pid_t tid;
} last;

static void rec_handler(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    last.signo = sig;
    last.code = si->si_code;
    last.errno_ = si->si_errno;
    last.pid_is_self = si->si_pid == getpid();
    last.uid_is_self = si->si_uid == getuid();
    last.tid = my_tid();
    hits++;
}

static void count_handler(int sig)
{
    (void)sig;
    hits++;
}

static void on_siginfo(int sig, int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = rec_handler;
    sa.sa_flags = SA_SIGINFO | flags;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}

static void reset(void)
{
    hits = 0;
    memset(&last, 0, sizeof last);
}

/* ---- threads that act on a pipe after a short wait ---- */

struct act {
    int fd;
    long ms;
    const char *data; /* written, if set */
    long nread;       /* else bytes read, if > 0 */
    int close_it;     /* else the fd is closed */
    long got;         /* what the call returned */
    volatile int done;
};

static void *actor(void *a)
{
    struct act *x = a;
    sleep_ms(x->ms);
    if (x->data)
        x->got = write(x->fd, x->data, strlen(x->data));
    else if (x->nread > 0)
        x->got = read(x->fd, sink, (size_t)x->nread);
    else if (x->close_it)
        x->got = close(x->fd);
    x->done = 1;
    return NULL;
}

/* Joins an actor. One still blocked after a few seconds (the case went
 * wrong: its read finds nothing) is cancelled, so the join does not wait
 * for ever. */
static void join_actor(pthread_t t, struct act *x)
{
    for (int i = 0; i < 5000 && !x->done; i++)
        sleep_ms(1);
    if (!x->done)
        pthread_cancel(t);
    pthread_join(t, NULL);
}

/* ======== pipe and pipe2 ======== */

static void case_pipe_fds(void)
{
    int lo = lowest_free(0), next = lowest_free(lo + 1);
    int p[2] = {-1, -1};
    int r = pipe(p);
    if (r) {
        CASE("pipe-fds", "ret=%s", errname(errno));
        return;
    }
    CASE("pipe-fds", "ret=0 distinct=%d read-end-lowest-free=%d write-end-next-free=%d", p[0] != p[1], p[0] == lo,
         p[1] == next);
    close2(p);
}

/* Descriptors freed anywhere are reused lowest first, by both ends. */
static void case_pipe_reuse(void)
{
    int a[2], b[2], c[2];
    if (mkpipe(a, "pipe-reuses-lowest"))
        return;
    if (mkpipe(b, "pipe-reuses-lowest")) {
        close2(a);
        return;
    }
    int a0 = a[0], b0 = b[0];
    close(a[0]);
    close(b[0]);
    a[0] = b[0] = -1;
    int r = pipe(c);
    const char *rs = res(r);
    CASE("pipe-reuses-lowest", "ret=%s read-end=first-freed:%d write-end=second-freed:%d", rs, !r && c[0] == a0,
         !r && c[1] == b0);
    if (!r)
        close2(c);
    close2(a);
    close2(b);
}

static void case_pipe_flags(void)
{
    int p[2];
    if (mkpipe(p, "pipe-flags"))
        return;
    CASE("pipe-flags", "F_GETFL=0x%x,0x%x F_GETFD=%d,%d", getfl(p[0]), getfl(p[1]), fcntl(p[0], F_GETFD),
         fcntl(p[1], F_GETFD));
    close2(p);
}

static void case_pipe2_cloexec(void)
{
    int p[2];
    if (mkpipe2(p, O_CLOEXEC, "pipe2-cloexec"))
        return;
    int d = dup(p[0]);
    CASE("pipe2-cloexec", "F_GETFD=%d,%d F_GETFL=0x%x,0x%x dup-F_GETFD=%d", fcntl(p[0], F_GETFD),
         fcntl(p[1], F_GETFD), getfl(p[0]), getfl(p[1]), fcntl(d, F_GETFD));
    close(d);
    close2(p);
}

static void case_pipe2_nonblock(void)
{
    int p[2];
    if (mkpipe2(p, O_NONBLOCK, "pipe2-nonblock"))
        return;
    char c;
    long r = read(p[0], &c, 1);
    const char *rs = res(r);
    CASE("pipe2-nonblock", "F_GETFL=0x%x,0x%x F_GETFD=%d,%d read-empty=%s", getfl(p[0]), getfl(p[1]),
         fcntl(p[0], F_GETFD), fcntl(p[1], F_GETFD), rs);
    close2(p);
}

static void case_pipe2_bad_flags(void)
{
    static const struct {
        int flags;
        const char *name;
    } bad[] = {{O_APPEND, "O_APPEND"}, {O_WRONLY, "O_WRONLY"}, {O_CLOEXEC | O_TRUNC, "O_CLOEXEC|O_TRUNC"}};
    char out[160] = "";
    int untouched = 1;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int p[2] = {-7, -7};
        int r = pipe2(p, bad[i].flags);
        const char *rs = res(r);
        if (r == 0)
            close2(p);
        else if (p[0] != -7 || p[1] != -7)
            untouched = 0;
        char one[48];
        snprintf(one, sizeof one, "%s%s=%s", i ? " " : "", bad[i].name, rs);
        strcat(out, one);
    }
    CASE("pipe2-bad-flags", "%s fds-untouched=%d", out, untouched);
}

/* A pipe whose descriptors cannot be stored is not made: the numbers it
 * would have had are still free. */
static void case_pipe_efault(void)
{
    int lo = lowest_free(0);
    int *bad = noaccess();
    int r1 = pipe(bad);
    const char *s1 = res(r1);
    int r2 = pipe2(bad, O_CLOEXEC);
    const char *s2 = res(r2);
    int r3 = pipe2(NULL, 0);
    const char *s3 = res(r3);
    CASE("pipe-efault", "pipe=%s pipe2=%s pipe2-null=%s fds-not-used=%d", s1, s2, s3, lowest_free(0) == lo);
}

/* Packet mode: each write a packet, a read takes at most one and drops
 * what it leaves of it. Only the write end shows the flag. */
static void case_pipe2_direct(void)
{
    int p[2];
    if (mkpipe2(p, O_DIRECT | O_NONBLOCK, "pipe2-o-direct"))
        return;
    write(p[1], "abc", 3);
    write(p[1], "defg", 4);
    write(p[1], "hi", 2);
    char b[16];
    long r1 = read(p[0], b, sizeof b);
    const char *s1 = res(r1);
    long r2 = read(p[0], b, 2);
    const char *s2 = res(r2);
    long r3 = read(p[0], b, sizeof b);
    const char *s3 = res(r3);
    long r4 = read(p[0], b, sizeof b);
    const char *s4 = res(r4);
    CASE("pipe2-o-direct", "F_GETFL=0x%x,0x%x reads=%s,%s,%s,%s", getfl(p[0]), getfl(p[1]), s1, s2, s3, s4);
    close2(p);
}

/* ======== reading and writing ======== */

static void case_roundtrip(void)
{
    int p[2];
    if (mkpipe(p, "write-read-roundtrip"))
        return;
    const char msg[] = "through the pipe";
    long w = write(p[1], msg, sizeof msg - 1);
    const char *ws = res(w);
    char b[64] = "";
    long r = read(p[0], b, sizeof b - 1);
    const char *rs = res(r);
    CASE("write-read-roundtrip", "write=%s read=%s same=%d", ws, rs, r == w && memcmp(b, msg, sizeof msg - 1) == 0);
    close2(p);
}

/* A read takes what is queued, up to its count, and leaves the rest in
 * order; writes are not message boundaries. */
static void case_partial_reads(void)
{
    int p[2];
    if (mkpipe(p, "partial-reads"))
        return;
    write(p[1], "hello ", 6);
    write(p[1], "world", 5);
    char a[8] = "", b[8] = "", c[32] = "";
    long r1 = read(p[0], a, 4);
    const char *s1 = res(r1);
    long r2 = read(p[0], b, 4);
    const char *s2 = res(r2);
    long r3 = read(p[0], c, sizeof c - 1);
    const char *s3 = res(r3);
    CASE("partial-reads", "reads=%s,%s,%s data=%s|%s|%s", s1, s2, s3, a, b, c);
    close2(p);
}

static void case_read_what_is_there(void)
{
    int p[2];
    if (mkpipe(p, "read-returns-what-is-there"))
        return;
    write(p[1], "12345", 5);
    long r = read(p[0], sink, 4096);
    const char *rs = res(r);
    CASE("read-returns-what-is-there", "asked=4096 got=%s", rs);
    close2(p);
}

static void case_eof(void)
{
    int p[2];
    if (mkpipe(p, "eof-after-data"))
        return;
    write(p[1], "tail", 4);
    close(p[1]);
    p[1] = -1;
    long r1 = read(p[0], sink, 100);
    const char *s1 = res(r1);
    long r2 = read(p[0], sink, 100);
    const char *s2 = res(r2);
    long r3 = read(p[0], sink, 100);
    const char *s3 = res(r3);
    CASE("eof-after-data", "reads=%s,%s,%s", s1, s2, s3);
    close2(p);
}

/* End of file comes only when the last descriptor of the write end is
 * closed; a dup keeps the pipe open. */
static void case_eof_dup(void)
{
    int p[2];
    if (mkpipe(p, "eof-waits-for-every-writer"))
        return;
    int d = dup(p[1]);
    close(p[1]);
    p[1] = -1;
    set_nonblock(p[0], 1);
    long r1 = read(p[0], sink, 10);
    const char *s1 = res(r1);
    close(d);
    long r2 = read(p[0], sink, 10);
    const char *s2 = res(r2);
    CASE("eof-waits-for-every-writer", "dup-open=%s all-closed=%s", s1, s2);
    close2(p);
}

/* Writing with no reader left: EPIPE, and SIGPIPE unless ignored. */
static void case_epipe_ignored(void)
{
    int p[2];
    if (mkpipe(p, "epipe-sigpipe-ignored"))
        return;
    write(p[1], "left", 4);
    close(p[0]);
    p[0] = -1;
    plain(SIGPIPE, SIG_IGN, 0);
    long r1 = write(p[1], "x", 1);
    const char *s1 = res(r1);
    set_nonblock(p[1], 1);
    long r2 = write(p[1], "x", 1);
    const char *s2 = res(r2);
    long r3 = write(p[1], big, 100000);
    const char *s3 = res(r3);
    plain(SIGPIPE, SIG_DFL, 0);
    CASE("epipe-sigpipe-ignored", "blocking=%s nonblocking=%s big=%s", s1, s2, s3);
    close2(p);
}

static void case_epipe_handler(void)
{
    int p[2];
    if (mkpipe(p, "epipe-sigpipe-handler"))
        return;
    close(p[0]);
    p[0] = -1;
    reset();
    on_siginfo(SIGPIPE, 0);
    long r = write(p[1], "x", 1);
    const char *rs = res(r);
    plain(SIGPIPE, SIG_DFL, 0);
    CASE("epipe-sigpipe-handler",
         "ret=%s handled=%d sig=%s si_code=%s si_errno=%d si_pid-is-self=%d si_uid-is-self=%d on-writer=%d", rs,
         (int)hits, signame(last.signo), codename(last.code), last.errno_, last.pid_is_self, last.uid_is_self,
         last.tid == my_tid());
    close2(p);
}

static void case_epipe_default(void)
{
    int p[2];
    if (mkpipe(p, "epipe-sigpipe-default"))
        return;
    /* Closed before the fork, so no reader is left anywhere. */
    close(p[0]);
    p[0] = -1;
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        write(p[1], "x", 1);
        _exit(0);
    }
    close2(p);
    int st = 0;
    pid_t w = waitpid(pid, &st, 0);
    if (w != pid) {
        kill(pid, SIGKILL);
        waitpid(pid, &st, 0);
    }
    CASE("epipe-sigpipe-default", "waited=%d child: %s", w == pid, status_text(st));
}

/* A blocked SIGPIPE stays pending on the thread that wrote: it is sent to
 * that thread, not to the process. */
static void *blocked_epipe_writer(void *a)
{
    int *x = a;
    long r = write(x[0], "x", 1);
    x[1] = r < 0 ? errno : 0;
    x[2] = is_pending(SIGPIPE);
    return NULL;
}

static void case_epipe_blocked(void)
{
    int p[2];
    if (mkpipe(p, "epipe-sigpipe-blocked"))
        return;
    close(p[0]);
    p[0] = -1;
    mask(SIG_BLOCK, SIGPIPE);
    long r = write(p[1], "x", 1);
    const char *rs = res(r);
    int pending = is_pending(SIGPIPE);
    discard(SIGPIPE);
    CASE("epipe-sigpipe-blocked", "ret=%s pending=%d", rs, pending);

    mask(SIG_BLOCK, SIGPIPE);
    int x[3] = {p[1], -1, -1};
    pthread_t t = spawn(blocked_epipe_writer, x);
    pthread_join(t, NULL);
    int left = is_pending(SIGPIPE);
    discard(SIGPIPE);
    CASE("sigpipe-is-thread-directed", "thread-write=%s thread-pending=%d process-pending-after-exit=%d",
         errname(x[1]), x[2], left);
    close2(p);
}

/* Zero bytes: nothing happens, not even a broken pipe's EPIPE. */
static void case_zero_bytes(void)
{
    int p[2];
    if (mkpipe(p, "zero-byte-io"))
        return;
    long w = write(p[1], big, 0);
    const char *ws = res(w);
    long r = read(p[0], sink, 0);
    const char *rs = res(r);
    int q = nread(p[0]);
    int rev = -1;
    poll1(p[0], POLLIN, 0, &rev);
    CASE("zero-byte-io", "write=%s read-empty=%s FIONREAD=%d revents=%s", ws, rs, q, evname(rev));
    close(p[0]);
    p[0] = -1;
    reset();
    on_siginfo(SIGPIPE, 0);
    w = write(p[1], big, 0);
    ws = res(w);
    plain(SIGPIPE, SIG_DFL, 0);
    CASE("zero-byte-write-no-reader", "ret=%s sigpipe=%d", ws, (int)hits);
    close2(p);
}

/* A read into memory it may not write fails and leaves the data queued;
 * a write from memory it may not read queues nothing. */
static void case_efault(void)
{
    int p[2];
    if (mkpipe(p, "read-efault"))
        return;
    write(p[1], "kept!", 5);
    long r = read(p[0], noaccess(), 5);
    const char *rs = res(r);
    char b[8] = "";
    int q = nread(p[0]);
    read(p[0], b, 5);
    CASE("read-efault", "ret=%s FIONREAD-after=%d data=%s", rs, q, b);
    close2(p);

    if (mkpipe(p, "write-efault"))
        return;
    long w = write(p[1], noaccess(), 5);
    const char *ws = res(w);
    CASE("write-efault", "ret=%s FIONREAD-after=%d", ws, nread(p[0]));
    close2(p);
}

static void case_wrong_end(void)
{
    int p[2];
    if (mkpipe(p, "wrong-end"))
        return;
    write(p[1], "x", 1);
    long r = read(p[1], sink, 1);
    const char *rs = res(r);
    long w = write(p[0], "x", 1);
    const char *ws = res(w);
    off_t o = lseek(p[0], 0, SEEK_CUR);
    const char *os = res((long)o);
    CASE("wrong-end", "read-write-end=%s write-read-end=%s lseek=%s FIONREAD=%d", rs, ws, os, nread(p[0]));
    close2(p);
}

/* ======== O_NONBLOCK and the capacity ======== */

static void case_nonblock_read(void)
{
    int p[2];
    if (mkpipe2(p, O_NONBLOCK, "nonblock-read"))
        return;
    long r1 = read(p[0], sink, 10);
    const char *s1 = res(r1);
    write(p[1], "ab", 2);
    long r2 = read(p[0], sink, 10);
    const char *s2 = res(r2);
    close(p[1]);
    p[1] = -1;
    long r3 = read(p[0], sink, 10);
    const char *s3 = res(r3);
    CASE("nonblock-read", "empty=%s with-data=%s empty-no-writer=%s", s1, s2, s3);
    close2(p);
}

static void case_capacity(void)
{
    int p[2];
    if (mkpipe2(p, O_NONBLOCK, "nonblock-capacity"))
        return;
    long w = write(p[1], big, sizeof big);
    const char *ws = res(w);
    long w1 = write(p[1], "x", 1);
    const char *s1 = res(w1);
    int q = nread(p[0]);
    long d = drain(p[0]);
    CASE("nonblock-capacity", "big-write=%s then-1-byte=%s FIONREAD=%d drained=%ld", ws, s1, q, d);
    close2(p);
}

/* Filled in small writes: Linux keeps a pipe as 16 pages and appends a
 * small write to the last page only when all of it fits there. */
static void case_capacity_small(int chunk)
{
    char name[48];
    snprintf(name, sizeof name, "nonblock-fill-%d-byte-writes", chunk);
    int p[2];
    if (mkpipe2(p, O_NONBLOCK, name))
        return;
    long total = 0, n, writes = 0;
    while ((n = write(p[1], big, (size_t)chunk)) > 0 && writes < 100000) {
        total += n;
        writes++;
    }
    const char *last = res(n);
    CASE(name, "bytes=%ld writes=%ld last=%s FIONREAD=%d", total, writes, last, nread(p[0]));
    close2(p);
}

/* A write larger than the room left is partial when blocking is not
 * allowed. */
static void case_partial_write(void)
{
    int p[2];
    if (mkpipe2(p, O_NONBLOCK, "nonblock-partial-write"))
        return;
    long w1 = write(p[1], big, CAPACITY - 4096);
    const char *s1 = res(w1);
    long w2 = write(p[1], big, 8192);
    const char *s2 = res(w2);
    long w3 = write(p[1], big, 8192);
    const char *s3 = res(w3);
    CASE("nonblock-partial-write", "first=%s 8192-into-4096=%s full=%s", s1, s2, s3);
    close2(p);
}

/* A write of at most PIPE_BUF bytes is never split: all of it or EAGAIN. */
static void case_pipe_buf_atomic(void)
{
    int p[2];
    if (mkpipe2(p, O_NONBLOCK, "nonblock-pipe-buf-atomic"))
        return;
    long w0 = write(p[1], big, CAPACITY - 100);
    const char *s0 = res(w0);
    long w1 = write(p[1], big, 200);
    const char *s1 = res(w1);
    long w2 = write(p[1], big, PIPE_BUF);
    const char *s2 = res(w2);
    long w3 = write(p[1], big, 50);
    const char *s3 = res(w3);
    long w4 = write(p[1], big, 51);
    const char *s4 = res(w4);
    CASE("nonblock-pipe-buf-atomic", "PIPE_BUF=%d fill=%s 200-into-100=%s PIPE_BUF-into-100=%s 50-into-100=%s "
         "51-into-50=%s FIONREAD=%d",
         PIPE_BUF, s0, s1, s2, s3, s4, nread(p[0]));
    close2(p);
}

/* More than PIPE_BUF with room only in a partly used page: Linux puts
 * nothing in that page and so writes nothing. */
static void case_big_write_page_room(void)
{
    int p[2];
    if (mkpipe2(p, O_NONBLOCK, "nonblock-big-write-partial-page-room"))
        return;
    long w0 = write(p[1], big, CAPACITY - 100);
    const char *s0 = res(w0);
    long w1 = write(p[1], big, 8192);
    const char *s1 = res(w1);
    CASE("nonblock-big-write-partial-page-room", "fill=%s 8192-into-100=%s FIONREAD=%d", s0, s1, nread(p[0]));
    close2(p);
}

/* O_NONBLOCK belongs to the open file: a dup shares it, the other end
 * does not. F_SETFL leaves the access mode alone. */
static void case_setfl(void)
{
    int p[2];
    if (mkpipe(p, "setfl-nonblock-shared-by-dup"))
        return;
    int d = dup(p[0]);
    int r = fcntl(p[0], F_SETFL, O_NONBLOCK);
    const char *rs = res(r);
    int fl_r = getfl(p[0]), fl_d = getfl(d), fl_w = getfl(p[1]);
    long rd = read(d, sink, 1);
    const char *rds = res(rd);
    fcntl(d, F_SETFL, 0);
    CASE("setfl-nonblock-shared-by-dup", "ret=%s F_GETFL=0x%x dup=0x%x write-end=0x%x read-dup=%s cleared-via-dup=0x%x",
         rs, fl_r, fl_d, fl_w, rds, getfl(p[0]));
    close(d);

    fcntl(p[0], F_SETFL, O_WRONLY | O_NONBLOCK);
    int a = getfl(p[0]);
    fcntl(p[1], F_SETFL, O_RDONLY | O_CREAT | O_NONBLOCK);
    int b = getfl(p[1]);
    fcntl(p[1], F_SETFL, O_APPEND);
    int c = getfl(p[1]);
    CASE("setfl-keeps-access-mode", "read-end=0x%x write-end=0x%x append=0x%x", a, b, c);
    close2(p);
}

/* ======== ioctl and fstat ======== */

static void case_fionread(void)
{
    int p[2];
    if (mkpipe(p, "fionread"))
        return;
    int q0 = nread(p[0]);
    write(p[1], "12345", 5);
    write(p[1], "678", 3);
    int q1 = nread(p[0]);
    int qw = nread(p[1]);
    read(p[0], sink, 3);
    int q2 = nread(p[0]);
    read(p[0], sink, 5);
    int q3 = nread(p[0]);
    long full = fill(p[1]);
    int q4 = nread(p[0]);
    CASE("fionread", "empty=%d after-8=%d write-end=%d after-read-3=%d drained=%d full(%ld)=%d", q0, q1, qw, q2, q3,
         full, q4);
    close2(p);
}

static void case_ioctl_errors(void)
{
    int p[2];
    if (mkpipe(p, "ioctl-errors"))
        return;
    char termios[64];
    int r1 = ioctl(p[0], TCGETS, termios);
    const char *s1 = res(r1);
    int r2 = ioctl(p[1], TCGETS, termios);
    const char *s2 = res(r2);
    int r3 = ioctl(p[0], 0x7a7a, termios);
    const char *s3 = res(r3);
    int r4 = ioctl(p[0], FIONREAD, noaccess());
    const char *s4 = res(r4);
    int closed = p[0];
    close2(p);
    int n;
    int r5 = ioctl(closed, FIONREAD, &n);
    const char *s5 = res(r5);
    CASE("ioctl-errors", "TCGETS=%s,%s unknown=%s FIONREAD-efault=%s FIONREAD-closed=%s", s1, s2, s3, s4, s5);
}

static void case_fstat(void)
{
    int p[2], q[2];
    if (mkpipe(p, "fstat"))
        return;
    write(p[1], "data", 4);
    struct stat a, b;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    int r1 = fstat(p[0], &a);
    const char *s1 = res(r1);
    int r2 = fstat(p[1], &b);
    const char *s2 = res(r2);
    CASE("fstat", "ret=%s,%s fifo=%d,%d same-ino=%d mode=0%o nlink=%ld size=%ld blksize=%ld uid-self=%d", s1, s2,
         S_ISFIFO(a.st_mode), S_ISFIFO(b.st_mode), a.st_ino == b.st_ino, (unsigned)(a.st_mode & 07777),
         (long)a.st_nlink, (long)a.st_size, (long)a.st_blksize, a.st_uid == getuid());
    if (mkpipe(q, "fstat-two-pipes")) {
        close2(p);
        return;
    }
    struct stat c;
    memset(&c, 0, sizeof c);
    fstat(q[0], &c);
    CASE("fstat-two-pipes", "different-ino=%d same-dev=%d", c.st_ino != a.st_ino, c.st_dev == a.st_dev);
    close2(q);
    close2(p);
}

/* ======== blocking across threads ======== */

static void case_thread_reader(void)
{
    int p[2];
    if (mkpipe(p, "blocked-read-woken-by-write"))
        return;
    struct act x = {.fd = p[1], .ms = 20, .data = "ping"};
    pthread_t t = spawn(actor, &x);
    char b[16] = "";
    long r = read(p[0], b, sizeof b - 1);
    const char *rs = res(r);
    join_actor(t, &x);
    CASE("blocked-read-woken-by-write", "ret=%s data=%s", rs, b);
    close2(p);
}

static void case_thread_writer(void)
{
    int p[2];
    if (mkpipe(p, "blocked-write-woken-by-read"))
        return;
    long f = fill(p[1]);
    struct act x = {.fd = p[0], .ms = 20, .nread = 8192};
    pthread_t t = spawn(actor, &x);
    long w = write(p[1], big, 4096);
    const char *ws = res(w);
    join_actor(t, &x);
    CASE("blocked-write-woken-by-read", "fill=%ld write=%s reader-got=%ld FIONREAD=%d", f, ws, x.got, nread(p[0]));
    close2(p);
}

static void case_thread_eof(void)
{
    int p[2];
    if (mkpipe(p, "blocked-read-woken-by-last-close"))
        return;
    int d = dup(p[1]);
    close(p[1]);
    p[1] = -1;
    struct act x = {.fd = d, .ms = 20, .close_it = 1};
    pthread_t t = spawn(actor, &x);
    long r = read(p[0], sink, 10);
    const char *rs = res(r);
    join_actor(t, &x);
    CASE("blocked-read-woken-by-last-close", "ret=%s", rs);
    close2(p);
}

static void case_thread_epipe(void)
{
    int p[2];
    if (mkpipe(p, "blocked-write-reader-closes"))
        return;
    long f = fill(p[1]);
    struct act x = {.fd = p[0], .ms = 20, .close_it = 1};
    p[0] = -1;
    reset();
    on_siginfo(SIGPIPE, 0);
    pthread_t t = spawn(actor, &x);
    long w = write(p[1], "x", 1);
    const char *ws = res(w);
    join_actor(t, &x);
    plain(SIGPIPE, SIG_DFL, 0);
    CASE("blocked-write-reader-closes", "fill=%ld write=%s sigpipe=%d on-writer=%d", f, ws, (int)hits,
         hits && last.tid == my_tid());
    close2(p);
}

/* ======== across fork ======== */

static void case_fork_write(void)
{
    int p[2];
    if (mkpipe(p, "fork-child-writes"))
        return;
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        close(p[0]);
        write(p[1], "from ", 5);
        write(p[1], "the child", 9);
        _exit(0);
    }
    close(p[1]);
    p[1] = -1;
    char b[64] = "";
    long total = 0, n;
    while ((n = read(p[0], b + total, sizeof b - 1 - (size_t)total)) > 0)
        total += n;
    const char *last = res(n);
    int st = 0;
    pid_t w = waitpid(pid, &st, 0);
    if (w != pid) {
        kill(pid, SIGKILL);
        waitpid(pid, &st, 0);
    }
    CASE("fork-child-writes", "data=%s last-read=%s child: %s", b, last, status_text(st));
    close2(p);
}

/* The child's copy of the write end goes with it. */
static void case_fork_eof(void)
{
    int p[2];
    if (mkpipe(p, "fork-eof-after-child-exits"))
        return;
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        sleep_ms(20);
        _exit(3);
    }
    close(p[1]);
    p[1] = -1;
    long r = read(p[0], sink, 10);
    const char *rs = res(r);
    int st = 0;
    pid_t w = waitpid(pid, &st, 0);
    if (w != pid) {
        kill(pid, SIGKILL);
        waitpid(pid, &st, 0);
    }
    CASE("fork-eof-after-child-exits", "read=%s child: %s", rs, status_text(st));
    close2(p);
}

/* The child reports through its exit status. */
static void case_fork_flags(void)
{
    int p[2];
    if (mkpipe2(p, O_CLOEXEC, "fork-keeps-fd-flags"))
        return;
    int d = dup(p[1]);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        int bits = (fcntl(p[0], F_GETFD) == FD_CLOEXEC) | (fcntl(p[1], F_GETFD) == FD_CLOEXEC) << 1 |
                   (fcntl(d, F_GETFD) == 0) << 2;
        fcntl(p[0], F_SETFL, O_NONBLOCK);
        _exit(bits);
    }
    int st = 0;
    pid_t w = waitpid(pid, &st, 0);
    if (w != pid) {
        kill(pid, SIGKILL);
        waitpid(pid, &st, 0);
    }
    int bits = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    CASE("fork-keeps-fd-flags", "child: cloexec=%d,%d dup-not-cloexec=%d parent-sees-child-nonblock=0x%x",
         bits >= 0 && (bits & 1), bits >= 0 && (bits & 2) != 0, bits >= 0 && (bits & 4) != 0, getfl(p[0]));
    close(d);
    close2(p);
}

/* ======== interrupted reads and writes ======== */

/* These use a periodic timer, so whether or not a tick comes before the
 * call blocks, a later one finds it blocked. On tick `tick_at` the
 * handler reads `tick_reads` bytes from `tick_fd`, or writes "late" there
 * when that is 0: on the third tick in the SA_RESTART cases, which the
 * call then completes; on the 300th in the others, which should have
 * ended at the first tick, so that a kernel that lets the call block on
 * gets a wrong line rather than a hang. */
static int tick_fd = -1, tick_at;
static long tick_reads, tick_read;
static void tick_handler(int sig)
{
    (void)sig;
    if (++hits == tick_at) {
        if (tick_reads)
            tick_read = read(tick_fd, sink, (size_t)tick_reads);
        else
            write(tick_fd, "late", 4);
    }
    /* Whether a call restarts is decided as each signal comes: without
     * SA_RESTART from now on, the next tick ends whatever still waits. */
    if (hits == 300)
        plain(SIGALRM, tick_handler, 0);
}

/* Starts the ticks, or prints case `name` skipped and returns -1. */
static int ticks_on(const char *name, int fd, int at, long reads, int flags)
{
    reset();
    tick_fd = fd;
    tick_at = at;
    tick_reads = reads;
    tick_read = 0;
    plain(SIGALRM, tick_handler, flags);
    /* Ticks long against one signal delivery and a few calls in a slow
     * guest (emulated, with a check at every stop): the program must get
     * on between two of them. */
    struct itimerval it = {{0, 50000}, {0, 50000}};
    if (setitimer(ITIMER_REAL, &it, NULL) == 0)
        return 0;
    CASE(name, "skipped: setitimer %s", errname(errno));
    plain(SIGALRM, SIG_DFL, 0);
    return -1;
}

static void ticks_off(void)
{
    itimer_ms(0, 0);
    plain(SIGALRM, SIG_DFL, 0);
}

static void case_read_eintr(void)
{
    int p[2];
    if (mkpipe(p, "read-interrupted"))
        return;
    if (ticks_on("read-interrupted", p[1], 300, 0, 0) == 0) {
        long r = read(p[0], sink, 10);
        const char *rs = res(r);
        ticks_off();
        CASE("read-interrupted", "ret=%s handled>=1: %d", rs, hits >= 1);
        drain(p[0]);
    }
    if (ticks_on("read-interrupted-sa-restart", p[1], 3, 0, SA_RESTART) == 0) {
        char b[16] = "";
        long r = read(p[0], b, sizeof b - 1);
        const char *rs = res(r);
        ticks_off();
        CASE("read-interrupted-sa-restart", "ret=%s data=%s handled>=3: %d", rs, b, hits >= 3);
    }
    close2(p);
}

static void case_write_eintr(void)
{
    int p[2];
    if (mkpipe(p, "write-interrupted"))
        return;
    long f = fill(p[1]);
    if (ticks_on("write-interrupted", p[0], 300, sizeof sink, 0) == 0) {
        long w = write(p[1], "x", 1);
        const char *ws = res(w);
        ticks_off();
        CASE("write-interrupted", "fill=%ld ret=%s handled>=1: %d FIONREAD=%d", f, ws, hits >= 1, nread(p[0]));
    }
    drain(p[0]);

    /* Interrupted after some bytes went in: the count so far. */
    if (ticks_on("write-interrupted-partial", p[0], 300, sizeof sink, 0) == 0) {
        long w = write(p[1], big, CAPACITY + 8192);
        const char *ws = res(w);
        ticks_off();
        CASE("write-interrupted-partial", "asked=%d ret=%s handled>=1: %d FIONREAD=%d", CAPACITY + 8192, ws,
             hits >= 1, nread(p[0]));
    }
    drain(p[0]);

    /* With SA_RESTART the write goes on once the third tick's handler
     * has made room. */
    fill(p[1]);
    if (ticks_on("write-interrupted-sa-restart", p[0], 3, 4096, SA_RESTART) == 0) {
        long w = write(p[1], big, 4096);
        const char *ws = res(w);
        ticks_off();
        CASE("write-interrupted-sa-restart", "ret=%s handled>=3: %d handler-read=%ld FIONREAD=%d", ws, hits >= 3,
             tick_read, nread(p[0]));
    }
    close2(p);
}

/* ======== poll ======== */

static void case_poll_ready(void)
{
    int p[2];
    if (mkpipe(p, "poll-readable"))
        return;
    int rev, r;
    r = poll1(p[0], POLLIN | POLLOUT | POLLPRI, 0, &rev);
    CASE("poll-empty", "read-end: ret=%d revents=%s", r, evname(rev));
    write(p[1], "x", 1);
    r = poll1(p[0], POLLIN | POLLOUT | POLLPRI, 0, &rev);
    CASE("poll-readable", "ret=%d revents=%s", r, evname(rev));
    r = poll1(p[0], POLLIN | POLLRDNORM | POLLRDBAND, 0, &rev);
    CASE("poll-readable-rdnorm", "ret=%d revents=%s", r, evname(rev));
    int w;
    w = poll1(p[1], POLLIN | POLLOUT | POLLWRNORM | POLLWRBAND, 0, &rev);
    CASE("poll-writable", "ret=%d revents=%s", w, evname(rev));
    close2(p);
}

/* Writable means room for at least a page (PIPE_BUF bytes): a byte read
 * from a full pipe does not make it writable. */
static void case_poll_full(void)
{
    int p[2];
    if (mkpipe(p, "poll-full"))
        return;
    long f = fill(p[1]);
    int rev_full, rev_1, rev_page;
    int r1 = poll1(p[1], POLLOUT, 0, &rev_full);
    read(p[0], sink, 1);
    int r2 = poll1(p[1], POLLOUT, 0, &rev_1);
    read(p[0], sink, PIPE_BUF - 1);
    int r3 = poll1(p[1], POLLOUT, 0, &rev_page);
    CASE("poll-full", "fill=%ld full: %d %s after-1-byte: %d %s after-a-page: %d %s", f, r1, evname(rev_full), r2,
         evname(rev_1), r3, evname(rev_page));
    close2(p);
}

static void case_poll_hup(void)
{
    int p[2];
    if (mkpipe(p, "poll-hup"))
        return;
    close(p[1]);
    p[1] = -1;
    int rev, rev0;
    int r = poll1(p[0], POLLIN, 0, &rev);
    int r0 = poll1(p[0], 0, 0, &rev0);
    CASE("poll-hup", "ret=%d revents=%s events-0: ret=%d revents=%s", r, evname(rev), r0, evname(rev0));
    close2(p);

    if (mkpipe(p, "poll-hup-with-data"))
        return;
    write(p[1], "xy", 2);
    close(p[1]);
    p[1] = -1;
    r = poll1(p[0], POLLIN, 0, &rev);
    int rout, ro = poll1(p[0], POLLOUT, 0, &rout);
    read(p[0], sink, 10);
    int rev2, r2 = poll1(p[0], POLLIN, 0, &rev2);
    CASE("poll-hup-with-data", "ret=%d revents=%s pollout-only: %d %s after-read: %d %s", r, evname(rev), ro,
         evname(rout), r2, evname(rev2));
    close2(p);
}

static void case_poll_err(void)
{
    int p[2];
    if (mkpipe(p, "poll-err"))
        return;
    close(p[0]);
    p[0] = -1;
    int rev, rev0, revin;
    int r = poll1(p[1], POLLOUT, 0, &rev);
    int r0 = poll1(p[1], 0, 0, &rev0);
    int ri = poll1(p[1], POLLIN, 0, &revin);
    CASE("poll-err", "pollout: %d %s events-0: %d %s pollin: %d %s", r, evname(rev), r0, evname(rev0), ri,
         evname(revin));
    close2(p);

    /* A full pipe whose reader went away. */
    if (mkpipe(p, "poll-err-full"))
        return;
    fill(p[1]);
    close(p[0]);
    p[0] = -1;
    r = poll1(p[1], POLLOUT, 0, &rev);
    CASE("poll-err-full", "ret=%d revents=%s", r, evname(rev));
    close2(p);
}

static void case_poll_nval(void)
{
    int p[2];
    if (mkpipe(p, "poll-nval-and-negative"))
        return;
    write(p[1], "x", 1);
    int closed = lowest_free(0);
    struct pollfd f[4] = {
        {closed, POLLIN, 0x5a5a},
        {-1, POLLIN, 0x5a5a},
        {-closed - 100, POLLIN | POLLOUT, 0x5a5a},
        {p[0], POLLIN, 0x5a5a},
    };
    int r = poll(f, 4, 0);
    const char *rs = res(r);
    CASE("poll-nval-and-negative", "ret=%s closed=%s fd-1=%s negative=%s ready=%s", rs, evname(f[0].revents),
         evname(f[1].revents), evname(f[2].revents), evname(f[3].revents));
    close2(p);
}

static void case_poll_duplicates(void)
{
    int p[2];
    if (mkpipe(p, "poll-same-fd-twice"))
        return;
    write(p[1], "x", 1);
    struct pollfd f[3] = {{p[0], POLLIN, 0}, {p[0], POLLOUT, 0}, {p[0], POLLIN, 0}};
    int r = poll(f, 3, 0);
    const char *rs = res(r);
    CASE("poll-same-fd-twice", "ret=%s revents=%s,%s,%s", rs, evname(f[0].revents), evname(f[1].revents),
         evname(f[2].revents));
    close2(p);
}

/* The cases that need no pipe: a closed descriptor, errors, no
 * descriptors at all. */
static void case_poll_no_pipe(void)
{
    int closed = lowest_free(0);
    struct pollfd f[2] = {{closed, POLLIN, 0}, {closed, 0, 0}};
    int r = poll(f, 2, 0);
    const char *rs = res(r);
    struct pollfd neg = {-5, POLLIN, 0x5a5a};
    int rn = poll(&neg, 1, 0);
    const char *ns = res(rn);
    CASE("poll-nval-no-pipe", "ret=%s pollin=%s events-0=%s negative-fd: ret=%s revents=%s", rs,
         evname(f[0].revents), evname(f[1].revents), ns, evname(neg.revents));

    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    int r1 = poll(f, (nfds_t)rl.rlim_cur + 1, 0);
    const char *s1 = res(r1);
    int r2 = poll(noaccess(), 1, 0);
    const char *s2 = res(r2);
    int r3 = poll(NULL, 0, 0);
    const char *s3 = res(r3);
    CASE("poll-errors", "nfds>RLIMIT_NOFILE=%s bad-array=%s null-nfds-0=%s", s1, s2, s3);

    /* The kernel takes nfds as a 32-bit count. */
    f[0].revents = 0;
    volatile nfds_t wide = ((nfds_t)1 << 32) | 1;
    int r5 = poll(f, wide, 0);
    const char *s5 = res(r5);
    CASE("poll-nfds-upper-bits-ignored", "ret=%s revents=%s", s5, evname(f[0].revents));

    long t0 = now_ms();
    r = poll(NULL, 0, 30);
    rs = res(r);
    long waited = now_ms() - t0;
    CASE("poll-no-fds-sleeps", "ret=%s waited>=30ms=%d", rs, waited >= 30);

    reset();
    plain(SIGALRM, count_handler, SA_RESTART);
    itimer_ms(50, 50);
    r = poll(NULL, 0, 2000);
    rs = res(r);
    itimer_ms(0, 0);
    plain(SIGALRM, SIG_DFL, 0);
    CASE("poll-no-fds-interrupted", "ret=%s handled>=1: %d", rs, hits >= 1);
}

static void case_poll_wait(void)
{
    int p[2];
    if (mkpipe(p, "poll-woken-by-write"))
        return;
    struct act x = {.fd = p[1], .ms = 20, .data = "x"};
    pthread_t t = spawn(actor, &x);
    int rev;
    int r = poll1(p[0], POLLIN, 2000, &rev);
    const char *rs = res(r);
    join_actor(t, &x);
    CASE("poll-woken-by-write", "ret=%s revents=%s", rs, evname(rev));
    drain(p[0]);

    struct act y = {.fd = p[1], .ms = 20, .data = "y"};
    t = spawn(actor, &y);
    r = poll1(p[0], POLLIN, -1, &rev);
    rs = res(r);
    join_actor(t, &y);
    CASE("poll-infinite-woken-by-write", "ret=%s revents=%s", rs, evname(rev));
    drain(p[0]);

    /* A writer waiting for room is woken by the reader's close too. */
    fill(p[1]);
    struct act z = {.fd = p[0], .ms = 20, .close_it = 1};
    t = spawn(actor, &z);
    r = poll1(p[1], POLLOUT, 2000, &rev);
    rs = res(r);
    join_actor(t, &z);
    p[0] = -1;
    CASE("poll-woken-by-reader-close", "ret=%s revents=%s", rs, evname(rev));
    close2(p);

    if (mkpipe(p, "poll-woken-by-writer-close"))
        return;
    struct act c = {.fd = p[1], .ms = 20, .close_it = 1};
    t = spawn(actor, &c);
    r = poll1(p[0], POLLIN, 2000, &rev);
    rs = res(r);
    join_actor(t, &c);
    p[1] = -1;
    CASE("poll-woken-by-writer-close", "ret=%s revents=%s", rs, evname(rev));
    close2(p);

    if (mkpipe(p, "poll-woken-by-drain"))
        return;
    fill(p[1]);
    struct act d = {.fd = p[0], .ms = 20, .nread = 4096};
    t = spawn(actor, &d);
    r = poll1(p[1], POLLOUT, 2000, &rev);
    rs = res(r);
    join_actor(t, &d);
    CASE("poll-woken-by-drain", "ret=%s revents=%s reader-got=%ld", rs, evname(rev), d.got);
    close2(p);
}

static void case_poll_timeout(void)
{
    int p[2];
    if (mkpipe(p, "poll-timeout"))
        return;
    int rev;
    long t0 = now_ms();
    int r = poll1(p[0], POLLIN, 30, &rev);
    const char *rs = res(r);
    long waited = now_ms() - t0;
    CASE("poll-timeout", "ret=%s revents=%s waited>=30ms=%d", rs, evname(rev), waited >= 30);
    close2(p);
}

/* A handler ends a waiting poll with EINTR, SA_RESTART or not. */
static void case_poll_eintr(void)
{
    int p[2];
    if (mkpipe(p, "poll-interrupted"))
        return;
    for (int restart = 0; restart <= 1; restart++) {
        reset();
        plain(SIGALRM, count_handler, restart ? SA_RESTART : 0);
        itimer_ms(10, 10);
        int rev = 0x5a5a;
        int r = poll1(p[0], POLLIN, 2000, &rev);
        const char *rs = res(r);
        itimer_ms(0, 0);
        plain(SIGALRM, SIG_DFL, 0);
        CASE(restart ? "poll-interrupted-even-with-sa-restart" : "poll-interrupted", "ret=%s handled>=1: %d", rs,
             hits >= 1);
    }
    close2(p);
}

/* ======== ppoll ======== */

/* ppoll's mask lets a pending signal in: EINTR after its handler, and the
 * old mask back. No descriptors are needed for that. */
static void case_ppoll_signals(void)
{
    reset();
    plain(SIGUSR1, count_handler, SA_RESTART);
    mask(SIG_BLOCK, SIGUSR1);
    raise(SIGUSR1);
    sigset_t none;
    sigemptyset(&none);
    struct timespec ts = {2, 0};
    int r = ppoll(NULL, 0, &ts, &none);
    const char *rs = res(r);
    sigset_t cur;
    sigprocmask(SIG_BLOCK, NULL, &cur);
    CASE("ppoll-mask-lets-pending-signal-in", "ret=%s handled=%d still-blocked=%d pending=%d", rs, (int)hits,
         sigismember(&cur, SIGUSR1), is_pending(SIGUSR1));

    /* Even with a zero timeout. */
    reset();
    raise(SIGUSR1);
    struct timespec zero = {0, 0};
    r = ppoll(NULL, 0, &zero, &none);
    rs = res(r);
    CASE("ppoll-zero-timeout-pending-signal", "ret=%s handled=%d", rs, (int)hits);

    /* A mask that blocks the signal keeps it out. */
    reset();
    plain(SIGUSR1, count_handler, 0);
    raise(SIGUSR1);
    sigset_t usr1;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    struct timespec short_ts = {0, 20000000};
    r = ppoll(NULL, 0, &short_ts, &usr1);
    rs = res(r);
    CASE("ppoll-mask-keeps-signal-out", "ret=%s handled=%d pending=%d", rs, (int)hits, is_pending(SIGUSR1));
    discard(SIGUSR1);

    /* The library gives the kernel a copy of the timeout; the system call
     * itself writes back what is left (none, after a timeout). */
    struct timespec lib = {0, 20000000};
    r = ppoll(NULL, 0, &lib, NULL);
    rs = res(r);
    struct timespec raw = {0, 20000000};
    long k = syscall(SYS_ppoll, NULL, 0, &raw, NULL, 8);
    const char *ks = res(k);
    CASE("ppoll-timeout", "ret=%s timeout-after=%ld.%09ld raw-ret=%s raw-timeout-after=%ld.%09ld", rs,
         (long)lib.tv_sec, lib.tv_nsec, ks, (long)raw.tv_sec, raw.tv_nsec);

    struct timespec bad_ns = {0, 1000000000}, neg = {-1, 0};
    r = ppoll(NULL, 0, &bad_ns, NULL);
    const char *s1 = res(r);
    r = ppoll(NULL, 0, &neg, NULL);
    const char *s2 = res(r);
    k = syscall(SYS_ppoll, NULL, 0, &zero, &none, 16);
    const char *s3 = res(k);
    k = syscall(SYS_ppoll, NULL, 0, &zero, NULL, 16);
    const char *s4 = res(k);
    CASE("ppoll-errors", "tv_nsec=1e9:%s tv_sec=-1:%s sigsetsize-16:%s sigsetsize-16-no-mask:%s", s1, s2, s3, s4);
}

static void case_ppoll_pipe(void)
{
    int p[2];
    if (mkpipe(p, "ppoll-ready-and-pending-signal"))
        return;
    /* A ready descriptor wins: the old mask comes back before the signal
     * can be delivered, so it stays pending. */
    reset();
    plain(SIGUSR1, count_handler, 0);
    mask(SIG_BLOCK, SIGUSR1);
    raise(SIGUSR1);
    write(p[1], "x", 1);
    sigset_t none;
    sigemptyset(&none);
    struct pollfd f = {p[0], POLLIN, 0};
    struct timespec ts = {2, 0};
    int r = ppoll(&f, 1, &ts, &none);
    const char *rs = res(r);
    CASE("ppoll-ready-and-pending-signal", "ret=%s revents=%s handled=%d pending=%d", rs, evname(f.revents),
         (int)hits, is_pending(SIGUSR1));
    discard(SIGUSR1);
    drain(p[0]);

    struct act x = {.fd = p[1], .ms = 20, .data = "x"};
    pthread_t t = spawn(actor, &x);
    f.revents = 0;
    r = ppoll(&f, 1, NULL, NULL);
    rs = res(r);
    join_actor(t, &x);
    CASE("ppoll-null-timeout-woken-by-write", "ret=%s revents=%s", rs, evname(f.revents));
    close2(p);
}

/* ======== many pipes ======== */

static void case_many(void)
{
    enum { N = 100 };
    int p[N][2];
    int made = 0;
    for (; made < N; made++)
        if (pipe(p[made]) != 0)
            break;
    if (made < N) {
        CASE("poll-100-pipes", "skipped: pipe %d failed: %s", made, errname(errno));
        for (int i = 0; i < made; i++)
            close2(p[i]);
        return;
    }
    struct pollfd f[N];
    for (int i = 0; i < N; i++) {
        if (i % 7 == 0)
            write(p[i][1], "x", 1);
        f[i].fd = p[i][0];
        f[i].events = POLLIN;
        f[i].revents = 0;
    }
    int r = poll(f, N, 0);
    const char *rs = res(r);
    int readable = 0, right = 1;
    for (int i = 0; i < N; i++) {
        readable += (f[i].revents & POLLIN) != 0;
        if (f[i].revents != (i % 7 == 0 ? POLLIN : 0))
            right = 0;
    }
    CASE("poll-100-pipes", "ret=%s readable=%d every-7th=%d", rs, readable, right);
    for (int i = 0; i < N; i++)
        close2(p[i]);
}

/* ======== cancellation ======== */

enum { C_READ, C_WRITE, C_POLL, C_PPOLL };
struct cancel_arg {
    int fd, op;
    volatile int returned, ended;
};

static void cancel_ended(void *a)
{
    ((struct cancel_arg *)a)->ended = 1;
}

static void *cancel_target(void *a)
{
    struct cancel_arg *x = a;
    struct pollfd f = {x->fd, x->op == C_POLL || x->op == C_PPOLL ? POLLIN : 0, 0};
    struct timespec ts = {2, 0};
    pthread_cleanup_push(cancel_ended, x);
    switch (x->op) {
    case C_READ:
        read(x->fd, sink, 1);
        break;
    case C_WRITE:
        write(x->fd, "x", 1);
        break;
    case C_POLL:
        poll(&f, 1, 2000);
        break;
    case C_PPOLL:
        ppoll(&f, 1, &ts, NULL);
        break;
    }
    x->returned = 1;
    pthread_cleanup_pop(1);
    return NULL;
}

/* A cancellation that does not end the blocked call would leave the join
 * waiting for ever: after a few seconds the call is given what it waits
 * for. */
static void cancel_rescue(struct cancel_arg *x, int wfd, int rfd)
{
    for (int i = 0; i < 5000 && !x->ended; i++)
        sleep_ms(1);
    if (x->ended)
        return;
    if (x->op == C_WRITE)
        read(rfd, sink, 4096);
    else
        write(wfd, "x", 1);
}

static void case_cancel(void)
{
    static const char *names[] = {"read", "write", "poll", "ppoll"};
    char out[160] = "";
    int p[2];
    if (mkpipe(p, "cancel-blocked"))
        return;
    long f = fill(p[1]);
    int empty[2];
    if (mkpipe(empty, "cancel-blocked")) {
        close2(p);
        return;
    }
    for (int op = C_READ; op <= C_PPOLL; op++) {
        struct cancel_arg x = {op == C_WRITE ? p[1] : empty[0], op, 0, 0};
        pthread_t t = spawn(cancel_target, &x);
        sleep_ms(10);
        pthread_cancel(t);
        cancel_rescue(&x, empty[1], p[0]);
        void *v = NULL;
        pthread_join(t, &v);
        drain(empty[0]);
        char one[48];
        snprintf(one, sizeof one, "%s%s=%s", op ? " " : "", names[op],
                 v == PTHREAD_CANCELED && !x.returned ? "PTHREAD_CANCELED" : "returned");
        strcat(out, one);
    }
    CASE("cancel-blocked", "fill=%ld %s", f, out);
    close2(empty);
    close2(p);
}

int main(void)
{
    /* Line by line even into a pipe, so a run that dies part-way shows
     * the cases up to the one it died in. */
    setvbuf(stdout, NULL, _IOLBF, 0);
    memset(big, 'b', sizeof big);
    /* Every case under the guard but those that interrupt calls with
     * their own timer. */
    GUARDED(case_pipe_fds());
    GUARDED(case_pipe_reuse());
    GUARDED(case_pipe_flags());
    GUARDED(case_pipe2_cloexec());
    GUARDED(case_pipe2_nonblock());
    GUARDED(case_pipe2_bad_flags());
    GUARDED(case_pipe_efault());
    GUARDED(case_pipe2_direct());
    GUARDED(case_roundtrip());
    GUARDED(case_partial_reads());
    GUARDED(case_read_what_is_there());
    GUARDED(case_eof());
    GUARDED(case_eof_dup());
    GUARDED(case_epipe_ignored());
    GUARDED(case_epipe_handler());
    GUARDED(case_epipe_default());
    GUARDED(case_epipe_blocked());
    GUARDED(case_zero_bytes());
    GUARDED(case_efault());
    GUARDED(case_wrong_end());
    GUARDED(case_nonblock_read());
    GUARDED(case_capacity());
    GUARDED(case_capacity_small(256));
    GUARDED(case_capacity_small(1000));
    GUARDED(case_partial_write());
    GUARDED(case_pipe_buf_atomic());
    GUARDED(case_big_write_page_room());
    GUARDED(case_setfl());
    GUARDED(case_fionread());
    GUARDED(case_ioctl_errors());
    GUARDED(case_fstat());
    GUARDED(case_thread_reader());
    GUARDED(case_thread_writer());
    GUARDED(case_thread_eof());
    GUARDED(case_thread_epipe());
    GUARDED(case_fork_write());
    GUARDED(case_fork_eof());
    GUARDED(case_fork_flags());
    case_read_eintr();
    case_write_eintr();
    GUARDED(case_poll_ready());
    GUARDED(case_poll_full());
    GUARDED(case_poll_hup());
    GUARDED(case_poll_err());
    case_poll_no_pipe();
    GUARDED(case_poll_nval());
    GUARDED(case_poll_duplicates());
    GUARDED(case_poll_wait());
    GUARDED(case_poll_timeout());
    case_poll_eintr();
    GUARDED(case_ppoll_signals());
    GUARDED(case_ppoll_pipe());
    GUARDED(case_many());
    GUARDED(case_cancel());
    return 0;
}
