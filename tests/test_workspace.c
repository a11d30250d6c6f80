/*
 * test_workspace.c: every workspace size is handled, and the bound holds.
 *
 * Usage: test_workspace CORPUS_DIR SCRATCH_INDEX
 *
 * For each query of a fixed list (terms, phrases, NEAR, prefixes, OR/NOT,
 * field scopes, and a few errors), the workspace a search needs is asked
 * twice: from a parse-only call (mem == NULL, which cannot know the
 * pointer's alignment and may add to it) and from a call with an empty
 * workspace (exact for a 16-byte aligned pointer).  Both must be within
 * stele_workspace_bound(ix, max_hits), the exact one no more than the
 * other.  Then the search runs with every workspace size from 0 to needed,
 * each ending where AddressSanitizer's poison starts (see block_at), so
 * that the smallest overrun is caught when the suite runs under ASan, as
 * the CI does.  Below needed the result
 * must be STELE_ENOSPACE with diag->needed equal to needed; at needed the search must succeed with
 * the same hits, scores and match counts as with an ample workspace.  The snippet of the best hit
 * goes through the same sweep against stele_workspace_bound(ix, 0).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tutil.h"
#include "tsearch.h"

static const char *const queries[] = {
    "treatment",
    "treatment in prison",
    "\"drug dependent persons\"",
    "opioid OR overdose OR naloxone",
    "prison -treatment",
    "(prison OR treatment) NOT (women OR children)",
    "NEAR(drug prison, 5)",
    "NEAR(drug prison treatment)",
    "HIV NEAR/5 prevention",
    "rehab*",
    "prev* treat*",
    "psychoactiv* programme*",
    "title:women",
    "footnote:\"Treaty Series\"",
    "body:(prevention OR treatment) -title:crime",
    "55/12",
    "the",
    "of the",
    "\"the\" OR \"of\" OR and",
    "nosuchwordanywhere",
    "\"new psychoactive substances\" NEAR(alternative development)",
    "drug (prison",
    "a*",
    "psycoactive substances",
    "opiod overdose OR rehabilitaton",
    "stigma -xqzvwk",
};

#define MAX_HITS 10

typedef struct outcome {
    int rc;
    size_t n_hits, n_matches;
    stele_hit hits[MAX_HITS];
} outcome;

static int same_hits(const outcome *a, const outcome *b)
{
    if (a->n_hits != b->n_hits || a->n_matches != b->n_matches) return 0;
    for (size_t i = 0; i < a->n_hits; i++) {
        const stele_hit *x = &a->hits[i], *y = &b->hits[i];
        if (x->doc != y->doc || x->score != y->score || x->para != y->para ||
            x->match_pos != y->match_pos)
            return 0;
    }
    return 1;
}

#if defined(__SANITIZE_ADDRESS__)
#define TW_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TW_ASAN 1
#endif
#endif
#ifdef TW_ASAN
#include <sanitizer/asan_interface.h>
#endif

/*
 * A workspace of exactly size bytes.  One 16-byte aligned heap block per
 * sweep holds them all: under AddressSanitizer every byte from size on is
 * poisoned, so the smallest overrun of the workspace is reported just as
 * for a block of that size of its own, without a heap allocation per call
 * (which made the sweep too slow under ASan).  The pointer is never NULL,
 * so a zero size is a real, empty workspace and not the parse-only request.
 */
typedef struct arena_block {
    unsigned char *mem;
    size_t cap;
} arena_block;

static void *block_at(arena_block *b, size_t size)
{
    if (size > b->cap || !b->mem) {
        free(b->mem);
        b->mem = NULL;
        b->cap = 0;
        void *p = NULL;
        if (posix_memalign(&p, 16, size ? size : 1) != 0 || !p) {
            fprintf(stderr, "out of memory\n");
            exit(1);
        }
        b->mem = p;
        b->cap = size;
    }
#ifdef TW_ASAN
    ASAN_UNPOISON_MEMORY_REGION(b->mem, size);
    if (b->cap > size) ASAN_POISON_MEMORY_REGION(b->mem + size, b->cap - size);
#endif
    return b->mem;
}

static void block_free(arena_block *b)
{
#ifdef TW_ASAN
    ASAN_UNPOISON_MEMORY_REGION(b->mem, b->cap);
#endif
    free(b->mem);
    b->mem = NULL;
    b->cap = 0;
}

static arena_block ws;

/* Sizes swept: every one up to 16 KB (the query state), then every fifth
 * (five is prime to the alignment, so every remainder still comes up),
 * and always the last few before and at the size needed. */
#define SWEEP_STEP(size, needed) ((size) < 16384 || (size) + 64 >= (needed) ? 1 : 5)
static unsigned long n_calls;

static int sweep_search(const tu_env *env, const char *query, size_t bound, outcome *best)
{
    size_t len = strlen(query);
    stele_diag diag = {0, 0, 0};
    outcome o;
    int rc = tu_search(&env->ix, query, len, &env->opts, NULL, 0, o.hits, MAX_HITS, &o.n_hits,
                       &o.n_matches, &diag);
    n_calls++;
    if (rc != STELE_OK) {
        /* An error query: it must fail the same way with any workspace. */
        void *mem = block_at(&ws, bound);
        int rc2 = tu_search(&env->ix, query, len, &env->opts, mem, bound, o.hits, MAX_HITS,
                            &o.n_hits, &o.n_matches, &diag);
        if (rc2 != rc) {
            fprintf(stderr, "'%s': parse-only gave %s, a full search %s\n", query,
                    stele_strerror(rc), stele_strerror(rc2));
            return 1;
        }
        best->rc = rc;
        return 0;
    }
    size_t needed_any = diag.needed;
    void *mem = block_at(&ws, 0);
    rc = tu_search(&env->ix, query, len, &env->opts, mem, 0, o.hits, MAX_HITS, &o.n_hits,
                   &o.n_matches, &diag);
    size_t needed = diag.needed;
    if (rc != STELE_ENOSPACE || needed == 0 || needed > needed_any || needed_any > bound) {
        fprintf(stderr, "'%s': %s with no workspace, needed %zu, parse-only %zu, bound %zu\n",
                query, stele_strerror(rc), needed, needed_any, bound);
        return 1;
    }
    mem = block_at(&ws, bound);
    best->rc = tu_search(&env->ix, query, len, &env->opts, mem, bound, best->hits, MAX_HITS,
                         &best->n_hits, &best->n_matches, &diag);
    if (best->rc != STELE_OK) {
        fprintf(stderr, "'%s': failed with the bound: %s\n", query, stele_strerror(best->rc));
        return 1;
    }
    for (size_t size = 0; size <= needed; size += SWEEP_STEP(size, needed)) {
        mem = block_at(&ws, size);
        memset(&diag, 0, sizeof diag);
        o.n_hits = o.n_matches = 0;
        memset(o.hits, 0xA5, sizeof o.hits);
        o.rc = tu_search(&env->ix, query, len, &env->opts, mem, size, o.hits, MAX_HITS, &o.n_hits,
                         &o.n_matches, &diag);
        n_calls++;
        /* Below what preparing reports, a workspace is too small (saying
         * so, with the same figure) or already enough for the run, which
         * needs no snippet text: then the answer is the right one. */
        if (size < needed && !(o.rc == STELE_ENOSPACE && diag.needed == needed) &&
            !(o.rc == STELE_OK && same_hits(&o, best))) {
            fprintf(stderr, "'%s': workspace %zu of %zu: %s, needed %zu\n", query, size, needed,
                    stele_strerror(o.rc), diag.needed);
            return 1;
        }
        if (size == needed && (o.rc != STELE_OK || !same_hits(&o, best))) {
            fprintf(stderr, "'%s': workspace of exactly %zu: %s, %zu hits (%zu expected)\n", query,
                    size, stele_strerror(o.rc), o.n_hits, best->n_hits);
            return 1;
        }
    }
    printf("  search  %-60s needs %7zu of %7zu bytes, %zu matches\n", query, needed, bound,
           best->n_matches);
    return 0;
}

static int sweep_snippet(const tu_env *env, const char *query, const stele_hit *hit, size_t bound)
{
    size_t len = strlen(query), out_len = 0;
    char want[1024], out[1024];
    stele_diag diag = {0, 0, 0};
    void *mem = block_at(&ws, bound);
    int rc = tu_snippet(&env->ix, query, len, &env->opts, hit, NULL, mem, bound, want, sizeof want,
                        &out_len, &diag);
    if (rc != STELE_OK) {
        fprintf(stderr, "'%s': snippet with the bound: %s\n", query, stele_strerror(rc));
        return 1;
    }
    mem = block_at(&ws, 0);
    rc = tu_snippet(&env->ix, query, len, &env->opts, hit, NULL, mem, 0, out, sizeof out, &out_len,
                    &diag);
    size_t needed = diag.needed;
    if (rc != STELE_ENOSPACE || needed == 0 || needed > bound) {
        fprintf(stderr, "'%s': snippet with no workspace: %s, needed %zu, bound %zu\n", query,
                stele_strerror(rc), needed, bound);
        return 1;
    }
    for (size_t size = 0; size <= needed; size += SWEEP_STEP(size, needed)) {
        mem = block_at(&ws, size);
        memset(&diag, 0, sizeof diag);
        rc = tu_snippet(&env->ix, query, len, &env->opts, hit, NULL, mem, size, out, sizeof out,
                        &out_len, &diag);
        n_calls++;
        if (size < needed && !(rc == STELE_ENOSPACE && diag.needed == needed) &&
            !(rc == STELE_OK && strcmp(out, want) == 0)) {
            fprintf(stderr, "'%s': snippet workspace %zu of %zu: %s, needed %zu\n", query, size,
                    needed, stele_strerror(rc), diag.needed);
            return 1;
        }
        if (size == needed && (rc != STELE_OK || strcmp(out, want) != 0)) {
            fprintf(stderr, "'%s': snippet with exactly %zu bytes: %s\n", query, size,
                    stele_strerror(rc));
            return 1;
        }
    }
    printf("  snippet %-60s needs %7zu of %7zu bytes\n", query, needed, bound);
    return 0;
}

/* Queries for the one long document: words near its start, middle and
 * end, a phrase and a NEAR whose matches lie deep inside it. */
/* An exact query's suggestion looks for its corrections in the
 * workspace past the prepared state (search.c): with the workspace
 * preparing measured it must give the suggestion of an ample one, and
 * with less (but enough to prepare) that suggestion or STELE_ENOSPACE
 * with *out_len = 0, never an overrun (ASan). */
static int sweep_suggest(const tu_env *env, const char *query, size_t bound)
{
    size_t len = strlen(query), want_len = 0, needed;
    char want[256], got[256];
    stele_query_opts opts = env->opts;
    stele_query q;
    opts.flags |= STELE_QUERY_EXACT;
    if (stele_query_prepare(&q, &env->ix, query, len, &opts, NULL, 0) != STELE_OK) {
        fprintf(stderr, "'%s': exact query not measured\n", query);
        return 1;
    }
    needed = q.diag.needed;
    void *mem = block_at(&ws, bound);
    int rc = stele_query_prepare(&q, &env->ix, query, len, &opts, mem, bound);
    if (rc == STELE_OK) rc = stele_query_suggest(&q, query, len, want, sizeof want, &want_len);
    if (rc != STELE_OK || needed > bound) {
        fprintf(stderr, "'%s': exact suggestion %s with the bound (needs %zu of %zu)\n", query,
                stele_strerror(rc), needed, bound);
        return 1;
    }
    unsigned long n_short = 0;
    for (size_t size = 0; size <= needed; size += SWEEP_STEP(size, needed)) {
        size_t got_len = 99;
        mem = block_at(&ws, size);
        if (stele_query_prepare(&q, &env->ix, query, len, &opts, mem, size) != STELE_OK) continue;
        rc = stele_query_suggest(&q, query, len, got, sizeof got, &got_len);
        n_calls++;
        if (rc == STELE_ENOSPACE && size < needed && got_len == 0) {
            n_short++;
            continue;
        }
        if (rc != STELE_OK || got_len != want_len || memcmp(got, want, want_len) != 0) {
            fprintf(stderr, "'%s': suggestion with %zu of %zu bytes: %s '%.*s'\n", query, size,
                    needed, stele_strerror(rc), (int)got_len, got);
            return 1;
        }
    }
    if (n_short == 0) {
        fprintf(stderr, "'%s': no workspace prepared the query without room to suggest\n", query);
        return 1;
    }
    printf("  suggest %-60s '%s' needs %zu bytes (%lu sizes short)\n", query, want, needed,
           n_short);
    return 0;
}

static const char *const long_queries[] = {
    "treatment", "\"drug dependent persons\"", "NEAR(drug prison, 5)", "naloxone", "rehab*",
};

/* Replaces env's corpus by one document: a title and one body paragraph
 * holding every paragraph of the corpus, copies times over, then
 * rebuilds the index.  0 or -1 (printed). */
static int join_corpus(tu_env *env, unsigned copies)
{
    st_corpus joined;
    char *text = NULL;
    size_t len = 0, cap = 0;
    if (st_corpus_init(&joined) != STELE_OK) return -1;
    for (unsigned copy = 0; copy < copies; copy++)
        for (size_t d = 0; d < env->corpus.n_docs; d++)
            for (size_t p = 0; p < env->corpus.docs[d].n_paras; p++) {
                const st_para *para = &env->corpus.docs[d].paras[p];
                if (len + para->len + 1 > cap) {
                    size_t ncap = (len + para->len + 1) * 2;
                    char *n = realloc(text, ncap);
                    if (!n) goto fail;
                    text = n;
                    cap = ncap;
                }
                if (len) text[len++] = ' ';
                memcpy(text + len, para->text, para->len);
                len += para->len;
            }
    st_doc *nd = st_corpus_add_doc(&joined, "all", "All the corpus", "joined");
    if (!nd || st_doc_add_para(nd, 1, STELE_PARA_TEXT, 0, text, len, 1) != STELE_OK) goto fail;
    free(text);
    st_corpus_free(&env->corpus);
    env->corpus = joined;
    return tu_env_rebuild(env, "english");
fail:
    fprintf(stderr, "joined corpus: out of memory\n");
    free(text);
    st_corpus_free(&joined);
    return -1;
}

int main(int argc, char **argv)
{
    tu_env env;
    int rc = tu_env_open(&env, argc, argv);
    if (rc != 0) {
        tu_env_close(&env);
        return rc == TU_SKIP ? TU_SKIP : 1;
    }
    size_t search_bound = stele_workspace_bound(&env.ix, MAX_HITS);
    size_t snippet_bound = stele_workspace_bound(&env.ix, 0);
    int failures = 0;
    size_t n_searches = 0, n_snippets = 0;
    for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++) {
        outcome best;
        memset(&best, 0, sizeof best);
        if (sweep_search(&env, queries[i], search_bound, &best)) {
            failures++;
            continue;
        }
        n_searches++;
        if (best.rc == STELE_OK && best.n_hits > 0) {
            failures += sweep_snippet(&env, queries[i], &best.hits[0], snippet_bound);
            n_snippets++;
        }
    }
    failures += sweep_suggest(&env, "psycoactive substances", search_bound);
    failures += sweep_suggest(&env, "opiod overdose OR rehabilitaton", search_bound);
    /* The bound does not grow with a document's size: one document made
     * of the whole corpus four times over, as one paragraph far longer
     * than a stored-text block, gets the same bound, and its snippets go
     * through the same sweep within it. */
    size_t small_bound = search_bound;
    if (join_corpus(&env, 4) != 0) {
        failures++;
    } else {
        search_bound = stele_workspace_bound(&env.ix, MAX_HITS);
        snippet_bound = stele_workspace_bound(&env.ix, 0);
        if (search_bound != small_bound || search_bound > 128 * 1024 ||
            env.ix.max_block_bytes_ < 4 * search_bound) {
            fprintf(stderr, "one long document: bound %zu, was %zu, block %u bytes\n", search_bound,
                    small_bound, env.ix.max_block_bytes_);
            failures++;
        }
        for (size_t i = 0; i < sizeof long_queries / sizeof long_queries[0]; i++) {
            outcome best;
            memset(&best, 0, sizeof best);
            if (sweep_search(&env, long_queries[i], search_bound, &best)) {
                failures++;
                continue;
            }
            n_searches++;
            if (best.rc != STELE_OK || best.n_hits != 1) {
                fprintf(stderr, "'%s': no hit in the long document\n", long_queries[i]);
                failures++;
                continue;
            }
            failures += sweep_snippet(&env, long_queries[i], &best.hits[0], snippet_bound);
            n_snippets++;
        }
    }
    printf("workspace: %zu queries, %zu search sweeps, %zu snippet sweeps, %lu calls, "
           "bounds %zu (search, %d hits) and %zu (snippet): %s\n",
           sizeof queries / sizeof queries[0], n_searches, n_snippets, n_calls, search_bound,
           MAX_HITS, snippet_bound, failures ? "FAIL" : "OK");
    block_free(&ws);
    tu_env_close(&env);
    return failures != 0;
}
