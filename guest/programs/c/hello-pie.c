// guest-cc-flags: -static-pie
/* hello as a static PIE: the C runtime relocates itself before main. */
#include <stdio.h>

static const char *greeting = "Hello from a static PIE!";

int main(void)
{
    /* `greeting` is a pointer in .data: it is only right if the startup
     * code applied the R_X86_64_RELATIVE relocations. */
    printf("%s\n", greeting);
    return 0;
}
