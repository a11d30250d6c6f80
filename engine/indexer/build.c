/*
 * build.c: stele_build(), the public entry point of the indexer: ingest
 * each input file (doc.h), finish the corpus (merging duplicate
 * resolutions), and build and write the index (writer.c).  Kept apart from
 * writer.c so that code building from an in-memory corpus does not pull in
 * the ingesters.
 */
#include <sys/stat.h>

#include "writer.h"

int stele_build(const char *const *inputs, size_t n_inputs, const stele_build_opts *opts,
                const char *out_path, stele_build_stats *stats, char *err, size_t err_cap)
{
    st_corpus c;
    st_err e;
    uint64_t input_bytes = 0;
    if (!out_path || (n_inputs && !inputs))
        return st_build_error(err, err_cap, STELE_EINVAL, "no output path or inputs");
    int rc = st_corpus_init(&c);
    if (rc) return st_build_error(err, err_cap, rc, "out of memory");
    for (size_t i = 0; i < n_inputs; i++) {
        e.msg[0] = '\0';
        rc = st_ingest(&c, inputs[i], opts ? opts->format : ST_FORMAT_RESOLUTIONS, &e);
        if (rc) {
            st_build_error(err, err_cap, rc, "%s", e.msg[0] ? e.msg : inputs[i]);
            goto done;
        }
        struct stat st;
        if (stat(inputs[i], &st) == 0) input_bytes += (uint64_t)st.st_size;
    }
    e.msg[0] = '\0';
    if ((rc = st_corpus_finish(&c, &e)) != 0) {
        st_build_error(err, err_cap, rc, "%s", e.msg[0] ? e.msg : "cannot finish the corpus");
        goto done;
    }
    rc = stele_build_corpus(&c, opts, out_path, stats, err, err_cap);
    if (!rc && stats) stats->input_bytes = input_bytes;
done:
    st_corpus_free(&c);
    return rc;
}
