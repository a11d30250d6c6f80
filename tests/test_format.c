/*
 * test_format.c: the index format end to end, through the writer and the
 * reader.
 *
 * On the synthetic corpus (index_helper.c, > 300 documents) it checks that
 * the index holds exactly the expected postings and positions for every
 * word and field, that advance() across blocks lands where a linear scan
 * does, that block bounds (largest tf, smallest norm) are exact, dictionary
 * lookups and ordered prefix enumeration, paragraph streams, stored-text
 * round trips, and determinism (two builds give the same bytes).  A small
 * corpus checks paragraph streams against first positions and text
 * offsets computed by the rules of format.h (tokenless paragraphs, a
 * title-only document, 300 paragraphs across skip entries).  Given the
 * corpus directory as argv[1], it builds the bundled corpus through
 * stele_build() to a file, opens and verifies it, and compares every
 * document's text with the ingested one.
 */
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "format.h"
#include "index_helper.h"
#include "reader.h"
#include "writer.h"

static uint8_t workspace[1 << 20];

static void open_index(stele_index *ix, const uint8_t *data, size_t size)
{
    int rc = stele_open(ix, data, size);
    if (rc) {
        fprintf(stderr, "stele_open: %s\n", stele_strerror(rc));
        exit(1);
    }
    TH_CHECK(st_verify_bound(ix) <= sizeof workspace);
    rc = stele_verify(ix, workspace, sizeof workspace);
    if (rc) fprintf(stderr, "stele_verify: %s\n", stele_strerror(rc));
    TH_CHECK(rc == STELE_OK);
}

/* Every word: the lists hold exactly the expected (doc, tf, positions). */
static void check_postings(const stele_index *ix, const th_expect *exp)
{
    size_t at = 0;
    static st_postings p;
    static uint32_t pos[4096];
    for (uint32_t w = 0; w < exp->n_words; w++) {
        const char *word = exp->words[w];
        st_term_info info;
        size_t begin = at;
        while (at < exp->n_occ && exp->occ[at].word == w)
            at++;
        int rc = st_dict_find(ix, word, strlen(word), &info);
        if (begin == at) {
            TH_CHECK(rc == STELE_ENOTFOUND);
            continue;
        }
        TH_CHECK(rc == STELE_OK);
        if (rc) continue;
        /* Expected documents over all fields. */
        uint32_t df = 0, last = ST_DOC_END, mask = 0;
        static uint8_t seen[4096];
        memset(seen, 0, sizeof seen);
        for (size_t k = begin; k < at; k++) {
            mask |= 1u << exp->occ[k].field;
            if (!seen[exp->occ[k].doc]) {
                seen[exp->occ[k].doc] = 1;
                df++;
            }
        }
        TH_CHECK(info.df == df);
        TH_CHECK(info.field_mask == mask);
        size_t k = begin;
        for (unsigned f = 0; f < STELE_MAX_FIELDS; f++) {
            if (!(mask >> f & 1)) continue;
            TH_CHECK(st_postings_init(&p, ix, &info.list[f]) == STELE_OK);
            uint32_t n_docs = 0;
            last = ST_DOC_END;
            while ((rc = st_postings_next(&p)) == 1) {
                TH_CHECK(k < at && exp->occ[k].field == f && exp->occ[k].doc == p.doc);
                uint32_t n;
                TH_CHECK(st_postings_positions(&p, pos, 4096, &n) == STELE_OK);
                TH_CHECK(n == p.tf);
                for (uint32_t i = 0; i < n; i++, k++)
                    TH_CHECK(k < at && exp->occ[k].doc == p.doc && exp->occ[k].pos == pos[i]);
                uint32_t max_tf;
                uint8_t min_norm, norm;
                TH_CHECK(st_postings_block_max(&p, &max_tf, &min_norm) == STELE_OK);
                TH_CHECK(st_doc_norm(ix, p.doc, f, &norm) == STELE_OK);
                TH_CHECK(p.tf <= max_tf && norm >= min_norm);
                TH_CHECK(last == ST_DOC_END || p.doc > last);
                last = p.doc;
                n_docs++;
            }
            TH_CHECK(rc == 0 && p.doc == ST_DOC_END);
            TH_CHECK(n_docs == info.list[f].df);
        }
        TH_CHECK(k == at);
    }
}

/* advance() agrees with a linear scan, for many targets. */
static void check_advance(const stele_index *ix, const char *word)
{
    static st_postings lin, adv;
    static uint32_t docs[4096], tfs[4096];
    st_term_info info;
    TH_CHECK(st_dict_find(ix, word, strlen(word), &info) == STELE_OK);
    const st_list *l = &info.list[ST_FIELD_BODY];
    uint32_t n = 0;
    st_postings_init(&lin, ix, l);
    while (st_postings_next(&lin) == 1 && n < 4096) {
        docs[n] = lin.doc;
        tfs[n++] = lin.tf;
    }
    TH_CHECK(n > ST_BLOCK); /* more than one block */
    for (uint32_t step = 1; step < 400; step += 37) {
        st_postings_init(&adv, ix, l);
        uint32_t i = 0;
        for (uint32_t target = 0; target < ix->n_docs_ + 5; target += step) {
            while (i < n && docs[i] < target)
                i++;
            int rc = st_postings_advance(&adv, target);
            if (i == n) {
                TH_CHECK(rc == 0 && adv.doc == ST_DOC_END);
                break;
            }
            TH_CHECK(rc == 1 && adv.doc == docs[i] && adv.tf == tfs[i]);
            if (target % 3 == 0) {
                /* Positions stay in step after skipping. */
                uint32_t pos[8], np;
                TH_CHECK(st_postings_positions(&adv, pos, 8, &np) == STELE_OK && np == tfs[i]);
            }
        }
    }
    /* Advance to a document already passed stays put. */
    st_postings_init(&adv, ix, l);
    TH_CHECK(st_postings_advance(&adv, 200) == 1);
    uint32_t here = adv.doc;
    TH_CHECK(st_postings_advance(&adv, 10) == 1 && adv.doc == here);
}

static void check_dict(const stele_index *ix, const th_expect *exp)
{
    /* Prefix "f": all filler words, in byte order. */
    st_dict_cursor c;
    st_term_info info;
    TH_CHECK(st_dict_seek(ix, &c, "f", 1) == STELE_OK);
    char prev[STELE_MAX_TERM_BYTES + 1] = "";
    int n = 0, rc;
    while ((rc = st_dict_next(ix, &c, &info)) == 1 && c.term[0] == 'f') {
        TH_CHECK(strcmp(prev, c.term) < 0);
        strcpy(prev, c.term);
        n++;
    }
    TH_CHECK(rc >= 0);
    /* "fa?" "fb?" fillers plus "foot". */
    int fillers = 0;
    for (size_t w = 0; w < exp->n_words; w++)
        fillers += exp->words[w][0] == 'f';
    TH_CHECK(n == fillers);
    /* Seek between terms and past the end. */
    TH_CHECK(st_dict_seek(ix, &c, "evera", 5) == STELE_OK);
    TH_CHECK(st_dict_next(ix, &c, &info) == 1 && strcmp(c.term, "every") == 0);
    TH_CHECK(st_dict_seek(ix, &c, "zzzz", 4) == STELE_OK);
    TH_CHECK(st_dict_next(ix, &c, &info) == 0);
    TH_CHECK(st_dict_find(ix, "ever", 4, &info) == STELE_ENOTFOUND);
    TH_CHECK(st_dict_find(ix, "everyx", 6, &info) == STELE_ENOTFOUND);
    TH_CHECK(st_dict_find(ix, "", 0, &info) == STELE_ENOTFOUND);
    /* Whole enumeration: n_terms terms, ranks in order. */
    TH_CHECK(st_dict_seek(ix, &c, "", 0) == STELE_OK);
    uint32_t count = 0;
    while ((rc = st_dict_next(ix, &c, &info)) == 1) {
        TH_CHECK(info.term_ord == count);
        count++;
    }
    TH_CHECK(rc == 0 && count == ix->n_terms_);
}

/* Compares streamed pieces of a document's text with the whole. */
typedef struct collect {
    const char *want;
    size_t len, at, max_piece;
    int differs;
} collect;

static int collect_fn(void *ctx, const char *text, size_t len)
{
    collect *c = ctx;
    if (len > c->max_piece) c->max_piece = len;
    if (len > c->len - c->at || memcmp(c->want + c->at, text, len) != 0) c->differs = 1;
    if (!c->differs) c->at += len;
    return 0;
}

/* Paragraph tables and stored text against the corpus. */
static void check_docs(const stele_index *ix, const st_corpus *c)
{
    static char text[1 << 16];
    for (uint32_t d = 0; d < c->n_docs; d++) {
        const st_doc *doc = &c->docs[d];
        stele_view id, title;
        TH_CHECK(stele_doc_id(ix, d, &id) == STELE_OK && id.len == strlen(doc->id) &&
                 memcmp(id.data, doc->id, id.len) == 0);
        TH_CHECK(stele_doc_title(ix, d, &title) == STELE_OK && title.len == strlen(doc->title) &&
                 memcmp(title.data, doc->title, title.len) == 0);
        size_t len;
        int rc = stele_doc_text(ix, d, workspace, sizeof workspace, text, sizeof text, &len);
        TH_CHECK(rc == STELE_OK);
        if (rc) continue;
        uint32_t n_paras;
        TH_CHECK(st_para_count(ix, d, &n_paras) == STELE_OK && n_paras == doc->n_paras);
        size_t off = 0;
        for (uint32_t i = 0; i < n_paras && i < doc->n_paras; i++) {
            st_para_info pi;
            TH_CHECK(st_para_get(ix, d, i, &pi) == STELE_OK);
            TH_CHECK(pi.field == doc->paras[i].field && pi.kind == doc->paras[i].kind &&
                     pi.number == doc->paras[i].number);
            TH_CHECK(pi.text_off == off && pi.text_len == doc->paras[i].len);
            TH_CHECK(memcmp(text + off, doc->paras[i].text, doc->paras[i].len) == 0);
            off += doc->paras[i].len;
            if (i + 1 < doc->n_paras) {
                TH_CHECK(text[off] == '\n');
                off++;
            }
            if (pi.n_tokens) {
                st_para_info at;
                TH_CHECK(st_para_at(ix, d, pi.first_pos + pi.n_tokens - 1, &at) == STELE_OK &&
                         at.index == i);
                TH_CHECK(st_para_at(ix, d, pi.first_pos, &at) == STELE_OK && at.index == i);
            }
        }
        TH_CHECK(off == len && text[len] == '\0');
        /* Streamed in 1 KB pieces, in stele_workspace_bound(ix, 0) bytes
         * (or the stream's own need): the same text. */
        {
            collect col = {text, len, 0, 0, 0};
            size_t need = stele_workspace_bound(ix, 0);
            TH_CHECK(stele_doc_text_stream(ix, d, workspace, need, collect_fn, &col) == STELE_OK);
            TH_CHECK(col.at == len && !col.differs && col.max_piece <= 1024);
            TH_CHECK(stele_doc_text_stream(ix, d, workspace, 1024, collect_fn, &col) ==
                     STELE_ENOSPACE);
            TH_CHECK(stele_doc_text(ix, d, workspace, need, text, sizeof text, &len) == STELE_OK);
        }
        /* Too small buffers give ENOSPACE, never overflow. */
        TH_CHECK(stele_doc_text(ix, d, workspace, sizeof workspace, text, len, &len) ==
                 STELE_ENOSPACE);
        TH_CHECK(stele_doc_text(ix, d, workspace, 64, text, sizeof text, &len) == STELE_ENOSPACE);
    }
    TH_CHECK(stele_doc_text(ix, (uint32_t)c->n_docs, workspace, sizeof workspace, text, sizeof text,
                            NULL) == STELE_ENOTFOUND);
    /* The load bound is enough, exactly as promised. */
    if (c->n_docs) {
        const char *t;
        size_t len;
        TH_CHECK(st_doc_load(ix, 0, workspace, st_doc_load_bound(ix), &t, &len) == STELE_OK);
    }
}

/*
 * The tfn codes of the skip entries: every document's tf / norm at the
 * default b is within its block's code, the code is the least such
 * (st_tfn_code of the block's largest), and a crafted index whose code is
 * one lower, or 0, fails stele_verify().
 */
static void check_tfn(const stele_index *ix, const uint8_t *data, size_t size)
{
    static st_postings p;
    st_dict_cursor c;
    st_term_info info;
    uint32_t n_blocks = 0;
    size_t first_entry = 0; /* a skip entry's offset in the file */
    int rc;
    TH_CHECK(st_dict_seek(ix, &c, "", 0) == STELE_OK);
    while ((rc = st_dict_next(ix, &c, &info)) == 1) {
        for (unsigned f = 0; f < ix->n_fields_; f++) {
            if (!(info.field_mask >> f & 1) || info.list[f].df <= ST_BLOCK) continue;
            double avg = st_field_avg_len(ix, f), block_max = 0;
            TH_CHECK(st_postings_init(&p, ix, &info.list[f]) == STELE_OK);
            if (!first_entry)
                first_entry = ix->sec_[ST_SEC_POSTINGS].offset + info.list[f].postings_off;
            while (st_postings_next(&p) == 1) {
                uint8_t norm;
                TH_CHECK(st_doc_norm(ix, p.doc, f, &norm) == STELE_OK);
                double tfn = st_tfn(p.tf, norm, avg);
                TH_CHECK(p.tfn != 0 && tfn <= st_tfn_value(p.tfn));
                block_max = tfn > block_max ? tfn : block_max;
                if (p.in_block + 1 == p.block_len) {
                    TH_CHECK(p.tfn == st_tfn_code(block_max));
                    TH_CHECK(p.tfn == 1 || st_tfn_value((uint8_t)(p.tfn - 1)) < block_max);
                    block_max = 0;
                    n_blocks++;
                }
            }
        }
    }
    TH_CHECK(rc == 0 && n_blocks > 0 && first_entry > 0);
    uint8_t *copy = malloc(size);
    TH_CHECK(copy != NULL);
    if (!copy || !first_entry) return;
    for (int k = 0; k < 2; k++) {
        memcpy(copy, data, size);
        uint8_t *e = copy + first_entry + 15; /* the list's first skip entry */
        *e = k == 0 ? (uint8_t)(*e - 1) : 0;
        th_fix_all_crcs(copy, size);
        stele_index bad;
        TH_CHECK(stele_open(&bad, copy, size) == STELE_OK);
        TH_CHECK(stele_verify(&bad, workspace, sizeof workspace) == STELE_ECORRUPT);
    }
    free(copy);
}

static void test_synthetic(void)
{
    st_corpus c;
    th_expect exp;
    th_synthetic(&c, &exp, 400);
    stele_build_opts opts = {.language = "none"};
    uint8_t *a, *b;
    size_t na, nb;
    th_build(&c, &opts, &a, &na);
    th_build(&c, &opts, &b, &nb);
    TH_CHECK(na == nb && memcmp(a, b, na) == 0); /* deterministic */
    stele_index ix;
    open_index(&ix, a, na);
    stele_info info;
    stele_index_info(&ix, &info);
    TH_CHECK(info.n_docs == 400 && info.n_fields == 3 && info.language[0] == '\0');
    TH_CHECK(info.n_tokens == exp.n_occ);
    TH_CHECK(st_field_weight(&ix, 0) == 2.0 && st_field_weight(&ix, 2) == 0.5);
    stele_view name;
    TH_CHECK(stele_field_name(&ix, 2, &name) == STELE_OK && name.len == 8 &&
             memcmp(name.data, "footnote", 8) == 0);
    TH_CHECK(stele_field_name(&ix, 3, &name) == STELE_ENOTFOUND);
    check_postings(&ix, &exp);
    check_advance(&ix, "every");
    check_advance(&ix, "half");
    check_dict(&ix, &exp);
    check_docs(&ix, &c);
    check_tfn(&ix, a, na);
    /* Small blocks, no dictionary, other weights: still a valid index. */
    free(b);
    opts.block_bytes = 512;
    opts.dict_bytes = STELE_BUILD_NO_DICT;
    opts.field_weight[1] = 1.5;
    th_build(&c, &opts, &b, &nb);
    open_index(&ix, b, nb);
    TH_CHECK(st_field_weight(&ix, 1) == 1.5);
    check_docs(&ix, &c);
    /* The smallest zlib window, with a dictionary that fills it. */
    free(b);
    opts.window_bits = 9;
    opts.dict_bytes = 512;
    th_build(&c, &opts, &b, &nb);
    open_index(&ix, b, nb);
    TH_CHECK(ix.zlib_wbits_ == 9 && ix.sec_[ST_SEC_ZDICT].size > 0 &&
             ix.sec_[ST_SEC_ZDICT].size <= 512);
    check_docs(&ix, &c);
    /* The preset dictionary is kept only when it makes the stored text
     * (dictionary included) strictly smaller; compare with a build
     * without one, for small blocks (where it tends to pay) and one large
     * block (where it tends not to). */
    static const size_t block_sizes[] = {256, 1u << 20};
    for (size_t k = 0; k < 2; k++) {
        stele_index plain;
        uint8_t *p;
        size_t np;
        free(b);
        opts.window_bits = 0;
        opts.block_bytes = block_sizes[k];
        opts.dict_bytes = STELE_BUILD_NO_DICT;
        th_build(&c, &opts, &p, &np);
        open_index(&plain, p, np);
        opts.dict_bytes = 1024;
        th_build(&c, &opts, &b, &nb);
        open_index(&ix, b, nb);
        uint32_t with = ix.sec_[ST_SEC_TEXT].size + ix.sec_[ST_SEC_ZDICT].size;
        uint32_t without = plain.sec_[ST_SEC_TEXT].size;
        TH_CHECK(plain.sec_[ST_SEC_ZDICT].size == 0 && !(plain.flags_ & ST_FLAG_ZDICT));
        TH_CHECK(!(ix.flags_ & ST_FLAG_ZDICT) == (ix.sec_[ST_SEC_ZDICT].size == 0));
        if (ix.sec_[ST_SEC_ZDICT].size)
            TH_CHECK(with < without);
        else
            TH_CHECK(with == without && nb == np && memcmp(b, p, np) == 0);
        check_docs(&ix, &c);
        free(p);
    }
    free(a);
    free(b);
    th_expect_free(&exp);
    st_corpus_free(&c);
}

/* An empty corpus, and a corpus of one empty document. */
static void test_tiny(void)
{
    st_corpus c;
    uint8_t *a;
    size_t na;
    stele_index ix;
    TH_CHECK(st_corpus_init(&c) == STELE_OK);
    th_build(&c, NULL, &a, &na);
    open_index(&ix, a, na);
    TH_CHECK(ix.n_docs_ == 0 && ix.n_terms_ == 0);
    st_term_info info;
    TH_CHECK(st_dict_find(&ix, "x", 1, &info) == STELE_ENOTFOUND);
    free(a);
    TH_CHECK(st_corpus_add_doc(&c, "empty", "", "x") != NULL);
    th_build(&c, NULL, &a, &na);
    open_index(&ix, a, na);
    TH_CHECK(ix.n_docs_ == 1 && ix.n_terms_ == 0);
    check_docs(&ix, &c);
    free(a);
    st_corpus_free(&c);
}

/*
 * Paragraph streams round-trip: a title-only document, a document whose
 * title and some paragraphs have no tokens, and one of 300 paragraphs
 * (a skip entry every ST_PARA_SKIP; tokenless paragraphs on and next to
 * the skip boundaries; numbers, footnotes).  Expected first positions and
 * text offsets are computed here from the rules of format.h: a paragraph
 * with t tokens moves the next first position on by t + 1, one without
 * tokens leaves it; text offsets advance by the text bytes + 1.
 */
#define TP_MANY 300

static uint32_t tp_tokens(uint32_t i)
{
    /* Tokenless on and around skip boundaries, and every 7th. */
    if (i % ST_PARA_SKIP == 0 || i % ST_PARA_SKIP == ST_PARA_SKIP - 1 || i % 7 == 3) return 0;
    return 1 + i % 5;
}

static void check_paras(const stele_index *ix, uint32_t d, const st_doc *doc,
                        const uint32_t *tokens)
{
    uint32_t n;
    TH_CHECK(st_para_count(ix, d, &n) == STELE_OK && n == doc->n_paras);
    uint64_t pos = 0, text_off = 0;
    uint32_t first[TP_MANY + 1], limit = 0;
    for (uint32_t i = 0; i < n; i++) {
        st_para_info pi;
        TH_CHECK(st_para_get(ix, d, i, &pi) == STELE_OK);
        TH_CHECK(pi.index == i && pi.field == doc->paras[i].field &&
                 pi.kind == doc->paras[i].kind && pi.number == doc->paras[i].number);
        TH_CHECK(pi.n_tokens == tokens[i] && pi.first_pos == pos);
        TH_CHECK(pi.text_off == text_off && pi.text_len == doc->paras[i].len);
        first[i] = (uint32_t)pos;
        if (tokens[i]) {
            limit = (uint32_t)(pos + tokens[i]);
            pos += tokens[i] + 1;
        }
        text_off += doc->paras[i].len + 1;
    }
    st_para_info pi;
    TH_CHECK(st_para_get(ix, d, n, &pi) == STELE_ENOTFOUND);
    uint32_t got_limit;
    TH_CHECK(st_doc_pos_limit(ix, d, &got_limit) == STELE_OK && got_limit == limit);
    /* Every position (and the gaps and one past the end) maps to the last
     * paragraph whose first position is <= it. */
    for (uint32_t at = 0; at <= limit + 1; at++) {
        uint32_t want = 0;
        for (uint32_t i = 0; i < n; i++)
            if (first[i] <= at) want = i;
        TH_CHECK(st_para_at(ix, d, at, &pi) == STELE_OK && pi.index == want);
    }
}

static void test_paragraphs(void)
{
    st_corpus c;
    static uint32_t tokens[3][TP_MANY + 1];
    TH_CHECK(st_corpus_init(&c) == STELE_OK);
    /* 0: the title only. */
    TH_CHECK(st_corpus_add_doc(&c, "title-only", "just a title", "t") != NULL);
    tokens[0][0] = 3;
    /* 1: a title without tokens, then tokens, none, tokens, none. */
    st_doc *doc = st_corpus_add_doc(&c, "gaps", "-- ; --", "t");
    TH_CHECK(doc != NULL);
    TH_CHECK(st_doc_add_para(doc, 1, STELE_PARA_TEXT, 0, "one two", 7, 1) == STELE_OK);
    TH_CHECK(st_doc_add_para(doc, 1, STELE_PARA_TEXT, 0, "* * *", 5, 2) == STELE_OK);
    TH_CHECK(st_doc_add_para(doc, 2, STELE_PARA_FOOTNOTE, 7, "three", 5, 3) == STELE_OK);
    TH_CHECK(st_doc_add_para(doc, 1, STELE_PARA_TEXT, 0, "--", 2, 4) == STELE_OK);
    static const uint32_t gap_tokens[] = {0, 2, 0, 1, 0};
    memcpy(tokens[1], gap_tokens, sizeof gap_tokens);
    /* 2: many paragraphs. */
    doc = st_corpus_add_doc(&c, "many", "many paragraphs", "t");
    TH_CHECK(doc != NULL);
    tokens[2][0] = 2;
    for (uint32_t i = 1; i < TP_MANY && doc; i++) {
        char text[64];
        size_t len = 0;
        uint32_t t = tp_tokens(i);
        for (uint32_t k = 0; k < t; k++)
            len += (size_t)snprintf(text + len, sizeof text - len, "%sw%c", k ? " " : "",
                                    'a' + (int)((i + k) % 26));
        if (t == 0) memcpy(text, "-- ; --", len = 7);
        unsigned field = i % 11 == 0 ? 2 : 1;
        unsigned kind = field == 2 ? STELE_PARA_FOOTNOTE : STELE_PARA_OPERATIVE;
        TH_CHECK(st_doc_add_para(doc, field, kind, i % 3 ? i : 0, text, len, i) == STELE_OK);
        tokens[2][i] = t;
    }
    uint8_t *a;
    size_t na;
    stele_build_opts opts = {.language = "none"};
    th_build(&c, &opts, &a, &na);
    stele_index ix;
    open_index(&ix, a, na);
    TH_CHECK(ix.n_docs_ == 3 && c.docs[2].n_paras == TP_MANY);
    for (uint32_t d = 0; d < 3; d++)
        check_paras(&ix, d, &c.docs[d], tokens[d]);
    check_docs(&ix, &c);
    free(a);
    st_corpus_free(&c);
}

/*
 * Positions in several runs: a term with 300, 2 and 130 occurrences in
 * three documents (runs of 128 crossing documents, a list whose
 * positions length the dictionary must store) and gaps of thousands of
 * positions.  Each document's positions are read twice (the second read
 * starts over from the block's first run), and a document is skipped
 * unread.
 */
static void test_long_positions(void)
{
    static const uint32_t counts[3] = {300, 2, 130};
    static const uint32_t filler[3] = {3, 5000, 0};
    st_corpus c;
    TH_CHECK(st_corpus_init(&c) == STELE_OK);
    uint32_t *want[3];
    char *text = malloc(1 << 20);
    TH_CHECK(text != NULL);
    for (int d = 0; d < 3; d++) {
        char id[8];
        snprintf(id, sizeof id, "d%d", d);
        st_doc *doc = st_corpus_add_doc(&c, id, "title", "test");
        TH_CHECK(doc != NULL);
        want[d] = malloc(counts[d] * sizeof *want[d]);
        size_t len = 0;
        uint32_t pos = 2; /* the title paragraph takes position 0, one is left out */
        for (uint32_t i = 0; i < counts[d]; i++) {
            for (uint32_t k = 0; k < filler[d] * (i % 2 + 1) / 2 + i % 3; k++, pos++)
                len += (size_t)sprintf(text + len, "qq ");
            want[d][i] = pos++;
            len += (size_t)sprintf(text + len, "zz ");
        }
        TH_CHECK(st_doc_add_para(doc, 1, STELE_PARA_TEXT, 0, text, len, 0) == STELE_OK);
    }
    free(text);
    st_err e;
    TH_CHECK(st_corpus_finish(&c, &e) == STELE_OK);
    stele_build_opts opts = {.language = "none"};
    uint8_t *a;
    size_t na;
    stele_index ix;
    th_build(&c, &opts, &a, &na);
    open_index(&ix, a, na);
    st_term_info info;
    TH_CHECK(st_dict_find(&ix, "zz", 2, &info) == STELE_OK && info.field_mask == 2u);
    static st_postings p;
    static uint32_t pos[512];
    for (int pass = 0; pass < 2; pass++) {
        TH_CHECK(st_postings_init(&p, &ix, &info.list[1]) == STELE_OK);
        for (int d = 0; d < 3; d++) {
            if (pass == 1 && d == 1) continue; /* skipped unread */
            TH_CHECK((pass == 0 ? st_postings_next(&p) : st_postings_advance(&p, (uint32_t)d)) ==
                     1);
            TH_CHECK(p.doc == (uint32_t)d && p.tf == counts[d]);
            for (int again = 0; again < 2; again++) {
                uint32_t n = 0;
                TH_CHECK(st_postings_positions(&p, pos, 512, &n) == STELE_OK && n == counts[d]);
                for (uint32_t i = 0; i < n && i < counts[d]; i++)
                    TH_CHECK(pos[i] == want[d][i]);
            }
        }
        TH_CHECK(st_postings_next(&p) == 0);
    }
    for (int d = 0; d < 3; d++)
        free(want[d]);
    free(a);
    st_corpus_free(&c);
}

/* No temporary file of path is left in the current directory. */
static int temp_files_left(const char *path)
{
    DIR *dh = opendir(".");
    int n = 0;
    struct dirent *de;
    size_t len = strlen(path);
    while (dh && (de = readdir(dh)))
        n += strncmp(de->d_name, path, len) == 0 && strncmp(de->d_name + len, ".tmp.", 5) == 0;
    if (dh) closedir(dh);
    return n;
}

/* Atomic writing: errors (bad options, a full disk, a missing directory)
 * leave the existing index as it was and no temporary file; stats add up. */
static void test_atomic(void)
{
    st_corpus c, big;
    th_expect exp, big_exp;
    th_synthetic(&c, &exp, 30);
    th_synthetic(&big, &big_exp, 300);
    const char *path = "test_format_atomic.stele";
    char err[256];
    stele_build_stats stats;
    remove(path);
    TH_CHECK(stele_build_corpus(&c, NULL, path, &stats, err, sizeof err) == STELE_OK);
    size_t size, size2;
    uint8_t *data = th_read_file(path, &size);
    TH_CHECK(data && size == stats.index_bytes);
    if (!data) return;
    stele_index ix;
    open_index(&ix, data, size);
    TH_CHECK(stats.n_docs == 30 && stats.n_tokens == exp.n_occ && stats.n_terms == ix.n_terms_);
    uint64_t sum = 0;
    for (size_t i = 0; i < stats.n_sections; i++)
        sum += stats.section[i].bytes;
    TH_CHECK(sum < size && size - sum < 512); /* header and padding */

    stele_build_opts bad = {.language = "klingon"};
    TH_CHECK(stele_build_corpus(&big, &bad, path, NULL, err, sizeof err) == STELE_ENOTFOUND);
    bad = (stele_build_opts){.field_weight = {100.0}};
    TH_CHECK(stele_build_corpus(&big, &bad, path, NULL, err, sizeof err) == STELE_EINVAL);
    bad = (stele_build_opts){.window_bits = 16};
    TH_CHECK(stele_build_corpus(&big, &bad, path, NULL, err, sizeof err) == STELE_EINVAL);

    /* A full disk: the file size limit makes write() fail part way. */
    struct rlimit old, lim;
    TH_CHECK(getrlimit(RLIMIT_FSIZE, &old) == 0);
    lim = old;
    lim.rlim_cur = 4096;
    signal(SIGXFSZ, SIG_IGN);
    TH_CHECK(setrlimit(RLIMIT_FSIZE, &lim) == 0);
    int rc = stele_build_corpus(&big, NULL, path, NULL, err, sizeof err);
    TH_CHECK(setrlimit(RLIMIT_FSIZE, &old) == 0);
    TH_CHECK(rc == STELE_EIO && strstr(err, path) != NULL);

    TH_CHECK(stele_build_corpus(&big, NULL, "no-such-directory/x.stele", NULL, err, sizeof err) ==
             STELE_EIO);
    uint8_t *after = th_read_file(path, &size2);
    TH_CHECK(after && size2 == size && memcmp(after, data, size) == 0);
    TH_CHECK(temp_files_left(path) == 0);
    free(after);
    free(data);
    remove(path);
    th_expect_free(&exp);
    th_expect_free(&big_exp);
    st_corpus_free(&c);
    st_corpus_free(&big);
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_corpus(const char *dir)
{
    DIR *dh = opendir(dir);
    if (!dh) {
        fprintf(stderr, "cannot open corpus directory %s\n", dir);
        th_failures++;
        return;
    }
    char *paths[256];
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(dh)) && n < 256) {
        size_t len = strlen(de->d_name);
        if (len > 4 && strcmp(de->d_name + len - 4, ".txt") == 0) {
            paths[n] = malloc(strlen(dir) + len + 2);
            sprintf(paths[n++], "%s/%s", dir, de->d_name);
        }
    }
    closedir(dh);
    qsort(paths, n, sizeof *paths, name_cmp);
    const char *out = "test_format_corpus.stele";
    stele_build_stats stats;
    char err[512] = "";
    int rc = stele_build((const char *const *)paths, n, NULL, out, &stats, err, sizeof err);
    if (rc) fprintf(stderr, "stele_build: %s: %s\n", stele_strerror(rc), err);
    TH_CHECK(rc == STELE_OK);
    size_t size;
    uint8_t *data = th_read_file(out, &size);
    TH_CHECK(data && size == stats.index_bytes);
    if (rc || !data) goto done;
    stele_index ix;
    open_index(&ix, data, size);
    TH_CHECK(ix.n_docs_ == stats.n_docs && stats.n_docs > 0);
    TH_CHECK(strcmp(ix.language_, "english") == 0);
    /* The documents' texts against a fresh ingestion. */
    st_corpus c;
    st_err e;
    TH_CHECK(st_corpus_init(&c) == STELE_OK);
    for (size_t i = 0; i < n; i++)
        TH_CHECK(st_ingest(&c, paths[i], ST_FORMAT_RESOLUTIONS, &e) == STELE_OK);
    TH_CHECK(st_corpus_finish(&c, &e) == STELE_OK);
    TH_CHECK(c.n_docs == ix.n_docs_);
    if (c.n_docs == ix.n_docs_) check_docs(&ix, &c);
    /* Stemmed terms: "treatment" is indexed as its stem. */
    st_term_info info;
    TH_CHECK(st_dict_find(&ix, "treatment", 9, &info) == STELE_OK);
    TH_CHECK(st_dict_find(&ix, "55/2", 4, &info) == STELE_OK);
    /* Determinism through the file path: a second build is identical. */
    uint8_t *again;
    size_t again_size;
    TH_CHECK(st_build_memory(&c, NULL, &again, &again_size, NULL, err, sizeof err) == STELE_OK);
    TH_CHECK(again_size == size && memcmp(again, data, size) == 0);
    free(again);
    printf("corpus: %llu docs, %llu terms, %llu postings, %llu tokens, %llu text bytes, index "
           "%llu bytes\n",
           (unsigned long long)stats.n_docs, (unsigned long long)stats.n_terms,
           (unsigned long long)stats.n_postings, (unsigned long long)stats.n_tokens,
           (unsigned long long)stats.text_bytes, (unsigned long long)stats.index_bytes);
    for (size_t i = 0; i < stats.n_sections; i++)
        printf("  %-12s %8llu\n", stats.section[i].name,
               (unsigned long long)stats.section[i].bytes);
    st_corpus_free(&c);
done:
    free(data);
    remove(out);
    for (size_t i = 0; i < n; i++)
        free(paths[i]);
}

int main(int argc, char **argv)
{
    test_tiny();
    test_synthetic();
    test_atomic();
    test_long_positions();
    test_paragraphs();
    if (argc > 1) test_corpus(argv[1]);
    if (th_failures) fprintf(stderr, "%d checks failed\n", th_failures);
    return th_failures ? 1 : 0;
}
