/*
 * stele_config.h: every tunable limit of stele in one place.
 *
 * Each limit is an #ifndef default, so a build for a small target can lower
 * them with -D flags; the runtime's workspace bound (stele_workspace_bound())
 * is a formula over these numbers.  Limits bound the work one query may do
 * or the stack the parser may use: a query that needs more returns
 * STELE_ELIMIT with the byte offset of the construct that went over, never
 * a silent truncation.  How large a query may be is otherwise the
 * caller's choice, through the workspace it gives.  Constants fixed by the
 * index format (fields, term bytes) are not here but in stele.h, and
 * cannot be changed.
 */
#ifndef STELE_CONFIG_H
#define STELE_CONFIG_H

/* Bytes of one query string (byte offsets in diagnostics stay exact). */
#ifndef STELE_MAX_QUERY_BYTES
#define STELE_MAX_QUERY_BYTES 65536
#endif

/* The queries stele_workspace_bound() covers: up to STELE_BOUND_TERMS
 * leaf terms (words, phrase words and prefix expansions) reading up to
 * STELE_BOUND_LISTS postings lists in all (a term has one list per field
 * it occurs in, within its scope).  Not limits: a larger query runs in a
 * workspace big enough for it (stele_query_prepare says how big). */
#ifndef STELE_BOUND_TERMS
#define STELE_BOUND_TERMS 16
#endif
#ifndef STELE_BOUND_LISTS
#define STELE_BOUND_LISTS 48
#endif

/* Words a prefix expands to by default (the most frequent), and at most
 * (stele_query_opts.prefix_terms); a prefix with more words is cut. */
#ifndef STELE_PREFIX_TERMS
#define STELE_PREFIX_TERMS 16
#endif
#ifndef STELE_PREFIX_TERMS_MAX
#define STELE_PREFIX_TERMS_MAX 256
#endif

/* Dictionary entries all the prefixes of one query may scan together
 * (each prefix is read twice: once to rank its words, once to take them).
 * Past it the remaining prefixes are cut, so a query's cost is bounded by
 * this number, not by the dictionary's size. */
#ifndef STELE_PREFIX_SCAN
#define STELE_PREFIX_SCAN 65536
#endif

/* Completion (stele_complete): candidate words ranked, at most; lexicon
 * entries read; earlier words of the query that boost candidates by
 * co-occurrence; postings moves spent counting co-occurrences. */
#ifndef STELE_COMPLETE_CANDIDATES
#define STELE_COMPLETE_CANDIDATES 32
#endif
#ifndef STELE_COMPLETE_SCAN
#define STELE_COMPLETE_SCAN 16384
#endif
#ifndef STELE_COMPLETE_CONTEXT
#define STELE_COMPLETE_CONTEXT 3
#endif
#ifndef STELE_COMPLETE_STEPS
#define STELE_COMPLETE_STEPS 65536
#endif

/* Lexicon entries the corrections of one query's unknown words may read
 * together (a walk that reaches it keeps the corrections found so far),
 * so that typo tolerance costs at most this much whatever the lexicon's
 * size. */
#ifndef STELE_CORRECT_SCAN
#define STELE_CORRECT_SCAN 262144
#endif

/* Largest NEAR distance. */
#ifndef STELE_MAX_NEAR
#define STELE_MAX_NEAR 100000
#endif

/* Nesting depth of parentheses and operators in a query. */
#ifndef STELE_MAX_DEPTH
#define STELE_MAX_DEPTH 16
#endif

/* Words in one phrase or NEAR group. */
#ifndef STELE_MAX_PHRASE
#define STELE_MAX_PHRASE 16
#endif

/*
 * Features a device build may leave out, in the manner of SQLite's
 * SQLITE_OMIT_* options: each takes its public functions out of stele.h
 * and its code out of the runtime, so that a program without them links
 * none of it, with or without --gc-sections.  Define them for the
 * runtime and for the program that uses it alike (they change stele.h).
 * The index format does not change: any index opens and searches as
 * before.
 *   STELE_OMIT_VERIFY    stele_verify(), the walk of every structure, for
 *                        firmware whose index is verified when it is
 *                        built, not on the device; stele_open() and
 *                        stele_check_crc() still check what they check.
 *   STELE_OMIT_COMPLETE  stele_complete(), completion of a query's last
 *                        word.
 *   STELE_OMIT_TYPOS     typo tolerance: a word the index does not know
 *                        matches nothing, as with STELE_QUERY_EXACT, and
 *                        stele_query_suggest() ("did you mean") is left
 *                        out with the corrections' automaton and walk.
 * Any of them also lowers stele_workspace_bound(), which then no longer covers
 * the left-out call's workspace.
 */

/* Hits one search may return. */
#ifndef STELE_MAX_RESULTS
#define STELE_MAX_RESULTS 1000
#endif

#endif /* STELE_CONFIG_H */
