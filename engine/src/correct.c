/*
 * correct.c: the lexicon words near a query word (the rule and the
 * ranking are in correct.h's top comment).
 *
 * The walk.  Corrections keep the word's first letter (as Lucene's
 * DirectSpellChecker does by default: people rarely get the first letter
 * wrong, and it confines the walk to one letter's range of the lexicon,
 * about a twentieth of it).  That range is read in order, each word fed to
 * the automaton, which resumes after the bytes the word shares with the
 * previous one and refuses at once a word under a dead prefix.  When a
 * word dies, the block heads after it tell whether whole blocks lie under
 * the same dead prefix; those are skipped without being decoded
 * (skip_dead), so the walk reads little more than the blocks that hold
 * live words.
 */
#include "correct.h"

#include <string.h>

#include "format.h"
#include "lexicon.h"
#include "reader.h"

#ifdef STELE_OMIT_TYPOS
typedef int st_correct_omitted; /* no corrections without typo tolerance */
#else

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

/* How many bytes the first character of word takes (a UTF-8 lead byte
 * and its continuation bytes). */
static uint32_t first_char_len(const char *word, size_t len)
{
    uint32_t n = 1;
    while (n < len && ((unsigned char)word[n] & 0xC0) == 0x80)
        n++;
    return n;
}

static int starts_with(const st_lex_entry *e, const char *prefix, uint32_t len)
{
    return e->len >= len && memcmp(e->word, prefix, len) == 0;
}

/*
 * The word at c just died at depth p (its first p bytes have no
 * completion within k).  When the next block's first word starts with
 * those bytes too, every word up to it does: gallop over the block heads
 * (1, 2, 4, ... blocks on, then bisect) to the last block whose first
 * word still starts with them and move c there, so whole blocks under a
 * dead prefix are never decoded.  *scan_left pays one entry per head read.
 */
static int skip_dead(const stele_index *ix, st_lex_cursor *c, uint32_t p, uint32_t *scan_left)
{
    char dead[STELE_MAX_TERM_BYTES];
    uint32_t n_blocks = st_lex_n_blocks(ix), b = c->e.index / ST_LEX_BLOCK, lo, hi, step = 1;
    st_lex_entry head;
    int rc;

    memcpy(dead, c->e.word, p);
    lo = b; /* the last block known to start under the dead prefix (or b) */
    hi = n_blocks;
    for (;;) { /* gallop: lo starts under it, hi does not (or is the end) */
        uint32_t probe = lo + step;
        if (probe >= n_blocks || *scan_left == 0) break;
        (*scan_left)--;
        if ((rc = st_lex_block_first(ix, probe, &head)) < 0) return rc;
        if (!starts_with(&head, dead, p)) {
            hi = probe;
            break;
        }
        lo = probe;
        step *= 2;
    }
    while (hi - lo > 1 && *scan_left > 0) { /* bisect */
        uint32_t mid = lo + (hi - lo) / 2;
        (*scan_left)--;
        if ((rc = st_lex_block_first(ix, mid, &head)) < 0) return rc;
        if (starts_with(&head, dead, p))
            lo = mid;
        else
            hi = mid;
    }
    return lo > b ? st_lex_at_block(ix, c, lo) : STELE_OK;
}

/* Every lexicon word that starts with the first character of the pattern
 * (the walker's pattern f), fed in order. */
static int walk_edits(const stele_index *ix, const char *word, size_t len, st_fuzzy *f,
                      st_correction *out, uint32_t *n, uint32_t *scan_left, int *cut)
{
    st_lex_cursor c;
    uint32_t first = first_char_len(word, len);
    int rc = st_lex_seek(ix, &c, word, first);

    if (rc < 0) return rc;
    for (;;) {
        if (*scan_left == 0) {
            *cut = 1;
            break;
        }
        rc = st_lex_next(ix, &c);
        if (rc < 0) return rc;
        if (rc == 0 || !starts_with(&c.e, word, first)) break;
        (*scan_left)--;
        uint64_t steps = f->steps;
        int d = st_fuzzy_feed(f, c.e.word, c.e.len);
        if (d > 0) consider(out, n, &c.e, (unsigned)d, 0);
        /* a fresh death (the walker stepped): skip what lies under it */
        if (d < 0 && f->steps != steps && st_fuzzy_dead_prefix(f) > first &&
            (rc = skip_dead(ix, &c, st_fuzzy_dead_prefix(f), scan_left)) < 0)
            return rc;
    }
    return STELE_OK;
}

static int walk_completions(const stele_index *ix, const char *word, size_t len, st_correction *out,
                            uint32_t *n, uint32_t *scan_left, int *cut)
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
    if ((rc = walk_edits(ix, word, len, f, out, &n, scan_left, cut)) < 0) return rc;
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

#endif /* STELE_OMIT_TYPOS */
