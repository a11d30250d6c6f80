/*
 * query_parse.c: the query language, parsed into an st_query tree.
 *
 * Grammar (precedence NOT > implicit AND > OR; OR, NOT and NEAR are
 * operators only in upper case):
 *
 *   query   := or EOF
 *   or      := and ( "OR" and )*
 *   and     := unary unary*                      implicit AND
 *   unary   := ( "NOT" | "-" ) unary | primary
 *   primary := "(" or ")"
 *            | '"' words '"'                     phrase
 *            | "NEAR(" words [ "," k ] ")"       proximity, default k = 10
 *            | field ":" primary                 field scope
 *            | "id:" ( id [ "*" ] | '"' id '"' )  document id
 *            | word [ "*" ]                      term or prefix
 *            | word ( ("NEAR" | "NEAR/" k) word )+   infix proximity
 *
 * Words go through the index's analysis (st_tokenizer, then st_token_term
 * with the caller's stemmer), so the query and the text meet as the same
 * terms.  A word the tokenizer splits ("drug-dependent", "people's") is an
 * implicit phrase of its tokens; a symbol such as 55/12 is one token.  A
 * word with no token at all ("&") is dropped, unless it is all an OR
 * operand or a NOT is applied to it, which is an error.  A prefix is folded
 * but not stemmed, and is expanded (when an index is given) into an OR of
 * at most STELE_PREFIX_TERMS (or the caller's number) dictionary terms:
 * a word prefix matches the words as written, through the lexicon
 * (psychoactiv* finds "psychoactive", whose term is the stem psychoact),
 * and expands to their stem terms, each once, the terms ranked by the
 * document count of their most frequent word in the range, ties to the
 * first in dictionary order; a number or symbol prefix (never stemmed)
 * matches dictionary terms, ranked by their document counts.  A prefix
 * with more terms than it keeps is cut and counted in q->n_cut, never
 * refused.  With a field scope the terms absent from the field are
 * dropped after ranking.  With ST_PARSE_LAST_PREFIX (search as you type)
 * a last plain word of the query with nothing after it is such a word
 * prefix, its own term always kept among the expansions.  All the prefixes of a query read at most
 * STELE_PREFIX_SCAN dictionary entries together, so a query's cost is
 * bounded by its length and that number, whatever the dictionary's size.
 * Field scope is pushed down to the leaves; an inner scope overrides an
 * outer one.  "title:" etc. is a scope only when the name before the colon
 * is a field of the index (compared without case); any other
 * identifier-colon-word such as "ratio:2" is STELE_ESYNTAX at the name, so
 * a typo in a field name never silently becomes a different query.  The
 * curly quotes U+201C and U+201D delimit phrases like '"'.
 *
 * "id:" (any case, when the index has no field of that name) starts a
 * document id clause: the id runs to the next space, parenthesis or
 * quote, or is quoted (id:"decision I").  It is an ID leaf (query.h)
 * matching the documents whose id is those bytes exactly, or, with a
 * '*' after it (id:E/2009*) or as the last word when typing
 * (ST_PARSE_LAST_PREFIX, unquoted), whose id starts with them.  An empty
 * id is STELE_ESYNTAX and an id over STELE_MAX_TERM_BYTES STELE_ELIMIT,
 * both at the "id:"; an id no document has matches nothing.
 *
 * Errors carry the byte offset of the construct and a reason (enum
 * stele_query_reason): the opening quote or parenthesis of an unbalanced
 * one, the operator of a dangling OR, NOT or "-", the NEAR of malformed
 * proximity syntax, the opening of a phrase over STELE_MAX_PHRASE, the
 * parenthesis or operator nested beyond STELE_MAX_DEPTH, offset 0 for an
 * empty query, and the first negation of a query with no positive part
 * (a NOT of something that can only exclude, "-(-a)", is refused the
 * same way).  Inside NEAR(...) only plain words, a comma and a number may
 * appear; the operands of an infix NEAR are plain words (a split word
 * joins the group token by token), all with one distance.  A "-" must
 * touch what it negates ("a - b" is an error at the "-").  How many terms
 * a query has is bounded only by the workspace (and ST_MAX_TERMS).
 *
 * Counting mode.  With an arena that only counts, the same code runs and
 * stores nothing: nodes are written over one scratch record, terms are
 * not written at all, links are skipped, and what later passes would read from the tree (how
 * many tokens a word had, whether an operand only excludes) is carried in
 * the parser instead; every leaf also counts what st_eval_setup() will
 * take for it.  So a size query needs no buffer, and its figure is the
 * very sum a storing parse and setup allocate.
 */
#include <string.h>

#include "analyze.h"
#include "correct.h"
#include "lexicon.h"
#include "query.h"

enum lex_kind {
    L_END,
    L_LPAREN,
    L_RPAREN,
    L_PHRASE,
    L_MINUS,
    L_OR,
    L_NOT,
    L_NEARFN,
    L_NEAR,
    L_SCOPE,
    L_ID,
    L_WORD
};

typedef struct lex {
    int kind;
    size_t start, end;           /* the token's bytes; end = where lexing resumes */
    size_t text_start, text_end; /* phrase body, word without '*' */
    uint32_t near_k;
    int field;  /* L_SCOPE */
    int prefix; /* L_WORD or L_ID ending in '*' */
    int exact;  /* L_WORD starting with '=': no correction */
} lex;

/* A level of the query's nesting (parse_query): a group (the query, or a
 * parenthesis) with the "or" and the "and" being read in it, or a NOT or
 * a field scope waiting for its operand. */
/* The operands of an "and" or an "or" being read: the first alone until
 * a second one makes node, which holds them all (last: its last kid). */
typedef struct qlist {
    st_qnode *node, *first, *last;
} qlist;

typedef struct pframe {
    qlist or_, and_;
    uint32_t start;                   /* the '(', scope or NOT token */
    uint32_t and_start;               /* where the "and" began (errors) */
    uint32_t or_start;                /* the last OR (errors) */
    uint32_t or_neg_off, and_neg_off; /* their first NOT */
    uint32_t n_and;                   /* unaries the "and" has read */
    uint8_t type;                     /* FR_GROUP, FR_NOT, FR_SCOPE */
    uint8_t or_started;               /* the first "and" has ended */
    uint8_t or_all_neg, or_seen, and_all_neg, and_seen;
    int8_t field; /* its scope; a scope frame's: the one outside it */
} pframe;

/* The scratch of one prefix's ranking or one word's correction walk (a
 * union: a word is one or the other), with the parser in the query's
 * scratch_ (pscratch, below), never on the stack. */
typedef union pwalk pwalk;

typedef struct parser {
    const stele_index *ix;
    pwalk *w;
    const char *s;
    size_t len, pos;
    stele_stem_fn stem;
    void *stem_ctx;
    unsigned flags;
    uint32_t prefix_terms;
    uint32_t scan_left;    /* dictionary entries prefixes may still read */
    uint32_t correct_left; /* lexicon entries corrections may still read */
    uint8_t leaf_fuzzy;    /* st_qterm.fuzzy of the leaves new_leaf() makes */
    st_fix *last_fix;
    st_arena *a;
    st_query *q;
    size_t err_off;
    int err_reason;
    int depth;
    /* Counting mode (a->base == NULL): nodes are not stored but written
     * over this one, terms not written at all, and both only counted. */
    int counting;
    st_qnode scratch_node;
    uint32_t group_words; /* words of PHRASE and NEAR groups */
    uint32_t last_n_tok;  /* tokens of the last words_node() */
    /* Counting: the cover cursors' bytes (st_eval_cover_bytes) of the last
     * leaf made, and of the last words_node() that made one leaf; a leaf
     * has them only once it is known to be a word of a group. */
    size_t leaf_cover, last_cover;
    /* What the last parse function returned: whether it can only exclude
     * (a NOT, or AND/OR of such), and the offset of its first NOT. */
    int neg;
    size_t neg_off;
    /* The token look() last peeked at: parse_query() keeps these few
     * words, never a whole lex, on its frame. */
    int tk_kind, tk_field;
    size_t tk_start, tk_end;
    /* the levels of nesting open at the token: frames[0] is the query's
     * group, each level STELE_MAX_DEPTH counts one more */
    pframe frames[STELE_MAX_DEPTH + 1];
} parser;

static const char *const default_fields[] = {"title", "body", "footnote"};

static int fail(parser *p, int code, size_t off, int reason)
{
    p->err_off = off;
    p->err_reason = reason;
    return code;
}

/* Why a primary cannot start with a token of this kind. */
static int primary_reason(int kind)
{
    switch (kind) {
    case L_NEAR:
        return STELE_QR_NEAR_WORDS;
    case L_OR:
        return STELE_QR_OR_LEFT;
    case L_RPAREN:
        return STELE_QR_CLOSE_PAREN;
    default:
        return STELE_QR_DANGLING;
    }
}

static int is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' || c == 0;
}

/* Length of a quote character at s[i], 0 if none. */
static size_t quote_len(const parser *p, size_t i)
{
    const unsigned char *u = (const unsigned char *)p->s;
    if (u[i] == '"') return 1;
    if (i + 2 < p->len && u[i] == 0xE2 && u[i + 1] == 0x80 &&
        (u[i + 2] == 0x9C || u[i + 2] == 0x9D))
        return 3;
    return 0;
}

static int is_delim(const parser *p, size_t i)
{
    unsigned char c = (unsigned char)p->s[i];
    return is_space(c) || c == '(' || c == ')' || quote_len(p, i) > 0;
}

static int is_ident_char(unsigned char c, int first)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_') return 1;
    return !first && c >= '0' && c <= '9';
}

/* Field number of name (ASCII case-insensitive), or -1. */
static int find_field(const parser *p, const char *name, size_t len)
{
    unsigned n = p->ix ? p->ix->n_fields_ : 3;
    for (unsigned f = 0; f < n && f < STELE_MAX_FIELDS; f++) {
        stele_view v;
        if (p->ix) {
            if (stele_field_name(p->ix, f, &v) != STELE_OK) continue;
        } else {
            v.data = default_fields[f];
            for (v.len = 0; default_fields[f][v.len]; v.len++)
                ; /* strlen: the runtime uses no string function of libc */
        }
        if (v.len != len) continue;
        size_t i = 0;
        while (i < len) {
            unsigned char x = (unsigned char)v.data[i], y = (unsigned char)name[i];
            if (x >= 'A' && x <= 'Z') x = (unsigned char)(x - 'A' + 'a');
            if (y >= 'A' && y <= 'Z') y = (unsigned char)(y - 'A' + 'a');
            if (x != y) break;
            i++;
        }
        if (i == len) return (int)f;
    }
    return -1;
}

/* Reads up to 6 digits at s[i..end) as k; returns 0 if not all digits. */
static int read_k(const char *s, size_t i, size_t end, uint32_t *k)
{
    uint32_t v = 0;
    if (i >= end) return 0;
    for (; i < end; i++) {
        if (s[i] < '0' || s[i] > '9') return 0;
        /* saturates, so a huge distance is reported as over the limit */
        v = v > (UINT32_MAX - 9) / 10 ? UINT32_MAX : v * 10 + (uint32_t)(s[i] - '0');
    }
    *k = v;
    return 1;
}

/* The operand of "id:" (the word lexed so far ends at t->end; after is
 * the byte past the colon): an unquoted id to the word's end, its
 * trailing '*'s making it a prefix, or a quoted one. */
static int lex_id(parser *p, lex *t, size_t after)
{
    size_t q = after < p->len ? quote_len(p, after) : 0;
    t->kind = L_ID;
    t->text_start = after;
    t->text_end = t->end;
    if (q > 0) {
        size_t j = after + q;
        while (j < p->len && quote_len(p, j) == 0)
            j++;
        if (j >= p->len) return fail(p, STELE_ESYNTAX, after, STELE_QR_QUOTE);
        t->text_start = after + q;
        t->text_end = j;
        t->end = j + quote_len(p, j);
    } else {
        while (t->text_end > t->text_start && p->s[t->text_end - 1] == '*') {
            t->text_end--;
            t->prefix = 1;
        }
    }
    if (t->text_end == t->text_start) return fail(p, STELE_ESYNTAX, t->start, STELE_QR_ID_EMPTY);
    if (t->text_end - t->text_start > STELE_MAX_TERM_BYTES)
        return fail(p, STELE_ELIMIT, t->start, STELE_QR_ID_LONG);
    return STELE_OK;
}

/* Lexes the token at p->pos into *t without consuming it. */
static int peek(parser *p, lex *t)
{
    size_t i = p->pos, q;
    memset(t, 0, sizeof *t);
    while (i < p->len && is_space((unsigned char)p->s[i]))
        i++;
    t->start = i;
    if (i >= p->len) {
        t->kind = L_END;
        t->end = i;
        return STELE_OK;
    }
    if (p->s[i] == '(' || p->s[i] == ')') {
        t->kind = p->s[i] == '(' ? L_LPAREN : L_RPAREN;
        t->end = i + 1;
        return STELE_OK;
    }
    if ((q = quote_len(p, i)) > 0) {
        size_t j = i + q;
        while (j < p->len && quote_len(p, j) == 0)
            j++;
        if (j >= p->len) return fail(p, STELE_ESYNTAX, i, STELE_QR_QUOTE); /* unbalanced quote */
        t->kind = L_PHRASE;
        t->text_start = i + q;
        t->text_end = j;
        t->end = j + quote_len(p, j);
        return STELE_OK;
    }
    if (p->s[i] == '-') {
        if (i + 1 >= p->len || is_space((unsigned char)p->s[i + 1]) || p->s[i + 1] == ')')
            return fail(p, STELE_ESYNTAX, i, STELE_QR_MINUS_SPACE); /* dangling "-" */
        t->kind = L_MINUS;
        t->end = i + 1;
        return STELE_OK;
    }
    size_t end = i;
    while (end < p->len && !is_delim(p, end))
        end++;
    t->end = end;
    t->text_start = i;
    t->text_end = end;
    size_t n = end - i;
    const char *w = p->s + i;
    if (n == 2 && memcmp(w, "OR", 2) == 0) {
        t->kind = L_OR;
        return STELE_OK;
    }
    if (n == 3 && memcmp(w, "NOT", 3) == 0) {
        t->kind = L_NOT;
        return STELE_OK;
    }
    if (n >= 4 && memcmp(w, "NEAR", 4) == 0) {
        if (n == 4) {
            t->kind = (end < p->len && p->s[end] == '(') ? L_NEARFN : L_NEAR;
            t->near_k = ST_NEAR_DEFAULT;
            return STELE_OK;
        }
        if (w[4] == '/') {
            if (!read_k(p->s, i + 5, end, &t->near_k))
                return fail(p, STELE_ESYNTAX, i, STELE_QR_NEAR); /* NEAR/ without a number */
            t->kind = L_NEAR;
            return STELE_OK;
        }
    }
    /* field scope: identifier ':' */
    if (is_ident_char((unsigned char)w[0], 1)) {
        size_t c = 1;
        while (c < n && is_ident_char((unsigned char)w[c], 0))
            c++;
        if (c < n && w[c] == ':' && c <= STELE_MAX_FIELD_NAME) {
            int f = find_field(p, w, c);
            size_t after = i + c + 1;
            int operand =
                after < p->len && !is_space((unsigned char)p->s[after]) && p->s[after] != ')';
            if (f >= 0 && operand) {
                t->kind = L_SCOPE;
                t->field = f;
                t->end = after;
                return STELE_OK;
            }
            if (f >= 0)
                return fail(p, STELE_ESYNTAX, i,
                            STELE_QR_SCOPE_EMPTY); /* "title:" with nothing after */
            if (c == 2 && (w[0] | 0x20) == 'i' && (w[1] | 0x20) == 'd') return lex_id(p, t, after);
            if (operand) return fail(p, STELE_ESYNTAX, i, STELE_QR_FIELD); /* unknown field name */
        }
    }
    t->kind = L_WORD;
    if (w[0] == '=' && n > 1) {
        t->exact = 1;
        t->text_start++;
    }
    if (w[n - 1] == '*') {
        t->prefix = 1;
        while (t->text_end > t->text_start && p->s[t->text_end - 1] == '*')
            t->text_end--;
    }
    return STELE_OK;
}

static st_qnode *new_node(parser *p, int type, size_t offset, int *rc)
{
    st_qnode *n = st_arena_alloc(p->a, sizeof *n);
    if (!n) {
        if (!p->counting) {
            *rc = STELE_ENOSPACE;
            return NULL;
        }
        n = &p->scratch_node;
    }
    memset(n, 0, sizeof *n);
    n->type = (uint8_t)type;
    n->field = -1;
    n->offset = (uint32_t)offset;
    p->q->n_nodes++;
    *rc = STELE_OK;
    return n;
}

static void add_kid(parser *p, st_qnode *parent, st_qnode *kid, st_qnode **last)
{
    if (p->counting) return;
    if (*last)
        (*last)->next = kid;
    else
        parent->kids = kid;
    *last = kid;
    parent->n_kids++;
}

static uint32_t popcount32(uint32_t x)
{
    uint32_t n = 0;
    for (; x; x &= x - 1)
        n++;
    return n;
}

/* Counting: the cover cursors of leaves that became words of a group. */
static void count_cover(parser *p, size_t bytes)
{
    if (p->counting) st_arena_alloc(p->a, bytes);
}

/* The fields term occurs in, into *mask: STELE_OK, STELE_ENOTFOUND or a
 * reader error.  Out of line: the dictionary entry (400 bytes on a
 * Cortex-M4) is on this frame only while it is read, never on the
 * parser's, which is under every call the parse makes. */
ST_NOINLINE static int dict_mask(parser *p, const char *term, size_t len, uint32_t *mask)
{
    st_term_info info;
    int rc = st_dict_find(p->ix, term, len, &info);
    if (rc == STELE_OK) *mask = info.field_mask;
    return rc;
}

/* A leaf for term text (TERM, PREFIX or ID): a TERM in the fields
 * known_mask gives (NULL: none; lookup_leaf() finds them).  Counting, it
 * stores no term and counts the evaluator's bytes for the leaf. */
ST_NOINLINE static int new_leaf(parser *p, int type, const char *text, size_t len, int field,
                                size_t offset, const uint32_t *known_mask, st_qnode **out)
{
    int rc;
    st_qterm *t;
    st_qnode *n;
    uint32_t mask = p->ix && type == ST_Q_TERM && known_mask ? *known_mask : 0;

    if (p->q->n_terms >= ST_MAX_TERMS) return fail(p, STELE_ELIMIT, offset, STELE_QR_TOO_MANY);
    n = new_node(p, type, offset, &rc);
    if (!n) return rc;
    t = st_arena_alloc(p->a, sizeof *t);
    if (!t && !p->counting) return STELE_ENOSPACE;
    if (p->counting) {
        uint32_t lists = p->ix ? popcount32(st_leaf_mask(p->ix, mask, field)) : 0;
        st_arena_alloc(p->a, st_eval_leaf_bytes(lists));
        p->leaf_cover = st_eval_cover_bytes(lists);
    } else {
        memset(t, 0, sizeof *t);
        if (len > STELE_MAX_TERM_BYTES) len = STELE_MAX_TERM_BYTES;
        memcpy(t->text, text, len);
        t->text[len] = '\0';
        t->len = (uint32_t)len;
        t->field = field;
        t->offset = (uint32_t)offset;
        t->prefix = type == ST_Q_PREFIX;
        t->fuzzy = p->leaf_fuzzy;
        t->hl = -1;
        t->field_mask = mask;
        n->term = t;
        if (p->q->last_term)
            p->q->last_term->next = t;
        else
            p->q->first_term = t;
        p->q->last_term = t;
    }
    n->field = (int8_t)field;
    p->q->n_terms++;
    p->neg = 0;
    *out = n;
    return STELE_OK;
}

/* A TERM leaf for term text, its fields looked up in the index if any
 * (out of line from the functions that make leaves, so that the lookup's
 * chain is under none of their frames). */
ST_NOINLINE static int lookup_leaf(parser *p, const char *text, size_t len, int field,
                                   size_t offset, st_qnode **out)
{
    uint32_t mask;
    int rc;
    if (p->q->n_terms >= ST_MAX_TERMS) return fail(p, STELE_ELIMIT, offset, STELE_QR_TOO_MANY);
    if (len > STELE_MAX_TERM_BYTES) len = STELE_MAX_TERM_BYTES;
    if (p->ix) {
        rc = dict_mask(p, text, len, &mask);
        if (rc == STELE_OK) return new_leaf(p, ST_Q_TERM, text, len, field, offset, &mask, out);
        if (rc != STELE_ENOTFOUND) return rc;
    }
    return new_leaf(p, ST_Q_TERM, text, len, field, offset, NULL, out);
}

/* The leaf of dictionary term number ord, out of line (its cursor stays
 * off the caller's frame); with in_field, *out = NULL when the term is
 * not in field (>= 0). */
ST_NOINLINE static int ord_leaf(parser *p, uint32_t ord, int field, size_t offset, int in_field,
                                st_qnode **out)
{
    st_dict_cursor dc;
    st_term_info info;
    int rc = st_dict_at(p->ix, ord, &dc, &info);
    *out = NULL;
    if (rc < 0) return rc == STELE_ENOTFOUND ? st_corrupt() : rc;
    if (in_field && field >= 0 && !(info.field_mask & (1u << field))) return STELE_OK;
    return new_leaf(p, ST_Q_TERM, dc.term, dc.term_len, field, offset, &info.field_mask, out);
}

/* Tokenizes [start, end) of the query into *tok: 1 when it is exactly
 * one token, else 0 (the second token on this frame only). */
ST_NOINLINE static int one_token(const parser *p, size_t start, size_t end, st_token *tok)
{
    st_tokenizer tz;
    st_token extra;
    st_tokenizer_init(&tz, p->s + start, end - start);
    return st_tokenizer_next(&tz, tok) && !st_tokenizer_next(&tz, &extra);
}

/* A prefix's scan of the dictionary: a cursor and the entry it read, one
 * of each for both passes (prefix_rank(), then prefix_expand()), in the
 * parser's scratch (pwalk). */
typedef struct pfx_scan {
    st_dict_cursor c;
    st_term_info info;
} pfx_scan;

/* A candidate term of a word prefix: its ordinal and rank key. */
typedef struct pfx_cand {
    uint32_t df, ord;
} pfx_cand;

union pwalk {
    struct {
        pfx_scan sc;
        uint32_t heap[STELE_PREFIX_TERMS_MAX];
    } d;                                    /* prefix_expand(), prefix_rank() */
    pfx_cand lheap[STELE_PREFIX_TERMS_MAX]; /* lex_prefix_node() */
#ifndef STELE_OMIT_TYPOS
    st_correct_work cw; /* fuzzy_word() */
#endif
};

/* What the parse keeps in stele_query.scratch_ (st_parse_in.scratch). */
typedef struct pscratch {
    parser p;
    pwalk w;
} pscratch;
/* It fits in STELE_QUERY_SCRATCH_ (stele.h), for any limits and ABI. */
typedef char pscratch_fits[sizeof(pscratch) <= STELE_QUERY_SCRATCH_ ? 1 : -1];

/* Pass 1 of a prefix: the prefix_terms largest document frequencies of
 * the words in range (kept in a min-heap in the parser's scratch: at most
 * STELE_PREFIX_TERMS_MAX entries), how many words there are, and how many
 * dictionary entries were read (*scanned; *cut when the scan budget ran
 * out first).  *thr gets the smallest kept frequency and *n_above how many
 * kept ones exceed it. */
ST_NOINLINE static int prefix_rank(parser *p, const char *prefix, size_t len, int field,
                                   pfx_scan *sc, uint32_t *n_words, uint32_t *scanned, int *cut,
                                   uint32_t *thr, uint32_t *n_above)
{
    uint32_t *heap = p->w->d.heap, n_heap = 0, budget = p->scan_left / 2;
    st_dict_cursor *c = &sc->c;
    st_term_info *info = &sc->info;
    int rc;

    *n_words = *scanned = *n_above = *thr = 0;
    *cut = 0;
    if ((rc = st_dict_seek(p->ix, c, prefix, len)) < 0) return rc;
    for (;;) {
        if (*scanned >= budget) {
            *cut = 1;
            break;
        }
        rc = st_dict_next(p->ix, c, info);
        if (rc < 0) return rc;
        if (rc == 0 || c->term_len < len || memcmp(c->term, prefix, len) != 0) break;
        (*scanned)++;
        if (field >= 0 && !(info->field_mask & (1u << field))) continue;
        uint32_t df = field >= 0 ? info->list[field].df : info->df;
        (*n_words)++;
        if (n_heap < p->prefix_terms) {
            uint32_t i = n_heap++;
            while (i > 0 && heap[(i - 1) / 2] > df) {
                heap[i] = heap[(i - 1) / 2];
                i = (i - 1) / 2;
            }
            heap[i] = df;
        } else if (df > heap[0]) {
            uint32_t i = 0;
            heap[0] = df;
            for (;;) {
                uint32_t l = 2 * i + 1, r = l + 1, m = i, tmp;
                if (l < n_heap && heap[l] < heap[m]) m = l;
                if (r < n_heap && heap[r] < heap[m]) m = r;
                if (m == i) break;
                tmp = heap[i];
                heap[i] = heap[m];
                heap[m] = tmp;
                i = m;
            }
        }
    }
    if (n_heap) *thr = heap[0];
    for (uint32_t i = 0; i < n_heap; i++)
        *n_above += heap[i] > *thr;
    return STELE_OK;
}

/* a ranks below b: fewer documents, or as many and later in order. */
static int cand_worse(const pfx_cand *a, const pfx_cand *b)
{
    return a->df < b->df || (a->df == b->df && a->ord > b->ord);
}

static void cand_sift_down(pfx_cand *h, uint32_t n, uint32_t i)
{
    for (;;) {
        uint32_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && cand_worse(&h[l], &h[m])) m = l;
        if (r < n && cand_worse(&h[r], &h[m])) m = r;
        if (m == i) return;
        pfx_cand t = h[i];
        h[i] = h[m];
        h[m] = t;
        i = m;
    }
}

static void cand_sift_up(pfx_cand *h, uint32_t i)
{
    while (i > 0 && cand_worse(&h[i], &h[(i - 1) / 2])) {
        pfx_cand t = h[i];
        h[i] = h[(i - 1) / 2];
        h[(i - 1) / 2] = t;
        i = (i - 1) / 2;
    }
}

/*
 * A word prefix through the lexicon: pass 1 keeps, in a min-heap in the
 * parser's scratch (at most STELE_PREFIX_TERMS_MAX entries), the prefix_terms stem
 * terms whose most frequent word in range has the most documents; a term
 * met again only raises its key.  pin (or UINT32_MAX) is a term always
 * kept.  When some word's term was left out, pass 2 reads the range again
 * to tell whether the prefix was cut (a term evicted early may have come
 * back).  The leaves follow in dictionary order.
 */
ST_NOINLINE static int lex_prefix_node(parser *p, const char *prefix, size_t len, int field,
                                       size_t offset, uint32_t pin, st_qnode **out)
{
    pfx_cand *heap = p->w->lheap;
    uint32_t n_heap = 0, n_words = 0, scanned = 0, budget = p->scan_left / 2;
    int cut = 0, dropped = 0, rc;
    st_lex_cursor c;
    st_qnode *or_node, *last = NULL, *leaf, *first = NULL;
    uint32_t n_taken = 0;

    if (pin != UINT32_MAX) heap[n_heap++] = (pfx_cand){UINT32_MAX, pin};
    if ((rc = st_lex_prefix(p->ix, &c, prefix, len)) < 0) return rc;
    for (;;) {
        if (scanned >= budget) {
            cut = 1;
            break;
        }
        rc = st_lex_prefix_next(p->ix, &c);
        if (rc < 0) return rc;
        if (rc == 0) break;
        scanned++;
        n_words++;
        pfx_cand k = {c.e.df, c.e.stem_ord};
        uint32_t i;
        for (i = 0; i < n_heap && heap[i].ord != k.ord; i++)
            ;
        if (i < n_heap) {
            if (k.df > heap[i].df) {
                heap[i].df = k.df;
                cand_sift_down(heap, n_heap, i);
            }
        } else if (n_heap < p->prefix_terms) {
            heap[n_heap] = k;
            cand_sift_up(heap, n_heap++);
        } else if (cand_worse(&heap[0], &k)) {
            heap[0] = k;
            cand_sift_down(heap, n_heap, 0);
            dropped = 1;
        } else {
            dropped = 1;
        }
    }
    /* Sorted by ordinal: dictionary order, and a set to search. */
    for (uint32_t i = 1; i < n_heap; i++)
        for (uint32_t j = i; j > 0 && heap[j - 1].ord > heap[j].ord; j--) {
            pfx_cand t = heap[j];
            heap[j] = heap[j - 1];
            heap[j - 1] = t;
        }
    if (dropped && !cut) {
        uint32_t read = 0;
        if ((rc = st_lex_prefix(p->ix, &c, prefix, len)) < 0) return rc;
        while (!cut && read < scanned) {
            rc = st_lex_prefix_next(p->ix, &c);
            if (rc < 0) return rc;
            if (rc == 0) return st_corrupt(); /* the range shrank between two reads */
            read++;
            uint32_t lo = 0, hi = n_heap;
            while (lo < hi) {
                uint32_t mid = lo + (hi - lo) / 2;
                if (heap[mid].ord < c.e.stem_ord)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            if (lo == n_heap || heap[lo].ord != c.e.stem_ord) cut = 1;
        }
    }
    p->scan_left -= 2 * scanned;
    if (cut) {
        p->q->n_cut++;
        p->q->n_prefix_words += n_words;
    }
    if (n_heap == 0) return lookup_leaf(p, prefix, len, field, offset, out);
    or_node = new_node(p, ST_Q_OR, offset, &rc);
    if (!or_node) return rc;
    or_node->field = (int8_t)field;
    for (uint32_t i = 0; i < n_heap; i++) {
        if ((rc = ord_leaf(p, heap[i].ord, field, offset, 1, &leaf)) != STELE_OK) return rc;
        if (!leaf) continue; /* not in the scope's field */
        if (!first) first = leaf;
        add_kid(p, or_node, leaf, &last);
        n_taken++;
    }
    if (n_taken == 0) return lookup_leaf(p, prefix, len, field, offset, out);
    *out = n_taken == 1 ? first : or_node;
    return STELE_OK;
}

/* The expansion of prefix_node(), with the prefix's scan in the parser's
 * scratch: *out is NULL when no dictionary word starts with the prefix (in
 * its scope), which prefix_node() then makes a leaf of. */
ST_NOINLINE static int prefix_expand(parser *p, const char *prefix, size_t len, int field,
                                     size_t offset, st_qnode **out)
{
    pfx_scan *sc = &p->w->d.sc;
    st_dict_cursor *c = &sc->c;
    st_term_info *info = &sc->info;
    st_qnode *or_node, *last = NULL, *leaf, *first = NULL;
    uint32_t n_words, scanned, thr, n_above, n_at_thr, n_taken = 0, read = 0;
    int rc, cut;

    *out = NULL;
    rc = prefix_rank(p, prefix, len, field, sc, &n_words, &scanned, &cut, &thr, &n_above);
    if (rc < 0) return rc;
    p->scan_left -= 2 * scanned;
    if (cut || n_words > p->prefix_terms) {
        p->q->n_cut++;
        p->q->n_prefix_words += n_words;
    }
    if (n_words == 0) return STELE_OK;
    n_at_thr = (n_words < p->prefix_terms ? n_words : p->prefix_terms) - n_above;
    or_node = new_node(p, ST_Q_OR, offset, &rc);
    if (!or_node) return rc;
    or_node->field = (int8_t)field;
    if ((rc = st_dict_seek(p->ix, c, prefix, len)) < 0) return rc;
    while (read < scanned) {
        rc = st_dict_next(p->ix, c, info);
        if (rc < 0) return rc;
        if (rc == 0) return st_corrupt(); /* the range shrank between two reads */
        read++;
        if (field >= 0 && !(info->field_mask & (1u << field))) continue;
        uint32_t df = field >= 0 ? info->list[field].df : info->df;
        if (df < thr || (df == thr && n_at_thr == 0)) continue;
        if (df == thr) n_at_thr--;
        rc = new_leaf(p, ST_Q_TERM, c->term, c->term_len, field, offset, &info->field_mask, &leaf);
        if (rc) return rc;
        if (!first) first = leaf;
        add_kid(p, or_node, leaf, &last);
        n_taken++;
    }
    *out = n_taken == 1 ? first : or_node;
    return STELE_OK;
}

/* Expands prefix (folded) into an OR of the prefix_terms most frequent
 * dictionary words that start with it (in its scope), ties to the first in
 * dictionary order, listed in dictionary order; or keeps it as a PREFIX
 * leaf when there is no index or expansion is off.  A prefix with no word
 * is a leaf of a term that is not in the index (it matches nothing, and
 * counts as a term).  Each expansion reads the prefix's range twice, within
 * the query's scan budget; a prefix with more words than it keeps, or
 * whose scan the budget cut, counts in q->n_cut. */
ST_NOINLINE static int prefix_node(parser *p, const char *prefix, size_t len, int field,
                                   size_t offset, st_qnode **out)
{
    int rc;
    if (!p->ix || (p->flags & ST_PARSE_NO_EXPAND))
        return new_leaf(p, ST_Q_PREFIX, prefix, len, field, offset, NULL, out);
    if ((rc = prefix_expand(p, prefix, len, field, offset, out)) != STELE_OK) return rc;
    return *out ? STELE_OK : lookup_leaf(p, prefix, len, field, offset, out);
}

/*
 * Analyses bytes [start, end) of the query into terms: one TERM, or a
 * PHRASE / NEAR group of several (type is the group type; near_k its k).
 * For a NEAR group every token is a word; a phrase of one token is a TERM.
 * *out is NULL when the text has no token.
 */
ST_NOINLINE static int words_node(parser *p, size_t start, size_t end, int group_type,
                                  uint32_t near_k, int field, size_t offset, st_qnode **out)
{
    st_tokenizer tz;
    st_token tok;
    char term[STELE_MAX_TERM_BYTES + 1];
    size_t n_tok = 0, covers = 0;
    st_qnode *group = NULL, *last = NULL, *leaf, *first = NULL;
    int rc;

    *out = NULL;
    st_tokenizer_init(&tz, p->s + start, end - start);
    while (st_tokenizer_next(&tz, &tok)) {
        size_t tlen = st_token_term(&tok, p->stem, p->stem_ctx, term);
        size_t woff = start + tok.start;
        if (++n_tok > STELE_MAX_PHRASE) return fail(p, STELE_ELIMIT, offset, STELE_QR_PHRASE_LONG);
        rc = lookup_leaf(p, term, tlen, field, woff, &leaf);
        if (rc) return rc;
        covers += p->leaf_cover;
        if (n_tok == 1) {
            first = leaf;
            continue;
        }
        if (!group) {
            group = new_node(p, group_type, offset, &rc);
            if (!group) return rc;
            group->field = (int8_t)field;
            group->near_k = near_k;
            add_kid(p, group, first, &last);
        }
        add_kid(p, group, leaf, &last);
    }
    if (group_type == ST_Q_NEAR && n_tok < 2)
        return fail(p, STELE_ESYNTAX, offset, STELE_QR_NEAR_WORDS); /* NEAR needs two words */
    p->last_n_tok = (uint32_t)n_tok;
    if (group) {
        p->group_words += (uint32_t)n_tok;
        count_cover(p, covers);
    } else {
        p->last_cover = covers;
    }
    p->neg = 0;
    *out = group ? group : first;
    return STELE_OK;
}

#ifndef STELE_OMIT_TYPOS
/* Records the best correction of an unknown word (its token's bytes
 * [start, end) in the query) for "did you mean". */
static int add_fix(parser *p, size_t start, size_t end, const st_correction *best)
{
    st_fix *fx = st_arena_alloc(p->a, sizeof *fx);
    p->q->n_fixes++;
    if (!fx) return p->counting ? STELE_OK : STELE_ENOSPACE;
    if (p->counting) return STELE_OK; /* a short counting arena: only counted */
    memset(fx, 0, sizeof *fx);
    fx->offset = (uint32_t)start;
    fx->len = (uint32_t)(end - start);
    fx->word_len = best->len;
    memcpy(fx->word, best->word, best->len);
    if (p->last_fix)
        p->last_fix->next = fx;
    else
        p->q->fixes = fx;
    p->last_fix = fx;
    return STELE_OK;
}

/*
 * A plain word the index does not know (tok, analysed to term): its
 * corrections from the lexicon (correct.h), the best one recorded for
 * "did you mean", and, unless the search is exact, an OR of the
 * corrections' terms, each leaf marked with its edits so that it ranks
 * below a word as typed (query_eval.c).  With no correction, or exact, it
 * is the leaf of the unknown term (which matches nothing).  The walker
 * and the candidates (about 2.2 KB) live in the parser's scratch, in the
 * stele_query, so that a counting parse needs no workspace and little
 * stack.
 */
ST_NOINLINE static int fuzzy_word(parser *p, const st_token *tok, size_t start, const char *term,
                                  size_t term_len, unsigned k, int field, st_qnode **out)
{
    st_fuzzy *f = &p->w->cw.f;
    st_correction *cand = p->w->cw.cand;
    st_qnode *or_node = NULL, *leaf, *first = NULL, *last = NULL;
    uint32_t n_cand = 0;
    size_t woff = start + tok->start;
    int rc, cut;

    if (p->flags & ST_PARSE_EXACT) {
        /* Nothing matches through corrections, so none is looked for now:
         * the word waits, folded, for stele_query_suggest(). */
        memcpy(cand[0].word, tok->term, tok->len);
        cand[0].len = (uint32_t)tok->len;
        if ((rc = add_fix(p, woff, start + tok->end, &cand[0])) != STELE_OK) return rc;
        if (p->last_fix && !p->counting) p->last_fix->pending = 1;
        return lookup_leaf(p, term, term_len, field, woff, out);
    }
    rc = st_correct_find(p->ix, tok->term, tok->len, k, f, cand, &n_cand, &p->correct_left, &cut);
    if (rc < 0) return rc;
    if (n_cand > 0 && (rc = add_fix(p, woff, start + tok->end, &cand[0])) != STELE_OK) return rc;
    if (n_cand == 0) return lookup_leaf(p, term, term_len, field, woff, out);
    if (n_cand > 1) {
        or_node = new_node(p, ST_Q_OR, woff, &rc);
        if (!or_node) return rc;
        or_node->field = (int8_t)field;
    }
    for (uint32_t i = 0; i < n_cand; i++) {
        p->leaf_fuzzy = cand[i].dist;
        rc = ord_leaf(p, cand[i].stem_ord, field, woff, 0, &leaf);
        p->leaf_fuzzy = 0;
        if (rc) return rc;
        if (!first) first = leaf;
        if (or_node) add_kid(p, or_node, leaf, &last);
    }
    p->q->n_fuzzy++;
    *out = or_node ? or_node : first;
    return STELE_OK;
}
#endif /* STELE_OMIT_TYPOS */

/*
 * A plain word (not in a phrase, not a prefix, not before NEAR): as
 * words_node(), but a word of one token that the dictionary does not know
 * and the rule allows to correct (st_correct_k) goes to fuzzy_word().
 */
ST_NOINLINE static int word_node(parser *p, const lex *t, int field, st_qnode **out)
{
#ifdef STELE_OMIT_TYPOS
    /* no corrections: the word's terms as typed */
    return words_node(p, t->text_start, t->text_end, ST_Q_PHRASE, 0, field, t->start, out);
#else
    st_token tok;
    char term[STELE_MAX_TERM_BYTES + 1];
    uint32_t mask;
    unsigned k;

    if (!p->ix || t->exact || !one_token(p, t->text_start, t->text_end, &tok) ||
        tok.kind != ST_TOK_WORD || (k = st_correct_k(tok.term, tok.len)) == 0)
        return words_node(p, t->text_start, t->text_end, ST_Q_PHRASE, 0, field, t->start, out);
    size_t tlen = st_token_term(&tok, p->stem, p->stem_ctx, term);
    int rc = dict_mask(p, term, tlen, &mask);
    if (rc != STELE_ENOTFOUND) {
        if (rc < 0) return rc;
        rc = new_leaf(p, ST_Q_TERM, term, tlen, field, t->text_start + tok.start, &mask, out);
    } else {
        rc = fuzzy_word(p, &tok, t->text_start, term, tlen, k, field, out);
    }
    p->last_n_tok = 1;
    p->neg = 0;
    return rc;
#endif
}

/* NEAR(words[, k]) starting at the NEAR token t. */
ST_NOINLINE static int parse_near_fn(parser *p, const lex *t, int field, st_qnode **out)
{
    size_t open = t->end; /* the '(' */
    size_t i = open + 1, close, comma = 0;
    uint32_t k = ST_NEAR_DEFAULT;

    for (close = i; close < p->len && p->s[close] != ')'; close++) {
        char c = p->s[close];
        if (c == '(' || c == '*' || c == ':' || quote_len(p, close) > 0)
            return fail(p, STELE_ESYNTAX, close, STELE_QR_NEAR);
        if (c == ',') {
            if (comma) return fail(p, STELE_ESYNTAX, close, STELE_QR_NEAR);
            comma = close;
        }
    }
    if (close >= p->len)
        return fail(p, STELE_ESYNTAX, t->start, STELE_QR_NEAR); /* NEAR( without ')' */
    if (comma) {
        size_t a = comma + 1, b = close;
        while (a < b && is_space((unsigned char)p->s[a]))
            a++;
        while (b > a && is_space((unsigned char)p->s[b - 1]))
            b--;
        if (!read_k(p->s, a, b, &k)) return fail(p, STELE_ESYNTAX, comma, STELE_QR_NEAR);
        if (k > STELE_MAX_NEAR) return fail(p, STELE_ELIMIT, comma, STELE_QR_NEAR_DISTANCE);
    }
    p->pos = close + 1;
    return words_node(p, i, comma ? comma : close, ST_Q_NEAR, k, field, t->start, out);
}

/* After a word primary (first; n_first of its tokens, a phrase starting
 * at start when the tokenizer split it): `a NEAR/k b NEAR/k c ...`.
 * Counting, first and the group are scratch nodes, so the group's words
 * are counted here. */
ST_NOINLINE static int parse_near_infix(parser *p, st_qnode *first, uint32_t n_first, size_t start,
                                        st_qnode **out)
{
    st_qnode *group = NULL, *last = NULL;
    uint32_t k = 0, n_words = n_first;
    /* first's scope and offset (the group's), read now: counting, every
     * new_node() writes over the scratch record first is, and a split
     * word's last leaf was the last to */
    int8_t field = first->field;
    size_t offset = n_first > 1 ? start : first->offset;
    int rc;
    lex t, w;

    for (;;) {
        rc = peek(p, &t);
        if (rc) return rc;
        if (t.kind != L_NEAR) break;
        if (t.near_k > STELE_MAX_NEAR)
            return fail(p, STELE_ELIMIT, t.start, STELE_QR_NEAR_DISTANCE);
        if (!group && n_first > 1) {
            /* a word the tokenizer split joins the group word by word */
            k = t.near_k;
            group = first;
            group->type = ST_Q_NEAR;
            group->near_k = k;
            if (!p->counting)
                for (last = group->kids; last->next; last = last->next)
                    ;
        } else if (!group) {
            k = t.near_k;
            group = new_node(p, ST_Q_NEAR, offset, &rc);
            if (!group) return rc;
            group->field = field;
            group->near_k = k;
            add_kid(p, group, first, &last);
            p->group_words += 1;
            count_cover(p, p->last_cover);
        } else if (t.near_k != k) {
            return fail(p, STELE_ESYNTAX, t.start, STELE_QR_NEAR_MIXED); /* mixed distances */
        }
        p->pos = t.end;
        rc = peek(p, &w);
        if (rc) return rc;
        if (w.kind != L_WORD || w.prefix)
            return fail(p, STELE_ESYNTAX, t.start, STELE_QR_NEAR_WORDS); /* a word after NEAR */
        p->pos = w.end;
        st_tokenizer tz;
        st_token tok;
        char term[STELE_MAX_TERM_BYTES + 1];
        st_tokenizer_init(&tz, p->s + w.text_start, w.text_end - w.text_start);
        int any = 0;
        while (st_tokenizer_next(&tz, &tok)) {
            st_qnode *leaf;
            size_t tlen = st_token_term(&tok, p->stem, p->stem_ctx, term);
            if (n_words >= STELE_MAX_PHRASE)
                return fail(p, STELE_ELIMIT, offset, STELE_QR_PHRASE_LONG);
            rc = lookup_leaf(p, term, tlen, field, w.text_start + tok.start, &leaf);
            if (rc) return rc;
            add_kid(p, group, leaf, &last);
            count_cover(p, p->leaf_cover);
            n_words++;
            p->group_words++;
            any = 1;
        }
        if (!any) return fail(p, STELE_ESYNTAX, w.start, STELE_QR_NOTHING);
    }
    p->neg = 0;
    *out = group ? group : first;
    return STELE_OK;
}

/* The stem term of the lexicon word (folded, len bytes) into *pin, or
 * UINT32_MAX when the lexicon has no such word; out of line, its entry
 * off the caller's frame. */
ST_NOINLINE static int lex_pin(parser *p, const char *word, size_t len, uint32_t *pin)
{
    st_lex_entry e;
    int rc = st_lex_find(p->ix, word, len, &e);
    *pin = rc == STELE_OK ? e.stem_ord : UINT32_MAX;
    return rc == STELE_ENOTFOUND ? STELE_OK : rc;
}

/* Search as you type: the query's last word, typed with nothing after
 * it, as a word prefix that keeps the word's own term.  Returns 1 when
 * the word is not one plain word (a symbol, a split word): it is then
 * parsed as usual. */
ST_NOINLINE static int last_word_prefix(parser *p, const lex *t, int field, st_qnode **out)
{
    st_token tok;
    uint32_t pin;
    if (!p->ix || (p->flags & ST_PARSE_NO_EXPAND) || st_lex_n_words(p->ix) == 0) return 1;
    if (!one_token(p, t->text_start, t->text_end, &tok) || tok.kind != ST_TOK_WORD) return 1;
    int rc = lex_pin(p, tok.term, tok.len, &pin);
    if (rc < 0) return rc;
    rc = lex_prefix_node(p, tok.term, tok.len, field, t->start, pin, out);
    if (rc == STELE_OK) p->neg = 0;
    return rc;
}

/* id:X, a leaf with the id's bytes as typed, unanalysed: ids are
 * compared byte for byte. */
ST_NOINLINE static int id_leaf(parser *p, const lex *t, st_qnode **out)
{
    int prefix = t->prefix || ((p->flags & ST_PARSE_LAST_PREFIX) && t->text_end == p->len);
    int rc = new_leaf(p, ST_Q_ID, p->s + t->text_start, t->text_end - t->text_start, -1, t->start,
                      NULL, out);
    if (rc) return rc;
    if (!p->counting) (*out)->term->id_match = prefix ? ST_ID_PREFIX : ST_ID_EXACT;
    return STELE_OK;
}

/* word* : a prefix must be one token. */
ST_NOINLINE static int prefix_word(parser *p, const lex *t, int field, st_qnode **out)
{
    st_token tok;
    if (!one_token(p, t->text_start, t->text_end, &tok)) /* "*" alone, or several words */
        return fail(p, STELE_ESYNTAX, t->start, STELE_QR_PREFIX);
    if (tok.kind == ST_TOK_WORD && p->ix && !(p->flags & ST_PARSE_NO_EXPAND) &&
        st_lex_n_words(p->ix) > 0)
        return lex_prefix_node(p, tok.term, tok.len, field, t->start, UINT32_MAX, out);
    return prefix_node(p, tok.term, tok.len, field, t->start, out);
}

/* Peeks at the next token into p->tk_*, out of line, so that no lex
 * struct sits on parse_query()'s frame. */
ST_NOINLINE static int look(parser *p)
{
    lex t;
    int rc = peek(p, &t);
    p->tk_kind = t.kind;
    p->tk_field = t.field;
    p->tk_start = t.start;
    p->tk_end = t.end;
    return rc;
}

/* A primary that is not a group or a scope: a phrase, NEAR(...), a word
 * (and an infix NEAR after it), or the error of a token that cannot
 * start one.  Out of line: it holds a token on its frame. */
ST_NOINLINE static int primary_leaf(parser *p, int field, st_qnode **out)
{
    lex t;
    int rc = peek(p, &t);

    if (rc) return rc;
    switch (t.kind) {
    case L_PHRASE:
        p->pos = t.end;
        rc = words_node(p, t.text_start, t.text_end, ST_Q_PHRASE, 0, field, t.start, out);
        if (rc) return rc;
        if (!*out) return fail(p, STELE_ESYNTAX, t.start, STELE_QR_EMPTY_GROUP); /* empty phrase */
        break;
    case L_NEARFN:
        p->pos = t.end;
        rc = parse_near_fn(p, &t, field, out);
        if (rc) return rc;
        break;
    case L_ID:
        p->pos = t.end;
        rc = id_leaf(p, &t, out);
        if (rc) return rc;
        break;
    case L_WORD:
        p->pos = t.end;
        if (t.prefix) {
            rc = prefix_word(p, &t, field, out);
            if (rc) return rc;
            break;
        }
        if ((p->flags & ST_PARSE_LAST_PREFIX) && t.text_end == p->len) {
            rc = last_word_prefix(p, &t, field, out);
            if (rc != 1) return rc; /* done, or an error */
        }
        {
            lex n;
            rc = peek(p, &n); /* a word before NEAR is a group word: as typed */
            if (rc) return rc;
            if (n.kind == L_NEAR)
                rc = words_node(p, t.text_start, t.text_end, ST_Q_PHRASE, 0, field, t.start, out);
            else
                rc = word_node(p, &t, field, out);
        }
        if (rc) return rc;
        if (*out) return parse_near_infix(p, *out, p->last_n_tok, t.start, out);
        break;
    default:
        return fail(p, STELE_ESYNTAX, t.start, primary_reason(t.kind));
    }
    /* an infix NEAR after anything but a plain word is an error */
    rc = peek(p, &t);
    if (rc) return rc;
    if (t.kind == L_NEAR) return fail(p, STELE_ESYNTAX, t.start, STELE_QR_NEAR_WORDS);
    return STELE_OK;
}

/*
 * The grammar's nesting, parsed without recursion.  Each level a query
 * opens (a parenthesis, a field scope, a NOT or '-': what STELE_MAX_DEPTH
 * counts) is one frame of p->frames, above the query's own group frame,
 * so the parse takes the same stack whatever the nesting: a recursive
 * descent took about 210 bytes a level on a Cortex-M4.  A group frame is
 * an "or" being read with the "and" it is in (the query, or a
 * parenthesis); a NOT frame waits for its operand, a scope frame for its
 * primary.  The checks, and the errors with their offsets, come in the
 * order the grammar's recursive reading gives them.
 */
enum { FR_GROUP, FR_NOT, FR_SCOPE };

/* AND and OR exclude only when every operand does; the first NOT is the
 * first operand's. */
static void fold_neg(uint8_t *all_neg, uint32_t *first_off, uint8_t *seen, const parser *p)
{
    if (!p->neg) *all_neg = 0;
    if (!*seen) *first_off = (uint32_t)p->neg_off;
    *seen = 1;
}

/* Opens the frame of a group at the token look() just read: its "or"
 * and its first "and" start there. */
static void group_open(parser *p, pframe *g, size_t start, int field)
{
    memset(g, 0, sizeof *g);
    g->type = FR_GROUP;
    g->field = (int8_t)field;
    g->start = (uint32_t)start;
    g->and_start = (uint32_t)p->tk_start;
    g->or_all_neg = g->and_all_neg = 1;
}

/* Joins operand u, after l->first, to l, an "and" or an "or" (kind) in
 * the field scope field. */
static int join(parser *p, qlist *l, int kind, int field, st_qnode *u)
{
    int rc;
    if (!l->node) {
        l->node = new_node(p, kind, l->first->offset, &rc);
        if (!l->node) return rc;
        l->node->field = (int8_t)field;
        add_kid(p, l->node, l->first, &l->last);
    }
    add_kid(p, l->node, u, &l->last);
    return STELE_OK;
}

/* One more operand u (NULL: a word with no token) of g's "and". */
static int and_add(parser *p, pframe *g, st_qnode *u)
{
    g->n_and++;
    if (!u) return STELE_OK;
    fold_neg(&g->and_all_neg, &g->and_neg_off, &g->and_seen, p);
    if (!g->and_.first) {
        g->and_.first = u;
        return STELE_OK;
    }
    return join(p, &g->and_, ST_Q_AND, g->field, u);
}

/* g's "and" ended (at END, OR or ')'): it becomes an operand of the
 * "or". */
static int and_done(parser *p, pframe *g)
{
    st_qnode *a = g->and_.node ? g->and_.node : g->and_.first;
    p->neg = g->and_seen && g->and_all_neg;
    p->neg_off = g->and_neg_off;
    if (!g->or_started) {
        g->or_started = 1;
        g->or_.first = a;
        if (a) fold_neg(&g->or_all_neg, &g->or_neg_off, &g->or_seen, p);
        return STELE_OK;
    }
    if (!a)
        return fail(p, STELE_ESYNTAX, g->n_and ? g->and_start : g->or_start,
                    g->n_and ? STELE_QR_NOTHING : STELE_QR_DANGLING); /* dangling OR */
    fold_neg(&g->or_all_neg, &g->or_neg_off, &g->or_seen, p);
    return join(p, &g->or_, ST_Q_OR, g->field, a);
}

/* A NOT frame's operand inner arrived: the NOT node, into *out. */
static int not_done(parser *p, const pframe *f, st_qnode *inner, st_qnode **out)
{
    st_qnode *n;
    int rc;
    if (!inner) return fail(p, STELE_ESYNTAX, f->start, STELE_QR_NOTHING); /* NOT of nothing */
    if (p->neg) /* NOT of an exclusion: -(-a) */
        return fail(p, STELE_ESYNTAX, p->neg_off, STELE_QR_NO_POSITIVE);
    p->depth--;
    n = new_node(p, ST_Q_NOT, f->start, &rc);
    if (!n) return rc;
    n->field = f->field;
    if (!p->counting) {
        n->kids = inner;
        n->n_kids = 1;
    }
    p->neg = 1;
    p->neg_off = f->start;
    *out = n;
    return STELE_OK;
}

/* A parenthesis group's "or" ended: its ')' and what may follow it. */
static int paren_done(parser *p, const pframe *g, st_qnode *res)
{
    int rc;
    if ((rc = look(p)) != 0) return rc;
    if (p->tk_kind != L_RPAREN)
        return fail(p, STELE_ESYNTAX, g->start, STELE_QR_OPEN_PAREN); /* unbalanced '(' */
    p->pos = p->tk_end;
    p->depth--;
    if (!res) return fail(p, STELE_ESYNTAX, g->start, STELE_QR_EMPTY_GROUP); /* empty group */
    /* an infix NEAR after anything but a plain word is an error */
    if ((rc = look(p)) != 0) return rc;
    if (p->tk_kind == L_NEAR) return fail(p, STELE_ESYNTAX, p->tk_start, STELE_QR_NEAR_WORDS);
    return STELE_OK;
}

/* Pushes a frame of type for the token at start, one level deeper. */
static pframe *push(parser *p, int *top, int type, size_t start, int field)
{
    if (++p->depth > STELE_MAX_DEPTH) {
        fail(p, STELE_ELIMIT, start, STELE_QR_TOO_DEEP);
        return NULL;
    }
    pframe *f = &p->frames[++*top];
    memset(f, 0, sizeof *f);
    f->type = (uint8_t)type;
    f->field = (int8_t)field;
    f->start = (uint32_t)start;
    return f;
}

/*
 * The whole query:
 *   or      := and ( "OR" and )*
 *   and     := unary unary*
 *   unary   := ( "NOT" | "-" ) unary | primary
 *   primary := "(" or ")" | field ":" primary | leaf (primary_leaf)
 * read token by token over p->frames.
 */
static int parse_query(parser *p, st_qnode **root)
{
    int top = 0, field = -1, have = 0, rc, next;
    st_qnode *res = NULL;
    pframe *f;

    if ((rc = look(p)) != 0) return rc;
    group_open(p, &p->frames[0], 0, -1);
    for (;;) {
        if (have) {
            /* a primary was read: it completes the scopes and NOTs above
             * the innermost group, and is an operand of its "and" */
            for (f = &p->frames[top]; f->type != FR_GROUP; f = &p->frames[--top]) {
                if (f->type == FR_NOT) {
                    if ((rc = not_done(p, f, res, &res)) != STELE_OK) return rc;
                    continue;
                }
                if (!res) return fail(p, STELE_ESYNTAX, f->start, STELE_QR_NOTHING);
                p->depth--;
                field = f->field;
            }
            if ((rc = and_add(p, f, res)) != STELE_OK) return rc;
            have = 0;
        }
        if ((rc = look(p)) != 0) return rc;
        if (p->tk_kind == L_END || p->tk_kind == L_OR || p->tk_kind == L_RPAREN) {
            /* the "and" ended; OR starts the next, else the group ends */
            f = &p->frames[top];
            if ((rc = and_done(p, f)) != STELE_OK) return rc;
            if ((rc = look(p)) != 0) return rc;
            if (p->tk_kind == L_OR) {
                size_t or_start = p->tk_start;
                if (!f->or_.first)
                    return fail(p, STELE_ESYNTAX, f->n_and ? f->and_start : or_start,
                                f->n_and ? STELE_QR_NOTHING
                                         : STELE_QR_OR_LEFT); /* OR without left side */
                p->pos = p->tk_end;
                if ((rc = look(p)) != 0) return rc;
                f->or_start = (uint32_t)or_start;
                f->and_start = (uint32_t)p->tk_start;
                f->and_ = (qlist){NULL, NULL, NULL};
                f->n_and = f->and_neg_off = 0;
                f->and_all_neg = 1;
                f->and_seen = 0;
                continue;
            }
            p->neg = f->or_seen && f->or_all_neg;
            p->neg_off = f->or_neg_off;
            res = f->or_.node ? f->or_.node : f->or_.first;
            if (top == 0) break;
            if ((rc = paren_done(p, f, res)) != STELE_OK) return rc;
            top--;
            have = 1;
            continue;
        }
        /* a unary: NOT or '-' opens a frame for its operand */
        if (p->tk_kind == L_NOT || p->tk_kind == L_MINUS) {
            size_t start = p->tk_start;
            if (!push(p, &top, FR_NOT, start, field)) return STELE_ELIMIT;
            p->pos = p->tk_end;
            if ((rc = look(p)) != 0) return rc;
            next = p->tk_kind;
            if (next == L_END || next == L_OR || next == L_RPAREN || next == L_NEAR ||
                next == L_NOT || next == L_MINUS)
                return fail(p, STELE_ESYNTAX, start, STELE_QR_DANGLING); /* dangling NOT */
        }
        /* a primary: a scope opens a frame for its primary, a parenthesis
         * a group; anything else is a leaf */
        for (;;) {
            size_t start;
            if ((rc = look(p)) != 0) return rc;
            start = p->tk_start;
            if (p->tk_kind == L_SCOPE) {
                int scope = p->tk_field;
                if (!push(p, &top, FR_SCOPE, start, field)) return STELE_ELIMIT;
                p->pos = p->tk_end;
                if ((rc = look(p)) != 0) return rc;
                if (p->tk_kind != L_LPAREN && p->tk_kind != L_PHRASE && p->tk_kind != L_WORD &&
                    p->tk_kind != L_NEARFN && p->tk_kind != L_SCOPE)
                    return fail(p, STELE_ESYNTAX, start, STELE_QR_SCOPE_EMPTY);
                field = scope;
                continue;
            }
            if (p->tk_kind == L_LPAREN) {
                if (!(f = push(p, &top, FR_GROUP, start, field))) return STELE_ELIMIT;
                p->pos = p->tk_end;
                if ((rc = look(p)) != 0) return rc;
                group_open(p, f, start, field);
                break;
            }
            if ((rc = primary_leaf(p, field, &res)) != STELE_OK) return rc;
            have = 1;
            break;
        }
    }
    *root = res;
    return STELE_OK;
}

/* Marks leaves under a NOT as not positive, and ID leaves, which filter
 * but are neither scored nor marked. */
static void mark_positive(st_qnode *n, int negated)
{
    if (n->type == ST_Q_NOT) negated = 1;
    if (n->term) n->term->positive = (uint8_t)(!negated && n->type != ST_Q_ID);
    for (st_qnode *k = n->kids; k; k = k->next)
        mark_positive(k, negated);
}

int st_query_parse(const st_parse_in *in, const char *query, size_t len, st_arena *a, st_query *q,
                   st_parse_err *err)
{
    pscratch *ps = in->scratch;
    parser *p = &ps->p;
    int rc;

    memset(q, 0, sizeof *q);
    q->n_fields = in->ix ? in->ix->n_fields_ : 3;
    err->offset = 0;
    err->reason = STELE_QR_NONE;
    if (!query && len > 0) return STELE_EINVAL;
    if (len > STELE_MAX_QUERY_BYTES) {
        err->offset = STELE_MAX_QUERY_BYTES;
        err->reason = STELE_QR_TOO_LONG;
        return STELE_ELIMIT;
    }
    memset(p, 0, sizeof *p);
    p->w = &ps->w;
    p->ix = in->ix;
    p->s = query ? query : "";
    p->len = len;
    p->stem = in->stem;
    p->stem_ctx = in->stem_ctx;
    p->flags = in->flags;
    p->prefix_terms = in->prefix_terms ? in->prefix_terms : STELE_PREFIX_TERMS;
    if (p->prefix_terms > STELE_PREFIX_TERMS_MAX) p->prefix_terms = STELE_PREFIX_TERMS_MAX;
    p->scan_left = STELE_PREFIX_SCAN;
    p->correct_left = STELE_CORRECT_SCAN;
    p->a = a;
    p->q = q;
    p->counting = a->base == NULL;

    rc = parse_query(p, &q->root);
    if (rc == STELE_OK) {
        rc = look(p);
        if (rc == STELE_OK && p->tk_kind != L_END)
            rc = fail(p, STELE_ESYNTAX, p->tk_start, STELE_QR_CLOSE_PAREN); /* unbalanced ')' */
    }
    if (rc == STELE_OK && !q->root)
        rc = fail(p, STELE_ESYNTAX, 0, STELE_QR_EMPTY); /* nothing to search for */
    if (rc == STELE_OK && p->neg) rc = fail(p, STELE_ESYNTAX, p->neg_off, STELE_QR_NO_POSITIVE);
    if (rc != STELE_OK) {
        if (rc == STELE_ESYNTAX || rc == STELE_ELIMIT) {
            err->offset = p->err_off;
            err->reason = p->err_reason;
        }
        q->root = NULL;
        return rc;
    }
    if (p->counting) {
        /* what st_eval_setup() adds per query */
        st_arena_alloc(a, st_eval_query_bytes(q->n_terms, p->group_words));
        q->root = NULL;
        return STELE_OK;
    }
    mark_positive(q->root, 0);
    q->dict_steps = (STELE_PREFIX_SCAN - p->scan_left) + (STELE_CORRECT_SCAN - p->correct_left);
    return STELE_OK;
}
