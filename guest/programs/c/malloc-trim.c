/* free() gives memory back to the kernel: mid-size blocks (here 48 KiB,
 * from guest-libc's 64 KiB class) drop their pages, large ones (256 KiB)
 * are unmapped.
 *
 * Observed the same way natively and in the guest: a private anonymous
 * page that was given back reads as zero when touched again, and an
 * unmapped range makes madvise fail with ENOMEM. (Reading a freed block
 * is not something a program may do; this one tests its own allocator.)
 * Around the frees the program asks the guest kernel for statistics
 * snapshots (threadlab's own system call, ENOSYS natively), so the test
 * can see the frames come back; natively mincore counts resident pages
 * (printed on stderr, as the guest kernel has no mincore). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <threadlab.h>
#include <unistd.h>

#define N 64
#define MID (48 * 1024)
#define BIG (256 * 1024)
#define PAGE 4096UL

/* The whole pages of a block after its first page: what free may drop. */
static uintptr_t inner_lo(uintptr_t p) { return (p + PAGE + PAGE - 1) & ~(PAGE - 1); }
static uintptr_t inner_hi(uintptr_t p) { return (p + MID) & ~(PAGE - 1); }

static int all_zero(uintptr_t lo, uintptr_t hi)
{
    for (const volatile char *c = (const char *)lo; (uintptr_t)c < hi; c++)
        if (*c)
            return 0;
    return 1;
}

int main(void)
{
    uintptr_t blocks[N];
    int got = 0;
    for (int i = 0; i < N; i++) {
        char *p = malloc(MID);
        if (!p)
            break;
        memset(p, 0xab, MID);
        blocks[got++] = (uintptr_t)p;
    }
    printf("allocated and filled %d blocks of %d KiB\n", got, MID / 1024);
    syscall(SYS_THREADLAB_STATS, 1);
    for (int i = 0; i < got; i++)
        free((void *)blocks[i]);
    syscall(SYS_THREADLAB_STATS, 2);

    long resident = 0, pages = 0;
    int mincore_works = 1;
    for (int i = 0; i < got; i++) {
        uintptr_t lo = inner_lo(blocks[i]), hi = inner_hi(blocks[i]);
        unsigned char vec[MID / PAGE];
        if (syscall(SYS_mincore, lo, hi - lo, vec) != 0) {
            mincore_works = 0;
            break;
        }
        for (uintptr_t k = 0; k < (hi - lo) / PAGE; k++)
            resident += vec[k] & 1;
        pages += (long)((hi - lo) / PAGE);
    }
    if (mincore_works)
        fprintf(stderr, "mincore: %ld of %ld freed pages still resident\n", resident, pages);

    int zeroed = 0;
    for (int i = 0; i < got; i++)
        zeroed += all_zero(inner_lo(blocks[i]), inner_hi(blocks[i]));
    printf("freed blocks whose pages went back to the kernel (read back as zero): %d of %d\n", zeroed, got);

    /* The blocks are reused, and work like new ones. */
    uintptr_t freed[N];
    memcpy(freed, blocks, sizeof(freed));
    int same = 0, usable = 0;
    for (int i = 0; i < got; i++) {
        char *p = malloc(MID);
        for (int j = 0; j < got; j++)
            same += (uintptr_t)p == freed[j];
        memset(p, i, MID);
        usable += p[0] == (char)i && p[MID - 1] == (char)i;
        blocks[i] = (uintptr_t)p;
    }
    printf("allocated again: %d reuse a freed block, %d usable\n", same, usable);
    for (int i = 0; i < got; i++)
        free((void *)blocks[i]);

    char *big = malloc(BIG);
    memset(big, 1, BIG);
    uintptr_t page = (uintptr_t)big & ~(PAGE - 1);
    int before = madvise((void *)page, BIG, MADV_NORMAL);
    free(big);
    int after = madvise((void *)page, BIG, MADV_NORMAL);
    printf("a %d KiB block is mapped while in use: %s, unmapped after free: %s\n", BIG / 1024,
           before == 0 ? "yes" : "no", after == -1 && errno == ENOMEM ? "yes" : "no");
    return 0;
}
