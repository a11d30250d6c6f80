/*
 * bench_index.c: builds a stele index through stele_build() and prints what
 * the build produced, for the size benchmark (size.py) and cranfield.py.
 *
 *   bench_index [--format resolutions|text|jsonl] [--language L]
 *               [--block-bytes N] [--dict-bytes N] INPUT... -o OUT
 *
 * --block-bytes and --dict-bytes set stele_build_opts.block_bytes and
 * dict_bytes (stored-text block size and preset dictionary size; 0 = the
 * defaults, --dict-bytes none = no preset dictionary), to measure what
 * they trade.
 *
 * Output is one "key value" pair per line: build_seconds (wall clock of
 * stele_build alone), peak_rss_bytes (getrusage of this process, so it
 * includes the reading of the inputs), the counters of stele_build_stats,
 * and a "section NAME BYTES" line per section of the file.  Nothing here
 * judges the figures; it is a measuring tool.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "doc.h"
#include "stele_index.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void usage(void)
{
    fprintf(stderr, "usage: bench_index [--format resolutions|text|jsonl] [--language L]\n"
                    "                   [--block-bytes N] [--dict-bytes N|none] INPUT... -o OUT\n");
}

int main(int argc, char **argv)
{
    stele_build_opts opts;
    stele_build_stats stats;
    struct rusage ru;
    const char **inputs = calloc((size_t)argc, sizeof(char *));
    const char *out = NULL;
    size_t n_inputs = 0, i;
    char err[1024] = "";
    double t0, t1;
    int a, rc;

    if (!inputs) return 1;
    memset(&opts, 0, sizeof opts);
    memset(&stats, 0, sizeof stats);
    opts.format = ST_FORMAT_RESOLUTIONS;
    for (a = 1; a < argc; a++) {
        if (strcmp(argv[a], "-o") == 0 && a + 1 < argc) {
            out = argv[++a];
        } else if (strcmp(argv[a], "--language") == 0 && a + 1 < argc) {
            opts.language = argv[++a];
        } else if (strcmp(argv[a], "--block-bytes") == 0 && a + 1 < argc) {
            opts.block_bytes = strtoul(argv[++a], NULL, 10);
        } else if (strcmp(argv[a], "--dict-bytes") == 0 && a + 1 < argc) {
            const char *v = argv[++a];
            opts.dict_bytes = strcmp(v, "none") == 0 ? STELE_BUILD_NO_DICT : strtoul(v, NULL, 10);
        } else if (strcmp(argv[a], "--format") == 0 && a + 1 < argc) {
            const char *f = argv[++a];
            if (strcmp(f, "resolutions") == 0)
                opts.format = ST_FORMAT_RESOLUTIONS;
            else if (strcmp(f, "text") == 0)
                opts.format = ST_FORMAT_TEXT;
            else if (strcmp(f, "jsonl") == 0)
                opts.format = ST_FORMAT_JSONL;
            else {
                usage();
                free(inputs);
                return 2;
            }
        } else if (argv[a][0] == '-' && argv[a][1] != 0) {
            usage();
            free(inputs);
            return 2;
        } else {
            inputs[n_inputs++] = argv[a];
        }
    }
    if (!out || n_inputs == 0) {
        usage();
        free(inputs);
        return 2;
    }
    t0 = now_s();
    rc = stele_build(inputs, n_inputs, &opts, out, &stats, err, sizeof err);
    t1 = now_s();
    free(inputs);
    if (rc != STELE_OK) {
        fprintf(stderr, "bench_index: %s: %s\n", stele_strerror(rc), err);
        return 1;
    }
    getrusage(RUSAGE_SELF, &ru);
    printf("build_seconds %.3f\n", t1 - t0);
    printf("peak_rss_bytes %ld\n", ru.ru_maxrss * 1024L);
    printf("n_docs %llu\n", (unsigned long long)stats.n_docs);
    printf("n_terms %llu\n", (unsigned long long)stats.n_terms);
    printf("n_postings %llu\n", (unsigned long long)stats.n_postings);
    printf("n_tokens %llu\n", (unsigned long long)stats.n_tokens);
    printf("n_invalid_utf8 %llu\n", (unsigned long long)stats.n_invalid_utf8);
    printf("input_bytes %llu\n", (unsigned long long)stats.input_bytes);
    printf("text_bytes %llu\n", (unsigned long long)stats.text_bytes);
    printf("index_bytes %llu\n", (unsigned long long)stats.index_bytes);
    printf("n_text_blocks %llu\n", (unsigned long long)stats.n_text_blocks);
    for (i = 0; i < stats.n_sections && i < STELE_BUILD_MAX_SECTIONS; i++)
        printf("section %s %llu\n", stats.section[i].name,
               (unsigned long long)stats.section[i].bytes);
    return 0;
}
