/* kill / tgkill / tkill and the default actions, masks and SIG_IGN, as
 * seen from outside: return values, errno names and how children end.
 * Children use raw system calls only. */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static long rsys(long n, long a, long b, long c, long d)
{
    register long r10 __asm__("r10") = d;
    long ret;
    __asm__ volatile("syscall" : "=a"(ret) : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10) : "rcx", "r11", "memory");
    return ret;
}

#include "raw-clone.h"

static const char *err(long r)
{
    switch (-r) {
    case 0: return "0";
    case ESRCH: return "ESRCH";
    case EINVAL: return "EINVAL";
    case ENOSYS: return "ENOSYS";
    default: return "other";
    }
}

static long self(void) { return rsys(SYS_getpid, 0, 0, 0, 0); }
static long tid(void) { return rsys(SYS_gettid, 0, 0, 0, 0); }

static int kill_self_term(void *a) { (void)a; rsys(SYS_kill, self(), SIGTERM, 0, 0); return 1; }
static int blocked_usr1(void *a)
{
    (void)a;
    unsigned long set = 1UL << (SIGUSR1 - 1);
    rsys(SYS_rt_sigprocmask, SIG_BLOCK, (long)&set, 0, 8);
    rsys(SYS_tkill, tid(), SIGUSR1, 0, 0);
    return 3;
}
static int ignored_term(void *a)
{
    (void)a;
    long act[4] = {(long)SIG_IGN, 0, 0, 0};
    rsys(SYS_rt_sigaction, SIGTERM, (long)act, 0, 8);
    rsys(SYS_kill, self(), SIGTERM, 0, 0);
    return 4;
}
static int sigchld_default(void *a) { (void)a; rsys(SYS_kill, self(), SIGCHLD, 0, 0); return 5; }
static int blocked_then_unblocked(void *a)
{
    (void)a;
    unsigned long set = 1UL << (SIGTERM - 1);
    rsys(SYS_rt_sigprocmask, SIG_BLOCK, (long)&set, 0, 8);
    rsys(SYS_kill, self(), SIGTERM, 0, 0);
    rsys(SYS_rt_sigprocmask, SIG_UNBLOCK, (long)&set, 0, 8);
    return 6;
}
static int never;
static int wait_forever(void *a)
{
    (void)a;
    for (;;)
        rsys(SYS_futex, (long)&never, 0, 0, 0);
    return 0;
}
static int tgkill_self_usr2(void *a) { (void)a; rsys(SYS_tgkill, self(), tid(), SIGUSR2, 0); return 7; }

static void child(const char *name, int (*fn)(void *), int kill_it)
{
    long pid = clone_run(SIGCHLD, 0, 0, 0, 0, fn, 0);
    if (pid < 0) {
        printf("%s: clone %s\n", name, err(pid));
        return;
    }
    if (kill_it)
        printf("%s: kill SIGKILL %s\n", name, err(rsys(SYS_kill, pid, SIGKILL, 0, 0)));
    int st = 0;
    rsys(SYS_wait4, pid, (long)&st, 0, 0);
    if (WIFEXITED(st))
        printf("%s: exited %d\n", name, WEXITSTATUS(st));
    else
        printf("%s: killed by signal %d\n", name, WTERMSIG(st));
}

int main(void)
{
    printf("kill self, signal 0: %s\n", err(rsys(SYS_kill, self(), 0, 0, 0)));
    printf("kill no such pid: %s\n", err(rsys(SYS_kill, 0x3ffffff0, SIGTERM, 0, 0)));
    printf("kill signal 65: %s\n", err(rsys(SYS_kill, self(), 65, 0, 0)));
    printf("kill no such group: %s\n", err(rsys(SYS_kill, -0x3ffffff0, SIGTERM, 0, 0)));
    printf("tgkill self, signal 0: %s\n", err(rsys(SYS_tgkill, self(), tid(), 0, 0)));
    printf("tgkill wrong tgid: %s\n", err(rsys(SYS_tgkill, 0x3ffffff0, tid(), 0, 0)));
    printf("tgkill tgid 0: %s\n", err(rsys(SYS_tgkill, 0, tid(), 0, 0)));
    printf("tkill tid 0: %s\n", err(rsys(SYS_tkill, 0, 0, 0, 0)));
    printf("tkill no such tid: %s\n", err(rsys(SYS_tkill, 0x3ffffff0, 0, 0, 0)));
    unsigned long set = 0, old = 0;
    printf("sigprocmask bad how: %s\n", err(rsys(SYS_rt_sigprocmask, 7, (long)&set, 0, 8)));
    printf("sigprocmask bad size: %s\n", err(rsys(SYS_rt_sigprocmask, 0, (long)&set, 0, 4)));
    set = (1UL << (SIGKILL - 1)) | (1UL << (SIGUSR1 - 1));
    rsys(SYS_rt_sigprocmask, SIG_SETMASK, (long)&set, 0, 8);
    rsys(SYS_rt_sigprocmask, 0, 0, (long)&old, 8);
    printf("SIGKILL cannot be blocked: %s, SIGUSR1 blocked: %s\n", old & (1UL << (SIGKILL - 1)) ? "no" : "yes",
           old & (1UL << (SIGUSR1 - 1)) ? "yes" : "no");
    set = 0;
    rsys(SYS_rt_sigprocmask, 2, (long)&set, 0, 8);
    long act[4] = {1, 0, 0, 0};
    printf("sigaction SIGKILL: %s\n", err(rsys(SYS_rt_sigaction, SIGKILL, (long)act, 0, 8)));
    printf("sigaction read SIGKILL: %s\n", err(rsys(SYS_rt_sigaction, SIGKILL, 0, (long)act, 8)));
    printf("sigaction signal 0: %s\n", err(rsys(SYS_rt_sigaction, 0, 0, (long)act, 8)));

    child("kill self SIGTERM", kill_self_term, 0);
    child("tkill self, SIGUSR1 blocked", blocked_usr1, 0);
    child("SIGTERM ignored", ignored_term, 0);
    child("SIGCHLD default", sigchld_default, 0);
    child("SIGTERM blocked then unblocked", blocked_then_unblocked, 0);
    child("SIGKILL from the parent", wait_forever, 1);
    child("tgkill self SIGUSR2", tgkill_self_usr2, 0);
    return 0;
}
