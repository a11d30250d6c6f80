/*
 * cmd_kiosk.c: `stele kiosk [-i INDEX] [--idle SECONDS]`, a full-screen
 * search terminal for unattended public places, built with ncurses.
 *
 * Screens.  The search screen is, from the top: a title bar; the search
 * line (the query being typed, with a cursor); a suggestion line; a status line (how many documents
 * match, or why a query cannot be searched yet, e.g. "unclosed quote"); the hits, four lines each
 * (rank, symbol and title; the matched paragraph's name; two lines of snippet with the matched
 * words highlighted, broken at word boundaries); and a key line.  Enter opens the selected hit's
 * whole text (the document screen), scrolled to the matched paragraph, which is highlighted; Esc
 * goes back to the hits.
 *
 * Search as you type.  Every edit marks the query dirty; it is searched
 * once no key has arrived for SEARCH_DELAY_MS, so fast typing does not
 * queue searches.  A query that does not parse yet (a phrase whose quote
 * is still open) shows the reason on the status line and no hits.
 *
 * Suggestions.  The suggestion line shows "Did you mean: ..." when a word
 * of the query is not in the index but near one that is
 * (stele_query_suggest), whether the query matched through the
 * correction or matched nothing; Ctrl-Y puts the suggestion on the search
 * line.  After it, while the cursor ends a word, come the index's words
 * that complete it (stele_complete, best first, as many as fit); Tab puts
 * the first in place of the word, with a space after it.  With neither,
 * the line says what Enter and Esc do.
 *
 * Keys.  Printable characters (UTF-8) edit the search line; Left, Right,
 * Home/Ctrl-A, End/Ctrl-E, Backspace, Delete, Ctrl-U (clear), Ctrl-W
 * (delete a word) and Ctrl-K move and delete; Tab completes the last
 * word and Ctrl-Y takes the "did you mean" suggestion.  Up, Down, PgUp and PgDn
 * move through the hits (or scroll a document), Enter opens, Esc goes back
 * (from the hits: clears the query).  An empty Enter does nothing.
 *
 * It never exits on visitor input: the terminal is in raw mode, so
 * Ctrl-C, Ctrl-Z and Ctrl-\ are keys like any other and are ignored.
 * The operator ends it with Ctrl-X followed by Ctrl-Q (unless started
 * with --no-exit-key), or a signal (SIGTERM, SIGINT, SIGHUP), after which
 * the terminal is restored.  After --idle SECONDS without a key (default
 * 120; 0 = never) it returns to the empty start screen, so the next
 * visitor does not see the last one's search.
 *
 * The terminal may be resized at any time (KEY_RESIZE redraws at the new
 * size); everything is laid out for 80x24 and up, and still drawn, less
 * roomily, below that.  Text is UTF-8 (the locale must say so, as
 * C.UTF-8 does): widths are counted in display columns with wcwidth.
 */
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700 /* wcwidth; ncursesw's pkg-config may say 600 */
#endif
#define NCURSES_WIDECHAR 1
#include "cli.h"

#ifndef STELE_HAVE_NCURSES
/* A build without ncurses (a cross build) has no kiosk, and says so. */
int cmd_kiosk(int argc, char **argv)
{
    cli_error("kiosk: this stele was built without ncurses (libncurses-dev)");
    return CLI_EXIT_ERROR;
}
#else
#include <curses.h>
#include <getopt.h>
#include <limits.h>
#include <locale.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wchar.h>

#include "stele_stem.h"

#define MAX_HITS        200
#define QUERY_CAP       512
#define SNIPPET_CAP     2048
#define MAX_SPANS       128
#define SEARCH_DELAY_MS 120
#define HIT_LINES       4
#define LIST_TOP        4
#define MAX_COMPLETIONS 8

static const char help_text[] =
    "Usage: stele kiosk [-i INDEX] [--idle SECONDS] [--no-exit-key]\n"
    "\n"
    "A full-screen search terminal for public places: search as you type,\n"
    "arrow keys to choose a hit, Enter to read it whole, Esc to go back.\n"
    "\n"
    "  -i, --index FILE    index to search (default: the bundled corpus)\n"
    "      --idle SECONDS  back to the start screen after SECONDS without a\n"
    "                      key (default 120, 0 = never)\n"
    "      --no-exit-key   no operator key: only a signal ends the kiosk\n"
    "  -h, --help          show this help\n"
    "\n"
    "Visitor keys never end it.  The operator ends it with Ctrl-X Ctrl-Q,\n"
    "or with a signal (SIGTERM, SIGINT, SIGHUP).\n";

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
    stop_signal = sig;
}

enum kiosk_screen { SCREEN_SEARCH, SCREEN_DOC };

/* A line of the document screen: bytes [start, end) of paragraph para's
 * text, or its label (label set). */
typedef struct doc_line {
    uint32_t para;
    uint32_t start, end;
    int label;
} doc_line;

typedef struct kiosk {
    stele_index ix;
    cli_map map;
    const char *index_path; /* NULL: the bundled index */
    const char *index_name;
    stele_stemmer *stemmer;
    stele_query_opts opts;
    unsigned char *ws;
    size_t ws_size;
    uint32_t n_docs;

    /* the search line */
    char query[QUERY_CAP];
    size_t query_len, cursor;
    int dirty;

    /* the prepared query and its hits */
    stele_query q;
    int have_query;
    stele_hit hits[MAX_HITS];
    size_t n_hits, n_matches;
    char status[160];
    size_t selected, top;

    /* the suggestion line: "did you mean" and completions of the last
     * word, found by run_search() with their own workspace */
    char suggest[QUERY_CAP];
    size_t suggest_len;
    stele_completion comps[MAX_COMPLETIONS];
    size_t n_comps;
    unsigned char *cws;
    size_t cws_size;

    /* the document screen */
    enum kiosk_screen screen;
    cli_doc doc;
    doc_line *lines;
    size_t n_lines, cap_lines, doc_top;
    uint32_t doc_para;
    int doc_width;

    int exit_key, exit_pending;
    long idle_seconds;
    time_t last_key;
    char snippet[SNIPPET_CAP];
    stele_span spans[MAX_SPANS];
} kiosk;

static size_t next_char(const kiosk *k, size_t i);

/* ---- UTF-8 text in display columns --------------------------------------- */

/* Decodes the character at s[i] (of len bytes): its byte length and
 * display width (0 for combining marks, 1 for bytes that do not decode). */
static size_t char_at(const char *s, size_t len, size_t i, int *width)
{
    mbstate_t st;
    wchar_t wc;
    size_t n;
    memset(&st, 0, sizeof st);
    n = mbrtowc(&wc, s + i, len - i, &st);
    if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
        *width = 1;
        return 1;
    }
    *width = wcwidth(wc);
    if (*width < 0) *width = 1;
    return n;
}

static int text_width(const char *s, size_t len)
{
    int cols = 0, w;
    for (size_t i = 0; i < len;) {
        i += char_at(s, len, i, &w);
        cols += w;
    }
    return cols;
}

/* The bytes of s that fit in cols columns. */
static size_t fit_bytes(const char *s, size_t len, int cols)
{
    size_t i = 0;
    int used = 0, w;
    while (i < len) {
        size_t n = char_at(s, len, i, &w);
        if (used + w > cols) break;
        used += w;
        i += n;
    }
    return i;
}

/* The next line of text[from, len) that fits in cols columns, broken at a
 * space (a word wider than the line is cut); returns its end, and in
 * *next where the following line starts (spaces skipped). */
static size_t wrap_line(const char *text, size_t len, size_t from, int cols, size_t *next)
{
    size_t i = from, brk = 0;
    int used = 0, w;
    while (i < len) {
        size_t n = char_at(text, len, i, &w);
        if (text[i] == '\n') break;
        if (text[i] == ' ') brk = i;
        if (used + w > cols) {
            if (brk > from) i = brk;
            break;
        }
        used += w;
        i += n;
    }
    if (i == from && i < len && text[i] != '\n') i += char_at(text, len, i, &w);
    *next = i;
    while (*next < len && (text[*next] == ' ' || text[*next] == '\n'))
        (*next)++;
    return i;
}

/* Draws text[from, to) at the cursor, the bytes inside a span bold. */
static void draw_marked(const char *text, size_t from, size_t to, const stele_span *spans,
                        size_t n_spans, attr_t base)
{
    size_t i = from;
    while (i < to) {
        size_t end = to;
        int marked = 0;
        for (size_t k = 0; k < n_spans; k++) {
            if (spans[k].start <= i && i < spans[k].end) {
                marked = 1;
                if (spans[k].end < end) end = spans[k].end;
            } else if (spans[k].start > i && spans[k].start < end) {
                end = spans[k].start;
            }
        }
        attrset(base | (marked ? A_BOLD | A_UNDERLINE : 0));
        addnstr(text + i, (int)(end - i));
        i = end;
    }
    attrset(A_NORMAL);
}

/* Draws s (len bytes) on row y from column x, cut to what fits. */
static void put_fit(int y, int x, const char *s, size_t len, attr_t attr)
{
    int cols = COLS - x;
    if (cols <= 0 || y >= LINES) return;
    attrset(attr);
    mvaddnstr(y, x, s, (int)fit_bytes(s, len, cols));
    attrset(A_NORMAL);
}

static void put_str(int y, int x, const char *s, attr_t attr)
{
    put_fit(y, x, s, strlen(s), attr);
}

/* ---- searching ----------------------------------------------------------- */

/* The completions of the word the cursor ends (none when it is inside
 * the query: a completion replaces the query's last word). */
static void find_completions(kiosk *k)
{
    stele_completions res;
    memset(&res, 0, sizeof res);
    res.items = k->comps;
    res.max = MAX_COMPLETIONS;
    k->n_comps = 0;
    if (k->cursor != k->query_len) return;
    if (stele_complete(&k->ix, k->query, k->query_len, &k->opts, &res, k->cws, k->cws_size) ==
        STELE_OK)
        k->n_comps = res.n;
}

/* "Did you mean": the query with its unknown words corrected, when the
 * prepared query has corrections. */
static void find_suggestion(kiosk *k)
{
    size_t n = 0;
    k->suggest_len = 0;
    if (stele_query_suggest(&k->q, k->query, k->query_len, k->suggest, sizeof k->suggest, &n) ==
            STELE_OK &&
        (n != k->query_len || memcmp(k->suggest, k->query, n) != 0))
        k->suggest_len = n;
}

static void run_search(kiosk *k)
{
    int rc;
    k->dirty = 0;
    k->have_query = 0;
    k->n_hits = k->n_matches = 0;
    k->selected = k->top = 0;
    k->status[0] = '\0';
    k->suggest_len = k->n_comps = 0;
    if (k->query_len == 0) return;
    /* The index file replaced or cut since the last search: the new one,
     * or a notice until a usable one is there (index_watch.c).  Nothing
     * shown may point into the old one any more. */
    rc = cli_index_refresh(k->index_path, &k->map, &k->ix, k->status, sizeof k->status);
    if (rc != 0) {
        cli_doc_free(&k->doc);
        k->screen = SCREEN_SEARCH;
    }
    if (rc < 0) {
        snprintf(k->status, sizeof k->status, "The index is being updated. Please try again.");
        return;
    }
    find_completions(k);
    rc = stele_query_prepare(&k->q, &k->ix, k->query, k->query_len, &k->opts, k->ws, k->ws_size);
    if (rc == STELE_ENOSPACE && k->q.diag.needed > k->ws_size) {
        unsigned char *p = realloc(k->ws, k->q.diag.needed);
        if (p) {
            k->ws = p;
            k->ws_size = k->q.diag.needed;
            rc = stele_query_prepare(&k->q, &k->ix, k->query, k->query_len, &k->opts, k->ws,
                                     k->ws_size);
        }
    }
    if (rc == STELE_ESYNTAX || rc == STELE_ELIMIT) {
        snprintf(k->status, sizeof k->status, "Keep typing: %s (at character %d)",
                 stele_query_reason(k->q.diag.reason), text_width(k->query, k->q.diag.offset) + 1);
        return;
    }
    if (rc == STELE_OK)
        rc = stele_query_run(&k->q, k->hits, MAX_HITS, 0, &k->n_hits, &k->n_matches);
    if (rc != STELE_OK) {
        snprintf(k->status, sizeof k->status, "Search failed: %s", stele_strerror(rc));
        return;
    }
    k->have_query = 1;
    find_suggestion(k);
    if (k->n_matches == 0)
        snprintf(k->status, sizeof k->status, "No document matches. Try other or fewer words.");
    else if (k->n_matches > k->n_hits)
        snprintf(k->status, sizeof k->status, "%zu documents match; the best %zu are listed.",
                 k->n_matches, k->n_hits);
    else
        snprintf(k->status, sizeof k->status, "%zu document%s match%s.", k->n_matches,
                 k->n_matches == 1 ? "" : "s", k->n_matches == 1 ? "es" : "");
}

/* ---- drawing ------------------------------------------------------------- */

static int list_rows(void)
{
    int rows = LINES - LIST_TOP - 1;
    return rows > 0 ? rows : 0;
}

static size_t hits_per_page(void)
{
    size_t n = (size_t)list_rows() / HIT_LINES;
    return n ? n : 1;
}

static void draw_title_bar(const kiosk *k, const char *right)
{
    char left[128];
    attrset(A_REVERSE);
    mvhline(0, 0, ' ', COLS);
    snprintf(left, sizeof left, " stele: search %u documents", (unsigned)k->n_docs);
    put_str(0, 0, left, A_REVERSE);
    if (right) {
        int w = text_width(right, strlen(right));
        if (w + 2 < COLS - (int)strlen(left)) put_str(0, COLS - w - 1, right, A_REVERSE);
    }
    attrset(A_NORMAL);
}

static void draw_key_line(const char *keys)
{
    attrset(A_REVERSE);
    mvhline(LINES - 1, 0, ' ', COLS);
    put_str(LINES - 1, 1, keys, A_REVERSE);
    attrset(A_NORMAL);
}

static void draw_hit(kiosk *k, size_t i, int y)
{
    const stele_hit *h = &k->hits[i];
    char head[32], para[64];
    int selected = i == k->selected, cols = COLS - 3;
    attr_t attr = selected ? A_REVERSE : A_NORMAL;
    stele_snippet_opts so;
    size_t len = 0, n_spans = 0, at, next;

    if (selected) {
        attrset(A_REVERSE);
        mvhline(y, 0, ' ', COLS);
    }
    snprintf(head, sizeof head, "%s%zu. ", selected ? ">" : " ", i + 1);
    put_str(y, 0, head, attr | A_BOLD);
    put_fit(y, (int)strlen(head), h->id.data, h->id.len, attr | A_BOLD);
    {
        int x = (int)strlen(head) + text_width(h->id.data, h->id.len) + 2;
        if (x < COLS) put_fit(y, x, h->title.data, h->title.len, attr);
    }
    cli_para_label(h->para_kind, h->para_number, para, sizeof para);
    put_str(y + 1, 3, para, A_DIM);

    memset(&so, 0, sizeof so);
    so.open = "";
    so.close = "";
    so.spans = k->spans;
    so.max_spans = MAX_SPANS;
    so.n_spans = &n_spans;
    so.max_bytes = (size_t)(cols > 20 ? cols : 20) * 2;
    if (stele_query_snippet(&k->q, h, &so, k->snippet, sizeof k->snippet, &len) != STELE_OK) return;
    if (n_spans > MAX_SPANS) n_spans = MAX_SPANS;
    at = 0;
    for (int line = 0; line < 2 && at < len && y + 2 + line < LINES - 1; line++) {
        size_t end = wrap_line(k->snippet, len, at, cols, &next);
        move(y + 2 + line, 3);
        draw_marked(k->snippet, at, end, k->spans, n_spans, A_NORMAL);
        at = next;
    }
}

static void draw_start(const kiosk *k)
{
    static const char *const lines[] = {
        "Type words to search; the hits appear as you type.",
        "",
        "Examples:  naloxone",
        "           \"alternatives to imprisonment\"",
        "           treatment NEAR/5 prison",
        "           55/12   (a resolution's symbol)",
        "",
        "Up and Down choose a hit, Enter shows its whole text, Esc goes back.",
    };
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
        if (LIST_TOP + 1 + (int)i < LINES - 1) put_str(LIST_TOP + 1 + (int)i, 2, lines[i], 0);
    (void)k;
}

/* The suggestion line: "Did you mean", then the completions that fit. */
static void draw_suggestions(const kiosk *k)
{
    int x = 0;
    if (k->suggest_len) {
        put_str(2, 0, "Did you mean: ", 0);
        x = 14;
        put_fit(2, x, k->suggest, k->suggest_len, A_BOLD);
        x += text_width(k->suggest, k->suggest_len);
        put_str(2, x, " (Ctrl-Y)", A_DIM);
        x += 9;
    }
    if (k->n_comps && x + 12 < COLS) {
        if (x) x += 3;
        put_str(2, x, "Tab:", A_DIM);
        x += 4;
        for (size_t i = 0; i < k->n_comps; i++) {
            int w = text_width(k->comps[i].word, k->comps[i].len);
            if (x + 2 + w > COLS - 1) break;
            put_fit(2, x + 2, k->comps[i].word, k->comps[i].len, i == 0 ? A_BOLD : 0);
            x += 2 + w;
        }
    }
    if (!k->suggest_len && !k->n_comps)
        put_str(2, 0, k->query_len ? "Enter opens the selected hit; Esc clears." : "", A_DIM);
}

static void draw_search(kiosk *k)
{
    const char *prompt = "Search: ";
    int px = (int)strlen(prompt), room = COLS - px - 1;
    size_t from = 0;

    erase();
    draw_title_bar(k, NULL);
    /* the search line, scrolled so the cursor stays in view */
    put_str(1, 0, prompt, A_BOLD);
    while (room > 0 && text_width(k->query + from, k->cursor - from) > room)
        from = next_char(k, from);
    put_fit(1, px, k->query + from, k->query_len - from, A_UNDERLINE);
    draw_suggestions(k);
    put_str(3, 0, k->status, A_BOLD);

    if (k->query_len == 0) {
        draw_start(k);
    } else {
        size_t per = hits_per_page();
        if (k->selected < k->top) k->top = k->selected;
        if (k->selected >= k->top + per) k->top = k->selected - per + 1;
        for (size_t i = k->top; i < k->n_hits && i < k->top + per; i++)
            draw_hit(k, i, LIST_TOP + (int)(i - k->top) * HIT_LINES);
    }
    draw_key_line("Up/Down choose  PgUp/PgDn page  Enter read  Esc clear");
    curs_set(1);
    move(1, px + text_width(k->query + from, k->cursor - from));
}

/* Lays the open document out at the screen's width. */
static int layout_doc(kiosk *k)
{
    int cols = COLS - 4 > 10 ? COLS - 4 : 10;
    k->n_lines = 0;
    k->doc_width = COLS;
    for (uint32_t p = 0; p < k->doc.n_paras; p++) {
        const stele_para *para = &k->doc.paras[p];
        const char *t = k->doc.text + para->text_off;
        size_t at = 0, next;
        for (int label = 1; label >= 0; label--) {
            if (!label && at >= para->text_len) break;
            do {
                if (k->n_lines == k->cap_lines) {
                    size_t cap = k->cap_lines ? 2 * k->cap_lines : 256;
                    doc_line *l = realloc(k->lines, cap * sizeof *l);
                    if (!l) return -1;
                    k->lines = l;
                    k->cap_lines = cap;
                }
                doc_line *l = &k->lines[k->n_lines++];
                l->para = p;
                l->label = label;
                if (label) {
                    l->start = l->end = 0;
                    break;
                }
                l->start = para->text_off + (uint32_t)at;
                l->end = para->text_off + (uint32_t)wrap_line(t, para->text_len, at, cols, &next);
                at = next;
            } while (at < para->text_len);
        }
    }
    return 0;
}

static size_t doc_rows(void)
{
    return LINES > 3 ? (size_t)(LINES - 2) : 1;
}

static void scroll_to_para(kiosk *k)
{
    for (size_t i = 0; i < k->n_lines; i++) {
        if (k->lines[i].para == k->doc_para) {
            k->doc_top = i;
            return;
        }
    }
    k->doc_top = 0;
}

static void draw_doc(kiosk *k)
{
    char pos[48];
    size_t rows = doc_rows();
    if (k->doc_width != COLS) {
        /* resized: lay out again, keeping the top line's paragraph */
        uint32_t para = k->n_lines ? k->lines[k->doc_top].para : 0;
        layout_doc(k);
        for (k->doc_top = 0; k->doc_top + 1 < k->n_lines && k->lines[k->doc_top].para < para;)
            k->doc_top++;
    }
    if (k->doc_top + rows > k->n_lines) k->doc_top = k->n_lines > rows ? k->n_lines - rows : 0;
    erase();
    snprintf(pos, sizeof pos, "line %zu of %zu ", k->doc_top + 1, k->n_lines);
    draw_title_bar(k, pos);
    {
        char head[512];
        int n = snprintf(head, sizeof head, "%.*s  %.*s", (int)k->doc.id.len, k->doc.id.data,
                         (int)k->doc.title.len, k->doc.title.data);
        if (n > 0)
            put_fit(1, 0, head, (size_t)n < sizeof head ? (size_t)n : sizeof head - 1, A_BOLD);
    }
    for (size_t r = 0; r + 1 < rows && k->doc_top + r < k->n_lines; r++) {
        const doc_line *l = &k->lines[k->doc_top + r];
        int y = 2 + (int)r, matched = l->para == k->doc_para;
        if (l->label) {
            const stele_para *p = &k->doc.paras[l->para];
            char label[80];
            cli_para_label(p->kind, p->number, label, sizeof label);
            if (matched) strncat(label, "  (matched)", sizeof label - strlen(label) - 1);
            put_str(y, 1, label, matched ? A_REVERSE | A_BOLD : A_DIM);
        } else {
            put_fit(y, 3, k->doc.text + l->start, l->end - l->start, matched ? A_BOLD : 0);
            if (matched) mvaddch(y, 1, ACS_VLINE);
        }
    }
    draw_key_line("Up/Down scroll  PgUp/PgDn page  Esc back to the hits");
    curs_set(0);
}

static void draw(kiosk *k)
{
    if (k->screen == SCREEN_DOC)
        draw_doc(k);
    else
        draw_search(k);
    refresh();
}

/* ---- keys ---------------------------------------------------------------- */

static void open_doc(kiosk *k)
{
    const stele_hit *h;
    if (!k->have_query || k->selected >= k->n_hits) return;
    h = &k->hits[k->selected];
    cli_doc_free(&k->doc);
    if (cli_doc_load(&k->ix, h->doc, &k->doc) != STELE_OK) {
        snprintf(k->status, sizeof k->status, "This document cannot be read.");
        return;
    }
    k->doc_para = h->para;
    if (layout_doc(k) != 0) {
        snprintf(k->status, sizeof k->status, "Out of memory.");
        cli_doc_free(&k->doc);
        return;
    }
    scroll_to_para(k);
    k->screen = SCREEN_DOC;
}

static void reset(kiosk *k)
{
    k->screen = SCREEN_SEARCH;
    k->query_len = k->cursor = 0;
    k->query[0] = '\0';
    k->dirty = 0;
    run_search(k);
}

static void insert_text(kiosk *k, const char *s, size_t n)
{
    if (k->query_len + n >= QUERY_CAP) return;
    memmove(k->query + k->cursor + n, k->query + k->cursor, k->query_len - k->cursor);
    memcpy(k->query + k->cursor, s, n);
    k->query_len += n;
    k->cursor += n;
    k->query[k->query_len] = '\0';
    k->dirty = 1;
}

/* Replaces the query from byte from to its end with text (n bytes); the
 * cursor goes to the end. */
static void replace_tail(kiosk *k, size_t from, const char *text, size_t n)
{
    if (from > k->query_len || from + n >= QUERY_CAP) return;
    memmove(k->query + from, text, n);
    k->query_len = from + n;
    k->cursor = k->query_len;
    k->query[k->query_len] = '\0';
    k->dirty = 1;
}

/* Tab: the first completion in place of the last word, and a space. */
static void take_completion(kiosk *k)
{
    char word[STELE_MAX_TERM_BYTES + 2];
    const stele_completion *c = &k->comps[0];
    if (k->n_comps == 0 || k->dirty || c->len > STELE_MAX_TERM_BYTES) return;
    memcpy(word, c->word, c->len);
    word[c->len] = ' ';
    replace_tail(k, c->start, word, c->len + 1);
}

/* Ctrl-Y: the "did you mean" suggestion as the query. */
static void take_suggestion(kiosk *k)
{
    char text[QUERY_CAP];
    size_t n = k->suggest_len;
    if (n == 0 || k->dirty) return;
    memcpy(text, k->suggest, n);
    replace_tail(k, 0, text, n);
}

static void delete_range(kiosk *k, size_t from, size_t to)
{
    if (from >= to) return;
    memmove(k->query + from, k->query + to, k->query_len - to);
    k->query_len -= to - from;
    k->cursor = from;
    k->query[k->query_len] = '\0';
    k->dirty = 1;
}

static size_t prev_char(const kiosk *k, size_t i)
{
    if (i == 0) return 0;
    i--;
    while (i > 0 && (k->query[i] & 0xC0) == 0x80)
        i--;
    return i;
}

static size_t next_char(const kiosk *k, size_t i)
{
    int w;
    return i < k->query_len ? i + char_at(k->query, k->query_len, i, &w) : i;
}

static void move_selection(kiosk *k, long delta)
{
    long s = (long)k->selected + delta;
    if (k->n_hits == 0) return;
    if (s < 0) s = 0;
    if (s >= (long)k->n_hits) s = (long)k->n_hits - 1;
    k->selected = (size_t)s;
}

static void scroll_doc(kiosk *k, long delta)
{
    long t = (long)k->doc_top + delta;
    if (t < 0) t = 0;
    k->doc_top = (size_t)t; /* draw_doc keeps it in range */
}

/* Handles one key; returns 1 when the operator asked to end. */
static int handle_key(kiosk *k, int type, wint_t ch)
{
    int key = type == KEY_CODE_YES ? (int)ch : -1;
    if (type == OK && ch == 0x18) { /* Ctrl-X: the operator's prefix */
        k->exit_pending = k->exit_key;
        return 0;
    }
    if (k->exit_pending) {
        k->exit_pending = 0;
        if (type == OK && ch == 0x11) return 1; /* Ctrl-Q */
    }
    if (key == KEY_RESIZE) return 0;
    if (k->screen == SCREEN_DOC) {
        if (type == OK && ch == 0x1b)
            k->screen = SCREEN_SEARCH;
        else if (key == KEY_UP)
            scroll_doc(k, -1);
        else if (key == KEY_DOWN)
            scroll_doc(k, 1);
        else if (key == KEY_PPAGE)
            scroll_doc(k, -(long)doc_rows() + 2);
        else if (key == KEY_NPAGE || (type == OK && ch == ' '))
            scroll_doc(k, (long)doc_rows() - 2);
        else if (key == KEY_HOME)
            k->doc_top = 0;
        else if (key == KEY_END)
            k->doc_top = k->n_lines;
        return 0;
    }
    if (type == OK) {
        if (ch == '\r' || ch == '\n') {
            if (k->dirty) run_search(k);
            open_doc(k); /* nothing to open: nothing happens */
        } else if (ch == 0x1b) {
            reset(k);
        } else if (ch == '\t') {
            if (k->dirty) run_search(k);
            take_completion(k);
        } else if (ch == 0x19) {
            if (k->dirty) run_search(k);
            take_suggestion(k);
        } else if (ch == 0x7f || ch == 0x08) {
            delete_range(k, prev_char(k, k->cursor), k->cursor);
        } else if (ch == 0x01) {
            k->cursor = 0;
        } else if (ch == 0x05) {
            k->cursor = k->query_len;
        } else if (ch == 0x15) {
            delete_range(k, 0, k->query_len);
        } else if (ch == 0x0b) {
            delete_range(k, k->cursor, k->query_len);
        } else if (ch == 0x17) {
            size_t i = k->cursor;
            while (i > 0 && k->query[i - 1] == ' ')
                i--;
            while (i > 0 && k->query[i - 1] != ' ')
                i--;
            delete_range(k, i, k->cursor);
        } else if (ch >= 0x20 && ch != 0x7f && !(ch >= 0x80 && ch < 0xa0)) {
            char mb[MB_LEN_MAX];
            mbstate_t st;
            size_t n;
            memset(&st, 0, sizeof st);
            n = wcrtomb(mb, (wchar_t)ch, &st);
            if (n != (size_t)-1) insert_text(k, mb, n);
        }
        return 0; /* other control keys (Ctrl-C, Ctrl-D, Ctrl-Z) are ignored */
    }
    switch (key) {
    case KEY_LEFT:
        k->cursor = prev_char(k, k->cursor);
        break;
    case KEY_RIGHT:
        k->cursor = next_char(k, k->cursor);
        break;
    case KEY_HOME:
        k->cursor = 0;
        break;
    case KEY_END:
        k->cursor = k->query_len;
        break;
    case KEY_BACKSPACE:
        delete_range(k, prev_char(k, k->cursor), k->cursor);
        break;
    case KEY_DC:
        delete_range(k, k->cursor, next_char(k, k->cursor));
        break;
    case KEY_UP:
        move_selection(k, -1);
        break;
    case KEY_DOWN:
        move_selection(k, 1);
        break;
    case KEY_PPAGE:
        move_selection(k, -(long)hits_per_page());
        break;
    case KEY_NPAGE:
        move_selection(k, (long)hits_per_page());
        break;
    case KEY_ENTER:
        if (k->dirty) run_search(k);
        open_doc(k);
        break;
    default:
        break;
    }
    return 0;
}

static int open_kiosk(kiosk *k, const char *path)
{
    stele_info info;
    size_t b1, b0;
    k->index_path = path;
    k->index_name = cli_index_name(path);
    if (cli_open_index(path, &k->map, &k->ix) != 0) return -1;
    stele_index_info(&k->ix, &info);
    k->n_docs = info.n_docs;
    if (cli_index_stemmer(k->index_name, &info, &k->stemmer, &k->opts) != 0) return -1;
    /* Search as you type: the word being typed also matches the words it
     * begins, so a visitor sees hits before finishing it. */
    k->opts.flags |= STELE_QUERY_AS_YOU_TYPE;
    k->opts.max_results = MAX_HITS;
    b1 = stele_workspace_bound(&k->ix, MAX_HITS);
    b0 = stele_workspace_bound(&k->ix, 0);
    k->ws_size = b1 > b0 ? b1 : b0;
    k->ws = malloc(k->ws_size ? k->ws_size : 1);
    /* completions need at most the bound for no hits (stele.h) */
    k->cws_size = b0;
    k->cws = malloc(b0 ? b0 : 1);
    if (!k->ws || !k->cws) {
        cli_error("out of memory (workspace of %zu bytes)", k->ws_size);
        return -1;
    }
    return 0;
}

static void close_kiosk(kiosk *k)
{
    cli_doc_free(&k->doc);
    free(k->lines);
    free(k->ws);
    free(k->cws);
    if (k->stemmer) stele_stemmer_free(k->stemmer);
    cli_unmap(&k->map);
}

static int kiosk_loop(kiosk *k)
{
    sigjmp_buf jump;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);

    if (!initscr()) {
        cli_error("kiosk: cannot start the terminal (is TERM set?)");
        return CLI_EXIT_ERROR;
    }
    raw();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    set_escdelay(25);
    timeout(SEARCH_DELAY_MS);
    k->last_key = time(NULL);
    /* A mapped index cut while hits or a document from it are on screen
     * faults on the next read of a lost page (index_watch.c): everything
     * from it is dropped, and the next search opens the file again. */
    if (sigsetjmp(jump, 1)) {
        cli_unmap(&k->map);
        memset(&k->ix, 0, sizeof k->ix);
        cli_doc_free(&k->doc);
        k->n_hits = k->n_matches = 0;
        k->have_query = 0;
        k->screen = SCREEN_SEARCH;
        k->dirty = k->query_len > 0;
        snprintf(k->status, sizeof k->status, "The index is being updated. Please try again.");
    }
    cli_fault_arm(&jump);
    draw(k);
    while (!stop_signal) {
        wint_t ch;
        int type = get_wch(&ch);
        if (type == ERR) {
            if (k->dirty) {
                run_search(k);
                draw(k);
            } else if (k->idle_seconds > 0 && time(NULL) - k->last_key >= k->idle_seconds &&
                       (k->query_len || k->screen != SCREEN_SEARCH)) {
                reset(k);
                draw(k);
            }
            continue;
        }
        k->last_key = time(NULL);
        if (handle_key(k, type, ch)) break;
        /* the edit shows at once; its search runs once the keys stop
         * coming (the ERR branch above) */
        draw(k);
    }
    cli_fault_restore(NULL);
    endwin();
    return CLI_EXIT_OK;
}

int cmd_kiosk(int argc, char **argv)
{
    static const struct option long_opts[] = {{"index", required_argument, NULL, 'i'},
                                              {"idle", required_argument, NULL, 'I'},
                                              {"no-exit-key", no_argument, NULL, 'X'},
                                              {"help", no_argument, NULL, 'h'},
                                              {NULL, 0, NULL, 0}};
    const char *index_path = NULL;
    kiosk *k;
    int c, status, exit_key = 1;
    long idle = 120;

    while ((c = getopt_long(argc, argv, "i:h", long_opts, NULL)) != -1) {
        char *end;
        switch (c) {
        case 'i':
            index_path = optarg;
            break;
        case 'I':
            idle = strtol(optarg, &end, 10);
            if (end == optarg || *end || idle < 0 || idle > 86400) {
                cli_error("kiosk: --idle wants seconds from 0 to 86400, not '%s'", optarg);
                return cli_usage_error("kiosk");
            }
            break;
        case 'X':
            exit_key = 0;
            break;
        case 'h':
            fputs(help_text, stdout);
            return CLI_EXIT_OK;
        default:
            return cli_bad_option("kiosk", argv);
        }
    }
    if (optind < argc) {
        cli_error("kiosk: no arguments but options, please");
        return cli_usage_error("kiosk");
    }
    k = calloc(1, sizeof *k);
    if (!k) {
        cli_error("out of memory");
        return CLI_EXIT_ERROR;
    }
    k->idle_seconds = idle;
    k->exit_key = exit_key;
    if (open_kiosk(k, index_path) != 0) {
        close_kiosk(k);
        free(k);
        return CLI_EXIT_ERROR;
    }
    setlocale(LC_ALL, "");
    status = kiosk_loop(k);
    close_kiosk(k);
    free(k);
    return status;
}
#endif /* STELE_HAVE_NCURSES */
