/* rand: a 64-bit linear congruential generator, the high bits out. */
#include <stdlib.h>

static unsigned long rand_state = 1;
int rand(void)
{
    rand_state = rand_state * 6364136223846793005UL + 1442695040888963407UL;
    return (int)(rand_state >> 33);
}
void srand(unsigned seed) { rand_state = seed; }
