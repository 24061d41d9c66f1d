#ifndef _STDLIB_H
#define _STDLIB_H
#include <features.h>
#include <stddef.h>
__BEGIN_DECLS
#define EXIT_SUCCESS 0
#define EXIT_FAILURE 1
#define RAND_MAX 0x7fffffff
void *malloc(size_t n);
void *calloc(size_t n, size_t size);
void *realloc(void *p, size_t n);
void free(void *p);
void *aligned_alloc(size_t align, size_t n);
int posix_memalign(void **out, size_t align, size_t n);
__noreturn void exit(int status);
__noreturn void _Exit(int status);
__noreturn void abort(void);
int atexit(void (*fn)(void));
char *getenv(const char *name);
int atoi(const char *s);
long atol(const char *s);
long long atoll(const char *s);
long strtol(const char *s, char **end, int base);
unsigned long strtoul(const char *s, char **end, int base);
long long strtoll(const char *s, char **end, int base);
unsigned long long strtoull(const char *s, char **end, int base);
int abs(int x);
long labs(long x);
long long llabs(long long x);
void qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));
void *bsearch(const void *key, const void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));
int rand(void);
void srand(unsigned seed);
int mkstemp(char *tmpl);
int mkstemps(char *tmpl, int suffixlen);
char *mkdtemp(char *tmpl);
char *realpath(const char *restrict path, char *restrict resolved);
#ifdef _GNU_SOURCE
int mkostemp(char *tmpl, int flags);
int mkostemps(char *tmpl, int suffixlen, int flags);
#endif
__END_DECLS
#endif
