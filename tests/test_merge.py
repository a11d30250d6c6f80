#!/usr/bin/env python3
"""Tests of `stele merge` (meson suite 'merge'):

    test_merge.py --stele PATH --source-root DIR CASE

Shards are built from real inputs (the bundled corpus, the CLI test texts
and JSON Lines written here), merged, and compared with one build of all
the inputs in the same order: the files must be byte-identical, and the
searches must give the same ids and scores.  The shard workflow of the
README runs here for real: shards built by concurrent processes, then
merged.
"""

import json
import os
import subprocess
import sys

import clicase

QUERIES = ["treatment", "prison OR women", '"narcotic drugs"', "bread", "title:garden",
           "summary:tides", "drug*", "NEAR(treatment prison, 5)", "55/12", "alpha -beta"]


def expect(cond, msg):
    if not cond:
        raise AssertionError(msg)


class Ctx:
    def __init__(self, args, tmp):
        self.stele = os.path.abspath(args.stele)
        self.root = os.path.abspath(args.source_root)
        self.tmp = tmp
        self.corpus = os.path.join(self.root, "corpus")
        self.cli = os.path.join(self.root, "tests", "data", "cli")

    def path(self, *parts):
        return os.path.join(self.tmp, *parts)

    def run(self, *args, check=None):
        p = subprocess.run([self.stele, *args], capture_output=True, text=True, cwd=self.tmp,
                           timeout=120)
        if check is not None and p.returncode != check:
            raise AssertionError(f"stele {' '.join(args)}: exit {p.returncode}, want {check}\n"
                                 f"stdout:\n{p.stdout}\nstderr:\n{p.stderr}")
        return p.returncode, p.stdout, p.stderr

    def results(self, index):
        """(id, score) of every hit of every query, the whole answer."""
        out = []
        for q in QUERIES:
            # A field the index lacks is an error (exit 2): part of the answer.
            st, text, _ = self.run("search", "-i", index, "--json", "-n", "100", q)
            out.append((st, [(h["id"], h["score"], h["para"]) for h in
                             (json.loads(line) for line in text.splitlines() if line.strip())]))
        return out

    def same(self, merged, whole, what):
        expect(open(merged, "rb").read() == open(whole, "rb").read(),
               f"{what}: merged index differs from the single build")
        r = self.results(merged)
        expect(r == self.results(whole), f"{what}: results differ")
        expect(any(hits for _, hits in r), f"{what}: no query found anything")
        _, a, _ = self.run("stats", "--json", merged, check=0)
        _, b, _ = self.run("stats", "--json", whole, check=0)
        sa, sb = json.loads(a), json.loads(b)
        sa.pop("file"), sb.pop("file")
        expect(sa == sb, f"{what}: statistics differ: {sa} {sb}")


def corpus_files(c):
    return sorted(os.path.join(c.corpus, n) for n in os.listdir(c.corpus) if n.endswith(".txt"))


def case_same_as_one_build(c):
    # Resolutions: the report (with its own 55/2 and 55/12) in one shard, the
    # standalone resolutions but those two in another.
    files = corpus_files(c)
    report = [f for f in files if "report" in f]
    rest = [f for f in files if "report" not in f and "55-2" not in f and "55-12" not in f]
    a, b, whole, merged = (c.path(n) for n in ("a.stele", "b.stele", "w.stele", "m.stele"))
    c.run("index", "-q", "--format", "resolutions", *rest, "-o", a, check=0)
    c.run("index", "-q", "--format", "resolutions", *report, "-o", b, check=0)
    c.run("index", "-q", "--format", "resolutions", *rest, *report, "-o", whole, check=0)
    st, out, _ = c.run("merge", a, b, "-o", merged, check=0)
    expect(f"{a}: " in out and f"{b}: " in out, f"summary per shard: {out!r}")
    c.same(merged, whole, "resolutions")
    # Text and JSON Lines with a field only the second shard has, in three shards.
    j = os.path.join(c.tmp, "extra.jsonl")
    with open(j, "w") as f:
        f.write('{"id": "e1", "title": "Alpha", "body": "alpha beta", "summary": "tides"}\n'
                '{"id": "e2", "title": "Gamma", "body": "alpha only", "place": "harbour"}\n')
    shards = [os.path.join(c.cli, "text"), os.path.join(c.cli, "docs.jsonl"), j]
    names = []
    for i, s in enumerate(shards):
        names.append(c.path(f"s{i}.stele"))
        c.run("index", "-q", s, "-o", names[-1], check=0)
    c.run("index", "-q", *shards, "-o", whole, check=0)
    c.run("merge", "-q", *names, "-o", merged, check=0)
    c.same(merged, whole, "text and jsonl")
    # A merge of one shard is a rebuild of it.
    c.run("merge", "-q", names[0], "-o", merged, check=0)
    expect(open(merged, "rb").read() == open(names[0], "rb").read(), "merge of one shard")


def case_parallel_shards(c):
    """The README's workflow: shards built at the same time by separate
    processes (as make -j or a job array would), then merged."""
    files = [f for f in corpus_files(c) if "55-2" not in f and "55-12" not in f]
    groups = [files[i::3] for i in range(3)]
    expect(all(groups), f"three non-empty shards from {files}")
    procs, shards = [], []
    for i, g in enumerate(groups):
        shards.append(c.path(f"shard{i}.stele"))
        procs.append(subprocess.Popen([c.stele, "index", "-q", "--format", "resolutions", *g,
                                       "-o", shards[-1]], cwd=c.tmp))
    for p in procs:
        expect(p.wait(timeout=120) == 0, "a shard build failed")
    merged, whole = c.path("all.stele"), c.path("whole.stele")
    c.run("merge", "-q", *shards, "-o", merged, check=0)
    c.run("index", "-q", "--format", "resolutions", *[f for g in groups for f in g],
          "-o", whole, check=0)
    c.same(merged, whole, "parallel shards")
    c.run("verify", merged, check=0)


def case_errors(c):
    a, b = c.path("a.stele"), c.path("b.stele")
    c.run("index", "-q", os.path.join(c.cli, "text"), "-o", a, check=0)
    c.run("index", "-q", os.path.join(c.cli, "text", "orchard.txt"), "-o", b, check=0)
    out = c.path("out.stele")
    c.run("index", "-q", os.path.join(c.cli, "docs.jsonl"), "-o", out, check=0)
    before = open(out, "rb").read()

    def fails(args, *needles):
        st, _, err = c.run("merge", *args, "-o", out)
        expect(st == 2, f"merge {args}: exit {st}\n{err}")
        for n in needles:
            expect(n in err, f"merge {args}: message lacks {n!r}: {err!r}")
        expect(open(out, "rb").read() == before, f"merge {args}: the old index changed")
        left = [n for n in os.listdir(c.tmp) if ".tmp." in n]
        expect(not left, f"temporary files left: {left}")
    # An id in two shards: named, with both shards.
    fails([a, b], 'duplicate id "orchard"', "a.stele", "b.stele")
    # Shards no single build could have made.
    nostem = c.path("n.stele")
    c.run("index", "-q", "--lang", "none", os.path.join(c.cli, "docs.jsonl"), "-o", nostem,
          check=0)
    fails([a, nostem], "language")
    # Damaged, missing or foreign files.
    bad = c.path("bad.stele")
    data = bytearray(open(a, "rb").read())
    data[len(data) // 2] ^= 0x55
    open(bad, "wb").write(bytes(data))
    fails([bad], "bad.stele")
    fails([c.path("none.stele")], "none.stele")
    fails([os.path.join(c.cli, "docs.jsonl")], "docs.jsonl")
    fails([a, c.path(".", "a.stele")], "given twice")
    # The output may not be a shard.
    st, _, err = c.run("merge", a, b, "-o", a)
    expect(st == 2 and "also an input" in err, f"output = shard: {st} {err!r}")
    # An explicit choice keeps one copy.
    st, o, err = c.run("merge", "--on-duplicate", "keep-first", a, b, "-o", out, check=0)
    expect("dropped" in err, f"keep-first: no warning {err!r}")
    _, s, _ = c.run("stats", "--json", out, check=0)
    expect(json.loads(s)["documents"] == 3, f"documents {s}")



if __name__ == "__main__":
    sys.exit(clicase.main(globals(), Ctx, "stele-merge-"))
