#ifndef _SYS_SENDFILE_H
#define _SYS_SENDFILE_H
#include <features.h>
#include <sys/types.h>
__BEGIN_DECLS
ssize_t sendfile(int out_fd, int in_fd, off_t *off, size_t count);
__END_DECLS
#endif
