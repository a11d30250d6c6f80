/*
 * reader.h: read access to an open index, for the query runtime.
 * Interface to code in reader.c (open, sections, dictionary), postings.c
 * (postings and positions iterators) and doctable.c (document table,
 * paragraphs, stored text).
 *
 * Every function checks every offset and length it reads against the
 * section it belongs to and returns STELE_ECORRUPT (through st_corrupt(),
 * one place to set a breakpoint) instead of reading out of bounds.  No
 * function allocates; iterator state lives in structs the caller places
 * (in the workspace).
 */
#ifndef STELE_READER_H
#define STELE_READER_H

#include <stddef.h>
#include <stdint.h>

#include "stele.h"

/* Returns STELE_ECORRUPT; every corruption path goes through here. */
int st_corrupt(void);

/* Section id's bytes (bounds checked at open); *size gets its length. */
const uint8_t *st_section(const stele_index *ix, unsigned id, uint32_t *size);

/* ---- Dictionary ---------------------------------------------------- */

/* One (term, field) postings list. */
typedef struct st_list {
    uint32_t df; /* documents with the term in this field */
    uint32_t field;
    uint64_t postings_off, postings_len;   /* byte range in the postings section */
    uint64_t positions_off, positions_len; /* byte range in the positions section */
    uint64_t n_positions;                  /* sum of tf over the list when df < ST_BLOCK (the
                                            * dictionary decoder counts it), else 0: unknown */
} st_list;

typedef struct st_term_info {
    uint32_t term_ord;              /* rank of the term in dictionary order */
    uint32_t df;                    /* documents with the term in any field */
    uint32_t field_mask;            /* bit f set: the term occurs in field f */
    st_list list[STELE_MAX_FIELDS]; /* valid where field_mask has the bit */
} st_term_info;

/* Exact lookup of an analysed term: STELE_OK, STELE_ENOTFOUND or
 * STELE_ECORRUPT. */
int st_dict_find(const stele_index *ix, const char *term, size_t len, st_term_info *out);

/* Ordered enumeration from the first term >= key (for prefix queries). */
typedef struct st_dict_cursor {
    uint32_t block;             /* current dictionary block */
    uint32_t in_block;          /* entries already read in the block */
    uint64_t off;               /* byte offset of the next entry */
    uint64_t post_off, pos_off; /* list offsets of the next entry */
    uint32_t term_len;
    char term[STELE_MAX_TERM_BYTES + 1];
} st_dict_cursor;

int st_dict_seek(const stele_index *ix, st_dict_cursor *c, const char *key, size_t len);
/* Term number ord (dictionary order) into c->term and, if not NULL,
 * *info; c is left after it.  STELE_ENOTFOUND when ord >= n_terms. */
int st_dict_at(const stele_index *ix, uint32_t ord, st_dict_cursor *c, st_term_info *info);

/* Reads the next term into c->term and *info: 1 = a term, 0 = end,
 * negative = error. */
int st_dict_next(const stele_index *ix, st_dict_cursor *c, st_term_info *info);

/* ---- Postings -------------------------------------------------------- */

#define ST_BLOCK      128         /* documents per bit-packed block */
#define ST_DOC_END    0xFFFFFFFFu /* doc of an exhausted iterator */
#define ST_RUN_VARINT 0xFF        /* run_k of a run of varints */

/* Where decoding stands in a postings block's positions (POSITIONS in
 * format.h): shared by an iterator and the position cursors opened from
 * it. */
typedef struct st_runstate {
    uint64_t pos_base;  /* section offset of the block's positions */
    uint64_t pos_total; /* positions of the block's documents */
    uint64_t run_off;   /* section offset of the current positions run */
    uint64_t run_first; /* index of its first value */
    uint64_t run_at;    /* bytes (varint run) or bits (Rice run, after the
                         * k byte) of the run read so far */
    uint64_t next_pos;  /* index of the next value to decode */
    uint32_t run_n;     /* values in the run */
    uint8_t run_k;      /* Rice parameter; ST_RUN_VARINT for a varint run */
    uint8_t run_open;   /* run_n, run_k and run_at are set */
} st_runstate;

typedef struct st_postings {
    const stele_index *ix;
    st_list list;
    uint32_t doc; /* current document, ST_DOC_END when done; before the
                   * first st_postings_next() it is undefined */
    uint32_t tf;  /* occurrences in the current document */
    /* private decoding state */
    uint32_t n_blocks, block, in_block, block_len;
    uint64_t doc_off, skip_off;
    uint64_t pos_index; /* the current document's first position among the
                         * block's (valid with pos_total_known) */
    st_runstate rs;
    uint32_t max_tf; /* bounds of the current block */
    uint8_t min_norm, tfn;
    uint8_t started; /* st_postings_next() was called */
    /* The block's tfs are not decoded into an array but read where they
     * lie: bit-packed (kind 0) by index, a Rice run (kind 1) in order, or
     * the one or two of a varint block (kind 2) kept here. */
    uint8_t tf_kind, tf_bits, tf_k, pos_total_known;
    uint32_t tf_done; /* Rice: tfs decoded so far */
    const uint8_t *tf_data;
    uint64_t tf_nbits, tf_at; /* Rice: bits the run may use; bits read */
    uint32_t small_tf[2];
    /* Pruning (st_postings_bound): the block last looked up in the skip
     * table without decoding, its last document and bounds, and a score
     * term the evaluator cached for block ub_block - 1 (0: none). */
    uint32_t sh_block, sh_last, sh_max_tf;
    uint8_t sh_min_norm, sh_tfn;
    /* The entry of the block pos_index is for: in_block, or before it
     * after a packed block was scanned without its tfs (sync_positions()
     * adds theirs when positions are wanted). */
    uint8_t pos_entry;
    uint32_t ub_block;
    /* Work done on the list since st_postings_init(), in steps: entries of
     * the blocks decoded, positions skipped to reach a document and
     * positions made readable by cursors (the query's cost counter,
     * st_query_cost; saturates) */
    uint32_t steps;
    double ub_value;
    /* The block's documents are not decoded into an array either but one
     * at a time, as the tfs: a gap bit-packed (kind 0) by index, or the
     * next value of a Rice run (kind 1), or one of the one or two of a
     * varint block; block_last is the block's last document (from the
     * skip entry, or a first pass over a one-block list). */
    const uint8_t *doc_data;
    uint64_t doc_nbits, doc_at; /* Rice: bits of the run; bits read */
    uint8_t doc_bits, doc_k;
    uint32_t block_last;
    uint32_t small_doc[2];
} st_postings;

/* A cursor over one document's positions in one list, decoded one at a
 * time with no buffer (about 100 bytes, whatever the document's length).
 * Opened from an iterator on the document; any number of cursors may be
 * open on one iterator until it moves. */
typedef struct st_poscur {
    const uint8_t *sec, *end; /* the list's positions bytes */
    st_runstate rs;
    uint32_t left; /* positions not yet returned */
    uint32_t pos;  /* the last one returned */
    uint8_t started;
} st_poscur;

/* Opens c on p's current document (p must be on one). */
int st_poscur_open(st_poscur *c, st_postings *p);
/* The next position into c->pos: 1 = one, 0 = no more, < 0 = error. */
int st_poscur_next(st_poscur *c);

/* Starts an iterator over one list; the first st_postings_next() moves to
 * the first document. */
int st_postings_init(st_postings *p, const stele_index *ix, const st_list *list);
/* Moves to the next document: 1 = moved, 0 = end (doc = ST_DOC_END), <0 error. */
int st_postings_next(st_postings *p);
/* Moves to the first document >= target (skipping whole blocks by their
 * skip entries): 1 = on a document, 0 = end, <0 error. */
int st_postings_advance(st_postings *p, uint32_t target);
/* Upper bounds for the current block, for dynamic pruning: the largest tf
 * and the smallest norm byte of any document in it. */
int st_postings_block_max(const st_postings *p, uint32_t *max_tf, uint8_t *min_norm);
/* Bounds of the list's documents >= d, for dynamic pruning, found without
 * decoding a block and without moving the iterator: *first gets a lower
 * bound of the next such document (exact when the iterator is on it), and
 * every such document up to *last lies in one block, whose largest tf,
 * smallest norm byte and tfn code (format.h, POSTINGS; 0 for a list of one
 * block) are *max_tf, *min_norm and *tfn; *block gets that block's number.
 * Returns 1, or 0 when the list has no document >= d (or a negative
 * error).  d must not be below a target the iterator was moved to. */
int st_postings_bound(st_postings *p, uint32_t d, uint32_t *first, uint32_t *last, uint32_t *max_tf,
                      uint8_t *min_norm, uint8_t *tfn, uint32_t *block);
/* The current document's positions, ascending, into pos (capacity cap);
 * *n gets p->tf.  STELE_ENOSPACE if cap < tf (then nothing is consumed). */
int st_postings_positions(st_postings *p, uint32_t *pos, uint32_t cap, uint32_t *n);

/* Walks a whole list from a fresh iterator, checking every block, skip
 * entry and position (for stele_verify()); *tokens gets the sum of tf. */
int st_postings_verify(st_postings *p, uint64_t *tokens);

/* ---- Documents ------------------------------------------------------- */

/* Norm byte of doc's field (0 when the field is empty). */
int st_doc_norm(const stele_index *ix, uint32_t doc, unsigned field, uint8_t *norm);
/* Document doc's n_fields norm bytes, in place: STELE_OK or STELE_ENOTFOUND. */
int st_doc_norms(const stele_index *ix, uint32_t doc, const uint8_t **norms);
uint8_t st_norm_encode(uint32_t len);
uint32_t st_norm_decode(uint8_t norm);

/* BM25's length normalisation b when a query sets none (rank.c); the
 * block bounds of POSTINGS skip entries are computed for it. */
#define ST_BM25_B 0.75
/* BM25's length normaliser 1 - b + b * L / avg, L the length norm_byte
 * stands for (avg > 0): the one expression ranking (rank.c), its block
 * bounds (query_eval.c) and the tfn codes (st_tfn) use, so that a bound
 * computed from it covers a score computed from it to the bit. */
static inline double st_length_norm(double b, uint8_t norm_byte, double avg)
{
    return 1.0 - b + b * (double)st_norm_decode(norm_byte) / avg;
}
/* tf / st_length_norm(ST_BM25_B, norm_byte, avg): what a block's bound
 * code must cover. */
double st_tfn(uint32_t tf, uint8_t norm_byte, double avg);
/* A block bound code's value: 2^((code - ST_TFN_BIAS) / 8), INFINITY for
 * code 0 (no bound). */
#define ST_TFN_BIAS 112u
double st_tfn_value(uint8_t code);
/* The smallest code whose value is >= r, 0 when none is (r not finite or
 * above the largest value, 2^17.875). */
uint8_t st_tfn_code(double r);
/* Default field weight from the index header. */
double st_field_weight(const stele_index *ix, unsigned field);
/* Exact average field length, total tokens(f) / n_docs. */
double st_field_avg_len(const stele_index *ix, unsigned field);

typedef struct st_para_info {
    uint32_t index; /* paragraph number in the document, 0 = title */
    uint8_t field, kind;
    uint32_t number;    /* operative para / footnote number, 0 = none */
    uint32_t first_pos; /* position of its first token */
    uint32_t n_tokens;
    uint32_t text_off, text_len; /* byte range in the document's stored text */
} st_para_info;

/* One past the document's last position (0 for a document without
 * tokens): every position of the document is below it. */
int st_doc_pos_limit(const stele_index *ix, uint32_t doc, uint32_t *limit);

int st_para_count(const stele_index *ix, uint32_t doc, uint32_t *n);
int st_para_get(const stele_index *ix, uint32_t doc, uint32_t i, st_para_info *out);
/* The paragraph containing position pos (or the last one starting before it). */
int st_para_at(const stele_index *ix, uint32_t doc, uint32_t pos, st_para_info *out);

/* Decodes doc's whole paragraph stream, checking its skip entries against
 * the decoded state (for stele_verify()): *start and *end get the
 * stream's byte range in PARAS, *text_len the document's text bytes. */
int st_para_verify(const stele_index *ix, uint32_t doc, uint32_t *start, uint32_t *end,
                   uint32_t *text_len);

/* Saturating size arithmetic, for bounds computed from index values
 * (defined in search.c). */
size_t st_add_sat(size_t a, size_t b);
size_t st_mul_sat(size_t a, size_t b);

/* Bytes of workspace st_doc_load() needs: inflate state plus the largest
 * uncompressed stored-text block.  The indexer's merge uses it; the query
 * runtime streams (st_text_open below). */
size_t st_doc_load_bound(const stele_index *ix);
/* Inflates the block holding doc's stored text into mem and points *text
 * at the document's text inside it (valid until mem is reused). */
int st_doc_load(const stele_index *ix, uint32_t doc, void *mem, size_t mem_size, const char **text,
                size_t *len);

/* Inflates stored-text block b through a small buffer to check it decodes
 * to exactly its size (for stele_verify()); needs st_text_verify_bytes(). */
size_t st_text_verify_bytes(const stele_index *ix);
int st_text_block_verify(const stele_index *ix, uint32_t b, void *mem, size_t mem_size);

/* A stream over a range of one document's stored text, inflated on demand
 * in whatever pieces the caller reads, so its memory is zlib's state and
 * window (st_text_stream_bytes(), from the caller's workspace, which must
 * stay untouched until st_text_close) whatever the document's or the
 * block's size.  Reaching a range's start means inflating the block up to
 * it; a second pass over a range opens a new stream. */
typedef struct st_text_arena_ {
    uint8_t *base;
    size_t used, cap;
} st_text_arena_;
typedef struct st_text {
    void *zs; /* z_stream in the workspace; NULL when closed */
    const stele_index *ix;
    st_text_arena_ a;
    uint64_t raw, at, start, end; /* block bytes: size, next out, range */
    int ended;                    /* the zlib stream has ended */
} st_text;

size_t st_text_stream_bytes(const stele_index *ix);
/* Opens t on doc's text from byte from (clamped to its length) to its end. */
int st_text_open(st_text *t, const stele_index *ix, uint32_t doc, size_t from, void *mem,
                 size_t mem_size);
/* Reads the next min(cap, bytes left) bytes into buf; *n = 0 at the end.
 * buf also serves to inflate the bytes before the range (cap > 0). */
int st_text_read(st_text *t, char *buf, size_t cap, size_t *n);
void st_text_close(st_text *t);

/* ---- Verify ---------------------------------------------------------- */

/* Workspace bytes stele_verify() needs: stele_workspace_bound(ix, 0) must
 * be at least this. */
size_t st_verify_bound(const stele_index *ix);

#endif /* STELE_READER_H */
