/* Mutex and condition-variable stress: T threads each add 1 to a
 * shared counter N times under a mutex, and a bounded queue passes items
 * from P producers to P consumers through two condition variables. The
 * totals must be exact; a lost update or a lost wakeup shows as a wrong
 * number (or a hang, which the test's timeout turns into a failure).
 *
 *   pthread-stress [T [N [P [ITEMS]]]]     defaults 64 10000 4 500
 *
 * The output is the same natively and in the guest. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static long iterations;
static pthread_mutex_t counter_lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;
/* Bumped without the lock by nobody else: checks that the mutex also
 * orders plain (non-atomic) read-modify-writes of more than one word. */
static long shadow[2];

/* All adders start together, so they really contend. */
static pthread_barrier_t start;

static void *add(void *arg)
{
    (void)arg;
    pthread_barrier_wait(&start);
    for (long i = 0; i < iterations; i++) {
        pthread_mutex_lock(&counter_lock);
        long v = counter;
        shadow[0]++;
        counter = v + 1;
        shadow[1]++;
        pthread_mutex_unlock(&counter_lock);
    }
    return 0;
}

/* Bounded queue: producers wait for room, consumers for items. */
#define QCAP 8
static pthread_mutex_t q_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t q_room = PTHREAD_COND_INITIALIZER, q_items = PTHREAD_COND_INITIALIZER;
static long q_buf[QCAP];
static int q_head, q_len, q_producers_left;
static long per_producer;

static void *producer(void *arg)
{
    long base = (long)(intptr_t)arg * per_producer;
    for (long i = 1; i <= per_producer; i++) {
        pthread_mutex_lock(&q_lock);
        while (q_len == QCAP)
            pthread_cond_wait(&q_room, &q_lock);
        q_buf[(q_head + q_len) % QCAP] = base + i;
        q_len++;
        pthread_cond_signal(&q_items);
        pthread_mutex_unlock(&q_lock);
    }
    pthread_mutex_lock(&q_lock);
    if (--q_producers_left == 0)
        pthread_cond_broadcast(&q_items);
    pthread_mutex_unlock(&q_lock);
    return 0;
}

struct consumed {
    long count, sum;
};

static void *consumer(void *arg)
{
    struct consumed *c = arg;
    pthread_mutex_lock(&q_lock);
    for (;;) {
        while (q_len == 0 && q_producers_left > 0)
            pthread_cond_wait(&q_items, &q_lock);
        if (q_len == 0)
            break;
        long v = q_buf[q_head];
        q_head = (q_head + 1) % QCAP;
        q_len--;
        pthread_cond_signal(&q_room);
        c->count++;
        c->sum += v;
    }
    pthread_mutex_unlock(&q_lock);
    return 0;
}

int main(int argc, char **argv)
{
    int threads = argc > 1 ? atoi(argv[1]) : 64;
    iterations = argc > 2 ? atol(argv[2]) : 10000;
    int pairs = argc > 3 ? atoi(argv[3]) : 4;
    per_producer = argc > 4 ? atol(argv[4]) : 500;
    if (threads < 1 || pairs < 1)
        return 2;

    pthread_t *t = calloc((size_t)(threads > 2 * pairs ? threads : 2 * pairs), sizeof(pthread_t));
    pthread_barrier_init(&start, 0, (unsigned)threads);
    int created = 0;
    for (int i = 0; i < threads; i++)
        created += pthread_create(&t[i], 0, add, 0) == 0;
    for (int i = 0; i < created; i++)
        pthread_join(t[i], 0);
    printf("mutex: %d threads x %ld increments: counter %ld (expected %ld), shadow %ld %ld\n", created, iterations,
           counter, (long)threads * iterations, shadow[0], shadow[1]);

    struct consumed *c = calloc((size_t)pairs, sizeof(*c));
    q_producers_left = pairs;
    for (int i = 0; i < pairs; i++)
        pthread_create(&t[i], 0, consumer, &c[i]);
    for (int i = 0; i < pairs; i++)
        pthread_create(&t[pairs + i], 0, producer, (void *)(intptr_t)i);
    for (int i = 0; i < 2 * pairs; i++)
        pthread_join(t[i], 0);
    long count = 0, sum = 0;
    for (int i = 0; i < pairs; i++) {
        count += c[i].count;
        sum += c[i].sum;
    }
    long n = (long)pairs * per_producer;
    printf("cond: %d producers, %d consumers: %ld items consumed (expected %ld), sum %s\n", pairs, pairs, count, n,
           sum == n * (n + 1) / 2 ? "exact" : "WRONG");
    return 0;
}
