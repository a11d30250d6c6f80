/*
 * fuzz_merge.c: fuzz target for the library path of `stele merge`
 * (stele_merge() in stele_index.h) on two small, possibly crafted, shards.
 *
 * Input layout: one byte of options (bits 0-1: what a duplicate id does),
 * a 16-bit little-endian length n, then shard A's first n bytes (n is cut
 * to what follows) and shard B, the rest.  Both are written to a scratch
 * directory (tmpfs when /dev/shm is there) and merged there.  Promises:
 *   - the merge returns STELE_OK or an error about its input (a shard
 *     that fails to open or verify, shards that disagree, a duplicate id),
 *     with a one-line message, and leaves nothing behind but the shards;
 *   - a merged index opens and verifies, and holds at most the shards'
 *     documents together (fewer only when duplicates were dropped).
 * stele_merge() verifies each shard first, so damage only reaches the
 * merge's own reading of a shard when its CRCs are right:
 * LLVMFuzzerCustomMutator() recomputes both shards' CRCs after libFuzzer's
 * mutation (th_fix_all_crcs(), shared with test_corrupt.c), for seven
 * mutations in eight.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_common.h"
#include "index_helper.h"
#include "stele.h"
#include "stele_index.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define HEAD_BYTES 3 /* options byte and shard A's length */

static char shard_a[300], shard_b[300], out_path[300];

static void scratch_init(void)
{
    if (out_path[0]) return;
    fz_scratch_init("merge");
    fz_scratch_path(shard_a, sizeof shard_a, "a.stele");
    fz_scratch_path(shard_b, sizeof shard_b, "b.stele");
    fz_scratch_path(out_path, sizeof out_path, "merged.stele");
}

/* Shard A's length in an input of size bytes. */
static size_t split_at(const uint8_t *data, size_t size)
{
    size_t n = (size_t)data[1] | (size_t)data[2] << 8;
    return n < size - HEAD_BYTES ? n : size - HEAD_BYTES;
}

/* Documents of a shard that opens, or 0. */
static uint32_t shard_docs(const uint8_t *data, size_t size)
{
    stele_index ix;
    if (stele_open(&ix, data, size) != STELE_OK) return 0;
    stele_info info;
    stele_index_info(&ix, &info);
    return info.n_docs;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < HEAD_BYTES) return 0;
    scratch_init();
    size_t n_a = split_at(data, size);
    const uint8_t *a = data + HEAD_BYTES, *b = a + n_a;
    size_t n_b = size - HEAD_BYTES - n_a;
    fz_write_file(shard_a, a, n_a);
    fz_write_file(shard_b, b, n_b);
    stele_build_opts opts = {0};
    opts.on_duplicate = (data[0] & 3) == 3 ? STELE_DUP_ERROR : data[0] & 3;
    opts.threads = 1;
    const char *inputs[2] = {shard_a, shard_b};
    stele_build_stats stats;
    char err[512] = "";
    int rc = stele_merge(inputs, 2, &opts, out_path, &stats, err, sizeof err);
    fz_require(rc == STELE_OK || rc == STELE_EINPUT || rc == STELE_ECORRUPT || rc == STELE_EVERSION,
               "merge status");
    if (rc != STELE_OK) {
        fz_require(err[0] != '\0' && strchr(err, '\n') == NULL, "a one-line message");
        fz_require(fz_count_files() == 2, "a failed merge leaves nothing");
        return 0;
    }
    fz_require(fz_count_files() == 3, "only the merged index is left");
    size_t msize = 0;
    uint8_t *merged = th_read_file(out_path, &msize);
    fz_require(merged != NULL, "the merged index was written");
    stele_index ix;
    fz_require(stele_open(&ix, merged, msize) == STELE_OK, "the merged index opens");
    size_t bound = stele_workspace_bound(&ix, 0);
    void *mem = malloc(bound);
    fz_require(mem != NULL, "workspace");
    fz_require(stele_verify(&ix, mem, bound) == STELE_OK, "the merged index verifies");
    stele_info info;
    stele_index_info(&ix, &info);
    uint64_t total = (uint64_t)shard_docs(a, n_a) + shard_docs(b, n_b);
    fz_require(info.n_docs == stats.n_docs && info.n_docs + stats.n_duplicates == total,
               "every document of the shards is merged or reported");
    free(mem);
    free(merged);
    unlink(out_path);
    return 0;
}

#ifdef STELE_LIBFUZZER
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed);

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed)
{
    size = LLVMFuzzerMutate(data, size, max_size);
    if (size >= HEAD_BYTES && seed % 8 != 0) {
        size_t n_a = split_at(data, size);
        th_fix_all_crcs(data + HEAD_BYTES, n_a);
        th_fix_all_crcs(data + HEAD_BYTES + n_a, size - HEAD_BYTES - n_a);
    }
    return size;
}
#endif
