/*
 * cmd_search.c: `stele search`, the query front end.
 *
 *   stele search [-i INDEX] [-n N] [--json] QUERY...
 *
 * The words of QUERY are joined by single spaces into one query string.
 * Options may come anywhere (GNU argument permutation, as grep and ripgrep
 * do): `stele search naloxone -n 1` is the query "naloxone" with -n 1.  A
 * word that starts with '-' is an option, so a negative term goes inside
 * a quoted query ('drugs -prison') or after `--`, which ends the options.
 *
 * -c/--count prints the number of matching documents instead of hits, and
 * -l/--ids-only their ids, one per line (all of them, up to the runtime's
 * STELE_MAX_RESULTS, unless -n says fewer), as grep -c and -l do for
 * files.  --color=auto|always|never says when matched words are bold:
 * auto (the default) when standard output is a terminal and NO_COLOR is
 * unset or empty; always and never whatever NO_COLOR says, as ripgrep does.
 *
 * Without -i the index compiled into the binary is searched.  The index's
 * recorded language picks the stemmer (stele_stemmer_new), so queries are
 * analysed exactly as the documents were.  One workspace of
 * stele_workspace_bound(ix, N) bytes is allocated here, once, and reused by
 * every search and snippet; the library itself never allocates.
 *
 * Output, per hit: rank, document symbol, title, the paragraph that matched
 * best ("operative para 3", "footnote 12", "title"), the BM25 score and a
 * snippet whose matched words are bold (ESC[1m ... ESC[0m) when stdout is a
 * terminal (see --color), and marked [like this] otherwise; in that plain
 * output the text's own '[', ']' and '\\' get a '\\' before them, so a mark
 * is never confused with a bracket of the text.  The snippet is asked for
 * unmarked, with its highlights' byte ranges (stele_snippet_opts.spans),
 * and each output marks them its own way.
 * With --json each hit is one JSON object on its own line, built with
 * jansson so every string is escaped correctly.  Its fields are stable:
 *   query        the query string
 *   rank         1-based rank
 *   id           document symbol, e.g. "55/12"
 *   title        document title
 *   score        BM25 score (number)
 *   para         matched paragraph for people: "operative para 3"
 *   para_kind    "title", "preamble", "operative", "footnote", "text",
 *                "heading" or "field"
 *   para_number  the paragraph's number, or null when it has none
 *   doc          document number inside the index
 *   snippet      the snippet's text as written, unmarked
 *   highlights   [[start, end], ...]: byte ranges of its matched words
 *   matches      how many documents matched in all
 *   matches_exact  false when matches is a lower bound (ranking skipped
 *                documents that could not be among the hits; -c counts
 *                them all)
 * With -c --json each query gives {"query", "count"}.  In --json mode
 * errors are JSON objects on stderr too (cli_json_errors).
 *
 * Typo tolerance (the runtime's, see stele.h) is on unless --exact.  When
 * a word of the query is unknown to the index, the runtime's suggestion
 * (stele_query_suggest) is printed: "No results for 'Q'. Did you mean: S?"
 * when the query as typed, searched exactly, matches nothing, and then
 * S's hits are shown under "Showing results for 'S'."; otherwise "Did you
 * mean: S?" above the query's own hits.  --json hits carry did_you_mean
 * (or null) and corrected (true when they are S's hits).
 *
 * Without a query: on a terminal, the `stele> ` prompt of prompt.c (line
 * editing, history, paging; an empty line does nothing); otherwise every non-empty line
 * of standard input is one query, answered in turn (human output: a
 * "query:" line, the hits, a blank line; JSON: the lines carry "query").
 *
 * Exit status: 0 if some query found hits, 1 if none did, 2 on any error
 * (a bad query prints the query with a caret under the offending byte).
 */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "search_cli.h"

#define SNIPPET_CAP CLI_SNIPPET_CAP
#define MAX_SPANS   CLI_MAX_SPANS

static const char help_text[] =
    "Usage: stele search [OPTION]... QUERY...\n"
    "\n"
    "Search an index and print the best-ranked documents.\n"
    "\n"
    "  -i, --index FILE    index to search (default: the bundled corpus)\n"
    "  -n, --max N         show at most N hits (default 10)\n"
    "  -c, --count         print only the number of matching documents\n"
    "  -l, --ids-only      print only the matching documents' ids\n"
    "      --json          one JSON object per hit and line\n"
    "      --exact         no typo tolerance: words match only as typed\n"
    "      --color WHEN    bold matched words: auto (default), always, never\n"
    "  -h, --help          show this help\n"
    "\n"
    "Options may come anywhere; a word starting with '-' is an option, so\n"
    "quote a query with a negative term ('drugs -prison') or put it after\n"
    "'--'.  Without a query, read queries from a prompt (terminal) or one\n"
    "per line from standard input.\n"
    "\n"
    "Query language: words (all must match), a OR b, NOT a, -a, (a b),\n"
    "\"exact phrase\", NEAR(a b, 5), a NEAR/5 b, rehab*, title:word,\n"
    "footnote:\"a phrase\", symbols such as 55/12.\n"
    "\n"
    "Exit status: 0 hits found, 1 no hits, 2 error.\n";

typedef cli_searcher searcher;

static void format_para(const stele_hit *hit, char *out, size_t cap)
{
    cli_para_label(hit->para_kind, hit->para_number, out, cap);
}

/* Characters of the query shown on each side of an error's offset: a
 * syntax error in a long query shows where, not the whole query. */
#define CARET_CONTEXT 60

/* Characters (not bytes) of s, so the caret lines up under UTF-8. */
static size_t columns(const char *s)
{
    size_t col = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80) col++;
    return col;
}

/* Prints the query (made safe for the terminal; cut to CARET_CONTEXT
 * characters each side of offset) and a caret under byte offset. */
static void print_caret(const char *query, size_t len, size_t offset)
{
    char before[8 * CARET_CONTEXT + 16], after[8 * CARET_CONTEXT + 16];
    size_t from = offset, to = offset, n;
    if (offset > len) offset = from = to = len;
    for (n = 0; from > 0 && n < CARET_CONTEXT; n++)
        do
            from--;
        while (from > 0 && ((unsigned char)query[from] & 0xC0) == 0x80);
    for (n = 0; to < len && n < CARET_CONTEXT; n++)
        do
            to++;
        while (to < len && ((unsigned char)query[to] & 0xC0) == 0x80);
    cli_safe_text(before, sizeof before, query + from, offset - from);
    cli_safe_text(after, sizeof after, query + offset, to - offset);
    fprintf(stderr, "  %s%s%s%s\n  %*s^\n", from > 0 ? "\xE2\x80\xA6" : "", before, after,
            to < len ? "\xE2\x80\xA6" : "", (int)(columns(before) + (from > 0)), "");
}

/* [[start, end], ...]: the highlights' byte ranges in the snippet. */
static json_t *json_spans(const stele_span *spans, size_t n)
{
    json_t *a = json_array();
    size_t i;
    for (i = 0; a && i < n; i++) {
        json_t *pair = json_pack("[II]", (json_int_t)spans[i].start, (json_int_t)spans[i].end);
        if (!pair || json_array_append_new(a, pair) != 0) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

/* The did_you_mean field: the corrected query, or null. */
static json_t *did_you_mean(const searcher *s)
{
    return s->did_you_mean ? cli_json_text(s->did_you_mean, strlen(s->did_you_mean)) : json_null();
}

static int print_json_hit(const searcher *s, const char *query, size_t query_len, size_t rank,
                          const stele_hit *hit, const char *para, size_t n_matches,
                          int matches_exact)
{
    const char *token = cli_para_token(hit->para_kind), *snippet = s->snippet;
    json_t *o = json_object();
    char *line;
    int rc = -1;

    if (!o) return -1;
    if (json_object_set_new(o, "query", cli_json_text(query, query_len)) ||
        json_object_set_new(o, "rank", json_integer((json_int_t)rank)) ||
        json_object_set_new(o, "id", cli_json_text(hit->id.data, hit->id.len)) ||
        json_object_set_new(o, "title", cli_json_text(hit->title.data, hit->title.len)) ||
        json_object_set_new(o, "score", json_real(hit->score)) ||
        json_object_set_new(o, "para", json_string(para)) ||
        json_object_set_new(o, "para_kind", json_string(token)) ||
        json_object_set_new(o, "para_number",
                            hit->para_number ? json_integer(hit->para_number) : json_null()) ||
        json_object_set_new(o, "doc", json_integer(hit->doc)) ||
        json_object_set_new(o, "snippet", cli_json_text(snippet, strlen(snippet))) ||
        json_object_set_new(o, "highlights", json_spans(s->spans, s->n_spans)) ||
        json_object_set_new(o, "matches", json_integer((json_int_t)n_matches)) ||
        json_object_set_new(o, "matches_exact", json_boolean(matches_exact)) ||
        json_object_set_new(o, "did_you_mean", did_you_mean(s)) ||
        json_object_set_new(o, "corrected", json_boolean(s->corrected)))
        goto out;
    line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
    if (!line) goto out;
    puts(line);
    free(line);
    rc = 0;
out:
    json_decref(o);
    return rc;
}

/* -c --json: {"query": ..., "count": N}, for no match too. */
static int print_json_count(const char *query, size_t query_len, size_t count)
{
    json_t *o = json_object();
    char *line;
    int rc = -1;
    if (!o) return -1;
    if (json_object_set_new(o, "query", cli_json_text(query, query_len)) ||
        json_object_set_new(o, "count", json_integer((json_int_t)count)))
        goto out;
    line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (!line) goto out;
    puts(line);
    free(line);
    rc = 0;
out:
    json_decref(o);
    return rc;
}

/* An output line being built (the prompt wraps it before printing). */
typedef struct line_buf {
    char *p;
    size_t len, cap;
    int failed;
} line_buf;

static void lb_put(line_buf *b, const char *s, size_t n)
{
    if (b->failed) return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        char *p;
        while (cap < b->len + n + 1)
            cap *= 2;
        p = realloc(b->p, cap);
        if (!p) {
            b->failed = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

/* Appends len bytes of text from an index or an input, made safe for a
 * terminal by cli_put_safe() (control characters escaped, invalid UTF-8
 * replaced), with a backslash before each byte of also. */
static void lb_put_safe(line_buf *b, const char *text, size_t len, const char *also)
{
    size_t n = 0;
    char *p = cli_safe_dup(text, len, also, &n);
    if (!p) {
        b->failed = 1;
        return;
    }
    lb_put(b, p, n);
    free(p);
}

/* Appends text[from, to); in plain (uncoloured) output every '[', ']' and
 * '\\' of the text gets a '\\' before it, so the [marks] are the only
 * unescaped brackets. */
static void put_text(const searcher *s, line_buf *b, const char *text, size_t from, size_t to)
{
    lb_put_safe(b, text + from, to - from, s->color ? NULL : "[]\\");
}

/* The snippet with its highlights bold (terminal) or [marked] (plain). */
static void render_snippet(const searcher *s, line_buf *b)
{
    const char *open = s->color ? "\033[1m" : "[", *close = s->color ? "\033[0m" : "]";
    size_t at = 0, i, n = s->n_spans < MAX_SPANS ? s->n_spans : MAX_SPANS;
    size_t len = strlen(s->snippet);
    for (i = 0; i < n; i++) {
        const stele_span *sp = &s->spans[i];
        if (sp->start < at || sp->end > len) continue;
        put_text(s, b, s->snippet, at, sp->start);
        lb_put(b, open, strlen(open));
        put_text(s, b, s->snippet, sp->start, sp->end);
        lb_put(b, close, strlen(close));
        at = sp->end;
    }
    put_text(s, b, s->snippet, at, len);
}

/* Prints a line, wrapped at word boundaries at the prompt. */
static void print_line(const searcher *s, const char *text, size_t len, unsigned indent)
{
    if (s->width) {
        printf("%*s", (int)indent, "");
        cli_print_wrapped(text, len, indent, 3, s->width);
    } else {
        printf("%*s%.*s\n", (int)indent, "", (int)len, text);
    }
}

static int print_human_hit(const searcher *s, size_t rank, const stele_hit *hit, const char *para)
{
    line_buf b = {NULL, 0, 0, 0};
    char head[64];
    int n = snprintf(head, sizeof head, "%zu. ", rank);
    lb_put(&b, head, (size_t)n);
    lb_put_safe(&b, hit->id.data, hit->id.len, NULL);
    lb_put(&b, "  ", 2);
    lb_put_safe(&b, hit->title.data, hit->title.len, NULL);
    if (!b.failed) print_line(s, b.p, b.len, 0);
    printf("   %s, score %.3f\n", para, hit->score);
    b.len = 0;
    if (s->snippet[0]) {
        render_snippet(s, &b);
        if (!b.failed) print_line(s, b.p, b.len, 3);
    }
    free(b.p);
    return b.failed ? -1 : 0;
}

/* Grows the workspace to need bytes; the bound should make this dead code,
 * but a runtime that asks for more still gets it instead of failing. */
static int grow_workspace(searcher *s, size_t need)
{
    unsigned char *p;
    if (need <= s->ws_size) return -1;
    p = realloc(s->ws, need);
    if (!p) return -1;
    s->ws = p;
    s->ws_size = need;
    return 0;
}

/* Names the index's fields, for an unknown-field error. */
static void print_fields(const searcher *s)
{
    stele_info info;
    stele_index_info(&s->ix, &info);
    fputs("  fields of this index:", stderr);
    for (unsigned f = 0; f < info.n_fields; f++) {
        stele_view v;
        if (stele_field_name(&s->ix, f, &v) == STELE_OK) {
            fputc(' ', stderr);
            cli_put_safe(stderr, v.data, v.len, NULL);
        }
    }
    fputc('\n', stderr);
}

/* Prepares query in the workspace, growing it once if the query needs
 * more than the bound (a long query). */
static int prepare(searcher *s, stele_query *q, const char *query, size_t len)
{
    int rc = stele_query_prepare(q, &s->ix, query, len, &s->opts, s->ws, s->ws_size);
    if (rc == STELE_ENOSPACE && grow_workspace(s, q->diag.needed) == 0)
        rc = stele_query_prepare(q, &s->ix, query, len, &s->opts, s->ws, s->ws_size);
    return rc;
}

/* How many documents query matches with every word as typed (exact). */
static int count_exact(searcher *s, const char *query, size_t len, size_t *n_matches)
{
    stele_query q;
    stele_query_opts saved = s->opts;
    int rc;
    s->opts.flags |= STELE_QUERY_EXACT;
    rc = prepare(s, &q, query, len);
    s->opts = saved;
    if (rc == STELE_OK) rc = stele_query_run(&q, NULL, 0, 0, NULL, n_matches);
    return rc;
}

/*
 * "Did you mean": when the prepared query q (of query) has a suggestion,
 * sets s->did_you_mean to it, and when the query as typed matches nothing
 * exactly, prints so and prepares and runs the suggestion in q instead
 * (s->corrected).  Returns a runtime status; *n_hits and *n_matches are
 * those of the query left in q.
 */
static int suggest(searcher *s, stele_query *q, const char *query, size_t len, size_t *n_hits,
                   size_t *n_matches)
{
    size_t fix_len = 0, exact = *n_matches;
    char *fix;
    int rc = stele_query_suggest(q, query, len, NULL, 0, &fix_len);

    if (rc == STELE_ENOTFOUND) return STELE_OK;
    if (rc != STELE_ENOSPACE) return rc;
    if (!(fix = malloc(fix_len + 1))) return STELE_ENOMEM;
    rc = stele_query_suggest(q, query, len, fix, fix_len + 1, &fix_len);
    if (rc != STELE_OK) {
        free(fix);
        return rc;
    }
    s->did_you_mean = fix;
    if (q->n_fuzzy > 0 && (rc = count_exact(s, query, len, &exact)) != STELE_OK) return rc;
    if (exact > 0) {
        /* the query as typed has hits of its own: keep them */
        if (q->n_fuzzy > 0 && (rc = prepare(s, q, query, len)) == STELE_OK)
            rc = stele_query_run(q, s->hits, s->max_hits, 0, n_hits, n_matches);
        if (!s->json) printf("Did you mean: %s?\n", fix);
        return rc;
    }
    if (!s->json) {
        printf("No results for '%.*s'. Did you mean: %s?\n", (int)len, query, fix);
        printf("Showing results for '%s'.\n", fix);
    }
    s->corrected = 1;
    rc = prepare(s, q, fix, fix_len);
    if (rc == STELE_OK) rc = stele_query_run(q, s->hits, s->max_hits, 0, n_hits, n_matches);
    return rc;
}

/* How much of a query is echoed back (batch headers, JSON errors): at
 * most ECHO_MAX bytes, cut at a character boundary, so that a long query
 * is not written out whole again. */
#define ECHO_MAX 256
static size_t echo_len(const char *query, size_t len)
{
    size_t shown = len;
    if (shown > ECHO_MAX)
        for (shown = ECHO_MAX; shown > 0 && ((unsigned char)query[shown] & 0xC0) == 0x80;)
            shown--;
    return shown;
}

static int search_query(cli_searcher *s, const char *query, size_t len, int batch, size_t offset,
                        size_t *n_matches_out)
{
    stele_snippet_opts sopts;
    stele_query q;
    size_t n_hits = 0, n_matches = 0, i;
    int rc, status = CLI_EXIT_OK;

    if (batch && !s->json && !s->count_only && !s->ids_only) {
        size_t shown = echo_len(query, len);
        fputs("query: ", stdout);
        cli_put_safe(stdout, query, shown, NULL);
        fputs(shown < len ? "\xE2\x80\xA6\n" : "\n", stdout); /* U+2026 */
    }
    rc = prepare(s, &q, query, len);
    if ((rc == STELE_ESYNTAX || rc == STELE_ELIMIT) && s->json) {
        json_t *f = json_object();
        if (f) {
            json_object_set_new(f, "query", cli_json_text(query, echo_len(query, len)));
            json_object_set_new(f, "offset", json_integer((json_int_t)q.diag.offset));
            json_object_set_new(f, "reason", json_string(stele_query_reason(q.diag.reason)));
        }
        cli_error_json(f, "bad query at byte %zu: %s", q.diag.offset,
                       stele_query_reason(q.diag.reason));
        return CLI_EXIT_ERROR;
    }
    if (rc == STELE_ESYNTAX || rc == STELE_ELIMIT) {
        cli_error("bad query at byte %zu: %s", q.diag.offset, stele_query_reason(q.diag.reason));
        print_caret(query, len, q.diag.offset);
        if (q.diag.reason == STELE_QR_FIELD) print_fields(s);
        return CLI_EXIT_ERROR;
    }
    /* -c asks for no hits: then every match is counted (ranking for hits
     * may skip documents, and count only a lower bound) */
    if (rc == STELE_OK)
        rc = stele_query_run(&q, s->hits, s->count_only ? 0 : s->max_hits, offset, &n_hits,
                             &n_matches);
    free(s->did_you_mean);
    s->did_you_mean = NULL;
    s->corrected = 0;
    if (rc == STELE_OK && offset == 0 && !s->count_only && !s->ids_only)
        rc = suggest(s, &q, query, len, &n_hits, &n_matches);
    if (rc != STELE_OK) {
        cli_error("%s: search failed: %s", s->index_name, stele_strerror(rc));
        return CLI_EXIT_ERROR;
    }
    if (n_matches_out) *n_matches_out = n_matches;
    if (s->count_only) {
        if (s->json) {
            if (print_json_count(query, len, n_matches) != 0) {
                cli_error("out of memory");
                return CLI_EXIT_ERROR;
            }
        } else {
            printf("%zu\n", n_matches);
        }
        return n_matches ? CLI_EXIT_OK : CLI_EXIT_NOMATCH;
    }
    if (s->ids_only) {
        for (i = 0; i < n_hits; i++) {
            cli_put_safe(stdout, s->hits[i].id.data, s->hits[i].id.len, NULL);
            putchar('\n');
        }
        return n_hits ? CLI_EXIT_OK : CLI_EXIT_NOMATCH;
    }
    if (q.n_cut && !s->json)
        printf("(a prefix matched %u words; the %u most frequent were searched)\n",
               (unsigned)q.n_prefix_words, (unsigned)q.n_terms);
    if (n_hits == 0) {
        if (!s->json) puts("no documents match");
        return CLI_EXIT_NOMATCH;
    }

    /* The snippet comes unmarked, with its highlights' byte ranges, so
     * each output marks them its own way (bold, escaped [marks], JSON). */
    memset(&sopts, 0, sizeof sopts);
    sopts.open = "";
    sopts.close = "";
    sopts.spans = s->spans;
    sopts.max_spans = MAX_SPANS;
    sopts.n_spans = &s->n_spans;
    for (i = 0; i < n_hits; i++) {
        const stele_hit *hit = &s->hits[i];
        char para[64];
        size_t snippet_len = 0;

        format_para(hit, para, sizeof para);
        rc = stele_query_snippet(&q, hit, &sopts, s->snippet, SNIPPET_CAP, &snippet_len);
        if (rc != STELE_OK) {
            char id[128];
            cli_error("%s: snippet of %s: %s", s->index_name,
                      cli_safe_text(id, sizeof id, hit->id.data, hit->id.len), stele_strerror(rc));
            s->snippet[0] = '\0';
            s->n_spans = 0;
            status = CLI_EXIT_ERROR;
        }
        if (s->n_spans > MAX_SPANS) s->n_spans = MAX_SPANS;
        if (s->json ? print_json_hit(s, query, len, offset + i + 1, hit, para, n_matches,
                                     (int)q.matches_exact)
                    : print_human_hit(s, offset + i + 1, hit, para)) {
            cli_error("out of memory");
            return CLI_EXIT_ERROR;
        }
    }
    /* Ranking skips documents that cannot reach the top without counting
     * them; the count is then a lower bound, and says so. */
    if (!s->json && s->interactive && (n_matches > offset + n_hits || !q.matches_exact))
        printf("(hits %zu-%zu of %s%zu; .more shows more, .show N a whole text)\n", offset + 1,
               offset + n_hits, q.matches_exact ? "" : "at least ", n_matches);
    else if (!s->json && s->interactive)
        printf("(%zu matching document%s; .show N shows a whole text)\n", n_matches,
               n_matches == 1 ? "" : "s");
    else if (!s->json && (n_matches > n_hits || !q.matches_exact))
        printf("(%zu of %s%zu matching documents; -n shows more)\n", n_hits,
               q.matches_exact ? "" : "at least ", n_matches);
    return status;
}

static int search_hit(cli_searcher *s, const char *query, size_t len, size_t rank, stele_hit *hit)
{
    stele_query q;
    size_t n_hits = 0;
    int rc = prepare(s, &q, query, len);
    if (rc == STELE_OK && rank > STELE_MAX_RESULTS) return CLI_EXIT_NOMATCH;
    if (rc == STELE_OK) rc = stele_query_run(&q, hit, 1, rank - 1, &n_hits, NULL);
    if (rc != STELE_OK) {
        cli_error("%s: search failed: %s", s->index_name, stele_strerror(rc));
        return CLI_EXIT_ERROR;
    }
    return n_hits ? CLI_EXIT_OK : CLI_EXIT_NOMATCH;
}

/* The index file as it is now (index_watch.c): 0, or -1 when it changed
 * and cannot be opened (printed). */
static int refresh(cli_searcher *s)
{
    char why[512];
    int rc = cli_index_refresh(s->index_path, &s->map, &s->ix, why, sizeof why);
    if (rc < 0) cli_error("%s", why);
    if (rc == 1) {
        stele_info info;
        stele_index_info(&s->ix, &info);
        s->n_docs = info.n_docs;
    }
    return rc < 0 ? -1 : 0;
}

int cli_search_guarded(cli_searcher *s, cli_search_fn fn, void *arg)
{
    sigjmp_buf jump;
    sigjmp_buf *volatile previous = NULL;
    int st;

    if (sigsetjmp(jump, 1)) {
        cli_fault_restore(previous);
        cli_index_fault(s->index_path, &s->map, &s->ix);
        return CLI_EXIT_ERROR;
    }
    previous = cli_fault_arm(&jump);
    st = refresh(s) != 0 ? CLI_EXIT_ERROR : fn(s, arg);
    cli_fault_restore(previous);
    return st;
}

/* The arguments of cli_search_query() and cli_search_hit(), passed
 * through cli_search_guarded(). */
typedef struct search_call {
    const char *query;
    size_t len;
    int batch;
    size_t offset;
    size_t *n_matches;
    size_t rank;
    stele_hit *hit;
} search_call;

static int query_call(cli_searcher *s, void *arg)
{
    const search_call *c = arg;
    return search_query(s, c->query, c->len, c->batch, c->offset, c->n_matches);
}

static int hit_call(cli_searcher *s, void *arg)
{
    const search_call *c = arg;
    return search_hit(s, c->query, c->len, c->rank, c->hit);
}

int cli_search_query(cli_searcher *s, const char *query, size_t len, int batch, size_t offset,
                     size_t *n_matches)
{
    search_call c = {query, len, batch, offset, n_matches, 0, NULL};
    return cli_search_guarded(s, query_call, &c);
}

int cli_search_hit(cli_searcher *s, const char *query, size_t len, size_t rank, stele_hit *hit)
{
    search_call c = {query, len, 0, 0, NULL, rank, hit};
    return cli_search_guarded(s, hit_call, &c);
}

/* Reads one line into *line (without its end of line); -1 at end of input. */
static ssize_t read_line(char **line, size_t *cap, FILE *in)
{
    ssize_t n = getline(line, cap, in);
    if (n < 0) return -1;
    while (n > 0 && ((*line)[n - 1] == '\n' || (*line)[n - 1] == '\r'))
        (*line)[--n] = '\0';
    return n;
}

static int is_blank(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return *s == '\0';
}

/* One query per line of a non-terminal stdin. */
static int run_batch(searcher *s)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int any_hits = 0, any_error = 0, first = 1;

    while ((n = read_line(&line, &cap, stdin)) >= 0) {
        int st;
        if (is_blank(line)) continue;
        if (!first && !s->json && !s->count_only && !s->ids_only) putchar('\n');
        first = 0;
        st = cli_search_query(s, line, (size_t)n, 1, 0, NULL);
        /* each answer as soon as it is there, for a program on the pipe */
        fflush(stdout);
        if (st == CLI_EXIT_OK)
            any_hits = 1;
        else if (st == CLI_EXIT_ERROR)
            any_error = 1;
    }
    if (ferror(stdin)) {
        cli_error("standard input: read error");
        any_error = 1;
    }
    free(line);
    if (any_error) return CLI_EXIT_ERROR;
    return any_hits ? CLI_EXIT_OK : CLI_EXIT_NOMATCH;
}

/* --color=WHEN: 1 always, 0 never, -1 auto; -2 for a word it does not know. */
static int parse_color(const char *when)
{
    if (strcmp(when, "always") == 0) return 1;
    if (strcmp(when, "never") == 0) return 0;
    if (strcmp(when, "auto") == 0) return -1;
    return -2;
}

static int use_color(int when)
{
    const char *no_color = getenv("NO_COLOR");
    if (when >= 0) return when;
    return isatty(STDOUT_FILENO) && !(no_color && no_color[0]);
}

/* Joins argv words with single spaces into a new string. */
static char *join_words(int n, char **words, size_t *len)
{
    size_t total = 0, pos = 0;
    char *q;
    int i;
    for (i = 0; i < n; i++)
        total += strlen(words[i]) + 1;
    q = malloc(total + 1);
    if (!q) return NULL;
    for (i = 0; i < n; i++) {
        size_t w = strlen(words[i]);
        if (i) q[pos++] = ' ';
        memcpy(q + pos, words[i], w);
        pos += w;
    }
    q[pos] = '\0';
    *len = pos;
    return q;
}

/* Opens the index for pages of max_hits hits reaching up to hit number
 * reach (offset included). */
static int open_searcher(searcher *s, const char *path, size_t max_hits, size_t reach)
{
    stele_info info;
    size_t bound, bound0;

    s->index_path = path;
    s->index_name = cli_index_name(path);
    if (cli_open_index(path, &s->map, &s->ix) != 0) return -1;
    stele_index_info(&s->ix, &info);
    s->n_docs = info.n_docs;
    if (cli_index_stemmer(s->index_name, &info, &s->stemmer, &s->opts) != 0) return -1;
    s->opts.max_results = (uint32_t)reach;
    bound = stele_workspace_bound(&s->ix, reach);
    bound0 = stele_workspace_bound(&s->ix, 0);
    s->ws_size = bound > bound0 ? bound : bound0;
    if (s->ws_size == 0) s->ws_size = 1;
    s->ws = malloc(s->ws_size);
    s->hits = calloc(max_hits, sizeof *s->hits);
    s->snippet = malloc(SNIPPET_CAP);
    s->max_hits = max_hits;
    s->hits_cap = max_hits;
    if (!s->ws || !s->hits || !s->snippet) {
        cli_error("out of memory (workspace of %zu bytes)", s->ws_size);
        return -1;
    }
    s->snippet[0] = '\0';
    return 0;
}

static void close_searcher(searcher *s)
{
    free(s->did_you_mean);
    free(s->ws);
    free(s->hits);
    free(s->snippet);
    if (s->stemmer) stele_stemmer_free(s->stemmer);
    cli_unmap(&s->map);
}

int cmd_search(int argc, char **argv)
{
    static const struct option long_opts[] = {
        {"index", required_argument, NULL, 'i'}, {"max", required_argument, NULL, 'n'},
        {"count", no_argument, NULL, 'c'},       {"ids-only", no_argument, NULL, 'l'},
        {"json", no_argument, NULL, 'j'},        {"exact", no_argument, NULL, 'E'},
        {"color", required_argument, NULL, 'C'}, {"colour", required_argument, NULL, 'C'},
        {"help", no_argument, NULL, 'h'},        {NULL, 0, NULL, 0}};
    const char *index_path = NULL;
    unsigned long max_hits = 10;
    int max_given = 0, color_when = -1, interactive, exact = 0;
    searcher s;
    int c, status;

    memset(&s, 0, sizeof s);
    cli_json_errors = cli_wants_json(argc, argv);
    if (cli_json_errors) opterr = 0; /* getopt's own messages are not JSON */
    while ((c = getopt_long(argc, argv, "i:n:clh", long_opts, NULL)) != -1) {
        char *end;
        switch (c) {
        case 'i':
            index_path = optarg;
            break;
        case 'n':
            max_hits = strtoul(optarg, &end, 10);
            if (end == optarg || *end || optarg[0] == '-' || max_hits < 1 ||
                max_hits > STELE_MAX_RESULTS) {
                cli_error("search: -n wants a number from 1 to %d, not '%s'", STELE_MAX_RESULTS,
                          optarg);
                return cli_usage_error("search");
            }
            max_given = 1;
            break;
        case 'c':
            s.count_only = 1;
            break;
        case 'l':
            s.ids_only = 1;
            break;
        case 'j':
            s.json = 1;
            break;
        case 'E':
            exact = 1;
            break;
        case 'C':
            color_when = parse_color(optarg);
            if (color_when == -2) {
                cli_error("search: --color wants auto, always or never, not '%s'", optarg);
                return cli_usage_error("search");
            }
            break;
        case 'h':
            fputs(help_text, stdout);
            return CLI_EXIT_OK;
        default:
            return cli_bad_option("search", argv);
        }
    }
    if (s.count_only && s.ids_only) {
        cli_error("search: -c and -l do not go together");
        return cli_usage_error("search");
    }
    /* -l lists every matching document, as grep -l lists every file,
     * unless -n asks for fewer. */
    if (s.ids_only && !max_given) max_hits = STELE_MAX_RESULTS;
    if (s.count_only) max_hits = 1;
    s.color = !s.json && use_color(color_when);
    /* the prompt pages through up to STELE_MAX_RESULTS hits */
    interactive = optind >= argc && isatty(STDIN_FILENO);
    s.page_fixed = max_given;
    if (open_searcher(&s, index_path, (size_t)max_hits,
                      interactive ? STELE_MAX_RESULTS : (size_t)max_hits) != 0) {
        close_searcher(&s);
        return CLI_EXIT_ERROR;
    }
    if (exact) s.opts.flags |= STELE_QUERY_EXACT;
    if (optind < argc) {
        size_t len;
        char *query = join_words(argc - optind, argv + optind, &len);
        if (!query) {
            cli_error("out of memory");
            status = CLI_EXIT_ERROR;
        } else if (is_blank(query)) {
            cli_error("empty query");
            status = CLI_EXIT_ERROR;
            free(query);
        } else {
            status = cli_search_query(&s, query, len, 0, 0, NULL);
            free(query);
        }
    } else if (interactive) {
        status = cli_prompt(&s);
    } else {
        status = run_batch(&s);
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        cli_error("standard output: write error");
        status = CLI_EXIT_ERROR;
    }
    close_searcher(&s);
    return status;
}
