/*
 * lexicon.c: reading the LEXICON section (format.h) in place.
 *
 * The section is a head (word and block counts), a block index of u32
 * offsets and the front-coded blocks.  Lookup is the dictionary's:
 * binary search over the blocks' first words (stored whole), then a scan
 * of at most ST_LEX_BLOCK entries.  The entry decoder (lex_entry) is
 * shared by every way in; it rebuilds a word from the previous one, so a
 * cursor carries the previous word (in c->e) and stem ordinal.  Every
 * offset, length, ordinal and count is checked before use.
 */
#include <string.h>

#include "format.h"
#include "lexicon.h"
#include "reader.h"

static const uint8_t *lex_section(const stele_index *ix, uint32_t *size)
{
    return st_section(ix, ST_SEC_LEXICON, size);
}

uint32_t st_lex_n_words(const stele_index *ix)
{
    uint32_t size;
    const uint8_t *s = lex_section(ix, &size);
    return size >= ST_LEX_HEAD ? st_get32(s) : 0;
}

uint32_t st_lex_n_blocks(const stele_index *ix)
{
    uint32_t size;
    const uint8_t *s = lex_section(ix, &size);
    return size >= ST_LEX_HEAD ? st_get32(s + 4) : 0;
}

int st_lex_check_head(const stele_index *ix)
{
    uint32_t size;
    const uint8_t *s = lex_section(ix, &size);
    if (size < ST_LEX_HEAD) return st_corrupt();
    uint32_t n_words = st_get32(s), n_blocks = st_get32(s + 4);
    if (n_blocks != (uint32_t)(((uint64_t)n_words + ST_LEX_BLOCK - 1) / ST_LEX_BLOCK) ||
        (uint64_t)ST_LEX_HEAD + 4ull * n_blocks > size)
        return st_corrupt();
    /* Every entry takes at least 4 bytes (lengths, a suffix byte, two
     * vints), which bounds the counts by the size. */
    if ((uint64_t)n_words * 4 > (uint64_t)size - ST_LEX_HEAD - 4ull * n_blocks) return st_corrupt();
    if (n_blocks && st_get32(s + ST_LEX_HEAD) != 0) return st_corrupt();
    return STELE_OK;
}

/* The blocks' bytes: [*base, *base + *len). */
static void lex_blocks(const stele_index *ix, const uint8_t **base, uint32_t *len)
{
    uint32_t size;
    const uint8_t *s = lex_section(ix, &size);
    uint32_t head = ST_LEX_HEAD + 4u * st_lex_n_blocks(ix); /* <= size (open) */
    *base = s + head;
    *len = size - head;
}

static uint32_t block_entries(const stele_index *ix, uint32_t b)
{
    uint32_t n = st_lex_n_words(ix), first = b * ST_LEX_BLOCK;
    return n - first < ST_LEX_BLOCK ? n - first : ST_LEX_BLOCK;
}

int st_lex_at_block(const stele_index *ix, st_lex_cursor *c, uint32_t b)
{
    uint32_t size, n_blocks = st_lex_n_blocks(ix);
    const uint8_t *s = lex_section(ix, &size);
    c->block = b;
    c->in_block = 0;
    c->prev_ord = 0;
    c->off = 0;
    c->e.len = 0;
    c->e.word[0] = '\0';
    if (b >= n_blocks) {
        c->block = n_blocks;
        return STELE_OK;
    }
    c->off = st_get32(s + ST_LEX_HEAD + 4u * b);
    return STELE_OK;
}

/* Decodes the entry at c->off into c->e, c->e holding the block's
 * previous word. */
static int lex_entry(const stele_index *ix, st_lex_cursor *c)
{
    const uint8_t *base;
    uint32_t blen;
    lex_blocks(ix, &base, &blen);
    if (c->off >= blen) return st_corrupt();
    const uint8_t *p = base + c->off, *end = base + blen;
    uint32_t shared, suffix, df;
    uint64_t zz;
    if (!st_front_get(&p, end, &shared, &suffix)) return st_corrupt();
    if (shared > c->e.len || (c->in_block == 0 && shared != 0) || suffix == 0 ||
        suffix > STELE_MAX_TERM_BYTES - shared || (size_t)(end - p) < suffix)
        return st_corrupt();
    memcpy(c->e.word + shared, p, suffix);
    p += suffix;
    if (!st_varint_get(&p, end, &zz) || !st_varint_get32(&p, end, &df)) return st_corrupt();
    int64_t delta = (zz & 1) ? -(int64_t)(zz >> 1) - 1 : (int64_t)(zz >> 1);
    int64_t ord = (int64_t)c->prev_ord + delta;
    if (zz >> 40 || ord < 0 || ord >= (int64_t)ix->n_terms_ || df == 0 || df > ix->n_docs_)
        return st_corrupt();
    c->e.len = shared + suffix;
    c->e.word[c->e.len] = '\0';
    c->e.shared = shared;
    c->e.index = c->block * ST_LEX_BLOCK + c->in_block;
    c->e.stem_ord = (uint32_t)ord;
    c->e.df = df;
    c->prev_ord = (uint32_t)ord;
    c->off = (uint32_t)(p - base);
    c->in_block++;
    return STELE_OK;
}

int st_lex_next(const stele_index *ix, st_lex_cursor *c)
{
    uint32_t n_blocks = st_lex_n_blocks(ix);
    if (c->block >= n_blocks) return 0;
    if (c->in_block >= block_entries(ix, c->block)) {
        st_lex_at_block(ix, c, c->block + 1);
        if (c->block >= n_blocks) return 0;
    }
    int rc = lex_entry(ix, c);
    return rc ? rc : 1;
}

int st_lex_block_first(const stele_index *ix, uint32_t b, st_lex_entry *e)
{
    st_lex_cursor c;
    if (b >= st_lex_n_blocks(ix)) return STELE_EINVAL;
    st_lex_at_block(ix, &c, b);
    int rc = lex_entry(ix, &c);
    if (rc) return rc;
    *e = c.e;
    return STELE_OK;
}

static int word_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
    int r = memcmp(a, b, alen < blen ? alen : blen);
    if (r) return r;
    return alen < blen ? -1 : alen > blen;
}

int st_lex_seek(const stele_index *ix, st_lex_cursor *c, const char *key, size_t len)
{
    uint32_t n_blocks = st_lex_n_blocks(ix), lo = 0, hi = n_blocks;
    int rc;
    st_lex_entry first;
    memset(c, 0, sizeof *c);
    if (n_blocks == 0) return st_lex_at_block(ix, c, 0);
    /* The last block whose first word is <= key (block 0 if none is). */
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if ((rc = st_lex_block_first(ix, mid, &first)) != 0) return rc;
        if (word_cmp(first.word, first.len, key, len) <= 0)
            lo = mid;
        else
            hi = mid;
    }
    st_lex_at_block(ix, c, lo);
    uint32_t n = block_entries(ix, lo);
    while (c->in_block < n) {
        st_lex_cursor before = *c;
        if ((rc = lex_entry(ix, c)) != 0) return rc;
        if (word_cmp(c->e.word, c->e.len, key, len) >= 0) {
            *c = before;
            return STELE_OK;
        }
    }
    /* Every word of block lo is < key: the next block's first is > key. */
    return st_lex_at_block(ix, c, lo + 1);
}

int st_lex_find(const stele_index *ix, const char *word, size_t len, st_lex_entry *out)
{
    st_lex_cursor c;
    if (len == 0 || len > STELE_MAX_TERM_BYTES) return STELE_ENOTFOUND;
    int rc = st_lex_seek(ix, &c, word, len);
    if (rc) return rc;
    rc = st_lex_next(ix, &c);
    if (rc < 0) return rc;
    if (rc == 0 || word_cmp(c.e.word, c.e.len, word, len) != 0) return STELE_ENOTFOUND;
    if (out) *out = c.e;
    return STELE_OK;
}

int st_lex_prefix(const stele_index *ix, st_lex_cursor *c, const char *prefix, size_t len)
{
    if (len > STELE_MAX_TERM_BYTES) return STELE_EINVAL;
    int rc = st_lex_seek(ix, c, prefix, len);
    if (rc) return rc;
    memcpy(c->prefix, prefix, len);
    c->prefix_len = (uint32_t)len;
    return STELE_OK;
}

int st_lex_prefix_next(const stele_index *ix, st_lex_cursor *c)
{
    int rc = st_lex_next(ix, c);
    if (rc <= 0) return rc;
    if (c->e.len < c->prefix_len || memcmp(c->e.word, c->prefix, c->prefix_len) != 0) {
        /* past the range: stay at the end of it */
        c->block = st_lex_n_blocks(ix);
        return 0;
    }
    return 1;
}

int st_lex_term(const stele_index *ix, uint32_t ord, char *out, uint32_t *len)
{
    st_dict_cursor dc;
    int rc = st_dict_at(ix, ord, &dc, NULL);
    if (rc) return rc;
    memcpy(out, dc.term, dc.term_len + 1);
    *len = dc.term_len;
    return STELE_OK;
}

int st_lex_stem(void *ctx, const char *word, size_t len, char *out, size_t cap)
{
    const stele_index *ix = ctx;
    st_lex_entry e;
    char term[STELE_MAX_TERM_BYTES + 1];
    uint32_t tlen;
    if (st_lex_find(ix, word, len, &e) != STELE_OK) return -1;
    if (st_lex_term(ix, e.stem_ord, term, &tlen) != STELE_OK || tlen > cap) return -1;
    memcpy(out, term, tlen);
    return (int)tlen;
}

#ifndef STELE_OMIT_VERIFY
int st_lex_verify(const stele_index *ix)
{
    st_lex_cursor c;
    char prev[STELE_MAX_TERM_BYTES + 1];
    uint32_t prev_len = 0, n = 0, size;
    const uint8_t *s = lex_section(ix, &size);
    const uint8_t *base;
    uint32_t blen;
    int rc;
    if ((rc = st_lex_check_head(ix)) != 0) return rc;
    lex_blocks(ix, &base, &blen);
    uint32_t n_blocks = st_lex_n_blocks(ix);
    st_lex_at_block(ix, &c, 0);
    for (uint32_t b = 0; b < n_blocks; b++) {
        /* Each block starts where the previous one ended. */
        if (st_get32(s + ST_LEX_HEAD + 4u * b) != (b == 0 ? 0 : c.off)) return st_corrupt();
        st_lex_at_block(ix, &c, b);
        uint32_t k = block_entries(ix, b);
        for (uint32_t i = 0; i < k; i++) {
            if ((rc = lex_entry(ix, &c)) != 0) return rc;
            if (n > 0 && word_cmp(prev, prev_len, c.e.word, c.e.len) >= 0) return st_corrupt();
            memcpy(prev, c.e.word, c.e.len + 1);
            prev_len = c.e.len;
            n++;
        }
    }
    if (n != st_lex_n_words(ix) || (n_blocks ? c.off : 0) != blen) return st_corrupt();
    return STELE_OK;
}
#endif /* STELE_OMIT_VERIFY */
