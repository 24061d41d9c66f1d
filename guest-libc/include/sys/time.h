#ifndef _SYS_TIME_H
#define _SYS_TIME_H
#include <features.h>
#include <sys/types.h>
#include <bits/signum.h>
#include <bits/timespec.h>
__BEGIN_DECLS
struct itimerval {
    struct timeval it_interval;
    struct timeval it_value;
};
struct timezone {
    int tz_minuteswest;
    int tz_dsttime;
};
int getitimer(int which, struct itimerval *val);
int setitimer(int which, const struct itimerval *val, struct itimerval *old);
int gettimeofday(struct timeval *tv, void *tz);
__END_DECLS
#endif
