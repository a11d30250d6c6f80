/*
 * cmd_index.c: `stele index [--lang L] [--format F] INPUT... -o FILE`, the
 * front end of the index builder (stele_build() in stele_index.h).
 *
 * Inputs are files or directories.  A directory stands for its *.txt files
 * (formats resolutions and text) or *.jsonl files (format jsonl), sorted by
 * name with strcmp, hidden files skipped, so the same directory always
 * gives the same document order and the same index bytes.  Files are
 * passed to the builder in command-line order otherwise.
 *
 * The builder writes a temporary file beside FILE and renames it into
 * place, so an existing index is replaced atomically and a failed build
 * leaves the old one untouched.  When stderr is a terminal, the inputs are
 * listed there as they are handed to the builder.  At the end a summary on stdout gives
 * documents, terms, postings, tokens, the size of every section (read back
 * from the new file through the runtime, so it describes what was really
 * written) and the time taken.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "doc.h" /* enum st_format */
#include "stele_index.h"

static const char help_text[] =
    "Usage: stele index [--lang L] [--format F] INPUT... -o FILE\n"
    "\n"
    "Build an index from INPUT files.  A directory INPUT means its *.txt\n"
    "files (or *.jsonl with --format jsonl), sorted by name.  FILE is\n"
    "replaced atomically.\n"
    "\n"
    "  -o, --output FILE   the index file to write (required)\n"
    "  -l, --lang L        stemmer language (default english; none = no\n"
    "                      stemming)\n"
    "  -f, --format F      resolutions (default), text or jsonl\n"
    "  -q, --quiet         no progress or summary\n"
    "  -h, --help          show this help\n"
    "\n"
    "Formats: resolutions = UN resolution texts (symbol, title, preambular\n"
    "and operative paragraphs, footnotes); text = one document per file,\n"
    "first line the title; jsonl = one JSON object per line.\n";

/* A growable list of input paths (owned strings). */
typedef struct path_list {
    char **paths;
    size_t n, cap;
} path_list;

static int list_add(path_list *l, const char *path)
{
    char *copy;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        char **p = realloc(l->paths, cap * sizeof *p);
        if (!p) return -1;
        l->paths = p;
        l->cap = cap;
    }
    copy = strdup(path);
    if (!copy) return -1;
    l->paths[l->n++] = copy;
    return 0;
}

static void list_free(path_list *l)
{
    size_t i;
    for (i = 0; i < l->n; i++)
        free(l->paths[i]);
    free(l->paths);
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int has_suffix(const char *name, const char *suffix)
{
    size_t n = strlen(name), s = strlen(suffix);
    return n > s && strcmp(name + n - s, suffix) == 0;
}

/* Adds dir's files ending in suffix, sorted by name.  Returns the number
 * added or -1 after printing an error. */
static long add_directory(path_list *l, const char *dir, const char *suffix)
{
    path_list names = {0};
    struct dirent *e;
    DIR *d = opendir(dir);
    size_t i, dir_len = strlen(dir);
    long added = 0;

    if (!d) {
        cli_error("%s: %s", dir, strerror(errno));
        return -1;
    }
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || !has_suffix(e->d_name, suffix)) continue;
        if (list_add(&names, e->d_name) != 0) {
            closedir(d);
            list_free(&names);
            cli_error("out of memory");
            return -1;
        }
    }
    closedir(d);
    if (names.n > 1) qsort(names.paths, names.n, sizeof *names.paths, compare_names);
    for (i = 0; i < names.n; i++) {
        size_t len = dir_len + 1 + strlen(names.paths[i]) + 1;
        char *path = malloc(len);
        int rc;
        if (!path) {
            added = -1;
            break;
        }
        if (dir_len && dir[dir_len - 1] == '/')
            snprintf(path, len, "%s%s", dir, names.paths[i]);
        else
            snprintf(path, len, "%s/%s", dir, names.paths[i]);
        rc = list_add(l, path);
        free(path);
        if (rc != 0) {
            added = -1;
            break;
        }
        added++;
    }
    list_free(&names);
    if (added < 0) cli_error("out of memory");
    return added;
}

static int parse_format(const char *s, int *format)
{
    if (strcmp(s, "resolutions") == 0)
        *format = ST_FORMAT_RESOLUTIONS;
    else if (strcmp(s, "text") == 0)
        *format = ST_FORMAT_TEXT;
    else if (strcmp(s, "jsonl") == 0)
        *format = ST_FORMAT_JSONL;
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

/* The builder offers no progress callback: it reads every input, then
 * writes the index in one call.  So on a terminal the inputs are listed as
 * they are handed over, which tells the user what is being read. */
static void print_progress(const path_list *inputs, const char *out_path)
{
    unsigned long long total = 0;
    size_t i;
    for (i = 0; i < inputs->n; i++) {
        struct stat st;
        if (stat(inputs->paths[i], &st) == 0) total += (unsigned long long)st.st_size;
        fprintf(stderr, "stele: [%zu/%zu] %s\n", i + 1, inputs->n, inputs->paths[i]);
    }
    fprintf(stderr, "stele: indexing %llu bytes into %s ...\n", total, out_path);
}

/* Prints the summary of the index just written, read back from the file. */
static int print_summary(const char *out_path, const stele_build_stats *stats, double secs)
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
    if (stats->n_invalid_utf8)
        printf("  %llu invalid UTF-8 sequences replaced by U+FFFD\n",
               (unsigned long long)stats->n_invalid_utf8);
    for (i = 0; stele_section_info(&ix, i, &name, &size) == STELE_OK; i++)
        printf("  %-14s %10zu bytes\n", name ? name : "?", size);
    cli_unmap(&map);
    return 0;
}

int cmd_index(int argc, char **argv)
{
    static const struct option long_opts[] = {
        {"output", required_argument, NULL, 'o'}, {"lang", required_argument, NULL, 'l'},
        {"format", required_argument, NULL, 'f'}, {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0}};
    const char *out_path = NULL, *lang = "english";
    int format = ST_FORMAT_RESOLUTIONS, quiet = 0, c, rc, status = CLI_EXIT_OK;
    path_list inputs = {0};
    stele_build_opts opts;
    stele_build_stats stats;
    struct timespec start;
    char err[1024];

    while ((c = getopt_long(argc, argv, "o:l:f:qh", long_opts, NULL)) != -1) {
        switch (c) {
        case 'o':
            out_path = optarg;
            break;
        case 'l':
            lang = optarg;
            break;
        case 'f':
            if (parse_format(optarg, &format) != 0) {
                cli_error("index: unknown format '%s' (resolutions, text or jsonl)", optarg);
                return cli_usage_error("index");
            }
            break;
        case 'q':
            quiet = 1;
            break;
        case 'h':
            fputs(help_text, stdout);
            return CLI_EXIT_OK;
        default:
            return cli_usage_error("index");
        }
    }
    if (!out_path) {
        cli_error("index: no output file; give -o FILE");
        return cli_usage_error("index");
    }
    if (optind == argc) {
        cli_error("index: no input files");
        return cli_usage_error("index");
    }

    for (; optind < argc; optind++) {
        const char *in = argv[optind];
        struct stat st;
        if (stat(in, &st) != 0) {
            cli_error("%s: %s", in, strerror(errno));
            status = CLI_EXIT_ERROR;
            goto out;
        }
        if (S_ISDIR(st.st_mode)) {
            long n = add_directory(&inputs, in, format == ST_FORMAT_JSONL ? ".jsonl" : ".txt");
            if (n < 0) {
                status = CLI_EXIT_ERROR;
                goto out;
            }
            if (n == 0) {
                cli_error("%s: no %s files in this directory", in,
                          format == ST_FORMAT_JSONL ? "*.jsonl" : "*.txt");
                status = CLI_EXIT_ERROR;
                goto out;
            }
        } else if (list_add(&inputs, in) != 0) {
            cli_error("out of memory");
            status = CLI_EXIT_ERROR;
            goto out;
        }
    }

    memset(&opts, 0, sizeof opts);
    memset(&stats, 0, sizeof stats);
    opts.language = lang;
    opts.format = format;
    if (!quiet && isatty(STDERR_FILENO)) print_progress(&inputs, out_path);
    clock_gettime(CLOCK_MONOTONIC, &start);
    err[0] = '\0';
    rc = stele_build((const char *const *)inputs.paths, inputs.n, &opts, out_path, &stats, err,
                     sizeof err);
    if (rc != STELE_OK) {
        cli_error("index: %s", err[0] ? err : stele_strerror(rc));
        status = CLI_EXIT_ERROR;
        goto out;
    }
    if (!quiet && print_summary(out_path, &stats, seconds_since(&start)) != 0)
        status = CLI_EXIT_ERROR;
out:
    list_free(&inputs);
    return status;
}
