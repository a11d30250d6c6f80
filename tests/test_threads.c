/*
 * test_threads.c: several threads search one open index (suite unit; under
 * -Db_sanitize=thread in CI).
 *
 * stele.h promises that an opened stele_index is never written by
 * searches, so any number of threads may search it at once, each with its
 * own workspace.  This test opens the bundled corpus index once, runs
 * every query of the golden file single-threaded and records what each
 * gives (status, hits with their scores and best paragraphs, every hit's
 * snippet, the suggestion and the completions, and the first hit's whole
 * text), then has N_THREADS threads run all the queries again, each from
 * its own starting point in the list and several rounds over, each with
 * its own workspace and outputs, and compares every answer with the
 * single-threaded one byte for byte.  Under ThreadSanitizer any write to
 * shared state would be a data race report; in every build, a differing
 * answer fails the test.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stele.h"

extern const unsigned char stele_bundled_index[];
extern const size_t stele_bundled_index_size;

#define N_THREADS   4
#define N_ROUNDS    3
#define MAX_QUERIES 256
#define MAX_HITS    5
#define ANSWER_CAP  16384

typedef struct answer {
    char text[ANSWER_CAP];
    size_t len;
} answer;

static stele_index ix;
static char *queries[MAX_QUERIES];
static size_t n_queries;
static answer expected[MAX_QUERIES];

static void put(answer *a, const void *data, size_t len)
{
    if (len > ANSWER_CAP - a->len) len = ANSWER_CAP - a->len;
    memcpy(a->text + a->len, data, len);
    a->len += len;
}

/* One line "label x y" of an answer; y at full precision (scores). */
static void putf(answer *a, const char *label, unsigned long long x, double y)
{
    char line[96];
    int n = snprintf(line, sizeof line, "%s %llu %.17g\n", label, x, y);
    put(a, line, (size_t)n);
}

/* Everything one query gives, written into a; returns its hits. */
static size_t run_query(const char *query, unsigned char *mem, size_t mem_size, char *buf,
                        size_t buf_cap, answer *a)
{
    stele_query q;
    stele_query_opts opts = {.max_results = MAX_HITS};
    stele_hit hits[MAX_HITS];
    size_t len = strlen(query), n_hits = 0, n_matches = 0, out_len = 0;
    a->len = 0;
    int rc = stele_query_prepare(&q, &ix, query, len, &opts, mem, mem_size);
    if (rc == STELE_OK) rc = stele_query_run(&q, hits, MAX_HITS, 0, &n_hits, &n_matches);
    putf(a, "rc", (unsigned long long)-rc, (double)n_matches);
    if (rc != STELE_OK) return 0;
    for (size_t h = 0; h < n_hits; h++) {
        putf(a, "doc", hits[h].doc, hits[h].score);
        putf(a, "para", hits[h].para, (double)hits[h].match_pos);
        rc = stele_query_snippet(&q, &hits[h], NULL, buf, buf_cap, &out_len);
        putf(a, "snippet", (unsigned long long)-rc, (double)out_len);
        if (rc == STELE_OK) put(a, buf, out_len);
    }
    rc = stele_query_suggest(&q, query, len, buf, buf_cap, &out_len);
    putf(a, "suggest", (unsigned long long)-rc, (double)out_len);
    if (rc == STELE_OK) put(a, buf, out_len);
    stele_completion items[4];
    stele_completions comp = {.items = items, .max = 4};
    /* Completion needs no prepared query: the workspace is free again. */
    rc = stele_complete(&ix, query, len, NULL, &comp, mem, mem_size);
    putf(a, "complete", (unsigned long long)-rc, (double)comp.n);
    for (size_t i = 0; rc == STELE_OK && i < comp.n; i++)
        put(a, items[i].word, items[i].len);
    if (n_hits > 0) {
        rc = stele_doc_text(&ix, hits[0].doc, mem, mem_size, buf, buf_cap, &out_len);
        putf(a, "text", (unsigned long long)-rc, (double)out_len);
        if (rc == STELE_OK) put(a, buf, out_len < 2048 ? out_len : 2048);
    }
    return n_hits;
}

typedef struct worker {
    pthread_t thread;
    unsigned id;
    size_t mem_size;
    unsigned mismatches;
} worker;

static void *work(void *arg)
{
    worker *w = arg;
    unsigned char *mem = malloc(w->mem_size);
    char *buf = malloc(1 << 20);
    answer *a = malloc(sizeof *a);
    if (!mem || !buf || !a) {
        w->mismatches = 1;
        return NULL;
    }
    for (unsigned round = 0; round < N_ROUNDS; round++)
        for (size_t k = 0; k < n_queries; k++) {
            size_t i = (k + w->id * n_queries / N_THREADS + round) % n_queries;
            (void)run_query(queries[i], mem, w->mem_size, buf, 1 << 20, a);
            if (a->len != expected[i].len || memcmp(a->text, expected[i].text, a->len) != 0) {
                fprintf(stderr, "thread %u: query %zu (%s) differs from the single-threaded run\n",
                        w->id, i, queries[i]);
                w->mismatches++;
            }
        }
    free(mem);
    free(buf);
    free(a);
    return NULL;
}

static int read_queries(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        return -1;
    }
    char line[1024];
    while (n_queries < MAX_QUERIES && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        if (line[0] == '#' || line[0] == '\0') continue;
        queries[n_queries] = strdup(line);
        if (!queries[n_queries]) break;
        n_queries++;
    }
    fclose(f);
    return n_queries > 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: test_threads QUERIES\n");
        return 2;
    }
    if (stele_bundled_index_size == 0) {
        printf("SKIP: no bundled index\n");
        return 77;
    }
    if (stele_open(&ix, stele_bundled_index, stele_bundled_index_size) != STELE_OK ||
        read_queries(argv[1]) != 0) {
        fprintf(stderr, "cannot open the index or read the queries\n");
        return 1;
    }
    size_t mem_size = stele_workspace_bound(&ix, MAX_HITS);
    unsigned char *mem = malloc(mem_size);
    char *buf = malloc(1 << 20);
    if (!mem || !buf) return 1;
    size_t n_found = 0;
    for (size_t i = 0; i < n_queries; i++)
        n_found += run_query(queries[i], mem, mem_size, buf, 1 << 20, &expected[i]) > 0;
    free(mem);
    free(buf);
    worker workers[N_THREADS];
    for (unsigned t = 0; t < N_THREADS; t++) {
        workers[t] = (worker){.id = t, .mem_size = mem_size};
        if (pthread_create(&workers[t].thread, NULL, work, &workers[t]) != 0) {
            fprintf(stderr, "pthread_create failed\n");
            return 1;
        }
    }
    unsigned mismatches = 0;
    for (unsigned t = 0; t < N_THREADS; t++) {
        pthread_join(workers[t].thread, NULL);
        mismatches += workers[t].mismatches;
    }
    printf("%u threads x %u rounds x %zu queries (%zu with hits): %u answers differ\n", N_THREADS,
           N_ROUNDS, n_queries, n_found, mismatches);
    for (size_t i = 0; i < n_queries; i++)
        free(queries[i]);
    if (n_found == 0) fprintf(stderr, "no query found anything: nothing was compared\n");
    return mismatches || n_found == 0 ? 1 : 0;
}
