/* Clocks: monotonic never goes back, realtime is a plausible date. */
#include <stdio.h>
#include <time.h>

int main(void)
{
    struct timespec prev, now;
    int ok = clock_gettime(CLOCK_MONOTONIC, &prev) == 0;
    for (int i = 0; i < 1000 && ok; i++) {
        ok = clock_gettime(CLOCK_MONOTONIC, &now) == 0 && now.tv_nsec >= 0 && now.tv_nsec < 1000000000 &&
             (now.tv_sec > prev.tv_sec || (now.tv_sec == prev.tv_sec && now.tv_nsec >= prev.tv_nsec));
        prev = now;
    }
    printf("monotonic %s\n", ok ? "ok" : "WRONG");
    struct timespec rt;
    ok = clock_gettime(CLOCK_REALTIME, &rt) == 0 && rt.tv_sec > 1735689600 /* 2025 */ && rt.tv_nsec < 1000000000;
    printf("realtime %s\n", ok ? "ok" : "WRONG");
    time_t t = time(0);
    printf("time() agrees: %s\n", t >= rt.tv_sec && t - rt.tv_sec < 5 ? "yes" : "no");
    struct timespec res;
    printf("monotonic resolution <= 1us: %s\n",
           clock_getres(CLOCK_MONOTONIC, &res) == 0 && res.tv_sec == 0 && res.tv_nsec <= 1000 ? "yes" : "no");
    return 0;
}
