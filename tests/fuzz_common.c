/*
 * fuzz_common.c: see fuzz_common.h.
 */
#include "fuzz_common.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char scratch[256];

void fz_require(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "broken promise: %s\n", what);
        abort();
    }
}

/* Empties and removes the scratch directory (atexit). */
static void remove_scratch(void)
{
    DIR *d = opendir(scratch);
    if (d) {
        struct dirent *e;
        char path[512];
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
            snprintf(path, sizeof path, "%s/%s", scratch, e->d_name);
            unlink(path);
        }
        closedir(d);
    }
    rmdir(scratch);
}

void fz_scratch_init(const char *tag)
{
    if (scratch[0]) return;
    const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR");
    snprintf(scratch, sizeof scratch, "%s/stele-fuzz-%s-XXXXXX", base ? base : "/tmp", tag);
    fz_require(mkdtemp(scratch) != NULL, "scratch directory");
    atexit(remove_scratch);
}

void fz_scratch_path(char *out, size_t cap, const char *name)
{
    int n = snprintf(out, cap, "%s/%s", scratch, name);
    fz_require(scratch[0] && n > 0 && (size_t)n < cap, "scratch path");
}

void fz_write_file(const char *path, const uint8_t *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    fz_require(f != NULL, "write an input file");
    fz_require(fwrite(data, 1, size, f) == size && fclose(f) == 0, "write an input file");
}

int fz_count_files(void)
{
    DIR *d = opendir(scratch);
    fz_require(d != NULL, "scratch directory readable");
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}
