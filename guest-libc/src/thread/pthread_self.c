#include "pthread_impl.h"

pthread_t pthread_self(void) { return (pthread_t)self_pd(); }
int pthread_equal(pthread_t a, pthread_t b) { return a == b; }
