/* fault MODE: a CPU exception other than a page fault. */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "ud2";
    if (!strcmp(mode, "ud2")) {
        __asm__ volatile("ud2");
    } else if (!strcmp(mode, "div0")) {
        volatile int zero = 0;
        volatile int x = 100 / zero;
        (void)x;
    } else if (!strcmp(mode, "int3")) {
        __asm__ volatile("int3");
    }
    fprintf(stderr, "fault: unknown mode %s\n", mode);
    return 1;
}
