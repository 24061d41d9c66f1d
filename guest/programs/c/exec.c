/* execve and execveat, natively and in the guest: what a new program is
 * given (argv, envp, AT_EXECFN, registers, FPU, /proc/self/exe and comm),
 * what survives the exec (pid and parent, children, descriptors without
 * close-on-exec, ignored signals, the blocked mask and pending signals,
 * ITIMER_REAL) and what does not (handlers, flags, the alternate stack,
 * POSIX timers and their queued signals, the robust list, TLS, the other
 * threads), the exec from a thread that is not the leader (the pid stays
 * the process's), vfork and CLONE_VM children released by their exec,
 * `#!` scripts and their nesting, and the errors in Linux's order, after
 * which the caller carries on.
 *
 * The program exec'd is a probe written here into a scratch directory: a
 * static ELF file of one segment whose code (assembled into this program
 * as data, position independent) records its registers at entry and what
 * the kernel shows it through raw system calls, writes that to fd 1 (a
 * pipe to the driver) as one binary record followed by its strings, waits
 * for fd 0 to reach its end, and ends with exit(2) of its only thread,
 * status 42. Each case runs in a child whose fd 0 and fd 1 are pipes to
 * the driver; the driver prints facts only (paths relative to the scratch
 * directory, relations between pids), so a run on Linux is the reference
 * for a run in the guest.
 *
 *   exec          the cases
 *   exec self     exec of this program itself through /proc/self/exe
 *                 (needs the program in the guest's file tree) */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "raw-clone.h"

#ifndef O_PATH
#define O_PATH 010000000
#endif

#define S(x) RAW_CLONE_STR(x)

/* ---- the probe ---- */

/* The record's 64-bit slots, as the probe's code fills them. */
enum {
    R_MAGIC = 0,
    R_REGS = 1, /* rax rbx rcx rdx rsi rdi rbp rsp r8 .. r15 at entry */
    R_RFLAGS = 17,
    R_ARGC = 18,
    R_ENVC = 19,
    R_PID = 20,
    R_TID = 21,
    R_PPID = 22,
    R_FDS = 23, /* fcntl(fd, F_GETFD) for fds 3 to 8 */
    R_ACT = 29, /* handler and flags of SIGUSR1, SIGUSR2, SIGTERM, SIGPIPE */
    R_BLOCKED = 37,
    R_PENDING = 38,
    R_SS_SP = 39,
    R_SS_FLAGS = 40,
    R_SS_SIZE = 41,
    R_FS = 42,
    R_ITIMER = 43, /* getitimer's result, it_value's seconds and microseconds */
    R_TIMER = 46, /* timer_gettime of the timer id the driver passed */
    R_MXCSR = 47,
    R_FCW = 48,
    R_XMM0 = 49,
    R_ROBUST = 50, /* get_robust_list's result and head */
    R_WAIT = 52, /* wait4(-1)'s result and status */
    R_PARAM = 54, /* the 8 bytes read from fd 0 first */
    R_SLOTS = 55,
};
#define PROBE_MAGIC 0x424f525043455845ULL /* "EXECPROB" */
static const char *const reg_names[16] = {"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp",
                                          "r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15"};
static const int act_sigs[4] = {SIGUSR1, SIGUSR2, SIGTERM, SIGPIPE};

extern const unsigned char probe_start[], probe_end[];

/* Writes the NUL-terminated string at rsi to fd 1, NUL included. */
#define PROBE_PUTS                               \
    "    xor %edx, %edx\n"                       \
    "90: cmpb $0, (%rsi,%rdx)\n"                 \
    "    lea 1(%rdx), %rdx\n"                    \
    "    jne 90b\n"                              \
    "    mov $1, %edi\n"                         \
    "    mov $" S(SYS_write) ", %eax\n"          \
    "    syscall\n"
/* Writes one NUL to fd 1. */
#define PROBE_NUL                                \
    "    movq $0, 1352(%rbx)\n"                  \
    "    lea 1352(%rbx), %rsi\n"                 \
    "    mov $1, %edx\n"                         \
    "    mov $1, %edi\n"                         \
    "    mov $" S(SYS_write) ", %eax\n"          \
    "    syscall\n"

/* Frame below the initial stack (rbx): the record at 0, scratch at 1024,
 * comm at 1280, fd 0's parameter at 1344, a NUL at 1352, readlink's
 * buffer at 1536; argc at 4096. */
__asm__(".pushsection .rodata.exec_probe, \"a\"\n"
        ".globl probe_start\n"
        ".globl probe_end\n"
        "probe_start:\n"
        "    lea -4096(%rsp), %rsp\n"
        "    mov %rax, 8(%rsp)\n"
        "    mov %rbx, 16(%rsp)\n"
        "    mov %rcx, 24(%rsp)\n"
        "    mov %rdx, 32(%rsp)\n"
        "    mov %rsi, 40(%rsp)\n"
        "    mov %rdi, 48(%rsp)\n"
        "    mov %rbp, 56(%rsp)\n"
        "    mov %r8, 72(%rsp)\n"
        "    mov %r9, 80(%rsp)\n"
        "    mov %r10, 88(%rsp)\n"
        "    mov %r11, 96(%rsp)\n"
        "    mov %r12, 104(%rsp)\n"
        "    mov %r13, 112(%rsp)\n"
        "    mov %r14, 120(%rsp)\n"
        "    mov %r15, 128(%rsp)\n"
        "    pushfq\n"
        "    pop %rax\n"
        "    mov %rax, 136(%rsp)\n"
        "    mov %rsp, %rbx\n"
        "    lea 4096(%rbx), %r12\n"
        "    mov %r12, 64(%rbx)\n"
        "    movabs $0x424f525043455845, %rax\n"
        "    mov %rax, 0(%rbx)\n"
        /* The FPU as the program found it. */
        "    stmxcsr 1024(%rbx)\n"
        "    mov 1024(%rbx), %eax\n"
        "    mov %rax, 376(%rbx)\n"
        "    fnstcw 1024(%rbx)\n"
        "    movzwl 1024(%rbx), %eax\n"
        "    mov %rax, 384(%rbx)\n"
        "    movq %xmm0, %rax\n"
        "    mov %rax, 392(%rbx)\n"
        /* argc, envp (r13), envc, auxv (r15). */
        "    mov (%r12), %rax\n"
        "    mov %rax, 144(%rbx)\n"
        "    lea 16(%r12,%rax,8), %r13\n"
        "    mov %r13, %r14\n"
        "    xor %ecx, %ecx\n"
        "1:  cmpq $0, (%r14)\n"
        "    je 2f\n"
        "    add $8, %r14\n"
        "    inc %rcx\n"
        "    jmp 1b\n"
        "2:  mov %rcx, 152(%rbx)\n"
        "    lea 8(%r14), %r15\n"
        /* The parameter from fd 0. */
        "    movq $0, 432(%rbx)\n"
        "    xor %edi, %edi\n"
        "    lea 432(%rbx), %rsi\n"
        "    mov $8, %edx\n"
        "    mov $" S(SYS_read) ", %eax\n"
        "    syscall\n"
        "    mov $" S(SYS_getpid) ", %eax\n"
        "    syscall\n"
        "    mov %rax, 160(%rbx)\n"
        "    mov $" S(SYS_gettid) ", %eax\n"
        "    syscall\n"
        "    mov %rax, 168(%rbx)\n"
        "    mov $" S(SYS_getppid) ", %eax\n"
        "    syscall\n"
        "    mov %rax, 176(%rbx)\n"
        /* fcntl(fd, F_GETFD) for fds 3..8 into slots 23..28. */
        "    mov $3, %r14d\n"
        "3:  mov %r14d, %edi\n"
        "    mov $1, %esi\n"
        "    mov $" S(SYS_fcntl) ", %eax\n"
        "    syscall\n"
        "    mov %rax, 160(%rbx,%r14,8)\n"
        "    inc %r14d\n"
        "    cmp $9, %r14d\n"
        "    jne 3b\n"
        /* The actions of the signals in probe_sigs into slots 29..36. */
        "    lea 232(%rbx), %r14\n"
        "    lea probe_sigs(%rip), %rbp\n"
        "4:  movzbl (%rbp), %edi\n"
        "    test %edi, %edi\n"
        "    jz 5f\n"
        "    xor %esi, %esi\n"
        "    lea 1024(%rbx), %rdx\n"
        "    mov $8, %r10d\n"
        "    mov $" S(SYS_rt_sigaction) ", %eax\n"
        "    syscall\n"
        "    mov 1024(%rbx), %rax\n"
        "    mov %rax, (%r14)\n"
        "    mov 1032(%rbx), %rax\n"
        "    mov %rax, 8(%r14)\n"
        "    add $16, %r14\n"
        "    inc %rbp\n"
        "    jmp 4b\n"
        "5:  xor %edi, %edi\n"
        "    xor %esi, %esi\n"
        "    lea 296(%rbx), %rdx\n"
        "    mov $8, %r10d\n"
        "    mov $" S(SYS_rt_sigprocmask) ", %eax\n"
        "    syscall\n"
        "    lea 304(%rbx), %rdi\n"
        "    mov $8, %esi\n"
        "    mov $" S(SYS_rt_sigpending) ", %eax\n"
        "    syscall\n"
        "    movq $0, 320(%rbx)\n"
        "    xor %edi, %edi\n"
        "    lea 312(%rbx), %rsi\n"
        "    mov $" S(SYS_sigaltstack) ", %eax\n"
        "    syscall\n"
        "    mov $0x1003, %edi\n" /* ARCH_GET_FS */
        "    lea 336(%rbx), %rsi\n"
        "    mov $" S(SYS_arch_prctl) ", %eax\n"
        "    syscall\n"
        "    xor %edi, %edi\n"
        "    lea 1024(%rbx), %rsi\n"
        "    mov $" S(SYS_getitimer) ", %eax\n"
        "    syscall\n"
        "    mov %rax, 344(%rbx)\n"
        "    mov 1040(%rbx), %rax\n"
        "    mov %rax, 352(%rbx)\n"
        "    mov 1048(%rbx), %rax\n"
        "    mov %rax, 360(%rbx)\n"
        "    mov 432(%rbx), %rdi\n"
        "    lea 1024(%rbx), %rsi\n"
        "    mov $" S(SYS_timer_gettime) ", %eax\n"
        "    syscall\n"
        "    mov %rax, 368(%rbx)\n"
        "    movq $0, 408(%rbx)\n"
        "    xor %edi, %edi\n"
        "    lea 408(%rbx), %rsi\n"
        "    lea 1024(%rbx), %rdx\n"
        "    mov $" S(SYS_get_robust_list) ", %eax\n"
        "    syscall\n"
        "    mov %rax, 400(%rbx)\n"
        "    movq $0, 424(%rbx)\n"
        "    mov $-1, %rdi\n"
        "    lea 424(%rbx), %rsi\n"
        "    xor %edx, %edx\n"
        "    xor %r10d, %r10d\n"
        "    mov $" S(SYS_wait4) ", %eax\n"
        "    syscall\n"
        "    mov %rax, 416(%rbx)\n"
        /* The record, then argv, envp, AT_EXECFN, /proc/self/exe and
         * /proc/self/comm, each string with its NUL. */
        "    mov $1, %edi\n"
        "    mov %rbx, %rsi\n"
        "    mov $440, %edx\n"
        "    mov $" S(SYS_write) ", %eax\n"
        "    syscall\n"
        "    lea 8(%r12), %r14\n"
        "6:  mov (%r14), %rsi\n"
        "    test %rsi, %rsi\n"
        "    jz 7f\n" PROBE_PUTS "    add $8, %r14\n"
        "    jmp 6b\n"
        "7:  mov %r13, %r14\n"
        "8:  mov (%r14), %rsi\n"
        "    test %rsi, %rsi\n"
        "    jz 10f\n" PROBE_PUTS "    add $8, %r14\n"
        "    jmp 8b\n"
        "10: mov (%r15), %rax\n"
        "    test %rax, %rax\n"
        "    jz 12f\n"
        "    cmp $31, %rax\n" /* AT_EXECFN */
        "    je 11f\n"
        "    add $16, %r15\n"
        "    jmp 10b\n"
        "11: mov 8(%r15), %rsi\n" PROBE_PUTS "    jmp 13f\n"
        "12:\n" PROBE_NUL "13: lea probe_exe(%rip), %rdi\n"
        "    lea 1536(%rbx), %rsi\n"
        "    mov $2559, %edx\n"
        "    mov $" S(SYS_readlink) ", %eax\n"
        "    syscall\n"
        "    test %rax, %rax\n"
        "    jns 14f\n"
        "    xor %eax, %eax\n"
        "14: mov %rax, %rdx\n"
        "    mov $1, %edi\n"
        "    lea 1536(%rbx), %rsi\n"
        "    mov $" S(SYS_write) ", %eax\n"
        "    syscall\n" PROBE_NUL "    lea probe_comm(%rip), %rdi\n"
        "    xor %esi, %esi\n"
        "    xor %edx, %edx\n"
        "    mov $" S(SYS_open) ", %eax\n"
        "    syscall\n"
        "    mov %rax, %r14\n"
        "    xor %ebp, %ebp\n"
        "    test %rax, %rax\n"
        "    js 15f\n"
        "    mov %r14, %rdi\n"
        "    lea 1280(%rbx), %rsi\n"
        "    mov $63, %edx\n"
        "    mov $" S(SYS_read) ", %eax\n"
        "    syscall\n"
        "    test %rax, %rax\n"
        "    js 16f\n"
        "    mov %rax, %rbp\n"
        "16: mov %r14, %rdi\n"
        "    mov $" S(SYS_close) ", %eax\n"
        "    syscall\n"
        "15: mov $1, %edi\n"
        "    lea 1280(%rbx), %rsi\n"
        "    mov %rbp, %rdx\n"
        "    mov $" S(SYS_write) ", %eax\n"
        "    syscall\n" PROBE_NUL
        /* Until whoever holds fd 0's other end lets go, then the only
         * thread's exit. */
        "    xor %edi, %edi\n"
        "    lea 1024(%rbx), %rsi\n"
        "    mov $1, %edx\n"
        "    mov $" S(SYS_read) ", %eax\n"
        "    syscall\n"
        "    mov $42, %edi\n"
        "    mov $" S(SYS_exit) ", %eax\n"
        "    syscall\n"
        "    ud2\n"
        "probe_sigs: .byte 10, 12, 15, 13, 0\n"
        "probe_exe: .asciz \"/proc/self/exe\"\n"
        "probe_comm: .asciz \"/proc/self/comm\"\n"
        "probe_end:\n"
        ".popsection\n");

/* ---- raw calls (natively the same numbers) ---- */

static long rsys(long n, long a, long b, long c, long d, long e)
{
    register long r10 __asm__("r10") = d;
    register long r8 __asm__("r8") = e;
    long ret;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8)
                     : "rcx", "r11", "memory");
    return ret;
}

static long x_execve(const char *p, char *const *argv, char *const *envp)
{
    return rsys(SYS_execve, (long)p, (long)argv, (long)envp, 0, 0);
}

static long x_execveat(int fd, const char *p, char *const *argv, char *const *envp, int flags)
{
    return rsys(SYS_execveat, fd, (long)p, (long)argv, (long)envp, flags);
}

static long x_open(const char *p, int flags, int mode)
{
    return rsys(SYS_openat, AT_FDCWD, (long)p, flags, mode, 0);
}

static long x_tgkill(long tgid, long tid, int sig)
{
    return rsys(SYS_tgkill, tgid, tid, sig, 0, 0);
}

/* ---- names ---- */

#define SBUF 512
static char *sbuf(void)
{
    static char bufs[16][SBUF];
    static int n;
    return bufs[n++ & 15];
}

static const char *errname(long e)
{
    switch (e) {
    case 0: return "0";
    case ENOENT: return "ENOENT";
    case ENOTDIR: return "ENOTDIR";
    case EACCES: return "EACCES";
    case ENOEXEC: return "ENOEXEC";
    case E2BIG: return "E2BIG";
    case ELOOP: return "ELOOP";
    case EINVAL: return "EINVAL";
    case EBADF: return "EBADF";
    case EFAULT: return "EFAULT";
    case ENAMETOOLONG: return "ENAMETOOLONG";
    case ENOMEM: return "ENOMEM";
    case EAGAIN: return "EAGAIN";
    case ECHILD: return "ECHILD";
    case ENOSYS: return "ENOSYS";
    case ESRCH: return "ESRCH";
    case EPERM: return "EPERM";
    case EISDIR: return "EISDIR";
    case EIO: return "EIO";
    }
    char *b = sbuf();
    snprintf(b, SBUF, "errno%ld", e);
    return b;
}

/* A raw result: the number, or the errno's name. */
static const char *res(long r)
{
    if (r < 0 && r > -4096)
        return errname(-r);
    char *b = sbuf();
    snprintf(b, SBUF, "%ld", r);
    return b;
}

static const char *signame(int s)
{
    static const char *const n[] = {
        "0",    "HUP",  "INT",  "QUIT", "ILL",  "TRAP", "ABRT", "BUS",  "FPE",    "KILL", "USR1",
        "SEGV", "USR2", "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN",
        "TTOU", "URG",  "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS"};
    if (s > 0 && s < 32)
        return n[s];
    char *b = sbuf();
    snprintf(b, SBUF, "RT%d", s - 34);
    return b;
}

static const char *sigset_text(uint64_t set)
{
    char *b = sbuf();
    int at = snprintf(b, SBUF, "[");
    for (int s = 1; s <= 64; s++)
        if (set & (1ULL << (s - 1)))
            at += snprintf(b + at, SBUF - at, "%s%s", at > 1 ? " " : "", signame(s));
    snprintf(b + at, SBUF - at, "]");
    return b;
}

static const char *status_text(int st)
{
    char *b = sbuf();
    if (WIFEXITED(st))
        snprintf(b, SBUF, "exited %d", WEXITSTATUS(st));
    else if (WIFSIGNALED(st))
        snprintf(b, SBUF, "killed by SIG%s", signame(WTERMSIG(st)));
    else
        snprintf(b, SBUF, "status %#x", st);
    return b;
}

static const char *handler_text(uint64_t h, uintptr_t mine)
{
    if (h == 0)
        return "SIG_DFL";
    if (h == 1)
        return "SIG_IGN";
    return h == mine ? "handler" : "other";
}

/* ---- the scratch directory ---- */

static char dir[128];

static const char *path(const char *name)
{
    char *b = sbuf();
    snprintf(b, SBUF, "%s/%s", dir, name);
    return b;
}

/* `p` with the scratch directory shown as $D. */
static const char *shown(const char *p)
{
    size_t n = strlen(dir);
    if (strncmp(p, dir, n) == 0) {
        char *b = sbuf();
        snprintf(b, SBUF, "$D%s", p + n);
        return b;
    }
    return p;
}

/* A file of `len` bytes at `name` with mode `mode` (umask aside), closed
 * before anything is exec'd (a file open for writing is ETXTBSY). */
static void put_file(const char *name, const void *data, size_t len, int mode)
{
    long fd = x_open(path(name), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        printf("setup: cannot create %s: %s\n", name, res(fd));
        exit(1);
    }
    const char *p = data;
    while (len > 0) {
        long n = write((int)fd, p, len);
        if (n <= 0) {
            printf("setup: cannot write %s\n", name);
            exit(1);
        }
        p += n;
        len -= (size_t)n;
    }
    rsys(SYS_fchmod, fd, mode, 0, 0, 0);
    close((int)fd);
}

static void put_text(const char *name, const char *text, int mode)
{
    put_file(name, text, strlen(text), mode);
}

/* A static x86_64 ELF executable (or, with `machine`, another machine's)
 * of one read-execute segment holding the headers, an optional
 * PT_INTERP path and the probe's code, loaded at 0x400000. */
static size_t make_elf(unsigned char *out, int machine, const char *interp)
{
    const size_t ehdr = 64, phent = 56;
    int nph = interp ? 3 : 2;
    size_t interp_len = interp ? strlen(interp) + 1 : 0;
    size_t interp_at = ehdr + (size_t)nph * phent;
    size_t code_at = interp_at + interp_len;
    size_t code_len = (size_t)(probe_end - probe_start);
    size_t total = code_at + code_len;
    uint64_t base = 0x400000;
    memset(out, 0, code_at);
    memcpy(out, "\177ELF", 4);
    out[4] = 2; /* ELFCLASS64 */
    out[5] = 1; /* little endian */
    out[6] = 1; /* EV_CURRENT */
    uint16_t h16[] = {2 /* ET_EXEC */, (uint16_t)machine};
    memcpy(out + 16, h16, 4);
    uint32_t version = 1;
    memcpy(out + 20, &version, 4);
    uint64_t entry = base + code_at, phoff = ehdr;
    memcpy(out + 24, &entry, 8);
    memcpy(out + 32, &phoff, 8);
    uint16_t sizes[] = {(uint16_t)ehdr, (uint16_t)phent, (uint16_t)nph};
    memcpy(out + 52, sizes, 6);
    unsigned char *ph = out + ehdr;
    /* PT_LOAD, r-x, the whole file. */
    uint32_t load[2] = {1, 5};
    uint64_t load_v[6] = {0, base, base, total, total, 0x1000};
    memcpy(ph, load, 8);
    memcpy(ph + 8, load_v, 48);
    ph += phent;
    /* PT_GNU_STACK, rw-. */
    uint32_t stack[2] = {0x6474e551, 6};
    memcpy(ph, stack, 8);
    ph += phent;
    if (interp) {
        uint32_t ip[2] = {3, 4};
        uint64_t ip_v[6] = {interp_at, base + interp_at, base + interp_at, interp_len, interp_len, 1};
        memcpy(ph, ip, 8);
        memcpy(ph + 8, ip_v, 48);
        memcpy(out + interp_at, interp, interp_len);
    }
    memcpy(out + code_at, probe_start, code_len);
    return total;
}

static char probe[192]; /* the probe's path */

static void setup(void)
{
    snprintf(dir, sizeof(dir), "/tmp/exec-test-%d", getpid());
    long r = rsys(SYS_mkdir, (long)dir, 0755, 0, 0, 0);
    if (r < 0) {
        printf("setup: mkdir: %s\n", res(r));
        exit(1);
    }
    snprintf(probe, sizeof(probe), "%s/probe", dir);
    static unsigned char elf[8192];
    put_file("probe", elf, make_elf(elf, 62, NULL), 0755);
    put_file("probe-i386", elf, make_elf(elf, 3, NULL), 0755);
    put_file("probe-dynamic", elf, make_elf(elf, 62, "/nonexistent/ld.so"), 0755);
    put_file("probe-noexec", elf, make_elf(elf, 62, NULL), 0644);
    put_text("text", "hello, I am not a program\n", 0755);
    put_text("empty", "", 0755);
    rsys(SYS_symlink, (long)"probe", (long)path("link"), 0, 0, 0);
    rsys(SYS_symlink, (long)"loop-b", (long)path("loop-a"), 0, 0, 0);
    rsys(SYS_symlink, (long)"loop-a", (long)path("loop-b"), 0, 0, 0);
    rsys(SYS_mkdir, (long)path("subdir"), 0755, 0, 0, 0);
}

static const char *const cleanup_files[] = {
    "probe", "probe-i386", "probe-dynamic", "probe-noexec", "text", "empty", "link", "loop-a",
    "loop-b", "script", "script2", "script3", "script-cut", "script-long", "script-blank",
    "script-bang", "script-missing", "script-noexec", "script-dir", "script-text", "s1", "s2", "s3",
    "s4", "s5", "t1", "t2", "t3", "t4", "t5", "t6"};

static void cleanup(void)
{
    for (size_t i = 0; i < sizeof(cleanup_files) / sizeof(cleanup_files[0]); i++)
        rsys(SYS_unlink, (long)path(cleanup_files[i]), 0, 0, 0, 0);
    rsys(SYS_rmdir, (long)path("subdir"), 0, 0, 0, 0);
    rsys(SYS_rmdir, (long)dir, 0, 0, 0, 0);
}

/* ---- running a case ---- */

static char out_buf[1 << 21];

struct run {
    int status;
    pid_t pid;
    uint64_t pre; /* what the child wrote before its exec, if asked */
    const uint64_t *rec; /* the probe's record; NULL if none came */
    const char *str[64]; /* argv, then envp (as many as fit) */
    const char *execfn, *exe, *comm;
    size_t len; /* bytes of the stream after the record */
};

typedef void (*child_fn)(void *arg);

/* The exec failed: the errno as the child's exit status. */
static void exec_failed(long r)
{
    _exit(r < 0 ? (int)-r : 0);
}

/* Runs `fn(arg)` in a child with fd 0 a pipe holding `param` and fd 1 a
 * pipe read here to its end; `pre`: the child writes 8 bytes to fd 1
 * before its exec. */
static void run_case(child_fn fn, void *arg, uint64_t param, int pre, struct run *r)
{
    memset(r, 0, sizeof(*r));
    fflush(stdout);
    int in[2], out[2];
    if (pipe(in) != 0 || pipe(out) != 0) {
        printf("setup: pipe failed\n");
        exit(1);
    }
    /* Before the child can be gone (and the pipe with it). */
    if (write(in[1], &param, 8) != 8)
        printf("setup: parameter not written\n");
    pid_t pid = fork();
    if (pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        close(in[0]);
        close(in[1]);
        close(out[0]);
        close(out[1]);
        fn(arg);
        _exit(200);
    }
    close(in[0]);
    close(out[1]);
    close(in[1]);
    size_t got = 0;
    for (;;) {
        long n = read(out[0], out_buf + got, sizeof(out_buf) - 1 - got);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(out[0]);
    out_buf[got] = 0;
    waitpid(pid, &r->status, 0);
    r->pid = pid;
    size_t at = 0;
    if (pre && got >= 8) {
        memcpy(&r->pre, out_buf, 8);
        at = 8;
    }
    if (got - at < R_SLOTS * 8)
        return;
    r->rec = (const uint64_t *)(out_buf + at);
    if (r->rec[R_MAGIC] != PROBE_MAGIC) {
        r->rec = NULL;
        return;
    }
    const char *s = out_buf + at + R_SLOTS * 8;
    const char *end = out_buf + got;
    r->len = (size_t)(end - s);
    size_t n = r->rec[R_ARGC] + r->rec[R_ENVC];
    for (size_t i = 0; i < n + 3 && s < end; i++) {
        if (i < n && i < 64)
            r->str[i] = s;
        else if (i == n)
            r->execfn = s;
        else if (i == n + 1)
            r->exe = s;
        else if (i == n + 2)
            r->comm = s;
        s += strlen(s) + 1;
    }
}

/* How the case ended when the probe did not report. */
static const char *no_probe(const struct run *r)
{
    char *b = sbuf();
    if (WIFEXITED(r->status) && WEXITSTATUS(r->status) < 200)
        snprintf(b, SBUF, "exec failed: %s", errname(WEXITSTATUS(r->status)));
    else
        snprintf(b, SBUF, "no probe (%s)", status_text(r->status));
    return b;
}

/* argv or envp as [a|b|c], each cut at 40 bytes with its length. */
static const char *list_text(const struct run *r, size_t from, size_t n)
{
    char *b = sbuf();
    int at = snprintf(b, SBUF, "[");
    for (size_t i = 0; i < n && from + i < 64; i++) {
        const char *s = r->str[from + i];
        if (!s)
            break;
        size_t len = strlen(s);
        if (len > 40)
            at += snprintf(b + at, SBUF - at, "%s<%zu bytes>", i ? "|" : "", len);
        else
            at += snprintf(b + at, SBUF - at, "%s%s", i ? "|" : "", shown(s));
        if (at >= SBUF - 2)
            break;
    }
    snprintf(b + at, SBUF - at, "]");
    return b;
}

/* The new program's view of its arguments and names. */
static void print_image(const char *name, const struct run *r)
{
    if (!r->rec) {
        printf("%s: %s\n", name, no_probe(r));
        return;
    }
    size_t argc = r->rec[R_ARGC], envc = r->rec[R_ENVC];
    char comm[64];
    snprintf(comm, sizeof(comm), "%s", r->comm ? r->comm : "?");
    comm[strcspn(comm, "\n")] = 0;
    printf("%s: %s argc=%zu argv=%s envc=%zu envp=%s execfn=%s exe=%s comm=%s\n", name,
           status_text(r->status), argc, list_text(r, 0, argc), envc, list_text(r, argc, envc),
           r->execfn ? shown(r->execfn) : "?", r->exe ? shown(r->exe) : "?", comm);
}

static char *args3[] = {"probe", "one", "two words", "", NULL};
static char *env3[] = {"A=1", "EMPTY=", "LONG=a longer value", NULL};
static char *no_env[] = {NULL};

/* ---- cases: the new image ---- */

struct exec_args {
    const char *path;
    char *const *argv;
    char *const *envp;
    int dirfd;
    int flags;
    int at; /* execveat rather than execve */
};

static void do_exec(void *p)
{
    struct exec_args *a = p;
    long r = a->at ? x_execveat(a->dirfd, a->path, a->argv, a->envp, a->flags)
                   : x_execve(a->path, a->argv, a->envp);
    exec_failed(r);
}

static long execve_dirty_fpu(const char *p, char *const *argv, char *const *envp)
{
    uint32_t mx = 0x9f80; /* flush-to-zero on */
    uint16_t cw = 0x27f;  /* 53-bit precision */
    uint64_t x = 0x1234;
    long r;
    __asm__ volatile("ldmxcsr %[mx]\n\t"
                     "fldcw %[cw]\n\t"
                     "movq %[x], %%xmm0\n\t"
                     "syscall"
                     : "=a"(r)
                     : "0"((long)SYS_execve), "D"(p), "S"(argv), "d"(envp), [mx] "m"(mx), [cw] "m"(cw),
                       [x] "r"(x)
                     : "rcx", "r11", "memory", "xmm0");
    return r;
}

static void basic_child(void *p)
{
    (void)p;
    /* TLS is set (the C library's), the FPU is not in its initial state,
     * and a robust list is registered: none of it passes to the probe. */
    static uint64_t robust[3];
    robust[0] = (uint64_t)(uintptr_t)robust;
    rsys(SYS_set_robust_list, (long)robust, 24, 0, 0, 0);
    exec_failed(execve_dirty_fpu(probe, args3, env3));
}

static void case_basic(void)
{
    struct run r;
    run_case(basic_child, NULL, 0, 0, &r);
    print_image("basic", &r);
    if (!r.rec)
        return;
    const uint64_t *q = r.rec;
    char nonzero[128] = "";
    for (int i = 0; i < 16; i++)
        if (q[R_REGS + i] != 0)
            snprintf(nonzero + strlen(nonzero), sizeof(nonzero) - strlen(nonzero), "%s%s",
                     nonzero[0] ? " " : "", reg_names[i]);
    printf("basic-state: nonzero-regs=[%s] rflags=%#llx rsp%%16=%llu fs=%#llx mxcsr=%#llx fcw=%#llx "
           "xmm0=%#llx robust=%s,%#llx\n",
           nonzero, (unsigned long long)q[R_RFLAGS], (unsigned long long)(q[R_REGS + 7] % 16),
           (unsigned long long)q[R_FS], (unsigned long long)q[R_MXCSR], (unsigned long long)q[R_FCW],
           (unsigned long long)q[R_XMM0], res((long)q[R_ROBUST]), (unsigned long long)q[R_ROBUST + 1]);
    printf("basic-ids: pid=%s ppid=%s wait=%s altstack-flags=%#llx\n",
           (pid_t)q[R_PID] == r.pid && q[R_TID] == q[R_PID] ? "the child's" : "other",
           (pid_t)q[R_PPID] == getpid() ? "the driver" : "other", res((long)q[R_WAIT]),
           (unsigned long long)q[R_SS_FLAGS]);
}

static void one_image(const char *name, const char *p, char *const *argv, char *const *envp, int dirfd,
                      int flags, int at)
{
    struct exec_args a = {p, argv, envp, dirfd, flags, at};
    struct run r;
    run_case(do_exec, &a, 0, 0, &r);
    print_image(name, &r);
}

static void chdir_exec(void *p)
{
    if (rsys(SYS_chdir, (long)dir, 0, 0, 0, 0) != 0)
        _exit(201);
    do_exec(p);
}

/* execveat through a descriptor: `open_path` opened with `open_flags`,
 * then `exec_path` from it (the descriptor itself for an empty one). */
struct fd_exec {
    const char *open_path;
    int open_flags;
    const char *exec_path;
    char *const *argv;
};

static void fd_exec_child(void *p)
{
    struct fd_exec *a = p;
    long fd = x_open(a->open_path, a->open_flags, 0);
    if (fd < 0)
        _exit(202);
    /* The descriptor's number, for the names it makes. */
    uint64_t n = (uint64_t)fd;
    if (write(1, &n, 8) != 8)
        _exit(203);
    int flags = a->exec_path[0] ? 0 : AT_EMPTY_PATH;
    exec_failed(x_execveat((int)fd, a->exec_path, a->argv, no_env, flags));
}

/* A name with the descriptor's number shown as FD. */
static void print_fd_image(const char *name, struct run *r)
{
    char num[32], from[40];
    snprintf(num, sizeof(num), "/dev/fd/%llu", (unsigned long long)r->pre);
    if (r->execfn && strncmp(r->execfn, num, strlen(num)) == 0) {
        snprintf(from, sizeof(from), "/dev/fd/FD%s", r->execfn + strlen(num));
        static char keep[64];
        snprintf(keep, sizeof(keep), "%s", from);
        r->execfn = keep;
    }
    for (int i = 0; i < 64 && r->str[i]; i++)
        if (strcmp(r->str[i], num) == 0)
            r->str[i] = "/dev/fd/FD";
    print_image(name, r);
}

static void case_images(void)
{
    one_image("null-argv", probe, NULL, NULL, 0, 0, 0);
    char *empty[] = {NULL};
    one_image("empty-argv", probe, empty, empty, 0, 0, 0);
    struct exec_args rel = {"./probe", args3, no_env, 0, 0, 0};
    struct run r;
    run_case(chdir_exec, &rel, 0, 0, &r);
    print_image("relative", &r);
    one_image("symlink", path("link"), args3, no_env, 0, 0, 0);
    one_image("via-dotdot", path("subdir/../probe"), args3, no_env, 0, 0, 0);
    struct fd_exec at_dir = {dir, O_RDONLY | O_DIRECTORY, "probe", args3};
    run_case(fd_exec_child, &at_dir, 0, 1, &r);
    print_fd_image("execveat-dirfd", &r);
    struct fd_exec fd_ro = {probe, O_RDONLY | O_CLOEXEC, "", args3};
    run_case(fd_exec_child, &fd_ro, 0, 1, &r);
    print_fd_image("execveat-fd", &r);
    struct fd_exec fd_path = {probe, O_PATH, "", args3};
    run_case(fd_exec_child, &fd_path, 0, 1, &r);
    print_fd_image("execveat-opath-fd", &r);
    one_image("execveat-absolute", probe, args3, no_env, 12345, 0, 1);
}

/* ---- cases: #! scripts ---- */

static char *script_args[] = {"scr", "a1", "a2", NULL};

static void case_scripts(void)
{
    char text[1024];
    snprintf(text, sizeof(text), "#!%s -x  y \nexit 0\n", probe);
    put_text("script", text, 0755);
    one_image("script", path("script"), script_args, no_env, 0, 0, 0);
    snprintf(text, sizeof(text), "#! \t%s\t \n", probe);
    put_text("script2", text, 0755);
    one_image("script-blanks", path("script2"), script_args, no_env, 0, 0, 0);
    put_text("script3", "#!probe\n", 0755);
    struct exec_args rel = {"./script3", script_args, no_env, 0, 0, 0};
    struct run r;
    run_case(chdir_exec, &rel, 0, 0, &r);
    print_image("script-relative-interpreter", &r);
    /* No newline in the first 256 bytes: the argument is cut, the name is
     * not. */
    memset(text, 0, sizeof(text));
    snprintf(text, sizeof(text), "#!%s ", probe);
    memset(text + strlen(text), 'z', 300);
    put_text("script-cut", text, 0755);
    struct exec_args cut = {path("script-cut"), script_args, no_env, 0, 0, 0};
    run_case(do_exec, &cut, 0, 0, &r);
    if (r.rec && r.str[1] && r.str[2])
        printf("script-cut-argument: %s argc=%llu argument %s, ends at byte %zu of the line, then %s\n",
               status_text(r.status), (unsigned long long)r.rec[R_ARGC],
               strspn(r.str[1], "z") == strlen(r.str[1]) ? "of z" : "other",
               strlen("#!") + strlen(probe) + 1 + strlen(r.str[1]), shown(r.str[2]));
    else
        printf("script-cut-argument: %s\n", no_probe(&r));
    memset(text, 0, sizeof(text));
    strcpy(text, "#!/");
    memset(text + 3, 'a', 300);
    put_text("script-long", text, 0755);
    one_image("script-cut-name", path("script-long"), script_args, no_env, 0, 0, 0);
    put_text("script-blank", "#! \t \n", 0755);
    one_image("script-no-interpreter", path("script-blank"), script_args, no_env, 0, 0, 0);
    put_text("script-bang", "#!", 0755);
    one_image("script-bang-only", path("script-bang"), script_args, no_env, 0, 0, 0);
    snprintf(text, sizeof(text), "#!%s/missing\n", dir);
    put_text("script-missing", text, 0755);
    one_image("script-missing-interpreter", path("script-missing"), script_args, no_env, 0, 0, 0);
    snprintf(text, sizeof(text), "#!%s/probe-noexec\n", dir);
    put_text("script-noexec", text, 0755);
    one_image("script-interpreter-not-executable", path("script-noexec"), script_args, no_env, 0, 0, 0);
    snprintf(text, sizeof(text), "#!%s\n", dir);
    put_text("script-dir", text, 0755);
    one_image("script-interpreter-directory", path("script-dir"), script_args, no_env, 0, 0, 0);
    snprintf(text, sizeof(text), "#!%s/text\n", dir);
    put_text("script-text", text, 0755);
    one_image("script-interpreter-not-a-program", path("script-text"), script_args, no_env, 0, 0, 0);
    /* Five scripts in a row, then the probe: the most execve follows. */
    for (int i = 1; i <= 5; i++) {
        char next[32];
        snprintf(next, sizeof(next), i < 5 ? "s%d" : "probe", i + 1);
        snprintf(text, sizeof(text), "#!%s\n", path(next));
        snprintf(next, sizeof(next), "s%d", i);
        put_text(next, text, 0755);
    }
    one_image("scripts-5-deep", path("s1"), script_args, no_env, 0, 0, 0);
    for (int i = 1; i <= 6; i++) {
        char next[32];
        snprintf(next, sizeof(next), i < 6 ? "t%d" : "probe", i + 1);
        snprintf(text, sizeof(text), "#!%s\n", path(next));
        snprintf(next, sizeof(next), "t%d", i);
        put_text(next, text, 0755);
    }
    one_image("scripts-6-deep", path("t1"), script_args, no_env, 0, 0, 0);
    /* A script through a descriptor: its interpreter gets /dev/fd/N,
     * which it could not open if the descriptor closes at exec. */
    struct fd_exec fd_plain = {path("script2"), O_RDONLY, "", script_args};
    run_case(fd_exec_child, &fd_plain, 0, 1, &r);
    print_fd_image("script-via-fd", &r);
    struct fd_exec fd_cloexec = {path("script2"), O_RDONLY | O_CLOEXEC, "", script_args};
    run_case(fd_exec_child, &fd_cloexec, 0, 1, &r);
    print_fd_image("script-via-cloexec-fd", &r);
}

/* ---- cases: errors, in this process, which carries on ---- */

static void try_exec(const char *name, long r)
{
    printf("error %s: %s\n", name, res(r));
}

static char big_arg[131072 + 1];

static void e2big_child(void *p)
{
    long which = (long)(intptr_t)p;
    struct rlimit rl = {8 << 20, RLIM_INFINITY};
    if (which >= 3)
        rl.rlim_cur = 256 << 10;
    setrlimit(RLIMIT_STACK, &rl);
    static char *v[40];
    memset(v, 0, sizeof(v));
    v[0] = "probe";
    if (which == 0 || which == 1) {
        /* One string of 128 KiB less one byte, or exactly 128 KiB. */
        memset(big_arg, 'b', sizeof(big_arg) - 1);
        big_arg[131072 - (which == 0)] = 0;
        v[1] = big_arg;
    } else {
        /* 20 strings of 110000 bytes (over a quarter of 8 MiB), or under
         * and over 128 KiB with a 256 KiB stack limit. */
        static char chunk[110001];
        memset(chunk, 'c', 110000);
        int n = which == 2 ? 20 : which == 3 ? 1 : 2;
        for (int i = 1; i <= n; i++)
            v[i] = chunk;
    }
    exec_failed(x_execve(probe, v, no_env));
}

static void *idle_thread(void *p)
{
    int *stop = p;
    while (!__atomic_load_n(stop, __ATOMIC_ACQUIRE))
        sched_yield();
    return p;
}

static void case_errors(void)
{
    char *argv[] = {"probe", NULL};
    try_exec("missing", x_execve(path("missing"), argv, no_env));
    try_exec("empty-path", x_execve("", argv, no_env));
    try_exec("not-a-directory", x_execve(path("probe/x"), argv, no_env));
    try_exec("trailing-slash", x_execve(path("probe/"), argv, no_env));
    try_exec("directory", x_execve(dir, argv, no_env));
    try_exec("no-execute-bit", x_execve(path("probe-noexec"), argv, no_env));
    try_exec("device", x_execve("/dev/null", argv, no_env));
    try_exec("proc-file", x_execve("/proc/self/comm", argv, no_env));
    try_exec("text-file", x_execve(path("text"), argv, no_env));
    try_exec("empty-file", x_execve(path("empty"), argv, no_env));
    try_exec("other-machine", x_execve(path("probe-i386"), argv, no_env));
    try_exec("missing-elf-interpreter", x_execve(path("probe-dynamic"), argv, no_env));
    try_exec("symlink-loop", x_execve(path("loop-a"), argv, no_env));
    try_exec("nofollow-symlink",
             x_execveat(AT_FDCWD, path("link"), argv, no_env, AT_SYMLINK_NOFOLLOW));
    try_exec("nofollow-regular", x_execveat(AT_FDCWD, path("text"), argv, no_env, AT_SYMLINK_NOFOLLOW));
    try_exec("bad-flags", x_execveat(AT_FDCWD, probe, argv, no_env, 0x2));
    try_exec("bad-flags-bad-path", x_execveat(AT_FDCWD, (const char *)1, argv, no_env, 0x2));
    try_exec("closed-dirfd", x_execveat(77, "probe", argv, no_env, 0));
    try_exec("closed-fd-empty-path", x_execveat(77, "", argv, no_env, AT_EMPTY_PATH));
    try_exec("empty-path-without-flag", x_execveat(AT_FDCWD, "", argv, no_env, 0));
    try_exec("cwd-empty-path", x_execveat(AT_FDCWD, "", argv, no_env, AT_EMPTY_PATH));
    long fd = x_open(path("text"), O_RDONLY | O_CLOEXEC, 0);
    try_exec("file-as-dirfd", x_execveat((int)fd, "probe", argv, no_env, 0));
    close((int)fd);
    int p[2];
    if (pipe(p) == 0) {
        try_exec("pipe-fd", x_execveat(p[0], "", argv, no_env, AT_EMPTY_PATH));
        close(p[0]);
        close(p[1]);
    }
    try_exec("bad-path-pointer", x_execve((const char *)1, argv, no_env));
    try_exec("bad-argv-pointer", x_execve(probe, (char **)8, no_env));
    char *bad_arg[] = {"probe", (char *)8, NULL};
    try_exec("bad-argv-string", x_execve(probe, bad_arg, no_env));
    try_exec("bad-envp-pointer", x_execve(probe, argv, (char **)8));
    char *bad_env[] = {"A=1", (char *)8, NULL};
    try_exec("bad-envp-string", x_execve(probe, argv, bad_env));
    try_exec("bad-argv-bad-file", x_execve(path("missing"), (char **)8, no_env));
    static char long_path[4200];
    memset(long_path, 'p', sizeof(long_path) - 1);
    long_path[0] = '/';
    try_exec("path-too-long", x_execve(long_path, argv, no_env));
    /* With another thread running: it carries on too. */
    pthread_t th;
    int stop = 0;
    pthread_create(&th, NULL, idle_thread, &stop);
    try_exec("text-file-threaded", x_execve(path("text"), argv, no_env));
    __atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
    void *ret = NULL;
    pthread_join(th, &ret);
    printf("errors: the process carries on, its thread %s\n", ret == &stop ? "joined" : "lost");
    static const char *const e2big[] = {"arg-128KiB-less-1", "arg-128KiB", "args-over-2MiB",
                                        "small-stack-under-128KiB", "small-stack-over-128KiB"};
    for (int i = 0; i < 5; i++) {
        struct run r;
        run_case(e2big_child, (void *)(intptr_t)i, 0, 0, &r);
        if (r.rec)
            printf("size %s: runs, argc=%llu argv[1] %zu bytes\n", e2big[i],
                   (unsigned long long)r.rec[R_ARGC], r.str[1] ? strlen(r.str[1]) : 0);
        else
            printf("size %s: %s\n", e2big[i], no_probe(&r));
    }
}

/* ---- cases: what survives ---- */

static void cloexec_child(void *p)
{
    (void)p;
    long f = x_open(probe, O_RDONLY, 0);
    dup2((int)f, 20);
    for (int fd = 3; fd <= 8; fd++)
        close(fd);
    dup2(20, 3);                                 /* kept */
    rsys(SYS_dup3, 20, 4, O_CLOEXEC, 0, 0);      /* closed */
    dup2(20, 5);                                 /* kept */
    dup2(20, 6);
    rsys(SYS_fcntl, 6, F_SETFD, FD_CLOEXEC, 0, 0); /* closed */
    rsys(SYS_fcntl, 20, F_DUPFD_CLOEXEC, 7, 0, 0); /* 7, closed */
    close(20);
    exec_failed(x_execve(probe, args3, no_env));
}

static void print_fds(const char *name, const struct run *r)
{
    if (!r->rec) {
        printf("%s: %s\n", name, no_probe(r));
        return;
    }
    printf("%s:", name);
    for (int i = 0; i < 6; i++)
        printf(" fd%d=%s", i + 3, res((long)r->rec[R_FDS + i]));
    printf("\n");
}

static int files_clone_child(void *p)
{
    (void)p;
    exec_failed(x_execve(probe, args3, no_env));
    return 0;
}

/* A process sharing its descriptor table with the one that execs keeps
 * the descriptors the exec closes. */
static void files_shared_child(void *p)
{
    (void)p;
    long f = x_open(probe, O_RDONLY, 0);
    rsys(SYS_dup3, f, 5, O_CLOEXEC, 0, 0);
    close((int)f);
    long pid = clone_run(CLONE_FILES | SIGCHLD, 0, NULL, NULL, 0, files_clone_child, NULL);
    int st = 0;
    waitpid((pid_t)pid, &st, 0);
    long flags = rsys(SYS_fcntl, 5, F_GETFD, 0, 0, 0);
    _exit(pid > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 42 ? (flags == FD_CLOEXEC ? 50 : 51) : 52);
}

static void on_signal(int sig) { (void)sig; }

struct ksigaction {
    void (*handler)(int);
    unsigned long flags;
    void (*restorer)(void);
    unsigned long mask;
};

/* An action with a restorer the kernel keeps: none is ever called, no
 * signal being handled here. */
static void set_action(int sig, void (*h)(int), unsigned long flags, unsigned long mask)
{
    struct ksigaction a = {h, flags | 0x04000000 /* SA_RESTORER */, (void (*)(void))h, mask};
    rsys(SYS_rt_sigaction, sig, (long)&a, 0, 8, 0);
}

static void signals_child(void *p)
{
    (void)p;
    set_action(SIGUSR1, on_signal, 0x10000000 | 0x4 /* SA_RESTART | SA_SIGINFO */, 1UL << 1);
    set_action(SIGUSR2, (void (*)(int))1 /* SIG_IGN */, 0x10000000, 0);
    set_action(SIGTERM, on_signal, 0x08000000 /* SA_ONSTACK */, 0);
    unsigned long block = (1UL << (SIGINT - 1)) | (1UL << (SIGQUIT - 1)) | (1UL << (SIGUSR1 - 1));
    rsys(SYS_rt_sigprocmask, SIG_BLOCK, (long)&block, 0, 8, 0);
    rsys(SYS_kill, getpid(), SIGINT, 0, 0, 0);
    x_tgkill(getpid(), gettid(), SIGQUIT);
    rsys(SYS_kill, getpid(), SIGUSR1, 0, 0, 0);
    static char alt[65536];
    stack_t ss = {alt, (int)0x80000000 /* SS_AUTODISARM */, sizeof(alt)};
    sigaltstack(&ss, NULL);
    exec_failed(x_execve(probe, args3, no_env));
}

static void print_signals(const char *name, const struct run *r)
{
    if (!r->rec) {
        printf("%s: %s\n", name, no_probe(r));
        return;
    }
    printf("%s:", name);
    for (int i = 0; i < 4; i++)
        printf(" %s=%s/%#llx", signame(act_sigs[i]),
               handler_text(r->rec[R_ACT + 2 * i], (uintptr_t)on_signal),
               (unsigned long long)r->rec[R_ACT + 2 * i + 1]);
    printf(" blocked=%s pending=%s altstack=%#llx,%#llx,%#llx\n", sigset_text(r->rec[R_BLOCKED]),
           sigset_text(r->rec[R_PENDING]), (unsigned long long)r->rec[R_SS_SP],
           (unsigned long long)r->rec[R_SS_FLAGS], (unsigned long long)r->rec[R_SS_SIZE]);
}

/* The kernel's struct sigevent (SIGEV_SIGNAL). */
struct ksigevent {
    uint64_t value;
    int signo;
    int notify;
    int pad[12];
};

static void timers_child(void *p)
{
    (void)p;
    alarm(1000);
    /* One timer armed far away, one fired with its signal blocked. */
    struct ksigevent ev = {0, SIGUSR2, 0, {0}};
    int far = -1, near = -1;
    rsys(SYS_timer_create, CLOCK_MONOTONIC, (long)&ev, (long)&far, 0, 0);
    struct itimerspec in1000 = {{0, 0}, {1000, 0}};
    rsys(SYS_timer_settime, far, 0, (long)&in1000, 0, 0);
    unsigned long rt = 1UL << (34 - 1);
    rsys(SYS_rt_sigprocmask, SIG_BLOCK, (long)&rt, 0, 8, 0);
    struct ksigevent ev2 = {0, 34, 0, {0}};
    rsys(SYS_timer_create, CLOCK_MONOTONIC, (long)&ev2, (long)&near, 0, 0);
    struct itimerspec now = {{0, 0}, {0, 1000}};
    rsys(SYS_timer_settime, near, 0, (long)&now, 0, 0);
    for (int i = 0; i < 1000; i++) {
        unsigned long pend = 0;
        rsys(SYS_rt_sigpending, (long)&pend, 8, 0, 0, 0);
        if (pend & rt)
            break;
        struct timespec ms = {0, 1000000};
        nanosleep(&ms, NULL);
    }
    /* The far timer's id is the probe's parameter, on a pipe of this
     * child's own as its fd 0. */
    int q[2];
    uint64_t id = (uint64_t)far;
    if (pipe(q) != 0 || write(q[1], &id, 8) != 8)
        _exit(204);
    dup2(q[0], 0);
    close(q[0]);
    close(q[1]);
    exec_failed(x_execve(probe, args3, no_env));
}

static void case_survivors(void)
{
    struct run r;
    run_case(cloexec_child, NULL, 0, 0, &r);
    print_fds("close-on-exec", &r);
    run_case(files_shared_child, NULL, 0, 0, &r);
    printf("files-shared: the sharer %s\n",
           WIFEXITED(r.status) && WEXITSTATUS(r.status) == 50  ? "keeps its close-on-exec fd"
           : WIFEXITED(r.status) && WEXITSTATUS(r.status) == 51 ? "lost its close-on-exec fd"
                                                                : status_text(r.status));
    print_fds("files-shared-probe", &r);
    run_case(signals_child, NULL, 0, 0, &r);
    print_signals("signals", &r);
    run_case(timers_child, NULL, 0, 0, &r);
    if (r.rec)
        printf("timers: itimer=%s,%s timer_gettime=%s pending=%s\n", res((long)r.rec[R_ITIMER]),
               r.rec[R_ITIMER + 1] > 900 && r.rec[R_ITIMER + 1] <= 1000 ? "armed" : "not armed",
               res((long)r.rec[R_TIMER]), sigset_text(r.rec[R_PENDING]));
    else
        printf("timers: %s\n", no_probe(&r));
}

/* ---- cases: threads ---- */

static int gate[2], never[2];
static volatile int spin_stop;

static void *spinner(void *p)
{
    (void)p;
    while (!spin_stop)
        ;
    return NULL;
}

static void *blocker(void *p)
{
    (void)p;
    char c;
    for (;;)
        if (read(never[0], &c, 1) <= 0)
            pause();
    return NULL;
}

static void *execer(void *p)
{
    int mode = (int)(intptr_t)p;
    if (mode == 1) {
        /* Wait until the leader has exited. */
        char c;
        if (read(gate[0], &c, 1) != 1)
            _exit(205);
        struct timespec t = {0, 50 * 1000 * 1000};
        nanosleep(&t, NULL);
    }
    /* This thread's own pending signal goes with it. */
    unsigned long quit = 1UL << (SIGQUIT - 1);
    rsys(SYS_rt_sigprocmask, SIG_BLOCK, (long)&quit, 0, 8, 0);
    x_tgkill(getpid(), gettid(), SIGQUIT);
    exec_failed(x_execve(probe, args3, no_env));
    return NULL;
}

/* A child (exited before the exec) for the new program to reap, its pid
 * written ahead of the probe's record; the leader's own pending signal
 * (blocked) does not survive a non-leader's exec. */
static void thread_case_prologue(void)
{
    pid_t kid = fork();
    if (kid == 0)
        _exit(7);
    uint64_t k = (uint64_t)kid;
    if (write(1, &k, 8) != 8)
        _exit(206);
    unsigned long usr2 = 1UL << (SIGUSR2 - 1);
    rsys(SYS_rt_sigprocmask, SIG_BLOCK, (long)&usr2, 0, 8, 0);
    x_tgkill(getpid(), gettid(), SIGUSR2);
    if (pipe(gate) != 0 || pipe(never) != 0)
        _exit(207);
}

static void thread_exec_child(void *p)
{
    int mode = (int)(intptr_t)p;
    thread_case_prologue();
    pthread_t a, b, c;
    pthread_create(&a, NULL, spinner, NULL);
    pthread_create(&b, NULL, blocker, NULL);
    if (mode == 2) {
        /* The leader execs. */
        execer(NULL);
    }
    pthread_create(&c, NULL, execer, (void *)(intptr_t)mode);
    if (mode == 1) {
        if (write(gate[1], "x", 1) != 1)
            _exit(208);
        rsys(SYS_exit, 0, 0, 0, 0, 0);
    }
    for (;;)
        pause();
}

static void print_thread_case(const char *name, const struct run *r)
{
    if (!r->rec) {
        printf("%s: %s\n", name, no_probe(r));
        return;
    }
    const uint64_t *q = r->rec;
    printf("%s: %s pid=%s tid=%s ppid=%s reaped=%s,%s pending=%s blocked=%s\n", name,
           status_text(r->status), (pid_t)q[R_PID] == r->pid ? "same" : "other",
           q[R_TID] == q[R_PID] ? "pid" : "other", (pid_t)q[R_PPID] == getpid() ? "same" : "other",
           (long)q[R_WAIT] == (long)r->pre ? "its child" : res((long)q[R_WAIT]),
           status_text((int)q[R_WAIT + 1]), sigset_text(q[R_PENDING]), sigset_text(q[R_BLOCKED]));
}

static void case_threads(void)
{
    static const char *const names[] = {"thread-exec", "thread-exec-after-leader-exit", "leader-exec"};
    for (int mode = 0; mode < 3; mode++) {
        struct run r;
        run_case(thread_exec_child, (void *)(intptr_t)mode, 0, 1, &r);
        print_thread_case(names[mode], &r);
    }
}

/* ---- cases: vfork and CLONE_VM children ---- */

static void vfork_child(void *p)
{
    (void)p;
    int in[2];
    if (pipe(in) != 0)
        _exit(209);
    pid_t pid = vfork();
    if (pid == 0) {
        rsys(SYS_dup2, in[0], 0, 0, 0, 0);
        rsys(SYS_close, in[1], 0, 0, 0, 0);
        rsys(SYS_execve, (long)probe, (long)args3, (long)no_env, 0, 0);
        rsys(SYS_exit, 1, 0, 0, 0, 0);
    }
    /* Back before the child's exit: the probe waits for this. */
    close(in[0]);
    uint64_t param = 0;
    int ok = write(in[1], &param, 8) == 8;
    close(in[1]);
    int st = 0;
    waitpid(pid, &st, 0);
    _exit(ok && WIFEXITED(st) && WEXITSTATUS(st) == 42 ? 60 : 61);
}

static int vm_child_fn(void *p)
{
    (void)p;
    rsys(SYS_execve, (long)probe, (long)args3, (long)no_env, 0, 0);
    return 1;
}

static int ctid_word = 12345;
static char vm_stack[65536] __attribute__((aligned(16)));

/* A CLONE_VM | CLONE_SIGHAND | CLONE_VFORK child execs: the parent's
 * handlers stay, its CLONE_CHILD_CLEARTID word is cleared, and it runs on
 * once the child has exec'd. */
static void vm_child(void *p)
{
    (void)p;
    set_action(SIGUSR1, on_signal, 0, 0);
    long pid = clone_run(CLONE_VM | CLONE_SIGHAND | CLONE_VFORK | CLONE_CHILD_CLEARTID | SIGCHLD,
                         vm_stack + sizeof(vm_stack), NULL, &ctid_word, 0, vm_child_fn, NULL);
    struct ksigaction old;
    rsys(SYS_rt_sigaction, SIGUSR1, 0, (long)&old, 8, 0);
    int cleared = ctid_word == 0;
    int st = 0;
    waitpid((pid_t)pid, &st, 0);
    int kept = old.handler == on_signal;
    _exit(WIFEXITED(st) && WEXITSTATUS(st) == 42 ? 70 + kept + 2 * cleared : 69);
}

/* A robust lock held by a thread that exits: its word says so. */
static uint32_t robust_word;
static int robust_tid;

static void *robust_thread(void *p)
{
    (void)p;
    static uint64_t head[3], entry[1];
    head[0] = (uint64_t)(uintptr_t)entry;
    head[1] = (uint64_t)((uintptr_t)&robust_word - (uintptr_t)entry);
    head[2] = 0;
    entry[0] = (uint64_t)(uintptr_t)head;
    robust_tid = gettid();
    robust_word = (uint32_t)robust_tid;
    rsys(SYS_set_robust_list, (long)head, 24, 0, 0, 0);
    rsys(SYS_exit, 0, 0, 0, 0, 0);
    return NULL;
}

static void case_clone_children(void)
{
    struct run r;
    run_case(vfork_child, NULL, 0, 0, &r);
    printf("vfork: parent %s; ", WIFEXITED(r.status) && WEXITSTATUS(r.status) == 60
                                     ? "ran on before the child's exit"
                                     : status_text(r.status));
    print_image("vfork-probe", &r);
    run_case(vm_child, NULL, 0, 0, &r);
    int v = WIFEXITED(r.status) ? WEXITSTATUS(r.status) : -1;
    if (v >= 70 && v <= 73)
        printf("clone-vm-sighand: parent handler %s, child tid word %s\n",
               (v - 70) & 1 ? "kept" : "lost", (v - 70) & 2 ? "cleared" : "kept");
    else
        printf("clone-vm-sighand: %s\n", status_text(r.status));
    if (r.rec)
        printf("clone-vm-sighand-probe: USR1=%s\n", handler_text(r.rec[R_ACT], (uintptr_t)on_signal));
    pthread_t t;
    pthread_create(&t, NULL, robust_thread, NULL);
    for (int i = 0; i < 1000 && (robust_tid == 0 || __atomic_load_n(&robust_word, __ATOMIC_ACQUIRE) ==
                                                           (uint32_t)robust_tid);
         i++) {
        struct timespec ms = {0, 1000000};
        nanosleep(&ms, NULL);
    }
    printf("robust-exit: word=%#x (owner died %s, tid %s)\n", robust_word & 0xc0000000,
           robust_word & 0x40000000 ? "set" : "clear",
           (robust_word & 0x3fffffff) == (uint32_t)robust_tid ? "kept" : "cleared");
}

/* ---- exec of this program itself ---- */

static int self_child(int argc, char **argv, char **envp)
{
    printf("self-child: argc=%d", argc);
    for (int i = 1; i < argc; i++)
        printf(" [%s]", argv[i]);
    printf(" env:");
    for (char **e = envp; *e; e++)
        printf(" [%s]", *e);
    printf("\n");
    return 9;
}

static void *self_thread(void *p)
{
    (void)p;
    char *argv[] = {"exec", "self-child", "from", "a thread", NULL};
    char *envp[] = {"Y=2", NULL};
    long r = x_execve("/proc/self/exe", argv, envp);
    printf("self-from-thread: exec failed: %s\n", res(r));
    fflush(stdout);
    _exit(1);
}

static int self_exec(void)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        char *argv[] = {"exec", "self-child", "one", "two words", "", NULL};
        char *envp[] = {"X=1", "EMPTY=", NULL};
        long r = x_execve("/proc/self/exe", argv, envp);
        printf("self: exec failed: %s\n", res(r));
        fflush(stdout);
        _exit(1);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    printf("self: %s\n", status_text(st));
    /* And from a thread that is not the leader. */
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        pthread_t t;
        pthread_create(&t, NULL, self_thread, NULL);
        for (;;)
            pause();
    }
    waitpid(pid, &st, 0);
    printf("self-from-thread: %s\n", status_text(st));
    return 0;
}

int main(int argc, char **argv, char **envp)
{
    if (argc > 1 && strcmp(argv[1], "self-child") == 0)
        return self_child(argc, argv, envp);
    if (argc > 1 && strcmp(argv[1], "self") == 0)
        return self_exec();
    setup();
    case_basic();
    case_images();
    case_scripts();
    case_errors();
    case_survivors();
    case_threads();
    case_clone_children();
    cleanup();
    return 0;
}
