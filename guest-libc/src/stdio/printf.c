/* The variadic printf family, over the v* entry points. */
#include "stdio_impl.h"

#define VARIADIC(call)      \
    va_list ap;             \
    va_start(ap, fmt);      \
    int r = call;           \
    va_end(ap);             \
    return r

int printf(const char *restrict fmt, ...) { VARIADIC(vfprintf(stdout, fmt, ap)); }
int fprintf(FILE *restrict f, const char *restrict fmt, ...) { VARIADIC(vfprintf(f, fmt, ap)); }
int dprintf(int fd, const char *restrict fmt, ...) { VARIADIC(vdprintf(fd, fmt, ap)); }
int sprintf(char *restrict buf, const char *restrict fmt, ...) { VARIADIC(vsprintf(buf, fmt, ap)); }
int snprintf(char *restrict buf, size_t n, const char *restrict fmt, ...) { VARIADIC(vsnprintf(buf, n, fmt, ap)); }
