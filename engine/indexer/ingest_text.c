/*
 * ingest_text.c: plain text files (format "text").
 *
 * One document per file.  Its id is the name the caller gives, normally the
 * path relative to the directory or file named on the command line
 * ("notes/" + "2024/treatment.txt" -> "2024/treatment"), or else the file
 * name without directories; a final ".txt" or ".md" is dropped, any other
 * dot stays ("GFDL-1.2" stays "GFDL-1.2"), so distinct files keep distinct
 * ids (and two that still collide, "a.txt" and "a.md", are a duplicate that
 * st_corpus_finish() reports).  Its title is the first non-blank line.  The rest of the file is
 * split into paragraphs at blank lines (lines holding only white space count as blank); the lines
 * of one paragraph are joined with a space by st_doc_add_para().  Every
 * paragraph is field body, kind STELE_PARA_TEXT, unnumbered.  A file with
 * no non-blank line gives a document with an empty title and nothing else,
 * so that an empty input is visible rather than silently skipped.
 */
#include "doc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int line_is_blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] > 0x20) return 0;
    return 1;
}

/* The id of a text document: name (or path's file name) without a final
 * ".txt" or ".md".  NULL when out of memory. */
static char *text_id(const char *path, const char *name)
{
    if (!name) name = strcmp(path, "-") == 0 ? "stdin" : st_path_base(path);
    size_t n = strlen(name);
    if (n > 4 && !strcmp(name + n - 4, ".txt"))
        n -= 4;
    else if (n > 3 && !strcmp(name + n - 3, ".md"))
        n -= 3;
    char *id = malloc(n + 1);
    if (!id) return NULL;
    memcpy(id, name, n);
    id[n] = '\0';
    return id;
}

int st_ingest_text(st_corpus *c, const char *path, const char *name, st_err *err)
{
    char *text;
    size_t len;
    const char *label = st_path_label(path);
    int rc = st_read_text_file(c, path, &text, &len, err);
    if (rc != STELE_OK) return rc;
    char *id = text_id(path, name);
    if (!id) {
        free(text);
        st_err_set(err, "%s: out of memory", label);
        return STELE_ENOMEM;
    }

    size_t pos = 0;
    uint32_t line_no = 0;
    const char *title = "";
    size_t title_len = 0;
    uint32_t title_line = 0;
    /* Find the title: the first non-blank line. */
    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len;
        line_no++;
        size_t start = pos;
        pos = nl ? end + 1 : len;
        if (!line_is_blank(text + start, end - start)) {
            title = text + start;
            title_len = end - start;
            title_line = line_no;
            break;
        }
    }
    char *title_copy = malloc(title_len + 1);
    char source[1024];
    snprintf(source, sizeof source, "%s:%u", label, (unsigned)(title_line ? title_line : 1));
    st_doc *d = NULL;
    if (title_copy) {
        memcpy(title_copy, title, title_len);
        title_copy[title_len] = '\0';
        d = st_corpus_add_doc(c, id, title_copy, source);
        if (d) d->paras[0].src_line = title_line;
    }
    free(title_copy);
    free(id);
    if (!d) {
        free(text);
        st_err_set(err, "%s: out of memory", label);
        return STELE_ENOMEM;
    }

    /* Paragraphs: maximal runs of non-blank lines. */
    size_t para_start = 0, para_end = 0;
    uint32_t para_line = 0;
    int in_para = 0;
    while (pos <= len && rc == STELE_OK) {
        const char *nl = pos < len ? memchr(text + pos, '\n', len - pos) : NULL;
        size_t end = nl ? (size_t)(nl - text) : len;
        int blank = line_is_blank(text + pos, end - pos);
        line_no++;
        if (!blank) {
            if (!in_para) {
                para_start = pos;
                para_line = line_no;
                in_para = 1;
            }
            para_end = end;
        }
        if ((blank || !nl) && in_para) {
            rc = st_doc_add_para(d, ST_FIELD_BODY, STELE_PARA_TEXT, 0, text + para_start,
                                 para_end - para_start, para_line);
            in_para = 0;
        }
        if (!nl) break;
        pos = end + 1;
    }
    free(text);
    if (rc != STELE_OK) st_err_set(err, "%s: out of memory", label);
    return rc;
}
