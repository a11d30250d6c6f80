/*
 * test_fuzzy.c: the Damerau-Levenshtein automaton (engine/src/fuzzy.c)
 * against a brute-force dynamic programme of the same distance (optimal
 * string alignment), on random strings over small alphabets (where edits
 * collide most) and on words of the bundled corpus with made-up typos:
 * the distance, the viability of every prefix (no completion within k
 * exactly when the automaton says so), and the sorted-walk's skipping,
 * which must never lose a word the plain distance accepts.
 *
 * Usage: test_fuzzy CORPUS-DIR
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzzy.h"
#include "osa.h"

#include "check.h"

#define MAXS OSA_MAX

static unsigned long n_checked;

/* Distance and prefix viability of text against pat, within every k. */
static void check_pair(const char *pat, size_t m, const char *text, size_t n)
{
    static unsigned d[MAXS][MAXS];
    unsigned want = osa_distance(pat, m, text, n, d);
    for (unsigned k = 0; k <= ST_FUZZY_MAX_K; k++) {
        st_lev a;
        CHECK(st_lev_init(&a, pat, m, k) == STELE_OK);
        st_lev_state s, s2;
        st_lev_start(&a, &s);
        for (size_t j = 0; j <= n; j++) {
            /* Some completion of text[0 .. j) is within k iff some prefix
             * of the pattern is within k of it (see fuzzy.h). */
            unsigned best = UINT32_MAX;
            for (size_t i = 0; i <= m; i++)
                if (d[i][j] < best) best = d[i][j];
            int viable = st_lev_viable(&a, &s);
            if (viable != (best <= k)) {
                fprintf(stderr, "viability of '%.*s' prefix %zu vs '%.*s' k=%u: %d\n", (int)n, text,
                        j, (int)m, pat, k, viable);
                failures++;
            }
            if (j == n) break;
            st_lev_step(&a, &s, (unsigned char)text[j], &s2);
            s = s2;
        }
        unsigned got = st_lev_distance(&a, &s);
        unsigned exp = want <= k ? want : k + 1;
        if (got != exp) {
            fprintf(stderr, "distance '%.*s' '%.*s' k=%u: got %u want %u\n", (int)m, pat, (int)n,
                    text, k, got, exp);
            failures++;
        }
        n_checked++;
    }
}

static uint64_t rng = 88172645463325252ull;
static uint32_t rnd(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng % n);
}

static void random_pairs(void)
{
    char p[MAXS], t[MAXS];
    for (int round = 0; round < 200000; round++) {
        unsigned sigma = 2 + rnd(4);
        size_t m = rnd(11), n = rnd(13);
        for (size_t i = 0; i < m; i++)
            p[i] = (char)('a' + rnd(sigma));
        if (rnd(2)) {
            /* a few edits of the pattern: the interesting distances */
            memcpy(t, p, m);
            n = m;
            for (unsigned e = rnd(4); e > 0; e--) {
                size_t at = n ? rnd((uint32_t)n) : 0;
                switch (rnd(4)) {
                case 0: /* substitution */
                    if (n) t[at] = (char)('a' + rnd(sigma));
                    break;
                case 1: /* insertion */
                    if (n + 1 < MAXS) {
                        memmove(t + at + 1, t + at, n - at);
                        t[at] = (char)('a' + rnd(sigma));
                        n++;
                    }
                    break;
                case 2: /* deletion */
                    if (n) {
                        memmove(t + at, t + at + 1, n - at - 1);
                        n--;
                    }
                    break;
                default: /* transposition */
                    if (at + 1 < n) {
                        char c = t[at];
                        t[at] = t[at + 1];
                        t[at + 1] = c;
                    }
                }
            }
        } else {
            for (size_t i = 0; i < n; i++)
                t[i] = (char)('a' + rnd(sigma));
        }
        check_pair(p, m, t, n);
    }
}

/* ---- words of the corpus -------------------------------------------- */

#define MAX_WORDS 20000
static char words[MAX_WORDS][32];
static size_t n_words;

static int cmp_word(const void *a, const void *b)
{
    return strcmp(a, b);
}

static void read_words(const char *dir)
{
    DIR *dp = opendir(dir);
    CHECK(dp != NULL);
    if (!dp) return;
    struct dirent *de;
    while ((de = readdir(dp)) != NULL) {
        size_t nl = strlen(de->d_name);
        if (nl < 5 || strcmp(de->d_name + nl - 4, ".txt") != 0) continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        FILE *fp = fopen(path, "rb");
        CHECK(fp != NULL);
        if (!fp) continue;
        char w[32];
        size_t wl = 0;
        int c;
        do {
            c = fgetc(fp);
            if (c >= 'A' && c <= 'Z') c += 'a' - 'A';
            if (c >= 'a' && c <= 'z') {
                if (wl < sizeof w - 1) w[wl++] = (char)c;
            } else if (wl > 0) {
                w[wl] = 0;
                if (n_words < MAX_WORDS) memcpy(words[n_words++], w, wl + 1);
                wl = 0;
            }
        } while (c != EOF);
        fclose(fp);
    }
    closedir(dp);
    qsort(words, n_words, sizeof *words, cmp_word);
    size_t out = 0;
    for (size_t i = 0; i < n_words; i++)
        if (out == 0 || strcmp(words[out - 1], words[i]) != 0)
            memmove(words[out++], words[i], sizeof *words);
    n_words = out;
}

/* A typo of w into out: one or two random edits among letters. */
static size_t typo(const char *w, char *out)
{
    size_t n = strlen(w);
    memcpy(out, w, n);
    for (unsigned e = 1 + rnd(2); e > 0 && n > 1; e--) {
        size_t at = rnd((uint32_t)n);
        switch (rnd(4)) {
        case 0:
            out[at] = (char)('a' + rnd(26));
            break;
        case 1:
            memmove(out + at + 1, out + at, n - at);
            out[at] = (char)('a' + rnd(26));
            n++;
            break;
        case 2:
            memmove(out + at, out + at + 1, n - at - 1);
            n--;
            break;
        default:
            if (at + 1 < n) {
                char c = out[at];
                out[at] = out[at + 1];
                out[at + 1] = c;
            }
        }
    }
    return n;
}

/* The sorted walk finds exactly the words within k of pattern, skipping
 * the words under dead prefixes as a lexicon walker would. */
static void walk_check(const char *pat, size_t m, unsigned k)
{
    static unsigned d[MAXS][MAXS];
    st_fuzzy *f = malloc(sizeof *f);
    CHECK(f != NULL);
    if (!f) return;
    CHECK(st_fuzzy_init(f, pat, m, k) == STELE_OK);
    char dead[ST_FUZZY_MAX_WORD];
    size_t dead_len = 0;
    for (size_t i = 0; i < n_words; i++) {
        size_t wl = strlen(words[i]);
        unsigned want = osa_distance(pat, m, words[i], wl, d);
        /* the lexicon walker's skip: words under the last dead prefix */
        if (dead_len && wl >= dead_len && memcmp(words[i], dead, dead_len) == 0) {
            CHECK(want > k);
            continue;
        }
        int got = st_fuzzy_feed(f, words[i], wl);
        if (got != (want <= k ? (int)want : -1)) {
            fprintf(stderr, "walk '%.*s' k=%u '%s': got %d want %u\n", (int)m, pat, k, words[i],
                    got, want);
            failures++;
        }
        dead_len = got < 0 ? st_fuzzy_dead_prefix(f) : 0;
        if (dead_len) memcpy(dead, words[i], dead_len);
    }
    free(f);
}

static void corpus_words(const char *dir)
{
    read_words(dir);
    CHECK(n_words > 1000);
    char t[MAXS];
    for (int round = 0; round < 20000; round++) {
        const char *w = words[rnd((uint32_t)n_words)];
        size_t n = typo(w, t);
        check_pair(w, strlen(w), t, n);
        /* the other way round too: a misspelt pattern, a real word */
        if (n <= ST_FUZZY_MAX_PAT) check_pair(t, n, w, strlen(w));
    }
    for (int round = 0; round < 40; round++) {
        const char *w = words[rnd((uint32_t)n_words)];
        size_t n = typo(w, t);
        if (n <= ST_FUZZY_MAX_PAT) walk_check(t, n, 1 + (unsigned)rnd(2));
    }
    walk_check("rehabilitaton", 13, 2);
    walk_check("psycoactive", 11, 2);
    walk_check("", 0, 1);
}

static void limits(void)
{
    st_lev a;
    char p[ST_FUZZY_MAX_PAT + 1];
    memset(p, 'a', sizeof p);
    CHECK(st_lev_init(&a, p, ST_FUZZY_MAX_PAT, ST_FUZZY_MAX_K) == STELE_OK);
    CHECK(st_lev_init(&a, p, ST_FUZZY_MAX_PAT + 1, 1) == STELE_EINVAL);
    CHECK(st_lev_init(&a, p, 3, ST_FUZZY_MAX_K + 1) == STELE_EINVAL);
    /* a full-length pattern: the top row bit is the accepting one */
    check_pair(p, ST_FUZZY_MAX_PAT, p, ST_FUZZY_MAX_PAT);
    check_pair(p, ST_FUZZY_MAX_PAT, p, ST_FUZZY_MAX_PAT - 1);
    check_pair(p, ST_FUZZY_MAX_PAT, p, ST_FUZZY_MAX_PAT - 3);
    check_pair(p, ST_FUZZY_MAX_PAT - 1, p, ST_FUZZY_MAX_PAT - 1);
    /* transposition counts one */
    CHECK(st_lev_init(&a, "naloxone", 8, 1) == STELE_OK);
    st_lev_state s, s2;
    st_lev_start(&a, &s);
    for (const char *c = "nalxoone"; *c; c++) {
        st_lev_step(&a, &s, (unsigned char)*c, &s2);
        s = s2;
    }
    CHECK(st_lev_distance(&a, &s) == 1);
    /* words longer than pattern + k die one byte after m + k */
    st_fuzzy *f = malloc(sizeof *f);
    CHECK(f && st_fuzzy_init(f, "drug", 4, 1) == STELE_OK);
    if (f) {
        CHECK(st_fuzzy_feed(f, "drugsss", 7) == -1 && st_fuzzy_dead_prefix(f) == 6);
        CHECK(st_fuzzy_feed(f, "drugs", 5) == 1);
        CHECK(st_fuzzy_feed(f, "drug", 4) == 0);
        CHECK(st_fuzzy_feed(f, "dxxg", 4) == -1 && st_fuzzy_dead_prefix(f) == 3);
        CHECK(st_fuzzy_feed(f, "dxxgz", 5) == -1);
        /* a word longer than any state kept is refused, not overrun */
        char longw[3 * ST_FUZZY_MAX_WORD];
        memset(longw, 'a', sizeof longw);
        CHECK(st_fuzzy_init(f, longw, ST_FUZZY_MAX_PAT, ST_FUZZY_MAX_K) == STELE_OK);
        CHECK(st_fuzzy_feed(f, longw, sizeof longw) == -1 &&
              st_fuzzy_dead_prefix(f) == ST_FUZZY_MAX_WORD + 1);
        CHECK(st_fuzzy_feed(f, longw, ST_FUZZY_MAX_WORD) == ST_FUZZY_MAX_K);
        CHECK(st_fuzzy_feed(f, longw, ST_FUZZY_MAX_WORD + 1) == -1);
        free(f);
    }
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: test_fuzzy CORPUS-DIR\n");
        return 2;
    }
    limits();
    random_pairs();
    corpus_words(argv[1]);
    printf("%lu automaton checks, %zu corpus words, sizeof(st_fuzzy) %zu, %d failures\n", n_checked,
           n_words, sizeof(st_fuzzy), failures);
    return failures != 0;
}
