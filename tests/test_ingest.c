/*
 * test_ingest.c: ingestion of the bundled corpus and of the generic inputs.
 *
 * Usage: test_ingest CORPUS_DIR DATA_DIR, where CORPUS_DIR is the
 * repository's corpus/ and DATA_DIR holds the small inputs of
 * tests/data/ingest/.  The corpus checks run over the real files: which
 * documents exist and with which titles, operative paragraph and footnote
 * numbering, the page-break joins, that no markup is left, and that no
 * source line is lost.  The last check is written independently of the
 * ingester: it strips markup by its own rules, then requires every
 * non-blank line of every file in the paragraphs of that file's documents,
 * and for each duplicate that st_corpus_finish() dropped it requires every
 * paragraph either in the kept copy or, where the texts differ, both
 * readings quoted in the kept document's note.
 */
#include "doc.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int n_failed, n_checks;

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        n_checks++;                                                                                \
        if (!(cond)) {                                                                             \
            n_failed++;                                                                            \
            fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, __LINE__, #cond);               \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
        }                                                                                          \
    } while (0)

static const char *corpus_dir, *data_dir;

/* ---- helpers ---- */

static char *join_path(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (!p) abort();
    snprintf(p, n, "%s/%s", dir, name);
    return p;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The corpus files, sorted; NULL-terminated. */
static char **corpus_files(size_t *n_out)
{
    DIR *dir = opendir(corpus_dir);
    if (!dir) {
        fprintf(stderr, "cannot open corpus directory %s\n", corpus_dir);
        exit(1);
    }
    char **files = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(dir))) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 4, ".txt")) continue;
        files = realloc(files, (n + 2) * sizeof *files);
        if (!files) abort();
        files[n++] = join_path(corpus_dir, e->d_name);
    }
    closedir(dir);
    if (!files) {
        fprintf(stderr, "no .txt files in %s\n", corpus_dir);
        exit(1);
    }
    qsort(files, n, sizeof *files, cmp_str);
    files[n] = NULL;
    *n_out = n;
    return files;
}

static void free_files(char **files)
{
    for (size_t i = 0; files[i]; i++)
        free(files[i]);
    free(files);
}

static void load_corpus(st_corpus *c, int finish)
{
    size_t n;
    char **files = corpus_files(&n);
    CHECK(st_corpus_init(c) == STELE_OK, "init");
    for (size_t i = 0; i < n; i++) {
        st_err err = {{0}};
        int rc = st_ingest(c, files[i], ST_FORMAT_RESOLUTIONS, &err);
        CHECK(rc == STELE_OK, "%s: %s", files[i], err.msg);
    }
    if (finish) {
        st_err err = {{0}};
        CHECK(st_corpus_finish(c, &err) == STELE_OK, "finish: %s", err.msg);
    }
    free_files(files);
}

static const st_doc *find_doc(const st_corpus *c, const char *id)
{
    for (size_t i = 0; i < c->n_docs; i++)
        if (!strcmp(c->docs[i].id, id)) return &c->docs[i];
    return NULL;
}

static size_t count_id(const st_corpus *c, const char *id)
{
    size_t n = 0;
    for (size_t i = 0; i < c->n_docs; i++)
        n += !strcmp(c->docs[i].id, id);
    return n;
}

static size_t count_kind(const st_doc *d, unsigned kind)
{
    size_t n = 0;
    for (size_t i = 0; i < d->n_paras; i++)
        n += d->paras[i].kind == kind;
    return n;
}

static const st_para *para_containing(const st_doc *d, const char *needle)
{
    for (size_t i = 0; i < d->n_paras; i++)
        if (strstr(d->paras[i].text, needle)) return &d->paras[i];
    return NULL;
}

static const st_para *nth_of_kind(const st_doc *d, unsigned kind, size_t rank)
{
    for (size_t i = 0; i < d->n_paras; i++)
        if (d->paras[i].kind == kind && rank-- == 0) return &d->paras[i];
    return NULL;
}

/* ---- the corpus ---- */

static void test_documents_and_titles(void)
{
    st_corpus c;
    load_corpus(&c, 1);
    static const char *const ids[] = {"54/5", "55/1", "55/2", "55/3",  "55/4",  "55/5",  "55/6",
                                      "55/7", "55/8", "55/9", "55/10", "55/11", "55/12", "59/4"};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
        CHECK(count_id(&c, ids[i]) == 1, "resolution %s found %zu times", ids[i],
              count_id(&c, ids[i]));
    static const char *const titles[][2] = {
        {"55/12", "Alternatives to imprisonment for certain offences as demand reduction "
                  "strategies that promote public health and public safety"},
        {"55/2", "Promoting programmes aimed at the treatment, rehabilitation and reintegration "
                 "of drug-dependent persons released from prison settings"},
        {"59/4", "Development and dissemination of international standards for the treatment of "
                 "drug use disorders"},
        {"55/3", "One hundredth anniversary of the International Opium Convention"},
        {"55/7", "Promoting measures to prevent drug overdose, in particular opioid overdose"},
        {"decision I", "Report of the Commission on Narcotic Drugs on its fifty-fifth session and "
                       "provisional agenda for its fifty-sixth session"},
        {"decision II", "Report of the International Narcotics Control Board"},
        {"decision I/agenda",
         "Provisional agenda for the fifty-sixth session of the Commission on Narcotic Drugs"},
        {"report/chapter I", "Matters calling for action by the Economic and Social Council or "
                             "brought to its attention"},
        {"report/chapter I A",
         "A. Draft decisions for adoption by the Economic and Social Council"},
        {"report/chapter I B",
         "B. Matters brought to the attention of the Economic and Social Council"},
    };
    for (size_t i = 0; i < sizeof titles / sizeof titles[0]; i++) {
        const st_doc *d = find_doc(&c, titles[i][0]);
        CHECK(d != NULL, "no document %s", titles[i][0]);
        if (!d) continue;
        CHECK(!strcmp(d->title, titles[i][1]), "%s title is \"%s\"", d->id, d->title);
        CHECK(d->n_paras > 0 && d->paras[0].kind == STELE_PARA_TITLE &&
                  d->paras[0].field == ST_FIELD_TITLE && !strcmp(d->paras[0].text, d->title),
              "%s paragraph 0 is not the title", d->id);
    }
    /* The heading line keeps the symbol searchable in its own document. */
    const st_doc *d = find_doc(&c, "55/12");
    CHECK(d && d->n_paras > 1 && d->paras[1].kind == STELE_PARA_HEADING &&
              !strcmp(d->paras[1].text, "Resolution 55/12"),
          "55/12 heading paragraph");
    /* Every document has a source "file:line". */
    for (size_t i = 0; i < c.n_docs; i++)
        CHECK(strstr(c.docs[i].source, ".txt:") != NULL, "%s source \"%s\"", c.docs[i].id,
              c.docs[i].source);
    CHECK(c.n_invalid_utf8 == 0, "corpus has %zu invalid bytes", c.n_invalid_utf8);
    st_corpus_free(&c);
}

static void test_paragraph_kinds_and_numbers(void)
{
    st_corpus c;
    load_corpus(&c, 1);
    static const struct {
        const char *id;
        size_t n_operative, n_preamble;
    } counts[] = {{"55/12", 7, 14}, {"55/1", 15, 12}, {"55/2", 9, 8},
                  {"59/4", 10, 12}, {"54/5", 11, 12}, {"55/5", 17, 15}};
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
        const st_doc *d = find_doc(&c, counts[i].id);
        CHECK(d != NULL, "no %s", counts[i].id);
        if (!d) continue;
        CHECK(count_kind(d, STELE_PARA_OPERATIVE) == counts[i].n_operative,
              "%s has %zu operative paragraphs", d->id, count_kind(d, STELE_PARA_OPERATIVE));
        CHECK(count_kind(d, STELE_PARA_PREAMBLE) == counts[i].n_preamble,
              "%s has %zu preambular paragraphs", d->id, count_kind(d, STELE_PARA_PREAMBLE));
        /* Operative paragraphs are numbered 1..n in order, in field body. */
        for (size_t r = 0; r < counts[i].n_operative; r++) {
            const st_para *p = nth_of_kind(d, STELE_PARA_OPERATIVE, r);
            CHECK(p && p->number == r + 1 && p->field == ST_FIELD_BODY,
                  "%s operative %zu numbered %u", d->id, r + 1, p ? (unsigned)p->number : 0);
        }
        /* The opening formula is text, not preamble. */
        const st_para *opening = nth_of_kind(d, STELE_PARA_TEXT, 0);
        CHECK(opening && !strcmp(opening->text, "The Commission on Narcotic Drugs,"),
              "%s opening formula", d->id);
    }
    /* "- 1. Encourages" in 59/4: the number is the operative number. */
    const st_doc *d = find_doc(&c, "59/4");
    const st_para *p = d ? nth_of_kind(d, STELE_PARA_OPERATIVE, 0) : NULL;
    CHECK(p && !strncmp(p->text, "Encourages all Member States", 28), "59/4 op 1: %s",
          p ? p->text : "");
    /* The closing line belongs to the resolution, as text. */
    d = find_doc(&c, "55/2");
    p = d ? para_containing(d, "Plenary Meeting") : NULL;
    CHECK(p && p->kind == STELE_PARA_TEXT && !strcmp(p->text, "9th Plenary Meeting 16 March 2012"),
          "55/2 closing line");
    /* Draft decision items are operative, numbered by letter. */
    d = find_doc(&c, "decision I");
    p = d ? nth_of_kind(d, STELE_PARA_OPERATIVE, 1) : NULL;
    CHECK(p && p->number == 2 && !strncmp(p->text, "(b) Approves the provisional agenda", 35),
          "decision I (b)");
    /* Agenda items are headings with their number. */
    d = find_doc(&c, "decision I/agenda");
    p = d ? para_containing(d, "Election of officers.") : NULL;
    CHECK(p && p->kind == STELE_PARA_HEADING && p->number == 1 &&
              !strcmp(p->text, "Election of officers."),
          "agenda item 1");
    p = d ? para_containing(d, "Adoption of the report of the Commission") : NULL;
    CHECK(p && p->number == 11, "agenda item 11");
    p = d ? para_containing(d, "Operational segment") : NULL;
    CHECK(p && p->kind == STELE_PARA_HEADING && p->number == 0, "agenda segment heading");
    /* Report text keeps the report's paragraph number. */
    d = find_doc(&c, "report/chapter I B");
    p = d ? nth_of_kind(d, STELE_PARA_TEXT, 0) : NULL;
    CHECK(p && p->number == 2 && !strncmp(p->text, "The following resolutions adopted", 33),
          "report paragraph 2");
    st_corpus_free(&c);
}

static void test_footnotes(void)
{
    st_corpus c;
    load_corpus(&c, 1);
    static const struct {
        const char *id;
        uint32_t first, last;
    } notes[] = {{"54/5", 19, 24}, {"59/4", 1, 6},   {"55/2", 1, 4},   {"55/12", 1, 5},
                 {"55/1", 2, 6},   {"55/3", 11, 20}, {"55/4", 21, 32}, {"decision II", 1, 1}};
    for (size_t i = 0; i < sizeof notes / sizeof notes[0]; i++) {
        const st_doc *d = find_doc(&c, notes[i].id);
        CHECK(d != NULL, "no %s", notes[i].id);
        if (!d) continue;
        size_t want = notes[i].last - notes[i].first + 1;
        CHECK(count_kind(d, STELE_PARA_FOOTNOTE) == want, "%s has %zu footnotes", d->id,
              count_kind(d, STELE_PARA_FOOTNOTE));
        int seen_footnote = 0;
        for (size_t k = 0; k < d->n_paras; k++) {
            const st_para *p = &d->paras[k];
            if (p->kind == STELE_PARA_FOOTNOTE) {
                seen_footnote = 1;
                CHECK(p->field == ST_FIELD_FOOTNOTE, "%s footnote field", d->id);
            } else {
                /* Footnotes are kept apart, after the body. */
                CHECK(!seen_footnote, "%s: body paragraph after a footnote", d->id);
            }
        }
        for (size_t r = 0; r < want; r++) {
            const st_para *p = nth_of_kind(d, STELE_PARA_FOOTNOTE, r);
            CHECK(p && p->number == notes[i].first + r, "%s footnote %zu numbered %u", d->id, r,
                  p ? (unsigned)p->number : 0);
        }
    }
    /* Real numbers survive in footnotes. */
    const st_doc *d = find_doc(&c, "59/4");
    const st_para *p = d ? nth_of_kind(d, STELE_PARA_FOOTNOTE, 0) : NULL;
    CHECK(p && !strcmp(p->text, "Ibid., vol. 976, No. 14152."), "59/4 footnote 1: %s",
          p ? p->text : "");
    /* Footnotes 17-20 stand after the heading of 55/4 but are cited by 55/3. */
    d = find_doc(&c, "55/3");
    CHECK(d && para_containing(d, "vols. 2225, 2237, 2241 and 2326"), "55/3 owns footnote 18");
    st_corpus_free(&c);
}

static void test_joins_and_markers(void)
{
    st_corpus c;
    load_corpus(&c, 1);
    static const char *const joined[][2] = {
        {"59/4", "programmes that promote psychosocial, behavioural and medication-assisted"},
        {"55/12", "alternatives to imprisonment has, for some Member States"},
        {"55/12", "imprisonment of drug-using offenders is not provided"},
        {"55/12", "with a view to identifying and developing cost-effective, evidence-based"},
        {"59/4", "in particular the World Health Organization, to disseminate the international"},
        {"54/5", "to improve rehabilitation and reintegration services that are directed"},
        {"55/2", "early detection and intervention, treatment, care, rehabilitation"},
        {"55/3", "thirteen States, namely, Austria-Hungary, China,"},
        {"55/5", "All Forms of Discrimination Against Women, and in specific"},
        {"55/5", "as well as the United Nations Rules for the Treatment of Women Prisoners"},
        {"55/11", "previous years, and acknowledging the strong link"},
        {"55/4", "integral and sustainable alternative development, which includes"},
    };
    for (size_t i = 0; i < sizeof joined / sizeof joined[0]; i++) {
        const st_doc *d = find_doc(&c, joined[i][0]);
        CHECK(d && para_containing(d, joined[i][1]), "%s lacks \"%s\"", joined[i][0], joined[i][1]);
    }
    /* The joined paragraph is one preambular paragraph, not two. */
    const st_doc *d = find_doc(&c, "59/4");
    const st_para *p = d ? para_containing(d, "programmes that promote psychosocial") : NULL;
    CHECK(p && p->kind == STELE_PARA_PREAMBLE &&
              !strncmp(p->text, "Convinced of the importance", 27),
          "59/4 joined paragraph");
    p = d ? para_containing(d, "disseminate the international standards") : NULL;
    CHECK(p && p->kind == STELE_PARA_OPERATIVE && p->number == 9, "59/4 op 9 joined");
    /* Bare-digit markers removed, the paragraph otherwise intact. */
    p = d ? nth_of_kind(d, STELE_PARA_PREAMBLE, 0) : NULL;
    size_t n = p ? p->len : 0;
    CHECK(p && n >= 15 && !strcmp(p->text + n - 15, "tances of 1988,"), "59/4 marker 3");
    p = d ? para_containing(d, "Agenda for Sustainable Development") : NULL;
    CHECK(p && p->len >= 13 && !strcmp(p->text + p->len - 13, "Development\","),
          "59/4 marker 6: %s", p ? p->text : "");
    /* Superscripts go without leaving double spaces. */
    d = find_doc(&c, "54/5");
    CHECK(d &&
              para_containing(d, "Narcotic Drugs of 1961, that Convention as amended by the 1972 "
                                 "Protocol, the Convention on Psychotropic Substances of 1971 and"),
          "54/5 superscripts");
    st_corpus_free(&c);
}

static int has_superscript(const char *s)
{
    for (; *s; s++) {
        const unsigned char *u = (const unsigned char *)s;
        if (u[0] == 0xc2 && (u[1] == 0xb2 || u[1] == 0xb3 || u[1] == 0xb9)) return 1;
        if (u[0] == 0xe2 && u[1] == 0x81 && (u[2] == 0xb0 || (u[2] >= 0xb4 && u[2] <= 0xb9)))
            return 1;
    }
    return 0;
}

static void test_no_markup(void)
{
    st_corpus c;
    load_corpus(&c, 1);
    for (size_t i = 0; i < c.n_docs; i++) {
        const st_doc *d = &c.docs[i];
        for (size_t k = 0; k < d->n_paras; k++) {
            const char *t = d->paras[k].text;
            CHECK(strlen(t) == d->paras[k].len, "%s: length", d->id);
            CHECK(!strchr(t, '*'), "%s: '*' in \"%.60s\"", d->id, t);
            CHECK(!strchr(t, '\n') && !strchr(t, '\r') && !strchr(t, '\t'), "%s: control char",
                  d->id);
            CHECK(!has_superscript(t), "%s: superscript in \"%.60s\"", d->id, t);
            CHECK(strncmp(t, "- ", 2) != 0, "%s: bullet in \"%.60s\"", d->id, t);
            size_t digits = strspn(t, "0123456789");
            CHECK(!(digits > 0 && t[digits] == '.' && t[digits + 1] == ' '),
                  "%s: number prefix in \"%.60s\"", d->id, t);
            CHECK(k == 0 || d->paras[k].len > 0, "%s: empty paragraph", d->id);
            CHECK(d->paras[k].len == 0 || (t[0] != ' ' && t[d->paras[k].len - 1] != ' '),
                  "%s: untrimmed", d->id);
            CHECK(!strstr(t, "  "), "%s: double space in \"%.60s\"", d->id, t);
        }
    }
    st_corpus_free(&c);
}

/* ---- no line lost ---- */

/* The test's own markup removal: '*' emphasis, superscript markers, a
 * leading bullet "- " and a leading "N. " number, a bare-digit footnote
 * marker ending the line after a comma or ",\"" / "\",", and runs of
 * spaces.  Returns a malloc'd string. */
static char *strip_markup(const char *line)
{
    size_t n = strlen(line);
    char *out = malloc(n + 1), *o = out;
    if (!out) abort();
    const char *s = line;
    while (*s == ' ' || *s == '\t')
        s++;
    if (s[0] == '-' && s[1] == ' ') s += 2;
    while (*s == ' ')
        s++;
    size_t digits = strspn(s, "0123456789");
    if (digits > 0 && digits <= 3 && s[digits] == '.' && s[digits + 1] == ' ') s += digits + 2;
    for (; *s; s++) {
        const unsigned char *u = (const unsigned char *)s;
        if (*s == '*') continue;
        if (u[0] == 0xc2 && (u[1] == 0xb2 || u[1] == 0xb3 || u[1] == 0xb9)) {
            s += 1;
            continue;
        }
        if (u[0] == 0xe2 && u[1] == 0x81 && (u[2] == 0xb0 || (u[2] >= 0xb4 && u[2] <= 0xb9))) {
            s += 2;
            continue;
        }
        if (*s == ' ' || *s == '\t') {
            if (o > out && o[-1] != ' ') *o++ = ' ';
            continue;
        }
        *o++ = *s;
    }
    while (o > out && o[-1] == ' ')
        o--;
    *o = '\0';
    /* Trailing bare marker: ", 3" or "\",6". */
    size_t len = (size_t)(o - out), k = len;
    while (k > 0 && out[k - 1] >= '0' && out[k - 1] <= '9')
        k--;
    if (k < len && len - k <= 3) {
        size_t m = k > 0 && out[k - 1] == ' ' ? k - 1 : k;
        if ((m >= 1 && out[m - 1] == ',') || (m >= 2 && out[m - 2] == ',' && out[m - 1] == '"'))
            out[m] = '\0';
    }
    return out;
}

static int text_in_corpus(const st_corpus *c, size_t from_doc, const char *text)
{
    for (size_t i = from_doc; i < c->n_docs; i++)
        for (size_t k = 0; k < c->docs[i].n_paras; k++)
            if (strstr(c->docs[i].paras[k].text, text)) return 1;
    return 0;
}

static void test_no_line_lost(void)
{
    size_t n_files;
    char **files = corpus_files(&n_files);
    st_corpus all;
    load_corpus(&all, 1);
    size_t total_docs = 0, n_lines_checked = 0;
    for (size_t f = 0; f < n_files; f++) {
        st_corpus one;
        st_err err = {{0}};
        CHECK(st_corpus_init(&one) == STELE_OK, "init");
        CHECK(st_ingest(&one, files[f], ST_FORMAT_RESOLUTIONS, &err) == STELE_OK, "%s", err.msg);
        total_docs += one.n_docs;
        FILE *fp = fopen(files[f], "rb");
        CHECK(fp != NULL, "open %s", files[f]);
        if (!fp) continue;
        char line[8192];
        unsigned line_no = 0;
        while (fgets(line, sizeof line, fp)) {
            line_no++;
            line[strcspn(line, "\r\n")] = '\0';
            char *clean = strip_markup(line);
            if (clean[0]) {
                n_lines_checked++;
                CHECK(text_in_corpus(&one, 0, clean), "%s:%u lost: \"%.80s\"", files[f], line_no,
                      clean);
            }
            free(clean);
        }
        fclose(fp);

        /* Documents of this file that the merge dropped. */
        const char *base = st_path_base(files[f]);
        for (size_t i = 0; i < one.n_docs; i++) {
            const st_doc *dropped = &one.docs[i];
            const st_doc *kept = find_doc(&all, dropped->id);
            CHECK(kept != NULL, "%s vanished from the merged corpus", dropped->id);
            if (!kept || !strcmp(kept->source, dropped->source)) continue;
            /* Dropped: the note names this copy's source ... */
            CHECK(kept->note && strstr(kept->note, dropped->source), "%s: note lacks %s", kept->id,
                  dropped->source);
            CHECK(strncmp(kept->source, base, strlen(base)) != 0, "%s kept from the same file",
                  kept->id);
            if (!kept->note) continue;
            /* ... and each paragraph is in the kept copy or its differing
             * words are quoted in the note. */
            for (size_t k = 0; k < dropped->n_paras; k++) {
                const st_para *p = &dropped->paras[k];
                int found = 0;
                for (size_t j = 0; j < kept->n_paras && !found; j++)
                    found = !strcmp(kept->paras[j].text, p->text);
                if (found) continue;
                size_t rank = 0;
                for (size_t j = 0; j < k; j++)
                    rank += dropped->paras[j].kind == p->kind;
                const st_para *q = nth_of_kind(kept, p->kind, rank);
                if (!q) {
                    CHECK(strstr(kept->note, p->text) != NULL, "%s: paragraph only in %s lost",
                          kept->id, dropped->source);
                    continue;
                }
                size_t pre = 0, suf = 0;
                while (p->text[pre] && p->text[pre] == q->text[pre])
                    pre++;
                while (suf < p->len - pre && suf < q->len - pre &&
                       p->text[p->len - 1 - suf] == q->text[q->len - 1 - suf])
                    suf++;
                char theirs[256], ours[256];
                snprintf(theirs, sizeof theirs, "%.*s", (int)(p->len - pre - suf), p->text + pre);
                snprintf(ours, sizeof ours, "%.*s", (int)(q->len - pre - suf), q->text + pre);
                CHECK(strstr(kept->note, theirs) && strstr(kept->note, ours),
                      "%s: difference \"%s\" / \"%s\" not in the note \"%s\"", kept->id, theirs,
                      ours, kept->note);
            }
        }
        st_corpus_free(&one);
    }
    CHECK(n_lines_checked > 500, "only %zu lines checked", n_lines_checked);
    /* Exactly the two duplicates (55/2, 55/12) were merged away. */
    CHECK(all.n_docs + 2 == total_docs, "%zu documents after merge, %zu before", all.n_docs,
          total_docs);
    const st_doc *d = find_doc(&all, "55/2");
    CHECK(d && strstr(d->source, "cnd-resolution-55-2.txt") && d->note &&
              strstr(d->note, "\"1961\" here, \"1953\" there"),
          "55/2 keeps the standalone 1961 reading");
    d = find_doc(&all, "55/12");
    CHECK(d && strstr(d->source, "cnd-resolution-55-12.txt") && d->note &&
              strstr(d->note, "\"1954\" here, \"1961\" there"),
          "55/12 records the report's 1961 reading");
    st_corpus_free(&all);
    free_files(files);
}

/* ---- generic inputs ---- */

static int ingest_data(st_corpus *c, const char *name, int format, st_err *err)
{
    char *path = join_path(data_dir, name);
    int rc = st_ingest(c, path, format, err);
    free(path);
    return rc;
}

static void test_plain_text(void)
{
    st_corpus c;
    st_err err = {{0}};
    CHECK(st_corpus_init(&c) == STELE_OK, "init");
    CHECK(ingest_data(&c, "plain.txt", ST_FORMAT_TEXT, &err) == STELE_OK, "%s", err.msg);
    CHECK(c.n_docs == 1, "%zu docs", c.n_docs);
    if (c.n_docs == 1) {
        const st_doc *d = &c.docs[0];
        CHECK(!strcmp(d->id, "plain"), "id %s", d->id);
        CHECK(!strcmp(d->title, "Treatment in prison settings"), "title \"%s\"", d->title);
        CHECK(d->n_paras == 3, "%zu paragraphs", d->n_paras);
        if (d->n_paras == 3) {
            CHECK(!strcmp(d->paras[1].text,
                          "This first paragraph is wrapped over three lines of the file."),
                  "para 1 \"%s\"", d->paras[1].text);
            CHECK(d->paras[1].kind == STELE_PARA_TEXT && d->paras[1].field == ST_FIELD_BODY,
                  "kind");
            CHECK(d->paras[1].src_line == 4 && d->paras[2].src_line == 9, "lines %u %u",
                  (unsigned)d->paras[1].src_line, (unsigned)d->paras[2].src_line);
            CHECK(!strncmp(d->paras[2].text, "Second paragraph", 16), "para 2");
        }
    }
    st_corpus_free(&c);
}

static void test_jsonl(void)
{
    st_corpus c;
    st_err err = {{0}};
    CHECK(st_corpus_init(&c) == STELE_OK, "init");
    CHECK(ingest_data(&c, "records.jsonl", ST_FORMAT_JSONL, &err) == STELE_OK, "%s", err.msg);
    CHECK(c.n_docs == 3, "%zu docs", c.n_docs);
    int summary = st_corpus_field(&c, "summary"), country = st_corpus_field(&c, "country");
    int year = st_corpus_field(&c, "year"), tags = st_corpus_field(&c, "tags");
    CHECK(summary == 3 && year == 4 && tags == 5 && country == 6,
          "fields summary=%d year=%d tags=%d country=%d", summary, year, tags, country);
    CHECK(c.n_fields == 7, "%zu fields (a null member must not add a field)", c.n_fields);
    if (c.n_docs == 3) {
        const st_doc *d = &c.docs[0];
        CHECK(!strcmp(d->id, "r1") && !strcmp(d->title, "First record"), "r1");
        /* Numbers are text, an array gives one paragraph per element. */
        CHECK(d->n_paras == 7, "r1 has %zu paragraphs", d->n_paras);
        if (d->n_paras == 7) {
            CHECK(d->paras[4].field == year && !strcmp(d->paras[4].text, "2012"), "r1 year");
            CHECK(d->paras[5].field == tags && !strcmp(d->paras[5].text, "a") &&
                      d->paras[6].field == tags && !strcmp(d->paras[6].text, "b"),
                  "r1 tags");
            CHECK(!strcmp(d->paras[1].text, "Body one.") &&
                      !strcmp(d->paras[2].text, "Body two, wrapped."),
                  "r1 body split and joined: \"%s\" \"%s\"", d->paras[1].text, d->paras[2].text);
            CHECK(d->paras[3].field == summary && d->paras[3].kind == STELE_PARA_FIELD &&
                      !strcmp(d->paras[3].text, "A short summary."),
                  "r1 summary");
        }
        d = &c.docs[1];
        CHECK(!strcmp(d->id, "3"), "missing id becomes the line number, got %s", d->id);
        CHECK(d->n_paras == 3 && d->paras[2].field == country, "country field");
        d = &c.docs[2];
        CHECK(!strcmp(d->id, "r3") && d->n_paras == 2 && d->paras[1].field == summary, "r3");
    }
    st_corpus_free(&c);
}

static void expect_malformed(const char *name, const char *where, const char *what)
{
    st_corpus c;
    st_err err = {{0}};
    CHECK(st_corpus_init(&c) == STELE_OK, "init");
    int rc = ingest_data(&c, name, ST_FORMAT_JSONL, &err);
    CHECK(rc == STELE_EINPUT, "%s: rc %d", name, rc);
    CHECK(strstr(err.msg, where) != NULL, "%s: message \"%s\" lacks \"%s\"", name, err.msg, where);
    CHECK(strstr(err.msg, what) != NULL, "%s: message \"%s\" lacks \"%s\"", name, err.msg, what);
    /* The lines before are in, nothing of the bad line or after. */
    CHECK(c.n_docs == 1 && !strcmp(c.docs[0].id, "ok1"), "%s: %zu docs", name, c.n_docs);
    st_corpus_free(&c);
}

static void test_jsonl_errors(void)
{
    expect_malformed("bad-json.jsonl", "bad-json.jsonl:2:", "invalid JSON");
    expect_malformed("not-object.jsonl", "not-object.jsonl:2:", "expected a JSON object");
    expect_malformed("id-not-string.jsonl",
                     "id-not-string.jsonl:3:", "\"id\" must be a string or an integer");
    expect_malformed("body-not-string.jsonl",
                     "body-not-string.jsonl:2:", "\"body\" is an object, which has no text");
    expect_malformed("duplicate-key.jsonl", "duplicate-key.jsonl:2:", "duplicate");

    st_corpus c;
    st_err err = {{0}};
    CHECK(st_corpus_init(&c) == STELE_OK, "init");
    int rc = ingest_data(&c, "no-such-file.jsonl", ST_FORMAT_JSONL, &err);
    CHECK(rc == STELE_EIO && strstr(err.msg, "no-such-file.jsonl"), "missing file: %d %s", rc,
          err.msg);
    rc = ingest_data(&c, "plain.txt", 99, &err);
    CHECK(rc == STELE_EINVAL, "unknown format: %d", rc);
    st_corpus_free(&c);
}

static void test_invalid_utf8(void)
{
    st_corpus c;
    st_err err = {{0}};
    CHECK(st_corpus_init(&c) == STELE_OK, "init");
    CHECK(ingest_data(&c, "invalid-utf8.txt", ST_FORMAT_TEXT, &err) == STELE_OK, "%s", err.msg);
    CHECK(c.n_invalid_utf8 == 9, "%zu invalid bytes counted", c.n_invalid_utf8);
    if (c.n_docs == 1 && c.docs[0].n_paras == 2) {
        const st_doc *d = &c.docs[0];
        CHECK(!strcmp(d->title, "Bad \xef\xbf\xbd bytes"), "title \"%s\"", d->title);
        CHECK(
            !strcmp(d->paras[1].text,
                    "Latin \xef\xbf\xbd( and overlong \xef\xbf\xbd\xef\xbf\xbd and surrogate "
                    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd end. Truncated \xef\xbf\xbd\xef\xbf\xbd "
                    "valid caf\xc3\xa9 stays."),
            "text \"%s\"", d->paras[1].text);
    } else {
        CHECK(0, "%zu docs", c.n_docs);
    }
    size_t before = c.n_invalid_utf8;
    CHECK(ingest_data(&c, "invalid-utf8.jsonl", ST_FORMAT_JSONL, &err) == STELE_OK, "%s", err.msg);
    CHECK(c.n_invalid_utf8 == before + 2, "jsonl: %zu", c.n_invalid_utf8 - before);
    const st_doc *d = find_doc(&c, "u1");
    CHECK(d && !strcmp(d->title, "Bad \xef\xbf\xbd byte") && d->n_paras == 2 &&
              !strcmp(d->paras[1].text, "caf\xc3\xa9 and \xef\xbf\xbd("),
          "jsonl replaced");
    before = c.n_invalid_utf8;
    CHECK(ingest_data(&c, "invalid-utf8-resolution.txt", ST_FORMAT_RESOLUTIONS, &err) == STELE_OK,
          "%s", err.msg);
    CHECK(c.n_invalid_utf8 == before + 1, "resolutions: %zu", c.n_invalid_utf8 - before);
    d = find_doc(&c, "1/1");
    CHECK(d && !strcmp(d->title, "A title with a bad \xef\xbf\xbd byte") &&
              count_kind(d, STELE_PARA_OPERATIVE) == 1,
          "resolution with a bad byte");
    st_corpus_free(&c);
}

/* CRLF line ends, text before the first heading, a footnote splitting a
 * paragraph, a bulleted lettered item, a heading without a title. */
static void test_resolution_edges(void)
{
    st_corpus c;
    st_err err = {{0}};
    CHECK(st_corpus_init(&c) == STELE_OK, "init");
    CHECK(ingest_data(&c, "edge-resolutions.txt", ST_FORMAT_RESOLUTIONS, &err) == STELE_OK, "%s",
          err.msg);
    CHECK(c.n_docs == 3, "%zu docs", c.n_docs);
    const st_doc *d = find_doc(&c, "edge-resolutions");
    CHECK(d && !strcmp(d->title, "Preface before any heading") && d->n_paras == 2 &&
              !strcmp(d->paras[1].text, "It has no symbol but two lines."),
          "preface document");
    d = find_doc(&c, "7/3");
    CHECK(d && !strcmp(d->title, "A title") && d->paras[0].src_line == 9, "7/3 title");
    CHECK(d && para_containing(d, "Noting the first part of a split paragraph,") &&
              count_kind(d, STELE_PARA_PREAMBLE) == 1,
          "7/3 join");
    const st_para *p = d ? nth_of_kind(d, STELE_PARA_OPERATIVE, 1) : NULL;
    CHECK(p && p->number == 1 && !strcmp(p->text, "(a) with a lettered item;"), "7/3 item (a)");
    p = d ? nth_of_kind(d, STELE_PARA_FOOTNOTE, 0) : NULL;
    CHECK(p && p->number == 1 && !strcmp(p->text, "A footnote.") && p == &d->paras[d->n_paras - 1],
          "7/3 footnote last");
    d = find_doc(&c, "7/4");
    CHECK(d && !strcmp(d->title, "Resolution 7/4") && d->n_paras == 1, "7/4 without title");
    st_corpus_free(&c);
}

/* Two text files with one id: an error naming both places by default; with
 * keep-first or keep-last one copy stays, in the place of the first. */
static void ingest_dups(st_corpus *c, int on_duplicate)
{
    st_err err = {{0}};
    CHECK(st_corpus_init(c) == STELE_OK, "init");
    c->on_duplicate = on_duplicate;
    CHECK(ingest_data(c, "dup-a/same.txt", ST_FORMAT_TEXT, &err) == STELE_OK, "%s", err.msg);
    CHECK(ingest_data(c, "plain.txt", ST_FORMAT_TEXT, &err) == STELE_OK, "%s", err.msg);
    CHECK(ingest_data(c, "dup-b/same.txt", ST_FORMAT_TEXT, &err) == STELE_OK, "%s", err.msg);
    CHECK(c->n_docs == 3, "%zu docs", c->n_docs);
}

static void test_merge_generic(void)
{
    st_corpus c;
    st_err err = {{0}};
    ingest_dups(&c, STELE_DUP_ERROR);
    CHECK(st_corpus_finish(&c, &err) == STELE_EINPUT, "a duplicate text id must be an error");
    CHECK(strstr(err.msg, "duplicate id \"same\"") && strstr(err.msg, "dup-a/same.txt:1") &&
              strstr(err.msg, "dup-b/same.txt:1"),
          "message \"%s\" names both places", err.msg);
    st_corpus_free(&c);

    const char *want_title[] = {"Same id, short copy", "Same id, long copy"};
    for (int keep_last = 0; keep_last <= 1; keep_last++) {
        ingest_dups(&c, keep_last ? STELE_DUP_KEEP_LAST : STELE_DUP_KEEP_FIRST);
        CHECK(st_corpus_finish(&c, &err) == STELE_OK, "%s", err.msg);
        CHECK(c.n_docs == 2 && c.n_duplicates == 1, "%zu docs after keep", c.n_docs);
        if (c.n_docs == 2) {
            CHECK(!strcmp(c.docs[0].id, "same") && !strcmp(c.docs[0].title, want_title[keep_last]),
                  "kept \"%s\"", c.docs[0].title);
            CHECK(!strcmp(c.docs[1].id, "plain"), "order");
        }
        st_corpus_free(&c);
    }
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s CORPUS_DIR DATA_DIR\n", argv[0]);
        return 2;
    }
    corpus_dir = argv[1];
    data_dir = argv[2];
    test_documents_and_titles();
    test_paragraph_kinds_and_numbers();
    test_footnotes();
    test_joins_and_markers();
    test_no_markup();
    test_no_line_lost();
    test_plain_text();
    test_jsonl();
    test_jsonl_errors();
    test_invalid_utf8();
    test_resolution_edges();
    test_merge_generic();
    printf("%d checks, %d failed\n", n_checks, n_failed);
    return n_failed ? 1 : 0;
}
