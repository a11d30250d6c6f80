/*
 * passage.c: the best-matching paragraph of a hit, and the position in it
 * the snippet is centred on.
 *
 * After ranking, the hits are visited in ascending document order, so the
 * postings iterators of the distinct positive query terms (the "highlight
 * terms": words, phrase words and prefix expansions, each (term, scope)
 * once) can be reopened once and only move forward.  For each hit, every
 * highlight term's positions in the document are gathered from its field
 * lists into its position buffer and sorted (fields interleave: footnotes
 * sit between body paragraphs).  A term that is only a word of phrases or
 * NEARs keeps only its occurrences inside a match of one of them
 * (st_group_covers() on the words' lists; for NEAR the lists of all fields
 * together, so a window across a field boundary, which the evaluator does
 * not count, may keep an occurrence: a rare and harmless over-keep).  A k-way merge of these sorted
 * lists walks the matches in position order; st_para_at() maps them to paragraphs, and the
 * paragraph with the most distinct terms wins, then the one with the most matches, then the
 * earliest.  A match only in the title names the title paragraph.  Inside the winner, a window of
 * ST_DENSE_WINDOW positions is slid over the matches and the start of the window with the most
 * distinct terms (then most matches, then earliest) becomes match_pos. A hit with no positive match
 * (`a OR -b` matching through its NOT) gets the title paragraph.
 */
#include <string.h>

#include "query.h"

int st_passage_begin(st_eval *ev)
{
    for (uint32_t h = 0; h < ev->n_hl; h++) {
        st_qterm *t = ev->hl[h];
        if (t->prefix) continue;
        for (uint32_t k = 0; k < t->n_iter; k++) {
            int rc = st_postings_init(t->iter[k], ev->ix, &t->info->list[t->iter_field[k]]);
            if (rc < 0) return rc;
            rc = st_postings_next(t->iter[k]);
            if (rc < 0) return rc;
        }
    }
    return STELE_OK;
}

/* Loads every highlight term's sorted positions in doc. */
static int gather(st_eval *ev, uint32_t doc)
{
    for (uint32_t h = 0; h < ev->n_hl; h++) {
        st_qterm *t = ev->hl[h];
        uint32_t parts = 0;
        t->n_pos = 0;
        if (t->prefix) continue;
        for (uint32_t k = 0; k < t->n_iter; k++) {
            st_postings *it = t->iter[k];
            uint32_t n;
            int rc;
            if (it->doc < doc) {
                rc = st_postings_advance(it, doc);
                if (rc < 0) return rc;
            }
            if (it->doc != doc) continue;
            rc = st_postings_positions(it, t->pos + t->n_pos, t->pos_cap - t->n_pos, &n);
            if (rc == STELE_ENOSPACE)
                return st_corrupt(); /* more positions than the list can hold */
            if (rc < 0) return rc;
            t->n_pos += n;
            parts++;
        }
        if (parts > 1) st_sort_u32(t->pos, t->n_pos);
    }
    return STELE_OK;
}

/* Bit 31 of a position marks, while keep_group_matches() runs, an
 * occurrence inside a match of its group. */
#define IN_MATCH 0x80000000u

/* Whether the occurrence of highlight term h at pos is part of a match of
 * a positive phrase or NEAR that has h as a word.  The words' lists are
 * their highlight terms' lists: the same term in the same scope. */
static int in_group_match(const st_eval *ev, uint32_t h, uint32_t pos)
{
    for (uint32_t g = 0; g < ev->n_groups; g++) {
        const st_qnode *n = ev->groups[g];
        const uint32_t *lists[STELE_MAX_PHRASE];
        uint32_t lens[STELE_MAX_PHRASE], n_words = 0;
        int has_h = 0;
        for (const st_qnode *k = n->kids; k && n_words < STELE_MAX_PHRASE; k = k->next) {
            const st_qterm *w = ev->hl[k->term->hl];
            has_h |= (uint32_t)k->term->hl == h;
            lists[n_words] = w->pos;
            lens[n_words++] = w->n_pos;
        }
        if (has_h && st_group_covers(n->type, n->near_k, n_words, lists, lens, ~IN_MATCH, pos))
            return 1;
    }
    return 0;
}

/* Drops the occurrences of phrase/NEAR-only terms that are not inside a
 * match of their group, so a hit's paragraph is one where its phrase
 * matches, not merely one with many of its words.  The occurrences are
 * flagged first and dropped after, as every list is read while flagging.
 * Positions always fit in 31 bits (no document comes near 2^31 tokens);
 * an index claiming otherwise is left unfiltered. */
static void keep_group_matches(st_eval *ev)
{
    if (ev->n_groups == 0 || ev->ix->max_doc_pos_ > IN_MATCH) return;
    for (uint32_t h = 0; h < ev->n_hl; h++) {
        st_qterm *t = ev->hl[h];
        if (!ev->hl_grouped[h]) continue;
        for (uint32_t j = 0; j < t->n_pos; j++)
            if (in_group_match(ev, h, t->pos[j] & ~IN_MATCH)) t->pos[j] |= IN_MATCH;
    }
    for (uint32_t h = 0; h < ev->n_hl; h++) {
        st_qterm *t = ev->hl[h];
        uint32_t kept = 0;
        if (!ev->hl_grouped[h]) continue;
        for (uint32_t j = 0; j < t->n_pos; j++)
            if (t->pos[j] & IN_MATCH) t->pos[kept++] = t->pos[j] & ~IN_MATCH;
        t->n_pos = kept;
    }
}

static uint32_t popcount32(uint32_t x)
{
    uint32_t n = 0;
    for (; x; x &= x - 1)
        n++;
    return n;
}

/* The smallest head among cursors, limited to positions < end; the term
 * index into *which; UINT32_MAX when none is left. */
static uint32_t next_head(const st_eval *ev, const uint32_t *cur, uint32_t end, uint32_t *which)
{
    uint32_t best = UINT32_MAX;
    for (uint32_t h = 0; h < ev->n_hl; h++) {
        const st_qterm *t = ev->hl[h];
        if (cur[h] < t->n_pos && t->pos[cur[h]] < end && t->pos[cur[h]] < best) {
            best = t->pos[cur[h]];
            *which = h;
        }
    }
    return best;
}

typedef struct para_stat {
    st_para_info info;
    uint32_t mask, count, first;
    int valid;
} para_stat;

static int better(const para_stat *a, const para_stat *b)
{
    uint32_t da = popcount32(a->mask), db = popcount32(b->mask);
    if (!b->valid) return 1;
    return da > db || (da == db && a->count > b->count);
}

int st_best_paragraph(st_eval *ev, stele_hit *hit)
{
    uint32_t cur[STELE_MAX_QUERY_TERMS] = {0}, hi[STELE_MAX_QUERY_TERMS];
    uint32_t doc = hit->doc, which = 0, p;
    para_stat best, now;
    int rc = gather(ev, doc);

    if (rc < 0) return rc;
    keep_group_matches(ev);
    memset(&best, 0, sizeof best);
    memset(&now, 0, sizeof now);
    while ((p = next_head(ev, cur, UINT32_MAX, &which)) != UINT32_MAX) {
        if (!now.valid || p < now.info.first_pos ||
            p >= now.info.first_pos + (now.info.n_tokens ? now.info.n_tokens : 1)) {
            st_para_info pi;
            rc = st_para_at(ev->ix, doc, p, &pi);
            if (rc < 0) return rc;
            if (!now.valid || pi.index != now.info.index) {
                if (now.valid && better(&now, &best)) best = now;
                memset(&now, 0, sizeof now);
                now.info = pi;
                now.valid = 1;
                now.first = p;
            }
        }
        now.mask |= 1u << which;
        now.count++;
        cur[which]++;
    }
    if (now.valid && better(&now, &best)) best = now;
    if (!best.valid) {
        rc = st_para_get(ev->ix, doc, 0, &best.info);
        if (rc < 0) return rc;
        hit->para = best.info.index;
        hit->para_kind = best.info.kind;
        hit->para_number = best.info.number;
        hit->match_pos = best.info.first_pos;
        return STELE_OK;
    }

    /* densest window inside the chosen paragraph */
    uint32_t lo_pos = best.info.first_pos;
    uint32_t end_pos = best.info.first_pos + (best.info.n_tokens ? best.info.n_tokens : 1);
    uint32_t best_start = best.first, best_distinct = 0, best_total = 0;
    if (end_pos < lo_pos) end_pos = UINT32_MAX; /* positions wrapped: corrupt sizes, stay safe */
    for (uint32_t h = 0; h < ev->n_hl; h++) {
        const st_qterm *t = ev->hl[h];
        cur[h] = 0;
        while (cur[h] < t->n_pos && t->pos[cur[h]] < lo_pos)
            cur[h]++;
        hi[h] = cur[h];
    }
    while ((p = next_head(ev, cur, end_pos, &which)) != UINT32_MAX) {
        uint32_t distinct = 0, total = 0;
        for (uint32_t h = 0; h < ev->n_hl; h++) {
            const st_qterm *t = ev->hl[h];
            if (hi[h] < cur[h]) hi[h] = cur[h];
            while (hi[h] < t->n_pos && t->pos[hi[h]] < end_pos &&
                   t->pos[hi[h]] - p < ST_DENSE_WINDOW)
                hi[h]++;
            distinct += hi[h] > cur[h];
            total += hi[h] - cur[h];
        }
        if (distinct > best_distinct || (distinct == best_distinct && total > best_total)) {
            best_distinct = distinct;
            best_total = total;
            best_start = p;
        }
        for (uint32_t h = 0; h < ev->n_hl; h++)
            if (cur[h] < ev->hl[h]->n_pos && ev->hl[h]->pos[cur[h]] == p) cur[h]++;
    }
    hit->para = best.info.index;
    hit->para_kind = best.info.kind;
    hit->para_number = best.info.number;
    hit->match_pos = best_start;
    return STELE_OK;
}
