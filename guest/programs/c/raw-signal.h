/* Signal handlers through the raw rt_sigaction system call, with our own
 * restorer (a stub calling rt_sigreturn), for the programs that must not
 * depend on the C library's sigaction: the same record and the same stub
 * natively and in the guest. */
#ifndef RAW_SIGNAL_H
#define RAW_SIGNAL_H

#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define RAW_SA_SIGINFO 0x4UL
#define RAW_SA_RESTORER 0x04000000UL
#define RAW_SIG_DFL ((void (*)(int, void *, void *))0)
#define RAW_SIG_IGN ((void (*)(int, void *, void *))1)

/* The kernel's struct sigaction (rt_sigaction's record). */
struct raw_sigaction {
    void (*handler)(int, void *, void *);
    unsigned long flags;
    void (*restorer)(void);
    unsigned long mask;
};

void raw_sig_restorer(void);
__asm__(".text\n"
        ".globl raw_sig_restorer\n"
        ".type raw_sig_restorer, @function\n"
        "raw_sig_restorer:\n"
        "    mov $15, %eax\n" /* rt_sigreturn */
        "    syscall\n"
        "    hlt\n"
        ".size raw_sig_restorer, . - raw_sig_restorer\n");

/* Installs `handler` for `sig` (or RAW_SIG_DFL, RAW_SIG_IGN). */
static inline long raw_sigaction(int sig, void (*handler)(int, void *, void *))
{
    struct raw_sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.handler = handler;
    if (handler != RAW_SIG_DFL && handler != RAW_SIG_IGN) {
        sa.flags = RAW_SA_SIGINFO | RAW_SA_RESTORER;
        sa.restorer = raw_sig_restorer;
    }
    return syscall(SYS_rt_sigaction, sig, &sa, NULL, 8);
}

#endif
