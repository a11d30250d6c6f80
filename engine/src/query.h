/*
 * query.h: the query runtime's internal interfaces.  Interface to code in
 * arena.c (workspace bump allocator), query_parse.c (query language to a
 * tree), query_dump.c (its debug print), query_eval.c (document-at-a-time evaluation), rank.c
 * (BM25F and the top-k heap), passage.c (best paragraph of a hit), snippet.c (marked passage text)
 * and search.c (the public entry points).
 *
 * Memory.  Nothing here allocates.  Every structure is carved, in order,
 * from the caller's workspace by an st_arena.  An arena that runs short
 * keeps counting what was asked of it and hands out NULL, so one pass of
 * the same code tells both "it fits" and "this many bytes are needed": the
 * size reported with STELE_ENOSPACE is computed by the very allocations
 * that would be made, never by a separate formula that could drift.
 *
 * The query tree.  A parsed query is a tree of st_qnode.  Leaves are TERM
 * (one analysed term, possibly scoped to a field) and PREFIX (only when
 * there is no index to expand against, or the parser is asked not to
 * expand; searches and snippets always expand, so both count the same
 * leaves against the limits).  Inner nodes are AND, OR (n-ary), NOT (one child), and PHRASE and
 * NEAR whose children are TERM leaves.  Field scope is pushed down to the
 * leaves while parsing, so a node's field is only informative.  Leaves are
 * also listed in st_query.terms in query order; a leaf is "positive" when no
 * NOT is above it: only positive leaves are scored and highlighted.
 */
#ifndef STELE_QUERY_H
#define STELE_QUERY_H

#include <stddef.h>
#include <stdint.h>

#include "stele.h"
#include "reader.h"

#if defined(__GNUC__)
#define ST_NOINLINE __attribute__((noinline))
#else
#define ST_NOINLINE
#endif

/* ---- Interface to code in arena.c ---------------------------------- */

/* Alignment of every workspace piece: enough for the uint64_t, double and
 * pointer members of the runtime's structs, and what any malloc returns. */
#define ST_WS_ALIGN 8

typedef struct st_arena {
    unsigned char *base; /* aligned start; NULL: counting only */
    size_t cap;          /* usable bytes from base */
    size_t used;         /* bytes handed out or asked for */
    size_t pad;          /* bytes lost aligning the caller's pointer */
    int short_;          /* set once a request did not fit */
} st_arena;

/* An arena over (mem, size); mem may be NULL (counting only). */
void st_arena_init(st_arena *a, void *mem, size_t size);
/* n bytes aligned to ST_WS_ALIGN, or NULL when they do not fit (the request
 * is still counted in a->used). */
void *st_arena_alloc(st_arena *a, size_t n);
/* Workspace bytes the arena's requests need, counted from the caller's
 * pointer (alignment padding included). */
size_t st_arena_needed(const st_arena *a);

/* ---- Interface to code in query_parse.c ---------------------------- */

enum st_qtype {
    ST_Q_TERM = 0,
    ST_Q_PREFIX = 1,
    ST_Q_PHRASE = 2,
    ST_Q_NEAR = 3,
    ST_Q_AND = 4,
    ST_Q_OR = 5,
    ST_Q_NOT = 6
};

/* Default NEAR distance. */
#define ST_NEAR_DEFAULT 10
/* Nodes one query may have: leaves plus inner nodes and NOT chains. */
#define ST_MAX_NODES (4 * STELE_MAX_QUERY_TERMS)

struct st_postings;

/* One leaf term and its evaluation state. */
typedef struct st_qterm {
    char text[STELE_MAX_TERM_BYTES + 1]; /* analysed term (prefix: folded) */
    uint32_t len;
    int field;           /* scope, -1 = any field */
    uint32_t field_mask; /* fields the term occurs in (0: not in the index,
                          * or unknown because no index was given) */
    uint32_t pos_cap;    /* most positions it can have in one document */
    uint32_t offset;     /* byte offset of its word in the query */
    uint8_t positive;    /* no NOT above it */
    uint8_t prefix;      /* a PREFIX leaf (not expanded) */
    uint8_t grouped;     /* a word of a PHRASE or NEAR */
    /* evaluation state, set by st_eval_setup() */
    uint32_t n_iter;
    uint32_t iter_field[STELE_MAX_FIELDS];
    struct st_postings *iter[STELE_MAX_FIELDS];
    st_term_info *info;
    uint32_t *pos; /* position buffer of pos_cap entries */
    uint32_t n_pos;
    double idf;
    int hl; /* index of its distinct highlight term, -1 if not positive */
} st_qterm;

typedef struct st_qnode {
    uint8_t type; /* enum st_qtype */
    int8_t field; /* scope given in the query, -1 = none */
    uint16_t n_kids;
    uint32_t near_k;
    uint32_t offset; /* byte offset in the query */
    struct st_qnode *kids, *next;
    st_qterm *term; /* TERM and PREFIX */
    /* evaluation state */
    uint32_t doc; /* current match (valid when started) */
    uint8_t started;
    double idf;                     /* PHRASE/NEAR: sum of word idfs */
    uint32_t ftf[STELE_MAX_FIELDS]; /* PHRASE/NEAR: matches per field at doc */
} st_qnode;

typedef struct st_query {
    st_qnode *root;
    st_qterm *terms[STELE_MAX_QUERY_TERMS];
    uint32_t n_terms;
    uint32_t n_nodes;
    uint32_t n_fields; /* fields of the index (3 when parsed without one) */
} st_query;

/* Parser flags. */
#define ST_PARSE_NO_EXPAND 1u /* keep prefixes as PREFIX leaves */

/*
 * Parses query (len bytes) into *q with nodes from arena a.  ix may be NULL
 * (field names are then title, body, footnote; terms are not looked up and
 * prefixes are not expanded).  Returns STELE_OK, STELE_ESYNTAX or
 * STELE_ELIMIT (with *err_off), STELE_ENOSPACE when the arena is short, or
 * a reader error.
 */
int st_query_parse(const stele_index *ix, const char *query, size_t len, stele_stem_fn stem,
                   void *stem_ctx, unsigned flags, st_arena *a, st_query *q, size_t *err_off);

/* Worst-case arena bytes st_query_parse() uses for any query. */
#define ST_PARSE_MEM                                                                               \
    (ST_MAX_NODES * ((sizeof(st_qnode) + ST_WS_ALIGN - 1) / ST_WS_ALIGN * ST_WS_ALIGN) +           \
     STELE_MAX_QUERY_TERMS * ((sizeof(st_qterm) + ST_WS_ALIGN - 1) / ST_WS_ALIGN * ST_WS_ALIGN))

/* In query_dump.c: writes a one-line S-expression of the tree into out
 * (always NUL-terminated); returns the length it needed. */
size_t st_query_dump(const st_query *q, char *out, size_t cap);

/* ---- Interface to code in query_eval.c ----------------------------- */

/* No term has more positions in one document than this. */
uint32_t st_pos_cap(const stele_index *ix);
/* The most positions term (info) can have in one document within scope
 * field (-1 = all): at most st_pos_cap(ix), and at most the positions its
 * lists can hold (query_eval.c says how that is bounded). */
uint32_t st_term_pos_cap(const stele_index *ix, const st_term_info *info, int field);

typedef struct st_rank_params {
    double k1, b;
    double weight[STELE_MAX_FIELDS];
    double avg_len[STELE_MAX_FIELDS];
    uint32_t n_fields, n_docs;
} st_rank_params;

typedef struct st_eval {
    const stele_index *ix;
    st_query *q;
    st_rank_params rp;
    uint32_t n_hl;                       /* distinct positive terms */
    st_qterm *hl[STELE_MAX_QUERY_TERMS]; /* one representative leaf each */
    /* hl_grouped[h]: every leaf of highlight term h is a phrase/NEAR word,
     * so only its occurrences inside a match of its group count */
    uint8_t hl_grouped[STELE_MAX_QUERY_TERMS];
    uint32_t n_groups;                       /* positive PHRASE and NEAR nodes */
    st_qnode *groups[STELE_MAX_QUERY_TERMS]; /* (each has two words or more) */
} st_eval;

/* Carves iterators and buffers for q from a (counting when short), then, if
 * everything fitted, opens the iterators.  STELE_ENOSPACE when short.  A
 * counting arena (base NULL) gives the workspace size the search needs. */
int st_eval_setup(st_eval *ev, const stele_index *ix, st_query *q, const stele_search_opts *opts,
                  st_arena *a);
/* The next matching document >= target into *doc (ST_DOC_END when none). */
int st_eval_next(st_eval *ev, uint32_t target, uint32_t *doc);
/* The BM25F score of the document the last st_eval_next() returned. */
int st_eval_score(st_eval *ev, uint32_t doc, double *score);

/* For snippets: loads the positions, in field of doc, of every word of the
 * PHRASE or NEAR node n (a word not there gets none).  Documents must be
 * visited in ascending order; st_eval_setup() must have run. */
int st_group_load(st_qnode *n, uint32_t doc, uint32_t field);
/* Whether an occurrence at pos of a word of a PHRASE (type ST_Q_PHRASE) or
 * NEAR (near_k) group is part of a match of it, given each word's sorted
 * positions pos[i] (n_pos[i] of them; entries compared under mask, so
 * callers may keep a flag in the bits outside it). */
int st_group_covers(int type, uint32_t near_k, uint32_t n_words, const uint32_t *const *pos,
                    const uint32_t *n_pos, uint32_t mask, uint32_t at);
/* st_group_covers() for n on the positions st_group_load() loaded. */
int st_group_covers_loaded(const st_qnode *n, uint32_t at);

/* ---- Interface to code in rank.c ----------------------------------- */

void st_rank_params_init(st_rank_params *rp, const stele_index *ix, const stele_search_opts *opts);
double st_idf(uint32_t n_docs, uint32_t df);
/* Per-field length normalisers of doc: norm[f] = 1 - b + b * Ld / avgL,
 * or 0 for a field to skip (avgL == 0). */
int st_rank_norms(const stele_index *ix, const st_rank_params *rp, uint32_t doc,
                  double norm[STELE_MAX_FIELDS]);
/* BM25F of one (pseudo-)term from its per-field tf. */
double st_bm25f(const st_rank_params *rp, const double norm[STELE_MAX_FIELDS],
                const uint32_t tf[STELE_MAX_FIELDS], double idf);

typedef struct st_heap_entry {
    double score;
    uint32_t doc;
} st_heap_entry;

typedef struct st_heap {
    st_heap_entry *e;
    size_t n, cap;
} st_heap;

void st_heap_push(st_heap *h, double score, uint32_t doc);
/* Sorts the heap's entries best first (score down, doc up), in place. */
void st_heap_sort(st_heap *h);
/* Sorts hits by document number, or back to rank order. */
void st_hits_sort_by_doc(stele_hit *hits, size_t n);
void st_hits_sort_by_rank(stele_hit *hits, size_t n);
/* Sorts positions ascending, in place. */
void st_sort_u32(uint32_t *v, size_t n);

/* ---- Interface to code in passage.c -------------------------------- */

/* Window, in token positions, in which match density is measured. */
#define ST_DENSE_WINDOW 24

/* Reopens the iterators of the highlight terms, for st_best_paragraph(). */
int st_passage_begin(st_eval *ev);
/* Fills hit->para, para_kind, para_number and match_pos for hit->doc.
 * Hits must be visited in ascending document order (iterators only move
 * forward); st_eval_setup() must have run on ev. */
int st_best_paragraph(st_eval *ev, stele_hit *hit);

/* ---- Interface to code in search.c --------------------------------- */

/* 0 when opts has a non-finite parameter or b > 1. */
int st_opts_valid(const stele_search_opts *opts);
/* st_query_parse() with the stemmer of opts, the error offset into diag. */
int st_parse(const stele_index *ix, const char *query, size_t len, const stele_search_opts *opts,
             unsigned flags, st_arena *a, st_query *q, stele_diag *diag);
/* The workspace a search (or, with snippet set, a snippet) of query needs
 * for a pointer pad bytes short of alignment, found by parsing into a
 * stack buffer of ST_PARSE_MEM bytes and replaying the allocations on a
 * counting arena.  For callers whose workspace cannot hold the query. */
int st_need_on_stack(const stele_index *ix, const char *query, size_t len,
                     const stele_search_opts *opts, int snippet, size_t max_hits, size_t pad,
                     size_t *needed, stele_diag *diag);

#endif /* STELE_QUERY_H */
