/*
 * query_dedup.c: identical operands of one AND or OR are evaluated once.
 *
 * A query that repeats itself ("the the the ...", "a* a* a*", the same
 * parenthesised group twice) would otherwise read the same postings once
 * per copy: 200 copies of a frequent word cost 200 times one.  This pass,
 * run on the parsed tree before any iterator is opened, keeps the first of
 * every set of structurally identical children of an AND or OR node and
 * counts the others in its mult; the leaves of the removed copies are
 * marked dropped, so that they open no iterator and look nothing up.
 *
 * Matching is unchanged (a AND a is a, a OR a is a).  Scores are too: a
 * child counted mult times adds mult times its score, as the copies did,
 * the way Lucene sums the boosts of a repeated clause.  So a word typed
 * twice weighs twice as much, and ranking, the reference model and the
 * differential tests see no difference.  PHRASE and NEAR words are never
 * merged: a repeated word there is part of what is matched.
 *
 * Cost: the pass visits every node once and compares a child only with
 * earlier children of the same hash, so it is linear in the tree for all
 * but adversarial hash collisions, which cost a structural comparison
 * each and are bounded by the tree's size squared, like the tree itself
 * bounded by STELE_MAX_QUERY_BYTES.  It needs no memory: while it runs,
 * each node's evaluation fields, which st_eval_rewind() resets before any
 * use, hold its hash (doc) and its bucket chain (lead).
 */
#include <string.h>

#include "query.h"

/* Buckets of one node's children, on dedup_kids()'s frame: 256 bytes
 * on 32 bits, 512 on 64. */
#define DEDUP_BUCKETS 64u

static uint32_t mix(uint32_t h, uint32_t v)
{
    h ^= v + 0x9e3779b9u + (h << 6) + (h >> 2);
    return h;
}

static uint32_t node_hash(const st_qnode *n)
{
    uint32_t h = mix(mix(n->type, (uint32_t)(n->field + 1)), n->near_k);
    if (n->term) {
        const st_qterm *t = n->term;
        h = mix(mix(mix(h, t->len), (uint32_t)(t->field + 1)),
                t->prefix | (uint32_t)t->fuzzy << 8 | (uint32_t)t->id_match << 16);
        for (uint32_t i = 0; i < t->len; i++)
            h = mix(h, (unsigned char)t->text[i]);
    }
    for (const st_qnode *k = n->kids; k; k = k->next)
        h = mix(mix(h, k->doc), k->mult);
    return h;
}

static int term_same(const st_qterm *a, const st_qterm *b)
{
    if (!a || !b) return a == b;
    return a->len == b->len && a->field == b->field && a->prefix == b->prefix &&
           a->fuzzy == b->fuzzy && a->positive == b->positive && a->id_match == b->id_match &&
           memcmp(a->text, b->text, a->len) == 0;
}

/* Whether a and b match and score alike.  Their own mult is not
 * compared (it is their parent's count of them), their children's is. */
static int node_same(const st_qnode *a, const st_qnode *b)
{
    const st_qnode *x, *y;
    if (a->type != b->type || a->field != b->field || a->near_k != b->near_k ||
        a->n_kids != b->n_kids || !term_same(a->term, b->term))
        return 0;
    for (x = a->kids, y = b->kids; x && y; x = x->next, y = y->next)
        if (x->doc != y->doc || x->mult != y->mult || !node_same(x, y)) return 0;
    return x == y;
}

/* Marks the leaves of a removed copy: no lookup, no iterator. */
static void drop_leaves(st_qnode *n)
{
    if (n->term) {
        n->term->dropped = 1;
        n->term->n_iter = 0;
    }
    for (st_qnode *k = n->kids; k; k = k->next)
        drop_leaves(k);
}

/* Removes the copies among n's children (already deduplicated below). */
/* Not inlined: its buckets stay off the recursion's frames. */
ST_NOINLINE static void dedup_kids(st_qnode *n)
{
    st_qnode *bucket[DEDUP_BUCKETS];
    st_qnode *k, *prev = NULL, *next;

    memset(bucket, 0, sizeof bucket);
    for (k = n->kids; k; k = next) {
        st_qnode *twin = bucket[k->doc % DEDUP_BUCKETS];
        next = k->next;
        while (twin && !(twin->doc == k->doc && node_same(twin, k)))
            twin = twin->lead;
        if (twin) {
            twin->mult += k->mult;
            drop_leaves(k);
            prev->next = next; /* prev exists: the twin came before k */
            n->n_kids--;
            continue;
        }
        k->lead = bucket[k->doc % DEDUP_BUCKETS];
        bucket[k->doc % DEDUP_BUCKETS] = k;
        prev = k;
    }
    for (k = n->kids; k; k = k->next)
        k->lead = NULL;
}

static void dedup_node(st_qnode *n)
{
    n->mult = 1;
    for (st_qnode *k = n->kids; k; k = k->next)
        dedup_node(k);
    if (n->type == ST_Q_AND || n->type == ST_Q_OR) dedup_kids(n);
    n->doc = node_hash(n);
}

static void clear_hashes(st_qnode *n)
{
    n->doc = 0;
    for (st_qnode *k = n->kids; k; k = k->next)
        clear_hashes(k);
}

void st_query_dedup(st_query *q)
{
    if (!q->root) return;
    dedup_node(q->root);
    clear_hashes(q->root);
}
