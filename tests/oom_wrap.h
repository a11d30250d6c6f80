/*
 * oom_wrap.h: allocation-failure injection for the out-of-memory tests.
 *
 * A test linked with -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc and
 * oom_wrap.c has every malloc, calloc and realloc of the statically linked
 * project code counted in oom_calls; the call whose count equals
 * oom_fail_at returns NULL.  Allocations inside shared libraries (zlib,
 * libstemmer, jansson) call the C library directly and are not counted.
 */
#ifndef STELE_OOM_WRAP_H
#define STELE_OOM_WRAP_H

extern long oom_calls;   /* allocations seen since the test last reset it */
extern long oom_fail_at; /* the call that fails; -1 = none */

#endif
