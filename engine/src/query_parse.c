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
 * the dictionary terms that start with it, at most STELE_MAX_PREFIX_TERMS.
 * Field scope is pushed down to the leaves; an inner scope overrides an
 * outer one.  "title:" etc. is a scope only when the name before the colon
 * is a field of the index (compared without case); any other
 * identifier-colon-word such as "ratio:2" is STELE_ESYNTAX at the name, so
 * a typo in a field name never silently becomes a different query.  The
 * curly quotes U+201C and U+201D delimit phrases like '"'.
 *
 * Errors carry the byte offset of the construct: the opening quote or
 * parenthesis of an unbalanced one, the operator of a dangling OR, NOT or
 * "-", the NEAR of malformed proximity syntax, the word whose analysis
 * pushes the query over STELE_MAX_QUERY_TERMS or whose prefix matches too
 * many terms, the opening of a phrase over STELE_MAX_PHRASE, the
 * parenthesis or operator nested beyond STELE_MAX_DEPTH, offset 0 for an
 * empty query, and the first negation of a query with no positive part.
 * Inside NEAR(...) only plain words, a comma and a number may appear; the
 * operands of an infix NEAR are plain words (a split word joins the group
 * token by token), all with one distance.  A "-" must touch what it
 * negates ("a - b" is an error at the "-").  The tree has at most
 * ST_MAX_NODES nodes (a limit error beyond), so ST_PARSE_MEM bytes always
 * hold it.
 */
#include <string.h>

#include "analyze.h"
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
    L_WORD
};

typedef struct lex {
    int kind;
    size_t start, end;           /* the token's bytes; end = where lexing resumes */
    size_t text_start, text_end; /* phrase body, word without '*' */
    uint32_t near_k;
    int field;  /* L_SCOPE */
    int prefix; /* L_WORD ending in '*' */
} lex;

typedef struct parser {
    const stele_index *ix;
    const char *s;
    size_t len, pos;
    stele_stem_fn stem;
    void *stem_ctx;
    unsigned flags;
    st_arena *a;
    st_query *q;
    size_t err_off;
    int depth;
} parser;

static const char *const default_fields[] = {"title", "body", "footnote"};

static int fail(parser *p, int code, size_t off)
{
    p->err_off = off;
    return code;
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
            v.len = strlen(default_fields[f]);
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
    if (i >= end || end - i > 6) return 0;
    for (; i < end; i++) {
        if (s[i] < '0' || s[i] > '9') return 0;
        v = v * 10 + (uint32_t)(s[i] - '0');
    }
    *k = v;
    return 1;
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
        if (j >= p->len) return fail(p, STELE_ESYNTAX, i); /* unbalanced quote */
        t->kind = L_PHRASE;
        t->text_start = i + q;
        t->text_end = j;
        t->end = j + quote_len(p, j);
        return STELE_OK;
    }
    if (p->s[i] == '-') {
        if (i + 1 >= p->len || is_space((unsigned char)p->s[i + 1]) || p->s[i + 1] == ')')
            return fail(p, STELE_ESYNTAX, i); /* dangling "-" */
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
                return fail(p, STELE_ESYNTAX, i); /* NEAR/ without a number */
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
            if (f >= 0) return fail(p, STELE_ESYNTAX, i);  /* "title:" with nothing after */
            if (operand) return fail(p, STELE_ESYNTAX, i); /* unknown field name */
        }
    }
    t->kind = L_WORD;
    if (w[n - 1] == '*') {
        t->prefix = 1;
        while (t->text_end > t->text_start && p->s[t->text_end - 1] == '*')
            t->text_end--;
    }
    return STELE_OK;
}

static st_qnode *new_node(parser *p, int type, size_t offset, int *rc)
{
    st_qnode *n;
    if (p->q->n_nodes >= ST_MAX_NODES) {
        *rc = fail(p, STELE_ELIMIT, offset);
        return NULL;
    }
    n = st_arena_alloc(p->a, sizeof *n);
    if (!n) {
        *rc = STELE_ENOSPACE;
        return NULL;
    }
    memset(n, 0, sizeof *n);
    n->type = (uint8_t)type;
    n->field = -1;
    n->offset = (uint32_t)offset;
    p->q->n_nodes++;
    *rc = STELE_OK;
    return n;
}

static void add_kid(st_qnode *parent, st_qnode *kid, st_qnode **last)
{
    if (*last)
        (*last)->next = kid;
    else
        parent->kids = kid;
    *last = kid;
    parent->n_kids++;
}

/* A TERM (or PREFIX) leaf for term text, looked up in the index if any. */
ST_NOINLINE static int new_leaf(parser *p, int type, const char *text, size_t len, int field,
                                size_t offset, const st_term_info *known, st_qnode **out)
{
    int rc;
    st_qterm *t;
    st_qnode *n;

    if (p->q->n_terms >= STELE_MAX_QUERY_TERMS) return fail(p, STELE_ELIMIT, offset);
    n = new_node(p, type, offset, &rc);
    if (!n) return rc;
    t = st_arena_alloc(p->a, sizeof *t);
    if (!t) return STELE_ENOSPACE;
    memset(t, 0, sizeof *t);
    if (len > STELE_MAX_TERM_BYTES) len = STELE_MAX_TERM_BYTES;
    memcpy(t->text, text, len);
    t->text[len] = '\0';
    t->len = (uint32_t)len;
    t->field = field;
    t->offset = (uint32_t)offset;
    t->prefix = type == ST_Q_PREFIX;
    t->hl = -1;
    if (p->ix && type == ST_Q_TERM) {
        st_term_info info;
        if (!known) {
            rc = st_dict_find(p->ix, t->text, t->len, &info);
            if (rc == STELE_OK)
                known = &info;
            else if (rc != STELE_ENOTFOUND)
                return rc;
        }
        if (known) {
            t->field_mask = known->field_mask;
            t->pos_cap = st_term_pos_cap(p->ix, known, field);
        }
    }
    n->term = t;
    n->field = (int8_t)field;
    p->q->terms[p->q->n_terms++] = t;
    *out = n;
    return STELE_OK;
}

/* Expands prefix (folded) into an OR of dictionary terms, or keeps it as a
 * PREFIX leaf when there is no index or expansion is off. */
ST_NOINLINE static int prefix_node(parser *p, const char *prefix, size_t len, int field,
                                   size_t offset, st_qnode **out)
{
    st_dict_cursor c;
    st_term_info info;
    st_qnode *or_node, *last = NULL, *leaf;
    int rc, n_found = 0;

    if (!p->ix || (p->flags & ST_PARSE_NO_EXPAND))
        return new_leaf(p, ST_Q_PREFIX, prefix, len, field, offset, NULL, out);
    or_node = new_node(p, ST_Q_OR, offset, &rc);
    if (!or_node) return rc;
    or_node->field = (int8_t)field;
    rc = st_dict_seek(p->ix, &c, prefix, len);
    if (rc < 0) return rc;
    for (;;) {
        rc = st_dict_next(p->ix, &c, &info);
        if (rc < 0) return rc;
        if (rc == 0 || c.term_len < len || memcmp(c.term, prefix, len) != 0) break;
        if (field >= 0 && !(info.field_mask & (1u << field))) continue;
        if (++n_found > STELE_MAX_PREFIX_TERMS) return fail(p, STELE_ELIMIT, offset);
        rc = new_leaf(p, ST_Q_TERM, c.term, c.term_len, field, offset, &info, &leaf);
        if (rc) return rc;
        add_kid(or_node, leaf, &last);
    }
    *out = n_found == 1 ? or_node->kids : or_node;
    return STELE_OK;
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
    size_t n_tok = 0;
    st_qnode *group = NULL, *last = NULL, *leaf, *first = NULL;
    int rc;

    *out = NULL;
    st_tokenizer_init(&tz, p->s + start, end - start);
    while (st_tokenizer_next(&tz, &tok)) {
        size_t tlen = st_token_term(&tok, p->stem, p->stem_ctx, term);
        size_t woff = start + tok.start;
        if (++n_tok > STELE_MAX_PHRASE) return fail(p, STELE_ELIMIT, offset);
        rc = new_leaf(p, ST_Q_TERM, term, tlen, field, woff, NULL, &leaf);
        if (rc) return rc;
        if (n_tok == 1) {
            first = leaf;
            continue;
        }
        if (!group) {
            group = new_node(p, group_type, offset, &rc);
            if (!group) return rc;
            group->field = (int8_t)field;
            group->near_k = near_k;
            add_kid(group, first, &last);
        }
        add_kid(group, leaf, &last);
    }
    if (group_type == ST_Q_NEAR && n_tok < 2)
        return fail(p, STELE_ESYNTAX, offset); /* NEAR needs two words */
    *out = group ? group : first;
    return STELE_OK;
}

static int parse_or(parser *p, int field, st_qnode **out, int *consumed);

/* NEAR(words[, k]) starting at the NEAR token t. */
ST_NOINLINE static int parse_near_fn(parser *p, const lex *t, int field, st_qnode **out)
{
    size_t open = t->end; /* the '(' */
    size_t i = open + 1, close, comma = 0;
    uint32_t k = ST_NEAR_DEFAULT;

    for (close = i; close < p->len && p->s[close] != ')'; close++) {
        char c = p->s[close];
        if (c == '(' || c == '*' || c == ':' || quote_len(p, close) > 0)
            return fail(p, STELE_ESYNTAX, close);
        if (c == ',') {
            if (comma) return fail(p, STELE_ESYNTAX, close);
            comma = close;
        }
    }
    if (close >= p->len) return fail(p, STELE_ESYNTAX, t->start); /* NEAR( without ')' */
    if (comma) {
        size_t a = comma + 1, b = close;
        while (a < b && is_space((unsigned char)p->s[a]))
            a++;
        while (b > a && is_space((unsigned char)p->s[b - 1]))
            b--;
        if (!read_k(p->s, a, b, &k)) return fail(p, STELE_ESYNTAX, comma);
    }
    p->pos = close + 1;
    return words_node(p, i, comma ? comma : close, ST_Q_NEAR, k, field, t->start, out);
}

/* After a single-term primary: `a NEAR/k b NEAR/k c ...`. */
ST_NOINLINE static int parse_near_infix(parser *p, st_qnode *first, st_qnode **out)
{
    st_qnode *group = NULL, *last = NULL;
    uint32_t k = 0;
    int rc;
    lex t, w;

    for (;;) {
        rc = peek(p, &t);
        if (rc) return rc;
        if (t.kind != L_NEAR) break;
        if (!group && first->type == ST_Q_PHRASE) {
            /* a word the tokenizer split joins the group word by word */
            k = t.near_k;
            group = first;
            group->type = ST_Q_NEAR;
            group->near_k = k;
            for (last = group->kids; last->next; last = last->next)
                ;
        } else if (!group) {
            k = t.near_k;
            group = new_node(p, ST_Q_NEAR, first->offset, &rc);
            if (!group) return rc;
            group->field = first->field;
            group->near_k = k;
            add_kid(group, first, &last);
        } else if (t.near_k != k) {
            return fail(p, STELE_ESYNTAX, t.start); /* mixed NEAR distances */
        }
        p->pos = t.end;
        rc = peek(p, &w);
        if (rc) return rc;
        if (w.kind != L_WORD || w.prefix)
            return fail(p, STELE_ESYNTAX, t.start); /* NEAR needs a word after it */
        p->pos = w.end;
        st_tokenizer tz;
        st_token tok;
        char term[STELE_MAX_TERM_BYTES + 1];
        st_tokenizer_init(&tz, p->s + w.text_start, w.text_end - w.text_start);
        int any = 0;
        while (st_tokenizer_next(&tz, &tok)) {
            st_qnode *leaf;
            size_t tlen = st_token_term(&tok, p->stem, p->stem_ctx, term);
            if (group->n_kids >= STELE_MAX_PHRASE) return fail(p, STELE_ELIMIT, group->offset);
            rc = new_leaf(p, ST_Q_TERM, term, tlen, group->field, w.text_start + tok.start, NULL,
                          &leaf);
            if (rc) return rc;
            add_kid(group, leaf, &last);
            any = 1;
        }
        if (!any) return fail(p, STELE_ESYNTAX, w.start);
    }
    *out = group ? group : first;
    return STELE_OK;
}

/* word* : a prefix must be one token. */
ST_NOINLINE static int prefix_word(parser *p, const lex *t, int field, st_qnode **out)
{
    st_tokenizer tz;
    st_token tok, extra;
    st_tokenizer_init(&tz, p->s + t->text_start, t->text_end - t->text_start);
    if (!st_tokenizer_next(&tz, &tok)) return fail(p, STELE_ESYNTAX, t->start); /* "*" alone */
    if (st_tokenizer_next(&tz, &extra))
        return fail(p, STELE_ESYNTAX, t->start); /* prefix of several words */
    return prefix_node(p, tok.term, tok.len, field, t->start, out);
}

/* The recursive functions below keep small frames (the query may nest
 * STELE_MAX_DEPTH deep); everything with a token or a dictionary entry on
 * its stack is out of line. */
static int parse_primary(parser *p, int field, st_qnode **out)
{
    lex t;
    int rc = peek(p, &t), consumed;

    *out = NULL;
    if (rc) return rc;
    switch (t.kind) {
    case L_LPAREN:
        if (++p->depth > STELE_MAX_DEPTH) return fail(p, STELE_ELIMIT, t.start);
        p->pos = t.end;
        rc = parse_or(p, field, out, &consumed);
        if (rc) return rc;
        {
            lex c;
            rc = peek(p, &c);
            if (rc) return rc;
            if (c.kind != L_RPAREN) return fail(p, STELE_ESYNTAX, t.start); /* unbalanced '(' */
            p->pos = c.end;
        }
        p->depth--;
        if (!*out) return fail(p, STELE_ESYNTAX, t.start); /* empty group */
        break;
    case L_PHRASE:
        p->pos = t.end;
        rc = words_node(p, t.text_start, t.text_end, ST_Q_PHRASE, 0, field, t.start, out);
        if (rc) return rc;
        if (!*out) return fail(p, STELE_ESYNTAX, t.start); /* empty phrase */
        break;
    case L_NEARFN:
        p->pos = t.end;
        rc = parse_near_fn(p, &t, field, out);
        if (rc) return rc;
        break;
    case L_SCOPE:
        if (++p->depth > STELE_MAX_DEPTH) return fail(p, STELE_ELIMIT, t.start);
        p->pos = t.end;
        {
            lex n;
            rc = peek(p, &n);
            if (rc) return rc;
            if (n.kind != L_LPAREN && n.kind != L_PHRASE && n.kind != L_WORD &&
                n.kind != L_NEARFN && n.kind != L_SCOPE)
                return fail(p, STELE_ESYNTAX, t.start);
        }
        rc = parse_primary(p, t.field, out);
        if (rc) return rc;
        if (!*out) return fail(p, STELE_ESYNTAX, t.start);
        p->depth--;
        return STELE_OK; /* an infix NEAR was handled inside */
    case L_WORD:
        p->pos = t.end;
        if (t.prefix) {
            rc = prefix_word(p, &t, field, out);
            if (rc) return rc;
            break;
        }
        rc = words_node(p, t.text_start, t.text_end, ST_Q_PHRASE, 0, field, t.start, out);
        if (rc) return rc;
        if (*out) return parse_near_infix(p, *out, out);
        break;
    case L_NEAR:
    case L_OR:
    case L_NOT:
    case L_MINUS:
    case L_RPAREN:
    case L_END:
    default:
        return fail(p, STELE_ESYNTAX, t.start);
    }
    /* an infix NEAR after anything but a plain word is an error */
    rc = peek(p, &t);
    if (rc) return rc;
    if (t.kind == L_NEAR) return fail(p, STELE_ESYNTAX, t.start);
    return STELE_OK;
}

static int parse_unary(parser *p, int field, st_qnode **out)
{
    lex t;
    int rc = peek(p, &t);

    if (rc) return rc;
    if (t.kind == L_NOT || t.kind == L_MINUS) {
        st_qnode *inner, *n;
        lex next;
        if (++p->depth > STELE_MAX_DEPTH) return fail(p, STELE_ELIMIT, t.start);
        p->pos = t.end;
        rc = peek(p, &next);
        if (rc) return rc;
        if (next.kind == L_END || next.kind == L_OR || next.kind == L_RPAREN || next.kind == L_NEAR)
            return fail(p, STELE_ESYNTAX, t.start); /* dangling NOT */
        rc = parse_unary(p, field, &inner);
        if (rc) return rc;
        if (!inner) return fail(p, STELE_ESYNTAX, t.start); /* NOT of nothing searchable */
        p->depth--;
        n = new_node(p, ST_Q_NOT, t.start, &rc);
        if (!n) return rc;
        n->field = (int8_t)field;
        n->kids = inner;
        n->n_kids = 1;
        *out = n;
        return STELE_OK;
    }
    return parse_primary(p, field, out);
}

static int parse_and(parser *p, int field, st_qnode **out, int *consumed)
{
    st_qnode *and_node = NULL, *first = NULL, *last = NULL, *u;
    lex t;
    int rc;

    *out = NULL;
    *consumed = 0;
    for (;;) {
        rc = peek(p, &t);
        if (rc) return rc;
        if (t.kind == L_END || t.kind == L_OR || t.kind == L_RPAREN) break;
        rc = parse_unary(p, field, &u);
        if (rc) return rc;
        (*consumed)++;
        if (!u) continue;
        if (!first) {
            first = u;
            continue;
        }
        if (!and_node) {
            and_node = new_node(p, ST_Q_AND, first->offset, &rc);
            if (!and_node) return rc;
            and_node->field = (int8_t)field;
            add_kid(and_node, first, &last);
        }
        add_kid(and_node, u, &last);
    }
    *out = and_node ? and_node : first;
    return STELE_OK;
}

static int parse_or(parser *p, int field, st_qnode **out, int *consumed)
{
    st_qnode *or_node = NULL, *first, *last = NULL, *rhs;
    lex t, start;
    int rc, n;

    rc = peek(p, &start);
    if (rc) return rc;
    rc = parse_and(p, field, &first, &n);
    if (rc) return rc;
    *consumed = n;
    for (;;) {
        rc = peek(p, &t);
        if (rc) return rc;
        if (t.kind != L_OR) break;
        if (!first)
            return fail(p, STELE_ESYNTAX, n ? start.start : t.start); /* OR without left side */
        p->pos = t.end;
        rc = peek(p, &start);
        if (rc) return rc;
        rc = parse_and(p, field, &rhs, &n);
        if (rc) return rc;
        if (!rhs) return fail(p, STELE_ESYNTAX, n ? start.start : t.start); /* dangling OR */
        *consumed += n;
        if (!or_node) {
            or_node = new_node(p, ST_Q_OR, first->offset, &rc);
            if (!or_node) return rc;
            or_node->field = (int8_t)field;
            add_kid(or_node, first, &last);
        }
        add_kid(or_node, rhs, &last);
    }
    *out = or_node ? or_node : first;
    return STELE_OK;
}

/* Marks leaves under a NOT as not positive. */
static void mark_positive(st_qnode *n, int negated)
{
    if (n->type == ST_Q_NOT) negated = 1;
    if (n->term) n->term->positive = (uint8_t)!negated;
    for (st_qnode *k = n->kids; k; k = k->next)
        mark_positive(k, negated);
}

/* True when n can only exclude documents: a NOT, or AND/OR of such.  *off
 * gets the offset of the first NOT. */
static int negative_only(const st_qnode *n, size_t *off)
{
    if (n->type == ST_Q_NOT) {
        *off = n->offset;
        return 1;
    }
    if ((n->type != ST_Q_AND && n->type != ST_Q_OR) || n->n_kids == 0) return 0;
    size_t first = 0;
    int seen = 0;
    for (const st_qnode *k = n->kids; k; k = k->next) {
        size_t o;
        if (!negative_only(k, &o)) return 0;
        if (!seen) first = o;
        seen = 1;
    }
    *off = first;
    return 1;
}

int st_query_parse(const stele_index *ix, const char *query, size_t len, stele_stem_fn stem,
                   void *stem_ctx, unsigned flags, st_arena *a, st_query *q, size_t *err_off)
{
    parser p;
    lex t;
    int rc, consumed;
    size_t off;

    memset(q, 0, sizeof *q);
    q->n_fields = ix ? ix->n_fields_ : 3;
    *err_off = 0;
    if (!query && len > 0) return STELE_EINVAL;
    if (len > STELE_MAX_QUERY_BYTES) {
        *err_off = STELE_MAX_QUERY_BYTES;
        return STELE_ELIMIT;
    }
    memset(&p, 0, sizeof p);
    p.ix = ix;
    p.s = query ? query : "";
    p.len = len;
    p.stem = stem;
    p.stem_ctx = stem_ctx;
    p.flags = flags;
    p.a = a;
    p.q = q;

    rc = parse_or(&p, -1, &q->root, &consumed);
    if (rc == STELE_OK) {
        rc = peek(&p, &t);
        if (rc == STELE_OK && t.kind != L_END)
            rc = fail(&p, STELE_ESYNTAX, t.start); /* unbalanced ')' */
    }
    if (rc == STELE_OK && !q->root) rc = fail(&p, STELE_ESYNTAX, 0); /* nothing to search for */
    if (rc == STELE_OK && negative_only(q->root, &off)) rc = fail(&p, STELE_ESYNTAX, off);
    if (rc != STELE_OK) {
        *err_off = p.err_off;
        q->root = NULL;
        return rc;
    }
    mark_positive(q->root, 0);
    return STELE_OK;
}
