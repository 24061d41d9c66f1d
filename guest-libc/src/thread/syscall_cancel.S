/* The cancellable system call bridge (nptl's __syscall_cancel_arch):
 *
 *   long __syscall_cancel_arch(int *cancelhandling, long nr,
 *                              long a1, long a2, long a3, long a4, long a5, long a6);
 *
 * [__syscall_cancel_arch_start, __syscall_cancel_arch_end) is the window in
 * which SIGCANCEL's handler may act on a deferred cancellation: it starts
 * at the check of the CANCELED bit and ends just after the syscall
 * instruction. A SIGCANCEL that lands before the window finds the bit set
 * by pthread_cancel (which sets it before signalling), so the check sees
 * it. One that lands inside it, up to and including the syscall
 * instruction (a blocked call that the kernel rewinds to restart it has
 * its PC there too), cancels at once. One that lands after the
 * instruction (the call completed, or returned -EINTR) leaves the result
 * to the caller: completed calls keep their side effects, and the caller
 * acts on -EINTR itself.
 */
#include <sys/syscall.h>

#define CANCELED_BITMASK 0x08

    .text
    .globl __syscall_cancel_arch
    .hidden __syscall_cancel_arch
    .globl __syscall_cancel_arch_start
    .hidden __syscall_cancel_arch_start
    .globl __syscall_cancel_arch_end
    .hidden __syscall_cancel_arch_end
    .type __syscall_cancel_arch, @function
__syscall_cancel_arch:
__syscall_cancel_arch_start:
    testl $CANCELED_BITMASK, (%rdi)
    jnz __syscall_do_cancel     /* a tail call: the stack is as at entry */
    mov %rsi, %rax
    mov %rdx, %rdi
    mov %rcx, %rsi
    mov %r8, %rdx
    mov %r9, %r10
    mov 8(%rsp), %r8
    mov 16(%rsp), %r9
    syscall
__syscall_cancel_arch_end:
    ret
    .size __syscall_cancel_arch, . - __syscall_cancel_arch
    .section .note.GNU-stack, "", @progbits
