/* Internals shared by the stdio objects in this directory: the stream
 * record and its lock, buffered output, and the formatting engine's sink
 * (where printf's bytes go) with the pieces the floating-point formatter
 * uses. */
#ifndef GUEST_LIBC_STDIO_IMPL_H
#define GUEST_LIBC_STDIO_IMPL_H
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include "internal.h"

/* Bytes kept free before the read area, for ungetc. */
#define UNGET 8

/* A stream is reading (rend != 0: unread bytes are buf[rpos..rend), the
 * read area starting at UNGET), writing (len pending bytes at buf[0..len))
 * or neither, never both: switching direction writes out what is pending,
 * or gives the unread bytes back to the file by seeking over them. */
struct __file {
    int lock;   /* 0 free, 1 held, 2 held with sleepers (futex word) */
    int count;  /* recursion depth of the owner */
    void *owner;
    int fd;
    int mode;   /* _IOFBF, _IOLBF or _IONBF */
    int flags;  /* F_NORD, F_NOWR, F_APPEND, F_STATIC */
    int error, eof;
    char *buf;  /* ibuf, or the caller's from setvbuf */
    size_t cap;
    size_t rpos, rend;
    size_t len;
    struct __file *prev, *next; /* open streams but the standard three */
    char ibuf[UNGET + BUFSIZ];
};

#define F_NORD 1   /* not open for reading */
#define F_NOWR 2   /* not open for writing */
#define F_APPEND 4 /* every write goes to the end ("a" modes) */
#define F_STATIC 8 /* stdin, stdout, stderr: never freed */

/* Writes all n bytes to fd (retrying on EINTR); -1 on error. */
hidden int __stdio_write_all(int fd, const char *p, size_t n);
/* Each stream's lock is recursive, owned by the thread's TCB, so that one
 * call's output is never interleaved with another thread's. */
hidden void __lock_file(FILE *f);
hidden void __unlock_file(FILE *f);
/* With the lock held: writes out the buffer (EOF on error). */
hidden int __fflush_unlocked(FILE *f);
/* With the lock held: n bytes through the stream's buffering mode; how
 * many it took (n unless an error was set). */
hidden size_t __stdio_write(FILE *f, const char *p, size_t n);
/* The same, 0 or -1 for all or not. */
hidden int __stdio_out(FILE *f, const char *p, size_t n);
/* With the lock held: gets the stream ready to read, refills the read
 * area when it is empty. 0, or EOF at the end of the file or on error
 * (the stream's flags say which). */
hidden int __stdio_to_read(FILE *f);
hidden int __stdio_refill(FILE *f);
/* With the lock held: gives back unread bytes to the file (as fflush
 * does for an input stream); EOF if the seek fails but for ESPIPE. */
hidden int __stdio_sync_read(FILE *f);
/* The open flags and stream flags of a mode string; 0 and EINVAL for a
 * mode that is none. */
hidden int __stdio_mode(const char *mode, int *oflags);
/* A stream over fd (from fopen, fdopen, tmpfile) on the list of open
 * streams; null and ENOMEM. */
hidden FILE *__stdio_new(int fd, int flags);

/* ---- the formatting engine (vfprintf.c) ---- */

struct sink {
    FILE *f;         /* stream, or */
    char *buf;       /* string buffer */
    size_t cap, len; /* len counts every byte produced */
    int fd;          /* or fd (dprintf), when >= 0 */
    char tmp[256];
    size_t tlen;
};

enum { F_MINUS = 1, F_PLUS = 2, F_SPACE = 4, F_ZERO = 8, F_ALT = 16 };

/* Formats into the sink; returns the count of bytes produced. */
hidden int __format(struct sink *s, const char *fmt, va_list ap);
hidden void __sink_flush_fd(struct sink *s);
hidden void __emit(struct sink *s, const char *p, size_t n);
hidden void __pad(struct sink *s, char c, int n);
/* %f %F %e %E %g %G %a %A (printf_fp.c). */
hidden void __format_double(struct sink *s, double v, int conv, int flags, int width, int prec);

/* Writes v's digits in `base` ending just before `end`; returns how many. */
static inline int utoa(char *end, unsigned long long v, int base, int upper)
{
    const char *d = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    int n = 0;
    do {
        *--end = d[v % (unsigned)base];
        v /= (unsigned)base;
        n++;
    } while (v);
    return n;
}
#endif
