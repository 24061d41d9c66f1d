/* The exec family. execvp's search is also posix_spawnp's, run in a
 * child that shares the parent's memory: it makes raw system calls only
 * and returns the error number instead of setting errno. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "internal.h"

int execve(const char *path, char *const argv[], char *const envp[])
{
    return (int)__syscall_ret(__syscall3(SYS_execve, path, argv, envp));
}

int execv(const char *path, char *const argv[]) { return execve(path, argv, environ); }

/* A file the kernel does not know how to run is a script for the
 * shell, as POSIX has execvp treat it: sh gets its name and the
 * arguments after argv[0]. */
static long exec_shell(const char *path, char *const argv[], char *const envp[])
{
    size_t argc = 0;
    while (argv[argc])
        argc++;
    char *sh_argv[argc + 3];
    sh_argv[0] = (char *)"/bin/sh";
    sh_argv[1] = (char *)path;
    size_t n = 2;
    for (size_t i = 1; i < argc; i++)
        sh_argv[n++] = argv[i];
    sh_argv[n] = 0;
    return __syscall3(SYS_execve, "/bin/sh", sh_argv, envp);
}

int __exec_search(const char *file, char *const argv[], char *const envp[], const char *path, char *buf,
                  int shell)
{
    if (!*file)
        return ENOENT;
    if (strchr(file, '/')) {
        long r = __syscall3(SYS_execve, file, argv, envp);
        if (r == -ENOEXEC && shell)
            r = exec_shell(file, argv, envp);
        return (int)-r;
    }
    size_t flen = strnlen(file, NAME_MAX + 1);
    if (flen > NAME_MAX)
        return ENAMETOOLONG;
    if (!path)
        path = EXEC_DEFAULT_PATH;
    int seen_eacces = 0, seen_toolong = 0;
    for (const char *p = path;; p++) {
        const char *end = strchr(p, ':');
        if (!end)
            end = p + strlen(p);
        size_t dlen = (size_t)(end - p);
        /* An empty element is the current directory: the bare name. */
        if (dlen + 1 + flen + 1 > PATH_MAX) {
            seen_toolong = 1;
        } else {
            memcpy(buf, p, dlen);
            size_t at = dlen;
            if (dlen)
                buf[at++] = '/';
            memcpy(buf + at, file, flen + 1);
            long r = __syscall3(SYS_execve, buf, argv, envp);
            if (r == -ENOEXEC && shell)
                r = exec_shell(buf, argv, envp);
            switch (-r) {
            case EACCES:
                seen_eacces = 1;
                break;
            /* Not there or not runnable by us: the next directory may
             * have it. The last three are how some network file systems
             * say the same. */
            case ENOENT:
            case ENOTDIR:
            case ESTALE:
            case ENODEV:
            case ETIMEDOUT:
                break;
            default:
                return (int)-r;
            }
        }
        if (!*end)
            break;
        p = end;
    }
    if (seen_eacces)
        return EACCES;
    return seen_toolong ? ENAMETOOLONG : ENOENT;
}

/* PATH is the caller's, from environ, even when envp is another
 * environment (as in glibc and musl). */
int execvpe(const char *file, char *const argv[], char *const envp[])
{
    char buf[PATH_MAX];
    errno = __exec_search(file, argv, envp, getenv("PATH"), buf, 1);
    return -1;
}

int execvp(const char *file, char *const argv[]) { return execvpe(file, argv, environ); }

/* The list forms count their arguments, then build the vector on the
 * stack: exec must not depend on malloc (it may be what failed). */
#define COUNT_ARGS(argc, arg)                    \
    do {                                         \
        va_list ap;                              \
        va_start(ap, arg);                       \
        for (argc = 1; va_arg(ap, char *); argc++) \
            ;                                    \
        va_end(ap);                              \
    } while (0)

/* argv[0] = arg, then the argc - 1 further arguments and the null from ap. */
static void fill_args(char **argv, size_t argc, const char *arg, va_list *ap)
{
    argv[0] = (char *)arg;
    for (size_t i = 1; i <= argc; i++)
        argv[i] = va_arg(*ap, char *);
}

int execl(const char *path, const char *arg, ...)
{
    size_t argc;
    COUNT_ARGS(argc, arg);
    char *argv[argc + 1];
    va_list ap;
    va_start(ap, arg);
    fill_args(argv, argc, arg, &ap);
    va_end(ap);
    return execv(path, argv);
}

int execlp(const char *file, const char *arg, ...)
{
    size_t argc;
    COUNT_ARGS(argc, arg);
    char *argv[argc + 1];
    va_list ap;
    va_start(ap, arg);
    fill_args(argv, argc, arg, &ap);
    va_end(ap);
    return execvp(file, argv);
}

/* The environment follows the null that ends the arguments. */
int execle(const char *path, const char *arg, ...)
{
    size_t argc;
    COUNT_ARGS(argc, arg);
    char *argv[argc + 1];
    va_list ap;
    va_start(ap, arg);
    fill_args(argv, argc, arg, &ap);
    char *const *envp = va_arg(ap, char *const *);
    va_end(ap);
    return execve(path, argv, envp);
}

/* execveat runs the open file itself. Kernels before 3.19 lack it: then
 * the file's /proc/self/fd name, and ENOSYS if /proc is not there to
 * give one. */
int fexecve(int fd, char *const argv[], char *const envp[])
{
    if (fd < 0 || !argv || !envp) {
        errno = EINVAL;
        return -1;
    }
    long r = __syscall6(SYS_execveat, fd, (long)"", (long)argv, (long)envp, AT_EMPTY_PATH, 0);
    if (r != -ENOSYS)
        return (int)__syscall_ret(r);
    char proc[32];
    snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
    r = __syscall3(SYS_execve, proc, argv, envp);
    struct stat st;
    if (r == -ENOENT && stat("/proc/self/fd", &st) < 0)
        r = -ENOSYS;
    return (int)__syscall_ret(r);
}
