/* guest-libc internals shared between source files. */
#ifndef GUEST_LIBC_INTERNAL_H
#define GUEST_LIBC_INTERNAL_H
#include <stddef.h>
#include <stdint.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <bits/signum.h>
struct sigaction;

#define hidden __attribute__((visibility("hidden")))

/* Raw Linux system call: returns the kernel's value (-errno on failure). */
static inline long __syscall6(long n, long a, long b, long c, long d, long e, long f)
{
    register long r10 __asm__("r10") = d;
    register long r8 __asm__("r8") = e;
    register long r9 __asm__("r9") = f;
    long ret;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return ret;
}
#define __syscall0(n) __syscall6(n, 0, 0, 0, 0, 0, 0)
#define __syscall1(n, a) __syscall6(n, (long)(a), 0, 0, 0, 0, 0)
#define __syscall2(n, a, b) __syscall6(n, (long)(a), (long)(b), 0, 0, 0, 0)
#define __syscall3(n, a, b, c) __syscall6(n, (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define __syscall4(n, a, b, c, d) __syscall6(n, (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)

/* The low-level lock of glibc's mutexes (lowlevellock.h): the word is 0
 * free, 1 held, 2 held and maybe somebody asleep. Locking is one
 * compare-and-swap when free; when not, it spins a little (a holder on
 * another CPU is usually about to let go, and a futex wait is a system
 * call: what costs most in the guest) and then sleeps after marking the
 * word 2. Unlock makes a FUTEX_WAKE call only if the word was 2, so a lock
 * nobody sleeps on costs no system call at all. (A separate count of
 * sleepers looks cheaper but is not: a woken thread still counts while it
 * is on its way back, so an unlocker that keeps re-taking the lock would
 * wake on every unlock.) */
#define __LLL_SPIN 100
static inline void __lll_lock(int *l)
{
    int z = 0;
    if (__atomic_compare_exchange_n(l, &z, 1, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
        return;
    for (int i = 0; i < __LLL_SPIN; i++) {
        __builtin_ia32_pause();
        z = 0;
        if (__atomic_load_n(l, __ATOMIC_RELAXED) == 0 &&
            __atomic_compare_exchange_n(l, &z, 1, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
            return;
    }
    while (__atomic_exchange_n(l, 2, __ATOMIC_ACQUIRE) != 0)
        __syscall6(SYS_futex, (long)l, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, 2, 0, 0, 0);
}
static inline int __lll_trylock(int *l)
{
    int z = 0;
    return __atomic_compare_exchange_n(l, &z, 1, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}
static inline void __lll_unlock(int *l)
{
    if (__atomic_exchange_n(l, 0, __ATOMIC_RELEASE) == 2)
        __syscall6(SYS_futex, (long)l, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 1, 0, 0, 0);
}

/* Converts a raw result to the C convention (-1 and errno). */
hidden long __syscall_ret(long r);

/* struct pthread, the thread control block, at the thread pointer
 * (%fs:0) and at the top of each thread's stack block (nptl's layout). The
 * first words follow glibc's tcbhead_t so code compiled for glibc (stack
 * protector at %fs:0x28) finds what it expects. Static TLS lies just below. */
#define PTHREAD_KEYS 128
struct list_head {
    struct list_head *next, *prev;
};
struct pthread {
    struct pthread *tcb;    /* 0x00: self, as the x86_64 TLS ABI requires */
    void *dtv;              /* 0x08 */
    struct pthread *self;   /* 0x10 */
    int multiple_threads;   /* 0x18 */
    int gscope_flag;        /* 0x1c */
    uintptr_t sysinfo;      /* 0x20 */
    uintptr_t stack_guard;  /* 0x28 */
    uintptr_t pointer_guard;/* 0x30 */
    /* The kernel writes the TID here (PARENT_SETTID) and clears it at
     * thread exit (CHILD_CLEARTID): join and stack reuse wait for 0. */
    int tid;
    int detached;           /* 1: nobody will join; the thread frees itself */
    struct list_head list;  /* on stack_used, stack_cache or stack_user */
    void *stackblock;       /* whole mapping: guard + stack + TLS + this */
    size_t stackblock_size;
    size_t guardsize;
    int user_stack;         /* stack given by the user: never cached */
    /* nptl's cancellation state, the *_BITMASK bits below. Changed only
     * with atomics: pthread_cancel sets bits from other threads. It fills
     * what guest/abi's PthreadHead calls _pad, so the record keeps the
     * layout the host reads. */
    int cancelhandling;
    void *(*start_routine)(void *);
    void *arg;
    void *result;
    unsigned long sigmask;  /* the creator's mask, restored in the thread */
    void *specific[PTHREAD_KEYS];
    unsigned specific_seq[PTHREAD_KEYS];
};

/* cancelhandling's bits, nptl's. */
#define CANCELSTATE_BITMASK 0x01 /* PTHREAD_CANCEL_DISABLE */
#define CANCELTYPE_BITMASK 0x02  /* PTHREAD_CANCEL_ASYNCHRONOUS */
#define CANCELING_BITMASK 0x04   /* a cancellation request is in progress */
#define CANCELED_BITMASK 0x08    /* the thread has been cancelled */
#define EXITING_BITMASK 0x10     /* unwinding or exiting: no more cancels */
static inline int cancel_enabled_and_canceled(int ch)
{
    return (ch & (CANCELSTATE_BITMASK | CANCELED_BITMASK | EXITING_BITMASK)) == CANCELED_BITMASK;
}

/* The signals glibc keeps for itself, invisible to applications:
 * sigaction refuses them, sigprocmask never blocks them, sigfillset
 * leaves them out, SIGRTMIN starts above them. */
#define SIGCANCEL __SIGRTMIN
#define SIGSETXID (__SIGRTMIN + 1)
#define __SIGRTMIN_APP (__SIGRTMIN + 2)
static inline int __is_internal_signal(int sig) { return sig == SIGCANCEL || sig == SIGSETXID; }
/* The two as bits of the kernel's 8-byte mask. */
#define INTERNAL_SIGNALS ((1UL << (SIGCANCEL - 1)) | (1UL << (SIGSETXID - 1)))

/* The kernel's struct sigaction and its 8-byte signal mask. */
struct k_sigaction {
    void (*handler)(int);
    unsigned long flags;
    void (*restorer)(void);
    unsigned long mask;
};
/* rt_sigaction with SA_RESTORER and the library's __restore_rt; no check
 * for the internal signals (sigaction.c). */
hidden int __libc_sigaction(int sig, const struct sigaction *act, struct sigaction *old);
/* The signals __libc_sigaction last gave a handler function (bit sig-1):
 * what a child sharing the parent's memory must reset before it unblocks
 * signals (posix_spawn). */
hidden extern unsigned long __sig_handlers;

/* A system call that is a cancellation point (thread/cancellation.c):
 * the raw result, or no return when the thread is cancelled before the
 * call or while it blocks. */
hidden long __syscall_cancel(long n, long a, long b, long c, long d, long e, long f);
#define __syscall_cp0(n) __syscall_cancel(n, 0, 0, 0, 0, 0, 0)
#define __syscall_cp1(n, a) __syscall_cancel(n, (long)(a), 0, 0, 0, 0, 0)
#define __syscall_cp2(n, a, b) __syscall_cancel(n, (long)(a), (long)(b), 0, 0, 0, 0)
#define __syscall_cp3(n, a, b, c) __syscall_cancel(n, (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define __syscall_cp4(n, a, b, c, d) __syscall_cancel(n, (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)
#define __syscall_cp5(n, a, b, c, d, e) __syscall_cancel(n, (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), 0)
/* Acts on a pending cancellation if enabled (pthread_testcancel). */
hidden void __pthread_testcancel(void);
/* Sets EXITING and unwinds: cleanup handlers, key destructors, thread
 * exit with the result already in self->result. */
hidden __noreturn void __do_cancel(void);

/* fork's pthread_atfork handlers (thread/pthread_atfork.c). */
hidden void __run_fork_handlers(int phase);
enum { FORK_PREPARE, FORK_PARENT, FORK_CHILD };

/* Held while the stack lists change (thread/) and across fork's clone. */
extern int stack_cache_lock;
/* In fork's child, with stack_cache_lock held (and released here): every
 * stack but `self`'s goes to the cache, their threads being gone. */
hidden void __reclaim_stacks(struct pthread *self);

/* The program's PT_TLS image, for every thread's static TLS. */
hidden extern const void *__tls_image;
hidden extern size_t __tls_filesz, __tls_memsz, __tls_align;
/* Bytes from the start of the static TLS block to the thread pointer:
 * memsz rounded up to the block's p_align. __tls_align, the thread
 * pointer's alignment, is that or 16 if larger. */
hidden extern size_t __tls_offset;
hidden void __init_thread_tls(struct pthread *pd);

extern char **environ;
/* execvp's search of `path` (null: EXEC_DEFAULT_PATH) for `file`, in raw
 * system calls: returns only on failure, with the error number. buf
 * takes the candidate names (PATH_MAX bytes). With `shell`, a file the
 * kernel cannot run is handed to /bin/sh. */
#define EXEC_DEFAULT_PATH "/usr/local/bin:/bin:/usr/bin"
hidden int __exec_search(const char *file, char *const argv[], char *const envp[], const char *path, char *buf,
                         int shell);
hidden extern unsigned long *__auxv;
hidden void __stdio_flush_all(void);
/* A directory stream over fd, a directory opened for reading; null and
 * ENOMEM. */
struct __dirstream;
hidden struct __dirstream *__dir_alloc(int fd);
hidden void __init_tls(void);
/* Reads THREADLAB_STACK_CACHE_SIZE into stack_cache_maxsize (at startup,
 * like glibc's tunables, so the exported value is right from the start). */
hidden void __init_stack_cache_limit(void);
#endif
