/*
 * refmodel.h: a brute-force reference model of an index, for differential
 * testing of the query runtime.  Interface to code in refmodel.c (the
 * model) and refquery.c (query trees: generation, printing, evaluation).
 *
 * The model is built straight from the ingested corpus with the shared
 * analysis code, never from the index file: each paragraph's text goes
 * through st_tokenizer and st_token_term with the stemmer the index uses,
 * tokens are numbered from 0 in paragraph order with a one-position gap
 * after every paragraph, and every token remembers its field and
 * paragraph.  From that the model counts, per term, df over all fields and
 * per field; per document and field the exact length and the length the
 * index's one-byte norm gives back (st_norm_decode(st_norm_encode(len)));
 * per field the total tokens, so avgL(f) = total(f) / N.  These are all
 * BM25F needs, computed without any of the runtime's data structures.
 *
 * Query trees (rq_query) are built by the generator, printed to query
 * syntax by rq_format, and evaluated by rq_eval directly on the tree, so
 * the reference has no query parser of its own.  Host side: allocates.
 */
#ifndef STELE_REFMODEL_H
#define STELE_REFMODEL_H

#include <stddef.h>
#include <stdint.h>

#include "doc.h"
#include "stele.h"
#include "tutil.h"

#define RM_NONE UINT32_MAX

typedef struct rm_tok {
    uint32_t term;    /* index term id */
    uint32_t surface; /* folded surface word id (for generating queries) */
    uint32_t pos;
    uint32_t para;
    uint8_t field;
} rm_tok;

typedef struct rm_para {
    uint32_t first_pos, n_tokens;
    uint8_t field, kind;
    uint32_t number;
} rm_para;

typedef struct rm_doc {
    rm_tok *toks;      /* in position order */
    uint32_t *by_term; /* indices into toks, sorted by (term, pos) */
    size_t n_toks;
    rm_para *paras;
    uint32_t n_paras;
    uint32_t len[STELE_MAX_FIELDS];    /* exact tokens per field */
    double norm_len[STELE_MAX_FIELDS]; /* length as the norm byte gives it back */
} rm_doc;

/* A string table: interned strings with open-addressed lookup. */
typedef struct rm_strtab {
    char **str;
    uint32_t n, cap;
    uint32_t *slot; /* hash slots holding id + 1; 0 = empty */
    uint32_t n_slots;
} rm_strtab;

typedef struct rm_model {
    const st_corpus *corpus;
    stele_stem_fn stem;
    void *stem_ctx;
    uint32_t n_docs;
    unsigned n_fields;
    rm_doc *docs;
    rm_strtab terms; /* index terms */
    uint32_t *df;    /* per term, docs with it in any field */
    uint32_t (*df_field)[STELE_MAX_FIELDS];
    uint32_t *sorted;   /* term ids in byte order of their text */
    rm_strtab surfaces; /* folded words as they appear in the text */
    uint32_t *surf_count;
    uint32_t *surf_df;   /* documents holding the word as written */
    uint32_t *surf_last; /* the last document (+ 1) counted in surf_df */
    uint8_t *surf_kind;  /* enum st_token_kind */
    uint8_t *surf_ok;    /* 1: the word alone analyses to one token, same term */
    uint32_t *surf_term; /* its index term */
    char **surf_orig;    /* one spelling as written in the text, when it is
                          * usable as a query word, else NULL */
    uint64_t total[STELE_MAX_FIELDS];
    double avg[STELE_MAX_FIELDS];
    double weight[STELE_MAX_FIELDS]; /* defaults: title 2, body 1, footnote 0.5 */
    double k1, b;
} rm_model;

int rm_build(rm_model *m, const st_corpus *c, stele_stem_fn stem, void *stem_ctx);
void rm_free(rm_model *m);

/* Term id of an analysed term, RM_NONE when the corpus lacks it. */
uint32_t rm_term_id(const rm_model *m, const char *term, size_t len);
/* Index term of a query word: the word must analyse to exactly one token;
 * returns 0 and *term (RM_NONE if not in the corpus), or -1. */
int rm_word_term(const rm_model *m, const char *word, uint32_t *term);

/* Positions of term in doc, restricted to field (or any field when
 * field < 0), ascending, into pos (capacity cap); returns the count (which
 * may exceed cap; only cap are written). */
size_t rm_positions(const rm_model *m, uint32_t doc, uint32_t term, int field, uint32_t *pos,
                    size_t cap);
/* Field of the token at pos in doc, or -1 if no token is there. */
int rm_field_at(const rm_model *m, uint32_t doc, uint32_t pos);
/* Term at pos in doc, or RM_NONE. */
uint32_t rm_term_at(const rm_model *m, uint32_t doc, uint32_t pos);

/* idf of a term over all fields (field < 0) or one field. */
double rm_idf(const rm_model *m, uint32_t term, int field);
/* BM25F of a (pseudo-)term with per-field tf in doc. */
double rm_bm25(const rm_model *m, uint32_t doc, const uint32_t tf[STELE_MAX_FIELDS], double idf);

/* Range [*lo, *hi) of m->sorted whose terms start with prefix. */
void rm_prefix_range(const rm_model *m, const char *prefix, size_t len, uint32_t *lo, uint32_t *hi);

/* ---- Query trees (refquery.c) ---------------------------------------- */

enum rq_kind { RQ_TERM, RQ_PREFIX, RQ_PHRASE, RQ_NEAR, RQ_AND, RQ_OR, RQ_NOT };

#define RQ_MAX_NODES 48
#define RQ_MAX_KIDS  5
#define RQ_MAX_WORDS 6
#define RQ_MAX_EXP   64  /* prefix expansions remembered */
#define RQ_MAX_HL    256 /* highlight terms of one query */

typedef struct rq_node {
    uint8_t kind;
    int8_t field;       /* scope written on this node, -1 = none */
    uint8_t paren;      /* extra parentheses when printed */
    uint8_t near_infix; /* a NEAR/k b instead of NEAR(a b, k) */
    uint8_t has_k;
    uint8_t not_word; /* NOT x instead of -x */
    uint32_t k;
    uint32_t n_words;
    char words[RQ_MAX_WORDS][STELE_MAX_TERM_BYTES + 1];
    uint32_t word_off[RQ_MAX_WORDS]; /* byte offsets, set by rq_format */
    uint32_t n_kids;
    uint16_t kids[RQ_MAX_KIDS];
    /* filled by rq_prepare */
    int scope; /* effective field, -1 = all */
    uint32_t term[RQ_MAX_WORDS];
    uint32_t n_exp, exp[RQ_MAX_EXP];
} rq_node;

typedef struct rq_query {
    rq_node node[RQ_MAX_NODES];
    uint32_t n_nodes, root;
} rq_query;

/* How NEAR groups and OR branches are scored; see refquery.c. */
typedef struct rq_gen_opts {
    int allow_near_scope; /* scoped NEAR groups */
    int max_depth;
} rq_gen_opts;

/* Draws a random query tree over m's vocabulary. */
void rq_generate(const rm_model *m, tu_rng *rng, const rq_gen_opts *go, rq_query *q);
/* 1 once the reference's NEAR window count and its brute-force window
 * search have disagreed (a bug in the reference itself). */
int rq_near_inconsistent(void);
/* Prints q in query syntax; returns the length or 0 if it does not fit.
 * Remembers where each word starts. */
size_t rq_format(const rm_model *m, rq_query *q, char *out, size_t cap);
/* For a prepared and printed query over a limit: the byte offset the
 * runtime must report, that of the word whose leaf goes over
 * STELE_MAX_QUERY_TERMS or of the prefix with too many expansions,
 * whichever the parser meets first. */
size_t rq_limit_offset(const rq_query *q);
/* Resolves words to terms and prefixes to expansions.  Returns STELE_OK,
 * or STELE_ELIMIT when the runtime must refuse the query. */
int rq_prepare(const rm_model *m, rq_query *q);
/* Evaluates q on doc: 1 and *score when it matches, 0 otherwise. */
int rq_eval(const rm_model *m, const rq_query *q, uint32_t doc, double *score);
/* 1 when term, occurring in field (or anywhere when field < 0), is one of
 * q's positive leaf terms within its scope (for checking match_pos). */
int rq_positive_term(const rm_model *m, const rq_query *q, uint32_t term, int field);

/* The paragraph and match position a hit on doc should name: among the
 * paragraphs holding occurrences of q's distinct positive terms (each
 * (term, scope) once, in scope; a term that is only a phrase or NEAR word
 * counts only inside a match of its group, fields together), the one with the most distinct terms,
 * then the most occurrences, then the earliest; inside it the occurrence
 * starting the 24-position window with the most distinct terms, then the
 * most occurrences, then the earliest.  With no occurrence at all, the
 * title paragraph. */
void rq_passage(const rm_model *m, const rq_query *q, uint32_t doc, uint32_t *para,
                uint32_t *match_pos);

/* 1 when a snippet must mark the token at pos of doc whose analysed term
 * is (term, len) in field: it is a positive plain word or prefix expansion
 * of q in scope, or a word of a positive phrase or NEAR in scope whose
 * match (positions in that field) covers pos.  2 when it is only such a
 * plain word that is a stopword (in 85% of the documents or more, in its
 * scope; in a query with some other word): it is marked only next to a
 * token of 1.  0 otherwise. */
int rq_marks_token(const rm_model *m, const rq_query *q, uint32_t doc, uint32_t pos,
                   const char *term, size_t len, int field);

#endif /* STELE_REFMODEL_H */
