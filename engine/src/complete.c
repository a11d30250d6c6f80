/*
 * complete.c: stele_complete(), completions of the last word of a query.
 *
 * The last word, when the query ends inside it (nothing after it, not even
 * a space), is folded as the tokenizer folds it, and the lexicon's words
 * that start with it are the candidates: the STELE_COMPLETE_CANDIDATES
 * most frequent (documents holding the word as written, ties in byte
 * order), read within STELE_COMPLETE_SCAN entries.  The words before it
 * (the nearest STELE_COMPLETE_CONTEXT found in the index, each analysed as
 * a query word is, its stemmer being the caller's or the lexicon's) boost
 * the candidates that occur with them: each candidate's stem term is
 * intersected with all of theirs, over all fields, counting the documents
 * that hold them all (co_docs), within STELE_COMPLETE_STEPS postings
 * moves in all.  The ranking is then co_docs (most first), df, byte
 * order; with earlier words, a candidate that occurs with none of them
 * is dropped (it would turn the query into one without hits), unless the
 * step budget ran out before it was counted.
 *
 * Memory: the caller's workspace holds the candidates and, per context
 * term and candidate, one postings iterator per field list:
 * st_complete_bytes(ix), which stele_workspace_bound(ix, 0) covers.
 */
#include <string.h>

#include "analyze.h"
#include "lexicon.h"
#include "query.h"

#ifdef STELE_OMIT_COMPLETE

size_t st_complete_bytes(const stele_index *ix)
{
    (void)ix;
    return 0; /* no stele_complete() to need it */
}

#else

/* Postings of one term over its field lists: the documents holding it in
 * any field, in order. */
typedef struct docset {
    uint32_t n;
    st_postings *it; /* n iterators */
    uint32_t doc;    /* current document, ST_DOC_END when done */
} docset;

typedef struct cand {
    st_lex_entry e;
    uint32_t co;
    uint8_t counted;
} cand;

static size_t docset_bytes(const stele_index *ix)
{
    return ST_ALIGNED(ix->n_fields_ * sizeof(st_postings));
}

size_t st_complete_bytes(const stele_index *ix)
{
    return ST_WS_ALIGN - 1 + ST_ALIGNED(STELE_COMPLETE_CANDIDATES * sizeof(cand)) +
           (STELE_COMPLETE_CONTEXT + 1) * docset_bytes(ix) +
           ST_ALIGNED((STELE_COMPLETE_CONTEXT + 1) * sizeof(st_term_info));
}

static int docset_open(docset *s, const stele_index *ix, const st_term_info *info)
{
    s->n = 0;
    for (unsigned f = 0; f < ix->n_fields_; f++) {
        if (!(info->field_mask >> f & 1)) continue;
        int rc = st_postings_init(&s->it[s->n], ix, &info->list[f]);
        if (rc) return rc;
        rc = st_postings_next(&s->it[s->n]);
        if (rc < 0) return rc;
        s->n++;
    }
    s->doc = ST_DOC_END;
    for (uint32_t i = 0; i < s->n; i++)
        if (s->it[i].doc < s->doc) s->doc = s->it[i].doc;
    return STELE_OK;
}

/* Moves s to its first document >= target; *steps counts the moves. */
static int docset_seek(docset *s, uint32_t target, uint32_t *steps)
{
    uint32_t best = ST_DOC_END;
    for (uint32_t i = 0; i < s->n; i++) {
        st_postings *p = &s->it[i];
        if (p->doc < target && p->doc != ST_DOC_END) {
            int rc = st_postings_advance(p, target);
            if (rc < 0) return rc;
            (*steps)++;
        }
        if (p->doc < best) best = p->doc;
    }
    s->doc = best;
    return STELE_OK;
}

/* Documents in all of sets[0 .. n): a leapfrog over them, stopping when
 * *steps reaches the budget (then *done = 0). */
static int count_common(docset *sets, uint32_t n, uint32_t *steps, uint32_t *count, int *done)
{
    uint32_t target = 0;
    *count = 0;
    *done = 0;
    for (;;) {
        uint32_t agreed = 0;
        for (uint32_t i = 0; i < n && agreed < n; i++) {
            if (*steps >= STELE_COMPLETE_STEPS) return STELE_OK;
            int rc = docset_seek(&sets[i], target, steps);
            if (rc) return rc;
            if (sets[i].doc == ST_DOC_END) {
                *done = 1;
                return STELE_OK;
            }
            if (sets[i].doc > target) {
                target = sets[i].doc;
                agreed = 0;
                i = (uint32_t)-1; /* start over at the new target */
                continue;
            }
            agreed++;
        }
        (*count)++;
        if (target == ST_DOC_END - 1) {
            *done = 1;
            return STELE_OK;
        }
        target++;
    }
}

/* a ranks before b. */
static int cand_better(const cand *a, const cand *b, int by_co)
{
    if (by_co && a->co != b->co) return a->co > b->co;
    if (a->e.df != b->e.df) return a->e.df > b->e.df;
    return a->e.index < b->e.index;
}

int stele_complete(const stele_index *ix, const char *query, size_t len,
                   const stele_query_opts *opts, stele_completions *out, void *mem, size_t mem_size)
{
    st_tokenizer tz;
    st_token tok, last;
    st_term_info *ctx_info;
    uint32_t n_ctx = 0, n_tok = 0;
    stele_stem_fn stem;
    void *stem_ctx;
    int rc;

    if (!out) return STELE_EINVAL;
    out->n = 0;
    out->cut = 0;
    out->needed = 0;
    if (!ix || !ix->data_ || (!query && len) || (out->max && !out->items) || !st_opts_valid(opts))
        return STELE_EINVAL;
    if (len > STELE_MAX_QUERY_BYTES) return STELE_ELIMIT;
    st_arena a;
    st_arena_init(&a, mem, mem_size);
    cand *cands = st_arena_alloc(&a, STELE_COMPLETE_CANDIDATES * sizeof(cand));
    docset sets[STELE_COMPLETE_CONTEXT + 1];
    for (uint32_t i = 0; i < STELE_COMPLETE_CONTEXT + 1; i++)
        sets[i].it = st_arena_alloc(&a, docset_bytes(ix));
    /* The context words' dictionary entries (400 bytes each) and one for
     * the lookups (of the earlier words, then of the candidates' terms)
     * live in the workspace, not on the stack. */
    ctx_info = st_arena_alloc(&a, (STELE_COMPLETE_CONTEXT + 1) * sizeof *ctx_info);
    if (!mem || a.short_) {
        out->needed = st_complete_bytes(ix);
        return STELE_ENOSPACE;
    }
    stem = opts ? opts->stem : NULL;
    stem_ctx = opts ? opts->stem_ctx : NULL;
    if (!stem && ix->language_[0] != '\0') {
        stem = st_lex_stem;
        stem_ctx = (void *)(uintptr_t)ix;
    }

    /* The last token, and the terms of the nearest earlier words. */
    st_tokenizer_init(&tz, query ? query : "", len);
    memset(&last, 0, sizeof last);
    while (st_tokenizer_next(&tz, &tok)) {
        if (n_tok++ > 0) {
            char term[STELE_MAX_TERM_BYTES + 1];
            size_t tlen = st_token_term(&last, stem, stem_ctx, term);
            st_term_info *info = &ctx_info[STELE_COMPLETE_CONTEXT];
            rc = st_dict_find(ix, term, tlen, info);
            if (rc == STELE_OK) {
                uint32_t k;
                for (k = 0; k < n_ctx && ctx_info[k].term_ord != info->term_ord; k++)
                    ;
                if (k == n_ctx) {
                    if (n_ctx == STELE_COMPLETE_CONTEXT) { /* keep the nearest */
                        memmove(ctx_info, ctx_info + 1, (n_ctx - 1) * sizeof *ctx_info);
                        n_ctx--;
                    }
                    ctx_info[n_ctx++] = *info;
                }
            } else if (rc != STELE_ENOTFOUND) {
                return rc;
            }
        }
        last = tok;
    }
    if (n_tok == 0 || last.end != len || last.kind != ST_TOK_WORD) return STELE_OK;

    /* Candidates: the most frequent words of the range (a min-heap). */
    st_lex_cursor c;
    uint32_t n_cand = 0, scanned = 0;
    size_t plen = last.len > STELE_MAX_TERM_BYTES ? STELE_MAX_TERM_BYTES : last.len;
    if ((rc = st_lex_prefix(ix, &c, last.term, plen)) < 0) return rc;
    for (;;) {
        if (scanned >= STELE_COMPLETE_SCAN) {
            out->cut = 1;
            break;
        }
        rc = st_lex_prefix_next(ix, &c);
        if (rc < 0) return rc;
        if (rc == 0) break;
        scanned++;
        cand k = {c.e, 0, 0};
        if (n_cand < STELE_COMPLETE_CANDIDATES) {
            /* sift up: the worst candidate stays at the root */
            uint32_t i = n_cand++;
            while (i > 0 && cand_better(&cands[(i - 1) / 2], &k, 0)) {
                cands[i] = cands[(i - 1) / 2];
                i = (i - 1) / 2;
            }
            cands[i] = k;
        } else if (cand_better(&k, &cands[0], 0)) {
            /* replace the root and sift it down */
            uint32_t i = 0;
            for (;;) {
                uint32_t l = 2 * i + 1, r = l + 1, w;
                if (l >= n_cand) break;
                w = r < n_cand && cand_better(&cands[l], &cands[r], 0) ? r : l;
                if (!cand_better(&k, &cands[w], 0)) break;
                cands[i] = cands[w];
                i = w;
            }
            cands[i] = k;
        }
    }

    /* Co-occurrence with the earlier words. */
    uint32_t steps = 0;
    if (n_ctx > 0) {
        for (uint32_t i = 0; i < n_cand; i++) {
            uint32_t j;
            for (j = 0; j < i && cands[j].e.stem_ord != cands[i].e.stem_ord; j++)
                ;
            if (j < i) {
                cands[i].co = cands[j].co;
                cands[i].counted = cands[j].counted;
                continue;
            }
            /* the candidate's entry in the lookup's slot, free by now */
            st_dict_cursor dc;
            st_term_info *info = &ctx_info[STELE_COMPLETE_CONTEXT];
            if ((rc = st_dict_at(ix, cands[i].e.stem_ord, &dc, info)) != 0)
                return rc == STELE_ENOTFOUND ? st_corrupt() : rc;
            if ((rc = docset_open(&sets[0], ix, info)) != 0) return rc;
            for (uint32_t k = 0; k < n_ctx; k++)
                if ((rc = docset_open(&sets[k + 1], ix, &ctx_info[k])) != 0) return rc;
            int done;
            if ((rc = count_common(sets, n_ctx + 1, &steps, &cands[i].co, &done)) != 0) return rc;
            cands[i].counted = (uint8_t)done;
            if (!done) out->cut = 1;
        }
        /* drop what occurs with none of them */
        uint32_t kept = 0;
        for (uint32_t i = 0; i < n_cand; i++)
            if (cands[i].co > 0 || !cands[i].counted) cands[kept++] = cands[i];
        n_cand = kept;
    } else {
        for (uint32_t i = 0; i < n_cand; i++)
            cands[i].co = cands[i].e.df;
    }
    /* Best first (insertion sort: at most STELE_COMPLETE_CANDIDATES). */
    for (uint32_t i = 1; i < n_cand; i++)
        for (uint32_t j = i; j > 0 && cand_better(&cands[j], &cands[j - 1], 1); j--) {
            cand t = cands[j];
            cands[j] = cands[j - 1];
            cands[j - 1] = t;
        }
    for (uint32_t i = 0; i < n_cand && out->n < out->max; i++) {
        stele_completion *o = &out->items[out->n++];
        memcpy(o->word, cands[i].e.word, cands[i].e.len + 1);
        o->len = cands[i].e.len;
        o->df = cands[i].e.df;
        o->co_docs = cands[i].co;
        o->start = last.start;
    }
    out->total = n_cand;
    return STELE_OK;
}

#endif /* STELE_OMIT_COMPLETE */
