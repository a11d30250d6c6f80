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
 *
 * Stack: on a Cortex-M4 (tools/size-report.sh, the README's budgets:
 * gcc's call graphs summed, the query tree's walks counted STELE_MAX_DEPTH
 * deep, zlib's frames counted, a stemmer the caller passes not counted,
 * stemming by lookup counted) every public call takes at most 2,008
 * bytes: stele_query_run 2,008, stele_query_prepare 1,952, stele_complete
 * 1,640, stele_query_snippet 1,448, stele_query_suggest 1,424, stele_verify
 * 1,284, the document and index calls under 0.5 KB.  A 64-bit host takes
 * more (wider pointers; tools/stack-report.py measures one).  The parser's
 * scratch is in the stele_query, not on the stack.
 */
#ifndef STELE_H
#define STELE_H

#include <stddef.h>
#include <stdint.h>

#include "stele_config.h"

/* Constants of the index format, not tunables: an index has at most
 * STELE_MAX_FIELDS fields (the header has that many slots), field names of
 * at most STELE_MAX_FIELD_NAME bytes, and terms of at most
 * STELE_MAX_TERM_BYTES bytes (longer tokens are cut at a character
 * boundary by the indexer and the query parser alike). */
#if defined(STELE_MAX_FIELDS) || defined(STELE_MAX_TERM_BYTES) || defined(STELE_MAX_FIELD_NAME)
#error "STELE_MAX_FIELDS, STELE_MAX_TERM_BYTES and STELE_MAX_FIELD_NAME are fixed by the format"
#endif
#define STELE_MAX_FIELDS     8
#define STELE_MAX_TERM_BYTES 64
#define STELE_MAX_FIELD_NAME 31

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
    STELE_EINPUT = -10,   /* bad input text or file (indexer) */
    STELE_EABI = -11      /* caller built against another stele.h */
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

/*
 * ABI guard (zlib's inflateInit way): stele_open() is a macro that passes
 * the caller's STELE_ABI_VERSION and sizeof(stele_index), and the library
 * refuses (STELE_EABI, *ix not written) a program compiled against a
 * stele.h whose stele_index or calls differ from its own.  Raised whenever
 * a public struct or a call's meaning changes.
 */
#define STELE_ABI_VERSION 1u

/*
 * Opens an index from memory: size is the index's exact size (trailing
 * bytes are corruption).  No allocation, and a cost that does not grow
 * with the index but for 12 bytes per stored-text block: it checks the
 * magic, the version, the header and its CRC32, the section table (ids,
 * order, alignment, zero padding, every section inside the data, the last
 * ending it), and every header value against the sections it describes
 * (dictionary index, document table and norms sizes, field names, term,
 * token and position counts, the stored-text index and its largest block,
 * which sizes the workspace).  It does not compute the sections' CRCs and reads
 * no document record: every later read checks its offsets against its
 * section, so searching a damaged or crafted index gives STELE_ECORRUPT
 * or wrong hits, never a read out of bounds, with or without a CRC pass.
 * Returns STELE_OK, STELE_ECORRUPT, STELE_EVERSION or STELE_EABI; on
 * error *ix is left zeroed (but for STELE_EABI).
 *
 * Updating an index in use.  The runtime reads the index where the caller
 * put it and never copies it, so the bytes must not change while it is
 * open.  A program that maps an index file should replace it by writing
 * a new file, fsync()ing it and rename()ing it over the old name, then
 * map the new file and open it (the old mapping stays valid until it is
 * unmapped); it must never truncate or rewrite the file in place, which
 * turns reads of the lost pages into SIGBUS.  A program that cannot
 * trust its updater reads a small index into memory instead of mapping
 * it, and checks the file (inode, size, modification time) before each
 * query, as the stele command does.
 *
 * Which check when.  stele_open() alone is enough for an index that is
 * known good: one compiled in with `stele embed` and verified when the
 * program was built, or a file the program wrote and renamed into place.
 * Call stele_check_crc() after opening an index that may have been damaged
 * since it was written (flash, a download, removable media): O(size), it
 * turns silent damage into STELE_ECORRUPT before any answer.
 * stele_verify() does that and walks every structure: for tools, and for
 * an index from a source that is not trusted.
 */
#define stele_open(ix, data, size)                                                                 \
    stele_open_((ix), (data), (size), STELE_ABI_VERSION, sizeof(stele_index))
STELE_API int stele_open_(stele_index *ix, const void *data, size_t size, unsigned abi_version,
                          size_t ix_bytes);

/* Checks every section's CRC32 (stele_open() checked the header's):
 * STELE_OK or STELE_ECORRUPT.  Reads the whole index once. */
STELE_API int stele_check_crc(const stele_index *ix);

/* Checks the sections' CRCs, then walks every structure of the index
 * (dictionary order, postings, positions, document table, stored text) and
 * checks it is well-formed, and that the header's counts are exact.
 * Needs a workspace of at least stele_workspace_bound(ix, 0) bytes.  Not
 * in a build with STELE_OMIT_VERIFY (stele_config.h). */
#ifndef STELE_OMIT_VERIFY
STELE_API int stele_verify(const stele_index *ix, void *mem, size_t mem_size);
#endif

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

/* ---- Queries ---------------------------------------------------------
 *
 * A query is prepared once and then run and snippeted as often as wanted,
 * the zlib z_stream way: the caller owns a stele_query struct and a
 * workspace; stele_query_prepare() parses the text, looks every term up in
 * the dictionary once and lays the query's whole state out in the
 * workspace; stele_query_run() ranks, stele_query_snippet() marks a hit's
 * passage, both reusing that state.  The workspace must stay untouched
 * while the query is in use, and the index open.  One prepared query is
 * used by one thread at a time; distinct queries may run in parallel.
 */

/*
 * Repeated operands.  Identical operands of one AND or OR ("the the the",
 * "a* OR a*", a group given twice) are evaluated once: a query costs no
 * more for repeating itself.  Each still counts in the score as often as
 * it was given (as Lucene sums a repeated clause's boosts), so a word
 * typed twice weighs twice; matches are those of one copy.  Words of a
 * phrase or NEAR are never merged.
 */

/*
 * Cost.  A query's work is bounded by its limits, never by the size of the
 * dictionary or the lexicon.  Preparing reads at most STELE_PREFIX_SCAN
 * dictionary entries for all its prefixes together, at most
 * STELE_CORRECT_SCAN lexicon entries for all its corrections (none with
 * STELE_QUERY_EXACT), and one dictionary lookup (a binary search, then
 * one block) per word and per leaf; a prefix adds at most prefix_terms
 * leaves, a corrected word at most 8.  A run reads every postings list
 * of the query's distinct leaves (identical operands count once, see
 * above) forward only, so that, for a run of up to STELE_MAX_RESULTS
 * hits,
 *
 *   postings entries decoded + positions read
 *     <= sum over the lists of (2 df + 7 positions),
 *
 * twice the entries (ranking, then the hits' passages) and seven times
 * the positions (phrase and NEAR checks, whatever the NEAR distance, and
 * the hits' passages).  Nesting depth (STELE_MAX_DEPTH) and NEAR distance
 * (STELE_MAX_NEAR) add per-document bookkeeping only, and an OR with an
 * excluded operand (a OR -b) visits every document once more.  The test
 * suite counts these steps on the worst queries known.  Measured on a
 * 100 MB index of 11,069 documents: 200 copies of "the" take 1.9 ms, an
 * OR of 130 two-letter prefixes (975 leaves) 1.1 s, the slowest known.
 */

/* Query options; a NULL pointer or a zeroed struct means the defaults.
 * A ranking parameter <= 0 means its default; a non-finite one, or b > 1,
 * gives STELE_EINVAL. */
typedef struct stele_query_opts {
    /* NULL: on an index built with a stemmer (stele_info.language not
     * ""), query words are stemmed by lookup in the index's lexicon of
     * the words it was built from: a word the corpus had gets the very
     * term it was indexed as, so results are those of the stemmer; a word
     * the corpus never had is kept as folded, unstemmed, and so matches
     * only a term spelled exactly so (usually none).  Hosts without a
     * stemmer (no libstemmer on the device) need nothing more. */
    stele_stem_fn stem;
    void *stem_ctx;
    double k1;                             /* 0 = 1.2 */
    double b;                              /* 0 = 0.75 */
    double field_weight[STELE_MAX_FIELDS]; /* 0 = the index's default */
    /* Terms one prefix (rehab*) expands to, at most this many; 0 =
     * STELE_PREFIX_TERMS, at most STELE_PREFIX_TERMS_MAX.  A word prefix
     * matches the corpus's words as written (psychoactiv* matches
     * "psychoactive") and expands to their terms (stems), each once,
     * ranked by the document count of their most frequent word in the
     * range, ties in dictionary order; a number or symbol prefix matches
     * terms, ranked by document count.  A prefix with more terms is cut,
     * never refused: stele_query.n_cut says so. */
    uint32_t prefix_terms;
    /* Largest offset + max_hits the caller will ask stele_query_run() for,
     * so that diag.needed after preparing covers it; 0 = 10. */
    uint32_t max_results;
    unsigned flags; /* STELE_QUERY_* below */
} stele_query_opts;

/* Search as you type: the query's last word, when nothing (not even a
 * space) follows it and it is a plain word, also matches as a prefix of
 * words, as if typed with '*' ("treatment of drug use dis" finds
 * "disorders"), its own term always among the expansions.  A word in
 * quotes, a symbol or a word already ending in '*' is unchanged. */
#define STELE_QUERY_AS_YOU_TYPE 1u

/*
 * Typo tolerance.  A plain word that matches no term of the index
 * ("psycoactive") matches, instead, the lexicon words near it, ranked
 * below a word as typed: a match through a correction scores as the word
 * itself would, times 1/2 for one edit and 1/4 for two.  The rule: words
 * of 1 to 3 characters are never corrected; from 4 to 7 characters one
 * edit is allowed, from 8 on two.  An edit inserts, deletes or replaces
 * one letter or swaps two adjacent ones; the first letter is kept.  A word of 5 characters or more
 * also matches the words it is the start of ("stigma" finds
 * "stigmatization"), as one edit.  Only the nearest corrections are kept
 * (by distance, then the most documents), one word per stem, at most 8.
 * Numbers, symbols (55/12), words with digits, words in phrases or NEAR,
 * prefixes (rehab*) and words over 32 bytes are always exact, and so is
 * any word the index knows.  The corrections of one query read at most
 * STELE_CORRECT_SCAN lexicon entries (stele_config.h) and take no heap:
 * about 3 KB of stack while preparing, and 88 bytes of workspace per
 * corrected word (counted in diag.needed and in the bound).  A build
 * with STELE_OMIT_TYPOS (stele_config.h) has none of it: every query is
 * exact.
 *
 * Exact search: STELE_QUERY_EXACT in opts.flags turns typo tolerance off
 * for the whole query, and preparing it reads no lexicon entry for
 * corrections: stele_query_suggest() looks for them itself when asked
 * (within its own STELE_CORRECT_SCAN entries, with its walker in the
 * workspace past the prepared state, about 2.2 KB that diag.needed counts).
 * "=word" in the query turns tolerance off for one word, and so does
 * quoting it ("word").
 */
#define STELE_QUERY_EXACT 2u /* no word matches through corrections */

/* Why a query was refused (stele_diag.reason); stele_query_reason()
 * names each. */
enum stele_query_reason {
    STELE_QR_NONE = 0,
    STELE_QR_EMPTY = 1,          /* nothing to search for */
    STELE_QR_QUOTE = 2,          /* unclosed quote */
    STELE_QR_OPEN_PAREN = 3,     /* unclosed parenthesis */
    STELE_QR_CLOSE_PAREN = 4,    /* closing parenthesis without an opening one */
    STELE_QR_FIELD = 5,          /* unknown field name before ':' */
    STELE_QR_SCOPE_EMPTY = 6,    /* a field name with nothing after it */
    STELE_QR_NO_POSITIVE = 7,    /* only negated terms: nothing to find */
    STELE_QR_DANGLING = 8,       /* NOT, '-' or OR with nothing after it */
    STELE_QR_OR_LEFT = 9,        /* OR with nothing before it */
    STELE_QR_MINUS_SPACE = 10,   /* '-' not touching what it excludes */
    STELE_QR_EMPTY_GROUP = 11,   /* empty parentheses or phrase */
    STELE_QR_NEAR = 12,          /* malformed NEAR(...) or NEAR/k */
    STELE_QR_NEAR_MIXED = 13,    /* a chain of NEAR/k with different k */
    STELE_QR_NEAR_WORDS = 14,    /* NEAR needs two or more plain words */
    STELE_QR_PREFIX = 15,        /* a prefix must be one word before '*' */
    STELE_QR_NOTHING = 16,       /* NOT or OR of a word with no searchable text */
    STELE_QR_TOO_LONG = 17,      /* over STELE_MAX_QUERY_BYTES */
    STELE_QR_TOO_DEEP = 18,      /* nested over STELE_MAX_DEPTH */
    STELE_QR_PHRASE_LONG = 19,   /* phrase or NEAR of over STELE_MAX_PHRASE words */
    STELE_QR_NEAR_DISTANCE = 20, /* NEAR distance over STELE_MAX_NEAR */
    STELE_QR_TOO_MANY = 21,      /* over 65535 leaf terms */
    STELE_QR_ID_EMPTY = 22,      /* "id:" with no document id after it */
    STELE_QR_ID_LONG = 23        /* a document id over STELE_MAX_TERM_BYTES */
};
/* A static description of a reason ("unclosed quote"). */
STELE_API const char *stele_query_reason(int reason);

/* Details of a failed call. */
typedef struct stele_diag {
    size_t offset; /* byte offset in the query of a syntax or limit error */
    size_t needed; /* workspace bytes needed (see stele_query_prepare) */
    int reason;    /* enum stele_query_reason, with STELE_ESYNTAX/ELIMIT */
} stele_diag;

/* Bytes of the parser's working memory in a stele_query (scratch_): its
 * STELE_MAX_DEPTH + 1 levels of nesting and the rest of its state, and
 * then the larger of a misspelt word's correction walk (2.2 KB) and a
 * prefix's ranking heap (8 bytes per STELE_PREFIX_TERMS_MAX).  It lives in
 * the query, not on the stack, so that stele_query_prepare() needs under
 * 2 KiB of stack on a Cortex-M4, also when it measures with no workspace;
 * query_parse.c checks at compile time that its state fits. */
#ifdef STELE_OMIT_TYPOS
#define STELE_SCRATCH_WALK_ 0
#else
#define STELE_SCRATCH_WALK_ 2304
#endif
#define STELE_SCRATCH_HEAP_                                                                        \
    (STELE_PREFIX_TERMS_MAX >= 128 ? 8 * STELE_PREFIX_TERMS_MAX + 64                               \
                                   : 4 * STELE_PREFIX_TERMS_MAX + 576)
#define STELE_QUERY_SCRATCH_                                                                       \
    ((STELE_MAX_DEPTH + 1) * (4 * sizeof(void *) + 48) + 24 * sizeof(void *) + 160 +               \
     (STELE_SCRATCH_WALK_ > STELE_SCRATCH_HEAP_ ? STELE_SCRATCH_WALK_ : STELE_SCRATCH_HEAP_))

/* A prepared query.  The caller owns it (stack or static memory is fine;
 * it takes about 4.1 KB on a 64-bit host and 3.7 KB on a 32-bit one, most
 * of it the parser's scratch, used only while stele_query_prepare()
 * runs); the public members are read-only facts; the rest is private. */
typedef struct stele_query {
    stele_diag diag;         /* what the last call on this query said */
    uint32_t n_terms;        /* leaf terms, prefix expansions included */
    uint32_t n_cut;          /* prefixes whose expansion was cut */
    uint32_t n_prefix_words; /* words the cut prefixes had in all */
    /* 1 when the last stele_query_run()'s *n_matches is the exact number
     * of matching documents; 0 when it is a lower bound: ranking skipped
     * documents that could not enter the requested hits without counting
     * them (run with max_hits 0 to count them all). */
    uint32_t matches_exact;
    uint32_t n_fuzzy; /* words matched through corrections (typos) */
    const stele_index *ix_;
    void *state_;
    unsigned char *mem_;
    size_t size_, mark_;
    uint32_t magic_;
    union {
        unsigned char bytes[STELE_QUERY_SCRATCH_];
        uint64_t u64;
        double d;
        void *p;
    } scratch_;
} stele_query;

/* One ranked hit. */
typedef struct stele_hit {
    uint32_t doc;  /* document number, 0 .. n_docs-1 */
    double score;  /* BM25F score; higher is better */
    stele_view id; /* e.g. "55/12" */
    stele_view title;
    uint32_t para;        /* index of the best-matching paragraph in the document */
    uint8_t para_kind;    /* enum stele_para_kind */
    uint32_t para_number; /* e.g. 3 for operative para 3; 0 if unnumbered */
    uint32_t match_pos;   /* token position of the best match, for the snippet */
} stele_hit;

/*
 * Parses query (len bytes of UTF-8) against ix and lays the prepared query
 * out in the workspace (mem, mem_size), which it keeps using until the
 * query is no longer needed.  Returns STELE_OK, STELE_ESYNTAX or
 * STELE_ELIMIT (q->diag.offset and .reason say where and why),
 * STELE_ENOSPACE, STELE_EINVAL or an index error.
 *
 * q->diag.needed gets, on success and on STELE_ENOSPACE alike, the
 * workspace this query needs to be prepared and then run for up to
 * opts->max_results hits and snippeted: pass that much and every later
 * call on the query fits.  With mem == NULL the query is only parsed and
 * measured, with no workspace (the parser works in *q, not on the
 * stack), and the call returns STELE_OK or the query's error; the size is
 * exact for a workspace aligned to 8 bytes (a less aligned one needs up
 * to 7 more). *
 * Document ids.  id:55/12 (id:"decision I" for an id with spaces) matches
 * the documents whose id (stele_doc_id) is exactly those bytes, as stored,
 * case included, and id:E/2009* those whose id starts with E/2009; so does an
 * unquoted id typed last with STELE_QUERY_AS_YOU_TYPE.  It is a filter:
 * it combines with other clauses as a word does (id:55/12 treatment,
 * cannabis -id:55/12, id:55/12 OR id:54/5) but adds nothing to a score,
 * so id:55/12 alone finds its document with score 0, and it is never
 * marked in a snippet.  Ids are not sorted in the index: the clause reads
 * the document table forward, once per run.  An index with a field named
 * "id" keeps id: for that field.  "id:" with nothing after it is
 * STELE_QR_ID_EMPTY, an id over STELE_MAX_TERM_BYTES STELE_QR_ID_LONG.
 */
STELE_API int stele_query_prepare(stele_query *q, const stele_index *ix, const char *query,
                                  size_t len, const stele_query_opts *opts, void *mem,
                                  size_t mem_size);

/*
 * Ranks the documents matching a prepared query and writes hits number
 * offset .. offset + max_hits - 1 of the ranking (best first; ties in score
 * go to the lower document number) into hits, *n_hits how many.
 * *n_matches (if not NULL) gets how many documents matched: all of them
 * when q->matches_exact is 1 afterwards, else a lower bound (documents
 * that could not rank among the hits were skipped uncounted; max_hits 0
 * counts every match and ranks nothing).  Each
 * hit names its best paragraph and match position (for the snippet).
 * Needs (offset + max_hits) * 16 bytes of workspace beyond the prepared
 * state (STELE_ENOSPACE with q->diag.needed otherwise); offset + max_hits
 * is capped at STELE_MAX_RESULTS.  May be called again (to page).
 */
STELE_API int stele_query_run(stele_query *q, stele_hit *hits, size_t max_hits, size_t offset,
                              size_t *n_hits, size_t *n_matches);

/* A marked word's byte range in a snippet's text (marks not counted in
 * the range: out[start .. end) is the word as written). */
typedef struct stele_span {
    uint32_t start, end;
} stele_span;

/* How a snippet marks matched words and cut text. */
typedef struct stele_snippet_opts {
    const char *open;     /* before a matched word; NULL = "[" */
    const char *close;    /* after a matched word; NULL = "]" */
    const char *ellipsis; /* where text is cut; NULL = "…" */
    size_t max_bytes;     /* text bytes around the match, 0 = 240 */
    stele_span *spans;    /* if not NULL: the marked words' ranges in out */
    size_t max_spans;     /* entries spans has room for */
    size_t *n_spans;      /* if not NULL: marked words (may exceed max_spans) */
} stele_snippet_opts;

/*
 * Writes the passage of hit's best paragraph around hit->match_pos into out
 * (NUL-terminated), the words that match the query marked as written in
 * the text, with an ellipsis where the paragraph was cut.  A query word
 * found in 85% of the documents or more (in its field scope: a stopword
 * such as "to", told by document frequency, not by a list) is marked only
 * inside a phrase match or next to a word marked otherwise, unless the
 * query has no other word; the spans are the marks.  hit must come
 * from stele_query_run() on this query.  Needs, beyond the prepared
 * state, a 512-byte buffer and zlib's state and window to stream the
 * stored text (covered by diag.needed after preparing; a max_bytes over
 * 446 needs max_bytes + 66 bytes of buffer instead of 512);
 * too small an out gives STELE_ENOSPACE with *out_len = the length needed
 * and out = "".
 */
STELE_API int stele_query_snippet(stele_query *q, const stele_hit *hit,
                                  const stele_snippet_opts *sopts, char *out, size_t out_cap,
                                  size_t *out_len);

#ifndef STELE_OMIT_TYPOS
/*
 * "Did you mean": the query as typed (query, len: the very text the query
 * was prepared from) with every word the index does not know replaced by
 * its best correction from the lexicon (the nearest, then the most
 * frequent word; see Typo tolerance above), into out (NUL-terminated),
 * *out_len its length.  STELE_ENOTFOUND when no word has a correction,
 * STELE_ENOSPACE (with *out_len) when out is too small, STELE_EINVAL when
 * query cannot be the prepared text.  Corrections are folded (lower case,
 * no accents).  No workspace beyond the prepared query's diag.needed (an
 * exact query's corrections are looked for in it, past the prepared
 * state: short of it, STELE_ENOSPACE with *out_len = 0).  Typical use:
 * when a search finds nothing or matched through corrections
 * (q->n_fuzzy), offer the suggestion, and when nothing matched as typed,
 * search for it instead and say so.  Not in a build with STELE_OMIT_TYPOS
 * (stele_config.h).
 */
STELE_API int stele_query_suggest(const stele_query *q, const char *query, size_t len, char *out,
                                  size_t out_cap, size_t *out_len);
#endif

/*
 * A bound on the workspace that is always enough, on this index, to
 * prepare any query of up to STELE_BOUND_TERMS leaf terms (prefix
 * expansions included) reading up to STELE_BOUND_LISTS postings lists
 * (stele_config.h), of up to STELE_MAX_QUERY_BYTES bytes, run it for up to
 * max_hits hits (offset included) and snippet its hits; with max_hits = 0,
 * also enough for stele_verify() and stele_doc_text().  Longer queries run
 * too when the workspace allows: stele_query_prepare(mem = NULL) says
 * what one query needs.  It depends only on the index's number of fields
 * and its stored-text window (stele index --text-window), never on the
 * corpus or a document's length: about 48 KB plus 2^window bits bytes
 * (64,295 bytes for 10 hits with the default window of 14 bits, 48,423
 * with 9, on x86-64).  A typical query needs far less: the five words
 * "women prison treatment drug children" with a snippet need 15,904 bytes
 * (x86-64) or 15,216 (32-bit ARM) with a 9-bit window.  Snippets (max_bytes up to 446) and
 * stele_doc_text() stream the stored text through zlib's state and window.  The formula is in
 * search.c's top comment.
 */
STELE_API size_t stele_workspace_bound(const stele_index *ix, size_t max_hits);

/* A document's whole stored text (paragraphs separated by "\n") into out,
 * NUL-terminated.  *out_len gets the text's length even when out_cap is not
 * more than it (STELE_ENOSPACE; then nothing is inflated).  The text is
 * inflated straight into out: the workspace holds only zlib's state and
 * window, under 8 KB + 2^window bits (stele_workspace_bound(ix, 0) is
 * always enough), whatever the document's size. */
STELE_API int stele_doc_text(const stele_index *ix, uint32_t doc, void *mem, size_t mem_size,
                             char *out, size_t out_cap, size_t *out_len);

/* One paragraph of a document, as stele_doc_para() describes it: what
 * it is and where its text lies in the output of stele_doc_text(). */
typedef struct stele_para {
    uint8_t kind;      /* enum stele_para_kind */
    uint8_t field;     /* index field (stele_field_name) */
    uint32_t number;   /* e.g. 3 for operative para 3; 0 if unnumbered */
    uint32_t text_off; /* byte range in the document's text */
    uint32_t text_len;
} stele_para;

/* How many paragraphs document doc has (the title is paragraph 0), and
 * paragraph i of it (STELE_ENOTFOUND past the last).  Neither needs a
 * workspace: they read the document table in place. */
STELE_API int stele_doc_para_count(const stele_index *ix, uint32_t doc, uint32_t *n_paras);
STELE_API int stele_doc_para(const stele_index *ix, uint32_t doc, uint32_t i, stele_para *para);

/* Receives a document's text piece by piece: nonzero stops the walk. */
typedef int (*stele_text_fn)(void *ctx, const char *text, size_t len);

/* A document's whole stored text, in order, to fn in pieces of at most
 * 1 KB, so that a document of any size is read in a fixed workspace
 * (stele_workspace_bound(ix, 0) is enough: 1 KB more than stele_doc_text
 * needs).  STELE_EINVAL when fn stopped the walk. */
STELE_API int stele_doc_text_stream(const stele_index *ix, uint32_t doc, void *mem, size_t mem_size,
                                    stele_text_fn fn, void *ctx);
/* ---- Completion ------------------------------------------------------
 *
 * stele_complete() offers whole words of the index for the last word of a
 * query as it is being typed, for a kiosk's suggestions.
 */

/* One completion: a word of the corpus, folded as the index folds it. */
typedef struct stele_completion {
    char word[STELE_MAX_TERM_BYTES + 1]; /* NUL-terminated */
    uint32_t len;
    uint32_t df;      /* documents holding the word as written */
    uint32_t co_docs; /* documents holding it and every earlier word of the
                       * query found in the index (df when there is none) */
    size_t start;     /* byte offset of the word it completes in the query */
} stele_completion;

/* The caller's array of completions and what the call found. */
typedef struct stele_completions {
    stele_completion *items; /* room for max entries */
    size_t max;
    size_t n;      /* entries written, best first */
    size_t total;  /* completions found (n is at most max of them) */
    size_t needed; /* with STELE_ENOSPACE: the workspace needed */
    int cut;       /* a scan or co-occurrence budget ran out (stele_config.h) */
} stele_completions;

/*
 * Completes the last word of query (len bytes of UTF-8): when the query
 * ends inside a word (nothing after it, not even a space), the index's
 * words that start with it (folded, so "Rehab" gives "rehabilitation"),
 * best first, into out->items.  Without earlier words they rank by df;
 * with earlier words (the nearest STELE_COMPLETE_CONTEXT the index has,
 * stemmed as a query's words are: opts->stem, or by lookup) by the
 * documents holding the word and all of them (co_docs), then df, and a
 * word that never occurs with them is left out.  A query that ends in a
 * space, a symbol or a number has no completions (out->n = 0, STELE_OK).
 * The workspace (mem, mem_size) needs at most stele_workspace_bound(ix,
 * 0) bytes (mem NULL or short: STELE_ENOSPACE with out->needed).  No
 * allocation; bounded work (STELE_COMPLETE_SCAN, STELE_COMPLETE_STEPS).
 * Not in a build with STELE_OMIT_COMPLETE (stele_config.h).
 */
#ifndef STELE_OMIT_COMPLETE
STELE_API int stele_complete(const stele_index *ix, const char *query, size_t len,
                             const stele_query_opts *opts, stele_completions *out, void *mem,
                             size_t mem_size);
#endif

#ifdef __cplusplus
}
#endif

#endif /* STELE_H */
