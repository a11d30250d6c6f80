#!/usr/bin/env python3
"""Turns a bench/run.sh run into a Markdown report and gnuplot PNGs (stdlib only).

Usage: report.py RUN_DIR OUT_DIR

RUN_DIR is what run.sh wrote: meta.txt (machine, versions, date) and one
directory per corpus size (full/ for the main comparison, scale-*/ for the
scaling series, listed in scaling.txt as "label dir" lines), each with
  stats                 gen_queries.py's counts (docs, text_bytes, ...)
  queries.tsv           the queries
  build-ENGINE.time     /usr/bin/time -v of the engine's indexer
  size-ENGINE           the index's bytes
  compare.out           bench_compare's stdout
  samples.tsv, ids.tsv  its latency samples and round-0 top-k ids
  mem-ENGINE.time       /usr/bin/time -v of a one-engine query process
                        (full/ only)
OUT_DIR gets latest.md, latency.png and scaling.png (gnuplot must be
installed; the data files it plots are kept beside RUN_DIR's).

Latency statistics of a class are taken over the queries every engine
answered, so each row compares the same work; refused queries are counted
apart.  A query's time is its median over the timed rounds, so that a
preemption by another process in one round (on a shared machine, a 4 ms
time slice) is not taken for the query's cost; the class's median, p95 and
p99 are then over its queries (nearest rank).  Top-k agreement of two engines is,
per query both answered, |A & B| / max(|A|, |B|) (1 when both are empty),
averaged over the class.
"""

import math
import os
import re
import subprocess
import sys

ENGINES = ("stele", "fts5", "xapian", "lucene")
LABEL = {"stele": "stele", "fts5": "SQLite FTS5", "xapian": "Xapian", "lucene": "Lucene"}
# The engines issue 9's latency targets compare stele with: its median at
# most half of the faster of them, its p99 below all of theirs.
REFERENCE = ("xapian", "lucene")
# stele's sections that answer queries (the "index proper" of issue 10's
# size target), as size.py groups them.
INDEX_SECTIONS = ("dict-index", "dict", "postings", "positions")
CLASS_ORDER = ("term", "and2", "and3", "or2", "or5", "phrase2", "phrase3", "near", "prefix",
               "not")


def read_kv(path):
    out = {}
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            for line in f:
                parts = line.rstrip("\n").split(" ", 1)
                if len(parts) == 2:
                    out[parts[0]] = parts[1]
    return out


def read_time_v(path):
    """(wall seconds, peak RSS bytes) from /usr/bin/time -v, or None."""
    if not os.path.exists(path):
        return None
    text = open(path, encoding="utf-8", errors="replace").read()
    wall = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", text)
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
    if not wall or not rss:
        return None
    secs = float(wall.group(3)) + 60 * int(wall.group(2)) + 3600 * int(wall.group(1) or 0)
    return secs, int(rss.group(1)) * 1024


def pctl(sorted_vals, p):
    if not sorted_vals:
        return float("nan")
    i = max(0, math.ceil(p * len(sorted_vals)) - 1)
    return sorted_vals[i]


class Run:
    """One corpus size's results."""

    def __init__(self, d):
        self.dir = d
        self.stats = read_kv(os.path.join(d, "stats"))
        self.queries = []
        with open(os.path.join(d, "queries.tsv"), encoding="utf-8") as f:
            for line in f:
                if line.startswith("#") or not line.strip():
                    continue
                cls, op, param, words = line.rstrip("\n").split("\t")
                self.queries.append((cls, op, param, words))
        self.engines = []
        self.refused = {e: {} for e in ENGINES}
        self.cut = {}  # qi -> prefixes stele cut to their most frequent words
        self.probes = []
        self.throughput = []
        self.facts = {}
        # bench_compare's files, then LuceneBench's when run.sh --lucene ran it.
        outs = [("compare.out", "samples.tsv", "ids.tsv"),
                ("lucene.out", "lucene-samples.tsv", "lucene-ids.tsv")]
        self.lat = {e: {} for e in ENGINES}  # engine -> qi -> [wall us]
        self.cpu = {e: {} for e in ENGINES}  # engine -> qi -> [thread CPU us]
        self.ids = {e: {} for e in ENGINES}
        self.matches = {}
        for out_name, samples_name, ids_name in outs:
            if not os.path.exists(os.path.join(d, out_name)):
                continue
            self.read_out(os.path.join(d, out_name))
            self.read_samples(os.path.join(d, samples_name))
            self.read_ids(os.path.join(d, ids_name))
        self.build = {e: read_time_v(os.path.join(d, "build-%s.time" % e)) for e in ENGINES}
        self.mem = {e: read_time_v(os.path.join(d, "mem-%s.time" % e)) for e in ENGINES}
        self.sections = {}
        p = os.path.join(d, "build-stele.out")
        if os.path.exists(p):
            for line in open(p, encoding="utf-8"):
                parts = line.split()
                if len(parts) == 3 and parts[2] == "bytes" and parts[1].isdigit():
                    self.sections[parts[0]] = int(parts[1])
        self.oneshot = {}
        p = os.path.join(d, "oneshot.txt")
        if os.path.exists(p):
            for line in open(p, encoding="utf-8"):
                e, _qi, msec, kb = line.split()
                self.oneshot.setdefault(e, []).append((float(msec), int(kb)))
        self.size = {}
        for e in ENGINES:
            p = os.path.join(d, "size-" + e)
            if os.path.exists(p):
                self.size[e] = int(open(p).read().split()[0])

    def read_out(self, path):
        with open(path, encoding="utf-8") as f:
            for line in f:
                parts = line.split()
                if not parts:
                    continue
                if parts[0] == "engine":
                    self.engines.append(parts[1])
                elif parts[0] == "refused":
                    self.refused[parts[1]].setdefault(int(parts[2]), " ".join(parts[3:]))
                elif parts[0] == "cut":
                    self.cut[int(parts[2])] = int(parts[3])
                elif parts[0] == "probe":
                    self.probes.append((parts[1], float(parts[2])))
                elif parts[0] == "throughput":
                    self.throughput.append((parts[1], int(parts[2]), float(parts[5])))
                elif len(parts) == 2:
                    self.facts.setdefault(parts[0], parts[1])

    def read_samples(self, path):
        with open(path, encoding="utf-8") as f:
            for line in f:
                parts = line.split("\t")
                e, qi, us = parts[0], int(parts[1]), float(parts[3])
                self.lat[e].setdefault(qi, []).append(us)
                if len(parts) > 4:
                    self.cpu[e].setdefault(qi, []).append(float(parts[4]))

    def read_ids(self, path):
        with open(path, encoding="utf-8") as f:
            for line in f:
                parts = line.rstrip("\n").split("\t")
                e, qi, n = parts[0], int(parts[1]), int(parts[2])
                self.ids[e][qi] = parts[3:]
                if e == "stele":
                    self.matches[qi] = n

    def classes(self):
        seen = []
        for cls, _, _, _ in self.queries:
            if cls not in seen:
                seen.append(cls)
        return sorted(seen, key=lambda c: CLASS_ORDER.index(c) if c in CLASS_ORDER else 99)

    def qis(self, cls):
        return [i for i, q in enumerate(self.queries) if q[0] == cls]

    def common(self, qis):
        """The queries every engine of the run answered."""
        return [i for i in qis if all(i not in self.refused[e] for e in self.engines)]

    def lat_stats(self, engine, qis, cpu=False):
        """Median, p95 and p99 over the queries of each one's median time
        across the rounds (wall clock, or with cpu the thread's CPU time),
        and how many queries."""
        vals = []
        for i in qis:
            t = sorted((self.cpu if cpu else self.lat)[engine].get(i, []))
            if t:
                vals.append(t[(len(t) - 1) // 2])
        vals.sort()
        return pctl(vals, 0.5), pctl(vals, 0.95), pctl(vals, 0.99), len(vals)

    def agreement(self, a, b, qis):
        scores = []
        for i in qis:
            if i in self.ids[a] and i in self.ids[b]:
                x, y = set(self.ids[a][i]), set(self.ids[b][i])
                scores.append(1.0 if not x and not y else len(x & y) / max(len(x), len(y)))
        return sum(scores) / len(scores) if scores else float("nan")


def ms(us):
    return "–" if us != us else ("%.3f" % (us / 1000.0) if us < 10000 else "%.1f" % (us / 1000.0))


def mib(b):
    m = b / 1048576.0
    return ("%.2f MiB" if m < 10 else "%.1f MiB") % m


def fmt_int(n):
    return "{:,}".format(n)


def references(run):
    return [e for e in run.engines if e in REFERENCE]


def class_stats(run, cls):
    """Per engine (median, p95, p99, n) over the class's common queries."""
    common = run.common(run.qis(cls))
    return {e: run.lat_stats(e, common) for e in run.engines}


def class_table(run, out):
    eng = run.engines
    refs = references(run)
    ref_name = "/".join(LABEL[e] for e in refs)
    head = "| class | queries | stele prefix cut | stele matches (mean) |"
    rule = "|---|---:|---:|---:|"
    for e in eng:
        head += " %s median / p95 / p99 (ms) | refused |" % LABEL[e]
        rule += "---:|---:|"
    if "stele" in eng and refs:
        head += " stele median ÷ %s | stele p99 below %s |" % (
            ("faster of " if len(refs) > 1 else "") + ref_name, ref_name)
        rule += "---:|:---:|"
    out.append(head)
    out.append(rule)
    for cls in run.classes():
        qis = run.qis(cls)
        common = run.common(qis)
        m = [run.matches[i] for i in common if i in run.matches]
        row = "| %s | %d | %d | %s |" % (cls, len(qis), sum(1 for i in qis if i in run.cut),
                                          fmt_int(round(sum(m) / len(m))) if m else "–")
        stats = class_stats(run, cls)
        for e in eng:
            p50, p95, p99, _ = stats[e]
            row += " %s / %s / %s | %d |" % (ms(p50), ms(p95), ms(p99),
                                              sum(1 for i in qis if i in run.refused[e]))
        if "stele" in eng and refs:
            ratio, below = stele_vs_refs(stats, refs)
            row += " %s | %s |" % ("%.2f" % ratio if ratio == ratio else "–",
                                   "yes" if below else "no")
        out.append(row)


def stele_vs_refs(stats, refs):
    """stele's median over the fastest reference median, and whether its
    p99 is below every reference's."""
    best = min(stats[e][0] for e in refs)
    ratio = stats["stele"][0] / best if best > 0 else float("nan")
    return ratio, all(stats["stele"][2] < stats[e][2] for e in refs)


def targets(run, out):
    """Issue 9's and 10's targets, each with what this run measured."""
    refs = references(run)
    rows = []
    if "stele" in run.engines and refs:
        ratios, below, worst = [], [], []
        for cls in run.classes():
            ratio, b = stele_vs_refs(class_stats(run, cls), refs)
            ratios.append((cls, ratio))
            below.append((cls, b))
        met = [c for c, r in ratios if r <= 0.5]
        rows.append(("stele median at most half of the faster of %s, every class"
                     % "/".join(LABEL[e] for e in refs),
                     "%d of %d classes (worst: %s)" % (
                         len(met), len(ratios),
                         ", ".join("%s %.2f" % (c, r) for c, r in
                                   sorted(ratios, key=lambda x: -x[1])[:3]))))
        nb = [c for c, b in below if not b]
        rows.append(("stele p99 below theirs, every class",
                     "%d of %d classes%s" % (len(below) - len(nb), len(below),
                                             " (not: %s)" % ", ".join(nb) if nb else "")))
    if "stele" in run.engines:
        rows.append(("zero refused queries",
                     "%d refused by stele; %d with a prefix cut to its most frequent words"
                     % (len(run.refused["stele"]), len(run.cut))))
    text = int(run.stats.get("text_bytes", 0))
    b, f = run.build.get("stele"), run.build.get("fts5")
    if b and f:
        rows.append(("stele's build no longer than FTS5's",
                     "%.1f s against %.1f s" % (b[0], f[0])))
    if b:
        rows.append(("stele's build peak RSS at most 256 MiB", mib(b[1])))
    if text and "stele" in run.size:
        rows.append(("stele's whole file at most 55% of the text",
                     "%.1f%%" % (100.0 * run.size["stele"] / text)))
    if text and run.sections:
        proper = sum(run.sections.get(n, 0) for n in INDEX_SECTIONS)
        rows.append(("stele's index proper (%s) at most 25%% of the text"
                     % " + ".join(INDEX_SECTIONS), "%.1f%%" % (100.0 * proper / text)))
    if run.oneshot.get("stele"):
        t = sorted(x[0] for x in run.oneshot["stele"])
        rows.append(("one CLI search under 5 ms and 8 MiB RSS, warm",
                     "median %.1f ms, peak RSS up to %s" % (
                         pctl(t, 0.5), mib(1024 * max(x[1] for x in run.oneshot["stele"])))))
    if not rows:
        return
    out.append("| target | measured |")
    out.append("|---|---|")
    for t, m in rows:
        out.append("| %s | %s |" % (t, m))


def cpu_table(run, out):
    eng = [e for e in run.engines if run.cpu[e]]
    if not eng:
        return False
    out.append("| class | " + " | ".join("%s median / p99 (ms)" % LABEL[e] for e in eng) + " |")
    out.append("|---|" + "---:|" * len(eng))
    for cls in run.classes():
        common = run.common(run.qis(cls))
        cells = []
        for e in eng:
            p50, _, p99, _ = run.lat_stats(e, common, cpu=True)
            cells.append("%s / %s" % (ms(p50), ms(p99)))
        out.append("| %s | %s |" % (cls, " | ".join(cells)))
    return True


def agreement_table(run, out):
    pairs = [(a, b) for i, a in enumerate(run.engines) for b in run.engines[i + 1:]]
    if not pairs:
        return
    out.append("| class | " + " | ".join("%s – %s" % (LABEL[a], LABEL[b]) for a, b in pairs) +
               " |")
    out.append("|---|" + "---:|" * len(pairs))
    for cls in run.classes():
        qis = run.qis(cls)
        out.append("| %s | " % cls + " | ".join("%.2f" % run.agreement(a, b, qis)
                                                   for a, b in pairs) + " |")


def build_table(run, out):
    text = int(run.stats.get("text_bytes", 0))
    out.append("| engine | build (s) | build peak RSS | index bytes | % of text |"
               " query process peak RSS |")
    out.append("|---|---:|---:|---:|---:|---:|")
    for e in run.engines:
        b = run.build.get(e)
        size = run.size.get(e)
        mem = run.mem.get(e)
        out.append("| %s | %s | %s | %s | %s | %s |" % (
            LABEL[e], "%.1f" % b[0] if b else "–", mib(b[1]) if b else "–",
            fmt_int(size) if size else "–",
            "%.1f%%" % (100.0 * size / text) if size and text else "–",
            mib(mem[1]) if mem else "–"))


def throughput_table(run, out):
    if not run.throughput:
        return False
    by = {}
    for e, threads, qps in run.throughput:
        by.setdefault(e, {})[threads] = qps
    ns = sorted({t for _, t, _ in run.throughput})
    out.append("| engine | " + " | ".join("%d thread%s (q/s)" % (n, "" if n == 1 else "s")
                                          for n in ns) + " | speed-up |")
    out.append("|---|" + "---:|" * len(ns) + "---:|")
    for e in run.engines:
        q = by.get(e, {})
        speed = q[ns[-1]] / q[ns[0]] if len(ns) > 1 and q.get(ns[0]) else float("nan")
        out.append("| %s | " % LABEL[e] + " | ".join(fmt_int(round(q[n])) if n in q else "–"
                                                      for n in ns) +
                   " | %s |" % ("%.2fx" % speed if speed == speed else "–"))
    return True


def oneshot_table(run, out):
    if not run.oneshot:
        return False
    out.append("| program | runs | median (ms) | p95 (ms) | max (ms) | peak RSS, max |")
    out.append("|---|---:|---:|---:|---:|---:|")
    names = {"stele": "`stele search -i INDEX -n 10 QUERY`",
             "fts5": "`sqlite3 -readonly DB \"SELECT id, title ... LIMIT 10\"`"}
    for e in ENGINES:
        if e not in run.oneshot:
            continue
        t = sorted(x[0] for x in run.oneshot[e])
        out.append("| %s | %d | %.1f | %.1f | %.1f | %s |" % (
            names.get(e, e), len(t), pctl(t, 0.5), pctl(t, 0.95), t[-1],
            mib(1024 * max(x[1] for x in run.oneshot[e]))))
    return True


def scaling_rows(runs):
    rows = []
    for label, run in runs:
        common = run.common(range(len(run.queries)))
        row = {"label": label, "text": int(run.stats.get("text_bytes", 0)),
               "docs": int(run.stats.get("docs", 0))}
        for e in run.engines:
            b = run.build.get(e)
            row[e] = (b[0] if b else float("nan"), b[1] if b else float("nan"),
                      run.size.get(e, float("nan")), run.lat_stats(e, common)[0])
        rows.append(row)
    rows.sort(key=lambda r: r["text"])
    return rows


def scaling_table(rows, engines, out):
    out.append("| corpus | text | docs | engine | build (s) | build peak RSS | index bytes |"
               " % of text | median latency, all classes (ms) |")
    out.append("|---|---:|---:|---|---:|---:|---:|---:|---:|")
    for r in rows:
        for e in engines:
            if e not in r:
                continue
            secs, rss, size, med = r[e]
            out.append("| %s | %s | %s | %s | %.2f | %s | %s | %.1f%% | %s |" % (
                r["label"], mib(r["text"]), fmt_int(r["docs"]), LABEL[e], secs, mib(rss),
                fmt_int(int(size)), 100.0 * size / r["text"], ms(med)))


def gnuplot(script, cwd):
    try:
        subprocess.run(["gnuplot"], input=script, text=True, cwd=cwd, check=True)
        return True
    except (OSError, subprocess.CalledProcessError) as err:
        sys.stderr.write("report.py: gnuplot failed: %s\n" % err)
        return False


def plot_latency(run, data_dir, png):
    dat = os.path.abspath(os.path.join(data_dir, "latency.dat"))
    with open(dat, "w", encoding="utf-8") as f:
        f.write("# class " + " ".join("%s_p50 %s_p99" % (e, e) for e in run.engines) + "\n")
        for cls in run.classes():
            common = run.common(run.qis(cls))
            vals = []
            for e in run.engines:
                p50, _, p99, _ = run.lat_stats(e, common)
                vals += ["%.4f" % (p50 / 1000.0), "%.4f" % (p99 / 1000.0)]
            f.write(cls + " " + " ".join(vals) + "\n")
    n = len(run.engines)
    p50 = ", ".join("'%s' using %d:xtic(1) title '%s'" % (dat, 2 + 2 * i, LABEL[e])
                    for i, e in enumerate(run.engines))
    p99 = ", ".join("'%s' using %d:xtic(1) title '%s'" % (dat, 3 + 2 * i, LABEL[e])
                    for i, e in enumerate(run.engines))
    script = """set terminal pngcairo size 1100,800 font ',10'
set output '%s'
set multiplot layout 2,1 title "%s"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set logscale y
set grid ytics
set key top left
set ylabel 'median latency (ms, log)'
plot %s
set ylabel 'p99 latency (ms, log)'
plot %s
unset multiplot
""" % (png, "top-%s ranked, in process, %d engines" % (run.facts.get("k", "10"), n), p50, p99)
    return gnuplot(script, data_dir)


def plot_scaling(rows, engines, data_dir, png):
    dat = os.path.abspath(os.path.join(data_dir, "scaling.dat"))
    with open(dat, "w", encoding="utf-8") as f:
        f.write("# text_mib " + " ".join("%s_build %s_rss %s_size %s_p50" % (e, e, e, e)
                                       for e in engines) + "\n")
        for r in rows:
            vals = ["%.3f" % (r["text"] / 1048576.0)]
            for e in engines:
                secs, rss, size, med = r.get(e, (float("nan"),) * 4)
                vals += ["%.3f" % secs, "%.3f" % (rss / 1048576.0), "%.3f" % (size / 1048576.0),
                         "%.4f" % (med / 1000.0)]
            f.write(" ".join(vals) + "\n")
    panels = (("build time (s)", 0), ("build peak RSS (MiB)", 1), ("index size (MiB)", 2),
              ("median query latency (ms)", 3))
    script = ["set terminal pngcairo size 1100,800 font ',10'", "set output '%s'" % png,
              "set multiplot layout 2,2 title 'scaling with corpus size'",
              "set logscale xy", "set grid", "set key top left",
              "set xlabel 'corpus text (MiB, log)'"]
    for title, col in panels:
        script.append("set ylabel '%s'" % title)
        script.append("plot " + ", ".join(
            "'%s' using 1:%d with linespoints title '%s'" % (dat, 2 + 4 * i + col, LABEL[e])
            for i, e in enumerate(engines)))
    script.append("unset multiplot")
    return gnuplot("\n".join(script) + "\n", data_dir)


def main():
    if len(sys.argv) != 3:
        sys.stderr.write(__doc__)
        return 2
    run_dir, out_dir = sys.argv[1], sys.argv[2]
    os.makedirs(out_dir, exist_ok=True)
    meta = read_kv(os.path.join(run_dir, "meta.txt"))
    full = Run(os.path.join(run_dir, "full"))
    out = ["# stele against SQLite FTS5 and Xapian", ""]
    out.append("Made by `%s` on %s (commit %s)." % (meta.get("command", "bench/run.sh"),
                                                    meta.get("date", "?"),
                                                    meta.get("commit", "?")))
    out.append("")
    out.append("Machine: %s; %s cores, %s; %s; %s. %s, %s, %s. Load average at start: %s, at end:"
               " %s." % (meta.get("cpu", "?"), meta.get("cores", "?"), meta.get("memory", "?"),
                         meta.get("os", "?"), meta.get("kernel", "?"), meta.get("cc", "?"),
                         meta.get("sqlite", "?"), meta.get("xapian", "?"),
                         meta.get("load_start", "?"), meta.get("load_end", "?")))
    out.append("")
    probes = [v for _, v in full.probes]
    if probes:
        drift = 100.0 * (max(probes) - min(probes)) / min(probes)
        out.append("Machine-speed probe (2^24 dependent xorshift steps, best of 3): %.1f ms at the"
                   " start, %.1f ms at the end, %.1f–%.1f ms over the rounds (spread %.0f%%; a"
                   " large spread means other load moved the timings)."
                   % (probes[0], probes[-1], min(probes), max(probes), drift))
        out.append("")
    text = int(full.stats.get("text_bytes", 0))
    out.append("Corpus: %s documents, %s bytes of text (%s; title + body as UTF-8), from"
               " `bench/make-corpus.sh`. %d queries from `bench/gen_queries.py` (seed in the"
               " query file), top %s, %s timed rounds after a warm-up, engines alternating."
               % (fmt_int(int(full.stats.get("docs", 0))), fmt_int(text), mib(text),
                  len(full.queries), full.facts.get("k", "?"), full.facts.get("rounds", "?")))
    out.append("")
    out.append("## Latency per query class")
    out.append("")
    out.append("A query's time is its median over the rounds; median, p95 and p99 are over"
               " the class's queries that every engine answered (a refused query is counted"
               " in its engine's column and left out of every engine's timings).")
    out.append("")
    class_table(full, out)
    out.append("")
    out.append("![latency per class](latency.png)")
    out.append("")
    out.append("## Targets")
    out.append("")
    targets(full, out)
    out.append("")
    cpu = []
    if cpu_table(full, cpu):
        out.append("## CPU time per query")
        out.append("")
        out.append("The same queries and statistics with the thread's CPU time around each call"
                   " (CLOCK_THREAD_CPUTIME_ID; Lucene: ThreadMXBean) instead of the wall clock:"
                   " what a query cost, whatever else the machine was running.")
        out.append("")
        out += cpu
        out.append("")
    out.append("## Top-%s agreement between engines" % full.facts.get("k", "10"))
    out.append("")
    out.append("Mean of |A ∩ B| / max(|A|, |B|) per query (a sanity check that the engines"
               " answer the same question; stemmers and tokenizers differ a little).")
    out.append("")
    agreement_table(full, out)
    out.append("")
    out.append("## Build, size and memory")
    out.append("")
    out.append("Build: the whole indexer process under `/usr/bin/time -v` (stele: `stele index"
               " --format jsonl`; FTS5 and Xapian: `bench_refindex`, C++ with the same JSON"
               " reader). Query process: one engine alone answering every query once and the"
               " timed rounds (`bench_compare` with one engine), peak RSS including the index"
               " pages it maps.")
    out.append("")
    build_table(full, out)
    out.append("")
    one = []
    if oneshot_table(full, one):
        out.append("## One search per process")
        out.append("")
        out.append("A fresh process per query, as at a shell (`bench/oneshot.py`): 20 queries"
                   " spread over the classes, each run once to warm the page cache and then"
                   " three times; stele's CLI also prints snippets. Wall time around the"
                   " process; peak RSS from GNU time.")
        out.append("")
        out += one
        out.append("")
    tput = []
    if throughput_table(full, tput):
        out.append("## Throughput")
        out.append("")
        out.append("Queries per second over the whole mix (refused queries skipped), one"
                   " handle per thread on one open index, for %s s per row."
                   % meta.get("throughput_seconds", "?"))
        out.append("")
        out += tput
        out.append("")
    scale_list = os.path.join(run_dir, "scaling.txt")
    if os.path.exists(scale_list):
        runs = []
        with open(scale_list, encoding="utf-8") as f:
            for line in f:
                label, d = line.split()
                runs.append((label, Run(os.path.join(run_dir, d))))
        rows = scaling_rows(runs)
        out.append("## Scaling with corpus size")
        out.append("")
        out.append("Every step is a deterministic sample of the corpus's lines (every n-th"
                   " document) with its own queries (same generator and seed); the largest is"
                   " the full comparison above.")
        out.append("")
        scaling_table(rows, full.engines, out)
        out.append("")
        if plot_scaling(rows, full.engines, run_dir, os.path.abspath(
                os.path.join(out_dir, "scaling.png"))):
            out.append("![scaling](scaling.png)")
            out.append("")
    plot_latency(full, run_dir, os.path.abspath(os.path.join(out_dir, "latency.png")))
    with open(os.path.join(out_dir, "latest.md.tmp"), "w", encoding="utf-8") as f:
        f.write("\n".join(out))
    os.replace(os.path.join(out_dir, "latest.md.tmp"), os.path.join(out_dir, "latest.md"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
