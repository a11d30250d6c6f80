/*
 * bench_xapian.cc: the Xapian side of bench_compare, in process.
 *
 * A query is built from the neutral form directly with Xapian::Query (no
 * QueryParser, whose syntax differs), each word stemmed with Snowball
 * English as the index was built (bench_refindex.cc: STEM_ALL, so terms are
 * bare stems with positions).  Building the query, stemming included, is
 * timed with the search, as stele and FTS5 parse and stem inside theirs.
 * Ranking is BM25 with k1 = 1.2 and b = 0.75 (stele's defaults); a search
 * returns the ids of the top k, read from value slot 0.
 *
 *   term w        Query(stem(w))
 *   and, or       OP_AND, OP_OR over the stems
 *   phrase        OP_PHRASE over the stems, window = number of words
 *   near          OP_NEAR over the stems, window = param
 *   prefix        OP_WILDCARD on the lowercase prefix (over stems, as
 *                 stele's and FTS5's prefixes are)
 *   not a b       OP_AND_NOT(a, b)
 */
#include "bench_compare.h"

#include <xapian.h>

#include <cstdio>
#include <cstring>
#include <new>
#include <string>
#include <vector>

namespace
{

struct xapian_handle {
    explicit xapian_handle(const char *dir) : db(dir), enquire(db), stem("english")
    {
        enquire.set_weighting_scheme(Xapian::BM25Weight(1.2, 0, 1, 0.75, 0.5));
    }
    Xapian::Database db;
    Xapian::Enquire enquire;
    Xapian::Stem stem;
};

Xapian::Query build(xapian_handle &h, const bench_query &q)
{
    std::vector<std::string> terms;
    const std::string op = q.op;
    if (op == "prefix") return Xapian::Query(Xapian::Query::OP_WILDCARD, std::string(q.words[0]));
    for (size_t i = 0; i < q.n_words; i++)
        terms.push_back(h.stem(q.words[i]));
    if (op == "term") return Xapian::Query(terms[0]);
    if (op == "and") return Xapian::Query(Xapian::Query::OP_AND, terms.begin(), terms.end());
    if (op == "or") return Xapian::Query(Xapian::Query::OP_OR, terms.begin(), terms.end());
    if (op == "phrase")
        return Xapian::Query(Xapian::Query::OP_PHRASE, terms.begin(), terms.end(),
                             (Xapian::termcount)terms.size());
    if (op == "near")
        return Xapian::Query(Xapian::Query::OP_NEAR, terms.begin(), terms.end(),
                             (Xapian::termcount)q.param);
    if (op == "not" && terms.size() == 2)
        return Xapian::Query(Xapian::Query::OP_AND_NOT, Xapian::Query(terms[0]),
                             Xapian::Query(terms[1]));
    throw Xapian::InvalidArgumentError("unknown query op " + op);
}

} // namespace

extern "C" void *bench_xapian_open(const char *dir, char *err, size_t err_cap)
{
    try {
        return new xapian_handle(dir);
    } catch (const Xapian::Error &e) {
        std::snprintf(err, err_cap, "%s", e.get_description().c_str());
    } catch (const std::bad_alloc &) {
        std::snprintf(err, err_cap, "out of memory");
    }
    return nullptr;
}

extern "C" int bench_xapian_run(void *handle, const bench_query *q, size_t k, bench_ids *out,
                                size_t *n_matches, char *err, size_t err_cap)
{
    xapian_handle &h = *static_cast<xapian_handle *>(handle);
    try {
        h.enquire.set_query(build(h, *q));
        Xapian::MSet mset = h.enquire.get_mset(0, (Xapian::doccount)k);
        size_t i = 0;
        for (Xapian::MSetIterator it = mset.begin(); it != mset.end() && i < k; ++it, ++i) {
            std::string id = it.get_document().get_value(0);
            bench_ids_put(out, i, id.data(), id.size());
        }
        out->n = i;
        *n_matches = mset.get_matches_estimated();
        return 0;
    } catch (const Xapian::Error &e) {
        std::snprintf(err, err_cap, "%s", e.get_description().c_str());
    } catch (const std::bad_alloc &) {
        std::snprintf(err, err_cap, "out of memory");
    }
    return -1;
}

extern "C" void bench_xapian_close(void *handle)
{
    delete static_cast<xapian_handle *>(handle);
}
