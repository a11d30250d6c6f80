/*
 * test_typos.c: typo tolerance and "did you mean" on the bundled corpus.
 *
 * Usage: test_typos CORPUS_DIR SCRATCH_INDEX TYPOS.tsv QUERIES
 *        test_typos --walk INDEX   (the walk check alone, on any index)
 *
 * TYPOS.tsv (tests/data/typos.tsv) lists misspelt, partial and prefix
 * queries, each with the document it must find first and the query as
 * meant.  For every row: the query as meant, searched exactly, finds the
 * document first (so the list stays true to the corpus); the query as
 * typed finds it first too; and when the typed query matched through
 * corrections, stele_query_suggest() proposes a query that, searched
 * exactly, finds it first.  Then exact search must rank as before: every
 * query of QUERIES (tests/golden/queries.txt) that has no unknown word
 * gives the same hits and scores with and without STELE_QUERY_EXACT, and
 * with STELE_QUERY_EXACT an unknown word matches nothing.  Last, the
 * lexicon walk itself (st_correct_find, with its skips and seeks) is
 * compared with a brute force over every lexicon word, for misspellings
 * made at random from the lexicon's own words.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "correct.h"
#include "lexicon.h"
#include "osa.h"
#include "tutil.h"

#define TOP 10

static int failures;

typedef struct result {
    int rc;
    size_t n_hits, n_matches;
    uint32_t n_fuzzy;
    stele_hit hits[TOP];
    char suggestion[512];
    int suggest_rc;
} result;

static void search(const tu_env *env, const char *query, uint32_t flags, void *mem, size_t mem_size,
                   result *r)
{
    stele_query q;
    stele_query_opts o = env->opts;
    o.flags = flags;
    o.max_results = TOP;
    memset(r, 0, sizeof *r);
    r->rc = stele_query_prepare(&q, &env->ix, query, strlen(query), &o, mem, mem_size);
    if (r->rc != STELE_OK) return;
    r->n_fuzzy = q.n_fuzzy;
    r->rc = stele_query_run(&q, r->hits, TOP, 0, &r->n_hits, &r->n_matches);
    size_t n = 0;
    r->suggest_rc =
        stele_query_suggest(&q, query, strlen(query), r->suggestion, sizeof r->suggestion, &n);
}

static int first_is(const result *r, const char *id)
{
    return r->rc == STELE_OK && r->n_hits > 0 && r->hits[0].id.len == strlen(id) &&
           memcmp(r->hits[0].id.data, id, r->hits[0].id.len) == 0;
}

static void describe(const char *what, const char *query, const result *r, const char *want)
{
    fprintf(stderr, "FAIL %s '%s': want %s first, got ", what, query, want);
    if (r->rc != STELE_OK)
        fprintf(stderr, "%s", stele_strerror(r->rc));
    else if (r->n_hits == 0)
        fprintf(stderr, "no hits");
    for (size_t i = 0; i < r->n_hits && i < 3; i++)
        fprintf(stderr, "%s%.*s (%.4f)", i ? ", " : "", (int)r->hits[i].id.len, r->hits[i].id.data,
                r->hits[i].score);
    fprintf(stderr, "\n");
    failures++;
}

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

static size_t check_typos(const tu_env *env, char *text, void *mem, size_t mem_size)
{
    size_t n_rows = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        if (line[0] == '#' || line[0] == '\0') continue;
        char *col[5] = {0};
        size_t n_col = 0;
        for (char *c = line; n_col < 5; n_col++) {
            col[n_col] = c;
            char *tab = strchr(c, '\t');
            if (!tab) {
                n_col++;
                break;
            }
            *tab = '\0';
            c = tab + 1;
        }
        if (n_col < 5) {
            fprintf(stderr, "FAIL malformed row: %s\n", line);
            failures++;
            continue;
        }
        const char *typed = col[0], *want = col[1], *meant = col[2], *mode = col[3];
        result r;
        n_rows++;
        search(env, meant, STELE_QUERY_EXACT, mem, mem_size, &r);
        if (!first_is(&r, want)) describe("meant", meant, &r, want);
        char query[512];
        snprintf(query, sizeof query, "%s", typed);
        search(env, query, strcmp(mode, "as-you-type") == 0 ? STELE_QUERY_AS_YOU_TYPE : 0, mem,
               mem_size, &r);
        if (!first_is(&r, want)) describe("typed", query, &r, want);
        if (r.rc == STELE_OK && r.n_fuzzy > 0) {
            /* matched through corrections: the suggestion finds it too */
            if (r.suggest_rc != STELE_OK) {
                fprintf(stderr, "FAIL no suggestion for '%s' (%s)\n", query,
                        stele_strerror(r.suggest_rc));
                failures++;
                continue;
            }
            char suggestion[512];
            snprintf(suggestion, sizeof suggestion, "%s", r.suggestion);
            search(env, suggestion, STELE_QUERY_EXACT, mem, mem_size, &r);
            if (!first_is(&r, want)) describe("suggested", suggestion, &r, want);
            printf("%-36s -> %s\n", query, suggestion);
        }
    }
    return n_rows;
}

/* Exact queries rank as before: with no unknown word, typo tolerance
 * changes nothing; with STELE_QUERY_EXACT nothing is corrected. */
static size_t check_exact(const tu_env *env, char *text, void *mem, size_t mem_size)
{
    size_t n = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        if (line[0] == '#' || line[0] == '\0') continue;
        result fz, ex;
        search(env, line, 0, mem, mem_size, &fz);
        search(env, line, STELE_QUERY_EXACT, mem, mem_size, &ex);
        n++;
        if (fz.rc != ex.rc) {
            fprintf(stderr, "FAIL '%s': %d with typo tolerance, %d exact\n", line, fz.rc, ex.rc);
            failures++;
            continue;
        }
        if (fz.rc != STELE_OK || fz.n_fuzzy > 0) continue;
        int same = fz.n_hits == ex.n_hits && fz.n_matches == ex.n_matches;
        for (size_t i = 0; same && i < fz.n_hits; i++)
            same = fz.hits[i].doc == ex.hits[i].doc && fz.hits[i].score == ex.hits[i].score &&
                   fz.hits[i].para == ex.hits[i].para;
        if (!same) {
            fprintf(stderr, "FAIL '%s' ranks differently with typo tolerance on\n", line);
            failures++;
        }
    }
    /* exact search never corrects, and matches nothing for a typo */
    result r;
    search(env, "psycoactive", STELE_QUERY_EXACT, mem, mem_size, &r);
    if (r.rc != STELE_OK || r.n_matches != 0 || r.n_fuzzy != 0) {
        fprintf(stderr, "FAIL exact 'psycoactive' matched\n");
        failures++;
    }
    if (r.suggest_rc != STELE_OK || strcmp(r.suggestion, "psychoactive") != 0) {
        fprintf(stderr, "FAIL exact 'psycoactive' suggests '%s'\n", r.suggestion);
        failures++;
    }
    search(env, "=psycoactive substances", 0, mem, mem_size, &r);
    if (r.rc != STELE_OK || r.n_matches != 0) {
        fprintf(stderr, "FAIL '=psycoactive substances' matched\n");
        failures++;
    }
    search(env, "\"psycoactive\" substances", 0, mem, mem_size, &r);
    if (r.rc != STELE_OK || r.n_matches != 0) {
        fprintf(stderr, "FAIL quoted psycoactive matched\n");
        failures++;
    }
    /* the suggestion keeps everything but the corrected words */
    search(env, "Psycoactive  substances -\"cannabis\"", 0, mem, mem_size, &r);
    if (r.suggest_rc != STELE_OK ||
        strcmp(r.suggestion, "psychoactive  substances -\"cannabis\"") != 0) {
        fprintf(stderr, "FAIL suggestion '%s'\n", r.suggestion);
        failures++;
    }
    /* short words and symbols are never corrected */
    const char *never[] = {"55/13", "usr", "2099", "e/2009/99"};
    for (size_t i = 0; i < sizeof never / sizeof *never; i++) {
        search(env, never[i], 0, mem, mem_size, &r);
        if (r.rc != STELE_OK || r.n_fuzzy != 0 || r.suggest_rc != STELE_ENOTFOUND) {
            fprintf(stderr, "FAIL '%s' was corrected\n", never[i]);
            failures++;
        }
    }
    /* too small an output buffer */
    {
        stele_query q;
        char small[4];
        size_t need = 0;
        stele_query_opts o = env->opts;
        const char *s = "opiod overdose";
        if (stele_query_prepare(&q, &env->ix, s, strlen(s), &o, mem, mem_size) != STELE_OK ||
            stele_query_suggest(&q, s, strlen(s), small, sizeof small, &need) != STELE_ENOSPACE ||
            need != strlen("opioid overdose") || small[0] != '\0' ||
            stele_query_suggest(&q, s, 3, small, sizeof small, &need) != STELE_EINVAL) {
            fprintf(stderr, "FAIL suggestion buffer checks\n");
            failures++;
        }
    }
    return n;
}

/* ---- the lexicon walk against a brute force -------------------------- */

#define MAXS (STELE_MAX_TERM_BYTES + 4)

static unsigned osa(const char *a, size_t la, const char *b, size_t lb)
{
    static unsigned d[OSA_MAX][OSA_MAX];
    return osa_distance(a, la, b, lb, d);
}

static int ranks_before(const st_correction *a, const st_correction *b)
{
    if (a->dist != b->dist) return a->dist < b->dist;
    if (a->df != b->df) return a->df > b->df;
    return a->rank < b->rank;
}

/* What st_correct_find must return for word, by the rule of correct.h
 * (the first letter kept), from every lexicon entry. */
static uint32_t brute_corrections(const st_lex_entry *lex, size_t n_lex, const char *word,
                                  size_t len, unsigned k, st_correction *best, size_t n_best_cap)
{
    /* best form per stem term, indexed by stem ordinal */
    size_t n = 0, first = 1;
    while (first < len && ((unsigned char)word[first] & 0xC0) == 0x80)
        first++;
    for (size_t i = 0; i < n_lex; i++) {
        const st_lex_entry *e = &lex[i];
        unsigned d = 0;
        if (e->len < first || memcmp(e->word, word, first) != 0)
            continue; /* keeps the 1st letter */
        if (e->len <= len + k) d = osa(word, len, e->word, e->len);
        int completion =
            len >= ST_CORRECT_MIN_COMPLETE && e->len > len && memcmp(e->word, word, len) == 0;
        if (!(d >= 1 && d <= k) && !completion) continue;
        st_correction c;
        memset(&c, 0, sizeof c);
        memcpy(c.word, e->word, e->len);
        c.len = e->len;
        c.stem_ord = e->stem_ord;
        c.df = e->df;
        c.rank = e->index;
        c.dist = (uint8_t)(d >= 1 && d <= k ? d : 1);
        if (completion && c.dist > 1) c.dist = 1;
        size_t j;
        for (j = 0; j < n; j++)
            if (best[j].stem_ord == c.stem_ord) break;
        if (j < n) {
            if (ranks_before(&c, &best[j])) best[j] = c;
        } else if (n < n_best_cap) {
            best[n++] = c;
        }
    }
    /* sort, keep ST_CORRECT_MAX, then only the nearest distance */
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && ranks_before(&best[j], &best[j - 1]); j--) {
            st_correction t = best[j];
            best[j] = best[j - 1];
            best[j - 1] = t;
        }
    if (n > ST_CORRECT_MAX) n = ST_CORRECT_MAX;
    while (n > 1 && best[n - 1].dist > best[0].dist)
        n--;
    return (uint32_t)n;
}

static void check_walk(const stele_index *ix)
{
    size_t n_lex = st_lex_n_words(ix), n = 0, n_checked = 0, n_found = 0, n_cut = 0;
    st_lex_entry *lex = calloc(n_lex ? n_lex : 1, sizeof *lex);
    st_correction *best = calloc(n_lex ? n_lex : 1, sizeof *best);
    st_fuzzy *f = malloc(sizeof *f);
    st_lex_cursor c;
    if (!lex || !best || !f || st_lex_at_block(ix, &c, 0) != STELE_OK) {
        fprintf(stderr, "FAIL walk setup\n");
        failures++;
        return;
    }
    while (n < n_lex && st_lex_next(ix, &c) == 1)
        lex[n++] = c.e;
    if (n != n_lex || n < 1000) {
        fprintf(stderr, "FAIL lexicon of %zu words read as %zu\n", n_lex, n);
        failures++;
    }
    tu_rng rng = {0x7e9a05ull};
    for (int round = 0; round < 600 && n > 0; round++) {
        const st_lex_entry *e = &lex[tu_rng_below(&rng, (uint32_t)n)];
        char word[MAXS];
        size_t len = e->len;
        memcpy(word, e->word, len);
        for (unsigned edits = 1 + tu_rng_below(&rng, 3); edits > 0 && len > 1; edits--) {
            size_t at = tu_rng_below(&rng, (uint32_t)len);
            switch (tu_rng_below(&rng, 4)) {
            case 0:
                word[at] = (char)('a' + tu_rng_below(&rng, 26));
                break;
            case 1:
                if (len + 1 < MAXS - 1) {
                    memmove(word + at + 1, word + at, len - at);
                    word[at] = (char)('a' + tu_rng_below(&rng, 26));
                    len++;
                }
                break;
            case 2:
                memmove(word + at, word + at + 1, len - at - 1);
                len--;
                break;
            default:
                if (at + 1 < len) {
                    char t = word[at];
                    word[at] = word[at + 1];
                    word[at + 1] = t;
                }
            }
        }
        unsigned k = st_correct_k(word, len);
        if (k == 0) continue;
        st_correction got[ST_CORRECT_MAX];
        uint32_t n_got = 0, scan_left = UINT32_MAX;
        int cut = 0;
        int rc = st_correct_find(ix, word, len, k, f, got, &n_got, &scan_left, &cut);
        uint32_t n_want = brute_corrections(lex, n, word, len, k, best, n);
        int same = rc == STELE_OK && !cut && n_got == n_want;
        for (uint32_t i = 0; same && i < n_got; i++)
            same = got[i].len == best[i].len &&
                   memcmp(got[i].word, best[i].word, got[i].len) == 0 &&
                   got[i].dist == best[i].dist;
        if (!same) {
            fprintf(stderr, "FAIL walk '%.*s' k=%u: rc %d, %u found, %u by brute force:", (int)len,
                    word, k, rc, n_got, n_want);
            for (uint32_t i = 0; i < n_want; i++)
                fprintf(stderr, " %s(%u)", best[i].word, best[i].dist);
            fprintf(stderr, " / got");
            for (uint32_t i = 0; i < n_got; i++)
                fprintf(stderr, " %s(%u)", got[i].word, got[i].dist);
            fprintf(stderr, "\n");
            failures++;
        }
        n_checked++;
        n_found += n_got > 0;
        /* a budget cuts the walk, never overruns it: a walk that fits in
         * it finds what the unbounded one found */
        uint32_t n_full = n_got;
        scan_left = 50;
        rc = st_correct_find(ix, word, len, k, f, got, &n_got, &scan_left, &cut);
        if (rc != STELE_OK || scan_left > 50 || (!cut && n_got != n_full)) {
            fprintf(stderr, "FAIL budget of '%.*s'\n", (int)len, word);
            failures++;
        }
        n_cut += cut;
    }
    printf("walk: %zu misspellings of %zu lexicon words checked, %zu with corrections, %zu cut "
           "by a budget of 50\n",
           n_checked, n, n_found, n_cut);
    if (n_checked < 300 || n_found < 100 || n_cut < 100) {
        fprintf(stderr, "FAIL walk checked too little\n");
        failures++;
    }
    free(lex);
    free(best);
    free(f);
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--walk") == 0) {
        uint8_t *data;
        size_t size;
        stele_index ix;
        if (tu_read_file(argv[2], &data, &size) != 0 || stele_open(&ix, data, size) != STELE_OK) {
            fprintf(stderr, "cannot open %s\n", argv[2]);
            return 1;
        }
        check_walk(&ix);
        free(data);
        return failures != 0;
    }
    if (argc < 5) {
        fprintf(stderr, "usage: %s CORPUS_DIR SCRATCH_INDEX TYPOS.tsv QUERIES\n", argv[0]);
        return 1;
    }
    tu_env env;
    int rc = tu_env_open(&env, argc, argv);
    if (rc != 0) {
        tu_env_close(&env);
        return rc == TU_SKIP ? TU_SKIP : 1;
    }
    char *typos = read_text(argv[3]), *queries = read_text(argv[4]);
    size_t mem_size = stele_workspace_bound(&env.ix, TOP) * 4;
    void *mem = malloc(mem_size);
    if (!typos || !queries || !mem) {
        fprintf(stderr, "cannot read %s or %s\n", argv[3], argv[4]);
        return 1;
    }
    size_t n_rows = check_typos(&env, typos, mem, mem_size);
    size_t n_exact = check_exact(&env, queries, mem, mem_size);
    check_walk(&env.ix);
    if (n_rows < 60) {
        fprintf(stderr, "FAIL only %zu rows in %s\n", n_rows, argv[3]);
        failures++;
    }
    printf("%zu typo rows, %zu exact queries, %d failures\n", n_rows, n_exact, failures);
    free(mem);
    free(typos);
    free(queries);
    tu_env_close(&env);
    return failures != 0;
}
