/*
 * cli_util.c: what every stele subcommand shares: error messages, mapping
 * and opening index files, getopt resets, and writing output files
 * atomically.
 *
 * Index files are mapped with mmap(PROT_READ, MAP_PRIVATE): the runtime
 * only ever reads the index, and a map costs nothing for pages a search
 * never touches.  Files under STELE_MAP_THRESHOLD bytes (16 MiB) are read
 * into memory instead, so that cutting the file in place cannot take
 * pages from under a search (index_watch.c).  A mapping is advised
 * POSIX_MADV_RANDOM: a search reads a few scattered pages of a large index, and
 * the kernel's readahead around each would bring pages it never reads
 * into the process (searches on an 85 MB index whose pages are not yet
 * cached: 9.4 MiB median resident with readahead, 6.0 MiB without; once
 * the whole file is cached the kernel's fault-around maps the same either
 * way); a command that reads the whole file
 * (verify, embed, web, list) asks for readahead back with
 * cli_map_whole().  An empty file cannot be mapped and is reported as
 * "empty file", which is more useful than the open-time "truncated" the runtime would give.
 *
 * With cli_json_errors set (a command's --json), every error is instead
 * one JSON object on its own line of stderr, {"error": "<message>"} plus
 * whatever fields the caller adds (cli_error_json), so a script reading
 * JSON never has to parse a message meant for people.
 *
 * Output files (generated C sources) are written to "PATH.tmp.PID" in the
 * same directory, flushed, closed, then renamed over PATH, so a build that
 * is interrupted never leaves a half-written file behind a good name.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "stele_stem.h"

void cli_para_label(unsigned kind, uint32_t number, char *out, size_t cap)
{
    static const char *const humans[] = {"title", "preambular para", "operative para", "footnote",
                                         "text",  "heading",         "field"};
    const char *human = kind < sizeof humans / sizeof humans[0] ? humans[kind] : "paragraph";
    if (number && kind != STELE_PARA_TITLE)
        snprintf(out, cap, "%s %u", human, (unsigned)number);
    else
        snprintf(out, cap, "%s", human);
}

const char *cli_para_token(unsigned kind)
{
    static const char *const tokens[] = {"title", "preamble", "operative", "footnote",
                                         "text",  "heading",  "field"};
    return kind < sizeof tokens / sizeof tokens[0] ? tokens[kind] : "unknown";
}

json_t *cli_json_text(const char *s, size_t len)
{
    json_t *j = json_stringn(s, len);
    char *copy;
    size_t i;
    if (j) return j;
    copy = malloc(len + 1);
    if (!copy) return NULL;
    for (i = 0; i < len; i++)
        copy[i] = (s[i] & 0x80) || s[i] == 0 ? '?' : s[i];
    j = json_stringn(copy, len);
    free(copy);
    return j;
}

int cli_json_errors;

void cli_error_json(json_t *fields, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    json_t *o = json_object();
    char *line = NULL;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fflush(stdout);
    if (o && json_object_set_new(o, "error", json_string(msg)) == 0 &&
        (!fields || json_object_update(o, fields) == 0))
        line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(fields);
    if (line) {
        fprintf(stderr, "%s\n", line);
        free(line);
    } else {
        /* a message that is not UTF-8 (a file name) or no memory */
        fputs("{\"error\":\"stele: error (message not printable as JSON)\"}\n", stderr);
    }
    json_decref(o);
}

/* Messages printed so far: a usage error after one adds no second line. */
static int errors_printed;

void cli_error(const char *fmt, ...)
{
    char msg[2048];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    errors_printed++;
    if (cli_json_errors) {
        cli_error_json(NULL, "%s", msg);
        return;
    }
    fflush(stdout);
    /* a message may quote a file name or an argument: made safe, cut */
    fputs("stele: ", stderr);
    cli_put_safe(stderr, msg, strlen(msg), NULL);
    if (n >= (int)sizeof msg) fputs("\xE2\x80\xA6", stderr);
    fputc('\n', stderr);
}

int cli_wants_json(int argc, char **argv)
{
    int i;
    for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
        if (strcmp(argv[i], "--json") == 0) return 1;
    return 0;
}

int cli_bad_option(const char *cmd, char **argv)
{
    /* opterr is 0 (cli_reset_getopt): the one message is this one */
    char opt[3] = {'-', (char)optopt, '\0'};
    const char *what = optopt ? opt : argv[optind - 1];
    if (cmd)
        cli_error("%s: invalid option or missing argument: '%s' (see 'stele %s --help')", cmd, what,
                  cmd);
    else
        cli_error("invalid option: '%s' (see 'stele --help')", what);
    return CLI_EXIT_ERROR;
}

int cli_usage_error(const char *cmd)
{
    /* Usage errors are one line: the message printed before, if any. */
    if (cli_json_errors || errors_printed) return CLI_EXIT_ERROR;
    if (cmd)
        fprintf(stderr, "stele: %s: bad usage (see 'stele %s --help')\n", cmd, cmd);
    else
        fputs("stele: bad usage (see 'stele --help')\n", stderr);
    return CLI_EXIT_ERROR;
}

void cli_reset_getopt(void)
{
    opterr = 0; /* cli_bad_option() reports, in one line */
    /* glibc reinitialises its scanner (including the position inside a
     * group of short options) only when optind is 0. */
#ifdef __GLIBC__
    optind = 0;
#else
    optind = 1;
#endif
}

/* Files below this many bytes are read into memory rather than mapped. */
#define MAP_THRESHOLD_DEFAULT (16u << 20)

static size_t map_threshold(void)
{
    const char *env = getenv("STELE_MAP_THRESHOLD");
    char *end;
    unsigned long long v;
    if (!env || !*env) return MAP_THRESHOLD_DEFAULT;
    v = strtoull(env, &end, 10);
    return *end || v > (size_t)-1 ? MAP_THRESHOLD_DEFAULT : (size_t)v;
}

/* Reads the whole of fd (size bytes) into a heap copy: a file cut or
 * rewritten later cannot touch it. */
static void *read_copy(int fd, size_t size, char *why, size_t cap)
{
    unsigned char *buf = malloc(size);
    size_t got = 0;
    if (!buf) {
        snprintf(why, cap, "out of memory (%zu bytes)", size);
        return NULL;
    }
    while (got < size) {
        ssize_t n = pread(fd, buf + got, size - got, (off_t)got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            snprintf(why, cap, "%s", n < 0 ? strerror(errno) : "changed while being read");
            free(buf);
            return NULL;
        }
        got += (size_t)n;
    }
    return buf;
}

/* cli_map_file(), with the reason of a failure in why. */
static int map_file(const char *path, cli_map *m, char *why, size_t cap)
{
    struct stat st;
    int fd;
    void *p;

    memset(m, 0, sizeof *m);
    fd = open(path, O_RDONLY);
    if (fd < 0) {
        snprintf(why, cap, "%s", strerror(errno));
        return -1;
    }
    if (fstat(fd, &st) != 0) {
        snprintf(why, cap, "%s", strerror(errno));
        close(fd);
        return -1;
    }
    if (S_ISDIR(st.st_mode) || !S_ISREG(st.st_mode) || st.st_size == 0 ||
        (unsigned long long)st.st_size > (size_t)-1) {
        snprintf(why, cap, "%s",
                 S_ISDIR(st.st_mode)    ? "is a directory, not an index file"
                 : !S_ISREG(st.st_mode) ? "not a regular file"
                 : st.st_size == 0      ? "empty file, not an index"
                                        : "too large to map");
        close(fd);
        return -1;
    }
    if ((size_t)st.st_size < map_threshold()) {
        p = read_copy(fd, (size_t)st.st_size, why, cap);
        close(fd);
        if (!p) return -1;
        m->copied = 1;
    } else {
        p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        close(fd);
        if (p == MAP_FAILED) {
            snprintf(why, cap, "cannot map: %s", strerror(errno));
            return -1;
        }
        /* A search touches a few scattered pages: no readahead around
         * each (cli_map_whole() asks for it back) */
        (void)posix_madvise(p, (size_t)st.st_size, POSIX_MADV_RANDOM);
    }
    m->data = p;
    m->size = (size_t)st.st_size;
    cli_map_identify(m, &st);
    return 0;
}

void cli_map_whole(cli_map *m)
{
    if (m->data && !m->copied) (void)posix_madvise((void *)m->data, m->size, POSIX_MADV_SEQUENTIAL);
}

int cli_map_file(const char *path, cli_map *m)
{
    char why[256];
    if (map_file(path, m, why, sizeof why) == 0) return 0;
    cli_error("%s: %s", path, why);
    return -1;
}

void cli_unmap(cli_map *m)
{
    if (m->data && m->copied)
        free((void *)m->data);
    else if (m->data && m->size)
        munmap((void *)m->data, m->size);
    memset(m, 0, sizeof *m);
}

const char *cli_index_name(const char *path)
{
    return path ? path : "bundled index";
}

int cli_index_stemmer(const char *index_name, const stele_info *info, stele_stemmer **stemmer,
                      stele_query_opts *opts)
{
    *stemmer = NULL;
    if (!info->language || !info->language[0] || strcmp(info->language, "none") == 0) return 0;
    *stemmer = stele_stemmer_new(info->language);
    if (!*stemmer) {
        char lang[64]; /* only length-checked at open: shown escaped */
        cli_error("%s: no stemmer for the index's language '%s'", index_name,
                  cli_safe_text(lang, sizeof lang, info->language, strlen(info->language)));
        return -1;
    }
    opts->stem = stele_stemmer_stem;
    opts->stem_ctx = *stemmer;
    return 0;
}

int cli_open_index_quiet(const char *path, cli_map *m, stele_index *ix, char *why, size_t cap)
{
    const void *data;
    size_t size;
    int rc;

    memset(m, 0, sizeof *m);
    if (path) {
        if (map_file(path, m, why, cap) != 0) return -1;
        data = m->data;
        size = m->size;
    } else {
        if (stele_bundled_index_size == 0) {
            snprintf(why, cap, "this stele was built without a bundled index; use -i INDEX");
            return -1;
        }
        data = stele_bundled_index;
        size = stele_bundled_index_size;
    }
    rc = stele_open(ix, data, size);
    if (rc != STELE_OK) {
        snprintf(why, cap, "not a usable stele index: %s", stele_strerror(rc));
        cli_unmap(m);
        return -1;
    }
    return 0;
}

int cli_open_index(const char *path, cli_map *m, stele_index *ix)
{
    char why[256];
    if (cli_open_index_quiet(path, m, ix, why, sizeof why) == 0) return 0;
    if (path)
        cli_error("%s: %s", path, why);
    else if (stele_bundled_index_size == 0)
        cli_error("%s", why);
    else
        cli_error("%s: %s", cli_index_name(path), why);
    return -1;
}

int cli_open_index_checked(const char *path, cli_map *m, stele_index *ix)
{
    int rc;

    if (cli_open_index(path, m, ix) != 0) return -1;
    cli_map_whole(m);
    rc = stele_check_crc(ix);
    if (rc != STELE_OK) {
        cli_error("%s: not a usable stele index: %s", cli_index_name(path), stele_strerror(rc));
        cli_unmap(m);
        return -1;
    }
    return 0;
}

int cli_write_atomic(const char *path, cli_writer_fn write, void *ctx)
{
    char *tmp;
    size_t n;
    FILE *out;
    int rc;

    if (strcmp(path, "-") == 0) {
        rc = write(stdout, ctx);
        if (fflush(stdout) != 0 || ferror(stdout)) {
            cli_error("standard output: %s", strerror(errno));
            return -1;
        }
        return rc;
    }
    n = strlen(path) + 32;
    tmp = malloc(n);
    if (!tmp) {
        cli_error("out of memory");
        return -1;
    }
    snprintf(tmp, n, "%s.tmp.%ld", path, (long)getpid());
    out = fopen(tmp, "w");
    if (!out) {
        cli_error("%s: cannot create: %s", path, strerror(errno));
        free(tmp);
        return -1;
    }
    rc = write(out, ctx);
    if (rc == 0 && (fflush(out) != 0 || ferror(out))) {
        cli_error("%s: %s", tmp, strerror(errno));
        rc = -1;
    }
    if (fclose(out) != 0 && rc == 0) {
        cli_error("%s: %s", tmp, strerror(errno));
        rc = -1;
    }
    if (rc == 0 && rename(tmp, path) != 0) {
        cli_error("%s: %s", path, strerror(errno));
        rc = -1;
    }
    if (rc != 0) remove(tmp);
    free(tmp);
    return rc;
}
