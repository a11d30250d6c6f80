/*
 * test_golden.c: what a delegate sees for natural queries, checked in.
 *
 * Usage: test_golden CORPUS_DIR INDEX QUERIES RESULTS [--regen]
 *                    [--prebuilt] [--scores SCORES]
 *
 * QUERIES holds one query per line ('#' starts a comment line).  For each,
 * the three best hits (document id, score to four decimals, best
 * paragraph's kind and number) and the snippet of the best hit are written
 * as text and compared with RESULTS; any difference fails and is printed.
 * With --regen the text is written to RESULTS instead: golden results
 * change only on purpose, and the change is reviewed in the diff.
 *
 * The index is built from CORPUS_DIR at INDEX, unless --prebuilt says
 * INDEX is already built (on another machine: the portability runs build
 * it on the host and search it on a 32-bit and a big-endian target).
 * --scores also checks every hit's score at full precision against
 * SCORES (one "query <TAB> rank <TAB> id <TAB> score" line per hit), within
 * 1e-9; with --regen it writes SCORES.
 *
 * --lexicon-stem runs the queries with no stemmer callback, so the
 * runtime stems them by lookup in the index's lexicon (what a device
 * without libstemmer does): the results must be the very same.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tutil.h"
#include "tsearch.h"

#define TOP 3

/* How far a score may stray from the golden one: the last bits of a
 * double may differ between compilers and targets, never more. */
#define SCORE_TOLERANCE 1e-9

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
static void run(const tu_env *env, const char *query, void *mem, size_t mem_size, text *out,
                text *scores)
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
    /* every match, counted with no room for hits: the top 3's count may
     * be a lower bound, as much of the ranking as pruning skipped */
    rc = tu_search(&env->ix, query, strlen(query), &env->opts, mem, mem_size, NULL, 0, NULL,
                   &n_matches, &diag);
    if (rc != STELE_OK) {
        add(out, "error: %s counting\n\n", stele_strerror(rc));
        return;
    }
    add(out, "matches: %zu\n", n_matches);
    for (size_t i = 0; i < n_hits; i++) {
        const stele_hit *h = &hits[i];
        add(out, "%zu. %.*s | %.4f | %s", i + 1, (int)h->id.len, h->id.data, h->score,
            stele_para_kind_name(h->para_kind));
        if (h->para_number) add(out, " %u", h->para_number);
        add(out, " | %.*s\n", (int)(h->title.len > 70 ? 70 : h->title.len), h->title.data);
        add(scores, "%s\t%zu\t%.*s\t%.17g\n", query, i + 1, (int)h->id.len, h->id.data, h->score);
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

/* Compares the score lines got with want: the same hits in the same
 * order, each score within SCORE_TOLERANCE.  Prints each difference;
 * returns how many lines differ. */
static size_t check_scores(char *want, char *got)
{
    size_t n_diff = 0, line = 0;
    char *want_next, *got_next;
    for (;; want = want_next, got = got_next) {
        want_next = strchr(want, '\n');
        got_next = strchr(got, '\n');
        if (!want_next && !got_next) break;
        line++;
        if (!want_next || !got_next) {
            fprintf(stderr, "scores: line %zu: %s\n", line,
                    want_next ? "missing hit" : "hit not in the golden scores");
            return n_diff + 1;
        }
        *want_next++ = '\0';
        *got_next++ = '\0';
        char *want_tab = strrchr(want, '\t'), *got_tab = strrchr(got, '\t');
        int same_hit = want_tab && got_tab && want_tab - want == got_tab - got &&
                       memcmp(want, got, (size_t)(want_tab - want)) == 0;
        double delta = same_hit ? fabs(strtod(want_tab + 1, NULL) - strtod(got_tab + 1, NULL)) : 0;
        if (!same_hit || !(delta <= SCORE_TOLERANCE)) {
            fprintf(stderr, "scores: line %zu: expected %s, got %s (delta %g)\n", line, want, got,
                    delta);
            n_diff++;
        }
    }
    return n_diff;
}

/* Opens an index built elsewhere, with the english stemmer, as
 * tu_env_open does after its build. */
static int open_prebuilt(tu_env *env, const char *path)
{
    memset(env, 0, sizeof *env);
    if (tu_read_file(path, &env->index_data, &env->index_size) != 0) return -1;
    int rc = stele_open(&env->ix, env->index_data, env->index_size);
    if (rc != STELE_OK) {
        fprintf(stderr, "stele_open %s: %s\n", path, stele_strerror(rc));
        return -1;
    }
    env->stemmer = stele_stemmer_new("english");
    if (!env->stemmer) {
        fprintf(stderr, "stele_stemmer_new(english) failed\n");
        return -1;
    }
    env->opts.stem = stele_stemmer_stem;
    env->opts.stem_ctx = env->stemmer;
    return 0;
}

static int write_file(const char *path, const text *t)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(t->buf, 1, t->len, f) != t->len || fclose(f) != 0) {
        fprintf(stderr, "cannot write %s\n", path);
        return -1;
    }
    return 0;
}

/* A whole file as a NUL-terminated heap string, or NULL (printed). */
static char *read_text(const char *path)
{
    uint8_t *data;
    size_t size;
    if (tu_read_file(path, &data, &size) != 0) return NULL;
    char *s = malloc(size + 1);
    if (s) {
        memcpy(s, data, size);
        s[size] = '\0';
    }
    free(data);
    return s;
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr,
                "usage: %s CORPUS_DIR INDEX QUERIES RESULTS [--regen] [--prebuilt] "
                "[--scores SCORES]\n",
                argv[0]);
        return 1;
    }
    int regen = 0, prebuilt = 0, lexicon_stem = 0;
    const char *scores_path = NULL;
    for (int i = 5; i < argc; i++) {
        if (strcmp(argv[i], "--regen") == 0)
            regen = 1;
        else if (strcmp(argv[i], "--prebuilt") == 0)
            prebuilt = 1;
        else if (strcmp(argv[i], "--lexicon-stem") == 0)
            lexicon_stem = 1;
        else if (strcmp(argv[i], "--scores") == 0 && i + 1 < argc)
            scores_path = argv[++i];
        else {
            fprintf(stderr, "%s: unknown option %s\n", argv[0], argv[i]);
            return 1;
        }
    }
    tu_env env;
    int rc = prebuilt ? open_prebuilt(&env, argv[2]) : tu_env_open(&env, argc, argv);
    if (rc != 0) {
        tu_env_close(&env);
        return rc == TU_SKIP ? TU_SKIP : 1;
    }
    if (lexicon_stem) {
        env.opts.stem = NULL;
        env.opts.stem_ctx = NULL;
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
    text got = {NULL, 0, 0}, scores = {NULL, 0, 0};
    add(&scores, "%s", "");
    add(&got, "# Golden results: tests/golden/queries.txt over the bundled corpus.\n"
              "# Regenerate only on purpose: test_golden ... --regen, and review the diff.\n\n");
    size_t n_queries = 0;
    for (char *line = strtok(queries, "\n"); line; line = strtok(NULL, "\n")) {
        if (line[0] == '#' || line[0] == '\0') continue;
        run(&env, line, mem, mem_size, &got, &scores);
        n_queries++;
    }
    int failed = 0;
    if (regen) {
        if (write_file(argv[4], &got) != 0) failed = 1;
        if (scores_path && write_file(scores_path, &scores) != 0) failed = 1;
        printf("golden: %zu queries written to %s\n", n_queries, argv[4]);
    } else {
        char *w = read_text(argv[4]);
        if (!w) return 1;
        size_t n_diff = report_diff(w, got.buf ? got.buf : "");
        failed = n_diff != 0;
        printf("golden: %zu queries, %zu differ from the golden file: %s\n", n_queries, n_diff,
               failed ? "FAIL" : "OK");
        free(w);
        if (scores_path) {
            char *ws = read_text(scores_path);
            if (!ws) return 1;
            size_t n_bad = check_scores(ws, scores.buf);
            printf("golden: %zu scores differ by more than %g: %s\n", n_bad, SCORE_TOLERANCE,
                   n_bad ? "FAIL" : "OK");
            failed |= n_bad != 0;
            free(ws);
        }
    }
    free(scores.buf);
    free(got.buf);
    free(queries);
    free(mem);
    tu_env_close(&env);
    return failed;
}
