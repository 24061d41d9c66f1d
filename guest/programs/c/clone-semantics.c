/* Conformance program for clone, clone3, exit, exit_group and wait4: flag
 * checks and their order, thread groups, sharing and copying, exit and
 * wait rules. One normalized line per case: a return
 * value or errno name, and observed relations (same or different tgid,
 * shared or copied mm / umask / fd table / handler table) — never pids or
 * addresses — so the same binary prints the same thing on Linux and in the
 * guest.
 *
 * Children never print and never touch TLS (errno): they make raw system
 * calls and report through their exit status, or through memory when they
 * share the parent's. Cases whose Linux result depends on privileges or on
 * being pid 1 (namespaces, CLONE_PARENT from init, set_tid) are left out. */
#include <asm/prctl.h>
#include <errno.h>
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "raw-clone.h"

/* ---- raw system calls (no errno, usable from any child) ---- */

static long rsys(long n, long a, long b, long c, long d, long e)
{
    register long r10 __asm__("r10") = d;
    register long r8 __asm__("r8") = e;
    long ret;
    __asm__ volatile("syscall" : "=a"(ret) : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8) : "rcx", "r11", "memory");
    return ret;
}

static const char *err(long r)
{
    switch (-r) {
    case 0: return "ok";
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case ESRCH: return "ESRCH";
    case EBADF: return "EBADF";
    case E2BIG: return "E2BIG";
    case ECHILD: return "ECHILD";
    case EAGAIN: return "EAGAIN";
    case ENOMEM: return "ENOMEM";
    case EFAULT: return "EFAULT";
    case EINVAL: return "EINVAL";
    case ENOSYS: return "ENOSYS";
    default: return "other";
    }
}

static int cases;
static void line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void line(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    cases++;
}

/* ---- children ---- */

static int parent_pid, parent_ppid;
static volatile int probe_mm;
/* child_probe's identity bits, also in memory for children that share it. */
static volatile int probe_bits;
static char stacks[8][64 * 1024] __attribute__((aligned(16)));

static int child_exit0(void *arg)
{
    (void)arg;
    return 0;
}

/* Reports identity facts in its exit status and changes one of each
 * shared-or-copied resource, for the parent to look at afterwards. */
enum { ID_SAME_TGID = 1, ID_PPID_IS_PARENT = 2, ID_PPID_IS_GRANDPARENT = 4, ID_OWN_TID = 8 };
static int child_probe(void *arg)
{
    (void)arg;
    int status = 0;
    long pid = rsys(SYS_getpid, 0, 0, 0, 0, 0), ppid = rsys(SYS_getppid, 0, 0, 0, 0, 0);
    long tid = rsys(SYS_gettid, 0, 0, 0, 0, 0);
    if (pid == parent_pid) status |= ID_SAME_TGID;
    if (ppid == parent_pid) status |= ID_PPID_IS_PARENT;
    if (ppid == parent_ppid) status |= ID_PPID_IS_GRANDPARENT;
    if (tid != parent_pid) status |= ID_OWN_TID;
    probe_mm = 1;
    probe_bits = status;
    rsys(SYS_umask, 077, 0, 0, 0, 0);
    rsys(SYS_dup2, 1, 50, 0, 0, 0);
    long act[4] = {(long)SIG_IGN, 0, 0, 0};
    rsys(SYS_rt_sigaction, SIGUSR1, (long)act, 0, 8, 0);
    return status;
}

static int child_exit_code(void *arg)
{
    return *(int *)arg;
}

/* In a child process: a second thread calls exit_group(7) while the leader
 * waits forever. */
static int thread_group_exit(void *arg)
{
    (void)arg;
    rsys(SYS_exit_group, 7, 0, 0, 0, 0);
    return 0;
}

static int child_group_exit(void *arg)
{
    (void)arg;
    static int never = 0;
    clone_run(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD, stacks[6] + sizeof(stacks[6]), 0, 0, 0,
              thread_group_exit, 0);
    for (;;)
        rsys(SYS_futex, (long)&never, FUTEX_WAIT, 0, 0, 0);
    return 0;
}

/* In a child process: the leader exits (code 3) while a second thread
 * waits for it to be gone (the leader's clear_child_tid word), then exits
 * with 5. The group's status is the last exiter's: 5. */
static int leader_tid_word;
static int thread_exits_last(void *arg)
{
    (void)arg;
    while (*(volatile int *)&leader_tid_word != 0)
        rsys(SYS_futex, (long)&leader_tid_word, FUTEX_WAIT, leader_tid_word, 0, 0);
    rsys(SYS_exit, 5, 0, 0, 0, 0);
    return 0;
}

static int child_leader_exits_first(void *arg)
{
    (void)arg;
    leader_tid_word = (int)rsys(SYS_set_tid_address, (long)&leader_tid_word, 0, 0, 0, 0);
    clone_run(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD, stacks[5] + sizeof(stacks[5]), 0, 0, 0,
              thread_exits_last, 0);
    rsys(SYS_exit, 3, 0, 0, 0, 0);
    return 0;
}

static int child_exit3(void *arg)
{
    (void)arg;
    return 3;
}

static int never_word;
static int child_waits_forever(void *arg)
{
    (void)arg;
    for (;;)
        rsys(SYS_futex, (long)&never_word, FUTEX_WAIT, 0, 0, 0);
    return 0;
}

/* CLONE_CHILD_SETTID wrote our tid into our own copy of the word. */
static int settid_word;
static int child_checks_settid(void *arg)
{
    (void)arg;
    return settid_word == rsys(SYS_gettid, 0, 0, 0, 0, 0) ? 1 : 2;
}

/* CLONE_SETTLS set our FS base (no TLS is touched: raw calls only). */
static int child_checks_tls(void *arg)
{
    (void)arg;
    unsigned long fs = 0;
    rsys(SYS_arch_prctl, ARCH_GET_FS, (long)&fs, 0, 0, 0);
    return fs == 0x12345000UL ? 1 : 2;
}

/* A thread that forks a child (exiting with *code) and, if asked, waits
 * at a gate before it exits itself. */
static volatile long thread_child;
static int thread_gate;
static int hold_at_gate;
static int thread_forks(void *arg)
{
    thread_child = clone_run(SIGCHLD, 0, 0, 0, 0, child_exit_code, arg);
    while (hold_at_gate && __atomic_load_n(&thread_gate, __ATOMIC_SEQ_CST) == 0)
        rsys(SYS_futex, (long)&thread_gate, 0, 0, 0, 0);
    return 0;
}

static void join_word(int *w)
{
    int v;
    while ((v = __atomic_load_n(w, __ATOMIC_SEQ_CST)) != 0)
        rsys(SYS_futex, (long)w, 0, v, 0, 0);
}

static int child_reads_stack_limit(void *arg)
{
    unsigned long lim[2];
    rsys(SYS_getrlimit, 3, (long)lim, 0, 0, 0);
    *(volatile unsigned long *)arg = lim[0];
    return 0;
}

/* Exits 1 if it inherited the 1 MiB stack limit; then changes its own. */
static int child_stack_limit_status(void *arg)
{
    (void)arg;
    unsigned long lim[2];
    rsys(SYS_getrlimit, 3, (long)lim, 0, 0, 0);
    int inherited = lim[0] == (1UL << 20);
    lim[0] = 1UL << 19;
    rsys(SYS_setrlimit, 3, (long)lim, 0, 0, 0);
    return inherited;
}

static void show_siginfo(const char *name, long r, const int *info)
{
    if (r < 0) {
        line("%s: %s", name, err(r));
        return;
    }
    const char *code = info[2] == 1 ? "CLD_EXITED" : info[2] == 2 ? "CLD_KILLED" : "other";
    line("%s: ok, signo %d, code %s, status %d", name, info[0], info[4] ? code : "none", info[6]);
}

/* ---- helpers ---- */

static void reset_probes(void)
{
    probe_mm = 0;
    umask(022);
    close(50);
    long act[4] = {(long)SIG_DFL, 0, 0, 0};
    rsys(SYS_rt_sigaction, SIGUSR1, (long)act, 0, 8, 0);
}

static void report_probes(const char *name, int idbits)
{
    line("%s: tgid %s", name, idbits & ID_SAME_TGID ? "same" : "different");
    line("%s: parent %s", name,
         idbits & ID_PPID_IS_PARENT ? "caller" : idbits & ID_PPID_IS_GRANDPARENT ? "caller's parent" : "other");
    line("%s: own tid %s", name, idbits & ID_OWN_TID ? "yes" : "no");
    line("%s: mm %s", name, probe_mm ? "shared" : "copied");
    mode_t old = umask(022);
    line("%s: fs (umask) %s", name, old == 077 ? "shared" : "copied");
    line("%s: files %s", name, rsys(SYS_fcntl, 50, F_GETFD, 0, 0, 0) >= 0 ? "shared" : "copied");
    long act[4] = {0, 0, 0, 0};
    rsys(SYS_rt_sigaction, SIGUSR1, 0, (long)act, 8, 0);
    line("%s: sighand %s", name, act[0] == 1 ? "shared" : "copied");
    reset_probes();
}

static void wait_child(const char *name, long pid, int options)
{
    int st = 0;
    long r = rsys(SYS_wait4, pid, (long)&st, options, 0, 0);
    if (r < 0) {
        line("%s: wait4 %s", name, err(r));
        return;
    }
    if (WIFEXITED(st))
        line("%s: wait4 ok, exited %d", name, WEXITSTATUS(st));
    else
        line("%s: wait4 ok, signaled %d", name, WTERMSIG(st));
}

/* clone3 with `a` (copied into a page-sized zeroed buffer first) and
 * `size`; prints the result and reaps a child that was created. */
static char argbuf[8192] __attribute__((aligned(4096)));
static void try_clone3(const char *name, const struct clone_args *a, unsigned long size, const void *tail, unsigned long tail_len)
{
    memset(argbuf, 0, sizeof(argbuf));
    memcpy(argbuf, a, sizeof(*a));
    if (tail)
        memcpy(argbuf + sizeof(*a), tail, tail_len);
    long r = clone3_run((struct clone_args *)argbuf, size, child_exit0, 0);
    if (r < 0) {
        line("clone3 %s: %s", name, err(r));
        return;
    }
    line("clone3 %s: ok", name);
    wait_child(name, r, __WALL);
}

static void try_clone(const char *name, unsigned long flags)
{
    long r = clone_run(flags, 0, 0, 0, 0, child_exit0, 0);
    if (r < 0) {
        line("clone %s: %s", name, err(r));
        return;
    }
    line("clone %s: ok", name);
    wait_child(name, r, __WALL);
}

int main(void)
{
    parent_pid = (int)rsys(SYS_getpid, 0, 0, 0, 0, 0);
    parent_ppid = (int)rsys(SYS_getppid, 0, 0, 0, 0, 0);
    reset_probes();

    /* clone3: size and argument checks, in Linux's order. */
    struct clone_args a = {.exit_signal = SIGCHLD};
    unsigned long sizes[] = {0, 8, 63, 64, 72, 80, 88, 96, 4096, 4097};
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        char name[32];
        snprintf(name, sizeof(name), "size %lu", sizes[i]);
        try_clone3(name, &a, sizes[i], 0, 0);
    }
    uint64_t junk = 1;
    try_clone3("size 96, non-zero tail", &a, 96, &junk, sizeof(junk));
    try_clone3("size 4096, non-zero tail", &a, 4096, &junk, sizeof(junk));
    line("clone3 NULL args: %s", err(rsys(SYS_clone3, 0, 64, 0, 0, 0)));
    line("clone3 unmapped args: %s", err(rsys(SYS_clone3, 0x1000, 64, 0, 0, 0)));

    struct { const char *name; uint64_t flags, exit_signal, stack, stack_size, set_tid, set_tid_size, cgroup; } bad[] = {
        {"exit_signal 65", 0, 65, 0, 0, 0, 0, 0},
        {"exit_signal 0x100", 0, 0x100, 0, 0, 0, 0, 0},
        {"exit_signal 0x1_0000_0011", 0, 0x100000011ULL, 0, 0, 0, 0, 0},
        {"flag bit 34", 1ULL << 34, SIGCHLD, 0, 0, 0, 0, 0},
        {"flag bit 63", 1ULL << 63, SIGCHLD, 0, 0, 0, 0, 0},
        {"CLONE_DETACHED", CLONE_DETACHED, SIGCHLD, 0, 0, 0, 0, 0},
        {"CSIGNAL in flags", SIGCHLD, SIGCHLD, 0, 0, 0, 0, 0},
        {"SIGHAND|CLEAR_SIGHAND", CLONE_VM | CLONE_SIGHAND | CLONE_CLEAR_SIGHAND, SIGCHLD, 0, 0, 0, 0, 0},
        {"THREAD with exit_signal", CLONE_VM | CLONE_SIGHAND | CLONE_THREAD, SIGCHLD, 0, 0, 0, 0, 0},
        {"PARENT with exit_signal", CLONE_PARENT, SIGCHLD, 0, 0, 0, 0, 0},
        {"stack 0, stack_size 4096", 0, SIGCHLD, 0, 4096, 0, 0, 0},
        {"stack set, stack_size 0", 0, SIGCHLD, 0x10000, 0, 0, 0, 0},
        {"stack past user space", 0, SIGCHLD, 0x7ffffffff000ULL, 0x10000, 0, 0, 0},
        {"set_tid_size 33", 0, SIGCHLD, 0, 0, 0x1000, 33, 0},
        {"set_tid without size", 0, SIGCHLD, 0, 0, 0x1000, 0, 0},
        {"set_tid_size without set_tid", 0, SIGCHLD, 0, 0, 0, 1, 0},
        {"INTO_CGROUP, cgroup > INT_MAX", CLONE_INTO_CGROUP, SIGCHLD, 0, 0, 0, 0, 0x80000000ULL},
        {"THREAD without SIGHAND", CLONE_VM | CLONE_THREAD, 0, 0, 0, 0, 0, 0},
        {"SIGHAND without VM", CLONE_SIGHAND, SIGCHLD, 0, 0, 0, 0, 0},
        {"NEWNS|FS", CLONE_NEWNS | CLONE_FS, SIGCHLD, 0, 0, 0, 0, 0},
        {"NEWUSER|FS", CLONE_NEWUSER | CLONE_FS, SIGCHLD, 0, 0, 0, 0, 0},
        {"NEWIPC|SYSVSEM", CLONE_NEWIPC | CLONE_SYSVSEM, SIGCHLD, 0, 0, 0, 0, 0},
        {"PIDFD|DETACHED", CLONE_PIDFD | CLONE_DETACHED, SIGCHLD, 0, 0, 0, 0, 0},
        {"SETTLS non-canonical", CLONE_SETTLS, SIGCHLD, 0, 0, 0, 0, 0},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct clone_args b = {.flags = bad[i].flags, .exit_signal = bad[i].exit_signal, .stack = bad[i].stack,
                               .stack_size = bad[i].stack_size, .set_tid = bad[i].set_tid,
                               .set_tid_size = bad[i].set_tid_size, .cgroup = bad[i].cgroup};
        if (bad[i].flags == CLONE_SETTLS)
            b.tls = 0x800000000000ULL;
        try_clone3(bad[i].name, &b, CLONE_ARGS_SIZE_VER2, 0, 0);
    }

    /* clone3: each legacy flag bit that needs no privilege, alone, fork-like. */
    static const struct { const char *name; uint64_t flag; } single[] = {
        {"FS", CLONE_FS}, {"FILES", CLONE_FILES}, {"SYSVSEM", CLONE_SYSVSEM},
        {"PARENT_SETTID", CLONE_PARENT_SETTID}, {"CHILD_SETTID", CLONE_CHILD_SETTID},
        {"CHILD_CLEARTID", CLONE_CHILD_CLEARTID}, {"UNTRACED", CLONE_UNTRACED}, {"IO", CLONE_IO},
        {"PTRACE", CLONE_PTRACE}, {"VM|VFORK", CLONE_VM | CLONE_VFORK}, {"VFORK", CLONE_VFORK},
    };
    int tidword = 0;
    for (size_t i = 0; i < sizeof(single) / sizeof(single[0]); i++) {
        struct clone_args b = {.flags = single[i].flag, .exit_signal = SIGCHLD,
                               .parent_tid = (uint64_t)(uintptr_t)&tidword, .child_tid = (uint64_t)(uintptr_t)&tidword};
        char name[48];
        snprintf(name, sizeof(name), "flag %s", single[i].name);
        try_clone3(name, &b, CLONE_ARGS_SIZE_VER0, 0, 0);
    }

    /* Legacy clone: register convention and its own rules. */
    try_clone("SIGCHLD", SIGCHLD);
    try_clone("exit signal 0", 0);
    try_clone("unknown bit 40 ignored", SIGCHLD | (1UL << 40));
    try_clone("DETACHED ignored", SIGCHLD | CLONE_DETACHED);
    try_clone("PIDFD|PARENT_SETTID", SIGCHLD | CLONE_PIDFD | CLONE_PARENT_SETTID);
    try_clone("THREAD without SIGHAND", CLONE_VM | CLONE_THREAD);
    try_clone("SIGHAND without VM", SIGCHLD | CLONE_SIGHAND);
    try_clone("NEWIPC|SYSVSEM", SIGCHLD | CLONE_NEWIPC | CLONE_SYSVSEM);
    line("clone SETTLS non-canonical: %s",
         err(clone_run(SIGCHLD | CLONE_SETTLS, 0, 0, 0, 0x800000000000UL, child_exit0, 0)));

    /* What the child shares, by flag set. */
    static const struct { const char *name; unsigned long flags; int stack; } share[] = {
        {"fork-like", SIGCHLD, 0},
        {"FS", CLONE_FS | SIGCHLD, 0},
        {"FILES", CLONE_FILES | SIGCHLD, 0},
        {"VM|VFORK", CLONE_VM | CLONE_VFORK | SIGCHLD, 0},
        {"VM|SIGHAND", CLONE_VM | CLONE_SIGHAND | SIGCHLD, 1},
        {"VM|FS|FILES|SIGHAND", CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | SIGCHLD, 1},
        {"VM (no SIGCHLD)", CLONE_VM, 1},
    };
    for (size_t i = 0; i < sizeof(share) / sizeof(share[0]); i++) {
        void *sp = share[i].stack ? stacks[i] + sizeof(stacks[i]) : 0;
        long r = clone_run(share[i].flags, sp, 0, 0, 0, child_probe, 0);
        if (r < 0) {
            line("share %s: clone %s", share[i].name, err(r));
            continue;
        }
        int st = 0;
        long w = rsys(SYS_wait4, r, (long)&st, __WALL, 0, 0);
        if (w < 0) {
            line("share %s: wait4 %s", share[i].name, err(w));
            continue;
        }
        char name[64];
        snprintf(name, sizeof(name), "share %s", share[i].name);
        report_probes(name, WEXITSTATUS(st));
    }

    /* A thread (glibc's flag set, minus TLS): identity in memory, joined
     * through CHILD_CLEARTID. */
    {
        static volatile int thread_bits;
        static int ctid = -1, ptid = 0;
        unsigned long flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SYSVSEM | CLONE_SIGHAND | CLONE_THREAD |
                              CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID;
        long r = clone_run(flags, stacks[7] + sizeof(stacks[7]), &ptid, &ctid, 0, child_probe, 0);
        line("thread: clone %s", r > 0 ? "ok" : err(r));
        if (r > 0) {
            line("thread: PARENT_SETTID wrote the tid: %s", ptid == r ? "yes" : "no");
            /* Join: wait until the kernel clears ctid (and wakes us). */
            while (*(volatile int *)&ctid != 0) {
                int v = *(volatile int *)&ctid;
                if (v != 0)
                    rsys(SYS_futex, (long)&ctid, FUTEX_WAIT, v, 0, 0);
            }
            line("thread: CHILD_CLEARTID cleared the tid: yes");
            line("thread: wait4 on its tid: %s", err(rsys(SYS_wait4, r, 0, __WALL, 0, 0)));
            (void)thread_bits;
            report_probes("thread", probe_bits);
        }
    }

    /* Exit status encoding. */
    static int codes[] = {1, 42, 255};
    for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
        char name[32];
        snprintf(name, sizeof(name), "exit %d", codes[i]);
        long r = clone_run(SIGCHLD, 0, 0, 0, 0, child_exit_code, &codes[i]);
        if (r > 0)
            wait_child(name, r, 0);
    }
    /* exit_group from a non-leader thread ends the whole group with its code. */
    {
        long r = clone_run(SIGCHLD, 0, 0, 0, 0, child_group_exit, 0);
        if (r > 0)
            wait_child("exit_group from a thread", r, 0);
    }
    /* Threads exiting one by one: the last one's code is the group's. */
    {
        long r = clone_run(SIGCHLD, 0, 0, 0, 0, child_leader_exits_first, 0);
        if (r > 0)
            wait_child("leader exits first, thread last", r, 0);
    }

    /* wait4 rules. */
    line("wait4 bad options: %s", err(rsys(SYS_wait4, -1, 0, 0x1000000, 0, 0)));
    line("wait4 no children: %s", err(rsys(SYS_wait4, -1, 0, 0, 0, 0)));
    line("wait4 pid INT_MIN: %s", err(rsys(SYS_wait4, -2147483648L, 0, 0, 0, 0)));
    line("wait4 pid INT_MIN, bad options: %s", err(rsys(SYS_wait4, -2147483648L, 0, 0x1000000, 0, 0)));
    {
        long r = clone_run(0 /* exit signal 0 */, 0, 0, 0, 0, child_exit0, 0);
        if (r > 0) {
            line("wait4 default on an exit-signal-0 child: %s", err(rsys(SYS_wait4, r, 0, 0, 0, 0)));
            wait_child("wait4 __WCLONE on it", r, __WCLONE);
        }
        r = clone_run(SIGCHLD, 0, 0, 0, 0, child_exit0, 0);
        if (r > 0) {
            line("wait4 __WCLONE on a SIGCHLD child: %s", err(rsys(SYS_wait4, r, 0, __WCLONE, 0, 0)));
            wait_child("wait4 default on it", r, 0);
        }
    }
    /* What the child sees of CHILD_SETTID and SETTLS. */
    {
        long r = clone_run(SIGCHLD | CLONE_CHILD_SETTID, 0, 0, &settid_word, 0, child_checks_settid, 0);
        if (r > 0)
            wait_child("CHILD_SETTID in the child's memory (1 = written)", r, 0);
        r = clone_run(SIGCHLD | CLONE_SETTLS, 0, 0, 0, 0x12345000UL, child_checks_tls, 0);
        if (r > 0)
            wait_child("SETTLS sets the child's FS base (1 = yes)", r, 0);
        line("CHILD_SETTID left the parent's word alone: %s", settid_word == 0 ? "yes" : "no");
    }

    /* waitid. */
    {
        int info[32];
        line("waitid no state option: %s", err(rsys(SYS_waitid, P_ALL, 0, (long)info, 0, 0)));
        line("waitid bad idtype: %s", err(rsys(SYS_waitid, 9, 0, (long)info, WEXITED, 0)));
        line("waitid no children: %s", err(rsys(SYS_waitid, P_ALL, 0, (long)info, WEXITED | WNOHANG, 0)));
        line("waitid P_PGID -1: %s", err(rsys(SYS_waitid, P_PGID, -1, (long)info, WEXITED | WNOHANG, 0)));
        line("waitid P_PIDFD -1: %s", err(rsys(SYS_waitid, P_PIDFD, -1, (long)info, WEXITED | WNOHANG, 0)));
        long r = clone_run(SIGCHLD, 0, 0, 0, 0, child_exit3, 0);
        if (r > 0) {
            memset(info, 0xff, sizeof(info));
            show_siginfo("waitid WNOWAIT on an exited child", rsys(SYS_waitid, P_PID, r, (long)info, WEXITED | WNOWAIT, 0), info);
            memset(info, 0xff, sizeof(info));
            show_siginfo("waitid reaps it", rsys(SYS_waitid, P_PID, r, (long)info, WEXITED, 0), info);
            line("wait4 after waitid reaped it: %s", err(rsys(SYS_wait4, r, 0, 0, 0, 0)));
        }
        r = clone_run(SIGCHLD, 0, 0, 0, 0, child_waits_forever, 0);
        if (r > 0) {
            memset(info, 0xff, sizeof(info));
            show_siginfo("waitid WNOHANG on a running child", rsys(SYS_waitid, P_PID, r, (long)info, WEXITED | WNOHANG, 0), info);
            rsys(SYS_kill, r, SIGKILL, 0, 0, 0);
            memset(info, 0xff, sizeof(info));
            show_siginfo("waitid on a killed child", rsys(SYS_waitid, P_PID, r, (long)info, WEXITED, 0), info);
        }
    }
    /* pidfds: CLONE_PIDFD (clone3 and legacy clone), pidfd_open,
     * pidfd_send_signal, waitid(P_PIDFD). */
    {
        int info[32];
        int pidfd = -1;
        struct clone_args b = {.flags = CLONE_PIDFD, .pidfd = (uint64_t)(uintptr_t)&pidfd, .exit_signal = SIGCHLD};
        long r = rsys(SYS_clone3, (long)&b, CLONE_ARGS_SIZE_VER0, 0, 0, 0);
        if (r == 0)
            rsys(SYS_exit, 7, 0, 0, 0, 0);
        line("clone3 PIDFD: %s, pidfd above stdio: %s, close-on-exec: %s", r > 0 ? "ok" : err(r),
             pidfd > 2 ? "yes" : "no", rsys(SYS_fcntl, pidfd, F_GETFD, 0, 0, 0) == FD_CLOEXEC ? "yes" : "no");
        char byte;
        line("read from a pidfd: %s", err(rsys(SYS_read, pidfd, (long)&byte, 1, 0, 0)));
        line("fcntl F_GETFL of a pidfd: %ld", rsys(SYS_fcntl, pidfd, F_GETFL, 0, 0, 0) & 3);
        memset(info, 0xff, sizeof(info));
        long w = rsys(SYS_waitid, P_PIDFD, pidfd, (long)info, WEXITED, 0);
        show_siginfo("waitid P_PIDFD", w, info);
        line("waitid P_PIDFD found the right child: %s", w == 0 && info[4] == r ? "yes" : "no");
        line("close pidfd: %s", err(rsys(SYS_close, pidfd, 0, 0, 0, 0)));
        line("waitid P_PIDFD on a closed fd: %s", err(rsys(SYS_waitid, P_PIDFD, pidfd, (long)info, WEXITED, 0)));
        line("waitid P_PIDFD on stdout: %s", err(rsys(SYS_waitid, P_PIDFD, 1, (long)info, WEXITED, 0)));

        b.pidfd = 0x1000; /* unmapped: the clone fails, no child is left */
        line("clone3 PIDFD to an unmapped word: %s", err(rsys(SYS_clone3, (long)&b, CLONE_ARGS_SIZE_VER0, 0, 0, 0)));
        line("  and no child was left: %s", err(rsys(SYS_wait4, -1, 0, WNOHANG | __WALL, 0, 0)));

        pidfd = -1;
        r = clone_run(SIGCHLD | CLONE_PIDFD, 0, &pidfd, 0, 0, child_waits_forever, 0);
        line("clone PIDFD: %s, pidfd in parent_tid: %s", r > 0 ? "ok" : err(r), pidfd > 2 ? "yes" : "no");
        line("pidfd_send_signal flags 0x100: %s", err(rsys(SYS_pidfd_send_signal, pidfd, SIGKILL, 0, 0x100, 0)));
        line("pidfd_send_signal on stdout: %s", err(rsys(SYS_pidfd_send_signal, 1, SIGKILL, 0, 0, 0)));
        line("pidfd_send_signal SIGKILL: %s", err(rsys(SYS_pidfd_send_signal, pidfd, SIGKILL, 0, 0, 0)));
        memset(info, 0xff, sizeof(info));
        show_siginfo("waitid P_PIDFD on the killed child", rsys(SYS_waitid, P_PIDFD, pidfd, (long)info, WEXITED, 0), info);
        line("pidfd_send_signal to a reaped child: %s", err(rsys(SYS_pidfd_send_signal, pidfd, 0, 0, 0, 0)));
        rsys(SYS_close, pidfd, 0, 0, 0, 0);

        long me = rsys(SYS_getpid, 0, 0, 0, 0, 0);
        long fd = rsys(SYS_pidfd_open, me, 0, 0, 0, 0);
        line("pidfd_open self: %s", fd > 2 ? "ok" : err(fd));
        line("pidfd_send_signal 0 to self: %s", err(rsys(SYS_pidfd_send_signal, fd, 0, 0, 0, 0)));
        rsys(SYS_close, fd, 0, 0, 0, 0);
        line("pidfd_open pid 0: %s", err(rsys(SYS_pidfd_open, 0, 0, 0, 0, 0)));
        line("pidfd_open pid -1: %s", err(rsys(SYS_pidfd_open, -1, 0, 0, 0, 0)));
        line("pidfd_open bad flags: %s", err(rsys(SYS_pidfd_open, me, 1, 0, 0, 0)));
        line("pidfd_open no such pid: %s", err(rsys(SYS_pidfd_open, 4000000, 0, 0, 0, 0)));
        fd = rsys(SYS_pidfd_open, me, 0200 /* PIDFD_THREAD */, 0, 0, 0);
        line("pidfd_open PIDFD_THREAD self: %s", fd > 2 ? "ok" : err(fd));
        rsys(SYS_close, fd, 0, 0, 0, 0);

        /* A thread with a pidfd (allowed since Linux 6.9). */
        static int ctid2 = -1;
        pidfd = -1;
        unsigned long tflags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_PIDFD |
                               CLONE_CHILD_CLEARTID;
        r = clone_run(tflags, stacks[6] + sizeof(stacks[6]), &pidfd, &ctid2, 0, child_exit0, 0);
        line("clone THREAD|PIDFD: %s, pidfd: %s", r > 0 ? "ok" : err(r), pidfd > 2 ? "yes" : "no");
        if (r > 0) {
            while (*(volatile int *)&ctid2 != 0) {
                int v = *(volatile int *)&ctid2;
                if (v != 0)
                    rsys(SYS_futex, (long)&ctid2, 0, v, 0, 0);
            }
            rsys(SYS_close, pidfd, 0, 0, 0, 0);
        }
    }
    /* A child belongs to the thread that forked it: __WNOTHREAD waits only
     * for the caller's own children; when the forking thread exits, its
     * children pass to another thread of the group (same parent process). */
    {
        static int code5 = 5, code6 = 6;
        static int tctid;
        unsigned long tflags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_CHILD_CLEARTID;
        int st = 0;
        thread_child = 0;
        hold_at_gate = 1;
        thread_gate = 0;
        tctid = -1;
        long r = clone_run(tflags, stacks[4] + sizeof(stacks[4]), 0, &tctid, 0, thread_forks, &code5);
        while (r > 0 && __atomic_load_n(&thread_child, __ATOMIC_SEQ_CST) == 0)
            rsys(SYS_sched_yield, 0, 0, 0, 0, 0);
        long c = thread_child;
        line("a thread forked: %s", c > 0 ? "ok" : err(c));
        line("  main thread, __WNOTHREAD: %s", err(rsys(SYS_wait4, c, (long)&st, __WNOTHREAD, 0, 0)));
        long w = rsys(SYS_wait4, c, (long)&st, 0, 0, 0);
        line("  main thread, default: %s, status %d", w == c ? "reaped" : err(w), WEXITSTATUS(st));
        __atomic_store_n(&thread_gate, 1, __ATOMIC_SEQ_CST);
        rsys(SYS_futex, (long)&thread_gate, 1, 1, 0, 0);
        join_word(&tctid);

        thread_child = 0;
        hold_at_gate = 0;
        tctid = -1;
        r = clone_run(tflags, stacks[4] + sizeof(stacks[4]), 0, &tctid, 0, thread_forks, &code6);
        join_word(&tctid);
        c = thread_child;
        w = rsys(SYS_wait4, c, (long)&st, __WNOTHREAD, 0, 0);
        line("after the forking thread exited, main thread __WNOTHREAD: %s, status %d", w == c ? "reaped" : err(w),
             WEXITSTATUS(st));
    }

    /* Resource limits live in the thread group (signal_struct): threads
     * share them, fork copies them. */
    {
        unsigned long lim[2], saved[2], got[2];
        line("getrlimit STACK: %s", err(rsys(SYS_getrlimit, RLIMIT_STACK, (long)saved, 0, 0, 0)));
        lim[0] = 1 << 20;
        lim[1] = saved[1];
        line("prlimit64 set STACK 1 MiB: %s", err(rsys(SYS_prlimit64, 0, 3, (long)lim, (long)got, 0)));
        line("  old value returned: %s", got[0] == saved[0] && got[1] == saved[1] ? "yes" : "no");
        rsys(SYS_getrlimit, 3, (long)got, 0, 0, 0);
        line("  getrlimit sees 1 MiB: %s", got[0] == (1UL << 20) ? "yes" : "no");
        static volatile unsigned long thread_saw;
        static int lctid = -1;
        long r = clone_run(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_CHILD_CLEARTID,
                           stacks[5] + sizeof(stacks[5]), 0, &lctid, 0, child_reads_stack_limit, (void *)&thread_saw);
        if (r > 0) {
            while (*(volatile int *)&lctid != 0) {
                int v = *(volatile int *)&lctid;
                if (v != 0)
                    rsys(SYS_futex, (long)&lctid, 0, v, 0, 0);
            }
        }
        line("  a thread sees the same limit: %s", thread_saw == (1UL << 20) ? "yes" : "no");
        r = clone_run(SIGCHLD, 0, 0, 0, 0, child_stack_limit_status, 0);
        int st = 0;
        rsys(SYS_wait4, r, (long)&st, 0, 0, 0);
        line("  a forked child inherits it: %s", WEXITSTATUS(st) == 1 ? "yes" : "no");
        line("  and its own change stays its own: %s",
             (rsys(SYS_getrlimit, 3, (long)got, 0, 0, 0), got[0] == (1UL << 20)) ? "yes" : "no");
        lim[0] = lim[1] = 100;
        lim[0] = 200;
        line("prlimit64 cur above max: %s", err(rsys(SYS_prlimit64, 0, 3, (long)lim, 0, 0)));
        line("prlimit64 resource 16: %s", err(rsys(SYS_prlimit64, 0, 16, 0, (long)got, 0)));
        line("getrlimit resource 99: %s", err(rsys(SYS_getrlimit, 99, (long)got, 0, 0, 0)));
        line("prlimit64 unmapped new: %s", err(rsys(SYS_prlimit64, 0, 3, 0x1000, 0, 0)));
        line("prlimit64 no such process: %s", err(rsys(SYS_prlimit64, 4000000, 3, 0, (long)got, 0)));
        lim[0] = 1024;
        lim[1] = (1UL << 20) + 1;
        line("prlimit64 NOFILE max above nr_open: %s", err(rsys(SYS_prlimit64, 0, 7, (long)lim, 0, 0)));
        line("restore STACK: %s", err(rsys(SYS_prlimit64, 0, 3, (long)saved, 0, 0)));
    }
    line("total %d cases", cases + 1);
    return 0;
}
