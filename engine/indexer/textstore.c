/*
 * textstore.c: the stored text (sections TEXT_INDEX, TEXT, ZDICT; layout
 * in format.h).
 *
 * Documents' texts (paragraphs joined by '\n') are laid end to end in
 * blocks of about block_bytes; a document never spans two blocks, so one
 * inflate gives a whole document, and a document longer than a block gets
 * a block of its own.  Small blocks make a snippet cheap to decode; large
 * ones compress better.  Each block is an independent zlib stream so any
 * one can be decoded alone.
 *
 * The preset dictionary makes small blocks compress almost as well as
 * large ones: zlib may refer back into it from the first byte of every
 * block.  It is trained from the corpus: word n-grams (1 to 4 words, with
 * the following space) are counted once per document they occur in (a
 * phrase repeated inside one document is already cheap for zlib), scored by
 * (documents - 1) * bytes, the bytes back-references could save, and the best are taken, skipping
 * any already contained in the chosen text, until the size is reached.  They are laid out with the
 * best last, because zlib codes nearer distances in fewer bits.  Ties are broken by the bytes, so
 * training is deterministic.
 *
 * A dictionary does not always pay: with large blocks zlib finds most of
 * its phrases in the block itself, and the dictionary's own bytes and the
 * inflate window it costs the reader remain.  So the text is compressed
 * both ways and the dictionary kept only when the blocks with it plus the
 * dictionary are strictly smaller than the blocks without it; the choice
 * is recorded in the header (flag bit 0) by the dictionary being non-empty.
 */
#define _GNU_SOURCE /* memmem */
#define ZLIB_CONST
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "writer.h"
#include "zlib.h"

#define ST_TRAIN_MAX_TEXT  (8u << 20) /* text bytes sampled for training */
#define ST_TRAIN_MAX_GRAM  4          /* words per n-gram */
#define ST_TRAIN_MAX_BYTES 64         /* bytes of one n-gram */

/* A candidate of the choice: an n-gram found in two documents or more. */
typedef struct gram {
    const char *s;       /* in the sample text */
    uint32_t len, count; /* count: documents it occurs in */
} gram;

/* The counting table holds the n-grams the prefilter passes: an open
 * addressing array of slots (an entry's index + 1; 0 = empty) over a dense
 * array of 16-byte entries.  Slots of four bytes keep the half-empty table
 * small (a table of whole entries took 72 MB while growing for an 8 MB
 * sample); the dense array grows by realloc.  Neither the hash nor the
 * layout changes the dictionary: the choice sorts the candidates by a
 * total order. */
typedef struct gram_entry {
    uint64_t at;       /* offset in the sample << 8 | length */
    uint32_t count;    /* documents it occurs in */
    uint32_t last_doc; /* last document counted, + 1 */
} gram_entry;

typedef struct gram_table {
    uint32_t *slots;
    size_t n_slots;
    gram_entry *e;
    size_t n, cap;
    const char *text;
} gram_table;

static uint32_t hash_bytes(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (uint8_t)s[i]) * 16777619u;
    return h;
}

static const char *entry_text(const gram_table *t, const gram_entry *e)
{
    return t->text + (e->at >> 8);
}

static int gram_add(gram_table *t, const char *str, uint32_t len, uint32_t doc)
{
    if ((t->n + 1) * 2 > t->n_slots) {
        size_t n_slots = t->n_slots ? t->n_slots * 2 : 65536;
        uint32_t *slots = calloc(n_slots, sizeof *slots);
        if (!slots) return STELE_ENOMEM;
        for (size_t k = 0; k < t->n; k++) {
            const gram_entry *e = &t->e[k];
            size_t s = hash_bytes(entry_text(t, e), e->at & 0xff) & (n_slots - 1);
            while (slots[s])
                s = (s + 1) & (n_slots - 1);
            slots[s] = (uint32_t)k + 1;
        }
        free(t->slots);
        t->slots = slots;
        t->n_slots = n_slots;
    }
    size_t s = hash_bytes(str, len) & (t->n_slots - 1);
    for (; t->slots[s]; s = (s + 1) & (t->n_slots - 1)) {
        gram_entry *e = &t->e[t->slots[s] - 1];
        if ((e->at & 0xff) == len && memcmp(entry_text(t, e), str, len) == 0) {
            if (e->last_doc != doc + 1) e->count++;
            e->last_doc = doc + 1;
            return STELE_OK;
        }
    }
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 65536;
        gram_entry *e = t->n < UINT32_MAX - 1 ? realloc(t->e, cap * sizeof *e) : NULL;
        if (!e) return STELE_ENOMEM;
        t->e = e;
        t->cap = cap;
    }
    t->e[t->n] = (gram_entry){(uint64_t)(str - t->text) << 8 | len, 1, doc + 1};
    t->slots[s] = (uint32_t)++t->n;
    return STELE_OK;
}

/*
 * The prefilter.  Most n-grams of a sample occur in one document only and
 * can never be chosen, yet an exact table of them all took 300 MB for an
 * 8 MB sample.  So a first scan marks, in two arrays of hashed buckets,
 * each bucket that n-grams of two different documents fell into; the
 * second scan counts exactly, in the table, only the n-grams whose two
 * buckets are both marked.  A gram in two documents always has both
 * marked (the first document to reach a bucket leaves its number there,
 * and any later, different one marks it; documents come in order), so
 * every gram that could be chosen is counted exactly and the dictionary
 * is the same; a gram of one document passes only when both its buckets
 * collide, and is dropped with the other single-document grams.
 */
#define ST_TRAIN_FILTER_BITS 22 /* most buckets per array: 2^22, for 8 MB */
#define ST_TRAIN_MARKED      0x80000000u

typedef struct gram_filter {
    uint32_t *bucket[2]; /* document + 1 of the first gram there, or MARKED */
    size_t mask;         /* buckets per array - 1 (a power of two - 1) */
} gram_filter;

static uint64_t hash64(const char *s, size_t n)
{
    uint64_t h = 14695981039346656037u; /* FNV-1a, 64 bits */
    for (size_t i = 0; i < n; i++)
        h = (h ^ (uint8_t)s[i]) * 1099511628211u;
    return h;
}

/* Where gram (s, len) falls in filter array k. */
static size_t filter_slot(const gram_filter *f, uint64_t h, int k)
{
    return (size_t)(h >> (k ? 32 : 0)) & f->mask;
}

static void filter_mark(gram_filter *f, const char *s, uint32_t len, uint32_t doc)
{
    uint64_t h = hash64(s, len);
    for (int k = 0; k < 2; k++) {
        uint32_t *b = &f->bucket[k][filter_slot(f, h, k)];
        if (*b == 0)
            *b = doc + 1;
        else if (*b != doc + 1)
            *b = ST_TRAIN_MARKED;
    }
}

static int filter_passes(const gram_filter *f, const char *s, uint32_t len)
{
    uint64_t h = hash64(s, len);
    return f->bucket[0][filter_slot(f, h, 0)] == ST_TRAIN_MARKED &&
           f->bucket[1][filter_slot(f, h, 1)] == ST_TRAIN_MARKED;
}

/*
 * One scan of the sample's n-grams (those starting at each word start):
 * with t NULL it marks the filter, otherwise it counts in t the grams the
 * filter passes.
 */
static int scan_grams(const st_buf *sample, const size_t *doc_end, size_t n_sampled, gram_filter *f,
                      gram_table *t)
{
    const uint8_t *text = sample->data;
    uint32_t doc = 0;
    for (size_t i = 0; i < sample->len; i++) {
        while (doc < n_sampled && doc_end[doc] <= i)
            doc++;
        if (i > 0 && text[i - 1] != ' ' && text[i - 1] != '\n') continue;
        if (text[i] == ' ' || text[i] == '\n') continue;
        size_t e = i;
        for (int w = 0; w < ST_TRAIN_MAX_GRAM; w++) {
            while (e < sample->len && text[e] != ' ' && text[e] != '\n')
                e++;
            if (e >= sample->len || text[e] == '\n' || e + 1 - i > ST_TRAIN_MAX_BYTES) break;
            e++; /* take the space */
            const char *g = (const char *)text + i;
            if (!t)
                filter_mark(f, g, (uint32_t)(e - i), doc);
            else if (filter_passes(f, g, (uint32_t)(e - i)) &&
                     gram_add(t, g, (uint32_t)(e - i), doc))
                return STELE_ENOMEM;
        }
    }
    return STELE_OK;
}

static int gram_cmp(const void *a, const void *b)
{
    const gram *x = a, *y = b;
    uint64_t sx = (uint64_t)(x->count - 1) * x->len, sy = (uint64_t)(y->count - 1) * y->len;
    if (sx != sy) return sx > sy ? -1 : 1;
    int r = memcmp(x->s, y->s, x->len < y->len ? x->len : y->len);
    if (r) return r;
    return (x->len > y->len) - (x->len < y->len);
}

/* True when needle[0, m) occurs in hay[0, n): memmem() (a two-way search,
 * linear), as the byte-by-byte scan it replaces was quadratic and took a
 * quarter of a build. */
static int contains(const uint8_t *hay, size_t n, const char *needle, size_t m)
{
    return n >= m && m > 0 && memmem(hay, n, needle, m) != NULL;
}

int st_zdict_train(const st_corpus *c, size_t cap, st_buf *out)
{
    st_buf sample = {0};
    gram_table t = {0};
    gram **chosen = NULL, *cand = NULL;
    gram_filter filter = {{NULL, NULL}, 0};
    int rc = STELE_ENOMEM;
    if (cap == 0) return STELE_OK;
    /* The sample: paragraphs separated by '\n', up to ST_TRAIN_MAX_TEXT;
     * doc_end[d] is where document d's text ends in it. */
    size_t n_sampled = 0;
    size_t *doc_end = malloc((c->n_docs ? c->n_docs : 1) * sizeof *doc_end);
    if (!doc_end) return STELE_ENOMEM;
    for (size_t d = 0; d < c->n_docs && sample.len < ST_TRAIN_MAX_TEXT; d++, n_sampled++) {
        if (c->docs[d].n_paras > 0) {
            int read_rc = st_doc_read_text(c, &c->docs[d], &sample);
            if (read_rc) {
                rc = read_rc;
                goto done;
            }
            st_buf_u8(&sample, '\n');
        }
        doc_end[d] = sample.len;
    }
    if (sample.failed) goto done;
    t.text = (const char *)sample.data;
    /* About one bucket per two sample bytes (a gram or so per byte), so a
     * small corpus does not pay for the largest filter.  The size changes
     * which single-document grams pass, never the dictionary. */
    size_t n_buckets = 1024;
    while (n_buckets < sample.len / 2 && n_buckets < ((size_t)1 << ST_TRAIN_FILTER_BITS))
        n_buckets *= 2;
    filter.mask = n_buckets - 1;
    filter.bucket[0] = calloc(2 * n_buckets, sizeof(uint32_t));
    if (!filter.bucket[0]) goto done;
    filter.bucket[1] = filter.bucket[0] + n_buckets;
    scan_grams(&sample, doc_end, n_sampled, &filter, NULL);
    if (scan_grams(&sample, doc_end, n_sampled, &filter, &t)) goto done;
    free(filter.bucket[0]);
    filter.bucket[0] = NULL;
    /* The candidates, sorted by score; choose. */
    free(t.slots);
    t.slots = NULL;
    size_t n = 0;
    for (size_t k = 0; k < t.n; k++)
        n += t.e[k].count > 1;
    cand = malloc((n ? n : 1) * sizeof *cand);
    if (!cand) goto done;
    n = 0;
    for (size_t k = 0; k < t.n; k++)
        if (t.e[k].count > 1)
            cand[n++] = (gram){entry_text(&t, &t.e[k]), (uint32_t)(t.e[k].at & 0xff), t.e[k].count};
    free(t.e);
    t.e = NULL;
    if (n) qsort(cand, n, sizeof *cand, gram_cmp);
    chosen = malloc((n ? n : 1) * sizeof *chosen);
    st_buf picked = {0}; /* chosen grams, best first, for the containment test */
    if (!chosen) goto done;
    size_t n_chosen = 0, total = 0;
    for (size_t k = 0; k < n && total < cap; k++) {
        gram *g = &cand[k];
        if (g->len > cap - total || contains(picked.data, picked.len, g->s, g->len)) continue;
        if (st_buf_put(&picked, g->s, g->len)) {
            st_buf_free(&picked);
            goto done;
        }
        chosen[n_chosen++] = g;
        total += g->len;
    }
    st_buf_free(&picked);
    /* Best last. */
    for (size_t k = n_chosen; k-- > 0;)
        st_buf_put(out, chosen[k]->s, chosen[k]->len);
    rc = out->failed ? STELE_ENOMEM : STELE_OK;
done:
    free(filter.bucket[0]);
    free(doc_end);
    free(chosen);
    free(cand);
    free(t.slots);
    free(t.e);
    st_buf_free(&sample);
    return rc;
}

/* Compresses raw[0, n) as one zlib stream appended to out. */
static int compress_block(const uint8_t *raw, size_t n, const st_buf *zdict, int window_bits,
                          st_buf *out)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (deflateInit2(&zs, 9, Z_DEFLATED, window_bits, 9, Z_DEFAULT_STRATEGY) != Z_OK)
        return STELE_ENOMEM;
    int rc = STELE_OK;
    if (zdict->len && deflateSetDictionary(&zs, zdict->data, (uInt)zdict->len) != Z_OK)
        rc = STELE_ENOMEM;
    size_t bound = deflateBound(&zs, (uLong)n);
    if (!rc && st_buf_reserve(out, bound)) rc = STELE_ENOMEM;
    if (!rc) {
        zs.next_in = raw;
        zs.avail_in = (uInt)n;
        zs.next_out = out->data + out->len;
        zs.avail_out = (uInt)bound;
        if (deflate(&zs, Z_FINISH) != Z_STREAM_END)
            rc = STELE_ENOMEM;
        else
            out->len += zs.total_out;
    }
    deflateEnd(&zs);
    return rc;
}

/* The blocks of one compression pass, shared by its worker threads: each
 * takes the next block number, compresses it into its own buffer and
 * appends it to the output when all blocks before it are there, so the
 * result does not depend on which thread did what, and no more than one
 * block per thread waits outside the output (the streams of all blocks,
 * kept apart and then joined, took the stored text's size twice). */
typedef struct block_job {
    const st_corpus *c;
    const size_t *first; /* n_blocks + 1 entries: block b holds documents
                            [first[b], first[b + 1]) */
    size_t n_blocks;
    const st_buf *zdict;
    int window_bits;
    st_text_out *keep;             /* the output; NULL: only count the bytes */
    atomic_uint_fast64_t measured; /* with keep NULL: bytes of all streams */
    atomic_size_t next;
    atomic_int failed; /* the first error, 0: none */
    atomic_uint_fast64_t docs_done;
    st_text_progress *progress; /* may be NULL */
    pthread_mutex_t lock;       /* over appended and keep */
    pthread_cond_t turn;        /* appended changed, or failed was set */
    size_t appended;            /* blocks in keep so far */
} block_job;

static void job_fail(block_job *j, int rc)
{
    pthread_mutex_lock(&j->lock);
    int none = 0;
    atomic_compare_exchange_strong(&j->failed, &none, rc);
    pthread_cond_broadcast(&j->turn);
    pthread_mutex_unlock(&j->lock);
}

/* Appends block b (stream, of raw_len bytes of text) to j->keep once the
 * blocks before it are there. */
static int append_block(block_job *j, size_t b, const st_buf *stream, size_t raw_len)
{
    st_text_out *out = j->keep;
    int rc = STELE_OK;
    pthread_mutex_lock(&j->lock);
    while (j->appended != b && !atomic_load(&j->failed))
        pthread_cond_wait(&j->turn, &j->lock);
    if ((rc = atomic_load(&j->failed)) == STELE_OK) {
        if (out->text.len > UINT32_MAX || stream->len > UINT32_MAX - out->text.len) {
            rc = STELE_EINPUT;
        } else {
            st_buf_u32(&out->text_index, (uint32_t)out->text.len);
            st_buf_u32(&out->text_index, (uint32_t)stream->len);
            st_buf_u32(&out->text_index, (uint32_t)raw_len);
            st_buf_put(&out->text, stream->data, stream->len);
            if (out->text_index.failed || out->text.failed) rc = STELE_ENOMEM;
            out->max_block = raw_len > out->max_block ? (uint32_t)raw_len : out->max_block;
            out->raw_bytes += raw_len;
            out->n_blocks++;
        }
        j->appended++;
        pthread_cond_broadcast(&j->turn);
    }
    pthread_mutex_unlock(&j->lock);
    return rc;
}

static void compress_blocks(block_job *j, int emit)
{
    st_buf raw = {0}, stream = {0};
    for (;;) {
        size_t b = atomic_fetch_add(&j->next, 1);
        if (b >= j->n_blocks || atomic_load(&j->failed)) break;
        raw.len = 0;
        int rc = STELE_OK;
        for (size_t d = j->first[b]; d < j->first[b + 1] && !rc; d++)
            rc = st_doc_read_text(j->c, &j->c->docs[d], &raw);
        stream.len = 0;
        if (!rc) rc = compress_block(raw.data, raw.len, j->zdict, j->window_bits, &stream);
        if (!rc && j->keep) rc = append_block(j, b, &stream, raw.len);
        if (rc) {
            job_fail(j, rc);
            break;
        }
        if (!j->keep) atomic_fetch_add(&j->measured, stream.len);
        uint64_t n = j->first[b + 1] - j->first[b];
        uint64_t done = atomic_fetch_add(&j->docs_done, n) + n;
        if (j->progress) atomic_fetch_add(&j->progress->docs_done, n);
        if (emit) {
            stele_build_event ev = {.kind = STELE_EV_COMPRESS, .done = done, .total = j->c->n_docs};
            st_emit(j->c, &ev); /* the front end decides how often to draw */
        }
    }
    st_buf_free(&raw);
    st_buf_free(&stream);
}

static void *compress_thread(void *arg)
{
    compress_blocks(arg, 0);
    return NULL;
}

/*
 * Cuts the documents into blocks and compresses each with zdict (empty:
 * none) into out->text and out->text_index, filling out's per-document
 * block numbers and offsets and its block counts.  Blocks are compressed
 * by up to `threads` threads; with progress NULL the calling thread emits
 * STELE_EV_COMPRESS events, otherwise it only counts in progress.  With
 * measured not NULL nothing is kept: *measured gets the bytes out->text
 * would have, and each block's stream is dropped once counted.
 */
static int compress_all(const st_corpus *c, size_t block_bytes, const st_buf *zdict,
                        int window_bits, unsigned threads, st_text_progress *progress,
                        st_text_out *out, uint64_t *measured)
{
    out->text.len = out->text_index.len = 0;
    out->max_block = 0;
    out->n_blocks = out->raw_bytes = 0;
    /* Layout: a block is closed when the next document would overflow it. */
    size_t *first = malloc((c->n_docs + 1) * sizeof *first);
    if (!first) return STELE_ENOMEM;
    size_t n_blocks = 0, raw_len = 0;
    for (size_t d = 0; d < c->n_docs; d++) {
        size_t len = st_doc_text_len(&c->docs[d]);
        if (d == 0 || (raw_len > 0 && raw_len + len > block_bytes)) {
            first[n_blocks++] = d;
            raw_len = 0;
        }
        out->doc_block[d] = (uint32_t)(n_blocks - 1);
        out->doc_off[d] = (uint32_t)raw_len;
        raw_len += len;
        if (raw_len > UINT32_MAX) {
            free(first);
            return STELE_EINPUT;
        }
    }
    first[n_blocks] = c->n_docs;
    if (progress) atomic_store(&progress->docs_done, 0);
    block_job j = {.c = c,
                   .first = first,
                   .n_blocks = n_blocks,
                   .zdict = zdict,
                   .window_bits = window_bits,
                   .keep = measured ? NULL : out,
                   .progress = progress};
    atomic_init(&j.next, 0);
    atomic_init(&j.failed, 0);
    atomic_init(&j.docs_done, 0);
    atomic_init(&j.measured, 0);
    pthread_mutex_init(&j.lock, NULL);
    pthread_cond_init(&j.turn, NULL);
    if (threads > n_blocks) threads = n_blocks ? (unsigned)n_blocks : 1;
    if (threads > ST_MAX_THREADS) threads = ST_MAX_THREADS;
    pthread_t tid[ST_MAX_THREADS];
    unsigned n_started = 0;
    for (unsigned t = 1; t < threads; t++, n_started++)
        if (pthread_create(&tid[n_started], NULL, compress_thread, &j) != 0)
            break; /* fewer threads: the same work, the same bytes */
    compress_blocks(&j, progress == NULL);
    for (unsigned t = 0; t < n_started; t++)
        pthread_join(tid[t], NULL);
    pthread_cond_destroy(&j.turn);
    pthread_mutex_destroy(&j.lock);
    free(first);
    int rc = atomic_load(&j.failed);
    if (measured) *measured = atomic_load(&j.measured);
    return rc;
}

int st_textstore(const st_corpus *c, size_t block_bytes, size_t dict_bytes, int window_bits,
                 unsigned threads, st_text_progress *progress, st_text_out *out, char *err,
                 size_t err_cap)
{
    st_text_out plain = {0};
    int rc = STELE_ENOMEM;
    memset(out, 0, sizeof *out);
    out->doc_block = calloc(c->n_docs ? c->n_docs : 1, sizeof *out->doc_block);
    out->doc_off = calloc(c->n_docs ? c->n_docs : 1, sizeof *out->doc_off);
    plain.doc_block = calloc(c->n_docs ? c->n_docs : 1, sizeof *plain.doc_block);
    plain.doc_off = calloc(c->n_docs ? c->n_docs : 1, sizeof *plain.doc_off);
    if (!out->doc_block || !out->doc_off || !plain.doc_block || !plain.doc_off) goto fail;
    if (dict_bytes > ST_ZDICT_MAX) dict_bytes = ST_ZDICT_MAX;
    if ((rc = st_zdict_train(c, dict_bytes, &out->zdict)) != 0) goto fail;
    if ((rc = compress_all(c, block_bytes, &out->zdict, window_bits, threads, progress, out,
                           NULL)) != 0)
        goto fail;
    st_release_memory(); /* the training tables and the blocks' own buffers */
    if (out->zdict.len) {
        /* Keep the dictionary only if it pays for itself, its own bytes
         * included; without it the reader also needs no inflate window.
         * The blocks without it are first only measured, so that the two
         * versions of the stored text are never held at once; they are
         * made again, the same bytes, in the rarer case that they win. */
        uint64_t plain_bytes;
        if ((rc = compress_all(c, block_bytes, &plain.zdict, window_bits, threads, progress, &plain,
                               &plain_bytes)) != 0)
            goto fail;
        if (plain_bytes <= out->text.len + out->zdict.len) {
            if ((rc = compress_all(c, block_bytes, &plain.zdict, window_bits, threads, progress,
                                   &plain, NULL)) != 0)
                goto fail;
            st_text_out swap = *out;
            *out = plain;
            plain = swap;
        }
    }
    st_textstore_free(&plain);
    return STELE_OK;
fail:
    st_textstore_free(&plain);
    st_textstore_free(out);
    if (rc == STELE_EINPUT)
        return st_build_error(err, err_cap, STELE_EINPUT, "stored text too large");
    if (rc == STELE_EIO)
        return st_build_error(err, err_cap, STELE_EIO, "cannot read the scratch file");
    return st_build_error(err, err_cap, STELE_ENOMEM, "out of memory");
}

void st_textstore_free(st_text_out *out)
{
    st_buf_free(&out->text_index);
    st_buf_free(&out->text);
    st_buf_free(&out->zdict);
    free(out->doc_block);
    free(out->doc_off);
    out->doc_block = out->doc_off = NULL;
}
