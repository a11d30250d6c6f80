/*
 * test_stem.c: the libstemmer glue (engine/stem/stele_stem.c): languages,
 * unknown languages, known English stems, output capacity and UTF-8-safe
 * truncation, refusal of over-long words.
 */
#include <stdio.h>
#include <string.h>

#include "stele.h"
#include "stele_stem.h"

#include "check.h"

/* Stems word with s into a buffer of cap bytes; returns the length. */
static int stem(stele_stemmer *s, const char *word, size_t cap, char *out)
{
    return stele_stemmer_stem(s, word, strlen(word), out, cap);
}

static void check_stem(stele_stemmer *s, const char *word, const char *want)
{
    char out[STELE_MAX_TERM_BYTES + 1];
    int n = stem(s, word, sizeof out, out);
    if (n < 0 || (size_t)n != strlen(want) || memcmp(out, want, (size_t)n) != 0 || out[n] != 0) {
        fprintf(stderr, "stem(%s) = %d \"%.*s\", want \"%s\"\n", word, n, n < 0 ? 0 : n, out, want);
        failures++;
    }
}

int main(void)
{
    const char **langs = stele_stemmer_languages();
    stele_stemmer *en, *ru;
    char out[STELE_MAX_TERM_BYTES + 1], long_word[2 * STELE_MAX_TERM_BYTES + 2];
    int n_langs = 0, has_english = 0;

    CHECK(langs != NULL);
    for (int i = 0; langs != NULL && langs[i] != NULL; i++) {
        stele_stemmer *s = stele_stemmer_new(langs[i]);
        if (s == NULL) fprintf(stderr, "language %s listed but not created\n", langs[i]);
        CHECK(s != NULL);
        stele_stemmer_free(s);
        has_english |= strcmp(langs[i], "english") == 0;
        n_langs++;
    }
    CHECK(n_langs >= 10 && has_english);

    CHECK(stele_stemmer_new("klingon") == NULL);
    CHECK(stele_stemmer_new("none") == NULL);
    CHECK(stele_stemmer_new("") == NULL);
    CHECK(stele_stemmer_new(NULL) == NULL);
    CHECK(stele_stemmer_new("English") == NULL); /* names are lower case */
    stele_stemmer_free(NULL);

    en = stele_stemmer_new("english");
    CHECK(en != NULL);
    if (en == NULL) return 1;
    check_stem(en, "rehabilitation", "rehabilit");
    check_stem(en, "treatments", "treatment");
    check_stem(en, "treatment", "treatment");
    check_stem(en, "people's", "peopl");
    check_stem(en, "prisons", "prison");
    check_stem(en, "reintegration", "reintegr");
    check_stem(en, "dependent", "depend");
    check_stem(en, "a", "a");

    /* Capacity: cut, never NUL past cap, never overflow. */
    memset(out, 'X', sizeof out);
    CHECK(stem(en, "rehabilitation", 4, out) == 4);
    CHECK(memcmp(out, "reha", 4) == 0 && out[4] == 'X');
    CHECK(stem(en, "rehabilitation", 0, NULL) == 0);
    CHECK(stem(en, "rehabilitation", 9, out) == 9 && memcmp(out, "rehabilit", 9) == 0);
    CHECK(stem(en, "rehabilitation", 10, out) == 9 && out[9] == '\0');

    /* Refusals. */
    CHECK(stele_stemmer_stem(NULL, "word", 4, out, sizeof out) < 0);
    memset(long_word, 'a', sizeof long_word);
    CHECK(stele_stemmer_stem(en, long_word, 2 * STELE_MAX_TERM_BYTES, out, sizeof out) >= 0);
    CHECK(stele_stemmer_stem(en, long_word, 2 * STELE_MAX_TERM_BYTES + 1, out, sizeof out) < 0);
    stele_stemmer_free(en);

    /* UTF-8: a cut never splits a character. */
    ru = stele_stemmer_new("russian");
    CHECK(ru != NULL);
    if (ru != NULL) {
        check_stem(ru, "москвы", "москв");
        CHECK(stem(ru, "москвы", 5, out) == 4); /* 2-byte letters: 4, not 5 */
        CHECK(memcmp(out, "мо", 4) == 0);
        CHECK(stem(ru, "москвы", 1, out) == 0);
        stele_stemmer_free(ru);
    }

    if (failures > 0) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    printf("ok (%d languages)\n", n_langs);
    return 0;
}
