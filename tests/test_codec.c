/*
 * test_codec.c: round trips of the format's integer codecs (codec.c) and
 * the norm byte, on edge cases: 0, 1, powers of two and their neighbours,
 * gaps of 2^31 and 2^32 - 1, 64-bit varints, every bit width of a packed
 * block, truncated and over-long varints, and positions runs (empty, one
 * value, 127, 128, 129 and more, gaps near 2^31 and 2^32 - 1).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "format.h"
#include "reader.h"

#include "check.h"

static void varint_roundtrip(uint64_t v)
{
    uint8_t buf[ST_VARINT_MAX + 2];
    size_t n = st_varint_put(buf, v);
    CHECK(n == st_varint_len(v) && n >= 1 && n <= ST_VARINT_MAX);
    const uint8_t *p = buf;
    uint64_t got = 0;
    CHECK(st_varint_get(&p, buf + n, &got) == 1 && got == v && p == buf + n);
    /* Every truncation fails and leaves the pointer. */
    for (size_t k = 0; k < n; k++) {
        p = buf;
        CHECK(st_varint_get(&p, buf + k, &got) == 0 && p == buf);
    }
    uint32_t v32;
    p = buf;
    CHECK(st_varint_get32(&p, buf + n, &v32) == (v <= 0xFFFFFFFFu));
}

static void test_varint(void)
{
    uint64_t cases[] = {0,
                        1,
                        127,
                        128,
                        255,
                        16383,
                        16384,
                        (1u << 21) - 1,
                        1u << 21,
                        (1ull << 31),
                        (1ull << 31) + 1,
                        0xFFFFFFFFull,
                        1ull << 32,
                        (1ull << 35) - 1,
                        (1ull << 56),
                        (1ull << 63) - 1,
                        1ull << 63,
                        UINT64_MAX};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        varint_roundtrip(cases[i]);
    /* More than 64 bits: an 11-byte run, or a tenth byte above 1. */
    uint8_t too_long[11];
    memset(too_long, 0x80, 10);
    too_long[10] = 0;
    const uint8_t *p = too_long;
    uint64_t v;
    CHECK(st_varint_get(&p, too_long + 11, &v) == 0);
    uint8_t big[10];
    memset(big, 0xff, 9);
    big[9] = 0x02;
    p = big;
    CHECK(st_varint_get(&p, big + 10, &v) == 0);
    big[9] = 0x01;
    p = big;
    CHECK(st_varint_get(&p, big + 10, &v) == 1 && v == UINT64_MAX);
    /* Empty input. */
    p = big;
    CHECK(st_varint_get(&p, big, &v) == 0);
}

static void test_pack(void)
{
    uint32_t in[128], out[128];
    uint8_t buf[16 * 32 + 1];
    for (unsigned bits = 0; bits <= 32; bits++) {
        uint64_t max = bits == 32 ? 0xFFFFFFFFu : ((1ull << bits) - 1);
        for (int i = 0; i < 128; i++)
            in[i] = (uint32_t)(i % 3 == 0 ? max : (max * (uint64_t)i / 127));
        CHECK(st_bits_needed(in, 128) == bits);
        memset(buf, 0xAA, sizeof buf);
        st_pack128(in, bits, buf);
        CHECK(buf[16 * bits] == 0xAA); /* exactly 16 * bits bytes written */
        st_unpack128(buf, bits, out);
        CHECK(memcmp(in, out, sizeof in) == 0);
    }
    /* Gaps of 2^31 and the largest gap. */
    for (int i = 0; i < 128; i++)
        in[i] = i % 2 ? 0x80000000u : 0xFFFFFFFFu;
    st_pack128(in, 32, buf);
    st_unpack128(buf, 32, out);
    CHECK(memcmp(in, out, sizeof in) == 0);
    /* All zero: width 0, nothing stored. */
    memset(in, 0, sizeof in);
    CHECK(st_bits_needed(in, 128) == 0);
    st_unpack128(buf, 0, out);
    CHECK(memcmp(in, out, sizeof in) == 0);
    CHECK(st_bits_needed(in, 0) == 0);
}

static void test_le(void)
{
    uint8_t b[8];
    st_put32(b, 0x11223344u);
    CHECK(b[0] == 0x44 && b[3] == 0x11 && st_get32(b) == 0x11223344u);
    st_put16(b, 0xABCD);
    CHECK(b[0] == 0xCD && st_get16(b) == 0xABCD);
    st_put64(b, 0x0102030405060708ull);
    CHECK(b[0] == 8 && b[7] == 1 && st_get64(b) == 0x0102030405060708ull);
}

static void test_norm(void)
{
    for (uint32_t len = 0; len < 32; len++)
        CHECK(st_norm_decode(st_norm_encode(len)) == len);
    uint32_t prev = 0;
    for (unsigned b = 0; b < 248; b++) {
        uint32_t v = st_norm_decode((uint8_t)b);
        CHECK(b == 0 || v > prev);     /* strictly increasing */
        CHECK(st_norm_encode(v) == b); /* decode is a bucket's least length */
        prev = v;
    }
    uint32_t samples[] = {32, 33, 100, 1000, 65535, 1u << 20, 0x7FFFFFFFu, 0xFFFFFFFFu};
    for (size_t i = 0; i < sizeof samples / sizeof *samples; i++) {
        uint32_t len = samples[i], d = st_norm_decode(st_norm_encode(len));
        CHECK(d <= len && (uint64_t)d * 9 / 8 + 1 >= len); /* within 12.5% */
    }
    CHECK(st_norm_encode(0xFFFFFFFFu) <= 247);
}

/*
 * Codes n position deltas the way a list's block does (runs of 128, then
 * the rest) and decodes them back; returns the coded bytes.  Every
 * truncation of the last run must fail.
 */
static size_t posrun_roundtrip(const uint32_t *v, size_t n)
{
    static uint8_t buf[8 * (ST_POSBLOCK_MAX + 8)];
    size_t len = 0, last = 0;
    for (size_t k = 0; k < n; k += 128) {
        size_t m = n - k < 128 ? n - k : 128;
        last = len;
        len += st_posblock_put(v + k, m, buf + len);
    }
    const uint8_t *p = buf;
    uint32_t got[128];
    for (size_t k = 0; k < n; k += 128) {
        size_t m = n - k < 128 ? n - k : 128;
        CHECK(st_posblock_get(&p, buf + len, m, got) == 1);
        for (size_t i = 0; i < m; i++)
            CHECK(got[i] == v[k + i]);
    }
    CHECK(p == buf + len);
    if (n) {
        size_t m = n % 128 ? n % 128 : 128;
        for (size_t cut = last; cut < len; cut++) {
            p = buf + last;
            CHECK(st_posblock_get(&p, buf + cut, m, got) == 0 && p == buf + last);
        }
    }
    return len;
}

/* Bytes of a Rice run of n >= 3 values at its best parameter, computed
 * from the definition in format.h. */
static size_t rice_len(const uint32_t *v, size_t n)
{
    uint64_t best = UINT64_MAX;
    for (unsigned k = 0; k <= 32; k++) {
        uint64_t bits = 0;
        for (size_t i = 0; i < n; i++)
            bits += (uint64_t)(k == 32 ? 0 : v[i] >> k) + 1 + k;
        if (bits < best) best = bits;
    }
    return 1 + (size_t)((best + 7) / 8);
}

/* st_rice_skip() against st_rice_get() one value at a time: on random
 * bits (which hold codes of every length, quotients over the limit and
 * streams that run out) and on written runs, at every k, every start bit
 * and every count, both must fail alike or end at the same bit. */
static void skip_matches_get(const uint8_t *in, uint64_t n_bits, unsigned k, uint64_t at,
                             uint64_t n)
{
    uint64_t a = at, b = at;
    uint32_t v;
    int ok = 1;
    for (uint64_t i = 0; i < n && ok; i++)
        ok = st_rice_get(in, n_bits, &a, k, &v);
    int skip_ok = st_rice_skip(in, n_bits, &b, k, n);
    CHECK(skip_ok == ok);
    CHECK(ok ? b == a : b == at);
}

static void test_rice_skip(void)
{
    uint8_t buf[64];
    uint32_t seed = 12345, v[128];
    for (int round = 0; round < 400; round++) {
        for (size_t i = 0; i < sizeof buf; i++) {
            seed = seed * 1103515245u + 12345u;
            buf[i] = (uint8_t)(seed >> 16);
            if (round % 4 == 1) buf[i] |= 0xF0; /* long quotients */
            if (round % 4 == 2) buf[i] &= 0x55; /* short codes */
        }
        unsigned k = (unsigned)round % 33;
        uint64_t n_bits = (uint64_t)(8 + round % (sizeof buf - 8)) * 8;
        for (uint64_t at = 0; at < 24; at += 5)
            for (uint64_t n = 0; n <= 40; n += 1 + n / 4)
                skip_matches_get(buf, n_bits, k, at, n);
    }
    /* Runs as the writer makes them: every value, at a k of each size. */
    for (unsigned shape = 0; shape < 6; shape++) {
        uint8_t run[ST_POSBLOCK_MAX];
        for (size_t i = 0; i < 128; i++)
            v[i] = shape == 0 ? 0 : (uint32_t)(i * 2654435761u >> (32 - 6 * shape));
        size_t len = st_posblock_put(v, 128, run);
        uint64_t n_bits = (uint64_t)(len - 1) * 8, at = 0;
        CHECK(st_rice_skip(run + 1, n_bits, &at, run[0], 128));
        uint64_t b = 0;
        for (size_t i = 0; i < 128; i++) {
            uint32_t x = 0;
            CHECK(st_rice_get(run + 1, n_bits, &b, run[0], &x) && x == v[i]);
        }
        CHECK(at == b);
        for (uint64_t n = 0; n <= 128; n += 7)
            skip_matches_get(run + 1, n_bits, run[0], 0, n);
    }
}

static void test_positions(void)
{
    uint32_t v[600] = {0};
    CHECK(posrun_roundtrip(v, 0) == 0); /* no positions: no bytes */
    v[0] = 0;
    CHECK(posrun_roundtrip(v, 1) == 1);
    v[0] = 300;
    CHECK(posrun_roundtrip(v, 1) == 2); /* short runs are varints */
    v[1] = 0x80000000u;
    CHECK(posrun_roundtrip(v, 2) == 2 + 5);
    for (size_t i = 0; i < 600; i++)
        v[i] = (uint32_t)(i * 7 % 61);
    /* 0, 7, 14 at k = 3: 3 + 5 + 5 bits, and the k byte. */
    CHECK(posrun_roundtrip(v, 3) == 1 + 2);
    CHECK(posrun_roundtrip(v, 127) == rice_len(v, 127));
    CHECK(posrun_roundtrip(v, 128) == rice_len(v, 128));
    CHECK(posrun_roundtrip(v, 129) == rice_len(v, 128) + 1);
    CHECK(posrun_roundtrip(v, 131) == rice_len(v, 128) + rice_len(v + 128, 3));
    CHECK(posrun_roundtrip(v, 600) > 0);
    /* Gaps near 2^31 and 2^32 - 1, at every run length up to 130, fit
     * the writer's buffer bound. */
    for (size_t n = 1; n <= 130; n++) {
        for (size_t i = 0; i < n; i++)
            v[i] = i % 3 == 0 ? 0x7FFFFFFFu + (uint32_t)(i % 2) : i % 3 == 1 ? 0xFFFFFFFFu : 1;
        posrun_roundtrip(v, n);
    }
    for (size_t i = 0; i < 128; i++)
        v[i] = 0xFFFFFFFFu;
    uint8_t big[ST_POSBLOCK_MAX];
    CHECK(st_posblock_put(v, 128, big) <= ST_POSBLOCK_MAX);
    /* All zeros: one bit each. */
    memset(v, 0, sizeof v);
    CHECK(posrun_roundtrip(v, 128) == 1 + 16 && posrun_roundtrip(v, 5) == 2);
    /* k above 32, nonzero padding and a unary part that would overflow 32
     * bits are refused. */
    uint8_t bad[64] = {33};
    const uint8_t *p = bad;
    uint32_t got[128];
    CHECK(st_posblock_get(&p, bad + sizeof bad, 3, got) == 0 && p == bad);
    bad[0] = 0;    /* k = 0: three zero values take 3 bits */
    bad[1] = 0x08; /* a padding bit set */
    CHECK(st_posblock_get(&p, bad + 2, 3, got) == 0 && p == bad);
    bad[1] = 0;
    CHECK(st_posblock_get(&p, bad + 2, 3, got) == 1 && p == bad + 2 && got[2] == 0);
    bad[0] = 31; /* k = 31: a unary part of 2 makes 2^32 */
    memset(bad + 1, 0, sizeof bad - 1);
    bad[1] = 0x03;
    p = bad;
    CHECK(st_posblock_get(&p, bad + sizeof bad, 3, got) == 0 && p == bad);
    /* st_posblock_sum reads exactly the run st_posblock_get reads. */
    for (size_t n = 1; n <= 128; n++) {
        uint8_t run[ST_POSBLOCK_MAX];
        uint64_t want = 0, sum = 0;
        for (size_t i = 0; i < n; i++) {
            v[i] = i % 5 == 0 ? 0xFFFFFFFFu : (uint32_t)(i * 13);
            want += v[i];
        }
        size_t len = st_posblock_put(v, n, run);
        p = run;
        CHECK(st_posblock_sum(&p, run + len, n, &sum) == 1 && p == run + len && sum == want);
        p = run;
        CHECK(st_posblock_sum(&p, run + len - 1, n, &sum) == 0 && p == run);
    }
}

/* The tfn codes of skip entries (format.h, POSTINGS): 2^((c - 112) / 8),
 * and the least code that covers a value. */
static void test_tfn(void)
{
    CHECK(isinf(st_tfn_value(0)));
    CHECK(st_tfn_value(ST_TFN_BIAS) == 1.0 && st_tfn_value(ST_TFN_BIAS + 8) == 2.0 &&
          st_tfn_value(ST_TFN_BIAS - 8) == 0.5);
    for (unsigned c = 2; c < 256; c++)
        CHECK(st_tfn_value((uint8_t)c) > st_tfn_value((uint8_t)(c - 1)));
    for (double r = 1e-6; r < 3e5; r *= 1.013) {
        uint8_t c = st_tfn_code(r);
        if (r > st_tfn_value(255)) {
            CHECK(c == 0);
            continue;
        }
        CHECK(c >= 1 && st_tfn_value(c) >= r && (c == 1 || st_tfn_value((uint8_t)(c - 1)) < r));
    }
    for (unsigned c = 1; c < 256; c++) /* a code's own value is covered by it */
        CHECK(st_tfn_code(st_tfn_value((uint8_t)c)) == c);
    CHECK(st_tfn_code(0) == 1 && st_tfn_code(INFINITY) == 0 && st_tfn_code(NAN) == 0);
    /* tf / (1 - b + b * L / avg) at b = 0.75: L = avg gives tf */
    CHECK(st_tfn(3, st_norm_encode(20), 20.0) == 3.0);
    CHECK(st_tfn(1, 0, 10.0) == 4.0);
}

int main(void)
{
    test_positions();
    test_rice_skip();
    test_varint();
    test_pack();
    test_le();
    test_norm();
    test_tfn();
    if (failures) fprintf(stderr, "%d checks failed\n", failures);
    return failures ? 1 : 0;
}
