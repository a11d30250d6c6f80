/*
 * query_eval.c: document-at-a-time evaluation of a query tree.
 *
 * Every node answers one question, "the first document >= target that you
 * match", and remembers its answer (doc, started).  Targets only grow: the
 * driver asks for doc + 1 after each match, AND passes its growing
 * candidate down, OR passes its target to every child.  So a node whose
 * remembered answer is >= the new target can return it again unchanged,
 * and every postings iterator only moves forward (st_postings_advance skips
 * whole compressed blocks through their skip entries).
 *
 *   TERM    the union of its per-field postings lists (only the scoped
 *           field's list for title:x); the smallest current document.
 *   AND     leapfrog over its positive children until all agree, then
 *           rejects the candidate if a NOT child's inner node matches it.
 *   OR      the smallest answer of its children.
 *   NOT     (not directly under AND) the first document its child does not
 *           match; only reached inside OR, as in `a OR -b`.
 *   PHRASE  candidates where every word occurs (a leapfrog over the words),
 *   NEAR    then positions are checked field by field, never across
 *           fields: a phrase needs word i at p + i; NEAR needs all words in
 *           a window with max - min <= k + (n - 1), in any order.  The
 *           number of matches in field f is the group's tf there: for a
 *           phrase, the number of start positions; for NEAR, the number of
 *           windows found by scanning left to right, each occurrence used
 *           in at most one window (a word given twice in NEAR may be
 *           satisfied by one occurrence).
 *
 * A matched document is scored by walking the tree once more: a child
 * contributes only if its remembered answer is the document, NOT
 * contributes nothing, a TERM contributes its BM25F over its fields and a
 * PHRASE or NEAR its BM25F as one pseudo-term (rank.c).
 *
 * Memory (st_eval_setup): per leaf, one st_term_info, one st_postings per
 * field the leaf can match in (fields of the term within its scope), and,
 * for a positive leaf or a word of a PHRASE or NEAR, one position buffer of
 * st_term_pos_cap() entries (fixed when the query was parsed).  The allocations are made before any
 * iterator is opened, so a short workspace is found, and measured, without touching the index.
 */
#include <string.h>

#include "query.h"

/* No term has more positions in one document than the document has
 * positions: stele_open() found the largest, max_doc_pos_ (the most tokens
 * of any document, paragraph gaps included).  A document's stored text is
 * also inflated as one piece (st_doc_load), so it has no more tokens than
 * the largest stored-text block has bytes; the smaller of the two holds.
 * An index whose postings break this is corrupt, and reading such a list
 * gives STELE_ECORRUPT, never an overrun (st_postings_positions checks
 * the capacity). */
uint32_t st_pos_cap(const stele_index *ix)
{
    uint32_t cap = ix ? ix->max_block_bytes_ : 0;
    if (ix && ix->max_doc_pos_ < cap) cap = ix->max_doc_pos_;
    return cap < 16 ? 16 : cap;
}

/* A list of fewer than 128 documents has its total positions counted
 * when its dictionary entry is read (st_list.n_positions), and no document
 * has more than that.  For a longer list the bytes bound it: the POSITIONS
 * section codes positions in runs (format.h), a varint at least a byte
 * each, and in a Rice run every value at least 1 bit and every value but a
 * document's first (deltas >= 1) at least 2, so a list of n bytes holds at
 * most 4 * n + 1 positions of one document.  For all but the most frequent
 * terms this is far below st_pos_cap(), and it is what keeps a typical
 * search's workspace small.  The sum over the fields in scope bounds a
 * document's positions in all of them together, as passages gather them. */
uint32_t st_term_pos_cap(const stele_index *ix, const st_term_info *info, int field)
{
    uint64_t n = 0, cap = st_pos_cap(ix);
    for (uint32_t f = 0; f < STELE_MAX_FIELDS && f < ix->n_fields_; f++) {
        if (!(info->field_mask & (1u << f)) || (field >= 0 && (uint32_t)field != f)) continue;
        const st_list *l = &info->list[f];
        n += l->n_positions ? l->n_positions : 4 * l->positions_len + 1;
        if (n >= cap) break;
    }
    return (uint32_t)(n < cap ? n : cap);
}

static void find_groups(st_eval *ev, st_qnode *n)
{
    if ((n->type == ST_Q_PHRASE || n->type == ST_Q_NEAR) && n->kids->term->positive &&
        ev->n_groups < STELE_MAX_QUERY_TERMS)
        ev->groups[ev->n_groups++] = n;
    for (st_qnode *k = n->kids; k; k = k->next)
        find_groups(ev, k);
}

static void mark_grouped(st_qnode *n)
{
    for (st_qnode *k = n->kids; k; k = k->next) {
        if ((n->type == ST_Q_PHRASE || n->type == ST_Q_NEAR) && k->term) k->term->grouped = 1;
        mark_grouped(k);
    }
}

static void reset_nodes(st_qnode *n)
{
    n->started = 0;
    n->doc = 0;
    if (n->type == ST_Q_PHRASE || n->type == ST_Q_NEAR) {
        n->idf = 0;
        for (st_qnode *k = n->kids; k; k = k->next)
            n->idf += k->term->idf;
    }
    for (st_qnode *k = n->kids; k; k = k->next)
        reset_nodes(k);
}

int st_eval_setup(st_eval *ev, const stele_index *ix, st_query *q, const stele_search_opts *opts,
                  st_arena *a)
{
    uint32_t n_fields = ix->n_fields_ < STELE_MAX_FIELDS ? ix->n_fields_ : STELE_MAX_FIELDS;
    uint32_t all_fields = n_fields >= 32 ? 0xFFFFFFFFu : (1u << n_fields) - 1;

    memset(ev, 0, sizeof *ev);
    ev->ix = ix;
    ev->q = q;
    st_rank_params_init(&ev->rp, ix, opts);
    mark_grouped(q->root);

    /* distinct positive terms, for choosing and marking passages */
    for (uint32_t i = 0; i < q->n_terms; i++) {
        st_qterm *t = q->terms[i];
        t->hl = -1;
        if (!t->positive) continue;
        for (uint32_t h = 0; h < ev->n_hl; h++) {
            st_qterm *o = ev->hl[h];
            if (o->len == t->len && o->field == t->field && o->prefix == t->prefix &&
                memcmp(o->text, t->text, t->len) == 0) {
                t->hl = (int)h;
                break;
            }
        }
        if (t->hl < 0) {
            t->hl = (int)ev->n_hl;
            ev->hl_grouped[ev->n_hl] = 1;
            ev->hl[ev->n_hl++] = t;
        }
        if (!t->grouped) ev->hl_grouped[t->hl] = 0;
    }
    find_groups(ev, q->root);

    /* all allocations first */
    for (uint32_t i = 0; i < q->n_terms; i++) {
        st_qterm *t = q->terms[i];
        uint32_t mask = t->field_mask & all_fields;
        if (t->field >= 0) mask &= 1u << t->field;
        t->n_iter = 0;
        t->info = st_arena_alloc(a, sizeof *t->info);
        for (uint32_t f = 0; f < n_fields; f++) {
            if (!(mask & (1u << f))) continue;
            t->iter_field[t->n_iter] = f;
            t->iter[t->n_iter++] = st_arena_alloc(a, sizeof(st_postings));
        }
        t->pos = NULL;
        t->n_pos = 0;
        if (t->positive || t->grouped)
            t->pos = st_arena_alloc(a, (size_t)t->pos_cap * sizeof(uint32_t));
    }
    if (a->short_) return STELE_ENOSPACE;

    /* then open the iterators */
    for (uint32_t i = 0; i < q->n_terms; i++) {
        st_qterm *t = q->terms[i];
        uint32_t df;
        int rc;
        t->idf = 0;
        if (t->n_iter == 0 || t->prefix) continue;
        rc = st_dict_find(ix, t->text, t->len, t->info);
        if (rc != STELE_OK) return rc == STELE_ENOTFOUND ? st_corrupt() : rc;
        for (uint32_t k = 0; k < t->n_iter; k++) {
            rc = st_postings_init(t->iter[k], ix, &t->info->list[t->iter_field[k]]);
            if (rc < 0) return rc;
            rc = st_postings_next(t->iter[k]);
            if (rc < 0) return rc;
        }
        df = t->field >= 0 ? t->info->list[t->field].df : t->info->df;
        t->idf = st_idf(ev->rp.n_docs, df);
    }
    reset_nodes(q->root);
    return STELE_OK;
}

/* Moves t's field iterators to >= target; *doc = the smallest. */
static int term_advance(st_qterm *t, uint32_t target, uint32_t *doc)
{
    uint32_t best = ST_DOC_END;
    for (uint32_t k = 0; k < t->n_iter; k++) {
        st_postings *it = t->iter[k];
        if (it->doc < target) {
            int rc = st_postings_advance(it, target);
            if (rc < 0) return rc;
        }
        if (it->doc < best) best = it->doc;
    }
    *doc = best;
    return STELE_OK;
}

/* The iterator of t for field f if it is on doc, else NULL. */
static st_postings *term_iter_at(const st_qterm *t, uint32_t f, uint32_t doc)
{
    for (uint32_t k = 0; k < t->n_iter; k++)
        if (t->iter_field[k] == f) return t->iter[k]->doc == doc ? t->iter[k] : NULL;
    return NULL;
}

static uint32_t phrase_count(st_qnode *n)
{
    uint32_t cur[STELE_MAX_PHRASE] = {0}, count = 0;
    const st_qterm *first = n->kids->term;
    for (uint32_t j = 0; j < first->n_pos; j++) {
        uint32_t p = first->pos[j], i = 1;
        int ok = 1;
        for (st_qnode *k = n->kids->next; k; k = k->next, i++) {
            const st_qterm *t = k->term;
            while (cur[i] < t->n_pos && t->pos[cur[i]] < p + i)
                cur[i]++;
            if (cur[i] == t->n_pos) return count;
            if (t->pos[cur[i]] != p + i) {
                ok = 0;
                break;
            }
        }
        count += (uint32_t)ok;
    }
    return count;
}

static uint32_t near_count(st_qnode *n)
{
    uint32_t cur[STELE_MAX_PHRASE] = {0}, count = 0;
    const st_qterm *w[STELE_MAX_PHRASE];
    uint32_t n_words = 0, limit;
    for (st_qnode *k = n->kids; k && n_words < STELE_MAX_PHRASE; k = k->next) {
        if (k->term->n_pos == 0) return 0;
        w[n_words++] = k->term;
    }
    limit = n->near_k + (n_words - 1);
    for (;;) {
        uint32_t lo = UINT32_MAX, hi = 0, arg = 0;
        for (uint32_t i = 0; i < n_words; i++) {
            uint32_t p = w[i]->pos[cur[i]];
            if (p < lo) {
                lo = p;
                arg = i;
            }
            if (p > hi) hi = p;
        }
        if (hi - lo <= limit) {
            count++;
            for (uint32_t i = 0; i < n_words; i++)
                if (++cur[i] == w[i]->n_pos) return count;
        } else if (++cur[arg] == w[arg]->n_pos) {
            return count;
        }
    }
}

/* Counts the group's matches in each field at doc (all words are on doc in
 * some field); *any = whether there was one. */
static int group_check(st_eval *ev, st_qnode *n, uint32_t doc, int *any)
{
    *any = 0;
    for (uint32_t f = 0; f < ev->rp.n_fields; f++) {
        st_qnode *k;
        n->ftf[f] = 0;
        for (k = n->kids; k; k = k->next)
            if (!term_iter_at(k->term, f, doc)) break;
        if (k) continue; /* some word is not in this field */
        for (k = n->kids; k; k = k->next) {
            st_qterm *t = k->term;
            int rc = st_postings_positions(term_iter_at(t, f, doc), t->pos, t->pos_cap, &t->n_pos);
            if (rc == STELE_ENOSPACE)
                return st_corrupt(); /* more positions than the list can hold */
            if (rc < 0) return rc;
        }
        n->ftf[f] = n->type == ST_Q_PHRASE ? phrase_count(n) : near_count(n);
        if (n->ftf[f]) *any = 1;
    }
    return STELE_OK;
}

/* The index of the first entry of v (ascending under mask, n entries)
 * whose masked value is >= x. */
static uint32_t lower_bound(const uint32_t *v, uint32_t n, uint32_t mask, uint32_t x)
{
    uint32_t lo = 0, hi = n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if ((v[mid] & mask) < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int has_pos(const uint32_t *v, uint32_t n, uint32_t mask, uint32_t x)
{
    uint32_t i = lower_bound(v, n, mask, x);
    return i < n && (v[i] & mask) == x;
}

int st_group_load(st_qnode *n, uint32_t doc, uint32_t field)
{
    for (st_qnode *k = n->kids; k; k = k->next) {
        st_qterm *t = k->term;
        st_postings *it = NULL;
        int rc;
        t->n_pos = 0;
        for (uint32_t i = 0; i < t->n_iter; i++)
            if (t->iter_field[i] == field) it = t->iter[i];
        if (!it || !t->pos) continue;
        if (it->doc < doc) {
            rc = st_postings_advance(it, doc);
            if (rc < 0) return rc;
        }
        if (it->doc != doc) continue;
        rc = st_postings_positions(it, t->pos, t->pos_cap, &t->n_pos);
        if (rc == STELE_ENOSPACE) return st_corrupt(); /* more positions than its lists' bytes */
        if (rc < 0) return rc;
    }
    return STELE_OK;
}

/* A phrase covers at when, for some word i at at, every word j sits at
 * at - i + j.  A NEAR group covers at when some window [lo, lo + limit]
 * holds at and an occurrence of every word (at being one of them); such a
 * window can start at its smallest occurrence, so only occurrences in
 * [at - limit, at] are tried as lo.  This is the condition under which
 * near_count() finds a window (it finds one whenever one exists). */
int st_group_covers(int type, uint32_t near_k, uint32_t n_words, const uint32_t *const *pos,
                    const uint32_t *n_pos, uint32_t mask, uint32_t at)
{
    uint32_t i, j;
    int found = 0;

    for (i = 0; i < n_words && !found; i++)
        found = has_pos(pos[i], n_pos[i], mask, at);
    if (!found) return 0;
    if (type == ST_Q_PHRASE) {
        for (i = 0; i < n_words; i++) {
            if (at < i || !has_pos(pos[i], n_pos[i], mask, at)) continue;
            for (j = 0; j < n_words; j++)
                if (!has_pos(pos[j], n_pos[j], mask, at - i + j)) break;
            if (j == n_words) return 1;
        }
        return 0;
    }
    uint64_t limit = (uint64_t)near_k + (n_words - 1);
    uint32_t from = at > limit ? (uint32_t)(at - limit) : 0;
    for (i = 0; i < n_words; i++) {
        for (uint32_t a = lower_bound(pos[i], n_pos[i], mask, from);
             a < n_pos[i] && (pos[i][a] & mask) <= at; a++) {
            uint32_t lo = pos[i][a] & mask;
            for (j = 0; j < n_words; j++) {
                uint32_t b = lower_bound(pos[j], n_pos[j], mask, lo);
                if (b == n_pos[j] || (pos[j][b] & mask) - lo > limit) break;
            }
            if (j == n_words) return 1;
        }
    }
    return 0;
}

int st_group_covers_loaded(const st_qnode *n, uint32_t at)
{
    const uint32_t *pos[STELE_MAX_PHRASE];
    uint32_t n_pos[STELE_MAX_PHRASE], n_words = 0;
    for (const st_qnode *k = n->kids; k && n_words < STELE_MAX_PHRASE; k = k->next) {
        pos[n_words] = k->term->pos;
        n_pos[n_words++] = k->term->n_pos;
    }
    return st_group_covers(n->type, n->near_k, n_words, pos, n_pos, UINT32_MAX, at);
}

static int node_advance(st_eval *ev, st_qnode *n, uint32_t target, uint32_t *doc);

static int group_advance(st_eval *ev, st_qnode *n, uint32_t target, uint32_t *doc)
{
    uint32_t cand = target;
    for (;;) {
        st_qnode *k;
        uint32_t d;
        int rc, any;
        if (cand >= ev->rp.n_docs) {
            *doc = ST_DOC_END;
            return STELE_OK;
        }
        for (k = n->kids; k; k = k->next) {
            rc = term_advance(k->term, cand, &d);
            if (rc < 0) return rc;
            if (d != cand) break;
        }
        if (k) {
            if (d == ST_DOC_END) {
                *doc = ST_DOC_END;
                return STELE_OK;
            }
            cand = d;
            continue;
        }
        rc = group_check(ev, n, cand, &any);
        if (rc < 0) return rc;
        if (any) {
            *doc = cand;
            return STELE_OK;
        }
        cand++;
    }
}

static int and_advance(st_eval *ev, st_qnode *n, uint32_t target, uint32_t *doc)
{
    uint32_t cand = target;
    for (;;) {
        st_qnode *k;
        uint32_t d = cand;
        int rc;
        if (cand >= ev->rp.n_docs) {
            *doc = ST_DOC_END;
            return STELE_OK;
        }
        for (k = n->kids; k; k = k->next) {
            if (k->type == ST_Q_NOT) continue;
            rc = node_advance(ev, k, cand, &d);
            if (rc < 0) return rc;
            if (d != cand) break;
        }
        if (k) {
            if (d == ST_DOC_END) {
                *doc = ST_DOC_END;
                return STELE_OK;
            }
            cand = d;
            continue;
        }
        for (k = n->kids; k; k = k->next) {
            if (k->type != ST_Q_NOT) continue;
            rc = node_advance(ev, k->kids, cand, &d);
            if (rc < 0) return rc;
            if (d == cand) break;
        }
        if (k) {
            cand++;
            continue;
        }
        *doc = cand;
        return STELE_OK;
    }
}

static int node_advance(st_eval *ev, st_qnode *n, uint32_t target, uint32_t *doc)
{
    uint32_t result = ST_DOC_END, d;
    int rc = STELE_OK;

    if (n->started && n->doc >= target) {
        *doc = n->doc;
        return STELE_OK;
    }
    if (target >= ev->rp.n_docs) {
        n->started = 1;
        n->doc = *doc = ST_DOC_END;
        return STELE_OK;
    }
    switch (n->type) {
    case ST_Q_TERM:
        rc = term_advance(n->term, target, &result);
        break;
    case ST_Q_OR:
        for (st_qnode *k = n->kids; k; k = k->next) {
            rc = node_advance(ev, k, target, &d);
            if (rc < 0) break;
            if (d < result) result = d;
        }
        break;
    case ST_Q_AND:
        rc = and_advance(ev, n, target, &result);
        break;
    case ST_Q_NOT:
        for (d = target; d < ev->rp.n_docs; d++) {
            uint32_t inner;
            rc = node_advance(ev, n->kids, d, &inner);
            if (rc < 0 || inner != d) break;
        }
        result = d < ev->rp.n_docs ? d : ST_DOC_END;
        break;
    case ST_Q_PHRASE:
    case ST_Q_NEAR:
        rc = group_advance(ev, n, target, &result);
        break;
    default: /* an unexpanded PREFIX matches nothing */
        break;
    }
    if (rc < 0) return rc;
    n->started = 1;
    n->doc = *doc = result;
    return STELE_OK;
}

int st_eval_next(st_eval *ev, uint32_t target, uint32_t *doc)
{
    return node_advance(ev, ev->q->root, target, doc);
}

static double node_score(st_eval *ev, st_qnode *n, uint32_t doc, const double *norm)
{
    double sum = 0;
    uint32_t tf[STELE_MAX_FIELDS];

    if (!n->started || n->doc != doc) return 0;
    switch (n->type) {
    case ST_Q_TERM:
        if (!n->term->positive) return 0;
        memset(tf, 0, sizeof tf);
        for (uint32_t k = 0; k < n->term->n_iter; k++)
            if (n->term->iter[k]->doc == doc) tf[n->term->iter_field[k]] = n->term->iter[k]->tf;
        return st_bm25f(&ev->rp, norm, tf, n->term->idf);
    case ST_Q_PHRASE:
    case ST_Q_NEAR:
        if (!n->kids->term->positive) return 0;
        return st_bm25f(&ev->rp, norm, n->ftf, n->idf);
    case ST_Q_AND:
    case ST_Q_OR:
        for (st_qnode *k = n->kids; k; k = k->next)
            sum += node_score(ev, k, doc, norm);
        return sum;
    default:
        return 0;
    }
}

int st_eval_score(st_eval *ev, uint32_t doc, double *score)
{
    double norm[STELE_MAX_FIELDS];
    int rc = st_rank_norms(ev->ix, &ev->rp, doc, norm);
    if (rc < 0) return rc;
    *score = node_score(ev, ev->q->root, doc, norm);
    return STELE_OK;
}
