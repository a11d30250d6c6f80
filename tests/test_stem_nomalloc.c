/*
 * test_stem_nomalloc.c: after stele_stemmer_new(), stemming never
 * allocates.
 *
 * The program is linked with -Wl,--wrap=malloc,--wrap=realloc,--wrap=calloc,
 * --wrap=free against the static libstemmer, so every allocation of the glue
 * and of libstemmer goes through the counters below.  For every language it
 * creates a stemmer (allocations allowed), then stems thousands of generated
 * words of 1 to 2 * STELE_MAX_TERM_BYTES bytes, with common suffixes and
 * multi-byte letters, and fails if any of that allocated or freed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stele.h"
#include "stele_stem.h"

#ifdef STELE_NO_STATIC_STEMMER
int main(void)
{
    printf("skipped: no static libstemmer to link with --wrap\n");
    return 77;
}
#else

void *__real_malloc(size_t n);
void *__real_realloc(void *p, size_t n);
void *__real_calloc(size_t k, size_t n);
void __real_free(void *p);
void *__wrap_malloc(size_t n);
void *__wrap_realloc(void *p, size_t n);
void *__wrap_calloc(size_t k, size_t n);
void __wrap_free(void *p);

static int armed;
static unsigned long n_alloc, n_free;

void *__wrap_malloc(size_t n)
{
    n_alloc += armed;
    return __real_malloc(n);
}

void *__wrap_realloc(void *p, size_t n)
{
    n_alloc += armed;
    return __real_realloc(p, n);
}

void *__wrap_calloc(size_t k, size_t n)
{
    n_alloc += armed;
    return __real_calloc(k, n);
}

void __wrap_free(void *p)
{
    n_free += armed;
    __real_free(p);
}

static const char *const pieces[] = {
    "a", "e",   "i",     "o",       "u",       "y",       "s",       "t",     "n",   "r",
    "l", "ing", "ation", "ational", "ization", "fulness", "ousness", "ement", "ies", "'s",
    "é", "ü",   "ß",     "ñ",       "ø",       "å",       "ж",       "ы",     "ов",  "ться",
    "ς", "ά",   "ları",  "ğı",      "ește",    "ția",     "ון",      "ी",     "ப",   "ness",
};

int main(void)
{
    const char **langs = stele_stemmer_languages();
    char word[2 * STELE_MAX_TERM_BYTES + 1], out[STELE_MAX_TERM_BYTES + 1];
    const size_t n_pieces = sizeof pieces / sizeof pieces[0];
    unsigned seed = 7;
    int n_langs = 0, bad = 0;

    for (int l = 0; langs[l] != NULL; l++) {
        stele_stemmer *s = stele_stemmer_new(langs[l]);
        unsigned long stems = 0;
        if (s == NULL) {
            fprintf(stderr, "%s: no stemmer\n", langs[l]);
            return 1;
        }
        n_alloc = n_free = 0;
        armed = 1;
        for (int round = 0; round < 4000; round++) {
            size_t len = 0, max;
            seed = seed * 1103515245u + 12345u;
            max = 1 + (seed >> 8) % (2 * STELE_MAX_TERM_BYTES);
            if (round % 8 == 0) max = 2 * STELE_MAX_TERM_BYTES; /* often the longest */
            for (;;) {
                const char *p;
                size_t plen;
                seed = seed * 1103515245u + 12345u;
                p = pieces[(seed >> 8) % n_pieces];
                plen = strlen(p);
                if (len + plen > max) break;
                memcpy(word + len, p, plen);
                len += plen;
            }
            if (len == 0) word[len++] = 'a';
            if (stele_stemmer_stem(s, word, len, out, sizeof out) < 0) {
                armed = 0;
                fprintf(stderr, "%s: stem of %zu bytes failed\n", langs[l], len);
                return 1;
            }
            stems++;
        }
        armed = 0;
        if (n_alloc != 0 || n_free != 0) {
            fprintf(stderr, "%s: %lu allocations, %lu frees while stemming\n", langs[l], n_alloc,
                    n_free);
            bad = 1;
        }
        stele_stemmer_free(s);
        if (stems == 0) bad = 1;
        n_langs++;
    }
    if (n_langs == 0) bad = 1;
    if (bad) return 1;
    printf("ok: %d languages, no allocation while stemming\n", n_langs);
    return 0;
}
#endif
