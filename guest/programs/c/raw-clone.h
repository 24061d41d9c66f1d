/* Raw clone and clone3 for the test programs that exercise the kernel
 * directly (clone-semantics, threads-stress, clone-nomem, preempt, signals,
 * bench-clone): no C-library wrapper in between.
 *
 * clone_run(flags, newsp, ptid, ctid, tls, fn, arg) makes the legacy clone
 * system call; the child runs fn(arg) on newsp (or on a copy of the
 * caller's stack when newsp is 0 and the memory is not shared) and exits,
 * the thread only, with fn's result. Returns the raw result (-errno on
 * failure). fn and arg ride in callee-saved registers, which the child
 * inherits. */
#ifndef RAW_CLONE_H
#define RAW_CLONE_H
#include <sys/syscall.h>

/* A system call number as an asm immediate: SYS_clone -> "56". */
#define RAW_CLONE_STR(x) RAW_CLONE_STR_(x)
#define RAW_CLONE_STR_(x) #x

long clone_run(unsigned long flags, void *newsp, int *ptid, int *ctid, unsigned long tls, int (*fn)(void *), void *arg);

__asm__(".text\n"
        ".globl clone_run\n"
        "clone_run:\n"
        "    push %r12\n"
        "    push %r13\n"
        "    mov %r9, %r12\n"
        "    mov 24(%rsp), %r13\n"
        "    mov %rcx, %r10\n"
        "    mov $" RAW_CLONE_STR(SYS_clone) ", %eax\n"
        /* Both entry points: fn in r12, arg in r13 (callee-saved, so the
         * child inherits them), the call number in eax. */
        "raw_clone_common:\n"
        "    syscall\n"
        "    test %rax, %rax\n"
        "    jnz 2f\n"
        "    xor %ebp, %ebp\n"
        "    and $-16, %rsp\n"
        "    mov %r13, %rdi\n"
        "    call *%r12\n"
        "    mov %eax, %edi\n"
        "    mov $" RAW_CLONE_STR(SYS_exit) ", %eax\n"
        "    syscall\n"
        "    ud2\n"
        "2:  pop %r13\n"
        "    pop %r12\n"
        "    ret\n");

/* clone3_run(args, size, fn, arg): clone3; the child runs fn(arg) on the
 * stack the args give (the kernel sets rsp to stack + stack_size) and exits
 * the thread with fn's result. Returns the raw result. */
struct clone_args;
long clone3_run(struct clone_args *args, unsigned long size, int (*fn)(void *), void *arg);

__asm__(".text\n"
        ".globl clone3_run\n"
        "clone3_run:\n"
        "    push %r12\n"
        "    push %r13\n"
        "    mov %rdx, %r12\n"
        "    mov %rcx, %r13\n"
        "    mov $" RAW_CLONE_STR(SYS_clone3) ", %eax\n"
        "    jmp raw_clone_common\n");

#endif
