/* Thread cancellation as a C library we did not write implements it
 * (glibc, and musl when built as cancel-musl): deferred cancellation at
 * the cancellation points nanosleep, pthread_cond_wait and pthread_join,
 * asynchronous cancellation of a thread spinning in user mode, disabled
 * cancellation taking effect at pthread_testcancel, and the cleanup
 * handlers and thread-specific destructors a cancelled thread runs. Both
 * libraries deliver the cancellation with a signal, so this is a signals
 * test of the kernel as much as a threads test. One normalized line per
 * case. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CASE(name, ...)                  \
    do {                                 \
        printf("%s: ", name);            \
        printf(__VA_ARGS__);             \
        printf("\n");                    \
    } while (0)

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* Cleanup handlers append their tag here, in the order they run. */
static char trail[64];
static void note(void *tag)
{
    strcat(trail, (const char *)tag);
}

static volatile int started;

static void wait_started(void)
{
    while (!started)
        sleep_ms(1);
}

static const char *joined(void *v)
{
    return v == PTHREAD_CANCELED ? "PTHREAD_CANCELED" : "a value";
}

/* ---- deferred, at nanosleep ---- */

static void *in_nanosleep(void *a)
{
    (void)a;
    pthread_cleanup_push(note, "a");
    pthread_cleanup_push(note, "b");
    started = 1;
    struct timespec ts = {30, 0};
    nanosleep(&ts, NULL);
    pthread_cleanup_pop(0);
    pthread_cleanup_pop(0);
    return (void *)1;
}

static void case_nanosleep(void)
{
    trail[0] = 0;
    started = 0;
    pthread_t t;
    pthread_create(&t, NULL, in_nanosleep, NULL);
    wait_started();
    int r = pthread_cancel(t);
    void *v;
    int j = pthread_join(t, &v);
    CASE("deferred-at-nanosleep", "cancel=%d join=%d result=%s cleanup=%s", r, j, joined(v), trail);
}

/* ---- deferred, at pthread_cond_wait ---- */

static pthread_mutex_t mu;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int unlock_in_cleanup = -1;

static void unlock_mu(void *a)
{
    (void)a;
    /* An error-checking mutex: 0 only if this thread holds it, which it
     * must again when a cancelled pthread_cond_wait runs the cleanup. */
    unlock_in_cleanup = pthread_mutex_unlock(&mu);
    note("m");
}

static void *in_cond_wait(void *a)
{
    (void)a;
    pthread_mutex_lock(&mu);
    pthread_cleanup_push(unlock_mu, NULL);
    started = 1;
    for (;;)
        pthread_cond_wait(&cv, &mu);
    pthread_cleanup_pop(1);
    return NULL;
}

static void case_cond_wait(void)
{
    pthread_mutexattr_t ma;
    pthread_mutexattr_init(&ma);
    pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_ERRORCHECK);
    pthread_mutex_init(&mu, &ma);
    trail[0] = 0;
    started = 0;
    pthread_t t;
    pthread_create(&t, NULL, in_cond_wait, NULL);
    wait_started();
    /* Once main holds the mutex, the waiter is inside pthread_cond_wait. */
    pthread_mutex_lock(&mu);
    int r = pthread_cancel(t);
    pthread_mutex_unlock(&mu);
    void *v;
    int j = pthread_join(t, &v);
    int relock = pthread_mutex_trylock(&mu);
    if (relock == 0)
        pthread_mutex_unlock(&mu);
    CASE("deferred-at-cond-wait", "cancel=%d join=%d result=%s cleanup=%s mutex-held-in-cleanup=%d free-after=%d",
         r, j, joined(v), trail, unlock_in_cleanup == 0, relock == 0);
    pthread_mutex_destroy(&mu);
    pthread_mutexattr_destroy(&ma);
}

/* ---- deferred, at pthread_join ---- */

static volatile int release;
static void *idle(void *a)
{
    (void)a;
    while (!release)
        sleep_ms(1);
    return (void *)5;
}

static pthread_t join_target;
static void *in_join(void *a)
{
    (void)a;
    pthread_cleanup_push(note, "j");
    started = 1;
    pthread_join(join_target, NULL);
    pthread_cleanup_pop(0);
    return NULL;
}

static void case_join(void)
{
    trail[0] = 0;
    started = 0;
    release = 0;
    pthread_t t;
    pthread_create(&join_target, NULL, idle, NULL);
    pthread_create(&t, NULL, in_join, NULL);
    wait_started();
    sleep_ms(5);
    int r = pthread_cancel(t);
    void *v, *w;
    int j = pthread_join(t, &v);
    release = 1;
    /* The cancelled join did not consume the target: it can be joined. */
    int j2 = pthread_join(join_target, &w);
    CASE("deferred-at-join", "cancel=%d join=%d result=%s cleanup=%s target-joinable=%d target-value=%ld", r, j,
         joined(v), trail, j2 == 0, (long)w);
}

/* ---- asynchronous, spinning in user mode ---- */

static volatile unsigned long spins;
static int old_type = -1;
static void *spinner(void *a)
{
    (void)a;
    pthread_setcanceltype(PTHREAD_CANCEL_ASYNCHRONOUS, &old_type);
    pthread_cleanup_push(note, "s");
    started = 1;
    for (;;)
        spins = spins + 1;
    pthread_cleanup_pop(0);
    return NULL;
}

static void case_async(void)
{
    trail[0] = 0;
    started = 0;
    pthread_t t;
    pthread_create(&t, NULL, spinner, NULL);
    wait_started();
    int r = pthread_cancel(t);
    void *v;
    int j = pthread_join(t, &v);
    CASE("asynchronous-while-spinning", "cancel=%d join=%d result=%s cleanup=%s old-type-deferred=%d", r, j,
         joined(v), trail, old_type == PTHREAD_CANCEL_DEFERRED);
}

/* ---- disabled, then enabled at pthread_testcancel ---- */

static volatile int go;
static int survived_sleep, old_state = -1;
static void *disabled(void *a)
{
    (void)a;
    pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old_state);
    pthread_cleanup_push(note, "d");
    started = 1;
    while (!go)
        sleep_ms(1);
    /* nanosleep is a cancellation point, but cancellation is disabled. */
    sleep_ms(5);
    survived_sleep = 1;
    int ignored;
    pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, &ignored);
    pthread_testcancel();
    survived_sleep = 2;
    pthread_cleanup_pop(0);
    return NULL;
}

static void case_disabled(void)
{
    trail[0] = 0;
    started = 0;
    go = 0;
    pthread_t t;
    pthread_create(&t, NULL, disabled, NULL);
    wait_started();
    int r = pthread_cancel(t);
    go = 1;
    void *v;
    int j = pthread_join(t, &v);
    CASE("disabled-then-testcancel", "cancel=%d join=%d result=%s cleanup=%s reached=%d old-state-enabled=%d", r, j,
         joined(v), trail, survived_sleep, old_state == PTHREAD_CANCEL_ENABLE);
}

/* ---- cleanup order, pop with and without running, destructors ---- */

static pthread_key_t key;
static int destructor_ran;
static void destructor(void *v)
{
    destructor_ran = v == (void *)&key;
    note("k");
}

static void *nested(void *a)
{
    (void)a;
    pthread_setspecific(key, &key);
    pthread_cleanup_push(note, "1");
    pthread_cleanup_push(note, "2");
    pthread_cleanup_push(note, "x");
    pthread_cleanup_pop(1);
    pthread_cleanup_push(note, "y");
    pthread_cleanup_pop(0);
    pthread_cleanup_push(note, "3");
    started = 1;
    for (;;)
        sleep_ms(10);
    pthread_cleanup_pop(0);
    pthread_cleanup_pop(0);
    pthread_cleanup_pop(0);
    return NULL;
}

static void case_order(void)
{
    trail[0] = 0;
    started = 0;
    pthread_key_create(&key, destructor);
    pthread_t t;
    pthread_create(&t, NULL, nested, NULL);
    wait_started();
    pthread_cancel(t);
    void *v;
    pthread_join(t, &v);
    CASE("cleanup-order-and-destructors", "result=%s trail=%s destructor-saw-value=%d", joined(v), trail,
         destructor_ran);
    pthread_key_delete(key);
}

/* ---- cancelling oneself, and a thread that already ended ---- */

static void *self_cancel(void *a)
{
    (void)a;
    pthread_cleanup_push(note, "c");
    pthread_cancel(pthread_self());
    note("-");
    pthread_testcancel();
    note("!");
    pthread_cleanup_pop(0);
    return NULL;
}

static void *quick(void *a)
{
    return a;
}

static void case_misc(void)
{
    trail[0] = 0;
    pthread_t t;
    pthread_create(&t, NULL, self_cancel, NULL);
    void *v;
    pthread_join(t, &v);
    CASE("cancel-self-deferred", "result=%s trail=%s", joined(v), trail);

    pthread_create(&t, NULL, quick, (void *)9);
    sleep_ms(10);
    int r = pthread_cancel(t);
    pthread_join(t, &v);
    CASE("cancel-after-exit", "cancel=%d value=%ld", r, (long)v);

    int prev;
    int bad = pthread_setcanceltype(12345, &prev);
    int bad2 = pthread_setcancelstate(12345, &prev);
    CASE("bad-type-and-state", "type=%s state=%s", bad == EINVAL ? "EINVAL" : "other",
         bad2 == EINVAL ? "EINVAL" : "other");
}

int main(void)
{
    /* Line by line even into a pipe, so a run that dies part-way shows
     * the cases up to the one it died in. */
    setvbuf(stdout, NULL, _IOLBF, 0);
    case_nanosleep();
    case_cond_wait();
    case_join();
    case_async();
    case_disabled();
    case_order();
    case_misc();
    return 0;
}
