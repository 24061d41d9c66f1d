/* struct timespec and struct timeval, for every header POSIX puts them in
 * (<time.h>, <signal.h>, <sys/stat.h>, <sys/time.h>, <sys/select.h>). */
#ifndef _BITS_TIMESPEC_H
#define _BITS_TIMESPEC_H
#include <sys/types.h>
struct timespec {
    time_t tv_sec;
    long tv_nsec;
};
struct timeval {
    time_t tv_sec;
    suseconds_t tv_usec;
};
#endif
