/*
 * fuzz_ingest.c: fuzz target for ingestion through the indexer's public
 * API (stele_build_inputs() in stele_index.h): resolution text, plain text
 * and JSON Lines.
 *
 * The input is one byte of options and then a file's bytes.  The options
 * byte chooses the format (bits 0-1: resolutions, text, JSON Lines, or
 * text with a fixed document name), strict UTF-8 (bit 2), what a duplicate
 * id does (bits 3-4), the stemmer (bit 5: english or none), whether the
 * file is given twice (bit 6), which makes every id a duplicate, and the
 * stored text's zlib dictionary (bit 7: trained, as by default, or none).
 * The file is written to a scratch directory (fuzz_common.c: on tmpfs when
 * there is one, so the build's fsync costs nothing) and built into an
 * index there.
 * Promises checked:
 *   - the build returns STELE_OK or STELE_EINPUT, with a one-line message
 *     on error, and leaves nothing behind but its inputs (no temporary
 *     file; no index when it failed);
 *   - an index it wrote opens and verifies, holds the documents its
 *     statistics say, and every id, title and stored text is valid UTF-8
 *     without NUL or control characters (the text's paragraphs are joined
 *     by '\n'); its words can be searched and snippeted.
 *
 * A run's cost decides how much of the input space a campaign sees.
 * Training the dictionary and compressing the text twice more to weigh it
 * took a fifth of a run, and the dictionary is no concern of ingestion,
 * so only inputs with bit 7 set pay for it (the stored text's own target
 * is fuzz_index.c); the first SEARCHED_DOCS documents are searched, each
 * for its first 63 bytes (some eight words), as the reading of every word
 * is the dictionary code, which fuzz_index.c and fuzz_query.c exercise.
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

#define SEARCHED_DOCS 2

static char in_a[300], in_b[300], out_path[300];

static void scratch_init(void)
{
    if (out_path[0]) return;
    fz_scratch_init("ingest");
    fz_scratch_path(in_a, sizeof in_a, "a.txt");
    fz_scratch_path(in_b, sizeof in_b, "b.txt");
    fz_scratch_path(out_path, sizeof out_path, "out.stele");
}

/* Valid UTF-8 with no NUL or control character but those allowed. */
static int clean_text(const char *s, size_t len, int newline_ok)
{
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            if ((c < 0x20 && !(newline_ok && c == '\n')) || c == 0x7f) return 0;
            i++;
            continue;
        }
        size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
        if (n == 0 || c > 0xF4 || i + n > len) return 0;
        uint32_t cp = c & (0x7F >> n);
        for (size_t k = 1; k < n; k++) {
            unsigned char t = (unsigned char)s[i + k];
            if ((t & 0xC0) != 0x80) return 0;
            cp = cp << 6 | (t & 0x3F);
        }
        if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += n;
    }
    return 1;
}

/* Searches the first words of a document's text; every status the API
 * allows a valid index is fine, and a snippet stays inside its buffer. */
static void search_words(const stele_index *ix, const char *text, size_t len, void *mem,
                         size_t mem_size)
{
    char query[64];
    size_t n = len < sizeof query - 1 ? len : sizeof query - 1;
    memcpy(query, text, n);
    stele_query q;
    stele_query_opts o = {.max_results = 3};
    int rc = stele_query_prepare(&q, ix, query, n, &o, mem, mem_size);
    fz_require(rc == STELE_OK || rc == STELE_ESYNTAX || rc == STELE_ELIMIT || rc == STELE_ENOSPACE,
               "prepare status");
    if (rc != STELE_OK) return;
    stele_hit hits[3];
    size_t n_hits = 0;
    rc = stele_query_run(&q, hits, 3, 0, &n_hits, NULL);
    fz_require(rc == STELE_OK || rc == STELE_ENOSPACE, "run status");
    for (size_t h = 0; rc == STELE_OK && h < n_hits; h++) {
        char snip[512];
        size_t slen = 0;
        int src = stele_query_snippet(&q, &hits[h], NULL, snip, sizeof snip, &slen);
        fz_require(src == STELE_OK || src == STELE_ENOSPACE, "snippet status");
        if (src == STELE_OK) fz_require(slen < sizeof snip && snip[slen] == '\0', "snippet NUL");
    }
}

static void check_index(const stele_build_stats *stats)
{
    size_t size = 0;
    uint8_t *data = th_read_file(out_path, &size);
    fz_require(data != NULL, "the index was written");
    stele_index ix;
    fz_require(stele_open(&ix, data, size) == STELE_OK, "a built index opens");
    size_t bound = stele_workspace_bound(&ix, 3);
    void *mem = malloc(bound);
    fz_require(mem != NULL, "workspace");
    fz_require(stele_verify(&ix, mem, bound) == STELE_OK, "a built index verifies");
    stele_info info;
    stele_index_info(&ix, &info);
    fz_require(info.n_docs == stats->n_docs && size == stats->index_bytes, "statistics are true");
    static char text[1 << 20];
    for (uint32_t d = 0; d < info.n_docs && d < 32; d++) {
        stele_view id, title;
        fz_require(stele_doc_id(&ix, d, &id) == STELE_OK && id.len > 0, "document id");
        fz_require(clean_text(id.data, id.len, 0), "id is clean UTF-8");
        fz_require(stele_doc_title(&ix, d, &title) == STELE_OK, "document title");
        fz_require(clean_text(title.data, title.len, 0), "title is clean UTF-8");
        size_t len = 0;
        int rc = stele_doc_text(&ix, d, mem, bound, text, sizeof text, &len);
        if (rc == STELE_ENOSPACE) continue; /* a document over 1 MB */
        fz_require(rc == STELE_OK, "document text");
        fz_require(clean_text(text, len, 1), "text is clean UTF-8");
        if (d < SEARCHED_DOCS) search_words(&ix, text, len, mem, bound);
    }
    free(mem);
    free(data);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const int formats[4] = {STELE_FORMAT_RESOLUTIONS, STELE_FORMAT_TEXT, STELE_FORMAT_JSONL,
                                   STELE_FORMAT_TEXT};
    if (size < 1) return 0;
    scratch_init();
    unsigned choice = data[0];
    int twice = (choice >> 6) & 1;
    fz_write_file(in_a, data + 1, size - 1);
    if (twice) fz_write_file(in_b, data + 1, size - 1);
    stele_build_input inputs[2] = {
        {.path = in_a, .format = formats[choice & 3], .name = (choice & 3) == 3 ? "doc" : NULL},
        {.path = in_b, .format = formats[choice & 3], .name = (choice & 3) == 3 ? "doc" : NULL}};
    stele_build_opts opts = {0};
    opts.strict_utf8 = (choice >> 2) & 1;
    opts.on_duplicate = (choice >> 3 & 3) == 3 ? STELE_DUP_ERROR : (int)(choice >> 3 & 3);
    opts.language = choice & 32 ? "none" : "english";
    opts.threads = 1;
    if (!(choice & 128)) opts.dict_bytes = STELE_BUILD_NO_DICT;
    stele_build_stats stats;
    char err[512] = "";
    int before = fz_count_files();
    int rc = stele_build_inputs(inputs, twice ? 2u : 1u, &opts, out_path, &stats, err, sizeof err);
    fz_require(rc == STELE_OK || rc == STELE_EINPUT, "build status");
    if (rc == STELE_OK) {
        fz_require(fz_count_files() == before + 1, "only the index is left");
        check_index(&stats);
        unlink(out_path);
    } else {
        fz_require(err[0] != '\0' && strchr(err, '\n') == NULL, "a one-line message");
        fz_require(fz_count_files() == before, "a failed build leaves nothing");
    }
    if (twice) unlink(in_b);
    return 0;
}
