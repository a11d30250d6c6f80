/*
 * merge.c: stele_merge(), one index from several (shards built apart).
 *
 * The merge rebuilds: it reads every document of every shard back into
 * the corpus model of doc.h (id, title, and each paragraph's field, kind,
 * number and text, all stored in the index) and builds the result with the
 * writer that stele_build() uses.  So merging shards built from inputs
 * A and B gives the very index, byte for byte, that building A then B at
 * once gives with the same options, and every statistic (document count,
 * field lengths, document frequencies) is recomputed exactly rather than
 * added up.  The price is a second analysis of the text, which costs about
 * what building the shards cost.
 *
 * Why that holds: paragraph texts are stored normalized and normalizing is
 * idempotent; fields are numbered as a single build numbers them, in order
 * of first appearance, which is shard A's field table followed by the new
 * names of B's table in B's order; the stemmer language and the default
 * field weights come from the shards' headers and must agree (a field's
 * weight is compared by name), otherwise the merge is refused, since no
 * single build could have made the shards.  Document order is shard order
 * then the shard's own order.  What an index does not keep cannot be
 * compared: the stored-text block size and preset dictionary are the
 * options' (defaults when zero) and the zlib window is the first shard's.
 *
 * An id present in two shards is an error naming it and both shards
 * (st_corpus_finish() with opts->on_duplicate, default an error).  Every
 * shard is verified (stele_verify()) before it is read, and an output path
 * that names a shard is refused.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "format.h"
#include "reader.h"
#include "writer.h"

/* A shard read into memory and opened. */
typedef struct shard {
    uint8_t *data;
    size_t size;
    stele_index ix;
} shard;

static int load_shard(const char *path, shard *s, char *err, size_t err_cap)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return st_build_error(err, err_cap, STELE_EIO, "%s: cannot open: %s", path,
                              strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0) {
        fclose(f);
        return st_build_error(err, err_cap, STELE_EINPUT, "%s: not an index file", path);
    }
    s->size = (size_t)st.st_size;
    s->data = malloc(s->size);
    if (!s->data) {
        fclose(f);
        return st_build_error(err, err_cap, STELE_ENOMEM, "%s: out of memory", path);
    }
    size_t got = fread(s->data, 1, s->size, f);
    fclose(f);
    if (got != s->size) return st_build_error(err, err_cap, STELE_EIO, "%s: read error", path);
    int rc = stele_open(&s->ix, s->data, s->size);
    if (rc != STELE_OK) return st_build_error(err, err_cap, rc, "%s: %s", path, stele_strerror(rc));
    size_t ws = stele_workspace_bound(&s->ix, 0);
    void *mem = malloc(ws ? ws : 1);
    if (!mem) return st_build_error(err, err_cap, STELE_ENOMEM, "%s: out of memory", path);
    rc = stele_verify(&s->ix, mem, ws);
    free(mem);
    if (rc != STELE_OK) return st_build_error(err, err_cap, rc, "%s: %s", path, stele_strerror(rc));
    return STELE_OK;
}

/* True when a shard's stemmer language is a name: printable ASCII without
 * spaces, as every Snowball name is.  stele_open() only holds the header's
 * field to its NUL, so a crafted shard may carry any bytes there, and the
 * name goes into one-line error messages and the merged header. */
static int language_is_name(const char *lang)
{
    for (const char *p = lang; *p; p++)
        if (*p < '!' || *p > '~') return 0;
    return 1;
}

/* A view as a NUL-terminated copy (the caller has checked that it holds
 * no NUL); NULL when out of memory. */
static char *view_string(stele_view v)
{
    char *s = malloc(v.len + 1);
    if (!s) return NULL;
    memcpy(s, v.data, v.len);
    s[v.len] = '\0';
    return s;
}

/* Adds shard s's fields to c (new names at the end) and fills map, the
 * corpus field of each shard field, and weight, the weights by corpus
 * field (0 = not set yet). */
static int merge_fields(st_corpus *c, const shard *s, const char *path, unsigned *map,
                        uint8_t *weight, char *err, size_t err_cap)
{
    stele_info info;
    stele_index_info(&s->ix, &info);
    for (unsigned f = 0; f < info.n_fields; f++) {
        stele_view v;
        char name[STELE_MAX_FIELD_NAME + 1];
        if (stele_field_name(&s->ix, f, &v) != STELE_OK || v.len == 0 ||
            v.len > STELE_MAX_FIELD_NAME || memchr(v.data, '\0', v.len))
            return st_build_error(err, err_cap, STELE_ECORRUPT, "%s: bad field %u", path, f);
        memcpy(name, v.data, v.len);
        name[v.len] = '\0';
        int cf = st_corpus_field(c, name);
        uint8_t w = (uint8_t)(st_field_weight(&s->ix, f) * 16.0 + 0.5);
        char shown[128]; /* the name in a message: a shard may hold any bytes */
        if (cf < 0 || (weight[cf] && weight[cf] != w)) st_for_message(name, shown, sizeof shown);
        if (cf < 0)
            return st_build_error(err, err_cap, STELE_EINPUT,
                                  "%s: field \"%s\" is one more than the %d fields an index holds",
                                  path, shown, STELE_MAX_FIELDS);
        if (weight[cf] && weight[cf] != w)
            return st_build_error(err, err_cap, STELE_EINPUT,
                                  "%s: field \"%s\" has weight %g, another shard %g", path, shown,
                                  w / 16.0, weight[cf] / 16.0);
        weight[cf] = w;
        map[f] = (unsigned)cf;
    }
    return STELE_OK;
}

/* Appends shard s's documents to c. */
static int read_docs(st_corpus *c, const shard *s, const char *path, const unsigned *map, char *err,
                     size_t err_cap)
{
    stele_info info;
    stele_index_info(&s->ix, &info);
    size_t ws = st_doc_load_bound(&s->ix);
    void *mem = malloc(ws ? ws : 1);
    if (!mem) return st_build_error(err, err_cap, STELE_ENOMEM, "out of memory");
    int rc = STELE_OK;
    for (uint32_t d = 0; d < info.n_docs && rc == STELE_OK; d++) {
        stele_view idv, titlev;
        const char *text;
        size_t text_len;
        uint32_t n_paras;
        if ((rc = stele_doc_id(&s->ix, d, &idv)) != STELE_OK ||
            (rc = stele_doc_title(&s->ix, d, &titlev)) != STELE_OK ||
            (rc = st_para_count(&s->ix, d, &n_paras)) != STELE_OK ||
            (rc = st_doc_load(&s->ix, d, mem, ws, &text, &text_len)) != STELE_OK) {
            st_build_error(err, err_cap, rc, "%s: document %u: %s", path, (unsigned)d,
                           stele_strerror(rc));
            break;
        }
        /* No build writes a NUL into an id or a title, and stele_verify()
         * does not look inside them: a crafted shard's NUL would cut the
         * string, so it is refused, not taken for a lack of memory. */
        if (memchr(idv.data, '\0', idv.len) || memchr(titlev.data, '\0', titlev.len)) {
            rc =
                st_build_error(err, err_cap, STELE_EINPUT,
                               "%s: document %u: a NUL byte in its id or title", path, (unsigned)d);
            break;
        }
        char *id = view_string(idv), *title = view_string(titlev);
        char source[1200];
        snprintf(source, sizeof source, "%s (document %u)", path, (unsigned)d);
        st_doc *doc = id && title ? st_corpus_add_doc(c, id, title, source) : NULL;
        free(id);
        free(title);
        if (!doc) {
            rc = st_build_error(err, err_cap, STELE_ENOMEM, "%s: document %u: out of memory", path,
                                (unsigned)d);
            break;
        }
        doc->format = ST_FORMAT_TEXT; /* no format merges documents of two shards */
        /* Paragraph 0 is the title, which st_corpus_add_doc() added. */
        for (uint32_t i = 1; i < n_paras && rc == STELE_OK; i++) {
            st_para_info p;
            if ((rc = st_para_get(&s->ix, d, i, &p)) != STELE_OK || p.text_off > text_len ||
                p.text_len > text_len - p.text_off || p.field >= info.n_fields) {
                rc = st_build_error(err, err_cap, rc ? rc : STELE_ECORRUPT,
                                    "%s: document %u paragraph %u is damaged", path, (unsigned)d,
                                    (unsigned)i);
                break;
            }
            rc = st_doc_add_para(doc, map[p.field], p.kind, p.number, text + p.text_off, p.text_len,
                                 0);
            if (rc != STELE_OK)
                st_build_error(err, err_cap, rc, "%s: document %u: %s", path, (unsigned)d,
                               stele_strerror(rc));
        }
    }
    free(mem);
    return rc;
}

int stele_merge(const char *const *inputs, size_t n_inputs, const stele_build_opts *opts,
                const char *out_path, stele_build_stats *stats, char *err, size_t err_cap)
{
    static const stele_build_opts defaults;
    if (!opts) opts = &defaults;
    if (!out_path || !inputs || n_inputs == 0)
        return st_build_error(err, err_cap, STELE_EINVAL, "no output path or inputs");
    int rc = st_check_output(inputs, n_inputs, out_path, err, err_cap);
    if (rc) return rc;
    st_corpus c;
    if ((rc = st_corpus_init(&c)) != 0) return st_build_error(err, err_cap, rc, "out of memory");
    c.on_duplicate = opts->on_duplicate;
    c.on_event = opts->on_event;
    c.event_ctx = opts->event_ctx;
    stele_build_opts bopts = *opts;
    uint8_t weight[STELE_MAX_FIELDS] = {0};
    char language[ST_H_LANGUAGE_BYTES + 1] = "";
    uint64_t bytes = 0;
    for (size_t i = 0; i < n_inputs; i++) {
        struct stat st;
        if (stat(inputs[i], &st) == 0 && S_ISREG(st.st_mode)) c.bytes_total += (uint64_t)st.st_size;
    }
    for (size_t i = 0; i < n_inputs && rc == STELE_OK; i++) {
        shard s = {0};
        unsigned map[STELE_MAX_FIELDS];
        stele_info info;
        rc = load_shard(inputs[i], &s, err, err_cap);
        if (rc == STELE_OK) {
            stele_index_info(&s.ix, &info);
            const char *lang = info.language[0] ? info.language : "none";
            if (!language_is_name(lang)) {
                rc = st_build_error(err, err_cap, STELE_EINPUT,
                                    "%s: its stemmer language is not a name", inputs[i]);
            } else if (i == 0) {
                snprintf(language, sizeof language, "%s", lang);
                bopts.window_bits = (int)st_get32(s.data + ST_H_WBITS);
            } else if (strcmp(language, lang) != 0) {
                rc = st_build_error(err, err_cap, STELE_EINPUT,
                                    "%s: stemmer language %s, but %s has %s", inputs[i], lang,
                                    inputs[0], language);
            }
        }
        if (rc == STELE_OK) rc = merge_fields(&c, &s, inputs[i], map, weight, err, err_cap);
        size_t before = c.n_docs;
        if (rc == STELE_OK) rc = read_docs(&c, &s, inputs[i], map, err, err_cap);
        if (rc == STELE_OK) {
            bytes += s.size;
            c.bytes_done = bytes;
            stele_build_event ev = {
                .kind = STELE_EV_INPUT_DONE, .input = inputs[i], .n_docs = c.n_docs - before};
            st_emit(&c, &ev);
            st_emit_read(&c, inputs[i], 0);
        }
        free(s.data);
    }
    st_err e = {{0}};
    if (rc == STELE_OK && (rc = st_corpus_finish(&c, &e)) != STELE_OK)
        st_build_error(err, err_cap, rc, "%s", e.msg);
    if (rc == STELE_OK) {
        bopts.language = language;
        for (size_t f = 0; f < c.n_fields; f++)
            bopts.field_weight[f] = weight[f] / 16.0;
        rc = stele_build_corpus(&c, &bopts, out_path, stats, err, err_cap);
    }
    if (rc == STELE_OK && stats) {
        stats->input_bytes = bytes;
        stats->n_duplicates = c.n_duplicates;
    }
    st_corpus_free(&c);
    return rc;
}
