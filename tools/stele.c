/*
 * stele.c: the `stele` command: global options and dispatch to the
 * subcommands (search, show, list, kiosk, index, merge, stats, verify, embed, web), each in its own
 * cmd_*.c file.
 *
 * `stele` with no arguments is `stele search` with no query: an interactive
 * prompt over the bundled index on a terminal, one query per input line
 * otherwise.  Global options stop at the first word (getopt_long with a
 * leading '+'), so `stele search --help` reaches the subcommand.  Each
 * subcommand gets argv[0] = "stele CMD", which getopt_long uses in its own
 * messages.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char usage_text[] =
    "Usage: stele [--help] [--version] COMMAND [ARGS]\n"
    "\n"
    "A static full-text search engine: build one compact index file, then\n"
    "search it with BM25 ranking, boolean, phrase and NEAR queries.\n"
    "\n"
    "Commands:\n"
    "  search [-i INDEX] [-n N] [-c|-l] [--json] QUERY...\n"
    "                     search an index (default: the bundled corpus);\n"
    "                     without a query, read queries interactively or\n"
    "                     one per line from standard input\n"
    "  index [--lang L] [--format F] INPUT... -o FILE\n"
    "                     build an index from text files or directories\n"
    "  complete [-i INDEX] [--json] [-n N] PARTIAL-QUERY\n"
    "                     offer whole words for the query's last word\n"
    "  show [-i INDEX] [--json] ID\n"
    "                     print a document's whole text, paragraphs labelled\n"
    "  list [-i INDEX] [--json]\n"
    "                     print every document's id and title\n"
    "  kiosk [-i INDEX] [--idle SECONDS]\n"
    "                     a full-screen search terminal for public places\n"
    "  merge INDEX... -o FILE\n"
    "                     merge indexes built apart (shards) into one\n"
    "  stats INDEX        show an index's sections, sizes and counts\n"
    "  verify INDEX       check every structure of an index\n"
    "  embed INDEX [-o FILE.c] [--name NAME] [--header FILE.h] [--max-hits N]\n"
    "                     write an index as a C array for firmware\n"
    "  web [-i INDEX] (--single-file PAGE.html | -o DIR)\n"
    "                     write a search page that runs in a browser\n"
    "\n"
    "Run 'stele COMMAND --help' for a command's options.  The query language\n"
    "is in 'man stele' once installed ('man tools/stele.1' in the source\n"
    "tree).  Exit status: 0 success (search: hits), 1 no hits, 2 error.\n";

typedef struct command {
    const char *name;
    const char *argv0;
    int (*run)(int argc, char **argv);
} command;

static const command commands[] = {
    {"search", "stele search", cmd_search},
    {"index", "stele index", cmd_index},
    {"stats", "stele stats", cmd_stats},
    {"verify", "stele verify", cmd_verify},
    {"embed", "stele embed", cmd_embed},
    {"web", "stele web", cmd_web},
    {"merge", "stele merge", cmd_merge},
    {"show", "stele show", cmd_show},
    {"list", "stele list", cmd_list},
    {"kiosk", "stele kiosk", cmd_kiosk},
    {"complete", "stele complete", cmd_complete},
};

int main(int argc, char **argv)
{
    static const struct option long_opts[] = {
        {"help", no_argument, NULL, 'h'}, {"version", no_argument, NULL, 'V'}, {NULL, 0, NULL, 0}};
    static char search_argv0[] = "stele search";
    char *no_args[2] = {search_argv0, NULL};
    int c;
    size_t i;

    opterr = 0; /* cli_bad_option() reports, in one line */
    while ((c = getopt_long(argc, argv, "+hV", long_opts, NULL)) != -1) {
        switch (c) {
        case 'h':
            fputs(usage_text, stdout);
            return CLI_EXIT_OK;
        case 'V':
            printf("stele %s\n", STELE_VERSION_STRING);
            return CLI_EXIT_OK;
        default:
            return cli_bad_option(NULL, argv);
        }
    }
    if (optind >= argc) {
        cli_reset_getopt();
        return cmd_search(1, no_args);
    }
    for (i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(argv[optind], commands[i].name) == 0) {
            char **sub_argv = argv + optind;
            int sub_argc = argc - optind;
            /* getopt_long names the program from argv[0] in its messages. */
            sub_argv[0] = (char *)commands[i].argv0;
            cli_reset_getopt();
            return commands[i].run(sub_argc, sub_argv);
        }
    }
    cli_error("unknown command '%s'", argv[optind]);
    return cli_usage_error(NULL);
}
