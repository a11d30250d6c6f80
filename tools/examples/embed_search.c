/*
 * embed_search.c: searching an index compiled into the program, the way
 * firmware or a kiosk binary would, with no index file and no heap on the
 * search path.
 *
 * Build (the meson build does this for the bundled corpus):
 *
 *     stele index corpus/ -o corpus.stele
 *     stele embed corpus.stele --name embedded_index --max-hits 5 \
 *         -o embedded_index.c --header embedded_index.h
 *     cc embed_search.c embedded_index.c $(pkg-config --cflags --libs stele)
 *
 * Run:  embed_search alternatives to imprisonment
 *
 * The index is the const array embedded_index[] (aligned to 8 by the
 * generated source) and is opened in place: stele_open() only checks it.
 * All scratch memory is one static array of EMBEDDED_INDEX_WORKSPACE_BYTES,
 * the bound `stele embed` computed for this index and up to
 * EMBEDDED_INDEX_MAX_HITS hits (-DEMBED_WORKSPACE_BYTES=N overrides it).
 * It is checked against stele_workspace_bound() at run time, before the
 * first search, so a build against another runtime fails loudly instead of
 * returning STELE_ENOSPACE in the field.  The bound covers the worst query
 * within the STELE_MAX_* limits (for the bundled corpus a few MB, mostly
 * room for STELE_MAX_QUERY_TERMS terms' positions), so a target short of
 * RAM lowers STELE_MAX_QUERY_TERMS or the builder's block size.
 *
 * The Snowball stemmer (stele_stem.h) allocates once when created, at
 * start-up; stemming a query word afterwards does not allocate.
 *
 * Output: one line per hit, "RANK<TAB>ID<TAB>SCORE<TAB>TITLE", then the
 * snippet indented by a tab.  Exit status 0 with hits, 1 without, 2 on
 * error.
 */
#include <stdio.h>
#include <string.h>

#include "embedded_index.h"
#include "stele.h"
#include "stele_stem.h"

#ifndef EMBED_WORKSPACE_BYTES
#define EMBED_WORKSPACE_BYTES EMBEDDED_INDEX_WORKSPACE_BYTES
#endif
#define MAX_HITS EMBEDDED_INDEX_MAX_HITS

static _Alignas(16) unsigned char workspace[EMBED_WORKSPACE_BYTES];
static stele_hit hits[MAX_HITS];
static char query[STELE_MAX_QUERY_BYTES + 1];
static char snippet[1024];

int main(int argc, char **argv)
{
    stele_index ix;
    stele_info info;
    stele_query_opts opts;
    stele_query q;
    stele_stemmer *stemmer = NULL;
    size_t need, len = 0, n_hits = 0, n_matches = 0, i;
    int rc, arg;

    if (argc < 2) {
        fprintf(stderr, "usage: %s QUERY...\n", argv[0]);
        return 2;
    }
    for (arg = 1; arg < argc; arg++) {
        size_t w = strlen(argv[arg]);
        if (len + w + 1 > STELE_MAX_QUERY_BYTES) {
            fprintf(stderr, "embed_search: query longer than %d bytes\n", STELE_MAX_QUERY_BYTES);
            return 2;
        }
        if (arg > 1) query[len++] = ' ';
        memcpy(query + len, argv[arg], w);
        len += w;
    }

    rc = stele_open(&ix, embedded_index, embedded_index_size);
    if (rc != STELE_OK) {
        fprintf(stderr, "embed_search: embedded index: %s\n", stele_strerror(rc));
        return 2;
    }
    need = stele_workspace_bound(&ix, MAX_HITS);
    if (need > sizeof workspace) {
        fprintf(stderr, "embed_search: workspace of %zu bytes needed, built with %zu\n", need,
                sizeof workspace);
        return 2;
    }

    memset(&opts, 0, sizeof opts);
    stele_index_info(&ix, &info);
    if (info.language && info.language[0] && strcmp(info.language, "none") != 0) {
        stemmer = stele_stemmer_new(info.language);
        if (!stemmer) {
            fprintf(stderr, "embed_search: no stemmer for '%s'\n", info.language);
            return 2;
        }
        opts.stem = stele_stemmer_stem;
        opts.stem_ctx = stemmer;
    }

    /* From here on nothing allocates. */
    opts.max_results = MAX_HITS;
    rc = stele_query_prepare(&q, &ix, query, len, &opts, workspace, sizeof workspace);
    if (rc == STELE_OK) rc = stele_query_run(&q, hits, MAX_HITS, 0, &n_hits, &n_matches);
    if (rc != STELE_OK) {
        if (rc == STELE_ESYNTAX || rc == STELE_ELIMIT)
            fprintf(stderr, "embed_search: %s at byte %zu\n", stele_query_reason(q.diag.reason),
                    q.diag.offset);
        else
            fprintf(stderr, "embed_search: %s\n", stele_strerror(rc));
        if (stemmer) stele_stemmer_free(stemmer);
        return 2;
    }
    for (i = 0; i < n_hits; i++) {
        size_t snippet_len = 0;
        printf("%zu\t%.*s\t%.3f\t%.*s\n", i + 1, (int)hits[i].id.len, hits[i].id.data,
               hits[i].score, (int)hits[i].title.len, hits[i].title.data);
        rc = stele_query_snippet(&q, &hits[i], NULL, snippet, sizeof snippet, &snippet_len);
        if (rc == STELE_OK) printf("\t%s\n", snippet);
    }
    if (stemmer) stele_stemmer_free(stemmer);
    return n_hits ? 0 : 1;
}
