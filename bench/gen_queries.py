#!/usr/bin/env python3
"""Queries for every class, drawn from a corpus's own vocabulary (stdlib only).

Usage: gen_queries.py [--seed N] [--per-class N] CORPUS.jsonl QUERIES.tsv STATS

Reads a JSON Lines corpus ({"id","title","body"} per line), counts the
document frequency of every word (runs of ASCII letters, lowercased, 3 to
20 letters), and writes QUERIES.tsv, one query per line in a neutral form
that each engine's driver turns into its own syntax:

    class <TAB> op <TAB> param <TAB> word word ...

    op       meaning                             stele / FTS5 / Xapian
    term     one word                            w / w / stem
    and      every word                          a b / a b / OP_AND
    or       any word                            a OR b / a OR b / OP_OR
    phrase   the words in this order             "a b" / "a b" / OP_PHRASE
    near     all words within param positions    NEAR(a b, k) / same / OP_NEAR
    prefix   any word starting with the word     pre* / pre* / OP_WILDCARD
    not      the first word without the second   a -b / a NOT b / OP_AND_NOT

Classes: term, and2, and3, or2, or5, phrase2, phrase3, near, prefix, not.
Words are split into three document-frequency bands over the corpus: high
(in >= 1% of documents), mid (0.1% to 1%) and low (below 0.1%, but in at
least two documents); each class cycles through the bands or mixes of them,
so that every class has cheap and expensive queries.  AND, NOT, phrase and
NEAR queries take their words from one randomly chosen document (AND words
from its word set, phrases from consecutive words of its text, NEAR words
from within a few positions of each other), so they match at least that
document (phrase and NEAR words only from runs of whitespace-separated
plain lowercase words, which every engine tokenizes alike); OR words are drawn independently.  Prefixes are 3 to 6 letters of
a word, kept if at least two words of the vocabulary start with them.

Everything is drawn from random.Random(seed): the same corpus and seed give
the same file.  STATS gets "key value" lines: docs, text_bytes (UTF-8
bytes of title + "\\n" + body + "\\n" of every record, the text the
engines index), vocabulary, and the band sizes.
"""

import argparse
import bisect
import json
import os
import random
import re
import sys

WORD = re.compile(r"[a-z]+")
PLAIN = re.compile(r"[a-z]+\Z")
PARA = re.compile(r"\n\s*\n")
# Words that are operators in some engine's syntax are left out, so a query
# means the same thing to every engine.
EXCLUDED = {"and", "or", "not", "near"}
CLASSES = ("term", "and2", "and3", "or2", "or5", "phrase2", "phrase3", "near", "prefix", "not")


def tokens(text):
    return [w for w in WORD.findall(text.lower()) if 3 <= len(w) <= 20]


def read_corpus(path):
    """Document frequencies, line offsets and the text size."""
    df = {}
    offsets = []
    text_bytes = 0
    with open(path, "rb") as f:
        while True:
            off = f.tell()
            line = f.readline()
            if not line:
                break
            if not line.strip():
                continue
            d = json.loads(line)
            title, body = str(d.get("title", "")), str(d.get("body", ""))
            text_bytes += len((title + "\n" + body + "\n").encode())
            offsets.append(off)
            for w in set(tokens(title + " " + body)):
                df[w] = df.get(w, 0) + 1
    return df, offsets, text_bytes


class Drawer:
    def __init__(self, path, df, offsets, rng):
        self.path = path
        self.df = df
        self.offsets = offsets
        self.rng = rng
        n = len(offsets)
        self.n_docs = n
        self.band_of = {}
        self.bands = {"high": [], "mid": [], "low": []}
        for w in sorted(df):
            if w in EXCLUDED:
                continue
            f = df[w]
            band = "high" if f >= 0.01 * n else "mid" if f >= 0.001 * n else "low"
            if band == "low" and f < 2:
                continue
            self.band_of[w] = band
            self.bands[band].append(w)
        self.sorted_vocab = sorted(self.band_of)
        self.file = open(path, "rb")

    def word(self, band):
        """A word of the band, or of the nearest band that has words."""
        order = {"high": ("high", "mid", "low"), "mid": ("mid", "low", "high"),
                 "low": ("low", "mid", "high")}[band]
        for b in order:
            if self.bands[b]:
                return self.rng.choice(self.bands[b])
        raise SystemExit("gen_queries.py: the corpus has no usable words")

    def doc_tokens(self):
        """The whitespace-separated tokens of a random document with at
        least 8 usable words: a plain lowercase word ([a-z]+ and nothing
        else, so that every engine's tokenizer sees exactly that token at
        that position) stays, anything else becomes None.  Phrase and NEAR
        words are taken only across runs of plain words, so they are as
        close in every engine's positions as in this list."""
        for _ in range(1000):
            self.file.seek(self.rng.choice(self.offsets))
            d = json.loads(self.file.readline())
            # The title and every paragraph (text between blank lines) are
            # separate runs: no engine's phrase crosses them.
            toks = []
            for part in [str(d.get("title", ""))] + PARA.split(str(d.get("body", ""))):
                toks += [w if PLAIN.match(w) else None for w in part.lower().split()] + [None]
            if sum(1 for w in toks if self.usable(w)) >= 8:
                return toks
        raise SystemExit("gen_queries.py: no document with 8 usable words")

    def usable(self, w):
        return w is not None and w in self.band_of

    def from_doc(self, bands):
        """Distinct words of one document, one per requested band where the
        document has one (else any of its words)."""
        toks = [w for w in self.doc_tokens() if self.usable(w)]
        distinct = sorted(set(toks))
        if len(distinct) < len(bands):
            return self.from_doc(bands)
        out = []
        for band in bands:
            pool = [w for w in distinct if self.band_of[w] == band and w not in out]
            if not pool:
                pool = [w for w in distinct if w not in out]
            out.append(self.rng.choice(pool))
        return out

    def run_of(self, length):
        """length consecutive usable words of one document, not all equal."""
        for _ in range(1000):
            toks = self.doc_tokens()
            starts = [i for i in range(len(toks) - length + 1)
                      if all(self.usable(w) for w in toks[i:i + length]) and
                      len(set(toks[i:i + length])) > 1]
            if starts:
                i = self.rng.choice(starts)
                return toks[i:i + length]
        raise SystemExit("gen_queries.py: no run of %d words" % length)

    def near_pair(self, window):
        """Two distinct words at most window - 1 positions apart in a
        document, with only plain words between them."""
        for _ in range(1000):
            toks = self.doc_tokens()
            idx = [i for i, w in enumerate(toks) if self.usable(w)]
            self.rng.shuffle(idx)
            for i in idx[:50]:
                j = i + self.rng.randint(2, window - 1)
                if (j < len(toks) and self.usable(toks[j]) and toks[j] != toks[i] and
                        all(toks[i:j])):
                    return [toks[i], toks[j]]
        raise SystemExit("gen_queries.py: no NEAR pair")

    def prefix(self, band):
        for _ in range(1000):
            w = self.word(band)
            if len(w) < 5:
                continue
            p = w[:self.rng.randint(3, min(6, len(w) - 1))]
            lo = bisect.bisect_left(self.sorted_vocab, p)
            hi = bisect.bisect_left(self.sorted_vocab, p + "{")
            if hi - lo >= 2:
                return p
        raise SystemExit("gen_queries.py: no prefix")


BAND_CYCLE = ("high", "mid", "low")
PAIR_CYCLE = (("high", "mid"), ("mid", "low"), ("high", "low"), ("mid", "mid"), ("high", "high"),
              ("low", "low"))


def generate(d, per_class):
    rows = []
    for i in range(per_class):
        rows.append(("term", "term", "", [d.word(BAND_CYCLE[i % 3])]))
    for i in range(per_class):
        rows.append(("and2", "and", "", d.from_doc(PAIR_CYCLE[i % len(PAIR_CYCLE)])))
    for i in range(per_class):
        rows.append(("and3", "and", "", d.from_doc(PAIR_CYCLE[i % len(PAIR_CYCLE)] +
                                                    (BAND_CYCLE[i % 3],))))
    for i in range(per_class):
        a, b = PAIR_CYCLE[i % len(PAIR_CYCLE)]
        words = [d.word(a), d.word(b)]
        while words[1] == words[0]:
            words[1] = d.word(b)
        rows.append(("or2", "or", "", words))
    for i in range(per_class):
        words = []
        while len(words) < 5:
            w = d.word(BAND_CYCLE[(i + len(words)) % 3])
            if w not in words:
                words.append(w)
        rows.append(("or5", "or", "", words))
    for i in range(per_class):
        rows.append(("phrase2", "phrase", "", d.run_of(2)))
    for i in range(per_class):
        rows.append(("phrase3", "phrase", "", d.run_of(3)))
    for i in range(per_class):
        rows.append(("near", "near", "10", d.near_pair(10)))
    for i in range(per_class):
        rows.append(("prefix", "prefix", "", [d.prefix(BAND_CYCLE[i % 3])]))
    for i in range(per_class):
        rows.append(("not", "not", "", d.from_doc((("high", "mid"), ("mid", "high"),
                                                    ("high", "high"))[i % 3])))
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=20261202)
    ap.add_argument("--per-class", type=int, default=50)
    ap.add_argument("corpus")
    ap.add_argument("queries")
    ap.add_argument("stats")
    args = ap.parse_args()
    df, offsets, text_bytes = read_corpus(args.corpus)
    if not offsets:
        raise SystemExit("gen_queries.py: %s has no documents" % args.corpus)
    d = Drawer(args.corpus, df, offsets, random.Random(args.seed))
    rows = generate(d, args.per_class)
    with open(args.queries + ".tmp", "w", encoding="utf-8") as f:
        f.write("# class\top\tparam\twords (bench/gen_queries.py, seed %d)\n" % args.seed)
        for cls, op, param, words in rows:
            f.write("%s\t%s\t%s\t%s\n" % (cls, op, param, " ".join(words)))
    with open(args.stats + ".tmp", "w", encoding="utf-8") as f:
        f.write("docs %d\ntext_bytes %d\nvocabulary %d\n" % (len(offsets), text_bytes, len(df)))
        for band in BAND_CYCLE:
            f.write("band_%s %d\n" % (band, len(d.bands[band])))
    os.replace(args.queries + ".tmp", args.queries)
    os.replace(args.stats + ".tmp", args.stats)
    return 0


if __name__ == "__main__":
    sys.exit(main())
