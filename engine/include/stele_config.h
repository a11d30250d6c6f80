/*
 * stele_config.h: every tunable limit of stele in one place.
 *
 * Each limit is an #ifndef default, so a build for a small target can lower
 * them with -D flags; the runtime's workspace bound (stele_workspace_bound())
 * is a formula over these numbers.  Limits bound the work one query may do:
 * a query that needs more returns STELE_ELIMIT with the byte offset of the
 * construct that went over, never a silent truncation.
 */
#ifndef STELE_CONFIG_H
#define STELE_CONFIG_H

/* Bytes of one analysed term.  Longer tokens are truncated (at a UTF-8
 * character boundary) rather than rejected, by the indexer and the query
 * parser alike, so a long token still matches itself. */
#ifndef STELE_MAX_TERM_BYTES
#define STELE_MAX_TERM_BYTES 64
#endif

/* Bytes of one query string. */
#ifndef STELE_MAX_QUERY_BYTES
#define STELE_MAX_QUERY_BYTES 1024
#endif

/* Leaf terms in one query, counting each word of a phrase and each
 * expansion of a prefix. */
#ifndef STELE_MAX_QUERY_TERMS
#define STELE_MAX_QUERY_TERMS 32
#endif

/* Nesting depth of parentheses and operators in a query. */
#ifndef STELE_MAX_DEPTH
#define STELE_MAX_DEPTH 16
#endif

/* Words in one phrase or NEAR group. */
#ifndef STELE_MAX_PHRASE
#define STELE_MAX_PHRASE 16
#endif

/* Dictionary terms one prefix query (rehab*) may expand to.  A prefix with
 * more terms is a limit error, so the cost of a query stays bounded. */
#ifndef STELE_MAX_PREFIX_TERMS
#define STELE_MAX_PREFIX_TERMS 16
#endif

/* Hits one search may return. */
#ifndef STELE_MAX_RESULTS
#define STELE_MAX_RESULTS 1000
#endif

/* Fields an index may have (title, body, footnote, and JSON Lines fields). */
#ifndef STELE_MAX_FIELDS
#define STELE_MAX_FIELDS 8
#endif

/* Bytes of a field name. */
#ifndef STELE_MAX_FIELD_NAME
#define STELE_MAX_FIELD_NAME 31
#endif

#endif /* STELE_CONFIG_H */
