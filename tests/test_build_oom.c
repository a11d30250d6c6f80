/*
 * test_build_oom.c: every allocation of the index writer may fail.
 *
 * Linked with malloc, calloc and realloc wrapped by the linker (as
 * test_ingest_oom.c does), so the calls of the statically linked indexer
 * and stemming glue are counted.  A build of a small synthetic corpus is
 * run once to count its allocations, then once for every k with the k-th
 * allocation failing.  Each run must return STELE_OK (with a valid index)
 * or STELE_ENOMEM with a message, never another code, never a crash; the
 * sanitizer build's leak checker verifies that a failed build frees
 * everything.  Allocations inside the shared libstemmer and zlib are not
 * counted (they call the C library directly).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oom_wrap.h"

#include "index_helper.h"
#include "reader.h"
#include "writer.h"

static uint8_t workspace[1 << 20];

int main(void)
{
    st_corpus c;
    th_expect exp;
    th_synthetic(&c, &exp, 150);
    stele_build_opts opts = {.block_bytes = 4096};
    uint8_t *data;
    size_t size;
    char err[256];
    oom_calls = 0;
    int rc = st_build_memory(&c, &opts, &data, &size, NULL, err, sizeof err);
    long total = oom_calls;
    TH_CHECK(rc == STELE_OK);
    if (rc == STELE_OK) free(data);
    TH_CHECK(total > 10);
    long n_nomem = 0;
    for (long k = 1; k <= total; k++) {
        oom_calls = 0;
        oom_fail_at = k;
        err[0] = '\0';
        rc = st_build_memory(&c, &opts, &data, &size, NULL, err, sizeof err);
        oom_fail_at = -1;
        if (rc == STELE_OK) {
            stele_index ix;
            TH_CHECK(stele_open(&ix, data, size) == STELE_OK &&
                     stele_verify(&ix, workspace, sizeof workspace) == STELE_OK);
            free(data);
        } else {
            if (rc != STELE_ENOMEM)
                fprintf(stderr, "allocation %ld: %s (%s)\n", k, stele_strerror(rc), err);
            TH_CHECK(rc == STELE_ENOMEM && err[0] != '\0');
            n_nomem++;
        }
    }
    printf("%ld allocations, %ld failures reported as ENOMEM\n", total, n_nomem);
    th_expect_free(&exp);
    st_corpus_free(&c);
    return th_failures ? 1 : 0;
}
