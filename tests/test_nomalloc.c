/*
 * test_nomalloc.c: the query runtime performs no allocation at run time.
 *
 * Usage: test_nomalloc CORPUS_DIR SCRATCH_INDEX [N_GENERATED [SEED]]
 *
 * The program is linked with -Wl,--wrap=malloc,--wrap=calloc,
 * --wrap=realloc,--wrap=free, so every call the statically linked runtime
 * makes to them goes through the counters below.  Calls made from inside
 * shared libraries (zlib's default allocator, libstemmer) do not go
 * through --wrap; on glibc without a sanitizer the program therefore also
 * defines malloc, calloc, realloc and free itself, forwarding to glibc's
 * __libc_* entry points, which catches those too.  (Under ASan the
 * sanitizer owns malloc, and the --wrap counters alone are used.)
 *
 * Everything that may allocate is done before counting starts: the corpus,
 * the index (built, then loaded into a buffer), the stemmer (libstemmer
 * allocates once at creation), the workspace, the output buffers and all
 * query strings.  Then thousands of searches and snippets run over terms,
 * phrases, NEAR, prefixes, OR and NOT, field scopes, words at and over
 * STELE_MAX_TERM_BYTES, invalid UTF-8, random byte strings and malformed
 * queries, with ample, parse-only and too-small workspaces, plus
 * stele_verify, the info calls and every document's text, first on the
 * bundled corpus's index and then on a larger one made from it (see
 * tu_env_split_paragraphs); the test fails if a single allocation
 * happened.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "refmodel.h"
#include "tutil.h"
#include "tsearch.h"

static int counting;
static unsigned long n_allocs, n_frees;

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
void __wrap_free(void *p);

void *__wrap_malloc(size_t n)
{
    n_allocs += counting;
    return __real_malloc(n);
}
void *__wrap_calloc(size_t n, size_t size)
{
    n_allocs += counting;
    return __real_calloc(n, size);
}
void *__wrap_realloc(void *p, size_t n)
{
    n_allocs += counting;
    return __real_realloc(p, n);
}
void __wrap_free(void *p)
{
    n_frees += counting && p != NULL;
    __real_free(p);
}

#if defined(__GLIBC__) && !defined(__SANITIZE_ADDRESS__) && !defined(STELE_NO_INTERPOSE)
#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer)
#define STELE_NO_INTERPOSE 1
#endif
#endif
#endif

#if defined(__GLIBC__) && !defined(__SANITIZE_ADDRESS__) && !defined(STELE_NO_INTERPOSE)
/* glibc's own entry points, for the interposed allocator. */
extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t n);
extern void __libc_free(void *p);

void *malloc(size_t n)
{
    n_allocs += counting;
    return __libc_malloc(n);
}
void *calloc(size_t n, size_t size)
{
    n_allocs += counting;
    return __libc_calloc(n, size);
}
void *realloc(void *p, size_t n)
{
    n_allocs += counting;
    return __libc_realloc(p, n);
}
void free(void *p)
{
    n_frees += counting && p != NULL;
    __libc_free(p);
}
#define INTERPOSED "wrap+interpose"
#else
#define INTERPOSED "wrap"
#endif

/* Hand-written queries: the language's corners and its errors. */
static const char *const fixed_queries[] = {
    "treatment",
    "treatment in prison",
    "\"treatment in prison\"",
    "\"drug dependent persons\"",
    "opioid OR overdose",
    "prison -treatment",
    "prison NOT treatment",
    "(prison OR treatment) NOT (women OR children)",
    "NEAR(drug prison, 5)",
    "NEAR(drug prison treatment)",
    "drug NEAR/3 prison",
    "rehab*",
    "a*",
    "pre*",
    "psychoactiv*",
    "programme* stigma",
    "treatment of drug use dis",
    "psycoactive substances",
    "opiod overdose OR naloxon",
    "rehabilitaton -stigma",
    "title:psycoactive",
    "=psycoactive",
    "treatmnet NEAR/5 prison",
    "xqzvwk",
    "title:women",
    "footnote:\"Treaty Series\"",
    "body:(prevention OR treatment)",
    "title:(drug OR crime) -body:heroin",
    "55/12",
    "55/2 OR 54/5",
    "E/2009/28",
    "1961",
    "Côte d’Ivoire",
    "naïve CAFÉ straße",
    "people’s",
    "drug-dependent",
    "((((((((drug))))))))",
    "\"\"",
    "\"",
    "(",
    ")",
    "drug (",
    "drug )",
    "OR",
    "drug OR",
    "OR drug",
    "NOT",
    "-drug",
    "NOT drug",
    "- -",
    "NEAR(",
    "NEAR(drug",
    "NEAR(drug, )",
    "NEAR(drug prison, x)",
    "NEAR(drug prison, -1)",
    "NEAR(drug prison, 99999999999999999999)",
    "drug NEAR/ prison",
    "drug NEAR/x prison",
    "NEAR/3 prison",
    "title:",
    "nosuchfield:drug",
    "title:(",
    "*",
    "**",
    "dr*g",
    "\xff\xfe\xfd",
    "drug \xc3 prison",
    "\xe2\x80",
    "\xf0\x9f\x98\x80 emoji",
    "\xed\xa0\x80 surrogate",
    "\xc0\xaf overlong",
    "",
    " ",
    "\t\n",
    "????",
    ",,,;;;...",
    "¹²³",
};

static size_t append(char *buf, size_t len, size_t cap, const char *s)
{
    size_t n = strlen(s);
    if (len + n >= cap) return len;
    memcpy(buf + len, s, n + 1);
    return len + n;
}

/* Queries built from pieces of syntax, words and bad bytes. */
static size_t garbage_query(tu_rng *rng, char *buf, size_t cap)
{
    static const char *const piece[] = {
        "(",         ")",     "\"",     " OR ",   " NOT ",          "-",  "NEAR/", "NEAR(",
        ",",         "*",     ":",      "title:", "body:",          " ",  "drug",  "prison",
        "women",     "55/12", "\xff",   "\xc3",   "\xe2\x82",       "ö",  "1961",  " NEAR/2 ",
        "footnote:", "rehab", "treat*", "x",      "\"treatment in", "3)", "0",     "\x01",
    };
    size_t len = 0, n = 1 + tu_rng_below(rng, 12);
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++)
        len = append(buf, len, cap, piece[tu_rng_below(rng, sizeof piece / sizeof piece[0])]);
    return len;
}

/* A word of n letters, or n bytes of a two-byte letter. */
static size_t long_word(char *buf, size_t cap, size_t n, int multibyte)
{
    size_t len = 0;
    while (len + 2 < cap && len < n) {
        if (multibyte) {
            buf[len++] = (char)0xC3;
            buf[len++] = (char)0xA9; /* é */
        } else {
            buf[len] = (char)('a' + len % 26);
            len++;
        }
    }
    buf[len] = '\0';
    return len;
}

#define N_MAX_QUERIES 8192

/* A stele_doc_text_stream() callback that only counts. */
static int count_text(void *ctx, const char *text, size_t len)
{
    (void)text;
    *(size_t *)ctx += len;
    return 0;
}

int main(int argc, char **argv)
{
    tu_env env;
    int rc = tu_env_open(&env, argc, argv);
    if (rc != 0) {
        tu_env_close(&env);
        return rc == TU_SKIP ? TU_SKIP : 1;
    }
    unsigned long n_generated = argc > 3 ? strtoul(argv[3], NULL, 0) : 3000;
    uint64_t seed = argc > 4 ? strtoull(argv[4], NULL, 0) : 0x6e6f6d616c6c6f63ull;
    if (n_generated > N_MAX_QUERIES / 2) n_generated = N_MAX_QUERIES / 2;

    /* Every query string is made before counting starts. */
    static char queries[N_MAX_QUERIES][STELE_MAX_QUERY_BYTES + 64];
    static size_t query_len[N_MAX_QUERIES];
    size_t n_queries = 0;
    for (size_t i = 0; i < sizeof fixed_queries / sizeof fixed_queries[0]; i++) {
        query_len[n_queries] = strlen(fixed_queries[i]);
        memcpy(queries[n_queries], fixed_queries[i], query_len[n_queries] + 1);
        n_queries++;
    }
    static const size_t long_lens[] = {STELE_MAX_TERM_BYTES - 1,  STELE_MAX_TERM_BYTES,
                                       STELE_MAX_TERM_BYTES + 1,  2 * STELE_MAX_TERM_BYTES,
                                       STELE_MAX_QUERY_BYTES - 1, STELE_MAX_QUERY_BYTES,
                                       STELE_MAX_QUERY_BYTES + 1, STELE_MAX_QUERY_BYTES + 40};
    for (size_t i = 0; i < sizeof long_lens / sizeof long_lens[0]; i++)
        for (int mb = 0; mb < 2; mb++) {
            query_len[n_queries] =
                long_word(queries[n_queries], sizeof queries[0], long_lens[i], mb);
            n_queries++;
        }
    rm_model m;
    if (rm_build(&m, &env.corpus, stele_stemmer_stem, env.stemmer) != 0) {
        fprintf(stderr, "reference model: out of memory\n");
        return 1;
    }
    tu_rng rng = {seed};
    rq_gen_opts go = {1, 3};
    static rq_query q;
    for (unsigned long i = 0; i < n_generated && n_queries < N_MAX_QUERIES; i++) {
        rq_generate(&m, &rng, &go, &q);
        query_len[n_queries] = rq_format(&m, &q, queries[n_queries], sizeof queries[0]);
        if (query_len[n_queries]) n_queries++;
    }
    for (unsigned long i = 0; i < n_generated / 2 && n_queries < N_MAX_QUERIES; i++) {
        query_len[n_queries] = garbage_query(&rng, queries[n_queries], sizeof queries[0]);
        n_queries++;
    }
    rm_free(&m);

    size_t max_hits = 10;
    size_t mem_size = stele_workspace_bound(&env.ix, max_hits);
    void *mem = malloc(mem_size);
    stele_hit hits[10];
    static char snippet[2048];
    static char doc_text[1 << 20];
    if (!mem) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    unsigned long n_infos = 0;
    int verify_failed = 0;
    unsigned long n_search = 0, n_ok = 0, n_err = 0, n_snippets = 0, n_small = 0, n_texts = 0,
                  n_suggest = 0;
    unsigned long by_code[16] = {0};

    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1) {
            /* Again over the split corpus, whose postings fill several
             * bit-packed blocks; built and sized before counting. */
            if (tu_env_split_paragraphs(&env, 2) != 0) return 1;
            free(mem);
            mem_size = stele_workspace_bound(&env.ix, max_hits);
            mem = malloc(mem_size);
            if (!mem) {
                fprintf(stderr, "out of memory\n");
                return 1;
            }
        }
        counting = 1;
        /* The index's facts and its full verification. */
        stele_info info;
        stele_index_info(&env.ix, &info);
        const char *section_name;
        size_t section_size;
        for (unsigned i = 0; stele_section_info(&env.ix, i, &section_name, &section_size) == 0; i++)
            n_infos++;
        stele_view view;
        for (unsigned f = 0; stele_field_name(&env.ix, f, &view) == 0; f++)
            n_infos++;
        if (stele_verify(&env.ix, mem, mem_size) != STELE_OK) {
            fprintf(stderr, "stele_verify failed on a fresh index\n");
            verify_failed = 1;
        }
        for (uint32_t d = 0; d < info.n_docs; d++) {
            stele_doc_id(&env.ix, d, &view);
            stele_doc_title(&env.ix, d, &view);
        }
        for (size_t i = 0; i < n_queries; i++) {
            const char *query = queries[i];
            size_t len = query_len[i], n_hits = 0, n_matches = 0;
            stele_diag diag;
            /* Parse only. */
            rc = tu_search(&env.ix, query, len, &env.opts, NULL, 0, hits, max_hits, &n_hits,
                           &n_matches, &diag);
            n_search++;
            /* Ample workspace. */
            rc = tu_search(&env.ix, query, len, &env.opts, mem, mem_size, hits, max_hits, &n_hits,
                           &n_matches, &diag);
            n_search++;
            if (rc <= 0 && rc > -16) by_code[-rc]++;
            if (rc != STELE_OK) {
                n_err++;
                continue;
            }
            n_ok++;
            {
                /* "did you mean" of the prepared query */
                stele_query pq;
                char fix[256];
                size_t fix_len;
                if (stele_query_prepare(&pq, &env.ix, query, len, &env.opts, mem, mem_size) ==
                    STELE_OK) {
                    stele_query_suggest(&pq, query, len, fix, sizeof fix, &fix_len);
                    n_suggest++;
                }
            }
            for (size_t h = 0; h < n_hits && h < 3; h++) {
                size_t out_len;
                tu_snippet(&env.ix, query, len, &env.opts, &hits[h], NULL, mem, mem_size, snippet,
                           sizeof snippet, &out_len, &diag);
                n_snippets++;
            }
            /* Stemming by lookup in the lexicon (no stemmer), as you type. */
            stele_query_opts lex = env.opts;
            lex.stem = NULL;
            lex.stem_ctx = NULL;
            lex.flags = STELE_QUERY_AS_YOU_TYPE;
            if (tu_search(&env.ix, query, len, &lex, mem, mem_size, hits, max_hits, &n_hits,
                          &n_matches, &diag) == STELE_OK &&
                n_hits > 0) {
                size_t out_len;
                tu_snippet(&env.ix, query, len, &lex, &hits[0], NULL, mem, mem_size, snippet,
                           sizeof snippet, &out_len, &diag);
                n_snippets++;
            }
            n_search++;
            /* A too-small workspace and a too-small snippet buffer. */
            size_t small = (i * 7919) % (mem_size / 4 + 1);
            tu_search(&env.ix, query, len, &env.opts, mem, small, hits, max_hits, &n_hits,
                      &n_matches, &diag);
            n_small++;
            if (n_hits > 0) {
                size_t out_len;
                tu_snippet(&env.ix, query, len, &env.opts, &hits[0], NULL, mem, mem_size, snippet,
                           1 + i % 16, &out_len, &diag);
                n_snippets++;
            }
        }
        for (uint32_t d = 0; d < env.corpus.n_docs; d++) {
            size_t out_len;
            stele_doc_text(&env.ix, d, mem, mem_size, doc_text, sizeof doc_text, &out_len);
            stele_doc_text_stream(&env.ix, d, mem, mem_size, count_text, &out_len);
            n_texts++;
            /* and its paragraphs, one past the last included */
            uint32_t n_paras = 0;
            stele_doc_para_count(&env.ix, d, &n_paras);
            for (uint32_t p = 0; p <= n_paras; p++) {
                stele_para para;
                stele_doc_para(&env.ix, d, p, &para);
            }
        }
        counting = 0;
    }

    printf("nomalloc: %zu queries on 2 indexes (%lu ok, %lu errors: syntax %lu, limit %lu, other "
           "%lu), "
           "%lu searches, %lu with a short workspace, %lu snippets, %lu suggestions, %lu doc "
           "texts (%s): %lu allocations, %lu frees: %s\n",
           n_queries, n_ok, n_err, by_code[-STELE_ESYNTAX], by_code[-STELE_ELIMIT],
           n_err - by_code[-STELE_ESYNTAX] - by_code[-STELE_ELIMIT], n_search, n_small, n_snippets,
           n_suggest, n_texts, INTERPOSED, n_allocs, n_frees, n_allocs || n_frees ? "FAIL" : "OK");
    int failed = n_allocs || n_frees || verify_failed;
    if (n_ok == 0) {
        fprintf(stderr, "no query succeeded: the workload proves nothing\n");
        failed = 1;
    }
    free(mem);
    tu_env_close(&env);
    return failed;
}
