/*
 * cmd_complete.c: `stele complete [-i INDEX] [--json] [-n N] PARTIAL-QUERY`,
 * whole words for the last word of a query being typed.
 *
 * The words come from stele_complete(): the index's words that start with
 * the last word, ranked by how many documents hold them with the words
 * before it, then by document count.  Text output is one line per
 * completion, the query with its last word completed; --json prints one
 * object {"query", "completions": [{"word", "text", "df", "co_docs"}],
 * "total", "cut"}.  Words are shown folded, as the index holds them.
 * Exit status 0 with completions, 1 with none, 2 on error.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char help_text[] =
    "Usage: stele complete [-i INDEX] [--json] [-n N] PARTIAL-QUERY\n"
    "\n"
    "Offer whole words of the index for the last word of PARTIAL-QUERY, as\n"
    "typed so far: the most frequent words that start with it, first those\n"
    "found with the words before it.  Prints the query completed, one per\n"
    "line.  Exit status 0 with completions, 1 with none, 2 on error.\n"
    "\n"
    "  -i, --index FILE  the index (default: the bundled corpus)\n"
    "  -n, --max N       at most N completions (default 10, at most 100)\n"
    "      --json        one JSON object with the completions\n"
    "  -h, --help        show this help\n";

#define MAX_COMPLETIONS 100

/* The query with its last word, from start, replaced by word. */
static char *completed(const char *query, size_t start, const char *word)
{
    size_t wlen = strlen(word);
    char *s = malloc(start + wlen + 1);
    if (!s) return NULL;
    memcpy(s, query, start);
    memcpy(s + start, word, wlen + 1);
    return s;
}

static int print_json(const char *query, const stele_completions *res)
{
    json_t *o = json_object(), *arr = json_array();
    int rc = -1;
    if (!o || !arr) goto out;
    for (size_t i = 0; i < res->n; i++) {
        const stele_completion *c = &res->items[i];
        char *text = completed(query, c->start, c->word);
        json_t *jc = json_object();
        if (!text || !jc || json_array_append_new(arr, jc) ||
            json_object_set_new(jc, "word", cli_json_text(c->word, c->len)) ||
            json_object_set_new(jc, "text", cli_json_text(text, strlen(text))) ||
            json_object_set_new(jc, "df", json_integer(c->df)) ||
            json_object_set_new(jc, "co_docs", json_integer(c->co_docs))) {
            free(text);
            goto out;
        }
        free(text);
    }
    if (json_object_set_new(o, "query", cli_json_text(query, strlen(query))) ||
        json_object_set(o, "completions", arr) ||
        json_object_set_new(o, "total", json_integer((json_int_t)res->total)) ||
        json_object_set_new(o, "cut", json_boolean(res->cut)))
        goto out;
    char *line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (!line) goto out;
    puts(line);
    free(line);
    rc = 0;
out:
    json_decref(arr);
    json_decref(o);
    return rc;
}

int cmd_complete(int argc, char **argv)
{
    static const struct option long_opts[] = {{"index", required_argument, NULL, 'i'},
                                              {"max", required_argument, NULL, 'n'},
                                              {"json", no_argument, NULL, 'j'},
                                              {"help", no_argument, NULL, 'h'},
                                              {NULL, 0, NULL, 0}};
    const char *index_path = NULL;
    long max = 10;
    int c, json = cli_wants_json(argc, argv);

    if (json) {
        cli_json_errors = 1;
        opterr = 0;
    }
    while ((c = getopt_long(argc, argv, "i:n:h", long_opts, NULL)) != -1) {
        switch (c) {
        case 'i':
            index_path = optarg;
            break;
        case 'n': {
            char *end;
            max = strtol(optarg, &end, 10);
            if (*optarg == '\0' || *end != '\0' || max < 1 || max > MAX_COMPLETIONS) {
                cli_error("-n wants a number from 1 to %d, not '%s'", MAX_COMPLETIONS, optarg);
                return cli_usage_error("complete");
            }
            break;
        }
        case 'j':
            json = 1;
            break;
        case 'h':
            fputs(help_text, stdout);
            return CLI_EXIT_OK;
        default:
            return cli_bad_option("complete", argv);
        }
    }
    if (optind + 1 != argc) {
        cli_error("complete wants one PARTIAL-QUERY (quote it if it has spaces)");
        return cli_usage_error("complete");
    }
    const char *query = argv[optind];
    stele_index ix;
    cli_map map;
    if (cli_open_index(index_path, &map, &ix) != 0) return CLI_EXIT_ERROR;
    size_t ws_size = stele_workspace_bound(&ix, 0);
    void *ws = malloc(ws_size ? ws_size : 1);
    stele_completion items[MAX_COMPLETIONS];
    stele_completions res = {items, (size_t)max, 0, 0, 0, 0};
    if (!ws) {
        cli_error("out of memory (workspace of %zu bytes)", ws_size);
        cli_unmap(&map);
        return CLI_EXIT_ERROR;
    }
    int rc = stele_complete(&ix, query, strlen(query), NULL, &res, ws, ws_size);
    free(ws);
    if (rc != STELE_OK) {
        cli_error("%s: cannot complete: %s", cli_index_name(index_path), stele_strerror(rc));
        cli_unmap(&map);
        return CLI_EXIT_ERROR;
    }
    int status = res.n ? CLI_EXIT_OK : CLI_EXIT_NOMATCH;
    if (json) {
        if (print_json(query, &res) != 0) {
            cli_error("out of memory");
            status = CLI_EXIT_ERROR;
        }
    } else {
        for (size_t i = 0; i < res.n; i++) {
            char *text = completed(query, items[i].start, items[i].word);
            if (!text) {
                cli_error("out of memory");
                status = CLI_EXIT_ERROR;
                break;
            }
            puts(text);
            free(text);
        }
    }
    cli_unmap(&map);
    return status;
}
