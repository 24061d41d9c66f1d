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

/* As glibc: a handler for SIGABRT runs first; if it returns (or the
 * signal is ignored or blocked), the action goes back to the default and
 * the signal is raised again, unblocked, so the process dies of it. */
void abort(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGABRT);
    sigprocmask(SIG_UNBLOCK, &set, 0);
    raise(SIGABRT);
    __stdio_flush_all();
    struct sigaction dfl = {.sa_handler = SIG_DFL};
    sigaction(SIGABRT, &dfl, 0);
    raise(SIGABRT);
    /* Not even the default action ended it: exit as a shell reports it. */
    _exit(128 + SIGABRT);
}
