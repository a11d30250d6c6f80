/*
 * lexicon.h: the surface-form lexicon, read in place.  Interface to code
 * in lexicon.c.
 *
 * The LEXICON section (format.h) lists every word of the corpus as the
 * tokenizer folded it but before stemming ("psychoactive", "programmes",
 * "rehabilitation"), in byte order, each with the ordinal of the
 * dictionary term it was indexed as (its stem) and the number of
 * documents that hold the word as written.  It is the vocabulary of
 * prefixes on words, of stemming by lookup (for hosts without a
 * stemmer), of corrections and of completion.
 *
 * Everything here reads the section where it lies: no allocation, fixed
 * size state (a cursor is about 100 bytes whatever the lexicon's size),
 * and every byte read is checked, damage giving STELE_ECORRUPT through
 * st_corrupt().  stele_open() has checked the section's head (word and
 * block counts against its size); stele_verify() walks it all
 * (st_lex_verify).
 *
 * Ways in:
 *   - exact lookup of a folded word: st_lex_find();
 *   - ordered enumeration from the first word >= a key: st_lex_seek(),
 *     then st_lex_next(); a prefix cursor is the same with the prefix
 *     kept in the cursor: st_lex_prefix(), then st_lex_prefix_next();
 *   - block by block, for a fuzzy walker (a Levenshtein automaton):
 *     st_lex_n_blocks(), st_lex_at_block() to start at block b (entries
 *     are then read with st_lex_next(), which crosses into the next block
 *     by itself), and st_lex_block_first() for a block's first word alone
 *     (to binary-search or skip blocks).  Each entry read carries
 *     `shared`, the bytes its word has in common with the word read
 *     before it in the same block (0 for a block's first word, which is
 *     stored whole): a walker keeps its automaton states per prefix
 *     length and restarts from depth `shared`, and skips every following
 *     entry whose shared length is >= a depth it found dead;
 *   - word -> stem term: entry.stem_ord is the term's rank in the
 *     dictionary; st_lex_term() gives its text and st_dict_at() (reader.h)
 *     its postings;
 *   - frequency: entry.df, the documents holding the word as written
 *     (the stem term's df, over all its forms, is in the dictionary).
 */
#ifndef STELE_LEXICON_H
#define STELE_LEXICON_H

#include <stddef.h>
#include <stdint.h>

#include "stele.h"

/* One lexicon word. */
typedef struct st_lex_entry {
    char word[STELE_MAX_TERM_BYTES + 1]; /* folded, unstemmed, NUL-terminated */
    uint32_t len;                        /* bytes in word, 1 .. STELE_MAX_TERM_BYTES */
    uint32_t shared;   /* bytes shared with the previous word of its block (0: first) */
    uint32_t index;    /* rank of the word in the lexicon, 0 .. n_words - 1 */
    uint32_t stem_ord; /* rank of its term in the dictionary, < n_terms */
    uint32_t df;       /* documents holding the word as written, 1 .. n_docs */
} st_lex_entry;

/* A position in the lexicon; the entry last read is in e. */
typedef struct st_lex_cursor {
    uint32_t block;    /* block of the next entry */
    uint32_t in_block; /* entries of the block already read */
    uint32_t off;      /* offset of the next entry from the blocks' start */
    uint32_t prev_ord; /* stem ordinal of the entry before it in the block */
    uint32_t prefix_len;
    char prefix[STELE_MAX_TERM_BYTES]; /* st_lex_prefix() only */
    st_lex_entry e;
} st_lex_cursor;

/* Words in the lexicon, and blocks of ST_LEX_BLOCK words. */
uint32_t st_lex_n_words(const stele_index *ix);
uint32_t st_lex_n_blocks(const stele_index *ix);

/* Checks the section's head (for stele_open()): counts against size. */
int st_lex_check_head(const stele_index *ix);

/* Points c at the first entry of block b (b == n_blocks: the end). */
int st_lex_at_block(const stele_index *ix, st_lex_cursor *c, uint32_t b);
/* Reads block b's first word into *e (b < n_blocks). */
int st_lex_block_first(const stele_index *ix, uint32_t b, st_lex_entry *e);
/* Reads the next entry into c->e: 1 = an entry, 0 = the end, < 0 error. */
int st_lex_next(const stele_index *ix, st_lex_cursor *c);
/* Points c so that st_lex_next() reads the first word >= key. */
int st_lex_seek(const stele_index *ix, st_lex_cursor *c, const char *key, size_t len);

/* Exact lookup of a folded word: STELE_OK (with *out, if not NULL),
 * STELE_ENOTFOUND or STELE_ECORRUPT. */
int st_lex_find(const stele_index *ix, const char *word, size_t len, st_lex_entry *out);

/* A prefix cursor: st_lex_prefix_next() reads, in byte order, the words
 * that start with prefix (len <= STELE_MAX_TERM_BYTES; 0 = every word):
 * 1 = one in c->e, 0 = no more, < 0 error. */
int st_lex_prefix(const stele_index *ix, st_lex_cursor *c, const char *prefix, size_t len);
int st_lex_prefix_next(const stele_index *ix, st_lex_cursor *c);

/* The text of dictionary term ord into out (STELE_MAX_TERM_BYTES + 1
 * bytes, NUL-terminated), *len its length. */
int st_lex_term(const stele_index *ix, uint32_t ord, char *out, uint32_t *len);

/*
 * Stemming by lookup, as a stele_stem_fn whose ctx is the index (a
 * const stele_index *): the stem of a word is the term the lexicon maps
 * it to.  A word the corpus never had has no stem: the function returns
 * -1 and the caller keeps the folded word as it is (it then matches only
 * a term spelled exactly so, usually none).  Used by the runtime when the
 * caller passes no stemmer.
 */
int st_lex_stem(void *ctx, const char *word, size_t len, char *out, size_t cap);

/* Walks the whole lexicon (for stele_verify()): words strictly
 * increasing, blocks where the block index says, counts exact. */
int st_lex_verify(const stele_index *ix);

#endif /* STELE_LEXICON_H */
