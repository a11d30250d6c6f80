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

/*
 * Unpacking, one routine per width.  A group of 8 values of w bits is
 * exactly w bytes, so with w a constant every value's byte offset, shift
 * and byte count are constants too: each width compiles to straight-line
 * loads, shifts and masks with no branch and no read past the block, which
 * compilers unroll and vectorise.
 */
static inline uint32_t unpack_at(const uint8_t *group, unsigned bit, unsigned w)
{
    const uint8_t *b = group + (bit >> 3);
    unsigned shift = bit & 7, n_bytes = (shift + w + 7) >> 3;
    uint64_t x = b[0];
    if (n_bytes > 1) x |= (uint64_t)b[1] << 8;
    if (n_bytes > 2) x |= (uint64_t)b[2] << 16;
    if (n_bytes > 3) x |= (uint64_t)b[3] << 24;
    if (n_bytes > 4) x |= (uint64_t)b[4] << 32;
    x >>= shift;
    return (uint32_t)(w == 32 ? x : x & (((uint64_t)1 << w) - 1));
}

#define ST_UNPACK_WIDTH(w)                                                                         \
    static void unpack_w##w(const uint8_t *in, uint32_t *v)                                        \
    {                                                                                              \
        for (unsigned g = 0; g < 16; g++, in += (w), v += 8)                                       \
            for (unsigned j = 0; j < 8; j++)                                                       \
                v[j] = unpack_at(in, j * (w), (w));                                                \
    }
ST_UNPACK_WIDTH(1)
ST_UNPACK_WIDTH(2)
ST_UNPACK_WIDTH(3)
ST_UNPACK_WIDTH(4)
ST_UNPACK_WIDTH(5)
ST_UNPACK_WIDTH(6)
ST_UNPACK_WIDTH(7)
ST_UNPACK_WIDTH(8)
ST_UNPACK_WIDTH(9)
ST_UNPACK_WIDTH(10)
ST_UNPACK_WIDTH(11)
ST_UNPACK_WIDTH(12)
ST_UNPACK_WIDTH(13)
ST_UNPACK_WIDTH(14)
ST_UNPACK_WIDTH(15)
ST_UNPACK_WIDTH(16)
ST_UNPACK_WIDTH(17)
ST_UNPACK_WIDTH(18)
ST_UNPACK_WIDTH(19)
ST_UNPACK_WIDTH(20)
ST_UNPACK_WIDTH(21)
ST_UNPACK_WIDTH(22)
ST_UNPACK_WIDTH(23)
ST_UNPACK_WIDTH(24)
ST_UNPACK_WIDTH(25)
ST_UNPACK_WIDTH(26)
ST_UNPACK_WIDTH(27)
ST_UNPACK_WIDTH(28)
ST_UNPACK_WIDTH(29)
ST_UNPACK_WIDTH(30)
ST_UNPACK_WIDTH(31)
ST_UNPACK_WIDTH(32)

static void unpack_w0(const uint8_t *in, uint32_t *v)
{
    (void)in;
    for (size_t i = 0; i < 128; i++)
        v[i] = 0;
}

static void (*const unpack_width[33])(const uint8_t *, uint32_t *) = {
    unpack_w0,  unpack_w1,  unpack_w2,  unpack_w3,  unpack_w4,  unpack_w5,  unpack_w6,
    unpack_w7,  unpack_w8,  unpack_w9,  unpack_w10, unpack_w11, unpack_w12, unpack_w13,
    unpack_w14, unpack_w15, unpack_w16, unpack_w17, unpack_w18, unpack_w19, unpack_w20,
    unpack_w21, unpack_w22, unpack_w23, unpack_w24, unpack_w25, unpack_w26, unpack_w27,
    unpack_w28, unpack_w29, unpack_w30, unpack_w31, unpack_w32};

void st_unpack128(const uint8_t *in, unsigned bits, uint32_t *v)
{
    unpack_width[bits <= 32 ? bits : 0](in, v);
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

/* The fast path takes several codes from one 64-bit load. */
int st_rice_skip(const uint8_t *in, uint64_t n_bits, uint64_t *at, unsigned k, uint64_t n)
{
    uint64_t bit_at = *at, max_q = 0xFFFFFFFFull >> k;
    uint32_t v;
    while (n > 0) {
        if ((bit_at >> 3) + 8 > n_bits >> 3) {
            if (!st_rice_get(in, n_bits, &bit_at, k, &v)) return 0;
            n--;
            continue;
        }
        uint64_t w = st_get64(in + (bit_at >> 3)) >> (bit_at & 7);
        unsigned avail = 64 - (unsigned)(bit_at & 7), used = 0;
        for (; n > 0; n--) {
            unsigned ones = ~w ? st_trailing_ones(w) : 64;
            if (used + ones + 1 + k > avail || ones > max_q) break;
            used += ones + 1 + k;
            w = used < 64 ? w >> (ones + 1 + k) : 0;
        }
        if (used == 0) { /* a code longer than one load: the slow path */
            if (!st_rice_get(in, n_bits, &bit_at, k, &v)) return 0;
            n--;
            continue;
        }
        bit_at += used;
    }
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
        if (!st_rice_read(in, n_bits, &at, k, &x)) return 0;
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
