/*
 * snippet.c: stele_snippet(), the marked passage of a hit's paragraph.
 *
 * The query is parsed again exactly as stele_search() parses it (prefixes
 * expanded against the dictionary, the same limits), so a query the search
 * accepted is never refused here.  The document's stored text is inflated
 * into the workspace (st_doc_load), and the hit's paragraph is cut out of
 * it by its byte range.  The paragraph is tokenized with the index's
 * tokenizer, token i sitting at position first_pos + i, so hit->match_pos
 * names a token.  The window is max_bytes of text placed with a quarter of
 * it before that token, moved back inside the paragraph at its end, and
 * snapped to whitespace so no word is cut (a token is never cut, even when
 * that makes the window a little shorter); the ellipsis marks each end
 * that was cut.
 *
 * Inside the window a token is wrapped in open/close, as written in the
 * text ("[Women]", not the stem), when its analysed term equals a positive
 * query term that is not a word of a phrase or NEAR (in the term's field
 * scope; a prefix counts through its expansions), or when it is an
 * occurrence of a word of a positive phrase or NEAR that takes part in a
 * match of it.  For the latter the positions of the group's words in the
 * paragraph's field are read from the index (st_group_load) and each token
 * is tested by st_group_covers(), so "to" is marked inside "alternatives to
 * imprisonment" but not in "the need to reinforce", and a NEAR that spans
 * two paragraphs marks its words in both.
 *
 * Workspace: the query tree (at most ST_PARSE_MEM bytes),
 * st_doc_load_bound(ix) bytes, and what st_eval_setup() takes for the
 * query's terms (the same as a search without its heap).  The output is
 * all or nothing: when out is too small, STELE_ENOSPACE, *out_len = the
 * length needed (without the NUL) and out holds "".
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
static int token_matches(const st_query *q, const st_eval *ev, const st_token *tok, uint32_t pos,
                         unsigned field, const stele_search_opts *opts)
{
    char term[STELE_MAX_TERM_BYTES + 1];
    size_t len = st_token_term(tok, opts ? opts->stem : NULL, opts ? opts->stem_ctx : NULL, term);

    for (uint32_t i = 0; i < q->n_terms; i++) {
        const st_qterm *t = q->terms[i];
        if (!t->positive || t->grouped || (t->field >= 0 && (unsigned)t->field != field)) continue;
        if (t->prefix ? len >= t->len && memcmp(term, t->text, t->len) == 0
                      : len == t->len && memcmp(term, t->text, len) == 0)
            return 1;
    }
    for (uint32_t i = 0; i < ev->n_groups; i++)
        if (st_group_covers_loaded(ev->groups[i], pos)) return 1;
    return 0;
}

/* Renders [ws, we) of the paragraph, whose first token is at position
 * first_pos, with marks into w. */
static void render(writer *w, const st_query *q, const st_eval *ev, const char *para, size_t plen,
                   uint32_t first_pos, size_t ws, size_t we, unsigned field,
                   const stele_search_opts *opts, const char *open, const char *close,
                   const char *ellipsis)
{
    st_tokenizer tz;
    st_token tok;
    size_t at = ws;

    if (ws > 0) put(w, ellipsis, strlen(ellipsis));
    st_tokenizer_init(&tz, para, plen);
    for (uint32_t pos = first_pos; st_tokenizer_next(&tz, &tok); pos++) {
        if (tok.start < ws) continue;
        if (tok.end > we) break;
        if (!token_matches(q, ev, &tok, pos, field, opts)) continue;
        put(w, para + at, tok.start - at);
        put(w, open, strlen(open));
        put(w, para + tok.start, tok.end - tok.start);
        put(w, close, strlen(close));
        at = tok.end;
    }
    put(w, para + at, we - at);
    if (we < plen) put(w, ellipsis, strlen(ellipsis));
}

int stele_snippet(const stele_index *ix, const char *query, size_t query_len,
                  const stele_search_opts *opts, const stele_hit *hit,
                  const stele_snippet_opts *sopts, void *mem, size_t mem_size, char *out,
                  size_t out_cap, size_t *out_len, stele_diag *diag)
{
    const char *open = sopts && sopts->open ? sopts->open : "[";
    const char *close = sopts && sopts->close ? sopts->close : "]";
    const char *ellipsis = sopts && sopts->ellipsis ? sopts->ellipsis : "\xE2\x80\xA6";
    size_t max_bytes = sopts && sopts->max_bytes ? sopts->max_bytes : 240;
    size_t load_size, text_len, ws, we, anchor_start = 0, anchor_end = 0;
    const char *text, *para;
    void *load_mem;
    st_arena a;
    st_query q;
    st_eval ev;
    st_para_info pi;
    st_tokenizer tz;
    st_token tok;
    writer w;
    int rc;

    if (out_len) *out_len = 0;
    if (out && out_cap) out[0] = '\0';
    if (diag) {
        diag->offset = 0;
        diag->needed = 0;
    }
    if (!ix || !ix->data_ || !hit || (!query && query_len) || (!out && out_cap) ||
        !st_opts_valid(opts))
        return STELE_EINVAL;
    if (hit->doc >= ix->n_docs_) return STELE_ENOTFOUND;

    st_arena_init(&a, mem, mem_size);
    rc = st_parse(ix, query, query_len, opts, 0, &a, &q, diag);
    if (rc == STELE_ENOSPACE) {
        size_t needed = 0;
        rc = st_need_on_stack(ix, query, query_len, opts, 1, 0, a.pad, &needed, diag);
        if (rc < 0) return rc;
        if (diag) diag->needed = needed;
        return STELE_ENOSPACE;
    }
    if (rc < 0) return rc;
    load_size = st_doc_load_bound(ix);
    load_mem = st_arena_alloc(&a, load_size);
    rc = st_eval_setup(&ev, ix, &q, opts, &a);
    if (rc == STELE_ENOSPACE || !load_mem || a.short_) {
        if (diag) diag->needed = st_arena_needed(&a);
        return STELE_ENOSPACE;
    }
    if (rc < 0) return rc;
    if (diag) diag->needed = st_arena_needed(&a);

    rc = st_doc_load(ix, hit->doc, load_mem, load_size, &text, &text_len);
    if (rc < 0) return rc;
    rc = st_para_get(ix, hit->doc, hit->para, &pi);
    if (rc < 0) return rc;
    if (pi.text_off > text_len || pi.text_len > text_len - pi.text_off) return st_corrupt();
    para = text + pi.text_off;
    for (uint32_t i = 0; i < ev.n_groups; i++) {
        rc = st_group_load(ev.groups[i], hit->doc, pi.field);
        if (rc < 0) return rc;
    }

    /* the token at match_pos (or the first after it, or the last) */
    st_tokenizer_init(&tz, para, pi.text_len);
    for (uint32_t pos = pi.first_pos; st_tokenizer_next(&tz, &tok); pos++) {
        anchor_start = tok.start;
        anchor_end = tok.end;
        if (pos >= hit->match_pos) break;
    }

    ws = 0;
    we = pi.text_len;
    if (pi.text_len > max_bytes) {
        size_t lead = max_bytes / 4;
        ws = anchor_start > lead ? anchor_start - lead : 0;
        we = ws + max_bytes;
        if (we > pi.text_len) {
            we = pi.text_len;
            ws = we - max_bytes;
        }
        if (ws > anchor_start) ws = anchor_start;
        while (ws > 0 && ws < anchor_start && !is_space((unsigned char)para[ws - 1]))
            ws++;
        while (ws < anchor_start && is_space((unsigned char)para[ws]))
            ws++;
        if (we < anchor_end) we = anchor_end;
        while (we < pi.text_len && we > anchor_end && !is_space((unsigned char)para[we]))
            we--;
        while (we > anchor_end && is_space((unsigned char)para[we - 1]))
            we--;
        /* a window with no whitespace at all still ends on a character */
        while (we < pi.text_len && we > ws && ((unsigned char)para[we] & 0xC0) == 0x80)
            we--;
        while (ws > 0 && ws < we && ((unsigned char)para[ws] & 0xC0) == 0x80)
            ws++;
    }

    w.out = out;
    w.cap = out_cap;
    w.len = 0;
    render(&w, &q, &ev, para, pi.text_len, pi.first_pos, ws, we, pi.field, opts, open, close,
           ellipsis);
    if (out_len) *out_len = w.len;
    if (w.len >= out_cap) {
        if (out && out_cap) out[0] = '\0';
        return STELE_ENOSPACE;
    }
    out[w.len] = '\0';
    return STELE_OK;
}
