#ifndef _SYS_STAT_H
#define _SYS_STAT_H
#include <features.h>
#include <sys/types.h>
#include <bits/fcntl.h>
#include <bits/timespec.h>
__BEGIN_DECLS
mode_t umask(mode_t mask);
__END_DECLS
#endif
