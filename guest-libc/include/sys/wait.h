#ifndef _SYS_WAIT_H
#define _SYS_WAIT_H
#include <features.h>
#include <sys/types.h>
#include <bits/wait.h>
__BEGIN_DECLS
#define WEXITSTATUS(s) (((s) & 0xff00) >> 8)
#define WTERMSIG(s) ((s) & 0x7f)
#define WIFEXITED(s) (WTERMSIG(s) == 0)
#define WIFSIGNALED(s) (((signed char)(((s) & 0x7f) + 1) >> 1) > 0)
#define WIFSTOPPED(s) (((s) & 0xff) == 0x7f)
#define WSTOPSIG(s) WEXITSTATUS(s)
#define WIFCONTINUED(s) ((s) == 0xffff)
#define WCOREDUMP(s) ((s) & 0x80)
pid_t waitpid(pid_t pid, int *status, int options);
pid_t wait(int *status);
struct rusage;
pid_t wait4(pid_t pid, int *status, int options, struct rusage *ru);
__END_DECLS
#endif
