/*
 * tutil.h: shared scaffolding for the runtime's proof tests.  Interface to
 * code in tutil.c.
 *
 * The tests all need the same three things: the bundled corpus ingested
 * exactly as the index builder ingests it (every *.txt file of the corpus
 * directory in byte order of its name, format "resolutions", then
 * st_corpus_finish), an index built from the same files by stele_build()
 * and loaded into memory, and the english stemmer.  Variants rebuild the
 * index in memory (st_build_memory) from a derived corpus or without
 * stemming.  tutil does these once per test program; everything it returns
 * is owned by the caller.  Failures are reported on stderr with the reason;
 * a missing corpus is a skip (exit 77), not a failure.
 */
#ifndef STELE_TUTIL_H
#define STELE_TUTIL_H

#include <stddef.h>
#include <stdint.h>

#include "doc.h"
#include "stele.h"
#include "tsearch.h"
#include "stele_stem.h"

/* Exit status meson reads as "skipped". */
#define TU_SKIP 77

/* Reads a whole file into a fresh heap buffer (*data, *size).  0 or -1. */
int tu_read_file(const char *path, uint8_t **data, size_t *size);

/* The corpus files of dir: every *.txt, in byte order of the name. */
typedef struct tu_files {
    char **path;
    size_t n;
} tu_files;

/* Lists dir's corpus files into *files and ingests them into c
 * (initialised here).  Returns 0, TU_SKIP when dir holds no corpus, or -1
 * on an ingestion error (printed). */
int tu_load_corpus(const char *dir, st_corpus *c, tu_files *files);
void tu_files_free(tu_files *files);

/* Builds an index of the files with stele_build() (english stemmer,
 * default options) at scratch_path and loads it into a heap buffer
 * (*data, *size) the caller frees.  0 or -1 (printed). */
int tu_build_index(const tu_files *files, const char *scratch_path, uint8_t **data, size_t *size);

/* Corpus, index and stemmer for a test, from its command line:
 *   argv[1] = corpus directory, argv[2] = scratch index path.
 * On 0 the index is open in *ix; TU_SKIP or -1 otherwise. */
typedef struct tu_env {
    st_corpus corpus;
    tu_files files;
    uint8_t *index_data;
    size_t index_size;
    stele_index ix;
    stele_stemmer *stemmer;
    stele_query_opts opts; /* english stemming, default ranking */
} tu_env;
int tu_env_open(tu_env *env, int argc, char **argv);

/* Rebuilds env's index from env->corpus in memory (st_build_memory) with
 * the stemmer language given ("english", or "none" for no stemming, which
 * also clears env->opts.stem).  0 or -1 (printed). */
int tu_env_rebuild(tu_env *env, const char *language);

/* Replaces env's corpus by a larger one made from it, so that postings
 * lists fill several 128-document blocks (bit-packed blocks, skip tables):
 * every non-title paragraph becomes a document of its own, titled with its
 * document's title, copies times over, and the index is rebuilt in memory
 * (st_build_memory).  0 or -1 (printed). */
int tu_env_split_paragraphs(tu_env *env, unsigned copies);
void tu_env_close(tu_env *env);

/* A small deterministic generator (splitmix64), so every run of a test
 * draws the same queries. */
typedef struct tu_rng {
    uint64_t state;
} tu_rng;
uint64_t tu_rng_next(tu_rng *r);
/* Uniform in [0, n); n > 0. */
uint32_t tu_rng_below(tu_rng *r, uint32_t n);

#endif /* STELE_TUTIL_H */
