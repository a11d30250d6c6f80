/*
 * cmd_merge.c: `stele merge INDEX... -o FILE`, one index from shards built
 * apart (stele_merge() in stele_index.h).
 *
 * The result is the index one `stele index` of all the shards' inputs, in
 * the order the shards are given, would have written: the same documents,
 * statistics, results and scores, byte for byte.  An id found in two shards
 * is an error naming it and both shards, unless --on-duplicate says which
 * copy to keep.  FILE is written like `stele index` writes it (temporary
 * file, fsync, rename; removed on SIGINT, SIGTERM or SIGHUP), may not be
 * one of the shards, and the same summary follows.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "index_cli.h"
#include "stele_index.h"

static const char help_text[] =
    "Usage: stele merge [OPTION]... INDEX... -o FILE\n"
    "\n"
    "Merge indexes built apart (shards) into FILE: the same index as one\n"
    "build of all their inputs in this order.  FILE is replaced atomically.\n"
    "\n"
    "  -o, --output FILE        the index file to write (required)\n"
    "      --on-duplicate WHAT  error (default), keep-first or keep-last: what an\n"
    "                           id found in two shards does\n"
    "  -q, --quiet              no progress or summary\n"
    "  -h, --help               show this help\n";

int cmd_merge(int argc, char **argv)
{
    enum { OPT_ON_DUPLICATE = 256 };
    static const struct option long_opts[] = {
        {"output", required_argument, NULL, 'o'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {"on-duplicate", required_argument, NULL, OPT_ON_DUPLICATE},
        {NULL, 0, NULL, 0}};
    const char *out_path = NULL;
    int quiet = 0, c;
    stele_build_opts opts;
    memset(&opts, 0, sizeof opts);
    while ((c = getopt_long(argc, argv, "o:qh", long_opts, NULL)) != -1) {
        switch (c) {
        case 'o':
            out_path = optarg;
            break;
        case OPT_ON_DUPLICATE:
            if (strcmp(optarg, "error") == 0)
                opts.on_duplicate = STELE_DUP_ERROR;
            else if (strcmp(optarg, "keep-first") == 0)
                opts.on_duplicate = STELE_DUP_KEEP_FIRST;
            else if (strcmp(optarg, "keep-last") == 0)
                opts.on_duplicate = STELE_DUP_KEEP_LAST;
            else {
                cli_error("merge: unknown --on-duplicate '%s' (error, keep-first or keep-last)",
                          optarg);
                return cli_usage_error("merge");
            }
            break;
        case 'q':
            quiet = 1;
            break;
        case 'h':
            fputs(help_text, stdout);
            return CLI_EXIT_OK;
        default:
            return cli_bad_option("merge", argv);
        }
    }
    if (!out_path || !out_path[0]) {
        cli_error("merge: no output file; give -o FILE");
        return cli_usage_error("merge");
    }
    if (optind == argc) {
        cli_error("merge: no indexes to merge");
        return cli_usage_error("merge");
    }
    index_plan plan = {0};
    int status = CLI_EXIT_ERROR;
    for (int i = optind; i < argc; i++)
        if (index_plan_add_plain(&plan, argv[i]) != 0) goto out;
    status = index_run_build(&plan, out_path, &opts, quiet, 1);
out:
    index_plan_free(&plan);
    return status;
}
