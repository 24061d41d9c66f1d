/* POSIX threads through guest-libc's nptl-style implementation: identity,
 * join values, detach, TLS and errno per thread, mutexes (normal,
 * recursive, errorcheck), a condition variable, once, keys with
 * destructors, stack reuse from the cache, and pthread_exit from main. */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

static pid_t main_pid, main_ppid, main_tid;
static __thread int tls_value;

static void *identity(void *arg)
{
    (void)arg;
    int ok = getpid() == main_pid && getppid() == main_ppid && gettid() != main_tid && gettid() != getpid();
    return (void *)(intptr_t)ok;
}

static void *times_ten(void *arg) { return (void *)((intptr_t)arg * 10); }

static volatile int detached_ran;
static void *detached(void *arg)
{
    (void)arg;
    detached_ran = 1;
    return 0;
}

static void *tls_check(void *arg)
{
    int id = (int)(intptr_t)arg;
    tls_value = id;
    errno = 100 + id;
    for (int i = 0; i < 100; i++)
        sched_yield();
    return (void *)(intptr_t)(tls_value == id && errno == 100 + id);
}

static pthread_mutex_t counter_lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;
static void *count(void *arg)
{
    (void)arg;
    for (int i = 0; i < 2000; i++) {
        pthread_mutex_lock(&counter_lock);
        counter++;
        pthread_mutex_unlock(&counter_lock);
    }
    return 0;
}

static pthread_mutex_t q_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t q_cond = PTHREAD_COND_INITIALIZER;
static int q_items, q_done;
static long q_sum;
static void *consumer(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&q_lock);
    for (;;) {
        while (q_items == 0 && !q_done)
            pthread_cond_wait(&q_cond, &q_lock);
        if (q_items == 0 && q_done)
            break;
        q_sum += q_items--;
    }
    pthread_mutex_unlock(&q_lock);
    return 0;
}

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int once_runs;
static void once_init(void) { once_runs++; }
static void *call_once(void *arg)
{
    (void)arg;
    pthread_once(&once, once_init);
    return 0;
}

static pthread_key_t key;
static int destructor_calls;
static pthread_mutex_t destructor_lock = PTHREAD_MUTEX_INITIALIZER;
static void destructor(void *v)
{
    (void)v;
    pthread_mutex_lock(&destructor_lock);
    destructor_calls++;
    pthread_mutex_unlock(&destructor_lock);
}
static void *use_key(void *arg)
{
    pthread_setspecific(key, arg);
    return (void *)(intptr_t)(pthread_getspecific(key) == arg);
}

static void *stack_of(void *arg)
{
    (void)arg;
    pthread_attr_t a;
    void *addr;
    size_t size;
    pthread_getattr_np(pthread_self(), &a);
    pthread_attr_getstack(&a, &addr, &size);
    return addr;
}

static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static long rw_value, rw_bad;
static void *rw_reader(void *arg)
{
    (void)arg;
    for (int i = 0; i < 200; i++) {
        pthread_rwlock_rdlock(&rw);
        long v = rw_value;
        sched_yield();
        if (v != rw_value)
            rw_bad++;
        pthread_rwlock_unlock(&rw);
    }
    return 0;
}
static void *rw_writer(void *arg)
{
    (void)arg;
    for (int i = 0; i < 200; i++) {
        pthread_rwlock_wrlock(&rw);
        rw_value++;
        pthread_rwlock_unlock(&rw);
    }
    return 0;
}

static pthread_barrier_t barrier;
static void *at_barrier(void *arg)
{
    (void)arg;
    return (void *)(intptr_t)(pthread_barrier_wait(&barrier) == PTHREAD_BARRIER_SERIAL_THREAD);
}

static pthread_spinlock_t spin;
static long spin_counter;
static void *spin_count(void *arg)
{
    (void)arg;
    for (int i = 0; i < 1000; i++) {
        pthread_spin_lock(&spin);
        spin_counter++;
        pthread_spin_unlock(&spin);
    }
    return 0;
}

static void *outlives_main(void *arg)
{
    (void)arg;
    for (int i = 0; i < 200; i++)
        sched_yield();
    printf("a thread still ran after main called pthread_exit\n");
    return 0;
}

int main(void)
{
    main_pid = getpid();
    main_ppid = getppid();
    main_tid = gettid();
    pthread_t t[8];
    void *r;

    pthread_create(&t[0], 0, identity, 0);
    pthread_join(t[0], &r);
    printf("thread identity like Linux: %s\n", r ? "yes" : "no");

    for (intptr_t i = 0; i < 4; i++)
        pthread_create(&t[i], 0, times_ten, (void *)i);
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], &r);
        printf("join %d returned %ld\n", i, (long)(intptr_t)r);
    }

    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_t d;
    pthread_create(&d, &attr, detached, 0);
    while (!detached_ran)
        sched_yield();
    printf("detached thread ran: yes; join on it: %s\n", pthread_join(d, 0) == EINVAL ? "EINVAL" : "other");

    int all = 1;
    for (intptr_t i = 0; i < 4; i++)
        pthread_create(&t[i], 0, tls_check, (void *)(i + 1));
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], &r);
        all &= r != 0;
    }
    printf("TLS and errno private to each thread: %s\n", all ? "yes" : "no");

    for (int i = 0; i < 8; i++)
        pthread_create(&t[i], 0, count, 0);
    for (int i = 0; i < 8; i++)
        pthread_join(t[i], 0);
    printf("mutex-protected counter: %ld\n", counter);

    pthread_mutexattr_t ma;
    pthread_mutexattr_init(&ma);
    pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_t rm;
    pthread_mutex_init(&rm, &ma);
    int rec = pthread_mutex_lock(&rm) == 0 && pthread_mutex_lock(&rm) == 0 && pthread_mutex_unlock(&rm) == 0 &&
              pthread_mutex_unlock(&rm) == 0 && pthread_mutex_unlock(&rm) == EPERM;
    printf("recursive mutex: %s\n", rec ? "ok" : "wrong");
    pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_ERRORCHECK);
    pthread_mutex_t em;
    pthread_mutex_init(&em, &ma);
    pthread_mutex_lock(&em);
    printf("errorcheck relock: %s\n", pthread_mutex_lock(&em) == EDEADLK ? "EDEADLK" : "other");
    pthread_mutex_unlock(&em);

    pthread_t c;
    pthread_create(&c, 0, consumer, 0);
    long produced = 0;
    for (int i = 1; i <= 200; i++) {
        pthread_mutex_lock(&q_lock);
        q_items++;
        produced++;
        pthread_cond_signal(&q_cond);
        pthread_mutex_unlock(&q_lock);
    }
    pthread_mutex_lock(&q_lock);
    q_done = 1;
    pthread_cond_broadcast(&q_cond);
    pthread_mutex_unlock(&q_lock);
    pthread_join(c, 0);
    printf("condition variable: every item consumed: %s\n", q_items == 0 ? "yes" : "no");

    for (int i = 0; i < 8; i++)
        pthread_create(&t[i], 0, call_once, 0);
    for (int i = 0; i < 8; i++)
        pthread_join(t[i], 0);
    printf("pthread_once ran the routine %d time(s)\n", once_runs);

    pthread_key_create(&key, destructor);
    all = 1;
    for (intptr_t i = 0; i < 5; i++)
        pthread_create(&t[i], 0, use_key, (void *)(i + 1));
    for (int i = 0; i < 5; i++) {
        pthread_join(t[i], &r);
        all &= r != 0;
    }
    printf("keys: values private %s, destructors run %d\n", all ? "yes" : "no", destructor_calls);

    void *s1, *s2;
    pthread_create(&t[0], 0, stack_of, 0);
    pthread_join(t[0], &s1);
    pthread_create(&t[0], 0, stack_of, 0);
    pthread_join(t[0], &s2);
    printf("a joined thread's stack is reused from the cache: %s\n", s1 == s2 ? "yes" : "no");

    for (int i = 0; i < 4; i++)
        pthread_create(&t[i], 0, rw_reader, 0);
    for (int i = 4; i < 6; i++)
        pthread_create(&t[i], 0, rw_writer, 0);
    for (int i = 0; i < 6; i++)
        pthread_join(t[i], 0);
    printf("rwlock: writes %ld, readers saw a change under a read lock %ld time(s)\n", rw_value, rw_bad);

    pthread_barrier_init(&barrier, 0, 4);
    int serial = 0;
    for (int i = 0; i < 4; i++)
        pthread_create(&t[i], 0, at_barrier, 0);
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], &r);
        serial += r != 0;
    }
    printf("barrier: serial thread count %d\n", serial);

    pthread_spin_init(&spin, PTHREAD_PROCESS_PRIVATE);
    for (int i = 0; i < 4; i++)
        pthread_create(&t[i], 0, spin_count, 0);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], 0);
    printf("spinlock counter: %ld\n", spin_counter);

    pthread_t last;
    pthread_create(&last, 0, outlives_main, 0);
    fflush(stdout);
    pthread_exit(0);
}
