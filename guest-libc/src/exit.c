/* exit, atexit, _exit, abort. */
#include <signal.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "internal.h"

#define ATEXIT_MAX 64
static void (*handlers[ATEXIT_MAX])(void);
static int nhandlers;

int atexit(void (*fn)(void))
{
    if (nhandlers == ATEXIT_MAX)
        return -1;
    handlers[nhandlers++] = fn;
    return 0;
}

void _exit(int status)
{
    for (;;)
        __syscall1(SYS_exit_group, status);
}

void _Exit(int status)
{
    _exit(status);
}

void exit(int status)
{
    while (nhandlers > 0)
        handlers[--nhandlers]();
    __stdio_flush_all();
    _exit(status);
}

void abort(void)
{
    __stdio_flush_all();
    raise(SIGABRT);
    /* No signal delivery (or SIGABRT ignored): still die like it. */
    _exit(128 + SIGABRT);
}
