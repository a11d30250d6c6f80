/*
 * refquery.c: query trees for the differential test: a random generator
 * over the corpus vocabulary, a printer to query syntax, and a direct
 * evaluator (see refmodel.h).
 *
 * The evaluator follows the fixed design of the query language and of
 * BM25F, written out here once more so a reader can check it:
 *   - a term matches a document when it occurs in the scope (one field,
 *     or any field); its per-field tf feeds BM25F with idf(t) over the
 *     scope's df;
 *   - a word prefix matches the words of the text as written (folded,
 *     unstemmed) that start with its folded bytes; their terms are
 *     ranked by the largest document count of their words in the range
 *     (ties to the first in dictionary order), the STELE_PREFIX_TERMS
 *     first are kept, and, when scoped, those absent from the scope
 *     field are dropped; a number or symbol prefix is the OR of the
 *     STELE_PREFIX_TERMS dictionary terms with the largest df in scope
 *     (ties likewise) that start with it; each expansion is a term and a
 *     leaf;
 *   - a phrase matches at p when word i is at p + i (consecutive positions
 *     never cross a paragraph, so never a field); its pseudo-term tf in a
 *     field is the number of such p there, its idf the sum of its words';
 *   - NEAR(w1 .. wn, k) matches in field f when one occurrence of each word
 *     in f lies in a window max - min <= k + n - 1, in any order (a window
 *     may span paragraphs of one field, never two fields); its tf in f is
 *     the number of windows found scanning left to right with each
 *     occurrence used at most once: with a cursor per word, when the
 *     cursors' span fits, count one and advance every cursor, else advance
 *     the cursor on the smallest position (the first such word).  Whether
 *     a window exists is decided separately by brute force, and the two
 *     must agree;
 *   - AND matches when all its positive children match and none of its NOT
 *     children do; OR when any child matches, where a NOT child (a OR -b)
 *     matches the documents its operand does not;
 *   - a document's score is the sum of the scores of the positive leaves
 *     that match it, where a leaf under an OR counts when that OR branch
 *     matched (the BM25F sum over matching clauses).  NOT adds nothing.
 */
#include "refmodel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"

static const char *const field_name[] = {"title", "body", "footnote"};

/* ---- Generation ------------------------------------------------------ */

typedef struct gen {
    const rm_model *m;
    tu_rng *rng;
    const rq_gen_opts *go;
    rq_query *q;
    uint32_t *frequent, n_frequent; /* usable surfaces by count, most first */
} gen;

static int chance(gen *g, unsigned percent)
{
    return tu_rng_below(g->rng, 100) < percent;
}

static uint32_t new_node(gen *g, int kind)
{
    if (g->q->n_nodes >= RQ_MAX_NODES) return RM_NONE;
    uint32_t i = g->q->n_nodes++;
    rq_node *n = &g->q->node[i];
    memset(n, 0, sizeof *n);
    n->kind = (uint8_t)kind;
    n->field = -1;
    return i;
}

/* Writes surface word s as a query word: folded as in the index, or now
 * and then as written in the text (case, accents, curly apostrophes) or
 * capitalised, which the runtime must fold to the same term. */
static void put_surface(gen *g, uint32_t s, char out[STELE_MAX_TERM_BYTES + 1])
{
    const char *w = g->m->surfaces.str[s];
    if (g->m->surf_orig[s] && chance(g, 30)) w = g->m->surf_orig[s];
    snprintf(out, STELE_MAX_TERM_BYTES + 1, "%s", w);
    if (out[0] >= 'a' && out[0] <= 'z' && chance(g, 10)) out[0] = (char)(out[0] - 'a' + 'A');
}

/* A usable surface word of the given kind, -1 if none after some tries. */
static long pick_surface_kind(gen *g, int kind)
{
    const rm_model *m = g->m;
    for (int tries = 0; tries < 200; tries++) {
        uint32_t s = tu_rng_below(g->rng, m->surfaces.n);
        if (m->surf_ok[s] && m->surf_kind[s] == kind) return s;
    }
    return -1;
}

/* Writes a query word into out: frequent, rare, any, number, symbol or a
 * word the corpus lacks. */
static void pick_word(gen *g, char out[STELE_MAX_TERM_BYTES + 1])
{
    const rm_model *m = g->m;
    unsigned r = tu_rng_below(g->rng, 100);
    long s = -1;
    if (r < 30 && g->n_frequent) {
        s = g->frequent[tu_rng_below(g->rng, g->n_frequent < 60 ? g->n_frequent : 60)];
    } else if (r < 50) {
        for (int tries = 0; tries < 200 && s < 0; tries++) {
            uint32_t c = tu_rng_below(g->rng, m->surfaces.n);
            if (m->surf_ok[c] && m->surf_count[c] <= 2 && m->surf_kind[c] == ST_TOK_WORD) s = c;
        }
    } else if (r < 80) {
        s = pick_surface_kind(g, ST_TOK_WORD);
    } else if (r < 88) {
        s = pick_surface_kind(g, ST_TOK_NUMBER);
    } else if (r < 96) {
        s = pick_surface_kind(g, ST_TOK_SYMBOL);
    }
    if (s < 0) {
        static const char *const absent[] = {"zyzzogeton", "qwxv",  "heroinx",
                                             "9999",       "77/77", "xylophones"};
        snprintf(out, STELE_MAX_TERM_BYTES + 1, "%s", absent[tu_rng_below(g->rng, 6)]);
        return;
    }
    put_surface(g, (uint32_t)s, out);
}

/* A random token of a random document: its doc and index in toks. */
static void pick_token(gen *g, uint32_t *doc, size_t *ti)
{
    for (;;) {
        *doc = tu_rng_below(g->rng, g->m->n_docs);
        const rm_doc *d = &g->m->docs[*doc];
        if (d->n_toks) {
            *ti = tu_rng_below(g->rng, (uint32_t)d->n_toks);
            return;
        }
    }
}

static void set_word_from_tok(gen *g, rq_node *n, uint32_t doc, size_t ti)
{
    const rm_tok *t = &g->m->docs[doc].toks[ti];
    put_surface(g, t->surface, n->words[n->n_words++]);
}

/* A phrase: mostly a real run of consecutive tokens, sometimes random. */
static void gen_phrase(gen *g, rq_node *n)
{
    uint32_t len = 2 + tu_rng_below(g->rng, 3);
    if (chance(g, 75)) {
        for (int tries = 0; tries < 50; tries++) {
            uint32_t doc;
            size_t ti;
            pick_token(g, &doc, &ti);
            const rm_doc *d = &g->m->docs[doc];
            if (ti + len > d->n_toks || d->toks[ti + len - 1].pos != d->toks[ti].pos + len - 1)
                continue;
            int ok = 1;
            for (uint32_t i = 0; i < len; i++)
                ok &= g->m->surf_ok[d->toks[ti + i].surface];
            if (!ok) continue;
            n->n_words = 0;
            for (uint32_t i = 0; i < len; i++)
                set_word_from_tok(g, n, doc, ti + i);
            if (chance(g, 20)) n->field = (int8_t)d->toks[ti].field;
            return;
        }
    }
    n->n_words = 0;
    for (uint32_t i = 0; i < len; i++)
        pick_word(g, n->words[n->n_words++]);
}

static int same_term_twice(const rm_model *m, const rq_node *n)
{
    uint32_t t[RQ_MAX_WORDS];
    for (uint32_t i = 0; i < n->n_words; i++) {
        if (rm_word_term(m, n->words[i], &t[i]) != 0) return 1;
        for (uint32_t j = 0; j < i; j++)
            if (t[i] == t[j]) return 1;
    }
    return 0;
}

/* NEAR: words mostly taken from one document within reach of each other,
 * all different terms. */
static void gen_near(gen *g, rq_node *n)
{
    n->n_words = 2 + (chance(g, 30) ? 1 : 0);
    n->has_k = (uint8_t)chance(g, 70);
    n->k = n->has_k ? tu_rng_below(g->rng, 13) : 10;
    n->near_infix = (uint8_t)(n->n_words == 2 && n->has_k && chance(g, 50));
    for (int tries = 0; tries < 50; tries++) {
        uint32_t want = n->n_words;
        n->n_words = 0;
        if (chance(g, 70)) {
            uint32_t doc;
            size_t ti;
            pick_token(g, &doc, &ti);
            const rm_doc *d = &g->m->docs[doc];
            uint32_t reach = n->k + want;
            for (uint32_t i = 0; i < want; i++) {
                size_t lo = ti > reach ? ti - reach : 0;
                size_t hi = ti + reach < d->n_toks ? ti + reach : d->n_toks - 1;
                size_t pick = i == 0 ? ti : lo + tu_rng_below(g->rng, (uint32_t)(hi - lo + 1));
                if (!g->m->surf_ok[d->toks[pick].surface]) break;
                set_word_from_tok(g, n, doc, pick);
            }
        } else {
            for (uint32_t i = 0; i < want; i++)
                pick_word(g, n->words[n->n_words++]);
        }
        if (n->n_words == want && !same_term_twice(g->m, n)) return;
        n->n_words = want;
    }
    /* Give up on a matching NEAR: two words that surely differ. */
    n->n_words = 2;
    snprintf(n->words[0], sizeof n->words[0], "%s", "drug");
    snprintf(n->words[1], sizeof n->words[1], "%s", "prison");
}

/* A prefix of a folded word, 3 to 6 characters, whole UTF-8 characters. */
static void gen_prefix(gen *g, rq_node *n)
{
    long s = -1;
    for (int tries = 0; tries < 200 && s < 0; tries++) {
        long c = tries % 2 && g->n_frequent ? (long)g->frequent[tu_rng_below(g->rng, g->n_frequent)]
                                            : pick_surface_kind(g, ST_TOK_WORD);
        if (c >= 0 && g->m->surf_kind[c] == ST_TOK_WORD && strlen(g->m->surfaces.str[c]) >= 3)
            s = c;
    }
    const char *w = s >= 0 ? g->m->surfaces.str[s] : "rehab";
    size_t want = 3 + tu_rng_below(g->rng, 4), len = 0, chars = 0;
    while (w[len] && chars < want) {
        len++;
        while (((uint8_t)w[len] & 0xC0) == 0x80)
            len++;
        chars++;
    }
    n->n_words = 1;
    memcpy(n->words[0], w, len);
    n->words[0][len] = '\0';
}

static uint32_t gen_node(gen *g, int depth, int in_scope);

static uint32_t gen_leaf(gen *g, int in_scope)
{
    unsigned r = tu_rng_below(g->rng, 100);
    int kind = r < 45 ? RQ_TERM : r < 65 ? RQ_PHRASE : r < 80 ? RQ_PREFIX : RQ_NEAR;
    if (kind == RQ_NEAR && in_scope && !g->go->allow_near_scope) kind = RQ_TERM;
    uint32_t i = new_node(g, kind);
    if (i == RM_NONE) return i;
    rq_node *n = &g->q->node[i];
    switch (kind) {
    case RQ_TERM:
        n->n_words = 1;
        pick_word(g, n->words[0]);
        break;
    case RQ_PHRASE:
        gen_phrase(g, n);
        break;
    case RQ_PREFIX:
        gen_prefix(g, n);
        break;
    default:
        gen_near(g, n);
        break;
    }
    if (in_scope)
        n->field = -1;
    else if (kind != RQ_NEAR && n->field < 0 && chance(g, 12))
        n->field = (int8_t)tu_rng_below(g->rng, 3);
    else if (kind == RQ_NEAR && g->go->allow_near_scope && chance(g, 8))
        n->field = (int8_t)tu_rng_below(g->rng, 3);
    return i;
}

static uint32_t gen_node(gen *g, int depth, int in_scope)
{
    if (depth >= g->go->max_depth || chance(g, depth == 0 ? 20 : 55)) return gen_leaf(g, in_scope);
    int is_and = chance(g, 55);
    uint32_t i = new_node(g, is_and ? RQ_AND : RQ_OR);
    if (i == RM_NONE) return i;
    int scoped = !in_scope && chance(g, 8);
    uint32_t n_kids = 2 + (chance(g, 35) ? 1 : 0);
    for (uint32_t k = 0; k < n_kids; k++) {
        uint32_t kid = gen_node(g, depth + 1, in_scope || scoped);
        if (kid == RM_NONE) return RM_NONE;
        g->q->node[i].kids[g->q->node[i].n_kids++] = (uint16_t)kid;
    }
    if (is_and && chance(g, 35)) {
        uint32_t inner = chance(g, 80) ? gen_leaf(g, in_scope || scoped)
                                       : gen_node(g, g->go->max_depth - 1, in_scope || scoped);
        uint32_t neg = new_node(g, RQ_NOT);
        if (inner == RM_NONE || neg == RM_NONE) return RM_NONE;
        rq_node *nn = &g->q->node[neg];
        nn->kids[nn->n_kids++] = (uint16_t)inner;
        nn->not_word = (uint8_t)chance(g, 40);
        rq_node *an = &g->q->node[i];
        /* The NOT goes last half of the time, else anywhere. */
        uint32_t at = chance(g, 50) ? an->n_kids : tu_rng_below(g->rng, an->n_kids + 1);
        memmove(&an->kids[at + 1], &an->kids[at], (an->n_kids - at) * sizeof an->kids[0]);
        an->kids[at] = (uint16_t)neg;
        an->n_kids++;
    }
    if (!is_and && chance(g, 6)) {
        /* a OR -b: the OR still has positive children. */
        uint32_t inner = gen_leaf(g, in_scope || scoped);
        uint32_t neg = new_node(g, RQ_NOT);
        if (inner == RM_NONE || neg == RM_NONE) return RM_NONE;
        rq_node *nn = &g->q->node[neg];
        nn->kids[nn->n_kids++] = (uint16_t)inner;
        nn->not_word = (uint8_t)chance(g, 40);
        rq_node *on = &g->q->node[i];
        if (on->n_kids < RQ_MAX_KIDS) on->kids[on->n_kids++] = (uint16_t)neg;
    }
    rq_node *n = &g->q->node[i];
    if (scoped) n->field = (int8_t)tu_rng_below(g->rng, 3);
    n->paren = (uint8_t)chance(g, 15);
    return i;
}

static const rm_model *freq_model;

static int cmp_freq(const void *a, const void *b)
{
    uint32_t x = freq_model->surf_count[*(const uint32_t *)a];
    uint32_t y = freq_model->surf_count[*(const uint32_t *)b];
    if (x != y) return x > y ? -1 : 1;
    return *(const uint32_t *)a < *(const uint32_t *)b ? -1 : 1;
}

void rq_generate(const rm_model *m, tu_rng *rng, const rq_gen_opts *go, rq_query *q)
{
    static uint32_t frequent[64];
    static uint32_t n_frequent;
    static const rm_model *frequent_of;
    if (frequent_of != m) {
        /* The 64 most frequent usable words, computed once per model. */
        uint32_t *all = m->surfaces.n ? calloc(m->surfaces.n, sizeof *all) : NULL;
        n_frequent = 0;
        if (all) {
            uint32_t n = 0;
            for (uint32_t s = 0; s < m->surfaces.n; s++)
                if (m->surf_ok[s] && m->surf_kind[s] == ST_TOK_WORD) all[n++] = s;
            freq_model = m;
            qsort(all, n, sizeof *all, cmp_freq);
            n_frequent = n < 64 ? n : 64;
            memcpy(frequent, all, n_frequent * sizeof *all);
            free(all);
        }
        frequent_of = m;
    }
    gen g = {m, rng, go, q, frequent, n_frequent};
    for (;;) {
        q->n_nodes = 0;
        q->root = gen_node(&g, 0, 0);
        if (q->root != RM_NONE) return;
    }
}

/* ---- Printing -------------------------------------------------------- */

typedef struct out {
    char *buf;
    size_t len, cap;
    int overflow;
} out;

static void put(out *o, const char *s)
{
    size_t n = strlen(s);
    if (o->len + n + 1 > o->cap) {
        o->overflow = 1;
        return;
    }
    memcpy(o->buf + o->len, s, n + 1);
    o->len += n;
}

static void put_node(const rm_model *m, rq_query *q, uint32_t i, int parent_kind, out *o);

/* Word w of n, remembering where it starts in the query. */
static void put_word(rq_node *n, uint32_t w, out *o)
{
    n->word_off[w] = (uint32_t)o->len;
    put(o, n->words[w]);
}

static void put_words(rq_node *n, out *o, const char *sep)
{
    for (uint32_t w = 0; w < n->n_words; w++) {
        if (w) put(o, sep);
        put_word(n, w, o);
    }
}

static void put_node(const rm_model *m, rq_query *q, uint32_t i, int parent_kind, out *o)
{
    rq_node *n = &q->node[i];
    char num[32];
    if (n->field >= 0) {
        put(o, field_name[n->field]);
        put(o, ":");
    }
    int group = n->kind == RQ_AND || n->kind == RQ_OR;
    int parens = n->paren || (group && n->field >= 0) ||
                 (n->kind == RQ_OR && parent_kind == RQ_AND) || (group && parent_kind == RQ_NOT) ||
                 (n->kind == RQ_NEAR && n->near_infix && parent_kind != -1);
    if (parens) put(o, "(");
    switch (n->kind) {
    case RQ_TERM:
        put_word(n, 0, o);
        break;
    case RQ_PREFIX:
        put_word(n, 0, o);
        put(o, "*");
        break;
    case RQ_PHRASE:
        put(o, "\"");
        put_words(n, o, " ");
        put(o, "\"");
        break;
    case RQ_NEAR:
        if (n->near_infix) {
            snprintf(num, sizeof num, " NEAR/%u ", (unsigned)n->k);
            put_word(n, 0, o);
            put(o, num);
            put_word(n, 1, o);
        } else {
            put(o, "NEAR(");
            put_words(n, o, " ");
            if (n->has_k) {
                snprintf(num, sizeof num, ", %u", (unsigned)n->k);
                put(o, num);
            }
            put(o, ")");
        }
        break;
    case RQ_NOT:
        put(o, n->not_word ? "NOT " : "-");
        put_node(m, q, n->kids[0], RQ_NOT, o);
        break;
    default:
        for (uint32_t k = 0; k < n->n_kids; k++) {
            if (k) put(o, n->kind == RQ_AND ? " " : " OR ");
            put_node(m, q, n->kids[k], n->kind, o);
        }
        break;
    }
    if (parens) put(o, ")");
}

size_t rq_format(const rm_model *m, rq_query *q, char *buf, size_t cap)
{
    out o = {buf, 0, cap, 0};
    if (cap) buf[0] = '\0';
    put_node(m, q, q->root, -1, &o);
    return o.overflow ? 0 : o.len;
}

/* ---- Preparation and limits ------------------------------------------ */

typedef struct limits {
    uint32_t leaves; /* words plus prefix expansions */
    int prefix_over;
} limits;

/* The key of term t for a word prefix: the largest document count of
 * its words that start with the prefix (0: none does). */
static uint32_t word_prefix_key(const rm_model *m, const char *prefix, size_t len, uint32_t t)
{
    uint32_t key = 0;
    for (uint32_t s = 0; s < m->surfaces.n; s++)
        if (m->surf_kind[s] == ST_TOK_WORD && m->surf_term[s] == t &&
            strncmp(m->surfaces.str[s], prefix, len) == 0 && m->surf_df[s] > key)
            key = m->surf_df[s];
    return key;
}

/* A word prefix, by brute force over the terms: each term's key, its
 * rank among all keyed terms (more documents first, then dictionary
 * order), the STELE_PREFIX_TERMS best kept, those outside the scope
 * dropped, in dictionary order. */
static void word_prefix(const rm_model *m, rq_node *n, int scope, limits *lim)
{
    const char *prefix = n->words[0];
    size_t len = strlen(prefix);
    uint32_t keep = STELE_PREFIX_TERMS, n_terms = m->terms.n;
    uint32_t *key = calloc(n_terms ? n_terms : 1, sizeof *key);
    n->n_exp = 0;
    if (!key) return;
    for (uint32_t t = 0; t < n_terms; t++)
        key[t] = word_prefix_key(m, prefix, len, t);
    for (uint32_t e = 0; e < n_terms; e++) {
        uint32_t t = m->sorted[e], better = 0;
        if (key[t] == 0) continue;
        for (uint32_t o = 0; o < n_terms && better < keep; o++) {
            uint32_t u = m->sorted[o];
            if (o != e && key[u]) better += key[u] > key[t] || (key[u] == key[t] && o < e);
        }
        if (better >= keep) continue;
        if (scope >= 0 && m->df_field[t][scope] == 0) continue;
        if (n->n_exp < RQ_MAX_EXP) n->exp[n->n_exp++] = t;
        lim->leaves++;
    }
    free(key);
}

static void prepare_node(const rm_model *m, rq_query *q, uint32_t i, int scope, limits *lim)
{
    rq_node *n = &q->node[i];
    if (n->field >= 0) scope = n->field;
    n->scope = scope;
    switch (n->kind) {
    case RQ_TERM:
    case RQ_PHRASE:
    case RQ_NEAR:
        for (uint32_t w = 0; w < n->n_words; w++)
            if (rm_word_term(m, n->words[w], &n->term[w]) != 0) n->term[w] = RM_NONE;
        lim->leaves += n->n_words;
        break;
    case RQ_PREFIX: {
        st_tokenizer tz;
        st_token tok;
        st_tokenizer_init(&tz, n->words[0], strlen(n->words[0]));
        if (st_tokenizer_next(&tz, &tok) && tok.kind == ST_TOK_WORD) {
            word_prefix(m, n, scope, lim);
            break;
        }
        /* The STELE_PREFIX_TERMS words of the range with the largest df
         * (in scope), ties to the first in dictionary order, kept in
         * dictionary order: the runtime's rule. */
        uint32_t lo, hi, in_scope = 0, keep = STELE_PREFIX_TERMS;
        rm_prefix_range(m, n->words[0], strlen(n->words[0]), &lo, &hi);
        n->n_exp = 0;
        for (uint32_t e = lo; e < hi; e++) {
            uint32_t t = m->sorted[e], df = scope >= 0 ? m->df_field[t][scope] : m->df[t];
            if (scope >= 0 && m->df_field[t][scope] == 0) continue;
            in_scope++;
            /* rank among the range: words before with df >= this one's,
             * and words after with a larger df */
            uint32_t better = 0;
            for (uint32_t o = lo; o < hi && better < keep; o++) {
                uint32_t u = m->sorted[o], du;
                if (o == e || (scope >= 0 && m->df_field[u][scope] == 0)) continue;
                du = scope >= 0 ? m->df_field[u][scope] : m->df[u];
                better += du > df || (du == df && o < e);
            }
            if (better < keep && n->n_exp < RQ_MAX_EXP) n->exp[n->n_exp++] = t;
        }
        lim->leaves += in_scope < keep ? in_scope : keep;
        break;
    }
    default:
        for (uint32_t k = 0; k < n->n_kids; k++)
            prepare_node(m, q, n->kids[k], scope, lim);
        break;
    }
}

/* Walks the leaves in query order, as the parser meets them. */
static int limit_walk(const rq_query *q, uint32_t i, uint32_t *leaves, size_t *offset)
{
    const rq_node *n = &q->node[i];
    switch (n->kind) {
    case RQ_PREFIX:
        for (uint32_t e = 0, found = 0; e < n->n_exp; e++) {
            if (++found > RQ_MAX_EXP || ++*leaves > RQ_MAX_HL) {
                *offset = n->word_off[0];
                return 1;
            }
        }
        return 0;
    case RQ_TERM:
    case RQ_PHRASE:
    case RQ_NEAR:
        for (uint32_t w = 0; w < n->n_words; w++)
            if (++*leaves > RQ_MAX_HL) {
                *offset = n->word_off[w];
                return 1;
            }
        return 0;
    default:
        for (uint32_t k = 0; k < n->n_kids; k++)
            if (limit_walk(q, n->kids[k], leaves, offset)) return 1;
        return 0;
    }
}

size_t rq_limit_offset(const rq_query *q)
{
    uint32_t leaves = 0;
    size_t offset = SIZE_MAX;
    limit_walk(q, q->root, &leaves, &offset);
    return offset;
}

int rq_prepare(const rm_model *m, rq_query *q)
{
    limits lim = {0, 0};
    prepare_node(m, q, q->root, -1, &lim);
    (void)lim; /* no limit on leaves: the workspace decides */
    return STELE_OK;
}

/* ---- Evaluation ------------------------------------------------------ */

#define RQ_MAX_POS 4096

static double term_score(const rm_model *m, uint32_t doc, uint32_t term, int scope, int *match)
{
    uint32_t tf[STELE_MAX_FIELDS] = {0};
    *match = 0;
    if (term == RM_NONE) return 0.0;
    const rm_doc *d = &m->docs[doc];
    uint32_t pos[RQ_MAX_POS];
    size_t n = rm_positions(m, doc, term, scope, pos, RQ_MAX_POS);
    for (size_t i = 0; i < n && i < RQ_MAX_POS; i++)
        tf[rm_field_at(m, doc, pos[i])]++;
    (void)d;
    if (n == 0) return 0.0;
    *match = 1;
    return rm_bm25(m, doc, tf, rm_idf(m, term, scope));
}

static double phrase_score(const rm_model *m, uint32_t doc, const rq_node *n, int *match)
{
    uint32_t tf[STELE_MAX_FIELDS] = {0};
    uint32_t pos[RQ_MAX_POS];
    *match = 0;
    for (uint32_t w = 0; w < n->n_words; w++)
        if (n->term[w] == RM_NONE) return 0.0;
    size_t n_pos = rm_positions(m, doc, n->term[0], n->scope, pos, RQ_MAX_POS);
    uint32_t count = 0;
    for (size_t i = 0; i < n_pos && i < RQ_MAX_POS; i++) {
        uint32_t w = 1;
        while (w < n->n_words && rm_term_at(m, doc, pos[i] + w) == n->term[w])
            w++;
        if (w < n->n_words) continue;
        tf[rm_field_at(m, doc, pos[i])]++;
        count++;
    }
    if (!count) return 0.0;
    *match = 1;
    double idf = 0.0;
    for (uint32_t w = 0; w < n->n_words; w++)
        idf += rm_idf(m, n->term[w], n->scope);
    return rm_bm25(m, doc, tf, idf);
}

/* Brute force: 1 when, for some occurrence p of some word, every word has
 * an occurrence in [p, p + span] (p is then the window's minimum). */
static int window_exists(const uint32_t *const *pos, const size_t *n_pos, uint32_t n_words,
                         uint32_t span)
{
    for (uint32_t w = 0; w < n_words; w++)
        for (size_t i = 0; i < n_pos[w]; i++) {
            uint32_t lo = pos[w][i];
            uint32_t v = 0;
            for (; v < n_words; v++) {
                size_t j = 0;
                while (j < n_pos[v] && (pos[v][j] < lo || pos[v][j] - lo > span))
                    j++;
                if (j == n_pos[v]) break;
            }
            if (v == n_words) return 1;
        }
    return 0;
}

/* Windows counted left to right, each occurrence used at most once. */
static uint32_t window_count(const uint32_t *const *pos, const size_t *n_pos, uint32_t n_words,
                             uint32_t span)
{
    size_t cur[RQ_MAX_WORDS] = {0};
    uint32_t count = 0;
    for (;;) {
        uint32_t lo = UINT32_MAX, hi = 0, arg = 0;
        for (uint32_t w = 0; w < n_words; w++) {
            uint32_t p = pos[w][cur[w]];
            if (p < lo) {
                lo = p;
                arg = w;
            }
            if (p > hi) hi = p;
        }
        if (hi - lo <= span) {
            count++;
            for (uint32_t w = 0; w < n_words; w++)
                if (++cur[w] == n_pos[w]) return count;
        } else if (++cur[arg] == n_pos[arg]) {
            return count;
        }
    }
}

static int near_failed; /* the count and the brute force disagreed */

static double near_score(const rm_model *m, uint32_t doc, const rq_node *n, int *match)
{
    static uint32_t buf[RQ_MAX_WORDS][RQ_MAX_POS];
    const uint32_t *pos[RQ_MAX_WORDS];
    size_t n_pos[RQ_MAX_WORDS];
    uint32_t tf[STELE_MAX_FIELDS] = {0}, span = n->k + n->n_words - 1;
    *match = 0;
    for (unsigned f = 0; f < m->n_fields; f++) {
        if (n->scope >= 0 && (int)f != n->scope) continue;
        uint32_t w = 0;
        for (; w < n->n_words; w++) {
            n_pos[w] = rm_positions(m, doc, n->term[w], (int)f, buf[w], RQ_MAX_POS);
            if (n_pos[w] > RQ_MAX_POS) n_pos[w] = RQ_MAX_POS;
            pos[w] = buf[w];
            if (!n_pos[w]) break;
        }
        if (w < n->n_words) continue;
        int exists = window_exists(pos, n_pos, n->n_words, span);
        tf[f] = window_count(pos, n_pos, n->n_words, span);
        if (exists != (tf[f] > 0)) near_failed = 1;
        *match |= tf[f] > 0;
    }
    if (!*match) return 0.0;
    double idf = 0.0;
    for (uint32_t w = 0; w < n->n_words; w++)
        idf += rm_idf(m, n->term[w], n->scope);
    return rm_bm25(m, doc, tf, idf);
}

int rq_near_inconsistent(void)
{
    return near_failed;
}

static int eval_node(const rm_model *m, const rq_query *q, uint32_t i, uint32_t doc, double *score)
{
    const rq_node *n = &q->node[i];
    int match = 0;
    *score = 0.0;
    switch (n->kind) {
    case RQ_TERM:
        *score = term_score(m, doc, n->term[0], n->scope, &match);
        return match;
    case RQ_PREFIX:
        for (uint32_t e = 0; e < n->n_exp; e++) {
            int one;
            double s = term_score(m, doc, n->exp[e], n->scope, &one);
            if (one) {
                *score += s;
                match = 1;
            }
        }
        return match;
    case RQ_PHRASE:
        *score = phrase_score(m, doc, n, &match);
        return match;
    case RQ_NEAR:
        *score = near_score(m, doc, n, &match);
        return match;
    case RQ_NOT: {
        double ignored;
        return !eval_node(m, q, n->kids[0], doc, &ignored);
    }
    case RQ_AND:
        for (uint32_t k = 0; k < n->n_kids; k++) {
            double s;
            if (!eval_node(m, q, n->kids[k], doc, &s)) {
                *score = 0.0;
                return 0;
            }
            if (q->node[n->kids[k]].kind != RQ_NOT) *score += s;
        }
        return 1;
    default:
        for (uint32_t k = 0; k < n->n_kids; k++) {
            double s;
            if (eval_node(m, q, n->kids[k], doc, &s)) {
                *score += s;
                match = 1;
            }
        }
        return match;
    }
}

int rq_eval(const rm_model *m, const rq_query *q, uint32_t doc, double *score)
{
    return eval_node(m, q, q->root, doc, score);
}

static int positive_in(const rm_model *m, const rq_query *q, uint32_t i, uint32_t term, int field)
{
    const rq_node *n = &q->node[i];
    if (field >= 0 && n->scope >= 0 && n->scope != field && n->kind != RQ_AND && n->kind != RQ_OR &&
        n->kind != RQ_NOT)
        return 0;
    switch (n->kind) {
    case RQ_NOT:
        return 0;
    case RQ_PREFIX:
        for (uint32_t e = 0; e < n->n_exp; e++)
            if (n->exp[e] == term) return 1;
        return 0;
    case RQ_TERM:
    case RQ_PHRASE:
    case RQ_NEAR:
        for (uint32_t w = 0; w < n->n_words; w++)
            if (n->term[w] == term) return 1;
        return 0;
    default:
        for (uint32_t k = 0; k < n->n_kids; k++)
            if (positive_in(m, q, n->kids[k], term, field)) return 1;
        return 0;
    }
}

int rq_positive_term(const rm_model *m, const rq_query *q, uint32_t term, int field)
{
    return term != RM_NONE && positive_in(m, q, q->root, term, field);
}

/* ---- Passage --------------------------------------------------------- */

static void term_role(const rm_model *m, const rq_query *q, uint32_t i, uint32_t term, int scope,
                      int any_scope, uint32_t doc, int field, uint32_t x, int *plain, int *covered);
static int has_word(const rm_model *m, const rq_query *q, uint32_t i);

typedef struct hl_term {
    uint32_t term;
    int scope;
} hl_term;

static void collect_hl(const rq_query *q, uint32_t i, hl_term *hl, uint32_t *n_hl)
{
    const rq_node *n = &q->node[i];
    uint32_t n_terms = 0;
    const uint32_t *terms = NULL;
    switch (n->kind) {
    case RQ_NOT:
        return;
    case RQ_PREFIX:
        terms = n->exp;
        n_terms = n->n_exp;
        break;
    case RQ_TERM:
    case RQ_PHRASE:
    case RQ_NEAR:
        terms = n->term;
        n_terms = n->n_words;
        break;
    default:
        for (uint32_t k = 0; k < n->n_kids; k++)
            collect_hl(q, n->kids[k], hl, n_hl);
        return;
    }
    for (uint32_t t = 0; t < n_terms; t++) {
        uint32_t h = 0;
        if (terms[t] == RM_NONE) continue;
        while (h < *n_hl && !(hl[h].term == terms[t] && hl[h].scope == n->scope))
            h++;
        if (h == *n_hl && *n_hl < RQ_MAX_HL) hl[(*n_hl)++] = (hl_term){terms[t], n->scope};
    }
}

/* Occurrences of highlight term h in [lo, end). */
static uint32_t count_in(const uint32_t *pos, size_t n, uint32_t lo, uint32_t end)
{
    uint32_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += pos[i] >= lo && pos[i] < end;
    return c;
}

void rq_passage(const rm_model *m, const rq_query *q, uint32_t doc, uint32_t *para,
                uint32_t *match_pos)
{
    static uint32_t pos[RQ_MAX_HL][RQ_MAX_POS];
    size_t n_pos[RQ_MAX_HL];
    hl_term hl[RQ_MAX_HL];
    uint32_t n_hl = 0;
    const rm_doc *d = &m->docs[doc];
    collect_hl(q, q->root, hl, &n_hl);
    for (uint32_t h = 0; h < n_hl; h++) {
        n_pos[h] = rm_positions(m, doc, hl[h].term, hl[h].scope, pos[h], RQ_MAX_POS);
        if (n_pos[h] > RQ_MAX_POS) n_pos[h] = RQ_MAX_POS;
        /* A term that is only a word of phrases or NEARs keeps only its
         * occurrences inside a match of one of them (fields together). */
        int plain = 0, covered = 0;
        term_role(m, q, q->root, hl[h].term, hl[h].scope, 0, doc, -1, UINT32_MAX, &plain, &covered);
        if (plain) continue;
        size_t kept = 0;
        for (size_t i = 0; i < n_pos[h]; i++) {
            covered = 0;
            term_role(m, q, q->root, hl[h].term, hl[h].scope, 0, doc, -1, pos[h][i], &plain,
                      &covered);
            if (covered) pos[h][kept++] = pos[h][i];
        }
        n_pos[h] = kept;
    }
    /* The paragraph with the most distinct terms, then the most matches,
     * then the earliest. */
    uint32_t best = UINT32_MAX, best_distinct = 0, best_count = 0;
    for (uint32_t p = 0; p < d->n_paras; p++) {
        const rm_para *rp = &d->paras[p];
        uint32_t distinct = 0, count = 0;
        for (uint32_t h = 0; h < n_hl; h++) {
            uint32_t c = count_in(pos[h], n_pos[h], rp->first_pos, rp->first_pos + rp->n_tokens);
            distinct += c > 0;
            count += c;
        }
        if (count && (best == UINT32_MAX || distinct > best_distinct ||
                      (distinct == best_distinct && count > best_count))) {
            best = p;
            best_distinct = distinct;
            best_count = count;
        }
    }
    if (best == UINT32_MAX) {
        *para = 0;
        *match_pos = d->paras[0].first_pos;
        return;
    }
    /* Inside it, the match starting the window of ST_DENSE_WINDOW (24)
     * positions with the most distinct terms, then the most matches, then
     * the earliest. */
    const rm_para *rp = &d->paras[best];
    uint32_t end = rp->first_pos + rp->n_tokens, start = UINT32_MAX;
    best_distinct = best_count = 0;
    for (uint32_t p = rp->first_pos; p < end; p++) {
        int is_match = 0;
        for (uint32_t h = 0; h < n_hl && !is_match; h++)
            is_match = count_in(pos[h], n_pos[h], p, p + 1) > 0;
        if (!is_match) continue;
        uint32_t distinct = 0, count = 0, w_end = p + 24 < end ? p + 24 : end;
        for (uint32_t h = 0; h < n_hl; h++) {
            uint32_t c = count_in(pos[h], n_pos[h], p, w_end);
            distinct += c > 0;
            count += c;
        }
        if (start == UINT32_MAX || distinct > best_distinct ||
            (distinct == best_distinct && count > best_count)) {
            start = p;
            best_distinct = distinct;
            best_count = count;
        }
    }
    *para = best;
    *match_pos = start;
}

int rq_marks_token(const rm_model *m, const rq_query *q, uint32_t doc, uint32_t pos,
                   const char *term, size_t len, int field)
{
    int plain = 0, covered = 0;
    term_role(m, q, q->root, rm_term_id(m, term, len), -1, 1, doc, field, pos, &plain, &covered);
    if (covered || (plain & 1)) return 1;
    if (!plain) return 0;
    return has_word(m, q, q->root) ? 2 : 1; /* a stopword, or in a query of stopwords alone */
}

/* ---- Group coverage (phrase and NEAR words in passages and snippets) -- */

/* Positions of word w of group n in doc: in field when field >= 0 (and in
 * the group's scope), else in the group's scope. */
static size_t group_positions(const rm_model *m, const rq_node *n, uint32_t doc, uint32_t w,
                              int field, uint32_t *pos)
{
    if (field >= 0 && n->scope >= 0 && n->scope != field) return 0;
    return rm_positions(m, doc, n->term[w], field >= 0 ? field : n->scope, pos, RQ_MAX_POS);
}

static int has(const uint32_t *pos, size_t n, uint32_t x)
{
    for (size_t i = 0; i < n; i++)
        if (pos[i] == x) return 1;
    return 0;
}

/* 1 when position x lies inside a match of group n (a phrase or NEAR). */
static int group_covers(const rm_model *m, const rq_node *n, uint32_t doc, int field, uint32_t x)
{
    static uint32_t pos[RQ_MAX_WORDS][RQ_MAX_POS];
    size_t n_pos[RQ_MAX_WORDS];
    for (uint32_t w = 0; w < n->n_words; w++) {
        n_pos[w] = group_positions(m, n, doc, w, field, pos[w]);
        if (n_pos[w] > RQ_MAX_POS) n_pos[w] = RQ_MAX_POS;
    }
    int found = 0;
    for (uint32_t w = 0; w < n->n_words && !found; w++)
        found = has(pos[w], n_pos[w], x);
    if (!found) return 0;
    if (n->kind == RQ_PHRASE) {
        for (uint32_t i = 0; i < n->n_words; i++) {
            if (x < i || !has(pos[i], n_pos[i], x)) continue;
            uint32_t j = 0;
            while (j < n->n_words && has(pos[j], n_pos[j], x - i + j))
                j++;
            if (j == n->n_words) return 1;
        }
        return 0;
    }
    uint32_t span = n->k + n->n_words - 1;
    for (uint32_t i = 0; i < n->n_words; i++)
        for (size_t a = 0; a < n_pos[i]; a++) {
            uint32_t lo = pos[i][a];
            if (lo > x || x - lo > span) continue;
            uint32_t j = 0;
            for (; j < n->n_words; j++) {
                size_t b = 0;
                while (b < n_pos[j] && (pos[j][b] < lo || pos[j][b] - lo > span))
                    b++;
                if (b == n_pos[j]) break;
            }
            if (j == n->n_words) return 1;
        }
    return 0;
}

/* Whether (term, scope) is a positive plain word or prefix expansion
 * (*plain), and whether a positive group with that scope covering x holds
 * it (*covered); field as for group_covers. */
/* The runtime's stopwords (ST_STOP_PERMILLE in query.h): a term in at
 * least 85% of the documents, in its scope. */
static int term_stop(const rm_model *m, uint32_t term, int scope)
{
    uint32_t df = scope >= 0 ? m->df_field[term][scope] : m->df[term];
    return (uint64_t)df * 1000u >= (uint64_t)m->n_docs * 850u;
}

/* Whether a positive term of the query in i occurs in its scope and is
 * no stopword: only then are stopwords marked sparingly. */
static int has_word(const rm_model *m, const rq_query *q, uint32_t i)
{
    const rq_node *n = &q->node[i];
    const uint32_t *terms = n->term;
    uint32_t n_terms = n->n_words;
    switch (n->kind) {
    case RQ_NOT:
        return 0;
    case RQ_PREFIX:
        terms = n->exp;
        n_terms = n->n_exp;
        break;
    case RQ_TERM:
    case RQ_PHRASE:
    case RQ_NEAR:
        break;
    default:
        for (uint32_t k = 0; k < n->n_kids; k++)
            if (has_word(m, q, n->kids[k])) return 1;
        return 0;
    }
    for (uint32_t t = 0; t < n_terms; t++) {
        uint32_t df;
        if (terms[t] == RM_NONE) continue;
        df = n->scope >= 0 ? m->df_field[terms[t]][n->scope] : m->df[terms[t]];
        if (df > 0 && !term_stop(m, terms[t], n->scope)) return 1;
    }
    return 0;
}

static void term_role(const rm_model *m, const rq_query *q, uint32_t i, uint32_t term, int scope,
                      int any_scope, uint32_t doc, int field, uint32_t x, int *plain, int *covered)
{
    const rq_node *n = &q->node[i];
    switch (n->kind) {
    case RQ_NOT:
        return;
    case RQ_AND:
    case RQ_OR:
        for (uint32_t k = 0; k < n->n_kids; k++)
            term_role(m, q, n->kids[k], term, scope, any_scope, doc, field, x, plain, covered);
        return;
    default:
        break;
    }
    if (any_scope ? (n->scope >= 0 && n->scope != field) : n->scope != scope) return;
    if (n->kind == RQ_PREFIX) {
        for (uint32_t e = 0; e < n->n_exp; e++)
            if (n->exp[e] == term) *plain |= term_stop(m, term, n->scope) ? 2 : 1;
        return;
    }
    for (uint32_t w = 0; w < n->n_words; w++) {
        if (n->term[w] != term) continue;
        if (n->kind == RQ_TERM)
            *plain |= term_stop(m, term, n->scope) ? 2 : 1;
        else if (!*covered && x != UINT32_MAX)
            *covered = group_covers(m, n, doc, field, x);
    }
}
