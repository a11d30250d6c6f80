/*
 * snippet.c: the marked passage of a hit's paragraph (stele_query_snippet).
 *
 * The prepared query is reused as it is: its terms were looked up once
 * when it was prepared.  The document's stored text is inflated into the
 * workspace past the prepared state (st_doc_load), and the hit's
 * paragraph is cut out of it by its byte range.  The paragraph is
 * tokenized with the index's tokenizer, token i sitting at position
 * first_pos + i, so hit->match_pos names a token.  The window is max_bytes
 * of text placed with a quarter of it before that token, moved back inside
 * the paragraph at its end, and snapped to whitespace so no word is cut (a
 * token is never cut, even when that makes the window a little shorter);
 * the ellipsis marks each end that was cut.
 *
 * Inside the window a token is wrapped in open/close, as written in the
 * text ("[Women]", not the stem), when its analysed term equals a positive
 * query term that is not a word of a phrase or NEAR (in the term's field
 * scope; a prefix counts through its expansions), or when it is an
 * occurrence of a word of a positive phrase or NEAR that takes part in a
 * match of it.  For the latter every group's coverage tracker
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

/* Whether the token at position pos is to be marked: its analysed term is
 * a positive query term outside any phrase or NEAR (in the term's field
 * scope), or it is part of a match of a positive phrase or NEAR. */
static int token_matches(st_prepared *pq, const st_token *tok, uint32_t pos, unsigned field)
{
    const st_query *q = &pq->q;
    st_eval *ev = &pq->ev;
    char term[STELE_MAX_TERM_BYTES + 1];
    size_t len = st_token_term(tok, pq->opts.stem, pq->opts.stem_ctx, term);

    for (uint32_t i = 0; i < q->n_terms; i++) {
        const st_qterm *t = q->terms[i];
        if (!t->positive || t->grouped || (t->field >= 0 && (unsigned)t->field != field)) continue;
        if (t->prefix ? len >= t->len && memcmp(term, t->text, t->len) == 0
                      : len == t->len && memcmp(term, t->text, len) == 0)
            return 1;
    }
    for (uint32_t i = 0; i < ev->n_groups; i++) {
        int rc = st_cover_test(&ev->covers[i], pos);
        if (rc != 0) return rc;
    }
    return 0;
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

/* Renders [ws, we) of the paragraph, whose first token is at position
 * first_pos, with marks into w; the coverage trackers are asked about the
 * window's tokens in ascending order, as they require. */
static int render(writer *w, st_prepared *pq, const char *para, size_t plen, uint32_t first_pos,
                  size_t ws, size_t we, unsigned field, marks *mk)
{
    st_tokenizer tz;
    st_token tok;
    size_t at = ws;

    if (ws > 0) put(w, mk->ellipsis, mk->ellipsis_len);
    st_tokenizer_init(&tz, para, plen);
    for (uint32_t pos = first_pos; st_tokenizer_next(&tz, &tok); pos++) {
        int rc;
        if (tok.start < ws) continue;
        if (tok.end > we) break;
        rc = token_matches(pq, &tok, pos, field);
        if (rc < 0) return rc;
        if (!rc) continue;
        put(w, para + at, tok.start - at);
        put(w, mk->open, mk->open_len);
        if (mk->n_spans < mk->max_spans) {
            mk->spans[mk->n_spans].start = (uint32_t)w->len;
            mk->spans[mk->n_spans].end = (uint32_t)(w->len + (tok.end - tok.start));
        }
        mk->n_spans++;
        put(w, para + tok.start, tok.end - tok.start);
        put(w, mk->close, mk->close_len);
        at = tok.end;
    }
    put(w, para + at, we - at);
    if (we < plen) put(w, mk->ellipsis, mk->ellipsis_len);
    return STELE_OK;
}

size_t st_snippet_bytes(const stele_index *ix)
{
    return ST_ALIGNED(st_doc_load_bound(ix));
}

/* The window [*ws, *we) of max_bytes around the anchor token. */
static void place_window(const char *para, size_t plen, size_t anchor_start, size_t anchor_end,
                         size_t max_bytes, size_t *ws_out, size_t *we_out)
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
        while (ws > 0 && ws < anchor_start && !is_space((unsigned char)para[ws - 1]))
            ws++;
        while (ws < anchor_start && is_space((unsigned char)para[ws]))
            ws++;
        if (we < anchor_end) we = anchor_end;
        while (we < plen && we > anchor_end && !is_space((unsigned char)para[we]))
            we--;
        while (we > anchor_end && is_space((unsigned char)para[we - 1]))
            we--;
        /* a window with no whitespace at all still ends on a character */
        while (we < plen && we > ws && ((unsigned char)para[we] & 0xC0) == 0x80)
            we--;
        while (ws > 0 && ws < we && ((unsigned char)para[ws] & 0xC0) == 0x80)
            ws++;
    }
    *ws_out = ws;
    *we_out = we;
}

int st_snippet(st_prepared *pq, const stele_hit *hit, const stele_snippet_opts *sopts, void *mem,
               size_t mem_size, char *out, size_t out_cap, size_t *out_len, size_t *needed)
{
    const stele_index *ix = pq->ev.ix;
    marks mk;
    size_t max_bytes = sopts && sopts->max_bytes ? sopts->max_bytes : 240;
    size_t load_size = st_doc_load_bound(ix), text_len, ws, we, anchor_start = 0, anchor_end = 0;
    const char *text, *para;
    st_para_info pi;
    st_tokenizer tz;
    st_token tok;
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
    *needed = ST_ALIGNED(load_size);
    if (!mem || mem_size < load_size) return STELE_ENOSPACE;

    rc = st_doc_load(ix, hit->doc, mem, mem_size, &text, &text_len);
    if (rc < 0) return rc;
    rc = st_para_get(ix, hit->doc, hit->para, &pi);
    if (rc < 0) return rc;
    if (pi.text_off > text_len || pi.text_len > text_len - pi.text_off) return st_corrupt();
    para = text + pi.text_off;

    /* the coverage trackers, on the hit's document */
    rc = st_eval_rewind(&pq->ev);
    for (uint32_t i = 0; rc == STELE_OK && i < pq->ev.n_groups; i++)
        rc = st_cover_open(&pq->ev.covers[i], hit->doc, (int)pi.field);
    if (rc < 0) return rc;

    /* the token at match_pos (or the first after it, or the last) */
    st_tokenizer_init(&tz, para, pi.text_len);
    for (uint32_t pos = pi.first_pos; st_tokenizer_next(&tz, &tok); pos++) {
        anchor_start = tok.start;
        anchor_end = tok.end;
        if (pos >= hit->match_pos) break;
    }
    place_window(para, pi.text_len, anchor_start, anchor_end, max_bytes, &ws, &we);

    w.out = out;
    w.cap = out_cap;
    w.len = 0;
    rc = render(&w, pq, para, pi.text_len, pi.first_pos, ws, we, pi.field, &mk);
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
