/* Unique temporary files and directories from a template ending in
 * XXXXXX (before an optional suffix): the six letters are replaced by
 * random ones until the exclusive create succeeds. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include "internal.h"

/* glibc's TMP_MAX: 62^3 names tried before giving up with EEXIST. */
#define ATTEMPTS 238328

static const char letters[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/* Random bits from getrandom; where it has none to give (early boot, or
 * no such call), a mix of the clock and a counter, which is only unique
 * enough: O_EXCL is what makes the file ours. */
static unsigned long random_bits(void)
{
    static unsigned long counter;
    unsigned long v;
    if (__syscall3(SYS_getrandom, &v, sizeof(v), 1 /* GRND_NONBLOCK */) == (long)sizeof(v))
        return v;
    struct timespec ts;
    __syscall2(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
    v = (unsigned long)ts.tv_nsec * 0x9e3779b97f4a7c15UL ^ (unsigned long)ts.tv_sec ^
        __atomic_add_fetch(&counter, 0x632be59bd9b4e019UL, __ATOMIC_RELAXED);
    return v ^ (v >> 29);
}

enum { MAKE_FILE, MAKE_DIR };

/* The descriptor (MAKE_FILE) or 0 (MAKE_DIR); -1 with errno, the
 * template then as it was. */
static int make_temp(char *tmpl, int suffixlen, int flags, int kind)
{
    size_t len = strlen(tmpl);
    if (suffixlen < 0 || len < (size_t)suffixlen + 6 ||
        memcmp(tmpl + len - suffixlen - 6, "XXXXXX", 6)) {
        errno = EINVAL;
        return -1;
    }
    char *x = tmpl + len - suffixlen - 6;
    for (int tries = 0; tries < ATTEMPTS; tries++) {
        unsigned long v = random_bits();
        for (int i = 0; i < 6; i++, v /= 62)
            x[i] = letters[v % 62];
        long r;
        if (kind == MAKE_DIR)
            r = __syscall2(SYS_mkdir, tmpl, 0700);
        else
            r = __syscall4(SYS_openat, AT_FDCWD, tmpl, (flags & ~O_ACCMODE) | O_RDWR | O_CREAT | O_EXCL, 0600);
        if (r >= 0)
            return (int)r;
        if (r != -EEXIST) {
            memcpy(x, "XXXXXX", 6);
            return (int)__syscall_ret(r);
        }
    }
    memcpy(x, "XXXXXX", 6);
    errno = EEXIST;
    return -1;
}

int mkostemps(char *tmpl, int suffixlen, int flags) { return make_temp(tmpl, suffixlen, flags, MAKE_FILE); }
int mkstemps(char *tmpl, int suffixlen) { return make_temp(tmpl, suffixlen, 0, MAKE_FILE); }
int mkostemp(char *tmpl, int flags) { return make_temp(tmpl, 0, flags, MAKE_FILE); }
int mkstemp(char *tmpl) { return make_temp(tmpl, 0, 0, MAKE_FILE); }

char *mkdtemp(char *tmpl) { return make_temp(tmpl, 0, 0, MAKE_DIR) < 0 ? 0 : tmpl; }
