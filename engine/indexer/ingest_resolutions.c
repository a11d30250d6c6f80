/*
 * ingest_resolutions.c: resolution-aware ingestion of the bundled corpus
 * (format "resolutions"): text extracted from PDFs of documents of the
 * Commission on Narcotic Drugs (CND), one or several resolutions per file,
 * or a session report that also holds draft decisions and report text.
 *
 * Documents.  A line "Resolution 55/2" starts a document with id "55/2";
 * "Draft decision I" starts one with id "decision I"; in a report, "Chapter
 * I" starts "report/chapter I", a section line "A. Draft decisions ..."
 * starts "report/chapter I A" (its title is the whole line), and a line
 * "Provisional agenda ..." inside a draft decision starts "<decision
 * id>/agenda" (title: that line).  For resolutions, decisions and chapters
 * the next non-blank line is the title (paragraph 0), and the heading line
 * itself is kept as paragraph 1 (field title, kind STELE_PARA_HEADING), so
 * that the symbol "55/2" is searchable in the resolution it names.  Text
 * before the first heading of a file becomes a document named after the
 * file, whose first line is its title: nothing is silently dropped.
 *
 * Paragraph kinds.  In a resolution the first paragraph after the title
 * ("The Commission on Narcotic Drugs,") is STELE_PARA_TEXT, unnumbered
 * paragraphs before the first numbered one are STELE_PARA_PREAMBLE,
 * numbered 1, 2, ... in order (the resolution prints no numbers, but
 * delegates cite "preambular para 3"), numbered ones STELE_PARA_OPERATIVE
 * with their number, and unnumbered text
 * after them (the closing "9th Plenary Meeting 16 March 2012") TEXT; a
 * lettered item "(a) ..." takes the kind of where it stands (preamble or
 * operative, with the number of the paragraph it belongs to).  In a draft
 * decision the lettered items "(a) Takes note ..." are OPERATIVE numbered
 * 1, 2, ... by letter, other text TEXT.  Agenda items are HEADING with the
 * item number ("1. Election of officers." -> number 1); report paragraphs
 * are TEXT, numbered where the report numbers them ("1. The Commission
 * recommends ...").  All of these are field body.  Footnotes are field
 * footnote, kind STELE_PARA_FOOTNOTE, numbered, and are appended after the
 * body of the document that cites them (a footnote block may sit on the
 * page of the next resolution: footnotes 17-20 of 55/3 follow the heading
 * of 55/4); a footnote nobody cites stays with the document it stands in.
 *
 * Markup is not text.  Removed: Markdown emphasis ("*Invites*" ->
 * "Invites", "*9th Plenary Meeting ... 2012*"), list bullets ("- 1.",
 * "- (a)"), the operative or item number (kept in st_para.number),
 * separator lines ("* * *"), superscript footnote markers (any run of
 * ⁰¹²³⁴⁵⁶⁷⁸⁹, "session¹⁹ and" -> "session and"), and a bare-digit marker
 * that OCR flattened at the end of a line after a comma or a closing quote
 * ("Substances of 1988, 3" and "Sustainable Development\",6" in 59/4).
 * Real numbers survive: only 1-3 digits at the very end of a line, right
 * after "," or ",\"" / "\"," and a space at most, are a marker; "vol. 976,
 * No. 14152." ends with a period and is untouched.
 *
 * Joining.  Page breaks and footnote blocks split paragraphs.  A line that
 * is not an item (numbered, bulleted, lettered, footnote) continues the last
 * open body paragraph, across blank lines and footnote blocks, when
 *   - it starts with a lower-case letter (no paragraph of these documents
 *     starts in lower case: "programmes that promote" / footnotes /
 *     "psychosocial, behavioural ..." in 59/4, "alternatives to" /
 *     "imprisonment has, ..." in 55/12, "drug-using" / "offenders ..."), or
 *   - the open paragraph ends without terminal punctuation (. , ; : ? !),
 *     ignoring closing quotes ("... of All Forms of Discrimination" /
 *     footnotes / "Against Women, ..." in 55/5; "9th Plenary Meeting" /
 *     "16 March 2012"), or
 *   - the open paragraph ends with "namely," ("thirteen States, namely," /
 *     "Austria-Hungary, China, ..." in 55/3).
 * Document titles and the heading lines that start documents are never
 * continued (agenda items and segment names are body paragraphs of kind
 * HEADING and follow the rules above).  Wrapped lines join with one space.
 *
 * Duplicates.  Resolutions 55/2 and 55/12 appear twice: as standalone
 * files and in the report of the 55th session.  Both copies are ingested
 * here; st_corpus_finish() (doc_merge.c) keeps one copy per id (the more
 * complete one: more paragraphs, ties to the first ingested) and records
 * the other source and the readings where the copies differ in doc->note.
 * For the bundled corpus this keeps both standalone files, which are the
 * complete copies: the report's copies lack the closing "9th Plenary
 * Meeting 16 March 2012" line.  For 55/2 the standalone text is also the
 * authentic one: its preamble cites the "Single Convention on Narcotic
 * Drugs of 1961", as every other resolution does (54/5, 55/1, 55/6, 55/7,
 * 55/10, 59/4), where the report's copy reads "1953".  For 55/12 the
 * standalone copy has the one error: its footnote 5 reads "of 1954" where
 * the report has "1961"; the kept document's note records that reading.
 */
#include "doc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Footnote numbers above this are not tracked for ownership (they still
 * land in the document they stand in). */
#define MAX_NOTE_NUMBER 4096

enum doc_type { DOC_NONE, DOC_RESOLUTION, DOC_DECISION, DOC_CHAPTER, DOC_SECTION, DOC_AGENDA };

/* A growable byte string. */
typedef struct buf {
    char *p;
    size_t n, cap;
} buf;

static int buf_put(buf *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->n + n + 1) {
            if (cap > SIZE_MAX / 2) return STELE_ENOMEM;
            cap *= 2;
        }
        char *p = realloc(b->p, cap);
        if (!p) return STELE_ENOMEM;
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
    return STELE_OK;
}

/* One footnote, held until the end of the file, when its owner is known. */
typedef struct footnote {
    uint32_t number, line;
    size_t doc; /* document current where it stands */
    char *text; /* cleaned */
    size_t len;
} footnote;

/* One cleaned source line. */
typedef struct line_info {
    buf text;          /* cleaned text, markup removed */
    uint32_t number;   /* "12. ..." or footnote number; 0 if none */
    int is_numbered;   /* started with "N. " */
    int is_footnote;   /* started with a superscript number */
    int is_lettered;   /* started with "(a) " or "(iv) " */
    uint32_t letter;   /* 1 for (a), 2 for (b), ...; 0 for roman or none */
    uint32_t refs[16]; /* footnote numbers cited by the line (first 16) */
    size_t n_refs;
} line_info;

typedef struct parser {
    st_corpus *c;
    const char *path, *base;
    st_err *err;

    size_t doc; /* current document; valid when have_doc */
    int have_doc;
    enum doc_type type;
    int seen_operative, n_body; /* in the current document */
    uint32_t last_operative;
    uint32_t n_preamble; /* preambular paragraphs so far (their numbers) */
    char chapter[32];    /* "I" while in a report chapter */

    /* A heading waiting for its title line. */
    int want_title;
    enum doc_type pending_type;
    char pending_id[96];
    char pending_heading[256];
    uint32_t pending_line;

    /* The open body paragraph. */
    int open;
    size_t open_doc;
    unsigned open_kind;
    uint32_t open_number, open_line;
    buf open_text;

    footnote *notes;
    size_t n_notes, cap_notes;
    size_t note_owner[MAX_NOTE_NUMBER + 1]; /* doc index + 1; 0 = none */
} parser;

static const char *skip_spaces(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

/* Value of the superscript digit at s (0-9) and its byte length, or -1. */
static int superscript_digit(const unsigned char *s, size_t *len)
{
    if (s[0] == 0xc2 && (s[1] == 0xb2 || s[1] == 0xb3 || s[1] == 0xb9)) {
        *len = 2;
        return s[1] == 0xb9 ? 1 : s[1] - 0xb0;
    }
    if (s[0] == 0xe2 && s[1] == 0x81 && (s[2] == 0xb0 || (s[2] >= 0xb4 && s[2] <= 0xb9))) {
        *len = 3;
        return s[2] - 0xb0;
    }
    return -1;
}

/* Adds one decimal digit, saturating above MAX_NOTE_NUMBER. */
static uint32_t add_digit(uint32_t n, int digit)
{
    return n > MAX_NOTE_NUMBER ? n : n * 10 + (uint32_t)digit;
}

static void line_ref(line_info *li, uint32_t number)
{
    if (li->n_refs < sizeof li->refs / sizeof li->refs[0]) li->refs[li->n_refs++] = number;
}

/* Records the footnotes a line cites as owned by the current document,
 * once the line has been placed (its title or first paragraph may have
 * started a new document). */
static void own_refs(parser *p, const line_info *li)
{
    for (size_t i = 0; i < li->n_refs && p->have_doc; i++)
        if (li->refs[i] <= MAX_NOTE_NUMBER && p->note_owner[li->refs[i]] == 0)
            p->note_owner[li->refs[i]] = p->doc + 1;
}

/* Lower-case Roman numeral or a single letter in "(...)"; returns the
 * length of the label including the parentheses, or 0. */
static size_t letter_label(const char *s, uint32_t *letter)
{
    if (s[0] != '(') return 0;
    size_t k = 1;
    while (k < 8 && s[k] >= 'a' && s[k] <= 'z')
        k++;
    if (k == 1 || s[k] != ')' || (s[k + 1] != ' ' && s[k + 1] != '\0')) return 0;
    if (k == 2 && s[1] != 'i' && s[1] != 'v' && s[1] != 'x') {
        *letter = (uint32_t)(s[1] - 'a' + 1);
        return k + 1;
    }
    for (size_t i = 1; i < k; i++)
        if (!strchr("ivxl", s[i])) return 0;
    /* "(i)" is Roman only after "(h)"; lettered lists here never get that
     * far, so a single "i", "v" or "x" is taken as Roman. */
    *letter = 0;
    return k + 1;
}

/* Cleans one source line into li (see the top comment for the rules). */
static int clean_line(const char *raw, size_t raw_len, line_info *li)
{
    li->text.n = 0;
    li->number = 0;
    li->is_numbered = li->is_footnote = li->is_lettered = 0;
    li->letter = 0;
    li->n_refs = 0;
    if (buf_put(&li->text, "", 0) != STELE_OK) return STELE_ENOMEM;
    /* raw is NUL-terminated by the caller at raw_len. */
    const char *s = skip_spaces(raw);
    size_t dlen;
    if (superscript_digit((const unsigned char *)s, &dlen) >= 0) {
        uint32_t n = 0;
        int d;
        while ((d = superscript_digit((const unsigned char *)s, &dlen)) >= 0) {
            n = add_digit(n, d);
            s += dlen;
        }
        li->is_footnote = 1;
        li->number = n;
    } else {
        if (s[0] == '-' && s[1] == ' ') s = skip_spaces(s + 1);
        const char *q = s;
        while (*q == '*') /* "*1.*" style emphasis around a number */
            q++;
        size_t digits = 0;
        while (q[digits] >= '0' && q[digits] <= '9')
            digits++;
        if (digits > 0 && digits <= 3 && q[digits] == '.' && q[digits + 1] == ' ') {
            li->is_numbered = 1;
            li->number = (uint32_t)strtoul(q, NULL, 10);
            s = skip_spaces(q + digits + 1);
        } else if (letter_label(s, &li->letter)) {
            li->is_lettered = 1;
        }
    }
    /* Body: drop '*' and superscript markers. */
    const char *end = raw + raw_len;
    while (s < end) {
        int d = superscript_digit((const unsigned char *)s, &dlen);
        if (d >= 0) {
            uint32_t n = 0;
            while (s < end && (d = superscript_digit((const unsigned char *)s, &dlen)) >= 0) {
                n = add_digit(n, d);
                s += dlen;
            }
            if (!li->is_footnote) line_ref(li, n);
            continue;
        }
        if (*s == '*') {
            s++;
            continue;
        }
        const char *run = s;
        while (s < end && *s != '*' && superscript_digit((const unsigned char *)s, &dlen) < 0)
            s++;
        if (buf_put(&li->text, run, (size_t)(s - run)) != STELE_OK) return STELE_ENOMEM;
    }
    /* Trim trailing white space. */
    while (li->text.n > 0 && (unsigned char)li->text.p[li->text.n - 1] <= 0x20)
        li->text.p[--li->text.n] = '\0';
    /* A bare-digit footnote marker at the end of the line. */
    if (!li->is_footnote) {
        size_t n = li->text.n, k = n;
        while (k > 0 && li->text.p[k - 1] >= '0' && li->text.p[k - 1] <= '9')
            k--;
        size_t digits = n - k;
        size_t m = k;
        if (m > 0 && li->text.p[m - 1] == ' ') m--;
        const char *t = li->text.p;
        int after_comma = m >= 1 && t[m - 1] == ',';
        int after_quote = (m >= 2 && t[m - 2] == ',' && t[m - 1] == '"') ||
                          (m >= 4 && !memcmp(t + m - 4, ",\xe2\x80\x9d", 4));
        if (digits >= 1 && digits <= 3 && k > 0 && (after_comma || after_quote)) {
            line_ref(li, (uint32_t)strtoul(t + k, NULL, 10));
            li->text.n = m;
            li->text.p[m] = '\0';
        }
    }
    return STELE_OK;
}

static int oom(parser *p)
{
    st_err_set(p->err, "%s: out of memory", p->path);
    return STELE_ENOMEM;
}

static int flush_open(parser *p)
{
    if (!p->open) return STELE_OK;
    p->open = 0;
    st_doc *d = &p->c->docs[p->open_doc];
    int rc = st_doc_add_para(d, ST_FIELD_BODY, p->open_kind, p->open_number, p->open_text.p,
                             p->open_text.n, p->open_line);
    p->open_text.n = 0;
    return rc == STELE_OK ? rc : oom(p);
}

static int start_doc(parser *p, enum doc_type type, const char *id, const char *title,
                     const char *heading, uint32_t line, uint32_t title_line)
{
    int rc = flush_open(p);
    if (rc != STELE_OK) return rc;
    char source[1024];
    snprintf(source, sizeof source, "%s:%u", p->base, (unsigned)line);
    st_doc *d = st_corpus_add_doc(p->c, id, title, source);
    if (!d) return oom(p);
    d->paras[0].src_line = title_line;
    if (heading && st_doc_add_para(d, ST_FIELD_TITLE, STELE_PARA_HEADING, 0, heading,
                                   strlen(heading), line) != STELE_OK)
        return oom(p);
    p->doc = p->c->n_docs - 1;
    p->have_doc = 1;
    p->type = type;
    p->seen_operative = 0;
    p->n_body = 0;
    p->last_operative = 0;
    p->n_preamble = 0;
    return STELE_OK;
}

/* Creates the document a heading announced, with title (or, when another
 * heading or the end of file came first, with the heading as title). */
static int finish_pending(parser *p, const char *title, uint32_t line)
{
    p->want_title = 0;
    if (!title)
        return start_doc(p, p->pending_type, p->pending_id, p->pending_heading, NULL,
                         p->pending_line, p->pending_line);
    return start_doc(p, p->pending_type, p->pending_id, title, p->pending_heading, p->pending_line,
                     line);
}

/* Recognizes document headings; returns 1 (and sets the pending heading or
 * starts a document) when the line is one, 0 when not, or an error. */
static int heading(parser *p, const line_info *li, uint32_t line_no)
{
    const char *t = li->text.p;
    if (li->is_footnote || li->is_numbered || li->is_lettered) return 0;
    enum doc_type type = DOC_NONE;
    char id[96];
    unsigned a, b;
    char tail;
    char roman[16];
    if (sscanf(t, "Resolution %u/%u%c", &a, &b, &tail) == 2) {
        type = DOC_RESOLUTION;
        snprintf(id, sizeof id, "%u/%u", a, b);
    } else if (sscanf(t, "Draft decision %15[IVXLC]%c", roman, &tail) == 1) {
        type = DOC_DECISION;
        snprintf(id, sizeof id, "decision %s", roman);
    } else if (sscanf(t, "Chapter %15[IVXLC]%c", roman, &tail) == 1) {
        type = DOC_CHAPTER;
        snprintf(p->chapter, sizeof p->chapter, "%s", roman);
        snprintf(id, sizeof id, "report/chapter %s", roman);
    } else if (p->chapter[0] && t[0] >= 'A' && t[0] <= 'Z' && t[1] == '.' && t[2] == ' ') {
        /* A section of the current report chapter: "A. Draft decisions ...". */
        snprintf(id, sizeof id, "report/chapter %s %c", p->chapter, t[0]);
        if (p->want_title) {
            int rc = finish_pending(p, NULL, line_no);
            if (rc != STELE_OK) return rc;
        }
        int rc = start_doc(p, DOC_SECTION, id, t, NULL, line_no, line_no);
        return rc == STELE_OK ? 1 : rc;
    } else if (!p->want_title && (p->type == DOC_DECISION || p->type == DOC_AGENDA) &&
               !strncmp(t, "Provisional agenda", 18)) {
        const st_doc *dec = &p->c->docs[p->doc];
        const char *slash = strchr(dec->id, '/');
        size_t base_len = slash ? (size_t)(slash - dec->id) : strlen(dec->id);
        snprintf(id, sizeof id, "%.*s/agenda", (int)base_len, dec->id);
        int rc = start_doc(p, DOC_AGENDA, id, t, NULL, line_no, line_no);
        return rc == STELE_OK ? 1 : rc;
    }
    if (type == DOC_NONE) return 0;
    if (p->want_title) {
        int rc = finish_pending(p, NULL, line_no);
        if (rc != STELE_OK) return rc;
    }
    int rc = flush_open(p);
    if (rc != STELE_OK) return rc;
    p->want_title = 1;
    p->pending_type = type;
    p->pending_line = line_no;
    snprintf(p->pending_id, sizeof p->pending_id, "%s", id);
    snprintf(p->pending_heading, sizeof p->pending_heading, "%s", t);
    return 1;
}

/* Does the open paragraph end a sentence part?  Closing quotes and
 * brackets do not count. */
static int open_is_complete(const parser *p)
{
    const char *t = p->open_text.p;
    size_t n = p->open_text.n;
    for (;;) {
        while (n > 0 && (t[n - 1] == ' ' || t[n - 1] == '"' || t[n - 1] == '\''))
            n--;
        if (n >= 3 && (unsigned char)t[n - 3] == 0xe2 && (unsigned char)t[n - 2] == 0x80 &&
            ((unsigned char)t[n - 1] == 0x9d || (unsigned char)t[n - 1] == 0x99)) {
            n -= 3;
            continue;
        }
        break;
    }
    if (n == 0) return 1;
    if (n >= 7 && !memcmp(t + n - 7, "namely,", 7)) return 0;
    return strchr(".,;:?!", t[n - 1]) != NULL;
}

static int body_line(parser *p, line_info *li, uint32_t line_no)
{
    const char *t = li->text.p;
    int is_item = li->is_numbered || li->is_lettered;
    int starts_lower = t[0] >= 'a' && t[0] <= 'z';
    if (!is_item && p->open && (starts_lower || !open_is_complete(p))) {
        if (buf_put(&p->open_text, " ", 1) != STELE_OK ||
            buf_put(&p->open_text, t, li->text.n) != STELE_OK)
            return oom(p);
        return STELE_OK;
    }
    int rc = flush_open(p);
    if (rc != STELE_OK) return rc;
    if (!p->have_doc) {
        /* Text before any heading: a document named after the file. */
        char *stem = st_path_stem(p->path);
        if (!stem) return oom(p);
        rc = start_doc(p, DOC_NONE, stem, t, NULL, line_no, line_no);
        free(stem);
        return rc;
    }
    unsigned kind = STELE_PARA_TEXT;
    uint32_t number = li->is_numbered ? li->number : 0;
    switch (p->type) {
    case DOC_RESOLUTION:
        if (li->is_numbered) {
            kind = STELE_PARA_OPERATIVE;
            p->seen_operative = 1;
            p->last_operative = number;
        } else if (li->is_lettered && p->seen_operative) {
            kind = STELE_PARA_OPERATIVE;
            number = p->last_operative;
        } else if (!p->seen_operative && p->n_body > 0) {
            kind = STELE_PARA_PREAMBLE;
            /* numbered 1, 2, ... as delegates cite them; a lettered item
             * belongs to the preambular paragraph it follows */
            if (!li->is_lettered || p->n_preamble == 0) p->n_preamble++;
            number = p->n_preamble;
        }
        break;
    case DOC_DECISION:
        if (li->is_lettered) {
            kind = STELE_PARA_OPERATIVE;
            number = li->letter;
        }
        break;
    case DOC_AGENDA:
        kind = STELE_PARA_HEADING;
        break;
    default:
        break;
    }
    p->n_body++;
    p->open = 1;
    p->open_doc = p->doc;
    p->open_kind = kind;
    p->open_number = number;
    p->open_line = line_no;
    p->open_text.n = 0;
    if (buf_put(&p->open_text, t, li->text.n) != STELE_OK) return oom(p);
    return STELE_OK;
}

static int footnote_line(parser *p, line_info *li, uint32_t line_no)
{
    if (!p->have_doc) {
        int rc = body_line(p, li, line_no); /* a footnote with no document */
        return rc;
    }
    if (p->n_notes == p->cap_notes) {
        size_t cap = p->cap_notes ? p->cap_notes * 2 : 32;
        footnote *notes = realloc(p->notes, cap * sizeof *notes);
        if (!notes) return oom(p);
        p->notes = notes;
        p->cap_notes = cap;
    }
    char *text = malloc(li->text.n + 1);
    if (!text) return oom(p);
    memcpy(text, li->text.p, li->text.n + 1);
    p->notes[p->n_notes++] = (footnote){
        .number = li->number, .line = line_no, .doc = p->doc, .text = text, .len = li->text.n};
    return STELE_OK;
}

static int place_footnotes(parser *p)
{
    for (size_t i = 0; i < p->n_notes; i++) {
        footnote *fn = &p->notes[i];
        size_t owner = fn->doc;
        if (fn->number <= MAX_NOTE_NUMBER && p->note_owner[fn->number])
            owner = p->note_owner[fn->number] - 1;
        if (st_doc_add_para(&p->c->docs[owner], ST_FIELD_FOOTNOTE, STELE_PARA_FOOTNOTE, fn->number,
                            fn->text, fn->len, fn->line) != STELE_OK)
            return oom(p);
    }
    return STELE_OK;
}

static int parse(parser *p, char *text, size_t len)
{
    line_info li = {0};
    size_t pos = 0;
    uint32_t line_no = 0;
    int rc = STELE_OK;
    while (pos < len && rc == STELE_OK) {
        char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len;
        line_no++;
        char *line = text + pos;
        size_t line_len = end - pos;
        if (nl) *nl = '\0';
        pos = nl ? end + 1 : len;
        rc = clean_line(line, line_len, &li);
        if (rc != STELE_OK) {
            rc = oom(p);
            break;
        }
        /* Collapse white space so that headings compare exactly. */
        size_t k = 0;
        for (size_t i = 0; i < li.text.n; i++) {
            unsigned char ch = (unsigned char)li.text.p[i];
            if (ch <= 0x20) {
                if (k > 0 && li.text.p[k - 1] != ' ') li.text.p[k++] = ' ';
            } else {
                li.text.p[k++] = (char)ch;
            }
        }
        while (k > 0 && li.text.p[k - 1] == ' ')
            k--;
        li.text.n = k;
        li.text.p[k] = '\0';
        if (k == 0) continue; /* blank, or markup only ("* * *") */

        rc = heading(p, &li, line_no);
        if (rc == 1) {
            /* A heading that is not waiting for its title started its
             * document; one that is cites nothing worth keeping. */
            if (!p->want_title) own_refs(p, &li);
            rc = STELE_OK;
            continue;
        }
        if (rc != STELE_OK) break;
        if (p->want_title && !li.is_footnote) {
            rc = finish_pending(p, li.text.p, line_no);
            own_refs(p, &li);
            continue;
        }
        if (p->want_title) {
            rc = finish_pending(p, NULL, line_no);
            if (rc != STELE_OK) break;
        }
        rc = li.is_footnote ? footnote_line(p, &li, line_no) : body_line(p, &li, line_no);
        own_refs(p, &li);
    }
    free(li.text.p);
    if (rc == STELE_OK && p->want_title) rc = finish_pending(p, NULL, line_no);
    if (rc == STELE_OK) rc = flush_open(p);
    if (rc == STELE_OK) rc = place_footnotes(p);
    return rc;
}

int st_ingest_resolutions(st_corpus *c, const char *path, st_err *err)
{
    char *text;
    size_t len;
    int rc = st_read_text_file(c, path, &text, &len, err);
    if (rc != STELE_OK) return rc;
    parser *p = calloc(1, sizeof *p);
    if (!p) {
        free(text);
        st_err_set(err, "%s: out of memory", path);
        return STELE_ENOMEM;
    }
    p->c = c;
    p->path = path;
    p->base = st_path_base(path);
    p->err = err;
    rc = parse(p, text, len);
    for (size_t i = 0; i < p->n_notes; i++)
        free(p->notes[i].text);
    free(p->notes);
    free(p->open_text.p);
    free(p);
    free(text);
    return rc;
}
