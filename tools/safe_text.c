/*
 * safe_text.c: text from an index or an input, made safe for a terminal.
 *
 * Ids, titles, field names, snippets and queries come from files a user
 * did not write, and a terminal obeys the control sequences in what it is
 * sent: a document id of ESC ] 0 ; ... BEL retitles the window, ESC [ 2 J
 * clears the screen.  Every string the CLI prints from an index or an
 * input goes through cli_put_safe() (or cli_safe_text(), its form for a
 * message), which keeps printable ASCII and
 * valid UTF-8 as they are and writes everything else visibly:
 *   - C0 controls and DEL as \t, \n, \r or \xHH (ESC is \x1b);
 *   - C1 controls (U+0080 .. U+009F, which some terminals obey like ESC
 *     sequences) and the bidirectional overrides and isolates (U+202A ..
 *     U+202E, U+2066 .. U+2069, which reorder what follows) as \uHHHH;
 *   - bytes that are not valid UTF-8 (bad or missing continuation bytes,
 *     overlong forms, surrogates, past U+10FFFF) as U+FFFD, one per byte.
 * JSON output needs none of this: jansson escapes control characters.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Length of the valid UTF-8 sequence at s (n bytes left) and its code
 * point, or 0 when it is not valid. */
static size_t utf8_seq(const unsigned char *s, size_t n, uint32_t *cp)
{
    size_t len, i;
    uint32_t c, min;

    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    } else if (s[0] >= 0xC2 && s[0] <= 0xDF) {
        len = 2, c = s[0] & 0x1F, min = 0x80;
    } else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
        len = 3, c = s[0] & 0x0F, min = 0x800;
    } else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
        len = 4, c = s[0] & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (n < len) return 0;
    for (i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        c = c << 6 | (s[i] & 0x3Fu);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return 0;
    *cp = c;
    return len;
}

static int escaped_cp(uint32_t cp)
{
    return (cp >= 0x80 && cp <= 0x9F) || (cp >= 0x202A && cp <= 0x202E) ||
           (cp >= 0x2066 && cp <= 0x2069);
}

/* The safe form of the character at text (n bytes left) into piece (at
 * least 8 bytes); *used gets the input bytes it stands for.  Characters
 * in also get a backslash before them. */
static size_t safe_piece(const unsigned char *text, size_t n, const char *also, char *piece,
                         size_t *used)
{
    uint32_t cp = 0;
    size_t len = utf8_seq(text, n, &cp);

    *used = len ? len : 1;
    if (len == 0) {
        memcpy(piece, "\xEF\xBF\xBD", 3); /* U+FFFD */
        return 3;
    }
    if (cp == '\t' || cp == '\n' || cp == '\r') {
        piece[0] = '\\';
        piece[1] = cp == '\t' ? 't' : cp == '\n' ? 'n' : 'r';
        return 2;
    }
    if (cp < 0x20 || cp == 0x7F) return (size_t)snprintf(piece, 8, "\\x%02x", (unsigned)cp);
    if (escaped_cp(cp)) return (size_t)snprintf(piece, 8, "\\u%04x", (unsigned)cp);
    if (also && cp < 0x80 && cp != 0 && strchr(also, (int)cp)) {
        piece[0] = '\\';
        piece[1] = (char)cp;
        return 2;
    }
    memcpy(piece, text, len);
    return len;
}

void cli_put_safe(FILE *f, const char *text, size_t len, const char *also)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0;

    while (i < len) {
        size_t run = i;
        /* printable ASCII goes out in one piece */
        while (run < len && s[run] >= 0x20 && s[run] < 0x7F && !(also && strchr(also, s[run])))
            run++;
        if (run > i) {
            fwrite(s + i, 1, run - i, f);
            i = run;
            continue;
        }
        char piece[8];
        size_t used, plen = safe_piece(s + i, len - i, also, piece, &used);
        fwrite(piece, 1, plen, f);
        i += used;
    }
}

const char *cli_safe_text(char *out, size_t cap, const char *text, size_t len)
{
    static const char ellipsis[] = "\xE2\x80\xA6";
    const unsigned char *s = (const unsigned char *)text;
    size_t at = 0, i = 0;

    if (cap == 0) return out;
    while (i < len) {
        char piece[8];
        size_t used, plen = safe_piece(s + i, len - i, NULL, piece, &used);
        if (at + plen + sizeof ellipsis > cap) {
            if (at + sizeof ellipsis <= cap) {
                memcpy(out + at, ellipsis, sizeof ellipsis - 1);
                at += sizeof ellipsis - 1;
            }
            break;
        }
        memcpy(out + at, piece, plen);
        at += plen;
        i += used;
    }
    out[at] = '\0';
    return out;
}

char *cli_safe_dup(const char *text, size_t len, const char *also, size_t *out_len)
{
    char *p = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&p, &n);
    if (!f) return NULL;
    cli_put_safe(f, text, len, also);
    if (fclose(f) != 0) {
        free(p);
        return NULL;
    }
    *out_len = n;
    return p;
}
