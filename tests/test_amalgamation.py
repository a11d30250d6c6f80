#!/usr/bin/env python3
"""The one-file runtime (tools/amalgamate.py) compiles alone and searches.

Usage: test_amalgamation.py CC STELE INDEX SOURCE_ROOT OUT_DIR

Generates stele.c and stele.h into OUT_DIR, compiles them with
tests/amalgamation_main.c and nothing else of the tree, as C99 with
-Wall -Wextra -pedantic -Werror, links zlib, and runs a few queries over
INDEX: their hits (ids in order, scores to four decimals) must be the
`stele search --json` ones.  The queries' words are their own stems, since
the program passes no stemmer.
"""
import json
import os
import shlex
import subprocess
import sys

QUERIES = ["women prison", "treatment", "prison OR women", "title:women", "NEAR(women prison, 20)"]


def main():
    cc, stele, index, root, out = sys.argv[1:6]
    os.makedirs(out, exist_ok=True)
    subprocess.run([sys.executable, os.path.join(root, "tools", "amalgamate.py"), out], check=True)
    prog = os.path.join(out, "amalgamation_main")
    cmd = shlex.split(cc) + ["-std=c99", "-Wall", "-Wextra", "-pedantic", "-Werror", "-O2",
                             "-I", out, os.path.join(out, "stele.c"),
                             os.path.join(root, "tests", "amalgamation_main.c"), "-lz", "-o", prog]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0 or r.stderr.strip():
        print("compiling the amalgamation failed or warned:\n" + " ".join(cmd) + "\n" + r.stderr)
        return 1
    got = subprocess.run([prog, index] + QUERIES, capture_output=True, text=True)
    if got.returncode != 0:
        print("amalgamation_main failed:", got.stderr)
        return 1
    want = []
    for q in QUERIES:
        r = subprocess.run([stele, "search", "-i", index, "--json", "-n", "5", q],
                           capture_output=True, text=True)
        if r.returncode not in (0, 1):
            print(f"stele search {q!r} failed: {r.stderr}")
            return 1
        for line in r.stdout.splitlines():
            hit = json.loads(line)
            want.append(f"{q}\t{hit['id']}\t{hit['score']:.4f}")
    got_lines = got.stdout.splitlines()
    if not want:
        print("the queries found nothing through the CLI: the test would prove nothing")
        return 1
    if got_lines != want:
        print("the amalgamation's hits differ from stele search's:")
        print("--- stele search\n" + "\n".join(want) + "\n+++ amalgamation\n" + "\n".join(got_lines))
        return 1
    print(f"amalgamation: {len(QUERIES)} queries, {len(want)} hits, the same as stele search: OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
