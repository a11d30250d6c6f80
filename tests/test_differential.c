/*
 * test_differential.c: the query runtime against a brute-force reference.
 *
 * Usage: test_differential CORPUS_DIR SCRATCH_INDEX [--nostem] [--split]
 *                          [--snippets] [N_QUERIES [SEED]]
 *
 * The bundled corpus is ingested and indexed as the builder does it, and
 * also turned into the reference model of refmodel.c (straight from the
 * text, never from the index).  First the index's statistics are checked
 * against the model: documents, their stored text, paragraphs and their
 * positions, norms, average field lengths, field weights, and every
 * term's df per field.
 * Then a fixed-seed generator draws query trees (terms frequent and rare,
 * numbers, symbols, words spelt folded, as written in the text or
 * capitalised, AND, OR, NOT and -x, a OR -b, nested groups, phrases taken
 * from the text and random ones, NEAR in both spellings, prefixes, field
 * scopes), prints each to query syntax and evaluates the tree itself.  For
 * every query the runtime must return the same matching set, the same
 * ranking, and BM25F scores within 1e-6 of the direct computation, for
 * max_hits covering all matches, for a small top-k (which exercises any
 * pruning) and for max_hits 0 (counting only), and each hit's best paragraph and match position
 * must be the ones the passage rules give (rq_passage).  One query in five runs with its own k1, b
 * and field weights through stele_query_opts.  A query the limits forbid must give STELE_ELIMIT.
 * On a mismatch the query and both result lists are printed.
 *
 * With --split the corpus is first cut into one document per paragraph,
 * twice over (tu_env_split_paragraphs), so that common terms' postings
 * span several bit-packed blocks with skip entries and many documents tie.
 *
 * With --nostem the index is rebuilt with language "none" and queries run
 * without a stemmer, the reference likewise.
 *
 * With --snippets it checks, besides, that stele_snippet accepts every
 * query stele_search accepted and gives a passage for every hit, first
 * for the queries the generator once found failing, kept as fixed
 * strings, then for the generated ones, where each passage is also
 * checked against the paragraph's text and the query's terms
 * (check_snippet_text).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "query.h"
#include "reader.h"
#include "refmodel.h"
#include "tutil.h"
#include "tsearch.h"

#define SCORE_EPS   1e-6
#define MAX_REPORTS 10

typedef struct ref_hit {
    uint32_t doc;
    double score;
} ref_hit;

static int cmp_ref_hit(const void *a, const void *b)
{
    const ref_hit *x = a, *y = b;
    if (x->score != y->score) return x->score > y->score ? -1 : 1;
    return x->doc < y->doc ? -1 : x->doc > y->doc;
}

static int close_enough(double a, double b)
{
    double scale = fabs(b) > 1.0 ? fabs(b) : 1.0;
    return fabs(a - b) <= SCORE_EPS * scale;
}

static int n_failures;
static int snippet_mode; /* --snippets: also every hit's snippet */

static void print_lists(const rm_model *m, const ref_hit *ref, size_t n_ref, const stele_hit *hits,
                        size_t n_hits)
{
    fprintf(stderr, "  reference (%zu):\n", n_ref);
    for (size_t i = 0; i < n_ref && i < 25; i++)
        fprintf(stderr, "    %2zu. doc %3u %-14s %.9f\n", i + 1, ref[i].doc,
                m->corpus->docs[ref[i].doc].id, ref[i].score);
    fprintf(stderr, "  runtime (%zu):\n", n_hits);
    for (size_t i = 0; i < n_hits && i < 25; i++)
        fprintf(stderr, "    %2zu. doc %3u %-14.*s %.9f\n", i + 1, hits[i].doc, (int)hits[i].id.len,
                hits[i].id.data ? hits[i].id.data : "", hits[i].score);
}

static void fail(const char *query, const char *why)
{
    n_failures++;
    if (n_failures <= MAX_REPORTS) fprintf(stderr, "MISMATCH: %s\n  query: %s\n", why, query);
}

/* ---- Index statistics against the model ------------------------------- */

static int check_stats(const tu_env *env, const rm_model *m)
{
    const stele_index *ix = &env->ix;
    stele_info info;
    int bad = 0;
    size_t doc_mem_size = stele_workspace_bound(ix, 0);
    void *doc_mem = malloc(doc_mem_size);
    if (!doc_mem) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    stele_index_info(ix, &info);
    if (info.n_docs != m->n_docs) {
        fprintf(stderr, "index has %u docs, corpus %u\n", info.n_docs, m->n_docs);
        free(doc_mem);
        return 1;
    }
    if (info.n_terms != m->terms.n) {
        fprintf(stderr, "index has %u terms, reference %u\n", info.n_terms, m->terms.n);
        bad++;
    }
    for (unsigned f = 0; f < m->n_fields; f++) {
        double avg = st_field_avg_len(ix, f);
        if (fabs(avg - m->avg[f]) > 1e-9 * (m->avg[f] + 1)) {
            fprintf(stderr, "field %u: avgL %.9f, reference %.9f\n", f, avg, m->avg[f]);
            bad++;
        }
        if (st_field_weight(ix, f) != m->weight[f]) {
            fprintf(stderr, "field %u: weight %g, design says %g\n", f, st_field_weight(ix, f),
                    m->weight[f]);
            bad++;
        }
    }
    for (uint32_t d = 0; d < m->n_docs && bad < 20; d++) {
        const st_doc *sd = &m->corpus->docs[d];
        const rm_doc *rd = &m->docs[d];
        stele_view id;
        if (stele_doc_id(ix, d, &id) != STELE_OK || id.len != strlen(sd->id) ||
            memcmp(id.data, sd->id, id.len) != 0) {
            fprintf(stderr, "doc %u: id differs from the corpus (%s)\n", d, sd->id);
            bad++;
        }
        for (unsigned f = 0; f < m->n_fields; f++) {
            uint8_t norm;
            if (st_doc_norm(ix, d, f, &norm) != STELE_OK || norm != st_norm_encode(rd->len[f])) {
                fprintf(stderr, "doc %u field %u: norm differs from encode(%u)\n", d, f,
                        rd->len[f]);
                bad++;
            }
        }
        /* The stored text: the paragraphs joined by '\n'. */
        static char text[1 << 20], want[1 << 20];
        size_t text_len = 0, want_len = 0;
        for (size_t p = 0; p < sd->n_paras && want_len + sd->paras[p].len + 1 < sizeof want; p++) {
            if (p) want[want_len++] = '\n';
            memcpy(want + want_len, sd->paras[p].text, sd->paras[p].len);
            want_len += sd->paras[p].len;
        }
        if (stele_doc_text(ix, d, doc_mem, doc_mem_size, text, sizeof text, &text_len) !=
                STELE_OK ||
            text_len != want_len || memcmp(text, want, want_len) != 0) {
            fprintf(stderr, "doc %u: stored text differs from its paragraphs\n", d);
            bad++;
        }
        uint32_t n_paras;
        if (st_para_count(ix, d, &n_paras) != STELE_OK || n_paras != rd->n_paras) {
            fprintf(stderr, "doc %u: paragraph count differs (%u)\n", d, rd->n_paras);
            bad++;
            continue;
        }
        for (uint32_t p = 0; p < n_paras; p++) {
            st_para_info pi;
            const rm_para *rp = &rd->paras[p];
            if (st_para_get(ix, d, p, &pi) != STELE_OK || pi.field != rp->field ||
                pi.kind != rp->kind || pi.number != rp->number || pi.n_tokens != rp->n_tokens ||
                (rp->n_tokens && pi.first_pos != rp->first_pos)) {
                fprintf(stderr,
                        "doc %u para %u: index (field %u kind %u number %u first %u n %u), "
                        "reference (field %u kind %u number %u first %u n %u)\n",
                        d, p, pi.field, pi.kind, pi.number, pi.first_pos, pi.n_tokens, rp->field,
                        rp->kind, rp->number, rp->first_pos, rp->n_tokens);
                bad++;
                break;
            }
        }
    }
    for (uint32_t t = 0; t < m->terms.n && bad < 20; t++) {
        st_term_info ti;
        const char *term = m->terms.str[t];
        if (st_dict_find(ix, term, strlen(term), &ti) != STELE_OK) {
            fprintf(stderr, "term '%s' missing from the dictionary\n", term);
            bad++;
            continue;
        }
        if (ti.df != m->df[t]) {
            fprintf(stderr, "term '%s': df %u, reference %u\n", term, ti.df, m->df[t]);
            bad++;
        }
        for (unsigned f = 0; f < m->n_fields; f++) {
            uint32_t df = (ti.field_mask >> f & 1) ? ti.list[f].df : 0;
            if (df != m->df_field[t][f]) {
                fprintf(stderr, "term '%s' field %u: df %u, reference %u\n", term, f, df,
                        m->df_field[t][f]);
                bad++;
            }
        }
    }
    free(doc_mem);
    if (bad) fprintf(stderr, "index statistics: %d differences from the reference model\n", bad);
    return bad != 0;
}

/* ---- Snippets ------------------------------------------------------- */

#define MARK_OPEN  "\x01"
#define MARK_CLOSE "\x02"
#define MARK_CUT   "\x03"

/*
 * Checks a snippet made with the marks above against the hit's paragraph:
 * without its marks and end ellipses it is a piece of the paragraph's text
 * that starts (ends) where the paragraph does unless an ellipsis says it
 * was cut there, no token is cut, the token at match_pos is inside, and
 * exactly the tokens rq_marks_token names are marked, each over its own
 * bytes.  0, or 1 with the reason in why.
 */
static int check_snippet_text(const rm_model *m, const rq_query *q, const stele_hit *h,
                              const char *snip, char *why, size_t why_cap)
{
    static char plain[4096];
    static size_t mark_lo[512], mark_hi[512];
    const st_para *para = &m->corpus->docs[h->doc].paras[h->para];
    const rm_para *rp = &m->docs[h->doc].paras[h->para];
    size_t n = strlen(snip), len = 0, n_marks = 0;
    int cut_start = n > 0 && snip[0] == MARK_CUT[0];
    int cut_end = n > (size_t)cut_start && snip[n - 1] == MARK_CUT[0];
    int open = 0;
    for (size_t i = (size_t)cut_start; i < n - (size_t)cut_end; i++) {
        char c = snip[i];
        if (c == MARK_OPEN[0] && !open && n_marks < 512) {
            open = 1;
            mark_lo[n_marks] = len;
        } else if (c == MARK_CLOSE[0] && open) {
            open = 0;
            mark_hi[n_marks++] = len;
        } else if (c == MARK_OPEN[0] || c == MARK_CLOSE[0] || c == MARK_CUT[0] ||
                   len + 1 >= sizeof plain) {
            snprintf(why, why_cap, "snippet marks out of place at byte %zu", i);
            return 1;
        } else {
            plain[len++] = c;
        }
    }
    plain[len] = '\0';
    if (open || len == 0) {
        snprintf(why, why_cap, "snippet with an open mark or no text");
        return 1;
    }
    /* Where the window sits in the paragraph: the occurrence holding the
     * match token. */
    st_tokenizer tz;
    st_token tok;
    size_t match_start = 0, match_end = 0, i_tok = 0;
    st_tokenizer_init(&tz, para->text, para->len);
    while (st_tokenizer_next(&tz, &tok)) {
        if (rp->first_pos + i_tok == h->match_pos) {
            match_start = tok.start;
            match_end = tok.end;
        }
        i_tok++;
    }
    size_t off = SIZE_MAX;
    for (size_t o = 0; o + len <= para->len && off == SIZE_MAX; o++)
        if (memcmp(para->text + o, plain, len) == 0 && o <= match_start && match_end <= o + len)
            off = o;
    if (off == SIZE_MAX) {
        snprintf(why, why_cap, "snippet text is not a window of the paragraph around match_pos");
        return 1;
    }
    if ((!cut_start && off != 0) || (!cut_end && off + len != para->len) ||
        (cut_start && off == 0) || (cut_end && off + len == para->len)) {
        snprintf(why, why_cap, "snippet ellipses do not match its ends (bytes %zu..%zu of %zu)",
                 off, off + len, para->len);
        return 1;
    }
    size_t n_marked = 0;
    /* A stopword (2) is marked next to a token of 1: the one before it in
     * the window, or the one after it in the paragraph.  So each token's
     * role is known one token ahead. */
    st_token next_tok;
    int role = -1, next_role = 0, prev_role = 0, more;
    i_tok = 0;
    st_tokenizer_init(&tz, para->text, para->len);
    for (more = st_tokenizer_next(&tz, &next_tok); more;) {
        char term[STELE_MAX_TERM_BYTES + 1];
        size_t tlen;
        uint32_t tok_pos = rp->first_pos + (uint32_t)i_tok++;
        tok = next_tok;
        prev_role = role;
        role = i_tok == 1
                   ? rq_marks_token(m, q, h->doc, tok_pos, term,
                                    st_token_term(&tok, m->stem, m->stem_ctx, term), para->field)
                   : next_role;
        more = st_tokenizer_next(&tz, &next_tok);
        next_role = 0;
        if (more) {
            tlen = st_token_term(&next_tok, m->stem, m->stem_ctx, term);
            next_role = rq_marks_token(m, q, h->doc, tok_pos + 1, term, tlen, para->field);
        }
        if (tok.start < off) prev_role = 0; /* before the window */
        if (tok.end <= off || tok.start >= off + len) continue;
        if (tok.start < off || tok.end > off + len) {
            snprintf(why, why_cap, "snippet cuts a token at bytes %zu..%zu", tok.start, tok.end);
            return 1;
        }
        tlen = st_token_term(&tok, m->stem, m->stem_ctx, term);
        int want = role == 1 || (role == 2 && (prev_role == 1 || next_role == 1));
        int have = 0;
        for (size_t k = 0; k < n_marks && !have; k++)
            have = mark_lo[k] == tok.start - off && mark_hi[k] == tok.end - off;
        if (want != have) {
            snprintf(why, why_cap, "token '%.*s' (term %s) %s", (int)(tok.end - tok.start),
                     para->text + tok.start, term,
                     want ? "is a query term but not marked" : "is marked but no query term");
            return 1;
        }
        n_marked += have;
    }
    if (n_marked != n_marks) {
        snprintf(why, why_cap, "%zu marks, %zu on tokens", n_marks, n_marked);
        return 1;
    }
    return 0;
}

/* ---- One query ------------------------------------------------------ */

typedef struct counters {
    unsigned long queries, limit_errors, matched_docs, empty, topk_runs, snippets, custom;
    unsigned long pruned; /* top-k runs that skipped documents uncounted */
} counters;

/* Compares the runtime's hits with the reference's sorted list. */
static int compare(const rm_model *m, const rq_query *q, const char *query, const ref_hit *ref,
                   size_t n_ref, const double *ref_score, const stele_hit *hits, size_t n_hits,
                   size_t n_matches, int exact, size_t max_hits)
{
    char why[256];
    size_t want = n_ref < max_hits ? n_ref : max_hits;
    /* An exact count is the reference's; a lower bound lies between the
     * hits returned and it. */
    if ((exact ? n_matches != n_ref : n_matches > n_ref || n_matches < n_hits) || n_hits != want) {
        snprintf(why, sizeof why, "n_matches %zu (%s) n_hits %zu, reference %zu matches (%zu hits)",
                 n_matches, exact ? "exact" : "at least", n_hits, n_ref, want);
        goto mismatch;
    }
    for (size_t i = 0; i < n_hits; i++) {
        const stele_hit *h = &hits[i];
        if (h->doc >= m->n_docs || ref_score[h->doc] < 0) {
            snprintf(why, sizeof why, "hit %zu (doc %u) does not match in the reference", i,
                     h->doc);
            goto mismatch;
        }
        if (!close_enough(h->score, ref_score[h->doc])) {
            snprintf(why, sizeof why, "doc %u scored %.12f, reference %.12f", h->doc, h->score,
                     ref_score[h->doc]);
            goto mismatch;
        }
        /* The order must be the reference's, up to scores that are equal
         * within rounding; among exactly equal scores, lower doc first. */
        if (!close_enough(ref_score[h->doc], ref[i].score)) {
            snprintf(why, sizeof why, "rank %zu holds doc %u (%.9f), reference doc %u (%.9f)",
                     i + 1, h->doc, ref_score[h->doc], ref[i].doc, ref[i].score);
            goto mismatch;
        }
        if (i > 0 && (h->score > hits[i - 1].score ||
                      (h->score == hits[i - 1].score && h->doc < hits[i - 1].doc))) {
            snprintf(why, sizeof why, "hits %zu and %zu out of order", i, i + 1);
            goto mismatch;
        }
        for (size_t j = 0; j < i; j++)
            if (hits[j].doc == h->doc) {
                snprintf(why, sizeof why, "doc %u returned twice", h->doc);
                goto mismatch;
            }
        const st_doc *sd = &m->corpus->docs[h->doc];
        if (h->id.len != strlen(sd->id) || memcmp(h->id.data, sd->id, h->id.len) != 0) {
            snprintf(why, sizeof why, "hit %zu: id is not the document's", i);
            goto mismatch;
        }
        const rm_doc *rd = &m->docs[h->doc];
        if (h->para >= rd->n_paras || h->para_kind != rd->paras[h->para].kind ||
            h->para_number != rd->paras[h->para].number) {
            snprintf(why, sizeof why, "hit %zu: para %u kind %u number %u inconsistent", i, h->para,
                     h->para_kind, h->para_number);
            goto mismatch;
        }
        /* The best paragraph and the snippet's centre, as rq_passage
         * computes them from the design's rules. */
        uint32_t want_para, want_pos;
        rq_passage(m, q, h->doc, &want_para, &want_pos);
        if (h->para != want_para || h->match_pos != want_pos) {
            snprintf(why, sizeof why,
                     "hit %zu (doc %u): para %u match_pos %u, reference para %u "
                     "match_pos %u",
                     i, h->doc, h->para, h->match_pos, want_para, want_pos);
            goto mismatch;
        }
    }
    return 0;
mismatch:
    fail(query, why);
    if (n_failures <= MAX_REPORTS) print_lists(m, ref, n_ref, hits, n_hits);
    return 1;
}

static int run_query(tu_env *env, const rm_model *m, rq_query *q, int expect, const char *query,
                     size_t query_len, void *mem, size_t mem_size, stele_hit *hits, ref_hit *ref,
                     double *ref_score, tu_rng *rng, counters *cnt)
{
    stele_diag diag = {0, 0, 0};
    size_t n_hits = 0, n_matches = 0;
    size_t max_hits = m->n_docs < STELE_MAX_RESULTS ? m->n_docs : STELE_MAX_RESULTS;
    int exact = 0;
    int rc = tu_search_exact(&env->ix, query, query_len, &env->opts, mem, mem_size, hits, max_hits,
                             &n_hits, &n_matches, &diag, &exact);
    cnt->queries++;
    if (expect == STELE_ELIMIT) {
        cnt->limit_errors++;
        if (rc != STELE_ELIMIT) {
            fail(query, "the reference expects STELE_ELIMIT");
            if (n_failures <= MAX_REPORTS) fprintf(stderr, "  runtime: %s\n", stele_strerror(rc));
            return 1;
        }
        if (diag.offset != rq_limit_offset(q)) {
            char why[160];
            snprintf(why, sizeof why, "STELE_ELIMIT at offset %zu, reference %zu", diag.offset,
                     rq_limit_offset(q));
            fail(query, why);
            return 1;
        }
        return 0;
    }
    if (rc != STELE_OK) {
        char why[160];
        snprintf(why, sizeof why, "stele_search: %s (offset %zu, needed %zu)", stele_strerror(rc),
                 diag.offset, diag.needed);
        fail(query, why);
        return 1;
    }
    size_t n_ref = 0;
    for (uint32_t d = 0; d < m->n_docs; d++) {
        double s;
        ref_score[d] = -1.0;
        if (rq_eval(m, q, d, &s)) {
            ref_score[d] = s;
            ref[n_ref].doc = d;
            ref[n_ref].score = s;
            n_ref++;
        }
    }
    qsort(ref, n_ref, sizeof *ref, cmp_ref_hit);
    cnt->matched_docs += n_ref;
    cnt->empty += n_ref == 0;
    if (compare(m, q, query, ref, n_ref, ref_score, hits, n_hits, n_matches, exact, max_hits))
        return 1;
    for (size_t h = 0; snippet_mode && h < n_hits; h++) {
        /* Every hit's snippet: it must work and be terminated. */
        char snip[1024];
        size_t snip_len = 0;
        stele_snippet_opts sopts = {MARK_OPEN, MARK_CLOSE, MARK_CUT, 0, NULL, 0, NULL};
        rc = tu_snippet(&env->ix, query, query_len, &env->opts, &hits[h], &sopts, mem, mem_size,
                        snip, sizeof snip, &snip_len, &diag);
        cnt->snippets++;
        if (rc != STELE_OK || snip_len != strlen(snip) || snip_len == 0) {
            fail(query, "stele_snippet failed or gave an empty passage for a hit");
            if (n_failures <= MAX_REPORTS)
                fprintf(stderr, "  hit %zu: %s (offset %zu), out_len %zu\n", h + 1,
                        stele_strerror(rc), diag.offset, snip_len);
            return 1;
        }
        char why[256];
        if (check_snippet_text(m, q, &hits[h], snip, why, sizeof why)) {
            fail(query, why);
            if (n_failures <= MAX_REPORTS)
                fprintf(stderr, "  hit %zu (doc %u para %u): %s\n", h + 1, hits[h].doc,
                        hits[h].para, snip);
            return 1;
        }
    }
    if (n_ref > 1) {
        /* Top-k: the same leading hits, still the full match count. */
        static const size_t ks[] = {1, 2, 3, 5, 10};
        size_t k = ks[tu_rng_below(rng, 5)];
        /* The exhaustive ranking's first k (the run above had room for
         * every match, so it pruned nothing): the pruned run must give
         * them exactly, bit for bit and in the same order. */
        stele_hit full[10];
        size_t n_full = n_hits < k ? n_hits : k;
        memcpy(full, hits, n_full * sizeof *full);
        rc = tu_search_exact(&env->ix, query, query_len, &env->opts, mem, mem_size, hits, k,
                             &n_hits, &n_matches, &diag, &exact);
        cnt->topk_runs++;
        cnt->pruned += rc == STELE_OK && !exact;
        if (rc != STELE_OK) {
            fail(query, "stele_search with a small max_hits failed");
            return 1;
        }
        if (compare(m, q, query, ref, n_ref, ref_score, hits, n_hits, n_matches, exact, k))
            return 1;
        for (size_t i = 0; i < n_full; i++)
            if (n_hits != n_full || hits[i].doc != full[i].doc || hits[i].score != full[i].score) {
                char why[160];
                snprintf(why, sizeof why,
                         "top-%zu hit %zu: doc %u score %.17g, exhaustive doc %u score %.17g", k,
                         i + 1, hits[i].doc, hits[i].score, full[i].doc, full[i].score);
                fail(query, why);
                return 1;
            }
    }
    /* Counting only: max_hits 0 and no hit array. */
    rc = tu_search(&env->ix, query, query_len, &env->opts, mem, mem_size, NULL, 0, &n_hits,
                   &n_matches, &diag);
    if (rc != STELE_OK || n_hits != 0 || n_matches != n_ref) {
        char why[160];
        snprintf(why, sizeof why, "max_hits 0: %s, %zu hits, %zu matches (reference %zu)",
                 stele_strerror(rc), n_hits, n_matches, n_ref);
        fail(query, why);
        return 1;
    }
    return 0;
}

/* Queries that once broke the runtime, found by this test's generator. */
static const char *const regressions[] = {
    /* seed 4: search accepts (32 leaves: the scoped prefix expands to
     * nothing), the snippet refused it with STELE_ELIMIT. */
    "(\"applicable national\" NEAR(acknowledges and) NEAR(states support up, 8)) "
    "(body:NEAR(lifestyle can, 12) OR \"at high risk of\" OR \"narcotics control board\") "
    "-\"encouraged describing 1972\" OR title:(caus* OR \"menace 2012 collect qualified\" OR "
    "there) OR (shall convention) OR protect convinced OR that OR footnote:NEAR(and to, 1) OR use",
    /* The same, reduced: a prefix without expansions plus 32 words. */
    "zzzq* OR drug drug drug drug drug drug drug drug drug drug drug drug drug drug drug drug "
    "drug drug drug drug drug drug drug drug drug drug drug drug drug drug drug drug",
    "title:caus* OR drug drug drug drug drug drug drug drug drug drug drug drug drug drug drug "
    "drug drug drug drug drug drug drug drug drug drug drug drug drug drug drug drug drug",
};

static int run_regressions(tu_env *env)
{
    size_t n = sizeof regressions / sizeof regressions[0], n_bad = 0, n_snippets = 0;
    size_t max_hits =
        env->corpus.n_docs < STELE_MAX_RESULTS ? env->corpus.n_docs : STELE_MAX_RESULTS;
    /* random queries go past the bound's class of 16 leaves */
    size_t mem_size = stele_workspace_bound(&env->ix, max_hits) + (4u << 20);
    void *mem = malloc(mem_size);
    stele_hit *hits = calloc(max_hits, sizeof *hits);
    if (!mem || !hits) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    for (size_t i = 0; i < n; i++) {
        const char *query = regressions[i];
        size_t len = strlen(query), n_hits = 0, n_matches = 0;
        stele_diag diag = {0, 0, 0};
        int rc = tu_search(&env->ix, query, len, &env->opts, mem, mem_size, hits, max_hits, &n_hits,
                           &n_matches, &diag);
        if (rc != STELE_OK || n_hits == 0) {
            fprintf(stderr, "regression %zu: search %s, %zu hits\n  query: %s\n", i + 1,
                    stele_strerror(rc), n_hits, query);
            n_bad++;
            continue;
        }
        for (size_t h = 0; h < n_hits; h++) {
            char snip[1024];
            size_t snip_len = 0;
            rc = tu_snippet(&env->ix, query, len, &env->opts, &hits[h], NULL, mem, mem_size, snip,
                            sizeof snip, &snip_len, &diag);
            n_snippets++;
            if (rc != STELE_OK || snip_len == 0) {
                fprintf(stderr,
                        "regression %zu: snippet of hit %zu: %s (offset %zu)\n"
                        "  query: %s\n",
                        i + 1, h + 1, stele_strerror(rc), diag.offset, query);
                n_bad++;
                break;
            }
        }
    }
    printf("snippets: %zu fixed queries, %zu snippets: %s (%zu failing)\n", n, n_snippets,
           n_bad ? "FAIL" : "OK", n_bad);
    free(hits);
    free(mem);
    return n_bad != 0;
}

/*
 * The most frequent words' blocks have bounds that pair each tf with its
 * document's own length (the tfn codes of POSTINGS skip entries): with
 * them, a top-10 of such a word alone at the default ranking parameters
 * skips documents (its match count is not exact), which the largest tf
 * and the smallest length of a block, taken from two documents, did not
 * allow as often: at b a hair above the default, where only those serve,
 * the same runs count more of the matches, all words taken together.  The
 * top 10 must still be the full ranking's first 10.  Run on the --split
 * corpus, whose frequent words' lists have many blocks.
 */
static int check_frequent_words(tu_env *env, const rm_model *m, void *mem, size_t mem_size,
                                stele_hit *all)
{
    int bad = 0;
    uint32_t done[3];
    size_t counted = 0, counted_corner = 0;
    for (unsigned w = 0; w < 3; w++) {
        uint32_t best = UINT32_MAX;
        for (uint32_t s = 0; s < m->surfaces.n; s++) {
            int seen = 0;
            for (unsigned k = 0; k < w; k++)
                seen |= done[k] == s;
            if (seen || !m->surf_ok[s] || !m->surf_orig[s] || m->surf_kind[s] != ST_TOK_WORD)
                continue;
            if (best == UINT32_MAX || m->surf_df[s] > m->surf_df[best]) best = s;
        }
        if (best == UINT32_MAX) break;
        done[w] = best;
        const char *word = m->surf_orig[best];
        stele_hit top[10];
        size_t n_top = 0, n_all = 0, n_matches = 0;
        int exact = 1;
        int rc = tu_search_exact(&env->ix, word, strlen(word), &env->opts, mem, mem_size, top, 10,
                                 &n_top, &n_matches, NULL, &exact);
        int rc_all = tu_search(&env->ix, word, strlen(word), &env->opts, mem, mem_size, all,
                               m->n_docs, &n_all, NULL, NULL);
        int same = rc == STELE_OK && rc_all == STELE_OK && n_top == 10 && n_all >= 10;
        for (size_t h = 0; same && h < 10; h++)
            same = top[h].doc == all[h].doc && top[h].score == all[h].score;
        stele_query_opts corner = env->opts;
        size_t n_corner = 0, n_matches_corner = 0;
        corner.b = ST_BM25_B + 1e-9;
        if (tu_search(&env->ix, word, strlen(word), &corner, mem, mem_size, top, 10, &n_corner,
                      &n_matches_corner, NULL) != STELE_OK)
            same = 0;
        counted += n_matches;
        counted_corner += n_matches_corner;
        printf("frequent word %s (%u documents): top 10 %s, %zu of %zu matches counted (%zu "
               "without tfn bounds)\n",
               word, m->surf_df[best], same ? "as the full ranking" : "DIFFERS", n_matches, n_all,
               n_matches_corner);
        if (!same || exact) {
            fprintf(stderr, "frequent word %s: %s\n", word,
                    !same ? "top 10 differs from the full ranking" : "no document was skipped");
            bad = 1;
        }
    }
    /* A NEAR of the two most frequent words, alone: its top 10 is the
     * full ranking's, and candidates whose words' tfs bound the score at
     * or below the top 10's bar are passed over without reading their
     * positions, so the count is a lower bound. */
    if (!bad) {
        char near[256];
        stele_hit top[10];
        size_t n_top = 0, n_all = 0, n_matches = 0, n_counted = 0;
        int exact = 1;
        snprintf(near, sizeof near, "NEAR(%s %s, 10)", m->surf_orig[done[0]],
                 m->surf_orig[done[1]]);
        stele_query sq;
        stele_query_opts o = env->opts;
        o.max_results = 10;
        int rc = stele_query_prepare(&sq, &env->ix, near, strlen(near), &o, mem, mem_size);
        if (rc == STELE_OK) rc = stele_query_run(&sq, top, 10, 0, &n_top, &n_matches);
        exact = sq.matches_exact;
        uint32_t n_barred = rc == STELE_OK ? ((const st_prepared *)sq.state_)->ev.n_barred : 0;
        int rc_all = tu_search(&env->ix, near, strlen(near), &env->opts, mem, mem_size, all,
                               m->n_docs, &n_all, NULL, NULL);
        int rc_count = tu_search(&env->ix, near, strlen(near), &env->opts, mem, mem_size, NULL, 0,
                                 NULL, &n_counted, NULL);
        int same = rc == STELE_OK && rc_all == STELE_OK && rc_count == STELE_OK && n_top == 10 &&
                   n_all >= 10 && n_counted == n_all;
        for (size_t h = 0; same && h < 10; h++)
            same = top[h].doc == all[h].doc && top[h].score == all[h].score;
        printf("%s: top 10 %s, %zu of %zu matches counted, %u candidates passed over\n", near,
               same ? "as the full ranking" : "DIFFERS", n_matches, n_all, n_barred);
        if (!same || exact || n_barred == 0) {
            fprintf(stderr, "%s: %s\n", near,
                    !same ? "top 10 differs from the full ranking"
                          : "no candidate was passed over");
            bad = 1;
        }
    }
    if (counted >= counted_corner) {
        fprintf(stderr, "frequent words: %zu matches counted with tfn bounds, %zu without\n",
                counted, counted_corner);
        bad = 1;
    }
    return bad;
}

int main(int argc, char **argv)
{
    tu_env env;
    int rc = tu_env_open(&env, argc, argv);
    if (rc != 0) {
        tu_env_close(&env);
        return rc == TU_SKIP ? TU_SKIP : 1;
    }
    int arg = 3, regress_failed = 0, split = 0;
    for (; argc > arg && strncmp(argv[arg], "--", 2) == 0; arg++) {
        if (strcmp(argv[arg], "--snippets") == 0) {
            snippet_mode = 1;
            regress_failed = run_regressions(&env);
        } else if (strcmp(argv[arg], "--nostem") == 0) {
            if (tu_env_rebuild(&env, "none") != 0) {
                tu_env_close(&env);
                return 1;
            }
        } else if (strcmp(argv[arg], "--split") == 0) {
            if (tu_env_split_paragraphs(&env, 2) != 0) {
                tu_env_close(&env);
                return 1;
            }
            split = 1;
        } else {
            fprintf(stderr, "unknown option %s\n", argv[arg]);
            tu_env_close(&env);
            return 1;
        }
    }
    unsigned long n_queries = argc > arg ? strtoul(argv[arg], NULL, 0) : 5000;
    uint64_t seed = argc > arg + 1 ? strtoull(argv[arg + 1], NULL, 0) : 0x57e1e5eedull;

    /* The reference model has no typo tolerance: an unknown word matches
     * nothing there, so the runtime is compared searching exactly
     * (test_typos checks the corrections against a brute force). */
    env.opts.flags |= STELE_QUERY_EXACT;
    rm_model m;
    if (rm_build(&m, &env.corpus, env.opts.stem, env.opts.stem_ctx) != 0) {
        fprintf(stderr, "reference model: out of memory\n");
        return 1;
    }
    printf("differential: %u docs, %u terms, avgL title %.2f body %.2f footnote %.2f\n", m.n_docs,
           m.terms.n, m.avg[0], m.avg[1], m.avg[2]);
    if (check_stats(&env, &m)) {
        rm_free(&m);
        tu_env_close(&env);
        printf("differential: FAIL (index statistics)\n");
        return 1;
    }

    size_t mem_size = stele_workspace_bound(&env.ix, m.n_docs) + (4u << 20);
    void *mem = malloc(mem_size);
    stele_hit *hits = calloc(m.n_docs, sizeof *hits);
    ref_hit *ref = calloc(m.n_docs, sizeof *ref);
    double *ref_score = calloc(m.n_docs, sizeof *ref_score);
    rq_query *q = malloc(sizeof *q);
    if (!mem || !hits || !ref || !ref_score || !q) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    tu_rng rng = {seed};
    rq_gen_opts go = {1, 3};
    counters cnt = {0};
    unsigned long n_skipped = 0;
    char query[STELE_MAX_QUERY_BYTES + 1];
    while (cnt.queries < n_queries && n_failures < MAX_REPORTS) {
        rq_generate(&m, &rng, &go, q);
        int expect = rq_prepare(&m, q);
        size_t len = rq_format(&m, q, query, sizeof query);
        if (len == 0 || len > STELE_MAX_QUERY_BYTES) {
            n_skipped++;
            continue;
        }
        /* Ranking parameters: the index's defaults, or drawn ones. */
        tu_env qenv = env;
        rm_model qm = m;
        if (tu_rng_below(&rng, 5) == 0) {
            qenv.opts.k1 = qm.k1 = 0.2 + tu_rng_below(&rng, 300) / 100.0;
            qenv.opts.b = qm.b = 0.05 + tu_rng_below(&rng, 95) / 100.0;
            for (unsigned f = 0; f < qm.n_fields; f++)
                if (tu_rng_below(&rng, 2))
                    qenv.opts.field_weight[f] = qm.weight[f] = 0.25 + tu_rng_below(&rng, 40) / 8.0;
            cnt.custom++;
        }
        run_query(&qenv, &qm, q, expect, query, len, mem, mem_size, hits, ref, ref_score, &rng,
                  &cnt);
    }
    /* at the index's own ranking parameters (the loop may have drawn
     * others into a copy of env) */
    if (split && check_frequent_words(&env, &m, mem, mem_size, hits)) n_failures++;
    if (cnt.topk_runs >= 20 && cnt.pruned == 0) {
        /* The corpus and queries are meant to exercise pruning. */
        fprintf(stderr, "no top-k run skipped a document: pruning was never exercised\n");
        n_failures++;
    }
    if (rq_near_inconsistent()) {
        fprintf(stderr, "reference: NEAR window count and brute force disagree\n");
        n_failures++;
    }
    printf("differential: %lu queries (seed 0x%llx, %lu redrawn), %lu over a limit, "
           "%lu without matches, %lu matched docs, %lu top-k reruns (%lu skipping uncounted "
           "documents), "
           "%lu snippets, %lu with own k1/b/weights: %s (%d mismatches)\n",
           cnt.queries, (unsigned long long)seed, n_skipped, cnt.limit_errors, cnt.empty,
           cnt.matched_docs, cnt.topk_runs, cnt.pruned, cnt.snippets, cnt.custom,
           n_failures ? "FAIL" : "OK", n_failures);
    free(q);
    free(ref_score);
    free(ref);
    free(hits);
    free(mem);
    rm_free(&m);
    tu_env_close(&env);
    return n_failures || regress_failed ? 1 : 0;
}
