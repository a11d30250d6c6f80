/*
 * test_search.c: searches and snippets over the bundled corpus.
 *
 * Usage: test_search CORPUS_DIR INDEX_PATH [--show QUERY...]
 *
 * The index is built from every file of CORPUS_DIR with stele_build()
 * (English stemming), read into memory and opened; then real queries are
 * checked against what the resolutions say: which resolution ranks first
 * for a topic, a symbol, a phrase that crosses a page break, field scope,
 * NEAR, prefixes, OR and NOT, the paragraph each hit names, and the marked
 * words of snippets.  Each query also runs with every workspace size below
 * what it reported as needed (all must give STELE_ENOSPACE, and the needed
 * size must be within stele_workspace_bound()).  With --show it prints the
 * hits and snippets of the given queries instead (for exploring).
 */
#include <math.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "stele.h"
#include "tsearch.h"
#include "stele_index.h"
#include "stele_stem.h"

#define MAX_HITS 10

static int failures;
static stele_index ix;
static stele_query_opts opts;
static unsigned char *work;
static size_t work_size;

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            printf("FAIL line %d: ", __LINE__);                                                    \
            printf(__VA_ARGS__);                                                                   \
            printf("\n");                                                                          \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

typedef struct result {
    int rc;
    stele_hit hits[MAX_HITS];
    size_t n_hits, n_matches, needed;
    stele_diag diag;
} result;

static result run(const char *query)
{
    result r;
    memset(&r, 0, sizeof r);
    r.rc = tu_search(&ix, query, strlen(query), &opts, work, work_size, r.hits, MAX_HITS, &r.n_hits,
                     &r.n_matches, &r.diag);
    r.needed = r.diag.needed;
    return r;
}

/* The hit's document id as a C string (static buffer). */
static const char *id_of(const stele_hit *h)
{
    static char buf[4][64];
    static int turn;
    char *b = buf[turn++ % 4];
    size_t n = h->id.len < 63 ? h->id.len : 63;
    memcpy(b, h->id.data, n);
    b[n] = '\0';
    return b;
}

static int rank_of(const result *r, const char *id)
{
    for (size_t i = 0; i < r->n_hits; i++)
        if (strcmp(id_of(&r->hits[i]), id) == 0) return (int)i;
    return -1;
}

static int snippet(const char *query, const stele_hit *h, char *out, size_t cap)
{
    size_t len;
    stele_diag d;
    return tu_snippet(&ix, query, strlen(query), &opts, h, NULL, work, work_size, out, cap, &len,
                      &d);
}

static void show(const char *query)
{
    result r = run(query);
    char snip[2048];
    printf("query %s: rc %d (%s) offset %zu, %zu matches, needed %zu\n", query, r.rc,
           stele_strerror(r.rc), r.diag.offset, r.n_matches, r.needed);
    for (size_t i = 0; i < r.n_hits; i++) {
        stele_hit *h = &r.hits[i];
        int rc = snippet(query, h, snip, sizeof snip);
        printf("  %zu. %-12s %.4f para %u (%s %u) pos %u\n     %s\n", i + 1, id_of(h), h->score,
               h->para, stele_para_kind_name(h->para_kind), h->para_number, h->match_pos,
               rc == STELE_OK ? snip : stele_strerror(rc));
    }
}

/* The first hit must be want_id; returns the result for more checks. */
static result expect_first(const char *query, const char *want_id)
{
    result r = run(query);
    CHECK(r.rc == STELE_OK, "%s: rc %d", query, r.rc);
    CHECK(r.n_hits > 0 && strcmp(id_of(&r.hits[0]), want_id) == 0, "%s: first is %s, want %s",
          query, r.n_hits ? id_of(&r.hits[0]) : "(none)", want_id);
    CHECK(r.n_matches >= r.n_hits, "%s: %zu matches < %zu hits", query, r.n_matches, r.n_hits);
    for (size_t i = 1; i < r.n_hits; i++)
        CHECK(r.hits[i - 1].score > r.hits[i].score ||
                  (r.hits[i - 1].score == r.hits[i].score && r.hits[i - 1].doc < r.hits[i].doc),
              "%s: hits %zu and %zu out of order", query, i - 1, i);
    return r;
}

/* Every workspace size below the reported need gives ENOSPACE, the need
 * is within the bound, and mem == NULL reports a need at least as large. */
static void sweep(const char *query)
{
    result r = run(query);
    stele_hit hits[MAX_HITS];
    size_t n_hits, n_matches, bound = stele_workspace_bound(&ix, MAX_HITS);
    stele_diag d;
    int rc;

    CHECK(r.rc == STELE_OK, "%s: rc %d", query, r.rc);
    CHECK(r.needed > 0 && r.needed <= bound, "%s: needed %zu, bound %zu", query, r.needed, bound);
    rc = tu_search(&ix, query, strlen(query), &opts, NULL, 0, hits, MAX_HITS, &n_hits, &n_matches,
                   &d);
    /* work comes from malloc, so it is aligned as mem == NULL assumes */
    CHECK(rc == STELE_OK && d.needed == r.needed, "%s: mem NULL: rc %d needed %zu (actual %zu)",
          query, rc, d.needed, r.needed);
    size_t null_needed = d.needed;
    /* an odd address needs at most 7 bytes more, and works with them */
    rc = tu_search(&ix, query, strlen(query), &opts, work + 1, r.needed + 7, hits, MAX_HITS,
                   &n_hits, &n_matches, &d);
    CHECK(rc == STELE_OK && n_hits == r.n_hits && d.needed <= bound, "%s: odd address: rc %d",
          query, rc);
    for (size_t size = 0; size < r.needed; size += 1 + size / 7) {
        rc = tu_search(&ix, query, strlen(query), &opts, work, size, hits, MAX_HITS, &n_hits,
                       &n_matches, &d);
        /* short of what preparing reported: too small (and the same figure
         * again), or enough for the run (which needs no snippet text) and
         * right */
        if (!(rc == STELE_ENOSPACE && d.needed == r.needed) &&
            !(rc == STELE_OK && n_hits == r.n_hits)) {
            CHECK(0, "%s: size %zu gave rc %d needed %zu (want ENOSPACE, %zu)", query, size, rc,
                  d.needed, r.needed);
            break;
        }
    }
    rc = tu_search(&ix, query, strlen(query), &opts, work, r.needed, hits, MAX_HITS, &n_hits,
                   &n_matches, &d);
    CHECK(rc == STELE_OK && n_hits == r.n_hits, "%s: at exactly needed: rc %d", query, rc);
    printf("workspace %-45s needed %8zu  (mem NULL %zu)\n", query, r.needed, null_needed);
}

static int load_index(const char *corpus_dir, const char *index_path)
{
    char *paths[64];
    const char *inputs[64];
    size_t n = 0;
    char err[512];
    DIR *dir = opendir(corpus_dir);
    struct dirent *e;
    stele_build_opts bo;
    FILE *f;
    long size;
    void *data;

    if (!dir) {
        printf("cannot open %s\n", corpus_dir);
        return -1;
    }
    while ((e = readdir(dir)) != NULL && n < 64) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 4, ".txt") != 0) continue;
        paths[n] = malloc(strlen(corpus_dir) + len + 2);
        sprintf(paths[n], "%s/%s", corpus_dir, e->d_name);
        n++;
    }
    closedir(dir);
    /* a fixed order, so document numbers do not depend on the directory */
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && strcmp(paths[j - 1], paths[j]) > 0; j--) {
            char *t = paths[j];
            paths[j] = paths[j - 1];
            paths[j - 1] = t;
        }
    for (size_t i = 0; i < n; i++)
        inputs[i] = paths[i];
    memset(&bo, 0, sizeof bo);
    if (stele_build(inputs, n, &bo, index_path, NULL, err, sizeof err) != STELE_OK) {
        printf("build failed: %s\n", err);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        free(paths[i]);
    f = fopen(index_path, "rb");
    if (!f || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) <= 0 || fseek(f, 0, SEEK_SET))
        return -1;
    data = malloc((size_t)size);
    if (!data || fread(data, 1, (size_t)size, f) != (size_t)size) return -1;
    fclose(f);
    return stele_open(&ix, data, (size_t)size);
}

static void test_rankings(void)
{
    result r;
    char snip[1024];

    expect_first("alternatives to imprisonment", "55/12");
    r = expect_first("55/12", "55/12");
    expect_first("opioid overdose", "55/7");
    expect_first("new psychoactive substances", "55/1");
    expect_first("women", "55/5");

    /* the phrase crosses a page break in the source text */
    r = expect_first("\"programmes that promote psychosocial\"", "59/4");
    CHECK(r.n_matches == 1, "page-break phrase: %zu matches", r.n_matches);
    CHECK(snippet("\"programmes that promote psychosocial\"", &r.hits[0], snip, sizeof snip) ==
                  STELE_OK &&
              strstr(snip, "[programmes] [that] [promote] [psychosocial]"),
          "page-break phrase snippet: %s", snip);
    /* a phrase must be exact: the same words in another order match less */
    result shuffled = run("\"psychosocial promote that programmes\"");
    CHECK(shuffled.rc == STELE_OK && shuffled.n_matches == 0, "shuffled phrase: %zu matches",
          shuffled.n_matches);

    /* symbol: snippet marks it as written */
    r = run("55/12");
    CHECK(r.n_hits > 0, "55/12 no hits");
    if (r.n_hits > 0) {
        CHECK(snippet("55/12", &r.hits[0], snip, sizeof snip) == STELE_OK &&
                  strstr(snip, "[55/12]") != NULL,
              "55/12 snippet: %s", snip);
    }

    /* snippets mark words as written, not stems */
    r = run("women");
    if (r.n_hits > 0) {
        int rc = snippet("women", &r.hits[0], snip, sizeof snip);
        CHECK(rc == STELE_OK && (strstr(snip, "[women]") || strstr(snip, "[Women]")),
              "women snippet: %s", snip);
        CHECK(strstr(snip, "[wom") == strstr(snip, "[women]") || strstr(snip, "[Women]"),
              "women snippet marks: %s", snip);
    }
}

static void test_operators(void)
{
    result all, a, b, r;

    /* title: only matches where the word is in the title */
    a = run("title:women");
    b = run("women");
    CHECK(a.rc == STELE_OK && a.n_matches > 0 && a.n_matches < b.n_matches,
          "title:women %zu matches, women %zu", a.n_matches, b.n_matches);
    if (a.n_hits > 0) {
        stele_view t;
        stele_doc_title(&ix, a.hits[0].doc, &t);
        CHECK(a.hits[0].para == 0 && a.hits[0].para_kind == STELE_PARA_TITLE,
              "title:women names para %u", a.hits[0].para);
    }

    /* footnote: the Single Convention is cited in footnotes */
    a = run("footnote:\"single convention\"");
    CHECK(a.rc == STELE_OK && a.n_matches > 0, "footnote phrase: rc %d, %zu matches", a.rc,
          a.n_matches);
    for (size_t i = 0; i < a.n_hits; i++)
        CHECK(a.hits[i].para_kind == STELE_PARA_FOOTNOTE, "footnote hit %zu names a %s", i,
              stele_para_kind_name(a.hits[i].para_kind));

    /* OR is the union, AND the intersection */
    a = run("opioid");
    b = run("imprisonment");
    r = run("opioid OR imprisonment");
    all = run("opioid imprisonment");
    CHECK(r.n_matches >= a.n_matches && r.n_matches >= b.n_matches &&
              r.n_matches <= a.n_matches + b.n_matches,
          "OR: %zu vs %zu + %zu", r.n_matches, a.n_matches, b.n_matches);
    CHECK(r.n_matches + all.n_matches == a.n_matches + b.n_matches,
          "OR + AND = A + B: %zu + %zu vs %zu + %zu", r.n_matches, all.n_matches, a.n_matches,
          b.n_matches);

    /* NOT removes: opioid -overdose has no document that mentions overdose */
    r = run("opioid -overdose");
    b = run("opioid overdose");
    CHECK(r.rc == STELE_OK && r.n_matches + b.n_matches == a.n_matches, "NOT: %zu + %zu vs %zu",
          r.n_matches, b.n_matches, a.n_matches);
    CHECK(rank_of(&r, "55/7") < 0, "opioid -overdose still finds 55/7");

    /* NEAR: within k words, any order; a tighter k matches no more */
    a = run("NEAR(overdose opioid, 3)");
    b = run("overdose NEAR/20 opioid");
    r = run("overdose opioid");
    CHECK(a.rc == STELE_OK && a.n_matches > 0 && a.n_matches <= b.n_matches &&
              b.n_matches <= r.n_matches,
          "NEAR: %zu <= %zu <= %zu", a.n_matches, b.n_matches, r.n_matches);
    CHECK(rank_of(&a, "55/7") == 0, "NEAR(overdose opioid, 3) first is not 55/7");

    /* prefix: rehab* covers rehabilitation */
    a = run("rehab*");
    b = run("rehabilitation");
    CHECK(a.rc == STELE_OK && a.n_matches >= b.n_matches && b.n_matches > 0,
          "rehab*: %zu, rehabilitation %zu", a.n_matches, b.n_matches);
    /* a prefix with many words is cut to the most frequent, never refused */
    r = run("women r*");
    CHECK(r.rc == STELE_OK && r.n_matches > 0, "women r*: rc %d", r.rc);
    r = run("zzqq* OR women");
    CHECK(r.rc == STELE_OK && r.n_matches == run("women").n_matches, "empty prefix: %zu",
          r.n_matches);
    r = run("r*");
    CHECK(r.rc == STELE_OK && r.n_matches > 0, "r*: rc %d", r.rc);

    /* errors come back with offsets, never as empty results */
    r = run("women OR");
    CHECK(r.rc == STELE_ESYNTAX && r.diag.offset == 6, "women OR: %d at %zu", r.rc, r.diag.offset);
    r = run("nosuchfield:women");
    CHECK(r.rc == STELE_ESYNTAX && r.diag.offset == 0, "unknown field: %d", r.rc);
    r = run("zzzzqqq");
    CHECK(r.rc == STELE_OK && r.n_matches == 0 && r.n_hits == 0, "unknown word: %zu", r.n_matches);
}

static void test_snippet_space(void)
{
    result r = run("opioid overdose");
    char snip[1024];
    size_t len = 0, need;
    stele_diag d;
    int rc;

    if (r.n_hits == 0) return;
    rc = tu_snippet(&ix, "opioid overdose", 15, &opts, &r.hits[0], NULL, work, work_size, snip,
                    sizeof snip, &len, &d);
    CHECK(rc == STELE_OK && len == strlen(snip), "snippet: rc %d", rc);
    CHECK(strstr(snip, "[opioid]") || strstr(snip, "[overdose]"), "snippet marks: %s", snip);
    need = d.needed;
    CHECK(need <= stele_workspace_bound(&ix, 0), "snippet needs %zu > bound %zu", need,
          stele_workspace_bound(&ix, 0));
    for (size_t size = 0; size < need; size += 1 + size / 5) {
        rc = tu_snippet(&ix, "opioid overdose", 15, &opts, &r.hits[0], NULL, work, size, snip,
                        sizeof snip, &len, &d);
        CHECK(rc == STELE_ENOSPACE && d.needed == need, "snippet at %zu: rc %d", size, rc);
        if (rc != STELE_ENOSPACE) break;
    }
    /* an output buffer one byte short: ENOSPACE and an empty string */
    rc = tu_snippet(&ix, "opioid overdose", 15, &opts, &r.hits[0], NULL, work, work_size, snip,
                    sizeof snip, &len, &d);
    size_t full = len;
    memset(snip, 'x', sizeof snip);
    rc = tu_snippet(&ix, "opioid overdose", 15, &opts, &r.hits[0], NULL, work, work_size, snip,
                    full, &len, &d);
    CHECK(rc == STELE_ENOSPACE && snip[0] == '\0' && len == full, "short out: rc %d", rc);
    printf("workspace snippet %-37s needed %8zu\n", "opioid overdose", need);
}

/* Snippet options, top-k consistency and the edges of the call. */
static void test_api_edges(void)
{
    result r = run("treatment");
    stele_hit one, hits[MAX_HITS];
    size_t n_hits = 99, n_matches = 99, len;
    stele_diag d;
    stele_snippet_opts so;
    char snip[1024];
    int rc;

    CHECK(r.rc == STELE_OK && r.n_hits > 1 && r.n_matches == r.n_hits, "treatment: %zu hits",
          r.n_hits);
    /* the best hit of a top-1 search is the first of a top-10 one */
    rc = tu_search(&ix, "treatment", 9, &opts, work, work_size, &one, 1, &n_hits, &n_matches, &d);
    CHECK(rc == STELE_OK && n_hits == 1 && one.doc == r.hits[0].doc &&
              one.score == r.hits[0].score && n_matches == r.n_matches,
          "top-1: doc %u vs %u", one.doc, r.hits[0].doc);
    /* max_hits 0 still counts, and writes nothing */
    rc = tu_search(&ix, "treatment", 9, &opts, work, work_size, NULL, 0, &n_hits, &n_matches, &d);
    CHECK(rc == STELE_OK && n_hits == 0 && n_matches == r.n_matches, "max_hits 0: %zu %zu", n_hits,
          n_matches);
    /* mem == NULL: the query is parsed and errors still come back */
    rc = tu_search(&ix, "a OR", 4, &opts, NULL, 0, hits, MAX_HITS, &n_hits, NULL, &d);
    CHECK(rc == STELE_ESYNTAX && d.offset == 2, "mem NULL, bad query: %d", rc);
    rc = tu_search(&ix, "women", 5, &opts, NULL, 0, hits, MAX_HITS, &n_hits, NULL, &d);
    CHECK(rc == STELE_OK && n_hits == 0 && d.needed > 0, "mem NULL: %d", rc);
    /* bad arguments */
    rc = tu_search(&ix, "women", 5, &opts, work, work_size, NULL, 3, &n_hits, NULL, NULL);
    CHECK(rc == STELE_EINVAL, "hits NULL: %d", rc);

    {
        stele_query_opts bad_opts = opts;
        bad_opts.b = 2;
        rc = tu_search(&ix, "women", 5, &bad_opts, work, work_size, hits, MAX_HITS, &n_hits, NULL,
                       NULL);
        CHECK(rc == STELE_EINVAL, "b = 2: %d", rc);
        bad_opts.b = 0;
        bad_opts.k1 = 1.0 / 0.0;
        rc = tu_search(&ix, "women", 5, &bad_opts, work, work_size, hits, MAX_HITS, &n_hits, NULL,
                       NULL);
        CHECK(rc == STELE_EINVAL, "k1 = inf: %d", rc);
    }

    /* custom marks and a short window, cut at word boundaries */
    memset(&so, 0, sizeof so);
    so.open = "<b>";
    so.close = "</b>";
    so.ellipsis = "...";
    so.max_bytes = 60;
    rc = tu_snippet(&ix, "treatment", 9, &opts, &r.hits[0], &so, work, work_size, snip, sizeof snip,
                    &len, &d);
    CHECK(rc == STELE_OK && strstr(snip, "<b>treatment</b>") != NULL, "custom marks: %s", snip);
    {
        /* without marks and ellipses the text is at most max_bytes */
        char plain[1024];
        size_t o = 0;
        for (const char *c = snip; *c; c++) {
            if (strncmp(c, "<b>", 3) == 0) {
                c += 2;
                continue;
            }
            if (strncmp(c, "</b>", 4) == 0) {
                c += 3;
                continue;
            }
            if (strncmp(c, "...", 3) == 0) {
                c += 2;
                continue;
            }
            plain[o++] = *c;
        }
        plain[o] = '\0';
        CHECK(o <= 60 && o > 20 && plain[0] != ' ' && plain[o - 1] != ' ',
              "window of %zu bytes: \"%s\"", o, plain);
    }
    /* a NOT term is never marked; a scoped term only in its field */
    r = run("treatment -women");
    if (r.n_hits > 0) {
        rc = tu_snippet(&ix, "treatment -women", 16, &opts, &r.hits[0], NULL, work, work_size, snip,
                        sizeof snip, &len, &d);
        CHECK(rc == STELE_OK && !strstr(snip, "[women]") && !strstr(snip, "[Women]"),
              "NOT marked: %s", snip);
    }
    r = run("title:women prison");
    for (size_t i = 0; i < r.n_hits; i++) {
        rc = tu_snippet(&ix, "title:women prison", 18, &opts, &r.hits[i], NULL, work, work_size,
                        snip, sizeof snip, &len, &d);
        if (r.hits[i].para != 0)
            CHECK(rc == STELE_OK && !strstr(snip, "[women]"), "scoped mark in body: %s", snip);
    }
}

/* stele_snippet parses a query exactly as stele_search does (same
 * expansion of prefixes, same limits), so it accepts and refuses the same
 * queries with the same offsets.  Regressions: a prefix that expands to
 * nothing counted as a leaf in the snippet, which then refused 32 more
 * words with STELE_ELIMIT. */
static void test_snippet_parse_agrees(void)
{
    static const char *const queries[] = {
        "zzzq* OR drug drug drug drug drug drug drug drug drug drug drug drug drug drug drug drug "
        "drug drug drug drug drug drug drug drug drug drug drug drug drug drug drug drug",
        "title:caus* OR drug drug drug drug drug drug drug drug drug drug drug drug drug drug drug "
        "drug drug drug drug drug drug drug drug drug drug drug drug drug drug drug drug drug",
        "zzzq* OR drug drug drug drug drug drug drug drug drug drug drug drug drug drug drug drug "
        "drug drug drug drug drug drug drug drug drug drug drug drug drug drug drug drug drug",
        "rehab* drug drug drug drug drug drug drug drug drug drug drug drug drug drug drug drug "
        "drug drug drug drug drug drug drug drug drug drug drug drug",
        "treat* OR women",
        "title:treat* prison",
    };
    for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++) {
        const char *query = queries[i];
        result r = run(query);
        stele_hit h;
        char snip[1024];
        size_t len;
        stele_diag d = {0, 0, 0};
        int rc;
        memset(&h, 0, sizeof h);
        if (r.n_hits > 0) h = r.hits[0];
        rc = tu_snippet(&ix, query, strlen(query), &opts, &h, NULL, work, work_size, snip,
                        sizeof snip, &len, &d);
        CHECK(rc == r.rc && (rc == STELE_OK || d.offset == r.diag.offset),
              "query %zu: search %d at %zu, snippet %d at %zu", i, r.rc, r.diag.offset, rc,
              d.offset);
        if (i < 2) CHECK(r.rc == STELE_OK && r.n_hits > 0, "query %zu: rc %d", i, r.rc);
        if (i == 2) CHECK(r.rc == STELE_OK, "33 words: rc %d", r.rc);
    }
}

/* Words of a phrase or NEAR are marked only where the phrase or NEAR
 * matches; a plain term is marked wherever it occurs. */
static void test_snippet_groups(void)
{
    char snip[2048];
    result r = run("\"alternatives to imprisonment\" reinforce");
    CHECK(r.rc == STELE_OK && r.n_hits > 0 && strcmp(id_of(&r.hits[0]), "55/12") == 0,
          "phrase: first %s", r.n_hits ? id_of(&r.hits[0]) : "(none)");
    if (r.n_hits > 0) {
        int rc =
            snippet("\"alternatives to imprisonment\" reinforce", &r.hits[0], snip, sizeof snip);
        CHECK(rc == STELE_OK && strstr(snip, "the need to [reinforce] [alternatives] [to] "
                                             "[imprisonment], which"),
              "phrase marks: %s", snip);
    }
    /* a hit's paragraph is one where its phrase matches, not merely one
     * with many of the phrase's words */
    r = run("\"drug treatment\"");
    CHECK(r.rc == STELE_OK && r.n_hits >= 3, "drug treatment: %zu hits", r.n_hits);
    for (size_t i = 0; i < r.n_hits; i++) {
        int rc = snippet("\"drug treatment\"", &r.hits[i], snip, sizeof snip);
        CHECK(rc == STELE_OK &&
                  (strstr(snip, "[drug] [treatment]") || strstr(snip, "[Drug] [treatment]")),
              "drug treatment hit %zu: %s", i, snip);
    }
    /* the same words as plain terms: "to", a stopword (in most
     * documents), is marked only next to a marked word */
    r = run("alternatives to imprisonment");
    if (r.n_hits > 0) {
        int rc = snippet("alternatives to imprisonment", &r.hits[0], snip, sizeof snip);
        CHECK(rc == STELE_OK &&
                  strstr(snip, "need to reinforce [alternatives] [to] [imprisonment]"),
              "term marks: %s", snip);
    }
    /* a query of stopwords alone marks them wherever they are */
    r = run("to");
    if (r.n_hits > 0) {
        int rc = snippet("to", &r.hits[0], snip, sizeof snip);
        CHECK(rc == STELE_OK && strstr(snip, "[to]") && !strstr(snip, " to "), "stopword alone: %s",
              snip);
    }
    /* the highlight spans are the marked words, stopwords included */
    r = run("alternatives to imprisonment");
    if (r.n_hits > 0) {
        stele_span spans[32];
        size_t n_spans = 0, len, n_marks = 0;
        stele_snippet_opts so;
        stele_diag d;
        memset(&so, 0, sizeof so);
        so.spans = spans;
        so.max_spans = 32;
        so.n_spans = &n_spans;
        int rc = tu_snippet(&ix, "alternatives to imprisonment", 28, &opts, &r.hits[0], &so, work,
                            work_size, snip, sizeof snip, &len, &d);
        for (const char *c = snip; (c = strchr(c, '[')) != NULL; c++)
            n_marks++;
        CHECK(rc == STELE_OK && n_spans == n_marks && n_spans >= 3 && n_spans <= 32 &&
                  memcmp(snip + spans[1].start, "to]", 3) == 0,
              "spans %zu, marks %zu: %s", n_spans, n_marks, snip);
    }
    /* NEAR: the second "Women" is 9 words after "Treatment", beyond 3 */
    r = run("treatment NEAR/3 women");
    if (r.n_hits > 0) {
        int rc = snippet("treatment NEAR/3 women", &r.hits[0], snip, sizeof snip);
        CHECK(rc == STELE_OK && strstr(snip, "[Treatment] of [Women] Prisoners") &&
                  strstr(snip, "Measures for Women Offenders"),
              "NEAR marks: %s", snip);
    }
    /* a phrase word that is also a plain term is marked everywhere */
    r = run("\"alternatives to imprisonment\" need");
    if (r.n_hits > 0) {
        int rc = snippet("\"alternatives to imprisonment\" need", &r.hits[0], snip, sizeof snip);
        CHECK(rc == STELE_OK && strstr(snip, "[need] to reinforce [alternatives] [to]"),
              "phrase and term: %s", snip);
    }
}

/* The workspace bound holds for searches and snippets of many queries,
 * among them the worst this corpus allows: STELE_MAX_QUERY_TERMS leaves of
 * its most frequent words (each may need a position buffer as large as the
 * longest document), a phrase of STELE_MAX_PHRASE of them, a prefix with
 * STELE_PREFIX_TERMS expansions, and NOT terms, each within the bound's
 * class of STELE_BOUND_TERMS leaves. */
static void test_bound_holds(void)
{
    /* every query here is inside the bound's class: at most
     * STELE_BOUND_TERMS (16) leaves */
    static const char *const queries[] = {
        "the the the the the the the the the the the the the the the the",
        "of and the to in of and the to in of and the to in of",
        "\"the of and to in the of and to in the of and to in the\"",
        "\"of the\" \"in the\" \"to the\" \"and the\" the of and to in the of and",
        "NEAR(the of and to in the of and to in the of and to, 50) OR the -drug",
        "pre*",
        "title:(the OR of) body:\"of the\" footnote:the",
        "women",
        "treatment in prison",
        "55/12 OR 59/4 OR 1972",
        "rehab* OR NEAR(drug treatment, 5) -title:women",
    };
    size_t bound = stele_workspace_bound(&ix, MAX_HITS), bound0 = stele_workspace_bound(&ix, 0);
    size_t most = 0, most_snippet = 0;
    for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++) {
        const char *query = queries[i];
        result r = run(query);
        CHECK(r.rc == STELE_OK && r.needed > 0 && r.needed <= bound,
              "query %zu: rc %d, needed %zu, bound %zu", i, r.rc, r.needed, bound);
        if (r.needed > most) most = r.needed;
        for (size_t h = 0; h < r.n_hits; h++) {
            char snip[1024];
            size_t len;
            stele_diag d = {0, 0, 0};
            int rc = tu_snippet(&ix, query, strlen(query), &opts, &r.hits[h], NULL, work, bound0,
                                snip, sizeof snip, &len, &d);
            CHECK(rc == STELE_OK && d.needed <= bound0, "query %zu hit %zu: rc %d, needed %zu", i,
                  h, rc, d.needed);
            if (d.needed > most_snippet) most_snippet = d.needed;
        }
    }
    printf("workspace bound %zu (max_hits %d), %zu (0); most needed: search %zu, snippet %zu\n",
           bound, MAX_HITS, bound0, most, most_snippet);
}

/* A query's hits and scores with the options o instead of opts. */
static result run_with(const char *query, const stele_query_opts *o)
{
    result r;
    memset(&r, 0, sizeof r);
    r.rc = tu_search(&ix, query, strlen(query), o, work, work_size, r.hits, MAX_HITS, &r.n_hits,
                     &r.n_matches, &r.diag);
    return r;
}

static int same_results(const result *a, const result *b)
{
    if (a->rc != b->rc || a->n_hits != b->n_hits || a->n_matches != b->n_matches) return 0;
    for (size_t i = 0; i < a->n_hits; i++)
        if (a->hits[i].doc != b->hits[i].doc || a->hits[i].score != b->hits[i].score) return 0;
    return 1;
}

/* Documents whose id is want, or starts with it (prefix), counted from
 * the document table itself. */
static size_t ids_like(const char *want, int prefix)
{
    stele_info info;
    size_t n = 0, len = strlen(want);
    stele_index_info(&ix, &info);
    for (uint32_t d = 0; d < info.n_docs; d++) {
        stele_view v;
        if (stele_doc_id(&ix, d, &v) != STELE_OK) continue;
        if ((prefix ? v.len >= len : v.len == len) && memcmp(v.data, want, len) == 0) n++;
    }
    return n;
}

/*
 * id:X, a filter on document ids: alone it finds the document, with a
 * score of 0; beside other clauses it adds nothing to the score; NOT and
 * OR combine it as any term; a '*' or search as you type makes it a
 * prefix of ids; it is never marked in a snippet.
 */
static void test_doc_ids(void)
{
    result r, a, b;
    char snip[2048];

    r = expect_first("id:55/12", "55/12");
    CHECK(r.n_matches == 1 && r.n_hits == 1 && r.hits[0].score == 0,
          "id:55/12: %zu matches, score %g", r.n_matches, r.n_hits ? r.hits[0].score : -1.0);
    CHECK(r.n_hits == 1 && snippet("id:55/12", &r.hits[0], snip, sizeof snip) == STELE_OK &&
              strchr(snip, '[') == NULL,
          "id:55/12 marks its snippet: %s", snip);

    /* the filter keeps one document and its score as the words give it */
    a = run("treatment");
    r = run("id:55/12 treatment");
    CHECK(r.rc == STELE_OK && r.n_matches == 1 && rank_of(&a, "55/12") >= 0 &&
              r.hits[0].score == a.hits[rank_of(&a, "55/12")].score,
          "id:55/12 treatment: %zu matches", r.n_matches);
    CHECK(r.n_hits == 1 &&
              snippet("id:55/12 treatment", &r.hits[0], snip, sizeof snip) == STELE_OK &&
              strstr(snip, "[treatment]") != NULL,
          "id:55/12 treatment: snippet %s", snip);
    r = run("treatment -id:55/12");
    CHECK(r.rc == STELE_OK && r.n_matches + 1 == a.n_matches && rank_of(&r, "55/12") < 0,
          "treatment -id:55/12: %zu matches of %zu", r.n_matches, a.n_matches);
    r = run("id:55/12 OR id:55/9");
    CHECK(r.rc == STELE_OK && r.n_matches == 2 && rank_of(&r, "55/9") >= 0 &&
              rank_of(&r, "55/12") >= 0,
          "id:55/12 OR id:55/9: %zu matches", r.n_matches);
    r = run("id:\"decision I\"");
    CHECK(r.rc == STELE_OK && r.n_matches == ids_like("decision I", 0) && r.n_matches == 1,
          "id:\"decision I\": %zu matches", r.n_matches);
    r = run("id:nosuch/1");
    CHECK(r.rc == STELE_OK && r.n_matches == 0, "id:nosuch/1: %zu matches", r.n_matches);

    /* prefixes: with '*', and the last word as you type */
    a = run("id:55/1*");
    CHECK(a.rc == STELE_OK && a.n_matches == ids_like("55/1", 1) && a.n_matches > 1,
          "id:55/1*: %zu matches, want %zu", a.n_matches, ids_like("55/1", 1));
    {
        stele_query_opts typing = opts;
        typing.flags |= STELE_QUERY_AS_YOU_TYPE;
        b = run_with("id:55/1", &typing);
        CHECK(same_results(&a, &b), "id:55/1 as you type: %zu matches", b.n_matches);
        b = run_with("id:55/1 ", &typing);
        CHECK(b.rc == STELE_OK && b.n_matches == 1, "id:55/1 then a space: %zu", b.n_matches);
    }
    /* an id and a prefix of ids with the same text are not copies */
    b = run("id:55/1 OR id:55/1*");
    CHECK(same_results(&a, &b), "id:55/1 OR id:55/1*: %zu matches", b.n_matches);
    r = run("id:55/* treatment");
    b = run("treatment");
    CHECK(r.rc == STELE_OK && r.n_matches <= b.n_matches && r.n_matches > 0,
          "id:55/* treatment: %zu of %zu", r.n_matches, b.n_matches);
    for (size_t i = 0; i < r.n_hits; i++)
        CHECK(r.hits[i].id.len > 3 && memcmp(r.hits[i].id.data, "55/", 3) == 0,
              "id:55/* treatment found %s", id_of(&r.hits[i]));

    /* a bad clause is an error at the "id:" */
    r = run("women id:");
    CHECK(r.rc == STELE_ESYNTAX && r.diag.offset == 6 && r.diag.reason == STELE_QR_ID_EMPTY,
          "women id: gives %d at %zu", r.rc, r.diag.offset);
    sweep("id:55/12 treatment");
    sweep("women -id:55/* OR id:54/5");
}

/*
 * The lexicon at work: prefixes on words as written, stemming by lookup
 * when no stemmer is given, search as you type, and highlights of words
 * found through a prefix.
 */
static void test_lexicon_queries(void)
{
    char snip[2048];
    result r = expect_first("psychoactiv*", "55/1"); /* "psychoactive" is stored as psychoact */
    CHECK(r.rc == STELE_OK && r.n_hits > 0 &&
              snippet("psychoactiv*", &r.hits[0], snip, sizeof snip) == STELE_OK &&
              strstr(snip, "[psychoactive]") != NULL,
          "psychoactiv* marks the word found: %s", snip);
    r = run("programme*");
    CHECK(r.rc == STELE_OK && r.n_matches > 0, "programme* finds programmes (%zu)", r.n_matches);
    CHECK(r.n_hits > 0 && snippet("programme*", &r.hits[0], snip, sizeof snip) == STELE_OK &&
              (strstr(snip, "[programmes]") || strstr(snip, "[Programme]") ||
               strstr(snip, "[programme]")),
          "programme* marks the words: %s", snip);
    r = run("stigma*");
    CHECK(r.rc == STELE_OK && r.n_matches > 0, "stigma* matches");
    /* a word prefix that is no word's start matches nothing */
    r = run("psychoactz*");
    CHECK(r.rc == STELE_OK && r.n_matches == 0, "psychoactz* matches nothing");

    /* Stemming by lookup: no stemmer callback, the same results. */
    static const char *const queries[] = {
        "new psychoactive substances", "rehabilitation programmes", "women prisoners",
        "\"drug-dependent persons\"",  "title:women OR treatment",  "psychoactiv* -cannabis"};
    stele_query_opts none = opts;
    none.stem = NULL;
    none.stem_ctx = NULL;
    for (size_t i = 0; i < sizeof queries / sizeof *queries; i++) {
        result a = run(queries[i]), b = run_with(queries[i], &none);
        CHECK(a.n_matches > 0 && same_results(&a, &b), "lexicon stemming agrees on %s", queries[i]);
        if (a.n_hits && b.n_hits) {
            char s1[2048], s2[2048];
            size_t len;
            stele_diag d;
            int r1 = tu_snippet(&ix, queries[i], strlen(queries[i]), &opts, &a.hits[0], NULL, work,
                                work_size, s1, sizeof s1, &len, &d);
            int r2 = tu_snippet(&ix, queries[i], strlen(queries[i]), &none, &b.hits[0], NULL, work,
                                work_size, s2, sizeof s2, &len, &d);
            CHECK(r1 == STELE_OK && r2 == STELE_OK && strcmp(s1, s2) == 0,
                  "lexicon stemming marks the same words for %s", queries[i]);
        }
    }
    /* a word the corpus never had is kept as folded and matches nothing */
    r = run_with("psychoactivity", &none);
    CHECK(r.rc == STELE_OK && r.n_matches == 0, "an unknown word matches nothing");

    /* Search as you type: the last word is also a prefix. */
    stele_query_opts sayt = opts;
    sayt.flags = STELE_QUERY_AS_YOU_TYPE;
    r = run("treatment of drug use dis");
    CHECK(r.rc == STELE_OK && r.n_matches == 0, "a half-typed word finds nothing by default");
    r = run_with("treatment of drug use dis", &sayt);
    CHECK(r.rc == STELE_OK && r.n_matches > 0, "as you type, it finds %zu", r.n_matches);
    result a = run("treatment of drug use dis*");
    CHECK(same_results(&a, &r), "as you type is the query with a final '*'");
    /* the whole word keeps its own term and ranks as before */
    a = run("naloxone");
    r = run_with("naloxone", &sayt);
    CHECK(r.n_hits > 0 && a.n_hits > 0 && r.hits[0].doc == a.hits[0].doc, "naloxone as you type");
    /* with a space after the last word nothing changes */
    a = run("opioid overdose ");
    r = run_with("opioid overdose ", &sayt);
    CHECK(same_results(&a, &r), "a finished last word is unchanged");
    a = run("\"drug dependent\"");
    r = run_with("\"drug dependent\"", &sayt);
    CHECK(same_results(&a, &r), "a phrase is unchanged");
}

/* Completions of the word typed last, with and without earlier words;
 * the workspace they need; and their latency. */
static int offers(const char *query, const char *word, size_t *rank, stele_completions *res)
{
    int rc = stele_complete(&ix, query, strlen(query), NULL, res, work, work_size);
    if (rc != STELE_OK) return 0;
    for (size_t i = 0; i < res->n; i++)
        if (strcmp(res->items[i].word, word) == 0) {
            if (rank) *rank = i;
            return 1;
        }
    return 0;
}

static void test_completion(void)
{
    stele_completion items[10];
    stele_completions res = {items, 10, 0, 0, 0, 0};
    size_t rank = 99;
    CHECK(offers("rehab", "rehabilitation", &rank, &res) && rank == 0,
          "rehab offers rehabilitation first (%zu of %zu)", rank, res.n);
    CHECK(offers("Rehab", "rehabilitation", NULL, &res), "folded like the text");
    CHECK(offers("psychoac", "psychoactive", NULL, &res), "psychoac offers psychoactive");
    CHECK(offers("nalox", "naloxone", NULL, &res), "nalox offers naloxone");
    CHECK(offers("stigma", "stigmatization", NULL, &res), "stigma offers stigmatization");
    /* with earlier words: a form of "disorder" first (the forms share a
     * term, so they share co_docs, and the more frequent form leads) */
    CHECK(offers("treatment of drug use dis", "disorders", &rank, &res) &&
              strncmp(res.items[0].word, "disorder", 8) == 0,
          "drug use dis offers disorders, a disorder form first (%s)", res.items[0].word);
    CHECK(res.items[0].start == strlen("treatment of drug use "), "start of the last word");
    CHECK(res.items[0].co_docs > 0 && res.items[0].co_docs <= res.items[0].df, "co_docs");
    /* every completion is a word of the corpus that starts with the partial */
    CHECK(offers("prog", "programmes", NULL, &res), "prog offers programmes");
    for (size_t i = 0; i < res.n; i++) {
        CHECK(strncmp(res.items[i].word, "prog", 4) == 0, "%s starts with prog", res.items[i].word);
        CHECK(i == 0 || res.items[i - 1].df >= res.items[i].df, "ranked by df");
    }
    /* nothing to complete after a space, for a word no word starts with,
     * or for a number */
    CHECK(stele_complete(&ix, "rehab ", 6, NULL, &res, work, work_size) == STELE_OK && res.n == 0,
          "after a space");
    CHECK(stele_complete(&ix, "qqzx", 4, NULL, &res, work, work_size) == STELE_OK && res.n == 0,
          "no word starts with qqzx");
    CHECK(stele_complete(&ix, "", 0, NULL, &res, work, work_size) == STELE_OK && res.n == 0,
          "empty query");
    /* workspace: NULL and every size short of the need give ENOSPACE */
    CHECK(stele_complete(&ix, "rehab", 5, NULL, &res, NULL, 0) == STELE_ENOSPACE && res.needed > 0,
          "mem NULL measures");
    size_t need = res.needed;
    CHECK(need <= stele_workspace_bound(&ix, 0), "the bound covers completion (%zu)", need);
    for (size_t size = 0; size + 8 < need; size += 97)
        CHECK(stele_complete(&ix, "rehab", 5, NULL, &res, work, size) == STELE_ENOSPACE,
              "short workspace %zu", size);
    CHECK(stele_complete(&ix, "rehab", 5, NULL, &res, work, need) == STELE_OK && res.n > 0,
          "the measured size fits");
    printf("completion workspace: %zu bytes\n", need);
    /* latency, for the note (measured, never asserted) */
    static const char *const partials[] = {"rehab", "treatment of drug use dis", "pre", "women pri",
                                           "a"};
    for (size_t k = 0; k < sizeof partials / sizeof *partials; k++) {
        struct timespec t0, t1;
        int n_runs = 2000;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (int i = 0; i < n_runs; i++)
            (void)stele_complete(&ix, partials[k], strlen(partials[k]), NULL, &res, work,
                                 work_size);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double us = ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / 1e3 / n_runs;
        printf("completion latency %-28s %8.1f us (%zu offered, first %s)\n", partials[k], us,
               res.n, res.n ? res.items[0].word : "-");
    }
}

/* A query of n copies of unit joined by sep. */
static void repeat(char *out, size_t cap, const char *unit, const char *sep, unsigned n)
{
    size_t len = 0;
    out[0] = '\0';
    for (unsigned i = 0; i < n; i++)
        len += (size_t)snprintf(out + len, cap - len, "%s%s", i ? sep : "", unit);
}

/* Identical operands of an AND or OR are evaluated once (query_dedup.c)
 * and count as many times as they were given: the same documents, in the
 * same order, with n times the score of one copy. */
static void test_repeats(void)
{
    static const char *const units[] = {"drugs",
                                        "traffic*",
                                        "title:women",
                                        "(abuse OR crime)",
                                        "\"drug control\"",
                                        "NEAR(illicit drugs, 3)"};
    static const char *const seps[] = {" ", " OR "};
    char query[4096];
    for (size_t u = 0; u < sizeof units / sizeof units[0]; u++) {
        result one = run(units[u]);
        CHECK(one.rc == STELE_OK && one.n_hits > 0, "%s: rc %d, %zu hits", units[u], one.rc,
              one.n_hits);
        for (size_t s = 0; s < 2; s++) {
            repeat(query, sizeof query, units[u], seps[s], 50);
            result many = run(query);
            /* match counts compared where both are exact: with no room
             * for hits every match is counted (a top-k may skip some) */
            size_t all_one = 0, all_many = 0;
            CHECK(tu_search(&ix, units[u], strlen(units[u]), &opts, work, work_size, NULL, 0, NULL,
                            &all_one, NULL) == STELE_OK &&
                      tu_search(&ix, query, strlen(query), &opts, work, work_size, NULL, 0, NULL,
                                &all_many, NULL) == STELE_OK,
                  "50 x %s: counting", units[u]);
            CHECK(many.rc == STELE_OK && many.n_hits == one.n_hits && all_many == all_one &&
                      all_one >= one.n_hits,
                  "50 x %s: rc %d, %zu hits, %zu matches (one: %zu, %zu)", units[u], many.rc,
                  many.n_hits, all_many, one.n_hits, all_one);
            for (size_t i = 0; i < many.n_hits && i < one.n_hits; i++)
                CHECK(many.hits[i].doc == one.hits[i].doc &&
                          fabs(many.hits[i].score - 50 * one.hits[i].score) <=
                              1e-9 * many.hits[i].score,
                      "50 x %s: hit %zu is doc %u score %.12g, want doc %u score 50 x %.12g",
                      units[u], i, many.hits[i].doc, many.hits[i].score, one.hits[i].doc,
                      one.hits[i].score);
        }
    }
    /* a repeated group with the copies apart is still one match set */
    result a = run("(drugs OR crime) women (drugs OR crime)");
    result b = run("(drugs OR crime) women");
    CHECK(a.rc == STELE_OK && a.n_matches == b.n_matches && a.n_hits == b.n_hits,
          "separated copies: %zu vs %zu matches", a.n_matches, b.n_matches);
}

int main(int argc, char **argv)
{
    stele_stemmer *stemmer;
    int rc;

    if (argc < 3) {
        printf("usage: test_search CORPUS_DIR INDEX_PATH [--show QUERY...]\n");
        return 2;
    }
    if ((rc = load_index(argv[1], argv[2])) != STELE_OK) {
        printf("cannot build or open the index: %d\n", rc);
        return 1;
    }
    stemmer = stele_stemmer_new("english");
    if (!stemmer) {
        printf("no english stemmer\n");
        return 77;
    }
    memset(&opts, 0, sizeof opts);
    opts.stem = stele_stemmer_stem;
    opts.stem_ctx = stemmer;
    /* room for the long queries too, beyond the bound's class */
    work_size = stele_workspace_bound(&ix, MAX_HITS) + (1u << 20);
    work = malloc(work_size + 8);
    printf("workspace bound: %zu bytes (max_hits %d), %zu (max_hits 0)\n", work_size, MAX_HITS,
           stele_workspace_bound(&ix, 0));
    if (argc > 3 && strcmp(argv[3], "--show") == 0) {
        for (int i = 4; i < argc; i++)
            show(argv[i]);
        return 0;
    }
    test_rankings();
    test_operators();
    test_snippet_space();
    test_snippet_parse_agrees();
    test_snippet_groups();
    test_bound_holds();
    test_api_edges();
    test_lexicon_queries();
    test_completion();
    test_repeats();
    test_doc_ids();
    sweep("women");
    sweep("psychoactiv* programme*");
    sweep("opioid overdose");
    sweep("alternatives to imprisonment");
    sweep("\"programmes that promote psychosocial\"");
    sweep("rehab* OR NEAR(drug treatment, 5) -title:women");
    /* an infix NEAR in a field scope: its later words are read in the
     * scope's field alone, counting too */
    sweep("title:drug NEAR/4 treatment");
    sweep("body:(drug NEAR treatment NEAR programmes)");
    stele_stemmer_free(stemmer);
    free(work);
    if (failures) printf("%d failures\n", failures);
    return failures ? 1 : 0;
}
