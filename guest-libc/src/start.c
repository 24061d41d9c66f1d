/* Process start: relocate (static PIE), find argv/envp/auxv, set up static
 * TLS and the thread control block, then run main and exit with its value. */
#include <asm/prctl.h>
#include <elf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include "internal.h"

char **environ;
unsigned long *__auxv;

/* Applies the R_X86_64_RELATIVE relocations of a static PIE. Runs before
 * anything that could need a relocated pointer (no globals, no GOT): the
 * load base comes from the ELF header's run-time address (the linker's
 * __ehdr_start, taken RIP-relative) and the program headers. A static
 * non-PIE executable has no PT_DYNAMIC and nothing to do. */
static void relocate(unsigned long *auxv)
{
    uintptr_t phdr = 0, phnum = 0;
    for (unsigned long *a = auxv; a[0] != AT_NULL; a += 2) {
        if (a[0] == AT_PHDR)
            phdr = a[1];
        else if (a[0] == AT_PHNUM)
            phnum = a[1];
    }
    const Elf64_Phdr *ph = (const Elf64_Phdr *)phdr;
    uintptr_t ehdr, first_vaddr = 0, dynamic = 0;
    __asm__("lea __ehdr_start(%%rip), %0" : "=r"(ehdr));
    for (uintptr_t i = 0; i < phnum; i++) {
        if (ph[i].p_type == PT_LOAD && ph[i].p_offset == 0)
            first_vaddr = ph[i].p_vaddr;
        else if (ph[i].p_type == PT_DYNAMIC)
            dynamic = ph[i].p_vaddr;
    }
    if (!dynamic)
        return;
    uintptr_t base = ehdr - first_vaddr;
    uintptr_t rela = 0, relasz = 0;
    for (const Elf64_Dyn *d = (const Elf64_Dyn *)(base + dynamic); d->d_tag != DT_NULL; d++) {
        if (d->d_tag == DT_RELA)
            rela = d->d_val;
        else if (d->d_tag == DT_RELASZ)
            relasz = d->d_val;
    }
    const Elf64_Rela *r = (const Elf64_Rela *)(base + rela);
    for (uintptr_t i = 0; i < relasz / sizeof(*r); i++)
        if (ELF64_R_TYPE(r[i].r_info) == R_X86_64_RELATIVE)
            *(uintptr_t *)(base + r[i].r_offset) = base + r[i].r_addend;
}

/* Static TLS of the program (PT_TLS) + the main thread's TCB. */
static _Alignas(64) char main_tls_area[8192];
const void *__tls_image;
size_t __tls_filesz, __tls_memsz, __tls_align = 16, __tls_offset;

/* Copies the TLS image below `pd` and zeroes the rest (tbss). */
void __init_thread_tls(struct pthread *pd)
{
    char *block = (char *)pd - __tls_offset;
    memset(block, 0, __tls_offset);
    if (__tls_filesz)
        memcpy(block, __tls_image, __tls_filesz);
    pd->tcb = pd;
    pd->self = pd;
}

void __init_tls(void)
{
    const Elf64_Phdr *ph = 0;
    unsigned long phnum = 0;
    for (unsigned long *a = __auxv; a[0] != AT_NULL; a += 2) {
        if (a[0] == AT_PHDR)
            ph = (const Elf64_Phdr *)a[1];
        else if (a[0] == AT_PHNUM)
            phnum = a[1];
    }
    uintptr_t ehdr;
    __asm__("lea __ehdr_start(%%rip), %0" : "=r"(ehdr));
    uintptr_t first_vaddr = 0;
    const Elf64_Phdr *tls = 0;
    for (unsigned long i = 0; i < phnum; i++) {
        if (ph[i].p_type == PT_TLS)
            tls = &ph[i];
        if (ph[i].p_type == PT_LOAD && ph[i].p_offset == 0)
            first_vaddr = ph[i].p_vaddr;
    }
    uintptr_t base = ehdr - first_vaddr;
    size_t block_align = 1;
    if (tls) {
        block_align = tls->p_align ? tls->p_align : 1;
        __tls_align = block_align > 16 ? block_align : 16;
        __tls_memsz = tls->p_memsz;
        __tls_filesz = tls->p_filesz;
        __tls_image = (const void *)(base + tls->p_vaddr);
    }
    /* Variant II: the block ends at the thread pointer, the TCB follows.
     * The linker placed each variable at its offset in the block minus
     * memsz rounded up to p_align (the block's own alignment), so that is
     * the block's distance below the thread pointer, whatever alignment
     * the thread pointer itself needs (__tls_align, at least the TCB's
     * 16): the block's start is then aligned to p_align too. */
    __tls_offset = (__tls_memsz + block_align - 1) & ~(block_align - 1);
    size_t need = __tls_offset + sizeof(struct pthread) + __tls_align;
    char *area = main_tls_area;
    if (need > sizeof(main_tls_area)) {
        long r = __syscall6(SYS_mmap, 0, need, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (r < 0 && r > -4096)
            __syscall1(SYS_exit_group, 127);
        area = (char *)r;
    }
    uintptr_t tp = ((uintptr_t)area + __tls_offset + __tls_align - 1) & ~(uintptr_t)(__tls_align - 1);
    struct pthread *pd = (struct pthread *)tp;
    memset(pd, 0, sizeof(*pd));
    __init_thread_tls(pd);
    __syscall2(SYS_arch_prctl, ARCH_SET_FS, tp);
    pd->tid = (int)__syscall1(SYS_set_tid_address, &pd->tid);
}

int __libc_start_main(long *sp, int (*main)(int, char **, char **))
{
    int argc = (int)sp[0];
    char **argv = (char **)(sp + 1);
    char **envp = argv + argc + 1;
    char **e = envp;
    while (*e)
        e++;
    unsigned long *auxv = (unsigned long *)(e + 1);
    relocate(auxv);
    environ = envp;
    __auxv = auxv;
    __init_tls();
    __init_stack_cache_limit();
    exit(main(argc, argv, envp));
}
