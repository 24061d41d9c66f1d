#ifndef _FCNTL_H
#define _FCNTL_H
#include <features.h>
#include <sys/types.h>
#include <bits/fcntl.h>
#include <bits/statmode.h>
__BEGIN_DECLS
/* The open flags and *at() flags the generated <bits/fcntl.h> does not
 * carry, with x86_64's values. O_SYNC includes O_DSYNC, and O_TMPFILE
 * O_DIRECTORY, as in the kernel's uapi. O_LARGEFILE is 0 as in glibc: on
 * a 64-bit kernel every open is a large-file open anyway. */
#ifndef O_ASYNC
#define O_ASYNC 0x2000
#endif
#ifndef O_SYNC
#define O_SYNC 0x101000
#endif
#ifndef O_PATH
#define O_PATH 0x200000
#endif
#ifndef O_TMPFILE
#define O_TMPFILE 0x410000
#endif
#ifndef O_LARGEFILE
#define O_LARGEFILE 0
#endif
#define O_RSYNC O_SYNC
#define O_FSYNC O_SYNC
#define O_NDELAY O_NONBLOCK
#define FASYNC O_ASYNC
#define O_SEARCH O_PATH
#define O_EXEC O_PATH

#ifndef AT_SYMLINK_FOLLOW
#define AT_SYMLINK_FOLLOW 0x400
#endif
#ifndef AT_REMOVEDIR
#define AT_REMOVEDIR 0x200
#endif
#ifndef AT_EACCESS
#define AT_EACCESS 0x200
#endif
#ifndef AT_NO_AUTOMOUNT
#define AT_NO_AUTOMOUNT 0x800
#endif

#ifndef F_SETOWN
#define F_SETOWN 8
#endif
#ifndef F_GETOWN
#define F_GETOWN 9
#endif
#ifndef F_SETSIG
#define F_SETSIG 10
#endif
#ifndef F_GETSIG
#define F_GETSIG 11
#endif
#ifndef F_OFD_GETLK
#define F_OFD_GETLK 36
#endif
#ifndef F_OFD_SETLK
#define F_OFD_SETLK 37
#endif
#ifndef F_OFD_SETLKW
#define F_OFD_SETLKW 38
#endif
#ifndef F_SETLEASE
#define F_SETLEASE 1024
#endif
#ifndef F_GETLEASE
#define F_GETLEASE 1025
#endif
#ifndef F_NOTIFY
#define F_NOTIFY 1026
#endif
#ifndef F_SETPIPE_SZ
#define F_SETPIPE_SZ 1031
#endif
#ifndef F_GETPIPE_SZ
#define F_GETPIPE_SZ 1032
#endif
#ifndef F_ADD_SEALS
#define F_ADD_SEALS 1033
#endif
#ifndef F_GET_SEALS
#define F_GET_SEALS 1034
#endif
#define F_SEAL_SEAL 0x0001
#define F_SEAL_SHRINK 0x0002
#define F_SEAL_GROW 0x0004
#define F_SEAL_WRITE 0x0008
#define F_SEAL_FUTURE_WRITE 0x0010

/* Record locks (F_GETLK, F_SETLK, F_SETLKW and the F_OFD_ ones): x86_64's
 * struct flock, which is the kernel's. */
#define F_RDLCK 0
#define F_WRLCK 1
#define F_UNLCK 2
struct flock {
    short l_type;
    short l_whence;
    off_t l_start;
    off_t l_len;
    pid_t l_pid;
};

#define POSIX_FADV_NORMAL 0
#define POSIX_FADV_RANDOM 1
#define POSIX_FADV_SEQUENTIAL 2
#define POSIX_FADV_WILLNEED 3
#define POSIX_FADV_DONTNEED 4
#define POSIX_FADV_NOREUSE 5

int fcntl(int fd, int cmd, ...);
int open(const char *path, int flags, ...);
int openat(int dirfd, const char *path, int flags, ...);
int creat(const char *path, mode_t mode);
int posix_fadvise(int fd, off_t off, off_t len, int advice);
__END_DECLS
#endif
