#!/usr/bin/env python3
"""The one-file runtime (tools/amalgamate.py) compiles alone and searches.

Usage: test_amalgamation.py CC STELE INDEX SOURCE_ROOT OUT_DIR

Generates stele.c and stele.h into OUT_DIR, compiles them with
tests/amalgamation_main.c and nothing else of the tree, as C99 with
-Wall -Wextra -pedantic -Werror, links zlib, and runs a few queries over
INDEX: their hits (ids in order, scores to four decimals) must be the
`stele search --json` ones.  The queries' words are their own stems, since
the program passes no stemmer.

Then the same with the device configuration of stele_config.h,
-DSTELE_OMIT_VERIFY -DSTELE_OMIT_COMPLETE -DSTELE_OMIT_TYPOS: it must
compile as cleanly, give the same hits (the queries have no typo), and
define neither stele_verify, stele_complete nor stele_query_suggest (nor
st_lex_verify, a helper only verify calls, nor the corrections' walk and
automaton).
"""
import json
import os
import shlex
import subprocess
import sys

QUERIES = ["women prison", "treatment", "prison OR women", "title:women", "NEAR(women prison, 20)"]
OMIT = ["-DSTELE_OMIT_VERIFY", "-DSTELE_OMIT_COMPLETE", "-DSTELE_OMIT_TYPOS"]
OMITTED = ["stele_verify", "stele_complete", "st_lex_verify", "stele_query_suggest",
           "st_correct_find", "st_fuzzy_feed"]


def defined(prog):
    """The symbols prog defines, as nm lists them, or None."""
    nm = subprocess.run(["nm", prog], capture_output=True, text=True)
    if nm.returncode != 0:
        return None
    return {line.split()[-1] for line in nm.stdout.splitlines() if len(line.split()) == 3}


def build_and_run(cc, out, root, index, defines, name):
    """Compiles the amalgamation with defines into out/name and runs the
    queries: (stdout lines, None) or (None, what went wrong)."""
    prog = os.path.join(out, name)
    cmd = (shlex.split(cc) + ["-std=c99", "-Wall", "-Wextra", "-pedantic", "-Werror", "-O2"] + defines
           + ["-I", out, os.path.join(out, "stele.c"),
              os.path.join(root, "tests", "amalgamation_main.c"), "-lz", "-o", prog])
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0 or r.stderr.strip():
        return None, "compiling the amalgamation failed or warned:\n" + " ".join(cmd) + "\n" + r.stderr
    got = subprocess.run([prog, index] + QUERIES, capture_output=True, text=True)
    if got.returncode != 0:
        return None, "amalgamation_main failed: " + got.stderr
    return got.stdout.splitlines(), None


def main():
    cc, stele, index, root, out = sys.argv[1:6]
    os.makedirs(out, exist_ok=True)
    subprocess.run([sys.executable, os.path.join(root, "tools", "amalgamate.py"), out], check=True)
    got_lines, err = build_and_run(cc, out, root, index, [], "amalgamation_main")
    if err:
        print(err)
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
    if not want:
        print("the queries found nothing through the CLI: the test would prove nothing")
        return 1
    if got_lines != want:
        print("the amalgamation's hits differ from stele search's:")
        print("--- stele search\n" + "\n".join(want) + "\n+++ amalgamation\n" + "\n".join(got_lines))
        return 1
    print(f"amalgamation: {len(QUERIES)} queries, {len(want)} hits, the same as stele search: OK")
    small_lines, err = build_and_run(cc, out, root, index, OMIT, "amalgamation_omit")
    if err:
        print(" ".join(OMIT) + ": " + err)
        return 1
    if small_lines != want:
        print(" ".join(OMIT) + ": the hits differ from stele search's:")
        print("--- stele search\n" + "\n".join(want) + "\n+++ amalgamation\n" + "\n".join(small_lines))
        return 1
    full = defined(os.path.join(out, "amalgamation_main"))
    small = defined(os.path.join(out, "amalgamation_omit"))
    if full is None or small is None:
        print("nm failed on the programs")
        return 1
    if any(f not in full for f in OMITTED) or "stele_query_prepare" not in small:
        print("nm does not list the functions in the full build: the symbol check would prove nothing")
        return 1
    kept = [f for f in OMITTED if f in small]
    if kept:
        print(" ".join(OMIT) + " still defines " + ", ".join(kept))
        return 1
    print(f"amalgamation {' '.join(OMIT)}: the same hits, without {', '.join(OMITTED)}: OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
