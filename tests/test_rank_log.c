/*
 * test_rank_log.c: the runtime's own logarithm (rank.c's st_log, which
 * spares the runtime libm) against the C library's log, and st_idf on
 * the document counts an index can have.
 *
 * st_log must be within a few units in the last place of log over the
 * whole positive range, including both ends of each binade, where its
 * argument reduction changes; st_idf must be within 1e-15 (relative) of
 * the formula evaluated with libm.
 */
#include <float.h>
#include <math.h>
#include <stdio.h>

#include "query.h"

static int check(double x, double rel_tol, unsigned *n_bad)
{
    double want = log(x), got = st_log(x);
    double err = fabs(got - want);
    double scale = fabs(want) > 1e-300 ? fabs(want) : 1e-300;
    /* Near x = 1, log x is tiny and the bound is absolute in x - 1. */
    if (err > rel_tol * scale && err > 4 * DBL_EPSILON * fabs(x - 1.0)) {
        if ((*n_bad)++ < 10) fprintf(stderr, "st_log(%.17g) = %.17g, log = %.17g\n", x, got, want);
        return 0;
    }
    return 1;
}

int main(void)
{
    unsigned n_bad = 0, n = 0;
    const double tol = 8 * DBL_EPSILON;
    for (double x = 1e-300; x < 1e300; x *= 1.0137, n++)
        check(x, tol, &n_bad);
    for (int e = -60; e <= 60; e++) {
        double p = ldexp(1.0, e);
        check(p, tol, &n_bad);
        check(nextafter(p, 0), tol, &n_bad);
        check(p * 1.4142135623730951, tol, &n_bad);
        check(nextafter(p * 1.4142135623730951, 0), tol, &n_bad);
        check(p * 0.70710678118654757, tol, &n_bad);
        n += 5;
    }
    for (double x = 1.0; x < 1.001; x += 1e-7, n++)
        check(x, tol, &n_bad);
    if (st_log(0) != 0 || st_log(-1) != 0 || st_log(INFINITY) != 0 || st_log(NAN) != 0) {
        fprintf(stderr, "st_log of a non-positive or non-finite value is not 0\n");
        n_bad++;
    }
    static const uint32_t counts[] = {1, 2, 3, 10, 57, 1000, 100000, 268000, 4000000, 4294967295u};
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
        uint32_t n_docs = counts[i];
        /* df = 1 .. 64, then growing by 3x, then n_docs itself. */
        for (uint64_t df = 1; df <= n_docs; df = df < 64 ? df + 1 : df * 3) {
            for (int last = 0; last < 2; last++) {
                uint32_t d = last ? n_docs : (uint32_t)df;
                double want = log(1.0 + ((double)n_docs - d + 0.5) / (d + 0.5));
                double got = st_idf(n_docs, d);
                n++;
                if (fabs(got - want) > 1e-15 * want && n_bad++ < 20)
                    fprintf(stderr, "st_idf(%u, %u) = %.17g, libm: %.17g\n", n_docs, d, got, want);
            }
        }
    }
    printf("rank-log: %u values, %u off: %s\n", n, n_bad, n_bad ? "FAIL" : "OK");
    return n_bad != 0;
}
