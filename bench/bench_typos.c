/*
 * bench_typos.c: the latency of typo-tolerant search and of "did you
 * mean", against the same queries searched exactly.
 *
 *   bench_typos [-n REPEAT] INDEX QUERIES
 *
 * QUERIES holds one query per line ('#' starts a comment), or the rows of
 * tests/data/typos.tsv (the typed query, a tab, the expected id, a tab,
 * the query as meant).  Each query is prepared and run for 10 hits, with
 * typo tolerance and with STELE_QUERY_EXACT (which still looks for the
 * corrections, for the suggestion), and the query as meant exactly (the
 * cost of the same search with no typo), REPEAT times (default 20) in
 * alternation; stele_query_suggest() is timed on the typo-tolerant one.
 * The median time of each is printed per query, then the medians over
 * all queries.
 * It measures; it asserts nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "stele.h"
#include "stele_stem.h"

#define MAX_QUERIES 4096
#define HITS        10

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_double);
    return n ? v[n / 2] : 0;
}

static unsigned char *read_all(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    unsigned char *data = NULL;
    long n;
    if (!f) return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (data = malloc((size_t)n + 1)) != NULL && fread(data, 1, (size_t)n, f) != (size_t)n) {
        free(data);
        data = NULL;
    }
    if (data) *size = (size_t)n;
    fclose(f);
    return data;
}

/* Prepares and runs query once; returns the microseconds it took. */
static double time_search(const stele_index *ix, const char *query, const stele_query_opts *o,
                          void *mem, size_t mem_size, stele_hit *hits, size_t *n_matches,
                          uint32_t *n_fuzzy, double *suggest_us)
{
    stele_query q;
    size_t n_hits = 0;
    double t0 = now_us();
    int rc = stele_query_prepare(&q, ix, query, strlen(query), o, mem, mem_size);
    if (rc == STELE_OK) rc = stele_query_run(&q, hits, HITS, 0, &n_hits, n_matches);
    double t1 = now_us();
    if (rc != STELE_OK) {
        fprintf(stderr, "'%s': %s\n", query, stele_strerror(rc));
        exit(1);
    }
    if (n_fuzzy) *n_fuzzy = q.n_fuzzy;
    if (suggest_us) {
        char fix[1024];
        size_t fix_len;
        double t2 = now_us();
        stele_query_suggest(&q, query, strlen(query), fix, sizeof fix, &fix_len);
        *suggest_us = now_us() - t2;
    }
    return t1 - t0;
}

int main(int argc, char **argv)
{
    int arg = 1, repeat = 20;
    if (argc > 2 && strcmp(argv[1], "-n") == 0) {
        repeat = atoi(argv[2]);
        arg = 3;
    }
    if (argc - arg != 2 || repeat < 1) {
        fprintf(stderr, "usage: bench_typos [-n REPEAT] INDEX QUERIES\n");
        return 2;
    }
    size_t size, qsize;
    unsigned char *data = read_all(argv[arg], &size), *qtext = read_all(argv[arg + 1], &qsize);
    stele_index ix;
    if (!data || !qtext || stele_open(&ix, data, size) != STELE_OK) {
        fprintf(stderr, "cannot open %s or %s\n", argv[arg], argv[arg + 1]);
        return 1;
    }
    qtext[qsize] = '\0';
    stele_info info;
    stele_index_info(&ix, &info);
    stele_query_opts fuzzy, exact;
    memset(&fuzzy, 0, sizeof fuzzy);
    stele_stemmer *stemmer = info.language[0] ? stele_stemmer_new(info.language) : NULL;
    if (stemmer) {
        fuzzy.stem = stele_stemmer_stem;
        fuzzy.stem_ctx = stemmer;
    }
    fuzzy.max_results = HITS;
    exact = fuzzy;
    exact.flags = STELE_QUERY_EXACT;
    size_t mem_size = stele_workspace_bound(&ix, HITS) * 8;
    void *mem = malloc(mem_size);
    stele_hit hits[HITS];
    static char *queries[MAX_QUERIES], *meant[MAX_QUERIES];
    size_t n_queries = 0;
    for (char *line = strtok((char *)qtext, "\n"); line && n_queries < MAX_QUERIES;
         line = strtok(NULL, "\n")) {
        char *tab = strchr(line, '\t'), *tab2 = tab ? strchr(tab + 1, '\t') : NULL;
        char *tab3 = tab2 ? strchr(tab2 + 1, '\t') : NULL;
        if (tab) *tab = '\0';
        if (tab3) *tab3 = '\0';
        if (line[0] && line[0] != '#') {
            meant[n_queries] = tab2 ? tab2 + 1 : line;
            queries[n_queries++] = line;
        }
    }
    size_t nr = (size_t)repeat, nq = n_queries + 1;
    double *tf = malloc(sizeof(double) * nr), *te = malloc(sizeof(double) * nr),
           *ts = malloc(sizeof(double) * nr), *tm = malloc(sizeof(double) * nr);
    double *med_f = malloc(sizeof(double) * nq), *med_e = malloc(sizeof(double) * nq),
           *med_s = malloc(sizeof(double) * nq), *med_m = malloc(sizeof(double) * nq);
    if (!mem || !tf || !te || !ts || !tm || !med_f || !med_e || !med_s || !med_m) return 1;
    printf("%s: %u documents; %zu queries, %d runs each, 10 hits; times in microseconds\n",
           argv[arg], info.n_docs, n_queries, repeat);
    printf("%-36s %8s %8s %8s %8s %7s %7s\n", "query", "typo-tol", "exact", "meant", "suggest",
           "matches", "fuzzy");
    for (size_t i = 0; i < n_queries; i++) {
        size_t m_f = 0, m_e = 0;
        uint32_t n_fuzzy = 0;
        for (int r = 0; r < repeat; r++) {
            tf[r] =
                time_search(&ix, queries[i], &fuzzy, mem, mem_size, hits, &m_f, &n_fuzzy, &ts[r]);
            te[r] = time_search(&ix, queries[i], &exact, mem, mem_size, hits, &m_e, NULL, NULL);
            tm[r] = time_search(&ix, meant[i], &exact, mem, mem_size, hits, &m_e, NULL, NULL);
        }
        med_m[i] = median(tm, nr);
        med_f[i] = median(tf, (size_t)repeat);
        med_e[i] = median(te, (size_t)repeat);
        med_s[i] = median(ts, (size_t)repeat);
        printf("%-36.36s %8.1f %8.1f %8.1f %8.2f %7zu %7u\n", queries[i], med_f[i], med_e[i],
               med_m[i], med_s[i], m_f, n_fuzzy);
    }
    printf("median over queries: typo-tolerant %.1f us, exact %.1f us, as meant %.1f us, "
           "suggest %.2f us\n",
           median(med_f, n_queries), median(med_e, n_queries), median(med_m, n_queries),
           median(med_s, n_queries));
    qsort(med_f, n_queries, sizeof *med_f, cmp_double);
    printf("slowest typo-tolerant query: %.1f us\n", n_queries ? med_f[n_queries - 1] : 0);
    if (stemmer) stele_stemmer_free(stemmer);
    return 0;
}
