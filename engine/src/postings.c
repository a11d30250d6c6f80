/*
 * postings.c: iterating one (term, field) postings list and its positions
 * (layout in format.h, section POSTINGS and POSITIONS).
 *
 * An iterator reads each document and tf of a block of up to 128 where it
 * lies, one at a time (by index in a bit-packed block, in order in a Rice
 * run), with no array of decoded values, which keeps an iterator near 200
 * bytes;
 * a list of more than one block starts with a skip
 * table, so st_postings_advance() finds the block that can hold a target by
 * binary search over the blocks' last documents and decodes only that one.
 * Positions are read lazily: an iterator only counts, per block, how many
 * positions the documents before the current one hold (pos_index), and
 * decodes the deltas up to them, one at a time, only when positions are
 * asked for.  A skip
 * entry gives each block's positions offset, so a boolean query never
 * touches the POSITIONS section.
 *
 * Invariants checked while decoding, whatever the file says: every byte
 * read lies inside the list's range of its section; documents strictly
 * increase and are < n_docs; tf >= 1; positions strictly increase.  Any
 * violation is STELE_ECORRUPT through st_corrupt().
 */
#include <string.h>

#include "format.h"
#include "reader.h"

/* The list's byte range in the postings section, as pointers. */
static int list_bytes(const st_postings *p, const uint8_t **start, const uint8_t **end)
{
    uint32_t size;
    const uint8_t *sec = st_section(p->ix, ST_SEC_POSTINGS, &size);
    if (p->list.postings_off > size || p->list.postings_len > size - p->list.postings_off)
        return st_corrupt();
    *start = sec + p->list.postings_off;
    *end = *start + p->list.postings_len;
    return STELE_OK;
}

static int positions_bytes(const st_postings *p, const uint8_t **start, const uint8_t **end)
{
    uint32_t size;
    const uint8_t *sec = st_section(p->ix, ST_SEC_POSITIONS, &size);
    if (p->list.positions_off > size || p->list.positions_len > size - p->list.positions_off)
        return st_corrupt();
    *start = sec + p->list.positions_off;
    *end = *start + p->list.positions_len;
    return STELE_OK;
}

int st_postings_init(st_postings *p, const stele_index *ix, const st_list *list)
{
    memset(p, 0, sizeof *p);
    p->ix = ix;
    p->list = *list;
    p->doc = ST_DOC_END;
    if (list->df == 0 || list->df > ix->n_docs_) return st_corrupt();
    p->n_blocks = (list->df + ST_BLOCK - 1) / ST_BLOCK;
    p->block = p->n_blocks;
    const uint8_t *start = NULL, *end = NULL;
    int rc = list_bytes(p, &start, &end);
    if (rc) return rc;
    if ((rc = positions_bytes(p, &start, &end)) != 0) return rc;
    return STELE_OK;
}

enum { TF_PACKED = 0, TF_RICE = 1, TF_SMALL = 2 };

/* A build for size (-Os) reads entries and positions one at a time; the
 * others add fast paths (scan_packed(), st_rice_skip()) and inline the
 * unpacking into every decoding loop. */
#ifdef __OPTIMIZE_SIZE__
#define ST_SIZE_BUILD 1
#else
#define ST_SIZE_BUILD 0
#endif
#if defined(__GNUC__) && !ST_SIZE_BUILD
#define ST_HOT_INLINE inline __attribute__((always_inline))
#else
#define ST_HOT_INLINE
#endif

/* Value i of a run of 128 values of bits (0 .. 32) bits each, packed LSB
 * first (st_pack128, 16 * bits bytes); the caller checked the run's
 * bytes. */
static ST_HOT_INLINE uint32_t unpack_one(const uint8_t *in, unsigned bits, uint32_t i)
{
    uint64_t bit = (uint64_t)i * bits, v = 0;
    const uint8_t *b = in + (bit >> 3);
    unsigned shift = (unsigned)(bit & 7), n_bytes = (shift + bits + 7) / 8;
    if (bits == 0) return 0;
    if ((bit >> 3) + 8 <= 16u * bits) {
        v = st_get64(b); /* eight bytes inside the run: one load */
    } else {
        for (unsigned k = 0; k < n_bytes; k++)
            v |= (uint64_t)b[k] << (8 * k);
    }
    v >>= shift;
    return (uint32_t)(bits == 32 ? v : v & ((1ull << bits) - 1));
}

/* The tf of entry i of the current block.  A Rice run is read in order:
 * i must be the next one not yet read (the iterator only moves forward);
 * its last value also checks the run's padding and ends the block's
 * bytes (doc_off). */
static int tf_of(st_postings *p, uint32_t i, uint32_t *tf)
{
    uint32_t v;
    switch (p->tf_kind) {
    case TF_PACKED:
        v = unpack_one(p->tf_data, p->tf_bits, i);
        break;
    case TF_RICE:
        if (i != p->tf_done) return st_corrupt();
        if (!st_rice_read(p->tf_data, p->tf_nbits, &p->tf_at, p->tf_k, &v)) return st_corrupt();
        if (++p->tf_done == p->block_len) {
            if ((p->tf_at & 7) && (p->tf_data[p->tf_at >> 3] >> (p->tf_at & 7)) != 0)
                return st_corrupt();
            p->doc_off += 1 + (p->tf_at + 7) / 8; /* the k byte and the bits */
        }
        break;
    default:
        *tf = p->small_tf[i < 2 ? i : 1];
        return STELE_OK;
    }
    if (v == 0xFFFFFFFFu) return st_corrupt();
    *tf = v + 1;
    return STELE_OK;
}

/* Sums (and maxes) the block's tfs without moving the iterator: a Rice
 * run is read from its start and its cursor put back after. */
static int scan_tfs(st_postings *p, uint64_t *sum, uint32_t *max)
{
    uint64_t at = p->tf_at, doc_off = p->doc_off;
    uint32_t done = p->tf_done;
    int rc = STELE_OK;
    *sum = 0;
    *max = 0;
    if (p->tf_kind == TF_RICE) {
        p->tf_done = 0;
        p->tf_at = 0;
    }
    for (uint32_t i = 0; i < p->block_len && rc == STELE_OK; i++) {
        uint32_t tf = 0;
        rc = tf_of(p, i, &tf);
        *sum += tf;
        if (tf > *max) *max = tf;
    }
    p->tf_at = at;
    p->tf_done = done;
    p->doc_off = doc_off;
    return rc;
}

/* Document i of the current block into *doc, from base, the least value
 * it may take (one past the previous document; for i = 0, one past the
 * previous block's last).  A Rice run is read in order, so i must be the
 * next entry not yet read.  A document past the block's last is
 * corrupt. */
static int doc_of(st_postings *p, uint32_t i, uint64_t base, uint32_t *doc)
{
    uint32_t gap;
    if (p->tf_kind == TF_PACKED) {
        gap = unpack_one(p->doc_data, p->doc_bits, i);
    } else if (p->tf_kind == TF_RICE) {
        if (!st_rice_read(p->doc_data, p->doc_nbits, &p->doc_at, p->doc_k, &gap))
            return st_corrupt();
    } else {
        gap = p->small_doc[i < 2 ? i : 1];
    }
    if (base + gap > p->block_last) return st_corrupt();
    *doc = (uint32_t)(base + gap);
    return STELE_OK;
}

/* Moves onto entry in_block of the current block: its document (the
 * block's last entry must be block_last) and its tf. */
static int step_doc(st_postings *p, uint64_t base)
{
    uint32_t doc = 0; /* set by doc_of() whenever it succeeds */
    int rc = doc_of(p, p->in_block, base, &doc);
    if (rc) return rc;
    if (p->in_block + 1 == p->block_len && doc != p->block_last) return st_corrupt();
    p->doc = doc;
    return tf_of(p, p->in_block, &p->tf);
}

/* A one-block list stores no bounds and no last document: a first pass
 * over the block computes them, from its documents and the document
 * table (any document must be below n_docs meanwhile). */
static int one_block_bounds(st_postings *p)
{
    uint64_t sum, base = 0;
    uint32_t max, doc = 0;
    int rc;
    if ((rc = scan_tfs(p, &sum, &max)) != 0) return rc;
    p->rs.pos_total = sum;
    p->pos_total_known = 1;
    p->max_tf = max > ST_MAX_TF_SAT ? ST_MAX_TF_SAT : max;
    p->min_norm = 255;
    p->tfn = 0; /* no tfn bound */
    p->block_last = p->ix->n_docs_ - 1;
    for (uint32_t i = 0; i < p->block_len; i++) {
        uint8_t norm = 0;
        if ((rc = doc_of(p, i, base, &doc)) != 0) return rc;
        (void)st_doc_norm(p->ix, doc, p->list.field, &norm);
        p->min_norm = norm < p->min_norm ? norm : p->min_norm;
        base = (uint64_t)doc + 1;
    }
    p->block_last = doc;
    p->doc_at = 0; /* a Rice run is read again from its start */
    return STELE_OK;
}

/* Finds block b's documents and tfs (decoded one at a time later), and
 * points the positions at it. */
/* Counts work on the list (st_postings.steps), saturating. */
static void add_steps(st_postings *p, uint32_t n)
{
    p->steps = p->steps > UINT32_MAX - n ? UINT32_MAX : p->steps + n;
}

static int load_block(st_postings *p, uint32_t b)
{
    const uint8_t *start = NULL, *end = NULL, *q, *qstart = NULL, *qend = NULL;
    int rc = list_bytes(p, &start, &end);
    if (rc || (rc = positions_bytes(p, &qstart, &qend)) != 0) return rc;
    uint64_t next_doc = 0; /* the least value the block's first doc may take */
    if (p->n_blocks > 1) {
        uint64_t skip_bytes = (uint64_t)p->n_blocks * ST_SKIP_REC;
        if (skip_bytes > (uint64_t)(end - start)) return st_corrupt();
        const uint8_t *e = start + (size_t)b * ST_SKIP_REC;
        uint32_t boff = st_get32(e + 4), poff = st_get32(e + 8);
        if (boff < skip_bytes || boff >= (uint64_t)(end - start) ||
            poff > (uint64_t)(qend - qstart))
            return st_corrupt();
        p->block_last = st_get32(e);
        if (p->block_last >= p->ix->n_docs_) return st_corrupt();
        p->max_tf = st_get16(e + 12);
        p->min_norm = e[14];
        p->tfn = e[15];
        if (b > 0) next_doc = (uint64_t)st_get32(e - ST_SKIP_REC) + 1;
        if (b == 0 && poff != 0) return st_corrupt();
        q = start + boff;
        p->rs.pos_base = p->list.positions_off + poff;
    } else {
        q = start;
        p->rs.pos_base = p->list.positions_off;
    }
    p->rs.pos_total = 0;
    p->pos_total_known = 0;
    p->pos_index = 0;
    p->pos_entry = 0;
    p->rs.run_off = p->rs.pos_base;
    p->rs.run_first = 0;
    p->rs.next_pos = 0;
    p->rs.run_open = 0;
    uint32_t len = ST_BLOCK;
    if (b == p->n_blocks - 1 && p->list.df % ST_BLOCK) len = p->list.df % ST_BLOCK;
    p->block_len = len;
    add_steps(p, len);
    if (len == ST_BLOCK) {
        if (end - q < 2) return st_corrupt();
        unsigned gap_bits = q[0], tf_bits = q[1];
        q += 2;
        if (gap_bits > 32 || tf_bits > 32 || (size_t)(end - q) < 16u * (gap_bits + tf_bits))
            return st_corrupt();
        p->doc_data = q;
        p->doc_bits = (uint8_t)gap_bits;
        q += 16u * gap_bits;
        p->tf_kind = TF_PACKED;
        p->tf_bits = (uint8_t)tf_bits;
        p->tf_data = q;
        q += 16u * tf_bits;
        p->doc_off = (uint64_t)(q - start); /* end of the block, for verify */
    } else if (len >= ST_POSBLOCK_PACKED) {
        const uint8_t *run = q;
        uint64_t sum;
        /* the whole run is checked here, so that reading it later cannot
         * fail, and its end is where the tfs start */
        if (!st_posblock_sum(&q, end, len, &sum)) return st_corrupt();
        p->doc_k = run[0];
        p->doc_data = run + 1;
        p->doc_nbits = (uint64_t)(q - run - 1) * 8;
        p->doc_at = 0;
        if (q >= end || q[0] > 32) return st_corrupt();
        p->tf_kind = TF_RICE;
        p->tf_k = q[0];
        p->tf_data = q + 1;
        p->tf_nbits = (uint64_t)(end - q - 1) * 8;
        p->tf_at = 0;
        p->tf_done = 0;
        p->doc_off = (uint64_t)(q - start); /* + the run, once it is read */
    } else {
        for (uint32_t i = 0; i < len; i++) {
            uint64_t v;
            uint32_t tf = 1;
            if (!st_varint_get(&q, end, &v)) return st_corrupt();
            if (!(v & 1) && (!st_varint_get32(&q, end, &tf) || tf < 2)) return st_corrupt();
            if ((v >> 1) > 0xFFFFFFFFu) return st_corrupt();
            p->small_doc[i] = (uint32_t)(v >> 1);
            p->small_tf[i] = tf;
        }
        p->tf_kind = TF_SMALL;
        p->doc_off = (uint64_t)(q - start);
    }
    p->block = b;
    p->in_block = 0;
    if (p->n_blocks == 1 && (rc = one_block_bounds(p)) != 0) return rc;
    return step_doc(p, next_doc);
}

int st_postings_next(st_postings *p)
{
    int rc;
    if (!p->started) {
        p->started = 1;
        if ((rc = load_block(p, 0)) != 0) return rc;
        return 1;
    }
    if (p->doc == ST_DOC_END) return 0;
    if (p->pos_entry == p->in_block) { /* else a scan left it behind */
        p->pos_index += p->tf;
        p->pos_entry++;
    }
    if (++p->in_block == p->block_len) {
        if (p->block + 1 >= p->n_blocks) {
            p->doc = ST_DOC_END;
            p->tf = 0;
            return 0;
        }
        if ((rc = load_block(p, p->block + 1)) != 0) return rc;
        return 1;
    }
    if ((rc = step_doc(p, (uint64_t)p->doc + 1)) != 0) return rc;
    return 1;
}

/* st_postings_advance() within a bit-packed block, in one tight loop
 * over the gaps: only the entry it stops at has its tf read, and
 * pos_entry stays behind for sync_positions() (a boolean query never
 * needs the others').  Returns 1 on the first document >= target, 0 at
 * the block's last entry when all are below target. */
#if !ST_SIZE_BUILD
static int scan_packed(st_postings *p, uint32_t target)
{
    const uint8_t *gaps = p->doc_data, *tfs = p->tf_data;
    const unsigned db = p->doc_bits, tb = p->tf_bits;
    uint64_t doc = p->doc;
    uint32_t i = p->in_block, n = p->block_len, v;
    while (doc < target && i + 1 < n) {
        i++;
        doc += 1 + (uint64_t)unpack_one(gaps, db, i);
    }
    v = unpack_one(tfs, tb, i);
    if (v == 0xFFFFFFFFu || doc > p->block_last || (i + 1 == n && doc != p->block_last))
        return st_corrupt();
    p->in_block = i;
    p->doc = (uint32_t)doc;
    p->tf = v + 1;
    return doc >= target;
}
#endif

int st_postings_advance(st_postings *p, uint32_t target)
{
    int rc;
    if (!p->started && (rc = st_postings_next(p)) <= 0) return rc;
    if (p->doc == ST_DOC_END) return 0;
    if (p->doc >= target) return 1;
    if (p->n_blocks > 1 && target > p->block_last) {
        /* First block after this one whose last doc is >= target. */
        const uint8_t *start = NULL, *end = NULL;
        if ((rc = list_bytes(p, &start, &end)) != 0) return rc;
        if ((uint64_t)p->n_blocks * ST_SKIP_REC > (uint64_t)(end - start)) return st_corrupt();
        uint32_t lo = p->block + 1, hi = p->n_blocks;
        while (lo < hi) {
            uint32_t mid = lo + (hi - lo) / 2;
            if (st_get32(start + (size_t)mid * ST_SKIP_REC) < target)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo == p->n_blocks) {
            p->in_block = p->block_len;
            p->block = p->n_blocks;
            p->doc = ST_DOC_END;
            p->tf = 0;
            return 0;
        }
        if ((rc = load_block(p, lo)) != 0) return rc;
    }
#if !ST_SIZE_BUILD
    if (p->tf_kind == TF_PACKED && p->doc < target && (rc = scan_packed(p, target)) != 0) return rc;
#endif
    while (p->doc < target)
        if ((rc = st_postings_next(p)) <= 0) return rc;
    return 1;
}

int st_postings_block_max(const st_postings *p, uint32_t *max_tf, uint8_t *min_norm)
{
    if (!p->started || p->doc == ST_DOC_END) return STELE_EINVAL;
    *max_tf = p->max_tf;
    *min_norm = p->min_norm;
    return STELE_OK;
}

int st_postings_bound(st_postings *p, uint32_t d, uint32_t *first, uint32_t *last, uint32_t *max_tf,
                      uint8_t *min_norm, uint8_t *tfn, uint32_t *block)
{
    if (!p->started || p->doc == ST_DOC_END) return 0;
    if (p->doc >= d || d <= p->block_last) {
        /* The current block holds every document in [d, its last]. */
        *first = p->doc >= d ? p->doc : d;
        *last = p->block_last;
        *max_tf = p->max_tf;
        *min_norm = p->min_norm;
        *tfn = p->tfn;
        *block = p->block;
        return 1;
    }
    if (p->n_blocks <= 1) return 0;
    if (p->sh_block <= p->block || p->sh_last < d) {
        /* First later block whose last document is >= d, by its skip
         * entry: a gallop from the last one looked up, then a binary
         * search. */
        const uint8_t *start = NULL, *end = NULL;
        int rc = list_bytes(p, &start, &end);
        if (rc) return rc;
        if ((uint64_t)p->n_blocks * ST_SKIP_REC > (uint64_t)(end - start)) return st_corrupt();
        uint32_t lo = p->block + 1 > p->sh_block ? p->block + 1 : p->sh_block, hi, step = 1;
        hi = lo;
        while (hi < p->n_blocks && st_get32(start + (size_t)hi * ST_SKIP_REC) < d) {
            lo = hi + 1;
            hi += step;
            step *= 2;
        }
        if (hi > p->n_blocks) hi = p->n_blocks;
        while (lo < hi) {
            uint32_t mid = lo + (hi - lo) / 2;
            if (st_get32(start + (size_t)mid * ST_SKIP_REC) < d)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo >= p->n_blocks) return 0;
        const uint8_t *e = start + (size_t)lo * ST_SKIP_REC;
        p->sh_block = lo;
        p->sh_last = st_get32(e);
        p->sh_max_tf = st_get16(e + 12);
        p->sh_min_norm = e[14];
        p->sh_tfn = e[15];
    }
    *first = d;
    *last = p->sh_last;
    *max_tf = p->sh_max_tf;
    *min_norm = p->sh_min_norm;
    *tfn = p->sh_tfn;
    *block = p->sh_block;
    return 1;
}

/*
 * Decodes the next position delta of the current block into *v.  The
 * block's deltas are runs of 128 and a last shorter run, each coded by
 * st_posblock_put(), so a run is full exactly when 128 more values remain.
 * Values are decoded one at a time, with no buffer: a run is opened when
 * its first value is wanted and closed (its padding checked, run_off moved
 * past it) as soon as its last one is read, so after the block's last
 * value run_off is the end of the block's positions.
 */
static int next_delta(st_runstate *r, const uint8_t *qsec, const uint8_t *qend, uint32_t *v)
{
    if (r->next_pos >= r->pos_total) return st_corrupt();
    if (r->run_off > (uint64_t)(qend - qsec)) return st_corrupt();
    const uint8_t *run = qsec + r->run_off;
    if (!r->run_open) {
        uint64_t left = r->pos_total - r->run_first;
        r->run_n = left < ST_BLOCK ? (uint32_t)left : ST_BLOCK;
        r->run_at = 0;
        if (r->run_n < ST_POSBLOCK_PACKED) {
            r->run_k = ST_RUN_VARINT;
        } else {
            if (run >= qend || run[0] > 32) return st_corrupt();
            r->run_k = run[0];
        }
        r->run_open = 1;
    }
    uint64_t end_off;
    if (r->run_k == ST_RUN_VARINT) {
        const uint8_t *q = run + r->run_at;
        if (!st_varint_get32(&q, qend, v)) return st_corrupt();
        r->run_at = (uint64_t)(q - run);
        end_off = r->run_at;
    } else {
        uint64_t n_bits = (uint64_t)(qend - run - 1) * 8;
        if (!st_rice_read(run + 1, n_bits, &r->run_at, r->run_k, v)) return st_corrupt();
        end_off = 1 + (r->run_at + 7) / 8;
    }
    r->next_pos++;
    if (r->next_pos == r->run_first + r->run_n) {
        /* The run's last value: unused bits of its last byte must be 0. */
        if (r->run_k != ST_RUN_VARINT && (r->run_at & 7) &&
            (run[1 + (r->run_at >> 3)] >> (r->run_at & 7)) != 0)
            return st_corrupt();
        r->run_off += end_off;
        r->run_first = r->next_pos;
        r->run_open = 0;
    }
    return STELE_OK;
}

/* Moves p's run state to the current document's first position: from the
 * block's first run if it was read past it, skipping the deltas of the
 * documents before. */
static int sync_positions(st_postings *p, const uint8_t *qsec, const uint8_t *qend)
{
    int rc;
    if (!ST_SIZE_BUILD && p->pos_entry < p->in_block) {
        /* A packed scan passed these entries without their tfs. */
        if (p->tf_kind != TF_PACKED) return st_corrupt();
        for (uint32_t i = p->pos_entry; i < p->in_block; i++) {
            uint32_t v = unpack_one(p->tf_data, p->tf_bits, i);
            if (v == 0xFFFFFFFFu) return st_corrupt();
            p->pos_index += (uint64_t)v + 1;
        }
        p->pos_entry = (uint8_t)p->in_block;
    }
    if (!p->pos_total_known) {
        uint32_t max;
        if ((rc = scan_tfs(p, &p->rs.pos_total, &max)) != 0) return rc;
        p->pos_total_known = 1;
    }
    if (p->rs.next_pos > p->pos_index) {
        /* Read before: start over from the block's first run. */
        p->rs.run_off = p->rs.pos_base;
        p->rs.run_first = 0;
        p->rs.next_pos = 0;
        p->rs.run_open = 0;
    }
    while (p->rs.next_pos < p->pos_index) {
        uint32_t skipped;
        st_runstate *r = &p->rs;
        /* Inside an open Rice run, all but its last value in one loop
         * (next_delta() closes the run, checking its padding). */
        if (!ST_SIZE_BUILD && r->run_open && r->run_k != ST_RUN_VARINT &&
            r->next_pos + 1 < r->run_first + r->run_n && r->run_off < (uint64_t)(qend - qsec)) {
            const uint8_t *run = qsec + r->run_off;
            uint64_t n_bits = (uint64_t)(qend - run - 1) * 8, at = r->run_at;
            uint64_t m = r->run_first + r->run_n - 1 - r->next_pos;
            uint64_t want = p->pos_index - r->next_pos;
            unsigned k = r->run_k;
            if (m > want) m = want;
            if (!st_rice_skip(run + 1, n_bits, &at, k, m)) return st_corrupt();
            r->run_at = at;
            r->next_pos += m;
            add_steps(p, (uint32_t)m);
            continue;
        }
        if ((rc = next_delta(r, qsec, qend, &skipped)) != 0) return rc;
        add_steps(p, 1);
    }
    return STELE_OK;
}

int st_poscur_open(st_poscur *c, st_postings *p)
{
    uint32_t qsize;
    const uint8_t *qsec = st_section(p->ix, ST_SEC_POSITIONS, &qsize);
    const uint8_t *qend = qsec + p->list.positions_off + p->list.positions_len;
    int rc;
    if (!p->started || p->doc == ST_DOC_END) return STELE_EINVAL;
    if ((rc = sync_positions(p, qsec, qend)) != 0) return rc;
    c->sec = qsec;
    c->end = qend;
    c->rs = p->rs;
    c->left = p->tf;
    add_steps(p, p->tf);
    c->pos = 0;
    c->started = 0;
    return STELE_OK;
}

int st_poscur_next(st_poscur *c)
{
    uint32_t v;
    int rc;
    if (c->left == 0) return 0;
    if ((rc = next_delta(&c->rs, c->sec, c->end, &v)) != 0) return rc;
    if (!c->started) {
        c->pos = v;
        c->started = 1;
    } else {
        /* deltas after a document's first are >= 1; the sum stays in 32 bits */
        if (v == 0 || v > UINT32_MAX - c->pos) return st_corrupt();
        c->pos += v;
    }
    c->left--;
    return 1;
}

/*
 * Decodes the current document's positions; with pos == NULL only checks
 * them (used by verify): each must be below limit and fall on a token of a
 * paragraph of the list's field.
 */
static int read_positions(st_postings *p, uint32_t *pos, uint32_t limit)
{
    uint32_t qsize;
    const uint8_t *qsec = st_section(p->ix, ST_SEC_POSITIONS, &qsize);
    const uint8_t *qend = qsec + p->list.positions_off + p->list.positions_len;
    int rc;
    uint64_t at = 0;
    if ((rc = sync_positions(p, qsec, qend)) != 0) return rc;
    for (uint32_t i = 0; i < p->tf; i++) {
        uint32_t v;
        if ((rc = next_delta(&p->rs, qsec, qend, &v)) != 0) return rc;
        if ((i > 0 && v == 0) || v >= limit) return st_corrupt();
        at = i == 0 ? v : at + v; /* at, v < 2^32: no overflow */
        if (at >= limit) return st_corrupt();
        if (pos) {
            pos[i] = (uint32_t)at;
        } else {
            /* Verifying: the position must be a token of a paragraph of
             * the list's field. */
            st_para_info para;
            if ((rc = st_para_at(p->ix, p->doc, (uint32_t)at, &para)) != 0)
                return rc == STELE_ENOTFOUND ? st_corrupt() : rc;
            if (para.field != p->list.field || at < para.first_pos ||
                at - para.first_pos >= para.n_tokens)
                return st_corrupt();
        }
    }
    return STELE_OK;
}

int st_postings_positions(st_postings *p, uint32_t *pos, uint32_t cap, uint32_t *n)
{
    if (!p->started || p->doc == ST_DOC_END) return STELE_EINVAL;
    *n = p->tf;
    if (cap < p->tf) return STELE_ENOSPACE;
    return read_positions(p, pos, 0xFFFFFFFFu);
}

#ifndef STELE_OMIT_VERIFY
/*
 * Walks a whole list, checking what the iterator alone does not: the
 * document count, skip entries against the blocks (last doc, offsets,
 * largest tf, smallest norm, tfn code), every position (ascending, below the
 * document's position count), and that the list's postings and positions
 * bytes are used exactly.  *tokens gets the sum of tf.
 */
int st_postings_verify(st_postings *p, uint64_t *tokens)
{
    const uint8_t *start = NULL, *end = NULL;
    uint64_t n = 0, sum = 0;
    uint32_t block_max_tf = 0, block = 0;
    uint8_t block_min_norm = 255;
    double block_tfn = 0, avg = st_field_avg_len(p->ix, p->list.field);
    int rc;
    if ((rc = list_bytes(p, &start, &end)) != 0) return rc;
    while ((rc = st_postings_next(p)) == 1) {
        if (p->block != block) {
            block = p->block;
            block_max_tf = 0;
            block_min_norm = 255;
            block_tfn = 0;
        }
        uint8_t norm;
        uint32_t limit;
        if ((rc = st_doc_norm(p->ix, p->doc, p->list.field, &norm)) != 0 ||
            (rc = st_doc_pos_limit(p->ix, p->doc, &limit)) != 0)
            return rc;
        if (norm == 0) return st_corrupt(); /* a posting in an empty field */
        if (p->tf > block_max_tf) block_max_tf = p->tf;
        if (norm < block_min_norm) block_min_norm = norm;
        if (p->n_blocks > 1 && avg > 0) {
            double tfn = st_tfn(p->tf, norm, avg);
            if (tfn > block_tfn) block_tfn = tfn;
        }
        if ((rc = read_positions(p, NULL, limit)) != 0) return rc;
        n++;
        sum += p->tf;
        if (p->in_block + 1 == p->block_len) {
            /* Last document of the block: the stored bounds must be exact,
             * and the next block (or the list's end) must follow. */
            uint32_t want_tf = block_max_tf > ST_MAX_TF_SAT ? ST_MAX_TF_SAT : block_max_tf;
            uint8_t want_tfn = p->n_blocks > 1 && avg > 0 ? st_tfn_code(block_tfn) : 0;
            if (p->max_tf != want_tf || p->min_norm != block_min_norm || p->tfn != want_tfn)
                return st_corrupt();
            uint64_t next_off = p->list.postings_len;
            if (p->block + 1 < p->n_blocks)
                next_off = st_get32(start + (size_t)(p->block + 1) * ST_SKIP_REC + 4);
            if (p->doc_off != next_off) return st_corrupt();
            uint64_t pos_end = p->list.positions_off + p->list.positions_len;
            if (p->block + 1 < p->n_blocks)
                pos_end = p->list.positions_off +
                          st_get32(start + (size_t)(p->block + 1) * ST_SKIP_REC + 8);
            if (p->rs.run_off != pos_end) return st_corrupt();
        }
    }
    if (rc < 0) return rc;
    if (n != p->list.df) return st_corrupt();
    if (p->n_blocks > 1 && st_get32(start + 4) != (uint64_t)p->n_blocks * ST_SKIP_REC)
        return st_corrupt();
    *tokens = sum;
    return STELE_OK;
}
#endif /* STELE_OMIT_VERIFY */
