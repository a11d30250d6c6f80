/*
 * fuzzy.h: a bounded Damerau-Levenshtein automaton, for matching a query
 * word against the sorted words of the lexicon within k edits.  Interface
 * to code in fuzzy.c.
 *
 * The distance.  Edits are insertions, deletions and substitutions of one
 * byte, and transpositions of two adjacent bytes, each costing one: the
 * "optimal string alignment" distance (restricted Damerau-Levenshtein: a
 * transposed pair is not edited again).  Bytes, not characters: words are
 * compared as folded, which is ASCII for text that folds to Latin letters,
 * so a byte is a letter there; a letter of two UTF-8 bytes costs up to two.
 *
 * The automaton.  It is the nondeterministic Levenshtein automaton of
 * Schulz and Mihov run bit-parallel (Wu and Manber, with Hyyrö's
 * transposition states): after a text prefix u, bit i of r[d] is set when
 * the pattern's first i bytes are within d edits of u, and bit i of t[d]
 * when u's last byte may be the first of a transposition that starts at
 * pattern byte i with d - 1 edits before it.  The pattern is at most
 * ST_FUZZY_MAX_PAT bytes, so a row fits in one uint64_t, and a state is
 * 2 (k + 1) words whatever the input: fixed size, no allocation.  A word
 * longer than that is no typo anyone makes; the caller matches it exactly.
 *
 * Pruning.  r[k] == 0 means no completion of u is within k of the
 * pattern: if r[k] has bit i set, u followed by the pattern's bytes from
 * i on is within k; conversely an alignment of the pattern with any u w
 * within k passes through such a state after u (a transposition across
 * the end of u goes through the insertion of u's last byte, which is in
 * r[k] too).  A walker over sorted words therefore skips every word that
 * starts with a dead prefix.
 *
 * st_fuzzy keeps the state after every prefix of the last word it was
 * fed, so feeding words in sorted order costs one step per byte not
 * shared with the previous word, and none at all for a word that shares
 * a dead prefix: the walk over a front-coded lexicon does no more work
 * than the trie of its words would.  It keeps only the rows r[] of each
 * state: the pending transpositions t[] after a prefix follow from the
 * rows before its last byte and that byte (fuzzy.c), which halves the
 * walker.
 */
#ifndef STELE_FUZZY_H
#define STELE_FUZZY_H

#include <stddef.h>
#include <stdint.h>

#include "stele.h"

/* Largest edit distance, and longest pattern (a row has m + 1 <= 64 bits). */
#define ST_FUZZY_MAX_K   2
#define ST_FUZZY_MAX_PAT 32
/* Longest word that can be within ST_FUZZY_MAX_K of a pattern: the
 * automaton dies one byte after it at the latest. */
#define ST_FUZZY_MAX_WORD (ST_FUZZY_MAX_PAT + ST_FUZZY_MAX_K)

typedef struct st_lev_state {
    uint64_t r[ST_FUZZY_MAX_K + 1];
    uint64_t t[ST_FUZZY_MAX_K + 1];
} st_lev_state;

/* The pattern as match masks: byte c is pattern byte i when bit i + 1 of
 * peq[cls[c]] is set (class 0: bytes not in the pattern, mask 0), which
 * takes 520 bytes where a mask per byte value would take 2 KB. */
typedef struct st_lev {
    uint64_t peq[ST_FUZZY_MAX_PAT + 1];
    uint64_t mask; /* bits 0 .. m */
    uint32_t m, k;
    uint8_t cls[256];
} st_lev;

/* Sets a up for pattern (len bytes) and distance k; STELE_EINVAL when
 * len > ST_FUZZY_MAX_PAT or k > ST_FUZZY_MAX_K. */
int st_lev_init(st_lev *a, const char *pat, size_t len, unsigned k);
/* The state after the empty text. */
void st_lev_start(const st_lev *a, st_lev_state *s);
/* The state after one more byte c. */
void st_lev_step(const st_lev *a, const st_lev_state *in, unsigned char c, st_lev_state *out);
/* 1 when some completion of the text read may still be within k. */
static inline int st_lev_viable(const st_lev *a, const st_lev_state *s)
{
    return s->r[a->k] != 0;
}
/* The distance of the text read to the pattern, or k + 1 when over k. */
unsigned st_lev_distance(const st_lev *a, const st_lev_state *s);

/* The rows of a state (st_lev_state without its transpositions). */
typedef struct st_lev_rows {
    uint64_t r[ST_FUZZY_MAX_K + 1];
} st_lev_rows;

/* The walker's state: the automaton, the last word fed and the rows after
 * each of its prefixes: 1,456 bytes (sizeof, on a 64-bit host), whatever
 * the input. */
typedef struct st_fuzzy {
    st_lev lev;
    char word[ST_FUZZY_MAX_WORD + 1];
    uint32_t valid; /* rows[0 .. valid] are those after word[0 .. valid) */
    uint32_t dead;  /* word[0 .. dead) has no completion within k; or UINT32_MAX */
    uint64_t steps; /* automaton steps taken (cost accounting) */
    st_lev_rows rows[ST_FUZZY_MAX_WORD + 2];
} st_fuzzy;

/* Sets f up for pattern within k edits; STELE_EINVAL as st_lev_init(). */
int st_fuzzy_init(st_fuzzy *f, const char *pat, size_t len, unsigned k);
/* The distance (0 .. k) of word to the pattern, or -1 when over k.  Words
 * are best fed in sorted order (each resumes after the bytes it shares with
 * the previous one). */
int st_fuzzy_feed(st_fuzzy *f, const char *word, size_t len);
/* After st_fuzzy_feed() returned -1: the length p of the last word's
 * shortest prefix with no completion within k, so that every word starting
 * with its first p bytes can be skipped; 0 when the whole word was viable
 * but is over k (nothing can be skipped). */
uint32_t st_fuzzy_dead_prefix(const st_fuzzy *f);

#endif /* STELE_FUZZY_H */
