/* msync, and POSIX shared memory objects: files in /dev/shm, the tmpfs
 * Linux mounts for them. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "internal.h"

int msync(void *addr, size_t len, int flags)
{
    return (int)__syscall_ret(__syscall_cp3(SYS_msync, addr, len, flags));
}

#define SHM_DIR "/dev/shm/"

/* An object's name is one file name after any leading slashes (as glibc
 * and musl take it): EINVAL for an empty one, one with another slash,
 * or "." and "..", which would name directories. */
static char *shm_path(const char *name, char *buf)
{
    while (*name == '/')
        name++;
    size_t n = strlen(name);
    if (!n || memchr(name, '/', n) || !strcmp(name, ".") || !strcmp(name, "..")) {
        errno = EINVAL;
        return 0;
    }
    if (n > NAME_MAX) {
        errno = ENAMETOOLONG;
        return 0;
    }
    memcpy(buf, SHM_DIR, sizeof(SHM_DIR) - 1);
    memcpy(buf + sizeof(SHM_DIR) - 1, name, n + 1);
    return buf;
}

/* Never through a symbolic link planted in the shared directory, and
 * never inherited by exec, as glibc opens them. */
int shm_open(const char *name, int flags, mode_t mode)
{
    char buf[sizeof(SHM_DIR) + NAME_MAX];
    char *path = shm_path(name, buf);
    if (!path)
        return -1;
    return open(path, flags | O_NOFOLLOW | O_CLOEXEC, mode);
}

/* A name no object can have names none that exists: ENOENT, as glibc
 * has it. The file's directory may refuse unlink with EPERM (sticky
 * /dev/shm, somebody else's object): EACCES in POSIX's terms. */
int shm_unlink(const char *name)
{
    char buf[sizeof(SHM_DIR) + NAME_MAX];
    char *path = shm_path(name, buf);
    if (!path) {
        if (errno == EINVAL)
            errno = ENOENT;
        return -1;
    }
    long r = __syscall1(SYS_unlink, path);
    if (r == -EPERM)
        r = -EACCES;
    return (int)__syscall_ret(r);
}
