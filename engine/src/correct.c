/*
 * correct.c: the lexicon words near a query word (the rule and the
 * ranking are in correct.h's top comment).
 *
 * The walk.  The lexicon is read in order from its first block, each word
 * fed to the automaton, which resumes after the bytes the word shares with
 * the previous one and refuses at once a word under a dead prefix.  A run
 * of refused words means a large range under one dead prefix (say every
 * word starting "zq" when the pattern starts "ps"): after ST_SKIP_RUN of
 * them the cursor seeks past the whole range, to the first word after
 * every word with that prefix, so the walk reads about as many entries as
 * the lexicon's trie has live nodes, not the whole lexicon.
 */
#include "correct.h"

#include <string.h>

#include "lexicon.h"
#include "reader.h"

/* Refused words in a row before the walk seeks past their dead prefix,
 * and what a seek costs of the scan budget (a binary search over block
 * heads and part of one block). */
#define ST_SKIP_RUN  8u
#define ST_SEEK_COST 16u

unsigned st_correct_k(const char *word, size_t len)
{
    size_t chars = 0;
    if (len == 0 || len > ST_FUZZY_MAX_PAT) return 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)word[i];
        if (c >= '0' && c <= '9') return 0; /* numbers and symbols stay exact */
        if (c < 0x80 && !(c >= 'a' && c <= 'z') && c != '\'') return 0;
        if ((c & 0xC0) != 0x80) chars++;
    }
    if (chars < 4) return 0;
    return chars < 8 ? 1 : 2;
}

/* a before b in the ranking: nearer, then more frequent, then first. */
static int better(const st_correction *a, const st_correction *b)
{
    if (a->dist != b->dist) return a->dist < b->dist;
    if (a->df != b->df) return a->df > b->df;
    return a->rank < b->rank;
}

/* Keeps the lexicon entry e at distance dist in the sorted list, one word
 * per stem term. */
static void consider(st_correction *out, uint32_t *n, const st_lex_entry *e, unsigned dist,
                     int completion)
{
    st_correction c;
    uint32_t i;

    memset(&c, 0, sizeof c);
    memcpy(c.word, e->word, e->len);
    c.len = e->len;
    c.stem_ord = e->stem_ord;
    c.df = e->df;
    c.rank = e->index;
    c.dist = (uint8_t)dist;
    c.completion = (uint8_t)completion;
    for (i = 0; i < *n; i++)
        if (out[i].stem_ord == c.stem_ord) break;
    if (i < *n) {
        if (!better(&c, &out[i])) return;
        memmove(&out[i], &out[i + 1], (*n - i - 1) * sizeof *out); /* drop the worse form */
        (*n)--;
    }
    if (*n == ST_CORRECT_MAX) {
        if (!better(&c, &out[*n - 1])) return;
        (*n)--;
    }
    for (i = *n; i > 0 && better(&c, &out[i - 1]); i--)
        out[i] = out[i - 1];
    out[i] = c;
    (*n)++;
}

/* Points c at the first word after every word starting with the first p
 * bytes of word; *end when there is none. */
static int seek_past(const stele_index *ix, st_lex_cursor *c, const char *word, uint32_t p,
                     int *end)
{
    char key[STELE_MAX_TERM_BYTES];
    memcpy(key, word, p);
    while (p > 0 && (unsigned char)key[p - 1] == 0xFF)
        p--;
    if (p == 0) {
        *end = 1;
        return STELE_OK;
    }
    key[p - 1] = (char)((unsigned char)key[p - 1] + 1);
    return st_lex_seek(ix, c, key, p);
}

static int walk_edits(const stele_index *ix, st_fuzzy *f, st_correction *out, uint32_t *n,
                      uint32_t *scan_left, int *cut)
{
    st_lex_cursor c;
    uint32_t run = 0;
    int rc = st_lex_at_block(ix, &c, 0), end = 0;

    if (rc < 0) return rc;
    while (!end) {
        if (*scan_left == 0) {
            *cut = 1;
            break;
        }
        rc = st_lex_next(ix, &c);
        if (rc < 0) return rc;
        if (rc == 0) break;
        (*scan_left)--;
        uint64_t steps = f->steps;
        int d = st_fuzzy_feed(f, c.e.word, c.e.len);
        if (d > 0) consider(out, n, &c.e, (unsigned)d, 0);
        if (d >= 0 || f->steps != steps) {
            run = 0;
            continue;
        }
        /* refused without a step: under the last dead prefix (or too long) */
        uint32_t p = st_fuzzy_dead_prefix(f);
        if (p == 0 || ++run < ST_SKIP_RUN) continue;
        run = 0;
        if (*scan_left < ST_SEEK_COST) {
            *cut = 1;
            break;
        }
        *scan_left -= ST_SEEK_COST;
        rc = seek_past(ix, &c, c.e.word, p, &end);
        if (rc < 0) return rc;
    }
    return STELE_OK;
}

static int walk_completions(const stele_index *ix, const char *word, size_t len,
                            st_correction *out, uint32_t *n, uint32_t *scan_left, int *cut)
{
    st_lex_cursor c;
    int rc = st_lex_prefix(ix, &c, word, len);
    if (rc < 0) return rc;
    for (;;) {
        if (*scan_left == 0) {
            *cut = 1;
            break;
        }
        rc = st_lex_prefix_next(ix, &c);
        if (rc < 0) return rc;
        if (rc == 0) break;
        (*scan_left)--;
        if (c.e.len > len) consider(out, n, &c.e, 1, 1);
    }
    return STELE_OK;
}

int st_correct_find(const stele_index *ix, const char *word, size_t len, unsigned k, st_fuzzy *f,
                    st_correction out[ST_CORRECT_MAX], uint32_t *n_out, uint32_t *scan_left,
                    int *cut)
{
    uint32_t n = 0, chars = 0;
    int rc;

    *n_out = 0;
    *cut = 0;
    if (k == 0 || st_lex_n_words(ix) == 0) return STELE_OK;
    if ((rc = st_fuzzy_init(f, word, len, k)) != STELE_OK) return STELE_OK; /* too long: exact */
    if ((rc = walk_edits(ix, f, out, &n, scan_left, cut)) < 0) return rc;
    for (size_t i = 0; i < len; i++)
        chars += ((unsigned char)word[i] & 0xC0) != 0x80;
    if (chars >= ST_CORRECT_MIN_COMPLETE &&
        (rc = walk_completions(ix, word, len, out, &n, scan_left, cut)) < 0)
        return rc;
    /* only the nearest distance */
    while (n > 1 && out[n - 1].dist > out[0].dist)
        n--;
    *n_out = n;
    return STELE_OK;
}
