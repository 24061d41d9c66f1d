/* Says so, then never ends: for --timeout. */
#include <stdio.h>

int main(void)
{
    printf("spinning\n");
    fflush(stdout);
    for (;;)
        __asm__ volatile("" ::: "memory");
}
