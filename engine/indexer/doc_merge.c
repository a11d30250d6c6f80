/*
 * doc_merge.c: st_corpus_finish(), which leaves one document per id.
 *
 * The same id can reach the corpus twice, and an index holds each id once.
 * Nothing is ever dropped without a word:
 *   - Two documents of the resolutions format with one id are one
 *     resolution found in two of that format's sources: resolutions 55/2
 *     and 55/12 of the bundled corpus are standalone files and also appear
 *     in the report of the 55th session (see ingest_resolutions.c).  That
 *     is the format's own rule, so they are merged as described below, and
 *     each merge is reported (STELE_EV_NOTE) and counted.
 *   - Any other repeated id (two text files, two JSON records, or a
 *     resolution and a document of another format) is an error naming both
 *     places, file:line, unless c->on_duplicate asks to keep the first or
 *     the last copy; then every dropped copy is reported (STELE_EV_WARNING)
 *     and counted, and the kept copy takes the place of the first.
 *
 * A merge of resolutions keeps one copy:
 *   - the copy with the most paragraphs, i.e. the most complete one (the
 *     report's 55/12 stops after operative paragraph 6; its 55/2 lacks the
 *     closing "9th Plenary Meeting" line);
 *   - on a tie, the copy ingested first.
 * The kept copy stays at the position of the first copy of its id, so the
 * document order is the order in which ids were first seen.  Nothing about
 * the dropped copy is lost silently: the kept document's note names its
 * source and lists where the texts differ, paragraph by paragraph.
 * Paragraphs are paired by kind and rank within the kind (the 2nd preambular
 * paragraph with the 2nd preambular paragraph, the 5th footnote with the
 * 5th footnote, whatever their numbers); for a differing pair the note
 * quotes the differing words of both copies, trimmed to whole words of the
 * common prefix and suffix, e.g.
 *   also in cnd-report-55th-session-chapter-1.txt:139, which differs:
 *   preambular paragraph 2: "1961" here, "1953" there; text paragraph 2
 *   only here: "9th Plenary Meeting 16 March 2012"
 * and a paragraph present in only one copy is listed as "only here" or
 * "only there".  Notes are capped at NOTE_MAX bytes.
 */
#include "doc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOTE_MAX  4000
#define QUOTE_MAX 160

typedef struct note_buf {
    char text[NOTE_MAX + 1];
    size_t n;
    int full;
} note_buf;

/* Appends n bytes of s; once the cap is reached, " ..." ends the note. */
static void note_put(note_buf *nb, const char *s, size_t n)
{
    if (nb->full) return;
    if (nb->n + n + 4 > NOTE_MAX) {
        memcpy(nb->text + nb->n, " ...", 4);
        nb->n += 4;
        nb->full = 1;
    } else {
        memcpy(nb->text + nb->n, s, n);
        nb->n += n;
    }
    nb->text[nb->n] = '\0';
}

static void note_str(note_buf *nb, const char *s)
{
    note_put(nb, s, strlen(s));
}

static size_t clamp_quote(const char *s, size_t n);

/* Appends "s" in double quotes, cut to QUOTE_MAX bytes. */
static void note_quote(note_buf *nb, const char *s, size_t n)
{
    size_t m = clamp_quote(s, n);
    note_str(nb, "\"");
    note_put(nb, s, m);
    note_str(nb, m < n ? "...\"" : "\"");
}

static const char *kind_label(unsigned kind)
{
    switch (kind) {
    case STELE_PARA_TITLE:
        return "title";
    case STELE_PARA_PREAMBLE:
        return "preambular paragraph";
    case STELE_PARA_OPERATIVE:
        return "operative paragraph";
    case STELE_PARA_FOOTNOTE:
        return "footnote";
    case STELE_PARA_HEADING:
        return "heading";
    case STELE_PARA_FIELD:
        return "field paragraph";
    default:
        return "text paragraph";
    }
}

/* The rank-th paragraph (0-based) of the given kind, or NULL. */
static const st_para *nth_of_kind(const st_doc *d, unsigned kind, size_t rank)
{
    for (size_t i = 0; i < d->n_paras; i++)
        if (d->paras[i].kind == kind && rank-- == 0) return &d->paras[i];
    return NULL;
}

static size_t count_kind(const st_doc *d, unsigned kind)
{
    size_t n = 0;
    for (size_t i = 0; i < d->n_paras; i++)
        n += d->paras[i].kind == kind;
    return n;
}

static size_t clamp_quote(const char *s, size_t n)
{
    if (n <= QUOTE_MAX) return n;
    n = QUOTE_MAX;
    while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80) /* keep UTF-8 whole */
        n--;
    return n;
}

/* Appends the differing words of paragraphs a (kept) and b (dropped). */
static void describe_pair(note_buf *nb, const char *label, const st_para *a, const st_para *b,
                          size_t *n_diff)
{
    size_t pre = 0;
    while (pre < a->len && pre < b->len && a->text[pre] == b->text[pre])
        pre++;
    if (pre == a->len && pre == b->len) return;
    while (pre > 0 && a->text[pre - 1] != ' ')
        pre--;
    size_t suf = 0;
    while (suf < a->len - pre && suf < b->len - pre &&
           a->text[a->len - 1 - suf] == b->text[b->len - 1 - suf])
        suf++;
    while (suf > 0 && a->text[a->len - suf] != ' ')
        suf--;
    const char *am = a->text + pre, *bm = b->text + pre;
    size_t an = a->len - pre - suf, bn = b->len - pre - suf;
    while (an > 0 && am[an - 1] == ' ')
        an--;
    while (bn > 0 && bm[bn - 1] == ' ')
        bn--;
    note_str(nb, *n_diff ? "; " : " ");
    ++*n_diff;
    note_str(nb, label);
    note_str(nb, ": ");
    note_quote(nb, am, an);
    note_str(nb, " here, ");
    note_quote(nb, bm, bn);
    note_str(nb, " there");
}

static void describe(note_buf *nb, const st_doc *kept, const st_doc *other)
{
    note_str(nb, "also in ");
    note_str(nb, other->source);
    note_str(nb, ", which differs:");
    size_t n_diff = 0;
    for (unsigned kind = STELE_PARA_TITLE; kind <= STELE_PARA_FIELD; kind++) {
        size_t nk = count_kind(kept, kind), no = count_kind(other, kind);
        size_t n = nk > no ? nk : no;
        for (size_t r = 0; r < n; r++) {
            const st_para *a = nth_of_kind(kept, kind, r), *b = nth_of_kind(other, kind, r);
            char label[96];
            const st_para *numbered = a ? a : b;
            if (numbered->number && kind != STELE_PARA_FOOTNOTE)
                snprintf(label, sizeof label, "%s %u", kind_label(kind),
                         (unsigned)numbered->number);
            else
                snprintf(label, sizeof label, "%s %zu", kind_label(kind), r + 1);
            if (a && b) {
                describe_pair(nb, label, a, b, &n_diff);
            } else {
                const st_para *only = a ? a : b;
                note_str(nb, n_diff++ ? "; " : " ");
                note_str(nb, label);
                note_str(nb, a ? " only here: " : " only there: ");
                note_quote(nb, only->text, only->len);
            }
        }
    }
    if (n_diff == 0) note_str(nb, " in nothing");
}

typedef struct id_ref {
    const char *id;
    size_t index;
} id_ref;

static int cmp_ref(const void *x, const void *y)
{
    const id_ref *a = x, *b = y;
    int c = strcmp(a->id, b->id);
    if (c) return c;
    return a->index < b->index ? -1 : a->index > b->index;
}

/* Handles group refs[0 .. n) of one id that is not a resolutions merge:
 * an error, or the index of the copy to keep with the others reported. */
static int resolve_duplicate(st_corpus *c, const id_ref *refs, size_t n, size_t *keep, st_err *err)
{
    char id[400];
    st_for_message(refs[0].id, id, sizeof id);
    const st_doc *first = &c->docs[refs[0].index];
    if (c->on_duplicate != STELE_DUP_KEEP_FIRST && c->on_duplicate != STELE_DUP_KEEP_LAST) {
        st_err_set(err, "duplicate id \"%s\": %s and %s", id, first->source,
                   c->docs[refs[1].index].source);
        return STELE_EINPUT;
    }
    *keep = c->on_duplicate == STELE_DUP_KEEP_FIRST ? refs[0].index : refs[n - 1].index;
    for (size_t k = 0; k < n; k++)
        if (refs[k].index != *keep)
            st_warn(c, NULL, "duplicate id \"%s\": kept %s, dropped %s", id, c->docs[*keep].source,
                    c->docs[refs[k].index].source);
    c->n_duplicates += n - 1;
    return STELE_OK;
}

static int all_resolutions(const st_corpus *c, const id_ref *refs, size_t n)
{
    for (size_t k = 0; k < n; k++)
        if (c->docs[refs[k].index].format != ST_FORMAT_RESOLUTIONS) return 0;
    return 1;
}

/* Merges the resolutions refs[0 .. n) into the most complete copy, whose
 * note records the others; sets *keep. */
static int merge_resolutions(st_corpus *c, const id_ref *refs, size_t n, note_buf *nb, size_t *keep,
                             st_err *err)
{
    size_t first = refs[0].index;
    *keep = first;
    for (size_t k = 1; k < n; k++)
        if (c->docs[refs[k].index].n_paras > c->docs[*keep].n_paras) *keep = refs[k].index;
    nb->n = 0;
    nb->full = 0;
    nb->text[0] = '\0';
    if (c->docs[*keep].note) note_str(nb, c->docs[*keep].note);
    char id[400];
    st_for_message(refs[0].id, id, sizeof id);
    for (size_t k = 0; k < n; k++) {
        size_t other = refs[k].index;
        if (other == *keep) continue;
        if (nb->n > 0) note_str(nb, "; ");
        describe(nb, &c->docs[*keep], &c->docs[other]);
        stele_build_event ev = {.kind = STELE_EV_NOTE};
        char msg[1200];
        snprintf(msg, sizeof msg,
                 "resolution %s is in two sources: kept %s, merged %s (differences recorded)", id,
                 c->docs[*keep].source, c->docs[other].source);
        ev.message = msg;
        st_emit(c, &ev);
    }
    c->n_duplicates += n - 1;
    int rc = st_doc_set_note(&c->docs[*keep], nb->text);
    if (rc != STELE_OK) st_err_set(err, "out of memory");
    return rc;
}

int st_corpus_finish(st_corpus *c, st_err *err)
{
    if (c->n_docs < 2) return STELE_OK;
    id_ref *refs = malloc(c->n_docs * sizeof *refs);
    unsigned char *drop = calloc(c->n_docs, 1);
    note_buf *nb = malloc(sizeof *nb);
    if (!refs || !drop || !nb) {
        free(refs);
        free(drop);
        free(nb);
        st_err_set(err, "out of memory");
        return STELE_ENOMEM;
    }
    for (size_t i = 0; i < c->n_docs; i++)
        refs[i] = (id_ref){c->docs[i].id, i};
    qsort(refs, c->n_docs, sizeof *refs, cmp_ref);
    int rc = STELE_OK;
    for (size_t g = 0; g < c->n_docs && rc == STELE_OK;) {
        size_t h = g + 1;
        while (h < c->n_docs && !strcmp(refs[h].id, refs[g].id))
            h++;
        if (h - g > 1) {
            size_t first = refs[g].index, keep = first;
            if (all_resolutions(c, refs + g, h - g))
                rc = merge_resolutions(c, refs + g, h - g, nb, &keep, err);
            else
                rc = resolve_duplicate(c, refs + g, h - g, &keep, err);
            if (rc != STELE_OK) break;
            for (size_t k = g; k < h; k++)
                if (refs[k].index != keep) drop[refs[k].index] = 1;
            if (keep != first) {
                /* The kept copy takes the place of the first one. */
                st_doc tmp = c->docs[first];
                c->docs[first] = c->docs[keep];
                c->docs[keep] = tmp;
                drop[keep] = 1;
                drop[first] = 0;
            }
        }
        g = h;
    }
    size_t out = 0;
    for (size_t i = 0; i < c->n_docs; i++) {
        if (drop[i]) {
            st_doc_free(&c->docs[i]);
            continue;
        }
        c->docs[out++] = c->docs[i];
    }
    c->n_docs = out;
    free(refs);
    free(drop);
    free(nb);
    return rc;
}
