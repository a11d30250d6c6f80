/*
 * bench_format.c: measures the index format on a corpus directory (not a
 * test: it asserts nothing and its numbers depend on the machine).
 *
 *   bench_format CORPUS_DIR
 *
 * Prints the sizes of the inverted index (dictionary + postings +
 * positions) and of the stored text (blocks + block index + preset
 * dictionary) as ratios of the input file bytes and of the cleaned text
 * bytes, then, for stored-text block sizes of 4 to 64 KB and preset
 * dictionaries of 0 to 32 KB, the stored-text size, the workspace a
 * document load needs, and the mean time of st_doc_load() (the work behind
 * a snippet) over every document.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "format.h"
#include "reader.h"
#include "writer.h"

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static uint8_t workspace[1 << 21];

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_format CORPUS_DIR\n");
        return 2;
    }
    DIR *dh = opendir(argv[1]);
    if (!dh) {
        perror(argv[1]);
        return 1;
    }
    char *paths[512];
    size_t n = 0;
    uint64_t input_bytes = 0;
    struct dirent *de;
    while ((de = readdir(dh)) && n < 512) {
        size_t len = strlen(de->d_name);
        if (len > 4 && strcmp(de->d_name + len - 4, ".txt") == 0) {
            paths[n] = malloc(strlen(argv[1]) + len + 2);
            sprintf(paths[n], "%s/%s", argv[1], de->d_name);
            struct stat st;
            if (stat(paths[n], &st) == 0) input_bytes += (uint64_t)st.st_size;
            n++;
        }
    }
    closedir(dh);
    qsort(paths, n, sizeof *paths, name_cmp);
    st_corpus c;
    st_err e;
    if (st_corpus_init(&c)) return 1;
    for (size_t i = 0; i < n; i++)
        if (st_ingest(&c, paths[i], ST_FORMAT_RESOLUTIONS, &e)) {
            fprintf(stderr, "%s\n", e.msg);
            return 1;
        }
    if (st_corpus_finish(&c, &e)) {
        fprintf(stderr, "%s\n", e.msg);
        return 1;
    }

    static const size_t blocks[] = {4096, 8192, 16384, 32768, 65536};
    static const size_t dicts[] = {STELE_BUILD_NO_DICT, 2048, 4096, 8192, 16384, 32768};
    int first = 1;
    for (size_t bi = 0; bi < sizeof blocks / sizeof *blocks; bi++)
        for (size_t di = 0; di < sizeof dicts / sizeof *dicts; di++) {
            stele_build_opts opts = {.block_bytes = blocks[bi], .dict_bytes = dicts[di]};
            stele_build_stats st;
            uint8_t *data;
            size_t size;
            char err[256];
            if (st_build_memory(&c, &opts, &data, &size, &st, err, sizeof err)) {
                fprintf(stderr, "build: %s\n", err);
                return 1;
            }
            stele_index ix;
            if (stele_open(&ix, data, size)) {
                fprintf(stderr, "open failed\n");
                return 1;
            }
            uint64_t inv = st.section[ST_SEC_DICT_INDEX].bytes + st.section[ST_SEC_DICT].bytes +
                           st.section[ST_SEC_POSTINGS].bytes + st.section[ST_SEC_POSITIONS].bytes;
            uint64_t stored = st.section[ST_SEC_TEXT_INDEX].bytes + st.section[ST_SEC_TEXT].bytes +
                              st.section[ST_SEC_ZDICT].bytes;
            if (first) {
                printf("input %llu bytes in %zu files, stored text %llu bytes, %llu docs, "
                       "%llu terms, %llu postings, %llu tokens\n",
                       (unsigned long long)input_bytes, n, (unsigned long long)st.text_bytes,
                       (unsigned long long)st.n_docs, (unsigned long long)st.n_terms,
                       (unsigned long long)st.n_postings, (unsigned long long)st.n_tokens);
                for (size_t s = 0; s < st.n_sections; s++)
                    printf("  %-11s %8llu\n", st.section[s].name,
                           (unsigned long long)st.section[s].bytes);
                printf("inverted (dict-index+dict+postings+positions) %llu bytes: %.1f%% of "
                       "input, %.1f%% of text\n\n",
                       (unsigned long long)inv, 100.0 * inv / input_bytes,
                       100.0 * inv / st.text_bytes);
                printf("%6s %6s %8s %7s %7s %9s %10s\n", "block", "zdict", "stored", "%input",
                       "%text", "workspace", "load(us)");
                first = 0;
            }
            /* Mean st_doc_load() time over all documents, repeated. */
            int reps = 20;
            double t0 = now();
            for (int r = 0; r < reps; r++)
                for (uint32_t d = 0; d < ix.n_docs_; d++) {
                    const char *text;
                    size_t len;
                    if (st_doc_load(&ix, d, workspace, sizeof workspace, &text, &len)) {
                        fprintf(stderr, "load failed\n");
                        return 1;
                    }
                }
            double us = (now() - t0) * 1e6 / (reps * (double)ix.n_docs_);
            printf("%5zuK %5zuK %8llu %6.1f%% %6.1f%% %9zu %10.1f\n", blocks[bi] / 1024,
                   dicts[di] == STELE_BUILD_NO_DICT ? 0 : dicts[di] / 1024,
                   (unsigned long long)stored, 100.0 * stored / input_bytes,
                   100.0 * stored / st.text_bytes, st_doc_load_bound(&ix), us);
            free(data);
        }
    st_corpus_free(&c);
    for (size_t i = 0; i < n; i++)
        free(paths[i]);
    return 0;
}
