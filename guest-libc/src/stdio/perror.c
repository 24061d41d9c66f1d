#include <errno.h>
#include <string.h>
#include "stdio_impl.h"

void perror(const char *msg)
{
    int e = errno;
    if (msg && *msg)
        fprintf(stderr, "%s: %s\n", msg, strerror(e));
    else
        fprintf(stderr, "%s\n", strerror(e));
}
