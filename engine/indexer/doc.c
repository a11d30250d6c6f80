/*
 * doc.c: building the in-memory corpus that the ingesters fill and the
 * index writer reads (the model is described in doc.h).
 *
 * Everything here allocates and checks every allocation: a failed malloc
 * returns STELE_ENOMEM (or NULL) and leaves the corpus consistent, so that
 * st_corpus_free() can always release it.  Nothing prints.
 *
 * Text hygiene happens in two places, so that no ingester can forget it:
 *   - st_read_text_file() makes a file's bytes valid UTF-8 before any
 *     parsing: each byte that does not start a well-formed sequence, as
 *     st_utf8_decode() of the tokenizer judges it (overlong forms,
 *     surrogates and code points above U+10FFFF are ill-formed), is replaced by U+FFFD and counted
 * in st_corpus.n_invalid_utf8; a NUL byte is replaced and counted too, since stored texts are C
 * strings.
 *   - st_doc_add_para() collapses every run of white space or other ASCII
 *     control characters to one space and trims both ends, so a paragraph
 *     never contains '\n' (the document's stored text uses '\n' to separate
 *     paragraphs) and wrapped lines join with one space.
 */
#include "doc.h"

#include "analyze.h"

#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *dup_string(const char *s)
{
    size_t n = strlen(s);
    char *p = malloc(n + 1);
    if (p) memcpy(p, s, n + 1);
    return p;
}

int st_corpus_init(st_corpus *c)
{
    static const char *const base_fields[] = {"title", "body", "footnote"};
    memset(c, 0, sizeof *c);
    for (size_t i = 0; i < 3; i++) {
        if (st_corpus_field(c, base_fields[i]) < 0) {
            st_corpus_free(c);
            return STELE_ENOMEM;
        }
    }
    return STELE_OK;
}

void st_doc_free(st_doc *d)
{
    for (size_t i = 0; d->paras && i < d->n_paras; i++)
        free(d->paras[i].text);
    free(d->paras);
    free(d->id);
    free(d->title);
    free(d->source);
    free(d->note);
    memset(d, 0, sizeof *d);
}

void st_corpus_free(st_corpus *c)
{
    for (size_t i = 0; i < c->n_docs; i++)
        st_doc_free(&c->docs[i]);
    free(c->docs);
    for (size_t i = 0; i < c->n_fields; i++)
        free(c->field_names[i]);
    memset(c, 0, sizeof *c);
}

void st_corpus_pop_doc(st_corpus *c)
{
    if (c->n_docs == 0) return;
    st_doc *d = &c->docs[--c->n_docs];
    if (d->complete && !d->spilled) c->text_held -= st_doc_text_len(d);
    if (c->spill_next > c->n_docs) c->spill_next = c->n_docs;
    st_doc_free(d);
}

size_t st_doc_text_len(const st_doc *d)
{
    if (d->spilled) return d->text_len;
    size_t len = 0;
    for (size_t i = 0; i < d->n_paras; i++)
        len += d->paras[i].len + (i > 0);
    return len;
}

int st_corpus_field(st_corpus *c, const char *name)
{
    for (size_t i = 0; i < c->n_fields; i++)
        if (strcmp(c->field_names[i], name) == 0) return (int)i;
    if (c->n_fields >= STELE_MAX_FIELDS || strlen(name) > STELE_MAX_FIELD_NAME) return -1;
    char *copy = dup_string(name);
    if (!copy) return -1;
    c->field_names[c->n_fields] = copy;
    return (int)c->n_fields++;
}

st_doc *st_corpus_add_doc(st_corpus *c, const char *id, const char *title, const char *source)
{
    if (c->n_docs == c->cap_docs) {
        size_t cap = c->cap_docs ? c->cap_docs * 2 : 16;
        if (cap > SIZE_MAX / sizeof(st_doc)) return NULL;
        st_doc *docs = realloc(c->docs, cap * sizeof(st_doc));
        if (!docs) return NULL;
        c->docs = docs;
        c->cap_docs = cap;
    }
    st_doc *d = &c->docs[c->n_docs];
    memset(d, 0, sizeof *d);
    d->id = dup_string(id);
    d->title = dup_string(title);
    d->source = dup_string(source ? source : "");
    if (!d->id || !d->title || !d->source) {
        st_doc_free(d);
        return NULL;
    }
    /* Room for a few paragraphs; the title paragraph is there even when
     * empty, since paragraph 0 is always the title. */
    d->paras = calloc(4, sizeof(st_para));
    if (!d->paras) {
        st_doc_free(d);
        return NULL;
    }
    d->cap_paras = 4;
    if (st_doc_add_para(d, ST_FIELD_TITLE, STELE_PARA_TITLE, 0, title, strlen(title), 0) !=
        STELE_OK) {
        st_doc_free(d);
        return NULL;
    }
    if (d->n_paras == 0) { /* the title was empty or only white space */
        char *empty = dup_string("");
        if (!empty) {
            st_doc_free(d);
            return NULL;
        }
        d->paras[0] = (st_para){.field = ST_FIELD_TITLE, .kind = STELE_PARA_TITLE, .text = empty};
        d->n_paras = 1;
    }
    /* The display title is the normalized text of paragraph 0. */
    char *norm_title = dup_string(d->paras[0].text);
    if (!norm_title) {
        st_doc_free(d);
        return NULL;
    }
    free(d->title);
    d->title = norm_title;
    c->n_docs++;
    return d;
}

/* ASCII white space and control characters separate words; everything else
 * (including all non-ASCII bytes of valid UTF-8) is text. */
static int is_space_byte(unsigned char ch)
{
    return ch <= 0x20 || ch == 0x7f;
}

int st_doc_add_para(st_doc *d, unsigned field, unsigned kind, uint32_t number, const char *text,
                    size_t len, uint32_t src_line)
{
    if (field >= STELE_MAX_FIELDS || kind > STELE_PARA_FIELD || d->spilled) return STELE_EINVAL;
    char *out = malloc(len + 1);
    if (!out) return STELE_ENOMEM;
    size_t n = 0;
    int pending_space = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)text[i];
        if (is_space_byte(ch)) {
            pending_space = n > 0;
            continue;
        }
        if (pending_space) out[n++] = ' ';
        pending_space = 0;
        out[n++] = (char)ch;
    }
    out[n] = '\0';
    if (n == 0) {
        free(out);
        return STELE_OK;
    }
    if (d->n_paras == d->cap_paras) {
        size_t cap = d->cap_paras ? d->cap_paras * 2 : 8;
        if (cap > SIZE_MAX / sizeof(st_para)) {
            free(out);
            return STELE_ENOMEM;
        }
        st_para *paras = realloc(d->paras, cap * sizeof(st_para));
        if (!paras) {
            free(out);
            return STELE_ENOMEM;
        }
        d->paras = paras;
        d->cap_paras = cap;
    }
    d->paras[d->n_paras++] = (st_para){.field = (uint8_t)field,
                                       .kind = (uint8_t)kind,
                                       .number = number,
                                       .text = out,
                                       .len = n,
                                       .src_line = src_line};
    return STELE_OK;
}

int st_doc_set_note(st_doc *d, const char *note)
{
    char *copy = dup_string(note);
    if (!copy) return STELE_ENOMEM;
    free(d->note);
    d->note = copy;
    return STELE_OK;
}

void st_err_set(st_err *err, const char *fmt, ...)
{
    if (!err) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
}

const char *st_path_label(const char *path)
{
    return strcmp(path, "-") == 0 ? "standard input" : path;
}

void st_emit(const st_corpus *c, const stele_build_event *ev)
{
    if (c->on_event) c->on_event(c->event_ctx, ev);
}

void st_warn(const st_corpus *c, const char *input, const char *fmt, ...)
{
    if (!c->on_event) return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    stele_build_event ev = {.kind = STELE_EV_WARNING, .input = input, .message = msg};
    st_emit(c, &ev);
}

void st_emit_read(const st_corpus *c, const char *input, uint64_t extra)
{
    stele_build_event ev = {.kind = STELE_EV_READ,
                            .input = input,
                            .done = c->bytes_done + extra,
                            .total = c->bytes_total,
                            .n_docs = c->n_docs};
    st_emit(c, &ev);
}

/* Reads all of f into *raw (malloc'ed) and *n; STELE_ENOMEM or STELE_EIO
 * with err->msg. */
static int slurp(FILE *f, const char *label, unsigned char **raw_out, size_t *n_out, st_err *err)
{
    size_t cap = 1 << 16, n = 0;
    unsigned char *raw = malloc(cap);
    *raw_out = NULL;
    *n_out = 0;
    if (!raw) {
        st_err_set(err, "%s: out of memory", label);
        return STELE_ENOMEM;
    }
    for (;;) {
        if (n == cap) {
            if (cap > SIZE_MAX / 2) {
                free(raw);
                st_err_set(err, "%s: file too large", label);
                return STELE_ENOMEM;
            }
            unsigned char *bigger = realloc(raw, cap * 2);
            if (!bigger) {
                free(raw);
                st_err_set(err, "%s: out of memory", label);
                return STELE_ENOMEM;
            }
            raw = bigger;
            cap *= 2;
        }
        size_t got = fread(raw + n, 1, cap - n, f);
        n += got;
        if (got == 0) break;
    }
    if (ferror(f)) {
        int saved = errno;
        free(raw);
        st_err_set(err, "%s: read error: %s", label, strerror(saved ? saved : EIO));
        return STELE_EIO;
    }
    *raw_out = raw;
    *n_out = n;
    return STELE_OK;
}

/* Copies raw[0, n) to out (room for 3 n + 1 bytes, NUL-terminated) with
 * each byte that starts no well-formed UTF-8 sequence, and each NUL,
 * replaced by U+FFFD; *line (the source line of raw[0]) counts the '\n'
 * passed, and *n_bad and *first_bad_line the replacements.  With
 * c->strict_utf8 the first one is STELE_EINPUT ("file:line: ..."). */
static int make_valid(const st_corpus *c, const char *label, const unsigned char *raw, size_t n,
                      char *out, size_t *out_len, uint32_t *line, size_t *n_bad,
                      uint32_t *first_bad_line, st_err *err)
{
    size_t i = 0, m = 0;
    while (i < n) {
        uint32_t cp;
        size_t k = raw[i] == 0 ? 0 : st_utf8_decode((const char *)raw + i, n - i, &cp);
        if (k == 0) {
            if (c->strict_utf8) {
                st_err_set(err, "%s:%u: %s", label, (unsigned)*line,
                           raw[i] ? "invalid UTF-8" : "NUL byte");
                return STELE_EINPUT;
            }
            if (!(*n_bad)++) *first_bad_line = *line;
            memcpy(out + m, "\xef\xbf\xbd", 3);
            m += 3;
            i++;
            continue;
        }
        *line += raw[i] == '\n';
        memcpy(out + m, raw + i, k);
        m += k;
        i += k;
    }
    out[m] = '\0';
    *out_len = m;
    return STELE_OK;
}

/* Counts n_bad replaced bytes of path and warns about them. */
static void report_invalid(st_corpus *c, const char *path, size_t n_bad, uint32_t first_bad_line)
{
    c->n_invalid_utf8 += n_bad;
    if (n_bad)
        st_warn(c, path, "%s:%u: %zu invalid UTF-8 byte%s or NUL byte%s replaced by U+FFFD",
                st_path_label(path), (unsigned)first_bad_line, n_bad, n_bad == 1 ? "" : "s",
                n_bad == 1 ? "" : "s");
}

static int has_bom(const unsigned char *raw, size_t n)
{
    return n >= 3 && raw[0] == 0xef && raw[1] == 0xbb && raw[2] == 0xbf;
}

int st_read_text_file(st_corpus *c, const char *path, char **out, size_t *len, st_err *err)
{
    *out = NULL;
    *len = 0;
    const char *label = st_path_label(path);
    int from_stdin = strcmp(path, "-") == 0;
    FILE *f = from_stdin ? stdin : fopen(path, "rb");
    if (!f) {
        st_err_set(err, "%s: cannot open: %s", label, strerror(errno));
        return STELE_EIO;
    }
    unsigned char *raw;
    size_t n;
    errno = 0;
    int rc = slurp(f, label, &raw, &n, err);
    if (!from_stdin) fclose(f);
    if (rc != STELE_OK) return rc;
    /* Each replaced byte grows by at most 2 (1 byte -> 3 bytes of U+FFFD). */
    if (n > (SIZE_MAX - 1) / 3) {
        free(raw);
        st_err_set(err, "%s: file too large", label);
        return STELE_ENOMEM;
    }
    char *text = malloc(n * 3 + 1);
    if (!text) {
        free(raw);
        st_err_set(err, "%s: out of memory", label);
        return STELE_ENOMEM;
    }
    size_t skip = has_bom(raw, n) ? 3 : 0, n_bad = 0, m;
    uint32_t line = 1, first_bad_line = 0;
    rc = make_valid(c, label, raw + skip, n - skip, text, &m, &line, &n_bad, &first_bad_line, err);
    free(raw);
    if (rc != STELE_OK) {
        free(text);
        return rc;
    }
    c->bytes_done += n;
    report_invalid(c, path, n_bad, first_bad_line);
    *out = text;
    *len = m;
    return STELE_OK;
}

int st_lines_open(const char *path, st_lines *r, st_err *err)
{
    memset(r, 0, sizeof *r);
    r->path = path;
    r->from_stdin = strcmp(path, "-") == 0;
    r->f = r->from_stdin ? stdin : fopen(path, "rb");
    if (!r->f) {
        st_err_set(err, "%s: cannot open: %s", st_path_label(path), strerror(errno));
        return STELE_EIO;
    }
    return STELE_OK;
}

int st_lines_next(st_corpus *c, st_lines *r, const char **line, size_t *len, st_err *err)
{
    const char *label = st_path_label(r->path);
    errno = 0;
    ssize_t got = getline(&r->raw, &r->raw_cap, r->f);
    if (got < 0) {
        if (!ferror(r->f)) return 0;
        int saved = errno;
        st_err_set(err, "%s: read error: %s", label, strerror(saved ? saved : EIO));
        return saved == ENOMEM ? STELE_ENOMEM : STELE_EIO;
    }
    size_t n = (size_t)got;
    const unsigned char *raw = (const unsigned char *)r->raw;
    r->n_raw += n;
    r->line_no++;
    if (r->line_no == 1 && has_bom(raw, n)) {
        raw += 3;
        n -= 3;
    }
    if (n > 0 && raw[n - 1] == '\n') n--; /* the '\n' is not part of the line */
    if (n > (SIZE_MAX - 1) / 3) {
        st_err_set(err, "%s:%u: line too long", label, (unsigned)r->line_no);
        return STELE_ENOMEM;
    }
    if (n * 3 + 1 > r->line_cap) {
        char *bigger = realloc(r->line, n * 3 + 1);
        if (!bigger) {
            st_err_set(err, "%s:%u: out of memory", label, (unsigned)r->line_no);
            return STELE_ENOMEM;
        }
        r->line = bigger;
        r->line_cap = n * 3 + 1;
    }
    uint32_t at = r->line_no;
    int rc = make_valid(c, label, raw, n, r->line, len, &at, &r->n_bad, &r->first_bad_line, err);
    if (rc != STELE_OK) return rc;
    *line = r->line;
    return 1;
}

void st_lines_close(st_corpus *c, st_lines *r)
{
    if (r->f && !r->from_stdin) fclose(r->f);
    free(r->raw);
    free(r->line);
    c->bytes_done += r->n_raw;
    report_invalid(c, r->path, r->n_bad, r->first_bad_line);
    memset(r, 0, sizeof *r);
}

const char *st_path_base(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

char *st_path_stem(const char *path)
{
    const char *base = st_path_base(path);
    const char *dot = strrchr(base, '.');
    size_t n = dot && dot != base ? (size_t)(dot - base) : strlen(base);
    if (strcmp(path, "-") == 0) { /* standard input has no file name */
        base = "stdin";
        n = 5;
    }
    char *stem = malloc(n + 1);
    if (!stem) return NULL;
    memcpy(stem, base, n);
    stem[n] = '\0';
    return stem;
}

/* True when document d was started by a heading line (a resolution, a
 * draft decision, a report chapter): ingest_resolutions.c keeps that line as
 * paragraph 1, field title, kind STELE_PARA_HEADING. */
static int starts_with_heading(const st_doc *d)
{
    return !d->spilled && d->n_paras > 1 && d->paras[1].field == ST_FIELD_TITLE &&
           d->paras[1].kind == STELE_PARA_HEADING;
}

/* True when the title of d, the first line of a text or resolutions file,
 * is a whole JSON object: the file is JSON Lines read in the wrong format,
 * and indexing it would make a document of raw JSON. */
static int title_is_json(const st_doc *d)
{
    size_t n = strlen(d->title);
    if (n < 2 || d->title[0] != '{' || d->title[n - 1] != '}') return 0;
    json_error_t jerr;
    json_t *v = json_loadb(d->title, n, 0, &jerr);
    int is_object = v && json_is_object(v);
    json_decref(v);
    return is_object;
}

int st_ingest_named(st_corpus *c, const char *path, const char *name, int format, st_err *err)
{
    size_t before = c->n_docs;
    int rc;
    switch (format) {
    case ST_FORMAT_RESOLUTIONS:
        rc = st_ingest_resolutions(c, path, err);
        break;
    case ST_FORMAT_TEXT:
        rc = st_ingest_text(c, path, name, err);
        break;
    case ST_FORMAT_JSONL:
        rc = st_ingest_jsonl(c, path, err);
        break;
    default:
        st_err_set(err, "%s: unknown input format %d", st_path_label(path), format);
        return STELE_EINVAL;
    }
    if (rc != STELE_OK) return rc;
    if (format != ST_FORMAT_JSONL && c->n_docs > before && title_is_json(&c->docs[before])) {
        unsigned line = c->docs[before].paras[0].src_line;
        st_err_set(err,
                   "%s:%u: this line is a JSON object; read the file as JSON Lines (format jsonl)",
                   st_path_label(path), line ? line : 1);
        while (c->n_docs > before)
            st_corpus_pop_doc(c);
        return STELE_EINPUT;
    }
    /* A text file is one whole document; JSON Lines declares each record
     * complete as it is read. */
    if (format == ST_FORMAT_TEXT && (rc = st_corpus_done(c, before, err)) != STELE_OK) return rc;
    int any_heading = 0;
    for (size_t i = before; i < c->n_docs; i++) {
        c->docs[i].format = format;
        any_heading |= starts_with_heading(&c->docs[i]);
    }
    if (format == ST_FORMAT_RESOLUTIONS && !any_heading)
        st_warn(c, path,
                "%s: no resolution or decision heading found; indexed as %zu plain "
                "document%s (is this the resolutions format?)",
                st_path_label(path), c->n_docs - before, c->n_docs - before == 1 ? "" : "s");
    stele_build_event ev = {
        .kind = STELE_EV_INPUT_DONE, .input = path, .n_docs = c->n_docs - before};
    st_emit(c, &ev);
    st_emit_read(c, path, 0);
    return STELE_OK;
}

int st_ingest(st_corpus *c, const char *path, int format, st_err *err)
{
    return st_ingest_named(c, path, NULL, format, err);
}

/* (doc.h) */
void st_for_message(const char *s, char *out, size_t cap)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p && n + 8 < cap; p++) {
        if (p - (const unsigned char *)s >= 80) {
            memcpy(out + n, "...", 3);
            n += 3;
            break;
        }
        if (*p < 0x20 || *p == 0x7f)
            n += (size_t)snprintf(out + n, cap - n, "\\x%02x", *p);
        else
            out[n++] = (char)*p;
    }
    out[n] = '\0';
}
