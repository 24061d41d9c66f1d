/* The permission bits of a file mode, for every header POSIX puts them in
 * (<sys/stat.h>, <fcntl.h>, <spawn.h> users through open's mode). The
 * S_IF* file types come from <bits/fcntl.h>. */
#ifndef _BITS_STATMODE_H
#define _BITS_STATMODE_H
#define S_ISUID 04000
#define S_ISGID 02000
#define S_ISVTX 01000
#define S_IRWXU 0700
#define S_IRUSR 0400
#define S_IWUSR 0200
#define S_IXUSR 0100
#define S_IRWXG 070
#define S_IRGRP 040
#define S_IWGRP 020
#define S_IXGRP 010
#define S_IRWXO 07
#define S_IROTH 04
#define S_IWOTH 02
#define S_IXOTH 01
#endif
