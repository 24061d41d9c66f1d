/* Memory system calls, facts only (no addresses): fresh anonymous memory
 * reads zero, hints and MAP_FIXED are honoured, MAP_FIXED_NOREPLACE refuses
 * to clobber, PROT_NONE then mprotect works, partial munmap/mprotect split
 * a mapping, MADV_DONTNEED re-zeroes private pages, brk grows and shrinks. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PAGE 4096
#define RW (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)

static int all_zero(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return 0;
    return 1;
}

static const char *yes(int c) { return c ? "yes" : "no"; }

int main(void)
{
    unsigned char *a = mmap(0, 16 * PAGE, RW, ANON, -1, 0);
    printf("mmap anon: %s\n", yes(a != MAP_FAILED));
    printf("fresh pages read zero: %s\n", yes(all_zero(a, 16 * PAGE)));
    printf("page aligned: %s\n", yes(((uintptr_t)a & (PAGE - 1)) == 0));
    memset(a, 0xab, 16 * PAGE);

    /* Partial munmap in the middle splits the mapping; the rest stays. */
    printf("munmap middle: %s\n", yes(munmap(a + 4 * PAGE, 2 * PAGE) == 0));
    printf("head and tail intact: %s\n", yes(a[0] == 0xab && a[15 * PAGE] == 0xab && a[3 * PAGE + 4095] == 0xab));

    /* The hole can be mapped again at exactly that address. */
    unsigned char *h = mmap(a + 4 * PAGE, 2 * PAGE, RW, ANON | MAP_FIXED_NOREPLACE, -1, 0);
    printf("FIXED_NOREPLACE into the hole: %s\n", yes(h == a + 4 * PAGE));
    printf("hole is fresh zero memory: %s\n", yes(all_zero(h, 2 * PAGE)));
    errno = 0;
    void *clash = mmap(a, PAGE, RW, ANON | MAP_FIXED_NOREPLACE, -1, 0);
    printf("FIXED_NOREPLACE over a mapping: %s errno=%s\n", clash == MAP_FAILED ? "failed" : "mapped",
           errno == EEXIST ? "EEXIST" : "other");

    /* MAP_FIXED replaces what was there with zero pages. */
    unsigned char *f = mmap(a + 8 * PAGE, PAGE, RW, ANON | MAP_FIXED, -1, 0);
    printf("MAP_FIXED replaces: %s, zeroed: %s, neighbours kept: %s\n", yes(f == a + 8 * PAGE), yes(all_zero(f, PAGE)),
           yes(a[7 * PAGE] == 0xab && a[9 * PAGE] == 0xab));

    /* A free hint is honoured. */
    munmap(a, 16 * PAGE);
    unsigned char *hinted = mmap(a, 2 * PAGE, RW, ANON, -1, 0);
    printf("free hint honoured: %s\n", yes(hinted == a));
    munmap(hinted, 2 * PAGE);

    /* PROT_NONE, then mprotect to read/write keeps zero pages usable. */
    unsigned char *n = mmap(0, 4 * PAGE, PROT_NONE, ANON, -1, 0);
    printf("PROT_NONE mapping: %s\n", yes(n != MAP_FAILED));
    printf("mprotect RW: %s\n", yes(mprotect(n, 4 * PAGE, RW) == 0));
    n[0] = 1;
    n[4 * PAGE - 1] = 2;
    printf("usable after mprotect: %s\n", yes(n[0] == 1 && n[4 * PAGE - 1] == 2));
    /* mprotect of the middle splits; data survives a round trip. */
    printf("mprotect middle read-only: %s\n", yes(mprotect(n + PAGE, PAGE, PROT_READ) == 0));
    printf("mprotect back: %s, data kept: %s\n", yes(mprotect(n + PAGE, PAGE, RW) == 0), yes(n[0] == 1));

    /* MADV_DONTNEED: private anonymous pages read back as zero. */
    memset(n, 0x5a, 4 * PAGE);
    printf("madvise DONTNEED: %s\n", yes(madvise(n, 4 * PAGE, MADV_DONTNEED) == 0));
    printf("zero after DONTNEED: %s\n", yes(all_zero(n, 4 * PAGE)));
    munmap(n, 4 * PAGE);

    /* brk: grow, use, shrink. */
    uintptr_t b0 = (uintptr_t)syscall(SYS_brk, 0);
    uintptr_t b1 = (uintptr_t)syscall(SYS_brk, b0 + 64 * 1024);
    printf("brk grows: %s\n", yes(b1 == b0 + 64 * 1024));
    memset((void *)b0, 0x11, 64 * 1024);
    printf("brk memory usable: %s\n", yes(((unsigned char *)b0)[64 * 1024 - 1] == 0x11));
    uintptr_t b2 = (uintptr_t)syscall(SYS_brk, b0 + 4096);
    printf("brk shrinks: %s\n", yes(b2 == b0 + 4096));
    uintptr_t b3 = (uintptr_t)syscall(SYS_brk, b0 - 1 - (1UL << 40));
    printf("brk below start refused: %s\n", yes(b3 == b2));

    /* Large mappings are lazily populated: 256 MiB of address space is fine. */
    unsigned char *big = mmap(0, 256UL << 20, RW, ANON | MAP_NORESERVE, -1, 0);
    printf("256 MiB reservation: %s\n", yes(big != MAP_FAILED));
    if (big != MAP_FAILED) {
        big[0] = 1;
        big[(256UL << 20) - 1] = 2;
        printf("touch both ends: %s\n", yes(big[0] == 1 && big[(256UL << 20) - 1] == 2));
        munmap(big, 256UL << 20);
    }
    return 0;
}
