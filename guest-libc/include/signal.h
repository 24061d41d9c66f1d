#ifndef _SIGNAL_H
#define _SIGNAL_H
#include <features.h>
#include <sys/types.h>
#include <bits/signum.h>
#include <bits/sigset.h>
#include <bits/timespec.h>
#include <sys/ucontext.h>
__BEGIN_DECLS
#define SIG_ERR ((void (*)(int))-1)
#define SIG_HOLD ((void (*)(int))2)
#define _NSIG (__SIGRTMAX + 1)
#define NSIG _NSIG

typedef int sig_atomic_t;
typedef void (*sighandler_t)(int);
typedef sighandler_t __sighandler_t;

union sigval {
    int sival_int;
    void *sival_ptr;
};
typedef union sigval sigval_t;

/* glibc's siginfo_t: 128 bytes, the kernel's layout. */
typedef struct {
    int si_signo;
    int si_errno;
    int si_code;
    int __pad0;
    union {
        int _pad[28];
        struct {
            pid_t si_pid;
            uid_t si_uid;
        } _kill;
        struct {
            int si_tid;
            int si_overrun;
            union sigval si_sigval;
        } _timer;
        struct {
            pid_t si_pid;
            uid_t si_uid;
            union sigval si_sigval;
        } _rt;
        struct {
            pid_t si_pid;
            uid_t si_uid;
            int si_status;
            long si_utime;
            long si_stime;
        } _sigchld;
        struct {
            void *si_addr;
            short si_addr_lsb;
            union {
                struct {
                    void *_lower;
                    void *_upper;
                } _addr_bnd;
                uint32_t _pkey;
            } _bounds;
        } _sigfault;
        struct {
            long si_band;
            int si_fd;
        } _sigpoll;
        struct {
            void *_call_addr;
            int _syscall;
            unsigned _arch;
        } _sigsys;
    } _sifields;
} siginfo_t;
#define si_pid _sifields._kill.si_pid
#define si_uid _sifields._kill.si_uid
#define si_timerid _sifields._timer.si_tid
#define si_overrun _sifields._timer.si_overrun
#define si_status _sifields._sigchld.si_status
#define si_utime _sifields._sigchld.si_utime
#define si_stime _sifields._sigchld.si_stime
#define si_value _sifields._rt.si_sigval
#define si_int _sifields._rt.si_sigval.sival_int
#define si_ptr _sifields._rt.si_sigval.sival_ptr
#define si_addr _sifields._sigfault.si_addr
#define si_addr_lsb _sifields._sigfault.si_addr_lsb
#define si_band _sifields._sigpoll.si_band
#define si_fd _sifields._sigpoll.si_fd
#define si_call_addr _sifields._sigsys._call_addr
#define si_syscall _sifields._sigsys._syscall
#define si_arch _sifields._sigsys._arch

/* glibc's struct sigaction (the kernel's differs: see sigaction.c). */
struct sigaction {
    union {
        sighandler_t sa_handler;
        void (*sa_sigaction)(int, siginfo_t *, void *);
    } __sigaction_handler;
    sigset_t sa_mask;
    int sa_flags;
    void (*sa_restorer)(void);
};
#define sa_handler __sigaction_handler.sa_handler
#define sa_sigaction __sigaction_handler.sa_sigaction

/* 64 bytes, as the kernel's. SIGEV_THREAD is not implemented (timer_create
 * refuses it), so sigev_notify_attributes is only an opaque pointer here. */
typedef struct sigevent {
    union sigval sigev_value;
    int sigev_signo;
    int sigev_notify;
    union {
        int _pad[12];
        pid_t _tid;
        struct {
            void (*_function)(union sigval);
            void *_attribute;
        } _sigev_thread;
    } _sigev_un;
} sigevent_t;
#define sigev_notify_function _sigev_un._sigev_thread._function
#define sigev_notify_attributes _sigev_un._sigev_thread._attribute
#define sigev_notify_thread_id _sigev_un._tid

/* Signals 32 and 33 belong to the library (SIGCANCEL, SIGSETXID), as in
 * glibc: applications see real-time signals from 34 on. */
#define SIGRTMIN (__libc_current_sigrtmin())
#define SIGRTMAX (__libc_current_sigrtmax())
int __libc_current_sigrtmin(void);
int __libc_current_sigrtmax(void);

#define SIGIOT SIGABRT
#define SIGPOLL SIGIO
#define SIGCLD SIGCHLD
#define SA_NOMASK SA_NODEFER
#define SA_ONESHOT SA_RESETHAND
#define SA_STACK SA_ONSTACK

sighandler_t signal(int sig, sighandler_t handler);
sighandler_t bsd_signal(int sig, sighandler_t handler);
int kill(pid_t pid, int sig);
int killpg(pid_t pgrp, int sig);
int raise(int sig);
int sigaction(int sig, const struct sigaction *act, struct sigaction *old);
int sigprocmask(int how, const sigset_t *set, sigset_t *old);
int sigemptyset(sigset_t *set);
int sigfillset(sigset_t *set);
int sigaddset(sigset_t *set, int sig);
int sigdelset(sigset_t *set, int sig);
int sigismember(const sigset_t *set, int sig);
int sigisemptyset(const sigset_t *set);
int sigorset(sigset_t *dest, const sigset_t *a, const sigset_t *b);
int sigandset(sigset_t *dest, const sigset_t *a, const sigset_t *b);
int sigsuspend(const sigset_t *mask);
int sigpending(sigset_t *set);
int sigwait(const sigset_t *set, int *sig);
int sigwaitinfo(const sigset_t *set, siginfo_t *info);
int sigtimedwait(const sigset_t *set, siginfo_t *info, const struct timespec *timeout);
int sigqueue(pid_t pid, int sig, const union sigval value);
int sigaltstack(const stack_t *ss, stack_t *old);
int siginterrupt(int sig, int flag);
void psignal(int sig, const char *s);
void psiginfo(const siginfo_t *info, const char *s);
char *strsignal(int sig);
int pthread_sigmask(int how, const sigset_t *set, sigset_t *old);
int pthread_kill(unsigned long th, int sig);
int pthread_sigqueue(unsigned long th, int sig, const union sigval value);
__END_DECLS
#endif
