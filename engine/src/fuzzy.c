/*
 * fuzzy.c: the bounded Damerau-Levenshtein automaton and the walker over
 * sorted words (the design is in fuzzy.h's top comment).
 *
 * One step, for byte c with match mask b = peq[c] (bit i + 1: pattern byte
 * i is c), from rows r[] and pending transpositions t[] to r'[] and t'[]:
 *
 *   r'[0] = (r[0] << 1) & b                                    match
 *   r'[d] = (r[d] << 1) & b                                    match
 *         | r[d-1]                                             insertion of c
 *         | r[d-1] << 1                                        substitution
 *         | r'[d-1] << 1                                       deletion
 *         | ((t[d] << 1) & b) << 1                             transposition
 *   t'[d] = r[d-1] & (b >> 2)
 *
 * t'[d] bit i: i pattern bytes were within d - 1 before c and c is pattern
 * byte i + 1; the next byte completes the transposition when it is pattern
 * byte i, reaching i + 2 with d edits.  Deletions chain through r'[d-1],
 * which already holds r'[d-2] << 1.  Rows are cut to bits 0 .. m.
 */
#include "fuzzy.h"

#include <string.h>

#ifdef STELE_OMIT_TYPOS
typedef int st_fuzzy_omitted; /* no automaton without typo tolerance */
#else

int st_lev_init(st_lev *a, const char *pat, size_t len, unsigned k)
{
    if (len > ST_FUZZY_MAX_PAT || k > ST_FUZZY_MAX_K) return STELE_EINVAL;
    uint32_t n_cls = 1;
    memset(a->peq, 0, sizeof a->peq);
    memset(a->cls, 0, sizeof a->cls);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)pat[i];
        if (a->cls[c] == 0) a->cls[c] = (uint8_t)n_cls++;
        a->peq[a->cls[c]] |= (uint64_t)1 << (i + 1);
    }
    a->m = (uint32_t)len;
    a->k = k;
    a->mask = ((uint64_t)1 << (len + 1)) - 1;
    return STELE_OK;
}

void st_lev_start(const st_lev *a, st_lev_state *s)
{
    memset(s, 0, sizeof *s);
    /* Before any text, the first d pattern bytes are d deletions away. */
    for (unsigned d = 0; d <= a->k; d++)
        s->r[d] = (((uint64_t)2 << d) - 1) & a->mask;
}

void st_lev_step(const st_lev *a, const st_lev_state *in, unsigned char c, st_lev_state *out)
{
    uint64_t b = a->peq[a->cls[c]];
    out->r[0] = (in->r[0] << 1) & b;
    out->t[0] = 0;
    for (unsigned d = 1; d <= a->k; d++) {
        uint64_t prev = in->r[d - 1];
        uint64_t r = ((in->r[d] << 1) & b) | prev | (prev << 1) | (out->r[d - 1] << 1) |
                     (((in->t[d] << 1) & b) << 1);
        out->r[d] = r & a->mask;
        out->t[d] = prev & (b >> 2);
    }
}

unsigned st_lev_distance(const st_lev *a, const st_lev_state *s)
{
    for (unsigned d = 0; d <= a->k; d++)
        if ((s->r[d] >> a->m) & 1) return d;
    return a->k + 1;
}

int st_fuzzy_init(st_fuzzy *f, const char *pat, size_t len, unsigned k)
{
    st_lev_state s;
    int rc = st_lev_init(&f->lev, pat, len, k);
    if (rc != STELE_OK) return rc;
    st_lev_start(&f->lev, &s);
    memcpy(f->rows[0].r, s.r, sizeof s.r);
    f->valid = 0;
    f->dead = UINT32_MAX;
    f->steps = 0;
    return STELE_OK;
}

int st_fuzzy_feed(st_fuzzy *f, const char *word, size_t len)
{
    uint32_t shared = 0;
    while (shared < f->valid && shared < len && f->word[shared] == word[shared])
        shared++;
    if (f->dead != UINT32_MAX && f->dead <= shared)
        return -1; /* starts with the last word's dead prefix */
    f->dead = UINT32_MAX;
    f->valid = shared;
    /* The whole state after word[0 .. shared): its rows, and the
     * transpositions its last byte left pending, t[d] = r[d - 1] & (b >> 2)
     * over the rows before that byte (as st_lev_step() makes them). */
    st_lev_state cur, next;
    memcpy(cur.r, f->rows[shared].r, sizeof cur.r);
    memset(cur.t, 0, sizeof cur.t);
    if (shared > 0) {
        uint64_t b = f->lev.peq[f->lev.cls[(unsigned char)f->word[shared - 1]]];
        for (unsigned d = 1; d <= f->lev.k; d++)
            cur.t[d] = f->rows[shared - 1].r[d - 1] & (b >> 2);
    }
    /* A row has bit i only when i is within k of the bytes read, so the
     * automaton dies by byte m + k + 1 <= ST_FUZZY_MAX_WORD + 1 at the
     * latest: a longer word is refused there, and its dead prefix still
     * lets the walker skip the words that share it. */
    for (uint32_t i = shared; i < len; i++) {
        st_lev_step(&f->lev, &cur, (unsigned char)word[i], &next);
        memcpy(f->rows[i + 1].r, next.r, sizeof next.r);
        cur = next;
        f->word[i] = word[i];
        f->steps++;
        f->valid = i + 1;
        if (!st_lev_viable(&f->lev, &cur)) {
            f->dead = i + 1;
            return -1;
        }
    }
    unsigned d = st_lev_distance(&f->lev, &cur);
    return d <= f->lev.k ? (int)d : -1;
}

uint32_t st_fuzzy_dead_prefix(const st_fuzzy *f)
{
    return f->dead == UINT32_MAX ? 0 : f->dead;
}

#endif /* STELE_OMIT_TYPOS */
