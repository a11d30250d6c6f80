/*
 * fuzz_analyze.c: fuzz target for the tokenizer (engine/src/analyze.c).
 *
 * LLVMFuzzerTestOneInput() tokenizes the input and checks the invariants
 * every caller relies on: tokens lie inside the text, in order, without
 * overlap; every term is non-empty, NUL-terminated, at most
 * STELE_MAX_TERM_BYTES bytes of valid UTF-8; st_token_term() agrees; the
 * tokenizer ends exactly at the end of the text.  A broken invariant
 * aborts, which is how a fuzzer reports it.
 *
 * Built with -Dfuzzing=true it is a libFuzzer target (tools/fuzz.sh
 * analyze); otherwise fuzz_replay.c's main() replays the committed inputs
 * under tests/fuzz/analyze/, so every find stays a regression test.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void require(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "invariant broken: %s\n", what);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    st_tokenizer tz;
    st_token tok;
    char term[STELE_MAX_TERM_BYTES + 1];
    size_t prev_end = 0;

    st_tokenizer_init(&tz, (const char *)data, size);
    while (st_tokenizer_next(&tz, &tok)) {
        require(tok.start >= prev_end && tok.start < tok.end && tok.end <= size, "token range");
        require(tok.len > 0 && tok.len <= STELE_MAX_TERM_BYTES, "term length");
        require(tok.term[tok.len] == '\0' && strlen(tok.term) == tok.len, "term NUL");
        require(tok.kind <= ST_TOK_SYMBOL && tok.truncated <= 1, "kind");
        for (size_t i = 0, n; i < tok.len; i += n) {
            uint32_t cp;
            n = st_utf8_decode(tok.term + i, tok.len - i, &cp);
            require(n > 0, "term is valid UTF-8");
        }
        require(st_token_term(&tok, NULL, NULL, term) == tok.len, "st_token_term length");
        require(memcmp(term, tok.term, tok.len + 1) == 0, "st_token_term bytes");
        require(tz.pos == tok.end, "position after token");
        prev_end = tok.end;
    }
    require(tz.pos == size, "tokenizer reaches the end");
    require(tz.n_invalid <= size, "invalid count");
    return 0;
}
