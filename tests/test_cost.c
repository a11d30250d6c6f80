/*
 * test_cost.c: every query's work stays under the bound stele.h states
 * (Cost), counted in steps, never timed.
 *
 *   test_cost CORPUS_DIR SCRATCH_INDEX
 *
 * The bundled corpus is split into one document per paragraph, twice
 * over, so that frequent terms fill many postings blocks.  Each of the
 * worst queries known (a word repeated 200 times, scoped and unscoped
 * prefixes by the hundred, the widest NEAR windows, the deepest nesting,
 * long misspelt words, long phrases, an OR of a NOT) is prepared and run
 * for 10 hits, and its step counts (st_query_cost) are checked against
 * the bound computed from the very lists its distinct leaves read: the
 * dictionary and lexicon entries within the scan budgets, postings
 * entries and positions together at most twice each list's documents
 * plus seven times its positions.  Then the two known bad cases: a repeated
 * word costs what the word costs once, and an exact query reads no
 * lexicon entry for corrections.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "query.h"
#include "tutil.h"

#define MAX_HITS 10

static int failures;

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            printf("FAIL %s:%d: ", __FILE__, __LINE__);                                            \
            printf(__VA_ARGS__);                                                                   \
            printf("\n");                                                                          \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

static tu_env env;
static unsigned char *work;
static size_t work_size;

/* Positions of one list: the sum of its tfs, by walking it. */
static uint64_t list_positions(const st_list *list)
{
    st_postings p;
    uint64_t n = 0;
    if (st_postings_init(&p, &env.ix, list) < 0) return 0;
    while (st_postings_next(&p) == 1)
        n += p.tf;
    return n;
}

typedef struct lists {
    uint64_t docs, positions; /* over the lists of the distinct leaves */
    uint32_t leaves, dropped;
} lists;

/* The lists the prepared query's distinct leaves read. */
static lists lists_of(const stele_query *q)
{
    const st_prepared *pq = q->state_;
    lists b;
    memset(&b, 0, sizeof b);
    for (uint32_t i = 0; i < pq->q.n_terms; i++) {
        const st_qterm *t = pq->q.terms[i];
        if (t->dropped) {
            b.dropped++;
            continue;
        }
        b.leaves++;
        for (uint32_t k = 0; k < t->n_iter; k++) {
            const st_list *l = &t->iter[k]->list;
            b.docs += l->df;
            b.positions += list_positions(l);
        }
    }
    return b;
}

typedef struct measured {
    int rc;
    st_cost cost;
    lists b;
    size_t n_hits;
} measured;

static measured measure(const char *query, unsigned flags)
{
    stele_query_opts opts = env.opts;
    stele_query q;
    stele_hit hits[MAX_HITS];
    size_t n_matches = 0;
    measured m;

    memset(&m, 0, sizeof m);
    opts.flags = flags;
    m.rc = stele_query_prepare(&q, &env.ix, query, strlen(query), &opts, work, work_size);
    if (m.rc == STELE_OK) m.rc = stele_query_run(&q, hits, MAX_HITS, 0, &m.n_hits, &n_matches);
    if (m.rc != STELE_OK) return m;
    st_query_cost(&q, &m.cost);
    m.b = lists_of(&q);
    return m;
}

static void check_bound(const char *name, const char *query)
{
    measured m = measure(query, 0);
    uint64_t bound = 2 * m.b.docs + 7 * m.b.positions;
    CHECK(m.rc == STELE_OK, "%s: rc %d", name, m.rc);
    if (m.rc != STELE_OK) return;
    printf("  %-16s %5u leaves (%5u merged), dict %6llu of %6u, entries %9llu of %9llu\n", name,
           m.b.leaves, m.b.dropped, (unsigned long long)m.cost.dict_entries,
           STELE_PREFIX_SCAN + STELE_CORRECT_SCAN, (unsigned long long)m.cost.entries,
           (unsigned long long)bound);
    CHECK(m.cost.dict_entries <= STELE_PREFIX_SCAN + STELE_CORRECT_SCAN, "%s: %llu dict entries",
          name, (unsigned long long)m.cost.dict_entries);
    CHECK(m.cost.entries <= bound, "%s: %llu entries for lists of %llu documents, %llu positions",
          name, (unsigned long long)m.cost.entries, (unsigned long long)m.b.docs,
          (unsigned long long)m.b.positions);
    CHECK(m.cost.entries > 0 || m.b.docs == 0, "%s: counted nothing", name);
}

/* n copies of unit joined by sep, into out. */
static const char *repeat(char *out, size_t cap, const char *head, const char *unit,
                          const char *sep, unsigned n, const char *tail)
{
    size_t len = (size_t)snprintf(out, cap, "%s", head);
    for (unsigned i = 0; i < n && len < cap; i++)
        len += (size_t)snprintf(out + len, cap - len, "%s%s", i ? sep : "", unit);
    if (len < cap) snprintf(out + len, cap - len, "%s", tail);
    return out;
}

static void test_worst_queries(void)
{
    static char q[32768];
    char prefixes[2048];
    size_t len = 0;

    check_bound("the x200", repeat(q, sizeof q, "", "the", " ", 200, ""));
    check_bound("the OR x200", repeat(q, sizeof q, "", "the", " OR ", 200, ""));
    check_bound("title:(a* x128)", repeat(q, sizeof q, "title:(", "a*", " ", 128, ")"));
    check_bound("a* OR x128", repeat(q, sizeof q, "", "a*", " OR ", 128, ""));
    for (char c = 'a'; c <= 'z'; c++)
        for (const char *v = "aeiou"; *v; v++)
            len += (size_t)snprintf(prefixes + len, sizeof prefixes - len, "%s%c%c*",
                                    len ? " OR " : "", c, *v);
    check_bound("130 prefixes", prefixes);
    check_bound("NEAR 100000", "NEAR(drugs the of and to, 100000)");
    check_bound("NEAR/ chain",
                "the NEAR/100000 of NEAR/100000 and NEAR/100000 to NEAR/100000 drugs");
    check_bound("deep nesting", "((((((((((((((the OR of) drugs) OR women) abuse) OR crime) "
                                "the) OR of) and) OR to) in) OR a) is) OR be) for)");
    check_bound("typos", repeat(q, sizeof q, "",
                                "narcotcs psychotropc substnces internatonal cooperaton "
                                "rehabilitaton",
                                " ", 8, ""));
    check_bound("phrases", repeat(q, sizeof q, "", "\"the use of the\"", " OR ", 50, ""));
    check_bound("OR of a NOT", "drugs OR -women");
}

/* A repeated word reads what the word reads once. */
static void test_repeat_costs_once(void)
{
    static char q[8192];
    static const char *const words[] = {"the", "drugs", "narcotic*", "\"drug abuse\""};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        measured one = measure(words[i], 0);
        measured and200 = measure(repeat(q, sizeof q, "", words[i], " ", 200, ""), 0);
        measured or200 = measure(repeat(q, sizeof q, "", words[i], " OR ", 200, ""), 0);
        CHECK(one.rc == STELE_OK && and200.rc == STELE_OK && or200.rc == STELE_OK,
              "%s: rc %d %d %d", words[i], one.rc, and200.rc, or200.rc);
        CHECK(and200.cost.entries == one.cost.entries, "200 x %s: %llu entries, once %llu",
              words[i], (unsigned long long)and200.cost.entries,
              (unsigned long long)one.cost.entries);
        CHECK(or200.cost.entries == one.cost.entries, "200 x OR %s: %llu entries, once %llu",
              words[i], (unsigned long long)or200.cost.entries,
              (unsigned long long)one.cost.entries);
        CHECK(one.cost.entries > 0, "%s decodes nothing", words[i]);
    }
}

/* An exact query walks no lexicon for corrections; one with typo
 * tolerance does. */
static void test_exact_skips_walk(void)
{
    measured tolerant = measure("psycoactive substnces", 0);
    measured exact = measure("psycoactive substnces", STELE_QUERY_EXACT);
    CHECK(tolerant.rc == STELE_OK && tolerant.cost.dict_entries > 0,
          "tolerant: rc %d, %llu lexicon entries", tolerant.rc,
          (unsigned long long)tolerant.cost.dict_entries);
    CHECK(exact.rc == STELE_OK && exact.cost.dict_entries == 0,
          "exact: rc %d, %llu lexicon entries", exact.rc,
          (unsigned long long)exact.cost.dict_entries);
}

int main(int argc, char **argv)
{
    int rc = tu_env_open(&env, argc, argv);
    if (rc != 0) {
        tu_env_close(&env);
        return rc == TU_SKIP ? TU_SKIP : 1;
    }
    if (tu_env_split_paragraphs(&env, 2) != 0) {
        tu_env_close(&env);
        return 1;
    }
    work_size = 64u << 20;
    work = malloc(work_size);
    if (!work) return 1;
    test_worst_queries();
    test_repeat_costs_once();
    test_exact_skips_walk();
    free(work);
    tu_env_close(&env);
    printf("%s\n", failures ? "FAILED" : "ok");
    return failures != 0;
}
