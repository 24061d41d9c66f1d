/* Thread-specific data. A key's sequence number is odd while the key is
 * in use; a thread's value counts only if it was set under the key's
 * current number, so a deleted and re-created key reads as unset. */
#include <errno.h>
#include "pthread_impl.h"

static void (*key_destructors[PTHREAD_KEYS])(void *);
static unsigned key_seq[PTHREAD_KEYS]; /* odd: in use */
static int key_lock;

void __nptl_deallocate_tsd(struct pthread *pd)
{
    for (int round = 0; round < 4; round++) {
        int any = 0;
        for (int k = 0; k < PTHREAD_KEYS; k++) {
            void *v = pd->specific[k];
            void (*d)(void *) = key_destructors[k];
            if (v && d && (key_seq[k] & 1) && pd->specific_seq[k] == key_seq[k]) {
                pd->specific[k] = 0;
                d(v);
                any = 1;
            }
        }
        if (!any)
            break;
    }
}

int pthread_key_create(pthread_key_t *k, void (*destructor)(void *))
{
    lll_lock(&key_lock);
    for (unsigned i = 0; i < PTHREAD_KEYS; i++) {
        if (!(key_seq[i] & 1)) {
            key_seq[i]++;
            key_destructors[i] = destructor;
            lll_unlock(&key_lock);
            *k = i;
            return 0;
        }
    }
    lll_unlock(&key_lock);
    return EAGAIN;
}

int pthread_key_delete(pthread_key_t k)
{
    if (k >= PTHREAD_KEYS || !(key_seq[k] & 1))
        return EINVAL;
    lll_lock(&key_lock);
    key_seq[k]++;
    key_destructors[k] = 0;
    lll_unlock(&key_lock);
    return 0;
}

void *pthread_getspecific(pthread_key_t k)
{
    struct pthread *pd = self_pd();
    if (k >= PTHREAD_KEYS || pd->specific_seq[k] != key_seq[k])
        return 0;
    return pd->specific[k];
}

int pthread_setspecific(pthread_key_t k, const void *v)
{
    if (k >= PTHREAD_KEYS || !(key_seq[k] & 1))
        return EINVAL;
    struct pthread *pd = self_pd();
    pd->specific[k] = (void *)v;
    pd->specific_seq[k] = key_seq[k];
    return 0;
}
