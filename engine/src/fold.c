/*
 * fold.c: UTF-8 decoding and the character classes and folding tables of
 * the tokenizer (analyze.c).
 *
 * Decoding is strict (RFC 3629): overlong forms, surrogates (U+D800..DFFF),
 * code points above U+10FFFF, stray continuation bytes and truncated
 * sequences are all invalid, and st_utf8_decode() reports them by returning
 * 0; it never reads past the length it is given.
 *
 * Every code point gets one class (enum st_char_class) and, for letters,
 * digits and apostrophes, a folded form of at most 4 bytes:
 *   - ASCII letters are lowered; ASCII digits are digits.
 *   - Latin-1 Supplement and Latin Extended-A are lowered and stripped of
 *     diacritics: "Côte" -> "cote", "Ł" -> "l", "Đ" -> "d", "Ø" -> "o".
 *     Ligatures and special letters expand: ß -> ss, æ -> ae, œ -> oe,
 *     þ -> th, ĳ -> ij.  ª and º are letters a and o; µ is Greek μ.
 *   - Latin Extended-B: the letters of Romanian (ș ț), pinyin (ǎ ǐ ǒ ǔ ǖ),
 *     Vietnamese horn letters (ơ ư) and other common ones fold to their base
 *     letter; the rest of the block is kept as it is.
 *   - Latin Extended Additional (U+1E00..1EFF: Vietnamese, Welsh, ...)
 *     folds to base letters like Latin-1: "Việt" -> "viet", ẞ -> ss.
 *   - Greek: lowered, tonos and dialytika removed, final ς -> σ.
 *   - Cyrillic: lowered; ѐ ё -> е and ѝ -> и (й is a letter of its own and
 *     is kept).  Armenian capitals are lowered.
 *   - Fullwidth ASCII letters and digits fold to ASCII.
 *   - Any other code point outside the punctuation and symbol blocks listed
 *     in char_class_other() is a letter kept as it is (CJK, Arabic, ...),
 *     so text in other scripts is still searchable, if unfolded.
 * Apostrophes (' U+2018 U+2019 U+02BC) fold to ASCII "'"; dashes (- and
 * U+2010..U+2015) and '/', '.' are the connectors of document symbols.
 * Ignorable code points (soft hyphen U+00AD, combining marks U+0300..036F
 * and the other combining blocks, ZWNJ, ZWJ, word joiner, variation
 * selectors, U+FEFF) vanish inside a word
 * and separate elsewhere.  Everything else, including superscript and
 * subscript digits (¹²³ are footnote marks in the corpus), is a separator.
 *
 * The tables are const and the functions pure: no state, no allocation.
 */
#include "analyze.h"

size_t st_utf8_decode(const char *s, size_t len, uint32_t *cp)
{
    const unsigned char *p = (const unsigned char *)s;
    unsigned char lo = 0x80, hi = 0xBF;
    size_t need;
    uint32_t c;

    *cp = 0xFFFD;
    if (len == 0) return 0;
    if (p[0] < 0x80) {
        *cp = p[0];
        return 1;
    }
    if (p[0] >= 0xC2 && p[0] <= 0xDF) {
        need = 1;
        c = p[0] & 0x1Fu;
    } else if (p[0] >= 0xE0 && p[0] <= 0xEF) {
        need = 2;
        c = p[0] & 0x0Fu;
        if (p[0] == 0xE0) lo = 0xA0; /* overlong */
        if (p[0] == 0xED) hi = 0x9F; /* surrogates */
    } else if (p[0] >= 0xF0 && p[0] <= 0xF4) {
        need = 3;
        c = p[0] & 0x07u;
        if (p[0] == 0xF0) lo = 0x90; /* overlong */
        if (p[0] == 0xF4) hi = 0x8F; /* above U+10FFFF */
    } else {
        return 0; /* continuation byte, C0/C1 overlong lead, F5..FF */
    }
    if (len < need + 1) return 0;
    if (p[1] < lo || p[1] > hi) return 0;
    c = (c << 6) | (p[1] & 0x3Fu);
    for (size_t i = 2; i <= need; i++) {
        if (p[i] < 0x80 || p[i] > 0xBF) return 0;
        c = (c << 6) | (p[i] & 0x3Fu);
    }
    *cp = c;
    return need + 1;
}

/* Writes the UTF-8 encoding of cp (a valid scalar value) into out. */
static size_t utf8_encode(uint32_t cp, char out[4])
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Copies a short ASCII fold ("a", "ss") into out. */
static size_t put_ascii(const char *s, char out[4])
{
    size_t n = 0;
    while (s[n] != '\0' && n < 4) {
        out[n] = s[n];
        n++;
    }
    return n;
}

/* U+00C0..U+00FF: base letters; '\0' marks the two separators (× and ÷),
 * '*' the expansions handled in fold_latin(). */
static const char latin1_base[] = "aaaaaa*ceeeeiiiidnooooo\0ouuuuy**"
                                  "aaaaaa*ceeeeiiiidnooooo\0ouuuuy*y";

/* U+0100..U+017F: base letters; '*' marks ĳ and œ, which expand. */
static const char latin_ext_a_base[] = "aaaaaaccccccccdd"
                                       "ddeeeeeeeeeegggg"
                                       "gggghhhhiiiiiiii"
                                       "ii**jjkkklllllll"
                                       "lllnnnnnnnnnoooo"
                                       "oo**rrrrrrssssss"
                                       "ssttttttuuuuuuuu"
                                       "uuuuwwyyyzzzzzzs";

/* U+1E00..U+1EFF (Latin Extended Additional: Vietnamese, Welsh, ...):
 * base letters; '*' marks letters without an ASCII base (ẞ folds through
 * range_table, the rest are only lowered). */
static const char latin_ext_add_base[] = "aabbbbbbccddddddddddeeeeeeeeeeff"
                                         "gghhhhhhhhhhiiiikkkkkkllllllllmm"
                                         "mmmmnnnnnnnnoooooooopppprrrrrrrr"
                                         "ssssssssssttttttttuuuuuuuuuuvvvv"
                                         "wwwwwwwwwwxxxxyyzzzzzzhtwyasss**"
                                         "aaaaaaaaaaaaaaaaaaaaaaaaeeeeeeee"
                                         "eeeeeeeeiiiioooooooooooooooooooo"
                                         "oooouuuuuuuuuuuuuuyyyyyyyy******";

/* Ranges of Latin Extended-B, Greek, Cyrillic and Latin Extended
 * Additional whose letters fold to one fixed ASCII string of one or two
 * letters or to one fixed code point.  Six bytes a range: every target
 * code point is below U+0800, so the top bit of `to` can mark the ASCII
 * folds, which keep their letters in its two low 7-bit fields. */
typedef struct fold_range {
    uint16_t first, last;
    uint16_t to; /* folded code point, or FOLD_ASCII with one or two letters */
} fold_range;

#define FOLD_ASCII   0x8000u
#define ASCII1(a)    (FOLD_ASCII | (a))
#define ASCII2(a, b) (FOLD_ASCII | (a) | (unsigned)(b) << 7)

static const fold_range range_table[] = {
    {0x0180, 0x0181, ASCII1('b')},
    {0x0187, 0x0188, ASCII1('c')},
    {0x0189, 0x018A, ASCII1('d')},
    {0x0191, 0x0192, ASCII1('f')},
    {0x0197, 0x0197, ASCII1('i')},
    {0x0198, 0x0199, ASCII1('k')},
    {0x019A, 0x019A, ASCII1('l')},
    {0x019D, 0x019E, ASCII1('n')},
    {0x019F, 0x01A1, ASCII1('o')},
    {0x01AF, 0x01B0, ASCII1('u')},
    {0x01B3, 0x01B4, ASCII1('y')},
    {0x01B5, 0x01B6, ASCII1('z')},
    {0x01C4, 0x01C6, ASCII2('d', 'z')},
    {0x01C7, 0x01C9, ASCII2('l', 'j')},
    {0x01CA, 0x01CC, ASCII2('n', 'j')},
    {0x01CD, 0x01CE, ASCII1('a')},
    {0x01CF, 0x01D0, ASCII1('i')},
    {0x01D1, 0x01D2, ASCII1('o')},
    {0x01D3, 0x01DC, ASCII1('u')},
    {0x01DD, 0x01DD, ASCII1('e')},
    {0x01DE, 0x01E1, ASCII1('a')},
    {0x01E2, 0x01E3, ASCII2('a', 'e')},
    {0x01E4, 0x01E7, ASCII1('g')},
    {0x01E8, 0x01E9, ASCII1('k')},
    {0x01EA, 0x01ED, ASCII1('o')},
    {0x01F0, 0x01F0, ASCII1('j')},
    {0x01F1, 0x01F3, ASCII2('d', 'z')},
    {0x01F4, 0x01F5, ASCII1('g')},
    {0x01F8, 0x01F9, ASCII1('n')},
    {0x01FA, 0x01FB, ASCII1('a')},
    {0x01FC, 0x01FD, ASCII2('a', 'e')},
    {0x01FE, 0x01FF, ASCII1('o')},
    {0x0200, 0x0203, ASCII1('a')},
    {0x0204, 0x0207, ASCII1('e')},
    {0x0208, 0x020B, ASCII1('i')},
    {0x020C, 0x020F, ASCII1('o')},
    {0x0210, 0x0213, ASCII1('r')},
    {0x0214, 0x0217, ASCII1('u')},
    {0x0218, 0x0219, ASCII1('s')},
    {0x021A, 0x021B, ASCII1('t')},
    {0x021E, 0x021F, ASCII1('h')},
    {0x0226, 0x0227, ASCII1('a')},
    {0x0228, 0x0229, ASCII1('e')},
    {0x022A, 0x0231, ASCII1('o')},
    {0x0232, 0x0233, ASCII1('y')},
    /* Greek letters with tonos or dialytika, and final sigma */
    {0x0386, 0x0386, 0x03B1},
    {0x0388, 0x0388, 0x03B5},
    {0x0389, 0x0389, 0x03B7},
    {0x038A, 0x038A, 0x03B9},
    {0x038C, 0x038C, 0x03BF},
    {0x038E, 0x038E, 0x03C5},
    {0x038F, 0x038F, 0x03C9},
    {0x0390, 0x0390, 0x03B9},
    {0x03AA, 0x03AA, 0x03B9},
    {0x03AB, 0x03AB, 0x03C5},
    {0x03AC, 0x03AC, 0x03B1},
    {0x03AD, 0x03AD, 0x03B5},
    {0x03AE, 0x03AE, 0x03B7},
    {0x03AF, 0x03AF, 0x03B9},
    {0x03B0, 0x03B0, 0x03C5},
    {0x03C2, 0x03C2, 0x03C3},
    {0x03CA, 0x03CA, 0x03B9},
    {0x03CB, 0x03CB, 0x03C5},
    {0x03CC, 0x03CC, 0x03BF},
    {0x03CD, 0x03CD, 0x03C5},
    {0x03CE, 0x03CE, 0x03C9},
    /* Cyrillic е with grave or diaeresis, и with grave */
    {0x0400, 0x0401, 0x0435},
    {0x040D, 0x040D, 0x0438},
    {0x0450, 0x0451, 0x0435},
    {0x045D, 0x045D, 0x0438},
    {0x1E9E, 0x1E9E, ASCII2('s', 's')},
};

/* Folds a letter of U+0080..U+024F; returns 0 when cp is not a letter. */
static size_t fold_latin(uint32_t cp, char out[4])
{
    char base;

    if (cp == 0xAA) return put_ascii("a", out);
    if (cp == 0xBA) return put_ascii("o", out);
    if (cp == 0xB5) return utf8_encode(0x03BC, out); /* micro sign -> mu */
    if (cp < 0xC0) return 0;
    if (cp < 0x100) {
        base = latin1_base[cp - 0xC0];
        if (base == '\0') return 0;
        if (base != '*') return put_ascii((char[]){base, '\0'}, out);
        if (cp == 0xC6 || cp == 0xE6) return put_ascii("ae", out);
        if (cp == 0xDF) return put_ascii("ss", out);
        return put_ascii("th", out); /* Þ þ */
    }
    if (cp < 0x180) {
        base = latin_ext_a_base[cp - 0x100];
        if (base != '*') return put_ascii((char[]){base, '\0'}, out);
        return put_ascii(cp < 0x140 ? "ij" : "oe", out);
    }
    return 0;
}

/* Folds cp through range_table; returns 0 when no range holds it. */
static size_t fold_ranges(uint32_t cp, char out[4])
{
    size_t lo = 0, hi = sizeof range_table / sizeof range_table[0];

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cp < range_table[mid].first) {
            hi = mid;
        } else if (cp > range_table[mid].last) {
            lo = mid + 1;
        } else {
            unsigned to = range_table[mid].to;
            if (!(to & FOLD_ASCII)) return utf8_encode(to, out);
            out[0] = (char)(to & 0x7F);
            out[1] = (char)(to >> 7 & 0x7F);
            return out[1] ? 2 : 1;
        }
    }
    return 0;
}

/* Lowercases cp in the regular case-pair layouts of Greek, Cyrillic,
 * Armenian, Latin Extended Additional and fullwidth forms. */
static uint32_t lower_other(uint32_t cp)
{
    if (cp >= 0x0391 && cp <= 0x03A9 && cp != 0x03A2) return cp + 0x20;
    if (cp >= 0x0400 && cp <= 0x040F) return cp + 0x50;
    if (cp >= 0x0410 && cp <= 0x042F) return cp + 0x20;
    if (((cp >= 0x0460 && cp <= 0x0481) || (cp >= 0x048A && cp <= 0x04BF) ||
         (cp >= 0x04D0 && cp <= 0x052F)) &&
        (cp & 1) == 0)
        return cp + 1;
    if (cp == 0x04C0) return 0x04CF;
    if (cp >= 0x04C1 && cp <= 0x04CE && (cp & 1) == 1) return cp + 1;
    if (cp >= 0x0531 && cp <= 0x0556) return cp + 0x30;
    if (((cp >= 0x1E00 && cp <= 0x1E95) || (cp >= 0x1EA0 && cp <= 0x1EFF)) && (cp & 1) == 0)
        return cp + 1;
    return cp;
}

/* Classes of ASCII characters. */
static const uint8_t ascii_class[128] = {
    ['\''] = ST_CH_APOS, ['-'] = ST_CH_DASH,  ['/'] = ST_CH_SLASH, ['.'] = ST_CH_DOT,
    ['0'] = ST_CH_DIGIT, ['1'] = ST_CH_DIGIT, ['2'] = ST_CH_DIGIT, ['3'] = ST_CH_DIGIT,
    ['4'] = ST_CH_DIGIT, ['5'] = ST_CH_DIGIT, ['6'] = ST_CH_DIGIT, ['7'] = ST_CH_DIGIT,
    ['8'] = ST_CH_DIGIT, ['9'] = ST_CH_DIGIT,
};

/* Class of a code point at or above U+0080 that is not a folded Latin,
 * Greek or Cyrillic letter: punctuation and symbol blocks separate,
 * ignorables vanish, the rest are letters. */
static int char_class_other(uint32_t cp)
{
    if (cp == 0x00AD) return ST_CH_IGNORE;
    if (cp < 0x0100) return ST_CH_SEP; /* Latin-1 punctuation, ¹²³, × ÷ */
    if (cp == 0x02BC) return ST_CH_APOS;
    if (cp >= 0x02B0 && cp <= 0x02FF) return ST_CH_SEP; /* modifier letters */
    if (cp >= 0x0300 && cp <= 0x036F) return ST_CH_IGNORE;
    if (cp == 0x037E || cp == 0x0387 || cp == 0x0375 || cp == 0x0384 || cp == 0x0385)
        return ST_CH_SEP;
    if (cp == 0x0482) return ST_CH_SEP;                    /* Cyrillic thousands sign */
    if (cp >= 0x0483 && cp <= 0x0489) return ST_CH_IGNORE; /* Cyrillic combining marks */
    if ((cp >= 0x1AB0 && cp <= 0x1AFF) || (cp >= 0x1DC0 && cp <= 0x1DFF) ||
        (cp >= 0x20D0 && cp <= 0x20FF) || (cp >= 0xFE20 && cp <= 0xFE2F))
        return ST_CH_IGNORE; /* further combining marks */
    if (cp == 0x2018 || cp == 0x2019) return ST_CH_APOS;
    if (cp >= 0x2010 && cp <= 0x2015) return ST_CH_DASH;
    if (cp == 0x200C || cp == 0x200D || cp == 0x2060) return ST_CH_IGNORE;
    if (cp >= 0x2000 && cp <= 0x2BFF)
        return ST_CH_SEP; /* punctuation, super/subscripts,
                             currency, arrows, maths */
    if (cp >= 0x2E00 && cp <= 0x2E7F) return ST_CH_SEP;
    if (cp >= 0x3000 && cp <= 0x303F) return ST_CH_SEP; /* CJK punctuation */
    if (cp >= 0xD800 && cp <= 0xF8FF) return ST_CH_SEP; /* surrogates, private use */
    if (cp >= 0xFE00 && cp <= 0xFE0F) return ST_CH_IGNORE;
    if (cp == 0xFEFF) return ST_CH_IGNORE;
    if (cp >= 0xFE10 && cp <= 0xFE6F) return ST_CH_SEP;
    if (cp >= 0xFF00 && cp <= 0xFF64)
        return ST_CH_SEP; /* fullwidth punctuation; the
                             letters were folded before */
    if (cp >= 0xFFF0 && cp <= 0xFFFF) return ST_CH_SEP;
    if (cp >= 0x1F000 && cp <= 0x1FAFF) return ST_CH_SEP; /* emoji, pictographs */
    if (cp >= 0xE0000) return ST_CH_SEP;                  /* tags, private use */
    return ST_CH_LETTER;
}

int st_char_class(uint32_t cp, char out[4], size_t *out_len)
{
    size_t n;
    int cls;

    *out_len = 0;
    if (cp < 0x80) {
        cls = ascii_class[cp];
        if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z')) {
            out[0] = (char)(cp | 0x20);
            *out_len = 1;
            return ST_CH_LETTER;
        }
        if (cls == ST_CH_DIGIT || cls == ST_CH_APOS) {
            out[0] = (char)cp;
            *out_len = 1;
        }
        return cls;
    }
    if (cp >= 0xFF10 && cp <= 0xFF19) { /* fullwidth digits */
        out[0] = (char)('0' + (cp - 0xFF10));
        *out_len = 1;
        return ST_CH_DIGIT;
    }
    if ((cp >= 0xFF21 && cp <= 0xFF3A) || (cp >= 0xFF41 && cp <= 0xFF5A)) {
        out[0] = (char)('a' + ((cp - 0xFF21) & 0x1F));
        *out_len = 1;
        return ST_CH_LETTER;
    }
    if (cp < 0x180) {
        n = fold_latin(cp, out);
        if (n > 0) {
            *out_len = n;
            return ST_CH_LETTER;
        }
    }
    if (cp >= 0x1E00 && cp <= 0x1EFF && latin_ext_add_base[cp - 0x1E00] != '*') {
        out[0] = latin_ext_add_base[cp - 0x1E00];
        *out_len = 1;
        return ST_CH_LETTER;
    }
    n = fold_ranges(cp, out);
    if (n > 0) {
        *out_len = n;
        return ST_CH_LETTER;
    }
    cls = char_class_other(cp);
    if (cls == ST_CH_LETTER) {
        *out_len = utf8_encode(lower_other(cp), out);
    } else if (cls == ST_CH_APOS) {
        out[0] = '\'';
        *out_len = 1;
    }
    return cls;
}

size_t st_fold_codepoint(uint32_t cp, char out[4])
{
    size_t n;
    int cls = st_char_class(cp, out, &n);

    if (cls == ST_CH_LETTER || cls == ST_CH_DIGIT || cls == ST_CH_APOS) return n;
    return 0;
}
