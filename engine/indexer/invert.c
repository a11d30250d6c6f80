/*
 * invert.c: analysis and inversion, the heart of the index writer.
 *
 * Pass 1 walks the documents in order.  Each paragraph's text goes through
 * the shared tokenizer (analyze.h) and st_token_term(), so the index holds
 * exactly the terms a query will look up.  Positions follow format.h: one
 * left out before each paragraph that follows earlier tokens; a paragraph
 * without tokens takes none.  Every token becomes an occurrence
 * (term id, field, doc, position); terms are interned in a hash table.
 * The pass also writes the paragraph streams and computes field lengths
 * (norm bytes) and per-field token totals.
 *
 * Pass 2 gives terms their rank in byte order, sorts the occurrences by
 * (rank, field, doc, position) and emits, term by term, the front-coded
 * dictionary entry and one postings list and positions stream per field.
 * Everything is a pure function of the corpus and the stemmer, so the same
 * input gives the same bytes.
 *
 * Pass 1 also interns every word token's folded, unstemmed form (its
 * surface form) in a second table, with the term it was indexed as and
 * the number of documents that hold it; after pass 2 has ranked the terms
 * these become the LEXICON section (write_lexicon).
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "format.h"
#include "reader.h"
#include "writer.h"

typedef struct occ {
    uint32_t term, doc, pos;
    uint32_t field;
} occ;

typedef struct term_table {
    uint32_t *slots; /* term id + 1; 0 = empty */
    size_t n_slots;
    st_buf chars;
    uint32_t *off; /* term id -> offset in chars */
    uint8_t *len;  /* term id -> length */
    size_t n, cap;
} term_table;

static uint32_t hash_bytes(const char *s, size_t n)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < n; i++)
        h = (h ^ (uint8_t)s[i]) * 16777619u;
    return h;
}

static int table_grow(term_table *t)
{
    size_t n_slots = t->n_slots ? t->n_slots * 2 : 4096;
    uint32_t *slots = calloc(n_slots, sizeof *slots);
    if (!slots) return STELE_ENOMEM;
    for (size_t i = 0; i < t->n_slots; i++) {
        uint32_t id = t->slots[i];
        if (!id) continue;
        size_t s = hash_bytes((const char *)t->chars.data + t->off[id - 1], t->len[id - 1]) &
                   (n_slots - 1);
        while (slots[s])
            s = (s + 1) & (n_slots - 1);
        slots[s] = id;
    }
    free(t->slots);
    t->slots = slots;
    t->n_slots = n_slots;
    return STELE_OK;
}

/* The id of term (s, n), adding it if new. */
static int table_intern(term_table *t, const char *s, size_t n, uint32_t *id)
{
    if ((t->n + 1) * 2 > t->n_slots && table_grow(t)) return STELE_ENOMEM;
    size_t slot = hash_bytes(s, n) & (t->n_slots - 1);
    for (;; slot = (slot + 1) & (t->n_slots - 1)) {
        uint32_t e = t->slots[slot];
        if (!e) break;
        if (t->len[e - 1] == n && memcmp(t->chars.data + t->off[e - 1], s, n) == 0) {
            *id = e - 1;
            return STELE_OK;
        }
    }
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 4096;
        uint32_t *off = realloc(t->off, cap * sizeof *off);
        if (!off) return STELE_ENOMEM;
        t->off = off;
        uint8_t *len = realloc(t->len, cap);
        if (!len) return STELE_ENOMEM;
        t->len = len;
        t->cap = cap;
    }
    if (t->chars.len > UINT32_MAX - n || t->n >= UINT32_MAX - 1) return STELE_ENOMEM;
    t->off[t->n] = (uint32_t)t->chars.len;
    t->len[t->n] = (uint8_t)n;
    if (st_buf_put(&t->chars, s, n)) return STELE_ENOMEM;
    t->slots[slot] = (uint32_t)t->n + 1;
    *id = (uint32_t)t->n++;
    return STELE_OK;
}

static void table_free(term_table *t)
{
    free(t->slots);
    free(t->off);
    free(t->len);
    st_buf_free(&t->chars);
}

/* Surface forms: a term table of the folded words, and per word the term
 * id it was indexed as, its document count and the last document that
 * counted (so a document counts once). */
typedef struct surface_table {
    term_table words;
    uint32_t *term, *df, *last_doc;
    size_t cap;
} surface_table;

static int surface_add(surface_table *s, const char *w, size_t n, uint32_t term, uint32_t doc)
{
    uint32_t id;
    size_t before = s->words.n;
    if (table_intern(&s->words, w, n, &id)) return STELE_ENOMEM;
    if (s->words.n > before) {
        if (s->words.n > s->cap) {
            size_t cap = s->cap ? s->cap * 2 : 4096;
            uint32_t *t = realloc(s->term, cap * sizeof *t);
            if (!t) return STELE_ENOMEM;
            s->term = t;
            uint32_t *d = realloc(s->df, cap * sizeof *d);
            if (!d) return STELE_ENOMEM;
            s->df = d;
            uint32_t *l = realloc(s->last_doc, cap * sizeof *l);
            if (!l) return STELE_ENOMEM;
            s->last_doc = l;
            s->cap = cap;
        }
        s->term[id] = term;
        s->df[id] = 0;
        s->last_doc[id] = UINT32_MAX;
    }
    if (s->last_doc[id] != doc) {
        s->last_doc[id] = doc;
        s->df[id]++;
    }
    return STELE_OK;
}

/* Adds df documents of word w, indexed as term, to s (merging the tables
 * of parts that analysed other documents). */
static int surface_take(surface_table *s, const char *w, size_t n, uint32_t term, uint32_t df)
{
    uint32_t id;
    if (surface_add(s, w, n, term, UINT32_MAX - 1)) return STELE_ENOMEM;
    if (table_intern(&s->words, w, n, &id)) return STELE_ENOMEM; /* found: no growth */
    s->df[id] += df - 1;          /* surface_add counted one document */
    s->last_doc[id] = UINT32_MAX; /* so the next part's count adds too */
    return STELE_OK;
}

static void surface_free(surface_table *s)
{
    table_free(&s->words);
    free(s->term);
    free(s->df);
    free(s->last_doc);
}

/* A growable array of occurrences.  With a limit, it never grows past
 * limit entries: when full it calls spill(spill_ctx), which writes the
 * entries out as a run and empties it. */
typedef struct occ_vec {
    occ *v;
    size_t n, cap;
    size_t limit; /* 0: none */
    int (*spill)(void *ctx);
    void *spill_ctx;
} occ_vec;

static int occ_push(occ_vec *o, uint32_t term, uint32_t field, uint32_t doc, uint32_t pos)
{
    if (o->n == o->limit && o->limit && o->spill) {
        int rc = o->spill(o->spill_ctx);
        if (rc) return rc;
    }
    if (o->n == o->cap) {
        size_t cap = o->cap ? o->cap * 2 : 65536;
        if (o->limit && cap > o->limit) cap = o->limit;
        if (cap > SIZE_MAX / sizeof(occ)) return STELE_ENOMEM;
        occ *v = realloc(o->v, cap * sizeof *v);
        if (!v) return STELE_ENOMEM;
        o->v = v;
        o->cap = cap;
    }
    o->v[o->n++] = (occ){term, doc, pos, field};
    return STELE_OK;
}

/* Pass 1 for one document: occurrences, paragraph stream, norms. */
static int analyse_doc(const st_corpus *c, uint32_t d, stele_stem_fn stem, void *stem_ctx,
                       term_table *terms, surface_table *surf, occ_vec *occs, st_buf *text,
                       st_invert_out *out, char *err, size_t err_cap)
{
    const st_doc *doc = &c->docs[d];
    const st_para *paras;
    int read_rc = st_doc_paras(c, doc, text, &paras);
    if (read_rc)
        return st_build_error(err, err_cap, read_rc, "%s",
                              read_rc == STELE_EIO ? "cannot read the scratch file"
                                                   : "out of memory");
    st_doc_out *dout = &out->docs[d];
    uint64_t field_len[STELE_MAX_FIELDS] = {0};
    uint64_t next_pos = 0, text_off = 0;
    int emitted = 0, rc = STELE_OK;
    if (out->paras.len > UINT32_MAX || doc->n_paras > UINT32_MAX / 4)
        return st_build_error(err, err_cap, STELE_EINPUT, "too many paragraphs");
    dout->para_off = (uint32_t)out->paras.len;
    /* The entries go to ent, the skip entries to skips; both follow the
     * stream's head once the text length is known. */
    st_buf ent = {0}, skips = {0};
    for (size_t i = 0; i < doc->n_paras; i++) {
        const st_para *para = &paras[i];
        if (para->field >= c->n_fields || para->kind > STELE_PARA_FIELD) {
            rc = st_build_error(err, err_cap, STELE_EINPUT,
                                "document %s: paragraph %zu has a bad field or kind",
                                doc->id ? doc->id : "?", i);
            goto done;
        }
        uint64_t first = emitted ? next_pos + 1 : next_pos, at = first;
        if (i > 0 && i % ST_PARA_SKIP == 0) {
            st_buf_u32(&skips, (uint32_t)ent.len);
            st_buf_u32(&skips, (uint32_t)first);
            st_buf_u32(&skips, (uint32_t)text_off);
        }
        st_tokenizer tz;
        st_token tok;
        st_tokenizer_init(&tz, para->text, para->len);
        while (st_tokenizer_next(&tz, &tok)) {
            char term[STELE_MAX_TERM_BYTES + 1];
            size_t n = st_token_term(&tok, stem, stem_ctx, term);
            if (n == 0 || n > STELE_MAX_TERM_BYTES) continue;
            uint32_t id;
            if (at >= UINT32_MAX - 2) {
                rc = st_build_error(err, err_cap, STELE_EINPUT, "document %s is too long",
                                    doc->id ? doc->id : "?");
                goto done;
            }
            if (table_intern(terms, term, n, &id) ||
                (tok.kind == ST_TOK_WORD &&
                 surface_add(surf, tok.term,
                             tok.len > STELE_MAX_TERM_BYTES ? STELE_MAX_TERM_BYTES : tok.len, id,
                             d))) {
                rc = st_build_error(err, err_cap, STELE_ENOMEM, "out of memory");
                goto done;
            }
            if ((rc = occ_push(occs, id, para->field, d, (uint32_t)at)) != 0) {
                rc = st_build_error(err, err_cap, rc, "%s",
                                    rc == STELE_EIO ? "cannot write the scratch file"
                                                    : "out of memory");
                goto done;
            }
            at++;
        }
        out->n_invalid += tz.n_invalid;
        uint64_t n_tokens = at - first;
        if (n_tokens) {
            next_pos = at;
            emitted = 1;
        }
        field_len[para->field] += n_tokens;
        out->field_tokens[para->field] += n_tokens;
        out->n_tokens += n_tokens;
        if (para->len > UINT32_MAX || text_off + para->len > UINT32_MAX ||
            ent.len > UINT32_MAX - 32) {
            rc = st_build_error(err, err_cap, STELE_EINPUT, "document %s is too long",
                                doc->id ? doc->id : "?");
            goto done;
        }
        /* Entry: field, kind and "has a number" in one byte (see format.h). */
        st_buf_u8(&ent, (uint8_t)(para->field | para->kind << 3 | (para->number != 0) << 6));
        if (para->number) st_buf_varint(&ent, para->number);
        st_buf_varint(&ent, n_tokens);
        st_buf_varint(&ent, para->len);
        text_off += para->len + 1;
    }
    dout->text_len = doc->n_paras ? (uint32_t)(text_off - 1) : 0;
    if (emitted && next_pos > out->max_pos_limit) out->max_pos_limit = (uint32_t)next_pos;
    size_t id_len = doc->id ? strlen(doc->id) : 0, title_len = doc->title ? strlen(doc->title) : 0;
    if (id_len > UINT32_MAX || title_len > UINT32_MAX) {
        rc = st_build_error(err, err_cap, STELE_EINPUT, "document metadata too long");
        goto done;
    }
    st_buf_varint(&out->paras, id_len);
    st_buf_varint(&out->paras, title_len);
    st_buf_varint(&out->paras, dout->text_len);
    st_buf_varint(&out->paras, doc->n_paras);
    st_buf_put(&out->paras, skips.data, skips.len);
    st_buf_put(&out->paras, ent.data, ent.len);
    if (ent.failed || skips.failed || out->paras.failed)
        rc = st_build_error(err, err_cap, STELE_ENOMEM, "out of memory");
    for (unsigned f = 0; f < c->n_fields; f++)
        dout->norm[f] =
            st_norm_encode(field_len[f] > UINT32_MAX ? UINT32_MAX : (uint32_t)field_len[f]);
done:
    st_buf_free(&ent);
    st_buf_free(&skips);
    return rc;
}

typedef struct term_ref {
    const char *s;
    uint32_t len, id;
} term_ref;

static int term_ref_cmp(const void *a, const void *b)
{
    const term_ref *x = a, *y = b;
    int r = memcmp(x->s, y->s, x->len < y->len ? x->len : y->len);
    if (r) return r;
    return (x->len > y->len) - (x->len < y->len);
}

static int occ_cmp(const void *a, const void *b)
{
    const occ *x = a, *y = b;
    if (x->term != y->term) return x->term < y->term ? -1 : 1;
    if (x->field != y->field) return x->field < y->field ? -1 : 1;
    if (x->doc != y->doc) return x->doc < y->doc ? -1 : 1;
    return (x->pos > y->pos) - (x->pos < y->pos);
}

/*
 * Writes the postings list and positions of one (term, field) group of
 * sorted occurrences g[0, n) holding df documents.
 */
static int write_list(st_invert_out *out, const occ *g, size_t n, uint32_t df, uint32_t field,
                      uint32_t n_docs, uint32_t *docs, uint32_t *tfs)
{
    /* the field's average length as the reader computes it (reader.c) */
    double avg = n_docs ? (double)out->field_tokens[field] / n_docs : 0.0;
    st_buf *pb = &out->postings, *qb = &out->positions;
    size_t list_start = pb->len, pos_start = qb->len;
    uint32_t n_blocks = (df + ST_BLOCK - 1) / ST_BLOCK;
    /* Documents and tfs of the list. */
    uint32_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (i == 0 || g[i].doc != g[i - 1].doc) {
            docs[k] = g[i].doc;
            tfs[k++] = 0;
        }
        tfs[k - 1]++;
    }
    if (n_blocks > 1 && st_buf_zeros(pb, (size_t)n_blocks * ST_SKIP_REC)) return STELE_ENOMEM;
    size_t occ_at = 0;
    uint64_t next_doc = 0;
    for (uint32_t b = 0; b < n_blocks; b++) {
        uint32_t first = b * ST_BLOCK, len = df - first < ST_BLOCK ? df - first : ST_BLOCK;
        uint32_t max_tf = 0;
        uint8_t min_norm = 255;
        double max_tfn = 0;
        for (uint32_t i = first; i < first + len; i++) {
            max_tf = tfs[i] > max_tf ? tfs[i] : max_tf;
            uint8_t norm = out->docs[docs[i]].norm[field];
            min_norm = norm < min_norm ? norm : min_norm;
            if (n_blocks > 1 && avg > 0) {
                double tfn = st_tfn(tfs[i], norm, avg);
                max_tfn = tfn > max_tfn ? tfn : max_tfn;
            }
        }
        if (max_tf > ST_MAX_TF_SAT) max_tf = ST_MAX_TF_SAT;
        if (n_blocks > 1) {
            if (pb->len - list_start > UINT32_MAX || qb->len - pos_start > UINT32_MAX)
                return STELE_EINPUT;
            uint8_t *e = pb->data + list_start + (size_t)b * ST_SKIP_REC;
            st_put32(e, docs[first + len - 1]);
            st_put32(e + 4, (uint32_t)(pb->len - list_start));
            st_put32(e + 8, (uint32_t)(qb->len - pos_start));
            st_put16(e + 12, (uint16_t)max_tf);
            e[14] = min_norm;
            e[15] = avg > 0 ? st_tfn_code(max_tfn) : 0;
        }
        if (len == ST_BLOCK) {
            uint32_t gaps[ST_BLOCK], tf1[ST_BLOCK];
            for (uint32_t i = 0; i < ST_BLOCK; i++) {
                gaps[i] = (uint32_t)(docs[first + i] - next_doc);
                next_doc = (uint64_t)docs[first + i] + 1;
                tf1[i] = tfs[first + i] - 1;
            }
            unsigned gb = st_bits_needed(gaps, ST_BLOCK), tb = st_bits_needed(tf1, ST_BLOCK);
            st_buf_u8(pb, (uint8_t)gb);
            st_buf_u8(pb, (uint8_t)tb);
            if (st_buf_reserve(pb, 16u * (gb + tb))) return STELE_ENOMEM;
            st_pack128(gaps, gb, pb->data + pb->len);
            st_pack128(tf1, tb, pb->data + pb->len + 16u * gb);
            pb->len += 16u * (gb + tb);
        } else if (len >= ST_POSBLOCK_PACKED) {
            uint32_t gaps[ST_BLOCK], tf1[ST_BLOCK];
            uint8_t coded[ST_POSBLOCK_MAX];
            for (uint32_t i = 0; i < len; i++) {
                gaps[i] = (uint32_t)(docs[first + i] - next_doc);
                next_doc = (uint64_t)docs[first + i] + 1;
                tf1[i] = tfs[first + i] - 1;
            }
            st_buf_put(pb, coded, st_posblock_put(gaps, len, coded));
            st_buf_put(pb, coded, st_posblock_put(tf1, len, coded));
        } else {
            for (uint32_t i = first; i < first + len; i++) {
                uint64_t gap = docs[i] - next_doc;
                next_doc = (uint64_t)docs[i] + 1;
                st_buf_varint(pb, gap << 1 | (tfs[i] == 1));
                if (tfs[i] != 1) st_buf_varint(pb, tfs[i]);
            }
        }
        /* Positions of the block's documents: their deltas in runs of
         * 128 and a last shorter run, each coded by st_posblock_put(). */
        uint32_t deltas[ST_BLOCK], n_deltas = 0;
        uint8_t coded[ST_POSBLOCK_MAX];
        for (uint32_t i = first; i < first + len; i++) {
            uint32_t prev = 0;
            for (uint32_t j = 0; j < tfs[i]; j++, occ_at++) {
                uint32_t pos = g[occ_at].pos;
                deltas[n_deltas++] = j == 0 ? pos : pos - prev;
                prev = pos;
                if (n_deltas == ST_BLOCK) {
                    st_buf_put(qb, coded, st_posblock_put(deltas, ST_BLOCK, coded));
                    n_deltas = 0;
                }
            }
        }
        if (n_deltas) st_buf_put(qb, coded, st_posblock_put(deltas, n_deltas, coded));
    }
    if (pb->failed || qb->failed) return STELE_ENOMEM;
    return STELE_OK;
}

/*
 * A sorted run of occurrences read in order: a part's in-memory tail
 * (already ranked), or a run spilled to the scratch file, read a window at
 * a time into buf and ranked as it is read (rank: the part's term id ->
 * rank).
 */
typedef struct occ_cursor {
    const occ *v; /* the window: v[at, n) are still to be taken */
    size_t n, at;
    occ *buf; /* file runs: the window's storage, buf_cap entries */
    size_t buf_cap;
    uint64_t off; /* file runs: where the records not yet read start */
    size_t left;  /* and how many there are */
    const uint32_t *rank;
    st_spill *spill;
} occ_cursor;

/* The next occurrence of c, or NULL at its end or (*rc set) on a read
 * error. */
static const occ *cursor_peek(occ_cursor *c, int *rc)
{
    if (c->at < c->n) return &c->v[c->at];
    if (c->left == 0) return NULL;
    size_t m = c->left < c->buf_cap ? c->left : c->buf_cap;
    if ((*rc = st_spill_read(c->spill, c->buf, m * sizeof *c->buf, c->off)) != 0) return NULL;
    for (size_t k = 0; k < m; k++)
        c->buf[k].term = c->rank[c->buf[k].term];
    c->off += m * sizeof *c->buf;
    c->left -= m;
    c->v = c->buf;
    c->n = m;
    c->at = 0;
    return &c->v[0];
}

/*
 * The occurrences of term rank r, sorted by (field, doc, position), from
 * the sorted runs (the cursors, in document order: each part's spilled
 * runs, then its in-memory tail, part after part).  The runs hold
 * increasing ranges of documents, so per field their pieces follow one
 * another; with one in-memory run the run itself is returned, no copy.
 */
static int gather_term(occ_cursor *cur, size_t n_cur, unsigned n_fields, uint32_t r,
                       occ_vec *scratch, const occ **g, size_t *n)
{
    if (n_cur == 1 && cur[0].left == 0) {
        size_t j = cur[0].at;
        while (j < cur[0].n && cur[0].v[j].term == r)
            j++;
        *g = cur[0].v + cur[0].at;
        *n = j - cur[0].at;
        cur[0].at = j;
        return STELE_OK;
    }
    int rc = STELE_OK;
    scratch->n = 0;
    for (uint32_t f = 0; f < n_fields; f++)
        for (size_t k = 0; k < n_cur; k++)
            for (;;) {
                const occ *o = cursor_peek(&cur[k], &rc);
                if (rc) return rc;
                if (!o || o->term != r || o->field != f) break;
                /* Take the window's whole piece at once. */
                size_t j = cur[k].at;
                while (j < cur[k].n && cur[k].v[j].term == r && cur[k].v[j].field == f)
                    j++;
                size_t m = j - cur[k].at;
                if (scratch->n + m > scratch->cap) {
                    size_t cap = scratch->cap ? scratch->cap : 4096;
                    while (cap < scratch->n + m)
                        cap *= 2;
                    occ *v = realloc(scratch->v, cap * sizeof *v);
                    if (!v) return STELE_ENOMEM;
                    scratch->v = v;
                    scratch->cap = cap;
                }
                memcpy(scratch->v + scratch->n, cur[k].v + cur[k].at, m * sizeof *scratch->v);
                scratch->n += m;
                cur[k].at = j;
            }
    *g = scratch->v;
    *n = scratch->n;
    return STELE_OK;
}

/* Pass 2: dictionary, postings and positions from the sorted runs. */
static int emit_terms(const term_table *terms, const term_ref *refs, occ_cursor *cur, size_t n_cur,
                      uint32_t n_docs, unsigned n_fields, st_invert_out *out)
{
    occ_vec scratch = {0};
    uint32_t *last_term = malloc((size_t)(n_docs ? n_docs : 1) * sizeof *last_term);
    uint32_t *docs = malloc((size_t)(n_docs ? n_docs : 1) * sizeof *docs);
    uint32_t *tfs = malloc((size_t)(n_docs ? n_docs : 1) * sizeof *tfs);
    int rc = STELE_OK;
    if (!last_term || !docs || !tfs) {
        rc = STELE_ENOMEM;
        goto done;
    }
    memset(last_term, 0xff, (size_t)n_docs * sizeof *last_term);
    const char *prev = NULL;
    uint32_t prev_len = 0;
    for (uint32_t r = 0; r < terms->n; r++) {
        const occ *occs;
        size_t n_occs;
        if ((rc = gather_term(cur, n_cur, n_fields, r, &scratch, &occs, &n_occs)) != 0) goto done;
        if (r % ST_DICT_BLOCK == 0) {
            if (out->dict.len > UINT32_MAX || out->postings.len > UINT32_MAX ||
                out->positions.len > UINT32_MAX) {
                rc = STELE_EINPUT;
                goto done;
            }
            st_buf_u32(&out->dict_index, (uint32_t)out->dict.len);
            st_buf_u32(&out->dict_index, (uint32_t)out->postings.len);
            st_buf_u32(&out->dict_index, (uint32_t)out->positions.len);
            prev_len = 0;
        }
        const term_ref *t = &refs[r];
        uint32_t shared = 0;
        while (shared < prev_len && shared < t->len && prev[shared] == t->s[shared])
            shared++;
        uint32_t suffix = t->len - shared;
        if (shared < 16 && suffix < 16) {
            st_buf_u8(&out->dict, (uint8_t)(shared << 4 | suffix)); /* suffix >= 1 */
        } else {
            st_buf_u8(&out->dict, 0);
            st_buf_varint(&out->dict, shared);
            st_buf_varint(&out->dict, suffix);
        }
        st_buf_put(&out->dict, t->s + shared, t->len - shared);
        prev = t->s;
        prev_len = t->len;
        /* df over all fields, the field mask and each field's df. */
        uint32_t df = 0, mask = 0, df_f[STELE_MAX_FIELDS] = {0};
        for (size_t k = 0; k < n_occs; k++) {
            if (last_term[occs[k].doc] != r) {
                last_term[occs[k].doc] = r;
                df++;
            }
            if (k == 0 || occs[k].field != occs[k - 1].field || occs[k].doc != occs[k - 1].doc)
                df_f[occs[k].field]++;
            mask |= 1u << occs[k].field;
        }
        st_buf_varint(&out->dict, (uint64_t)df << n_fields | mask);
        size_t g = 0;
        for (uint32_t f = 0; f < STELE_MAX_FIELDS; f++) {
            if (!(mask >> f & 1)) continue;
            size_t h = g;
            while (h < n_occs && occs[h].field == f)
                h++;
            size_t p0 = out->postings.len, q0 = out->positions.len;
            if ((rc = write_list(out, occs + g, h - g, df_f[f], f, n_docs, docs, tfs)) != 0)
                goto done;
            if (mask & (mask - 1)) /* more than one field */
                st_buf_varint(&out->dict, df_f[f]);
            /* Lengths the reader can find by decoding are left out. */
            if (df_f[f] >= ST_BLOCK) st_buf_varint(&out->dict, out->postings.len - p0);
            if (df_f[f] >= ST_BLOCK || h - g >= ST_BLOCK)
                st_buf_varint(&out->dict, out->positions.len - q0);
            out->n_postings += df_f[f];
            g = h;
        }
    }
    if (out->dict.failed || out->dict_index.failed) rc = STELE_ENOMEM;
done:
    free(scratch.v);
    free(last_term);
    free(docs);
    free(tfs);
    return rc;
}

/* zigzag: a signed difference as an unsigned vint value. */
static uint64_t zigzag(int64_t v)
{
    return v < 0 ? ((uint64_t)(-(v + 1)) << 1) | 1 : (uint64_t)v << 1;
}

/* The LEXICON section (format.h) from the surface table; rank maps a term
 * id to its dictionary ordinal. */
static int write_lexicon(const surface_table *surf, const uint32_t *rank, st_buf *out)
{
    const term_table *w = &surf->words;
    size_t n = w->n;
    term_ref *refs = malloc((n ? n : 1) * sizeof *refs);
    st_buf blocks = {0};
    int rc = STELE_OK;
    if (!refs) return STELE_ENOMEM;
    if (n > UINT32_MAX) {
        free(refs);
        return STELE_EINPUT;
    }
    for (size_t i = 0; i < n; i++)
        refs[i] = (term_ref){(const char *)w->chars.data + w->off[i], w->len[i], (uint32_t)i};
    if (n) qsort(refs, n, sizeof *refs, term_ref_cmp);
    uint32_t n_blocks = (uint32_t)((n + ST_LEX_BLOCK - 1) / ST_LEX_BLOCK);
    st_buf_u32(out, (uint32_t)n);
    st_buf_u32(out, n_blocks);
    const char *prev = NULL;
    uint32_t prev_len = 0, prev_ord = 0;
    for (size_t i = 0; i < n; i++) {
        const term_ref *t = &refs[i];
        if (i % ST_LEX_BLOCK == 0) {
            if (blocks.len > UINT32_MAX) {
                rc = STELE_EINPUT;
                goto done;
            }
            st_buf_u32(out, (uint32_t)blocks.len);
            prev_len = 0;
            prev_ord = 0;
        }
        uint32_t shared = 0;
        while (shared < prev_len && shared < t->len && prev[shared] == t->s[shared])
            shared++;
        uint32_t suffix = t->len - shared;
        if (shared < 16 && suffix < 16) {
            st_buf_u8(&blocks, (uint8_t)(shared << 4 | suffix));
        } else {
            st_buf_u8(&blocks, 0);
            st_buf_varint(&blocks, shared);
            st_buf_varint(&blocks, suffix);
        }
        st_buf_put(&blocks, t->s + shared, suffix);
        uint32_t ord = rank[surf->term[t->id]];
        st_buf_varint(&blocks, zigzag((int64_t)ord - (int64_t)prev_ord));
        st_buf_varint(&blocks, surf->df[t->id]);
        prev = t->s;
        prev_len = t->len;
        prev_ord = ord;
    }
    st_buf_put(out, blocks.data, blocks.len);
    if (out->failed || blocks.failed) rc = STELE_ENOMEM;
done:
    st_buf_free(&blocks);
    free(refs);
    return rc;
}

/* A run spilled to the scratch file: n occurrences at off, sorted by
 * (term bytes, field, doc, position), with the part's own term ids. */
typedef struct run_ref {
    uint64_t off;
    size_t n;
} run_ref;

/*
 * One part of a parallel inversion: a range of documents analysed with
 * its own term table, occurrences and paragraph streams (out.docs is the
 * shared per-document array, of which the part fills its range).
 */
typedef struct part {
    const st_corpus *c;
    size_t d0, d1;
    stele_stem_fn stem;
    void *stem_ctx;
    term_table terms;
    surface_table surf;
    occ_vec occs;
    st_buf text; /* a spilled document, read back */
    st_spill *spill;
    run_ref *runs; /* the part's spilled runs, in document order */
    size_t n_runs, cap_runs;
    st_invert_out out;
    uint32_t *rank;           /* local term id -> rank, for the sort */
    size_t n_local_terms;     /* entries of rank (parts after the first) */
    atomic_size_t *docs_done; /* over all parts, for progress */
    int emit;                 /* the calling thread's part emits events */
    int rc;
    char err[512];
} part;

/*
 * Spills the part's occurrences as a run: sorted as pass 2 will want them,
 * by the bytes of their terms (ranks are not known yet, but they follow
 * the bytes, so a run sorted so is sorted by rank too), then written out
 * with the part's term ids and the buffer emptied.
 */
static int spill_run(void *ctx)
{
    part *p = ctx;
    const term_table *t = &p->terms;
    occ_vec *o = &p->occs;
    if (p->n_runs == p->cap_runs) {
        size_t cap = p->cap_runs ? p->cap_runs * 2 : 16;
        run_ref *runs = realloc(p->runs, cap * sizeof *runs);
        if (!runs) return STELE_ENOMEM;
        p->runs = runs;
        p->cap_runs = cap;
    }
    term_ref *refs = malloc((t->n ? t->n : 1) * sizeof *refs);
    uint32_t *local_rank = malloc((t->n ? t->n : 1) * sizeof *local_rank);
    if (!refs || !local_rank) {
        free(refs);
        free(local_rank);
        return STELE_ENOMEM;
    }
    for (size_t k = 0; k < t->n; k++)
        refs[k] = (term_ref){(const char *)t->chars.data + t->off[k], t->len[k], (uint32_t)k};
    if (t->n) qsort(refs, t->n, sizeof *refs, term_ref_cmp);
    for (size_t r = 0; r < t->n; r++)
        local_rank[refs[r].id] = (uint32_t)r;
    for (size_t k = 0; k < o->n; k++)
        o->v[k].term = local_rank[o->v[k].term];
    qsort(o->v, o->n, sizeof *o->v, occ_cmp);
    for (size_t k = 0; k < o->n; k++)
        o->v[k].term = refs[o->v[k].term].id;
    free(refs);
    free(local_rank);
    uint64_t off;
    int rc = st_spill_write(p->spill, o->v, o->n * sizeof *o->v, &off);
    if (rc) return rc;
    p->runs[p->n_runs++] = (run_ref){off, o->n};
    o->n = 0;
    return STELE_OK;
}

static void analyse_part(part *p)
{
    for (size_t d = p->d0; d < p->d1; d++) {
        if (p->emit) {
            stele_build_event ev = {
                .kind = STELE_EV_ANALYSE, .done = atomic_load(p->docs_done), .total = p->c->n_docs};
            st_emit(p->c, &ev); /* the front end decides how often to draw */
        }
        p->rc = analyse_doc(p->c, (uint32_t)d, p->stem, p->stem_ctx, &p->terms, &p->surf, &p->occs,
                            &p->text, &p->out, p->err, sizeof p->err);
        if (p->rc) return;
        atomic_fetch_add(p->docs_done, 1);
    }
    st_buf_free(&p->text);
    /* A part that spilled spills its tail as well and frees its buffer,
     * so that pass 2 has the whole occurrence budget for its read
     * windows. */
    if (p->n_runs && p->occs.n && (p->rc = spill_run(p)) != 0) {
        st_build_error(p->err, sizeof p->err, p->rc, "%s",
                       p->rc == STELE_EIO ? "cannot write the scratch file" : "out of memory");
        return;
    }
    if (p->n_runs) {
        free(p->occs.v);
        p->occs.v = NULL;
        p->occs.cap = 0;
    }
}

static void sort_part(part *p)
{
    for (size_t k = 0; k < p->occs.n; k++)
        p->occs.v[k].term = p->rank[p->occs.v[k].term];
    if (p->occs.n) qsort(p->occs.v, p->occs.n, sizeof *p->occs.v, occ_cmp);
}

typedef struct part_call {
    part *p;
    void (*fn)(part *);
} part_call;

static void *part_thread(void *arg)
{
    part_call *call = arg;
    call->fn(call->p);
    return NULL;
}

/* Runs fn on every part: parts 1.. on threads of their own (or here, when
 * a thread cannot be made), part 0 on the calling thread. */
static void run_parts(part *parts, unsigned n, void (*fn)(part *))
{
    pthread_t tid[ST_MAX_THREADS];
    part_call calls[ST_MAX_THREADS];
    int started[ST_MAX_THREADS] = {0};
    for (unsigned k = 1; k < n; k++) {
        calls[k] = (part_call){&parts[k], fn};
        started[k] = pthread_create(&tid[k], NULL, part_thread, &calls[k]) == 0;
    }
    fn(&parts[0]);
    for (unsigned k = 1; k < n; k++)
        if (!started[k]) fn(&parts[k]);
    for (unsigned k = 1; k < n; k++)
        if (started[k]) pthread_join(tid[k], NULL);
}

/* Fewest occurrences a part's buffer holds before it spills, so that a
 * tiny budget makes many runs, not one per token. */
#define MIN_RUN_OCCS 1024

/* Most occurrences a pass-2 read window holds (1 MiB): reading a run in
 * pieces of this size costs one pread() per MiB, and the memory that
 * larger windows would take is better left to the rest of the build. */
#define MAX_WINDOW_OCCS 65536

/* What a document weighs when the documents are cut into parts: the
 * bytes of its paragraphs, each with its separator. */
static uint64_t doc_weight(const st_doc *d)
{
    return d->n_paras ? (uint64_t)st_doc_text_len(d) + 1 : 0;
}

int st_invert(const st_corpus *c, stele_stem_fn stem, void *const *stem_ctx, unsigned n_threads,
              const st_invert_mem *mem, st_invert_out *out, char *err, size_t err_cap)
{
    part parts[ST_MAX_THREADS];
    term_ref *refs = NULL;
    uint32_t *rank = NULL;
    occ_cursor *cur = NULL;
    occ *bufs = NULL;
    atomic_size_t docs_done;
    int rc = STELE_OK;
    memset(out, 0, sizeof *out);
    if (c->n_docs >= UINT32_MAX)
        return st_build_error(err, err_cap, STELE_EINPUT, "too many documents");
    out->docs = calloc(c->n_docs ? c->n_docs : 1, sizeof *out->docs);
    if (!out->docs) return st_build_error(err, err_cap, STELE_ENOMEM, "out of memory");
    /* Parts of about equal text, in document order. */
    unsigned n = n_threads < 1 ? 1 : n_threads > ST_MAX_THREADS ? ST_MAX_THREADS : n_threads;
    if (n > c->n_docs) n = c->n_docs ? (unsigned)c->n_docs : 1;
    uint64_t total = 0, seen = 0;
    for (size_t d = 0; d < c->n_docs; d++)
        total += doc_weight(&c->docs[d]);
    atomic_init(&docs_done, 0);
    memset(parts, 0, n * sizeof *parts);
    size_t d = 0;
    for (unsigned k = 0; k < n; k++) {
        part *p = &parts[k];
        p->c = c;
        p->stem = stem;
        p->stem_ctx = stem_ctx ? stem_ctx[k] : NULL;
        p->out.docs = out->docs;
        p->docs_done = &docs_done;
        p->emit = k == 0;
        if (mem && mem->spill && mem->occ_bytes) {
            size_t limit = mem->occ_bytes / n / sizeof(occ);
            p->occs.limit = limit < MIN_RUN_OCCS ? MIN_RUN_OCCS : limit;
            p->occs.spill = spill_run;
            p->occs.spill_ctx = p;
            p->spill = mem->spill;
        }
        p->d0 = d;
        uint64_t until = total / n * (k + 1);
        while (d < c->n_docs && (k == n - 1 || seen < until)) {
            seen += doc_weight(&c->docs[d]);
            d++;
        }
        p->d1 = d;
    }
    run_parts(parts, n, analyse_part);
    for (unsigned k = 0; k < n; k++)
        if (parts[k].rc) {
            rc = st_build_error(err, err_cap, parts[k].rc, "%s", parts[k].err);
            goto fail;
        }
    /* One dictionary: part 0's table takes the other parts' terms. */
    term_table *terms = &parts[0].terms;
    for (unsigned k = 1; k < n && !rc; k++) {
        part *p = &parts[k];
        p->rank = malloc((p->terms.n ? p->terms.n : 1) * sizeof *p->rank);
        if (!p->rank) rc = STELE_ENOMEM;
        for (size_t t = 0; t < p->terms.n && !rc; t++)
            if (table_intern(terms, (const char *)p->terms.chars.data + p->terms.off[t],
                             p->terms.len[t], &p->rank[t]))
                rc = STELE_ENOMEM;
        p->n_local_terms = p->terms.n;
        table_free(&p->terms);
        memset(&p->terms, 0, sizeof p->terms);
        /* Its surface forms, with their terms' global ids; parts hold
         * other documents, so document counts add up. */
        const term_table *w = &p->surf.words;
        for (size_t t = 0; t < w->n && !rc; t++)
            if (surface_take(&parts[0].surf, (const char *)w->chars.data + w->off[t], w->len[t],
                             p->rank[p->surf.term[t]], p->surf.df[t]))
                rc = STELE_ENOMEM;
        surface_free(&p->surf);
        memset(&p->surf, 0, sizeof p->surf);
    }
    /* The parts' buffers and tables are freed; pass 2 and the sections
     * should not stand on top of them. */
    st_release_memory();
    refs = malloc((terms->n ? terms->n : 1) * sizeof *refs);
    rank = malloc((terms->n ? terms->n : 1) * sizeof *rank);
    if (rc || !refs || !rank) {
        rc = st_build_error(err, err_cap, STELE_ENOMEM, "out of memory");
        goto fail;
    }
    for (size_t t = 0; t < terms->n; t++)
        refs[t] =
            (term_ref){(const char *)terms->chars.data + terms->off[t], terms->len[t], (uint32_t)t};
    if (terms->n) qsort(refs, terms->n, sizeof *refs, term_ref_cmp);
    for (size_t r = 0; r < terms->n; r++)
        rank[refs[r].id] = (uint32_t)r;
    parts[0].rank = rank;
    for (unsigned k = 1; k < n; k++) /* global ids -> ranks */
        for (size_t t = 0; t < parts[k].n_local_terms; t++)
            parts[k].rank[t] = rank[parts[k].rank[t]];
    run_parts(parts, n, sort_part);
    /* The parts' counts and paragraph streams, in document order. */
    for (unsigned k = 0; k < n; k++) {
        part *p = &parts[k];
        size_t base = out->paras.len;
        if (base + p->out.paras.len > UINT32_MAX) {
            rc = st_build_error(err, err_cap, STELE_EINPUT, "too many paragraphs");
            goto fail;
        }
        st_buf_put(&out->paras, p->out.paras.data, p->out.paras.len);
        st_buf_free(&p->out.paras);
        for (size_t x = p->d0; x < p->d1; x++)
            out->docs[x].para_off += (uint32_t)base;
        for (unsigned f = 0; f < STELE_MAX_FIELDS; f++)
            out->field_tokens[f] += p->out.field_tokens[f];
        out->n_tokens += p->out.n_tokens;
        out->n_invalid += p->out.n_invalid;
        if (p->out.max_pos_limit > out->max_pos_limit) out->max_pos_limit = p->out.max_pos_limit;
    }
    /* The runs in document order: each part's spilled runs, then its
     * tail; the spilled ones share the occurrence budget for their read
     * windows, up to MAX_WINDOW_OCCS each. */
    size_t n_cur = 0, n_file = 0;
    for (unsigned k = 0; k < n; k++)
        n_file += parts[k].n_runs;
    size_t window = n_file ? mem->occ_bytes / sizeof(occ) / n_file : 0;
    if (window < MIN_RUN_OCCS) window = MIN_RUN_OCCS;
    if (window > MAX_WINDOW_OCCS) window = MAX_WINDOW_OCCS;
    cur = calloc(n_file + n, sizeof *cur);
    if (n_file) bufs = malloc(n_file * window * sizeof *bufs);
    if (!cur || (n_file && !bufs)) {
        rc = st_build_error(err, err_cap, STELE_ENOMEM, "out of memory");
        goto fail;
    }
    for (unsigned k = 0, b = 0; k < n; k++) {
        part *p = &parts[k];
        for (size_t i = 0; i < p->n_runs; i++, b++)
            cur[n_cur++] = (occ_cursor){.buf = bufs + (size_t)b * window,
                                        .buf_cap = window,
                                        .off = p->runs[i].off,
                                        .left = p->runs[i].n,
                                        .rank = p->rank,
                                        .spill = p->spill};
        if (p->occs.n) cur[n_cur++] = (occ_cursor){.v = p->occs.v, .n = p->occs.n};
    }
    out->n_terms = terms->n;
    rc = emit_terms(terms, refs, cur, n_cur, (uint32_t)c->n_docs, (unsigned)c->n_fields, out);
    if (rc)
        rc = st_build_error(err, err_cap, rc,
                            rc == STELE_ENOMEM ? "out of memory"
                            : rc == STELE_EIO  ? "cannot read the scratch file"
                                               : "index too large");
    else if (out->postings.failed || out->positions.failed || out->paras.failed)
        rc = st_build_error(err, err_cap, STELE_ENOMEM, "out of memory");
    else if ((rc = write_lexicon(&parts[0].surf, rank, &out->lexicon)) != 0)
        rc = st_build_error(err, err_cap, rc,
                            rc == STELE_ENOMEM ? "out of memory" : "index too large");
fail:
    free(refs);
    free(rank);
    free(cur);
    free(bufs);
    for (unsigned k = 0; k < n; k++) {
        free(parts[k].occs.v);
        st_buf_free(&parts[k].text);
        free(parts[k].runs);
        table_free(&parts[k].terms);
        surface_free(&parts[k].surf);
        st_buf_free(&parts[k].out.paras);
        if (k > 0) free(parts[k].rank);
    }
    if (rc) st_invert_free(out);
    return rc;
}

void st_invert_free(st_invert_out *out)
{
    st_buf_free(&out->dict_index);
    st_buf_free(&out->dict);
    st_buf_free(&out->postings);
    st_buf_free(&out->positions);
    st_buf_free(&out->paras);
    st_buf_free(&out->lexicon);
    free(out->docs);
    out->docs = NULL;
}
