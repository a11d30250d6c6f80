/*
 * search.c: the public query entry points: stele_query_prepare(),
 * stele_query_run(), stele_query_snippet(), stele_workspace_bound().
 *
 * A prepared query lays out the caller's workspace front to back:
 *
 *   1. st_prepared: the query's root struct, its evaluator and a copy of
 *      the options;
 *   2. the query tree: st_qnode and st_qterm records, and an st_fix per
 *      corrected word (query_parse.c);
 *   3. the evaluator's tables (st_eval_query_bytes) and, per field list
 *      a leaf term is read in, one postings iterator and two position
 *      cursors (st_eval_leaf_bytes);
 *
 * and remembers where that ends (the mark).  Each run or snippet then uses
 * the rest, from the mark: a run its top-k heap ((offset + max_hits) * 16
 * bytes), a snippet the document's stored text (st_snippet_bytes), a
 * suggestion for an exact query its correction walk (st_correct_work),
 * which would take 2.2 KB of stack instead.
 *
 * Sizing.  When mem is NULL, or the workspace is short, the query is
 * parsed once more in counting mode: the parser stores nothing and adds
 * to the arena's count, with no buffer, exactly the bytes the storing
 * parse and st_eval_setup() take (query_parse.c), so diag.needed is exact
 * for a workspace aligned to 8 bytes.  It is the prepared state plus the
 * larger of the heap for opts->max_results hits and a snippet.
 *
 * The bound.  stele_workspace_bound(ix, max_hits) is, with T =
 * STELE_BOUND_TERMS leaves, L = min(STELE_BOUND_LISTS, T * F) lists, F =
 * the index's fields, and every piece rounded up to 8 bytes:
 *
 *   7 + sizeof(st_prepared) + Tree(T) + st_eval_query_bytes(T, T)
 *     + T * sizeof(st_fix)
 *     + L * (sizeof(st_postings) + 2 * sizeof(st_poscur))    (walk, cover)
 *     + max(16 * max_hits, st_snippet_bytes(ix), C, verify)
 *
 * where Tree(T) is at most 6T + 1 nodes and T terms (the nodes that are
 * not NOT are leaves, inner nodes of two children or more and one OR per
 * prefix: at most 3T; a NOT's child is one of them and never a NOT or an
 * exclusion, so NOTs are at most as many), C is the correction walk
 * (st_correct_work: 2.2 KB) stele_query_suggest() runs past the mark for an
 * exact query, and st_snippet_bytes(ix) is a
 * 512-byte text buffer plus one stored-text stream: zlib's inflate state
 * (the size the linked zlib asks, at most 8 KB: 7,160 bytes on x86-64 and
 * 7,120 on 32-bit ARM with zlib 1.2.13), its window of 2^W bytes (W = the
 * index's text window
 * bits, 9 .. 15, 14 by default) and 64 + 4 * 16 bytes of slack; verify
 * takes one postings iterator, a 512-byte buffer and a stream.  Nothing
 * in it depends on a document's length, the stored-text block size or the
 * corpus: only on F, W and the compile-time T and L.  With T = 16, L =
 * 48, 10 hits: 64,455 bytes at W = 14 on any index of three fields, 48,583
 * at W = 9 (x86-64 sizes: st_qnode 96, st_qterm 240, st_postings 280,
 * st_poscur 88 bytes).  One query takes less: a leaf has a cover cursor
 * per list only as a word of a phrase or NEAR group, and the coverage
 * trackers are one per group.  A snippet of max_bytes over 446
 * needs max_bytes + 66 bytes of buffer instead of 512 (diag.needed).
 */
#include <math.h>
#include <string.h>

#include "correct.h"
#include "lexicon.h"
#include "query.h"

#define ST_QUERY_MAGIC  0x53545131u /* "STQ1": a prepared query */
#define DEFAULT_RESULTS 10u

size_t st_add_sat(size_t a, size_t b)
{
    return a > SIZE_MAX - b ? SIZE_MAX : a + b;
}

size_t st_mul_sat(size_t a, size_t b)
{
    return b != 0 && a > SIZE_MAX / b ? SIZE_MAX : a * b;
}

/* Nodes and terms of the largest tree of n leaves (query_parse.c). */
static size_t tree_bytes(size_t n_terms)
{
    return st_add_sat(st_mul_sat(6 * n_terms + 1, ST_ALIGNED(sizeof(st_qnode))),
                      st_mul_sat(n_terms, ST_ALIGNED(sizeof(st_qterm))));
}

size_t stele_workspace_bound(const stele_index *ix, size_t max_hits)
{
    size_t n_fields, t = STELE_BOUND_TERMS, lists, state, tail;

    if (!ix) return 0;
    if (max_hits > STELE_MAX_RESULTS) max_hits = STELE_MAX_RESULTS;
    n_fields = ix->n_fields_ < STELE_MAX_FIELDS ? ix->n_fields_ : STELE_MAX_FIELDS;
    state = st_add_sat(ST_WS_ALIGN - 1 + ST_ALIGNED(sizeof(st_prepared)), tree_bytes(t));
    state = st_add_sat(state, st_eval_query_bytes((uint32_t)t, (uint32_t)t));
    /* a corrected word has a leaf at least, so at most T corrections */
    state = st_add_sat(state, st_mul_sat(t, ST_ALIGNED(sizeof(st_fix))));
    /* T leaves, and L lists among them, at most F per leaf */
    lists = STELE_BOUND_LISTS < t * n_fields ? STELE_BOUND_LISTS : t * n_fields;
    state = st_add_sat(state, st_mul_sat(lists, st_eval_leaf_bytes(1) + st_eval_cover_bytes(1)));
    tail = ST_ALIGNED(max_hits * sizeof(st_heap_entry));
    if (st_snippet_bytes(ix) > tail) tail = st_snippet_bytes(ix);
    if (ST_ALIGNED(sizeof(st_correct_work)) > tail) tail = ST_ALIGNED(sizeof(st_correct_work));
    state = st_add_sat(state, tail);
    if (state < st_complete_bytes(ix)) state = st_complete_bytes(ix);
    return state > st_verify_bound(ix) ? state : st_verify_bound(ix);
}

/* Ranking parameters must be finite; b at most 1; negative means default
 * like 0 (rank.c). */
int st_opts_valid(const stele_query_opts *opts)
{
    if (!opts) return 1;
    if (!isfinite(opts->k1) || !isfinite(opts->b) || opts->b > 1) return 0;
    for (unsigned f = 0; f < STELE_MAX_FIELDS; f++)
        if (!isfinite(opts->field_weight[f])) return 0;
    return 1;
}

static uint32_t results_of(const stele_query_opts *opts)
{
    uint32_t n = opts && opts->max_results ? opts->max_results : DEFAULT_RESULTS;
    return n > STELE_MAX_RESULTS ? STELE_MAX_RESULTS : n;
}

/* What a run, a snippet or a suggestion takes past the mark: the largest
 * of the heap, the snippet's buffer and stream, and, for an exact query
 * with words left to correct (pending fixes), the correction walk of
 * stele_query_suggest(). */
static size_t tail_bytes(const stele_index *ix, uint32_t max_results, int pending)
{
    size_t heap = ST_ALIGNED((size_t)max_results * sizeof(st_heap_entry));
    size_t snip = st_snippet_bytes(ix);
    size_t fix = pending ? ST_ALIGNED(sizeof(st_correct_work)) : 0;
    size_t tail = heap > snip ? heap : snip;
    return tail > fix ? tail : fix;
}

/* Whether a query parsed with these flags has fixes that
 * stele_query_suggest() corrects itself (query_parse.c: an exact query's
 * unknown words wait for it). */
static int has_pending(const st_parse_in *in, const st_query *q)
{
    return (in->flags & ST_PARSE_EXACT) && q->n_fixes > 0;
}

/* The stemmer of a query: the caller's, or else, on a stemmed index,
 * stemming by lookup in the lexicon (lexicon.h). */
static void stem_of(const stele_index *ix, const stele_query_opts *opts, stele_stem_fn *stem,
                    void **ctx)
{
    *stem = opts ? opts->stem : NULL;
    *ctx = opts ? opts->stem_ctx : NULL;
    if (!*stem && ix->language_[0] != '\0') {
        *stem = st_lex_stem;
        *ctx = (void *)(uintptr_t)ix; /* read only: st_lex_stem takes it as const */
    }
}

static void parse_in_of(st_parse_in *in, stele_query *q, const stele_index *ix,
                        const stele_query_opts *opts)
{
    in->ix = ix;
    in->scratch = q->scratch_.bytes;
    stem_of(ix, opts, &in->stem, &in->stem_ctx);
    in->flags = opts && (opts->flags & STELE_QUERY_AS_YOU_TYPE) ? ST_PARSE_LAST_PREFIX : 0;
    if (opts && (opts->flags & STELE_QUERY_EXACT)) in->flags |= ST_PARSE_EXACT;
    in->prefix_terms = opts && opts->prefix_terms ? opts->prefix_terms : STELE_PREFIX_TERMS;
    if (in->prefix_terms > STELE_PREFIX_TERMS_MAX) in->prefix_terms = STELE_PREFIX_TERMS_MAX;
}

static void set_error(stele_query *q, int rc, const st_parse_err *err)
{
    if (rc == STELE_ESYNTAX || rc == STELE_ELIMIT) {
        q->diag.offset = err->offset;
        q->diag.reason = err->reason;
    }
}

/* The exact workspace of the query, by a counting parse with no memory;
 * the bytes are counted as if from a pointer pad bytes short of
 * alignment. */
static int measure(stele_query *q, const stele_index *ix, const char *query, size_t len,
                   const stele_query_opts *opts, size_t pad)
{
    st_parse_in in;
    st_parse_err err = {0, 0};
    st_query tq;
    st_arena count;
    int rc;

    parse_in_of(&in, q, ix, opts);
    st_arena_init(&count, NULL, 0);
    count.pad = pad;
    st_arena_alloc(&count, sizeof(st_prepared));
    rc = st_query_parse(&in, query, len, &count, &tq, &err);
    set_error(q, rc, &err);
    if (rc < 0) return rc;
    q->n_terms = tq.n_terms;
    q->n_cut = tq.n_cut;
    q->n_prefix_words = tq.n_prefix_words;
    q->n_fuzzy = tq.n_fuzzy;
    q->diag.needed = st_add_sat(st_arena_needed(&count),
                                tail_bytes(ix, results_of(opts), has_pending(&in, &tq)));
    return STELE_OK;
}

int stele_query_prepare(stele_query *q, const stele_index *ix, const char *query, size_t len,
                        const stele_query_opts *opts, void *mem, size_t mem_size)
{
    st_parse_in in;
    st_parse_err err = {0, 0};
    st_prepared *pq;
    st_arena a;
    int rc;

    if (!q) return STELE_EINVAL;
    memset(q, 0, sizeof *q);
    if (!ix || !ix->data_ || (!query && len) || !st_opts_valid(opts)) return STELE_EINVAL;
    if (!mem) return measure(q, ix, query, len, opts, 0);

    st_arena_init(&a, mem, mem_size);
    pq = st_arena_alloc(&a, sizeof *pq);
    if (!pq) {
        rc = measure(q, ix, query, len, opts, a.pad);
        return rc < 0 ? rc : STELE_ENOSPACE;
    }
    memset(pq, 0, sizeof *pq);
    if (opts) pq->opts = *opts;
    stem_of(ix, opts, &pq->opts.stem, &pq->opts.stem_ctx); /* the snippet's too */
    pq->max_results = results_of(opts);
    parse_in_of(&in, q, ix, opts);
    rc = st_query_parse(&in, query, len, &a, &pq->q, &err);
    if (rc == STELE_OK) rc = st_eval_setup(&pq->ev, ix, &pq->q, opts, &a);
    if (rc == STELE_ENOSPACE || (rc == STELE_OK && a.short_)) {
        rc = measure(q, ix, query, len, opts, a.pad);
        return rc < 0 ? rc : STELE_ENOSPACE;
    }
    set_error(q, rc, &err);
    if (rc < 0) return rc;
    q->ix_ = ix;
    q->state_ = pq;
    q->mem_ = mem;
    q->size_ = mem_size;
    q->mark_ = st_arena_needed(&a);
    q->magic_ = ST_QUERY_MAGIC;
    q->n_terms = pq->q.n_terms;
    q->n_cut = pq->q.n_cut;
    q->n_prefix_words = pq->q.n_prefix_words;
    q->n_fuzzy = pq->q.n_fuzzy;
    q->diag.needed =
        st_add_sat(q->mark_, tail_bytes(ix, pq->max_results, has_pending(&in, &pq->q)));
    return STELE_OK;
}

static int prepared(const stele_query *q)
{
    return q && q->magic_ == ST_QUERY_MAGIC && q->state_ && q->ix_;
}

/* The most children of a root OR that or_rank() bounds one by one
 * (a bound each on its frame); a wider OR is pruned as a whole. */
#define ST_MS_KIDS 16

/* MaxScore's split, for a bar theta: the children with the smallest
 * bounds, as many as have a sum of at most theta, are not essential
 * (their bits clear in the mask returned), since a document only they
 * match scores at most theta and cannot enter the top.  *ne gets that
 * sum. */
static uint32_t ms_split(const double *kub, uint32_t n, double theta, double *ne)
{
    uint32_t ess = n < 32 ? (1u << n) - 1 : ~0u, i;
    double sum = 0;
    for (;;) {
        uint32_t best = n;
        for (i = 0; i < n; i++)
            if ((ess >> i & 1) && (best == n || kub[i] < kub[best])) best = i;
        if (best == n || sum + kub[best] > theta) break;
        sum += kub[best];
        ess &= ~(1u << best);
    }
    *ne = sum;
    return ess;
}

/*
 * Block-max MaxScore (Turtle and Flood's MaxScore over the blocks'
 * bounds, as in Mallia et al. 2019) for a root OR of at most ST_MS_KIDS
 * children, from target to the last document, once the heap is full.
 * Each child has a bound over an interval of its own, [d, kend]: the
 * block its lists are in, or the gap before its next document; it is
 * bounded again only once passed, so a child costs one bound per block.
 * The query's interval is the smallest kend.  If the children's bounds
 * sum to at most the bar theta it is skipped whole; otherwise only the
 * essential children (ms_split()) are walked for candidates.  A
 * candidate whose essential bounds plus the others' cannot beat theta is
 * passed over without moving the others; the rest are moved to it and
 * it is scored if the bounds of the children actually on it still can.
 * A raised theta splits again.  *count gets the candidates, which match
 * the query; *skipped is set when a document that only children not
 * walked match may have gone uncounted.  So the top is the exhaustive
 * one, and the children of small bounds, often the most frequent words,
 * are read only where a candidate needs them.
 */
ST_NOINLINE static int or_rank(st_eval *ev, st_heap *heap, uint32_t target, uint32_t last,
                               size_t *count, int *skipped)
{
    st_qnode *root = ev->q->root, *k;
    double kub[ST_MS_KIDS], theta = heap->e[0].score, split_theta = -1, ne = 0;
    uint32_t kend[ST_MS_KIDS], n = root->n_kids, i, t, d, end, ess = 0, on = 0;
    uint32_t stale = (1u << n) - 1; /* n <= ST_MS_KIDS < 32 */
    int rc, kempty;

    for (t = target;;) {
        double sum = 0;
        end = ST_DOC_END;
        for (k = root->kids, i = 0; k; k = k->next, i++) {
            if (stale >> i & 1) {
                rc = st_eval_node_bound(ev, k, t, &kub[i], &kend[i], &kempty);
                if (rc < 0) return rc;
                if (k->type == ST_Q_NOT) kempty = 0; /* may match anything */
                if (kempty) kub[i] = 0;
                on = (on & ~(1u << i)) | (uint32_t)!kempty << i;
            }
            sum += kub[i];
            if (kend[i] < end) end = kend[i];
        }
        if (end > last) end = last;
        if (end < t) end = t; /* a bound's interval has d in it; never stall */
        if (on && sum <= theta) {
            *skipped = 1;
        } else if (on) {
            if (stale || split_theta != theta) {
                ess = ms_split(kub, n, theta, &ne);
                split_theta = theta;
            }
            while (t <= end) {
                uint32_t doc = ST_DOC_END;
                double ub = ne, ub_on = 0, score;
                if (on & ~ess) *skipped = 1; /* a child not walked may match */
                if (!ess) break;
                for (k = root->kids, i = 0; k; k = k->next, i++) {
                    if (!(ess >> i & 1)) continue;
                    if ((rc = st_eval_node_next(ev, k, t, &d)) < 0) return rc;
                    if (d < doc) doc = d;
                }
                if (doc > end) break;
                (*count)++;
                for (k = root->kids, i = 0; k; k = k->next, i++)
                    if ((ess >> i & 1) && k->doc == doc) ub += kub[i];
                t = doc + 1;
                if (ub <= theta) continue;
                for (k = root->kids, i = 0; k; k = k->next, i++) {
                    if (!(ess >> i & 1) && (rc = st_eval_node_next(ev, k, doc, &d)) < 0) return rc;
                    if (k->doc == doc) ub_on += kub[i];
                }
                if (ub_on <= theta) continue;
                root->started = 1; /* the OR's answer, as st_eval_next() would give */
                root->doc = doc;
                if ((rc = st_eval_score(ev, doc, &score)) < 0) return rc;
                st_heap_push(heap, score, doc);
                if (heap->e[0].score > theta) {
                    theta = heap->e[0].score;
                    ess = ms_split(kub, n, theta, &ne);
                    split_theta = theta;
                }
            }
        }
        if (end >= last) return STELE_OK;
        t = end + 1;
        stale = 0;
        for (i = 0; i < n; i++)
            if (kend[i] < t) stale |= 1u << i;
    }
}

/*
 * Ranks every document the query matches into heap, skipping those that
 * cannot enter it (dynamic pruning, exact).  Once the heap is full, its
 * worst score theta is the bar: documents are visited in increasing
 * order, so a later one with a score equal to theta ranks below it (ties
 * go to the lower number) and one with a score <= theta never enters.
 * Before each step the evaluator bounds the score of every document of
 * an interval [target, end] from the block maxima of the lists (block-max
 * MaxScore: a list whose next document is past the interval adds
 * nothing, the others their current block's bound): when the bound is at
 * most theta, the whole interval is skipped without decoding a block.
 * An interval whose bound is above theta is not bounded again until it
 * is passed (or theta rises above that bound), so a list whose blocks
 * cannot be skipped costs one bound per block, not per document.  Under
 * an OR at the root, a match's own bound (the children not on it add
 * nothing) is checked again before the document is scored; a root OR of
 * at most ST_MS_KIDS children goes further, child by child, with
 * MaxScore (or_rank()), which walks only the children that can
 * lift a document into the top.  So only documents that
 * might enter the top are scored, and the result is the exhaustive one:
 * same documents, same scores, same order.
 *
 * *n_matches counts the documents found matching; *exact = 1 when that is
 * all of them (nothing was skipped but intervals where nothing matches),
 * 0 when it is a lower bound.  With no room for hits (cap 0) nothing is
 * scored and every match is counted.
 */
static int rank_all(st_eval *ev, st_heap *heap, size_t *n_matches, int *exact)
{
    uint32_t target = 0, doc, end;
    uint32_t last = ev->rp.n_docs ? ev->rp.n_docs - 1 : 0;
    size_t count = 0;
    int skipped = 0, rc, has_fail = 0;
    uint32_t fail_end = 0;
    double fail_ub = 0;
    /* Under an OR a match's own bound is tighter than its interval's (the
     * children not on it add nothing); elsewhere it is the same bound. */
    int per_doc = ev->q->root->type == ST_Q_OR;
    /* a root OR of a few children: MaxScore, child by child */
    int ms = per_doc && ev->q->root->n_kids >= 2 && ev->q->root->n_kids <= ST_MS_KIDS;

    ev->n_barred = 0;

    if (ev->rp.n_docs == 0) {
        *n_matches = 0;
        *exact = 1;
        return STELE_OK;
    }
    for (;;) {
        double score, ub;
        int empty;
        int full = heap->cap > 0 && heap->n == heap->cap;
        if (full && ms) {
            if ((rc = or_rank(ev, heap, target, last, &count, &skipped)) < 0) return rc;
            break;
        }
        /* An interval whose bound failed is not bounded again until it
         * is passed or theta has risen above that bound. */
        if (full && (!has_fail || target > fail_end || fail_ub <= heap->e[0].score)) {
            if ((rc = st_eval_bound(ev, target, &ub, &end, &empty)) < 0) return rc;
            if (empty || ub <= heap->e[0].score) {
                skipped |= !empty;
                if (end >= last) break;
                target = end + 1;
                continue;
            }
            has_fail = 1;
            fail_end = end;
            fail_ub = ub;
        }
        ev->bar_on = full;
        ev->bar = full ? heap->e[0].score : 0;
        rc = st_eval_next(ev, target, &doc);
        ev->bar_on = 0;
        if (rc < 0) return rc;
        if (doc == ST_DOC_END) break;
        count++;
        if (full && per_doc) {
            if ((rc = st_eval_bound(ev, doc, &ub, &end, &empty)) < 0) return rc;
            if (!empty && ub <= heap->e[0].score) {
                /* doc and the rest of [doc, end] cannot enter */
                skipped |= end > doc;
                if (end >= last) break;
                target = end + 1;
                continue;
            }
        }
        if (heap->cap > 0) {
            if ((rc = st_eval_score(ev, doc, &score)) < 0) return rc;
            st_heap_push(heap, score, doc);
        }
        if (doc >= last) break;
        target = doc + 1;
    }
    *n_matches = count;
    *exact = !skipped && ev->n_barred == 0;
    return STELE_OK;
}

int stele_query_run(stele_query *q, stele_hit *hits, size_t max_hits, size_t offset, size_t *n_hits,
                    size_t *n_matches)
{
    st_prepared *pq;
    st_arena a;
    st_heap heap;
    size_t matches = 0, want, n_out;
    int rc, exact = 1;

    if (n_hits) *n_hits = 0;
    if (n_matches) *n_matches = 0;
    if (!prepared(q) || (max_hits && !hits)) return STELE_EINVAL;
    q->matches_exact = 0;
    q->diag.needed = 0;
    pq = q->state_;
    if (offset > STELE_MAX_RESULTS) offset = STELE_MAX_RESULTS;
    want = offset + max_hits;
    if (want > STELE_MAX_RESULTS) want = STELE_MAX_RESULTS;

    st_arena_init(&a, q->mem_, q->size_);
    a.used = q->mark_ - a.pad;
    heap.e = st_arena_alloc(&a, want * sizeof(st_heap_entry));
    if (a.short_) {
        q->diag.needed = st_arena_needed(&a);
        return STELE_ENOSPACE;
    }
    heap.n = 0;
    heap.cap = want;

    if ((rc = st_eval_rewind(&pq->ev)) < 0) return rc;
    if ((rc = rank_all(&pq->ev, &heap, &matches, &exact)) < 0) return rc;
    st_heap_sort(&heap);
    n_out = heap.n > offset ? heap.n - offset : 0;
    if (n_out > max_hits) n_out = max_hits;
    for (size_t i = 0; i < n_out; i++) {
        stele_hit *h = &hits[i];
        memset(h, 0, sizeof *h);
        h->doc = heap.e[offset + i].doc;
        h->score = heap.e[offset + i].score;
        rc = stele_doc_id(q->ix_, h->doc, &h->id);
        if (rc == STELE_OK) rc = stele_doc_title(q->ix_, h->doc, &h->title);
        if (rc < 0) return rc;
    }
    st_hits_sort_by_doc(hits, n_out);
    rc = st_eval_rewind(&pq->ev);
    for (size_t i = 0; rc == STELE_OK && i < n_out; i++)
        rc = st_best_paragraph(&pq->ev, &hits[i]);
    st_hits_sort_by_rank(hits, n_out);
    if (rc < 0) return rc;
    if (n_hits) *n_hits = n_out;
    if (n_matches) *n_matches = matches;
    q->matches_exact = (uint32_t)exact;
    return STELE_OK;
}

int stele_query_snippet(stele_query *q, const stele_hit *hit, const stele_snippet_opts *sopts,
                        char *out, size_t out_cap, size_t *out_len)
{
    size_t needed = 0, start;
    int rc;

    if (out_len) *out_len = 0;
    if (out && out_cap) out[0] = '\0';
    if (sopts && sopts->n_spans) *sopts->n_spans = 0;
    if (!prepared(q) || !hit || (!out && out_cap)) return STELE_EINVAL;
    q->diag.needed = 0;
    if (hit->doc >= q->ix_->n_docs_) return STELE_ENOTFOUND;
    start = q->mark_; /* mem_ + mark_ is aligned: the arena's end */
    rc = st_snippet(q->state_, hit, sopts, start <= q->size_ ? q->mem_ + start : NULL,
                    start <= q->size_ ? q->size_ - start : 0, out, out_cap, out_len, &needed);
    if (rc == STELE_ENOSPACE && (start > q->size_ || q->size_ - start < needed))
        q->diag.needed = st_add_sat(start, needed);
    return rc;
}

#ifndef STELE_OMIT_TYPOS
/* The correction of fx into *word: its recorded one, or for a pending
 * fix (an exact query) the best the lexicon has, found now within what
 * is left of one STELE_CORRECT_SCAN budget, with the walker in w.  0:
 * none. */
static int fix_word(const stele_index *ix, const st_fix *fx, st_correct_work *w,
                    uint32_t *scan_left, st_correction *word)
{
    uint32_t n_cand = 0;
    int cut, rc;

    if (!fx->pending) {
        memcpy(word->word, fx->word, fx->word_len);
        word->len = fx->word_len;
        return 1;
    }
    rc = st_correct_find(ix, fx->word, fx->word_len, st_correct_k(fx->word, fx->word_len), &w->f,
                         w->cand, &n_cand, scan_left, &cut);
    if (rc < 0) return rc;
    if (n_cand == 0) return 0;
    *word = w->cand[0];
    return 1;
}

#endif /* STELE_OMIT_TYPOS */

void st_query_cost(const stele_query *q, st_cost *out)
{
    const st_prepared *pq = q->state_;
    out->dict_entries = pq->q.dict_steps;
    out->entries = pq->ev.steps;
    for (uint32_t i = 0; i < pq->q.n_terms; i++) {
        const st_qterm *t = pq->q.terms[i];
        if (t->prefix) continue;
        for (uint32_t k = 0; k < t->n_iter; k++)
            out->entries += t->iter[k]->steps;
    }
}

#ifndef STELE_OMIT_TYPOS
int stele_query_suggest(const stele_query *q, const char *query, size_t len, char *out,
                        size_t out_cap, size_t *out_len)
{
    const st_query *sq;
    size_t n = 0, at = 0;
    uint32_t scan_left = STELE_CORRECT_SCAN;
    st_correct_work *work = NULL;
    int any = 0, pending = 0;

    if (out_len) *out_len = 0;
    if (out && out_cap) out[0] = '\0';
    if (!prepared(q) || (!query && len) || (!out && out_cap)) return STELE_EINVAL;
    sq = &((const st_prepared *)q->state_)->q;
    for (const st_fix *fx = sq->fixes; fx; fx = fx->next) {
        if (fx->offset < at || fx->offset > len || fx->len > len - fx->offset)
            return STELE_EINVAL; /* not the text the query was prepared from */
        at = fx->offset + fx->len;
        pending |= fx->pending;
    }
    if (pending) {
        /* the walker lives past the mark, where runs keep their heap
         * (tail_bytes counted it in diag.needed) */
        st_arena a;
        st_arena_init(&a, q->mem_, q->size_);
        a.used = q->mark_ - a.pad;
        work = st_arena_alloc(&a, sizeof *work);
        if (!work) return STELE_ENOSPACE;
    }
    /* the query as typed, each fixed word replaced by its correction,
     * written while it fits and measured to the end */
    at = 0;
    for (const st_fix *fx = sq->fixes; fx; fx = fx->next) {
        st_correction word;
        int rc = fix_word(q->ix_, fx, work, &scan_left, &word);
        if (rc < 0) return rc;
        if (rc == 0) continue; /* no correction: the word stays as typed */
        any = 1;
        if (out && n + (fx->offset - at) + word.len < out_cap) {
            memcpy(out + n, query + at, fx->offset - at);
            memcpy(out + n + (fx->offset - at), word.word, word.len);
        }
        n += (fx->offset - at) + word.len;
        at = fx->offset + fx->len;
    }
    if (!any) return STELE_ENOTFOUND;
    if (out && n + (len - at) < out_cap) memcpy(out + n, query + at, len - at);
    n += len - at;
    if (out_len) *out_len = n;
    if (n >= out_cap) {
        if (out && out_cap) out[0] = '\0';
        return STELE_ENOSPACE;
    }
    out[n] = '\0';
    return STELE_OK;
}
#endif /* STELE_OMIT_TYPOS */

const char *stele_query_reason(int reason)
{
    static const char *const names[] = {
        "no error",
        "nothing to search for",
        "unclosed quote",
        "unclosed parenthesis",
        "closing parenthesis without an opening one",
        "unknown field",
        "a field name with nothing after it",
        "only excluded terms: nothing to find",
        "an operator with nothing after it",
        "OR with nothing before it",
        "'-' must touch the word it excludes",
        "empty parentheses or phrase",
        "malformed NEAR",
        "NEAR distances differ in one chain",
        "NEAR needs two or more plain words",
        "a prefix must be one word before '*'",
        "nothing searchable in an operand",
        "query too long",
        "nested too deeply",
        "too many words in a phrase or NEAR",
        "NEAR distance too large",
        "too many terms",
        "\"id:\" with no document id after it",
        "document id too long",
    };
    if (reason < 0 || (size_t)reason >= sizeof names / sizeof names[0]) return "unknown reason";
    return names[reason];
}
