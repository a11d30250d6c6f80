/*
 * query_dump.c: st_query_dump(), a one-line S-expression of a parsed query
 * for tests and debugging.
 *
 *   word             a TERM, with its field scope as "title:word"
 *   word*            an unexpanded PREFIX
 *   "a b c"          a PHRASE (scope in front of the quote)
 *   (NEAR/k a b)     a NEAR group (scope in front of NEAR)
 *   (AND x y) (OR x y) (NOT x)
 *
 * Fields 0..2 print as title, body, footnote and others as fN.  The output
 * is truncated to the capacity given and always NUL-terminated.
 */
#include <string.h>

#include "query.h"

static const char *const default_fields[] = {"title", "body", "footnote"};

typedef struct dumper {
    char *out;
    size_t cap, len;
} dumper;

static void put(dumper *d, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++, d->len++)
        if (d->len + 1 < d->cap) d->out[d->len] = s[i];
}

static void puts_(dumper *d, const char *s)
{
    put(d, s, strlen(s));
}

static void put_field(dumper *d, int field)
{
    char buf[16];
    if (field < 0) return;
    if (field < 3) {
        puts_(d, default_fields[field]);
    } else {
        buf[0] = 'f';
        buf[1] = (char)('0' + field % 10);
        buf[2] = '\0';
        puts_(d, buf);
    }
    put(d, ":", 1);
}

static void put_uint(dumper *d, uint32_t v)
{
    char buf[12];
    int i = 11;
    buf[i] = '\0';
    do {
        buf[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    puts_(d, buf + i);
}

static void dump_node(dumper *d, const st_qnode *n)
{
    static const char *const names[] = {"TERM", "PREFIX", "PHRASE", "NEAR",
                                        "AND",  "OR",     "NOT",    "ID"};
    switch (n->type) {
    case ST_Q_TERM:
        put_field(d, n->term->field);
        put(d, n->term->text, n->term->len);
        return;
    case ST_Q_PREFIX:
        put_field(d, n->term->field);
        put(d, n->term->text, n->term->len);
        put(d, "*", 1);
        return;
    case ST_Q_ID:
        puts_(d, "id:");
        put(d, n->term->text, n->term->len);
        if (n->term->id_match == ST_ID_PREFIX) put(d, "*", 1);
        return;
    case ST_Q_PHRASE:
        put_field(d, n->kids ? n->kids->term->field : -1);
        put(d, "\"", 1);
        for (const st_qnode *k = n->kids; k; k = k->next) {
            put(d, k->term->text, k->term->len);
            if (k->next) put(d, " ", 1);
        }
        put(d, "\"", 1);
        return;
    case ST_Q_NEAR:
        put(d, "(", 1);
        put_field(d, n->kids ? n->kids->term->field : -1);
        puts_(d, "NEAR/");
        put_uint(d, n->near_k);
        for (const st_qnode *k = n->kids; k; k = k->next) {
            put(d, " ", 1);
            put(d, k->term->text, k->term->len);
        }
        put(d, ")", 1);
        return;
    default:
        put(d, "(", 1);
        puts_(d, names[n->type]);
        for (const st_qnode *k = n->kids; k; k = k->next) {
            put(d, " ", 1);
            dump_node(d, k);
        }
        put(d, ")", 1);
        return;
    }
}

size_t st_query_dump(const st_query *q, char *out, size_t cap)
{
    dumper d = {out, cap, 0};
    if (q->root) dump_node(&d, q->root);
    if (cap > 0) out[d.len < cap ? d.len : cap - 1] = '\0';
    return d.len;
}
