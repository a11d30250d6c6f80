/*
 * query.h: the query runtime's internal interfaces.  Interface to code in
 * arena.c (workspace bump allocator), query_parse.c (query language to a
 * tree), query_eval.c (document-at-a-time evaluation and position
 * streams), rank.c (BM25F and the top-k heap), passage.c (best paragraph
 * of a hit), snippet.c (marked passage text) and search.c (the public
 * entry points: prepare, run, snippet, the bound).
 *
 * Memory.  Nothing here allocates.  Every structure is carved, in order,
 * from the caller's workspace by an st_arena.  An arena that runs short
 * keeps counting what was asked of it and hands out NULL, so one pass of
 * the same code tells both "it fits" and "this many bytes are needed": the
 * size reported with STELE_ENOSPACE is computed by the very allocations
 * that would be made, never by a separate formula that could drift.  A
 * query's state has a fixed size per leaf term (one postings iterator and
 * two position cursors per field it occurs in):
 * nothing grows with a document's length or the corpus, because positions
 * are never buffered but decoded one at a time by cursors (st_poscur) and
 * merged over fields by streams (st_tstream).
 *
 * The query tree.  A parsed query is a tree of st_qnode.  Leaves are TERM
 * (one analysed term, possibly scoped to a field) and PREFIX (only when
 * the parser is asked not to expand, or has no index; searches always
 * expand, into an OR of the most frequent words).  Inner nodes are AND, OR
 * (n-ary), NOT (one child), and PHRASE and NEAR whose children are TERM
 * leaves.  An ID leaf (id:55/12) is a filter on document ids: it has an
 * st_qterm holding the id (or id prefix) as typed, no postings and no
 * score, and is never "positive", so it is neither scored nor marked.  Field scope is pushed down
 * to the leaves while parsing, so a node's field is only informative.  Leaves are also listed in
 * st_query.terms in query order; a leaf is "positive" when no NOT is above
 * it: only positive leaves are scored and highlighted.
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
#define ST_WS_ALIGN   8
#define ST_ALIGNED(n) (((size_t)(n) + ST_WS_ALIGN - 1) / ST_WS_ALIGN * ST_WS_ALIGN)

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
/* Saturating size arithmetic, for bounds computed from index values. */
size_t st_add_sat(size_t a, size_t b);
size_t st_mul_sat(size_t a, size_t b);

/* ---- Interface to code in query_parse.c ---------------------------- */

enum st_qtype {
    ST_Q_TERM = 0,
    ST_Q_PREFIX = 1,
    ST_Q_PHRASE = 2,
    ST_Q_NEAR = 3,
    ST_Q_AND = 4,
    ST_Q_OR = 5,
    ST_Q_NOT = 6,
    ST_Q_ID = 7
};

/* How an ID leaf's text matches a document id: the whole id, or its
 * start (id:E/2009*, or the last word when typing). */
#define ST_ID_EXACT  1
#define ST_ID_PREFIX 2

/* A positive term found in at least ST_STOP_PERMILLE / 1000 of the
 * documents (in its field scope) is a stopword for snippets: so common
 * that its idf is near 0 and marking it everywhere is noise.  The test is
 * the one idf is computed from, so it needs no word list and no language
 * (on the bundled resolutions: the, of, and, for, to, a; on Cranfield:
 * of, the, and, a, to, in). */
#define ST_STOP_PERMILLE 850u

/* Default NEAR distance. */
#define ST_NEAR_DEFAULT 10
/* Leaf terms of one query: a parser limit (term numbers are 16 bits). */
#define ST_MAX_TERMS 65535u

struct st_qterm;

/* A leaf's positions in the current document, in ascending order, merged
 * over the fields it is read in: one cursor per field list. */
typedef struct st_tstream {
    st_poscur *cur; /* one per field iterator of the leaf */
    uint32_t live;  /* bit k: cursor k has a position (cur[k].pos) */
    uint32_t pos;   /* the current position, valid when has */
    uint8_t has;    /* 1 while on a position */
    uint8_t field;  /* the cursor (iterator index) of the current position */
} st_tstream;

/* One leaf term and its evaluation state. */
typedef struct st_qterm {
    char text[STELE_MAX_TERM_BYTES + 1]; /* analysed term (prefix: folded) */
    uint32_t len;
    int field;             /* scope, -1 = any field */
    uint32_t field_mask;   /* fields the term occurs in (0: not in the index,
                            * or unknown because no index was given) */
    uint32_t offset;       /* byte offset of its word in the query */
    uint8_t positive;      /* no NOT above it */
    uint8_t prefix;        /* a PREFIX leaf (not expanded) */
    uint8_t grouped;       /* a word of a PHRASE or NEAR */
    uint8_t fuzzy;         /* edits of a correction (correct.h); 0 = as typed */
    uint8_t id_match;      /* an ID leaf: ST_ID_EXACT or ST_ID_PREFIX; else 0 */
    uint8_t stop;          /* a stopword: marked only next to a marked word */
    struct st_qterm *next; /* the next leaf in query order */
    /* evaluation state, set by st_eval_setup() */
    uint32_t n_iter;
    /* one per field list, in field order; iter[k]->list.field is its
     * field (st_postings keeps its st_list) */
    st_postings *iter[STELE_MAX_FIELDS];
    st_tstream walk;  /* for phrase/NEAR counting and passages */
    st_tstream cover; /* for its group's coverage (passages, snippets) */
    double idf;
    int hl; /* index of its distinct highlight term, -1 if not positive */
    /* a leaf of a copy merged into an identical sibling (query_dedup.c):
     * it looks nothing up and opens no iterator */
    uint8_t dropped;
} st_qterm;

typedef struct st_qnode {
    uint8_t type; /* enum st_qtype */
    int8_t field; /* scope given in the query, -1 = none */
    uint16_t n_kids;
    uint32_t near_k;
    uint32_t offset; /* byte offset in the query */
    /* copies of this node among its parent's children, merged into it
     * (query_dedup.c): its score counts mult times */
    uint32_t mult;
    struct st_qnode *kids, *next;
    st_qterm *term; /* TERM and PREFIX */
    /* evaluation state */
    /* AND, PHRASE, NEAR: the child with the fewest documents, asked
     * first for each candidate (st_eval_setup) */
    struct st_qnode *lead;
    uint32_t doc; /* current match (valid when started) */
    uint8_t started;
    double idf;                     /* PHRASE/NEAR: sum of word idfs */
    uint32_t ftf[STELE_MAX_FIELDS]; /* PHRASE/NEAR: matches per field at doc */
} st_qnode;

/* A word of the query the index does not know, and its best correction
 * (for "did you mean"): the word's bytes in the query, and the lexicon
 * word to put there. */
typedef struct st_fix {
    uint32_t offset, len;
    uint32_t word_len;
    char word[STELE_MAX_TERM_BYTES + 1];
    /* 1: the correction was not looked for (an exact query): word is the
     * folded word as typed, and stele_query_suggest() walks the lexicon */
    uint8_t pending;
    struct st_fix *next;
} st_fix;

typedef struct st_query {
    st_qnode *root;
    st_qterm **terms; /* n_terms leaves in query order */
    st_qterm *first_term, *last_term;
    uint32_t n_terms;
    uint32_t n_nodes;
    uint32_t n_fields;       /* fields of the index (3 when parsed without one) */
    uint32_t n_cut;          /* prefixes whose expansion was cut */
    uint32_t n_prefix_words; /* words those prefixes had */
    uint32_t n_fuzzy;        /* words matched through their corrections */
    uint32_t n_fixes;        /* unknown words with a correction (or, exact,
                              * that may have one) */
    /* dictionary entries the prefixes scanned and lexicon entries the
     * corrections read while parsing (st_query_cost) */
    uint32_t dict_steps;
    st_fix *fixes; /* those corrections, in query order */
} st_query;

/* Parser flags. */
#define ST_PARSE_NO_EXPAND   1u /* keep prefixes as PREFIX leaves */
#define ST_PARSE_LAST_PREFIX 2u /* the last word, with nothing after it, is a prefix */
#define ST_PARSE_EXACT       4u /* no word matches through corrections */

typedef struct st_parse_in {
    const stele_index *ix; /* NULL: fields title, body, footnote; no lookups */
    stele_stem_fn stem;
    void *stem_ctx;
    unsigned flags;
    uint32_t prefix_terms; /* expansions per prefix */
    /* The parser's memory: STELE_QUERY_SCRATCH_ bytes, aligned as
     * stele_query.scratch_ (which is where stele_query_prepare() puts it),
     * so that a parse takes little stack, counting ones included. */
    void *scratch;
} st_parse_in;

/* Details of a refused query. */
typedef struct st_parse_err {
    size_t offset;
    int reason; /* enum stele_query_reason */
} st_parse_err;

/*
 * Parses query (len bytes) into *q with nodes from arena a.  When the
 * arena only counts (a->base == NULL) nothing is stored: the parse checks
 * the syntax and adds to a->used exactly what a storing parse and
 * st_eval_setup() would take, with no buffer.  Returns STELE_OK,
 * STELE_ESYNTAX or STELE_ELIMIT (with *err), STELE_ENOSPACE when a storing
 * arena is short, or a reader error.
 */
int st_query_parse(const st_parse_in *in, const char *query, size_t len, st_arena *a, st_query *q,
                   st_parse_err *err);

/* In query_dedup.c: merges identical children of every AND and OR into
 * the first (st_qnode.mult), marking the leaves of the others dropped.
 * Run by st_eval_setup() once the workspace is carved; matches and scores
 * are unchanged. */
void st_query_dedup(st_query *q);

/* In query_dump.c (built for the tests only): writes a one-line
 * S-expression of the tree into out (always NUL-terminated); returns the
 * length it needed. */
size_t st_query_dump(const st_query *q, char *out, size_t cap);

/* ---- Interface to code in query_eval.c ----------------------------- */

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
    uint32_t score_fields; /* fields any leaf has a list in: the norms read */
    /* A ranking run's bar (stele_query_run: the heap's worst score once it
     * is full): bar_group, a PHRASE or NEAR whose score times bar_mult is
     * the query's (the root, or the one child of an AND or OR a repeated
     * group was merged into), skips a candidate whose words' tfs bound
     * that at or below the bar, before reading positions; n_barred counts
     * them (the match count is then a lower bound). */
    int bar_on;
    double bar, bar_mult;
    const st_qnode *bar_group;
    uint32_t n_barred;
    uint32_t n_hl; /* distinct positive terms */
    st_qterm **hl; /* one representative leaf each */
    /* hl_grouped[h]: every leaf of highlight term h is a phrase/NEAR word,
     * so only its occurrences inside a match of its group count */
    uint8_t *hl_grouped;
    uint32_t n_groups;       /* positive PHRASE and NEAR nodes */
    st_qnode **groups;       /* (each has two words or more) */
    struct st_cover *covers; /* one coverage tracker per group */
    uint32_t *near_prev;     /* per group word: NEAR trackers' state */
    /* passage scratch: per highlight term */
    uint32_t *hl_seen;  /* paragraph (+1) where it was last counted */
    uint16_t *hl_count; /* occurrences in the sliding window */
    uint32_t *win_pos;  /* the sliding window's entries (ring) */
    uint16_t *win_term;
    uint32_t win_cap;
    /* steps of the leaves' iterators before their last rewind */
    uint64_t steps;
} st_eval;

/* Workspace bytes st_eval_setup() takes for one leaf in n_lists field
 * lists (an iterator and a walk cursor per list), more for a leaf that is
 * a word of a PHRASE or NEAR group (a cover cursor per list), and for a
 * query's per-query pieces; st_query_parse() adds the same in counting
 * mode. */
size_t st_eval_leaf_bytes(uint32_t n_lists);
size_t st_eval_cover_bytes(uint32_t n_lists);
size_t st_eval_query_bytes(uint32_t n_terms, uint32_t n_group_words);

/* The field lists a leaf is read in: its fields within its scope. */
uint32_t st_leaf_mask(const stele_index *ix, uint32_t field_mask, int field);

/* Carves iterators and cursors for q from a (counting when short), then,
 * if everything fitted, opens the iterators.  STELE_ENOSPACE when short. */
int st_eval_setup(st_eval *ev, const stele_index *ix, st_query *q, const stele_query_opts *opts,
                  st_arena *a);
/* Reopens every leaf's iterators at the start of its lists. */
int st_eval_rewind(st_eval *ev);
/* The next matching document >= target into *doc (ST_DOC_END when none). */
int st_eval_next(st_eval *ev, uint32_t target, uint32_t *doc);
/* The BM25F score of the document the last st_eval_next() returned. */
int st_eval_score(st_eval *ev, uint32_t doc, double *score);

/* Dynamic pruning: a bound of the score of every document in [d, *end]
 * the evaluator may still return (*end >= d; ST_DOC_END: to the last),
 * from the block maxima of the lists, without moving or decoding
 * anything; *empty = 1 when none of them can match.  d must not be below
 * the last target given to st_eval_next(). */
int st_eval_bound(st_eval *ev, uint32_t d, double *ub, uint32_t *end, int *empty);
/* The same two for one node n of the tree (a child of the root, for the
 * root OR's MaxScore in search.c): st_eval_node_bound() bounds n's own
 * score, times n->mult, with st_eval_bound()'s slack; st_eval_node_next()
 * moves n alone to its first match >= target.  Neither touches the rest
 * of the tree. */
int st_eval_node_bound(st_eval *ev, st_qnode *n, uint32_t d, double *ub, uint32_t *end, int *empty);
int st_eval_node_next(st_eval *ev, st_qnode *n, uint32_t target, uint32_t *doc);
/* Moves t's iterators to the first document >= doc. */
int st_term_seek(st_qterm *t, uint32_t doc);
/* Opens s on t's positions in doc (t's iterators must be at doc or past
 * it), over every field of t, or only field when field >= 0. */
int st_tstream_open(st_tstream *s, const st_qterm *t, uint32_t doc, int field);
/* Moves s to its next position: 1 = on one (s->pos), 0 = none left. */
int st_tstream_next(st_tstream *s);
/* Moves s to its first position >= target: 1 = on one, 0 = none left. */
int st_tstream_seek(st_tstream *s, uint32_t target);

/* Coverage: whether an occurrence of a word of a positive PHRASE or NEAR
 * group is part of a match of it, asked for ascending positions of one
 * document.  A phrase covers at when a match starts in [at - n + 1, at];
 * a NEAR group when some window [lo, lo + k + n - 1] holds at (an
 * occurrence of one of its words) and an occurrence of every word.  The
 * trackers read the words' cover streams. */
typedef struct st_cover {
    st_qnode *group;
    uint32_t n_words;
    uint32_t *prev;  /* NEAR: per word, its last position < the one asked */
    uint64_t last_p; /* phrase: the last match start <= the one asked */
    uint64_t next_p; /* phrase: the next match start not yet passed */
    uint8_t has_last, done;
} st_cover;

/* Opens c on doc, over the words' positions in field (-1: all fields). */
int st_cover_open(st_cover *c, uint32_t doc, int field);
/* 1 when at is covered, 0 when not, < 0 on error. */
int st_cover_test(st_cover *c, uint32_t at);

/* ---- Interface to code in rank.c ----------------------------------- */

void st_rank_params_init(st_rank_params *rp, const stele_index *ix, const stele_query_opts *opts);
double st_idf(uint32_t n_docs, uint32_t df);
/* Natural logarithm without libm (rank.c), to a few ulp, of a positive
 * finite x; any other x gives 0. */
double st_log(double x);
/* Per-field length normalisers of doc: norm[f] = 1 - b + b * Ld / avgL
 * for the fields in the mask fields, -1 for a field to skip (avgL == 0 or
 * not in fields: no term of the query has a list there). */
int st_rank_norms(const stele_index *ix, const st_rank_params *rp, uint32_t doc, uint32_t fields,
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

/* ---- Interface to code in passage.c -------------------------------- */

/* Window, in token positions, in which match density is measured. */
#define ST_DENSE_WINDOW 24

/* Fills hit->para, para_kind, para_number and match_pos for hit->doc.
 * Hits must be visited in ascending document order after
 * st_eval_rewind() (iterators only move forward). */
int st_best_paragraph(st_eval *ev, stele_hit *hit);

/* ---- Interface to code in search.c --------------------------------- */

/* 0 when opts has a non-finite parameter or b > 1. */
int st_opts_valid(const stele_query_opts *opts);

/* A prepared query's state, at the start of its workspace. */
typedef struct st_prepared {
    st_query q;
    st_eval ev;
    stele_query_opts opts;
    uint32_t max_results;
} st_prepared;

/* What a prepared query has cost so far, in the steps of the bound in
 * stele.h (Cost): for tests, and at no cost when not asked for. */
typedef struct st_cost {
    uint64_t dict_entries; /* read by prefixes and corrections (preparing) */
    uint64_t entries;      /* postings entries and positions (its runs) */
} st_cost;
void st_query_cost(const stele_query *q, st_cost *out);

/* ---- Interface to code in snippet.c -------------------------------- */

/* Workspace beyond the prepared state a snippet takes on this index. */
size_t st_snippet_bytes(const stele_index *ix);

/* ---- Interface to code in complete.c ------------------------------- */

/* Workspace stele_complete() takes on this index (at most
 * stele_workspace_bound(ix, 0), which search.c makes sure of). */
size_t st_complete_bytes(const stele_index *ix);
int st_snippet(st_prepared *pq, const stele_hit *hit, const stele_snippet_opts *sopts, void *mem,
               size_t mem_size, char *out, size_t out_cap, size_t *out_len, size_t *needed);

#endif /* STELE_QUERY_H */
