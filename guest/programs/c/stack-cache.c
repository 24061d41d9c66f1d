/* guest-libc's thread stack cache, observed from the program through the
 * library's exported counters (stack_cache_actsize, stack_cache_maxsize)
 * and the threads' own stack addresses (pthread_getattr_np):
 *
 * - a joined thread's stack is reused by the next thread of the same size;
 * - a cached stack exactly 4x the wanted size is reused, one more than 4x
 *   too big is not;
 * - the cache never holds more than its limit (set the limit with
 *   THREADLAB_STACK_CACHE_SIZE), and the stacks it lets go are unmapped;
 * - a stack the user supplies (pthread_attr_setstack) is never cached.
 *
 * Prints only facts that do not depend on addresses, so the output is the
 * same natively and in the guest. */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

/* guest-libc's nptl state (guest/abi/src/nptl.rs documents the layout). */
extern size_t stack_cache_actsize, stack_cache_maxsize;

#define KiB 1024UL

static size_t high_water;
static int over_limit;

/* After every change of the cache: it never holds more than its limit. */
static void check_limit(void)
{
    if (stack_cache_actsize > high_water)
        high_water = stack_cache_actsize;
    if (stack_cache_actsize > stack_cache_maxsize)
        over_limit++;
}

static pthread_barrier_t all_alive;
static int use_barrier;
/* The cache's size as the last thread saw it while running: tells whether
 * that thread's stack came out of the cache (an address alone would not:
 * mmap may hand out the same range again after a munmap). */
static size_t cache_while_running;

/* Returns the lowest usable address of the calling thread's stack. */
static void *stack_of(void *arg)
{
    (void)arg;
    pthread_attr_t a;
    void *addr;
    size_t size;
    pthread_getattr_np(pthread_self(), &a);
    pthread_attr_getstack(&a, &addr, &size);
    cache_while_running = stack_cache_actsize;
    if (use_barrier)
        pthread_barrier_wait(&all_alive);
    return addr;
}

/* Runs one thread with a stack of `size` bytes (or the given user stack)
 * to completion; returns its stack address. */
static void *run(size_t size, void *user_stack)
{
    pthread_attr_t a;
    pthread_attr_init(&a);
    if (user_stack)
        pthread_attr_setstack(&a, user_stack, size);
    else
        pthread_attr_setstacksize(&a, size);
    pthread_t t;
    void *addr = 0;
    if (pthread_create(&t, &a, stack_of, 0) != 0)
        return 0;
    pthread_join(t, &addr);
    check_limit();
    return addr;
}

static int mapped(void *addr, size_t len)
{
    return madvise(addr, len, MADV_NORMAL) == 0 ? 1 : errno == ENOMEM ? 0 : -1;
}

int main(void)
{
    printf("cache limit: %zu KiB, cached now: %zu KiB\n", stack_cache_maxsize / KiB, stack_cache_actsize / KiB);

    /* Same size: the second thread gets the first one's stack. */
    void *a1 = run(256 * KiB, 0);
    printf("after one 256 KiB thread the cache holds %zu KiB\n", stack_cache_actsize / KiB);
    size_t before = stack_cache_actsize;
    void *a2 = run(256 * KiB, 0);
    size_t during = cache_while_running;
    printf("same size reuses the joined thread's stack: %s (cache before: %zu KiB, while it ran: %zu KiB)\n",
           a1 && a1 == a2 && before == 256 * KiB && during == 0 ? "yes" : "no", before / KiB, during / KiB);

    /* The cache holds one 256 KiB stack: wanted 64 KiB (exactly 4x smaller)
     * takes it; wanted 60 KiB (more than 4x smaller) does not. */
    before = stack_cache_actsize;
    void *a3 = run(64 * KiB, 0);
    during = cache_while_running;
    printf("a cached stack exactly 4x the wanted size is reused: %s (cache before: %zu KiB, while it ran: %zu KiB)\n",
           a3 == a1 && before == 256 * KiB && during == 0 ? "yes" : "no", before / KiB, during / KiB);
    before = stack_cache_actsize;
    void *a4 = run(60 * KiB, 0);
    during = cache_while_running;
    printf("a cached stack more than 4x the wanted size is not reused: %s (cache before: %zu KiB, while it ran: %zu KiB)\n",
           a4 && a4 != a1 && before == 256 * KiB && during == 256 * KiB ? "yes" : "no", before / KiB, during / KiB);
    printf("cache now holds %zu KiB\n", stack_cache_actsize / KiB);

    /* Eight 256 KiB threads alive at once, then joined one by one: the
     * cache takes them until its limit and unmaps the oldest beyond it. */
    enum { N = 8 };
    pthread_t t[N];
    void *addr[N];
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 256 * KiB);
    pthread_barrier_init(&all_alive, 0, N);
    use_barrier = 1;
    int created = 0;
    for (int i = 0; i < N; i++)
        created += pthread_create(&t[i], &attr, stack_of, 0) == 0;
    for (int i = 0; i < created; i++) {
        pthread_join(t[i], &addr[i]);
        check_limit();
    }
    use_barrier = 0;
    int distinct = 1;
    for (int i = 0; i < created; i++)
        for (int j = 0; j < i; j++)
            distinct &= addr[i] != addr[j];
    int still_mapped = 0, bad = 0;
    for (int i = 0; i < created; i++) {
        int m = mapped(addr[i], 256 * KiB - 4096);
        if (m < 0)
            bad++;
        else
            still_mapped += m;
    }
    printf("%d threads at once had distinct stacks: %s\n", created, distinct ? "yes" : "no");
    printf("after joining them the cache holds %zu KiB; stacks still mapped: %d, unmapped: %d%s\n",
           stack_cache_actsize / KiB, still_mapped, created - still_mapped - bad, bad ? " (madvise failed)" : "");
    int kept = (int)(stack_cache_actsize / (256 * KiB));
    printf("every cached stack is mapped and every other one unmapped: %s\n", kept == still_mapped ? "yes" : "no");

    /* A user stack: used, never cached, never handed to another thread. */
    before = stack_cache_actsize;
    char *mine = mmap(0, 256 * KiB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    void *u = run(256 * KiB, mine);
    printf("a user stack runs the thread on it: %s\n", (char *)u >= mine && (char *)u < mine + 256 * KiB ? "yes" : "no");
    printf("a user stack is not added to the cache: %s\n", stack_cache_actsize == before ? "yes" : "no");
    int reused = 0;
    for (int i = 0; i < 6; i++) {
        char *s = run(256 * KiB, 0);
        reused |= s >= mine && s < mine + 256 * KiB;
    }
    printf("a user stack is never given to a later thread: %s\n", reused ? "no" : "yes");
    memset(mine, 1, 256 * KiB);
    printf("the user stack is still the user's (mapped, writable): %s\n", mapped(mine, 256 * KiB) == 1 ? "yes" : "no");

    printf("highest cache size seen: %zu KiB; above the limit: %d time(s)\n", high_water / KiB, over_limit);
    return 0;
}
