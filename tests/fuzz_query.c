/*
 * fuzz_query.c: fuzz target for the query runtime on real indexes.
 *
 * The input is one byte of options and then the query's bytes.  The
 * options byte chooses the index (bit 0: the bundled corpus index, built
 * from corpus/ with the english stemmer, or a synthetic index of 140
 * documents from tests/index_helper.c whose lists fill several postings
 * blocks), the query flags (bit 1 search as you type, bit 2 exact), the
 * workspace (bits 3-4: exactly what the prepare-time measure says, the
 * index's bound, half the measure, or one byte short of it) and the hits
 * asked for (bits 5-7).  Each input is prepared, run, snippeted (its first
 * SNIPPET_HITS hits, each also into too small a buffer) and given a "did
 * you mean"; the inputs that ask for the index's bound as their workspace
 * (bits 3-4 = 1) are also completed.  The target checks what the API
 * promises:
 *   - a query measured with mem == NULL prepares with the same status and
 *     diagnostics in a workspace of the measured size, and then runs and
 *     snippets its hits without STELE_ENOSPACE (the first snippet of up to
 *     446 bytes; the second asks for 600, which may need more);
 *   - a smaller workspace gives STELE_ENOSPACE or a valid answer, never
 *     anything else;
 *   - hits are in range, at most as many as asked for and as matched,
 *     best first, ties to the lower document number;
 *   - snippets, suggestions and completions are NUL-terminated inside
 *     their buffers, and an output too small says the length it needed.
 * A broken promise aborts, which is how libFuzzer reports it; the replay
 * program (fuzz_replay.c) runs the committed inputs in tests/fuzz/query/.
 *
 * What a run costs decides how much of the query space a campaign sees
 * (10 million runs are asked of it).  A snippet stems every token of its
 * passage through the index, so snippeting all of up to 64 hits took half
 * of a run on the corpus index; two hits reach every branch the rest did.
 * Completion reads the lexicon whatever the query, and does not depend on
 * the workspace choice, so one input in four (bits 3-4 = 1) pays for it and
 * every index and flag combination still meets it.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "index_helper.h"
#include "stele.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The corpus index compiled into the program (tools/meson.build's
 * bundled_index.c, made by `stele embed`). */
extern const unsigned char stele_bundled_index[];
extern const size_t stele_bundled_index_size;

#define WORKSPACE_BYTES (8u << 20)
#define MAX_HITS        64
#define SNIPPET_COVERED 446
#define SNIPPET_HITS    2 /* hits snippeted: one of each snippet size */

static void require(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "broken promise: %s\n", what);
        abort();
    }
}

typedef struct fuzz_env {
    stele_index ix[2];
    uint8_t *synthetic;
    unsigned char *mem; /* 8-byte aligned: the measure is exact for it */
} fuzz_env;

static fuzz_env *env_get(void)
{
    static fuzz_env env;
    static int ready;
    if (ready) return &env;
    require(stele_bundled_index_size > 0, "the bundled index exists");
    require(stele_open(&env.ix[0], stele_bundled_index, stele_bundled_index_size) == STELE_OK,
            "the bundled index opens");
    st_corpus c;
    th_expect exp;
    size_t size;
    th_synthetic(&c, &exp, 140);
    stele_build_opts opts = {.language = "none", .block_bytes = 2048};
    th_build(&c, &opts, &env.synthetic, &size);
    st_corpus_free(&c);
    th_expect_free(&exp);
    require(stele_open(&env.ix[1], env.synthetic, size) == STELE_OK, "the synthetic index opens");
    env.mem = malloc(WORKSPACE_BYTES);
    require(env.mem != NULL, "workspace");
    ready = 1;
    return &env;
}

static int status_ok(int rc)
{
    return rc == STELE_OK || rc == STELE_ESYNTAX || rc == STELE_ELIMIT || rc == STELE_ENOSPACE;
}

static void check_hits(const stele_index *ix, const stele_hit *hits, size_t n_hits, size_t max_hits,
                       size_t n_matches)
{
    require(n_hits <= max_hits && n_hits <= n_matches && n_matches <= ix->n_docs_, "hit counts");
    for (size_t h = 0; h < n_hits; h++) {
        require(hits[h].doc < ix->n_docs_, "hit document in range");
        require(isfinite(hits[h].score), "finite score");
        if (h > 0)
            require(hits[h - 1].score > hits[h].score ||
                        (hits[h - 1].score == hits[h].score && hits[h - 1].doc < hits[h].doc),
                    "hits best first, ties to the lower document");
    }
}

/* Snippets the first SNIPPET_HITS hits; with enough workspace (roomy) each
 * must fit. */
static void check_snippets(stele_query *q, const stele_hit *hits, size_t n_hits, int roomy)
{
    static char out[2048];
    static char tiny[8];
    stele_span spans[8];
    size_t n_spans = 0;
    for (size_t h = 0; h < n_hits && h < SNIPPET_HITS; h++) {
        size_t len = 0;
        stele_snippet_opts so = {.spans = spans, .max_spans = 8, .n_spans = &n_spans};
        if (h == 1) so.max_bytes = 600; /* over 446: the larger buffer */
        memset(out, 'x', sizeof out);
        int rc = stele_query_snippet(q, &hits[h], &so, out, sizeof out, &len);
        require(rc == STELE_OK || rc == STELE_ENOSPACE, "snippet status");
        /* The measure covers snippets of up to SNIPPET_COVERED bytes; a
         * longer one needs max_bytes + 66 bytes of buffer (stele.h). */
        if (roomy && so.max_bytes <= SNIPPET_COVERED)
            require(rc == STELE_OK, "snippet fits the measured workspace");
        if (rc != STELE_OK) continue;
        require(len < sizeof out && out[len] == '\0' && strlen(out) == len, "snippet NUL");
        for (size_t s = 0; s < n_spans && s < 8; s++)
            require(spans[s].start <= spans[s].end && spans[s].end <= len, "span inside");
        size_t need = 0;
        rc = stele_query_snippet(q, &hits[h], &so, tiny, sizeof tiny, &need);
        require(rc == STELE_OK || rc == STELE_ENOSPACE, "small snippet status");
        if (rc == STELE_ENOSPACE) require(tiny[0] == '\0' && need >= sizeof tiny, "ENOSPACE says");
        if (rc == STELE_OK) require(need == len && need < sizeof tiny, "short snippet");
    }
}

/* roomy: the query has the workspace it measured; short of it, an exact
 * query's suggestion may find no room for its correction walk
 * (STELE_ENOSPACE with *out_len = 0). */
static void check_suggest(const stele_query *q, const char *query, size_t len, int roomy)
{
    static char out[4096];
    size_t out_len = 0;
    int rc = stele_query_suggest(q, query, len, out, sizeof out, &out_len);
    require(rc == STELE_OK || rc == STELE_ENOTFOUND || rc == STELE_ENOSPACE, "suggest status");
    if (rc == STELE_OK) require(out_len < sizeof out && out[out_len] == '\0', "suggestion NUL");
    if (rc == STELE_ENOSPACE)
        require(out_len >= sizeof out || (!roomy && out_len == 0), "suggest says the length");
}

static void check_complete(const stele_index *ix, const char *query, size_t len,
                           const stele_query_opts *opts, unsigned char *mem)
{
    stele_completion items[8];
    stele_completions out = {.items = items, .max = 8};
    size_t bound = stele_workspace_bound(ix, 0);
    require(bound <= WORKSPACE_BYTES / 2, "bound fits");
    int rc = stele_complete(ix, query, len, opts, &out, mem, bound);
    require(rc == STELE_OK, "completion in the bound");
    require(out.n <= out.max && out.n <= out.total, "completion counts");
    for (size_t i = 0; i < out.n; i++) {
        require(items[i].len > 0 && items[i].len <= STELE_MAX_TERM_BYTES, "completion length");
        require(items[i].word[items[i].len] == '\0' && strlen(items[i].word) == items[i].len,
                "completion NUL");
        require(items[i].start <= len && items[i].co_docs <= ix->n_docs_, "completion facts");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint32_t hit_choices[8] = {1, 2, 3, 10, 20, 40, 64, 0};
    static stele_hit hits[MAX_HITS];
    if (size < 1) return 0;
    fuzz_env *env = env_get();
    unsigned choice = data[0];
    const stele_index *ix = &env->ix[choice & 1];
    const char *query = (const char *)data + 1;
    size_t len = size - 1;
    stele_query_opts opts = {0};
    opts.flags = (choice & 2 ? STELE_QUERY_AS_YOU_TYPE : 0) | (choice & 4 ? STELE_QUERY_EXACT : 0);
    uint32_t max_hits = hit_choices[choice >> 5 & 7];
    opts.max_results = max_hits ? max_hits : 1;
    /* The measure: no memory at all. */
    stele_query q;
    int measured = stele_query_prepare(&q, ix, query, len, &opts, NULL, 0);
    require(measured == STELE_OK || measured == STELE_ESYNTAX || measured == STELE_ELIMIT,
            "measure status");
    stele_diag diag = q.diag;
    if (measured == STELE_OK) require(diag.needed > 0, "a query needs memory");
    size_t bound = stele_workspace_bound(ix, opts.max_results);
    size_t mem_size;
    switch (choice >> 3 & 3) {
    case 0:
        mem_size = diag.needed;
        break;
    case 1:
        mem_size = bound;
        break;
    case 2:
        mem_size = diag.needed / 2;
        break;
    default:
        mem_size = diag.needed ? diag.needed - 1 : 0;
        break;
    }
    if (mem_size > WORKSPACE_BYTES) return 0;
    int roomy = measured == STELE_OK && mem_size >= diag.needed;
    int rc = stele_query_prepare(&q, ix, query, len, &opts, env->mem, mem_size);
    require(status_ok(rc), "prepare status");
    if (measured != STELE_OK) {
        require(rc == measured && q.diag.offset == diag.offset && q.diag.reason == diag.reason,
                "an error is the measure's error");
        return 0;
    }
    if (roomy) require(rc == STELE_OK, "prepare fits the measured workspace");
    if (rc == STELE_ENOSPACE) {
        require(!roomy && q.diag.needed == diag.needed, "ENOSPACE says what is needed");
        return 0;
    }
    require(q.diag.needed == diag.needed, "the measure is the prepared need");
    size_t n_hits = 0, n_matches = 0;
    rc = stele_query_run(&q, hits, max_hits, 0, &n_hits, &n_matches);
    require(rc == STELE_OK || rc == STELE_ENOSPACE, "run status");
    if (roomy) require(rc == STELE_OK, "run fits the measured workspace");
    if (rc == STELE_OK) {
        check_hits(ix, hits, n_hits, max_hits, n_matches);
        if (max_hits == 0) require(q.matches_exact == 1, "max_hits 0 counts every match");
        check_snippets(&q, hits, n_hits, roomy);
        /* The second page of a roomy run repeats the first's ranking. */
        if (roomy && n_hits > 1) {
            stele_hit page[MAX_HITS];
            size_t n_page = 0;
            rc = stele_query_run(&q, page, n_hits - 1, 1, &n_page, NULL);
            require(rc == STELE_OK && n_page == n_hits - 1, "paging");
            for (size_t h = 0; h < n_page; h++)
                require(page[h].doc == hits[h + 1].doc, "a page is the ranking's slice");
        }
    }
    check_suggest(&q, query, len, roomy);
    if ((choice >> 3 & 3) == 1)
        check_complete(ix, query, len, &opts, env->mem + WORKSPACE_BYTES / 2);
    return 0;
}
