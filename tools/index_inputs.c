/*
 * index_inputs.c: what `stele index` reads, from what the user typed.
 *
 * Every command-line input (and every line of a --files-from list) is one
 * group of files:
 *   - "-" is standard input, which has no name to guess a format from, so
 *     it needs --format; its text document is named "stdin";
 *   - a file is read in the --format given or, without one, in the format
 *     its extension says: .jsonl and .ndjson are JSON Lines, .txt and .md
 *     plain text; any other name is an error asking for --format, never a
 *     guess.  A JSON Lines extension with --format text or resolutions is
 *     an error too, so raw JSON never becomes a text document;
 *   - a directory is walked recursively, entries of each directory sorted
 *     by name with strcmp (so the same tree always gives the same document
 *     order and the same index bytes), hidden entries (".name") skipped.
 *     Symbolic links are not followed (and counted in the summary): a link
 *     to a directory could make a cycle, and a link to a file usually
 *     points at a file of the same tree, which would then come twice.  It takes the
 *     files whose extension fits --format (.jsonl/.ndjson for jsonl,
 *     .txt/.md for text, .txt for resolutions, whose texts are extracted
 *     from PDF documents, so that a README.md beside them is not taken for
 *     one) or, without --format, every file of a known extension in its
 *     format.  Other files are counted as skipped, and the
 *     summary says how many.
 * A text document's name, from which its id comes, is the file's path
 * relative to the directory given ("notes/" + "2024/a.txt" -> "2024/a"),
 * or its file name when the file itself was given, so that files with the
 * same name in different directories keep distinct ids.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "index_cli.h"

static int has_suffix(const char *name, const char *suffix)
{
    size_t n = strlen(name), s = strlen(suffix);
    return n > s && strcmp(name + n - s, suffix) == 0;
}

/* The format a file name implies, or INDEX_FORMAT_AUTO for none. */
static int format_of_name(const char *name)
{
    if (has_suffix(name, ".jsonl") || has_suffix(name, ".ndjson")) return STELE_FORMAT_JSONL;
    if (has_suffix(name, ".txt") || has_suffix(name, ".md")) return STELE_FORMAT_TEXT;
    return INDEX_FORMAT_AUTO;
}

static const char *format_name(int format)
{
    return format == STELE_FORMAT_JSONL  ? "jsonl"
           : format == STELE_FORMAT_TEXT ? "text"
                                         : "resolutions";
}

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p) memcpy(p, s, n);
    return p;
}

static int add_file(index_plan *plan, const char *path, const char *name, int format)
{
    if (plan->n_files == plan->cap_files) {
        size_t cap = plan->cap_files ? plan->cap_files * 2 : 16;
        stele_build_input *f = realloc(plan->files, cap * sizeof *f);
        if (!f) return -1;
        plan->files = f;
        plan->cap_files = cap;
    }
    char *p = dup_str(path), *n = dup_str(name);
    if (!p || !n) {
        free(p);
        free(n);
        return -1;
    }
    plan->files[plan->n_files++] = (stele_build_input){.path = p, .name = n, .format = format};
    plan->groups[plan->n_groups - 1].n++;
    return 0;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The sorted names of dir's entries, hidden ones left out; NULL (errno
 * set) on failure. */
static char **list_dir(const char *dir, size_t *n_out)
{
    DIR *d = opendir(dir);
    if (!d) return NULL;
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    int failed = 0;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        if (n == cap) {
            size_t c = cap ? cap * 2 : 32;
            char **p = realloc(names, c * sizeof *p);
            if (!p) {
                failed = 1;
                break;
            }
            names = p;
            cap = c;
        }
        if (!(names[n] = dup_str(e->d_name))) {
            failed = 1;
            break;
        }
        n++;
    }
    closedir(d);
    if (failed) {
        for (size_t i = 0; i < n; i++)
            free(names[i]);
        free(names);
        errno = ENOMEM;
        return NULL;
    }
    if (n > 1) qsort(names, n, sizeof *names, compare_names);
    *n_out = n;
    if (!names) names = malloc(sizeof *names); /* an empty list, not an error */
    return names;
}

static char *join(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    char *p = malloc(na + nb + 2);
    if (!p) return NULL;
    memcpy(p, a, na);
    size_t k = na;
    if (na && a[na - 1] != '/') p[k++] = '/';
    memcpy(p + k, b, nb + 1);
    return p;
}

/* Walks dir (rel: its path relative to the group's directory, "" at the
 * top).  Returns 0 or -1 after printing an error. */
static int walk(index_plan *plan, const char *dir, const char *rel, int format, int depth)
{
    if (depth > 64) {
        cli_error("%s: directories nested more than 64 deep", dir);
        return -1;
    }
    size_t n = 0;
    char **names = list_dir(dir, &n);
    if (!names) {
        cli_error("%s: cannot read directory: %s", dir, strerror(errno));
        return -1;
    }
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        char *path = join(dir, names[i]);
        char *rel_path = rel[0] ? join(rel, names[i]) : dup_str(names[i]);
        struct stat st;
        index_group *g = &plan->groups[plan->n_groups - 1];
        if (!path || !rel_path) {
            cli_error("out of memory");
            rc = -1;
        } else if (lstat(path, &st) != 0) {
            cli_error("%s: %s", path, strerror(errno));
            rc = -1;
        } else if (S_ISLNK(st.st_mode)) {
            g->n_links++;
        } else if (S_ISDIR(st.st_mode)) {
            rc = walk(plan, path, rel_path, format, depth + 1);
        } else {
            int by_name = format_of_name(names[i]);
            int take = format == INDEX_FORMAT_AUTO    ? by_name != INDEX_FORMAT_AUTO
                       : format == STELE_FORMAT_JSONL ? by_name == STELE_FORMAT_JSONL
                       : format == STELE_FORMAT_TEXT  ? by_name == STELE_FORMAT_TEXT
                                                      : has_suffix(names[i], ".txt");
            if (!take || !S_ISREG(st.st_mode)) {
                g->n_skipped++;
            } else if (add_file(plan, path, rel_path,
                                format == INDEX_FORMAT_AUTO ? by_name : format) != 0) {
                cli_error("out of memory");
                rc = -1;
            }
        }
        free(path);
        free(rel_path);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return rc;
}

static int new_group(index_plan *plan, const char *arg)
{
    if (plan->n_groups == plan->cap_groups) {
        size_t cap = plan->cap_groups ? plan->cap_groups * 2 : 8;
        index_group *g = realloc(plan->groups, cap * sizeof *g);
        if (!g) return -1;
        plan->groups = g;
        plan->cap_groups = cap;
    }
    char *copy = dup_str(arg);
    if (!copy) return -1;
    plan->groups[plan->n_groups++] = (index_group){.arg = copy, .first = plan->n_files};
    return 0;
}

int index_plan_add(index_plan *plan, const char *arg, int format)
{
    if (new_group(plan, arg) != 0) {
        cli_error("out of memory");
        return -1;
    }
    if (strcmp(arg, "-") == 0) {
        if (format == INDEX_FORMAT_AUTO) {
            cli_error("index: standard input (-) has no file name to tell its format; give "
                      "--format (resolutions, text or jsonl)");
            return -1;
        }
        if (add_file(plan, "-", "stdin", format) != 0) {
            cli_error("out of memory");
            return -1;
        }
        return 0;
    }
    struct stat st;
    if (arg[0] == '\0' || stat(arg, &st) != 0) {
        cli_error("%s: %s", arg, arg[0] ? strerror(errno) : "empty file name");
        return -1;
    }
    if (S_ISDIR(st.st_mode)) {
        if (walk(plan, arg, "", format, 0) != 0) return -1;
        const index_group *g = &plan->groups[plan->n_groups - 1];
        if (g->n == 0) {
            cli_error("%s: no %s files in this directory or below (%zu other files, %zu links)",
                      arg,
                      format == INDEX_FORMAT_AUTO    ? ".txt, .md, .jsonl or .ndjson"
                      : format == STELE_FORMAT_JSONL ? ".jsonl or .ndjson"
                      : format == STELE_FORMAT_TEXT  ? ".txt or .md"
                                                     : ".txt",
                      g->n_skipped, g->n_links);
            return -1;
        }
        return 0;
    }
    int by_name = format_of_name(arg);
    if (format == INDEX_FORMAT_AUTO && by_name == INDEX_FORMAT_AUTO) {
        cli_error("%s: cannot tell the format from the file name (.txt, .md, .jsonl, .ndjson); "
                  "give --format",
                  arg);
        return -1;
    }
    if (format != INDEX_FORMAT_AUTO && format != STELE_FORMAT_JSONL &&
        by_name == STELE_FORMAT_JSONL) {
        cli_error("%s: a JSON Lines file name, but --format %s; give --format jsonl", arg,
                  format_name(format));
        return -1;
    }
    const char *slash = strrchr(arg, '/');
    if (add_file(plan, arg, slash ? slash + 1 : arg,
                 format == INDEX_FORMAT_AUTO ? by_name : format) != 0) {
        cli_error("out of memory");
        return -1;
    }
    return 0;
}

int index_plan_add_list(index_plan *plan, const char *list_path, int format)
{
    int from_stdin = strcmp(list_path, "-") == 0;
    FILE *f = from_stdin ? stdin : fopen(list_path, "r");
    if (!f) {
        cli_error("%s: %s", list_path, strerror(errno));
        return -1;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    unsigned line_no = 0;
    int rc = 0;
    while (rc == 0 && (n = getline(&line, &cap, f)) >= 0) {
        line_no++;
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        if (n == 0) continue;
        if ((size_t)n != strlen(line)) {
            cli_error("%s:%u: a NUL byte in a file name", list_path, line_no);
            rc = -1;
        } else if (strcmp(line, "-") == 0 && from_stdin) {
            cli_error("%s:%u: \"-\" in a list read from standard input", list_path, line_no);
            rc = -1;
        } else if (index_plan_add(plan, line, format) != 0) {
            cli_error("%s:%u: listed here", list_path, line_no);
            rc = -1;
        }
    }
    if (rc == 0 && ferror(f)) {
        cli_error("%s: read error", list_path);
        rc = -1;
    }
    free(line);
    if (!from_stdin) fclose(f);
    return rc;
}

int index_plan_add_plain(index_plan *plan, const char *path)
{
    if (new_group(plan, path) != 0 || add_file(plan, path, path, 0) != 0) {
        cli_error("out of memory");
        return -1;
    }
    return 0;
}

void index_plan_free(index_plan *plan)
{
    for (size_t i = 0; i < plan->n_files; i++) {
        free((char *)plan->files[i].path);
        free((char *)plan->files[i].name);
    }
    free(plan->files);
    for (size_t i = 0; i < plan->n_groups; i++)
        free(plan->groups[i].arg);
    free(plan->groups);
    memset(plan, 0, sizeof *plan);
}
