/* The program tests/strace.rs traces natively (real strace -f) and in the
 * guest (vmm run --strace) and compares: the path calls (open flags and
 * modes, the *at calls' directories and flags, links, renames, access
 * modes, stat/statx/statfs records, utimensat's times, readlink and
 * getcwd buffers) and the descriptor calls (pread/pwrite, readv/preadv/
 * pwritev, lseek's whence, getdents64's entry count, close_range), with
 * their usual failures.
 *
 * Everything happens in the directory argv[1] names, which it creates and
 * removes: the test passes the same path to both runs, so the paths in
 * the two traces are the same. Only calls whose results do not depend on
 * the file system are made (no directory's size, no O_TMPFILE); what
 * statx and statfs report of the file system itself the test leaves out
 * of the comparison. Ids are only ever -1 (unchanged), which succeeds for
 * anyone. */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

/* Linux's values where guest-libc's headers have none. */
#ifndef O_SYNC
#define O_SYNC 04010000
#endif
#ifndef O_PATH
#define O_PATH 010000000
#endif
#ifndef AT_REMOVEDIR
#define AT_REMOVEDIR 0x200
#endif
#ifndef AT_SYMLINK_FOLLOW
#define AT_SYMLINK_FOLLOW 0x400
#endif
#ifndef AT_EACCESS
#define AT_EACCESS 0x200
#endif
#ifndef R_OK
#define R_OK 4
#define W_OK 2
#define X_OK 1
#define F_OK 0
#endif
#define RENAME_NOREPLACE 1
#define RENAME_EXCHANGE 2
#ifndef UTIME_NOW
#define UTIME_NOW ((1L << 30) - 1)
#define UTIME_OMIT ((1L << 30) - 2)
#endif
#define STATX_BASIC_STATS 0x7ffU
#define STATX_TYPE 0x1U
#define STATX_SIZE 0x200U
#define AT_STATX_FORCE_SYNC 0x2000
#define AT_STATX_DONT_SYNC 0x4000
#define CLOSE_RANGE_CLOEXEC 4

/* Large enough for struct statx (256 bytes) and struct statfs (120). */
static unsigned long record[64];

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "/tmp/strace-files";
    char buf[256];
    struct stat st;

    syscall(SYS_umask, 022);
    syscall(SYS_mkdir, dir, 0755);
    syscall(SYS_mkdir, dir, 0755);
    syscall(SYS_chdir, dir);

    /* open and openat: the mode only with O_CREAT. */
    long fd = syscall(SYS_openat, AT_FDCWD, "f", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    syscall(SYS_write, fd, "hello world\n", 12);
    syscall(SYS_fsync, fd);
    syscall(SYS_fdatasync, fd);
    syscall(SYS_close, fd);
    long rd = syscall(SYS_open, "f", O_RDONLY | O_CLOEXEC, 0777);
    long rw = syscall(SYS_open, "f", O_RDWR | O_SYNC);
    long ap = syscall(SYS_open, "f", O_WRONLY | O_APPEND | O_DSYNC | O_NOATIME | O_NONBLOCK);
    syscall(SYS_close, ap);
    syscall(SYS_open, "f", O_WRONLY | O_CREAT | O_EXCL, 04755);
    syscall(SYS_open, "f", O_RDONLY | 0x50000000);
    long d = syscall(SYS_open, ".", O_RDONLY | O_DIRECTORY);
    long p = syscall(SYS_openat, AT_FDCWD, ".", O_PATH | O_DIRECTORY | O_NOFOLLOW);
    syscall(SYS_close, p);
    syscall(SYS_openat, rd, "x", O_RDONLY);
    syscall(SYS_openat, d, "f", O_RDONLY | O_CLOEXEC);
    syscall(SYS_open, "missing", O_RDONLY);
    syscall(SYS_open, "tab\there \"quoted\" back\\slash\n\001\0012", O_RDONLY);
    syscall(SYS_open, (void *)8, O_RDONLY);
    static char longpath[5000];
    memset(longpath, 'a', sizeof longpath - 1);
    syscall(SYS_open, longpath, O_RDONLY);
    syscall(SYS_close, syscall(SYS_creat, "c", 0600));

    /* Directories, links and renames. */
    syscall(SYS_mkdir, "d", 0700);
    syscall(SYS_mkdirat, AT_FDCWD, "d2", 01777);
    syscall(SYS_rmdir, "d2");
    syscall(SYS_rmdir, "f");
    syscall(SYS_link, "f", "g");
    syscall(SYS_linkat, AT_FDCWD, "f", d, "h", AT_SYMLINK_FOLLOW);
    syscall(SYS_linkat, AT_FDCWD, "f", AT_FDCWD, "h2", 0x8000000);
    syscall(SYS_symlink, "f", "s");
    syscall(SYS_symlinkat, "g", AT_FDCWD, "s2");
    syscall(SYS_readlink, "s", buf, sizeof buf);
    syscall(SYS_readlinkat, AT_FDCWD, "s2", buf, 1);
    syscall(SYS_readlinkat, d, "f", buf, sizeof buf);
    char fdlink[32] = "/proc/self/fd/0";
    fdlink[14] = '0' + rw;
    syscall(SYS_readlink, fdlink, buf, sizeof buf);
    syscall(SYS_rename, "g", "g2");
    syscall(SYS_renameat, AT_FDCWD, "g2", d, "g3");
    syscall(SYS_renameat2, AT_FDCWD, "g3", AT_FDCWD, "g4", RENAME_NOREPLACE);
    syscall(SYS_renameat2, AT_FDCWD, "g4", AT_FDCWD, "h", RENAME_EXCHANGE);
    syscall(SYS_renameat2, AT_FDCWD, "g4", AT_FDCWD, "c", RENAME_NOREPLACE);
    syscall(SYS_renameat2, AT_FDCWD, "g4", AT_FDCWD, "h", 0x10);
    syscall(SYS_unlink, "h");
    syscall(SYS_unlink, "d");
    syscall(SYS_unlinkat, AT_FDCWD, "d", AT_REMOVEDIR);
    syscall(SYS_unlinkat, AT_FDCWD, "g4", 0x1);

    /* stat and its relatives. */
    syscall(SYS_stat, "f", &st);
    syscall(SYS_lstat, "s", &st);
    syscall(SYS_stat, "s", &st);
    syscall(SYS_stat, "/dev/null", &st);
    syscall(SYS_stat, "missing", &st);
    syscall(SYS_stat, "f", (void *)8);
    syscall(SYS_newfstatat, AT_FDCWD, "s", &st, AT_SYMLINK_NOFOLLOW);
    syscall(SYS_newfstatat, rd, "", &st, AT_EMPTY_PATH);
    syscall(SYS_newfstatat, AT_FDCWD, "f", &st, 0x1);
    syscall(SYS_statx, AT_FDCWD, "f", 0, STATX_BASIC_STATS, record);
    syscall(SYS_statx, d, "s", AT_SYMLINK_NOFOLLOW | AT_STATX_FORCE_SYNC, STATX_TYPE | STATX_SIZE,
            record);
    syscall(SYS_statx, AT_FDCWD, "f", AT_STATX_FORCE_SYNC | AT_STATX_DONT_SYNC, STATX_BASIC_STATS,
            record);
    syscall(SYS_statx, AT_FDCWD, "f", 0, 0x80000000U, record);
    syscall(SYS_statx, AT_FDCWD, "missing", 0, STATX_BASIC_STATS, record);
    syscall(SYS_statfs, ".", record);
    syscall(SYS_fstatfs, rd, record);
    syscall(SYS_statfs, "missing", record);
    syscall(SYS_fstatfs, rd, (void *)8);

    /* access, the working directory, sizes, modes, owners, times. */
    syscall(SYS_access, "f", R_OK | W_OK);
    syscall(SYS_access, "f", F_OK);
    syscall(SYS_access, "f", 0x10);
    syscall(SYS_access, "missing", R_OK);
    syscall(SYS_faccessat, d, "f", R_OK);
    syscall(SYS_faccessat2, AT_FDCWD, "s", R_OK, AT_EACCESS | AT_SYMLINK_NOFOLLOW);
    syscall(SYS_faccessat2, AT_FDCWD, "f", R_OK, 0x10000);
    syscall(SYS_getcwd, buf, sizeof buf);
    syscall(SYS_getcwd, buf, 2);
    syscall(SYS_truncate, "f", 5);
    syscall(SYS_truncate, "f", -1L);
    syscall(SYS_ftruncate, rw, 12);
    syscall(SYS_chmod, "f", 0640);
    syscall(SYS_fchmod, rw, 0644);
    syscall(SYS_fchmodat, d, "c", 0600);
    syscall(SYS_chmod, "missing", 0644);
    syscall(SYS_chown, "f", -1L, -1L);
    syscall(SYS_lchown, "s", -1L, -1L);
    syscall(SYS_fchown, rw, -1L, -1L);
    syscall(SYS_fchownat, AT_FDCWD, "s", -1L, -1L, AT_SYMLINK_NOFOLLOW);
    struct timespec now_omit[2] = {{0, UTIME_NOW}, {0, UTIME_OMIT}};
    struct timespec dated[2] = {{1700000000, 0}, {1700000001, 500}};
    struct timespec bad[2] = {{0, 2000000000}, {-1, 0}};
    syscall(SYS_utimensat, AT_FDCWD, "f", now_omit, 0);
    syscall(SYS_utimensat, AT_FDCWD, "s", dated, AT_SYMLINK_NOFOLLOW);
    syscall(SYS_utimensat, AT_FDCWD, "f", NULL, 0);
    syscall(SYS_utimensat, rw, NULL, NULL, 0);
    syscall(SYS_utimensat, AT_FDCWD, "f", bad, 0);
    syscall(SYS_utimensat, AT_FDCWD, "f", (void *)8, 0);

    /* Reads and writes at offsets, and through iovecs. */
    syscall(SYS_pwrite64, rw, "abc", 3, 100);
    syscall(SYS_pread64, rw, buf, 64, 0);
    syscall(SYS_pread64, rw, buf, 64, -1L);
    syscall(SYS_lseek, rw, 0, SEEK_SET);
    struct iovec in[2] = {{buf, 3}, {buf + 16, 100}};
    syscall(SYS_readv, rw, in, 2);
    syscall(SYS_readv, 99, in, 2);
    syscall(SYS_preadv, rw, in, 2, 5);
    syscall(SYS_preadv, rw, in, 2, 1000);
    struct iovec out[2] = {{"hello", 5}, {"world, this is a long string beyond 32 bytes", 44}};
    syscall(SYS_pwritev, rw, out, 2, 3);
    syscall(SYS_writev, 99, out, 2);
    syscall(SYS_lseek, rw, -3L, SEEK_END);
    syscall(SYS_lseek, rw, 0, 7);
    syscall(SYS_getdents64, d, buf, sizeof buf);
    syscall(SYS_getdents64, d, buf, sizeof buf);
    syscall(SYS_getdents64, 99, buf, sizeof buf);
    syscall(SYS_fchdir, d);
    syscall(SYS_fchdir, rw);

    /* Clean up, the last descriptors through close_range. */
    syscall(SYS_unlink, "f");
    syscall(SYS_unlink, "c");
    syscall(SYS_unlink, "s");
    syscall(SYS_unlink, "s2");
    syscall(SYS_unlink, "g4");
    syscall(SYS_chdir, "/");
    syscall(SYS_rmdir, dir);
    syscall(SYS_close_range, d + 1, ~0U, CLOSE_RANGE_CLOEXEC);
    syscall(SYS_close_range, d + 1, ~0U, 0x1);
    syscall(SYS_close_range, 60, 50, 0);
    syscall(SYS_close_range, rd, ~0U, 0);
    return 0;
}
