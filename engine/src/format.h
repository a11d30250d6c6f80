/*
 * format.h: the stele index file format, and the byte-level helpers that
 * read and write it.  Interface to code in codec.c (varints, bit-packed
 * blocks); the reader (reader.c, postings.c, doctable.c, verify.c) and the
 * writer (engine/indexer/) both follow this description, which is the
 * format's specification and is kept true.
 *
 * GOALS.  An index is opened without parsing or decompression, straight
 * from a read-only memory map or a const array in flash: every structure is
 * read in place.  Every integer is little-endian and is read with the
 * st_get_* helpers below, byte by byte, never through a struct overlay, so
 * the format is the same on big-endian machines and needs no alignment
 * (Cortex-M0 faults on unaligned loads).  Sections still start at 8-byte
 * offsets so that a future reader may use them as arrays.  Every offset and
 * count read from the file is checked before use; damage gives
 * STELE_ECORRUPT, never an out-of-bounds read.
 *
 * NOTATION.  u8/u16/u32/u64: little-endian fixed-width integers.
 * vint: unsigned LEB128 varint (7 bits per byte, low group first, high bit
 * set on every byte but the last; at most 10 bytes, value < 2^64).
 *
 * HEADER (offset 0, ST_HEADER_FIXED bytes, then the section table):
 *    0 u8[8]  magic 0x89 'S' 'T' 'E' 'L' 'E' '\r' '\n'
 *    8 u32    format version, ST_FORMAT_VERSION (5: the NORMS section,
 *             out of the document records; 4 kept each document's norms
 *             in its DOCS record; 3 had no LEXICON; 2 had fixed paragraph
 *             and document records); any other is STELE_EVERSION
 *   12 u32    flags: bit 0 = stored text uses the preset dictionary
 *             (set exactly when ZDICT is not empty)
 *   16 u32    header bytes: ST_HEADER_FIXED + 16 * n_sections, rounded up
 *             to a multiple of 8
 *   20 u32    n_sections, exactly ST_N_SECTIONS in version 5
 *   24 u32    n_docs
 *   28 u32    n_terms
 *   32 u32    n_fields, 1 .. STELE_MAX_FIELDS
 *   36 u32    norm_version: ST_NORM_VERSION of the analysis rules used;
 *             a reader with other rules refuses it (STELE_EVERSION)
 *   40 u32    largest uncompressed stored-text block, in bytes
 *   44 u32    zlib window bits of the stored text (9 .. 15)
 *   48 u32    CRC32 of the header bytes [0, header bytes) computed with
 *             this field as zero
 *   52 u32    one past the largest position of any document (the
 *             most tokens of a document, gaps included; 0 when no
 *             document has tokens): no document has a position at or
 *             above it, which sizes the query runtime's position buffers
 *   56 u8[16] stemmer language, NUL-padded ("" = no stemming)
 *   72 u8[8]  default weight of field f, in sixteenths (title 32 = 2.0)
 *   80 u64[8] total tokens of field f over all documents (exact)
 *  144        section table: n_sections entries of
 *             { u32 id, u32 offset, u32 size, u32 crc32 }, with id = the
 *             entry's index, offsets multiples of 8, increasing, each
 *             section after the header and the previous one, inside the
 *             file.  CRC32 is zlib's crc32() of the section's bytes.
 * Padding between sections is 0 .. 7 zero bytes, and the last section
 * ends the data, so every byte of a file is covered by a CRC or checked.
 * stele_open() checks all of this but the sections' CRCs, in
 * O(sections); stele_check_crc() and stele_verify() compute those.
 *
 * SECTIONS (ids):
 *  0 FIELDS      n_fields names, each u8 length (1 .. STELE_MAX_FIELD_NAME)
 *                and the bytes; field 0 "title", 1 "body", 2 "footnote".
 *  1 DICT_INDEX  one 12-byte entry per dictionary block:
 *                u32 offset of the block in DICT, u32 postings offset of
 *                its first list in POSTINGS, u32 positions offset of its
 *                first list in POSITIONS.  Blocks hold ST_DICT_BLOCK terms
 *                each (the last one the rest), so block b's first term has
 *                rank b * ST_DICT_BLOCK.
 *  2 DICT        the terms in strictly increasing byte order (memcmp, a
 *                prefix first), front-coded inside each block:
 *                  lengths: shared = bytes shared with the previous term
 *                    of the block (0 for a block's first term), suffix =
 *                    bytes that follow (>= 1, since terms increase);
 *                    shared + suffix is 1 .. STELE_MAX_TERM_BYTES.  When
 *                    both are < 16, one byte shared << 4 | suffix (its low
 *                    nibble is never 0); otherwise a 0 byte, vint shared,
 *                    vint suffix
 *                  suffix bytes
 *                  vint df << n_fields | mask: df = documents with the term
 *                    in any field, mask bit f = it has a list for field f
 *                  per field f in mask, ascending:
 *                    vint df_f (only when mask has more than one bit;
 *                    otherwise df_f = df),
 *                    vint postings bytes (only when df_f >= 128),
 *                    vint positions bytes (only when df_f >= 128 or the
 *                    list has P >= 128 positions)
 *                A length left out is found by decoding: a list of fewer
 *                than 128 documents is one partial postings block, whose
 *                end and tf sum P follow from decoding it; with P < 128
 *                its positions are one run, whose end follows from
 *                decoding it.  So reading an entry also reads the start
 *                of its lists, and most entries carry no lengths at all.
 *                Lists are laid out in POSTINGS and POSITIONS in dictionary
 *                order, so a list's offset is the block's base plus the
 *                lengths of the lists before it in the block.  Exact lookup
 *                is a binary search over the blocks' first terms plus one
 *                block scan; a prefix range is a seek plus an ordered walk.
 *  3 POSTINGS    one list per (term, field): df_f documents in increasing
 *                order, cut into blocks of ST_BLOCK (128) documents; the
 *                last block holds the rest.  With n_blocks = ceil(df_f/128):
 *                if n_blocks > 1, a skip table of n_blocks 16-byte entries:
 *                  u32 last doc of the block, u32 offset of the block from
 *                  the list start, u32 offset of the block's positions
 *                  (its first run, see POSITIONS) from the list's
 *                  positions start, 0 for the first block, u16 largest tf
 *                  in the block
 *                  (saturated at 65535), u8 smallest norm byte of the field
 *                  among its documents, u8 tfn code: the block's largest
 *                  tf / (1 - b + b * L / avgL) at the default b
 *                  (ST_BM25_B, 0.75), L a document's length as its norm
 *                  byte gives it and avgL the field's average (header
 *                  tokens / n_docs), coded as the smallest c in 1 .. 255
 *                  with 2^((c - 112) / 8) >= it (st_tfn_code), or 0 when
 *                  none is.  max tf with the smallest norm bound a
 *                  block's scores for any b, but they may come from two
 *                  documents; the tfn code pairs each tf with its own
 *                  document's length, so for queries at the default b
 *                  the bound is within 9% of the block's best term
 *                  weight, and frequent terms' blocks can be skipped;
 *                if n_blocks == 1, nothing: the reader computes the one
 *                block's bounds when it decodes it.
 *                Then the blocks.  Document numbers are coded as gaps:
 *                gap = doc - (previous doc + 1), the previous doc of a
 *                list's first document being "-1".  A full block of 128 is
 *                bit-packed: u8 gap bits, u8 tf bits (0 .. 32 each), then
 *                128 gaps and 128 (tf - 1) values, each packed LSB-first in
 *                16 * bits bytes.  A partial last block of n documents
 *                is, when n >= 3 (ST_POSBLOCK_PACKED), two runs coded as
 *                in POSITIONS: the n gaps, then the n (tf - 1) values;
 *                when n < 3, per document vint (gap << 1 | (tf == 1))
 *                and, when tf > 1, vint tf.
 *  4 POSITIONS   per list, per postings block, the positions of the
 *                block's documents (P = the sum of their tfs) as deltas:
 *                per document in block order, its first position, then
 *                each later one minus the one before (>= 1).  The P deltas
 *                are cut into runs of 128, the last run the rest, and each
 *                run of n values is coded alone: n < 3, n vints; n >= 3, a
 *                Rice code: u8 k (0 .. 32), then per value v, in a bit
 *                stream filled from each byte's low bit up: v >> k one
 *                bits, a zero bit, the k low bits of v (lowest first);
 *                the last byte's unused high bits are 0.  The writer
 *                takes the k giving the fewest bits (the smallest such
 *                k).  Runs never span postings blocks, so a block's skip
 *                entry points at its first document's first run, and P is
 *                known from the block's tfs; a run's end is found by
 *                decoding it.  In a Rice run every value takes at least 1
 *                bit and every value but a document's first (deltas >= 1)
 *                at least 2, so a list of B bytes holds at most 4 * B + 1
 *                positions of one document (the query runtime sizes its
 *                position buffers by this, or by P when the dictionary
 *                entry is decoded with the list's P counted).
 *                Boolean queries never read this section.
 *  5 DOCS        n_docs records of ST_DOC_REC bytes, so a document's
 *                pointers are found in O(1):
 *                  u32 string offset (in STRINGS), u32 offset of the
 *                  document's paragraph stream in PARAS, u32 stored-text
 *                  block, u32 text offset in the block
 *  6 STRINGS     document ids and titles, UTF-8 without NUL bytes, not
 *                NUL-terminated; a document's title follows its id.
 *  7 PARAS       per document, in document order and tiling the section,
 *                its paragraph stream:
 *                  vint id bytes, vint title bytes (in STRINGS),
 *                  vint text bytes (of the stored text), vint paragraphs n
 *                  skip table: (n - 1) / ST_PARA_SKIP entries (none when
 *                    n == 0) of ST_PARA_SKIP_REC bytes, entry k describing
 *                    paragraph (k + 1) * ST_PARA_SKIP: u32 offset of its
 *                    entry from the first paragraph entry, u32 its first
 *                    position, u32 its text offset
 *                  n paragraph entries in paragraph order:
 *                    u8 field | kind << 3 | (number != 0) << 6 (bit 7 0),
 *                    vint number (only when bit 6 is set; then not 0),
 *                    vint tokens, vint text bytes.
 *                Nothing else is stored: a paragraph's text offset is the
 *                previous one's offset + bytes + 1 (the paragraphs tile the
 *                document's stored text, one '\n' between two; the first
 *                starts at 0), and its first position follows from the
 *                rule under POSITIONS AND PARAGRAPHS: the first paragraph's
 *                is 0, and after a paragraph with t > 0 tokens the next
 *                one's is its first position + t + 1 (after one without
 *                tokens it is unchanged).  Paragraph i is decoded from
 *                the nearest skip entry at or before it (at most
 *                ST_PARA_SKIP - 1 entries read first); the paragraph
 *                holding a position from the last skip entry whose first
 *                position is <= it.
 *  8 TEXT_INDEX  per stored-text block, 12 bytes: u32 offset in TEXT,
 *                u32 compressed bytes, u32 uncompressed bytes; the blocks
 *                tile TEXT in order.  A document longer than the writer's
 *                block size gets a block of its own.
 *  9 TEXT        zlib streams (RFC 1950), each the concatenated stored
 *                texts of consecutive documents (a document never spans
 *                blocks), compressed with the preset dictionary when flag
 *                bit 0 is set, with a window of header field 44's bits
 *                (the indexer's --text-window).  The reader inflates a
 *                block as a stream, keeping only the bytes it wants.
 * 10 ZDICT       the preset dictionary (phrases shared by many documents,
 *                the best last, where zlib's distances are shortest), at
 *                most 32 KB; empty when flag bit 0 is clear.  The writer
 *                compresses the text with and without it and keeps it
 *                only when TEXT plus ZDICT is then strictly smaller than
 *                TEXT alone (large blocks often gain nothing from it).
 * 11 LEXICON     the surface forms: every word token's folded but
 *                unstemmed form (ST_TOK_WORD only: numbers and symbols
 *                are never stemmed, so they are their own terms), mapped
 *                to the dictionary term it was indexed as:
 *                  u32 n_words, u32 n_blocks = ceil(n_words /
 *                    ST_LEX_BLOCK),
 *                  n_blocks u32 offsets of the blocks, from the end of
 *                    this block index, strictly increasing (the first 0),
 *                  the blocks: ST_LEX_BLOCK words each (the last one the
 *                    rest), in strictly increasing byte order over the
 *                    whole section, front-coded inside a block exactly as
 *                    DICT's terms are (one byte shared << 4 | suffix, or
 *                    0, vint shared, vint suffix; then the suffix bytes),
 *                    then vint zigzag(stem ordinal - previous ordinal),
 *                    the previous ordinal being that of the previous word
 *                    of the block (0 for a block's first word), the stem
 *                    ordinal < n_terms being the rank of the word's term
 *                    in DICT, then vint df: the documents holding the
 *                    word as written (1 .. n_docs; not the term's df,
 *                    which DICT has).
 *                The blocks tile the rest of the section.  Exact lookup
 *                is a binary search over the blocks' first words plus
 *                one block scan; a prefix range is a seek plus an
 *                ordered walk; a fuzzy walk reads blocks in order and
 *                uses each entry's shared length to prune.
 * 12 NORMS       n_docs records of n_fields bytes, in document order:
 *                u8 norm[n_fields], st_norm_encode(tokens in the field).
 *                Scoring reads a matched document's norms and nothing else
 *                of it, so they are a table of their own, as Lucene keeps
 *                them: the pages a query touches to score a thousand
 *                scattered documents come from n_fields bytes a document,
 *                not from the records that also carry its pointers.
 *
 * MEMORY.  The query runtime reads stored text as a stream: from the
 * caller's workspace it needs zlib's inflate state (under 8 KB) and its
 * 2^wbits-byte window (header field 44), st_text_stream_bytes(), whatever
 * the size of the block or the document.  Only the indexer's merge
 * inflates whole blocks (st_doc_load(): the block's size, at most header
 * field 40, plus the state).  Everything else is read in place.
 *
 * POSITIONS AND PARAGRAPHS.  A document's tokens are numbered from 0 in
 * paragraph order; before the first token of a paragraph that follows
 * earlier tokens, one position is left out (a paragraph starts at the last
 * position of the previous one + 2).  A paragraph without tokens takes no
 * position; its first position is the one its first token would have had.
 * So first positions never decrease, and the paragraph holding a position
 * is the last one whose first position is <= it.
 *
 * NORMS.  A field's length (its token count, gaps not counted) is kept as
 * one byte, st_norm_encode(): exact below 32, then 3-bit mantissa floating
 * point (steps of at most 12.5%), decoded to the bucket's least length.
 */
#ifndef STELE_FORMAT_H
#define STELE_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#define ST_FORMAT_VERSION 5u
#define ST_MAGIC          "\x89STELE\r\n"
#define ST_MAGIC_BYTES    8
#define ST_HEADER_FIXED   144u
#define ST_SECTION_ENTRY  16u
#define ST_ALIGN          8u
#define ST_FLAG_ZDICT     1u

#define ST_DICT_BLOCK        32u    /* terms per dictionary block */
#define ST_DICT_INDEX_REC    12u    /* bytes per DICT_INDEX entry */
#define ST_LEX_BLOCK         32u    /* words per LEXICON block */
#define ST_LEX_HEAD          8u     /* LEXICON's n_words and n_blocks */
#define ST_SKIP_REC          16u    /* bytes per postings skip entry */
#define ST_DOC_REC           16u    /* bytes per DOCS record */
#define ST_PARA_SKIP         16u    /* paragraphs per PARAS skip entry */
#define ST_PARA_SKIP_REC     12u    /* bytes per PARAS skip entry */
#define ST_TEXT_REC          12u    /* bytes per TEXT_INDEX entry */
#define ST_ZDICT_MAX         32768u /* largest preset dictionary */
#define ST_MAX_TF_SAT        65535u /* skip entries saturate max tf here */
#define ST_DEFLATE_MAX_RATIO 1032u  /* deflate never compresses better */

/* Section ids; a section's id is also its position in the table. */
enum st_section {
    ST_SEC_FIELDS = 0,
    ST_SEC_DICT_INDEX = 1,
    ST_SEC_DICT = 2,
    ST_SEC_POSTINGS = 3,
    ST_SEC_POSITIONS = 4,
    ST_SEC_DOCS = 5,
    ST_SEC_STRINGS = 6,
    ST_SEC_PARAS = 7,
    ST_SEC_TEXT_INDEX = 8,
    ST_SEC_TEXT = 9,
    ST_SEC_ZDICT = 10,
    ST_SEC_LEXICON = 11,
    ST_SEC_NORMS = 12,
    ST_N_SECTIONS = 13
};

/* Header field offsets. */
enum {
    ST_H_VERSION = 8,
    ST_H_FLAGS = 12,
    ST_H_HEADER_BYTES = 16,
    ST_H_N_SECTIONS = 20,
    ST_H_N_DOCS = 24,
    ST_H_N_TERMS = 28,
    ST_H_N_FIELDS = 32,
    ST_H_NORM_VERSION = 36,
    ST_H_MAX_BLOCK = 40,
    ST_H_WBITS = 44,
    ST_H_CRC = 48,
    ST_H_MAX_POS = 52,
    ST_H_LANGUAGE = 56,
    ST_H_LANGUAGE_BYTES = 16,
    ST_H_WEIGHTS = 72,
    ST_H_TOKENS = 80
};

/* ---- Little-endian access; p must have the bytes (callers check). ---- */

static inline uint16_t st_get16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (uint16_t)p[1] << 8);
}
static inline uint32_t st_get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t st_get64(const uint8_t *p)
{
    return (uint64_t)st_get32(p) | (uint64_t)st_get32(p + 4) << 32;
}
static inline void st_put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}
static inline void st_put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}
static inline void st_put64(uint8_t *p, uint64_t v)
{
    st_put32(p, (uint32_t)v);
    st_put32(p + 4, (uint32_t)(v >> 32));
}

/* ---- Interface to code in codec.c ------------------------------------ */

#define ST_VARINT_MAX 10 /* bytes of the longest vint */

/* Decodes a vint from [*p, end): advances *p and returns 1, or returns 0
 * (and leaves *p) when the bytes run out or the value exceeds 64 bits. */
int st_varint_get(const uint8_t **p, const uint8_t *end, uint64_t *v);
/* As st_varint_get, but the value must fit 32 bits. */
int st_varint_get32(const uint8_t **p, const uint8_t *end, uint32_t *v);
/* Decodes a front-coded entry's lengths (DICT, LEXICON) from [*p, end):
 * one byte shared << 4 | suffix when its low nibble is not 0, else a 0
 * byte, vint shared, vint suffix.  Advances *p and returns 1, or returns
 * 0 when the bytes run out, the first byte is neither form or a length
 * exceeds 32 bits.  Inline: every dictionary and lexicon entry starts
 * with it. */
static inline int st_front_get(const uint8_t **p, const uint8_t *end, uint32_t *shared,
                               uint32_t *suffix)
{
    const uint8_t *s = *p;
    if (s >= end) return 0;
    if (*s & 15) {
        *shared = *s >> 4;
        *suffix = *s & 15u;
        *p = s + 1;
        return 1;
    }
    if (*s++ != 0) return 0; /* a low nibble of 0 with a high one: no form */
    if (!st_varint_get32(&s, end, shared) || !st_varint_get32(&s, end, suffix)) return 0;
    *p = s;
    return 1;
}

/* Encodes v into out (room for ST_VARINT_MAX); returns the byte count. */
size_t st_varint_put(uint8_t *out, uint64_t v);
/* Bytes st_varint_put would write. */
size_t st_varint_len(uint64_t v);

/* Bits needed for the largest of n values (0 when all are 0). */
unsigned st_bits_needed(const uint32_t *v, size_t n);
/* Packs 128 values of bits (0 .. 32) bits each, LSB first, into
 * 16 * bits bytes of out. */
void st_pack128(const uint32_t *v, unsigned bits, uint8_t *out);
/* Unpacks 128 values from 16 * bits bytes of in (bits 0 .. 32). */
void st_unpack128(const uint8_t *in, unsigned bits, uint32_t *v);

/* Runs of at least this many values are Rice-coded, shorter ones are
 * varints (cheaper for one or two values than the parameter byte). */
#define ST_POSBLOCK_PACKED 3u
/* Largest run the writer makes: the k byte and 128 values of 33 bits (no
 * value costs more at k = 32, and the writer takes the cheapest k). */
#define ST_POSBLOCK_MAX (1u + (128u * 33u + 7u) / 8u)
/* Writes one run of n (1 .. 128) values to out (room for ST_POSBLOCK_MAX):
 * n >= ST_POSBLOCK_PACKED: Rice-coded (u8 k, then the bit stream, see
 * POSITIONS above); otherwise n varints.  Returns the bytes. */
size_t st_posblock_put(const uint32_t *v, size_t n, uint8_t *out);
/* Reads one run of n (1 .. 128) values from [*p, end) into v; advances *p
 * and returns 1, or returns 0 (leaving *p) when the bytes run out, k
 * exceeds 32, a value exceeds 32 bits or the padding bits are not 0. */
int st_posblock_get(const uint8_t **p, const uint8_t *end, size_t n, uint32_t *v);
/* Decodes one Rice-coded value with parameter k (0 .. 32) from the bit
 * stream in[0, n_bits / 8) at bit *at, advancing *at; returns 0 (leaving
 * *at) when the bits run out or the value exceeds 32 bits. */
int st_rice_get(const uint8_t *in, uint64_t n_bits, uint64_t *at, unsigned k, uint32_t *v);
/* Passes n such values, as n calls of st_rice_get() would, without their
 * values: returns 1 with *at after the last, or 0 (leaving *at) where
 * st_rice_get() would fail. */
int st_rice_skip(const uint8_t *in, uint64_t n_bits, uint64_t *at, unsigned k, uint64_t n);

/* Number of trailing one bits of w (w != ~0). */
static inline unsigned st_trailing_ones(uint64_t w)
{
#if defined(__GNUC__)
    return (unsigned)__builtin_ctzll(~w);
#else
    unsigned n = 0;
    while (w & 1) {
        w >>= 1;
        n++;
    }
    return n;
#endif
}

/*
 * Fast path of st_rice_get: when eight whole bytes are left, one
 * little-endian load holds at least 57 bits from *at; a value whose unary
 * part, stop bit and k low bits all fit in them is decoded without a bit
 * loop.  Returns 0 when the value does not qualify (the end of the run, a
 * long unary part), and the caller takes the checked bit-by-bit path.
 */
static inline int st_rice_get_fast(const uint8_t *in, uint64_t n_bits, uint64_t *at, unsigned k,
                                   uint32_t *v)
{
    uint64_t bit_at = *at, max_q = 0xFFFFFFFFull >> k;
    if ((bit_at >> 3) + 8 > n_bits >> 3) return 0;
    uint64_t w = st_get64(in + (bit_at >> 3)) >> (bit_at & 7);
    unsigned avail = 64 - (unsigned)(bit_at & 7);
    if (~w == 0) return 0;
    unsigned ones = st_trailing_ones(w);
    if (ones + 1 + k > avail || ones > max_q) return 0;
    uint64_t low = k ? (w >> (ones + 1)) & (((uint64_t)1 << k) - 1) : 0;
    *v = (uint32_t)(k >= 32 ? low : (uint64_t)ones << k | low);
    *at = bit_at + ones + 1 + k;
    return 1;
}

/*
 * One Rice-coded value, as st_rice_get: where speed is wanted the fast
 * path is inlined into the caller's loop; in a build for size (-Os) every
 * caller shares st_rice_get's one copy of it, which it tries first.
 */
static inline int st_rice_read(const uint8_t *in, uint64_t n_bits, uint64_t *at, unsigned k,
                               uint32_t *v)
{
#ifndef __OPTIMIZE_SIZE__
    if (st_rice_get_fast(in, n_bits, at, k, v)) return 1;
#endif
    return st_rice_get(in, n_bits, at, k, v);
}

/* As st_posblock_get, but only adds the values up into *sum. */
int st_posblock_sum(const uint8_t **p, const uint8_t *end, size_t n, uint64_t *sum);

#endif /* STELE_FORMAT_H */
