/*
 * writer.h: the index writer's internal interface.  Interface to code in
 * buf.c (growable byte buffers), invert.c (analysis and the inverted
 * index: dictionary, postings, positions, paragraph streams, norms),
 * textstore.c (stored text blocks and the preset dictionary) and writer.c
 * (assembling the file, atomic write).  Host side: allocates and checks
 * every allocation; a failure is STELE_ENOMEM.
 */
#ifndef STELE_WRITER_H
#define STELE_WRITER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "doc.h"
#include "stele_index.h"

/* Most threads a build uses (stele_build_opts.threads is capped). */
#define ST_MAX_THREADS 64

/* ---- buf.c ----------------------------------------------------------- */

/* A growable byte buffer.  After a failed allocation it stays in error
 * (failed = 1) and ignores further writes, so a sequence of puts can be
 * checked once at its end. */
typedef struct st_buf {
    uint8_t *data;
    size_t len, cap;
    int failed;
} st_buf;

int st_buf_reserve(st_buf *b, size_t extra);
int st_buf_put(st_buf *b, const void *p, size_t n);
int st_buf_zeros(st_buf *b, size_t n);
int st_buf_u8(st_buf *b, uint8_t v);
int st_buf_u16(st_buf *b, uint16_t v);
int st_buf_u32(st_buf *b, uint32_t v);
int st_buf_varint(st_buf *b, uint64_t v);
void st_buf_free(st_buf *b);
/* Returns memory freed so far to the system where the allocator keeps it
 * (between the steps of a build). */
void st_release_memory(void);

/* ---- spill.c --------------------------------------------------------- */

/* The scratch file of a build: nameless (removed by the kernel when it is
 * closed, whatever the exit path), in the output's directory, made on the
 * first write.  Safe to write from several threads at once. */
typedef struct st_spill {
    const char *dir; /* where to make it; NULL or "" = the current directory */
    atomic_int fd;   /* -1 until the first write */
    atomic_int err_no;
    atomic_uint_fast64_t end; /* bytes reserved so far */
    pthread_mutex_t lock;     /* taken to make the file */
    int open_failed;
} st_spill;

void st_spill_init(st_spill *s, const char *dir);
/* Appends n bytes, returning where they went in *off; STELE_EIO with
 * s->err_no set when the file cannot be made or written. */
int st_spill_write(st_spill *s, const void *data, size_t n, uint64_t *off);
/* Reads n bytes written earlier at off. */
int st_spill_read(st_spill *s, void *data, size_t n, uint64_t off);
void st_spill_close(st_spill *s);

/* Appends the stored text of document d of c (its paragraphs joined by
 * '\n') to out, reading it back from c->text_spill when d is spilled;
 * STELE_ENOMEM or STELE_EIO. */
int st_doc_read_text(const st_corpus *c, const st_doc *d, st_buf *out);
/* The paragraphs of document d in *paras: d->paras, or, when d is spilled,
 * read back into buf (emptied first) with their texts pointing into it
 * (not NUL-terminated), valid until buf changes; STELE_ENOMEM or
 * STELE_EIO. */
int st_doc_paras(const st_corpus *c, const st_doc *d, st_buf *buf, const st_para **paras);

/* ---- invert.c -------------------------------------------------------- */

/* Per-document results of analysis that the document table needs. */
typedef struct st_doc_out {
    uint32_t para_off; /* paragraph stream in PARAS */
    uint32_t text_len; /* stored text bytes */
    uint8_t norm[STELE_MAX_FIELDS];
} st_doc_out;

typedef struct st_invert_out {
    st_buf dict_index, dict, postings, positions, paras, lexicon;
    st_doc_out *docs; /* n_docs entries */
    uint64_t field_tokens[STELE_MAX_FIELDS];
    uint32_t max_pos_limit; /* largest position limit of a document */
    uint64_t n_terms, n_postings, n_tokens, n_invalid;
} st_invert_out;

/* How st_invert() may use memory: the occurrence buffers of all threads
 * together hold at most occ_bytes (0: no bound); when a thread's share is
 * full its occurrences are sorted and spilled as a run to spill (NULL: never
 * spill, no bound).  The bytes of the index do not depend on either. */
typedef struct st_invert_mem {
    size_t occ_bytes;
    st_spill *spill;
} st_invert_mem;

/* Analyses every document of c with stem (NULL: no stemming) and builds
 * the inverted index sections.  Analysis and sorting run on n_threads
 * threads, thread k stemming with stem_ctx[k] (stem_ctx may be NULL when
 * stem is); the bytes do not depend on n_threads.  mem may be NULL (no
 * bound).  On error fills err and frees what it made. */
int st_invert(const st_corpus *c, stele_stem_fn stem, void *const *stem_ctx, unsigned n_threads,
              const st_invert_mem *mem, st_invert_out *out, char *err, size_t err_cap);
void st_invert_free(st_invert_out *out);

/* ---- textstore.c ----------------------------------------------------- */

typedef struct st_text_out {
    st_buf text_index, text, zdict;
    uint32_t *doc_block, *doc_off; /* per document: block and offset in it */
    uint32_t max_block;            /* largest uncompressed block */
    uint64_t n_blocks, raw_bytes;
} st_text_out;

/* Progress of a st_textstore() running on another thread: documents of
 * the current compression pass done (a pass restarts it at 0). */
typedef struct st_text_progress {
    atomic_uint_fast64_t docs_done;
} st_text_progress;

/* Cuts the documents' stored texts into blocks of about block_bytes,
 * trains a preset dictionary of at most dict_bytes (0: none) and
 * compresses each block with a window of 2^window_bits, with the
 * dictionary when that makes blocks plus dictionary smaller than the
 * blocks alone (otherwise out->zdict is left empty).  Blocks are
 * compressed by up to `threads` threads (the bytes do not depend on how
 * many).  With progress NULL, STELE_EV_COMPRESS events are emitted from
 * the calling thread; otherwise none are, and progress is kept instead. */
int st_textstore(const st_corpus *c, size_t block_bytes, size_t dict_bytes, int window_bits,
                 unsigned threads, st_text_progress *progress, st_text_out *out, char *err,
                 size_t err_cap);
void st_textstore_free(st_text_out *out);

/* Trains a preset dictionary of at most cap bytes from the corpus text. */
int st_zdict_train(const st_corpus *c, size_t cap, st_buf *out);

/* ---- writer.c -------------------------------------------------------- */

/* The memory budget of a build with opts (opts->memory or the default);
 * STELE_EINVAL with a message when it is below STELE_BUILD_MIN_MEMORY. */
int st_build_memory_budget(const stele_build_opts *opts, size_t *memory, char *err, size_t err_cap);

/* Part of the memory budget the corpus's paragraph text may hold before
 * documents are spilled (see doc.h). */
#define ST_TEXT_BUDGET_SHARE 16

/* The directory of path ("." for a bare name), malloc'ed; NULL when out
 * of memory. */
char *st_dir_of(const char *path);

/* The threads a build with opts uses: opts->threads, or one per online
 * core, at most ST_MAX_THREADS. */
unsigned st_build_threads(const stele_build_opts *opts);

/* Builds the index of c into memory: *data (malloc'ed, the caller frees)
 * of *size bytes.  Having no directory to spill to, it ignores the memory
 * budget; the bytes are those stele_build_corpus() writes. */
int st_build_memory(const st_corpus *c, const stele_build_opts *opts, uint8_t **data, size_t *size,
                    stele_build_stats *stats, char *err, size_t err_cap);

/* Builds the index of c and writes it atomically to out_path, within the
 * memory budget of opts (spilling to a scratch file next to out_path). */
int stele_build_corpus(const st_corpus *c, const stele_build_opts *opts, const char *out_path,
                       stele_build_stats *stats, char *err, size_t err_cap);

/* Writes size bytes to path atomically (temporary file, fsync, rename),
 * reporting progress through opts->on_event (opts may be NULL). */
int st_write_atomic(const char *path, const uint8_t *data, size_t size,
                    const stele_build_opts *opts, char *err, size_t err_cap);

/* A byte range of a file to write. */
typedef struct st_piece {
    const uint8_t *data;
    size_t len;
} st_piece;

/* st_write_atomic() of the pieces laid end to end, so that a file made of
 * separate buffers is written without first copying it into one. */
int st_write_atomic_pieces(const char *path, const st_piece *pieces, size_t n_pieces,
                           const stele_build_opts *opts, char *err, size_t err_cap);

/* ---- build.c --------------------------------------------------------- */

/* Fails (STELE_EINVAL, with a message) when out_path is a directory or
 * names the same file as one of paths (a build must never destroy its own
 * source), or when a file or "-" is given twice. */
int st_check_output(const char *const *paths, size_t n_paths, const char *out_path, char *err,
                    size_t err_cap);

/* Formats a message into err (if not NULL) and returns rc. */
int st_build_error(char *err, size_t err_cap, int rc, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

#endif /* STELE_WRITER_H */
