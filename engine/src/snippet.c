/*
 * snippet.c: the marked passage of a hit's paragraph (stele_query_snippet).
 *
 * The prepared query is reused as it is: its terms were looked up once
 * when it was prepared.  The document's stored text is never held whole:
 * it is inflated as a stream (st_text_open) in two passes over the hit's
 * paragraph, with zlib's state and window and one small buffer from the
 * workspace past the prepared state, so a snippet's memory does not
 * depend on the paragraph's, the document's or the stored-text block's
 * size (st_snippet_bytes).
 *
 * Pass 1 tokenizes the paragraph with the index's tokenizer, token i
 * sitting at position first_pos + i, to find the byte range of the token
 * hit->match_pos names (or the first after it, or the last).  The text
 * goes through a SNIP_BUF-byte buffer, each fill tokenized up to just
 * after its last separator character (a token never spans a separator,
 * so the tokens are those of the whole paragraph) and the rest carried to
 * the next fill; only a run of SNIP_BUF bytes without any separator is cut
 * where the buffer ends.  Pass 2 inflates again, this time keeping only
 * the window's bytes (and WIN_PAD beyond, for the tokenizer's look-ahead).
 *
 * The window is max_bytes
 * of text placed with a quarter of it before that token, moved back inside
 * the paragraph at its end, and snapped to whitespace so no word is cut (a
 * token is never cut, even when that makes the window a little shorter,
 * unless it is longer than the window's buffer);
 * the ellipsis marks each end that was cut.
 *
 * Inside the window a token is wrapped in open/close, as written in the
 * text ("[Women]", not the stem), when its analysed term equals a positive
 * query term that is not a word of a phrase or NEAR (in the term's field
 * scope; a prefix counts through its expansions), or when it is an
 * occurrence of a word of a positive phrase or NEAR that takes part in a
 * match of it.  A query term that is a stopword (ST_STOP_PERMILLE: in
 * most documents) is marked only next to a token marked otherwise, or
 * inside a phrase match: "to" in "alternatives to imprisonment" typed
 * without quotes is marked between the two words, not in "the need to
 * reinforce".  For the phrase words every group's coverage tracker
 * (st_cover_test) is asked about each token of the window in order, so
 * "to" is marked inside "alternatives to imprisonment" but not in "the
 * need to reinforce", and a NEAR that spans two paragraphs marks its
 * words in both.  The trackers stream the words' positions: nothing is
 * buffered, whatever the document's length.
 *
 * The output is all or nothing: when out is too small, STELE_ENOSPACE,
 * *out_len = the length needed (without the NUL) and out holds "".
 */
#include <string.h>

#include "analyze.h"
#include "query.h"

typedef struct writer {
    char *out;
    size_t cap, len;
} writer;

static void put(writer *w, const char *s, size_t n)
{
    if (w->len < w->cap && w->cap - w->len > n) memcpy(w->out + w->len, s, n);
    w->len += n;
}

static int is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* What marks the token at position pos: MARK_WORD when its analysed term
 * is a positive query term outside any phrase or NEAR (in the term's field
 * scope) that is not a stopword, or when it is part of a match of a
 * positive phrase or NEAR; MARK_STOP when its term is only such a
 * stopword (marked only next to a MARK_WORD token); 0 when nothing. */
#define MARK_WORD 1
#define MARK_STOP 2
static int token_matches(st_prepared *pq, const st_token *tok, uint32_t pos, unsigned field)
{
    const st_query *q = &pq->q;
    st_eval *ev = &pq->ev;
    char term[STELE_MAX_TERM_BYTES + 1];
    size_t len = st_token_term(tok, pq->opts.stem, pq->opts.stem_ctx, term);
    int stop = 0;

    for (uint32_t i = 0; i < q->n_terms; i++) {
        const st_qterm *t = q->terms[i];
        if (!t->positive || t->grouped || (t->field >= 0 && (unsigned)t->field != field)) continue;
        if (t->prefix ? len >= t->len && memcmp(term, t->text, t->len) == 0
                      : len == t->len && memcmp(term, t->text, len) == 0) {
            if (!t->stop) return MARK_WORD;
            stop = 1;
        }
    }
    for (uint32_t i = 0; i < ev->n_groups; i++) {
        int rc = st_cover_test(&ev->covers[i], pos);
        if (rc != 0) return rc < 0 ? rc : MARK_WORD;
    }
    return stop ? MARK_STOP : 0;
}

/* strlen, here so that the runtime needs no string function of the C
 * library (a freestanding build links only mem* ones). */
static size_t cstr_len(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

typedef struct marks {
    const char *open, *close, *ellipsis;
    size_t open_len, close_len, ellipsis_len;
    stele_span *spans;
    size_t max_spans, n_spans;
} marks;

/* Writes the text from *at up to token [start, end), and the token
 * marked. */
static void put_marked(writer *w, const char *win, size_t *at, size_t start, size_t end, marks *mk)
{
    put(w, win + *at, start - *at);
    put(w, mk->open, mk->open_len);
    if (mk->n_spans < mk->max_spans) {
        mk->spans[mk->n_spans].start = (uint32_t)w->len;
        mk->spans[mk->n_spans].end = (uint32_t)(w->len + (end - start));
    }
    mk->n_spans++;
    put(w, win + start, end - start);
    put(w, mk->close, mk->close_len);
    *at = end;
}

/* Renders [ws, we) of the paragraph into w, with marks; win holds the
 * paragraph's bytes from ws on (win_len of them, past we for the
 * tokenizer's look-ahead), and the token starting at anchor_start is at
 * position anchor_pos.  The coverage trackers are asked about the window's
 * tokens in ascending order, as they require.  A MARK_STOP token is
 * decided one token late, once the next one is known: it is marked when
 * the token before or after it is MARK_WORD (the one after the window
 * too; the one before the window counts as unmarked). */
static int render(writer *w, st_prepared *pq, const char *win, size_t win_len, size_t ws, size_t we,
                  size_t plen, size_t anchor_start, uint32_t anchor_pos, unsigned field, marks *mk)
{
    st_tokenizer tz;
    st_token tok;
    size_t at = 0, end = we - ws;
    uint32_t before = 0, pos;

    /* the position of the window's first token, from the anchor's */
    st_tokenizer_init(&tz, win, win_len);
    while (st_tokenizer_next(&tz, &tok) && ws + tok.start < anchor_start)
        before++;
    pos = anchor_pos >= before ? anchor_pos - before : 0;

    if (ws > 0) put(w, mk->ellipsis, mk->ellipsis_len);
    st_tokenizer_init(&tz, win, win_len);
    {
        /* the token waiting for its successor: its bytes, its mark and
         * its predecessor's */
        size_t cur_start = 0, cur_end = 0;
        int cur = -1, before_cur = 0, rc = 0;
        for (;; pos++) {
            int more = st_tokenizer_next(&tz, &tok);
            rc = more ? token_matches(pq, &tok, pos, field) : 0;
            if (rc < 0) return rc;
            if (cur == MARK_WORD ||
                (cur == MARK_STOP && (before_cur == MARK_WORD || rc == MARK_WORD)))
                put_marked(w, win, &at, cur_start, cur_end, mk);
            if (!more || tok.end > end) break;
            before_cur = cur;
            cur = rc;
            cur_start = tok.start;
            cur_end = tok.end;
        }
    }
    put(w, win + at, end - at);
    if (we < plen) put(w, mk->ellipsis, mk->ellipsis_len);
    return STELE_OK;
}

/* Pass 1's buffer; the window's buffer is the larger of it and
 * min(max_bytes, paragraph) + WIN_PAD + 2 (the byte before the window,
 * for the whitespace test, and one after). */
#define SNIP_BUF 512u
#define WIN_PAD  64u

static size_t buf_bytes(size_t max_bytes, size_t plen)
{
    size_t w = st_add_sat(max_bytes < plen ? max_bytes : plen, WIN_PAD + 2);
    return ST_ALIGNED(w > SNIP_BUF ? w : SNIP_BUF);
}

size_t st_snippet_bytes(const stele_index *ix)
{
    return buf_bytes(0, 0) + ST_ALIGNED(st_text_stream_bytes(ix));
}

/* The end of the safe prefix of b[0, n): just past its last separator
 * character, where tokenizing may stop and resume without changing the
 * tokens; 0 when it has none. */
static size_t safe_cut(const char *b, size_t n)
{
    size_t last = 0;
    char f[4];
    size_t fl;
    for (size_t i = n; i > 0; i--) {
        unsigned char c = (unsigned char)b[i - 1];
        if (c < 0x80 && st_char_class(c, f, &fl) == ST_CH_SEP) return i;
    }
    /* no ASCII separator: any separator character, decoded forward */
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t l = st_utf8_decode(b + i, n - i, &cp);
        if (l == 0) {
            i++;
            continue;
        }
        if (st_char_class(cp, f, &fl) == ST_CH_SEP) last = i + l;
        i += l;
    }
    return last;
}

/* n, less an incomplete UTF-8 sequence at the end of b[0, n). */
static size_t whole_chars(const char *b, size_t n)
{
    size_t lead = n;
    while (lead > 0 && n - lead < 4 && ((unsigned char)b[lead - 1] & 0xC0) == 0x80)
        lead--;
    if (lead == 0) return n;
    unsigned char c = (unsigned char)b[lead - 1];
    size_t need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    return n - (lead - 1) < need ? lead - 1 : n;
}

/* Pass 1: the byte range and position of the anchor token in paragraph pi
 * of doc, streamed through buf[0, cap). */
static int find_anchor(const stele_index *ix, uint32_t doc, const st_para_info *pi,
                       uint32_t match_pos, char *buf, size_t cap, void *zmem, size_t zsize,
                       size_t *a_start, size_t *a_end, uint32_t *a_pos)
{
    st_text t;
    st_tokenizer tz;
    st_token tok;
    size_t base = 0, fill = 0, left = pi->text_len, n;
    uint32_t pos = pi->first_pos;
    int rc, found = 0;

    *a_start = *a_end = 0;
    *a_pos = pi->first_pos;
    rc = st_text_open(&t, ix, doc, pi->text_off, zmem, zsize);
    while (rc == STELE_OK && !found) {
        size_t cut;
        while (fill < cap && left > 0) {
            if ((rc = st_text_read(&t, buf + fill, cap - fill < left ? cap - fill : left, &n)) != 0)
                break;
            if (n == 0) {
                rc = st_corrupt(); /* the paragraph runs past the text */
                break;
            }
            fill += n;
            left -= n;
        }
        if (rc) break;
        cut = left == 0 ? fill : safe_cut(buf, fill);
        if (cut == 0) cut = whole_chars(buf, fill);
        if (cut == 0) cut = fill;
        st_tokenizer_init(&tz, buf, cut);
        while (st_tokenizer_next(&tz, &tok)) {
            *a_start = base + tok.start;
            *a_end = base + tok.end;
            *a_pos = pos;
            if (pos >= match_pos) {
                found = 1;
                break;
            }
            pos++;
        }
        if (left == 0) break;
        memmove(buf, buf + cut, fill - cut);
        base += cut;
        fill -= cut;
    }
    st_text_close(&t);
    return rc;
}

/* Reads paragraph bytes [lo, hi) of pi into buf (pass 2). */
static int read_range(const stele_index *ix, uint32_t doc, const st_para_info *pi, size_t lo,
                      size_t hi, char *buf, void *zmem, size_t zsize)
{
    st_text t;
    size_t got = 0, n;
    int rc = st_text_open(&t, ix, doc, pi->text_off + lo, zmem, zsize);
    while (rc == STELE_OK && got < hi - lo) {
        if ((rc = st_text_read(&t, buf + got, hi - lo - got, &n)) != 0) break;
        if (n == 0) rc = st_corrupt();
        got += n;
    }
    st_text_close(&t);
    return rc;
}

/* The window [*ws, *we) of max_bytes around the anchor token; buf holds
 * the paragraph's bytes from lo on, the ones the placement reads. */
#define P(i) ((unsigned char)buf[(i)-lo])
static void place_window(const char *buf, size_t lo, size_t plen, size_t anchor_start,
                         size_t anchor_end, size_t max_bytes, size_t *ws_out, size_t *we_out)
{
    size_t ws = 0, we = plen;
    if (plen > max_bytes) {
        size_t lead = max_bytes / 4;
        ws = anchor_start > lead ? anchor_start - lead : 0;
        we = ws + max_bytes;
        if (we > plen) {
            we = plen;
            ws = we - max_bytes;
        }
        if (ws > anchor_start) ws = anchor_start;
        while (ws > 0 && ws < anchor_start && !is_space(P(ws - 1)))
            ws++;
        while (ws < anchor_start && is_space(P(ws)))
            ws++;
        if (we < anchor_end) we = anchor_end;
        while (we < plen && we > anchor_end && !is_space(P(we)))
            we--;
        while (we > anchor_end && is_space(P(we - 1)))
            we--;
        /* a window with no whitespace at all still ends on a character */
        while (we < plen && we > ws && (P(we) & 0xC0) == 0x80)
            we--;
        while (ws > 0 && ws < we && (P(ws) & 0xC0) == 0x80)
            ws++;
    }
    *ws_out = ws;
    *we_out = we;
}
#undef P

int st_snippet(st_prepared *pq, const stele_hit *hit, const stele_snippet_opts *sopts, void *mem,
               size_t mem_size, char *out, size_t out_cap, size_t *out_len, size_t *needed)
{
    const stele_index *ix = pq->ev.ix;
    marks mk;
    size_t max_bytes = sopts && sopts->max_bytes ? sopts->max_bytes : 240;
    size_t bb, lo, hi, ws, we, anchor_start, anchor_end, plen, limit;
    uint32_t anchor_pos;
    st_para_info pi;
    char *buf;
    void *zmem;
    size_t zsize;
    writer w;
    int rc;

    mk.open = sopts && sopts->open ? sopts->open : "[";
    mk.close = sopts && sopts->close ? sopts->close : "]";
    mk.ellipsis = sopts && sopts->ellipsis ? sopts->ellipsis : "\xE2\x80\xA6";
    mk.open_len = cstr_len(mk.open);
    mk.close_len = cstr_len(mk.close);
    mk.ellipsis_len = cstr_len(mk.ellipsis);
    mk.spans = sopts ? sopts->spans : NULL;
    mk.max_spans = mk.spans ? sopts->max_spans : 0;
    mk.n_spans = 0;
    *needed = st_snippet_bytes(ix);
    rc = st_para_get(ix, hit->doc, hit->para, &pi);
    if (rc < 0) return rc;
    plen = pi.text_len;
    bb = buf_bytes(max_bytes, plen);
    *needed = st_add_sat(bb, ST_ALIGNED(st_text_stream_bytes(ix)));
    if (!mem || mem_size < *needed) return STELE_ENOSPACE;
    buf = mem;
    zmem = (char *)mem + bb;
    zsize = mem_size - bb;

    /* the coverage trackers, on the hit's document */
    rc = st_eval_rewind(&pq->ev);
    for (uint32_t i = 0; rc == STELE_OK && i < pq->ev.n_groups; i++)
        rc = st_cover_open(&pq->ev.covers[i], hit->doc, (int)pi.field);
    if (rc < 0) return rc;

    /* pass 1: the token at match_pos (or the first after it, or the last) */
    rc = find_anchor(ix, hit->doc, &pi, hit->match_pos, buf, SNIP_BUF, zmem, zsize, &anchor_start,
                     &anchor_end, &anchor_pos);
    if (rc < 0) return rc;

    /* pass 2: the bytes the window's placement and rendering read */
    ws = 0;
    if (plen > max_bytes) {
        size_t lead = max_bytes / 4;
        ws = anchor_start > lead ? anchor_start - lead : 0;
        if (ws + max_bytes > plen) ws = plen - max_bytes;
        if (ws > anchor_start) ws = anchor_start;
    }
    lo = ws > 0 ? ws - 1 : 0;
    hi = plen - lo > bb ? lo + bb : plen;
    limit = hi < plen ? hi - 1 : hi; /* an anchor longer than the buffer is cut */
    if (anchor_end > limit) anchor_end = limit;
    if (anchor_start > anchor_end) anchor_start = anchor_end;
    rc = read_range(ix, hit->doc, &pi, lo, hi, buf, zmem, zsize);
    if (rc < 0) return rc;
    place_window(buf, lo, plen, anchor_start, anchor_end, max_bytes, &ws, &we);

    w.out = out;
    w.cap = out_cap;
    w.len = 0;
    rc = render(&w, pq, buf + (ws - lo), hi - ws, ws, we, plen, anchor_start, anchor_pos, pi.field,
                &mk);
    if (rc < 0) return rc;
    if (sopts && sopts->n_spans) *sopts->n_spans = mk.n_spans;
    if (out_len) *out_len = w.len;
    if (w.len >= out_cap) {
        if (out && out_cap) out[0] = '\0';
        return STELE_ENOSPACE;
    }
    out[w.len] = '\0';
    return STELE_OK;
}
