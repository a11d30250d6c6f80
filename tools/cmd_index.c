/*
 * cmd_index.c: `stele index [OPTION]... INPUT... -o FILE`, the front end of
 * the index builder (stele_build_inputs() in stele_index.h).
 *
 * Inputs are files, directories (walked recursively in sorted order) and
 * "-" for standard input, each read in the format --format names or its
 * file name implies (index_inputs.c says how).  Files are passed to the
 * builder in command-line order, then those of --files-from lists.
 *
 * Nothing is lost without a word: a second document with an id already
 * seen is an error naming both places unless --on-duplicate says which
 * copy to keep; every warning of the build is printed on stderr, even with
 * --quiet; and the summary counts the documents each input gave.
 *
 * The builder writes a temporary file beside FILE and renames it into
 * place, so an existing index is replaced atomically and a failed or
 * interrupted build leaves the old one untouched (index_progress.c removes
 * the temporary file on SIGINT, SIGTERM and SIGHUP).  On a terminal a
 * progress bar is drawn on stderr.  At the end a summary on stdout gives
 * documents, terms, postings, tokens, the documents of every input, the
 * size of every section (read back from the new file through the runtime,
 * so it describes what was really written) and the time taken.
 */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "index_cli.h"
#include "stele_index.h"

static const char help_text[] =
    "Usage: stele index [OPTION]... INPUT... -o FILE\n"
    "\n"
    "Build an index from INPUTs: files, directories (walked recursively,\n"
    "sorted by name) or - (standard input).  FILE is replaced atomically.\n"
    "\n"
    "  -o, --output FILE        the index file to write (required)\n"
    "  -f, --format F           resolutions, text or jsonl (default: from each\n"
    "                           file's extension: .txt/.md text, .jsonl/.ndjson\n"
    "                           jsonl)\n"
    "  -l, --lang L             stemmer language (default english; none = no\n"
    "                           stemming)\n"
    "      --files-from LIST    also read the inputs listed in LIST, one per\n"
    "                           line (- = standard input)\n"
    "      --on-duplicate WHAT  error (default), keep-first or keep-last: what a\n"
    "                           second document with the same id does\n"
    "      --strict-utf8        invalid UTF-8 or a NUL byte is an error (default:\n"
    "                           replaced by U+FFFD, with a warning)\n"
    "      --memory BYTES       memory budget (default 256M, least 64K; suffix\n"
    "                           K, M, G): sorted runs and document text that\n"
    "                           do not fit are spilled to a scratch file next\n"
    "                           to FILE; the index is the same bytes\n"
    "      --text-window BITS   zlib window of the stored text, 9 .. 15 (default\n"
    "                           14): a search needs 2^BITS bytes of workspace\n"
    "                           for snippets; smaller windows compress worse\n"
    "  -q, --quiet              no progress or summary (warnings still shown)\n"
    "  -h, --help               show this help\n"
    "\n"
    "Formats: resolutions = UN resolution texts (symbol, title, preambular\n"
    "and operative paragraphs, footnotes); text = one document per file,\n"
    "first line the title, id = path below the directory given; jsonl = one\n"
    "JSON object per line.\n";

static int parse_format(const char *s, int *format)
{
    if (strcmp(s, "resolutions") == 0)
        *format = STELE_FORMAT_RESOLUTIONS;
    else if (strcmp(s, "text") == 0)
        *format = STELE_FORMAT_TEXT;
    else if (strcmp(s, "jsonl") == 0)
        *format = STELE_FORMAT_JSONL;
    else
        return -1;
    return 0;
}

/* "64M", "1G", "300000": bytes, with an optional power-of-1024 suffix;
 * -1 for anything else or an overflow. */
static int parse_bytes(const char *s, size_t *bytes)
{
    char *end;
    if (s[0] < '0' || s[0] > '9') return -1;
    unsigned long long n = strtoull(s, &end, 10);
    unsigned shift = 0;
    if (*end == 'K' || *end == 'k')
        shift = 10;
    else if (*end == 'M' || *end == 'm')
        shift = 20;
    else if (*end == 'G' || *end == 'g')
        shift = 30;
    if (shift) end++;
    if (end == s || *end || n > (SIZE_MAX >> shift)) return -1;
    *bytes = (size_t)n << shift;
    return 0;
}

static int parse_on_duplicate(const char *s, int *policy)
{
    if (strcmp(s, "error") == 0)
        *policy = STELE_DUP_ERROR;
    else if (strcmp(s, "keep-first") == 0)
        *policy = STELE_DUP_KEEP_FIRST;
    else if (strcmp(s, "keep-last") == 0)
        *policy = STELE_DUP_KEEP_LAST;
    else
        return -1;
    return 0;
}

static double seconds_since(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

/* Inputs listed one by one in the summary; past this, only those that
 * gave no document or a warning, and a total for the rest. */
#define SUMMARY_MAX_INPUTS 20

static void print_inputs(const index_plan *plan)
{
    size_t n_rest = 0;
    uint64_t docs_rest = 0;
    for (size_t g = 0; g < plan->n_groups; g++) {
        const index_group *gr = &plan->groups[g];
        if (plan->n_groups > SUMMARY_MAX_INPUTS && gr->n_docs > 0 && gr->n_warnings == 0) {
            n_rest++;
            docs_rest += gr->n_docs;
            continue;
        }
        printf("  %s: %llu document%s", strcmp(gr->arg, "-") ? gr->arg : "standard input",
               (unsigned long long)gr->n_docs, gr->n_docs == 1 ? "" : "s");
        if (gr->n != 1 || gr->n_skipped || gr->n_links)
            printf(" from %zu file%s", gr->n, gr->n == 1 ? "" : "s");
        if (gr->n_skipped)
            printf(", %zu other file%s skipped", gr->n_skipped, gr->n_skipped == 1 ? "" : "s");
        if (gr->n_links)
            printf(", %zu link%s not followed", gr->n_links, gr->n_links == 1 ? "" : "s");
        if (gr->n_warnings)
            printf(", %zu warning%s", gr->n_warnings, gr->n_warnings == 1 ? "" : "s");
        putchar('\n');
    }
    if (n_rest)
        printf("  %zu more inputs: %llu documents\n", n_rest, (unsigned long long)docs_rest);
}

/* Prints the summary of the index just written, read back from the file. */
static int print_summary(const char *out_path, const stele_build_stats *stats, double secs,
                         const index_plan *plan, const index_progress *progress)
{
    stele_index ix;
    stele_info info;
    cli_map map;
    const char *name;
    size_t size;
    unsigned i;

    if (cli_open_index(out_path, &map, &ix) != 0) return -1;
    stele_index_info(&ix, &info);
    printf("%s: %u documents, %u terms, %llu postings, %llu tokens\n", out_path,
           (unsigned)info.n_docs, (unsigned)info.n_terms, (unsigned long long)stats->n_postings,
           (unsigned long long)info.n_tokens);
    printf("  %llu input bytes -> %zu index bytes in %.2f s\n",
           (unsigned long long)stats->input_bytes, info.size, secs);
    print_inputs(plan);
    index_progress_print_notes(progress);
    if (stats->n_duplicates)
        printf("  %llu duplicate cop%s merged or dropped\n",
               (unsigned long long)stats->n_duplicates, stats->n_duplicates == 1 ? "y" : "ies");
    if (stats->n_invalid_utf8)
        printf("  %llu invalid UTF-8 sequences replaced by U+FFFD\n",
               (unsigned long long)stats->n_invalid_utf8);
    if (stats->spill_bytes)
        printf("  %llu bytes spilled to a scratch file to stay within --memory%s\n",
               (unsigned long long)stats->spill_bytes, stats->n_spilled_docs ? "," : "");
    if (stats->n_spilled_docs)
        printf("  the text of %llu document%s among them\n",
               (unsigned long long)stats->n_spilled_docs, stats->n_spilled_docs == 1 ? "" : "s");
    for (i = 0; stele_section_info(&ix, i, &name, &size) == STELE_OK; i++)
        printf("  %-14s %10zu bytes\n", name ? name : "?", size);
    cli_unmap(&map);
    return 0;
}

/* Adds the inputs of the command line and of the --files-from lists. */
static int plan_inputs(index_plan *plan, char **args, size_t n_args, char **lists, size_t n_lists,
                       int format)
{
    int stdin_used = 0;
    for (size_t i = 0; i < n_args; i++)
        stdin_used |= strcmp(args[i], "-") == 0;
    for (size_t i = 0; i < n_lists; i++) {
        if (strcmp(lists[i], "-") == 0 && stdin_used) {
            cli_error("index: standard input cannot be both an input and a --files-from list");
            return -1;
        }
        stdin_used |= strcmp(lists[i], "-") == 0;
    }
    for (size_t i = 0; i < n_args; i++)
        if (index_plan_add(plan, args[i], format) != 0) return -1;
    for (size_t i = 0; i < n_lists; i++)
        if (index_plan_add_list(plan, lists[i], format) != 0) return -1;
    return 0;
}

int index_run_build(index_plan *plan, const char *out_path, stele_build_opts *opts, int quiet,
                    int merge)
{
    stele_build_stats stats;
    struct timespec start;
    char err[1024];
    index_progress *progress = index_progress_new(plan, out_path, !quiet && isatty(STDERR_FILENO));
    if (!progress) {
        cli_error("out of memory");
        return CLI_EXIT_ERROR;
    }
    memset(&stats, 0, sizeof stats);
    opts->on_event = index_progress_event;
    opts->event_ctx = progress;
    clock_gettime(CLOCK_MONOTONIC, &start);
    err[0] = '\0';
    int rc;
    if (merge) {
        const char **paths = malloc(plan->n_files * sizeof *paths);
        if (!paths) {
            index_progress_free(progress);
            cli_error("out of memory");
            return CLI_EXIT_ERROR;
        }
        for (size_t i = 0; i < plan->n_files; i++)
            paths[i] = plan->files[i].path;
        rc = stele_merge(paths, plan->n_files, opts, out_path, &stats, err, sizeof err);
        free(paths);
    } else {
        rc =
            stele_build_inputs(plan->files, plan->n_files, opts, out_path, &stats, err, sizeof err);
    }
    index_progress_finish(progress);
    int status = CLI_EXIT_OK;
    if (rc != STELE_OK) {
        cli_error("%s: %s%s", merge ? "merge" : "index", err[0] ? err : stele_strerror(rc),
                  strncmp(err, "duplicate id", 12) == 0
                      ? " (--on-duplicate=keep-first or keep-last keeps one copy)"
                      : "");
        status = CLI_EXIT_ERROR;
    } else if (!quiet &&
               print_summary(out_path, &stats, seconds_since(&start), plan, progress) != 0) {
        status = CLI_EXIT_ERROR;
    }
    index_progress_free(progress);
    return status;
}

int cmd_index(int argc, char **argv)
{
    enum { OPT_FILES_FROM = 256, OPT_ON_DUPLICATE, OPT_STRICT_UTF8, OPT_TEXT_WINDOW, OPT_MEMORY };
    static const struct option long_opts[] = {
        {"output", required_argument, NULL, 'o'},
        {"lang", required_argument, NULL, 'l'},
        {"format", required_argument, NULL, 'f'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {"files-from", required_argument, NULL, OPT_FILES_FROM},
        {"on-duplicate", required_argument, NULL, OPT_ON_DUPLICATE},
        {"strict-utf8", no_argument, NULL, OPT_STRICT_UTF8},
        {"threads", required_argument, NULL, 'j'},
        {"text-window", required_argument, NULL, OPT_TEXT_WINDOW},
        {"memory", required_argument, NULL, OPT_MEMORY},
        {NULL, 0, NULL, 0}};
    const char *out_path = NULL;
    int format = INDEX_FORMAT_AUTO, quiet = 0, c, status = CLI_EXIT_ERROR;
    index_plan plan = {0};
    stele_build_opts opts;
    char **lists = calloc((size_t)argc + 1, sizeof *lists);
    size_t n_lists = 0;

    if (!lists) {
        cli_error("out of memory");
        return CLI_EXIT_ERROR;
    }
    memset(&opts, 0, sizeof opts);
    opts.language = "english";
    while ((c = getopt_long(argc, argv, "o:l:f:j:qh", long_opts, NULL)) != -1) {
        switch (c) {
        case 'o':
            out_path = optarg;
            break;
        case 'l':
            opts.language = optarg;
            break;
        case 'f':
            if (parse_format(optarg, &format) != 0) {
                cli_error("index: unknown format '%s' (resolutions, text or jsonl)", optarg);
                goto usage;
            }
            break;
        case OPT_FILES_FROM:
            lists[n_lists++] = optarg;
            break;
        case OPT_ON_DUPLICATE:
            if (parse_on_duplicate(optarg, &opts.on_duplicate) != 0) {
                cli_error("index: unknown --on-duplicate '%s' (error, keep-first or keep-last)",
                          optarg);
                goto usage;
            }
            break;
        case OPT_STRICT_UTF8:
            opts.strict_utf8 = 1;
            break;
        case 'j': {
            char *end;
            unsigned long n = strtoul(optarg, &end, 10);
            if (end == optarg || *end || optarg[0] == '-' || n < 1 || n > 64) {
                cli_error("index: --threads wants a number from 1 to 64, not '%s'", optarg);
                goto usage;
            }
            opts.threads = (unsigned)n;
            break;
        }
        case OPT_TEXT_WINDOW: {
            char *end;
            long bits = strtol(optarg, &end, 10);
            if (end == optarg || *end || bits < 9 || bits > 15) {
                cli_error("index: --text-window '%s' is not a number of bits from 9 to 15", optarg);
                goto usage;
            }
            opts.window_bits = (int)bits;
            break;
        }
        case OPT_MEMORY:
            if (parse_bytes(optarg, &opts.memory) != 0 || opts.memory < STELE_BUILD_MIN_MEMORY) {
                cli_error("index: --memory wants a size of at least 64K, like 64M, not '%s'",
                          optarg);
                goto usage;
            }
            break;
        case 'q':
            quiet = 1;
            break;
        case 'h':
            fputs(help_text, stdout);
            status = CLI_EXIT_OK;
            goto out;
        default:
            free(lists);
            return cli_bad_option("index", argv);
        }
    }
    if (!out_path || !out_path[0]) {
        cli_error("index: no output file; give -o FILE");
        goto usage;
    }
    if (optind == argc && n_lists == 0) {
        cli_error("index: no input files");
        goto usage;
    }
    if (plan_inputs(&plan, argv + optind, (size_t)(argc - optind), lists, n_lists, format) != 0)
        goto out;
    if (plan.n_files == 0) {
        cli_error("index: the inputs hold no files to index");
        goto out;
    }
    status = index_run_build(&plan, out_path, &opts, quiet, 0);
out:
    index_plan_free(&plan);
    free(lists);
    return status;
usage:
    free(lists);
    return cli_usage_error("index");
}
