/*
 * stele.h: the stele query runtime.
 *
 * stele answers ranked (BM25), boolean, phrase and proximity searches, with
 * snippets, from one index file held in memory the caller owns: a read-only
 * memory map, or a const array compiled into the program.  The runtime never
 * allocates.  Every call that needs scratch memory takes a workspace
 * (void *mem, size_t size) from the caller; stele_workspace_bound() tells how
 * much is enough before the work, and a workspace that is too small gives
 * STELE_ENOSPACE with the size needed, never a crash.
 *
 * Threads: an opened stele_index is never written by searches, so any number
 * of threads may search one index at once, each with its own workspace.
 *
 * Lifetimes: strings a call returns (stele_view) point into the index data
 * and live as long as it does; nothing is copied.
 *
 * Errors: every function that can fail returns an int, STELE_OK (0) on
 * success or one of the negative STELE_E* codes; stele_strerror() names it.
 * Where a stele_diag is passed, it gets the byte offset of a query error and
 * the workspace size needed.  The library never prints and never aborts.
 */
#ifndef STELE_H
#define STELE_H

#include <stddef.h>
#include <stdint.h>

#include "stele_config.h"

#ifdef __cplusplus
extern "C" {
#endif

#if defined(STELE_BUILDING) && defined(__GNUC__)
#define STELE_API __attribute__((visibility("default")))
#else
#define STELE_API
#endif

#define STELE_VERSION_STRING "0.1.0"

/* Status codes.  0 is success; errors are negative. */
enum {
    STELE_OK = 0,
    STELE_ENOSPACE = -1,  /* workspace or output buffer too small */
    STELE_ECORRUPT = -2,  /* index data is damaged or truncated */
    STELE_EVERSION = -3,  /* index written by an unknown format version */
    STELE_ESYNTAX = -4,   /* malformed query; diag->offset says where */
    STELE_ELIMIT = -5,    /* query over a STELE_MAX_* limit; diag->offset */
    STELE_EINVAL = -6,    /* invalid argument */
    STELE_ENOTFOUND = -7, /* no such document, field or language */
    STELE_EIO = -8,       /* input/output error (indexer, tools) */
    STELE_ENOMEM = -9,    /* allocation failed (indexer, tools only) */
    STELE_EINPUT = -10    /* bad input text or file (indexer) */
};

/* A static, human-readable message for a status code. */
STELE_API const char *stele_strerror(int code);

/* A byte string that points into the index data (not NUL-terminated). */
typedef struct stele_view {
    const char *data;
    size_t len;
} stele_view;

/* Kinds of paragraph a document is made of. */
enum stele_para_kind {
    STELE_PARA_TITLE = 0,     /* the document's title */
    STELE_PARA_PREAMBLE = 1,  /* preambular paragraph of a resolution */
    STELE_PARA_OPERATIVE = 2, /* numbered operative paragraph */
    STELE_PARA_FOOTNOTE = 3,  /* footnote, numbered */
    STELE_PARA_TEXT = 4,      /* any other running text */
    STELE_PARA_HEADING = 5,   /* heading or list item outside a resolution */
    STELE_PARA_FIELD = 6      /* value of a further JSON Lines field */
};

/* "title", "preambular para", "operative para", "footnote", "text", ... */
STELE_API const char *stele_para_kind_name(int kind);

/*
 * Stemming is supplied by the host through this callback, so the runtime
 * stays free of any allocating library.  It stems the folded word
 * (word, len) into out (capacity cap) and returns the stem's length, or a
 * negative value to keep the word as it is.  It must not allocate on the
 * query path (the libstemmer glue in stele_stem.h pre-sizes its buffers).
 * The stemmer must be the one the index was built with: stele_info.language.
 */
typedef int (*stele_stem_fn)(void *ctx, const char *word, size_t len, char *out, size_t cap);

/*
 * An open index.  The caller owns this struct (stack or static memory is
 * fine); stele_open() fills it in, and it holds no pointers but into the
 * index data.  Its members are private to the runtime.
 */
typedef struct stele_section_ {
    uint32_t offset, size;
} stele_section_;

#define STELE_N_SECTIONS_ 16
typedef struct stele_index {
    const uint8_t *data_;
    size_t size_;
    uint32_t version_, flags_;
    uint32_t n_docs_, n_terms_, n_fields_, n_sections_;
    stele_section_ sec_[STELE_N_SECTIONS_];
    uint32_t max_block_bytes_; /* largest uncompressed stored-text block */
    double avg_len_[STELE_MAX_FIELDS];
    uint8_t field_weight_q_[STELE_MAX_FIELDS];
    char language_[16];
    uint32_t norm_version_;
    uint32_t zlib_wbits_;  /* window bits of the stored-text streams */
    uint64_t n_tokens_;    /* tokens over all fields and documents */
    uint32_t max_doc_pos_; /* no document has a position at or above this */
    uint32_t reserved_[3];
} stele_index;

/* Opens an index from memory: size is the index's exact size (trailing
 * bytes are corruption).  Checks magic, version, section bounds and
 * each section's CRC32: O(size) in CRC work, and reads each document's
 * record once (for the workspace bound); no allocation.
 * Returns STELE_OK, STELE_ECORRUPT or STELE_EVERSION; on error *ix is
 * left zeroed. */
STELE_API int stele_open(stele_index *ix, const void *data, size_t size);

/* Walks every structure of the index (dictionary order, postings, positions,
 * document table, stored text) and checks it is well-formed.  Needs a
 * workspace of at least stele_workspace_bound(ix, 0) bytes. */
STELE_API int stele_verify(const stele_index *ix, void *mem, size_t mem_size);

/* Facts about an open index. */
typedef struct stele_info {
    uint32_t version;
    uint32_t n_docs;
    uint32_t n_terms;
    uint32_t n_fields;
    uint64_t n_tokens;
    const char *language;  /* stemmer language, e.g. "english"; "" = none */
    uint32_t norm_version; /* text-analysis rules version */
    size_t size;
} stele_info;
STELE_API void stele_index_info(const stele_index *ix, stele_info *info);

/* Section i's name and size in bytes; STELE_ENOTFOUND past the last. */
STELE_API int stele_section_info(const stele_index *ix, unsigned i, const char **name,
                                 size_t *size);

/* Field i's name ("title", "body", "footnote", ...). */
STELE_API int stele_field_name(const stele_index *ix, unsigned i, stele_view *name);

/* A document's identifier (e.g. "55/12") and title. */
STELE_API int stele_doc_id(const stele_index *ix, uint32_t doc, stele_view *id);
STELE_API int stele_doc_title(const stele_index *ix, uint32_t doc, stele_view *title);

/* Search options; a NULL pointer or a zeroed struct means the defaults.
 * A parameter <= 0 means its default; a non-finite one, or b > 1, gives
 * STELE_EINVAL. */
typedef struct stele_search_opts {
    stele_stem_fn stem; /* NULL: terms are not stemmed */
    void *stem_ctx;
    double k1;                             /* 0 = 1.2 */
    double b;                              /* 0 = 0.75 */
    double field_weight[STELE_MAX_FIELDS]; /* 0 = the index's default */
} stele_search_opts;

/* Details of a failed call, filled when the pointer is not NULL. */
typedef struct stele_diag {
    size_t offset; /* byte offset in the query of a syntax or limit error */
    size_t needed; /* workspace bytes needed, with STELE_ENOSPACE */
} stele_diag;

/* One ranked hit. */
typedef struct stele_hit {
    uint32_t doc;  /* document number, 0 .. n_docs-1 */
    double score;  /* BM25 score; higher is better */
    stele_view id; /* e.g. "55/12" */
    stele_view title;
    uint32_t para;        /* index of the best-matching paragraph in the document */
    uint8_t para_kind;    /* enum stele_para_kind */
    uint32_t para_number; /* e.g. 3 for operative para 3; 0 if unnumbered */
    uint32_t match_pos;   /* token position of the best match, for the snippet */
} stele_hit;

/*
 * A bound on the workspace any query within the STELE_MAX_* limits needs
 * on this index, for a search returning up to max_hits hits, or for a
 * snippet or verify call (max_hits = 0).  It is the largest of
 *   search:  P + T * (I + F * S + 4 * M) + 16 * min(max_hits, STELE_MAX_RESULTS)
 *   snippet: P + T * (I + F * S + 4 * M) + st_doc_load_bound (B plus zlib's
 *            inflate state and window)
 *   verify:  what stele_verify() needs
 * where T = STELE_MAX_QUERY_TERMS, F = the index's fields, B = its largest
 * stored-text block in bytes, M = the most positions of any document
 * (found by stele_open(); never above B, as every token takes a byte), so
 * the most positions any term has in one document, S = one postings
 * iterator (about 1.1 KB), I = one dictionary entry (about 340 bytes) and
 * P = the largest query tree plus alignment (about 20 KB); each piece is
 * rounded up to 8 bytes.  A search needs only the tree, the heap, and per
 * leaf term I + S per field it occurs in, plus, if the term is positive or
 * in a phrase, 4 bytes per position it can have in one document (at most
 * M, and at most its occurrences, counted or bounded by the size of its
 * positions lists, so rare terms need little): on the bundled corpus about
 * 4.8 KB for one word, 14 KB for three.  A snippet needs the same for its
 * terms (it reads the positions of phrase and NEAR words) plus the
 * document's text.  Every call reports
 * the workspace it needed in diag->needed.
 */
STELE_API size_t stele_workspace_bound(const stele_index *ix, size_t max_hits);

/*
 * Runs a query and writes up to max_hits hits, best first, into hits;
 * *n_hits gets how many were written and *n_matches (if not NULL) how many
 * documents matched in all.  Ties in score go to the lower document
 * number.  With mem == NULL it only parses the query and sets diag->needed
 * (returning STELE_OK or the query's error): the exact size for a
 * workspace aligned to 8 bytes (as malloc's is); every call also reports
 * what it needed in diag->needed.  max_hits above
 * STELE_MAX_RESULTS is treated as STELE_MAX_RESULTS.  The hits array is
 * also used as scratch while paragraphs are chosen.  A field scope with a
 * name that is not a field of the index ("ratio:2") is STELE_ESYNTAX at
 * the name.
 */
STELE_API int stele_search(const stele_index *ix, const char *query, size_t query_len,
                           const stele_search_opts *opts, void *mem, size_t mem_size,
                           stele_hit *hits, size_t max_hits, size_t *n_hits, size_t *n_matches,
                           stele_diag *diag);

/* How a snippet marks matched words and cut text. */
typedef struct stele_snippet_opts {
    const char *open;     /* before a matched word; NULL = "[" */
    const char *close;    /* after a matched word; NULL = "]" */
    const char *ellipsis; /* where text is cut; NULL = "…" */
    size_t max_bytes;     /* text bytes around the match, 0 = 240 */
} stele_snippet_opts;

/*
 * Writes the passage of hit's best paragraph around hit->match_pos into out
 * (NUL-terminated), the words that match the query marked as written in the
 * text, with an ellipsis where the paragraph was cut.  query and opts must
 * be the ones the hit came from.  Too small a workspace (or mem == NULL)
 * gives STELE_ENOSPACE with diag->needed; too small an out gives
 * STELE_ENOSPACE with *out_len = the length needed and out = "".
 */
STELE_API int stele_snippet(const stele_index *ix, const char *query, size_t query_len,
                            const stele_search_opts *opts, const stele_hit *hit,
                            const stele_snippet_opts *sopts, void *mem, size_t mem_size, char *out,
                            size_t out_cap, size_t *out_len, stele_diag *diag);

/* A document's whole stored text (paragraphs separated by "\n") into out,
 * NUL-terminated.  *out_len gets the text's length even when out_cap is not
 * more than it (STELE_ENOSPACE).  A workspace of
 * stele_workspace_bound(ix, 0) bytes is enough. */
STELE_API int stele_doc_text(const stele_index *ix, uint32_t doc, void *mem, size_t mem_size,
                             char *out, size_t out_cap, size_t *out_len);

#ifdef __cplusplus
}
#endif

#endif /* STELE_H */
