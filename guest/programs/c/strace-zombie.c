/* For `--strace`'s pid prefix: a child exits and stays a zombie while the
 * parent, alone again as far as strace -f is concerned, makes calls; then
 * the parent reaps it. strace drops a task when it exits, so those calls
 * carry no `[pid N]` prefix. */
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(void)
{
    pid_t child = fork();
    if (child == 0)
        _exit(3);
    struct timespec ts = {0, 50 * 1000 * 1000};
    nanosleep(&ts, NULL); /* the child exits meanwhile */
    getppid();
    int status;
    waitpid(child, &status, 0);
    return WEXITSTATUS(status) == 3 ? 0 : 1;
}
