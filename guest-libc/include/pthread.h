#ifndef _PTHREAD_H
#define _PTHREAD_H
#include <features.h>
#include <sched.h>
#include <stddef.h>
#include <time.h>
__BEGIN_DECLS
typedef unsigned long pthread_t;
typedef struct {
    size_t stacksize;
    size_t guardsize;
    void *stackaddr;
    int detachstate;
    int flags;
} pthread_attr_t;
typedef struct {
    int lock;     /* 0 free, 1 locked, 2 locked with waiters */
    int kind;
    int owner;    /* tid, for recursive and errorcheck */
    int count;
} pthread_mutex_t;
typedef struct {
    int kind;
} pthread_mutexattr_t;
typedef struct {
    int seq;      /* futex word: bumped by every signal and broadcast */
    int waiters;  /* threads in pthread_cond_wait: signal wakes only if any */
} pthread_cond_t;
typedef struct {
    int unused;
} pthread_condattr_t;
typedef int pthread_once_t;
typedef struct {
    int lock, readers, writer, seq;
} pthread_rwlock_t;
typedef struct {
    int unused;
} pthread_rwlockattr_t;
typedef struct {
    int lock, count, target, seq;
} pthread_barrier_t;
typedef struct {
    int unused;
} pthread_barrierattr_t;
typedef int pthread_spinlock_t;
#define PTHREAD_RWLOCK_INITIALIZER {0, 0, 0, 0}
#define PTHREAD_BARRIER_SERIAL_THREAD (-1)
#define PTHREAD_PROCESS_PRIVATE 0
typedef unsigned pthread_key_t;

#define PTHREAD_CREATE_JOINABLE 0
#define PTHREAD_CREATE_DETACHED 1
#define PTHREAD_MUTEX_NORMAL 0
#define PTHREAD_MUTEX_RECURSIVE 1
#define PTHREAD_MUTEX_ERRORCHECK 2
#define PTHREAD_MUTEX_DEFAULT PTHREAD_MUTEX_NORMAL
#define PTHREAD_MUTEX_INITIALIZER {0, 0, 0, 0}
#define PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP {0, PTHREAD_MUTEX_RECURSIVE, 0, 0}
#define PTHREAD_COND_INITIALIZER {0, 0}
#define PTHREAD_ONCE_INIT 0
#define PTHREAD_KEYS_MAX 128
#define PTHREAD_STACK_MIN 16384

int pthread_create(pthread_t *th, const pthread_attr_t *attr, void *(*fn)(void *), void *arg);
int pthread_join(pthread_t th, void **ret);
int pthread_detach(pthread_t th);
__noreturn void pthread_exit(void *ret);
pthread_t pthread_self(void);
int pthread_equal(pthread_t a, pthread_t b);

int pthread_attr_init(pthread_attr_t *a);
int pthread_attr_destroy(pthread_attr_t *a);
int pthread_attr_setstacksize(pthread_attr_t *a, size_t size);
int pthread_attr_getstacksize(const pthread_attr_t *a, size_t *size);
int pthread_attr_setguardsize(pthread_attr_t *a, size_t size);
int pthread_attr_getguardsize(const pthread_attr_t *a, size_t *size);
int pthread_attr_setdetachstate(pthread_attr_t *a, int state);
int pthread_attr_getdetachstate(const pthread_attr_t *a, int *state);
int pthread_attr_setstack(pthread_attr_t *a, void *addr, size_t size);
int pthread_attr_getstack(const pthread_attr_t *a, void **addr, size_t *size);
int pthread_getattr_np(pthread_t th, pthread_attr_t *a);

int pthread_mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *a);
int pthread_mutex_destroy(pthread_mutex_t *m);
int pthread_mutex_lock(pthread_mutex_t *m);
int pthread_mutex_trylock(pthread_mutex_t *m);
int pthread_mutex_unlock(pthread_mutex_t *m);
int pthread_mutexattr_init(pthread_mutexattr_t *a);
int pthread_mutexattr_destroy(pthread_mutexattr_t *a);
int pthread_mutexattr_settype(pthread_mutexattr_t *a, int kind);

int pthread_cond_init(pthread_cond_t *c, const pthread_condattr_t *a);
int pthread_cond_destroy(pthread_cond_t *c);
int pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m);
int pthread_cond_signal(pthread_cond_t *c);
int pthread_cond_broadcast(pthread_cond_t *c);

int pthread_rwlock_init(pthread_rwlock_t *l, const pthread_rwlockattr_t *a);
int pthread_rwlock_destroy(pthread_rwlock_t *l);
int pthread_rwlock_rdlock(pthread_rwlock_t *l);
int pthread_rwlock_wrlock(pthread_rwlock_t *l);
int pthread_rwlock_unlock(pthread_rwlock_t *l);
int pthread_barrier_init(pthread_barrier_t *b, const pthread_barrierattr_t *a, unsigned count);
int pthread_barrier_destroy(pthread_barrier_t *b);
int pthread_barrier_wait(pthread_barrier_t *b);
int pthread_spin_init(pthread_spinlock_t *s, int pshared);
int pthread_spin_destroy(pthread_spinlock_t *s);
int pthread_spin_lock(pthread_spinlock_t *s);
int pthread_spin_trylock(pthread_spinlock_t *s);
int pthread_spin_unlock(pthread_spinlock_t *s);

int pthread_once(pthread_once_t *o, void (*fn)(void));
int pthread_key_create(pthread_key_t *k, void (*destructor)(void *));
int pthread_key_delete(pthread_key_t k);
void *pthread_getspecific(pthread_key_t k);
int pthread_setspecific(pthread_key_t k, const void *v);
__END_DECLS
#endif
