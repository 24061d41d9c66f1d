/* guest-libc: common definitions for our headers. */
#ifndef _GUEST_FEATURES_H
#define _GUEST_FEATURES_H
#define __GUEST_LIBC 1
#ifdef __cplusplus
#define __BEGIN_DECLS extern "C" {
#define __END_DECLS }
#else
#define __BEGIN_DECLS
#define __END_DECLS
#endif
#define __noreturn __attribute__((__noreturn__))
#endif
