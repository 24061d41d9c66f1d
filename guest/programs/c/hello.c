/* The smallest guest program; also built against the host's glibc
 * (hello-glibc) to run a C library we did not write. */
#include <stdio.h>

int main(void)
{
    printf("Hello from the guest!\n");
    return 0;
}
