/* The machine context a signal handler gets as its third argument, in
 * glibc's x86_64 layout (the kernel's struct ucontext and sigcontext,
 * with glibc's names). */
#ifndef _SYS_UCONTEXT_H
#define _SYS_UCONTEXT_H
#include <features.h>
#include <stddef.h>
#include <stdint.h>
#include <bits/sigset.h>

/* Also in <signal.h>: an alternate signal stack. */
#ifndef __stack_t_defined
#define __stack_t_defined 1
typedef struct {
    void *ss_sp;
    int ss_flags;
    size_t ss_size;
} stack_t;
#endif

typedef long long greg_t;
#define __NGREG 23
#define NGREG __NGREG
typedef greg_t gregset_t[__NGREG];

/* Indices into gregs: the order of the kernel's struct sigcontext. */
enum {
    REG_R8 = 0,
    REG_R9,
    REG_R10,
    REG_R11,
    REG_R12,
    REG_R13,
    REG_R14,
    REG_R15,
    REG_RDI,
    REG_RSI,
    REG_RBP,
    REG_RBX,
    REG_RDX,
    REG_RAX,
    REG_RCX,
    REG_RSP,
    REG_RIP,
    REG_EFL,
    REG_CSGSFS,
    REG_ERR,
    REG_TRAPNO,
    REG_OLDMASK,
    REG_CR2
};

struct _libc_fpxreg {
    unsigned short significand[4];
    unsigned short exponent;
    unsigned short __glibc_reserved1[3];
};
struct _libc_xmmreg {
    uint32_t element[4];
};
/* The FXSAVE area (512 bytes). */
struct _libc_fpstate {
    uint16_t cwd;
    uint16_t swd;
    uint16_t ftw;
    uint16_t fop;
    uint64_t rip;
    uint64_t rdp;
    uint32_t mxcsr;
    uint32_t mxcr_mask;
    struct _libc_fpxreg _st[8];
    struct _libc_xmmreg _xmm[16];
    uint32_t __glibc_reserved1[24];
};
typedef struct _libc_fpstate *fpregset_t;

typedef struct {
    gregset_t gregs;
    fpregset_t fpregs; /* the kernel's saved FPU state, or null */
    unsigned long long __reserved1[8];
} mcontext_t;

typedef struct ucontext_t {
    unsigned long uc_flags;
    struct ucontext_t *uc_link;
    stack_t uc_stack;
    mcontext_t uc_mcontext;
    sigset_t uc_sigmask;
    struct _libc_fpstate __fpregs_mem;
    unsigned long long __ssp[4];
} ucontext_t;
#endif
