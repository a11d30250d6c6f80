/*
 * doc.h: the document model the ingesters produce and the index writer
 * consumes.  Interface to code in doc.c, ingest_resolutions.c,
 * ingest_text.c and ingest_jsonl.c.  Host side: allocates freely, checks
 * every allocation.
 *
 * A document is a list of paragraphs; each paragraph belongs to one field
 * (title, body, footnote, or a further JSON Lines field) and has a kind and
 * number (operative para 3, footnote 12).  The document's stored text is
 * its paragraphs' texts joined by '\n', in order; the title is paragraph 0.
 *
 * Invariants kept by doc.c: every stored string is valid UTF-8 (invalid
 * input bytes become U+FFFD and are counted in st_corpus.n_invalid_utf8);
 * a paragraph's text holds no control characters (runs of white space,
 * including '\n', are collapsed to one space and the ends are trimmed) and
 * is never empty, except the title paragraph, which every document has.
 *
 * Pointers: st_corpus_add_doc() may move the document array, so a st_doc *
 * is valid only until the next st_corpus_add_doc(); ingesters keep indexes.
 *
 * Spilling.  A corpus larger than its memory budget does not keep its text:
 * once the documents an ingester has declared complete (st_corpus_done())
 * hold more than c->text_budget bytes of paragraph text, each complete
 * document's paragraphs and stored text are written to the scratch file
 * c->text_spill and freed (st_doc.paras becomes NULL, st_doc.spilled 1;
 * n_paras, id, title, source and note stay).  The writer reads a spilled
 * document back with st_doc_paras() and st_doc_read_text() (writer.h).  Resolutions are never
 * declared complete, since st_corpus_finish() compares the texts of a merge; they are small. With
 * c->text_spill NULL (the default) everything stays in memory.
 *
 * Errors: a malformed JSON Lines line stops the run, like a compiler: the
 * ingester returns STELE_EINPUT with "file:line: message" in err->msg, and
 * nothing from that line is indexed (documents of earlier lines stay in the
 * corpus; the caller decides whether to write an index, and the CLI does
 * not).  Text and resolution files cannot be malformed: any UTF-8 text is
 * accepted and every non-blank line lands in some paragraph.
 */
#ifndef STELE_DOC_H
#define STELE_DOC_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "stele.h"
#include "stele_index.h"

enum st_field { ST_FIELD_TITLE = 0, ST_FIELD_BODY = 1, ST_FIELD_FOOTNOTE = 2 };

typedef struct st_para {
    uint8_t field;   /* index into st_corpus.field_names */
    uint8_t kind;    /* enum stele_para_kind */
    uint32_t number; /* operative paragraph or footnote number; 0 = none */
    char *text;      /* cleaned text, NUL-terminated, no '\n' inside; NULL once spilled */
    size_t len;
    uint32_t src_line; /* first source line (1-based), for messages */
} st_para;

typedef struct st_doc {
    char *id;     /* "55/12", "decision I", a file name, a JSON id */
    char *title;  /* display title (also paragraph 0, field title) */
    char *source; /* where the kept text came from, e.g. "corpus/file.txt:69" */
    char *note;   /* optional: e.g. the other source of a duplicate; may be NULL */
    int format;   /* enum st_format of the input it came from */
    st_para *paras;
    size_t n_paras, cap_paras;
    uint64_t text_at; /* spilled: where its record is in c->text_spill (spill.c) */
    size_t text_len;  /* spilled: bytes of its stored text */
    uint8_t complete; /* declared by st_corpus_done(): may be spilled */
    uint8_t spilled;  /* the paragraphs' texts are in the scratch file only */
} st_doc;

struct st_spill; /* writer.h */

typedef struct st_corpus {
    st_doc *docs;
    size_t n_docs, cap_docs;
    char *field_names[STELE_MAX_FIELDS]; /* [0]="title", [1]="body", [2]="footnote" */
    size_t n_fields;
    size_t n_invalid_utf8; /* invalid bytes replaced during ingestion */
    /* Set by the caller before ingesting (zero: the defaults). */
    int on_duplicate;              /* STELE_DUP_* for st_corpus_finish() */
    int strict_utf8;               /* invalid UTF-8 is an error, not replaced */
    stele_build_event_fn on_event; /* progress and warnings; may be NULL */
    void *event_ctx;
    uint64_t bytes_total; /* input bytes expected (0: unknown), for progress */
    /* Kept by the ingesters and st_corpus_finish(). */
    uint64_t bytes_done;   /* input bytes of finished inputs */
    uint64_t n_duplicates; /* copies dropped or merged by st_corpus_finish() */
    /* Spilling (see above): set text_spill to spill, with text_budget the
     * paragraph text bytes the corpus may hold first. */
    struct st_spill *text_spill;
    size_t text_budget;
    size_t text_held;   /* paragraph text of complete documents held */
    size_t spill_next;  /* documents before it were considered for spilling */
    uint64_t n_spilled; /* documents spilled so far */
} st_corpus;

/* Input formats. */
enum st_format { ST_FORMAT_RESOLUTIONS = 0, ST_FORMAT_TEXT = 1, ST_FORMAT_JSONL = 2 };

/* A message for the user: file, line and what is wrong. */
typedef struct st_err {
    char msg[512];
} st_err;

int st_corpus_init(st_corpus *c); /* fields title, body, footnote */
void st_corpus_free(st_corpus *c);
/* Frees everything a document owns and zeroes it (the struct itself stays). */
void st_doc_free(st_doc *d);
/* Appends a document and its title paragraph (paragraph 0, field title,
 * kind STELE_PARA_TITLE); NULL when out of memory. */
st_doc *st_corpus_add_doc(st_corpus *c, const char *id, const char *title, const char *source);
/* Appends a paragraph after normalizing its white space (see above); a
 * text that is empty after trimming adds nothing and returns STELE_OK. */
int st_doc_add_para(st_doc *d, unsigned field, unsigned kind, uint32_t number, const char *text,
                    size_t len, uint32_t src_line);
/* Bytes of the stored text of d: its paragraphs joined by '\n'. */
size_t st_doc_text_len(const st_doc *d);
/* Declares documents [from, c->n_docs) complete (no paragraph will be
 * added or changed) and spills the complete documents held when more than
 * the budget is (see above).  STELE_ENOMEM, or STELE_EIO when the scratch
 * file cannot be written (with err->msg naming its directory). */
int st_corpus_done(st_corpus *c, size_t from, st_err *err);
/* Removes the last document (used to undo a failed input record). */
void st_corpus_pop_doc(st_corpus *c);
/* Sets d->note to a copy of note (replacing any earlier one). */
int st_doc_set_note(st_doc *d, const char *note);

/* Reads a whole file ("-": standard input) into *out (NUL-terminated, *len
 * bytes without the NUL), with a leading byte order mark removed and
 * invalid UTF-8 (and NUL bytes) replaced by U+FFFD, counted in
 * c->n_invalid_utf8 and reported by one warning naming the first line; with
 * c->strict_utf8 they are an error (STELE_EINPUT, "file:line: ...") instead.
 * Adds the raw size to c->bytes_done.  The caller frees *out.  STELE_EIO /
 * STELE_ENOMEM with err->msg on failure. */
int st_read_text_file(st_corpus *c, const char *path, char **out, size_t *len, st_err *err);

/* A file read line by line ("-": standard input), each line made valid
 * UTF-8 as st_read_text_file() makes a whole file, so that an input of any
 * size is never held whole. */
typedef struct st_lines {
    FILE *f;
    const char *path;
    int from_stdin;
    char *raw, *line; /* the line as read, and made valid */
    size_t raw_cap, line_cap;
    uint32_t line_no; /* of the last line returned, 1-based */
    uint64_t n_raw;   /* bytes read so far */
    size_t n_bad;     /* bytes replaced so far */
    uint32_t first_bad_line;
} st_lines;

/* STELE_EIO with err->msg when path cannot be opened. */
int st_lines_open(const char *path, st_lines *r, st_err *err);
/* The next line, without its '\n', in *line (NUL-terminated, *len bytes,
 * valid until the next call): 1, 0 at the end of the file, or a negative
 * code with err->msg ("file:line: ..."; a leading byte order mark is
 * dropped, and with c->strict_utf8 invalid UTF-8 is STELE_EINPUT). */
int st_lines_next(st_corpus *c, st_lines *r, const char **line, size_t *len, st_err *err);
/* Closes r, adds the bytes read to c->bytes_done and counts and reports
 * the replaced bytes, as st_read_text_file() does. */
void st_lines_close(st_corpus *c, st_lines *r);

/* The file name of path without directories and without its extension:
 * "corpus/cnd-resolution-55-2.txt" -> "cnd-resolution-55-2".  The caller
 * frees the result; NULL when out of memory. */
char *st_path_stem(const char *path);
/* How messages name path: "standard input" for "-", else path itself. */
const char *st_path_label(const char *path);

/* Calls c->on_event, if any, with ev. */
void st_emit(const st_corpus *c, const stele_build_event *ev);
/* Emits a STELE_EV_WARNING about input (may be NULL). */
void st_warn(const st_corpus *c, const char *input, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* Emits STELE_EV_READ with done = c->bytes_done + extra. */
void st_emit_read(const st_corpus *c, const char *input, uint64_t extra);

/* Formats a message into err->msg (err may be NULL). */
void st_err_set(st_err *err, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* The file name of path without directories (a view into path). */
const char *st_path_base(const char *path);
/* Field number of name, adding it if new; -1 when STELE_MAX_FIELDS are used. */
int st_corpus_field(st_corpus *c, const char *name);

/* Ingesters: add the documents of one file to c.  Return STELE_OK or a
 * negative code with err->msg naming the file and line. */
int st_ingest_resolutions(st_corpus *c, const char *path, st_err *err);
/* name: the document id (a final ".txt" or ".md" is dropped); NULL = the
 * file name without directories. */
int st_ingest_text(st_corpus *c, const char *path, const char *name, st_err *err);
int st_ingest_jsonl(st_corpus *c, const char *path, st_err *err);
int st_ingest(st_corpus *c, const char *path, int format, st_err *err);
/* st_ingest() with the id of a text document (see st_ingest_text()).  Marks
 * the new documents with their format, warns about a resolutions file that
 * holds no resolution, and emits STELE_EV_INPUT_DONE. */
int st_ingest_named(st_corpus *c, const char *path, const char *name, int format, st_err *err);

/* After all files: leaves one document per id (doc_merge.c).  Resolutions
 * that came from two sources are merged (see ingest_resolutions.c for which
 * text is kept); any other id seen twice is an error naming both places,
 * or, as c->on_duplicate says, one copy is kept and each dropped one is
 * reported.  Documents keep their ingestion order, which is the index's
 * document order. */
int st_corpus_finish(st_corpus *c, st_err *err);

/* Writes the string s into out (cap bytes) for a one-line message: at
 * most 80 bytes of it, control characters as \xNN, so that no id or name
 * from an input or a shard can break the line or act on a terminal. */
void st_for_message(const char *s, char *out, size_t cap);

#endif /* STELE_DOC_H */
