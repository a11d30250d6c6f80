/*
 * stele_index.h: building a stele index (host side).
 *
 * stele_build() reads documents from files (resolutions text, plain text or
 * JSON Lines), analyses them with the same tokenizer the query runtime uses
 * and a Snowball stemmer, and writes one index file.  Unlike the runtime it
 * allocates, checking every allocation (STELE_ENOMEM).
 *
 * Guarantees:
 *   - the same input and options give a byte-identical index;
 *   - writing is atomic: the index goes to a temporary file in the same
 *     directory, is fsync'ed and renamed over out_path; on any error the
 *     temporary file is removed and an existing out_path is left as it was
 *     (a full disk never leaves a broken index where a good one was).
 * On error, err (capacity err_cap, may be NULL) gets a one-line message
 * naming the file and what went wrong.
 */
#ifndef STELE_INDEX_H
#define STELE_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "stele.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Build options; a NULL pointer or a zeroed struct means the defaults. */
typedef struct stele_build_opts {
    const char *language;                  /* stemmer: NULL = "english"; "none" = no stemming */
    int format;                            /* input format, enum st_format (0 = resolutions) */
    size_t block_bytes;                    /* stored-text block size; 0 = STELE_BUILD_BLOCK_BYTES */
    double field_weight[STELE_MAX_FIELDS]; /* default weights; 0 = title 2, body 1,
                                              footnote 0.5, others 1; max 15.9 */
    size_t dict_bytes; /* preset zlib dictionary size; 0 = STELE_BUILD_DICT_BYTES,
                          STELE_BUILD_NO_DICT = none; at most 2^window_bits.  It
                          is kept only if it makes the stored text smaller */
    int window_bits;   /* zlib window of the stored text, 9 .. 15; 0 = 14.  A reader
                          needs 2^window_bits bytes of workspace for it when the
                          index has a preset dictionary */
} stele_build_opts;

#define STELE_BUILD_BLOCK_BYTES 32768
#define STELE_BUILD_DICT_BYTES  2048
#define STELE_BUILD_NO_DICT     ((size_t)-1)
#define STELE_BUILD_WINDOW_BITS 14

#define STELE_BUILD_MAX_SECTIONS 16

/* What a build produced. */
typedef struct stele_build_stats {
    uint64_t n_docs;
    uint64_t n_terms;
    uint64_t n_postings; /* (term, field, document) entries */
    uint64_t n_tokens;   /* positions over all documents */
    uint64_t n_invalid_utf8;
    uint64_t input_bytes;   /* bytes of the input files (0 for stele_build_corpus) */
    uint64_t text_bytes;    /* bytes of stored text before compression */
    uint64_t index_bytes;   /* bytes of the index file */
    uint64_t n_text_blocks; /* stored-text blocks */
    size_t n_sections;
    struct {
        const char *name; /* static string */
        uint64_t bytes;
    } section[STELE_BUILD_MAX_SECTIONS];
} stele_build_stats;

/* Builds out_path from n_inputs input files.  stats may be NULL. */
STELE_API int stele_build(const char *const *inputs, size_t n_inputs, const stele_build_opts *opts,
                          const char *out_path, stele_build_stats *stats, char *err,
                          size_t err_cap);

#ifdef __cplusplus
}
#endif

#endif /* STELE_INDEX_H */
