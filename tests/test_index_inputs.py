#!/usr/bin/env python3
"""Tests of what `stele index` reads and that no document is lost silently
(meson suite 'index-inputs'):

    test_index_inputs.py --stele PATH --source-root DIR CASE

Each case_<name> runs in a fresh temporary directory and builds real
indexes from files it writes there, then checks them through `stele
search --json` and `stele stats --json`, so every claim is checked on the
index that was written.  A failed build must leave an existing index
byte-identical and no temporary file behind.
"""

import json
import os
import re
import subprocess
import sys

import clicase

SKIP = 77


class Ctx:
    def __init__(self, args, tmp):
        self.stele = os.path.abspath(args.stele)
        self.root = os.path.abspath(args.source_root)
        self.tmp = tmp

    def path(self, *parts):
        return os.path.join(self.tmp, *parts)

    def write(self, rel, text, mode="w"):
        p = self.path(rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, mode) as f:
            f.write(text)
        return p

    def run(self, *args, stdin=None, check=None):
        p = subprocess.run([self.stele, *args], input=stdin, capture_output=True, text=True,
                           cwd=self.tmp, timeout=120)
        if check is not None and p.returncode != check:
            raise AssertionError(f"stele {' '.join(args)}: exit {p.returncode}, want {check}\n"
                                 f"stdout:\n{p.stdout}\nstderr:\n{p.stderr}")
        return p.returncode, p.stdout, p.stderr

    def ids(self, index, query):
        """Ids of every hit of query, in rank order."""
        st, out, _ = self.run("search", "-i", index, "--json", "-n", "1000", query)
        expect(st in (0, 1), f"search {query!r}: exit {st}")
        return [json.loads(line)["id"] for line in out.splitlines() if line.strip()]

    def hits(self, index, query):
        st, out, _ = self.run("search", "-i", index, "--json", "-n", "1000", query)
        return [json.loads(line) for line in out.splitlines() if line.strip()]

    def n_docs(self, index):
        _, out, _ = self.run("stats", "--json", index, check=0)
        return json.loads(out)["documents"]

    def failed_build(self, args, *needles):
        """Runs an index build that must fail over an existing index: exit 2,
        one message naming each needle, the old index untouched, no
        temporary file."""
        idx = self.path("keep.stele")
        if not os.path.exists(idx):
            self.write("keep/k.txt", "Kept index\n\nSomething already indexed.\n")
            self.run("index", "-q", self.path("keep"), "-o", idx, check=0)
        before = open(idx, "rb").read()
        st, out, err = self.run("index", *args, "-o", idx)
        expect(st == 2, f"index {args}: exit {st}, want 2\n{out}{err}")
        for n in needles:
            expect(n in err, f"index {args}: message lacks {n!r}: {err!r}")
        expect(err.startswith("stele: "), f"message does not start with 'stele: ': {err!r}")
        expect(open(idx, "rb").read() == before, f"index {args}: the old index changed")
        leftovers = [n for n in os.listdir(self.tmp) if ".tmp." in n]
        expect(not leftovers, f"temporary files left: {leftovers}")
        return err


def expect(cond, msg):
    if not cond:
        raise AssertionError(msg)


# --- no silent loss --------------------------------------------------------

def case_colliding_names(c):
    """Files with one base name in different directories keep distinct ids;
    the same id given twice is an error naming both files."""
    c.write("docs/a/notes.txt", "Apple notes\n\nThe orchard in spring.\n")
    c.write("docs/b/notes.txt", "Birch notes\n\nThe forest in autumn.\n")
    c.write("docs/b/deep/notes.md", "Deep notes\n\nA cellar under the forest.\n")
    idx = c.path("n.stele")
    st, out, _ = c.run("index", c.path("docs"), "-o", idx, check=0)
    expect(c.n_docs(idx) == 3, f"3 files, {c.n_docs(idx)} documents")
    expect(sorted(c.ids(idx, "notes")) == ["a/notes", "b/deep/notes", "b/notes"],
           f"ids {c.ids(idx, 'notes')}")
    expect(re.search(r"docs: 3 documents from 3 files", out), f"summary: {out!r}")
    # Licence-style names: only .txt and .md are dropped, so 1.2 and 1.3 differ.
    c.write("lic/GFDL-1.2", "GNU Free Documentation License 1.2\n\nVersion one point two.\n")
    c.write("lic/GFDL-1.3", "GNU Free Documentation License 1.3\n\nVersion one point three.\n")
    c.run("index", "--format", "text", c.path("lic", "GFDL-1.2"), c.path("lic", "GFDL-1.3"),
          "-o", idx, check=0)
    expect(sorted(c.ids(idx, "version")) == ["GFDL-1.2", "GFDL-1.3"], "GFDL ids")
    # The same base name given as two files: both places named, nothing written.
    a, b = c.path("docs/a/notes.txt"), c.path("docs/b/notes.txt")
    c.failed_build([a, b], 'duplicate id "notes"', a + ":1", b + ":1", "--on-duplicate")
    # An explicit choice keeps one copy and says which was dropped.
    for policy, title in (("keep-first", "Apple notes"), ("keep-last", "Birch notes")):
        st, out, err = c.run("index", "--on-duplicate", policy, a, b, "-o", idx, check=0)
        hits = c.hits(idx, "notes")
        expect([h["title"] for h in hits] == [title], f"{policy}: {hits}")
        expect("warning: duplicate id \"notes\"" in err and "dropped" in err,
               f"{policy}: no warning: {err!r}")
        expect("1 duplicate copy merged or dropped" in out, f"{policy}: summary {out!r}")
    st, _, err = c.run("index", "--on-duplicate", "newest", a, "-o", idx)
    expect(st == 2 and "keep-first" in err, f"bad --on-duplicate: {st} {err!r}")


def case_jsonl_duplicates(c):
    a = c.write("a.jsonl", '{"id": "x", "title": "First x"}\n{"id": "y", "title": "Y"}\n')
    b = c.write("b.jsonl", '{"id": "z", "title": "Z"}\n\n{"id": "x", "title": "Second x"}\n')
    c.failed_build([a, b], 'duplicate id "x"', "a.jsonl:1", "b.jsonl:3")
    one = c.write("one.jsonl", '{"id": "r", "title": "R1"}\n{"id": "r", "title": "R2"}\n')
    c.failed_build([one], 'duplicate id "r"', "one.jsonl:1", "one.jsonl:2")
    # A missing id becomes the line number, which may collide with a given one.
    mix = c.write("mix.jsonl", '{"id": "2", "title": "Two"}\n{"title": "No id"}\n')
    c.failed_build([mix], 'duplicate id "2"', "mix.jsonl:1", "mix.jsonl:2")
    idx = c.path("j.stele")
    c.run("index", "--on-duplicate=keep-last", a, b, "-o", idx, check=0)
    expect(c.n_docs(idx) == 3, f"{c.n_docs(idx)} documents")
    expect([h["title"] for h in c.hits(idx, "title:x")] == ["Second x"], "keep-last")


def case_summary_per_input(c):
    d = c.path("d")
    c.write("d/one.txt", "One\n\nFirst text.\n")
    c.write("d/two.md", "Two\n\nSecond text.\n")
    c.write("d/skip.pdf", "%PDF not text")
    c.write("d/.hidden.txt", "Hidden\n\nNot read.\n")
    j = c.write("r.jsonl", '{"id": "j1"}\n{"id": "j2"}\n{"id": "j3"}\n')
    e = c.write("empty.jsonl", "\n")
    st, out, _ = c.run("index", d, j, e, "-o", c.path("s.stele"), check=0)
    expect(re.search(r"^  .*/d: 2 documents from 2 files, 1 other file skipped$", out, re.M),
           f"directory line: {out!r}")
    expect(re.search(r"^  .*r\.jsonl: 3 documents$", out, re.M), f"jsonl line: {out!r}")
    expect(re.search(r"^  .*empty\.jsonl: 0 documents$", out, re.M), f"empty input: {out!r}")
    expect(out.startswith(c.path("s.stele") + ": 5 documents"), f"total: {out!r}")


def case_resolutions(c):
    # A resolutions-format file without any resolution is indexed, with a warning.
    p = c.write("memo.txt", "A memo\n\nNothing here looks like a resolution.\n")
    idx = c.path("r.stele")
    st, out, err = c.run("index", "--format", "resolutions", p, "-o", idx, check=0)
    expect("warning:" in err and "memo.txt" in err and "no resolution" in err,
           f"no warning: {err!r}")
    expect(re.search(r"memo\.txt: 1 document, 1 warning", out), f"summary: {out!r}")
    # The bundled corpus: 55/2 and 55/12 are in two sources; the format merges
    # them and the summary says so.
    st, out, err = c.run("index", "--format", "resolutions", os.path.join(c.root, "corpus"),
                         "-o", idx, check=0)
    for sym in ("55/2", "55/12"):
        expect(re.search(r"note: resolution " + re.escape(sym) + r" is in two sources: kept "
                         r"\S+:\d+, merged \S+:\d+", out), f"no note for {sym}: {out!r}")
    expect("2 duplicate copies merged or dropped" in out, f"summary: {out!r}")
    expect(c.ids(idx, "55/12")[0] == "55/12", "55/12 searchable")
    expect("README" not in " ".join(c.ids(idx, "corpus OR resolutions")),
           "README.md read as a resolution")


# --- inputs as people give them --------------------------------------------

def case_recursive(c):
    for rel in ("t/b.txt", "t/a/z.txt", "t/a/b/c.txt", "t/a.txt", "t/.git/x.txt",
                "t/A.txt"):
        c.write(rel, f"Doc {rel}\n\nshared word\n")
    os.symlink(c.path("t/a"), c.path("t/link"))  # links are not followed
    os.symlink(c.path("t/b.txt"), c.path("t/c.txt"))
    os.symlink(c.path("t/none.txt"), c.path("t/dangling.txt"))
    idx = c.path("w.stele")
    _, out, _ = c.run("index", c.path("t"), "-o", idx, check=0)
    hits = sorted(c.hits(idx, "shared"), key=lambda h: h["doc"])
    # Sorted by name with strcmp at each level: "A.txt" < "a" < "a.txt" < "b.txt".
    expect([h["id"] for h in hits] == ["A", "a/b/c", "a/z", "a", "b"], f"order {hits}")
    expect("3 links not followed" in out, f"the links are not counted: {out!r}")
    # The same tree gives the same bytes.
    again = c.path("w2.stele")
    c.run("index", "-q", c.path("t"), "-o", again, check=0)
    expect(open(idx, "rb").read() == open(again, "rb").read(), "not byte-identical")


def case_format_detection(c):
    c.write("m/a.jsonl", '{"id": "j", "title": "From jsonl", "body": "alpha"}\n')
    c.write("m/b.ndjson", '{"id": "n", "title": "From ndjson", "body": "alpha"}\n')
    c.write("m/c.txt", "From txt\n\nalpha\n")
    c.write("m/d.md", "From md\n\nalpha\n")
    idx = c.path("f.stele")
    c.run("index", c.path("m"), "-o", idx, check=0)
    expect(sorted(c.ids(idx, "alpha")) == ["c", "d", "j", "n"], f"{c.ids(idx, 'alpha')}")
    # With --format, a directory gives only that format's files.
    c.run("index", "--format", "jsonl", c.path("m"), "-o", idx, check=0)
    expect(sorted(c.ids(idx, "alpha")) == ["j", "n"], "jsonl only")
    # Never a document of raw JSON.
    c.failed_build(["--format", "text", c.path("m/a.jsonl")], "a.jsonl", "--format jsonl")
    disguised = c.write("disguised.txt", '{"id": "j", "title": "JSON"}\n')
    c.failed_build([disguised], "disguised.txt:1", "JSON object")
    c.failed_build(["--format", "resolutions", disguised], "disguised.txt:1", "JSON object")
    # No guess from an unknown name, and JSON Lines that is not JSON stops.
    c.failed_build([c.write("x.json", '{"id": "q"}\n')], "x.json", "--format")
    c.failed_build([c.write("bad.jsonl", "plain words\n")], "bad.jsonl:1", "invalid JSON")


def case_stdin(c):
    idx = c.path("in.stele")
    st, out, _ = c.run("index", "--format", "jsonl", "-", "-o", idx,
                       stdin='{"id": "s1", "title": "Piped", "body": "through a pipe"}\n',
                       check=0)
    expect(c.ids(idx, "pipe") == ["s1"], "jsonl from standard input")
    expect("standard input: 1 document" in out, f"summary: {out!r}")
    c.run("index", "--format", "text", "-", "-o", idx, stdin="Typed\n\nat the terminal\n",
          check=0)
    expect(c.ids(idx, "terminal") == ["stdin"], f"{c.ids(idx, 'terminal')}")
    c.failed_build(["-"], "standard input", "--format")
    st, _, err = c.run("index", "--format", "text", "-", "-", "-o", idx, stdin="x\n")
    expect(st == 2 and "more than once" in err, f"stdin twice: {st} {err!r}")
    # One file given twice (here through a second path) is refused as such.
    t = c.write("twice.txt", "Twice\n\ngiven twice\n")
    c.failed_build([t, c.path(".", "twice.txt")], "given twice")


def case_files_from(c):
    p1 = c.write("l/one.txt", "One\n\nlisted file\n")
    c.write("l/sub/two.txt", "Two\n\nlisted file\n")
    lst = c.write("list", f"{p1}\n\n{c.path('l/sub')}\n")
    idx = c.path("l.stele")
    c.run("index", "--files-from", lst, "-o", idx, check=0)
    expect(sorted(c.ids(idx, "listed")) == ["one", "two"], f"{c.ids(idx, 'listed')}")
    # A list on standard input, with an input on the command line.
    c.write("l/three.md", "Three\n\nlisted file\n")
    c.run("index", "--files-from", "-", c.path("l/three.md"), "-o", idx,
          stdin=p1 + "\n", check=0)
    expect(sorted(c.ids(idx, "listed")) == ["one", "three"], "list from stdin")
    bad = c.write("badlist", f"{p1}\n{c.path('l/none.txt')}\n")
    c.failed_build(["--files-from", bad], "none.txt", "badlist:2")
    c.failed_build(["--files-from", c.path("nolist")], "nolist")


def case_json_values(c):
    j = c.write("v.jsonl",
                '{"id": 7, "title": 1961, "year": 2012, "ratio": 0.1, "open": true,'
                ' "shut": false, "tags": ["blue", 42], "gone": null}\n'
                '{"id": "t", "title": "Text \\u0000 title", "body": "nul \\u0000 inside"}\n')
    idx = c.path("v.stele")
    c.run("index", j, "-o", idx, check=0)
    for q in ("title:1961", "year:2012", "ratio:0.1", "open:true", "shut:false",
              "tags:blue", "tags:42"):
        expect(c.ids(idx, q) == ["7"], f"{q}: {c.ids(idx, q)}")
    hits = c.hits(idx, "inside")
    expect(hits and hits[0]["id"] == "t" and hits[0]["title"] == "Text title",
           f"NUL in a title: {hits}")
    # Values with no text are refused, naming file and line.
    c.failed_build([c.write("o.jsonl", '{"id": "a"}\n{"id": "b", "meta": {"k": 1}}\n')],
                   "o.jsonl:2", '"meta" is an object')
    c.failed_build([c.write("n.jsonl", '{"id": "a", "deep": [[1]]}\n')], "n.jsonl:1", "array")
    c.failed_build([c.write("f.jsonl", '{"id": 1.5}\n')], "f.jsonl:1", '"id" must be')
    # A field name in a message is escaped: one line, nothing for a terminal.
    many = ", ".join(f'"f{i}": "x"' for i in range(5))
    err = c.failed_build([c.write("m.jsonl", '{"id": "a", %s, "b\\nad\\u001b[2J": "x"}\n' % many)],
                         "m.jsonl:1", "one more than the", "\\x0a", "\\x1b[2J")
    expect(err.count("\n") == 1 and "\x1b" not in err, f"field name not escaped: {err!r}")
    err = c.failed_build([c.write("l.jsonl", '{"id": "a", "%s\\n": "x"}\n' % ("k" * 300))],
                         "l.jsonl:1", "is longer than", "...")
    expect(err.count("\n") == 1, f"long field name not one line: {err!r}")


def case_text_window(c):
    """--text-window sets the stored text's zlib window: the same hits and
    snippets, a workspace bound smaller by the window's bytes; bad values
    are refused and change nothing."""
    corpus = os.path.join(c.root, "corpus")
    idx = {}
    for bits in ("9", "14"):
        idx[bits] = c.path(f"w{bits}.stele")
        c.run("index", "-q", "--text-window", bits, corpus, "-o", idx[bits], check=0)
    default = c.path("default.stele")
    c.run("index", "-q", corpus, "-o", default, check=0)
    stats = {}
    for name, path in (("9", idx["9"]), ("14", idx["14"]), ("default", default)):
        st, out, err = c.run("stats", "--json", path, check=0)
        stats[name] = json.loads(out)
    expect(open(idx["14"], "rb").read() == open(default, "rb").read(),
           "--text-window 14 is not the default")
    gap = stats["14"]["workspace_search_10"] - stats["9"]["workspace_search_10"]
    expect(gap == (1 << 14) - (1 << 9), f"bound 9 vs 14 bits differs by {gap}")
    for q in ("treatment", '"drug dependent persons"', "rehab*", "NEAR(drug prison, 5)"):
        outs = [c.run("search", "-i", idx[b], q, check=0)[1] for b in ("9", "14")]
        expect(outs[0] == outs[1] and "[" in outs[0], f"{q}: hits or snippets differ")
    for bad in ("8", "16", "x", ""):
        c.failed_build(["--text-window", bad, corpus], "--text-window")


def case_nul_in_id(c):
    # "a\u0000b" and "a\u0000c" would both be "a" if cut at the NUL.
    j = c.write("nul.jsonl", '{"id": "a\\u0000b"}\n{"id": "a\\u0000c"}\n')
    c.failed_build([j], "nul.jsonl:1", "NUL")
    k = c.write("key.jsonl", '{"id": "k", "fie\\u0000ld": "x"}\n')
    c.failed_build([k], "key.jsonl:1", "NUL")


# --- threads -----------------------------------------------------------------

def write_many(c):
    """3000 JSON Lines documents of words drawn from a bundled resolution."""
    import random
    rnd = random.Random(10)
    words = [w for w in open(os.path.join(c.root, "corpus", "cnd-resolution-55-2.txt"),
                             encoding="utf-8").read().split() if w.isalpha()]
    with open(c.path("many.jsonl"), "w") as f:
        for i in range(3000):
            body = " ".join(rnd.choice(words) for _ in range(rnd.randint(5, 120)))
            f.write(json.dumps({"id": f"d{i}", "title": " ".join(rnd.sample(words, 3)),
                                "body": body}) + "\n")
    return c.path("many.jsonl")


def case_threads(c):
    """The index is the same bytes for every --threads count."""
    write_many(c)
    for name, inputs in (("many", [c.path("many.jsonl")]),
                         ("bundled", ["--format", "resolutions",
                                      os.path.join(c.root, "corpus")])):
        first = None
        for n in ("1", "2", "3", "8", None):
            idx = c.path(f"{name}-{n}.stele")
            threads = ["--threads", n] if n else []
            c.run("index", "-q", *threads, *inputs, "-o", idx, check=0)
            data = open(idx, "rb").read()
            if first is None:
                first = data
                expect(c.n_docs(idx) > 1, f"{name}: too few documents")
            expect(data == first, f"{name}: --threads {n} gives other bytes than 1")
    blocks = json.loads(c.run("stats", "--json", c.path("many-1.stele"), check=0)[1])
    expect(blocks["documents"] == 3000, f"documents: {blocks['documents']}")
    for bad in ("0", "65", "x", "-1"):
        st, _, err = c.run("index", "--threads", bad, c.path("many.jsonl"), "-o",
                           c.path("bad.stele"))
        expect(st == 2 and "--threads" in err, f"--threads {bad}: {st} {err!r}")


# --- memory ------------------------------------------------------------------

SPILLED = re.compile(r"(\d+) bytes spilled to a scratch file")
SPILLED_DOCS = re.compile(r"the text of (\d+) documents? among them")


def write_notes(c):
    """200 text files of paragraphs of words drawn from a bundled resolution,
    in a directory of their own."""
    import random
    rnd = random.Random(11)
    words = [w for w in open(os.path.join(c.root, "corpus", "cnd-resolution-55-2.txt"),
                             encoding="utf-8").read().split() if w.isalpha()]
    notes = c.path("notes")
    os.makedirs(notes, exist_ok=True)
    for i in range(200):
        paras = [" ".join(rnd.choice(words) for _ in range(rnd.randint(3, 60)))
                 for _ in range(rnd.randint(1, 6))]
        with open(os.path.join(notes, f"n{i}.txt"), "w") as f:
            f.write(" ".join(rnd.sample(words, 3)) + "\n\n" + "\n\n".join(paras) + "\n")
    return notes


def case_memory(c):
    """A budget too small for the occurrences spills sorted runs to a scratch
    file and merges them, and one too small for the documents' text spills
    the documents; the index is the same bytes as the in-memory build, for
    every budget and thread count, and the scratch files leave nothing."""
    many = write_many(c)
    notes = write_notes(c)
    for name, inputs in (("many", [many]),
                         ("notes", ["--format", "text", notes]),
                         ("bundled", ["--format", "resolutions",
                                      os.path.join(c.root, "corpus")])):
        first = None
        for memory, threads in ((None, "1"), ("64K", "1"), ("64K", "3"), ("200K", "2"),
                                ("1M", "1"), (None, "2")):
            idx = c.path(f"{name}-{memory}-{threads}.stele")
            opt = ["--memory", memory] if memory else []
            _, out, _ = c.run("index", *opt, "--threads", threads, *inputs, "-o", idx, check=0)
            spilled = SPILLED.search(out)
            data = open(idx, "rb").read()
            if first is None:
                first = data
                expect(not spilled, f"{name}: the default budget spilled: {out}")
            expect(data == first, f"{name}: --memory {memory} --threads {threads} "
                                  "gives other bytes than the default")
            docs = SPILLED_DOCS.search(out)
            if memory == "64K":
                # At least a few runs of 1024 occurrences (16 bytes each).
                expect(spilled and int(spilled.group(1)) >= 4 * 16384,
                       f"{name}: --memory 64K did not spill several runs: {out}")
                # JSON Lines and text documents past 4K of text (a 16th)
                # spill theirs; resolutions never do (their merge compares
                # texts).
                if name == "bundled":
                    expect(not docs, f"{name}: resolutions spilled: {out}")
                else:
                    expect(docs and int(docs.group(1)) > 100,
                           f"{name}: --memory 64K did not spill the documents: {out}")
            if memory is None:
                expect(not docs, f"{name}: the default budget spilled documents: {out}")
    expect(sorted(n for n in os.listdir(c.tmp) if not n.endswith(".stele"))
           == ["many.jsonl", "notes"],
           f"files left beside the indexes: {os.listdir(c.tmp)}")
    for bad in ("0", "63K", "x", "-1", "1T", "99999999999999999999G"):
        st, _, err = c.run("index", "--memory", bad, many, "-o", c.path("bad.stele"))
        expect(st == 2 and "--memory" in err, f"--memory {bad}: {st} {err!r}")
    expect(not os.path.exists(c.path("bad.stele")), "a refused --memory wrote an index")


if __name__ == "__main__":
    sys.exit(clicase.main(globals(), Ctx, "stele-inputs-"))
