/*
 * test_query_parse.c: the query language parser (engine/src/query_parse.c).
 *
 * Valid queries are parsed without an index (fields title, body, footnote;
 * no stemming; prefixes unexpanded) and compared, as st_query_dump()
 * S-expressions, with the tree they must give.  Bad queries must give the
 * right error code and byte offset, never an empty success.  Each query is
 * also parsed with every smaller workspace, which must give STELE_ENOSPACE
 * and never touch memory beyond the size given.
 */
#include <stdio.h>
#include <string.h>

#include "query.h"

static int failures;

static int last_reason;

static int parse_arena(const char *query, size_t len, st_query *q, size_t *off, st_arena *a)
{
    static stele_query scratch; /* its scratch_ is the parser's memory */
    st_parse_in in;
    st_parse_err err;
    int rc;
    memset(&in, 0, sizeof in);
    in.scratch = scratch.scratch_.bytes;
    rc = st_query_parse(&in, query, len, a, q, &err);
    *off = err.offset;
    last_reason = err.reason;
    return rc;
}

static int parse(const char *query, size_t len, st_query *q, size_t *off, unsigned char *mem,
                 size_t mem_size)
{
    st_arena a;
    st_arena_init(&a, mem, mem_size);
    return parse_arena(query, len, q, off, &a);
}

static _Alignas(16) unsigned char work[1 << 20];

static void ok(const char *query, const char *want)
{
    st_query q;
    size_t off = 0;
    char dump[1024];
    int rc = parse(query, strlen(query), &q, &off, work, sizeof work);
    if (rc != STELE_OK) {
        printf("FAIL %s: rc %d at %zu, want %s\n", query, rc, off, want);
        failures++;
        return;
    }
    st_query_dump(&q, dump, sizeof dump);
    if (strcmp(dump, want) != 0) {
        printf("FAIL %s: got %s, want %s\n", query, dump, want);
        failures++;
    }
    /* every smaller workspace: ENOSPACE, and nothing written past it */
    st_arena a;
    st_arena_init(&a, work, sizeof work);
    parse_arena(query, strlen(query), &q, &off, &a);
    size_t needed = st_arena_needed(&a);
    for (size_t size = 0; size < needed; size += 8) {
        memset(work, 0xA5, sizeof work);
        rc = parse(query, strlen(query), &q, &off, work, size);
        if (rc != STELE_ENOSPACE) {
            printf("FAIL %s: size %zu of %zu gave %d\n", query, size, needed, rc);
            failures++;
            break;
        }
        for (size_t i = size; i < sizeof work; i++) {
            if (work[i] != 0xA5) {
                printf("FAIL %s: size %zu wrote byte %zu\n", query, size, i);
                failures++;
                return;
            }
        }
    }
}

static void bad(const char *query, int want_rc, size_t want_off)
{
    st_query q;
    size_t off = 12345;
    int rc = parse(query, strlen(query), &q, &off, work, sizeof work);
    if (rc != want_rc || off != want_off) {
        printf("FAIL %s: rc %d at %zu, want %d at %zu\n", query, rc, off, want_rc, want_off);
        failures++;
    }
    /* counting (no memory), as a size query parses: the same error */
    off = 12345;
    rc = parse(query, strlen(query), &q, &off, NULL, 0);
    if (rc != want_rc || off != want_off) {
        printf("FAIL %s counting: rc %d at %zu, want %d at %zu\n", query, rc, off, want_rc,
               want_off);
        failures++;
    }
}

int main(void)
{
    char big[STELE_MAX_QUERY_BYTES + 64];

    /* words, implicit AND, OR, precedence */
    ok("women", "women");
    ok("alternatives to imprisonment", "(AND alternatives to imprisonment)");
    ok("a OR b c", "(OR a (AND b c))");
    ok("a b OR c", "(OR (AND a b) c)");
    ok("a OR b OR c", "(OR a b c)");
    ok("(a OR b) c", "(AND (OR a b) c)");
    ok("((a))", "a");
    ok("Women AND Children", "(AND women and children)"); /* only OR is an operator */
    ok("a or b", "(AND a or b)");                         /* lower case is a word */
    /* negation */
    ok("a -b", "(AND a (NOT b))");
    ok("a NOT b", "(AND a (NOT b))");
    ok("NOT a b", "(AND (NOT a) b)");
    ok("a OR -b", "(OR a (NOT b))");
    ok("a -(b OR c)", "(AND a (NOT (OR b c)))");
    ok("a -\"b c\"", "(AND a (NOT \"b c\"))");
    /* phrases and analysis */
    ok("\"exact phrase\"", "\"exact phrase\"");
    ok("\xE2\x80\x9C"
       "curly quotes"
       "\xE2\x80\x9D",
       "\"curly quotes\"");
    ok("\"one\"", "one");
    ok("drug-dependent", "\"drug dependent\"");
    ok("drug-dependent persons", "(AND \"drug dependent\" persons)");
    ok("people\xE2\x80\x99s", "people's");
    ok("C\xC3\xB4te", "cote");
    ok("55/12", "55/12");
    ok("resolution 55/12", "(AND resolution 55/12)");
    ok("10:30", "\"10 30\"");
    ok("a & b", "(AND a b)");
    /* prefixes */
    ok("rehab*", "rehab*");
    ok("Rehab* prison", "(AND rehab* prison)");
    /* proximity */
    ok("NEAR(a b c, 5)", "(NEAR/5 a b c)");
    ok("NEAR(a b)", "(NEAR/10 a b)");
    ok("NEAR( a  b ,3 )", "(NEAR/3 a b)");
    ok("a NEAR/3 b", "(NEAR/3 a b)");
    ok("a NEAR b", "(NEAR/10 a b)");
    ok("a NEAR/2 b NEAR/2 c d", "(AND (NEAR/2 a b c) d)");
    ok("x a NEAR/2 b", "(AND x (NEAR/2 a b))");
    ok("drug-dependent NEAR/4 prison", "(NEAR/4 drug dependent prison)");
    ok("prison NEAR/4 drug-dependent", "(NEAR/4 prison drug dependent)");
    ok("NEAR(drug-dependent prison, 4)", "(NEAR/4 drug dependent prison)");
    /* field scope */
    ok("title:women", "title:women");
    ok("Title:women", "title:women");
    ok("footnote:\"a phrase\"", "footnote:\"a phrase\"");
    ok("body:(a OR b)", "(OR body:a body:b)");
    ok("body:(a title:b)", "(AND body:a title:b)");
    ok("title:rehab*", "title:rehab*");
    ok("title:NEAR(a b, 2)", "(title:NEAR/2 a b)");
    ok("title:a NEAR/2 b", "(title:NEAR/2 a b)");
    ok("body:drug-dependent", "body:\"drug dependent\"");
    ok("a -title:b", "(AND a (NOT title:b))");
    /* levels of every kind inside one another: each scope holds to the
     * end of its primary, each NOT to its operand */
    ok("x (title:(a -(b OR body:(c -d)) e) OR f) g",
       "(AND x (OR (AND title:a (NOT (OR title:b (AND body:c (NOT body:d)))) title:e) f) g)");
    ok("-(a OR -(b c)) d", "(AND (NOT (OR a (NOT (AND b c)))) d)");
    ok("title:body:a b", "(AND body:a b)");
    /* document ids: bytes as typed, never analysed; a prefix with '*' */
    ok("id:55/12", "id:55/12");
    ok("ID:55/12 treatment", "(AND id:55/12 treatment)");
    ok("cannabis -id:55/12", "(AND cannabis (NOT id:55/12))");
    ok("id:55/12 OR id:E/2009/28", "(OR id:55/12 id:E/2009/28)");
    ok("id:\"decision I\"", "id:decision I");
    ok("id:55/*", "id:55/*");
    ok("title:(id:55/12 women)", "(AND id:55/12 title:women)");

    /* syntax errors with offsets */
    bad("", STELE_ESYNTAX, 0);
    bad("   ", STELE_ESYNTAX, 0);
    bad("&", STELE_ESYNTAX, 0);
    bad("\"abc", STELE_ESYNTAX, 0);
    bad("a \"b c", STELE_ESYNTAX, 2);
    bad("\"\"", STELE_ESYNTAX, 0);
    bad("\"&\"", STELE_ESYNTAX, 0);
    bad("(a b", STELE_ESYNTAX, 0);
    bad("x (a (b)", STELE_ESYNTAX, 2);
    bad("a b)", STELE_ESYNTAX, 3);
    bad("()", STELE_ESYNTAX, 0);
    bad("OR", STELE_ESYNTAX, 0);
    bad("a OR", STELE_ESYNTAX, 2);
    bad("OR a", STELE_ESYNTAX, 0);
    bad("a OR OR b", STELE_ESYNTAX, 2);
    bad("a OR &", STELE_ESYNTAX, 5);
    bad("(a OR) b", STELE_ESYNTAX, 3);
    bad("NOT", STELE_ESYNTAX, 0);
    bad("a NOT", STELE_ESYNTAX, 2);
    bad("a NOT OR b", STELE_ESYNTAX, 2);
    bad("-", STELE_ESYNTAX, 0);
    bad("a -", STELE_ESYNTAX, 2);
    bad("a -&", STELE_ESYNTAX, 2);
    bad("-a", STELE_ESYNTAX, 0);
    bad("NOT a", STELE_ESYNTAX, 0);
    ok("x OR NOT a", "(OR x (NOT a))");
    bad("a - b", STELE_ESYNTAX, 2);
    bad("-a -b", STELE_ESYNTAX, 0);
    bad("-(a OR b) -c", STELE_ESYNTAX, 0);
    bad("*", STELE_ESYNTAX, 0);
    bad("drug-dep*", STELE_ESYNTAX, 0);
    bad("NEAR", STELE_ESYNTAX, 0);
    bad("a NEAR", STELE_ESYNTAX, 2);
    bad("a NEAR/x b", STELE_ESYNTAX, 2);
    bad("a NEAR/ b", STELE_ESYNTAX, 2);
    bad("a NEAR/2 b NEAR/3 c", STELE_ESYNTAX, 11);
    bad("a NEAR/2 b*", STELE_ESYNTAX, 2);
    bad("a NEAR/2 \"b c\"", STELE_ESYNTAX, 2);
    bad("\"a b\" NEAR/2 c", STELE_ESYNTAX, 6);
    bad("a* NEAR/2 c", STELE_ESYNTAX, 3);
    bad("NEAR(a b", STELE_ESYNTAX, 0);
    bad("NEAR(a, 3)", STELE_ESYNTAX, 0);
    bad("NEAR(a b, x)", STELE_ESYNTAX, 8);
    bad("NEAR(a b, 3, 4)", STELE_ESYNTAX, 11);
    bad("NEAR(a \"b\")", STELE_ESYNTAX, 7);
    bad("NEAR(a b*)", STELE_ESYNTAX, 8);
    bad("foo:bar", STELE_ESYNTAX, 0);
    bad("a ratio:2", STELE_ESYNTAX, 2);
    bad("title:", STELE_ESYNTAX, 0);
    bad("a title: b", STELE_ESYNTAX, 2);
    bad("title:)", STELE_ESYNTAX, 0);
    bad("title:-a b", STELE_ESYNTAX, 0);
    bad("id:", STELE_ESYNTAX, 0);
    bad("a id: b", STELE_ESYNTAX, 2);
    bad("a id:*", STELE_ESYNTAX, 2);
    bad("a id:\"\"", STELE_ESYNTAX, 2);
    bad("a id:\"55/12", STELE_ESYNTAX, 5);
    bad("-id:55/12", STELE_ESYNTAX, 0);
    bad("id:0123456789012345678901234567890123456789012345678901234567890123456789", STELE_ELIMIT,
        0);

    /* limits with offsets */
    {
        /* 1000 words: no limit on terms but the workspace */
        size_t n = 0;
        for (int i = 0; i < 1000; i++)
            n += (size_t)snprintf(big + n, sizeof big - n, "w%d ", i);
        {
            st_query q2;
            size_t off2;
            if (parse(big, n, &q2, &off2, work, sizeof work) != STELE_OK || q2.n_terms != 1000) {
                printf("FAIL: a query of 1000 words\n");
                failures++;
            }
        }
        /* a phrase of STELE_MAX_PHRASE words is fine, one more is not */
        n = (size_t)snprintf(big, sizeof big, "x \"");
        for (int i = 0; i < STELE_MAX_PHRASE; i++)
            n += (size_t)snprintf(big + n, sizeof big - n, "p%d ", i);
        snprintf(big + n, sizeof big - n, "\"");
        st_query q;
        size_t off;
        if (parse(big, strlen(big), &q, &off, work, sizeof work) != STELE_OK) {
            printf("FAIL: a phrase of STELE_MAX_PHRASE words\n");
            failures++;
        }
        snprintf(big + n, sizeof big - n, "extra\"");
        bad(big, STELE_ELIMIT, 2);
        /* a NEAR group over the limit */
        n = (size_t)snprintf(big, sizeof big, "NEAR(");
        for (int i = 0; i < STELE_MAX_PHRASE + 1; i++)
            n += (size_t)snprintf(big + n, sizeof big - n, "n%d ", i);
        snprintf(big + n, sizeof big - n, ")");
        bad(big, STELE_ELIMIT, 0);
        /* an infix NEAR chain over the limit: the error at its first word */
        n = (size_t)snprintf(big, sizeof big, "x w0");
        for (int i = 1; i < STELE_MAX_PHRASE + 1; i++)
            n += (size_t)snprintf(big + n, sizeof big - n, " NEAR/3 w%d", i);
        bad(big, STELE_ELIMIT, 2);
        /* the same after a word the tokenizer splits in three: at the
         * split word */
        n = (size_t)snprintf(big, sizeof big, "x a-b-c");
        for (int i = 3; i < STELE_MAX_PHRASE + 1; i++)
            n += (size_t)snprintf(big + n, sizeof big - n, " NEAR/3 w%d", i);
        bad(big, STELE_ELIMIT, 2);
        /* nesting: STELE_MAX_DEPTH parentheses are fine, one more is not */
        n = 0;
        for (int i = 0; i < STELE_MAX_DEPTH; i++)
            big[n++] = '(';
        big[n++] = 'a';
        for (int i = 0; i < STELE_MAX_DEPTH; i++)
            big[n++] = ')';
        big[n] = '\0';
        if (parse(big, n, &q, &off, work, sizeof work) != STELE_OK) {
            printf("FAIL: STELE_MAX_DEPTH parentheses\n");
            failures++;
        }
        n = 0;
        for (int i = 0; i < STELE_MAX_DEPTH + 1; i++)
            big[n++] = '(';
        big[n++] = 'a';
        for (int i = 0; i < STELE_MAX_DEPTH + 1; i++)
            big[n++] = ')';
        big[n] = '\0';
        bad(big, STELE_ELIMIT, STELE_MAX_DEPTH);
        /* the limit counts scopes and NOTs as levels too: "-(" is two */
        n = 0;
        for (int i = 0; i < STELE_MAX_DEPTH / 2; i++)
            n += (size_t)snprintf(big + n, sizeof big - n, "-(");
        n += (size_t)snprintf(big + n, sizeof big - n, "title:a x");
        for (int i = 0; i < STELE_MAX_DEPTH / 2; i++)
            big[n++] = ')';
        big[n] = '\0';
        bad(big, STELE_ELIMIT, (size_t)STELE_MAX_DEPTH);
        /* a NOT of a NOT is refused: it would exclude an exclusion */
        bad("x NOT NOT a", STELE_ESYNTAX, 2);
        bad("x -(-a)", STELE_ESYNTAX, 4);
        /* query longer than STELE_MAX_QUERY_BYTES */
        memset(big, 'a', sizeof big);
        for (size_t i = 9; i < sizeof big; i += 10)
            big[i] = ' ';
        big[STELE_MAX_QUERY_BYTES + 1] = '\0';
        bad(big, STELE_ELIMIT, STELE_MAX_QUERY_BYTES);
    }

    if (failures) printf("%d failures\n", failures);
    return failures ? 1 : 0;
}
