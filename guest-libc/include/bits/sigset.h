/* sigset_t as glibc has it: 1024 bits, of which the kernel reads the first
 * _NSIG (64). The extra words let programs built against glibc's headers
 * and ours exchange sets; every function here looks at the first word
 * only, and fills the others with zeros where it writes a set. */
#ifndef _BITS_SIGSET_H
#define _BITS_SIGSET_H
#define _SIGSET_NWORDS (1024 / (8 * sizeof(unsigned long)))
typedef struct {
    unsigned long __val[_SIGSET_NWORDS];
} sigset_t;
#endif
