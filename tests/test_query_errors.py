#!/usr/bin/env python3
"""Query errors say what is wrong, where (meson suite 'cli').

    test_query_errors.py STELE

Each malformed query must exit 2 with a message naming the problem and a
caret under the byte it concerns; an unknown field also lists the index's
fields.  Queries the old runtime refused for its small limits (a long
bag of words, a prefix with many words) must now answer.
"""

import subprocess
import sys

CASES = [
    # query, words the message must contain, byte offset of the caret
    ("foo:bar", "unknown field", 0),
    ('"alternatives to', "unclosed quote", 0),
    ("NOT cannabis", "only excluded terms", 0),
    ("women (prison", "unclosed parenthesis", 6),
    ("women OR", "operator with nothing after it", 6),
    ("OR women", "OR with nothing before it", 0),
    ("women )", "closing parenthesis without an opening one", 6),
    ("title: women", "field name with nothing after it", 0),
    ("a - b", "must touch", 2),
    ("NEAR(drug, 3)", "NEAR needs two or more plain words", 0),
    ("drug NEAR/9999999 prison", "NEAR distance too large", 5),
    ("drug NEAR/99999999999999 prison", "NEAR distance too large", 5),
    ("*", "prefix must be one word", 0),
    ("x NOT NOT a", "operator with nothing after it", 2),
]

failures = 0


def fail(msg):
    global failures
    failures += 1
    print("FAIL", msg)


def run(stele, query):
    return subprocess.run([stele, "search", "--", query], capture_output=True, text=True,
                          timeout=60)


def main():
    stele = sys.argv[1]
    for query, words, offset in CASES:
        r = run(stele, query)
        err = r.stderr
        if r.returncode != 2:
            fail(f"{query!r}: exit {r.returncode}, want 2")
            continue
        if words not in err or f"at byte {offset}:" not in err:
            fail(f"{query!r}: message {err!r} lacks {words!r} at byte {offset}")
            continue
        lines = err.splitlines()
        carets = [l for l in lines if l.strip() == "^"]
        if query and (not carets or carets[0].index("^") != 2 + offset):
            fail(f"{query!r}: caret not under byte {offset}: {err!r}")
        if words == "unknown field" and "title body footnote" not in err:
            fail(f"{query!r}: the index's fields are not named: {err!r}")
    # what the old limits refused now answers
    long_query = " ".join(["drug", "treatment", "prison", "women", "health"] * 30)
    r = run(stele, long_query)
    if r.returncode != 0:
        fail(f"a 150-word query: exit {r.returncode}: {r.stderr!r}")
    r = run(stele, "p*")
    if r.returncode != 0 or "most frequent were searched" not in r.stdout:
        fail(f"p*: exit {r.returncode}, output {r.stdout[:200]!r} {r.stderr!r}")
    print(f"{len(CASES) + 2 - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
