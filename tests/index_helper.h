/*
 * index_helper.h: building test indexes in memory, without files.
 * Interface to code in index_helper.c, shared by the format, corrupt and
 * other index tests.
 *
 * th_synthetic() makes a deterministic corpus of n_docs documents whose
 * words come from a fixed vocabulary (lower-case ASCII letters, single
 * spaces, so every word is one token and its own term with language
 * "none"), and records every expected occurrence, so a test can compare
 * the index with what it must contain.
 */
#ifndef STELE_INDEX_HELPER_H
#define STELE_INDEX_HELPER_H

#include <stddef.h>
#include <stdint.h>

#include "doc.h"
#include "stele_index.h"

#define TH_CHECK(cond)                                                                             \
    do {                                                                                           \
        if (!(cond)) th_fail(__FILE__, __LINE__, #cond);                                           \
    } while (0)

void th_fail(const char *file, int line, const char *what);
extern int th_failures;

/* Builds c into memory with opts (NULL = defaults); fails the test on error. */
void th_build(const st_corpus *c, const stele_build_opts *opts, uint8_t **data, size_t *size);

/* One expected occurrence of a vocabulary word. */
typedef struct th_occ {
    uint32_t word, field, doc, pos;
} th_occ;

typedef struct th_expect {
    size_t n_words;
    char (*words)[16];
    th_occ *occ;
    size_t n_occ;
} th_expect;

/* The synthetic corpus (see above); exp gets the occurrences sorted by
 * (word, field, doc, pos). */
void th_synthetic(st_corpus *c, th_expect *exp, uint32_t n_docs);
void th_expect_free(th_expect *exp);

/* Recomputes, after a change at byte offset at, the CRC32 of the section
 * holding it and then the header's, as a crafted file would carry them,
 * so that a damaged copy reaches the decoders behind the checksums.  Only
 * entries of the section table that lie inside the data are followed. */
void th_fix_crcs(uint8_t *data, size_t size, size_t at);

/* Recomputes every section's CRC32 and then the header's (after changes
 * anywhere, e.g. a fuzzer's mutation). */
void th_fix_all_crcs(uint8_t *data, size_t size);

/* Reads a whole file into malloc'ed memory; NULL on error. */
uint8_t *th_read_file(const char *path, size_t *size);

#endif /* STELE_INDEX_HELPER_H */
