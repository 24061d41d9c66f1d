#ifndef _SEMAPHORE_H
#define _SEMAPHORE_H
#include <features.h>
#include <sys/types.h>
#include <bits/timespec.h>
__BEGIN_DECLS
/* 32 bytes like glibc's. The value is the futex word; waiters counts the
 * threads asleep in sem_wait, so sem_post makes a system call only when
 * somebody may be asleep. */
typedef union {
    struct {
        unsigned __value;
        unsigned __waiters;
        int __private; /* FUTEX_PRIVATE_FLAG, or 0 when shared */
    } __s;
    long __align[4];
} sem_t;
#ifndef SEM_VALUE_MAX
#define SEM_VALUE_MAX 0x7fffffff
#endif
#define SEM_FAILED ((sem_t *)0)
int sem_init(sem_t *sem, int pshared, unsigned value);
int sem_destroy(sem_t *sem);
int sem_post(sem_t *sem);
int sem_wait(sem_t *sem);
int sem_trywait(sem_t *sem);
int sem_timedwait(sem_t *sem, const struct timespec *abstime);
int sem_clockwait(sem_t *sem, clockid_t clk, const struct timespec *abstime);
int sem_getvalue(sem_t *sem, int *value);
__END_DECLS
#endif
