/* getrandom(2) flags (included by <sys/random.h>).
   Generated from guest/abi/src/linux (abi::linux::cheader): do not edit;
   regenerate with UPDATE_GENERATED=1 cargo test -p abi generated_headers. */
#ifndef _BITS_RANDOM_H
#define _BITS_RANDOM_H
#define GRND_NONBLOCK 0x1
#define GRND_RANDOM 0x2
#define GRND_INSECURE 0x4
#endif
