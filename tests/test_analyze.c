/*
 * test_analyze.c: tests of the tokenizer (engine/src/analyze.c, fold.c).
 *
 *   test_analyze                 unit checks: UTF-8 decoding, folding table
 *                                spot checks, token rules, st_token_term,
 *                                and invariants over random input
 *   test_analyze --golden FILE   re-tokenizes every "in:" line of FILE and
 *                                fails unless the result equals FILE
 *   test_analyze --regen FILE    rewrites FILE from its "in:" lines (on
 *                                purpose only; review the diff)
 *
 * Golden file format: lines starting with '#' are comments and are kept.
 * "in: TEXT" is one input; in TEXT a backslash is written "\\" and any byte
 * that is not printable, visible, valid UTF-8 is written "\xNN".  After each input
 * come its tokens, one per line, tab-separated: kind, folded term, byte
 * range start-end, the term with English stemming, and "truncated" when
 * the token was cut; then "\tinvalid N" with the invalid sequence count.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "stele_stem.h"

#include "check.h"

static const char *kind_name(int kind)
{
    switch (kind) {
    case ST_TOK_WORD:
        return "word";
    case ST_TOK_NUMBER:
        return "number";
    case ST_TOK_SYMBOL:
        return "symbol";
    default:
        return "?";
    }
}

/* ---- Unit checks -------------------------------------------------- */

static void check_decode(const char *s, size_t len, size_t want_n, uint32_t want_cp)
{
    uint32_t cp = 1;
    size_t n = st_utf8_decode(s, len, &cp);
    if (n != want_n || (n > 0 && cp != want_cp)) {
        fprintf(stderr, "decode of %zu bytes: got %zu U+%04X, want %zu U+%04X\n", len, n,
                (unsigned)cp, want_n, (unsigned)want_cp);
        failures++;
    }
}

static void test_utf8(void)
{
    check_decode("a", 1, 1, 'a');
    check_decode("\xc3\xa9", 2, 2, 0xE9);
    check_decode("\xe2\x80\x99", 3, 3, 0x2019);
    check_decode("\xf0\x9f\x98\x80", 4, 4, 0x1F600);
    check_decode("\xf4\x8f\xbf\xbf", 4, 4, 0x10FFFF);
    check_decode("\xff", 1, 0, 0);
    check_decode("\x80", 1, 0, 0);
    check_decode("\xc0\xaf", 2, 0, 0);         /* overlong '/' */
    check_decode("\xc1\xbf", 2, 0, 0);         /* overlong */
    check_decode("\xe0\x80\xaf", 3, 0, 0);     /* overlong */
    check_decode("\xf0\x80\x80\xaf", 4, 0, 0); /* overlong */
    check_decode("\xed\xa0\x80", 3, 0, 0);     /* surrogate */
    check_decode("\xf4\x90\x80\x80", 4, 0, 0); /* above U+10FFFF */
    check_decode("\xe2\x80", 2, 0, 0);         /* truncated */
    check_decode("\xe2\x80\x99", 2, 0, 0);     /* length cuts it */
    check_decode("\xc3\x28", 2, 0, 0);         /* bad continuation */
    check_decode("", 0, 0, 0);
}

static void check_fold(uint32_t cp, const char *want)
{
    char out[4];
    size_t n = st_fold_codepoint(cp, out);
    if (n != strlen(want) || memcmp(out, want, n) != 0) {
        fprintf(stderr, "fold U+%04X: got \"%.*s\", want \"%s\"\n", (unsigned)cp, (int)n, out,
                want);
        failures++;
    }
}

static void test_fold(void)
{
    check_fold('A', "a");
    check_fold('z', "z");
    check_fold('7', "7");
    check_fold('\'', "'");
    check_fold(0x2019, "'"); /* ’ */
    check_fold(0x2018, "'"); /* ‘ */
    check_fold(0x02BC, "'"); /* ʼ */
    check_fold(0xC0, "a");   /* À */
    check_fold(0xC7, "c");   /* Ç */
    check_fold(0xD4, "o");   /* Ô */
    check_fold(0xF4, "o");   /* ô */
    check_fold(0xDF, "ss");  /* ß */
    check_fold(0xC6, "ae");  /* Æ */
    check_fold(0xE6, "ae");  /* æ */
    check_fold(0xD8, "o");   /* Ø */
    check_fold(0xF8, "o");   /* ø */
    check_fold(0xDE, "th");  /* Þ */
    check_fold(0xFE, "th");  /* þ */
    check_fold(0xF0, "d");   /* ð */
    check_fold(0xFF, "y");   /* ÿ */
    check_fold(0xD1, "n");   /* Ñ */
    check_fold(0x152, "oe"); /* Œ */
    check_fold(0x153, "oe"); /* œ */
    check_fold(0x141, "l");  /* Ł */
    check_fold(0x142, "l");  /* ł */
    check_fold(0x110, "d");  /* Đ */
    check_fold(0x111, "d");  /* đ */
    check_fold(0x131, "i");  /* ı */
    check_fold(0x130, "i");  /* İ */
    check_fold(0x133, "ij"); /* ĳ */
    check_fold(0x15F, "s");  /* ş */
    check_fold(0x17E, "z");  /* ž */
    check_fold(0x17F, "s");  /* ſ */
    check_fold(0x100, "a");  /* Ā */
    check_fold(0x11B, "e");  /* ě */
    check_fold(0x16F, "u");  /* ů */
    check_fold(0x178, "y");  /* Ÿ */
    check_fold(0x219, "s");  /* ș */
    check_fold(0x21B, "t");  /* ț */
    check_fold(0x1CE, "a");  /* ǎ */
    check_fold(0x1B0, "u");  /* ư */
    check_fold(0x1E9E, "ss");
    check_fold(0xAA, "a");
    check_fold(0xB5, "\xce\xbc");       /* µ -> μ */
    check_fold(0x391, "\xce\xb1");      /* Α -> α */
    check_fold(0x3A3, "\xcf\x83");      /* Σ -> σ */
    check_fold(0x3C2, "\xcf\x83");      /* ς -> σ */
    check_fold(0x3AC, "\xce\xb1");      /* ά -> α */
    check_fold(0x410, "\xd0\xb0");      /* А -> а */
    check_fold(0x42F, "\xd1\x8f");      /* Я -> я */
    check_fold(0x401, "\xd0\xb5");      /* Ё -> е */
    check_fold(0x419, "\xd0\xb9");      /* Й -> й */
    check_fold(0x4E8, "\xd3\xa9");      /* Ө -> ө */
    check_fold(0x1EA0, "a");            /* Ạ */
    check_fold(0x1EC7, "e");            /* ệ */
    check_fold(0x1EF9, "y");            /* ỹ */
    check_fold(0x1E9C, "s");            /* ẜ */
    check_fold(0x1EFA, "\xe1\xbb\xbb"); /* Ỻ -> ỻ */
    check_fold(0x20D7, "");             /* combining arrow */
    check_fold(0x4E2D, "\xe4\xb8\xad"); /* 中 kept */
    check_fold(0xFF21, "a");            /* fullwidth A */
    check_fold(0xFF15, "5");            /* fullwidth 5 */
    check_fold(0xB9, "");               /* ¹ */
    check_fold(0xB2, "");               /* ² */
    check_fold(0x2074, "");             /* ⁴ */
    check_fold(0x2070, "");             /* ⁰ */
    check_fold(0xD7, "");               /* × */
    check_fold(0xAD, "");               /* soft hyphen */
    check_fold(0x301, "");              /* combining acute */
    check_fold(0x2014, "");             /* em dash */
    check_fold(0x201C, "");             /* “ */
    check_fold('*', "");
    check_fold('-', "");
    check_fold('/', "");
    check_fold(' ', "");
    check_fold(0x1F600, "");

    /* No code point folds to something longer than 4 bytes or to invalid
     * UTF-8, and letters never fold to separators. */
    for (uint32_t cp = 0; cp < 0x110000; cp++) {
        char out[4];
        size_t n, m;
        uint32_t back;
        if (cp >= 0xD800 && cp <= 0xDFFF) continue;
        n = st_fold_codepoint(cp, out);
        if (n > 4) {
            failures++;
            break;
        }
        for (size_t i = 0; i < n; i += m) {
            m = st_utf8_decode(out + i, n - i, &back);
            if (m == 0) {
                fprintf(stderr, "U+%04X folds to invalid UTF-8\n", (unsigned)cp);
                failures++;
                break;
            }
        }
    }
}

/* Writes the tokens of s as "kind:term kind:term ..." into buf. */
static size_t tokens_of(const char *s, size_t len, char *buf, size_t cap)
{
    st_tokenizer tz;
    st_token tok;
    size_t used = 0;

    buf[0] = '\0';
    st_tokenizer_init(&tz, s, len);
    while (st_tokenizer_next(&tz, &tok) && used < cap) {
        int n = snprintf(buf + used, cap - used, "%s%s:%s", used ? " " : "", kind_name(tok.kind),
                         tok.term);
        if (n < 0) break;
        used += (size_t)n;
    }
    return tz.n_invalid;
}

static void check_tokens(const char *s, const char *want)
{
    char got[4096];
    tokens_of(s, strlen(s), got, sizeof got);
    if (strcmp(got, want) != 0) {
        fprintf(stderr, "tokens of \"%s\":\n  got  %s\n  want %s\n", s, got, want);
        failures++;
    }
}

static void test_rules(void)
{
    check_tokens("Côte d’Ivoire", "word:cote word:d'ivoire");
    check_tokens("people’s people's people‘s peopleʼs",
                 "word:people's word:people's word:people's word:people's");
    check_tokens("States’ ‘drug’ 1990’s 'tis", "word:states word:drug number:1990 word:s word:tis");
    check_tokens("drug-dependent", "word:drug word:dependent");
    check_tokens("drug\xe2\x80\x91"
                 "dependent drug\xe2\x80\x94"
                 "free", /* U+2011, U+2014 */
                 "word:drug word:dependent word:drug word:free");
    check_tokens("re\xc2\xad"
                 "habilitation",
                 "word:rehabilitation");
    check_tokens("Co\xcc\x82te", "word:cote");
    check_tokens("1,000 2.5 1961", "number:1 number:000 number:2 number:5 number:1961");
    check_tokens("55/2 E/2009/28 S-20/2 217/A", "symbol:55/2 symbol:e/2009/28 symbol:s-20/2 "
                                                "symbol:217/a");
    check_tokens("A/64/92-E/2009/98 E/CN.7/2012/17 A/CONF.157/24.",
                 "symbol:a/64/92-e/2009/98 symbol:e/cn.7/2012/17 symbol:a/conf.157/24");
    check_tokens("(E/2009/28)*,", "symbol:e/2009/28");
    check_tokens("S\xe2\x80\x91"
                 "20/2",
                 "symbol:s-20/2");
    check_tokens("HIV/AIDS and/or", "word:hiv word:aids word:and word:or");
    check_tokens("55/2-based NEAR/3", "symbol:55/2-based symbol:near/3");
    check_tokens("E.12.XI.5", "word:e number:12 word:xi number:5");
    check_tokens("55//2 55/ /2 /55", "number:55 number:2 number:55 number:2 number:55");
    check_tokens("session¹ drugs,² Problem,²", "word:session word:drugs word:problem");
    check_tokens("*Encourages* (b) _x_", "word:encourages word:b word:x");
    check_tokens("Straße ŒUVRE Łódź ÆTHER Þing", "word:strasse word:oeuvre word:lodz "
                                                 "word:aether word:thing");
    check_tokens("COVID19 21st", "word:covid19 word:21st");
    check_tokens("ΚΑΛΗΜΈΡΑ Москва Ёлка", "word:καλημερα word:москва word:елка");
    check_tokens("", "");
    check_tokens("  --  ** .. //", "");
}

static void test_invalid(void)
{
    char got[256];
    CHECK(tokens_of("ab\xff"
                    "cd",
                    5, got, sizeof got) == 1);
    CHECK(strcmp(got, "word:ab word:cd") == 0);
    CHECK(tokens_of("\xc0\xaf", 2, got, sizeof got) == 1);
    CHECK(strcmp(got, "") == 0);
    CHECK(tokens_of("x\xe2\x80 y\xed\xa0\x80z", 9, got, sizeof got) == 2);
    CHECK(strcmp(got, "word:x word:y word:z") == 0);
    CHECK(tokens_of("\x80\x80\x80", 3, got, sizeof got) == 1);
    CHECK(tokens_of("a\0b", 3, got, sizeof got) == 0);
    CHECK(strcmp(got, "word:a word:b") == 0);
    /* The text length is a hard limit: a sequence cut by it is invalid. */
    CHECK(tokens_of("caf\xc3\xa9", 4, got, sizeof got) == 1);
    CHECK(strcmp(got, "word:caf") == 0);
}

static void test_truncation(void)
{
    char text[400];
    st_tokenizer tz;
    st_token tok;

    /* 200 ASCII letters: one token of exactly STELE_MAX_TERM_BYTES. */
    memset(text, 'w', 200);
    memcpy(text + 200, " next", 5);
    st_tokenizer_init(&tz, text, 205);
    CHECK(st_tokenizer_next(&tz, &tok) == 1);
    CHECK(tok.len == STELE_MAX_TERM_BYTES && tok.truncated == 1);
    CHECK(tok.start == 0 && tok.end == 200);
    CHECK(strlen(tok.term) == STELE_MAX_TERM_BYTES);
    CHECK(st_tokenizer_next(&tz, &tok) == 1);
    CHECK(strcmp(tok.term, "next") == 0 && tok.truncated == 0);
    CHECK(st_tokenizer_next(&tz, &tok) == 0);

    /* "é" is 2 bytes: an odd limit must not split one. */
    for (int i = 0; i < 100; i++)
        memcpy(text + 1 + 2 * i, "\xc3\xa9", 2);
    text[0] = 'x';
    st_tokenizer_init(&tz, text, 201);
    CHECK(st_tokenizer_next(&tz, &tok) == 1);
    CHECK(tok.truncated == 1 && tok.len <= STELE_MAX_TERM_BYTES);
    CHECK(tok.len == STELE_MAX_TERM_BYTES); /* é folds to the 1-byte 'e' */

    /* "ß" folds to 2 bytes: the cut falls between two "ss", never inside. */
    for (int i = 0; i < 100; i++)
        memcpy(text + 2 * i, "\xc3\x9f", 2);
    text[200] = 'a';
    st_tokenizer_init(&tz, text, 201);
    CHECK(st_tokenizer_next(&tz, &tok) == 1);
    CHECK(tok.truncated == 1 && tok.len % 2 == 0 && tok.end == 201);

    /* Greek letters fold to 2 bytes each; an odd limit leaves a byte. */
    for (int i = 0; i < 100; i++)
        memcpy(text + 1 + 2 * i, "\xce\xb1", 2);
    text[0] = 'x';
    st_tokenizer_init(&tz, text, 201);
    CHECK(st_tokenizer_next(&tz, &tok) == 1);
    CHECK(tok.truncated == 1 && (tok.len - 1) % 2 == 0);
    CHECK(tok.len <= STELE_MAX_TERM_BYTES);
}

/* A fake stemmer: strips a final 's'; "fail" makes it return -1. */
static int fake_stem(void *ctx, const char *word, size_t len, char *out, size_t cap)
{
    int *calls = ctx;
    (*calls)++;
    if (len == 4 && memcmp(word, "fail", 4) == 0) return -1;
    if (len > 1 && word[len - 1] == 's') len--;
    if (len > cap) len = cap;
    memcpy(out, word, len);
    return (int)len;
}

static void term_of(const char *s, stele_stem_fn stem, void *ctx, char *out)
{
    st_tokenizer tz;
    st_token tok;
    st_tokenizer_init(&tz, s, strlen(s));
    out[0] = '\0';
    if (st_tokenizer_next(&tz, &tok)) st_token_term(&tok, stem, ctx, out);
}

static void test_term(void)
{
    char out[STELE_MAX_TERM_BYTES + 1];
    int calls = 0;
    stele_stemmer *en = stele_stemmer_new("english");

    term_of("Treatments", NULL, NULL, out);
    CHECK(strcmp(out, "treatments") == 0);
    term_of("Treatments", fake_stem, &calls, out);
    CHECK(strcmp(out, "treatment") == 0 && calls == 1);
    term_of("fail", fake_stem, &calls, out);
    CHECK(strcmp(out, "fail") == 0 && calls == 2);
    term_of("55/2s", fake_stem, &calls, out); /* symbols are not stemmed */
    CHECK(strcmp(out, "55/2s") == 0 && calls == 2);
    term_of("1961", fake_stem, &calls, out); /* numbers are not stemmed */
    CHECK(strcmp(out, "1961") == 0 && calls == 2);

    CHECK(en != NULL);
    if (en == NULL) return;
    term_of("Rehabilitation", stele_stemmer_stem, en, out);
    CHECK(strcmp(out, "rehabilit") == 0);
    term_of("treatments", stele_stemmer_stem, en, out);
    CHECK(strcmp(out, "treatment") == 0);
    term_of("people’s", stele_stemmer_stem, en, out);
    CHECK(strcmp(out, "peopl") == 0);
    term_of("E/2009/28", stele_stemmer_stem, en, out);
    CHECK(strcmp(out, "e/2009/28") == 0);
    stele_stemmer_free(en);
}

/* The tokenizer remembers the last joined run that was not a symbol
 * (plain_start, plain_end) only to stay linear: forgetting it before every
 * token must give the same tokens. */
static void check_same_without_memo(const char *text, size_t len)
{
    st_tokenizer a, b;
    st_token ta, tb;
    int more_a, more_b;

    st_tokenizer_init(&a, text, len);
    st_tokenizer_init(&b, text, len);
    do {
        b.plain_start = b.plain_end = 0;
        more_a = st_tokenizer_next(&a, &ta);
        more_b = st_tokenizer_next(&b, &tb);
        if (more_a != more_b || (more_a && (ta.start != tb.start || ta.end != tb.end ||
                                            ta.kind != tb.kind || strcmp(ta.term, tb.term) != 0))) {
            fprintf(stderr, "memo changed the tokens of \"%.*s\"\n", (int)len, text);
            failures++;
            return;
        }
    } while (more_a);
}

/* Invariants over random input built from tricky pieces. */
static void test_random(void)
{
    static const char *const pieces[] = {
        "a",
        "Z",
        "9",
        "/",
        "-",
        ".",
        "'",
        " ",
        "*",
        "\xff",
        "\x80",
        "\xc3",
        "\xe2",
        "\xe2\x80",
        "é",
        "ß",
        "’",
        "¹",
        "\xc2\xad",
        "\xcc\x81",
        "\xe2\x80\x94",
        "Ω",
        "中",
        "\xf0\x9f\x98\x80",
        "E/2009/28",
        "HIV/AIDS",
        "\xed\xa0\x80",
        "\0",
        "\xf4\x90\x80\x80",
    };
    const size_t n_pieces = sizeof pieces / sizeof pieces[0];
    char text[600];
    uint32_t seed = 12345;

    for (int round = 0; round < 20000; round++) {
        size_t len = 0;
        st_tokenizer tz;
        st_token tok;
        size_t prev_end = 0;
        int n_pieces_here;

        seed = seed * 1103515245u + 12345u;
        n_pieces_here = (int)((seed >> 16) % 80);
        for (int i = 0; i < n_pieces_here; i++) {
            const char *p;
            size_t plen;
            seed = seed * 1103515245u + 12345u;
            p = pieces[(seed >> 16) % n_pieces];
            plen = p[0] == '\0' ? 1 : strlen(p);
            if (len + plen > sizeof text) break;
            memcpy(text + len, p, plen);
            len += plen;
        }
        st_tokenizer_init(&tz, text, len);
        while (st_tokenizer_next(&tz, &tok)) {
            int ok = tok.start >= prev_end && tok.start < tok.end && tok.end <= len &&
                     tok.len > 0 && tok.len <= STELE_MAX_TERM_BYTES && tok.term[tok.len] == '\0' &&
                     strlen(tok.term) == tok.len && tok.kind <= ST_TOK_SYMBOL;
            /* The term is valid UTF-8 with no separator in it. */
            for (size_t i = 0, m; ok && i < tok.len; i += m) {
                uint32_t cp;
                m = st_utf8_decode(tok.term + i, tok.len - i, &cp);
                ok = m > 0 && cp != ' ' && cp != '*';
            }
            if (!ok) {
                fprintf(stderr, "random round %d: bad token [%zu,%zu) \"%s\"\n", round, tok.start,
                        tok.end, tok.term);
                failures++;
                return;
            }
            prev_end = tok.end;
        }
        CHECK(tz.pos == len);
        check_same_without_memo(text, len);
    }
}

/* ---- Golden file ---------------------------------------------------- */

typedef struct buf {
    char *data;
    size_t len, cap;
} buf;

static void buf_add(buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        char *p;
        while (b->len + n + 1 > cap)
            cap *= 2;
        p = realloc(b->data, cap);
        if (p == NULL) {
            fprintf(stderr, "out of memory\n");
            exit(1);
        }
        b->data = p;
        b->cap = cap;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

static void buf_str(buf *b, const char *s)
{
    buf_add(b, s, strlen(s));
}

/* Appends text escaped for an "in:" line. */
static void escape_into(buf *b, const char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        uint32_t cp;
        size_t n = st_utf8_decode(s + i, len - i, &cp), folded_len;
        char folded[4];
        if (n == 0 || cp < 0x20 || cp == 0x7F ||
            st_char_class(cp, folded, &folded_len) == ST_CH_IGNORE) {
            /* invalid, control and invisible characters: every byte */
            for (size_t k = 0; k < (n > 0 ? n : 1); k++) {
                char hex[8];
                snprintf(hex, sizeof hex, "\\x%02x", (unsigned char)s[i + k]);
                buf_str(b, hex);
            }
            i += n > 0 ? n : 1;
        } else if (cp == '\\') {
            buf_str(b, "\\\\");
            i++;
        } else {
            buf_add(b, s + i, n);
            i += n;
        }
    }
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Undoes escape_into() in place; returns the new length. */
static size_t unescape(char *s, size_t len)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\\' && i + 1 < len && s[i + 1] == '\\') {
            s[o++] = '\\';
            i++;
        } else if (s[i] == '\\' && i + 3 < len && s[i + 1] == 'x' && hexval(s[i + 2]) >= 0 &&
                   hexval(s[i + 3]) >= 0) {
            s[o++] = (char)(hexval(s[i + 2]) * 16 + hexval(s[i + 3]));
            i += 3;
        } else {
            s[o++] = s[i];
        }
    }
    return o;
}

static void tokens_into(buf *b, const char *text, size_t len, stele_stemmer *en)
{
    st_tokenizer tz;
    st_token tok;
    char line[512], stemmed[STELE_MAX_TERM_BYTES + 1];

    st_tokenizer_init(&tz, text, len);
    while (st_tokenizer_next(&tz, &tok)) {
        st_token_term(&tok, stele_stemmer_stem, en, stemmed);
        snprintf(line, sizeof line, "\t%s\t%s\t%zu-%zu\t%s%s\n", kind_name(tok.kind), tok.term,
                 tok.start, tok.end, stemmed, tok.truncated ? "\ttruncated" : "");
        buf_str(b, line);
    }
    snprintf(line, sizeof line, "\tinvalid %zu\n", tz.n_invalid);
    buf_str(b, line);
}

static int read_file(const char *path, buf *b)
{
    char chunk[4096];
    size_t n;
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        perror(path);
        return -1;
    }
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_add(b, chunk, n);
    fclose(f);
    buf_add(b, "", 0);
    return 0;
}

/* Rebuilds the golden text from the comments and inputs of src; inputs
 * are written back in their canonical escaped form. */
static void golden_build(const buf *src, buf *out, stele_stemmer *en)
{
    size_t i = 0;
    while (i < src->len) {
        size_t end = i;
        while (end < src->len && src->data[end] != '\n')
            end++;
        if (src->data[i] == '#') {
            buf_add(out, src->data + i, end - i);
            buf_str(out, "\n");
        } else if (end - i >= 3 && memcmp(src->data + i, "in:", 3) == 0) {
            size_t start = i + 3, len;
            char *text;
            if (start < end && src->data[start] == ' ') start++;
            text = malloc(end - start + 1);
            if (text == NULL) exit(1);
            memcpy(text, src->data + start, end - start);
            len = unescape(text, end - start);
            buf_str(out, "in: ");
            escape_into(out, text, len);
            buf_str(out, "\n");
            tokens_into(out, text, len, en);
            free(text);
        }
        i = end + 1;
    }
}

static int golden(const char *path, int regen)
{
    buf src = {0}, out = {0};
    stele_stemmer *en = stele_stemmer_new("english");
    int rc = 0;

    if (en == NULL) {
        fprintf(stderr, "no English stemmer\n");
        return 1;
    }
    if (read_file(path, &src) != 0) return 1;
    golden_build(&src, &out, en);
    if (regen) {
        FILE *f = fopen(path, "wb");
        if (f == NULL || fwrite(out.data, 1, out.len, f) != out.len || fclose(f) != 0) {
            perror(path);
            rc = 1;
        }
    } else if (out.len != src.len || memcmp(out.data, src.data, out.len) != 0) {
        size_t line = 1, i = 0, line_start = 0;
        while (i < out.len && i < src.len && out.data[i] == src.data[i]) {
            if (out.data[i] == '\n') {
                line++;
                line_start = i + 1;
            }
            i++;
        }
        fprintf(stderr, "%s differs from the tokenizer's output at line %zu\n", path, line);
        fprintf(stderr, "file:      %.*s\n", (int)strcspn(src.data + line_start, "\n"),
                src.data + line_start);
        fprintf(stderr, "tokenizer: %.*s\n", (int)strcspn(out.data + line_start, "\n"),
                out.data + line_start);
        fprintf(stderr, "(if the change is intended: test_analyze --regen %s)\n", path);
        rc = 1;
    }
    stele_stemmer_free(en);
    free(src.data);
    free(out.data);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--golden") == 0) return golden(argv[2], 0);
    if (argc == 3 && strcmp(argv[1], "--regen") == 0) return golden(argv[2], 1);
    if (argc != 1) {
        fprintf(stderr, "usage: test_analyze [--golden FILE | --regen FILE]\n");
        return 2;
    }
    test_utf8();
    test_fold();
    test_rules();
    test_invalid();
    test_truncation();
    test_term();
    test_random();
    if (failures > 0) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    printf("ok\n");
    return 0;
}
