/* exit N: exits with status N (the kernel keeps the low 8 bits). */
#include <stdlib.h>

int main(int argc, char **argv)
{
    return argc > 1 ? atoi(argv[1]) : 0;
}
