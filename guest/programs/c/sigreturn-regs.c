/* What rt_sigreturn restores, seen from user space: a handler changes
 * registers in its ucontext and the interrupted code continues with them;
 * a handler that sets a non-canonical rip gets the process killed by
 * SIGSEGV (the return cannot happen), and a handler that sets TF gets a
 * SIGTRAP after one instruction. Each child's fate is printed as a wait
 * status, so the same binary can be compared natively and in the guest:
 * these are the returns a SYSRET cannot do, which the kernel must send
 * through IRET. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

static void set_rcx_r11(int sig, siginfo_t *si, void *ctx)
{
    (void)sig;
    (void)si;
    ucontext_t *uc = ctx;
    uc->uc_mcontext.gregs[REG_RCX] = 0x1111;
    uc->uc_mcontext.gregs[REG_R11] = 0x2222;
    uc->uc_mcontext.gregs[REG_RBX] = 0x3333;
}

static void bad_rip(int sig, siginfo_t *si, void *ctx)
{
    (void)sig;
    (void)si;
    ucontext_t *uc = ctx;
    uc->uc_mcontext.gregs[REG_RIP] = (greg_t)0x8000000000001000ull;
}

static volatile int traps;

static void on_trap(int sig)
{
    (void)sig;
    traps++;
}

static void set_tf(int sig, siginfo_t *si, void *ctx)
{
    (void)sig;
    (void)si;
    ucontext_t *uc = ctx;
    uc->uc_mcontext.gregs[REG_EFL] |= 0x100;
}

static void install(int sig, void (*fn)(int, siginfo_t *, void *))
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = fn;
    sa.sa_flags = SA_SIGINFO;
    sigaction(sig, &sa, 0);
}

static void report(const char *what, int st)
{
    if (WIFEXITED(st))
        printf("%s: exited %d\n", what, WEXITSTATUS(st));
    else if (WIFSIGNALED(st))
        printf("%s: killed by signal %d\n", what, WTERMSIG(st));
    else
        printf("%s: status %#x\n", what, st);
}

int main(void)
{
    /* The registers come back from the frame, rcx and r11 included. */
    install(SIGUSR1, set_rcx_r11);
    uint64_t rcx, r11, rbx;
    __asm__ volatile("mov $0, %%rcx\n\tmov $0, %%r11\n\tmov $0, %%rbx\n\t"
                     "mov %[nr], %%eax\n\tmov %[pid], %%edi\n\tmov %[tid], %%esi\n\tmov %[sig], %%edx\n\t"
                     "syscall\n\t"
                     "mov %%rcx, %[rcx]\n\tmov %%r11, %[r11]\n\tmov %%rbx, %[rbx]"
                     : [rcx] "=r"(rcx), [r11] "=r"(r11), [rbx] "=r"(rbx)
                     : [nr] "i"(234), [pid] "r"(getpid()), [tid] "r"(gettid()), [sig] "i"(SIGUSR1)
                     : "rax", "rcx", "r11", "rbx", "rdi", "rsi", "rdx", "memory");
    printf("registers from the frame: rcx=%#lx r11=%#lx rbx=%#lx\n", (unsigned long)rcx,
           (unsigned long)r11, (unsigned long)rbx);
    fflush(stdout);

    pid_t c = fork();
    if (c == 0) {
        install(SIGUSR1, bad_rip);
        raise(SIGUSR1);
        _exit(0);
    }
    int st;
    waitpid(c, &st, 0);
    report("non-canonical rip", st);
    fflush(stdout);

    c = fork();
    if (c == 0) {
        signal(SIGTRAP, on_trap);
        install(SIGUSR1, set_tf);
        raise(SIGUSR1);
        /* The trap flag stays set in the SIGTRAP handler's return: clear
         * it by returning from a handler without it, i.e. exit now. */
        _exit(traps > 0 ? 7 : 0);
    }
    waitpid(c, &st, 0);
    report("trap flag", st);
    return 0;
}
