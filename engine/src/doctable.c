/*
 * doctable.c: the document table, paragraph streams, field norms and stored
 * text (sections DOCS, STRINGS, PARAS, TEXT_INDEX, TEXT, ZDICT, NORMS;
 * layout in format.h).
 *
 * Document records and norms have fixed sizes, so document d's pointers
 * and norms are found in O(1).  Its paragraphs are a varint stream (format.h, PARAS)
 * from which text offsets and first positions are derived, not stored;
 * a skip entry every ST_PARA_SKIP paragraphs bounds the decoding behind
 * st_para_get() and st_para_at() to that many entries (most documents
 * have fewer paragraphs than that and no skip entry at all).  Every field
 * is checked as it is decoded: string, paragraph and text ranges must lie
 * inside their sections and the document's text, positions inside 32
 * bits, so a damaged table gives STELE_ECORRUPT.
 *
 * Stored text is read as a stream (st_text_open/st_text_read): the block
 * holding the document is inflated on demand into whatever buffer the
 * caller reads into, the bytes before the wanted range inflated through
 * that same buffer and dropped, so the memory is zlib's and never grows
 * with the block's or the document's size.  zlib allocates through
 * zalloc/zfree hooks that bump-allocate from the caller's workspace (zfree
 * does nothing; the whole arena dies with the stream), so the runtime
 * never calls malloc.  inflate needs its state (its size asked of zlib
 * itself, at most ST_INFLATE_STATE_BYTES) and a 2^wbits-byte window:
 * st_text_stream_bytes(); a workspace too
 * small for that gives STELE_ENOSPACE.  st_doc_load() still inflates a
 * whole block in one inflate(Z_FINISH) call (the indexer's merge uses it).
 */
#define ZLIB_CONST
#include <string.h>

#include "format.h"
#include "reader.h"
#include "zlib.h"

/* A bound on sizeof(struct inflate_state) (7 KB on 64-bit zlib 1.2/1.3);
 * tests/test_format.c checks it against the zlib in use. */
#ifndef ST_INFLATE_STATE_BYTES
#define ST_INFLATE_STATE_BYTES 8192u
#endif
#define ST_ARENA_ALIGN 16u

/* ---- Documents ------------------------------------------------------- */

/* st_varint_get32 with the one-byte case (most lengths and counts here)
 * inline. */
static inline int vint32(const uint8_t **p, const uint8_t *end, uint32_t *v)
{
    if (*p < end && **p < 0x80) {
        *v = *(*p)++;
        return 1;
    }
    return st_varint_get32(p, end, v);
}

/* A document record plus the head of its paragraph stream. */
typedef struct doc_rec {
    uint32_t str_off, para_off, block, text_off;
    uint32_t id_len, title_len, text_len, n_paras;
    const uint8_t *skips; /* n_skips ST_PARA_SKIP_REC-byte entries */
    uint32_t n_skips;
    const uint8_t *paras, *end; /* first paragraph entry; end of PARAS */
} doc_rec;

static int doc_get(const stele_index *ix, uint32_t doc, doc_rec *r)
{
    if (doc >= ix->n_docs_) return STELE_ENOTFOUND;
    uint32_t dsize, ssize, psize, tsize;
    const uint8_t *d = st_section(ix, ST_SEC_DOCS, &dsize);
    const uint8_t *ti = st_section(ix, ST_SEC_TEXT_INDEX, &tsize);
    const uint8_t *ps = st_section(ix, ST_SEC_PARAS, &psize);
    (void)st_section(ix, ST_SEC_STRINGS, &ssize);
    const uint8_t *e = d + (size_t)doc * ST_DOC_REC; /* size checked at open */
    r->str_off = st_get32(e);
    r->para_off = st_get32(e + 4);
    r->block = st_get32(e + 8);
    r->text_off = st_get32(e + 12);
    if (r->para_off >= psize || r->block >= tsize / ST_TEXT_REC) return st_corrupt();
    const uint8_t *p = ps + r->para_off;
    r->end = ps + psize;
    if (!vint32(&p, r->end, &r->id_len) || !vint32(&p, r->end, &r->title_len) ||
        !vint32(&p, r->end, &r->text_len) || !vint32(&p, r->end, &r->n_paras))
        return st_corrupt();
    r->n_skips = r->n_paras ? (r->n_paras - 1) / ST_PARA_SKIP : 0;
    if ((uint64_t)r->n_skips * ST_PARA_SKIP_REC > (uint64_t)(r->end - p)) return st_corrupt();
    r->skips = p;
    r->paras = p + (size_t)r->n_skips * ST_PARA_SKIP_REC;
    /* Every paragraph takes at least 3 bytes. */
    if ((uint64_t)r->n_paras * 3 > (uint64_t)(r->end - r->paras) ||
        (uint64_t)r->str_off + r->id_len + r->title_len > ssize)
        return st_corrupt();
    uint32_t raw = st_get32(ti + (size_t)r->block * ST_TEXT_REC + 8);
    if ((uint64_t)r->text_off + r->text_len > raw) return st_corrupt();
    return STELE_OK;
}

int stele_doc_id(const stele_index *ix, uint32_t doc, stele_view *id)
{
    doc_rec r;
    int rc = doc_get(ix, doc, &r);
    if (rc) return rc;
    uint32_t ssize;
    id->data = (const char *)st_section(ix, ST_SEC_STRINGS, &ssize) + r.str_off;
    id->len = r.id_len;
    return STELE_OK;
}

int stele_doc_title(const stele_index *ix, uint32_t doc, stele_view *title)
{
    doc_rec r;
    int rc = doc_get(ix, doc, &r);
    if (rc) return rc;
    uint32_t ssize;
    title->data = (const char *)st_section(ix, ST_SEC_STRINGS, &ssize) + r.str_off + r.id_len;
    title->len = r.title_len;
    return STELE_OK;
}

int st_doc_norms(const stele_index *ix, uint32_t doc, const uint8_t **norms)
{
    uint32_t nsize;
    if (doc >= ix->n_docs_) return STELE_ENOTFOUND;
    *norms = st_section(ix, ST_SEC_NORMS, &nsize) +
             (size_t)doc * ix->n_fields_; /* size checked at open */
    return STELE_OK;
}

int st_doc_norm(const stele_index *ix, uint32_t doc, unsigned field, uint8_t *norm)
{
    const uint8_t *norms;
    if (field >= ix->n_fields_ || st_doc_norms(ix, doc, &norms) != STELE_OK) return STELE_ENOTFOUND;
    *norm = norms[field];
    return STELE_OK;
}

/* ---- Paragraphs ------------------------------------------------------ */

/* Decoding state before paragraph index: where its entry starts, the
 * position its first token takes and its offset in the stored text. */
typedef struct para_cursor {
    const uint8_t *p;
    uint32_t index;
    uint64_t pos, text_off;
} para_cursor;

static void cursor_start(const doc_rec *r, para_cursor *c)
{
    c->p = r->paras;
    c->index = 0;
    c->pos = 0;
    c->text_off = 0;
}

/* Moves c to skip entry k's paragraph, (k + 1) * ST_PARA_SKIP. */
static int cursor_skip(const doc_rec *r, uint32_t k, para_cursor *c)
{
    const uint8_t *e = r->skips + (size_t)k * ST_PARA_SKIP_REC;
    uint32_t off = st_get32(e);
    if (off >= (uint64_t)(r->end - r->paras)) return st_corrupt();
    c->p = r->paras + off;
    c->index = (k + 1) * ST_PARA_SKIP;
    c->pos = st_get32(e + 4);
    c->text_off = st_get32(e + 8);
    return STELE_OK;
}

/* Decodes paragraph c->index into out and advances c (c->index < n_paras). */
static int cursor_next(const stele_index *ix, const doc_rec *r, para_cursor *c, st_para_info *out)
{
    const uint8_t *p = c->p;
    if (p >= r->end) return st_corrupt();
    uint8_t tag = *p++;
    out->index = c->index;
    out->field = tag & 7;
    out->kind = tag >> 3 & 7;
    out->number = 0;
    if (out->field >= ix->n_fields_ || out->kind > STELE_PARA_FIELD || (tag & 0x80) ||
        ((tag & 0x40) && (!vint32(&p, r->end, &out->number) || out->number == 0)) ||
        !vint32(&p, r->end, &out->n_tokens) || !vint32(&p, r->end, &out->text_len))
        return st_corrupt();
    if (c->pos + out->n_tokens > 0xFFFFFFFFu || c->text_off + out->text_len > r->text_len)
        return st_corrupt();
    out->first_pos = (uint32_t)c->pos;
    out->text_off = (uint32_t)c->text_off;
    if (out->n_tokens) c->pos += (uint64_t)out->n_tokens + 1;
    c->text_off += (uint64_t)out->text_len + 1;
    c->p = p;
    c->index++;
    return STELE_OK;
}

int st_para_count(const stele_index *ix, uint32_t doc, uint32_t *n)
{
    doc_rec r;
    int rc = doc_get(ix, doc, &r);
    if (rc) return rc;
    *n = r.n_paras;
    return STELE_OK;
}

int st_para_get(const stele_index *ix, uint32_t doc, uint32_t i, st_para_info *out)
{
    doc_rec r;
    para_cursor c;
    int rc = doc_get(ix, doc, &r);
    if (rc) return rc;
    if (i >= r.n_paras) return STELE_ENOTFOUND;
    cursor_start(&r, &c);
    if (i >= ST_PARA_SKIP && (rc = cursor_skip(&r, i / ST_PARA_SKIP - 1, &c)) != 0) return rc;
    do {
        if ((rc = cursor_next(ix, &r, &c, out)) != 0) return rc;
    } while (out->index < i);
    return STELE_OK;
}

int st_para_at(const stele_index *ix, uint32_t doc, uint32_t pos, st_para_info *out)
{
    doc_rec r;
    para_cursor c;
    st_para_info next;
    int rc = doc_get(ix, doc, &r);
    if (rc) return rc;
    if (r.n_paras == 0) return STELE_ENOTFOUND;
    /* Start from the last skip entry whose paragraph begins at or before
     * pos, then decode on to the last paragraph whose first position is
     * <= pos (or the first paragraph). */
    uint32_t lo = 0, hi = r.n_skips;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (st_get32(r.skips + (size_t)mid * ST_PARA_SKIP_REC + 4) <= pos)
            lo = mid + 1;
        else
            hi = mid;
    }
    cursor_start(&r, &c);
    if (lo > 0 && (rc = cursor_skip(&r, lo - 1, &c)) != 0) return rc;
    if ((rc = cursor_next(ix, &r, &c, out)) != 0) return rc;
    while (c.index < r.n_paras && c.pos <= pos) {
        if ((rc = cursor_next(ix, &r, &c, &next)) != 0) return rc;
        *out = next;
    }
    return STELE_OK;
}

int st_doc_pos_limit(const stele_index *ix, uint32_t doc, uint32_t *limit)
{
    doc_rec r;
    para_cursor c;
    st_para_info para;
    int rc = doc_get(ix, doc, &r);
    if (rc) return rc;
    cursor_start(&r, &c);
    if (r.n_skips && (rc = cursor_skip(&r, r.n_skips - 1, &c)) != 0) return rc;
    while (c.index < r.n_paras)
        if ((rc = cursor_next(ix, &r, &c, &para)) != 0) return rc;
    /* c.pos is one past the gap after the last token, or 0. */
    *limit = c.pos ? (uint32_t)(c.pos - 1) : 0;
    return STELE_OK;
}

#ifndef STELE_OMIT_VERIFY
int st_para_verify(const stele_index *ix, uint32_t doc, uint32_t *start, uint32_t *end,
                   uint32_t *text_len)
{
    doc_rec r;
    para_cursor c;
    st_para_info para;
    uint32_t psize;
    const uint8_t *ps = st_section(ix, ST_SEC_PARAS, &psize);
    int rc = doc_get(ix, doc, &r);
    if (rc) return rc;
    cursor_start(&r, &c);
    while (c.index < r.n_paras) {
        if (c.index >= ST_PARA_SKIP && c.index % ST_PARA_SKIP == 0) {
            /* The skip entry must hold the state decoding reached. */
            const uint8_t *e = r.skips + (size_t)(c.index / ST_PARA_SKIP - 1) * ST_PARA_SKIP_REC;
            if (st_get32(e) != (uint64_t)(c.p - r.paras) || st_get32(e + 4) != c.pos ||
                st_get32(e + 8) != c.text_off)
                return st_corrupt();
        }
        if ((rc = cursor_next(ix, &r, &c, &para)) != 0) return rc;
    }
    *start = r.para_off;
    *end = (uint32_t)(c.p - ps);
    *text_len = r.text_len;
    return STELE_OK;
}
#endif /* STELE_OMIT_VERIFY */

/* ---- Stored text ----------------------------------------------------- */

typedef st_text_arena_ arena;

static voidpf arena_alloc(voidpf opaque, uInt items, uInt size)
{
    arena *a = opaque;
    if (size && items > SIZE_MAX / size) return Z_NULL;
    size_t n = (size_t)items * size;
    uintptr_t at = (uintptr_t)(a->base + a->used);
    size_t pad = (ST_ARENA_ALIGN - at % ST_ARENA_ALIGN) % ST_ARENA_ALIGN;
    if (pad > a->cap - a->used || n > a->cap - a->used - pad) return Z_NULL;
    void *p = a->base + a->used + pad;
    a->used += pad + n;
    return p;
}

static void arena_free(voidpf opaque, voidpf address)
{
    (void)opaque;
    (void)address; /* the arena is dropped whole */
}

size_t st_doc_load_bound(const stele_index *ix)
{
    /* size_t with saturation: the block size comes from the file, and a
     * 32-bit size_t (or a sum in uint32_t) would wrap to a short bound */
    size_t n =
        st_add_sat(ix->max_block_bytes_, (size_t)ST_INFLATE_STATE_BYTES + 3 * ST_ARENA_ALIGN);
    if (ix->flags_ & ST_FLAG_ZDICT && ix->zlib_wbits_ < 16)
        n = st_add_sat(n, (size_t)1 << ix->zlib_wbits_);
    return n;
}

/* Inflates stored-text block b into out (exactly raw bytes), using
 * work[0, work_size) for zlib's memory. */
static int inflate_block(const stele_index *ix, uint32_t b, uint8_t *out, uint32_t raw, void *work,
                         size_t work_size)
{
    uint32_t tsize, isize, zsize;
    const uint8_t *text = st_section(ix, ST_SEC_TEXT, &tsize);
    const uint8_t *e = st_section(ix, ST_SEC_TEXT_INDEX, &isize) + (size_t)b * ST_TEXT_REC;
    const uint8_t *zdict = st_section(ix, ST_SEC_ZDICT, &zsize);
    uint32_t off = st_get32(e), len = st_get32(e + 4);
    if ((uint64_t)off + len > tsize) return st_corrupt();
    arena a = {work, 0, work_size};
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    zs.zalloc = arena_alloc;
    zs.zfree = arena_free;
    zs.opaque = &a;
    zs.next_in = text + off;
    zs.avail_in = len;
    int zrc = inflateInit2(&zs, (int)ix->zlib_wbits_);
    if (zrc != Z_OK) return zrc == Z_MEM_ERROR ? STELE_ENOSPACE : STELE_EINVAL;
    zs.next_out = out;
    zs.avail_out = raw;
    zrc = inflate(&zs, Z_FINISH);
    /* Decoding a whole well-formed block into exactly its size in one
     * Z_FINISH call never allocates the inflate window; only a preset
     * dictionary does.  So a failed allocation here means the stream is
     * longer than stated: damage, not a small workspace. */
    if (zrc == Z_MEM_ERROR) zrc = Z_DATA_ERROR;
    if (zrc == Z_NEED_DICT) {
        if (zsize == 0)
            zrc = Z_DATA_ERROR;
        else if ((zrc = inflateSetDictionary(&zs, zdict, zsize)) == Z_OK)
            zrc = inflate(&zs, Z_FINISH);
    }
    int rc = STELE_OK;
    if (zrc == Z_MEM_ERROR)
        rc = STELE_ENOSPACE;
    else if (zrc != Z_STREAM_END || zs.total_out != raw || zs.avail_in != 0)
        rc = st_corrupt();
    inflateEnd(&zs);
    return rc;
}

int st_doc_load(const stele_index *ix, uint32_t doc, void *mem, size_t mem_size, const char **text,
                size_t *len)
{
    doc_rec r;
    int rc = doc_get(ix, doc, &r);
    if (rc) return rc;
    uint32_t isize;
    const uint8_t *e = st_section(ix, ST_SEC_TEXT_INDEX, &isize) + (size_t)r.block * ST_TEXT_REC;
    uint32_t raw = st_get32(e + 8);
    if (raw > ix->max_block_bytes_) return st_corrupt();
    size_t out_room = ((size_t)raw + ST_ARENA_ALIGN - 1) & ~(size_t)(ST_ARENA_ALIGN - 1);
    if (!mem || mem_size < out_room) return STELE_ENOSPACE;
    uint8_t *out = mem;
    if ((rc = inflate_block(ix, r.block, out, raw, out + out_room, mem_size - out_room)) != 0)
        return rc;
    *text = (const char *)out + r.text_off;
    *len = r.text_len;
    return STELE_OK;
}

/* ---- Streaming stored text ------------------------------------------ */

/* The inflate window zlib allocates once output is not taken in one call
 * (1 << wbits bytes; slack for a zlib that rounds it up). */
#define ST_WINDOW_SLACK 64u

/* zalloc of the probe below: records what is asked and refuses it. */
static voidpf size_probe(voidpf opaque, uInt items, uInt size)
{
    *(size_t *)opaque = (size_t)items * size;
    return Z_NULL;
}

/* sizeof(struct inflate_state) of the zlib linked, which zlib.h does not
 * give: the size inflateInit2 asks of zalloc first, which the probe
 * refuses, so that inflateInit2 returns Z_MEM_ERROR having allocated
 * nothing.  ST_INFLATE_STATE_BYTES if a zlib asks nothing or more. */
static size_t inflate_state_bytes(const stele_index *ix)
{
    z_stream zs;
    size_t asked = 0;
    memset(&zs, 0, sizeof zs);
    zs.zalloc = size_probe;
    zs.zfree = arena_free;
    zs.opaque = &asked;
    if (inflateInit2(&zs, (int)ix->zlib_wbits_) != Z_MEM_ERROR || asked == 0 ||
        asked > ST_INFLATE_STATE_BYTES)
        return ST_INFLATE_STATE_BYTES;
    return asked;
}

size_t st_text_stream_bytes(const stele_index *ix)
{
    return sizeof(z_stream) + inflate_state_bytes(ix) + ((size_t)1 << ix->zlib_wbits_) +
           ST_WINDOW_SLACK + 4 * ST_ARENA_ALIGN;
}

/* Opens a stream on bytes [start, end) of stored-text block b, whose
 * uncompressed size is raw. */
static int text_open_range(st_text *t, const stele_index *ix, uint32_t b, uint32_t raw,
                           uint64_t start, uint64_t end, void *mem, size_t mem_size)
{
    uint32_t tsize, isize;
    const uint8_t *text = st_section(ix, ST_SEC_TEXT, &tsize);
    const uint8_t *e = st_section(ix, ST_SEC_TEXT_INDEX, &isize) + (size_t)b * ST_TEXT_REC;
    uint32_t off = st_get32(e), len = st_get32(e + 4);
    z_stream *zs;
    memset(t, 0, sizeof *t);
    if (!mem || mem_size < st_text_stream_bytes(ix)) return STELE_ENOSPACE;
    if ((uint64_t)off + len > tsize) return st_corrupt();
    t->a.base = mem;
    t->a.cap = mem_size;
    zs = arena_alloc(&t->a, 1, sizeof *zs);
    if (!zs) return STELE_ENOSPACE;
    memset(zs, 0, sizeof *zs);
    zs->zalloc = arena_alloc;
    zs->zfree = arena_free;
    zs->opaque = &t->a;
    zs->next_in = text + off;
    zs->avail_in = len;
    int zrc = inflateInit2(zs, (int)ix->zlib_wbits_);
    if (zrc != Z_OK) return zrc == Z_MEM_ERROR ? STELE_ENOSPACE : STELE_EINVAL;
    t->zs = zs;
    t->ix = ix;
    t->raw = raw;
    t->at = 0;
    t->start = start;
    t->end = end;
    return STELE_OK;
}

/* Inflates up to n bytes into out (n > 0); *got gets how many (0 only at
 * the stream's end). */
static int text_inflate(st_text *t, uint8_t *out, size_t n, size_t *got)
{
    z_stream *zs = t->zs;
    uint32_t zsize;
    const uint8_t *zdict = st_section(t->ix, ST_SEC_ZDICT, &zsize);
    *got = 0;
    if (t->ended) return STELE_OK;
    zs->next_out = out;
    zs->avail_out = n > 0xFFFFFFFFu ? 0xFFFFFFFFu : (uInt)n;
    uInt want = zs->avail_out;
    for (;;) {
        int zrc = inflate(zs, Z_NO_FLUSH);
        if (zrc == Z_NEED_DICT) {
            if (zsize == 0 || inflateSetDictionary(zs, zdict, zsize) != Z_OK) return st_corrupt();
            continue;
        }
        if (zrc == Z_STREAM_END) {
            t->ended = 1;
            break;
        }
        if (zrc == Z_MEM_ERROR) return STELE_ENOSPACE; /* st_text_stream_bytes too small */
        if (zrc != Z_OK) return st_corrupt();          /* damage, or the input ran out */
        if (zs->avail_out == 0) break;
    }
    *got = want - zs->avail_out;
    if (*got > t->raw - t->at) return st_corrupt(); /* longer than its stated size */
    t->at += *got;
    return STELE_OK;
}

int st_text_open(st_text *t, const stele_index *ix, uint32_t doc, size_t from, void *mem,
                 size_t mem_size)
{
    doc_rec r;
    int rc = doc_get(ix, doc, &r);
    if (rc) {
        memset(t, 0, sizeof *t);
        return rc;
    }
    uint32_t isize;
    const uint8_t *e = st_section(ix, ST_SEC_TEXT_INDEX, &isize) + (size_t)r.block * ST_TEXT_REC;
    uint32_t raw = st_get32(e + 8);
    if (raw > ix->max_block_bytes_) {
        memset(t, 0, sizeof *t);
        return st_corrupt();
    }
    if (from > r.text_len) from = r.text_len;
    return text_open_range(t, ix, r.block, raw, (uint64_t)r.text_off + from,
                           (uint64_t)r.text_off + r.text_len, mem, mem_size);
}

int st_text_read(st_text *t, char *buf, size_t cap, size_t *n)
{
    size_t got;
    int rc;
    *n = 0;
    if (!t->zs) return STELE_EINVAL;
    /* skip to the range's start, inflating through buf */
    while (t->at < t->start) {
        size_t skip = t->start - t->at < cap ? (size_t)(t->start - t->at) : cap;
        if (skip == 0) return STELE_EINVAL;
        if ((rc = text_inflate(t, (uint8_t *)buf, skip, &got)) != 0) return rc;
        if (got == 0) return st_corrupt(); /* shorter than its stated size */
    }
    if (t->at >= t->end || cap == 0) return STELE_OK;
    if (cap > t->end - t->at) cap = (size_t)(t->end - t->at);
    while (*n < cap) {
        if ((rc = text_inflate(t, (uint8_t *)buf + *n, cap - *n, &got)) != 0) return rc;
        if (got == 0) return st_corrupt();
        *n += got;
    }
    return STELE_OK;
}

void st_text_close(st_text *t)
{
    if (t->zs) inflateEnd(t->zs);
    t->zs = NULL;
}

/* The chunk stele_doc_text_stream() passes to its callback. */
#define ST_TEXT_CHUNK 1024u

int stele_doc_text_stream(const stele_index *ix, uint32_t doc, void *mem, size_t mem_size,
                          stele_text_fn fn, void *ctx)
{
    st_text t;
    size_t n;
    int rc;
    if (!ix || !ix->data_ || !fn) return STELE_EINVAL;
    if (!mem || mem_size < ST_TEXT_CHUNK)
        return doc >= ix->n_docs_ ? STELE_ENOTFOUND : STELE_ENOSPACE;
    rc = st_text_open(&t, ix, doc, 0, (char *)mem + ST_TEXT_CHUNK, mem_size - ST_TEXT_CHUNK);
    while (rc == STELE_OK) {
        if ((rc = st_text_read(&t, mem, ST_TEXT_CHUNK, &n)) != 0 || n == 0) break;
        if (fn(ctx, mem, n) != 0) {
            rc = STELE_EINVAL;
            break;
        }
    }
    st_text_close(&t);
    return rc;
}

int stele_doc_text(const stele_index *ix, uint32_t doc, void *mem, size_t mem_size, char *out,
                   size_t out_cap, size_t *out_len)
{
    doc_rec r;
    st_text t;
    size_t len = 0, n;
    int rc;
    if (out_len) *out_len = 0;
    if (out && out_cap) out[0] = '\0';
    if (!ix || !ix->data_) return STELE_EINVAL;
    if ((rc = doc_get(ix, doc, &r)) != 0) return rc;
    if (out_len) *out_len = r.text_len;
    if (!mem || mem_size < st_text_stream_bytes(ix)) return STELE_ENOSPACE;
    if (!out || out_cap <= r.text_len) return STELE_ENOSPACE;
    /* straight into out: the workspace holds only zlib's state */
    rc = st_text_open(&t, ix, doc, 0, mem, mem_size);
    while (rc == STELE_OK && len < r.text_len) {
        if ((rc = st_text_read(&t, out + len, r.text_len - len, &n)) != 0) break;
        if (n == 0) rc = st_corrupt();
        len += n;
    }
    st_text_close(&t);
    if (rc) {
        out[0] = '\0';
        return rc;
    }
    out[len] = '\0';
    return STELE_OK;
}

int stele_doc_para_count(const stele_index *ix, uint32_t doc, uint32_t *n_paras)
{
    if (!ix || !n_paras) return STELE_EINVAL;
    *n_paras = 0;
    if (doc >= ix->n_docs_) return STELE_ENOTFOUND;
    return st_para_count(ix, doc, n_paras);
}

int stele_doc_para(const stele_index *ix, uint32_t doc, uint32_t i, stele_para *para)
{
    st_para_info pi;
    int rc;
    if (!ix || !para) return STELE_EINVAL;
    memset(para, 0, sizeof *para);
    if (doc >= ix->n_docs_) return STELE_ENOTFOUND;
    rc = st_para_get(ix, doc, i, &pi);
    if (rc) return rc;
    para->kind = pi.kind;
    para->field = pi.field;
    para->number = pi.number;
    para->text_off = pi.text_off;
    para->text_len = pi.text_len;
    return STELE_OK;
}

#ifndef STELE_OMIT_VERIFY
/* Scratch st_text_block_verify() inflates through. */
#define ST_VERIFY_CHUNK 512u

size_t st_text_verify_bytes(const stele_index *ix)
{
    return ST_VERIFY_CHUNK + st_text_stream_bytes(ix);
}

/* Checks block b of the stored text decodes to exactly its stated size,
 * streamed through a small scratch buffer (verify). */
int st_text_block_verify(const stele_index *ix, uint32_t b, void *mem, size_t mem_size)
{
    uint32_t isize;
    const uint8_t *e = st_section(ix, ST_SEC_TEXT_INDEX, &isize);
    st_text t;
    size_t got;
    int rc;
    if (b >= isize / ST_TEXT_REC) return STELE_ENOTFOUND;
    uint32_t raw = st_get32(e + (size_t)b * ST_TEXT_REC + 8);
    if (raw > ix->max_block_bytes_) return st_corrupt();
    if (!mem || mem_size < st_text_verify_bytes(ix)) return STELE_ENOSPACE;
    rc = text_open_range(&t, ix, b, raw, 0, raw, (uint8_t *)mem + ST_VERIFY_CHUNK,
                         mem_size - ST_VERIFY_CHUNK);
    do {
        if (rc == STELE_OK) rc = text_inflate(&t, mem, ST_VERIFY_CHUNK, &got);
    } while (rc == STELE_OK && got > 0);
    if (rc == STELE_OK && (!t.ended || t.at != raw || ((z_stream *)t.zs)->avail_in != 0))
        rc = st_corrupt();
    st_text_close(&t);
    return rc;
}
#endif /* STELE_OMIT_VERIFY */
