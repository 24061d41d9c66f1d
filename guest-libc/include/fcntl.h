#ifndef _FCNTL_H
#define _FCNTL_H
#include <features.h>
#include <sys/types.h>
#include <bits/fcntl.h>
__BEGIN_DECLS
int fcntl(int fd, int cmd, ...);
__END_DECLS
#endif
