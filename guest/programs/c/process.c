/* fork, vfork (the child writes the parent memory it shares), waitpid,
 * sigprocmask, sigaction and raise through guest-libc. */
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>
int main(void){
  pid_t p = fork();
  if (p == 0) _exit(7);
  int st; waitpid(p, &st, 0); printf("fork child exited %d\n", WEXITSTATUS(st));
  volatile int shared = 0;
  p = vfork();
  if (p == 0) { shared = 5; _exit(9); }
  waitpid(p, &st, 0); printf("vfork child exited %d, wrote parent memory: %s\n", WEXITSTATUS(st), shared == 5 ? "yes" : "no");
  sigset_t s; sigemptyset(&s); sigaddset(&s, SIGUSR1); sigprocmask(SIG_BLOCK, &s, 0); raise(SIGUSR1);
  printf("blocked SIGUSR1 raised: still alive\n");
  struct sigaction sa = {.sa_handler = SIG_IGN}; sigaction(SIGTERM, &sa, 0); raise(SIGTERM);
  printf("ignored SIGTERM raised: still alive\n");
  return 0;
}
