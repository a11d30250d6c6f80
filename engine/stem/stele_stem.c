/*
 * stele_stem.c: libstemmer glue (see stele_stem.h).
 *
 * Invariant: after stele_stemmer_new() returns, stemming any word of at most
 * PRESIZE_BYTES bytes does not allocate.  libstemmer keeps the word being
 * stemmed in one growable buffer (SN_set_current() -> replace_s()), which it
 * reallocates only when a word is longer than its capacity; the capacity
 * never shrinks and is the longest word seen plus some slack for suffixes
 * the algorithms add.  Stemming one dummy word of PRESIZE_BYTES bytes at
 * creation sets that capacity once.  Longer words are refused, never
 * stemmed, so the invariant holds for any input.  The test nomalloc
 * (tests/test_stem_nomalloc.c) checks it for every language.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <libstemmer.h>

#include "stele.h"
#include "stele_stem.h"

#define PRESIZE_BYTES (2 * STELE_MAX_TERM_BYTES)

struct stele_stemmer {
    struct sb_stemmer *sb;
};

stele_stemmer *stele_stemmer_new(const char *lang)
{
    char dummy[PRESIZE_BYTES];
    stele_stemmer *s;

    if (lang == NULL || strcmp(lang, "none") == 0) return NULL;
    s = malloc(sizeof *s);
    if (s == NULL) return NULL;
    s->sb = sb_stemmer_new(lang, "UTF_8");
    if (s->sb == NULL) {
        free(s);
        return NULL;
    }
    /* Grow libstemmer's buffer to its final size now (see the top). */
    memset(dummy, 'a', sizeof dummy);
    if (sb_stemmer_stem(s->sb, (const sb_symbol *)dummy, (int)sizeof dummy) == NULL) {
        stele_stemmer_free(s);
        return NULL;
    }
    return s;
}

void stele_stemmer_free(stele_stemmer *s)
{
    if (s == NULL) return;
    sb_stemmer_delete(s->sb);
    free(s);
}

int stele_stemmer_stem(void *ctx, const char *word, size_t len, char *out, size_t cap)
{
    stele_stemmer *s = ctx;
    const sb_symbol *stem;
    int stem_len;
    size_t n;

    if (s == NULL || word == NULL || len > PRESIZE_BYTES || (out == NULL && cap > 0)) return -1;
    stem = sb_stemmer_stem(s->sb, (const sb_symbol *)word, (int)len);
    if (stem == NULL) return -1;
    stem_len = sb_stemmer_length(s->sb);
    if (stem_len < 0) return -1;
    n = (size_t)stem_len;
    if (n > cap) {
        n = cap;
        while (n > 0 && (stem[n] & 0xC0) == 0x80) /* never split a character */
            n--;
    }
    if (n > INT_MAX) return -1;
    if (n > 0) memcpy(out, stem, n);
    if (n < cap) out[n] = '\0';
    return (int)n;
}

const char **stele_stemmer_languages(void)
{
    return sb_stemmer_list();
}
