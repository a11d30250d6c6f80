/*
 * cli.h: shared pieces of the `stele` command-line tool.  Interface to code
 * in cli_util.c (index files, messages, atomic output) and to the
 * subcommands in cmd_*.c, which stele.c dispatches to.
 *
 * Exit statuses follow grep: 0 when the command succeeded (for search: at
 * least one hit), 1 when a search found nothing, 2 on any error, including
 * usage errors.  Every error is one line on stderr that starts with
 * "stele: " and names the file or query at fault; the library never prints,
 * so all messages come from here.
 *
 * Index files are read through a read-only memory map, never copied; the
 * index built into the binary (see bundled_index.c) is used in place.
 */
#ifndef STELE_CLI_H
#define STELE_CLI_H

#include <jansson.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <sys/stat.h>

#include "stele.h"

enum { CLI_EXIT_OK = 0, CLI_EXIT_NOMATCH = 1, CLI_EXIT_ERROR = 2 };

/* The index compiled into the program: bundled_index.c, generated at build
 * time by `stele embed`, or bundled_none.c (size 0) in stele-bootstrap. */
extern const unsigned char stele_bundled_index[];
extern const size_t stele_bundled_index_size;

/* An index file held read-only: mapped, or for a small file read into a
 * heap copy (index_watch.c says why); data == NULL when nothing is held.
 * The file's identity when it was opened tells whether the one at the
 * path is still it (cli_index_changed). */
typedef struct cli_map {
    const void *data;
    size_t size;
    int copied; /* data is a heap copy, not a mapping */
    unsigned long long dev, ino;
    long long file_size, mtime_sec;
    long mtime_nsec;
} cli_map;

/* Prints "stele: <message>" and a newline on stderr. */
void cli_error(const char *fmt, ...)
#ifdef __GNUC__
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/* Set by a command's --json: errors go to stderr as JSON objects. */
extern int cli_json_errors;

/* Whether argv (before a "--") holds --json: checked before getopt runs,
 * so that even an option error is reported as JSON. */
int cli_wants_json(int argc, char **argv);

/* Prints {"error": "<message>", ...fields} on stderr (takes fields, which
 * may be NULL, and frees it). */
void cli_error_json(json_t *fields, const char *fmt, ...)
#ifdef __GNUC__
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Maps path read-only into *m, or reads it into memory when it is
 * smaller than STELE_MAP_THRESHOLD bytes (environment; default 16 MiB).
 * On failure prints why and returns -1. */
int cli_map_file(const char *path, cli_map *m);
void cli_unmap(cli_map *m);
/* Asks for readahead on a mapped index that is about to be read whole (a
 * map is advised for a search's scattered reads); nothing for a copy. */
void cli_map_whole(cli_map *m);

/* Maps path and opens it as an index; path NULL means the bundled index.
 * On failure prints a message naming the file and returns -1 (with *m
 * unmapped). */
int cli_open_index(const char *path, cli_map *m, stele_index *ix);
/* cli_open_index() and then every section's CRC (stele_check_crc): for
 * commands that copy an index into something shipped (embed, web), so
 * damage is caught once, at build time, not by every later open. */
int cli_open_index_checked(const char *path, cli_map *m, stele_index *ix);
/* cli_open_index() that prints nothing: why it failed goes to why. */
int cli_open_index_quiet(const char *path, cli_map *m, stele_index *ix, char *why, size_t cap);

/* ---- Interface to code in index_watch.c: an index changed while held */

/* Records st, the held file's status, in m. */
void cli_map_identify(cli_map *m, const struct stat *st);
/* 1 when the file at path is not the one m holds any more (replaced,
 * rewritten, grown or cut), or m holds nothing; 0 when it is (always for
 * the bundled index, path NULL). */
int cli_index_changed(const char *path, const cli_map *m);
/* Before a query: when the file changed, opens the one now at path in
 * place of *m and *ix (1); 0 when nothing changed; -1 when it changed
 * and cannot be opened (why, one line, says so; *m then holds nothing,
 * so the next call tries again).  Prints nothing. */
int cli_index_refresh(const char *path, cli_map *m, stele_index *ix, char *why, size_t cap);
/* Makes a SIGBUS (a lost page of a mapped file) jump to *jump, set by
 * sigsetjmp(*jump, 1), until cli_fault_restore(the value returned). */
sigjmp_buf *cli_fault_arm(sigjmp_buf *jump);
void cli_fault_restore(sigjmp_buf *previous);
/* After the jump: drops the index (the next refresh reopens it) and says
 * so on stderr. */
void cli_index_fault(const char *path, cli_map *m, stele_index *ix);

/* Writes (text, len), from an index or an input, to f made safe for a
 * terminal (safe_text.c): control characters escaped, invalid UTF-8
 * replaced by U+FFFD; the ASCII characters in also (NULL = none) get a
 * backslash before them. */
void cli_put_safe(FILE *f, const char *text, size_t len, const char *also);
/* The same into out (cap bytes, NUL-terminated, cut with an ellipsis when
 * it does not fit), for a message; returns out. */
const char *cli_safe_text(char *out, size_t cap, const char *text, size_t len);
/* The same whole, as a new heap string of *out_len bytes (and a NUL
 * after them), for text to be laid out before it is printed; NULL when
 * out of memory. */
char *cli_safe_dup(const char *text, size_t len, const char *also, size_t *out_len);

/* The name to show for an index path (NULL = the bundled index). */
const char *cli_index_name(const char *path);

/* The stemmer for the language an index records (info), made and set as
 * opts->stem and opts->stem_ctx; *stemmer is NULL for an index without
 * stemming, else the caller's to free.  -1, after a message naming
 * index_name, when this build has no stemmer for that language. */
struct stele_stemmer;
int cli_index_stemmer(const char *index_name, const stele_info *info,
                      struct stele_stemmer **stemmer, stele_query_opts *opts);

/* Prints "Try 'stele CMD --help'." for a usage error and returns 2. */
int cli_usage_error(const char *cmd);

/* For getopt_long's '?': in JSON mode (opterr 0) reports the bad option
 * as JSON; then as cli_usage_error(cmd). */
int cli_bad_option(const char *cmd, char **argv);

/* Resets getopt_long so a subcommand can parse its own argv. */
void cli_reset_getopt(void);

/* Writes a file with write(out, ctx) through a temporary file in the same directory
 * and rename(), so readers never see a half-written file; "-" means
 * stdout.  Prints the error and returns -1 on failure. */
typedef int (*cli_writer_fn)(FILE *out, void *ctx);
int cli_write_atomic(const char *path, cli_writer_fn write, void *ctx);

/* How a paragraph is cited: "operative para 3", "preambular para 2",
 * "footnote 12", "title"; and its kind's stable JSON token ("operative"). */
void cli_para_label(unsigned kind, uint32_t number, char *out, size_t cap);
const char *cli_para_token(unsigned kind);

/* A JSON string of (s, len); bytes that are not valid UTF-8 become '?'. */
json_t *cli_json_text(const char *s, size_t len);

/* A document read whole (cmd_show.c): its text, and its paragraphs'
 * kinds, numbers and byte ranges in that text. */
typedef struct cli_doc {
    uint32_t doc;
    stele_view id, title;
    char *text;
    size_t len;
    stele_para *paras;
    uint32_t n_paras;
} cli_doc;

/* The document whose id is (id, len): 0 and *doc, or -1 if none. */
int cli_find_doc(const stele_index *ix, const char *id, size_t len, uint32_t *doc);
/* Reads document doc; a STELE_* status (STELE_ENOMEM when out of memory). */
int cli_doc_load(const stele_index *ix, uint32_t doc, cli_doc *out);
void cli_doc_free(cli_doc *d);
/* The `stele show` text: id and title, then each paragraph under its label. */
void cli_doc_print(const cli_doc *d);

/* Subcommands: argv[0] is "stele CMD"; each returns an exit status. */
int cmd_search(int argc, char **argv);
int cmd_index(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_complete(int argc, char **argv);
int cmd_embed(int argc, char **argv);
int cmd_web(int argc, char **argv);

int cmd_merge(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_kiosk(int argc, char **argv);

#endif /* STELE_CLI_H */
