/*
 * amalgamation_main.c: a search through the one-file runtime (stele.c and
 * stele.h from tools/amalgamate.py), compiled alone with -std=c99
 * -pedantic by test_amalgamation.py.
 *
 * Usage: amalgamation_main INDEX QUERY...
 *
 * Prints, for each query, its top five hits as "QUERY<TAB>id<TAB>score"
 * (score to four decimals).  No stemmer is given: the queries' words must
 * be their own stems.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stele.h"

int main(int argc, char **argv)
{
    FILE *f;
    unsigned char *data;
    size_t size, cap = 1 << 20, mem_size;
    stele_index ix;
    void *mem;
    int i, rc;

    if (argc < 3) {
        fprintf(stderr, "usage: %s INDEX QUERY...\n", argv[0]);
        return 2;
    }
    f = fopen(argv[1], "rb");
    data = malloc(cap);
    if (!f || !data) return 2;
    size = fread(data, 1, cap, f);
    fclose(f);
    if (size == cap) return 2; /* the test's index is small */
    rc = stele_open(&ix, data, size);
    if (rc != STELE_OK) {
        fprintf(stderr, "stele_open: %s\n", stele_strerror(rc));
        return 2;
    }
    mem_size = stele_workspace_bound(&ix, 5);
    mem = malloc(mem_size);
    if (!mem) return 2;
    for (i = 2; i < argc; i++) {
        stele_query q;
        stele_query_opts opts;
        stele_hit hits[5];
        size_t n_hits = 0, n_matches = 0, h;
        memset(&opts, 0, sizeof opts);
        opts.max_results = 5;
        rc = stele_query_prepare(&q, &ix, argv[i], strlen(argv[i]), &opts, mem, mem_size);
        if (rc == STELE_OK) rc = stele_query_run(&q, hits, 5, 0, &n_hits, &n_matches);
        if (rc != STELE_OK) {
            fprintf(stderr, "%s: %s\n", argv[i], stele_strerror(rc));
            return 2;
        }
        for (h = 0; h < n_hits; h++)
            printf("%s\t%.*s\t%.4f\n", argv[i], (int)hits[h].id.len, hits[h].id.data,
                   hits[h].score);
    }
    free(mem);
    free(data);
    return 0;
}
