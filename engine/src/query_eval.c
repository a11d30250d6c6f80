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
 *   ID      (id:55/12) the next document whose id is the leaf's text (or
 *           starts with it), found by reading the document table forward
 *           from the target: ids are not sorted, and a whole evaluation
 *           still reads each record at most once.
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
 * PHRASE or NEAR its BM25F as one pseudo-term (rank.c).  An ID is a
 * filter and contributes nothing: id:55/12 alone scores 0.
 *
 * Positions are never buffered.  A leaf's positions in a document come
 * from one st_poscur per field list, decoding one delta at a time, merged
 * in ascending order by an st_tstream; phrase and NEAR matching walk the
 * words' streams in step (a phrase by leapfrogging to a common start, NEAR
 * by moving the smallest head of a window), so memory does not depend on
 * how many positions a document has.
 *
 * Memory (st_eval_setup): per field list a leaf is read in (fields of the term within its scope)
 * one st_postings (which keeps the list's st_list, so the leaf's dictionary entry is not kept) and
 * one st_poscur (its walk stream), and a second (its cover stream) when the leaf is a word of a
 * phrase or NEAR group; per query the leaf and highlight tables, one coverage tracker per group
 * and the passage window (st_eval_query_bytes).  The allocations are made before any
 * iterator is opened, so a short workspace is found, and measured, without touching the index;
 * st_query_parse() counts the same bytes with no memory.
 */
#include <math.h>
#include <string.h>

#include "format.h"
#include "query.h"

uint32_t st_leaf_mask(const stele_index *ix, uint32_t field_mask, int field)
{
    uint32_t n_fields = ix->n_fields_ < STELE_MAX_FIELDS ? ix->n_fields_ : STELE_MAX_FIELDS;
    uint32_t mask = field_mask & ((1u << n_fields) - 1);
    if (field >= 0) mask &= field < 32 ? 1u << field : 0;
    return mask;
}

size_t st_eval_leaf_bytes(uint32_t n_lists)
{
    return n_lists * ST_ALIGNED(sizeof(st_postings)) +
           ST_ALIGNED((size_t)n_lists * sizeof(st_poscur));
}

size_t st_eval_cover_bytes(uint32_t n_lists)
{
    return ST_ALIGNED((size_t)n_lists * sizeof(st_poscur));
}

/* The window of the passage scan holds the positions of ST_DENSE_WINDOW
 * consecutive tokens, each of which may be several highlight terms. */
static size_t win_entries(uint32_t n_terms)
{
    return (size_t)ST_DENSE_WINDOW * n_terms + 1;
}

size_t st_eval_query_bytes(uint32_t n_terms, uint32_t n_group_words)
{
    /* a group has two words or more */
    size_t n = n_terms, w = win_entries(n_terms), g = n_group_words / 2;
    return ST_ALIGNED(n * sizeof(st_qterm *)) +                       /* q->terms */
           ST_ALIGNED(n * sizeof(st_qterm *)) +                       /* hl */
           ST_ALIGNED(n) +                                            /* hl_grouped */
           ST_ALIGNED(g * sizeof(st_qnode *)) +                       /* groups */
           ST_ALIGNED(g * sizeof(struct st_cover)) +                  /* covers */
           ST_ALIGNED((size_t)n_group_words * sizeof(uint32_t) + 4) + /* near_prev */
           ST_ALIGNED(n * sizeof(uint32_t)) +                         /* hl_seen */
           ST_ALIGNED(n * sizeof(uint16_t)) +                         /* hl_count */
           ST_ALIGNED(w * sizeof(uint32_t)) +                         /* win_pos */
           ST_ALIGNED(w * sizeof(uint16_t));                          /* win_term */
}

static void find_groups(st_eval *ev, st_qnode *n)
{
    if ((n->type == ST_Q_PHRASE || n->type == ST_Q_NEAR) && n->kids->term->positive)
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

static uint32_t popcount32(uint32_t x)
{
    uint32_t n = 0;
    for (; x; x &= x - 1)
        n++;
    return n;
}

static uint32_t count_group_words(const st_qnode *n)
{
    uint32_t w = 0;
    for (const st_qnode *k = n->kids; k; k = k->next)
        w += (n->type == ST_Q_PHRASE || n->type == ST_Q_NEAR) ? 1 : count_group_words(k);
    return w;
}

/* Looks t up once more and hands each of its iterators its list: the
 * dictionary entry (400 bytes, all field slots) lives only on this
 * frame, so a leaf's workspace is its iterators and cursors alone.  Sets
 * t's idf from its documents in its scope. */
ST_NOINLINE static int term_lists(st_eval *ev, st_qterm *t)
{
    st_term_info info;
    uint32_t mask = st_leaf_mask(ev->ix, t->field_mask, t->field), k = 0;
    int rc = st_dict_find(ev->ix, t->text, t->len, &info);
    if (rc != STELE_OK) return rc == STELE_ENOTFOUND ? st_corrupt() : rc;
    for (uint32_t f = 0; f < STELE_MAX_FIELDS && k < t->n_iter; f++)
        if ((mask & (1u << f)) && (rc = st_postings_init(t->iter[k++], ev->ix, &info.list[f])) < 0)
            return rc;
    uint32_t df = t->field >= 0 ? info.list[t->field].df : info.df;
    t->idf = st_idf(ev->rp.n_docs, df);
    /* a correction ranks below the word as typed: 1/2 per edit */
    if (t->fuzzy) t->idf /= (double)(1u << t->fuzzy);
    t->stop = (uint8_t)(t->positive &&
                        (uint64_t)df * 1000u >= (uint64_t)ev->rp.n_docs * ST_STOP_PERMILLE);
    return STELE_OK;
}

/* Stopwords (ST_STOP_PERMILLE) stay so only beside a positive term of
 * the index that is not one: in a query of nothing but stopwords ("to
 * be"), every word is marked wherever it occurs, as any word is. */
static void mark_stopwords(st_query *q)
{
    for (uint32_t i = 0; i < q->n_terms; i++) {
        const st_qterm *t = q->terms[i];
        if (t->positive && t->n_iter > 0 && !t->prefix && !t->stop) return;
    }
    for (uint32_t i = 0; i < q->n_terms; i++)
        q->terms[i]->stop = 0;
}

int st_eval_setup(st_eval *ev, const stele_index *ix, st_query *q, const stele_query_opts *opts,
                  st_arena *a)
{
    uint32_t n = q->n_terms, i = 0, words = count_group_words(q->root);
    size_t w = win_entries(n);

    memset(ev, 0, sizeof *ev);
    ev->ix = ix;
    ev->q = q;
    st_rank_params_init(&ev->rp, ix, opts);
    mark_grouped(q->root);

    /* all allocations first, in the order st_eval_query_bytes() and
     * st_eval_leaf_bytes() count them */
    q->terms = st_arena_alloc(a, n * sizeof(st_qterm *));
    ev->hl = st_arena_alloc(a, n * sizeof(st_qterm *));
    ev->hl_grouped = st_arena_alloc(a, n);
    ev->groups = st_arena_alloc(a, (words / 2) * sizeof(st_qnode *));
    ev->covers = st_arena_alloc(a, (words / 2) * sizeof(st_cover));
    ev->near_prev = st_arena_alloc(a, (size_t)words * sizeof(uint32_t) + 4);
    ev->hl_seen = st_arena_alloc(a, n * sizeof(uint32_t));
    ev->hl_count = st_arena_alloc(a, n * sizeof(uint16_t));
    ev->win_pos = st_arena_alloc(a, w * sizeof(uint32_t));
    ev->win_term = st_arena_alloc(a, w * sizeof(uint16_t));
    ev->win_cap = (uint32_t)w;
    for (st_qterm *t = q->first_term; t; t = t->next) {
        uint32_t mask = st_leaf_mask(ix, t->field_mask, t->field), lists = popcount32(mask);
        ev->score_fields |= mask;
        t->n_iter = 0;
        for (uint32_t f = 0; f < STELE_MAX_FIELDS; f++) {
            if (!(mask & (1u << f))) continue;
            t->iter[t->n_iter++] = st_arena_alloc(a, sizeof(st_postings));
        }
        t->walk.cur = st_arena_alloc(a, lists * sizeof(st_poscur));
        /* only a group's words are asked about coverage */
        t->cover.cur = t->grouped ? st_arena_alloc(a, lists * sizeof(st_poscur)) : NULL;
        if (!a->short_) q->terms[i] = t;
        i++;
    }
    if (a->short_) return STELE_ENOSPACE;
    /* Copies are merged only now, so that the workspace is the one the
     * counting parse measured (it sees the tree before the merge). */
    st_query_dedup(q);

    /* distinct positive terms, for choosing and marking passages */
    for (i = 0; i < n; i++) {
        st_qterm *t = q->terms[i];
        t->hl = -1;
        if (!t->positive || t->dropped) continue;
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
    {
        uint32_t *prev = ev->near_prev;
        for (uint32_t g = 0; g < ev->n_groups; g++) {
            st_cover *c = &ev->covers[g];
            memset(c, 0, sizeof *c);
            c->group = ev->groups[g];
            c->n_words = c->group->n_kids;
            c->prev = prev;
            prev += c->n_words;
        }
    }

    /* then look the terms up and open the iterators */
    for (i = 0; i < n; i++) {
        st_qterm *t = q->terms[i];
        t->idf = 0;
        if (t->n_iter == 0 || t->prefix) continue;
        int rc = term_lists(ev, t);
        if (rc < 0) return rc;
        for (uint32_t k = 0; k < t->n_iter; k++)
            t->iter[k]->steps = 0; /* nothing done yet: rewind adds it */
    }
    mark_stopwords(q);
    return st_eval_rewind(ev);
}

/* An estimate of the documents n matches, from document frequencies,
 * and n->lead of every AND, PHRASE and NEAR below: the child to ask first,
 * so that intersections leapfrog from the rarest list. */
static uint64_t node_cost(st_qnode *n)
{
    uint64_t cost = 0, least = UINT64_MAX;
    n->lead = NULL;
    switch (n->type) {
    case ST_Q_TERM:
        if (n->term->prefix || n->term->n_iter == 0) return 0;
        for (uint32_t k = 0; k < n->term->n_iter; k++)
            cost += n->term->iter[k]->list.df;
        return cost;
    case ST_Q_OR:
        for (st_qnode *k = n->kids; k; k = k->next)
            cost += node_cost(k);
        return cost;
    case ST_Q_AND:
    case ST_Q_PHRASE:
    case ST_Q_NEAR:
        for (st_qnode *k = n->kids; k; k = k->next) {
            uint64_t c = node_cost(k);
            if (k->type == ST_Q_NOT || c >= least) continue;
            least = c;
            n->lead = k;
        }
        return least == UINT64_MAX ? 0 : least;
    case ST_Q_NOT:
        (void)node_cost(n->kids);
        return UINT64_MAX / 4; /* matches most documents */
    case ST_Q_ID:
        /* an exact id is (nearly always) one document; a prefix's count
         * is unknown without a scan, so any list leads before it */
        return n->term->id_match == ST_ID_EXACT ? 1 : (uint64_t)1 << 32;
    default:
        return 0;
    }
}

int st_eval_rewind(st_eval *ev)
{
    st_query *q = ev->q;
    for (uint32_t i = 0; i < q->n_terms; i++) {
        st_qterm *t = q->terms[i];
        if (t->prefix) continue;
        for (uint32_t k = 0; k < t->n_iter; k++) {
            ev->steps += t->iter[k]->steps;  /* init starts it again from 0 */
            st_list list = t->iter[k]->list; /* init clears the iterator */
            int rc = st_postings_init(t->iter[k], ev->ix, &list);
            if (rc < 0) return rc;
            rc = st_postings_next(t->iter[k]);
            if (rc < 0) return rc;
        }
    }
    reset_nodes(q->root);
    (void)node_cost(q->root);
    ev->bar_on = 0;
    ev->bar_group = NULL;
    ev->bar_mult = 1;
    for (const st_qnode *n = q->root; n; n = n->kids) {
        if (n->type == ST_Q_PHRASE || n->type == ST_Q_NEAR) {
            if (n->kids->term->positive) ev->bar_group = n;
            break;
        }
        if ((n->type != ST_Q_AND && n->type != ST_Q_OR) || n->n_kids != 1) break;
        ev->bar_mult *= n->kids->mult;
    }
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

int st_term_seek(st_qterm *t, uint32_t doc)
{
    uint32_t d;
    return t->prefix ? STELE_OK : term_advance(t, doc, &d);
}

/* ---- Position streams --------------------------------------------------- */

static void tstream_pick(st_tstream *s)
{
    s->has = 0;
    for (uint32_t k = 0; k < 32 && (s->live >> k); k++) {
        if (!(s->live & (1u << k))) continue;
        if (!s->has || s->cur[k].pos < s->pos) {
            s->pos = s->cur[k].pos;
            s->field = (uint8_t)k;
            s->has = 1;
        }
    }
}

int st_tstream_open(st_tstream *s, const st_qterm *t, uint32_t doc, int field)
{
    s->live = 0;
    s->has = 0;
    if (t->prefix) return STELE_OK;
    for (uint32_t k = 0; k < t->n_iter; k++) {
        st_postings *it = t->iter[k];
        int rc;
        if (it->doc != doc || (field >= 0 && t->iter[k]->list.field != (uint32_t)field)) continue;
        if ((rc = st_poscur_open(&s->cur[k], it)) < 0) return rc;
        if ((rc = st_poscur_next(&s->cur[k])) < 0) return rc;
        if (rc == 1) s->live |= 1u << k;
    }
    tstream_pick(s);
    return s->has;
}

int st_tstream_next(st_tstream *s)
{
    int rc;
    if (!s->has) return 0;
    if ((rc = st_poscur_next(&s->cur[s->field])) < 0) return rc;
    if (rc == 0) s->live &= ~(1u << s->field);
    tstream_pick(s);
    return s->has;
}

int st_tstream_seek(st_tstream *s, uint32_t target)
{
    while (s->has && s->pos < target) {
        int rc = st_tstream_next(s);
        if (rc < 0) return rc;
    }
    return s->has;
}

/* ---- Phrases and NEAR ---------------------------------------------------- */

/* The first start p >= from at which word i of the phrase n sits at p + i
 * for every i, reading the words' streams of kind (walk or cover), into
 * *p; *found = 0 when there is none. */
static int phrase_next(st_qnode *n, int cover, uint64_t from, uint64_t *p, int *found)
{
    uint64_t cand = from;
    *found = 0;
    for (;;) {
        uint32_t i = 0;
        st_qnode *k;
        uint64_t moved = cand;
        for (k = n->kids; k; k = k->next, i++) {
            st_tstream *s = cover ? &k->term->cover : &k->term->walk;
            uint64_t want = cand + i;
            int rc;
            if (want > UINT32_MAX) return STELE_OK;
            if ((rc = st_tstream_seek(s, (uint32_t)want)) < 0) return rc;
            if (rc == 0) return STELE_OK;
            if (s->pos != want) {
                moved = (uint64_t)s->pos - i; /* >= cand + 1 as pos > want */
                break;
            }
        }
        if (!k) {
            *p = cand;
            *found = 1;
            return STELE_OK;
        }
        cand = moved;
    }
}

static int phrase_count(st_qnode *n, uint32_t *count)
{
    uint64_t from = 0, p;
    int found, rc;
    *count = 0;
    for (;;) {
        if ((rc = phrase_next(n, 0, from, &p, &found)) < 0) return rc;
        if (!found) return STELE_OK;
        (*count)++;
        from = p + 1;
    }
}

static int near_count(st_qnode *n, uint32_t *count)
{
    uint32_t n_words = n->n_kids;
    uint64_t limit = (uint64_t)n->near_k + (n_words - 1);
    *count = 0;
    for (st_qnode *k = n->kids; k; k = k->next)
        if (!k->term->walk.has) return STELE_OK;
    for (;;) {
        uint32_t lo = UINT32_MAX, hi = 0;
        st_tstream *arg = NULL;
        int rc;
        for (st_qnode *k = n->kids; k; k = k->next) {
            st_tstream *s = &k->term->walk;
            if (s->pos < lo) {
                lo = s->pos;
                arg = s;
            }
            if (s->pos > hi) hi = s->pos;
        }
        if (hi - lo <= limit) {
            (*count)++;
            for (st_qnode *k = n->kids; k; k = k->next) {
                if ((rc = st_tstream_next(&k->term->walk)) < 0) return rc;
                if (rc == 0) return STELE_OK;
            }
        } else {
            if ((rc = st_tstream_next(arg)) < 0) return rc;
            if (rc == 0) return STELE_OK;
        }
    }
}

/* Whether t has a list for field f on doc. */
static int term_on(const st_qterm *t, uint32_t f, uint32_t doc)
{
    for (uint32_t k = 0; k < t->n_iter; k++)
        if (t->iter[k]->list.field == f) return t->iter[k]->doc == doc;
    return 0;
}

/* Counts the group's matches in each field at doc (all words are on doc in
 * some field); *any = whether there was one. */
static int group_check(st_eval *ev, st_qnode *n, uint32_t doc, int *any)
{
    *any = 0;
    for (uint32_t f = 0; f < ev->rp.n_fields; f++) {
        st_qnode *k;
        int rc;
        n->ftf[f] = 0;
        for (k = n->kids; k; k = k->next)
            if (!term_on(k->term, f, doc)) break;
        if (k) continue; /* some word is not in this field */
        for (k = n->kids; k; k = k->next)
            if ((rc = st_tstream_open(&k->term->walk, k->term, doc, (int)f)) < 0) return rc;
        rc = n->type == ST_Q_PHRASE ? phrase_count(n, &n->ftf[f]) : near_count(n, &n->ftf[f]);
        if (rc < 0) return rc;
        if (n->ftf[f]) *any = 1;
    }
    return STELE_OK;
}

/* ---- Coverage ------------------------------------------------------------ */

int st_cover_open(st_cover *c, uint32_t doc, int field)
{
    int rc;
    c->has_last = 0;
    c->done = 0;
    c->next_p = 0;
    for (st_qnode *k = c->group->kids; k; k = k->next) {
        if ((rc = st_term_seek(k->term, doc)) < 0) return rc;
        if ((rc = st_tstream_open(&k->term->cover, k->term, doc, field)) < 0) return rc;
    }
    for (uint32_t i = 0; i < c->n_words; i++)
        c->prev[i] = UINT32_MAX;
    if (c->group->type == ST_Q_PHRASE) {
        int found;
        if ((rc = phrase_next(c->group, 1, 0, &c->next_p, &found)) < 0) return rc;
        c->done = !found;
    }
    return STELE_OK;
}

static int near_covers(st_cover *c, uint32_t at)
{
    uint64_t limit = (uint64_t)c->group->near_k + (c->n_words - 1);
    uint64_t left[STELE_MAX_PHRASE], right[STELE_MAX_PHRASE];
    uint32_t i = 0;
    int on_word = 0;
    const uint64_t far = UINT64_MAX / 4;

    for (st_qnode *k = c->group->kids; k && i < STELE_MAX_PHRASE; k = k->next, i++) {
        st_tstream *s = &k->term->cover;
        while (s->has && s->pos < at) {
            int rc;
            c->prev[i] = s->pos;
            if ((rc = st_tstream_next(s)) < 0) return rc;
        }
        left[i] = c->prev[i] == UINT32_MAX ? far : (uint64_t)(at - c->prev[i]);
        right[i] = s->has ? (uint64_t)(s->pos - at) : far;
        if (s->has && s->pos == at) {
            on_word = 1;
            left[i] = right[i] = 0;
        }
    }
    if (!on_word) return 0;
    /* Some window holds at and a word each: take every word from the left
     * when its left distance is at most A, from the right otherwise, for
     * each candidate A; the window then spans A + the largest right. */
    for (uint32_t a = 0; a <= i; a++) {
        uint64_t span_left = a == i ? 0 : left[a], span_right = 0;
        if (span_left >= far) continue;
        for (uint32_t j = 0; j < i; j++)
            if (left[j] > span_left && right[j] > span_right) span_right = right[j];
        if (span_left + span_right <= limit) return 1;
    }
    return 0;
}

int st_cover_test(st_cover *c, uint32_t at)
{
    int rc;
    if (c->group->type == ST_Q_NEAR) return near_covers(c, at);
    while (!c->done && c->next_p <= at) {
        int found;
        c->last_p = c->next_p;
        c->has_last = 1;
        if ((rc = phrase_next(c->group, 1, c->last_p + 1, &c->next_p, &found)) < 0) return rc;
        c->done = !found;
    }
    return c->has_last && c->last_p + c->group->n_kids - 1 >= at;
}

static int node_advance(st_eval *ev, st_qnode *n, uint32_t target, uint32_t *doc);

/* An ID leaf: the first document >= target whose id is t's text, or
 * starts with it for a prefix. */
ST_NOINLINE static int id_advance(st_eval *ev, const st_qterm *t, uint32_t target, uint32_t *doc)
{
    for (uint32_t d = target; d < ev->rp.n_docs; d++) {
        stele_view id = {NULL, 0};
        int rc = stele_doc_id(ev->ix, d, &id);
        if (rc != STELE_OK) return rc;
        if ((t->id_match == ST_ID_PREFIX ? id.len >= t->len : id.len == t->len) &&
            memcmp(id.data, t->text, t->len) == 0) {
            *doc = d;
            return STELE_OK;
        }
    }
    *doc = ST_DOC_END;
    return STELE_OK;
}

/* t's tf in each field at doc (0 where its list is not on doc). */
static void term_tfs(const st_qterm *t, uint32_t doc, uint32_t tf[STELE_MAX_FIELDS])
{
    memset(tf, 0, STELE_MAX_FIELDS * sizeof *tf);
    for (uint32_t k = 0; k < t->n_iter; k++)
        if (t->iter[k]->doc == doc) tf[t->iter[k]->list.field] = t->iter[k]->tf;
}

/* Whether ev->bar_group n cannot lift the query's score above the run's
 * bar at doc, where all its words are: its tf in a field is at most each
 * word's (group_bound), and BM25F grows with every tf, so the score of
 * the words' least tfs, with the document's own norms, times bar_mult,
 * bounds it (slack for rounding as in st_eval_bound). */
ST_NOINLINE static int group_barred(st_eval *ev, const st_qnode *n, uint32_t doc, int *barred)
{
    double norm[STELE_MAX_FIELDS];
    uint32_t tf[STELE_MAX_FIELDS];
    int rc = st_rank_norms(ev->ix, &ev->rp, doc, ev->score_fields, norm);
    if (rc < 0) return rc;
    for (uint32_t f = 0; f < STELE_MAX_FIELDS; f++)
        tf[f] = UINT32_MAX;
    for (const st_qnode *k = n->kids; k; k = k->next) {
        uint32_t word[STELE_MAX_FIELDS];
        term_tfs(k->term, doc, word);
        for (uint32_t f = 0; f < STELE_MAX_FIELDS; f++)
            tf[f] = word[f] < tf[f] ? word[f] : tf[f];
    }
    double ub = st_bm25f(&ev->rp, norm, tf, n->idf) * ev->bar_mult * (1.0 + 1e-9) + 1e-300;
    *barred = ub <= ev->bar;
    return STELE_OK;
}

/* Out of line, as every leaf case of the recursive functions below, so
 * that their frames stay small (a query may nest STELE_MAX_DEPTH deep). */
ST_NOINLINE static int group_advance(st_eval *ev, st_qnode *n, uint32_t target, uint32_t *doc)
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
        /* the rarest word first, then the others */
        d = cand;
        if (n->lead && (rc = term_advance(n->lead->term, cand, &d)) < 0) return rc;
        for (k = d == cand ? n->kids : NULL; k; k = k->next) {
            if (k == n->lead) continue;
            rc = term_advance(k->term, cand, &d);
            if (rc < 0) return rc;
            if (d != cand) break;
        }
        if (d != cand) {
            if (d == ST_DOC_END) {
                *doc = ST_DOC_END;
                return STELE_OK;
            }
            cand = d;
            continue;
        }
        if (ev->bar_on && n == ev->bar_group) {
            int barred;
            if ((rc = group_barred(ev, n, cand, &barred)) < 0) return rc;
            if (barred) {
                ev->n_barred++;
                cand++;
                continue;
            }
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
        /* the rarest child first, then the others */
        if (n->lead && (rc = node_advance(ev, n->lead, cand, &d)) < 0) return rc;
        for (k = d == cand ? n->kids : NULL; k; k = k->next) {
            if (k->type == ST_Q_NOT || k == n->lead) continue;
            rc = node_advance(ev, k, cand, &d);
            if (rc < 0) return rc;
            if (d != cand) break;
        }
        if (d != cand) {
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
    case ST_Q_ID:
        rc = id_advance(ev, n->term, target, &result);
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

/* node_score() of a TERM leaf, out of line (see group_advance). */
ST_NOINLINE static double term_score(st_eval *ev, const st_qterm *t, uint32_t doc,
                                     const double *norm)
{
    uint32_t tf[STELE_MAX_FIELDS];
    term_tfs(t, doc, tf);
    return st_bm25f(&ev->rp, norm, tf, t->idf);
}

static double node_score(st_eval *ev, st_qnode *n, uint32_t doc, const double *norm)
{
    double sum = 0;

    if (!n->started || n->doc != doc) return 0;
    switch (n->type) {
    case ST_Q_TERM:
        if (!n->term->positive) return 0;
        return term_score(ev, n->term, doc, norm);
    case ST_Q_PHRASE:
    case ST_Q_NEAR:
        if (!n->kids->term->positive) return 0;
        return st_bm25f(&ev->rp, norm, n->ftf, n->idf);
    case ST_Q_AND:
    case ST_Q_OR:
        for (st_qnode *k = n->kids; k; k = k->next)
            sum += node_score(ev, k, doc, norm) * k->mult;
        return sum;
    default:
        return 0;
    }
}

/* ---- Upper bounds for dynamic pruning ------------------------------------ */

/* A bound of w_f * tf / norm, the term of the BM25F sum, over the
 * documents of a block in field f, the lesser of two: from the largest tf
 * and the smallest norm byte of the block (since norm grows with the norm
 * byte, b >= 0; INFINITY when the tf is saturated in its skip entry or no
 * bound exists), and, at the default b, from tfn, a bound of tf / norm
 * itself (st_tfn_value() of the blocks' tfn codes; INFINITY: none). */
static double field_bound(const st_rank_params *rp, uint32_t f, uint32_t max_tf, uint8_t min_norm,
                          double tfn)
{
    double ub = INFINITY;
    if (f >= rp->n_fields || !(rp->avg_len[f] > 0) || max_tf == 0) return 0;
    /* With b = 1 an empty field's norm is 0 and the field is skipped;
     * the least norm a scored document can have is then byte 1's. */
    for (unsigned byte = min_norm; max_tf < ST_MAX_TF_SAT && byte < 256; byte++) {
        double norm = st_length_norm(rp->b, (uint8_t)byte, rp->avg_len[f]);
        if (norm > 0) {
            ub = rp->weight[f] * (double)max_tf / norm;
            break;
        }
    }
    if (rp->b == ST_BM25_B && rp->weight[f] * tfn < ub) ub = rp->weight[f] * tfn;
    return ub;
}

/* BM25 saturation of a bound of tfw (rank.c), which never exceeds
 * idf * (k1 + 1). */
static double saturate(const st_rank_params *rp, double tfw, double idf)
{
    if (!(tfw > 0)) return 0;
    if (isinf(tfw)) return idf * (rp->k1 + 1.0);
    return idf * tfw * (rp->k1 + 1.0) / (rp->k1 + tfw);
}

static uint32_t min_u32(uint32_t a, uint32_t b)
{
    return a < b ? a : b;
}

/* A bound of a node's score over the documents [d, *end]: *empty = 1 when
 * the node matches none of them (as the evaluator will find them: an
 * iterator only moves forward, so a list whose iterator is past a
 * document cannot contribute to it), else *ub >= its score of any of
 * them.  Nothing moves. */
/* node_bound() of a TERM leaf, out of line: the recursion's frames stay
 * small (the query may nest STELE_MAX_DEPTH deep). */
ST_NOINLINE static int term_bound(st_eval *ev, st_qnode *n, uint32_t d, double *ub, uint32_t *end,
                                  int *empty)
{
    const st_rank_params *rp = &ev->rp;
    uint32_t e = ST_DOC_END, first, last, max_tf, block;
    uint8_t min_norm, tfn;
    int rc;

    *ub = 0;
    *empty = 0;
    *end = ST_DOC_END;
    st_qterm *t = n->term;
    double tfw = 0;
    int on = 0;
    if (t->prefix) {
        *empty = 1;
        return STELE_OK;
    }
    for (uint32_t k = 0; k < t->n_iter; k++) {
        st_postings *it = t->iter[k];
        rc = st_postings_bound(it, d, &first, &last, &max_tf, &min_norm, &tfn, &block);
        if (rc < 0) return rc;
        if (rc == 0) continue; /* nothing left from d on */
        if (first > d) {
            e = min_u32(e, first - 1);
            continue;
        }
        on = 1;
        e = min_u32(e, last);
        if (it->ub_block != block + 1) {
            it->ub_value =
                field_bound(rp, t->iter[k]->list.field, max_tf, min_norm, st_tfn_value(tfn));
            it->ub_block = block + 1;
        }
        tfw += it->ub_value;
    }
    *end = e;
    *empty = !on;
    if (on && t->positive) *ub = saturate(rp, tfw, t->idf);
    return STELE_OK;
}

/* node_bound() of a PHRASE or NEAR group, out of line as term_bound(). */
ST_NOINLINE static int group_bound(st_eval *ev, st_qnode *n, uint32_t d, double *ub, uint32_t *end,
                                   int *empty)
{
    const st_rank_params *rp = &ev->rp;
    uint32_t e = ST_DOC_END, first, last, max_tf, block;
    uint8_t min_norm, tfn;
    int rc;

    *ub = 0;
    *empty = 0;
    *end = ST_DOC_END;
    /* A group's tf in a field is at most each word's there (a phrase
     * counts start positions, NEAR windows using each occurrence once),
     * and a document's norm is at least each word's block least; so its
     * tf / norm is at most each word's tfn bound too. */
    uint32_t tf_min[STELE_MAX_FIELDS], n_on[STELE_MAX_FIELDS];
    uint8_t norm_max[STELE_MAX_FIELDS];
    double tfn_min[STELE_MAX_FIELDS];
    uint32_t n_words = 0;
    double tfw = 0;
    for (uint32_t f = 0; f < STELE_MAX_FIELDS; f++) {
        tf_min[f] = UINT32_MAX;
        n_on[f] = 0;
        norm_max[f] = 0;
        tfn_min[f] = INFINITY;
    }
    for (st_qnode *k = n->kids; k; k = k->next, n_words++) {
        st_qterm *t = k->term;
        uint32_t word_e = ST_DOC_END;
        int on = 0;
        for (uint32_t i = 0; i < t->n_iter; i++) {
            uint32_t f = t->iter[i]->list.field;
            rc = st_postings_bound(t->iter[i], d, &first, &last, &max_tf, &min_norm, &tfn, &block);
            if (rc < 0) return rc;
            if (rc == 0) continue;
            if (first > d) {
                word_e = min_u32(word_e, first - 1);
                continue;
            }
            on = 1;
            word_e = min_u32(word_e, last);
            n_on[f]++;
            tf_min[f] = max_tf < tf_min[f] ? max_tf : tf_min[f];
            norm_max[f] = min_norm > norm_max[f] ? min_norm : norm_max[f];
            double v = st_tfn_value(tfn);
            if (v < tfn_min[f]) tfn_min[f] = v;
        }
        if (!on) {
            /* the group needs every word */
            *empty = 1;
            *end = word_e;
            return STELE_OK;
        }
        e = min_u32(e, word_e);
    }
    int any_field = 0;
    for (uint32_t f = 0; f < rp->n_fields; f++) {
        if (n_on[f] != n_words) continue;
        any_field = 1;
        tfw += field_bound(rp, f, tf_min[f], norm_max[f], tfn_min[f]);
    }
    *end = e;
    *empty = !any_field; /* matches are counted within one field */
    if (n->kids->term->positive) *ub = saturate(rp, tfw, n->idf);
    return STELE_OK;
}

static int node_bound(st_eval *ev, st_qnode *n, uint32_t d, double *ub, uint32_t *end, int *empty)
{
    uint32_t e = ST_DOC_END;
    int rc;

    *ub = 0;
    *empty = 0;
    *end = ST_DOC_END;
    switch (n->type) {
    case ST_Q_TERM:
        return term_bound(ev, n, d, ub, end, empty);
    case ST_Q_PHRASE:
    case ST_Q_NEAR:
        return group_bound(ev, n, d, ub, end, empty);
    case ST_Q_AND: {
        double sum = 0, kub;
        uint32_t kend;
        int kempty;
        for (st_qnode *k = n->kids; k; k = k->next) {
            if (k->type == ST_Q_NOT) continue;
            if ((rc = node_bound(ev, k, d, &kub, &kend, &kempty)) < 0) return rc;
            if (kempty) {
                *empty = 1;
                *end = kend;
                return STELE_OK;
            }
            sum += kub * k->mult;
            e = min_u32(e, kend);
        }
        *ub = sum;
        *end = e;
        return STELE_OK;
    }
    case ST_Q_OR: {
        double sum = 0, kub;
        uint32_t kend;
        int kempty, all_empty = 1;
        for (st_qnode *k = n->kids; k; k = k->next) {
            if (k->type == ST_Q_NOT) {
                all_empty = 0; /* matches what its child does not: unknown */
                continue;
            }
            if ((rc = node_bound(ev, k, d, &kub, &kend, &kempty)) < 0) return rc;
            all_empty &= kempty;
            sum += kub * k->mult;
            e = min_u32(e, kend);
        }
        *ub = sum;
        *end = e;
        *empty = all_empty;
        return STELE_OK;
    }
    case ST_Q_PREFIX:
        *empty = 1;
        return STELE_OK;
    case ST_Q_ID:
        /* It scores nothing.  Its last answer, for a target <= d, says it
         * matches nothing before that answer. */
        if (n->started && n->doc > d) {
            *empty = 1;
            *end = n->doc == ST_DOC_END ? ST_DOC_END : n->doc - 1;
        }
        return STELE_OK;
    default: /* NOT scores nothing and may match anything */
        return STELE_OK;
    }
}

int st_eval_bound(st_eval *ev, uint32_t d, double *ub, uint32_t *end, int *empty)
{
    int rc = node_bound(ev, ev->q->root, d, ub, end, empty);
    /* Slack for rounding: the bound adds and divides in another order
     * than the score, so it may round a few ulps below it; 1e-9 relative
     * is far above that and far below any gap that decides a ranking. */
    *ub = *ub * (1.0 + 1e-9) + 1e-300;
    return rc;
}

int st_eval_node_bound(st_eval *ev, st_qnode *n, uint32_t d, double *ub, uint32_t *end, int *empty)
{
    int rc = node_bound(ev, n, d, ub, end, empty);
    *ub = *ub * n->mult * (1.0 + 1e-9) + 1e-300; /* as st_eval_bound() */
    return rc;
}

int st_eval_node_next(st_eval *ev, st_qnode *n, uint32_t target, uint32_t *doc)
{
    return node_advance(ev, n, target, doc);
}

int st_eval_score(st_eval *ev, uint32_t doc, double *score)
{
    double norm[STELE_MAX_FIELDS];
    int rc = st_rank_norms(ev->ix, &ev->rp, doc, ev->score_fields, norm);
    if (rc < 0) return rc;
    *score = node_score(ev, ev->q->root, doc, norm);
    return STELE_OK;
}
