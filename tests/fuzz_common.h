/*
 * fuzz_common.h: what the file-based fuzz targets share (fuzz_ingest.c,
 * fuzz_merge.c).  Interface to code in fuzz_common.c.
 *
 * Those targets hand the library files, so each run writes its input to a
 * scratch directory of its own, made once per process (on tmpfs when
 * /dev/shm is there, so the build's fsync costs nothing) and emptied and
 * removed at exit.  Counting the directory's files is how a target checks
 * that the library leaves nothing behind.
 */
#ifndef STELE_FUZZ_COMMON_H
#define STELE_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

/* Aborts, naming the broken promise, unless ok: that is how a target
 * reports to libFuzzer (or to the replay program). */
void fz_require(int ok, const char *what);

/* Makes the scratch directory stele-fuzz-TAG-XXXXXX on the first call;
 * later calls do nothing. */
void fz_scratch_init(const char *tag);

/* The path of file name in the scratch directory, in out[0, cap). */
void fz_scratch_path(char *out, size_t cap, const char *name);

/* Writes data[0, size) to path, replacing it. */
void fz_write_file(const char *path, const uint8_t *data, size_t size);

/* Files in the scratch directory. */
int fz_count_files(void);

#endif /* STELE_FUZZ_COMMON_H */
