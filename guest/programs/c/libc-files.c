/* The C library's file-system interfaces, one check per line: opening
 * and the open flags, reading and writing at offsets, names (links,
 * renames, removal), metadata (stat, modes, owners, times), file system
 * statistics, the working directory, stdio streams over real files,
 * temporary files, realpath, directory streams and tree walks, shared
 * memory objects, the exec family and posix_spawn. Everything happens in
 * a directory made with mkdtemp under /tmp and removed at the end.
 *
 * Lines hold facts that depend neither on pids, times, descriptor
 * numbers nor the random names (relations and patterns are printed
 * instead), so a glibc build of this file prints exactly what a
 * guest-libc build does.
 *
 * Run as `libc-files child ...`, it is the program the exec and spawn
 * cases start: it reports its arguments, one variable of its
 * environment, its signal mask and dispositions and its descriptors. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SAY(...)                 \
    do {                         \
        printf(__VA_ARGS__);     \
        printf("\n");            \
        fflush(stdout);          \
    } while (0)

static const char *ename(int e)
{
    static char other[32];
    switch (e) {
    case 0: return "0";
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case EBADF: return "EBADF";
    case EACCES: return "EACCES";
    case EEXIST: return "EEXIST";
    case EXDEV: return "EXDEV";
    case ENOTDIR: return "ENOTDIR";
    case EISDIR: return "EISDIR";
    case EINVAL: return "EINVAL";
    case ENOTTY: return "ENOTTY";
    case ESPIPE: return "ESPIPE";
    case ERANGE: return "ERANGE";
    case ENAMETOOLONG: return "ENAMETOOLONG";
    case ENOSYS: return "ENOSYS";
    case ENOTEMPTY: return "ENOTEMPTY";
    case ELOOP: return "ELOOP";
    case ENOEXEC: return "ENOEXEC";
    case EOPNOTSUPP: return "EOPNOTSUPP";
    case EAGAIN: return "EAGAIN";
    case ECHILD: return "ECHILD";
    }
    snprintf(other, sizeof(other), "errno%d", e);
    return other;
}

/* "0" for success, else the error's name: the result of a call that
 * returns -1 and sets errno. */
static const char *res(int r)
{
    static char bufs[8][48];
    static int n;
    char *b = bufs[n++ & 7];
    if (r >= 0)
        snprintf(b, 48, "%d", r > 0 ? 1 : 0);
    else
        snprintf(b, 48, "%s", ename(errno));
    return b;
}

static const char *self_path;
static char top[PATH_MAX];      /* the temporary directory, as mkdtemp made it */
static char top_real[PATH_MAX]; /* and as realpath resolves it */

/* ---- the child program ---- */

static const char *disp(int sig)
{
    struct sigaction sa;
    if (sigaction(sig, 0, &sa) < 0)
        return "?";
    if (sa.sa_handler == SIG_DFL)
        return "DFL";
    if (sa.sa_handler == SIG_IGN)
        return "IGN";
    return "handler";
}

static int child_main(int argc, char **argv)
{
    printf("child: argc=%d", argc - 1);
    for (int i = 2; i < argc; i++)
        printf(" [%s]", argv[i]);
    const char *v = getenv("LFVAR");
    printf(" LFVAR=%s", v ? v : "(unset)");
    sigset_t m;
    sigprocmask(SIG_BLOCK, 0, &m);
    printf(" blocked:USR1=%d,USR2=%d", sigismember(&m, SIGUSR1), sigismember(&m, SIGUSR2));
    printf(" USR1=%s USR2=%s TERM=%s", disp(SIGUSR1), disp(SIGUSR2), disp(SIGTERM));
    printf(" fd5=%s fd6=%s", fcntl(5, F_GETFD) >= 0 ? "open" : "closed", fcntl(6, F_GETFD) >= 0 ? "open" : "closed");
    char cwd[PATH_MAX];
    if (getcwd(cwd, sizeof(cwd))) {
        const char *b = strrchr(cwd, '/');
        b = b ? b + 1 : cwd;
        printf(" cwd=%s", strncmp(b, "libc-files-", 11) ? b : "top");
    }
    printf("\n");
    return 7;
}

/* ---- helpers ---- */

static void put_file(const char *path, const char *text, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
    if (fd < 0 || write(fd, text, strlen(text)) < 0) {
        printf("setup of %s failed: %s\n", path, ename(errno));
        exit(1);
    }
    close(fd);
}

static const char *file_text(const char *path)
{
    static char bufs[4][512];
    static int next;
    char *buf = bufs[next++ & 3];
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return ename(errno);
    ssize_t n = read(fd, buf, sizeof(bufs[0]) - 1);
    close(fd);
    buf[n > 0 ? n : 0] = 0;
    /* One line of output: newlines shown as '|'. */
    for (char *p = buf; *p; p++)
        if (*p == '\n')
            *p = '|';
    return buf;
}

/* Newlines shown as '|', for one line of output. */
static const char *show(char *s)
{
    if (!s)
        return "(null)";
    for (char *p = s; *p; p++)
        if (*p == '\n')
            *p = '|';
    return s;
}

static int name_ok(const char *name, size_t prefix)
{
    if (strlen(name) != prefix + 6)
        return 0;
    for (size_t i = prefix; i < prefix + 6; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
            return 0;
    }
    return 1;
}

/* A path under the temporary directory, with its real prefix shown as $T. */
static const char *rel(const char *p)
{
    static char buf[PATH_MAX + 8];
    size_t n = strlen(top_real);
    if (!p)
        return "(null)";
    if (!strncmp(p, top_real, n) && (p[n] == '/' || !p[n])) {
        snprintf(buf, sizeof(buf), "$T%s", p + n);
        return buf;
    }
    return p;
}

/* ---- cases ---- */

static void open_cases(void)
{
    int fd = open("f1", O_CREAT | O_EXCL | O_WRONLY | O_TRUNC, 0640);
    struct stat st;
    fstat(fd, &st);
    SAY("open: creat-excl fd>=0=%d mode=%o reg=%d", fd >= 0, st.st_mode & 07777, S_ISREG(st.st_mode));
    SAY("open: write=%d", (int)write(fd, "0123456789", 10));
    close(fd);
    errno = 0;
    SAY("open: excl-again=%s", res(open("f1", O_CREAT | O_EXCL | O_WRONLY, 0640)));
    SAY("open: missing=%s", res(open("nope", O_RDONLY)));
    SAY("open: directory-on-file=%s", res(open("f1", O_RDONLY | O_DIRECTORY)));
    symlink("f1", "l1");
    SAY("open: nofollow-on-link=%s", res(open("l1", O_RDONLY | O_NOFOLLOW)));
    fd = open("l1", O_RDONLY);
    SAY("open: through-link=%s", res(fd));
    close(fd);

    fd = open("f1", O_WRONLY | O_APPEND | O_CLOEXEC | O_NONBLOCK | O_NOCTTY | O_LARGEFILE);
    int fl = fcntl(fd, F_GETFL), fdfl = fcntl(fd, F_GETFD);
    SAY("open: append=%d cloexec=%d nonblock=%d accmode-wronly=%d", !!(fl & O_APPEND), !!(fdfl & FD_CLOEXEC),
        !!(fl & O_NONBLOCK), (fl & O_ACCMODE) == O_WRONLY);
    write(fd, "AB", 2);
    SAY("open: append-offset=%ld", (long)lseek(fd, 0, SEEK_CUR));
    close(fd);

    fd = open("f1", O_RDWR | O_SYNC);
    fl = fcntl(fd, F_GETFL);
    SAY("open: sync=%d dsync=%d rdwr=%d", (fl & O_SYNC) == O_SYNC, !!(fl & O_DSYNC), (fl & O_ACCMODE) == O_RDWR);
    close(fd);
    fd = open("f1", O_RDONLY | O_DSYNC | O_NOATIME);
    fl = fcntl(fd, F_GETFL);
    SAY("open: dsync-only=%d noatime=%d", (fl & O_SYNC) == O_DSYNC, !!(fl & O_NOATIME));
    close(fd);

    fd = open("f1", O_PATH);
    char c;
    SAY("open: path fstat=%s read=%s", res(fstat(fd, &st)), res((int)read(fd, &c, 1)));
    close(fd);

    fd = open(".", O_TMPFILE | O_RDWR, 0600);
    if (fd >= 0) {
        fstat(fd, &st);
        SAY("open: tmpfile nlink=%ld reg=%d", (long)st.st_nlink, S_ISREG(st.st_mode));
        close(fd);
    } else {
        SAY("open: tmpfile %s", ename(errno));
    }

    fd = open("f1", O_RDONLY | O_DIRECT);
    SAY("open: direct=%s", res(fd));
    if (fd >= 0)
        close(fd);

    int dfd = open(".", O_RDONLY | O_DIRECTORY);
    fd = openat(dfd, "f2", O_CREAT | O_RDWR, 0600);
    SAY("openat: dirfd=%s exists=%s", res(fd), res(faccessat(AT_FDCWD, "f2", F_OK, 0)));
    close(fd);
    fd = openat(AT_FDCWD, "f2", O_RDONLY);
    SAY("openat: fdcwd=%s", res(fd));
    close(fd);
    close(dfd);

    fd = creat("f3", 0600);
    fl = fcntl(fd, F_GETFL);
    write(fd, "x", 1);
    close(fd);
    fd = creat("f3", 0600);
    fstat(fd, &st);
    SAY("creat: wronly=%d truncated size=%ld", (fl & O_ACCMODE) == O_WRONLY, (long)st.st_size);
    close(fd);
}

static void io_cases(void)
{
    int fd = open("io", O_CREAT | O_RDWR | O_TRUNC, 0600);
    write(fd, "hello world", 11);
    char buf[32] = {0};
    ssize_t n = pread(fd, buf, 5, 6);
    SAY("pread: n=%d [%.5s] offset-kept=%ld", (int)n, buf, (long)lseek(fd, 0, SEEK_CUR));
    n = pwrite(fd, "W", 1, 6);
    pread(fd, buf, 11, 0);
    SAY("pwrite: n=%d [%.11s] offset-kept=%ld", (int)n, buf, (long)lseek(fd, 0, SEEK_CUR));

    struct iovec w[2] = {{(void *)"abc", 3}, {(void *)"defg", 4}};
    lseek(fd, 0, SEEK_SET);
    SAY("writev: n=%d", (int)writev(fd, w, 2));
    char a[3], b[4];
    struct iovec r[2] = {{a, 3}, {b, 4}};
    lseek(fd, 0, SEEK_SET);
    n = readv(fd, r, 2);
    SAY("readv: n=%d [%.3s][%.4s]", (int)n, a, b);
    struct iovec pw[1] = {{(void *)"XY", 2}};
    n = pwritev(fd, pw, 1, 1);
    SAY("pwritev: n=%d offset-kept=%ld", (int)n, (long)lseek(fd, 0, SEEK_CUR));
    n = preadv(fd, r, 2, 0);
    SAY("preadv: n=%d [%.3s][%.4s]", (int)n, a, b);
    n = preadv2(fd, r, 1, 4, 0);
    SAY("preadv2: n=%d [%.3s]", (int)n, a);
    SAY("pwritev2: n=%d", (int)pwritev2(fd, pw, 1, 0, 0));
    int pp[2];
    pipe(pp);
    SAY("pread: pipe=%s bad-fd=%s", res((int)pread(pp[0], buf, 1, 0)), res((int)pread(-1, buf, 1, 0)));
    close(pp[0]);
    close(pp[1]);

    int out = open("io-copy", O_CREAT | O_WRONLY | O_TRUNC, 0600);
    off_t off = 2;
    n = sendfile(out, fd, &off, 5);
    close(out);
    SAY("sendfile: n=%d off=%ld copy=[%s]", (int)n, (long)off, file_text("io-copy"));

    SAY("posix_fadvise: %d", posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL));
    SAY("posix_fadvise: bad-fd=%s", ename(posix_fadvise(-1, 0, 0, POSIX_FADV_NORMAL)));

    SAY("ftruncate: %s", res(ftruncate(fd, 3)));
    struct stat st;
    fstat(fd, &st);
    SAY("ftruncate: size=%ld", (long)st.st_size);
    SAY("truncate: %s", res(truncate("io", 100)));
    stat("io", &st);
    SAY("truncate: size=%ld missing=%s", (long)st.st_size, res(truncate("nope", 1)));
    SAY("fsync: %s fdatasync=%s bad=%s", res(fsync(fd)), res(fdatasync(fd)), res(fsync(-1)));
    sync();
    SAY("sync: done");
    SAY("syncfs: %s", res(syncfs(fd)));
    close(fd);

    struct flock lk = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10};
    fd = open("io", O_RDWR);
    SAY("fcntl: setlk=%s", res(fcntl(fd, F_SETLK, &lk)));
    lk.l_type = F_RDLCK;
    const char *gl = res(fcntl(fd, F_GETLK, &lk));
    SAY("fcntl: getlk=%s own-lock-unlck=%d", gl, lk.l_type == F_UNLCK);
    struct flock ofd = {.l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1};
    SAY("fcntl: ofd-setlk-over-own-posix-lock=%s", res(fcntl(fd, F_OFD_SETLK, &ofd)));
    ofd.l_start = 20;
    SAY("fcntl: ofd-setlk=%s", res(fcntl(fd, F_OFD_SETLK, &ofd)));
    close(fd);
}

static void access_cases(void)
{
    put_file("acc", "x", 0640);
    SAY("access: F_OK=%s R_OK|W_OK=%s X_OK=%s missing=%s", res(access("acc", F_OK)), res(access("acc", R_OK | W_OK)),
        res(access("acc", X_OK)), res(access("nope", F_OK)));
    chmod("acc", 0750);
    SAY("access: X_OK-after-chmod=%s", res(access("acc", X_OK)));
    SAY("faccessat: plain=%s eaccess=%s", res(faccessat(AT_FDCWD, "acc", R_OK, 0)),
        res(faccessat(AT_FDCWD, "acc", R_OK, AT_EACCESS)));
    symlink("nowhere", "dangling");
    SAY("faccessat: dangling follow=%s nofollow=%s", res(faccessat(AT_FDCWD, "dangling", F_OK, 0)),
        res(faccessat(AT_FDCWD, "dangling", F_OK, AT_SYMLINK_NOFOLLOW)));
    SAY("faccessat: bad-flags=%s", res(faccessat(AT_FDCWD, "acc", F_OK, 0x10000000)));
}

static void name_cases(void)
{
    const char *first = res(mkdir("d1", 0755));
    SAY("mkdir: %s again=%s", first, res(mkdir("d1", 0755)));
    struct stat st;
    stat("d1", &st);
    SAY("mkdir: dir=%d mode=%o", S_ISDIR(st.st_mode), st.st_mode & 07777);
    int dfd = open("d1", O_RDONLY | O_DIRECTORY);
    SAY("mkdirat: %s", res(mkdirat(dfd, "sub", 0700)));
    put_file("d1/sub/x", "x", 0600);
    SAY("rmdir: not-empty=%s on-file=%s missing=%s", res(rmdir("d1/sub")), res(rmdir("d1/sub/x")),
        res(rmdir("nope")));
    SAY("unlink: on-dir=%s missing=%s", res(unlink("d1/sub")), res(unlink("nope")));
    SAY("unlinkat: file=%s", res(unlinkat(dfd, "sub/x", 0)));
    first = res(unlinkat(dfd, "sub", 0));
    SAY("unlinkat: dir-without-flag=%s removedir=%s", first, res(unlinkat(dfd, "sub", AT_REMOVEDIR)));
    mkdir("d1/sub2", 0700);
    SAY("rmdir: empty=%s", res(rmdir("d1/sub2")));

    put_file("t1", "target", 0644);
    first = res(link("t1", "h1"));
    SAY("link: %s exists=%s", first, res(link("t1", "h1")));
    stat("t1", &st);
    SAY("link: nlink=%ld", (long)st.st_nlink);
    SAY("linkat: %s", res(linkat(AT_FDCWD, "t1", dfd, "h2", 0)));
    symlink("t1", "s1");
    SAY("linkat: symlink-follow=%s", res(linkat(AT_FDCWD, "s1", AT_FDCWD, "h3", AT_SYMLINK_FOLLOW)));
    lstat("h3", &st);
    SAY("linkat: followed-is-reg=%d", S_ISREG(st.st_mode));
    SAY("linkat: nofollow-link-is-link=%s", res(linkat(AT_FDCWD, "s1", AT_FDCWD, "h4", 0)));
    lstat("h4", &st);
    SAY("linkat: h4-is-link=%d", S_ISLNK(st.st_mode));
    SAY("symlink: exists=%s", res(symlink("t1", "s1")));
    SAY("symlinkat: %s", res(symlinkat("../t1", dfd, "s2")));
    char buf[64];
    ssize_t n = readlink("s1", buf, sizeof(buf));
    SAY("readlink: n=%d [%.*s]", (int)n, (int)(n > 0 ? n : 0), buf);
    n = readlink("s1", buf, 1);
    SAY("readlink: truncated n=%d", (int)n);
    SAY("readlink: not-link=%s missing=%s", res((int)readlink("t1", buf, sizeof(buf))),
        res((int)readlink("nope", buf, sizeof(buf))));
    n = readlinkat(dfd, "s2", buf, sizeof(buf));
    SAY("readlinkat: n=%d [%.*s]", (int)n, (int)(n > 0 ? n : 0), buf);
    SAY("readlinkat: via-link=[%s]", file_text("d1/s2"));

    put_file("r1", "r1", 0644);
    const char *rr = res(rename("r1", "r2"));
    const char *gone = res(access("r1", F_OK));
    SAY("rename: %s old-gone=%s new=[%s]", rr, gone, file_text("r2"));
    SAY("rename: missing=%s dir-over-file=%s", res(rename("nope", "r3")), res(rename("d1", "r2")));
    SAY("renameat: %s", res(renameat(AT_FDCWD, "r2", dfd, "r3")));
    put_file("r4", "r4", 0644);
    SAY("renameat2: noreplace=%s", res(renameat2(dfd, "r3", AT_FDCWD, "r4", RENAME_NOREPLACE)));
    rr = res(renameat2(dfd, "r3", AT_FDCWD, "r4", 0));
    SAY("renameat2: plain=%s [%s]", rr, file_text("r4"));
    mkdir("rmd", 0700);
    SAY("remove: file=%s dir=%s missing=%s", res(remove("r4")), res(remove("rmd")), res(remove("nope")));
    mkdir("rmd", 0700);
    put_file("rmd/x", "", 0600);
    SAY("remove: non-empty-dir=%s", res(remove("rmd")));
    unlink("rmd/x");
    rmdir("rmd");
    close(dfd);
}

static void meta_cases(void)
{
    struct stat st, lst, fst, ast;
    put_file("m1", "12345", 0644);
    symlink("m1", "ml");
    const char *r = res(stat("m1", &st));
    SAY("stat: %s reg=%d size=%ld", r, S_ISREG(st.st_mode), (long)st.st_size);
    SAY("stat: missing=%s through-file=%s", res(stat("nope", &st)), res(stat("m1/x", &st)));
    r = res(lstat("ml", &lst));
    SAY("lstat: %s link=%d size=%ld", r, S_ISLNK(lst.st_mode), (long)lst.st_size);
    stat("ml", &st);
    SAY("stat: follows=%d", S_ISREG(st.st_mode));
    int fd = open("m1", O_RDONLY);
    r = res(fstat(fd, &fst));
    SAY("fstat: %s same-ino=%d", r, fst.st_ino == st.st_ino && fst.st_dev == st.st_dev);
    SAY("fstat: bad=%s", res(fstat(-1, &fst)));
    r = res(fstatat(AT_FDCWD, "ml", &ast, AT_SYMLINK_NOFOLLOW));
    SAY("fstatat: nofollow=%s link=%d", r, S_ISLNK(ast.st_mode));
    r = res(fstatat(fd, "", &ast, AT_EMPTY_PATH));
    SAY("fstatat: empty-path=%s same=%d", r, ast.st_ino == st.st_ino);
    SAY("stat: time-macros=%d%d%d", st.st_atime == st.st_atim.tv_sec, st.st_mtime == st.st_mtim.tv_sec,
        st.st_ctime == st.st_ctim.tv_sec);
    stat(".", &st);
    SAY("stat: S_IS dir=%d chr=%d blk=%d fifo=%d sock=%d", S_ISDIR(st.st_mode), S_ISCHR(st.st_mode),
        S_ISBLK(st.st_mode), S_ISFIFO(st.st_mode), S_ISSOCK(st.st_mode));
    stat("/dev/null", &st);
    SAY("stat: /dev/null chr=%d", S_ISCHR(st.st_mode));

    SAY("chmod: %s", res(chmod("m1", S_IRUSR | S_IWUSR | S_IRGRP | S_ISVTX)));
    stat("m1", &st);
    SAY("chmod: mode=%o", st.st_mode & 07777);
    SAY("fchmod: %s", res(fchmod(fd, S_IRWXU | S_IROTH)));
    fstat(fd, &st);
    SAY("fchmod: mode=%o", st.st_mode & 07777);
    SAY("fchmodat: %s", res(fchmodat(AT_FDCWD, "m1", 0600, 0)));
    SAY("fchmodat: nofollow-on-file=%s", res(fchmodat(AT_FDCWD, "m1", 0640, AT_SYMLINK_NOFOLLOW)));
    stat("m1", &st);
    SAY("fchmodat: mode=%o", st.st_mode & 07777);
    SAY("fchmodat: nofollow-on-link=%s", res(fchmodat(AT_FDCWD, "ml", 0600, AT_SYMLINK_NOFOLLOW)));
    SAY("fchmodat: bad-flags=%s", res(fchmodat(AT_FDCWD, "m1", 0600, 0x4000)));
    SAY("modes: %o %o %o %o %o %o %o", S_IRWXU, S_IRWXG, S_IRWXO, S_ISUID, S_ISGID, S_IREAD | S_IWRITE | S_IEXEC,
        S_IFMT);

    mode_t old = umask(027);
    mode_t mid = umask(old);
    SAY("umask: set-returns-previous=%d now=%o", mid == 027, old);
    umask(077);
    int f2 = open("um", O_CREAT | O_WRONLY, 0666);
    fstat(f2, &st);
    close(f2);
    umask(old);
    SAY("umask: applied mode=%o", st.st_mode & 0777);

    SAY("chown: %s fchown=%s lchown=%s", res(chown("m1", (uid_t)-1, (gid_t)-1)),
        res(fchown(fd, (uid_t)-1, (gid_t)-1)), res(lchown("ml", (uid_t)-1, (gid_t)-1)));
    SAY("fchownat: %s missing=%s", res(fchownat(AT_FDCWD, "ml", getuid(), getgid(), AT_SYMLINK_NOFOLLOW)),
        res(chown("nope", (uid_t)-1, (gid_t)-1)));
    int ng = getgroups(0, 0);
    gid_t groups[256];
    SAY("getgroups: count-ok=%d same=%d", ng >= 0, getgroups(256, groups) == ng);

    struct timespec ts[2] = {{1000, 500}, {2000, 0}};
    SAY("utimensat: %s", res(utimensat(AT_FDCWD, "m1", ts, 0)));
    stat("m1", &st);
    SAY("utimensat: atime=%ld.%ld mtime=%ld", (long)st.st_atim.tv_sec, st.st_atim.tv_nsec, (long)st.st_mtime);
    struct timespec omit[2] = {{0, UTIME_OMIT}, {3000, 0}};
    utimensat(AT_FDCWD, "m1", omit, 0);
    stat("m1", &st);
    SAY("utimensat: omit atime=%ld mtime=%ld", (long)st.st_atime, (long)st.st_mtime);
    struct timespec now[2] = {{0, UTIME_OMIT}, {0, UTIME_NOW}};
    SAY("futimens: %s", res(futimens(fd, now)));
    fstat(fd, &st);
    SAY("futimens: now mtime-later=%d atime=%ld", st.st_mtime > 3000, (long)st.st_atime);
    SAY("utimensat: nofollow-link=%s", res(utimensat(AT_FDCWD, "ml", 0, AT_SYMLINK_NOFOLLOW)));
    close(fd);

    r = res(mkfifo("fifo", 0600));
    SAY("mkfifo: %s again=%s", r, res(mkfifo("fifo", 0600)));
    stat("fifo", &st);
    SAY("mkfifo: fifo=%d", S_ISFIFO(st.st_mode));
    int dfd = open(".", O_RDONLY | O_DIRECTORY);
    SAY("mkfifoat: %s", res(mkfifoat(dfd, "fifo2", 0600)));
    SAY("mknod: reg=%s", res(mknod("node", S_IFREG | 0600, 0)));
    stat("node", &st);
    SAY("mknod: is-reg=%d", S_ISREG(st.st_mode));
    SAY("mknodat: fifo=%s", res(mknodat(dfd, "node2", S_IFIFO | 0600, 0)));
    close(dfd);
}

static void fs_cases(void)
{
    struct statfs sf;
    struct statvfs sv, fsv;
    SAY("statfs: %s", res(statfs(".", &sf)));
    SAY("statvfs: %s", res(statvfs(".", &sv)));
    SAY("statvfs: bsize=%d blocks=%d namemax=%d fsid=%d", sv.f_bsize == (unsigned long)sf.f_bsize,
        sv.f_blocks == sf.f_blocks, sv.f_namemax == (unsigned long)sf.f_namelen,
        sv.f_fsid == ((unsigned long)(unsigned)sf.f_fsid.__val[0] | (unsigned long)(unsigned)sf.f_fsid.__val[1] << 32));
    SAY("statvfs: flags-match=%d namemax=%lu", (sv.f_flag & ST_RDONLY) == (sf.f_flags & ST_RDONLY), sv.f_namemax);
    int fd = open(".", O_RDONLY);
    struct statfs fsf;
    const char *r = res(fstatfs(fd, &fsf));
    SAY("fstatfs: %s same-type=%d", r, fsf.f_type == sf.f_type);
    r = res(fstatvfs(fd, &fsv));
    SAY("fstatvfs: %s same-blocks=%d", r, fsv.f_blocks == sv.f_blocks);
    SAY("statfs: missing=%s", res(statfs("nope", &sf)));
    close(fd);
}

static void cwd_cases(void)
{
    char buf[PATH_MAX];
    char *p = getcwd(buf, sizeof(buf));
    SAY("getcwd: %s", rel(p));
    SAY("getcwd: small=%s", getcwd(buf, 3) ? "ok" : ename(errno));
    SAY("getcwd: zero=%s", getcwd(buf, 0) ? "ok" : ename(errno));
    p = getcwd(0, 0);
    SAY("getcwd: malloc=%s", rel(p));
    free(p);
    mkdir("cw", 0700);
    const char *r = res(chdir("cw"));
    const char *missing = res(chdir("nope"));
    SAY("chdir: %s missing=%s file=%s", r, missing, res(chdir("../m1")));
    SAY("chdir: now=%s", rel(getcwd(buf, sizeof(buf))));
    int fd = open("..", O_RDONLY | O_DIRECTORY);
    r = res(fchdir(fd));
    SAY("fchdir: %s now=%s", r, rel(getcwd(buf, sizeof(buf))));
    close(fd);
    fd = open("m1", O_RDONLY);
    SAY("fchdir: file=%s bad=%s", res(fchdir(fd)), res(fchdir(-1)));
    int t = isatty(fd);
    SAY("isatty: file=%d %s", t, ename(errno));
    errno = 0;
    t = isatty(-1);
    SAY("isatty: bad=%d %s", t, ename(errno));
    close(fd);
    rmdir("cw");
}

static void stdio_cases(void)
{
    FILE *f = fopen("s1", "w");
    SAY("fopen: w=%s", f ? "ok" : ename(errno));
    fputs("line one\n", f);
    fputc('L', f);
    fprintf(f, "ine %d\n", 2);
    fwrite("third\nrest", 1, 10, f);
    SAY("ftell: w=%ld", ftell(f));
    int c = fgetc(f);
    SAY("fgetc: on-w=%d err=%d %s", c, ferror(f), ename(errno));
    clearerr(f);
    SAY("fclose: %d", fclose(f));
    SAY("file: [%s]", file_text("s1"));

    f = fopen("s1", "rb");
    char line[64];
    SAY("fgets: [%s]", show(fgets(line, sizeof(line), f)));
    c = fgetc(f);
    SAY("fgetc: %c getc=%c", c, getc(f));
    SAY("ungetc: %c", ungetc('X', f));
    SAY("ungetc: second=%c", ungetc('Y', f));
    SAY("ftell: after-ungetc=%ld", ftell(f));
    SAY("fgets: after-ungetc [%s]", show(fgets(line, sizeof(line), f)));
    SAY("fgets: small [%s]", fgets(line, 4, f));
    SAY("fgets: n=1 [%s]", fgets(line, 1, f));
    char blk[32] = {0};
    size_t n = fread(blk, 1, sizeof(blk) - 1, f);
    SAY("fread: n=%d [%s] eof=%d err=%d", (int)n, show(blk), feof(f), ferror(f));
    SAY("fgetc: at-eof=%d", fgetc(f));
    SAY("fgets: at-eof=%s", fgets(line, sizeof(line), f) ? "line" : "null");
    int r = fseek(f, 5, SEEK_SET);
    SAY("fseek: %d eof-cleared=%d", r, feof(f));
    long pos0 = ftell(f);
    SAY("ftell: %ld fgetc=%c", pos0, fgetc(f));
    r = fseek(f, -2, SEEK_CUR);
    SAY("fseek: cur=%d ftell=%ld", r, ftell(f));
    r = fseek(f, -4, SEEK_END);
    SAY("fseek: end=%d ftell=%ld", r, ftell(f));
    r = fseek(f, 0, 7);
    SAY("fseek: bad-whence=%d %s", r, ename(errno));
    r = fseek(f, -100, SEEK_SET);
    SAY("fseek: negative=%d %s", r, ename(errno));
    rewind(f);
    pos0 = ftell(f);
    SAY("rewind: ftell=%ld fgetc=%c", pos0, fgetc(f));
    fpos_t pos;
    fgetpos(f, &pos);
    fgetc(f);
    fgetc(f);
    fsetpos(f, &pos);
    SAY("fsetpos: fgetc=%c", fgetc(f));
    r = fseeko(f, 9, SEEK_SET);
    SAY("fseeko: %d ftello=%ld", r, (long)ftello(f));
    c = fputc('z', f);
    SAY("fputc: on-r=%d err=%d %s", c, ferror(f), ename(errno));
    clearerr(f);
    SAY("clearerr: err=%d eof=%d", ferror(f), feof(f));
    SAY("fileno: matches=%d", fileno(f) >= 3 && fcntl(fileno(f), F_GETFD) >= 0);
    fclose(f);

    char *buf = 0;
    size_t cap = 0;
    f = fopen("s1", "r");
    ssize_t len;
    while ((len = getline(&buf, &cap, f)) >= 0)
        SAY("getline: %d [%.*s]", (int)len, (int)(len && buf[len - 1] == '\n' ? len - 1 : len), buf);
    SAY("getline: end=%d eof=%d cap-ok=%d", (int)len, feof(f), cap >= 10);
    rewind(f);
    len = getdelim(&buf, &cap, ' ', f);
    SAY("getdelim: %d [%s]", (int)len, buf);
    len = getdelim(0, &cap, ' ', f);
    SAY("getdelim: einval=%d %s", (int)len, ename(errno));
    free(buf);
    fclose(f);

    f = fopen("s2", "w+");
    fputs("abcdef", f);
    rewind(f);
    SAY("w+: read-back [%s]", fgets(line, sizeof(line), f));
    fseek(f, 2, SEEK_SET);
    fputs("XY", f);
    fflush(f);
    SAY("w+: after-overwrite [%s]", file_text("s2"));
    fclose(f);

    f = fopen("s2", "r+");
    SAY("r+: fgetc=%c", fgetc(f));
    fseek(f, 0, SEEK_CUR);
    fputc('Q', f);
    fseek(f, 0, SEEK_CUR);
    SAY("r+: then-fgetc=%c", fgetc(f));
    fclose(f);
    SAY("r+: file [%s]", file_text("s2"));

    f = fopen("s2", "a");
    SAY("a: ftell-at-open=%ld", ftell(f));
    fputs("++", f);
    SAY("a: ftell-pending=%ld", ftell(f));
    fclose(f);
    SAY("a: file [%s]", file_text("s2"));

    f = fopen("s2", "a+");
    SAY("a+: first=%c", fgetc(f));
    fputs("!!", f);
    fflush(f);
    rewind(f);
    SAY("a+: reread [%s]", fgets(line, sizeof(line), f));
    fclose(f);

    SAY("fopen: x-existing=%s", fopen("s2", "wx") ? "opened" : ename(errno));
    f = fopen("s3", "wxe");
    SAY("fopen: x-new=%s cloexec=%d", f ? "ok" : ename(errno), f ? !!(fcntl(fileno(f), F_GETFD) & FD_CLOEXEC) : -1);
    fclose(f);
    f = fopen("s3", "r");
    SAY("fopen: no-e cloexec=%d", !!(fcntl(fileno(f), F_GETFD) & FD_CLOEXEC));
    fclose(f);
    SAY("fopen: bad-mode=%s", fopen("s3", "z") ? "opened" : ename(errno));
    SAY("fopen: missing=%s", fopen("nope", "r") ? "opened" : ename(errno));
    SAY("fopen: dir-for-write=%s", fopen(".", "w") ? "opened" : ename(errno));

    int fd = open("s2", O_RDONLY);
    f = fdopen(fd, "r");
    SAY("fdopen: r=%s fgetc=%c", f ? "ok" : ename(errno), f ? fgetc(f) : '?');
    fclose(f);
    SAY("fdopen: closed-fd-by-fclose=%s", res(fcntl(fd, F_GETFD)));
    fd = open("s2", O_RDONLY);
    SAY("fdopen: w-on-rdonly=%s", fdopen(fd, "w") ? "ok" : ename(errno));
    SAY("fdopen: bad-fd=%s", fdopen(-1, "r") ? "ok" : ename(errno));
    close(fd);
    fd = open("s2", O_WRONLY);
    f = fdopen(fd, "a");
    SAY("fdopen: a sets-append=%d", !!(fcntl(fd, F_GETFL) & O_APPEND));
    fputs("@", f);
    fclose(f);
    SAY("fdopen: file [%s]", file_text("s2"));

    f = fopen("s4", "w");
    fputs("before", f);
    FILE *g = freopen("s5", "w", f);
    SAY("freopen: %s same=%d", g ? "ok" : ename(errno), g == f);
    fputs("after", g);
    fclose(g);
    SAY("freopen: old [%s] new [%s]", file_text("s4"), file_text("s5"));
    f = fopen("s5", "r");
    g = freopen(0, "r", f);
    SAY("freopen: null-path=%s fgetc=%c", g ? "ok" : ename(errno), g ? fgetc(g) : '?');
    if (g)
        fclose(g);
    f = fopen("s5", "r");
    SAY("freopen: missing=%s", freopen("nope", "r", f) ? "ok" : ename(errno));

    f = fopen("s6", "w");
    SAY("setvbuf: bad-mode=%d", setvbuf(f, 0, 99, 0));
    SAY("setvbuf: nbf=%d", setvbuf(f, 0, _IONBF, 0));
    fputs("unbuffered", f);
    SAY("setvbuf: nbf-visible [%s]", file_text("s6"));
    static char ubuf[256];
    SAY("setvbuf: user-buffer=%d", setvbuf(f, ubuf, _IOFBF, sizeof(ubuf)));
    fputs("-full", f);
    SAY("setvbuf: full-pending [%s]", file_text("s6"));
    SAY("setvbuf: lbf=%d", setvbuf(f, 0, _IOLBF, 0));
    fputs("-line\n", f);
    SAY("setvbuf: lbf-flushed [%s]", file_text("s6"));
    fputs("tail", f);
    SAY("fflush: before [%s]", file_text("s6"));
    r = fflush(f);
    SAY("fflush: %d after [%s]", r, file_text("s6"));
    setbuf(f, 0);
    fputs("!", f);
    SAY("setbuf: null-unbuffered [%s]", file_text("s6"));
    fclose(f);

    /* A big block through fwrite and fread, past the buffer size. */
    f = fopen("big", "w+");
    static char big[20000], back[20000];
    for (size_t i = 0; i < sizeof(big); i++)
        big[i] = (char)('a' + i % 26);
    SAY("fwrite: big=%d", (int)fwrite(big, 1, sizeof(big), f));
    rewind(f);
    n = fread(back, 1, sizeof(back), f);
    SAY("fread: big=%d same=%d", (int)n, !memcmp(big, back, sizeof(big)));
    rewind(f);
    SAY("fread: items=%d", (int)fread(back, 300, 100, f));
    SAY("fread: partial-item eof=%d", feof(f));
    fclose(f);

    f = tmpfile();
    SAY("tmpfile: %s", f ? "ok" : ename(errno));
    fputs("temp", f);
    rewind(f);
    SAY("tmpfile: read-back [%s]", fgets(line, sizeof(line), f));
    struct stat st;
    fstat(fileno(f), &st);
    SAY("tmpfile: nlink=%ld mode=%o", (long)st.st_nlink, st.st_mode & 0777);
    fclose(f);

    SAY("fflush: all=%d", fflush(0));
}

static void temp_cases(void)
{
    char t[] = "tmp-XXXXXX";
    int fd = mkstemp(t);
    struct stat st;
    fstat(fd, &st);
    SAY("mkstemp: fd>=0=%d name-ok=%d mode=%o rdwr=%d", fd >= 0, name_ok(t, 4), st.st_mode & 0777,
        (fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDWR);
    close(fd);
    SAY("mkstemp: unlink=%s", res(unlink(t)));
    char bad[] = "tmp-XXXXX";
    const char *r = res(mkstemp(bad));
    SAY("mkstemp: short=%s unchanged=%d", r, !strcmp(bad, "tmp-XXXXX"));
    char bad2[] = "tmp-XXXXXXy";
    SAY("mkstemp: not-at-end=%s", res(mkstemp(bad2)));
    char t2[] = "tmp-XXXXXX";
    fd = mkostemp(t2, O_CLOEXEC | O_APPEND);
    SAY("mkostemp: name-ok=%d cloexec=%d append=%d", name_ok(t2, 4), !!(fcntl(fd, F_GETFD) & FD_CLOEXEC),
        !!(fcntl(fd, F_GETFL) & O_APPEND));
    close(fd);
    unlink(t2);
    char t3[] = "tmp-XXXXXX.txt";
    fd = mkstemps(t3, 4);
    SAY("mkstemps: ok=%d suffix=%d", fd >= 0, !strcmp(t3 + 10, ".txt"));
    close(fd);
    unlink(t3);
    char t4[] = "tmp-XXXXXX.c";
    fd = mkostemps(t4, 2, O_CLOEXEC);
    SAY("mkostemps: ok=%d suffix=%d cloexec=%d", fd >= 0, !strcmp(t4 + 10, ".c"), !!(fcntl(fd, F_GETFD) & FD_CLOEXEC));
    close(fd);
    unlink(t4);
    char t5[] = "tmpd-XXXXXX";
    char *d = mkdtemp(t5);
    stat(t5, &st);
    SAY("mkdtemp: ok=%d name-ok=%d dir=%d mode=%o", d == t5, name_ok(t5, 5), S_ISDIR(st.st_mode), st.st_mode & 0777);
    SAY("mkdtemp: rmdir=%s", res(rmdir(t5)));
    char t6[] = "nodir/x-XXXXXX";
    SAY("mkdtemp: missing-parent=%s", mkdtemp(t6) ? "made" : ename(errno));
}

static void realpath_cases(void)
{
    mkdir("rp", 0700);
    mkdir("rp/a", 0700);
    put_file("rp/a/file", "", 0600);
    symlink("a", "rp/la");
    symlink("../rp/a/file", "rp/lf");
    symlink("loop2", "rp/loop1");
    symlink("loop1", "rp/loop2");
    symlink("/", "rp/root");
    char buf[PATH_MAX];
    SAY("realpath: rel [%s]", rel(realpath("rp/a/file", buf)));
    SAY("realpath: dots [%s]", rel(realpath("./rp//a/../a/./file", buf)));
    SAY("realpath: link-dir [%s]", rel(realpath("rp/la/file", buf)));
    SAY("realpath: link-file [%s]", rel(realpath("rp/lf", buf)));
    SAY("realpath: link-then-dotdot [%s]", rel(realpath("rp/la/..", buf)));
    SAY("realpath: abs-link [%s]", rel(realpath("rp/root/tmp/..", buf)));
    SAY("realpath: root [%s] dotdot-above-root [%s]", realpath("/", buf), realpath("/../..", buf + 100));
    char *m = realpath(".", 0);
    SAY("realpath: malloc [%s]", rel(m));
    free(m);
    SAY("realpath: missing=%s", realpath("rp/nope", buf) ? "found" : ename(errno));
    SAY("realpath: missing-mid=%s", realpath("rp/nope/x", buf) ? "found" : ename(errno));
    SAY("realpath: file-dotdot=%s", realpath("rp/a/file/..", buf) ? "found" : ename(errno));
    SAY("realpath: file-slash=%s", realpath("rp/a/file/", buf) ? "found" : ename(errno));
    SAY("realpath: file-child=%s", realpath("rp/a/file/x", buf) ? "found" : ename(errno));
    SAY("realpath: loop=%s", realpath("rp/loop1", buf) ? "found" : ename(errno));
    SAY("realpath: empty=%s", realpath("", buf) ? "found" : ename(errno));
    SAY("realpath: dir-slash [%s]", rel(realpath("rp/a/", buf)));
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static const char *dtype(unsigned char t)
{
    switch (t) {
    case DT_REG: return "reg";
    case DT_DIR: return "dir";
    case DT_LNK: return "lnk";
    case DT_FIFO: return "fifo";
    case DT_UNKNOWN: return "unknown";
    }
    return "other";
}

static int no_dots(const struct dirent *e) { return e->d_name[0] != '.'; }

static void dir_cases(void)
{
    mkdir("dd", 0700);
    put_file("dd/b", "", 0600);
    put_file("dd/a", "", 0600);
    mkdir("dd/sub", 0700);
    symlink("a", "dd/ln");
    mkfifo("dd/pipe", 0600);
    DIR *d = opendir("dd");
    SAY("opendir: %s cloexec=%d", d ? "ok" : ename(errno), d ? !!(fcntl(dirfd(d), F_GETFD) & FD_CLOEXEC) : -1);
    char *names[16];
    char line[512];
    int n = 0;
    struct dirent *e;
    errno = 0;
    while ((e = readdir(d)) && n < 16) {
        char tmp[300];
        snprintf(tmp, sizeof(tmp), "%s:%s", e->d_name, dtype(e->d_type));
        names[n++] = strdup(tmp);
    }
    SAY("readdir: end errno=%s", ename(errno));
    qsort(names, (size_t)n, sizeof(*names), cmp_str);
    line[0] = 0;
    for (int i = 0; i < n; i++) {
        strcat(line, " ");
        strcat(line, names[i]);
        free(names[i]);
    }
    SAY("readdir: %d entries:%s", n, line);
    rewinddir(d);
    int again = 0;
    long second = -1;
    char second_name[256] = "";
    while ((e = readdir(d))) {
        if (again == 1) {
            second = telldir(d);
        }
        if (again == 2)
            snprintf(second_name, sizeof(second_name), "%s", e->d_name);
        again++;
    }
    SAY("rewinddir: count=%d", again);
    seekdir(d, second);
    e = readdir(d);
    SAY("seekdir: same-entry=%d", e && !strcmp(e->d_name, second_name));
    SAY("dirfd: valid=%d", dirfd(d) >= 0 && fcntl(dirfd(d), F_GETFD) >= 0);
    SAY("closedir: %d", closedir(d));
    errno = 0;
    SAY("opendir: file=%s", opendir("dd/a") ? "ok" : ename(errno));
    SAY("opendir: missing=%s", opendir("nope") ? "ok" : ename(errno));

    int fd = open("dd", O_RDONLY | O_DIRECTORY);
    d = fdopendir(fd);
    SAY("fdopendir: %s same-fd=%d cloexec=%d", d ? "ok" : ename(errno), d && dirfd(d) == fd,
        !!(fcntl(fd, F_GETFD) & FD_CLOEXEC));
    n = 0;
    while (readdir(d))
        n++;
    SAY("fdopendir: count=%d", n);
    closedir(d);
    SAY("fdopendir: closed-by-closedir=%s", res(fcntl(fd, F_GETFD)));
    fd = open("dd/a", O_RDONLY);
    SAY("fdopendir: on-file=%s", fdopendir(fd) ? "ok" : ename(errno));
    close(fd);
    SAY("fdopendir: bad-fd=%s", fdopendir(-1) ? "ok" : ename(errno));

    struct dirent **list;
    n = scandir("dd", &list, no_dots, alphasort);
    line[0] = 0;
    for (int i = 0; i < n; i++) {
        strcat(line, " ");
        strcat(line, list[i]->d_name);
        free(list[i]);
    }
    free(list);
    SAY("scandir: %d sorted:%s", n, line);
    n = scandir("nope", &list, 0, 0);
    SAY("scandir: missing=%d %s", n, ename(errno));
}

/* nftw's visits, sorted: the order within a directory is the file
 * system's. */
static char *visits[64];
static int nvisits;
static int visit(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    static const char *types[] = {"F", "D", "DNR", "NS", "SL", "DP", "SLN"};
    char b[PATH_MAX + 64];
    snprintf(b, sizeof(b), "%s:%s:%d:%s", path, types[type], ftw->level, path + ftw->base);
    if (nvisits < 64)
        visits[nvisits++] = strdup(b);
    return 0;
}
static void show_visits(const char *what, int r)
{
    qsort(visits, (size_t)nvisits, sizeof(*visits), cmp_str);
    printf("%s: r=%d n=%d", what, r, nvisits);
    for (int i = 0; i < nvisits; i++) {
        printf(" %s", visits[i]);
        free(visits[i]);
    }
    printf("\n");
    nvisits = 0;
}
static int depth_order_ok;
static int seen_child;
static int order(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)path;
    if (ftw->level == 1)
        seen_child = 1;
    if (type == FTW_DP && ftw->level == 0)
        depth_order_ok = seen_child;
    return 0;
}
static int chdir_ok = 1;
static int in_dir(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)type;
    struct stat here;
    /* With FTW_CHDIR the name is found from the current directory. */
    if (lstat(path + ftw->base, &here) < 0)
        chdir_ok = 0;
    return 0;
}
static int stop_at(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)type;
    (void)ftw;
    return strstr(path, "sub") ? 42 : 0;
}
static int ftw_count;
static int count_ftw(const char *path, const struct stat *st, int type)
{
    (void)path;
    (void)st;
    if (type == FTW_NS)
        ftw_count += 100;
    ftw_count++;
    return 0;
}
static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    return type == FTW_DP ? rmdir(path) : unlink(path);
}

static void ftw_cases(void)
{
    mkdir("tw", 0700);
    mkdir("tw/sub", 0700);
    put_file("tw/f", "", 0600);
    put_file("tw/sub/g", "", 0600);
    symlink("f", "tw/lnk");
    symlink("nowhere", "tw/dangling");
    show_visits("nftw: phys", nftw("tw", visit, 8, FTW_PHYS));
    show_visits("nftw: follow", nftw("tw", visit, 8, 0));
    show_visits("nftw: depth", nftw("tw", visit, 8, FTW_DEPTH | FTW_PHYS));
    nftw("tw", order, 8, FTW_DEPTH);
    SAY("nftw: depth-children-first=%d", depth_order_ok);
    char before[PATH_MAX], after[PATH_MAX];
    getcwd(before, sizeof(before));
    int r = nftw("tw", in_dir, 8, FTW_CHDIR | FTW_PHYS);
    getcwd(after, sizeof(after));
    SAY("nftw: chdir r=%d found-from-cwd=%d cwd-restored=%d", r, chdir_ok, !strcmp(before, after));
    SAY("nftw: mount r=%d", nftw("tw", visit, 8, FTW_MOUNT | FTW_PHYS));
    for (int i = 0; i < nvisits; i++)
        free(visits[i]);
    nvisits = 0;
    SAY("nftw: stop=%d", nftw("tw", stop_at, 8, FTW_PHYS));
    r = nftw("nope", visit, 8, 0);
    SAY("nftw: missing=%d %s", r, ename(errno));
    r = ftw("tw", count_ftw, 8);
    SAY("ftw: r=%d count=%d", r, ftw_count);
    r = nftw("tw", remove_entry, 8, FTW_DEPTH | FTW_PHYS);
    SAY("nftw: remove-tree=%d gone=%s", r, res(access("tw", F_OK)));
}

static void shm_cases(void)
{
    char name[64];
    snprintf(name, sizeof(name), "/lf-shm-%d", (int)getpid());
    int fd = shm_open(name, O_CREAT | O_EXCL | O_RDWR, 0600);
    SAY("shm_open: %s cloexec=%d", res(fd), fd >= 0 ? !!(fcntl(fd, F_GETFD) & FD_CLOEXEC) : -1);
    if (fd >= 0) {
        SAY("shm_open: ftruncate=%s", res(ftruncate(fd, 4096)));
        char *p = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (p != MAP_FAILED) {
            strcpy(p, "shared");
            SAY("msync: sync=%s async=%s", res(msync(p, 4096, MS_SYNC)), res(msync(p, 4096, MS_ASYNC)));
            SAY("msync: bad-flags=%s", res(msync(p, 4096, MS_SYNC | MS_ASYNC)));
            munmap(p, 4096);
        }
        int fd2 = shm_open(name, O_RDONLY, 0);
        char buf[8] = {0};
        read(fd2, buf, 6);
        SAY("shm_open: reopen [%s] excl-again=%s", buf, res(shm_open(name, O_CREAT | O_EXCL | O_RDWR, 0600)));
        close(fd2);
        close(fd);
        const char *r = res(shm_unlink(name));
        SAY("shm_unlink: %s again=%s", r, res(shm_unlink(name)));
    }
    SAY("shm_open: slash-inside=%s empty=%s", res(shm_open("/a/b", O_RDONLY, 0)), res(shm_open("/", O_RDONLY, 0)));
    SAY("shm_unlink: slash-inside=%s", res(shm_unlink("/a/b")));
}

/* Runs fn in a child whose stdout is a pipe; prints what it printed and
 * how it ended. */
static void in_child(const char *what, void (*fn)(void))
{
    int p[2];
    pipe(p);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(p[1], 1);
        close(p[0]);
        close(p[1]);
        fn();
        printf("returned: %s\n", ename(errno));
        fflush(stdout);
        _exit(99);
    }
    close(p[1]);
    char buf[1024];
    size_t len = 0;
    ssize_t n;
    while (len < sizeof(buf) - 1 && (n = read(p[0], buf + len, sizeof(buf) - 1 - len)) > 0)
        len += (size_t)n;
    buf[len] = 0;
    close(p[0]);
    int status;
    waitpid(pid, &status, 0);
    while (len && buf[len - 1] == '\n')
        buf[--len] = 0;
    for (char *c = buf; *c; c++)
        if (*c == '\n')
            *c = '|';
    SAY("%s: exit=%d {%s}", what, WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status), buf);
}

static char *child_env[] = {"LFVAR=from-envp", "PATH=/nonexistent", 0};

static void do_execve(void)
{
    char *argv[] = {"x", "child", "execve", 0};
    execve(self_path, argv, child_env);
}
static void do_execv(void)
{
    char *argv[] = {"x", "child", "execv", 0};
    execv(self_path, argv);
}
static void do_execl(void) { execl(self_path, "x", "child", "execl", "two", (char *)0); }
static void do_execle(void) { execle(self_path, "x", "child", "execle", (char *)0, child_env); }
static void do_execlp(void) { execlp("lfself", "x", "child", "execlp", (char *)0); }
static void do_execvp(void)
{
    char *argv[] = {"x", "child", "execvp", 0};
    execvp("lfself", argv);
}
static void do_execvpe(void)
{
    char *argv[] = {"x", "child", "execvpe", 0};
    execvpe("lfself", argv, child_env);
}
static void do_execvp_slash(void)
{
    char *argv[] = {"x", "child", "slash", 0};
    execvp("bin/lfself", argv);
}
static void do_execvp_missing(void)
{
    char *argv[] = {"x", 0};
    execvp("lf-no-such-program", argv);
}
static void do_execvp_eacces(void)
{
    char *argv[] = {"x", 0};
    execvp("noexec", argv);
}
static void do_execvp_empty(void)
{
    char *argv[] = {"x", 0};
    execvp("", argv);
}
static void do_execvp_script(void)
{
    char *argv[] = {"script", "arg1", 0};
    execvp("script", argv);
}
static void do_execve_enoexec(void)
{
    char *argv[] = {"script", 0};
    execve("bin/script", argv, environ);
}
static void do_fexecve(void)
{
    char *argv[] = {"x", "child", "fexecve", 0};
    int fd = open(self_path, O_RDONLY | O_CLOEXEC);
    fexecve(fd, argv, child_env);
}
static void do_fexecve_bad(void)
{
    char *argv[] = {"x", 0};
    fexecve(-1, argv, child_env);
}

static void exec_cases(void)
{
    mkdir("bin", 0700);
    symlink(self_path, "bin/lfself");
    put_file("bin/noexec", "", 0600);
    put_file("bin/script", "echo script-ran \"${0##*/}\" \"$1\"\n", 0700);
    static char path_var[PATH_MAX + 16];
    snprintf(path_var, sizeof(path_var), "PATH=/nonexistent::%s/bin", top);
    static char *env[] = {path_var, "LFVAR=from-environ", 0};
    char **saved = environ;
    environ = env;
    in_child("execve", do_execve);
    in_child("execv", do_execv);
    in_child("execl", do_execl);
    in_child("execle", do_execle);
    in_child("execlp", do_execlp);
    in_child("execvp", do_execvp);
    in_child("execvpe", do_execvpe);
    in_child("execvp: slash", do_execvp_slash);
    in_child("execvp: missing", do_execvp_missing);
    in_child("execvp: eacces", do_execvp_eacces);
    in_child("execvp: empty", do_execvp_empty);
    in_child("execvp: script", do_execvp_script);
    in_child("execve: enoexec", do_execve_enoexec);
    in_child("fexecve", do_fexecve);
    in_child("fexecve: bad", do_fexecve_bad);
    environ = saved;

    int fd = open("m1", O_RDONLY);
    dup2(fd, 20);
    dup2(fd, 21);
    dup2(fd, 22);
    close(fd);
    const char *r = res(close_range(20, 21, CLOSE_RANGE_CLOEXEC));
    SAY("close_range: cloexec=%s flags=%d%d%d", r, !!(fcntl(20, F_GETFD) & FD_CLOEXEC),
        !!(fcntl(21, F_GETFD) & FD_CLOEXEC), !!(fcntl(22, F_GETFD) & FD_CLOEXEC));
    r = res(close_range(20, 22, 0));
    const char *r20 = res(fcntl(20, F_GETFD));
    SAY("close_range: %s 20=%s 22=%s", r, r20, res(fcntl(22, F_GETFD)));
    SAY("close_range: bad=%s", res(close_range(5, 4, 0)));
}

static void usr2(int sig) { (void)sig; }

static int spawn_status(pid_t pid)
{
    int status;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

static void spawn_cases(void)
{
    pid_t pid;
    char *argv[] = {"x", "child", "spawn", 0};
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;

    SAY("posix_spawn_file_actions_init: %d", posix_spawn_file_actions_init(&fa));
    SAY("posix_spawn_file_actions_addopen: %d", posix_spawn_file_actions_addopen(&fa, 1, "spawn-out", O_WRONLY | O_CREAT | O_TRUNC, 0600));
    int keep = open("m1", O_RDONLY);
    int gone = open("m1", O_RDONLY);
    SAY("posix_spawn_file_actions_adddup2: %d", posix_spawn_file_actions_adddup2(&fa, keep, 5));
    SAY("posix_spawn_file_actions_addclose: %d", posix_spawn_file_actions_addclose(&fa, 6));
    SAY("posix_spawn_file_actions: bad-fd open=%s dup2=%s close=%s",
        ename(posix_spawn_file_actions_addopen(&fa, -1, "x", 0, 0)), ename(posix_spawn_file_actions_adddup2(&fa, 1, -1)),
        ename(posix_spawn_file_actions_addclose(&fa, -1)));
    dup2(gone, 6);
    close(gone);
    int r = posix_spawn(&pid, self_path, &fa, 0, argv, child_env);
    SAY("posix_spawn: %s status=%d", ename(r), r ? -1 : spawn_status(pid));
    SAY("posix_spawn: child-out [%s]", file_text("spawn-out"));
    SAY("posix_spawn_file_actions_destroy: %d", posix_spawn_file_actions_destroy(&fa));
    close(6);
    close(keep);

    /* Signals: SIGUSR1 ignored here and named in sigdefault, SIGUSR2
     * caught (so default in the child), SIGTERM ignored (stays so);
     * SIGUSR2 blocked in the child by the attribute's mask. */
    signal(SIGUSR1, SIG_IGN);
    signal(SIGUSR2, usr2);
    signal(SIGTERM, SIG_IGN);
    SAY("posix_spawnattr_init: %d", posix_spawnattr_init(&at));
    sigset_t def, mask;
    sigemptyset(&def);
    sigaddset(&def, SIGUSR1);
    sigemptyset(&mask);
    sigaddset(&mask, SIGUSR2);
    SAY("posix_spawnattr_setsigdefault: %d", posix_spawnattr_setsigdefault(&at, &def));
    SAY("posix_spawnattr_setsigmask: %d", posix_spawnattr_setsigmask(&at, &mask));
    SAY("posix_spawnattr_setflags: %d", posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP));
    short flags;
    posix_spawnattr_getflags(&at, &flags);
    SAY("posix_spawnattr_getflags: %#x", flags);
    posix_spawnattr_setpgroup(&at, 0);
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "spawn-out2", O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addchdir_np(&fa, "bin");
    r = posix_spawn(&pid, self_path, &fa, &at, argv, child_env);
    int st = r ? -1 : spawn_status(pid);
    SAY("posix_spawn: attrs %s status=%d out [%s]", ename(r), st, file_text("spawn-out2"));
    sigset_t own;
    sigprocmask(SIG_BLOCK, 0, &own);
    SAY("posix_spawn: own-mask-unchanged=%d", !sigismember(&own, SIGUSR2));
    SAY("posix_spawnattr_destroy: %d", posix_spawnattr_destroy(&at));
    posix_spawn_file_actions_destroy(&fa);
    signal(SIGUSR1, SIG_DFL);
    signal(SIGUSR2, SIG_DFL);
    signal(SIGTERM, SIG_DFL);

    static char path_var[PATH_MAX + 16];
    snprintf(path_var, sizeof(path_var), "PATH=/nonexistent:%s/bin", top);
    static char *env[] = {path_var, "LFVAR=spawnp", 0};
    char **saved = environ;
    environ = env;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "spawn-out3", O_WRONLY | O_CREAT | O_TRUNC, 0600);
    char *pargv[] = {"x", "child", "spawnp", 0};
    r = posix_spawnp(&pid, "lfself", &fa, 0, pargv, environ);
    st = r ? -1 : spawn_status(pid);
    SAY("posix_spawnp: %s status=%d out [%s]", ename(r), st, file_text("spawn-out3"));
    posix_spawn_file_actions_destroy(&fa);
    pid = 12345;
    SAY("posix_spawnp: missing=%s pid-untouched=%d", ename(posix_spawnp(&pid, "lf-no-such", 0, 0, pargv, environ)),
        pid == 12345);
    SAY("posix_spawnp: eacces=%s", ename(posix_spawnp(&pid, "noexec", 0, 0, pargv, environ)));
    environ = saved;
    SAY("posix_spawn: missing=%s", ename(posix_spawn(&pid, "/nonexistent/prog", 0, 0, pargv, environ)));
    SAY("posix_spawn: noexec=%s", ename(posix_spawn(&pid, "bin/noexec", 0, 0, pargv, environ)));
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 3, "no/such/file", O_RDONLY, 0);
    SAY("posix_spawn: failed-action=%s", ename(posix_spawn(&pid, self_path, &fa, 0, pargv, environ)));
    posix_spawn_file_actions_destroy(&fa);
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addchdir_np(&fa, "no-such-dir");
    SAY("posix_spawn: failed-chdir=%s", ename(posix_spawn(&pid, self_path, &fa, 0, pargv, environ)));
    posix_spawn_file_actions_destroy(&fa);
    SAY("wait: no-children-left=%s", res(waitpid(-1, 0, WNOHANG)));
}

static int rm_all(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    if (type == FTW_DP)
        return rmdir(path);
    return unlink(path);
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "child"))
        return child_main(argc, argv);
    static char self[PATH_MAX];
    if (!realpath(argv[0], self)) {
        printf("cannot resolve %s: %s\n", argv[0], ename(errno));
        return 1;
    }
    self_path = self;
    umask(022);

    strcpy(top, "/tmp/libc-files-XXXXXX");
    if (!mkdtemp(top)) {
        printf("mkdtemp: %s\n", ename(errno));
        return 1;
    }
    struct stat st;
    stat(top, &st);
    SAY("mkdtemp: top name-ok=%d dir=%d mode=%o", name_ok(top, 16), S_ISDIR(st.st_mode), st.st_mode & 0777);
    if (!realpath(top, top_real))
        strcpy(top_real, top);
    SAY("chdir: top=%s", res(chdir(top)));

    open_cases();
    io_cases();
    access_cases();
    name_cases();
    meta_cases();
    fs_cases();
    cwd_cases();
    stdio_cases();
    temp_cases();
    realpath_cases();
    dir_cases();
    ftw_cases();
    shm_cases();
    exec_cases();
    spawn_cases();

    chdir("/");
    int r = nftw(top, rm_all, 16, FTW_DEPTH | FTW_PHYS);
    SAY("cleanup: %d gone=%s", r, res(access(top, F_OK)));
    return 0;
}
