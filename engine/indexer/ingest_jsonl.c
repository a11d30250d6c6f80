/*
 * ingest_jsonl.c: JSON Lines input (format "jsonl"), parsed with jansson.
 *
 * Each non-blank line is one JSON object and becomes one document:
 *   - "id" (a string, or an integer taken as its decimal text) is the
 *     document id; without an "id" member the id is the line number in
 *     decimal ("7"), so every record stays addressable;
 *   - "title" is the title (paragraph 0); missing or null -> empty title;
 *   - "body" is split into paragraphs at blank lines, each field body, kind
 *     STELE_PARA_TEXT, single newlines joined with a space;
 *   - every further member becomes paragraphs of the field of that name
 *     (st_corpus_field(), kind STELE_PARA_FIELD), also split at blank
 *     lines, in the order the members appear; an array gives one paragraph
 *     per element.
 * Values are text: a string as it is, a number as its JSON text ("1961",
 * "0.5", the shortest form that reads back as the same double), true and
 * false as those words; null means "no value" and gives no paragraph.  No
 * value is dropped silently: an object, or an array inside an array, has no
 * text of its own and is an error naming the member.  A NUL character
 * ("\u0000") inside an id or a member name is an error, since ids and names
 * are C strings and a cut one could collide with another; inside text it is
 * white space like any control character.
 * A member name longer than STELE_MAX_FIELD_NAME, or a new field once
 * STELE_MAX_FIELDS are in use, is an input error (it cannot be stored).
 *
 * Errors stop the run at the first malformed line, like a compiler:
 * invalid JSON (including a member name given twice), a value that is not
 * an object, an "id" that is not a string or an integer, an empty "id", a
 * value with no text (above), or a field that cannot be stored.  The ingester returns
 * STELE_EINPUT with "file:line: message" in err->msg and nothing from that
 * line is in the corpus (the documents of earlier lines are; the caller
 * decides, and the CLI writes no index).  Invalid UTF-8 never reaches
 * jansson: st_lines_next() has replaced it with U+FFFD and counted it.
 * The file is read a line at a time, so only one line is held at once.
 */
#include "doc.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Adds text as paragraphs separated by blank lines. */
static int add_split(st_doc *d, unsigned field, unsigned kind, const char *s, size_t len,
                     uint32_t line)
{
    size_t start = 0;
    while (start < len) {
        /* A paragraph ends at "\n" followed by optional spaces and "\n". */
        size_t end = start, next = len;
        for (; end < len; end++) {
            if (s[end] != '\n') continue;
            size_t k = end + 1;
            while (k < len && (s[k] == ' ' || s[k] == '\t' || s[k] == '\r'))
                k++;
            if (k < len && s[k] == '\n') {
                next = k + 1;
                break;
            }
        }
        int rc = st_doc_add_para(d, field, kind, 0, s + start, end - start, line);
        if (rc != STELE_OK) return rc;
        start = end >= len ? len : next;
    }
    return STELE_OK;
}

/* The text of a scalar JSON value into buf (strings are not copied: *text
 * points into the value).  Returns 1 for text, 0 for null, -1 for a value
 * with no text (object, array). */
static int scalar_text(json_t *v, char *buf, size_t cap, const char **text, size_t *len)
{
    switch (json_typeof(v)) {
    case JSON_STRING:
        *text = json_string_value(v);
        *len = json_string_length(v);
        return 1;
    case JSON_INTEGER:
        snprintf(buf, cap, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        break;
    case JSON_REAL: {
        /* The shortest of %.15g .. %.17g that reads back as the same value. */
        double x = json_real_value(v);
        for (int prec = 15; prec <= 17; prec++) {
            snprintf(buf, cap, "%.*g", prec, x);
            if (strtod(buf, NULL) == x) break;
        }
        break;
    }
    case JSON_TRUE:
        snprintf(buf, cap, "true");
        break;
    case JSON_FALSE:
        snprintf(buf, cap, "false");
        break;
    case JSON_NULL:
        return 0;
    default:
        return -1;
    }
    *text = buf;
    *len = strlen(buf);
    return 1;
}

/* Checks that member key (key_len bytes) of value v can be indexed as text:
 * a scalar, or an array of scalars.  Fills why on failure. */
static int check_value(const char *key, size_t key_len, json_t *v, char *why, size_t why_cap)
{
    if (strlen(key) != key_len) {
        snprintf(why, why_cap, "member name \"%s\\u0000...\" holds a NUL character", key);
        return STELE_EINPUT;
    }
    char buf[64];
    const char *text;
    size_t len;
    if (json_is_array(v)) {
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e)
        {
            if (scalar_text(e, buf, sizeof buf, &text, &len) < 0) {
                snprintf(why, why_cap, "\"%.64s\"[%zu] is %s, which has no text to index", key, i,
                         json_is_array(e) ? "an array" : "an object");
                return STELE_EINPUT;
            }
        }
        return STELE_OK;
    }
    if (scalar_text(v, buf, sizeof buf, &text, &len) < 0) {
        snprintf(why, why_cap, "\"%.64s\" is an object, which has no text to index", key);
        return STELE_EINPUT;
    }
    return STELE_OK;
}

/* Adds the text of v (scalar or array of scalars, checked) as paragraphs. */
static int add_value(st_doc *d, unsigned field, unsigned kind, json_t *v, uint32_t line)
{
    char buf[64];
    const char *text;
    size_t len;
    if (json_is_array(v)) {
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e)
        {
            if (scalar_text(e, buf, sizeof buf, &text, &len) <= 0) continue;
            int rc = add_split(d, field, kind, text, len, line);
            if (rc != STELE_OK) return rc;
        }
        return STELE_OK;
    }
    if (scalar_text(v, buf, sizeof buf, &text, &len) <= 0) return STELE_OK;
    return add_split(d, field, kind, text, len, line);
}

static int is_base_member(const char *key)
{
    return !strcmp(key, "id") || !strcmp(key, "title") || !strcmp(key, "body");
}

/* Ingests one parsed line; returns STELE_EINPUT with a message (without the
 * file:line prefix) in why, or STELE_ENOMEM. */
static int ingest_object(st_corpus *c, json_t *obj, const char *label, uint32_t line_no, char *why,
                         size_t why_cap)
{
    if (!json_is_object(obj)) {
        snprintf(why, why_cap, "expected a JSON object, got %s",
                 json_is_array(obj)    ? "an array"
                 : json_is_string(obj) ? "a string"
                                       : "a scalar");
        return STELE_EINPUT;
    }
    json_t *id = json_object_get(obj, "id");
    json_t *title = json_object_get(obj, "title");
    json_t *body = json_object_get(obj, "body");
    char id_buf[64];
    const char *id_text = NULL;
    size_t id_len = 0;
    if (id && !json_is_string(id) && !json_is_integer(id)) {
        snprintf(why, why_cap, "\"id\" must be a string or an integer");
        return STELE_EINPUT;
    }
    if (id) {
        scalar_text(id, id_buf, sizeof id_buf, &id_text, &id_len);
        if (id_len == 0) {
            snprintf(why, why_cap, "\"id\" is empty");
            return STELE_EINPUT;
        }
        if (strlen(id_text) != id_len) {
            snprintf(why, why_cap, "\"id\" holds a NUL character (\\u0000) after \"%.64s\"",
                     id_text);
            return STELE_EINPUT;
        }
    }
    if (title && json_is_array(title)) {
        snprintf(why, why_cap, "\"title\" must be a string, a number or a boolean");
        return STELE_EINPUT;
    }
    /* Check every member before adding anything, so that a bad line leaves
     * no trace in the corpus. */
    const char *key;
    size_t key_len;
    json_t *value;
    size_t n_new = 0;
    json_object_keylen_foreach(obj, key, key_len, value)
    {
        int rc = check_value(key, key_len, value, why, why_cap);
        if (rc != STELE_OK) return rc;
        if (is_base_member(key) || json_is_null(value)) continue; /* null adds no field */
        if (strlen(key) > STELE_MAX_FIELD_NAME) {
            char shown[128];
            st_for_message(key, shown, sizeof shown);
            snprintf(why, why_cap, "field name \"%s\" is longer than %d bytes", shown,
                     STELE_MAX_FIELD_NAME);
            return STELE_EINPUT;
        }
        int known = 0;
        for (size_t f = 0; f < c->n_fields; f++)
            if (!strcmp(c->field_names[f], key)) known = 1;
        if (!known && c->n_fields + ++n_new > STELE_MAX_FIELDS) {
            char shown[128];
            st_for_message(key, shown, sizeof shown);
            snprintf(why, why_cap, "field \"%s\" is one more than the %d fields an index holds",
                     shown, STELE_MAX_FIELDS);
            return STELE_EINPUT;
        }
    }

    char line_buf[24];
    snprintf(line_buf, sizeof line_buf, "%u", (unsigned)line_no);
    char source[1024];
    snprintf(source, sizeof source, "%s:%u", label, (unsigned)line_no);
    /* The title is one C string: a NUL inside it becomes a space. */
    char title_buf[64];
    const char *title_text = "";
    size_t title_len = 0;
    if (title) scalar_text(title, title_buf, sizeof title_buf, &title_text, &title_len);
    char *title_copy = malloc(title_len + 1);
    if (!title_copy) return STELE_ENOMEM;
    for (size_t i = 0; i < title_len; i++)
        title_copy[i] = title_text[i] ? title_text[i] : ' ';
    title_copy[title_len] = '\0';
    st_doc *d = st_corpus_add_doc(c, id ? id_text : line_buf, title_copy, source);
    free(title_copy);
    if (!d) return STELE_ENOMEM;
    d->paras[0].src_line = line_no;
    if (body) {
        int rc = add_value(d, ST_FIELD_BODY, STELE_PARA_TEXT, body, line_no);
        if (rc != STELE_OK) return rc;
    }
    json_object_foreach(obj, key, value)
    {
        if (is_base_member(key) || json_is_null(value)) continue;
        int field = st_corpus_field(c, key);
        if (field < 0) return STELE_ENOMEM; /* limits were checked above */
        int rc = add_value(d, (unsigned)field, STELE_PARA_FIELD, value, line_no);
        if (rc != STELE_OK) return rc;
    }
    return STELE_OK;
}

int st_ingest_jsonl(st_corpus *c, const char *path, st_err *err)
{
    const char *label = st_path_label(path);
    st_lines r;
    int rc = st_lines_open(path, &r, err);
    if (rc != STELE_OK) return rc;
    const char *line;
    size_t line_len;
    int got;
    while ((got = st_lines_next(c, &r, &line, &line_len, err)) > 0) {
        uint32_t line_no = r.line_no;
        /* Progress counts this file's bytes as they are read. */
        if ((line_no & 63) == 0) st_emit_read(c, path, r.n_raw);
        size_t k = 0;
        while (k < line_len && (unsigned char)line[k] <= 0x20)
            k++;
        if (k == line_len) continue; /* blank lines separate nothing */

        json_error_t jerr;
        json_t *obj = json_loadb(line, line_len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr);
        if (!obj) {
            st_err_set(err, "%s:%u: invalid JSON at column %d: %s", label, (unsigned)line_no,
                       jerr.column, jerr.text);
            rc = STELE_EINPUT;
            break;
        }
        size_t n_docs_before = c->n_docs;
        char why[256];
        rc = ingest_object(c, obj, label, line_no, why, sizeof why);
        json_decref(obj);
        if (rc == STELE_EINPUT) {
            st_err_set(err, "%s:%u: %s", label, (unsigned)line_no, why);
        } else if (rc != STELE_OK) {
            st_err_set(err, "%s:%u: out of memory", label, (unsigned)line_no);
        }
        if (rc != STELE_OK && c->n_docs > n_docs_before) {
            /* Nothing from a failed line stays in the corpus. */
            st_corpus_pop_doc(c);
        }
        if (rc == STELE_OK) rc = st_corpus_done(c, n_docs_before, err);
        if (rc != STELE_OK) break;
    }
    if (got < 0) rc = got;
    st_lines_close(c, &r);
    return rc;
}
