#!/usr/bin/env python3
"""One search per process, as a user at a shell runs it (stdlib only).

Usage: oneshot.py STELE_CLI INDEX.stele FTS5.db QUERIES.tsv OUT [N]

Takes N queries (default 20) spread evenly over QUERIES.tsv (the neutral
form of gen_queries.py), runs each once untimed to warm the page cache and
then three times timed, as `stele search -i INDEX -n 10 QUERY` (which opens
the index, searches and prints ten hits with snippets) and as the sqlite3
shell's `SELECT id, title FROM t WHERE t MATCH ... ORDER BY bm25(t, 0, 2,
1) LIMIT 10` on the FTS5 database (skipped without a sqlite3 program).
OUT gets "engine qi milliseconds peak_rss_kb" lines: wall time around the
process (started through /usr/bin/time, which adds well under a
millisecond), peak RSS as GNU time reports it.  Output goes to /dev/null.
"""

import os
import shutil
import subprocess
import sys
import time


def stele_query(op, param, words):
    if op == "or":
        return " OR ".join(words)
    if op == "phrase":
        return '"%s"' % " ".join(words)
    if op == "near":
        return "NEAR(%s, %s)" % (" ".join(words), param)
    if op == "prefix":
        return words[0] + "*"
    if op == "not":
        return "%s -%s" % (words[0], words[1])
    return " ".join(words)


def fts5_query(op, param, words):
    if op == "not":
        return "%s NOT %s" % (words[0], words[1])
    return stele_query(op, param, words)


def timed(cmd, rss_file):
    """(milliseconds, peak RSS in KiB) of one run of cmd.  The RSS is GNU
    time's report on cmd: a child forked from this interpreter would carry
    the interpreter's high-water mark across exec."""
    with open(os.devnull, "wb") as null:
        t0 = time.perf_counter()
        subprocess.run(["/usr/bin/time", "-f", "%M", "-o", rss_file] + cmd, stdout=null,
                       stderr=null)
        t1 = time.perf_counter()
    with open(rss_file) as f:
        kb = int(f.read().split()[-1])
    return (t1 - t0) * 1000.0, kb


def main():
    if len(sys.argv) not in (6, 7):
        sys.stderr.write(__doc__)
        return 2
    stele, index, db, qpath, out = sys.argv[1:6]
    n = int(sys.argv[6]) if len(sys.argv) == 7 else 20
    rows = []
    with open(qpath, encoding="utf-8") as f:
        for line in f:
            if not line.startswith("#") and line.strip():
                rows.append(line.rstrip("\n").split("\t"))
    picks = sorted({i * len(rows) // n for i in range(min(n, len(rows)))})
    sqlite3 = shutil.which("sqlite3")
    with open(out + ".tmp", "w", encoding="utf-8") as f:
        for qi in picks:
            _, op, param, words = rows[qi]
            words = words.split()
            cmds = [("stele", [stele, "search", "-i", index, "-n", "10",
                               stele_query(op, param, words)])]
            if sqlite3:
                sql = ("SELECT id, title FROM t WHERE t MATCH '%s' ORDER BY bm25(t, 0, 2, 1)"
                       " LIMIT 10" % fts5_query(op, param, words).replace("'", "''"))
                cmds.append(("fts5", [sqlite3, "-readonly", db, sql]))
            for engine, cmd in cmds:
                timed(cmd, out + ".rss")
                for _ in range(3):
                    ms, kb = timed(cmd, out + ".rss")
                    f.write("%s %d %.3f %d\n" % (engine, qi, ms, kb))
    os.remove(out + ".rss")
    os.replace(out + ".tmp", out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
