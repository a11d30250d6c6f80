/*
 * cmd_stats.c: `stele stats [--json] [INDEX]`, what an index holds.
 *
 * Prints the index's format and text-analysis (norm) versions, stemmer
 * language, counts of documents, distinct terms and tokens, its fields, and
 * every section with its size and share of the file.  Everything comes
 * from stele_open(), stele_index_info(), stele_field_name() and
 * stele_section_info(), so this is also what an embedder can learn at run
 * time.  Without INDEX it describes the bundled index.  --json prints one
 * JSON object with the same facts (fields: file, size, version,
 * norm_version, language, documents, terms, tokens, workspace_search_10,
 * workspace_verify, fields, sections [{name, size}]).  The workspace
 * figures are stele_workspace_bound() for a 10-hit search and for
 * snippets and verify: what an embedder must reserve.
 */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char help_text[] = "Usage: stele stats [--json] [INDEX]\n"
                                "\n"
                                "Show an index's versions, language, counts and section sizes.\n"
                                "Without INDEX, describe the bundled index.\n"
                                "\n"
                                "      --json   print one JSON object\n"
                                "  -h, --help   show this help\n";

static int print_json(const char *name, const stele_index *ix, const stele_info *info)
{
    json_t *o = json_object(), *fields = json_array(), *sections = json_array();
    const char *sec_name;
    size_t size;
    unsigned i;
    char *line;
    int rc = -1;

    if (!o || !fields || !sections) goto out;
    for (i = 0; i < info->n_fields; i++) {
        stele_view v;
        if (stele_field_name(ix, i, &v) == STELE_OK)
            json_array_append_new(fields, json_stringn(v.data, v.len));
    }
    for (i = 0; stele_section_info(ix, i, &sec_name, &size) == STELE_OK; i++) {
        json_t *s =
            json_pack("{s:s, s:I}", "name", sec_name ? sec_name : "?", "size", (json_int_t)size);
        if (s) json_array_append_new(sections, s);
    }
    json_object_set_new(o, "file", json_string(name));
    json_object_set_new(o, "size", json_integer((json_int_t)info->size));
    json_object_set_new(o, "version", json_integer(info->version));
    json_object_set_new(o, "norm_version", json_integer(info->norm_version));
    json_object_set_new(o, "language", json_string(info->language ? info->language : ""));
    json_object_set_new(o, "documents", json_integer(info->n_docs));
    json_object_set_new(o, "terms", json_integer(info->n_terms));
    json_object_set_new(o, "tokens", json_integer((json_int_t)info->n_tokens));
    json_object_set_new(o, "workspace_search_10",
                        json_integer((json_int_t)stele_workspace_bound(ix, 10)));
    json_object_set_new(o, "workspace_verify",
                        json_integer((json_int_t)stele_workspace_bound(ix, 0)));
    json_object_set_new(o, "fields", fields);
    json_object_set_new(o, "sections", sections);
    fields = sections = NULL;
    line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (line) {
        puts(line);
        free(line);
        rc = 0;
    }
out:
    json_decref(fields);
    json_decref(sections);
    json_decref(o);
    return rc;
}

static void print_human(const char *name, const stele_index *ix, const stele_info *info)
{
    const char *sec_name;
    size_t size;
    unsigned i;

    printf("index:          %s\n", name);
    printf("size:           %zu bytes\n", info->size);
    printf("format version: %u\n", (unsigned)info->version);
    printf("norm version:   %u\n", (unsigned)info->norm_version);
    /* the language and field names are only length-checked at open: a
     * crafted index's control characters are shown escaped */
    fputs("language:       ", stdout);
    if (info->language && info->language[0])
        cli_put_safe(stdout, info->language, strlen(info->language), NULL);
    else
        fputs("none (no stemming)", stdout);
    putchar('\n');
    printf("documents:      %u\n", (unsigned)info->n_docs);
    printf("terms:          %u\n", (unsigned)info->n_terms);
    printf("tokens:         %llu\n", (unsigned long long)info->n_tokens);
    printf("workspace:      %zu bytes for a 10-hit search, %zu for snippets and verify\n",
           stele_workspace_bound(ix, 10), stele_workspace_bound(ix, 0));
    printf("fields:        ");
    for (i = 0; i < info->n_fields; i++) {
        stele_view v;
        if (stele_field_name(ix, i, &v) == STELE_OK) {
            putchar(' ');
            cli_put_safe(stdout, v.data, v.len, NULL);
        }
    }
    printf("\nsections:\n");
    for (i = 0; stele_section_info(ix, i, &sec_name, &size) == STELE_OK; i++) {
        double share = info->size ? 100.0 * (double)size / (double)info->size : 0.0;
        printf("  %-14s %10zu bytes %5.1f%%\n", sec_name ? sec_name : "?", size, share);
    }
}

int cmd_stats(int argc, char **argv)
{
    static const struct option long_opts[] = {
        {"json", no_argument, NULL, 'j'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    const char *path = NULL;
    int c, json = 0, status = CLI_EXIT_OK;
    stele_index ix;
    stele_info info;
    cli_map map;

    cli_json_errors = cli_wants_json(argc, argv);
    if (cli_json_errors) opterr = 0;
    while ((c = getopt_long(argc, argv, "h", long_opts, NULL)) != -1) {
        switch (c) {
        case 'j':
            json = 1;
            break;
        case 'h':
            fputs(help_text, stdout);
            return CLI_EXIT_OK;
        default:
            return cli_bad_option("stats", argv);
        }
    }
    if (argc - optind > 1) {
        cli_error("stats: one index at a time");
        return cli_usage_error("stats");
    }
    if (optind < argc) path = argv[optind];
    if (cli_open_index(path, &map, &ix) != 0) return CLI_EXIT_ERROR;
    stele_index_info(&ix, &info);
    if (json) {
        if (print_json(cli_index_name(path), &ix, &info) != 0) {
            cli_error("out of memory");
            status = CLI_EXIT_ERROR;
        }
    } else {
        print_human(cli_index_name(path), &ix, &info);
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        cli_error("standard output: write error");
        status = CLI_EXIT_ERROR;
    }
    cli_unmap(&map);
    return status;
}
