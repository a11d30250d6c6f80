/*
 * cli_util.c: what every stele subcommand shares: error messages, mapping
 * and opening index files, getopt resets, and writing output files
 * atomically.
 *
 * Index files are mapped with mmap(PROT_READ, MAP_PRIVATE): the runtime
 * only ever reads the index, and a map costs nothing for pages a search
 * never touches.  An empty file cannot be mapped and is reported as "empty
 * file", which is more useful than the open-time "truncated" the runtime
 * would give.
 *
 * Output files (generated C sources) are written to "PATH.tmp.PID" in the
 * same directory, flushed, closed, then renamed over PATH, so a build that
 * is interrupted never leaves a half-written file behind a good name.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

void cli_error(const char *fmt, ...)
{
    va_list ap;
    fflush(stdout);
    fputs("stele: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int cli_usage_error(const char *cmd)
{
    if (cmd)
        fprintf(stderr, "Try 'stele %s --help'.\n", cmd);
    else
        fputs("Try 'stele --help'.\n", stderr);
    return CLI_EXIT_ERROR;
}

void cli_reset_getopt(void)
{
    /* glibc reinitialises its scanner (including the position inside a
     * group of short options) only when optind is 0. */
#ifdef __GLIBC__
    optind = 0;
#else
    optind = 1;
#endif
}

int cli_map_file(const char *path, cli_map *m)
{
    struct stat st;
    int fd;
    void *p;

    m->data = NULL;
    m->size = 0;
    fd = open(path, O_RDONLY);
    if (fd < 0) {
        cli_error("%s: %s", path, strerror(errno));
        return -1;
    }
    if (fstat(fd, &st) != 0) {
        cli_error("%s: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    if (S_ISDIR(st.st_mode)) {
        cli_error("%s: is a directory, not an index file", path);
        close(fd);
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        cli_error("%s: not a regular file", path);
        close(fd);
        return -1;
    }
    if (st.st_size == 0) {
        cli_error("%s: empty file, not an index", path);
        close(fd);
        return -1;
    }
    if ((unsigned long long)st.st_size > (size_t)-1) {
        cli_error("%s: too large to map", path);
        close(fd);
        return -1;
    }
    p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (p == MAP_FAILED) {
        cli_error("%s: cannot map: %s", path, strerror(errno));
        return -1;
    }
    m->data = p;
    m->size = (size_t)st.st_size;
    return 0;
}

void cli_unmap(cli_map *m)
{
    if (m->data && m->size) munmap((void *)m->data, m->size);
    m->data = NULL;
    m->size = 0;
}

const char *cli_index_name(const char *path)
{
    return path ? path : "bundled index";
}

int cli_open_index(const char *path, cli_map *m, stele_index *ix)
{
    const void *data;
    size_t size;
    int rc;

    m->data = NULL;
    m->size = 0;
    if (path) {
        if (cli_map_file(path, m) != 0) return -1;
        data = m->data;
        size = m->size;
    } else {
        if (stele_bundled_index_size == 0) {
            cli_error("this stele was built without a bundled index; use -i INDEX");
            return -1;
        }
        data = stele_bundled_index;
        size = stele_bundled_index_size;
    }
    rc = stele_open(ix, data, size);
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
