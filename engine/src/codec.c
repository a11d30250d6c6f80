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
