/*
 * passage.c: the best-matching paragraph of a hit, and the position in it
 * the snippet is centred on.
 *
 * After ranking, the hits are visited in ascending document order, so the
 * postings iterators of the distinct positive query terms (the "highlight
 * terms": words, phrase words and prefix expansions, each (term, scope)
 * once) are rewound once and only move forward.  For each hit, every
 * highlight term's positions in the document stream in ascending order
 * from its field lists (st_tstream; fields interleave: footnotes sit
 * between body paragraphs), and a k-way merge of these streams walks the
 * matches in position order, with no buffer.  A term that is only a word
 * of phrases or NEARs counts only its occurrences inside a match of one of
 * them (st_cover_test() on the groups it belongs to; for NEAR over all
 * fields together, so a window across a field boundary, which the
 * evaluator does not count, may keep an occurrence: a rare and harmless
 * over-keep).  st_para_at() maps the matches to paragraphs, and the
 * paragraph with the most distinct terms wins, then the one with the most
 * matches, then the earliest.  A match only in the title names the title
 * paragraph.
 *
 * Inside the winner, a window of ST_DENSE_WINDOW positions is slid over
 * the matches (streamed again from the paragraph's start, through a ring
 * of at most ST_DENSE_WINDOW entries per highlight term), and the start of
 * the window with the most distinct terms (then most matches, then
 * earliest) becomes match_pos.  A hit with no positive match (`a OR -b`
 * matching through its NOT) gets the title paragraph.
 */
#include <string.h>

#include "query.h"

/* The merge of the highlight terms' streams, with the coverage filter. */
typedef struct merge {
    st_eval *ev;
} merge;

/* Whether the occurrence at pos of highlight term h counts: always, unless
 * h is only a phrase/NEAR word, then when a group of h covers it. */
static int counts(st_eval *ev, uint32_t h, uint32_t pos)
{
    if (!ev->hl_grouped[h]) return 1;
    for (uint32_t g = 0; g < ev->n_groups; g++) {
        st_cover *c = &ev->covers[g];
        int has_h = 0, rc;
        for (const st_qnode *k = c->group->kids; k; k = k->next)
            has_h |= (uint32_t)k->term->hl == h;
        if (!has_h) continue;
        if ((rc = st_cover_test(c, pos)) != 0) return rc;
    }
    return 0;
}

/* Opens every highlight stream and coverage tracker on doc. */
static int merge_open(merge *m, st_eval *ev, uint32_t doc)
{
    int rc;
    m->ev = ev;
    for (uint32_t h = 0; h < ev->n_hl; h++) {
        st_qterm *t = ev->hl[h];
        if ((rc = st_term_seek(t, doc)) < 0) return rc;
        if ((rc = st_tstream_open(&t->walk, t, doc, -1)) < 0) return rc;
    }
    for (uint32_t g = 0; g < ev->n_groups; g++)
        if ((rc = st_cover_open(&ev->covers[g], doc, -1)) < 0) return rc;
    return STELE_OK;
}

/* The next counted match at or after the streams' heads: 1 with *pos and
 * *which (the highlight term), 0 when none is left.  Several terms on one
 * position come out one after the other, in term order. */
static int merge_next(merge *m, uint32_t *pos, uint32_t *which)
{
    st_eval *ev = m->ev;
    for (;;) {
        uint32_t best = UINT32_MAX, arg = 0;
        int any = 0, rc;
        for (uint32_t h = 0; h < ev->n_hl; h++) {
            const st_tstream *s = &ev->hl[h]->walk;
            if (s->has && (!any || s->pos < best)) {
                best = s->pos;
                arg = h;
                any = 1;
            }
        }
        if (!any) return 0;
        rc = counts(ev, arg, best);
        if (rc < 0) return rc;
        {
            int r2 = st_tstream_next(&ev->hl[arg]->walk);
            if (r2 < 0) return r2;
        }
        if (rc) {
            *pos = best;
            *which = arg;
            return 1;
        }
    }
}

typedef struct para_stat {
    st_para_info info;
    uint32_t distinct, count, first;
    int valid;
} para_stat;

static int better(const para_stat *a, const para_stat *b)
{
    if (!b->valid) return 1;
    return a->distinct > b->distinct || (a->distinct == b->distinct && a->count > b->count);
}

/* Paragraph choice: one pass of the merge. */
static int choose_paragraph(st_eval *ev, uint32_t doc, para_stat *best)
{
    merge m;
    para_stat now;
    uint32_t p, which, stamp = 0;
    int rc;

    memset(best, 0, sizeof *best);
    memset(&now, 0, sizeof now);
    for (uint32_t h = 0; h < ev->n_hl; h++)
        ev->hl_seen[h] = 0;
    if ((rc = merge_open(&m, ev, doc)) < 0) return rc;
    while ((rc = merge_next(&m, &p, &which)) == 1) {
        if (!now.valid || p < now.info.first_pos ||
            p >= now.info.first_pos + (now.info.n_tokens ? now.info.n_tokens : 1)) {
            st_para_info pi;
            if ((rc = st_para_at(ev->ix, doc, p, &pi)) < 0) return rc;
            if (!now.valid || pi.index != now.info.index) {
                if (now.valid && better(&now, best)) *best = now;
                memset(&now, 0, sizeof now);
                now.info = pi;
                now.valid = 1;
                now.first = p;
                stamp++;
            }
        }
        if (ev->hl_seen[which] != stamp) {
            ev->hl_seen[which] = stamp;
            now.distinct++;
        }
        now.count++;
    }
    if (rc < 0) return rc;
    if (now.valid && better(&now, best)) *best = now;
    return STELE_OK;
}

/* The densest window's start inside the chosen paragraph: a second pass of
 * the merge from the document's start, keeping in a ring the matches of
 * the last ST_DENSE_WINDOW positions. */
static int densest_start(st_eval *ev, uint32_t doc, const para_stat *best, uint32_t *start)
{
    uint32_t lo_pos = best->info.first_pos;
    uint32_t end_pos = best->info.first_pos + (best->info.n_tokens ? best->info.n_tokens : 1);
    uint32_t head = 0, n = 0, distinct = 0, best_distinct = 0, best_total = 0;
    uint32_t p, which;
    merge m;
    int rc, more;

    if (end_pos < lo_pos) end_pos = UINT32_MAX; /* positions wrapped: corrupt sizes, stay safe */
    *start = best->first;
    for (uint32_t h = 0; h < ev->n_hl; h++)
        ev->hl_count[h] = 0;
    if ((rc = merge_open(&m, ev, doc)) < 0) return rc;
    do {
        rc = merge_next(&m, &p, &which);
        if (rc < 0) return rc;
        more = rc == 1 && p < end_pos;
        if (more && p < lo_pos) continue;
        /* Every window start that the new match (or the end) closes is
         * scored: the ring's front is a start while the newest entry lies
         * past its window. */
        while (n > 0) {
            uint32_t front = ev->win_pos[head];
            if (more && p - front < ST_DENSE_WINDOW) break;
            if (distinct > best_distinct || (distinct == best_distinct && n > best_total)) {
                best_distinct = distinct;
                best_total = n;
                *start = front;
            }
            /* drop every entry at the front's position */
            while (n > 0 && ev->win_pos[head] == front) {
                uint16_t t = ev->win_term[head];
                if (--ev->hl_count[t] == 0) distinct--;
                head = (head + 1) % ev->win_cap;
                n--;
            }
        }
        if (!more) break;
        if (n == ev->win_cap) return st_corrupt(); /* more matches than tokens */
        {
            uint32_t at = (head + n) % ev->win_cap;
            ev->win_pos[at] = p;
            ev->win_term[at] = (uint16_t)which;
            if (ev->hl_count[which]++ == 0) distinct++;
            n++;
        }
    } while (more);
    return STELE_OK;
}

int st_best_paragraph(st_eval *ev, stele_hit *hit)
{
    para_stat best;
    uint32_t start;
    int rc = choose_paragraph(ev, hit->doc, &best);

    if (rc < 0) return rc;
    if (!best.valid) {
        /* every document has its title paragraph: none means damage */
        if ((rc = st_para_get(ev->ix, hit->doc, 0, &best.info)) < 0)
            return rc == STELE_ENOTFOUND ? st_corrupt() : rc;
        hit->para = best.info.index;
        hit->para_kind = best.info.kind;
        hit->para_number = best.info.number;
        hit->match_pos = best.info.first_pos;
        return STELE_OK;
    }
    if ((rc = densest_start(ev, hit->doc, &best, &start)) < 0) return rc;
    hit->para = best.info.index;
    hit->para_kind = best.info.kind;
    hit->para_number = best.info.number;
    hit->match_pos = start;
    return STELE_OK;
}
