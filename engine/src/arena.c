/*
 * arena.c: the workspace bump allocator of the query runtime.
 *
 * The caller's workspace is handed out front to back in ST_WS_ALIGN-aligned
 * pieces and never given back: a search or snippet call sets up everything
 * it needs, uses it, and forgets the workspace when it returns.  A request
 * that does not fit returns NULL but is still added to `used`, and every
 * later request is counted the same way, so after a failed setup
 * st_arena_needed() is exactly the workspace size with which the same
 * sequence of requests would have fitted.  With base == NULL the arena only
 * counts; that is how a size query (mem == NULL) is answered.
 */
#include <stdint.h>

#include "query.h"

void st_arena_init(st_arena *a, void *mem, size_t size)
{
    uintptr_t addr = (uintptr_t)mem;
    size_t pad = (size_t)((ST_WS_ALIGN - (addr % ST_WS_ALIGN)) % ST_WS_ALIGN);

    a->used = 0;
    a->short_ = 0;
    if (mem == NULL || size < pad) {
        a->base = NULL;
        a->cap = 0;
        a->pad = mem == NULL ? 0 : pad;
        return;
    }
    a->base = (unsigned char *)mem + pad;
    a->cap = size - pad;
    a->pad = pad;
}

void *st_arena_alloc(st_arena *a, size_t n)
{
    size_t rounded = (n + ST_WS_ALIGN - 1) / ST_WS_ALIGN * ST_WS_ALIGN;
    void *p;

    if (rounded < n || a->used > SIZE_MAX - rounded) {
        a->short_ = 1;
        a->used = SIZE_MAX / 2; /* absurd request: keep counting saturated */
        return NULL;
    }
    if (a->short_ || a->base == NULL || a->cap - a->used < rounded || a->used > a->cap) {
        a->short_ = 1;
        a->used += rounded;
        return NULL;
    }
    p = a->base + a->used;
    a->used += rounded;
    return p;
}

size_t st_arena_needed(const st_arena *a)
{
    return a->pad + a->used;
}
