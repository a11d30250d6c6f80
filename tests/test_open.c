/*
 * test_open.c: what stele_open() checks, and what it leaves to
 * stele_check_crc() and stele_verify() (suite "corrupt").
 *
 *   1. The ABI guard: a caller built against another stele.h (another
 *      STELE_ABI_VERSION, another sizeof(stele_index)) gets STELE_EABI
 *      and its struct is not written.
 *   2. Header values that contradict the sections, in a header whose CRC
 *      is recomputed (as a crafted file would carry it), are refused at
 *      open: the largest stored-text block, the largest position, the
 *      token, term and document counts.  The stored-text block size at
 *      its largest used to wrap the workspace bound in 32-bit arithmetic.
 *   3. Open does not compute the sections' CRCs: a flipped byte inside a
 *      section still opens, stele_check_crc() and stele_verify() catch it.
 *   4. The workspace bound is computed with saturation: an index struct
 *      whose block size is at its largest gives a bound above it.
 *   5. A NUL byte inside a document id or title, CRCs recomputed: open
 *      does not read STRINGS and the index opens, stele_verify() refuses
 *      it, and the id and title read back whole, NUL included (their
 *      length, not a terminator, ends them).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "index_helper.h"
#include "reader.h"
#include "zlib.h"

static uint8_t workspace[1 << 20];

static void fix_header_crc(uint8_t *d)
{
    uint32_t hb = st_get32(d + ST_H_HEADER_BYTES);
    st_put32(d + ST_H_CRC, 0);
    st_put32(d + ST_H_CRC, (uint32_t)crc32(crc32(0L, Z_NULL, 0), d, hb));
}

static void test_abi(const uint8_t *data, size_t size)
{
    stele_index ix;
    memset(&ix, 0xA5, sizeof ix);
    TH_CHECK(stele_open_(&ix, data, size, STELE_ABI_VERSION + 1, sizeof ix) == STELE_EABI);
    TH_CHECK(((const uint8_t *)&ix)[0] == 0xA5); /* not written */
    TH_CHECK(stele_open_(&ix, data, size, STELE_ABI_VERSION, sizeof ix - 8) == STELE_EABI);
    TH_CHECK(stele_open_(&ix, data, size, STELE_ABI_VERSION, sizeof ix + 8) == STELE_EABI);
    TH_CHECK(((const uint8_t *)&ix)[0] == 0xA5);
    TH_CHECK(strstr(stele_strerror(STELE_EABI), "stele.h") != NULL);
    /* The macro passes the right values. */
    TH_CHECK(stele_open(&ix, data, size) == STELE_OK);
    TH_CHECK(stele_open_(&ix, data, size, STELE_ABI_VERSION, sizeof ix) == STELE_OK);
}

/* Opens a copy with the u32 header field at off set to value (header CRC
 * recomputed) and returns the status. */
static int open_with(const uint8_t *data, size_t size, unsigned off, uint32_t value)
{
    uint8_t *copy = malloc(size);
    memcpy(copy, data, size);
    st_put32(copy + off, value);
    fix_header_crc(copy);
    stele_index ix;
    int rc = stele_open(&ix, copy, size);
    if (rc == STELE_OK) {
        /* whatever opens must have a bound that covers its block size */
        TH_CHECK(stele_workspace_bound(&ix, 10) > ix.max_block_bytes_);
    }
    free(copy);
    return rc;
}

static void test_header_values(const uint8_t *data, size_t size)
{
    stele_index ix;
    TH_CHECK(stele_open(&ix, data, size) == STELE_OK);
    uint32_t max_block = ix.max_block_bytes_, max_pos = ix.max_doc_pos_;
    TH_CHECK(max_block > 0 && max_pos > 0);
    /* The values as written open. */
    TH_CHECK(open_with(data, size, ST_H_MAX_BLOCK, max_block) == STELE_OK);
    TH_CHECK(open_with(data, size, ST_H_MAX_POS, max_pos) == STELE_OK);
    /* The largest stored-text block: exactly the largest in TEXT_INDEX. */
    const uint32_t blocks[] = {0xFFFFFFFFu,   0xFFFFFFFFu - 8192, 0x80000000u,
                               max_block + 1, max_block - 1,      0};
    for (size_t i = 0; i < sizeof blocks / sizeof blocks[0]; i++)
        TH_CHECK(open_with(data, size, ST_H_MAX_BLOCK, blocks[i]) == STELE_ECORRUPT);
    /* The largest position: at most twice the tokens, 0 exactly when
     * there are none. */
    uint64_t tokens = ix.n_tokens_;
    TH_CHECK(open_with(data, size, ST_H_MAX_POS, 0xFFFFFFFFu) == STELE_ECORRUPT);
    TH_CHECK(open_with(data, size, ST_H_MAX_POS, (uint32_t)(2 * tokens + 1)) == STELE_ECORRUPT);
    TH_CHECK(open_with(data, size, ST_H_MAX_POS, 0) == STELE_ECORRUPT);
    /* Counts the sections cannot hold. */
    TH_CHECK(open_with(data, size, ST_H_N_TERMS, 0) == STELE_ECORRUPT);
    TH_CHECK(open_with(data, size, ST_H_N_TERMS, 0xFFFFFFFFu) == STELE_ECORRUPT);
    TH_CHECK(open_with(data, size, ST_H_N_DOCS, ix.n_docs_ + 1) == STELE_ECORRUPT);
    TH_CHECK(open_with(data, size, ST_H_TOKENS, 0xFFFFFFFFu) == STELE_ECORRUPT);
    TH_CHECK(open_with(data, size, ST_H_TOKENS + 4, 1) == STELE_ECORRUPT);
}

static void test_crc_left_to_check(const uint8_t *data, size_t size)
{
    stele_index ix;
    TH_CHECK(stele_open(&ix, data, size) == STELE_OK);
    TH_CHECK(stele_check_crc(&ix) == STELE_OK);
    TH_CHECK(stele_check_crc(NULL) == STELE_EINVAL);
    size_t caught = 0, n = 0;
    for (unsigned s = 0; s < ST_N_SECTIONS; s++) {
        if (ix.sec_[s].size == 0) continue;
        uint8_t *copy = malloc(size);
        memcpy(copy, data, size);
        copy[ix.sec_[s].offset + ix.sec_[s].size / 2] ^= 0x10;
        stele_index dix;
        int rc = stele_open(&dix, copy, size);
        TH_CHECK(rc == STELE_OK || rc == STELE_ECORRUPT);
        if (rc == STELE_OK) {
            n++;
            TH_CHECK(stele_check_crc(&dix) == STELE_ECORRUPT);
            TH_CHECK(stele_verify(&dix, workspace, sizeof workspace) == STELE_ECORRUPT);
            caught++;
        }
        free(copy);
    }
    /* most sections are not read by open at all */
    TH_CHECK(n >= 6 && caught == n);
    printf("section damage opened in %zu of %u sections; stele_check_crc caught it in all\n", n,
           (unsigned)ST_N_SECTIONS);
}

static void test_bound_saturates(const uint8_t *data, size_t size)
{
    stele_index ix;
    TH_CHECK(stele_open(&ix, data, size) == STELE_OK);
    size_t bound10 = stele_workspace_bound(&ix, 10), bound0 = stele_workspace_bound(&ix, 0);
    size_t load = st_doc_load_bound(&ix), verify = st_verify_bound(&ix);
    /* A struct no open would fill in, to reach the arithmetic directly:
     * stored text streams through fixed buffers, so the largest block no
     * longer enters the search bounds at all; they neither wrap nor grow. */
    ix.max_block_bytes_ = 0xFFFFFFFFu;
    ix.flags_ |= ST_FLAG_ZDICT;
    TH_CHECK(stele_workspace_bound(&ix, 10) == bound10);
    TH_CHECK(stele_workspace_bound(&ix, 0) == bound0);
    TH_CHECK(st_verify_bound(&ix) == verify);
    /* Only the whole-block load (merge's host-side path) holds a block,
     * and its bound saturates instead of wrapping. */
    TH_CHECK(load < (size_t)0xFFFFFFFFu && st_doc_load_bound(&ix) >= (size_t)0xFFFFFFFFu);
    TH_CHECK(bound10 <= 128u * 1024u);
}

/* Puts a NUL at byte at of document doc's id (title: 0) or title (1),
 * CRCs recomputed, and checks what open, verify and the readers say. */
static void check_nul_in(const uint8_t *data, size_t size, uint32_t doc, int title, size_t at)
{
    stele_index ix;
    stele_view v;
    TH_CHECK(stele_open(&ix, data, size) == STELE_OK);
    TH_CHECK((title ? stele_doc_title : stele_doc_id)(&ix, doc, &v) == STELE_OK);
    TH_CHECK(at < v.len);
    size_t off = (size_t)((const uint8_t *)v.data - data) + at, len = v.len;
    uint8_t *copy = malloc(size);
    TH_CHECK(copy != NULL);
    if (!copy) return;
    memcpy(copy, data, size);
    TH_CHECK(copy[off] != 0);
    copy[off] = 0;
    th_fix_all_crcs(copy, size);
    stele_index dix;
    TH_CHECK(stele_open(&dix, copy, size) == STELE_OK);
    TH_CHECK(stele_check_crc(&dix) == STELE_OK);
    TH_CHECK(stele_verify(&dix, workspace, sizeof workspace) == STELE_ECORRUPT);
    TH_CHECK((title ? stele_doc_title : stele_doc_id)(&dix, doc, &v) == STELE_OK);
    TH_CHECK(v.len == len && (const uint8_t *)v.data == copy + off - at && v.data[at] == '\0');
    free(copy);
}

static void test_nul_in_strings(const uint8_t *data, size_t size)
{
    stele_index ix;
    stele_view id, title;
    TH_CHECK(stele_open(&ix, data, size) == STELE_OK);
    TH_CHECK(stele_verify(&ix, workspace, sizeof workspace) == STELE_OK);
    uint32_t last = ix.n_docs_ - 1;
    TH_CHECK(stele_doc_id(&ix, last, &id) == STELE_OK && id.len > 1);
    TH_CHECK(stele_doc_title(&ix, last, &title) == STELE_OK && title.len > 1);
    /* first, middle and last byte; first and last document */
    check_nul_in(data, size, 0, 0, 0);
    check_nul_in(data, size, last, 0, id.len - 1);
    check_nul_in(data, size, 0, 1, 0);
    check_nul_in(data, size, last, 1, title.len / 2);
    check_nul_in(data, size, last, 1, title.len - 1);
}

int main(void)
{
    st_corpus c;
    th_expect exp;
    th_synthetic(&c, &exp, 40);
    stele_build_opts opts = {.language = "none", .block_bytes = 2048};
    uint8_t *data;
    size_t size;
    th_build(&c, &opts, &data, &size);

    test_abi(data, size);
    test_header_values(data, size);
    test_crc_left_to_check(data, size);
    test_bound_saturates(data, size);
    test_nul_in_strings(data, size);

    free(data);
    th_expect_free(&exp);
    st_corpus_free(&c);
    if (th_failures) fprintf(stderr, "%d checks failed\n", th_failures);
    return th_failures ? 1 : 0;
}
