/* Character, string and block output on a stream, under its lock. */
#include <string.h>
#include "stdio_impl.h"

int fputs(const char *restrict str, FILE *restrict f)
{
    __lock_file(f);
    int r = __stdio_out(f, str, strlen(str)) ? EOF : 0;
    __unlock_file(f);
    return r;
}

int puts(const char *str)
{
    __lock_file(stdout);
    int r = (__stdio_out(stdout, str, strlen(str)) || __stdio_out(stdout, "\n", 1)) ? EOF : 0;
    __unlock_file(stdout);
    return r;
}

int fputc(int c, FILE *f)
{
    char ch = (char)c;
    __lock_file(f);
    int r = __stdio_out(f, &ch, 1) ? EOF : (unsigned char)c;
    __unlock_file(f);
    return r;
}
int putc(int c, FILE *f) { return fputc(c, f); }
int putchar(int c) { return fputc(c, stdout); }

/* Counts the items the stream took, whole ones only. */
size_t fwrite(const void *restrict p, size_t size, size_t n, FILE *restrict f)
{
    if (!size || !n)
        return 0;
    __lock_file(f);
    size_t r = __stdio_write(f, p, size * n) / size;
    __unlock_file(f);
    return r;
}
