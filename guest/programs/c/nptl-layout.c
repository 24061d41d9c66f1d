/* Prints the offsets and sizes of guest-libc's thread structures, for the
 * test that compares them with guest/abi's nptl.rs (the host's view). */
#include <stddef.h>
#include <stdio.h>
#include "../../../guest-libc/src/internal.h"

#define OFF(f) printf(#f " %zu\n", offsetof(struct pthread, f))

int main(void)
{
    printf("size %zu\n", sizeof(struct pthread));
    OFF(tcb);
    OFF(dtv);
    OFF(self);
    OFF(stack_guard);
    OFF(tid);
    OFF(detached);
    OFF(list);
    OFF(stackblock);
    OFF(stackblock_size);
    OFF(guardsize);
    OFF(user_stack);
    OFF(start_routine);
    OFF(arg);
    OFF(result);
    OFF(sigmask);
    OFF(specific);
    OFF(specific_seq);
    printf("list_head %zu\n", sizeof(struct list_head));
    return 0;
}
