/*
 * prompt.c: the `stele> ` prompt of `stele` and `stele search` without a
 * query, on a terminal.
 *
 * Lines are read with libedit (its readline interface): the arrow keys,
 * Ctrl-A/E/K/L and the rest of Emacs-style editing work, and Up recalls
 * earlier queries (the history of the session, kept in memory only: a
 * public terminal does not keep what the last visitor searched for).  An
 * empty line does nothing, so a stray Enter never ends the session; Ctrl-D
 * (end of input) or .quit does.  Control characters that reach the line
 * (a pasted ESC, say) are dropped before the line is searched.
 *
 * A line that starts with '.' is a command:
 *   .help      lists the commands
 *   .more, n   the next page of the last query's hits
 *   .show N    the whole text of hit N of the last query, paragraphs
 *              labelled as cited (as `stele show`)
 *   .quit      ends the prompt
 * Anything else is a query.  A page is -n hits when -n was given, else as
 * many as fit the terminal's height (about seven lines a hit); output is
 * wrapped at word boundaries to the terminal's width, read again for each
 * answer so a resized window is followed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "search_cli.h"

#ifdef STELE_HAVE_LIBEDIT
#include <editline/readline.h>
#else
/* Built without libedit: plain lines, no editing, no history. */
static char *readline(const char *prompt)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    fputs(prompt, stdout);
    fflush(stdout);
    n = getline(&line, &cap, stdin);
    if (n < 0) {
        free(line);
        return NULL;
    }
    if (n > 0 && line[n - 1] == '\n') line[n - 1] = '\0';
    return line;
}
static void using_history(void) {}
static void stifle_history(int n)
{
    (void)n;
}
static void add_history(const char *line)
{
    (void)line;
}
static void clear_history(void) {}
#endif

static const char prompt_help[] =
    "Type a query and press Enter.  Commands:\n"
    "  .more or n   the next hits of the last query\n"
    "  .show N      the whole text of hit N\n"
    "  .help        this list\n"
    "  .quit        end (Ctrl-D too)\n"
    "Up and Down recall earlier queries.  Query language: words (all must\n"
    "match), a OR b, -a, \"exact phrase\", a NEAR/5 b, rehab*, title:word, 55/12.\n";

/* Display columns of the UTF-8 text (one per code point: the corpus has no
 * wide characters that matter at a prompt), ESC[...m sequences excluded. */
static size_t columns(const char *s, size_t len)
{
    size_t i = 0, cols = 0;
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        if (c == 0x1b && i + 1 < len && s[i + 1] == '[') {
            i += 2;
            while (i < len && s[i] != 'm')
                i++;
            i++;
            continue;
        }
        if ((c & 0xC0) != 0x80) cols++;
        i++;
    }
    return cols;
}

void cli_print_wrapped(const char *text, size_t len, unsigned col, unsigned indent, unsigned width)
{
    size_t i = 0, gap = 0;
    int line_start = 1;
    if (width <= indent + 10) width = indent + 10;
    while (i < len) {
        size_t w = i, wc;
        while (w < len && text[w] != ' ')
            w++;
        wc = columns(text + i, w - i);
        if (!line_start && col + gap + wc > width) {
            printf("\n%*s", (int)indent, "");
            col = indent;
            line_start = 1;
        }
        if (!line_start) {
            printf("%*s", (int)gap, "");
            col += gap;
        }
        fwrite(text + i, 1, w - i, stdout);
        col += wc;
        line_start = 0;
        for (gap = 0, i = w; i < len && text[i] == ' '; i++)
            gap++;
    }
    putchar('\n');
}

static void terminal_size(unsigned *rows, unsigned *cols)
{
    struct winsize ws;
    *rows = 24;
    *cols = 80;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0) {
        *rows = ws.ws_row;
        *cols = ws.ws_col;
    }
}

/* Drops control characters and surrounding blanks, in place; the length. */
static size_t clean_line(char *line)
{
    size_t n = 0, start = 0;
    for (size_t i = 0; line[i]; i++) {
        unsigned char c = (unsigned char)line[i];
        if (c == '\t') c = ' ';
        if (c < 0x20 || c == 0x7f) continue;
        line[n++] = (char)c;
    }
    line[n] = '\0';
    while (n > 0 && line[n - 1] == ' ')
        line[--n] = '\0';
    while (line[start] == ' ')
        start++;
    memmove(line, line + start, n - start + 1);
    return n - start;
}

/* cli_print_wrapped() of text from the index, made safe for the terminal
 * first (cli_put_safe): a crafted index's escape sequences are shown, not
 * obeyed.  -1 when out of memory (nothing printed). */
static int print_safe_wrapped(const char *text, size_t len, unsigned col, unsigned indent,
                              unsigned width)
{
    size_t n = 0;
    char *safe = cli_safe_dup(text, len, NULL, &n);
    if (!safe) return -1;
    cli_print_wrapped(safe, n, col, indent, width);
    free(safe);
    return 0;
}

static void show_hit_text(cli_searcher *s, const char *query, size_t len, const char *arg)
{
    char *end;
    unsigned long rank = strtoul(arg, &end, 10);
    stele_hit hit;
    cli_doc d;
    unsigned rows, cols;
    char *id;
    size_t id_len = 0;
    int rc;

    while (*end == ' ')
        end++;
    if (end == arg || *end || rank == 0) {
        puts(".show wants a hit number: .show 1");
        return;
    }
    if (!query) {
        puts("no query yet: type one first");
        return;
    }
    rc = cli_search_hit(s, query, len, rank, &hit);
    if (rc == 1) printf("the last query has fewer than %lu hits\n", rank);
    if (rc != 0) return;
    rc = cli_doc_load(&s->ix, hit.doc, &d);
    if (rc != STELE_OK) {
        cli_error("%s: document %u: %s", s->index_name, (unsigned)hit.doc, stele_strerror(rc));
        return;
    }
    terminal_size(&rows, &cols);
    id = cli_safe_dup(d.id.data, d.id.len, NULL, &id_len);
    if (id) {
        printf("%s  ", id);
        rc = print_safe_wrapped(d.title.data, d.title.len, (unsigned)columns(id, id_len) + 2, 2,
                                cols);
        free(id);
    }
    for (uint32_t i = 0; id && rc == 0 && i < d.n_paras; i++) {
        const stele_para *p = &d.paras[i];
        char label[64];
        cli_para_label(p->kind, p->number, label, sizeof label);
        if (i == hit.para)
            printf("\n%s%s (matched)%s\n", s->color ? "\033[1m" : "", label,
                   s->color ? "\033[0m" : "");
        else
            printf("\n%s\n", label);
        fputs("  ", stdout);
        rc = print_safe_wrapped(d.text + p->text_off, p->text_len, 2, 2, cols);
    }
    if (!id || rc != 0) cli_error("out of memory");
    cli_doc_free(&d);
}

/* The arguments of show_hit_text(), passed through cli_search_guarded(). */
typedef struct show_call {
    const char *query;
    size_t len;
    const char *arg;
} show_call;

static int show_call_fn(cli_searcher *s, void *arg)
{
    const show_call *c = arg;
    show_hit_text(s, c->query, c->len, c->arg);
    return CLI_EXIT_OK;
}

/* .show N; a fault reading a mapped index cut meanwhile ends it with a
 * message (index_watch.c). */
static void show_hit(cli_searcher *s, const char *query, size_t len, const char *arg)
{
    show_call c = {query, len, arg};
    cli_search_guarded(s, show_call_fn, &c);
}

int cli_prompt(cli_searcher *s)
{
    char *last = NULL, *line;
    size_t last_len = 0, offset = 0, n_matches = 0;
    unsigned rows, cols;

    using_history();
    stifle_history(500);
    s->interactive = 1;
    printf("stele %s: %u documents.  Type a query; .help lists the commands.\n",
           STELE_VERSION_STRING, (unsigned)s->n_docs);
    while ((line = readline("stele> ")) != NULL) {
        size_t n = clean_line(line);
        if (n == 0) {
            free(line);
            continue;
        }
        {
            HIST_ENTRY *prev =
                history_length > 0 ? history_get(history_base + history_length - 1) : NULL;
            if (!prev || strcmp(prev->line, line) != 0) add_history(line);
        }
        terminal_size(&rows, &cols);
        s->width = cols;
        if (!s->page_fixed) {
            size_t fit = rows > 10 ? (rows - 3) / 7 : 1;
            s->max_hits = fit < s->hits_cap ? fit : s->hits_cap;
        }
        if (strcmp(line, ".quit") == 0 || strcmp(line, ".exit") == 0) {
            free(line);
            break;
        } else if (strcmp(line, ".help") == 0) {
            fputs(prompt_help, stdout);
        } else if (strcmp(line, ".more") == 0 || strcmp(line, "n") == 0) {
            if (!last)
                puts("no query yet: type one first");
            else if (offset + s->max_hits >= n_matches)
                puts("no more hits");
            else {
                offset += s->max_hits;
                cli_search_query(s, last, last_len, 0, offset, &n_matches);
            }
        } else if (strncmp(line, ".show", 5) == 0 && (line[5] == ' ' || line[5] == '\0')) {
            show_hit(s, last, last_len, line + 5 + (line[5] == ' '));
        } else if (line[0] == '.') {
            printf("unknown command '%s'; .help lists the commands\n", line);
        } else {
            free(last);
            last = line;
            last_len = n;
            line = NULL;
            offset = 0;
            n_matches = 0;
            cli_search_query(s, last, last_len, 0, 0, &n_matches);
        }
        free(line);
        putchar('\n');
        fflush(stdout);
    }
    if (!line) putchar('\n');
    free(last);
    clear_history();
    return CLI_EXIT_OK;
}
