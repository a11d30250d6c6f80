/*
 * verify.c: stele_verify(), the full walk of an index.
 *
 * stele_open() checks only what is O(1) in the index size (reader.c); this
 * checks every section's CRC (stele_check_crc), then walks every structure
 * and checks the invariants format.h states and the cross-references
 * between sections, so a file that passes can be searched without any
 * error but ENOSPACE:
 *   - dictionary: n_terms entries in strictly increasing order, each block
 *     index entry equal to where the previous block ended, the lists
 *     tiling the POSTINGS and POSITIONS sections exactly;
 *   - every list (st_postings_verify): document count, skip entries,
 *     positions ascending and inside the document;
 *   - documents: ids and titles tiling STRINGS in document order, none
 *     holding a NUL byte (the indexer never writes one; a reader that hands
 *     them to C string functions would cut them there),
 *     paragraph streams tiling the PARAS section in
 *     document order, each decoding exactly to where the next begins,
 *     with skip entries equal to the decoded state, paragraphs tiling the
 *     document's text with '\n' between them, first positions ordered
 *     with room for each paragraph's tokens, norm bytes equal to the
 *     encoded field lengths;
 *   - the header's largest position limit is that of the longest document;
 *   - token totals per field agree three ways: header, postings (sum of
 *     tf), paragraph streams;
 *   - every stored-text block inflates to its stated size;
 *   - the lexicon: words strictly increasing, blocks where its index says,
 *     stem ordinals and frequencies in range (st_lex_verify).
 * It is O(index size) and uses the workspace for one postings iterator and
 * one stored-text stream (zlib's state and window and a 512-byte buffer).
 */
#include <string.h>

#include "format.h"
#include "lexicon.h"
#include "reader.h"

#define ST_VERIFY_ALIGN 16u

size_t st_verify_bound(const stele_index *ix)
{
#ifdef STELE_OMIT_VERIFY
    (void)ix;
    return 0; /* no stele_verify() to need it */
#else
    return sizeof(st_postings) + ST_VERIFY_ALIGN + st_text_verify_bytes(ix);
#endif
}

#ifndef STELE_OMIT_VERIFY

static int verify_dict(const stele_index *ix, st_postings *p, uint64_t *tokens)
{
    st_dict_cursor c, prev;
    st_term_info info;
    uint32_t n = 0, isize, dsize;
    const uint8_t *bi = st_section(ix, ST_SEC_DICT_INDEX, &isize);
    (void)st_section(ix, ST_SEC_DICT, &dsize);
    int rc = st_dict_seek(ix, &c, "", 0);
    if (rc) return rc;
    if (ix->n_terms_ && (c.block != 0 || c.off != 0 || c.post_off != 0 || c.pos_off != 0))
        return st_corrupt();
    prev = c;
    while ((rc = st_dict_next(ix, &c, &info)) == 1) {
        if (n > 0) {
            size_t common = prev.term_len < c.term_len ? prev.term_len : c.term_len;
            int cmp = memcmp(prev.term, c.term, common);
            if (cmp > 0 || (cmp == 0 && prev.term_len >= c.term_len)) return st_corrupt();
        }
        if (c.block != prev.block || n == 0) {
            /* A new block must start where the previous one ended. */
            const uint8_t *e = bi + (size_t)c.block * ST_DICT_INDEX_REC;
            if (st_get32(e) != prev.off || st_get32(e + 4) != prev.post_off ||
                st_get32(e + 8) != prev.pos_off)
                return st_corrupt();
        }
        if (info.term_ord != n) return st_corrupt();
        uint32_t max_df = 0;
        uint64_t sum_df = 0;
        for (unsigned f = 0; f < ix->n_fields_; f++) {
            if (!(info.field_mask >> f & 1)) continue;
            uint64_t t;
            if ((rc = st_postings_init(p, ix, &info.list[f])) != 0 ||
                (rc = st_postings_verify(p, &t)) != 0)
                return rc;
            tokens[f] += t;
            max_df = info.list[f].df > max_df ? info.list[f].df : max_df;
            sum_df += info.list[f].df;
        }
        if (info.df < max_df || info.df > sum_df) return st_corrupt();
        prev = c;
        n++;
    }
    if (rc < 0) return rc;
    if (n != ix->n_terms_ || prev.off != dsize || prev.post_off != ix->sec_[ST_SEC_POSTINGS].size ||
        prev.pos_off != ix->sec_[ST_SEC_POSITIONS].size)
        return st_corrupt();
    return STELE_OK;
}

/* Where the previous document's id and title and paragraph stream
 * ended: the next document's must start there. */
typedef struct doc_ends {
    uint64_t strings, paras;
} doc_ends;

static int verify_doc(const stele_index *ix, uint32_t doc, uint64_t *tokens, doc_ends *ends,
                      uint32_t *max_pos)
{
    uint32_t n_paras, field_len[STELE_MAX_FIELDS] = {0};
    stele_view id, title;
    int rc;
    if ((rc = stele_doc_id(ix, doc, &id)) != 0 || (rc = stele_doc_title(ix, doc, &title)) != 0 ||
        (rc = st_para_count(ix, doc, &n_paras)) != 0)
        return rc;
    uint64_t text_at = 0, pos_at = 0;
    for (uint32_t i = 0; i < n_paras; i++) {
        st_para_info para;
        if ((rc = st_para_get(ix, doc, i, &para)) != 0) return rc;
        if (para.text_off != text_at || para.first_pos < pos_at) return st_corrupt();
        text_at = (uint64_t)para.text_off + para.text_len + 1;
        if (para.n_tokens > 0) pos_at = (uint64_t)para.first_pos + para.n_tokens + 1;
        if ((uint64_t)field_len[para.field] + para.n_tokens > 0xFFFFFFFFu) return st_corrupt();
        field_len[para.field] += para.n_tokens;
    }
    /* The paragraphs must cover the document's text exactly, and the
     * streams tile PARAS in document order. */
    uint32_t start, end, text_len;
    if ((rc = st_para_verify(ix, doc, &start, &end, &text_len)) != 0) return rc;
    uint32_t ssize;
    const char *strings = (const char *)st_section(ix, ST_SEC_STRINGS, &ssize);
    if (start != ends->paras || (uint64_t)(id.data - strings) != ends->strings ||
        title.data != id.data + id.len || memchr(id.data, '\0', id.len + title.len))
        return st_corrupt();
    ends->paras = end;
    uint32_t limit;
    if ((rc = st_doc_pos_limit(ix, doc, &limit)) != 0) return rc;
    if (limit > *max_pos) *max_pos = limit;
    ends->strings += (uint64_t)id.len + title.len;
    if (n_paras ? text_at != (uint64_t)text_len + 1 : text_len != 0) return st_corrupt();
    for (unsigned f = 0; f < ix->n_fields_; f++) {
        uint8_t norm;
        if ((rc = st_doc_norm(ix, doc, f, &norm)) != 0) return rc;
        if (norm != st_norm_encode(field_len[f])) return st_corrupt();
        tokens[f] += field_len[f];
    }
    return STELE_OK;
}

int stele_verify(const stele_index *ix, void *mem, size_t mem_size)
{
    if (!ix || !ix->data_) return STELE_EINVAL;
    if (!mem || mem_size < st_verify_bound(ix)) return STELE_ENOSPACE;
    int rc = stele_check_crc(ix);
    if (rc) return rc;
    uintptr_t at = (uintptr_t)mem;
    size_t pad = (ST_VERIFY_ALIGN - at % ST_VERIFY_ALIGN) % ST_VERIFY_ALIGN;
    st_postings *p = (st_postings *)(void *)((uint8_t *)mem + pad);
    uint8_t *rest = (uint8_t *)mem + pad + sizeof *p;
    size_t rest_size = mem_size - pad - sizeof *p;

    uint64_t post_tokens[STELE_MAX_FIELDS] = {0}, para_tokens[STELE_MAX_FIELDS] = {0};
    rc = verify_dict(ix, p, post_tokens);
    if (rc) return rc;
    doc_ends ends = {0, 0};
    uint32_t max_pos = 0;
    for (uint32_t d = 0; d < ix->n_docs_; d++)
        if ((rc = verify_doc(ix, d, para_tokens, &ends, &max_pos)) != 0) return rc;
    if (max_pos != ix->max_doc_pos_) return st_corrupt();
    if (ends.paras != ix->sec_[ST_SEC_PARAS].size || ends.strings != ix->sec_[ST_SEC_STRINGS].size)
        return st_corrupt();
    for (unsigned f = 0; f < ix->n_fields_; f++) {
        uint64_t header = st_get64(ix->data_ + ST_H_TOKENS + 8 * f);
        if (post_tokens[f] != header || para_tokens[f] != header) return st_corrupt();
    }
    /* Text blocks tile the TEXT section and each inflates to its size. */
    uint32_t isize, tsize;
    const uint8_t *ti = st_section(ix, ST_SEC_TEXT_INDEX, &isize);
    (void)st_section(ix, ST_SEC_TEXT, &tsize);
    uint32_t max_raw = 0;
    uint64_t text_end = 0;
    for (uint32_t b = 0; b < isize / ST_TEXT_REC; b++) {
        const uint8_t *e = ti + (size_t)b * ST_TEXT_REC;
        if (st_get32(e) != text_end) return st_corrupt();
        text_end = (uint64_t)st_get32(e) + st_get32(e + 4);
        if ((rc = st_text_block_verify(ix, b, rest, rest_size)) != 0) return rc;
        max_raw = st_get32(e + 8) > max_raw ? st_get32(e + 8) : max_raw;
    }
    if (text_end != tsize || max_raw != ix->max_block_bytes_) return st_corrupt();
    return st_lex_verify(ix);
}

#endif /* STELE_OMIT_VERIFY */
