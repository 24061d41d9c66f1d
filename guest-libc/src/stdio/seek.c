/* Stream positions: the file offset less what is read ahead, plus what
 * is pending (at the end of the file for an append stream, wherever the
 * offset is). */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include "stdio_impl.h"

static off_t tell_unlocked(FILE *f)
{
    int append_pending = (f->flags & F_APPEND) && f->len;
    off_t pos = lseek(f->fd, 0, append_pending ? SEEK_END : SEEK_CUR);
    if (pos < 0)
        return -1;
    return pos - (off_t)(f->rend - f->rpos) + (off_t)f->len;
}

off_t ftello(FILE *f)
{
    __lock_file(f);
    off_t r = tell_unlocked(f);
    __unlock_file(f);
    return r;
}

long ftell(FILE *f) { return ftello(f); }

/* Pending output is written first; read-ahead is dropped (an offset from
 * the current position counts from the stream's, not the file's). */
int fseeko(FILE *f, off_t off, int whence)
{
    if (whence != SEEK_SET && whence != SEEK_CUR && whence != SEEK_END) {
        errno = EINVAL;
        return -1;
    }
    __lock_file(f);
    int r = -1;
    if (whence == SEEK_CUR)
        off -= (off_t)(f->rend - f->rpos);
    if (!__fflush_unlocked(f) && lseek(f->fd, off, whence) >= 0) {
        f->rpos = f->rend = 0;
        f->eof = 0;
        r = 0;
    }
    __unlock_file(f);
    return r;
}

int fseek(FILE *f, long off, int whence) { return fseeko(f, off, whence); }

void rewind(FILE *f)
{
    __lock_file(f);
    fseeko(f, 0, SEEK_SET);
    f->error = 0;
    __unlock_file(f);
}

int fgetpos(FILE *restrict f, fpos_t *restrict pos)
{
    off_t r = ftello(f);
    if (r < 0)
        return -1;
    pos->__pos = r;
    return 0;
}

int fsetpos(FILE *f, const fpos_t *pos) { return fseeko(f, pos->__pos, SEEK_SET); }
