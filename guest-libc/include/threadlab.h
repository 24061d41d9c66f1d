/* threadlab's statistics system call (abi::stats).
   Generated from guest/abi/src/linux (abi::linux::cheader): do not edit;
   regenerate with UPDATE_GENERATED=1 cargo test -p abi generated_headers. */
#ifndef _THREADLAB_H
#define _THREADLAB_H
#define SYS_THREADLAB_STATS 0x7fff0001
#define STATS_TAG_BREAK_NR_THREADS 0xbad0004
#endif
