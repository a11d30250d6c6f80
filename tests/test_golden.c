/*
 * test_golden.c: what a delegate sees for natural queries, checked in.
 *
 * Usage: test_golden CORPUS_DIR SCRATCH_INDEX QUERIES RESULTS [--regen]
 *
 * QUERIES holds one query per line ('#' starts a comment line).  For each,
 * the three best hits (document id, score to four decimals, best
 * paragraph's kind and number) and the snippet of the best hit are written
 * as text and compared with RESULTS; any difference fails and is printed.
 * With --regen the text is written to RESULTS instead: golden results
 * change only on purpose, and the change is reviewed in the diff.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tutil.h"
#include "tsearch.h"

#define TOP 3

typedef struct text {
    char *buf;
    size_t len, cap;
} text;

#if defined(__GNUC__)
static void add(text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#endif

static void add(text *t, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
        va_end(ap);
        if (n < 0) return;
        if ((size_t)n < t->cap - t->len) {
            t->len += (size_t)n;
            return;
        }
        size_t cap = (t->cap + (size_t)n + 1) * 2;
        char *p = realloc(t->buf, cap);
        if (!p) {
            fprintf(stderr, "out of memory\n");
            exit(1);
        }
        t->buf = p;
        t->cap = cap;
    }
}

/* The block of one query: its line, match count, top hits, snippet. */
static void run(const tu_env *env, const char *query, void *mem, size_t mem_size, text *out)
{
    stele_hit hits[TOP];
    size_t n_hits = 0, n_matches = 0;
    stele_diag diag = {0, 0, 0};
    add(out, "query: %s\n", query);
    int rc = tu_search(&env->ix, query, strlen(query), &env->opts, mem, mem_size, hits, TOP,
                       &n_hits, &n_matches, &diag);
    if (rc != STELE_OK) {
        add(out, "error: %s at %zu\n\n", stele_strerror(rc), diag.offset);
        return;
    }
    add(out, "matches: %zu\n", n_matches);
    for (size_t i = 0; i < n_hits; i++) {
        const stele_hit *h = &hits[i];
        add(out, "%zu. %.*s | %.4f | %s", i + 1, (int)h->id.len, h->id.data, h->score,
            stele_para_kind_name(h->para_kind));
        if (h->para_number) add(out, " %u", h->para_number);
        add(out, " | %.*s\n", (int)(h->title.len > 70 ? 70 : h->title.len), h->title.data);
    }
    if (n_hits > 0) {
        char snippet[1024];
        size_t snippet_len = 0;
        rc = tu_snippet(&env->ix, query, strlen(query), &env->opts, &hits[0], NULL, mem, mem_size,
                        snippet, sizeof snippet, &snippet_len, &diag);
        if (rc == STELE_OK)
            add(out, "snippet: %s\n", snippet);
        else
            add(out, "snippet error: %s\n", stele_strerror(rc));
    }
    add(out, "\n");
}

/* Prints the blocks of expected and got that differ. */
static size_t report_diff(const char *want, const char *got)
{
    size_t n_diff = 0;
    while (*want || *got) {
        const char *we = strstr(want, "\n\n"), *ge = strstr(got, "\n\n");
        size_t wl = we ? (size_t)(we - want) + 2 : strlen(want);
        size_t gl = ge ? (size_t)(ge - got) + 2 : strlen(got);
        if (wl != gl || memcmp(want, got, wl) != 0) {
            n_diff++;
            fprintf(stderr, "--- expected\n%.*s+++ got\n%.*s", (int)wl, want, (int)gl, got);
        }
        want += wl;
        got += gl;
    }
    return n_diff;
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: %s CORPUS_DIR SCRATCH_INDEX QUERIES RESULTS [--regen]\n", argv[0]);
        return 1;
    }
    int regen = argc > 5 && strcmp(argv[5], "--regen") == 0;
    tu_env env;
    int rc = tu_env_open(&env, argc, argv);
    if (rc != 0) {
        tu_env_close(&env);
        return rc == TU_SKIP ? TU_SKIP : 1;
    }
    uint8_t *qdata;
    size_t qsize;
    if (tu_read_file(argv[3], &qdata, &qsize) != 0) return 1;
    size_t mem_size = stele_workspace_bound(&env.ix, TOP);
    void *mem = malloc(mem_size);
    char *queries = malloc(qsize + 1);
    if (!mem || !queries) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    memcpy(queries, qdata, qsize);
    queries[qsize] = '\0';
    free(qdata);
    text got = {NULL, 0, 0};
    add(&got, "# Golden results: tests/golden/queries.txt over the bundled corpus.\n"
              "# Regenerate only on purpose: test_golden ... --regen, and review the diff.\n\n");
    size_t n_queries = 0;
    for (char *line = strtok(queries, "\n"); line; line = strtok(NULL, "\n")) {
        if (line[0] == '#' || line[0] == '\0') continue;
        run(&env, line, mem, mem_size, &got);
        n_queries++;
    }
    int failed = 0;
    if (regen) {
        FILE *f = fopen(argv[4], "wb");
        if (!f || fwrite(got.buf, 1, got.len, f) != got.len || fclose(f) != 0) {
            fprintf(stderr, "cannot write %s\n", argv[4]);
            failed = 1;
        }
        printf("golden: %zu queries written to %s\n", n_queries, argv[4]);
    } else {
        uint8_t *want;
        size_t want_size;
        if (tu_read_file(argv[4], &want, &want_size) != 0) return 1;
        char *w = malloc(want_size + 1);
        if (!w) return 1;
        memcpy(w, want, want_size);
        w[want_size] = '\0';
        free(want);
        size_t n_diff = report_diff(w, got.buf ? got.buf : "");
        failed = n_diff != 0;
        printf("golden: %zu queries, %zu differ from the golden file: %s\n", n_queries, n_diff,
               failed ? "FAIL" : "OK");
        free(w);
    }
    free(got.buf);
    free(queries);
    free(mem);
    tu_env_close(&env);
    return failed;
}
