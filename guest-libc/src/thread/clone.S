/* The clone3 and legacy clone calls of pthread_create. The child leaves
 * the system call on its new stack and calls __start_thread(pd); the TCB
 * pointer rides in a callee-saved register (r12), which the child
 * inherits. The parent gets the call's raw result (-errno on failure).
 *
 *   long __clone3_start(struct clone_args *args, size_t size, struct pthread *pd);
 *   long __clone_start(unsigned long flags, void *sp, int *ptid, int *ctid,
 *                      void *tls, struct pthread *pd);
 */
#include <sys/syscall.h>

    .text
    .globl __clone3_start
    .type __clone3_start, @function
__clone3_start:
    push %r12
    mov %rdx, %r12
    mov $SYS_clone3, %eax
    syscall
    test %rax, %rax
    jnz 1f
    xor %ebp, %ebp              /* outermost frame of the new thread */
    mov %r12, %rdi
    and $-16, %rsp
    call __start_thread
    ud2
1:  pop %r12
    ret
    .size __clone3_start, . - __clone3_start

    .globl __clone_start
    .type __clone_start, @function
__clone_start:
    push %r12
    mov %r9, %r12
    mov %rcx, %r10              /* the kernel takes the 4th argument in r10 */
    mov $SYS_clone, %eax
    syscall
    test %rax, %rax
    jnz 2f
    xor %ebp, %ebp
    mov %r12, %rdi
    and $-16, %rsp
    call __start_thread
    ud2
2:  pop %r12
    ret
    .size __clone_start, . - __clone_start

    .section .note.GNU-stack, "", @progbits
