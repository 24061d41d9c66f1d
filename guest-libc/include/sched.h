#ifndef _SCHED_H
#define _SCHED_H
#include <features.h>
#include <stdint.h>
#include <bits/clone.h>
__BEGIN_DECLS
int sched_yield(void);

/* clone3's argument, versions 0 (64 bytes), 1 (80) and 2 (88). */
struct clone_args {
    uint64_t flags;
    uint64_t pidfd;
    uint64_t child_tid;
    uint64_t parent_tid;
    uint64_t exit_signal;
    uint64_t stack;
    uint64_t stack_size;
    uint64_t tls;
    uint64_t set_tid;
    uint64_t set_tid_size;
    uint64_t cgroup;
};
__END_DECLS
#endif
