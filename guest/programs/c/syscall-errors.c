/* System calls with bad arguments, made with raw syscall(): each line shows
 * the return value and errno, which must be what Linux gives. */
#include <asm/prctl.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

static const char *errname(int e)
{
    switch (e) {
    case 0: return "0";
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case EBADF: return "EBADF";
    case ENOMEM: return "ENOMEM";
    case EFAULT: return "EFAULT";
    case EEXIST: return "EEXIST";
    case EINVAL: return "EINVAL";
    case ENOSYS: return "ENOSYS";
    case ESPIPE: return "ESPIPE";
    default: return "other";
    }
}

static void show(const char *name, long ret)
{
    printf("%s: ret=%ld errno=%s\n", name, ret, errname(ret == -1 ? errno : 0));
}

#define CALL(name, ...)              \
    do {                             \
        errno = 0;                   \
        long r = syscall(__VA_ARGS__); \
        show(name, r);               \
    } while (0)

int main(void)
{
    char buf[64] = "x";
    struct iovec iov = {buf, 1};
    char *page = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *gone = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(gone, 4096);

    CALL("write NULL", SYS_write, 1, 0, 5);
    CALL("write len 0", SYS_write, 1, buf, 0);
    CALL("write fd 99", SYS_write, 99, buf, 1);
    CALL("write fd -1", SYS_write, -1, buf, 1);
    CALL("read fd 99", SYS_read, 99, buf, 1);
    CALL("writev NULL iov", SYS_writev, 1, 0, 1);
    CALL("writev iovcnt -1", SYS_writev, 1, &iov, -1);
    CALL("writev iovcnt 1025", SYS_writev, 1, &iov, 1025);
    CALL("mmap len 0", SYS_mmap, 0, 0, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CALL("mmap no type", SYS_mmap, 0, 4096, PROT_READ | PROT_WRITE, MAP_ANONYMOUS, -1, 0);
    CALL("mmap fixed unaligned", SYS_mmap, 0x1001, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    CALL("mmap file fd -1", SYS_mmap, 0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, -1, 0);
    CALL("mmap offset unaligned", SYS_mmap, 0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 1);
    CALL("munmap unaligned", SYS_munmap, page + 1, 4096);
    CALL("munmap len 0", SYS_munmap, page, 0);
    CALL("mprotect unaligned", SYS_mprotect, page + 1, 4096, PROT_READ);
    CALL("mprotect unmapped", SYS_mprotect, gone, 4096, PROT_READ);
    CALL("madvise unaligned", SYS_madvise, page + 1, 4096, MADV_DONTNEED);
    CALL("madvise bad advice", SYS_madvise, page, 4096, 12345);
    CALL("arch_prctl bad code", SYS_arch_prctl, 0x9999, 0);
    CALL("arch_prctl GET_FS NULL", SYS_arch_prctl, ARCH_GET_FS, 0);
    CALL("uname NULL", SYS_uname, 0);
    struct timespec ts;
    CALL("clock_gettime bad clock", SYS_clock_gettime, 12345, &ts);
    CALL("clock_gettime NULL", SYS_clock_gettime, CLOCK_MONOTONIC, 0);
    CALL("getrandom bad flags", SYS_getrandom, buf, 16, 0xffff);
    CALL("getrandom NULL", SYS_getrandom, 0, 16, 0);
    CALL("syscall 1000", 1000);
    CALL("mmap FIXED_NOREPLACE over a mapping", SYS_mmap, page, 4096, PROT_READ | PROT_WRITE,
         MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    int word;
    long tid = syscall(SYS_set_tid_address, &word);
    printf("set_tid_address returns the tid: %s\n", tid == syscall(SYS_gettid) ? "yes" : "no");
    CALL("sched_yield", SYS_sched_yield);
    printf("getppid: %s\n", syscall(SYS_getppid) >= 0 ? "ok" : "failed");
    CALL("madvise unmapped", SYS_madvise, gone, 4096, MADV_DONTNEED);
    CALL("munmap unmapped", SYS_munmap, gone, 4096);
    printf("brk(0): %s\n", syscall(SYS_brk, 0) > 0 ? "ok" : "failed");
    CALL("getrandom 16", SYS_getrandom, buf, 16, 0);
    CALL("lseek stdout", SYS_lseek, 1, 0, SEEK_SET);
    return 0;
}
