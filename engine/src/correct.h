/*
 * correct.h: corrections of a query word from the lexicon.  Interface to
 * code in correct.c.
 *
 * A word the index does not know ("psycoactive") is matched through the
 * lexicon words near it, and "did you mean" proposes the best of them.
 * This file finds those words.
 *
 * The rule (st_correct_k).  How many edits a word may have depends on its
 * length in characters: none below 4 (short words are too easily another
 * word: "use" is one edit from "us", "sue", "used"), 1 from 4 to 7
 * characters, 2 from 8 on.  Only words made of letters are corrected:
 * numbers, symbols such as 55/12 and words with digits stay exact, and so
 * do words over ST_FUZZY_MAX_PAT bytes.  Edits are those of fuzzy.h
 * (transpositions count one), after the first letter, which a correction
 * keeps: "psycoactive" finds "psychoactive", "ppioid" does not find
 * "opioid".
 *
 * Candidates (st_correct_find).  Lexicon words within k edits of the word
 * (the automaton walks the sorted lexicon, skipping every range under a
 * dead prefix), and, for a word of 5 characters or more, the lexicon
 * words it is the start of ("stigma" -> "stigmatization"), which rank as
 * one edit.  They are ranked by distance, then by document frequency
 * (more first), then lexicon order; only the nearest distance is kept,
 * one word per stem term (its most frequent form), at most
 * ST_CORRECT_MAX words.  The walk reads at most *scan_left lexicon
 * entries (a query's budget, STELE_CORRECT_SCAN), so the cost is bounded
 * whatever the lexicon's size; a walk the budget cut keeps what it found
 * and says so.
 *
 * Memory: no allocation; the walker (st_fuzzy, 1.5 KB) and the candidate
 * list (0.7 KB), together an st_correct_work, are the caller's: the
 * parser keeps them in its scratch (in the stele_query),
 * stele_query_suggest() in the prepared query's workspace, past its mark.
 */
#ifndef STELE_CORRECT_H
#define STELE_CORRECT_H

#include <stddef.h>
#include <stdint.h>

#include "stele.h"
#include "fuzzy.h"

/* Words one query word may be corrected to (and expanded into). */
#define ST_CORRECT_MAX 8
/* Shortest word whose completions are candidates, in characters. */
#define ST_CORRECT_MIN_COMPLETE 5

typedef struct st_correction {
    char word[STELE_MAX_TERM_BYTES + 1]; /* the lexicon word, folded */
    uint32_t len;
    uint32_t stem_ord; /* its dictionary term */
    uint32_t df;       /* documents with the word as written */
    uint32_t rank;     /* its place in the lexicon (ties) */
    uint8_t dist;      /* edits, 1 .. k; a completion counts 1 */
    uint8_t completion;
} st_correction;

/* The memory one correction takes: the walker and its candidates. */
typedef struct st_correct_work {
    st_fuzzy f;
    st_correction cand[ST_CORRECT_MAX];
} st_correct_work;

/* Edits allowed for a folded word (len bytes) by the rule above. */
unsigned st_correct_k(const char *word, size_t len);

/*
 * The best corrections of the folded word (len bytes) within k edits,
 * best first, into out[0 .. *n_out) (at most ST_CORRECT_MAX).  f is the
 * walker's memory.  *scan_left is decreased by the lexicon entries read;
 * *cut is set when it ran out.  STELE_OK (also with no candidate), or a
 * reader error.
 */
int st_correct_find(const stele_index *ix, const char *word, size_t len, unsigned k, st_fuzzy *f,
                    st_correction out[ST_CORRECT_MAX], uint32_t *n_out, uint32_t *scan_left,
                    int *cut);

#endif /* STELE_CORRECT_H */
