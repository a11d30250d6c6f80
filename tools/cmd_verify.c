/*
 * cmd_verify.c: `stele verify [INDEX...]`, a full integrity check.
 *
 * stele_open() checks the header, the section table and the header's
 * values; stele_verify() then checks every section's CRC32 and walks each
 * structure (dictionary order, postings,
 * positions, document table, stored text).  An index passes only if both
 * succeed.  Each index gets one line: "INDEX: ok (N documents, T terms)"
 * on stdout, or "stele: INDEX: ..." naming the failure on stderr.  Exit
 * status 0 when all pass, 2 when any fails.  Without INDEX the bundled
 * index is checked.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

static const char help_text[] =
    "Usage: stele verify [INDEX...]\n"
    "\n"
    "Check that each index is intact: header, checksums and every structure.\n"
    "Without INDEX, check the bundled index.  Exit status 0 if all are\n"
    "intact, 2 otherwise.\n"
    "\n"
    "  -h, --help   show this help\n";

static int verify_one(const char *path)
{
    stele_index ix;
    stele_info info;
    cli_map map;
    void *ws;
    size_t ws_size;
    int rc;

    if (cli_open_index(path, &map, &ix) != 0) return CLI_EXIT_ERROR;
    cli_map_whole(&map);
    ws_size = stele_workspace_bound(&ix, 0);
    ws = malloc(ws_size ? ws_size : 1);
    if (!ws) {
        cli_error("out of memory (workspace of %zu bytes)", ws_size);
        cli_unmap(&map);
        return CLI_EXIT_ERROR;
    }
    rc = stele_verify(&ix, ws, ws_size);
    free(ws);
    if (rc != STELE_OK) {
        cli_error("%s: verification failed: %s", cli_index_name(path), stele_strerror(rc));
        cli_unmap(&map);
        return CLI_EXIT_ERROR;
    }
    stele_index_info(&ix, &info);
    printf("%s: ok (%u documents, %u terms)\n", cli_index_name(path), (unsigned)info.n_docs,
           (unsigned)info.n_terms);
    cli_unmap(&map);
    return CLI_EXIT_OK;
}

int cmd_verify(int argc, char **argv)
{
    static const struct option long_opts[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    int c, status = CLI_EXIT_OK;

    while ((c = getopt_long(argc, argv, "h", long_opts, NULL)) != -1) {
        switch (c) {
        case 'h':
            fputs(help_text, stdout);
            return CLI_EXIT_OK;
        default:
            return cli_bad_option("verify", argv);
        }
    }
    if (optind == argc) return verify_one(NULL);
    for (; optind < argc; optind++)
        if (verify_one(argv[optind]) != CLI_EXIT_OK) status = CLI_EXIT_ERROR;
    return status;
}
