#ifndef _TIME_H
#define _TIME_H
#include <features.h>
#include <sys/types.h>
#include <bits/time.h>
#include <bits/timespec.h>
__BEGIN_DECLS
typedef void *timer_t;
typedef long clock_t;
struct itimerspec {
    struct timespec it_interval;
    struct timespec it_value;
};
struct sigevent;
int clock_gettime(clockid_t clk, struct timespec *ts);
int clock_getres(clockid_t clk, struct timespec *ts);
int clock_nanosleep(clockid_t clk, int flags, const struct timespec *req, struct timespec *rem);
int nanosleep(const struct timespec *req, struct timespec *rem);
time_t time(time_t *t);
int timer_create(clockid_t clk, struct sigevent *sev, timer_t *timer);
int timer_delete(timer_t timer);
int timer_settime(timer_t timer, int flags, const struct itimerspec *val, struct itimerspec *old);
int timer_gettime(timer_t timer, struct itimerspec *val);
int timer_getoverrun(timer_t timer);
__END_DECLS
#endif
