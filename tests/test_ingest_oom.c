/*
 * test_ingest_oom.c: every allocation of the ingestion code may fail.
 *
 * The test is linked with malloc, calloc and realloc wrapped by the linker
 * (-Wl,--wrap=...), which reaches the calls of the indexer library since it
 * is linked statically into this program.  It runs the whole ingestion
 * (corpus files, plain text, JSON Lines, the duplicate merge) once to count
 * the allocations, then again for every k, making the k-th allocation
 * fail.  Each run must end with STELE_OK or STELE_ENOMEM (never another
 * error, never a crash), and st_corpus_free() must release everything,
 * which the sanitizer build's leak checker verifies.  Allocations inside
 * jansson are not counted: the shared library calls the C library
 * directly.
 *
 * Usage: test_ingest_oom CORPUS_DIR DATA_DIR
 */
#include "doc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oom_wrap.h"

static const char *const corpus_names[] = {"cnd-report-55th-session-chapter-1.txt",
                                           "cnd-resolution-54-5.txt", "cnd-resolution-55-12.txt",
                                           "cnd-resolution-55-2.txt", "cnd-resolution-59-4.txt"};

/* One full ingestion; returns the first error or STELE_OK. */
static int run(const char *corpus_dir, const char *data_dir)
{
    st_corpus c;
    st_err err = {{0}};
    char path[4096];
    int rc = st_corpus_init(&c);
    if (rc != STELE_OK) return rc; /* st_corpus_init() has freed what it made */
    for (size_t i = 0; i < sizeof corpus_names / sizeof corpus_names[0] && rc == STELE_OK; i++) {
        snprintf(path, sizeof path, "%s/%s", corpus_dir, corpus_names[i]);
        rc = st_ingest(&c, path, ST_FORMAT_RESOLUTIONS, &err);
    }
    if (rc == STELE_OK) {
        snprintf(path, sizeof path, "%s/%s", data_dir, "plain.txt");
        rc = st_ingest(&c, path, ST_FORMAT_TEXT, &err);
    }
    if (rc == STELE_OK) {
        snprintf(path, sizeof path, "%s/%s", data_dir, "records.jsonl");
        rc = st_ingest(&c, path, ST_FORMAT_JSONL, &err);
    }
    if (rc == STELE_OK) rc = st_corpus_finish(&c, &err);
    if (rc != STELE_OK && !err.msg[0]) {
        fprintf(stderr, "error %d without a message\n", rc);
        rc = STELE_EINVAL;
    }
    if (rc != STELE_OK && rc != STELE_ENOMEM) fprintf(stderr, "error %d: %s\n", rc, err.msg);
    st_corpus_free(&c);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s CORPUS_DIR DATA_DIR\n", argv[0]);
        return 2;
    }
    oom_calls = 0;
    oom_fail_at = -1;
    if (run(argv[1], argv[2]) != STELE_OK) {
        fprintf(stderr, "ingestion fails without injected failures\n");
        return 1;
    }
    long total = oom_calls;
    if (total < 100) {
        fprintf(stderr, "only %ld allocations counted: is the wrapping in effect?\n", total);
        return 1;
    }
    int failed = 0;
    for (long k = 1; k <= total; k++) {
        oom_calls = 0;
        oom_fail_at = k;
        int rc = run(argv[1], argv[2]);
        if (rc != STELE_ENOMEM) {
            fprintf(stderr, "allocation %ld failing gave %d, not STELE_ENOMEM\n", k, rc);
            failed = 1;
        }
    }
    printf("%ld allocations, each failed once\n", total);
    return failed;
}
