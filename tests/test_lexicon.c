/*
 * test_lexicon.c: the surface-form lexicon (engine/src/lexicon.c) over the
 * bundled corpus.
 *
 * Usage: test_lexicon CORPUS_DIR INDEX_PATH
 *
 * The index is built from the corpus with English stemming.  The lexicon
 * is then checked against a model recomputed here from the stored text:
 * every document's text is tokenized again, and its word tokens, with the
 * number of documents holding each, sorted, must be exactly the
 * lexicon's words and frequencies, each mapped to the term libstemmer
 * gives.  Then every way in is checked against a plain scan of that
 * model: exact lookup, seek, prefix cursors, block starts, the shared
 * lengths a fuzzy walker relies on, and stemming by lookup.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "check.h"
#include "format.h"
#include "index_helper.h"
#include "lexicon.h"
#include "reader.h"
#include "stele_stem.h"

typedef struct mword {
    char w[STELE_MAX_TERM_BYTES + 1];
    uint32_t len, df, last_doc;
} mword;

static mword *model;
static size_t n_model, cap_model;

static int mword_cmp(const void *a, const void *b)
{
    const mword *x = a, *y = b;
    int r = memcmp(x->w, y->w, x->len < y->len ? x->len : y->len);
    if (r) return r;
    return (x->len > y->len) - (x->len < y->len);
}

/* Adds one word occurrence of doc; model_merge() sorts the occurrences
 * and merges them into words with their document counts. */
static void model_add(const char *w, uint32_t len, uint32_t doc)
{
    if (n_model == cap_model) {
        cap_model = cap_model ? cap_model * 2 : 4096;
        model = realloc(model, cap_model * sizeof *model);
    }
    mword *m = &model[n_model++];
    memcpy(m->w, w, len);
    m->w[len] = '\0';
    m->len = len;
    m->df = 1;
    m->last_doc = doc;
}

static int build_model(const stele_index *ix)
{
    static char text[1 << 20];
    static unsigned char mem[1 << 20];
    size_t need = stele_workspace_bound(ix, 0);
    if (need > sizeof mem) return -1;
    for (uint32_t d = 0; d < ix->n_docs_; d++) {
        size_t len;
        if (stele_doc_text(ix, d, mem, sizeof mem, text, sizeof text, &len) != STELE_OK) return -1;
        st_tokenizer tz;
        st_token tok;
        st_tokenizer_init(&tz, text, len);
        while (st_tokenizer_next(&tz, &tok))
            if (tok.kind == ST_TOK_WORD)
                model_add(tok.term, tok.len > STELE_MAX_TERM_BYTES ? STELE_MAX_TERM_BYTES : tok.len,
                          d);
    }
    return 0;
}

static int mword_doc_cmp(const void *a, const void *b)
{
    int r = mword_cmp(a, b);
    if (r) return r;
    const mword *x = a, *y = b;
    return (x->last_doc > y->last_doc) - (x->last_doc < y->last_doc);
}

/* Sorts the occurrences by (word, document) and merges equal words,
 * counting documents. */
static void model_merge(void)
{
    qsort(model, n_model, sizeof *model, mword_doc_cmp);
    size_t out = 0;
    for (size_t i = 0; i < n_model; i++) {
        if (out > 0 && mword_cmp(&model[out - 1], &model[i]) == 0) {
            if (model[i].last_doc != model[i - 1].last_doc) model[out - 1].df++;
            continue;
        }
        model[out++] = model[i];
    }
    n_model = out;
}

/* The first model word >= key. */
static size_t model_lower(const char *key, size_t len)
{
    mword k;
    memcpy(k.w, key, len);
    k.len = (uint32_t)len;
    size_t lo = 0, hi = n_model;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (mword_cmp(&model[mid], &k) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void check_prefix(const stele_index *ix, const char *prefix)
{
    size_t len = strlen(prefix), i = model_lower(prefix, len), n = 0;
    st_lex_cursor c;
    CHECK(st_lex_prefix(ix, &c, prefix, len) == STELE_OK);
    int rc;
    while ((rc = st_lex_prefix_next(ix, &c)) == 1) {
        CHECK(i < n_model && strcmp(c.e.word, model[i].w) == 0);
        i++;
        n++;
    }
    CHECK(rc == 0);
    CHECK(st_lex_prefix_next(ix, &c) == 0); /* stays at the end */
    CHECK(i == n_model || model[i].len < len || memcmp(model[i].w, prefix, len) != 0);
    printf("prefix %-12s %zu words\n", prefix, n);
}

static void check_stem(const stele_index *ix, const char *word, const char *stem)
{
    st_lex_entry e;
    char term[STELE_MAX_TERM_BYTES + 1];
    uint32_t tlen;
    CHECK(st_lex_find(ix, word, strlen(word), &e) == STELE_OK);
    CHECK(st_lex_term(ix, e.stem_ord, term, &tlen) == STELE_OK);
    CHECK(strcmp(term, stem) == 0);
    char out[STELE_MAX_TERM_BYTES];
    int n = st_lex_stem((void *)ix, word, strlen(word), out, sizeof out);
    CHECK(n == (int)strlen(stem) && memcmp(out, stem, (size_t)n) == 0);
}

static int load(const char *corpus_dir, const char *index_path, stele_index *ix, uint8_t **data)
{
    char *paths[64];
    const char *inputs[64];
    size_t n = 0, size;
    char err[256];
    DIR *dir = opendir(corpus_dir);
    struct dirent *e;
    if (!dir) return -1;
    while ((e = readdir(dir)) != NULL && n < 64) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 4, ".txt") != 0) continue;
        paths[n] = malloc(strlen(corpus_dir) + len + 2);
        sprintf(paths[n], "%s/%s", corpus_dir, e->d_name);
        n++;
    }
    closedir(dir);
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && strcmp(paths[j - 1], paths[j]) > 0; j--) {
            char *t = paths[j];
            paths[j] = paths[j - 1];
            paths[j - 1] = t;
        }
    for (size_t i = 0; i < n; i++)
        inputs[i] = paths[i];
    stele_build_opts bo;
    memset(&bo, 0, sizeof bo);
    int rc = stele_build(inputs, n, &bo, index_path, NULL, err, sizeof err);
    for (size_t i = 0; i < n; i++)
        free(paths[i]);
    if (rc != STELE_OK) {
        printf("build failed: %s\n", err);
        return -1;
    }
    *data = th_read_file(index_path, &size);
    if (!*data) return -1;
    return stele_open(ix, *data, size);
}

int main(int argc, char **argv)
{
    static unsigned char mem[1 << 20];
    stele_index ix;
    uint8_t *data;
    if (argc < 3) {
        printf("usage: test_lexicon CORPUS_DIR INDEX_PATH\n");
        return 2;
    }
    if (load(argv[1], argv[2], &ix, &data) != STELE_OK) {
        printf("cannot build or open the index\n");
        return 1;
    }
    stele_stemmer *stemmer = stele_stemmer_new("english");
    if (!stemmer) return 77;
    CHECK(stele_verify(&ix, mem, sizeof mem) == STELE_OK);
    CHECK(build_model(&ix) == 0);
    model_merge();

    /* 1. The lexicon is exactly the model, in order, with the stems
     * libstemmer gives and the shared lengths of front coding. */
    uint32_t n_words = st_lex_n_words(&ix);
    printf("lexicon: %u words in %u blocks, %u bytes; model: %zu words; dictionary: %u terms\n",
           n_words, st_lex_n_blocks(&ix), ix.sec_[ST_SEC_LEXICON].size, n_model, ix.n_terms_);
    CHECK(n_words == n_model);
    CHECK(st_lex_n_blocks(&ix) == (n_words + ST_LEX_BLOCK - 1) / ST_LEX_BLOCK);
    st_lex_cursor c;
    CHECK(st_lex_at_block(&ix, &c, 0) == STELE_OK);
    size_t i = 0;
    int rc;
    char prev[STELE_MAX_TERM_BYTES + 1] = "";
    uint32_t prev_len = 0;
    while ((rc = st_lex_next(&ix, &c)) == 1) {
        CHECK(i < n_model);
        if (i >= n_model) break;
        CHECK(c.e.index == i);
        CHECK(c.e.len == model[i].len && strcmp(c.e.word, model[i].w) == 0);
        CHECK(c.e.df == model[i].df);
        uint32_t shared = 0;
        if (i % ST_LEX_BLOCK != 0)
            while (shared < prev_len && shared < c.e.len && prev[shared] == c.e.word[shared])
                shared++;
        CHECK(c.e.shared == shared);
        if (i % ST_LEX_BLOCK == 0) {
            st_lex_entry first;
            CHECK(st_lex_block_first(&ix, (uint32_t)(i / ST_LEX_BLOCK), &first) == STELE_OK);
            CHECK(strcmp(first.word, c.e.word) == 0 && first.shared == 0);
        }
        /* the stem is the term libstemmer makes of the word */
        st_token tok;
        memset(&tok, 0, sizeof tok);
        tok.kind = ST_TOK_WORD;
        tok.len = c.e.len;
        memcpy(tok.term, c.e.word, c.e.len + 1);
        char want[STELE_MAX_TERM_BYTES + 1], term[STELE_MAX_TERM_BYTES + 1];
        size_t wlen = st_token_term(&tok, stele_stemmer_stem, stemmer, want);
        uint32_t tlen;
        CHECK(st_lex_term(&ix, c.e.stem_ord, term, &tlen) == STELE_OK);
        CHECK(tlen == wlen && strcmp(term, want) == 0);
        st_term_info info;
        CHECK(st_dict_find(&ix, want, wlen, &info) == STELE_OK && info.term_ord == c.e.stem_ord);
        CHECK(c.e.df <= info.df);
        /* exact lookup finds the same entry */
        st_lex_entry found;
        CHECK(st_lex_find(&ix, c.e.word, c.e.len, &found) == STELE_OK);
        CHECK(found.index == c.e.index && found.stem_ord == c.e.stem_ord);
        /* a word one byte short or one longer is found only if it is a word */
        if (c.e.len > 1) {
            size_t k = model_lower(c.e.word, c.e.len - 1);
            int is_word = k < n_model && model[k].len == c.e.len - 1 &&
                          memcmp(model[k].w, c.e.word, c.e.len - 1) == 0;
            CHECK((st_lex_find(&ix, c.e.word, c.e.len - 1, NULL) == STELE_OK) == is_word);
        }
        memcpy(prev, c.e.word, c.e.len + 1);
        prev_len = c.e.len;
        i++;
    }
    CHECK(rc == 0 && i == n_model);

    /* 2. Seek lands on the first word >= key, for keys in and between words. */
    static const char *const keys[] = {"",   "a",      "abz", "psychoactiv", "programme", "rehab",
                                       "zz", "zzzzzz", "m",   "drug",        "drugs",     "\x7f"};
    for (size_t k = 0; k < sizeof keys / sizeof *keys; k++) {
        size_t want = model_lower(keys[k], strlen(keys[k]));
        CHECK(st_lex_seek(&ix, &c, keys[k], strlen(keys[k])) == STELE_OK);
        rc = st_lex_next(&ix, &c);
        if (want == n_model)
            CHECK(rc == 0);
        else
            CHECK(rc == 1 && strcmp(c.e.word, model[want].w) == 0);
    }

    /* 3. Prefix cursors equal the model's ranges. */
    check_prefix(&ix, "psychoactiv");
    check_prefix(&ix, "programme");
    check_prefix(&ix, "rehab");
    check_prefix(&ix, "stigma");
    check_prefix(&ix, "");
    check_prefix(&ix, "zzzz");

    /* 4. Words and the terms they were indexed as; words the corpus never
     * had are not found and have no stem by lookup. */
    check_stem(&ix, "psychoactive", "psychoact");
    check_stem(&ix, "programmes", "programm");
    check_stem(&ix, "rehabilitation", "rehabilit");
    check_stem(&ix, "drugs", "drug");
    CHECK(st_lex_find(&ix, "psychoact", 9, NULL) == STELE_ENOTFOUND);
    CHECK(st_lex_find(&ix, "", 0, NULL) == STELE_ENOTFOUND);
    char out[STELE_MAX_TERM_BYTES];
    CHECK(st_lex_stem((void *)&ix, "qwertyuiop", 10, out, sizeof out) < 0);
    CHECK(st_lex_stem((void *)&ix, "psychoactive", 12, out, 3) < 0); /* no room: keep it */

    stele_stemmer_free(stemmer);
    free(model);
    free(data);
    if (failures) printf("%d failures\n", failures);
    return failures ? 1 : 0;
}
