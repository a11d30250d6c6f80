/*
 * check.h: the non-fatal assertion of the unit tests.  CHECK(cond) reports
 * file, line and the failed condition and counts it in failures; the test's
 * main() returns non-zero when failures is not 0.  For single-file tests.
 */
#ifndef STELE_TEST_CHECK_H
#define STELE_TEST_CHECK_H

#include <stdio.h>

static int failures;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);               \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

#endif
