/*
 * spill.c: the scratch file a build spills sorted runs to when they would
 * not fit its memory budget (see st_invert() and stele_build_opts.memory).
 *
 * One file serves the whole build; runs are byte ranges of it, reserved
 * with an atomic counter and written with pwrite(), so the analysing
 * threads spill at once without a lock.  The file is made only when the
 * first run is spilled, in the output's directory: the scratch data is of
 * the order of the index itself, and the output's file system is the one
 * known to have room for that (/tmp is often a small tmpfs).
 *
 * The file has no name while it is used: it is opened with O_TMPFILE, or,
 * where the file system lacks it, created with mkstemp() and unlinked at
 * once.  Its blocks are freed when the descriptor is closed, so no exit
 * path, not even SIGKILL, can leave it behind.  (With the mkstemp()
 * fallback a signal between the two calls could; the window is two
 * system calls wide.)
 */
#define _GNU_SOURCE /* O_TMPFILE */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "writer.h"

void st_spill_init(st_spill *s, const char *dir)
{
    memset(s, 0, sizeof *s);
    atomic_init(&s->fd, -1);
    atomic_init(&s->err_no, 0);
    s->dir = dir;
    atomic_init(&s->end, 0);
    pthread_mutex_init(&s->lock, NULL);
}

/* Opens the nameless file in s->dir; the caller holds s->lock. */
static int spill_open(st_spill *s)
{
    const char *dir = s->dir && s->dir[0] ? s->dir : ".";
    int fd = -1;
#ifdef O_TMPFILE
    fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
#endif
    if (fd < 0) {
        size_t n = strlen(dir);
        char *path = malloc(n + 32);
        if (!path) return STELE_ENOMEM;
        memcpy(path, dir, n);
        memcpy(path + n, "/.stele-spill.XXXXXX", 21);
        fd = mkstemp(path);
        if (fd >= 0) unlink(path);
        free(path);
    }
    if (fd < 0) {
        atomic_store(&s->err_no, errno);
        return STELE_EIO;
    }
    atomic_store(&s->fd, fd);
    return STELE_OK;
}

int st_spill_write(st_spill *s, const void *data, size_t n, uint64_t *off)
{
    int fd = atomic_load(&s->fd);
    if (fd < 0) {
        pthread_mutex_lock(&s->lock);
        if (atomic_load(&s->fd) < 0 && !s->open_failed && spill_open(s)) s->open_failed = 1;
        pthread_mutex_unlock(&s->lock);
        if ((fd = atomic_load(&s->fd)) < 0) return STELE_EIO;
    }
    uint64_t at = atomic_fetch_add(&s->end, n);
    *off = at;
    const uint8_t *p = data;
    while (n > 0) {
        ssize_t w = pwrite(fd, p, n, (off_t)at);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            atomic_store(&s->err_no, w < 0 ? errno : ENOSPC);
            return STELE_EIO;
        }
        p += w;
        n -= (size_t)w;
        at += (uint64_t)w;
    }
    return STELE_OK;
}

int st_spill_read(st_spill *s, void *data, size_t n, uint64_t off)
{
    uint8_t *p = data;
    while (n > 0) {
        ssize_t r = pread(atomic_load(&s->fd), p, n, (off_t)off);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) {
            atomic_store(&s->err_no, r < 0 ? errno : EIO);
            return STELE_EIO;
        }
        p += r;
        n -= (size_t)r;
        off += (uint64_t)r;
    }
    return STELE_OK;
}

void st_spill_close(st_spill *s)
{
    int fd = atomic_load(&s->fd);
    if (fd >= 0) close(fd);
    atomic_store(&s->fd, -1);
    pthread_mutex_destroy(&s->lock);
}
