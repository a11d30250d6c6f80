/*
 * stele_stem.h: Snowball stemming for stele, host side.
 *
 * A stele_stemmer wraps one libstemmer stemmer (UTF-8).  Creating one
 * allocates; stemming with it afterwards does not: right after creation the
 * stemmer stems a dummy word of 2 * STELE_MAX_TERM_BYTES bytes, which grows
 * libstemmer's internal buffer once, so any later word of up to that length
 * is stemmed in place.  Longer words are refused (the caller keeps them
 * unstemmed), so the query path never allocates.
 *
 * stele_stemmer_stem() has the signature of stele_stem_fn (stele.h); pass
 * the stele_stemmer * as its ctx.  A stemmer is not thread-safe: give each
 * thread its own.  Language "none" means no stemming: callers pass a NULL
 * stem function instead of creating a stemmer.
 */
#ifndef STELE_STEM_H
#define STELE_STEM_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct stele_stemmer stele_stemmer;

/* A stemmer for lang ("english", "french", ... or an ISO 639 code that
 * libstemmer knows), or NULL if lang is unknown, is "none", or memory ran
 * out. */
stele_stemmer *stele_stemmer_new(const char *lang);

/* Frees s; NULL is fine. */
void stele_stemmer_free(stele_stemmer *s);

/* Stems the folded UTF-8 word (word, len) into out (capacity cap bytes)
 * and returns the stem's length; the stem is NUL-terminated if it is
 * shorter than cap.  A stem longer than cap is cut at a UTF-8 character
 * boundary.  Returns -1 (keep the word as it is) if ctx is NULL, the word
 * is longer than 2 * STELE_MAX_TERM_BYTES, or libstemmer fails.  Never
 * allocates. */
int stele_stemmer_stem(void *ctx, const char *word, size_t len, char *out, size_t cap);

/* The canonical names of the available languages, NULL-terminated; static
 * storage owned by libstemmer. */
const char **stele_stemmer_languages(void);

#ifdef __cplusplus
}
#endif

#endif /* STELE_STEM_H */
