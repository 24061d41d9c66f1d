/* Character, line and block input: unbuffered reads from the stream's
 * fd. */
#include <unistd.h>
#include "stdio_impl.h"

int fgetc(FILE *f)
{
    unsigned char c;
    if (f->eof)
        return EOF;
    ssize_t r = read(f->fd, &c, 1);
    if (r <= 0) {
        if (r < 0) f->error = 1;
        else f->eof = 1;
        return EOF;
    }
    return c;
}
int getc(FILE *f) { return fgetc(f); }
int getchar(void) { return fgetc(stdin); }

char *fgets(char *restrict str, int n, FILE *restrict f)
{
    int i = 0;
    while (i + 1 < n) {
        int c = fgetc(f);
        if (c == EOF)
            break;
        str[i++] = (char)c;
        if (c == '\n')
            break;
    }
    if (i == 0)
        return 0;
    str[i] = 0;
    return str;
}

size_t fread(void *restrict p, size_t size, size_t n, FILE *restrict f)
{
    size_t want = size * n, got = 0;
    while (got < want) {
        ssize_t r = read(f->fd, (char *)p + got, want - got);
        if (r <= 0) {
            if (r < 0) f->error = 1;
            else f->eof = 1;
            break;
        }
        got += (size_t)r;
    }
    return size ? got / size : 0;
}
