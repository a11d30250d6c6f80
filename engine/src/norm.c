/*
 * norm.c: field lengths as one byte (NORMS in format.h), shared by the
 * runtime (ranking, verify) and the indexer (the NORMS section).
 */
#include <math.h>

#include "reader.h"

/* ---- Norms ----------------------------------------------------------- */

uint8_t st_norm_encode(uint32_t len)
{
    if (len < 32) return (uint8_t)len;
    unsigned e = 31;
    while (!(len >> e & 1))
        e--;
    /* e >= 5: keep the three bits after the leading one. */
    unsigned mantissa = (len >> (e - 3)) & 7;
    return (uint8_t)(32 + (e - 5) * 8 + mantissa);
}

/* 2^(i / 8), i = 0 .. 7, to the double nearest */
static const double tfn_frac[8] = {1.0,
                                   1.0905077326652577,
                                   1.1892071150027210,
                                   1.2968395546510096,
                                   1.4142135623730951,
                                   1.5422108254079407,
                                   1.6817928305074290,
                                   1.8340080864093424};

double st_tfn_value(uint8_t code)
{
    if (code == 0) return INFINITY;
    int e = ((int)code - (int)ST_TFN_BIAS) >> 3; /* floor((code - bias) / 8) */
    double v = tfn_frac[((int)code - (int)ST_TFN_BIAS) & 7];
    for (; e > 0; e--)
        v *= 2.0;
    for (; e < 0; e++)
        v *= 0.5;
    return v; /* exact powers of two scale exactly */
}

uint8_t st_tfn_code(double r)
{
    if (!(r <= st_tfn_value(255))) return 0; /* too large, or NaN */
    unsigned lo = 1, hi = 255;               /* the answer is in [lo, hi] */
    while (lo < hi) {
        unsigned mid = (lo + hi) / 2;
        if (st_tfn_value((uint8_t)mid) >= r)
            hi = mid;
        else
            lo = mid + 1;
    }
    return (uint8_t)lo;
}

double st_tfn(uint32_t tf, uint8_t norm_byte, double avg)
{
    return (double)tf / st_length_norm(ST_BM25_B, norm_byte, avg);
}

uint32_t st_norm_decode(uint8_t norm)
{
    if (norm < 32) return norm;
    unsigned e = 5 + (norm - 32u) / 8, mantissa = (norm - 32u) % 8;
    if (e > 31) return 0xFFFFFFFFu; /* bytes above 247 are never written */
    return (uint32_t)((8u + mantissa) << (e - 3));
}
