/*
 * stele_index.h: building a stele index (host side).
 *
 * stele_build() reads documents from files (resolutions text, plain text or
 * JSON Lines), analyses them with the same tokenizer the query runtime uses
 * and a Snowball stemmer, and writes one index file.  Unlike the runtime it
 * allocates, checking every allocation (STELE_ENOMEM).
 *
 * Guarantees:
 *   - the same input and options give a byte-identical index;
 *   - writing is atomic: the index goes to a temporary file in the same
 *     directory, is fsync'ed and renamed over out_path; on any error the
 *     temporary file is removed and an existing out_path is left as it was
 *     (a full disk never leaves a broken index where a good one was).
 *   - no document is lost silently: two documents with one id are an error
 *     naming both places (file:line) unless on_duplicate says which copy to
 *     keep, and every dropped copy is reported through the event callback.
 *     The one exception is the resolutions format's own rule: a resolution
 *     found in two of its sources (a standalone file and a session report)
 *     is one document, the more complete copy, with the other copy's
 *     differences recorded; each such merge is reported as well;
 *   - an output path that names one of the inputs is refused before
 *     anything is read or written.
 * On error, err (capacity err_cap, may be NULL) gets a one-line message
 * naming the file (and line, where one applies) and what went wrong.
 */
#ifndef STELE_INDEX_H
#define STELE_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "stele.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Input formats (the values of enum st_format inside the indexer). */
#define STELE_FORMAT_RESOLUTIONS 0
#define STELE_FORMAT_TEXT        1
#define STELE_FORMAT_JSONL       2

/* What to do with a second document of an id (stele_build_opts.on_duplicate). */
#define STELE_DUP_ERROR      0 /* stop with an error naming both places (default) */
#define STELE_DUP_KEEP_FIRST 1 /* keep the copy read first, report the others */
#define STELE_DUP_KEEP_LAST  2 /* keep the copy read last, report the others */

/* Events of a build, for progress displays and for the messages a front end
 * shows.  The library never prints: it calls opts->on_event, synchronously,
 * from the building thread.  Strings are valid only during the call. */
enum stele_build_event_kind {
    STELE_EV_READ = 1,     /* reading inputs: done/total input bytes, n_docs so far */
    STELE_EV_INPUT_DONE,   /* input finished: n_docs = documents it gave */
    STELE_EV_WARNING,      /* something the user should know: message (and input) */
    STELE_EV_NOTE,         /* a documented merge the format asks for: message */
    STELE_EV_ANALYSE,      /* analysing documents: done/total documents */
    STELE_EV_COMPRESS,     /* compressing stored text: done/total documents */
    STELE_EV_WRITE_BEGIN,  /* about to create the temporary file */
    STELE_EV_WRITE_TEMP,   /* the temporary file exists: message = its path */
    STELE_EV_WRITE,        /* writing: done/total index bytes */
    STELE_EV_WRITE_COMMIT, /* written and synced; about to rename over the output */
    STELE_EV_WRITE_END     /* the temporary file is gone (renamed or removed) */
};

typedef struct stele_build_event {
    int kind;             /* enum stele_build_event_kind */
    const char *input;    /* the input concerned, or NULL */
    const char *message;  /* WARNING: one line, no newline; WRITE_TEMP: the path */
    uint64_t done, total; /* progress, in the unit the kind says */
    uint64_t n_docs;      /* documents read so far (READ) or of this input (INPUT_DONE) */
} stele_build_event;

typedef void (*stele_build_event_fn)(void *ctx, const stele_build_event *ev);

/* Build options; a NULL pointer or a zeroed struct means the defaults. */
typedef struct stele_build_opts {
    const char *language;                  /* stemmer: NULL = "english"; "none" = no stemming */
    int format;                            /* input format, enum st_format (0 = resolutions) */
    size_t block_bytes;                    /* stored-text block size; 0 = STELE_BUILD_BLOCK_BYTES */
    double field_weight[STELE_MAX_FIELDS]; /* default weights; 0 = title 2, body 1,
                                              footnote 0.5, others 1; max 15.9 */
    size_t dict_bytes;             /* preset zlib dictionary size; 0 = STELE_BUILD_DICT_BYTES,
                                      STELE_BUILD_NO_DICT = none; at most 2^window_bits.  It
                                      is kept only if it makes the stored text smaller */
    int window_bits;               /* zlib window of the stored text, 9 .. 15; 0 = 14.  A reader
                                      needs 2^window_bits bytes of workspace for it when the
                                      index has a preset dictionary */
    int on_duplicate;              /* STELE_DUP_*; 0 = STELE_DUP_ERROR */
    int strict_utf8;               /* nonzero: invalid UTF-8 or a NUL byte in an input is an
                                      error (file:line); 0: replaced by U+FFFD, with a warning */
    stele_build_event_fn on_event; /* NULL = no events */
    void *event_ctx;
    unsigned threads; /* threads for analysis and compression; 0 = one per online
                         core.  The output is the same bytes for every count, and
                         events still come from the calling thread only */
    size_t memory;    /* memory budget in bytes; 0 = STELE_BUILD_MEMORY.  An
                         eighth of it holds the occurrences (16 bytes a
                         token); beyond that they are spilled as sorted runs
                         to a scratch file in the output's directory, which
                         has no name and so vanishes however the build ends.
                         Documents of JSON Lines and text inputs spill there
                         too once their text passes a sixteenth of it.  A
                         record per document, the term tables and the index
                         being built are held besides.  The output is the
                         same bytes for every budget.  A budget below
                         STELE_BUILD_MIN_MEMORY is an error (STELE_EINVAL) */
} stele_build_opts;

#define STELE_BUILD_BLOCK_BYTES 32768
#define STELE_BUILD_DICT_BYTES  2048
#define STELE_BUILD_NO_DICT     ((size_t)-1)
#define STELE_BUILD_WINDOW_BITS 14
#define STELE_BUILD_MEMORY      ((size_t)256 << 20)
#define STELE_BUILD_MIN_MEMORY  ((size_t)64 << 10) /* makes many runs: for tests */

#define STELE_BUILD_MAX_SECTIONS 16

/* What a build produced. */
typedef struct stele_build_stats {
    uint64_t n_docs;
    uint64_t n_terms;
    uint64_t n_postings; /* (term, field, document) entries */
    uint64_t n_tokens;   /* positions over all documents */
    uint64_t n_invalid_utf8;
    uint64_t n_duplicates;   /* copies dropped by on_duplicate or merged (resolutions) */
    uint64_t input_bytes;    /* bytes of the input files (0 for stele_build_corpus) */
    uint64_t text_bytes;     /* bytes of stored text before compression */
    uint64_t index_bytes;    /* bytes of the index file */
    uint64_t n_text_blocks;  /* stored-text blocks */
    uint64_t spill_bytes;    /* written to the scratch files (0: it all fitted) */
    uint64_t n_spilled_docs; /* documents whose text was among them */
    size_t n_sections;
    struct {
        const char *name; /* static string */
        uint64_t bytes;
    } section[STELE_BUILD_MAX_SECTIONS];
} stele_build_stats;

/* One input of stele_build_inputs(). */
typedef struct stele_build_input {
    const char *path; /* the file to read; "-" = standard input */
    const char *name; /* the id of a text-format document (NULL: the file name
                         without directories); a final ".txt" or ".md" is dropped */
    int format;       /* STELE_FORMAT_* */
} stele_build_input;

/* Builds out_path from n_inputs inputs, each with its own format and name.
 * stats may be NULL. */
STELE_API int stele_build_inputs(const stele_build_input *inputs, size_t n_inputs,
                                 const stele_build_opts *opts, const char *out_path,
                                 stele_build_stats *stats, char *err, size_t err_cap);

/* Builds out_path from n_inputs input files, all in opts->format, text
 * documents named after their files.  stats may be NULL. */
STELE_API int stele_build(const char *const *inputs, size_t n_inputs, const stele_build_opts *opts,
                          const char *out_path, stele_build_stats *stats, char *err,
                          size_t err_cap);

/* Merges indexes built apart (shards) into out_path: the same index, byte
 * for byte, as one build of all their inputs in that order with opts.  The
 * shards' stemmer languages and field weights must agree; an id in two
 * shards is an error naming it, or follows opts->on_duplicate.  Each shard
 * is verified first.  opts->language, field_weight and window_bits are
 * taken from the shards; stats may be NULL. */
STELE_API int stele_merge(const char *const *inputs, size_t n_inputs, const stele_build_opts *opts,
                          const char *out_path, stele_build_stats *stats, char *err,
                          size_t err_cap);

#ifdef __cplusplus
}
#endif

#endif /* STELE_INDEX_H */
