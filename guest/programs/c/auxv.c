/* Checks the initial stack the kernel built against what Linux promises:
 * argc/argv/envp layout, 16-byte alignment, and the auxiliary vector. Prints
 * facts, never addresses, so the output is the same natively and in the guest. */
#include <cpuid.h>
#include <elf.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

extern char _start[];
extern const char __ehdr_start[];

static unsigned long *auxv;

static int find(unsigned long type, unsigned long *value)
{
    for (unsigned long *a = auxv; a[0] != AT_NULL; a += 2)
        if (a[0] == type) {
            *value = a[1];
            return 1;
        }
    return 0;
}

static unsigned long need(const char *name, unsigned long type)
{
    unsigned long v = 0;
    printf("%s %s\n", name, find(type, &v) ? "present" : "MISSING");
    return v;
}

int main(int argc, char **argv, char **envp)
{
    printf("argc=%d\n", argc);
    for (int i = 1; i < argc; i++)
        printf("argv[%d]=%s\n", i, argv[i]);
    char **e = envp;
    for (; *e; e++)
        printf("env: %s\n", *e);
    auxv = (unsigned long *)(e + 1);

    /* rsp at _start pointed at argc, just below argv, and was 16-aligned. */
    printf("stack aligned at entry: %s\n", ((uintptr_t)argv & 15) == 8 ? "yes" : "no");
    printf("argv follows argc: %s\n", argv[argc] == 0 ? "yes" : "no");
    int strings_above = 1;
    for (int i = 0; i < argc; i++)
        strings_above &= (uintptr_t)argv[i] > (uintptr_t)auxv;
    for (char **p = envp; *p; p++)
        strings_above &= (uintptr_t)*p > (uintptr_t)auxv;
    printf("strings above the vectors: %s\n", strings_above ? "yes" : "no");

    unsigned long phdr = need("AT_PHDR", AT_PHDR);
    unsigned long phoff;
    memcpy(&phoff, __ehdr_start + 0x20, sizeof(phoff));
    printf("AT_PHDR is the program headers: %s\n", phdr == (uintptr_t)__ehdr_start + phoff ? "yes" : "no");
    printf("AT_PHENT=%lu\n", need("AT_PHENT", AT_PHENT));
    unsigned short phnum;
    memcpy(&phnum, __ehdr_start + 0x38, sizeof(phnum));
    printf("AT_PHNUM matches e_phnum: %s\n", need("AT_PHNUM", AT_PHNUM) == phnum ? "yes" : "no");
    printf("AT_PAGESZ=%lu\n", need("AT_PAGESZ", AT_PAGESZ));
    printf("AT_ENTRY is _start: %s\n", need("AT_ENTRY", AT_ENTRY) == (uintptr_t)_start ? "yes" : "no");
    const unsigned char *rnd = (const unsigned char *)need("AT_RANDOM", AT_RANDOM);
    unsigned sum = 0;
    for (int i = 0; i < 16; i++)
        sum += rnd[i];
    printf("AT_RANDOM readable: %s\n", sum || rnd[0] == 0 ? "yes" : "no");
    unsigned long uid = need("AT_UID", AT_UID), euid = need("AT_EUID", AT_EUID);
    unsigned long gid = need("AT_GID", AT_GID), egid = need("AT_EGID", AT_EGID);
    printf("uid==euid: %s, gid==egid: %s\n", uid == euid ? "yes" : "no", gid == egid ? "yes" : "no");
    printf("AT_SECURE=%lu\n", need("AT_SECURE", AT_SECURE));
    unsigned a, b, c, d;
    __cpuid(1, a, b, c, d);
    printf("AT_HWCAP is cpuid(1).edx: %s\n", need("AT_HWCAP", AT_HWCAP) == d ? "yes" : "no");
    printf("AT_CLKTCK=%lu\n", need("AT_CLKTCK", AT_CLKTCK));
    unsigned long n = 0;
    for (unsigned long *p = auxv; p[0] != AT_NULL; p += 2)
        n++;
    printf("auxv terminated: %s\n", n < 64 ? "yes" : "no");
    return 0;
}
