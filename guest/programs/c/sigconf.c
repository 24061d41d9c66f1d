/* Signals conformance: handlers and siginfo by source, the ucontext a
 * handler sees and may change, sigaction flags, interrupted system calls,
 * alternate stacks, masks and pending sets, threads, fork, interval and
 * POSIX timers, and the error returns. Every case prints one line of
 * facts that do not depend on timing, addresses or pids (relations are
 * printed instead), so a run on Linux is the reference for a run in the
 * guest.
 *
 * Faults are left through the ucontext: the handler points the saved
 * rip/rsp at the end of esc_call (below), which is what a longjmp would
 * do, and so also checks that sigreturn honours a changed context. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/ucontext.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* The kernel's flag (linux/signal.h); glibc's signal.h does not have it. */
#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1U << 31)
#endif

#ifndef sigev_notify_thread_id
#define sigev_notify_thread_id _sigev_un._tid
#endif

#define CASE(name, ...)                  \
    do {                                 \
        printf("%s: ", name);            \
        printf(__VA_ARGS__);             \
        printf("\n");                    \
    } while (0)

/* ---- names ---- */

static const char *errname(int e)
{
    switch (e) {
    case 0: return "0";
    case EINTR: return "EINTR";
    case EINVAL: return "EINVAL";
    case ESRCH: return "ESRCH";
    case EPERM: return "EPERM";
    case EAGAIN: return "EAGAIN";
    case ENOMEM: return "ENOMEM";
    case ECHILD: return "ECHILD";
    case EFAULT: return "EFAULT";
    case ENOSYS: return "ENOSYS";
    case ETIMEDOUT: return "ETIMEDOUT";
    default: return "other";
    }
}

/* "0" for success, else the errno's name. */
static const char *res(int r)
{
    return r == 0 ? "0" : errname(errno);
}

static const char *signame(int sig)
{
    static char buf[4][24];
    static int n;
    switch (sig) {
    case SIGHUP: return "SIGHUP";
    case SIGINT: return "SIGINT";
    case SIGQUIT: return "SIGQUIT";
    case SIGILL: return "SIGILL";
    case SIGTRAP: return "SIGTRAP";
    case SIGABRT: return "SIGABRT";
    case SIGBUS: return "SIGBUS";
    case SIGFPE: return "SIGFPE";
    case SIGKILL: return "SIGKILL";
    case SIGUSR1: return "SIGUSR1";
    case SIGSEGV: return "SIGSEGV";
    case SIGUSR2: return "SIGUSR2";
    case SIGPIPE: return "SIGPIPE";
    case SIGALRM: return "SIGALRM";
    case SIGTERM: return "SIGTERM";
    case SIGCHLD: return "SIGCHLD";
    case SIGCONT: return "SIGCONT";
    case SIGSTOP: return "SIGSTOP";
    case SIGWINCH: return "SIGWINCH";
    case 0: return "none";
    }
    char *b = buf[n++ & 3];
    if (sig >= SIGRTMIN && sig <= SIGRTMAX)
        snprintf(b, sizeof buf[0], "SIGRTMIN+%d", sig - SIGRTMIN);
    else
        snprintf(b, sizeof buf[0], "sig%d", sig);
    return b;
}

static const char *codename(int sig, int code)
{
    static char bufs[4][24];
    static int n;
    char *buf = bufs[n++ & 3];
    switch (code) {
    case SI_USER: return "SI_USER";
    case SI_QUEUE: return "SI_QUEUE";
    case SI_TIMER: return "SI_TIMER";
    case SI_TKILL: return "SI_TKILL";
    case SI_KERNEL: return "SI_KERNEL";
    }
    if (sig == SIGCHLD) {
        switch (code) {
        case CLD_EXITED: return "CLD_EXITED";
        case CLD_KILLED: return "CLD_KILLED";
        case CLD_DUMPED: return "CLD_DUMPED";
        case CLD_STOPPED: return "CLD_STOPPED";
        case CLD_CONTINUED: return "CLD_CONTINUED";
        }
    }
    if (sig == SIGSEGV) {
        switch (code) {
        case SEGV_MAPERR: return "SEGV_MAPERR";
        case SEGV_ACCERR: return "SEGV_ACCERR";
        }
    }
    if (sig == SIGFPE) {
        switch (code) {
        case FPE_INTDIV: return "FPE_INTDIV";
        case FPE_INTOVF: return "FPE_INTOVF";
        case FPE_FLTDIV: return "FPE_FLTDIV";
        }
    }
    if (sig == SIGILL) {
        switch (code) {
        case ILL_ILLOPC: return "ILL_ILLOPC";
        case ILL_ILLOPN: return "ILL_ILLOPN";
        case ILL_PRVOPC: return "ILL_PRVOPC";
        }
    }
    if (sig == SIGTRAP) {
        switch (code) {
        case TRAP_BRKPT: return "TRAP_BRKPT";
        case TRAP_TRACE: return "TRAP_TRACE";
        }
    }
    snprintf(buf, sizeof bufs[0], "code%d", code);
    return buf;
}

/* How a child ended, as wait's status says. */
static const char *status_text(int st)
{
    static char bufs[4][48];
    static int n;
    char *buf = bufs[n++ & 3];
    size_t size = sizeof bufs[0];
    if (WIFEXITED(st))
        snprintf(buf, size, "exited %d", WEXITSTATUS(st));
    else if (WIFSIGNALED(st))
        snprintf(buf, size, "killed by %s", signame(WTERMSIG(st)));
    else if (WIFSTOPPED(st))
        snprintf(buf, size, "stopped by %s", signame(WSTOPSIG(st)));
    else
        snprintf(buf, size, "status 0x%x", st);
    return buf;
}

/* ---- small tools ---- */

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static pid_t my_tid(void)
{
    return (pid_t)syscall(SYS_gettid);
}

static sigset_t set_of(int sig)
{
    sigset_t s;
    sigemptyset(&s);
    if (sig)
        sigaddset(&s, sig);
    return s;
}

static void block(int sig)
{
    sigset_t s = set_of(sig);
    sigprocmask(SIG_BLOCK, &s, NULL);
}

static void unblock(int sig)
{
    sigset_t s = set_of(sig);
    sigprocmask(SIG_UNBLOCK, &s, NULL);
}

static int is_blocked(int sig)
{
    sigset_t cur;
    sigprocmask(SIG_BLOCK, NULL, &cur);
    return sigismember(&cur, sig);
}

static int is_pending(int sig)
{
    sigset_t p;
    sigpending(&p);
    return sigismember(&p, sig);
}

static int on(int sig, void (*fn)(int, siginfo_t *, void *), int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = fn;
    sa.sa_flags = SA_SIGINFO | flags;
    sigemptyset(&sa.sa_mask);
    return sigaction(sig, &sa, NULL);
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

static void dfl(int sig)
{
    plain(sig, SIG_DFL, 0);
}

/* A one-shot (or periodic) ITIMER_REAL. */
/* The period of the interrupting ticks: long against one signal delivery
 * and a few system calls in a slow guest (under instruction emulation and
 * with a check at every stop, several milliseconds each), so that the
 * program always gets on between two ticks. */
#define TICK_MS 50

static void itimer_ms(long first, long every)
{
    struct itimerval it = {{every / 1000, (every % 1000) * 1000}, {first / 1000, (first % 1000) * 1000}};
    setitimer(ITIMER_REAL, &it, NULL);
}

/* Waits with `sig` blocked until `*flag` is set by its handler. */
static void await_flag(volatile sig_atomic_t *flag, int sig)
{
    sigset_t s = set_of(sig), old;
    sigprocmask(SIG_BLOCK, &s, &old);
    sigset_t wait = old;
    sigdelset(&wait, sig);
    while (!*flag)
        sigsuspend(&wait);
    sigprocmask(SIG_SETMASK, &old, NULL);
}

/* A child that waits for signals until killed. */
static pid_t idle_child(void)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        for (;;)
            pause();
    }
    return pid;
}

/* A pid that no process has: a reaped child's. */
static pid_t dead_pid(void)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0)
        _exit(0);
    waitpid(pid, NULL, 0);
    return pid;
}

/* ---- the recorded delivery ---- */

struct rec {
    int signo;
    int code;
    int pid_is_self;
    int uid_is_self;
    int value;
    void *addr;
    int status;
    pid_t pid;
    pid_t tid;
    pthread_t self;
    int overrun;
};

static volatile sig_atomic_t hits;
static struct rec last;
static int order[64];
static int codes[64];
static volatile sig_atomic_t norder;

/* si_overrun of the first SI_TIMER signal since reset(). */
static volatile int first_overrun = -1;

static void reset(void)
{
    first_overrun = -1;
    hits = 0;
    norder = 0;
    memset(&last, 0, sizeof last);
}

static void rec_handler(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    last.signo = sig;
    last.code = si->si_code;
    last.pid_is_self = si->si_pid == getpid();
    last.uid_is_self = si->si_uid == getuid();
    last.value = si->si_value.sival_int;
    last.addr = si->si_addr;
    last.status = si->si_status;
    last.pid = si->si_pid;
    last.tid = my_tid();
    last.self = pthread_self();
    if (si->si_code == SI_TIMER) {
        last.overrun = si->si_overrun;
        if (first_overrun < 0)
            first_overrun = si->si_overrun;
    }
    if (norder < 64) {
        codes[norder] = si->si_code;
        order[norder++] = sig;
    }
    hits++;
}

static void plain_handler(int sig)
{
    if (norder < 64)
        order[norder++] = sig;
    hits++;
}

static const char *order_text(void)
{
    static char buf[256];
    buf[0] = 0;
    for (int i = 0; i < norder; i++) {
        if (i)
            strcat(buf, ",");
        strcat(buf, signame(order[i]));
    }
    return norder ? buf : "none";
}

static const char *codes_text(void)
{
    static char buf[256];
    buf[0] = 0;
    for (int i = 0; i < norder; i++) {
        if (i)
            strcat(buf, ",");
        strcat(buf, codename(order[i], codes[i]));
    }
    return norder ? buf : "none";
}

/* ---- leaving a fault through the ucontext ---- */

/* esc_call(fn) calls fn() and returns 0; a fault handler may instead
 * resume at esc_resume with rsp = esc_rsp and rax = 1, which returns 1
 * from esc_call with the callee-saved registers it saved. */
void *esc_rsp;
int esc_call(void (*fn)(void));
void esc_resume(void);
__asm__(".text\n"
        ".globl esc_call\n"
        ".type esc_call,@function\n"
        "esc_call:\n"
        "  push %rbp\n"
        "  push %rbx\n"
        "  push %r12\n"
        "  push %r13\n"
        "  push %r14\n"
        "  push %r15\n"
        "  sub $8, %rsp\n"
        "  mov %rsp, esc_rsp(%rip)\n"
        "  call *%rdi\n"
        "  xor %eax, %eax\n"
        ".globl esc_resume\n"
        "esc_resume:\n"
        "  add $8, %rsp\n"
        "  pop %r15\n"
        "  pop %r14\n"
        "  pop %r13\n"
        "  pop %r12\n"
        "  pop %rbx\n"
        "  pop %rbp\n"
        "  ret\n"
        ".size esc_call, .-esc_call\n");

static void escape(void *ucv)
{
    ucontext_t *uc = ucv;
    uc->uc_mcontext.gregs[REG_RIP] = (greg_t)(uintptr_t)esc_resume;
    uc->uc_mcontext.gregs[REG_RSP] = (greg_t)(uintptr_t)esc_rsp;
    uc->uc_mcontext.gregs[REG_RAX] = 1;
}

static greg_t fault_rip;
static void fault_handler(int sig, siginfo_t *si, void *uc)
{
    rec_handler(sig, si, uc);
    fault_rip = ((ucontext_t *)uc)->uc_mcontext.gregs[REG_RIP];
    escape(uc);
}

static volatile int *volatile fault_ptr;
static volatile int sink;

static void write_fault_ptr(void)
{
    *fault_ptr = 1;
}

static void divide_by_zero(void)
{
    volatile int a = 7, b = 0;
    sink = a / b;
}

static void do_ud2(void)
{
    __asm__ volatile("ud2");
}

static void do_hlt(void)
{
    __asm__ volatile("hlt");
}

/* ---- cases: handlers and siginfo by source ---- */

static void case_plain_handler(void)
{
    reset();
    plain(SIGUSR1, plain_handler, 0);
    raise(SIGUSR1);
    CASE("plain-handler-runs", "handled=%d order=%s", (int)hits, order_text());
    dfl(SIGUSR1);
}

static void case_sigaction_old(void)
{
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = rec_handler;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGUSR2);
    sigaction(SIGUSR1, &sa, NULL);
    sigaction(SIGUSR1, NULL, &old);
    int mask = SA_SIGINFO | SA_RESTART | SA_NODEFER | SA_RESETHAND | SA_ONSTACK;
    CASE("sigaction-returns-old", "same-handler=%d flags-siginfo-restart=%d mask-usr2=%d mask-usr1=%d",
         old.sa_sigaction == rec_handler, (old.sa_flags & mask) == (SA_SIGINFO | SA_RESTART),
         sigismember(&old.sa_mask, SIGUSR2), sigismember(&old.sa_mask, SIGUSR1));
    dfl(SIGUSR1);
    sigaction(SIGUSR1, NULL, &old);
    CASE("sigaction-default-after-reset", "is-default=%d", old.sa_handler == SIG_DFL);
}

static void case_si_kill(void)
{
    reset();
    on(SIGUSR1, rec_handler, 0);
    int r = kill(getpid(), SIGUSR1);
    CASE("siginfo-kill", "ret=%s handled=%d signo=%s si_code=%s si_pid==getpid: %d si_uid==getuid: %d", res(r),
         (int)hits, signame(last.signo), codename(last.signo, last.code), last.pid_is_self, last.uid_is_self);
    dfl(SIGUSR1);
}

static void case_si_raise(void)
{
    reset();
    on(SIGUSR1, rec_handler, 0);
    raise(SIGUSR1);
    CASE("siginfo-raise", "handled=%d si_code=%s si_pid==getpid: %d si_uid==getuid: %d", (int)hits,
         codename(last.signo, last.code), last.pid_is_self, last.uid_is_self);
    dfl(SIGUSR1);
}

static void case_si_tgkill(void)
{
    reset();
    on(SIGUSR2, rec_handler, 0);
    long r = syscall(SYS_tgkill, getpid(), my_tid(), SIGUSR2);
    CASE("siginfo-tgkill", "ret=%ld handled=%d si_code=%s si_pid==getpid: %d", r, (int)hits,
         codename(last.signo, last.code), last.pid_is_self);
    reset();
    r = syscall(SYS_tkill, my_tid(), SIGUSR2);
    CASE("siginfo-tkill", "ret=%ld handled=%d si_code=%s", r, (int)hits, codename(last.signo, last.code));
    dfl(SIGUSR2);
}

static void case_si_pthread_kill(void)
{
    reset();
    on(SIGUSR1, rec_handler, 0);
    int r = pthread_kill(pthread_self(), SIGUSR1);
    CASE("siginfo-pthread-kill", "ret=%d handled=%d si_code=%s same-thread=%d", r, (int)hits,
         codename(last.signo, last.code), pthread_equal(last.self, pthread_self()) != 0);
    dfl(SIGUSR1);
}

static void case_si_sigqueue(void)
{
    reset();
    on(SIGUSR1, rec_handler, 0);
    union sigval v = {.sival_int = 4242};
    int r = sigqueue(getpid(), SIGUSR1, v);
    CASE("siginfo-sigqueue", "ret=%s handled=%d si_code=%s si_value=%d si_pid==getpid: %d", res(r), (int)hits,
         codename(last.signo, last.code), last.value, last.pid_is_self);
    dfl(SIGUSR1);
}

static void case_si_timer(void)
{
    reset();
    on(SIGALRM, rec_handler, 0);
    struct sigevent ev;
    memset(&ev, 0, sizeof ev);
    ev.sigev_notify = SIGEV_SIGNAL;
    ev.sigev_signo = SIGALRM;
    ev.sigev_value.sival_int = 77;
    timer_t t;
    int r = timer_create(CLOCK_MONOTONIC, &ev, &t);
    struct itimerspec its = {{0, 0}, {0, 10 * 1000000}};
    int r2 = timer_settime(t, 0, &its, NULL);
    await_flag(&hits, SIGALRM);
    CASE("siginfo-timer", "create=%s settime=%s handled=%d si_code=%s si_value=%d si_overrun=%d", res(r), res(r2),
         (int)hits, codename(last.signo, last.code), last.value, last.overrun);
    timer_delete(t);
    dfl(SIGALRM);
}

static void case_si_chld(void)
{
    reset();
    on(SIGCHLD, rec_handler, 0);
    block(SIGCHLD);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0)
        _exit(3);
    await_flag(&hits, SIGCHLD);
    int st;
    pid_t w = waitpid(pid, &st, 0);
    CASE("sigchld-exited", "handled=%d si_code=%s si_status=%d si_pid==fork: %d wait==fork: %d", (int)hits,
         codename(last.signo, last.code), last.status, last.pid == pid, w == pid);

    reset();
    pid = idle_child();
    kill(pid, SIGKILL);
    await_flag(&hits, SIGCHLD);
    w = waitpid(pid, &st, 0);
    CASE("sigchld-killed", "handled=%d si_code=%s si_status=%s si_pid==fork: %d wait: %s", (int)hits,
         codename(last.signo, last.code), signame(last.status), last.pid == pid, status_text(st));
    unblock(SIGCHLD);
    dfl(SIGCHLD);
}

static void case_segv(void)
{
    on(SIGSEGV, fault_handler, 0);

    reset();
    fault_ptr = NULL;
    int esc = esc_call(write_fault_ptr);
    CASE("segv-null-write", "escaped=%d signo=%s si_code=%s si_addr==0: %d", esc, signame(last.signo),
         codename(last.signo, last.code), last.addr == NULL);

    long pg = sysconf(_SC_PAGESIZE);
    char *p = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(p + pg, pg);
    reset();
    fault_ptr = (volatile int *)(p + pg + 16);
    esc = esc_call(write_fault_ptr);
    CASE("segv-unmapped-write", "escaped=%d si_code=%s si_addr==address: %d", esc, codename(last.signo, last.code),
         last.addr == (void *)(p + pg + 16));

    mprotect(p, pg, PROT_READ);
    reset();
    fault_ptr = (volatile int *)(p + 8);
    esc = esc_call(write_fault_ptr);
    CASE("segv-readonly-write", "escaped=%d si_code=%s si_addr==address: %d", esc, codename(last.signo, last.code),
         last.addr == (void *)(p + 8));

    mprotect(p, pg, PROT_NONE);
    reset();
    fault_ptr = (volatile int *)(p + 8);
    esc = esc_call(write_fault_ptr);
    CASE("segv-prot-none-write", "escaped=%d si_code=%s si_addr==address: %d", esc,
         codename(last.signo, last.code), last.addr == (void *)(p + 8));
    munmap(p, pg);

    reset();
    esc = esc_call(do_hlt);
    CASE("segv-privileged-hlt", "escaped=%d signo=%s si_code=%s si_addr==0: %d", esc, signame(last.signo),
         codename(last.signo, last.code), last.addr == NULL);
    dfl(SIGSEGV);
}

static void case_fpe(void)
{
    reset();
    on(SIGFPE, fault_handler, 0);
    int esc = esc_call(divide_by_zero);
    CASE("fpe-int-divide-by-zero", "escaped=%d signo=%s si_code=%s si_addr==rip: %d", esc, signame(last.signo),
         codename(last.signo, last.code), last.addr == (void *)fault_rip);
    dfl(SIGFPE);
}

static void case_ill(void)
{
    reset();
    on(SIGILL, fault_handler, 0);
    int esc = esc_call(do_ud2);
    CASE("ill-ud2", "escaped=%d signo=%s si_code=%s si_addr==rip: %d", esc, signame(last.signo),
         codename(last.signo, last.code), last.addr == (void *)fault_rip);
    dfl(SIGILL);
}

static greg_t trap_rip;
static void trap_handler(int sig, siginfo_t *si, void *uc)
{
    rec_handler(sig, si, uc);
    trap_rip = ((ucontext_t *)uc)->uc_mcontext.gregs[REG_RIP];
}

static void case_trap(void)
{
    reset();
    on(SIGTRAP, trap_handler, 0);
    uintptr_t after;
    /* The trap's saved rip is the instruction after int3, so returning
     * from the handler continues. */
    __asm__ volatile("int3\n1: lea 1b(%%rip), %0" : "=r"(after));
    CASE("trap-int3", "handled=%d signo=%s si_code=%s rip==after-int3: %d", (int)hits, signame(last.signo),
         codename(last.signo, last.code), trap_rip == (greg_t)after);
    dfl(SIGTRAP);
}

/* ---- cases: the ucontext ---- */

static void set_rax_handler(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    rec_handler(sig, si, ucv);
    uc->uc_mcontext.gregs[REG_RAX] = 0x5151;
    uc->uc_mcontext.gregs[REG_RBX] += 1;
    uc->uc_mcontext.gregs[REG_RIP] += 2; /* past the ud2 */
}

static void case_uc_regs(void)
{
    reset();
    on(SIGILL, set_rax_handler, 0);
    long rax, rbx;
    __asm__ volatile("mov $1, %%eax\n mov $41, %%ebx\n ud2\n mov %%rbx, %1" : "=a"(rax), "=r"(rbx) : : "rbx");
    CASE("ucontext-registers-changed", "handled=%d rax=0x%lx rbx=%ld", (int)hits, rax, rbx);
    dfl(SIGILL);
}

static int uc_mask_usr2, uc_mask_usr1, in_mask_usr1, in_mask_usr2;
static void mask_handler(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    rec_handler(sig, si, ucv);
    uc_mask_usr1 = sigismember(&uc->uc_sigmask, SIGUSR1);
    uc_mask_usr2 = sigismember(&uc->uc_sigmask, SIGUSR2);
    in_mask_usr1 = is_blocked(SIGUSR1);
    in_mask_usr2 = is_blocked(SIGUSR2);
}

static void case_uc_sigmask(void)
{
    reset();
    on(SIGUSR1, mask_handler, 0);
    block(SIGUSR2);
    raise(SIGUSR1);
    CASE("ucontext-sigmask-is-mask-before", "handled=%d uc-usr2=%d uc-usr1=%d in-handler-usr1=%d in-handler-usr2=%d",
         (int)hits, uc_mask_usr2, uc_mask_usr1, in_mask_usr1, in_mask_usr2);
    CASE("mask-restored-after-handler", "usr1-blocked=%d usr2-blocked=%d", is_blocked(SIGUSR1),
         is_blocked(SIGUSR2));
    unblock(SIGUSR2);
    dfl(SIGUSR1);
}

static void add_mask_handler(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    rec_handler(sig, si, ucv);
    sigaddset(&uc->uc_sigmask, SIGUSR2);
    sigaddset(&uc->uc_sigmask, SIGKILL);
}

static void case_uc_sigmask_set(void)
{
    reset();
    on(SIGUSR1, add_mask_handler, 0);
    raise(SIGUSR1);
    CASE("ucontext-sigmask-changed", "handled=%d usr2-blocked-after=%d kill-blocked-after=%d", (int)hits,
         is_blocked(SIGUSR2), is_blocked(SIGKILL));
    unblock(SIGUSR2);
    dfl(SIGUSR1);
}

static uint64_t xmm_in_handler = 1;
static unsigned mxcsr_in_handler;
static void clobber_fpu_handler(int sig, siginfo_t *si, void *uc)
{
    rec_handler(sig, si, uc);
    uint64_t v;
    __asm__ volatile("movq %%xmm8, %0" : "=r"(v));
    xmm_in_handler = v;
    __asm__ volatile("stmxcsr %0" : "=m"(mxcsr_in_handler));
    unsigned m = 0x7f80; /* round toward zero (and all masked) */
    __asm__ volatile("pcmpeqd %%xmm8, %%xmm8\n pcmpeqd %%xmm0, %%xmm0\n ldmxcsr %0" : : "m"(m) : "xmm0", "xmm8");
}

static void case_fpu(void)
{
    reset();
    on(SIGUSR1, clobber_fpu_handler, 0);
    uint64_t in = 0x1122334455667788ull, out;
    unsigned m_before = 0x3f80, m_after; /* round down */
    long ret;
    __asm__ volatile("ldmxcsr %[mb]\n"
                     "movq %[in], %%xmm8\n"
                     "syscall\n"
                     "movq %%xmm8, %[out]\n"
                     "stmxcsr %[ma]\n"
                     : [out] "=&r"(out), "=a"(ret), [ma] "=m"(m_after)
                     : [in] "r"(in), [mb] "m"(m_before), "a"((long)SYS_tgkill), "D"((long)getpid()),
                       "S"((long)my_tid()), "d"((long)SIGUSR1)
                     : "rcx", "r11", "memory", "xmm8");
    unsigned dflt = 0x1f80;
    __asm__ volatile("ldmxcsr %0" : : "m"(dflt));
    CASE("fpu-state-restored", "handled=%d xmm8-kept=%d mxcsr-kept=%d", (int)hits, out == in,
         m_after == m_before);
    CASE("fpu-state-fresh-in-handler", "xmm8-in-handler=0x%llx mxcsr-in-handler=0x%x",
         (unsigned long long)xmm_in_handler, mxcsr_in_handler);
    dfl(SIGUSR1);
}

/* The handler's first instruction sees rsp as a called function does:
 * rsp + 8 a multiple of 16 (the return address, sa_restorer, just
 * pushed). The entry is asm so that no prologue moves rsp first. */
uintptr_t entry_rsp;
void align_entry(int, siginfo_t *, void *);
__asm__(".text\n"
        ".globl align_entry\n"
        ".type align_entry,@function\n"
        "align_entry:\n"
        "  mov %rsp, entry_rsp(%rip)\n"
        "  jmp rec_handler_pub\n"
        ".size align_entry, .-align_entry\n");
void rec_handler_pub(int sig, siginfo_t *si, void *uc);
void rec_handler_pub(int sig, siginfo_t *si, void *uc)
{
    rec_handler(sig, si, uc);
}

static void case_alignment(void)
{
    reset();
    on(SIGUSR1, align_entry, 0);
    raise(SIGUSR1);
    CASE("handler-stack-aligned", "handled=%d (rsp+8)%%16=%d", (int)hits, (int)((entry_rsp + 8) % 16));

    /* An alternate stack whose end is not aligned: the kernel aligns the
     * frame it builds there all the same. */
    char *buf = malloc(64 * 1024 + 64);
    stack_t ss = {.ss_sp = buf + 3, .ss_size = 64 * 1024 + 5, .ss_flags = 0};
    sigaltstack(&ss, NULL);
    reset();
    entry_rsp = 1;
    on(SIGUSR1, align_entry, SA_ONSTACK);
    raise(SIGUSR1);
    int inside = entry_rsp >= (uintptr_t)(buf + 3) && entry_rsp < (uintptr_t)(buf + 3 + ss.ss_size);
    ss.ss_flags = SS_DISABLE;
    sigaltstack(&ss, NULL);
    free(buf);
    CASE("handler-stack-aligned-on-odd-altstack", "handled=%d on-altstack=%d (rsp+8)%%16=%d", (int)hits, inside,
         (int)((entry_rsp + 8) % 16));
    dfl(SIGUSR1);
}

/* ---- cases: flags ---- */

static volatile sig_atomic_t depth, max_depth;
static void nest_handler(int sig)
{
    depth++;
    if (depth > max_depth)
        max_depth = depth;
    if (norder < 64)
        order[norder++] = sig;
    hits++;
    if (hits == 1)
        raise(sig);
    depth--;
}

static void case_nodefer(void)
{
    reset();
    depth = max_depth = 0;
    plain(SIGUSR1, nest_handler, SA_NODEFER);
    raise(SIGUSR1);
    CASE("sa-nodefer-reenters", "handled=%d max-depth=%d", (int)hits, (int)max_depth);
    reset();
    depth = max_depth = 0;
    plain(SIGUSR1, nest_handler, 0);
    raise(SIGUSR1);
    CASE("default-defers-own-signal", "handled=%d max-depth=%d", (int)hits, (int)max_depth);
    dfl(SIGUSR1);
}

static int usr2_pending_inside, usr2_ran_inside;
static void usr1_raises_usr2(int sig)
{
    (void)sig;
    raise(SIGUSR2);
    usr2_ran_inside = norder;
    usr2_pending_inside = is_pending(SIGUSR2);
}

static void case_sa_mask(void)
{
    reset();
    plain(SIGUSR2, plain_handler, 0);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = usr1_raises_usr2;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGUSR2);
    sigaction(SIGUSR1, &sa, NULL);
    raise(SIGUSR1);
    CASE("sa-mask-blocks-during-handler", "usr2-ran-inside=%d usr2-pending-inside=%d usr2-ran-after=%d",
         usr2_ran_inside, usr2_pending_inside, (int)hits);
    dfl(SIGUSR1);
    dfl(SIGUSR2);
}

static int resethand_blocked;
static void resethand_handler(int sig)
{
    resethand_blocked = is_blocked(sig);
    hits++;
}

static void case_resethand(void)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        hits = 0;
        plain(SIGUSR1, resethand_handler, SA_RESETHAND);
        raise(SIGUSR1);
        struct sigaction old;
        sigaction(SIGUSR1, NULL, &old);
        CASE("sa-resethand-first-raise", "handled=%d blocked-in-handler=%d default-after=%d", (int)hits,
             resethand_blocked, old.sa_handler == SIG_DFL);
        fflush(stdout);
        raise(SIGUSR1);
        _exit(100);
    }
    int st;
    waitpid(pid, &st, 0);
    CASE("sa-resethand-second-raise", "child: %s", status_text(st));
}

/* The interrupted-call cases use a periodic timer, so whether or not a
 * tick comes before the call blocks, a later one finds it blocked: the
 * outcome does not depend on how fast the caller gets there. */
static pid_t restart_child;
static void kill_child_on_third(int sig)
{
    (void)sig;
    if (++hits == 3)
        kill(restart_child, SIGTERM);
}

static void case_restart_wait(void)
{
    /* With SA_RESTART the wait goes on through the ticks until the third
     * one's handler ends the child. */
    reset();
    plain(SIGALRM, kill_child_on_third, SA_RESTART);
    restart_child = idle_child();
    itimer_ms(TICK_MS, TICK_MS);
    int st = 0;
    errno = 0;
    pid_t w = waitpid(restart_child, &st, 0);
    int e = errno;
    itimer_ms(0, 0);
    CASE("sa-restart-waitpid-restarts", "handled>=3: %d ret==child: %d errno=%s child: %s", hits >= 3,
         w == restart_child, errname(e), status_text(st));

    /* Without it the first tick that finds the wait blocked ends it. */
    reset();
    plain(SIGALRM, plain_handler, 0);
    pid_t child = idle_child();
    itimer_ms(TICK_MS, TICK_MS);
    errno = 0;
    w = waitpid(child, &st, 0);
    e = errno;
    itimer_ms(0, 0);
    kill(child, SIGKILL);
    int again = waitpid(child, &st, 0) == child;
    CASE("no-sa-restart-waitpid-eintr", "handled>=1: %d ret=%d errno=%s reaped-after=%d child: %s", hits >= 1,
         (int)w, errname(e), again, status_text(st));
    dfl(SIGALRM);
}

static void case_nanosleep_eintr(void)
{
    for (int restart = 0; restart <= 1; restart++) {
        reset();
        plain(SIGALRM, plain_handler, restart ? SA_RESTART : 0);
        itimer_ms(TICK_MS, TICK_MS);
        struct timespec req = {1, 0}, rem = {0, 0};
        int r = nanosleep(&req, &rem);
        int e = errno;
        itimer_ms(0, 0);
        long long left = rem.tv_sec * 1000000000LL + rem.tv_nsec;
        CASE(restart ? "nanosleep-eintr-even-with-sa-restart" : "nanosleep-eintr",
             "ret=%d errno=%s handled>=1: %d 0<rem<=req: %d", r, r ? errname(e) : "0", hits >= 1,
             left > 0 && left <= 1000000000LL);
    }
    dfl(SIGALRM);
}

static void case_sigsuspend(void)
{
    reset();
    plain(SIGUSR1, plain_handler, 0);
    block(SIGUSR1);
    raise(SIGUSR1);
    sigset_t none;
    sigemptyset(&none);
    int r = sigsuspend(&none);
    int e = errno;
    CASE("sigsuspend-eintr-after-handler", "ret=%d errno=%s handled=%d mask-restored=%d", r, errname(e), (int)hits,
         is_blocked(SIGUSR1));
    unblock(SIGUSR1);
    dfl(SIGUSR1);
}

static void case_pause(void)
{
    reset();
    plain(SIGALRM, plain_handler, SA_RESTART);
    /* Periodic, so pause wakes even if a tick came before it. */
    itimer_ms(TICK_MS, TICK_MS);
    int r = pause();
    int e = errno;
    itimer_ms(0, 0);
    CASE("pause-eintr-even-with-sa-restart", "ret=%d errno=%s handled>=1: %d", r, errname(e), hits >= 1);
    dfl(SIGALRM);
}

/* The third tick's handler posts: a wait the ticks do not end returns 0
 * then; one they end returns -1 EINTR at the first tick it is blocked. */
static sem_t sem;
static void post_on_third(int sig)
{
    (void)sig;
    if (++hits == 3)
        sem_post(&sem);
}

static void case_sem_wait(void)
{
    for (int restart = 0; restart <= 1; restart++) {
        reset();
        sem_init(&sem, 0, 0);
        plain(SIGALRM, restart ? post_on_third : plain_handler, restart ? SA_RESTART : 0);
        itimer_ms(TICK_MS, TICK_MS);
        errno = 0;
        int r = sem_wait(&sem);
        int e = errno;
        itimer_ms(0, 0);
        int left;
        sem_getvalue(&sem, &left);
        CASE(restart ? "sem-wait-interrupted-sa-restart" : "sem-wait-interrupted",
             "ret=%d errno=%s handled>=1: %d value-after=%d", r, r ? errname(e) : "0", hits >= 1, left);
        sem_destroy(&sem);
    }
    dfl(SIGALRM);
}

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int pred, waiting, cond_rets;
static void *cond_waiter(void *a)
{
    (void)a;
    pthread_mutex_lock(&mu);
    waiting = 1;
    while (!pred)
        cond_rets |= pthread_cond_wait(&cv, &mu);
    pthread_mutex_unlock(&mu);
    return NULL;
}

static void wait_hits(int n)
{
    while (hits < n)
        sleep_ms(1);
}

static void case_cond_wait(void)
{
    reset();
    plain(SIGUSR1, plain_handler, 0);
    pred = waiting = cond_rets = 0;
    pthread_t t;
    pthread_create(&t, NULL, cond_waiter, NULL);
    for (;;) {
        pthread_mutex_lock(&mu);
        int w = waiting;
        pthread_mutex_unlock(&mu);
        if (w)
            break;
        sleep_ms(1);
    }
    pthread_kill(t, SIGUSR1);
    wait_hits(1);
    pthread_mutex_lock(&mu);
    pred = 1;
    pthread_cond_signal(&cv);
    pthread_mutex_unlock(&mu);
    pthread_join(t, NULL);
    CASE("cond-wait-not-interrupted", "handled=%d cond_wait-returns=%d", (int)hits, cond_rets);
    dfl(SIGUSR1);
}

static volatile int release_sleeper;
static void *sleeper(void *a)
{
    (void)a;
    while (!release_sleeper)
        sleep_ms(1);
    return (void *)7;
}

static pthread_t join_target;
static int join_ret;
static void *joiner(void *a)
{
    (void)a;
    void *v = NULL;
    join_ret = pthread_join(join_target, &v);
    return v;
}

static void case_join(void)
{
    reset();
    release_sleeper = 0;
    plain(SIGUSR1, plain_handler, 0);
    pthread_t j;
    pthread_create(&join_target, NULL, sleeper, NULL);
    pthread_create(&j, NULL, joiner, NULL);
    sleep_ms(10);
    pthread_kill(j, SIGUSR1);
    wait_hits(1);
    release_sleeper = 1;
    void *v;
    pthread_join(j, &v);
    CASE("join-not-interrupted", "handled=%d join-ret=%d value=%ld", (int)hits, join_ret, (long)v);
    dfl(SIGUSR1);
}

/* ---- cases: alternate stacks ---- */

static char *alt_base;
static size_t alt_size;
static int alt_on, alt_query_flags, alt_change_ret, alt_change_errno;
static void alt_handler(int sig, siginfo_t *si, void *uc)
{
    char local;
    rec_handler(sig, si, uc);
    alt_on = &local >= alt_base && &local < alt_base + alt_size;
    stack_t q;
    sigaltstack(NULL, &q);
    alt_query_flags = q.ss_flags;
    stack_t n = {.ss_sp = alt_base, .ss_size = alt_size, .ss_flags = 0};
    errno = 0;
    alt_change_ret = sigaltstack(&n, NULL);
    alt_change_errno = errno;
}

static const char *ssflags(int f)
{
    switch (f) {
    case 0: return "0";
    case SS_ONSTACK: return "SS_ONSTACK";
    case SS_DISABLE: return "SS_DISABLE";
    default: return "other";
    }
}

static void case_altstack(void)
{
    alt_size = 64 * 1024;
    alt_base = malloc(alt_size);
    stack_t ss = {.ss_sp = alt_base, .ss_size = alt_size, .ss_flags = 0}, old;
    int r = sigaltstack(&ss, &old);
    CASE("sigaltstack-install", "ret=%s old-flags=%s", res(r), ssflags(old.ss_flags));
    sigaltstack(NULL, &old);
    CASE("sigaltstack-query", "sp==buffer: %d size==%zu: %d flags=%s", old.ss_sp == alt_base, alt_size,
         old.ss_size == alt_size, ssflags(old.ss_flags));

    reset();
    on(SIGUSR1, alt_handler, SA_ONSTACK);
    raise(SIGUSR1);
    CASE("sa-onstack-runs-on-altstack", "handled=%d on-altstack=%d", (int)hits, alt_on);
    CASE("sigaltstack-query-on-stack", "flags=%s", ssflags(alt_query_flags));
    CASE("sigaltstack-change-on-stack", "ret=%d errno=%s", alt_change_ret, errname(alt_change_errno));

    reset();
    on(SIGUSR1, alt_handler, 0);
    raise(SIGUSR1);
    CASE("no-sa-onstack-runs-on-normal-stack", "handled=%d on-altstack=%d query-flags=%s", (int)hits, alt_on,
         ssflags(alt_query_flags));

    reset();
    ss.ss_flags = SS_ONSTACK | SS_AUTODISARM;
    r = sigaltstack(&ss, NULL);
    on(SIGUSR1, alt_handler, SA_ONSTACK);
    raise(SIGUSR1);
    sigaltstack(NULL, &old);
    CASE("ss-autodisarm", "ret=%s on-altstack=%d in-handler-flags=%s change-in-handler=%s after-flags=%s", res(r),
         alt_on, ssflags(alt_query_flags), alt_change_ret ? errname(alt_change_errno) : "0",
         ssflags(old.ss_flags & ~SS_AUTODISARM));

    ss.ss_flags = SS_DISABLE;
    r = sigaltstack(&ss, NULL);
    sigaltstack(NULL, &old);
    reset();
    raise(SIGUSR1);
    CASE("ss-disable", "ret=%s flags=%s size=%zu handler-on-altstack=%d", res(r), ssflags(old.ss_flags),
         old.ss_size, alt_on);

    stack_t small = {.ss_sp = alt_base, .ss_size = 1024, .ss_flags = 0};
    r = sigaltstack(&small, NULL);
    CASE("sigaltstack-too-small", "ret=%s", res(r));
    stack_t bad = {.ss_sp = alt_base, .ss_size = alt_size, .ss_flags = 0x1234};
    r = sigaltstack(&bad, NULL);
    CASE("sigaltstack-bad-flags", "ret=%s", res(r));
    dfl(SIGUSR1);
}

static int ovf_on_alt, ovf_escaped;
static char *ovf_alt;
static void ovf_handler(int sig, siginfo_t *si, void *uc)
{
    char local;
    rec_handler(sig, si, uc);
    ovf_on_alt = &local >= ovf_alt && &local < ovf_alt + 64 * 1024;
    escape(uc);
}

/* Never reached: only the guard page ends the recursion. */
static volatile int recursion_limit = -1;
static int recurse(int n)
{
    volatile char pad[512];
    pad[0] = (char)n;
    if (n == recursion_limit)
        return 0;
    return recurse(n + 1) + pad[0];
}

static void run_recursion(void)
{
    sink = recurse(0);
}

static void *overflow_thread(void *a)
{
    (void)a;
    ovf_alt = malloc(64 * 1024);
    stack_t ss = {.ss_sp = ovf_alt, .ss_size = 64 * 1024, .ss_flags = 0};
    sigaltstack(&ss, NULL);
    ovf_escaped = esc_call(run_recursion);
    ss.ss_flags = SS_DISABLE;
    sigaltstack(&ss, NULL);
    return NULL;
}

static void case_overflow(void)
{
    reset();
    on(SIGSEGV, ovf_handler, SA_ONSTACK);
    pthread_attr_t at;
    pthread_attr_init(&at);
    pthread_attr_setstacksize(&at, 128 * 1024);
    pthread_t t;
    pthread_create(&t, &at, overflow_thread, NULL);
    pthread_join(t, NULL);
    pthread_attr_destroy(&at);
    CASE("stack-overflow-caught-on-altstack", "escaped=%d handled=%d signo=%s on-altstack=%d", ovf_escaped,
         (int)hits, signame(last.signo), ovf_on_alt);
    dfl(SIGSEGV);
}

/* ---- cases: masks and pending ---- */

static volatile sig_atomic_t ran_flag;
static void flag_handler(int sig)
{
    (void)sig;
    ran_flag = 1;
    hits++;
}

static void case_pending(void)
{
    reset();
    ran_flag = 0;
    plain(SIGUSR1, flag_handler, 0);
    block(SIGUSR1);
    raise(SIGUSR1);
    int pend = is_pending(SIGUSR1), ran = ran_flag;
    sigset_t s = set_of(SIGUSR1);
    sigprocmask(SIG_UNBLOCK, &s, NULL);
    int ran_at_return = ran_flag;
    CASE("blocked-stays-pending", "pending=%d handled-while-blocked=%d", pend, ran);
    CASE("delivered-at-unblock", "handled-before-sigprocmask-returned=%d pending-after=%d", ran_at_return,
         is_pending(SIGUSR1));
    dfl(SIGUSR1);
}

static void case_unblockable(void)
{
    sigset_t s, old;
    sigemptyset(&s);
    sigaddset(&s, SIGKILL);
    sigaddset(&s, SIGSTOP);
    sigaddset(&s, SIGUSR1);
    int r = sigprocmask(SIG_BLOCK, &s, NULL);
    sigprocmask(SIG_BLOCK, NULL, &old);
    CASE("sigkill-sigstop-not-blockable", "ret=%s usr1=%d kill=%d stop=%d", res(r), sigismember(&old, SIGUSR1),
         sigismember(&old, SIGKILL), sigismember(&old, SIGSTOP));
    sigprocmask(SIG_UNBLOCK, &s, NULL);
    sigfillset(&s);
    sigprocmask(SIG_SETMASK, &s, &old);
    sigprocmask(SIG_SETMASK, &old, &s);
    CASE("fill-mask-drops-kill-stop", "kill=%d stop=%d usr1=%d", sigismember(&s, SIGKILL),
         sigismember(&s, SIGSTOP), sigismember(&s, SIGUSR1));

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = plain_handler;
    errno = 0;
    int rk = sigaction(SIGKILL, &sa, NULL);
    int ek = errno;
    errno = 0;
    int rs = sigaction(SIGSTOP, &sa, NULL);
    int es = errno;
    sa.sa_handler = SIG_IGN;
    errno = 0;
    int ri = sigaction(SIGKILL, &sa, NULL);
    int ei = errno;
    CASE("sigkill-sigstop-not-catchable", "kill=%s stop=%s kill-ignore=%s", rk ? errname(ek) : "0",
         rs ? errname(es) : "0", ri ? errname(ei) : "0");
    struct sigaction q;
    r = sigaction(SIGKILL, NULL, &q);
    CASE("sigaction-query-sigkill", "ret=%s is-default=%d", res(r), q.sa_handler == SIG_DFL);
}

static void case_coalesce(void)
{
    reset();
    on(SIGUSR1, rec_handler, 0);
    block(SIGUSR1);
    raise(SIGUSR1);
    raise(SIGUSR1);
    raise(SIGUSR1);
    unblock(SIGUSR1);
    CASE("standard-signals-coalesce", "raised=3 handled=%d", (int)hits);

    /* The thread's pending set and the process's are separate: one of
     * each stays pending. */
    reset();
    block(SIGUSR1);
    raise(SIGUSR1);
    kill(getpid(), SIGUSR1);
    kill(getpid(), SIGUSR1);
    unblock(SIGUSR1);
    CASE("thread-and-process-pending-separate", "raised=1 killed=2 handled=%d codes=%s", (int)hits,
         codes_text());
    dfl(SIGUSR1);
}

static int rt_values[8];
static void rt_handler(int sig, siginfo_t *si, void *uc)
{
    if (norder < 8)
        rt_values[norder] = si->si_value.sival_int;
    rec_handler(sig, si, uc);
}

static void case_rt_queue(void)
{
    reset();
    int rt = SIGRTMIN;
    on(rt, rt_handler, 0);
    block(rt);
    for (int i = 1; i <= 3; i++)
        sigqueue(getpid(), rt, (union sigval){.sival_int = i * 10});
    unblock(rt);
    CASE("rt-signals-queue", "sent=3 handled=%d values=%d,%d,%d codes=%s", (int)hits, rt_values[0], rt_values[1],
         rt_values[2], codename(last.signo, last.code));
    dfl(rt);
}

/* Handlers that block every signal while they run, so each pending
 * signal is delivered only after the previous handler returned. */
static void on_all_masked(int sig)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = rec_handler;
    sa.sa_flags = SA_SIGINFO;
    sigfillset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}

static void release_all(const int *sigs, int n)
{
    sigset_t s;
    sigemptyset(&s);
    for (int i = 0; i < n; i++)
        sigaddset(&s, sigs[i]);
    sigprocmask(SIG_UNBLOCK, &s, NULL);
}

static void case_order(void)
{
    int rtsigs[3] = {SIGRTMIN + 2, SIGRTMIN + 1, SIGRTMIN};
    reset();
    for (int i = 0; i < 3; i++) {
        on_all_masked(rtsigs[i]);
        block(rtsigs[i]);
    }
    for (int i = 0; i < 3; i++)
        sigqueue(getpid(), rtsigs[i], (union sigval){.sival_int = i});
    release_all(rtsigs, 3);
    CASE("rt-lowest-first", "sent=SIGRTMIN+2,SIGRTMIN+1,SIGRTMIN+0 order=%s", order_text());
    for (int i = 0; i < 3; i++)
        dfl(rtsigs[i]);

    int mixed[3] = {SIGRTMIN, SIGTERM, SIGUSR1};
    reset();
    for (int i = 0; i < 3; i++) {
        on_all_masked(mixed[i]);
        block(mixed[i]);
    }
    for (int i = 0; i < 3; i++)
        raise(mixed[i]);
    release_all(mixed, 3);
    CASE("standard-before-rt", "sent=SIGRTMIN+0,SIGTERM,SIGUSR1 order=%s", order_text());

    /* Handlers that do not mask each other: the kernel sets up a frame
     * for each deliverable signal before returning to user mode, so the
     * last one set up (the highest-numbered) runs first. */
    reset();
    for (int i = 0; i < 3; i++) {
        on(mixed[i], rec_handler, 0);
        block(mixed[i]);
    }
    for (int i = 0; i < 3; i++)
        raise(mixed[i]);
    release_all(mixed, 3);
    CASE("unmasked-handlers-nest", "sent=SIGRTMIN+0,SIGTERM,SIGUSR1 order=%s", order_text());
    for (int i = 0; i < 3; i++)
        dfl(mixed[i]);
}

static void case_ignore(void)
{
    reset();
    plain(SIGUSR1, SIG_IGN, 0);
    raise(SIGUSR1);
    CASE("ignored-signal-discarded", "pending=%d", is_pending(SIGUSR1));

    block(SIGUSR1);
    raise(SIGUSR1);
    int pend_ign = is_pending(SIGUSR1);
    plain(SIGUSR1, plain_handler, 0);
    unblock(SIGUSR1);
    CASE("blocked-ignored-signal-pends", "pending=%d handled-at-unblock=%d", pend_ign, (int)hits);

    reset();
    block(SIGUSR1);
    raise(SIGUSR1);
    int before = is_pending(SIGUSR1);
    plain(SIGUSR1, SIG_IGN, 0);
    int after = is_pending(SIGUSR1);
    plain(SIGUSR1, plain_handler, 0);
    unblock(SIGUSR1);
    CASE("setting-sig-ign-discards-pending", "pending-before=%d pending-after=%d handled=%d", before, after,
         (int)hits);
    dfl(SIGUSR1);

    block(SIGWINCH);
    raise(SIGWINCH);
    int pw = is_pending(SIGWINCH);
    unblock(SIGWINCH);
    raise(SIGURG);
    CASE("default-ignored-survives", "sigwinch-pending-while-blocked=%d pending-after-unblock=%d alive=1", pw,
         is_pending(SIGWINCH));
}

static void case_sigwait(void)
{
    reset();
    on(SIGUSR1, rec_handler, 0);
    on(SIGUSR2, rec_handler, 0);
    block(SIGUSR1);
    block(SIGUSR2);
    raise(SIGUSR2);
    raise(SIGUSR1);
    sigset_t s = set_of(SIGUSR1);
    sigaddset(&s, SIGUSR2);
    int sig = 0, sig2 = 0;
    int r = sigwait(&s, &sig);
    sigwait(&s, &sig2);
    CASE("sigwait-takes-pending", "ret=%d first=%s second=%s handled=%d pending-after=%d", r, signame(sig),
         signame(sig2), (int)hits, is_pending(SIGUSR1) + is_pending(SIGUSR2));

    siginfo_t si;
    memset(&si, 0, sizeof si);
    sigqueue(getpid(), SIGUSR1, (union sigval){.sival_int = 55});
    s = set_of(SIGUSR1);
    r = sigwaitinfo(&s, &si);
    CASE("sigwaitinfo-sigqueue", "ret=%s si_signo=%s si_code=%s si_value=%d si_pid==getpid: %d handled=%d",
         signame(r), signame(si.si_signo), codename(si.si_signo, si.si_code), si.si_value.sival_int,
         si.si_pid == getpid(), (int)hits);

    memset(&si, 0, sizeof si);
    kill(getpid(), SIGUSR2);
    s = set_of(SIGUSR2);
    struct timespec zero = {0, 0};
    r = sigtimedwait(&s, &si, &zero);
    CASE("sigtimedwait-zero-pending", "ret=%s si_code=%s si_pid==getpid: %d si_uid==getuid: %d", signame(r),
         codename(si.si_signo, si.si_code), si.si_pid == getpid(), si.si_uid == getuid());

    errno = 0;
    r = sigtimedwait(&s, &si, &zero);
    CASE("sigtimedwait-zero-empty", "ret=%d errno=%s", r, errname(errno));

    struct timespec ten = {0, 10 * 1000000};
    errno = 0;
    r = sigtimedwait(&s, &si, &ten);
    CASE("sigtimedwait-timeout", "ret=%d errno=%s", r, errname(errno));

    struct timespec badts = {0, 1000000000};
    errno = 0;
    r = sigtimedwait(&s, &si, &badts);
    CASE("sigtimedwait-bad-timeout", "ret=%d errno=%s", r, errname(errno));

    /* The raw system call: a zero timeout, the kernel's 8-byte set. */
    raise(SIGUSR2);
    uint64_t kset = 1ull << (SIGUSR2 - 1);
    long rr = syscall(SYS_rt_sigtimedwait, &kset, NULL, &zero, 8);
    long rr2 = syscall(SYS_rt_sigtimedwait, &kset, NULL, &zero, 8);
    int e2 = errno;
    long rr3 = syscall(SYS_rt_sigtimedwait, &kset, NULL, &zero, 4);
    int e3 = errno;
    CASE("rt-sigtimedwait-raw", "pending=%s empty=%ld errno=%s bad-setsize=%ld errno=%s", signame((int)rr), rr2,
         errname(e2), rr3, errname(e3));

    unblock(SIGUSR1);
    unblock(SIGUSR2);
    CASE("sigwait-ran-no-handler", "handled=%d", (int)hits);
    dfl(SIGUSR1);
    dfl(SIGUSR2);
}

/* ---- cases: threads ---- */

static volatile int worker_ready;
static pid_t worker_tid;
static void *unblocked_worker(void *a)
{
    (void)a;
    worker_tid = my_tid();
    unblock(SIGUSR1);
    worker_ready = 1;
    while (!hits)
        sleep_ms(1);
    return NULL;
}

static void case_process_directed(void)
{
    reset();
    worker_ready = 0;
    on(SIGUSR1, rec_handler, 0);
    block(SIGUSR1);
    pthread_t t;
    pthread_create(&t, NULL, unblocked_worker, NULL);
    while (!worker_ready)
        sleep_ms(1);
    kill(getpid(), SIGUSR1);
    pthread_join(t, NULL);
    CASE("process-signal-to-unblocked-thread", "handled=%d by-worker=%d si_code=%s main-pending=%d", (int)hits,
         last.tid == worker_tid, codename(last.signo, last.code), is_pending(SIGUSR1));
    unblock(SIGUSR1);
    dfl(SIGUSR1);
}

/* A thread that says its tid and waits until a handler has run. */
static void *target_thread(void *a)
{
    (void)a;
    worker_tid = my_tid();
    worker_ready = 1;
    while (!hits)
        sleep_ms(1);
    return NULL;
}

/* reset(), a recording SIGUSR1 handler, and a target_thread that runs. */
static pthread_t start_target(void)
{
    reset();
    worker_ready = 0;
    on(SIGUSR1, rec_handler, 0);
    pthread_t t;
    pthread_create(&t, NULL, target_thread, NULL);
    while (!worker_ready)
        sleep_ms(1);
    return t;
}

static void case_pthread_kill(void)
{
    pthread_t t = start_target();
    int r = pthread_kill(t, SIGUSR1);
    pthread_join(t, NULL);
    CASE("pthread-kill-targets-thread", "ret=%d handled=%d self==target: %d tid==target: %d si_code=%s", r,
         (int)hits, pthread_equal(last.self, t) != 0, last.tid == worker_tid, codename(last.signo, last.code));
    r = pthread_kill(pthread_self(), 0);
    CASE("pthread-kill-signal-0", "ret=%d", r);
    dfl(SIGUSR1);
}

static int thr_blocked_usr2, thr_inherited;
static void *mask_thread(void *a)
{
    (void)a;
    thr_inherited = is_blocked(SIGUSR1);
    sigset_t s = set_of(SIGUSR2);
    pthread_sigmask(SIG_BLOCK, &s, NULL);
    thr_blocked_usr2 = is_blocked(SIGUSR2);
    return NULL;
}

static void case_thread_masks(void)
{
    sigset_t s = set_of(SIGUSR1);
    int r = pthread_sigmask(SIG_BLOCK, &s, NULL);
    pthread_t t;
    pthread_create(&t, NULL, mask_thread, NULL);
    pthread_join(t, NULL);
    CASE("thread-inherits-creator-mask", "ret=%d inherited-usr1=%d", r, thr_inherited);
    CASE("thread-masks-are-per-thread", "thread-usr2=%d main-usr2=%d", thr_blocked_usr2, is_blocked(SIGUSR2));
    pthread_sigmask(SIG_UNBLOCK, &s, NULL);
    s = set_of(SIGUSR1);
    r = pthread_sigmask(99, &s, NULL);
    CASE("pthread-sigmask-bad-how", "ret=%s", errname(r));
}

static int thr_pend_self, thr_pend_after;
static volatile int pend_phase;
static void *pending_thread(void *a)
{
    (void)a;
    block(SIGUSR1);
    worker_tid = my_tid();
    pend_phase = 1;
    while (pend_phase != 2)
        sleep_ms(1);
    thr_pend_self = is_pending(SIGUSR1);
    unblock(SIGUSR1);
    thr_pend_after = is_pending(SIGUSR1);
    return NULL;
}

static void case_thread_pending(void)
{
    reset();
    pend_phase = 0;
    on(SIGUSR1, rec_handler, 0);
    pthread_t t;
    pthread_create(&t, NULL, pending_thread, NULL);
    while (pend_phase != 1)
        sleep_ms(1);
    syscall(SYS_tgkill, getpid(), worker_tid, SIGUSR1);
    int main_sees = is_pending(SIGUSR1);
    pend_phase = 2;
    pthread_join(t, NULL);
    CASE("thread-pending-is-per-thread", "target-pending=%d main-pending=%d handled-in-target=%d target-after=%d",
         thr_pend_self, main_sees, (int)hits == 1 && last.tid == worker_tid, thr_pend_after);
    dfl(SIGUSR1);
}

static void *raise_term(void *a)
{
    (void)a;
    raise(SIGTERM);
    return NULL;
}

static void case_fatal_from_thread(void)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        pthread_t t;
        pthread_create(&t, NULL, raise_term, NULL);
        for (;;)
            pause();
    }
    int st;
    waitpid(pid, &st, 0);
    CASE("fatal-signal-in-thread-ends-process", "child: %s", status_text(st));
}

static int waited_sigs[4];
static int waited_vals[4];
static void *sigwait_thread(void *a)
{
    (void)a;
    sigset_t s = set_of(SIGUSR1);
    sigaddset(&s, SIGRTMIN);
    int sig;
    sigwait(&s, &sig);
    waited_sigs[0] = sig;
    for (int i = 1; i < 4; i++) {
        siginfo_t si;
        waited_sigs[i] = sigwaitinfo(&s, &si);
        waited_vals[i] = si.si_value.sival_int;
    }
    return NULL;
}

static void case_sigwait_thread(void)
{
    reset();
    on(SIGUSR1, rec_handler, 0);
    on(SIGRTMIN, rec_handler, 0);
    sigset_t s = set_of(SIGUSR1), old;
    sigaddset(&s, SIGRTMIN);
    pthread_sigmask(SIG_BLOCK, &s, &old);
    pthread_t t;
    pthread_create(&t, NULL, sigwait_thread, NULL);
    kill(getpid(), SIGUSR1);
    for (int i = 1; i <= 3; i++)
        sigqueue(getpid(), SIGRTMIN, (union sigval){.sival_int = i});
    pthread_join(t, NULL);
    CASE("sigwait-in-dedicated-thread", "got=%s,%s,%s,%s values=%d,%d,%d handled=%d", signame(waited_sigs[0]),
         signame(waited_sigs[1]), signame(waited_sigs[2]), signame(waited_sigs[3]), waited_vals[1],
         waited_vals[2], waited_vals[3], (int)hits);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    dfl(SIGUSR1);
    dfl(SIGRTMIN);
}

/* ---- cases: fork ---- */

static void case_fork(void)
{
    reset();
    on(SIGUSR1, rec_handler, 0);
    plain(SIGUSR2, SIG_IGN, 0);
    char *alt = malloc(64 * 1024);
    stack_t ss = {.ss_sp = alt, .ss_size = 64 * 1024, .ss_flags = 0};
    sigaltstack(&ss, NULL);
    block(SIGUSR1);
    raise(SIGUSR1);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        struct sigaction q1, q2;
        sigaction(SIGUSR1, NULL, &q1);
        sigaction(SIGUSR2, NULL, &q2);
        stack_t cur;
        sigaltstack(NULL, &cur);
        int bits = is_pending(SIGUSR1) | is_blocked(SIGUSR1) << 1 | (q1.sa_sigaction == rec_handler) << 2 |
                   (q2.sa_handler == SIG_IGN) << 3 | (cur.ss_sp == alt && cur.ss_flags == 0) << 4;
        _exit(bits);
    }
    int st;
    waitpid(pid, &st, 0);
    int b = WEXITSTATUS(st);
    CASE("fork-inheritance", "pending=%d mask=%d handler=%d ignored=%d altstack=%d", b & 1, b >> 1 & 1, b >> 2 & 1,
         b >> 3 & 1, b >> 4 & 1);
    CASE("fork-parent-keeps-pending", "pending=%d", is_pending(SIGUSR1));
    unblock(SIGUSR1);
    ss.ss_flags = SS_DISABLE;
    sigaltstack(&ss, NULL);
    dfl(SIGUSR1);
    dfl(SIGUSR2);
}

static void case_nocldwait(void)
{
    for (int ign = 0; ign <= 1; ign++) {
        if (ign)
            plain(SIGCHLD, SIG_IGN, 0);
        else
            plain(SIGCHLD, SIG_DFL, SA_NOCLDWAIT);
        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0)
            _exit(5);
        errno = 0;
        pid_t w = waitpid(pid, NULL, 0);
        CASE(ign ? "sigchld-ignored-no-zombie" : "sa-nocldwait-no-zombie", "ret=%d errno=%s", (int)w,
             errname(errno));
        dfl(SIGCHLD);
    }
}

static void case_stop_continue(void)
{
    pid_t pid = idle_child();
    int st1 = 0, st2 = 0, st3 = 0;
    kill(pid, SIGSTOP);
    waitpid(pid, &st1, WUNTRACED);
    kill(pid, SIGCONT);
    waitpid(pid, &st2, WCONTINUED);
    kill(pid, SIGKILL);
    waitpid(pid, &st3, 0);
    CASE("child-stop-continue-kill", "%s, continued=%d, %s", status_text(st1), WIFCONTINUED(st2),
         status_text(st3));
}

static void case_abort(void)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        plain(SIGABRT, plain_handler, 0);
        abort();
    }
    int st;
    waitpid(pid, &st, 0);
    CASE("abort-after-returning-handler", "child: %s", status_text(st));
}

/* ---- cases: timers ---- */

static void case_alarm(void)
{
    /* A handler, so an alarm that does expire cannot end the program. */
    plain(SIGALRM, plain_handler, 0);
    unsigned a0 = alarm(5);
    unsigned a1 = alarm(3);
    unsigned a2 = alarm(0);
    unsigned a3 = alarm(0);
    CASE("alarm-returns-seconds-left", "first=%u second=%u cancel=%u none=%u", a0, a1, a2, a3);

    /* Left time rounds to the nearest second, and a fraction below one
     * second counts as one (the margins allow 300 ms between the calls). */
    long ms[3] = {1300, 1800, 400};
    unsigned got[3];
    for (int i = 0; i < 3; i++) {
        itimer_ms(ms[i], 0);
        got[i] = alarm(0);
    }
    CASE("alarm-rounding", "1.3s=%u 1.8s=%u 0.4s=%u", got[0], got[1], got[2]);

    reset();
    plain(SIGALRM, plain_handler, 0);
    struct itimerval it = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &it, NULL);
    itimer_ms(20, 0);
    await_flag(&hits, SIGALRM);
    CASE("itimer-real-fires", "handled=%d signo=%s", (int)hits, order_text());
    dfl(SIGALRM);
}

static void case_itimer(void)
{
    reset();
    plain(SIGALRM, plain_handler, 0);
    /* Periods long against a signal delivery in a slow guest, so that no
     * fourth tick can come between the third and the disarm. */
    itimer_ms(40, 40);
    struct itimerval g;
    getitimer(ITIMER_REAL, &g);
    CASE("getitimer-periodic", "interval=%ldus value-in-(0,40ms]: %d", (long)g.it_interval.tv_usec,
         g.it_value.tv_sec == 0 && g.it_value.tv_usec > 0 && g.it_value.tv_usec <= 40000);
    sigset_t s = set_of(SIGALRM), old;
    sigprocmask(SIG_BLOCK, &s, &old);
    sigset_t w = old;
    sigdelset(&w, SIGALRM);
    while (hits < 3)
        sigsuspend(&w);
    struct itimerval off = {{0, 0}, {0, 0}}, prev;
    setitimer(ITIMER_REAL, &off, &prev);
    sigprocmask(SIG_SETMASK, &old, NULL);
    getitimer(ITIMER_REAL, &g);
    CASE("itimer-periodic-three-ticks", "ticks=%d prev-interval=%ldus disarmed=%d", (int)hits,
         (long)prev.it_interval.tv_usec, g.it_value.tv_sec == 0 && g.it_value.tv_usec == 0);

    struct itimerval one = {{0, 0}, {2, 0}};
    setitimer(ITIMER_REAL, &one, NULL);
    getitimer(ITIMER_REAL, &g);
    int counting = (g.it_value.tv_sec == 1 || (g.it_value.tv_sec == 2 && g.it_value.tv_usec == 0)) &&
                   g.it_interval.tv_sec == 0 && g.it_interval.tv_usec == 0;
    setitimer(ITIMER_REAL, &off, &prev);
    CASE("getitimer-counts-down", "in-(1s,2s]: %d old-value-returned=%d", counting,
         prev.it_value.tv_sec >= 1 && prev.it_value.tv_sec <= 2);

    errno = 0;
    int r = setitimer(5, &one, NULL);
    int e = errno;
    errno = 0;
    int r2 = getitimer(5, &g);
    CASE("itimer-bad-which", "setitimer=%s getitimer=%s", r ? errname(e) : "0", r2 ? errname(errno) : "0");
    struct itimerval badu = {{0, 0}, {0, 1000000}};
    errno = 0;
    r = setitimer(ITIMER_REAL, &badu, NULL);
    CASE("itimer-bad-usec", "ret=%s", res(r));
    dfl(SIGALRM);
}

static void case_posix_timers(void)
{
    /* SIGEV_NONE: counts down, sends nothing. */
    reset();
    on(SIGALRM, rec_handler, 0);
    struct sigevent ev;
    memset(&ev, 0, sizeof ev);
    ev.sigev_notify = SIGEV_NONE;
    timer_t t;
    int r = timer_create(CLOCK_MONOTONIC, &ev, &t);
    struct itimerspec its = {{0, 0}, {0, 30 * 1000000}}, g1, g2;
    timer_settime(t, 0, &its, NULL);
    timer_gettime(t, &g1);
    sleep_ms(5);
    timer_gettime(t, &g2);
    long long v1 = g1.it_value.tv_sec * 1000000000LL + g1.it_value.tv_nsec;
    long long v2 = g2.it_value.tv_sec * 1000000000LL + g2.it_value.tv_nsec;
    sleep_ms(40);
    struct itimerspec g3;
    timer_gettime(t, &g3);
    CASE("timer-sigev-none", "create=%s counting-down=%d expired-reads-zero=%d signals=%d", res(r),
         v1 > 0 && v1 <= 30000000 && v2 < v1, g3.it_value.tv_sec == 0 && g3.it_value.tv_nsec == 0, (int)hits);
    r = timer_delete(t);
    errno = 0;
    int r2 = timer_settime(t, 0, &its, NULL);
    int e2 = errno;
    errno = 0;
    int r3 = timer_delete(t);
    CASE("timer-delete-then-einval", "delete=%s settime=%s delete-again=%s", res(r), r2 ? errname(e2) : "0",
         r3 ? errname(errno) : "0");

    /* Periodic SIGEV_SIGNAL with its overruns while the signal is blocked. */
    reset();
    memset(&ev, 0, sizeof ev);
    ev.sigev_notify = SIGEV_SIGNAL;
    ev.sigev_signo = SIGALRM;
    ev.sigev_value.sival_int = 9;
    timer_create(CLOCK_MONOTONIC, &ev, &t);
    block(SIGALRM);
    /* A period well above what one delivery costs in a slow guest: a
     * handler slower than the period would never let the program on. */
    struct itimerspec per = {{0, 50 * 1000000}, {0, 50 * 1000000}};
    timer_settime(t, 0, &per, NULL);
    sleep_ms(400);
    /* Delivered while the timer still runs: the overrun counts the
     * expiries while the signal was pending. (Only the first delivery's:
     * a slow machine may take another expiry before the disarm.) */
    int ovr = timer_getoverrun(t);
    unblock(SIGALRM);
    struct itimerspec off = {{0, 0}, {0, 0}}, old;
    timer_settime(t, 0, &off, &old);
    CASE("timer-periodic-overrun", "handled>=1: %d si_value=%d si_overrun>=5: %d getoverrun-before-delivery=%d "
         "old-interval=%ldns",
         hits >= 1, last.value, first_overrun >= 5, ovr, (long)old.it_interval.tv_nsec);

    /* An absolute expiry already past fires at once. */
    reset();
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    struct itimerspec abs = {{0, 0}, {now.tv_sec > 0 ? now.tv_sec - 1 : 0, 1}};
    r = timer_settime(t, TIMER_ABSTIME, &abs, NULL);
    await_flag(&hits, SIGALRM);
    CASE("timer-abstime-past-fires", "ret=%s handled=%d si_code=%s", res(r), (int)hits,
         codename(last.signo, last.code));
    timer_delete(t);

    errno = 0;
    r = timer_create((clockid_t)1000, &ev, &t);
    CASE("timer-create-bad-clock", "ret=%s", res(r));
    ev.sigev_signo = 0;
    errno = 0;
    r = timer_create(CLOCK_MONOTONIC, &ev, &t);
    CASE("timer-create-bad-signal", "ret=%s", res(r));
    ev.sigev_signo = SIGALRM;
    ev.sigev_notify = 77;
    errno = 0;
    r = timer_create(CLOCK_MONOTONIC, &ev, &t);
    CASE("timer-create-bad-notify", "ret=%s", res(r));
    dfl(SIGALRM);
}

static void case_timer_thread_id(void)
{
    pthread_t t = start_target();
    struct sigevent ev;
    memset(&ev, 0, sizeof ev);
    ev.sigev_notify = SIGEV_THREAD_ID;
    ev.sigev_signo = SIGUSR1;
    ev.sigev_value.sival_int = 31;
    ev.sigev_notify_thread_id = worker_tid;
    timer_t tm;
    int r = timer_create(CLOCK_MONOTONIC, &ev, &tm);
    struct itimerspec its = {{0, 0}, {0, 10 * 1000000}};
    timer_settime(tm, 0, &its, NULL);
    pthread_join(t, NULL);
    CASE("timer-sigev-thread-id", "create=%s handled=%d in-target=%d si_code=%s si_value=%d", res(r), (int)hits,
         last.tid == worker_tid, codename(last.signo, last.code), last.value);
    timer_delete(tm);
    ev.sigev_notify_thread_id = dead_pid();
    errno = 0;
    r = timer_create(CLOCK_MONOTONIC, &ev, &tm);
    CASE("timer-sigev-thread-id-bad-tid", "ret=%s", res(r));
    dfl(SIGUSR1);
}

/* ---- cases: errors ---- */

static void case_errors(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = plain_handler;
    int sigs[3] = {0, 65, -1};
    const char *e[3];
    for (int i = 0; i < 3; i++) {
        errno = 0;
        e[i] = sigaction(sigs[i], &sa, NULL) ? errname(errno) : "0";
    }
    CASE("sigaction-bad-signo", "0=%s 65=%s -1=%s", e[0], e[1], e[2]);

    pid_t gone = dead_pid();
    errno = 0;
    int r = kill(gone, SIGUSR1);
    CASE("kill-no-such-pid", "ret=%s", res(r));
    errno = 0;
    r = kill(getpid(), 0);
    CASE("kill-signal-0-self", "ret=%s", res(r));
    errno = 0;
    r = kill(getpid(), 65);
    CASE("kill-bad-signal", "ret=%s", res(r));
    errno = 0;
    r = sigqueue(gone, SIGUSR1, (union sigval){.sival_int = 1});
    CASE("sigqueue-no-such-pid", "ret=%s", res(r));

    errno = 0;
    long lr = syscall(SYS_tgkill, gone, my_tid(), SIGUSR1);
    int e1 = errno;
    errno = 0;
    long lr2 = syscall(SYS_tgkill, getpid(), my_tid(), 65);
    int e2 = errno;
    errno = 0;
    long lr3 = syscall(SYS_tgkill, getpid(), 0, SIGUSR1);
    int e3 = errno;
    CASE("tgkill-errors", "wrong-tgid=%s bad-signal=%s tid-0=%s", lr ? errname(e1) : "0", lr2 ? errname(e2) : "0",
         lr3 ? errname(e3) : "0");

    /* Only a process itself may send itself a siginfo with a code a
     * kernel-generated signal would have (>= 0). The child ignores what
     * it is sent, so only the SIGKILL ends it. */
    plain(SIGUSR1, SIG_IGN, 0);
    plain(SIGUSR2, SIG_IGN, 0);
    pid_t child = idle_child();
    dfl(SIGUSR1);
    dfl(SIGUSR2);
    siginfo_t si;
    memset(&si, 0, sizeof si);
    si.si_signo = SIGUSR1;
    si.si_code = SI_USER;
    errno = 0;
    lr = syscall(SYS_rt_sigqueueinfo, child, SIGUSR1, &si);
    e1 = errno;
    si.si_code = SI_QUEUE;
    si.si_value.sival_int = 3;
    errno = 0;
    lr2 = syscall(SYS_rt_sigqueueinfo, child, SIGUSR2, &si);
    e2 = errno;
    int st;
    kill(child, SIGKILL);
    waitpid(child, &st, 0);
    CASE("rt-sigqueueinfo-other-process", "si_code>=0: %s si_queue: %s child: %s", lr ? errname(e1) : "0",
         lr2 ? errname(e2) : "0", status_text(st));

    reset();
    on(SIGUSR1, rec_handler, 0);
    si.si_code = SI_USER;
    si.si_pid = getpid();
    si.si_uid = getuid();
    errno = 0;
    lr = syscall(SYS_rt_sigqueueinfo, getpid(), SIGUSR1, &si);
    CASE("rt-sigqueueinfo-self", "ret=%s handled=%d si_code=%s", lr ? errname(errno) : "0", (int)hits,
         codename(last.signo, last.code));
    dfl(SIGUSR1);

    sigset_t s = set_of(SIGUSR1);
    errno = 0;
    r = sigprocmask(17, &s, NULL);
    CASE("sigprocmask-bad-how", "ret=%s", res(r));
    uint64_t kset = 0;
    errno = 0;
    lr = syscall(SYS_rt_sigprocmask, SIG_BLOCK, &kset, NULL, 16);
    CASE("rt-sigprocmask-bad-size", "ret=%s", lr ? errname(errno) : "0");
    errno = 0;
    lr = syscall(SYS_rt_sigaction, SIGUSR1, NULL, NULL, 4);
    CASE("rt-sigaction-bad-size", "ret=%s", lr ? errname(errno) : "0");
}

int main(int argc, char **argv)
{
    /* Job control (stopping and continuing a process) is its own group of
     * cases: `sigconf job-control` runs them too. */
    int job_control = argc > 1 && strcmp(argv[1], "job-control") == 0;
    /* Line by line even into a pipe, so a run that dies part-way shows
     * the cases up to the one it died in. */
    setvbuf(stdout, NULL, _IOLBF, 0);
    case_plain_handler();
    case_sigaction_old();
    case_si_kill();
    case_si_raise();
    case_si_tgkill();
    case_si_pthread_kill();
    case_si_sigqueue();
    case_si_timer();
    case_si_chld();
    case_segv();
    case_fpe();
    case_ill();
    case_trap();
    case_uc_regs();
    case_uc_sigmask();
    case_uc_sigmask_set();
    case_fpu();
    case_alignment();
    case_nodefer();
    case_sa_mask();
    case_resethand();
    case_restart_wait();
    case_nanosleep_eintr();
    case_sigsuspend();
    case_pause();
    case_sem_wait();
    case_cond_wait();
    case_join();
    case_altstack();
    case_overflow();
    case_pending();
    case_unblockable();
    case_coalesce();
    case_rt_queue();
    case_order();
    case_ignore();
    case_sigwait();
    case_process_directed();
    case_pthread_kill();
    case_thread_masks();
    case_thread_pending();
    case_fatal_from_thread();
    case_sigwait_thread();
    case_fork();
    case_nocldwait();
    if (job_control)
        case_stop_continue();
    case_abort();
    case_alarm();
    case_itimer();
    case_posix_timers();
    case_timer_thread_id();
    case_errors();
    return 0;
}
