/* File tree walks. Each directory is read through a descriptor opened
 * relative to its parent's, and its entries are looked up relative to
 * it, so the walk does not depend on the current directory (FTW_CHDIR
 * changes it for the callback only) and costs no path lookup from the
 * top per file. One directory per level stays open: nopenfd is not a
 * limit here, the depth of the tree is. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>
#include "internal.h"

struct walk {
    int (*nfn)(const char *, const struct stat *, int, struct FTW *);
    int (*fn)(const char *, const struct stat *, int); /* ftw's */
    int flags;
    dev_t dev;
    char path[PATH_MAX];
};

static int report(struct walk *w, const struct stat *st, int type, int base, int level)
{
    if (w->fn)
        return w->fn(w->path, st, type == FTW_SLN ? FTW_NS : type);
    struct FTW f = {.base = base, .level = level};
    return w->nfn(w->path, st, type, &f);
}

/* The object w->path[0..len) names, found as `name` in the directory
 * pfd; `cwd` is the directory to be in while it is reported (FTW_CHDIR),
 * or -1. */
static int walk(struct walk *w, int pfd, const char *name, size_t len, int base, int level, int cwd)
{
    struct stat st;
    int type;
    int nofollow = (w->flags & FTW_PHYS) ? AT_SYMLINK_NOFOLLOW : 0;
    if (fstatat(pfd, name, &st, nofollow) < 0) {
        if (!nofollow && errno == ENOENT && fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
            S_ISLNK(st.st_mode))
            type = FTW_SLN;
        else if (level > 0 && (errno == ENOENT || errno == EACCES)) {
            memset(&st, 0, sizeof(st));
            type = FTW_NS;
        }
        else
            return -1;
    } else if (S_ISDIR(st.st_mode)) {
        type = FTW_D;
    } else if (S_ISLNK(st.st_mode)) {
        type = FTW_SL;
    } else {
        type = FTW_F;
    }
    if (level == 0)
        w->dev = st.st_dev;
    else if ((w->flags & FTW_MOUNT) && type != FTW_NS && st.st_dev != w->dev)
        return 0;
    if (type != FTW_D)
        return report(w, &st, type, base, level);

    int dfd = openat(pfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NONBLOCK);
    DIR *d = dfd < 0 ? 0 : __dir_alloc(dfd);
    if (!d) {
        int e = errno;
        if (dfd >= 0)
            close(dfd);
        if (e != EACCES) {
            errno = e;
            return -1;
        }
        return report(w, &st, FTW_DNR, base, level);
    }
    int r = 0;
    if (!(w->flags & FTW_DEPTH))
        r = report(w, &st, FTW_D, base, level);
    if (!r && cwd >= 0 && fchdir(dfd) < 0)
        r = -1;
    struct dirent *de;
    while (!r) {
        errno = 0;
        if (!(de = readdir(d))) {
            if (errno)
                r = -1;
            break;
        }
        if (de->d_name[0] == '.' && (!de->d_name[1] || (de->d_name[1] == '.' && !de->d_name[2])))
            continue;
        size_t n = strlen(de->d_name);
        size_t at = len && w->path[len - 1] == '/' ? len : len + 1;
        if (at + n >= sizeof(w->path)) {
            errno = ENAMETOOLONG;
            r = -1;
            break;
        }
        w->path[at - 1] = '/';
        memcpy(w->path + at, de->d_name, n + 1);
        r = walk(w, dfd, w->path + at, at + n, (int)at, level + 1, cwd >= 0 ? dfd : -1);
        /* A subdirectory's walk leaves us back here. */
    }
    w->path[len] = 0;
    int e = errno;
    closedir(d);
    errno = e;
    if (cwd >= 0 && fchdir(cwd) < 0 && !r)
        r = -1;
    if (!r && (w->flags & FTW_DEPTH))
        r = report(w, &st, FTW_DP, base, level);
    return r;
}

/* The starting point is reported from the directory that holds it when
 * FTW_CHDIR is given; the caller's current directory is restored at the
 * end. */
static int start(struct walk *w, const char *path)
{
    size_t len = strlen(path);
    if (len >= sizeof(w->path)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(w->path, path, len + 1);
    size_t end = len;
    while (end > 1 && path[end - 1] == '/')
        end--;
    size_t base = end;
    while (base > 0 && path[base - 1] != '/')
        base--;
    if (!(w->flags & FTW_CHDIR))
        return walk(w, AT_FDCWD, w->path, len, (int)base, 0, -1);

    int saved = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (saved < 0)
        return -1;
    int pfd = saved;
    if (base > 0) {
        char dir[PATH_MAX];
        memcpy(dir, path, base);
        dir[base] = 0;
        pfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (pfd < 0 || fchdir(pfd) < 0) {
            int e = errno;
            if (pfd >= 0)
                close(pfd);
            close(saved);
            errno = e;
            return -1;
        }
    }
    int r = walk(w, pfd, w->path + base, len, (int)base, 0, pfd);
    int e = errno;
    if (fchdir(saved) < 0 && !r)
        r = -1;
    else
        errno = e;
    if (pfd != saved)
        close(pfd);
    close(saved);
    return r;
}

int nftw(const char *path, int (*fn)(const char *, const struct stat *, int, struct FTW *), int nopenfd, int flags)
{
    (void)nopenfd;
    struct walk w = {.nfn = fn, .flags = flags};
    return start(&w, path);
}

int ftw(const char *path, int (*fn)(const char *, const struct stat *, int), int nopenfd)
{
    (void)nopenfd;
    struct walk w = {.fn = fn};
    return start(&w, path);
}
