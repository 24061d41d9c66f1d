#ifndef _SYS_RANDOM_H
#define _SYS_RANDOM_H
#include <features.h>
#include <sys/types.h>
__BEGIN_DECLS
#define GRND_NONBLOCK 1
#define GRND_RANDOM 2
#define GRND_INSECURE 4
ssize_t getrandom(void *buf, size_t n, unsigned flags);
__END_DECLS
#endif
