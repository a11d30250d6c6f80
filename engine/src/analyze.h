/*
 * analyze.h: the one text-analysis path, shared by the indexer and the
 * query runtime.  Interface to code in analyze.c (tokenizer, case and
 * diacritic folding) and fold.c.
 *
 * The tokenizer walks UTF-8 text without allocating and yields tokens with
 * their byte range in the source and their folded form.  Rules (see the top
 * comment of analyze.c for the full list and examples):
 *   - invalid UTF-8 bytes never crash; each is treated as a separator and
 *     counted in n_invalid (the indexer reports them);
 *   - case and diacritic folding: "Côte" -> "cote", "ß" -> "ss";
 *   - curly quotes and apostrophes become ASCII; "people’s" -> "people's";
 *   - hyphens split: "drug-dependent" -> "drug", "dependent" at consecutive
 *     positions, so the phrase "drug dependent" matches;
 *   - document symbols stay whole: a run of letters/digits joined by '/'
 *     (and '-' or '.' inside it) that contains a digit and a '/' is one
 *     ST_TOK_SYMBOL token: "55/2", "e/2009/28", "s-20/2";
 *   - superscript digits (¹²³) are separators, never part of a word;
 *   - tokens longer than STELE_MAX_TERM_BYTES are truncated at a character
 *     boundary (truncated = 1), never rejected.
 * Every token takes one position; the caller numbers them.
 */
#ifndef STELE_ANALYZE_H
#define STELE_ANALYZE_H

#include <stddef.h>
#include <stdint.h>

#include "stele.h"

/* Version of these rules, recorded in every index; bump on any change that
 * alters the tokens of some text. */
#define ST_NORM_VERSION 1

enum st_token_kind {
    ST_TOK_WORD = 0,   /* letters, possibly with digits or inner apostrophes */
    ST_TOK_NUMBER = 1, /* digits only (inner '.' or ',' between digits kept out) */
    ST_TOK_SYMBOL = 2  /* document symbol such as 55/2 */
};

typedef struct st_token {
    size_t start, end; /* byte range of the token in the source text */
    uint32_t len;      /* bytes in term */
    uint8_t kind;      /* enum st_token_kind */
    uint8_t truncated;
    char term[STELE_MAX_TERM_BYTES + 1]; /* folded, NUL-terminated */
} st_token;

typedef struct st_tokenizer {
    const char *text;
    size_t len;
    size_t pos;
    size_t n_invalid; /* invalid UTF-8 sequences seen so far */
    /* A joined run text[plain_start..plain_end) already found not to be a
     * document symbol: no suffix of it is one either, so the tokenizer does
     * not scan it again (this keeps tokenizing linear in the text length). */
    size_t plain_start, plain_end;
} st_tokenizer;

void st_tokenizer_init(st_tokenizer *tz, const char *text, size_t len);

/* Next token into *tok: 1 when one was produced, 0 at the end. */
int st_tokenizer_next(st_tokenizer *tz, st_token *tok);

/* The index term of a token: words are stemmed with stem (if not NULL),
 * numbers and symbols are kept as they are.  Writes a NUL-terminated term
 * of at most STELE_MAX_TERM_BYTES bytes into out and returns its length. */
size_t st_token_term(const st_token *tok, stele_stem_fn stem, void *stem_ctx,
                     char out[STELE_MAX_TERM_BYTES + 1]);

/* Folds one code point: writes its folded form (lower case, diacritics
 * removed, ASCII apostrophe for curly ones) into out (up to 4 bytes) and
 * returns the byte count, or 0 if the code point is not part of a word. */
size_t st_fold_codepoint(uint32_t cp, char out[4]);

/* Character classes of the tokenizer (fold.c). */
enum st_char_class {
    ST_CH_SEP = 0,    /* separates tokens */
    ST_CH_LETTER = 1, /* part of a word; folded */
    ST_CH_DIGIT = 2,  /* 0-9 (and fullwidth digits, folded to ASCII) */
    ST_CH_APOS = 3,   /* ' U+2018 U+2019 U+02BC: kept as ' between letters */
    ST_CH_DASH = 4,   /* - U+2010..U+2015: splits words, joins symbols */
    ST_CH_SLASH = 5,  /* '/': joins symbols */
    ST_CH_DOT = 6,    /* '.': joins symbols */
    ST_CH_IGNORE = 7  /* soft hyphen, combining marks, joiners: dropped in a word */
};

/* The class of cp (enum st_char_class); for letters, digits and
 * apostrophes also its folded form in out (*out_len bytes, at most 4),
 * otherwise *out_len = 0. */
int st_char_class(uint32_t cp, char out[4], size_t *out_len);

/* Decodes one UTF-8 code point at s[0..len); returns its byte length (1..4)
 * and sets *cp, or returns 0 for an invalid sequence (then *cp = 0xFFFD and
 * one byte should be skipped). */
size_t st_utf8_decode(const char *s, size_t len, uint32_t *cp);

#endif /* STELE_ANALYZE_H */
