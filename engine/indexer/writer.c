/*
 * writer.c: assembling an index file and writing it atomically.
 *
 * A build runs the builders (invert.c for the inverted index and
 * paragraph streams, textstore.c for the stored text), writes the small
 * sections itself (field names, document table, strings), then lays out
 * the header and section table of format.h: sections in id order, each at
 * an 8-byte offset with zero padding, each with its CRC32, and the header
 * with its own CRC.  Nothing depends on time, addresses, hash order, the
 * thread count or the memory budget, so equal input gives equal bytes.
 *
 * The file is never assembled in memory: stele_build_corpus() writes the
 * header and then each section straight from its builder's buffer, which
 * saves a copy as large as the index.  Only st_build_memory() (tests,
 * benchmarks) joins the pieces into one buffer.
 *
 * Memory.  stele_build_opts.memory is the budget; an eighth of it bounds
 * the occurrence buffers of invert.c, which spill sorted runs to a
 * nameless scratch file in the output's directory (spill.c) when full,
 * and a sixteenth the paragraph text the corpus holds before
 * stele_build_inputs() has it spill documents (doc.h).  The rest is left
 * to what is not bounded: a record per document, the term tables and the
 * sections being built.  Between steps the memory the builders freed is
 * given back (st_release_memory()), so that the next step does not stand
 * on top of it.
 *
 * st_write_atomic() writes to a temporary file created next to the target
 * (same file system, so rename() is atomic), fsyncs it, renames it over
 * the target and fsyncs the directory.  Any failure (a full disk shows as
 * a short write or a failed fsync, a file-size limit as EFBIG once the
 * caller ignores SIGXFSZ) removes the temporary file and leaves the old
 * index in place.  Events tell the caller the temporary file's name while
 * it exists (STELE_EV_WRITE_TEMP .. STELE_EV_WRITE_END), so that a signal
 * handler can remove it if the process is killed in between.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "analyze.h"
#include "format.h"
#include "stele_stem.h"
#include "writer.h"
#include "zlib.h"

int st_build_error(char *err, size_t err_cap, int rc, const char *fmt, ...)
{
    if (err && err_cap) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, err_cap, fmt, ap);
        va_end(ap);
    }
    return rc;
}

static const char *const section_names[ST_N_SECTIONS] = {
    "fields", "dict-index", "dict", "postings",  "positions", "docs", "strings",
    "paras",  "text-index", "text", "text-dict", "lexicon",   "norms"};

static double default_weight(unsigned f)
{
    return f == 0 ? 2.0 : f == 2 ? 0.5 : 1.0;
}

/* Fields, document table, strings and norms. */
static int small_sections(const st_corpus *c, const st_invert_out *inv, const st_text_out *txt,
                          st_buf *fields, st_buf *docs, st_buf *strings, st_buf *norms, char *err,
                          size_t err_cap)
{
    for (size_t f = 0; f < c->n_fields; f++) {
        size_t n = c->field_names[f] ? strlen(c->field_names[f]) : 0;
        if (n == 0 || n > STELE_MAX_FIELD_NAME)
            return st_build_error(err, err_cap, STELE_EINPUT, "field %zu has a bad name", f);
        st_buf_u8(fields, (uint8_t)n);
        st_buf_put(fields, c->field_names[f], n);
    }
    for (size_t d = 0; d < c->n_docs; d++) {
        const st_doc *doc = &c->docs[d];
        size_t id_len = doc->id ? strlen(doc->id) : 0;
        size_t title_len = doc->title ? strlen(doc->title) : 0;
        if (strings->len > UINT32_MAX || id_len > UINT32_MAX - strings->len ||
            title_len > UINT32_MAX - strings->len - id_len)
            return st_build_error(err, err_cap, STELE_EINPUT, "too much document metadata");
        /* The id, title and text lengths are in the paragraph stream. */
        st_buf_u32(docs, (uint32_t)strings->len);
        st_buf_put(strings, doc->id, id_len);
        st_buf_put(strings, doc->title, title_len);
        st_buf_u32(docs, inv->docs[d].para_off);
        st_buf_u32(docs, txt->doc_block[d]);
        st_buf_u32(docs, txt->doc_off[d]);
        st_buf_put(norms, inv->docs[d].norm, c->n_fields);
    }
    if (fields->failed || docs->failed || strings->failed || norms->failed)
        return st_build_error(err, err_cap, STELE_ENOMEM, "out of memory");
    return STELE_OK;
}

int st_build_memory_budget(const stele_build_opts *opts, size_t *memory, char *err, size_t err_cap)
{
    *memory = opts && opts->memory ? opts->memory : STELE_BUILD_MEMORY;
    if (*memory < STELE_BUILD_MIN_MEMORY)
        return st_build_error(err, err_cap, STELE_EINVAL,
                              "memory budget %zu bytes is below the least, %zu", *memory,
                              STELE_BUILD_MIN_MEMORY);
    return STELE_OK;
}

unsigned st_build_threads(const stele_build_opts *opts)
{
    long n = opts && opts->threads ? (long)opts->threads : sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1) n = 1;
    return n > ST_MAX_THREADS ? ST_MAX_THREADS : (unsigned)n;
}

/* The stored text, built on a thread of its own. */
typedef struct text_task {
    const st_corpus *c;
    size_t block_bytes, dict_bytes;
    int window_bits;
    unsigned threads;
    st_text_out *out;
    st_text_progress progress;
    atomic_int finished;
    int rc;
    char err[256];
} text_task;

static void *text_thread(void *arg)
{
    text_task *t = arg;
    t->rc = st_textstore(t->c, t->block_bytes, t->dict_bytes, t->window_bits, t->threads,
                         &t->progress, t->out, t->err, sizeof t->err);
    atomic_store(&t->finished, 1);
    return NULL;
}

/* Part of the memory budget the occurrence buffers may hold (the rest is
 * for the corpus, the dictionary trainer and the sections being built).
 * An eighth rather than a quarter: on the benchmark corpus the buffers
 * fill while the trainer and the compressed text peak on the other
 * thread, and the larger share took the build past the budget.  The runs
 * merge from twice as many pieces, at no measurable cost. */
#define OCC_BUDGET_SHARE 8

char *st_dir_of(const char *path)
{
    size_t n = strlen(path);
    char *dir = malloc(n + 2);
    if (!dir) return NULL;
    memcpy(dir, path, n + 1);
    char *slash = strrchr(dir, '/');
    if (slash == dir)
        slash[1] = '\0';
    else if (slash)
        *slash = '\0';
    else
        strcpy(dir, ".");
    return dir;
}

/* The header and section table, padded to the first section. */
#define HEADER_BYTES                                                                               \
    ((ST_HEADER_FIXED + ST_SECTION_ENTRY * ST_N_SECTIONS + ST_ALIGN - 1) & ~(ST_ALIGN - 1))

/*
 * Builds the index of c and writes it atomically to out_path, section by
 * section from the builders' buffers (no copy of the whole file is made),
 * spilling runs that exceed the memory budget to a scratch file in
 * out_path's directory.  With out_path NULL it builds into memory instead
 * (st_build_memory()) and never spills.
 */
static int build_in(const st_corpus *c, const stele_build_opts *opts, const char *out_path,
                    const char *spill_dir, uint8_t **data, size_t *size, stele_build_stats *stats,
                    char *err, size_t err_cap)
{
    static const stele_build_opts defaults;
    if (!opts) opts = &defaults;
    if (data) *data = NULL;
    if (size) *size = 0;
    const char *lang = opts->language ? opts->language : "english";
    int no_stem = strcmp(lang, "none") == 0;
    if (strlen(lang) >= ST_H_LANGUAGE_BYTES)
        return st_build_error(err, err_cap, STELE_EINVAL, "language name too long: %s", lang);
    if (c->n_fields < 1 || c->n_fields > STELE_MAX_FIELDS)
        return st_build_error(err, err_cap, STELE_EINPUT, "bad number of fields: %zu", c->n_fields);
    uint8_t weight_q[STELE_MAX_FIELDS] = {0};
    for (unsigned f = 0; f < c->n_fields; f++) {
        double w = opts->field_weight[f] > 0 ? opts->field_weight[f] : default_weight(f);
        double q = floor(w * 16.0 + 0.5);
        if (!(q >= 1 && q <= 255))
            return st_build_error(err, err_cap, STELE_EINVAL,
                                  "field weight %g out of range (1/16 .. 15.9)", w);
        weight_q[f] = (uint8_t)q;
    }
    size_t block_bytes = opts->block_bytes ? opts->block_bytes : STELE_BUILD_BLOCK_BYTES;
    size_t dict_bytes = opts->dict_bytes == 0                     ? STELE_BUILD_DICT_BYTES
                        : opts->dict_bytes == STELE_BUILD_NO_DICT ? 0
                                                                  : opts->dict_bytes;
    int window_bits = opts->window_bits ? opts->window_bits : STELE_BUILD_WINDOW_BITS;
    if (window_bits < 9 || window_bits > 15)
        return st_build_error(err, err_cap, STELE_EINVAL, "window bits %d not in 9 .. 15",
                              window_bits);
    if (dict_bytes > ((size_t)1 << window_bits)) dict_bytes = (size_t)1 << window_bits;
    if (dict_bytes > ST_ZDICT_MAX || block_bytes > (1u << 30))
        return st_build_error(err, err_cap, STELE_EINVAL, "dictionary or block size too large");
    size_t memory;
    int rc = st_build_memory_budget(opts, &memory, err, err_cap);
    if (rc) return rc;

    stele_stemmer *stemmer = NULL;
    if (!no_stem && (stemmer = stele_stemmer_new(lang)) == NULL) {
        /* NULL means an unknown language or no memory: tell them apart. */
        const char **known = stele_stemmer_languages();
        for (size_t i = 0; known && known[i]; i++)
            if (strcmp(known[i], lang) == 0)
                return st_build_error(err, err_cap, STELE_ENOMEM, "out of memory");
        return st_build_error(err, err_cap, STELE_ENOTFOUND, "unknown stemmer language: %s", lang);
    }

    unsigned threads = st_build_threads(opts);
    st_invert_out inv;
    st_text_out txt;
    st_buf fields = {0}, docs = {0}, strings = {0}, norms = {0};
    /* With two threads or more, the stored text is trained and compressed
     * on a thread of its own while this one inverts; the calling thread
     * alone emits events (see stele_build_opts.on_event). */
    text_task task = {.c = c,
                      .block_bytes = block_bytes,
                      .dict_bytes = dict_bytes,
                      .window_bits = window_bits,
                      .threads = threads > 1 ? threads - 1 : 1,
                      .out = &txt};
    atomic_init(&task.progress.docs_done, 0);
    atomic_init(&task.finished, 0);
    pthread_t text_tid;
    int text_async =
        threads > 1 && c->n_docs > 0 && pthread_create(&text_tid, NULL, text_thread, &task) == 0;
    /* A stemmer per analysing thread: a Snowball stemmer is not shared. */
    void *stemmers[ST_MAX_THREADS] = {stemmer};
    unsigned n_stemmers = 1;
    while (stemmer && n_stemmers < threads &&
           (stemmers[n_stemmers] = stele_stemmer_new(lang)) != NULL)
        n_stemmers++;
    st_spill spill;
    st_spill_init(&spill, spill_dir);
    st_invert_mem mem = {.occ_bytes = memory / OCC_BUDGET_SHARE,
                         .spill = spill_dir ? &spill : NULL};
    rc = st_invert(c, stemmer ? stele_stemmer_stem : NULL, stemmers, stemmer ? n_stemmers : threads,
                   &mem, &inv, err, err_cap);
    if (rc == STELE_EIO) {
        int e = atomic_load(&spill.err_no);
        st_build_error(err, err_cap, rc, "%s: cannot write a scratch file there: %s",
                       spill_dir && spill_dir[0] ? spill_dir : ".", strerror(e ? e : EIO));
    }
    st_release_memory(); /* what the analysing threads freed */
    uint64_t spill_bytes = atomic_load(&spill.end);
    st_spill_close(&spill);
    for (unsigned k = 0; k < n_stemmers; k++)
        stele_stemmer_free(stemmers[k]);
    int text_rc;
    if (text_async) {
        while (!atomic_load(&task.finished)) {
            stele_build_event ev = {.kind = STELE_EV_COMPRESS,
                                    .done = atomic_load(&task.progress.docs_done),
                                    .total = c->n_docs};
            if (!rc) st_emit(c, &ev);
            struct timespec nap = {0, 20 * 1000 * 1000};
            nanosleep(&nap, NULL);
        }
        pthread_join(text_tid, NULL);
        text_rc = task.rc;
        if (text_rc && !rc) st_build_error(err, err_cap, text_rc, "%s", task.err);
    } else if (rc) {
        return rc;
    } else {
        text_rc = st_textstore(c, block_bytes, dict_bytes, window_bits, threads, NULL, &txt, err,
                               err_cap);
    }
    st_release_memory(); /* what compression freed */
    if (rc || text_rc) {
        if (!rc) st_invert_free(&inv);
        if (!text_rc) st_textstore_free(&txt);
        return rc ? rc : text_rc;
    }
    if ((rc = small_sections(c, &inv, &txt, &fields, &docs, &strings, &norms, err, err_cap)) != 0)
        goto done;

    const st_buf *sec[ST_N_SECTIONS] = {
        &fields,    &inv.dict_index, &inv.dict, &inv.postings, &inv.positions, &docs, &strings,
        &inv.paras, &txt.text_index, &txt.text, &txt.zdict,    &inv.lexicon,   &norms};
    uint64_t off[ST_N_SECTIONS], total = HEADER_BYTES;
    for (unsigned i = 0; i < ST_N_SECTIONS; i++) {
        total = (total + ST_ALIGN - 1) & ~(uint64_t)(ST_ALIGN - 1);
        off[i] = total;
        total += sec[i]->len;
    }
    if (total > UINT32_MAX) {
        rc = st_build_error(err, err_cap, STELE_EINPUT, "index would exceed 4 GB");
        goto done;
    }
    uint8_t head[HEADER_BYTES] = {0};
    memcpy(head, ST_MAGIC, ST_MAGIC_BYTES);
    st_put32(head + ST_H_VERSION, ST_FORMAT_VERSION);
    st_put32(head + ST_H_FLAGS, txt.zdict.len ? ST_FLAG_ZDICT : 0);
    st_put32(head + ST_H_HEADER_BYTES, HEADER_BYTES);
    st_put32(head + ST_H_N_SECTIONS, ST_N_SECTIONS);
    st_put32(head + ST_H_N_DOCS, (uint32_t)c->n_docs);
    st_put32(head + ST_H_N_TERMS, (uint32_t)inv.n_terms);
    st_put32(head + ST_H_N_FIELDS, (uint32_t)c->n_fields);
    st_put32(head + ST_H_NORM_VERSION, ST_NORM_VERSION);
    st_put32(head + ST_H_MAX_BLOCK, txt.max_block);
    st_put32(head + ST_H_WBITS, (uint32_t)window_bits);
    st_put32(head + ST_H_MAX_POS, inv.max_pos_limit);
    if (!no_stem) memcpy(head + ST_H_LANGUAGE, lang, strlen(lang));
    memcpy(head + ST_H_WEIGHTS, weight_q, STELE_MAX_FIELDS);
    for (unsigned f = 0; f < STELE_MAX_FIELDS; f++)
        st_put64(head + ST_H_TOKENS + 8 * f, inv.field_tokens[f]);
    /* The file as pieces: the header, then each section after the zero
     * padding that aligns it. */
    static const uint8_t zeros[ST_ALIGN];
    st_piece pieces[1 + 2 * ST_N_SECTIONS];
    size_t n_pieces = 0;
    uint64_t at = HEADER_BYTES;
    pieces[n_pieces++] = (st_piece){head, HEADER_BYTES};
    for (unsigned i = 0; i < ST_N_SECTIONS; i++) {
        uint8_t *e = head + ST_HEADER_FIXED + ST_SECTION_ENTRY * i;
        st_put32(e, i);
        st_put32(e + 4, (uint32_t)off[i]);
        st_put32(e + 8, (uint32_t)sec[i]->len);
        st_put32(e + 12, (uint32_t)crc32(crc32(0L, Z_NULL, 0), sec[i]->data, (uInt)sec[i]->len));
        if (off[i] > at) pieces[n_pieces++] = (st_piece){zeros, (size_t)(off[i] - at)};
        if (sec[i]->len) pieces[n_pieces++] = (st_piece){sec[i]->data, sec[i]->len};
        at = off[i] + sec[i]->len;
    }
    st_put32(head + ST_H_CRC, (uint32_t)crc32(crc32(0L, Z_NULL, 0), head, HEADER_BYTES));

    if (stats) {
        memset(stats, 0, sizeof *stats);
        stats->n_docs = c->n_docs;
        stats->n_terms = inv.n_terms;
        stats->n_postings = inv.n_postings;
        stats->n_tokens = inv.n_tokens;
        stats->n_invalid_utf8 = inv.n_invalid + c->n_invalid_utf8;
        stats->text_bytes = txt.raw_bytes;
        stats->index_bytes = total;
        stats->n_text_blocks = txt.n_blocks;
        stats->spill_bytes = spill_bytes;
        stats->n_spilled_docs = c->n_spilled;
        stats->n_sections = ST_N_SECTIONS;
        for (unsigned i = 0; i < ST_N_SECTIONS; i++) {
            stats->section[i].name = section_names[i];
            stats->section[i].bytes = sec[i]->len;
        }
    }
    if (out_path) {
        rc = st_write_atomic_pieces(out_path, pieces, n_pieces, opts, err, err_cap);
    } else if ((*data = malloc((size_t)total)) == NULL) {
        rc = st_build_error(err, err_cap, STELE_ENOMEM, "out of memory");
    } else {
        for (size_t k = 0, pos = 0; k < n_pieces; pos += pieces[k++].len)
            memcpy(*data + pos, pieces[k].data, pieces[k].len);
        *size = (size_t)total;
    }
done:
    st_buf_free(&fields);
    st_buf_free(&docs);
    st_buf_free(&strings);
    st_buf_free(&norms);
    st_invert_free(&inv);
    st_textstore_free(&txt);
    return rc;
}

static int build_index(const st_corpus *c, const stele_build_opts *opts, const char *out_path,
                       uint8_t **data, size_t *size, stele_build_stats *stats, char *err,
                       size_t err_cap)
{
    /* Scratch files go next to the output, whose file system is known. */
    char *spill_dir = out_path ? st_dir_of(out_path) : NULL;
    if (out_path && !spill_dir) return st_build_error(err, err_cap, STELE_ENOMEM, "out of memory");
    int rc = build_in(c, opts, out_path, spill_dir, data, size, stats, err, err_cap);
    free(spill_dir);
    return rc;
}

int st_build_memory(const st_corpus *c, const stele_build_opts *opts, uint8_t **data, size_t *size,
                    stele_build_stats *stats, char *err, size_t err_cap)
{
    return build_index(c, opts, NULL, data, size, stats, err, err_cap);
}

/* Calls opts->on_event, if any, with an event of kind and progress. */
static void write_event(const stele_build_opts *opts, int kind, const char *message, uint64_t done,
                        uint64_t total)
{
    if (!opts || !opts->on_event) return;
    stele_build_event ev = {.kind = kind, .message = message, .done = done, .total = total};
    opts->on_event(opts->event_ctx, &ev);
}

/* Writes are cut into chunks of this size, so progress moves and an
 * interrupt is handled between them. */
#define WRITE_CHUNK ((size_t)1 << 20)

int st_write_atomic(const char *path, const uint8_t *data, size_t size,
                    const stele_build_opts *opts, char *err, size_t err_cap)
{
    st_piece whole = {data, size};
    return st_write_atomic_pieces(path, &whole, 1, opts, err, err_cap);
}

int st_write_atomic_pieces(const char *path, const st_piece *pieces, size_t n_pieces,
                           const stele_build_opts *opts, char *err, size_t err_cap)
{
    size_t size = 0;
    for (size_t k = 0; k < n_pieces; k++)
        size += pieces[k].len;
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 16);
    if (!tmp) return st_build_error(err, err_cap, STELE_ENOMEM, "out of memory");
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, ".tmp.XXXXXX", 12);
    write_event(opts, STELE_EV_WRITE_BEGIN, NULL, 0, size);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        int saved = errno;
        write_event(opts, STELE_EV_WRITE_END, NULL, 0, size);
        int rc = st_build_error(err, err_cap, STELE_EIO,
                                "%s: cannot create a temporary file in its directory: %s", path,
                                strerror(saved));
        free(tmp);
        return rc;
    }
    write_event(opts, STELE_EV_WRITE_TEMP, tmp, 0, size);
    const char *what = NULL;
    int saved = 0;
    if (fchmod(fd, 0644) != 0) {
        what = "chmod";
        saved = errno;
    }
    size_t done = 0;
    for (size_t k = 0; !what && k < n_pieces; k++)
        for (size_t at = 0; at < pieces[k].len;) {
            size_t left = pieces[k].len - at;
            ssize_t n = write(fd, pieces[k].data + at, left < WRITE_CHUNK ? left : WRITE_CHUNK);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
                what = "write";
                saved = n < 0 ? errno : ENOSPC;
                break;
            }
            at += (size_t)n;
            done += (size_t)n;
            write_event(opts, STELE_EV_WRITE, NULL, done, size);
        }
    if (!what && fsync(fd) != 0) {
        what = "fsync";
        saved = errno;
    }
    if (close(fd) != 0 && !what) {
        what = "close";
        saved = errno;
    }
    if (!what) write_event(opts, STELE_EV_WRITE_COMMIT, NULL, size, size);
    if (!what && rename(tmp, path) != 0) {
        what = "rename";
        saved = errno;
    }
    if (what) {
        unlink(tmp);
        write_event(opts, STELE_EV_WRITE_END, NULL, 0, size);
        int rc = st_build_error(err, err_cap, STELE_EIO, "%s: %s failed: %s", path, what,
                                strerror(saved));
        free(tmp);
        return rc;
    }
    write_event(opts, STELE_EV_WRITE_END, NULL, size, size);
    free(tmp);
    /* Make the rename durable: fsync the directory (best effort). */
    char *dir = st_dir_of(path);
    if (dir) {
        int dfd = open(dir, O_RDONLY);
        if (dfd >= 0) {
            (void)fsync(dfd);
            close(dfd);
        }
        free(dir);
    }
    return STELE_OK;
}

int stele_build_corpus(const st_corpus *c, const stele_build_opts *opts, const char *out_path,
                       stele_build_stats *stats, char *err, size_t err_cap)
{
    return build_index(c, opts, out_path, NULL, NULL, stats, err, err_cap);
}
