/*
 * codec.c: the integer codecs of the index format (see format.h).
 *
 * Varints are unsigned LEB128.  The decoder never reads past the end it is
 * given, and rejects a value that does not fit 64 bits (a tenth byte above
 * 1, or an eleventh byte), so every caller can treat "0 returned" as
 * corruption.  Overlong encodings (trailing 0x80 groups) are accepted on
 * read; the writer never produces them.
 *
 * Bit packing stores 128 values of a fixed width, low bits first, into a
 * little-endian bit stream of exactly 16 * bits bytes, so a block's size is
 * known from its width byte alone.  It works through a 64-bit accumulator
 * one byte at a time: no unaligned loads, the same bytes on every
 * architecture.
 *
 * A run (st_posblock_*) of n values, used for positions and short
 * postings blocks, is, when n >= 3, Rice-coded with the parameter k that
 * gives the fewest bits (gaps between positions are roughly geometric, so
 * this beats a fixed width set by the largest value), and otherwise n
 * varints; the caller knows n, so no run needs a marker.  The Rice decoder
 * reads bit by bit against the end it is given, caps the unary part so
 * every value fits 32 bits, and requires zero padding, so each run has
 * exactly one encoding.
 */
#include "format.h"

int st_varint_get(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
    const uint8_t *s = *p;
    uint64_t value = 0;
    unsigned shift = 0;
    for (;;) {
        if (s >= end || shift > 63) return 0;
        uint8_t byte = *s++;
        if (shift == 63 && (byte & 0x7e)) return 0; /* more than 64 bits */
        value |= (uint64_t)(byte & 0x7f) << shift;
        if (!(byte & 0x80)) break;
        shift += 7;
    }
    *p = s;
    *v = value;
    return 1;
}

int st_varint_get32(const uint8_t **p, const uint8_t *end, uint32_t *v)
{
    const uint8_t *s = *p;
    uint64_t value;
    if (!st_varint_get(&s, end, &value) || value > 0xFFFFFFFFu) return 0;
    *p = s;
    *v = (uint32_t)value;
    return 1;
}

size_t st_varint_put(uint8_t *out, uint64_t v)
{
    size_t n = 0;
    while (v >= 0x80) {
        out[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    out[n++] = (uint8_t)v;
    return n;
}

size_t st_varint_len(uint64_t v)
{
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

unsigned st_bits_needed(const uint32_t *v, size_t n)
{
    uint32_t all = 0;
    for (size_t i = 0; i < n; i++)
        all |= v[i];
    unsigned bits = 0;
    while (all) {
        bits++;
        all >>= 1;
    }
    return bits;
}

void st_pack128(const uint32_t *v, unsigned bits, uint8_t *out)
{
    uint64_t acc = 0;
    unsigned have = 0;
    size_t o = 0;
    uint64_t mask = bits == 32 ? 0xFFFFFFFFu : (((uint64_t)1 << bits) - 1);
    if (bits == 0) return;
    for (size_t i = 0; i < 128; i++) {
        acc |= ((uint64_t)v[i] & mask) << have;
        have += bits;
        while (have >= 8) {
            out[o++] = (uint8_t)acc;
            acc >>= 8;
            have -= 8;
        }
    }
    /* 128 * bits is a multiple of 8: nothing is left over. */
}

void st_unpack128(const uint8_t *in, unsigned bits, uint32_t *v)
{
    uint64_t acc = 0;
    unsigned have = 0;
    size_t o = 0;
    uint64_t mask = bits >= 32 ? 0xFFFFFFFFu : (((uint64_t)1 << bits) - 1);
    if (bits == 0) {
        for (size_t i = 0; i < 128; i++)
            v[i] = 0;
        return;
    }
    for (size_t i = 0; i < 128; i++) {
        while (have < bits) {
            acc |= (uint64_t)in[o++] << have;
            have += 8;
        }
        v[i] = (uint32_t)(acc & mask);
        acc >>= bits;
        have -= bits;
    }
}

/* Bits of n values under Rice parameter k: per value, v >> k one-bits, a
 * zero bit, then the k low bits. */
static uint64_t rice_bits(const uint32_t *v, size_t n, unsigned k)
{
    uint64_t bits = 0;
    for (size_t i = 0; i < n; i++)
        bits += (uint64_t)(k >= 32 ? 0 : v[i] >> k) + 1 + k;
    return bits;
}

size_t st_posblock_put(const uint32_t *v, size_t n, uint8_t *out)
{
    if (n < ST_POSBLOCK_PACKED) {
        size_t len = 0;
        for (size_t i = 0; i < n; i++)
            len += st_varint_put(out + len, v[i]);
        return len;
    }
    unsigned best_k = 32;
    uint64_t best = rice_bits(v, n, 32);
    for (unsigned k = 0; k < 32; k++) {
        uint64_t bits = rice_bits(v, n, k);
        if (bits < best) {
            best = bits;
            best_k = k;
        }
    }
    out[0] = (uint8_t)best_k;
    size_t o = 1;
    uint64_t acc = 0;
    unsigned have = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t q = best_k >= 32 ? 0 : v[i] >> best_k;
        for (uint64_t j = 0; j <= q; j++) {
            acc |= (uint64_t)(j < q) << have; /* q ones, then a zero */
            if (++have == 8) {
                out[o++] = (uint8_t)acc;
                acc = 0;
                have = 0;
            }
        }
        for (unsigned b = 0; b < best_k; b++) {
            acc |= (uint64_t)(v[i] >> b & 1) << have;
            if (++have == 8) {
                out[o++] = (uint8_t)acc;
                acc = 0;
                have = 0;
            }
        }
    }
    if (have) out[o++] = (uint8_t)acc;
    return o;
}

int st_rice_get(const uint8_t *in, uint64_t n_bits, uint64_t *at, unsigned k, uint32_t *v)
{
    uint64_t bit_at = *at, q = 0, low = 0, max_q = 0xFFFFFFFFull >> k;
    if (st_rice_get_fast(in, n_bits, at, k, v)) return 1;
    for (;;) {
        if (bit_at >= n_bits) return 0;
        unsigned bit = in[bit_at >> 3] >> (bit_at & 7) & 1;
        bit_at++;
        if (!bit) break;
        if (++q > max_q) return 0;
    }
    if (n_bits - bit_at < k) return 0;
    for (unsigned b = 0; b < k; b++, bit_at++)
        low |= (uint64_t)(in[bit_at >> 3] >> (bit_at & 7) & 1) << b;
    *v = (uint32_t)(k >= 32 ? low : q << k | low); /* < 2^32 by max_q */
    *at = bit_at;
    return 1;
}

/*
 * Decodes a run of n values into v (when not NULL) and their sum into
 * *sum; bounds-checked against end, values must fit 32 bits and the last
 * byte's unused bits must be 0.
 */
static int posblock_read(const uint8_t **p, const uint8_t *end, size_t n, uint32_t *v,
                         uint64_t *sum)
{
    const uint8_t *s = *p;
    uint64_t total = 0;
    if (n < ST_POSBLOCK_PACKED) {
        for (size_t i = 0; i < n; i++) {
            uint32_t x;
            if (!st_varint_get32(&s, end, &x)) return 0;
            if (v) v[i] = x;
            total += x;
        }
        *p = s;
        *sum = total;
        return 1;
    }
    if (s >= end || s[0] > 32) return 0;
    unsigned k = s[0];
    const uint8_t *in = s + 1;
    uint64_t n_bits = (uint64_t)(end - in) * 8, at = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t x;
        if (!st_rice_get_fast(in, n_bits, &at, k, &x) && !st_rice_get(in, n_bits, &at, k, &x))
            return 0;
        if (v) v[i] = x;
        total += x;
    }
    if ((at & 7) && (in[at >> 3] >> (at & 7)) != 0) return 0;
    *p = in + (at + 7) / 8;
    *sum = total;
    return 1;
}

int st_posblock_get(const uint8_t **p, const uint8_t *end, size_t n, uint32_t *v)
{
    uint64_t sum;
    return posblock_read(p, end, n, v, &sum);
}

int st_posblock_sum(const uint8_t **p, const uint8_t *end, size_t n, uint64_t *sum)
{
    return posblock_read(p, end, n, NULL, sum);
}
