/*
 * refmodel.c: the brute-force reference model of an index (see
 * refmodel.h).  Nothing here is clever on purpose: lengths are counted,
 * dfs are counted, positions are found by binary search in a per-document
 * sorted token array.  It must agree with the runtime by construction of
 * the design, not by sharing its code.
 */
#include "refmodel.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "reader.h"

static uint32_t hash_bytes(const char *s, size_t len)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++) {
        h ^= (uint8_t)s[i];
        h *= 16777619u;
    }
    return h;
}

static uint32_t strtab_find(const rm_strtab *t, const char *s, size_t len)
{
    if (t->n_slots == 0) return RM_NONE;
    uint32_t i = hash_bytes(s, len) & (t->n_slots - 1);
    while (t->slot[i]) {
        const char *k = t->str[t->slot[i] - 1];
        if (strlen(k) == len && memcmp(k, s, len) == 0) return t->slot[i] - 1;
        i = (i + 1) & (t->n_slots - 1);
    }
    return RM_NONE;
}

static int strtab_grow(rm_strtab *t)
{
    uint32_t n_slots = t->n_slots ? t->n_slots * 2 : 1024;
    uint32_t *slot = calloc(n_slots, sizeof *slot);
    if (!slot) return -1;
    for (uint32_t id = 0; id < t->n; id++) {
        uint32_t i = hash_bytes(t->str[id], strlen(t->str[id])) & (n_slots - 1);
        while (slot[i])
            i = (i + 1) & (n_slots - 1);
        slot[i] = id + 1;
    }
    free(t->slot);
    t->slot = slot;
    t->n_slots = n_slots;
    return 0;
}

/* Id of s, interned if new; RM_NONE on allocation failure. */
static uint32_t strtab_intern(rm_strtab *t, const char *s, size_t len, int *is_new)
{
    *is_new = 0;
    uint32_t id = strtab_find(t, s, len);
    if (id != RM_NONE) return id;
    if ((t->n + 1) * 2 > t->n_slots && strtab_grow(t) != 0) return RM_NONE;
    if (t->n == t->cap) {
        uint32_t cap = t->cap ? t->cap * 2 : 1024;
        char **str = realloc(t->str, cap * sizeof *str);
        if (!str) return RM_NONE;
        t->str = str;
        t->cap = cap;
    }
    char *copy = malloc(len + 1);
    if (!copy) return RM_NONE;
    memcpy(copy, s, len);
    copy[len] = '\0';
    id = t->n++;
    t->str[id] = copy;
    uint32_t i = hash_bytes(s, len) & (t->n_slots - 1);
    while (t->slot[i])
        i = (i + 1) & (t->n_slots - 1);
    t->slot[i] = id + 1;
    *is_new = 1;
    return id;
}

static void strtab_free(rm_strtab *t)
{
    for (uint32_t i = 0; i < t->n; i++)
        free(t->str[i]);
    free(t->str);
    free(t->slot);
    memset(t, 0, sizeof *t);
}

/* Grows an array of n elements of size sz to hold n + 1. */
static int grow(void **arr, size_t *cap, size_t n, size_t sz)
{
    if (n < *cap) return 0;
    size_t c = *cap ? *cap * 2 : 256;
    void *p = realloc(*arr, c * sz);
    if (!p) return -1;
    *arr = p;
    *cap = c;
    return 0;
}

static const rm_doc *sort_doc; /* qsort has no context argument */

static int cmp_by_term(const void *a, const void *b)
{
    const rm_tok *x = &sort_doc->toks[*(const uint32_t *)a];
    const rm_tok *y = &sort_doc->toks[*(const uint32_t *)b];
    if (x->term != y->term) return x->term < y->term ? -1 : 1;
    return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static const rm_model *sort_model;

static int cmp_term_text(const void *a, const void *b)
{
    const char *x = sort_model->terms.str[*(const uint32_t *)a];
    const char *y = sort_model->terms.str[*(const uint32_t *)b];
    return strcmp(x, y);
}

/* Adds one surface word's bookkeeping, growing the parallel arrays. */
static int note_surface(rm_model *m, uint32_t sid, int is_new, const st_token *tok, uint32_t term,
                        const char *text, uint32_t doc, size_t *cap)
{
    if (is_new) {
        if (m->surfaces.n > *cap) {
            size_t c = m->surfaces.cap;
            uint32_t *cnt = realloc(m->surf_count, c * sizeof *cnt);
            if (cnt) m->surf_count = cnt;
            uint8_t *kind = realloc(m->surf_kind, c);
            if (kind) m->surf_kind = kind;
            uint8_t *ok = realloc(m->surf_ok, c);
            if (ok) m->surf_ok = ok;
            uint32_t *st = realloc(m->surf_term, c * sizeof *st);
            if (st) m->surf_term = st;
            char **orig = realloc(m->surf_orig, c * sizeof *orig);
            if (orig) m->surf_orig = orig;
            uint32_t *sdf = realloc(m->surf_df, c * sizeof *sdf);
            if (sdf) m->surf_df = sdf;
            uint32_t *slast = realloc(m->surf_last, c * sizeof *slast);
            if (slast) m->surf_last = slast;
            if (!cnt || !kind || !ok || !st || !orig || !sdf || !slast) return -1;
            *cap = c;
        }
        m->surf_count[sid] = 0;
        m->surf_df[sid] = 0;
        m->surf_last[sid] = 0;
        m->surf_kind[sid] = tok->kind;
        m->surf_term[sid] = term;
        m->surf_ok[sid] = 0;
        size_t len = tok->end - tok->start;
        m->surf_orig[sid] = malloc(len + 1);
        if (!m->surf_orig[sid]) return -1;
        memcpy(m->surf_orig[sid], text + tok->start, len);
        m->surf_orig[sid][len] = '\0';
    }
    m->surf_count[sid]++;
    if (m->surf_last[sid] != doc + 1) {
        m->surf_last[sid] = doc + 1;
        m->surf_df[sid]++;
    }
    return 0;
}

int rm_build(rm_model *m, const st_corpus *c, stele_stem_fn stem, void *stem_ctx)
{
    memset(m, 0, sizeof *m);
    m->corpus = c;
    m->stem = stem;
    m->stem_ctx = stem_ctx;
    m->n_docs = (uint32_t)c->n_docs;
    m->n_fields = (unsigned)c->n_fields;
    m->k1 = 1.2;
    m->b = 0.75;
    for (unsigned f = 0; f < STELE_MAX_FIELDS; f++)
        m->weight[f] = 1.0;
    m->weight[ST_FIELD_TITLE] = 2.0;
    m->weight[ST_FIELD_FOOTNOTE] = 0.5;
    m->docs = calloc(c->n_docs ? c->n_docs : 1, sizeof *m->docs);
    if (!m->docs) return -1;
    size_t surf_cap = 0, df_cap = 0;
    uint32_t *last_doc = NULL; /* per term: last doc counted, + 1 */
    uint32_t(*last_field)[STELE_MAX_FIELDS] = NULL;
    for (uint32_t d = 0; d < m->n_docs; d++) {
        const st_doc *sd = &c->docs[d];
        rm_doc *rd = &m->docs[d];
        size_t tok_cap = 0;
        rd->paras = calloc(sd->n_paras ? sd->n_paras : 1, sizeof *rd->paras);
        if (!rd->paras) return -1;
        rd->n_paras = (uint32_t)sd->n_paras;
        /* A paragraph that follows earlier tokens starts at the last
         * position + 2; an empty paragraph takes no position. */
        uint32_t last = 0, next = 0;
        int any = 0;
        for (uint32_t p = 0; p < sd->n_paras; p++) {
            const st_para *sp = &sd->paras[p];
            rm_para *rp = &rd->paras[p];
            rp->first_pos = any ? last + 2 : 0;
            next = rp->first_pos;
            rp->field = sp->field;
            rp->kind = sp->kind;
            rp->number = sp->number;
            st_tokenizer tz;
            st_token tok;
            st_tokenizer_init(&tz, sp->text, sp->len);
            while (st_tokenizer_next(&tz, &tok)) {
                char term[STELE_MAX_TERM_BYTES + 1];
                size_t tlen = st_token_term(&tok, stem, stem_ctx, term);
                int is_new;
                uint32_t tid = strtab_intern(&m->terms, term, tlen, &is_new);
                if (tid == RM_NONE) return -1;
                if (is_new) {
                    while (m->terms.n > df_cap) {
                        size_t ncap = df_cap ? df_cap * 2 : 1024;
                        uint32_t *df = realloc(m->df, ncap * sizeof *df);
                        if (df) m->df = df;
                        void *dff = realloc((void *)m->df_field, ncap * sizeof *m->df_field);
                        if (dff) m->df_field = dff;
                        uint32_t *ld = realloc(last_doc, ncap * sizeof *ld);
                        if (ld) last_doc = ld;
                        void *lf = realloc((void *)last_field, ncap * sizeof *last_field);
                        if (lf) last_field = lf;
                        if (!df || !dff || !ld || !lf) return -1;
                        df_cap = ncap;
                    }
                    m->df[tid] = 0;
                    memset(m->df_field[tid], 0, sizeof m->df_field[tid]);
                    last_doc[tid] = 0;
                    memset(last_field[tid], 0, sizeof last_field[tid]);
                }
                if (last_doc[tid] != d + 1) {
                    last_doc[tid] = d + 1;
                    m->df[tid]++;
                }
                if (last_field[tid][sp->field] != d + 1) {
                    last_field[tid][sp->field] = d + 1;
                    m->df_field[tid][sp->field]++;
                }
                uint32_t sid = strtab_intern(&m->surfaces, tok.term, tok.len, &is_new);
                if (sid == RM_NONE ||
                    note_surface(m, sid, is_new, &tok, tid, sp->text, d, &surf_cap) != 0)
                    return -1;
                if (grow((void **)&rd->toks, &tok_cap, rd->n_toks, sizeof *rd->toks) != 0)
                    return -1;
                rm_tok *t = &rd->toks[rd->n_toks++];
                t->term = tid;
                t->surface = sid;
                t->pos = next++;
                last = t->pos;
                any = 1;
                t->para = p;
                t->field = sp->field;
                rp->n_tokens++;
                rd->len[sp->field]++;
            }
        }
        for (unsigned f = 0; f < STELE_MAX_FIELDS; f++) {
            rd->norm_len[f] = st_norm_decode(st_norm_encode(rd->len[f]));
            m->total[f] += rd->len[f];
        }
        rd->by_term = malloc((rd->n_toks ? rd->n_toks : 1) * sizeof *rd->by_term);
        if (!rd->by_term) return -1;
        for (size_t i = 0; i < rd->n_toks; i++)
            rd->by_term[i] = (uint32_t)i;
        sort_doc = rd;
        qsort(rd->by_term, rd->n_toks, sizeof *rd->by_term, cmp_by_term);
    }
    free(last_doc);
    free(last_field);
    for (unsigned f = 0; f < STELE_MAX_FIELDS; f++)
        m->avg[f] = m->n_docs ? (double)m->total[f] / m->n_docs : 0.0;
    m->sorted = malloc((m->terms.n ? m->terms.n : 1) * sizeof *m->sorted);
    if (!m->sorted) return -1;
    for (uint32_t i = 0; i < m->terms.n; i++)
        m->sorted[i] = i;
    sort_model = m;
    qsort(m->sorted, m->terms.n, sizeof *m->sorted, cmp_term_text);
    /* A surface word is usable in a query when, alone, it analyses to the
     * same single term it had in the text. */
    for (uint32_t s = 0; s < m->surfaces.n; s++) {
        uint32_t term;
        m->surf_ok[s] = rm_word_term(m, m->surfaces.str[s], &term) == 0 && term == m->surf_term[s];
        /* The spelling as written must also be one word of the query
         * language: no syntax characters, not an operator. */
        const char *o = m->surf_orig[s];
        if (!m->surf_ok[s] || strlen(o) > STELE_MAX_TERM_BYTES || strpbrk(o, "\"():*,") ||
            o[0] == '-' || strcmp(o, "OR") == 0 || strcmp(o, "NOT") == 0 ||
            strncmp(o, "NEAR", 4) == 0 || strstr(o, "\xe2\x80\x9c") || strstr(o, "\xe2\x80\x9d") ||
            rm_word_term(m, o, &term) != 0 || term != m->surf_term[s]) {
            free(m->surf_orig[s]);
            m->surf_orig[s] = NULL;
        }
    }
    return 0;
}

void rm_free(rm_model *m)
{
    for (uint32_t d = 0; d < m->n_docs && m->docs; d++) {
        free(m->docs[d].toks);
        free(m->docs[d].by_term);
        free(m->docs[d].paras);
    }
    free(m->docs);
    for (uint32_t s = 0; s < m->surfaces.n && m->surf_orig; s++)
        free(m->surf_orig[s]);
    free(m->surf_orig);
    strtab_free(&m->terms);
    strtab_free(&m->surfaces);
    free(m->df);
    free((void *)m->df_field);
    free(m->sorted);
    free(m->surf_count);
    free(m->surf_kind);
    free(m->surf_ok);
    free(m->surf_term);
    free(m->surf_df);
    free(m->surf_last);
    memset(m, 0, sizeof *m);
}

uint32_t rm_term_id(const rm_model *m, const char *term, size_t len)
{
    return strtab_find(&m->terms, term, len);
}

int rm_word_term(const rm_model *m, const char *word, uint32_t *term)
{
    st_tokenizer tz;
    st_token tok;
    st_tokenizer_init(&tz, word, strlen(word));
    if (!st_tokenizer_next(&tz, &tok)) return -1;
    char buf[STELE_MAX_TERM_BYTES + 1];
    size_t len = st_token_term(&tok, m->stem, m->stem_ctx, buf);
    st_token extra;
    if (st_tokenizer_next(&tz, &extra)) return -1;
    *term = rm_term_id(m, buf, len);
    return 0;
}

/* First index in by_term with term >= t. */
static size_t lower_bound(const rm_doc *d, uint32_t t)
{
    size_t lo = 0, hi = d->n_toks;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (d->toks[d->by_term[mid]].term < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

size_t rm_positions(const rm_model *m, uint32_t doc, uint32_t term, int field, uint32_t *pos,
                    size_t cap)
{
    if (term == RM_NONE) return 0;
    const rm_doc *d = &m->docs[doc];
    size_t n = 0;
    for (size_t i = lower_bound(d, term); i < d->n_toks; i++) {
        const rm_tok *t = &d->toks[d->by_term[i]];
        if (t->term != term) break;
        if (field >= 0 && t->field != field) continue;
        if (n < cap) pos[n] = t->pos;
        n++;
    }
    return n;
}

/* Index in toks of the token at pos, or -1. */
static long tok_at(const rm_doc *d, uint32_t pos)
{
    size_t lo = 0, hi = d->n_toks;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (d->toks[mid].pos < pos)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < d->n_toks && d->toks[lo].pos == pos ? (long)lo : -1;
}

int rm_field_at(const rm_model *m, uint32_t doc, uint32_t pos)
{
    long i = tok_at(&m->docs[doc], pos);
    return i < 0 ? -1 : m->docs[doc].toks[i].field;
}

uint32_t rm_term_at(const rm_model *m, uint32_t doc, uint32_t pos)
{
    long i = tok_at(&m->docs[doc], pos);
    return i < 0 ? RM_NONE : m->docs[doc].toks[i].term;
}

double rm_idf(const rm_model *m, uint32_t term, int field)
{
    double df = term == RM_NONE ? 0 : field < 0 ? m->df[term] : m->df_field[term][field];
    return log(1.0 + ((double)m->n_docs - df + 0.5) / (df + 0.5));
}

double rm_bm25(const rm_model *m, uint32_t doc, const uint32_t tf[STELE_MAX_FIELDS], double idf)
{
    double tfw = 0.0;
    for (unsigned f = 0; f < m->n_fields; f++) {
        if (tf[f] == 0 || m->avg[f] == 0.0) continue;
        tfw += m->weight[f] * tf[f] / (1.0 - m->b + m->b * m->docs[doc].norm_len[f] / m->avg[f]);
    }
    if (tfw == 0.0) return 0.0;
    return idf * tfw * (m->k1 + 1.0) / (m->k1 + tfw);
}

void rm_prefix_range(const rm_model *m, const char *prefix, size_t len, uint32_t *lo, uint32_t *hi)
{
    uint32_t a = 0, b = m->terms.n;
    while (a < b) {
        uint32_t mid = a + (b - a) / 2;
        if (strncmp(m->terms.str[m->sorted[mid]], prefix, len) < 0)
            a = mid + 1;
        else
            b = mid;
    }
    *lo = a;
    uint32_t e = a;
    while (e < m->terms.n && strncmp(m->terms.str[m->sorted[e]], prefix, len) == 0)
        e++;
    *hi = e;
}
