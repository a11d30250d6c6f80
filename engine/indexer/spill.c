/*
 * spill.c: the scratch files a build spills to when its data would not
 * fit its memory budget (see stele_build_opts.memory): sorted runs of
 * occurrences (st_invert()), and the stored text of the corpus's documents
 * (st_corpus_done(), st_doc_read_text(); the rules are in doc.h).
 *
 * One st_spill serves each of the two (the documents are spilled while
 * the inputs are read, the runs later, while they are inverted); records
 * are byte ranges of its file, reserved with an atomic counter and
 * written with pwrite(), so the analysing threads spill at once without a
 * lock.  A file is made only when its first record is spilled, in the
 * output's directory: the scratch data is of
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

/*
 * A spilled document is one record of the scratch file at st_doc.text_at:
 * its n_paras paragraph structs as they were in memory (their text
 * pointers meaningless), then its stored text, st_doc.text_len bytes.  The
 * file lives only as long as the build, in one process, so the structs
 * need no encoding.
 */
static int spill_doc(st_corpus *c, st_doc *d, st_buf *rec)
{
    rec->len = 0;
    st_buf_put(rec, d->paras, d->n_paras * sizeof *d->paras);
    size_t head = rec->len;
    int rc = st_doc_read_text(c, d, rec);
    if (rc == STELE_OK && rec->failed) rc = STELE_ENOMEM;
    if (rc == STELE_OK) rc = st_spill_write(c->text_spill, rec->data, rec->len, &d->text_at);
    if (rc) return rc;
    for (size_t i = 0; i < d->n_paras; i++)
        free(d->paras[i].text);
    free(d->paras);
    d->paras = NULL;
    d->cap_paras = 0;
    d->text_len = rec->len - head;
    d->spilled = 1;
    c->n_spilled++;
    return STELE_OK;
}

int st_corpus_done(st_corpus *c, size_t from, st_err *err)
{
    for (size_t i = from; i < c->n_docs; i++) {
        st_doc *d = &c->docs[i];
        if (d->complete) continue;
        d->complete = 1;
        c->text_held += st_doc_text_len(d);
    }
    if (!c->text_spill || c->text_held <= c->text_budget) return STELE_OK;
    st_buf text = {0};
    int rc = STELE_OK;
    for (; c->spill_next < c->n_docs && rc == STELE_OK; c->spill_next++) {
        st_doc *d = &c->docs[c->spill_next];
        if (!d->complete || d->spilled) continue;
        if ((rc = spill_doc(c, d, &text)) != STELE_OK) break;
        c->text_held -= d->text_len;
    }
    st_buf_free(&text);
    if (rc == STELE_EIO) {
        const char *dir = c->text_spill->dir && c->text_spill->dir[0] ? c->text_spill->dir : ".";
        int e = atomic_load(&c->text_spill->err_no);
        st_err_set(err, "%s: cannot write a scratch file there: %s", dir, strerror(e ? e : EIO));
    } else if (rc) {
        st_err_set(err, "out of memory");
    }
    return rc;
}

int st_doc_read_text(const st_corpus *c, const st_doc *d, st_buf *out)
{
    if (!d->spilled) {
        for (size_t i = 0; i < d->n_paras; i++) {
            if (i > 0) st_buf_u8(out, '\n');
            st_buf_put(out, d->paras[i].text, d->paras[i].len);
        }
        return out->failed ? STELE_ENOMEM : STELE_OK;
    }
    if (st_buf_reserve(out, d->text_len)) return STELE_ENOMEM;
    int rc = st_spill_read(c->text_spill, out->data + out->len, d->text_len,
                           d->text_at + d->n_paras * sizeof(st_para));
    if (rc == STELE_OK) out->len += d->text_len;
    return rc;
}

int st_doc_paras(const st_corpus *c, const st_doc *d, st_buf *buf, const st_para **paras)
{
    if (!d->spilled) {
        *paras = d->paras;
        return STELE_OK;
    }
    size_t head = d->n_paras * sizeof(st_para);
    buf->len = 0;
    if (st_buf_reserve(buf, head + d->text_len)) return STELE_ENOMEM;
    int rc = st_spill_read(c->text_spill, buf->data, head + d->text_len, d->text_at);
    if (rc) return rc;
    buf->len = head + d->text_len;
    /* The buffer is malloc'ed, so aligned for the structs. */
    st_para *p = (st_para *)(void *)buf->data;
    char *text = (char *)buf->data + head;
    for (size_t i = 0, at = 0; i < d->n_paras; at += p[i].len + 1, i++)
        p[i].text = text + at;
    *paras = p;
    return STELE_OK;
}

void st_spill_close(st_spill *s)
{
    int fd = atomic_load(&s->fd);
    if (fd >= 0) close(fd);
    atomic_store(&s->fd, -1);
    pthread_mutex_destroy(&s->lock);
}
