/* The loaded image is the file's: initialized data (several pages, ending
 * mid-page), read-only data and code read back as written, and bss --
 * including the part sharing a page with the end of .data -- reads zero. */
#include <stdio.h>
#include <string.h>

#define N 5000 /* 20000 bytes: .data spans pages and ends mid-page */

static int data[N] = {1, 2, 3, [N - 1] = 42};
static const char text[] = "a read-only string that lives in .rodata";
static char bss[3 * 4096 + 123];
static int after; /* bss right after .data's last bytes */

int main(void)
{
    long sum = 0;
    for (int i = 0; i < N; i++)
        sum += data[i];
    printf("data sum: %ld, last: %d\n", sum, data[N - 1]);
    int zero = after == 0;
    for (size_t i = 0; i < sizeof(bss); i++)
        zero &= bss[i] == 0;
    printf("bss zero: %s\n", zero ? "yes" : "no");
    printf("rodata: %s (%zu bytes)\n", text, strlen(text));
    data[0] = 7;
    bss[sizeof(bss) - 1] = 1;
    printf("writable: %s\n", data[0] == 7 && bss[sizeof(bss) - 1] == 1 ? "yes" : "no");
    return 0;
}
