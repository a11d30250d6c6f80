/*
 * fw_search.c: search an index compiled into flash and print the top hits,
 * on a microcontroller with no heap, no stdio and no libm.
 *
 * The index is the const array `stele embed` generates (embedded_index.c)
 * and the only RAM is one static workspace of the size its header gives.
 * Output goes through fw_out(); numbers are formatted here, since a
 * firmware may have no printf.  The device passes no stemmer: the
 * runtime stems each query word by looking it up in the index's lexicon
 * of the words it was built from, which gives the term the indexer's
 * stemmer made of it.  The same file built for the host (fw_host.c), with
 * the Snowball stemmer passed instead, gives the output the emulated run
 * must match.
 */
#include <stdint.h>
#include <string.h>

#include "embedded_index.h"
#include "fw_search.h"
#include "stele.h"

#define MAX_HITS 3

static _Alignas(16) unsigned char workspace[EMBEDDED_INDEX_WORKSPACE_BYTES];

static const char *const queries[] = {
    "women prison", "treatment", "children OR youth", "title:women", "NEAR(women prison, 20)",
    "HIV",          "55/12",
};

const char *const fw_stem_words[] = {
    "prisoners", "trafficking", "drugs", "programmes", "offenders", "countries", NULL,
};

static void out_str(const char *s)
{
    fw_out(s, strlen(s));
}

/* The deepest stack each public call took (fw_stack_used), over all the
 * queries. */
enum { C_OPEN, C_PREPARE, C_RUN, C_SNIPPET, N_CALLS };
static const char *const call_names[N_CALLS] = {"stele_open_", "stele_query_prepare",
                                                "stele_query_run", "stele_query_snippet"};
static size_t stack_peak[N_CALLS];

static void stack_note(int call)
{
    size_t used = fw_stack_used();
    if (used > stack_peak[call]) stack_peak[call] = used;
}

static void out_uint(unsigned long v, int min_digits)
{
    char buf[24];
    int n = 0;
    do {
        buf[sizeof buf - 1 - n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v || n < min_digits);
    fw_out(buf + sizeof buf - n, (size_t)n);
}

/* A non-negative score to four decimals. */
static void out_score(double score)
{
    unsigned long v = (unsigned long)(score * 10000.0 + 0.5);
    out_uint(v / 10000, 1);
    out_str(".");
    out_uint(v % 10000, 4);
}

static int run(const stele_index *ix, const char *query, stele_stem_fn stem, void *stem_ctx)
{
    /* Static, as the workspace: the query holds the parser's scratch
     * (3.3 KB here), which keeps it off the stack. */
    static stele_query q;
    stele_query_opts opts;
    stele_hit hits[MAX_HITS];
    size_t n_hits = 0, n_matches = 0;
    char snippet[320];
    size_t snippet_len = 0;
    int rc;

    memset(&opts, 0, sizeof opts);
    opts.max_results = MAX_HITS;
    opts.stem = stem;
    opts.stem_ctx = stem_ctx;
    out_str("query: ");
    out_str(query);
    out_str("\n");
    fw_stack_paint();
    rc = stele_query_prepare(&q, ix, query, strlen(query), &opts, workspace, sizeof workspace);
    stack_note(C_PREPARE);
    if (rc == STELE_OK) {
        fw_stack_paint();
        rc = stele_query_run(&q, hits, MAX_HITS, 0, &n_hits, &n_matches);
        stack_note(C_RUN);
    }
    if (rc != STELE_OK) {
        out_str("error: ");
        out_str(stele_strerror(rc));
        out_str("\n");
        return 1;
    }
    out_str("matches: ");
    out_uint(n_matches, 1);
    out_str("\n");
    for (size_t i = 0; i < n_hits; i++) {
        out_uint(i + 1, 1);
        out_str(". ");
        fw_out(hits[i].id.data, hits[i].id.len);
        out_str(" | ");
        out_score(hits[i].score);
        out_str(" | ");
        out_str(stele_para_kind_name(hits[i].para_kind));
        out_str("\n");
    }
    if (n_hits > 0) {
        fw_stack_paint();
        rc = stele_query_snippet(&q, &hits[0], NULL, snippet, sizeof snippet, &snippet_len);
        stack_note(C_SNIPPET);
        if (rc != STELE_OK) {
            out_str("snippet error: ");
            out_str(stele_strerror(rc));
            out_str("\n");
            return 1;
        }
        out_str("snippet: ");
        fw_out(snippet, snippet_len);
        out_str("\n");
    }
    return 0;
}

int fw_search(stele_stem_fn stem, void *stem_ctx)
{
    stele_index ix;
    int rc, failed = 0;
    fw_stack_paint();
    rc = stele_open(&ix, embedded_index, embedded_index_size);
    stack_note(C_OPEN);
    if (rc != STELE_OK) {
        out_str("stele_open: ");
        out_str(stele_strerror(rc));
        out_str("\n");
        return 1;
    }
    if (stele_workspace_bound(&ix, MAX_HITS) > sizeof workspace) {
        out_str("workspace too small for this index\n");
        return 1;
    }
    for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++)
        failed |= run(&ix, queries[i], stem, stem_ctx);
    for (size_t i = 0; fw_stem_words[i]; i++)
        failed |= run(&ix, fw_stem_words[i], stem, stem_ctx);
    out_str(failed ? "done: FAIL\n" : "done\n");
    /* the device's high-water marks, after the output the host matches */
    for (int c = 0; c < N_CALLS; c++) {
        if (stack_peak[c] == 0) continue;
        out_str("stack: ");
        out_str(call_names[c]);
        out_str(" ");
        out_uint(stack_peak[c], 1);
        out_str("\n");
    }
    return failed;
}
