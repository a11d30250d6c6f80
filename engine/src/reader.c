/*
 * reader.c: opening an index, its header and sections, and the term
 * dictionary (see format.h for the layout).
 *
 * stele_open() trusts nothing, in a cost that does not grow with the index
 * (but for 12 bytes per stored-text block): it checks the magic, the
 * version, the header's own CRC, that the section table is complete,
 * ordered, aligned, zero-padded and inside the data, and every header
 * value against the sections it describes: DICT_INDEX, DOCS and NORMS sizes,
 * field names, term, document, token and position counts against the
 * smallest encodings of their sections (check_header_values), and the
 * stored-text index, whose largest block sizes the workspace
 * (check_text_index).  It does not compute the sections' CRCs: that is
 * O(size), and stele_check_crc() and stele_verify() do it.  Memory safety
 * never rests on a CRC, which only catches accidents (a crafted file
 * carries valid CRCs over nonsense): every later read checks its offsets
 * against its section.
 *
 * What is checked where, and why a search is memory-safe without verify.
 *   Open, O(1) in the index size: everything in format.h's HEADER, the
 *   section table, the sizes the header implies, the field names, the
 *   counts against their sections' least encodings, the stored-text index
 *   (tiling TEXT, ratios, exact largest block).
 *   Only stele_verify(), O(size): the sections' CRCs; dictionary order and
 *   the lists tiling POSTINGS and POSITIONS; every list's blocks, skip
 *   entries and positions; ids, titles and paragraph streams tiling their
 *   sections; norms; the header's token totals and largest position being
 *   exact; every text block inflating to its size.
 *   Every reader function takes what open did not check as untrusted: a
 *   dictionary entry's offsets and lengths are checked against POSTINGS
 *   and POSITIONS before use (dict_entry), a postings or positions decoder
 *   stops at its list's end and bounds every count by ST_BLOCK or the
 *   list's bytes (postings.c), a document record's offsets are checked
 *   against STRINGS, PARAS and TEXT_INDEX and a text block's size against
 *   the largest block, which sized the workspace (doctable.c), and every
 *   query structure is sized from the query, not from the index
 *   (query_eval.c).  So damage the CRCs would have caught gives
 *   STELE_ECORRUPT or wrong hits, never an out-of-bounds read; the
 *   crafted-index suite (tests/test_corrupt.c) drives all of it over
 *   CRC-valid mutations, under ASan and UBSan in CI.
 *
 * Dictionary access: a binary search over the blocks' first terms (each a
 * block's first entry, stored whole) finds the only block that can hold a
 * key, and one scan of at most ST_DICT_BLOCK front-coded entries finds it.
 * The entry decoder (dict_entry) is shared by lookup and enumeration; it
 * rebuilds the term from the previous one, so a cursor carries the
 * previous term and the running list offsets.  Most entries leave their
 * list lengths out (format.h, DICT), so the decoder also reads the head
 * of each list in POSTINGS and POSITIONS (list_lengths), checked like any
 * other read.
 */
#include <string.h>

#include "analyze.h"
#include "format.h"
#include "lexicon.h"
#include "reader.h"
#include "zlib.h"

int st_corrupt(void)
{
    return STELE_ECORRUPT;
}

const char *stele_strerror(int code)
{
    switch (code) {
    case STELE_OK:
        return "success";
    case STELE_ENOSPACE:
        return "workspace or output buffer too small";
    case STELE_ECORRUPT:
        return "index data is damaged or truncated";
    case STELE_EVERSION:
        return "index written by an unknown format version";
    case STELE_ESYNTAX:
        return "malformed query";
    case STELE_ELIMIT:
        return "query exceeds a limit";
    case STELE_EINVAL:
        return "invalid argument";
    case STELE_ENOTFOUND:
        return "not found";
    case STELE_EIO:
        return "input/output error";
    case STELE_ENOMEM:
        return "out of memory";
    case STELE_EINPUT:
        return "bad input text or file";
    case STELE_EABI:
        return "program built against another stele.h than the library";
    default:
        return "unknown error";
    }
}

const char *stele_para_kind_name(int kind)
{
    switch (kind) {
    case STELE_PARA_TITLE:
        return "title";
    case STELE_PARA_PREAMBLE:
        return "preambular para";
    case STELE_PARA_OPERATIVE:
        return "operative para";
    case STELE_PARA_FOOTNOTE:
        return "footnote";
    case STELE_PARA_TEXT:
        return "text";
    case STELE_PARA_HEADING:
        return "heading";
    case STELE_PARA_FIELD:
        return "field";
    default:
        return "unknown";
    }
}

static const char *const section_names[ST_N_SECTIONS] = {
    "fields", "dict-index", "dict", "postings",  "positions", "docs", "strings",
    "paras",  "text-index", "text", "text-dict", "lexicon",   "norms"};

const uint8_t *st_section(const stele_index *ix, unsigned id, uint32_t *size)
{
    *size = ix->sec_[id].size;
    return ix->data_ + ix->sec_[id].offset;
}

static int open_fail(stele_index *ix, int rc)
{
    memset(ix, 0, sizeof *ix);
    return rc;
}

/* CRC32 of the header with its CRC field counted as zero. */
static uint32_t header_crc(const uint8_t *h, uint32_t n)
{
    static const uint8_t zero[4] = {0, 0, 0, 0};
    uLong crc = crc32(0L, Z_NULL, 0);
    crc = crc32(crc, h, ST_H_CRC);
    crc = crc32(crc, zero, 4);
    crc = crc32(crc, h + ST_H_CRC + 4, n - ST_H_CRC - 4);
    return (uint32_t)crc;
}

/*
 * The stored-text index: blocks tile TEXT in order, none inflates past
 * what deflate can reach, and the header's largest block is the largest
 * one.  12 bytes read per stored-text block, the only part of open that
 * grows with the index (a block holds about 32 KB of text).
 */
static int check_text_index(const stele_index *ix)
{
    uint32_t isize, tsize;
    const uint8_t *ti = st_section(ix, ST_SEC_TEXT_INDEX, &isize);
    (void)st_section(ix, ST_SEC_TEXT, &tsize);
    uint64_t text_end = 0;
    uint32_t max_raw = 0;
    for (uint32_t b = 0; b < isize / ST_TEXT_REC; b++) {
        const uint8_t *e = ti + (size_t)b * ST_TEXT_REC;
        uint32_t zlen = st_get32(e + 4), raw = st_get32(e + 8);
        if (st_get32(e) != text_end || (uint64_t)raw > (uint64_t)zlen * ST_DEFLATE_MAX_RATIO)
            return st_corrupt();
        text_end += zlen;
        if (raw > max_raw) max_raw = raw;
    }
    if (text_end != tsize || max_raw != ix->max_block_bytes_) return st_corrupt();
    return STELE_OK;
}

/*
 * Header values against the sections they describe, each in O(1): a
 * crafted header with valid CRCs cannot make the workspace bound or any
 * count disagree with what the sections can hold.  The lower limits
 * follow from the smallest encodings (format.h): a dictionary entry takes
 * at least 3 bytes (lengths, one suffix byte, df), a paragraph stream at
 * least 4 (four vints), a position at least one bit; a document of t
 * tokens has at most t - 1 gaps, so no position reaches 2 t.
 */
static int check_header_values(const stele_index *ix)
{
    uint64_t dsize = ix->sec_[ST_SEC_DICT].size, qsize = ix->sec_[ST_SEC_POSITIONS].size;
    uint64_t psize = ix->sec_[ST_SEC_POSTINGS].size;
    if ((uint64_t)ix->n_terms_ * 3 > dsize || (ix->n_terms_ == 0) != (dsize == 0) ||
        (ix->n_terms_ == 0) != (psize == 0) || (ix->n_terms_ == 0) != (ix->n_tokens_ == 0))
        return st_corrupt();
    if (ix->n_tokens_ > qsize * 8 || (ix->n_tokens_ > 0 && ix->n_docs_ == 0)) return st_corrupt();
    if ((uint64_t)ix->n_docs_ * 4 > ix->sec_[ST_SEC_PARAS].size) return st_corrupt();
    if ((ix->max_doc_pos_ == 0) != (ix->n_tokens_ == 0) ||
        (uint64_t)ix->max_doc_pos_ > 2 * ix->n_tokens_)
        return st_corrupt();
    return STELE_OK;
}

int stele_open_(stele_index *ix, const void *data, size_t size, unsigned abi, size_t ix_bytes)
{
    if (abi != STELE_ABI_VERSION || ix_bytes != sizeof(stele_index))
        return STELE_EABI; /* *ix may be laid out differently: not written */
    if (!ix) return STELE_EINVAL;
    memset(ix, 0, sizeof *ix);
    const uint8_t *d = data;
    if (!d || size < ST_HEADER_FIXED || memcmp(d, ST_MAGIC, ST_MAGIC_BYTES) != 0) goto corrupt;
    if (st_get32(d + ST_H_VERSION) != ST_FORMAT_VERSION) return open_fail(ix, STELE_EVERSION);
    uint32_t header_bytes = st_get32(d + ST_H_HEADER_BYTES);
    uint32_t n_sections = st_get32(d + ST_H_N_SECTIONS);
    uint32_t want_header =
        (ST_HEADER_FIXED + ST_SECTION_ENTRY * ST_N_SECTIONS + ST_ALIGN - 1) & ~(ST_ALIGN - 1);
    if (n_sections != ST_N_SECTIONS || header_bytes != want_header || header_bytes > size)
        goto corrupt;
    if (header_crc(d, header_bytes) != st_get32(d + ST_H_CRC)) goto corrupt;

    ix->data_ = d;
    ix->size_ = size;
    ix->version_ = ST_FORMAT_VERSION;
    ix->flags_ = st_get32(d + ST_H_FLAGS);
    ix->n_docs_ = st_get32(d + ST_H_N_DOCS);
    ix->n_terms_ = st_get32(d + ST_H_N_TERMS);
    ix->n_fields_ = st_get32(d + ST_H_N_FIELDS);
    ix->norm_version_ = st_get32(d + ST_H_NORM_VERSION);
    ix->max_block_bytes_ = st_get32(d + ST_H_MAX_BLOCK);
    ix->zlib_wbits_ = st_get32(d + ST_H_WBITS);
    ix->n_sections_ = n_sections;
    if (ix->norm_version_ != ST_NORM_VERSION)
        return open_fail(ix, STELE_EVERSION); /* queries would be analysed differently */
    if (ix->flags_ & ~ST_FLAG_ZDICT || ix->n_fields_ < 1 || ix->n_fields_ > STELE_MAX_FIELDS ||
        ix->zlib_wbits_ < 9 || ix->zlib_wbits_ > 15)
        goto corrupt;
    memcpy(ix->language_, d + ST_H_LANGUAGE, ST_H_LANGUAGE_BYTES);
    if (memchr(ix->language_, 0, sizeof ix->language_) == NULL) goto corrupt;
    for (unsigned f = 0; f < STELE_MAX_FIELDS; f++) {
        uint64_t tokens = st_get64(d + ST_H_TOKENS + 8 * f);
        ix->field_weight_q_[f] = d[ST_H_WEIGHTS + f];
        if (f >= ix->n_fields_ ? (tokens != 0 || ix->field_weight_q_[f] != 0)
                               : ix->field_weight_q_[f] == 0)
            goto corrupt;
        ix->n_tokens_ += tokens;
        if (ix->n_tokens_ < tokens) goto corrupt;
        ix->avg_len_[f] = ix->n_docs_ ? (double)tokens / ix->n_docs_ : 0.0;
    }

    uint64_t prev_end = header_bytes;
    for (unsigned i = 0; i < n_sections; i++) {
        const uint8_t *e = d + ST_HEADER_FIXED + ST_SECTION_ENTRY * i;
        uint32_t id = st_get32(e), off = st_get32(e + 4), len = st_get32(e + 8);
        if (id != i || off % ST_ALIGN || off < prev_end || off - prev_end >= ST_ALIGN ||
            (uint64_t)off + len > size)
            goto corrupt;
        for (uint64_t pad = prev_end; pad < off; pad++)
            if (d[pad] != 0) goto corrupt; /* padding is zero, so every byte counts */
        ix->sec_[i].offset = off;
        ix->sec_[i].size = len;
        prev_end = (uint64_t)off + len;
    }

    if (prev_end != size) goto corrupt; /* trailing bytes */

    /* Sizes the header implies. */
    uint64_t dict_blocks = ((uint64_t)ix->n_terms_ + ST_DICT_BLOCK - 1) / ST_DICT_BLOCK;
    if (ix->sec_[ST_SEC_DICT_INDEX].size != dict_blocks * ST_DICT_INDEX_REC ||
        ix->sec_[ST_SEC_DOCS].size != (uint64_t)ix->n_docs_ * ST_DOC_REC ||
        ix->sec_[ST_SEC_NORMS].size != (uint64_t)ix->n_docs_ * ix->n_fields_ ||
        ix->sec_[ST_SEC_TEXT_INDEX].size % ST_TEXT_REC ||
        ix->sec_[ST_SEC_ZDICT].size > ST_ZDICT_MAX ||
        ix->max_block_bytes_ > (uint64_t)ix->sec_[ST_SEC_TEXT].size * ST_DEFLATE_MAX_RATIO ||
        (ix->sec_[ST_SEC_ZDICT].size == 0) != !(ix->flags_ & ST_FLAG_ZDICT))
        goto corrupt;
    uint32_t fsize;
    const uint8_t *fp = st_section(ix, ST_SEC_FIELDS, &fsize);
    uint32_t at = 0;
    for (unsigned f = 0; f < ix->n_fields_; f++) {
        if (at >= fsize || fp[at] == 0 || fp[at] > STELE_MAX_FIELD_NAME || fsize - at - 1 < fp[at])
            goto corrupt;
        at += 1u + fp[at];
    }
    if (at != fsize) goto corrupt;
    if (st_lex_check_head(ix) != STELE_OK) goto corrupt;
    /* One past the largest position of any document; checked here against
     * the token count, and by stele_verify() against every document. */
    ix->max_doc_pos_ = st_get32(d + ST_H_MAX_POS);
    int rc = check_header_values(ix);
    if (rc == STELE_OK) rc = check_text_index(ix);
    if (rc != STELE_OK) return open_fail(ix, rc);
    return STELE_OK;
corrupt:
    return open_fail(ix, st_corrupt());
}

int stele_check_crc(const stele_index *ix)
{
    if (!ix || !ix->data_) return STELE_EINVAL;
    for (unsigned i = 0; i < ST_N_SECTIONS; i++) {
        const uint8_t *e = ix->data_ + ST_HEADER_FIXED + ST_SECTION_ENTRY * i;
        uLong crc = crc32(0L, Z_NULL, 0);
        /* crc32() takes a uInt length: feed a large section in pieces */
        const uint8_t *p = ix->data_ + ix->sec_[i].offset;
        for (uint32_t left = ix->sec_[i].size; left > 0;) {
            uInt n = left > (1u << 30) ? (1u << 30) : (uInt)left;
            crc = crc32(crc, p, n);
            p += n;
            left -= n;
        }
        if ((uint32_t)crc != st_get32(e + 12)) return st_corrupt();
    }
    return STELE_OK;
}

void stele_index_info(const stele_index *ix, stele_info *info)
{
    memset(info, 0, sizeof *info);
    info->version = ix->version_;
    info->n_docs = ix->n_docs_;
    info->n_terms = ix->n_terms_;
    info->n_fields = ix->n_fields_;
    info->n_tokens = ix->n_tokens_;
    info->language = ix->language_;
    info->norm_version = ix->norm_version_;
    info->size = ix->size_;
}

int stele_section_info(const stele_index *ix, unsigned i, const char **name, size_t *size)
{
    if (i >= ix->n_sections_ || i >= ST_N_SECTIONS) return STELE_ENOTFOUND;
    if (name) *name = section_names[i];
    if (size) *size = ix->sec_[i].size;
    return STELE_OK;
}

int stele_field_name(const stele_index *ix, unsigned i, stele_view *name)
{
    if (i >= ix->n_fields_) return STELE_ENOTFOUND;
    uint32_t fsize, at = 0;
    const uint8_t *fp = st_section(ix, ST_SEC_FIELDS, &fsize);
    for (unsigned f = 0;; f++) {
        if (at >= fsize || fsize - at - 1 < fp[at]) return st_corrupt();
        if (f == i) break;
        at += 1u + fp[at];
    }
    name->data = (const char *)fp + at + 1;
    name->len = fp[at];
    return STELE_OK;
}

double st_field_weight(const stele_index *ix, unsigned field)
{
    return field < STELE_MAX_FIELDS ? ix->field_weight_q_[field] / 16.0 : 0.0;
}

double st_field_avg_len(const stele_index *ix, unsigned field)
{
    return field < STELE_MAX_FIELDS ? ix->avg_len_[field] : 0.0;
}

/* ---- Dictionary ------------------------------------------------------ */

static uint32_t dict_blocks(const stele_index *ix)
{
    return (uint32_t)(((uint64_t)ix->n_terms_ + ST_DICT_BLOCK - 1) / ST_DICT_BLOCK);
}

/* Entries in block b. */
static uint32_t block_entries(const stele_index *ix, uint32_t b)
{
    uint32_t first = b * ST_DICT_BLOCK;
    return ix->n_terms_ - first < ST_DICT_BLOCK ? ix->n_terms_ - first : ST_DICT_BLOCK;
}

/* Points c at the start of block b. */
static int cursor_at_block(const stele_index *ix, st_dict_cursor *c, uint32_t b)
{
    uint32_t isize;
    const uint8_t *bi = st_section(ix, ST_SEC_DICT_INDEX, &isize);
    memset(c, 0, sizeof *c);
    c->block = b;
    if (b >= dict_blocks(ix)) return STELE_OK; /* the end */
    const uint8_t *e = bi + (size_t)b * ST_DICT_INDEX_REC;
    c->off = st_get32(e);
    c->post_off = st_get32(e + 4);
    c->pos_off = st_get32(e + 8);
    return STELE_OK;
}

/*
 * The lengths a dictionary entry leaves out (format.h, DICT): for a list
 * of df_f < 128 documents, its postings bytes, found by decoding its one
 * partial block, and the sum of its tfs (*n_pos); when that is below 128
 * too, its positions bytes, from its one positions run.
 */
static int list_lengths(const stele_index *ix, const st_dict_cursor *c, uint32_t df_f,
                        uint64_t *plen, uint64_t *n_pos, uint64_t *qlen)
{
    uint32_t psize, qsize;
    const uint8_t *post = st_section(ix, ST_SEC_POSTINGS, &psize);
    const uint8_t *pos = st_section(ix, ST_SEC_POSITIONS, &qsize);
    const uint8_t *q = post + c->post_off, *pend = post + psize;
    uint64_t sum = 0, gaps;
    if (df_f < ST_POSBLOCK_PACKED) {
        for (uint32_t i = 0; i < df_f; i++) {
            uint64_t v;
            uint32_t tf = 1;
            if (!st_varint_get(&q, pend, &v)) return st_corrupt();
            if (!(v & 1) && (!st_varint_get32(&q, pend, &tf) || tf < 2)) return st_corrupt();
            sum += tf;
        }
    } else {
        if (!st_posblock_sum(&q, pend, df_f, &gaps) || !st_posblock_sum(&q, pend, df_f, &sum))
            return st_corrupt();
        sum += df_f;
    }
    *plen = (uint64_t)(q - (post + c->post_off));
    *n_pos = sum;
    if (sum < ST_BLOCK) {
        const uint8_t *r = pos + c->pos_off;
        if (!st_posblock_sum(&r, pos + qsize, (size_t)sum, &gaps)) return st_corrupt();
        *qlen = (uint64_t)(r - (pos + c->pos_off));
    }
    return STELE_OK;
}

/*
 * Decodes the entry at c->off, with c->term holding the previous term of
 * the block, into c->term and (when info is not NULL) *info.  Every length
 * is checked against the DICT section and the list offsets against
 * POSTINGS and POSITIONS.
 */
static int dict_entry(const stele_index *ix, st_dict_cursor *c, st_term_info *info)
{
    uint32_t dsize, psize = ix->sec_[ST_SEC_POSTINGS].size, qsize = ix->sec_[ST_SEC_POSITIONS].size;
    const uint8_t *dict = st_section(ix, ST_SEC_DICT, &dsize);
    if (c->off > dsize) return st_corrupt();
    const uint8_t *p = dict + c->off, *end = dict + dsize;
    uint32_t shared, suffix, df;
    if (!st_front_get(&p, end, &shared, &suffix)) return st_corrupt();
    if (shared > c->term_len || (c->in_block == 0 && shared != 0) ||
        suffix > STELE_MAX_TERM_BYTES - shared || shared + suffix == 0 ||
        (size_t)(end - p) < suffix)
        return st_corrupt();
    memcpy(c->term + shared, p, suffix);
    c->term_len = shared + suffix;
    c->term[c->term_len] = '\0';
    p += suffix;
    uint64_t df_mask;
    if (!st_varint_get(&p, end, &df_mask) || df_mask >> ix->n_fields_ > 0xFFFFFFFFu)
        return st_corrupt();
    df = (uint32_t)(df_mask >> ix->n_fields_);
    uint32_t mask = (uint32_t)(df_mask & ((1u << ix->n_fields_) - 1));
    if (mask == 0 || mask >> ix->n_fields_ || df == 0 || df > ix->n_docs_) return st_corrupt();
    if (info) {
        memset(info, 0, sizeof *info);
        info->term_ord = c->block * ST_DICT_BLOCK + c->in_block;
        info->df = df;
        info->field_mask = mask;
    }
    for (unsigned f = 0; f < ix->n_fields_; f++) {
        if (!(mask >> f & 1)) continue;
        uint32_t df_f;
        uint64_t plen = 0, qlen = 0, n_pos = ST_BLOCK;
        df_f = df;
        if ((mask & (mask - 1)) && !st_varint_get32(&p, end, &df_f)) return st_corrupt();
        if (df_f == 0 || df_f > df || c->post_off > psize || c->pos_off > qsize)
            return st_corrupt();
        int rc = df_f < ST_BLOCK                 ? list_lengths(ix, c, df_f, &plen, &n_pos, &qlen)
                 : st_varint_get(&p, end, &plen) ? STELE_OK
                                                 : st_corrupt();
        if (rc) return rc;
        if (n_pos >= ST_BLOCK && !st_varint_get(&p, end, &qlen)) return st_corrupt();
        if (plen > psize - (uint64_t)c->post_off || qlen > qsize - (uint64_t)c->pos_off)
            return st_corrupt();
        if (info) {
            st_list *l = &info->list[f];
            l->df = df_f;
            l->field = f;
            l->postings_off = c->post_off;
            l->postings_len = plen;
            l->positions_off = c->pos_off;
            l->positions_len = qlen;
            l->n_positions = df_f < ST_BLOCK ? n_pos : 0;
        }
        c->post_off += plen;
        c->pos_off += qlen;
    }
    c->off = (uint64_t)(p - dict);
    c->in_block++;
    return STELE_OK;
}

static int term_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
    int r = memcmp(a, b, alen < blen ? alen : blen);
    if (r) return r;
    return alen < blen ? -1 : alen > blen;
}

/* Block b's first term, read in place (*term, *len): a block's first
 * entry is stored whole, so a probe of the binary search needs neither a
 * cursor nor the entry's lists, which dict_entry() would read for their
 * lengths.  Its bytes are checked as dict_entry() checks them; the rest
 * of the entry is checked when a scan decodes it. */
static int block_first(const stele_index *ix, uint32_t b, const char **term, size_t *len)
{
    uint32_t isize, dsize, shared, suffix;
    const uint8_t *bi = st_section(ix, ST_SEC_DICT_INDEX, &isize);
    const uint8_t *dict = st_section(ix, ST_SEC_DICT, &dsize);
    uint32_t off = st_get32(bi + (size_t)b * ST_DICT_INDEX_REC); /* b < dict_blocks */
    if (off >= dsize) return st_corrupt();
    const uint8_t *p = dict + off, *end = dict + dsize;
    if (!st_front_get(&p, end, &shared, &suffix)) return st_corrupt();
    if (shared != 0 || suffix == 0 || suffix > STELE_MAX_TERM_BYTES || (size_t)(end - p) < suffix)
        return st_corrupt();
    *term = (const char *)p;
    *len = suffix;
    return STELE_OK;
}

/* The last block whose first term is <= key (0 if none is). */
static int find_block(const stele_index *ix, const char *key, size_t len, uint32_t *block)
{
    uint32_t lo = 0, hi = dict_blocks(ix); /* answer in [lo, hi) */
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        const char *first;
        size_t first_len;
        int rc = block_first(ix, mid, &first, &first_len);
        if (rc) return rc;
        if (term_cmp(first, first_len, key, len) <= 0)
            lo = mid;
        else
            hi = mid;
    }
    *block = lo;
    return STELE_OK;
}

int st_dict_seek(const stele_index *ix, st_dict_cursor *c, const char *key, size_t len)
{
    uint32_t b;
    if (ix->n_terms_ == 0) return cursor_at_block(ix, c, 0);
    int rc = find_block(ix, key, len, &b);
    if (rc) return rc;
    cursor_at_block(ix, c, b);
    uint32_t n = block_entries(ix, b);
    while (c->in_block < n) {
        /* Where the entry starts: to step back before it, only these
         * change.  c->term keeps the entry's own term, whose first
         * `shared` bytes are its predecessor's, so decoding it again
         * gives it again (no copy of the whole cursor per entry). */
        uint64_t off = c->off, post_off = c->post_off, pos_off = c->pos_off;
        uint32_t in_block = c->in_block;
        if ((rc = dict_entry(ix, c, NULL)) != 0) return rc;
        if (term_cmp(c->term, c->term_len, key, len) >= 0) {
            c->off = off;
            c->post_off = post_off;
            c->pos_off = pos_off;
            c->in_block = in_block;
            return STELE_OK;
        }
    }
    /* Every term of block b is < key: the next block's first term is > key. */
    return cursor_at_block(ix, c, b + 1);
}

int st_dict_next(const stele_index *ix, st_dict_cursor *c, st_term_info *info)
{
    if (c->block >= dict_blocks(ix)) return 0;
    if (c->in_block >= block_entries(ix, c->block)) {
        cursor_at_block(ix, c, c->block + 1);
        if (c->block >= dict_blocks(ix)) return 0;
    }
    int rc = dict_entry(ix, c, info);
    return rc ? rc : 1;
}

int st_dict_find(const stele_index *ix, const char *term, size_t len, st_term_info *out)
{
    st_dict_cursor c;
    if (len == 0 || len > STELE_MAX_TERM_BYTES) return STELE_ENOTFOUND;
    int rc = st_dict_seek(ix, &c, term, len);
    if (rc) return rc;
    rc = st_dict_next(ix, &c, out);
    if (rc < 0) return rc;
    if (rc == 0 || term_cmp(c.term, c.term_len, term, len) != 0) return STELE_ENOTFOUND;
    return STELE_OK;
}

int st_dict_at(const stele_index *ix, uint32_t ord, st_dict_cursor *c, st_term_info *info)
{
    if (ord >= ix->n_terms_) return STELE_ENOTFOUND;
    uint32_t b = ord / ST_DICT_BLOCK;
    cursor_at_block(ix, c, b);
    for (;;) {
        int rc = dict_entry(ix, c, c->in_block == ord % ST_DICT_BLOCK ? info : NULL);
        if (rc) return rc;
        if (c->in_block == ord % ST_DICT_BLOCK + 1) return STELE_OK;
    }
}
