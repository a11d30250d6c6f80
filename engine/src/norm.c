/*
 * norm.c: field lengths as one byte (NORMS in format.h), shared by the
 * runtime (ranking, verify) and the indexer (the NORMS section).
 */
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

uint32_t st_norm_decode(uint8_t norm)
{
    if (norm < 32) return norm;
    unsigned e = 5 + (norm - 32u) / 8, mantissa = (norm - 32u) % 8;
    if (e > 31) return 0xFFFFFFFFu; /* bytes above 247 are never written */
    return (uint32_t)((8u + mantissa) << (e - 3));
}
