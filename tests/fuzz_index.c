/*
 * fuzz_index.c: fuzz target for arbitrary bytes as an index.
 *
 * The input is the whole index file.  It is opened; when stele_open()
 * accepts it, its CRCs are checked, it is verified, searched (every kind
 * of query node: terms, phrase, NEAR, OR, NOT, prefixes, field scopes, as
 * you type and typo corrections), the first SNIPPET_HITS hits of each
 * query snippeted, its documents' text, paragraphs, ids and titles read,
 * and completions asked for, each
 * in a workspace of the size the API says is enough.  Every call must
 * return a status its contract allows and stay inside its buffers:
 * whatever the bytes, the runtime answers an error or valid results.
 *
 * Seeds are small real indexes (tests/fuzz/index/).  Most mutations of an
 * index only break a CRC, which stele_open() (header) or stele_verify()
 * (sections) then reports, so LLVMFuzzerCustomMutator() recomputes every
 * section's CRC and the header's after libFuzzer's mutation, as a crafted
 * file would carry them (th_fix_all_crcs(), shared with test_corrupt.c):
 * the search path and the verifier then meet the damaged structures
 * themselves.  One mutation in eight keeps its CRCs as they fell, so the
 * checksum paths stay covered too.
 *
 * A snippet stems every token of its passage through the damaged index,
 * so snippeting every hit of the sixteen queries was the dearest part of
 * a run after the queries themselves; two hits a query still read the
 * text of two documents through each query's own matches.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "index_helper.h"
#include "format.h"
#include "reader.h"
#include "stele.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define WORKSPACE_BYTES (1u << 20)
#define MAX_HITS        10
#define SNIPPET_HITS    2 /* hits of each query that are snippeted */

static void require(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "broken promise: %s\n", what);
        abort();
    }
}

static int public_ok(int rc)
{
    return rc == STELE_OK || rc == STELE_ECORRUPT || rc == STELE_ENOTFOUND;
}

/* Queries over the seeds' words (the corpus's and the synthetic
 * vocabulary of index_helper.c): every kind of node the evaluator has. */
static const char *const queries[] = {"every half",
                                      "\"every half\"",
                                      "one OR big OR drug",
                                      "every -half",
                                      "half NEAR/3 every",
                                      "f* re*",
                                      "title:(fa* every)",
                                      "body:big footnote:foot",
                                      "NEAR(drug use, 2)",
                                      "(one OR big) treat*",
                                      "psycoactive substnces",
                                      "orchard bread light",
                                      "=every \"one big\"",
                                      "55/12 2009",
                                      "title:orchard",
                                      "rehab"};

static void check_query(const stele_index *ix, unsigned char *mem, size_t mem_size,
                        const char *text, unsigned flags)
{
    static stele_hit hits[MAX_HITS];
    static char snip[1024];
    stele_query q;
    stele_query_opts o = {.max_results = MAX_HITS, .flags = flags};
    int rc = stele_query_prepare(&q, ix, text, strlen(text), &o, mem, mem_size);
    require(public_ok(rc) || rc == STELE_ESYNTAX || rc == STELE_ELIMIT || rc == STELE_ENOSPACE,
            "prepare status");
    if (rc != STELE_OK) return;
    size_t n_hits = 0, n_matches = 0;
    rc = stele_query_run(&q, hits, MAX_HITS, 0, &n_hits, &n_matches);
    require(public_ok(rc) || rc == STELE_ENOSPACE, "run status");
    if (rc != STELE_OK) return;
    require(n_hits <= MAX_HITS && n_hits <= n_matches && n_matches <= ix->n_docs_, "hit counts");
    for (size_t h = 0; h < n_hits; h++)
        require(hits[h].doc < ix->n_docs_, "hit document in range");
    for (size_t h = 0; h < n_hits && h < SNIPPET_HITS; h++) {
        size_t len = 0;
        rc = stele_query_snippet(&q, &hits[h], NULL, snip, sizeof snip, &len);
        require(public_ok(rc) || rc == STELE_ENOSPACE, "snippet status");
        if (rc == STELE_OK) require(len < sizeof snip && snip[len] == '\0', "snippet NUL");
    }
    char out[256];
    size_t out_len;
    rc = stele_query_suggest(&q, text, strlen(text), out, sizeof out, &out_len);
    require(public_ok(rc) || rc == STELE_ENOSPACE, "suggest status");
    if (rc == STELE_OK) require(out_len < sizeof out && out[out_len] == '\0', "suggestion NUL");
}

static int count_piece(void *ctx, const char *text, size_t len)
{
    (void)text;
    *(size_t *)ctx += len;
    return 0;
}

static void check_docs(const stele_index *ix, unsigned char *mem, size_t mem_size)
{
    static char text[1 << 16];
    uint32_t n_docs = ix->n_docs_ < 64 ? ix->n_docs_ : 64;
    for (uint32_t d = 0; d < n_docs; d++) {
        stele_view v;
        require(public_ok(stele_doc_id(ix, d, &v)), "doc id status");
        require(public_ok(stele_doc_title(ix, d, &v)), "doc title status");
        size_t len = 0;
        int rc = stele_doc_text(ix, d, mem, mem_size, text, sizeof text, &len);
        require(public_ok(rc) || rc == STELE_ENOSPACE, "doc text status");
        if (rc == STELE_OK) require(len < sizeof text && text[len] == '\0', "doc text NUL");
        size_t streamed = 0;
        rc = stele_doc_text_stream(ix, d, mem, mem_size, count_piece, &streamed);
        require(public_ok(rc), "doc text stream status");
        uint32_t n_paras = 0;
        if (stele_doc_para_count(ix, d, &n_paras) != STELE_OK) continue;
        for (uint32_t i = 0; i < n_paras && i < 256; i++) {
            stele_para para;
            require(public_ok(stele_doc_para(ix, d, i, &para)), "doc para status");
        }
    }
    require(stele_doc_text(ix, ix->n_docs_, mem, mem_size, text, sizeof text, NULL) < 0,
            "no document past the last");
}

static void check_complete(const stele_index *ix, unsigned char *mem, size_t mem_size)
{
    static const char *const prefixes[] = {"e", "drug t", "ha", "title:f"};
    stele_completion items[4];
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
        stele_completions out = {.items = items, .max = 4};
        int rc = stele_complete(ix, prefixes[i], strlen(prefixes[i]), NULL, &out, mem, mem_size);
        require(public_ok(rc), "completion status");
        require(out.n <= out.max, "completion count");
        for (size_t k = 0; k < out.n; k++)
            require(items[k].len <= STELE_MAX_TERM_BYTES && items[k].word[items[k].len] == '\0',
                    "completion NUL");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static unsigned char *mem;
    if (!mem) {
        mem = malloc(WORKSPACE_BYTES);
        require(mem != NULL, "workspace");
    }
    stele_index ix;
    int rc = stele_open(&ix, data, size);
    require(rc == STELE_OK || rc == STELE_ECORRUPT || rc == STELE_EVERSION, "open status");
    if (rc != STELE_OK) return 0;
    stele_info info;
    stele_index_info(&ix, &info);
    require(info.size == size && info.n_fields <= STELE_MAX_FIELDS, "index facts");
    for (unsigned i = 0; i < STELE_MAX_FIELDS + 1; i++) {
        stele_view name;
        const char *sname;
        size_t ssize;
        rc = stele_field_name(&ix, i, &name);
        require(public_ok(rc), "field name status");
        if (rc == STELE_OK) require(name.len <= STELE_MAX_FIELD_NAME, "field name length");
        rc = stele_section_info(&ix, i, &sname, &ssize);
        require(public_ok(rc), "section info status");
        if (rc == STELE_OK) require(ssize <= size, "section size");
    }
    /* The bound covers the verifier and the largest stored-text block,
     * which stele_open() holds to what the TEXT section can inflate to
     * (ST_DEFLATE_MAX_RATIO), so a short input has a modest bound. */
    size_t bound = stele_workspace_bound(&ix, MAX_HITS);
    require(stele_workspace_bound(&ix, 0) <= bound && st_verify_bound(&ix) <= bound,
            "the bound covers verify and document text");
    require(bound <= (size_t)4 << 20 || bound / ST_DEFLATE_MAX_RATIO <= size,
            "the bound follows from the sections");
    unsigned char *ws = mem;
    if (bound > WORKSPACE_BYTES) {
        ws = malloc(bound);
        require(ws != NULL, "a workspace of the bound");
    }
    rc = stele_check_crc(&ix);
    require(rc == STELE_OK || rc == STELE_ECORRUPT, "crc status");
    rc = stele_verify(&ix, ws, st_verify_bound(&ix));
    require(rc == STELE_OK || rc == STELE_ECORRUPT, "verify status");
    for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++)
        check_query(&ix, ws, bound, queries[i], i % 4 == 3 ? STELE_QUERY_AS_YOU_TYPE : 0);
    check_docs(&ix, ws, stele_workspace_bound(&ix, 0));
    check_complete(&ix, ws, stele_workspace_bound(&ix, 0));
    if (ws != mem) free(ws);
    return 0;
}

#ifdef STELE_LIBFUZZER
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed);

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed)
{
    size = LLVMFuzzerMutate(data, size, max_size);
    if (seed % 8 != 0) th_fix_all_crcs(data, size);
    return size;
}
#endif
