/* pthread_atfork's handlers, run by fork: prepare in reverse order of
 * registration, parent and child in order. */
#include <errno.h>
#include "pthread_impl.h"

#define ATFORK_MAX 64
static struct {
    void (*prepare)(void), (*parent)(void), (*child)(void);
} handlers[ATFORK_MAX];
static int nhandlers;
static int atfork_lock;

int pthread_atfork(void (*prepare)(void), void (*parent)(void), void (*child)(void))
{
    lll_lock(&atfork_lock);
    if (nhandlers == ATFORK_MAX) {
        lll_unlock(&atfork_lock);
        return ENOMEM;
    }
    handlers[nhandlers].prepare = prepare;
    handlers[nhandlers].parent = parent;
    handlers[nhandlers].child = child;
    nhandlers++;
    lll_unlock(&atfork_lock);
    return 0;
}

/* The lock is held from FORK_PREPARE to FORK_PARENT or FORK_CHILD, so
 * the list cannot change under a fork; the child starts with it held
 * (by the thread that forked, now its only thread) and lets go. Handlers
 * must not register handlers. */
void __run_fork_handlers(int phase)
{
    if (phase == FORK_PREPARE) {
        lll_lock(&atfork_lock);
        for (int i = nhandlers - 1; i >= 0; i--)
            if (handlers[i].prepare)
                handlers[i].prepare();
        return;
    }
    if (phase == FORK_CHILD)
        atfork_lock = 0;
    for (int i = 0; i < nhandlers; i++) {
        void (*fn)(void) = phase == FORK_PARENT ? handlers[i].parent : handlers[i].child;
        if (fn)
            fn();
    }
    if (phase == FORK_PARENT)
        lll_unlock(&atfork_lock);
}
