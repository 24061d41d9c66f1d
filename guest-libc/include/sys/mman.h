#ifndef _SYS_MMAN_H
#define _SYS_MMAN_H
#include <features.h>
#include <sys/types.h>
#include <bits/mman.h>
__BEGIN_DECLS
#define MAP_ANON MAP_ANONYMOUS
#define MAP_FAILED ((void *)-1)
void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);
int munmap(void *addr, size_t len);
int mprotect(void *addr, size_t len, int prot);
int madvise(void *addr, size_t len, int advice);
#define MS_ASYNC 1
#define MS_INVALIDATE 2
#define MS_SYNC 4
int msync(void *addr, size_t len, int flags);
int shm_open(const char *name, int flags, mode_t mode);
int shm_unlink(const char *name);
__END_DECLS
#endif
