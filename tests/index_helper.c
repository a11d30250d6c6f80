/*
 * index_helper.c: see index_helper.h.
 *
 * The synthetic corpus is chosen to reach the format's edge cases: a word
 * in every document (several postings blocks, skip entries), words in
 * exactly 128 and 129 documents (one full block; a full block and a
 * one-document tail), a word in one document, a word with a tf of 300 in
 * one document, title-only and footnote-only words, and a paragraph with
 * no tokens (which takes no position).  Filler words come from a fixed
 * linear congruential sequence, so the corpus is the same on every run.
 */
#include "index_helper.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "writer.h"
#include "zlib.h"

int th_failures;

void th_fail(const char *file, int line, const char *what)
{
    fprintf(stderr, "%s:%d: check failed: %s\n", file, line, what);
    th_failures++;
}

void th_build(const st_corpus *c, const stele_build_opts *opts, uint8_t **data, size_t *size)
{
    char err[256] = "";
    int rc = st_build_memory(c, opts, data, size, NULL, err, sizeof err);
    if (rc) {
        fprintf(stderr, "build failed: %s (%s)\n", stele_strerror(rc), err);
        exit(1);
    }
}

static const char *const special[] = {"every",    "half", "one",       "exactly",
                                      "justover", "big",  "titleword", "foot"};
enum { W_EVERY, W_HALF, W_ONE, W_EXACTLY, W_JUSTOVER, W_BIG, W_TITLE, W_FOOT, N_SPECIAL };
#define N_FILLER 60

typedef struct gen {
    th_expect *exp;
    size_t cap_occ;
    char text[8192];
    size_t len;
    uint32_t doc, field, pos; /* next position */
    int emitted;
    uint32_t first; /* first position of the paragraph being built */
} gen;

static void add_word(gen *g, uint32_t w)
{
    th_expect *e = g->exp;
    size_t n = strlen(e->words[w]);
    if (g->len + n + 2 > sizeof g->text) {
        fprintf(stderr, "synthetic paragraph too long\n");
        exit(1);
    }
    if (g->len) g->text[g->len++] = ' ';
    memcpy(g->text + g->len, e->words[w], n);
    g->len += n;
    if (e->n_occ == g->cap_occ) {
        g->cap_occ = g->cap_occ ? g->cap_occ * 2 : 4096;
        e->occ = realloc(e->occ, g->cap_occ * sizeof *e->occ);
        if (!e->occ) exit(1);
    }
    e->occ[e->n_occ++] = (th_occ){w, g->field, g->doc, g->pos++};
}

static void para_begin(gen *g, uint32_t field)
{
    g->len = 0;
    g->field = field;
    g->first = g->emitted ? g->pos + 1 : g->pos;
    g->pos = g->first;
}

static void para_end(gen *g, st_doc *d, unsigned kind, uint32_t number)
{
    if (g->pos > g->first)
        g->emitted = 1;
    else
        g->pos = g->first - (g->emitted && g->first > 0 ? 1 : 0); /* no tokens: no gap */
    if (st_doc_add_para(d, g->field, kind, number, g->text, g->len, 0) != STELE_OK) exit(1);
}

static int occ_cmp(const void *a, const void *b)
{
    const th_occ *x = a, *y = b;
    if (x->word != y->word) return x->word < y->word ? -1 : 1;
    if (x->field != y->field) return x->field < y->field ? -1 : 1;
    if (x->doc != y->doc) return x->doc < y->doc ? -1 : 1;
    return (x->pos > y->pos) - (x->pos < y->pos);
}

void th_synthetic(st_corpus *c, th_expect *exp, uint32_t n_docs)
{
    memset(exp, 0, sizeof *exp);
    exp->n_words = N_SPECIAL + N_FILLER;
    exp->words = calloc(exp->n_words, sizeof *exp->words);
    if (!exp->words || st_corpus_init(c) != STELE_OK) exit(1);
    for (size_t w = 0; w < N_SPECIAL; w++)
        strcpy(exp->words[w], special[w]);
    for (size_t w = 0; w < N_FILLER; w++)
        snprintf(exp->words[N_SPECIAL + w], 16, "f%c%c", 'a' + (int)(w / 26), 'a' + (int)(w % 26));
    gen g = {.exp = exp};
    uint32_t lcg = 12345;
    for (uint32_t d = 0; d < n_docs; d++) {
        char id[32];
        snprintf(id, sizeof id, "%u/%u", 50 + d / 100, d % 100);
        /* The title paragraph is made here, so its words are recorded. */
        g.doc = d;
        g.pos = 0;
        g.emitted = 0;
        para_begin(&g, ST_FIELD_TITLE);
        add_word(&g, W_TITLE);
        for (uint32_t i = 0; i < 1 + d % 4; i++) {
            lcg = lcg * 1103515245u + 12345u;
            add_word(&g, N_SPECIAL + (lcg >> 16) % N_FILLER);
        }
        g.text[g.len] = '\0';
        st_doc *doc = st_corpus_add_doc(c, id, g.text, "synthetic");
        if (!doc || doc->n_paras != 1) exit(1);
        g.emitted = g.pos > g.first;
        unsigned n_paras = 1 + d % 5;
        for (unsigned p = 0; p < n_paras; p++) {
            para_begin(&g, ST_FIELD_BODY);
            if (p == 0) {
                for (uint32_t t = 0; t < 1 + d % 3; t++)
                    add_word(&g, W_EVERY);
                if (d % 2 == 0) add_word(&g, W_HALF);
                if (d == 5) add_word(&g, W_ONE);
                if (d < 128) add_word(&g, W_EXACTLY);
                if (d < 129) add_word(&g, W_JUSTOVER);
                if (d == 3)
                    for (int t = 0; t < 300; t++)
                        add_word(&g, W_BIG);
            }
            for (uint32_t i = 0; i < 3 + (d + p) % 7; i++) {
                lcg = lcg * 1103515245u + 12345u;
                add_word(&g, N_SPECIAL + (lcg >> 16) % N_FILLER);
            }
            para_end(&g, doc, STELE_PARA_OPERATIVE, p + 1);
        }
        if (d % 7 == 1) {
            /* A paragraph without tokens. */
            para_begin(&g, ST_FIELD_BODY);
            memcpy(g.text, "-- ; --", 7);
            g.len = 7;
            para_end(&g, doc, STELE_PARA_TEXT, 0);
        }
        if (d % 5 == 0) {
            para_begin(&g, ST_FIELD_FOOTNOTE);
            add_word(&g, W_FOOT);
            add_word(&g, W_EVERY);
            para_end(&g, doc, STELE_PARA_FOOTNOTE, 1);
        }
    }
    qsort(exp->occ, exp->n_occ, sizeof *exp->occ, occ_cmp);
}

void th_expect_free(th_expect *exp)
{
    free(exp->words);
    free(exp->occ);
    memset(exp, 0, sizeof *exp);
}

uint8_t *th_read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    uint8_t *data = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n == cap) {
            cap = cap ? cap * 2 : 65536;
            uint8_t *p = realloc(data, cap);
            if (!p) {
                free(data);
                fclose(f);
                return NULL;
            }
            data = p;
        }
        size_t got = fread(data + n, 1, cap - n, f);
        n += got;
        if (got == 0) break;
    }
    fclose(f);
    *size = n;
    return data;
}

/* The section table entry i of data, or NULL when the table does not fit. */
static uint8_t *section_entry(uint8_t *data, size_t size, unsigned i)
{
    size_t at = ST_HEADER_FIXED + (size_t)ST_SECTION_ENTRY * i;
    return at + ST_SECTION_ENTRY <= size ? data + at : NULL;
}

static void fix_header_crc(uint8_t *data, size_t size)
{
    if (size < ST_H_HEADER_BYTES + 4) return;
    uint32_t hb = st_get32(data + ST_H_HEADER_BYTES);
    if (hb >= ST_H_CRC + 4 && hb <= size) {
        st_put32(data + ST_H_CRC, 0);
        st_put32(data + ST_H_CRC, (uint32_t)crc32(crc32(0L, Z_NULL, 0), data, hb));
    }
}

/* Recomputes section i's CRC when at is inside it (every section when at
 * is SIZE_MAX). */
static void fix_section_crc(uint8_t *data, size_t size, unsigned i, size_t at)
{
    uint8_t *e = section_entry(data, size, i);
    if (!e) return;
    uint32_t off = st_get32(e + 4), len = st_get32(e + 8);
    if ((uint64_t)off + len > size) return;
    if (at == SIZE_MAX || (at >= off && at - off < len))
        st_put32(e + 12, (uint32_t)crc32(crc32(0L, Z_NULL, 0), data + off, len));
}

void th_fix_crcs(uint8_t *data, size_t size, size_t at)
{
    for (unsigned i = 0; i < ST_N_SECTIONS; i++)
        fix_section_crc(data, size, i, at);
    fix_header_crc(data, size);
}

void th_fix_all_crcs(uint8_t *data, size_t size)
{
    th_fix_crcs(data, size, SIZE_MAX);
}
