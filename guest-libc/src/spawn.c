/* posix_spawn and posix_spawnp, their file actions and attributes.
 *
 * The child is a clone sharing the parent's memory (CLONE_VM) that the
 * parent waits out (CLONE_VFORK), on a small stack of its own in the
 * parent's frame: no copy of the address space, whatever its size. It
 * reports a failure through a close-on-exec pipe: the error number if
 * anything fails, nothing (end of file) when the exec succeeds. Sharing
 * memory, the child makes raw system calls only (errno and every lock
 * are the parent's), and all signals stay blocked in both until the
 * child has reset the handlers, which are the parent's code and data. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include "internal.h"

enum { ACT_OPEN, ACT_CLOSE, ACT_DUP2, ACT_CHDIR, ACT_FCHDIR };

struct __spawn_action {
    struct __spawn_action *next;
    int op;
    int fd, newfd; /* newfd: dup2's target */
    int flags;
    mode_t mode;
    char path[]; /* open's and chdir's */
};

#define STR(x) STR_(x)
#define STR_(x) #x
/* long __spawn_clone(unsigned long flags, void *stack_top, int (*fn)(void *), void *arg)
 * The child starts on stack_top with fn and arg pushed there, calls fn
 * and exits with its value; the parent gets the raw clone result. */
__asm__(".text\n"
        ".type __spawn_clone, @function\n"
        "__spawn_clone:\n"
        "    sub $16, %rsi\n"
        "    mov %rdx, (%rsi)\n"
        "    mov %rcx, 8(%rsi)\n"
        "    xor %edx, %edx\n"
        "    xor %r10d, %r10d\n"
        "    xor %r8d, %r8d\n"
        "    mov $" STR(SYS_clone) ", %eax\n"
        "    syscall\n"
        "    test %rax, %rax\n"
        "    jnz 1f\n"
        "    xor %ebp, %ebp\n"
        "    pop %rax\n"
        "    pop %rdi\n"
        "    call *%rax\n"
        "    mov %eax, %edi\n"
        "    mov $" STR(SYS_exit_group) ", %eax\n"
        "    syscall\n"
        "    hlt\n"
        "1:  ret\n"
        ".size __spawn_clone, . - __spawn_clone\n");
hidden long __spawn_clone(unsigned long flags, void *stack_top, int (*fn)(void *), void *arg);

struct spawn_args {
    const char *file;
    char *const *argv, *const *envp;
    const posix_spawn_file_actions_t *fa;
    const posix_spawnattr_t *attr;
    int search;         /* posix_spawnp: look file up in path */
    const char *path;   /* the caller's PATH */
    unsigned long mask; /* the caller's signal mask */
    int pipe[2];
    char buf[PATH_MAX]; /* the search's candidate names */
};

/* Moves the report pipe's write end out of fd's way: the caller's file
 * actions see the descriptors the parent had, where the pipe was not. */
static int dodge(int *pipe_w, int fd)
{
    if (fd != *pipe_w)
        return 0;
    long r = __syscall3(SYS_fcntl, *pipe_w, F_DUPFD_CLOEXEC, 0);
    if (r < 0)
        return (int)r;
    __syscall1(SYS_close, *pipe_w);
    *pipe_w = (int)r;
    return 0;
}

static long run_actions(struct spawn_args *a, int *pipe_w)
{
    long r = 0;
    for (const struct __spawn_action *op = a->fa ? a->fa->__head : 0; op; op = op->next) {
        if ((r = dodge(pipe_w, op->fd)) < 0 ||
            (op->op == ACT_DUP2 && (r = dodge(pipe_w, op->newfd)) < 0))
            return r;
        switch (op->op) {
        case ACT_CLOSE:
            /* Closing what is not open is no failure. */
            __syscall1(SYS_close, op->fd);
            break;
        case ACT_DUP2:
            /* dup2 onto itself would change nothing; the action clears
             * close-on-exec instead, so the descriptor is inherited. */
            if (op->fd == op->newfd) {
                r = __syscall2(SYS_fcntl, op->fd, F_GETFD);
                if (r >= 0)
                    r = __syscall3(SYS_fcntl, op->fd, F_SETFD, r & ~FD_CLOEXEC);
            } else {
                r = __syscall2(SYS_dup2, op->fd, op->newfd);
            }
            break;
        case ACT_OPEN:
            /* Whatever had the number before goes first. */
            __syscall1(SYS_close, op->fd);
            r = __syscall4(SYS_openat, AT_FDCWD, op->path, op->flags, op->mode);
            if (r >= 0 && r != op->fd) {
                long d = __syscall2(SYS_dup2, r, op->fd);
                __syscall1(SYS_close, r);
                r = d;
            }
            break;
        case ACT_CHDIR:
            r = __syscall1(SYS_chdir, op->path);
            break;
        case ACT_FCHDIR:
            r = __syscall1(SYS_fchdir, op->fd);
            break;
        }
        if (r < 0)
            return r;
    }
    return 0;
}

static int child(void *p)
{
    struct spawn_args *a = p;
    const posix_spawnattr_t *attr = a->attr;
    short flags = attr ? attr->__flags : 0;
    int pipe_w = a->pipe[1];
    long r;
    __syscall1(SYS_close, a->pipe[0]);

    /* Caught signals go back to the default action (exec would do it,
     * but the parent's handlers must not run here before it); so do the
     * ones POSIX_SPAWN_SETSIGDEF names. Ignored signals stay ignored. */
    unsigned long reset = __atomic_load_n(&__sig_handlers, __ATOMIC_RELAXED);
    if (flags & POSIX_SPAWN_SETSIGDEF)
        reset |= attr->__sd.__val[0];
    for (int sig = 1; sig <= __SIGRTMAX; sig++) {
        if (!(reset & (1UL << (sig - 1))) || sig == SIGKILL || sig == SIGSTOP)
            continue;
        struct k_sigaction dfl = {.handler = SIG_DFL};
        __syscall4(SYS_rt_sigaction, sig, &dfl, 0, 8);
    }

    if ((flags & POSIX_SPAWN_SETSID) && (r = __syscall0(SYS_setsid)) < 0)
        goto fail;
    if ((flags & POSIX_SPAWN_SETPGROUP) && (r = __syscall2(SYS_setpgid, 0, attr->__pgrp)) < 0)
        goto fail;
    if ((flags & POSIX_SPAWN_RESETIDS) && ((r = __syscall1(SYS_setgid, __syscall0(SYS_getgid))) < 0 ||
                                           (r = __syscall1(SYS_setuid, __syscall0(SYS_getuid))) < 0))
        goto fail;
    if ((r = run_actions(a, &pipe_w)) < 0)
        goto fail;

    unsigned long mask = (flags & POSIX_SPAWN_SETSIGMASK) ? attr->__ss.__val[0] & ~INTERNAL_SIGNALS : a->mask;
    __syscall4(SYS_rt_sigprocmask, SIG_SETMASK, &mask, 0, 8);

    int err;
    if (a->search)
        err = __exec_search(a->file, a->argv, a->envp, a->path, a->buf, 0);
    else
        err = (int)-__syscall3(SYS_execve, a->file, a->argv, a->envp);
    r = -err;
fail:
    err = (int)-r;
    __syscall3(SYS_write, pipe_w, &err, sizeof(err));
    return 127;
}

static int spawn(pid_t *restrict pid, const char *file, const posix_spawn_file_actions_t *fa,
                 const posix_spawnattr_t *restrict attr, char *const argv[], char *const envp[], int search)
{
    _Alignas(16) char stack[4096];
    struct spawn_args a = {
        .file = file, .argv = argv, .envp = envp, .fa = fa, .attr = attr, .search = search,
    };
    if (search)
        a.path = getenv("PATH");
    long r = __syscall2(SYS_pipe2, a.pipe, O_CLOEXEC);
    if (r < 0)
        return (int)-r;
    unsigned long all = ~0UL;
    __syscall4(SYS_rt_sigprocmask, SIG_BLOCK, &all, &a.mask, 8);

    r = __spawn_clone(CLONE_VM | CLONE_VFORK | SIGCHLD, stack + sizeof(stack), child, &a);
    __syscall1(SYS_close, a.pipe[1]);
    int err = 0;
    if (r > 0) {
        long n;
        do
            n = __syscall3(SYS_read, a.pipe[0], &err, sizeof(err));
        while (n == -EINTR);
        if (n != sizeof(err))
            err = 0;
        else
            __syscall4(SYS_wait4, r, 0, 0, 0);
    } else {
        err = (int)-r;
    }
    __syscall1(SYS_close, a.pipe[0]);
    __syscall4(SYS_rt_sigprocmask, SIG_SETMASK, &a.mask, 0, 8);
    if (!err && pid)
        *pid = (pid_t)r;
    return err;
}

int posix_spawn(pid_t *restrict pid, const char *restrict path, const posix_spawn_file_actions_t *fa,
                const posix_spawnattr_t *restrict attr, char *const argv[restrict], char *const envp[restrict])
{
    return spawn(pid, path, fa, attr, argv, envp, 0);
}

int posix_spawnp(pid_t *restrict pid, const char *restrict file, const posix_spawn_file_actions_t *fa,
                 const posix_spawnattr_t *restrict attr, char *const argv[restrict], char *const envp[restrict])
{
    return spawn(pid, file, fa, attr, argv, envp, 1);
}

int posix_spawn_file_actions_init(posix_spawn_file_actions_t *fa)
{
    fa->__head = fa->__tail = 0;
    return 0;
}

int posix_spawn_file_actions_destroy(posix_spawn_file_actions_t *fa)
{
    for (struct __spawn_action *op = fa->__head, *next; op; op = next) {
        next = op->next;
        free(op);
    }
    fa->__head = fa->__tail = 0;
    return 0;
}

/* A descriptor the process could never have: EBADF, as POSIX has the
 * add functions check. */
static int bad_fd(int fd)
{
    struct rlimit rl;
    return fd < 0 || (prlimit(0, RLIMIT_NOFILE, 0, &rl) == 0 && (rlim_t)fd >= rl.rlim_cur);
}

static int add(posix_spawn_file_actions_t *fa, int op, int fd, int newfd, const char *path, int flags,
               mode_t mode)
{
    size_t len = path ? strlen(path) + 1 : 0;
    struct __spawn_action *a = malloc(sizeof(*a) + len);
    if (!a)
        return ENOMEM;
    *a = (struct __spawn_action){.op = op, .fd = fd, .newfd = newfd, .flags = flags, .mode = mode};
    if (path)
        memcpy(a->path, path, len);
    if (fa->__tail)
        fa->__tail->next = a;
    else
        fa->__head = a;
    fa->__tail = a;
    return 0;
}

int posix_spawn_file_actions_addopen(posix_spawn_file_actions_t *restrict fa, int fd, const char *restrict path,
                                     int flags, mode_t mode)
{
    if (bad_fd(fd))
        return EBADF;
    return add(fa, ACT_OPEN, fd, -1, path, flags, mode);
}

int posix_spawn_file_actions_addclose(posix_spawn_file_actions_t *fa, int fd)
{
    if (bad_fd(fd))
        return EBADF;
    return add(fa, ACT_CLOSE, fd, -1, 0, 0, 0);
}

int posix_spawn_file_actions_adddup2(posix_spawn_file_actions_t *fa, int fd, int newfd)
{
    if (bad_fd(fd) || bad_fd(newfd))
        return EBADF;
    return add(fa, ACT_DUP2, fd, newfd, 0, 0, 0);
}

int posix_spawn_file_actions_addchdir_np(posix_spawn_file_actions_t *restrict fa, const char *restrict path)
{
    return add(fa, ACT_CHDIR, -1, -1, path, 0, 0);
}

int posix_spawn_file_actions_addfchdir_np(posix_spawn_file_actions_t *fa, int fd)
{
    if (bad_fd(fd))
        return EBADF;
    return add(fa, ACT_FCHDIR, fd, -1, 0, 0, 0);
}

int posix_spawnattr_init(posix_spawnattr_t *a)
{
    memset(a, 0, sizeof(*a));
    return 0;
}

int posix_spawnattr_destroy(posix_spawnattr_t *a)
{
    (void)a;
    return 0;
}

/* Scheduling (POSIX_SPAWN_SETSCHEDPARAM, POSIX_SPAWN_SETSCHEDULER) is not
 * supported: a flag asking for it is refused rather than ignored. */
#define SPAWN_FLAGS (POSIX_SPAWN_RESETIDS | POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | \
                     POSIX_SPAWN_USEVFORK | POSIX_SPAWN_SETSID)

int posix_spawnattr_setflags(posix_spawnattr_t *a, short flags)
{
    if (flags & ~SPAWN_FLAGS)
        return EINVAL;
    a->__flags = flags;
    return 0;
}

int posix_spawnattr_getflags(const posix_spawnattr_t *restrict a, short *restrict flags)
{
    *flags = a->__flags;
    return 0;
}

int posix_spawnattr_setpgroup(posix_spawnattr_t *a, pid_t pgrp)
{
    a->__pgrp = pgrp;
    return 0;
}

int posix_spawnattr_getpgroup(const posix_spawnattr_t *restrict a, pid_t *restrict pgrp)
{
    *pgrp = a->__pgrp;
    return 0;
}

int posix_spawnattr_setsigmask(posix_spawnattr_t *restrict a, const sigset_t *restrict mask)
{
    a->__ss = *mask;
    return 0;
}

int posix_spawnattr_getsigmask(const posix_spawnattr_t *restrict a, sigset_t *restrict mask)
{
    *mask = a->__ss;
    return 0;
}

int posix_spawnattr_setsigdefault(posix_spawnattr_t *restrict a, const sigset_t *restrict set)
{
    a->__sd = *set;
    return 0;
}

int posix_spawnattr_getsigdefault(const posix_spawnattr_t *restrict a, sigset_t *restrict set)
{
    *set = a->__sd;
    return 0;
}
