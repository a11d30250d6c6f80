/*
 * bench_compare.h: what bench_compare.c (stele, SQLite FTS5, the timing
 * loop) shares with bench_xapian.cc (the Xapian driver, in C++ because
 * Xapian's API is).  Measuring tools only, built with -Dbench=true.
 */
#ifndef BENCH_COMPARE_H
#define BENCH_COMPARE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define BENCH_MAX_WORDS 32 /* as STELE_MAX_QUERY_TERMS */
#define BENCH_MAX_K     100
#define BENCH_ID_BYTES  96 /* longer ids are cut; every engine's the same way */

/* One query in the neutral form of gen_queries.py. */
typedef struct bench_query {
    const char *cls;
    const char *op; /* term, and, or, phrase, near, prefix, not */
    int param;      /* NEAR window; 0 otherwise */
    const char *words[BENCH_MAX_WORDS];
    size_t n_words;
    const char *stele_q; /* the query in stele's syntax */
    const char *fts5_q;  /* and in FTS5's */
} bench_query;

/* The ids of one query's top hits, best first. */
typedef struct bench_ids {
    size_t n;
    char id[BENCH_MAX_K][BENCH_ID_BYTES];
} bench_ids;

/* Copies an id of len bytes into slot i of out, cut to fit, with tabs
 * and line breaks turned into spaces so the id files stay one line each. */
void bench_ids_put(bench_ids *out, size_t i, const char *id, size_t len);

/* The Xapian driver.  A handle is one open database, for one thread. */
void *bench_xapian_open(const char *dir, char *err, size_t err_cap);
/* Runs q ranked by BM25 for the top k; 0 on success, -1 with err set. */
int bench_xapian_run(void *handle, const bench_query *q, size_t k, bench_ids *out,
                     size_t *n_matches, char *err, size_t err_cap);
void bench_xapian_close(void *handle);

#ifdef __cplusplus
}
#endif

#endif
