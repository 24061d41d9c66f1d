/* realpath: the absolute name of a file with every symbolic link, "."
 * and ".." resolved through the file system itself, a component at a
 * time. A relative name starts from getcwd. Each prefix resolved so far
 * is a real directory path, so ".." simply drops its last component;
 * readlink tells a link (its target replaces the component) from
 * anything else (EINVAL), and any other failure of it (ENOENT, ENOTDIR,
 * EACCES) is realpath's. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "internal.h"

/* Linux's limit on links followed in one lookup. */
#define MAX_LINKS 40

/* Whether what follows a component makes it a directory it must be: a
 * trailing slash, or "." or ".." after it. readlink accepts a regular
 * file there; the kernel's lookup would not. */
static int needs_dir(const char *rest)
{
    while (*rest == '/') {
        while (*rest == '/')
            rest++;
        if (!*rest)
            return 1;
        if (rest[0] != '.')
            return 0;
        if (!rest[1] || rest[1] == '/' || (rest[1] == '.' && (!rest[2] || rest[2] == '/')))
            return 1;
        return 0;
    }
    return 0;
}

char *realpath(const char *restrict path, char *restrict resolved)
{
    char out[PATH_MAX], rest[PATH_MAX], link[PATH_MAX];
    if (!path) {
        errno = EINVAL;
        return 0;
    }
    if (!*path) {
        errno = ENOENT;
        return 0;
    }
    size_t plen = strlen(path);
    if (plen >= sizeof(rest)) {
        errno = ENAMETOOLONG;
        return 0;
    }
    memcpy(rest, path, plen + 1);
    size_t olen;
    if (path[0] == '/') {
        out[0] = '/';
        out[1] = 0;
        olen = 1;
    } else {
        if (!getcwd(out, sizeof(out)))
            return 0;
        olen = strlen(out);
    }

    int links = 0;
    const char *p = rest;
    long err = 0;
    while (*p) {
        while (*p == '/')
            p++;
        if (!*p)
            break;
        const char *end = p;
        while (*end && *end != '/')
            end++;
        size_t clen = (size_t)(end - p);
        if (clen == 1 && p[0] == '.') {
            p = end;
            continue;
        }
        if (clen == 2 && p[0] == '.' && p[1] == '.') {
            while (olen > 1 && out[olen - 1] != '/')
                olen--;
            if (olen > 1)
                olen--;
            out[olen] = 0;
            p = end;
            continue;
        }
        size_t parent = olen;
        if (olen + 1 + clen >= sizeof(out)) {
            err = -ENAMETOOLONG;
            break;
        }
        if (olen > 1)
            out[olen++] = '/';
        memcpy(out + olen, p, clen);
        olen += clen;
        out[olen] = 0;

        long n = __syscall3(SYS_readlink, out, link, sizeof(link));
        if (n >= 0) {
            size_t tail = strlen(end);
            if (++links > MAX_LINKS) {
                err = -ELOOP;
                break;
            }
            if ((size_t)n + tail >= sizeof(rest)) {
                err = -ENAMETOOLONG;
                break;
            }
            /* The rest of the name is now the link's target followed by
             * what came after the link. */
            memmove(rest + n, end, tail + 1);
            memcpy(rest, link, (size_t)n);
            p = rest;
            olen = link[0] == '/' ? 1 : parent;
            out[olen] = 0;
            continue;
        }
        if (n != -EINVAL) {
            err = n;
            break;
        }
        if (needs_dir(end)) {
            struct stat st;
            err = __syscall4(SYS_newfstatat, AT_FDCWD, out, &st, 0);
            if (err == 0 && !S_ISDIR(st.st_mode))
                err = -ENOTDIR;
            if (err)
                break;
        }
        p = end;
    }
    if (err) {
        errno = (int)-err;
        return 0;
    }
    if (resolved) {
        memcpy(resolved, out, olen + 1);
        return resolved;
    }
    char *r = strdup(out);
    if (!r)
        errno = ENOMEM;
    return r;
}
