/* segv MODE: dies of SIGSEGV in one of several ways. */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

/* Unbounded on purpose: grows the stack until it hits its limit. */
static volatile int keep_going = 1;
static int recurse(int depth)
{
    volatile char pad[4096];
    pad[0] = (char)depth;
    if (!keep_going)
        return pad[0];
    return recurse(depth + 1) + pad[0];
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "null";
    if (!strcmp(mode, "null")) {
        *(volatile int *)0 = 1;
    } else if (!strcmp(mode, "rodata")) {
        static const char text[] = "read-only";
        *(volatile char *)text = 'R';
    } else if (!strcmp(mode, "protnone")) {
        volatile char *p = mmap(0, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        (void)p[0];
    } else if (!strcmp(mode, "nx")) {
        unsigned char *p = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        p[0] = 0xc3; /* ret */
        ((void (*)(void))p)();
    } else if (!strcmp(mode, "stack")) {
        return recurse(0);
    }
    fprintf(stderr, "segv: unknown mode %s\n", mode);
    return 1;
}
