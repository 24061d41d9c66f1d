#ifndef _TIME_H
#define _TIME_H
#include <features.h>
#include <sys/types.h>
#include <bits/time.h>
__BEGIN_DECLS
struct timespec {
    time_t tv_sec;
    long tv_nsec;
};
struct timeval {
    time_t tv_sec;
    suseconds_t tv_usec;
};
int clock_gettime(clockid_t clk, struct timespec *ts);
int clock_getres(clockid_t clk, struct timespec *ts);
int nanosleep(const struct timespec *req, struct timespec *rem);
time_t time(time_t *t);
__END_DECLS
#endif
