#ifndef _FTW_H
#define _FTW_H
#include <features.h>
#include <sys/stat.h>
__BEGIN_DECLS
/* What the callback is given. */
#define FTW_F 0   /* a file that is no directory */
#define FTW_D 1   /* a directory, before its entries */
#define FTW_DNR 2 /* a directory that cannot be read */
#define FTW_NS 3  /* stat failed */
#define FTW_SL 4  /* a symbolic link (nftw with FTW_PHYS) */
#define FTW_DP 5  /* a directory, after its entries (FTW_DEPTH) */
#define FTW_SLN 6 /* a symbolic link to nothing (nftw without FTW_PHYS) */

/* nftw's flags. */
#define FTW_PHYS 1  /* symbolic links are not followed */
#define FTW_MOUNT 2 /* only the file system of the starting point */
#define FTW_CHDIR 4 /* each directory becomes the current one while its entries are reported */
#define FTW_DEPTH 8 /* a directory is reported after its entries */

struct FTW {
    int base;  /* offset of the name's last component in the path */
    int level; /* depth below the starting point */
};

int ftw(const char *path, int (*fn)(const char *path, const struct stat *st, int type), int nopenfd);
int nftw(const char *path, int (*fn)(const char *path, const struct stat *st, int type, struct FTW *ftw),
         int nopenfd, int flags);
__END_DECLS
#endif
