/* ucontext_t and its parts. getcontext/setcontext/makecontext/swapcontext
 * are not provided. */
#ifndef _UCONTEXT_H
#define _UCONTEXT_H
#include <sys/ucontext.h>
#endif
