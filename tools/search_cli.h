/*
 * search_cli.h: the searcher `stele search` (cmd_search.c) and its prompt
 * (prompt.c) share: an open index, its stemmer, one workspace and the
 * hit and snippet buffers, allocated once and reused by every query.
 */
#ifndef STELE_SEARCH_CLI_H
#define STELE_SEARCH_CLI_H

#include "cli.h"
#include "stele_stem.h"

#define CLI_SNIPPET_CAP 8192
#define CLI_MAX_SPANS   512

typedef struct cli_searcher {
    stele_index ix;
    cli_map map;
    const char *index_path; /* NULL: the bundled index */
    const char *index_name;
    stele_stemmer *stemmer;
    stele_query_opts opts;
    unsigned char *ws;
    size_t ws_size;
    stele_hit *hits;
    size_t max_hits; /* hits a page shows */
    size_t hits_cap; /* room in hits */
    int page_fixed;  /* -n given: the prompt keeps max_hits */
    char *snippet;
    stele_span spans[CLI_MAX_SPANS];
    size_t n_spans;
    uint32_t n_docs;
    int json;
    int color;
    int count_only;  /* -c: the number of matching documents */
    int ids_only;    /* -l: the matching documents' ids */
    unsigned width;  /* > 0: wrap human output at this many columns (prompt) */
    int interactive; /* at the prompt: ".more" pages, not "-n" */
    /* "did you mean" of the last query (a heap string, or NULL), and
     * whether the hits shown are that corrected query's */
    char *did_you_mean;
    int corrected;
} cli_searcher;

/* Work on the searcher's index, run by cli_search_guarded(). */
typedef int (*cli_search_fn)(cli_searcher *s, void *arg);

/* Runs fn(s, arg) on the index file as it is now and returns its exit
 * status: first opens the index anew if its file changed (2, printed,
 * when the new file cannot be opened), and turns a fault reading a
 * mapped index cut meanwhile, while it is reopened or while fn runs,
 * into a failed call (2, printed; index_watch.c).  A jump out of fn
 * loses what fn had allocated and not yet freed (an output line being
 * built): a small leak, and only when an updater cut the file in place.
 * Calls nest: the innermost catches the fault. */
int cli_search_guarded(cli_searcher *s, cli_search_fn fn, void *arg);

/* Runs one query and prints hits offset+1 .. offset+max_hits of it;
 * *n_matches (if not NULL) gets how many documents matched.  Returns an
 * exit status: 0 hits, 1 none, 2 error (printed).  This and
 * cli_search_hit() run under cli_search_guarded(). */
int cli_search_query(cli_searcher *s, const char *query, size_t len, int batch, size_t offset,
                     size_t *n_matches);

/* Hit number rank (1-based) of query into *hit: 0, 1 when the query has
 * fewer hits, 2 on an error (printed). */
int cli_search_hit(cli_searcher *s, const char *query, size_t len, size_t rank, stele_hit *hit);

/* Prints text[0, len), starting at column col, in lines of at most width
 * columns broken at spaces (a word longer than a line stays whole), each
 * continuation line indented by indent; ESC[...m sequences take no room.
 * Ends with a newline. */
void cli_print_wrapped(const char *text, size_t len, unsigned col, unsigned indent, unsigned width);

/* The prompt loop on a terminal (prompt.c): line editing and history,
 * .help, .more, .show N, .quit.  Returns an exit status. */
int cli_prompt(cli_searcher *s);

#endif /* STELE_SEARCH_CLI_H */
