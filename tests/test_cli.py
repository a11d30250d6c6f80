#!/usr/bin/env python3
"""Tests of the `stele` command-line tool (meson suite 'cli').

Each test case is a function named case_<name>; meson runs one case per
test so a failure names what broke:

    test_cli.py --stele PATH --source-root DIR [--embed-search PATH]
                [--corpus-index PATH] CASE

Everything runs in a fresh temporary directory, so the bundled index is
proved to work with no files beside the binary.  JSON output is parsed with
json.loads, never compared as text.  A case that cannot run here (no C
compiler, no pseudo-terminal) exits 77 and says why.
"""

import argparse
import json
import os
import pty
import re
import select
import shutil
import subprocess
import sys
import tempfile
import time

SKIP = 77


class Skip(Exception):
    pass


class Ctx:
    def __init__(self, args, tmp):
        self.stele = os.path.abspath(args.stele)
        self.root = os.path.abspath(args.source_root)
        self.embed_search = args.embed_search and os.path.abspath(args.embed_search)
        self.corpus_index = args.corpus_index and os.path.abspath(args.corpus_index)
        self.tmp = tmp
        self.data = os.path.join(self.root, "tests", "data", "cli")
        self._corpus = None

    def run(self, *args, stdin=None, env=None, check=None):
        """Runs stele with args; returns (status, stdout, stderr) as text."""
        e = dict(os.environ)
        e.pop("NO_COLOR", None)
        if env:
            e.update(env)
        p = subprocess.run([self.stele, *args], input=stdin, capture_output=True,
                           text=True, cwd=self.tmp, env=e, timeout=120)
        if check is not None and p.returncode != check:
            raise AssertionError(
                f"stele {' '.join(args)}: exit {p.returncode}, want {check}\n"
                f"stdout:\n{p.stdout}\nstderr:\n{p.stderr}")
        return p.returncode, p.stdout, p.stderr

    def corpus(self):
        """An index of corpus/ built by this stele into the temporary directory."""
        if self._corpus is None:
            path = os.path.join(self.tmp, "corpus.stele")
            self.run("index", "--quiet", "--format", "resolutions",
                     os.path.join(self.root, "corpus"), "-o", path, check=0)
            self._corpus = path
        return self._corpus


def expect(cond, msg):
    if not cond:
        raise AssertionError(msg)


def json_lines(text):
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def one_line_error(err, *needles):
    lines = [line for line in err.splitlines() if line.strip()]
    expect(lines, "no error message on stderr")
    expect(lines[0].startswith("stele"), f"error does not start with 'stele': {lines[0]!r}")
    for n in needles:
        expect(n in err, f"error message lacks {n!r}: {err!r}")


# --- help, version, usage -------------------------------------------------

def case_help(c):
    st, out, _ = c.run("--help", check=0)
    for cmd in ("search", "index", "stats", "verify", "embed"):
        expect(cmd in out, f"--help does not mention {cmd}")
        st, out2, _ = c.run(cmd, "--help", check=0)
        expect(out2.startswith(f"Usage: stele {cmd}"), f"{cmd} --help: {out2[:60]!r}")
    st, out, _ = c.run("--version", check=0)
    expect(re.match(r"stele \d+\.\d+\.\d+", out), f"--version: {out!r}")


def case_usage(c):
    for args in (["search", "--bogus", "x"], ["frobnicate"], ["--bogus"],
                 ["search", "-n", "0", "x"], ["search", "-n", "ten", "x"],
                 ["index", os.path.join(c.data, "text")],  # no -o
                 ["index", "-o", "x.stele"],               # no input
                 ["index", "--format", "pdf", "-o", "x.stele", "in.txt"],
                 ["embed"], ["stats", "a", "b"], ["search", "prison", "--bogus"],
                 ["search", "--color=sometimes", "x"], ["search", "-c", "-l", "x"],
                 ["index", "--bogus"], ["verify", "-x"], ["merge", "--nope"], ["show", "-z"]):
        st, out, err = c.run(*args)
        expect(st == 2, f"stele {' '.join(args)}: exit {st}, want 2")
        expect(err.strip(), f"stele {' '.join(args)}: no message")
        expect(len(err.splitlines()) == 1 and err.startswith("stele"),
               f"stele {' '.join(args)}: not one line: {err!r}")
        expect(out == "", f"stele {' '.join(args)}: wrote to stdout: {out!r}")


# --- search over the bundled index ----------------------------------------

def check_hit_fields(h):
    for field, kind in (("query", str), ("rank", int), ("id", str), ("title", str),
                        ("score", (int, float)), ("para", str), ("para_kind", str),
                        ("doc", int), ("snippet", str)):
        expect(isinstance(h.get(field), kind), f"field {field} missing or wrong type: {h}")
    expect(h["para_number"] is None or isinstance(h["para_number"], int),
           f"para_number: {h}")
    expect(h["para_kind"] in ("title", "preamble", "operative", "footnote", "text",
                              "heading", "field"), f"para_kind: {h['para_kind']}")
    if h["para_number"] is not None:
        expect(h["para"].endswith(" " + str(h["para_number"])), f"para vs number: {h}")


def case_search_topic(c):
    st, out, err = c.run("search", "--json", "alternatives to imprisonment", check=0)
    hits = json_lines(out)
    expect(hits, "no hits")
    expect(hits[0]["id"] == "55/12", f"first hit {hits[0]['id']}, want 55/12")
    for i, h in enumerate(hits):
        check_hit_fields(h)
        expect(h["rank"] == i + 1, f"rank {h['rank']} at position {i}")
        expect(h["query"] == "alternatives to imprisonment", f"query field {h['query']!r}")
    scores = [h["score"] for h in hits]
    expect(scores == sorted(scores, reverse=True), f"scores not descending: {scores}")
    words = [highlighted(h) for h in hits[:1]][0]
    expect({"alternatives", "imprisonment"} <= {w.lower() for w in words},
           f"highlights of the first hit: {words}")
    expect("\x1b" not in out, "escape codes in JSON output")
    # The words of the query are joined: several arguments mean the same query.
    st, out2, _ = c.run("search", "--json", "alternatives", "to", "imprisonment", check=0)
    expect([h["id"] for h in json_lines(out2)] == [h["id"] for h in hits],
           "split words give other hits")


def highlighted(h):
    """The words a JSON hit's highlights name, checked to be in order,
    apart and inside the snippet's bytes."""
    b = h["snippet"].encode()
    expect(isinstance(h["highlights"], list), f"no highlights: {h}")
    last = 0
    for start, end in h["highlights"]:
        expect(last <= start < end <= len(b), f"highlight [{start}, {end}) in {h}")
        last = end
    return [b[s:e].decode() for s, e in h["highlights"]]


def case_output(c):
    # JSON: the snippet is the text as written, its highlights byte ranges,
    # and every hit says how many documents matched in all.
    st, out, _ = c.run("search", "--json", "-n", "3", "opioid overdose", check=0)
    hits = json_lines(out)
    st, count, _ = c.run("search", "-c", "opioid overdose", check=0)
    for h in hits:
        expect(h["matches"] == int(count), f"matches {h['matches']}, -c says {count}")
        words = highlighted(h)
        expect(words and all(w.lower() in ("opioid", "opioids", "overdose", "overdoses")
                             for w in words), f"highlighted words {words}")
    # Literal brackets: JSON keeps them as text; piped output escapes them,
    # so [marks] are the only bare brackets.
    src = os.path.join(c.tmp, "licence")
    os.makedirs(src, exist_ok=True)
    with open(os.path.join(src, "notice.txt"), "w") as f:
        f.write("Licence notice\n\nPlace [Copyright] [[yyyy]] [name of copyright owner] here.\n")
    idx = os.path.join(c.tmp, "licence.stele")
    c.run("index", "--quiet", "--format", "text", src, "-o", idx, check=0)
    st, out, _ = c.run("search", "-i", idx, "--json", "copyright", check=0)
    h = json_lines(out)[0]
    expect(h["snippet"] == "Place [Copyright] [[yyyy]] [name of copyright owner] here.",
           f"JSON snippet {h['snippet']!r}")
    expect(highlighted(h) == ["Copyright", "copyright"], f"highlights {highlighted(h)}")
    st, out, _ = c.run("search", "-i", idx, "copyright", check=0)
    want = r"Place \[[Copyright]\] \[\[yyyy\]\] \[name of [copyright] owner\] here."
    expect(want in out, f"piped snippet: {out!r}")
    st, out, _ = c.run("search", "-i", idx, "--color=always", "copyright", check=0)
    expect("Place [\x1b[1mCopyright\x1b[0m] [[yyyy]]" in out, f"bold snippet: {out!r}")
    # Errors in --json mode are JSON objects on stderr, and nothing on stdout.
    for args, field in ((["search", "--json", '"unbalanced'], "offset"),
                        (["search", "drug", "--json", "--bogus"], None),
                        (["search", "--json", "-i", "no-such.stele", "drug"], None),
                        (["search", "--json", "-n", "zero", "drug"], None),
                        (["stats", "--json", "no-such.stele"], None)):
        st, out, err = c.run(*args)
        expect(st == 2 and out == "", f"{args}: exit {st}, stdout {out!r}")
        lines = err.splitlines()
        expect(len(lines) == 1, f"{args}: stderr {err!r}")
        e = json.loads(lines[0])
        expect(isinstance(e.get("error"), str) and e["error"], f"{args}: {e}")
        if field:
            expect(e[field] == 0 and e["reason"] == "unclosed quote", f"{args}: {e}")


def case_show(c):
    # The whole resolution, each paragraph under the label it is cited by.
    st, out, _ = c.run("show", "55/12", check=0)
    lines = out.splitlines()
    expect(lines[0].startswith("55/12  Alternatives to imprisonment"), f"first line {lines[0]!r}")
    labels = [l for l in lines if l and not l.startswith("  ")][1:]
    for want in ("title", "preambular para 1", "preambular para 2", "operative para 1",
                 "operative para 3", "footnote 1"):
        expect(want in labels, f"no {want!r} among {labels}")
    pre = [int(l.split()[-1]) for l in labels if l.startswith("preambular para ")]
    expect(pre == list(range(1, len(pre) + 1)), f"preambular numbers {pre}")
    # The text is the document's, whole: the matched passage of a search is in it.
    st, hits, _ = c.run("search", "--json", "-n", "1", "alternatives to imprisonment", check=0)
    h = json_lines(hits)[0]
    expect(h["snippet"].strip("…") in out, "the snippet is not in the shown text")
    expect(h["para_kind"] == "preamble" and h["para"] == f"preambular para {h['para_number']}",
           f"preambular hit without its number: {h}")
    st, js, _ = c.run("show", "--json", "55/12", check=0)
    d = json.loads(js)
    expect(d["id"] == "55/12" and d["title"] == lines[0][len("55/12  "):], f"show --json {d}")
    ps = d["paragraphs"]
    expect([p["label"] for p in ps] == labels, "JSON labels differ from the text's")
    for p in ps:
        expect(p["kind"] in ("title", "preamble", "operative", "footnote", "text", "heading",
                             "field"), f"kind {p}")
        expect(p["number"] is None or p["label"].endswith(" " + str(p["number"])), f"{p}")
        expect("  " + p["text"] in lines, f"paragraph text not printed: {p['text'][:40]!r}")
    # list: every id and title, tab-separated; each id can be shown.
    st, out, _ = c.run("list", check=0)
    rows = [l.split("\t") for l in out.splitlines()]
    expect(all(len(r) == 2 for r in rows) and ["55/12", d["title"]] in rows, f"list {rows[:3]}")
    st, js, _ = c.run("list", "--json", check=0)
    expect([[o["id"], o["title"]] for o in json_lines(js)] == rows, "list --json differs")
    for doc_id, _ in rows:
        c.run("show", doc_id, check=0)
    # Other indexes, and errors.
    idx = c.corpus()
    st, out, _ = c.run("show", "-i", idx, "55/12", check=0)
    expect("operative para 1" in out, "show -i")
    for args in (["show", "99/99"], ["show"], ["show", "a", "b"], ["list", "extra"],
                 ["show", "-i", "no-such.stele", "55/12"]):
        st, out, err = c.run(*args)
        expect(st == 2 and out == "" and err.strip(), f"{args}: exit {st}")
    st, out, err = c.run("show", "--json", "99/99")
    expect(st == 2 and "99/99" in json.loads(err)["error"], f"show --json error {err!r}")


def case_search_symbol(c):
    st, out, _ = c.run("search", "--json", "55/12", check=0)
    hits = json_lines(out)
    expect(hits and hits[0]["id"] == "55/12", f"55/12 gives {[h['id'] for h in hits]}")


def case_search_id(c):
    # id:ID finds a document by its id, as `stele show` names it, and
    # filters like any clause; alone it scores 0.
    st, out, _ = c.run("search", "--json", "id:55/12", check=0)
    hits = json_lines(out)
    expect([h["id"] for h in hits] == ["55/12"] and hits[0]["score"] == 0,
           f"id:55/12 gives {[(h['id'], h['score']) for h in hits]}")
    st, out, _ = c.run("search", "-l", "id:55/12 OR id:55/9", check=0)
    expect(sorted(out.split()) == ["55/12", "55/9"], f"id OR id: {out!r}")
    st, all_, _ = c.run("search", "-c", "treatment", check=0)
    st, out, _ = c.run("search", "-c", "--", "treatment -id:55/12", check=0)
    expect(int(out) == int(all_) - 1, f"treatment -id:55/12 counts {out!r} of {all_!r}")
    st, out, _ = c.run("search", "-l", "-n", "50", "id:decision*", check=0)
    st, ids, _ = c.run("list", check=0)
    want = [line.split("\t")[0] for line in ids.splitlines()
            if line.startswith("decision")]
    expect(out.splitlines() == want or sorted(out.splitlines()) == sorted(want),
           f"id:decision* gives {out!r}, want {want}")
    st, out, err = c.run("search", "women id:")
    expect(st == 2 and out == "", f"women id: exit {st}")
    one_line_error(err, "at byte 6", "no document id")
    query_line, col = caret_column(err)
    expect(query_line[col:].startswith("id:"), f"caret under {query_line[col:]!r}")


def case_matches_exact(c):
    # --json says whether matches is the count or a lower bound: ranking
    # for one hit skips documents it need not count; -c counts them all.
    seen = set()
    for query in ("drug", "drug OR treatment", "the OR drug OR women"):
        st, out, _ = c.run("search", "--json", "-n", "1", query, check=0)
        h = json_lines(out)[0]
        st, count, _ = c.run("search", "-c", "--", query, check=0)
        exact = h["matches_exact"]
        expect(exact in (True, False), f"{query}: matches_exact {exact!r}")
        expect(h["matches"] == int(count) if exact else h["matches"] < int(count),
               f"{query}: matches {h['matches']} exact {exact}, -c {count.strip()}")
        seen.add(exact)
    expect(seen == {True, False}, f"matches_exact never varied: {seen}")


def case_search_para(c):
    # The matched paragraph is named for people and for programs alike.
    for query, kind, numbered in (('footnote:"Treaty Series"', "footnote", True),
                                  ("title:women", "title", False)):
        st, out, _ = c.run("search", "--json", "-n", "3", query, check=0)
        for h in json_lines(out):
            check_hit_fields(h)
            expect(h["para_kind"] == kind, f"{query}: para_kind {h['para_kind']}")
            expect((h["para_number"] is not None) == numbered, f"{query}: {h}")
            expect(h["para"] == (f"{kind} {h['para_number']}" if numbered else kind),
                   f"{query}: para {h['para']!r}")


def case_search_limit(c):
    st, out, _ = c.run("search", "--json", "-n", "2", "drug", check=0)
    hits = json_lines(out)
    expect(len(hits) == 2, f"-n 2 gave {len(hits)} hits")
    st, out, _ = c.run("search", "-n", "1", "drug", check=0)
    expect(re.search(r"^1\. \S+", out, re.M), f"human output lacks '1. ID': {out!r}")
    expect(not re.search(r"^2\. ", out, re.M), "-n 1 printed a second hit")


def case_options(c):
    # GNU argument permutation: options anywhere, "--" ends them.
    st, out, _ = c.run("search", "naloxone", "-n", "1", check=0)
    expect(len(re.findall(r"^\d+\. ", out, re.M)) == 1, f"naloxone -n 1: {out!r}")
    expect(out.startswith("1. "), f"naloxone -n 1: {out!r}")
    st, out, _ = c.run("search", "drug", "--json", "-n", "2", check=0)
    expect(len(json_lines(out)) == 2, f"drug --json -n 2: {out!r}")
    st, a, _ = c.run("search", "--json", "--", "-prison", "drug", check=0)
    st, b, _ = c.run("search", "--json", "drug -prison", check=0)
    expect([h["id"] for h in json_lines(a)] == [h["id"] for h in json_lines(b)] and a,
           "-- -prison drug differs from 'drug -prison'")
    # -c: the number of matching documents, as the summary line counts them.
    st, out, _ = c.run("search", "drug", "-c", check=0)
    expect(re.fullmatch(r"\d+\n", out), f"-c output {out!r}")
    count = int(out)
    st, hl, _ = c.run("search", "drug", "-n", "1000", "--json", check=0)
    expect(count == len(json_lines(hl)) and count > 10, f"-c {count} vs {len(json_lines(hl))} hits")
    st, out, _ = c.run("search", "-c", "xylophonequartz")
    expect(st == 1 and out == "0\n", f"-c with no match: {st} {out!r}")
    st, out, _ = c.run("search", "--json", "--count", "xylophonequartz")
    expect(st == 1 and json_lines(out) == [{"query": "xylophonequartz", "count": 0}], out)
    # -l: every matching document's id, in rank order; -n limits it.
    st, out, _ = c.run("search", "drug", "-l", check=0)
    ids = out.splitlines()
    expect(ids == [h["id"] for h in json_lines(hl)], f"-l ids {ids}")
    st, out, _ = c.run("search", "--ids-only", "-n", "2", "drug", check=0)
    expect(out.splitlines() == ids[:2], f"-l -n 2: {out!r}")
    c.run("search", "-l", "xylophonequartz", check=1)
    st, out, _ = c.run("search", "-c", stdin="drug\nxylophonequartz\n", check=0)
    expect(out == f"{count}\n0\n", f"-c per input line: {out!r}")
    # Every subcommand permutes: stats and verify take the index after options or before.
    idx = c.corpus()
    c.run("stats", idx, "--json", check=0)
    c.run("search", "55/12", "-i", idx, "-l", "-n", "1", check=0)


def case_search_human(c):
    st, out, _ = c.run("search", "alternatives to imprisonment", check=0)
    first = out.splitlines()[:3]
    expect(first[0].startswith("1. 55/12 "), f"first line {first[0]!r}")
    expect(re.match(r"   (title|preambular para|operative para|footnote|text|heading|field)"
                    r"( \d+)?, score \d+\.\d+$", first[1]), f"second line {first[1]!r}")
    expect("[" in first[2] and "\x1b" not in out, f"snippet line {first[2]!r}")


def case_search_nohits(c):
    st, out, err = c.run("search", "--json", "xylophonequartz")
    expect(st == 1, f"exit {st}, want 1")
    expect(out.strip() == "", f"JSON output for no hits: {out!r}")
    st, out, err = c.run("search", "xylophonequartz")
    expect(st == 1, f"exit {st}, want 1")


def case_did_you_mean(c):
    # A typo with no exact match: the suggestion, and its hits, said so.
    st, out, err = c.run("search", "-n", "2", "psycoactive", "substances")
    expect(st == 0, f"exit {st}, want 0: {err}")
    expect("No results for 'psycoactive substances'. Did you mean: psychoactive substances?"
           in out, f"no did-you-mean line in {out!r}")
    expect("Showing results for 'psychoactive substances'." in out, f"no showing line: {out!r}")
    expect(re.search(r"^1\. 55/1 ", out, re.M), f"55/1 not first: {out!r}")
    st, out, err = c.run("search", "--json", "-n", "1", "psycoactive substances")
    expect(st == 0, f"exit {st}, want 0")
    hit = json.loads(out.splitlines()[0])
    expect(hit["did_you_mean"] == "psychoactive substances" and hit["corrected"] is True
           and hit["id"] == "55/1", f"JSON hit {hit}")
    # Exact search: no typo tolerance, but still the suggestion.
    st, out, err = c.run("search", "--exact", "rehabilitaton")
    expect(st == 0, f"exit {st}, want 0")
    expect("Did you mean: rehabilitation?" in out, f"--exact: {out!r}")
    # =word is exact and suggests nothing.
    st, out, err = c.run("search", "=rehabilitaton")
    expect(st == 1 and "no documents match" in out, f"=word: exit {st}, {out!r}")
    # A query with exact hits keeps them, and still offers the correction.
    st, out, err = c.run("search", "--json", "opiod OR naloxone")
    expect(st == 0, f"exit {st}")
    hit = json.loads(out.splitlines()[0])
    expect(hit["did_you_mean"] == "opioid OR naloxone" and hit["corrected"] is False,
           f"JSON hit {hit}")
    st, out, err = c.run("search", "opiod OR naloxone")
    expect(out.startswith("Did you mean: opioid OR naloxone?\n"), f"{out!r}")
    # A query with no unknown word has no suggestion.
    st, out, err = c.run("search", "--json", "-n", "1", "naloxone")
    hit = json.loads(out.splitlines()[0])
    expect(hit["did_you_mean"] is None and hit["corrected"] is False, f"JSON hit {hit}")
    expect("Did you mean" not in c.run("search", "naloxone")[1], "suggestion for a known word")


def caret_column(err):
    lines = err.splitlines()
    for i, line in enumerate(lines):
        if line.strip() == "^" and i > 0:
            return lines[i - 1], line.index("^")
    raise AssertionError(f"no caret line in {err!r}")


def case_search_syntax(c):
    st, out, err = c.run("search", '"unbalanced')
    expect(st == 2, f"exit {st}, want 2")
    one_line_error(err)
    m = re.search(r"at byte (\d+)", err)
    expect(m, f"no byte offset in {err!r}")
    query_line, col = caret_column(err)
    expect('"unbalanced' in query_line, f"query not shown: {query_line!r}")
    expect(col == query_line.index('"unbalanced') + int(m.group(1)),
           f"caret at {col}, offset {m.group(1)}")
    st, out, err = c.run("search", "")
    expect(st == 2, f"empty query: exit {st}, want 2")
    one_line_error(err, "empty query")
    st, out, err = c.run("search", "-prison")
    expect(st == 2, f"only-negative query: exit {st}, want 2")
    st, out, err = c.run("search", "--json", "(treatment")
    expect(st == 2 and out == "", f"unbalanced parenthesis: exit {st}")


def case_missing_index(c):
    missing = os.path.join(c.tmp, "no-such.stele")
    for args in (["search", "-i", missing, "prison"], ["stats", missing],
                 ["verify", missing], ["embed", missing, "-o", "x.c"]):
        st, out, err = c.run(*args)
        expect(st == 2, f"{args}: exit {st}, want 2")
        one_line_error(err, "no-such.stele")
    st, _, err = c.run("search", "-i", c.tmp, "prison")
    expect(st == 2, f"directory as index: exit {st}")
    one_line_error(err, "directory")


# --- stats, verify, corruption ---------------------------------------------

def case_stats_verify(c):
    idx = c.corpus()
    st, out, _ = c.run("stats", "--json", idx, check=0)
    s = json.loads(out)
    expect(s["documents"] >= 10, f"documents {s['documents']}")
    expect(s["terms"] > 100 and s["tokens"] > s["terms"], f"terms/tokens {s}")
    expect(s["language"] == "english", f"language {s['language']!r}")
    expect(s["fields"][:3] == ["title", "body", "footnote"], f"fields {s['fields']}")
    expect(s["sections"] and sum(x["size"] for x in s["sections"]) <= s["size"],
           f"sections {s['sections']}")
    expect(s["size"] == os.path.getsize(idx), "size differs from the file")
    expect(s["workspace_search_10"] > 0 and s["workspace_verify"] > 0, f"workspace {s}")
    st, out, _ = c.run("stats", idx, check=0)
    for word in ("documents:", "terms:", "tokens:", "language:", "norm version:",
                 "format version:", "workspace:", "sections:"):
        expect(word in out, f"stats lacks {word!r}")
    st, out, _ = c.run("verify", idx, check=0)
    expect(out.startswith(idx + ": ok"), f"verify: {out!r}")
    # The bundled index is the same corpus.
    st, out, _ = c.run("stats", "--json", check=0)
    expect(json.loads(out)["documents"] == s["documents"], "bundled index differs")
    c.run("verify", check=0)


def case_complete(c):
    # Whole words for the word typed last; the stats name the lexicon.
    st, out, _ = c.run("complete", "rehab", check=0)
    expect(st == 0 and "rehabilitation" in out.split("\n"), f"complete rehab: {out!r}")
    st, out, _ = c.run("complete", "--json", "treatment of drug use dis", check=0)
    o = json.loads(out)
    words = [x["word"] for x in o["completions"]]
    expect("disorders" in words, f"completions {words}")
    expect(all(x["text"] == "treatment of drug use " + x["word"] for x in o["completions"]),
           f"texts {o['completions']}")
    st, out, _ = c.run("complete", "qqzx", check=1)
    expect(st == 1 and out == "", f"no completion: status {st}, {out!r}")
    st, _, err = c.run("complete", check=2)
    expect(st == 2 and "PARTIAL-QUERY" in err, f"usage: {st} {err!r}")
    st, out, _ = c.run("stats", "--json", check=0)
    expect(any(x["name"] == "lexicon" and x["size"] > 0 for x in json.loads(out)["sections"]),
           "stats shows the lexicon")


def case_corrupt(c):
    idx = c.corpus()
    data = open(idx, "rb").read()
    bad = os.path.join(c.tmp, "bad.stele")
    variants = {
        "flipped middle": data[:len(data) // 2] + bytes([data[len(data) // 2] ^ 0x55])
        + data[len(data) // 2 + 1:],
        "flipped end": data[:-1] + bytes([data[-1] ^ 0xFF]),
        "truncated": data[:len(data) * 2 // 3],
        "header only": data[:16],
        "empty": b"",
        "not an index": b"hello world\n" * 100,
    }
    for name, blob in variants.items():
        with open(bad, "wb") as f:
            f.write(blob)
        for args in (["verify", bad], ["search", "-i", bad, "prison"], ["stats", bad]):
            st, out, err = c.run(*args)
            # Opening checks the structure, not the sections' CRCs: a
            # flipped byte inside a section is caught by verify, and may
            # leave search and stats working (or failing cleanly).
            if name.startswith("flipped") and args[0] != "verify" and st in (0, 1):
                continue
            expect(st == 2, f"{name}: stele {args[0]} exit {st}, want 2")
            one_line_error(err, "bad.stele")


# --- building indexes ---------------------------------------------------------

def case_index_text(c):
    idx = os.path.join(c.tmp, "text.stele")
    st, out, _ = c.run("index", "--format", "text", os.path.join(c.data, "text"), "-o", idx,
                       check=0)
    expect("3 documents" in out, f"summary: {out!r}")
    st, out, _ = c.run("search", "-i", idx, "--json", "spiral stairs", check=0)
    hits = json_lines(out)
    expect([h["id"] for h in hits] == ["lighthouse"], f"hits {hits}")
    st, out, _ = c.run("search", "-i", idx, "--json", '"apple trees"', check=0)
    expect(json_lines(out)[0]["id"] == "orchard", "phrase search in text index")
    c.run("search", "-i", idx, "imprisonment", check=1)
    c.run("verify", idx, check=0)


def case_index_jsonl(c):
    idx = os.path.join(c.tmp, "jsonl.stele")
    c.run("index", "--quiet", "--format", "jsonl", os.path.join(c.data, "docs.jsonl"),
          "-o", idx, check=0)
    st, out, _ = c.run("stats", "--json", idx, check=0)
    expect(json.loads(out)["documents"] == 3, f"stats {out}")
    st, out, _ = c.run("search", "-i", idx, "--json", "sourdough starter", check=0)
    hits = json_lines(out)
    expect(hits[0]["id"] == "bread-1", f"hits {hits}")
    expect(hits[0]["title"] == "Keeping a sourdough starter", f"title {hits[0]['title']!r}")
    st, out, _ = c.run("search", "-i", idx, "--json", '"spring tides"', check=0)
    expect(json_lines(out)[0]["id"] == "sea-3", "phrase in jsonl body")
    # A directory of JSON Lines files.
    d = os.path.join(c.tmp, "jdir")
    os.mkdir(d)
    shutil.copy(os.path.join(c.data, "docs.jsonl"), os.path.join(d, "b.jsonl"))
    with open(os.path.join(d, "a.jsonl"), "w") as f:
        f.write('{"id": "first", "title": "Lanterns", "body": "Paper lanterns."}\n')
    with open(os.path.join(d, "ignored.txt"), "w") as f:
        f.write("not json\n")
    c.run("index", "--quiet", "--format", "jsonl", d, "-o", idx, check=0)
    st, out, _ = c.run("search", "-i", idx, "--json", "lanterns OR starter", check=0)
    docs = {h["id"]: h["doc"] for h in json_lines(out)}
    expect(docs.get("first") == 0 and "bread-1" in docs, f"directory order: {docs}")


# --- hostile text -------------------------------------------------------------

HOSTILE_ID = "\u001b]0;owned\u0007\u001b[2J"


def terminal_safe(text, what, color=False):
    """No control character but newlines (and, with color, the bold marks),
    no C1 control, no bidirectional override reaches the terminal."""
    if color:
        text = text.replace("\x1b[1m", "").replace("\x1b[0m", "")
    bad = [ch for ch in text if (ord(ch) < 0x20 and ch != "\n") or 0x7f <= ord(ch) <= 0x9f
           or 0x202a <= ord(ch) <= 0x202e or 0x2066 <= ord(ch) <= 0x2069]
    expect(not bad, f"{what}: raw control characters {bad!r} in {text[:300]!r}")


def case_hostile_output(c):
    docs = os.path.join(c.tmp, "hostile.jsonl")
    with open(docs, "w") as f:
        f.write(json.dumps({"id": HOSTILE_ID, "title": "lighthouse \u009b31m \u202egnp.exe",
                            "body": "The lighthouse keeper \u001b[31mred\u001b[0m\u0008 "
                                    "rang the bell\u0007 at dawn."}) + "\n")
        f.write(json.dumps({"id": "tab\there\r", "title": "Plain lighthouse",
                            "body": "A second lighthouse stands here."}) + "\n")
    idx = os.path.join(c.tmp, "hostile.stele")
    c.run("index", "--quiet", "--format", "jsonl", docs, "-o", idx, check=0)
    escaped_id = "\\x1b]0;owned\\x07\\x1b[2J"
    st, out, err = c.run("search", "-i", idx, "lighthouse", check=0)
    terminal_safe(out + err, "search")
    expect(escaped_id in out, f"id not shown escaped: {out!r}")
    expect("\\u009b31m" in out and "\\u202e" in out, f"title not escaped: {out!r}")
    expect("tab\\there\\r" in out, f"tab and CR not escaped: {out!r}")
    st, out, err = c.run("search", "-i", idx, "keeper", check=0)
    terminal_safe(out + err, "search body")
    expect("[keeper]" in out, f"no snippet: {out!r}")
    st, out, err = c.run("search", "-i", idx, "--color", "always", "lighthouse", check=0)
    terminal_safe(out + err, "search --color", color=True)
    expect("\x1b[1m" in out and escaped_id in out, f"color output: {out!r}")
    st, out, err = c.run("search", "-i", idx, "-l", "lighthouse", check=0)
    terminal_safe(out + err, "search -l")
    expect(escaped_id in out, f"-l: {out!r}")
    st, out, err = c.run("list", "-i", idx, check=0)
    terminal_safe(out.replace("\t", " ") + err, "list")  # a tab separates id and title
    expect(escaped_id in out, f"list: {out!r}")
    st, out, err = c.run("show", "-i", idx, HOSTILE_ID, check=0)
    terminal_safe(out + err, "show")
    expect(escaped_id in out and "at dawn" in out, f"show: {out!r}")
    # JSON keeps the exact text (jansson escapes it).
    st, out, err = c.run("search", "-i", idx, "--json", "lighthouse", check=0)
    expect(not [ch for ch in out if ord(ch) < 0x20 and ch != "\n"], f"json: {out!r}")
    expect(HOSTILE_ID in [h["id"] for h in json_lines(out)], f"json ids: {out!r}")
    # Queries echoed: batch lines and syntax errors.
    st, out, err = c.run("search", "-i", idx, stdin="lighthouse \x1b[2J\n", check=None)
    terminal_safe(out + err, "batch echo")
    expect("query: lighthouse \\x1b[2J" in out, f"batch echo: {out!r}")
    st, out, err = c.run("search", "-i", idx, '"lighthouse \x1b]0;x\x07')
    expect(st == 2, f"syntax error exit {st}")
    terminal_safe(err, "syntax error")
    one_line_error(err)


def case_hostile_prompt_show(c):
    # The prompt's .show prints a hit's whole text laid out for the
    # terminal: the hostile id, title and body are shown escaped there too.
    docs = os.path.join(c.tmp, "hostile.jsonl")
    with open(docs, "w") as f:
        f.write(json.dumps({"id": HOSTILE_ID, "title": "lighthouse \u009b31m \u202egnp.exe",
                            "body": "The lighthouse keeper \u001b[31mred\u001b[0m rang."}) + "\n")
    idx = os.path.join(c.tmp, "hostile.stele")
    c.run("index", "--quiet", "--format", "jsonl", docs, "-o", idx, check=0)
    pr = Prompt(c, ["search", "-i", idx])
    pr.send("lighthouse\r")
    out = pr.send(".show 1\r")
    expect("\\x1b]0;owned\\x07\\x1b[2J  lighthouse \\u009b31m \\u202egnp.exe" in out,
           f".show header not escaped: {out!r}")
    # the title paragraph comes through the text's path (the indexer
    # already turned the body's ESC into a space)
    expect(re.search(r"^title \(matched\)\r?\n  lighthouse \\u009b31m \\u202egnp\.exe", out,
                     re.M), f".show text not escaped: {out!r}")
    for raw in ("\x1b]0;", "\x1b[2J", "\x1b[31m", "\u009b", "\u202e"):
        expect(raw not in out, f".show sent {raw!r} to the terminal: {out!r}")
    expect(pr.end() == 0, "Ctrl-D")


def fix_crcs(data):
    """Recomputes every section's CRC32 and then the header's, as a
    crafted file would carry them (format.h: the section table at 144,
    16-byte entries {id, offset, size, crc}; header bytes at 16, its CRC
    at 48)."""
    import struct
    import zlib
    n_sections = struct.unpack_from("<I", data, 20)[0]
    for i in range(n_sections):
        at = 144 + 16 * i
        _, off, size, _ = struct.unpack_from("<4I", data, at)
        struct.pack_into("<I", data, at + 12, zlib.crc32(bytes(data[off:off + size])))
    header_bytes = struct.unpack_from("<I", data, 16)[0]
    struct.pack_into("<I", data, 48, 0)
    struct.pack_into("<I", data, 48, zlib.crc32(bytes(data[:header_bytes])))


def case_nul_in_index(c):
    # The indexer never writes a NUL into an id or title; a crafted index
    # may.  verify refuses it; without verify, every output still shows
    # the whole id and title, the NUL escaped (JSON: \u0000).
    docs = os.path.join(c.tmp, "nul.jsonl")
    with open(docs, "w") as f:
        f.write(json.dumps({"id": "idQ7Zmark", "title": "Lighthouse QZ7title",
                            "body": "A lighthouse stands here."}) + "\n")
    idx = os.path.join(c.tmp, "nul.stele")
    c.run("index", "--quiet", "--format", "jsonl", docs, "-o", idx, check=0)
    c.run("verify", idx, check=0)
    data = bytearray(open(idx, "rb").read())
    for mark, at in ((b"idQ7Zmark", 3), (b"QZ7title", 2)):
        expect(data.count(mark) == 1, f"{mark!r} found {data.count(mark)} times")
        data[data.find(mark) + at] = 0
    fix_crcs(data)
    with open(idx, "wb") as f:
        f.write(data)
    st, out, err = c.run("verify", idx)
    expect(st == 2 and "verification failed" in err and "damaged" in err,
           f"verify of a NUL in an id: exit {st}, {err!r}")
    one_line_error(err, idx)
    shown_id, shown_title = "idQ\\x00Zmark", "Lighthouse QZ\\x00title"
    st, out, err = c.run("search", "-i", idx, "lighthouse", check=0)
    terminal_safe(out + err, "search")
    expect(f"1. {shown_id}  {shown_title}" in out, f"search: {out!r}")
    st, out, err = c.run("search", "-i", idx, "-l", "lighthouse", check=0)
    expect(out == shown_id + "\n", f"-l: {out!r}")
    st, out, err = c.run("list", "-i", idx, check=0)
    expect(out == f"{shown_id}\t{shown_title}\n", f"list: {out!r}")
    st, out, err = c.run("search", "-i", idx, "--json", "lighthouse", check=0)
    hit = json_lines(out)[0]
    expect(hit["id"] == "idQ\0Zmark" and hit["title"] == "Lighthouse QZ\0title",
           f"json: {out!r}")
    pr = Prompt(c, ["search", "-i", idx])
    pr.send("lighthouse\r")
    out = pr.send(".show 1\r")
    expect(f"{shown_id}  {shown_title}" in out and "\0" not in out, f".show: {out!r}")
    expect(pr.end() == 0, "Ctrl-D")


def case_hostile_header(c):
    # The stemmer language and the field names are only length-checked at
    # open: a crafted index's control characters in them are shown escaped.
    import struct
    docs = os.path.join(c.tmp, "plain.jsonl")
    with open(docs, "w") as f:
        f.write(json.dumps({"id": "a", "title": "Lighthouse", "body": "A lighthouse."}) + "\n")
    idx = os.path.join(c.tmp, "header.stele")
    c.run("index", "--quiet", "--format", "jsonl", docs, "-o", idx, check=0)
    data = bytearray(open(idx, "rb").read())
    data[56:72] = b"\x1b]0;x\x07".ljust(16, b"\0")
    fields = struct.unpack_from("<I", data, 144 + 4)[0]  # section 0, FIELDS
    data[fields + 1] = 0x1b
    fix_crcs(data)
    with open(idx, "wb") as f:
        f.write(data)
    st, out, err = c.run("stats", idx)
    terminal_safe(out + err, "stats")
    expect(st == 0 and "language:       \\x1b]0;x\\x07\n" in out and "\\x1b" in
           out.split("fields:")[1].split("\n")[0], f"stats: {out!r}")
    st, out, err = c.run("search", "-i", idx, "lighthouse")
    expect(st == 2 and "no stemmer" in err and "\\x1b]0;x\\x07" in err, f"search: {err!r}")
    terminal_safe(out + err, "search")


def case_long_query_error(c):
    # A syntax error at the end of a 1 MB query shows where, not the query.
    query = "lighthouse " * 95000 + '"keeper'
    for args in (["--json"], []):  # the plain run's output is read below
        st, out, err = c.run("search", *args, stdin=query + "\n")
        expect(st == 2, f"{args}: exit {st}, want 2")
        expect(len(err) < 2000, f"{args}: {len(err)} bytes of error for a 1 MB query")
        expect(len(out) < 2000, f"{args}: {len(out)} bytes of output for a 1 MB query")
    # The batch header echoes the query's start, marked as cut.
    header = out.split("\n")[0]
    expect(header.startswith("query: lighthouse ") and header.endswith("\u2026"),
           f"batch header not cut: {header[:80]!r}...")
    expect(len(header.encode()) <= len("query: ") + 256 + 3, f"header of {len(header)} chars")
    m = re.search(r"at byte (\d+)", err)
    expect(m, f"no byte offset in {err!r}")
    offset = int(m.group(1))
    line, col = caret_column(err)
    expect(line.startswith("  \u2026") and line.endswith("\u2026"), f"cut not shown: {line!r}")
    shown = line[3:-1]
    expect(shown in query, f"shown text not from the query: {shown!r}")
    before = col - 3
    expect(before > 0 and shown[:before] == query[offset - before:offset],
           f"caret at column {col} not under byte {offset}: {line!r}")


def case_index_errors(c):
    idx = os.path.join(c.tmp, "keep.stele")
    c.run("index", "--quiet", "--format", "text", os.path.join(c.data, "text"), "-o", idx,
          check=0)
    before = open(idx, "rb").read()
    # A missing input: exit 2, the old index untouched.
    st, _, err = c.run("index", "--format", "text", os.path.join(c.tmp, "missing.txt"),
                       "-o", idx)
    expect(st == 2, f"missing input: exit {st}")
    one_line_error(err, "missing.txt")
    # Malformed JSON Lines: exit 2, the message names the file.
    badj = os.path.join(c.tmp, "bad.jsonl")
    with open(badj, "w") as f:
        f.write('{"id": "ok", "title": "fine"}\n{"id": \n')
    st, _, err = c.run("index", "--format", "jsonl", badj, "-o", idx)
    expect(st == 2, f"bad jsonl: exit {st}")
    one_line_error(err, "bad.jsonl")
    # An empty directory.
    empty = os.path.join(c.tmp, "empty")
    os.mkdir(empty)
    st, _, err = c.run("index", empty, "-o", idx)
    expect(st == 2, f"empty directory: exit {st}")
    expect(open(idx, "rb").read() == before, "failed builds changed the index")
    # Rebuilding over an existing file replaces it.
    c.run("index", "--quiet", "--format", "jsonl", os.path.join(c.data, "docs.jsonl"),
          "-o", idx, check=0)
    expect(open(idx, "rb").read() != before, "index not replaced")
    c.run("verify", idx, check=0)
    leftovers = [n for n in os.listdir(c.tmp) if ".tmp" in n]
    expect(not leftovers, f"temporary files left: {leftovers}")


def case_index_lang(c):
    idx = os.path.join(c.tmp, "nostem.stele")
    c.run("index", "--quiet", "--lang", "none", "--format", "text",
          os.path.join(c.data, "text"), "-o", idx, check=0)
    st, out, _ = c.run("stats", "--json", idx, check=0)
    expect(json.loads(out)["language"] in ("", "none"), f"language {out}")
    # Without stemming "keepers" (the title) does not match "keeper".
    st, out, _ = c.run("search", "-i", idx, "--json", "title:keeper")
    expect(st == 1, f"unstemmed title:keeper: exit {st}")
    c.run("search", "-i", idx, "title:keepers", check=0)
    st, _, err = c.run("index", "--lang", "klingon", "--format", "text",
                       os.path.join(c.data, "text"), "-o", idx)
    expect(st == 2, f"unknown language: exit {st}")


# --- query-per-line, terminals, colour ------------------------------------------

def case_stdin(c):
    queries = "alternatives to imprisonment\n\nxylophonequartz\n55/12\n"
    st, out, _ = c.run("search", "--json", "-n", "3", stdin=queries, check=0)
    hits = json_lines(out)
    by_query = {}
    for h in hits:
        by_query.setdefault(h["query"], []).append(h)
    expect(set(by_query) == {"alternatives to imprisonment", "55/12"}, f"queries {by_query}")
    expect(by_query["alternatives to imprisonment"][0]["id"] == "55/12", "topic query")
    expect(by_query["55/12"][0]["id"] == "55/12", "symbol query")
    st, out, _ = c.run("search", "-n", "2", stdin=queries, check=0)
    blocks = out.strip("\n").split("\n\n")
    expect(len(blocks) == 3, f"{len(blocks)} answer blocks: {out!r}")
    expect(blocks[0].startswith("query: alternatives to imprisonment\n1. 55/12"),
           f"block 0: {blocks[0]!r}")
    expect(blocks[1].startswith("query: xylophonequartz"), f"block 1: {blocks[1]!r}")
    # All queries without hits: 1; an error among them: 2.
    c.run("search", stdin="xylophonequartz\nquartzxylophone\n", check=1)
    st, out, err = c.run("search", "--json", stdin='55/12\n"unbalanced\n')
    expect(st == 2 and json_lines(out)[0]["id"] == "55/12", f"exit {st}")
    # `stele` alone is `stele search` without a query.
    p = subprocess.run([c.stele], input="55/12\n", capture_output=True, text=True, cwd=c.tmp,
                       timeout=120)
    expect(p.returncode == 0 and "1. 55/12" in p.stdout,
           f"bare stele with a query on stdin: exit {p.returncode}")


def run_pty(c, args, env, stdin_text=None, stderr_tty=False):
    """Runs stele with stdout (and stdin if stdin_text, stderr instead of
    stdout if stderr_tty) on a pseudo-terminal."""
    try:
        master, slave = pty.openpty()
    except OSError as e:
        raise Skip(f"no pseudo-terminal: {e}")
    e = dict(os.environ)
    e.pop("NO_COLOR", None)
    e.update(env)
    p = subprocess.Popen([c.stele, *args], stdin=slave if stdin_text is not None else
                         subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL if stderr_tty else slave,
                         stderr=slave if stderr_tty else subprocess.DEVNULL,
                         cwd=c.tmp, env=e)
    os.close(slave)
    if stdin_text is not None:
        os.write(master, stdin_text.encode())
    chunks = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        r, _, _ = select.select([master], [], [], 0.2)
        if r:
            try:
                data = os.read(master, 65536)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
        elif p.poll() is not None:
            break
    p.wait(timeout=60)
    os.close(master)
    return p.returncode, b"".join(chunks).decode("utf-8", "replace")


def case_color(c):
    st, out = run_pty(c, ["search", "-n", "2", "55/12"], {})
    expect(st == 0, f"tty search: exit {st}")
    expect("\x1b[1m" in out and "\x1b[0m" in out, f"no bold on a terminal: {out!r}")
    st, out = run_pty(c, ["search", "-n", "2", "55/12"], {"NO_COLOR": "1"})
    expect(st == 0 and "\x1b" not in out and "[" in out, f"NO_COLOR ignored: {out!r}")
    st, out, _ = c.run("search", "-n", "2", "55/12", check=0)
    expect("\x1b" not in out and "[" in out, "escape codes into a pipe")
    # --color=always into a pipe, and over NO_COLOR; never on a terminal.
    st, out, _ = c.run("search", "--color=always", "-n", "2", "55/12", check=0)
    expect("\x1b[1m" in out, f"--color=always into a pipe: {out!r}")
    st, out, _ = c.run("search", "--color", "always", "55/12", env={"NO_COLOR": "1"}, check=0)
    expect("\x1b[1m" in out, "--color=always gave way to NO_COLOR")
    st, out = run_pty(c, ["search", "--color=never", "-n", "2", "55/12"], {})
    expect(st == 0 and "\x1b" not in out, f"--color=never on a terminal: {out!r}")
    st, out = run_pty(c, ["search", "--color=auto", "-n", "2", "55/12"], {})
    expect("\x1b[1m" in out, f"--color=auto on a terminal: {out!r}")


def case_index_progress(c):
    idx = os.path.join(c.tmp, "p.stele")
    st, err = run_pty(c, ["index", "--format", "text", os.path.join(c.data, "text"), "-o", idx],
                      {}, stderr_tty=True)
    expect(st == 0, f"index with a terminal: exit {st}")
    # A bar per phase (reading, analysing, compressing, writing), erased at the end.
    for phase in ("reading", "analysing", "writing"):
        expect(phase in err, f"no {phase} bar: {err!r}")
    expect(re.search(r"\[[#.]{24}\] [\d.]+ of [\d.]+ KB", err), f"no byte count: {err!r}")
    expect(re.search(r"\d+ of 3 docs", err), f"no document count: {err!r}")
    expect(err.rstrip("\r\n").endswith("\r\x1b[K"), f"bar not erased: {err[-40:]!r}")
    st, out, err = c.run("index", "--format", "text", os.path.join(c.data, "text"), "-o", idx,
                         check=0)
    expect(err == "", f"progress into a pipe: {err!r}")
    c.run("index", "-q", "--format", "text", os.path.join(c.data, "text"), "-o", idx, check=0)


def case_interactive(c):
    pr = Prompt(c, ["search", "-n", "1"])
    out = pr.send("55/12\r")
    expect("1. 55/12" in out, f"no answer in the prompt loop: {out!r}")
    pr.send("\r")
    expect(pr.end(".quit\r") == 0, "prompt loop: exit status")
    expect(pr.text().count("stele> ") >= 3, f"prompt not shown three times: {pr.text()!r}")
    pr = Prompt(c)
    out = pr.send("55/12\r")
    expect("1. 55/12" in out, f"bare stele on a terminal: {out!r}")
    expect(pr.end() == 0, "bare stele: Ctrl-D")


class Prompt:
    """stele's prompt on a pseudo-terminal of rows x cols, driven key by
    key: each send waits for the prompt to come back."""

    def __init__(self, c, args=(), rows=24, cols=80, env=None):
        import fcntl
        import struct
        import termios
        try:
            self.master, slave = pty.openpty()
        except OSError as e:
            raise Skip(f"no pseudo-terminal: {e}")
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        e = dict(os.environ)
        e.pop("NO_COLOR", None)
        e.update({"TERM": "xterm", "NO_COLOR": "1"})
        e.update(env or {})
        self.p = subprocess.Popen([c.stele, *args], stdin=slave, stdout=slave, stderr=slave,
                                  cwd=c.tmp, env=e, start_new_session=True)
        os.close(slave)
        self.out = b""
        self.wait_prompts(1)

    def read(self, timeout):
        r, _, _ = select.select([self.master], [], [], timeout)
        if not r:
            return False
        try:
            data = os.read(self.master, 65536)
        except OSError:
            return None
        if not data:
            return None
        self.out += data
        return True

    def wait_prompts(self, n, timeout=30):
        deadline = time.monotonic() + timeout
        while self.out.count(b"stele> ") < n and time.monotonic() < deadline:
            if self.read(0.2) is None:
                break
        expect(self.out.count(b"stele> ") >= n,
               f"prompt {n} not shown: {self.text()[-800:]!r}")

    def editing(self, timeout=2.0):
        """Waits until the line editor has the terminal (canonical mode off).
        libedit prints the prompt before it switches the terminal, and the
        switch discards input typed in between, as a terminal mode change
        with TCSAFLUSH does; a person never types that fast, a test does.
        Without libedit the terminal stays canonical: waits timeout, once."""
        import termios
        deadline = time.monotonic() + timeout
        while getattr(self, "canonical_ok", False) is False and time.monotonic() < deadline:
            if not termios.tcgetattr(self.master)[3] & termios.ICANON:
                return
            self.read(0.01)
        self.canonical_ok = True

    def send(self, keys, prompts=None):
        """Types keys (ending in Enter: '\r') and waits for the next prompt
        (or that many more); returns the output in between."""
        start = len(self.out)
        n = self.out.count(b"stele> ")
        self.editing()
        os.write(self.master, keys.encode())
        self.wait_prompts(n + (keys.count("\r") if prompts is None else prompts))
        return self.out[start:].decode("utf-8", "replace")

    def alive(self):
        return self.p.poll() is None

    def end(self, keys="\x04"):
        self.editing()
        os.write(self.master, keys.encode())
        deadline = time.monotonic() + 30
        while self.p.poll() is None and time.monotonic() < deadline:
            self.read(0.2)
        try:
            st = self.p.wait(timeout=10)
        finally:
            if self.p.poll() is None:
                self.p.kill()
            os.close(self.master)
        return st

    def text(self):
        return self.out.decode("utf-8", "replace")


def case_prompt_empty_enter(c):
    # An empty Enter does not exit: a stray key never ends a kiosk session.
    pr = Prompt(c)
    expect("quits" not in pr.text(), f"the banner tells visitors how to quit: {pr.text()!r}")
    for _ in range(3):
        pr.send("\r")
        expect(pr.alive(), "an empty Enter ended the prompt")
    pr.send("   \r")
    expect(pr.alive(), "a blank line ended the prompt")
    out = pr.send("55/12\r")
    expect("1. 55/12" in out, f"no answer after empty lines: {out!r}")
    expect(pr.end() == 0, "Ctrl-D does not end the prompt with status 0")
    pr = Prompt(c)
    pr.send("\r")
    expect(pr.end(".quit\r") == 0, ".quit does not end the prompt")


def case_prompt_editing(c):
    pr = Prompt(c, ["search", "-n", "1"])
    first = pr.send("naloxone\r")
    expect("1. 55/7" in first, f"naloxone: {first!r}")
    # Up recalls the last query; Enter searches it again (not "a" or "[A").
    again = pr.send("\x1b[A\r")
    expect("1. 55/7" in again and "bad query" not in again, f"Up, Enter: {again!r}")
    # Left arrow moves the cursor: "5512" with "/" typed two places back.
    out = pr.send("5512\x1b[D\x1b[D/\r")
    expect("1. 55/12" in out and "^[[D" not in out, f"left arrow editing: {out!r}")
    # Ctrl-L clears the screen and is no part of the query.
    cleared = pr.send("\x0c", prompts=1)  # the prompt, redrawn on a clear screen
    expect("\x1b[" in cleared, f"Ctrl-L did not clear the screen: {cleared!r}")
    out = pr.send("55/12\r")
    expect("1. 55/12" in out and "bad query" not in out, f"Ctrl-L then a query: {out!r}")
    # Ctrl-A goes to the start of the line.
    out = pr.send("imprisonment\x01alternatives to \r")
    expect("1. 55/12" in out, f"Ctrl-A editing: {out!r}")
    expect(pr.end() == 0, "Ctrl-D")


def case_prompt_commands(c):
    pr = Prompt(c, rows=24, cols=80)
    out = pr.send(".help\r")
    for cmd in (".more", ".show", ".quit", ".help"):
        expect(cmd in out, f".help does not list {cmd}: {out!r}")
    # A page fits 24 rows; .more and n give the next ones, numbered on.
    out = pr.send("drug\r")
    ranks = [int(r) for r in re.findall(r"^(\d+)\. ", out, re.M)]
    expect(ranks and ranks == list(range(1, len(ranks) + 1)) and len(ranks) <= 3,
           f"first page ranks {ranks}")
    expect(".more" in out, f"no hint to page: {out!r}")
    page = len(ranks)
    out = pr.send(".more\r")
    ranks2 = [int(r) for r in re.findall(r"^(\d+)\. ", out, re.M)]
    expect(ranks2 == list(range(page + 1, 2 * page + 1)), f".more ranks {ranks2}")
    out = pr.send("n\r")
    ranks3 = [int(r) for r in re.findall(r"^(\d+)\. ", out, re.M)]
    expect(ranks3 and ranks3[0] == 2 * page + 1, f"n ranks {ranks3}")
    # No line is wider than the terminal, and no word is cut at the edge.
    for line in out.replace("\r", "").split("\n"):
        expect(len(line) <= 80, f"line of {len(line)} columns: {line!r}")
    # .show N: hit N's whole text, paragraphs labelled, the matched one said.
    out = pr.send("alternatives to imprisonment\r")
    out = pr.send(".show 1\r")
    # (the header line anywhere: a loaded terminal may echo the typed line twice)
    expect(re.search(r"^55/12  Alternatives", out, re.M), f".show 1: {out[:200]!r}")
    for label in ("preambular para 1", "operative para 1", "footnote 1"):
        expect(re.search("^" + label + "( \\(matched\\))?\\r?$", out, re.M), f"no {label}")
    expect("(matched)" in out, ".show does not point at the matched paragraph")
    out = pr.send(".show 999\r")
    expect("fewer than 999" in out, f".show past the hits: {out!r}")
    out = pr.send(".bogus\r")
    expect("unknown command" in out, f".bogus: {out!r}")
    # A bad query is an error, and the prompt goes on.
    out = pr.send('"unbalanced\r')
    expect("unclosed quote" in out and pr.alive(), f"bad query: {out!r}")
    expect(pr.end(".quit\r") == 0, ".quit")


# --- embedding ----------------------------------------------------------------

def parse_c_array(src, name):
    m = re.search(r"const unsigned char " + name + r"\[(\d+)\] = \{(.*?)\};", src, re.S)
    expect(m, "array definition not found")
    values = bytes(int(v, 16) for v in re.findall(r"0x([0-9a-f]{2})", m.group(2)))
    expect(len(values) == int(m.group(1)), "array length differs from its declared size")
    return values


def case_embed(c):
    idx = os.path.join(c.tmp, "small.stele")
    c.run("index", "--quiet", "--format", "text", os.path.join(c.data, "text"), "-o", idx,
          check=0)
    out_c = os.path.join(c.tmp, "small_index.c")
    out_h = os.path.join(c.tmp, "small_index.h")
    c.run("embed", idx, "-o", out_c, "--name", "small_index", "--header", out_h, check=0)
    src = open(out_c).read()
    expect(parse_c_array(src, "small_index") == open(idx, "rb").read(),
           "embedded bytes differ from the index file")
    expect("_Alignas(8)" in src and "const size_t small_index_size" in src, "declarations")
    header = open(out_h).read()
    expect("extern const unsigned char small_index[];" in header, "header")
    st, out, _ = c.run("stats", "--json", idx, check=0)
    m = re.search(r"#define SMALL_INDEX_WORKSPACE_BYTES (\d+)u", header)
    expect(m and int(m.group(1)) == json.loads(out)["workspace_search_10"],
           f"workspace macro {m and m.group(1)} vs stats {out}")
    expect("#define SMALL_INDEX_MAX_HITS 10" in header, "max hits macro")
    st, _, err = c.run("embed", idx, "--max-hits", "0", "-o", out_c)
    expect(st == 2, f"--max-hits 0: exit {st}")
    st, _, err = c.run("embed", idx, "--name", "9lives", "-o", out_c)
    expect(st == 2, f"bad --name: exit {st}")
    st, _, err = c.run("embed", idx, "-o", os.path.join(c.tmp, "no", "such", "dir", "x.c"))
    expect(st == 2, f"embed into a missing directory: exit {st}")
    one_line_error(err, "x.c")
    st, out, _ = c.run("embed", idx, check=0)
    expect(parse_c_array(out, "stele_index_data") == open(idx, "rb").read(), "stdout embed")

    cc = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc") or \
        shutil.which("clang")
    if not cc:
        raise Skip("no C compiler to compile the generated source")
    main_c = os.path.join(c.tmp, "main.c")
    with open(main_c, "w") as f:
        f.write('#include <stdint.h>\n#include <stdio.h>\n#include "small_index.h"\n'
                "static unsigned char workspace[SMALL_INDEX_WORKSPACE_BYTES];\n"
                "int main(void) {\n"
                "    workspace[0] = 1;\n"
                "    if ((uintptr_t)small_index % 8) return 3;\n"
                "    return fwrite(small_index, 1, small_index_size, stdout)"
                " == small_index_size ? 0 : 4;\n}\n")
    exe = os.path.join(c.tmp, "main")
    subprocess.run([cc, "-std=c11", "-Wall", "-Werror", "-pedantic", "-o", exe, main_c,
                    out_c], check=True, cwd=c.tmp)
    p = subprocess.run([exe], capture_output=True)
    expect(p.returncode == 0, f"compiled program: exit {p.returncode} (3 = misaligned)")
    expect(p.stdout == open(idx, "rb").read(), "compiled array differs from the index")


def case_embed_example(c):
    if not c.embed_search:
        raise Skip("embed_search example not built (no corpus)")
    query = "alternatives to imprisonment"
    st, out, _ = c.run("search", "--json", query, check=0)
    cli_top = json_lines(out)[0]
    p = subprocess.run([c.embed_search, *query.split()], capture_output=True, text=True,
                       cwd=c.tmp, timeout=60)
    expect(p.returncode == 0, f"embed_search: exit {p.returncode}: {p.stderr}")
    rank, doc_id, score, title = p.stdout.splitlines()[0].split("\t")
    expect(rank == "1" and doc_id == cli_top["id"] == "55/12",
           f"example top hit {doc_id}, CLI {cli_top['id']}")
    expect(title == cli_top["title"], "titles differ")
    expect(abs(float(score) - cli_top["score"]) < 1e-3, f"scores {score} vs {cli_top['score']}")
    p = subprocess.run([c.embed_search, "xylophonequartz"], capture_output=True, cwd=c.tmp)
    expect(p.returncode == 1, f"embed_search without hits: exit {p.returncode}")
    if c.corpus_index:
        # The embedded corpus is byte for byte the one the build indexed.
        st, out, _ = c.run("embed", c.corpus_index, check=0)
        expect(parse_c_array(out, "stele_index_data") == open(c.corpus_index, "rb").read(),
               "corpus embed")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--stele", required=True)
    ap.add_argument("--source-root", required=True)
    ap.add_argument("--embed-search")
    ap.add_argument("--corpus-index")
    ap.add_argument("case")
    args = ap.parse_args()
    fn = globals().get("case_" + args.case)
    if not fn:
        print(f"unknown case {args.case}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="stele-cli-") as tmp:
        try:
            fn(Ctx(args, tmp))
        except Skip as e:
            print(f"SKIP: {e}")
            return SKIP
        except AssertionError as e:
            print(f"FAIL {args.case}: {e}")
            return 1
    print(f"ok {args.case}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
