/*
 * test_corrupt.c: damaged indexes fail cleanly (suite "corrupt").
 *
 * Every damaged copy lives in a malloc'ed buffer of exactly its size, so
 * under -Db_sanitize=address any read past it is caught.
 *   1. Truncation at every length of a small index: stele_open() must
 *      return STELE_ECORRUPT.
 *   2. Single-byte corruption at every offset (with several bit patterns):
 *      stele_open() or stele_verify() must fail with STELE_ECORRUPT or
 *      STELE_EVERSION.
 *   3. The same corruption with the CRCs recomputed, as a crafted file
 *      would carry: the CRCs no longer help, so this exercises the
 *      reader's own bounds checks.  Whatever open and verify say, every
 *      read function is then driven over the whole index (dictionary walk,
 *      postings, positions, advance, documents, paragraphs, stored text)
 *      and must return, with a defined status, without reading out of
 *      bounds.
 *   4. Every single-byte value at every offset of the header and section
 *      table, CRCs recomputed; a seeded sample of changes in every section,
 *      CRCs recomputed; and truncation at every length: open, verify,
 *      search (term, phrase, NEAR, OR, NOT, prefix, field scope), snippet
 *      and document text through the public API must each return an error
 *      or a valid result (documents in range, counts within the limits,
 *      snippets NUL-terminated inside their buffer).
 * The lexicon is driven the same way (walk, exact lookup, prefix cursor,
 * stemming by lookup, block starts), and a stemmed index has every byte
 * of its LEXICON section damaged, plainly and crafted.
 * The small index has a list of more than 128 documents, so skip tables
 * and bit-packed blocks are among the damaged bytes; a document of 150
 * paragraphs puts paragraph skip entries among them too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "index_helper.h"
#include "lexicon.h"
#include "reader.h"
#include "tsearch.h"

static uint8_t workspace[1 << 20];

/* Queries over the synthetic vocabulary (index_helper.c): every kind of
 * node the evaluator has. */
static const char *const queries[] = {"every",
                                      "half every",
                                      "\"every half\"",
                                      "every OR one OR big",
                                      "every -half",
                                      "half NEAR/3 every",
                                      "f*",
                                      "title:(fa* every)",
                                      "body:big",
                                      "NEAR(every half, 2)",
                                      "(one OR big) half",
                                      "justover exactly"};

static int public_ok(int rc)
{
    return rc == STELE_OK || rc == STELE_ECORRUPT || rc == STELE_ENOTFOUND || rc == STELE_ESYNTAX;
}

/* Runs every query with snippets through the public API; nonzero when a
 * call answered outside its contract. */
static int search_all(const stele_index *ix)
{
    static stele_hit hits[10];
    static char snip[1024];
    int bad = 0;
    size_t need = stele_workspace_bound(ix, 10);
    if (need > sizeof workspace) return 0; /* open refused what would not fit */
    for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++) {
        stele_query q;
        stele_query_opts o = {.max_results = 10};
        int rc = stele_query_prepare(&q, ix, queries[i], strlen(queries[i]), &o, workspace,
                                     sizeof workspace);
        if (rc != STELE_OK) {
            bad |= !public_ok(rc);
            continue;
        }
        size_t n_hits = 0, n_matches = 0;
        rc = stele_query_run(&q, hits, 10, 0, &n_hits, &n_matches);
        bad |= !public_ok(rc);
        if (rc != STELE_OK) continue;
        bad |= n_hits > 10 || n_hits > n_matches || n_matches > ix->n_docs_;
        for (size_t h = 0; h < n_hits; h++) {
            bad |= hits[h].doc >= ix->n_docs_;
            size_t len = 0;
            memset(snip, 'x', sizeof snip);
            rc = stele_query_snippet(&q, &hits[h], NULL, snip, sizeof snip, &len);
            bad |= !(public_ok(rc) || rc == STELE_ENOSPACE);
            if (rc == STELE_OK) bad |= len >= sizeof snip || snip[len] != '\0';
        }
    }
    return bad;
}

static int is_clean_error(int rc)
{
    return rc == STELE_ECORRUPT || rc == STELE_EVERSION;
}

/* Drives the lexicon's functions over ix: nonzero when one returned a
 * status outside its contract. */
static int exercise_lexicon(const stele_index *ix)
{
    st_lex_cursor c, pc;
    st_lex_entry e;
    int bad = 0, rc;
    uint32_t n = 0;
    st_lex_at_block(ix, &c, 0);
    while ((rc = st_lex_next(ix, &c)) == 1 && n++ <= st_lex_n_words(ix)) {
        char out[STELE_MAX_TERM_BYTES + 1];
        uint32_t len;
        rc = st_lex_find(ix, c.e.word, c.e.len, &e);
        bad |= !(rc == STELE_OK || rc == STELE_ENOTFOUND || rc == STELE_ECORRUPT);
        rc = st_lex_term(ix, c.e.stem_ord, out, &len);
        bad |= !(rc == STELE_OK || rc == STELE_ECORRUPT);
        (void)st_lex_stem((void *)ix, c.e.word, c.e.len, out, STELE_MAX_TERM_BYTES);
        if (st_lex_prefix(ix, &pc, c.e.word, c.e.len > 2 ? 2 : c.e.len) == STELE_OK) {
            uint32_t k = 0;
            while ((rc = st_lex_prefix_next(ix, &pc)) == 1 && k++ < 100)
                ;
            bad |= rc > 1;
        }
    }
    bad |= rc > 1;
    for (uint32_t b = 0; b < st_lex_n_blocks(ix); b++) {
        rc = st_lex_block_first(ix, b, &e);
        bad |= !(rc == STELE_OK || rc == STELE_ECORRUPT);
    }
    return bad;
}

/* Drives every reader function over ix; returns nonzero when a function
 * returned a status outside its contract. */
static int exercise(const stele_index *ix)
{
    static st_postings p;
    static uint32_t pos[1024];
    static char text[1 << 16];
    st_dict_cursor c;
    st_term_info info;
    int bad = 0, rc;
    uint32_t n_terms = 0;
    if (st_dict_seek(ix, &c, "", 0) == STELE_OK) {
        while ((rc = st_dict_next(ix, &c, &info)) == 1 && n_terms++ <= ix->n_terms_) {
            st_term_info again;
            rc = st_dict_find(ix, c.term, c.term_len, &again);
            bad |= !(rc == STELE_OK || rc == STELE_ENOTFOUND || rc == STELE_ECORRUPT);
            for (unsigned f = 0; f < STELE_MAX_FIELDS; f++) {
                if (!(info.field_mask >> f & 1)) continue;
                if (st_postings_init(&p, ix, &info.list[f]) != STELE_OK) continue;
                uint32_t steps = 0;
                while ((rc = st_postings_next(&p)) == 1 && steps++ < 100000) {
                    uint32_t n, max_tf;
                    uint8_t min_norm;
                    rc = st_postings_positions(&p, pos, 1024, &n);
                    bad |= !(rc == STELE_OK || rc == STELE_ENOSPACE || rc == STELE_ECORRUPT);
                    bad |= st_postings_block_max(&p, &max_tf, &min_norm) != STELE_OK;
                    st_para_info para;
                    if (rc == STELE_OK && n > 0) (void)st_para_at(ix, p.doc, pos[0], &para);
                    if (p.doc + 50 < ST_DOC_END) {
                        rc = st_postings_advance(&p, p.doc + 50);
                        if (rc <= 0) break;
                    }
                }
                bad |= rc > 1;
            }
            /* Seeking to this term and reading it again lands on a term. */
            st_dict_cursor again_c;
            char key[STELE_MAX_TERM_BYTES + 1];
            memcpy(key, c.term, c.term_len);
            if (st_dict_seek(ix, &again_c, key, c.term_len) == STELE_OK)
                bad |= st_dict_next(ix, &again_c, &info) > 1;
        }
    }
    for (uint32_t d = 0; d < ix->n_docs_ && d < 10000; d++) {
        stele_view v;
        size_t len;
        uint32_t n_paras;
        (void)stele_doc_id(ix, d, &v);
        (void)stele_doc_title(ix, d, &v);
        rc = stele_doc_text(ix, d, workspace, sizeof workspace, text, sizeof text, &len);
        bad |= !(rc == STELE_OK || rc == STELE_ECORRUPT || rc == STELE_ENOSPACE);
        if (st_para_count(ix, d, &n_paras) == STELE_OK)
            for (uint32_t i = 0; i < n_paras && i < 10000; i++) {
                st_para_info para;
                (void)st_para_get(ix, d, i, &para);
                (void)st_para_at(ix, d, i * 7, &para);
            }
        for (unsigned f = 0; f < STELE_MAX_FIELDS; f++) {
            uint8_t norm;
            (void)st_doc_norm(ix, d, f, &norm);
        }
    }
    for (unsigned i = 0; i < 20; i++) {
        const char *name;
        size_t size;
        stele_view v;
        (void)stele_section_info(ix, i, &name, &size);
        (void)stele_field_name(ix, i, &v);
    }
    return bad | exercise_lexicon(ix);
}

static void test_truncation(const uint8_t *data, size_t size)
{
    for (size_t len = 0; len < size; len++) {
        uint8_t *copy = malloc(len ? len : 1);
        memcpy(copy, data, len);
        stele_index ix;
        int rc = stele_open(&ix, copy, len);
        TH_CHECK(rc == STELE_ECORRUPT);
        free(copy);
    }
}

static void test_range(const uint8_t *data, size_t size, size_t from, size_t to, size_t stride,
                       int crafted, size_t *n_open, size_t *n_verify, size_t *n_passed)
{
    static const uint8_t patterns[] = {0xFF, 0x01, 0x80};
    for (size_t at = from; at < to && at < size; at += stride) {
        for (size_t k = 0; k < sizeof patterns; k++) {
            uint8_t *copy = malloc(size);
            memcpy(copy, data, size);
            copy[at] ^= patterns[k];
            if (crafted) th_fix_crcs(copy, size, at);
            stele_index ix;
            int rc = stele_open(&ix, copy, size);
            if (rc != STELE_OK) {
                TH_CHECK(is_clean_error(rc));
                (*n_open)++;
            } else {
                size_t need = st_verify_bound(&ix);
                void *mem = malloc(need);
                TH_CHECK(mem != NULL);
                rc = stele_verify(&ix, mem, need);
                free(mem);
                if (rc != STELE_OK) {
                    if (!is_clean_error(rc))
                        fprintf(stderr, "  verify: %s at offset %zu\n", stele_strerror(rc), at);
                    TH_CHECK(is_clean_error(rc));
                    (*n_verify)++;
                } else {
                    TH_CHECK(crafted); /* without crafting, damage never passes */
                    if (!crafted) fprintf(stderr, "  undetected change at offset %zu\n", at);
                    (*n_passed)++;
                }
                TH_CHECK(exercise(&ix) == 0);
                TH_CHECK(search_all(&ix) == 0);
            }
            free(copy);
        }
    }
}

static void test_bytes(const uint8_t *data, size_t size, size_t stride, int crafted, size_t *n_open,
                       size_t *n_verify, size_t *n_passed)
{
    test_range(data, size, 0, size, stride, crafted, n_open, n_verify, n_passed);
}

/* Opens (mutated) data and drives everything; counts what caught it. */
static void try_crafted(uint8_t *copy, size_t size, size_t at, size_t *n_open, size_t *n_verify,
                        size_t *n_passed)
{
    th_fix_crcs(copy, size, at);
    stele_index ix;
    int rc = stele_open(&ix, copy, size);
    if (rc != STELE_OK) {
        TH_CHECK(is_clean_error(rc));
        (*n_open)++;
        return;
    }
    rc = stele_verify(&ix, workspace, sizeof workspace);
    TH_CHECK(is_clean_error(rc) || rc == STELE_OK || rc == STELE_ENOSPACE);
    if (rc == STELE_OK)
        (*n_passed)++;
    else
        (*n_verify)++;
    TH_CHECK(search_all(&ix) == 0);
}

/* Every value of every byte of the header and section table. */
static void test_header_exhaustive(const uint8_t *data, size_t size)
{
    size_t n_open = 0, n_verify = 0, n_passed = 0;
    uint32_t header_bytes = st_get32(data + ST_H_HEADER_BYTES);
    uint8_t *copy = malloc(size);
    for (size_t at = 0; at < header_bytes; at++) {
        if (at >= ST_H_CRC && at < ST_H_CRC + 4) continue; /* recomputed anyway */
        for (unsigned v = 0; v < 256; v++) {
            if (v == data[at]) continue;
            memcpy(copy, data, size);
            copy[at] = (uint8_t)v;
            try_crafted(copy, size, at, &n_open, &n_verify, &n_passed);
        }
    }
    free(copy);
    printf("header and section table, every byte value, crafted: %zu caught by open, %zu by "
           "verify, %zu passed\n",
           n_open, n_verify, n_passed);
}

/* A seeded sample of changes in every section: single bytes set to
 * random values, and runs of up to 8 random bytes. */
static void test_section_sample(const uint8_t *data, size_t size, unsigned per_section)
{
    stele_index ix;
    TH_CHECK(stele_open(&ix, data, size) == STELE_OK);
    uint32_t lcg = 2024;
    uint8_t *copy = malloc(size);
    for (unsigned s = 0; s < ST_N_SECTIONS; s++) {
        size_t n_open = 0, n_verify = 0, n_passed = 0;
        uint32_t off = ix.sec_[s].offset, len = ix.sec_[s].size;
        if (len == 0) continue;
        for (unsigned k = 0; k < per_section; k++) {
            memcpy(copy, data, size);
            lcg = lcg * 1103515245u + 12345u;
            size_t at = off + (lcg >> 8) % len;
            lcg = lcg * 1103515245u + 12345u;
            unsigned run = k % 2 ? 1 + (lcg >> 8) % 8 : 1;
            for (unsigned r = 0; r < run && at + r < (size_t)off + len; r++) {
                lcg = lcg * 1103515245u + 12345u;
                copy[at + r] = (uint8_t)(lcg >> 16);
            }
            try_crafted(copy, size, at, &n_open, &n_verify, &n_passed);
        }
        const char *name;
        (void)stele_section_info(&ix, s, &name, NULL);
        printf("section %-10s %u crafted changes: %zu caught by open, %zu by verify, %zu "
               "passed\n",
               name, per_section, n_open, n_verify, n_passed);
    }
    free(copy);
}

/*
 * Paragraph streams with skip entries: one document of 150 paragraphs
 * ((150 - 1) / ST_PARA_SKIP skip entries), some without tokens, some
 * numbered.  Every byte of the DOCS and PARAS sections is damaged,
 * plainly and crafted.
 */
static void test_many_paragraphs(void)
{
    st_corpus c;
    TH_CHECK(st_corpus_init(&c) == STELE_OK);
    st_doc *doc = st_corpus_add_doc(&c, "many", "many paragraphs", "t");
    TH_CHECK(doc != NULL);
    for (uint32_t i = 1; i < 150 && doc; i++) {
        char text[32];
        int len = i % 5 == 0 ? snprintf(text, sizeof text, "-- ; --")
                             : snprintf(text, sizeof text, "w%u x%u", i % 9, i % 4);
        TH_CHECK(st_doc_add_para(doc, 1, STELE_PARA_OPERATIVE, i % 3 ? i : 0, text, (size_t)len,
                                 i) == STELE_OK);
    }
    TH_CHECK(st_corpus_add_doc(&c, "next", "the next document", "t") != NULL);
    stele_build_opts opts = {.language = "none"};
    uint8_t *data;
    size_t size;
    th_build(&c, &opts, &data, &size);
    stele_index ix;
    TH_CHECK(stele_open(&ix, data, size) == STELE_OK);
    TH_CHECK(stele_verify(&ix, workspace, sizeof workspace) == STELE_OK);
    TH_CHECK(exercise(&ix) == 0);
    size_t from = ix.sec_[ST_SEC_DOCS].offset;
    size_t to = (size_t)ix.sec_[ST_SEC_PARAS].offset + ix.sec_[ST_SEC_PARAS].size;
    for (int crafted = 0; crafted < 2; crafted++) {
        size_t n_open = 0, n_verify = 0, n_passed = 0;
        test_range(data, size, from, to, 1, crafted, &n_open, &n_verify, &n_passed);
        printf("150-paragraph document, %s damage to DOCS..PARAS: %zu caught by open, %zu by "
               "verify, %zu passed\n",
               crafted ? "crafted" : "plain", n_open, n_verify, n_passed);
    }
    free(data);
    st_corpus_free(&c);
}

/*
 * A stemmed index, whose lexicon maps several forms to one term: every
 * byte of its LEXICON section is damaged, plainly and crafted.
 */
static void test_lexicon_section(void)
{
    static const char *const paras[] = {
        "Programmes and programming for psychoactive substances",
        "The programme of rehabilitation and rehabilitating treatment",
        "Psychoactive substance use disorders and their treatments",
    };
    st_corpus c;
    TH_CHECK(st_corpus_init(&c) == STELE_OK);
    for (unsigned d = 0; d < 3; d++) {
        char id[8];
        snprintf(id, sizeof id, "d%u", d);
        st_doc *doc = st_corpus_add_doc(&c, id, "title words", "t");
        TH_CHECK(doc != NULL);
        TH_CHECK(st_doc_add_para(doc, 1, STELE_PARA_TEXT, 0, paras[d], strlen(paras[d]), 1) ==
                 STELE_OK);
    }
    stele_build_opts opts = {.language = "english"};
    uint8_t *data;
    size_t size;
    th_build(&c, &opts, &data, &size);
    stele_index ix;
    TH_CHECK(stele_open(&ix, data, size) == STELE_OK);
    TH_CHECK(stele_verify(&ix, workspace, sizeof workspace) == STELE_OK);
    TH_CHECK(exercise(&ix) == 0);
    size_t from = ix.sec_[ST_SEC_LEXICON].offset;
    size_t to = from + ix.sec_[ST_SEC_LEXICON].size;
    for (int crafted = 0; crafted < 2; crafted++) {
        size_t n_open = 0, n_verify = 0, n_passed = 0;
        test_range(data, size, from, to, 1, crafted, &n_open, &n_verify, &n_passed);
        printf("stemmed index, %s damage to LEXICON: %zu caught by open, %zu by verify, %zu "
               "passed\n",
               crafted ? "crafted" : "plain", n_open, n_verify, n_passed);
    }
    free(data);
    st_corpus_free(&c);
}

/* The parts run as separate tests so that meson runs them side by side
 * (each takes tens of seconds, minutes under the sanitizers); with no
 * argument every part runs. */
static int wants(int argc, char **argv, const char *part)
{
    if (argc < 2) return 1;
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], part) == 0) return 1;
    return 0;
}

int main(int argc, char **argv)
{
    static const char *const parts[] = {"small",   "large",  "paragraphs",
                                        "lexicon", "header", "sections"};
    for (int i = 1; i < argc; i++) {
        size_t k = 0;
        while (k < sizeof parts / sizeof parts[0] && strcmp(argv[i], parts[k]) != 0)
            k++;
        if (k == sizeof parts / sizeof parts[0]) {
            fprintf(stderr, "usage: test_corrupt [small|large|paragraphs|lexicon|header|"
                            "sections]...\n");
            return 2;
        }
    }
    st_corpus c;
    th_expect exp;
    th_synthetic(&c, &exp, 140);
    stele_build_opts opts = {.language = "none", .block_bytes = 2048};
    uint8_t *data;
    size_t size;
    th_build(&c, &opts, &data, &size);
    stele_index ix;
    TH_CHECK(stele_open(&ix, data, size) == STELE_OK);
    TH_CHECK(stele_verify(&ix, workspace, sizeof workspace) == STELE_OK);
    TH_CHECK(exercise(&ix) == 0);

    /* A smaller index for the exhaustive passes. */
    st_corpus small;
    th_expect small_exp;
    th_synthetic(&small, &small_exp, 12);
    uint8_t *sdata;
    size_t ssize;
    th_build(&small, &opts, &sdata, &ssize);

    size_t n_open = 0, n_verify = 0, n_passed = 0;
    if (wants(argc, argv, "small")) {
        test_truncation(sdata, ssize);
        test_bytes(sdata, ssize, 1, 0, &n_open, &n_verify, &n_passed);
        printf("small index (%zu bytes), plain damage: %zu caught by open, %zu by verify, %zu "
               "passed\n",
               ssize, n_open, n_verify, n_passed);
        n_open = n_verify = n_passed = 0;
        test_bytes(sdata, ssize, 1, 1, &n_open, &n_verify, &n_passed);
        printf("small index, crafted (CRCs fixed): %zu caught by open, %zu by verify, %zu "
               "passed (harmless changes, e.g. title text)\n",
               n_open, n_verify, n_passed);
    }
    if (wants(argc, argv, "large")) {
        n_open = n_verify = n_passed = 0;
        test_bytes(data, size, 17, 1, &n_open, &n_verify, &n_passed);
        printf("140-document index (%zu bytes), crafted, every 17th byte: %zu open, %zu "
               "verify, %zu passed\n",
               size, n_open, n_verify, n_passed);
    }
    if (wants(argc, argv, "paragraphs")) test_many_paragraphs();
    if (wants(argc, argv, "lexicon")) test_lexicon_section();
    if (wants(argc, argv, "header")) test_header_exhaustive(sdata, ssize);
    if (wants(argc, argv, "sections")) test_section_sample(data, size, 400);

    free(data);
    free(sdata);
    th_expect_free(&exp);
    th_expect_free(&small_exp);
    st_corpus_free(&c);
    st_corpus_free(&small);
    if (th_failures) fprintf(stderr, "%d checks failed\n", th_failures);
    return th_failures ? 1 : 0;
}
