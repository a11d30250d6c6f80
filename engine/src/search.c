/*
 * search.c: the public search entry points, stele_workspace_bound() and
 * stele_search().
 *
 * A search lays out the caller's workspace front to back:
 *
 *   1. the query tree: st_qnode and st_qterm records (query_parse.c);
 *   2. the top-k heap: max_hits (score, doc) entries;
 *   3. per leaf term: its dictionary entry (st_term_info), one postings
 *      iterator per field it can match in, and a position buffer of
 *      st_term_pos_cap() entries if it is positive or a phrase/NEAR word
 *      (query_eval.c).  stele_workspace_bound() takes every term at
 *      st_pos_cap(), the most any term can need (the positions of the
 *      longest document).
 *
 * A snippet (snippet.c) lays out the query tree, the document's text and
 * then the same per-term pieces, which it uses to read the positions of
 * phrase and NEAR words; the bound covers both layouts.
 *
 * Then it evaluates document at a time (st_eval_next), scoring each match
 * and keeping the best in the heap, writes the heap best first into hits,
 * visits the hits in document order to choose each one's paragraph
 * (passage.c), and puts them back in rank order.
 *
 * When the query does not fit (or mem is NULL), the query is parsed again
 * on the stack in a fixed buffer of ST_PARSE_MEM bytes (the most any query
 * within the limits can use; in its own out-of-line function so the usual
 * path does not carry it) and the same allocation sequence is replayed on
 * a counting arena, so diag->needed is exact for the caller's pointer.
 * With mem == NULL it is exact for a workspace aligned to ST_WS_ALIGN (8)
 * bytes, as malloc's are; a less aligned one needs up to 7 bytes more,
 * which stele_workspace_bound() includes.
 */
#include <math.h>
#include <string.h>

#include "query.h"

#define ALIGNED(n) (((size_t)(n) + ST_WS_ALIGN - 1) / ST_WS_ALIGN * ST_WS_ALIGN)

static size_t add_sat(size_t a, size_t b)
{
    return a > SIZE_MAX - b ? SIZE_MAX : a + b;
}

static size_t mul_sat(size_t a, size_t b)
{
    return b != 0 && a > SIZE_MAX / b ? SIZE_MAX : a * b;
}

size_t stele_workspace_bound(const stele_index *ix, size_t max_hits)
{
    size_t n_fields, per_term, search, snippet;

    if (!ix) return 0;
    if (max_hits > STELE_MAX_RESULTS) max_hits = STELE_MAX_RESULTS;
    n_fields = ix->n_fields_ < STELE_MAX_FIELDS ? ix->n_fields_ : STELE_MAX_FIELDS;
    per_term = add_sat(ALIGNED(sizeof(st_term_info)),
                       add_sat(mul_sat(n_fields, ALIGNED(sizeof(st_postings))),
                               ALIGNED(mul_sat(st_pos_cap(ix), sizeof(uint32_t)))));
    search =
        add_sat(ST_WS_ALIGN - 1 + ST_PARSE_MEM, add_sat(mul_sat(STELE_MAX_QUERY_TERMS, per_term),
                                                        ALIGNED(max_hits * sizeof(st_heap_entry))));
    snippet =
        add_sat(ST_WS_ALIGN - 1 + ST_PARSE_MEM,
                add_sat(mul_sat(STELE_MAX_QUERY_TERMS, per_term), ALIGNED(st_doc_load_bound(ix))));
    if (snippet > search) search = snippet;
    return search > st_verify_bound(ix) ? search : st_verify_bound(ix);
}

int st_parse(const stele_index *ix, const char *query, size_t len, const stele_search_opts *opts,
             unsigned flags, st_arena *a, st_query *q, stele_diag *diag)
{
    size_t off = 0;
    int rc = st_query_parse(ix, query, len, opts ? opts->stem : NULL, opts ? opts->stem_ctx : NULL,
                            flags, a, q, &off);
    if (diag && (rc == STELE_ESYNTAX || rc == STELE_ELIMIT)) diag->offset = off;
    return rc;
}

/* The only place the runtime puts ST_PARSE_MEM bytes on the stack, and only
 * when the caller's workspace cannot even hold the query: kept out of line
 * so the usual path does not carry the buffer. */
ST_NOINLINE int st_need_on_stack(const stele_index *ix, const char *query, size_t len,
                                 const stele_search_opts *opts, int snippet, size_t max_hits,
                                 size_t pad, size_t *needed, stele_diag *diag)
{
    unsigned char buf[ST_PARSE_MEM + ST_WS_ALIGN];
    st_arena sa, count;
    st_query q;
    st_eval ev;
    int rc;

    st_arena_init(&sa, buf, sizeof buf);
    rc = st_parse(ix, query, len, opts, 0, &sa, &q, diag);
    if (rc < 0) return rc;
    count.base = NULL;
    count.cap = 0;
    count.used = sa.used;
    count.pad = pad;
    count.short_ = 1;
    if (snippet)
        st_arena_alloc(&count, st_doc_load_bound(ix));
    else
        st_arena_alloc(&count, max_hits * sizeof(st_heap_entry));
    st_eval_setup(&ev, ix, &q, opts, &count);
    *needed = st_arena_needed(&count);
    return STELE_OK;
}

/* Ranking parameters must be finite; b at most 1; negative means default
 * like 0 (rank.c). */
int st_opts_valid(const stele_search_opts *opts)
{
    if (!opts) return 1;
    if (!isfinite(opts->k1) || !isfinite(opts->b) || opts->b > 1) return 0;
    for (unsigned f = 0; f < STELE_MAX_FIELDS; f++)
        if (!isfinite(opts->field_weight[f])) return 0;
    return 1;
}

static int rank_all(st_eval *ev, st_heap *heap, size_t *n_matches)
{
    uint32_t target = 0, doc;
    size_t count = 0;

    for (;;) {
        double score;
        int rc = st_eval_next(ev, target, &doc);
        if (rc < 0) return rc;
        if (doc == ST_DOC_END) break;
        rc = st_eval_score(ev, doc, &score);
        if (rc < 0) return rc;
        count++;
        st_heap_push(heap, score, doc);
        if (doc + 1 >= ev->rp.n_docs) break;
        target = doc + 1;
    }
    *n_matches = count;
    return STELE_OK;
}

int stele_search(const stele_index *ix, const char *query, size_t query_len,
                 const stele_search_opts *opts, void *mem, size_t mem_size, stele_hit *hits,
                 size_t max_hits, size_t *n_hits, size_t *n_matches, stele_diag *diag)
{
    st_arena a;
    st_query q;
    st_eval ev;
    st_heap heap;
    size_t matches = 0;
    int rc;

    if (n_hits) *n_hits = 0;
    if (n_matches) *n_matches = 0;
    if (diag) {
        diag->offset = 0;
        diag->needed = 0;
    }
    if (!ix || !ix->data_ || (!query && query_len) || (max_hits && !hits) || !st_opts_valid(opts))
        return STELE_EINVAL;
    if (max_hits > STELE_MAX_RESULTS) max_hits = STELE_MAX_RESULTS;

    st_arena_init(&a, mem, mem_size);
    rc = st_parse(ix, query, query_len, opts, 0, &a, &q, diag);
    if (rc == STELE_ENOSPACE) {
        size_t needed = 0;
        rc = st_need_on_stack(ix, query, query_len, opts, 0, max_hits, a.pad, &needed, diag);
        if (rc < 0) return rc;
        if (diag) diag->needed = needed;
        return mem ? STELE_ENOSPACE : STELE_OK;
    }
    if (rc < 0) return rc;
    heap.e = st_arena_alloc(&a, max_hits * sizeof(st_heap_entry));
    heap.n = 0;
    heap.cap = max_hits;
    rc = st_eval_setup(&ev, ix, &q, opts, &a);
    if (rc == STELE_ENOSPACE || a.short_) {
        if (diag) diag->needed = st_arena_needed(&a);
        return mem ? STELE_ENOSPACE : STELE_OK;
    }
    if (rc < 0) return rc;
    if (diag) diag->needed = st_arena_needed(&a);

    rc = rank_all(&ev, &heap, &matches);
    if (rc < 0) return rc;
    st_heap_sort(&heap);
    for (size_t i = 0; i < heap.n; i++) {
        stele_hit *h = &hits[i];
        memset(h, 0, sizeof *h);
        h->doc = heap.e[i].doc;
        h->score = heap.e[i].score;
        rc = stele_doc_id(ix, h->doc, &h->id);
        if (rc == STELE_OK) rc = stele_doc_title(ix, h->doc, &h->title);
        if (rc < 0) return rc;
    }
    st_hits_sort_by_doc(hits, heap.n);
    rc = st_passage_begin(&ev);
    for (size_t i = 0; rc == STELE_OK && i < heap.n; i++)
        rc = st_best_paragraph(&ev, &hits[i]);
    st_hits_sort_by_rank(hits, heap.n);
    if (rc < 0) return rc;
    if (n_hits) *n_hits = heap.n;
    if (n_matches) *n_matches = matches;
    return STELE_OK;
}
