/*
 * stele_web.c: the C side of the browser page, compiled to WebAssembly
 * with the runtime (engine/src), the stemming glue, libstemmer and zlib's
 * inflate.  web/stele.js is the only caller.
 *
 * The page holds one index at a time.  JavaScript copies the index bytes
 * into memory from web_alloc(), calls web_open(), then for every query
 * writes the query's UTF-8 bytes into the query buffer (web_query_buf(),
 * WEB_QUERY_CAP bytes) and calls web_search(); the hits are read back
 * one field at a time (web_hit_*), and web_snippet() / web_doc_text() put
 * their text into the output buffer (web_out_ptr(), web_out_len()).  All
 * strings cross the boundary as (pointer, length) pairs of UTF-8 bytes in
 * the module's memory; pointers into the index data live as long as the
 * index is open.
 *
 * Allocation: this file and libstemmer allocate (wasi-libc's malloc) when
 * an index is opened: the index copy, the stemmer, one workspace of
 * stele_workspace_bound() bytes, and the output buffer, grown when a
 * document's text is longer (and the workspace, for a query longer than
 * the bound covers).  Searches and snippets then run in that workspace;
 * the runtime itself never allocates, here as anywhere.
 *
 * The last search's prepared query (stele_query) lives in the workspace
 * and serves the snippets of its hits.  web_doc_text() reuses the
 * workspace, so it ends that query: a snippet after it is refused until
 * the next search (the page asks for every snippet right after a search).
 *
 * The runtime's query API is reached only through run_search() and
 * run_snippet() below, so a change of that API changes those two
 * functions and nothing else.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "stele.h"
#include "stele_stem.h"

#define WEB_EXPORT(name) __attribute__((export_name(#name))) name

/* At most this many hits per search; the page shows fewer. */
#define WEB_MAX_HITS 100
/* Room for the longest query the runtime takes and one byte more, so a
 * query over its limit gets the runtime's own error and offset. */
#define WEB_QUERY_CAP (STELE_MAX_QUERY_BYTES + 1)
/* Output buffer for snippets; a document's text grows it. */
#define WEB_OUT_MIN 8192

/* Markers of matched words: [plain] as the CLI's --json prints them, or
 * the control characters STX and ETX, so the page can escape the text
 * for HTML first and turn the markers into <mark> elements after. */
enum { WEB_MARK_BRACKETS = 0, WEB_MARK_CONTROL = 1 };

typedef struct web_state {
    stele_index ix;
    int open;
    unsigned char *data; /* the index bytes, owned */
    stele_stemmer *stemmer;
    stele_query_opts opts;
    stele_query query_state;
    int prepared; /* query_state holds the last search's query */
    unsigned char *ws;
    size_t ws_size;
    stele_hit hits[WEB_MAX_HITS];
    size_t n_hits, n_matches;
    size_t err_offset, err_needed;
    int err_reason;
    char query[WEB_QUERY_CAP];
    size_t query_len;
    char *out;
    size_t out_cap, out_len;
} web_state;

static web_state web;

/* --- The two calls of the search API (see the top comment). --- */

/* Prepares the query in the query buffer and ranks it. */
static int run_search(size_t max_hits)
{
    stele_query *q = &web.query_state;
    int rc;

    web.opts.max_results = (uint32_t)max_hits;
    rc = stele_query_prepare(q, &web.ix, web.query, web.query_len, &web.opts, web.ws, web.ws_size);
    web.err_offset = q->diag.offset;
    web.err_needed = q->diag.needed;
    web.err_reason = q->diag.reason;
    if (rc == STELE_OK) {
        rc = stele_query_run(q, web.hits, max_hits, 0, &web.n_hits, &web.n_matches);
        web.err_needed = q->diag.needed;
    }
    web.prepared = rc == STELE_OK;
    return rc;
}

/* A snippet of hit, from the last search's prepared query. */
static int run_snippet(const stele_hit *hit, const stele_snippet_opts *sopts)
{
    int rc = stele_query_snippet(&web.query_state, hit, sopts, web.out, web.out_cap, &web.out_len);
    web.err_needed = web.query_state.diag.needed;
    return rc;
}

/* --- Memory shared with JavaScript. --- */

/* Room for n bytes that JavaScript fills (the index before web_open). */
void *WEB_EXPORT(web_alloc)(size_t n)
{
    return malloc(n ? n : 1);
}

char *WEB_EXPORT(web_query_buf)(void)
{
    return web.query;
}

size_t WEB_EXPORT(web_query_cap)(void)
{
    return sizeof web.query;
}

const char *WEB_EXPORT(web_out_ptr)(void)
{
    return web.out;
}

size_t WEB_EXPORT(web_out_len)(void)
{
    return web.out_len;
}

const char *WEB_EXPORT(web_strerror)(int rc)
{
    return stele_strerror(rc);
}

/* Grows the workspace to need bytes (the bound should make this unused,
 * as in the CLI); 0 on success. */
static int grow_workspace(size_t need)
{
    unsigned char *p;
    if (need <= web.ws_size) return -1;
    p = realloc(web.ws, need);
    if (!p) return -1;
    web.ws = p;
    web.ws_size = need;
    return 0;
}

static int grow_out(size_t need)
{
    char *p;
    if (need <= web.out_cap) return 0;
    p = realloc(web.out, need);
    if (!p) return -1;
    web.out = p;
    web.out_cap = need;
    return 0;
}

static void close_index(void)
{
    free(web.ws);
    free(web.out);
    free(web.data);
    if (web.stemmer) stele_stemmer_free(web.stemmer);
    memset(&web, 0, sizeof web);
}

/* Opens the index of size bytes at data (from web_alloc; it is owned from
 * now on, and freed by the next web_open).  Returns STELE_OK or an error;
 * on error no index is open. */
int WEB_EXPORT(web_open)(unsigned char *data, size_t size)
{
    stele_info info;
    size_t bound, bound0;
    int rc;

    close_index();
    web.data = data;
    rc = stele_open(&web.ix, data, size);
    /* The index came over the network or from a file the user picked:
     * check its CRCs once, here, so damage is an error, not odd hits. */
    if (rc == STELE_OK) rc = stele_check_crc(&web.ix);
    if (rc != STELE_OK) {
        close_index();
        return rc;
    }
    stele_index_info(&web.ix, &info);
    if (info.language && info.language[0] && strcmp(info.language, "none") != 0) {
        web.stemmer = stele_stemmer_new(info.language);
        if (!web.stemmer) {
            close_index();
            return STELE_ENOTFOUND;
        }
        web.opts.stem = stele_stemmer_stem;
        web.opts.stem_ctx = web.stemmer;
    }
    bound = stele_workspace_bound(&web.ix, WEB_MAX_HITS);
    bound0 = stele_workspace_bound(&web.ix, 0);
    web.ws_size = bound > bound0 ? bound : bound0;
    web.ws = malloc(web.ws_size ? web.ws_size : 1);
    if (!web.ws || grow_out(WEB_OUT_MIN) != 0) {
        close_index();
        return STELE_ENOMEM;
    }
    web.open = 1;
    return STELE_OK;
}

uint32_t WEB_EXPORT(web_doc_count)(void)
{
    stele_info info;
    if (!web.open) return 0;
    stele_index_info(&web.ix, &info);
    return info.n_docs;
}

/* Searches the query_len bytes in the query buffer for up to max_hits
 * hits.  Returns STELE_OK or an error; web_err_offset() has the byte
 * offset of a syntax or limit error. */
int WEB_EXPORT(web_search)(size_t query_len, size_t max_hits)
{
    int rc;
    web.n_hits = web.n_matches = 0;
    web.err_offset = 0;
    web.err_reason = 0;
    web.prepared = 0;
    if (!web.open) return STELE_EINVAL;
    if (query_len > sizeof web.query) return STELE_EINVAL;
    if (max_hits > WEB_MAX_HITS) max_hits = WEB_MAX_HITS;
    web.query_len = query_len;
    rc = run_search(max_hits);
    if (rc == STELE_ENOSPACE && grow_workspace(web.err_needed) == 0) rc = run_search(max_hits);
    if (rc != STELE_OK) web.n_hits = 0;
    return rc;
}

size_t WEB_EXPORT(web_n_hits)(void)
{
    return web.n_hits;
}

size_t WEB_EXPORT(web_n_matches)(void)
{
    return web.n_matches;
}

/* 1 when web_n_matches() is the exact count, 0 when a lower bound
 * (stele_query.matches_exact). */
int WEB_EXPORT(web_matches_exact)(void)
{
    return web.prepared && web.query_state.matches_exact;
}

size_t WEB_EXPORT(web_err_offset)(void)
{
    return web.err_offset;
}

/* Why the last search's query was refused, in words ("unclosed quote"). */
const char *WEB_EXPORT(web_err_reason)(void)
{
    return stele_query_reason(web.err_reason);
}

/* Fields of hit i of the last search, as web_hit() returns them. */
enum {
    WEB_HIT_DOC = 0,
    WEB_HIT_PARA = 1,
    WEB_HIT_PARA_KIND = 2,
    WEB_HIT_PARA_NUMBER = 3,
    WEB_HIT_ID_PTR = 4,
    WEB_HIT_ID_LEN = 5,
    WEB_HIT_TITLE_PTR = 6,
    WEB_HIT_TITLE_LEN = 7
};

/* Field `which` of hit i; 0 for a hit or field that does not exist. */
uintptr_t WEB_EXPORT(web_hit)(size_t i, int which)
{
    const stele_hit *h;
    if (i >= web.n_hits) return 0;
    h = &web.hits[i];
    switch (which) {
    case WEB_HIT_DOC:
        return h->doc;
    case WEB_HIT_PARA:
        return h->para;
    case WEB_HIT_PARA_KIND:
        return h->para_kind;
    case WEB_HIT_PARA_NUMBER:
        return h->para_number;
    case WEB_HIT_ID_PTR:
        return (uintptr_t)h->id.data;
    case WEB_HIT_ID_LEN:
        return h->id.len;
    case WEB_HIT_TITLE_PTR:
        return (uintptr_t)h->title.data;
    case WEB_HIT_TITLE_LEN:
        return h->title.len;
    default:
        return 0;
    }
}

double WEB_EXPORT(web_hit_score)(size_t i)
{
    return i < web.n_hits ? web.hits[i].score : 0.0;
}

/* The snippet of hit i of the last search into the output buffer, with
 * matched words marked as `marks` says (WEB_MARK_*). */
int WEB_EXPORT(web_snippet)(size_t i, int marks)
{
    stele_snippet_opts sopts;
    int rc;

    web.out_len = 0;
    if (i >= web.n_hits || !web.prepared) return STELE_EINVAL;
    memset(&sopts, 0, sizeof sopts);
    if (marks == WEB_MARK_CONTROL) {
        sopts.open = "\x02";
        sopts.close = "\x03";
    }
    /* The prepared query's diag.needed covers its snippets, so only the
     * output buffer can be short. */
    rc = run_snippet(&web.hits[i], &sopts);
    if (rc == STELE_ENOSPACE && web.out_len >= web.out_cap && grow_out(web.out_len + 1) == 0)
        rc = run_snippet(&web.hits[i], &sopts);
    if (rc != STELE_OK) web.out_len = 0;
    return rc;
}

/* Document doc's stored text (paragraphs separated by "\n") into the
 * output buffer. */
int WEB_EXPORT(web_doc_text)(uint32_t doc)
{
    int rc;
    web.out_len = 0;
    if (!web.open) return STELE_EINVAL;
    web.prepared = 0; /* the workspace is the text's now */
    rc = stele_doc_text(&web.ix, doc, web.ws, web.ws_size, web.out, web.out_cap, &web.out_len);
    if (rc == STELE_ENOSPACE && web.out_len >= web.out_cap) {
        if (grow_out(web.out_len + 1) != 0) return STELE_ENOMEM;
        rc = stele_doc_text(&web.ix, doc, web.ws, web.ws_size, web.out, web.out_cap, &web.out_len);
    }
    if (rc != STELE_OK) web.out_len = 0;
    return rc;
}

/* Document doc's identifier and title: pointer and length pairs into the
 * index, for the document view. */
uintptr_t WEB_EXPORT(web_doc_field)(uint32_t doc, int which)
{
    stele_view v = {NULL, 0};
    if (!web.open) return 0;
    if ((which == WEB_HIT_ID_PTR || which == WEB_HIT_ID_LEN) &&
        stele_doc_id(&web.ix, doc, &v) != STELE_OK)
        return 0;
    if ((which == WEB_HIT_TITLE_PTR || which == WEB_HIT_TITLE_LEN) &&
        stele_doc_title(&web.ix, doc, &v) != STELE_OK)
        return 0;
    switch (which) {
    case WEB_HIT_ID_PTR:
    case WEB_HIT_TITLE_PTR:
        return (uintptr_t)v.data;
    case WEB_HIT_ID_LEN:
    case WEB_HIT_TITLE_LEN:
        return v.len;
    default:
        return 0;
    }
}
