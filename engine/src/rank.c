/*
 * rank.c: BM25F scoring, the top-k heap and the small in-place sorts the
 * runtime needs (no qsort: some C libraries allocate inside it).
 *
 * BM25F, for a query term t and document d:
 *
 *   tfw      = sum over fields f of w_f * tf(t,f,d) / (1 - b + b * Ld(f,d) / avgL(f))
 *   score    = idf(t) * tfw * (k1 + 1) / (k1 + tfw)
 *   idf(t)   = ln(1 + (N - df + 0.5) / (df + 0.5))
 *
 * Ld is the document's quantized field length (st_norm_decode of its norm
 * byte), avgL the exact average from the index header; a field with
 * avgL == 0 has no text anywhere and is skipped.  df counts documents with
 * t in any field, or only in the scoped field for title:x.  A PHRASE or
 * NEAR group is one pseudo-term: its tf per field is its number of matches
 * there and its idf the sum of its words' idfs.  Defaults: k1 = 1.2,
 * b = 0.75, field weights from the index header; stele_query_opts
 * overrides each when non-zero.
 *
 * The logarithm is computed here (st_log), not taken from libm: the runtime
 * is freestanding, down to a microcontroller with no libm, and needs only
 * memcpy-like functions from the C library.  It agrees with libm's log to
 * a few units in the last place (tests/test_rank_log.c), far inside the
 * 1e-9 the golden scores allow.
 *
 * The heap keeps the best max_hits (score, doc) pairs seen so far with the
 * worst at the root: lower score is worse, and at equal score the higher
 * document number is worse, so results are deterministic.
 */
#include "query.h"

/* ln 2 in two parts (fdlibm's): e * LN2_HI is exact for |e| < 2^11. */
#define LN2_HI 6.93147180369123816490e-01
#define LN2_LO 1.90821492927058770002e-10

double st_log(double x)
{
    /* x = m * 2^e with m in [sqrt(1/2), sqrt(2)), by exact halvings and
     * doublings; then ln x = e ln 2 + 2 atanh(s), s = (m - 1) / (m + 1),
     * |s| <= 0.1716, and the atanh series s + s^3/3 + ... + s^23/23 is
     * within 1e-17 of it. */
    int e = 0;
    if (!(x > 0) || x - x != 0) return 0; /* not positive and finite: never asked */
    while (x >= 1.4142135623730951) {
        x *= 0.5;
        e++;
    }
    while (x < 0.70710678118654757) {
        x *= 2.0;
        e--;
    }
    double s = (x - 1.0) / (x + 1.0), s2 = s * s, p = 1.0 / 23;
    for (int k = 10; k >= 0; k--)
        p = p * s2 + 1.0 / (2 * k + 1);
    return (double)e * LN2_HI + ((double)e * LN2_LO + 2.0 * s * p);
}

void st_rank_params_init(st_rank_params *rp, const stele_index *ix, const stele_query_opts *opts)
{
    rp->k1 = opts && opts->k1 > 0 ? opts->k1 : 1.2;
    rp->b = opts && opts->b > 0 ? opts->b : ST_BM25_B;
    rp->n_docs = ix->n_docs_;
    rp->n_fields = ix->n_fields_ < STELE_MAX_FIELDS ? ix->n_fields_ : STELE_MAX_FIELDS;
    for (uint32_t f = 0; f < STELE_MAX_FIELDS; f++) {
        rp->weight[f] = 0;
        rp->avg_len[f] = 0;
        if (f >= rp->n_fields) continue;
        rp->weight[f] =
            opts && opts->field_weight[f] > 0 ? opts->field_weight[f] : st_field_weight(ix, f);
        rp->avg_len[f] = st_field_avg_len(ix, f);
    }
}

double st_idf(uint32_t n_docs, uint32_t df)
{
    return st_log(1.0 + ((double)n_docs - (double)df + 0.5) / ((double)df + 0.5));
}

int st_rank_norms(const stele_index *ix, const st_rank_params *rp, uint32_t doc, uint32_t fields,
                  double norm[STELE_MAX_FIELDS])
{
    const uint8_t *bytes;
    int rc = st_doc_norms(ix, doc, &bytes);
    if (rc < 0) return rc;
    for (uint32_t f = 0; f < STELE_MAX_FIELDS; f++) {
        norm[f] = -1; /* skipped */
        if (f >= rp->n_fields || !(fields >> f & 1) || !(rp->avg_len[f] > 0)) continue;
        norm[f] = st_length_norm(rp->b, bytes[f], rp->avg_len[f]);
        if (!(norm[f] > 0)) norm[f] = -1;
    }
    return STELE_OK;
}

double st_bm25f(const st_rank_params *rp, const double norm[STELE_MAX_FIELDS],
                const uint32_t tf[STELE_MAX_FIELDS], double idf)
{
    double tfw = 0;
    for (uint32_t f = 0; f < rp->n_fields; f++)
        if (tf[f] > 0 && norm[f] > 0) tfw += rp->weight[f] * (double)tf[f] / norm[f];
    if (!(tfw > 0)) return 0;
    return idf * tfw * (rp->k1 + 1.0) / (rp->k1 + tfw);
}

/* ---- Top-k heap -------------------------------------------------------- */

/* a ranks below b */
static int worse(const st_heap_entry *a, const st_heap_entry *b)
{
    return a->score < b->score || (a->score == b->score && a->doc > b->doc);
}

static void sift_down(st_heap_entry *e, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && worse(&e[l], &e[m])) m = l;
        if (r < n && worse(&e[r], &e[m])) m = r;
        if (m == i) return;
        st_heap_entry t = e[i];
        e[i] = e[m];
        e[m] = t;
        i = m;
    }
}

void st_heap_push(st_heap *h, double score, uint32_t doc)
{
    st_heap_entry x = {score, doc};
    if (h->cap == 0) return;
    if (h->n < h->cap) {
        size_t i = h->n++;
        while (i > 0) {
            size_t parent = (i - 1) / 2;
            if (!worse(&x, &h->e[parent])) break;
            h->e[i] = h->e[parent];
            i = parent;
        }
        h->e[i] = x;
        return;
    }
    if (worse(&x, &h->e[0]) || (x.score == h->e[0].score && x.doc == h->e[0].doc)) return;
    h->e[0] = x;
    sift_down(h->e, h->n, 0);
}

void st_heap_sort(st_heap *h)
{
    /* Popping the worst to the end leaves the array best first. */
    for (size_t n = h->n; n > 1; n--) {
        st_heap_entry t = h->e[0];
        h->e[0] = h->e[n - 1];
        h->e[n - 1] = t;
        sift_down(h->e, n - 1, 0);
    }
}

/* ---- Heapsorts ----------------------------------------------------------- */

static int hit_doc_less(const stele_hit *a, const stele_hit *b)
{
    return a->doc < b->doc;
}

static int hit_rank_less(const stele_hit *a, const stele_hit *b)
{
    return a->score > b->score || (a->score == b->score && a->doc < b->doc);
}

static void hits_sort(stele_hit *v, size_t n, int (*less)(const stele_hit *, const stele_hit *))
{
    for (size_t start = n / 2; start-- > 0;) {
        size_t i = start;
        for (;;) {
            size_t l = 2 * i + 1, r = l + 1, m = i;
            if (l < n && less(&v[m], &v[l])) m = l;
            if (r < n && less(&v[m], &v[r])) m = r;
            if (m == i) break;
            stele_hit t = v[i];
            v[i] = v[m];
            v[m] = t;
            i = m;
        }
    }
    for (size_t end = n; end > 1; end--) {
        stele_hit t = v[0];
        v[0] = v[end - 1];
        v[end - 1] = t;
        size_t i = 0, len = end - 1;
        for (;;) {
            size_t l = 2 * i + 1, r = l + 1, m = i;
            if (l < len && less(&v[m], &v[l])) m = l;
            if (r < len && less(&v[m], &v[r])) m = r;
            if (m == i) break;
            t = v[i];
            v[i] = v[m];
            v[m] = t;
            i = m;
        }
    }
}

void st_hits_sort_by_doc(stele_hit *hits, size_t n)
{
    hits_sort(hits, n, hit_doc_less);
}

void st_hits_sort_by_rank(stele_hit *hits, size_t n)
{
    hits_sort(hits, n, hit_rank_less);
}
