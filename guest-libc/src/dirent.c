/* Directory streams over getdents64, whose records are struct dirent's
 * layout: readdir hands out pointers into the stream's buffer, valid
 * until the next readdir, rewinddir, seekdir or closedir on it. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "internal.h"

/* Enough for a hundred-odd entries per getdents64, and the whole stream
 * within malloc's 8 KiB class: the larger classes give their pages back
 * on free, a system call per closedir. */
#define DIRBUF (8192 - 64)

struct __dirstream {
    int fd;
    int lock;
    size_t pos, len;  /* unread records: buf[pos..len) */
    off_t tell;       /* d_off of the last record returned: where the next starts */
    _Alignas(8) char buf[DIRBUF];
};

DIR *__dir_alloc(int fd)
{
    DIR *d = calloc(1, sizeof(*d));
    if (!d)
        return 0;
    d->fd = fd;
    return d;
}

DIR *opendir(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return 0;
    DIR *d = __dir_alloc(fd);
    if (!d)
        __syscall1(SYS_close, fd);
    return d;
}

/* The descriptor must be open for reading a directory, and is the
 * stream's from now on: close-on-exec, as POSIX has it. */
DIR *fdopendir(int fd)
{
    struct stat st;
    if (fstat(fd, &st) < 0)
        return 0;
    if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return 0;
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0)
        return 0;
    if ((fl & O_ACCMODE) == O_WRONLY || (fl & O_PATH)) {
        errno = EINVAL;
        return 0;
    }
    if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
        return 0;
    return __dir_alloc(fd);
}

int closedir(DIR *d)
{
    int r = close(d->fd);
    free(d);
    return r;
}

int dirfd(DIR *d) { return d->fd; }

/* At the end of the directory errno is left as it was: callers tell the
 * end from an error by clearing it first. */
struct dirent *readdir(DIR *d)
{
    __lll_lock(&d->lock);
    struct dirent *de = 0;
    if (d->pos >= d->len) {
        long n = __syscall3(SYS_getdents64, d->fd, d->buf, sizeof(d->buf));
        if (n <= 0) {
            /* A directory removed while open reads as empty. */
            if (n < 0 && n != -ENOENT)
                __syscall_ret(n);
            __lll_unlock(&d->lock);
            return 0;
        }
        d->len = (size_t)n;
        d->pos = 0;
    }
    de = (struct dirent *)(d->buf + d->pos);
    d->pos += de->d_reclen;
    d->tell = de->d_off;
    __lll_unlock(&d->lock);
    return de;
}

void rewinddir(DIR *d)
{
    __lll_lock(&d->lock);
    lseek(d->fd, 0, SEEK_SET);
    d->pos = d->len = 0;
    d->tell = 0;
    __lll_unlock(&d->lock);
}

long telldir(DIR *d) { return (long)d->tell; }

void seekdir(DIR *d, long pos)
{
    __lll_lock(&d->lock);
    d->tell = lseek(d->fd, pos, SEEK_SET);
    d->pos = d->len = 0;
    __lll_unlock(&d->lock);
}

int alphasort(const struct dirent **a, const struct dirent **b) { return strcmp((*a)->d_name, (*b)->d_name); }

/* The selected entries, each copied to memory of its own, sorted with
 * compar when given; the count, or -1 with nothing left allocated. */
int scandir(const char *path, struct dirent ***list, int (*filter)(const struct dirent *),
            int (*compar)(const struct dirent **, const struct dirent **))
{
    DIR *d = opendir(path);
    if (!d)
        return -1;
    struct dirent **v = 0;
    size_t n = 0, cap = 0;
    int saved = errno, err = 0;
    errno = 0;
    for (struct dirent *de; (de = readdir(d));) {
        if (filter && !filter(de))
            continue;
        if (n == cap) {
            size_t ncap = cap ? 2 * cap : 16;
            struct dirent **nv = realloc(v, ncap * sizeof(*v));
            if (!nv) {
                err = ENOMEM;
                break;
            }
            v = nv;
            cap = ncap;
        }
        v[n] = malloc(de->d_reclen);
        if (!v[n]) {
            err = ENOMEM;
            break;
        }
        memcpy(v[n++], de, de->d_reclen);
    }
    if (!err)
        err = errno;
    closedir(d);
    if (err || n > 0x7fffffff) {
        while (n)
            free(v[--n]);
        free(v);
        errno = err ? err : EOVERFLOW;
        return -1;
    }
    errno = saved;
    if (compar)
        qsort(v, n, sizeof(*v), (int (*)(const void *, const void *))(void (*)(void))compar);
    *list = v;
    return (int)n;
}
