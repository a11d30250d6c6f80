/*
 * workspace_probe.c: how much workspace a query needs, to run it and
 * snippet its hits, as stele_query_prepare reports it with mem == NULL.
 * tools/size-report.sh runs it on a 32-bit target, where the figures are
 * a microcontroller's (4-byte pointers).
 *
 * Usage: workspace_probe INDEX MAX_HITS QUERY...
 *
 * Prints "QUERY<TAB>bytes" per query and "bound<TAB>bytes", the
 * stele_workspace_bound for MAX_HITS.  No stemmer is passed: the queries'
 * words must be their own stems.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stele.h"

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: %s INDEX MAX_HITS QUERY...\n", argv[0]);
        return 2;
    }
    FILE *f = fopen(argv[1], "rb");
    size_t cap = (size_t)1 << 24, size;
    unsigned char *data = malloc(cap);
    if (!f || !data) return 2;
    size = fread(data, 1, cap, f);
    fclose(f);
    stele_index ix;
    int rc = stele_open(&ix, data, size);
    if (rc != STELE_OK) {
        fprintf(stderr, "stele_open: %s\n", stele_strerror(rc));
        return 2;
    }
    uint32_t max_hits = (uint32_t)strtoul(argv[2], NULL, 10);
    for (int i = 3; i < argc; i++) {
        stele_query q;
        stele_query_opts opts;
        memset(&opts, 0, sizeof opts);
        opts.max_results = max_hits;
        rc = stele_query_prepare(&q, &ix, argv[i], strlen(argv[i]), &opts, NULL, 0);
        if (rc < 0 && rc != STELE_ENOSPACE) {
            fprintf(stderr, "%s: %s\n", argv[i], stele_strerror(rc));
            return 2;
        }
        printf("%s\t%zu\n", argv[i], q.diag.needed);
    }
    printf("bound\t%zu\n", stele_workspace_bound(&ix, max_hits));
    free(data);
    return 0;
}
