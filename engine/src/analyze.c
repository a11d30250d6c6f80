/*
 * analyze.c: the tokenizer, shared by the indexer and the query runtime.
 *
 * st_tokenizer_next() walks UTF-8 text from tz->pos and yields one token at
 * a time into a caller-owned st_token: its byte range in the text, its kind
 * and its folded term.  It never allocates, never reads outside text[0..len)
 * and keeps no state but the st_tokenizer struct, so the same text always
 * gives the same tokens, at index time and at query time.  Folding and the
 * character classes (enum st_char_class) come from fold.c.
 *
 * The rules, with examples from the corpus (input -> tokens):
 *
 *  1. Invalid UTF-8 never crashes and never becomes part of a token.  A byte
 *     that does not start a valid character (stray continuation byte, C0/C1,
 *     F5..FF, truncated sequence, overlong form, surrogate, > U+10FFFF),
 *     together with the continuation bytes right after it, is one invalid
 *     sequence: a separator, counted in tz->n_invalid.
 *     "ab\xffcd" -> ab, cd (1 invalid); "\xc0\xaf" -> nothing (1 invalid).
 *
 *  2. Words are maximal runs of letters and digits that contain a letter;
 *     they are lowered and stripped of diacritics (fold.c):
 *     "Côte" -> cote, "Straße" -> strasse, "Œuvre" -> oeuvre, "Łódź" -> lodz,
 *     "COVID19" -> covid19, "21st" -> 21st.  Kind ST_TOK_WORD.
 *
 *  3. Numbers are maximal runs of digits (kind ST_TOK_NUMBER: 0-9, and
 *     fullwidth digits folded to 0-9), kept verbatim with leading zeros.  '.' and ',' split them,
 * so "1,000" -> 1, 000 and "2.5" -> 2, 5; a query for "2.5" tokenizes the same way and matches as a
 * phrase.  "1961" -> 1961, "No. 14152" -> no, 14152.
 *
 *  4. An apostrophe (' U+2018 U+2019 U+02BC) between two letters is kept
 *     as ASCII ' inside the word: "people’s" -> people's (the English
 *     stemmer then strips the possessive), "Côte d’Ivoire" -> cote,
 *     d'ivoire.  Anywhere else it separates: "States’" -> states,
 *     "‘drug’" -> drug, "1990’s" -> 1990, s.
 *
 *  5. Hyphens and dashes (- U+2010..U+2015) split words, so the parts take
 *     consecutive positions and the phrase of the parts matches:
 *     "drug-dependent" -> drug, dependent; "non-governmental" -> non,
 *     governmental; "well-being" -> well, being; "post-2015" -> post, 2015;
 *     "rehabilitation- and reintegration-oriented" -> rehabilitation, and,
 *     reintegration, oriented.  The soft hyphen U+00AD, combining marks,
 *     ZWJ/ZWNJ, word joiner and variation selectors vanish inside a word
 *     ("re\u00ADhabilitation" -> rehabilitation, "Co\u0302te" -> cote) and
 *     separate elsewhere.
 *
 *  6. Document symbols stay whole (kind ST_TOK_SYMBOL): a maximal run of
 *     letters and digits joined by single '/', '-' (any dash, stored as
 *     '-') or '.', where each joiner has a letter or digit on both sides,
 *     that contains at least one '/' and at least one digit.  Letters are
 *     folded like words; nothing is stemmed.
 *     "55/2" -> 55/2; "E/2009/28" -> e/2009/28; "S-20/2" -> s-20/2;
 *     "A/64/92-E/2009/98" -> a/64/92-e/2009/98; "E/CN.7/2012/17" ->
 *     e/cn.7/2012/17; "217/A" -> 217/a; "2006/33" -> 2006/33; "48/1" -> 48/1;
 *     "A/CONF.157/24." -> a/conf.157/24 (the final '.' has nothing after it).
 *     Punctuation around a symbol is not part of it:
 *     "(E/2009/28)*," -> e/2009/28.
 *     A joiner followed by more letters keeps the run going, so
 *     "55/2-based" -> 55/2-based (rare in practice; a query for the same
 *     text tokenizes the same way).
 *     A run without a digit or without a '/' is not a symbol and splits by
 *     the word rules: "HIV/AIDS" -> hiv, aids; "and/or" -> and, or;
 *     "E.12.XI.5" -> e, 12, xi, 5; "S-20" -> s, 20.  A web address with a
 *     digit in its path is one symbol: "unodc.org/2009/x" -> unodc.org/2009/x.
 *
 *  7. Everything else separates: spaces, punctuation, Markdown '*' and '_'
 *     ("*Encourages*" -> encourages), list marks ("- 1. Encourages" -> 1,
 *     encourages), brackets ("(b)" -> b), quotes, symbols, emoji, and the
 *     superscript and subscript digits used as footnote marks
 *     ("session¹" -> session; "Problem,²" -> problem; "drugs,²" -> drugs).
 *
 *  8. A token whose folded form is longer than STELE_MAX_TERM_BYTES keeps
 *     its first folded characters that fit whole (so the term ends on a
 *     character boundary) and gets truncated = 1; the rest of the run is
 *     consumed by the same token, never turned into a second one.
 *
 * Query syntax is not known here: '*', '"', ':' and parentheses are plain
 * separators, and "NEAR/3" would be the symbol near/3, so the query parser
 * splits off its operators before it tokenizes the words between them.
 *
 * Every token is one position; the caller numbers them.  Any change to
 * these rules that alters the tokens of some text must bump ST_NORM_VERSION
 * (analyze.h), which every index records.
 */
#include <string.h>

#include "analyze.h"

/* Class of an invalid UTF-8 sequence, beside enum st_char_class. */
#define CH_INVALID (-1)

/* One decoded character: where it starts and ends, its class and its
 * folded form. */
typedef struct st_char {
    size_t next; /* byte just after the character */
    int cls;     /* enum st_char_class or CH_INVALID */
    size_t n;    /* bytes in folded */
    char folded[4];
} st_char;

/* Decodes and classifies the character at pos (< tz->len). */
static void peek(const st_tokenizer *tz, size_t pos, st_char *ch)
{
    uint32_t cp;
    size_t n = st_utf8_decode(tz->text + pos, tz->len - pos, &cp);

    if (n == 0) {
        ch->next = pos + 1;
        ch->cls = CH_INVALID;
        ch->n = 0;
        return;
    }
    ch->next = pos + n;
    ch->cls = st_char_class(cp, ch->folded, &ch->n);
}

static int is_alnum(int cls)
{
    return cls == ST_CH_LETTER || cls == ST_CH_DIGIT;
}

static int is_joiner(int cls)
{
    return cls == ST_CH_SLASH || cls == ST_CH_DASH || cls == ST_CH_DOT;
}

/* Appends n folded bytes to the token's term unless they do not fit; after
 * the first piece that does not fit the term is closed (truncated = 1), so
 * it always ends on a character boundary. */
static void term_put(st_token *tok, const char *s, size_t n)
{
    if (tok->truncated) return;
    if (tok->len + n > STELE_MAX_TERM_BYTES) {
        tok->truncated = 1;
        return;
    }
    memcpy(tok->term + tok->len, s, n);
    tok->len += (uint32_t)n;
}

static void token_begin(st_token *tok, size_t start)
{
    tok->start = start;
    tok->end = start;
    tok->len = 0;
    tok->kind = ST_TOK_WORD;
    tok->truncated = 0;
}

/* Rule 6: tries to read a document symbol starting at start (a letter or
 * digit).  Returns 1 and fills tok if the maximal joined run there is a
 * symbol, 0 (tok untouched) if it is not.
 *
 * A run that is not a symbol is remembered in tz->plain_start/plain_end:
 * scanning from any later point inside it would reach the same end with a
 * subset of its slashes and digits, so it cannot be a symbol either.
 * Without this, text like "a.a.a.a..." would be scanned once per token,
 * quadratic in its length. */
static int scan_symbol(st_tokenizer *tz, size_t start, st_token *tok)
{
    size_t pos = start;
    int has_slash = 0, has_digit = 0;
    st_char ch, after;

    if (start > tz->plain_start && start < tz->plain_end) return 0;

    while (pos < tz->len) {
        peek(tz, pos, &ch);
        if (is_alnum(ch.cls)) {
            has_digit |= ch.cls == ST_CH_DIGIT;
            pos = ch.next;
            continue;
        }
        if (!is_joiner(ch.cls) || ch.next >= tz->len) break;
        peek(tz, ch.next, &after);
        if (!is_alnum(after.cls)) break;
        has_slash |= ch.cls == ST_CH_SLASH;
        pos = ch.next;
    }
    if (!has_slash || !has_digit) {
        tz->plain_start = start;
        tz->plain_end = pos;
        return 0;
    }

    token_begin(tok, start);
    tok->kind = ST_TOK_SYMBOL;
    tok->end = pos;
    for (size_t p = start; p < pos; p = ch.next) {
        peek(tz, p, &ch);
        if (ch.cls == ST_CH_SLASH) {
            term_put(tok, "/", 1);
        } else if (ch.cls == ST_CH_DASH) {
            term_put(tok, "-", 1);
        } else if (ch.cls == ST_CH_DOT) {
            term_put(tok, ".", 1);
        } else {
            term_put(tok, ch.folded, ch.n);
        }
    }
    return 1;
}

/* Rules 2-5: reads the word or number starting at start (a letter or
 * digit). */
static void scan_word(const st_tokenizer *tz, size_t start, st_token *tok)
{
    size_t pos = start;
    int has_letter = 0, last_cls = ST_CH_SEP;
    st_char ch, after;

    token_begin(tok, start);
    while (pos < tz->len) {
        peek(tz, pos, &ch);
        if (is_alnum(ch.cls)) {
            term_put(tok, ch.folded, ch.n);
            has_letter |= ch.cls == ST_CH_LETTER;
            last_cls = ch.cls;
            pos = ch.next;
            tok->end = pos;
            continue;
        }
        if (ch.cls == ST_CH_IGNORE) {
            /* Skip the ignorables; keep going only if the word goes on. */
            size_t q = ch.next;
            while (q < tz->len) {
                peek(tz, q, &after);
                if (after.cls != ST_CH_IGNORE) break;
                q = after.next;
            }
            if (q >= tz->len) break;
            peek(tz, q, &after);
            if (!is_alnum(after.cls)) break;
            pos = q;
            continue;
        }
        if (ch.cls == ST_CH_APOS && last_cls == ST_CH_LETTER && ch.next < tz->len) {
            peek(tz, ch.next, &after);
            if (after.cls != ST_CH_LETTER) break;
            term_put(tok, "'", 1);
            last_cls = ST_CH_APOS;
            pos = ch.next;
            continue;
        }
        break;
    }
    tok->kind = has_letter ? ST_TOK_WORD : ST_TOK_NUMBER;
}

void st_tokenizer_init(st_tokenizer *tz, const char *text, size_t len)
{
    tz->text = text;
    tz->len = text != NULL ? len : 0;
    tz->pos = 0;
    tz->n_invalid = 0;
    tz->plain_start = 0;
    tz->plain_end = 0;
}

int st_tokenizer_next(st_tokenizer *tz, st_token *tok)
{
    st_char ch;

    while (tz->pos < tz->len) {
        peek(tz, tz->pos, &ch);
        if (ch.cls == CH_INVALID) {
            /* Rule 1: the bad byte and the continuation bytes after it. */
            size_t p = tz->pos + 1;
            while (p < tz->len && ((unsigned char)tz->text[p] & 0xC0) == 0x80)
                p++;
            tz->pos = p;
            tz->n_invalid++;
            continue;
        }
        if (!is_alnum(ch.cls)) {
            tz->pos = ch.next;
            continue;
        }
        if (!scan_symbol(tz, tz->pos, tok)) scan_word(tz, tz->pos, tok);
        tok->term[tok->len] = '\0';
        tz->pos = tok->end;
        return 1;
    }
    return 0;
}

size_t st_token_term(const st_token *tok, stele_stem_fn stem, void *stem_ctx,
                     char out[STELE_MAX_TERM_BYTES + 1])
{
    size_t len = tok->len;

    if (tok->kind == ST_TOK_WORD && stem != NULL && len > 0) {
        int n = stem(stem_ctx, tok->term, len, out, STELE_MAX_TERM_BYTES);
        if (n > 0 && n <= STELE_MAX_TERM_BYTES) {
            out[n] = '\0';
            return (size_t)n;
        }
    }
    if (len > STELE_MAX_TERM_BYTES) len = STELE_MAX_TERM_BYTES;
    memcpy(out, tok->term, len);
    out[len] = '\0';
    return len;
}
