/*
 * tsearch.h: one-call search and snippet for the tests, over the
 * prepared-query API (stele_query_prepare, _run, _snippet).
 *
 * tu_search() prepares the query in (mem, mem_size) with room for
 * max_hits results, then runs it (tu_search_exact also says whether
 * *n_matches is exact: stele_query.matches_exact); tu_snippet() prepares it and snippets
 * one hit.  diag gets the prepared query's diagnostics: the error's offset
 * and reason, and the workspace needed (stele_query_prepare's figure,
 * which covers the run and a snippet; a run that does not fit reports its
 * own).  With mem == NULL, tu_search only measures, as
 * stele_query_prepare does.
 */
#ifndef STELE_TSEARCH_H
#define STELE_TSEARCH_H

#include <string.h>

#include "stele.h"

static inline int tu_search_exact(const stele_index *ix, const char *query, size_t len,
                                  const stele_query_opts *opts, void *mem, size_t mem_size,
                                  stele_hit *hits, size_t max_hits, size_t *n_hits,
                                  size_t *n_matches, stele_diag *diag, int *exact)
{
    stele_query q;
    stele_query_opts o;
    int rc;

    if (n_hits) *n_hits = 0;
    if (n_matches) *n_matches = 0;
    if (opts)
        o = *opts;
    else
        memset(&o, 0, sizeof o);
    o.max_results =
        max_hits ? (uint32_t)(max_hits > STELE_MAX_RESULTS ? STELE_MAX_RESULTS : max_hits) : 1;
    rc = stele_query_prepare(&q, ix, query, len, &o, mem, mem_size);
    if (diag) *diag = q.diag;
    if (rc < 0 || !mem) return rc;
    rc = stele_query_run(&q, hits, max_hits, 0, n_hits, n_matches);
    if (diag && rc == STELE_ENOSPACE && q.diag.needed > diag->needed) diag->needed = q.diag.needed;
    if (exact) *exact = rc == STELE_OK && q.matches_exact;
    return rc;
}

static inline int tu_search(const stele_index *ix, const char *query, size_t len,
                            const stele_query_opts *opts, void *mem, size_t mem_size,
                            stele_hit *hits, size_t max_hits, size_t *n_hits, size_t *n_matches,
                            stele_diag *diag)
{
    return tu_search_exact(ix, query, len, opts, mem, mem_size, hits, max_hits, n_hits, n_matches,
                           diag, NULL);
}

static inline int tu_snippet(const stele_index *ix, const char *query, size_t len,
                             const stele_query_opts *opts, const stele_hit *hit,
                             const stele_snippet_opts *sopts, void *mem, size_t mem_size, char *out,
                             size_t out_cap, size_t *out_len, stele_diag *diag)
{
    stele_query q;
    int rc = stele_query_prepare(&q, ix, query, len, opts, mem, mem_size);
    if (diag) *diag = q.diag;
    if (out_len) *out_len = 0;
    if (out && out_cap) out[0] = '\0';
    if (rc < 0) return rc;
    if (!mem) return STELE_ENOSPACE;
    rc = stele_query_snippet(&q, hit, sopts, out, out_cap, out_len);
    if (diag && q.diag.needed) diag->needed = q.diag.needed;
    return rc;
}

#endif /* STELE_TSEARCH_H */
