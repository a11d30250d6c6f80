/*
 * buf.c: growable byte buffers for the index writer.
 *
 * A buffer doubles its capacity as it grows (amortised O(1) appends) and
 * checks every size computation for overflow.  Once an allocation fails
 * the buffer is marked failed and every later put returns STELE_ENOMEM
 * without writing, so callers may check only the last result or the flag.
 * Integers are written little-endian, as format.h requires.
 */
#include <stdlib.h>
#include <string.h>
#if defined(__GLIBC__)
#include <malloc.h> /* malloc_trim */
#endif

#include "format.h"
#include "writer.h"

int st_buf_reserve(st_buf *b, size_t extra)
{
    if (b->failed) return STELE_ENOMEM;
    if (extra <= b->cap - b->len) return STELE_OK;
    if (extra > SIZE_MAX / 2 - b->len) {
        b->failed = 1;
        return STELE_ENOMEM;
    }
    size_t want = b->len + extra, cap = b->cap ? b->cap : 256;
    while (cap < want)
        cap *= 2;
    uint8_t *p = realloc(b->data, cap);
    if (!p) {
        b->failed = 1;
        return STELE_ENOMEM;
    }
    b->data = p;
    b->cap = cap;
    return STELE_OK;
}

int st_buf_put(st_buf *b, const void *p, size_t n)
{
    if (n == 0) return b->failed ? STELE_ENOMEM : STELE_OK;
    if (st_buf_reserve(b, n)) return STELE_ENOMEM;
    memcpy(b->data + b->len, p, n);
    b->len += n;
    return STELE_OK;
}

int st_buf_zeros(st_buf *b, size_t n)
{
    if (st_buf_reserve(b, n)) return STELE_ENOMEM;
    memset(b->data + b->len, 0, n);
    b->len += n;
    return STELE_OK;
}

int st_buf_u8(st_buf *b, uint8_t v)
{
    return st_buf_put(b, &v, 1);
}

int st_buf_u16(st_buf *b, uint16_t v)
{
    uint8_t tmp[2];
    st_put16(tmp, v);
    return st_buf_put(b, tmp, 2);
}

int st_buf_u32(st_buf *b, uint32_t v)
{
    uint8_t tmp[4];
    st_put32(tmp, v);
    return st_buf_put(b, tmp, 4);
}

int st_buf_varint(st_buf *b, uint64_t v)
{
    uint8_t tmp[ST_VARINT_MAX];
    return st_buf_put(b, tmp, st_varint_put(tmp, v));
}

void st_buf_free(st_buf *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}

/* glibc keeps freed chunks in its arenas, one per thread that allocated,
 * and gives back only the top of each; on the large benchmark corpus the
 * builders' freed tables and buffers kept some 60 MB resident that the
 * next step could not reuse.  malloc_trim() returns every whole free page.
 * Elsewhere the allocator is left to itself. */
void st_release_memory(void)
{
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
}
