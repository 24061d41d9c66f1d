/* wait4(2) / waitid(2) constants (included by <sys/wait.h>).
   Generated from guest/abi/src/linux (abi::linux::cheader): do not edit;
   regenerate with UPDATE_GENERATED=1 cargo test -p abi generated_headers. */
#ifndef _BITS_WAIT_H
#define _BITS_WAIT_H
#define WNOHANG 0x1
#define WUNTRACED 0x2
#define WEXITED 0x4
#define WCONTINUED 0x8
#define WNOWAIT 0x1000000
#define __WNOTHREAD 0x20000000
#define __WALL 0x40000000
#define __WCLONE 0x80000000
#define WSTOPPED 0x2
#define P_ALL 0
#define P_PID 1
#define P_PGID 2
#define P_PIDFD 3
#endif
