/*
 * build.c: stele_build_inputs() and stele_build(), the public entry points
 * of the indexer: refuse an output that is also an input, ingest each input
 * (doc.h) in its format, finish the corpus (one document per id: merges of
 * resolutions, duplicates by opts->on_duplicate) and build and write the
 * index (writer.c).  Kept apart from writer.c so that code building from an
 * in-memory corpus does not pull in the ingesters.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "writer.h"

/* A file given as an input, for finding one given twice. */
typedef struct file_ref {
    dev_t dev;
    ino_t ino;
    size_t index;
} file_ref;

static int cmp_file_ref(const void *x, const void *y)
{
    const file_ref *a = x, *b = y;
    if (a->dev != b->dev) return a->dev < b->dev ? -1 : 1;
    if (a->ino != b->ino) return a->ino < b->ino ? -1 : 1;
    return a->index < b->index ? -1 : a->index > b->index;
}

/* Fails when two paths name one file: its documents would all be
 * duplicates, and the message says why better than each duplicate id. */
static int check_distinct(const char *const *paths, size_t n_paths, char *err, size_t err_cap)
{
    file_ref *refs = malloc((n_paths ? n_paths : 1) * sizeof *refs);
    if (!refs) return st_build_error(err, err_cap, STELE_ENOMEM, "out of memory");
    size_t n = 0;
    for (size_t i = 0; i < n_paths; i++) {
        struct stat st;
        if (strcmp(paths[i], "-") != 0 && stat(paths[i], &st) == 0)
            refs[n++] = (file_ref){st.st_dev, st.st_ino, i};
    }
    qsort(refs, n, sizeof *refs, cmp_file_ref);
    int rc = STELE_OK;
    for (size_t i = 1; i < n && rc == STELE_OK; i++)
        if (refs[i].dev == refs[i - 1].dev && refs[i].ino == refs[i - 1].ino)
            rc = st_build_error(err, err_cap, STELE_EINVAL, "%s is given twice (also as %s)",
                                paths[refs[i].index], paths[refs[i - 1].index]);
    free(refs);
    return rc;
}

int st_check_output(const char *const *paths, size_t n_paths, const char *out_path, char *err,
                    size_t err_cap)
{
    struct stat out_st;
    int out_exists = stat(out_path, &out_st) == 0;
    if (out_exists && S_ISDIR(out_st.st_mode))
        return st_build_error(err, err_cap, STELE_EINVAL, "%s: the output is a directory",
                              out_path);
    size_t n_stdin = 0;
    for (size_t i = 0; i < n_paths; i++) {
        const char *path = paths[i];
        if (!path) return st_build_error(err, err_cap, STELE_EINVAL, "input %zu has no path", i);
        if (strcmp(path, "-") == 0) {
            if (++n_stdin > 1)
                return st_build_error(err, err_cap, STELE_EINVAL,
                                      "standard input (-) is given more than once");
            continue;
        }
        struct stat in_st;
        if (strcmp(path, out_path) == 0 ||
            (out_exists && stat(path, &in_st) == 0 && in_st.st_dev == out_st.st_dev &&
             in_st.st_ino == out_st.st_ino))
            return st_build_error(err, err_cap, STELE_EINVAL,
                                  "%s: the output file is also an input; refusing to overwrite it",
                                  out_path);
    }
    return check_distinct(paths, n_paths, err, err_cap);
}

static int check_paths(const stele_build_input *inputs, size_t n_inputs, const char *out_path,
                       char *err, size_t err_cap)
{
    const char **paths = malloc((n_inputs ? n_inputs : 1) * sizeof *paths);
    if (!paths) return st_build_error(err, err_cap, STELE_ENOMEM, "out of memory");
    for (size_t i = 0; i < n_inputs; i++)
        paths[i] = inputs[i].path;
    int rc = st_check_output(paths, n_inputs, out_path, err, err_cap);
    free(paths);
    return rc;
}

int stele_build_inputs(const stele_build_input *inputs, size_t n_inputs,
                       const stele_build_opts *opts, const char *out_path, stele_build_stats *stats,
                       char *err, size_t err_cap)
{
    static const stele_build_opts defaults;
    st_corpus c;
    st_err e;
    if (!opts) opts = &defaults;
    if (!out_path || (n_inputs && !inputs))
        return st_build_error(err, err_cap, STELE_EINVAL, "no output path or inputs");
    int rc = check_paths(inputs, n_inputs, out_path, err, err_cap);
    if (rc) return rc;
    size_t memory;
    if ((rc = st_build_memory_budget(opts, &memory, err, err_cap)) != 0) return rc;
    /* The corpus spills its text next to the output, as the runs do. */
    char *spill_dir = st_dir_of(out_path);
    if (!spill_dir) return st_build_error(err, err_cap, STELE_ENOMEM, "out of memory");
    st_spill text_spill;
    st_spill_init(&text_spill, spill_dir);
    if ((rc = st_corpus_init(&c)) != 0) {
        st_spill_close(&text_spill);
        free(spill_dir);
        return st_build_error(err, err_cap, rc, "out of memory");
    }
    c.text_spill = &text_spill;
    c.text_budget = memory / ST_TEXT_BUDGET_SHARE;
    c.on_duplicate = opts->on_duplicate;
    c.strict_utf8 = opts->strict_utf8;
    c.on_event = opts->on_event;
    c.event_ctx = opts->event_ctx;
    for (size_t i = 0; i < n_inputs; i++) {
        struct stat st;
        if (strcmp(inputs[i].path, "-") != 0 && stat(inputs[i].path, &st) == 0 &&
            S_ISREG(st.st_mode))
            c.bytes_total += (uint64_t)st.st_size;
    }
    for (size_t i = 0; i < n_inputs; i++) {
        e.msg[0] = '\0';
        rc = st_ingest_named(&c, inputs[i].path, inputs[i].name, inputs[i].format, &e);
        if (rc) {
            st_build_error(err, err_cap, rc, "%s", e.msg[0] ? e.msg : inputs[i].path);
            goto done;
        }
    }
    e.msg[0] = '\0';
    if ((rc = st_corpus_finish(&c, &e)) != 0) {
        st_build_error(err, err_cap, rc, "%s", e.msg[0] ? e.msg : "cannot finish the corpus");
        goto done;
    }
    rc = stele_build_corpus(&c, opts, out_path, stats, err, err_cap);
    if (!rc && stats) {
        stats->input_bytes = c.bytes_done;
        stats->n_duplicates = c.n_duplicates;
        stats->spill_bytes += atomic_load(&text_spill.end);
    }
done:
    st_corpus_free(&c);
    st_spill_close(&text_spill);
    free(spill_dir);
    return rc;
}

int stele_build(const char *const *inputs, size_t n_inputs, const stele_build_opts *opts,
                const char *out_path, stele_build_stats *stats, char *err, size_t err_cap)
{
    if (n_inputs && !inputs)
        return st_build_error(err, err_cap, STELE_EINVAL, "no output path or inputs");
    stele_build_input *in = calloc(n_inputs ? n_inputs : 1, sizeof *in);
    if (!in) return st_build_error(err, err_cap, STELE_ENOMEM, "out of memory");
    for (size_t i = 0; i < n_inputs; i++)
        in[i] =
            (stele_build_input){.path = inputs[i], .name = NULL, .format = opts ? opts->format : 0};
    int rc = stele_build_inputs(in, n_inputs, opts, out_path, stats, err, err_cap);
    free(in);
    return rc;
}
