#!/usr/bin/env python3
"""Ranking quality of stele on the Cranfield collection (Python stdlib only).

Usage:
  bench/cranfield.py [--data DIR] [--stele PATH] [--work DIR] [--fts5] [--per-query]

--data is the Cranfield directory (cran.all.1400, cran.qry, cranqrel);
by default ../shared/data/cranfield beside the project root.  The data is
only read: it is never copied into the project, and what this script
writes goes to scratch/cranfield/ (ignored by git).

Steps:
 1. cran.all.1400 becomes JSON Lines: id = the .I number, title = .T,
    body = .W (the abstract, which repeats the title as its first line).
    Authors (.A) and sources (.B) are left out: no query names them.
 2. `stele index --format jsonl docs.jsonl -o cran.stele` builds the index.
 3. Each query of cran.qry, numbered by its position in the file (1..225;
    cranqrel uses these numbers, not the .I ids), runs through
    `stele search -i cran.stele --json -n 100 QUERY`.
    With --via-bench, steps 2 and 3 use the benchmark drivers instead
    (bench_index over stele_build, one `bench_search --ids -k 100` run for
    all queries): the same library calls, without the CLI.
 4. MAP (average precision over the top 100, divided by all relevant
    documents of the query), nDCG@10 (gain = 5 - grade, so grade 1 = 4 and
    grade 4 = 1; ideal ranking from all judged documents) and P@10 are
    averaged over the 225 queries.  Judgements with grades outside 1..4
    (cranqrel has one "-1" line per query) count as not relevant.

Cranfield queries are natural language, but stele reads a query language
(implicit AND, OR, NOT, -x, quotes, parentheses, prefix*, field:).  Each
query is therefore turned into a bag of words: the text is lowercased (so
no word can be an OR/NOT/NEAR operator), cut into runs of letters and
digits (every quote, parenthesis, '*', '-', ':', '?', ',' and '.' becomes
a separator; a slash between digits is kept, since "1/3" is one symbol
token for stele), duplicates dropped, and the words joined with " OR ".
Stopwords stay: BM25's idf weighs them down.  A query with more distinct
words than STELE_MAX_QUERY_TERMS (32) keeps its first 32; the number of
queries cut is reported.

--fts5 runs the same documents and the same bags of words through SQLite
FTS5 (tokenize='porter unicode61', columns title and body, ORDER BY
bm25(t, 2.0, 1.0), which weighs title and body as stele's defaults do) with
Python's sqlite3 module, for comparison.  --xapian does the same with
Xapian in C++ (bench_refindex.cc builds it: stems only, title wdf 2;
bench_xapian.cc ranks: BM25 k1 = 1.2, b = 0.75, OR of the words' stems).
"""

import argparse
import json
import math
import os
import re
import sqlite3
import subprocess
import sys
import time

MAX_QUERY_TERMS = 32
DEPTH = 100


def parse_trec(path):
    """Yields (id, {marker: text}) records of a .I/.T/.A/.B/.W file."""
    rec_id, fields, cur = None, {}, None
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            if line.startswith(".I"):
                if rec_id is not None:
                    yield rec_id, fields
                rec_id, fields, cur = line[2:].strip(), {}, None
            elif re.match(r"^\.[TABW]\s*$", line):
                cur = line[1]
                fields.setdefault(cur, [])
            elif cur is not None:
                fields[cur].append(line.rstrip("\n"))
    if rec_id is not None:
        yield rec_id, fields


def load_docs(data):
    docs = []
    for rec_id, f in parse_trec(os.path.join(data, "cran.all.1400")):
        title = " ".join(" ".join(f.get("T", [])).split())
        body = "\n".join(f.get("W", [])).strip()
        docs.append({"id": rec_id, "title": title, "body": body})
    return docs


def load_queries(data):
    return [" ".join(" ".join(f.get("W", [])).split())
            for _, f in parse_trec(os.path.join(data, "cran.qry"))]


def load_qrels(data):
    qrels = {}
    with open(os.path.join(data, "cranqrel")) as f:
        for line in f:
            parts = line.split()
            if len(parts) < 3:
                continue
            q, d, g = int(parts[0]), parts[1], int(parts[2])
            if 1 <= g <= 4:
                qrels.setdefault(q, {})[d] = g
    return qrels


def bag_of_words(text, max_terms=MAX_QUERY_TERMS):
    """The query's distinct words, in order, at most max_terms (0: all)."""
    words = re.findall(r"[0-9]+(?:/[0-9a-z]+)+|[a-z0-9]+", text.lower())
    words = list(dict.fromkeys(words))
    if not max_terms:
        return words, False
    return words[:max_terms], len(words) > max_terms


# --- metrics ------------------------------------------------------------------

def average_precision(ranked, rel):
    if not rel:
        return 0.0
    hits, total = 0, 0.0
    for i, d in enumerate(ranked[:DEPTH]):
        if d in rel:
            hits += 1
            total += hits / (i + 1)
    return total / len(rel)


def ndcg(ranked, rel, k=10):
    dcg = sum((5 - rel[d]) / math.log2(i + 2) for i, d in enumerate(ranked[:k]) if d in rel)
    ideal = sorted((5 - g for g in rel.values()), reverse=True)[:k]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg > 0 else 0.0


def precision(ranked, rel, k=10):
    return sum(1 for d in ranked[:k] if d in rel) / k


def evaluate(runs, qrels):
    n = len(runs)
    m = {"MAP": 0.0, "nDCG@10": 0.0, "P@10": 0.0}
    per = []
    for q, ranked in enumerate(runs, start=1):
        rel = qrels.get(q, {})
        ap, nd, p = average_precision(ranked, rel), ndcg(ranked, rel), precision(ranked, rel)
        per.append((q, ap, nd, p))
        m["MAP"] += ap
        m["nDCG@10"] += nd
        m["P@10"] += p
    return {k: v / n for k, v in m.items()}, per


# --- stele ---------------------------------------------------------------------

def hit_ids(out):
    """Document ids of `stele search --json` output, best first.  Accepts an
    object with a "hits" (or "results") array, a bare array, or one JSON
    object per line; a hit names its document by "id" (or "doc_id")."""
    out = out.strip()
    if not out:
        return []
    try:
        data = json.loads(out)
        lines = None
    except json.JSONDecodeError:
        data, lines = None, [json.loads(x) for x in out.splitlines() if x.strip()]
    if lines is not None:
        items = lines
    elif isinstance(data, dict):
        items = data.get("hits", data.get("results", []))
    else:
        items = data
    ids = []
    for h in items:
        if isinstance(h, dict):
            v = h.get("id", h.get("doc_id"))
            if v is not None:
                ids.append(str(v))
    return ids


def run_stele(tools, work, docs_path, bags):
    """Indexes and searches with the stele CLI, or, with tools["via_bench"],
    with bench_index and one `bench_search --ids` run over all queries."""
    index = os.path.join(work, "cran.stele")
    t0 = time.perf_counter()
    if tools["via_bench"]:
        cmd = [tools["bench_index"], "--format", "jsonl", docs_path, "-o", index]
    else:
        cmd = [tools["stele"], "index", "--format", "jsonl", docs_path, "-o", index]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    t_index = time.perf_counter() - t0
    queries = [" OR ".join(words) for words in bags]
    runs, t0 = [], time.perf_counter()
    if tools["via_bench"]:
        qpath = os.path.join(work, "queries.txt")
        with open(qpath, "w") as f:
            f.write("\n".join(queries) + "\n")
        ws = ["-w", str(tools["workspace"])] if tools.get("workspace") else []
        r = subprocess.run([tools["bench_search"], "--ids", "-k", str(DEPTH)] + ws + [index, qpath],
                           capture_output=True, text=True, check=True)
        lines = r.stdout.split("\n")[:len(queries)]
        for i, line in enumerate(lines, start=1):
            if line.startswith("!error"):
                sys.stderr.write("query %d failed: %s\n" % (i, queries[i - 1]))
            runs.append([x for x in line.split("\t") if x and not x.startswith("!")])
        sys.stderr.write(r.stderr)
        sys.stderr.flush()
    else:
        for i, query in enumerate(queries, start=1):
            r = subprocess.run([tools["stele"], "search", "-i", index, "--json", "-n", str(DEPTH),
                                query], capture_output=True, text=True)
            if r.returncode not in (0, 1):  # 1 may mean "no match"
                sys.stderr.write("query %d failed (%d): %s\n%s" % (i, r.returncode, query,
                                                                   r.stderr))
                runs.append([])
                continue
            runs.append(hit_ids(r.stdout))
    t_search = time.perf_counter() - t0
    return runs, t_index, t_search, os.path.getsize(index)


# --- SQLite FTS5 -------------------------------------------------------------------

def run_fts5(work, docs, bags):
    db_path = os.path.join(work, "cran.fts5.db")
    if os.path.exists(db_path):
        os.remove(db_path)
    t0 = time.perf_counter()
    db = sqlite3.connect(db_path)
    db.execute("CREATE VIRTUAL TABLE t USING fts5(id UNINDEXED, title, body,"
               " tokenize='porter unicode61')")
    db.executemany("INSERT INTO t(id, title, body) VALUES (?, ?, ?)",
                   [(d["id"], d["title"], d["body"]) for d in docs])
    db.commit()
    t_index = time.perf_counter() - t0
    runs, t0 = [], time.perf_counter()
    for words in bags:
        # Each word quoted, so that nothing in it is FTS5 query syntax.
        match = " OR ".join('"%s"' % w for w in words)
        rows = db.execute("SELECT id FROM t WHERE t MATCH ? ORDER BY bm25(t, 0.0, 2.0, 1.0)"
                          " LIMIT %d" % DEPTH, (match,)).fetchall()
        runs.append([r[0] for r in rows])
    t_search = time.perf_counter() - t0
    db.close()
    return runs, t_index, t_search, os.path.getsize(db_path)


# --- Xapian (optional) -------------------------------------------------------------

def run_xapian(work, docs_path, bags, bench_dir):
    """Through the C++ drivers: bench_refindex builds the database,
    bench_compare ranks every bag of words as an OR of its stems."""
    db_dir = os.path.join(work, "cran.xapian")
    t0 = time.perf_counter()
    subprocess.run([os.path.join(bench_dir, "bench_refindex"), "xapian", docs_path, db_dir],
                   check=True)
    t_index = time.perf_counter() - t0
    size = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(db_dir) for f in fs)
    qpath = os.path.join(work, "queries.bag.tsv")
    ids_path = os.path.join(work, "xapian.ids.tsv")
    with open(qpath, "w") as f:
        for words in bags:
            f.write("cranfield\tor\t0\t%s\n" % " ".join(words))
    t0 = time.perf_counter()
    subprocess.run([os.path.join(bench_dir, "bench_compare"), "--xapian", db_dir, "--rounds", "0",
                    "-k", str(DEPTH), "--ids", ids_path, qpath], check=True,
                   stdout=subprocess.DEVNULL)
    t_search = time.perf_counter() - t0
    runs = [[] for _ in bags]
    with open(ids_path, encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            runs[int(parts[1])] = parts[3:]
    return runs, t_index, t_search, size


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=os.path.join(root, "..", "shared", "data", "cranfield"))
    ap.add_argument("--stele", default=os.path.join(root, "build", "tools", "stele"))
    ap.add_argument("--work", default=os.path.join(root, "scratch", "cranfield"))
    ap.add_argument("--via-bench", action="store_true",
                    help="index with bench_index and search with bench_search --ids"
                    " (build-bench/, meson -Dbench=true) instead of the stele CLI")
    ap.add_argument("--workspace", type=int, default=0, metavar="BYTES",
                    help="search every query whole (no word cap) with bench_search in a "
                    "workspace of BYTES (implies --via-bench); a query that needs more "
                    "counts as an error")
    ap.add_argument("--bench-dir", default=os.path.join(root, "build-bench", "bench"))
    ap.add_argument("--fts5", action="store_true", help="also rank with SQLite FTS5 bm25")
    ap.add_argument("--xapian", action="store_true",
                    help="also rank with Xapian BM25 (bench_refindex and bench_compare in"
                    " --bench-dir; needs libxapian-dev at build time)")
    ap.add_argument("--no-stele", action="store_true", help="skip stele")
    ap.add_argument("--per-query", action="store_true", help="print per-query figures")
    args = ap.parse_args()

    for name in ("cran.all.1400", "cran.qry", "cranqrel"):
        if not os.path.exists(os.path.join(args.data, name)):
            sys.stderr.write("cranfield.py: %s not found in %s (use --data)\n" % (name, args.data))
            return 2
    os.makedirs(args.work, exist_ok=True)
    docs, queries, qrels = load_docs(args.data), load_queries(args.data), load_qrels(args.data)
    docs_path = os.path.join(args.work, "docs.jsonl")
    with open(docs_path, "w", encoding="utf-8") as f:
        for d in docs:
            f.write(json.dumps(d) + "\n")
    bags, n_cut = [], 0
    for q in queries:
        words, cut = bag_of_words(q, 0 if args.workspace else MAX_QUERY_TERMS)
        bags.append(words)
        n_cut += cut
    print("Cranfield: %d documents, %d queries, %d judged relevant pairs (grades 1-4);"
          " %d queries cut to %d words" % (len(docs), len(queries),
                                           sum(len(v) for v in qrels.values()), n_cut,
                                           MAX_QUERY_TERMS), flush=True)
    systems = []
    if not args.no_stele:
        tools = {"stele": args.stele, "via_bench": args.via_bench or bool(args.workspace),
                 "workspace": args.workspace,
                 "bench_index": os.path.join(args.bench_dir, "bench_index"),
                 "bench_search": os.path.join(args.bench_dir, "bench_search")}
        needed = [tools["bench_index"], tools["bench_search"]] if args.via_bench else [args.stele]
        for path in needed:
            if not os.access(path, os.X_OK):
                sys.stderr.write("cranfield.py: no program at %s (build it, or see --help)\n"
                                 % path)
                return 2
        systems.append(("stele", run_stele(tools, args.work, docs_path, bags)))
    if args.fts5:
        systems.append(("fts5", run_fts5(args.work, docs, bags)))
    if args.xapian:
        systems.append(("xapian", run_xapian(args.work, docs_path, bags, args.bench_dir)))
    print("%-6s %7s %8s %7s %10s %10s %10s" % ("system", "MAP", "nDCG@10", "P@10", "index s",
                                                 "225 q s", "bytes"))
    for name, (runs, t_index, t_search, size) in systems:
        m, per = evaluate(runs, qrels)
        print("%-6s %7.4f %8.4f %7.4f %10.2f %10.2f %10d" % (name, m["MAP"], m["nDCG@10"],
                                                             m["P@10"], t_index, t_search, size))
        if args.per_query:
            for q, a, nd, p in per:
                print("  %s q%-3d AP %.4f nDCG@10 %.4f P@10 %.2f" % (name, q, a, nd, p))
    return 0


if __name__ == "__main__":
    sys.exit(main())
