#ifndef _ERRNO_H
#define _ERRNO_H
#include <features.h>
#include <bits/errno.h>
__BEGIN_DECLS
/* Per thread: lives in static TLS. */
int *__errno_location(void);
#define errno (*__errno_location())
__END_DECLS
/* Other names for the same numbers, as glibc has them. */
#define EWOULDBLOCK EAGAIN
#define EDEADLOCK EDEADLK
#define ENOTSUP EOPNOTSUPP
#endif
