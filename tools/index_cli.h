/*
 * index_cli.h: what `stele index` (cmd_index.c) and `stele merge`
 * (cmd_merge.c) share.  Interface to code in index_inputs.c (turning
 * command-line inputs into the files to read, each with its format and
 * document name), index_progress.c (the progress bar, warnings, per-input
 * counts and the signal handling that removes a temporary index file) and
 * cmd_index.c (running a build and printing its summary).
 */
#ifndef STELE_INDEX_CLI_H
#define STELE_INDEX_CLI_H

#include <stddef.h>
#include <stdint.h>

#include "stele_index.h"

#define INDEX_FORMAT_AUTO (-1) /* no --format: detect from each file's name */

/* One input as the user gave it (a file, a directory or "-") and what it
 * became. */
typedef struct index_group {
    char *arg;         /* as given */
    size_t first, n;   /* its files: index_plan.files[first .. first + n) */
    size_t n_skipped;  /* files of a directory with no known extension */
    size_t n_links;    /* symbolic links in a directory, not followed */
    uint64_t n_docs;   /* documents its files gave (filled while building) */
    size_t n_warnings; /* warnings about its files */
} index_group;

typedef struct index_plan {
    stele_build_input *files; /* path, name and format owned by the plan */
    size_t n_files, cap_files;
    index_group *groups;
    size_t n_groups, cap_groups;
} index_plan;

/* Adds one command-line input: a file, a directory (walked recursively in
 * sorted order) or "-".  format is STELE_FORMAT_* or INDEX_FORMAT_AUTO.
 * Prints an error and returns -1 when the input cannot be used. */
int index_plan_add(index_plan *plan, const char *arg, int format);

/* Adds every path listed in list_path, one per line ("-": standard input).
 * Prints an error naming the list and line and returns -1 on failure. */
int index_plan_add_list(index_plan *plan, const char *list_path, int format);

/* Adds path as one input of its own, read as it is (a shard of `stele
 * merge`).  Prints an error and returns -1 when out of memory. */
int index_plan_add_plain(index_plan *plan, const char *path);

void index_plan_free(index_plan *plan);

/* ---- index_progress.c ------------------------------------------------ */

typedef struct index_progress index_progress;

/* A progress display for plan's build of out_path; bar = draw a progress
 * bar on stderr (a terminal).  Installs handlers for SIGINT, SIGTERM and
 * SIGHUP that remove the temporary index file, if one exists, and ignores
 * SIGXFSZ so a file-size limit is a write error.  NULL when out of memory. */
index_progress *index_progress_new(index_plan *plan, const char *out_path, int bar);
/* The event callback for stele_build_opts.on_event (ctx = the display). */
void index_progress_event(void *ctx, const stele_build_event *ev);
/* Clears the bar.  Returns the number of warnings shown. */
size_t index_progress_finish(index_progress *p);
/* Prints the notes (documented merges) collected during the build. */
void index_progress_print_notes(const index_progress *p);
void index_progress_free(index_progress *p);

/* ---- cmd_index.c ------------------------------------------------------ */

/* Builds plan's inputs (merge: merges them as shards) into out_path with
 * opts, showing progress and warnings, then the summary unless quiet.
 * Returns an exit status. */
int index_run_build(index_plan *plan, const char *out_path, stele_build_opts *opts, int quiet,
                    int merge);

#endif /* STELE_INDEX_CLI_H */
