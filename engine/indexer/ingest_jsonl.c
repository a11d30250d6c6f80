/*
 * ingest_jsonl.c: JSON Lines input (format "jsonl"), parsed with jansson.
 *
 * Each non-blank line is one JSON object and becomes one document:
 *   - "id" (string) is the document id; without an "id" member the id is
 *     the line number in decimal ("7"), so every record stays addressable;
 *   - "title" (string) is the title (paragraph 0); missing -> empty title;
 *   - "body" (string) is split into paragraphs at blank lines, each field
 *     body, kind STELE_PARA_TEXT, single newlines joined with a space;
 *   - every further member whose value is a string becomes a paragraph of
 *     the field of that name (st_corpus_field(), kind STELE_PARA_FIELD),
 *     also split at blank lines, in the order the members appear;
 *   - further members whose value is not a string (numbers, arrays, null) are
 *     ignored, since there is no text to search in them.
 * A member name longer than STELE_MAX_FIELD_NAME, or a new field once
 * STELE_MAX_FIELDS are in use, is an input error (it cannot be stored).
 *
 * Errors stop the run at the first malformed line, like a compiler:
 * invalid JSON (including a member name given twice), a value that is not
 * an object, an "id", "title" or "body" that is present but not a string,
 * an empty "id", or a field that cannot be stored.  The ingester returns
 * STELE_EINPUT with "file:line: message" in err->msg and nothing from that
 * line is in the corpus (the documents of earlier lines are; the caller
 * decides, and the CLI writes no index).  Invalid UTF-8 never reaches
 * jansson: st_read_text_file() has replaced it with U+FFFD and counted it.
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

/* Ingests one parsed line; returns STELE_EINPUT with a message (without the
 * file:line prefix) in why, or STELE_ENOMEM. */
static int ingest_object(st_corpus *c, json_t *obj, const char *path, uint32_t line_no, char *why,
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
    if (id && !json_is_string(id)) {
        snprintf(why, why_cap, "\"id\" must be a string");
        return STELE_EINPUT;
    }
    if (id && json_string_length(id) == 0) {
        snprintf(why, why_cap, "\"id\" is empty");
        return STELE_EINPUT;
    }
    if (title && !json_is_string(title)) {
        snprintf(why, why_cap, "\"title\" must be a string");
        return STELE_EINPUT;
    }
    json_t *body = json_object_get(obj, "body");
    if (body && !json_is_string(body)) {
        snprintf(why, why_cap, "\"body\" must be a string");
        return STELE_EINPUT;
    }
    /* Check the further fields before adding anything, so that a bad line
     * leaves no trace in the corpus. */
    const char *key;
    json_t *value;
    size_t n_new = 0;
    json_object_foreach(obj, key, value)
    {
        if (!json_is_string(value) || !strcmp(key, "id") || !strcmp(key, "title") ||
            !strcmp(key, "body"))
            continue;
        if (strlen(key) > STELE_MAX_FIELD_NAME) {
            snprintf(why, why_cap, "field name \"%.40s...\" is longer than %d bytes", key,
                     STELE_MAX_FIELD_NAME);
            return STELE_EINPUT;
        }
        int known = 0;
        for (size_t f = 0; f < c->n_fields; f++)
            if (!strcmp(c->field_names[f], key)) known = 1;
        if (!known && c->n_fields + ++n_new > STELE_MAX_FIELDS) {
            snprintf(why, why_cap, "field \"%s\" is one more than the %d fields an index holds",
                     key, STELE_MAX_FIELDS);
            return STELE_EINPUT;
        }
    }

    char id_buf[24];
    snprintf(id_buf, sizeof id_buf, "%u", (unsigned)line_no);
    char source[1024];
    snprintf(source, sizeof source, "%s:%u", st_path_base(path), (unsigned)line_no);
    st_doc *d = st_corpus_add_doc(c, id ? json_string_value(id) : id_buf,
                                  title ? json_string_value(title) : "", source);
    if (!d) return STELE_ENOMEM;
    d->paras[0].src_line = line_no;
    if (body) {
        int rc = add_split(d, ST_FIELD_BODY, STELE_PARA_TEXT, json_string_value(body),
                           json_string_length(body), line_no);
        if (rc != STELE_OK) return rc;
    }
    json_object_foreach(obj, key, value)
    {
        if (!json_is_string(value) || !strcmp(key, "id") || !strcmp(key, "title") ||
            !strcmp(key, "body"))
            continue;
        int field = st_corpus_field(c, key);
        if (field < 0) return STELE_ENOMEM; /* limits were checked above */
        int rc = add_split(d, (unsigned)field, STELE_PARA_FIELD, json_string_value(value),
                           json_string_length(value), line_no);
        if (rc != STELE_OK) return rc;
    }
    return STELE_OK;
}

int st_ingest_jsonl(st_corpus *c, const char *path, st_err *err)
{
    char *text;
    size_t len;
    int rc = st_read_text_file(c, path, &text, &len, err);
    if (rc != STELE_OK) return rc;
    size_t pos = 0;
    uint32_t line_no = 0;
    while (pos < len && rc == STELE_OK) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len;
        line_no++;
        const char *line = text + pos;
        size_t line_len = end - pos;
        pos = nl ? end + 1 : len;
        size_t k = 0;
        while (k < line_len && (unsigned char)line[k] <= 0x20)
            k++;
        if (k == line_len) continue; /* blank lines separate nothing */

        json_error_t jerr;
        json_t *obj = json_loadb(line, line_len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr);
        if (!obj) {
            st_err_set(err, "%s:%u: invalid JSON at column %d: %s", path, (unsigned)line_no,
                       jerr.column, jerr.text);
            rc = STELE_EINPUT;
            break;
        }
        size_t n_docs_before = c->n_docs;
        char why[256];
        rc = ingest_object(c, obj, path, line_no, why, sizeof why);
        json_decref(obj);
        if (rc == STELE_EINPUT) {
            st_err_set(err, "%s:%u: %s", path, (unsigned)line_no, why);
        } else if (rc != STELE_OK) {
            st_err_set(err, "%s:%u: out of memory", path, (unsigned)line_no);
        }
        if (rc != STELE_OK && c->n_docs > n_docs_before) {
            /* Nothing from a failed line stays in the corpus. */
            st_corpus_pop_doc(c);
        }
    }
    free(text);
    return rc;
}
