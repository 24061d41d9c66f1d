/* Program entry. The kernel leaves rsp at argc (16-byte aligned) and, per
 * the psABI, rdx = a function to register with atexit (0 from our kernel and
 * from Linux for static programs). */
    .text
    .global _start
    .type _start, @function
_start:
    xor %ebp, %ebp              /* outermost frame: backtraces end here */
    mov %rsp, %rdi              /* original sp: argc, argv, envp, auxv */
    lea main(%rip), %rsi
    and $-16, %rsp
    call __libc_start_main
    hlt
    .size _start, . - _start
    .section .note.GNU-stack, "", @progbits
