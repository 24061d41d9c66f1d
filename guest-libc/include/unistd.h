#ifndef _UNISTD_H
#define _UNISTD_H
#include <features.h>
#include <sys/types.h>
#include <bits/fcntl.h>
__BEGIN_DECLS
#define STDIN_FILENO 0
#define STDOUT_FILENO 1
#define STDERR_FILENO 2
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
__END_DECLS
#endif
