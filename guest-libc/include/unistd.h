#ifndef _UNISTD_H
#define _UNISTD_H
#include <features.h>
#include <sys/types.h>
#include <bits/fcntl.h>
__BEGIN_DECLS
#define STDIN_FILENO 0
#define STDOUT_FILENO 1
#define STDERR_FILENO 2
/* access() and faccessat() modes. */
#define F_OK 0
#define X_OK 1
#define W_OK 2
#define R_OK 4
#define _SC_CLK_TCK 2
#define _SC_PAGESIZE 30
#define _SC_PAGE_SIZE _SC_PAGESIZE
#define _SC_NPROCESSORS_CONF 83
#define _SC_NPROCESSORS_ONLN 84
ssize_t read(int fd, void *buf, size_t n);
ssize_t write(int fd, const void *buf, size_t n);
int close(int fd);
off_t lseek(int fd, off_t off, int whence);
pid_t getpid(void);
pid_t getppid(void);
pid_t gettid(void);
uid_t getuid(void);
uid_t geteuid(void);
gid_t getgid(void);
gid_t getegid(void);
int brk(void *addr);
void *sbrk(long inc);
long sysconf(int name);
int getpagesize(void);
__noreturn void _exit(int status);
long syscall(long n, ...);
pid_t fork(void);
pid_t vfork(void);
unsigned sleep(unsigned seconds);
int usleep(unsigned usec);
int pause(void);
unsigned alarm(unsigned seconds);
int dup(int fd);
int dup2(int fd, int fd2);
int dup3(int fd, int fd2, int flags);
int pipe(int fds[2]);
#ifdef _GNU_SOURCE
int pipe2(int fds[2], int flags);
#endif
pid_t getpgrp(void);
pid_t getpgid(pid_t pid);
int setpgid(pid_t pid, pid_t pgid);
pid_t getsid(pid_t pid);
pid_t setsid(void);

ssize_t pread(int fd, void *buf, size_t n, off_t off);
ssize_t pwrite(int fd, const void *buf, size_t n, off_t off);
int access(const char *path, int mode);
int faccessat(int dirfd, const char *path, int mode, int flags);
int chdir(const char *path);
int fchdir(int fd);
char *getcwd(char *buf, size_t size);
int rmdir(const char *path);
int unlink(const char *path);
int unlinkat(int dirfd, const char *path, int flags);
int link(const char *oldpath, const char *newpath);
int linkat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, int flags);
int symlink(const char *target, const char *path);
int symlinkat(const char *target, int dirfd, const char *path);
ssize_t readlink(const char *restrict path, char *restrict buf, size_t size);
ssize_t readlinkat(int dirfd, const char *restrict path, char *restrict buf, size_t size);
int truncate(const char *path, off_t len);
int ftruncate(int fd, off_t len);
int fsync(int fd);
int fdatasync(int fd);
void sync(void);
int isatty(int fd);
int chown(const char *path, uid_t uid, gid_t gid);
int fchown(int fd, uid_t uid, gid_t gid);
int lchown(const char *path, uid_t uid, gid_t gid);
int fchownat(int dirfd, const char *path, uid_t uid, gid_t gid, int flags);
int getgroups(int size, gid_t list[]);

int execve(const char *path, char *const argv[], char *const envp[]);
int execv(const char *path, char *const argv[]);
int execvp(const char *file, char *const argv[]);
int execl(const char *path, const char *arg, ...);
int execlp(const char *file, const char *arg, ...);
int execle(const char *path, const char *arg, ...);
int fexecve(int fd, char *const argv[], char *const envp[]);
#ifdef _GNU_SOURCE
int execvpe(const char *file, char *const argv[], char *const envp[]);
/* close_range's flags (linux/close_range.h). */
#define CLOSE_RANGE_UNSHARE (1U << 1)
#define CLOSE_RANGE_CLOEXEC (1U << 2)
int close_range(unsigned first, unsigned last, int flags);
int syncfs(int fd);
extern char **environ;
#endif
__END_DECLS
#endif
