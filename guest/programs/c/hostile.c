/* Hostile system call arguments for the guest kernel: pointers into the
 * kernel's part of the address space, past the end of user space, into the
 * upper half, unaligned; lengths of 0, huge and wrapping; bad fds. Every call
 * must fail cleanly (or succeed harmlessly) and the kernel must stay up.
 *
 * Guest only: the kernel addresses used here are ordinary (maybe mapped)
 * user addresses on the host, so the native run would be meaningless. */
#include <asm/prctl.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/mman.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <sched.h>
#include <signal.h>
#include <unistd.h>

static const unsigned long bad_ptrs[] = {
    0,
    1,
    0xfff,
    0x7efffffff000UL, /* the guard page below the kernel */
    0x7effffffffffUL, /* last byte of that page */
    0x7f0000000000UL, /* the kernel's direct map of RAM */
    0x7f0000002000UL, /* the boot info page */
    0x7f8000100000UL, /* the kernel image */
    0x800000000000UL, /* first non-canonical address */
    0xffff800000000000UL,
    0xfffffffffffff000UL,
    ~0UL - 7, /* a pointer whose second word's address wraps */
    ~0UL - 3,
    ~0UL,
};
static const unsigned long lengths[] = {1, 16, 4096, 1UL << 31, 0x7ffff000UL, ~0UL, ~0UL - 4095};

static unsigned long rng = 0x9e3779b97f4a7c15UL;
static unsigned long next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

#define PICK(a) (a)[next() % (sizeof(a) / sizeof((a)[0]))]

int main(void)
{
    long calls = 0, wrong = 0;
    /* Each of these must be rejected with this errno for every bad pointer. */
    for (size_t i = 0; i < sizeof(bad_ptrs) / sizeof(bad_ptrs[0]); i++) {
        unsigned long p = bad_ptrs[i];
        struct { long nr, a, b, c; int want; } cases[] = {
            {SYS_write, 1, (long)p, 16, EFAULT},
            {SYS_read, 0, (long)p, 16, EFAULT},
            {SYS_writev, 1, (long)p, 1, EFAULT},
            {SYS_clock_gettime, 1, (long)p, 0, EFAULT},
            {SYS_uname, (long)p, 0, 0, EFAULT},
            {SYS_getrandom, (long)p, 16, 0, EFAULT},
            {SYS_arch_prctl, ARCH_GET_FS, (long)p, 0, EFAULT},
            {SYS_clone3, (long)p, 64, 0, EFAULT},
            {SYS_futex, (long)p, FUTEX_WAIT, 0, EFAULT},
            {SYS_futex, (long)p, FUTEX_WAKE, 1, EFAULT},
            {SYS_rt_sigaction, SIGUSR1, (long)p, 0, EFAULT},
            {SYS_rt_sigprocmask, 0, (long)p, 0, EFAULT},
            {SYS_nanosleep, (long)p, 0, 0, EFAULT},
            {SYS_getrlimit, RLIMIT_STACK, (long)p, 0, EFAULT},
            {SYS_setrlimit, RLIMIT_STACK, (long)p, 0, EFAULT},
            {SYS_prlimit64, 0, RLIMIT_STACK, (long)p, EFAULT},
        };
        for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
            if (p < 0x7efffffff000UL && cases[k].nr == SYS_read)
                continue; /* a user address: an empty stdin reads 0 without touching it, as on Linux */
            if (p == 0 && (cases[k].nr == SYS_rt_sigaction || cases[k].nr == SYS_rt_sigprocmask ||
                           cases[k].nr == SYS_prlimit64))
                continue; /* a NULL new action / mask / limit means "only query": success, as on Linux */
            if ((p & 3) && cases[k].nr == SYS_futex)
                continue; /* unaligned futex words are EINVAL, checked first */
            errno = 0;
            long r = cases[k].nr == SYS_rt_sigaction || cases[k].nr == SYS_rt_sigprocmask
                         ? syscall(cases[k].nr, cases[k].a, cases[k].b, cases[k].c, 8L)
                         : syscall(cases[k].nr, cases[k].a, cases[k].b, cases[k].c);
            calls++;
            if (r != -1 || errno != cases[k].want) {
                wrong++;
                fprintf(stderr, "syscall %ld with %#lx: ret %ld errno %d, want %d\n", cases[k].nr, p, r, errno,
                        cases[k].want);
            }
        }
    }
    /* Random arguments for the memory calls, with addresses at or above
     * the end of user space (lower ones could legitimately unmap this very
     * program): nothing may be mapped, unmapped or protected there. */
    long nrs[] = {SYS_mmap, SYS_munmap, SYS_mprotect, SYS_madvise, SYS_brk, SYS_write, SYS_writev};
    for (int i = 0; i < 2000; i++) {
        long nr = PICK(nrs);
        unsigned long p = PICK(bad_ptrs), len = PICK(lengths);
        if (p < 0x7efffffff000UL)
            p = 0x7f0000000000UL + (p & ~0xfffUL);
        long flags = (long)(next() & (MAP_FIXED | MAP_FIXED_NOREPLACE | MAP_ANONYMOUS | MAP_PRIVATE));
        long r = syscall(nr, p, len, (long)(next() & 7), flags, -1L, 0L);
        calls++;
        if (nr == SYS_mmap && r != -1 && (unsigned long)r >= 0x7efffffff000UL) {
            wrong++;
            fprintf(stderr, "mmap returned a kernel address %#lx\n", (unsigned long)r);
        }
    }
    /* A child whose CHILD_SETTID / CLEARTID words point into the kernel:
     * the writes fail silently (as on Linux) and nothing else happens. */
    long child = syscall(SYS_clone, CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID | SIGCHLD, 0L, 0L, 0x7f0000000000L, 0L);
    if (child == 0)
        _exit(3);
    int st = 0;
    calls++;
    if (child < 0 || syscall(SYS_wait4, child, &st, 0, 0) != child || ((st >> 8) & 0xff) != 3) {
        wrong++;
        fprintf(stderr, "clone with kernel tid pointers: %ld, status %#x\n", child, st);
    }
    /* The program still works: its stack, data and TLS are intact. */
    char buf[64];
    snprintf(buf, sizeof(buf), "%d", 12345);
    printf("survived %ld hostile calls, %ld wrong results, still working: %s\n", calls, wrong,
           strcmp(buf, "12345") == 0 ? "yes" : "no");
    return wrong != 0;
}
