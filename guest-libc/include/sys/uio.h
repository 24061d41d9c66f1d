#ifndef _SYS_UIO_H
#define _SYS_UIO_H
#include <features.h>
#include <sys/types.h>
__BEGIN_DECLS
struct iovec {
    void *iov_base;
    size_t iov_len;
};
ssize_t writev(int fd, const struct iovec *iov, int n);
ssize_t readv(int fd, const struct iovec *iov, int n);
__END_DECLS
#endif
