#!/usr/bin/env python3
"""Index size and build cost of stele next to SQLite FTS5 (Python stdlib only).

Usage:
  bench/size.py [--stele PATH] [--sections PATH] [--corpus-dir DIR]
                [--big JSONL] [--work DIR] [--skip-fts5] [--only small|big]

For each corpus, (a) the bundled corpus/ (format resolutions, every
corpus/*.txt) and (b) the large corpus from make-corpus.sh
(scratch/bench/corpus.jsonl, format jsonl), it reports:

  raw text      the text a search engine has to index: the input files'
                bytes for (a); for (b) the UTF-8 bytes of title + "\\n" +
                body of every JSON Lines record (JSON quoting and escapes
                excluded).  gzip -6 of that text is shown as a yardstick.
  stele         bench_index (stele_build, from a build-bench/ configured
                with -Dbench=true) or else `stele index`, under
                /usr/bin/time -v: build seconds, peak RSS, file size, and the
                file's sections grouped into the index proper (dict-index,
                dict, postings, positions), stored text (text-index, text,
                text-dict) and the rest (document and paragraph tables,
                strings, field names); index and stored text are also given
                as a ratio of the raw text (targets: index <= 25%, stored
                text <= 30%).
  FTS5          the same documents in SQLite FTS5 (tokenize='porter
                unicode61', detail=full, so positions are kept as stele
                keeps them), once with content (stores the text: compare
                with stele's whole file) and once contentless (content='':
                compare with stele's index part).  Size is the .db file after
                VACUUM; build time and peak RSS include the VACUUM.

For (a), FTS5 gets one row per input file (title = file name, body = the
file's text), since only stele's ingester splits the files into
resolutions; the indexed text is the same.
"""

import argparse
import glob
import json
import os
import re
import sqlite3
import subprocess
import sys
import zlib


def parse_time_v(text):
    """(wall seconds, peak RSS bytes) from the report of /usr/bin/time -v."""
    wall = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", text)
    secs = float(wall.group(3)) + 60 * int(wall.group(2)) + 3600 * int(wall.group(1) or 0)
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text).group(1))
    return secs, rss * 1024


def time_v(cmd):
    """Runs cmd under /usr/bin/time -v; returns (seconds, peak RSS bytes)."""
    r = subprocess.run(["/usr/bin/time", "-v"] + cmd, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        sys.stderr.write(r.stderr[-4000:])
        raise SystemExit("size.py: failed: %s" % " ".join(cmd))
    return parse_time_v(r.stderr)


def docs_of(kind, inputs):
    """Yields (title, body) pairs of a corpus."""
    if kind == "jsonl":
        for path in inputs:
            with open(path, encoding="utf-8") as f:
                for line in f:
                    if line.strip():
                        d = json.loads(line)
                        yield str(d.get("title", "")), str(d.get("body", ""))
    else:
        for path in inputs:
            with open(path, encoding="utf-8", errors="replace") as f:
                yield os.path.basename(path), f.read()


def raw_text(kind, inputs):
    """Raw text bytes and their gzip -6 size."""
    comp = zlib.compressobj(6, zlib.DEFLATED, 31)
    n, nz = 0, 0
    if kind == "jsonl":
        for title, body in docs_of(kind, inputs):
            b = (title + "\n" + body + "\n").encode()
            n += len(b)
            nz += len(comp.compress(b))
    else:
        for path in inputs:
            with open(path, "rb") as f:
                b = f.read()
            n += len(b)
            nz += len(comp.compress(b))
    nz += len(comp.flush())
    return n, nz


def fts5_build(db_path, kind, contentless, inputs):
    """Child process: builds the FTS5 table and vacuums it."""
    if os.path.exists(db_path):
        os.remove(db_path)
    db = sqlite3.connect(db_path)
    db.execute("PRAGMA journal_mode=OFF")
    db.execute("PRAGMA synchronous=OFF")
    extra = ", content=''" if contentless else ""
    db.execute("CREATE VIRTUAL TABLE t USING fts5(title, body,"
               " tokenize='porter unicode61'%s)" % extra)
    batch = []
    for title, body in docs_of(kind, inputs):
        batch.append((title, body))
        if len(batch) == 1000:
            db.executemany("INSERT INTO t(title, body) VALUES (?, ?)", batch)
            batch = []
    db.executemany("INSERT INTO t(title, body) VALUES (?, ?)", batch)
    db.execute("INSERT INTO t(t) VALUES ('optimize')")
    db.commit()
    db.execute("VACUUM")
    db.close()


# Sections by what they hold.  The index proper is what answers queries:
# the dictionary and its sparse index, postings and positions.  Stored text
# is the compressed text blocks, their index and the preset dictionary.  The
# rest (document table, paragraph table, strings, field names) is shown
# apart, so the two ratios measure what their targets are about.
INDEX_SECTIONS = {"dict-index", "dict", "postings", "positions"}
STORED_SECTIONS = {"text-index", "text", "text-dict"}


def stele_build(args, fmt, inputs, out):
    """Builds with bench_index when it is there (it reports the sections),
    else with the stele CLI.  Returns (seconds, peak RSS, {key: value},
    [(section, bytes)])."""
    if os.access(args.bench_index, os.X_OK):
        cmd = [args.bench_index, "--format", fmt] + inputs + ["-o", out]
        r = subprocess.run(["/usr/bin/time", "-v"] + cmd, capture_output=True, text=True)
        if r.returncode != 0:
            sys.stderr.write(r.stderr[-4000:])
            raise SystemExit("size.py: failed: %s" % " ".join(cmd))
        secs, rss = parse_time_v(r.stderr)
        stats, sections = {}, []
        for line in r.stdout.splitlines():
            parts = line.split()
            if len(parts) == 3 and parts[0] == "section":
                sections.append((parts[1], int(parts[2])))
            elif len(parts) == 2:
                stats[parts[0]] = parts[1]
        return secs, rss, stats, sections, "bench_index"
    if os.access(args.stele, os.X_OK):
        secs, rss = time_v([args.stele, "index", "--format", fmt] + inputs + ["-o", out])
        return secs, rss, {}, stele_sections(args.sections, out), "stele index"
    return None


def stele_sections(sections_tool, index_path):
    """[(name, bytes)] from `bench_search --sections INDEX`."""
    if not sections_tool or not os.access(sections_tool, os.X_OK):
        return []
    r = subprocess.run([sections_tool, "--sections", index_path], capture_output=True,
                       text=True)
    if r.returncode != 0:
        sys.stderr.write(r.stderr)
        return []
    out = []
    for line in r.stdout.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1].isdigit() and parts[0] != "total":
            out.append((parts[0], int(parts[1])))
    return out


def group_sections(sections):
    groups = {"index": 0, "stored": 0, "other": 0}
    names = {"index": [], "stored": [], "other": []}
    for name, size in sections:
        group = ("index" if name in INDEX_SECTIONS else
                 "stored" if name in STORED_SECTIONS else "other")
        groups[group] += size
        names[group].append(name)
    return groups, names


def mib(n):
    return "%.2f MiB" % (n / 1048576.0)


def pct(n, raw):
    return "%.1f%%" % (100.0 * n / raw) if raw else "-"


def measure(label, kind, inputs, args):
    print("== %s: %s, %d input file(s)" % (label, kind, len(inputs)))
    raw, gz = raw_text(kind, inputs)
    print("raw text            %12d bytes  %s   (gzip -6: %d bytes, %s)"
          % (raw, mib(raw), gz, pct(gz, raw)))
    work = args.work
    os.makedirs(work, exist_ok=True)
    out = os.path.join(work, label + ".stele")
    fmt = "resolutions" if kind == "resolutions" else "jsonl"
    built = None if args.skip_stele else stele_build(args, fmt, inputs, out)
    if built:
        secs, rss, stats, sections, how = built
        size = os.path.getsize(out)
        print("stele file          %12d bytes  %s   %s of raw; build %.2f s, peak RSS %s (%s)"
              % (size, mib(size), pct(size, raw), secs, mib(rss), how))
        if stats:
            print("  docs %s, terms %s, postings %s, tokens %s, stored text %s bytes before"
                  " compression in %s blocks" % (stats.get("n_docs"), stats.get("n_terms"),
                                                 stats.get("n_postings"), stats.get("n_tokens"),
                                                 stats.get("text_bytes"),
                                                 stats.get("n_text_blocks")))
        if sections:
            groups, names = group_sections(sections)
            for name, sz in sections:
                print("  section %-12s %12d bytes  %6s of raw" % (name, sz, pct(sz, raw)))
            print("stele index part    %12d bytes  %s   %s of raw (target <= 25%%)  [%s]"
                  % (groups["index"], mib(groups["index"]), pct(groups["index"], raw),
                     " ".join(names["index"])))
            print("stele stored text   %12d bytes  %s   %s of raw (target <= 30%%)  [%s]"
                  % (groups["stored"], mib(groups["stored"]), pct(groups["stored"], raw),
                     " ".join(names["stored"])))
            print("stele other         %12d bytes  %s   %s of raw  [%s]"
                  % (groups["other"], mib(groups["other"]), pct(groups["other"], raw),
                     " ".join(names["other"])))
    elif not args.skip_stele:
        print("stele: neither %s nor %s is built; skipped" % (args.bench_index, args.stele))
    if not args.skip_fts5:
        for contentless in (False, True):
            name = "fts5 contentless " if contentless else "fts5 with content "
            db = os.path.join(work, label + (".fts5-contentless.db" if contentless
                                             else ".fts5.db"))
            cmd = [sys.executable, os.path.abspath(__file__), "--fts5-child", db, kind,
                   "1" if contentless else "0"] + inputs
            secs, rss = time_v(cmd)
            size = os.path.getsize(db)
            print("%s  %12d bytes  %s   %s of raw; build %.2f s, peak RSS %s"
                  % (name, size, mib(size), pct(size, raw), secs, mib(rss)))
    if args.xapian:
        jsonl = inputs[0] if kind == "jsonl" and len(inputs) == 1 else None
        if not jsonl:
            # bench_refindex reads JSON Lines: one record per input file, as
            # FTS5 gets them.
            jsonl = os.path.join(work, label + ".xapian-input.jsonl")
            with open(jsonl, "w", encoding="utf-8") as f:
                for title, body in docs_of(kind, inputs):
                    f.write(json.dumps({"id": title, "title": title, "body": body}) + "\n")
        for store in (True, False):
            name = "xapian with data   " if store else "xapian no data     "
            db = os.path.join(work, label + (".xapian" if store else ".xapian-nodata"))
            cmd = [args.refindex, "xapian" if store else "xapian-nodata", jsonl, db]
            secs, rss = time_v(cmd)
            size = sum(os.path.getsize(os.path.join(d, f))
                       for d, _, fs in os.walk(db) for f in fs)
            print("%s  %12d bytes  %s   %s of raw; build %.2f s, peak RSS %s"
                  % (name, size, mib(size), pct(size, raw), secs, mib(rss)))
    print()


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--fts5-child":
        db, kind, contentless = sys.argv[2], sys.argv[3], sys.argv[4] == "1"
        fts5_build(db, kind, contentless, sys.argv[5:])
        return 0
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--stele", default=os.path.join(root, "build", "tools", "stele"))
    ap.add_argument("--bench-index", default=os.path.join(root, "build-bench", "bench",
                                                          "bench_index"),
                    help="bench_index binary (preferred over the CLI: it reports sections)")
    ap.add_argument("--sections", default=os.path.join(root, "build-bench", "bench",
                                                       "bench_search"),
                    help="bench_search binary (lists an index's sections after a CLI build)")
    ap.add_argument("--corpus-dir", default=os.path.join(root, "corpus"))
    ap.add_argument("--big", default=os.path.join(root, "scratch", "bench", "corpus.jsonl"))
    ap.add_argument("--work", default=os.path.join(root, "scratch", "bench", "size"))
    ap.add_argument("--skip-fts5", action="store_true")
    ap.add_argument("--skip-stele", action="store_true")
    ap.add_argument("--xapian", action="store_true",
                    help="also Xapian (bench_refindex, built with -Dbench=true)")
    ap.add_argument("--refindex", default=os.path.join(root, "build-bench", "bench",
                                                       "bench_refindex"),
                    help="bench_refindex binary (builds the Xapian databases)")
    ap.add_argument("--only", choices=("small", "big"))
    args = ap.parse_args()

    if args.only != "big":
        files = sorted(glob.glob(os.path.join(args.corpus_dir, "*.txt")))
        if files:
            measure("bundled", "resolutions", files, args)
        else:
            print("== bundled: no %s/*.txt; skipped\n" % args.corpus_dir)
    if args.only != "small":
        if os.path.exists(args.big):
            measure("big", "jsonl", [args.big], args)
        else:
            print("== big: %s missing; run bench/make-corpus.sh\n" % args.big)
    return 0


if __name__ == "__main__":
    sys.exit(main())
