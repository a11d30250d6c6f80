/*
 * osa.h: the optimal string alignment distance (Damerau-Levenshtein with
 * adjacent transpositions, no substring edited twice), by the textbook
 * table: the brute-force reference the typo tests hold the automaton
 * (test_fuzzy.c) and the lexicon corrections (test_typos.c) to.
 */
#ifndef STELE_TESTS_OSA_H
#define STELE_TESTS_OSA_H

#include <stddef.h>

#define OSA_MAX 80 /* longest word + 1 the table holds */

/* Distance of a (la bytes) and b (lb bytes), both below OSA_MAX, using
 * the caller's table d. */
static inline unsigned osa_distance(const char *a, size_t la, const char *b, size_t lb,
                                    unsigned d[OSA_MAX][OSA_MAX])
{
    for (size_t i = 0; i <= la; i++)
        d[i][0] = (unsigned)i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = (unsigned)j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            unsigned best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best) best = d[i][j - 1] + 1;
            unsigned sub = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (sub < best) best = sub;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    return d[la][lb];
}

#endif
