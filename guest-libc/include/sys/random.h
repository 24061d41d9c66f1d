#ifndef _SYS_RANDOM_H
#define _SYS_RANDOM_H
#include <features.h>
#include <sys/types.h>
#include <bits/random.h>
__BEGIN_DECLS
ssize_t getrandom(void *buf, size_t n, unsigned flags);
__END_DECLS
#endif
